/** Builds one complete, plausible register row (a supply point) for the register generator. */
import { fromDayNumber, isIsoDate, toDayNumber } from '../../../../platform/time/calendar.ts';
import { mprnWithCheckDigits } from '../../../../platform/gas/mprn.ts';
import type { CodeLists } from '../../register/code-lists.ts';
import { REGISTER_FIELD_NAMES } from '../../register/fields.ts';
import { canonicalDecimal } from '../../register/row-validator.ts';
import {
  AREAS,
  BUSINESS_ALIASES,
  CAPACITY_BY_MODEL,
  HOUSE_NAMES,
  INWARD_LETTERS,
  LDZ_WEIGHTS,
  LOCALITIES,
  MANUFACTURERS,
  STREET_TYPES,
  STREET_WORDS,
} from './geography.ts';
import { skewed, type Rng } from '../../../../platform/rng.ts';

export interface GeneratorOrgs {
  readonly shippers: readonly string[];
  readonly suppliers: readonly string[];
  readonly mams: readonly string[];
  readonly igts: readonly { readonly shortCode: string; readonly networkName: string }[];
}

export interface Context {
  readonly orgs: GeneratorOrgs;
  readonly shippers: (readonly [string, number])[];
  readonly suppliers: (readonly [string, number])[];
  readonly mams: (readonly [string, number])[];
  readonly exitZonesByLdz: ReadonlyMap<string, string[]>;
  readonly networkByLdz: ReadonlyMap<string, string>;
  readonly eucBands: readonly (readonly [string, number])[]; // [band, min AQ], ascending
  readonly today: number; // business date as a day number
  readonly gasYear: string; // two digits, e.g. '24' for gas year 2024/25
}

export function makeContext(orgs: GeneratorOrgs, businessDate: string, codeLists: CodeLists): Context {
  if (orgs.shippers.length === 0 || orgs.suppliers.length === 0 || orgs.mams.length === 0) {
    throw new Error('orgs must list at least one shipper, supplier and MAM');
  }
  if (!isIsoDate(businessDate)) throw new Error(`bad business date '${businessDate}'`);
  const exitZonesByLdz = new Map<string, string[]>();
  for (const [zone, ldz] of codeLists['exit_zone_ldz'] ?? []) {
    exitZonesByLdz.set(ldz, [...(exitZonesByLdz.get(ldz) ?? []), zone]);
  }
  const eucBands = [...(codeLists['euc_band_min_aq'] ?? [])]
    .map(([band, min]) => [band, Number(min)] as const)
    .sort((a, b) => a[1] - b[1]);
  const year = Number(businessDate.slice(0, 4));
  const month = Number(businessDate.slice(5, 7));
  const gasYearStart = month >= 10 ? year : year - 1; // the gas year starts on 1 October
  return {
    orgs,
    shippers: skewed(orgs.shippers),
    suppliers: skewed(orgs.suppliers),
    mams: skewed(orgs.mams),
    exitZonesByLdz,
    networkByLdz: new Map(codeLists['ldz_network'] ?? []),
    eucBands,
    today: toDayNumber(businessDate),
    gasYear: String(gasYearStart % 100).padStart(2, '0'),
  };
}

export function blankRow(): Record<string, string> {
  const row: Record<string, string> = {};
  for (const name of REGISTER_FIELD_NAMES) row[name] = '';
  return row;
}

export function randomPostcode(rng: Rng, area: string): string {
  const district = area.length === 1 ? rng.int(1, 40) : rng.int(1, 29);
  return `${area}${district} ${rng.int(0, 9)}${rng.pick([...INWARD_LETTERS])}${rng.pick([...INWARD_LETTERS])}`;
}

export function randomInward(rng: Rng): string {
  return `${rng.int(0, 9)}${rng.pick([...INWARD_LETTERS])}${rng.pick([...INWARD_LETTERS])}`;
}

export function eucCode(ctx: Context, rng: Rng, ldz: string, aq: number): string {
  let band = ctx.eucBands[0]?.[0] ?? '01';
  for (const [b, min] of ctx.eucBands) if (aq > min && min > 0) band = b; // a band starts just above its bound
  const suffix = band === '01' || rng.chance(0.7) ? 'B' : `W0${rng.int(1, 4)}`;
  return `${ldz}:E${ctx.gasYear}${band}${suffix}`;
}

