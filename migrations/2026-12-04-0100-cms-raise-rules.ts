/**
 * Raise rules (issue 10):
 *
 * - `cms.unroutable_attempts`: a raise refused because the register or the appointments directory names no party
 *   to route it to (what was missing, and the message the raiser got). Written in its own small transaction when
 *   the refusal happens; only the CDSP reads the list. Never updated or deleted by the application.
 * - `cms.contacts.on_behalf_of_org_id`: the organisation a contact was raised on behalf of (a DMSP raises a Class 1
 *   site's RFA on the registered shipper's behalf): it sees the contact as well as its raiser and resolver (the
 *   row-level security policy says so too).
 * - `cms.contacts.not_invoiced_from/_to`: the part of an adjustment that is not invoiced (below 73,200 kWh AQ,
 *   the days before 2017-06-01), derived when the contact is raised.
 * - The catalogue: RFA may be raised by a DMSP (Class 1, for the registered shipper); DTL only on a dead site, ISO
 *   only on a live one (the rules `rfa_site_class`, `dtl_dead_site`, `iso_live_site`). Rows an operator has not
 *   edited in these columns since are changed, and their version bumped.
 */
import { sql, type Kysely } from 'kysely';

const RFA_DESCRIPTION =
  'Asks the CDSP invoicing team to adjust the energy allocated to a site over a past period, for example after an ' +
  'incorrect read or a meter exchange. The registered shipper raises it for a Class 2, 3 or 4 site; for a Class 1 ' +
  'site the appointed Daily Metered Service Provider raises it on the registered shipper’s behalf. For a site ' +
  'below 73,200 kWh a year the part of the period before 1 June 2017 is not invoiced.';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE cms.unroutable_attempts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      at timestamptz NOT NULL,
      organisation_id uuid NOT NULL,
      user_id uuid,
      user_label text NOT NULL,
      code text NOT NULL,
      mprn text,
      missing text NOT NULL CHECK (length(missing) BETWEEN 1 AND 200),
      message text NOT NULL CHECK (length(message) BETWEEN 1 AND 1000)
    )`.execute(db);
  await sql`CREATE INDEX unroutable_attempts_at_idx ON cms.unroutable_attempts (at DESC, id)`.execute(db);
  await sql`ALTER TABLE cms.unroutable_attempts ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`CREATE POLICY org_scope ON cms.unroutable_attempts TO cdsp_app
            USING (public.cdsp_scope_allows(organisation_id))
            WITH CHECK (public.cdsp_scope_allows(organisation_id))`.execute(db);
  await sql`GRANT SELECT, INSERT ON cms.unroutable_attempts TO cdsp_app`.execute(db);

  await sql`ALTER TABLE cms.contacts
              ADD COLUMN on_behalf_of_org_id uuid,
              ADD COLUMN not_invoiced_from date,
              ADD COLUMN not_invoiced_to date,
              ADD CONSTRAINT contacts_not_invoiced_check
                CHECK ((not_invoiced_from IS NULL) = (not_invoiced_to IS NULL) AND not_invoiced_from <= not_invoiced_to)`.execute(
    db,
  );
  await sql`CREATE INDEX contacts_on_behalf_of_idx ON cms.contacts (on_behalf_of_org_id)
              WHERE on_behalf_of_org_id IS NOT NULL`.execute(db);
  await sql`DROP POLICY org_scope ON cms.contacts`.execute(db);
  await sql`CREATE POLICY org_scope ON cms.contacts TO cdsp_app
            USING (public.cdsp_scope_allows(raiser_org_id) OR public.cdsp_scope_allows(resolver_org_id)
                   OR (on_behalf_of_org_id IS NOT NULL AND public.cdsp_scope_allows(on_behalf_of_org_id)))
            WITH CHECK (public.cdsp_scope_allows(raiser_org_id) OR public.cdsp_scope_allows(resolver_org_id))`.execute(
    db,
  );

  await sql`
    UPDATE cms.contact_codes
       SET raised_by = ARRAY['shipper', 'dmsp']::text[],
           description = ${RFA_DESCRIPTION},
           rules = (SELECT jsonb_agg(CASE WHEN r = '"rfa_class_2_to_4"'::jsonb THEN '"rfa_site_class"'::jsonb ELSE r END)
                      FROM jsonb_array_elements(rules) r),
           version = version + 1, updated_at = now()
     WHERE code = 'RFA' AND rules @> '["rfa_class_2_to_4"]'::jsonb`.execute(db);
  for (const [code, rule] of [
    ['DTL', 'dtl_dead_site'],
    ['ISO', 'iso_live_site'],
  ] as const) {
    await sql`
      UPDATE cms.contact_codes
         SET rules = ${JSON.stringify([rule])}::jsonb || rules, version = version + 1, updated_at = now()
       WHERE code = ${code} AND NOT rules @> ${JSON.stringify([rule])}::jsonb`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const rule of ['dtl_dead_site', 'iso_live_site']) {
    await sql`UPDATE cms.contact_codes SET rules = rules - ${rule} WHERE rules @> ${JSON.stringify([rule])}::jsonb`.execute(
      db,
    );
  }
  await sql`
    UPDATE cms.contact_codes
       SET raised_by = ARRAY['shipper']::text[],
           rules = (SELECT jsonb_agg(CASE WHEN r = '"rfa_site_class"'::jsonb THEN '"rfa_class_2_to_4"'::jsonb ELSE r END)
                      FROM jsonb_array_elements(rules) r)
     WHERE code = 'RFA'`.execute(db);
  await sql`DROP POLICY org_scope ON cms.contacts`.execute(db);
  await sql`CREATE POLICY org_scope ON cms.contacts TO cdsp_app
            USING (public.cdsp_scope_allows(raiser_org_id) OR public.cdsp_scope_allows(resolver_org_id))
            WITH CHECK (public.cdsp_scope_allows(raiser_org_id) OR public.cdsp_scope_allows(resolver_org_id))`.execute(
    db,
  );
  await sql`DROP INDEX cms.contacts_on_behalf_of_idx`.execute(db);
  await sql`ALTER TABLE cms.contacts DROP CONSTRAINT contacts_not_invoiced_check,
              DROP COLUMN on_behalf_of_org_id, DROP COLUMN not_invoiced_from, DROP COLUMN not_invoiced_to`.execute(
    db,
  );
  await sql`DROP TABLE cms.unroutable_attempts`.execute(db);
}
