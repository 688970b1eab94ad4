/**
 * The DES portfolio change report (issue 13) reads the versions that began on one business date, as the register is
 * known now: an index on `valid_from` of current versions, so a day's changes are found without reading the register.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX supply_point_versions_day_idx ON des.supply_point_versions (valid_from)
              WHERE known_to IS NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX des.supply_point_versions_day_idx`.execute(db);
}
