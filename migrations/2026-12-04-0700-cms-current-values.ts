/**
 * "Current value" fields (issue 10, the contact tied to the register): a catalogue field marked `from_register`
 * takes its value from the register for the contact's MPRN (as at D-1), never typed; the service fills it in and
 * refuses a submitted value that differs (cms/domain/register-values.ts).
 *
 * - AGG's `current_twin_stream_indicator` comes from the register's `twin_stream_site_indicator`.
 * - ADD gains `current_address`, the address the register holds (the DES address line), first of its fields.
 *
 * Rows already carrying the marks (a database created from the updated catalogue file) are left alone; the others
 * are changed and their version bumped.
 */
import { sql, type Kysely } from 'kysely';

const HINT =
  'Taken from the register for the MPRN (as at the end of yesterday, D-1), never typed. Through the API leave it ' +
  "out: it is filled in from the register; a value that differs from the register's is refused (400).";

const CURRENT_ADDRESS = {
  name: 'current_address',
  label: 'Address on the register',
  type: 'text',
  required: false,
  hint: HINT,
  from_register: 'address',
};

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    UPDATE cms.contact_codes
       SET fields = (SELECT jsonb_agg(CASE WHEN f->>'name' = 'current_twin_stream_indicator'
                                           THEN f || ${JSON.stringify({ hint: HINT, from_register: 'twin_stream_site_indicator' })}::jsonb
                                           ELSE f END ORDER BY n)
                       FROM jsonb_array_elements(fields) WITH ORDINALITY AS e(f, n)),
           version = version + 1, updated_at = now()
     WHERE code = 'AGG'
       AND fields @> '[{"name": "current_twin_stream_indicator"}]'::jsonb
       AND NOT fields @> '[{"from_register": "twin_stream_site_indicator"}]'::jsonb`.execute(db);
  await sql`
    UPDATE cms.contact_codes
       SET fields = jsonb_build_array(${JSON.stringify(CURRENT_ADDRESS)}::jsonb) || fields,
           version = version + 1, updated_at = now()
     WHERE code = 'ADD' AND NOT fields @> '[{"name": "current_address"}]'::jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    UPDATE cms.contact_codes
       SET fields = (SELECT coalesce(jsonb_agg(CASE WHEN f ? 'from_register' THEN f - 'from_register' - 'hint'
                                                    ELSE f END ORDER BY n), '[]'::jsonb)
                       FROM jsonb_array_elements(fields) WITH ORDINALITY AS e(f, n)
                      WHERE f->>'name' <> 'current_address')
     WHERE code IN ('AGG', 'ADD') AND fields::text LIKE '%from_register%'`.execute(db);
}
