/**
 * Test support for the DES module: a migrated database with the DES services (COPY staging on PostgreSQL,
 * INSERT staging on PGlite), and helpers to write load files and read the whole register back.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { DES_TEST_ORGS } from './factories/des.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { AuditService } from '../../src/modules/audit/index.ts';
import { createDes, generateRegister, type DesServices } from '../../src/modules/des/index.ts';
import { REGISTER_FIELD_NAMES, toCsvLine } from '../../src/modules/des/register/index.ts';

export interface DesTestEnv extends TestDatabase {
  des: DesServices;
  audit: AuditService;
  clock: ReturnType<typeof fixedClock>;
  dir: string;
  file(name: string, text: string): string;
}

export async function createDesTestEnv(now = new Date('2026-03-02T10:00:00Z')): Promise<DesTestEnv> {
  const tdb = await createTestDatabase();
  const clock = fixedClock(now);
  const db = tdb.database.db;
  const audit = new AuditService(db, clock);
  const des = createDes({
    db,
    clock,
    audit,
    copyPool: tdb.database.kind === 'postgres' ? tdb.database.pool : null,
  });
  const dir = mkdtempSync(join(tmpdir(), 'cdsp-des-test-'));
  return {
    ...tdb,
    des,
    audit,
    clock,
    dir,
    file(name, text) {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    async cleanup() {
      await tdb.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Rows as a CSV load file text (columns = keys of the first row unless given). */
export function csv(rows: readonly Record<string, string>[], columns?: readonly string[]): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : REGISTER_FIELD_NAMES);
  return (
    toCsvLine(cols, '\n') +
    rows
      .map((r) =>
        toCsvLine(
          cols.map((c) => r[c] ?? ''),
          '\n',
        ),
      )
      .join('')
  );
}

export function registerRows(count: number, seed = 7, businessDate = '2026-02-20'): Record<string, string>[] {
  return [...generateRegister({ count, seed, orgs: DES_TEST_ORGS, businessDate })];
}

/** Every version of the register, in a stable order, without surrogate ids. */
export async function history(env: TestDatabase): Promise<unknown[]> {
  const r = await sql<Record<string, unknown>>`
    SELECT mprn, to_char(valid_from, 'YYYY-MM-DD') AS vf, to_char(valid_to, 'YYYY-MM-DD') AS vt,
           known_from::text AS kf, known_to::text AS kt, to_jsonb(v) - 'id' - 'mprn' - 'valid_from' - 'valid_to'
           - 'known_from' - 'known_to' AS fields
      FROM des.supply_point_versions v ORDER BY mprn, valid_from, known_from`.execute(env.database.db);
  return r.rows;
}

/** The register as currently known (what an uninterrupted history looks like), without load sequence numbers. */
export async function currentRegister(env: Pick<TestDatabase, 'database'>): Promise<unknown[]> {
  const r = await sql<Record<string, unknown>>`
    SELECT mprn, to_char(valid_from, 'YYYY-MM-DD') AS vf, to_char(valid_to, 'YYYY-MM-DD') AS vt,
           to_jsonb(v) - 'id' - 'mprn' - 'valid_from' - 'valid_to' - 'known_from' - 'known_to' AS fields
      FROM des.supply_point_versions v WHERE known_to IS NULL ORDER BY mprn, valid_from`.execute(
    env.database.db,
  );
  return r.rows;
}

/** POSTs `payload` as a text/csv body to `url`, with `token` as the bearer API key. */
export function postCsv(
  app: FastifyInstance,
  token: string,
  url: string,
  payload: string,
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    payload,
  });
}
