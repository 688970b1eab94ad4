/**
 * Reference data (the `ref` schema): read-only tables loaded by migrations. This module owns `ref.*`; every other
 * module reads reference data through these functions, inside its own transaction.
 */
import type { Tx } from '../../platform/db/scope.ts';

export interface OrganisationType {
  code: string;
  name: string;
  cms_access: boolean;
  des_access: boolean;
}

export interface Ldz {
  code: string;
  name: string;
  gas_distribution_network: string;
}

export const referenceRepository = {
  /** The bank holidays of a region ('YYYY-MM-DD'), for business-day calendars. */
  async bankHolidays(trx: Tx, region = 'england-and-wales'): Promise<string[]> {
    const rows = await trx
      .selectFrom('ref.bank_holidays')
      .select('date')
      .where('region', '=', region)
      .execute();
    return rows.map((r) => r.date);
  },

  /** The gas distribution network an LDZ belongs to, or null for an unknown LDZ. */
  async ldzNetwork(trx: Tx, ldz: string): Promise<string | null> {
    const r = await trx
      .selectFrom('ref.ldzs')
      .select('gas_distribution_network')
      .where('code', '=', ldz)
      .executeTakeFirst();
    return r?.gas_distribution_network ?? null;
  },

  async ldzs(trx: Tx): Promise<Ldz[]> {
    return trx.selectFrom('ref.ldzs').selectAll().orderBy('code').execute();
  },

  async organisationTypes(trx: Tx): Promise<OrganisationType[]> {
    return trx.selectFrom('ref.organisation_types').selectAll().orderBy('code').execute();
  },

  async organisationType(trx: Tx, code: string): Promise<OrganisationType | undefined> {
    return trx.selectFrom('ref.organisation_types').selectAll().where('code', '=', code).executeTakeFirst();
  },
};
