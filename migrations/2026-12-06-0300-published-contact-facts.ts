/**
 * What the CMS publishes for the reports module (issue 13, ADR 4): the facts of contacts and two-way requests that
 * performance reports count, as views in `published`. Each is `security_invoker`, so the reader's row-level
 * security scope applies to the CMS tables beneath exactly as if it read them itself; no text, no personal data.
 *
 * - `published.cms_contact_facts`: one row per contact (code and its name as raised, the raising, resolving and
 *   on-behalf-of organisations, the resolving team, status, when raised, resolved and closed, the due date).
 * - `published.cms_request_facts`: one row per two-way request (type, sender, recipient, status, when sent and
 *   answered, the respond-by date, when closed).
 * - An index on `cms.contacts (raised_at)`: reports select contacts by the period they were raised in.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE VIEW published.cms_contact_facts WITH (security_invoker = true) AS
    SELECT c.id, c.code, c.code_snapshot->>'name' AS code_name, c.raiser_org_id, c.resolver_org_id,
           c.resolver_team, c.on_behalf_of_org_id, c.status, c.raised_at, c.resolved_at, c.closed_at, c.due_date
      FROM cms.contacts c`.execute(db);
  await sql`
    CREATE VIEW published.cms_request_facts WITH (security_invoker = true) AS
    SELECT r.id, r.type, r.from_org_id, r.to_org_id, r.status, r.sent_at, r.responded_at, r.response_due_date,
           r.closed_at
      FROM cms.requests r`.execute(db);
  await sql`GRANT SELECT ON published.cms_contact_facts, published.cms_request_facts TO cdsp_app`.execute(db);
  await sql`CREATE INDEX contacts_raised_at_idx ON cms.contacts (raised_at)`.execute(db);
  await sql`CREATE INDEX requests_sent_at_idx ON cms.requests (sent_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX cms.requests_sent_at_idx`.execute(db);
  await sql`DROP INDEX cms.contacts_raised_at_idx`.execute(db);
  await sql`DROP VIEW published.cms_request_facts`.execute(db);
  await sql`DROP VIEW published.cms_contact_facts`.execute(db);
}
