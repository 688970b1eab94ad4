/**
 * Field errors as the GOV.UK error summary and per-field messages want them: the one helper every web route uses
 * to re-render a form with its errors.
 */
import type { FieldError, ValidationError } from '../errors.ts';

export interface FormErrorsView {
  /** For the error summary: each message with a link to its field (`#id`; dots in a field name become dashes). */
  errors: { text: string; href: string }[];
  /** The first message for each field, for the field itself. */
  fieldErrors: Record<string, { text: string }>;
}

export function formErrors(errors: readonly FieldError[]): FormErrorsView {
  const fieldErrors: Record<string, { text: string }> = {};
  for (const fe of errors) fieldErrors[fe.field] ??= { text: fe.message };
  return {
    errors: errors.map((fe) => ({ text: fe.message, href: `#${fe.field.replace(/\./g, '-')}` })),
    fieldErrors,
  };
}

/**
 * A validation error's field errors; one that names no field is shown against `fallbackField`. A message about a
 * GOV.UK date input (`dateFields`) leads to its day box (`#<field>-day`), as the pattern asks.
 */
export function formErrorsOf(
  e: ValidationError,
  fallbackField = 'form',
  dateFields: readonly string[] = [],
): FormErrorsView {
  const view = formErrors(e.errors.length > 0 ? e.errors : [{ field: fallbackField, message: e.message }]);
  for (const err of view.errors) if (dateFields.includes(err.href.slice(1))) err.href = `${err.href}-day`;
  return view;
}
