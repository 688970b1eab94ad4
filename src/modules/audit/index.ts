export { AuditService } from './audit.service.ts';
export type { AuditActor, AuditEventInput, AuditEvent, VerifyResult } from './audit.service.ts';
export { AuditGroupCommitter } from './audit.group-commit.ts';
export type { GroupCommitOptions } from './audit.group-commit.ts';
