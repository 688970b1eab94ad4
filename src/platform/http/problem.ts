/**
 * Errors mapped once at the edge: application/problem+json (RFC 9457) for the API, an error page for the web.
 * Never a stack trace.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, TooManyRequestsError, ValidationError } from '../errors.ts';

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

export function toProblem(err: unknown, req: FastifyRequest): Problem {
  if (err instanceof DomainError) {
    const p: Problem = {
      type: PROBLEM_TYPE_BASE + err.type,
      title: err.title,
      status: err.status,
      instance: req.url.split('?')[0],
      request_id: req.id,
    };
    if (err instanceof ValidationError && err.errors.length > 0) p.errors = err.errors;
    for (const [k, v] of Object.entries(err.extras)) if (!(k in p)) p[k] = v;
    return p;
  }
  const fe = err as FastifyError;
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const p: Problem = {
      type: PROBLEM_TYPE_BASE + (fe.validation ? 'validation' : `http-${fe.statusCode}`),
      title: TITLES[fe.statusCode] ?? 'Request error',
      status: fe.statusCode,
      detail: fe.message,
      instance: req.url.split('?')[0],
      request_id: req.id,
    };
    if (fe.validation) {
      p.errors = fe.validation.map((v) => ({
        field: (
          v.instancePath ||
          (v.params as { missingProperty?: string })?.missingProperty ||
          fe.validationContext ||
          ''
        )
          .replace(/^\//, '')
          .replace(/\//g, '.'),
        message: v.message ?? 'is invalid',
      }));
    }
    return p;
  }
  return {
    type: PROBLEM_TYPE_BASE + 'internal',
    title: 'Internal server error',
    status: 500,
    detail: 'Something went wrong on our side. Quote the request id if you contact the service desk.',
    request_id: req.id,
  };
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler(async (err, req, reply) => {
    const problem = toProblem(err, req);
    if (problem.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ status: problem.status, type: problem.type }, 'request refused');
    if (err instanceof TooManyRequestsError) reply.header('retry-after', String(err.retryAfterSeconds));
    if (problem.status === 401) reply.header('www-authenticate', 'Bearer realm="cdsp"');
    if (isApiRequest(req) || !('view' in reply)) return sendProblem(reply, problem);
    return reply.code(problem.status).view('site/views/error.njk', { problem, pageTitle: problem.title });
  });
  app.setNotFoundHandler(async (req, reply) => {
    const problem: Problem = {
      type: PROBLEM_TYPE_BASE + 'not-found',
      title: 'Not found',
      status: 404,
      instance: req.url.split('?')[0],
      request_id: req.id,
    };
    if (isApiRequest(req)) return sendProblem(reply, problem);
    return reply.code(404).view('site/views/error.njk', { problem, pageTitle: 'Page not found' });
  });
}
