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

/** Per demo organisation with users: supply points in its DES portfolio, or the ones it is appointed to. */
export const DEMO_ORG_GUIDE: DemoOrgGuide[] = [
  {
    org: 'NLS',
    user: 'des.user@northernlights.example',
    sites: [
      { mprn: '4909339901', postcode: 'B28 1QT', site: 'nls_cadent' },
      { mprn: '4962438006', postcode: 'DL25 8ZJ', site: 'nls_ngn' },
      { mprn: '2203878307', postcode: 'HU11 9QE', site: 'nls_class2' },
    ],
  },
  {
    org: 'AEG',
    user: 'ops@albion.example',
    sites: [
      { mprn: '4894858600', postcode: 'NG10 3YE', site: 'aeg_1' },
      { mprn: '5189311710', postcode: 'AL8 0FB', site: 'aeg_2' },
      { mprn: '4899685710', postcode: 'DA24 1RR', site: 'ars_1' },
    ],
  },
  {
    org: 'ARS',
    user: 'ops@albion-retail.example',
    sites: [
      { mprn: '4899685710', postcode: 'DA24 1RR', site: 'ars_1' },
      { mprn: '4918994104', postcode: 'EN23 9ZX', site: 'ars_2' },
    ],
  },
  {
    org: 'MES',
    user: 'ops@meridian.example',
    sites: [
      { mprn: '4890031504', postcode: 'FY25 3QF', site: 'mes_1' },
      { mprn: '4904512807', postcode: 'FY18 2YU', site: 'mes_2' },
    ],
  },
  {
    org: 'NLU',
    user: 'des@northernlights-supply.example',
    sites: [
      { mprn: '4894858600', postcode: 'NG10 3YE', site: 'aeg_1' },
      { mprn: '4890031504', postcode: 'FY25 3QF', site: 'mes_1' },
    ],
  },
  {
    org: 'CAD',
    user: 'ops@cadent.example',
    sites: [
      { mprn: '399685709', postcode: 'HR5 5QG', site: 'shipperless' },
      { mprn: '5010709004', postcode: 'B9 8AU', site: 'unregistered' },
      { mprn: '4909339901', postcode: 'B28 1QT', site: 'nls_cadent' },
    ],
  },
  {
    org: 'IPL',
    user: 'ops@independent-pipelines.example',
    sites: [
      { mprn: '4952783803', postcode: 'BL26 6PB', site: 'ipl_1' },
      { mprn: '5141040707', postcode: 'E25 6ZS', site: 'ipl_2' },
    ],
  },
  {
    org: 'DMS',
    user: 'ops@dailymetric.example',
    sites: [
      { mprn: '1591092506', postcode: 'S21 3SY', site: 'nls_class1' },
      { mprn: '2203878307', postcode: 'HU11 9QE', site: 'nls_class2' },
    ],
  },
  {
    org: 'RRM',
    user: 'ops@readright.example',
    sites: [
      { mprn: '4909339901', postcode: 'B28 1QT', site: 'nls_cadent' },
      { mprn: '4890031504', postcode: 'FY25 3QF', site: 'mes_1' },
    ],
  },
  {
    org: 'MSA',
    user: 'des@meterserve.example',
    sites: [
      { mprn: '4962438006', postcode: 'DL25 8ZJ', site: 'nls_ngn' },
      { mprn: '4918994104', postcode: 'EN23 9ZX', site: 'ars_2' },
    ],
  },
  {
    org: 'CDS',
    user: 'contacts@cdsp.example',
    sites: [
      { mprn: '4923821210', postcode: 'WN22 2RP', site: 'nls_own_mra' },
      { mprn: '5001054810', postcode: 'TF10 8TU', site: 'nls_dead' },
    ],
  },
];

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
export const DEMO_CODE_GUIDE: DemoCodeGuide[] = [
  {
    code: 'ADD',
    user: 'cms.user@northernlights.example',
    mprn: '4909339901',
    site: 'nls_cadent',
    routedTo: 'CDSP address team',
  },
  {
    code: 'UNC',
    user: 'ops@cadent.example',
    mprn: '399685709',
    site: 'shipperless',
    routedTo: 'CDSP address team',
  },
  {
    code: 'AGG',
    user: 'ops@albion.example',
    mprn: '4894858600',
    site: 'aeg_1',
    routedTo: 'CDSP supply point team',
  },
  {
    code: 'DMQ',
    user: 'cms.user@northernlights.example',
    mprn: '2203878307',
    site: 'nls_class2',
    routedTo: 'DailyMetric Services (DMS)',
  },
  {
    code: 'DUP',
    user: 'ops@meridian.example',
    mprn: '4890031504',
    site: 'mes_1',
    routedTo: 'CDSP supply point team',
  },
  {
    code: 'ENQ',
    user: 'ops@dailymetric.example',
    mprn: '1591092506',
    site: 'nls_class1',
    routedTo: 'CDSP service desk team',
  },
  {
    code: 'FILE',
    user: 'ops@readright.example',
    mprn: '4962438006',
    site: 'nls_ngn',
    routedTo: 'CDSP file team',
  },
  {
    code: 'FOM',
    user: 'ops@readright.example',
    mprn: '4890031504',
    site: 'mes_1',
    routedTo: 'CDSP supply point team',
  },
  { code: 'MNC', user: 'ops@albion-retail.example', mprn: null, site: null, routedTo: 'Cadent Gas (CAD)' },
  {
    code: 'GSR',
    user: 'ops@cadent.example',
    mprn: '399685709',
    site: 'shipperless',
    routedTo: 'Northern Lights Gas Shipping (NLS)',
  },
  {
    code: 'ISO',
    user: 'ops@albion-retail.example',
    mprn: '4899685710',
    site: 'ars_1',
    routedTo: 'CDSP supply point team',
  },
  {
    code: 'DTL',
    user: 'cms.user@northernlights.example',
    mprn: '5001054810',
    site: 'nls_dead',
    routedTo: 'CDSP supply point team',
  },
  {
    code: 'MUR',
    user: 'contacts@cdsp.example',
    mprn: '4909339901',
    site: 'nls_cadent',
    routedTo: 'ReadRight Meter Reading (RRM)',
  },
  {
    code: 'MUS',
    user: 'ops@cadent.example',
    mprn: '5010709004',
    site: 'unregistered',
    routedTo: 'Northern Lights Gas Shipping (NLS)',
  },
  {
    code: 'PRS',
    user: 'ops@albion.example',
    mprn: '5189311710',
    site: 'aeg_2',
    routedTo: 'CDSP supply point team',
  },
  {
    code: 'PSA',
    user: 'ops@albion.example',
    mprn: '5189311710',
    site: 'aeg_2',
    routedTo: 'CDSP supply point team',
  },
  {
    code: 'PSI',
    user: 'ops@meridian.example',
    mprn: '4904512807',
    site: 'mes_2',
    routedTo: 'CDSP invoicing team',
  },
  {
    code: 'RFA',
    user: 'ops@dailymetric.example',
    mprn: '1591092506',
    site: 'nls_class1',
    routedTo: 'CDSP invoicing team',
  },
  {
    code: 'CDQ',
    user: 'ops@albion-retail.example',
    mprn: '4918994104',
    site: 'ars_2',
    routedTo: 'CDSP invoicing team',
  },
  {
    code: 'TOG',
    user: 'ops@independent-pipelines.example',
    mprn: '5141040707',
    site: 'ipl_2',
    routedTo: 'CDSP revenue protection team',
  },
];
