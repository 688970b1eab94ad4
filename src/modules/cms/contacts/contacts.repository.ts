/**
 * SQL for CMS contacts, notes, attachments and SLA pauses. Every read and write names the
 * organisations the caller may see (`Visible`): the first wall. Row-level security is the second.
 */
import { sql, type ExpressionBuilder, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import type { Tx } from '../../../platform/db/scope.ts';
import type { CmsTables } from '../cms.tables.ts';
import { ids, updateIfVersion, type Visible } from '../cms.visibility.ts';

export type { Visible } from '../cms.visibility.ts';

export type ContactRow = Selectable<CmsTables['cms.contacts']>;
export type NoteRow = Selectable<CmsTables['cms.notes']>;
export type PauseRow = Selectable<CmsTables['cms.sla_pauses']>;
/** The columns an action changes (the version is bumped by `update`). */
export type ContactPatch = Updateable<CmsTables['cms.contacts']>;

type ContactEb = ExpressionBuilder<DB, 'cms.contacts'>;

/** The queue's work-by date (domain/queue.ts `workByDate`), as 'YYYY-MM-DD'. */
const WORK_BY = sql<string>`(CASE WHEN cms.contacts.code_snapshot->>'worked_in' = 'received_order'
  THEN to_char(cms.contacts.raised_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD')
  ELSE to_char(cms.contacts.due_date, 'YYYY-MM-DD') END)`;

/** The statuses in which the resolving side has the next move, and those in which the raising side has. */
const RESOLVER_TURN = ['open', 'in_progress'];
const RAISER_TURN = ['awaiting_customer', 'resolved'];

function contactVisible(eb: ContactEb, v: Visible) {
  if (v === 'system') return eb.lit(true);
  return eb.or([
    eb('cms.contacts.raiser_org_id', 'in', ids(v)),
    eb('cms.contacts.resolver_org_id', 'in', ids(v)),
    // Raised on its behalf (a DMSP's Class 1 RFA, for the registered shipper).
    eb('cms.contacts.on_behalf_of_org_id', 'in', ids(v)),
  ]);
}

/** One contact by its id or reference, when `v` may see it; locked for update when asked. */
async function visibleContact(
  trx: Tx,
  v: Visible,
  column: 'id' | 'reference',
  value: string,
  opts: { forUpdate?: boolean },
) {
  let q = trx
    .selectFrom('cms.contacts')
    .selectAll()
    .where(column, '=', value)
    .where((eb) => contactVisible(eb, v));
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export interface ContactFilters {
  status?: string[];
  code?: string[];
  mprn?: string;
  raisedFrom?: Date;
  raisedBefore?: Date;
  /** 'overdue': past due and still being worked; 'due_today'; 'this_week': due from today to `weekEnd`. */
  due?: 'overdue' | 'due_today' | 'this_week';
  today: string;
  /** The last day of the current week (Sunday), for `due: 'this_week'`. */
  weekEnd?: string;
  /**
   * 'us': waiting for the viewer's organisation: still to be worked where it resolves (open, in progress), to be
   * answered or accepted where it raised (awaiting the customer, resolved).
   */
  waiting?: 'us';
  /**
   * Assigned to this user on the viewer's side: the resolving side's assignee where the viewer's organisation
   * resolves the contact, the raising organisation's own assignee where it raised it.
   */
  assigneeUserId?: string;
  /** Not assigned to anyone on the viewer's side (same sides as `assigneeUserId`). */
  unassigned?: boolean;
  /** 'raised': contacts my organisation raised; 'received': contacts my organisation resolves. */
  side?: 'raised' | 'received';
  team?: string;
  raisedByUserId?: string;
  q?: string;
  /** 'queue': the resolving side's default order (domain/queue.ts): work-by date, time raised, id. */
  sort: 'newest' | 'oldest' | 'due' | 'queue';
  cursor?: { key: string; id: string } | null;
  /** Rows to skip (the web list's numbered pages; the API pages by cursor). */
  offset?: number;
  limit: number;
}

/** The contacts matching the filters (no order, no paging): what `list` pages through and `count` counts. */
function filteredContacts(trx: Tx, v: Visible, f: ContactCriteria) {
  let q = trx.selectFrom('cms.contacts').where((eb) => contactVisible(eb, v));
  if (v !== 'system' && f.side === 'raised')
    q = q.where((eb) => eb.or([eb('raiser_org_id', 'in', ids(v)), eb('on_behalf_of_org_id', 'in', ids(v))]));
  if (v !== 'system' && f.side === 'received') q = q.where('resolver_org_id', 'in', ids(v));
  if (f.status?.length) q = q.where('status', 'in', f.status);
  if (f.code?.length) q = q.where('code', 'in', f.code);
  if (f.mprn) q = q.where('mprn', '=', f.mprn);
  if (f.raisedFrom) q = q.where('raised_at', '>=', f.raisedFrom);
  if (f.raisedBefore) q = q.where('raised_at', '<', f.raisedBefore);
  if (f.assigneeUserId) {
    const user = f.assigneeUserId;
    q = q.where((eb) =>
      v === 'system'
        ? eb('assignee_user_id', '=', user)
        : eb.or([
            eb.and([eb('resolver_org_id', 'in', ids(v)), eb('assignee_user_id', '=', user)]),
            eb.and([eb('raiser_org_id', 'in', ids(v)), eb('raiser_assignee_user_id', '=', user)]),
          ]),
    );
  }
  if (f.unassigned) {
    q = q.where((eb) =>
      v === 'system'
        ? eb('assignee_user_id', 'is', null)
        : eb.or([
            eb.and([eb('resolver_org_id', 'in', ids(v)), eb('assignee_user_id', 'is', null)]),
            eb.and([eb('raiser_org_id', 'in', ids(v)), eb('raiser_assignee_user_id', 'is', null)]),
          ]),
    );
  }
  if (f.raisedByUserId) q = q.where('raiser_user_id', '=', f.raisedByUserId);
  if (f.team) q = q.where('resolver_team', '=', f.team);
  if (f.due === 'overdue') {
    q = q.where('status', 'in', ['open', 'in_progress']).where('due_date', '<', f.today);
  } else if (f.due === 'due_today') {
    q = q.where('status', 'in', ['open', 'in_progress']).where('due_date', '=', f.today);
  } else if (f.due === 'this_week') {
    q = q
      .where('status', 'in', ['open', 'in_progress'])
      .where('due_date', '>=', f.today)
      .where('due_date', '<=', f.weekEnd ?? f.today);
  }
  if (f.waiting === 'us') {
    // Waiting for the viewer's organisation: to be worked where it resolves, to answer or accept where it raised.
    q = q.where((eb) =>
      v === 'system'
        ? eb('status', 'in', [...RESOLVER_TURN, ...RAISER_TURN])
        : eb.or([
            eb.and([eb('resolver_org_id', 'in', ids(v)), eb('status', 'in', RESOLVER_TURN)]),
            eb.and([eb('raiser_org_id', 'in', ids(v)), eb('status', 'in', RAISER_TURN)]),
          ]),
    );
  }
  if (f.q) {
    // Descriptions, raiser references and references, plus the notes this caller may read (external notes,
    // and internal notes of the caller's own side).
    const query = sql`plainto_tsquery('simple', ${f.q})`;
    const sideOk =
      v === 'system' ? sql`true` : sql`(n.visibility = 'external' OR n.side_org_id IN (${sql.join(ids(v))}))`;
    q = q.where(
      sql<boolean>`(cms.contacts.search @@ ${query} OR EXISTS (
        SELECT 1 FROM cms.notes n WHERE n.contact_id = cms.contacts.id AND n.search @@ ${query} AND ${sideOk}))`,
    );
  }
  return q;
}

/** The filters without the order and paging (what a count needs). */
export type ContactCriteria = Omit<ContactFilters, 'sort' | 'cursor' | 'offset' | 'limit'>;

export const contactsRepository = {
  async insert(trx: Tx, row: Insertable<CmsTables['cms.contacts']>) {
    return trx.insertInto('cms.contacts').values(row).returningAll().executeTakeFirstOrThrow();
  },

  async byReference(trx: Tx, v: Visible, reference: string, opts: { forUpdate?: boolean } = {}) {
    return visibleContact(trx, v, 'reference', reference, opts);
  },

  async byId(trx: Tx, v: Visible, id: string, opts: { forUpdate?: boolean } = {}) {
    return visibleContact(trx, v, 'id', id, opts);
  },

  async byIdempotencyKey(trx: Tx, raiserOrgId: string, key: string) {
    return trx
      .selectFrom('cms.contacts')
      .selectAll()
      .where('raiser_org_id', '=', raiserOrgId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
  },

  /** Resolved (or since closed) contacts whose expected register change the register has not shown yet. */
  async awaitingRegisterChange(trx: Tx) {
    return trx
      .selectFrom('cms.contacts')
      .select(['id', 'mprn', 'expected_field', 'expected_value', 'resolved_at', 'register_checked_for'])
      .where('expected_field', 'is not', null)
      .where('register_updated_on', 'is', null)
      .where('resolved_at', 'is not', null)
      .where('mprn', 'is not', null)
      .where('status', 'in', ['resolved', 'closed'])
      .orderBy('resolved_at')
      .execute();
  },

  /**
   * Records a register check on a contact still expecting the same change since the same resolution (none of that
   * changed since it was read): the business date checked, and the date the register showed the value. The
   * contact's version is left alone: a check is not a change anyone acts on. Returns the row, or undefined.
   */
  async recordRegisterCheck(
    trx: Tx,
    id: string,
    expected: { field: string; value: string; resolvedAt: Date },
    check: { checkedFor: string; updatedOn: string | null },
  ) {
    return trx
      .updateTable('cms.contacts')
      .set({ register_checked_for: check.checkedFor, register_updated_on: check.updatedOn })
      .where('id', '=', id)
      .where('expected_field', '=', expected.field)
      .where('expected_value', '=', expected.value)
      .where('resolved_at', '=', expected.resolvedAt)
      .where('register_updated_on', 'is', null)
      .returningAll()
      .executeTakeFirst();
  },

  /** Optimistic update: changes the row only if it still has `version`; returns undefined when it does not. */
  async update(trx: Tx, id: string, version: number, patch: ContactPatch) {
    return updateIfVersion(trx, 'cms.contacts', id, version, patch);
  },

  /** How many contacts match the filters (the list's total). */
  async count(trx: Tx, v: Visible, f: ContactCriteria): Promise<number> {
    const row = await filteredContacts(trx, v, f)
      .select(sql<string>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  async list(trx: Tx, v: Visible, f: ContactFilters) {
    let q = filteredContacts(trx, v, f).selectAll();
    if (f.sort === 'queue') {
      if (f.cursor) {
        const [key, at] = f.cursor.key.split('|');
        const raisedAt = new Date(at ?? '');
        const id = f.cursor.id;
        q = q.where(
          sql<boolean>`(${WORK_BY} > ${key} OR (${WORK_BY} = ${key} AND (raised_at > ${raisedAt}
                         OR (raised_at = ${raisedAt} AND id > ${id}))))`,
        );
      }
      q = q.orderBy(WORK_BY, 'asc').orderBy('raised_at', 'asc').orderBy('id', 'asc');
    } else if (f.sort === 'due') {
      if (f.cursor) {
        const c = f.cursor;
        q = q.where((eb) =>
          eb.or([eb('due_date', '>', c.key), eb.and([eb('due_date', '=', c.key), eb('id', '>', c.id)])]),
        );
      }
      q = q.orderBy('due_date', 'asc').orderBy('id', 'asc');
    } else {
      const asc = f.sort === 'oldest';
      if (f.cursor) {
        const at = new Date(f.cursor.key);
        const id = f.cursor.id;
        q = q.where((eb) =>
          eb.or([
            eb('raised_at', asc ? '>' : '<', at),
            eb.and([eb('raised_at', '=', at), eb('id', asc ? '>' : '<', id)]),
          ]),
        );
      }
      q = q.orderBy('raised_at', asc ? 'asc' : 'desc').orderBy('id', asc ? 'asc' : 'desc');
    }
    if (f.offset) q = q.offset(f.offset);
    return q.limit(f.limit).execute();
  },

  async nextSequence(trx: Tx, code: string): Promise<number> {
    const row = await trx
      .insertInto('cms.reference_counters')
      .values({ code, next_seq: 1 })
      .onConflict((oc) =>
        oc.column('code').doUpdateSet({ next_seq: sql<number>`cms.reference_counters.next_seq + 1` }),
      )
      .returning('next_seq')
      .executeTakeFirstOrThrow();
    return row.next_seq - 1;
  },

  // ---------------------------------------------------------------- jobs (system scope)
  async awaitingPastResponseWindow(trx: Tx, today: string) {
    return trx
      .selectFrom('cms.contacts')
      .select(['id', 'reference'])
      .where('status', '=', 'awaiting_customer')
      .where('response_due_date', '<', today)
      .orderBy('raised_at')
      .execute();
  },
  async resolvedContacts(trx: Tx) {
    return trx
      .selectFrom('cms.contacts')
      .select(['id', 'reference', 'resolved_at', 'code_snapshot'])
      .where('status', '=', 'resolved')
      .orderBy('resolved_at')
      .execute();
  },
  async breachWarningCandidates(trx: Tx, fromDate: string, toDate: string) {
    return trx
      .selectFrom('cms.contacts')
      .selectAll()
      .where('status', 'in', ['open', 'in_progress'])
      .where('due_date', '>=', fromDate)
      .where('due_date', '<=', toDate)
      .where((eb) =>
        eb.or([eb('breach_warning_for', 'is', null), eb('breach_warning_for', '<>', eb.ref('due_date'))]),
      )
      .execute();
  },
};

export const pausesRepository = {
  async open(trx: Tx, p: { contact_id: string; from_at: Date; reason: string; by_label: string }) {
    await trx
      .insertInto('cms.sla_pauses')
      .values({ ...p, to_at: null })
      .execute();
  },
  async insertClosed(
    trx: Tx,
    p: { contact_id: string; from_at: Date; to_at: Date; reason: string; by_label: string },
  ) {
    await trx.insertInto('cms.sla_pauses').values(p).execute();
  },
  async closeOpen(trx: Tx, contactId: string, at: Date) {
    await trx
      .updateTable('cms.sla_pauses')
      .set({ to_at: at })
      .where('contact_id', '=', contactId)
      .where('to_at', 'is', null)
      .execute();
  },
  async forContact(trx: Tx, contactId: string) {
    return trx
      .selectFrom('cms.sla_pauses')
      .selectAll()
      .where('contact_id', '=', contactId)
      .orderBy('from_at')
      .execute();
  },
};

export const notesRepository = {
  async insert(
    trx: Tx,
    n: {
      contact_id: string;
      side: 'raiser' | 'resolver';
      side_org_id: string;
      visibility: 'external' | 'internal';
      author_user_id: string | null;
      author_label: string;
      body: string;
      created_at: Date;
    },
  ) {
    return trx.insertInto('cms.notes').values(n).returningAll().executeTakeFirstOrThrow();
  },
  /** External notes, and internal notes of the viewer's own side(s). */
  async visible(trx: Tx, contactId: string, sides: readonly ('raiser' | 'resolver')[]) {
    return trx
      .selectFrom('cms.notes')
      .selectAll()
      .where('contact_id', '=', contactId)
      .where((eb) =>
        sides.length > 0
          ? eb.or([eb('visibility', '=', 'external'), eb('side', 'in', [...sides])])
          : eb('visibility', '=', 'external'),
      )
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  },
};

/** An attachment without its bytes (lists and views). */
const ATTACHMENT_COLUMNS = [
  'id',
  'filename',
  'content_type',
  'kind',
  'size_bytes',
  'sha256',
  'side',
  'uploaded_by_label',
  'created_at',
] as const;

export const attachmentsRepository = {
  async insert(trx: Tx, a: Insertable<CmsTables['cms.attachments']>) {
    return trx
      .insertInto('cms.attachments')
      .values(a)
      .returning(ATTACHMENT_COLUMNS)
      .executeTakeFirstOrThrow();
  },
  async list(trx: Tx, contactId: string) {
    return trx
      .selectFrom('cms.attachments')
      .select(ATTACHMENT_COLUMNS)
      .where('contact_id', '=', contactId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  },
  async get(trx: Tx, contactId: string, id: string) {
    return trx
      .selectFrom('cms.attachments')
      .selectAll()
      .where('contact_id', '=', contactId)
      .where('id', '=', id)
      .executeTakeFirst();
  },
};
