// The contact code catalogue (migrations/data/contact-codes.json): its type and a validator for the file. The
// fields a raiser submits for one code are validated by contact-fields.ts.

import { addCalendarDays, type IsoDate } from '../../../platform/time/calendar.ts';

export const ORG_TYPES = ['shipper', 'supplier', 'gt', 'igt', 'uip', 'mra', 'dmsp', 'mam', 'cdsp'] as const;
export type OrgType = (typeof ORG_TYPES)[number];
export const CDSP_TEAMS = [
  'address',
  'supply_point',
  'service_desk',
  'file',
  'invoicing',
  'revenue_protection',
] as const;
export const REGISTER_PARTIES = ['dmsp', 'network', 'last_shipper', 'shipper_of_interest', 'mra'] as const;
export const FIELD_TYPES = [
  'text',
  'textarea',
  'date',
  'integer',
  'decimal',
  'code',
  'mprn',
  'postcode',
  'boolean',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export type Resolver =
  | { kind: 'cdsp_team'; team: (typeof CDSP_TEAMS)[number] }
  | { kind: 'register_party'; party: (typeof REGISTER_PARTIES)[number] };

export interface CodeListEntry {
  value: string;
  label: string;
}

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  required: boolean;
  /** text and textarea only. */
  max_length?: number;
  /** code only (required there). */
  code_list?: CodeListEntry[];
  /** integer and decimal only. */
  min?: number;
  max?: number;
  /** date only: the date may not be after today. */
  not_in_future?: boolean;
  hint?: string;
  /**
   * A "current value" field: its value is the register's (as at D-1) for the contact's MPRN, never typed. The
   * service fills it in, and refuses a submitted value that differs (see cms/domain/register-values.ts).
   */
  from_register?: RegisterSource;
}

/**
 * The register values a catalogue field may take its value from (`from_register`): keys of the supply point as
 * the CMS sees it (cms.ports.ts SiteInfo). `address` is the whole address line in the DES display order.
 */
export const REGISTER_SOURCES = ['address', 'twin_stream_site_indicator', 'meter_point_status'] as const;
export type RegisterSource = (typeof REGISTER_SOURCES)[number];

/**
 * Public rule parameters (domain.md §4). Kept together and exported so that they are visible and
 * testable; an operator-editable policy can override them through `FieldValidationContext.parameters`.
 */
export const RULE_PARAMETERS = {
  /** Small/large supply point threshold, kWh a year. */
  rfaSmallSiteAqThresholdKwh: 73_200,
  /** For sites below the threshold, the part of an adjustment before this date is not invoiced. */
  rfaSmallSiteEarliestStart: '2017-06-01',
} as const;

/** The register's meter point status codes these rules name (domain.md §3; des register code lists). */
export const METER_POINT_STATUS = { live: 'LI', dead: 'DE' } as const;

/** The part of an adjustment period that is not invoiced (inclusive dates). */
export interface NotInvoiced {
  from: IsoDate;
  to: IsoDate;
}

/**
 * How much of the adjustment period [start, end] (inclusive) is invoiced, for a site with annual quantity `aqKwh`
 * (domain.md §4, public): for a site below the threshold the days before the earliest date are not invoiced.
 * 'all': the whole period is invoiced; 'none': none of it is (the period ends before the earliest date);
 * otherwise the part that is not (from the start to the day before the earliest date).
 */
export function invoicedPart(
  start: IsoDate,
  end: IsoDate,
  aqKwh: number,
  params: Pick<
    typeof RULE_PARAMETERS,
    'rfaSmallSiteAqThresholdKwh' | 'rfaSmallSiteEarliestStart'
  > = RULE_PARAMETERS,
): { kind: 'all' } | { kind: 'none' } | { kind: 'part'; notInvoiced: NotInvoiced } {
  const earliest = params.rfaSmallSiteEarliestStart;
  if (aqKwh >= params.rfaSmallSiteAqThresholdKwh || start >= earliest) return { kind: 'all' };
  if (end < earliest) return { kind: 'none' };
  return { kind: 'part', notInvoiced: { from: start, to: addCalendarDays(earliest, -1) } };
}

