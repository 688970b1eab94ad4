/**
 * Deterministic synthetic DES register data: a full register (`generateRegister`) and D-1 change rows
 * (`generateChanges`), in load format (field name → text, '' = null). Same seed, same output.
 *
 * The data is realistic enough to exercise loads, search and portfolios: valid and unique MPRNs (check digits
 * pass), LDZ-consistent exit zones, networks, postcode areas and EUC codes, ~90% domestic, AQ-driven class,
 * SSP/LSP and EUC band, plausible meters and reads, and parties drawn with skewed weights from `orgs`.
 * Everything is invented: no real MPRNs, addresses or participants.
 */
import { DEFAULT_CODE_LISTS, type CodeLists } from '../../register/code-lists.ts';
import { REGISTER_FIELD_NAMES } from '../../register/fields.ts';
import { isIsoDate, toDayNumber } from '../../../../platform/time/calendar.ts';
import { LOCALITIES } from './geography.ts';
import { mixSeed, Rng } from '../../../../platform/rng.ts';
import {
  blankRow,
  buildSite,
  eucCode,
  fitMeter,
  makeContext,
  MAX_REGISTER,
  newSiteIds,
  NEW_SITES_PER_DAY,
  randomInward,
  registerIds,
  soqFor,
  type GeneratorOrgs,
} from './site.ts';

export type { GeneratorOrgs } from './site.ts';
export { Rng } from '../../../../platform/rng.ts';

export interface GenerateRegisterOptions {
  /** Number of supply points (at most 45,000,000). */
  readonly count: number;
  readonly seed: number;
  readonly orgs: GeneratorOrgs;
  /** The register's business date (YYYY-MM-DD); dates in the data are on or before it. Default 2025-01-31. */
  readonly businessDate?: string;
  /** Code lists to draw LDZs, exit zones, networks and EUC bands from. Default: the default lists. */
  readonly codeLists?: CodeLists;
  /**
   * UNC's Shipperless and Unregistered sites: when given (N >= 2), the site at position N-1 of every N is
   * shipperless (its drawn shipper is its last registered shipper) and the one at position floor(N/2) unregistered
   * (its drawn shipper is the interested shipper), both without shipper, supplier or confirmation. Off by default:
   * a load checks that a last or interested shipper is a known shipper organisation, so only a register whose
   * shippers exist (the demo world) turns it on. Positions, not the random stream, so every other site is the
   * same with or without it.
   */
  readonly shipperlessEvery?: number;
}

export interface GenerateChangesOptions {
  /** The register as at D-1 (full rows, e.g. from generateRegister or a previous day's state). */
  readonly previous: AsyncIterable<Record<string, string>> | Iterable<Record<string, string>>;
  /** Fraction of existing supply points that change on the day (e.g. 0.01). */
  readonly rate: number;
  readonly seed: number;
  /** The business date D of the changes (YYYY-MM-DD). */
  readonly businessDate: string;
  readonly orgs: GeneratorOrgs;
  readonly codeLists?: CodeLists;
  /**
   * When true, each changed supply point is yielded as its complete new row (every register column, in
   * catalogue order) instead of `mprn` plus the columns of its kind of change. All rows then share one header,
   * so a change file needs no empty cells for columns a row does not carry (an empty cell clears a field).
   */
  readonly fullRows?: boolean;
}

export type ChangeKind = 'read' | 'switch' | 'aq' | 'meter_exchange' | 'address' | 'status' | 'new_site';

const ADDRESS_COLUMNS = [
  'sub_building_name',
  'house_name',
  'house_no',
  'po_box_no',
  'delivery_point_alias',
  'street',
  'dependent_street',
  'dependent_local',
  'double_dependent_local',
  'town',
  'county',
  'postcode',
] as const;

const METER_COLUMNS = [
  'msn',
  'meter_type',
  'meter_mechanism',
  'meter_capacity',
  'meter_imperial_indicator',
  'meter_number_of_dials',
  'meter_units',
  'meter_manufacturer',
  'meter_model',
  'meter_year_of_manufacture',
  'meter_installation_date',
  'meter_location',
  'dcc_service_flag',
  'dcc_service_flag_efd',
  'first_smets_installation_date',
  'latest_meter_read_date',
  'latest_meter_read_type',
  'latest_meter_read_value',
] as const;

