import type { Generated } from 'kysely';

export interface ReferenceTables {
  'ref.organisation_types': { code: string; name: string; cms_access: boolean; des_access: boolean };
  'ref.ldzs': { code: string; name: string; gas_distribution_network: string };
  'ref.meter_point_statuses': { code: string; name: string; description: string };
  'ref.bank_holidays': { date: string; region: Generated<string>; name: string };
}

// This module's tables are part of the database type (see platform/db/schema.ts).
declare module '../../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DB extends ReferenceTables {}
}
