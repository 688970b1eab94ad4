/**
 * Sign-in, MFA and sessions: the rules.
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
import { ValidationError, type FieldError } from '../../../platform/errors.ts';
import type { AuditActor, AuditService } from '../../audit/index.ts';
import { auditActorOf, auditActorOfUser, buildActor, type Actor } from '../actor.ts';
import { organisationsRepository, usersRepository } from '../identity.repository.ts';
import type { SessionState } from '../identity.tables.ts';
import { hashToken } from '../tokens/token-secrets.ts';
import { recoveryCodesRepository, sessionsRepository } from './auth.repository.ts';
import {
  formatSecret,
  hashRecoveryCode,
  newRecoveryCodes,
  newTotpSecret,
  otpauthUri,
  qrCodeDataUrl,
  verifyTotp,
} from './mfa.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import { OPAQUE_TOKEN, type SignInGuard, type UserRow } from './sign-in-guard.ts';

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

const SYSTEM_LABEL = (label: string): AuditActor => ({ userId: null, label, organisationId: null });

export class AuthService {
  constructor(
    private readonly g: SignInGuard,
    private readonly audit: AuditService,
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
    const now = this.g.clock.now();
    return this.g.tx(async (trx, outbox) => {
      await this.g.endByToken(trx, meta.previousToken, 'replaced');
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
      const refusal = this.g.refusalReason(user, now);
      if (refusal || !passwordOk) {
        const reason = refusal ?? 'wrong_password';
        // Attempts refused because the account is throttled or locked are not counted again.
        if (reason === 'wrong_password') await this.g.countFailure(trx, outbox, user, now, 'password');
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
      const token = await this.g.openSession(trx, user, state, now, meta.userAgent);
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
    const now = this.g.clock.now();
    return this.g.tx(async (trx, outbox) => {
      const s = await this.g.liveSession(trx, token, now);
      if (!s || s.row.state !== 'password') return { ok: false };
      const user = await usersRepository.byIdAnyOrg(trx, s.row.user_id);
      if (!user || !user.totp_secret || this.g.refusalReason(user, now)) return { ok: false };
      const matched = await this.g.secondFactor(trx, user, codeInput, now);
      const method = matched?.method ?? null;
      const step = matched?.step ?? null;
      if (!method) {
        await this.g.countFailure(trx, outbox, user, now, 'second_factor');
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
      const newToken = await this.g.openSession(trx, user, next, now, meta.userAgent);
      const actor = auditActorOfUser(user);
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
    const now = this.g.clock.now();
    return this.g.tx(async (trx) => {
      const s = await this.g.liveSession(trx, token, now);
      if (!s || s.row.state !== 'enrol') return null;
      const user = await usersRepository.byIdAnyOrg(trx, s.row.user_id);
      if (!user) return null;
      let secret = user.totp_pending_secret;
      if (!secret) {
        secret = newTotpSecret();
        await usersRepository.update(trx, [user.organisation_id], user.id, { totp_pending_secret: secret });
      }
      const uri = otpauthUri(secret, this.g.settings.serviceName, user.email);
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
    const now = this.g.clock.now();
    const code = codeInput.trim().replace(/\s/g, '');
    return this.g.tx(async (trx, outbox) => {
      const s = await this.g.liveSession(trx, token, now);
      if (!s || s.row.state !== 'enrol') return { ok: false };
      const user = await usersRepository.byIdAnyOrg(trx, s.row.user_id);
      if (!user || !user.totp_pending_secret || this.g.refusalReason(user, now)) return { ok: false };
      const step = await verifyTotp(user.totp_pending_secret, code, now, null);
      if (step === null) {
        await this.g.countFailure(trx, outbox, user, now, 'enrolment_code');
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
      const newToken = await this.g.openSession(trx, user, next, now, meta.userAgent);
      const actor = auditActorOfUser(user);
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
    const now = this.g.clock.now();
    const result = await this.g.tx(async (trx, outbox): Promise<{ token: string } | FieldError[]> => {
      const s = await this.g.liveSession(trx, token, now);
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
      errors.push(...this.g.newPasswordProblems(next, confirm, user.email));
      if (!errors.some((e) => e.field !== 'current') && current === next) {
        errors.push({
          field: 'password',
          message: 'Your new password must be different from your current one',
        });
      }
      if (errors.length > 0) {
        if (errors.some((e) => e.field === 'current'))
          await this.g.countFailure(trx, outbox, user, now, 'password_change');
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
      const newToken = await this.g.openSession(trx, user, 'active', now, meta.userAgent);
      await this.audit.record(trx, {
        actor: auditActorOfUser(user),
        action: 'auth.password_changed',
        subjectType: 'user',
        subjectId: user.id,
        details: { forced: s.row.state === 'change_password', other_sessions_ended: Math.max(0, ended - 1) },
      });
      outbox.push(
        this.g.message(user.email, 'Your password was changed', [
          `Hello ${user.name},`,
          '',
          `The password for your ${this.g.settings.serviceName} account was changed, and your other sessions were signed out.`,
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
    if (!OPAQUE_TOKEN.test(token)) return null;
    const now = this.g.clock.now();
    return this.g.tx(async (trx) => {
      const s = await this.g.liveSession(trx, token, now);
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
    const now = this.g.clock.now();
    await this.g.tx(async (trx) => {
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
    const now = this.g.clock.now();
    return this.g.tx(async (trx) => {
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
    const now = this.g.clock.now();
    return this.g.tx((trx) =>
      sessionsRepository.openForUser(trx, actor.userId, now, this.g.config.sessionIdleMinutes * 60_000),
    );
  }

  // ------------------------------------------------------------------------------------------ internals

  private stateAfterPassword(user: UserRow, orgType: string, mfaPolicy: string): SessionState {
    const mfaRequired = orgType === 'cdsp' || user.roles.includes('lso') || mfaPolicy === 'all';
    if (user.totp_secret) return 'password';
    if (mfaRequired) return 'enrol';
    if (user.password_must_change) return 'change_password';
    return 'active';
  }
}
