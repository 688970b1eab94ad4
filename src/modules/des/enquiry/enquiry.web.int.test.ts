/**
 * DES web pages with a signed-in user: search, the supply point page (groups, code meanings, D-1 banner, as-at
 * picker), history, bulk upload (multipart with CSRF), the LSO's enquiry log; another organisation's supply point
 * looks exactly like one that does not exist.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeUser, TEST_PASSWORD } from '../../../../test/support/factories.ts';
import { signInAndEnrol, type WebClient } from '../../../../test/support/web-client.ts';
import {
  absentMprns,
  createEnquiryTestApp,
  type EnquiryTestApp,
} from '../../../../test/support/des-enquiry.ts';

describe('DES web pages', () => {
  let t: EnquiryTestApp;
  let web: WebClient;
  let lsoWeb: WebClient;
  before(async () => {
    t = await createEnquiryTestApp({ supplyPoints: 150, dates: ['2026-03-02', '2026-03-03'] });
    const a = t.orgs[0]!;
    const u = await makeUser(t.services, {
      orgShortCode: a.shortCode,
      roles: ['des_user', 'des_bulk'],
      password: TEST_PASSWORD,
    });
    web = (await signInAndEnrol(t.app, t.clock, u.email, TEST_PASSWORD)).client;
    const l = await makeUser(t.services, {
      orgShortCode: a.shortCode,
      roles: ['lso'],
      password: TEST_PASSWORD,
    });
    lsoWeb = (await signInAndEnrol(t.app, t.clock, l.email, TEST_PASSWORD)).client;
  });
  after(() => t.cleanup());

  const mine = () => t.rowsIn(t.orgs[0]!);

  test('signed out, DES pages send you to sign in', async () => {
    const res = await t.app.inject('/des');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/sign-in');
  });

  test('search by postcode, open the supply point, change the as-at date, open the history', async () => {
    const row = mine().find((r) => r['meter_location'])!;
    const form = await web.get('/des');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Register data is as at the end of 4 March 2026/);
    const results = await web.get(
      `/des?postcode=${encodeURIComponent(row['postcode']!.toLowerCase().replace(' ', ''))}`,
    );
    assert.equal(results.statusCode, 200);
    assert.ok(results.body.includes(`href="/des/supply-points/${row['mprn']}"`));
    const page = await web.get(`/des/supply-points/${row['mprn']}`);
    assert.equal(page.statusCode, 200);
    // The field groups, each under its heading, in this order and no other.
    const headings = [...page.body.matchAll(/<h2 class="govuk-heading-m">([^<]*)<\/h2>/g)].map((m) => m[1]);
    assert.deepEqual(headings, [
      'Address',
      'Network and classification',
      'Parties',
      'Quantities',
      'Meter',
      'Smart metering',
      'Latest read',
    ]);
    const meanings = (await t.services.desEnquiry.enquiry.codeLists())['meter_location']!;
    assert.ok(
      page.body.includes(`${row['meter_location']} - ${meanings[row['meter_location']!]}`),
      'code with its meaning',
    );
    assert.match(page.body, /name="as_at" type="date"/);
    const asAt = await web.get(`/des/supply-points/${row['mprn']}?as_at=2026-03-02`);
    assert.equal(asAt.statusCode, 200);
    assert.match(asAt.body, /as at the end of 2 March 2026/);
    const bad = await web.get(`/des/supply-points/${row['mprn']}?as_at=2026-02-30`);
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /govuk-error-summary/);
    const history = await web.get(`/des/supply-points/${row['mprn']}/history`);
    assert.equal(history.statusCode, 200);
    assert.match(history.body, /Change history/);
    assert.match(history.body, /<th scope="col" class="govuk-table__header">Loaded on<\/th>/);
  });

  test('another organisation’s supply point looks exactly like one that does not exist', async () => {
    const other = t.rowsOutside(t.orgs[0]!)[0]!;
    const [absent] = await absentMprns(t, 1);
    const strip = (html: string) =>
      html.replace(/nonce="[^"]*"/g, '').replace(/name="_csrf" value="[^"]*"/g, '');
    for (const path of ['', '/history']) {
      const x = await web.get(`/des/supply-points/${other['mprn']}${path}`);
      const y = await web.get(`/des/supply-points/${absent}${path}`);
      assert.equal(x.statusCode, 404);
      assert.equal(y.statusCode, 404);
      assert.equal(strip(x.body), strip(y.body));
    }
  });

  test('bulk upload from the web form (CSRF token in the form action) and progress page', async () => {
    const csrf = await web.csrf('/des/bulk');
    const ids = mine()
      .slice(0, 5)
      .map((r) => r['mprn']);
    const boundary = '----cdspTestBoundary';
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="mprns.csv"\r\nContent-Type: text/csv\r\n\r\n` +
      `mprn\r\n${ids.join('\r\n')}\r\nbad-row\r\n--${boundary}--\r\n`;
    const post = (url: string) =>
      t.app.inject({
        method: 'POST',
        url,
        payload: body,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        cookies: Object.fromEntries(web.cookies),
      });
    assert.equal((await post('/des/bulk')).statusCode, 403, 'no CSRF token, refused');
    const res = await post(`/des/bulk?_csrf=${encodeURIComponent(csrf)}`);
    assert.equal(res.statusCode, 303, res.body);
    const page = await web.get(String(res.headers.location));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Download the results as CSV/);
    assert.match(page.body, /bad-row/);
    const csv = await web.get(`${res.headers.location}/results.csv`);
    assert.equal(csv.statusCode, 200);
    assert.equal(csv.body.split('\r\n').filter((l) => l.includes(',found,')).length, 5);
  });

  test('the LSO’s enquiry log page lists their organisation’s enquiries only', async () => {
    const b = t.orgs[1]!;
    const theirs = t.rowsIn(b)[0]!;
    await t.api(b.token, `/api/v1/supply-points/${theirs['mprn']}`);
    const row = mine()[0]!;
    await web.get(`/des/supply-points/${row['mprn']}`);
    const log = await lsoWeb.get('/des/enquiry-log');
    assert.equal(log.statusCode, 200);
    assert.ok(log.body.includes(row['mprn']!));
    assert.ok(!log.body.includes(b.email));
    assert.match(log.body, /Enquiries today/);
    assert.equal((await web.get('/des/enquiry-log')).statusCode, 403, 'a DES user without the LSO role');
  });
});
