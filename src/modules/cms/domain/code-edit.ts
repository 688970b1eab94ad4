/** The rules for an administrator's edit of a contact code, shared by the catalogue form and the API. */
import { isBusinessDays, MAX_BUSINESS_DAYS, ORG_TYPES } from './contact-codes.ts';

/** The attributes an administrator edits (web form and API), with the messages the form shows per field. */
export interface CodeEdit {
  name: unknown;
  description: unknown;
  raised_by: unknown;
  target_business_days: unknown;
  response_window_business_days: unknown;
  challenge_window_business_days: unknown;
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
  return out;
}
