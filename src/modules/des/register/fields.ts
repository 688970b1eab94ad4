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
  /**
   * For a free-text field whose usual values have meanings (e.g. a read type): the code list the pages take the
   * meanings from. Unlike `codeList` it is never a validation rule (a load may carry other values).
   */
  readonly meaningList?: string;
  /** The unit of a quantity, shown after its value on pages (e.g. "121,669,171 kWh"). */
  readonly unit?: 'kWh';
  /** Fixed decimal format, e.g. correction_factor "999.999999" = 3 integer and 6 fraction digits. */
  readonly precision?: { readonly integerDigits: number; readonly fractionDigits: number };
  /** True for the 12 fields visible only inside the requester's portfolio (domain.md §2). */
  readonly portfolioOnly: boolean;
  /** True for a register column beyond the GES SupplierFull names (not in the GES-compatible API). */
  readonly extension?: boolean;
}

type Def = Omit<RegisterField, 'portfolioOnly' | 'group'> & { portfolioOnly?: boolean };

function group(g: FieldGroup, defs: readonly Def[]): RegisterField[] {
  return defs.map((d) => ({ ...d, group: g, portfolioOnly: d.portfolioOnly ?? false }));
}

/** `{ maxLength }` when a source gives a length, nothing otherwise (so an absent length stays absent). */
const len = (maxLength: number | undefined) => (maxLength === undefined ? {} : { maxLength });

// One builder a field type, so each definition below is one line: name, label, then what the type needs.
const def = (type: FieldType, name: string, label: string, more: Partial<Def> = {}): Def => ({
  name,
  label,
  type,
  ...more,
});
const text = (name: string, label: string, maxLength?: number) => def('text', name, label, len(maxLength));
const integer = (name: string, label: string, maxLength: number) =>
  def('integer', name, label, { maxLength });
/** A quantity in kWh: a whole number of up to 15 digits (UK Link). */
const kwh = (name: string, label: string) => ({ ...integer(name, label, 15), unit: 'kWh' as const });
const decimal = (name: string, label: string) => def('decimal', name, label);
const date = (name: string, label: string) => def('date', name, label);
const code = (name: string, label: string, codeList: string, maxLength?: number) =>
  def('code', name, label, { codeList, ...len(maxLength) });
const shortCode = (name: string, label: string) => def('short_code', name, label, { maxLength: 3 });
const postcode = (name: string, label: string, maxLength: number) =>
  def('postcode', name, label, { maxLength });
/** Marks a field as visible only inside the requester's portfolio. */
const portfolioOnly = (field: Def): Def => ({ ...field, portfolioOnly: true });

/**
 * All 89 GES fields, in GES order, and the 2 register columns beyond them (marked `extension`). Lengths for PAF
 * parts follow the PAF digest; others are UK Link formats.
 */
