/**
 * Long run: sqlmap (the Debian package) against the main API routes of the running service, bounded in time.
 *
 * The service runs as a child process on a fresh PostgreSQL database with the demo data (test/long/service.ts), so
 * sqlmap's DBMS fingerprinting meets a real PostgreSQL. One demo user with CMS and DES roles (ops@albion.example) gets
 * an API token from the CLI, and every sqlmap run sends it. Each target starts from a request that succeeds (checked
 * first), so sqlmap compares its payloads' answers with a real page; every injection point is named (-p, or `*`
 * markers in the path and in JSON bodies). Level 3 / risk 1: boolean, error, stacked, time-based and UNION techniques
 * for every DBMS; User-Agent and Referer are tested once, on the DES search target. POST targets, whose answers
 * echo the input and carry new ids, are compared by HTTP status (--code 201).
 *
 * Passes only when, for every target, sqlmap ran to its end ("all tested parameters do not appear to be injectable",
 * one "does not seem to be injectable" per injection point), reported no injection point and no heuristic hint (its
 * output, its per-host log and its results CSV), saw no 5xx; and the service is still up, /readyz answers 200, and
 * its own log holds no 5xx response and no error line.
 *
 * Time: each target is killed after TARGET_LIMIT_MS (a killed run fails the test: nothing is claimed for it), runs
 * go PARALLEL at a time, and the whole file is bounded by its test timeout (about 5 minutes seen on 2 cores).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setAllowanceBand, startService, type Service } from './service.ts';

const TARGET_LIMIT_MS = 240_000;
const PARALLEL = 3;
const USER = 'ops@albion.example'; // AEG: cms_user and des_user (README, "Demo sign-in")

interface Target {
  name: string;
  /** The URL (with `*` markers where the points are in the path). */
  url: string;
  /** A JSON body (with `*` markers). */
  data?: string;
  /** Query parameters to test (-p), when not marked. */
  params?: string[];
  /** How many injection points sqlmap must report as tested. */
  points: number;
  /** Test the User-Agent and Referer headers too (level 3 does by default; the other targets skip them). */
  headers?: boolean;
  /** For requests that create something: compare answers by HTTP status (their bodies echo input and new ids). */
  code?: number;
  extra?: string[];
}

let service: Service;
let token: string;
let outDir: string;

before(async () => {
  const found = spawnSync('sqlmap', ['--version'], { encoding: 'utf8' });
  if (found.error) {
    assert.fail(
      `sqlmap is not on PATH (${found.error.message}). CI installs it from Debian (apt-get install -y sqlmap in ` +
        '.ci/run); locally: apt-get install sqlmap',
    );
  }
  outDir = mkdtempSync(join(tmpdir(), 'cdsp-sqlmap-'));
  service = await startService({ prefix: 'cdsp_long_sqlmap' });
  // sqlmap sends thousands of look-ups: the demo organisation's DES call allowance (standard band, 2,000 a day)
  // would turn them into 429s, which test nothing. Allowance bands are operator data (des.organisation_allowances).
  await setAllowanceBand(service, 'AEG', 'unlimited');
  token = await service.token(USER);
});

after(async () => {
  await service?.stop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

async function api(path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${service.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

interface Run {
  target: Target;
  code: number | null;
  killed: boolean;
  output: string;
  seconds: number;
  dir: string;
}

function runSqlmap(target: Target): Promise<Run> {
  const dir = join(outDir, target.name);
  const args = [
    '-u',
    target.url,
    ...(target.data ? ['--data', target.data, '--method', 'POST'] : []),
    ...(target.params
      ? ['-p', [...target.params, ...(target.headers ? ['user-agent', 'referer'] : [])].join(',')]
      : []),
    ...(target.headers ? [] : ['--skip', 'user-agent,referer']),
    ...(target.code ? ['--code', String(target.code)] : []),
    '-H',
    `Authorization: Bearer ${token}`,
    '--batch',
    '--level',
    '3',
    '--risk',
    '1',
    '--time-sec',
    '2',
    '--timeout',
    '10',
    '--retries',
    '1',
    '--threads',
    '8',
    // Every payload that breaks validation gets a 400, which sqlmap's WAF heuristic takes for a WAF: skip that probe.
    '--skip-waf',
    '--disable-coloring',
    '--output-dir',
    dir,
    ...(target.extra ?? []),
  ];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('sqlmap', args, { env: { ...process.env, TERM: 'dumb' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, TARGET_LIMIT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ target, code, killed, output, seconds: (Date.now() - started) / 1000, dir });
    });
  });
}

/** What sqlmap says when it finds something (or a heuristic hint of it); "might not be injectable" is not one. */
const FINDING =
  /identified the following injection point|is vulnerable|appears to be '[^']*' injectable|\bmight be injectable|sqlmap identified|back-end DBMS is/i;

