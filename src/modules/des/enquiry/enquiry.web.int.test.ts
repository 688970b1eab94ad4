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
  NOW,
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
      page.body.includes(`${meanings[row['meter_location']!]} (${row['meter_location']})`),
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

  /** The summary list rows of a page's summary lists, as [key, value] text pairs. */
  const summaryRows = (html: string) =>
    [
      ...html.matchAll(
        /<dt class="govuk-summary-list__key">\s*([^<]*?)\s*<\/dt>\s*<dd class="govuk-summary-list__value"[^>]*>\s*([^<]*?)\s*<\/dd>/g,
      ),
    ].map((m) => [m[1]!, m[2]!.replace(/&#39;/g, "'").replace(/&amp;/g, '&')] as const);

  test('the supply point page: a summary first, GOV.UK dates, party names with codes, meanings, quantities in kWh', async () => {
    const row = mine().find(
      (r) => r['latest_meter_read_type'] && r['latest_meter_read_date'] && r['annual_quantity'] && r['class'],
    )!;
    const lists = await t.services.desEnquiry.enquiry.codeLists();
    const page = await web.get(`/des/supply-points/${row['mprn']}`);
    assert.equal(page.statusCode, 200);
    const rows = summaryRows(page.body);
    const value = (key: string) => rows.find(([k]) => k === key)?.[1];
    const shipper = row['shipper_short_code']!;
    const supplier = row['current_supplier']!;
    const aq = `${Number(row['annual_quantity']).toLocaleString('en-GB')} kWh`;
    const status = `${lists['meter_point_status']![row['meter_point_status']!]} (${row['meter_point_status']})`;
    // The summary comes first, before the full detail.
    const summary = page.body.indexOf('id="summary"');
    assert.ok(
      summary > 0 && summary < page.body.indexOf('>Network and classification</h2>'),
      'summary first',
    );
    assert.deepEqual(
      rows.slice(0, 6).map(([k]) => k),
      ['Address', 'Meter point status', 'Class', 'Shipper', 'Current supplier', 'Annual quantity'],
    );
    assert.equal(rows[1]![1], status);
    assert.equal(rows[2]![1], `Class ${row['class']}`, 'a meaning that already says its code, once');
    assert.equal(rows[3]![1], `Org ${shipper} (${shipper})`, 'the shipper named, with its code');
    assert.equal(rows[4]![1], `Org ${supplier} (${supplier})`);
    assert.equal(rows[5]![1], aq);
    assert.ok(!/, \(/.test(rows[0]![1]), 'no stray comma before a bracketed part of the address');
    // The full detail: GOV.UK dates, names, meanings.
    const date = new Date(`${row['latest_meter_read_date']}T00:00:00Z`).toLocaleDateString('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
    assert.equal(value('Latest meter read date'), date);
    assert.equal(
      value('Latest meter read type'),
      `${lists['read_type']![row['latest_meter_read_type']!]} (${row['latest_meter_read_type']})`,
    );
    assert.match(value('Latest meter read type')!, /^(Actual|Customer|Estimated) \([ACE]\)$/);
    assert.equal(value('Shipper'), `Org ${shipper} (${shipper})`);
    assert.equal(value('Shipper name'), row['shipper_name'] || `Org ${shipper}`, 'the name the portal knows');
    assert.equal(value('Annual quantity'), aq);
    assert.equal(value('Daily metered'), row['daily_metered_indicator'], 'a label said once');
    if (row['mam_short_code']) {
      assert.equal(value('Meter asset manager'), `Org ${row['mam_short_code']} (${row['mam_short_code']})`);
    }
    for (const [k, v] of rows) {
      assert.doesNotMatch(v, /^\d{4}-\d{2}-\d{2}$/, `${k} is a GOV.UK date`);
      assert.doesNotMatch(v, / - /, `${k}: a meaning, not "code - meaning"`);
    }
    const dcc = mine().find((r) => r['dcc_service_flag']);
    assert.ok(dcc, 'a smart supply point with a DCC service flag');
    {
      const p = await web.get(`/des/supply-points/${dcc['mprn']}`);
      const shown = summaryRows(p.body).find(([k]) => k === 'DCC service flag')?.[1];
      assert.equal(
        shown,
        `${lists['dcc_service_flag']![dcc['dcc_service_flag']!]} (${dcc['dcc_service_flag']})`,
      );
    }
    const aliased = mine().find((r) => r['delivery_point_alias'])!;
    assert.ok(aliased, 'a supply point with a delivery point alias');
    const address = summaryRows((await web.get(`/des/supply-points/${aliased['mprn']}`)).body)[0]![1];
    assert.ok(address.includes(`(${aliased['delivery_point_alias']})`), address);
    assert.doesNotMatch(address, /, \(/, 'no stray comma before the bracketed alias');
    // Search results and history use the same rules.
    const results = await web.get(`/des?mprn=${row['mprn']}`);
    assert.ok(results.body.includes(`<td class="govuk-table__cell">${status}`), 'status with its meaning');
    const history = await web.get(`/des/supply-points/${row['mprn']}/history`);
    assert.equal(history.statusCode, 200);
    assert.doesNotMatch(history.body, /<td class="govuk-table__cell">\d{4}-\d{2}-\d{2}<\/td>/);
    // The API keeps codes as codes.
    const api = JSON.parse(
      (await t.api(t.orgs[0]!.token, `/api/v1/supply-points/${row['mprn']}`)).body,
    ) as Record<string, unknown>;
    assert.equal(api['latest_meter_read_type'], row['latest_meter_read_type']);
    assert.equal(api['shipper_short_code'], shipper);
    assert.equal(api['latest_meter_read_date'], row['latest_meter_read_date']);
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
    assert.equal((await web.get('/des/enquiry-log.csv')).statusCode, 403, 'nor its CSV');
  });

  test('the enquiry log filters by channel and day (GOV.UK date inputs), keeps them in its links and exports them as CSV', async () => {
    const row = mine()[1]!;
    await web.get(`/des/supply-points/${row['mprn']}`);
    const [d, m, y] = [NOW.getUTCDate(), NOW.getUTCMonth() + 1, NOW.getUTCFullYear()];
    const q = `channel=web&from-day=${d}&from-month=${m}&from-year=${y}&to-day=${d}&to-month=${m}&to-year=${y}`;
    const page = await lsoWeb.get(`/des/enquiry-log?${q}`);
    assert.equal(page.statusCode, 200, page.body);
    assert.ok(page.body.includes(row['mprn']!));
    assert.match(page.body, /name="from-day"[^>]*value="\d+"/);
    assert.match(page.body, /Clear filters/);
    const csvHref = /href="(\/des\/enquiry-log\.csv\?[^"]+)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(csvHref && csvHref.includes('channel=web'), 'the download keeps the filters');
    const csv = await lsoWeb.get(csvHref);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    assert.equal(lines[0], 'occurred_at,user,channel,kind,criteria,result_count,mprns');
    assert.ok(lines.length > 1 && lines.slice(1).every((l) => l.split(',')[2] === 'web'));
    assert.ok(lines.some((l) => l.includes(row['mprn']!)));
    const api = await lsoWeb.get(`/des/enquiry-log?channel=api&${q.slice('channel=web&'.length)}`);
    assert.equal(api.statusCode, 200);
    assert.ok(!api.body.includes('>Web</td>'), 'only API enquiries');
    assert.match(page.body, />Web<\/td>/);
    // A date that does not exist: 400, the error summary leading to the day box, the form kept.
    const bad = await lsoWeb.get('/des/enquiry-log?from-day=30&from-month=2&from-year=2026');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /There is a problem/);
    assert.match(bad.body, /href="#from-day"/);
    assert.match(bad.body, /name="from-day"[^>]*value="30"/);
  });
});
