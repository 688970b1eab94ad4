import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findMalformedText, isCleanText, jsonDeeperThan, MAX_JSON_DEPTH } from './input.ts';
import { boundedErrors, MAX_ERRORS } from './problem.ts';

test('jsonDeeperThan counts nesting outside strings only', () => {
  assert.equal(jsonDeeperThan('{"a":[1,{"b":2}]}', 3), false);
  assert.equal(jsonDeeperThan('{"a":[1,{"b":[]}]}', 3), true);
  assert.equal(jsonDeeperThan('"[[[[[[[[[["', 2), false); // brackets inside a string
  assert.equal(jsonDeeperThan('["\\"[[[[[[["]', 2), false); // an escaped quote does not end the string
  assert.equal(jsonDeeperThan('['.repeat(5000) + ']'.repeat(5000), MAX_JSON_DEPTH), true);
  assert.equal(
    jsonDeeperThan('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH), MAX_JSON_DEPTH),
    false,
  );
});

test('jsonDeeperThan agrees with the real depth of any JSON value', () => {
  const depth = (v: unknown): number =>
    v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0;
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), fc.nat(7), (v, max) => {
      assert.equal(jsonDeeperThan(JSON.stringify(v), max), depth(v) > max);
    }),
  );
});

test('isCleanText refuses NUL and lone surrogates, keeps pairs and ordinary text', () => {
  for (const s of ['', 'abc', 'tab\tnew\nline', '😀', 'é', '\u202e']) assert.ok(isCleanText(s), s);
  for (const s of ['\u0000', 'a\u0000', '\ud800', 'x\udc00', '\udc00\ud800', '😀'.slice(0, 1)])
    assert.ok(!isCleanText(s), JSON.stringify(s));
});

test('findMalformedText names the first bad value, in keys and nested values too', () => {
  assert.equal(findMalformedText({ a: 'ok', b: ['x', 'y\u0000'] }, 'body'), 'body.b.1');
  assert.equal(findMalformedText({ ok: { ['k\ud800']: 1 } }, 'body'), 'body.ok');
  assert.equal(findMalformedText({ a: 1, b: null, c: true, d: ['x'] }, 'body'), null);
  assert.equal(findMalformedText(Buffer.from([0, 0xed, 0xa0, 0x80]), 'body'), null); // a file is not text
});

test('boundedErrors keeps at most MAX_ERRORS entries, each short', () => {
  const many = Array.from({ length: 5000 }, (_, i) => ({
    field: `f${i}`.repeat(100),
    message: 'm'.repeat(5000),
  }));
  const out = boundedErrors(many);
  assert.equal(out.length, MAX_ERRORS);
  assert.equal(out.at(-1)!.message, `and ${5000 - MAX_ERRORS + 1} more errors`);
  assert.ok(JSON.stringify(out).length < 8 * 1024);
  assert.deepEqual(boundedErrors([{ field: 'a', message: 'b' }]), [{ field: 'a', message: 'b' }]);
});
