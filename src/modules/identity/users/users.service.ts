/**
 * The Local Security Officer console: the rules. An LSO manages the users of its own organisation and its group
 * descendants; a CDSP LSO may act for any organisation (audited as acting on that organisation's behalf). A user
 * outside the LSO's reach is indistinguishable from one that does not exist (NotFoundError).
 */
import { inScope, SYSTEM_SCOPE, withSystemScope, type Tx } from '../../../platform/db/scope.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../../platform/errors.ts';
import type { MailMessage } from '../../../platform/mail/mailer.ts';
import type { AuditActor } from '../../audit/index.ts';
import { referenceRepository } from '../../reference/index.ts';
import { auditActorOf, type Actor } from '../actor.ts';
import { oneTimeTokensRepository, recoveryCodesRepository } from '../auth/auth.repository.ts';
import type { PasswordResetService } from '../auth/password-reset.service.ts';
import type { IdentityDeps } from '../identity.deps.ts';
import { organisationsRepository, usersRepository, type UserPatch } from '../identity.repository.ts';
import { tokensRepository } from '../tokens/tokens.repository.ts';
import type { ApiKeyView, KeyInput, TokensService } from '../tokens/tokens.service.ts';
import { changeUser, type UserChange } from './user-changes.ts';
import { createUserIn } from './user-creation.ts';
import { checkEmail, checkName, checkRoles, EMAIL_CLASH, UUID, withAccess } from './user-rules.ts';
import {
  AWAITING,
  DAY_MS,
  toManagedOrganisation,
  type AwaitingAction,
  toManagedUser,
  type ManagedOrganisation,
  type ManagedUser,
  type ManagedUserRow,
} from './users.view.ts';

export type { ManagedOrganisation, ManagedUser } from './users.view.ts';

export interface NewManagedUser {
  organisationId: string;
  email: string;
  name: string;
  roles: string[];
  serviceAccount?: boolean;
  groupVisibility?: boolean;
}

export interface UserChanges {
  email?: string;
  name?: string;
  roles?: string[];
  groupVisibility?: boolean;
}

interface Ctx {
  trx: Tx;
  user: ManagedUserRow;
  orgIds: string[];
  now: Date;
  by: AuditActor;
  outbox: MailMessage[];
}

export class LsoService {
  constructor(
    private readonly deps: IdentityDeps,
    private readonly links: PasswordResetService,
    private readonly tokens: TokensService,
  ) {}

  /** The organisations an LSO may manage: all (CDSP), or its own and its group descendants. */
  async managedOrganisationIds(actor: Actor): Promise<string[]> {
    if (!actor.permissions.has('users:manage')) throw new ForbiddenError();
    return inScope(this.deps.db, SYSTEM_SCOPE, async (trx) =>
      actor.organisationType === 'cdsp'
        ? (await organisationsRepository.list(trx)).map((o) => o.id)
        : organisationsRepository.withDescendants(trx, actor.organisationId),
    );
  }

  async organisations(actor: Actor): Promise<ManagedOrganisation[]> {
    const ids = await this.managedOrganisationIds(actor);
    return inScope(this.deps.db, SYSTEM_SCOPE, async (trx) =>
      withAccess(
        await organisationsRepository.listIn(trx, ids),
        await referenceRepository.organisationTypes(trx),
      ).map(toManagedOrganisation),
    );
  }

  async organisation(actor: Actor, organisationId: string): Promise<ManagedOrganisation> {
    const org = (await this.organisations(actor)).find((o) => o.id === organisationId);
    if (!org) throw new NotFoundError('No such organisation');
    return org;
  }

