/**
 * The DES portfolio change report (issue 13): what changed in my portfolio on a business date, field by field, over
 * two register loads through the real loader. Expected changes are computed here from the rows the test loaded (an
 * independent count), for a shipper that keeps a site, loses one, gains one (and may not see its predecessor's
 * values) and gets a new one; and the other shipper's changes never appear (whole bodies compared).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { makeApiKey, makeOrg, makeUser, TEST_PASSWORD } from '../../../test/support/factories.ts';
import { makeLoad, makeSupplyPoints, type SupplyPointRow } from '../../../test/support/factories/des.ts';
import { signInAndEnrol, type WebClient } from '../../../test/support/web-client.ts';
import { REGISTER_FIELDS } from '../des/register/index.ts';

const NOW = new Date('2026-03-05T10:00:00Z'); // D-1 is 4 March
const DAY1 = '2026-03-02';
const DAY2 = '2026-03-03';
const FIELDS = REGISTER_FIELDS.filter((f) => f.name !== 'mprn');
const value = (r: SupplyPointRow | undefined, f: string) => (r && r[f] !== '' ? (r[f] ?? null) : null);

/** The expected change of one supply point for a shipper, from the rows loaded the day before and on the day. */
function expectedChange(before: SupplyPointRow | undefined, now: SupplyPointRow, shipper: string) {
  const heldBefore = before?.['shipper_short_code'] === shipper;
  const heldNow = now['shipper_short_code'] === shipper;
  if (!heldBefore && !heldNow) return null;
  const change = !before ? 'new' : !heldBefore ? 'joined' : !heldNow ? 'left' : 'changed';
  const fields = heldNow
    ? FIELDS.map((f) => ({
        field: f.name,
        label: f.label,
        from: heldBefore ? value(before, f.name) : null,
        to: value(now, f.name),
      }))
        .filter((x) => x.from !== x.to)
        .sort((x, y) => (x.field < y.field ? -1 : 1))
    : [];
  return { mprn: now['mprn']!, change, fields };
}

