/**
 * DES enquiry over HTTP: look-up, as-at and as-known-at against a series of daily loads, history, search by each
 * key, GES-compatible answers and types, and — for every endpoint — indistinguishability of "outside your portfolio"
 * from "does not exist", across generated organisations and supply points.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REGISTER_FIELDS, hasValidCheckDigits, PORTFOLIO_ONLY_FIELDS } from '../register/index.ts';
import {
  absentMprns,
  createEnquiryTestApp,
  D1,
  inPortfolioOf,
  type EnquiryTestApp,
  type HistoryChange,
} from '../../../../test/support/des-enquiry.ts';

const DATES = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-05'];
/** Text fields whose generator values are stored unchanged (the loader canonicalises numbers and dates). */
const TEXT_FIELDS = [
  'shipper_short_code',
  'current_supplier',
  'mam_short_code',
  'msn',
  'street',
  'postcode',
  'town',
];

describe('DES enquiry API', () => {
  let t: EnquiryTestApp;
  before(async () => {
    t = await createEnquiryTestApp({ supplyPoints: 240, dates: DATES });
  });
  after(() => t.cleanup());

  const org = (code: string) => t.orgs.find((o) => o.shortCode === code)!;

  test('a supply point in the portfolio: every GES field, as at D-1, with /api/v1 types', async () => {
    const a = org('SHA');
    const row = t.rowsIn(a)[0]!;
    const res = await t.api(a.token, `/api/v1/supply-points/${row['mprn']}`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.mprn, row['mprn']);
    assert.equal(body.as_at, D1);
    assert.equal(body.in_portfolio, true);
    assert.equal(body.as_known_at, null);
    for (const f of REGISTER_FIELDS) assert.ok(f.name in body, `field ${f.name} present`);
    for (const f of TEXT_FIELDS) assert.equal(body[f], row[f] || null, f);
    if (body.annual_quantity !== null) assert.equal(typeof body.annual_quantity, 'number');
    assert.equal(typeof body.uprn, 'string');
  });

  test('as at each loaded date answers what that day’s load said; today’s load is not visible yet', async () => {
    const a = org('SHB');
    const changedOnce = [...t.states.get('2026-03-03')!.values()].filter(
      (r) => inPortfolioOf(a, r) && inPortfolioOf(a, t.stateOn('2026-03-01').get(r['mprn']!) ?? {}),
    );
    assert.ok(changedOnce.length > 5);
    for (const row of changedOnce.slice(0, 8)) {
      for (const date of ['2026-03-01', '2026-03-02', '2026-03-03', D1]) {
        const expected = t.stateOn(date).get(row['mprn']!)!;
        const res = await t.api(a.token, `/api/v1/supply-points/${row['mprn']}?as_at=${date}`);
        if (!inPortfolioOf(a, expected)) {
          assert.equal(res.statusCode, 404);
          continue;
        }
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        assert.equal(body.as_at, date);
        for (const f of TEXT_FIELDS)
          assert.equal(body[f], expected[f] || null, `${row['mprn']} ${f} on ${date}`);
      }
    }
    const future = await t.api(a.token, `/api/v1/supply-points/${changedOnce[0]!['mprn']}?as_at=2026-03-05`);
    assert.equal(future.statusCode, 400);
  });

  test('as known at an instant answers what the register said then', async () => {
    const a = org('SHA');
    // Loads ran at 07:00 UTC the day after their business date: at noon on 3 March the register knew up to 2 March.
    const changed = [...t.states.get('2026-03-03')!.values()].filter((r) => {
      const before = t.stateOn('2026-03-02').get(r['mprn']!);
      return before && inPortfolioOf(a, before) && inPortfolioOf(a, r) && before['msn'] !== r['msn'];
    });
    assert.ok(changed.length > 0, 'some meter exchanges on 3 March');
    const row = changed[0]!;
    const known = await t.api(
      a.token,
      `/api/v1/supply-points/${row['mprn']}?as_known_at=2026-03-03T12:00:00Z`,
    );
    assert.equal(known.statusCode, 200, known.body);
    assert.equal(known.json().as_at, '2026-03-02');
    assert.equal(known.json().msn, t.stateOn('2026-03-02').get(row['mprn']!)!['msn']);
    const knownLater = await t.api(
      a.token,
      `/api/v1/supply-points/${row['mprn']}?as_at=2026-03-03&as_known_at=2026-03-03T12:00:00Z`,
    );
    assert.equal(
      knownLater.json().msn,
      t.stateOn('2026-03-02').get(row['mprn']!)!['msn'],
      'not yet loaded then',
    );
    const now = await t.api(a.token, `/api/v1/supply-points/${row['mprn']}?as_at=2026-03-03`);
    assert.equal(now.json().msn, row['msn']);
  });

  test('history lists each change of each load up to D-1, matching the loads', async () => {
    const a = org('SHC');
    const rows = t.rowsIn(a).filter((r) =>
      ['2026-03-01', '2026-03-02', '2026-03-03'].every((d) => {
        const x = t.stateOn(d).get(r['mprn']!);
        return x && inPortfolioOf(a, x);
      }),
    );
    let checked = 0;
    for (const row of rows.slice(0, 10)) {
      const res = await t.api(a.token, `/api/v1/supply-points/${row['mprn']}/history`);
      assert.equal(res.statusCode, 200, res.body);
      const changes = res.json().changes as HistoryChange[];
      const expected: string[] = [];
      let prev: Record<string, string> = {};
      for (const d of ['2026-03-01', '2026-03-02', '2026-03-03']) {
        const cur = t.stateOn(d).get(row['mprn']!)!;
        if (t.states.get(d)!.get(row['mprn']!) === cur) {
          for (const f of TEXT_FIELDS) {
            if ((prev[f] || null) !== (cur[f] || null))
              expected.push(`${d} ${f} ${prev[f] || null} -> ${cur[f] || null}`);
          }
        }
        prev = cur;
      }
      const actual = changes
        .filter((c) => TEXT_FIELDS.includes(c.field))
        .map((c) => `${c.effective_date} ${c.field} ${c.from} -> ${c.to}`);
      assert.deepEqual(actual.sort(), expected.sort(), row['mprn']);
      assert.ok(
        changes.every((c) => c.effective_date <= D1),
        'nothing after D-1',
      );
      checked++;
    }
    assert.ok(checked > 3);
  });

  test('search by postcode (normalised), house number, MSN, UPRN and MPRN; sorted and paged', async () => {
    const a = org('SUA');
    const mine = t.rowsIn(a);
    const pc = mine[0]!['postcode']!;
    const expected = mine
      .filter((r) => r['postcode'] === pc)
      .map((r) => r['mprn'])
      .sort();
    const messy = ` ${pc.replace(' ', '').toLowerCase()} `;
    const items: { mprn: string; address: string }[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/supply-points?postcode=${encodeURIComponent(messy)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.api(a.token, url);
      assert.equal(res.statusCode, 200, res.body);
      items.push(...res.json().items);
      cursor = res.json().next_cursor;
    } while (cursor);
    assert.deepEqual(items.map((i) => i.mprn).sort(), expected);
    // Sorted in the DES address display order (register-reference §3.4), building numbers numerically.
    const key = (mprn: string) => {
      const r = t.stateOn(D1).get(mprn)!;
      const l = (f: string) => (r[f] ?? '').toLowerCase();
      const num = /^[0-9]{1,10}/.exec(r['house_no'] ?? '')?.[0] ?? '';
      return [
        l('sub_building_name'),
        l('house_name'),
        num.padStart(10, '0'),
        l('house_no'),
        l('delivery_point_alias'),
        l('dependent_street'),
        l('street'),
        l('dependent_local'),
        l('town'),
        l('county'),
        mprn,
      ].join('\u001f');
    };
    const keys = items.map((i) => key(i.mprn));
    assert.deepEqual(keys, [...keys].sort(), 'display order');
    const withNo = mine.find((r) => r['postcode'] === pc && r['house_no'])!;
    if (withNo) {
      const res = await t.api(
        a.token,
        `/api/v1/supply-points?postcode=${encodeURIComponent(pc)}&house_no=${withNo['house_no']}`,
      );
      assert.ok(res.json().items.some((i: { mprn: string }) => i.mprn === withNo['mprn']));
      assert.ok(
        res
          .json()
          .items.every(
            (i: { house_no: string }) => i.house_no.toLowerCase() === withNo['house_no']!.toLowerCase(),
          ),
      );
    }
    const r = mine.find((x) => x['msn'])!;
    const byMsn = await t.api(
      a.token,
      `/api/v1/supply-points?msn=${encodeURIComponent(r['msn']!.toLowerCase())}`,
    );
    assert.ok(byMsn.json().items.some((i: { mprn: string }) => i.mprn === r['mprn']));
    const byUprn = await t.api(a.token, `/api/v1/supply-points?uprn=${r['uprn']}`);
    assert.deepEqual(
      byUprn.json().items.map((i: { mprn: string }) => i.mprn),
      [r['mprn']],
    );
    const byMprn = await t.api(a.token, `/api/v1/supply-points?mprn=${r['mprn']}`);
    assert.deepEqual(
      byMprn.json().items.map((i: { mprn: string }) => i.mprn),
      [r['mprn']],
    );
    assert.deepEqual(byMprn.json().warnings, []);
  });

  test('address details narrow a postcode search by a part of the value, any case; %, _ and \\ are plain characters', async () => {
    const a = org('SUA');
    const r = t.rowsIn(a).find((x) => x['postcode'] && (x['street'] ?? '').length >= 4)!;
    const pc = encodeURIComponent(r['postcode']!);
    const street = r['street']!;
    const part = street.slice(1, -1).toUpperCase();
    const found = async (narrow: string) =>
      (await t.api(a.token, `/api/v1/supply-points?postcode=${pc}&street=${encodeURIComponent(narrow)}`))
        .json()
        .items.map((i: { mprn: string }) => i.mprn) as string[];
    assert.ok((await found(part)).includes(r['mprn']!), 'a part of the street, in capitals');
    for (const wild of ['%', '_', `${street.slice(0, 1)}%`, `${street.slice(0, 1)}_`, '\\'])
      assert.deepEqual(await found(wild), [], `${wild} is not a wildcard`);
  });

  test('an MPRN failing its check digits is searched with a warning', async () => {
    const a = org('SHA');
    let bad = '1234567890';
    while (hasValidCheckDigits(bad)) bad = String(Number(bad) + 1);
    const res = await t.api(a.token, `/api/v1/supply-points?mprn=${bad}`);
    assert.equal(res.statusCode, 200);
    assert.match(res.json().warnings[0], /check-digit/);
  });

  test('GES-compatible /supplier/v1: GES names, every value a string except meter_number_of_dials', async () => {
    const a = org('SHA');
    const row = t.rowsIn(a).find((r) => r['meter_number_of_dials'])!;
    const res = await t.api(a.token, `/supplier/v1?mprn=${row['mprn']}`);
    assert.equal(res.statusCode, 200, res.body);
    const s = res.json().supplier as Record<string, unknown>;
    assert.equal(s['mprn'], row['mprn']);
    for (const [k, v] of Object.entries(s)) {
      if (k === 'meter_number_of_dials') assert.equal(typeof v, 'number');
      else assert.equal(typeof v, 'string', k);
    }
    assert.equal(typeof s['annual_quantity'], 'string');
    const byAddressId = await t.api(a.token, `/supplier/v1?address_id=${row['address_id']}`);
    assert.equal(byAddressId.json().supplier.mprn, row['mprn']);
    const q = new URLSearchParams({
      postcode: row['postcode']!,
      house_no: row['house_no'] ?? '',
      Town: row['town']!,
    });
    if (row['sub_building_name']) q.set('sub_building_name', row['sub_building_name']);
    if (row['house_name']) q.set('street', row['street']!);
    const byPostcode = await t.api(a.token, `/supplier/v1?${q.toString()}`);
    assert.ok([200, 400].includes(byPostcode.statusCode), byPostcode.body);
    if (byPostcode.statusCode === 200) assert.equal(byPostcode.json().supplier.mprn, row['mprn']);
    const none = await t.api(a.token, '/supplier/v1');
    assert.equal(none.statusCode, 400);
  });

  test('every DES endpoint answers for another organisation’s supply point exactly as for one that does not exist', async () => {
    const absent = await absentMprns(t, 3);
    let compared = 0;
    for (const a of t.orgs) {
      // Supply points the organisation never held on any loaded date (a former holder sees its own period).
      const everHeld = new Set(
        [...t.states.values()].flatMap((st) =>
          [...st.values()].filter((r) => inPortfolioOf(a, r)).map((r) => r['mprn']),
        ),
      );
      const outside = t.rowsOutside(a).filter((r) => !everHeld.has(r['mprn']));
      const mine = new Set(t.rowsIn(a).map((r) => r['mprn']));
      // Deterministic spread over the register: every 17th supply point outside the portfolio, up to 4 per org.
      const sample = outside.filter((_, i) => i % 17 === 3).slice(0, 4);
      assert.ok(sample.length > 0, `${a.shortCode} has supply points outside its portfolio`);
      const myPostcodes = new Set(t.rowsIn(a).map((r) => r['postcode']));
      for (const [i, row] of sample.entries()) {
        const x = row['mprn']!;
        const y = absent[i % absent.length]!;
        const same = async (u1: string, u2: string) => {
          const r1 = await t.api(a.token, u1, 'req-identical-01');
          const r2 = await t.api(a.token, u2, 'req-identical-01');
          assert.equal(r1.statusCode, r2.statusCode, `${a.shortCode}: ${u1} vs ${u2}`);
          assert.equal(r1.headers['content-type'], r2.headers['content-type']);
          assert.equal(r1.body, r2.body, `${a.shortCode}: ${u1} vs ${u2}`);
          compared++;
          return r1;
        };
        const detail = await same(`/api/v1/supply-points/${x}`, `/api/v1/supply-points/${y}`);
        assert.equal(detail.statusCode, 404);
        await same(
          `/api/v1/supply-points/${x}?as_at=2026-03-02`,
          `/api/v1/supply-points/${y}?as_at=2026-03-02`,
        );
        await same(`/api/v1/supply-points/${x}/history`, `/api/v1/supply-points/${y}/history`);
        await same(`/api/v1/supply-points?mprn=${x}`, `/api/v1/supply-points?mprn=${y}`);
        await same(`/supplier/v1?mprn=${x}`, `/supplier/v1?mprn=${y}`);
        if (row['msn'])
          await same(
            `/api/v1/supply-points?msn=${encodeURIComponent(row['msn'])}`,
            '/api/v1/supply-points?msn=NOSUCHMETER99',
          );
        if (row['uprn'])
          await same(`/api/v1/supply-points?uprn=${row['uprn']}`, '/api/v1/supply-points?uprn=999999999999');
        if (row['address_id']) {
          await same(
            `/api/v1/supply-points?address_id=${row['address_id']}`,
            '/api/v1/supply-points?address_id=NOSUCHADDRESS',
          );
          await same(`/supplier/v1?address_id=${row['address_id']}`, '/supplier/v1?address_id=NOSUCHADDRESS');
        }
        if (!myPostcodes.has(row['postcode'])) {
          const pc = encodeURIComponent(row['postcode']!);
          await same(`/api/v1/supply-points?postcode=${pc}`, '/api/v1/supply-points?postcode=ZE9%209ZZ');
          await same(`/supplier/v1?postcode=${pc}`, '/supplier/v1?postcode=ZE9%209ZZ');
        }
        // Bulk: the row for the other organisation's MPRN is the row of an MPRN that does not exist.
        const bulk = async (mprn: string) => {
          const res = await t.app.inject({
            method: 'POST',
            url: '/api/v1/des/bulk-enquiries',
            headers: { authorization: `Bearer ${a.token}`, 'content-type': 'text/csv' },
            payload: `mprn\n${mprn}\n`,
          });
          assert.equal(res.statusCode, 202, res.body);
          const job = res.json();
          const csv = await t.api(a.token, `/api/v1/des/bulk-enquiries/${job.id}/results.csv`);
          return {
            counts: [job.status, job.found, job.not_found, job.mprns],
            csv: csv.body.replace(mprn, 'M'),
          };
        };
        assert.deepEqual(await bulk(x), await bulk(y));
        assert.ok(!mine.has(x));
      }
      // The same calls for one of the organisation's own supply points do answer (the test can fail).
      const own = t.rowsIn(a)[0]!;
      assert.equal((await t.api(a.token, `/api/v1/supply-points/${own['mprn']}`)).statusCode, 200);
      assert.equal((await t.api(a.token, `/supplier/v1?mprn=${own['mprn']}`)).statusCode, 200);
    }
    assert.ok(compared > 100, `compared ${compared} pairs`);
  });

  test('the enquiry log is newest first by when enquiries were made, over minutes, and filters by person, channel and London day', async () => {
    const a = org('MAB');
    const row = t.rowsIn(a)[0]!;
    const saved = t.clock.now();
    // Made in this order, at these times: the log's ids follow the order made, its order must follow the times.
    const times = [
      '2026-03-05T10:20:00Z',
      '2026-03-05T10:05:00Z',
      '2026-03-05T10:12:30Z',
      '2026-03-05T00:01:00Z',
      '2026-03-04T23:59:00Z',
    ];
    try {
      for (const at of times) {
        t.clock.set(new Date(at));
        assert.equal((await t.api(a.token, `/api/v1/supply-points/${row['mprn']}`)).statusCode, 200);
      }
    } finally {
      t.clock.set(saved);
    }
    type Item = { id: string; occurred_at: string; user: string; channel: string };
    const log = async (q: string) => {
      const res = await t.api(a.token, `/api/v1/des/enquiries?${q}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { items: Item[]; next_cursor: string | null };
    };
    const all = (await log('limit=500')).items;
    const ours = all.filter((i) => times.includes(i.occurred_at.replace('.000Z', 'Z')));
    assert.deepEqual(
      ours.map((i) => i.occurred_at),
      [...times]
        .sort()
        .reverse()
        .map((x) => new Date(x).toISOString()),
      'newest first by time',
    );
    const stamps = all.map((i) => i.occurred_at);
    assert.deepEqual(stamps, [...stamps].sort().reverse(), 'the whole log newest first');
    // One at a time with the cursor: the same order, no row twice.
    const paged: string[] = [];
    for (let cursor: string | null = ''; cursor !== null;) {
      const page = await log(`limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...page.items.map((i) => i.id));
      cursor = page.next_cursor;
    }
    assert.deepEqual(
      paged,
      all.map((i) => i.id),
    );
    // London days (GMT in March): 23:59 on the 4th is not the 5th; 00:01 on the 5th is.
    const day5 = (await log('from=2026-03-05&to=2026-03-05&limit=500')).items.map((i) => i.occurred_at);
    assert.ok(day5.includes('2026-03-05T00:01:00.000Z') && !day5.includes('2026-03-04T23:59:00.000Z'));
    assert.ok(day5.every((s) => s >= '2026-03-05T00:00:00.000Z' && s < '2026-03-06T00:00:00.000Z'));
    const day4 = (await log('from=2026-03-04&to=2026-03-04&limit=500')).items.map((i) => i.occurred_at);
    assert.ok(day4.includes('2026-03-04T23:59:00.000Z') && !day4.includes('2026-03-05T00:01:00.000Z'));
    // Person and channel.
    const user = all[0]!.user;
    const part = user.slice(1, -3).toUpperCase();
    assert.equal((await log(`user=${encodeURIComponent(part)}&limit=500`)).items.length, all.length);
    assert.equal((await log('user=%25&limit=500')).items.length, 0, '% is not a wildcard');
    assert.deepEqual((await log('channel=web&limit=500')).items, []);
    assert.equal((await log('channel=api&limit=500')).items.length, all.length);
    // Refused with a field error: a date that does not exist, a last day before the first, an unknown channel.
    for (const q of ['from=2026-02-30', 'from=2026-03-05&to=2026-03-04', 'channel=fax']) {
      const res = await t.api(a.token, `/api/v1/des/enquiries?${q}`);
      assert.equal(res.statusCode, 400, q);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    }
  });

  test('the LSO sees their own organisation’s enquiry log only', async () => {
    const a = org('MAA');
    const b = org('MAB');
    const rowA = t.rowsIn(a)[0]!;
    const rowB = t.rowsIn(b)[0]!;
    await t.api(a.token, `/api/v1/supply-points/${rowA['mprn']}`);
    await t.api(b.token, `/api/v1/supply-points/${rowB['mprn']}`);
    const logA = await t.api(a.token, '/api/v1/des/enquiries?limit=500');
    assert.equal(logA.statusCode, 200, logA.body);
    const items = logA.json().items as {
      user: string;
      mprns: string[];
      channel: string;
      criteria: { mprn?: string };
    }[];
    assert.ok(items.some((e) => e.mprns.includes(rowA['mprn']!) && e.channel === 'api'));
    assert.ok(
      items.every((e) => e.user === a.email),
      'only organisation A’s users',
    );
    assert.ok(!items.some((e) => e.mprns.includes(rowB['mprn']!) || e.criteria.mprn === rowB['mprn']));
    assert.ok(logA.json().allowance.daily_calls >= 1);
  });

  test('the 12 portfolio-only fields are present inside the portfolio (portfolio-only policy)', async () => {
    const a = org('SHA');
    const body = (await t.api(a.token, `/api/v1/supply-points/${t.rowsIn(a)[1]!['mprn']}`)).json();
    assert.equal(PORTFOLIO_ONLY_FIELDS.length, 12);
    for (const f of PORTFOLIO_ONLY_FIELDS) assert.ok(f in body, f);
  });
});
