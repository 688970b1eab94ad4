/**
 * The demo register: generated with the demo organisations as its parties, then loaded through the real loader for
 * a few past business dates with daily changes, so history is meaningful.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays, londonDateOf, type Clock } from '../platform/clock.ts';
import type { AuditActor } from '../modules/audit/index.ts';
import {
  generateChanges,
  generateRegister,
  writeLoadFile,
  type DesLoadService,
  type GeneratorOrgs,
  type LoadSummary,
} from '../modules/des/index.ts';
import { DEMO_ORGS } from './demo-world.ts';
import { demoShowcaseSites } from './showcase.ts';

/** The demo organisations' short codes, as the generator's parties (src/demo/demo-world.ts). */
export function demoGeneratorOrgs(): GeneratorOrgs {
  const of = (type: string) => DEMO_ORGS.filter((o) => o.type === type).map((o) => o.shortCode);
  return {
    shippers: of('shipper'),
    suppliers: of('supplier'),
    mams: of('mam'),
    igts: DEMO_ORGS.filter((o) => o.type === 'igt' && o.network).map((o) => ({
      shortCode: o.shortCode,
      networkName: o.network!,
    })),
  };
}

const SEEDER: AuditActor = { userId: null, label: 'seed:demo', organisationId: null };

export interface DemoRegisterOptions {
  count?: number;
  seed?: number;
  /** Days of changes after the initial register; the last one is today's (pending until tomorrow). */
  days?: number;
  rate?: number;
}

/**
 * Loads a generated register for the business date `days` days ago, then one change file per day up to today:
 * every day but today is visible to customers (D-1); today's changes are pending (CDSP staff see them).
 * Deterministic for a given clock date and seed.
 */
export async function seedDemoRegister(
  loads: DesLoadService,
  clock: Clock,
  opts: DemoRegisterOptions = {},
): Promise<LoadSummary[]> {
  const count = opts.count ?? 2000;
  const seed = opts.seed ?? 2026;
  const days = opts.days ?? 4;
  const rate = opts.rate ?? 0.03;
  const orgs = demoGeneratorOrgs();
  const today = londonDateOf(clock.now());
  const dir = mkdtempSync(join(tmpdir(), 'cdsp-demo-register-'));
  const summaries: LoadSummary[] = [];
  try {
    const first = addDays(today, -days);
    const state = new Map<string, Record<string, string>>();
    // One site in 50 shipperless (its last shipper a demo shipper) and one in 50 unregistered (UNC's S&U), and
    // the showcase sites the README names (src/demo/showcase.ts), which no generated daily change touches.
    for (const row of generateRegister({ count, seed, orgs, businessDate: first, shipperlessEvery: 50 }))
      state.set(row['mprn']!, row);
    const showcase = new Set<string>();
    for (const row of demoShowcaseSites(orgs, new Set(state.keys())).values()) {
      state.set(row['mprn']!, row);
      showcase.add(row['mprn']!);
    }
    const load = async (date: string, rows: Iterable<Record<string, string>>) => {
      const path = join(dir, `register-${date}.csv`);
      await writeLoadFile(path, rows);
      summaries.push(await loads.load({ path, businessDate: date, actor: SEEDER, source: 'seed' }));
    };
    await load(first, state.values());
    for (let d = 1; d <= days; d++) {
      const date = addDays(first, d);
      const changes: Record<string, string>[] = [];
      for await (const row of generateChanges({
        previous: [...state.values()].filter((r) => !showcase.has(r['mprn']!)),
        rate,
        seed,
        businessDate: date,
        orgs,
        fullRows: true,
      })) {
        changes.push(row);
      }
      for (const row of changes) state.set(row['mprn']!, row);
      await load(date, changes);
    }
    return summaries;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
