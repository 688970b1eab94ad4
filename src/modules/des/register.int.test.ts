import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { createServices, type Services } from '../../composition.ts';
import { permissionsFor, type Actor, type Role } from '../identity/index.ts';
import { makeOrg } from '../../../test/support/factories.ts';
import { createDesTestEnv, csv, registerRows, type DesTestEnv } from './des.test-support.ts';
import { portfolioSql } from './portfolio.repository.ts';
import type { DB } from '../../platform/db/schema.ts';

const LOADER = { userId: null, label: 'test', organisationId: null };

function actorOf(org: { id: string; name: string; type: string; shortCode: string }, roles: Role[]): Actor {
  return {
    userId: '00000000-0000-4000-8000-000000000001',
    email: 'someone@test.example',
    name: 'Someone',
    organisationId: org.id,
    organisationName: org.name,
    organisationType: org.type,
    organisationShortCode: org.shortCode,
    roles,
    permissions: permissionsFor(roles),
    visibleOrganisationIds: [org.id],
    via: 'session',
    tokenId: null,
  };
}

describe('DES register queries: D-1, corrections, as known at, timeline, portfolios', () => {
  let env: DesTestEnv;
  let s: Services;
  const T = '2026-03-02';
  let shipper: Actor;
  let parent: Actor;
  let otherShipper: Actor;
  let supplier: Actor;
  let gt: Actor;
  let mam: Actor;
  let cdspStaff: Actor;
  let mprn: string;
  let original: Record<string, string>;

  before(async () => {
    env = await createDesTestEnv(new Date(`${T}T10:00:00Z`));
    s = createServices(env.database.db as Kysely<DB>, env.clock);
    const p = await makeOrg(s, { type: 'shipper', shortCode: 'PAR' });
    const child = await makeOrg(s, { type: 'shipper', shortCode: 'SHA', parentShortCode: 'PAR' });
    const other = await makeOrg(s, { type: 'shipper', shortCode: 'SHB' });
    const sup = await makeOrg(s, { type: 'supplier', shortCode: 'SUA' });
    const gtOrg = await makeOrg(s, { type: 'gt', shortCode: 'GTX', networkName: 'Cadent' });
    const mamOrg = await makeOrg(s, { type: 'mam', shortCode: 'MAA' });
    const cdsp = await makeOrg(s, { type: 'cdsp', shortCode: 'CDX' });
    shipper = actorOf(child, ['des_user']);
    parent = actorOf(p, ['des_user']);
    otherShipper = actorOf(other, ['des_user']);
    supplier = actorOf(sup, ['des_user']);
    gt = actorOf(gtOrg, ['des_user']);
    mam = actorOf(mamOrg, ['des_user']);
    cdspStaff = actorOf(cdsp, ['cdsp_resolver']);

    const rows = registerRows(50, 21, '2026-02-20');
    original = {
      ...rows[0]!,
      shipper_short_code: 'SHA',
      current_supplier: 'SUA',
      mam_short_code: 'MAA',
      network_name: 'Cadent',
      town: 'Oldtown',
    };
    rows[0] = original;
    mprn = original['mprn']!;
    env.clock.set(new Date('2026-02-26T08:00:00Z'));
    await env.des.loads.load({
      path: env.file('d1.csv', csv(rows)),
      businessDate: '2026-02-25',
      actor: LOADER,
      source: 'cli',
    });
  });
  after(() => env.cleanup());

  test('portfolios: shipper, group parent, supplier, GT by network, MAM, CDSP; another shipper sees nothing', async () => {
    env.clock.set(new Date(`${T}T10:00:00Z`));
    for (const a of [shipper, parent, supplier, gt, mam, cdspStaff]) {
      assert.equal(await env.des.register.isInPortfolio(a, mprn), true, a.organisationShortCode);
      assert.ok((await env.des.register.portfolio(a)).includes(mprn), a.organisationShortCode);
    }
    assert.equal(await env.des.register.isInPortfolio(otherShipper, mprn), false);
    assert.equal(await env.des.register.current(otherShipper, mprn).then((v) => v.visible), null);
    assert.equal(await env.des.register.timeline(otherShipper, mprn), null);
    assert.equal((await env.des.register.portfolio(cdspStaff)).length, 50);
    // Outside the portfolio is indistinguishable from absent.
    assert.deepEqual(
      await env.des.register.current(otherShipper, mprn),
      await env.des.register.current(otherShipper, '999999999'),
    );
  });

  test('the portfolio SQL is one query computed in the database (compiled SQL)', () => {
    const compiled = portfolioSql({
      organisationId: '00000000-0000-4000-8000-000000000009',
      asAt: '2026-03-01',
      knowledge: { kind: 'current' },
      mprn: '741234509',
    }).compile(env.database.db);
    const text = compiled.sql.replace(/\s+/g, ' ').trim();
    assert.equal(
      text,
      'WITH RECURSIVE org_tree AS ( SELECT o.id, o.type, o.short_code, o.network_name FROM identity.organisations o ' +
        'WHERE o.id = $1::uuid UNION SELECT c.id, c.type, c.short_code, c.network_name FROM identity.organisations c ' +
        'JOIN org_tree t ON c.parent_id = t.id ), party AS ( SELECT r.register_field AS field, CASE WHEN ' +
        "r.register_field = 'network_name' THEN t.network_name ELSE t.short_code END AS value FROM org_tree t JOIN " +
        'des.portfolio_rules r ON r.organisation_type = t.type ) SELECT v.mprn FROM des.supply_point_versions v WHERE ' +
        '"v"."known_to" IS NULL AND "v"."valid_from" <= $2::date AND ("v"."valid_to" IS NULL OR "v"."valid_to" > ' +
        "$3::date) AND v.mprn = $4 AND (EXISTS (SELECT 1 FROM party WHERE field = '*') OR v.shipper_short_code IN " +
        "(SELECT value FROM party WHERE field = 'shipper_short_code') OR v.current_supplier IN (SELECT value FROM " +
        "party WHERE field = 'current_supplier') OR v.mam_short_code IN (SELECT value FROM party WHERE field = " +
        "'mam_short_code') OR v.network_name IN (SELECT value FROM party WHERE field = 'network_name')) ORDER BY v.mprn",
    );
    assert.deepEqual(compiled.parameters, [
      '00000000-0000-4000-8000-000000000009',
      '2026-03-01',
      '2026-03-01',
      '741234509',
    ]);
  });

  test('D-1: a change loaded for business date T is not visible to a customer at T, and is at T+1', async () => {
    env.clock.set(new Date(`${T}T09:00:00Z`));
    const change = env.file('dT.csv', `mprn,town\n${mprn},Newtown\n`);
    const s1 = await env.des.loads.load({ path: change, businessDate: T, actor: LOADER, source: 'cli' });
    assert.equal(s1.changed, 1);

    env.clock.set(new Date(`${T}T23:30:00Z`)); // still day T in London (GMT in March)
    const atT = await env.des.register.current(shipper, mprn);
    assert.equal(atT.visible?.fields['town'], 'Oldtown');
    assert.equal(atT.pending, null, 'customers never see pending data');
    await assert.rejects(env.des.register.asAt(shipper, mprn, T), /not yet available/);
    // CDSP staff see it, marked pending.
    const staff = await env.des.register.current(cdspStaff, mprn);
    assert.equal(staff.visible?.fields['town'], 'Oldtown');
    assert.equal(staff.pending?.fields['town'], 'Newtown');
    assert.equal(staff.pending?.pending, true);
    const staffTimeline = await env.des.register.timeline(cdspStaff, mprn);
    assert.ok(staffTimeline?.some((e) => e.field === 'town' && e.newValue === 'Newtown' && e.pending));
    assert.ok(!(await env.des.register.timeline(shipper, mprn))?.some((e) => e.newValue === 'Newtown'));

    env.clock.set(new Date('2026-03-03T00:30:00Z')); // T+1
    const atT1 = await env.des.register.current(shipper, mprn);
    assert.equal(atT1.visible?.fields['town'], 'Newtown');
    assert.equal(atT1.visible?.pending, false);
    assert.equal((await env.des.register.asAt(shipper, mprn, '2026-02-27'))?.fields['town'], 'Oldtown');
  });

  test('a correction: "as known at" before it returns the corrected-away values; the timeline shows both', async () => {
    env.clock.set(new Date('2026-03-03T12:00:00Z'));
    const beforeCorrection = new Date('2026-03-03T12:00:00Z');
    // A different file for an earlier date is refused without --correction...
    const fix = env.file('fix.csv', `mprn,postcode,town\n${mprn},B91 1AA,Oldtown\n`);
    await assert.rejects(
      env.des.loads.load({ path: fix, businessDate: '2026-02-27', actor: LOADER, source: 'cli' }),
      /--correction/,
    );
    env.clock.set(new Date('2026-03-03T13:00:00Z'));
    const c = await env.des.loads.load({
      path: fix,
      businessDate: '2026-02-27',
      correction: true,
      actor: LOADER,
      source: 'cli',
    });
    assert.equal(c.changed, 1);
    env.clock.set(new Date('2026-03-03T14:00:00Z'));

    // Now: the postcode is corrected from 2026-02-27 on, and carried over into the later version; the later
    // town change (a real change loaded for T) is kept.
    assert.equal((await env.des.register.asAt(shipper, mprn, '2026-02-27'))?.fields['postcode'], 'B91 1AA');
    const now = await env.des.register.current(shipper, mprn);
    assert.equal(now.visible?.fields['postcode'], 'B91 1AA');
    assert.equal(now.visible?.fields['town'], 'Newtown');
    assert.equal(
      (await env.des.register.asAt(shipper, mprn, '2026-02-26'))?.fields['postcode'],
      original['postcode'],
    );

    // As known before the correction: the corrected-away values, exactly as shown then.
    const then = await env.des.register.asKnownAt(shipper, mprn, beforeCorrection, '2026-02-27');
    assert.equal(then?.fields['postcode'], original['postcode']);
    const thenNow = await env.des.register.asKnownAt(shipper, mprn, beforeCorrection);
    assert.equal(thenNow?.asAt, '2026-03-02');
    assert.equal(thenNow?.fields['postcode'], original['postcode']);
    assert.equal(thenNow?.fields['town'], 'Newtown');
    // Before anything was loaded, nothing was known.
    assert.equal(
      await env.des.register.asKnownAt(shipper, mprn, new Date('2026-02-25T00:00:00Z'), '2026-02-24'),
      null,
    );

    const timeline = (await env.des.register.timeline(shipper, mprn))!;
    const postcode = timeline.filter((e) => e.field === 'postcode' && e.correction);
    assert.ok(postcode.length >= 1);
    assert.equal(postcode[0]!.oldValue, original['postcode']);
    assert.equal(postcode[0]!.newValue, 'B91 1AA');
    assert.equal(postcode[0]!.effectiveDate, '2026-02-27');
    const town = timeline.find((e) => e.field === 'town' && e.newValue === 'Newtown');
    assert.deepEqual([town?.oldValue, town?.effectiveDate, town?.correction], ['Oldtown', T, false]);
    assert.ok(town!.loadedAt instanceof Date);

    // Every enquiry is audited.
    const events = await env.audit.verify();
    assert.equal(events.ok, true);
  });
});
