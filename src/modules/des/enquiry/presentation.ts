/**
 * How the DES pages show register values (the supply point page, search results, history): GOV.UK dates
 * ("1 June 2005"), a code with its meaning from the operator's code lists ("Actual (A)"), a party's name with its
 * short code ("Meridian Energy Shipping (MES)"), quantities with their unit ("121,669,171 kWh"). Pure: the code
 * lists and the organisations' names are inputs. The API is untouched: codes stay codes there.
 */
import { govukDate } from '../../../platform/time/calendar.ts';
import { canonicalDate, REGISTER_FIELD_MAP, type RegisterField } from '../register/index.ts';

/** What the values are shown with: the operator's code lists and the organisations' names by short code. */
export interface ShowContext {
  lists: Readonly<Record<string, Readonly<Record<string, string>>>>;
  names: ReadonlyMap<string, string>;
}

/**
 * A YYYY-MM-DD date as GOV.UK writes it: "1 June 2005" (platform/time). Anything else is returned as it is. The
 * register's own date check (1800 onwards, so a register date in 9999, beyond what a form accepts, still reads well).
 */
export function longDate(iso: string): string {
  return canonicalDate(iso) === iso ? govukDate(iso) : iso;
}

/** A whole number with thousands separators ("121,669,171"); anything else as it is. */
function grouped(raw: string): string {
  return /^-?\d+$/.test(raw) ? BigInt(raw).toLocaleString('en-GB') : raw;
}

/** The register's name fields, each filled from the directory when the register does not record it. */
const NAME_OF: Readonly<Record<string, string>> = {
  shipper_name: 'shipper_short_code',
  current_supplier_name: 'current_supplier',
  previous_supplier_name: 'previous_supplier_short_code',
};

/** A field's label on a page: the unit moves to the value ("Annual quantity" 121,669,171 kWh). */
export function pageLabel(f: RegisterField): string {
  return f.unit ? f.label.replace(new RegExp(`\\s*\\(${f.unit}\\)$`), '') : f.label;
}

/** A code with its meaning: "Live (LI)"; the meaning alone when it already says the code ("Class 1", "Daily Metered"). */
export function withMeaning(raw: string, meaning: string | undefined): string {
  if (meaning === undefined || meaning === '') return raw;
  const m = meaning.trim();
  if (m.toLowerCase() === raw.toLowerCase() || m.endsWith(` ${raw}`)) return m;
  return `${m} (${raw})`;
}

/** A party's short code with its name: "Meridian Energy Shipping (MES)"; the code alone when the name is unknown. */
export function partyName(code: string, names: ReadonlyMap<string, string>): string {
  const name = names.get(code);
  return name ? `${name} (${code})` : code;
}

/** One value of field `f` as a page shows it; null when nothing is recorded. */
export function shownValue(f: RegisterField, raw: string | null, ctx: ShowContext): string | null {
  if (raw === null || raw === '') return null;
  const list = f.codeList ?? f.meaningList;
  if (list) return withMeaning(raw, ctx.lists[list]?.[raw]);
  switch (f.type) {
    case 'date':
      return longDate(raw);
    case 'short_code':
      return partyName(raw, ctx.names);
    case 'integer':
      return f.unit ? `${grouped(raw)} ${f.unit}` : raw;
    default:
      return raw;
  }
}

/**
 * A field's value on the supply point page, from the fields the viewer sees: a name field the register leaves empty
 * is the directory's name of the party whose code is shown (never a party the viewer cannot see).
 */
export function shownField(
  name: string,
  fields: Readonly<Record<string, string | null>>,
  ctx: ShowContext,
): string | null {
  const f = REGISTER_FIELD_MAP.get(name);
  const raw = fields[name] ?? null;
  if (!f) return raw;
  const shown = shownValue(f, raw, ctx);
  if (shown !== null) return shown;
  const codeField = NAME_OF[name];
  const code = codeField ? (fields[codeField] ?? null) : null;
  return code ? (ctx.names.get(code) ?? null) : null;
}

/** A value of a named field (history, search results); the value as it is for a field the catalogue lacks. */
export function shownValueOf(name: string, raw: string | null, ctx: ShowContext): string | null {
  const f = REGISTER_FIELD_MAP.get(name);
  return f ? shownValue(f, raw, ctx) : raw;
}

/** What each kind of enquiry is called in the enquiry log. */
const ENQUIRY_KINDS: Readonly<Record<string, string>> = {
  current: 'Supply point',
  as_at: 'Supply point as at a date',
  as_known_at: 'Supply point as known at a time',
  search: 'Search',
  history: 'Change history',
  bulk: 'Bulk enquiry submitted',
  bulk_result: 'Bulk enquiry answered',
};

/** The criteria's names in the enquiry log, in the order shown; others are shown by their name in words. */
const CRITERIA: readonly [string, string][] = [
  ['mprn', 'MPRN'],
  ['postcode', 'postcode'],
  ['house_no', 'house number'],
  ['house_name', 'house name'],
  ['sub_building_name', 'sub-building'],
  ['street', 'street'],
  ['dependent_street', 'dependent street'],
  ['dependent_local', 'dependent locality'],
  ['town', 'town'],
  ['county', 'county'],
  ['country', 'country'],
  ['msn', 'meter serial number'],
  ['uprn', 'UPRN'],
  ['address_id', 'address ID'],
  ['mprns_submitted', 'MPRNs submitted'],
  ['invalid_rows', 'rows refused'],
  ['as_at', 'as at'],
  ['as_known_at', 'as known at'],
];
const NOT_SHOWN = new Set(['cursor', 'bulk_job']);

/**
 * An enquiry-log entry in words: "Supply point as at a date: MPRN 1515331200, as at 2 March 2026". Dates as GOV.UK
 * writes them (instants with `dateTime`, for London time); a later page of a search says so.
 */
export function enquiryInWords(
  kind: string,
  criteria: Readonly<Record<string, unknown>>,
  dateTime: (instant: Date) => string,
): string {
  const value = (k: string, v: unknown): string => {
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    if (k === 'as_at') return longDate(s);
    if (k === 'as_known_at' && !Number.isNaN(Date.parse(s))) return dateTime(new Date(s));
    return k === 'mprns_submitted' || k === 'invalid_rows' ? grouped(s) : s;
  };
  const known = new Map(CRITERIA);
  const keys = [
    ...CRITERIA.map(([k]) => k).filter((k) => k in criteria),
    ...Object.keys(criteria).filter((k) => !known.has(k) && !NOT_SHOWN.has(k)),
  ];
  const parts = keys.map((k) => `${known.get(k) ?? k.replace(/_/g, ' ')} ${value(k, criteria[k])}`);
  if ('cursor' in criteria) parts.push('a later page');
  const name = ENQUIRY_KINDS[kind] ?? kind.replace(/_/g, ' ');
  return parts.length > 0 ? `${name}: ${parts.join(', ')}` : name;
}
