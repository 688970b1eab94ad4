/**
 * The DES register field catalogue: every field of the GES `SupplierFull` record (register-reference.md §2.1),
 * in GES order, with its group, label, type, length and code list. Field names are the real GES snake_case
 * names so existing integrations feel at home.
 */

export type FieldGroup =
  | 'identity_address'
  | 'network_classification'
  | 'status'
  | 'parties'
  | 'quantities'
  | 'meter'
  | 'smart'
  | 'reads';

/**
 * - text: free text, trimmed; `maxLength` characters.
 * - integer: whole number, kept as canonical text (no leading zeros); `maxLength` digits.
 * - decimal: decimal number, kept as canonical text (never through a float); `precision` when fixed-format.
 * - date: calendar date, stored as YYYY-MM-DD.
 * - code: a value from the code list `codeList`.
 * - short_code: a 3-character market participant short code.
 * - postcode: a UK postcode, normalised.
 */
export type FieldType = 'text' | 'integer' | 'decimal' | 'date' | 'code' | 'short_code' | 'postcode';

export interface RegisterField {
  readonly name: string;
  readonly group: FieldGroup;
  readonly label: string;
  readonly type: FieldType;
  /** Maximum length in characters (for integers: digits) where a source gives one. */
  readonly maxLength?: number;
  /** Name of the code list (a key of `CodeLists`) for coded fields. */
  readonly codeList?: string;
  /** Fixed decimal format, e.g. correction_factor "999.999999" = 3 integer and 6 fraction digits. */
  readonly precision?: { readonly integerDigits: number; readonly fractionDigits: number };
  /** True for the 12 fields visible only inside the requester's portfolio (domain.md §2). */
  readonly portfolioOnly: boolean;
}

type Def = Omit<RegisterField, 'portfolioOnly' | 'group'> & { portfolioOnly?: boolean };

function group(g: FieldGroup, defs: readonly Def[]): RegisterField[] {
  return defs.map((d) => ({ ...d, group: g, portfolioOnly: d.portfolioOnly ?? false }));
}

const P = true; // portfolio-only marker, for readability below

