import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addCalendarDays } from '../../../platform/time/calendar.ts';
import { validateCodeEdit } from './code-edit.ts';
import {
  cannotRaise,
  invoicedPart,
  MAX_BUSINESS_DAYS,
  mayRaise,
  RULE_PARAMETERS,
  validateContactCodeCatalogue,
  type ContactCodeDef,
} from './contact-codes.ts';
import { validateContactFields } from './contact-fields.ts';
import { ADD_FIELDS } from '../../../../test/support/factories/cms.ts';
import { CODE_EDIT, codeOf, shippedCatalogueJson } from '../../../../test/support/catalogue.ts';

const result = validateContactCodeCatalogue(shippedCatalogueJson());
const catalogue: ContactCodeDef[] = result.ok ? result.catalogue : [];
const byCode = (code: string): ContactCodeDef => codeOf(catalogue, code);
const today = '2024-06-14';
/** A Class 4 site, small enough for the RFA start-date rule. */
const site = { today, siteClass: 4, annualQuantityKwh: 12_000 };

/** Valid fields for some codes; each test below breaks them one rule at a time. */
const VALID = {
  ADD: ADD_FIELDS,
  TOG: {
    theft_type: 'BYPASS',
    date_discovered: '2024-01-10',
    theft_start_date: '2024-01-01',
    estimated_volume_kwh: 1234.5,
    estimation_method: 'AQ',
    supply_made_safe: 'yes',
    details: 'Bypass found at meter',
  },
  RFA: {
    adjustment_start_date: '2023-01-01',
    adjustment_end_date: '2023-06-30',
    adjustment_reason: 'INCORRECT_READ',
    proposed_read: '12345',
    details: 'Read was keyed wrongly',
  },
};

test('the valid fields are valid', () => {
  for (const [code, fields] of Object.entries(VALID)) {
    assert.deepEqual(validateContactFields(byCode(code), fields, site).errors, [], code);
  }
});

test('the shipped catalogue is valid', () => {
  assert.deepEqual(result.ok ? [] : result.errors, []);
});

test('the shipped catalogue matches domain.md §4', () => {
  const GT = ['gt', 'igt'];
  const ANY = ['shipper', 'gt', 'igt', 'uip', 'mra', 'dmsp'];
  const team = (t: string) => ({ kind: 'cdsp_team', team: t });
  const party = (p: string) => ({ kind: 'register_party', party: p });
  const table: [string, string, string[], object, number][] = [
    ['ADD', 'Address Amendment', ['shipper', ...GT], team('address'), 10],
    ['UNC', 'Unconfirmed Address Amendment', ['shipper', ...GT, 'uip'], team('address'), 10],
    ['AGG', 'Twin stream challenge', ['shipper'], team('supply_point'), 10],
    ['DMQ', 'Daily Metered Query', ['shipper'], party('dmsp'), 5],
    ['DUP', 'Duplicate Meter Point', ['shipper', ...GT], team('supply_point'), 15],
    ['ENQ', 'Enquiry', ANY, team('service_desk'), 5],
    ['FILE', 'File Enquiry', ANY, team('file'), 2],
    ['FOM', 'Found Meter', ['shipper', 'uip', 'mra', ...GT], team('supply_point'), 20],
    ['MNC', 'MPRN Creation', ['shipper', 'uip', 'igt'], party('network'), 10],
    ['GSR', 'Gas Safety Regulations', GT, party('last_shipper'), 30],
    ['ISO', 'Isolation request', ['shipper'], team('supply_point'), 10],
    ['DTL', 'Dead to Live', ['shipper'], team('supply_point'), 10],
    ['MUR', 'Must Read Request', ['cdsp', 'shipper'], party('mra'), 10],
    ['MUS', 'Manage Unregistered Sites', ['cdsp', ...GT], party('shipper_of_interest'), 30],
    ['PRS', 'Prime and Sub configuration change', ['shipper'], team('supply_point'), 15],
    ['PSA', 'Prime and Sub reads', ['shipper'], team('supply_point'), 10],
    ['PSI', 'Primes and Subs Invoice', ['shipper'], team('invoicing'), 15],
    ['RFA', 'Request For Adjustment', ['shipper', 'dmsp'], team('invoicing'), 20],
    ['CDQ', 'Consumption Dispute Query', ['shipper'], team('invoicing'), 20],
    ['TOG', 'Theft of Gas', ['shipper', ...GT], team('revenue_protection'), 30],
  ];
  assert.equal(catalogue.length, 20);
  for (const [code, name, raisedBy, resolver, target] of table) {
    const def = byCode(code);
    assert.equal(def.name, name);
    assert.deepEqual([...def.raised_by].sort(), [...raisedBy].sort(), code);
    assert.deepEqual(def.resolver, resolver, code);
    assert.equal(def.target_business_days, target, code);
    assert.equal(def.worked_in, code === 'RFA' || code === 'CDQ' ? 'received_order' : 'due_date');
    assert.equal(def.response_window_business_days, 10);
    assert.equal(def.challenge_window_business_days, 5);
    assert.ok(def.fields.length >= 3, `${code} has a real form`);
  }
  assert.deepEqual(byCode('RFA').rules, [
    'rfa_site_class',
    'rfa_adjustment_dates',
    'rfa_read_or_consumption',
  ]);
  assert.equal(byCode('MNC').mprn_required, false);
});

