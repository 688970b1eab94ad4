/**
 * The portfolio condition in every DES statement, tested in the SQL itself (not after the service filters again):
 * the portfolio list and its paging, the look-up's in_portfolio, and the candidates of search and bulk chunks
 * (portfolio-only and community view) are compared with an independent statement of the rules (des.portfolio_rules:
 * shipper, supplier, MAM, GT/IGT by network, CDSP everything; a group parent sees its children's). Removing any
 * party condition, or the portfolio filter of the search / bulk statement, fails a test here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { makeOrg } from '../../../test/support/factories.ts';
import {
  makeDesActor,
  makeLoad,
  makeSupplyPoints,
  type SupplyPointRow,
} from '../../../test/support/factories/des.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import type { Actor, Role } from '../identity/index.ts';
import { enquiryRepository } from './enquiry/enquiry.repository.ts';
import { CURRENT, portfolioRepository } from './portfolio.repository.ts';

const NOW = new Date('2026-03-05T10:00:00Z');
const D1 = '2026-03-04';
const SHARED_POSTCODE = 'B91 1AA';

interface Org {
  id: string;
  shortCode: string;
  type: string;
  actor: Actor;
  /** Independent of the SQL: whether a register row is in this organisation's portfolio. */
  owns(row: SupplyPointRow): boolean;
}

const actorOf = makeDesActor;

