/**
 * The service process: loads configuration, opens the database, migrates, seeds demo data on a fresh data
 * directory when asked, listens, and shuts down gracefully.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { createServices } from './composition.ts';
import type { Config } from './config.ts';
import { fixedClock, systemClock } from './platform/clock.ts';
import { openDatabase, type Database } from './platform/db/database.ts';
import { createLogger } from './platform/logger.ts';
import { DEMO_PASSWORD, DEMO_USERS } from './demo/demo-world.ts';
import { isEmpty, seedDemo } from './demo/seed.ts';
import { buildAssets } from '../scripts/build-assets.ts';
import { startPgBossQueue } from './platform/jobs/pgboss-queue.ts';
import type { JobQueue } from './platform/jobs/queue.ts';
import { createMailer } from './platform/mail/mailer.ts';
import { startMetricsListener, type MetricsListener } from './platform/http/metrics.ts';

export interface RunningServer {
  app: FastifyInstance;
  database: Database;
  url: string;
  stop(): Promise<void>;
}

export async function startServer(config: Config, opts: { seedIfEmpty: boolean }): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  if (config.now)
    logger.warn({ now: config.now.toISOString() }, 'CDSP_NOW is set: the service clock is pinned');
  const clock = config.now ? fixedClock(config.now) : systemClock;
  buildAssets();
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    databaseAdminUrl: config.databaseAdminUrl,
    dataDir: config.dataDir,
    logger,
  });
  let app: FastifyInstance | null = null;
  let jobs: JobQueue | null = null;
  let metrics: MetricsListener | null = null;
  try {
    await database.migrate();
    jobs = await startPgBossQueue(database.pool, { logger });
    const services = createServices(database.db, clock, jobs, {
      config,
      mailer: createMailer(config.mail, database.db, clock, logger),
      queryPool: database.kind === 'postgres' ? database.pool : null,
      auditPool: database.systemPool,
      desCopyPool: database.kind === 'postgres' ? database.pool : null,
      desInboxDir: join(config.dataDir, 'des-inbox'),
    });
    await services.jobsRegistered;
    let seeded = false;
    if (opts.seedIfEmpty && (await isEmpty(services))) {
      const summary = await seedDemo(database.db, services);
      logger.info(summary, 'demo data seeded into the empty database');
      seeded = true;
    }
    app = await buildApp({ config, database, services, logger });
    const address = await app.listen({ port: config.port, host: config.host });
    const port = new URL(address).port;
    if (config.metrics.port !== null) {
      // Metrics on their own listener (loopback by default), not on the public one.
      metrics = await startMetricsListener(app.metricsRegistry, {
        host: config.metrics.host,
        port: config.metrics.port,
        token: config.metrics.token,
      });
      logger.info({ url: `${metrics.url}/metrics` }, 'metrics listener started');
    }
    const url = config.publicUrl.includes(`:${config.port}`)
      ? config.publicUrl.replace(`:${config.port}`, `:${port}`)
      : config.publicUrl;
    const where = database.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL';
    const lines = [
      '',
      `  ${config.serviceName} is running at ${url}  (database: ${where})`,
      `  API documentation: ${url}/api/docs`,
      '',
      `  Demo sign-in: any demo user with password '${DEMO_PASSWORD}', e.g.`,
      ...DEMO_USERS.slice(0, 4).map((u) => `    ${u.email.padEnd(40)} ${u.roles.join(', ')}`),
      '    (all demo users are listed in README.md)',
      '  The first sign-in sets up two-step sign-in: scan the QR code with an authenticator app, or run',
      "  'node bin/cdsp.js totp <KEY>' with the key shown on that page to get the current code.",
      seeded ? '  Demo data was seeded into the new data directory.' : '',
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
    const stop = async () => {
      await metrics?.close();
      await app?.close();
      await jobs?.stop();
      await database.close();
    };
    return { app, database, url, stop };
  } catch (err) {
    await metrics?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await jobs?.stop().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw err;
  }
}

export function stopOnSignals(server: RunningServer) {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, 'shutting down');
    server
      .stop()
      .then(() => process.exit(0))
      .catch((err) => {
        console.error(err);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}