test('the catalogue validator reports every problem in plain words', () => {
  const broken = structuredClone(catalogue) as unknown as Record<string, unknown>[];
  const add = broken[0] as Record<string, unknown>;
  add['raised_by'] = ['shipper', 'alien'];
  add['target_business_days'] = 0;
  add['rules'] = ['no_such_rule'];
  add['extra'] = 1;
  (add['fields'] as Record<string, unknown>[]).push({
    name: 'postcode',
    label: 'Again',
    type: 'code',
    required: true,
  });
  broken.push(structuredClone(broken[1]) as Record<string, unknown>);
  (broken[5] as Record<string, unknown>)['resolver'] = { kind: 'cdsp_team', team: 'nobody' };
  const rfa = broken.find((c) => c['code'] === 'RFA') as Record<string, unknown>;
  rfa['fields'] = (rfa['fields'] as { name: string }[]).filter((f) => f.name !== 'adjustment_end_date');
  const r = validateContactCodeCatalogue(broken);
  assert.equal(r.ok, false);
  const errors = r.ok ? [] : r.errors;
  for (const expected of [
    'ADD: raised_by must be a non-empty list',
    'ADD: target_business_days must be a whole number from 1 to 250.',
    'ADD: unknown rule "no_such_rule".',
    'ADD: unknown key "extra".',
    'ADD: field "postcode": appears more than once.',
    'ADD: field "postcode": code fields need a non-empty code_list',
    'UNC: code appears more than once.',
    'ENQ: resolver must be',
    'RFA: rule "rfa_adjustment_dates" needs a field "adjustment_end_date".',
  ]) {
    assert.ok(
      errors.some((e) => e.startsWith(expected)),
      `${expected}\n${errors.join('\n')}`,
    );
  }
  assert.deepEqual(validateContactCodeCatalogue({}), {
    ok: false,
    errors: ['The catalogue must be a non-empty array.'],
  });
});

test('postcodes follow the platform rule (the same as DES): valid formats pass, QI1 1CI is refused', () => {
  const add = byCode('ADD');
  const postcode = (pc: string) =>
    validateContactFields(
      add,
      { house_no: '1', street: 'High Street', town: 'Leeds', postcode: pc, amendment_reason: 'INCORRECT' },
      { today },
    );
  for (const pc of ['M1 1AE', 'B33 8TH', 'CR2 6XH', 'DN55 1PT', 'W1A 0AX', 'EC1A 1BB', ' sw1a1aa '])
    assert.deepEqual(postcode(pc).errors, [], pc);
  assert.equal(postcode(' sw1a1aa ').values['postcode'], 'SW1A 1AA');
  // QI1 1CI has the right shape, but Q never starts a postcode and C and I never end one.
  for (const pc of ['QI1 1CI', 'SW1A', '1AA 1AA', 'SW1A 1A', 'AAA9 9AA']) {
    assert.deepEqual(
      postcode(pc).errors.map((e) => e.field),
      ['postcode'],
      pc,
    );
  }
});

