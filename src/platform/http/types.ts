import type { Actor } from '../../modules/identity/actor.ts';
import type { Permission } from '../../modules/identity/permissions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated actor, or null when the request is anonymous. */
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** The permission a route needs. Routes without one under /api/v1 still need an authenticated caller. */
    permission?: Permission;
    /** The audit event the route emits (documentation; the service writes it in its transaction). */
    audit?: string;
    /** A public route that needs no authentication. */
    public?: boolean;
  }
}
