import type { ColumnType, Generated } from 'kysely';

export interface ReferenceTables {
  'ref.organisation_types': { code: string; name: string; cms_access: boolean; des_access: boolean };
  'ref.ldzs': { code: string; name: string; gas_distribution_network: string };
  'ref.meter_point_statuses': { code: string; name: string; description: string };
  'ref.bank_holidays': { date: string; region: Generated<string>; name: string };
  'ref.contact_codes': {
    code: string;
    name: string;
    description: string;
    raised_by: string[];
    portfolio_check: boolean;
    mprn_required: boolean;
    resolver: unknown;
    target_business_days: number;
    response_window_business_days: number;
    challenge_window_business_days: number;
    worked_in: string;
    fields: unknown;
    rules: unknown;
    version: Generated<number>;
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  };
}
