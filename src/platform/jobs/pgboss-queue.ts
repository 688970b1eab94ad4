/**
 * JobQueue on pg-boss, in the product's own database (PostgreSQL or PGlite) through the application's pool,
 * so jobs need no other infrastructure.
 */
import { PgBoss } from 'pg-boss';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { JobOptions, JobQueue } from './queue.ts';

export async function startPgBossQueue(
  pool: pg.Pool,
  opts: { logger?: Logger; pollingIntervalSeconds?: number } = {},
): Promise<JobQueue> {
  const logger = opts.logger;
  const boss = new PgBoss({
    db: { executeSql: (text: string, values?: unknown[]) => pool.query(text, values as unknown[]) },
    schema: 'pgboss',
  });
  boss.on('error', (err: unknown) => logger?.error({ err }, 'job queue error'));
  await boss.start();
  const created = new Set<string>();
  const ensureQueue = async (name: string) => {
    if (created.has(name)) return;
    await boss.createQueue(name);
    created.add(name);
  };
  return {
    async work<T extends object>(name: string, handler: (data: T) => Promise<void>) {
      await ensureQueue(name);
      await boss.work<T>(name, { pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2 }, async (jobs) => {
        for (const job of jobs) {
          logger?.info({ job: name, id: job.id }, 'job started');
          await handler(job.data);
          logger?.info({ job: name, id: job.id }, 'job finished');
        }
      });
    },
    async send<T extends object>(name: string, data: T, opts: JobOptions = {}) {
      await ensureQueue(name);
      return boss.send(name, data, {
        ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
        ...(opts.retryLimit !== undefined ? { retryLimit: opts.retryLimit } : {}),
      });
    },
    async schedule(name: string, cron: string, data: object = {}) {
      await ensureQueue(name);
      await boss.schedule(name, cron, data, { tz: 'Europe/London' });
    },
    async stop() {
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}