export const REGISTER_FIELDS: readonly RegisterField[] = Object.freeze([
  ...group('identity_address', [
    text('mprn', 'MPRN', 10),
    text('address_id', 'Address ID', 20),
    integer('uprn', 'UPRN', 12),
    text('sub_building_name', 'Sub-building name', 30),
    text('house_name', 'Building name', 50),
    text('house_no', 'Building number', 10),
    text('po_box_no', 'PO box number', 6),
    text('delivery_point_alias', 'Delivery point alias', 60),
    text('street', 'Street', 60),
    text('dependent_street', 'Dependent street', 60),
    text('dependent_local', 'Dependent locality', 35),
    text('double_dependent_local', 'Double dependent locality', 35),
    text('town', 'Post town', 30),
    text('county', 'County', 30),
    postcode('postcode', 'Postcode', 8),
    text('country', 'Country', 30),
  ]),
  ...group('network_classification', [
    code('ldz_id', 'LDZ', 'ldz', 2),
    code('exit_zone', 'Exit zone', 'exit_zone', 3),
    text('network_name', 'Network name', 60),
    date('network_owner_effective_from_date', 'Network owner effective from'),
    text('csep_id', 'CSEP ID', 20),
    kwh('csep_max_annual_quantity', 'CSEP maximum AQ (kWh)'),
    kwh('csep_supply_point_offtake_quantity', 'CSEP supply point offtake quantity (kWh)'),
    decimal('igt_transportation_charge_rate', 'IGT transportation charge rate'),
    text('igt_transportation_charge_rate_type', 'IGT transportation charge rate type', 20),
    text('igt_charging_methodology', 'IGT charging methodology', 20),
    code('market_sector_code', 'Market sector', 'market_sector', 1),
    text('end_user_category_code', 'End user category (EUC)', 12),
    text('end_user_category_identifier', 'End user category identifier', 20),
    code('class', 'Class', 'class', 1),
    code('small_large_supply_point_indicator', 'Small/large supply point', 'ssp_lsp', 3),
    code('daily_metered_indicator', 'Daily metered', 'daily_metered'),
    code('twin_stream_site_indicator', 'Twin stream site', 'yes_no'),
    code('interruption_contract_exists', 'Interruption contract exists', 'yes_no'),
    text('priority_consumers_indicator', 'Priority consumer category', 10),
    code('gas_act_owner', 'Gas Act owner', 'gas_act_owner', 1),
  ]),
  ...group('status', [
    code('meter_point_status', 'Meter point status', 'meter_point_status', 2),
    text('isolation_status', 'Isolation status', 20),
    text('supply_point_withdrawal_status', 'Withdrawal status', 20),
    text('meter_device_status', 'Meter device status', 20),
  ]),
  ...group('parties', [
    shortCode('shipper_short_code', 'Shipper'),
    // Beyond the GES names (UNC's Shipperless and Unregistered process; docs/formats/des-load.md).
    {
      ...shortCode('last_shipper_short_code', 'Last registered shipper (shipperless site)'),
      extension: true,
    },
    {
      ...shortCode('interested_shipper_short_code', 'Interested shipper (unregistered site)'),
      extension: true,
    },
    text('shipper_name', 'Shipper name', 100),
    shortCode('current_supplier', 'Current supplier'),
    text('current_supplier_name', 'Current supplier name', 100),
    shortCode('incoming_supplier', 'Incoming supplier'),
    shortCode('previous_supplier_short_code', 'Previous supplier'),
    text('previous_supplier_name', 'Previous supplier name', 100),
    shortCode('mam_short_code', 'Meter asset manager'),
    portfolioOnly(date('meter_asset_manager_effective_date', 'Meter asset manager effective date')),
    shortCode('amr_sp', 'AMR service provider'),
    text('smso_id', 'Smart meter system operator', 10),
    date('sms_operating_entity_efd', 'SMSO effective date'),
    shortCode('installing_supplier_id', 'Installing supplier'),
    portfolioOnly(integer('confirmation_reference_number', 'Confirmation reference', 10)),
    portfolioOnly(date('confirmation_effective_date', 'Confirmation effective date')),
  ]),
  ...group('quantities', [
    kwh('annual_quantity', 'Annual quantity (kWh)'),
    kwh('formula_year_annual_quantity', 'Formula year AQ (kWh)'),
    kwh('offtake_quantity', 'Supply offtake quantity (kWh)'),
    kwh('formula_year_offtake_quantity', 'Formula year SOQ (kWh)'),
    kwh('supply_meter_point_shq', 'Supply hourly quantity (kWh)'),
    kwh('original_supply_meter_point_annual_quantity', 'Original AQ (kWh)'),
    portfolioOnly(
      kwh('supply_meter_point_current_year_minimum_annual_quantity', 'Current year minimum AQ (kWh)'),
    ),
    kwh('smp_prospective_formula_year_aq', 'Prospective formula year AQ (kWh)'),
    kwh('smp_prospective_formula_year_soq', 'Prospective formula year SOQ (kWh)'),
    date('smp_prospective_formula_year_effective_date', 'Prospective formula year effective date'),
  ]),
  ...group('meter', [
    text('msn', 'Meter serial number', 14),
    code('meter_type', 'Meter type', 'meter_type', 1),
    code('meter_mechanism', 'Meter mechanism', 'meter_mechanism', 2),
    decimal('meter_capacity', 'Meter capacity'),
    code('meter_imperial_indicator', 'Imperial meter', 'yes_no', 1),
    integer('meter_number_of_dials', 'Number of dials', 2),
    portfolioOnly(decimal('meter_units', 'Meter units')),
    portfolioOnly(text('meter_manufacturer', 'Meter manufacturer', 3)),
    portfolioOnly(text('meter_model', 'Meter model', 10)),
    portfolioOnly(integer('meter_year_of_manufacture', 'Meter year of manufacture', 4)),
    portfolioOnly(date('meter_installation_date', 'Meter installation date')),
    portfolioOnly(code('meter_location', 'Meter location', 'meter_location', 2)),
    portfolioOnly({
      ...decimal('correction_factor', 'Correction factor'),
      precision: { integerDigits: 3, fractionDigits: 6 },
    }),
    code('convertor_indicator', 'Convertor fitted', 'yes_no', 1),
    code('meter_link_code', 'Meter link', 'meter_link', 1),
  ]),
  ...group('smart', [
    code('amr_indicator', 'AMR device installed', 'yes_no', 1),
    { ...text('dcc_service_flag', 'DCC service flag', 2), meaningList: 'dcc_service_flag' },
    date('dcc_service_flag_efd', 'DCC service flag effective date'),
    date('first_smets_installation_date', 'First SMETS installation date'),
    text('ihd_install_status', 'In-home display status', 10),
  ]),
  ...group('reads', [
    date('latest_meter_read_date', 'Latest meter read date'),
    { ...text('latest_meter_read_type', 'Latest meter read type', 2), meaningList: 'read_type' },
    text('latest_meter_read_value', 'Latest meter read value', 15),
    portfolioOnly(
      code('meter_read_batch_frequency', 'Meter read batch frequency', 'read_batch_frequency', 1),
    ),
  ]),
]);

/** Field definitions by name. */
export const REGISTER_FIELD_MAP: ReadonlyMap<string, RegisterField> = new Map(
  REGISTER_FIELDS.map((f) => [f.name, f]),
);

/** The 89 GES SupplierFull fields (the catalogue without its extensions), in GES order. */
export const GES_FIELDS: readonly RegisterField[] = REGISTER_FIELDS.filter((f) => f.extension !== true);

/** Names of all fields, in catalogue order (the column order of a full register load file). */
export const REGISTER_FIELD_NAMES: readonly string[] = REGISTER_FIELDS.map((f) => f.name);

/** The 12 portfolio-only fields (domain.md §2). */
export const PORTFOLIO_ONLY_FIELDS: readonly string[] = REGISTER_FIELDS.filter((f) => f.portfolioOnly).map(
  (f) => f.name,
);