  async listUsers(
    actor: Actor,
    filter: {
      q?: string | null;
      organisationId?: string | null;
      dueOnly?: boolean;
      /** Only the users awaiting this action of an LSO (users.view.ts `AWAITING`). */
      awaiting?: AwaitingAction | null;
    } = {},
  ): Promise<ManagedUser[]> {
    let orgIds = await this.managedOrganisationIds(actor);
    if (filter.organisationId) {
      if (!orgIds.includes(filter.organisationId)) throw new NotFoundError('No such organisation');
      orgIds = [filter.organisationId];
    }
    const q = filter.q?.trim().slice(0, 200) || null;
    const rows = await inScope(this.deps.db, { kind: 'organisations', organisationIds: orgIds }, (trx) =>
      usersRepository.list(trx, orgIds, q, 1000),
    );
    const users = rows.map((r) => this.view(r));
    const due = filter.dueOnly ? users.filter((u) => u.recertificationDue) : users;
    return filter.awaiting ? due.filter(AWAITING[filter.awaiting].holds) : due;
  }

  async getUser(actor: Actor, userId: string): Promise<ManagedUser> {
    return this.withUser(actor, userId, async ({ user }) => this.view(user));
  }

  /** Invites a person (a single-use link by email) or creates a service account (no sign-in, API keys only). */
  async inviteUser(actor: Actor, input: NewManagedUser): Promise<ManagedUser> {
    const orgIds = await this.managedOrganisationIds(actor);
    if (!UUID.test(input.organisationId) || !orgIds.includes(input.organisationId)) {
      throw new NotFoundError('No such organisation');
    }
    const org = await this.organisation(actor, input.organisationId);
    const now = this.deps.clock.now();
    const outbox: MailMessage[] = [];
    const user = await inScope(this.deps.db, SYSTEM_SCOPE, async (trx) => {
      const serviceAccount = Boolean(input.serviceAccount);
      const row = await createUserIn(
        trx,
        { clock: this.deps.clock, audit: this.deps.audit },
        org,
        { ...input, serviceAccount, password: null, invited: !serviceAccount },
        auditActorOf(actor, org.id),
        serviceAccount ? 'user.service_account_created' : 'user.invited',
      );
      if (!serviceAccount) {
        await this.emailLink(trx, row, 'invitation', now, outbox, {
          subject: `You have been invited to ${this.deps.site.serviceName}`,
          intro: [
            `${actor.name} (${actor.organisationName}) has given you access to ${this.deps.site.serviceName} for ${org.name}.`,
            `Set your password with this link within ${this.deps.config.invitationHours} hours. It works once:`,
          ],
          outro: 'You will then set up an authenticator app on your phone for two-step sign-in.',
        });
      }
      return row;
    });
    await this.send(outbox);
    return this.getUser(actor, user.id);
  }

  async updateUser(actor: Actor, userId: string, changes: UserChanges): Promise<ManagedUser> {
    const org = await this.orgOfUser(actor, userId);
    await this.withUser(actor, userId, async ({ trx, user, orgIds, now, by }) => {
      const errors: FieldError[] = [];
      const patch: UserPatch = {};
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      if (changes.name !== undefined) {
        const name = checkName(changes.name, errors);
        if (name !== null && name !== user.name) {
          patch.name = name;
          before.name = user.name;
          after.name = name;
        }
      }
      if (changes.email !== undefined) {
        const email = checkEmail(changes.email, errors);
        if (email !== null && email !== user.email) {
          const clash = await withSystemScope(trx, () => usersRepository.byEmail(trx, email));
          if (clash) errors.push({ field: 'email', message: EMAIL_CLASH });
          patch.email = email;
          before.email = user.email;
          after.email = email;
        }
      }
      if (changes.roles !== undefined) {
        const roles = checkRoles(changes.roles, org, user.service_account, errors);
        if (user.id === actor.userId && user.roles.includes('lso') && !roles.includes('lso')) {
          errors.push({ field: 'roles', message: 'You cannot remove your own LSO role; ask another LSO' });
        }
        if ([...roles].sort().join() !== [...user.roles].sort().join()) {
          patch.roles = roles;
          before.roles = user.roles;
          after.roles = roles;
        }
      }
      if (changes.groupVisibility !== undefined && changes.groupVisibility !== user.group_visibility) {
        patch.group_visibility = changes.groupVisibility;
        before.group_visibility = user.group_visibility;
        after.group_visibility = changes.groupVisibility;
      }
      if (errors.length > 0) throw new ValidationError('The user was not changed', errors);
      if (Object.keys(patch).length === 0) return;
      await usersRepository.update(trx, orgIds, user.id, { ...patch, updated_at: now });
      const events = [];
      if ('roles' in after) {
        events.push({
          actor: by,
          action: 'user.roles_changed',
          subjectType: 'user',
          subjectId: user.id,
          details: { target_email: user.email, before: before.roles, after: after.roles },
        });
      }
      const profile = Object.keys(after).filter((k) => k !== 'roles');
      if (profile.length > 0) {
        events.push({
          actor: by,
          action: 'user.updated',
          subjectType: 'user',
          subjectId: user.id,
          details: {
            target_email: user.email,
            before: Object.fromEntries(profile.map((k) => [k, before[k]])),
            after: Object.fromEntries(profile.map((k) => [k, after[k]])),
          },
        });
      }
      await this.deps.audit.record(trx, ...events);
    });
    return this.getUser(actor, userId);
  }

