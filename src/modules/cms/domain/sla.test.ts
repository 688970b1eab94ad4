import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BusinessCalendar } from '../../../platform/time/calendar.ts';
import { computeSla, type SlaPause } from './sla.ts';
import { loadBankHolidays } from '../../../../test/support/cms-bank-holidays.ts';

const holidays = loadBankHolidays();
const cal = new BusinessCalendar(holidays);
const at = (iso: string): Date => new Date(iso);
const pause = (from: string, to: string | null, reason = 'DCR: meter serial', by = 'u1'): SlaPause => ({
  from: at(from),
  to: to === null ? null : at(to),
  reason,
  by,
});

/** The SLA of a contact raised at `raisedAt` with a target of `days` business days, as it stands at `now`. */
const slaOf = (raisedAt: string, days: number, now: string, pauses: SlaPause[] = []) =>
  computeSla({ raisedAt: at(raisedAt), targetBusinessDays: days, pauses, calendar: cal, now: at(now) });

test('no pauses: day 1 is the next business day and due at the end of day N', () => {
  // Raised Monday 2024-06-10 at 10:00; day 1 Tue 11th; 5 BD → Mon 17th.
  const r = slaOf('2024-06-10T09:00:00Z', 5, '2024-06-12T12:00:00Z');
  assert.equal(r.dueDate, '2024-06-17');
  assert.equal(r.businessDaysLeft, 3);
  assert.equal(r.breached, false);
  assert.equal(r.pausedBusinessDays, 0);
  assert.deepEqual(
    r.breakdown.map((b) => b.kind),
    ['raised', 'day_1', 'due', 'status'],
  );
  const day1 = r.breakdown[1];
  assert.equal(day1?.kind === 'day_1' && day1.date, '2024-06-11');
});

test('raised late in the evening in BST counts from the London date', () => {
  // 23:30 UTC on Friday 2024-06-14 is 00:30 on Saturday in London, so day 1 is Monday 17th.
  const r = slaOf('2024-06-14T23:30:00Z', 1, '2024-06-17T10:00:00Z');
  assert.equal(r.dueDate, '2024-06-17');
  assert.equal(r.businessDaysLeft, 0);
  assert.match(r.breakdown.at(-1)?.text ?? '', /Due today/);
});

test('Christmas: raised on Christmas Eve 2024 with a 2 day target', () => {
  const r = slaOf('2024-12-24T10:00:00Z', 2, '2024-12-24T10:00:00Z');
  assert.equal(r.dueDate, '2024-12-30'); // 27th is day 1, 30th is day 2
});

test('breach and negative days left', () => {
  const base = { raisedAt: at('2024-06-10T09:00:00Z'), targetBusinessDays: 5, pauses: [], calendar: cal };
  const atDue = computeSla({ ...base, now: at('2024-06-17T22:59:59Z') }); // 23:59:59 BST
  assert.equal(atDue.breached, false);
  assert.equal(atDue.businessDaysLeft, 0);
  const after = computeSla({ ...base, now: at('2024-06-17T23:00:00Z') }); // midnight BST
  assert.equal(after.breached, true);
  assert.equal(after.businessDaysLeft, -1);
  const weekend = computeSla({ ...base, now: at('2024-06-23T12:00:00Z') }); // Sunday after
  assert.equal(weekend.businessDaysLeft, -5);
  assert.match(weekend.breakdown.at(-1)?.text ?? '', /overdue by 5 business days/);
});

test('a pause answered the same day adds nothing; overnight adds one day', () => {
  const base = { raisedAt: at('2024-06-10T09:00:00Z'), targetBusinessDays: 5, calendar: cal };
  const sameDay = computeSla({
    ...base,
    pauses: [pause('2024-06-11T08:00:00Z', '2024-06-11T15:00:00Z')],
    now: at('2024-06-12T09:00:00Z'),
  });
  assert.equal(sameDay.dueDate, '2024-06-17');
  assert.equal(sameDay.pausedBusinessDays, 0);

  const overnight = computeSla({
    ...base,
    pauses: [pause('2024-06-11T15:00:00Z', '2024-06-12T08:00:00Z', 'DCR: address', 'resolver-7')],
    now: at('2024-06-12T09:00:00Z'),
  });
  assert.equal(overnight.dueDate, '2024-06-18');
  assert.equal(overnight.pausedBusinessDays, 1);
  const p = overnight.breakdown.find((b) => b.kind === 'pause');
  assert.ok(p && p.kind === 'pause');
  assert.deepEqual(p.pausedDates, ['2024-06-11']);
  assert.equal(p.by, 'resolver-7');
  assert.match(p.text, /DCR: address, by resolver-7\): 1 business day added \(2024-06-11\)/);
});