test('catalogue edits: targets and windows are 1 to 250 business days, names and descriptions bounded', () => {
  const good = { ...CODE_EDIT, target_business_days: 250, response_window_business_days: 1 };
  assert.deepEqual(validateCodeEdit(good), []);
  assert.equal(MAX_BUSINESS_DAYS, 250);
  const bad = validateCodeEdit({
    name: '',
    description: 'x'.repeat(2001),
    raised_by: ['shipper', 'nobody'],
    target_business_days: 10_000,
    response_window_business_days: 0,
    challenge_window_business_days: 2.5,
  });
  assert.deepEqual(bad, [
    { field: 'name', message: 'Enter a name of 1 to 100 characters' },
    { field: 'description', message: 'Enter a description of 1 to 2,000 characters' },
    { field: 'target_business_days', message: 'Target must be a whole number from 1 to 250' },
    {
      field: 'response_window_business_days',
      message: 'Response window must be a whole number from 1 to 250',
    },
    {
      field: 'challenge_window_business_days',
      message: 'Challenge window must be a whole number from 1 to 250',
    },
    { field: 'raised_by', message: 'Select the organisation types that may raise this code' },
  ]);
  const entry = { ...byCode('ADD'), target_business_days: 251 };
  const checked = validateContactCodeCatalogue([entry]);
  assert.deepEqual(checked.ok ? [] : checked.errors, [
    'ADD: target_business_days must be a whole number from 1 to 250.',
  ]);
});

test('MPRN fields use the platform MPRN rule (digits, length, check digits as a warning)', () => {
  const dup = byCode('DUP');
  const f = dup.fields.find((x) => x.type === 'mprn');
  assert.ok(f, 'DUP has an MPRN field');
  const check = (v: string) => validateContactFields(dup, { [f.name]: v }, { today, mprn: '3938424403' });
  const fieldErrors = (v: string) => check(v).errors.filter((e) => e.field === f.name);
  assert.deepEqual(fieldErrors('12345'), [{ field: f.name, message: `${f.label} must be 6 to 10 digits.` }]);
  assert.equal(fieldErrors('741234509').length, 0);
  assert.equal(check('741234509').warnings.length, 0, '741234509 has valid check digits');
  assert.equal(check('741234508').warnings.length, 1, 'a check-digit mismatch is a warning');
});

test('ADD: required fields, types, lengths and postcode normalisation', () => {
  const add = byCode('ADD');
  const ok = validateContactFields(add, { ...ADD_FIELDS, street: ' High Street ' }, { today });
  assert.deepEqual(ok.errors, []);
  assert.equal(ok.values['postcode'], 'LS1 4AP');
  assert.equal(ok.values['street'], 'High Street');

  const bad = validateContactFields(
    add,
    { street: 'x'.repeat(61), postcode: 'NOT A CODE', amendment_reason: 'WHATEVER', colour: 'blue' },
    { today },
  );
  const messages = Object.fromEntries(bad.errors.map((e) => [e.field, e.message]));
  assert.equal(messages['colour'], '“colour” is not a field of ADD (Address Amendment) contacts.');
  assert.equal(messages['street'], 'Street must be 60 characters or fewer (it is 61).');
  assert.equal(messages['town'], 'Town is required.');
  assert.equal(messages['postcode'], 'Postcode must be a real UK postcode, like SW1A 1AA.');
  assert.match(
    messages['amendment_reason'] ?? '',
    /^Reason for the amendment must be one of: INCORRECT \(Address is incorrect\)/,
  );
  assert.equal(messages['house_no'], 'Give a building number, a building name or a flat or sub-building.');
  assert.equal(bad.ok, false);
});

