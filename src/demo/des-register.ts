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

/**
 * Two showcase sites of UNC's Shipperless and Unregistered process, on Cadent's network (README): a shipperless
 * site whose last registered shipper is NLS (Cadent raises a GSR: it goes to NLS) and an unregistered site NLS
 * asked for (Cadent raises a MUS: it goes to NLS). Generated for a fixed date and seed, so their MPRNs are the same
 * whenever the demo is seeded; `taken` holds MPRNs already in the register (never reused).
 */
export function demoShowcaseSites(orgs: GeneratorOrgs, taken: ReadonlySet<string>): Record<string, string>[] {
  const rows = [
    ...generateRegister({ count: 60, seed: 7010, orgs, businessDate: '2025-12-01', shipperlessEvery: 3 }),
  ].filter(
    (r) => r['network_name'] === 'Cadent' && r['meter_point_status'] === 'LI' && !taken.has(r['mprn']!),
  );
  const shipperless = rows.find((r) => r['last_shipper_short_code']);
  const unregistered = rows.find((r) => r['interested_shipper_short_code']);
  if (!shipperless || !unregistered) throw new Error('the demo showcase sites were not generated');
  return [
    { ...shipperless, last_shipper_short_code: 'NLS' },
    { ...unregistered, interested_shipper_short_code: 'NLS' },
  ];
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
    // the two showcase sites the README names.
    for (const row of generateRegister({ count, seed, orgs, businessDate: first, shipperlessEvery: 50 }))
      state.set(row['mprn']!, row);
    for (const row of demoShowcaseSites(orgs, new Set(state.keys()))) state.set(row['mprn']!, row);
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
        previous: [...state.values()],
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
