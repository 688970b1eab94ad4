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
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { openDatabase, type Database } from '../../platform/db/database.ts';
import { createCliEnvironment, onPostgres } from '../../../test/support/db.ts';
import { csv, currentRegister, registerRows } from '../../../test/support/des.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ROWS = onPostgres ? 60_000 : 15_000;
const DATE = '2026-02-27';

interface Target {
  env: NodeJS.ProcessEnv;
  pidFile: string | null;
  register(): Promise<unknown[]>;
  loads(): Promise<{ status: string; n: number }[]>;
  cleanup(): Promise<void>;
}

/** A database of its own (PostgreSQL or a PGlite data directory) for the CLI in a child process to load into. */
async function makeTarget(): Promise<Target> {
  const { env, cleanup } = await createCliEnvironment('cdsp-kill', {
    LOG_LEVEL: 'error',
    CDSP_NOW: '2026-03-02T10:00:00Z',
    PATH: process.env.PATH,
  });
  const dataDir = env.CDSP_DATA_DIR!;
  /** Opens the target's database for one look, between runs of the CLI. */
  const withDb = async <T>(fn: (d: Database) => Promise<T>) => {
    const d = await openDatabase({ databaseUrl: env.DATABASE_URL ?? null, dataDir });
    try {
      await d.migrate();
      return await fn(d);
    } finally {
      await d.close();
    }
  };
  return {
    env,
    pidFile: onPostgres ? null : join(dataDir, 'cdsp.pid'),
    register: () => withDb((database) => currentRegister({ database })),
    loads: () => withDb((d) => loadsOf(d.pool)),
    cleanup,
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
      assert.ok(killed, `no attempt killed the load mid-way (last delay ${killAfter} ms)`);
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
