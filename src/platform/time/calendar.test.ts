import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  govukDate,
  BusinessCalendar,
  addCalendarDays,
  endOfWeek,
  fromDayNumber,
  isIsoDate,
  londonDateOf,
  londonStartOfDay,
  toDayNumber,
} from './calendar.ts';
import { loadBankHolidays } from '../../../test/support/cms-bank-holidays.ts';

const holidays = loadBankHolidays();
const cal = new BusinessCalendar(holidays);

test('isIsoDate accepts real dates only', () => {
  assert.equal(isIsoDate('2024-02-29'), true);
  assert.equal(isIsoDate('2023-02-29'), false);
  assert.equal(isIsoDate('2023-13-01'), false);
  assert.equal(isIsoDate('2023-1-01'), false);
  assert.equal(isIsoDate(20230101), false);
  assert.throws(() => toDayNumber('2023-02-30'), RangeError);
  assert.throws(() => new BusinessCalendar(['25/12/2024']), RangeError);
});

test('isIsoDate refuses years outside 1800-9998, so the day after an accepted date is still a date', () => {
  for (const v of ['0001-01-01', '0099-12-31', '1799-12-31', '9999-01-01', '9999-12-31'])
    assert.equal(isIsoDate(v), false, v);
  for (const v of ['1800-01-01', '9998-12-31']) assert.equal(isIsoDate(v), true, v);
  assert.equal(addCalendarDays('9998-12-31', 1), '9999-01-01');
  assert.equal(londonStartOfDay('9999-01-01').toISOString(), '9999-01-01T00:00:00.000Z');
  assert.equal(addCalendarDays('1800-01-01', -1), '1799-12-31');
  // Day numbers of years 0-99 are their own, not the 1900s' (Date.UTC's mapping), and no date has a 5-digit year.
  assert.equal(fromDayNumber(toDayNumber('0050-03-01')), '0050-03-01');
  assert.notEqual(toDayNumber('0050-03-01'), toDayNumber('1950-03-01'));
  assert.throws(() => addCalendarDays('9999-12-31', 1), RangeError);
  assert.throws(() => toDayNumber('10000-01-01'), RangeError);
});

test('day numbers round-trip and calendar days add across month and year ends', () => {
  assert.equal(toDayNumber('1970-01-01'), 0);
  assert.equal(fromDayNumber(toDayNumber('2030-12-31')), '2030-12-31');
  assert.equal(addCalendarDays('2024-02-28', 1), '2024-02-29');
  assert.equal(addCalendarDays('2024-12-31', 1), '2025-01-01');
  assert.equal(addCalendarDays('2025-03-01', -1), '2025-02-28');
});

test('weekends and bank holidays are not business days', () => {
  assert.equal(cal.isBusinessDay('2024-06-14'), true); // Friday
  assert.equal(cal.isBusinessDay('2024-06-15'), false); // Saturday
  assert.equal(cal.isBusinessDay('2024-06-16'), false); // Sunday
  assert.equal(cal.isBusinessDay('2024-12-25'), false); // Christmas Day
  assert.equal(cal.isBusinessDay('2022-06-03'), false); // Platinum Jubilee
  assert.equal(cal.isBusinessDay('2022-09-19'), false); // State funeral
  assert.equal(cal.isBankHoliday('2020-12-26'), true); // Saturday, listed anyway
  assert.equal(cal.isBusinessDay('2020-12-28'), false); // substitute day
});

test('nextBusinessDay and addBusinessDays skip Christmas and New Year', () => {
  assert.equal(cal.nextBusinessDay('2020-12-24'), '2020-12-29');
  assert.equal(cal.nextBusinessDay('2021-12-24'), '2021-12-29'); // 27, 28 substitute days
  assert.equal(cal.nextBusinessDay('2022-12-31'), '2023-01-03'); // 2 Jan substitute
  assert.equal(cal.addBusinessDays('2024-12-20', 5), '2024-12-31');
  assert.equal(cal.addBusinessDays('2024-12-20', 6), '2025-01-02');
  assert.equal(cal.addBusinessDays('2024-06-15', 0), '2024-06-15');
  assert.equal(cal.addBusinessDays('2025-01-02', -6), '2024-12-20');
  assert.equal(cal.previousBusinessDay('2024-04-02'), '2024-03-28'); // Easter 2024
  assert.equal(cal.businessDayOnOrAfter('2024-06-14'), '2024-06-14');
  assert.equal(cal.businessDayOnOrAfter('2024-06-15'), '2024-06-17');
  assert.throws(() => cal.addBusinessDays('2024-01-01', 1.5), RangeError);
});

test('businessDaysBetween counts (from, to]', () => {
  assert.equal(cal.businessDaysBetween('2024-06-14', '2024-06-17'), 1);
  assert.equal(cal.businessDaysBetween('2024-06-14', '2024-06-14'), 0);
  assert.equal(cal.businessDaysBetween('2024-06-17', '2024-06-14'), -1);
  assert.equal(cal.businessDaysBetween('2024-12-20', '2025-01-02'), 6);
  assert.equal(cal.businessDaysBetween('2024-01-01', '2024-12-31'), 254); // 262 weekdays - 8 holidays
});

