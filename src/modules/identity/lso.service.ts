/**
 * The Local Security Officer console: the rules. An LSO manages the users of its own organisation and its group
 * descendants; a CDSP LSO may act for any organisation (audited as acting on that organisation's behalf). A user
 * outside the LSO's reach is indistinguishable from one that does not exist (NotFoundError).
 */
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { IdentityConfig } from '../../config.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE, type Tx } from '../../platform/db/scope.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../platform/errors.ts';
import type { Mailer, MailMessage } from '../../platform/mail/mailer.ts';
import type { AuditActor, AuditService } from '../audit/index.ts';
import type { Actor } from './actor.ts';
import type { AuthService } from './auth.service.ts';
import {
  oneTimeTokensRepository,
  organisationsRepository,
  recoveryCodesRepository,
  sessionsRepository,
  tokensRepository,
  usersRepository,
} from './identity.repository.ts';
import { auditActorOf, toKeyView, type ApiKeyView, type IdentityService } from './identity.service.ts';
import { CDSP_ONLY_ROLES, isRole, type Role } from './permissions.ts';

export const SERVICES = ['CMS', 'DES'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Which service each role belongs to (the LSO assigns services by assigning their roles). */
export const ROLE_SERVICE: Partial<Record<Role, ServiceName>> = {
  cms_user: 'CMS',
  cms_supervisor: 'CMS',
  des_user: 'DES',
  des_bulk: 'DES',
};

export interface ManagedOrganisation {
  id: string;
  name: string;
  shortCode: string;
  type: string;
  parentId: string | null;
  mfaPolicy: 'all' | 'privileged';
  cmsAccess: boolean;
  desAccess: boolean;
}

export interface ManagedUser {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  services: ServiceName[];
  status: 'active' | 'disabled';
  disabledReason: string | null;
  locked: boolean;
  lockedUntil: Date | null;
  invitationPending: boolean;
  serviceAccount: boolean;
  groupVisibility: boolean;
  mfaEnrolled: boolean;
  passwordMustChange: boolean;
  lastSignInAt: Date | null;
  createdAt: Date;
  recertifiedAt: Date;
  recertificationDueAt: Date;
  recertificationDue: boolean;
  organisation: { id: string; name: string; shortCode: string; type: string };
}

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

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_MS = 86_400_000;

type UserRow = NonNullable<Awaited<ReturnType<typeof usersRepository.managedById>>>;

interface Ctx {
  trx: Tx;
  user: UserRow;
  orgIds: string[];
  now: Date;
  by: AuditActor;
  outbox: MailMessage[];
}

export class LsoService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly mailer: Mailer,
    private readonly config: IdentityConfig,
    private readonly auth: AuthService,
    private readonly identity: IdentityService,
    private readonly settings: { serviceName: string; publicUrl: string },
  ) {}

  /** The organisations an LSO may manage: all (CDSP), or its own and its group descendants. */
  async managedOrganisationIds(actor: Actor): Promise<string[]> {
    if (!actor.permissions.has('users:manage')) throw new ForbiddenError();
    return inScope(this.db, SYSTEM_SCOPE, async (trx) =>
      actor.organisationType === 'cdsp'
        ? (await organisationsRepository.list(trx)).map((o) => o.id)
        : organisationsRepository.withDescendants(trx, actor.organisationId),
    );
  }

  async organisations(actor: Actor): Promise<ManagedOrganisation[]> {
    const ids = await this.managedOrganisationIds(actor);
    const rows = await inScope(this.db, SYSTEM_SCOPE, (trx) => organisationsRepository.listIn(trx, ids));
    return rows.map((o) => ({
      id: o.id,
      name: o.name,
      shortCode: o.short_code,
      type: o.type,
      parentId: o.parent_id,
      mfaPolicy: o.mfa_policy,
      cmsAccess: o.cms_access,
      desAccess: o.des_access,
    }));
  }

  async organisation(actor: Actor, organisationId: string): Promise<ManagedOrganisation> {
    const org = (await this.organisations(actor)).find((o) => o.id === organisationId);
    if (!org) throw new NotFoundError('No such organisation');
    return org;
  }

  async listUsers(
    actor: Actor,
    filter: { q?: string | null; organisationId?: string | null; dueOnly?: boolean } = {},
  ): Promise<ManagedUser[]> {
    let orgIds = await this.managedOrganisationIds(actor);
    if (filter.organisationId) {
      if (!orgIds.includes(filter.organisationId)) throw new NotFoundError('No such organisation');
      orgIds = [filter.organisationId];
    }
    const q = filter.q?.trim().slice(0, 200) || null;
    const rows = await inScope(this.db, { kind: 'organisations', organisationIds: orgIds }, (trx) =>
      usersRepository.list(trx, orgIds, q, 1000),
    );
    const users = rows.map((r) => this.view(r));
    return filter.dueOnly ? users.filter((u) => u.recertificationDue) : users;
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
    const org = (await this.organisations(actor)).find((o) => o.id === input.organisationId)!;
    const errors: FieldError[] = [];
    const email = input.email?.trim().toLowerCase() ?? '';
    const name = input.name?.trim() ?? '';
    if (!EMAIL.test(email) || email.length > 254) {
      errors.push({
        field: 'email',
        message: 'Enter an email address in the correct format, like name@example.com',
      });
    }
    if (name.length < 1 || name.length > 200)
      errors.push({ field: 'name', message: 'Enter a name of 1 to 200 characters' });
    const roles = this.checkRoles(input.roles, org, Boolean(input.serviceAccount), errors);
    const now = this.clock.now();
    const outbox: MailMessage[] = [];
    const user = await inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      if (email && (await usersRepository.byEmail(trx, email))) {
        errors.push({ field: 'email', message: 'A user with this email address already exists' });
      }
      if (errors.length > 0) throw new ValidationError('The user was not created', errors);
      const row = await usersRepository.insert(trx, {
        organisation_id: org.id,
        email,
        name,
        roles,
        password_hash: null,
        created_at: now,
        updated_at: now,
        service_account: Boolean(input.serviceAccount),
        group_visibility: Boolean(input.groupVisibility),
        invited_at: input.serviceAccount ? null : now,
      });
      const by = auditActorOf(actor, org.id);
      await this.audit.record(trx, {
        actor: by,
        action: input.serviceAccount ? 'user.service_account_created' : 'user.invited',
        subjectType: 'user',
        subjectId: row.id,
        details: {
          email,
          name,
          roles,
          organisation_id: org.id,
          group_visibility: Boolean(input.groupVisibility),
        },
      });
      if (!input.serviceAccount) {
        const link = await this.auth.issueLink(
          trx,
          row,
          'invitation',
          this.config.invitationHours * 3_600_000,
          now,
        );
        outbox.push({
          to: email,
          subject: `You have been invited to ${this.settings.serviceName}`,
          text: [
            `Hello ${name},`,
            '',
            `${actor.name} (${actor.organisationName}) has given you access to ${this.settings.serviceName} for ${org.name}.`,
            `Set your password with this link within ${this.config.invitationHours} hours. It works once:`,
            link,
            '',
            'You will then set up an authenticator app on your phone for two-step sign-in.',
          ].join('\n'),
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
      const patch: Parameters<typeof usersRepository.update>[3] = {};
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      if (changes.name !== undefined) {
        const name = changes.name.trim();
        if (name.length < 1 || name.length > 200)
          errors.push({ field: 'name', message: 'Enter a name of 1 to 200 characters' });
        else if (name !== user.name) {
          patch.name = name;
          before.name = user.name;
          after.name = name;
        }
      }
      if (changes.email !== undefined) {
        const email = changes.email.trim().toLowerCase();
        if (!EMAIL.test(email) || email.length > 254) {
          errors.push({
            field: 'email',
            message: 'Enter an email address in the correct format, like name@example.com',
          });
        } else if (email !== user.email) {
          const clash = await inScopeSystem(trx, () => usersRepository.byEmail(trx, email));
          if (clash)
            errors.push({ field: 'email', message: 'A user with this email address already exists' });
          patch.email = email;
          before.email = user.email;
          after.email = email;
        }
      }
      if (changes.roles !== undefined) {
        const roles = this.checkRoles(changes.roles, org, user.service_account, errors);
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
      await this.audit.record(trx, ...events);
    });
    return this.getUser(actor, userId);
  }

  async disableUser(actor: Actor, userId: string): Promise<ManagedUser> {
    await this.withUser(actor, userId, async ({ trx, user, orgIds, now, by }) => {
      if (user.id === actor.userId) throw new ValidationError('You cannot disable your own account', []);
      if (user.status === 'disabled') return;
      await usersRepository.update(trx, orgIds, user.id, {
        status: 'disabled',
        disabled_reason: 'lso',
        updated_at: now,
      });
      const ended = await sessionsRepository.endAllForUser(trx, user.id, now, 'user_disabled');
      await this.audit.record(trx, {
        actor: by,
        action: 'user.disabled',
        subjectType: 'user',
        subjectId: user.id,
        details: { target_email: user.email, sessions_ended: ended },
      });
    });
    return this.getUser(actor, userId);
  }

  async enableUser(actor: Actor, userId: string): Promise<ManagedUser> {
    await this.withUser(actor, userId, async ({ trx, user, orgIds, now, by }) => {
      if (user.status === 'active') return;
      // Re-enabling is a re-confirmation of access: the recertification clock restarts.
      await usersRepository.update(trx, orgIds, user.id, {
        status: 'active',
        disabled_reason: null,
        recertified_at: now,
        failed_attempts: 0,
        locked_until: null,
        updated_at: now,
      });
      await this.audit.record(trx, {
        actor: by,
        action: 'user.enabled',
        subjectType: 'user',
        subjectId: user.id,
        details: { target_email: user.email, previously: user.disabled_reason },
      });
    });
    return this.getUser(actor, userId);
  }

  async unlockUser(actor: Actor, userId: string): Promise<ManagedUser> {
    await this.withUser(actor, userId, async ({ trx, user, orgIds, now, by }) => {
      await usersRepository.update(trx, orgIds, user.id, {
        failed_attempts: 0,
        locked_until: null,
        updated_at: now,
      });
      await this.audit.record(trx, {
        actor: by,
        action: 'user.unlocked',
        subjectType: 'user',
        subjectId: user.id,
        details: {
          target_email: user.email,
          was_locked: Boolean(user.locked_until && user.locked_until > now),
        },
      });
    });
    return this.getUser(actor, userId);
  }

  /**
   * LSO-initiated reset: the LSO never sees or chooses the password. The user's sessions end, a single-use
   * link is emailed, and the next sign-in (with the old password, if they still know it) must set a new one.
   */
  async resetPassword(actor: Actor, userId: string): Promise<ManagedUser> {
    await this.withUser(actor, userId, async ({ trx, user, orgIds, now, by, outbox }) => {
      if (user.service_account) throw new ValidationError('A service account has no password', []);
      await usersRepository.update(trx, orgIds, user.id, { password_must_change: true, updated_at: now });
      const ended = await sessionsRepository.endAllForUser(trx, user.id, now, 'password_reset_by_lso');
      const link = await this.auth.issueLink(
        trx,
        user,
        'password_reset',
        this.config.invitationHours * 3_600_000,
        now,
      );
      await this.audit.record(trx, {
        actor: by,
        action: 'user.password_reset_by_lso',
        subjectType: 'user',
        subjectId: user.id,
        details: { target_email: user.email, sessions_ended: ended },
      });
      outbox.push({
        to: user.email,
        subject: 'Your password has been reset',
        text: [
          `Hello ${user.name},`,
          '',
          `${actor.name}, a Local Security Officer, has reset your ${this.settings.serviceName} password.`,
          `Choose a new password with this link within ${this.config.invitationHours} hours (it works once):`,
          link,
          '',
          'If you still know your old password you can also sign in with it: you will be asked to choose a new one.',
        ].join('\n'),
      });
    });
    return this.getUser(actor, userId);
  }

  /** Removes the user's authenticator and recovery codes: the next sign-in enrols again. */
  async resetMfa(actor: Actor, userId: string): Promise<ManagedUser> {
    await this.withUser(actor, userId, async ({ trx, user, orgIds, now, by }) => {
      await usersRepository.update(trx, orgIds, user.id, {
        totp_secret: null,
        totp_pending_secret: null,
        totp_enrolled_at: null,
        totp_last_step: null,
        updated_at: now,
      });
      await recoveryCodesRepository.replaceAll(trx, user.id, user.organisation_id, [], now);
      const ended = await sessionsRepository.endAllForUser(trx, user.id, now, 'mfa_reset');
      await this.audit.record(trx, {
        actor: by,
        action: 'user.mfa_reset',
        subjectType: 'user',
        subjectId: user.id,
        details: { target_email: user.email, sessions_ended: ended },
      });
    });
    return this.getUser(actor, userId);
  }

  async endSessions(actor: Actor, userId: string): Promise<{ ended: number }> {
    return this.withUser(actor, userId, async ({ trx, user, now, by }) => {
      const ended = await sessionsRepository.endAllForUser(trx, user.id, now, 'ended_by_lso');
      await this.audit.record(trx, {
        actor: by,
        action: 'user.sessions_ended',
        subjectType: 'user',
        subjectId: user.id,
        details: { target_email: user.email, sessions_ended: ended },
      });
      return { ended };
    });
  }

  async recertifyUser(actor: Actor, userId: string): Promise<ManagedUser> {
    await this.withUser(actor, userId, async ({ trx, user, orgIds, now, by }) => {
      await usersRepository.update(trx, orgIds, user.id, { recertified_at: now, updated_at: now });
      await this.audit.record(trx, {
        actor: by,
        action: 'user.recertified',
        subjectType: 'user',
        subjectId: user.id,
        details: {
          target_email: user.email,
          roles: user.roles,
          next_due: new Date(now.getTime() + this.config.recertificationDays * DAY_MS).toISOString(),
        },
      });
    });
    return this.getUser(actor, userId);
  }

  /**
   * Deletes a user: they can no longer sign in, their sessions, keys and links end, their secrets are erased.
   * The row stays (status 'deleted') so the audit trail still resolves; the email may be reused.
   */
  async deleteUser(actor: Actor, userId: string): Promise<void> {
    await this.withUser(actor, userId, async ({ trx, user, orgIds, now, by }) => {
      if (user.id === actor.userId) throw new ValidationError('You cannot delete your own account', []);
      await usersRepository.update(trx, orgIds, user.id, {
        status: 'deleted',
        password_hash: null,
        totp_secret: null,
        totp_pending_secret: null,
        updated_at: now,
      });
      const ended = await sessionsRepository.endAllForUser(trx, user.id, now, 'user_deleted');
      await tokensRepository.revokeAllForUser(trx, user.id, now);
      await oneTimeTokensRepository.invalidateForUser(trx, user.id, now);
      await recoveryCodesRepository.replaceAll(trx, user.id, user.organisation_id, [], now);
      await this.audit.record(trx, {
        actor: by,
        action: 'user.deleted',
        subjectType: 'user',
        subjectId: user.id,
        details: { target_email: user.email, name: user.name, roles: user.roles, sessions_ended: ended },
      });
    });
  }

  async listKeys(actor: Actor, userId: string): Promise<ApiKeyView[]> {
    return this.withUser(actor, userId, async ({ trx, user, orgIds }) =>
      (await tokensRepository.listForUser(trx, orgIds, user.id)).map(toKeyView),
    );
  }

  /** An LSO creates keys for its organisation's service accounts (people create their own). */
  async createServiceAccountKey(
    actor: Actor,
    userId: string,
    input: { label?: string | null; scopes?: string[] | null; expiresAt?: Date | null },
  ): Promise<{ key: ApiKeyView; token: string }> {
    const user = await this.withUser(actor, userId, async ({ user }) => user);
    if (!user.service_account) {
      throw new ValidationError('Keys for a person are created by that person, from their account', [
        { field: 'user', message: 'Only service accounts get keys from their LSO' },
      ]);
    }
    if (user.status !== 'active') throw new ValidationError('The service account is disabled', []);
    const created = await this.identity.createToken(
      { ...input, email: user.email },
      auditActorOf(actor, user.organisation_id),
    );
    const key = (await this.listKeys(actor, userId)).find((k) => k.id === created.id);
    if (!key) throw new NotFoundError('No such API key');
    return { key, token: created.token };
  }

  async revokeKey(actor: Actor, userId: string, keyId: string): Promise<void> {
    if (!UUID.test(keyId)) throw new NotFoundError('No such API key');
    await this.withUser(actor, userId, async ({ trx, user, orgIds, now, by }) => {
      const row = await tokensRepository.revokeForUser(trx, orgIds, user.id, keyId, now);
      if (!row) throw new NotFoundError('No such API key');
      await this.audit.record(trx, {
        actor: by,
        action: 'api_token.revoked',
        subjectType: 'api_token',
        subjectId: row.id,
        details: { user_id: user.id, target_email: user.email },
      });
    });
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
      await inScope(this.db, SYSTEM_SCOPE, async (trx) => {
        await organisationsRepository.setMfaPolicy(trx, org.id, policy);
        await this.audit.record(trx, {
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
    const rows = await inScope(this.db, { kind: 'organisations', organisationIds: orgs }, (trx) =>
      usersRepository.lsosOf(trx, actor.organisationId),
    );
    return rows.map((r) => ({ name: r.name, email: r.email }));
  }

  /**
   * The daily recertification run: disables every active user whose access was last confirmed more than
   * `recertificationDays` ago, ends their sessions, and tells their organisation's LSOs (or, when it has none,
   * the CDSP's). Idempotent: a second run the same day finds nobody to disable.
   */
  async disableOverdueUsers(): Promise<{ disabled: string[] }> {
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - this.config.recertificationDays * DAY_MS);
    const by: AuditActor = { userId: null, label: 'job:identity.recertification', organisationId: null };
    const outbox: MailMessage[] = [];
    const disabled = await inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const overdue = await usersRepository.recertificationOverdue(trx, cutoff);
      const byOrg = new Map<string, typeof overdue>();
      for (const u of overdue) {
        await usersRepository.update(trx, [u.organisation_id], u.id, {
          status: 'disabled',
          disabled_reason: 'recertification',
          updated_at: now,
        });
        const ended = await sessionsRepository.endAllForUser(trx, u.id, now, 'recertification_overdue');
        await this.audit.record(trx, {
          actor: by,
          action: 'user.disabled',
          subjectType: 'user',
          subjectId: u.id,
          details: {
            target_email: u.email,
            reason: 'recertification_overdue',
            last_recertified: (u.recertified_at ?? u.created_at).toISOString(),
            sessions_ended: ended,
          },
        });
        byOrg.set(u.organisation_id, [...(byOrg.get(u.organisation_id) ?? []), u]);
      }
      const cdsp = (await organisationsRepository.list(trx)).find((o) => o.type === 'cdsp');
      for (const [orgId, users] of byOrg) {
        let lsos = await usersRepository.lsosOf(trx, orgId);
        if (lsos.length === 0 && cdsp) lsos = await usersRepository.lsosOf(trx, cdsp.id);
        const org = await organisationsRepository.byId(trx, orgId);
        for (const lso of lsos) {
          outbox.push({
            to: lso.email,
            subject: `Access not re-confirmed: ${users.length} user${users.length === 1 ? '' : 's'} disabled`,
            text: [
              `Hello ${lso.name},`,
              '',
              `These users of ${org?.name ?? 'your organisation'} were not re-confirmed within ${this.config.recertificationDays} days, so their access to ${this.settings.serviceName} has been disabled:`,
              ...users.map((u) => `  - ${u.name} <${u.email}>`),
              '',
              `Re-enable anyone who still needs access from the LSO console: ${this.settings.publicUrl}/lso/users`,
            ].join('\n'),
          });
        }
      }
      return overdue.map((u) => u.id);
    });
    await this.send(outbox);
    return { disabled };
  }

  // ------------------------------------------------------------------------------------------ internals

  private async orgOfUser(actor: Actor, userId: string): Promise<ManagedOrganisation> {
    const orgId = await this.withUser(actor, userId, async ({ user }) => user.organisation_id);
    return this.organisation(actor, orgId);
  }

  private checkRoles(
    input: string[],
    org: ManagedOrganisation,
    serviceAccount: boolean,
    errors: FieldError[],
  ): Role[] {
    const roles: Role[] = [];
    for (const r of input.map((s) => s.trim()).filter(Boolean)) {
      if (!isRole(r)) {
        errors.push({ field: 'roles', message: `Unknown role '${r}'` });
        continue;
      }
      if (CDSP_ONLY_ROLES.includes(r) && org.type !== 'cdsp') {
        errors.push({ field: 'roles', message: `Role ${r} is only for CDSP staff` });
      } else if (ROLE_SERVICE[r] === 'CMS' && !org.cmsAccess) {
        errors.push({ field: 'roles', message: `${org.name} does not use the Contact Management Service` });
      } else if (ROLE_SERVICE[r] === 'DES' && !org.desAccess) {
        errors.push({ field: 'roles', message: `${org.name} does not use the Data Enquiry Service` });
      } else if (r === 'lso' && serviceAccount) {
        errors.push({ field: 'roles', message: 'A service account cannot be a Local Security Officer' });
      } else if (!roles.includes(r)) roles.push(r);
    }
    return roles;
  }

  /** Runs `fn` on a user the actor manages, in a transaction scoped to the managed organisations; else 404. */
  private async withUser<T>(actor: Actor, userId: string, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
    if (!UUID.test(userId)) throw new NotFoundError('No such user');
    const orgIds = await this.managedOrganisationIds(actor);
    const outbox: MailMessage[] = [];
    const result = await inScope(this.db, { kind: 'organisations', organisationIds: orgIds }, async (trx) => {
      const user = await usersRepository.managedById(trx, orgIds, userId);
      if (!user) throw new NotFoundError('No such user');
      return fn({
        trx,
        user,
        orgIds,
        now: this.clock.now(),
        by: auditActorOf(actor, user.organisation_id),
        outbox,
      });
    });
    await this.send(outbox);
    return result;
  }

  private async send(outbox: MailMessage[]) {
    for (const m of outbox) await this.mailer.send(m);
  }

  private view(r: UserRow): ManagedUser {
    const now = this.clock.now();
    const recertifiedAt = r.recertified_at ?? r.created_at;
    const dueAt = new Date(recertifiedAt.getTime() + this.config.recertificationDays * DAY_MS);
    const roles = r.roles.filter(isRole);
    return {
      id: r.id,
      email: r.email,
      name: r.name,
      roles,
      services: SERVICES.filter((s) => roles.some((x) => ROLE_SERVICE[x] === s)),
      status: r.status === 'disabled' ? 'disabled' : 'active',
      disabledReason: r.disabled_reason,
      locked: Boolean(r.locked_until && r.locked_until.getTime() > now.getTime()),
      lockedUntil: r.locked_until && r.locked_until.getTime() > now.getTime() ? r.locked_until : null,
      invitationPending: !r.service_account && r.password_hash === null,
      serviceAccount: r.service_account,
      groupVisibility: r.group_visibility,
      mfaEnrolled: r.totp_secret !== null,
      passwordMustChange: r.password_must_change,
      lastSignInAt: r.last_sign_in_at,
      createdAt: r.created_at,
      recertifiedAt,
      recertificationDueAt: dueAt,
      recertificationDue:
        r.status === 'active' &&
        dueAt.getTime() - now.getTime() <= this.config.recertificationWarningDays * DAY_MS,
      organisation: {
        id: r.organisation_id,
        name: r.organisation_name,
        shortCode: r.organisation_short_code,
        type: r.organisation_type,
      },
    };
  }
}

/**
 * An email clash must be checked across every organisation (emails are unique service-wide), so it runs under
 * the system scope for that one read, then restores the caller's scope.
 */
async function inScopeSystem<T>(trx: Tx, fn: () => Promise<T>): Promise<T> {
  const prev = await sql<{ s: string | null }>`select current_setting('cdsp.scope', true) as s`.execute(trx);
  await sql`select set_config('cdsp.scope', 'system', true)`.execute(trx);
  try {
    return await fn();
  } finally {
    await sql`select set_config('cdsp.scope', ${prev.rows[0]?.s ?? ''}, true)`.execute(trx);
  }
}
