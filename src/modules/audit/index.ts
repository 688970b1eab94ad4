export { AuditService } from './audit.service.ts';
export type { AuditActor, AuditEventInput, AuditEvent, VerifyResult } from './audit.service.ts';
export { AuditGroupCommitter } from './audit.group-commit.ts';
export type { GroupCommitOptions } from './audit.group-commit.ts';
export type { CheckpointFailure, CheckpointVerifyResult } from './audit.service.ts';
export { auditCommands } from './audit.cli.ts';
export type { AuditCommandServices } from './audit.cli.ts';
export { registerAuditJobs, writeScheduledCheckpoint, AUDIT_CHECKPOINT_JOB } from './audit.jobs.ts';
export type { AuditCheckpointSettings } from './audit.jobs.ts';
export {
  CHECKPOINT_FORMAT,
  CheckpointKeyError,
  loadSigningKey,
  loadVerifyingKey,
  signatureHolds,
} from './audit.checkpoint.ts';
export type { Checkpoint, SignedCheckpoint, SigningKey } from './audit.checkpoint.ts';
