import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type pg from 'pg';
import { compileOnlyDb } from '../../../../test/support/compile-only-db.ts';
import { makeRunner } from './enquiry.repository.ts';

const db = compileOnlyDb;

/** A pool that answers each query with what it was sent. */
function recordingPool() {
  const sent: { name: string; text: string; values: unknown[] }[] = [];
  const pool = {
    query: async (q: { name: string; text: string; values: unknown[] }) => {
      sent.push(q);
      return { rows: [q] };
    },
  } as unknown as pg.Pool;
  return { pool, sent };
}

const build = (org: string, orgs: readonly string[], mprn: string) =>
  sql`select ${mprn} as m where ${org}::uuid = any(${[...orgs]}::uuid[]) and ${mprn} <> ''`;

test('once: compiled once per key, each call sends its own values in the traced order, as one named statement', async () => {
  const { pool, sent } = recordingPool();
  const run = makeRunner(db, pool);
  let builds = 0;
  const counted = (...a: Parameters<typeof build>) => {
    builds += 1;
    return build(...a);
  };
  await run.once('k', counted, ['a', ['a', 'b'], '123'] as const);
  await run.once('k', counted, ['c', ['c'], '456'] as const);
  assert.equal(builds, 1);
  assert.deepEqual(sent[0]!.values, ['123', 'a', ['a', 'b'], '123']);
  assert.deepEqual(sent[1]!.values, ['456', 'c', ['c'], '456']);
  assert.equal(sent[0]!.text, sent[1]!.text);
  assert.equal(sent[0]!.name, sent[1]!.name);
  // The same text as building and compiling it each time.
  const { sent: direct } = recordingPool();
  const { pool: p2 } = {
    pool: { query: async (q: never) => (direct.push(q), { rows: [] }) } as unknown as pg.Pool,
  };
  await makeRunner(db, p2)(build('c', ['c'], '456'));
  assert.equal(direct[0]!.text, sent[1]!.text);
  assert.deepEqual(direct[0]!.values, sent[1]!.values);
});

test('once: a statement with a parameter that does not come from an argument is refused', async () => {
  const { pool } = recordingPool();
  const run = makeRunner(db, pool);
  await assert.rejects(
    run.once('bad', (mprn: string) => sql`select ${mprn}, ${'constant'}`, ['1'] as const),
    /does not come from an argument/,
  );
});
