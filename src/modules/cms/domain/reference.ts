// Human-readable contact references, e.g. ADD-7K3Q9M.
//
// Format: the contact code (3-4 letters), a hyphen, then 6 characters from a 31-character alphabet with no
// easily confused characters (no 0/O, 1/I/L): 5 characters encode a scrambled per-code sequence number
// and the 6th is a check character over the whole reference, so a mistyped or misheard reference is
// caught before it is looked up.
//
// - Unique: the payload is a bijection of (code, sequence), so unique sequence numbers per code (a
//   database sequence per code) give unique references. Capacity: 31^5 = 28,629,151 contacts per code.
// - Not guessable in order: consecutive sequence numbers give unrelated-looking references. This is
//   obfuscation, not security: references are not secrets and access is checked on every read.
// - Reversible: parseContactReference recovers the sequence number.
// - Check character: weighted sum mod 31 (a prime) with distinct non-zero weights over the code letters,
//   the payload and the check character itself, so any single wrong character (code letters included) and
//   any swap of two adjacent characters after the hyphen is detected.

export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const BASE = REFERENCE_ALPHABET.length; // 31
const PAYLOAD_LENGTH = 5;
const MODULUS = BASE ** PAYLOAD_LENGTH; // 28,629,151

/** The largest sequence number a reference can carry (sequence numbers start at 0). */
export const MAX_REFERENCE_SEQUENCE = MODULUS - 1;

const CODE_PATTERN = /^[A-Z]{3,4}$/;
// Affine rounds x -> (A*x + B) mod 31^5, each followed by reversing the base-31 digits. A is coprime to 31.
const ROUNDS: readonly (readonly [number, number])[] = [
  [1_234_567, 9_876_543],
  [3_141_593, 2_718_281],
  [1_618_033, 1_414_213],
];

function modInverse(a: number, m: number): number {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1, 0];
  while (r !== 0) {
    const q = Math.floor(oldR / r);
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1) throw new Error('not invertible');
  return ((oldS % m) + m) % m;
}
const INVERSES = ROUNDS.map(([a]) => modInverse(a, MODULUS));

/** (a * b) mod m without losing precision (products here stay below 2^53, but be explicit). */
function mulMod(a: number, b: number, m: number): number {
  return Number((BigInt(a) * BigInt(b)) % BigInt(m));
}

function reverseDigits(x: number): number {
  let out = 0;
  for (let i = 0; i < PAYLOAD_LENGTH; i++) {
    out = out * BASE + (x % BASE);
    x = Math.floor(x / BASE);
  }
  return out;
}

function scramble(sequence: number): number {
  let x = sequence;
  for (const [a, b] of ROUNDS) x = reverseDigits((mulMod(a, x, MODULUS) + b) % MODULUS);
  return x;
}

function unscramble(value: number): number {
  let x = value;
  for (let i = ROUNDS.length - 1; i >= 0; i--) {
    const [, b] = ROUNDS[i] as readonly [number, number];
    x = mulMod(INVERSES[i] as number, (reverseDigits(x) - b + MODULUS) % MODULUS, MODULUS);
  }
  return x;
}

/**
 * The check character c makes sum(weight_i * value_i) + weight_c * value(c) ≡ 0 (mod 31) over the code
 * letters (A-Z → 0-25), the payload characters (alphabet index) and c itself, with weights 2, 3, 4, …
 * (all distinct and non-zero mod 31).
 */
function checkCharacter(code: string, payload: string): string {
  let sum = 0;
  let weight = 2;
  for (const ch of code) sum += weight++ * (ch.charCodeAt(0) - 65);
  for (const ch of payload) sum += weight++ * REFERENCE_ALPHABET.indexOf(ch);
  const value = (((-sum % BASE) + BASE) % BASE) * modInverse(weight, BASE);
  return REFERENCE_ALPHABET[value % BASE] as string;
}

/** The reference for the `sequence`-th contact (0-based) of a contact code. */
export function formatContactReference(code: string, sequence: number): string {
  if (!CODE_PATTERN.test(code))
    throw new RangeError(`A contact code is 3 or 4 capital letters, not “${code}”`);
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > MAX_REFERENCE_SEQUENCE) {
    throw new RangeError(`Reference sequence must be a whole number from 0 to ${MAX_REFERENCE_SEQUENCE}`);
  }
  let x = scramble(sequence);
  let payload = '';
  for (let i = 0; i < PAYLOAD_LENGTH; i++) {
    payload = REFERENCE_ALPHABET[x % BASE] + payload;
    x = Math.floor(x / BASE);
  }
  return `${code}-${payload}${checkCharacter(code, payload)}`;
}

export type ParsedReference =
  { ok: true; reference: string; code: string; sequence: number } | { ok: false; message: string };

/**
 * Validate and decode a reference as a person might type it: surrounding spaces, lower case, and a
 * missing hyphen or a space instead of it are forgiven. Pass `knownCodes` to insist on a catalogue code.
 */
export function parseContactReference(input: string, knownCodes?: readonly string[]): ParsedReference {
  const compact = String(input).trim().toUpperCase().replace(/[\s-]/g, '');
  const m = /^([A-Z]{3,4})([A-Z0-9]{6})$/.exec(compact);
  if (!m) {
    return {
      ok: false,
      message:
        'A contact reference is a 3 or 4 letter contact code, a hyphen and 6 characters, like ADD-7K3Q9M.',
    };
  }
  const [, code = '', body = ''] = m;
  if (knownCodes && !knownCodes.includes(code)) {
    return { ok: false, message: `“${code}” is not a contact code.` };
  }
  const bad = [...body].filter((ch) => !REFERENCE_ALPHABET.includes(ch));
  if (bad.length > 0) {
    return {
      ok: false,
      message: `References never contain ${[...new Set(bad)].join(', ')} (0, 1, I, L and O are not used); please check it.`,
    };
  }
  const payload = body.slice(0, PAYLOAD_LENGTH);
  if (checkCharacter(code, payload) !== body.slice(PAYLOAD_LENGTH)) {
    return {
      ok: false,
      message: 'This is not a valid contact reference: please check it for a mistyped character.',
    };
  }
  let x = 0;
  for (const ch of payload) x = x * BASE + REFERENCE_ALPHABET.indexOf(ch);
  return { ok: true, reference: `${code}-${body}`, code, sequence: unscramble(x) };
}

/** True when `input` is a well-formed reference with a correct check character. */
export function isValidContactReference(input: string, knownCodes?: readonly string[]): boolean {
  return parseContactReference(input, knownCodes).ok;
}
