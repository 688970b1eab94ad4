/**
 * The portfolio condition in every DES statement, tested in the SQL itself (not after the service filters again):
 * the portfolio list and its paging, the look-up's in_portfolio, and the candidates of search and bulk chunks
 * (portfolio-only and community view) are compared with an independent statement of the rules (des.portfolio_rules:
 * shipper, supplier, MAM, GT/IGT by network, CDSP everything; a group parent's user sees its children's only with
 * the group grant). Removing any party condition, the group-grant condition, or the portfolio filter of the search /
 * bulk statement, fails a test here.
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
import { desRepository } from './des.repository.ts';
import { enquiryRepository } from './enquiry/enquiry.repository.ts';
import { CURRENT, portfolioRepository, viewerOf, type Viewer } from './portfolio.repository.ts';

const NOW = new Date('2026-03-05T10:00:00Z');
const D1 = '2026-03-04';
const SHARED_POSTCODE = 'B91 1AA';

interface Org {
  id: string;
  /** Distinct label (two users of one organisation: with and without the group grant). */
  shortCode: string;
  type: string;
  actor: Actor;
  viewer: Viewer;
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
      const actor = actorOf(org, roles);
      orgs.push({ id: org.id, shortCode: o.shortCode, type: o.type, actor, viewer: viewerOf(actor), owns });
      return orgs[orgs.length - 1]!;
    };
    // The group parent GRP holds nothing itself: its user without the group grant sees nothing, with it SHA's.
    const grp = await add({ type: 'shipper', shortCode: 'GRP' }, () => false);
    const sha = await add(
      { type: 'shipper', shortCode: 'SHA', parentShortCode: 'GRP' },
      (r) => r['shipper_short_code'] === 'SHA',
    );
    const granted: Actor = { ...grp.actor, visibleOrganisationIds: [grp.id, sha.id] };
    orgs.push({
      ...grp,
      shortCode: 'GRP+grant',
      actor: granted,
      viewer: viewerOf(granted),
      owns: (r) => r['shipper_short_code'] === 'SHA',
    });
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
    // Each rule selects some supply points and leaves others out (else the comparisons below prove nothing); the
    // group parent without the grant selects none.
    for (const o of orgs) {
      const n = expected(o).length;
      if (o.shortCode === 'GRP') assert.equal(n, 0);
      else
        assert.ok(n > 0 && (n < rows.length || o.type === 'cdsp'), `${o.shortCode}: ${n} of ${rows.length}`);
    }
  });
  after(() => t.cleanup());

  test('the portfolio list is exactly the rule’s supply points, and pages by MPRN', async () => {
    for (const o of orgs) {
      const list = await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
        portfolioRepository.portfolio(trx, { viewer: o.viewer, asAt: D1, knowledge: CURRENT }),
      );
      assert.deepEqual(list, expected(o), o.shortCode);
      const paged: string[] = [];
      let afterMprn: string | undefined;
      for (;;) {
        const page = await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
          portfolioRepository.portfolio(trx, {
            viewer: o.viewer,
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
        const q = { viewer: o.viewer, mprn: r['mprn']!, asAt: D1, knowledge: CURRENT };
        const community = await enquiryRepository.detail(run(), { ...q, community: true });
        assert.equal(community?.in_portfolio, o.owns(r), `${o.shortCode} ${r['mprn']}`);
        const portfolioOnly = await enquiryRepository.detail(run(), { ...q, community: false });
        assert.equal(portfolioOnly?.mprn, o.owns(r) ? r['mprn'] : undefined, `${o.shortCode} ${r['mprn']}`);
      }
    }
  });

  test('a bulk chunk and a search return exactly the portfolio’s rows (portfolio-only), or all flagged (community)', async () => {
    const all = rows.map((r) => r['mprn']!);
    for (const o of orgs) {
      const chunk = await enquiryRepository.match(run(), {
        viewer: o.viewer,
        asAt: D1,
        filter: { mprns: all },
        community: false,
      });
      assert.deepEqual(chunk.map((r) => r.mprn).sort(), expected(o), `${o.shortCode} bulk chunk`);
      const community = await enquiryRepository.match(run(), {
        viewer: o.viewer,
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
        viewer: o.viewer,
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

describe('the rule over time, in the SQL: each version by who held it on its business dates', () => {
  let t: TestApp;
  const DATES = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04'];
  const FIELDS = ['shipper_short_code', 'confirmation_reference_number', 'postcode'];
  /** The register on each business date (the model, independent of the SQL). */
  const states = new Map<string, Map<string, SupplyPointRow>>();
  const viewers: { label: string; viewer: Viewer; codes: string[] }[] = [];
  const stateOn = (d: string) =>
    states.get(
      [...states.keys()]
        .filter((k) => k <= d)
        .sort()
        .pop()!,
    )!;

  before(async () => {
    t = await createTestApp({ now: NOW });
    const grp = await makeOrg(t.services, { type: 'shipper', shortCode: 'GRP', name: 'Group' });
    const sha = await makeOrg(t.services, { type: 'shipper', shortCode: 'SHA', parentShortCode: 'GRP' });
    const shb = await makeOrg(t.services, { type: 'shipper', shortCode: 'SHB' });
    viewers.push(
      { label: 'SHA', viewer: { organisationId: sha.id, organisationIds: [sha.id] }, codes: ['SHA'] },
      { label: 'SHB', viewer: { organisationId: shb.id, organisationIds: [shb.id] }, codes: ['SHB'] },
      { label: 'GRP', viewer: { organisationId: grp.id, organisationIds: [grp.id] }, codes: [] },
      {
        label: 'GRP+grant',
        viewer: { organisationId: grp.id, organisationIds: [grp.id, sha.id] },
        codes: ['SHA'],
      },
    );
    // 12 supply points, SHA's and SHB's alternately; on 03-03 the first four change hands with a new confirmation.
    const first = makeSupplyPoints(12, {
      seed: 5,
      businessDate: DATES[0],
      with: (i) => ({
        shipper_short_code: i % 2 === 0 ? 'SHA' : 'SHB',
        confirmation_reference_number: `${10_000 + i}`,
      }),
    });
    states.set(DATES[0]!, new Map(first.map((r) => [r['mprn']!, r])));
    await makeLoad(t.services, first, { businessDate: DATES[0]! });
    const moved = first.slice(0, 4).map((r, i): SupplyPointRow => ({
      ...r,
      shipper_short_code: r['shipper_short_code'] === 'SHA' ? 'SHB' : 'SHA',
      confirmation_reference_number: `${20_000 + i}`,
    }));
    states.set(
      DATES[2]!,
      new Map([...states.get(DATES[0]!)!, ...moved.map((r) => [r['mprn']!, r] as const)]),
    );
    await makeLoad(t.services, moved, { businessDate: DATES[2]! });
  });
  after(() => t.cleanup());

  test('as at each date: a supply point is there exactly when the viewer held it that day', async () => {
    const run = t.services.desEnquiry.enquiry.run;
    for (const v of viewers) {
      for (const d of DATES) {
        for (const row of stateOn(d).values()) {
          const got = await enquiryRepository.detail(run, {
            viewer: v.viewer,
            mprn: row['mprn']!,
            asAt: d,
            knowledge: CURRENT,
            community: false,
          });
          const held = v.codes.includes(row['shipper_short_code']!);
          assert.equal(
            got?.confirmation_reference_number ?? null,
            held ? row['confirmation_reference_number'] : null,
          );
          const list = await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
            portfolioRepository.isInPortfolio(trx, {
              viewer: v.viewer,
              asAt: d,
              knowledge: CURRENT,
              mprn: row['mprn']!,
            }),
          );
          assert.equal(list, held, `${v.label} ${row['mprn']} ${d}`);
        }
      }
    }
  });

  test('history: the changes of the versions the viewer held, "from" only from a version it held too', async () => {
    for (const v of viewers) {
      for (const mprn of states.get(DATES[0]!)!.keys()) {
        const expected: string[] = [];
        let prev: SupplyPointRow | null = null;
        for (const d of [DATES[0]!, DATES[2]!]) {
          const cur = states.get(d)!.get(mprn)!;
          if (d !== DATES[0] && cur === prev) continue; // not changed that day: no version
          const held = (r: SupplyPointRow | null) => r !== null && v.codes.includes(r['shipper_short_code']!);
          if (held(cur)) {
            for (const f of FIELDS) {
              const from = held(prev) ? (prev![f] ?? null) : null;
              if (from !== cur[f]) expected.push(`${d} ${f} ${from} -> ${cur[f]}`);
            }
          }
          prev = cur;
        }
        const rows = await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
          desRepository.timeline(trx, { viewer: v.viewer, mprn, upToDate: D1, community: false }),
        );
        const actual = rows
          .filter((r) => FIELDS.includes(r.field))
          .map((r) => `${r.effective_date} ${r.field} ${r.old_value} -> ${r.new_value}`);
        assert.deepEqual(actual.sort(), expected.sort(), `${v.label} ${mprn}`);
      }
    }
  });
});
