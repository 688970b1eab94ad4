/**
 * Reports benchmark (issue 13). On a fresh PostgreSQL database (BENCH_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432): the demo organisations, BENCH_COUNT contacts (default 1,000,000) raised over
 * 400 days before a pinned "now" across every code, raiser and team, in every status (inserted set-based by SQL: the
 * raise path is not what is measured), one two-way request per ten contacts, and a register of BENCH_SUPPLY_POINTS
 * supply points (default 100,000; the real loader) with a day of 1% changes. Then each report, as CDSP staff (every
 * organisation's contacts) and as a shipper's supervisor, through the services the API calls:
 *   - contacts for a year by code, organisation, team and month; the ageing of open contacts; requests for a year;
 *   - the DES portfolio change report of the changed day (first page, and the whole day as CSV).
 * Prints the best of BENCH_RUNS runs (default 3) of each, the target (2 s), and the ratio to a bare
 * `count(*)` of the same year's contacts measured in the same run; and checks that the CDSP report by code equals a
 * direct count (business-day medians recomputed here with the platform calendar from per-day counts).
 *
 * BENCH_KEEP_DATABASE=1 keeps the database afterwards. The machine is shared: smoke-run with a small BENCH_COUNT.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createServices, type Services } from '../src/composition.ts';
import { fixedClock } from '../src/platform/clock.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { BusinessCalendar, addCalendarDays, londonStartOfDay } from '../src/platform/time/calendar.ts';
import { DEMO_ORGS } from '../src/demo/demo-world.ts';
import { demoGeneratorOrgs } from '../src/demo/des-register.ts';
import { generateChanges, generateRegister, writeLoadFile } from '../src/modules/des/index.ts';
import type { Actor } from '../src/modules/identity/index.ts';

const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const COUNT = Number(process.env.BENCH_COUNT ?? 1_000_000);
const SUPPLY_POINTS = Number(process.env.BENCH_SUPPLY_POINTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGET_MS = 2000;
const NOW = new Date('2026-12-01T12:00:00Z');
const TODAY = '2026-12-01';
const FROM = '2025-12-01';
const TO = '2026-11-30';
const ACTOR = { userId: null, label: 'bench', organisationId: null };

const dbName = `cdsp_bench_reports_${Date.now().toString(36)}`;
const dbUrl = (() => {
  const u = new URL(SERVER);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const work = mkdtempSync(join(tmpdir(), 'cdsp-bench-reports-'));
const log = (s: string) => process.stdout.write(`${s}\n`);
const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-GB', { maximumFractionDigits: d, minimumFractionDigits: d });

async function onServer(statement: string, url = SERVER): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

/** The best of RUNS timings of `fn`, in milliseconds, and its last result. */
async function best<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  let ms = Infinity;
  let result!: T;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    result = await fn();
    ms = Math.min(ms, performance.now() - t0);
  }
  return { ms, result };
}

