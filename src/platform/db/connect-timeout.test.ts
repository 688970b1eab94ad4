/**
 * A database server that accepts the TCP connection but never answers (hung, or a half-open network path) must not
 * hang the service's requests: getting a connection gives up after a bound, with an error the edge maps to 503.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { openDatabase, ping } from './database.ts';
import { isDatabaseUnavailable } from './unavailable.ts';

test('a server that never answers: the query fails within the connect bound, as "database unavailable"', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((s) => void sockets.push(s)); // accepts, reads nothing, answers nothing
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  const database = await openDatabase({
    databaseUrl: `postgres://postgres@127.0.0.1:${port}/cdsp`,
    dataDir: '',
    connectTimeoutMs: 500,
  });
  const started = Date.now();
  try {
    const outcome = await Promise.race([
      ping(database.db).then(
        () => 'answered',
        (e: unknown) => e,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5_000).unref()),
    ]);
    assert.ok(outcome instanceof Error, `expected a connection error, got: ${String(outcome)}`);
    assert.equal(isDatabaseUnavailable(outcome), true, outcome.message);
    assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms`);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
    await database.close().catch(() => undefined);
  }
});
