/**
 * Security headers. Pages get helmet per request, with a fresh CSP script nonce. API answers (JSON, CSV, files) run
 * no script and are never framed: they get a fixed set computed once at start-up from the same helmet options with a
 * CSP of `default-src 'none'; frame-ancestors 'none'`, set by one hook, so the hot API paths do not rebuild helmet's
 * middleware (and draw two nonces) on every request. A route that sets its own header (an attachment's sandbox CSP)
 * still overrides it.
 */
import type { FastifyInstance } from 'fastify';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import helmet, { type HelmetOptions } from 'helmet';

type Options = FastifyHelmetOptions;

export const PAGE_SECURITY: Options = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
      upgradeInsecureRequests: null,
    },
  },
  strictTransportSecurity: { maxAge: 63072000, includeSubDomains: true },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginEmbedderPolicy: false,
};

export const API_SECURITY: Options = {
  ...PAGE_SECURITY,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
};

/** The headers helmet sets for `options`, worked out once. */
export function staticHelmetHeaders(options: Options): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  let failed: unknown = null;
  helmet(options as HelmetOptions)({} as never, res as never, (err?: unknown) => {
    failed = err ?? null;
  });
  if (failed) throw failed as Error;
  return headers;
}

/**
 * For every route of `scope` (an API plugin): skip helmet's per-request middleware and set the fixed API headers.
 * Register before the scope's routes.
 */
export function useStaticApiSecurityHeaders(scope: FastifyInstance): void {
  const headers = staticHelmetHeaders(API_SECURITY);
  scope.addHook('onRoute', (route) => {
    route.config = Object.assign(route.config ?? {}, { helmet: { skipRoute: true } });
  });
  scope.addHook('onRequest', (_req, reply, done) => {
    reply.headers(headers);
    done();
  });
}
