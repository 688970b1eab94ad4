/**
 * Shipperless and unregistered sites (UNC's S&U process; issue 10, docs/formats/des-load.md):
 *
 * - Two register columns beyond the GES names, nullable text: `last_shipper_short_code` (the shipper registered
 *   before the site became shipperless) and `interested_shipper_short_code` (the shipper that asked for the MPRN
 *   to be created, on a site never registered). The loader fills them from the optional load-file columns.
 * - Each is a DES right of the shipper type (docs/security.md, "DES visibility over time"): one more
 *   des.portfolio_rules row each, so a type may now hold several rules (the key becomes type and field).
 * - `published.organisation_short_codes(type)`: the short codes of the organisations of one type (identity
 *   publishes it; the register loader checks a named shipper is a known one). SECURITY INVOKER, like
 *   published.organisation_tree.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE des.supply_point_versions
              ADD COLUMN last_shipper_short_code text,
              ADD COLUMN interested_shipper_short_code text`.execute(db);

  await sql`ALTER TABLE des.portfolio_rules DROP CONSTRAINT portfolio_rules_pkey`.execute(db);
  await sql`ALTER TABLE des.portfolio_rules ADD PRIMARY KEY (organisation_type, register_field)`.execute(db);
  await sql`ALTER TABLE des.portfolio_rules DROP CONSTRAINT portfolio_rules_register_field_check`.execute(db);
  await sql`ALTER TABLE des.portfolio_rules ADD CONSTRAINT portfolio_rules_register_field_check
              CHECK (register_field IN ('*', 'shipper_short_code', 'current_supplier', 'mam_short_code',
                                        'network_name', 'last_shipper_short_code', 'interested_shipper_short_code'))`.execute(
    db,
  );
  await sql`INSERT INTO des.portfolio_rules VALUES ('shipper', 'last_shipper_short_code'),
                                                   ('shipper', 'interested_shipper_short_code')`.execute(db);

  await sql`
    CREATE FUNCTION published.organisation_short_codes(org_type text)
    RETURNS TABLE (short_code text)
    LANGUAGE sql STABLE SECURITY INVOKER AS $$
      SELECT o.short_code FROM identity.organisations o WHERE o.type = org_type
    $$`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION published.organisation_short_codes(text) TO cdsp_app`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION published.organisation_short_codes(text)`.execute(db);
  await sql`DELETE FROM des.portfolio_rules
             WHERE register_field IN ('last_shipper_short_code', 'interested_shipper_short_code')`.execute(
    db,
  );
  await sql`ALTER TABLE des.portfolio_rules DROP CONSTRAINT portfolio_rules_register_field_check`.execute(db);
  await sql`ALTER TABLE des.portfolio_rules ADD CONSTRAINT portfolio_rules_register_field_check
              CHECK (register_field IN ('*', 'shipper_short_code', 'current_supplier', 'mam_short_code', 'network_name'))`.execute(
    db,
  );
  await sql`ALTER TABLE des.portfolio_rules DROP CONSTRAINT portfolio_rules_pkey`.execute(db);
  await sql`ALTER TABLE des.portfolio_rules ADD PRIMARY KEY (organisation_type)`.execute(db);
  await sql`ALTER TABLE des.supply_point_versions
              DROP COLUMN last_shipper_short_code,
              DROP COLUMN interested_shipper_short_code`.execute(db);
}
