/**
 * DES factories: supply points (complete, valid register rows, deterministic for a seed, with overrides) and loads
 * (rows written as a load file and applied by the real loader, so every test's register went through the load path).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Services } from '../../../src/composition.ts';
import {
  generateRegister,
  writeLoadFile,
  type GeneratorOrgs,
  type LoadSummary,
} from '../../../src/modules/des/index.ts';
import { permissionsFor, type Actor, type Role } from '../../../src/modules/identity/index.ts';
import { TEST_ACTOR } from '../factories.ts';

/** The parties of factory supply points (the DES test organisations' short codes). */
export const DES_TEST_ORGS: GeneratorOrgs = {
  shippers: ['SHA', 'SHB', 'SHC'],
  suppliers: ['SUA', 'SUB'],
  mams: ['MAA', 'MAB'],
  igts: [{ shortCode: 'IGA', networkName: 'Alpha Pipelines' }],
};

export type SupplyPointRow = Record<string, string>;

/**
 * `count` supply points (every register column; '' = null), the same for the same seed; `with(i, row)` overrides
 * fields of the i-th (e.g. its shipper or postcode).
 */
export function makeSupplyPoints(
  count: number,
  o: {
    seed?: number;
    orgs?: GeneratorOrgs;
    businessDate?: string;
    with?: (i: number, row: SupplyPointRow) => Partial<SupplyPointRow>;
  } = {},
): SupplyPointRow[] {
  const rows = [
    ...generateRegister({
      count,
      seed: o.seed ?? 7,
      orgs: o.orgs ?? DES_TEST_ORGS,
      businessDate: o.businessDate ?? '2026-02-20',
    }),
  ];
  return rows.map((r, i) => {
    const over = o.with?.(i, r) ?? {};
    const out: SupplyPointRow = { ...r };
    for (const [k, v] of Object.entries(over)) if (v !== undefined) out[k] = v;
    return out;
  });
}

/**
 * Loads `rows` for `businessDate` through the real loader (a load file in a temporary folder); fails the test when
 * any row is rejected. Returns the load's summary.
 */
export async function makeLoad(
  s: Pick<Services, 'des'>,
  rows: Iterable<SupplyPointRow>,
  o: { businessDate: string; correction?: boolean },
): Promise<LoadSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'cdsp-des-factory-'));
  try {
    const path = join(dir, `register-${o.businessDate}.csv`);
    await writeLoadFile(path, rows);
    const summary = await s.des.loads.load({
      path,
      businessDate: o.businessDate,
      correction: o.correction ?? false,
      actor: TEST_ACTOR,
      source: 'seed',
    });
    if (summary.rejected > 0)
      throw new Error(`factory load for ${o.businessDate} rejected ${summary.rejected} rows`);
    return summary;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An actor of `org` with `roles`, as the DES services receive it (no session or token behind it). */
export function makeDesActor(
  org: { id: string; name: string; type: string; shortCode: string },
  roles: Role[] = ['des_user'],
): Actor {
  return {
    userId: '00000000-0000-4000-8000-000000000001',
    email: `des-${org.shortCode.toLowerCase()}@test.example`,
    name: 'DES user',
    organisationId: org.id,
    organisationName: org.name,
    organisationType: org.type,
    organisationShortCode: org.shortCode,
    roles,
    permissions: permissionsFor(roles),
    visibleOrganisationIds: [org.id],
    via: 'session',
    tokenId: null,
  };
}
