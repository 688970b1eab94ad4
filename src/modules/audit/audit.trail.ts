/**
 * The audit view: an organisation's audit trail (what its people did, and what was done on its behalf), or, for a
 * viewer who may read every organisation's, the whole log; filtered by user, action, subject and London dates,
 * newest first, a page at a time by cursor, or all of it (up to 50,000 events) as CSV. Who acted is shown by name
 * and organisation, from the directory port the composition root fills from identity.
 */
import type { Kysely } from 'kysely';
import { csvOf } from '../../platform/http/csv.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import { ValidationError, type FieldError } from '../../platform/errors.ts';
import {
  addCalendarDays,
  isIsoDate,
  londonLocalDateTime,
  londonStartOfDay,
} from '../../platform/time/calendar.ts';
import { actionLabel, serviceActorText, subjectText, subjectTypeLabel } from './audit.labels.ts';
import { auditRepository, type TrailFilter } from './audit.repository.ts';

/** Names for the people and organisations in the log (the identity module's, through the composition root). */
export interface AuditDirectory {
  organisations(): Promise<{ id: string; name: string }[]>;
  /**
   * The users (not deleted) among `userIds` who belong to one of `organisationIds`, with their names, in one look-up;
   * a user who is no longer there is left out.
   */
  userNames(
    organisationIds: readonly string[],
    userIds: readonly string[],
  ): Promise<{ id: string; organisationId: string; name: string }[]>;
}

/** Who is looking: their organisation, and whether they may read every organisation's trail. */
export interface AuditViewer {
  organisationId: string;
  allOrganisations: boolean;
}

/** The filters as typed (the web form, the API's query string); every one optional. */
export interface TrailQuery {
  from?: string;
  to?: string;
  action?: string;
  user?: string;
  subject?: string;
  subject_type?: string;
  cursor?: string;
  limit?: number;
}

export interface TrailEventView {
  seq: string;
  id: string;
  occurred_at: string;
  action: string;
  action_label: string;
  /** "Sam Shipper (sam@acme.test), Acme Gas", or "The service". */
  by: string;
  actor: {
    user_id: string | null;
    email: string | null;
    name: string | null;
    organisation_id: string | null;
    organisation: string | null;
  };
  on_behalf_of: { organisation_id: string; organisation: string | null } | null;
  subject_type: string;
  subject_type_label: string;
  subject_id: string;
  subject: string;
  details: Record<string, unknown>;
  hash: string;
}

export interface TrailPage {
  items: TrailEventView[];
  next_cursor: string | null;
}

