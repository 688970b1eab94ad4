import type { Actor } from '../../modules/identity/actor.ts';
import type { Permission } from '../../modules/identity/permissions.ts';
import type { FastifyContextConfig } from 'fastify';

export interface RouteSummary {
  method: string | string[];
  url: string;
  config: FastifyContextConfig | undefined;
}

/** A browser session, resolved from its cookie (also when sign-in is only part-way through). */
export interface AuthSession {
  token: string;
  sessionId: string;
  userId: string;
  email: string;
  name: string;
  state: 'password' | 'enrol' | 'change_password' | 'active';
  actor: Actor | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated actor, or null when the request is anonymous. */
    actor: Actor | null;
    /** The browser session (web pages only), or null. */
    authSession: AuthSession | null;
  }
  interface FastifyReply {
    setSessionCookie(token: string): FastifyReply;
    clearSessionCookie(): FastifyReply;
  }
  interface FastifyInstance {
    /** Every route as registered (method, URL, config): lets tests enumerate routes, e.g. every LSO route. */
    routeCatalogue: readonly RouteSummary[];
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