/** All 89 fields, in GES order. Lengths for PAF parts follow the PAF digest; others are UK Link formats. */
export const REGISTER_FIELDS: readonly RegisterField[] = Object.freeze([
  ...group('identity_address', [
    { name: 'mprn', label: 'MPRN', type: 'text', maxLength: 10 },
    { name: 'address_id', label: 'Address ID', type: 'text', maxLength: 20 },
    { name: 'uprn', label: 'UPRN', type: 'integer', maxLength: 12 },
    { name: 'sub_building_name', label: 'Sub-building name', type: 'text', maxLength: 30 },
    { name: 'house_name', label: 'Building name', type: 'text', maxLength: 50 },
    { name: 'house_no', label: 'Building number', type: 'text', maxLength: 10 },
    { name: 'po_box_no', label: 'PO box number', type: 'text', maxLength: 6 },
    { name: 'delivery_point_alias', label: 'Delivery point alias', type: 'text', maxLength: 60 },
    { name: 'street', label: 'Street', type: 'text', maxLength: 60 },
    { name: 'dependent_street', label: 'Dependent street', type: 'text', maxLength: 60 },
    { name: 'dependent_local', label: 'Dependent locality', type: 'text', maxLength: 35 },
    { name: 'double_dependent_local', label: 'Double dependent locality', type: 'text', maxLength: 35 },
    { name: 'town', label: 'Post town', type: 'text', maxLength: 30 },
    { name: 'county', label: 'County', type: 'text', maxLength: 30 },
    { name: 'postcode', label: 'Postcode', type: 'postcode', maxLength: 8 },
    { name: 'country', label: 'Country', type: 'text', maxLength: 30 },
  ]),
  ...group('network_classification', [
    { name: 'ldz_id', label: 'LDZ', type: 'code', codeList: 'ldz', maxLength: 2 },
    { name: 'exit_zone', label: 'Exit zone', type: 'code', codeList: 'exit_zone', maxLength: 3 },
    { name: 'network_name', label: 'Network name', type: 'text', maxLength: 60 },
    { name: 'network_owner_effective_from_date', label: 'Network owner effective from', type: 'date' },
    { name: 'csep_id', label: 'CSEP ID', type: 'text', maxLength: 20 },
    { name: 'csep_max_annual_quantity', label: 'CSEP maximum AQ (kWh)', type: 'integer', maxLength: 15 },
    {
      name: 'csep_supply_point_offtake_quantity',
      label: 'CSEP supply point offtake quantity (kWh)',
      type: 'integer',
      maxLength: 15,
    },
    { name: 'igt_transportation_charge_rate', label: 'IGT transportation charge rate', type: 'decimal' },
    {
      name: 'igt_transportation_charge_rate_type',
      label: 'IGT transportation charge rate type',
      type: 'text',
      maxLength: 20,
    },
    { name: 'igt_charging_methodology', label: 'IGT charging methodology', type: 'text', maxLength: 20 },
    {
      name: 'market_sector_code',
      label: 'Market sector',
      type: 'code',
      codeList: 'market_sector',
      maxLength: 1,
    },
    { name: 'end_user_category_code', label: 'End user category (EUC)', type: 'text', maxLength: 12 },
    {
      name: 'end_user_category_identifier',
      label: 'End user category identifier',
      type: 'text',
      maxLength: 20,
    },
    { name: 'class', label: 'Class', type: 'code', codeList: 'class', maxLength: 1 },
    {
      name: 'small_large_supply_point_indicator',
      label: 'Small/large supply point',
      type: 'code',
      codeList: 'ssp_lsp',
      maxLength: 3,
    },
    { name: 'daily_metered_indicator', label: 'Daily metered', type: 'code', codeList: 'daily_metered' },
    { name: 'twin_stream_site_indicator', label: 'Twin stream site', type: 'code', codeList: 'yes_no' },
    {
      name: 'interruption_contract_exists',
      label: 'Interruption contract exists',
      type: 'code',
      codeList: 'yes_no',
    },
    {
      name: 'priority_consumers_indicator',
      label: 'Priority consumer category',
      type: 'text',
      maxLength: 10,
    },
    { name: 'gas_act_owner', label: 'Gas Act owner', type: 'code', codeList: 'gas_act_owner', maxLength: 1 },
  ]),
  ...group('status', [
    {
      name: 'meter_point_status',
      label: 'Meter point status',
      type: 'code',
      codeList: 'meter_point_status',
      maxLength: 2,
    },
    { name: 'isolation_status', label: 'Isolation status', type: 'text', maxLength: 20 },
    { name: 'supply_point_withdrawal_status', label: 'Withdrawal status', type: 'text', maxLength: 20 },
    { name: 'meter_device_status', label: 'Meter device status', type: 'text', maxLength: 20 },
  ]),
  ...group('parties', [
    { name: 'shipper_short_code', label: 'Shipper', type: 'short_code', maxLength: 3 },
    { name: 'shipper_name', label: 'Shipper name', type: 'text', maxLength: 100 },
    { name: 'current_supplier', label: 'Current supplier', type: 'short_code', maxLength: 3 },
    { name: 'current_supplier_name', label: 'Current supplier name', type: 'text', maxLength: 100 },
    { name: 'incoming_supplier', label: 'Incoming supplier', type: 'short_code', maxLength: 3 },
    { name: 'previous_supplier_short_code', label: 'Previous supplier', type: 'short_code', maxLength: 3 },
    { name: 'previous_supplier_name', label: 'Previous supplier name', type: 'text', maxLength: 100 },
    { name: 'mam_short_code', label: 'Meter asset manager', type: 'short_code', maxLength: 3 },
    {
      name: 'meter_asset_manager_effective_date',
      label: 'Meter asset manager effective date',
      type: 'date',
      portfolioOnly: P,
    },
    { name: 'amr_sp', label: 'AMR service provider', type: 'short_code', maxLength: 3 },
    { name: 'smso_id', label: 'Smart meter system operator', type: 'text', maxLength: 10 },
    { name: 'sms_operating_entity_efd', label: 'SMSO effective date', type: 'date' },
    { name: 'installing_supplier_id', label: 'Installing supplier', type: 'short_code', maxLength: 3 },
    {
      name: 'confirmation_reference_number',
      label: 'Confirmation reference',
      type: 'integer',
      maxLength: 10,
      portfolioOnly: P,
    },
    {
      name: 'confirmation_effective_date',
      label: 'Confirmation effective date',
      type: 'date',
      portfolioOnly: P,
    },
  ]),
  ...group('quantities', [
    { name: 'annual_quantity', label: 'Annual quantity (kWh)', type: 'integer', maxLength: 15 },
    { name: 'formula_year_annual_quantity', label: 'Formula year AQ (kWh)', type: 'integer', maxLength: 15 },
    { name: 'offtake_quantity', label: 'Supply offtake quantity (kWh)', type: 'integer', maxLength: 15 },
    {
      name: 'formula_year_offtake_quantity',
      label: 'Formula year SOQ (kWh)',
      type: 'integer',
      maxLength: 15,
    },
    { name: 'supply_meter_point_shq', label: 'Supply hourly quantity (kWh)', type: 'integer', maxLength: 15 },
    {
      name: 'original_supply_meter_point_annual_quantity',
      label: 'Original AQ (kWh)',
      type: 'integer',
      maxLength: 15,
    },
    {
      name: 'supply_meter_point_current_year_minimum_annual_quantity',
      label: 'Current year minimum AQ (kWh)',
      type: 'integer',
      maxLength: 15,
      portfolioOnly: P,
    },
    {
      name: 'smp_prospective_formula_year_aq',
      label: 'Prospective formula year AQ (kWh)',
      type: 'integer',
      maxLength: 15,
    },
    {
      name: 'smp_prospective_formula_year_soq',
      label: 'Prospective formula year SOQ (kWh)',
      type: 'integer',
      maxLength: 15,
    },
    {
      name: 'smp_prospective_formula_year_effective_date',
      label: 'Prospective formula year effective date',
      type: 'date',
    },
  ]),
  ...group('meter', [
    { name: 'msn', label: 'Meter serial number', type: 'text', maxLength: 14 },
    { name: 'meter_type', label: 'Meter type', type: 'code', codeList: 'meter_type', maxLength: 1 },
    {
      name: 'meter_mechanism',
      label: 'Meter mechanism',
      type: 'code',
      codeList: 'meter_mechanism',
      maxLength: 2,
    },
    { name: 'meter_capacity', label: 'Meter capacity', type: 'decimal' },
    {
      name: 'meter_imperial_indicator',
      label: 'Imperial meter',
      type: 'code',
      codeList: 'yes_no',
      maxLength: 1,
    },
    { name: 'meter_number_of_dials', label: 'Number of dials', type: 'integer', maxLength: 2 },
    { name: 'meter_units', label: 'Meter units', type: 'decimal', portfolioOnly: P },
    { name: 'meter_manufacturer', label: 'Meter manufacturer', type: 'text', maxLength: 3, portfolioOnly: P },
    { name: 'meter_model', label: 'Meter model', type: 'text', maxLength: 10, portfolioOnly: P },
    {
      name: 'meter_year_of_manufacture',
      label: 'Meter year of manufacture',
      type: 'integer',
      maxLength: 4,
      portfolioOnly: P,
    },
    { name: 'meter_installation_date', label: 'Meter installation date', type: 'date', portfolioOnly: P },
    {
      name: 'meter_location',
      label: 'Meter location',
      type: 'code',
      codeList: 'meter_location',
      maxLength: 2,
      portfolioOnly: P,
    },
    {
      name: 'correction_factor',
      label: 'Correction factor',
      type: 'decimal',
      precision: { integerDigits: 3, fractionDigits: 6 },
      portfolioOnly: P,
    },
    {
      name: 'convertor_indicator',
      label: 'Convertor fitted',
      type: 'code',
      codeList: 'yes_no',
      maxLength: 1,
    },
    { name: 'meter_link_code', label: 'Meter link', type: 'code', codeList: 'meter_link', maxLength: 1 },
  ]),
  ...group('smart', [
    { name: 'amr_indicator', label: 'AMR device installed', type: 'code', codeList: 'yes_no', maxLength: 1 },
    { name: 'dcc_service_flag', label: 'DCC service flag', type: 'text', maxLength: 2 },
    { name: 'dcc_service_flag_efd', label: 'DCC service flag effective date', type: 'date' },
    { name: 'first_smets_installation_date', label: 'First SMETS installation date', type: 'date' },
    { name: 'ihd_install_status', label: 'In-home display status', type: 'text', maxLength: 10 },
  ]),
  ...group('reads', [
    { name: 'latest_meter_read_date', label: 'Latest meter read date', type: 'date' },
    { name: 'latest_meter_read_type', label: 'Latest meter read type', type: 'text', maxLength: 2 },
    { name: 'latest_meter_read_value', label: 'Latest meter read value', type: 'text', maxLength: 15 },
    {
      name: 'meter_read_batch_frequency',
      label: 'Meter read batch frequency',
      type: 'code',
      codeList: 'read_batch_frequency',
      maxLength: 1,
      portfolioOnly: P,
    },
  ]),
]);

/** Field definitions by name. */
export const REGISTER_FIELD_MAP: ReadonlyMap<string, RegisterField> = new Map(
  REGISTER_FIELDS.map((f) => [f.name, f]),
);

/** Names of all fields, in catalogue order (the column order of a full register load file). */
export const REGISTER_FIELD_NAMES: readonly string[] = REGISTER_FIELDS.map((f) => f.name);

/** The 12 portfolio-only fields (domain.md §2). */
export const PORTFOLIO_ONLY_FIELDS: readonly string[] = REGISTER_FIELDS.filter((f) => f.portfolioOnly).map(
  (f) => f.name,
);
