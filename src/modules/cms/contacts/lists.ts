/**
 * Contact lists: filters (status, code, MPRN, dates, due, waiting for us, assignee, side, team, full text), the
 * total, keyset paging by cursor (the API) or numbered pages (the web list), counts (the home page), and the CSV
 * export (formula-safe cells).
 */
import { inScope } from '../../../platform/db/scope.ts';
import { csvOf } from '../../../platform/http/csv.ts';
import { ValidationError, type FieldError } from '../../../platform/errors.ts';
import { validateMprn } from '../../../platform/gas/mprn.ts';
import { endOfWeek, isIsoDate, londonDateOf } from '../../../platform/time/calendar.ts';
import type { Actor } from '../../identity/index.ts';
import { businessCalendar, scopeOf, type CmsContext, type ListQuery } from './contact-context.ts';
import { toSummary, type ContactSummary, type OrgMap } from './contact-views.ts';
import { contactsRepository, type ContactFilters, type ContactRow } from './contacts.repository.ts';
import { defaultSort, workByDate } from '../domain/queue.ts';

export interface ContactPage {
  items: ContactSummary[];
  next_cursor: string | null;
  /** How many contacts match the filters, on every page. */
  total: number;
  /** How many come before this page (numbered pages; 0 with a cursor, whose position is not known). */
  offset: number;
}

/** The most rows the web list skips (page × size): beyond it, the filters narrow better than paging. */
const MAX_OFFSET = 50_000;

async function orgMapOf(ctx: CmsContext): Promise<OrgMap> {
  return new Map((await ctx.directory.organisations()).map((o) => [o.id, o]));
}

export async function listContacts(ctx: CmsContext, actor: Actor, query: ListQuery): Promise<ContactPage> {
  const orgs = await orgMapOf(ctx);
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
  const filters = listFilters(ctx, actor, query, limit + 1);
  return inScope(ctx.db, scopeOf(actor), async (trx) => {
    const rows = await contactsRepository.list(trx, actor.visibleOrganisationIds, filters);
    const total = await contactsRepository.count(trx, actor.visibleOrganisationIds, filters);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const next = rows.length > limit && last ? encodeCursor(cursorKey(filters.sort, last), last.id) : null;
    const calendar = await businessCalendar(trx);
    const viewer = actor.visibleOrganisationIds;
    return {
      items: page.map((c) => toSummary(c, orgs, calendar, filters.today, viewer)),
      next_cursor: next,
      total,
      offset: filters.offset ?? 0,
    };
  });
}

/** How many contacts each list query matches (the home page's counts; the same filters the list applies). */
export async function countContacts(
  ctx: CmsContext,
  actor: Actor,
  queries: readonly ListQuery[],
): Promise<number[]> {
  const filters = queries.map((q) => listFilters(ctx, actor, q, 1));
  return inScope(ctx.db, scopeOf(actor), async (trx) => {
    const out: number[] = [];
    for (const f of filters) out.push(await contactsRepository.count(trx, actor.visibleOrganisationIds, f));
    return out;
  });
}

/** The contacts `actor` raised most recently (the home page's "your recent contacts"). */
export async function recentlyRaised(
  ctx: CmsContext,
  actor: Actor,
  limit: number,
): Promise<ContactSummary[]> {
  const filters = { ...listFilters(ctx, actor, { sort: 'newest' }, limit), raisedByUserId: actor.userId };
  return summariesOf(ctx, actor, filters);
}

/** Every contact matching the filters (up to 50,000), for CSV export. */
export async function exportContacts(
  ctx: CmsContext,
  actor: Actor,
  query: ListQuery,
): Promise<ContactSummary[]> {
  return summariesOf(ctx, actor, listFilters(ctx, actor, { ...query, cursor: undefined }, 50_000));
}

/** The summaries of the contacts `actor` may see that match `filters` (up to its limit, unpaged). */
async function summariesOf(
  ctx: CmsContext,
  actor: Actor,
  filters: ContactFilters,
): Promise<ContactSummary[]> {
  const orgs = await orgMapOf(ctx);
  return inScope(ctx.db, scopeOf(actor), async (trx) => {
    const rows = await contactsRepository.list(trx, actor.visibleOrganisationIds, filters);
    const calendar = await businessCalendar(trx);
    return rows.map((c) => toSummary(c, orgs, calendar, filters.today, actor.visibleOrganisationIds));
  });
}

const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The keyset cursor's key for a row, by the list's order. */
function cursorKey(sort: ContactFilters['sort'], c: ContactRow): string {
  if (sort === 'due') return c.due_date;
  if (sort === 'queue') {
    const workedIn = (c.code_snapshot as { worked_in?: string }).worked_in ?? 'due_date';
    const key = workByDate({ workedIn, raisedAt: c.raised_at, dueDate: c.due_date });
    return `${key}|${c.raised_at.toISOString()}`;
  }
  return c.raised_at.toISOString();
}

const validInstant = (s: string): boolean => s.length === 10 || !Number.isNaN(Date.parse(s));

