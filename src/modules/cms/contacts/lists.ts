/**
 * Contact lists: filters (status, code, MPRN, dates, due, assignee, side, team, full text), keyset paging by
 * cursor, and the CSV export (formula-safe cells).
 */
import { inScope } from '../../../platform/db/scope.ts';
import { ValidationError, type FieldError } from '../../../platform/errors.ts';
import { validateMprn } from '../../../platform/gas/mprn.ts';
import { isIsoDate, londonDateOf } from '../../../platform/time/calendar.ts';
import type { Actor } from '../../identity/index.ts';
import { businessCalendar, scopeOf, type CmsContext, type ListQuery } from './contact-context.ts';
import { toSummary, type ContactSummary, type OrgMap } from './contact-views.ts';
import { contactsRepository, type ContactFilters, type ContactRow } from './contacts.repository.ts';
import { defaultSort, workByDate } from '../domain/queue.ts';

export interface ContactPage {
  items: ContactSummary[];
  next_cursor: string | null;
}

async function orgMapOf(ctx: CmsContext): Promise<OrgMap> {
  return new Map((await ctx.directory.organisations()).map((o) => [o.id, o]));
}

export async function listContacts(ctx: CmsContext, actor: Actor, query: ListQuery): Promise<ContactPage> {
  const orgs = await orgMapOf(ctx);
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
  const filters = listFilters(ctx, actor, query, limit + 1);
  return inScope(ctx.db, scopeOf(actor), async (trx) => {
    const rows = await contactsRepository.list(trx, actor.visibleOrganisationIds, filters);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const next = rows.length > limit && last ? encodeCursor(cursorKey(filters.sort, last), last.id) : null;
    const calendar = await businessCalendar(trx);
    const viewer = actor.visibleOrganisationIds;
    return {
      items: page.map((c) => toSummary(c, orgs, calendar, filters.today, viewer)),
      next_cursor: next,
    };
  });
}

/** Every contact matching the filters (up to 50,000), for CSV export. */
export async function exportContacts(
  ctx: CmsContext,
  actor: Actor,
  query: ListQuery,
): Promise<ContactSummary[]> {
  const orgs = await orgMapOf(ctx);
  const filters = listFilters(ctx, actor, { ...query, cursor: undefined }, 50_000);
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
  if (q.mprn !== undefined && !(validateMprn(q.mprn).ok && q.mprn === q.mprn.trim()))
    errors.push({ field: 'mprn', message: 'An MPRN is 6 to 10 digits' });
  if (q.assignee !== undefined && q.assignee !== 'me' && q.assignee !== 'none' && !USER_ID.test(q.assignee))
    errors.push({ field: 'assignee', message: 'Choose a person (a user id), "me" or "none"' });
  if (view === 'mine' && q.assignee !== undefined && q.assignee !== 'me')
    errors.push({ field: 'assignee', message: 'The view "mine" is the contacts assigned to you' });
  if (errors.length > 0) throw new ValidationError('The list filters are not valid', errors);
  const assignee = q.assignee === 'me' ? actor.userId : q.assignee === 'none' ? undefined : q.assignee;
  return {
    status: q.status,
    code: q.code?.map((c) => c.toUpperCase()),
    mprn: q.mprn,
    raisedFrom: from,
    raisedBefore: to ? new Date(to.getTime() + 86_400_000) : undefined,
    due: q.due,
    today: londonDateOf(ctx.clock.now()),
    assigneeUserId: view === 'mine' ? actor.userId : assignee,
    unassigned: q.assignee === 'none',
    side: view === 'raised' || view === 'received' ? view : view === 'team' ? 'received' : undefined,
    team: q.team,
    q: q.q?.trim() || undefined,
    sort,
    cursor,
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
  ['raised_at', 'raised_at'],
  ['due_date', 'due_date'],
  ['business_days_left', 'business_days_left'],
  ['breached', 'breached'],
  ['outcome', 'outcome'],
  ['outcome_label', 'outcome_label'],
  ['reason_code', 'reason_code'],
  ['reason_label', 'reason_label'],
  ['description', 'description'],
];

function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  // Spreadsheet formula injection: a cell that starts like a formula is made text.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function contactsCsv(rows: ContactSummary[]): string {
  const lines = [CSV_COLUMNS.map(([, h]) => h).join(',')];
  for (const r of rows) lines.push(CSV_COLUMNS.map(([k]) => csvCell(r[k])).join(','));
  return lines.join('\r\n') + '\r\n';
}
