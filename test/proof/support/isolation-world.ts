/**
 * The world the isolation matrix runs in: the app built as the tests build it (optionally with extra plugins, such
 * as the deliberately unscoped fixture route), organisations A and B of every organisation type the reference data
 * lists (one CDSP: contacts are routed to "the" CDSP), a user of every role each type may hold (with an API key and,
 * when asked, a signed-in browser session), and objects owned by the A organisations, each with the organisations
 * (or user) that may legitimately see it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../../../src/app.ts';
import { createServices, type Services } from '../../../src/composition.ts';
import { loadConfig } from '../../../src/config.ts';
import { fixedClock } from '../../../src/platform/clock.ts';
import type { Database } from '../../../src/platform/db/database.ts';
import { inScope, SYSTEM_SCOPE } from '../../../src/platform/db/scope.ts';
import { mprnWithCheckDigits } from '../../../src/platform/gas/mprn.ts';
import type { Mailer } from '../../../src/platform/mail/mailer.ts';
import type { WebhookTransport } from '../../../src/modules/cms/index.ts';
import { generateRegister } from '../../../src/modules/des/index.ts';
import { permissionsFor, ROLES, type Permission, type Role } from '../../../src/modules/identity/index.ts';
import { buildAssets } from '../../../scripts/build-assets.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { makeApiKey, makeOrg, makeUser, TEST_PASSWORD } from '../../support/factories.ts';
import { GSR_FIELDS } from '../../support/factories/cms.ts';
import type { WebClient } from '../../support/web-client.ts';
import { signIn, signInAndEnrol } from '../../support/web-client.ts';
import { stubResolver, TEST_WEBHOOK_HOSTS } from '../../support/webhooks.ts';

export const NOW = new Date('2026-03-02T10:00:00Z');
const REGISTER_DATE = '2026-02-27';

export type Plugin = (app: FastifyInstance, services: Services, database: Database) => Promise<void>;

export interface Org {
  id: string;
  name: string;
  type: string;
  shortCode: string;
  side: 'A' | 'B' | 'CDSP';
  networkName: string | null;
}

export interface Member {
  org: Org;
  role: Role;
  userId: string;
  email: string;
  token: string;
  tokenId: string;
  permissions: Set<Permission>;
  label: string;
}

/** Who may see an object: organisations (by id), or only one user (their own API keys). */
export interface Parties {
  orgs: Set<string>;
  userId?: string;
}

export interface WorldObject {
  kind: ObjectKind;
  /** What goes in the URL, query or body for this object. */
  id: string;
  /** A well-formed value of the same shape that names nothing. */
  missing: string;
  label: string;
  parties: Parties;
  /** Strings that only a party may ever see (references, ids, unique texts). */
  markers: string[];
  /** For objects inside another (attachments of a contact): the container's id. */
  container?: string;
}

export type ObjectKind =
  | 'contact'
  | 'attachment'
  | 'request'
  | 'webhook'
  | 'user'
  | 'user-email'
  | 'organisation'
  | 'api-key'
  | 'supply-point'
  | 'postcode'
  | 'bulk-enquiry'
  | 'contact-file';

export interface World {
  app: FastifyInstance;
  services: Services;
  database: Database;
  clock: ReturnType<typeof fixedClock>;
  orgs: Org[];
  cdsp: Org;
  members: Member[];
  objects: WorldObject[];
  /** A contact B's shipper raised about its own supply point. */
  bContact: string;
  /** A's organisation of `type` (or the CDSP). */
  a(type: string): Org;
  b(type: string): Org;
  of(kind: ObjectKind): WorldObject[];
  /** A member of `org` holding `role`, if that organisation type may hold the role. */
  member(org: Org, role: Role): Member | undefined;
  /** An API request as `m` (bearer token), with a fixed request id so answers compare. */
  api(
    m: Member,
    method: string,
    url: string,
    opts?: { body?: unknown; headers?: Record<string, string>; payload?: string | Buffer },
  ): Promise<LightMyRequestResponse>;
  /** A signed-in browser for `m` (signed in on first use). */
  web(m: Member): Promise<WebSession>;
  /** Forgets `m`'s browser session (after a request that ended it); the next web request signs in again. */
  forgetWeb(m: Member): void;
  cleanup(): Promise<void>;
}

