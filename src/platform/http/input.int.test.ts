/**
 * Issue 15 finding 5: malformed input is a 400 problem+json (a 400 page on the web), never a 500. One test per
 * cause the probe found: NUL characters (query, path, JSON, the sign-in form), escaped lone surrogates, JSON nested
 * thousands deep, a non-UUID assignee filter (API and web) and as_known_at in year 1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { makeOrg, makeUser, TEST_PASSWORD } from '../../../test/support/factories.ts';
import { addSite, apiAs, createCmsTestApp, userWithToken } from '../../../test/support/cms.ts';
import type { Api, CmsTestApp } from '../../../test/support/cms.ts';
import { signInAndEnrol, WebClient } from '../../../test/support/web-client.ts';

function assertProblem400(res: LightMyRequestResponse, what: string) {
  assert.equal(res.statusCode, 400, `${what}: ${res.statusCode} ${res.body.slice(0, 200)}`);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/, what);
  assert.equal((res.json() as { type: string }).type, '/problems/validation', what);
}

function assertPage400(res: LightMyRequestResponse, what: string) {
  assert.equal(res.statusCode, 400, `${what}: ${res.statusCode}`);
  assert.match(String(res.headers['content-type']), /^text\/html/, what);
  assert.doesNotMatch(res.body, /Internal server error|\bat [\w.]+ \(/, what);
}

const json = (s: string) => ({ headers: { 'content-type': 'application/json' }, payload: Buffer.from(s) });

describe('malformed input is refused with 400 (issue 15, finding 5)', () => {
  let t: CmsTestApp;
  let api: Api;
  let mprn: string;
  let email: string;

  before(async () => {
    t = await createCmsTestApp();
    const org = await makeOrg(t.services, { type: 'shipper', shortCode: 'ZZA' });
    api = apiAs(t, (await userWithToken(t, org.shortCode, ['cms_user', 'des_user'])).token);
    mprn = await addSite(t);
    email = (
      await makeUser(t.services, {
        orgShortCode: org.shortCode,
        roles: ['cms_user'],
        password: TEST_PASSWORD,
      })
    ).email;
  });
  after(() => t?.cleanup());

  test('NUL in a query value', async () => {
    assertProblem400(await api('GET', '/contacts?q=a%00b'), 'q');
  });

  test('NUL in a path parameter', async () => {
    assertProblem400(await api('GET', '/contacts/ENQ-Z%00ZZZZ'), 'reference');
  });

  test('NUL in a JSON string, and in a JSON key', async () => {
    assertProblem400(await api('POST', '/me/api-keys', json('{"label":"a\\u0000b"}')), 'label');
    const key = `{"code":"ADD","mprn":"${mprn}","description":"x","fields":{"a\\u0000":"b"}}`;
    assertProblem400(await api('POST', '/contacts', json(key)), 'fields key');
  });

  test('escaped lone surrogates in JSON', async () => {
    assertProblem400(await api('POST', '/me/api-keys', json('{"label":"a\\ud800b"}')), 'high surrogate');
    assertProblem400(await api('POST', '/me/api-keys', json('{"label":"a\\udc00b"}')), 'low surrogate');
  });

  test('JSON nested 5,000 deep', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const body = `{"code":"ADD","mprn":"${mprn}","description":"x","fields":{"a":${deep}}}`;
    assertProblem400(await api('POST', '/contacts', json(body)), 'deep array');
    const deepObj = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    assertProblem400(await api('POST', '/contacts', json(deepObj)), 'deep object');
  });

  test('a non-UUID assignee filter on the contact list (API)', async () => {
    assertProblem400(await api('GET', '/contacts?assignee=nope'), 'list');
    assertProblem400(await api('GET', '/contacts/export?assignee=nope'), 'export');
    assert.equal((await api('GET', '/contacts?assignee=me')).statusCode, 200);
  });

  test('as_known_at in year 1 (DES enquiry)', async () => {
    for (const v of ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00+00:00', '0099-12-31T23:59:59Z']) {
      assertProblem400(await api('GET', `/supply-points/${mprn}?as_known_at=${encodeURIComponent(v)}`), v);
    }
  });

  test('an API key expiry in year 1 or 9999 (found by the hostile-input suite)', async () => {
    for (const expires_at of ['0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '9999-12-31']) {
      const res = await api('POST', '/me/api-keys', { body: { label: 'k', expires_at } });
      assertProblem400(res, expires_at);
    }
  });

  test('a broken multipart body (found by the hostile-input suite)', async () => {
    const bulk = apiAs(t, (await userWithToken(t, 'ZZA', ['des_bulk'])).token);
    for (const [contentType, payload] of [
      ['multipart/form-data; boundary=x', '--x\r\nnonsense'],
      ['multipart/form-data', 'no boundary'],
    ]) {
      const res = await bulk('POST', '/des/bulk-enquiries', {
        headers: { 'content-type': contentType! },
        payload: Buffer.from(payload!),
      });
      assertProblem400(res, contentType!);
    }
  });

  test('a refusal does not echo a long URL back', async () => {
    for (const url of [`/api/v1/${'A'.repeat(100_000)}`, `/api/v1/contacts/${'A'.repeat(100_000)}`]) {
      const res = await api('GET', url.slice('/api/v1'.length));
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.ok(res.rawPayload.length < 2048, `response is ${res.rawPayload.length} bytes`);
    }
  });

  test('NUL in the sign-in email (web, unauthenticated)', async () => {
    const client = new WebClient(t.app);
    assertPage400(await client.post('/sign-in', { email: 'a\u0000b@x.example', password: 'x' }), 'sign-in');
  });

  test('a non-UUID assignee filter on the contact list (web)', async () => {
    const { client } = await signInAndEnrol(t.app, t.clock, email, TEST_PASSWORD);
    const ok = await client.get('/contacts?assignee=me');
    assert.equal(ok.statusCode, 200);
    // The web list has no assignee filter (its form offers "assigned to me" as view=mine): the parameter is ignored.
    for (const url of [
      '/contacts?assignee=nope',
      '/contacts/export.csv?assignee=nope',
      '/contacts?view=mine',
    ]) {
      const res = await client.get(url);
      assert.equal(res.statusCode, 200, `${url}: ${res.statusCode}`);
    }
  });
});
