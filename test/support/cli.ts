/**
 * The CLI inside a test: a fresh database and working directory for the describe block it is called in (created
 * before its tests, removed after), and `cdsp(...argv)` running the real command line in-process against them.
 */
import { after, before } from 'node:test';
import { runCli } from '../../src/cli.ts';
import { createCliEnvironment } from './db.ts';

export interface CliHarness {
  /** The environment the commands run with (DATABASE_URL or CDSP_DATA_DIR, plus what was given). */
  env: NodeJS.ProcessEnv;
  /** A scratch directory for files the test writes or the commands read. */
  dir: string;
  cdsp(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

export function useCli(prefix: string, base: NodeJS.ProcessEnv = {}): CliHarness {
  let cleanup: (() => Promise<void>) | undefined;
  const h: CliHarness = {
    env: {},
    dir: '',
    async cdsp(...argv) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: h.env });
      return { code, stdout: out.join('\n'), stderr: err.join('\n') };
    },
  };
  before(async () => {
    ({ env: h.env, dir: h.dir, cleanup } = await createCliEnvironment(prefix, base));
  });
  after(() => cleanup?.());
  return h;
}
