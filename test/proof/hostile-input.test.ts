/**
 * Proof suite (issue 15): hostile input. Every API operation of the OpenAPI document and every web form (the POST
 * routes of the web route table) gets generated malformed input (fast-check): strings with NUL, lone surrogates,
 * huge strings, JSON nested thousands deep, wrong types, prototype-poisoning keys, wrong and missing content types,
 * binary bodies, bad path parameters, bad and repeated query values, bad headers. Requests are sent in process
 * (app.inject) with a token or signed-in session that has the route's permission, and each answer is checked:
 *
 * - never a 5xx; an API refusal is application/problem+json, small, with no stack trace or internal detail;
 * - a refused request (4xx) changes nothing: a fingerprint of the key tables is the same before and after;
 * - afterwards the process still serves, and the heap after a GC is within a generous bound.
 *
 * HOSTILE_RUNS (default 25, about two minutes) sets the runs per route; HOSTILE_SEED replays a run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { inScope, SYSTEM_SCOPE } from '../../src/platform/db/scope.ts';
import { makeOrg, makeUser, TEST_PASSWORD } from '../support/factories.ts';
import { ADD_FIELDS } from '../support/factories/cms.ts';
import { addSite, apiAs, createCmsTestApp, userWithToken, type CmsTestApp } from '../support/cms.ts';
import { signInAndEnrol, type WebClient } from '../support/web-client.ts';

const RUNS = Number(process.env.HOSTILE_RUNS ?? 25);
const SEED = process.env.HOSTILE_SEED ? Number(process.env.HOSTILE_SEED) : undefined;

// ------------------------------------------------------------------------------------------------ generators
/** Percent-encodes every UTF-16 code unit as its (WTF-8) bytes: NUL and lone surrogates travel as they are. */
function pct(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const cu = s.charCodeAt(i);
    const isHigh = cu >= 0xd800 && cu <= 0xdbff;
    const next = s.charCodeAt(i + 1);
    if (isHigh && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (cu >= 0xd800 && cu <= 0xdfff) {
      const bytes = [0xe0 | (cu >> 12), 0x80 | ((cu >> 6) & 0x3f), 0x80 | (cu & 0x3f)];
      out += bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(s[i]!);
  }
  return out;
}

const nasty = fc.constantFrom(
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\udc00\ud800',
  '%00',
  '%',
  '%zz',
  '\u202e\u0007\u001b[31m',
  "' OR '1'='1' --",
  '"; DROP TABLE cms.contacts; --',
  '../../../../etc/passwd',
  '..%2f..%2f',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '${7*7}',
  '__proto__',
  'constructor',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '-1',
  '1e400',
  'NaN',
  '00000000-0000-0000-0000-000000000000',
  'not-a-uuid',
  'me',
  '',
  ' ',
  '\t\r\n',
  '😀'.repeat(50),
  'ADD-ZZZZZZ',
  '1234567890123456789012345678901234567890',
);
const hugeString = fc.constantFrom(100_000, 300_000).map((n) => 'A'.repeat(n));
const hostileString = fc.oneof(
  { weight: 5, arbitrary: nasty },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 10 }), nasty).map(([a, b]) => a + b) },
  { weight: 1, arbitrary: hugeString },
);

const deepJson = (depth: number, open: '[' | '{') =>
  open === '[' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      0,
      -1,
      1.5,
      2 ** 53 + 1,
      1e308,
      -1e308,
      true,
      false,
      null,
      [],
      {},
      [null],
      ['\u0000'],
      { '\u0000': 1 },
      { __proto__: { admin: true } },
      JSON.parse('{"__proto__":{"admin":true}}') as unknown,
      { constructor: { prototype: { admin: true } } },
    ),
  },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 30 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 5 }) },
);

interface Body {
  contentType: string | null;
  payload: string | Buffer | null;
  label: string;
}