/** Contacts and requests, set-based, as the database owner (deterministic in g: the same data every run). */
async function insertContacts(owner: pg.Client, count: number): Promise<void> {
  const ids = async (codes: string[]) =>
    (await owner.query<{ id: string }>('SELECT id FROM identity.organisations WHERE short_code = ANY($1) ORDER BY short_code', [codes])).rows.map((r) => r.id); // prettier-ignore
  const raisers = await ids(['AEG', 'ARS', 'NLS', 'MES', 'CAD', 'NGN', 'SGN', 'WWU', 'IPL']);
  const [cdsp] = await ids(['CDS']);
  const parties = await ids(['DMS', 'RRM', 'PMR']);
  const codes = (await owner.query<{ code: string; name: string }>('SELECT code, name FROM cms.contact_codes ORDER BY code')).rows; // prettier-ignore
  await owner.query(
    `INSERT INTO cms.contacts (reference, code, code_version, code_snapshot, raiser_org_id, raiser_user_id,
       raiser_label, resolver_org_id, resolver_team, status, description, raised_at, target_business_days, due_date,
       resolved_at, stopped_at, closed_at, updated_at)
     SELECT 'BENCH-' || g, c.code, 1, jsonb_build_object('name', c.name), ($1::uuid[])[1 + g % cardinality($1::uuid[])],
            '00000000-0000-4000-8000-000000000000', 'bench',
            CASE WHEN g % 5 = 0 THEN ($3::uuid[])[1 + g % cardinality($3::uuid[])] ELSE $2::uuid END,
            CASE WHEN g % 5 = 0 THEN NULL ELSE (ARRAY['address', 'service_desk', 'invoicing', 'metering'])[1 + g % 4] END,
            s.status, 'bench', r.raised, 10, (r.raised AT TIME ZONE 'Europe/London')::date + 14 + (g % 3) * 7,
            CASE WHEN s.status = 'resolved' OR (s.status = 'closed' AND x.h % 7 <> 0) THEN res.at END,
            CASE WHEN s.status IN ('resolved', 'closed', 'rejected', 'cancelled') THEN res.at END,
            CASE WHEN s.status IN ('closed', 'rejected', 'cancelled') THEN res.at END,
            res.at
       FROM generate_series(1, $4::int) g
       CROSS JOIN LATERAL (SELECT (g::bigint * 2654435761) % 4294967296 AS h) x
       CROSS JOIN LATERAL (SELECT ($6::text[])[1 + x.h % cardinality($6::text[])] AS code,
                                  ($7::text[])[1 + x.h % cardinality($7::text[])] AS name) c
       CROSS JOIN LATERAL (SELECT $5::timestamptz - (x.h % 400) * interval '1 day' - (g % 36000) * interval '1 second'
                             AS raised) r
       CROSS JOIN LATERAL (SELECT least(r.raised + (x.h % 23) * interval '1 day' + interval '3 hours',
                                        $5::timestamptz - interval '1 minute') AS at) res
       CROSS JOIN LATERAL (SELECT CASE WHEN x.h % 100 < 12 THEN 'open' WHEN x.h % 100 < 18 THEN 'in_progress'
                                       WHEN x.h % 100 < 20 THEN 'awaiting_customer' WHEN x.h % 100 < 70 THEN 'resolved'
                                       WHEN x.h % 100 < 85 THEN 'closed' WHEN x.h % 100 < 93 THEN 'rejected'
                                       ELSE 'cancelled' END AS status) s`,
    [raisers, cdsp, parties, count, NOW, codes.map((c) => c.code), codes.map((c) => c.name)],
  );
  await owner.query(
    `INSERT INTO cms.requests (reference, type, from_org_id, to_org_id, mprn, subject, body, status, response_due_date,
       sent_at, sent_by_label, responded_at, closed_at, updated_at)
     SELECT 'BREQ-' || g, (ARRAY['DCR', 'CCR', 'RFI'])[1 + g % 3], $2::uuid, ($1::uuid[])[1 + g % cardinality($1::uuid[])],
            '1234567', 'bench', 'bench', s.status, (r.sent AT TIME ZONE 'Europe/London')::date + 7,
            r.sent, 'bench', CASE WHEN s.status = 'answered' THEN r.sent + (g % 12) * interval '1 day' END,
            CASE WHEN s.status = 'auto_closed' THEN r.sent + interval '10 days' END, r.sent
       FROM generate_series(1, $3::int) g
       CROSS JOIN LATERAL (SELECT $4::timestamptz - (g % 390 + 11) * interval '1 day' AS sent) r
       CROSS JOIN LATERAL (SELECT CASE WHEN g % 10 < 6 THEN 'answered' WHEN g % 10 < 9 THEN 'auto_closed'
                                       ELSE 'open' END AS status) s`,
    [raisers, cdsp, Math.ceil(count / 10), NOW],
  );
  await owner.query('ANALYZE cms.contacts; ANALYZE cms.requests');
}

