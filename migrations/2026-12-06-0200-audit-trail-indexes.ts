/**
 * Indexes for the audit view's filters (issue 13): by the acting user, by the organisation acted for (CDSP staff acting
 * on an organisation's behalf: few rows, so a partial index), and by subject id (an MPRN, a contact, a user), each with
 * the sequence number so that a page reads newest first. Events by organisation already have (organisation_id, seq).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX events_actor_user_idx ON audit.events (actor_user_id, seq)
            WHERE actor_user_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX events_on_behalf_idx ON audit.events (on_behalf_of_organisation_id, seq)
            WHERE on_behalf_of_organisation_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX events_subject_id_idx ON audit.events (subject_id, seq)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS audit.events_subject_id_idx`.execute(db);
  await sql`DROP INDEX IF EXISTS audit.events_on_behalf_idx`.execute(db);
  await sql`DROP INDEX IF EXISTS audit.events_actor_user_idx`.execute(db);
}
