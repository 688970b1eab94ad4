import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CODE_LISTS, toCodeLists } from './code-lists.ts';
import {
  canonicalDate,
  canonicalDecimal,
  canonicalInteger,
  makeRowValidator,
  validateHeader,
  type RowResult,
} from './row-validator.ts';

const codeLists = DEFAULT_CODE_LISTS;

function validate(row: Record<string, string>, checkDigitPolicy: 'warn' | 'error' = 'warn'): RowResult {
  const columns = Object.keys(row);
  return makeRowValidator({ columns, codeLists, checkDigitPolicy })(Object.values(row), 2);
}

function okValues(r: RowResult): Record<string, string | null> {
  assert.ok(r.ok, JSON.stringify(r));
  return r.values;
}

function reasons(r: RowResult): string[] {
  assert.equal(r.ok, false, JSON.stringify(r));
  return r.ok ? [] : r.errors.map((e) => e.reason);
}

test('validateHeader reports a missing mprn column, unknown, duplicate and blank columns', () => {
  assert.deepEqual(validateHeader(['mprn', 'postcode']), []);
  assert.deepEqual(validateHeader([' MPRN ', 'Postcode']), []);
  assert.match(validateHeader([])[0]!.reason, /header row is empty/);
  assert.match(validateHeader([''])[0]!.reason, /header row is empty/);
  const found = validateHeader(['postcode', 'colour', 'postcode', '', 'flavour']);
  const issues = found.map((i) => i.reason);
  assert.ok(issues.some((r) => /no 'mprn' column/.test(r)));
  assert.ok(issues.some((r) => /unknown column 'colour' \(column 2\)/.test(r)));
  assert.ok(issues.some((r) => /unknown column 'flavour'/.test(r)));
  assert.ok(issues.some((r) => /'postcode' appears more than once \(columns 1 and 3\)/.test(r)));
  assert.ok(issues.some((r) => /column 4 of the header row has no name/.test(r)));
  assert.ok(found.every((i) => i.rowNumber === 1 && i.mprn === null));
});

test('makeRowValidator refuses an invalid header or a missing code list', () => {
  assert.throws(
    () => makeRowValidator({ columns: ['postcode'], codeLists, checkDigitPolicy: 'warn' }),
    /mprn/,
  );
  assert.throws(
    () =>
      makeRowValidator({
        columns: ['mprn', 'meter_type'],
        codeLists: toCodeLists({}),
        checkDigitPolicy: 'warn',
      }),
    /code list 'meter_type'/,
  );
});

test('a valid row is normalised', () => {
  const values = okValues(
    validate({
      mprn: ' 3938424403 ',
      postcode: ' b91  1aa',
      ldz_id: 'wm',
      exit_zone: 'wm3',
      meter_location: '02',
      daily_metered_indicator: 'non daily metered',
      meter_installation_date: '20210314',
      confirmation_effective_date: '2024-02-29',
      annual_quantity: '0011500',
      correction_factor: '001.022640',
      meter_capacity: '.5',
      shipper_short_code: 'abc',
      msn: ' e6s12345671961 ',
      end_user_category_code: 'wm:e2401b',
      street: '  Blossomfield Road ',
      house_name: '',
    }),
  );
  assert.deepEqual(values, {
    mprn: '3938424403',
    postcode: 'B91 1AA',
    ldz_id: 'WM',
    exit_zone: 'WM3',
    meter_location: '2',
    daily_metered_indicator: 'Non Daily Metered',
    meter_installation_date: '2021-03-14',
    confirmation_effective_date: '2024-02-29',
    annual_quantity: '11500',
    correction_factor: '1.02264',
    meter_capacity: '0.5',
    shipper_short_code: 'ABC',
    msn: 'E6S12345671961',
    end_user_category_code: 'WM:E2401B',
    street: 'Blossomfield Road',
    house_name: null,
  });
});

test('empty cells are null (clear the field)', () => {
  assert.deepEqual(okValues(validate({ mprn: '741234509', meter_type: '', annual_quantity: '  ' })), {
    mprn: '741234509',
    meter_type: null,
    annual_quantity: null,
  });
});