/** The register for D-2 and a day of 1% changes on D-1, through the real loader. */
async function loadRegister(services: Services): Promise<string> {
  const orgs = demoGeneratorOrgs();
  const day1 = addCalendarDays(TODAY, -2);
  const day2 = addCalendarDays(TODAY, -1);
  const rows = [...generateRegister({ count: SUPPLY_POINTS, seed: 13, orgs, businessDate: day1 })];
  for (const [date, file, source] of [
    [day1, join(work, 'day1.csv'), rows],
    [
      day2,
      join(work, 'day2.csv'),
      generateChanges({ previous: rows, rate: 0.01, seed: 14, businessDate: day2, orgs, fullRows: true }),
    ],
  ] as const) {
    // prettier-ignore
    await writeLoadFile(file, source);
    const s = await services.des.loads.load({ path: file, businessDate: date, actor: ACTOR, source: 'seed' });
    if (s.status !== 'applied') throw new Error(`load ${date}: ${s.status} ${s.message}`);
  }
  return day2;
}

/** The CDSP report by code, recounted here from per-day counts with the platform calendar. */
async function directByCode(owner: pg.Client, calendar: BusinessCalendar) {
  const r = await owner.query<{ code: string; raised_on: string; resolved_on: string | null; status: string; within: boolean | null; n: number }>(
    `SELECT code, to_char((raised_at AT TIME ZONE 'Europe/London')::date, 'YYYY-MM-DD') AS raised_on,
            to_char((resolved_at AT TIME ZONE 'Europe/London')::date, 'YYYY-MM-DD') AS resolved_on, status,
            (resolved_at AT TIME ZONE 'Europe/London')::date <= due_date AS within, count(*)::int AS n
       FROM cms.contacts WHERE raised_at >= $1 AND raised_at < $2 GROUP BY 1, 2, 3, 4, 5`,
    [londonStartOfDay(FROM), londonStartOfDay(addCalendarDays(TO, 1))],
  ); // prettier-ignore
  const by = new Map<string, { figures: Record<string, number>; days: Map<number, number> }>();
  for (const x of r.rows) {
    const g = by.get(x.code) ?? { figures: { raised: 0, open: 0, resolved: 0, resolved_within_target: 0, rejected: 0, cancelled: 0 }, days: new Map() }; // prettier-ignore
    by.set(x.code, g);
    g.figures['raised']! += x.n;
    if (['open', 'in_progress', 'awaiting_customer'].includes(x.status)) g.figures['open']! += x.n;
    if (x.status === 'rejected') g.figures['rejected']! += x.n;
    if (x.status === 'cancelled') g.figures['cancelled']! += x.n;
    if (x.resolved_on) {
      g.figures['resolved']! += x.n;
      if (x.within) g.figures['resolved_within_target']! += x.n;
      const d = calendar.businessDaysBetween(x.raised_on, x.resolved_on);
      g.days.set(d, (g.days.get(d) ?? 0) + x.n);
    }
  }
  const rank = (days: Map<number, number>, p: number) => {
    const total = [...days.values()].reduce((a, b) => a + b, 0);
    if (total === 0) return null;
    const want = Math.ceil(p * total);
    let seen = 0;
    for (const [d, n] of [...days.entries()].sort((a, b) => a[0] - b[0])) if ((seen += n) >= want) return d;
    return null;
  };
  return [...by.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([key, g]) => ({ key, ...g.figures, median_business_days: rank(g.days, 0.5), p90_business_days: rank(g.days, 0.9) })); // prettier-ignore
}

async function actorOf(services: Services, org: string, roles: string[]): Promise<Actor> {
  const email = `bench-${org.toLowerCase()}@bench.example`;
  await services.identity.createUser(
    { organisationShortCode: org, email, name: 'Bench', roles, password: null },
    ACTOR,
  );
  const { token } = await services.identity.createToken({ email, label: 'bench' }, ACTOR);
  const actor = await services.tokens.authenticateToken(token);
  if (!actor) throw new Error('no bench actor');
  return actor;
}

