import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MAX_REFERENCE_SEQUENCE,
  REFERENCE_ALPHABET,
  formatContactReference,
  isValidContactReference,
  parseContactReference,
} from './reference.ts';

const codeArb = fc.constantFrom('ADD', 'FILE', 'RFA', 'TOG', 'ISO', 'DTL', 'GSR', 'MUS');
const seqArb = fc.integer({ min: 0, max: MAX_REFERENCE_SEQUENCE });

test('the alphabet has 31 unambiguous characters', () => {
  assert.equal(REFERENCE_ALPHABET.length, 31);
  assert.equal(new Set(REFERENCE_ALPHABET).size, 31);
  for (const ch of '01OIL') assert.equal(REFERENCE_ALPHABET.includes(ch), false);
});

test('format: CODE-XXXXXX, and consecutive sequences look unrelated', () => {
  const a = formatContactReference('ADD', 1);
  const b = formatContactReference('ADD', 2);
  assert.match(a, /^ADD-[2-9A-HJKMNP-Z]{6}$/);
  assert.match(formatContactReference('FILE', 0), /^FILE-[2-9A-HJKMNP-Z]{6}$/);
  let samePositions = 0;
  for (let i = 4; i < 9; i++) if (a[i] === b[i]) samePositions++;
  assert.ok(samePositions <= 2, `${a} vs ${b}`);
  assert.throws(() => formatContactReference('ad', 1), RangeError);
  assert.throws(() => formatContactReference('ADD', -1), RangeError);
  assert.throws(() => formatContactReference('ADD', MAX_REFERENCE_SEQUENCE + 1), RangeError);
  assert.throws(() => formatContactReference('ADD', 1.5), RangeError);
});

test('parse forgives case, spaces and a missing hyphen, and explains failures', () => {
  const ref = formatContactReference('TOG', 4242);
  assert.deepEqual(parseContactReference(` ${ref.toLowerCase().replace('-', '')} `), {
    ok: true,
    reference: ref,
    code: 'TOG',
    sequence: 4242,
  });
  assert.equal(parseContactReference(ref.replace('-', ' ')).ok, true);
  assert.match((parseContactReference('ADD-12') as { message: string }).message, /like ADD-7K3Q9M/);
  assert.match(
    (parseContactReference('ADD-0OIL23') as { message: string }).message,
    /never contain 0, O, I, L/,
  );
  assert.match(
    (parseContactReference('XYZ-234567', ['ADD']) as { message: string }).message,
    /not a contact code/,
  );
  assert.equal(isValidContactReference(ref, ['TOG']), true);
});

test('property: round trip and uniqueness', () => {
  fc.assert(
    fc.property(codeArb, seqArb, seqArb, (code, s1, s2) => {
      const r1 = formatContactReference(code, s1);
      const parsed = parseContactReference(r1);
      assert.deepEqual(parsed, { ok: true, reference: r1, code, sequence: s1 });
      if (s1 !== s2) assert.notEqual(formatContactReference(code, s2), r1);
    }),
    { numRuns: 3000 },
  );
  const seen = new Set<string>();
  for (let s = 0; s < 20_000; s++) seen.add(formatContactReference('ENQ', s));
  assert.equal(seen.size, 20_000);
});

test('property: any single wrong character or adjacent swap is detected', () => {
  fc.assert(
    fc.property(codeArb, seqArb, fc.nat(), fc.nat(), (code, seq, pos, replacement) => {
      const ref = formatContactReference(code, seq);
      const start = code.length + 1;
      const i = start + (pos % 6);
      const chars = [...ref];
      const original = chars[i] as string;
      const alt = REFERENCE_ALPHABET[replacement % 31] as string;
      if (alt !== original) {
        chars[i] = alt;
        assert.equal(isValidContactReference(chars.join('')), false, `substitution in ${ref}`);
      }
      const j = start + (pos % 5);
      const swapped = [...ref];
      [swapped[j], swapped[j + 1]] = [swapped[j + 1] as string, swapped[j] as string];
      if (swapped[j] !== swapped[j + 1]) assert.equal(isValidContactReference(swapped.join('')), false);
      // A wrong letter in the contact code is also detected.
      const other = String.fromCharCode(65 + ((code.charCodeAt(0) - 65 + 1 + (replacement % 25)) % 26));
      assert.equal(isValidContactReference(other + ref.slice(1)), false);
    }),
    { numRuns: 3000 },
  );
});
