/** SQL for webhooks and their delivery outbox. Every organisation-facing read names the caller's organisations. */
import type { Selectable } from 'kysely';
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
  async activeFor(trx: Tx, orgId: string) {
    return trx
      .selectFrom('cms.webhooks')
      .selectAll()
      .where('organisation_id', '=', orgId)
      .where('active', '=', true)
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
  async due(trx: Tx, now: Date, limit: number) {
    return trx
      .selectFrom('cms.webhook_deliveries as d')
      .innerJoin('cms.webhooks as w', 'w.id', 'd.webhook_id')
      .select([
        'd.id',
        'd.event',
        'd.payload',
        'd.attempts',
        'd.organisation_id',
        'd.created_at',
        'w.url',
        'w.secret',
        'w.active',
      ])
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .orderBy('d.next_attempt_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
  },
  async recordAttempt(
    trx: Tx,
    id: string,
    patch: {
      status: 'pending' | 'delivered' | 'failed';
      attempts: number;
      next_attempt_at: Date | null;
      last_attempt_at: Date;
      last_status_code: number | null;
      last_error: string | null;
      delivered_at: Date | null;
    },
  ) {
    await trx.updateTable('cms.webhook_deliveries').set(patch).where('id', '=', id).execute();
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