export const EXPORT_LIMIT = 50_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The query as repository filters; every problem named against its field (400 on the API, the form's errors). */
export function trailFilter(viewer: AuditViewer, q: TrailQuery, limit: number): TrailFilter {
  const errors: FieldError[] = [];
  const f: TrailFilter = { organisationId: viewer.allOrganisations ? null : viewer.organisationId, limit };
  const day = (name: 'from' | 'to', v: string | undefined) => {
    if (v === undefined || v === '') return undefined;
    if (isIsoDate(v)) return v;
    errors.push({ field: name, message: `Enter the ${name} date as a real date, like 2026-03-02` });
    return undefined;
  };
  const from = day('from', q.from);
  const to = day('to', q.to);
  if (from && to && to < from)
    errors.push({ field: 'to', message: 'The to date must be the same as or after the from date' });
  if (from) f.from = londonStartOfDay(from);
  if (to) f.to = londonStartOfDay(addCalendarDays(to, 1));
  if (q.action) {
    if (/^[a-z_]{1,40}(\.[a-z_]{1,40}){0,3}$/.test(q.action)) f.action = q.action;
    else errors.push({ field: 'action', message: 'Choose an action from the list' });
  }
  const user = q.user?.trim();
  if (user) {
    if (UUID.test(user)) f.userId = user.toLowerCase();
    else if (user.length <= 320 && /^[^\s@]+@[^\s@]+$/.test(user)) f.userEmail = user;
    else errors.push({ field: 'user', message: 'Enter the user’s email address' });
  }
  const subject = q.subject?.trim();
  if (subject) {
    if (subject.length <= 200) f.subjectId = subject;
    else errors.push({ field: 'subject', message: 'The subject must be 200 characters or fewer' });
  }
  if (q.subject_type) {
    if (/^[a-z_]{1,40}$/.test(q.subject_type)) f.subjectType = q.subject_type;
    else errors.push({ field: 'subject_type', message: 'Choose a kind of subject from the list' });
  }
  if (q.cursor) {
    if (/^[0-9]{1,18}$/.test(q.cursor)) f.beforeSeq = q.cursor;
    else errors.push({ field: 'cursor', message: 'not a valid cursor' });
  }
  if (errors.length) throw new ValidationError('The filters are not valid', errors);
  return f;
}

export class AuditTrailService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly directory: AuditDirectory,
  ) {}

  /** One page, newest first; `next_cursor` continues after its last event. */
  async page(viewer: AuditViewer, q: TrailQuery): Promise<TrailPage> {
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
    const rows = await this.read(trailFilter(viewer, q, limit + 1));
    const items = rows.slice(0, limit);
    return { items, next_cursor: rows.length > limit ? (items.at(-1)?.seq ?? null) : null };
  }

  /**
   * Every matching event (up to 50,000), newest first, as CSV with labels and names. The time is London wall-clock
   * time without an offset ('2026-07-01T11:00:00' is 10:00 UTC), as the column name `occurred_at_london` says.
   */
  async csv(viewer: AuditViewer, q: TrailQuery): Promise<string> {
    const rows = await this.read(trailFilter(viewer, { ...q, cursor: undefined }, EXPORT_LIMIT));
    return csvOf(
      [
        'sequence',
        'occurred_at_london',
        'action',
        'action_label',
        'by',
        'actor_email',
        'actor_organisation',
        'on_behalf_of',
        'subject_type',
        'subject_id',
        'subject',
        'details',
        'hash',
      ],
      rows.map((e) => [
        e.seq,
        londonLocalDateTime(new Date(e.occurred_at)),
        e.action,
        e.action_label,
        e.by,
        e.actor.email,
        e.actor.organisation,
        e.on_behalf_of?.organisation,
        e.subject_type,
        e.subject_id,
        e.subject,
        JSON.stringify(e.details),
        e.hash,
      ]),
    );
  }

  private async read(f: TrailFilter): Promise<TrailEventView[]> {
    const scope = f.organisationId
      ? { kind: 'organisations' as const, organisationIds: [f.organisationId] }
      : SYSTEM_SCOPE;
    const rows = await inScope(this.db, scope, (trx) => auditRepository.trail(trx, f));
    // Names are asked of the directory after the read, all at once: one look-up however many rows and people.
    const orgs = new Map((await this.directory.organisations()).map((o) => [o.id, o.name]));
    const acting = rows.filter((r) => r.actor_user_id && r.organisation_id);
    const named = await this.directory.userNames(
      [...new Set(acting.map((r) => r.organisation_id!))],
      [...new Set(acting.map((r) => r.actor_user_id!))],
    );
    const people = new Map(named.map((u) => [`${u.organisationId}/${u.id}`, u.name]));
    const out: TrailEventView[] = [];
    for (const r of rows) {
      const details = (r.details ?? {}) as Record<string, unknown>;
      const orgName = r.organisation_id ? (orgs.get(r.organisation_id) ?? null) : null;
      const person =
        r.actor_user_id && r.organisation_id
          ? (people.get(`${r.organisation_id}/${r.actor_user_id}`) ?? null)
          : null;
      const isPerson = r.actor_user_id !== null || r.actor_label.includes('@');
      // A person the directory names; one it no longer has; or an address typed at sign-in that is no user's.
      const who = !isPerson
        ? serviceActorText(r.actor_label)
        : r.actor_user_id
          ? `${person ?? 'A former user'} (${r.actor_label})`
          : r.actor_label;
      const subject = { subjectType: r.subject_type, subjectId: r.subject_id, details };
      out.push({
        seq: String(r.seq),
        id: r.id,
        occurred_at: r.occurred_at.toISOString(),
        action: r.action,
        action_label: actionLabel(r.action),
        by: orgName && isPerson ? `${who}, ${orgName}` : who,
        actor: {
          user_id: r.actor_user_id,
          email: isPerson ? r.actor_label : null,
          name: person,
          organisation_id: r.organisation_id,
          organisation: orgName,
        },
        on_behalf_of: r.on_behalf_of_organisation_id
          ? {
              organisation_id: r.on_behalf_of_organisation_id,
              organisation: orgs.get(r.on_behalf_of_organisation_id) ?? null,
            }
          : null,
        subject_type: r.subject_type,
        subject_type_label: subjectTypeLabel(r.subject_type),
        subject_id: r.subject_id,
        subject:
          r.subject_type === 'organisation' && orgs.has(r.subject_id)
            ? `Organisation ${orgs.get(r.subject_id)!}`
            : subjectText(subject),
        details,
        hash: r.hash.toString('hex'),
      });
    }
    return out;
  }
}