test('paused over a weekend only counts the business days', () => {
  // Paused Friday afternoon to Tuesday morning: Friday and Monday ended paused.
  const r = slaOf('2024-06-10T09:00:00Z', 5, '2024-06-18T10:00:00Z', [
    pause('2024-06-14T14:00:00Z', '2024-06-18T09:00:00Z'),
  ]);
  assert.equal(r.pausedBusinessDays, 2);
  assert.equal(r.dueDate, '2024-06-19');
});

test('an open pause is treated as answered now and reported as awaiting the customer', () => {
  const r = slaOf('2024-06-10T09:00:00Z', 5, '2024-06-13T10:00:00Z', [pause('2024-06-11T10:00:00Z', null)]);
  assert.equal(r.awaitingCustomer, true);
  assert.equal(r.pausedBusinessDays, 2); // 11th and 12th ended paused
  assert.equal(r.dueDate, '2024-06-19');
  assert.match(r.breakdown.find((b) => b.kind === 'due')?.text ?? '', /Still awaiting the customer/);
});

test('overlapping pauses are not double counted, and a pause after breach does not un-breach', () => {
  const r = computeSla({
    raisedAt: at('2024-06-10T09:00:00Z'),
    targetBusinessDays: 5,
    pauses: [
      pause('2024-06-11T10:00:00Z', '2024-06-13T10:00:00Z'),
      pause('2024-06-12T10:00:00Z', '2024-06-14T10:00:00Z'),
    ],
    calendar: cal,
    now: at('2024-06-14T11:00:00Z'),
  });
  assert.equal(r.pausedBusinessDays, 3);
  const added = r.breakdown.flatMap((b) => (b.kind === 'pause' ? [b.businessDaysAdded] : []));
  assert.deepEqual(added, [2, 1]);

  const late = slaOf('2024-06-10T09:00:00Z', 1, '2024-06-17T10:00:00Z', [
    pause('2024-06-13T10:00:00Z', null),
  ]);
  assert.equal(late.dueDate, '2024-06-11');
  assert.equal(late.breached, true);
  assert.equal(late.pausedBusinessDays, 0);
});

test('invalid input is refused', () => {
  const base = {
    raisedAt: at('2024-06-10T09:00:00Z'),
    pauses: [],
    calendar: cal,
    now: at('2024-06-10T09:00:00Z'),
  };
  assert.throws(() => computeSla({ ...base, targetBusinessDays: 0 }), /at least 1/);
  assert.throws(() => computeSla({ ...base, targetBusinessDays: 2.5 }), /whole number/);
  assert.throws(
    () =>
      computeSla({
        ...base,
        targetBusinessDays: 1,
        pauses: [pause('2024-06-11T10:00:00Z', '2024-06-11T09:00:00Z')],
      }),
    /cannot end/,
  );
});

// ---------------------------------------------------------------------------------------------------------
// Independent reference model: deliberately simple and sharing no code with business-days.ts or sla.ts.
// London time comes from the statutory BST rule (last Sunday of March 01:00 UTC to last Sunday of October
// 01:00 UTC), not from Intl; weekdays from getUTCDay on a UTC-midnight Date; one day at a time.

const DAY = 86_400_000;
const HOUR = 3_600_000;
function lastSundayUtc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}
function isBst(ms: number): boolean {
  const year = new Date(ms).getUTCFullYear();
  return ms >= lastSundayUtc(year, 2) && ms < lastSundayUtc(year, 9);
}
function modelLondonDate(ms: number): string {
  return new Date(ms + (isBst(ms) ? HOUR : 0)).toISOString().slice(0, 10);
}
/** Instant of London midnight at the start of `date`. */
function modelLondonMidnight(date: string): number {
  const utc = Date.parse(`${date}T00:00:00Z`);
  return isBst(utc - HOUR) ? utc - HOUR : utc;
}
function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
}
const holidaySet = new Set(holidays);
function modelIsBusinessDay(date: string): boolean {
  const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
  return wd >= 1 && wd <= 5 && !holidaySet.has(date);
}

