/**
 * Typed access to who is acting, for handlers of routes that declare a permission: the authentication hooks have
 * already refused the request when nobody is signed in, so these narrow the type instead of asserting it (`!`).
 * Generic on purpose: the platform does not know what an actor or a session is (the identity module does).
 */
import { UnauthenticatedError } from '../errors.ts';

/** The request's actor; an UnauthenticatedError if there is none (a route without a permission used it). */
export function requireActor<A>(req: { actor?: A | null }): A {
  if (req.actor == null) throw new UnauthenticatedError();
  return req.actor;
}

/** The request's browser session; an UnauthenticatedError if there is none. */
export function requireSession<S>(req: { authSession?: S | null }): S {
  if (req.authSession == null) throw new UnauthenticatedError();
  return req.authSession;
}

/** A query-string value as a single string ('' when absent or repeated). */
export function queryValue(req: { query: unknown }, name: string): string {
  const q = req.query;
  const v = q && typeof q === 'object' ? (q as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' ? v : '';
}
