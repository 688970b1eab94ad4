import { validateMprn } from '../../platform/gas/mprn.ts';

/** True when `s` is exactly a well-formed MPRN (6 to 10 digits, nothing around it): the shape DES looks up. */
export function isMprn(s: string): boolean {
  const r = validateMprn(s);
  return r.ok && r.mprn === s;
}
