/**
 * Contact reports (issue 13): for contacts raised in a period, by code, raising organisation, resolving team or
 * month: how many were raised, are open, were resolved (and within target), rejected and cancelled, and the median
 * and 90th percentile of the business days from raising to resolution; the ageing of open contacts in business-day
 * buckets; and two-way requests sent in a period (answered in time, closed unanswered).
 *
 * Whose contacts: a customer's user sees those its organisations raised or that were routed to them
 * (actor.visibleOrganisationIds: its own, and its group's only with the group grant); CDSP staff see every
 * organisation's. Definitions (the same in the API, the pages, CSV and XLSX):
 * - open: open, in progress or awaiting the customer now; resolved: resolved now, or closed after a resolution;
 * - resolved within target: resolved on or before the due date (the SLA's, pauses included);
 * - business days to resolution: business days d with raise date < d <= resolution date (London dates, England and
 *   Wales bank holidays; the platform calendar), so a contact resolved the day it was raised took 0; the median and
 *   90th percentile are nearest-rank (the smallest value at least half, or 90%, of the resolved contacts reach);
 * - ageing: every open contact now, by business days since the raise date; overdue when its due date has passed.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE, type Scope, type Tx } from '../../platform/db/scope.ts';
import { ValidationError, type FieldError } from '../../platform/errors.ts';
import {
  addCalendarDays,
  BusinessCalendar,
  govukDate,
  isIsoDate,
  londonDateOf,
  londonStartOfDay,
  toDayNumber,
} from '../../platform/time/calendar.ts';
import { isCdsp, type Actor } from '../identity/index.ts';
import { referenceRepository } from '../reference/index.ts';
import {
  GROUPINGS,
  reportsRepository,
  type Grouping,
  type Period,
  type ReportScope,
} from './contacts.repository.ts';
import { foldFigures, type GroupFigures } from './figures.ts';
import type { ReportOrganisation, ReportOrganisations } from './reports.ports.ts';

export { GROUPINGS, type Grouping } from './contacts.repository.ts';

/** The earliest date a report starts on (the service has no earlier contacts). */
const EARLIEST = '2000-01-01';

/** The longest period one report covers. */
export const MAX_PERIOD_DAYS = 731;

/** A group's figures as the API gives them. */
export type ContactFigures = Omit<GroupFigures, 'code_name'>;

/** A row as pages show it: the figures, and what the key means in words. */
export type LabelledFigures = ContactFigures & { label: string };

export interface ContactReport {
  from: string;
  to: string;
  group_by: Grouping;
  rows: LabelledFigures[];
}

export interface AgeingBucket {
  key: string;
  label: string;
  open: number;
  overdue: number;
}

export interface AgeingReport {
  as_at: string;
  rows: AgeingBucket[];
}

export interface RequestFigures {
  key: string;
  label: string;
  sent: number;
  open: number;
  answered: number;
  answered_in_time: number;
  auto_closed: number;
}

export interface RequestReport {
  from: string;
  to: string;
  rows: RequestFigures[];
}

/** Business-day buckets of the ageing report: [from, to] days, to = null for "and over". */
export const AGEING_BUCKETS: readonly { key: string; from: number; to: number | null }[] = [
  { key: '0-2', from: 0, to: 2 },
  { key: '3-5', from: 3, to: 5 },
  { key: '6-10', from: 6, to: 10 },
  { key: '11-20', from: 11, to: 20 },
  { key: '21+', from: 21, to: null },
];

const REQUEST_TYPE_NAMES: Record<string, string> = {
  DCR: 'Data Clarification Request',
  CCR: 'Configuration Change Request',
  RFI: 'Request For Information',
};

export const GROUPING_LABELS: Record<Grouping, string> = {
  code: 'Contact code',
  organisation: 'Raising organisation',
  team: 'Resolving team',
  month: 'Month raised',
};

const monthName = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

function bucketLabel(b: (typeof AGEING_BUCKETS)[number]): string {
  return b.to === null ? `${b.from} business days or more` : `${b.from} to ${b.to} business days`;
}

/** The period as instants, checked: real dates, from on or before to, at most MAX_PERIOD_DAYS days. */
export function checkPeriod(from: unknown, to: unknown): { from: string; to: string; period: Period } {
  const errors: FieldError[] = [];
  if (!isIsoDate(from)) errors.push({ field: 'from', message: 'The start of the period must be a real date' });
  if (!isIsoDate(to)) errors.push({ field: 'to', message: 'The end of the period must be a real date' });
  if (errors.length === 0 && (from as string) < EARLIEST) {
    errors.push({ field: 'from', message: `Choose a date on or after ${govukDate(EARLIEST)}` });
  }
  if (errors.length === 0) {
    const days = toDayNumber(to as string) - toDayNumber(from as string);
    if (days < 0) errors.push({ field: 'to', message: 'The end of the period must be on or after its start' });
    else if (days >= MAX_PERIOD_DAYS) {
      errors.push({ field: 'to', message: `A report covers at most ${MAX_PERIOD_DAYS} days` });
    }
  }
  if (errors.length > 0) throw new ValidationError(errors[0]!.message, errors);
  const f = from as string;
  const t = to as string;
  return {
    from: f,
    to: t,
    period: { start: londonStartOfDay(f), end: londonStartOfDay(addCalendarDays(t, 1)) },
  };
}

