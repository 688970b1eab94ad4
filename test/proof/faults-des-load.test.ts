/**
 * Fault proof suite (issue 15), the DES load: the CLI (`cdsp des load`, a child process) is killed with SIGKILL
 * while it reads a register file and again while it applies it, on a PostgreSQL cluster of the suite's own. After
 * each kill the register is untouched (or whole, if the kill came after the commit), and a rerun gives exactly the
 * register of an uninterrupted load, with one applied load and an audit chain that verifies. The approach of
 * src/modules/des/load.kill.int.test.ts, with the kill tied to the phase the load reports.
 *
 * Skips when no PostgreSQL 15 server binaries are installed (PG_BIN, default /usr/lib/postgresql/15/bin).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/platform/db/database.ts';
import { createPgCluster, pgInstalled, type PgCluster } from '../support/pg-cluster.ts';
import { csv, currentRegister, registerRows } from '../support/des.ts';
import { cdsp, query, serviceEnv } from '../support/service-process.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const skip = pgInstalled() ? false : 'PostgreSQL 15 server binaries are not installed (set PG_BIN)';

describe('faults: kill -9 during a DES load, on PostgreSQL of its own', { skip }, () => {
  let cluster: PgCluster;
  let work: string;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'cdsp-faults-load-'));
    cluster = await createPgCluster('cdsp-faults-load-pg');
    await cluster.start();
  });
  after(() => {
    cluster?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test(
    'the CLI killed (SIGKILL) in the middle of a DES load: the register is untouched or whole, and a rerun gives exactly the file',
    { timeout: 170_000 },
    async () => {
      const ROWS = 8_000;
      const DATE = '2026-02-27';
      const file = join(work, 'register.csv');
      writeFileSync(file, csv(registerRows(ROWS, 31, DATE)));
      await cluster.createDatabase('desref');
      const refEnv = serviceEnv(cluster, 'desref', join(work, 'desref'));
      const register = async (db: string) => {
        const d = await openDatabase({ databaseUrl: cluster.url(db), dataDir: '', poolSize: 2 });
        try {
          return await currentRegister({ database: d });
        } finally {
          await d.close();
        }
      };
      const applied = async (db: string) =>
        (
          await query<{ n: string }>(
            cluster.url(db),
            `SELECT count(*) AS n FROM des.loads WHERE status = 'applied'`,
          )
        )[0]!.n;
      /**
       * `cdsp des load`; with `kill`, SIGKILL within 200 ms of the first progress line of that phase: while it reads
       * the file into its staging table, or once it applies it to the register (one transaction).
       */
      const load = (env: NodeJS.ProcessEnv, kill: 'reading' | 'applying' | null = null) =>
        new Promise<{ code: number | null; signal: string | null; out: string; killDelay: number | null }>(
          (resolve, reject) => {
            const child = spawn(
              process.execPath,
              ['bin/cdsp.js', 'des', 'load', file, '--business-date', DATE],
              { cwd: ROOT, env: { ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
            );
            let out = '';
            let killDelay: number | null = null;
            child.stdout.on('data', (d) => (out += String(d)));
            child.stderr.on('data', (d) => {
              out += String(d);
              if (kill && killDelay === null && new RegExp(`progress: .*${kill}`).test(out)) {
                killDelay = Math.floor(Math.random() * 200);
                setTimeout(() => child.kill('SIGKILL'), killDelay);
              }
            });
            child.on('error', reject);
            child.on('close', (code, signal) => resolve({ code, signal, out, killDelay }));
          },
        );
      const ref = await load(refEnv);
      assert.equal(ref.code, 0, ref.out);
      const expected = await register('desref');
      assert.equal(expected.length, ROWS);

      let victim = '';
      const kills: { phase: string; killDelay: number | null; rowsAfterKill: number }[] = [];
      for (const phase of ['reading', 'applying'] as const) {
        let run = null;
        for (let attempt = 0; attempt < 3 && run?.signal !== 'SIGKILL'; attempt++) {
          victim = `des${phase}${attempt}`;
          await cluster.createDatabase(victim);
          run = await load(serviceEnv(cluster, victim, join(work, victim)), phase);
        }
        assert.equal(run?.signal, 'SIGKILL', `no attempt killed the load while ${phase}`);
        const afterKill = await register(victim);
        kills.push({ phase, killDelay: run!.killDelay, rowsAfterKill: afterKill.length });
        if (phase === 'reading')
          assert.equal(afterKill.length, 0, 'the register changed before the load applied');
        if (afterKill.length > 0)
          assert.deepEqual(afterKill, expected, 'a killed load left a partial register');
        else
          assert.equal(
            await applied(victim),
            '0',
            'a load is recorded as applied with nothing in the register',
          );
      }
      console.log(JSON.stringify({ ROWS, kills }));

      const env = serviceEnv(cluster, victim, join(work, victim));
      const rerun = await load(env);
      assert.equal(rerun.code, 0, rerun.out);
      assert.deepEqual(await register(victim), expected, 'the rerun gives exactly the file, nothing doubled');
      assert.equal(await applied(victim), '1');
      const verify = await cdsp(env, ['audit', 'verify']);
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    },
  );
});
