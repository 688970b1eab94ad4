// Resolution rules (pure): the outcome a resolve needs and the reason a reject needs, both from the code's lists in
// the catalogue; the optional expected register change on resolve; and how that change is checked against the
// register when a load lands, and said on the page.

import type { CodeListEntry, ContactCodeDef } from './contact-codes.ts';
import { govukDate } from '../../../platform/time/calendar.ts';

export interface ResolutionInput {
  /** The outcome code (resolve). */
  outcome?: string | null;
  /** The rejection reason code (reject). */
  reason_code?: string | null;
  /** The expected register change (resolve only, optional): a register field of the code and the value. */
  expected_register_change?: { field?: string | null; value?: string | null } | null;
}

export interface ExpectedChange {
  field: string;
  field_label: string;
  value: string;
}

export type ResolutionDecision =
  | {
      ok: true;
      outcome: CodeListEntry | null;
      reason: CodeListEntry | null;
      expected: ExpectedChange | null;
    }
  | { ok: false; errors: { field: string; message: string }[] };

/** The longest expected value (characters). */
export const MAX_EXPECTED_VALUE = 200;

const blank = (v: string | null | undefined): boolean => v === null || v === undefined || v.trim() === '';

/**
 * What a resolve or reject records, checked against the code's lists: a resolve needs one of the code's outcomes,
 * a reject one of its rejection reasons (missing and unknown are both refused, with the labels to choose from).
 * An expected register change is only for a resolve of a contact about an MPRN, names one of the code's register
 * fields (`fieldLabels` gives the register's label for each field it has) and a value. Other actions record none.
 */
export function decideResolution(
  def: Pick<ContactCodeDef, 'code' | 'outcomes' | 'rejection_reasons' | 'register_fields'>,
  action: string,
  input: ResolutionInput,
  ctx: { hasMprn: boolean; fieldLabels: ReadonlyMap<string, string> },
): ResolutionDecision {
  const errors: { field: string; message: string }[] = [];
  const pick = (
    list: readonly CodeListEntry[],
    value: string | null | undefined,
    field: string,
    what: string,
  ) => {
    const found = blank(value) ? undefined : list.find((c) => c.value === value!.trim());
    if (!found) {
      const choices = list.map((c) => c.label).join('; ');
      errors.push({
        field,
        message: blank(value)
          ? `Select the ${what}`
          : `The ${what} must be one of those for ${def.code} contacts: ${choices}`,
      });
    }
    return found ?? null;
  };
  let outcome: CodeListEntry | null = null;
  let reason: CodeListEntry | null = null;
  let expected: ExpectedChange | null = null;
  if (action === 'resolve') {
    outcome = pick(def.outcomes, input.outcome, 'outcome', 'outcome');
    const change = input.expected_register_change;
    const field = change?.field?.trim() ?? '';
    const value = change?.value?.trim() ?? '';
    if (field !== '' || value !== '') {
      const offered = def.register_fields.filter((f) => ctx.fieldLabels.has(f));
      if (!ctx.hasMprn || offered.length === 0) {
        errors.push({
          field: 'expected_field',
          message: `An expected register change cannot be given for this contact: it is about no supply point, or ${def.code} contacts name no register field`,
        });
      } else if (!offered.includes(field)) {
        errors.push({
          field: 'expected_field',
          message: `Select the register field you expect to change (one of: ${offered.map((f) => ctx.fieldLabels.get(f)).join(', ')})`,
        });
      } else if (value === '' || value.length > MAX_EXPECTED_VALUE) {
        errors.push({
          field: 'expected_value',
          message: `Enter the value you expect the register to show, of 1 to ${MAX_EXPECTED_VALUE} characters`,
        });
      } else expected = { field, field_label: ctx.fieldLabels.get(field)!, value };
    }
  } else if (action === 'reject') {
    reason = pick(def.rejection_reasons, input.reason_code, 'reason_code', 'rejection reason');
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, outcome, reason, expected };
}

/** A register value as compared: trimmed, inner spaces single, capitals (postcodes, codes and text alike). */
export function normaliseRegisterValue(v: string): string {
  return v.trim().replace(/\s+/g, ' ').toUpperCase();
}

/** Whether the register's value (null: the field is empty, or the MPRN is not on the register) is the expected one. */
export function registerShows(expected: string, actual: string | null | undefined): boolean {
  return (
    actual !== null &&
    actual !== undefined &&
    normaliseRegisterValue(actual) === normaliseRegisterValue(expected)
  );
}

/** Whether a load for `businessDate` checks a change expected on a contact resolved on `resolvedOn` (London dates). */
export function loadChecks(businessDate: string, resolvedOn: string): boolean {
  return businessDate >= resolvedOn;
}

/** What the contact page says of an expected change: "Register updated on 2 December 2026" or "Not yet in the register". */
export function registerCheckText(updatedOn: string | null): string {
  return updatedOn ? `Register updated on ${govukDate(updatedOn)}` : 'Not yet in the register';
}