/** The named rules a code may apply (see applyRule), each with the fields it needs in the code's definition. */
export const CONTACT_RULES = {
  /** An address needs a building number, a building name or a flat/sub-building. */
  address_has_premises: ['sub_building_name', 'house_name', 'house_no'],
  /** The proposed twin stream indicator must differ from the one on the register. */
  twin_stream_change: ['current_twin_stream_indicator', 'proposed_twin_stream_indicator'],
  /** The duplicate MPRN must differ from the contact’s own MPRN. */
  dup_distinct_mprns: ['duplicate_mprn'],
  /** A read needs its read date, and a read date needs its read. */
  read_value_with_date: ['read_value', 'read_date'],
  /** The meter cannot have been installed after the supply became live. */
  dtl_install_not_after_live: ['meter_installation_date', 'live_date'],
  /** A read must be required by a date after today. */
  required_by_after_today: ['required_by_date'],
  /** Sub MPRNs: a list of distinct MPRNs, none of them the prime. */
  prs_mprn_list: ['prime_mprn', 'sub_mprns'],
  /** For each pair of fields X_start_date and X_end_date, the end is not before the start. */
  period_dates: [],
  /**
   * RFA by the site's class and the raiser (domain.md §4, public): the shipper raises it for a Class 2, 3 or 4 site;
   * for a Class 1 site the appointed DMSP raises it, on the registered shipper's behalf.
   */
  rfa_site_class: [],
  /**
   * Adjustment end not before start, neither in the future; for sites with AQ below 73,200 kWh the part before
   * 2017-06-01 is not invoiced (a period may span that date; one wholly before it is refused).
   */
  rfa_adjustment_dates: ['adjustment_start_date', 'adjustment_end_date'],
  /** An adjustment needs a proposed read or a proposed consumption. */
  rfa_read_or_consumption: ['proposed_read', 'proposed_consumption_kwh'],
  /** The theft cannot have started after it was discovered. */
  tog_theft_dates: ['theft_start_date', 'date_discovered'],
  /** Dead to Live only for a supply point the register says is dead. */
  dtl_dead_site: [],
  /** An isolation request only for a supply point the register says is live. */
  iso_live_site: [],
} as const satisfies Record<string, readonly string[]>;
export type RuleName = keyof typeof CONTACT_RULES;

export interface ContactCodeDef {
  code: string;
  name: string;
  description: string;
  raised_by: OrgType[];
  portfolio_check: boolean;
  mprn_required: boolean;
  resolver: Resolver;
  target_business_days: number;
  response_window_business_days: number;
  challenge_window_business_days: number;
  worked_in: 'received_order' | 'due_date';
  fields: FieldDef[];
  rules: RuleName[];
  /** The outcome codes a resolver chooses from to resolve a contact of this code (value and label). */
  outcomes: CodeListEntry[];
  /** The reason codes a resolver chooses from to reject a contact of this code. */
  rejection_reasons: CodeListEntry[];
  /** The DES register fields a resolver may name as the expected register change (none: not offered). */
  register_fields: string[];
  /** The attributes that are public, each with its source; every other attribute is a project default. */
  public_sources: Partial<Record<CodeAttribute, string>>;
}

/** The attributes of a code that may be marked public (every catalogue key but the code and the marks). */
export type CodeAttribute = Exclude<(typeof CODE_KEYS)[number], 'code' | 'public_sources'>;
/** An outcome or rejection reason code: capital letters, digits and underscores. */
export const RESOLUTION_CODE = /^[A-Z][A-Z0-9_]{1,39}$/;

/**
 * Whether an organisation of this type may raise the code (its catalogue `raised_by`). The raise page offers only
 * these codes, and the service refuses the others; the user also needs a raising role (permission cms:raise).
 */
export function mayRaise(def: Pick<ContactCodeDef, 'raised_by'>, organisationType: string): boolean {
  return (def.raised_by as readonly string[]).includes(organisationType);
}

/** The kinds of organisation, in words (messages and pages show these, never the type codes). */
export const ORG_TYPE_NAMES: Record<OrgType, string> = {
  shipper: 'shippers',
  supplier: 'suppliers',
  gt: 'gas transporters',
  igt: 'independent gas transporters',
  uip: 'utility infrastructure providers',
  mra: 'meter reading agencies',
  dmsp: 'daily metered service providers',
  mam: 'meter asset managers',
  cdsp: 'the CDSP',
};

/** Why an organisation may not raise the code, in words: who may. */
export function cannotRaise(def: Pick<ContactCodeDef, 'code' | 'name' | 'raised_by'>): string {
  const who = def.raised_by.map((t) => ORG_TYPE_NAMES[t] ?? t);
  const list = who.length > 1 ? `${who.slice(0, -1).join(', ')} and ${who[who.length - 1]}` : (who[0] ?? '');
  return `Your organisation cannot raise ${def.name} (${def.code}) contacts: only ${list} can.`;
}

// --- Catalogue validation -------------------------------------------------------------------------------

export type CatalogueResult = { ok: true; catalogue: ContactCodeDef[] } | { ok: false; errors: string[] };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const isPositiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;
const oneOf = <T extends string>(list: readonly T[], v: unknown): v is T => list.includes(v as T);

