/**
 * Transactions with a row-level security scope. Repositories still put the acting organisation into every
 * query (the first wall); the scope set here is the second wall, enforced by PostgreSQL policies.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from './schema.ts';

export type Scope = { kind: 'system' } | { kind: 'organisations'; organisationIds: readonly string[] };

export const SYSTEM_SCOPE: Scope = { kind: 'system' };

export function scopeValue(scope: Scope): string {
  if (scope.kind === 'system') return 'system';
  for (const id of scope.organisationIds) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new Error(`invalid organisation id in scope: ${id}`);
  }
  return scope.organisationIds.join(',');
}

export type Tx = Transaction<DB>;

/** Runs `fn` in one transaction whose row-level security scope is `scope`. */
export async function inScope<T>(db: Kysely<DB>, scope: Scope, fn: (trx: Tx) => Promise<T>): Promise<T> {
  if (db.isTransaction) {
    // Already inside an outer transaction (e.g. a seeder composing several services atomically).
    const trx = db as Tx;
    await sql`select set_config('cdsp.scope', ${scopeValue(scope)}, true)`.execute(trx);
    return fn(trx);
  }
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('cdsp.scope', ${scopeValue(scope)}, true)`.execute(trx);
    return fn(trx);
  });
}

/**
 * Runs `fn` inside an open transaction under the system scope, then restores the caller's scope, whatever `fn`
 * does. For the few reads that must see across organisations by design (an email clash is checked service-wide;
 * webhook subscriptions are looked up for every organisation an event concerns).
 */
export async function withSystemScope<T>(trx: Tx, fn: () => Promise<T>): Promise<T> {
  // One statement: the select list is evaluated in order, so `s` is the scope before the switch.
  const prev = await sql<{
    s: string | null;
  }>`select current_setting('cdsp.scope', true) as s, set_config('cdsp.scope', 'system', true) as now`.execute(
    trx,
  );
  try {
    return await fn();
  } finally {
    await sql`select set_config('cdsp.scope', ${prev.rows[0]?.s ?? ''}, true)`.execute(trx);
  }
}
