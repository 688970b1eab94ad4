/**
 * Test support for the CMS integration tests: the app wired as in production, with the REAL register as the CMS's
 * site look-up (the DES module's `findVisibleSite`, fed through the real DES load path), a recording mailer and a
 * recording webhook transport, plus helpers for API clients and common contacts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../src/app.ts';
import { createServices, type Services } from '../../src/composition.ts';
import { loadConfig } from '../../src/config.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { mprnWithCheckDigits } from '../../src/platform/gas/mprn.ts';
import type { Mailer, MailMessage } from '../../src/platform/mail/mailer.ts';
import type { WebhookTransport } from '../../src/modules/cms/index.ts';
import { stubResolver, TEST_WEBHOOK_HOSTS } from './webhooks.ts';
import { generateRegister } from '../../src/modules/des/index.ts';
import { createTestDatabase, onPostgres, type TestDatabase } from './db.ts';
import { makeOrg, makeUser, TEST_ACTOR, TEST_PASSWORD } from './factories.ts';
import { signInAndEnrol, type WebClient } from './web-client.ts';
import { ADD_FIELDS, makeContact } from './factories/cms.ts';
import { buildAssets } from '../../scripts/build-assets.ts';
import { perSuite } from './suite.ts';

export const CMS_NOW = new Date('2026-03-02T10:00:00Z'); // a Monday
/** The business date of the register files tests load: visible (D-1) from 2026-02-28, before CMS_NOW. */
export const REGISTER_DATE = '2026-02-27';

export interface CmsTestApp extends TestDatabase {
  app: FastifyInstance;
  services: Services;
  clock: ReturnType<typeof fixedClock>;
  mail: MailMessage[];
  webhookCalls: { url: string; headers: Record<string, string>; body: string }[];
  /** What the webhook receiver answers (default 200). */
  webhookStatus: { value: number | 'network-error' };
  /** What webhook host names resolve to (a stub: tests resolve nothing through the network); tests may change it. */
  dns: Map<string, string[]>;
  cdsp: { id: string; shortCode: string };
  /** A folder for the register files the test loads (removed by cleanup). */
  dir: string;
}

