import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { createServices, type Services } from '../../src/composition.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { buildAssets } from '../../scripts/build-assets.ts';
import { stubResolver, TEST_WEBHOOK_HOSTS } from './webhooks.ts';

export interface TestApp extends TestDatabase {
  app: FastifyInstance;
  services: Services;
  clock: ReturnType<typeof fixedClock>;
}

export const DEFAULT_NOW = new Date('2026-03-02T10:00:00Z');

/** `env` overrides configuration (e.g. { CDSP_SIGN_IN_RATE_LIMIT: '1000' }) as the environment would. */
export async function createTestApp(opts: { now?: Date; env?: NodeJS.ProcessEnv } = {}): Promise<TestApp> {
  buildAssets();
  const tdb = await createTestDatabase();
  const clock = fixedClock(opts.now ?? DEFAULT_NOW);
  const config = loadConfig(opts.env ?? {});
  const services = createServices(tdb.database.db, clock, null, {
    config,
    queryPool: tdb.database.kind === 'postgres' ? tdb.database.pool : null,
    auditPool: tdb.database.systemPool,
    // Webhook host names resolve through a stub: a test never sends a DNS query.
    webhookResolver: stubResolver(new Map(TEST_WEBHOOK_HOSTS)),
  });
  const app = await buildApp({ config, database: tdb.database, services, logger: false });
  await app.ready();
  return {
    ...tdb,
    app,
    services,
    clock,
    async cleanup() {
      await app.close();
      await tdb.cleanup();
    },
  };
}
