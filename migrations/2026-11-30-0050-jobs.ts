/**
 * The job queue (pg-boss) keeps its own tables in schema `pgboss`, which it creates and upgrades itself. The
 * application role may create that one schema; it still owns none of the product's tables.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    DO $$ BEGIN
      EXECUTE format('GRANT CREATE ON DATABASE %I TO cdsp_app', current_database());
    END $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DO $$ BEGIN
      EXECUTE format('REVOKE CREATE ON DATABASE %I FROM cdsp_app', current_database());
    END $$`.execute(db);
}
