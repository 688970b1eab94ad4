/** SQL for the contact code catalogue (cms.contact_codes), the CMS's own data. */
import type { Updateable } from 'kysely';
import type { Tx } from '../../platform/db/scope.ts';
import type { CmsTables } from './cms.tables.ts';

export const catalogueRepository = {
  async all(trx: Tx) {
    return trx.selectFrom('cms.contact_codes').selectAll().orderBy('code').execute();
  },
  async byCode(trx: Tx, code: string) {
    return trx.selectFrom('cms.contact_codes').selectAll().where('code', '=', code).executeTakeFirst();
  },
  async update(
    trx: Tx,
    code: string,
    version: number,
    values: Updateable<CmsTables['cms.contact_codes']>,
    at: Date,
  ) {
    return trx
      .updateTable('cms.contact_codes')
      .set({ ...values, version: version + 1, updated_at: at })
      .where('code', '=', code)
      .where('version', '=', version)
      .returningAll()
      .executeTakeFirst();
  },
};
