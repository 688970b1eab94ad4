/**
 * HTML form bodies (application/x-www-form-urlencoded) as plain objects: a field sent once is a string, a field
 * sent more than once (checkboxes) is an array of strings.
 */
import type { FastifyInstance } from 'fastify';

export type FormBody = Record<string, string | string[]>;

export function parseForm(body: string): FormBody {
  const out: FormBody = Object.create(null) as FormBody;
  for (const [k, v] of new URLSearchParams(body)) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** A single text field of a form body ('' when absent; the first value when repeated). */
export function field(body: unknown, name: string): string {
  const v = (body as FormBody | undefined)?.[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? '') : '';
}

/** A repeatable field (checkboxes) as an array. */
export function fields(body: unknown, name: string): string[] {
  const v = (body as FormBody | undefined)?.[name];
  return typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
}

/**
 * The form parser, for the web's forms only (the API takes JSON: input.ts refuses a form body on an API route with
 * 415 before it is read). 256 KB is deliberate: the largest form (a contact's description, up to 10,000
 * characters, percent-encoded) fits several times over; files come as multipart, with their own limits.
 */
export function registerFormParser(app: FastifyInstance) {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 256 * 1024 },
    (_req, body, done) => done(null, parseForm(body as string)),
  );
}
