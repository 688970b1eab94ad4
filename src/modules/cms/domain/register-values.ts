// "Current value" fields: a catalogue field marked `from_register` (contact-codes.ts) states what the register
// holds for the contact's supply point (as at D-1), e.g. AGG's twin stream indicator or ADD's current address. The
// raiser never types it: the service fills it in from the register, and refuses a submitted value that differs
// (so the web form, the API and batch files agree). Pure: the register's values are given.

import type { ContactCodeDef, FieldDef, RegisterSource } from './contact-codes.ts';
import { govukDate } from '../../../platform/time/calendar.ts';

/** The register's values for one supply point, by source (null or absent: the register holds none). */
export type RegisterValues = Partial<Record<RegisterSource, string | number | null>> & {
  as_at?: string | null;
};

export interface RegisterFill {
  /** The submitted fields, each register field set to the register's value (removed where it holds none). */
  fields: Record<string, unknown>;
  /**
   * The code as the field validation should see it: without a supply point to take them from, its register fields
   * are not required (the MPRN error says why, once).
   */
  def: ContactCodeDef;
  /** `field` is 'mprn' or a catalogue field name. */
  errors: { field: string; message: string }[];
}

/** The fields of a code whose values come from the register. */
export function registerFieldsOf(def: Pick<ContactCodeDef, 'fields'>): FieldDef[] {
  return def.fields.filter((f) => f.from_register !== undefined);
}

const present = (v: unknown): boolean => v !== undefined && v !== null && String(v).trim() !== '';

/** Codes compare exactly (any case), text with runs of spaces as one and in any case. */
function same(f: FieldDef, a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => String(v).trim().replace(/\s+/g, ' ').toUpperCase();
  return f.type === 'code'
    ? String(a).trim().toUpperCase() === String(b).trim().toUpperCase()
    : norm(a) === norm(b);
}

/** A value as a person reads it: a code with its label ("Y (Yes)"), text as it is. */
export function registerValueText(f: FieldDef, v: unknown): string {
  const s = String(v).trim();
  const label = f.code_list?.find((c) => c.value.toUpperCase() === s.toUpperCase())?.label;
  return label ? `${s} (${label})` : s;
}

/**
 * Fills the register fields of `def` from `register` (null: no supply point in the raiser's portfolio) and checks
 * any value the raiser sent for them.
 */
export function fillFromRegister(
  def: ContactCodeDef,
  register: RegisterValues | null,
  submitted: Record<string, unknown>,
): RegisterFill {
  const fromRegister = registerFieldsOf(def);
  const fields = { ...submitted };
  const errors: RegisterFill['errors'] = [];
  if (fromRegister.length === 0) return { fields, def, errors };
  if (register === null) {
    for (const f of fromRegister) delete fields[f.name];
    const labels = fromRegister.map((f) => f.label.toLowerCase()).join(' and ');
    errors.push({
      field: 'mprn',
      message: `Give the MPRN of a supply point in your portfolio: the ${labels} ${fromRegister.length === 1 ? 'is' : 'are'} taken from the register`,
    });
    const relaxed = def.fields.map((f) => (f.from_register !== undefined ? { ...f, required: false } : f));
    return { fields, def: { ...def, fields: relaxed }, errors };
  }
  const asAt = register.as_at ? ` as at ${govukDate(register.as_at)}` : '';
  for (const f of fromRegister) {
    const held = register[f.from_register!];
    const sent = submitted[f.name];
    if (!present(held)) {
      delete fields[f.name];
      if (present(sent)) {
        errors.push({
          field: f.name,
          message: `${f.label} is taken from the register, which holds none for this supply point${asAt}: leave it out`,
        });
      } else if (f.required) {
        errors.push({
          field: f.name,
          message: `The register holds no ${f.label.toLowerCase()} for this supply point${asAt}, so this contact cannot be raised. Ask the CDSP service desk`,
        });
      }
      continue;
    }
    if (present(sent) && !same(f, sent, held)) {
      errors.push({
        field: f.name,
        message: `${f.label} is taken from the register, where it is ${registerValueText(f, held)}${asAt}, not ${String(sent).trim()}. Leave it out and it is filled in for you`,
      });
      continue;
    }
    fields[f.name] = String(held).trim();
  }
  return { fields, def, errors };
}
