/**
 * The long runs' service: `node bin/cdsp.js serve --seed-if-empty` as a child process, on a fresh PostgreSQL database
 * (created on the server named by DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres, and dropped
 * afterwards), listening on a free port of 127.0.0.1, with its log (pino, one JSON object a line) in a file the test
 * reads: to find the port, and to count the responses the service itself logged with a 5xx status.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'bin', 'cdsp.js');

export const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface Service {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  pid: number;
  child: ChildProcess;
  /** Owner connection string of the service's database. */
  databaseUrl: string;
  dir: string;
  logPath: string;
  /** Runs one SQL statement as the database owner (operator data such as allowance bands). */
  sql(statement: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Creates an API token for a demo user through the CLI (`cdsp token create`); returns the token. */
  token(email: string): Promise<string>;
  /** Whether the child process is still running. */
  alive(): boolean;
  /** Responses the service logged with a 5xx status, and errors it logged (level >= 50), so far. */
  serverErrors(): { status5xx: number; errorLines: string[]; completed: number };
  stop(): Promise<void>;
}

async function onServer(statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: SERVER_URL });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

export async function startService(opts: { prefix: string; env?: NodeJS.ProcessEnv }): Promise<Service> {
  const name = `${opts.prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await onServer(`CREATE DATABASE ${name}`);
  const dbUrl = new URL(SERVER_URL);
  dbUrl.pathname = `/${name}`;
  const databaseUrl = dbUrl.toString();
  const dir = mkdtempSync(join(tmpdir(), `${opts.prefix}-`));
  const logPath = join(dir, 'service.log');
  const logFd = openSync(logPath, 'a');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: databaseUrl,
    CDSP_DATA_DIR: join(dir, 'data'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  // The log goes straight to a file (not through this process), so reading it costs the service nothing.
  const child = spawn(process.execPath, [cli, 'serve', '--seed-if-empty'], {
    cwd: root,
    env,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  let exited: number | string | null = null;
  child.on('exit', (code, signal) => (exited = code ?? signal ?? 'exited'));
  const readLog = () => readFileSync(logPath, 'utf8');

  const cleanup = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      for (let i = 0; i < 100 && exited === null; i++) await sleep(100);
      if (exited === null) child.kill('SIGKILL');
    }
    await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };

  let url: string | null = null;
  const started = Date.now();
  while (!url) {
    const m = /"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(readLog());
    if (m) url = m[1]!;
    else if (exited !== null || Date.now() - started > 180_000) {
      const log = readLog();
      await cleanup();
      throw new Error(`the service did not start (exit ${String(exited)}):\n${log.slice(-4000)}`);
    } else await sleep(200);
  }

  const sql = async (statement: string, params: unknown[] = []) => {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      return (await c.query(statement, params)).rows as Record<string, unknown>[];
    } finally {
      await c.end();
    }
  };

  return {
    url,
    pid: child.pid!,
    child,
    databaseUrl,
    dir,
    logPath,
    sql,
    async token(email: string) {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [cli, 'token', 'create', '--email', email, '--name', `long-run-${randomBytes(3).toString('hex')}`],
        { cwd: root, env },
      );
      const token = stdout.trim().split('\n').at(-1)!.trim();
      if (!/^\S{20,}$/.test(token)) throw new Error(`no token in the CLI's output: ${stdout}`);
      return token;
    },
    alive: () => exited === null,
    serverErrors() {
      let status5xx = 0;
      let completed = 0;
      const errorLines: string[] = [];
      for (const line of readLog().split('\n')) {
        if (!line.startsWith('{')) continue;
        let entry: { level?: number; res?: { statusCode?: number } };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          continue;
        }
        const status = entry.res?.statusCode;
        if (typeof status === 'number') {
          completed++;
          if (status >= 500) status5xx++;
        }
        if ((entry.level ?? 0) >= 50) errorLines.push(line.slice(0, 2000));
      }
      return { status5xx, errorLines, completed };
    },
    stop: cleanup,
  };
}

/** Puts an organisation on an allowance band (operator data, des.organisation_allowances). */
export async function setAllowanceBand(service: Service, shortCode: string, band: string): Promise<void> {
  const rows = await service.sql(
    `INSERT INTO des.organisation_allowances (organisation_id, band_code, assigned_at, assigned_by)
     SELECT id, $2, now(), 'long-run' FROM identity.organisations WHERE short_code = $1
     ON CONFLICT (organisation_id) DO UPDATE SET band_code = EXCLUDED.band_code
     RETURNING organisation_id`,
    [shortCode, band],
  );
  if (rows.length !== 1) throw new Error(`no organisation ${shortCode}`);
}
