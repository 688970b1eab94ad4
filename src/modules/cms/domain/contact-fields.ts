// Validation of the fields a raiser submits for one code of the catalogue (online form, API or batch file record):
// each field by its type, then the code's named rules (CONTACT_RULES). MPRN and postcode rules are the platform's
// (platform/gas), the same for DES and CMS.

import { govukDate, isIsoDate, type IsoDate } from '../../../platform/time/calendar.ts';
import { hasValidCheckDigits, validateMprn } from '../../../platform/gas/mprn.ts';
import { validatePostcode } from '../../../platform/gas/postcode.ts';
import {
  invoicedPart,
  METER_POINT_STATUS,
  RULE_PARAMETERS,
  type ContactCodeDef,
  type FieldDef,
  type NotInvoiced,
  type RuleName,
} from './contact-codes.ts';

/** "1 June 2017" (GOV.UK style) for an ISO date. */
const inWords = (d: IsoDate): string => govukDate(d);

export interface FieldValidationContext {
  /** Today's London date, for "not in the future" rules. */
  today: IsoDate;
  /** The supply point's class (1-4), needed by rfa_site_class. */
  siteClass?: number | null;
  /** The supply point's annual quantity in kWh, needed by rfa_adjustment_dates. */
  annualQuantityKwh?: number | null;
  /** The raising organisation's type (rfa_site_class: a DMSP raises Class 1 RFAs). */
  raiserType?: string | null;
  /** The supply point's meter point status code (LI, DE, ...), needed by dtl_dead_site and iso_live_site. */
  meterPointStatus?: string | null;
  /** The contact's own MPRN, needed by dup_distinct_mprns. */
  mprn?: string | null;
  /** How MPRN check digits are treated (policy; default 'warning'). */
  mprnCheckDigits?: 'off' | 'warning' | 'error';
  parameters?: Partial<typeof RULE_PARAMETERS>;
}

export interface FieldIssue {
  /** The field concerned, or null when the problem is about the contact or site as a whole. */
  field: string | null;
  message: string;
}

export interface FieldValidationResult {
  ok: boolean;
  errors: FieldIssue[];
  warnings: FieldIssue[];
  /** The valid values, normalised: trimmed text, numbers, booleans, upper-cased postcodes, MPRN lists. */
  values: Record<string, unknown>;
  /** Raised on behalf of another party of the site (a DMSP's Class 1 RFA: the registered shipper), else null. */
  onBehalfOf: 'registered_shipper' | null;
  /** The part of the adjustment that is not invoiced, else null. */
  notInvoiced: NotInvoiced | null;
}

const isAbsent = (v: unknown): boolean =>
  v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** Validate submitted fields against one code's schema and rules. Messages are plain English. */
export function validateContactFields(
  codeDef: ContactCodeDef,
  fields: Record<string, unknown>,
  context: FieldValidationContext,
): FieldValidationResult {
  const errors: FieldIssue[] = [];
  const warnings: FieldIssue[] = [];
  const values: Record<string, unknown> = {};
  const error = (field: string | null, message: string): void => {
    if (!errors.some((e) => e.field === field && e.message === message)) errors.push({ field, message });
  };
  const defs = new Map(codeDef.fields.map((f) => [f.name, f]));
  const derived: Derived = { onBehalfOf: null, notInvoiced: null };

  for (const name of Object.keys(fields)) {
    if (!defs.has(name))
      error(name, `“${name}” is not a field of ${codeDef.code} (${codeDef.name}) contacts.`);
  }

  for (const def of codeDef.fields) {
    const raw = fields[def.name];
    if (isAbsent(raw)) {
      if (def.required) error(def.name, `${def.label} is required.`);
      continue;
    }
    const result = checkType(def, raw, context);
    if ('error' in result) error(def.name, result.error);
    else {
      values[def.name] = result.value;
      if (result.warning) warnings.push({ field: def.name, message: result.warning });
    }
  }

  for (const rule of codeDef.rules) applyRule(rule, codeDef, values, context, error, derived);
  if (errors.length > 0) {
    derived.onBehalfOf = null;
    derived.notInvoiced = null;
  } else if (derived.notInvoiced) {
    const n = derived.notInvoiced;
    warnings.push({
      field: 'adjustment_start_date',
      message: `The part of the adjustment from ${inWords(n.from)} to ${inWords(n.to)} is not invoiced: the site uses less than ${(context.parameters?.rfaSmallSiteAqThresholdKwh ?? RULE_PARAMETERS.rfaSmallSiteAqThresholdKwh).toLocaleString('en-GB')} kWh a year.`,
    });
  }

  return { ok: errors.length === 0, errors, warnings, values, ...derived };
}

type Derived = Pick<FieldValidationResult, 'onBehalfOf' | 'notInvoiced'>;

type Checked = { value: unknown; warning?: string } | { error: string };

