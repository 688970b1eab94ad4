import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REGISTER_FIELDS } from '../../des/register/index.ts';
import { formatCodeLines, parseCodeLines, validateCodeEdit } from './code-edit.ts';
import { validateContactCodeCatalogue, type ContactCodeDef } from './contact-codes.ts';
import { CODE_EDIT, shippedCatalogueJson } from '../../../../test/support/catalogue.ts';
import {
  decideResolution,
  loadChecks,
  normaliseRegisterValue,
  registerCheckText,
  registerShows,
} from './resolution.ts';

const raw = shippedCatalogueJson() as ContactCodeDef[];

const DMQ = {
  code: 'DMQ',
  outcomes: [
    { value: 'READ_CORRECTED', label: 'Daily read corrected' },
    { value: 'NO_CHANGE_REQUIRED', label: 'No change required' },
  ],
  rejection_reasons: [
    { value: 'INCOMPLETE', label: 'Information missing or incomplete' },
    { value: 'DUPLICATE', label: 'Duplicate of a contact already raised' },
  ],
  register_fields: ['latest_meter_read_value', 'meter_units'],
};
/** The register names latest_meter_read_value; meter_units (portfolio-only) is not nameable. */
const labels = new Map([['latest_meter_read_value', 'Latest meter read value']]);
const ctx = { hasMprn: true, fieldLabels: labels };

describe('decideResolution', () => {
  test('a resolve needs one of the code’s outcomes: missing and unknown are both refused', () => {
    const missing = decideResolution(DMQ, 'resolve', {}, ctx);
    assert.deepEqual(missing, { ok: false, errors: [{ field: 'outcome', message: 'Select the outcome' }] });
    const unknown = decideResolution(DMQ, 'resolve', { outcome: 'DUPLICATE' }, ctx);
    assert.equal(unknown.ok, false);
    assert.match(
      !unknown.ok ? unknown.errors[0]!.message : '',
      /one of those for DMQ contacts: Daily read corrected; No change required/,
    );
    assert.deepEqual(decideResolution(DMQ, 'resolve', { outcome: ' READ_CORRECTED ' }, ctx), {
      ok: true,
      outcome: DMQ.outcomes[0],
      reason: null,
      expected: null,
    });
  });

  test('a reject needs one of the code’s rejection reasons (an outcome code is not one)', () => {
    const missing = decideResolution(DMQ, 'reject', { outcome: 'READ_CORRECTED' }, ctx);
    assert.deepEqual(missing, {
      ok: false,
      errors: [{ field: 'reason_code', message: 'Select the rejection reason' }],
    });
    const wrong = decideResolution(DMQ, 'reject', { reason_code: 'READ_CORRECTED' }, ctx);
    assert.equal(wrong.ok, false);
    const ok = decideResolution(DMQ, 'reject', { reason_code: 'DUPLICATE' }, ctx);
    assert.deepEqual(ok, { ok: true, outcome: null, reason: DMQ.rejection_reasons[1], expected: null });
  });

  test('other actions record nothing and need nothing', () => {
    assert.deepEqual(decideResolution(DMQ, 'accept', { expected_register_change: { field: 'x' } }, ctx), {
      ok: true,
      outcome: null,
      reason: null,
      expected: null,
    });
  });

  test('an expected register change names one of the code’s nameable fields and a value', () => {
    const resolve = (change: { field?: string; value?: string }, c = ctx) =>
      decideResolution(DMQ, 'resolve', { outcome: 'READ_CORRECTED', expected_register_change: change }, c);
    assert.deepEqual(resolve({ field: 'latest_meter_read_value', value: ' 01234 ' }), {
      ok: true,
      outcome: DMQ.outcomes[0],
      reason: null,
      expected: { field: 'latest_meter_read_value', field_label: 'Latest meter read value', value: '01234' },
    });
    // Blank field and value: no change expected.
    assert.deepEqual(resolve({ field: '', value: ' ' }), resolve({}));
    assert.equal((resolve({}) as { expected: unknown }).expected, null);
    const field = (r: ReturnType<typeof resolve>) => (r.ok ? null : r.errors.map((e) => e.field));
    assert.deepEqual(field(resolve({ field: 'meter_units', value: '1' })), ['expected_field']);
    assert.deepEqual(field(resolve({ field: 'postcode', value: '1' })), ['expected_field']);
    assert.deepEqual(field(resolve({ value: '1' })), ['expected_field']);
    assert.deepEqual(field(resolve({ field: 'latest_meter_read_value' })), ['expected_value']);
    assert.deepEqual(field(resolve({ field: 'latest_meter_read_value', value: 'x'.repeat(201) })), [
      'expected_value',
    ]);
    assert.equal(resolve({ field: 'latest_meter_read_value', value: 'x'.repeat(200) }).ok, true);
    // A contact about no MPRN, or a register that names nothing: no change can be expected.
    assert.deepEqual(
      field(resolve({ field: 'latest_meter_read_value', value: '1' }, { ...ctx, hasMprn: false })),
      ['expected_field'],
    );
    assert.deepEqual(
      field(
        resolve({ field: 'latest_meter_read_value', value: '1' }, { hasMprn: true, fieldLabels: new Map() }),
      ),
      ['expected_field'],
    );
  });

  test('the messages say what to do, in words', () => {
    const messages = (change: { field?: string; value?: string }, c = ctx) => {
      const r = decideResolution(
        DMQ,
        'resolve',
        { outcome: 'READ_CORRECTED', expected_register_change: change },
        c,
      );
      return r.ok ? '' : r.errors.map((e) => e.message).join(' | ');
    };
    assert.equal(
      messages({ field: 'postcode', value: '1' }),
      'Select the register field you expect to change (one of: Latest meter read value)',
    );
    assert.equal(
      messages({ field: 'latest_meter_read_value', value: ' ' }),
      'Enter the value you expect the register to show, of 1 to 200 characters',
    );
    assert.equal(
      messages({ field: 'latest_meter_read_value', value: '1' }, { ...ctx, hasMprn: false }),
      'An expected register change cannot be given for this contact: it is about no supply point, or DMQ contacts name no register field',
    );
    const reject = decideResolution(DMQ, 'reject', { reason_code: 'NOPE' }, ctx);
    assert.deepEqual(reject.ok ? [] : reject.errors, [
      {
        field: 'reason_code',
        message:
          'The rejection reason must be one of those for DMQ contacts: Information missing or incomplete; Duplicate of a contact already raised',
      },
    ]);
  });

  test('a missing outcome and a bad change are reported together', () => {
    const r = decideResolution(
      DMQ,
      'resolve',
      { expected_register_change: { field: 'nope', value: '1' } },
      ctx,
    );
    assert.deepEqual(r.ok ? [] : r.errors.map((e) => e.field), ['outcome', 'expected_field']);
  });
});