test('types: dates, numbers, booleans and MPRNs', () => {
  const tog = byCode('TOG');
  const theft = VALID.TOG;
  const r = validateContactFields(
    tog,
    {
      ...theft,
      date_discovered: '2024-06-15',
      theft_start_date: '2024-02-30',
      estimated_volume_kwh: '-5',
      supply_made_safe: 'maybe',
    },
    { today },
  );
  const messages = Object.fromEntries(r.errors.map((e) => [e.field, e.message]));
  assert.equal(messages['date_discovered'], 'Date discovered cannot be in the future.');
  assert.equal(
    messages['theft_start_date'],
    'Date the theft is believed to have started must be a real date in the form YYYY-MM-DD.',
  );
  assert.equal(messages['estimated_volume_kwh'], 'Estimated gas taken (kWh) must be 0 or more.');
  assert.equal(messages['supply_made_safe'], 'Was the supply made safe? must be yes or no.');

  const dates = validateContactFields(
    tog,
    { ...theft, date_discovered: '2024-01-10', theft_start_date: '2024-03-01' },
    { today },
  );
  assert.deepEqual(dates.errors, [
    { field: 'theft_start_date', message: 'The theft cannot have started after the date it was discovered.' },
  ]);
  assert.equal(dates.values['supply_made_safe'], true);
  assert.equal(dates.values['estimated_volume_kwh'], 1234.5);

  const dup = byCode('DUP');
  const base = { mprn_to_keep: 'THIS', details: 'one meter on site' };
  const asNumber = validateContactFields(dup, { ...base, duplicate_mprn: 3938424403 }, { today });
  assert.equal(asNumber.errors[0]?.message, 'Duplicate MPRN must be given as text, not as a number.');
  const warn = validateContactFields(dup, { ...base, duplicate_mprn: '3938424404' }, { today });
  assert.equal(warn.ok, true);
  assert.match(warn.warnings[0]?.message ?? '', /check digits/);
  const strict = validateContactFields(
    dup,
    { ...base, duplicate_mprn: '3938424404' },
    { today, mprnCheckDigits: 'error' },
  );
  assert.equal(strict.ok, false);
  const same = validateContactFields(
    dup,
    { ...base, duplicate_mprn: '3938424403' },
    { today, mprn: '3938424403' },
  );
  assert.equal(same.errors[0]?.field, 'duplicate_mprn');
});

test('RFA rules: a shipper for Class 2-4, a DMSP for Class 1 on the shipper’s behalf, strict adjustment dates, small sites not invoiced before 2017-06-01', () => {
  const rfa = byCode('RFA');
  const fields = VALID.RFA;

  const class1 = validateContactFields(rfa, fields, { ...site, siteClass: 1, raiserType: 'shipper' });
  assert.match(class1.errors[0]?.message ?? '', /Class 1 site: its appointed Daily Metered Service Provider/);
  assert.equal(class1.errors[0]?.field, null);
  assert.equal(class1.onBehalfOf, null);
  const byShipper = validateContactFields(rfa, fields, { ...site, raiserType: 'shipper' });
  assert.deepEqual([byShipper.ok, byShipper.onBehalfOf], [true, null]);
  const byDmsp = validateContactFields(rfa, fields, { ...site, siteClass: 1, raiserType: 'dmsp' });
  assert.deepEqual([byDmsp.errors, byDmsp.onBehalfOf], [[], 'registered_shipper']);
  const dmspClass3 = validateContactFields(rfa, fields, { ...site, siteClass: 3, raiserType: 'dmsp' });
  assert.match(dmspClass3.errors[0]?.message ?? '', /only for a Class 1 site.*This is a Class 3 site/);
  assert.equal(dmspClass3.onBehalfOf, null);
  assert.match(
    validateContactFields(rfa, fields, { ...site, siteClass: 5 }).errors[0]?.message ?? '',
    /not a valid class/,
  );
  assert.equal(validateContactFields(rfa, fields, { today, annualQuantityKwh: 1 }).ok, false);

  const reversed = validateContactFields(
    rfa,
    { ...fields, adjustment_start_date: '2023-06-30', adjustment_end_date: '2023-01-01' },
    site,
  );
  assert.deepEqual(reversed.errors, [
    { field: 'adjustment_end_date', message: 'Adjustment end date cannot be before the start date.' },
  ]);

  const future = validateContactFields(rfa, { ...fields, adjustment_end_date: '2024-06-15' }, site);
  assert.deepEqual(future.errors, [
    { field: 'adjustment_end_date', message: 'Adjustment end date cannot be in the future.' },
  ]);

  // A period spanning 2017-06-01 on a small site is accepted; the part before it is not invoiced.
  const early = { ...fields, adjustment_start_date: '2017-05-31' };
  const spanning = validateContactFields(rfa, early, site);
  assert.deepEqual(spanning.errors, []);
  assert.deepEqual(spanning.notInvoiced, { from: '2017-05-31', to: '2017-05-31' });
  assert.deepEqual(spanning.warnings, [
    {
      field: 'adjustment_start_date',
      message:
        'The part of the adjustment from 31 May 2017 to 31 May 2017 is not invoiced: the site uses less than 73,200 kWh a year.',
    },
  ]);
  // Wholly before it: nothing would be invoiced, so it is refused.
  const before = { ...fields, adjustment_start_date: '2016-01-01', adjustment_end_date: '2017-05-31' };
  assert.deepEqual(validateContactFields(rfa, before, site).errors, [
    {
      field: 'adjustment_end_date',
      message:
        'Below 73,200 kWh a year the part of an adjustment before 1 June 2017 is not invoiced, and all of this period is before it: end it on or after that date.',
    },
  ]);
  assert.equal(validateContactFields(rfa, before, site).notInvoiced, null);
  const onTheDay = validateContactFields(rfa, { ...fields, adjustment_start_date: '2017-06-01' }, site);
  assert.deepEqual([onTheDay.ok, onTheDay.notInvoiced, onTheDay.warnings], [true, null, []]);
  // At or above 73,200 kWh every day is invoiced, whenever the period starts.
  const large = validateContactFields(rfa, before, { ...site, annualQuantityKwh: 73_200 });
  assert.deepEqual([large.ok, large.notInvoiced], [true, null]);
  assert.match(
    validateContactFields(rfa, early, { today, siteClass: 3 }).errors[0]?.message ?? '',
    /annual quantity is needed/,
  );

  const neither = validateContactFields(rfa, { ...fields, proposed_read: '' }, site);
  assert.deepEqual(neither.errors, [
    { field: 'proposed_read', message: 'Give a proposed read or a proposed consumption.' },
  ]);
});