export function soqFor(aq: number, dailyMetered: boolean, domestic: boolean): number {
  return Math.max(1, Math.round(dailyMetered ? (aq / 365) * 1.4 : aq * (domestic ? 0.008 : 0.006)));
}

/** Fills the meter and read columns of `row` for a meter installed on day `installDay`. */
export function fitMeter(
  ctx: Context,
  rng: Rng,
  row: Record<string, string>,
  installDay: number,
  exchange: boolean,
): void {
  const domestic = row['market_sector_code'] === 'D';
  const cls = row['class'];
  const large = !domestic && (cls === '1' || cls === '2' || Number(row['annual_quantity']) > 732_000);
  const installYear = Number(fromDayNumber(installDay).slice(0, 4));
  let mechanism: string;
  if (large) mechanism = 'CR';
  else if (installYear >= 2018)
    mechanism = rng.weighted([
      ['S2', exchange ? 80 : 55],
      ['CR', 30],
      ['PP', 10],
    ]);
  else if (installYear >= 2013)
    mechanism = rng.weighted([
      ['S1', 30],
      ['CR', 55],
      ['PP', 10],
      ['NS', 5],
    ]);
  else
    mechanism = rng.weighted([
      ['CR', 80],
      ['PP', 10],
      ['ET', 5],
      ['MT', 2],
      ['CM', 1],
      ['U', 2],
    ]);
  const smart = mechanism === 'S1' || mechanism === 'S2';
  let type: string;
  let model: string;
  if (large) {
    const aq = Number(row['annual_quantity']);
    type =
      aq > 100_000_000 && rng.chance(0.3)
        ? 'O'
        : rng.weighted([
            ['R', 50],
            ['T', 25],
            ['U', 15],
            ['D', 10],
          ]);
    model =
      type === 'O'
        ? 'ORIFICE'
        : type === 'T'
          ? rng.pick(['G250', 'G400', 'G1000', 'G2500'])
          : rng.pick(['G16', 'G25', 'G40', 'G65']);
  } else {
    type = smart
      ? rng.weighted([
          ['U', 60],
          ['S', 40],
        ])
      : rng.weighted([
          ['S', 55],
          ['D', 20],
          ['U', 10],
          ['L', installYear < 2000 ? 15 : 0],
          ['Z', 1],
        ]);
    model = domestic ? rng.pick(['U6', 'E6', 'G4']) : rng.pick(['U6', 'U16', 'G16']);
  }
  const imperial = installYear < 2000 && !large && rng.chance(0.15);
  const dials = large ? rng.int(6, 8) : imperial ? 4 : 5;
  const prefix = large ? type : rng.pick(['E6S', 'G4K', 'SMT', 'U6E', 'L2A']);
  const msnDigits = large ? 8 : rng.int(7, 9);
  const msn = `${prefix}${String(rng.int(0, 10 ** msnDigits - 1)).padStart(msnDigits, '0')}${String(installYear % 100).padStart(2, '0')}`;
  row['msn'] = msn;
  row['meter_type'] = type;
  row['meter_mechanism'] = mechanism;
  row['meter_model'] = model;
  row['meter_capacity'] = CAPACITY_BY_MODEL[model] ?? '6';
  row['meter_manufacturer'] = rng.pick(MANUFACTURERS);
  row['meter_year_of_manufacture'] = String(installYear - rng.int(0, 2));
  row['meter_installation_date'] = fromDayNumber(installDay);
  row['meter_imperial_indicator'] = imperial ? 'Y' : 'N';
  row['meter_units'] = imperial ? '100' : '1';
  row['meter_number_of_dials'] = String(dials);
  if (!exchange || row['meter_location'] === '') {
    row['meter_location'] = domestic
      ? rng.weighted([
          ['2', 25],
          ['32', 25],
          ['99', 20],
          ['4', 8],
          ['1', 5],
          ['6', 5],
          ['9', 5],
          ['0', 4],
          ['3', 2],
          ['11', 1],
        ])
      : rng.weighted([
          ['28', 20],
          ['22', 15],
          ['99', 20],
          ['98', 10],
          ['7', 5],
          ['16', 10],
          ['32', 15],
          ['0', 5],
        ]);
  }
  row['dcc_service_flag'] = mechanism === 'S2' ? 'A' : mechanism === 'S1' ? rng.pick(['A', 'N']) : '';
  row['dcc_service_flag_efd'] = smart ? fromDayNumber(installDay) : '';
  if (smart && row['first_smets_installation_date'] === '')
    row['first_smets_installation_date'] = fromDayNumber(installDay);
  // An exchanged meter starts with an opening read; otherwise the latest read is recent.
  const readDay = exchange
    ? installDay
    : ctx.today - (cls === '1' || cls === '2' ? 1 : rng.int(1, cls === '3' ? 40 : 200));
  row['latest_meter_read_date'] = fromDayNumber(Math.max(readDay, installDay));
  row['latest_meter_read_type'] =
    exchange || cls === '1' || cls === '2'
      ? 'A'
      : rng.weighted([
          ['A', 70],
          ['C', 10],
          ['E', 20],
        ]);
  row['latest_meter_read_value'] = String(exchange ? rng.int(0, 20) : rng.int(0, 10 ** dials - 1)).padStart(
    dials,
    '0',
  );
}

