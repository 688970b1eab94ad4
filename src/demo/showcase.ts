/**
 * The demo showcase sites: the supply points the README names ("Demo sign-in": MPRNs to try per organisation, one
 * MPRN per contact code). They are drawn from the register generator with a fixed seed and business date, so their
 * MPRNs and data are the same whenever and wherever the demo is seeded, and they are left out of the generated
 * daily changes, so no switch, status or address change moves them. Each showcase is a row the register load
 * format allows; only the shipper the S&U process records is chosen (NLS), as a register could hold it.
 */
import { generateRegister, type GeneratorOrgs } from '../modules/des/index.ts';

export const SHOWCASE_KEYS = [
  'nls_cadent',
  'nls_ngn',
  'nls_class2',
  'nls_class1',
  'nls_dead',
  'nls_own_mra',
  'aeg_1',
  'aeg_2',
  'ars_1',
  'ars_2',
  'mes_1',
  'mes_2',
  'ipl_1',
  'ipl_2',
  'shipperless',
  'unregistered',
] as const;
export type ShowcaseKey = (typeof SHOWCASE_KEYS)[number];

type Row = Record<string, string>;

const live = (r: Row) => r['meter_point_status'] === 'LI';
const registered = (sc: string) => (r: Row) => r['shipper_short_code'] === sc;
const ofClass = (c: string) => (r: Row) => r['class'] === c;
const onNetwork = (n: string) => (r: Row) => r['network_name'] === n;
const all =
  (...ps: ((r: Row) => boolean)[]) =>
  (r: Row) =>
    ps.every((p) => p(r));

/** What each showcase site must be, checked in SHOWCASE_KEYS order (the first unused match wins). */
const WANTED: Record<ShowcaseKey, (r: Row) => boolean> = {
  nls_cadent: all(registered('NLS'), live, ofClass('4'), onNetwork('Cadent')),
  nls_ngn: all(registered('NLS'), live, ofClass('4'), onNetwork('Northern Gas Networks')),
  nls_class2: all(registered('NLS'), live, ofClass('2')),
  nls_class1: all(registered('NLS'), live, ofClass('1')),
  nls_dead: all(registered('NLS'), (r) => r['meter_point_status'] === 'DE'),
  nls_own_mra: all(registered('NLS'), live, ofClass('4')),
  aeg_1: all(registered('AEG'), live, ofClass('4')),
  aeg_2: all(registered('AEG'), live, ofClass('3')),
  ars_1: all(registered('ARS'), live, ofClass('4')),
  ars_2: all(registered('ARS'), live, ofClass('4')),
  mes_1: all(registered('MES'), live, ofClass('4')),
  mes_2: all(registered('MES'), live, ofClass('4')),
  ipl_1: all(live, ofClass('4'), onNetwork('Independent Pipelines'), (r) => r['shipper_short_code'] !== ''),
  ipl_2: all(live, ofClass('4'), onNetwork('Independent Pipelines'), (r) => r['shipper_short_code'] !== ''),
  shipperless: all(live, onNetwork('Cadent'), (r) => r['supply_point_withdrawal_status'] === 'Shipperless'),
  unregistered: all(live, onNetwork('Cadent'), (r) => r['supply_point_withdrawal_status'] === 'Unregistered'),
};

/**
 * The showcase sites, by key. `taken` holds the MPRNs already in the register (never reused). The shipperless
 * site's last shipper and the unregistered site's interested shipper are NLS.
 */
export function demoShowcaseSites(orgs: GeneratorOrgs, taken: ReadonlySet<string>): Map<ShowcaseKey, Row> {
  const pool = [
    ...generateRegister({ count: 6000, seed: 7010, orgs, businessDate: '2025-12-01', shipperlessEvery: 50 }),
  ].filter((r) => !taken.has(r['mprn']!));
  const used = new Set<string>();
  const out = new Map<ShowcaseKey, Row>();
  for (const key of SHOWCASE_KEYS) {
    const row = pool.find((r) => !used.has(r['mprn']!) && WANTED[key](r));
    if (!row) throw new Error(`the demo showcase site ${key} was not generated`);
    used.add(row['mprn']!);
    out.set(key, { ...row });
  }
  out.get('shipperless')!['last_shipper_short_code'] = 'NLS';
  out.get('unregistered')!['interested_shipper_short_code'] = 'NLS';
  return out;
}
