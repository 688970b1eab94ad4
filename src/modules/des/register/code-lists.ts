/**
 * DEFAULT code lists for the DES register (register-reference.md §7, domain.md §3).
 *
 * These are plain data. A migration (written elsewhere) seeds reference tables from them; at run time the
 * validator receives the operator's current lists as an input (`CodeLists`), never these constants, so an
 * operator can change a list without a release. Codes marked [I] in the reference are our defaults.
 */

/** One code list: code → human meaning. Codes are matched case-insensitively by the validator. */
export type CodeListData = Readonly<Record<string, string>>;

/** Code lists as handed to the validator: list name → (code → meaning). */
export type CodeLists = Readonly<Record<string, ReadonlyMap<string, string>>>;

/** The 13 LDZs [public]. */
const ldz: CodeListData = {
  EA: 'East Anglia',
  EM: 'East Midlands',
  NE: 'North East',
  NO: 'Northern',
  NT: 'North Thames',
  NW: 'North West',
  SC: 'Scotland',
  SE: 'South East',
  SO: 'Southern',
  SW: 'South West',
  WM: 'West Midlands',
  WN: 'Wales North',
  WS: 'Wales South',
};

/**
 * LDZ → Gas Distribution Network name (register-reference §7.2); the default `network_name` of a GT site. The names
 * are the networks' full names, as in ref.ldzs and the transporters' `network_name`, so GT portfolios match.
 */
const ldzNetwork: CodeListData = {
  EA: 'Cadent',
  EM: 'Cadent',
  NE: 'Northern Gas Networks',
  NO: 'Northern Gas Networks',
  NT: 'Cadent',
  NW: 'Cadent',
  SC: 'SGN',
  SE: 'SGN',
  SO: 'SGN',
  SW: 'Wales & West Utilities',
  WM: 'Cadent',
  WN: 'Wales & West Utilities',
  WS: 'Wales & West Utilities',
};

/** Number of exit zones per LDZ (register-reference §7.3, [I]). */
const EXIT_ZONE_COUNTS: Readonly<Record<string, number>> = {
  EA: 4,
  EM: 4,
  NE: 3,
  NO: 2,
  NT: 3,
  NW: 2,
  SC: 4,
  SE: 2,
  SO: 2,
  SW: 3,
  WM: 3,
  WN: 1,
  WS: 1,
};

const exitZone: Record<string, string> = {};
/** Exit zone → the LDZ it belongs to; used for the exit-zone/LDZ consistency warning and by the generator. */
const exitZoneLdz: Record<string, string> = {};
for (const [code, n] of Object.entries(EXIT_ZONE_COUNTS)) {
  for (let i = 1; i <= n; i++) {
    exitZone[`${code}${i}`] = `${ldz[code]} exit zone ${i}`;
    exitZoneLdz[`${code}${i}`] = code;
  }
}

const meterLocation: CodeListData = {
  '0': 'Unknown',
  '1': 'Cellar',
  '2': 'Under Stairs',
  '3': 'Hall',
  '4': 'Kitchen',
  '5': 'Bathroom',
  '6': 'Garage',
  '7': 'Canteen',
  '8': 'Cloakroom',
  '9': 'Cupboard',
  '10': 'Domestic',
  '11': 'Front Door',
  '12': 'Hall Cupboard',
  '13': 'Kitchen Cupboard',
  '14': 'Kitchen under the sink',
  '15': 'Landing',
  '16': 'Office',
  '17': 'Office Cupboard',
  '18': 'Outside WC',
  '19': 'Pantry',
  '20': 'Porch',
  '21': 'Public Bar',
  '22': 'Rear of Shop',
  '23': 'Saloon Bar',
  '24': 'Shed',
  '25': 'Shop Front',
  '26': 'Shop Window',
  '27': 'Staff Room',
  '28': 'Store Room',
  '29': 'Toilet',
  '30': 'Under Counter',
  '31': 'Waiting Room',
  '32': 'Meterbox',
  '98': 'Other',
  '99': 'Outside',
};

/**
 * EUC band → lower AQ bound in kWh (register-reference §7.4, [I]). A band runs from its bound up to the next
 * band's bound; band 01 is 0–73,200. Kept as data so the bands can be re-cut without a release.
 */
const eucBandMinAq: CodeListData = {
  '01': '0',
  '02': '73200',
  '03': '293000',
  '04': '732000',
  '05': '2196000',
  '06': '5860000',
  '07': '14650000',
  '08': '29300000',
  '09': '58600000',
};

/** The default code lists as plain data, keyed by list name (the `codeList` of a field in fields.ts). */
export const DEFAULT_CODE_LIST_DATA: Readonly<Record<string, CodeListData>> = {
  ldz,
  ldz_network: ldzNetwork,
  exit_zone: exitZone,
  exit_zone_ldz: exitZoneLdz,
  class: { '1': 'Class 1', '2': 'Class 2', '3': 'Class 3', '4': 'Class 4' },
  market_sector: { D: 'Domestic', I: 'Industrial and Commercial' },
  meter_type: {
    R: 'Rotary',
    T: 'Turbine',
    D: 'Diaphragm of unknown material',
    L: 'Leather Diaphragm',
    S: 'Synthetic Diaphragm',
    U: 'Ultrasonic',
    O: 'Orifice',
    Z: 'Unknown',
  },
  meter_location: meterLocation,
  meter_point_status: {
    LI: 'Live',
    CA: 'Capped',
    CL: 'Clamped',
    IS: 'Isolated',
    DE: 'Dead',
    EX: 'Extinct',
  },
  meter_link: { P: 'Primary Meter', S: 'Sub-meter', F: 'Free standing meter' },
  read_batch_frequency: { W: 'Weekly (7 days)', F: 'Fortnightly (14 days)', M: 'Monthly', '6': '6 monthly' },
  gas_act_owner: { T: 'GAO Transporter', S: 'GAO Supplier', C: 'GAO Consumer', U: 'Unknown' },
  yes_no: { Y: 'Yes', N: 'No' },
  ssp_lsp: { SSP: 'Small Supply Point', LSP: 'Large Supply Point' },
  daily_metered: { 'Daily Metered': 'Daily Metered', 'Non Daily Metered': 'Non Daily Metered' },
  meter_mechanism: {
    CR: 'Credit',
    PP: 'Prepayment',
    ET: 'Electronic Token',
    MT: 'Mechanical Token',
    CM: 'Coin',
    TH: 'Thrift',
    S1: 'SMETS1',
    S2: 'SMETS2',
    NS: 'Non-compliant smart',
    U: 'Unknown',
  },
  euc_band_min_aq: eucBandMinAq,
  // Meanings shown on pages for two free-text fields (never validated; [I] our defaults).
  read_type: { A: 'Actual', C: 'Customer', E: 'Estimated' },
  dcc_service_flag: { A: 'Active', N: 'Not active' },
};

/** Turns plain code-list data (e.g. rows read from reference tables) into the validator's `CodeLists`. */
export function toCodeLists(data: Readonly<Record<string, CodeListData>>): CodeLists {
  const out: Record<string, ReadonlyMap<string, string>> = {};
  for (const [name, list] of Object.entries(data)) out[name] = new Map(Object.entries(list));
  return out;
}

/**
 * The defaults in validator form. Only for tests, the generator and the seeding migration: production code
 * must pass the operator's lists, loaded from the reference tables.
 */
export const DEFAULT_CODE_LISTS: CodeLists = toCodeLists(DEFAULT_CODE_LIST_DATA);
