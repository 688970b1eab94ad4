import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { runCli } from './cli.ts';
import { buildApp } from './app.ts';
import { createServices } from './composition.ts';
import { loadConfig } from './config.ts';
import { openDatabase } from './platform/db/database.ts';
import { systemClock } from './platform/clock.ts';
import { createCliEnvironment } from '../test/support/db.ts';

/**
 * The CLI against a real database: a PGlite data directory, or a fresh database on the PostgreSQL server
 * named by DATABASE_URL.
 */
describe('cdsp command line', () => {
  let env: NodeJS.ProcessEnv;
  let cleanup: () => Promise<void>;

  before(async () => {
    ({ env, cleanup } = await createCliEnvironment('cdsp-cli', { LOG_LEVEL: 'error' }));
  });
  after(() => cleanup());

  async function cdsp(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env });
    return { code, out, err, stdout: out.join('\n'), stderr: err.join('\n') };
  }

  /** `cli('org add', { name: 'X', 'short-code': 'XYZ' })` runs `cdsp org add --name X --short-code XYZ`. */
  function cli(command: string, flags: Record<string, string>) {
    return cdsp(...command.split(' '), ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v]));
  }

  test('help lists every command; each command has its own help', async () => {
    const h = await cdsp('--help');
    assert.equal(h.code, 0);
    for (const c of [
      'serve',
      'migrate',
      'seed demo',
      'org add',
      'user add',
      'token create',
      'audit verify',
    ]) {
      assert.match(h.stdout, new RegExp(`\\b${c}\\b`));
      const ch = await cdsp(...c.split(' '), '--help');
      assert.equal(ch.code, 0, c);
      assert.match(ch.stdout, /Usage: cdsp /);
    }
  });

  test('wrong arguments get a clear message, a non-zero exit, and change nothing', async () => {
    const unknown = await cdsp('frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown command 'frobnicate'/);
    const missing = await cdsp('org', 'add', '--name', 'X');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--type is required/);
    const badFlag = await cli('org add', { name: 'X', type: 'shipper', 'short-code': 'XYZ', colour: 'red' });
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /Unknown option '--colour'/);
    const badValue = await cdsp('org', 'add', '--name', 'X', '--type', 'bank', '--short-code', 'toolong');
    assert.equal(badValue.code, 1);
    assert.match(badValue.stderr, /Unknown organisation type 'bank'/);
    assert.match(badValue.stderr, /Short code must be exactly 3/);
    const verify = await cdsp('audit', 'verify');
    assert.equal(verify.code, 0);
    assert.match(verify.stdout, /intact: 0 events/, 'nothing was audited, so nothing was created');
  });

  test('org add, user add and token create work; the token authenticates GET /api/v1/me', async () => {
    const org = await cli('org add', { name: 'Cli Shipping', type: 'shipper', 'short-code': 'CLI' });
    assert.equal(org.code, 0, org.stderr);
    assert.match(org.stdout, /Organisation CLI \(Cli Shipping, shipper\) created/);
    // A group child, and a network operator with its network.
    for (const flags of <Record<string, string>[]>[
      { name: 'Cli Child', type: 'shipper', 'short-code': 'CLJ', parent: 'CLI' },
      { name: 'Cli Pipes', type: 'igt', 'short-code': 'CLP', network: 'Cli Pipes' },
    ]) {
      const added = await cli('org add', flags);
      assert.equal(added.code, 0, added.stderr);
    }
    const olive = { org: 'CLI', email: 'Ops@Cli.example', name: 'Olive Ops', roles: 'cms_user,des_user' };
    const user = await cli('user add', { ...olive, password: 'a-long-enough-password' });
    assert.equal(user.code, 0, user.stderr);
    // The same email again (in other case), for another person: refused.
    const dup = await cli('user add', {
      ...olive,
      email: 'ops@cli.example',
      name: 'Again',
      roles: 'cms_user',
    });
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already exists/);
    const tok = await cdsp('token', 'create', '--email', 'ops@cli.example', '--name', 'script');
    assert.equal(tok.code, 0, tok.stderr);
    const token = tok.out[tok.out.length - 1]!;
    assert.match(token, /^cdsp_[A-Za-z0-9_-]{43}$/, 'the token alone on the last line of stdout');

    // The token works against the API (with the service opened on the same database).
    const config = loadConfig(env);
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      await database.migrate();
      const app = await buildApp({
        config,
        database,
        services: createServices(database.db, systemClock),
        logger: false,
      });
      const me = await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().user.email, 'ops@cli.example');
      assert.equal(me.json().organisation.short_code, 'CLI');
      await app.close();

      if (!config.databaseUrl) {
        // While the service holds the PGlite data directory, the CLI says so plainly and changes nothing.
        // (Run as a separate process through the real `cdsp` binary, as a user would.)
        const busy = spawnSync(
          process.execPath,
          ['bin/cdsp.js', 'org', 'add', '--name', 'Blocked', '--type', 'shipper', '--short-code', 'BLK'],
          {
            env: { ...process.env, ...env },
            encoding: 'utf8',
          },
        );
        assert.equal(busy.status, 1, busy.stderr);
        assert.match(busy.stderr, /in use by another process/);
      } else {
        // With PostgreSQL, the CLI works while the service runs.
        const side = await cli('org add', { name: 'Side By Side', type: 'shipper', 'short-code': 'SBS' });
        assert.equal(side.code, 0, side.stderr);
      }
    } finally {
      await database.close();
    }
    const verify = await cdsp('audit', 'verify');
    assert.equal(verify.code, 0, verify.stdout);
    assert.match(verify.stdout, /Audit log intact/);
    if (!env.DATABASE_URL) {
      // The refused command created nothing: the short code is still free.
      const blk = await cli('org add', { name: 'Not Blocked Now', type: 'shipper', 'short-code': 'BLK' });
      assert.equal(blk.code, 0, blk.stderr);
    }
  });
});
