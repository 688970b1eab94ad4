/**
 * The one composition root: wires repositories into services. No DI container, no globals.
 */
import type { Kysely } from 'kysely';
import type { Clock } from './platform/clock.ts';
import type { DB } from './platform/db/schema.ts';
import { AuditService } from './modules/audit/index.ts';
import { IdentityService } from './modules/identity/index.ts';
import type { JobQueue } from './platform/jobs/queue.ts';

export interface Services {
  clock: Clock;
  audit: AuditService;
  identity: IdentityService;
}

/**
 * `jobs` is the job queue when this process runs jobs (the service); tests and most CLI commands pass none,
 * and call job handlers directly.
 */
export function createServices(db: Kysely<DB>, clock: Clock, jobs: JobQueue | null = null): Services {
  void jobs;
  const audit = new AuditService(db, clock);
  const identity = new IdentityService(db, clock, audit);
  return { clock, audit, identity };
}
