/**
 * The 'des.load' job: runs a queued load (an API upload), or — when started by the daily schedule — loads the
 * day's file from the inbox (`des-YYYY-MM-DD.csv` for D-1). Idempotent: a load already run is left alone, and
 * a file already applied for its date changes nothing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { AuditActor } from '../audit/index.ts';
import { LoadRefusedError, type DesLoadService } from './load.service.ts';
import type { RegisterService } from './register.service.ts';

export const DES_LOAD_JOB = 'des.load';

/** Default schedule of the daily load: 06:30 London time. */
export const DES_DAILY_LOAD_CRON = '30 6 * * *';

export type DesLoadJobData = { loadId: string } | { scheduled: true };

export interface DesJobDeps {
  loads: DesLoadService;
  register: RegisterService;
  /** Where uploads are kept and the daily files are dropped. */
  inboxDir: string;
}

const JOB_ACTOR: AuditActor = { userId: null, label: `job:${DES_LOAD_JOB}`, organisationId: null };

/** The daily file for a business date, in the inbox. */
export function dailyFilePath(inboxDir: string, businessDate: string): string {
  return join(inboxDir, `des-${businessDate}.csv`);
}

export async function handleDesLoadJob(deps: DesJobDeps, data: DesLoadJobData): Promise<void> {
  if ('loadId' in data) {
    await deps.loads.runQueued(data.loadId);
    return;
  }
  const businessDate = deps.register.visibleDate();
  const path = dailyFilePath(deps.inboxDir, businessDate);
  if (!existsSync(path)) return; // nothing delivered yet: the next run picks it up
  try {
    await deps.loads.load({ path, businessDate, actor: JOB_ACTOR, source: 'schedule' });
  } catch (e) {
    if (!(e instanceof LoadRefusedError)) throw e; // refusals are recorded on the load row and audited
  }
}

export async function registerDesJobs(
  jobs: JobQueue,
  deps: DesJobDeps,
  cron: string = DES_DAILY_LOAD_CRON,
): Promise<void> {
  await jobs.work<DesLoadJobData>(DES_LOAD_JOB, (data) => handleDesLoadJob(deps, data));
  await jobs.schedule(DES_LOAD_JOB, cron, { scheduled: true });
}