/** The longest target, response window or challenge window a code may have (business days). */
export const MAX_BUSINESS_DAYS = 250;
export const isBusinessDays = (v: unknown): v is number => isPositiveInt(v) && v <= MAX_BUSINESS_DAYS;

/** Every key of a catalogue entry, in catalogue order. */
export const CODE_KEYS = [
  'code',
  'name',
  'description',
  'raised_by',
  'portfolio_check',
  'mprn_required',
  'resolver',
  'target_business_days',
  'response_window_business_days',
  'challenge_window_business_days',
  'worked_in',
  'fields',
  'rules',
  'outcomes',
  'rejection_reasons',
  'register_fields',
  'public_sources',
] as const;
const FIELD_KEYS = [
  'name',
  'label',
  'type',
  'required',
  'max_length',
  'code_list',
  'min',
  'max',
  'not_in_future',
  'hint',
  'from_register',
];

/** Check the shape and integrity of the catalogue JSON; every problem is listed, not only the first. */
export function validateContactCodeCatalogue(json: unknown): CatalogueResult {
  const errors: string[] = [];
  if (!Array.isArray(json) || json.length === 0)
    return { ok: false, errors: ['The catalogue must be a non-empty array.'] };
  const seen = new Set<string>();
  json.forEach((entry: unknown, i) => {
    if (!isObject(entry)) {
      errors.push(`Entry ${i} must be an object.`);
      return;
    }
    const at = typeof entry['code'] === 'string' ? entry['code'] : `entry ${i}`;
    const err = (m: string): void => void errors.push(`${at}: ${m}`);
    for (const k of Object.keys(entry))
      if (!(CODE_KEYS as readonly string[]).includes(k)) err(`unknown key "${k}".`);
    if (typeof entry['code'] !== 'string' || !/^[A-Z]{3,4}$/.test(entry['code']))
      err('code must be 3 or 4 capital letters.');
    else if (seen.has(entry['code'])) err('code appears more than once.');
    else seen.add(entry['code']);
    if (!isNonEmptyString(entry['name'])) err('name is required.');
    if (!isNonEmptyString(entry['description'])) err('description is required.');
    const raisedBy = entry['raised_by'];
    if (!Array.isArray(raisedBy) || raisedBy.length === 0 || !raisedBy.every((o) => oneOf(ORG_TYPES, o))) {
      err(`raised_by must be a non-empty list of ${ORG_TYPES.join(', ')}.`);
    } else if (new Set(raisedBy).size !== raisedBy.length) err('raised_by lists an organisation type twice.');
    for (const k of ['portfolio_check', 'mprn_required'])
      if (typeof entry[k] !== 'boolean') err(`${k} must be true or false.`);
    const resolver = entry['resolver'];
    const resolverOk =
      isObject(resolver) &&
      ((resolver['kind'] === 'cdsp_team' &&
        oneOf(CDSP_TEAMS, resolver['team']) &&
        Object.keys(resolver).length === 2) ||
        (resolver['kind'] === 'register_party' &&
          oneOf(REGISTER_PARTIES, resolver['party']) &&
          Object.keys(resolver).length === 2));
    if (!resolverOk) err('resolver must be {kind:"cdsp_team", team} or {kind:"register_party", party}.');
    for (const k of [
      'target_business_days',
      'response_window_business_days',
      'challenge_window_business_days',
    ]) {
      if (!isBusinessDays(entry[k])) err(`${k} must be a whole number from 1 to ${MAX_BUSINESS_DAYS}.`);
    }
    if (!oneOf(['received_order', 'due_date'] as const, entry['worked_in'])) {
      err('worked_in must be "received_order" or "due_date".');
    }
    const fieldNames = validateFields(entry['fields'], err);
    const rules = entry['rules'];
    if (!Array.isArray(rules)) err('rules must be a list.');
    else {
      for (const r of rules) {
        if (!oneOf(Object.keys(CONTACT_RULES), r)) {
          err(`unknown rule "${String(r)}".`);
          continue;
        }
        for (const f of CONTACT_RULES[r as RuleName]) {
          if (!fieldNames.has(f)) err(`rule "${r}" needs a field "${f}".`);
        }
      }
    }
    validateResolutionLists(entry, err);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, catalogue: json as ContactCodeDef[] };
}

/** Outcomes, rejection reasons, register fields and the public marks of one catalogue entry. */
function validateResolutionLists(entry: Record<string, unknown>, err: (m: string) => void): void {
  for (const [key, what] of [
    ['outcomes', 'outcome'],
    ['rejection_reasons', 'rejection reason'],
  ] as const) {
    const list = entry[key];
    if (!Array.isArray(list) || list.length === 0) {
      err(`${key} must be a non-empty list of {value, label}.`);
      continue;
    }
    const values = new Set<string>();
    for (const c of list) {
      if (!isObject(c) || Object.keys(c).some((k) => k !== 'value' && k !== 'label')) {
        err(`each ${what} must be {value, label}.`);
      } else if (typeof c['value'] !== 'string' || !RESOLUTION_CODE.test(c['value'])) {
        err(`${what} code "${String(c['value'])}" must be 2 to 40 capital letters, digits or underscores.`);
      } else if (!isNonEmptyString(c['label']) || c['label'].length > 200) {
        err(`${what} ${c['value']} needs a label of 1 to 200 characters.`);
      } else if (values.has(c['value'])) err(`${what} ${c['value']} appears more than once.`);
      else values.add(c['value']);
    }
  }
  const fields = entry['register_fields'];
  if (
    !Array.isArray(fields) ||
    !fields.every((f) => typeof f === 'string' && /^[a-z][a-z0-9_]*$/.test(f)) ||
    new Set(fields).size !== fields.length
  ) {
    err('register_fields must be a list of distinct register field names.');
  }
  const marks = entry['public_sources'];
  const attributes = CODE_KEYS.filter((k) => k !== 'code' && k !== 'public_sources') as readonly string[];
  if (!isObject(marks)) err('public_sources must be an object of attribute: source.');
  else {
    for (const [k, v] of Object.entries(marks)) {
      if (!attributes.includes(k)) err(`public_sources names "${k}", which is not an attribute of a code.`);
      else if (!isNonEmptyString(v) || v.length > 200) err(`public_sources.${k} must name its source.`);
    }
  }
}

function validateFields(fields: unknown, err: (m: string) => void): Set<string> {
  const names = new Set<string>();
  if (!Array.isArray(fields)) {
    err('fields must be a list.');
    return names;
  }
  fields.forEach((f: unknown, i) => {
    if (!isObject(f)) return err(`field ${i} must be an object.`);
    const name = typeof f['name'] === 'string' ? f['name'] : `field ${i}`;
    const ferr = (m: string): void => err(`field "${name}": ${m}`);
    for (const k of Object.keys(f)) if (!FIELD_KEYS.includes(k)) ferr(`unknown key "${k}".`);
    if (typeof f['name'] !== 'string' || !/^[a-z][a-z0-9_]*$/.test(f['name']))
      ferr('name must be snake_case.');
    else if (names.has(f['name'])) ferr('appears more than once.');
    else names.add(f['name']);
    if (!isNonEmptyString(f['label'])) ferr('label is required.');
    if (!oneOf(FIELD_TYPES, f['type'])) ferr(`type must be one of ${FIELD_TYPES.join(', ')}.`);
    if (typeof f['required'] !== 'boolean') ferr('required must be true or false.');
    const type = f['type'];
    if (
      f['max_length'] !== undefined &&
      (!isPositiveInt(f['max_length']) || (type !== 'text' && type !== 'textarea'))
    ) {
      ferr('max_length must be a positive whole number, on text or textarea fields only.');
    }
    if (type === 'code' || f['code_list'] !== undefined) {
      const list = f['code_list'];
      const ok =
        type === 'code' &&
        Array.isArray(list) &&
        list.length > 0 &&
        list.every((c) => isObject(c) && isNonEmptyString(c['value']) && isNonEmptyString(c['label']));
      if (!ok)
        ferr('code fields need a non-empty code_list of {value, label}, and only code fields have one.');
      else if (new Set(list.map((c) => (c as CodeListEntry).value)).size !== list.length) {
        ferr('code_list has a value twice.');
      }
    }
    for (const k of ['min', 'max']) {
      if (f[k] !== undefined && (typeof f[k] !== 'number' || (type !== 'integer' && type !== 'decimal'))) {
        ferr(`${k} must be a number, on integer or decimal fields only.`);
      }
    }
    if (f['not_in_future'] !== undefined && (typeof f['not_in_future'] !== 'boolean' || type !== 'date')) {
      ferr('not_in_future must be true or false, on date fields only.');
    }
    if (f['hint'] !== undefined && !isNonEmptyString(f['hint'])) ferr('hint must be text.');
    if (
      f['from_register'] !== undefined &&
      (!oneOf(REGISTER_SOURCES, f['from_register']) || (type !== 'text' && type !== 'code'))
    ) {
      ferr(`from_register must be one of ${REGISTER_SOURCES.join(', ')}, on text or code fields only.`);
    }
  });
  return names;
}
