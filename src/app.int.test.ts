import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { appPerSuite } from '../test/support/factories.ts';

describe('HTTP foundation', () => {
  const t = appPerSuite();

  test('/healthz says the process is up; /readyz checks the database', async () => {
    const h = await t.app.inject('/healthz');
    assert.equal(h.statusCode, 200);
    assert.deepEqual(h.json(), { status: 'ok' });
    const r = await t.app.inject('/readyz');
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().status, 'ok');
  });

  test('/metrics is not public by default (served with a token or on its own port: metrics.int.test.ts)', async () => {
    await t.app.inject('/healthz');
    const m = await t.app.inject('/metrics');
    assert.equal(m.statusCode, 404);
    assert.doesNotMatch(m.body, /http_requests_total/);
  });

  test('/api/openapi.json is a valid OpenAPI 3.1 document that describes /api/v1/me', async () => {
    const res = await t.app.inject('/api/openapi.json');
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/api/v1/me']?.get, 'documents GET /api/v1/me');
    const validator = new Validator();
    const result = await validator.validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, '3.1');
  });

  test('the browsable API docs page is served', async () => {
    const res = await t.app.inject('/api/docs/');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /swagger/i);
  });

  test('the start page renders with our branding and no crown or GDS Transport', async () => {
    const res = await t.app.inject('/');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.match(res.body, /Central Data Services/);
    assert.match(res.body, /Contact Management Service/);
    assert.doesNotMatch(res.body, /govuk-header__logotype|crown|GDS Transport/i);
    const css = await t.app.inject('/assets/build/app.css');
    assert.equal(css.statusCode, 200);
    assert.doesNotMatch(css.body, /GDS Transport|@font-face/);
  });

  for (const url of ['/accessibility', '/cookies', '/help']) {
    test(`${url} renders`, async () => {
      const res = await t.app.inject(url);
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<h1 class="govuk-heading-xl">/);
    });
  }

  test('strict security headers on pages, with a per-request script nonce', async () => {
    const a = await t.app.inject('/');
    const b = await t.app.inject('/');
    const csp = String(a.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /object-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.ok(a.body.includes(`nonce="${nonce}"`), 'the inline script carries the nonce');
    assert.notEqual(nonce, /'nonce-([^']+)'/.exec(String(b.headers['content-security-policy']))?.[1]);
    assert.equal(a.headers['x-content-type-options'], 'nosniff');
    assert.equal(a.headers['x-frame-options'], 'SAMEORIGIN');
    assert.match(String(a.headers['strict-transport-security']), /max-age=\d+/);
    assert.equal(a.headers['referrer-policy'], 'no-referrer');
    assert.match(String(a.headers['permissions-policy']), /camera=\(\)/);
    assert.equal(a.headers['cache-control'], 'no-store');
  });

  test('API answers carry fixed strict headers (no script may run, never framed), errors included', async () => {
    const page = await t.app.inject('/');
    for (const res of [await t.app.inject('/api/v1/me'), await t.app.inject('/api/v1/contacts')]) {
      assert.equal(res.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'");
      for (const h of [
        'x-content-type-options',
        'x-frame-options',
        'strict-transport-security',
        'referrer-policy',
      ]) {
        assert.equal(res.headers[h], page.headers[h], h);
      }
      assert.equal(res.headers['cache-control'], 'no-store');
    }
  });

  test('every response carries a request id; a sane incoming X-Request-Id is kept', async () => {
    const a = await t.app.inject('/healthz');
    assert.match(String(a.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const b = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'trace-12345678' } });
    assert.equal(b.headers['x-request-id'], 'trace-12345678');
    const c = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id <script>' } });
    assert.notEqual(c.headers['x-request-id'], 'bad id <script>');
  });

  test('unknown API paths get a problem+json 404; unknown pages get an HTML 404 page', async () => {
    const api = await t.app.inject('/api/v1/nothing-here');
    assert.equal(api.statusCode, 404);
    assert.match(String(api.headers['content-type']), /application\/problem\+json/);
    assert.equal(api.json().status, 404);
    const page = await t.app.inject('/nothing-here');
    assert.equal(page.statusCode, 404);
    assert.match(page.body, /Page not found/);
  });
});
