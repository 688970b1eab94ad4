/**
 * The one way a user is created: the LSO console (an invitation or a service account), the command line and the
 * demo seeder all come through here, so the same rules apply to each. Runs inside the caller's transaction; the
 * email is checked against every organisation (emails are unique service-wide).
 */
import type { Clock } from '../../../platform/clock.ts';
import { withSystemScope, type Tx } from '../../../platform/db/scope.ts';
import { ValidationError, type FieldError } from '../../../platform/errors.ts';
import type { AuditActor, AuditService } from '../../audit/index.ts';
import { referenceRepository } from '../../reference/index.ts';
import { usersRepository } from '../identity.repository.ts';
import { hashPassword, passwordProblems } from '../auth/passwords.ts';
import {
  checkEmail,
  checkName,
  checkRoles,
  EMAIL_CLASH,
  withAccess,
  type OrganisationAccess,
} from './user-rules.ts';

export interface UserDraft {
  email: string;
  name: string;
  roles: string[];
  /** Set only by the command line and the seeder; a person invited by an LSO sets their own. */
  password?: string | null;
  /** No sign-in; API keys created by the LSO. */
  serviceAccount?: boolean;
  /** A parent organisation's user who may see its group children's data. */
  groupVisibility?: boolean;
  /** An invited person: the invitation time is recorded. */
  invited?: boolean;
}

export type CreatedUser = Awaited<ReturnType<typeof usersRepository.insert>>;

/** The organisation with its type's access (CMS, DES), read from the reference data. */
export async function organisationAccess<O extends { id: string; name: string; type: string }>(
  trx: Tx,
  org: O,
): Promise<O & OrganisationAccess> {
  return withAccess([org], await referenceRepository.organisationTypes(trx))[0]!;
}

/**
 * Validates the draft against `org` (null when the caller could not find it; `errors` then already says why) and
 * inserts the user, with one audit event `action`. Throws a ValidationError listing every problem.
 */
export async function createUserIn(
  trx: Tx,
  deps: { clock: Clock; audit: AuditService },
  org: OrganisationAccess | null,
  draft: UserDraft,
  by: AuditActor,
  action: 'user.created' | 'user.invited' | 'user.service_account_created',
  errors: FieldError[] = [],
): Promise<CreatedUser> {
  const email = checkEmail(draft.email, errors);
  const name = checkName(draft.name, errors);
  const serviceAccount = Boolean(draft.serviceAccount);
  const roles = org ? checkRoles(draft.roles, org, serviceAccount, errors) : [];
  if (draft.password != null) {
    for (const p of passwordProblems(draft.password, email ?? draft.email ?? ''))
      errors.push({ field: 'password', message: p });
  }
  if (email && (await withSystemScope(trx, () => usersRepository.byEmail(trx, email)))) {
    errors.push({ field: 'email', message: EMAIL_CLASH });
  }
  if (errors.length > 0 || !org || !email || !name) {
    throw new ValidationError('The user was not created', errors);
  }
  const passwordHash = draft.password != null ? await hashPassword(draft.password) : null;
  const now = deps.clock.now();
  const groupVisibility = Boolean(draft.groupVisibility);
  const row = await usersRepository.insert(trx, {
    organisation_id: org.id,
    email,
    name,
    roles,
    password_hash: passwordHash,
    created_at: now,
    updated_at: now,
    service_account: serviceAccount,
    group_visibility: groupVisibility,
    invited_at: draft.invited && !serviceAccount ? now : null,
  });
  await deps.audit.record(trx, {
    actor: by,
    action,
    subjectType: 'user',
    subjectId: row.id,
    details: {
      email,
      name,
      roles,
      organisation_id: org.id,
      password_set: passwordHash !== null,
      group_visibility: groupVisibility,
    },
  });
  return row;
}
