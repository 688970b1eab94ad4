/**
 * Input normalisation at the edge, for every route (API and web): what reaches a schema, a service or the database
 * is well-formed text. A malformed request is a 400 (problem+json for the API, an error page for the web) before
 * any handler runs, never a 500 from deeper down:
 *
 * - the body's media type is one the route takes: its schema's `consumes` (the OpenAPI document), else JSON for
 *   the API and an HTML form (or multipart, where a plugin registered it) for the web; anything else is 415 before
 *   the body is read;
 * - JSON is parsed by Fastify's own parser (prototype poisoning refused) after a bracket pre-scan that refuses
 *   nesting deeper than MAX_JSON_DEPTH (JSON.parse and the validator recurse);
 * - no string (value or key) in the query, path parameters or parsed body holds NUL or a lone UTF-16 surrogate:
 *   PostgreSQL refuses NUL in text and jsonb, and a lone surrogate cannot be encoded as UTF-8.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError, type FieldError } from '../errors.ts';
import { isApiRequest } from './problem.ts';

export const MAX_JSON_DEPTH = 32;

/** Bodies of state-changing requests without a declared `consumes`. */
const API_DEFAULT_MEDIA_TYPES = ['application/json'];
const WEB_DEFAULT_MEDIA_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

export class UnsupportedMediaTypeError extends Error {
  readonly statusCode = 415;
  readonly code = 'FST_ERR_CTP_INVALID_MEDIA_TYPE';
  constructor(mediaType: string, allowed: readonly string[]) {
    super(`This route takes ${allowed.join(' or ')}, not ${mediaType.slice(0, 100) || 'no media type'}`);
  }
}

/** True when JSON text nests arrays/objects deeper than `max` (a linear scan that skips strings). */
export function jsonDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const MALFORMED = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string is text we store: no NUL, no lone surrogate. */
export function isCleanText(s: string): boolean {
  return !MALFORMED.test(s);
}

/** The first place in `value` (strings, object keys, array items) holding malformed text, as a field path. */
export function findMalformedText(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return isCleanText(value) ? null : path;
  if (value === null || typeof value !== 'object' || depth > MAX_JSON_DEPTH + 2) return null;
  if (Buffer.isBuffer(value) || typeof (value as { pipe?: unknown }).pipe === 'function') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = findMalformedText(value[i], `${path}.${i}`, depth + 1);
      if (p) return p;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!isCleanText(k)) return path;
    const p = findMalformedText(v, `${path}.${k.slice(0, 100)}`, depth + 1);
    if (p) return p;
  }
  return null;
}

function mediaTypeOf(req: FastifyRequest): string {
  return String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
}

function hasBody(req: FastifyRequest): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return false; // Fastify does not parse their bodies
  const length = req.headers['content-length'];
  return (
    req.headers['transfer-encoding'] !== undefined ||
    (length !== undefined && length !== '' && length !== '0')
  );
}

/** The media types a route takes: its schema's `consumes`, else the API's or the web's default. */
export function mediaTypesOf(req: FastifyRequest): readonly string[] {
  const consumes = (req.routeOptions.schema as { consumes?: string[] } | undefined)?.consumes;
  if (consumes && consumes.length > 0) return consumes;
  return isApiRequest(req) ? API_DEFAULT_MEDIA_TYPES : WEB_DEFAULT_MEDIA_TYPES;
}

export function registerInputNormalisation(app: FastifyInstance) {
  const parseJson = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (jsonDeeperThan(body as string, MAX_JSON_DEPTH)) {
      const message = `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep`;
      done(new ValidationError(message, [{ field: '', message }]), undefined);
      return;
    }
    parseJson(req, body as string, done);
  });
  // Plain text is taken by no route.
  app.removeContentTypeParser('text/plain');

  app.addHook('preParsing', async (req, _reply, payload) => {
    if (!hasBody(req)) return payload;
    const mediaType = mediaTypeOf(req);
    const allowed = mediaTypesOf(req);
    if (!allowed.includes(mediaType)) throw new UnsupportedMediaTypeError(mediaType, allowed);
    return payload;
  });

  app.addHook('preValidation', async (req) => {
    const errors: FieldError[] = [];
    for (const [name, value] of [
      ['params', req.params],
      ['query', req.query],
      ['body', req.body],
    ] as const) {
      const at = findMalformedText(value, name);
      if (at) {
        errors.push({
          field: at.replace(/^\w+\.?/, '') || name,
          message: 'Remove the NUL or unpaired surrogate characters from this value',
        });
      }
    }
    if (errors.length > 0)
      throw new ValidationError('The request has characters that are not allowed', errors);
  });
}
