/**
 * The batch-files jobs: named, idempotent handlers. `batch-files.contact-file` processes one uploaded file;
 * `batch-files.resume` (every minute) takes over files left queued or half done by a process that stopped (their
 * lease has lapsed); `batch-files.daily-updates` writes each organisation's update file after the business day.
 */
import type { JobQueue } from '../../platform/jobs/queue.ts';
import {
  CONTACT_FILE_JOB,
  CONTACT_FILE_RESUME_JOB,
  type ContactFilesService,
} from './contact-files.service.ts';
import { DAILY_UPDATES_CRON, DAILY_UPDATES_JOB, type UpdateFilesService } from './update-files.service.ts';

export async function registerBatchFilesJobs(
  queue: JobQueue,
  files: ContactFilesService,
  updates: UpdateFilesService,
): Promise<void> {
  await queue.work<{ fileId: string }>(CONTACT_FILE_JOB, (data) => files.process(data.fileId));
  await queue.work(CONTACT_FILE_RESUME_JOB, async () => void (await files.resumeUnfinished()));
  await queue.work(DAILY_UPDATES_JOB, async () => void (await updates.produceDue()));
  await queue.schedule(CONTACT_FILE_RESUME_JOB, '* * * * *');
  await queue.schedule(DAILY_UPDATES_JOB, DAILY_UPDATES_CRON);
}
