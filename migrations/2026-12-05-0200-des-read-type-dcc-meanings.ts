/**
 * Meanings for two free-text register fields, shown on DES pages ("Actual (A)"): the latest meter read type and the
 * DCC service flag. Display only: loads still accept any value there. A fresh database already has them (the first
 * register migration reads data/des-code-lists.json); this adds them to databases made before, and changes nothing
 * an operator has set.
 */
import { sql, type Kysely } from 'kysely';

const MEANINGS: [string, string, string][] = [
  ['read_type', 'A', 'Actual'],
  ['read_type', 'C', 'Customer'],
  ['read_type', 'E', 'Estimated'],
  ['dcc_service_flag', 'A', 'Active'],
  ['dcc_service_flag', 'N', 'Not active'],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [list, code, meaning] of MEANINGS) {
    await sql`INSERT INTO des.code_lists VALUES (${list}, ${code}, ${meaning}) ON CONFLICT DO NOTHING`.execute(
      db,
    );
  }
}

export async function down(): Promise<void> {
  // Left in place: an operator may have come to rely on them, and they are display only.
}
