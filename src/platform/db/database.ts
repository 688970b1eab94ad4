/**
 * Opens the database: PostgreSQL through `pg`, or embedded PGlite through PGlite's own node-postgres adapter,
 * so both go through one code path (Kysely's PostgresDialect over a pg Pool).
 *
 * The application never runs as the owner of the tables: every pooled connection runs as `cdsp_app`
 * (either because it logs in as that role, or through SET ROLE), so row-level security and the audit log's
 * append-only grants apply. Migrations run on a separate owner connection.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from './schema.ts';
import { migrateToLatest, type MigrationOutcome } from './migrate.ts';

export const APP_ROLE = 'cdsp_app';

// Return DATE columns as 'YYYY-MM-DD' strings and int8 as strings (never lose precision to a JS number).
pg.types.setTypeParser(1082, (v: string) => v);

export interface Database {
  readonly kind: 'postgres' | 'pglite';
  /** The application's connection pool (role cdsp_app). */
  readonly db: Kysely<DB>;
  /** Applies pending migrations as the owner. */
  migrate(): Promise<MigrationOutcome>;
  /** A pg Pool as the application role, for the few places that need raw COPY streams. */
  readonly pool: pg.Pool;
  /**
   * A small pool as the application role whose sessions run under the system scope (`cdsp.scope` set when each
   * connection starts), for single statements that write across organisations without a transaction of their own:
   * the DES enquiries' audit batches; and for hot system-scope reads (`systemRead`). Null on PGlite (one session; the scope is set per transaction there).
   */
  readonly systemPool: pg.Pool | null;
  close(): Promise<void>;
}

export class DataDirBusyError extends Error {
  constructor(
    public readonly dataDir: string,
    public readonly pid: number,
  ) {
    super(
      `The data directory ${dataDir} is in use by another process (pid ${pid}), most likely the running service. ` +
        `PGlite allows one process at a time: stop the service first, or run against PostgreSQL (DATABASE_URL), ` +
        `where the CLI and the service can work side by side. Nothing was changed.`,
    );
    this.name = 'DataDirBusyError';
  }
}

export interface OpenOptions {
  databaseUrl: string | null;
  databaseAdminUrl?: string | null;
  /** PGlite data directory, or 'memory://' for a throw-away in-memory database. */
  dataDir: string;
  logger?: Logger;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /**
   * How long a query may wait for a connection (a new one to be made, or a busy pool to free one) before it fails
   * as "database unavailable" (503) instead of hanging: PostgreSQL, default 10 s.
   */
  connectTimeoutMs?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) {
    return opts.databaseAdminUrl
      ? openPostgres(opts.databaseUrl, opts.databaseAdminUrl, opts)
      : openPostgres(appUrlFrom(opts.databaseUrl), opts.databaseUrl, opts);
  }
  return openPglite(opts.dataDir, opts);
}

/**
 * A pg Client that, once connected, makes sure it runs as the application role: a login that already is
 * cdsp_app is left alone; any other login (a developer pointing DATABASE_URL at a superuser) switches to it.
 */
