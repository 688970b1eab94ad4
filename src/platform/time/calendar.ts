// Business-day arithmetic for England and Wales (Monday to Friday, less bank holidays).
//
// All dates are calendar dates in Europe/London written as 'YYYY-MM-DD' strings. Internally a date is a
// "day number": whole days since 1970-01-01, computed with Date.UTC so that no local-time or DST
// arithmetic is ever involved. Only `londonDateOf` and `londonStartOfDay` deal with instants, and they do
// so through Intl with timeZone 'Europe/London', so BST changes are handled by the platform's tz data.

/** A calendar date 'YYYY-MM-DD' (Europe/London). */
export type IsoDate = string;

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The years a date given to the service may be in: from 1800 (as the DES register, `canonicalDate`) to 9998, so that
 * the day after any accepted date (the end of a period is the start of the next day) is still a 'YYYY-MM-DD' date.
 */
export const EARLIEST_YEAR = 1800;
export const LATEST_YEAR = 9998;

/** Milliseconds since the epoch of midnight UTC on y-m-d, for any year 0-9999 (Date.UTC maps 0-99 to 1900-1999). */
function utcMidnight(y: number, m: number, d: number): number {
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return t.getTime();
}

/** [year, month, day] of a real calendar date written 'YYYY-MM-DD' (any four-digit year), else null. */
function dateParts(value: unknown): [number, number, number] | null {
  if (typeof value !== 'string') return null;
  const m = ISO_DATE.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return null;
  return d <= new Date(utcMidnight(y, mo + 1, 0)).getUTCDate() ? [y, mo, d] : null;
}

/**
 * True when `value` is a real calendar date written as 'YYYY-MM-DD' (rejects 2023-02-30) in the years
 * EARLIEST_YEAR-LATEST_YEAR: the one check of a date typed into a form, a query string or a file.
 */
export function isIsoDate(value: unknown): value is IsoDate {
  const p = dateParts(value);
  return p !== null && p[0] >= EARLIEST_YEAR && p[0] <= LATEST_YEAR;
}

/** 'YYYY-MM-DD' → whole days since 1970-01-01 (any four-digit year). Throws on anything that is not a real date. */
export function toDayNumber(date: IsoDate): number {
  const p = dateParts(date);
  if (!p) throw new RangeError(`Not a calendar date in the form YYYY-MM-DD: ${String(date)}`);
  return utcMidnight(...p) / MS_PER_DAY;
}

const FIRST_DAY = utcMidnight(0, 1, 1) / MS_PER_DAY;
const LAST_DAY = utcMidnight(9999, 12, 31) / MS_PER_DAY;

/** Whole days since 1970-01-01 → 'YYYY-MM-DD'. Throws when the date has no four-digit year (before 0000 or after 9999). */
export function fromDayNumber(day: number): IsoDate {
  if (!Number.isInteger(day)) throw new RangeError(`Day number must be an integer: ${day}`);
  if (day < FIRST_DAY || day > LAST_DAY) throw new RangeError(`Day number outside years 0000-9999: ${day}`);
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The date `n` calendar days after (or before, if negative) `date`. */
export function addCalendarDays(date: IsoDate, n: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + n);
}

/** ISO weekday of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** The Sunday that ends the (Monday to Sunday) week holding `date`. */
export function endOfWeek(date: IsoDate): IsoDate {
  const day = toDayNumber(date);
  return fromDayNumber(day + 7 - isoWeekday(day));
}

const londonFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** Wall-clock parts of an instant in London. */
function londonParts(instant: Date): { date: IsoDate; msIntoDay: number } {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('Invalid Date');
  const parts: Record<string, string> = {};
  for (const p of londonFormatter.formatToParts(instant)) parts[p.type] = p.value;
  // Intl writes a year before 1000 with fewer digits; an IsoDate has four.
  const date = `${parts['year']!.padStart(4, '0')}-${parts['month']}-${parts['day']}`;
  const msIntoDay =
    (Number(parts['hour']) * 3600 + Number(parts['minute']) * 60 + Number(parts['second'])) * 1000 +
    (((ms % 1000) + 1000) % 1000);
  return { date, msIntoDay };
}

const inWords = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** A calendar date as GOV.UK writes it on a page: '2026-12-01' is '1 December 2026'. */
export function govukDate(date: IsoDate): string {
  return inWords.format(new Date(`${date}T00:00:00Z`));
}

/** The calendar date in Europe/London of an instant (e.g. 2024-03-31T23:30Z is 2024-04-01 in BST). */
export function londonDateOf(instant: Date): IsoDate {
  return londonParts(instant).date;
}