describe('the DES portfolio change report', () => {
  let t: TestApp;
  let day1: SupplyPointRow[];
  let day2: SupplyPointRow[];
  const tokens: Record<string, string> = {};
  let web: WebClient;
  const api = (who: string, url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ url: `/api/v1${url}`, headers: { authorization: `Bearer ${tokens[who]}`, ...headers } });

  const expected = (shipper: string) =>
    day2
      .map((r) => expectedChange(day1.find((p) => p['mprn'] === r['mprn']), r, shipper))
      .filter((c) => c !== null)
      .sort((x, y) => (x.mprn < y.mprn ? -1 : 1));

  before(async () => {
    t = await createTestApp({ now: NOW });
    for (const code of ['SHA', 'SHB']) {
      const org = await makeOrg(t.services, { type: 'shipper', shortCode: code });
      const user = await makeUser(t.services, { orgShortCode: org.shortCode, roles: ['des_user'], password: TEST_PASSWORD });
      tokens[code] = (await makeApiKey(t.services, user.email)).token;
      if (code === 'SHA') web = (await signInAndEnrol(t.app, t.clock, user.email, TEST_PASSWORD)).client;
    }
    // Ten supply points, the first five SHA's, the rest SHB's, and an eleventh (SHA's) added on day 2 (suppliers and MAMs no organisation here holds).
    day1 = makeSupplyPoints(11, {
      seed: 5,
      businessDate: DAY1,
      with: (i) => ({ shipper_short_code: i < 5 || i === 10 ? 'SHA' : 'SHB', current_supplier: 'SUB', mam_short_code: 'MAB' }),
    });
    const added = day1.pop()!;
    await makeLoad(t.services, day1, { businessDate: DAY1 });
    const [sp0, sp1, , , , sp5] = day1 as [SupplyPointRow, SupplyPointRow, ...SupplyPointRow[]];
    day2 = [
      { ...sp0, postcode: 'LS1 4AP', annual_quantity: '23456' }, // SHA keeps it, two fields change
      { ...sp1!, shipper_short_code: 'SHB' }, // SHA loses it, SHB gains it
      { ...sp5!, msn: 'X99Z12345' }, // SHB's only
      added, // new on the register, SHA's
    ];
    await makeLoad(t.services, day2, { businessDate: DAY2 });
  });
  after(() => t.cleanup());

  test("each shipper sees its own portfolio's changes, field by field, and nothing of the other's", async () => {
    for (const shipper of ['SHA', 'SHB']) {
      const res = await api(shipper, `/reports/portfolio-changes?date=${DAY2}`);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { date: DAY2, changes: expected(shipper), next_cursor: null });
    }
    // The world is what the test means it to be: SHA kept one, lost one and got a new one.
    assert.deepEqual(
      expected('SHA').map((c) => c.change),
      ['changed', 'left', 'new'],
    );
    // SHB gained a site: it never sees SHA's values of it, only what the site is now.
    const joined = expected('SHB').find((c) => c.change === 'joined')!;
    assert.ok(joined.fields.length > 10 && joined.fields.every((f) => f.from === null));
  });

  test('a date with no change, and the day before the first load', async () => {
    for (const date of ['2026-03-04', '2026-02-01']) {
      const res = await api('SHA', `/reports/portfolio-changes?date=${date}`);
      assert.deepEqual(res.json(), { date, changes: [], next_cursor: null });
    }
  });

  test('pages of one supply point put together are the whole report', async () => {
    const all: unknown[] = [];
    let cursor: string | null = null;
    do {
      const res = await api('SHA', `/reports/portfolio-changes?date=${DAY2}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      const body = res.json() as { changes: unknown[]; next_cursor: string | null };
      all.push(...body.changes);
      cursor = body.next_cursor;
    } while (cursor);
    assert.deepEqual(all, expected('SHA'));
  });

  test('CSV (API and page download) holds every change of the date', async () => {
    const rows = expected('SHA').flatMap((c) =>
      c.fields.length === 0
        ? [[c.mprn, c.change, '', '', '', '']]
        : c.fields.map((f) => [c.mprn, c.change, f.field, f.label, f.from ?? '', f.to ?? '']),
    );
    const text = [['mprn', 'change', 'field', 'label', 'from', 'to'], ...rows]
      .map((r) => r.map((v) => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',') + '\r\n')
      .join('');
    const viaApi = await api('SHA', `/reports/portfolio-changes?date=${DAY2}`, { accept: 'text/csv' });
    assert.equal(viaApi.statusCode, 200);
    assert.equal(viaApi.body, text);
    const download = await web.get(`/reports/portfolio-changes.csv?date=${DAY2}`);
    assert.equal(download.body, text);
  });

  test('the page names fields and kinds of change in words', async () => {
    const res = await web.get(`/reports/portfolio-changes?date=${DAY2}`);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Changes on 3 March 2026/);
    assert.match(res.body, /Left your portfolio/);
    assert.match(res.body, /New on the register/);
    assert.match(res.body, /<th scope="row" class="govuk-table__header">Postcode<\/th>\s*<td[^>]*>[^<]+<\/td>\s*<td[^>]*>LS1 4AP<\/td>/);
    assert.doesNotMatch(res.body, /X99Z12345/); // SHB's meter
  });

  test('every read is audited with the supply points shown', async () => {
    const events = await t.database.db
      .selectFrom('audit.events')
      .select(['action', 'details'])
      .where('action', '=', 'des.portfolio_changes')
      .execute();
    assert.ok(events.length > 0);
    const shown = events.map((e) => (e.details as { mprns: string[] }).mprns).flat();
    assert.ok(shown.every((m) => expected('SHA').some((c) => c.mprn === m) || expected('SHB').some((c) => c.mprn === m)));
  });

  test('customers ask about dates up to D-1; bad input is a 400 problem (API) or the form again (page)', async () => {
    for (const q of ['date=2026-03-05', 'date=2026-02-30', 'date=soon', `date=${DAY2}&cursor=abc`, `date=${DAY2}&limit=0`, 'x=1']) {
      const res = await api('SHA', `/reports/portfolio-changes?${q}`);
      assert.equal(res.statusCode, 400, `${q}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    }
    const page = await web.get('/reports/portfolio-changes?date=2026-03-05');
    assert.equal(page.statusCode, 400);
    assert.match(page.body, /The register is available up to the end of 4 March 2026/);
  });
});
