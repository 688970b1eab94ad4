/**
 * Contact reports (issue 13) over a generated world: contacts raised, worked, resolved, rejected and cancelled through
 * the real API with the clock moved across Easter 2026 (Good Friday 3 April, Easter Monday 6 April) and BST, and
 * two-way requests answered in time, late, never (closed by the job) or not yet. Every figure is compared, whole body,
 * with an independent count from what the test did (test/support/reports.ts); each organisation's reports are
 * exactly what they would be if the other organisation's contacts did not exist.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { londonDateOf } from '../../platform/time/calendar.ts';
import { addSite, apiAs, createCmsTestApp, userWithToken, type Api, type CmsTestApp } from '../../../test/support/cms.ts';
import { makeOrg, makeUser, TEST_PASSWORD } from '../../../test/support/factories.ts';
import {
  answerRequestAt,
  calendar,
  expectedAgeing,
  expectedContactRows,
  expectedRequests,
  generateContacts,
  sendRequestAt,
  type ContactFact,
  type RequestFact,
} from '../../../test/support/reports.ts';
import { signInAndEnrol, type WebClient } from '../../../test/support/web-client.ts';

const NOW = new Date('2026-04-20T10:00:00Z'); // a Monday
const TODAY = '2026-04-20';
const FROM = '2026-03-25';
const TO = '2026-04-14';
const at = (s: string) => new Date(s);

const KEYS: Record<string, (f: ContactFact) => string> = {
  code: (f) => f.code,
  organisation: (f) => f.raiser,
  team: (f) => f.team,
  month: (f) => londonDateOf(f.raisedAt).slice(0, 7),
};

describe('contact reports', () => {
  let t: CmsTestApp;
  let cdsp: Api;
  let shipperA: Api;
  let shipperB: Api;
  let daily: Api;
  let plainUser: Api;
  let a: { shortCode: string };
  let b: { shortCode: string };
  let dmsp: { shortCode: string };
  let facts: ContactFact[];
  let requests: RequestFact[];
  let aWeb: WebClient;
  let plainWeb: WebClient;

  before(async () => {
    t = await createCmsTestApp();
    a = await makeOrg(t.services, { type: 'shipper', name: 'Alpha Gas' });
    b = await makeOrg(t.services, { type: 'shipper', name: 'Beta Gas' });
    const aSup = await userWithToken(t, a.shortCode, ['cms_supervisor']);
    const bSup = await userWithToken(t, b.shortCode, ['cms_supervisor']);
    const aUser = await userWithToken(t, a.shortCode, ['cms_user']);
    const resolver = await userWithToken(t, t.cdsp.shortCode, ['cdsp_resolver']);
    const cdspSup = await userWithToken(t, t.cdsp.shortCode, ['cdsp_supervisor']);
    [shipperA, shipperB, plainUser, cdsp] = [aSup, bSup, aUser, cdspSup].map((u) => apiAs(t, u.token)) as [
      Api,
      Api,
      Api,
      Api,
    ];
    const mprnA = await addSite(t, { shipper_short_code: a.shortCode });
    const mprnB = await addSite(t, { shipper_short_code: b.shortCode });
    // A's Class 1 site in NW, whose Daily Metered Queries route (by the appointments directory) to a DMSP.
    dmsp = await makeOrg(t.services, { type: 'dmsp', name: 'Delta Daily Metering' });
    daily = apiAs(t, (await userWithToken(t, dmsp.shortCode, ['cms_supervisor'])).token);
    const mprnDaily = await addSite(t, {
      shipper_short_code: a.shortCode,
      ldz_id: 'NW',
      class: '1',
      annual_quantity: '60000000',
    });
    const admin = apiAs(t, (await userWithToken(t, t.cdsp.shortCode, ['cdsp_admin'])).token);
    const appointed = await admin('POST', '/appointments', {
      body: { role: 'dmsp', organisation: dmsp.shortCode, ldz: 'NW', classes: [1], effective_from: '2026-01-01' },
    });
    assert.equal(appointed.statusCode, 201, appointed.body);

    // Requests first (9 to 19 March), in time order: answered in time, late, closed by the job, still open.
    const ask = apiAs(t, resolver.token);
    const toA = { shortCode: a.shortCode, mprn: mprnA };
    const toB = { shortCode: b.shortCode, mprn: mprnB };
    const r1 = await sendRequestAt(t, ask, toA, at('2026-03-09T10:00:00Z'));
    const r2 = await sendRequestAt(t, ask, toA, at('2026-03-10T10:00:00Z'));
    await answerRequestAt(t, shipperA, r1, at('2026-03-11T09:00:00Z'));
    const r3 = await sendRequestAt(t, ask, toA, at('2026-03-11T10:00:00Z'));
    const r5 = await sendRequestAt(t, ask, toB, at('2026-03-12T10:00:00Z'));
    await answerRequestAt(t, shipperB, r5, at('2026-03-13T10:00:00Z'));
    await answerRequestAt(t, shipperA, r2, at('2026-03-16T10:00:00Z'));
    const r4 = await sendRequestAt(t, ask, toA, at('2026-03-16T11:00:00Z'));
    t.clock.set(at('2026-03-18T10:00:00Z'));
    await t.services.cms.jobs.autoCloseUnanswered();
    r3.status = 'auto_closed';
    const r6 = await sendRequestAt(t, ask, toA, at('2026-03-19T10:00:00Z'));
    requests = [r1, r2, r3, r4, r5, r6];

    facts = await generateContacts(t, {
      raisers: [
        { shortCode: a.shortCode, api: shipperA, mprn: mprnA },
        { shortCode: b.shortCode, api: shipperB, mprn: mprnB },
      ],
      resolverToken: resolver.token,
      seed: 2026,
      count: 48,
      firstDay: '2026-03-23',
      days: 24,
      now: NOW,
      // Two in the period, one after it: routed to the DMSP, raised by A (so only "routed to it" makes them the DMSP's).
      routed: {
        raiser: { shortCode: a.shortCode, api: shipperA, mprn: mprnDaily },
        code: 'DMQ',
        fields: { query_type: 'READ_MISSING', gas_day: '2026-02-20', details: 'No read for the day' },
        routedTo: dmsp.shortCode,
        at: [at('2026-03-26T10:00:00Z'), at('2026-04-08T09:00:00Z'), at('2026-04-16T11:00:00Z')],
      },
    });
    const web = async (org: string, roles: string[]) => {
      const u = await makeUser(t.services, { orgShortCode: org, roles, password: TEST_PASSWORD });
      return (await signInAndEnrol(t.app, t.clock, u.email, TEST_PASSWORD)).client;
    };
    aWeb = await web(a.shortCode, ['cms_supervisor']);
    plainWeb = await web(a.shortCode, ['cms_user']);
  });
  after(() => t.cleanup());

  const report = (api: Api, groupBy: string, from = FROM, to = TO, headers: Record<string, string> = {}) =>
    api('GET', `/reports/contacts?from=${from}&to=${to}&group_by=${groupBy}`, { headers });
  /** What an organisation may see: the contacts it raised and those routed to it. */
  const of = (org: { shortCode: string }) =>
    facts.filter((f) => f.raiser === org.shortCode || f.team === org.shortCode);

  test('the generated world covers what the figures must get right', () => {
    const cal = calendar();
    const resolved = facts.filter((f) => f.resolvedAt !== null);
    // Some resolution spans Easter (raised by 2 April, resolved from 7 April): bank holidays are not business days.
    assert.ok(resolved.some((f) => londonDateOf(f.raisedAt) <= '2026-04-02' && londonDateOf(f.resolvedAt!) >= '2026-04-07'));
    assert.equal(cal.businessDaysBetween('2026-04-02', '2026-04-07'), 1); // Tue 7 April only
    // Some contact was raised just after London midnight in BST (its London date is the next UTC date).
    assert.ok(facts.some((f) => londonDateOf(f.raisedAt) !== f.raisedAt.toISOString().slice(0, 10)));
    // Some resolved late, some in time; some rejected, cancelled, open; some raised outside the period.
    assert.ok(resolved.some((f) => londonDateOf(f.resolvedAt!) > f.dueDate));
    assert.ok(resolved.some((f) => londonDateOf(f.resolvedAt!) <= f.dueDate));
    for (const s of ['rejected', 'cancelled', 'open', 'in_progress'] as const) assert.ok(facts.some((f) => f.status === s), s);
    assert.ok(facts.some((f) => londonDateOf(f.raisedAt) < FROM || londonDateOf(f.raisedAt) > TO));
    // Contacts routed to an organisation that did not raise them, in the period: the DMSP's report is only those.
    const routed = of(dmsp);
    assert.ok(routed.length > 0 && routed.every((f) => f.raiser === a.shortCode && f.team === dmsp.shortCode));
    assert.ok(routed.some((f) => londonDateOf(f.raisedAt) >= FROM && londonDateOf(f.raisedAt) <= TO));
  });

  test('contacts routed to an organisation are in its report though it did not raise them', async () => {
    const res = await report(daily, 'code');
    assert.equal(res.statusCode, 200, res.body);
    const rows = expectedContactRows(of(dmsp), { from: FROM, to: TO, keyOf: KEYS['code']! });
    assert.deepEqual(rows.map((r) => [r.key, r.raised, r.open]), [['DMQ', 2, 2]]);
    assert.deepEqual(res.json(), { from: FROM, to: TO, group_by: 'code', rows });
    const ageing = await daily('GET', '/reports/contacts/ageing');
    assert.deepEqual(ageing.json(), { as_at: TODAY, rows: expectedAgeing(of(dmsp), TODAY) });
    assert.equal(
      expectedAgeing(of(dmsp), TODAY).reduce((n, r) => n + r.open, 0),
      3,
    );
  });

  for (const groupBy of Object.keys(KEYS)) {
    test(`CDSP staff: every organisation's contacts by ${groupBy} equal the independent count`, async () => {
      const res = await report(cdsp, groupBy);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), {
        from: FROM,
        to: TO,
        group_by: groupBy,
        rows: expectedContactRows(facts, { from: FROM, to: TO, keyOf: KEYS[groupBy]! }),
      });
    });
  }

  test("a customer sees only its own contacts: exactly as if the other's did not exist", async () => {
    for (const [api, org] of [
      [shipperA, a],
      [shipperB, b],
      [daily, dmsp],
    ] as const) {
      for (const groupBy of ['code', 'month', 'organisation', 'team']) {
        const res = await report(api, groupBy);
        assert.equal(res.statusCode, 200, res.body);
        const rows = expectedContactRows(of(org), { from: FROM, to: TO, keyOf: KEYS[groupBy]! });
        assert.deepEqual(res.json(), { from: FROM, to: TO, group_by: groupBy, rows });
      }
      const ageing = await api('GET', '/reports/contacts/ageing');
      assert.deepEqual(ageing.json(), { as_at: TODAY, rows: expectedAgeing(of(org), TODAY) });
    }
  });

  test('a one-day period and a period with nothing in it', async () => {
    const day = londonDateOf(facts[0]!.raisedAt);
    const res = await report(cdsp, 'code', day, day);
    assert.deepEqual(res.json().rows, expectedContactRows(facts, { from: day, to: day, keyOf: KEYS['code']! }));
    const empty = await report(cdsp, 'code', '2025-01-01', '2025-01-31');
    assert.deepEqual(empty.json(), { from: '2025-01-01', to: '2025-01-31', group_by: 'code', rows: [] });
  });

  test('Accept: text/csv gives the same rows as CSV', async () => {
    const res = await report(shipperA, 'team', FROM, TO, { accept: 'text/csv' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    const rows = expectedContactRows(of(a), { from: FROM, to: TO, keyOf: KEYS['team']! });
    const header = 'key,raised,open,resolved,resolved_within_target,rejected,cancelled,median_business_days,p90_business_days';
    const lines = rows.map((r) => Object.values(r).map((v) => (v === null ? '' : String(v))).join(','));
    assert.equal(res.body, [header, ...lines].map((l) => `${l}\r\n`).join(''));
  });

  test('ageing of open contacts, for CDSP staff', async () => {
    const res = await cdsp('GET', '/reports/contacts/ageing');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { as_at: TODAY, rows: expectedAgeing(facts, TODAY) });
  });

  test('two-way requests: sent, answered in time, closed unanswered; each side sees its own', async () => {
    const q = '/reports/requests?from=2026-03-09&to=2026-03-18';
    const all = await cdsp('GET', q);
    assert.deepEqual(all.json(), {
      from: '2026-03-09',
      to: '2026-03-18',
      rows: expectedRequests(requests, '2026-03-09', '2026-03-18'),
    });
    // Hand-checked too: A was sent four in the period (one answered in time, one late, one closed, one open).
    assert.deepEqual((await shipperA('GET', q)).json().rows, [
      { key: 'DCR', sent: 4, open: 1, answered: 2, answered_in_time: 1, auto_closed: 1 },
    ]);
    for (const [api, org] of [
      [shipperA, a],
      [shipperB, b],
    ] as const) {
      const mine = requests.filter((r) => r.to === org.shortCode);
      const res = await api('GET', q);
      assert.deepEqual(res.json().rows, expectedRequests(mine, '2026-03-09', '2026-03-18'));
    }
  });

  test('bad input is a 400 problem, never a 500', async () => {
    for (const query of [
      `from=${TO}&to=${FROM}&group_by=code`,
      'from=2026-02-30&to=2026-03-01&group_by=code',
      'from=2024-01-01&to=2026-03-01&group_by=code',
      'from=1999-12-01&to=1999-12-31&group_by=code',
      `from=${FROM}&to=${TO}&group_by=shipper`,
      `from=${FROM}&group_by=code`,
      `from=${FROM}&to=${TO}&group_by=code&extra=1`,
      `from=${'9'.repeat(5000)}&to=${TO}&group_by=code`,
    ]) {
      const res = await cdsp('GET', `/reports/contacts?${query}`);
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    }
    const res = await cdsp('GET', '/reports/requests?from=2026-03-10&to=2026-03-01');
    assert.equal(res.statusCode, 400);
    // Years out of range (the day after 9999-12-31 has no YYYY-MM-DD date; 0001 was Date.UTC's 1901): the field named.
    for (const [query, field] of [
      ['from=9999-01-01&to=9999-12-31', 'from'],
      ['from=0001-01-01&to=0001-12-31', 'from'],
      [`from=${FROM}&to=9999-12-31`, 'to'],
    ] as const) {
      for (const url of [`/reports/contacts?${query}&group_by=code`, `/reports/requests?${query}`]) {
        const bad = await cdsp('GET', url);
        assert.equal(bad.statusCode, 400, `${url}: ${bad.body}`);
        assert.match(String(bad.headers['content-type']), /application\/problem\+json/);
        assert.ok((bad.json() as { errors: { field: string }[] }).errors.some((e) => e.field === field), bad.body);
      }
      const page = await aWeb.get(`/reports?${query}&group_by=code`);
      assert.equal(page.statusCode, 400, query);
      assert.match(page.body, /There is a problem/);
    }
  });

  test('a user without the reports permission is refused', async () => {
    for (const url of ['/reports/contacts?from=2026-03-01&to=2026-03-31&group_by=code', '/reports/contacts/ageing']) {
      assert.equal((await plainUser('GET', url)).statusCode, 403);
    }
  });

  test('the page: charts as SVG with a title, a description and the data in a table beside them', async () => {
    const res = await aWeb.get(`/reports?from=${FROM}&to=${TO}&group_by=code`);
    assert.equal(res.statusCode, 200);
    const rows = expectedContactRows(of(a), { from: FROM, to: TO, keyOf: KEYS['code']! });
    assert.equal((res.body.match(/<svg [^>]*role="img"/g) ?? []).length, 4);
    assert.match(res.body, /<title id="chart-raised-title">Contacts raised, by contact code<\/title>/);
    assert.match(res.body, /aria-labelledby="chart-raised-title chart-raised-desc"/);
    for (const r of rows) {
      assert.match(res.body, new RegExp(`<th scope="row" class="govuk-table__header">${r.key}: [^<]+</th>\\s*<td[^>]*>${r.raised}</td>`));
    }
    // The page's labels are words: the month, the team, the organisation.
    const byTeam = await aWeb.get(`/reports?from=${FROM}&to=${TO}&group_by=team`);
    assert.match(byTeam.body, /CDSP service desk team/);
    const byOrg = await aWeb.get(`/reports?from=${FROM}&to=${TO}&group_by=organisation`);
    assert.match(byOrg.body, new RegExp(`Alpha Gas \\(${a.shortCode}\\)`));
    assert.doesNotMatch(byOrg.body, /Beta Gas/);
    assert.match((await aWeb.get(`/reports?from=${FROM}&to=${TO}&group_by=month`)).body, /April 2026/);
    // The navigation offers the reports to the supervisor, not to a plain user, whom the page refuses.
    assert.match(res.body, /href="\/reports"/);
    const plain = await plainWeb.get('/contacts');
    assert.doesNotMatch(plain.body, /href="\/reports"/);
    assert.equal((await plainWeb.get('/reports')).statusCode, 403);
  });

  test('the page re-shows its form with the errors for a bad period', async () => {
    const res = await aWeb.get(`/reports?from=${TO}&to=${FROM}&group_by=code`);
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /There is a problem/);
    assert.match(res.body, /The end of the period must be on or after its start/);
  });

  test('the downloads hold the same figures: CSV as the API, XLSX with the ageing and requests', async () => {
    const q = `from=${FROM}&to=${TO}&group_by=month`;
    const csv = await aWeb.get(`/reports/contacts.csv?${q}`);
    assert.equal(csv.statusCode, 200);
    assert.equal(csv.body, (await report(shipperA, 'month', FROM, TO, { accept: 'text/csv' })).body);
    const xlsx = await aWeb.get(`/reports/contacts.xlsx?${q}`);
    assert.equal(xlsx.statusCode, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    // Rows after the heading, columns after the label (exceljs counts from 1 and leaves empty cells out).
    const values = (name: string, n: number) =>
      (wb.getWorksheet(name)!.getSheetValues() as unknown[][])
        .slice(2)
        .map((r) => Array.from({ length: n }, (_, i) => r[i + 2] ?? null));
    const rows = expectedContactRows(of(a), { from: FROM, to: TO, keyOf: KEYS['month']! });
    assert.deepEqual(
      values('By month', 9),
      rows.map((r) => Object.values(r)),
    );
    assert.deepEqual(
      values('Ageing of open contacts', 3),
      expectedAgeing(of(a), TODAY).map((r) => [r.key, r.open, r.overdue]),
    );
  });
});