export function checkGrouping(groupBy: unknown): Grouping {
  if ((GROUPINGS as readonly unknown[]).includes(groupBy)) return groupBy as Grouping;
  const message = `Group by one of: ${GROUPINGS.join(', ')}`;
  throw new ValidationError(message, [{ field: 'group_by', message }]);
}

export class ContactReportsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly organisations: ReportOrganisations,
  ) {}

  /** Today in London (the end of the ageing report, the default end of a period). */
  today(): string {
    return londonDateOf(this.clock.now());
  }

  async contacts(actor: Actor, q: { from: unknown; to: unknown; group_by: unknown }): Promise<ContactReport> {
    const { from, to, period } = checkPeriod(q.from, q.to);
    const groupBy = checkGrouping(q.group_by);
    const today = this.today();
    const rows = await this.read(actor, async (trx, scope) => {
      const calendar = new BusinessCalendar(await referenceRepository.bankHolidays(trx));
      // Every date a contact of the period can be raised or resolved on, with its business-day ordinal.
      const last = to > today ? to : today;
      const dates: string[] = [];
      for (let d = from; d <= last; d = addCalendarDays(d, 1)) dates.push(d);
      const ordinals = dates.map((d) => calendar.businessDaysBetween(from, d));
      return reportsRepository.contactFigures(trx, { scope, period, groupBy, days: { first: from, ordinals } });
    });
    const orgs = await this.organisationsById();
    const figures = foldFigures(rows);
    // Ordered by the key as the API gives it (code-point order, whatever the database's collation).
    const labelled = figures.map((r) => this.labelled(r, groupBy, orgs));
    labelled.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    return { from, to, group_by: groupBy, rows: labelled };
  }

  async ageing(actor: Actor): Promise<AgeingReport> {
    const today = this.today();
    const rows = AGEING_BUCKETS.map((b) => ({ key: b.key, label: bucketLabel(b), open: 0, overdue: 0 }));
    await this.read(actor, async (trx, scope) => {
      const calendar = new BusinessCalendar(await referenceRepository.bankHolidays(trx));
      for (const r of await reportsRepository.ageing(trx, scope, today)) {
        const age = Math.max(calendar.businessDaysBetween(r.raised_on, today), 0);
        const i = AGEING_BUCKETS.findIndex((b) => age >= b.from && (b.to === null || age <= b.to));
        const bucket = rows[i]!;
        bucket.open += r.open;
        if (r.overdue) bucket.overdue += r.open;
      }
    });
    return { as_at: today, rows };
  }

  async requests(actor: Actor, q: { from: unknown; to: unknown }): Promise<RequestReport> {
    const { from, to, period } = checkPeriod(q.from, q.to);
    const rows = await this.read(actor, (trx, scope) => reportsRepository.requestFigures(trx, scope, period));
    return {
      from,
      to,
      rows: rows.map((r) => ({ ...r, label: REQUEST_TYPE_NAMES[r.key] ?? r.key })),
    };
  }

  /** Runs a read scoped to what the actor may see: everything for CDSP staff, else its organisations' contacts. */
  private read<T>(actor: Actor, fn: (trx: Tx, scope: ReportScope) => Promise<T>): Promise<T> {
    const all = isCdsp(actor);
    const scope: ReportScope = all ? { kind: 'all' } : { kind: 'organisations', ids: actor.visibleOrganisationIds };
    const rls: Scope = all
      ? SYSTEM_SCOPE
      : { kind: 'organisations', organisationIds: actor.visibleOrganisationIds };
    return inScope(this.db, rls, (trx) => fn(trx, scope));
  }

  private async organisationsById(): Promise<Map<string, ReportOrganisation>> {
    return new Map((await this.organisations.list()).map((o) => [o.id, o]));
  }

  /** The row with its key as the API gives it (a short code, a team, YYYY-MM, a code) and its label in words. */
  private labelled(
    r: GroupFigures,
    groupBy: Grouping,
    orgs: ReadonlyMap<string, ReportOrganisation>,
  ): LabelledFigures {
    const { key: raw, code_name: codeName, ...figures } = r;
    if (groupBy === 'code') return { key: raw, label: codeName ? `${raw}: ${codeName}` : raw, ...figures };
    if (groupBy === 'month') {
      return { key: raw, label: monthName.format(new Date(`${raw}-01T00:00:00Z`)), ...figures };
    }
    if (groupBy === 'organisation' || raw.startsWith('org:')) {
      const o = orgs.get(raw.replace(/^org:/, ''));
      return { key: o?.shortCode ?? raw, label: o ? `${o.name} (${o.shortCode})` : raw, ...figures };
    }
    const key = raw.replace(/^team:/, '');
    const label = `CDSP ${key.replace(/_/g, ' ')} team`;
    return { key, label, ...figures };
  }
}

/** The period in words, for page headings: "1 March 2026 to 31 March 2026". */
export function periodInWords(from: string, to: string): string {
  return from === to ? govukDate(from) : `${govukDate(from)} to ${govukDate(to)}`;
}
