/** The rules for an administrator's edit of a contact code, shared by the catalogue form and the API. */
import {
  isBusinessDays,
  MAX_BUSINESS_DAYS,
  ORG_TYPES,
  RESOLUTION_CODE,
  type CodeListEntry,
} from './contact-codes.ts';

/** The attributes an administrator edits (web form and API), with the messages the form shows per field. */
export interface CodeEdit {
  name: unknown;
  description: unknown;
  raised_by: unknown;
  target_business_days: unknown;
  response_window_business_days: unknown;
  challenge_window_business_days: unknown;
  /** Checked when given (an edit that leaves them out keeps them). */
  outcomes?: unknown;
  rejection_reasons?: unknown;
}

/** Field errors for an edit of a code's editable attributes: the rules the catalogue form and the API share. */
export function validateCodeEdit(e: CodeEdit): { field: keyof CodeEdit; message: string }[] {
  const out: { field: keyof CodeEdit; message: string }[] = [];
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const name = text(e.name);
  if (name.length < 1 || name.length > 100)
    out.push({ field: 'name', message: 'Enter a name of 1 to 100 characters' });
  const description = text(e.description);
  if (description.length < 1 || description.length > 2000)
    out.push({ field: 'description', message: 'Enter a description of 1 to 2,000 characters' });
  const days: [keyof CodeEdit, string][] = [
    ['target_business_days', 'Target'],
    ['response_window_business_days', 'Response window'],
    ['challenge_window_business_days', 'Challenge window'],
  ];
  for (const [k, label] of days) {
    if (!isBusinessDays(e[k]))
      out.push({ field: k, message: `${label} must be a whole number from 1 to ${MAX_BUSINESS_DAYS}` });
  }
  const raisedBy = e.raised_by;
  if (
    !Array.isArray(raisedBy) ||
    raisedBy.length === 0 ||
    !raisedBy.every((t) => (ORG_TYPES as readonly unknown[]).includes(t)) ||
    new Set(raisedBy).size !== raisedBy.length
  )
    out.push({ field: 'raised_by', message: 'Select the organisation types that may raise this code' });
  for (const [k, what] of [
    ['outcomes', 'outcome'],
    ['rejection_reasons', 'rejection reason'],
  ] as const) {
    if (e[k] !== undefined && !isCodeList(e[k]))
      out.push({
        field: k,
        message: `Give at least one ${what}, each a distinct code of 2 to 40 capital letters, digits or underscores and a label of up to 200 characters`,
      });
  }
  return out;
}

function isCodeList(v: unknown): v is CodeListEntry[] {
  if (!Array.isArray(v) || v.length === 0) return false;
  const ok = v.every(
    (c: unknown) =>
      typeof c === 'object' &&
      c !== null &&
      typeof (c as CodeListEntry).value === 'string' &&
      RESOLUTION_CODE.test((c as CodeListEntry).value) &&
      typeof (c as CodeListEntry).label === 'string' &&
      (c as CodeListEntry).label.trim().length >= 1 &&
      (c as CodeListEntry).label.length <= 200,
  );
  return ok && new Set(v.map((c: CodeListEntry) => c.value)).size === v.length;
}

/** A list of codes as the catalogue form shows it: one a line, "CODE: Label". */
export function formatCodeLines(list: readonly CodeListEntry[]): string {
  return list.map((c) => `${c.value}: ${c.label}`).join('\n');
}

/**
 * The list typed into the catalogue form: one a line, "CODE: Label" (blank lines skipped; the code is upper-cased,
 * spaces around both trimmed). A line without a colon becomes an entry with an empty label, which the rules refuse.
 */
export function parseCodeLines(text: string): CodeListEntry[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const at = line.indexOf(':');
      return at < 0
        ? { value: line.toUpperCase(), label: '' }
        : { value: line.slice(0, at).trim().toUpperCase(), label: line.slice(at + 1).trim() };
    });
}
