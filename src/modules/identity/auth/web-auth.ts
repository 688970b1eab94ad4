/**
 * Web sessions, for every page outside /api: resolves `request.actor` from the session cookie on every request
 * (so a disabled user, a removed role or a reset password applies on the very next request), enforces the
 * permission a route declares in its config, and checks the CSRF token on every state-changing form.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import { ForbiddenError } from '../../../platform/errors.ts';
import { isApiRequest } from '../../../platform/http/problem.ts';
import { paths } from '../../../platform/web/paths.ts';
import type { AuthService } from './auth.service.ts';
import type { SessionState } from '../identity.tables.ts';
import { ROLE_LABELS } from '../identity.pages.ts';
import { CDSP_ONLY_ROLES, rolesGranting } from '../permissions.ts';

export interface CookieNames {
  session: string;
  csrf: string;
  /** The page a signed-out visitor asked for, to go to once signed in (an email's link to a contact, say). */
  returnTo: string;
}

/** `__Host-` cookies need HTTPS; a plain-HTTP local run (CDSP_INSECURE_COOKIES=true) drops the prefix. */
export function cookieNames(secure: boolean): CookieNames {
  return secure
    ? { session: '__Host-cdsp-session', csrf: '__Host-cdsp-csrf', returnTo: '__Host-cdsp-return-to' }
    : { session: 'cdsp-session', csrf: 'cdsp-csrf', returnTo: 'cdsp-return-to' };
}

/**
 * A path on this service that signing in may return to: absolute on this origin ('/contacts/CMS-…?x=1'), never
 * another origin ('//host', '/\\host'), printable ASCII only (a URL as sent is percent-encoded), not a sign-in step, at
 * most 1,000 characters.
 */
export function isReturnPath(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= 1000 &&
    /^\/(?![/\\])[!-[\]-~]*$/.test(value) && // printable ASCII, no space or backslash
    !value.startsWith(paths.signIn) &&
    !value.startsWith(paths.signOut)
  );
}

/**
 * What a page refused for want of a permission says: which roles open it, in words, and whom to ask. Roles only CDSP
 * staff may hold are named to CDSP staff only.
 */
export function missingRoleMessage(permission: string, cdsp: boolean): string {
  const roles = rolesGranting(permission)
    .filter((r) => cdsp || !CDSP_ONLY_ROLES.includes(r))
    .map((r) => ROLE_LABELS[r].split(':')[0]!);
  if (roles.length === 0) return 'This page is for CDSP staff only.';
  const list =
    roles.length === 1 ? roles[0] : `${roles.slice(0, -1).join(', ')} or ${roles[roles.length - 1]}`;
  return `This page needs the ${list} role. If you need it, ask your organisation’s Local Security Officer.`;
}

/** Where a partly signed-in session goes next. */
export function stepPath(state: SessionState): string {
  switch (state) {
    case 'password':
      return paths.signInCode;
    case 'enrol':
      return paths.signInSetUp;
    case 'change_password':
      return paths.signInNewPassword;
    case 'active':
      return paths.home;
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function registerWebAuthentication(
  app: FastifyInstance,
  opts: { auth: AuthService; secureCookies: boolean },
): Promise<void> {
  const names = cookieNames(opts.secureCookies);
  await app.register(cookie);
  await app.register(csrf, {
    cookieKey: names.csrf,
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: opts.secureCookies },
    getToken: (req: FastifyRequest) => {
      const body = req.body as Record<string, unknown> | undefined;
      const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
      const header = req.headers['x-csrf-token'];
      // A multipart form (file upload) is parsed after this check, so its token travels in the action's query.
      const query = req.query as Record<string, unknown> | undefined;
      const fromQuery =
        String(req.headers['content-type'] ?? '').startsWith('multipart/form-data') &&
        typeof query?._csrf === 'string'
          ? query._csrf
          : undefined;
      return fromBody ?? (typeof header === 'string' ? header : undefined) ?? fromQuery;
    },
  });
  app.decorateRequest('authSession', null);
  app.decorateReply('setSessionCookie', function (this: FastifyReply, token: string) {
    return this.setCookie(names.session, token, {
      path: '/',
      httpOnly: true,
      secure: opts.secureCookies,
      sameSite: 'lax',
    });
  });
  const returnToOpts = {
    path: '/',
    httpOnly: true,
    secure: opts.secureCookies,
    sameSite: 'lax' as const,
    maxAge: 30 * 60,
  };
  app.decorateReply('rememberReturnPath', function (this: FastifyReply, path: string) {
    return isReturnPath(path) ? this.setCookie(names.returnTo, path, returnToOpts) : this;
  });
  /** Where a session goes after a step of signing in: the page asked for before, once fully signed in. */
  app.decorateReply('afterSignInStep', function (this: FastifyReply, state: SessionState): string {
    if (state !== 'active') return stepPath(state);
    const wanted = this.request.cookies[names.returnTo];
    if (wanted === undefined) return stepPath(state);
    this.clearCookie(names.returnTo, returnToOpts);
    return isReturnPath(wanted) ? wanted : stepPath(state);
  });
  app.decorateReply('clearSessionCookie', function (this: FastifyReply) {
    return this.clearCookie(names.session, {
      path: '/',
      httpOnly: true,
      secure: opts.secureCookies,
      sameSite: 'lax',
    });
  });

  app.addHook('onRequest', async (req, reply) => {
    if (isApiRequest(req) || req.url.startsWith('/assets/')) return;
    const token = req.cookies[names.session];
    if (token) {
      const s = await opts.auth.resolveSession(token);
      if (s) {
        req.authSession = { token, ...s };
        req.actor = s.actor;
      } else {
        reply.clearSessionCookie();
      }
    }
    const permission = req.routeOptions.config?.permission;
    if (!permission) return;
    if (!req.actor) {
      // A page asked for while signed out is where signing in ends (an email's link to a contact keeps its contact).
      if (req.method === 'GET') reply.rememberReturnPath(req.url);
      const next = req.authSession ? stepPath(req.authSession.state) : paths.signIn;
      return reply.redirect(next, 303);
    }
    if (!req.actor.permissions.has(permission)) {
      // The error page renders before the usual preHandler fills the template context: give it the same basics
      // (the script nonce, who is signed in, the sign-out form's token).
      const r = reply as unknown as { locals?: Record<string, unknown>; cspNonce?: { script: string } };
      r.locals = {
        ...(r.locals ?? {}),
        cspNonce: r.cspNonce?.script,
        actor: req.actor,
        authSession: { state: req.authSession?.state, name: req.authSession?.name },
        csrfToken: reply.generateCsrf(),
      };
      throw new ForbiddenError(missingRoleMessage(permission, req.actor.organisationType === 'cdsp'));
    }
  });

  app.addHook('preValidation', (req, reply, done) => {
    if (STATE_CHANGING.has(req.method) && !isApiRequest(req)) return app.csrfProtection(req, reply, done);
    done();
  });
}

/** The session cookie value of a request (for sign-out and sign-in, which replace it). */
export function sessionToken(req: FastifyRequest, secure: boolean): string | null {
  return req.cookies[cookieNames(secure).session] ?? null;
}
