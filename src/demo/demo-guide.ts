/**
 * What the README's "Demo sign-in" section tells a visitor to try: per demo organisation, supply points to look up
 * (MPRN and postcode), and one demo user and MPRN per contact code with the party the contact goes to. All of them
 * are showcase sites (src/demo/showcase.ts), the same whenever the demo is seeded. `demo-guide.int.test.ts` seeds
 * the demo world as `npm start` does, raises every code as written here, and checks the README shows these rows.
 */
import type { ShowcaseKey } from './showcase.ts';

export interface DemoSiteToTry {
  mprn: string;
  postcode: string;
  /** The showcase site it is (src/demo/showcase.ts). */
  site: ShowcaseKey;
}

export interface DemoOrgGuide {
  /** The organisation's short code (src/demo/demo-world.ts). */
  org: string;
  /** The demo user who looks them up (DES for register parties; the CMS raise page for the DMSP and the MRA). */
  user: string;
  sites: DemoSiteToTry[];
}

/** Each showcase site's MPRN and postcode, in SHOWCASE_KEYS order (demo-guide.int.test.ts checks them). */
const SITES: Record<ShowcaseKey, { mprn: string; postcode: string }> = {
  nls_cadent: { mprn: '4909339901', postcode: 'B28 1QT' },
  nls_ngn: { mprn: '4962438006', postcode: 'DL25 8ZJ' },
  nls_class2: { mprn: '2203878307', postcode: 'HU11 9QE' },
  nls_class1: { mprn: '1591092506', postcode: 'S21 3SY' },
  nls_dead: { mprn: '5001054810', postcode: 'TF10 8TU' },
  nls_own_mra: { mprn: '4923821210', postcode: 'WN22 2RP' },
  aeg_1: { mprn: '4894858600', postcode: 'NG10 3YE' },
  aeg_2: { mprn: '5189311710', postcode: 'AL8 0FB' },
  ars_1: { mprn: '4899685710', postcode: 'DA24 1RR' },
  ars_2: { mprn: '4918994104', postcode: 'EN23 9ZX' },
  mes_1: { mprn: '4890031504', postcode: 'FY25 3QF' },
  mes_2: { mprn: '4904512807', postcode: 'FY18 2YU' },
  ipl_1: { mprn: '4952783803', postcode: 'BL26 6PB' },
  ipl_2: { mprn: '5141040707', postcode: 'E25 6ZS' },
  shipperless: { mprn: '399685709', postcode: 'HR5 5QG' },
  unregistered: { mprn: '5010709004', postcode: 'B9 8AU' },
};

const siteToTry = (site: ShowcaseKey): DemoSiteToTry => ({ ...SITES[site], site });

/** Per demo organisation with users: supply points in its DES portfolio, or the ones it is appointed to. */
export const DEMO_ORG_GUIDE: DemoOrgGuide[] = (
  [
    ['NLS', 'des.user@northernlights.example', ['nls_cadent', 'nls_ngn', 'nls_class2']],
    ['AEG', 'ops@albion.example', ['aeg_1', 'aeg_2', 'ars_1']],
    ['ARS', 'ops@albion-retail.example', ['ars_1', 'ars_2']],
    ['MES', 'ops@meridian.example', ['mes_1', 'mes_2']],
    ['NLU', 'des@northernlights-supply.example', ['aeg_1', 'mes_1']],
    ['CAD', 'ops@cadent.example', ['shipperless', 'unregistered', 'nls_cadent']],
    ['IPL', 'ops@independent-pipelines.example', ['ipl_1', 'ipl_2']],
    ['DMS', 'ops@dailymetric.example', ['nls_class1', 'nls_class2']],
    ['RRM', 'ops@readright.example', ['nls_cadent', 'mes_1']],
    ['MSA', 'des@meterserve.example', ['nls_ngn', 'ars_2']],
    ['CDS', 'contacts@cdsp.example', ['nls_own_mra', 'nls_dead']],
  ] as const
).map(([org, user, sites]) => ({ org, user, sites: sites.map(siteToTry) }));

export interface DemoCodeGuide {
  code: string;
  /** The demo user who raises it. */
  user: string;
  /** The MPRN it is raised on; null for an MPRN Creation (the new site has none yet: its LDZ routes it). */
  mprn: string | null;
  site: ShowcaseKey | null;
  /** Where it goes, as the contact shows it ("CDSP address team", "Northern Lights Gas Shipping (NLS)"). */
  routedTo: string;
}

/** One demo user and MPRN per contact code of the catalogue (migrations/data/contact-codes.json). */
export const DEMO_CODE_GUIDE: DemoCodeGuide[] = (
  [
    ['ADD', 'cms.user@northernlights.example', 'nls_cadent', 'CDSP address team'],
    ['UNC', 'ops@cadent.example', 'shipperless', 'CDSP address team'],
    ['AGG', 'ops@albion.example', 'aeg_1', 'CDSP supply point team'],
    ['DMQ', 'cms.user@northernlights.example', 'nls_class2', 'DailyMetric Services (DMS)'],
    ['DUP', 'ops@meridian.example', 'mes_1', 'CDSP supply point team'],
    ['ENQ', 'ops@dailymetric.example', 'nls_class1', 'CDSP service desk team'],
    ['FILE', 'ops@readright.example', 'nls_ngn', 'CDSP file team'],
    ['FOM', 'ops@readright.example', 'mes_1', 'CDSP supply point team'],
    ['MNC', 'ops@albion-retail.example', null, 'Cadent Gas (CAD)'],
    ['GSR', 'ops@cadent.example', 'shipperless', 'Northern Lights Gas Shipping (NLS)'],
    ['ISO', 'ops@albion-retail.example', 'ars_1', 'CDSP supply point team'],
    ['DTL', 'cms.user@northernlights.example', 'nls_dead', 'CDSP supply point team'],
    ['MUR', 'contacts@cdsp.example', 'nls_cadent', 'ReadRight Meter Reading (RRM)'],
    ['MUS', 'ops@cadent.example', 'unregistered', 'Northern Lights Gas Shipping (NLS)'],
    ['PRS', 'ops@albion.example', 'aeg_2', 'CDSP supply point team'],
    ['PSA', 'ops@albion.example', 'aeg_2', 'CDSP supply point team'],
    ['PSI', 'ops@meridian.example', 'mes_2', 'CDSP invoicing team'],
    ['RFA', 'ops@dailymetric.example', 'nls_class1', 'CDSP invoicing team'],
    ['CDQ', 'ops@albion-retail.example', 'ars_2', 'CDSP invoicing team'],
    ['TOG', 'ops@independent-pipelines.example', 'ipl_2', 'CDSP revenue protection team'],
  ] as const
).map(([code, user, site, routedTo]) => ({
  code,
  user,
  mprn: site ? SITES[site].mprn : null,
  site,
  routedTo,
}));