test('invalid values give plain-English reasons naming the field and value', () => {
  // field → [a bad value, the reason it must get]
  const cases: Record<string, [string, RegExp]> = {
    postcode: ['AB1 XYZ', /^postcode 'AB1 XYZ' is not a valid UK postcode/],
    meter_location: ['45', /Meter location '45' is not a recognised code/],
    meter_point_status: ['ZZ', /allowed: LI, CA, CL, IS, DE, EX/],
    meter_installation_date: ['2023-02-29', /'2023-02-29' is not a real calendar date/],
    confirmation_effective_date: ['14/03/2021', /YYYY-MM-DD/],
    annual_quantity: ['12.5', /must be a whole number/],
    offtake_quantity: ['-3', /must be a whole number/],
    correction_factor: ['1000.5', /does not fit the format 999\.999999/],
    meter_units: ['1e3', /must be a number/],
    msn: ['ABCDEFGHIJKLMNO', /too long: at most 14 characters/],
    shipper_short_code: ['AB', /3-character short code/],
    street: ['Line\none', /line break/],
  };
  const badValues = Object.fromEntries(Object.entries(cases).map(([field, [value]]) => [field, value]));
  const r = validate({ mprn: '741234509', ...badValues });
  assert.equal(r.ok, false);
  if (r.ok) return;
  const byField = new Map(r.errors.map((e) => [e.field, e.reason]));
  for (const [field, [, reason]] of Object.entries(cases)) assert.match(byField.get(field)!, reason, field);
  assert.equal(r.mprn, '741234509');
  assert.ok(r.errors.every((e) => e.rowNumber === 2 && e.mprn === '741234509'));
});

test('MPRN problems: missing, malformed, and the check-digit policy', () => {
  assert.deepEqual(reasons(validate({ mprn: '' })), ['MPRN is missing; every row needs one']);
  const bad = validate({ mprn: '12AB56' });
  assert.equal(bad.mprn, null);
  assert.match(reasons(bad)[0]!, /digits only/);
  const warn = validate({ mprn: '3938424404' }, 'warn');
  assert.ok(warn.ok);
  assert.match(warn.warnings[0]!.reason, /fails the check-digit test \(the last two digits would be '03'\)/);
  assert.match(reasons(validate({ mprn: '3938424404' }, 'error'))[0]!, /check-digit/);
});

test('a row with the wrong number of cells is an error', () => {
  const v = makeRowValidator({ columns: ['mprn', 'postcode'], codeLists, checkDigitPolicy: 'warn' });
  const r = v(['741234509'], 7);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.deepEqual(r.errors, [
      {
        rowNumber: 7,
        mprn: '741234509',
        field: null,
        reason: 'row has 1 values but the header has 2 columns',
      },
    ]);
  }
  assert.equal(v(['741234509', 'M1 1AA', 'extra'], 8).ok, false);
});

test('cross-field consistency warnings: exit zone and EUC against the LDZ', () => {
  const r = validate({
    mprn: '741234509',
    ldz_id: 'EA',
    exit_zone: 'NW1',
    end_user_category_code: 'WM:E2401B',
  });
  assert.ok(r.ok);
  assert.deepEqual(
    r.warnings.map((w) => w.field),
    ['exit_zone', 'end_user_category_code'],
  );
  assert.deepEqual(
    r.warnings.map((w) => [w.rowNumber, w.mprn, w.reason]),
    [
      [2, '741234509', "exit zone 'NW1' belongs to LDZ 'NW', not to LDZ 'EA'"],
      [2, '741234509', "end user category 'WM:E2401B' is for LDZ 'WM', not LDZ 'EA'"],
    ],
  );
  const odd = validate({ mprn: '741234509', end_user_category_code: 'hello' });
  assert.ok(odd.ok && /does not look like an EUC code/.test(odd.warnings[0]!.reason));
  // Consistent, or only one side present: no warning.
  const quiet = (row: Record<string, string>) => {
    const q = validate({ mprn: '741234509', ...row });
    assert.ok(q.ok, JSON.stringify(q));
    return q.warnings.map((w) => w.reason);
  };
  assert.deepEqual(quiet({ ldz_id: 'EA', exit_zone: 'EA1', end_user_category_code: 'EA:E2401B' }), []);
  assert.deepEqual(quiet({ exit_zone: 'NW1', end_user_category_code: 'WM:E2401B' }), []);
  assert.deepEqual(quiet({ ldz_id: 'EA' }), []);
  assert.deepEqual(quiet({ ldz_id: 'EA', exit_zone: '' }), []);
});

