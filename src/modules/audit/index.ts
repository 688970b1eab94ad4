export { AuditService } from './audit.service.ts';
export type { AuditActor, AuditEventInput, AuditEvent, VerifyResult } from './audit.service.ts';
