/**
 * Sign-in, MFA, sessions and password reset: the rules.
 *
 * - Sign-in is two steps: the password (which opens a short-lived partial session), then a TOTP or recovery code
 *   (which replaces it with a new, fully signed-in session). A user who must use MFA and has not enrolled is sent
 *   to enrolment instead; a user whose password was reset by an LSO must choose a new one before anything else.
 * - Every failure of the first step looks the same to the caller, whatever the reason (unknown email, wrong
 *   password, disabled, locked, throttled), and costs the same argon2 work.
 * - Failures (of either factor) count per account: after `throttleAfterFailures` each attempt must wait
 *   progressively longer (1 s, 2 s, 4 s, ...), and at `lockoutThreshold` the account locks for `lockoutMinutes`.
 * - Sessions live in the database; only the SHA-256 of the session id is stored; the user, roles and status are
 *   read on every request, so disabling, a role change or a password reset apply on the very next request.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { IdentityConfig } from '../../config.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE, type Tx } from '../../platform/db/scope.ts';
import { ValidationError, type FieldError } from '../../platform/errors.ts';
import type { Mailer, MailMessage } from '../../platform/mail/mailer.ts';
import type { AuditActor, AuditService } from '../audit/index.ts';
import type { Actor } from './actor.ts';
import type { OneTimeTokenPurpose, SessionState } from './identity.tables.ts';
import {
  oneTimeTokensRepository,
  organisationsRepository,
  recoveryCodesRepository,
  sessionsRepository,
  usersRepository,
} from './identity.repository.ts';
import { auditActorOf, buildActor } from './identity.service.ts';
import {
  formatSecret,
  hashRecoveryCode,
  looksLikeRecoveryCode,
  newRecoveryCodes,
  newTotpSecret,
  otpauthUri,
  qrCodeDataUrl,
  verifyTotp,
} from './mfa.ts';
import { dummyPasswordHash, hashPassword, passwordProblems, verifyPassword } from './passwords.ts';
import { hashToken } from './tokens.ts';

/** A partial session (after the password) lasts at most this long. */
const PARTIAL_SESSION_MS = 15 * 60_000;
/** last_seen_at is written at most once a minute per session. */
const TOUCH_EVERY_MS = 60_000;

export interface SessionInfo {
  sessionId: string;
  userId: string;
  email: string;
  name: string;
  state: SessionState;
  /** Set only for a fully signed-in session. */
  actor: Actor | null;
}

export type SignInOutcome = { ok: true; token: string; state: SessionState } | { ok: false };

export interface EnrolmentView {
  secret: string;
  secretGrouped: string;
  qrCode: string;
  account: string;
}

export interface OneTimeLinkView {
  purpose: OneTimeTokenPurpose;
  email: string;
  name: string;
  /** True when the user must also give a code from their authenticator app (a reset never bypasses MFA). */
  needsMfaCode: boolean;
}

type UserRow = NonNullable<Awaited<ReturnType<typeof usersRepository.byIdAnyOrg>>>;

const SYSTEM_LABEL = (label: string): AuditActor => ({ userId: null, label, organisationId: null });

