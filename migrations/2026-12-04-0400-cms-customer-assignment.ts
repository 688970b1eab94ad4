/**
 * Customer-side assignment (issue 10): a contact is assigned on each side. `assignee_*` stays the resolving
 * side's (the CDSP team, or the organisation the contact is routed to); `raiser_assignee_*` is the colleague of the
 * raising organisation its supervisor gave the contact to. Indexes for the "assigned to me" and "unassigned"
 * filters of each side's list. (Requests already carry the recipient's `assignee_*`.)
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE cms.contacts
              ADD COLUMN raiser_assignee_user_id uuid,
              ADD COLUMN raiser_assignee_label text`.execute(db);
  await sql`CREATE INDEX contacts_assignee_idx ON cms.contacts (assignee_user_id)`.execute(db);
  await sql`CREATE INDEX contacts_raiser_assignee_idx ON cms.contacts (raiser_assignee_user_id)`.execute(db);
  await sql`CREATE INDEX requests_assignee_idx ON cms.requests (assignee_user_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX cms.requests_assignee_idx`.execute(db);
  await sql`DROP INDEX cms.contacts_raiser_assignee_idx`.execute(db);
  await sql`DROP INDEX cms.contacts_assignee_idx`.execute(db);
  await sql`ALTER TABLE cms.contacts DROP COLUMN raiser_assignee_user_id, DROP COLUMN raiser_assignee_label`.execute(
    db,
  );
}
