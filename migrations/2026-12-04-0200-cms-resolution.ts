/**
 * Resolution (issue 10): outcome codes and rejection reasons per contact code, the expected register change, and
 * which of a code's attributes are public.
 *
 * - The catalogue (`cms.contact_codes`) gains `outcomes` and `rejection_reasons` (lists of {value, label}),
 *   `register_fields` (the DES register fields a resolver may name as the expected change) and `public_sources`
 *   (attribute: source, for the attributes that are public; the others are project defaults), filled from
 *   migrations/data/contact-codes.json. Rows are matched by code; codes the file does not have get empty lists.
 * - A contact keeps the label of its outcome and of its rejection reason as they were chosen (a later catalogue edit
 *   does not rewrite history), and the expected register change: field, its label, the value, and the check the
 *   CMS makes when a register load lands (`register_checked_for`: the business date last checked;
 *   `register_updated_on`: the business date the register first showed the value).
 */
import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';

interface CodeData {
  code: string;
  outcomes: unknown;
  rejection_reasons: unknown;
  register_fields: unknown;
  public_sources: unknown;
}
const codes = (): CodeData[] =>
  JSON.parse(readFileSync(new URL('./data/contact-codes.json', import.meta.url), 'utf8')) as CodeData[];

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE cms.contact_codes
              ADD COLUMN outcomes jsonb NOT NULL DEFAULT '[]'::jsonb,
              ADD COLUMN rejection_reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
              ADD COLUMN register_fields jsonb NOT NULL DEFAULT '[]'::jsonb,
              ADD COLUMN public_sources jsonb NOT NULL DEFAULT '{}'::jsonb`.execute(db);
  for (const c of codes()) {
    await sql`UPDATE cms.contact_codes
                 SET outcomes = ${JSON.stringify(c.outcomes ?? [])}::jsonb,
                     rejection_reasons = ${JSON.stringify(c.rejection_reasons ?? [])}::jsonb,
                     register_fields = ${JSON.stringify(c.register_fields ?? [])}::jsonb,
                     public_sources = ${JSON.stringify(c.public_sources ?? {})}::jsonb
               WHERE code = ${c.code}`.execute(db);
  }

  await sql`ALTER TABLE cms.contacts
              ADD COLUMN outcome_label text CHECK (length(outcome_label) <= 200),
              ADD COLUMN reason_label text CHECK (length(reason_label) <= 200),
              ADD COLUMN expected_field text CHECK (expected_field ~ '^[a-z][a-z0-9_]*$'),
              ADD COLUMN expected_field_label text,
              ADD COLUMN expected_value text CHECK (length(expected_value) BETWEEN 1 AND 200),
              ADD COLUMN register_checked_for date,
              ADD COLUMN register_updated_on date,
              ADD CONSTRAINT contacts_expected_change_check
                CHECK ((expected_field IS NULL) = (expected_value IS NULL)
                       AND (expected_field IS NULL) = (expected_field_label IS NULL)
                       AND (register_updated_on IS NULL OR expected_field IS NOT NULL))`.execute(db);
  // The contacts a register load checks: an expected change not yet seen in the register.
  await sql`CREATE INDEX contacts_register_check_idx ON cms.contacts (resolved_at)
              WHERE expected_field IS NOT NULL AND register_updated_on IS NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX cms.contacts_register_check_idx`.execute(db);
  await sql`ALTER TABLE cms.contacts
              DROP CONSTRAINT contacts_expected_change_check,
              DROP COLUMN outcome_label,
              DROP COLUMN reason_label,
              DROP COLUMN expected_field,
              DROP COLUMN expected_field_label,
              DROP COLUMN expected_value,
              DROP COLUMN register_checked_for,
              DROP COLUMN register_updated_on`.execute(db);
  await sql`ALTER TABLE cms.contact_codes
              DROP COLUMN outcomes,
              DROP COLUMN rejection_reasons,
              DROP COLUMN register_fields,
              DROP COLUMN public_sources`.execute(db);
}
