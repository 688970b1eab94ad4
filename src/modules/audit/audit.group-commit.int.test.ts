import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { sql } from 'kysely';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import { AuditGroupCommitter } from './audit.group-commit.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.cleanup());

const event = (i: number) => ({
  actor: { userId: null, label: 'test', organisationId: null },
  action: 'des.enquiry',
  subjectType: 'supply_point',
  subjectId: String(1000000 + i),
  details: { i },
});

/** A write in a batch's statement that fails when it runs, after sleeping `seconds`: event 1 exists already. */
const failingWrite = (guard: unknown, seconds = 0) =>
  sql`INSERT INTO audit.events (seq, id, occurred_at, actor_label, action, subject_type, subject_id, prev_hash, hash)
      SELECT 1, gen_random_uuid(), now(), 'test', 'test', 'test', 'test', '\\x00'::bytea, '\\x00'::bytea
        FROM pg_sleep(${seconds}) WHERE ${guard}`;

test('concurrent events are committed together, each caller resolved after commit, and the chain verifies', async () => {
  let transactions = 0;
  // On PostgreSQL the batches go out on the system-scoped pool, one statement each (as the service sends them).
  const committer = new AuditGroupCommitter(t.database.db, t.services.audit, {
    pool: t.database.systemPool,
    alsoInStatement: () => {
      transactions += 1;
      return [];
    },
  });
  const before = (await t.services.audit.verify()).events;
  await Promise.all(Array.from({ length: 200 }, (_, i) => committer.record(event(i))));
  const v = await t.services.audit.verify();
  assert.equal(v.ok, true);
  assert.equal(v.events, before + 200);
  assert.ok(transactions < 200, `200 events took ${transactions} transactions`);
  assert.ok(transactions >= 1);
});

test('when a commit fails, every caller in that batch is told and nothing of the batch is kept', async () => {
  const committer = new AuditGroupCommitter(t.database.db, t.services.audit, {
    pool: t.database.systemPool,
    alsoInStatement: (events, guard) =>
      events.some((e) => e.subjectId === '1000003') ? [failingWrite(guard)] : [],
  });
  await committer.record(event(0)); // learn the head, so the next batch is sent chained (on the pool, on PostgreSQL)
  const before = (await t.services.audit.verify()).events;
  const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => committer.record(event(i))));
  assert.ok(results.every((r) => r.status === 'rejected'));
  assert.equal((await t.services.audit.verify()).events, before);
  await committer.record(event(7)); // and the committer goes on after a failed batch
  assert.equal((await t.services.audit.verify()).events, before + 1);
});

test('the next batch is chained from the head the last commit left, and falls back to the locked read when another writer appended', async () => {
  const audit = t.services.audit;
  let lockedReads = 0;
  const spy = Object.create(audit) as typeof audit;
  spy.lockedHead = (...args) => {
    lockedReads += 1;
    return audit.lockedHead(...args);
  };
  const committer = new AuditGroupCommitter(t.database.db, spy, { pool: t.database.systemPool });
  const before = (await t.services.audit.verify()).events;
  await committer.record(event(1)); // first batch: head unknown, locked read
  // Another writer (a CMS action, another process) appends between two batches of this committer.
  await inScope(t.database.db, SYSTEM_SCOPE, (trx) => audit.record(trx, event(2)));
  await committer.record(event(3)); // head moved: falls back to the locked read
  await committer.record(event(4)); // chained from the head it left: no read
  await committer.record(event(5));
  assert.equal(lockedReads, 2);
  const v = await t.services.audit.verify();
  assert.equal(v.ok, true);
  assert.equal(v.events, before + 5);
});

test('a batch chained after a head that is not the current one writes nothing', async () => {
  const before = (await t.services.audit.verify()).events;
  const stale = { seq: '0', hash: Buffer.alloc(32) };
  const batch = t.services.audit.chainAfter(stale, [event(5)]);
  const r = await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
    t.services.audit.appendStatement(stale, batch).execute(trx),
  );
  assert.equal(r.rows[0]?.n, 0);
  assert.equal((await t.services.audit.verify()).events, before);
});

test('two committers (as two processes would) writing at once keep one verifiable chain', async () => {
  const a = new AuditGroupCommitter(t.database.db, t.services.audit);
  const b = new AuditGroupCommitter(t.database.db, t.services.audit);
  const before = (await t.services.audit.verify()).events;
  await Promise.all(Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? a : b).record(event(100 + i))));
  const v = await t.services.audit.verify();
  assert.equal(v.ok, true);
  assert.equal(v.events, before + 120);
});

test('with two batches in flight, when the first fails the second (chained after it) falls back and commits alone', async () => {
  let calls = 0;
  const committer = new AuditGroupCommitter(t.database.db, t.services.audit, {
    depth: 2,
    alsoInStatement: (events, guard) => {
      calls += 1;
      return events.some((e) => e.subjectId === String(1000000 + 900)) ? [failingWrite(guard, 0.03)] : [];
    },
  });
  await committer.record(event(899)); // learn the head
  const before = (await t.services.audit.verify()).events;
  const first = committer.record(event(900));
  first.catch(() => undefined); // PGlite may fail it before the others are sent: allSettled reads it below
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 5));
  const second = [committer.record(event(901)), committer.record(event(902))];
  const results = await Promise.allSettled([first, ...second]);
  assert.equal(results[0]!.status, 'rejected');
  assert.ok(results.slice(1).every((r) => r.status === 'fulfilled'));
  assert.ok(calls >= 3);
  const v = await t.services.audit.verify();
  assert.equal(v.ok, true);
  assert.equal(v.events, before + 2);
});
