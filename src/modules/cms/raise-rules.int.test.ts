/**
 * Raise rules (issue 10) on the real register and the real appointments directory: codes offered only to the
 * organisations that may raise them; a DMSP's Class 1 RFA raised for the registered shipper, which sees it (another
 * shipper cannot tell it exists); DTL only on a dead site, ISO only on a live one; an RFA spanning 2017-06-01 on a
 * small site accepted with the part before marked not invoiced; UNC refused on an MPRN the register does not hold;
 * unroutable attempts listed for the CDSP only; the CDSP raises MUS and MUR, still routed by the register.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { makeOrg, makeUser, TEST_PASSWORD } from '../../../test/support/factories.ts';
import { signInAndEnrol, type WebClient } from '../../../test/support/web-client.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import {
  addSite,
  apiFor,
  assertAnsweredAsMissing,
  cmsAppPerSuite,
  nextMprn,
  type Api,
} from '../../../test/support/cms.ts';

type Org = { id: string; name: string; shortCode: string };

const RFA = {
  adjustment_start_date: '2023-01-01',
  adjustment_end_date: '2023-06-30',
  adjustment_reason: 'INCORRECT_READ',
  proposed_read: '12345',
  details: 'The read was keyed wrongly',
};
const DTL = { live_date: '2026-02-20', msn: 'M123', opening_read: '10', details: 'Reconnected' };
const ISO = { isolation_status: 'CA', isolation_date: '2026-02-20', details: 'Capped at the meter' };
const UNC = {
  house_no: '3',
  street: 'Mill Lane',
  town: 'Leeds',
  postcode: 'LS1 4AP',
  details: 'Seen on site',
};
const DMQ = { query_type: 'READ_MISSING', gas_day: '2026-02-20', details: 'No read for the day' };
const MUR = { read_reason: 'MUST_READ_OBLIGATION', required_by_date: '2026-03-20' };
const MUS = { site_status: 'OCCUPIED', gas_in_use: 'yes' };

describe('raise rules: who may raise, on whose behalf, on which sites, and what cannot be routed', () => {
  const t = cmsAppPerSuite();
  let shipperA: Org;
  let shipperB: Org;
  let dmsp1: Org;
  let dmsp2: Org;
  let uip: Org;
  let mra: Org;
  let a: Api; // shipper A
  let b: Api; // shipper B
  let d1: Api; // DMSP 1 (appointed to NW Class 1)
  let d2: Api; // DMSP 2 (appointed nowhere)
  let u: Api; // UIP
  let cdspRaiser: Api; // CDSP staff with a raising role
  let admin: Api;
  let classOne: string; // NW, Class 1, shipper A
  let classOneSc: string; // SC, Class 1, shipper A (DMSP 1 is not appointed there)
  let classThreeAppointed: string; // NW, Class 3, shipper A, DMSP 1 appointed by MPRN
  let classThree: string; // NW, Class 3, shipper A, small (no DMSP)
  let large: string; // NW, Class 3, shipper A, 100,000 kWh
  let dead: string;
  let unregistered: string; // no shipper; shipper A asked for it

  const raise = (api: Api, code: string, mprn: string, fields: Record<string, unknown>) =>
    api('POST', '/contacts', { body: { code, mprn, description: `${code} test`, fields } });
  const webAs = async (org: Org | { shortCode: string }, roles: string[]): Promise<WebClient> => {
    const user = await makeUser(t.services, { orgShortCode: org.shortCode, roles, password: TEST_PASSWORD });
    return (await signInAndEnrol(t.app, t.clock, user.email, TEST_PASSWORD)).client;
  };
  const count = async (table: string) =>
    inScope(t.database.db, SYSTEM_SCOPE, async (trx) => {
      const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(trx);
      return r.rows[0]!.n;
    });

  before(async () => {
    shipperA = await makeOrg(t.services, { type: 'shipper', name: 'Alpha Gas Shipping' });
    shipperB = await makeOrg(t.services, { type: 'shipper', name: 'Beta Gas Shipping' });
    dmsp1 = await makeOrg(t.services, { type: 'dmsp', name: 'First Daily Metering' });
    dmsp2 = await makeOrg(t.services, { type: 'dmsp', name: 'Second Daily Metering' });
    uip = await makeOrg(t.services, { type: 'uip', name: 'Connections Ltd' });
    mra = await makeOrg(t.services, { type: 'mra', name: 'Reads R Us' });
    a = await apiFor(t, shipperA.shortCode, ['cms_user']);
    b = await apiFor(t, shipperB.shortCode, ['cms_user']);
    d1 = await apiFor(t, dmsp1.shortCode, ['cms_user']);
    d2 = await apiFor(t, dmsp2.shortCode, ['cms_user']);
    u = await apiFor(t, uip.shortCode, ['cms_user']);
    cdspRaiser = await apiFor(t, t.cdsp.shortCode, ['cms_user']);
    admin = await apiFor(t, t.cdsp.shortCode, ['cdsp_admin']);

    const base = { shipper_short_code: shipperA.shortCode, ldz_id: 'NW' };
    classOne = await addSite(t, { ...base, class: '1', annual_quantity: '60000000' });
    classOneSc = await addSite(t, { ...base, ldz_id: 'SC', class: '1', annual_quantity: '60000000' });
    classThreeAppointed = await addSite(t, { ...base, class: '3', annual_quantity: '20000' });
    classThree = await addSite(t, { ...base, class: '3', annual_quantity: '20000' });
    large = await addSite(t, { ...base, class: '3', annual_quantity: '100000' });
    dead = await addSite(t, { ...base, meter_point_status: 'DE' });
    unregistered = await addSite(t, {
      shipper_short_code: '',
      interested_shipper_short_code: shipperA.shortCode,
      ldz_id: 'NW',
    });

    // Appointments through the appointments service's API, as the operator makes them.
    for (const body of [
      { role: 'dmsp', organisation: dmsp1.shortCode, ldz: 'NW', classes: [1], effective_from: '2026-01-01' },
      {
        role: 'dmsp',
        organisation: dmsp1.shortCode,
        mprn: classThreeAppointed,
        effective_from: '2026-01-01',
      },
      { role: 'mra', organisation: mra.shortCode, ldz: 'NW', effective_from: '2026-01-01' },
    ]) {
      const r = await admin('POST', '/appointments', { body });
      assert.equal(r.statusCode, 201, r.body);
    }
  });

  test('a code is offered only to organisations that may raise it; raising another is refused (403)', async () => {
    const offered = async (org: Org | { shortCode: string }, roles = ['cms_user']) => {
      const page = await (await webAs(org, roles)).get('/contacts/new');
      assert.equal(page.statusCode, 200);
      return [...page.body.matchAll(/name="code" type="radio" value="([A-Z]+)"/g)].map((m) => m[1]).sort();
    };
    assert.deepEqual(await offered(dmsp1), ['ENQ', 'FILE', 'RFA']);
    assert.deepEqual(await offered(t.cdsp), ['MUR', 'MUS']);
    const forShipper = await offered(shipperA);
    assert.ok(forShipper.includes('RFA') && forShipper.includes('DMQ'));
    assert.ok(!forShipper.includes('MUS') && !forShipper.includes('GSR'));
    assert.deepEqual(await offered(uip), ['ENQ', 'FILE', 'FOM', 'MNC', 'UNC']);

    // Not offered, and not reachable by its address either; the API refuses it in words.
    const dmspWeb = await webAs(dmsp1, ['cms_user']);
    assert.equal((await dmspWeb.get('/contacts/new/DMQ')).statusCode, 403);
    assert.equal((await dmspWeb.get('/contacts/new/RFA')).statusCode, 200);
    const before = await count('cms.contacts');
    const refused = await raise(d1, 'DMQ', classOne, DMQ);
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(
      refused.json().title,
      'Your organisation cannot raise Daily Metered Query (DMQ) contacts: only shippers can.',
    );
    assert.equal((await raise(a, 'MUS', unregistered, MUS)).statusCode, 403);
    assert.equal(await count('cms.contacts'), before);
  });

  test('a DMSP raises a Class 1 RFA for the registered shipper, which sees it; another shipper cannot tell it exists', async () => {
    const r = await raise(d1, 'RFA', classOne, RFA);
    assert.equal(r.statusCode, 201, r.body);
    const ref = r.json().reference as string;
    assert.equal(r.json().on_behalf_of, `${shipperA.name} (${shipperA.shortCode})`);
    assert.equal(r.json().resolver, 'CDSP invoicing team');

    // The registered shipper: the contact page (API and web) and its lists.
    const seen = await a('GET', `/contacts/${ref}`);
    assert.equal(seen.statusCode, 200, seen.body);
    assert.deepEqual(
      [seen.json().on_behalf_of, seen.json().your_side],
      [`${shipperA.name} (${shipperA.shortCode})`, []],
    );
    assert.deepEqual(seen.json().available_actions, []);
    const refsIn = async (api: Api, query: string) =>
      ((await api('GET', `/contacts${query}`)).json().items as { reference: string }[]).map(
        (c) => c.reference,
      );
    assert.ok((await refsIn(a, '')).includes(ref));
    assert.ok((await refsIn(a, '?view=raised')).includes(ref));
    assert.ok(!(await refsIn(a, '?view=received')).includes(ref));
    const page = await (await webAs(shipperA, ['cms_supervisor'])).get(`/contacts/${ref}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Raised on behalf of<\/dt><dd[^>]*>Alpha Gas Shipping/);
    assert.ok(!page.body.includes('Add note'), 'no note form for a party that cannot add one');
    assert.ok(!page.body.includes('name="action"'), 'no actions offered');
    // It reads; it does not act (the raiser and the resolver do).
    const note = await a('POST', `/contacts/${ref}/notes`, { body: { body: 'We agree' } });
    assert.equal(note.statusCode, 403, note.body);
    const cancel = await a('POST', `/contacts/${ref}/actions`, {
      body: { action: 'cancel', note: 'no', version: seen.json().version },
    });
    assert.equal(cancel.statusCode, 403, cancel.body);

    // Another shipper gets exactly the answer for a contact that does not exist.
    await assertAnsweredAsMissing(b, ref);
    assert.ok(!(await refsIn(b, '')).includes(ref));
  });

  test('a DMSP cannot raise an RFA for a site it is not appointed to, nor for a site that is not Class 1', async () => {
    const before = await count('cms.contacts');
    const elsewhere = await raise(d1, 'RFA', classOneSc, RFA);
    assert.equal(elsewhere.statusCode, 400, elsewhere.body);
    assert.match(elsewhere.body, /There is no supply point \d+ in your portfolio/);
    const notAppointed = await raise(d2, 'RFA', classOne, RFA);
    assert.equal(notAppointed.statusCode, 400, notAppointed.body);
    assert.match(notAppointed.body, /There is no supply point \d+ in your portfolio/);
    const class3 = await raise(d1, 'RFA', classThreeAppointed, RFA);
    assert.equal(class3.statusCode, 400, class3.body);
    assert.match(
      class3.body,
      /only for a Class 1 site, on the registered shipper’s behalf. This is a Class 3 site/,
    );
    // And the shipper itself raises RFAs for Class 2-4 only.
    const byShipper = await raise(a, 'RFA', classOne, RFA);
    assert.equal(byShipper.statusCode, 400, byShipper.body);
    assert.match(byShipper.body, /appointed Daily Metered Service Provider raises it on your behalf/);
    assert.equal(await count('cms.contacts'), before);
  });

  test('DTL only on a dead site, ISO only on a live one', async () => {
    const dtlLive = await raise(a, 'DTL', classThree, DTL);
    assert.equal(dtlLive.statusCode, 400, dtlLive.body);
    assert.match(
      dtlLive.body,
      /Dead to Live is only for a supply point the register shows as dead. This one is live./,
    );
    assert.equal((await raise(a, 'DTL', dead, DTL)).statusCode, 201);
    const isoDead = await raise(a, 'ISO', dead, ISO);
    assert.equal(isoDead.statusCode, 400, isoDead.body);
    assert.match(isoDead.body, /only for a supply point the register shows as live. This one is dead./);
    assert.equal((await raise(a, 'ISO', classThree, ISO)).statusCode, 201);
  });

  test('an RFA spanning 2017-06-01 is accepted below 73,200 kWh with the part before not invoiced; above, all of it is', async () => {
    const spanning = { ...RFA, adjustment_start_date: '2017-01-01', adjustment_end_date: '2018-01-01' };
    const small = await raise(a, 'RFA', classThree, spanning);
    assert.equal(small.statusCode, 201, small.body);
    const expected = {
      from: '2017-01-01',
      to: '2017-05-31',
      text: 'Not invoiced from 1 January 2017 to 31 May 2017: for a site using less than 73,200 kWh a year, the part of an adjustment before 1 June 2017 is not invoiced.',
    };
    assert.deepEqual(small.json().not_invoiced, expected);
    const ref = small.json().reference as string;
    assert.deepEqual((await a('GET', `/contacts/${ref}`)).json().not_invoiced, expected);
    const page = await (await webAs(shipperA, ['cms_user'])).get(`/contacts/${ref}`);
    assert.ok(page.body.includes(expected.text));

    const wholly = { ...RFA, adjustment_start_date: '2016-01-01', adjustment_end_date: '2017-05-31' };
    const refused = await raise(a, 'RFA', classThree, wholly);
    assert.equal(refused.statusCode, 400, refused.body);
    assert.match(refused.body, /all of this period is before it: end it on or after that date/);

    const big = await raise(a, 'RFA', large, wholly);
    assert.equal(big.statusCode, 201, big.body);
    assert.equal(big.json().not_invoiced, null);
  });

  test('UNC (no portfolio check) is refused on an MPRN that is not on the register', async () => {
    const before = await count('cms.contacts');
    const unknown = nextMprn();
    const r = await raise(u, 'UNC', unknown, UNC);
    assert.equal(r.statusCode, 400, r.body);
    assert.deepEqual(r.json().errors, [
      { field: 'mprn', message: `There is no supply point ${unknown} on the register` },
    ]);
    assert.equal(await count('cms.contacts'), before);
    // On the register (though in nobody's portfolio the UIP holds): raised, and it learns nothing more of the site.
    const ok = await raise(u, 'UNC', classThree, UNC);
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(ok.json().site, null);
  });

  test('the CDSP raises MUS and MUR, still routed by the register and the appointments', async () => {
    const mus = await raise(cdspRaiser, 'MUS', unregistered, MUS);
    assert.equal(mus.statusCode, 201, mus.body);
    assert.equal(mus.json().resolver, `${shipperA.name} (${shipperA.shortCode})`);
    const mur = await raise(cdspRaiser, 'MUR', classThree, MUR);
    assert.equal(mur.statusCode, 201, mur.body);
    assert.equal(mur.json().resolver, `${mra.name} (${mra.shortCode})`);
    // A CDSP resolver holds no raising role.
    const resolver = await apiFor(t, t.cdsp.shortCode, ['cdsp_resolver']);
    assert.equal((await raise(resolver, 'MUR', classThree, MUR)).statusCode, 403);
  });

  test('an unroutable attempt names what is missing and whom to ask, and is listed for the CDSP only', async () => {
    const contactsBefore = await count('cms.contacts');
    const r = await raise(a, 'DMQ', classThree, DMQ);
    assert.equal(r.statusCode, 400, r.body);
    assert.deepEqual(r.json().errors, [
      {
        field: 'mprn',
        message:
          'No Daily Metered Service Provider is appointed for this supply point today (LDZ NW, Class 3), so the contact cannot be routed. Ask the CDSP service desk to record the appointment',
      },
    ]);
    assert.equal(await count('cms.contacts'), contactsBefore, 'the refusal raised nothing');
    assert.equal(await count('cms.unroutable_attempts'), 1);
    // An unregistered site no shipper asked for: MUS has nobody to go to.
    const nobody = await addSite(t, { shipper_short_code: '', ldz_id: 'NW' });
    const mus = await raise(cdspRaiser, 'MUS', nobody, MUS);
    assert.equal(mus.statusCode, 400, mus.body);
    assert.match(mus.body, /names no interested shipper for this supply point/);
    assert.equal(await count('cms.unroutable_attempts'), 2);
    const audited = await inScope(t.database.db, SYSTEM_SCOPE, async (trx) => {
      const r = await sql<{ details: Record<string, unknown> }>`
        SELECT details FROM audit.events WHERE action = 'contact.unroutable' ORDER BY seq`.execute(trx);
      return r.rows.map((e) => [e.details['code'], e.details['mprn'], e.details['missing']]);
    });
    assert.deepEqual(audited, [
      ['DMQ', classThree, 'Daily Metered Service Provider appointment for LDZ NW, Class 3'],
      ['MUS', nobody, 'The interested shipper'],
    ]);

    const adminWeb = await webAs(t.cdsp, ['cdsp_admin']);
    const list = await adminWeb.get('/contacts');
    assert.ok(list.body.includes('href="/contacts/unroutable"'), 'linked from the contacts page');
    const page = await adminWeb.get('/contacts/unroutable');
    assert.equal(page.statusCode, 200);
    const table = page.body.slice(page.body.indexOf('<table'), page.body.indexOf('</table>'));
    for (const text of [
      'Alpha Gas Shipping',
      'Daily Metered Query',
      classThree,
      'Daily Metered Service Provider appointment for LDZ NW, Class 3',
      '2 March 2026',
      'Manage Unregistered Sites',
      nobody,
      'The interested shipper',
    ]) {
      assert.ok(table.includes(text), text);
    }

    // Customers (even the organisation that tried) and CDSP staff who do not manage appointments: refused.
    for (const [org, roles] of [
      [shipperA, ['cms_supervisor', 'lso']],
      [dmsp1, ['cms_user']],
      [t.cdsp, ['cdsp_resolver']],
    ] as const) {
      const res = await (await webAs(org, [...roles])).get('/contacts/unroutable');
      assert.equal(res.statusCode, 403, `${org.shortCode} ${roles.join(',')}`);
      assert.ok(!res.body.includes(classThree));
    }
    const customerList = await (await webAs(shipperA, ['cms_supervisor'])).get('/contacts');
    assert.ok(!customerList.body.includes('/contacts/unroutable'));
  });
  test('about a supply point, the chooser offers only the codes that can succeed there, and the service agrees', async () => {
    const web = await webAs(shipperA, ['cms_user']);
    const chooser = async (mprn: string) => {
      const page = await web.get(`/contacts/new?mprn=${mprn}`);
      assert.equal(page.statusCode, 200);
      const offered = [...page.body.matchAll(/name="code" type="radio" value="([A-Z]+)"/g)].map((m) => m[1]!);
      return { offered, body: page.body };
    };
    const live = await chooser(classThree);
    // No DMSP is appointed there (DMQ); the NW meter reading agency is (MUR).
    for (const c of ['DTL', 'UNC', 'MNC', 'DMQ']) assert.ok(!live.offered.includes(c), c);
    for (const c of ['ISO', 'RFA', 'MUR']) assert.ok(live.offered.includes(c), c);
    assert.match(live.body, /Not available for this supply point/);
    assert.match(
      live.body,
      /Dead to Live is only for a supply point the register shows as dead\. This one is live\./,
    );
    const deadSite = await chooser(dead);
    assert.ok(deadSite.offered.includes('DTL') && !deadSite.offered.includes('ISO'));
    const appointed = await chooser(classThreeAppointed);
    assert.ok(appointed.offered.includes('DMQ'));

    // Every code the organisation may raise, on each site: offered exactly when the service accepts it (codes with
    // valid fields to hand), and otherwise never refused about the site when offered.
    const valid: Record<string, Record<string, unknown>> = {
      RFA,
      DTL,
      ISO,
      UNC,
      DMQ,
      MUR,
      MNC: { ...UNC, ldz_id: 'NW' },
    };
    const page = await web.get('/contacts/new');
    const mayRaiseCodes = [...page.body.matchAll(/name="code" type="radio" value="([A-Z]+)"/g)].map(
      (m) => m[1]!,
    );
    for (const [mprn, offered] of [
      [classThree, live.offered],
      [dead, deadSite.offered],
      [classThreeAppointed, appointed.offered],
    ] as const) {
      for (const code of mayRaiseCodes) {
        const r = await raise(a, code, mprn, valid[code] ?? {});
        const errors: { field: string; message: string }[] = r.statusCode === 400 ? r.json().errors : [];
        const aboutSite = errors.filter((e) => e.field === 'mprn' || e.field === 'fields');
        if (offered.includes(code)) {
          assert.notEqual(r.statusCode, 403, `${code} ${r.body}`);
          assert.deepEqual(aboutSite, [], `${code} offered on ${mprn} but refused about the site`);
          if (valid[code]) assert.equal(r.statusCode, 201, `${code} on ${mprn}: ${r.body}`);
        } else if (valid[code]) {
          assert.ok(
            r.statusCode === 400 || r.statusCode === 403,
            `${code} not offered on ${mprn}: ${r.body}`,
          );
        } else {
          assert.ok(
            aboutSite.length > 0 || r.statusCode === 403,
            `${code} not offered on ${mprn}: ${r.body}`,
          );
        }
      }
    }
  });
});
