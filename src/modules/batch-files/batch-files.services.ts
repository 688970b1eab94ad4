/**
 * The batch-files services and how they are made (the composition root calls `createBatchFiles` with the ports
 * filled: the CMS's raise service, its contact changes, the organisations, the users).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { AuditService } from '../audit/index.ts';
import { registerBatchFilesJobs } from './batch-files.jobs.ts';
import type { ContactChanges, ContactRaiser, UpdateRecipients, UserLookup } from './batch-files.ports.ts';
import { ContactFilesService } from './contact-files.service.ts';
import { UpdateFilesService } from './update-files.service.ts';

export interface BatchFilesDeps {
  db: Kysely<DB>;
  clock: Clock;
  audit: AuditService;
  /** The CMS's online raise service. */
  contacts: ContactRaiser;
  changes: ContactChanges;
  recipients: UpdateRecipients;
  users: UserLookup;
  /** The job queue when this process runs jobs; without one a file is processed when it is uploaded. */
  jobs?: JobQueue | null;
}

/** The contact files and update files services, the users port (for the CLI), and the jobs to register. */
export function createBatchFiles(d: BatchFilesDeps) {
  const files = new ContactFilesService(d);
  const updates = new UpdateFilesService(d);
  const registerJobs = (jobs: JobQueue): Promise<void> => registerBatchFilesJobs(jobs, files, updates);
  return { files, updates, users: d.users, registerJobs };
}

export type BatchFilesServices = ReturnType<typeof createBatchFiles>;
