import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { createServices, type Services } from '../../composition.ts';
import type { Actor } from '../identity/index.ts';
import { makeDesActor } from '../../../test/support/factories/des.ts';
import { makeOrg } from '../../../test/support/factories.ts';
import { createDesTestEnv, csv, registerRows, type DesTestEnv } from '../../../test/support/des.ts';
import { CURRENT, portfolioRepository, viewerOf } from './portfolio.repository.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import type { EnquiryService } from './enquiry/index.ts';

const LOADER = { userId: null, label: 'test', organisationId: null };

const actorOf = makeDesActor;

describe('DES register queries: D-1, corrections, as known at, timeline, portfolios', () => {
  let env: DesTestEnv;
  let s: Services;
  let enquiry: EnquiryService;
  const portfolio = (a: Actor, asAt: string) =>
    inScope(env.database.db, SYSTEM_SCOPE, (trx) =>
      portfolioRepository.portfolio(trx, { viewer: viewerOf(a), asAt, knowledge: CURRENT }),
    );
  const current = (a: Actor, m: string) => enquiry.detail(a, m, {}, 'api');
  const asAt = (a: Actor, m: string, d: string) => enquiry.detail(a, m, { asAt: d }, 'api');
  const asKnownAt = (a: Actor, m: string, instant: Date, d?: string) =>
    enquiry.detail(a, m, { asKnownAt: instant.toISOString(), asAt: d }, 'api');
  const timeline = async (a: Actor, m: string) => (await enquiry.history(a, m, 'api'))?.changes ?? null;
  const T = '2026-03-02';
  let shipper: Actor;
  let parent: Actor;
  let parentWithoutGrant: Actor;
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
    enquiry = s.desEnquiry.enquiry;
    const p = await makeOrg(s, { type: 'shipper', shortCode: 'PAR' });
    const child = await makeOrg(s, { type: 'shipper', shortCode: 'SHA', parentShortCode: 'PAR' });
    const other = await makeOrg(s, { type: 'shipper', shortCode: 'SHB' });
    const sup = await makeOrg(s, { type: 'supplier', shortCode: 'SUA' });
    const gtOrg = await makeOrg(s, { type: 'gt', shortCode: 'GTX', networkName: 'Cadent' });
    const mamOrg = await makeOrg(s, { type: 'mam', shortCode: 'MAA' });
    const cdsp = await makeOrg(s, { type: 'cdsp', shortCode: 'CDX' });
    shipper = actorOf(child, ['des_user']);
    // A group parent's user sees its children's supply points only with the group grant (as the CMS).
    parentWithoutGrant = actorOf(p, ['des_user']);
    parent = { ...parentWithoutGrant, visibleOrganisationIds: [p.id, child.id] };
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
    const d1 = '2026-03-01';
    for (const a of [shipper, parent, supplier, gt, mam, cdspStaff]) {
      assert.equal((await current(a, mprn))?.inPortfolio, true, a.organisationShortCode);
      assert.ok((await portfolio(a, d1)).includes(mprn), a.organisationShortCode);
    }
    for (const a of [otherShipper, parentWithoutGrant]) {
      assert.equal((await portfolio(a, d1)).includes(mprn), false, a.organisationShortCode);
      assert.equal(await current(a, mprn), null, a.organisationShortCode);
      assert.equal(await timeline(a, mprn), null, a.organisationShortCode);
    }
    assert.equal((await portfolio(cdspStaff, d1)).length, 50);
  });

  test('D-1: a change loaded for business date T is not visible to a customer at T, and is at T+1', async () => {
    env.clock.set(new Date(`${T}T09:00:00Z`));
    const change = env.file('dT.csv', `mprn,town\n${mprn},Newtown\n`);
    const s1 = await env.des.loads.load({ path: change, businessDate: T, actor: LOADER, source: 'cli' });
    assert.equal(s1.changed, 1);

    env.clock.set(new Date(`${T}T23:30:00Z`)); // still day T in London (GMT in March)
    const atT = await current(shipper, mprn);
    assert.equal(atT?.fields['town'], 'Oldtown');
    assert.equal(atT?.pending, false, 'customers never see pending data');
    await assert.rejects(asAt(shipper, mprn, T), /available up to the end of 2026-03-01/);
    // CDSP staff see it, marked pending.
    const staff = await current(cdspStaff, mprn);
    assert.equal(staff?.fields['town'], 'Oldtown');
    const staffPending = await asAt(cdspStaff, mprn, T);
    assert.equal(staffPending?.fields['town'], 'Newtown');
    assert.equal(staffPending?.pending, true);
    const staffTimeline = await timeline(cdspStaff, mprn);
    assert.ok(staffTimeline?.some((e) => e.field === 'town' && e.to === 'Newtown' && e.pending));
    assert.ok(!(await timeline(shipper, mprn))?.some((e) => e.to === 'Newtown'));

    env.clock.set(new Date('2026-03-03T00:30:00Z')); // T+1
    const atT1 = await current(shipper, mprn);
    assert.equal(atT1?.fields['town'], 'Newtown');
    assert.equal(atT1?.pending, false);
    assert.equal((await asAt(shipper, mprn, '2026-02-27'))?.fields['town'], 'Oldtown');
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
    assert.equal((await asAt(shipper, mprn, '2026-02-27'))?.fields['postcode'], 'B91 1AA');
    const now = await current(shipper, mprn);
    assert.equal(now?.fields['postcode'], 'B91 1AA');
    assert.equal(now?.fields['town'], 'Newtown');
    assert.equal((await asAt(shipper, mprn, '2026-02-26'))?.fields['postcode'], original['postcode']);

    // As known before the correction: the corrected-away values, exactly as shown then.
    const then = await asKnownAt(shipper, mprn, beforeCorrection, '2026-02-27');
    assert.equal(then?.fields['postcode'], original['postcode']);
    const thenNow = await asKnownAt(shipper, mprn, beforeCorrection);
    assert.equal(thenNow?.asAt, '2026-03-02');
    assert.equal(thenNow?.fields['postcode'], original['postcode']);
    assert.equal(thenNow?.fields['town'], 'Newtown');
    // Before anything was loaded, nothing was known.
    assert.equal(await asKnownAt(shipper, mprn, new Date('2026-02-25T00:00:00Z'), '2026-02-24'), null);

    const changes = (await timeline(shipper, mprn))!;
    const postcode = changes.filter((e) => e.field === 'postcode' && e.correction);
    assert.ok(postcode.length >= 1);
    assert.equal(postcode[0]!.from, original['postcode']);
    assert.equal(postcode[0]!.to, 'B91 1AA');
    assert.equal(postcode[0]!.effectiveDate, '2026-02-27');
    const town = changes.find((e) => e.field === 'town' && e.to === 'Newtown');
    assert.deepEqual([town?.from, town?.effectiveDate, town?.correction], ['Oldtown', T, false]);
    assert.ok(town!.loadedAt instanceof Date);

    // Every enquiry is audited (the enquiry service's group committer writes to the same hash chain).
    const events = await env.audit.verify();
    assert.equal(events.ok, true);
  });
});