function checkType(def: FieldDef, raw: unknown, ctx: FieldValidationContext): Checked {
  const label = def.label;
  const str = typeof raw === 'string' ? raw.trim() : null;
  switch (def.type) {
    case 'text':
    case 'textarea': {
      if (str === null) return { error: `${label} must be text.` };
      if (def.max_length !== undefined && str.length > def.max_length) {
        return { error: `${label} must be ${def.max_length} characters or fewer (it is ${str.length}).` };
      }
      return { value: str };
    }
    case 'date': {
      if (str === null || !isIsoDate(str))
        return { error: `${label} must be a real date in the form YYYY-MM-DD.` };
      if (def.not_in_future && str > ctx.today) return { error: `${label} cannot be in the future.` };
      return { value: str };
    }
    case 'integer':
    case 'decimal': {
      const pattern = def.type === 'integer' ? /^-?\d+$/ : /^-?\d+(?:\.\d+)?$/;
      const n = typeof raw === 'number' ? raw : str !== null && pattern.test(str) ? Number(str) : NaN;
      const whole = def.type === 'integer';
      if (!Number.isFinite(n) || (whole && !Number.isInteger(n))) {
        return { error: `${label} must be ${whole ? 'a whole number' : 'a number'}.` };
      }
      if (def.min !== undefined && n < def.min) return { error: `${label} must be ${def.min} or more.` };
      if (def.max !== undefined && n > def.max) return { error: `${label} must be ${def.max} or less.` };
      return { value: n };
    }
    case 'code': {
      const list = def.code_list ?? [];
      if (str === null || !list.some((c) => c.value === str)) {
        return {
          error: `${label} must be one of: ${list.map((c) => `${c.value} (${c.label})`).join(', ')}.`,
        };
      }
      return { value: str };
    }
    case 'mprn':
      return checkMprn(label, raw, ctx);
    case 'postcode': {
      if (str === null) return { error: `${label} must be text.` };
      const pc = validatePostcode(str);
      if (!pc.ok) return { error: `${label} must be a real UK postcode, like SW1A 1AA.` };
      return { value: pc.postcode };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      const s = (str ?? '').toLowerCase();
      if (['true', 'yes', 'y'].includes(s)) return { value: true };
      if (['false', 'no', 'n'].includes(s)) return { value: false };
      return { error: `${label} must be yes or no.` };
    }
  }
}

function checkMprn(label: string, raw: unknown, ctx: FieldValidationContext): Checked {
  // MPRNs are identifiers, never numbers: a JSON number may already have lost leading zeros or precision.
  if (typeof raw !== 'string') return { error: `${label} must be given as text, not as a number.` };
  const mprn = raw.trim();
  if (!validateMprn(mprn).ok) return { error: `${label} must be 6 to 10 digits.` };
  const policy = ctx.mprnCheckDigits ?? 'warning';
  if (policy !== 'off' && !hasValidCheckDigits(mprn)) {
    const message = `${label} ${mprn} has check digits that do not match; please check it.`;
    return policy === 'error' ? { error: message } : { value: mprn, warning: message };
  }
  return { value: mprn };
}

