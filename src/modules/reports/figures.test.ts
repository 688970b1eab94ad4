import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldFigures, nearestRank } from './figures.ts';

test('nearest rank: the smallest value at least the fraction of values reach', () => {
  // 1, 2, 2, 3, 9: the median is the 3rd value, the 90th percentile the 5th.
  const h = new Map([
    [9, 1],
    [2, 2],
    [1, 1],
    [3, 1],
  ]);
  assert.equal(nearestRank(h, 0.5), 2);
  assert.equal(nearestRank(h, 0.9), 9);
  assert.equal(nearestRank(h, 0.8), 3); // exactly 4 of 5
  assert.equal(nearestRank(new Map([[4, 2]]), 0.5), 4);
  // Four values 0, 0, 5, 5: the median is the 2nd (0), not an average.
  assert.equal(nearestRank(new Map([[0, 2], [5, 2]]), 0.5), 0);
  assert.equal(nearestRank(new Map(), 0.5), null);
});

test('figures are added up per group; only resolved contacts count towards the percentiles', () => {
  const row = (key: string, days: number | null, n: number, extra: Partial<Record<string, number>> = {}) => ({
    key,
    code_name: key === 'ADD' ? 'Address amendment' : null,
    resolved_days: days,
    raised: n,
    open: 0,
    resolved: days === null ? 0 : n,
    resolved_within_target: 0,
    rejected: 0,
    cancelled: 0,
    ...extra,
  });
  assert.deepEqual(
    foldFigures([
      row('ADD', null, 5, { open: 3, rejected: 1, cancelled: 1 }),
      row('ADD', 2, 3, { resolved_within_target: 3 }),
      row('ADD', 12, 1),
      row('ENQ', null, 2, { open: 2 }),
    ]),
    [
      {
        key: 'ADD',
        code_name: 'Address amendment',
        raised: 9,
        open: 3,
        resolved: 4,
        resolved_within_target: 3,
        rejected: 1,
        cancelled: 1,
        median_business_days: 2,
        p90_business_days: 12,
      },
      {
        key: 'ENQ',
        code_name: null,
        raised: 2,
        open: 2,
        resolved: 0,
        resolved_within_target: 0,
        rejected: 0,
        cancelled: 0,
        median_business_days: null,
        p90_business_days: null,
      },
    ],
  );
});
