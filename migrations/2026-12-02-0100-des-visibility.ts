/**
 * DES visibility (docs/security.md, "DES visibility over time"):
 *
 * - A bulk enquiry runs later, without the user's session, so it records whose rights it reads with when it is
 *   submitted: the submitter's organisation, plus its group children only when the user holds the group grant. A
 *   job without it (submitted before this migration) reads with its organisation's rights only.
 * - The current-knowledge look-up (one MPRN, the version in force on a date) gets an index that answers it alone.
 *   With only (mprn, valid_from), PostgreSQL ANDed the look-up's bitmap with a whole partial search index to
 *   apply `known_to IS NULL`: work done only when the MPRN exists, so another organisation's MPRN answered
 *   measurably slower than one that does not exist (issue 15, finding 6), and every look-up paid for it.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE des.bulk_jobs ADD COLUMN viewer_organisation_ids uuid[]`.execute(db);
  await sql`CREATE INDEX supply_point_versions_current_idx ON des.supply_point_versions (mprn, valid_from)
              WHERE known_to IS NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX des.supply_point_versions_current_idx`.execute(db);
  await sql`ALTER TABLE des.bulk_jobs DROP COLUMN viewer_organisation_ids`.execute(db);
}
