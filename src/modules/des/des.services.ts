/**
 * The DES services and how they are made (the composition root calls `createDes`).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { AuditService } from '../audit/index.ts';
import { DesLoadService } from './load.service.ts';
import { RegisterService } from './register.service.ts';
import { PortfolioChangesService } from './portfolio-changes.service.ts';
import { DES_LOAD_JOB, handleDesLoadJob, registerDesJobs, type DesJobDeps } from './des.jobs.ts';

export interface DesDeps {
  db: Kysely<DB>;
  clock: Clock;
  audit: AuditService;
  /** The job queue, when this process runs jobs; without one, API loads run at once. */
  jobs?: JobQueue | null;
  /** A PostgreSQL pool the loader may take a raw client from, to stage rows with COPY. */
  copyPool?: pg.Pool | null;
  /** Where uploaded load files are kept and daily files are dropped. */
  inboxDir?: string;
}

export interface DesServices {
  loads: DesLoadService;
  register: RegisterService;
  /** What changed in a portfolio on a business date (the reports module's portfolio change report). */
  portfolioChanges: PortfolioChangesService;
  inboxDir: string;
  /** Starts a recorded load: queues the 'des.load' job, or runs it now when there is no queue. */
  start(loadId: string): Promise<void>;
  /** Registers the load job and its daily schedule on the queue. */
  registerJobs(jobs: JobQueue): Promise<void>;
}

export function createDes(d: DesDeps): DesServices {
  const loads = new DesLoadService(d.db, d.clock, d.audit, d.copyPool ?? null);
  const register = new RegisterService(d.db, d.clock);
  const portfolioChanges = new PortfolioChangesService(d.db, d.audit, register);
  const inboxDir = d.inboxDir ?? join(tmpdir(), 'cdsp-des-inbox');
  const jobDeps: DesJobDeps = { loads, register, inboxDir };
  return {
    loads,
    register,
    portfolioChanges,
    inboxDir,
    async start(loadId) {
      if (d.jobs) await d.jobs.send(DES_LOAD_JOB, { loadId });
      else await handleDesLoadJob(jobDeps, { loadId });
    },
    registerJobs: (jobs) => registerDesJobs(jobs, jobDeps),
  };
}