export interface WebSession {
  client: WebClient;
  csrf: string;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, form: Record<string, string | string[]>): Promise<LightMyRequestResponse>;
}

export const REQUEST_ID = 'isolation-matrix-0001';

/** Builds the app (with `plugins` registered before it is ready) and the world in it. */
export async function createWorld(opts: { plugins?: Plugin[] } = {}): Promise<World> {
  const t0 = Date.now();
  const lap = (what: string) => {
    if (process.env.ISOLATION_DEBUG === '1') console.error(`world: ${what} at ${Date.now() - t0} ms`);
  };
  buildAssets();
  const tdb: TestDatabase = await createTestDatabase();
  const clock = fixedClock(NOW);
  // /metrics exists on the public listener only with its token: configured so the matrix sees the route.
  const config = loadConfig({
    CDSP_SIGN_IN_RATE_LIMIT: '100000',
    CDSP_METRICS_TOKEN: 'isolation-matrix-metrics-token-0123456789',
  });
  // No traffic leaves the test: a webhook delivery, if any were attempted, is answered here.
  const transport: WebhookTransport = async () => ({ status: 200 });
  const mailer: Mailer = { kind: 'outbox', async send() {} };
  const services = createServices(tdb.database.db, clock, null, {
    config,
    mailer,
    webhookTransport: transport,
    // Webhook host names resolve through a stub: the matrix sends no DNS query and no delivery.
    webhookResolver: stubResolver(
      new Map([...TEST_WEBHOOK_HOSTS, ['hooks.isolation.example', ['93.184.215.14']]]),
    ),
    queryPool: tdb.database.kind === 'postgres' ? tdb.database.pool : null,
  });
  const app = await buildApp({ config, database: tdb.database, services, logger: false });
  for (const p of opts.plugins ?? []) await p(app, services, tdb.database);
  await app.ready();
  const dir = mkdtempSync(join(tmpdir(), 'cdsp-isolation-'));
  lap('app ready');

  const types = (
    await inScope(tdb.database.db, SYSTEM_SCOPE, (trx) =>
      sql<{ code: string }>`SELECT code FROM ref.organisation_types ORDER BY code`.execute(trx),
    )
  ).rows.map((r) => r.code);

  const orgs: Org[] = [];
  const newOrg = async (type: string, side: Org['side']) => {
    const label = side === 'CDSP' ? 'CDSP' : `${side}-${type}`;
    const networkName = type === 'gt' || type === 'igt' ? `Isolation ${label} Pipelines` : null;
    const o = await makeOrg(services, { type, name: `Isolation ${label}`, networkName });
    const org: Org = { id: o.id, name: o.name, type, shortCode: o.shortCode, side, networkName };
    orgs.push(org);
    return org;
  };
  const cdsp = await newOrg('cdsp', 'CDSP');
  for (const type of types) {
    if (type === 'cdsp') continue;
    await newOrg(type, 'A');
    await newOrg(type, 'B');
  }

  const members: Member[] = [];
  for (const org of orgs) {
    for (const role of ROLES) {
      let user;
      try {
        user = await makeUser(services, {
          orgShortCode: org.shortCode,
          roles: [role],
          password: TEST_PASSWORD,
          name: `${org.side}-${org.type} ${role}`,
        });
      } catch {
        continue; // this organisation type may not hold the role (e.g. CDSP-only roles)
      }
      const key = await makeApiKey(services, user.email, { label: `${role} key` });
      members.push({
        org,
        role,
        userId: user.id,
        email: user.email,
        token: key.token,
        tokenId: key.id,
        permissions: permissionsFor([role]),
        label: `${org.side === 'CDSP' ? 'CDSP' : `${org.side}-${org.type}`}/${role}`,
      });
    }
  }

  lap('members');
  const byType = (side: Org['side'], type: string) => {
    const o = type === 'cdsp' ? cdsp : orgs.find((x) => x.side === side && x.type === type);
    if (!o) throw new Error(`no ${side} organisation of type ${type}`);
    return o;
  };
  const member = (org: Org, role: Role) => members.find((m) => m.org.id === org.id && m.role === role);
  const need = (org: Org, role: Role) => {
    const m = member(org, role);
    if (!m) throw new Error(`${org.side}-${org.type} has no ${role}`);
    return m;
  };

  const api: World['api'] = (m, method, url, o = {}) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${m.token}`, 'x-request-id': REQUEST_ID, ...(o.headers ?? {}) },
      ...(o.payload !== undefined
        ? { payload: o.payload }
        : o.body !== undefined
          ? { payload: o.body as object }
          : {}),
    });
  const created = async (res: LightMyRequestResponse, what: string, status = 201) => {
    assert.equal(res.statusCode, status, `${what}: ${res.body}`);
    return res.json() as Record<string, unknown>;
  };

  // ---------------------------------------------------------------- the register
  let siteNo = 0;
  let mprnNo = 0;
  const nextMprn = () => mprnWithCheckDigits(String(6_100_000 + ++mprnNo * 13));
  const addSite = async (fields: Record<string, string>) => {
    const [row] = [
      ...generateRegister({
        count: 1,
        seed: 23,
        orgs: { shippers: ['ZZA'], suppliers: ['ZZB'], mams: ['ZZC'], igts: [] },
        businessDate: '2026-01-05',
      }),
    ];
    const site: Record<string, string> = {
      ...row!,
      mprn: nextMprn(),
      class: '4',
      meter_point_status: 'LI',
      ...fields,
    };
    const cols = Object.keys(site);
    const line = (cells: string[]) =>
      cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',') + '\n';
    const path = join(dir, `site-${++siteNo}.csv`);
    writeFileSync(path, line(cols) + line(cols.map((c) => site[c] ?? '')));
    const s = await services.des.loads.load({
      path,
      businessDate: REGISTER_DATE,
      actor: { userId: null, label: 'isolation-loader', organisationId: null },
      source: 'cli',
    });
    assert.equal(s.status, 'applied', s.message);
    return site as { mprn: string; postcode: string } & Record<string, string>;
  };
  const sitePartiesOf = (...os: Org[]) => new Set([cdsp.id, ...os.map((o) => o.id)]);
  const A = (t: string) => byType('A', t);
  const B = (t: string) => byType('B', t);
  const S1 = await addSite({
    shipper_short_code: A('shipper').shortCode,
    current_supplier: A('supplier').shortCode,
    mam_short_code: A('mam').shortCode,
    network_name: A('gt').networkName!,
    postcode: 'LS1 4AP',
    house_no: '12',
  });
  const S2 = await addSite({
    shipper_short_code: A('shipper').shortCode,
    current_supplier: A('supplier').shortCode,
    mam_short_code: A('mam').shortCode,
    network_name: A('igt').networkName!,
    postcode: 'YO1 7HH',
    house_no: '3',
  });
  // B's own supply point (B raises its own contacts about it).
  const SB = await addSite({
    shipper_short_code: B('shipper').shortCode,
    current_supplier: B('supplier').shortCode,
    mam_short_code: B('mam').shortCode,
    network_name: B('gt').networkName!,
    postcode: 'M1 1AE',
  });

  lap('register');
  const objects: WorldObject[] = [];
  const missingMprn = nextMprn();
  for (const [site, network] of [
    [S1, A('gt')],
    [S2, A('igt')],
  ] as const) {
    const parties = { orgs: sitePartiesOf(A('shipper'), A('supplier'), A('mam'), network) };
    objects.push({
      kind: 'supply-point',
      id: site.mprn,
      missing: missingMprn,
      label: `supply point ${site.mprn} (A's portfolio via ${network.type})`,
      parties,
      markers: [site.mprn],
    });
    objects.push({
      kind: 'postcode',
      id: site.postcode,
      missing: 'ZE3 9JZ',
      label: `postcode of ${site.mprn}`,
      parties,
      markers: [],
    });
  }

  // ---------------------------------------------------------------- contacts, notes, attachments, requests
  const missingRef = (ref: string) =>
    `${ref.slice(0, ref.indexOf('-') + 1)}${ref.endsWith('ZZZZZZ') ? 'YYYYYY' : 'ZZZZZZ'}`;
  let secret = 0;
  const unique = (what: string) => `${what}-secret-${++secret}-${randomUUID().slice(0, 8)}`;
  const raise = async (raiser: Org, partyOrg: Org, body: Record<string, unknown>) => {
    const description = unique('description');
    const c = await created(
      await api(need(raiser, 'cms_user'), 'POST', '/api/v1/contacts', { body: { ...body, description } }),
      `contact raised by ${raiser.side}-${raiser.type}`,
    );
    const reference = c.reference as string;
    const note = unique('note');
    await created(
      await api(need(raiser, 'cms_user'), 'POST', `/api/v1/contacts/${reference}/notes`, {
        body: { body: note, visibility: 'internal' },
      }),
      'note',
    );
    const filename = `${unique('file')}.txt`;
    const att = await created(
      await api(
        need(raiser, 'cms_user'),
        'POST',
        `/api/v1/contacts/${reference}/attachments?filename=${encodeURIComponent(filename)}`,
        {
          payload: Buffer.from(`attachment ${filename}\n`),
          headers: { 'content-type': 'application/octet-stream' },
        },
      ),
      'attachment',
    );
    const parties = { orgs: new Set([raiser.id, partyOrg.id]) };
    objects.push({
      kind: 'contact',
      id: reference,
      missing: missingRef(reference),
      label: `contact ${reference} raised by ${raiser.side}-${raiser.type}`,
      parties,
      markers: [reference, description, note, c.id as string].filter(Boolean),
    });
    objects.push({
      kind: 'attachment',
      id: att.id as string,
      missing: randomUUID(),
      label: `attachment of ${reference}`,
      parties,
      markers: [att.id as string, filename],
      container: reference,
    });
    return reference;
  };
  const ADD = {
    code: 'ADD',
    mprn: S1.mprn,
    fields: {
      house_no: '12',
      street: 'High Street',
      town: 'Leeds',
      postcode: 'LS1 4AP',
      amendment_reason: 'INCORRECT',
    },
  };
  const ENQ = {
    code: 'ENQ',
    mprn: null,
    fields: { subject: 'Isolation', enquiry_category: 'OTHER', details: 'An enquiry of our own.' },
  };
  await raise(A('shipper'), cdsp, ADD);
  await raise(A('gt'), A('shipper'), {
    code: 'GSR',
    mprn: S1.mprn,
    fields: GSR_FIELDS,
  });
  for (const t of ['igt', 'uip', 'mra', 'dmsp']) await raise(A(t), cdsp, ENQ);
  // B's own contact (its attachment routes are called with A's attachment ids).
  const contactB = await api(need(B('shipper'), 'cms_user'), 'POST', '/api/v1/contacts', {
    body: { ...ADD, mprn: SB.mprn, description: 'B contact' },
  });
  const bReference = (await created(contactB, 'B contact')).reference as string;

  lap('contacts');
  // A request from the CDSP to A's shipper about A's supply point.
  const req = await created(
    await api(need(cdsp, 'cdsp_resolver'), 'POST', '/api/v1/requests', {
      body: {
        type: 'DCR',
        to: A('shipper').shortCode,
        mprn: S1.mprn,
        subject: unique('subject'),
        body: 'Please confirm',
        response_business_days: 5,
      },
    }),
    'request',
  );
  objects.push({
    kind: 'request',
    id: req.reference as string,
    missing: missingRef(req.reference as string),
    label: `request ${String(req.reference)} to A-shipper`,
    parties: { orgs: new Set([cdsp.id, A('shipper').id]) },
    markers: [req.reference as string, req.id as string].filter(Boolean),
  });

  // ---------------------------------------------------------------- webhooks, users, keys, organisations
  for (const org of orgs.filter((o) => o.side === 'A')) {
    const sup = member(org, 'cms_supervisor');
    if (sup) {
      const url = `https://hooks.isolation.example/${unique('hook')}`;
      const w = await created(await api(sup, 'POST', '/api/v1/webhooks', { body: { url } }), 'webhook');
      objects.push({
        kind: 'webhook',
        id: w.id as string,
        missing: randomUUID(),
        label: `webhook of A-${org.type}`,
        parties: { orgs: new Set([org.id]) },
        markers: [w.id as string, url],
      });
    }
    // Users, their keys and organisations: the CDSP's LSO manages every organisation (docs/security.md, 8.3.1), so
    // the CDSP is a party to them.
    const owner = members.find((m) => m.org.id === org.id && m.role !== 'lso') ?? need(org, 'lso');
    objects.push({
      kind: 'user',
      id: owner.userId,
      missing: randomUUID(),
      label: `user ${owner.email}`,
      parties: { orgs: new Set([org.id, cdsp.id]) },
      markers: [owner.userId, owner.email],
    });
    objects.push({
      kind: 'user-email',
      id: owner.email,
      missing: 'nobody-here@test.example',
      label: `email of ${owner.email}`,
      parties: { orgs: new Set([org.id, cdsp.id]) },
      markers: [owner.userId],
    });
    objects.push({
      kind: 'api-key',
      id: owner.tokenId,
      missing: randomUUID(),
      label: `API key of ${owner.email}`,
      parties: { orgs: new Set([org.id, cdsp.id]), userId: owner.userId },
      markers: [owner.tokenId],
      container: owner.userId,
    });
    objects.push({
      kind: 'organisation',
      id: org.id,
      missing: randomUUID(),
      label: `organisation A-${org.type}`,
      parties: { orgs: new Set([org.id, cdsp.id]) },
      markers: [org.id],
    });
  }

  // ---------------------------------------------------------------- a bulk enquiry and enquiry-log entries
  const bulkOwner = need(A('shipper'), 'des_bulk');
  const bulk = await created(
    await api(bulkOwner, 'POST', '/api/v1/des/bulk-enquiries', {
      payload: `mprn\n${S1.mprn}\n${S2.mprn}\n`,
      headers: { 'content-type': 'text/csv' },
    }),
    'bulk enquiry',
    202,
  );
  objects.push({
    kind: 'bulk-enquiry',
    id: bulk.id as string,
    missing: randomUUID(),
    label: 'bulk enquiry of A-shipper',
    parties: { orgs: new Set([A('shipper').id]) },
    markers: [bulk.id as string],
  });
  // ---------------------------------------------------------------- a contact file (batch-files)
  const fileOwner = need(A('shipper'), 'cms_user');
  const contactFile = await created(
    await api(fileOwner, 'POST', '/api/v1/contact-files', {
      payload: [
        `A00,CMS_CONTACTS,${A('shipper').shortCode},1,2026-03-02T09:00:00`,
        'C01,ISO-FILE-1,ENQ,,Isolation probe',
        'C02,ISO-FILE-1,subject,Probe',
        'C02,ISO-FILE-1,enquiry_category,OTHER',
        'C02,ISO-FILE-1,details,Probe',
        'Z99,1',
        '',
      ].join('\r\n'),
      headers: { 'content-type': 'text/csv' },
    }),
    'contact file',
    202,
  );
  objects.push({
    kind: 'contact-file',
    id: contactFile.id as string,
    missing: randomUUID(),
    label: 'contact file of A-shipper',
    parties: { orgs: new Set([A('shipper').id]) },
    markers: [contactFile.id as string],
  });
  for (const s of [S1, S2]) {
    const r = await api(need(A('shipper'), 'des_user'), 'GET', `/api/v1/supply-points/${s.mprn}`);
    assert.equal(r.statusCode, 200, r.body);
  }

  lap('objects');
  const sessions = new Map<string, WebSession>();
  const secrets = new Map<string, string>();
  const signIns = new Map<string, number>();
  const world: World = {
    app,
    services,
    database: tdb.database,
    clock,
    orgs,
    cdsp,
    members,
    objects,
    bContact: bReference,
    a: A,
    b: B,
    of: (kind) => objects.filter((o) => o.kind === kind),
    member,
    api,
    async web(m) {
      const known = sessions.get(m.userId);
      if (known) return known;
      // The first sign-in enrols an authenticator; later ones (after a request ended the sessions) use it, a time
      // step later (a code works once). The clock is put back afterwards, so sessions never idle out.
      const saved = clock.now();
      const n = (signIns.get(m.userId) ?? 0) + 1;
      signIns.set(m.userId, n);
      clock.set(new Date(saved.getTime() + (n - 1) * 30_000));
      const secret = secrets.get(m.userId);
      const client = secret
        ? await signIn(app, clock, m.email, TEST_PASSWORD, secret)
        : await signInAndEnrol(app, clock, m.email, TEST_PASSWORD).then((s) => {
            secrets.set(m.userId, s.secret);
            return s.client;
          });
      clock.set(saved);
      const csrf = await client.csrf('/account');
      const s: WebSession = {
        client,
        csrf,
        get: (url) => client.get(url),
        post: (url, form) => client.postRaw(url, { ...form, _csrf: csrf }),
      };
      sessions.set(m.userId, s);
      return s;
    },
    forgetWeb(m) {
      sessions.delete(m.userId);
    },
    async cleanup() {
      await app.close();
      await tdb.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}