export interface SiteIds {
  readonly mprn: string;
  readonly addressId: string;
  readonly uprn: string;
  readonly confirmationReference: string;
}

/** Builds a complete register row. `newSite` makes a just-connected live site (dates = business date). */
export function buildSite(ctx: Context, rng: Rng, ids: SiteIds, newSite: boolean): Record<string, string> {
  const row = blankRow();
  row['mprn'] = ids.mprn;
  row['address_id'] = ids.addressId;
  row['uprn'] = ids.uprn;

  // Network and address.
  const ldz = rng.weighted(LDZ_WEIGHTS);
  const [area = 'B', town = '', county = ''] = rng
    .pick(AREAS[ldz] ?? ['B:Birmingham:West Midlands'])
    .split(':');
  const domestic = rng.chance(0.9);
  const igt =
    ctx.orgs.igts.length > 0 && rng.chance(domestic ? (newSite ? 0.5 : 0.07) : 0.01)
      ? rng.pick(ctx.orgs.igts)
      : null;
  row['ldz_id'] = ldz;
  row['exit_zone'] = rng.pick(ctx.exitZonesByLdz.get(ldz) ?? ['']);
  row['network_name'] = igt ? igt.networkName : (ctx.networkByLdz.get(ldz) ?? '');
  const connectedDay = newSite ? ctx.today : ctx.today - rng.int(400, 9000);
  if (igt) {
    row['csep_id'] = `${igt.shortCode}-${String(rng.int(1, 999_999)).padStart(6, '0')}`;
    row['csep_max_annual_quantity'] = String(rng.int(20, 400) * 12_000);
    row['csep_supply_point_offtake_quantity'] = String(
      Math.round(Number(row['csep_max_annual_quantity']) * 0.008),
    );
    row['igt_charging_methodology'] = 'RPC';
    row['network_owner_effective_from_date'] = fromDayNumber(connectedDay);
  } else {
    row['network_owner_effective_from_date'] = '2005-06-01';
  }
  const street = `${rng.pick(STREET_WORDS)} ${rng.pick(STREET_TYPES)}`;
  const style = rng.next();
  if (domestic) {
    if (style < 0.15) {
      row['sub_building_name'] = `Flat ${rng.int(1, 40)}`;
      row['house_name'] = `${rng.pick(STREET_WORDS)} ${rng.pick(['Court', 'House', 'Mansions', 'Lodge'])}`;
      if (rng.chance(0.6)) row['house_no'] = String(rng.int(1, 200));
    } else if (style < 0.2) {
      row['house_name'] = rng.pick(HOUSE_NAMES);
    } else {
      row['house_no'] = rng.chance(0.05)
        ? `${rng.int(1, 150)}${rng.pick(['A', 'B'])}`
        : String(rng.int(1, 250));
    }
  } else if (style < 0.4) {
    row['sub_building_name'] = `Unit ${rng.int(1, 60)}`;
    row['house_name'] =
      `${rng.pick(STREET_WORDS)} ${rng.pick(['Business Park', 'Industrial Estate', 'Trading Estate'])}`;
  } else {
    row['house_no'] = String(rng.int(1, 250));
    if (rng.chance(0.5)) row['delivery_point_alias'] = rng.pick(BUSINESS_ALIASES);
  }
  row['street'] = street;
  if (rng.chance(0.15)) row['dependent_local'] = rng.pick(LOCALITIES);
  row['town'] = town;
  row['county'] = county;
  row['postcode'] = randomPostcode(rng, area);
  row['country'] = 'GB';

  // Classification and quantities.
  let aq: number;
  if (domestic) aq = rng.logNormal(11_500, 0.45, 1_000, 73_200);
  else {
    const size = rng.next();
    aq =
      size < 0.45
        ? rng.logNormal(40_000, 0.6, 5_000, 73_200)
        : size < 0.85
          ? rng.logNormal(400_000, 0.9, 73_201, 5_000_000)
          : rng.logNormal(6_000_000, 1.3, 1_000_000, 300_000_000);
  }
  let cls: string;
  if (aq > 58_600_000) cls = '1';
  else if (aq > 2_196_000)
    cls = rng.weighted([
      ['2', 40],
      ['3', 20],
      ['4', 40],
    ]);
  else if (aq > 73_200) cls = rng.chance(0.15) ? '3' : '4';
  else cls = rng.chance(0.02) ? '3' : '4';
  const dm = cls === '1' || cls === '2';
  row['market_sector_code'] = domestic ? 'D' : 'I';
  row['class'] = cls;
  row['annual_quantity'] = String(aq);
  row['formula_year_annual_quantity'] = String(Math.round(aq * (0.9 + rng.next() * 0.2)));
  row['offtake_quantity'] = String(soqFor(aq, dm, domestic));
  row['formula_year_offtake_quantity'] = String(
    soqFor(Number(row['formula_year_annual_quantity']), dm, domestic),
  );
  if (dm)
    row['supply_meter_point_shq'] = String(
      Math.max(1, Math.round((Number(row['offtake_quantity']) / 24) * 1.3)),
    );
  if (rng.chance(0.3))
    row['original_supply_meter_point_annual_quantity'] = String(rng.logNormal(aq, 0.2, 100, 400_000_000));
  if (rng.chance(0.2)) {
    row['smp_prospective_formula_year_aq'] = String(Math.round(aq * (0.95 + rng.next() * 0.1)));
    row['smp_prospective_formula_year_soq'] = String(
      soqFor(Number(row['smp_prospective_formula_year_aq']), dm, domestic),
    );
    row['smp_prospective_formula_year_effective_date'] = `${Number(ctx.gasYear) + 2001}-04-01`;
  }
  row['small_large_supply_point_indicator'] = aq > 73_200 ? 'LSP' : 'SSP';
  row['end_user_category_code'] = eucCode(ctx, rng, ldz, aq);
  row['daily_metered_indicator'] = dm ? 'Daily Metered' : 'Non Daily Metered';
  row['twin_stream_site_indicator'] = cls === '1' && rng.chance(0.05) ? 'Y' : 'N';
  row['interruption_contract_exists'] = dm && rng.chance(0.1) ? 'Y' : 'N';
  row['gas_act_owner'] = rng.weighted([
    ['S', 60],
    ['T', 30],
    ['C', domestic ? 2 : 20],
    ['U', 2],
  ]);

  // Status.
  const status = newSite
    ? 'LI'
    : rng.weighted([
        ['LI', 93],
        ['DE', 2.5],
        ['EX', 1.5],
        ['CA', 1.2],
        ['CL', 0.3],
        ['IS', 1.5],
      ]);
  row['meter_point_status'] = status;

  // Parties: the supplier usually belongs to the same group as the shipper (same index in the lists).
  if (status !== 'EX') {
    const shipper = rng.weighted(ctx.shippers);
    const idx = ctx.orgs.shippers.indexOf(shipper);
    const supplier =
      rng.chance(0.75) && ctx.orgs.suppliers.length > 0
        ? ctx.orgs.suppliers[idx % ctx.orgs.suppliers.length]!
        : rng.weighted(ctx.suppliers);
    row['shipper_short_code'] = shipper;
    row['current_supplier'] = supplier;
    if (!newSite && rng.chance(0.6)) row['previous_supplier_short_code'] = rng.weighted(ctx.suppliers);
    if (!newSite && rng.chance(0.005)) row['incoming_supplier'] = rng.weighted(ctx.suppliers);
    row['confirmation_reference_number'] = ids.confirmationReference;
    row['confirmation_effective_date'] = fromDayNumber(newSite ? ctx.today : ctx.today - rng.int(1, 8 * 365));
  }
  row['mam_short_code'] = rng.weighted(ctx.mams);

  // Meter, smart and reads.
  const installDay = newSite ? ctx.today : Math.max(connectedDay, ctx.today - rng.int(30, 30 * 365));
  fitMeter(ctx, rng, row, installDay, false);
  row['meter_asset_manager_effective_date'] = row['meter_installation_date']!;
  row['correction_factor'] = dm
    ? '1'
    : large(row)
      ? canonicalDecimal((1 + rng.next() * 0.05).toFixed(6))!
      : '1.02264';
  row['convertor_indicator'] = dm ? 'Y' : 'N';
  row['meter_link_code'] =
    !domestic && dm
      ? rng.weighted([
          ['F', 90],
          ['P', 5],
          ['S', 5],
        ])
      : 'F';
  row['amr_indicator'] = dm || (!domestic && rng.chance(0.2)) ? 'Y' : 'N';
  if (row['amr_indicator'] === 'Y') row['amr_sp'] = rng.weighted(ctx.mams);
  if (row['first_smets_installation_date'] !== '') {
    row['installing_supplier_id'] = row['current_supplier'] || rng.weighted(ctx.suppliers);
    row['ihd_install_status'] = rng.weighted([
      ['I', 80],
      ['D', 15],
      ['F', 5],
    ]);
  }
  row['meter_read_batch_frequency'] =
    cls === '3'
      ? rng.pick(['W', 'F', 'M'])
      : cls === '4'
        ? rng.weighted([
            ['M', 30],
            ['6', 70],
          ])
        : '';
  return row;
}

