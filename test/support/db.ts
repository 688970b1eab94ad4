/**
 * A fresh, migrated database per test file: in-memory PGlite by default, or a new database on the PostgreSQL
 * server named by DATABASE_URL (created here and dropped afterwards), so the same suite runs on both.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  const scratch = await createScratchDatabase('cdsp_test');
  const database = await openDatabase({ databaseUrl: scratch.url, dataDir: '', poolSize: 5 });
  await database.migrate();
  return {
    database,
    adminUrl: scratch.url,
    async cleanup() {
      await database.close();
      await scratch.drop();
    },
  };
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

/**
 * A new, empty database on the PostgreSQL server named by DATABASE_URL, and how to drop it. For tests that open
 * their own connections or run the CLI or a child process against it.
 */
export async function createScratchDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('createScratchDatabase needs DATABASE_URL (a PostgreSQL server)');
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/**
 * The environment for running the CLI (or the service) against a database of the test's own: a new database on
 * PostgreSQL when DATABASE_URL is set, else a PGlite data directory in a new temporary folder. `dir` is that
 * temporary folder (made in both cases, for files the test writes); `cleanup` drops the database and the folder.
 */
export async function createCliEnvironment(
  prefix: string,
  base: NodeJS.ProcessEnv = {},
): Promise<{ env: NodeJS.ProcessEnv; dir: string; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const removeDir = async () => rmSync(dir, { recursive: true, force: true });
  if (!onPostgres) {
    return { env: { ...base, CDSP_DATA_DIR: join(dir, 'data') }, dir, cleanup: removeDir };
  }
  const scratch = await createScratchDatabase(prefix.replace(/-/g, '_'));
  return {
    env: { ...base, DATABASE_URL: scratch.url, CDSP_DATA_DIR: dir },
    dir,
    async cleanup() {
      await scratch.drop();
      await removeDir();
    },
  };
}
