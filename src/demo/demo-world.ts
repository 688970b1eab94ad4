/**
 * The deterministic demo world: organisations of every type with short codes, and one user per role with
 * documented credentials (README, "Demo sign-in"). Data of later capabilities (register, contacts) is added by
 * their own seeders, called from seedDemo.
 */
export const DEMO_PASSWORD = 'gas-demo-password-2026';

export interface DemoOrg {
  name: string;
  type: string;
  shortCode: string;
  parent?: string;
  network?: string;
}

export const DEMO_ORGS: DemoOrg[] = [
  { name: 'Central Data Services Provider', type: 'cdsp', shortCode: 'CDS' },
  { name: 'Albion Energy Group', type: 'shipper', shortCode: 'AEG' },
  { name: 'Albion Retail Shipping', type: 'shipper', shortCode: 'ARS', parent: 'AEG' },
  { name: 'Northern Lights Gas Shipping', type: 'shipper', shortCode: 'NLS' },
  { name: 'Meridian Energy Shipping', type: 'shipper', shortCode: 'MES' },
  { name: 'Northern Lights Supply', type: 'supplier', shortCode: 'NLU' },
  { name: 'Meridian Energy Supply', type: 'supplier', shortCode: 'MSU' },
  { name: 'Albion Home Energy', type: 'supplier', shortCode: 'AHE' },
  { name: 'Cadent Gas', type: 'gt', shortCode: 'CAD', network: 'Cadent' },
  { name: 'Northern Gas Networks', type: 'gt', shortCode: 'NGN', network: 'Northern Gas Networks' },
  { name: 'SGN', type: 'gt', shortCode: 'SGN', network: 'SGN' },
  { name: 'Wales & West Utilities', type: 'gt', shortCode: 'WWU', network: 'Wales & West Utilities' },
  { name: 'Independent Pipelines', type: 'igt', shortCode: 'IPL', network: 'Independent Pipelines' },
  { name: 'Connect Utility Infrastructure', type: 'uip', shortCode: 'CUI' },
  { name: 'ReadRight Meter Reading', type: 'mra', shortCode: 'RRM' },
  { name: 'Precise Meter Reads', type: 'mra', shortCode: 'PMR' },
  { name: 'DailyMetric Services', type: 'dmsp', shortCode: 'DMS' },
  { name: 'Meterserve Asset Management', type: 'mam', shortCode: 'MSA' },
  { name: 'Gasworks Meter Assets', type: 'mam', shortCode: 'GMA' },
];

export interface DemoUser {
  org: string;
  email: string;
  name: string;
  roles: string[];
  /** A group parent's user granted visibility of its children's data (Albion Energy Group's ops user). */
  groupVisibility?: boolean;
}

export const DEMO_USERS: DemoUser[] = [
  { org: 'NLS', email: 'lso@northernlights.example', name: 'Alice Lund', roles: ['lso'] },
  { org: 'NLS', email: 'cms.user@northernlights.example', name: 'Ben Carter', roles: ['cms_user'] },
  {
    org: 'NLS',
    email: 'cms.supervisor@northernlights.example',
    name: 'Chloe Dunn',
    roles: ['cms_supervisor'],
  },
  { org: 'NLS', email: 'des.user@northernlights.example', name: 'Dev Patel', roles: ['des_user'] },
  {
    org: 'NLS',
    email: 'des.bulk@northernlights.example',
    name: 'Erin Shaw',
    roles: ['des_user', 'des_bulk'],
  },
  { org: 'AEG', email: 'lso@albion.example', name: 'Fatima Khan', roles: ['lso'] },
  {
    org: 'AEG',
    email: 'ops@albion.example',
    name: 'George Hall',
    roles: ['cms_user', 'des_user'],
    groupVisibility: true,
  },
  { org: 'ARS', email: 'ops@albion-retail.example', name: 'Hannah Wu', roles: ['cms_user', 'des_user'] },
  { org: 'MES', email: 'ops@meridian.example', name: 'Isaac Moore', roles: ['cms_user', 'des_user'] },
  { org: 'NLU', email: 'des@northernlights-supply.example', name: 'Jade Singh', roles: ['des_user'] },
  { org: 'CAD', email: 'ops@cadent.example', name: 'Karl Evans', roles: ['cms_user', 'des_user'] },
  {
    org: 'IPL',
    email: 'ops@independent-pipelines.example',
    name: 'Lena Fox',
    roles: ['cms_user', 'des_user'],
  },
  { org: 'DMS', email: 'ops@dailymetric.example', name: 'Mo Ahmed', roles: ['cms_user'] },
  { org: 'RRM', email: 'ops@readright.example', name: 'Nina Brook', roles: ['cms_user'] },
  { org: 'MSA', email: 'des@meterserve.example', name: 'Owen Price', roles: ['des_user'] },
  { org: 'CDS', email: 'lso@cdsp.example', name: 'Priya Rao', roles: ['lso'] },
  { org: 'CDS', email: 'resolver@cdsp.example', name: 'Quinn Adams', roles: ['cdsp_resolver'] },
  { org: 'CDS', email: 'supervisor@cdsp.example', name: 'Rosa Grant', roles: ['cdsp_supervisor'] },
  { org: 'CDS', email: 'admin@cdsp.example', name: 'Sam Turner', roles: ['cdsp_admin'] },
  /** CDSP staff who raise the codes the catalogue lets the CDSP raise (MUS, MUR). */
  { org: 'CDS', email: 'contacts@cdsp.example', name: 'Tara Quinn', roles: ['cms_user'] },
];
