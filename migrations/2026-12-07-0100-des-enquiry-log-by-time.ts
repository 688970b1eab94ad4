/**
 * The enquiry log is shown newest first by when each enquiry was made (issue 12: identity order is the order the audit
 * batches committed, which is not always the order in time), filtered by date: one index on (organisation, time, id)
 * in place of (organisation, id), so the hot look-up path still maintains one index for the log.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX enquiries_org_time_idx ON des.enquiries (organisation_id, occurred_at DESC, id DESC)`.execute(
    db,
  );
  await sql`DROP INDEX des.enquiries_org_idx`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX enquiries_org_idx ON des.enquiries (organisation_id, id DESC)`.execute(db);
  await sql`DROP INDEX des.enquiries_org_time_idx`.execute(db);
}
