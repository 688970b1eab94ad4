/**
 * Validation and normalisation of register load rows (header and data rows of a DES register file).
 *
 * Pure: the code lists and the check-digit policy are inputs, so operators can change them without a release.
 * An empty cell means null (the field is cleared). Valid values come back as normalised text: postcodes
 * normalised, codes in the code list's own spelling, dates as YYYY-MM-DD, numbers as canonical decimal text
 * (never through a float).
 */
import type { CodeLists } from './code-lists.ts';
import { REGISTER_FIELD_MAP, type RegisterField } from './fields.ts';
import { hasValidCheckDigits, mprnCheckDigits, validateMprn } from '../../../platform/gas/mprn.ts';
import { validatePostcode } from '../../../platform/gas/postcode.ts';

export interface Issue {
  readonly rowNumber: number;
  /** The row's MPRN when it is well-formed, else null. */
  readonly mprn: string | null;
  /** The column the issue is about, or null for the row as a whole. */
  readonly field: string | null;
  /** A plain-English sentence a user can act on. */
  readonly reason: string;
}

/**
 * A valid row: `cells` holds the normalised values in the header's column order (null = empty, the MPRN at its own
 * column), which is what the loader stages; `values` names them (built on first use, for callers that read by name).
 */
export class ValidRow {
  readonly ok = true as const;
  private named: Record<string, string | null> | null = null;
  constructor(
    readonly mprn: string,
    readonly cells: readonly (string | null)[],
    private readonly columns: readonly string[],
    readonly warnings: Issue[],
  ) {}
  get values(): Record<string, string | null> {
    if (this.named === null) {
      const out: Record<string, string | null> = {};
      this.columns.forEach((c, i) => (out[c] = this.cells[i] ?? null));
      this.named = out;
    }
    return this.named;
  }
  toJSON() {
    return { ok: true, mprn: this.mprn, values: this.values, warnings: this.warnings };
  }
}

export type RowResult = ValidRow | { ok: false; mprn: string | null; errors: Issue[]; warnings: Issue[] };

export type CheckDigitPolicy = 'warn' | 'error';

export interface RowValidatorOptions {
  /** Column names from the header row, in file order. */
  readonly columns: readonly string[];
  /** The operator's current code lists (list name → code → meaning). */
  readonly codeLists: CodeLists;
  /** Whether an MPRN failing the (unofficial) check-digit rule is a warning or an error. */
  readonly checkDigitPolicy: CheckDigitPolicy;
  /**
   * The short codes of the known shippers: a last or interested shipper must be one of them. Without it those two
   * columns are checked for form only.
   */
  readonly shipperCodes?: ReadonlySet<string>;
}

export type RowValidator = (fields: readonly string[], rowNumber: number) => RowResult;

/** Header columns are matched trimmed and case-insensitively. */
function normaliseColumn(name: string): string {
  return name.trim().toLowerCase();
}

/** Checks a header row; returns an empty list when it is usable. Issues carry rowNumber 1. */
export function validateHeader(columns: readonly string[]): Issue[] {
  const issue = (field: string | null, reason: string): Issue => ({
    rowNumber: 1,
    mprn: null,
    field,
    reason,
  });
  if (columns.length === 0 || columns.every((c) => c.trim() === '')) {
    return [issue(null, 'the header row is empty; the first row must name the columns, e.g. mprn,postcode')];
  }
  const issues: Issue[] = [];
  const seen = new Map<string, number>();
  columns.forEach((raw, i) => {
    const name = normaliseColumn(raw);
    if (name === '') {
      issues.push(issue(null, `column ${i + 1} of the header row has no name`));
      return;
    }
    const first = seen.get(name);
    if (first !== undefined) {
      issues.push(issue(name, `column '${name}' appears more than once (columns ${first + 1} and ${i + 1})`));
    } else {
      seen.set(name, i);
    }
    if (!REGISTER_FIELD_MAP.has(name)) {
      issues.push(
        issue(
          name,
          `unknown column '${raw.trim()}' (column ${i + 1}); column names must be register field names`,
        ),
      );
    }
  });
  if (!seen.has('mprn')) issues.unshift(issue('mprn', "there is no 'mprn' column; every file must have one"));
  return issues;
}

/** A check normalises a non-empty trimmed cell, or returns the reason it is invalid. */
type Check = (value: string) => string | { reason: string };
const fail = (reason: string) => ({ reason });

