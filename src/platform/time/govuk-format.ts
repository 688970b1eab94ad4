/**
 * Times as GOV.UK pages write them (the GOV.UK style guide): "10:30am", "10am", "midday", "midnight", in London
 * time; an instant as "2 March 2026 at 10:30am". Calendar dates: `govukDate` (calendar.ts). Pages only: APIs keep
 * ISO 8601.
 */
import { govukDate, londonDateOf } from './calendar.ts';

const londonClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: 'numeric',
  minute: '2-digit',
  hourCycle: 'h12',
});

/** The London time of day of an instant: "10:30am", "10am", "midday", "midnight". */
export function govukTime(instant: Date): string {
  const parts = londonClock.formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const hour = part('hour');
  const minute = part('minute');
  const period = part('dayPeriod')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
  if (hour === '12' && minute === '00') return period === 'am' ? 'midnight' : 'midday';
  return `${hour}${minute === '00' ? '' : `:${minute}`}${period}`;
}

/** An instant as its London date and time: "2 March 2026 at 10:30am". */
export function govukDateTime(instant: Date): string {
  return `${govukDate(londonDateOf(instant))} at ${govukTime(instant)}`;
}