export class AuthService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly mailer: Mailer,
    private readonly config: IdentityConfig,
    private readonly settings: { serviceName: string; publicUrl: string },
  ) {}

  // ------------------------------------------------------------------------------------------ sign-in

  /**
   * First factor. Always verifies an argon2 hash (a dummy one for an unknown email) and always writes one audit
   * event, so the outcome cannot be told apart by timing. `previousToken` is the caller's current session, which
   * is ended (a new session id at every sign-in).
   */
  async signInWithPassword(
    emailInput: string,
    password: string,
    meta: { userAgent: string | null; previousToken: string | null },
  ): Promise<SignInOutcome> {
    const email = emailInput.trim().toLowerCase();
    const now = this.clock.now();
    return this.tx(async (trx, outbox) => {
      await this.endByToken(trx, meta.previousToken, 'replaced');
      const user =
        email.length > 0 && email.length <= 254 ? await usersRepository.byEmail(trx, email) : undefined;
      const stored = user?.password_hash ?? (await dummyPasswordHash());
      const passwordOk = (await verifyPassword(stored, password)) && Boolean(user?.password_hash);
      if (!user) {
        await this.audit.record(trx, {
          actor: SYSTEM_LABEL(`sign-in:${email.slice(0, 254)}`),
          action: 'auth.sign_in_failed',
          subjectType: 'email',
          subjectId: email.slice(0, 254),
          details: { reason: 'unknown_email' },
        });
        return { ok: false };
      }
      const refusal = this.refusalReason(user, now);
      if (refusal || !passwordOk) {
        const reason = refusal ?? 'wrong_password';
        // Attempts refused because the account is throttled or locked are not counted again.
        if (reason === 'wrong_password') await this.countFailure(trx, outbox, user, now, 'password');
        else
          await this.audit.record(trx, {
            actor: { userId: user.id, label: user.email, organisationId: user.organisation_id },
            action: 'auth.sign_in_failed',
            subjectType: 'user',
            subjectId: user.id,
            details: { reason },
          });
        return { ok: false };
      }
      const org = await organisationsRepository.byId(trx, user.organisation_id);
      const state = this.stateAfterPassword(user, org?.type ?? '', org?.mfa_policy ?? 'all');
      await usersRepository.update(trx, [user.organisation_id], user.id, {
        failed_attempts: 0,
        locked_until: null,
        ...(state === 'active' ? { last_sign_in_at: now } : {}),
      });
      const token = await this.openSession(trx, user, state, now, meta.userAgent);
      await this.audit.record(trx, {
        actor: { userId: user.id, label: user.email, organisationId: user.organisation_id },
        action: state === 'active' ? 'auth.signed_in' : 'auth.password_verified',
        subjectType: 'user',
        subjectId: user.id,
        details: { next: state, factors: ['password'] },
      });
      return { ok: true, token, state };
    });
  }

  /** Second factor: a TOTP code or a recovery code, for a session in state 'password'. */
  async verifySecondFactor(
    token: string,
    codeInput: string,
    meta: { userAgent: string | null },
  ): Promise<SignInOutcome> {
    const now = this.clock.now();
    const code = codeInput.trim().replace(/\s/g, '');
    return this.tx(async (trx, outbox) => {
      const s = await this.liveSession(trx, token, now);
      if (!s || s.row.state !== 'password') return { ok: false };
      const user = await usersRepository.byIdAnyOrg(trx, s.row.user_id);
      if (!user || !user.totp_secret || this.refusalReason(user, now)) return { ok: false };
      let method: 'totp' | 'recovery_code' | null = null;
      let step: number | null = null;
      if (/^\d{6}$/.test(code)) {
        step = await verifyTotp(user.totp_secret, code, now, user.totp_last_step);
        if (step !== null) method = 'totp';
      } else if (looksLikeRecoveryCode(code)) {
        if (await recoveryCodesRepository.use(trx, user.id, hashRecoveryCode(code), now))
          method = 'recovery_code';
      }
      if (!method) {
        await this.countFailure(trx, outbox, user, now, 'second_factor');
        return { ok: false };
      }
      const next: SessionState = user.password_must_change ? 'change_password' : 'active';
      await usersRepository.update(trx, [user.organisation_id], user.id, {
        failed_attempts: 0,
        locked_until: null,
        ...(step !== null ? { totp_last_step: String(step) } : {}),
        ...(next === 'active' ? { last_sign_in_at: now } : {}),
      });
      await sessionsRepository.end(trx, s.row.session_id, now, 'replaced');
      const newToken = await this.openSession(trx, user, next, now, meta.userAgent);
      const actor = this.userAuditActor(user);
      if (method === 'recovery_code') {
        await this.audit.record(trx, {
          actor,
          action: 'auth.recovery_code_used',
          subjectType: 'user',
          subjectId: user.id,
          details: { remaining: await recoveryCodesRepository.remaining(trx, user.id) },
        });
      }
      await this.audit.record(trx, {
        actor,
        action: next === 'active' ? 'auth.signed_in' : 'auth.mfa_verified',
        subjectType: 'user',
        subjectId: user.id,
        details: { factors: ['password', method], next },
      });
      return { ok: true, token: newToken, state: next };
    });
  }

  /** The enrolment page for a session in state 'enrol': a new pending secret (kept until confirmed). */
  async enrolment(token: string): Promise<EnrolmentView | null> {
    const now = this.clock.now();
    return this.tx(async (trx) => {
      const s = await this.liveSession(trx, token, now);
      if (!s || s.row.state !== 'enrol') return null;
      const user = await usersRepository.byIdAnyOrg(trx, s.row.user_id);
      if (!user) return null;
      let secret = user.totp_pending_secret;
      if (!secret) {
        secret = newTotpSecret();
        await usersRepository.update(trx, [user.organisation_id], user.id, { totp_pending_secret: secret });
      }
      const uri = otpauthUri(secret, this.settings.serviceName, user.email);
      return {
        secret,
        secretGrouped: formatSecret(secret),
        qrCode: await qrCodeDataUrl(uri),
        account: user.email,
      };
    });
  }

  /**
   * Confirms enrolment with a code from the new authenticator; returns ten recovery codes (shown once) and a new
   * session id.
   */
  async confirmEnrolment(
    token: string,
    codeInput: string,
    meta: { userAgent: string | null },
  ): Promise<{ ok: true; token: string; state: SessionState; recoveryCodes: string[] } | { ok: false }> {
    const now = this.clock.now();
    const code = codeInput.trim().replace(/\s/g, '');
    return this.tx(async (trx, outbox) => {
      const s = await this.liveSession(trx, token, now);
      if (!s || s.row.state !== 'enrol') return { ok: false };
      const user = await usersRepository.byIdAnyOrg(trx, s.row.user_id);
      if (!user || !user.totp_pending_secret || this.refusalReason(user, now)) return { ok: false };
      const step = await verifyTotp(user.totp_pending_secret, code, now, null);
      if (step === null) {
        await this.countFailure(trx, outbox, user, now, 'enrolment_code');
        return { ok: false };
      }
      const codes = newRecoveryCodes();
      await recoveryCodesRepository.replaceAll(
        trx,
        user.id,
        user.organisation_id,
        codes.map(hashRecoveryCode),
        now,
      );
      const next: SessionState = user.password_must_change ? 'change_password' : 'active';
      await usersRepository.update(trx, [user.organisation_id], user.id, {
        totp_secret: user.totp_pending_secret,
        totp_pending_secret: null,
        totp_enrolled_at: now,
        totp_last_step: String(step),
        failed_attempts: 0,
        ...(next === 'active' ? { last_sign_in_at: now } : {}),
      });
      await sessionsRepository.end(trx, s.row.session_id, now, 'replaced');
      const newToken = await this.openSession(trx, user, next, now, meta.userAgent);
      const actor = this.userAuditActor(user);
      await this.audit.record(
        trx,
        {
          actor,
          action: 'auth.mfa_enrolled',
          subjectType: 'user',
          subjectId: user.id,
          details: { method: 'totp', recovery_codes: codes.length },
        },
        {
          actor,
          action: next === 'active' ? 'auth.signed_in' : 'auth.mfa_verified',
          subjectType: 'user',
          subjectId: user.id,
          details: { factors: ['password', 'totp'], next },
        },
      );
      return { ok: true, token: newToken, state: next, recoveryCodes: codes };
    });
  }

  /**
   * Changes the password: the current password and a new one that meets the policy. Ends every other session of
   * the user and gives this one a new id. Used both when a change is forced and from the account page.
   */
  async changePassword(
    token: string,
    current: string,
    next: string,
    confirm: string,
    meta: { userAgent: string | null },
  ): Promise<{ token: string }> {
    const now = this.clock.now();
    const result = await this.tx(async (trx, outbox): Promise<{ token: string } | FieldError[]> => {
      const s = await this.liveSession(trx, token, now);
      if (!s || (s.row.state !== 'change_password' && s.row.state !== 'active')) {
        return [{ field: 'current', message: 'Sign in again to change your password' }];
      }
      const user = await usersRepository.byIdAnyOrg(trx, s.row.user_id);
      if (!user || !user.password_hash)
        return [{ field: 'current', message: 'Sign in again to change your password' }];
      const errors: FieldError[] = [];
      if (!(await verifyPassword(user.password_hash, current))) {
        errors.push({ field: 'current', message: 'Your current password is not correct' });
      }
      errors.push(...this.newPasswordProblems(next, confirm, user.email));
      if (!errors.some((e) => e.field !== 'current') && current === next) {
        errors.push({
          field: 'password',
          message: 'Your new password must be different from your current one',
        });
      }
      if (errors.length > 0) {
        if (errors.some((e) => e.field === 'current'))
          await this.countFailure(trx, outbox, user, now, 'password_change');
        return errors;
      }
      await usersRepository.update(trx, [user.organisation_id], user.id, {
        password_hash: await hashPassword(next),
        password_must_change: false,
        password_changed_at: now,
        failed_attempts: 0,
        updated_at: now,
        ...(s.row.state === 'change_password' ? { last_sign_in_at: now } : {}),
      });
      const ended = await sessionsRepository.endAllForUser(trx, user.id, now, 'password_changed');
      const newToken = await this.openSession(trx, user, 'active', now, meta.userAgent);
      await this.audit.record(trx, {
        actor: this.userAuditActor(user),
        action: 'auth.password_changed',
        subjectType: 'user',
        subjectId: user.id,
        details: { forced: s.row.state === 'change_password', other_sessions_ended: Math.max(0, ended - 1) },
      });
      outbox.push(
        this.message(user.email, 'Your password was changed', [
          `Hello ${user.name},`,
          '',
          `The password for your ${this.settings.serviceName} account was changed, and your other sessions were signed out.`,
          'If you did not do this, contact your Local Security Officer or the service desk now.',
        ]),
      );
      return { token: newToken };
    });
    if (Array.isArray(result)) throw new ValidationError('Your password was not changed', result);
    return result;
  }

  // ------------------------------------------------------------------------------------------ sessions

  /**
   * Resolves a session cookie: null when unknown, ended, idle too long, past its absolute lifetime, or when the
   * user is no longer active. Reads the user's roles now.
   */
  async resolveSession(token: string): Promise<SessionInfo | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const now = this.clock.now();
    return this.tx(async (trx) => {
      const s = await this.liveSession(trx, token, now);
      if (!s) return null;
      const row = s.row;
      if (now.getTime() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
        await sessionsRepository.touch(trx, row.session_id, now);
      }
      const actor = row.state === 'active' ? await buildActor(trx, row, 'session', null) : null;
      return {
        sessionId: row.session_id,
        userId: row.user_id,
        email: row.email,
        name: row.name,
        state: row.state,
        actor,
      };
    });
  }

  async signOut(token: string): Promise<void> {
    const now = this.clock.now();
    await this.tx(async (trx) => {
      const s = await sessionsRepository.findForAuth(trx, hashToken(token));
      if (!s || s.ended_at) return;
      await sessionsRepository.end(trx, s.session_id, now, 'signed_out');
      await this.audit.record(trx, {
        actor: { userId: s.user_id, label: s.email, organisationId: s.organisation_id },
        action: 'auth.signed_out',
        subjectType: 'user',
        subjectId: s.user_id,
        details: { session_id: s.session_id },
      });
    });
  }

  /** Ends every session of the signed-in user, this one included. */
  async signOutEverywhere(actor: Actor): Promise<number> {
    const now = this.clock.now();
    return this.tx(async (trx) => {
      const n = await sessionsRepository.endAllForUser(trx, actor.userId, now, 'signed_out_everywhere');
      await this.audit.record(trx, {
        actor: auditActorOf(actor),
        action: 'auth.signed_out_everywhere',
        subjectType: 'user',
        subjectId: actor.userId,
        details: { sessions_ended: n },
      });
      return n;
    });
  }

  async openSessions(actor: Actor) {
    const now = this.clock.now();
    return inScope(this.db, SYSTEM_SCOPE, (trx) =>
      sessionsRepository.openForUser(trx, actor.userId, now, this.config.sessionIdleMinutes * 60_000),
    );
  }

  // ------------------------------------------------------------------------------------------ reset and invitation

  /**
   * Sends a single-use reset link when the email belongs to an active person's account. The caller always shows
   * the same confirmation, so the response does not reveal whether an account exists.
   */
  async requestPasswordReset(emailInput: string): Promise<void> {
    const email = emailInput.trim().toLowerCase();
    const now = this.clock.now();
    await this.tx(async (trx, outbox) => {
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
        this.config.passwordResetMinutes * 60_000,
        now,
      );
      await this.audit.record(trx, {
        actor: this.userAuditActor(user),
        action: 'auth.password_reset_requested',
        subjectType: 'user',
        subjectId: user.id,
        details: { sent: true, expires_minutes: this.config.passwordResetMinutes },
      });
      outbox.push({
        to: user.email,
        subject: 'Reset your password',
        text: [
          `Hello ${user.name},`,
          '',
          `Someone asked to reset the password for your ${this.settings.serviceName} account.`,
          `Use this link within ${this.config.passwordResetMinutes} minutes. It works once:`,
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
    return `${this.settings.publicUrl}${path}${token}`;
  }

  /** What a reset or invitation link is for, or null when it is unknown, used or expired. */
  async checkLink(purpose: OneTimeTokenPurpose, token: string): Promise<OneTimeLinkView | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const now = this.clock.now();
    return this.tx(async (trx) => {
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
    const now = this.clock.now();
    const expired = 'This link has expired or has already been used';
    const result = await this.tx(async (trx, outbox): Promise<{ email: string } | FieldError[]> => {
      const found = /^[A-Za-z0-9_-]{43}$/.test(token)
        ? await this.usableLink(trx, purpose, token, now)
        : null;
      if (!found) return [{ field: 'link', message: expired }];
      const { user, linkId } = found;
      const errors = this.newPasswordProblems(input.password, input.confirm, user.email);
      let step: number | null = null;
      if (user.totp_secret) {
        const code = input.code.trim().replace(/\s/g, '');
        let ok = false;
        if (this.refusalReason(user, now) === 'throttled') ok = false;
        else if (/^\d{6}$/.test(code)) {
          step = await verifyTotp(user.totp_secret, code, now, user.totp_last_step);
          ok = step !== null;
        } else if (looksLikeRecoveryCode(code)) {
          ok = await recoveryCodesRepository.use(trx, user.id, hashRecoveryCode(code), now);
        }
        if (!ok) {
          errors.push({
            field: 'code',
            message: 'Enter the 6-digit code from your authenticator app, or one of your recovery codes',
          });
          await this.countFailure(trx, outbox, user, now, 'reset_code');
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
        actor: this.userAuditActor(user),
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

  private async liveSession(trx: Tx, token: string, now: Date) {
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

  private async openSession(
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

  private async endByToken(trx: Tx, token: string | null, reason: string) {
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return;
    const s = await sessionsRepository.findForAuth(trx, hashToken(token));
    if (s && !s.ended_at) await sessionsRepository.end(trx, s.session_id, this.clock.now(), reason);
  }

  private stateAfterPassword(user: UserRow, orgType: string, mfaPolicy: string): SessionState {
    const mfaRequired = orgType === 'cdsp' || user.roles.includes('lso') || mfaPolicy === 'all';
    if (user.totp_secret) return 'password';
    if (mfaRequired) return 'enrol';
    if (user.password_must_change) return 'change_password';
    return 'active';
  }

  /** Why an account may not sign in now, whatever the password: null when it may. */
  private refusalReason(
    user: UserRow,
    now: Date,
  ): 'disabled' | 'locked' | 'throttled' | 'no_password' | null {
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
  private effectiveFailures(user: UserRow, now: Date): number {
    if (user.locked_until && user.locked_until.getTime() <= now.getTime()) return 0;
    return user.failed_attempts;
  }

  /** Runs `fn` in one system-scope transaction, then sends the mail it queued (only once it has committed). */
  private async tx<T>(fn: (trx: Tx, outbox: MailMessage[]) => Promise<T>): Promise<T> {
    const outbox: MailMessage[] = [];
    const result = await inScope(this.db, SYSTEM_SCOPE, (trx) => fn(trx, outbox));
    for (const m of outbox) await this.mailer.send(m);
    return result;
  }

  private async countFailure(trx: Tx, outbox: MailMessage[], user: UserRow, now: Date, factor: string) {
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
    const actor = this.userAuditActor(user);
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

  private userAuditActor(user: { id: string; email: string; organisation_id: string }): AuditActor {
    return { userId: user.id, label: user.email, organisationId: user.organisation_id };
  }

  newPasswordProblems(password: string, confirm: string, email: string): FieldError[] {
    const errors = passwordProblems(password, email).map((message) => ({ field: 'password', message }));
    if (password !== confirm) errors.push({ field: 'confirm', message: 'The passwords do not match' });
    return errors;
  }

  private message(to: string, subject: string, lines: string[]): MailMessage {
    return { to, subject, text: lines.join('\n') };
  }
}