  async disableUser(actor: Actor, userId: string): Promise<ManagedUser> {
    await this.withUser(actor, userId, async (c) => {
      if (c.user.id === actor.userId) throw new ValidationError('You cannot disable your own account', []);
      if (c.user.status === 'disabled') return;
      await this.change(c, {
        action: 'user.disabled',
        patch: { status: 'disabled', disabled_reason: 'lso' },
        endSessions: 'user_disabled',
      });
    });
    return this.getUser(actor, userId);
  }

  async enableUser(actor: Actor, userId: string): Promise<ManagedUser> {
    await this.withUser(actor, userId, async (c) => {
      if (c.user.status === 'active') return;
      // Re-enabling is a re-confirmation of access: the recertification clock restarts.
      await this.change(c, {
        action: 'user.enabled',
        patch: {
          status: 'active',
          disabled_reason: null,
          recertified_at: c.now,
          failed_attempts: 0,
          locked_until: null,
        },
        details: { previously: c.user.disabled_reason },
      });
    });
    return this.getUser(actor, userId);
  }

  async unlockUser(actor: Actor, userId: string): Promise<ManagedUser> {
    await this.withUser(actor, userId, (c) =>
      this.change(c, {
        action: 'user.unlocked',
        patch: { failed_attempts: 0, locked_until: null },
        details: { was_locked: Boolean(c.user.locked_until && c.user.locked_until > c.now) },
      }),
    );
    return this.getUser(actor, userId);
  }

  /**
   * LSO-initiated reset: the LSO never sees or chooses the password. The user's sessions end, a single-use
   * link is emailed, and the next sign-in (with the old password, if they still know it) must set a new one.
   */
  async resetPassword(actor: Actor, userId: string): Promise<ManagedUser> {
    await this.withUser(actor, userId, async (c) => {
      const { trx, user, now, outbox } = c;
      if (user.service_account) throw new ValidationError('A service account has no password', []);
      await this.change(c, {
        action: 'user.password_reset_by_lso',
        patch: { password_must_change: true },
        endSessions: 'password_reset_by_lso',
      });
      await this.emailLink(trx, user, 'password_reset', now, outbox, {
        subject: 'Your password has been reset',
        intro: [
          `${actor.name}, a Local Security Officer, has reset your ${this.deps.site.serviceName} password.`,
          `Choose a new password with this link within ${this.deps.config.invitationHours} hours (it works once):`,
        ],
        outro:
          'If you still know your old password you can also sign in with it: you will be asked to choose a new one.',
      });
    });
    return this.getUser(actor, userId);
  }