export function large(row: Record<string, string>): boolean {
  return row['market_sector_code'] === 'I' && Number(row['annual_quantity']) > 732_000;
}

// MPRN bodies are drawn from disjoint ranges through multiplicative permutations (the multiplier is coprime
// with the range size), so they are unique without remembering them:
//   register, 10 digits: bodies 10,000,000-54,999,999; register, every 50th site, 9 digits: 1,000,000-9,999,999;
//   new sites, 10 digits: 55,000,000-99,999,999, 15,000 slots per business day (cycling after 3,000 days).

export const MULTIPLIER = 48_271;
export const permute = (i: number, offset: number, size: number): number => (i * MULTIPLIER + offset) % size;
export const MAX_REGISTER = 45_000_000;
export const NEW_SITES_PER_DAY = 15_000;

export function registerIds(i: number, seed: number): SiteIds {
  const body =
    i % 50 === 49
      ? 1_000_000 + permute(Math.floor(i / 50), seed % 9_000_000, 9_000_000)
      : 10_000_000 + permute(i, seed % 45_000_000, 45_000_000);
  return {
    mprn: mprnWithCheckDigits(String(body)),
    addressId: String(200_000_000 + i),
    uprn: String(100_000_000_000 + ((i * 7_919 + (seed % 1_000)) % 400_000_000_000)),
    confirmationReference: String(20_000_000 + i * 7 + (seed % 7)),
  };
}

export function newSiteIds(day: number, seq: number, seed: number): SiteIds {
  const index = (day % 3_000) * NEW_SITES_PER_DAY + seq;
  return {
    mprn: mprnWithCheckDigits(String(55_000_000 + permute(index, seed % 45_000_000, 45_000_000))),
    addressId: String(600_000_000 + (index % 400_000_000)),
    uprn: String(500_000_000_000 + ((index * 7_919) % 400_000_000_000)),
    confirmationReference: String(500_000_000 + index),
  };
}

/** Generates `count` register rows (every column present; '' = null), deterministically from `seed`. */