/** Raw bodies whatever the route: broken and deep JSON, escaped lone surrogates, binary, other media types. */
const rawBody: fc.Arbitrary<Body> = fc.oneof(
  fc.constantFrom<Body>(
    { contentType: 'application/json', payload: '{"a":', label: 'truncated JSON' },
    { contentType: 'application/json', payload: '', label: 'empty JSON' },
    { contentType: 'application/json', payload: 'null', label: 'JSON null' },
    { contentType: 'application/json', payload: '"\\ud800"', label: 'JSON lone surrogate' },
    { contentType: 'application/json', payload: '{"text":"\\udc00","label":"\\u0000"}', label: 'escapes' },
    { contentType: 'application/json', payload: '{"__proto__":{"x":1}}', label: 'proto' },
    { contentType: 'application/json', payload: deepJson(5000, '['), label: 'deep array' },
    { contentType: 'application/json', payload: deepJson(5000, '{'), label: 'deep object' },
    { contentType: 'application/json', payload: deepJson(33, '['), label: 'just too deep' },
    { contentType: 'application/json; charset=utf-16', payload: '{}', label: 'utf-16' },
    { contentType: 'text/plain', payload: 'hello', label: 'text' },
    { contentType: 'text/csv', payload: 'mprn\n\u0000\n', label: 'csv' },
    { contentType: 'application/xml', payload: '<a/>', label: 'xml' },
    { contentType: 'multipart/form-data; boundary=x', payload: '--x\r\nnonsense', label: 'bad multipart' },
    { contentType: 'multipart/form-data', payload: 'no boundary', label: 'multipart no boundary' },
    { contentType: 'application/x-www-form-urlencoded', payload: 'a=%00&b=%ED%A0%80', label: 'form' },
    { contentType: null, payload: 'x', label: 'no content type' },
    { contentType: '', payload: '{}', label: 'empty content type' },
    { contentType: 'application/json', payload: Buffer.alloc(1024 * 1024 + 10, 0x20), label: 'over 1 MB' },
  ),
  fc.constantFrom(4096, 256 * 1024, 2 * 1024 * 1024).map((n) => ({
    contentType: 'application/octet-stream',
    payload: Buffer.alloc(n, 0xff),
    label: `binary ${n}`,
  })),
);

// ------------------------------------------------------------------------------------------------ the OpenAPI routes
interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  enum?: unknown[];
  items?: Schema;
  anyOf?: Schema[];
}
interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  query: string[];
  headers: string[];
  body: Schema | null;
  consumes: string[];
  permission: string | undefined;
}

function plausible(s: Schema | undefined): unknown {
  if (!s) return 'x';
  if (s.enum?.length) return s.enum[0];
  const t = Array.isArray(s.type) ? s.type[0] : (s.type ?? s.anyOf?.[0]?.type);
  if (t === 'integer' || t === 'number') return 1;
  if (t === 'boolean') return true;
  if (t === 'array') return [plausible(s.items)];
  if (t === 'object')
    return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, plausible(v)]));
  return 'x';
}

// ------------------------------------------------------------------------------------------------ checks
const LEAKS: [RegExp, string][] = [
  [/\n\s+at [^\n]+:\d+:\d+\)?/, 'stack trace'],
  [/node_modules|\/work\/|\.ts:\d+|\.js:\d+/, 'file path'],
  [/\b(TypeError|RangeError|ReferenceError|SyntaxError|AggregateError)\b/, 'JS error name'],
  [
    /invalid byte sequence|invalid input syntax|violates \w+ constraint|relation "|column "|syntax error at or near|\bpg_catalog\b|\bkysely\b/i,
    'SQL',
  ],
  [/Maximum call stack|heap out of memory/i, 'crash'],
];

interface Violation {
  route: string;
  status: number;
  problem: string;
  input: string;
}