test('operator-supplied code lists are used instead of the defaults', () => {
  const lists = toCodeLists({ meter_location: { '2': 'Under Stairs', '77': 'Loft' } });
  const v = makeRowValidator({
    columns: ['mprn', 'meter_location'],
    codeLists: lists,
    checkDigitPolicy: 'warn',
  });
  assert.ok(v(['741234509', '77'], 2).ok);
  assert.equal(v(['741234509', '99'], 3).ok, false);
});

test('canonical number and date text never goes through floats', () => {
  // function → (input → canonical text, or null when the input is refused)
  const cases: [(s: string) => string | null, Record<string, string | null>][] = [
    [
      canonicalDecimal,
      {
        '001.50': '1.5',
        '999.999999': '999.999999',
        '0.1000000000000000055511151231257827': '0.1000000000000000055511151231257827',
        '12345678901234567890.5': '12345678901234567890.5',
        '2.000': '2',
        '0': '0',
        '5.': '5',
        '1,5': null,
        '.': null,
        '.5': '0.5',
        '+1.25': '1.25',
        '10': '10',
        '10.50': '10.5',
        '0.05': '0.05',
        '00': '0',
        '0.0': '0',
        '1.2.3': null,
        '-1': null,
      },
    ],
    [
      canonicalInteger,
      {
        '000': '0',
        '+0042': '42',
        '98765432109876543210': '98765432109876543210',
        '0': '0',
        '7': '7',
        '+7': '7',
        '07': '7',
        '100': '100',
        '1.0': null,
        '': null,
      },
    ],
    [
      canonicalDate,
      {
        '2024-02-29': '2024-02-29',
        '19000229': null,
        '2000-02-29': '2000-02-29',
        '2024-13-01': null,
        '2024-04-31': null,
        '2024-4-1': null,
        '20240101': '2024-01-01',
        '20241231': '2024-12-31',
        '2023-02-29': null,
        '2023-02-28': '2023-02-28',
        '2024-00-10': null,
        '2024-01-00': null,
        '2024-01-31': '2024-01-31',
        '2024-12-01': '2024-12-01',
        '2024-01-32': null,
        '1799-12-31': null,
        '1800-01-01': '1800-01-01',
        '17991231': null,
        ' 2024-01-01': null,
        '2024-01-01 ': null,
        'x2024-01-01': null,
        '2024010': null,
        '202401011': null,
        '2024/01/01': null,
      },
    ],
  ];
  for (const [canonical, expected] of cases) {
    for (const [input, output] of Object.entries(expected))
      assert.equal(canonical(input), output, `${canonical.name}('${input}')`);
  }
});