  /** Removes the user's authenticator and recovery codes: the next sign-in enrols again. */
  async resetMfa(actor: Actor, userId: string): Promise<ManagedUser> {
    await this.withUser(actor, userId, async (c) => {
      await recoveryCodesRepository.replaceAll(c.trx, c.user.id, c.user.organisation_id, [], c.now);
      await this.change(c, {
        action: 'user.mfa_reset',
        patch: { totp_secret: null, totp_pending_secret: null, totp_enrolled_at: null, totp_last_step: null },
        endSessions: 'mfa_reset',
      });
    });
    return this.getUser(actor, userId);
  }

  async endSessions(actor: Actor, userId: string): Promise<{ ended: number }> {
    return this.withUser(actor, userId, async (c) => ({
      ended: await this.change(c, { action: 'user.sessions_ended', endSessions: 'ended_by_lso' }),
    }));
  }

  async recertifyUser(actor: Actor, userId: string): Promise<ManagedUser> {
    await this.withUser(actor, userId, (c) =>
      this.change(c, {
        action: 'user.recertified',
        patch: { recertified_at: c.now },
        details: {
          roles: c.user.roles,
          next_due: new Date(c.now.getTime() + this.deps.config.recertificationDays * DAY_MS).toISOString(),
        },
      }),
    );
    return this.getUser(actor, userId);
  }

  /**
   * Deletes a user: they can no longer sign in, their sessions, keys and links end, their secrets are erased.
   * The row stays (status 'deleted') so the audit trail still resolves; the email may be reused.
   */
  async deleteUser(actor: Actor, userId: string): Promise<void> {
    await this.withUser(actor, userId, async (c) => {
      const { trx, user, now } = c;
      if (user.id === actor.userId) throw new ValidationError('You cannot delete your own account', []);
      await tokensRepository.revokeAllForUser(trx, user.id, now);
      await oneTimeTokensRepository.invalidateForUser(trx, user.id, now);
      await recoveryCodesRepository.replaceAll(trx, user.id, user.organisation_id, [], now);
      await this.change(c, {
        action: 'user.deleted',
        patch: { status: 'deleted', password_hash: null, totp_secret: null, totp_pending_secret: null },
        endSessions: 'user_deleted',
        details: { name: user.name, roles: user.roles },
      });
    });
  }

  async listKeys(actor: Actor, userId: string): Promise<ApiKeyView[]> {
    const { user, orgIds } = await this.withUser(actor, userId, async ({ user, orgIds }) => ({
      user,
      orgIds,
    }));
    return this.tokens.listKeys(orgIds, user.id);
  }

  /** An LSO creates keys for its organisation's service accounts (people create their own). */
  async createServiceAccountKey(
    actor: Actor,
    userId: string,
    input: KeyInput,
  ): Promise<{ key: ApiKeyView; token: string }> {
    const { user, orgIds } = await this.withUser(actor, userId, async ({ user, orgIds }) => ({
      user,
      orgIds,
    }));
    if (!user.service_account) {
      throw new ValidationError('Keys for a person are created by that person, from their account', [
        { field: 'user', message: 'Only service accounts get keys from their LSO' },
      ]);
    }
    if (user.status !== 'active') throw new ValidationError('The service account is disabled', []);
    return this.tokens.createKeyFor(
      { email: user.email, id: user.id, organisationIds: orgIds },
      input,
      auditActorOf(actor, user.organisation_id),
    );
  }

  async revokeKey(actor: Actor, userId: string, keyId: string): Promise<void> {
    if (!UUID.test(keyId)) throw new NotFoundError('No such API key');
    await this.withUser(actor, userId, ({ trx, user, orgIds, by }) =>
      this.tokens.revokeIn(trx, orgIds, keyId, by, user.id, { target_email: user.email }),
    );
  }

