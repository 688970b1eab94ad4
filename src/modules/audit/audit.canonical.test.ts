import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, eventHash, GENESIS_HASH, type ChainedEvent } from './audit.canonical.ts';

test('canonical JSON sorts keys at every depth and drops undefined', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } }),
    '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}',
  );
});

const base: ChainedEvent = {
  seq: '1',
  id: '00000000-0000-4000-8000-000000000001',
  occurred_at: new Date('2026-03-02T10:00:00.123Z'),
  actor_user_id: null,
  actor_label: 'cli',
  organisation_id: null,
  on_behalf_of_organisation_id: null,
  action: 'organisation.created',
  subject_type: 'organisation',
  subject_id: 'x',
  details: { name: 'A', n: 1 },
  prev_hash: GENESIS_HASH,
};

test('the hash covers every field, including the previous hash and the sequence number', () => {
  const h = eventHash(base);
  assert.equal(h.length, 32);
  assert.ok(eventHash({ ...base }).equals(h), 'deterministic');
  assert.ok(eventHash({ ...base, details: { n: 1, name: 'A' } }).equals(h), 'key order does not matter');
  for (const changed of [
    { seq: '2' },
    { action: 'organisation.deleted' },
    { details: { name: 'B', n: 1 } },
    { occurred_at: new Date('2026-03-02T10:00:00.124Z') },
    { prev_hash: Buffer.alloc(32, 1) },
    { actor_label: 'someone' },
  ]) {
    assert.ok(
      !eventHash({ ...base, ...changed }).equals(h),
      `changing ${Object.keys(changed)[0]} changes the hash`,
    );
  }
});
