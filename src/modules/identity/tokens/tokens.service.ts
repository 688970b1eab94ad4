/**
 * API keys: the rules. A key belongs to a user; scopes narrow it, and it never grants more than its user's roles
 * at the moment it is used. Its expiry is a date: the key works all day on that date (Europe/London) and stops at
 * the start of the next day. The web form, the API and the command line all pass the date through here.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE, type Tx } from '../../../platform/db/scope.ts';
import { NotFoundError, ValidationError, type FieldError } from '../../../platform/errors.ts';
import {
  addCalendarDays,
  isIsoDate,
  londonDateOf,
  londonStartOfDay,
} from '../../../platform/time/calendar.ts';
import type { AuditActor, AuditService } from '../../audit/index.ts';
import { actorOf, auditActorOf, type Actor } from '../actor.ts';
import { usersRepository } from '../identity.repository.ts';
import { narrowByScopes, TOKEN_SCOPES, type TokenScope } from '../permissions.ts';
import { hashToken, looksLikeToken, newToken } from './token-secrets.ts';
import { tokensRepository } from './tokens.repository.ts';

export interface KeyInput {
  label?: string | null;
  scopes?: readonly string[] | null;
  /**
   * The last day the key works, 'YYYY-MM-DD' (Europe/London). An ISO date-time is accepted too: its London date
   * counts. Empty or absent: the key does not expire.
   */
  expiresOn?: string | null;
}

export interface NewToken extends KeyInput {
  email: string;
}

