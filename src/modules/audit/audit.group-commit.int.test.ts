import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
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

test('concurrent events are committed together, each caller resolved after commit, and the chain verifies', async () => {
  let transactions = 0;
  const committer = new AuditGroupCommitter(t.database.db, t.services.audit, {
    alsoInTransaction: async () => {
      transactions += 1;
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
    alsoInTransaction: async () => {
      throw new Error('counter update failed');
    },
  });
  const before = (await t.services.audit.verify()).events;
  const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => committer.record(event(i))));
  assert.ok(results.every((r) => r.status === 'rejected'));
  assert.equal((await t.services.audit.verify()).events, before);
});
