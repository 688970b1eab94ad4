import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config.ts';
import { startServer } from './server.ts';
import { DEMO_ORGS, DEMO_USERS } from './demo/demo-world.ts';

test(
  'a fresh data directory is seeded once; a restart keeps the data and does not re-seed',
  { skip: Boolean(process.env.DATABASE_URL) && 'PGlite data directory behaviour' },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdsp-server-'));
    const config = loadConfig({ CDSP_DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    try {
      const first = await startServer(config, { seedIfEmpty: true });
      const page = await fetch(`${first.url.replace('localhost', '127.0.0.1')}/`);
      assert.equal(page.status, 200);
      const orgs1 = await first.app.inject('/healthz');
      assert.equal(orgs1.statusCode, 200);
      const verify1 = await first.app.inject('/readyz');
      assert.equal(verify1.json().database, 'pglite');
      const n1 = await countAudit(first);
      assert.equal(
        await countAudit(first, "WHERE action IN ('organisation.created', 'user.created')"),
        DEMO_ORGS.length + DEMO_USERS.length,
        'one audit event per seeded organisation and user (demo contacts and register add their own)',
      );
      await first.stop();

      const second = await startServer(config, { seedIfEmpty: true });
      const n2 = await countAudit(second);
      assert.equal(n2, n1, 'nothing re-seeded, nothing lost');
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

async function countAudit(s: Awaited<ReturnType<typeof startServer>>, where = ''): Promise<number> {
  const r = await s.database.pool.query(`SELECT count(*)::int AS n FROM audit.events ${where}`);
  return r.rows[0].n;
}