describe('the register check', () => {
  test('values compare trimmed, with single spaces, in capitals', () => {
    assert.equal(normaliseRegisterValue('  sw1a   1aa '), 'SW1A 1AA');
    assert.equal(registerShows('sw1a 1aa', 'SW1A 1AA'), true);
    assert.equal(registerShows('Y', 'N'), false);
    assert.equal(registerShows('123', '1234'), false);
    assert.equal(registerShows('X', null), false);
    assert.equal(registerShows('X', undefined), false);
  });

  test('a load checks contacts resolved on or before its business date', () => {
    assert.equal(loadChecks('2026-12-02', '2026-12-01'), true);
    assert.equal(loadChecks('2026-12-01', '2026-12-01'), true);
    assert.equal(loadChecks('2026-11-30', '2026-12-01'), false);
  });

  test('the page says it in words, with GOV.UK dates', () => {
    assert.equal(registerCheckText('2026-12-02'), 'Register updated on 2 December 2026');
    assert.equal(registerCheckText(null), 'Not yet in the register');
  });
});

describe('the catalogue’s resolution data', () => {
  const nameable = new Set(
    REGISTER_FIELDS.filter((f) => !f.portfolioOnly && f.name !== 'mprn').map((f) => f.name),
  );

  test('the shipped catalogue is valid: every code has outcomes and rejection reasons', () => {
    const r = validateContactCodeCatalogue(raw);
    assert.deepEqual(r.ok ? [] : r.errors, []);
    for (const c of raw) {
      assert.ok(c.outcomes.length >= 1, c.code);
      assert.ok(c.rejection_reasons.length >= 1, c.code);
    }
    assert.deepEqual(
      raw.find((c) => c.code === 'DMQ')!.outcomes.map((o) => o.value),
      ['READ_CORRECTED', 'DATA_RESENT', 'NO_CHANGE_REQUIRED'],
    );
    assert.ok(
      raw.find((c) => c.code === 'RFA')!.rejection_reasons.some((r) => r.value === 'INCORRECT_DATES'),
    );
  });

  test('register fields are register fields anyone may name; only codes about an MPRN name any', () => {
    for (const c of raw) {
      for (const f of c.register_fields) assert.ok(nameable.has(f), `${c.code}: ${f}`);
      if (!c.mprn_required) assert.deepEqual(c.register_fields, [], c.code);
    }
  });

  test('every code’s name is marked public with its source; S&U’s 30 business days too; other targets are defaults', () => {
    for (const c of raw) assert.equal(c.public_sources.name, 'Xoserve CMS user guide', c.code);
    const mus = raw.find((c) => c.code === 'MUS')!;
    assert.match(mus.public_sources.target_business_days ?? '', /UNC/);
    for (const c of raw.filter((x) => x.code !== 'MUS'))
      assert.equal(c.public_sources.target_business_days, undefined, c.code);
  });

  test('the validator refuses bad lists and marks', () => {
    const dmq = raw.find((c) => c.code === 'DMQ')!;
    const errorsOf = (over: Record<string, unknown>) => {
      const r = validateContactCodeCatalogue([{ ...dmq, ...over }]);
      return r.ok ? [] : r.errors;
    };
    assert.match(errorsOf({ outcomes: [] }).join(), /outcomes must be a non-empty list/);
    assert.match(errorsOf({ outcomes: [{ value: 'bad code', label: 'x' }] }).join(), /capital letters/);
    assert.match(errorsOf({ outcomes: [{ value: 'OK', label: '' }] }).join(), /needs a label/);
    assert.match(
      errorsOf({
        rejection_reasons: [
          { value: 'A1', label: 'a' },
          { value: 'A1', label: 'b' },
        ],
      }).join(),
      /more than once/,
    );
    assert.match(
      errorsOf({ outcomes: [{ value: 'OK', label: 'a', extra: 1 }] }).join(),
      /must be \{value, label\}/,
    );
    assert.match(errorsOf({ register_fields: ['Postcode'] }).join(), /register_fields/);
    assert.match(errorsOf({ register_fields: ['town', 'town'] }).join(), /register_fields/);
    assert.match(errorsOf({ public_sources: { colour: 'x' } }).join(), /not an attribute/);
    assert.match(errorsOf({ public_sources: { name: '' } }).join(), /must name its source/);
    assert.match(errorsOf({ public_sources: [] }).join(), /public_sources must be an object/);
    assert.deepEqual(errorsOf({}), []);
  });
});

