/**
 * Register data files: writing generated rows in the load format, and the demo register (generated, then
 * loaded through the real loader for a few past business dates with daily changes, so history is meaningful).
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays, londonDateOf, type Clock } from '../../platform/clock.ts';
import { DEMO_ORGS } from '../../demo/demo-world.ts';
import type { AuditActor } from '../audit/index.ts';
import {
  generateChanges,
  generateRegister,
  REGISTER_FIELD_NAMES,
  toCsvLine,
  type GeneratorOrgs,
} from './register/index.ts';
import type { DesLoadService, LoadSummary } from './load.service.ts';

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

/** Writes rows (field → text) as a load file with every register column; returns the number of rows. */
export async function writeLoadFile(
  path: string,
  rows: Iterable<Record<string, string>> | AsyncIterable<Record<string, string>>,
): Promise<number> {
  const out = createWriteStream(path);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write(toCsvLine(REGISTER_FIELD_NAMES, '\n'));
  let n = 0;
  let buf = '';
  for await (const row of rows) {
    buf += toCsvLine(
      REGISTER_FIELD_NAMES.map((f) => row[f] ?? ''),
      '\n',
    );
    n++;
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  out.end();
  await once(out, 'finish');
  return n;
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
    for (const row of generateRegister({ count, seed, orgs, businessDate: first }))
      state.set(row['mprn']!, row);
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