test('who may raise a code: its raised_by, said in words', () => {
  assert.equal(mayRaise(byCode('RFA'), 'dmsp'), true);
  assert.equal(mayRaise(byCode('RFA'), 'shipper'), true);
  assert.equal(mayRaise(byCode('DMQ'), 'dmsp'), false);
  assert.equal(mayRaise(byCode('MUS'), 'cdsp'), true);
  assert.equal(mayRaise(byCode('ADD'), 'cdsp'), false);
  assert.deepEqual(
    catalogue.filter((c) => mayRaise(c, 'cdsp')).map((c) => c.code),
    ['MUR', 'MUS'],
  );
  assert.equal(
    cannotRaise(byCode('GSR')),
    'Your organisation cannot raise Gas Safety Regulations (GSR) contacts: only gas transporters and independent gas transporters can.',
  );
  assert.equal(
    cannotRaise(byCode('DMQ')),
    'Your organisation cannot raise Daily Metered Query (DMQ) contacts: only shippers can.',
  );
});

test('DTL only for a dead site, ISO only for a live one', () => {
  const dtl = byCode('DTL');
  const iso = byCode('ISO');
  const dtlFields = { live_date: '2024-06-01', msn: 'M1', opening_read: '1', details: 'x' };
  const isoFields = {
    isolation_status: iso.fields[0]!.code_list?.[0]?.value ?? '',
    isolation_date: '2024-06-01',
    details: 'x',
  };
  const on = (status: string | null) => ({ today, meterPointStatus: status });
  assert.deepEqual(
    validateContactFields(dtl, dtlFields, on('LI')).errors.map((e) => e.message),
    ['Dead to Live is only for a supply point the register shows as dead. This one is live.'],
  );
  assert.deepEqual(
    validateContactFields(dtl, dtlFields, on(null)).errors.map((e) => e.message),
    ['Dead to Live is only for a supply point the register shows as dead. This one is of unknown status.'],
  );
  assert.deepEqual(
    validateContactFields(iso, isoFields, on('DE')).errors.map((e) => e.message),
    ['An isolation request is only for a supply point the register shows as live. This one is dead.'],
  );
  assert.deepEqual(
    validateContactFields(iso, isoFields, on('CA')).errors.map((e) => e.message),
    ['An isolation request is only for a supply point the register shows as live. This one is capped.'],
  );
});

