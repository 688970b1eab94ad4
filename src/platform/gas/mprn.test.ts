import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasValidCheckDigits, mprnCheckDigits, mprnWithCheckDigits, validateMprn } from './mprn.ts';

test('validateMprn accepts 6-10 digit strings and keeps leading zeros', () => {
  assert.deepEqual(validateMprn('3938424403'), { ok: true, mprn: '3938424403' });
  assert.deepEqual(validateMprn(' 0012345 '), { ok: true, mprn: '0012345' });
  assert.deepEqual(validateMprn('123456'), { ok: true, mprn: '123456' });
});

test('validateMprn rejects bad shapes with a plain reason', () => {
  for (const bad of ['', '12345', '12345678901', '12a4567', '1234.56', '-123456', '1e10']) {
    const r = validateMprn(bad);
    assert.equal(r.ok, false, bad);
    if (!r.ok) assert.match(r.reason, /MPRN/);
  }
});

test('check digits follow the worked examples of the brief', () => {
  assert.equal(mprnCheckDigits('39384244'), '03');
  assert.equal(mprnCheckDigits('7412345'), '09');
  assert.equal(mprnWithCheckDigits('7412345'), '741234509');
  assert.equal(mprnCheckDigits('12345678'), '10');
  assert.equal(mprnWithCheckDigits('12345678'), '1234567810');
  assert.equal(hasValidCheckDigits('3938424403'), true);
  assert.equal(hasValidCheckDigits('741234509'), true);
  assert.equal(hasValidCheckDigits('1234567810'), true);
  assert.equal(hasValidCheckDigits('3938424404'), false);
  assert.equal(hasValidCheckDigits('12345'), false);
  assert.throws(() => mprnCheckDigits('12a'), RangeError);
});
