/**
 * DES visibility over time (docs/security.md, "DES visibility over time"), over HTTP on every read path: a version
 * of a supply point is visible to an organisation when it held a right to it on that version's business date, group
 * children only with the user's group grant, portfolio-only fields only from the periods it held. And "not yours"
 * does the same work as "does not exist": the same statements, returning the same number of rows, executing the
 * same plan nodes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestApp, type TestApp } from '../../../../test/support/app.ts';
import { makeApiKey, makeOrg } from '../../../../test/support/factories.ts';
import { makeLoad, makeSupplyPoints, type SupplyPointRow } from '../../../../test/support/factories/des.ts';
import { TEST_ACTOR } from '../../../../test/support/factories.ts';
import { mprnWithCheckDigits } from '../../../platform/gas/mprn.ts';
import { CURRENT } from '../portfolio.repository.ts';
import { detailSql } from './enquiry.repository.ts';
import type { HistoryChange } from '../../../../test/support/des-enquiry.ts';

const NOW = new Date('2026-03-05T10:00:00Z'); // D-1 = 2026-03-04
const POSTCODE_X = 'ZE1 0AA';
const POSTCODE_CHILD = 'ZE2 0BB';

describe('DES visibility over time, and the group grant, on every read path', () => {
  let t: TestApp;
  let x: SupplyPointRow; // SHA's from 03-01, SHB's from 03-03
  let child: SupplyPointRow; // the group child KID's
  let other: SupplyPointRow; // never SHA's
  let absent: string;
  let sha: string;
  const tokens: Record<string, string> = {};

  const api = (who: string, url: string) =>
    t.app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${tokens[who]}`, 'x-request-id': 'req-visibility-01' },
    });
  const bulk = async (who: string, mprn: string) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/des/bulk-enquiries',
      headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'text/csv' },
      payload: `mprn\n${mprn}\n`,
    });
    assert.equal(res.statusCode, 202, res.body);
    const job = res.json();
    const csv = await api(who, `/api/v1/des/bulk-enquiries/${job.id}/results.csv`);
    return { found: job.found as number, csv: csv.body.replace(mprn, 'M') };
  };

  before(async () => {
    t = await createTestApp({ now: NOW });
    const user = async (org: string, code: string, groupVisibility = false) => {
      const u = await t.services.identity.createUser(
        {
          organisationShortCode: org,
          email: `${code.toLowerCase()}@visibility.example`,
          name: code,
          roles: ['des_user', 'des_bulk'],
          groupVisibility,
        },
        TEST_ACTOR,
      );
      tokens[code] = (await makeApiKey(t.services, u.email)).token;
    };
    sha = (await makeOrg(t.services, { type: 'shipper', shortCode: 'SHA', name: 'Shipper A' })).id;
    await makeOrg(t.services, { type: 'shipper', shortCode: 'SHB', name: 'Shipper B' });
    await makeOrg(t.services, { type: 'shipper', shortCode: 'GRP', name: 'Group parent' });
    await makeOrg(t.services, {
      type: 'shipper',
      shortCode: 'KID',
      name: 'Group child',
      parentShortCode: 'GRP',
    });
    await user('SHA', 'SHA');
    await user('SHB', 'SHB');
    await user('GRP', 'GRP');
    await user('GRP', 'GRPGRANT', true);
    await user('KID', 'KID');

    const rows = makeSupplyPoints(4, {
      seed: 43,
      businessDate: '2026-03-01',
      with: (i) =>
        [
          {
            shipper_short_code: 'SHA',
            current_supplier: 'SUA',
            mam_short_code: 'MAA',
            confirmation_reference_number: '11111111',
            postcode: POSTCODE_X,
            meter_model: 'MODEL-A1',
          },
          {
            shipper_short_code: 'KID',
            current_supplier: 'SUA',
            mam_short_code: 'MAA',
            postcode: POSTCODE_CHILD,
          },
          { shipper_short_code: 'SHB', current_supplier: 'SUB', mam_short_code: 'MAB' },
          { shipper_short_code: 'SHC', current_supplier: 'SUB', mam_short_code: 'MAB' },
        ][i] ?? {},
    });
    [x, child, other] = rows as [SupplyPointRow, SupplyPointRow, SupplyPointRow];
    await makeLoad(t.services, rows, { businessDate: '2026-03-01' });
    // 03-02: a change within SHA's period (a portfolio-only field).
    await makeLoad(t.services, [{ ...x, meter_model: 'MODEL-A2' }], { businessDate: '2026-03-02' });
    // 03-03: SHB registers the site with its own confirmation.
    await makeLoad(
      t.services,
      [
        {
          ...x,
          meter_model: 'MODEL-A2',
          shipper_short_code: 'SHB',
          confirmation_reference_number: '22222222',
          confirmation_effective_date: '2026-03-03',
        },
      ],
      { businessDate: '2026-03-03' },
    );
    // 03-04: a change within SHB's period.
    await makeLoad(
      t.services,
      [
        {
          ...x,
          meter_model: 'MODEL-B1',
          shipper_short_code: 'SHB',
          confirmation_reference_number: '22222222',
          confirmation_effective_date: '2026-03-03',
        },
      ],
      { businessDate: '2026-03-04' },
    );
    for (let body = 7_100_003; ; body += 7919) {
      const m = mprnWithCheckDigits(String(body));
      if (![x, child, other].some((r) => r['mprn'] === m) && !rows.some((r) => r['mprn'] === m)) {
        absent = m;
        break;
      }
    }
  });
  after(() => t.cleanup());

  /** The answer for an MPRN that does not exist, at the same URL shape. */
  const sameAsAbsent = async (who: string, url: (mprn: string) => string, mprn: string) => {
    const a = await api(who, url(mprn));
    const b = await api(who, url(absent));
    assert.equal(a.statusCode, 404, `${who} ${url(mprn)}: ${a.body}`);
    assert.equal(a.statusCode, b.statusCode);
    assert.equal(a.headers['content-type'], b.headers['content-type']);
    assert.equal(a.body, b.body, `${who} ${url(mprn)}`);
  };

  test('a former shipper sees its own period’s record as at a date in it, and nothing after', async () => {
    const m = x['mprn']!;
    const own = await api('SHA', `/api/v1/supply-points/${m}?as_at=2026-03-02`);
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.json().shipper_short_code, 'SHA');
    assert.equal(own.json().confirmation_reference_number, '11111111');
    assert.equal(own.json().meter_model, 'MODEL-A2');
    await sameAsAbsent('SHA', (n) => `/api/v1/supply-points/${n}?as_at=2026-03-03`, m);
    await sameAsAbsent('SHA', (n) => `/api/v1/supply-points/${n}?as_at=2026-03-04`, m);
    await sameAsAbsent('SHA', (n) => `/api/v1/supply-points/${n}`, m);
    await sameAsAbsent('SHA', (n) => `/supplier/v1?mprn=${n}`, m);
    const known = NOW.toISOString();
    const asKnown = await api('SHA', `/api/v1/supply-points/${m}?as_at=2026-03-01&as_known_at=${known}`);
    assert.equal(asKnown.statusCode, 200, asKnown.body);
    assert.equal(asKnown.json().meter_model, 'MODEL-A1');
    await sameAsAbsent('SHA', (n) => `/api/v1/supply-points/${n}?as_at=2026-03-04&as_known_at=${known}`, m);
  });

  test('a former shipper’s history is its own period’s changes only', async () => {
    const res = await api('SHA', `/api/v1/supply-points/${x['mprn']}/history`);
    assert.equal(res.statusCode, 200, res.body);
    const changes = res.json().changes as HistoryChange[];
    assert.ok(changes.length > 0);
    assert.ok(
      changes.every((c) => c.effective_date < '2026-03-03'),
      `nothing from after SHA lost the site: ${JSON.stringify(changes)}`,
    );
    assert.ok(changes.some((c) => c.field === 'meter_model' && c.from === 'MODEL-A1' && c.to === 'MODEL-A2'));
    assert.doesNotMatch(res.body, /22222222|MODEL-B1|"SHB"/);
  });

  test('a new shipper never sees its predecessor’s portfolio-only fields, as at, as known at or in history', async () => {
    const m = x['mprn']!;
    const res = await api('SHB', `/api/v1/supply-points/${m}/history`);
    assert.equal(res.statusCode, 200, res.body);
    const changes = res.json().changes as HistoryChange[];
    assert.ok(
      changes.some((c) => c.field === 'meter_model' && c.to === 'MODEL-B1'),
      res.body,
    );
    assert.ok(
      changes.some((c) => c.field === 'confirmation_reference_number' && c.to === '22222222'),
      res.body,
    );
    assert.ok(
      changes.every((c) => c.effective_date >= '2026-03-03'),
      res.body,
    );
    // Nothing of SHA's period: not its confirmation, not its meter model, not even as the "from" of SHB's first change.
    assert.doesNotMatch(res.body, /11111111|MODEL-A1/, 'nothing of SHA’s period');
    assert.ok(
      changes.filter((c) => c.effective_date === '2026-03-03').every((c) => c.from === null),
      'SHB’s first change comes from nothing it may see',
    );
    await sameAsAbsent('SHB', (n) => `/api/v1/supply-points/${n}?as_at=2026-03-02`, m);
    await sameAsAbsent(
      'SHB',
      (n) => `/api/v1/supply-points/${n}?as_at=2026-03-02&as_known_at=${NOW.toISOString()}`,
      m,
    );
    const now = await api('SHB', `/api/v1/supply-points/${m}?as_at=2026-03-03`);
    assert.equal(now.statusCode, 200);
    assert.equal(now.json().confirmation_reference_number, '22222222');
  });

  test('a supply point an organisation never held answers as one that does not exist, history too', async () => {
    await sameAsAbsent('SHA', (n) => `/api/v1/supply-points/${n}/history`, other['mprn']!);
    await sameAsAbsent('SHA', (n) => `/api/v1/supply-points/${n}?as_at=2026-03-01`, other['mprn']!);
  });

  test('a group parent’s user sees a child’s supply points only with the group grant, on every path', async () => {
    const m = child['mprn']!;
    for (const url of [
      (n: string) => `/api/v1/supply-points/${n}`,
      (n: string) => `/api/v1/supply-points/${n}?as_at=2026-03-02`,
      (n: string) => `/api/v1/supply-points/${n}/history`,
      (n: string) => `/supplier/v1?mprn=${n}`,
    ]) {
      await sameAsAbsent('GRP', url, m);
      const granted = await api('GRPGRANT', url(m));
      assert.equal(granted.statusCode, 200, `${url(m)}: ${granted.body}`);
      assert.equal((await api('KID', url(m))).statusCode, 200);
    }
    const pc = encodeURIComponent(POSTCODE_CHILD);
    const search = await api('GRP', `/api/v1/supply-points?postcode=${pc}`);
    assert.equal(search.statusCode, 200);
    assert.deepEqual(search.json().items, []);
    const ges = await api('GRP', `/supplier/v1?postcode=${pc}`);
    assert.equal(ges.statusCode, 404);
    const grantedSearch = await api('GRPGRANT', `/api/v1/supply-points?postcode=${pc}`);
    assert.deepEqual(
      grantedSearch.json().items.map((i: { mprn: string }) => i.mprn),
      [m],
    );
    assert.equal((await api('GRPGRANT', `/supplier/v1?postcode=${pc}`)).statusCode, 200);
    assert.deepEqual(await bulk('GRP', m), await bulk('GRP', absent));
    assert.equal((await bulk('GRP', m)).found, 0);
    assert.equal((await bulk('GRPGRANT', m)).found, 1);
  });

  describe('“not yours” does the same work as “does not exist” (finding 6)', () => {
    /** Every statement the database is sent while `fn` runs: its text, parameter count and rows returned. */
    async function statements(fn: () => Promise<unknown>): Promise<string[]> {
      const seen: string[] = [];
      const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
      const original = proto.query;
      const note = (
        cfg: unknown,
        values: unknown,
        r: { rowCount?: number | null; rows?: unknown[] } | undefined,
      ) => {
        const text = typeof cfg === 'string' ? cfg : ((cfg as { text?: string }).text ?? '');
        if (/^\s*(SET|RESET) ROLE/i.test(text)) return;
        const params = Array.isArray(values)
          ? values.length
          : ((cfg as { values?: unknown[] }).values?.length ?? 0);
        seen.push(
          `${text.replace(/\s+/g, ' ').trim()} [${params} params] -> ${r?.rows?.length ?? r?.rowCount ?? 0} rows`,
        );
      };
      proto.query = function (this: unknown, ...args: unknown[]) {
        const [cfg, values] = args;
        const last = args[args.length - 1];
        if (typeof last === 'function') {
          const cb = last as (err: unknown, r: unknown) => void;
          args[args.length - 1] = (err: unknown, r: { rows?: unknown[] }) => {
            if (!err) note(cfg, typeof values === 'function' ? undefined : values, r);
            cb(err, r);
          };
          return original.apply(this, args);
        }
        const out = original.apply(this, args);
        if (out && typeof (out as Promise<unknown>).then === 'function') {
          return (out as Promise<{ rows?: unknown[] }>).then((r) => {
            note(cfg, values, r);
            return r;
          });
        }
        return out;
      };
      try {
        await fn();
      } finally {
        proto.query = original;
      }
      return seen;
    }

    test('the detail route sends the same statements, returning the same rows, for another’s MPRN and a missing one', async () => {
      const foreign = other['mprn']!;
      const gate = t.services.desEnquiry.enquiry.gate;
      // The allowance gate re-reads the organisation's counters every 2 s of real time, whatever the MPRN: start
      // each measured call just after a fresh read so that both measure the look-up alone.
      const measured = async (url: string) => {
        gate.invalidate(sha);
        await api('SHA', `/api/v1/supply-points/${absent}?as_at=2026-03-01`);
        return statements(() => api('SHA', url));
      };
      for (const url of [
        (n: string) => `/api/v1/supply-points/${n}`,
        (n: string) => `/api/v1/supply-points/${n}?as_at=2026-03-02`,
        (n: string) => `/api/v1/supply-points/${n}/history`,
        (n: string) => `/supplier/v1?mprn=${n}`,
      ]) {
        const a = await measured(url(foreign));
        const b = await measured(url(absent));
        assert.ok(a.length >= 2, `the look-up and its audit: ${a.join('\n')}`);
        assert.deepEqual(a, b, url('M'));
      }
    });

    test('the look-up statement executes the same plan nodes for another’s MPRN and a missing one', async () => {
      const viewer = { organisationId: sha, organisationIds: [sha] };
      const executed = async (mprn: string) => {
        const c = detailSql(viewer, mprn, '2026-03-04', CURRENT, false).compile(t.database.db);
        const r = await t.database.db.executeQuery<{ 'QUERY PLAN': unknown }>({
          ...c,
          sql: `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, FORMAT JSON) ${c.sql}`,
        });
        const raw = r.rows[0]!['QUERY PLAN'];
        const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
        const out: string[] = [];
        const walk = (n: PlanNode, depth: number) => {
          out.push(
            `${' '.repeat(depth)}${n['Node Type']} ${n['Relation Name'] ?? ''} loops=${n['Actual Loops']}`,
          );
          for (const k of n.Plans ?? []) walk(k, depth + 1);
        };
        walk(plan[0]!.Plan, 0);
        return out;
      };
      const a = await executed(other['mprn']!);
      const b = await executed(absent);
      assert.deepEqual(a, b);
      assert.ok(
        a.some((l) => /portfolio_rules loops=1/.test(l)),
        `the viewer's rights are worked out on both paths:\n${a.join('\n')}`,
      );
    });
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Loops': number;
  Plans?: PlanNode[];
}
