/**
 * DES look-up benchmark. On a fresh PostgreSQL database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432):
 * 1,000,000 supply points (the register engineer's generator and loader: `generateRegister` → load file → the real
 * COPY-staged load), the demo organisations, and a DES user's API token. Then, with 20 connections for each:
 *   - a bare Fastify route (the HTTP ceiling of this machine),
 *   - pgbench: one portfolio-scoped look-up (the same SQL the service runs) plus one audit-row insert per
 *     transaction (what PostgreSQL itself sustains for the same work),
 *   - authenticated MPRN look-ups over HTTP (autocannon; every answer audited durably before it is sent),
 *   - authenticated postcode searches over HTTP.
 * Prints requests/s, p50/p99 latency, and the ratios to the bare route and to pgbench from the same run.
 *
 * Environment: BENCH_COUNT (default 1000000), BENCH_SECONDS (default 15), BENCH_CONNECTIONS (default 20);
 * BENCH_KEEP_DATABASE=1 keeps the database afterwards, and BENCH_REUSE_DATABASE=<name> measures again on a kept one
 * (no generation or load: for iterating on the service while profiling); BENCH_ONLY=me|mprn|postcode measures that
 * one run of the service alone (no baselines, no targets: with BENCH_PROFILE_DIR, a profile of just that path).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import autocannon from 'autocannon';
import pg from 'pg';
import { createServices } from '../src/composition.ts';
import { addDays, londonDateOf, systemClock } from '../src/platform/clock.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { DEMO_ORGS } from '../src/demo/demo-world.ts';
import { demoGeneratorOrgs } from '../src/demo/des-register.ts';
import { writeLoadFile } from '../src/modules/des/index.ts';
import { generateRegister } from '../src/modules/des/tools/register-generator/index.ts';
import { CURRENT } from '../src/modules/des/portfolio.repository.ts';
import { detailSql } from '../src/modules/des/enquiry/enquiry.repository.ts';

const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const COUNT = Number(process.env.BENCH_COUNT ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const ACTOR = { userId: null, label: 'bench', organisationId: null };

const REUSE = process.env.BENCH_REUSE_DATABASE ?? '';
if (REUSE && !/^cdsp_bench_lookup_[a-z0-9]+$/.test(REUSE))
  throw new Error('BENCH_REUSE_DATABASE: a kept bench database');
const ONLY = process.env.BENCH_ONLY ?? '';
const dbName = REUSE || `cdsp_bench_lookup_${Date.now().toString(36)}`;
const dbUrl = (() => {
  const u = new URL(SERVER);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const work = mkdtempSync(join(tmpdir(), 'cdsp-bench-lookup-'));

function log(s: string) {
  process.stdout.write(`${s}\n`);
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = SERVER): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function startChild(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; port: number }> {
  const prof = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', 'bench/des-lookup.server.ts', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
  return { child, port };
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function cannon(
  url: string,
  paths: string[],
  headers: Record<string, string>,
  seconds = SECONDS,
): Promise<Run> {
  let i = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers,
    requests: [
      {
        setupRequest: (req) => {
          req.path = paths[i++ % paths.length]!;
          return req;
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

function pgbench(script: string, seconds = SECONDS): number {
  const file = join(work, 'lookup.pgbench');
  if (process.env.BENCH_KEEP_DATABASE) writeFileSync('/tmp/des-lookup.pgbench', script);
  writeFileSync(file, script);
  const u = new URL(dbUrl);
  const r = spawnSync(
    '/usr/bin/pgbench',
    ['-h', u.hostname, '-p', u.port || '5432', '-U', u.username || 'postgres', '-n', '-M', 'prepared',
     '-c', String(CONNECTIONS), '-j', '2', '-T', String(seconds), '-f', file, dbName],
    { encoding: 'utf8' },
  ); // prettier-ignore
  const m = /tps = ([0-9.]+) \(without initial connection time\)/.exec(r.stdout);
  if (!m) throw new Error(`pgbench failed: ${r.stdout}\n${r.stderr}`);
  return Number(m[1]);
}

/** SQL text with the compiled parameters inlined, and `mprnExpr` in place of the MPRN parameter. */
function inline(
  compiled: { sql: string; parameters: readonly unknown[] },
  mprn: string,
  mprnExpr: string,
): string {
  return compiled.sql.replace(/\$(\d+)/g, (_m, n: string) => {
    const v = compiled.parameters[Number(n) - 1];
    if (v === mprn) return mprnExpr;
    const text = Array.isArray(v) ? `{${v.join(',')}}` : String(v);
    return `'${text.replace(/'/g, "''")}'`;
  });
}

const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-GB', { maximumFractionDigits: d, minimumFractionDigits: d });

