/** SQL for the daily update files (schema `batch`), always for one organisation. */
import { sql, type Insertable } from 'kysely';
import type { Tx } from '../../platform/db/scope.ts';
import type { BatchFilesTables } from './batch-files.tables.ts';

export const updateFilesRepository = {
  async exists(trx: Tx, organisationId: string, businessDate: string): Promise<boolean> {
    const r = await trx
      .selectFrom('batch.update_files')
      .select('id')
      .where('organisation_id', '=', organisationId)
      .where('business_date', '=', businessDate)
      .executeTakeFirst();
    return r !== undefined;
  },

  async lastSequence(trx: Tx, organisationId: string): Promise<number> {
    const r = await trx
      .selectFrom('batch.update_files')
      .select(sql<number>`coalesce(max(sequence_number), 0)::int`.as('n'))
      .where('organisation_id', '=', organisationId)
      .executeTakeFirstOrThrow();
    return r.n;
  },

  /** Writes a file unless the day's file exists already (a concurrent run): 1 when written, 0 otherwise. */
  async insert(trx: Tx, row: Insertable<BatchFilesTables['batch.update_files']>): Promise<number> {
    const r = await trx
      .insertInto('batch.update_files')
      .values(row)
      .onConflict((oc) => oc.columns(['organisation_id', 'business_date']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0);
  },

  async byDate(trx: Tx, organisationId: string, businessDate: string) {
    return trx
      .selectFrom('batch.update_files')
      .select(['content', 'sequence_number', 'changes'])
      .where('organisation_id', '=', organisationId)
      .where('business_date', '=', businessDate)
      .executeTakeFirst();
  },

  async recent(trx: Tx, organisationId: string, limit: number) {
    return trx
      .selectFrom('batch.update_files')
      .select(['business_date', 'sequence_number', 'changes', 'created_at'])
      .where('organisation_id', '=', organisationId)
      .orderBy('business_date', 'desc')
      .limit(limit)
      .execute();
  },
};
