// SLA (target resolution) computation for CMS contacts.
//
// THE RULE (our default, domain.md §4):
//   - Time is counted in business days of the given BusinessCalendar (Mon-Fri less bank holidays), on
//     calendar dates in Europe/London.
//   - The day of raising is "day 0" and never counts, whatever time the contact was raised. Day 1 is the
//     first business day after the London date of raising.
//   - With a target of N business days the contact is due at the END of day N (London time): it is
//     breached once the London date of `now` is after the due date.
//   - Pauses (awaiting the customer): a business day D after the day of raising is PAUSED when the contact
//     was awaiting the customer at the end of D, i.e. at the instant E(D) = the London midnight that starts
//     D+1, when some pause has from < E(D) <= to. Equivalently, in London dates, fromDate <= D < toDate.
//     A paused business day does not count towards N, so each one moves the due date out by one business
//     day. Consequences: a send-back answered on the same London day pauses nothing; a customer answering
//     at 09:00 on Tuesday after being asked at 16:00 on Monday costs one business day (Monday); the day of
//     the answer is never paused. Overlapping pauses are not double-counted (a day is paused or not).
//   - Only paused days up to the due date matter: once the N-th unpaused business day has ended the
//     contact is breached, and pausing it afterwards does not un-breach it.
//   - An open pause (to = null) is treated as if the customer answered at `now`: the due date shown is
//     the earliest it can be. It moves out by one business day for each further business day that ends
//     with the contact still awaiting the customer. Pause ends after `now` are clamped to `now`.
//   - For a resolved, cancelled or closed contact pass the instant it stopped as `now`.
//   - businessDaysLeft: when not breached, the number of business days after today up to and including
//     the due date (0 = due today). When breached, minus the ordinal of the current overdue business day:
//     -1 on the first business day after the due date (and on the weekend or holiday before it), -2 on
//     the second, and so on.

import {
  londonDateOf,
  toDayNumber,
  fromDayNumber,
  type BusinessCalendar,
  type IsoDate,
} from '../../../platform/time/calendar.ts';

export interface SlaPause {
  /** When the contact was sent back to the customer. */
  from: Date;
  /** When the customer responded (or the pause otherwise ended); null while still awaiting the customer. */
  to: Date | null;
  /** Why it was paused, e.g. 'Data Clarification Request: meter serial number'. */
  reason: string;
  /** Who paused it (user or organisation identifier, for the audit trail). */
  by: string;
}

export interface SlaInput {
  raisedAt: Date;
  /** Target resolution in business days (N >= 1), from the contact code catalogue. */
  targetBusinessDays: number;
  pauses: readonly SlaPause[];
  calendar: BusinessCalendar;
  now: Date;
}

export type SlaBreakdownEntry =
  | { kind: 'raised'; at: string; date: IsoDate; text: string }
  | { kind: 'day_1'; date: IsoDate; text: string }
  | {
      kind: 'pause';
      from: string;
      to: string | null;
      reason: string;
      by: string;
      /** The business days this pause added to the due date (those it alone or first covered). */
      pausedDates: IsoDate[];
      businessDaysAdded: number;
      text: string;
    }
  | { kind: 'due'; date: IsoDate; targetBusinessDays: number; pausedBusinessDays: number; text: string }
  | { kind: 'status'; date: IsoDate; businessDaysLeft: number; breached: boolean; text: string };