describe('editing the lists on the catalogue form', () => {
  test('one a line, "CODE: Label"; the label may hold colons', () => {
    assert.deepEqual(
      parseCodeLines(' read_corrected : Daily read corrected\r\n\n NO_CHANGE: No change: all fine '),
      [
        { value: 'READ_CORRECTED', label: 'Daily read corrected' },
        { value: 'NO_CHANGE', label: 'No change: all fine' },
      ],
    );
    assert.deepEqual(parseCodeLines('NOLABEL'), [{ value: 'NOLABEL', label: '' }]);
    const list = [
      { value: 'A1', label: 'One' },
      { value: 'B2', label: 'Two: more' },
    ];
    assert.deepEqual(parseCodeLines(formatCodeLines(list)), list);
  });

  test('the edit rules refuse an empty list, a line without a label, and a repeated code', () => {
    const base = CODE_EDIT;
    assert.deepEqual(validateCodeEdit(base), []);
    assert.deepEqual(validateCodeEdit({ ...base, outcomes: parseCodeLines('A1: One') }), []);
    for (const bad of ['', 'A1', 'A1: One\nA1: Two', '1A: One']) {
      assert.deepEqual(
        validateCodeEdit({
          ...base,
          outcomes: parseCodeLines(bad),
          rejection_reasons: parseCodeLines(bad),
        }).map((e) => e.field),
        ['outcomes', 'rejection_reasons'],
        bad,
      );
    }
  });
});
