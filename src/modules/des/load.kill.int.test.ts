/**
 * Atomicity under kill -9: the real CLI in a child process is killed at a random moment of a load, then the
 * same load is run again; the register must equal that of an uninterrupted load. Runs on PGlite (a data
 * directory: after the kill its pid lock file is stale and is taken over) and on PostgreSQL (DATABASE_URL).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase } from '../../platform/db/database.ts';
import { csv, currentRegister, registerRows } from './des.test-support.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const onPostgres = Boolean(process.env.DATABASE_URL);
const ROWS = onPostgres ? 60_000 : 15_000;
const DATE = '2026-02-27';

interface Target {
  env: NodeJS.ProcessEnv;
  pidFile: string | null;
  register(): Promise<unknown[]>;
  loads(): Promise<{ status: string; n: number }[]>;
  cleanup(): Promise<void>;
}

async function makeTarget(): Promise<Target> {
  const base = { LOG_LEVEL: 'error', CDSP_NOW: '2026-03-02T10:00:00Z', PATH: process.env.PATH };
  if (onPostgres) {
    const serverUrl = process.env.DATABASE_URL!;
    const name = `cdsp_kill_${randomBytes(5).toString('hex')}`;
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    const url = u.toString();
    const withDb = async <T>(fn: (d: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>) => {
      const d = await openDatabase({ databaseUrl: url, dataDir: '' });
      try {
        await d.migrate();
        return await fn(d);
      } finally {
        await d.close();
      }
    };
    return {
      env: { ...base, DATABASE_URL: url },
      pidFile: null,
      register: () => withDb((d) => currentRegister({ database: d, adminUrl: url, cleanup: async () => {} })),
      loads: () => withDb(async (d) => loadsOf(d.pool)),
      async cleanup() {
        const x = new pg.Client({ connectionString: serverUrl });
        await x.connect();
        await x.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await x.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'cdsp-kill-'));
  const withDb = async <T>(fn: (d: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>) => {
    const d = await openDatabase({ databaseUrl: null, dataDir: dir });
    try {
      await d.migrate();
      return await fn(d);
    } finally {
      await d.close();
    }
  };
  return {
    env: { ...base, CDSP_DATA_DIR: dir },
    pidFile: join(dir, 'cdsp.pid'),
    register: () => withDb((d) => currentRegister({ database: d, adminUrl: null, cleanup: async () => {} })),
    loads: () => withDb(async (d) => loadsOf(d.pool)),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function loadsOf(pool: pg.Pool): Promise<{ status: string; n: number }[]> {
  const r = await pool.query(
    `SELECT status, count(*)::int AS n FROM des.loads GROUP BY status ORDER BY status`,
  );
  return r.rows as { status: string; n: number }[];
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  loadStartedAfterMs: number | null;
  totalMs: number;
}

/** Runs `cdsp des load`; with `killAfterMs`, kill -9 that long after the load starts reading rows. */
function cdspLoad(target: Target, file: string, killAfterMs: number | null = null): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'des', 'load', file, '--business-date', DATE],
      { cwd: ROOT, env: target.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let loadStartedAfterMs: number | null = null;
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => {
      stderr += String(d);
      if (loadStartedAfterMs === null && stderr.includes('progress:')) {
        loadStartedAfterMs = Date.now() - started;
        if (killAfterMs !== null) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout, stderr, loadStartedAfterMs, totalMs: Date.now() - started }),
    );
  });
}

describe(`kill -9 during a load (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cdsp-kill-file-'));
    file = join(dir, 'register.csv');
    writeFileSync(file, csv(registerRows(ROWS, 31, DATE)));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a load killed at a random moment, then run again, gives the register of an uninterrupted load', async () => {
    const reference = await makeTarget();
    let victim = await makeTarget();
    try {
      const ref = await cdspLoad(reference, file);
      assert.equal(ref.code, 0, ref.stderr);
      assert.match(ref.stdout, new RegExp(`inserted +${ROWS.toLocaleString('en-GB')}`));
      const loadMs = ref.totalMs - (ref.loadStartedAfterMs ?? 0);

      // Kill at a random moment between the first rows read and about half the expected load time. On a busy
      // machine the load can still finish first: then that attempt proves nothing, so start again on a fresh
      // target with a shorter delay (at most four attempts).
      let killed: Run | null = null;
      let killAfter = 0;
      for (let attempt = 0; attempt < 4; attempt++) {
        killAfter = Math.floor(Math.random() * Math.max((loadMs * 0.5) / 2 ** attempt, 20));
        const run = await cdspLoad(victim, file, killAfter);
        if (run.signal === 'SIGKILL') {
          killed = run;
          break;
        }
        await victim.cleanup();
        victim = await makeTarget();
      }
      assert.ok(killed, `the load was never killed mid-way (last delay ${killAfter} ms)`);
      if (victim.pidFile) assert.ok(existsSync(victim.pidFile), 'the killed process left its pid lock file');
      // Atomic: right after the kill the register is either untouched or exactly the finished load (a kill
      // that landed after the commit), never anything in between.
      const expected = await reference.register();
      const afterKill = await victim.register();
      if (afterKill.length > 0)
        assert.deepEqual(afterKill, expected, 'a killed load left a partial register');
      const partial = await victim.loads();
      assert.ok(
        partial.every((l) => l.status !== 'applied' || (l.n === 1 && afterKill.length === ROWS)),
        `no load is recorded as applied unless the register holds all of it: ${JSON.stringify(partial)}`,
      );

      const rerun = await cdspLoad(victim, file);
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.match(rerun.stdout, /applied|already loaded/);

      const b = await victim.register();
      assert.equal(b.length, ROWS);
      assert.deepEqual(b, expected);
      assert.deepEqual(
        (await victim.loads()).filter((l) => l.status === 'applied'),
        [{ status: 'applied', n: 1 }],
      );
    } finally {
      await reference.cleanup();
      await victim.cleanup();
    }
  });
});
