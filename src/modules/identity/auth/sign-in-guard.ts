/**
 * What every sign-in step shares: resolving and opening sessions, the refusal rules (disabled, locked, throttled),
 * counting failures towards throttling and lock-out, checking a second-factor code, and one system-scope
 * transaction whose mail is sent only once it has committed.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { IdentityConfig } from '../../../config.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE, type Tx } from '../../../platform/db/scope.ts';
import type { FieldError } from '../../../platform/errors.ts';
import type { Mailer, MailMessage } from '../../../platform/mail/mailer.ts';
import type { AuditService } from '../../audit/index.ts';
import { auditActorOfUser } from '../actor.ts';
import { usersRepository } from '../identity.repository.ts';
import type { SessionState } from '../identity.tables.ts';
import { hashToken } from '../tokens/token-secrets.ts';
import { recoveryCodesRepository, sessionsRepository } from './auth.repository.ts';
import { hashRecoveryCode, looksLikeRecoveryCode, verifyTotp } from './mfa.ts';
import { passwordProblems } from './passwords.ts';
import type { SiteSettings } from '../identity.deps.ts';

/** A partial session (after the password) lasts at most this long. */
export const PARTIAL_SESSION_MS = 15 * 60_000;

/** A session id, a reset link's token: 256 random bits, base64url. */
export const OPAQUE_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export type UserRow = NonNullable<Awaited<ReturnType<typeof usersRepository.byIdAnyOrg>>>;

export class SignInGuard {
  constructor(
    private readonly db: Kysely<DB>,
    readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly mailer: Mailer,
    readonly config: IdentityConfig,
    readonly settings: SiteSettings,
  ) {}

  /**
   * Checks a second-factor code for `user`: a 6-digit TOTP code (for a step after the last accepted one), or an
   * unused recovery code (which is used up). Returns how it matched, or null.
   */
  async secondFactor(
    trx: Tx,
    user: UserRow,
    codeInput: string,
    now: Date,
  ): Promise<{ method: 'totp' | 'recovery_code'; step: number | null } | null> {
    if (!user.totp_secret) return null;
    const code = codeInput.trim().replace(/\s/g, '');
    if (/^\d{6}$/.test(code)) {
      const step = await verifyTotp(user.totp_secret, code, now, user.totp_last_step);
      return step !== null ? { method: 'totp', step } : null;
    }
    if (
      looksLikeRecoveryCode(code) &&
      (await recoveryCodesRepository.use(trx, user.id, hashRecoveryCode(code), now))
    )
      return { method: 'recovery_code', step: null };
    return null;
  }

  async liveSession(trx: Tx, token: string, now: Date) {
    const row = await sessionsRepository.findForAuth(trx, hashToken(token));
    if (!row || row.ended_at) return null;
    const idleMs =
      row.state === 'active'
        ? this.config.sessionIdleMinutes * 60_000
        : Math.min(PARTIAL_SESSION_MS, this.config.sessionIdleMinutes * 60_000);
    const expired =
      row.expires_at.getTime() <= now.getTime() || now.getTime() - row.last_seen_at.getTime() > idleMs;
    if (expired || row.status !== 'active' || row.service_account) {
      await sessionsRepository.end(trx, row.session_id, now, expired ? 'timed_out' : 'user_inactive');
      return null;
    }
    return { row };
  }

  async openSession(
    trx: Tx,
    user: { id: string; organisation_id: string },
    state: SessionState,
    now: Date,
    userAgent: string | null,
  ): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const lifetime = state === 'active' ? this.config.sessionAbsoluteHours * 3_600_000 : PARTIAL_SESSION_MS;
    await sessionsRepository.insert(trx, {
      token_hash: hashToken(token),
      user_id: user.id,
      organisation_id: user.organisation_id,
      state,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + lifetime),
      user_agent: userAgent ? userAgent.slice(0, 300) : null,
    });
    return token;
  }

  async endByToken(trx: Tx, token: string | null, reason: string) {
    if (!token || !OPAQUE_TOKEN.test(token)) return;
    const s = await sessionsRepository.findForAuth(trx, hashToken(token));
    if (s && !s.ended_at) await sessionsRepository.end(trx, s.session_id, this.clock.now(), reason);
  }

  /** Why an account may not sign in now, whatever the password: null when it may. */
  refusalReason(user: UserRow, now: Date): 'disabled' | 'locked' | 'throttled' | 'no_password' | null {
    if (user.status !== 'active' || user.service_account) return 'disabled';
    if (!user.password_hash) return 'no_password';
    if (user.locked_until && user.locked_until.getTime() > now.getTime()) return 'locked';
    const failures = this.effectiveFailures(user, now);
    if (failures >= this.config.throttleAfterFailures && user.last_failed_at) {
      const waitMs = 1000 * 2 ** (failures - this.config.throttleAfterFailures);
      if (now.getTime() < user.last_failed_at.getTime() + waitMs) return 'throttled';
    }
    return null;
  }

  /** A lock that has run out starts the count again. */
  effectiveFailures(user: UserRow, now: Date): number {
    if (user.locked_until && user.locked_until.getTime() <= now.getTime()) return 0;
    return user.failed_attempts;
  }

  /** Runs `fn` in one system-scope transaction, then sends the mail it queued (only once it has committed). */
  async tx<T>(fn: (trx: Tx, outbox: MailMessage[]) => Promise<T>): Promise<T> {
    const outbox: MailMessage[] = [];
    const result = await inScope(this.db, SYSTEM_SCOPE, (trx) => fn(trx, outbox));
    for (const m of outbox) await this.mailer.send(m);
    return result;
  }

  async countFailure(trx: Tx, outbox: MailMessage[], user: UserRow, now: Date, factor: string) {
    const failures = this.effectiveFailures(user, now) + 1;
    const lock = failures >= this.config.lockoutThreshold;
    const lockedUntil = lock ? new Date(now.getTime() + this.config.lockoutMinutes * 60_000) : null;
    await usersRepository.update(trx, [user.organisation_id], user.id, {
      failed_attempts: failures,
      last_failed_at: now,
      locked_until: lockedUntil,
    });
    user.failed_attempts = failures;
    user.last_failed_at = now;
    user.locked_until = lockedUntil;
    const actor = auditActorOfUser(user);
    await this.audit.record(trx, {
      actor,
      action: 'auth.sign_in_failed',
      subjectType: 'user',
      subjectId: user.id,
      details: { reason: factor === 'password' ? 'wrong_password' : `wrong_${factor}`, failures },
    });
    if (lock) {
      await sessionsRepository.endAllForUser(trx, user.id, now, 'locked');
      await this.audit.record(trx, {
        actor,
        action: 'auth.account_locked',
        subjectType: 'user',
        subjectId: user.id,
        details: { failures, locked_until: lockedUntil?.toISOString() },
      });
      outbox.push(
        this.message(user.email, 'Your account has been locked', [
          `Hello ${user.name},`,
          '',
          `Your ${this.settings.serviceName} account was locked after ${failures} failed sign-in attempts.`,
          `It unlocks by itself after ${this.config.lockoutMinutes} minutes, or your Local Security Officer can unlock it now.`,
          'If this was not you, tell your Local Security Officer.',
        ]),
      );
    }
  }

  newPasswordProblems(password: string, confirm: string, email: string): FieldError[] {
    const errors = passwordProblems(password, email).map((message) => ({ field: 'password', message }));
    if (password !== confirm) errors.push({ field: 'confirm', message: 'The passwords do not match' });
    return errors;
  }

  message(to: string, subject: string, lines: string[]): MailMessage {
    return { to, subject, text: lines.join('\n') };
  }
}