function clientWithRole(
  base: typeof pg.Client,
  roleSql: string | null,
  connection?: () => unknown,
): typeof pg.Client {
  return class extends base {
    constructor(cfg?: pg.ClientConfig) {
      super(connection ? ({ ...cfg, connection: connection() } as pg.ClientConfig) : cfg);
      // A connection that dies while checked out of the pool (PostgreSQL restarted, 57P01 admin_shutdown) with no
      // query running emits 'error' with no pool listener attached, which would end the process. The error is
      // harmless here: the client is no longer queryable, its next query fails (mapped to 503) and the pool
      // discards it on release.
      this.on('error', () => undefined);
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    override connect(callback?: any): any {
      const p = (super.connect() as unknown as Promise<void>).then(async () => {
        if (roleSql) await super.query(roleSql);
      });
      if (callback) {
        p.then(
          () => callback(null, this),
          (err: Error) => callback(err),
        );
        return undefined;
      }
      return p.then(() => this);
    }
  } as typeof pg.Client;
}

const ENSURE_APP_ROLE = `DO $$ BEGIN IF current_user <> '${APP_ROLE}' THEN SET ROLE ${APP_ROLE}; END IF; END $$`;

/** Without a separate admin URL, the owner URL is used for migrations and the app logs in as cdsp_app. */
export function appUrlFrom(ownerUrl: string): string {
  const u = new URL(ownerUrl);
  u.username = APP_ROLE;
  u.password = '';
  return u.toString();
}

async function openPostgres(url: string, adminUrl: string, opts: OpenOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 20,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    Client: clientWithRole(pg.Client, ENSURE_APP_ROLE),
  } as pg.PoolConfig);
  pool.on('error', (err) =>
    opts.logger?.warn(
      { code: (err as { code?: string }).code, error: err.message },
      'idle database connection failed',
    ),
  );
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  let systemPool: pg.Pool | null = null;
  return {
    kind: 'postgres',
    db,
    pool,
    get systemPool() {
      systemPool ??= new pg.Pool({
        connectionString: url,
        max: 4,
        connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
        options: '-c cdsp.scope=system',
        Client: clientWithRole(pg.Client, ENSURE_APP_ROLE),
      } as pg.PoolConfig);
      systemPool.on('error', (err) =>
        opts.logger?.warn(
          { code: (err as { code?: string }).code, error: err.message },
          'idle system-scoped database connection failed',
        ),
      );
      return systemPool;
    },
    async migrate() {
      const adminPool = new pg.Pool({ connectionString: adminUrl, max: 1 });
      const admin = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: adminPool }) });
      try {
        return await migrateToLatest(admin, opts.logger);
      } finally {
        await admin.destroy();
      }
    },
    async close() {
      await systemPool?.end();
      await db.destroy();
    },
  };
}

async function openPglite(dataDir: string, opts: OpenOptions): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PglitePgConnection } = await import('@electric-sql/pglite/node-postgres');
  const inMemory = dataDir.startsWith('memory://');
  let lockFile: string | null = null;
  if (!inMemory) {
    mkdirSync(dataDir, { recursive: true });
    lockFile = join(dataDir, 'cdsp.pid');
    acquireLock(lockFile, dataDir);
  }
  let pglite: InstanceType<typeof PGlite>;
  try {
    pglite = new PGlite(inMemory ? undefined : join(dataDir, 'pgdata'));
    await pglite.waitReady;
  } catch (err) {
    if (lockFile) rmSync(lockFile, { force: true });
    throw err;
  }
  // PGlite is one backend session. Every pg client gets a fresh adapter connection over it (pg-pool discards a
  // client after a failed query, and an adapter connection cannot be reused once ended); the pool never holds
  // more than one client, and never drops the idle one.
  const p = pglite;
  const makePool = (role: string | null) => {
    const Client = clientWithRole(
      pg.Client,
      role ? `SET ROLE ${role}` : 'RESET ROLE',
      () => new PglitePgConnection({ pglite: p }),
    );
    const pool = new pg.Pool({ Client, max: 1, idleTimeoutMillis: 0 } as pg.PoolConfig);
    pool.on('error', (err) => opts.logger?.error({ err }, 'embedded database connection failed'));
    return pool;
  };
  const ownerPool = makePool(null);
  const owner = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: ownerPool }) });
  let appDb: Kysely<DB> | null = null;
  let appPool: pg.Pool | null = null;
  const database: Database = {
    kind: 'pglite',
    get db() {
      if (!appDb) throw new Error('database used before migrate()');
      return appDb;
    },
    get pool() {
      if (!appPool) throw new Error('database used before migrate()');
      return appPool;
    },
    systemPool: null,
    async migrate() {
      const outcome = await migrateToLatest(owner, opts.logger);
      await openApp();
      return outcome;
    },
    async close() {
      if (appDb) await appDb.destroy();
      await owner.destroy().catch(() => undefined);
      await pglite.close();
      if (lockFile) rmSync(lockFile, { force: true });
    },
  };
  // The one PGlite connection is shared: the owner connection is used for migrations only, then released
  // and the application connection (SET ROLE cdsp_app) takes over.
  async function openApp() {
    if (appDb) return;
    await owner.destroy();
    appPool = makePool(APP_ROLE);
    appDb = new Kysely<DB>({ dialect: new PostgresDialect({ pool: appPool }) });
  }
  return database;
}

function acquireLock(lockFile: string, dataDir: string) {
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new DataDirBusyError(dataDir, pid);
    }
  }
  writeFileSync(lockFile, String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A cheap liveness probe for /readyz. */
export async function ping(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}