  async setMfaPolicy(actor: Actor, organisationId: string, policy: string): Promise<ManagedOrganisation> {
    if (!UUID.test(organisationId)) throw new NotFoundError('No such organisation');
    const org = await this.organisation(actor, organisationId);
    if (policy !== 'all' && policy !== 'privileged') {
      throw new ValidationError('The policy was not changed', [
        { field: 'mfa_policy', message: "Choose 'all' or 'privileged'" },
      ]);
    }
    if (org.type === 'cdsp' && policy !== 'all') {
      throw new ValidationError('The policy was not changed', [
        { field: 'mfa_policy', message: 'Every CDSP user must use two-step sign-in' },
      ]);
    }
    if (policy !== org.mfaPolicy) {
      await inScope(this.deps.db, SYSTEM_SCOPE, async (trx) => {
        await organisationsRepository.setMfaPolicy(trx, org.id, policy);
        await this.deps.audit.record(trx, {
          actor: auditActorOf(actor, org.id),
          action: 'organisation.mfa_policy_changed',
          subjectType: 'organisation',
          subjectId: org.id,
          details: { before: org.mfaPolicy, after: policy },
        });
      });
    }
    return this.organisation(actor, organisationId);
  }

  /** The signed-in user's own organisation's LSOs (for the Help page). */
  async lsosOfOwnOrganisation(actor: Actor): Promise<{ name: string; email: string }[]> {
    const orgs = [actor.organisationId];
    const rows = await inScope(this.deps.db, { kind: 'organisations', organisationIds: orgs }, (trx) =>
      usersRepository.lsosOf(trx, actor.organisationId),
    );
    return rows.map((r) => ({ name: r.name, email: r.email }));
  }

  // ------------------------------------------------------------------------------------------ internals

  private async orgOfUser(actor: Actor, userId: string): Promise<ManagedOrganisation> {
    const orgId = await this.withUser(actor, userId, async ({ user }) => user.organisation_id);
    return this.organisation(actor, orgId);
  }

  /** Runs `fn` on a user the actor manages, in a transaction scoped to the managed organisations; else 404. */
  private async withUser<T>(actor: Actor, userId: string, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
    if (!UUID.test(userId)) throw new NotFoundError('No such user');
    const orgIds = await this.managedOrganisationIds(actor);
    const outbox: MailMessage[] = [];
    const result = await inScope(
      this.deps.db,
      { kind: 'organisations', organisationIds: orgIds },
      async (trx) => {
        const user = await usersRepository.managedById(trx, orgIds, userId);
        if (!user) throw new NotFoundError('No such user');
        return fn({
          trx,
          user,
          orgIds,
          now: this.deps.clock.now(),
          by: auditActorOf(actor, user.organisation_id),
          outbox,
        });
      },
    );
    await this.send(outbox);
    return result;
  }

  /**
   * Issues a single-use link (valid for `invitationHours`) and queues the email that carries it: a greeting,
   * the `intro` lines, the link, then the `outro`.
   */
  private async emailLink(
    trx: Tx,
    user: { id: string; organisation_id: string; email: string; name: string },
    purpose: 'invitation' | 'password_reset',
    now: Date,
    outbox: MailMessage[],
    mail: { subject: string; intro: string[]; outro: string },
  ): Promise<void> {
    const link = await this.links.issueLink(
      trx,
      user,
      purpose,
      this.deps.config.invitationHours * 3_600_000,
      now,
    );
    outbox.push({
      to: user.email,
      subject: mail.subject,
      text: [`Hello ${user.name},`, '', ...mail.intro, link, '', mail.outro].join('\n'),
    });
  }
  private async send(outbox: MailMessage[]) {
    for (const m of outbox) await this.deps.mailer.send(m);
  }

  private change(c: Ctx, change: UserChange): Promise<number> {
    return changeUser(c.trx, this.deps.audit, c, change);
  }

  private view(r: ManagedUserRow): ManagedUser {
    return toManagedUser(r, this.deps.clock.now(), this.deps.config);
  }
}