test('sqlmap at level 3 finds no injection in the main API routes', { timeout: 12 * 60_000 }, async () => {
  // Real objects of the user's organisation, so every base request succeeds.
  const [site] = await service.sql(
    `SELECT v.mprn, v.postcode, v.street FROM des.supply_point_versions v
      WHERE v.shipper_short_code = 'AEG' AND v.known_to IS NULL AND v.valid_to IS NULL
        AND v.postcode IS NOT NULL AND v.street IS NOT NULL
      ORDER BY v.mprn LIMIT 1`,
  );
  assert.ok(site, 'the demo register has a supply point shipped by AEG');
  const mprn = String(site.mprn);
  const postcode = String(site.postcode);
  const street = String(site.street);
  const me = await api('/api/v1/me');
  assert.equal(me.status, 200);
  const userId = (me.body.user as { id: string }).id;
  // The cursor of a page in due-date order, as the route below pages in that order (a cursor is for one order).
  const list = await api('/api/v1/contacts?limit=1&sort=due');
  assert.equal(list.status, 200);
  const reference = (list.body.items as { reference: string }[])[0]!.reference;
  const cursor = String(list.body.next_cursor);
  const today = new Date().toISOString().slice(0, 10);
  const asAt = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
  const knownAt = new Date().toISOString();

  const raise = {
    code: 'ADD',
    mprn,
    raiser_reference: 'SQLMAP-1',
    description: 'The registered address is wrong',
    fields: {
      house_no: '12',
      street: 'High Street',
      town: 'Leeds',
      postcode: 'LS1 4AP',
      amendment_reason: 'INCORRECT',
    },
  };
  const note = { body: 'Checked with the site', visibility: 'external' };
  const q = (o: Record<string, string>) => new URLSearchParams(o).toString();
  const base = service.url;
  // Each base request answers 2xx before sqlmap starts.
  for (const [path, init] of [
    [`/api/v1/supply-points/${mprn}?${q({ as_at: asAt })}`, {}],
    [`/api/v1/supply-points/${mprn}?${q({ as_known_at: knownAt })}`, {}],
    [`/api/v1/supply-points?${q({ postcode, street })}`, {}],
    [
      `/api/v1/contacts?${q({ mprn, raised_from: '2026-01-01', raised_to: today, team: 'address', q: 'address' })}`,
      {},
    ],
    [`/api/v1/contacts?${q({ assignee: userId, sort: 'due', cursor })}`, {}],
    [`/api/v1/contacts/${reference}`, {}],
    ['/api/v1/contacts', { method: 'POST', body: raise }],
    [`/api/v1/contacts/${reference}/notes`, { method: 'POST', body: note }],
  ] as const) {
    const res = await api(path, init);
    assert.ok(res.status >= 200 && res.status < 300, `${path}: ${res.status} ${JSON.stringify(res.body)}`);
  }

  const marked = JSON.stringify({
    code: 'ADD*',
    mprn: `${mprn}*`,
    raiser_reference: 'SQLMAP-2*',
    description: 'The registered address is wrong*',
    fields: { ...raise.fields, street: 'High Street*', postcode: 'LS1 4AP*' },
  });
  const targets: Target[] = [
    {
      name: 'des-lookup',
      url: `${base}/api/v1/supply-points/${mprn}*?as_at=${asAt}*&as_known_at=${encodeURIComponent(knownAt)}*`,
      points: 3,
    },
    {
      name: 'des-search',
      url: `${base}/api/v1/supply-points?${q({ postcode, street })}`,
      params: ['postcode', 'street'],
      headers: true,
      points: 4,
    },
    {
      name: 'contacts-filters',
      url: `${base}/api/v1/contacts?${q({ mprn, raised_from: '2026-01-01', raised_to: today, team: 'address', q: 'address' })}`,
      params: ['mprn', 'raised_from', 'raised_to', 'team', 'q'],
      points: 5,
    },
    {
      name: 'contacts-order',
      url: `${base}/api/v1/contacts?${q({ assignee: userId, sort: 'due', cursor })}`,
      params: ['assignee', 'sort', 'cursor'],
      points: 3,
      // The cursor is base64url JSON: sqlmap puts its payloads inside it.
      extra: ['--base64', 'cursor', '--base64-safe'],
    },
    { name: 'contact', url: `${base}/api/v1/contacts/${reference}*`, points: 1 },
    { name: 'contact-raise', url: `${base}/api/v1/contacts`, data: marked, code: 201, points: 6 },
    {
      name: 'contact-note',
      url: `${base}/api/v1/contacts/${reference}/notes`,
      data: JSON.stringify({ body: 'Checked with the site*', visibility: 'external*' }),
      code: 201,
      points: 2,
    },
  ];

  const runs: Run[] = [];
  const queue = [...targets];
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      for (let t = queue.shift(); t; t = queue.shift()) runs.push(await runSqlmap(t));
    }),
  );

  const problems: string[] = [];
  for (const run of runs) {
    const { name, points } = run.target;
    const tail = run.output.slice(-3000);
    const tested = run.output.match(/does not seem to be injectable/g)?.length ?? 0;
    const codes = (
      /HTTP error codes detected during run:\r?\n((?:\d{3} \(.*\r?\n?)+)/.exec(run.output)?.[1] ?? ''
    )
      .trim()
      .replace(/\r?\n/g, ', ');
    console.log(
      `sqlmap ${name}: ${run.seconds.toFixed(0)} s, ${tested} points tested, HTTP errors: ${codes || 'none'}`,
    );
    if (run.killed) problems.push(`${name}: killed after ${TARGET_LIMIT_MS / 1000} s (incomplete)\n${tail}`);
    else if (run.code !== 0) problems.push(`${name}: sqlmap exited ${run.code}\n${tail}`);
    const finding = FINDING.exec(run.output);
    if (finding) problems.push(`${name}: sqlmap reports "${finding[0]}"\n${tail}`);
    if (!/all tested parameters do not appear to be injectable/.test(run.output))
      problems.push(`${name}: sqlmap did not finish its tests\n${tail}`);
    if (tested !== points)
      problems.push(`${name}: ${tested} injection points tested, expected ${points}\n${tail}`);
    if (/\b5\d\d \(/.test(codes)) problems.push(`${name}: the service answered 5xx: ${codes}`);
    // sqlmap records found injection points in <output-dir>/<host>/log and one row each in results-*.csv.
    const hostLog = join(run.dir, '127.0.0.1', 'log');
    if (existsSync(hostLog) && readFileSync(hostLog, 'utf8').trim() !== '')
      problems.push(`${name}: sqlmap logged injection points:\n${readFileSync(hostLog, 'utf8')}`);
    for (const csv of existsSync(run.dir) ? readdirSync(run.dir).filter((f) => f.endsWith('.csv')) : []) {
      const rows = readFileSync(join(run.dir, csv), 'utf8').trim().split('\n');
      if (rows.length > 1) problems.push(`${name}: results ${csv}:\n${rows.join('\n')}`);
    }
  }
  assert.deepEqual(problems, [], problems.join('\n\n'));

  assert.ok(service.alive(), 'the service is still running');
  const ready = await fetch(`${service.url}/readyz`);
  assert.equal(ready.status, 200, 'the service is ready after the runs');
  const errors = service.serverErrors();
  console.log(`service: ${errors.completed} responses logged, ${errors.status5xx} with 5xx`);
  assert.ok(errors.completed > 1000, `sqlmap's requests reached the service (${errors.completed} logged)`);
  assert.equal(errors.status5xx, 0, 'no 5xx responses');
  assert.deepEqual(errors.errorLines, [], 'no error lines in the service log');
});
