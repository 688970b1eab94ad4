/** SQL for webhooks and their delivery outbox. Every organisation-facing read names the caller's organisations. */
import { sql, type Selectable } from 'kysely';
import type { Tx } from '../../platform/db/scope.ts';
import type { CmsTables } from './cms.tables.ts';
import { ids } from './cms.visibility.ts';

export type WebhookRow = Selectable<CmsTables['cms.webhooks']>;
export type DeliveryRow = Selectable<CmsTables['cms.webhook_deliveries']>;

export const webhooksRepository = {
  async insert(
    trx: Tx,
    w: {
      organisation_id: string;
      url: string;
      secret: string;
      events: string[];
      created_at: Date;
      created_by_label: string;
    },
  ) {
    return trx.insertInto('cms.webhooks').values(w).returningAll().executeTakeFirstOrThrow();
  },
  async list(trx: Tx, orgIds: readonly string[]) {
    return trx
      .selectFrom('cms.webhooks')
      .selectAll()
      .where('organisation_id', 'in', ids(orgIds))
      .orderBy('created_at')
      .execute();
  },
  async byId(trx: Tx, orgIds: readonly string[], id: string) {
    return trx
      .selectFrom('cms.webhooks')
      .selectAll()
      .where('organisation_id', 'in', ids(orgIds))
      .where('id', '=', id)
      .executeTakeFirst();
  },
  async deactivate(trx: Tx, orgIds: readonly string[], id: string) {
    return trx
      .updateTable('cms.webhooks')
      .set({ active: false })
      .where('organisation_id', 'in', ids(orgIds))
      .where('id', '=', id)
      .where('active', '=', true)
      .returning('id')
      .executeTakeFirst();
  },
  /** The active webhooks of any of the organisations, in one statement. */
  async activeFor(trx: Tx, orgIds: readonly string[]) {
    if (orgIds.length === 0) return [];
    return trx
      .selectFrom('cms.webhooks')
      .selectAll()
      .where('organisation_id', 'in', orgIds)
      .where('active', '=', true)
      .orderBy('created_at')
      .execute();
  },
  async insertDelivery(
    trx: Tx,
    d: {
      webhook_id: string;
      organisation_id: string;
      event: string;
      payload: string;
      created_at: Date;
      next_attempt_at: Date;
    },
  ) {
    await trx
      .insertInto('cms.webhook_deliveries')
      .values({ ...d, status: 'pending' })
      .execute();
  },
  /**
   * Claims due deliveries for one sender (one short transaction; FOR UPDATE SKIP LOCKED, so concurrent senders take
   * different rows): at most `perOrganisation` of each organisation's and `limit` in all, oldest first. A claim is a
   * lease: `claimed_until` and the sender's `claim_id`; an expired lease (a sender that died) is claimable again.
   */
  async claimDue(
    trx: Tx,
    c: { now: Date; leaseUntil: Date; claimId: string; limit: number; perOrganisation: number },
  ) {
    const claimable = <T extends 'cms.webhook_deliveries' | 'c'>(t: T) =>
      sql<boolean>`${sql.ref(`${t}.status`)} = 'pending' AND ${sql.ref(`${t}.next_attempt_at`)} <= ${c.now}
        AND (${sql.ref(`${t}.claimed_until`)} IS NULL OR ${sql.ref(`${t}.claimed_until`)} <= ${c.now})`;
    const ranked = trx
      .selectFrom('cms.webhook_deliveries')
      .select([
        'id',
        sql<number>`row_number() OVER (PARTITION BY organisation_id ORDER BY next_attempt_at, id)`.as('n'),
      ])
      .where(claimable('cms.webhook_deliveries'));
    const locked = trx
      .selectFrom('cms.webhook_deliveries as c')
      .select('c.id')
      .where(
        'c.id',
        'in',
        trx.selectFrom(ranked.as('r')).select('r.id').where('r.n', '<=', c.perOrganisation),
      )
      .where(claimable('c'))
      .orderBy('c.next_attempt_at')
      .orderBy('c.id')
      .limit(c.limit)
      .forUpdate()
      .skipLocked();
    return trx
      .updateTable('cms.webhook_deliveries as d')
      .from('cms.webhooks as w')
      .set({ claimed_until: c.leaseUntil, claim_id: c.claimId })
      .whereRef('w.id', '=', 'd.webhook_id')
      .where('d.id', 'in', locked)
      .returning([
        'd.id',
        'd.event',
        'd.payload',
        'd.attempts',
        'd.organisation_id',
        'd.created_at',
        'd.next_attempt_at',
        'w.url',
        'w.secret',
        'w.active',
      ])
      .execute();
  },
  /** Records an attempt and releases the claim, if `claimId` still holds it (false when its lease was lost). */
  async recordAttempt(
    trx: Tx,
    id: string,
    claimId: string,
    patch: {
      status: 'pending' | 'delivered' | 'failed';
      attempts: number;
      next_attempt_at: Date | null;
      last_attempt_at: Date;
      last_status_code: number | null;
      last_error: string | null;
      delivered_at: Date | null;
    },
  ): Promise<boolean> {
    const r = await trx
      .updateTable('cms.webhook_deliveries')
      .set({ ...patch, claimed_until: null, claim_id: null })
      .where('id', '=', id)
      .where('claim_id', '=', claimId)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  },
  async deliveries(trx: Tx, orgIds: readonly string[], webhookId: string, limit: number) {
    return trx
      .selectFrom('cms.webhook_deliveries')
      .selectAll()
      .where('organisation_id', 'in', ids(orgIds))
      .where('webhook_id', '=', webhookId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  },
};
