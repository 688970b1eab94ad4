/**
 * The service and the CLI as child processes against a PostgreSQL cluster of the test's own (pg-cluster.ts), for
 * the fault proof suites: start `cdsp serve` and wait until it listens, stop or kill it, run a CLI command, make an
 * API token, look at the database directly.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { PgCluster } from './pg-cluster.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The pinned service clock unless a test gives another: a Monday. */
export const DEFAULT_NOW = '2026-03-02T10:00:00Z';

export interface Service {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM, and wait for the process to end. */
  stop(): Promise<void>;
  /** SIGKILL, and wait for the process to end. */
  kill(): Promise<void>;
  exited(): boolean;
}

export function serviceEnv(
  cluster: PgCluster,
  db: string,
  dataDir: string,
  now = DEFAULT_NOW,
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    DATABASE_URL: cluster.url(db),
    CDSP_DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    CDSP_NOW: now,
    LOG_LEVEL: 'warn',
    CDSP_INSECURE_COOKIES: 'true',
  };
}

/** Starts `cdsp serve` and resolves once it listens. */
export async function startService(env: NodeJS.ProcessEnv, seed: boolean): Promise<Service> {
  const child = spawn(process.execPath, ['bin/cdsp.js', 'serve', ...(seed ? ['--seed-if-empty'] : [])], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let exited = false;
  const closed = new Promise<void>((resolve) =>
    child.on('close', () => {
      exited = true;
      resolve();
    }),
  );
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const deadline = Date.now() + 120_000;
  let url: string | null = null;
  while (!url) {
    const m = /running at (http:\/\/\S+)/.exec(out);
    if (m) url = m[1]!.replace('localhost', '127.0.0.1');
    else if (exited) throw new Error(`the service ended before listening:\n${out}`);
    else if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the service did not start in time:\n${out}`);
    } else await sleep(100);
  }
  return {
    url,
    child,
    output: () => out,
    exited: () => exited,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await closed;
    },
    async kill() {
      if (!exited) child.kill('SIGKILL');
      await closed;
    },
  };
}

/** Runs the CLI against env's database; resolves with its exit code and output. */
export function cdsp(
  env: NodeJS.ProcessEnv,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/cdsp.js', ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function token(env: NodeJS.ProcessEnv, email: string): Promise<string> {
  const r = await cdsp(env, ['token', 'create', '--email', email]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').at(-1)!;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function query<T = Record<string, unknown>>(url: string, text: string, values: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}