/** The columns (besides mprn) each kind of change row carries; a new site carries every column. */
export const CHANGE_COLUMNS: Readonly<Record<Exclude<ChangeKind, 'new_site'>, readonly string[]>> = {
  read: ['latest_meter_read_date', 'latest_meter_read_type', 'latest_meter_read_value'],
  switch: [
    'shipper_short_code',
    'current_supplier',
    'incoming_supplier',
    'previous_supplier_short_code',
    'confirmation_reference_number',
    'confirmation_effective_date',
  ],
  aq: ['annual_quantity', 'offtake_quantity', 'small_large_supply_point_indicator', 'end_user_category_code'],
  meter_exchange: METER_COLUMNS,
  address: ADDRESS_COLUMNS,
  status: ['meter_point_status'],
};

export function* generateRegister(options: GenerateRegisterOptions): Generator<Record<string, string>> {
  const { count, seed } = options;
  if (!Number.isInteger(count) || count < 0 || count > MAX_REGISTER) {
    throw new RangeError(`count must be an integer from 0 to ${MAX_REGISTER}`);
  }
  const ctx = makeContext(
    options.orgs,
    options.businessDate ?? '2025-01-31',
    options.codeLists ?? DEFAULT_CODE_LISTS,
  );
  const rng = new Rng(mixSeed(seed, 'register'));
  const idSeed = mixSeed(seed, 'ids');
  const every = options.shipperlessEvery;
  if (every !== undefined && !(Number.isInteger(every) && every >= 2)) {
    throw new RangeError('shipperlessEvery must be an integer of 2 or more');
  }
  for (let i = 0; i < count; i++) {
    const row = buildSite(ctx, rng, registerIds(i, idSeed), false);
    if (every !== undefined && row['shipper_short_code']) {
      const at = i % every;
      if (at === every - 1) makeShipperless(row, 'last_shipper_short_code');
      else if (at === Math.floor(every / 2)) makeShipperless(row, 'interested_shipper_short_code');
    }
    yield row;
  }
}

/**
 * Turns a registered site into one no shipper is registered to, its drawn shipper recorded in `column`: the last
 * registered shipper (shipperless: the shipper withdrew, the supplier became the previous one) or the interested
 * shipper (unregistered: never registered, so no supplier either).
 */
function makeShipperless(
  row: Record<string, string>,
  column: 'last_shipper_short_code' | 'interested_shipper_short_code',
): void {
  const shipperless = column === 'last_shipper_short_code';
  row[column] = row['shipper_short_code']!;
  row['previous_supplier_short_code'] = shipperless ? (row['current_supplier'] ?? '') : '';
  for (const f of [
    'shipper_short_code',
    'shipper_name',
    'current_supplier',
    'current_supplier_name',
    'incoming_supplier',
    'confirmation_reference_number',
    'confirmation_effective_date',
  ]) {
    row[f] = '';
  }
  row['supply_point_withdrawal_status'] = shipperless ? 'Shipperless' : 'Unregistered';
}

/** A date's day number; NaN for a value that is not a date (a hand-made previous register). */
const dayNumberOf = (s: string): number => (isIsoDate(s) ? toDayNumber(s) : NaN);

function pickOther(rng: Rng, weights: readonly (readonly [string, number])[], not: string): string {
  for (let tries = 0; tries < 5; tries++) {
    const v = rng.weighted(weights);
    if (v !== not) return v;
  }
  return rng.weighted(weights);
}

/**
 * Generates the change rows for business date D from the register as at D-1. Each row has `mprn` plus the
 * complete new state of the columns it carries (see CHANGE_COLUMNS); new sites carry every column and come
 * last. About `rate` of the existing supply points change; new sites add about 3% of that number.
 */
