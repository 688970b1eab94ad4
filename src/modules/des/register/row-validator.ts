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

export type RowResult =
  | { ok: true; mprn: string; values: Record<string, string | null>; warnings: Issue[] }
  | { ok: false; mprn: string | null; errors: Issue[]; warnings: Issue[] };

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
const DATE_DASHED_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const DATE_COMPACT_RE = /^([0-9]{4})([0-9]{2})([0-9]{2})$/;
const SHORT_CODE_RE = /^[A-Z0-9]{3}$/;
const EUC_RE = /^([A-Z]{2}):E[0-9]{4}[A-Z0-9]{1,3}$/;

function charLength(s: string): number {
  return /[\ud800-\udfff]/.test(s) ? [...s].length : s.length;
}

/** Canonical text of a non-negative integer: no sign, no leading zeros. */
export function canonicalInteger(s: string): string | null {
  if (!INTEGER_RE.test(s)) return null;
  const digits = s.replace(/^\+/, '').replace(/^0+(?=[0-9])/, '');
  return digits;
}

/** Canonical text of a non-negative decimal: '001.50' → '1.5', '.5' → '0.5', '2.000' → '2'. No floats. */
export function canonicalDecimal(s: string): string | null {
  if (!DECIMAL_RE.test(s)) return null;
  const body = s.replace(/^\+/, '');
  const dot = body.indexOf('.');
  const intPart = (dot < 0 ? body : body.slice(0, dot)).replace(/^0+/, '') || '0';
  const fracPart = dot < 0 ? '' : body.slice(dot + 1).replace(/0+$/, '');
  return fracPart === '' ? intPart : `${intPart}.${fracPart}`;
}

/** YYYY-MM-DD for a real calendar date given as YYYY-MM-DD or YYYYMMDD, else null. */
export function canonicalDate(s: string): string | null {
  const m = DATE_DASHED_RE.exec(s) ?? DATE_COMPACT_RE.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1800 || mo < 1 || mo > 12 || d < 1) return null;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!;
  if (d > days) return null;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

function describeCodes(list: ReadonlyMap<string, string>): string {
  if (list.size > 16) return 'see the code list for the allowed values';
  return `allowed: ${[...list.keys()].join(', ')}`;
}

function textCheck(field: RegisterField, upper: boolean): Check {
  return (v) => {
    if (hasControlChar(v)) return fail(`${field.label} contains a line break or other control character`);
    if (field.maxLength !== undefined && charLength(v) > field.maxLength) {
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

  return (cells, rowNumber) => {
    const errors: Issue[] = [];
    const warnings: Issue[] = [];
    const rawMprn = (cells[mprnIndex] ?? '').trim();
    const mprnResult = validateMprn(rawMprn);
    const mprn = mprnResult.ok ? mprnResult.mprn : null;
    const add = (list: Issue[], field: string | null, reason: string) =>
      list.push({ rowNumber, mprn, field, reason });

    if (cells.length !== width) {
      add(errors, null, `row has ${cells.length} values but the header has ${width} columns`);
      return { ok: false, mprn, errors, warnings };
    }
    if (!mprnResult.ok) {
      add(errors, 'mprn', rawMprn === '' ? 'MPRN is missing; every row needs one' : mprnResult.reason);
    } else if (!hasValidCheckDigits(mprnResult.mprn)) {
      const expected = mprnCheckDigits(mprnResult.mprn.slice(0, -2));
      add(
        checkDigitsAreErrors ? errors : warnings,
        'mprn',
        `MPRN '${mprnResult.mprn}' fails the check-digit test (the last two digits would be '${expected}')`,
      );
    }

    const values: Record<string, string | null> = {};
    for (let i = 0; i < width; i++) {
      const name = names[i]!;
      if (i === mprnIndex) {
        values[name] = mprn;
        continue;
      }
      const v = cells[i]!.trim();
      if (v === '') {
        values[name] = null;
        continue;
      }
      const r = checks[i]!(v);
      if (typeof r === 'string') values[name] = r;
      else add(errors, name, r.reason);
    }

    checkShipperlessUnregistered(names, values, options.shipperCodes, (field, reason) =>
      add(errors, field, reason),
    );

    // Cross-field consistency, only where both values are present in this row: warnings, as the rules are ours.
    const ldz = values['ldz_id'];
    const exitZone = values['exit_zone'];
    if (ldz && exitZone && exitZoneLdz) {
      const zoneLdz = exitZoneLdz.get(exitZone);
      if (zoneLdz !== undefined && zoneLdz !== ldz) {
        add(
          warnings,
          'exit_zone',
          `exit zone '${exitZone}' belongs to LDZ '${zoneLdz}', not to LDZ '${ldz}'`,
        );
      }
    }
    const euc = values['end_user_category_code'];
    if (euc) {
      const m = EUC_RE.exec(euc);
      if (!m) {
        add(
          warnings,
          'end_user_category_code',
          `end user category '${euc}' does not look like an EUC code such as EA:E1903B`,
        );
      } else if (ldz && m[1] !== ldz) {
        add(
          warnings,
          'end_user_category_code',
          `end user category '${euc}' is for LDZ '${m[1]}', not LDZ '${ldz}'`,
        );
      }
    }

    if (errors.length > 0 || mprn === null) return { ok: false, mprn, errors, warnings };
    return { ok: true, mprn, values, warnings };
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
  names: readonly string[],
  values: Record<string, string | null>,
  shipperCodes: ReadonlySet<string> | undefined,
  reject: (field: string, reason: string) => void,
): void {
  const hasShipperColumn = names.includes('shipper_short_code');
  const shipper = values['shipper_short_code'] ?? null;
  const last = values['last_shipper_short_code'] ?? null;
  const interested = values['interested_shipper_short_code'] ?? null;
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
