/**
 * The demo world keeps the README's promises: seeded exactly as `npm start` does (`serve --seed-if-empty`: seedDemo
 * on an empty database, the system clock), every contact code of the catalogue is raised through the real API by
 * the demo user on the demo MPRN that src/demo/demo-guide.ts (and so the README) names, with valid field values,
 * and goes to the party named there; each organisation's "MPRNs to try" are in its portfolio with that postcode; the
 * README shows every row of both tables.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { createServices, type Services } from '../composition.ts';
import { loadConfig } from '../config.ts';
import { fixedClock, systemClock } from '../platform/clock.ts';
import { addCalendarDays, londonDateOf } from '../platform/time/calendar.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { ADD_FIELDS } from '../../test/support/factories/cms.ts';
import { buildAssets } from '../../scripts/build-assets.ts';
import { isEmpty, seedDemo } from './seed.ts';
import { DEMO_CODE_GUIDE, DEMO_ORG_GUIDE } from './demo-guide.ts';
import { DEMO_MPRN_OWN_MRA } from './appointments.ts';
import { demoShowcaseSites, SHOWCASE_KEYS } from './showcase.ts';
import { demoGeneratorOrgs } from './des-register.ts';
import { DEMO_USERS } from './demo-world.ts';

const SEEDER = { userId: null, label: 'test:demo-guide', organisationId: null };

let tdb: TestDatabase;
let services: Services;
let app: FastifyInstance;
const tokens = new Map<string, string>();
// The service clock, as `npm start` has it: the system clock, or CDSP_NOW when set (so the README's promises can be
// checked on any seeding date: CDSP_NOW=2027-03-15T10:00:00Z npx tsx --test src/demo/demo-guide.int.test.ts).
const pinned = loadConfig({ CDSP_NOW: process.env['CDSP_NOW'] }).now;
const clock = pinned ? fixedClock(pinned) : systemClock;
const today = londonDateOf(clock.now());
const day = (n: number) => addCalendarDays(today, n);

before(async () => {
  buildAssets();
  tdb = await createTestDatabase();
  const pool = tdb.database.kind === 'postgres' ? tdb.database.pool : null;
  // As src/server.ts wires the service for `serve --seed-if-empty`.
  services = createServices(tdb.database.db, clock, null, { queryPool: pool, desCopyPool: pool });
  assert.equal(await isEmpty(services), true);
  await seedDemo(tdb.database.db, services);
  app = await buildApp({ config: loadConfig({}), database: tdb.database, services, logger: false });
  await app.ready();
});

after(async () => {
  await app?.close();
  await tdb?.cleanup();
});

async function tokenOf(email: string): Promise<string> {
  let t = tokens.get(email);
  if (!t) {
    t = (await services.identity.createToken({ email, label: 'demo guide' }, SEEDER)).token;
    tokens.set(email, t);
  }
  return t;
}

async function api(email: string, method: 'GET' | 'POST', url: string, body?: object) {
  return app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: `Bearer ${await tokenOf(email)}` },
    ...(body ? { payload: body } : {}),
  });
}

/** Valid field values for each code, as the demo user would type them (dates relative to today). */
function fieldsFor(code: string): Record<string, unknown> {
  const address = { house_no: '7', street: 'Mill Lane', town: 'Warrington', postcode: 'wa1 2ab' };
  const fields: Record<string, Record<string, unknown>> = {
    ADD: ADD_FIELDS,
    UNC: { ...address, site_visit_date: day(-2), details: 'Confirmed on a site visit.' },
    AGG: { proposed_twin_stream_indicator: 'Y', details: 'The site has two meters on one supply.' },
    DMQ: { query_type: 'READ_MISSING', gas_day: day(-2), details: 'No daily read received.' },
    DUP: { duplicate_mprn: '4904512807', mprn_to_keep: 'THIS', details: 'Two MPRNs for one meter.' },
    ENQ: { subject: 'Class 1 reads', enquiry_category: 'SUPPLY_POINT', details: 'Which reads apply?' },
    FILE: {
      file_name: `RRM_${day(-1).replace(/-/g, '')}.csv`,
      file_date: day(-1),
      issue: 'REJECTED',
      details: 'Rejected without a response file.',
    },
    FOM: { ...address, msn: 'G4A1234567', date_found: day(-3), details: 'Meter found on a read visit.' },
    MNC: {
      ...address,
      ldz_id: 'NW',
      market_sector_code: 'D',
      estimated_aq_kwh: 12000,
      details: 'New build, plot 7.',
    },
    GSR: {
      notice_reference: 'GSR-DEMO-1',
      situation_category: 'ID',
      action_taken: 'CAPPED',
      visit_date: day(-1),
      gas_escape: false,
      details: 'Supply capped on a shipperless site.',
    },
    ISO: { isolation_status: 'IS', isolation_date: day(-1) },
    DTL: { live_date: day(-5), msn: 'G4A7654321', opening_read: 123, details: 'Supply restored.' },
    MUR: { read_reason: 'METER_CHECK', required_by_date: day(10) },
    MUS: { site_status: 'OCCUPIED', gas_in_use: true },
    PRS: {
      change_type: 'ADD_SUB',
      prime_mprn: '5189311710',
      sub_mprns: '4894858600',
      effective_date: day(7),
      details: 'Add the sub meter.',
    },
    PSA: {
      read_date: day(-1),
      prime_read: 10450,
      sub_mprn: '4894858600',
      sub_read: 2100,
      read_type: 'A',
    },
    PSI: {
      invoice_number: 'INV-DEMO-1',
      charge_period_start_date: day(-60),
      charge_period_end_date: day(-30),
      disputed_amount: 120.5,
      details: 'Sub consumption charged twice.',
    },
    RFA: {
      adjustment_start_date: day(-90),
      adjustment_end_date: day(-30),
      adjustment_reason: 'INCORRECT_READ',
      proposed_consumption_kwh: 4_500_000,
      details: 'Corrected daily reads.',
    },
    CDQ: {
      dispute_period_start_date: day(-90),
      dispute_period_end_date: day(-30),
      dispute_reason: 'ESTIMATED_READS',
      disputed_consumption_kwh: 4000,
      details: 'Estimated reads far above actual.',
    },
    TOG: {
      theft_type: 'BYPASS',
      date_discovered: day(-2),
      estimated_volume_kwh: 1500,
      estimation_method: 'AQ',
      supply_made_safe: true,
      details: 'Bypass found on a meter exchange.',
    },
  };
  const f = fields[code];
  if (!f) throw new Error(`no demo field values for ${code}`);
  return f;
}

