import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GES_FIELDS,
  PORTFOLIO_ONLY_FIELDS,
  REGISTER_FIELD_MAP,
  REGISTER_FIELD_NAMES,
  REGISTER_FIELDS,
} from './fields.ts';
import { DEFAULT_CODE_LIST_DATA, DEFAULT_CODE_LISTS, toCodeLists } from './code-lists.ts';

test('the catalogue holds the 89 GES SupplierFull fields and 2 extensions, mprn first, names unique and snake_case', () => {
  assert.equal(GES_FIELDS.length, 89);
  assert.equal(REGISTER_FIELDS.length, 91);
  assert.deepEqual(
    REGISTER_FIELDS.filter((f) => f.extension === true).map((f) => [f.name, f.type, f.portfolioOnly]),
    [
      ['last_shipper_short_code', 'short_code', false],
      ['interested_shipper_short_code', 'short_code', false],
    ],
  );
  assert.equal(REGISTER_FIELD_NAMES[0], 'mprn');
  assert.equal(new Set(REGISTER_FIELD_NAMES).size, 91);
  assert.equal(REGISTER_FIELD_MAP.size, 91);
  for (const f of REGISTER_FIELDS) {
    assert.match(f.name, /^[a-z][a-z0-9_]*$/);
    assert.ok(f.label.length > 0);
  }
});

test('exactly the 12 portfolio-only fields of domain.md §2 are marked', () => {
  assert.deepEqual([...PORTFOLIO_ONLY_FIELDS].sort(), [
    'confirmation_effective_date',
    'confirmation_reference_number',
    'correction_factor',
    'meter_asset_manager_effective_date',
    'meter_installation_date',
    'meter_location',
    'meter_manufacturer',
    'meter_model',
    'meter_read_batch_frequency',
    'meter_units',
    'meter_year_of_manufacture',
    'supply_meter_point_current_year_minimum_annual_quantity',
  ]);
});

test('every coded field names a default code list, and only coded fields do', () => {
  for (const f of REGISTER_FIELDS) {
    if (f.type === 'code') assert.ok(f.codeList && DEFAULT_CODE_LISTS[f.codeList], f.name);
    else assert.equal(f.codeList, undefined, f.name);
  }
  assert.equal(REGISTER_FIELD_MAP.get('msn')?.maxLength, 14);
  assert.deepEqual(REGISTER_FIELD_MAP.get('correction_factor')?.precision, {
    integerDigits: 3,
    fractionDigits: 6,
  });
});

test('default code lists hold the reference values', () => {
  const get = (list: string, code: string) => DEFAULT_CODE_LISTS[list]?.get(code);
  assert.equal(get('meter_location', '2'), 'Under Stairs');
  assert.equal(get('meter_location', '99'), 'Outside');
  assert.equal(DEFAULT_CODE_LISTS['meter_location']?.size, 35);
  assert.equal(get('ldz', 'EA'), 'East Anglia');
  assert.equal(DEFAULT_CODE_LISTS['ldz']?.size, 13);
  assert.deepEqual(
    [...(DEFAULT_CODE_LISTS['meter_point_status']?.keys() ?? [])],
    ['LI', 'CA', 'CL', 'IS', 'DE', 'EX'],
  );
  assert.equal(get('ldz_network', 'SW'), 'Wales & West Utilities');
  assert.equal(get('exit_zone_ldz', 'SC4'), 'SC');
  assert.equal(DEFAULT_CODE_LISTS['exit_zone']?.size, 34);
  assert.equal(get('meter_mechanism', 'S2'), 'SMETS2');
  // Every exit zone belongs to a known LDZ; every LDZ has a network and at least one exit zone.
  for (const [, ldz] of DEFAULT_CODE_LISTS['exit_zone_ldz'] ?? []) assert.ok(get('ldz', ldz));
  for (const [ldz] of DEFAULT_CODE_LISTS['ldz'] ?? []) {
    assert.ok(get('ldz_network', ldz));
    assert.ok([...(DEFAULT_CODE_LISTS['exit_zone_ldz'] ?? [])].some(([, l]) => l === ldz));
  }
});

test('toCodeLists turns plain data into maps', () => {
  const lists = toCodeLists({ yes_no: { Y: 'Yes' } });
  assert.equal(lists['yes_no']?.get('Y'), 'Yes');
  assert.equal(Object.keys(DEFAULT_CODE_LIST_DATA).length, Object.keys(DEFAULT_CODE_LISTS).length);
});
