import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../../test/support/db.ts';
import { startPgBossQueue } from './pgboss-queue.ts';
import type { JobQueue } from './queue.ts';

let tdb: TestDatabase;
let queue: JobQueue;
before(async () => {
  tdb = await createTestDatabase();
  queue = await startPgBossQueue(tdb.database.pool, { pollingIntervalSeconds: 0.5 });
});
after(async () => {
  await queue.stop();
  await tdb.cleanup();
});

test('a sent job reaches its handler with its data, running as the application role', async () => {
  const seen: { n: number }[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await queue.work<{ n: number }>('test.echo', async (data) => {
    seen.push(data);
    if (seen.length === 2) done();
  });
  assert.ok(await queue.send('test.echo', { n: 1 }));
  assert.ok(await queue.send('test.echo', { n: 2 }));
  await Promise.race([
    finished,
    new Promise((_, rej) => setTimeout(() => rej(new Error('jobs did not run in 15 s')), 15_000)),
  ]);
  assert.deepEqual(seen.map((d) => d.n).sort(), [1, 2]);
  const who = await tdb.database.pool.query('SELECT current_user AS u');
  assert.equal(who.rows[0].u, 'cdsp_app');
});
