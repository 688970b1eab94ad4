/**
 * The SQL of the contact reports. It reads only what the CMS publishes (`published.cms_contact_facts` and
 * `published.cms_request_facts`, security-invoker views; ADR 4), scoped to the organisations the caller may see (the
 * first wall; row-level security beneath the views is the second). Everything is counted in the database: with a
 * million contacts nothing but the figures leaves it.
 *
 * Business days come from the platform calendar (the one implementation): the service passes each date of the
 * period with its business-day ordinal (`BusinessDayIndex`), and a contact's business days from raising to
 * resolution are the difference of the ordinals of its two London dates.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../platform/db/scope.ts';

/** Whose contacts: every organisation's (CDSP staff), or those raised by or routed to these organisations. */
export type ReportScope = { kind: 'all' } | { kind: 'organisations'; ids: readonly string[] };

export const GROUPINGS = ['code', 'organisation', 'team', 'month'] as const;
export type Grouping = (typeof GROUPINGS)[number];

/** The period: contacts raised from `start` (inclusive) to `end` (exclusive), instants of London midnights. */
export interface Period {
  start: Date;
  end: Date;
}

/**
 * The business-day ordinal of each London date from `first` (the first day of the period) to the last date a contact
 * can be resolved on: `ordinals[i]` is that of `first` + i days. A contact's ordinals are array look-ups (no join).
 */
export interface BusinessDayIndex {
  first: string;
  ordinals: number[];
}

/**
 * The figures of one group's contacts that took the same number of business days to resolve (`resolved_days`; null
 * for those not resolved): the service adds them up per group and reads the median and 90th percentile off these
 * counts, so a million contacts are summed in the database, not sorted.
 */
export interface ContactFigureRow extends ContactCounts {
  /** The raw group: a code, a raising organisation's id, 'team:<team>' or 'org:<id>', or 'YYYY-MM'. */
  key: string;
  code_name: string | null;
  resolved_days: number | null;
}

/** What is counted of a group's contacts. */
export const CONTACT_COUNTS = [
  'raised',
  'open',
  'resolved',
  'resolved_within_target',
  'rejected',
  'cancelled',
] as const;
export type ContactCounts = Record<(typeof CONTACT_COUNTS)[number], number>;

export interface AgeingRow {
  raised_on: string;
  overdue: boolean;
  open: number;
}

export interface RequestFigureRow {
  key: string;
  sent: number;
  open: number;
  answered: number;
  answered_in_time: number;
  auto_closed: number;
}

const OPEN_STATUSES = ['open', 'in_progress', 'awaiting_customer'];

const KEY: Record<Grouping, RawBuilder<string>> = {
  code: sql<string>`c.code`,
  organisation: sql<string>`c.raiser_org_id::text`,
  // The CDSP team that resolves it; a contact routed to a register party is that organisation's.
  team: sql<string>`coalesce('team:' || c.resolver_team, 'org:' || c.resolver_org_id::text)`,
  month: sql<string>`to_char(c.raised_at AT TIME ZONE 'Europe/London', 'YYYY-MM')`,
};

const londonDate = (column: string) => sql`(${sql.ref(column)} AT TIME ZONE 'Europe/London')::date`;

function contactScopeSql(scope: ReportScope): RawBuilder<unknown> {
  if (scope.kind === 'all') return sql`true`;
  const ids = [...scope.ids];
  return sql`(c.raiser_org_id = ANY(${ids}::uuid[]) OR c.resolver_org_id = ANY(${ids}::uuid[]))`;
}

function requestScopeSql(scope: ReportScope): RawBuilder<unknown> {
  if (scope.kind === 'all') return sql`true`;
  const ids = [...scope.ids];
  return sql`(r.from_org_id = ANY(${ids}::uuid[]) OR r.to_org_id = ANY(${ids}::uuid[]))`;
}

/** The figures of the contacts raised in the period, per group and days to resolve (`contactFigures` runs it). */
export function contactFiguresSql(q: {
  scope: ReportScope;
  period: Period;
  groupBy: Grouping;
  days: BusinessDayIndex;
}): RawBuilder<ContactFigureRow> {
  const ordinal = (date: RawBuilder<unknown>) =>
    sql`(${q.days.ordinals}::int[])[${date} - ${q.days.first}::date + 1]`;
  const resolvedDays = sql`(${ordinal(sql`c.resolved_on`)} - ${ordinal(sql`c.raised_on`)})`;
  return sql<ContactFigureRow>`
    WITH c AS (
      SELECT ${KEY[q.groupBy]} COLLATE "C" AS key, c.code_name, c.status, c.due_date, c.resolved_at,
             ${londonDate('c.raised_at')} AS raised_on, ${londonDate('c.resolved_at')} AS resolved_on
        FROM published.cms_contact_facts c
       WHERE c.raised_at >= ${q.period.start} AND c.raised_at < ${q.period.end}
         AND ${contactScopeSql(q.scope)}
    )
    SELECT c.key, max(c.code_name) AS code_name, ${resolvedDays} AS resolved_days,
           count(*)::int AS raised,
           (count(*) FILTER (WHERE c.status IN (${sql.join(OPEN_STATUSES)})))::int AS open,
           (count(*) FILTER (WHERE c.resolved_at IS NOT NULL))::int AS resolved,
           (count(*) FILTER (WHERE c.resolved_on <= c.due_date))::int AS resolved_within_target,
           (count(*) FILTER (WHERE c.status = 'rejected'))::int AS rejected,
           (count(*) FILTER (WHERE c.status = 'cancelled'))::int AS cancelled
      FROM c
     GROUP BY c.key, resolved_days
     ORDER BY c.key, resolved_days`;
}

export const reportsRepository = {
  async contactFigures(trx: Tx, q: Parameters<typeof contactFiguresSql>[0]): Promise<ContactFigureRow[]> {
    return (await contactFiguresSql(q).execute(trx)).rows;
  },

  /** Open contacts the scope may see (whenever raised), counted by London date of raising and whether overdue. */
  async ageing(trx: Tx, scope: ReportScope, today: string): Promise<AgeingRow[]> {
    const r = await sql<AgeingRow>`
      SELECT to_char(${londonDate('c.raised_at')}, 'YYYY-MM-DD') AS raised_on,
             c.due_date < ${today}::date AS overdue, count(*)::int AS open
        FROM published.cms_contact_facts c
       WHERE c.status IN (${sql.join(OPEN_STATUSES)}) AND ${contactScopeSql(scope)}
       GROUP BY 1, 2
       ORDER BY 1, 2`.execute(trx);
    return r.rows;
  },

  /** Two-way requests sent in the period, by type. */
  async requestFigures(trx: Tx, scope: ReportScope, period: Period): Promise<RequestFigureRow[]> {
    const r = await sql<RequestFigureRow>`
      SELECT r.type AS key, count(*)::int AS sent,
             (count(*) FILTER (WHERE r.status = 'open'))::int AS open,
             (count(*) FILTER (WHERE r.status = 'answered'))::int AS answered,
             (count(*) FILTER (WHERE r.status = 'answered'
                                 AND ${londonDate('r.responded_at')} <= r.response_due_date))::int AS answered_in_time,
             (count(*) FILTER (WHERE r.status = 'auto_closed'))::int AS auto_closed
        FROM published.cms_request_facts r
       WHERE r.sent_at >= ${period.start} AND r.sent_at < ${period.end} AND ${requestScopeSql(scope)}
       GROUP BY r.type
       ORDER BY r.type`.execute(trx);
    return r.rows;
  },
};
