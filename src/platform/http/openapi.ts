import type { FastifyContextConfig } from 'fastify';
import { Type } from 'typebox';

const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    request_id: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  {
    description: 'Problem details (RFC 9457), served as application/problem+json',
    additionalProperties: true,
  },
);

/** Response schemas for the problem statuses a route can answer with. */
export function problemResponses(...statuses: number[]) {
  const out: Record<number, typeof Problem> = {};
  for (const s of statuses) out[s] = Problem;
  return out;
}

/** A date-time as API bodies carry it: ISO 8601 in UTC, or null. */
export function isoOrNull(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

/** How API callers authenticate: a bearer token (the `bearerAuth` scheme of the OpenAPI document). */
export const BEARER_SECURITY = [{ bearerAuth: [] }];

/**
 * A bearer-authenticated route's schema: its OpenAPI tags and summary, the bearer security, and the rest of
 * `schema` (description, params, querystring, body, responses) as given.
 */
export function bearerRoute<S extends object>(tags: string[], summary: string, schema: S) {
  return { tags, summary, security: BEARER_SECURITY, ...schema };
}

/**
 * A bearer-authenticated route's options: its `config` (the permission it needs, the audit action it records) and
 * its schema as `bearerRoute` makes it.
 */
export function bearerOptions<S extends object>(
  config: FastifyContextConfig,
  tags: string[],
  summary: string,
  schema: S,
) {
  return { config, schema: bearerRoute(tags, summary, schema) };
}
