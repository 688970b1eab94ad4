/**
 * A throw-away PostgreSQL 15 cluster of the test's own (initdb in a temporary directory, a free port on
 * 127.0.0.1, trust authentication), for tests that stop and start the database server under the service: the
 * fault suite. As root, initdb refuses to run, so the cluster then belongs to the `postgres` OS user.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PgCluster {
  port: number;
  /** Connection string of database `name` (default `postgres`) as the superuser `postgres`. */
  url(name?: string): string;
  /** Starts the server; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops the server (`pg_ctl stop -m fast`: open sessions are ended with 57P01 admin_shutdown). */
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
  /** Stops the server if running and removes the directory. Never throws. */
  destroy(): void;
}

/** True when a PostgreSQL 15 server binary is installed (the fault suite skips without one). */
export function pgInstalled(): boolean {
  return existsSync(join(PG_BIN, 'initdb')) && existsSync(join(PG_BIN, 'pg_ctl'));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const asRoot = process.getuid?.() === 0;

function command(bin: string, args: string[]): [string, string[]] {
  return asRoot
    ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args]]
    : [join(PG_BIN, bin), args];
}

/** Runs a PostgreSQL binary, as the `postgres` OS user when we are root. Throws with its output on failure. */
function pgSync(bin: string, args: string[], timeoutMs = 60_000): string {
  const [cmd, argv] = command(bin, args);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) {
    throw new Error(`${bin} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

/** The same without blocking the event loop (the test's own traffic goes on while the server stops or starts). */
function pg(bin: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const [cmd, argv] = command(bin, args);
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { encoding: 'utf8', timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin} ${args.join(' ')} failed (${err.message}): ${stderr}${stdout}`));
      else resolve(stdout);
    });
  });
}

export async function createPgCluster(prefix = 'cdsp-pg'): Promise<PgCluster> {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  if (asRoot) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
  }
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const port = await freePort();
  let running = false;
  const cluster: PgCluster = {
    port,
    url: (name = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${name}`,
    async start() {
      const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
      try {
        await pg('pg_ctl', ['-D', data, '-o', opts, '-l', log, '-w', '-t', '60', 'start']);
      } catch (e) {
        const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
        throw new Error(`${(e as Error).message}\n${tail}`, { cause: e });
      }
      running = true;
    },
    async stop() {
      await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      running = false;
    },
    async createDatabase(name) {
      await pg('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name]);
    },
    destroy() {
      try {
        if (running || existsSync(join(data, 'postmaster.pid'))) {
          pgSync('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']);
        }
      } catch {
        // already stopped
      }
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await pg(
      'initdb',
      ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-instructions'],
      120_000,
    );
  } catch (e) {
    cluster.destroy();
    throw e;
  }
  return cluster;
}
