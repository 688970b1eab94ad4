import { test } from 'node:test';
import assert from 'node:assert/strict';
import { govukDateTime, govukTime } from './govuk-format.ts';

test('times read as GOV.UK writes them, in London time (GMT and BST)', () => {
  const written: Record<string, string> = {
    '2026-03-02T10:30:00Z': '10:30am',
    '2026-03-02T10:00:00Z': '10am',
    '2026-03-02T17:05:00Z': '5:05pm',
    '2026-03-02T12:00:00Z': 'midday',
    '2026-03-02T00:00:00Z': 'midnight',
    '2026-03-02T00:30:00Z': '12:30am',
    '2026-07-01T09:15:00Z': '10:15am', // BST
  };
  for (const [instant, time] of Object.entries(written))
    assert.equal(govukTime(new Date(instant)), time, instant);
});

test('an instant reads as its London date and time', () => {
  assert.equal(govukDateTime(new Date('2026-03-02T10:01:00Z')), '2 March 2026 at 10:01am');
  assert.equal(
    govukDateTime(new Date('2026-06-30T23:30:00Z')),
    '1 July 2026 at 12:30am',
    'BST: the next day',
  );
});