export async function* generateChanges(
  options: GenerateChangesOptions,
): AsyncGenerator<Record<string, string>> {
  const { rate, seed, businessDate } = options;
  if (!(rate >= 0 && rate <= 1)) throw new RangeError('rate must be between 0 and 1');
  const ctx = makeContext(options.orgs, businessDate, options.codeLists ?? DEFAULT_CODE_LISTS);
  const rng = new Rng(mixSeed(seed, `changes:${businessDate}`));
  const idSeed = mixSeed(seed, 'ids');
  let seen = 0;
  let switches = 0;

  for await (const prev of options.previous) {
    seen++;
    const status = prev['meter_point_status'] ?? '';
    if (status === 'EX' || !rng.chance(rate)) continue;
    const live = status === 'LI';
    const kind: ChangeKind = rng.weighted<ChangeKind>([
      ['read', live ? 40 : 0],
      // A switch changes the registered shipper: a shipperless or unregistered site has none to change.
      ['switch', status === 'DE' || !prev['shipper_short_code'] ? 0 : 25],
      ['aq', live ? 15 : 0],
      ['meter_exchange', live ? 8 : 0],
      ['address', 5],
      ['status', 4],
    ]);
    const next: Record<string, string> = { ...prev };
    switch (kind) {
      case 'read': {
        const dials = Number(prev['meter_number_of_dials']) || 5;
        const units = Math.max(1, Math.round(Number(prev['annual_quantity'] || 10_000) / 11 / 365));
        const days = Math.max(1, ctx.today - dayNumberOf(prev['latest_meter_read_date'] || businessDate));
        const value =
          (Number(prev['latest_meter_read_value'] || 0) + units * Math.min(days, 400)) % 10 ** dials;
        next['latest_meter_read_date'] = businessDate;
        next['latest_meter_read_type'] = rng.weighted([
          ['A', 80],
          ['C', 20],
        ]);
        next['latest_meter_read_value'] = String(value).padStart(dials, '0');
        break;
      }
      case 'switch': {
        const shipper = pickOther(rng, ctx.shippers, prev['shipper_short_code'] ?? '');
        const idx = ctx.orgs.shippers.indexOf(shipper);
        next['shipper_short_code'] = shipper;
        next['current_supplier'] = rng.chance(0.75)
          ? ctx.orgs.suppliers[idx % ctx.orgs.suppliers.length]!
          : pickOther(rng, ctx.suppliers, prev['current_supplier'] ?? '');
        next['previous_supplier_short_code'] = prev['current_supplier'] ?? '';
        next['incoming_supplier'] = '';
        next['confirmation_reference_number'] = String(
          700_000_000 + (ctx.today % 3_000) * 100_000 + (switches++ % 100_000),
        );
        next['confirmation_effective_date'] = businessDate;
        break;
      }
      case 'aq': {
        const domestic = prev['market_sector_code'] === 'D';
        const oldAq = Number(prev['annual_quantity'] || 10_000);
        const aq = Math.max(100, Math.round(oldAq * (0.85 + rng.next() * 0.3)));
        const newAq = domestic ? Math.min(aq, 73_200) : aq;
        const dm = prev['daily_metered_indicator'] === 'Daily Metered';
        next['annual_quantity'] = String(newAq);
        next['offtake_quantity'] = String(soqFor(newAq, dm, domestic));
        next['small_large_supply_point_indicator'] = newAq > 73_200 ? 'LSP' : 'SSP';
        next['end_user_category_code'] = eucCode(ctx, rng, prev['ldz_id'] ?? 'EA', newAq);
        break;
      }
      case 'meter_exchange':
        fitMeter(ctx, rng, next, ctx.today, true);
        break;
      case 'address': {
        const pc = prev['postcode'] ?? '';
        if (pc.includes(' ') && rng.chance(0.5))
          next['postcode'] = `${pc.slice(0, pc.indexOf(' '))} ${randomInward(rng)}`;
        else if (prev['dependent_local']) next['dependent_local'] = '';
        else next['dependent_local'] = rng.pick(LOCALITIES);
        break;
      }
      case 'status':
        next['meter_point_status'] = status === 'DE' ? 'EX' : 'DE';
        break;
      case 'new_site':
        break;
    }
    if (options.fullRows) {
      const full = blankRow();
      for (const name of REGISTER_FIELD_NAMES) full[name] = next[name] ?? '';
      yield full;
      continue;
    }
    const out: Record<string, string> = { mprn: prev['mprn'] ?? '' };
    for (const col of CHANGE_COLUMNS[kind as Exclude<ChangeKind, 'new_site'>]) out[col] = next[col] ?? '';
    yield out;
  }

  const newSites = Math.min(NEW_SITES_PER_DAY, Math.round(seen * rate * 0.03));
  for (let seq = 0; seq < newSites; seq++)
    yield buildSite(ctx, rng, newSiteIds(ctx.today, seq, idSeed), true);
}