describe('hostile input (proof suite, issue 15)', () => {
  let t: CmsTestApp;
  const tokens: { token: string; permissions: Set<string> }[] = [];
  let web: WebClient;
  let csrf: string;
  let passwordWeb: WebClient;
  let passwordCsrf: string;
  let shipperWeb: WebClient;
  let shipperCsrf: string;
  const real: Record<string, string> = {};
  const violations: Violation[] = [];
  let requests = 0;
  /** Answers by status, printed per test: shows the inputs got past authentication and CSRF to the handlers. */
  const statuses = new Map<number, number>();
  const printStatuses = (what: string) => {
    console.log(
      `# ${what}: ${[...statuses]
        .sort((a, b) => a[0] - b[0])
        .map(([k, v]) => `${k}×${v}`)
        .join(' ')}`,
    );
    statuses.clear();
  };

  /**
   * Counts and versions of the key tables: unchanged by any refused request. A failed authentication (a wrong
   * current password on the password form, and the lock and its email after too many), every DES enquiry, found
   * or not, and a refused contact file (issue 11: a file's status can be `refused`, with its reason; its content is
   * not kept) are recorded by design, so those are not counted.
   */
  const fingerprint = () =>
    inScope(t.database.db, SYSTEM_SCOPE, async (trx) => {
      const r = await sql<{ f: string }>`select concat_ws(',',
          (select count(*) from cms.contacts), (select coalesce(sum(version), 0) from cms.contacts),
          (select count(*) from cms.notes), (select count(*) from cms.attachments),
          (select count(*) from cms.requests), (select count(*) from cms.webhooks),
          (select count(*) from cms.contact_codes), (select coalesce(sum(version), 0) from cms.contact_codes), (select count(*) from des.loads),
          (select count(*) from des.bulk_jobs), (select count(*) from identity.users),
          (select count(*) from identity.api_tokens), (select count(*) from identity.organisations),
          (select count(*) from audit.events
            where action not like 'auth.%failed' and action <> 'auth.account_locked' and action not like 'des.enquiry.%'
              and action <> 'contact_file.refused'),
          (select count(*) from batch.contact_files where status <> 'refused'),
          (select count(*) from mail.outbox where subject not like '%locked%')) as f`.execute(trx);
      return r.rows[0]!.f;
    });

  function check(
    route: string,
    input: string,
    res: LightMyRequestResponse,
    api: boolean,
    fpBefore: string,
    fpAfter: string,
  ) {
    requests++;
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    const v = (problem: string) => {
      violations.push({ route, status: res.statusCode, problem, input: input.slice(0, 300) });
    };
    if (res.statusCode >= 500) v('5xx');
    const body = res.body;
    for (const [re, what] of LEAKS) if (re.test(body.slice(0, 200_000))) v(`body shows ${what}`);
    if (res.statusCode >= 400) {
      if (api && !/^application\/problem\+json/.test(String(res.headers['content-type'])))
        v(`refusal is ${String(res.headers['content-type'])}`);
      // An API refusal is a short problem; a web form re-rendered with its errors shows what was typed (a form
      // body is at most 256 KB), so its bound is looser.
      if (res.rawPayload.length > (api ? 16 * 1024 : 1024 * 1024))
        v(`refusal is ${res.rawPayload.length} bytes`);
      if (fpBefore !== fpAfter) v(`state changed: ${fpBefore} -> ${fpAfter}`);
    }
  }

  /** Runs one generated request; a throw (the request could not even be made or checked) is a violation too. */
  async function guarded(route: string, run: () => Promise<void>) {
    try {
      await run();
    } catch (e) {
      violations.push({ route, status: 0, problem: `threw: ${String(e).slice(0, 200)}`, input: '' });
    }
  }

  function tokenFor(permission: string | undefined): string {
    return (tokens.find((k) => !permission || k.permissions.has(permission)) ?? tokens[0]!).token;
  }

  before(async () => {
    t = await createCmsTestApp();
    const shipper = await makeOrg(t.services, { type: 'shipper', shortCode: 'ZZA' });
    const mprn = await addSite(t);
    const cdspRoles = ['cdsp_admin', 'cdsp_supervisor', 'cdsp_resolver', 'lso'];
    const shipperRoles = ['cms_supervisor', 'des_bulk', 'lso'];
    for (const [org, roles] of [
      [t.cdsp.shortCode, cdspRoles],
      [shipper.shortCode, shipperRoles],
    ] as const) {
      const u = await userWithToken(t, org, [...roles]);
      const actor = await t.services.tokens.authenticateToken(u.token);
      tokens.push({ token: u.token, permissions: new Set(actor!.permissions) });
    }
    const raiser = apiAs(t, tokens[1]!.token);
    const contact = await raiser('POST', '/contacts', {
      body: { code: 'ADD', mprn, description: 'hostile-input seed', fields: ADD_FIELDS },
    });
    assert.equal(contact.statusCode, 201, contact.body);
    real.reference = (contact.json() as { reference: string }).reference;
    real.mprn = mprn;
    real.code = 'ADD';
    const webUser = await makeUser(t.services, {
      orgShortCode: t.cdsp.shortCode,
      roles: cdspRoles,
      password: TEST_PASSWORD,
    });
    // Path parameters left real name other objects: the suite's own user is never the target of a user action.
    real.userId = (
      await makeUser(t.services, { orgShortCode: t.cdsp.shortCode, roles: ['cdsp_resolver'] })
    ).id;
    real.keyId = '00000000-0000-4000-8000-000000000000';
    real.organisationId = t.cdsp.id;
    web = (await signInAndEnrol(t.app, t.clock, webUser.email, TEST_PASSWORD)).client;
    csrf = await web.csrf('/account');
    // The password form locks its user after wrong current passwords (and ends the user's sessions): it gets a
    // user and session of its own.
    const passwordUser = await makeUser(t.services, {
      orgShortCode: t.cdsp.shortCode,
      roles: ['cdsp_resolver'],
      password: TEST_PASSWORD,
    });
    passwordWeb = (await signInAndEnrol(t.app, t.clock, passwordUser.email, TEST_PASSWORD)).client;
    passwordCsrf = await passwordWeb.csrf('/account');
    // Forms CDSP staff may not use (raising a contact) are sent as a shipper's user with the same roles as its token.
    const shipperUser = await makeUser(t.services, {
      orgShortCode: shipper.shortCode,
      roles: shipperRoles,
      password: TEST_PASSWORD,
    });
    shipperWeb = (await signInAndEnrol(t.app, t.clock, shipperUser.email, TEST_PASSWORD)).client;
    shipperCsrf = await shipperWeb.csrf('/account');
  });
  after(() => t?.cleanup());

  test('every API operation refuses malformed input cleanly', async () => {
    violations.length = 0;
    const doc = t.app.swagger() as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: { in: string; name: string }[];
            requestBody?: { content?: Record<string, { schema?: Schema }> };
          }
        >
      >;
    };
    const catalogue = new Map(
      t.app.routeCatalogue.map((r) => [
        `${String(r.method)} ${r.url}`,
        (r.config as { permission?: string } | undefined)?.permission,
      ]),
    );
    const ops: Operation[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const params = op.parameters ?? [];
        const content = op.requestBody?.content ?? {};
        const fastifyPath = path.replace(/\{(\w+)\}/g, ':$1');
        ops.push({
          method: method.toUpperCase(),
          path,
          pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
          query: params.filter((p) => p.in === 'query').map((p) => p.name),
          headers: params.filter((p) => p.in === 'header').map((p) => p.name),
          body: content['application/json']?.schema ?? null,
          consumes: Object.keys(content),
          permission: catalogue.get(`${method.toUpperCase()} ${fastifyPath}`),
        });
      }
    }
    assert.ok(ops.length >= 40, `only ${ops.length} operations in the OpenAPI document`);

    for (const op of ops) {
      const hasBody = !['GET', 'DELETE'].includes(op.method);
      const input = fc.record({
        path: fc.array(fc.oneof(hostileString, fc.constant<string | null>(null)), {
          minLength: op.pathParams.length,
          maxLength: op.pathParams.length,
        }),
        query: fc.array(fc.tuple(fc.constantFrom(...op.query, 'unknown', '__proto__'), hostileString), {
          maxLength: 4,
        }),
        header: fc.option(
          fc.tuple(
            fc.constantFrom(...op.headers, 'if-match', 'idempotency-key'),
            fc.string({ unit: 'binary-ascii', maxLength: 300 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
          ),
        ),
        body: hasBody
          ? fc.oneof(
              rawBody,
              fc
                .tuple(fc.constantFrom(...Object.keys(op.body?.properties ?? { x: {} })), hostileValue)
                .map(([k, v]) => {
                  const o = plausible(op.body ?? undefined) as Record<string, unknown>;
                  const obj = o && typeof o === 'object' ? { ...o, [k]: v } : { [k]: v };
                  return {
                    contentType: 'application/json',
                    payload: JSON.stringify(obj),
                    label: `field ${k}`,
                  };
                }),
              hostileValue.map((v) => ({
                contentType: op.consumes[0] ?? 'application/json',
                payload: JSON.stringify(v) ?? 'null',
                label: 'value',
              })),
            )
          : fc.constant(null),
      });
      await fc.assert(
        fc.asyncProperty(input, async (i) =>
          guarded(`${op.method} ${op.path}`, async () => {
            let url = op.path;
            op.pathParams.forEach((name, n) => {
              const v = i.path[n];
              url = url.replace(
                `{${name}}`,
                v === null || v === undefined ? (real[name] ?? 'x') : pct(v) || '%20',
              );
            });
            const qs = i.query.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');
            const headers: Record<string, string> = { authorization: `Bearer ${tokenFor(op.permission)}` };
            if (i.header) headers[i.header[0]] = i.header[1];
            if (i.body?.contentType !== null && i.body?.contentType !== undefined)
              headers['content-type'] = i.body.contentType;
            const before = await fingerprint();
            const res = await t.app.inject({
              method: op.method as 'GET',
              url: `${url}${qs ? `?${qs}` : ''}`,
              headers,
              ...(i.body?.payload !== null && i.body?.payload !== undefined
                ? { payload: i.body.payload }
                : {}),
            });
            const after = res.statusCode >= 400 ? await fingerprint() : before;
            const shown = `${op.method} ${url}${qs ? `?${qs}` : ''} ${i.header ? JSON.stringify(i.header) : ''} ${
              i.body ? `${i.body.label}: ${String(i.body.payload).slice(0, 120)}` : ''
            }`;
            check(`${op.method} ${op.path}`, shown, res, true, before, after);
          }),
        ),
        { numRuns: RUNS, seed: SEED },
      );
    }
    printStatuses('API answers');
    assert.deepEqual(summarise(violations), []);
  });

  test('every web form refuses malformed input cleanly', async () => {
    violations.length = 0;
    const routes = t.app.routeCatalogue.filter(
      (r) => r.method === 'POST' && !r.url.startsWith('/api/') && !r.url.startsWith('/supplier/'),
    );
    const forms = routes.map((r) => r.url);
    const permissionOf = new Map(
      routes.map((r) => [r.url, (r.config as { permission?: string } | undefined)?.permission]),
    );
    // Public forms (sign-in, sign-out, password reset, invitation) are sent without the suite's session, which
    // they would replace or end; the rest with it.
    const isPublic = new Set(
      routes.filter((r) => (r.config as { public?: boolean } | undefined)?.public).map((r) => r.url),
    );
    assert.ok(forms.length >= 30, `only ${forms.length} web forms`);
    const GENERIC = [
      'email',
      'password',
      'code',
      'name',
      'text',
      'description',
      'action',
      'version',
      'assignee',
    ];
    for (const form of forms) {
      // Signing out everywhere would end the suite's session: it is sent without it (and so refused).
      const withSession = !isPublic.has(form) && form !== '/account/sign-out-everywhere';
      const permission = permissionOf.get(form);
      const asShipper = permission !== undefined && !tokens[0]!.permissions.has(permission);
      const [client, token] =
        form === '/account/password'
          ? [passwordWeb, passwordCsrf]
          : asShipper
            ? [shipperWeb, shipperCsrf]
            : [web, csrf];
      const params = [...form.matchAll(/:(\w+)/g)].map((m) => m[1]!);
      const page = await client.get(form.replace(/:(\w+)/g, (_m, p: string) => real[p] ?? 'x'));
      const names = [...new Set([...page.body.matchAll(/name="([\w.[\]-]+)"/g)].map((m) => m[1]!))].filter(
        (n) => n !== '_csrf',
      );
      const fieldNames = names.length > 0 ? names : GENERIC;
      const input = fc.record({
        path: fc.array(fc.oneof(hostileString, fc.constant<string | null>(null)), {
          minLength: params.length,
          maxLength: params.length,
        }),
        fields: fc.array(fc.tuple(fc.constantFrom(...fieldNames, ...GENERIC.slice(0, 2)), hostileString), {
          minLength: 1,
          maxLength: 6,
        }),
        contentType: fc.oneof(
          { weight: 6, arbitrary: fc.constant('application/x-www-form-urlencoded') },
          {
            weight: 3,
            arbitrary: fc.constantFrom(
              'application/json',
              'application/octet-stream',
              'multipart/form-data; boundary=zz',
              'text/plain',
            ),
          },
        ),
        ip: fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `10.77.${a}.${b}`),
      });
      await fc.assert(
        fc.asyncProperty(input, async (i) =>
          guarded(`POST ${form}`, async () => {
            let url = form;
            params.forEach((name, n) => {
              const v = i.path[n];
              url = url.replace(
                `:${name}`,
                v === null || v === undefined ? (real[name] ?? 'x') : pct(v) || '%20',
              );
            });
            const formBody = [['_csrf', token] as const, ...i.fields]
              .map(([k, v]) => `${pct(k)}=${pct(v)}`)
              .join('&');
            const payload =
              i.contentType === 'application/json'
                ? JSON.stringify(Object.fromEntries([['_csrf', token], ...i.fields]))
                : i.contentType.startsWith('multipart')
                  ? `--zz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n--zz--\r\n`
                  : formBody;
            const before = await fingerprint();
            const res = await t.app.inject({
              method: 'POST',
              url: i.contentType.startsWith('multipart') ? `${url}?_csrf=${encodeURIComponent(token)}` : url,
              headers: { 'content-type': i.contentType },
              remoteAddress: i.ip,
              cookies: withSession ? Object.fromEntries(client.cookies) : {},
              payload,
            });
            const after = res.statusCode >= 400 ? await fingerprint() : before;
            check(
              `POST ${form}`,
              `POST ${url} ${i.contentType} ${payload.slice(0, 200)}`,
              res,
              false,
              before,
              after,
            );
          }),
        ),
        { numRuns: RUNS, seed: SEED },
      );
    }
    printStatuses('web form answers');
    assert.deepEqual(summarise(violations), []);
    // The suite's session still worked to the end (nothing above signed it out or broke it).
    assert.equal((await web.get('/account')).statusCode, 200);
    assert.equal((await shipperWeb.get('/account')).statusCode, 200);
  });

  test('the checks flag what they look for (a 5xx, a leak, a large or non-problem refusal, a state change)', () => {
    violations.length = 0;
    const fake = (statusCode: number, body: string, type = 'application/problem+json') =>
      ({
        statusCode,
        body,
        rawPayload: Buffer.from(body),
        headers: { 'content-type': type },
      }) as unknown as LightMyRequestResponse;
    check('GET /x', '', fake(500, '{}'), true, 'a', 'a');
    check('GET /x', '', fake(400, 'Error\n    at handler (/work/main/src/x.ts:1:2)'), true, 'a', 'a');
    check('GET /x', '', fake(400, '{}', 'application/json'), true, 'a', 'a');
    check('GET /x', '', fake(400, 'x'.repeat(20_000)), true, 'a', 'a');
    check('GET /x', '', fake(404, '{}'), true, 'a', 'b');
    check('GET /x', '', fake(400, 'invalid byte sequence for encoding "UTF8": 0x00'), true, 'a', 'a');
    assert.deepEqual(
      violations.map((v) => v.problem.split(':')[0]),
      [
        '5xx',
        'body shows stack trace',
        'body shows file path',
        'refusal is application/json',
        'refusal is 20000 bytes',
        'state changed',
        'body shows SQL',
      ],
    );
    violations.length = 0;
    statuses.clear();
  });

  test('the process still serves and its heap is bounded', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${tokens[0]!.token}` },
    });
    assert.equal(me.statusCode, 200);
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    gc();
    const heap = process.memoryUsage().heapUsed;
    console.log(`# ${requests} hostile requests; heap after GC ${Math.round(heap / 1048576)} MB`);
    assert.ok(heap < 768 * 1024 * 1024, `heap after GC is ${Math.round(heap / 1048576)} MB`);
  });
});

/** One line per route and kind of violation (with one example input), so a failure reads as a list of causes. */
function summarise(violations: Violation[]): string[] {
  const seen = new Map<string, string>();
  for (const v of violations) {
    const key = `${v.route} -> ${v.status} ${v.problem.slice(0, 160)}`;
    if (!seen.has(key)) seen.set(key, `${key} | e.g. ${v.input}`);
  }
  return [...seen.values()];
}
