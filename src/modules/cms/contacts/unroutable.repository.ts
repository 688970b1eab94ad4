/**
 * SQL of the unroutable attempts: raises refused because no party could be routed to. Written under the raiser's
 * scope; read only by the CDSP (the caller reads under the system scope after checking that).
 */
import type { Insertable, Selectable } from 'kysely';
import type { Tx } from '../../../platform/db/scope.ts';
import type { CmsTables } from '../cms.tables.ts';

export type UnroutableRow = Selectable<CmsTables['cms.unroutable_attempts']>;

export const unroutableRepository = {
  async insert(trx: Tx, row: Insertable<CmsTables['cms.unroutable_attempts']>): Promise<UnroutableRow> {
    return trx.insertInto('cms.unroutable_attempts').values(row).returningAll().executeTakeFirstOrThrow();
  },

  /** The newest first, at most `limit`. */
  async list(trx: Tx, o: { limit: number }): Promise<UnroutableRow[]> {
    return trx
      .selectFrom('cms.unroutable_attempts')
      .selectAll()
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(o.limit)
      .execute();
  },

  /** Each catalogue code's name (the list shows labels, not codes alone). */
  async codeNames(trx: Tx): Promise<Map<string, string>> {
    const rows = await trx.selectFrom('cms.contact_codes').select(['code', 'name']).execute();
    return new Map(rows.map((r) => [r.code, r.name]));
  },
};
