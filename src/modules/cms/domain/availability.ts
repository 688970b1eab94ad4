/**
 * Whether a contact code can be raised about a supply point by an organisation: the ONE decision the raise page's
 * code chooser (offering codes about an MPRN) and the raise service (refusing) both use, so that they never
 * disagree. Pure: the caller looks the site up (in the raiser's portfolio) and lists the organisations.
 */
import { cannotRaise, mayRaise, type ContactCodeDef } from './contact-codes.ts';
import { validateContactFields } from './contact-fields.ts';

/** The supply point as the raiser may see it (cms.ports.ts SiteInfo): only what the decision reads. */
export interface SiteStanding {
  class: number | null;
  meter_point_status: string | null;
  network_name: string | null;
  shipper_short_code: string | null;
  last_shipper_short_code: string | null;
  interested_shipper_short_code: string | null;
  dmsp_short_code: string | null;
  mra_short_code: string | null;
}

/** An organisation a contact may be routed to (the directory). */
export interface RoutableOrganisation {
  type: string;
  shortCode: string | null;
  networkName?: string | null;
}

export interface AboutSupplyPoint {
  mprn: string;
  /** The site when it is in the raiser's portfolio; null when it is not (or does not exist: the same). */
  site: SiteStanding | null;
  /** Whether the MPRN is on the register at all (codes without a portfolio check). */
  onRegister: boolean;
  organisations: readonly RoutableOrganisation[];
  /** Today's London date (the rules' context). */
  today: string;
}

export type Availability = { ok: true } | { ok: false; reason: string };

/** Codes that are about a site with no MPRN yet: never raised about an existing MPRN. */
const TAKES_NO_MPRN = new Set(['MNC']);
/** Codes only for a supply point no shipper is registered to (their catalogue description says so). */
const ONLY_WITHOUT_REGISTERED_SHIPPER = new Set(['UNC']);

/** Whether the code takes no MPRN (it asks for one to be created). */
export const takesNoMprn = (def: Pick<ContactCodeDef, 'code'>): boolean => TAKES_NO_MPRN.has(def.code);

/**
 * Why a code cannot be raised about an existing MPRN whose site (in the raiser's portfolio, if it is) is `site`,
 * by the code's standing rules, in words; null when those rules allow it. The raise service refuses with this.
 */
export function siteStandingRefusal(
  def: Pick<ContactCodeDef, 'code' | 'name'>,
  site: Pick<SiteStanding, 'shipper_short_code'> | null,
): string | null {
  if (TAKES_NO_MPRN.has(def.code))
    return `${def.name} is for a new supply point that has no MPRN yet: leave the MPRN out.`;
  if (ONLY_WITHOUT_REGISTERED_SHIPPER.has(def.code) && site?.shipper_short_code)
    return `${def.name} is only for a supply point no shipper is registered to. This one has a registered shipper.`;
  return null;
}

/**
 * Whether `organisationType` can raise `def` about the supply point, and if not why, in words. Applies: who may
 * raise the code; codes that take no MPRN; the portfolio (and the register); the site's standing (registered
 * shipper or not); the catalogue's site-wide rules (status, class: the same functions the service runs); and
 * whether the register and the appointments directory name a party the contact can be routed to.
 */
export function codeAvailability(
  def: ContactCodeDef,
  organisationType: string,
  about: AboutSupplyPoint,
): Availability {
  if (!mayRaise(def, organisationType)) return { ok: false, reason: cannotRaise(def) };
  const { site, mprn } = about;
  const standing = siteStandingRefusal(def, site);
  if (standing !== null) return { ok: false, reason: standing };
  const needsSite = def.portfolio_check || def.resolver.kind === 'register_party';
  if (needsSite && !site) return { ok: false, reason: `There is no supply point ${mprn} in your portfolio.` };
  if (!needsSite && def.mprn_required && !about.onRegister)
    return { ok: false, reason: `There is no supply point ${mprn} on the register.` };
  if (site) {
    // The catalogue's rules about the site as a whole (fields left empty: only their site-wide errors count).
    const checked = validateContactFields(
      def,
      {},
      {
        today: about.today,
        siteClass: site.class,
        meterPointStatus: site.meter_point_status,
        raiserType: organisationType,
        mprn,
      },
    );
    const siteWide = checked.errors.find((e) => e.field === null);
    if (siteWide) return { ok: false, reason: siteWide.message };
    if (def.rules.includes('rfa_site_class') && organisationType === 'dmsp') {
      const sc = site.shipper_short_code;
      if (!about.organisations.some((o) => o.type === 'shipper' && sc && o.shortCode === sc))
        return {
          ok: false,
          reason: 'No CMS shipper is registered to this supply point to raise it on behalf of.',
        };
    }
  }
  return routable(def, site, about.organisations);
}

const has = (orgs: readonly RoutableOrganisation[], sc: string | null | undefined): boolean =>
  !!sc && orgs.some((o) => o.shortCode === sc);

/** Whether the service's routing (raise.ts route) finds a party for the code about this site. */
function routable(
  def: ContactCodeDef,
  site: SiteStanding | null,
  orgs: readonly RoutableOrganisation[],
): Availability {
  const r = def.resolver;
  if (r.kind === 'cdsp_team')
    return orgs.some((o) => o.type === 'cdsp')
      ? { ok: true }
      : { ok: false, reason: 'There is no CDSP organisation to route this contact to.' };
  if (!site) return { ok: true };
  switch (r.party) {
    case 'dmsp':
      return has(orgs, site.dmsp_short_code)
        ? { ok: true }
        : {
            ok: false,
            reason: 'No Daily Metered Service Provider is appointed for this supply point today.',
          };
    case 'mra':
      return has(orgs, site.mra_short_code)
        ? { ok: true }
        : { ok: false, reason: 'No Meter Reading Agency is appointed for this supply point today.' };
    case 'last_shipper':
      return has(orgs, site.shipper_short_code ?? site.last_shipper_short_code)
        ? { ok: true }
        : {
            ok: false,
            reason: 'The register names no registered or last shipper in the CMS for this supply point.',
          };
    case 'shipper_of_interest':
      return has(orgs, site.shipper_short_code ?? site.interested_shipper_short_code)
        ? { ok: true }
        : {
            ok: false,
            reason:
              'The register names no registered or interested shipper in the CMS for this supply point.',
          };
    case 'network':
      return site.network_name !== null &&
        orgs.some((o) => (o.type === 'gt' || o.type === 'igt') && o.networkName === site.network_name)
        ? { ok: true }
        : { ok: false, reason: 'The register names no network in the CMS for this supply point.' };
  }
  return { ok: true };
}
