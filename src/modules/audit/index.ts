export {
  AuditService,
  type AuditActor,
  type AuditEventInput,
  type AuditEvent,
  type ChainedAuditEvent,
  type CheckpointFailure,
  type CheckpointVerifyResult,
  type VerifyResult,
} from './audit.service.ts';
export { AuditGroupCommitter, type GroupCommitOptions } from './audit.group-commit.ts';
export { auditCommands, type AuditCommandServices } from './audit.cli.ts';
export {
  registerAuditJobs,
  writeScheduledCheckpoint,
  AUDIT_CHECKPOINT_JOB,
  type AuditCheckpointSettings,
} from './audit.jobs.ts';
export {
  CHECKPOINT_FORMAT,
  CheckpointKeyError,
  loadSigningKey,
  loadVerifyingKey,
  signatureHolds,
  type Checkpoint,
  type SignedCheckpoint,
  type SigningKey,
} from './audit.checkpoint.ts';
export {
  AuditTrailService,
  type AuditDirectory,
  type AuditViewer,
  type TrailPage,
  type TrailEventView,
} from './audit.trail.ts';
export { auditApiPlugin } from './audit.routes.api.ts';
export { auditWebPlugin, auditNavigation, auditPaths } from './audit.routes.web.ts';
export {
  buildEvidenceBundle,
  verifyEvidenceBundle,
  type BundleEvent,
  type BundleFile,
  type BundleVerifyResult,
} from './audit.bundle.ts';
