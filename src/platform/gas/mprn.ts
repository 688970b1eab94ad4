/**
 * MPRN (Supply Meter Point Reference Number) checks (domain.md §3, register-reference.md §3.1).
 * An MPRN is always handled as a string: converting to a JS number would drop leading zeros.
 */

export type MprnResult = { ok: true; mprn: string } | { ok: false; reason: string };

const MPRN_RE = /^[0-9]{6,10}$/;

/** Checks the shape of an MPRN (trimmed; 6 to 10 digits). Does not check the check digits. */
export function validateMprn(input: string): MprnResult {
  const s = input.trim();
  if (s === '') return { ok: false, reason: 'MPRN is missing' };
  if (!/^[0-9]+$/.test(s)) return { ok: false, reason: `MPRN '${s}' must contain digits only` };
  if (!MPRN_RE.test(s))
    return { ok: false, reason: `MPRN '${s}' must be 6 to 10 digits long (it has ${s.length})` };
  return { ok: true, mprn: s };
}

/**
 * The two check digits for an MPRN body (the MPRN without its last two digits): digit i (0-based from the
 * left) is weighted n - i, where n is the body length; check = sum mod 11, zero-padded ("10" is possible).
 * This rule is unofficial, so callers treat a mismatch as a warning unless configured otherwise.
 */
export function mprnCheckDigits(body: string): string {
  if (!/^[0-9]+$/.test(body)) throw new RangeError(`MPRN body '${body}' must contain digits only`);
  const n = body.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (body.charCodeAt(i) - 48) * (n - i);
  return String(sum % 11).padStart(2, '0');
}

/** Appends the check digits to a body. */
export function mprnWithCheckDigits(body: string): string {
  return body + mprnCheckDigits(body);
}

/** True when a well-formed MPRN's last two digits match the check digits of the rest. */
export function hasValidCheckDigits(mprn: string): boolean {
  if (!MPRN_RE.test(mprn)) return false;
  return mprn.slice(-2) === mprnCheckDigits(mprn.slice(0, -2));
}
