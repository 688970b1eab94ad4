/**
 * Errors mapped once at the edge: application/problem+json (RFC 9457) for the API, an error page for the web.
 * Never a stack trace.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, TooManyRequestsError, ValidationError, type FieldError } from '../errors.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: { field: string; message: string }[];
  request_id?: string;
  [k: string]: unknown;
}

export const PROBLEM_TYPE_BASE = '/problems/';

export function isApiRequest(req: FastifyRequest): boolean {
  const url = req.url;
  return url.startsWith('/api/') || url.startsWith('/supplier/') || url === '/metrics';
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply
    .code(p.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(JSON.stringify(p));
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Authentication required',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/**
 * Bounds on what an error response repeats back: a hostile body can make the validator report one error per byte
 * or property, and every message may quote input. A problem lists at most MAX_ERRORS field errors (the last one
 * counting the rest when there are more), each field and message truncated, so a refusal stays a few KB at most.
 */
export const MAX_ERRORS = 20;
const MAX_FIELD_LENGTH = 100;
const MAX_MESSAGE_LENGTH = 200;
const MAX_DETAIL_LENGTH = 500;

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** The request path (never the query), truncated: a problem does not echo a long URL back. */
function instanceOf(req: FastifyRequest): string {
  return truncate(req.url.split('?')[0]!, 200);
}

export function boundedErrors(
  errors: readonly FieldError[],
  total = errors.length,
): { field: string; message: string }[] {
  const shown = total > MAX_ERRORS ? MAX_ERRORS - 1 : MAX_ERRORS;
  const out = errors.slice(0, shown).map((e) => ({
    field: truncate(String(e.field), MAX_FIELD_LENGTH),
    message: truncate(String(e.message), MAX_MESSAGE_LENGTH),
  }));
  if (total > shown) out.push({ field: '', message: `and ${total - shown} more errors` });
  return out;
}

/** Fastify's validation error message, built from the first few errors only (it joins them all by default). */
function schemaErrorMessage(errors: readonly { instancePath?: string; message?: string }[], dataVar: string) {
  const shown = errors
    .slice(0, 3)
    .map((e) => `${dataVar}${e.instancePath ?? ''} ${e.message ?? 'is invalid'}`)
    .join(', ');
  return truncate(errors.length > 3 ? `${shown} (and ${errors.length - 3} more)` : shown, MAX_DETAIL_LENGTH);
}

export function toProblem(err: unknown, req: FastifyRequest): Problem {
  if (err instanceof DomainError) {
    const p: Problem = {
      type: PROBLEM_TYPE_BASE + err.type,
      title: err.title,
      status: err.status,
      instance: instanceOf(req),
      request_id: req.id,
    };
    if (err instanceof ValidationError && err.errors.length > 0) p.errors = boundedErrors(err.errors);
    for (const [k, v] of Object.entries(err.extras)) if (!(k in p)) p[k] = v;
    return p;
  }
  const fe = err as FastifyError;
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const p: Problem = {
      type: PROBLEM_TYPE_BASE + (fe.validation ? 'validation' : `http-${fe.statusCode}`),
      title: TITLES[fe.statusCode] ?? 'Request error',
      status: fe.statusCode,
      detail: truncate(fe.message, MAX_DETAIL_LENGTH),
      instance: instanceOf(req),
      request_id: req.id,
    };
    if (fe.validation) {
      p.errors = boundedErrors(
        fe.validation.slice(0, MAX_ERRORS + 1).map((v) => ({
          field: (
            v.instancePath ||
            (v.params as { missingProperty?: string })?.missingProperty ||
            fe.validationContext ||
            ''
          )
            .replace(/^\//, '')
            .replace(/\//g, '.'),
          message: v.message ?? 'is invalid',
        })),
        fe.validation.length,
      );
    }
    return p;
  }
  if (isDatabaseUnavailable(err)) {
    return {
      type: PROBLEM_TYPE_BASE + 'unavailable',
      title: 'Service unavailable',
      status: 503,
      detail: 'The service cannot reach its database just now. Try again in a few seconds.',
      instance: instanceOf(req),
      request_id: req.id,
    };
  }
  return {
    type: PROBLEM_TYPE_BASE + 'internal',
    title: 'Internal server error',
    status: 500,
    detail: 'Something went wrong on our side. Quote the request id if you contact the service desk.',
    request_id: req.id,
  };
}

/**
 * Fastify's `frameworkErrors`: a URL the router cannot take (a malformed percent-encoding, a path parameter over
 * the router's length limit) is refused as a problem too (by default Fastify answers plain JSON echoing the whole
 * path back, however long).
 */
export function frameworkErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const status = err.statusCode === 414 ? 414 : 400;
  const problem: Problem = {
    type: PROBLEM_TYPE_BASE + `http-${status}`,
    title: status === 414 ? 'URI too long' : 'Bad request',
    status,
    detail: status === 414 ? 'A part of the address is too long' : 'The address is not valid',
    request_id: req.id,
  };
  req.log.info({ status, code: err.code }, 'request refused');
  return sendProblem(reply, problem);
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setSchemaErrorFormatter((errors, dataVar) => new Error(schemaErrorMessage(errors, dataVar)));
  app.setErrorHandler(async (err, req, reply) => {
    const problem = toProblem(err, req);
    if (problem.type === PROBLEM_TYPE_BASE + 'unavailable') {
      const { code, message } = err as { code?: string; message?: string };
      req.log.warn({ code, error: message }, 'database unavailable');
      reply.header('retry-after', '5');
    } else if (problem.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ status: problem.status, type: problem.type }, 'request refused');
    if (err instanceof TooManyRequestsError) reply.header('retry-after', String(err.retryAfterSeconds));
    if (problem.status === 401) reply.header('www-authenticate', 'Bearer realm="cdsp"');
    if (isApiRequest(req) || !('view' in reply)) return sendProblem(reply, problem);
    // A request refused before the usual preHandler (e.g. malformed input): the page still gets its basics.
    const r = reply as unknown as {
      locals?: Record<string, unknown>;
      cspNonce?: { script: string };
      generateCsrf?: () => string;
    };
    if (r.locals?.cspNonce === undefined) {
      let csrfToken: string | undefined;
      try {
        csrfToken = r.generateCsrf?.();
      } catch {
        csrfToken = undefined; // the page's sign-out form is then not shown working; the refusal still is
      }
      r.locals = { ...(r.locals ?? {}), cspNonce: r.cspNonce?.script, actor: req.actor ?? null, csrfToken };
    }
    return reply.code(problem.status).view('site/views/error.njk', { problem, pageTitle: problem.title });
  });
  app.setNotFoundHandler(async (req, reply) => {
    const problem: Problem = {
      type: PROBLEM_TYPE_BASE + 'not-found',
      title: 'Not found',
      status: 404,
      instance: instanceOf(req),
      request_id: req.id,
    };
    if (isApiRequest(req)) return sendProblem(reply, problem);
    return reply.code(404).view('site/views/error.njk', { problem, pageTitle: 'Page not found' });
  });
}
