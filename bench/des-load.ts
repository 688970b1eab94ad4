/**
 * DES register load benchmark (issue 4): generates 1,000,000 supply points, loads them into a fresh PostgreSQL
 * database with the real loader (COPY staging), then loads a day of ~100,000 changes; prints rows per second,
 * peak memory (RSS) and the ratio to a raw COPY of the same rows into a plain table in the same run.
 *
 *   npm run bench:des-load            (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres;
 *                                      BENCH_ROWS, default 1000000; BENCH_CHANGE_RATE, default 0.097)
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../src/platform/db/database.ts';
import { fixedClock } from '../src/platform/clock.ts';
import { AuditService } from '../src/modules/audit/index.ts';
import { createDes } from '../src/modules/des/index.ts';
import { demoGeneratorOrgs } from '../src/demo/des-register.ts';
import { writeLoadFile } from '../src/modules/des/index.ts';
import { CopyIn } from '../src/modules/des/load-staging.repository.ts';
import { FIELD_COLUMNS } from '../src/modules/des/load.repository.ts';
import { readCsv } from '../src/modules/des/register/index.ts';
import { generateChanges, generateRegister } from '../src/modules/des/tools/register-generator/index.ts';

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RATE = Number(process.env.BENCH_CHANGE_RATE ?? 0.097); // ~97,000 changes + ~3,000 new sites
const D0 = '2026-02-26';
const D1 = '2026-02-27';

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-GB');

/** Samples RSS every 50 ms while `fn` runs; returns its result, the seconds taken and the peak RSS. */
async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; secs: number; peakRss: number }> {
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const t = process.hrtime.bigint();
  try {
    const result = await fn();
    return { result, secs: Number(process.hrtime.bigint() - t) / 1e9, peakRss };
  } finally {
    clearInterval(timer);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
}

async function* readRows(path: string): AsyncGenerator<Record<string, string>> {
  let header: string[] | null = null;
  for await (const r of readCsv(createReadStream(path, { highWaterMark: 1 << 20 }))) {
    if (!header) {
      header = r.fields;
      continue;
    }
    const row: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) row[header[i]!] = r.fields[i] ?? '';
    yield row;
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'cdsp-bench-'));
  const name = `cdsp_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: '', poolSize: 4 });
  try {
    await database.migrate();
    const orgs = demoGeneratorOrgs();
    const registerFile = join(dir, 'register.csv');
    const changesFile = join(dir, 'changes.csv');
    process.stdout.write(`Generating ${fmt(ROWS)} supply points... `);
    let t = Date.now();
    await writeLoadFile(registerFile, generateRegister({ count: ROWS, seed: 42, orgs, businessDate: D0 }));
    console.log(`${((Date.now() - t) / 1000).toFixed(1)} s, ${mb(statSync(registerFile).size)}`);
    process.stdout.write(`Generating the changes for ${D1} (rate ${RATE})... `);
    t = Date.now();
    const changeRows = await writeLoadFile(
      changesFile,
      generateChanges({
        previous: readRows(registerFile),
        rate: RATE,
        seed: 42,
        businessDate: D1,
        orgs,
        fullRows: true,
      }),
    );
    console.log(`${fmt(changeRows)} rows, ${((Date.now() - t) / 1000).toFixed(1)} s`);

    // Raw COPY of the same rows into a plain table (owner connection), as the baseline.
    const owner = new pg.Client({ connectionString: url.toString() });
    await owner.connect();
    const cols = ['mprn', ...FIELD_COLUMNS];
    await owner.query(`CREATE TABLE public.raw_copy (${cols.map((c) => `"${c}" text`).join(', ')})`);
    const raw = await measure(async () => {
      const copy = new CopyIn(`COPY public.raw_copy FROM STDIN (FORMAT csv, HEADER true)`);
      void owner.query(copy as unknown as pg.QueryConfig);
      await copy.started;
      for await (const chunk of createReadStream(registerFile, { highWaterMark: 1 << 20 })) {
        await copy.write(chunk as Buffer);
      }
      copy.end();
      await copy.done;
    });
    await owner.end();
    const rawRate = ROWS / raw.secs;
    console.log(`Raw COPY into a plain table:   ${raw.secs.toFixed(2)} s, ${fmt(rawRate)} rows/s`);

    const clock = fixedClock(new Date('2026-03-02T10:00:00Z'));
    const audit = new AuditService(database.db, clock);
    const des = createDes({ db: database.db, clock, audit, copyPool: database.pool });
    const actor = { userId: null, label: 'bench', organisationId: null };
    const rssBefore = process.memoryUsage().rss;
    const initial = await measure(() =>
      des.loads.load({ path: registerFile, businessDate: D0, actor, source: 'cli' }),
    );
    const initialRate = ROWS / initial.secs;
    console.log(
      `Initial load (cdsp des load):  ${initial.secs.toFixed(2)} s, ${fmt(initialRate)} rows/s, ` +
        `peak RSS ${mb(initial.peakRss)} (RSS before ${mb(rssBefore)})`,
    );
    console.log(`  ${initial.result.message}`);
    console.log(`  ratio to raw COPY: ${(initialRate / rawRate).toFixed(2)} (target >= 0.25, ambition 0.5)`);
    clock.advance(60_000);
    const day = await measure(() =>
      des.loads.load({ path: changesFile, businessDate: D1, actor, source: 'cli' }),
    );
    console.log(
      `Day of changes (${fmt(changeRows)} rows): ${day.secs.toFixed(2)} s, ${fmt(changeRows / day.secs)} rows/s, ` +
        `peak RSS ${mb(day.peakRss)} (target < 10 s)`,
    );
    console.log(`  ${day.result.message}`);
  } finally {
    await database.close();
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
