import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CODE_LIST_DATA, REGISTER_FIELD_MAP } from '../register/index.ts';
import { addressLine, readableAddress } from '../address.ts';
import {
  enquiryInWords,
  longDate,
  pageLabel,
  partyName,
  shownField,
  shownValueOf,
  withMeaning,
  type ShowContext,
} from './presentation.ts';

const ctx: ShowContext = {
  lists: DEFAULT_CODE_LIST_DATA,
  names: new Map([
    ['MES', 'Meridian Energy Shipping'],
    ['NLU', 'Northern Lights Utilities'],
  ]),
};

test('dates are GOV.UK dates', () => {
  assert.equal(longDate('2005-06-01'), '1 June 2005');
  assert.equal(longDate('2026-02-28'), '28 February 2026');
  assert.equal(longDate('9999-12-31'), '31 December 9999');
  assert.equal(shownValueOf('network_owner_effective_from_date', '2005-06-01', ctx), '1 June 2005');
  assert.equal(shownValueOf('latest_meter_read_date', '2026-02-28', ctx), '28 February 2026');
  assert.equal(longDate('not a date'), 'not a date');
});

test('codes come with their meanings, said once', () => {
  assert.equal(shownValueOf('latest_meter_read_type', 'A', ctx), 'Actual (A)');
  assert.equal(shownValueOf('dcc_service_flag', 'N', ctx), 'Not active (N)');
  assert.equal(shownValueOf('meter_point_status', 'LI', ctx), 'Live (LI)');
  assert.equal(shownValueOf('daily_metered_indicator', 'Daily Metered', ctx), 'Daily Metered');
  assert.equal(shownValueOf('class', '3', ctx), 'Class 3');
  assert.equal(shownValueOf('latest_meter_read_type', 'Z', ctx), 'Z', 'a value without a meaning as it is');
  assert.equal(withMeaning('X', undefined), 'X');
});

test('party codes come with the organisation’s name; name fields fall back to it', () => {
  assert.equal(shownValueOf('shipper_short_code', 'MES', ctx), 'Meridian Energy Shipping (MES)');
  assert.equal(shownValueOf('current_supplier', 'NLU', ctx), 'Northern Lights Utilities (NLU)');
  assert.equal(partyName('ZZZ', ctx.names), 'ZZZ');
  const fields = { shipper_short_code: 'MES', shipper_name: null, current_supplier: 'NLU' };
  assert.equal(shownField('shipper_name', fields, ctx), 'Meridian Energy Shipping');
  assert.equal(shownField('current_supplier_name', fields, ctx), 'Northern Lights Utilities');
  assert.equal(shownField('previous_supplier_name', fields, ctx), null, 'no code shown, no name');
  assert.equal(
    shownField('shipper_name', { ...fields, shipper_name: 'As Registered Ltd' }, ctx),
    'As Registered Ltd',
  );
});

test('quantities in kWh with thousands separators; the unit leaves the label', () => {
  assert.equal(shownValueOf('annual_quantity', '121669171', ctx), '121,669,171 kWh');
  assert.equal(shownValueOf('annual_quantity', '0', ctx), '0 kWh');
  assert.equal(pageLabel(REGISTER_FIELD_MAP.get('annual_quantity')!), 'Annual quantity');
  assert.equal(shownValueOf('uprn', '100023336956', ctx), '100023336956', 'an identifier is not a quantity');
  assert.equal(shownValueOf('meter_year_of_manufacture', '2004', ctx), '2004');
});

test('the address reads as a person writes it; the API line keeps the DES order', () => {
  const f = {
    house_no: '120',
    delivery_point_alias: 'The Bakery',
    street: 'High Way',
    town: 'Solihull',
    postcode: 'B91 1AA',
  };
  assert.equal(readableAddress(f), '120 High Way (The Bakery), Solihull, B91 1AA');
  assert.equal(addressLine(f), '120, (The Bakery), High Way, Solihull, B91 1AA');
  assert.equal(
    readableAddress({
      sub_building_name: 'Flat 2',
      house_name: 'Rose House',
      street: 'High Way',
      town: 'Solihull',
    }),
    'Flat 2, Rose House, High Way, Solihull',
  );
  assert.equal(
    readableAddress({ house_name: 'Rose House', delivery_point_alias: 'The Bakery', street: 'High Way' }),
    'Rose House (The Bakery), High Way',
  );
  assert.equal(
    readableAddress({ house_no: '7', dependent_street: 'Mill Lane', street: 'High Way' }),
    '7 Mill Lane, High Way',
  );
  assert.equal(
    readableAddress({ delivery_point_alias: 'The Bakery', street: 'High Way' }),
    'The Bakery, High Way',
  );
  assert.equal(readableAddress({}), null);
});

test('an enquiry-log entry in words: the kind named, criteria labelled in order, GOV.UK dates, no internal keys', () => {
  const at = (d: Date) => `[${d.toISOString()}]`;
  assert.equal(
    enquiryInWords('as_at', { as_at: '2026-03-02', mprn: '1515331200' }, at),
    'Supply point as at a date: MPRN 1515331200, as at 2 March 2026',
  );
  assert.equal(
    enquiryInWords(
      'as_known_at',
      { mprn: '123456', as_at: '2026-03-01', as_known_at: '2026-03-02T09:00:00.000Z' },
      at,
    ),
    'Supply point as known at a time: MPRN 123456, as at 1 March 2026, as known at [2026-03-02T09:00:00.000Z]',
  );
  assert.equal(
    enquiryInWords('search', { street: 'High', postcode: 'B91 1AA', cursor: 'abc' }, at),
    'Search: postcode B91 1AA, street High, a later page',
  );
  assert.equal(
    enquiryInWords('bulk', { bulk_job: 'x', mprns_submitted: 12000, invalid_rows: 0 }, at),
    'Bulk enquiry submitted: MPRNs submitted 12,000, rows refused 0',
  );
  assert.equal(enquiryInWords('history', {}, at), 'Change history');
  assert.equal(enquiryInWords('new_kind', { some_key: 'v' }, at), 'new kind: some key v');
});
