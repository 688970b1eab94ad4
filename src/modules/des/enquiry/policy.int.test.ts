/**
 * DES enquiry policies: the community view (operator switch CDSP_DES_COMMUNITY_VIEW) and call allowances (daily and
 * annual, 429 with Retry-After on the API, a plain page on the web).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { inScope, SYSTEM_SCOPE } from '../../../platform/db/scope.ts';
import { PORTFOLIO_ONLY_FIELDS } from '../register/index.ts';
import { makeUser, TEST_PASSWORD } from '../../../../test/support/factories.ts';
import { signInAndEnrol } from '../../../../test/support/web-client.ts';
import { createEnquiryTestApp, type EnquiryTestApp } from '../../../../test/support/des-enquiry.ts';

describe('community view (operator policy on)', () => {
  let t: EnquiryTestApp;
  before(async () => {
    t = await createEnquiryTestApp({
      supplyPoints: 120,
      dates: ['2026-03-02', '2026-03-03'],
      env: { CDSP_DES_COMMUNITY_VIEW: 'true' },
    });
  });
  after(() => t.cleanup());

  test('outside the portfolio the 12 portfolio-only fields are absent; inside they are present', async () => {
    assert.equal(PORTFOLIO_ONLY_FIELDS.length, 12);
    let outsideChecked = 0;
    for (const a of t.orgs) {
      const inside = t.rowsIn(a)[0];
      const outside = t.rowsOutside(a).slice(0, 3);
      for (const r of outside) {
        const res = await t.api(a.token, `/api/v1/supply-points/${r['mprn']}`);
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        assert.equal(body.in_portfolio, false);
        for (const f of PORTFOLIO_ONLY_FIELDS) assert.ok(!(f in body), `${a.shortCode}: ${f} absent`);
        assert.equal(
          body.shipper_short_code,
          r['shipper_short_code'] || null,
          'the community fields are there',
        );
        const ges = (await t.api(a.token, `/supplier/v1?mprn=${r['mprn']}`)).json().supplier;
        for (const f of PORTFOLIO_ONLY_FIELDS) assert.ok(!(f in ges), `GES ${f} absent`);
        const history = (await t.api(a.token, `/api/v1/supply-points/${r['mprn']}/history`)).json()
          .changes as {
          field: string;
        }[];
        assert.ok(history.length > 0);
        assert.ok(
          history.every((c) => !PORTFOLIO_ONLY_FIELDS.includes(c.field)),
          'history masks them too',
        );
        const found = (await t.api(a.token, `/api/v1/supply-points?mprn=${r['mprn']}`)).json().items;
        assert.equal(found.length, 1);
        for (const f of PORTFOLIO_ONLY_FIELDS) assert.ok(!(f in found[0]), `search ${f} absent`);
        outsideChecked++;
      }
      if (inside) {
        const body = (await t.api(a.token, `/api/v1/supply-points/${inside['mprn']}`)).json();
        assert.equal(body.in_portfolio, true);
        for (const f of PORTFOLIO_ONLY_FIELDS) assert.ok(f in body, `${a.shortCode}: ${f} present`);
        assert.equal(body.meter_model, inside['meter_model'] || null);
      }
    }
    assert.ok(outsideChecked >= 20);
  });
});

describe('allowances', () => {
  let t: EnquiryTestApp;
  before(async () => {
    t = await createEnquiryTestApp({ supplyPoints: 60, dates: ['2026-03-03'] });
  });
  after(() => t.cleanup());

  const setUsage = async (organisationId: string, period: 'day' | 'year', start: string, calls: number) => {
    await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      sql`INSERT INTO des.enquiry_usage VALUES (${organisationId}::uuid, ${period}, ${start}::date, ${calls})
          ON CONFLICT (organisation_id, period, period_start) DO UPDATE SET calls = excluded.calls`.execute(
        trx,
      ),
    );
    t.services.desEnquiry.enquiry.gate.invalidate(organisationId);
  };

  test('over the daily allowance the API answers 429 with Retry-After until midnight', async () => {
    const a = t.orgs[0]!;
    const row = t.rowsIn(a)[0]!;
    // The standard band allows 2,000 calls a day: 1,999 used, one left.
    await setUsage(a.id, 'day', '2026-03-05', 1999);
    assert.equal((await t.api(a.token, `/api/v1/supply-points/${row['mprn']}`)).statusCode, 200);
    for (const url of [
      `/api/v1/supply-points/${row['mprn']}`,
      `/api/v1/supply-points?postcode=${encodeURIComponent(row['postcode']!)}`,
      `/api/v1/supply-points/${row['mprn']}/history`,
      `/supplier/v1?mprn=${row['mprn']}`,
    ]) {
      const res = await t.api(a.token, url);
      assert.equal(res.statusCode, 429, url);
      assert.match(String(res.headers['content-type']), /problem\+json/);
      // 10:00 UTC on 5 March (GMT) → midnight is 14 hours away.
      assert.equal(res.headers['retry-after'], String(14 * 3600));
      assert.match(res.json().title, /daily allowance of 2,000 enquiries/);
    }
    // The counter is in the database: 2,000 calls today.
    const usage = await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      sql<{
        calls: string;
      }>`SELECT calls::text FROM des.enquiry_usage WHERE organisation_id = ${a.id}::uuid AND period = 'day'`.execute(
        trx,
      ),
    );
    assert.equal(usage.rows[0]?.calls, '2000');
    // Another organisation is not affected.
    const b = t.orgs[1]!;
    assert.notEqual((await t.api(b.token, `/api/v1/supply-points/${row['mprn']}`)).statusCode, 429);
    // Tomorrow the allowance is fresh.
    t.clock.set(new Date('2026-03-06T10:00:00Z'));
    try {
      assert.equal((await t.api(a.token, `/api/v1/supply-points/${row['mprn']}`)).statusCode, 200);
    } finally {
      t.clock.set(new Date('2026-03-05T10:00:00Z'));
    }
  });

  test('over the annual allowance: 429 until 1 January; a larger band lifts it', async () => {
    const a = t.orgs[2]!;
    const row = t.rowsIn(a)[0]!;
    await setUsage(a.id, 'year', '2026-01-01', 250_000);
    const res = await t.api(a.token, `/api/v1/supply-points/${row['mprn']}`);
    assert.equal(res.statusCode, 429);
    const expected = Math.ceil(
      (Date.parse('2027-01-01T00:00:00Z') - Date.parse('2026-03-05T10:00:00Z')) / 1000,
    );
    assert.equal(res.headers['retry-after'], String(expected));
    await t.services.desEnquiry.enquiry.assignBand(a.id, 'enhanced', 'test');
    assert.equal((await t.api(a.token, `/api/v1/supply-points/${row['mprn']}`)).statusCode, 200);
  });

  test('over the allowance the web page says so plainly', async () => {
    const a = t.orgs[3]!;
    const user = await makeUser(t.services, {
      orgShortCode: a.shortCode,
      roles: ['des_user'],
      password: TEST_PASSWORD,
    });
    const { client } = await signInAndEnrol(t.app, t.clock, user.email, TEST_PASSWORD);
    await setUsage(a.id, 'day', '2026-03-05', 2000);
    const res = await client.get('/des?postcode=B91+1AA');
    assert.equal(res.statusCode, 429);
    assert.ok(res.headers['retry-after']);
    assert.match(res.body, /Your organisation has used its enquiry allowance/);
    assert.match(res.body, /daily allowance of 2,000 enquiries/);
  });
});
