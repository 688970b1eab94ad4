/**
 * The contact tied to the register:
 * - `contactsAboutSupplyPoint`: the contacts on one MPRN the actor may see (the DES supply point page lists them,
 *   through the port the DES declares; the composition root fills it from here);
 * - `raiseAboutSupplyPointHref`: the raise page with the MPRN filled in, for actors who may raise some contact;
 * - `siteSnapshotRows`: the supply point as it stood when the contact was raised (the snapshot stored on it), as
 *   the contact page shows it: labels and meanings, not codes.
 */
import { validateMprn } from '../../../platform/gas/mprn.ts';
import type { Actor } from '../../identity/index.ts';
import type { DirectoryOrganisation, SiteInfo } from '../cms.ports.ts';
import { cmsPaths } from '../cms.paths.ts';
import type { CmsContext } from './contact-context.ts';
import { listContacts } from './lists.ts';
import { govukDate } from '../../../platform/time/calendar.ts';

export interface ContactAboutSupplyPoint {
  reference: string;
  /** The contact page. */
  href: string;
  code: string;
  code_name: string;
  status: string;
  status_label: string;
  /** ISO instant. */
  raised_at: string;
}

/** "awaiting_customer" → "Awaiting customer" (as the contact pages show a status). */
export const statusLabel = (status: string): string => {
  const words = status.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/**
 * The newest `limit` contacts on `mprn` the actor may see in the CMS (its own organisation's, and its group's with
 * the group grant: the same scope as every CMS list), and whether there are more. Nothing without `cms:read`.
 */
export async function contactsAboutSupplyPoint(
  ctx: CmsContext,
  actor: Actor,
  mprn: string,
  limit = 20,
): Promise<{ items: ContactAboutSupplyPoint[]; more: boolean; listHref: string }> {
  const listHref = `${cmsPaths.contacts}?${new URLSearchParams({ mprn }).toString()}`;
  if (!actor.permissions.has('cms:read') || !validateMprn(mprn).ok || mprn !== mprn.trim())
    return { items: [], more: false, listHref };
  const page = await listContacts(ctx, actor, { mprn, limit, sort: 'newest', view: 'all' });
  return {
    items: page.items.map((c) => ({
      reference: c.reference,
      href: cmsPaths.contact(c.reference),
      code: c.code,
      code_name: c.code_name,
      status: c.status,
      status_label: statusLabel(c.status),
      raised_at: c.raised_at,
    })),
    more: page.next_cursor !== null,
    listHref,
  };
}

/**
 * The raise page about `mprn` (the code chosen next, the MPRN filled in), or null when the actor may raise no
 * contact at all (no `cms:raise`, or no code its organisation type may raise).
 */
export function raiseAboutSupplyPointHref(
  actor: Actor,
  mprn: string,
  codes: readonly { raised_by: readonly string[] }[],
): string | null {
  if (!actor.permissions.has('cms:raise') || !validateMprn(mprn).ok) return null;
  if (!codes.some((c) => c.raised_by.includes(actor.organisationType))) return null;
  return `${cmsPaths.raise}?${new URLSearchParams({ mprn }).toString()}`;
}

type Row = { key: { text: string }; value: { text: string } };

/**
 * The stored snapshot as summary-list rows: each coded value by its meaning, each party by its organisation's
 * name (and short code), dates in words.
 */
export function siteSnapshotRows(
  site: SiteInfo,
  orgs: readonly DirectoryOrganisation[],
  meanings: Record<string, Record<string, string>>,
): Row[] {
  const party = (shortCode: string | null | undefined): string | null => {
    if (!shortCode) return null;
    const o = orgs.find((x) => x.shortCode === shortCode);
    return o ? `${o.name} (${o.shortCode})` : shortCode;
  };
  const meaning = (field: string, v: string | number | null | undefined): string | null => {
    if (v === null || v === undefined || String(v) === '') return null;
    return meanings[field]?.[String(v)] ?? String(v);
  };
  const rows: [string, string | null][] = [
    ['Register as at', site.as_at ? `End of ${govukDate(site.as_at)}` : null],
    ['Address', site.address],
    ['Meter point status', meaning('meter_point_status', site.meter_point_status)],
    [
      'Class',
      site.class === null ? null : (meanings['class']?.[String(site.class)] ?? `Class ${site.class}`),
    ],
    [
      'Annual quantity',
      site.annual_quantity === null ? null : `${site.annual_quantity.toLocaleString('en-GB')} kWh`,
    ],
    ['Twin stream site', meaning('twin_stream_site_indicator', site.twin_stream_site_indicator ?? null)],
    ['LDZ', meaning('ldz_id', site.ldz_id)],
    ['Network', site.network_name],
    ['Shipper', party(site.shipper_short_code)],
  ];
  if (!site.shipper_short_code) {
    if (site.last_shipper_short_code)
      rows.push(['Last registered shipper', party(site.last_shipper_short_code)]);
    if (site.interested_shipper_short_code)
      rows.push(['Interested shipper', party(site.interested_shipper_short_code)]);
  }
  rows.push(
    ['Supplier', party(site.current_supplier)],
    ['Daily Metered Service Provider', party(site.dmsp_short_code)],
    ['Meter Reading Agency', party(site.mra_short_code)],
  );
  return rows.map(([key, value]) => ({ key: { text: key }, value: { text: value ?? 'None recorded' } }));
}

/**
 * A contact's fields as the contact page lists them: in the code's order, each by its catalogue label, coded values
 * by their meaning, yes/no in words, dates in words. A field the catalogue no longer has keeps its name, readable.
 */
export function contactFieldRows(
  defFields: readonly { name: string; label: string; code_list?: { value: string; label: string }[] }[],
  fields: Record<string, unknown>,
): Row[] {
  const known = defFields.filter((f) => f.name in fields);
  const rest = Object.keys(fields).filter((k) => !defFields.some((f) => f.name === k));
  const text = (v: unknown, list?: { value: string; label: string }[]): string => {
    if (typeof v === 'boolean') return v ? 'Yes' : 'No';
    if (Array.isArray(v)) return v.map((x) => text(x, list)).join(', ');
    const s = String(v);
    const coded = list?.find((c) => c.value === s)?.label;
    if (coded) return coded;
    return /^\d{4}-\d{2}-\d{2}$/.test(s) ? govukDate(s) : s;
  };
  return [
    ...known.map((f) => ({ key: { text: f.label }, value: { text: text(fields[f.name], f.code_list) } })),
    ...rest.map((k) => ({ key: { text: statusLabel(k) }, value: { text: text(fields[k]) } })),
  ];
}