export async function createCmsTestApp(): Promise<CmsTestApp> {
  buildAssets();
  const tdb = await createTestDatabase();
  const clock = fixedClock(CMS_NOW);
  const mail: MailMessage[] = [];
  const mailer: Mailer = {
    kind: 'outbox',
    async send(m) {
      mail.push(m);
    },
  };
  const webhookCalls: CmsTestApp['webhookCalls'] = [];
  const webhookStatus: CmsTestApp['webhookStatus'] = { value: 200 };
  const transport: WebhookTransport = async (url, req) => {
    webhookCalls.push({ url, headers: req.headers, body: req.body });
    if (webhookStatus.value === 'network-error') throw new Error('connect ECONNREFUSED');
    return { status: webhookStatus.value };
  };
  const dns = new Map(TEST_WEBHOOK_HOSTS);
  // No `sites` override: the CMS asks the real register (services.des.register), as in production.
  const services = createServices(tdb.database.db, clock, null, {
    mailer,
    webhookTransport: transport,
    webhookResolver: stubResolver(dns),
    queryPool: tdb.database.kind === 'postgres' ? tdb.database.pool : null,
    auditPool: tdb.database.systemPool,
  });
  const app = await buildApp({ config: loadConfig({}), database: tdb.database, services, logger: false });
  await app.ready();
  const cdspOrg = await makeOrg(services, { type: 'cdsp', name: 'CDSP' });
  const dir = mkdtempSync(join(tmpdir(), 'cdsp-cms-test-'));
  return {
    ...tdb,
    app,
    services,
    clock,
    mail,
    webhookCalls,
    webhookStatus,
    dns,
    cdsp: { id: cdspOrg.id, shortCode: cdspOrg.shortCode },
    dir,
    async cleanup() {
      await app.close();
      await tdb.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One CMS test app for a `describe` block: created before its tests and cleaned up after them (perSuite). */
export function cmsAppPerSuite(): CmsTestApp {
  return perSuite(createCmsTestApp);
}

/** A user with an API token in an existing organisation. */
export async function userWithToken(
  t: CmsTestApp,
  orgShortCode: string,
  roles: string[],
  opts: { groupVisibility?: boolean } = {},
) {
  const user = opts.groupVisibility
    ? await t.services.identity.createUser(
        {
          organisationShortCode: orgShortCode,
          email: `group-${Math.random().toString(36).slice(2)}@test.example`,
          name: 'Group user',
          roles,
          groupVisibility: true,
        },
        TEST_ACTOR,
      )
    : await makeUser(t.services, { orgShortCode, roles });
  const token = await t.services.identity.createToken({ email: user.email, label: 'test' }, TEST_ACTOR);
  return { ...user, token: token.token };
}

let mprnCounter = 0;
/** A fresh MPRN with valid check digits. */
export function nextMprn(): string {
  mprnCounter++;
  return mprnWithCheckDigits(String(7_300_000 + mprnCounter * 7).padStart(8, '0'));
}

/** Register fields a test may set on a supply point (GES names); the portfolio follows from them. */
export type SiteFields = Partial<
  Record<
    | 'mprn'
    | 'shipper_short_code'
    | 'last_shipper_short_code'
    | 'interested_shipper_short_code'
    | 'current_supplier'
    | 'mam_short_code'
    | 'network_name'
    | 'ldz_id'
    | 'class'
    | 'annual_quantity'
    | 'meter_point_status'
    | 'twin_stream_site_indicator',
    string
  >
>;

const csvLine = (cells: string[]): string =>
  cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',') + '\n';

const LOADER = { userId: null, label: 'cms-test-loader', organisationId: null };
let fileCounter = 0;

/**
 * Loads one supply point into the register through the real DES load path (a one-row CSV file for
 * REGISTER_DATE) and returns its MPRN. The row is a valid generated register row with `fields` laid over it;
 * who sees it (the portfolio) is what the register says: its shipper, supplier, network, MAM.
 */
export async function addSite(t: CmsTestApp, fields: SiteFields = {}): Promise<string> {
  const [row] = [
    ...generateRegister({
      count: 1,
      seed: 11,
      orgs: { shippers: ['ZZA'], suppliers: ['ZZB'], mams: ['ZZC'], igts: [] },
      businessDate: '2026-01-05',
    }),
  ];
  const site: Record<string, string> = {
    ...row!,
    mprn: nextMprn(),
    shipper_short_code: 'ZZA',
    current_supplier: 'ZZB',
    mam_short_code: 'ZZC',
    class: '4',
    annual_quantity: '12000',
    meter_point_status: 'LI',
    ...fields,
  };
  const columns = Object.keys(site);
  const path = join(t.dir, `site-${++fileCounter}.csv`);
  writeFileSync(path, csvLine(columns) + csvLine(columns.map((c) => site[c] ?? '')));
  const summary = await t.services.des.loads.load({
    path,
    businessDate: REGISTER_DATE,
    actor: LOADER,
    source: 'cli',
  });
  if (summary.status !== 'applied' || summary.inserted + summary.changed !== 1) {
    throw new Error(`the test site was not loaded: ${summary.message}`);
  }
  return site['mprn']!;
}

export { ADD_FIELDS, GSR_CONTACT, GSR_FIELDS } from './factories/cms.ts';

export type Api = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  opts?: { body?: unknown; headers?: Record<string, string>; payload?: Buffer },
) => Promise<LightMyRequestResponse>;

/** A new user with `roles` in an existing organisation, with an API client for them (`api`). */
export async function userWithApi(
  t: CmsTestApp,
  orgShortCode: string,
  roles: string[],
  opts: { groupVisibility?: boolean } = {},
) {
  const user = await userWithToken(t, orgShortCode, roles, opts);
  return { ...user, api: apiAs(t, user.token) };
}

/** An API client for a new user with `roles` in an existing organisation. */
export async function apiFor(
  t: CmsTestApp,
  orgShortCode: string,
  roles: string[],
  opts: { groupVisibility?: boolean } = {},
): Promise<Api> {
  return (await userWithApi(t, orgShortCode, roles, opts)).api;
}

/** A new user with `roles` and a password in an existing organisation, signed in on the web (enrolled for MFA). */
export async function webFor(t: CmsTestApp, orgShortCode: string, roles: string[]): Promise<WebClient> {
  const user = await makeUser(t.services, { orgShortCode, roles, password: TEST_PASSWORD });
  return (await signInAndEnrol(t.app, t.clock, user.email, TEST_PASSWORD)).client;
}

/** An API client for one token. */
export function apiAs(t: CmsTestApp, token: string): Api {
  return (method, url, opts = {}) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token}`, ...(opts.headers ?? {}) },
      ...(opts.payload !== undefined
        ? { payload: opts.payload }
        : opts.body !== undefined
          ? { payload: opts.body as object }
          : {}),
    });
}

/**
 * Asserts that `api` is answered for the contact `reference` exactly as for a contact that does not exist: 404 both,
 * and the same problem body but for the reference, the instance and the request id ("not yours" is "not found").
 */
export async function assertAnsweredAsMissing(api: Api, reference: string): Promise<void> {
  const missingRef = reference.replace(/\d+$/, (n) => String(Number(n) + 900000));
  const other = await api('GET', `/contacts/${reference}`);
  const missing = await api('GET', `/contacts/${missingRef}`);
  assert.deepEqual([other.statusCode, missing.statusCode], [404, 404]);
  const strip = (body: string) => {
    const j = JSON.parse(body) as Record<string, unknown>;
    delete j['instance'];
    delete j['request_id'];
    return JSON.stringify(j).replaceAll(reference, 'REF').replaceAll(missingRef, 'REF');
  };
  assert.equal(strip(other.body), strip(missing.body));
}

/** Raises an ADD contact and returns its JSON body (asserting 201); see factories/cms.ts. */
export async function raiseAdd(api: Api, mprn: string, extra: Record<string, unknown> = {}) {
  return makeContact(api, mprn, { fields: ADD_FIELDS, ...extra });
}

/** Performs an action with the current version, asserting 200; returns the new contact JSON. */
export async function act(api: Api, reference: string, body: Record<string, unknown>) {
  const current = await api('GET', `/contacts/${reference}`);
  const res = await api('POST', `/contacts/${reference}/actions`, {
    body: { ...body, version: current.json().version },
  });
  if (res.statusCode !== 200) throw new Error(`${String(body.action)} failed: ${res.statusCode} ${res.body}`);
  return res.json() as { reference: string; version: number; status: string };
}

/** Why race tests are skipped on PGlite: it runs one query at a time, so nothing can race there. */
export const RACES_NEED_POSTGRES = onPostgres
  ? false
  : 'races need PostgreSQL (PGlite serialises every query, so nothing races): set DATABASE_URL to run them';

/**
 * Runs `race` while another connection holds `lockSql` (a SELECT … FOR UPDATE in an open transaction), waits
 * until `waiters` of the app's connections are blocked on that lock (so the requests are really in the database at
 * the same time), then releases it and lets them race. PostgreSQL only.
 */
export async function raceBehindLock<T>(
  t: CmsTestApp,
  lockSql: string,
  params: unknown[],
  waiters: number,
  race: () => Promise<T>,
): Promise<T> {
  if (!t.adminUrl) throw new Error('raceBehindLock needs PostgreSQL');
  const holder = new pg.Client({ connectionString: t.adminUrl });
  const watcher = new pg.Client({ connectionString: t.adminUrl });
  await holder.connect();
  await watcher.connect();
  try {
    await holder.query('BEGIN');
    const locked = await holder.query(lockSql, params);
    if (locked.rowCount === 0) throw new Error('the lock statement locked no row');
    const running = race();
    const deadline = Date.now() + 15_000;
    for (;;) {
      const r = await watcher.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`,
        [(holder as unknown as { processID: number }).processID],
      );
      if (Number(r.rows[0]?.n ?? 0) >= waiters) break;
      if (Date.now() > deadline) {
        await holder.query('ROLLBACK');
        await running.catch(() => undefined);
        throw new Error(`only ${r.rows[0]?.n} of ${waiters} requests reached the lock`);
      }
      await new Promise((res) => setTimeout(res, 20));
    }
    await holder.query('COMMIT');
    return await running;
  } finally {
    await holder.end();
    await watcher.end();
  }
}

const unescapeHtml = (s: string): string =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/**
 * What a browser would submit from the page's form as it is shown (text inputs, hidden inputs, textareas, checked
 * radios and checkboxes; checkboxes as lists), without the CSRF token (WebClient.post adds a fresh one).
 */
export function formValues(html: string): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = {};
  for (const [tag] of html.matchAll(/<input\b[^>]*>/g)) {
    const attr = (name: string) => new RegExp(`\\s${name}(?:="([^"]*)")?`).exec(tag);
    const name = attr('name')?.[1];
    const type = attr('type')?.[1] ?? 'text';
    if (!name || name === '_csrf') continue;
    const value = unescapeHtml(attr('value')?.[1] ?? '');
    if (type === 'checkbox') {
      const list = (form[name] ??= []) as string[];
      if (attr('checked')) list.push(value);
    } else if (type !== 'radio' || attr('checked')) {
      form[name] = value;
    }
  }
  for (const m of html.matchAll(/<textarea\b[^>]*\sname="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) {
    form[m[1]!] = unescapeHtml(m[2]!);
  }
  return form;
}
