import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalisePostcode, postcodeArea, validatePostcode } from './postcode.ts';

test('normalisePostcode trims, upper-cases and places one space before the inward code', () => {
  assert.equal(normalisePostcode('  b91  1aa '), 'B91 1AA');
  assert.equal(normalisePostcode('ec1a1bb'), 'EC1A 1BB');
  assert.equal(normalisePostcode('M 1 1AA'), 'M1 1AA');
  assert.equal(normalisePostcode('ab1'), 'AB1');
});

test('all six formats and GIR 0AA are valid', () => {
  for (const pc of [
    'M1 1AA',
    'M60 1NW',
    'CR2 6XH',
    'DN55 1PT',
    'W1A 1HQ',
    'EC1A 1BB',
    'GIR 0AA',
    'b91 1aa',
  ]) {
    const r = validatePostcode(pc);
    assert.equal(r.ok, true, pc);
  }
  assert.deepEqual(validatePostcode('sw1a2aa'), { ok: true, postcode: 'SW1A 2AA' });
});

test('letter-position rules are enforced', () => {
  const invalid = [
    'Q1 1AA', // Q never first
    'V1 1AA',
    'X1 1AA',
    'AI1 1AA', // I, J, Z never second
    'AJ1 1AA',
    'AZ1 1AA',
    'W1I 1AA', // third-position letter not allowed
    'EC1C 1BB', // fourth-position letter not allowed
    'M1 1CA', // inward never uses C I K M O V
    'M1 1AV',
    'M1 AAA', // inward must start with a digit
    'AB1 XYZ',
    'ABC 1AA',
    '123 4AB',
    'M1',
    'M1 1AA1',
    'AB123 1AA',
    'M1-1AA',
  ];
  for (const pc of invalid) assert.equal(validatePostcode(pc).ok, false, pc);
});

test('invalid postcode reasons quote the normalised value in plain English', () => {
  const r = validatePostcode('ab1 xyz');
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.reason, /^postcode 'AB1 XYZ' is not a valid UK postcode/);
  const empty = validatePostcode('   ');
  assert.equal(empty.ok, false);
});

test('postcodeArea returns the area letters', () => {
  assert.equal(postcodeArea('B91 1AA'), 'B');
  assert.equal(postcodeArea('ec1a 1bb'), 'EC');
});