async function main() {
  await onServer(`CREATE DATABASE ${dbName}`);
  const owner = new pg.Client({ connectionString: dbUrl });
  try {
    log(
      `Reports benchmark: ${fmt(COUNT)} contacts, ${fmt(SUPPLY_POINTS)} supply points, best of ${RUNS} runs`,
    );
    const database = await openDatabase({ databaseUrl: dbUrl, dataDir: '', poolSize: 4 });
    await database.migrate();
    const services = createServices(database.db, fixedClock(NOW), null, { desCopyPool: database.pool });
    for (const o of DEMO_ORGS) {
      await services.identity.createOrganisation(
        { name: o.name, type: o.type, shortCode: o.shortCode, parentShortCode: o.parent ?? null, networkName: o.network ?? null },
        ACTOR,
      ); // prettier-ignore
    }
    await owner.connect();
    let t0 = performance.now();
    await insertContacts(owner, COUNT);
    log(`contacts and requests inserted in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    t0 = performance.now();
    const changedDay = await loadRegister(services);
    log(`register loaded (and a day of changes) in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    const cdsp = await actorOf(services, 'CDS', ['cdsp_supervisor']);
    const shipper = await actorOf(services, 'NLS', ['cms_supervisor', 'des_user']);
    const period = [londonStartOfDay(FROM), londonStartOfDay(addCalendarDays(TO, 1))];
    const bare = await best(() => owner.query('SELECT count(*) FROM cms.contacts WHERE raised_at >= $1 AND raised_at < $2', period)); // prettier-ignore
    log(`baseline: a bare count(*) of the year's contacts: ${fmt(bare.ms)} ms\n`);
    log(`${'report'.padEnd(58)} ${'ms'.padStart(7)} ${'x bare'.padStart(8)}  within 2 s`);
    let failures = 0;
    const measure = async (name: string, fn: () => Promise<unknown>) => {
      const { ms } = await best(fn);
      if (ms > TARGET_MS) failures++;
      log(`${name.padEnd(58)} ${fmt(ms).padStart(7)} ${fmt(ms / Math.max(bare.ms, 0.001), 1).padStart(8)}  ${ms <= TARGET_MS ? 'yes' : 'NO'}`); // prettier-ignore
    };
    const r = services.reports;
    for (const [who, actor] of [
      ['CDSP staff', cdsp],
      ['a shipper (NLS)', shipper],
    ] as const) {
      for (const group_by of ['code', 'organisation', 'team', 'month']) {
        await measure(`${who}: contacts for a year by ${group_by}`, () => r.contacts.contacts(actor, { from: FROM, to: TO, group_by })); // prettier-ignore
      }
      await measure(`${who}: ageing of open contacts`, () => r.contacts.ageing(actor));
      await measure(`${who}: two-way requests for a year`, () =>
        r.contacts.requests(actor, { from: FROM, to: TO }),
      );
      await measure(`${who}: portfolio changes of a day (first page)`, () => r.portfolioChanges.changesOn(actor, changedDay, { channel: 'api' })); // prettier-ignore
      await measure(`${who}: portfolio changes of a day (all, 1,000 a page)`, async () => {
        for (let cursor: string | null = null, first = true; first || cursor; first = false) {
          cursor = (await r.portfolioChanges.changesOn(actor, changedDay, { cursor, limit: 1000, channel: 'csv' })).nextCursor; // prettier-ignore
        }
      });
    }
    // The figures equal a direct count.
    const holidays = (await owner.query<{ d: string }>("SELECT to_char(date, 'YYYY-MM-DD') AS d FROM ref.bank_holidays WHERE region = 'england-and-wales'")).rows.map((x) => x.d); // prettier-ignore
    const direct = await directByCode(owner, new BusinessCalendar(holidays));
    const report = (await r.contacts.contacts(cdsp, { from: FROM, to: TO, group_by: 'code' })).rows.map(({ label: _l, ...row }) => row); // prettier-ignore
    const same = JSON.stringify(report) === JSON.stringify(direct);
    log(`\nCDSP report by code equals a direct count: ${same ? 'yes' : 'NO'}`);
    if (!same)
      log(`report: ${JSON.stringify(report.slice(0, 3))}\ndirect: ${JSON.stringify(direct.slice(0, 3))}`);
    await database.close();
    if (failures > 0 || !same) process.exitCode = 1;
  } finally {
    await owner.end().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
    if (!process.env.BENCH_KEEP_DATABASE) await onServer(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

await main();
