/**
 * The 'audit.checkpoint' job: writes a signed checkpoint of the chain head to the configured directory, on a
 * schedule (CDSP_AUDIT_CHECKPOINT_CRON, hourly by default). Registered only when CDSP_AUDIT_CHECKPOINT_DIR is set.
 * Idempotent: a second run with no new events writes another checkpoint of the same head, which verifies the same.
 */
import type { JobQueue } from '../../platform/jobs/queue.ts';
import { loadSigningKey } from './audit.checkpoint.ts';
import type { AuditService } from './audit.service.ts';

export const AUDIT_CHECKPOINT_JOB = 'audit.checkpoint';

export interface AuditCheckpointSettings {
  /** Where checkpoints go; null: no scheduled checkpoints. */
  checkpointDir: string | null;
  checkpointKeyFile: string;
  /** False for the development default key, which is generated on first use. */
  checkpointKeyConfigured: boolean;
  checkpointCron: string;
}

export async function writeScheduledCheckpoint(
  audit: AuditService,
  settings: AuditCheckpointSettings & { checkpointDir: string },
): Promise<string> {
  const key = loadSigningKey(settings.checkpointKeyFile, {
    generateIfMissing: !settings.checkpointKeyConfigured,
  });
  return (await audit.checkpoint(settings.checkpointDir, key)).path;
}

export async function registerAuditJobs(
  queue: JobQueue,
  audit: AuditService,
  settings: AuditCheckpointSettings,
): Promise<void> {
  const dir = settings.checkpointDir;
  if (dir === null) return;
  await queue.work(AUDIT_CHECKPOINT_JOB, async () => {
    await writeScheduledCheckpoint(audit, { ...settings, checkpointDir: dir });
  });
  await queue.schedule(AUDIT_CHECKPOINT_JOB, settings.checkpointCron);
}
