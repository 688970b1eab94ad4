/**
 * UK postcode normalisation and validation (register-reference.md §3.3): the six BS7666 formats, the
 * letter-position rules, and the special case GIR 0AA.
 */

export type PostcodeResult = { ok: true; postcode: string } | { ok: false; reason: string };

/**
 * Trims, upper-cases, and puts exactly one space before the 3-character inward code. Input too short to
 * hold an inward code is returned trimmed, upper-cased and with whitespace runs collapsed.
 */
export function normalisePostcode(input: string): string {
  const compact = input.trim().toUpperCase().replace(/\s+/g, '');
  if (compact.length < 5) return input.trim().toUpperCase().replace(/\s+/g, ' ');
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

// Position rules: 1st letter never Q V X; 2nd letter never I J Z; a letter in 3rd position (A9A) only from
// A B C D E F G H J K S T U W; a letter in 4th position (AA9A) only from A B E H M N P R V W X Y.
const L1 = '[A-PR-UWYZ]';
const L2 = '[A-HK-Y]';
const L3 = '[A-HJKSTUW]';
const L4 = '[ABEHMNPRV-Y]';
const OUTWARD_RE = new RegExp(
  `^(?:${L1}[0-9]{1,2}|${L1}${L2}[0-9]{1,2}|${L1}[0-9]${L3}|${L1}${L2}[0-9]${L4})$`,
);
// Inward code: digit + two letters, never C I K M O V.
const INWARD_RE = /^[0-9][ABD-HJLNP-UW-Z]{2}$/;
/** A whole valid postcode as normalised (outward, one space, inward): the rules above in one expression. */
const POSTCODE_SHAPE_RE = new RegExp(`${OUTWARD_RE.source.slice(0, -1)} ${INWARD_RE.source.slice(1)}`);

/** Normalises then validates; on failure the reason is a plain-English sentence quoting the input. */
export function validatePostcode(input: string): PostcodeResult {
  if (POSTCODE_SHAPE_RE.test(input)) return { ok: true, postcode: input }; // already normalised and valid
  const pc = normalisePostcode(input);
  if (pc === '') return { ok: false, reason: 'postcode is empty' };
  if (pc === 'GIR 0AA' || POSTCODE_SHAPE_RE.test(pc)) return { ok: true, postcode: pc }; // the common case, at once
  const bad = (why: string): PostcodeResult => ({
    ok: false,
    reason: `postcode '${pc}' is not a valid UK postcode: ${why}`,
  });
  if (pc === 'GIR 0AA') return { ok: true, postcode: pc };
  if (!/^[A-Z0-9 ]+$/.test(pc)) return bad('it may contain only letters, digits and one space');
  const space = pc.indexOf(' ');
  if (space < 0 || pc.length < 6 || pc.length > 8) return bad('it must be 5 to 7 letters and digits long');
  const outward = pc.slice(0, space);
  const inward = pc.slice(space + 1);
  if (!INWARD_RE.test(inward)) {
    return bad('the last three characters must be a digit then two letters (not C, I, K, M, O or V)');
  }
  if (!OUTWARD_RE.test(outward)) {
    return bad(
      `the first part '${outward}' is not a valid outward code (formats A9, A99, AA9, AA99, A9A, AA9A)`,
    );
  }
  return { ok: true, postcode: pc };
}

/** The outward code's area letters (e.g. 'B' for 'B91 1AA', 'EC' for 'EC1A 1BB'). */
export function postcodeArea(postcode: string): string {
  return /^[A-Z]{1,2}/.exec(postcode.trim().toUpperCase())?.[0] ?? '';
}
