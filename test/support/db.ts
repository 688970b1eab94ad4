/**
 * A fresh, migrated database per test file: in-memory PGlite by default, or a new database on the PostgreSQL
 * server named by DATABASE_URL (created here and dropped afterwards), so the same suite runs on both.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';

export interface TestDatabase {
  database: Database;
  /** Connection string of the test database on PostgreSQL (owner/superuser); null on PGlite. */
  adminUrl: string | null;
  cleanup(): Promise<void>;
}

export const onPostgres = Boolean(process.env.DATABASE_URL);

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const database = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
    await database.migrate();
    return { database, adminUrl: null, cleanup: () => database.close() };
  }
  const name = `cdsp_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: '', poolSize: 5 });
  await database.migrate();
  return {
    database,
    adminUrl: url.toString(),
    async cleanup() {
      await database.close();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
