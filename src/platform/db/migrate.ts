/**
 * Applies the migrations in /migrations (date-prefixed, never importing application code) with Kysely's Migrator.
 * The same migrations run on PGlite and PostgreSQL.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { Logger } from 'pino';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));

class DirectoryProvider implements MigrationProvider {
  constructor(private readonly dir: string) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const file of readdirSync(this.dir).sort()) {
      if (!/^\d{4}-\d{2}-\d{2}-.*\.ts$/.test(file) || file.endsWith('.test.ts')) continue;
      out[file.replace(/\.ts$/, '')] = (await import(pathToFileURL(join(this.dir, file)).href)) as Migration;
    }
    return out;
  }
}

export interface MigrationOutcome {
  applied: string[];
}

export async function migrateToLatest(db: Kysely<unknown>, logger?: Logger): Promise<MigrationOutcome> {
  const migrator = new Migrator({
    db,
    provider: new DirectoryProvider(MIGRATIONS_DIR),
    migrationTableSchema: 'public',
  });
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  for (const r of results ?? []) {
    if (r.status === 'Error') logger?.error({ migration: r.migrationName }, 'migration failed');
  }
  if (error) throw error instanceof Error ? error : new Error(String(error));
  if (applied.length > 0) logger?.info({ applied }, 'migrations applied');
  return { applied };
}
