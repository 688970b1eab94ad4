/**
 * Webhook delivery claims (issue 15, finding 4): a delivery is claimed in one short transaction (FOR UPDATE SKIP
 * LOCKED) by writing a lease (`claimed_until`) and the claimant's id (`claim_id`); it is sent after that commit, and
 * its result is recorded in a second short transaction only by the claimant. A claim whose sender died expires
 * with its lease and the delivery becomes due again. No network I/O ever runs inside a database transaction.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE cms.webhook_deliveries
      ADD COLUMN claimed_until timestamptz,
      ADD COLUMN claim_id uuid,
      ADD CONSTRAINT webhook_deliveries_claim_chk CHECK ((claimed_until IS NULL) = (claim_id IS NULL))`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE cms.webhook_deliveries
      DROP CONSTRAINT webhook_deliveries_claim_chk,
      DROP COLUMN claim_id,
      DROP COLUMN claimed_until`.execute(db);
}
