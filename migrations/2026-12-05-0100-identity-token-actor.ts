/**
 * The API token check in one statement (issue 14): `identity.token_actor(hash, now)` returns the actor of a bearer
 * token, or no row when the token is unknown, revoked, expired, or its user is not active; it keeps `last_used_at`
 * to the minute (a write at most once a minute per key). Before this, every API request ran a transaction of four or
 * more statements (BEGIN, scope, the look-up, the organisation tree, COMMIT) before its own work.
 *
 * SECURITY DEFINER, so it reads the identity tables whatever the caller's row-level security scope (the caller is not
 * known yet: the system scope did the same job before); `search_path` is pinned so a caller cannot redirect the names
 * it uses. It returns only what an Actor is built from, for the one token whose hash is given. Roles, status and
 * revocation are read on every call: a disabled user or a revoked key fails on the very next request.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION identity.token_actor(p_hash bytea, p_now timestamptz)
    RETURNS TABLE (
      token_id uuid, scopes text[], user_id uuid, email text, name text, roles text[],
      organisation_id uuid, organisation_name text, organisation_type text, organisation_short_code text,
      visible_organisation_ids uuid[]
    )
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
      t record;
    BEGIN
      SELECT k.id AS token_id, k.scopes, k.last_used_at, u.id AS user_id, u.email, u.name, u.roles,
             u.group_visibility, o.id AS organisation_id, o.name AS organisation_name,
             o.type AS organisation_type, o.short_code AS organisation_short_code
        INTO t
        FROM identity.api_tokens k
        JOIN identity.users u ON u.id = k.user_id
        JOIN identity.organisations o ON o.id = u.organisation_id
       WHERE k.token_hash = p_hash
         AND k.revoked_at IS NULL
         AND (k.expires_at IS NULL OR k.expires_at > p_now)
         AND u.status = 'active';
      IF NOT FOUND THEN
        RETURN;
      END IF;
      IF t.last_used_at IS NULL OR t.last_used_at < p_now - interval '60 seconds' THEN
        UPDATE identity.api_tokens SET last_used_at = p_now WHERE id = t.token_id;
      END IF;
      token_id := t.token_id;
      scopes := t.scopes;
      user_id := t.user_id;
      email := t.email;
      name := t.name;
      roles := t.roles;
      organisation_id := t.organisation_id;
      organisation_name := t.organisation_name;
      organisation_type := t.organisation_type;
      organisation_short_code := t.organisation_short_code;
      IF t.group_visibility THEN
        WITH RECURSIVE tree AS (
          SELECT o.id FROM identity.organisations o WHERE o.id = t.organisation_id
          UNION
          SELECT c.id FROM identity.organisations c JOIN tree ON c.parent_id = tree.id
        )
        SELECT array_agg(tree.id) INTO visible_organisation_ids FROM tree;
      ELSE
        visible_organisation_ids := ARRAY[t.organisation_id];
      END IF;
      RETURN NEXT;
    END
    $$`.execute(db);
  await sql`REVOKE ALL ON FUNCTION identity.token_actor(bytea, timestamptz) FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION identity.token_actor(bytea, timestamptz) TO cdsp_app`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION identity.token_actor(bytea, timestamptz)`.execute(db);
}
