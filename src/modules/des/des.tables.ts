import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;
/** int8 columns come back as strings (never lose precision to a JS number). */
type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;

/** The 90 register fields besides `mprn` (88 GES, 2 extensions), as stored: canonical text, null when empty. */
export interface RegisterFieldColumns {
  address_id: string | null;
  uprn: string | null;
  sub_building_name: string | null;
  house_name: string | null;
  house_no: string | null;
  po_box_no: string | null;
  delivery_point_alias: string | null;
  street: string | null;
  dependent_street: string | null;
  dependent_local: string | null;
  double_dependent_local: string | null;
  town: string | null;
  county: string | null;
  postcode: string | null;
  country: string | null;
  ldz_id: string | null;
  exit_zone: string | null;
  network_name: string | null;
  network_owner_effective_from_date: string | null;
  csep_id: string | null;
  csep_max_annual_quantity: string | null;
  csep_supply_point_offtake_quantity: string | null;
  igt_transportation_charge_rate: string | null;
  igt_transportation_charge_rate_type: string | null;
  igt_charging_methodology: string | null;
  market_sector_code: string | null;
  end_user_category_code: string | null;
  end_user_category_identifier: string | null;
  class: string | null;
  small_large_supply_point_indicator: string | null;
  daily_metered_indicator: string | null;
  twin_stream_site_indicator: string | null;
  interruption_contract_exists: string | null;
  priority_consumers_indicator: string | null;
  gas_act_owner: string | null;
  meter_point_status: string | null;
  isolation_status: string | null;
  supply_point_withdrawal_status: string | null;
  meter_device_status: string | null;
  shipper_short_code: string | null;
  /** Beyond the GES names (S&U): the shipper registered before the site became shipperless. */
  last_shipper_short_code: string | null;
  /** Beyond the GES names (S&U): the shipper that asked for the MPRN to be created (a never-registered site). */
  interested_shipper_short_code: string | null;
  shipper_name: string | null;
  current_supplier: string | null;
  current_supplier_name: string | null;
  incoming_supplier: string | null;
  previous_supplier_short_code: string | null;
  previous_supplier_name: string | null;
  mam_short_code: string | null;
  meter_asset_manager_effective_date: string | null;
  amr_sp: string | null;
  smso_id: string | null;
  sms_operating_entity_efd: string | null;
  installing_supplier_id: string | null;
  confirmation_reference_number: string | null;
  confirmation_effective_date: string | null;
  annual_quantity: string | null;
  formula_year_annual_quantity: string | null;
  offtake_quantity: string | null;
  formula_year_offtake_quantity: string | null;
  supply_meter_point_shq: string | null;
  original_supply_meter_point_annual_quantity: string | null;
  supply_meter_point_current_year_minimum_annual_quantity: string | null;
  smp_prospective_formula_year_aq: string | null;
  smp_prospective_formula_year_soq: string | null;
  smp_prospective_formula_year_effective_date: string | null;
  msn: string | null;
  meter_type: string | null;
  meter_mechanism: string | null;
  meter_capacity: string | null;
  meter_imperial_indicator: string | null;
  meter_number_of_dials: string | null;
  meter_units: string | null;
  meter_manufacturer: string | null;
  meter_model: string | null;
  meter_year_of_manufacture: string | null;
  meter_installation_date: string | null;
  meter_location: string | null;
  correction_factor: string | null;
  convertor_indicator: string | null;
  meter_link_code: string | null;
  amr_indicator: string | null;
  dcc_service_flag: string | null;
  dcc_service_flag_efd: string | null;
  first_smets_installation_date: string | null;
  ihd_install_status: string | null;
  latest_meter_read_date: string | null;
  latest_meter_read_type: string | null;
  latest_meter_read_value: string | null;
  meter_read_batch_frequency: string | null;
}

export interface SupplyPointVersionTable extends RegisterFieldColumns {
  id: Generated<Int8>;
  mprn: string;
  /** Valid time: business dates [valid_from, valid_to); null = open-ended. */
  valid_from: string;
  valid_to: string | null;
  /** Transaction time: load sequence numbers [known_from, known_to); null = current knowledge. */
  known_from: Int8;
  known_to: Int8 | null;
}

export type LoadStatus = 'queued' | 'applied' | 'duplicate' | 'refused' | 'failed';
export type LoadSource = 'cli' | 'api' | 'schedule' | 'seed';

export interface DesTables {
  'des.code_lists': { list_name: string; code: string; meaning: string };
  'des.portfolio_rules': { organisation_type: string; register_field: string };
  'des.loads': {
    id: Generated<string>;
    seq: Int8 | null;
    business_date: string;
    file_name: string;
    file_path: string;
    file_sha256: string;
    file_bytes: Int8;
    status: LoadStatus;
    correction: boolean;
    check_digit_policy: 'warn' | 'error';
    source: LoadSource;
    requested_by_user_id: string | null;
    requested_by_label: string;
    requested_at: Timestamp;
    applied_at: Timestamp | null;
    rows_read: number | null;
    inserted: number | null;
    changed: number | null;
    unchanged: number | null;
    rejected: number | null;
    warnings: number | null;
    rejects_path: string | null;
    message: string | null;
  };
  'des.load_rejects': {
    load_id: string;
    row_number: number;
    mprn: string | null;
    field: string | null;
    severity: 'error' | 'warning';
    reason: string;
  };
  'des.supply_point_versions': SupplyPointVersionTable;
}

// This module's tables are part of the database type (see platform/db/schema.ts).
declare module '../../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DB extends DesTables {}
}
