/**
 * The appointments directory end to end, on the real register (the CMS's site look-up is the DES module's
 * `findVisibleSite`): DMQ and MUR route to the organisation appointed on the raise date (an MPRN appointment wins
 * over the LDZ one), an ended appointment no longer routes, the appointed DMSP works its DMQ and another DMSP cannot
 * tell it exists; the API's refusals change nothing; every add and end is audited; only CDSP administrators manage it.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { makeOrg } from '../../../../test/support/factories.ts';
import { inScope, SYSTEM_SCOPE } from '../../../platform/db/scope.ts';
import {
  act,
  addSite,
  apiFor,
  assertAnsweredAsMissing,
  cmsAppPerSuite,
  webFor,
  type Api,
} from '../../../../test/support/cms.ts';

const DMQ_FIELDS = { query_type: 'READ_MISSING', gas_day: '2026-02-20', details: 'No read for the day' };
const MUR_FIELDS = { read_reason: 'MUST_READ_OBLIGATION', required_by_date: '2026-03-20' };

describe('appointments directory: DMQ and MUR routing, management, refusals, audit', () => {
  const t = cmsAppPerSuite();
  let shipper: Api;
  let admin: Api;
  let dmsp1: { id: string; name: string; shortCode: string };
  let dmsp2: { id: string; name: string; shortCode: string };
  let mra: { id: string; name: string; shortCode: string };
  let dmsp1Api: Api;
  let dmsp2Api: Api;
  let nonAdmins: { label: string; api: Api }[];
  let site1: string; // class 1, NW
  let site2: string; // class 2, NW (gets an MPRN appointment)
  let site4: string; // class 4, NW
  let orgA: { id: string; name: string; shortCode: string };

  before(async () => {
    orgA = await makeOrg(t.services, { type: 'shipper' });
    shipper = await apiFor(t, orgA.shortCode, ['cms_user']);
    admin = await apiFor(t, t.cdsp.shortCode, ['cdsp_admin']);
    dmsp1 = await makeOrg(t.services, { type: 'dmsp', name: 'First Daily Metering' });
    dmsp2 = await makeOrg(t.services, { type: 'dmsp', name: 'Second Daily Metering' });
    mra = await makeOrg(t.services, { type: 'mra', name: 'Reads R Us' });
    dmsp1Api = await apiFor(t, dmsp1.shortCode, ['cms_user']);
    dmsp2Api = await apiFor(t, dmsp2.shortCode, ['cms_supervisor']);
    nonAdmins = [
      { label: 'a shipper user', api: shipper },
      { label: 'a DMSP user', api: dmsp1Api },
      {
        label: 'a CDSP supervisor',
        api: await apiFor(t, t.cdsp.shortCode, ['cdsp_supervisor']),
      },
    ];
    const base = { shipper_short_code: orgA.shortCode, ldz_id: 'NW' };
    site1 = await addSite(t, { ...base, class: '1', annual_quantity: '60000000' });
    site2 = await addSite(t, { ...base, class: '2', annual_quantity: '800000' });
    site4 = await addSite(t, { ...base, class: '4' });
  });

  const raise = (code: 'DMQ' | 'MUR', mprn: string) =>
    shipper('POST', '/contacts', {
      body: { code, mprn, description: `${code} test`, fields: code === 'DMQ' ? DMQ_FIELDS : MUR_FIELDS },
    });
  const appoint = (body: Record<string, unknown>) => admin('POST', '/appointments', { body });
  const list = async (query = '') =>
    (await admin('GET', `/appointments${query}`)).json().appointments as {
      id: string;
      organisation: string;
      status: string;
    }[];
  const auditEvents = (action: string) =>
    inScope(
      t.database.db,
      SYSTEM_SCOPE,
      async (trx) =>
        (
          await sql<{ subject_id: string; details: Record<string, unknown> }>`
          SELECT subject_id, details FROM audit.events WHERE action = ${action} ORDER BY seq`.execute(trx)
        ).rows,
    );

  test('with no appointment, DMQ and MUR are refused naming what is missing', async () => {
    for (const [code, what] of [
      ['DMQ', 'Daily Metered Service Provider'],
      ['MUR', 'Meter Reading Agency'],
    ] as const) {
      const r = await raise(code, site1);
      assert.equal(r.statusCode, 400, r.body);
      assert.match(r.body, new RegExp(`No ${what} is appointed for this supply point`));
    }
  });

  test('DMQ routes to the LDZ appointment, and to the MPRN appointment where one exists; MUR to the MRA; audited', async () => {
    const a1 = await appoint({
      role: 'dmsp',
      organisation: dmsp1.shortCode,
      ldz: 'NW',
      classes: [1, 2],
      effective_from: '2026-01-01',
    });
    assert.equal(a1.statusCode, 201, a1.body);
    assert.equal(a1.json().organisation_name, dmsp1.name);
    const a2 = await appoint({
      role: 'dmsp',
      organisation: dmsp2.shortCode,
      mprn: site2,
      effective_from: '2026-02-01',
    });
    assert.equal(a2.statusCode, 201, a2.body);
    const a3 = await appoint({
      role: 'mra',
      organisation: mra.shortCode.toLowerCase(),
      ldz: 'nw',
      effective_from: '2026-03-02',
    });
    assert.equal(a3.statusCode, 201, a3.body);

    const onSite1 = await raise('DMQ', site1);
    assert.equal(onSite1.statusCode, 201, onSite1.body);
    assert.equal(onSite1.json().resolver, `${dmsp1.name} (${dmsp1.shortCode})`);
    const onSite2 = await raise('DMQ', site2);
    assert.equal(onSite2.statusCode, 201, onSite2.body);
    assert.equal(onSite2.json().resolver, `${dmsp2.name} (${dmsp2.shortCode})`, 'the MPRN appointment wins');
    // The LDZ appointment names classes 1 and 2 only: a class 4 site has no DMSP.
    const onSite4 = await raise('DMQ', site4);
    assert.equal(onSite4.statusCode, 400, onSite4.body);
    const mur = await raise('MUR', site4);
    assert.equal(mur.statusCode, 201, mur.body);
    assert.equal(mur.json().resolver, `${mra.name} (${mra.shortCode})`);

    const added = await auditEvents('des.appointment.added');
    assert.deepEqual(
      added.map((e) => e.subject_id),
      [a1.json().id, a2.json().id, a3.json().id],
    );
    assert.deepEqual(added[0]!.details, {
      role: 'dmsp',
      organisation: dmsp1.shortCode,
      ldz: 'NW',
      classes: [1, 2],
      mprn: null,
      effective_from: '2026-01-01',
      effective_to: null,
    });

    // The appointed DMSP reads and works its DMQ; another DMSP gets exactly the answer for a contact that does not exist.
    const ref = onSite1.json().reference as string;
    const seen = await dmsp1Api('GET', `/contacts/${ref}`);
    assert.equal(seen.statusCode, 200, seen.body);
    assert.equal((await act(dmsp1Api, ref, { action: 'start' })).status, 'in_progress');
    await assertAnsweredAsMissing(dmsp2Api, ref);
  });

  test('an appointment ended yesterday no longer routes; the list and its audit show the end', async () => {
    const current = await list('?role=dmsp&ldz=NW&current=true');
    assert.equal(current.length, 1);
    const id = current[0]!.id;
    const ended = await admin('POST', `/appointments/${id}/end`, { body: { effective_to: '2026-03-01' } });
    assert.equal(ended.statusCode, 200, ended.body);
    assert.equal(ended.json().status, 'ended');
    assert.equal(ended.json().effective_to, '2026-03-01');
    const r = await raise('DMQ', site1);
    assert.equal(r.statusCode, 400, r.body);
    assert.match(r.body, /No Daily Metered Service Provider is appointed for this supply point today/);
    // The MPRN appointment is untouched.
    assert.equal((await raise('DMQ', site2)).statusCode, 201);
    assert.deepEqual(await list('?role=dmsp&ldz=NW&current=true'), []);
    assert.equal((await list('?role=dmsp&ldz=NW')).length, 1, 'history is kept');
    const ends = await auditEvents('des.appointment.ended');
    assert.equal(ends.length, 1);
    assert.equal(ends[0]!.subject_id, id);
    assert.equal(ends[0]!.details['to'], '2026-03-01');
    // Extending it is refused: a change is a new appointment.
    const extend = await admin('POST', `/appointments/${id}/end`, { body: { effective_to: '2026-06-01' } });
    assert.equal(extend.statusCode, 400);
    assert.match(extend.body, /can only be brought forward/);
  });

  test('API refusals are problem+json 400s naming the field, and change nothing', async () => {
    const before = await list();
    const eventsBefore = (await auditEvents('des.appointment.added')).length;
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [
        { role: 'dmsp', organisation: mra.shortCode, ldz: 'SE', effective_from: '2026-01-01' },
        'organisation',
        /is not a Daily Metered Service Provider/,
      ],
      [
        { role: 'mra', organisation: 'ZZ9', ldz: 'SE', effective_from: '2026-01-01' },
        'organisation',
        /No organisation has short code ZZ9/,
      ],
      [
        { role: 'dmsp', organisation: dmsp1.shortCode, ldz: 'ZZ', effective_from: '2026-01-01' },
        'ldz',
        /ZZ is not an LDZ/,
      ],
      [
        { role: 'dmsp', organisation: dmsp1.shortCode, ldz: 'SE', mprn: site1, effective_from: '2026-01-01' },
        'mprn',
        /not both/,
      ],
      [
        { role: 'dmsp', organisation: dmsp1.shortCode, effective_from: '2026-01-01' },
        'ldz',
        /Give an LDZ or an MPRN/,
      ],
      [
        {
          role: 'dmsp',
          organisation: dmsp1.shortCode,
          mprn: site1,
          classes: [1],
          effective_from: '2026-01-01',
        },
        'classes',
        /MPRN appointment has none/,
      ],
      [
        { role: 'dmsp', organisation: dmsp1.shortCode, ldz: 'SE', effective_from: '2026-02-30' },
        'effective_from',
        /real date/,
      ],
      [
        { role: 'dmsp', organisation: dmsp1.shortCode, ldz: 'SE', effective_from: '0000-01-01' },
        'effective_from',
        /real date/,
      ],
      [
        {
          role: 'dmsp',
          organisation: dmsp1.shortCode,
          ldz: 'SE',
          effective_from: '2026-03-01',
          effective_to: '2026-02-01',
        },
        'effective_to',
        /on or after the first day/,
      ],
      // Overlaps the MPRN appointment of site2 (from 2026-02-01, open-ended).
      [
        {
          role: 'dmsp',
          organisation: dmsp1.shortCode,
          mprn: site2,
          effective_from: '2025-01-01',
          effective_to: '2026-02-01',
        },
        'effective_from',
        /overlaps/,
      ],
      // Overlaps the MRA's NW appointment (every class).
      [
        { role: 'mra', organisation: mra.shortCode, ldz: 'NW', classes: [3], effective_from: '2026-12-01' },
        'effective_from',
        /overlaps/,
      ],
    ];
    for (const [body, fieldName, message] of cases) {
      const r = await appoint(body);
      assert.equal(r.statusCode, 400, `${JSON.stringify(body)} → ${r.statusCode} ${r.body}`);
      assert.match(r.headers['content-type'] as string, /application\/problem\+json/);
      const errors = r.json().errors as { field: string; message: string }[];
      assert.ok(
        errors.some((e) => e.field === fieldName && message.test(e.message)),
        `${JSON.stringify(body)}: ${r.body}`,
      );
    }
    // Schema refusals: a class outside 1-4, an unknown role, an extra property.
    for (const body of [
      { role: 'dmsp', organisation: dmsp1.shortCode, ldz: 'SE', classes: [5], effective_from: '2026-01-01' },
      { role: 'uip', organisation: dmsp1.shortCode, ldz: 'SE', effective_from: '2026-01-01' },
      { role: 'dmsp', organisation: dmsp1.shortCode, ldz: 'SE', effective_from: '2026-01-01', colour: 'red' },
    ]) {
      const r = await appoint(body);
      assert.equal(r.statusCode, 400, `${JSON.stringify(body)} → ${r.statusCode} ${r.body}`);
      assert.match(r.headers['content-type'] as string, /application\/problem\+json/);
    }
    const id = before[0]!.id;
    const endBefore = await admin('POST', `/appointments/${id}/end`, {
      body: { effective_to: '1999-01-01' },
    });
    assert.equal(endBefore.statusCode, 400);
    const unknown = await admin('POST', '/appointments/00000000-0000-4000-8000-000000000000/end', {
      body: { effective_to: '2026-03-01' },
    });
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(await list(), before, 'nothing changed');
    assert.equal((await auditEvents('des.appointment.added')).length, eventsBefore);
  });

  test('the database keeps the history: no delete, no change but an earlier end, no overlapping insert', async () => {
    const [a] = await list('?mprn=' + site2);
    assert.ok(a);
    const attempt = (q: ReturnType<typeof sql>) =>
      inScope(t.database.db, SYSTEM_SCOPE, async (trx) => {
        await q.execute(trx);
      });
    await assert.rejects(attempt(sql`DELETE FROM des.appointments WHERE id = ${a.id}`));
    await assert.rejects(
      attempt(sql`UPDATE des.appointments SET organisation_short_code = 'XXX', ended_at = now(), ended_by = 'x',
                    effective_to = '2026-12-31' WHERE id = ${a.id}`),
    );
    await assert.rejects(
      attempt(
        sql`UPDATE des.appointments SET effective_to = NULL, ended_at = now(), ended_by = 'x' WHERE id = ${a.id}`,
      ),
    );
    await assert.rejects(
      attempt(sql`INSERT INTO des.appointments (role, organisation_id, organisation_short_code, mprn, effective_from,
                    created_at, created_by)
                  VALUES ('dmsp', ${dmsp1.id}, ${dmsp1.shortCode}, ${site2}, '2026-06-01', now(), 'test')`),
      /overlaps/,
    );
    assert.deepEqual((await list('?mprn=' + site2))[0], a, 'nothing changed');
  });

  test('only CDSP administrators may use the appointment routes (403 for everyone else, nothing changes)', async () => {
    const before = await list();
    const id = before[0]!.id;
    for (const { label, api } of nonAdmins) {
      for (const [method, url, body] of [
        ['GET', '/appointments', undefined],
        [
          'POST',
          '/appointments',
          { role: 'dmsp', organisation: dmsp1.shortCode, ldz: 'SE', effective_from: '2026-01-01' },
        ],
        ['POST', `/appointments/${id}/end`, { effective_to: '2026-03-01' }],
      ] as const) {
        const r = await api(method, url, { body });
        assert.equal(r.statusCode, 403, `${label}: ${method} ${url} → ${r.statusCode} ${r.body}`);
      }
    }
    assert.deepEqual(await list(), before);
  });

  test('the parties appointed for a supply point on a date (what the supply point page shows)', async () => {
    const firstOfMarch = await t.services.appointments.appointedOn(
      { mprn: site2, ldz: 'NW', class: 2 },
      '2026-03-01',
    );
    assert.deepEqual(
      firstOfMarch.map((p) => [p.role, p.shortCode, p.name]),
      [['dmsp', dmsp2.shortCode, dmsp2.name]],
      'on 1 March the MRA was not yet appointed (from 2 March)',
    );
    const onTheDay = await t.services.appointments.appointedOn(
      { mprn: site2, ldz: 'NW', class: 2 },
      '2026-03-02',
    );
    assert.deepEqual(
      onTheDay.map((p) => [p.role, p.shortCode, p.name]),
      [
        ['dmsp', dmsp2.shortCode, dmsp2.name],
        ['mra', mra.shortCode, mra.name],
      ],
    );
  });

  test('web: the list with filters, the add and end forms (GOV.UK dates, errors shown), the supply point page', async () => {
    const web = await webFor(t, t.cdsp.shortCode, ['cdsp_admin']);
    const page = await web.get('/des/appointments?role=dmsp');
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(`${dmsp2.name} (${dmsp2.shortCode})`));
    assert.ok(page.body.includes('Daily Metered Service Provider'));
    assert.ok(!page.body.includes(`${mra.name} (${mra.shortCode})</td>`), 'filtered by role');
    assert.ok(page.body.includes(`MPRN ${site2}`));

    const refused = await web.post(
      '/des/appointments/new',
      {
        role: 'dmsp',
        organisation: mra.shortCode,
        key: 'ldz',
        ldz: 'SE',
        'effective_from-day': '31',
        'effective_from-month': '2',
        'effective_from-year': '2026',
      },
      '/des/appointments/new',
    );
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /There is a problem/);
    assert.match(refused.body, /is not a Daily Metered Service Provider/);
    assert.match(refused.body, /Enter the first day as a real date/);
    const before = await list();
    const added = await web.post(
      '/des/appointments/new',
      {
        role: 'dmsp',
        organisation: dmsp1.shortCode,
        key: 'ldz',
        ldz: 'SE',
        classes: ['1', '2'],
        'effective_from-day': '1',
        'effective_from-month': '3',
        'effective_from-year': '2026',
      },
      '/des/appointments/new',
    );
    assert.equal(added.statusCode, 303, added.body);
    const after = await list('?ldz=SE');
    assert.equal(after.length, 1);
    assert.equal((await list()).length, before.length + 1);
    const id = after[0]!.id;
    const endPage = await web.get(`/des/appointments/${id}/end`);
    assert.equal(endPage.statusCode, 200);
    const tooEarly = await web.post(
      `/des/appointments/${id}/end`,
      { 'effective_to-day': '28', 'effective_to-month': '2', 'effective_to-year': '2026' },
      `/des/appointments/${id}/end`,
    );
    assert.equal(tooEarly.statusCode, 400);
    assert.match(tooEarly.body, /on or after the start date/);
    const ended = await web.post(
      `/des/appointments/${id}/end`,
      { 'effective_to-day': '31', 'effective_to-month': '3', 'effective_to-year': '2026' },
      `/des/appointments/${id}/end`,
    );
    assert.equal(ended.statusCode, 303, ended.body);
    assert.equal((await list('?ldz=SE'))[0]!.status, 'current');

    // Not for anyone else.
    const shipperWeb = await webFor(t, orgA.shortCode, ['des_user']);
    assert.equal((await shipperWeb.get('/des/appointments')).statusCode, 403);
    // The supply point page names the appointed DMSP and MRA for its as-at date (D-1: 1 March; the MRA from 2 March).
    const sp = await shipperWeb.get(`/des/supply-points/${site2}`);
    assert.equal(sp.statusCode, 200);
    assert.match(sp.body, new RegExp(`id="appointed-dmsp">${dmsp2.name} \\(${dmsp2.shortCode}\\)<`));
    assert.match(sp.body, /id="appointed-mra">None appointed</);
  });
});
