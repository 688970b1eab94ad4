/**
 * Test support for the DES enquiry: a test app with the generator's organisations (shippers, suppliers, MAMs, an
 * IGT) as real organisations with API tokens, and a register loaded day by day through the real loader, keeping
 * the generator's state per business date so tests can say what each supply point was on each day.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from './app.ts';
import { makeOrg, makeUser, TEST_ACTOR } from './factories.ts';
import { DES_TEST_ORGS } from './factories/des.ts';
import { inScope, SYSTEM_SCOPE } from '../../src/platform/db/scope.ts';
import { mprnWithCheckDigits } from '../../src/platform/gas/mprn.ts';
import { generateChanges, generateRegister, writeLoadFile } from '../../src/modules/des/index.ts';

/** One change of a supply point's history, as `GET /api/v1/supply-points/{mprn}/history` answers it. */
export interface HistoryChange {
  field: string;
  from: string | null;
  to: string | null;
  effective_date: string;
}

export interface TestOrg {
  id: string;
  shortCode: string;
  type: string;
  /** The register field and value that put a supply point in this organisation's portfolio. */
  rule: { field: string; value: string };
  token: string;
  email: string;
}

export interface EnquiryTestApp extends TestApp {
  orgs: TestOrg[];
  /** The generator's rows per loaded business date (full state after that day's load). */
  states: Map<string, Map<string, Record<string, string>>>;
  dir: string;
  /** Loads `rows` for `date`, with the clock at 07:00 UTC on the next day (then restored). */
  load(date: string, rows: Iterable<Record<string, string>>): Promise<void>;
  /** Rows of the register as at `date` per the generator's state. */
  stateOn(date: string): Map<string, Record<string, string>>;
  api(token: string, url: string, requestId?: string): Promise<LightMyRequestResponse>;
  /** Rows of the register as at D-1 inside the organisation's portfolio, by the rule (independent of the SQL). */
  rowsIn(org: TestOrg): Record<string, string>[];
  /** Rows of the register as at D-1 outside the organisation's portfolio. */
  rowsOutside(org: TestOrg): Record<string, string>[];
}

export const NOW = new Date('2026-03-05T10:00:00Z');
export const D1 = '2026-03-04';

/**
 * The enquiry test app with a register of `supplyPoints` loaded for the first of `dates`, then a day of changes
 * for each later date (see loadHistory).
 */
export async function createEnquiryTestApp(opts: {
  supplyPoints: number;
  dates: readonly string[];
  env?: NodeJS.ProcessEnv;
}): Promise<EnquiryTestApp> {
  const t = await createTestApp({ now: NOW, env: opts.env });
  const orgs: TestOrg[] = [];
  const add = async (shortCode: string, type: string, field: string, value: string, networkName?: string) => {
    const org = await makeOrg(t.services, {
      shortCode,
      type,
      networkName: networkName ?? null,
      name: `Org ${shortCode}`,
    });
    const user = await makeUser(t.services, {
      orgShortCode: shortCode,
      roles: ['des_user', 'des_bulk', 'lso'],
    });
    const token = await t.services.identity.createToken(
      { email: user.email, label: 'test', scopes: null },
      TEST_ACTOR,
    );
    orgs.push({ id: org.id, shortCode, type, rule: { field, value }, token: token.token, email: user.email });
  };
  for (const s of DES_TEST_ORGS.shippers) await add(s, 'shipper', 'shipper_short_code', s);
  for (const s of DES_TEST_ORGS.suppliers) await add(s, 'supplier', 'current_supplier', s);
  for (const s of DES_TEST_ORGS.mams) await add(s, 'mam', 'mam_short_code', s);
  for (const i of DES_TEST_ORGS.igts)
    await add(i.shortCode, 'igt', 'network_name', i.networkName, i.networkName);
  const dir = mkdtempSync(join(tmpdir(), 'cdsp-enquiry-test-'));
  const states = new Map<string, Map<string, Record<string, string>>>();
  const env: EnquiryTestApp = {
    ...t,
    orgs,
    states,
    dir,
    async load(date, rows) {
      const list = [...rows];
      const prev = [...states.keys()].sort().pop();
      const state = new Map(prev ? states.get(prev) : []);
      for (const r of list) state.set(r['mprn']!, r);
      states.set(date, state);
      const path = join(dir, `register-${date}.csv`);
      await writeLoadFile(path, list);
      const saved = t.clock.now();
      const next = new Date(`${date}T07:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      if (next.getTime() < saved.getTime()) t.clock.set(next);
      try {
        const s = await t.services.des.loads.load({
          path,
          businessDate: date,
          actor: TEST_ACTOR,
          source: 'seed',
        });
        if (s.rejected > 0) throw new Error(`test load for ${date} rejected ${s.rejected} rows`);
      } finally {
        t.clock.set(saved);
      }
    },
    stateOn(date) {
      const d = [...states.keys()]
        .filter((k) => k <= date)
        .sort()
        .pop();
      return d ? states.get(d)! : new Map();
    },
    api(token, url, requestId = 'test-request-0001') {
      return t.app.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${token}`, 'x-request-id': requestId },
      });
    },
    rowsIn(org) {
      return [...env.stateOn(D1).values()].filter((r) => inPortfolioOf(org, r));
    },
    rowsOutside(org) {
      return [...env.stateOn(D1).values()].filter((r) => !inPortfolioOf(org, r));
    },
    async cleanup() {
      await t.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await loadHistory(env, opts.supplyPoints, opts.dates);
  } catch (e) {
    await env.cleanup();
    throw e;
  }
  return env;
}

/** A register of `count` supply points loaded for `first`, then a day of changes for each later date. */
async function loadHistory(
  env: EnquiryTestApp,
  count: number,
  dates: readonly string[],
  opts: { seed?: number; rate?: number } = {},
): Promise<void> {
  const seed = opts.seed ?? 11;
  const [first, ...rest] = dates;
  await env.load(first!, generateRegister({ count, seed, orgs: DES_TEST_ORGS, businessDate: first! }));
  for (const date of rest) {
    const previous = [...env.stateOn(date).values()];
    const changes: Record<string, string>[] = [];
    for await (const r of generateChanges({
      previous,
      rate: opts.rate ?? 0.2,
      seed,
      businessDate: date,
      orgs: DES_TEST_ORGS,
      fullRows: true,
    })) {
      changes.push(r);
    }
    await env.load(date, changes);
  }
}

/** Well-formed MPRNs (valid check digits) that are not in the register. */
export async function absentMprns(env: EnquiryTestApp, n: number, start = 7_000_001): Promise<string[]> {
  const out: string[] = [];
  for (let body = start; out.length < n; body += 7919) {
    const m = mprnWithCheckDigits(String(body));
    const r = await inScope(env.database.db, SYSTEM_SCOPE, (trx) =>
      sql<{ n: number }>`SELECT count(*)::int AS n FROM des.supply_point_versions WHERE mprn = ${m}`.execute(
        trx,
      ),
    );
    if (r.rows[0]?.n === 0) out.push(m);
  }
  return out;
}

/** Whether a register row (as at D-1) is in the organisation's portfolio, by the rule (independent of the SQL). */
export function inPortfolioOf(org: TestOrg, row: Record<string, string>): boolean {
  return (row[org.rule.field] ?? '') === org.rule.value;
}
