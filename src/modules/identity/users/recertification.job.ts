/**
 * The daily access-recertification job. Named, typed and idempotent: it disables users whose access was not
 * re-confirmed in time (see RecertificationService.disableOverdueUsers) and tells their LSOs; a second run changes nothing.
 */
import type { JobQueue } from '../../../platform/jobs/queue.ts';
import type { RecertificationService } from './recertification.service.ts';

export const RECERTIFICATION_JOB = 'identity.recertification';
/** Every day at 06:15 Europe/London. */
export const RECERTIFICATION_CRON = '15 6 * * *';

export type RecertificationJobData = Record<string, never>;

export async function runAccessRecertification(
  recertification: RecertificationService,
): Promise<{ disabled: string[] }> {
  return recertification.disableOverdueUsers();
}

/** Registers the job's handler and its daily schedule on the queue. */
export async function registerIdentityJobs(
  queue: JobQueue,
  recertification: RecertificationService,
): Promise<void> {
  await queue.work<RecertificationJobData>(RECERTIFICATION_JOB, async () => {
    await runAccessRecertification(recertification);
  });
  await queue.schedule(RECERTIFICATION_JOB, RECERTIFICATION_CRON);
}