/** The shape a cursor's key has in each order (a cursor from another order is refused, never half-used). */
const CURSOR_KEY: Record<ContactFilters['sort'], RegExp> = {
  due: /^\d{4}-\d{2}-\d{2}$/,
  queue: /^\d{4}-\d{2}-\d{2}\|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
  newest: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
  oldest: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
};

function listFilters(ctx: CmsContext, actor: Actor, q: ListQuery, limit: number): ContactFilters {
  const errors: FieldError[] = [];
  const date = (name: string, v: string | undefined): Date | undefined => {
    if (v === undefined) return undefined;
    if (!isIsoDate(v)) {
      errors.push({ field: name, message: 'Use a date in the form YYYY-MM-DD' });
      return undefined;
    }
    return new Date(`${v}T00:00:00Z`);
  };
  const from = date('raised_from', q.raised_from);
  const to = date('raised_to', q.raised_to);
  const view = q.view ?? 'all';
  const sort = q.sort ?? defaultSort(view, actor.permissions.has('cms:resolve'));
  let cursor: { key: string; id: string } | null = null;
  if (q.cursor) {
    cursor = decodeCursor(q.cursor);
    if (cursor && !(CURSOR_KEY[sort].test(cursor.key) && validInstant(cursor.key.split('|').at(-1)!)))
      cursor = null;
    if (!cursor)
      errors.push({ field: 'cursor', message: 'The cursor is not valid; start from the first page' });
  }
  const page = q.page ?? 1;
  const pageSize = Math.min(Math.max(q.limit ?? 50, 1), 200);
  if (!Number.isInteger(page) || page < 1 || (page - 1) * pageSize > MAX_OFFSET)
    errors.push({ field: 'page', message: 'There is no such page; start from the first page' });
  if (q.page !== undefined && q.cursor)
    errors.push({ field: 'page', message: 'Page by number or by cursor, not both' });
  if (q.mprn !== undefined && !(validateMprn(q.mprn).ok && q.mprn === q.mprn.trim()))
    errors.push({ field: 'mprn', message: 'An MPRN is 6 to 10 digits' });
  if (q.assignee !== undefined && q.assignee !== 'me' && q.assignee !== 'none' && !USER_ID.test(q.assignee))
    errors.push({ field: 'assignee', message: 'Choose a person (a user id), "me" or "none"' });
  if (view === 'mine' && q.assignee !== undefined && q.assignee !== 'me')
    errors.push({ field: 'assignee', message: 'The view "mine" is the contacts assigned to you' });
  if (errors.length > 0) throw new ValidationError('The list filters are not valid', errors);
  const today = londonDateOf(ctx.clock.now());
  const assignee = q.assignee === 'me' ? actor.userId : q.assignee === 'none' ? undefined : q.assignee;
  return {
    status: q.status,
    code: q.code?.map((c) => c.toUpperCase()),
    mprn: q.mprn,
    raisedFrom: from,
    raisedBefore: to ? new Date(to.getTime() + 86_400_000) : undefined,
    due: q.due,
    today,
    weekEnd: endOfWeek(today),
    waiting: q.waiting,
    assigneeUserId: view === 'mine' ? actor.userId : assignee,
    unassigned: q.assignee === 'none',
    side: view === 'raised' || view === 'received' ? view : view === 'team' ? 'received' : undefined,
    team: q.team,
    q: q.q?.trim() || undefined,
    sort,
    cursor,
    offset: (page - 1) * pageSize || undefined,
    limit,
  };
}

export function encodeCursor(key: string, id: string): string {
  return Buffer.from(JSON.stringify([key, id])).toString('base64url');
}

function decodeCursor(s: string): { key: string; id: string } | null {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      typeof v[0] === 'string' &&
      typeof v[1] === 'string' &&
      /^[0-9a-f-]{36}$/.test(v[1]) &&
      /^\d{4}-\d{2}-\d{2}/.test(v[0])
    )
      return { key: v[0], id: v[1] };
  } catch {
    /* fall through */
  }
  return null;
}

const CSV_COLUMNS: [keyof ContactSummary, string][] = [
  ['reference', 'reference'],
  ['code', 'code'],
  ['code_name', 'code_name'],
  ['status', 'status'],
  ['mprn', 'mprn'],
  ['raiser', 'raiser'],
  ['raiser_reference', 'raiser_reference'],
  ['resolver', 'resolver'],
  ['assignee', 'assignee'],
  ['assigned_to', 'assigned_to'],
  ['subject', 'subject'],
  ['other_party', 'other_party'],
  ['raised_at', 'raised_at'],
  ['age_business_days', 'age_business_days'],
  ['due_date', 'due_date'],
  ['business_days_left', 'business_days_left'],
  ['breached', 'breached'],
  ['outcome', 'outcome'],
  ['outcome_label', 'outcome_label'],
  ['reason_code', 'reason_code'],
  ['reason_label', 'reason_label'],
  ['description', 'description'],
];

export function contactsCsv(rows: ContactSummary[]): string {
  return csvOf(
    CSV_COLUMNS.map(([, h]) => h),
    rows.map((r) => CSV_COLUMNS.map(([k]) => r[k])),
  );
}
