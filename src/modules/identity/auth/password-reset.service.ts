/**
 * Password reset and invitations: single-use links by email. A link works once, for a limited time, and never
 * bypasses two-step sign-in: a user with an authenticator must also give a code.
 */
import { randomBytes } from 'node:crypto';
import type { Tx } from '../../../platform/db/scope.ts';
import { ValidationError, type FieldError } from '../../../platform/errors.ts';
import type { AuditActor, AuditService } from '../../audit/index.ts';
import { auditActorOfUser } from '../actor.ts';
import { usersRepository } from '../identity.repository.ts';
import type { OneTimeTokenPurpose } from '../identity.tables.ts';
import { hashToken } from '../tokens/token-secrets.ts';
import { oneTimeTokensRepository, sessionsRepository } from './auth.repository.ts';
import { hashPassword } from './passwords.ts';
import { OPAQUE_TOKEN, type SignInGuard } from './sign-in-guard.ts';

export interface OneTimeLinkView {
  purpose: OneTimeTokenPurpose;
  email: string;
  name: string;
  /** True when the user must also give a code from their authenticator app (a reset never bypasses MFA). */
  needsMfaCode: boolean;
}

const SYSTEM_LABEL = (label: string): AuditActor => ({ userId: null, label, organisationId: null });

export class PasswordResetService {
  constructor(
    private readonly g: SignInGuard,
    private readonly audit: AuditService,
  ) {}

  /**
   * Sends a single-use reset link when the email belongs to an active person's account. The caller always shows
   * the same confirmation, so the response does not reveal whether an account exists.
   */
  async requestPasswordReset(emailInput: string): Promise<void> {
    const email = emailInput.trim().toLowerCase();
    const now = this.g.clock.now();
    await this.g.tx(async (trx, outbox) => {
      const user = email.length <= 254 ? await usersRepository.byEmail(trx, email) : undefined;
      if (!user || user.status !== 'active' || user.service_account) {
        await this.audit.record(trx, {
          actor: SYSTEM_LABEL(`reset:${email.slice(0, 254)}`),
          action: 'auth.password_reset_requested',
          subjectType: 'email',
          subjectId: email.slice(0, 254),
          details: { sent: false },
        });
        return;
      }
      const link = await this.issueLink(
        trx,
        user,
        'password_reset',
        this.g.config.passwordResetMinutes * 60_000,
        now,
      );
      await this.audit.record(trx, {
        actor: auditActorOfUser(user),
        action: 'auth.password_reset_requested',
        subjectType: 'user',
        subjectId: user.id,
        details: { sent: true, expires_minutes: this.g.config.passwordResetMinutes },
      });
      outbox.push({
        to: user.email,
        subject: 'Reset your password',
        text: [
          `Hello ${user.name},`,
          '',
          `Someone asked to reset the password for your ${this.g.settings.serviceName} account.`,
          `Use this link within ${this.g.config.passwordResetMinutes} minutes. It works once:`,
          link,
          '',
          'You will also need the code from your authenticator app (or a recovery code).',
          'If you did not ask for this, ignore this email: your password has not changed.',
        ].join('\n'),
      });
    });
  }

  /** Issues a single-use link of a purpose for a user (used by the LSO console too). Returns the URL. */
  async issueLink(
    trx: Tx,
    user: { id: string; organisation_id: string },
    purpose: OneTimeTokenPurpose,
    validForMs: number,
    now: Date,
  ): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await oneTimeTokensRepository.insert(trx, {
      purpose,
      token_hash: hashToken(token),
      user_id: user.id,
      organisation_id: user.organisation_id,
      created_at: now,
      expires_at: new Date(now.getTime() + validForMs),
    });
    const path = purpose === 'invitation' ? '/invitation/' : '/password-reset/';
    return `${this.g.settings.publicUrl}${path}${token}`;
  }

  /** What a reset or invitation link is for, or null when it is unknown, used or expired. */
  async checkLink(purpose: OneTimeTokenPurpose, token: string): Promise<OneTimeLinkView | null> {
    if (!OPAQUE_TOKEN.test(token)) return null;
    const now = this.g.clock.now();
    return this.g.tx(async (trx) => {
      const found = await this.usableLink(trx, purpose, token, now);
      if (!found) return null;
      return {
        purpose,
        email: found.user.email,
        name: found.user.name,
        needsMfaCode: Boolean(found.user.totp_secret),
      };
    });
  }

  /**
   * Completes a reset or an invitation: sets the password (policy applies), consumes the link, ends every
   * session, and unlocks the account. A user with MFA must also give a valid code: a reset never bypasses MFA.
   */
  async completeLink(
    purpose: OneTimeTokenPurpose,
    token: string,
    input: { password: string; confirm: string; code: string },
  ): Promise<{ email: string }> {
    const now = this.g.clock.now();
    const expired = 'This link has expired or has already been used';
    const result = await this.g.tx(async (trx, outbox): Promise<{ email: string } | FieldError[]> => {
      const found = OPAQUE_TOKEN.test(token) ? await this.usableLink(trx, purpose, token, now) : null;
      if (!found) return [{ field: 'link', message: expired }];
      const { user, linkId } = found;
      const errors = this.g.newPasswordProblems(input.password, input.confirm, user.email);
      let step: number | null = null;
      if (user.totp_secret) {
        const matched =
          this.g.refusalReason(user, now) === 'throttled'
            ? null
            : await this.g.secondFactor(trx, user, input.code, now);
        step = matched?.step ?? null;
        const ok = matched !== null;
        if (!ok) {
          errors.push({
            field: 'code',
            message: 'Enter the 6-digit code from your authenticator app, or one of your recovery codes',
          });
          await this.g.countFailure(trx, outbox, user, now, 'reset_code');
        }
      }
      if (errors.length > 0) return errors;
      if (!(await oneTimeTokensRepository.consume(trx, linkId, now)))
        return [{ field: 'link', message: expired }];
      await usersRepository.update(trx, [user.organisation_id], user.id, {
        password_hash: await hashPassword(input.password),
        password_must_change: false,
        password_changed_at: now,
        failed_attempts: 0,
        locked_until: null,
        updated_at: now,
        ...(step !== null ? { totp_last_step: String(step) } : {}),
      });
      const ended = await sessionsRepository.endAllForUser(trx, user.id, now, 'password_reset');
      await this.audit.record(trx, {
        actor: auditActorOfUser(user),
        action: purpose === 'invitation' ? 'auth.invitation_accepted' : 'auth.password_reset_completed',
        subjectType: 'user',
        subjectId: user.id,
        details: { sessions_ended: ended, mfa_checked: Boolean(user.totp_secret) },
      });
      return { email: user.email };
    });
    if (Array.isArray(result)) throw new ValidationError('Your password was not set', result);
    return result;
  }

  // ------------------------------------------------------------------------------------------ internals

  private async usableLink(trx: Tx, purpose: OneTimeTokenPurpose, token: string, now: Date) {
    const link = await oneTimeTokensRepository.find(trx, hashToken(token));
    if (!link || link.purpose !== purpose || link.used_at || link.expires_at.getTime() <= now.getTime())
      return null;
    const user = await usersRepository.byIdAnyOrg(trx, link.user_id);
    if (!user || user.status !== 'active' || user.service_account) return null;
    return { user, linkId: link.id };
  }
}
