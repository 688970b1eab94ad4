/**
 * Module interfaces in the database (ADR 4): each module's SQL names only its own schemas, plus `published`, where
 * a module publishes what others may read.
 *
 * - `published.organisation_tree(root)`: the organisation and every organisation below it in its group (identity
 *   publishes it; DES portfolios use it). LANGUAGE sql, STABLE and SECURITY INVOKER, so the planner inlines it
 *   into the caller's query and the caller's row-level security scope applies exactly as before.
 * - The contact code catalogue is the CMS's own data: `ref.contact_codes` moves to `cms.contact_codes` (grants,
 *   constraints and references move with it).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS published`.execute(db);
  await sql`GRANT USAGE ON SCHEMA published TO cdsp_app`.execute(db);
  await sql`
    CREATE FUNCTION published.organisation_tree(root uuid)
    RETURNS TABLE (id uuid, type text, short_code text, network_name text, parent_id uuid)
    LANGUAGE sql STABLE SECURITY INVOKER AS $$
      WITH RECURSIVE tree AS (
        SELECT o.id, o.type, o.short_code, o.network_name, o.parent_id
          FROM identity.organisations o WHERE o.id = root
        UNION
        SELECT c.id, c.type, c.short_code, c.network_name, c.parent_id
          FROM identity.organisations c JOIN tree t ON c.parent_id = t.id
      )
      SELECT tree.id, tree.type, tree.short_code, tree.network_name, tree.parent_id FROM tree
    $$`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION published.organisation_tree(uuid) TO cdsp_app`.execute(db);

  await sql`ALTER TABLE ref.contact_codes SET SCHEMA cms`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE cms.contact_codes SET SCHEMA ref`.execute(db);
  await sql`DROP FUNCTION published.organisation_tree(uuid)`.execute(db);
  await sql`DROP SCHEMA published`.execute(db);
}
