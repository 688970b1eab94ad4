import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  codeAvailability,
  siteStandingRefusal,
  type AboutSupplyPoint,
  type SiteStanding,
} from './availability.ts';
import type { ContactCodeDef } from './contact-codes.ts';
import { codeOf, shippedCatalogue } from '../../../../test/support/catalogue.ts';

const catalogue = shippedCatalogue();
const def = (code: string): ContactCodeDef => codeOf(catalogue, code);
const organisations = [
  { type: 'cdsp', shortCode: 'CDSP' },
  { type: 'shipper', shortCode: 'SHA' },
  { type: 'shipper', shortCode: 'SHB' },
  { type: 'gt', shortCode: 'GTX', networkName: 'Cadent' },
  { type: 'dmsp', shortCode: 'DM1' },
  { type: 'mra', shortCode: 'MR1' },
];
const live: SiteStanding = {
  class: 3,
  meter_point_status: 'LI',
  network_name: 'Cadent',
  shipper_short_code: 'SHA',
  last_shipper_short_code: null,
  interested_shipper_short_code: null,
  dmsp_short_code: null,
  mra_short_code: null,
};
const about = (site: SiteStanding | null, onRegister = site !== null): AboutSupplyPoint => ({
  mprn: '1234567',
  site,
  onRegister,
  organisations,
  today: '2026-03-01',
});
const offered = (orgType: string, a: AboutSupplyPoint) =>
  catalogue.filter((d) => codeAvailability(d, orgType, a).ok).map((d) => d.code);

test('a live registered site: no DTL, UNC or MNC for its shipper; ISO offered; DMQ and MUR need an appointment', () => {
  const codes = offered('shipper', about(live));
  for (const c of ['DTL', 'UNC', 'MNC', 'DMQ', 'MUR']) assert.ok(!codes.includes(c), c);
  for (const c of ['ADD', 'ISO', 'RFA', 'ENQ']) assert.ok(codes.includes(c), c);
  const dtl = codeAvailability(def('DTL'), 'shipper', about(live));
  assert.deepEqual(dtl, {
    ok: false,
    reason: 'Dead to Live is only for a supply point the register shows as dead. This one is live.',
  });
  const appointed = offered('shipper', about({ ...live, dmsp_short_code: 'DM1', mra_short_code: 'MR1' }));
  assert.ok(appointed.includes('DMQ') && appointed.includes('MUR'));
  // An appointment to a party the CMS does not know routes nowhere.
  assert.ok(!offered('shipper', about({ ...live, dmsp_short_code: 'ZZZ' })).includes('DMQ'));
});

test('a dead site offers DTL, not ISO; codes the organisation may not raise are never available', () => {
  const codes = offered('shipper', about({ ...live, meter_point_status: 'DE' }));
  assert.ok(codes.includes('DTL'));
  assert.ok(!codes.includes('ISO'));
  const gsr = codeAvailability(def('GSR'), 'shipper', about(live));
  assert.equal(gsr.ok, false);
  assert.match(gsr.ok ? '' : gsr.reason, /only gas transporters and independent gas transporters can/);
});

test('UNC only where no shipper is registered; the portfolio and the register are checked', () => {
  const shipperless = { ...live, shipper_short_code: null, last_shipper_short_code: 'SHB' };
  assert.deepEqual(codeAvailability(def('UNC'), 'gt', about(shipperless)), { ok: true });
  assert.equal(codeAvailability(def('UNC'), 'gt', about(live)).ok, false);
  // Not in the portfolio but on the register: UNC (no portfolio check) is available, ADD is not.
  assert.deepEqual(codeAvailability(def('UNC'), 'gt', about(null, true)), { ok: true });
  assert.deepEqual(codeAvailability(def('ADD'), 'gt', about(null, true)), {
    ok: false,
    reason: 'There is no supply point 1234567 in your portfolio.',
  });
  assert.equal(codeAvailability(def('UNC'), 'gt', about(null, false)).ok, false);
  // GSR to the last shipper of a shipperless site; not when the register names none.
  assert.ok(codeAvailability(def('GSR'), 'gt', about(shipperless)).ok);
  assert.equal(
    codeAvailability(def('GSR'), 'gt', about({ ...shipperless, last_shipper_short_code: null })).ok,
    false,
  );
  assert.equal(
    siteStandingRefusal(def('MNC'), null),
    'MPRN Creation is for a new supply point that has no MPRN yet: leave the MPRN out.',
  );
  assert.equal(siteStandingRefusal(def('ADD'), live), null);
});

test('RFA by class: the shipper for Class 2 to 4, the DMSP for Class 1 with a CMS shipper registered', () => {
  assert.ok(codeAvailability(def('RFA'), 'shipper', about(live)).ok);
  assert.equal(codeAvailability(def('RFA'), 'shipper', about({ ...live, class: 1 })).ok, false);
  assert.equal(codeAvailability(def('RFA'), 'dmsp', about(live)).ok, false);
  assert.ok(codeAvailability(def('RFA'), 'dmsp', about({ ...live, class: 1 })).ok);
  assert.equal(
    codeAvailability(def('RFA'), 'dmsp', about({ ...live, class: 1, shipper_short_code: 'NOPE' })).ok,
    false,
  );
});
