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

/**
 * A GOV.UK date input's three fields (`<name>-day`, `-month`, `-year`) of a form body or query, as typed and as
 * 'YYYY-MM-DD' (`iso`: '' when all three are empty; the parts joined as typed when they are not a date's shape, for
 * the service to refuse with its own message).
 */
export function govukDateField(
  body: unknown,
  name: string,
): { day: string; month: string; year: string; iso: string } {
  const day = field(body, `${name}-day`).trim();
  const month = field(body, `${name}-month`).trim();
  const year = field(body, `${name}-year`).trim();
  if (day === '' && month === '' && year === '') return { day, month, year, iso: '' };
  const iso =
    /^\d{1,2}$/.test(day) && /^\d{1,2}$/.test(month) && /^\d{4}$/.test(year)
      ? `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`
      : `${year}-${month}-${day}`;
  return { day, month, year, iso };
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