test('invoicedPart: a small site’s days before 2017-06-01 are not invoiced (properties)', () => {
  const day = fc.integer({ min: 0, max: 9000 }).map((n) => addCalendarDays('2005-01-01', n));
  const T = RULE_PARAMETERS.rfaSmallSiteAqThresholdKwh;
  const cutoff = RULE_PARAMETERS.rfaSmallSiteEarliestStart;
  fc.assert(
    fc.property(day, day, fc.integer({ min: 0, max: 2 * T }), (a, b, aq) => {
      const [start, end] = a <= b ? [a, b] : [b, a];
      const r = invoicedPart(start, end, aq);
      if (aq >= T || start >= cutoff) assert.deepEqual(r, { kind: 'all' });
      else if (end < cutoff) assert.deepEqual(r, { kind: 'none' });
      else {
        assert.equal(r.kind, 'part');
        if (r.kind !== 'part') return;
        // The not-invoiced part starts the period, ends the day before the cut-off, and the rest is invoiced.
        assert.equal(r.notInvoiced.from, start);
        assert.equal(r.notInvoiced.to, '2017-05-31');
        assert.ok(r.notInvoiced.from <= r.notInvoiced.to && r.notInvoiced.to < end);
        assert.equal(addCalendarDays(r.notInvoiced.to, 1), cutoff);
      }
    }),
  );
  assert.deepEqual(invoicedPart('2017-05-31', '2017-06-01', T - 1), {
    kind: 'part',
    notInvoiced: { from: '2017-05-31', to: '2017-05-31' },
  });
  assert.deepEqual(invoicedPart('2017-05-31', '2017-05-31', T - 1), { kind: 'none' });
  assert.deepEqual(invoicedPart('2017-05-31', '2017-06-01', T), { kind: 'all' });
});

test('other named rules', () => {
  const cdq = validateContactFields(
    byCode('CDQ'),
    {
      dispute_period_start_date: '2024-03-01',
      dispute_period_end_date: '2024-02-01',
      dispute_reason: 'METER_FAULT',
      disputed_consumption_kwh: '100',
      details: 'x',
    },
    { today },
  );
  assert.deepEqual(cdq.errors, [
    {
      field: 'dispute_period_end_date',
      message: 'Disputed period end cannot be before disputed period start.',
    },
  ]);

  const mur = validateContactFields(
    byCode('MUR'),
    { read_reason: 'DISPUTE', required_by_date: today },
    { today },
  );
  assert.equal(mur.errors[0]?.message, 'The read must be required by a date after today.');

  const prs = byCode('PRS');
  const prsBase = {
    change_type: 'ADD_SUB',
    prime_mprn: '3938424403',
    effective_date: '2024-07-01',
    details: 'x',
  };
  const list = validateContactFields(prs, { ...prsBase, sub_mprns: '123456, 7654321\n1234567' }, { today });
  assert.deepEqual(list.values['sub_mprns'], ['123456', '7654321', '1234567']);
  assert.match(
    validateContactFields(prs, { ...prsBase, sub_mprns: '123456, 3938424403' }, { today }).errors[0]
      ?.message ?? '',
    /prime MPRN cannot also be a sub MPRN/,
  );
  assert.match(
    validateContactFields(prs, { ...prsBase, sub_mprns: '12a, 123456' }, { today }).errors[0]?.message ?? '',
    /\(not 12a\)/,
  );

  const fom = validateContactFields(
    byCode('FOM'),
    {
      house_name: 'The Mill',
      street: 'Mill Lane',
      town: 'Hebden Bridge',
      postcode: 'HX7 8AA',
      msn: 'E6S12345',
      date_found: '2024-06-01',
      read_value: '42',
    },
    { today },
  );
  assert.deepEqual(fom.errors, [{ field: 'read_date', message: 'Give the date of the read.' }]);

  const agg = validateContactFields(
    byCode('AGG'),
    { current_twin_stream_indicator: 'Y', proposed_twin_stream_indicator: 'Y', details: 'x' },
    { today },
  );
  assert.equal(agg.errors[0]?.field, 'proposed_twin_stream_indicator');
});