export interface ApiKeyView {
  id: string;
  label: string;
  prefix: string;
  scopes: string[] | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

const EXPIRY_FORMAT = 'Enter the expiry date as YYYY-MM-DD, for example 2027-03-31';
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * The instant a key with expiry date `expiresOn` stops working: the start of the next day in London. Returns
 * null for no expiry; pushes an error when the date is not one, or the key would already have expired at `now`.
 */
export function keyExpiry(
  expiresOn: string | null | undefined,
  now: Date,
  errors: FieldError[],
): Date | null {
  const input = expiresOn?.trim() ?? '';
  if (!input) return null;
  let date: string | null = isIsoDate(input) ? input : null;
  if (!date && DATE_TIME.test(input) && !Number.isNaN(Date.parse(input)))
    date = londonDateOf(new Date(input));
  // The key stops at the start of the next day, which must still be a date (a four-digit year).
  if (!date || date > '9999-12-30') {
    errors.push({ field: 'expires', message: EXPIRY_FORMAT });
    return null;
  }
  const expiresAt = londonStartOfDay(addCalendarDays(date, 1));
  if (expiresAt.getTime() <= now.getTime())
    errors.push({ field: 'expires', message: 'Expiry must be in the future' });
  return expiresAt;
}

export function toKeyView(r: {
  id: string;
  label: string;
  token_prefix: string;
  scopes: string[] | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}): ApiKeyView {
  return {
    id: r.id,
    label: r.label,
    prefix: r.token_prefix,
    scopes: r.scopes,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}

export class TokensService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /** Creates an API key for a user; the plaintext is returned once and never stored. */
  async createToken(input: NewToken, by: AuditActor): Promise<{ id: string; token: string }> {
    const errors: FieldError[] = [];
    const label = input.label?.trim() || 'API token';
    if (label.length > 100) errors.push({ field: 'name', message: 'Label must be 100 characters or fewer' });
    let scopes: TokenScope[] | null = null;
    if (input.scopes && input.scopes.length > 0) {
      scopes = [];
      for (const s of input.scopes) {
        if (!(TOKEN_SCOPES as readonly string[]).includes(s))
          errors.push({ field: 'scopes', message: `Unknown scope '${s}'` });
        else if (!scopes.includes(s as TokenScope)) scopes.push(s as TokenScope);
      }
    }
    const now = this.clock.now();
    const expiresAt = keyExpiry(input.expiresOn, now, errors);
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const user = await usersRepository.byEmail(trx, input.email.trim().toLowerCase());
      if (!user) errors.push({ field: 'email', message: `No user has email ${input.email}` });
      else if (user.status !== 'active')
        errors.push({ field: 'email', message: `User ${user.email} is ${user.status}` });
      if (errors.length > 0 || !user) throw new ValidationError('The token was not created', errors);
      const t = newToken();
      const row = await tokensRepository.insert(trx, {
        user_id: user.id,
        organisation_id: user.organisation_id,
        label,
        token_hash: t.hash,
        token_prefix: t.displayPrefix,
        scopes,
        created_at: now,
        expires_at: expiresAt,
      });
      await this.audit.record(trx, {
        actor: by,
        action: 'api_token.created',
        subjectType: 'api_token',
        subjectId: row.id,
        details: { user_id: user.id, label, scopes, expires_at: expiresAt?.toISOString() ?? null },
      });
      return { id: row.id, token: t.token };
    });
  }

  /** Creates a key for `user` and returns it as listed, with the plaintext (shown once). */
  async createKeyFor(
    user: { email: string; id: string; organisationIds: readonly string[] },
    input: KeyInput,
    by: AuditActor,
  ): Promise<{ key: ApiKeyView; token: string }> {
    const created = await this.createToken({ ...input, email: user.email }, by);
    const key = (await this.listKeys(user.organisationIds, user.id)).find((k) => k.id === created.id);
    if (!key) throw new NotFoundError('No such API key');
    return { key, token: created.token };
  }

  /** A user's keys, newest first, within the given organisations. */
  async listKeys(organisationIds: readonly string[], userId: string): Promise<ApiKeyView[]> {
    return inScope(this.db, { kind: 'organisations', organisationIds }, async (trx) =>
      (await tokensRepository.listForUser(trx, organisationIds, userId)).map(toKeyView),
    );
  }

  /**
   * Revokes a key of the given organisations (and, when `userId` is given, of that user), with its audit event;
   * NotFoundError when there is no such live key.
   */
  async revokeIn(
    trx: Tx,
    organisationIds: readonly string[],
    tokenId: string,
    by: AuditActor,
    userId: string | null = null,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    const row = await tokensRepository.revoke(trx, organisationIds, tokenId, this.clock.now(), userId);
    if (!row) throw new NotFoundError('No such API key');
    await this.audit.record(trx, {
      actor: by,
      action: 'api_token.revoked',
      subjectType: 'api_token',
      subjectId: row.id,
      details: { user_id: row.user_id, ...details },
    });
  }

  async revokeToken(tokenId: string, by: AuditActor & { organisationIds: readonly string[] }): Promise<void> {
    await inScope(this.db, { kind: 'organisations', organisationIds: by.organisationIds }, (trx) =>
      this.revokeIn(trx, by.organisationIds, tokenId, by),
    );
  }

  /**
   * Resolves a bearer token to an Actor, or null when it is unknown, revoked, expired, or its user is not
   * active. The user's roles are read now, so a key never grants more than its user has at this moment.
   */
  async authenticateToken(token: string): Promise<Actor | null> {
    if (!looksLikeToken(token)) return null;
    const row = await tokensRepository.actorFor(this.db, hashToken(token), this.clock.now());
    if (!row) return null;
    const actor = actorOf(row, 'token', row.token_id);
    actor.permissions = narrowByScopes(actor.permissions, (row.scopes as TokenScope[] | null) ?? null);
    return actor;
  }

  /** The caller's own API keys. */
  async listOwnTokens(actor: Actor): Promise<ApiKeyView[]> {
    return this.listKeys([actor.organisationId], actor.userId);
  }

  /** Creates a key for the caller; the plaintext is returned once. */
  async createOwnToken(actor: Actor, input: KeyInput): Promise<{ key: ApiKeyView; token: string }> {
    return this.createKeyFor(
      { email: actor.email, id: actor.userId, organisationIds: [actor.organisationId] },
      input,
      auditActorOf(actor),
    );
  }

  async revokeOwnToken(actor: Actor, tokenId: string): Promise<void> {
    const orgs = [actor.organisationId];
    await inScope(this.db, { kind: 'organisations', organisationIds: orgs }, (trx) =>
      this.revokeIn(trx, orgs, tokenId, auditActorOf(actor), actor.userId),
    );
  }
}