export interface SlaResult {
  dueDate: IsoDate;
  /** Negative when overdue; see the rule at the top of this file. */
  businessDaysLeft: number;
  breached: boolean;
  /** Business days, up to the due date, on which the contact was paused (and so added to the due date). */
  pausedBusinessDays: number;
  /** True when a pause is open at `now` (the contact is awaiting the customer). */
  awaitingCustomer: boolean;
  breakdown: SlaBreakdownEntry[];
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function computeSla(input: SlaInput): SlaResult {
  const { raisedAt, targetBusinessDays: n, pauses, calendar, now } = input;
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`Target business days must be a whole number of at least 1, not ${n}`);
  }
  const raisedDate = londonDateOf(raisedAt);
  const raisedDay = toDayNumber(raisedDate);
  const today = londonDateOf(now);

  // Order pauses by start so that a day covered by overlapping pauses is credited to the earliest one.
  const ordered = pauses
    .map((p, index) => ({ p, index }))
    .sort((a, b) => a.p.from.getTime() - b.p.from.getTime() || a.index - b.index);

  // For each pause, the London date range [fromDay, toDay) of days that ended while it was open.
  const ranges = ordered.map(({ p }) => {
    if (p.to !== null && p.to.getTime() < p.from.getTime()) {
      throw new RangeError(
        `A pause cannot end (${p.to.toISOString()}) before it starts (${p.from.toISOString()})`,
      );
    }
    const effectiveTo = p.to === null || p.to.getTime() > now.getTime() ? now : p.to;
    if (effectiveTo.getTime() < p.from.getTime()) return { fromDay: 0, toDay: 0 }; // starts after now
    return { fromDay: toDayNumber(londonDateOf(p.from)), toDay: toDayNumber(londonDateOf(effectiveTo)) };
  });
  const pausedBy = (day: number): number => ranges.findIndex((r) => r.fromDay <= day && day < r.toDay); // index into `ordered`, -1 if not paused

  // Walk forward day by day: each unpaused business day consumes one day of the target.
  const credited: IsoDate[][] = ordered.map(() => []);
  let day = raisedDay;
  let consumed = 0;
  let pausedBusinessDays = 0;
  while (consumed < n) {
    day++;
    const date = fromDayNumber(day);
    if (!calendar.isBusinessDay(date)) continue;
    const pauseIndex = pausedBy(day);
    if (pauseIndex >= 0) {
      pausedBusinessDays++;
      credited[pauseIndex]?.push(date);
    } else {
      consumed++;
    }
  }
  const dueDate = fromDayNumber(day);

  const breached = today > dueDate;
  const businessDaysLeft = breached
    ? -calendar.businessDaysBetween(dueDate, calendar.businessDayOnOrAfter(today))
    : calendar.businessDaysBetween(today, dueDate);
  const awaitingCustomer = pauses.some(
    (p) => p.from.getTime() <= now.getTime() && (p.to === null || p.to.getTime() > now.getTime()),
  );

  const day1 = calendar.nextBusinessDay(raisedDate);
  const breakdown: SlaBreakdownEntry[] = [
    {
      kind: 'raised',
      at: raisedAt.toISOString(),
      date: raisedDate,
      text: `Raised on ${raisedDate} (London time); the day of raising does not count.`,
    },
    { kind: 'day_1', date: day1, text: `Day 1 of ${n} is ${day1}, the first business day after raising.` },
  ];
  ordered.forEach(({ p }, i) => {
    const dates = credited[i] ?? [];
    const until = p.to === null ? 'still awaiting the customer' : `until ${p.to.toISOString()}`;
    breakdown.push({
      kind: 'pause',
      from: p.from.toISOString(),
      to: p.to === null ? null : p.to.toISOString(),
      reason: p.reason,
      by: p.by,
      pausedDates: dates,
      businessDaysAdded: dates.length,
      text:
        `Awaiting the customer from ${p.from.toISOString()} ${until} (${p.reason}, by ${p.by}): ` +
        (dates.length === 0
          ? 'no business day ended while paused before the due date, so nothing was added.'
          : `${plural(dates.length, 'business day')} added (${dates.join(', ')}).`),
    });
  });
  breakdown.push({
    kind: 'due',
    date: dueDate,
    targetBusinessDays: n,
    pausedBusinessDays,
    text:
      `Due by the end of ${dueDate}: ${plural(n, 'business day')} target` +
      (pausedBusinessDays > 0 ? ` plus ${plural(pausedBusinessDays, 'paused business day')}.` : '.') +
      (awaitingCustomer ? ' Still awaiting the customer, so this moves out while the pause continues.' : ''),
  });
  breakdown.push({
    kind: 'status',
    date: today,
    businessDaysLeft,
    breached,
    text: breached
      ? `Breached: overdue by ${plural(-businessDaysLeft, 'business day')} as at ${today}.`
      : businessDaysLeft === 0
        ? `Due today (${today}).`
        : `${plural(businessDaysLeft, 'business day')} left as at ${today}.`,
  });

  return { dueDate, businessDaysLeft, breached, pausedBusinessDays, awaitingCustomer, breakdown };
}
