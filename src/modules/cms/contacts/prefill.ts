/**
 * "Current value" fields on raise: what the register holds for the contact's MPRN (as at D-1), never typed.
 *
 * - `withRegisterValues` (raise.ts): fills a code's register fields from the supply point the raise looked up and
 *   refuses a submitted value that differs (400, the field named), so the web, the API and batch files agree.
 * - `prefillForRaise` (the raise form): the same values, to show read-only on the form before it is sent.
 */
import { validateMprn } from '../../../platform/gas/mprn.ts';
import type { FieldError } from '../../../platform/errors.ts';
import type { Actor } from '../../identity/index.ts';
import type { SiteInfo } from '../cms.ports.ts';
import type { ContactCodeDef } from '../domain/contact-codes.ts';
import {
  fillFromRegister,
  registerFieldsOf,
  registerValueText,
  type RegisterValues,
} from '../domain/register-values.ts';
import type { CmsContext } from './contact-context.ts';
import { govukDate } from '../../../platform/time/calendar.ts';

/** A supply point's register values as the fill needs them (snapshots stored before issue 10 lack some). */
export function registerValuesOf(site: SiteInfo | null): RegisterValues | null {
  if (!site) return null;
  return {
    address: site.address,
    twin_stream_site_indicator: site.twin_stream_site_indicator ?? null,
    meter_point_status: site.meter_point_status,
    as_at: site.as_at ?? null,
  };
}

/**
 * Fills `def`'s register fields from `site` (null: the MPRN is not a supply point in the raiser's portfolio) and
 * adds what is wrong to `errors` (an MPRN error only when there is none yet). Returns the code and the fields the
 * field validation should check.
 */
export function withRegisterValues(
  def: ContactCodeDef,
  site: SiteInfo | null,
  fields: Record<string, unknown>,
  errors: FieldError[],
): { def: ContactCodeDef; fields: Record<string, unknown> } {
  const filled = fillFromRegister(def, registerValuesOf(site), fields);
  for (const e of filled.errors) {
    const field = e.field === 'mprn' ? 'mprn' : `fields.${e.field}`;
    if (field === 'mprn' && errors.some((x) => x.field === 'mprn')) continue;
    errors.push({ field, message: e.message });
  }
  return { def: filled.def, fields: filled.fields };
}

export interface RegisterValueView {
  name: string;
  label: string;
  /** The register's value (what the service will store), or null where it holds none. */
  value: string | null;
  /** As a person reads it ("Y (Yes)"; "None recorded"). */
  text: string;
}

export interface RaisePrefill {
  /** The code takes some field values from the register (the form asks for the MPRN first). */
  needed: boolean;
  mprn: string | null;
  /** The register's business date the values are as at (D-1), and in words ("28 February 2026"). */
  asAt: string | null;
  asAtText: string | null;
  values: RegisterValueView[];
  /** Why the MPRN given cannot be used; null when it can (or none was given). */
  error: string | null;
}

/** The register values the raise form shows for `def` on `mprnInput` (from the query string). */
export async function prefillForRaise(
  ctx: Pick<CmsContext, 'sites'>,
  actor: Actor,
  def: ContactCodeDef,
  mprnInput: string | undefined,
): Promise<RaisePrefill> {
  const fields = registerFieldsOf(def);
  const mprn = mprnInput?.trim() || null;
  const base = {
    needed: fields.length > 0,
    mprn,
    asAt: null,
    asAtText: null,
    values: [] as RegisterValueView[],
  };
  if (mprn === null) return { ...base, error: null };
  if (!validateMprn(mprn).ok) return { ...base, error: 'An MPRN is 6 to 10 digits' };
  if (fields.length === 0) return { ...base, error: null };
  const site = await ctx.sites.findVisibleSite(actor, mprn);
  if (!site) return { ...base, error: `There is no supply point ${mprn} in your portfolio` };
  const register = registerValuesOf(site)!;
  const values = fields.map((f) => {
    const held = register[f.from_register!];
    const value =
      held === null || held === undefined || String(held).trim() === '' ? null : String(held).trim();
    return {
      name: f.name,
      label: f.label,
      value,
      text: value === null ? 'None recorded' : registerValueText(f, value),
    };
  });
  const asAt = site.as_at ?? null;
  return { ...base, mprn: site.mprn, asAt, asAtText: asAt ? govukDate(asAt) : null, values, error: null };
}