describe('the portfolio condition of every DES statement', () => {
  let t: TestApp;
  let rows: SupplyPointRow[];
  const orgs: Org[] = [];
  const run = () => t.services.desEnquiry.enquiry.run;
  const expected = (o: Org) =>
    rows
      .filter((r) => o.owns(r))
      .map((r) => r['mprn']!)
      .sort();

  before(async () => {
    t = await createTestApp({ now: NOW });
    // 80 supply points; the first 30 share one postcode, with parties alternating, so one search mixes portfolios.
    rows = makeSupplyPoints(80, {
      seed: 31,
      with: (i) =>
        i < 30
          ? {
              postcode: SHARED_POSTCODE,
              shipper_short_code: ['SHA', 'SHB', 'SHC'][i % 3]!,
              current_supplier: ['SUA', 'SUB'][i % 2]!,
            }
          : {},
    });
    const network = rows.find((r) => r['network_name'] && r['network_name'] !== 'Alpha Pipelines')![
      'network_name'
    ]!;
    const add = async (
      o: { type: string; shortCode: string; parentShortCode?: string; networkName?: string },
      owns: (row: SupplyPointRow) => boolean,
      roles: Role[] = ['des_user'],
    ) => {
      const org = await makeOrg(t.services, { name: `Org ${o.shortCode}`, ...o });
      orgs.push({ id: org.id, shortCode: o.shortCode, type: o.type, actor: actorOf(org, roles), owns });
    };
    await add({ type: 'shipper', shortCode: 'GRP' }, (r) => r['shipper_short_code'] === 'SHA');
    await add(
      { type: 'shipper', shortCode: 'SHA', parentShortCode: 'GRP' },
      (r) => r['shipper_short_code'] === 'SHA',
    );
    await add({ type: 'shipper', shortCode: 'SHB' }, (r) => r['shipper_short_code'] === 'SHB');
    await add({ type: 'supplier', shortCode: 'SUA' }, (r) => r['current_supplier'] === 'SUA');
    await add({ type: 'mam', shortCode: 'MAB' }, (r) => r['mam_short_code'] === 'MAB');
    await add({ type: 'gt', shortCode: 'GTX', networkName: network }, (r) => r['network_name'] === network);
    await add(
      { type: 'igt', shortCode: 'IGA', networkName: 'Alpha Pipelines' },
      (r) => r['network_name'] === 'Alpha Pipelines',
    );
    await add({ type: 'cdsp', shortCode: 'CDX' }, () => true, ['cdsp_resolver']);
    await makeLoad(t.services, rows, { businessDate: '2026-03-03' });
    // Each rule selects some supply points and leaves others out (else the comparisons below prove nothing).
    for (const o of orgs) {
      const n = expected(o).length;
      assert.ok(n > 0 && (n < rows.length || o.type === 'cdsp'), `${o.shortCode}: ${n} of ${rows.length}`);
    }
  });
  after(() => t.cleanup());

  test('the portfolio list is exactly the rule’s supply points, and pages by MPRN', async () => {
    for (const o of orgs) {
      const list = await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
        portfolioRepository.portfolio(trx, { organisationId: o.id, asAt: D1, knowledge: CURRENT }),
      );
      assert.deepEqual(list, expected(o), o.shortCode);
      const paged: string[] = [];
      let afterMprn: string | undefined;
      for (;;) {
        const page = await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
          portfolioRepository.portfolio(trx, {
            organisationId: o.id,
            asAt: D1,
            knowledge: CURRENT,
            after: afterMprn,
            limit: 7,
          }),
        );
        paged.push(...page);
        if (page.length < 7) break;
        afterMprn = page[page.length - 1];
      }
      assert.deepEqual(paged, expected(o), `${o.shortCode} paged`);
    }
  });

  test('the look-up’s in_portfolio is the rule, for every supply point and organisation', async () => {
    for (const o of orgs) {
      for (const r of rows.filter((_, i) => i % 3 === 0)) {
        const row = await enquiryRepository.detail(run(), o.id, r['mprn']!, D1, CURRENT);
        assert.equal(row?.in_portfolio, o.owns(r), `${o.shortCode} ${r['mprn']}`);
      }
    }
  });

  test('a bulk chunk and a search return exactly the portfolio’s rows (portfolio-only), or all flagged (community)', async () => {
    const all = rows.map((r) => r['mprn']!);
    for (const o of orgs) {
      const chunk = await enquiryRepository.match(run(), {
        organisationId: o.id,
        asAt: D1,
        filter: { mprns: all },
        community: false,
      });
      assert.deepEqual(chunk.map((r) => r.mprn).sort(), expected(o), `${o.shortCode} bulk chunk`);
      const community = await enquiryRepository.match(run(), {
        organisationId: o.id,
        asAt: D1,
        filter: { mprns: all },
        community: true,
      });
      assert.deepEqual(
        community.map((r) => [r.mprn, r.in_portfolio]).sort(),
        rows.map((r) => [r['mprn'], o.owns(r)]).sort(),
        `${o.shortCode} community`,
      );
      const search = await enquiryRepository.match(run(), {
        organisationId: o.id,
        asAt: D1,
        filter: { criteria: { postcode: SHARED_POSTCODE } },
        community: false,
      });
      assert.deepEqual(
        search.map((r) => r.mprn).sort(),
        expected(o).filter((m) => rows.find((r) => r['mprn'] === m)!['postcode'] === SHARED_POSTCODE),
        `${o.shortCode} search`,
      );
    }
  });

  test('search pages are full: paging counts portfolio rows only (the SQL filters before LIMIT)', async () => {
    const enquiry = t.services.desEnquiry.enquiry;
    for (const o of orgs.filter((x) => x.type !== 'cdsp')) {
      const want = expected(o).filter(
        (m) => rows.find((r) => r['mprn'] === m)!['postcode'] === SHARED_POSTCODE,
      );
      const got: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await enquiry.search(
          o.actor,
          { postcode: SHARED_POSTCODE },
          { cursor, limit: 2 },
          'api',
        );
        got.push(...page.items.map((i) => i.mprn));
        if (!page.nextCursor) {
          assert.ok(page.items.length <= 2);
          break;
        }
        assert.equal(page.items.length, 2, `${o.shortCode}: a page before the last is full`);
        cursor = page.nextCursor;
      }
      assert.deepEqual(got.sort(), want, o.shortCode);
    }
  });
});
