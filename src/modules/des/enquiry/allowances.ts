/**
 * Call allowances: each organisation has a band (des.organisation_allowances, else the default band) with a daily and
 * an annual call limit (des.allowance_bands: operator data). Usage is counted in des.enquiry_usage in the same
 * statement as the enquiry's audit event (the group commit's `alsoInStatement`).
 *
 * The gate keeps a per-organisation snapshot of the counters, re-read from the database at most every
 * `refreshMs` (and at the start of each London day), plus the calls this process has admitted since: so a look-up
 * costs no extra round trip, one process never admits more than the limit, and several processes together overshoot
 * by at most what they admit within one refresh interval.
 */
import type { Kysely } from 'kysely';
import { addDays, londonDateOf, type Clock } from '../../../platform/clock.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { inScope } from '../../../platform/db/scope.ts';
import { TooManyRequestsError } from '../../../platform/errors.ts';
import { enquiryRepository } from './enquiry.repository.ts';

export interface AllowanceStatus {
  band: string;
  bandName: string;
  dailyLimit: number | null;
  annualLimit: number | null;
  dailyCalls: number;
  annualCalls: number;
}

interface Snapshot extends AllowanceStatus {
  day: string;
  readAt: number;
}

const londonHour = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  hourCycle: 'h23',
});

/** The instant London's calendar date `date` starts. */
export function londonMidnight(date: string): Date {
  const guess = new Date(`${date}T00:00:00Z`);
  const hour = Number(londonHour.format(guess));
  return new Date(guess.getTime() - (hour === 0 ? 0 : hour) * 3_600_000);
}

export function secondsUntil(instant: Date, now: Date): number {
  return Math.max(1, Math.ceil((instant.getTime() - now.getTime()) / 1000));
}

export class AllowanceGate {
  private readonly snapshots = new Map<string, Snapshot>();
  /** Calls admitted by this process and not yet committed, per organisation. */
  private readonly inflight = new Map<string, number>();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly refreshMs = 2_000,
  ) {}

  private static memo: { minute: number; day: string } | null = null;

  /** The London day and the start of its year (worked out once a minute: London days start on the minute). */
  static periods(now: Date): { day: string; yearStart: string } {
    const minute = Math.floor(now.getTime() / 60_000);
    if (AllowanceGate.memo?.minute !== minute) AllowanceGate.memo = { minute, day: londonDateOf(now) };
    const day = AllowanceGate.memo.day;
    return { day, yearStart: `${day.slice(0, 4)}-01-01` };
  }

  private async read(organisationId: string, day: string, yearStart: string): Promise<Snapshot> {
    const r = await inScope(this.db, { kind: 'organisations', organisationIds: [organisationId] }, (trx) =>
      enquiryRepository.allowance(trx, organisationId, day, yearStart),
    );
    const pending = this.inflight.get(organisationId) ?? 0;
    const snap: Snapshot = {
      band: r.band_code,
      bandName: r.band_name,
      dailyLimit: r.daily_limit,
      annualLimit: r.annual_limit === null ? null : Number(r.annual_limit),
      dailyCalls: Number(r.daily_calls) + pending,
      annualCalls: Number(r.annual_calls) + pending,
      day,
      readAt: Date.now(),
    };
    this.snapshots.set(organisationId, snap);
    return snap;
  }

  private async snapshot(organisationId: string): Promise<Snapshot> {
    const { day, yearStart } = AllowanceGate.periods(this.clock.now());
    const s = this.snapshots.get(organisationId);
    if (s && s.day === day && Date.now() - s.readAt < this.refreshMs) return s;
    return this.read(organisationId, day, yearStart);
  }

  /** Admits one call for the organisation, or throws TooManyRequestsError with the seconds until it may retry. */
  async admit(organisationId: string): Promise<void> {
    const s = await this.snapshot(organisationId);
    const now = this.clock.now();
    if (s.dailyLimit !== null && s.dailyCalls >= s.dailyLimit) {
      throw new TooManyRequestsError(
        `Your organisation has used its daily allowance of ${s.dailyLimit.toLocaleString('en-GB')} enquiries. ` +
          'You can make more enquiries from midnight (UK time).',
        secondsUntil(londonMidnight(addDays(s.day, 1)), now),
      );
    }
    if (s.annualLimit !== null && s.annualCalls >= s.annualLimit) {
      const nextYear = `${Number(s.day.slice(0, 4)) + 1}-01-01`;
      throw new TooManyRequestsError(
        `Your organisation has used its annual allowance of ${s.annualLimit.toLocaleString('en-GB')} enquiries. ` +
          'You can make more enquiries from 1 January, or ask your account manager about a larger allowance.',
        secondsUntil(londonMidnight(nextYear), now),
      );
    }
    s.dailyCalls += 1;
    s.annualCalls += 1;
    this.inflight.set(organisationId, (this.inflight.get(organisationId) ?? 0) + 1);
  }

  /** The admitted call was committed (or failed): it is no longer in flight. */
  settled(organisationId: string): void {
    const n = (this.inflight.get(organisationId) ?? 0) - 1;
    if (n > 0) this.inflight.set(organisationId, n);
    else this.inflight.delete(organisationId);
  }

  /** Forget the snapshot (after a band change), so the next call re-reads the database. */
  invalidate(organisationId: string): void {
    this.snapshots.delete(organisationId);
  }

  async status(organisationId: string): Promise<AllowanceStatus> {
    const { day, yearStart } = AllowanceGate.periods(this.clock.now());
    const s = await this.read(organisationId, day, yearStart);
    return {
      band: s.band,
      bandName: s.bandName,
      dailyLimit: s.dailyLimit,
      annualLimit: s.annualLimit,
      dailyCalls: s.dailyCalls,
      annualCalls: s.annualCalls,
    };
  }
}
