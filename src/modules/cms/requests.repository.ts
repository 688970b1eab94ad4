/** SQL for two-way requests (DCR, CCR, RFI). Every read names the organisations the caller may see. */
import { sql, type ExpressionBuilder, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Tx } from '../../platform/db/scope.ts';
import type { CmsTables } from './cms.tables.ts';
import { ids, updateIfVersion, type Visible } from './cms.visibility.ts';

export type RequestRow = Selectable<CmsTables['cms.requests']>;

function requestVisible(eb: ExpressionBuilder<DB, 'cms.requests'>, v: Visible) {
  if (v === 'system') return eb.lit(true);
  return eb.or([eb('cms.requests.from_org_id', 'in', ids(v)), eb('cms.requests.to_org_id', 'in', ids(v))]);
}

export interface RequestFilters {
  status?: string[];
  contactId?: string;
  assigneeUserId?: string;
  unassigned?: boolean;
  side?: 'sent' | 'received';
}

function filteredRequests(trx: Tx, v: Visible, f: RequestFilters) {
  let q = trx.selectFrom('cms.requests').where((eb) => requestVisible(eb, v));
  if (f.status?.length) q = q.where('status', 'in', f.status);
  const received = f.side === 'received' || f.assigneeUserId || f.unassigned;
  if (received && v !== 'system') q = q.where('to_org_id', 'in', ids(v));
  if (f.side === 'sent' && v !== 'system') q = q.where('from_org_id', 'in', ids(v));
  if (f.assigneeUserId) q = q.where('assignee_user_id', '=', f.assigneeUserId);
  if (f.unassigned) q = q.where('assignee_user_id', 'is', null);
  if (f.contactId) q = q.where('contact_id', '=', f.contactId);
  return q;
}

export const requestsRepository = {
  async insert(trx: Tx, r: Insertable<CmsTables['cms.requests']>) {
    return trx.insertInto('cms.requests').values(r).returningAll().executeTakeFirstOrThrow();
  },
  async byReference(trx: Tx, v: Visible, reference: string, opts: { forUpdate?: boolean } = {}) {
    let q = trx
      .selectFrom('cms.requests')
      .selectAll()
      .where('reference', '=', reference)
      .where((eb) => requestVisible(eb, v));
    if (opts.forUpdate) q = q.forUpdate();
    return q.executeTakeFirst();
  },
  /**
   * `assigneeUserId` / `unassigned`: assignment is the receiving organisation's, so both keep only the requests
   * one of `v` received. `side`: only those one of `v` sent, or received.
   */
  async list(trx: Tx, v: Visible, f: RequestFilters & { limit: number }) {
    return filteredRequests(trx, v, f)
      .selectAll()
      .orderBy('sent_at', 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit)
      .execute();
  },
  /** How many requests match the filters (the list's total). */
  async count(trx: Tx, v: Visible, f: RequestFilters): Promise<number> {
    const row = await filteredRequests(trx, v, f)
      .select(sql<string>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },
  /** Optimistic update: changes the row only if it still has `version`; returns undefined when it does not. */
  async update(trx: Tx, id: string, version: number, patch: Updateable<CmsTables['cms.requests']>) {
    return updateIfVersion(trx, 'cms.requests', id, version, patch);
  },
  async pastDeadline(trx: Tx, today: string) {
    return trx
      .selectFrom('cms.requests')
      .select(['id', 'reference'])
      .where('status', '=', 'open')
      .where('response_due_date', '<', today)
      .orderBy('sent_at')
      .execute();
  },
};
