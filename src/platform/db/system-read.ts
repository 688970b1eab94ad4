/**
 * One read under the system scope, for hot reads of data every request needs (the organisation list). On
 * PostgreSQL, given the system-scoped pool (`Database.systemPool`, whose sessions start in the system scope), it is
 * one prepared statement and one round trip; otherwise (PGlite, tests) a system-scoped transaction, four round trips.
 * The rows are the same either way: the pool and Kysely's dialect parse with the same `pg` types.
 */
import type { Compilable, Kysely } from 'kysely';
import type pg from 'pg';
import { preparedName } from './prepared.ts';
import type { DB } from './schema.ts';
import { inScope, SYSTEM_SCOPE, type Tx } from './scope.ts';

export async function systemRead<R>(
  db: Kysely<DB>,
  pool: pg.Pool | null,
  build: (db: Kysely<DB> | Tx) => Compilable<R>,
): Promise<R[]> {
  if (!pool)
    return inScope(db, SYSTEM_SCOPE, async (trx) => (await trx.executeQuery(build(trx).compile())).rows);
  const c = build(db).compile();
  const r = await pool.query({
    name: preparedName('sys', c.sql),
    text: c.sql,
    values: c.parameters as unknown[],
  });
  return r.rows as R[];
}
