/** The service clock. Everything time-dependent (D-1, SLAs, auto-closure, tokens) asks this, never `new Date()`. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock pinned to one instant (CDSP_NOW, tests, demos). */
export function fixedClock(instant: Date): Clock & { set(d: Date): void; advance(ms: number): void } {
  let t = instant.getTime();
  return {
    now: () => new Date(t),
    set: (d: Date) => {
      t = d.getTime();
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** London dates and calendar-day arithmetic live in one place: `platform/time/calendar.ts`. */
export { londonDateOf, addCalendarDays as addDays } from './time/calendar.ts';