/** True when `s` holds a C0 control character (tab, CR, LF...) or DEL. */
function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
const INTEGER_RE = /^\+?[0-9]+$/;
const DECIMAL_RE = /^\+?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;
/** Already canonical: no sign, no leading zero before the point, a fraction (if any) not ending in zero. */
const CANONICAL_DECIMAL_RE = /^(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?$/;
const DATE_DASHED_RE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const DATE_COMPACT_RE = /^[0-9]{8}$/;
const SHORT_CODE_RE = /^[A-Z0-9]{3}$/;
const EUC_RE = /^([A-Z]{2}):E[0-9]{4}[A-Z0-9]{1,3}$/;

function charLength(s: string): number {
  return /[\ud800-\udfff]/.test(s) ? [...s].length : s.length;
}

/** Canonical text of a non-negative integer: no sign, no leading zeros. */
export function canonicalInteger(s: string): string | null {
  if (!INTEGER_RE.test(s)) return null;
  const c = s.charCodeAt(0);
  if (c !== 0x2b && (c !== 0x30 || s.length === 1)) return s; // already canonical: no sign, no leading zero
  const digits = s.replace(/^\+/, '').replace(/^0+(?=[0-9])/, '');
  return digits;
}

/** Canonical text of a non-negative decimal: '001.50' → '1.5', '.5' → '0.5', '2.000' → '2'. No floats. */
export function canonicalDecimal(s: string): string | null {
  if (!DECIMAL_RE.test(s)) return null;
  if (CANONICAL_DECIMAL_RE.test(s)) return s;
  const body = s.replace(/^\+/, '');
  const dot = body.indexOf('.');
  const intPart = (dot < 0 ? body : body.slice(0, dot)).replace(/^0+/, '') || '0';
  const fracPart = dot < 0 ? '' : body.slice(dot + 1).replace(/0+$/, '');
  return fracPart === '' ? intPart : `${intPart}.${fracPart}`;
}

/** YYYY-MM-DD for a real calendar date given as YYYY-MM-DD or YYYYMMDD, else null. */
export function canonicalDate(s: string): string | null {
  const dashed = s.length === 10 && DATE_DASHED_RE.test(s);
  if (!dashed && !(s.length === 8 && DATE_COMPACT_RE.test(s))) return null;
  // Digits read by position (no match arrays: this runs for every date cell of a million-row file).
  const m0 = dashed ? 5 : 4;
  const d0 = dashed ? 8 : 6;
  const y = Number(s.slice(0, 4));
  const mo = (s.charCodeAt(m0) - 48) * 10 + (s.charCodeAt(m0 + 1) - 48);
  const d = (s.charCodeAt(d0) - 48) * 10 + (s.charCodeAt(d0 + 1) - 48);
  if (y < 1800 || mo < 1 || mo > 12 || d < 1) return null;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (d > (mo === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[mo - 1]!)) return null;
  return dashed ? s : `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function describeCodes(list: ReadonlyMap<string, string>): string {
  if (list.size > 16) return 'see the code list for the allowed values';
  return `allowed: ${[...list.keys()].join(', ')}`;
}

function textCheck(field: RegisterField, upper: boolean): Check {
  return (v) => {
    if (hasControlChar(v)) return fail(`${field.label} contains a line break or other control character`);
    if (field.maxLength !== undefined && v.length > field.maxLength && charLength(v) > field.maxLength) {
      return fail(`${field.label} '${v}' is too long: at most ${field.maxLength} characters`);
    }
    return upper ? v.toUpperCase() : v;
  };
}

function codeCheck(field: RegisterField, list: ReadonlyMap<string, string>): Check {
  // Case-insensitive index onto the list's own spelling; numeric codes also match with leading zeros ('02').
  const index = new Map<string, string>();
  for (const code of list.keys()) index.set(code.toUpperCase(), code);
  return (v) => {
    const key = v.toUpperCase();
    const hit =
      index.get(key) ?? (/^[0-9]+$/.test(key) ? index.get(key.replace(/^0+(?=[0-9])/, '')) : undefined);
    if (hit !== undefined) return hit;
    return fail(`${field.label} '${v}' is not a recognised code (${describeCodes(list)})`);
  };
}

function makeCheck(field: RegisterField, codeLists: CodeLists): Check {
  switch (field.type) {
    case 'text':
      return textCheck(field, field.name === 'msn' || field.name === 'end_user_category_code');
    case 'short_code':
      return (v) => {
        const code = v.toUpperCase();
        if (SHORT_CODE_RE.test(code)) return code;
        return fail(`${field.label} '${v}' must be a 3-character short code (letters and digits)`);
      };
    case 'integer':
      return (v) => {
        const n = canonicalInteger(v);
        if (n === null)
          return fail(`${field.label} '${v}' must be a whole number of zero or more, e.g. 12000`);
        if (field.maxLength !== undefined && n.length > field.maxLength) {
          return fail(`${field.label} '${v}' is too large: at most ${field.maxLength} digits`);
        }
        return n;
      };
    case 'decimal':
      return (v) => {
        const n = canonicalDecimal(v);
        if (n === null) return fail(`${field.label} '${v}' must be a number of zero or more, e.g. 1.5`);
        const p = field.precision;
        if (p) {
          const [int = '', frac = ''] = n.split('.');
          if (int.length > p.integerDigits || frac.length > p.fractionDigits) {
            const format = `${'9'.repeat(p.integerDigits)}.${'9'.repeat(p.fractionDigits)}`;
            return fail(`${field.label} '${v}' does not fit the format ${format}`);
          }
        }
        return n;
      };
    case 'date':
      return (v) =>
        canonicalDate(v) ??
        fail(`${field.label} '${v}' is not a real calendar date in the form YYYY-MM-DD (or YYYYMMDD)`);
    case 'postcode':
      return (v) => {
        const r = validatePostcode(v);
        return r.ok ? r.postcode : fail(r.reason);
      };
    case 'code': {
      const listName = field.codeList ?? '';
      const list = codeLists[listName];
      if (!list) throw new Error(`code list '${listName}' (for field ${field.name}) was not supplied`);
      return codeCheck(field, list);
    }
  }
}

/**
 * Builds a validator for rows of a file with the given header. Throws when the header is unusable (check it
 * with `validateHeader` first to report the problems) or a needed code list is missing.
 */
export function makeRowValidator(options: RowValidatorOptions): RowValidator {
  const headerIssues = validateHeader(options.columns);
  if (headerIssues.length > 0) {
    throw new Error(`invalid header: ${headerIssues.map((i) => i.reason).join('; ')}`);
  }
  const names = options.columns.map(normaliseColumn);
  const fields = names.map((n) => REGISTER_FIELD_MAP.get(n)!);
  const checks = fields.map((f) => makeCheck(f, options.codeLists));
  const mprnIndex = names.indexOf('mprn');
  const width = names.length;
  const exitZoneLdz = options.codeLists['exit_zone_ldz'];
  const checkDigitsAreErrors = options.checkDigitPolicy === 'error';
  // Columns the cross-field rules read (-1 when the file has no such column).
  const at = {
    ldz: names.indexOf('ldz_id'),
    exitZone: names.indexOf('exit_zone'),
    euc: names.indexOf('end_user_category_code'),
    shipper: names.indexOf('shipper_short_code'),
    last: names.indexOf('last_shipper_short_code'),
    interested: names.indexOf('interested_shipper_short_code'),
  };
  const cell = (cells: readonly (string | null)[], i: number): string | null =>
    i < 0 ? null : (cells[i] ?? null);

  return (raw, rowNumber) => {
    let errors: Issue[] | null = null;
    const warnings: Issue[] = [];
    const rawMprn = (raw[mprnIndex] ?? '').trim();
    const mprnResult = validateMprn(rawMprn);
    const mprn = mprnResult.ok ? mprnResult.mprn : null;
    // (Helpers made once per row would cost an allocation per row on a million-row file: issues are pushed inline.)

    if (raw.length !== width) {
      const reason = `row has ${raw.length} values but the header has ${width} columns`;
      return { ok: false, mprn, errors: [{ rowNumber, mprn, field: null, reason }], warnings };
    }
    if (!mprnResult.ok) {
      const reason = rawMprn === '' ? 'MPRN is missing; every row needs one' : mprnResult.reason;
      (errors ??= []).push({ rowNumber, mprn, field: 'mprn', reason });
    } else if (!hasValidCheckDigits(mprnResult.mprn)) {
      const expected = mprnCheckDigits(mprnResult.mprn.slice(0, -2));
      const reason = `MPRN '${mprnResult.mprn}' fails the check-digit test (the last two digits would be '${expected}')`;
      (checkDigitsAreErrors ? (errors ??= []) : warnings).push({ rowNumber, mprn, field: 'mprn', reason });
    }

    const cells: (string | null)[] = new Array<string | null>(width);
    for (let i = 0; i < width; i++) {
      if (i === mprnIndex) {
        cells[i] = mprn;
        continue;
      }
      const v = raw[i]!.trim();
      if (v === '') {
        cells[i] = null;
        continue;
      }
      const r = checks[i]!(v);
      if (typeof r === 'string') cells[i] = r;
      else {
        cells[i] = null;
        (errors ??= []).push({ rowNumber, mprn, field: names[i]!, reason: r.reason });
      }
    }

    const last = cell(cells, at.last);
    const interested = cell(cells, at.interested);
    if (last !== null || interested !== null) {
      const rejections: [string, string][] = [];
      checkShipperlessUnregistered(
        at.shipper >= 0,
        cell(cells, at.shipper),
        last,
        interested,
        options.shipperCodes,
        (field, reason) => rejections.push([field, reason]),
      );
      for (const [field, reason] of rejections) (errors ??= []).push({ rowNumber, mprn, field, reason });
    }

    // Cross-field consistency, only where both values are present in this row: warnings, as the rules are ours.
    const ldz = cell(cells, at.ldz);
    const exitZone = cell(cells, at.exitZone);
    if (ldz && exitZone && exitZoneLdz) {
      const zoneLdz = exitZoneLdz.get(exitZone);
      if (zoneLdz !== undefined && zoneLdz !== ldz) {
        const reason = `exit zone '${exitZone}' belongs to LDZ '${zoneLdz}', not to LDZ '${ldz}'`;
        warnings.push({ rowNumber, mprn, field: 'exit_zone', reason });
      }
    }
    const euc = cell(cells, at.euc);
    if (euc) {
      const m = EUC_RE.exec(euc);
      if (!m) {
        const reason = `end user category '${euc}' does not look like an EUC code such as EA:E1903B`;
        warnings.push({ rowNumber, mprn, field: 'end_user_category_code', reason });
      } else if (ldz && m[1] !== ldz) {
        const reason = `end user category '${euc}' is for LDZ '${m[1]}', not LDZ '${ldz}'`;
        warnings.push({ rowNumber, mprn, field: 'end_user_category_code', reason });
      }
    }

    if (errors !== null || mprn === null) return { ok: false, mprn, errors: errors ?? [], warnings };
    return new ValidRow(mprn, cells, names, warnings);
  };
}

/**
 * UNC's Shipperless and Unregistered sites (docs/formats/des-load.md): an empty `shipper_short_code` marks a site no
 * shipper is registered to; `last_shipper_short_code` names the shipper registered before it became shipperless,
 * `interested_shipper_short_code` the shipper that asked for the MPRN to be created on a site never registered.
 * So either is given only with `shipper_short_code` in the row and empty, never both (a site that had a shipper was
 * registered), and each must be a known shipper's. Errors: the row is rejected, like any other bad field.
 */
function checkShipperlessUnregistered(
  hasShipperColumn: boolean,
  shipper: string | null,
  last: string | null,
  interested: string | null,
  shipperCodes: ReadonlySet<string> | undefined,
  reject: (field: string, reason: string) => void,
): void {
  const known = (field: string, code: string | null) => {
    if (code !== null && shipperCodes !== undefined && !shipperCodes.has(code)) {
      reject(field, `'${code}' is not the short code of a known shipper`);
    }
  };
  known('last_shipper_short_code', last);
  known('interested_shipper_short_code', interested);
  const needsEmptyShipper = (field: string, what: string) => {
    if (!hasShipperColumn) {
      reject(field, `${what} needs the shipper_short_code column in the file, empty for this site`);
    } else if (shipper !== null) {
      reject(
        field,
        `${what} is only for a site with no registered shipper, but shipper_short_code is '${shipper}'`,
      );
    }
  };
  if (last !== null)
    needsEmptyShipper('last_shipper_short_code', 'a last registered shipper (shipperless site)');
  if (interested !== null) {
    needsEmptyShipper('interested_shipper_short_code', 'an interested shipper (unregistered site)');
    if (last !== null) {
      reject(
        'interested_shipper_short_code',
        'an interested shipper is only for a site never registered, but this row also names a last registered shipper',
      );
    }
  }
}
