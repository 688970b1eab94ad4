/**
 * What the identity module adds to every Fastify request, reply and route: the acting user (`req.actor`), the
 * browser session, session cookies, and each route's required permission. Declared here, beside the code that
 * resolves them (web-auth.ts, api-auth.ts), so that the platform names no module.
 */
import type { Actor } from './actor.ts';
import type { SessionState } from './identity.tables.ts';
import type { Permission } from './permissions.ts';

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
    /** Remembers (for 30 minutes) the page a signed-out visitor asked for, when it is a safe path on this service. */
    rememberReturnPath(path: string): FastifyReply;
    /** The next page after a step of signing in: the remembered page once signed in, else the next step. */
    afterSignInStep(state: SessionState): string;
  }
  interface FastifyContextConfig {
    /** The permission a route needs. Routes without one under /api/v1 still need an authenticated caller. */
    permission?: Permission;
  }
}
