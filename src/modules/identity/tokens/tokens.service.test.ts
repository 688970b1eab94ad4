import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../../platform/errors.ts';
import { keyExpiry } from './tokens.service.ts';

const NOW = new Date('2026-03-02T10:00:00Z');

function expiry(input: string | null, now = NOW) {
  const errors: FieldError[] = [];
  const at = keyExpiry(input, now, errors);
  return { at: at?.toISOString() ?? null, errors: errors.map((e) => `${e.field}: ${e.message}`) };
}

describe('API key expiry: the key works all day on its date (Europe/London)', () => {
  test('no date means no expiry', () => {
    assert.deepEqual(expiry(null), { at: null, errors: [] });
    assert.deepEqual(expiry('  '), { at: null, errors: [] });
  });

  test('in winter (GMT) the key stops at midnight UTC after its date', () => {
    assert.deepEqual(expiry('2027-01-31'), { at: '2027-02-01T00:00:00.000Z', errors: [] });
  });

  test('in summer (BST) the key stops at 23:00 UTC on its date', () => {
    assert.deepEqual(expiry('2026-07-15'), { at: '2026-07-15T23:00:00.000Z', errors: [] });
  });

  test('across the clock change: the last day of GMT ends at 00:00 UTC, of BST at 23:00 UTC', () => {
    assert.equal(expiry('2026-03-28').at, '2026-03-29T00:00:00.000Z');
    assert.equal(expiry('2026-10-24').at, '2026-10-24T23:00:00.000Z');
  });

  test('today is allowed (the key works until tonight); yesterday is not', () => {
    assert.deepEqual(expiry('2026-03-02'), { at: '2026-03-03T00:00:00.000Z', errors: [] });
    assert.deepEqual(expiry('2026-03-01').errors, ['expires: Expiry must be in the future']);
  });

  test('a date-time counts as its London date', () => {
    assert.equal(expiry('2026-07-15T23:30:00Z').at, '2026-07-16T23:00:00.000Z'); // 00:30 BST on the 16th
    assert.equal(expiry('2027-01-31T12:00:00+01:00').at, '2027-02-01T00:00:00.000Z');
  });

  test('anything that is not a real date is refused with the format to use', () => {
    for (const bad of ['2026-02-30', '31/01/2027', 'tomorrow', '2027-1-31']) {
      assert.deepEqual(
        expiry(bad).errors,
        ['expires: Enter the expiry date as YYYY-MM-DD, for example 2027-03-31'],
        bad,
      );
    }
  });
});