function applyRule(
  rule: RuleName,
  def: ContactCodeDef,
  v: Record<string, unknown>,
  ctx: FieldValidationContext,
  error: (field: string | null, message: string) => void,
  derived: Derived,
): void {
  const params = { ...RULE_PARAMETERS, ...ctx.parameters };
  const str = (name: string): string | undefined =>
    typeof v[name] === 'string' ? (v[name] as string) : undefined;
  /** Both dates are given and the one that should come first is after the other. */
  const outOfOrder = (first: string, second: string): boolean => {
    const a = str(first);
    const b = str(second);
    return !!a && !!b && a > b;
  };
  switch (rule) {
    case 'address_has_premises':
      if (!str('sub_building_name') && !str('house_name') && !str('house_no')) {
        error('house_no', 'Give a building number, a building name or a flat or sub-building.');
      }
      return;
    case 'twin_stream_change': {
      const cur = str('current_twin_stream_indicator');
      if (cur !== undefined && cur === str('proposed_twin_stream_indicator')) {
        error(
          'proposed_twin_stream_indicator',
          'The correct indicator is the same as the one on the register.',
        );
      }
      return;
    }
    case 'dup_distinct_mprns':
      if (ctx.mprn && str('duplicate_mprn') === ctx.mprn.trim()) {
        error(
          'duplicate_mprn',
          'The duplicate MPRN must be a different MPRN from the one this contact is about.',
        );
      }
      return;
    case 'read_value_with_date':
      if (v['read_value'] !== undefined && str('read_date') === undefined)
        error('read_date', 'Give the date of the read.');
      if (v['read_value'] === undefined && str('read_date') !== undefined)
        error('read_value', 'Give the read for this date.');
      return;
    case 'dtl_install_not_after_live':
      if (outOfOrder('meter_installation_date', 'live_date')) {
        error(
          'meter_installation_date',
          'The meter cannot have been installed after the supply became live.',
        );
      }
      return;
    case 'required_by_after_today': {
      const by = str('required_by_date');
      if (by && by <= ctx.today)
        error('required_by_date', 'The read must be required by a date after today.');
      return;
    }
    case 'prs_mprn_list': {
      const text = str('sub_mprns');
      if (text === undefined) return;
      const list = text.split(/[\s,;]+/).filter((s) => s !== '');
      const bad = list.filter((m) => !validateMprn(m).ok);
      if (list.length === 0 || bad.length > 0) {
        error(
          'sub_mprns',
          `Sub MPRNs must be MPRNs of 6 to 10 digits separated by commas${bad.length ? ` (not ${bad.join(', ')})` : ''}.`,
        );
      } else if (new Set(list).size !== list.length) error('sub_mprns', 'A sub MPRN is listed twice.');
      else if (list.includes(str('prime_mprn') ?? ''))
        error('sub_mprns', 'The prime MPRN cannot also be a sub MPRN.');
      else v['sub_mprns'] = list;
      return;
    }
    case 'period_dates':
      for (const f of def.fields) {
        const m = /^(.*)_start_date$/.exec(f.name);
        if (!m) continue;
        const endName = `${m[1]}_end_date`;
        if (outOfOrder(f.name, endName))
          error(endName, `${labelOf(def, endName)} cannot be before ${labelOf(def, f.name).toLowerCase()}.`);
      }
      return;
    case 'rfa_site_class':
      if (ctx.siteClass === undefined || ctx.siteClass === null) {
        error(null, 'The site’s class is needed to check a Request For Adjustment.');
      } else if (![1, 2, 3, 4].includes(ctx.siteClass)) {
        error(null, `The site’s class (${ctx.siteClass}) is not a valid class; it must be 1, 2, 3 or 4.`);
      } else if (ctx.raiserType === 'dmsp') {
        if (ctx.siteClass !== 1) {
          error(
            null,
            `A Daily Metered Service Provider raises a Request For Adjustment only for a Class 1 site, on the registered shipper’s behalf. This is a Class ${ctx.siteClass} site: its registered shipper raises it.`,
          );
        } else derived.onBehalfOf = 'registered_shipper';
      } else if (ctx.siteClass === 1) {
        error(
          null,
          'A Request For Adjustment can only be raised by a shipper for a Class 2, 3 or 4 site. This is a Class 1 site: its appointed Daily Metered Service Provider raises it on your behalf.',
        );
      }
      return;
    case 'dtl_dead_site':
    case 'iso_live_site': {
      const { status, only } = SITE_STATUS_RULES[rule];
      if (ctx.meterPointStatus !== status)
        error(
          null,
          `${only} the register shows as ${statusWords(status)}. This one is ${statusWords(ctx.meterPointStatus)}.`,
        );
      return;
    }
    case 'rfa_adjustment_dates': {
      const start = str('adjustment_start_date');
      const end = str('adjustment_end_date');
      if (start && start > ctx.today)
        error('adjustment_start_date', 'Adjustment start date cannot be in the future.');
      if (end && end > ctx.today)
        error('adjustment_end_date', 'Adjustment end date cannot be in the future.');
      if (outOfOrder('adjustment_start_date', 'adjustment_end_date'))
        error('adjustment_end_date', 'Adjustment end date cannot be before the start date.');
      if (start) {
        const aq = ctx.annualQuantityKwh;
        if (aq === undefined || aq === null) {
          error(null, 'The site’s annual quantity is needed to check the adjustment dates.');
        } else if (!outOfOrder('adjustment_start_date', 'adjustment_end_date')) {
          const part = invoicedPart(start, end ?? ctx.today, aq, params);
          if (part.kind === 'none') {
            error(
              'adjustment_end_date',
              `Below ${params.rfaSmallSiteAqThresholdKwh.toLocaleString('en-GB')} kWh a year the part of an adjustment before ${inWords(params.rfaSmallSiteEarliestStart)} is not invoiced, and all of this period is before it: end it on or after that date.`,
            );
          } else if (part.kind === 'part') derived.notInvoiced = part.notInvoiced;
        }
      }
      return;
    }
    case 'rfa_read_or_consumption':
      if (v['proposed_read'] === undefined && v['proposed_consumption_kwh'] === undefined) {
        error('proposed_read', 'Give a proposed read or a proposed consumption.');
      }
      return;
    case 'tog_theft_dates':
      if (outOfOrder('theft_start_date', 'date_discovered')) {
        error('theft_start_date', 'The theft cannot have started after the date it was discovered.');
      }
      return;
  }
}

/** The rules that take a code only for a supply point in one meter point status, and what each is only for. */
const SITE_STATUS_RULES = {
  dtl_dead_site: { status: METER_POINT_STATUS.dead, only: 'Dead to Live is only for a supply point' },
  iso_live_site: { status: METER_POINT_STATUS.live, only: 'An isolation request is only for a supply point' },
} as const satisfies Partial<Record<RuleName, { status: string; only: string }>>;

/** A meter point status in words ("live", "dead"), from the register's code. */
function statusWords(code: string | null | undefined): string {
  const words: Record<string, string> = {
    LI: 'live',
    CA: 'capped',
    CL: 'clamped',
    IS: 'isolated',
    DE: 'dead',
    EX: 'extinct',
  };
  return code ? (words[code] ?? `in status ${code}`) : 'of unknown status';
}

function labelOf(def: ContactCodeDef, name: string): string {
  return def.fields.find((f) => f.name === name)?.label ?? name;
}
