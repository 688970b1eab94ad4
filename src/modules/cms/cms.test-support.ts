/**
 * Test support for the CMS integration tests (not imported by production code): the app with an in-test register
 * (a SiteLookup over sites the test declares, with their portfolios), a recording mailer and a recording webhook
 * transport, plus factories for the organisations and users a conversation needs.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../app.ts';
import { createServices, type Services } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import { fixedClock } from '../../platform/clock.ts';
import type { Mailer, MailMessage } from '../../platform/mail/mailer.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/db.ts';
import { makeOrg, makeUser, TEST_ACTOR } from '../../../test/support/factories.ts';
import { buildAssets } from '../../../scripts/build-assets.ts';
import type { Actor } from '../identity/index.ts';
import type { SiteInfo, SiteLookup, WebhookTransport } from './cms.ports.ts';

export const CMS_NOW = new Date('2026-03-02T10:00:00Z'); // a Monday

export interface TestSite extends SiteInfo {
  /** Organisation ids whose portfolio holds the site. */
  portfolio: string[];
}

export interface CmsTestApp extends TestDatabase {
  app: FastifyInstance;
  services: Services;
  clock: ReturnType<typeof fixedClock>;
  sites: Map<string, TestSite>;
  mail: MailMessage[];
  webhookCalls: { url: string; headers: Record<string, string>; body: string }[];
  /** What the webhook receiver answers (default 200). */
  webhookStatus: { value: number | 'network-error' };
  cdsp: { id: string; shortCode: string };
}

export async function createCmsTestApp(): Promise<CmsTestApp> {
  buildAssets();
  const tdb = await createTestDatabase();
  const clock = fixedClock(CMS_NOW);
  const sites = new Map<string, TestSite>();
  const lookup: SiteLookup = {
    async findVisibleSite(actor: Actor, mprn: string) {
      const s = sites.get(mprn);
      if (!s) return null;
      if (
        actor.organisationType !== 'cdsp' &&
        !s.portfolio.some((o) => actor.visibleOrganisationIds.includes(o))
      )
        return null;
      const { portfolio: _p, ...site } = s;
      return site;
    },
  };
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
  const services = createServices(tdb.database.db, clock, null, {
    sites: lookup,
    mailer,
    webhookTransport: transport,
  });
  const app = await buildApp({ config: loadConfig({}), database: tdb.database, services, logger: false });
  await app.ready();
  const cdspOrg = await makeOrg(services, { type: 'cdsp', name: 'CDSP' });
  return {
    ...tdb,
    app,
    services,
    clock,
    sites,
    mail,
    webhookCalls,
    webhookStatus,
    cdsp: { id: cdspOrg.id, shortCode: cdspOrg.shortCode },
    async cleanup() {
      await app.close();
      await tdb.cleanup();
    },
  };
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
  const body = String(7_300_000 + mprnCounter * 7).padStart(8, '0');
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[i]) * (body.length - i);
  return body + String(sum % 11).padStart(2, '0');
}

export function addSite(t: CmsTestApp, portfolio: string[], over: Partial<SiteInfo> = {}): string {
  const mprn = over.mprn ?? nextMprn();
  t.sites.set(mprn, {
    mprn,
    class: 4,
    annual_quantity: 12_000,
    network_name: 'Cadent',
    ldz_id: 'NW',
    shipper_short_code: null,
    current_supplier: null,
    dmsp_short_code: null,
    mra_short_code: null,
    meter_point_status: 'LI',
    address: '1 Test Street, Testtown',
    ...over,
    portfolio,
  });
  return mprn;
}

export const ADD_FIELDS = {
  house_no: '12',
  street: 'High Street',
  town: 'Leeds',
  postcode: 'ls1 4ap',
  amendment_reason: 'INCORRECT',
};

export type Api = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  opts?: { body?: unknown; headers?: Record<string, string>; payload?: Buffer },
) => Promise<LightMyRequestResponse>;

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

/** Raises an ADD contact and returns its JSON body (asserting 201). */
export async function raiseAdd(api: Api, mprn: string, extra: Record<string, unknown> = {}) {
  const res = await api('POST', '/contacts', {
    body: { code: 'ADD', mprn, description: 'The registered address is wrong', fields: ADD_FIELDS, ...extra },
  });
  if (res.statusCode !== 201) throw new Error(`raise failed: ${res.statusCode} ${res.body}`);
  return res.json() as { reference: string; version: number; status: string; due_date: string };
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
