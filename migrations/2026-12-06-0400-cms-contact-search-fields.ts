/**
 * The contacts' text search covers the form's answers too (a subject field, the details asked for), beside the
 * reference, the raiser's reference and the description: the generated `search` column is rebuilt with the
 * string values of `fields` (PostgreSQL 15 cannot change a generated column's expression in place), and its GIN
 * index with it.
 */
import { sql, type Kysely } from 'kysely';

const TEXT = sql`to_tsvector('simple', coalesce(reference, '') || ' ' || coalesce(raiser_reference, '') || ' ' ||
          coalesce(description, ''))`;

async function rebuild(db: Kysely<unknown>, expression: ReturnType<typeof sql>): Promise<void> {
  await sql`ALTER TABLE cms.contacts DROP COLUMN search`.execute(db);
  await sql`ALTER TABLE cms.contacts ADD COLUMN search tsvector GENERATED ALWAYS AS (${expression}) STORED`.execute(
    db,
  );
  await sql`CREATE INDEX contacts_search_idx ON cms.contacts USING gin (search)`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, sql`${TEXT} || jsonb_to_tsvector('simple', fields, '["string", "numeric"]')`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, TEXT);
}
