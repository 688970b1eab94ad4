import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateContactCodeCatalogue, type ContactCodeDef } from './contact-codes.ts';
import { codeOf, shippedCatalogueJson } from '../../../../test/support/catalogue.ts';
import { fillFromRegister, registerFieldsOf, registerValueText } from './register-values.ts';

const catalogue = shippedCatalogueJson() as ContactCodeDef[];
const AGG = codeOf(catalogue, 'AGG');
const ADD = codeOf(catalogue, 'ADD');
const twin = AGG.fields.find((f) => f.name === 'current_twin_stream_indicator')!;

describe('current value fields (from_register)', () => {
  test('the catalogue marks AGG’s twin stream indicator and ADD’s current address, and documents them', () => {
    assert.deepEqual(
      registerFieldsOf(AGG).map((f) => [f.name, f.from_register]),
      [['current_twin_stream_indicator', 'twin_stream_site_indicator']],
    );
    assert.deepEqual(
      registerFieldsOf(ADD).map((f) => [f.name, f.from_register]),
      [['current_address', 'address']],
    );
    for (const f of [...registerFieldsOf(AGG), ...registerFieldsOf(ADD)])
      assert.match(f.hint ?? '', /Taken from the register.*refused \(400\)/, f.name);
    assert.deepEqual(registerFieldsOf(codeOf(catalogue, 'ENQ')), []);
  });

  test('the catalogue validator accepts a known source on text or code fields only', () => {
    const withField = (field: Record<string, unknown>) => {
      const entry = structuredClone(codeOf(catalogue, 'ENQ')) as unknown as {
        fields: Record<string, unknown>[];
      };
      entry.fields = [...entry.fields, field];
      return validateContactCodeCatalogue([entry]);
    };
    const base = { name: 'current_x', label: 'X on the register', required: false };
    assert.equal(withField({ ...base, type: 'text', from_register: 'address' }).ok, true);
    const wrongSource = withField({ ...base, type: 'text', from_register: 'shipper_short_code' });
    assert.equal(wrongSource.ok, false);
    assert.match(String(!wrongSource.ok && wrongSource.errors), /from_register must be one of address/);
    assert.equal(withField({ ...base, type: 'date', from_register: 'address' }).ok, false);
    assert.equal(validateContactCodeCatalogue(catalogue).ok, true, 'the shipped catalogue is valid');
  });

  test('left out: filled in from the register (its own spelling)', () => {
    const r = fillFromRegister(
      AGG,
      { twin_stream_site_indicator: ' Y ', as_at: '2026-03-01' },
      { details: 'x' },
    );
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.fields, { details: 'x', current_twin_stream_indicator: 'Y' });
    assert.equal(r.def, AGG, 'the code as it is');
  });

  test('sent and the same (any case, spacing): accepted as the register has it', () => {
    for (const [def, field, source, registerValue, sent] of [
      [AGG, 'current_twin_stream_indicator', 'twin_stream_site_indicator', 'Y', 'y'],
      [
        ADD,
        'current_address',
        'address',
        '12, High Street, Leeds, LS1 4AP',
        ' 12,  high street, LEEDS, ls1 4ap ',
      ],
    ] as const) {
      const r = fillFromRegister(def, { [source]: registerValue }, { [field]: sent });
      assert.deepEqual(r.errors, [], field);
      assert.equal(r.fields[field], registerValue, field);
    }
  });

  test('sent and different: refused, saying what the register holds and as at when', () => {
    const r = fillFromRegister(
      AGG,
      { twin_stream_site_indicator: 'Y', as_at: '2026-03-01' },
      { current_twin_stream_indicator: 'N' },
    );
    assert.deepEqual(r.errors, [
      {
        field: 'current_twin_stream_indicator',
        message:
          'Twin stream indicator on the register is taken from the register, where it is Y (Yes) as at 1 March 2026, not N. Leave it out and it is filled in for you',
      },
    ]);
    assert.equal(r.fields['current_twin_stream_indicator'], 'N', 'left as sent: the raise is refused anyway');
    const a = fillFromRegister(ADD, { address: '1 A Street' }, { current_address: '2 A Street' });
    assert.equal(a.errors.length, 1);
    assert.equal(a.errors[0]!.field, 'current_address');
    assert.doesNotMatch(a.errors[0]!.message, / as at /, 'no date when the register gives none');
  });

  test('the register holds none: a required field refuses the raise, an optional one is left out', () => {
    const r = fillFromRegister(AGG, { twin_stream_site_indicator: null }, {});
    assert.equal(r.errors.length, 1);
    assert.match(
      r.errors[0]!.message,
      /^The register holds no twin stream indicator on the register for this supply point/,
    );
    assert.match(r.errors[0]!.message, /cannot be raised/);
    const a = fillFromRegister(ADD, { address: '' }, { street: 'High Street' });
    assert.deepEqual(a.errors, []);
    assert.deepEqual(a.fields, { street: 'High Street' });
    const sent = fillFromRegister(ADD, { address: null }, { current_address: '1 A Street' });
    assert.equal(sent.errors.length, 1);
    assert.match(sent.errors[0]!.message, /holds none for this supply point: leave it out/);
    assert.equal('current_address' in sent.fields, false);
  });

  test('no supply point: one MPRN error, the register fields dropped and not required', () => {
    const r = fillFromRegister(AGG, null, { current_twin_stream_indicator: 'N', details: 'x' });
    assert.deepEqual(r.errors, [
      {
        field: 'mprn',
        message:
          'Give the MPRN of a supply point in your portfolio: the twin stream indicator on the register is taken from the register',
      },
    ]);
    assert.deepEqual(r.fields, { details: 'x' });
    assert.equal(r.def.fields.find((f) => f.name === 'current_twin_stream_indicator')!.required, false);
    assert.equal(r.def.fields.find((f) => f.name === 'proposed_twin_stream_indicator')!.required, true);
    assert.equal(twin.required, true, 'the catalogue itself is unchanged');
  });

  test('a code without register fields is untouched, with or without a supply point', () => {
    const enq = codeOf(catalogue, 'ENQ');
    for (const reg of [null, { address: 'x' }]) {
      const r = fillFromRegister(enq, reg, { subject: 's' });
      assert.deepEqual(r, { fields: { subject: 's' }, def: enq, errors: [] });
    }
  });

  test('values as a person reads them', () => {
    assert.equal(registerValueText(twin, 'n'), 'n (No)');
    assert.equal(registerValueText(twin, 'Q'), 'Q');
    assert.equal(registerValueText(ADD.fields[0]!, ' 1 A Street '), '1 A Street');
  });
});