async function main() {
  const children: ChildProcess[] = [];
  if (!REUSE) await admin((c) => c.query(`CREATE DATABASE ${dbName}`));
  try {
    log(
      `DES look-up benchmark: ${fmt(COUNT)} supply points, ${CONNECTIONS} connections, ${SECONDS} s per run`,
    );
    log(`database ${dbName} (${REUSE ? 'kept from an earlier run' : 'fresh'})`);
    const database = await openDatabase({ databaseUrl: dbUrl, dataDir: '', poolSize: 4 });
    await database.migrate();
    const clock = systemClock;
    const services = createServices(database.db, clock, null, { desCopyPool: database.pool });
    const businessDate = addDays(londonDateOf(clock.now()), -1);
    if (!REUSE) {
      for (const o of DEMO_ORGS) {
        await services.identity.createOrganisation(
          {
            name: o.name,
            type: o.type,
            shortCode: o.shortCode,
            parentShortCode: o.parent ?? null,
            networkName: o.network ?? null,
          },
          ACTOR,
        );
      }
      await services.identity.createUser(
        {
          organisationShortCode: 'NLS',
          email: 'bench@northernlights.example',
          name: 'Bench',
          roles: ['des_user'],
          password: null,
        },
        ACTOR,
      );
      const nlsNew = await services.identity.organisationByShortCode('NLS');
      await services.desEnquiry.enquiry.assignBand(nlsNew.id, 'unlimited', 'bench');

      // ---------------------------------------------------------------- the register
      const file = join(work, 'register.csv');
      let t0 = performance.now();
      await writeLoadFile(
        file,
        generateRegister({ count: COUNT, seed: 42, orgs: demoGeneratorOrgs(), businessDate }),
      );
      const genS = (performance.now() - t0) / 1000;
      t0 = performance.now();
      const summary = await services.des.loads.load({
        path: file,
        businessDate,
        actor: ACTOR,
        source: 'cli',
      });
      const loadS = (performance.now() - t0) / 1000;
      rmSync(file, { force: true });
      log(
        `register: generated in ${fmt(genS, 1)} s, loaded ${fmt(summary.inserted)} rows in ${fmt(loadS, 1)} s ` +
          `(${fmt(summary.inserted / loadS)} rows/s) with the register loader (COPY staging); as at ${businessDate}`,
      );

      // Portfolio samples: MPRNs and postcodes of Northern Lights Gas Shipping's supply points.
      await admin(async (c) => {
        await c.query('ANALYZE');
        const m = await c.query<{ mprn: string; postcode: string }>(
          `SELECT mprn, postcode FROM des.supply_point_versions
          WHERE known_to IS NULL AND shipper_short_code = 'NLS' AND postcode IS NOT NULL
          ORDER BY md5(mprn) LIMIT 20000`,
        );
        await c.query('CREATE TABLE public.bench_mprns (i integer PRIMARY KEY, mprn text NOT NULL)');
        await c.query(
          'INSERT INTO public.bench_mprns SELECT row_number() OVER (), m FROM unnest($1::text[]) AS m',
          [m.rows.map((r) => r.mprn)],
        );
        await c.query('CREATE TABLE public.bench_audit (LIKE audit.events INCLUDING ALL)');
        await c.query('CREATE SEQUENCE public.bench_audit_seq');
      }, dbUrl);
    }
    const { token } = await services.identity.createToken(
      { email: 'bench@northernlights.example', label: 'bench', scopes: null },
      ACTOR,
    );
    const nls = await services.identity.organisationByShortCode('NLS');
    const sample = await admin(
      async (c) =>
        (
          await c.query<{ mprn: string; postcode: string }>(
            `SELECT b.mprn, v.postcode FROM public.bench_mprns b
               JOIN des.supply_point_versions v ON v.mprn = b.mprn AND v.known_to IS NULL ORDER BY b.i`,
          )
        ).rows,
      dbUrl,
    );
    const portfolioSize = await admin(
      async (c) =>
        (
          await c.query<{ n: string }>(
            `SELECT count(*)::text AS n FROM des.supply_point_versions WHERE known_to IS NULL AND shipper_short_code = 'NLS'`,
          )
        ).rows[0]!.n,
      dbUrl,
    );
    log(
      `caller: a DES user of Northern Lights Gas Shipping (portfolio ${fmt(Number(portfolioSize))} supply points)`,
    );
    await database.close();

    // ---------------------------------------------------------------- pgbench: the database's own rate
    const compiled = detailSql(
      { organisationId: nls.id, organisationIds: [nls.id] },
      sample[0]!.mprn,
      businessDate,
      CURRENT,
      false,
    ).compile(database.db);
    const lookup = inline(
      compiled,
      sample[0]!.mprn,
      '(SELECT b.mprn FROM public.bench_mprns b WHERE b.i = :i)',
    );
    const script = [
      `\\set i random(1, ${sample.length})`,
      'BEGIN;',
      `${lookup.replace(/\s+/g, ' ')};`,
      `INSERT INTO public.bench_audit (seq, id, occurred_at, actor_user_id, actor_label, organisation_id, action, subject_type, subject_id, details, prev_hash, hash) ` +
        `VALUES (nextval('public.bench_audit_seq'), gen_random_uuid(), now(), NULL, 'bench@northernlights.example', '${nls.id}', 'des.enquiry.current', 'supply_point', CAST(:i AS text), '{"channel":"api"}', '\\x00', sha256(CAST(CAST(:i AS text) AS bytea)));`,
      'COMMIT;',
      '',
    ].join('\n');
    if (!ONLY) pgbench(script, 3); // warm-up
    const pgTps = ONLY ? 0 : pgbench(script);
    log('');
    log(`pgbench (portfolio-scoped look-up + audit insert per transaction): ${fmt(pgTps)} tps`);

    // ---------------------------------------------------------------- HTTP
    let bareRun: Run = { rps: 0, p50: 0, p99: 0, non2xx: 0, errors: 0 };
    if (!ONLY) {
      const bare = await startChild(['bare'], {});
      children.push(bare.child);
      await cannon(`http://127.0.0.1:${bare.port}`, ['/bare'], {}, 3);
      bareRun = await cannon(`http://127.0.0.1:${bare.port}`, ['/bare'], {});
      bare.child.kill('SIGTERM');
      log(`bare Fastify route: ${fmt(bareRun.rps)} req/s, p50 ${bareRun.p50} ms, p99 ${bareRun.p99} ms`);
    }

    const app = await startChild(['app'], { DATABASE_URL: dbUrl, CDSP_INSECURE_COOKIES: 'true' });
    children.push(app.child);
    const base = `http://127.0.0.1:${app.port}`;
    const headers = { authorization: `Bearer ${token}` };
    const mprnPaths = sample.map((s) => `/api/v1/supply-points/${s.mprn}`);
    const postcodePaths = [...new Set(sample.map((s) => s.postcode))].map(
      (p) => `/api/v1/supply-points?postcode=${encodeURIComponent(p)}`,
    );
    const check = await fetch(base + mprnPaths[0], { headers });
    if (check.status !== 200) throw new Error(`look-up answered ${check.status}: ${await check.text()}`);
    if (ONLY) {
      const paths = { me: ['/api/v1/me'], mprn: mprnPaths, postcode: postcodePaths }[ONLY];
      if (!paths) throw new Error('BENCH_ONLY: me, mprn or postcode');
      await cannon(base, paths, headers, 3);
      const r = await cannon(base, paths, headers);
      app.child.kill('SIGTERM');
      await once(app.child, 'exit');
      log(
        `${ONLY}: ${fmt(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms (non-2xx ${r.non2xx}, errors ${r.errors})`,
      );
      return;
    }
    await cannon(base, ['/api/v1/me'], headers, 3);
    const meRun = await cannon(base, ['/api/v1/me'], headers);
    await cannon(base, mprnPaths, headers, 3);
    const mprnRun = await cannon(base, mprnPaths, headers);
    await cannon(base, postcodePaths, headers, 3);
    const pcRun = await cannon(base, postcodePaths, headers);
    app.child.kill('SIGTERM');
    await once(app.child, 'exit');

    const audited = await admin(
      async (c) =>
        (
          await c.query<{ n: string }>(
            `SELECT count(*)::text AS n FROM audit.events WHERE action LIKE 'des.enquiry.%'`,
          )
        ).rows[0]!.n,
      dbUrl,
    );
    const row = (name: string, r: Run) =>
      `${name.padEnd(22)} ${fmt(r.rps).padStart(8)} req/s   p50 ${String(r.p50).padStart(3)} ms   p99 ${String(r.p99).padStart(3)} ms   ` +
      `${fmt(r.rps / bareRun.rps, 3)} × bare   ${fmt(r.rps / pgTps, 3)} × pgbench   (non-2xx ${r.non2xx}, errors ${r.errors})`;
    log('');
    log(row('token check only (/me)', meRun));
    log(row('MPRN look-up', mprnRun));
    log(row('postcode search', pcRun));
    log('');
    log(
      `every answer audited before it was sent: ${fmt(Number(audited))} des.enquiry audit events committed`,
    );
    const ok1 = mprnRun.rps >= pgTps / 3 && mprnRun.p99 < 25;
    const ok2 = pcRun.p99 < 50;
    log(
      `targets: MPRN look-up >= 1/3 of pgbench (${fmt(pgTps / 3)}) with p99 < 25 ms: ${ok1 ? 'MET' : 'NOT MET'}; ` +
        `postcode p99 < 50 ms: ${ok2 ? 'MET' : 'NOT MET'}`,
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    if (process.env.BENCH_KEEP_DATABASE || REUSE) log(`kept database ${dbName}`);
    else await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