test('londonDateOf follows BST, including across the clock changes', () => {
  // GMT in winter: the London date is the UTC date.
  assert.equal(londonDateOf(new Date('2024-01-15T23:59:59.999Z')), '2024-01-15');
  // BST in summer: 23:00 UTC is already tomorrow in London.
  assert.equal(londonDateOf(new Date('2024-07-01T22:59:59.999Z')), '2024-07-01');
  assert.equal(londonDateOf(new Date('2024-07-01T23:00:00.000Z')), '2024-07-02');
  // Clocks go forward 2024-03-31 01:00 UTC.
  assert.equal(londonDateOf(new Date('2024-03-30T23:30:00Z')), '2024-03-30');
  assert.equal(londonDateOf(new Date('2024-03-31T23:30:00Z')), '2024-04-01');
  // Clocks go back 2024-10-27 01:00 UTC.
  assert.equal(londonDateOf(new Date('2024-10-26T23:30:00Z')), '2024-10-27');
  assert.equal(londonDateOf(new Date('2024-10-27T23:30:00Z')), '2024-10-27');
  assert.throws(() => londonDateOf(new Date('nope')), RangeError);
});

test('londonDateOf writes years before 1000 with four digits (issue 15: year 1 made a 500)', () => {
  assert.equal(londonDateOf(new Date('0001-01-01T12:00:00Z')), '0001-01-01');
  assert.equal(londonDateOf(new Date('0099-12-31T12:00:00Z')), '0099-12-31');
});

test('londonStartOfDay gives local midnight in GMT and BST', () => {
  assert.equal(londonStartOfDay('2024-01-15').toISOString(), '2024-01-15T00:00:00.000Z');
  assert.equal(londonStartOfDay('2024-07-02').toISOString(), '2024-07-01T23:00:00.000Z');
  assert.equal(londonStartOfDay('2024-03-31').toISOString(), '2024-03-31T00:00:00.000Z');
  assert.equal(londonStartOfDay('2024-04-01').toISOString(), '2024-03-31T23:00:00.000Z');
  assert.equal(londonStartOfDay('2024-10-27').toISOString(), '2024-10-26T23:00:00.000Z');
  assert.equal(londonStartOfDay('2024-10-28').toISOString(), '2024-10-28T00:00:00.000Z');
});

test('londonStartOfDay: every accepted year, local mean time before 1847 and wartime double summer time', () => {
  // London was UTC-0:01:15 until 1847-12-01, which began at 00:01:15 (the clocks jumped over its midnight).
  assert.equal(londonStartOfDay('1800-01-01').toISOString(), '1800-01-01T00:01:15.000Z');
  assert.equal(londonStartOfDay('1847-12-01').toISOString(), '1847-12-01T00:01:15.000Z');
  assert.equal(londonStartOfDay('1847-12-02').toISOString(), '1847-12-02T00:00:00.000Z');
  assert.equal(londonStartOfDay('1943-06-01').toISOString(), '1943-05-31T22:00:00.000Z'); // UTC+2
  assert.equal(londonStartOfDay('9998-12-31').toISOString(), '9998-12-31T00:00:00.000Z');
  for (let day = toDayNumber('1800-01-01'); day <= toDayNumber('1960-12-31'); day += 13) {
    const date = fromDayNumber(day);
    const start = londonStartOfDay(date);
    assert.equal(londonDateOf(start), date, date);
    assert.equal(londonDateOf(new Date(start.getTime() - 1)), fromDayNumber(day - 1), date);
  }
});

const dateArb = fc
  .integer({ min: toDayNumber('2015-01-01'), max: toDayNumber('2030-12-31') })
  .map((d) => fromDayNumber(d));

test('property: businessDaysBetween matches a naive count and inverts addBusinessDays', () => {
  const holidaySet = new Set(holidays);
  const naiveIsBusiness = (date: string): boolean => {
    const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
    return wd !== 0 && wd !== 6 && !holidaySet.has(date);
  };
  fc.assert(
    fc.property(dateArb, fc.integer({ min: -60, max: 60 }), (from, offset) => {
      const to = addCalendarDays(from, offset);
      let naive = 0;
      const [lo, hi] = offset >= 0 ? [from, to] : [to, from];
      for (let d = addCalendarDays(lo, 1); d <= hi; d = addCalendarDays(d, 1))
        if (naiveIsBusiness(d)) naive++;
      assert.equal(cal.businessDaysBetween(from, to), offset >= 0 ? naive : -naive);
      assert.equal(cal.isBusinessDay(from), naiveIsBusiness(from));
      const n = Math.abs(offset) % 40;
      const target = cal.addBusinessDays(from, n);
      assert.equal(cal.businessDaysBetween(from, target), n);
      if (n > 0) assert.equal(cal.isBusinessDay(target), true);
    }),
    { numRuns: 3000 },
  );
});

test('property: londonStartOfDay is the first instant of the London date', () => {
  fc.assert(
    fc.property(dateArb, (date) => {
      const start = londonStartOfDay(date);
      assert.equal(londonDateOf(start), date);
      assert.equal(londonDateOf(new Date(start.getTime() - 1)), addCalendarDays(date, -1));
    }),
    { numRuns: 2000 },
  );
});

test('govukDate writes a calendar date as GOV.UK does, whatever the machine time zone', () => {
  assert.equal(govukDate('2026-12-01'), '1 December 2026');
  assert.equal(govukDate('2017-06-01'), '1 June 2017');
  assert.equal(govukDate('2024-03-31'), '31 March 2024');
});

test('endOfWeek is the Sunday ending the Monday-to-Sunday week', () => {
  assert.equal(endOfWeek('2026-03-02'), '2026-03-08'); // a Monday
  assert.equal(endOfWeek('2026-03-06'), '2026-03-08'); // a Friday
  assert.equal(endOfWeek('2026-03-08'), '2026-03-08'); // the Sunday itself
  assert.equal(endOfWeek('2026-12-29'), '2027-01-03'); // across a year end
});