function modelSla(raised: number, n: number, pauses: SlaPause[], now: number) {
  const pausedAtEndOf = (date: string): boolean => {
    const end = modelLondonMidnight(nextDate(date));
    return pauses.some((p) => {
      const to = p.to === null ? now : Math.min(p.to.getTime(), now);
      return p.from.getTime() < end && end <= to;
    });
  };
  let date = modelLondonDate(raised);
  let counted = 0;
  let paused = 0;
  while (counted < n) {
    date = nextDate(date);
    if (!modelIsBusinessDay(date)) continue;
    if (pausedAtEndOf(date)) paused++;
    else counted++;
  }
  const due = date;
  const breached = now >= modelLondonMidnight(nextDate(due));
  let left = 0;
  const today = modelLondonDate(now);
  if (!breached) {
    for (let d = today; d < due;) {
      d = nextDate(d);
      if (modelIsBusinessDay(d)) left++;
    }
  } else {
    // Count business days after the due date up to the first business day on or after today.
    let d = due;
    for (;;) {
      d = nextDate(d);
      if (!modelIsBusinessDay(d)) continue;
      left--;
      if (d >= today) break;
    }
  }
  return { due, breached, paused, left };
}

// Instants: a date 2015-2030 (biased towards Christmas / year end and the BST changes) plus a time of day
// that is often right on or next to London midnight.
const dayRange = { min: Date.UTC(2015, 0, 1) / DAY, max: Date.UTC(2030, 11, 20) / DAY };
const anyDate = fc.integer(dayRange).map((d) => new Date(d * DAY).toISOString().slice(0, 10));
const yearEndDate = fc
  .tuple(fc.integer({ min: 2015, max: 2030 }), fc.integer({ min: -12, max: 8 }))
  .map(([y, off]) => new Date(Date.UTC(y, 11, 25 + off)).toISOString().slice(0, 10));
const dstDate = fc
  .tuple(fc.integer({ min: 2015, max: 2030 }), fc.boolean(), fc.integer({ min: -3, max: 3 }))
  .map(([y, spring, off]) =>
    new Date(lastSundayUtc(y, spring ? 2 : 9) + off * DAY).toISOString().slice(0, 10),
  );
const timeOfDay = fc.oneof(
  fc.integer({ min: 0, max: DAY - 1 }),
  fc.constantFrom(0, 1, HOUR - 1, HOUR, 23 * HOUR - 1, 23 * HOUR, DAY - HOUR, DAY - 1),
);
const raisedArb = fc
  .tuple(fc.oneof(anyDate, yearEndDate, dstDate), timeOfDay)
  .map(([date, t]) => modelLondonMidnight(date) + t);
// Offsets from raising, in ms, for pause ends and now; sometimes snapped to whole days (midnight edges).
const offsetArb = (maxDays: number) =>
  fc.oneof(
    fc.integer({ min: 0, max: maxDays * DAY }),
    fc
      .tuple(fc.integer({ min: 0, max: maxDays }), fc.constantFrom(-1, 0, 1))
      .map(([d, e]) => Math.max(0, d * DAY + e)),
  );
const pauseArb = fc
  .tuple(offsetArb(45), fc.option(offsetArb(20), { nil: null }), fc.constantFrom('DCR', 'CCR', 'RFI'))
  .map(([start, length, reason]) => ({ start: start - DAY, length, reason }));

test('property: computeSla agrees with a simple day-by-day counter (real bank holidays, 2015-2030)', () => {
  fc.assert(
    fc.property(
      raisedArb,
      fc.integer({ min: 1, max: 30 }),
      fc.array(pauseArb, { maxLength: 4 }),
      offsetArb(90),
      (raised, n, rawPauses, nowOffset) => {
        const now = raised + nowOffset;
        const pauses: SlaPause[] = rawPauses.map((p) => ({
          from: new Date(raised + p.start),
          to: p.length === null ? null : new Date(raised + p.start + p.length),
          reason: p.reason,
          by: 'prop',
        }));
        const expected = modelSla(raised, n, pauses, now);
        const actual = computeSla({
          raisedAt: new Date(raised),
          targetBusinessDays: n,
          pauses,
          calendar: cal,
          now: new Date(now),
        });
        assert.equal(actual.dueDate, expected.due);
        assert.equal(actual.breached, expected.breached);
        assert.equal(actual.pausedBusinessDays, expected.paused);
        assert.equal(actual.businessDaysLeft, expected.left);
        assert.equal(actual.breached, actual.businessDaysLeft < 0);
        const added = actual.breakdown.reduce(
          (s, b) => s + (b.kind === 'pause' ? b.businessDaysAdded : 0),
          0,
        );
        assert.equal(added, actual.pausedBusinessDays);
      },
    ),
    { numRuns: 5000 },
  );
});