test('shipperless and unregistered: a known shipper, only with an empty shipper column, never both', () => {
  const mprn = '3938424403';
  const shippers = new Set(['SHA', 'SHB']);
  const check = (row: Record<string, string>, shipperCodes: ReadonlySet<string> | null = shippers) => {
    const columns = Object.keys(row);
    return makeRowValidator({
      columns,
      codeLists,
      checkDigitPolicy: 'warn',
      ...(shipperCodes ? { shipperCodes } : {}),
    })(Object.values(row), 2);
  };
  const errors = (r: RowResult) => (r.ok ? [] : r.errors.map((e) => [e.field, e.reason]));
  // Accepted: a shipperless site with its last shipper, an unregistered one with its interested shipper.
  assert.equal(
    okValues(check({ mprn, shipper_short_code: '', last_shipper_short_code: 'sha' }))[
      'last_shipper_short_code'
    ],
    'SHA',
  );
  assert.equal(
    okValues(check({ mprn, shipper_short_code: ' ', interested_shipper_short_code: 'SHB' }))[
      'interested_shipper_short_code'
    ],
    'SHB',
  );
  assert.ok(check({ mprn, shipper_short_code: 'SHA', last_shipper_short_code: '' }).ok, 'empty is nothing');
  // Without the known-shipper list, only the form is checked.
  assert.ok(check({ mprn, shipper_short_code: '', last_shipper_short_code: 'ZZZ' }, null).ok);
  assert.deepEqual(errors(check({ mprn, shipper_short_code: '', last_shipper_short_code: 'ZZZ' })), [
    ['last_shipper_short_code', "'ZZZ' is not the short code of a known shipper"],
  ]);
  assert.deepEqual(errors(check({ mprn, shipper_short_code: '', interested_shipper_short_code: 'ZZZ' })), [
    ['interested_shipper_short_code', "'ZZZ' is not the short code of a known shipper"],
  ]);
  assert.deepEqual(errors(check({ mprn, shipper_short_code: 'SHB', last_shipper_short_code: 'SHA' })), [
    [
      'last_shipper_short_code',
      "a last registered shipper (shipperless site) is only for a site with no registered shipper, but shipper_short_code is 'SHB'",
    ],
  ]);
  assert.deepEqual(errors(check({ mprn, shipper_short_code: 'SHB', interested_shipper_short_code: 'SHA' })), [
    [
      'interested_shipper_short_code',
      "an interested shipper (unregistered site) is only for a site with no registered shipper, but shipper_short_code is 'SHB'",
    ],
  ]);
  assert.deepEqual(errors(check({ mprn, last_shipper_short_code: 'SHA' })), [
    [
      'last_shipper_short_code',
      'a last registered shipper (shipperless site) needs the shipper_short_code column in the file, empty for this site',
    ],
  ]);
  assert.deepEqual(errors(check({ mprn, interested_shipper_short_code: 'SHA' })), [
    [
      'interested_shipper_short_code',
      'an interested shipper (unregistered site) needs the shipper_short_code column in the file, empty for this site',
    ],
  ]);
  assert.deepEqual(
    errors(
      check({
        mprn,
        shipper_short_code: '',
        last_shipper_short_code: 'SHA',
        interested_shipper_short_code: 'SHB',
      }),
    ),
    [
      [
        'interested_shipper_short_code',
        'an interested shipper is only for a site never registered, but this row also names a last registered shipper',
      ],
    ],
  );
});

test('a valid row gives its normalised cells in header order (the MPRN at its own column), and names them', () => {
  const columns = ['postcode', 'mprn', 'annual_quantity', 'meter_installation_date', 'msn'];
  const v = makeRowValidator({ columns, codeLists, checkDigitPolicy: 'warn' });
  const r = v([' sw1a1aa ', '3938424403', '0012000', '20240131', ''], 7);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.cells, ['SW1A 1AA', '3938424403', '12000', '2024-01-31', null]);
  assert.deepEqual(r.values, {
    postcode: 'SW1A 1AA',
    mprn: '3938424403',
    annual_quantity: '12000',
    meter_installation_date: '2024-01-31',
    msn: null,
  });
  assert.deepEqual(JSON.parse(JSON.stringify(r)), {
    ok: true,
    mprn: '3938424403',
    values: r.values,
    warnings: [],
  });
  // One bad cell: the row is refused with that field named; the others are still checked.
  const bad = v(['SW1A 1AA', '3938424403', '12.5', '2024-02-30', 'ab'], 8);
  assert.equal(bad.ok, false);
  assert.deepEqual(bad.ok ? [] : bad.errors.map((e) => [e.rowNumber, e.mprn, e.field]), [
    [8, '3938424403', 'annual_quantity'],
    [8, '3938424403', 'meter_installation_date'],
  ]);
});