/** The London wall-clock time of an instant as files write it, without a zone: '2026-03-02T10:00:00'. */
export function londonLocalDateTime(instant: Date): string {
  const { date, msIntoDay } = londonParts(instant);
  const s = Math.floor(msIntoDay / 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date}T${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
}

/**
 * The instant at which `date` begins in Europe/London (midnight local time). The end of a day is the start
 * of the next one. London changes clocks at 01:00 UTC (and changed them in the small hours before), so local
 * midnight exists exactly once, but for the day London left local mean time (1847-12-01 began at 00:01:15).
 */
export function londonStartOfDay(date: IsoDate): Date {
  const utcMidnight = toDayNumber(date) * MS_PER_DAY;
  // The local midnight is at utcMidnight - offset, where the offset is London's there: today UTC+0 or +1, but
  // +2 in the wartime double summer time and -0:01:15 in local mean time before 1847. Read the offset at the guess
  // and correct; a second round settles a guess that fell on the other side of a change.
  let candidate = utcMidnight;
  for (let round = 0; round < 3; round++) {
    const p = londonParts(new Date(candidate));
    if (p.date === date && p.msIntoDay === 0) return new Date(candidate);
    const offsetMs = toDayNumber(p.date) * MS_PER_DAY + p.msIntoDay - candidate;
    candidate = utcMidnight - offsetMs;
  }
  // No local midnight: the day began when the clocks jumped over it. Find that instant, the first of the date.
  let [lo, hi] = [utcMidnight - 3 * 3_600_000, utcMidnight + 3 * 3_600_000];
  if (londonParts(new Date(lo)).date >= date || londonParts(new Date(hi)).date < date)
    throw new RangeError(`Could not find the start of ${date} in Europe/London`);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (londonParts(new Date(mid)).date < date) lo = mid;
    else hi = mid;
  }
  return new Date(hi);
}

/**
 * A business calendar: Monday to Friday, less the given bank holidays. Holidays that fall on a weekend
 * (e.g. 2022-01-01) are accepted and simply change nothing. The list is data (see
 * migrations/data/bank-holidays-england-wales.json); dates outside its coverage are treated as having no
 * bank holidays, so callers should keep the list extended well beyond any date they compute.
 */
export class BusinessCalendar {
  readonly #holidays: ReadonlySet<number>;

  constructor(holidays: readonly IsoDate[]) {
    this.#holidays = new Set(holidays.map(toDayNumber));
  }

  /** True for Monday-Friday dates that are not bank holidays. */
  isBusinessDay(date: IsoDate): boolean {
    return this.#isBusinessDayNumber(toDayNumber(date));
  }

  /** True when the date is in the bank-holiday list (whatever the weekday). */
  isBankHoliday(date: IsoDate): boolean {
    return this.#holidays.has(toDayNumber(date));
  }

  /** The first business day strictly after `date`. */
  nextBusinessDay(date: IsoDate): IsoDate {
    return this.addBusinessDays(date, 1);
  }

  /** The last business day strictly before `date`. */
  previousBusinessDay(date: IsoDate): IsoDate {
    return this.addBusinessDays(date, -1);
  }

  /** `date` itself if it is a business day, otherwise the next business day. */
  businessDayOnOrAfter(date: IsoDate): IsoDate {
    return this.isBusinessDay(date) ? date : this.nextBusinessDay(date);
  }

  /**
   * The n-th business day after `date` (n > 0), or before it (n < 0); `date` itself does not count, and
   * need not be a business day. n = 0 returns `date` unchanged.
   * For n >= 0: businessDaysBetween(date, addBusinessDays(date, n)) === n.
   */
  addBusinessDays(date: IsoDate, n: number): IsoDate {
    if (!Number.isInteger(n)) throw new RangeError(`Business days must be a whole number: ${n}`);
    let day = toDayNumber(date);
    const step = n < 0 ? -1 : 1;
    for (let left = Math.abs(n); left > 0;) {
      day += step;
      if (this.#isBusinessDayNumber(day)) left--;
    }
    return fromDayNumber(day);
  }

  /**
   * The number of business days d with from < d <= to (so Friday → Monday is 1, and a date to itself is
   * 0). When `to` is before `from` the result is the negated count of business days in (to, from].
   */
  businessDaysBetween(from: IsoDate, to: IsoDate): number {
    const a = toDayNumber(from);
    const b = toDayNumber(to);
    if (b < a) return -this.#countInHalfOpen(b, a);
    return this.#countInHalfOpen(a, b);
  }

  /** Business days d with lo < d <= hi, counted in O(1) for the weekdays plus the holiday set. */
  #countInHalfOpen(lo: number, hi: number): number {
    let count = weekdaysUpTo(hi) - weekdaysUpTo(lo);
    for (const h of this.#holidays) if (h > lo && h <= hi && isoWeekday(h) <= 5) count--;
    return count;
  }

  #isBusinessDayNumber(day: number): boolean {
    return isoWeekday(day) <= 5 && !this.#holidays.has(day);
  }
}

/** Number of Monday-Friday days d with some fixed origin < d <= day (a prefix count; only differences matter). */
function weekdaysUpTo(day: number): number {
  // Shift so that shifted day 0 is a Monday (1970-01-05 is day 4).
  const shifted = day - 4;
  const weeks = Math.floor(shifted / 7);
  const rem = shifted - weeks * 7; // 0 = Monday … 6 = Sunday
  return weeks * 5 + Math.min(rem + 1, 5);
}
