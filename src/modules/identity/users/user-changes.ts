/**
 * One change to a user, as the LSO console and the recertification job make them: the row update, the end of the
 * user's sessions when the change calls for it, and the audit event about the user, in the caller's transaction.
 */
import type { Tx } from '../../../platform/db/scope.ts';
import type { AuditActor, AuditService } from '../../audit/index.ts';
import { sessionsRepository } from '../auth/auth.repository.ts';
import { usersRepository, type UserPatch } from '../identity.repository.ts';

export interface UserChange {
  /** The audit event. */
  action: string;
  /** Columns to set (`updated_at` is added); none for a change that only ends sessions. */
  patch?: UserPatch;
  /** Ends every session of the user, for this reason; the count goes into the event as `sessions_ended`. */
  endSessions?: string;
  /** More details for the event, besides the user's email. */
  details?: Record<string, unknown>;
}

/** Applies `change` to `user`; returns how many sessions it ended. */
export async function changeUser(
  trx: Tx,
  audit: AuditService,
  target: { user: { id: string; email: string }; orgIds: readonly string[]; now: Date; by: AuditActor },
  change: UserChange,
): Promise<number> {
  const { user, orgIds, now, by } = target;
  if (change.patch) await usersRepository.update(trx, orgIds, user.id, { ...change.patch, updated_at: now });
  const ended = change.endSessions
    ? await sessionsRepository.endAllForUser(trx, user.id, now, change.endSessions)
    : null;
  await audit.record(trx, {
    actor: by,
    action: change.action,
    subjectType: 'user',
    subjectId: user.id,
    details: {
      target_email: user.email,
      ...change.details,
      ...(ended !== null ? { sessions_ended: ended } : {}),
    },
  });
  return ended ?? 0;
}