/** The README's "Demo sign-in" section (up to the next top-level heading). */
function readmeDemoSection(): string {
  const text = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = text.indexOf('## Demo sign-in');
  assert.ok(start >= 0, 'README has a "Demo sign-in" section');
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** The README table row that starts with `first` (its cells trimmed), or undefined. */
function readmeRow(section: string, first: string): string[] | undefined {
  for (const line of section.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim().replace(/`/g, ''));
    if (cells[0] === first) return cells;
  }
  return undefined;
}

test('the guide covers every code of the catalogue, once, with a demo user that exists', async () => {
  const codes = (await services.cms.catalogue.list()).map((c) => c.code).sort();
  assert.deepEqual(DEMO_CODE_GUIDE.map((g) => g.code).sort(), codes);
  const emails = new Set(DEMO_USERS.map((u) => u.email));
  for (const g of [...DEMO_CODE_GUIDE, ...DEMO_ORG_GUIDE])
    assert.ok(emails.has(g.user), `${g.user} is a demo user`);
});

test('the guide names the showcase sites by their MPRNs, which are in the demo register', async () => {
  const taken = new Set<string>();
  const showcase = demoShowcaseSites(demoGeneratorOrgs(), taken);
  assert.deepEqual([...showcase.keys()], [...SHOWCASE_KEYS]);
  const byKey = new Map([...showcase].map(([k, r]) => [k, r['mprn']]));
  for (const g of DEMO_CODE_GUIDE)
    if (g.site) assert.equal(g.mprn, byKey.get(g.site), `${g.code}: ${g.site}`);
  for (const o of DEMO_ORG_GUIDE)
    for (const s of o.sites) assert.equal(s.mprn, byKey.get(s.site), `${o.org}: ${s.site}`);
  assert.equal(DEMO_MPRN_OWN_MRA, byKey.get('nls_own_mra'));
});

for (const g of DEMO_CODE_GUIDE) {
  test(`${g.code}: ${g.user} raises it on ${g.mprn ?? 'a new site'}, and it goes to ${g.routedTo}`, async () => {
    const res = await api(g.user, 'POST', '/contacts', {
      code: g.code,
      mprn: g.mprn,
      description: `Demo ${g.code} from the README`,
      fields: fieldsFor(g.code),
    });
    assert.equal(res.statusCode, 201, res.body);
    const contact = res.json() as { reference: string; resolver: string; mprn: string | null };
    assert.equal(contact.mprn, g.mprn);
    assert.equal(contact.resolver, g.routedTo);
    // The resolving side reads it (a register party's user, or the CDSP resolver for a CDSP team).
    const resolverUser = g.routedTo.startsWith('CDSP ')
      ? 'resolver@cdsp.example'
      : DEMO_USERS.find((u) => u.roles.includes('cms_user') && g.routedTo.endsWith(`(${u.org})`))?.email;
    assert.ok(resolverUser, `a demo user works contacts routed to ${g.routedTo}`);
    const read = await api(resolverUser, 'GET', `/contacts/${contact.reference}`);
    assert.equal(read.statusCode, 200, read.body);
  });
}

test('a DMSP’s Class 1 RFA is raised on the registered shipper’s behalf, and the shipper sees it', async () => {
  const g = DEMO_CODE_GUIDE.find((x) => x.code === 'RFA')!;
  const res = await api(g.user, 'POST', '/contacts', {
    code: 'RFA',
    mprn: g.mprn,
    description: 'A second Class 1 adjustment',
    fields: fieldsFor('RFA'),
  });
  assert.equal(res.statusCode, 201, res.body);
  const c = res.json() as { reference: string; on_behalf_of: string | null };
  assert.match(c.on_behalf_of ?? '', /NLS/);
  const seen = await api('cms.user@northernlights.example', 'GET', `/contacts/${c.reference}`);
  assert.equal(seen.statusCode, 200, seen.body);
});

test('NLS’s MUR on the supply point with its own MRA goes to that MRA (PMR), not the LDZ’s (README)', async () => {
  const res = await api('cms.user@northernlights.example', 'POST', '/contacts', {
    code: 'MUR',
    mprn: DEMO_MPRN_OWN_MRA,
    description: 'Read needed for a meter check',
    fields: fieldsFor('MUR'),
  });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal((res.json() as { resolver: string }).resolver, 'Precise Meter Reads (PMR)');
});

test('CDSP staff (contacts@cdsp.example) raise a MUS too: on the unregistered site it goes to NLS', async () => {
  const res = await api('contacts@cdsp.example', 'POST', '/contacts', {
    code: 'MUS',
    mprn: '5010709004',
    description: 'Gas in use on an unregistered site',
    fields: fieldsFor('MUS'),
  });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal((res.json() as { resolver: string }).resolver, 'Northern Lights Gas Shipping (NLS)');
});

test('each organisation’s MPRNs to try are in its portfolio, at the postcode the guide gives', async () => {
  for (const o of DEMO_ORG_GUIDE) {
    const actor = await services.identity.authenticateToken(await tokenOf(o.user));
    assert.ok(actor);
    for (const s of o.sites) {
      const site = await services.des.register.findVisibleSite(actor, s.mprn);
      assert.ok(site, `${o.user} sees ${s.mprn}`);
      assert.ok(site.address?.endsWith(s.postcode), `${s.mprn} is at ${s.postcode}: ${site.address}`);
    }
  }
});

test('the demo register has shipperless and unregistered sites, and an appointment for every LDZ', async () => {
  const cdsp = await services.identity.authenticateToken(await tokenOf('contacts@cdsp.example'));
  assert.ok(cdsp);
  const shipperless = await services.des.register.findVisibleSite(cdsp, '399685709');
  assert.equal(shipperless?.shipper_short_code, null);
  assert.equal(shipperless?.last_shipper_short_code, 'NLS');
  const unregistered = await services.des.register.findVisibleSite(cdsp, '5010709004');
  assert.equal(unregistered?.interested_shipper_short_code, 'NLS');
  // NLS (last and interested shipper) sees both in DES (README).
  const nls = await services.identity.authenticateToken(await tokenOf('des.user@northernlights.example'));
  assert.ok(nls);
  for (const mprn of ['399685709', '5010709004'])
    assert.ok(await services.des.register.findVisibleSite(nls, mprn), `NLS sees ${mprn}`);
  const own = await services.des.register.findVisibleSite(cdsp, DEMO_MPRN_OWN_MRA);
  assert.equal(own?.mra_short_code, 'PMR');
  const ldzs = (await services.appointments.ldzs()).map((l) => l.code);
  const list = await services.appointments.list();
  for (const role of ['dmsp', 'mra']) {
    const covered = new Set(list.filter((a) => a.role === role).map((a) => a.ldz));
    for (const ldz of ldzs) assert.ok(covered.has(ldz), `a ${role} appointment for LDZ ${ldz}`);
  }
});

test('the README lists every code’s row and every organisation’s MPRNs to try', async () => {
  const section = readmeDemoSection();
  const names = new Map((await services.cms.catalogue.list()).map((c) => [c.code, c.name]));
  for (const g of DEMO_CODE_GUIDE) {
    const row = readmeRow(section, g.code);
    assert.ok(row, `README has a row for ${g.code}`);
    assert.equal(row[1], names.get(g.code), `README ${g.code}: its name`);
    assert.ok(row.includes(g.user), `README ${g.code}: raised by ${g.user}`);
    assert.ok(row.includes(g.mprn ?? '—'), `README ${g.code}: on ${g.mprn}`);
    assert.ok(row.includes(g.routedTo), `README ${g.code}: goes to ${g.routedTo}`);
  }
  for (const o of DEMO_ORG_GUIDE) {
    const row = readmeRow(section, o.org);
    assert.ok(row, `README has a row for ${o.org}`);
    for (const s of o.sites)
      assert.ok(
        row.join(' ').includes(`${s.mprn} (${s.postcode})`),
        `README ${o.org}: ${s.mprn} (${s.postcode})`,
      );
  }
});
