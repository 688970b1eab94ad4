/**
 * SQL for organisations, users, API tokens, sessions, recovery codes and one-time tokens. Every read of a user or
 * token runs in a scoped transaction, and methods that act for a caller take the organisations it may touch.
 */
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/scope.ts';
import type { OneTimeTokenPurpose, SessionState } from './identity.tables.ts';

export const organisationsRepository = {
  async byShortCode(trx: Tx, shortCode: string) {
    return trx
      .selectFrom('identity.organisations')
      .selectAll()
      .where('short_code', '=', shortCode)
      .executeTakeFirst();
  },
  async byId(trx: Tx, id: string) {
    return trx.selectFrom('identity.organisations').selectAll().where('id', '=', id).executeTakeFirst();
  },
  async typeExists(trx: Tx, type: string): Promise<boolean> {
    const r = await trx
      .selectFrom('ref.organisation_types')
      .select('code')
      .where('code', '=', type)
      .executeTakeFirst();
    return r !== undefined;
  },
  async insert(
    trx: Tx,
    o: {
      name: string;
      type: string;
      short_code: string;
      parent_id: string | null;
      network_name: string | null;
      created_at: Date;
    },
  ) {
    return trx.insertInto('identity.organisations').values(o).returningAll().executeTakeFirstOrThrow();
  },
  /** The organisation and all its descendants (group children, grandchildren, ...). */
  async withDescendants(trx: Tx, id: string): Promise<string[]> {
    const rows = await trx
      .withRecursive('tree(id)', (qb) =>
        qb
          .selectFrom('identity.organisations')
          .select('id')
          .where('id', '=', id)
          .unionAll((u) =>
            u
              .selectFrom('identity.organisations as o')
              .innerJoin('tree', 'tree.id', 'o.parent_id')
              .select('o.id'),
          ),
      )
      .selectFrom('tree')
      .select('id')
      .execute();
    return rows.map((r) => r.id);
  },
  async list(trx: Tx) {
    return trx.selectFrom('identity.organisations').selectAll().orderBy('short_code').execute();
  },
  async listIn(trx: Tx, ids: readonly string[]) {
    if (ids.length === 0) return [];
    return trx
      .selectFrom('identity.organisations as o')
      .innerJoin('ref.organisation_types as t', 't.code', 'o.type')
      .selectAll('o')
      .select(['t.cms_access', 't.des_access'])
      .where('o.id', 'in', ids)
      .orderBy('o.short_code')
      .execute();
  },
  async setMfaPolicy(trx: Tx, id: string, policy: 'all' | 'privileged') {
    await trx
      .updateTable('identity.organisations')
      .set({ mfa_policy: policy })
      .where('id', '=', id)
      .execute();
  },
};

export const usersRepository = {
  async byEmail(trx: Tx, email: string) {
    return trx
      .selectFrom('identity.users')
      .selectAll()
      .where('email', '=', email)
      .where('status', '<>', 'deleted')
      .executeTakeFirst();
  },
  async byId(trx: Tx, organisationIds: readonly string[], id: string) {
    return trx
      .selectFrom('identity.users')
      .selectAll()
      .where('id', '=', id)
      .where('organisation_id', 'in', organisationIds)
      .executeTakeFirst();
  },
  async insert(
    trx: Tx,
    u: {
      organisation_id: string;
      email: string;
      name: string;
      roles: string[];
      password_hash: string | null;
      created_at: Date;
      updated_at: Date;
      service_account?: boolean;
      group_visibility?: boolean;
      invited_at?: Date | null;
    },
  ) {
    return trx
      .insertInto('identity.users')
      .values({ ...u, recertified_at: u.created_at })
      .returningAll()
      .executeTakeFirstOrThrow();
  },
  /** Any user by id (system scope: sign-in and sessions, where the caller is not yet known). */
  async byIdAnyOrg(trx: Tx, id: string) {
    return trx.selectFrom('identity.users').selectAll().where('id', '=', id).executeTakeFirst();
  },
  /** A user that is not deleted, within the given organisations, with its organisation. */
  async managedById(trx: Tx, organisationIds: readonly string[], id: string) {
    if (organisationIds.length === 0) return undefined;
    return trx
      .selectFrom('identity.users as u')
      .innerJoin('identity.organisations as o', 'o.id', 'u.organisation_id')
      .selectAll('u')
      .select([
        'o.name as organisation_name',
        'o.short_code as organisation_short_code',
        'o.type as organisation_type',
      ])
      .where('u.id', '=', id)
      .where('u.organisation_id', 'in', organisationIds)
      .where('u.status', '<>', 'deleted')
      .executeTakeFirst();
  },
  async list(trx: Tx, organisationIds: readonly string[], q: string | null, limit: number) {
    if (organisationIds.length === 0) return [];
    let query = trx
      .selectFrom('identity.users as u')
      .innerJoin('identity.organisations as o', 'o.id', 'u.organisation_id')
      .selectAll('u')
      .select([
        'o.name as organisation_name',
        'o.short_code as organisation_short_code',
        'o.type as organisation_type',
      ])
      .where('u.organisation_id', 'in', organisationIds)
      .where('u.status', '<>', 'deleted');
    if (q) {
      const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or([eb('u.email', 'ilike', like), eb('u.name', 'ilike', like)]));
    }
    return query.orderBy('o.short_code').orderBy('u.name').orderBy('u.email').limit(limit).execute();
  },
  async update(
    trx: Tx,
    organisationIds: readonly string[],
    id: string,
    patch: Partial<{
      email: string;
      name: string;
      roles: string[];
      status: 'active' | 'disabled' | 'deleted';
      password_hash: string | null;
      group_visibility: boolean;
      totp_secret: string | null;
      totp_pending_secret: string | null;
      totp_enrolled_at: Date | null;
      totp_last_step: string | null;
      failed_attempts: number;
      last_failed_at: Date | null;
      locked_until: Date | null;
      password_must_change: boolean;
      password_changed_at: Date | null;
      last_sign_in_at: Date | null;
      recertified_at: Date;
      disabled_reason: string | null;
      invited_at: Date | null;
      updated_at: Date;
    }>,
  ) {
    if (organisationIds.length === 0) return undefined;
    return trx
      .updateTable('identity.users')
      .set(patch)
      .where('id', '=', id)
      .where('organisation_id', 'in', organisationIds)
      .returningAll()
      .executeTakeFirst();
  },
  /** Active LSOs (people, not service accounts) of an organisation. */
  async lsosOf(trx: Tx, organisationId: string) {
    return trx
      .selectFrom('identity.users')
      .select(['id', 'name', 'email'])
      .where('organisation_id', '=', organisationId)
      .where('status', '=', 'active')
      .where('service_account', '=', false)
      .where(sql<boolean>`'lso' = ANY(roles)`)
      .orderBy('name')
      .execute();
  },
  /** Active users whose last recertification is at or before the cutoff (system scope: the daily job). */
  async recertificationOverdue(trx: Tx, cutoff: Date) {
    return trx
      .selectFrom('identity.users')
      .selectAll()
      .where('status', '=', 'active')
      .where(sql<Date>`coalesce(recertified_at, created_at)`, '<=', cutoff)
      .orderBy('organisation_id')
      .orderBy('email')
      .execute();
  },
};

export const sessionsRepository = {
  async insert(
    trx: Tx,
    s: {
      token_hash: Buffer;
      user_id: string;
      organisation_id: string;
      state: SessionState;
      created_at: Date;
      last_seen_at: Date;
      expires_at: Date;
      user_agent: string | null;
    },
  ) {
    return trx.insertInto('identity.sessions').values(s).returning(['id']).executeTakeFirstOrThrow();
  },
  /** A session by the hash of its id, with its user and organisation (system scope). */
  async findForAuth(trx: Tx, tokenHash: Buffer) {
    return trx
      .selectFrom('identity.sessions as s')
      .innerJoin('identity.users as u', 'u.id', 's.user_id')
      .innerJoin('identity.organisations as o', 'o.id', 'u.organisation_id')
      .select([
        's.id as session_id',
        's.state',
        's.created_at as session_created_at',
        's.last_seen_at',
        's.expires_at',
        's.ended_at',
        'u.id as user_id',
        'u.email',
        'u.name',
        'u.roles',
        'u.status',
        'u.group_visibility',
        'u.service_account',
        'o.id as organisation_id',
        'o.name as organisation_name',
        'o.type as organisation_type',
        'o.short_code as organisation_short_code',
      ])
      .where('s.token_hash', '=', tokenHash)
      .executeTakeFirst();
  },
  async touch(trx: Tx, id: string, at: Date) {
    await trx.updateTable('identity.sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
  },
  async end(trx: Tx, id: string, at: Date, reason: string) {
    return trx
      .updateTable('identity.sessions')
      .set({ ended_at: at, ended_reason: reason })
      .where('id', '=', id)
      .where('ended_at', 'is', null)
      .returning(['id', 'user_id', 'organisation_id'])
      .executeTakeFirst();
  },
  /** Ends every open session of a user (optionally but one); returns how many were ended. */
  async endAllForUser(trx: Tx, userId: string, at: Date, reason: string, exceptId: string | null = null) {
    let q = trx
      .updateTable('identity.sessions')
      .set({ ended_at: at, ended_reason: reason })
      .where('user_id', '=', userId)
      .where('ended_at', 'is', null);
    if (exceptId) q = q.where('id', '<>', exceptId);
    const rows = await q.returning(['id']).execute();
    return rows.length;
  },
  async openForUser(trx: Tx, userId: string, now: Date, idleMs: number) {
    return trx
      .selectFrom('identity.sessions')
      .select(['id', 'created_at', 'last_seen_at', 'expires_at', 'user_agent', 'state'])
      .where('user_id', '=', userId)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', now)
      .where('last_seen_at', '>', new Date(now.getTime() - idleMs))
      .orderBy('created_at', 'desc')
      .execute();
  },
};

export const recoveryCodesRepository = {
  async replaceAll(trx: Tx, userId: string, organisationId: string, hashes: Buffer[], at: Date) {
    await trx.deleteFrom('identity.recovery_codes').where('user_id', '=', userId).execute();
    if (hashes.length === 0) return;
    await trx
      .insertInto('identity.recovery_codes')
      .values(
        hashes.map((h) => ({
          user_id: userId,
          organisation_id: organisationId,
          code_hash: h,
          created_at: at,
        })),
      )
      .execute();
  },
  /** Marks an unused code as used; returns whether one matched. */
  async use(trx: Tx, userId: string, hash: Buffer, at: Date): Promise<boolean> {
    const row = await trx
      .updateTable('identity.recovery_codes')
      .set({ used_at: at })
      .where('user_id', '=', userId)
      .where('code_hash', '=', hash)
      .where('used_at', 'is', null)
      .returning(['id'])
      .executeTakeFirst();
    return row !== undefined;
  },
  async remaining(trx: Tx, userId: string): Promise<number> {
    const r = await trx
      .selectFrom('identity.recovery_codes')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
};

export const oneTimeTokensRepository = {
  async insert(
    trx: Tx,
    t: {
      purpose: OneTimeTokenPurpose;
      token_hash: Buffer;
      user_id: string;
      organisation_id: string;
      created_at: Date;
      expires_at: Date;
    },
  ) {
    // A new link replaces any earlier unused one for the same purpose.
    await trx
      .updateTable('identity.one_time_tokens')
      .set({ used_at: t.created_at })
      .where('user_id', '=', t.user_id)
      .where('purpose', '=', t.purpose)
      .where('used_at', 'is', null)
      .execute();
    return trx.insertInto('identity.one_time_tokens').values(t).returning(['id']).executeTakeFirstOrThrow();
  },
  async find(trx: Tx, tokenHash: Buffer) {
    return trx
      .selectFrom('identity.one_time_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
  },
  /** Consumes a token exactly once (the row lock makes a concurrent second use fail). */
  async consume(trx: Tx, id: string, at: Date): Promise<boolean> {
    const row = await trx
      .updateTable('identity.one_time_tokens')
      .set({ used_at: at })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', at)
      .returning(['id'])
      .executeTakeFirst();
    return row !== undefined;
  },
  async invalidateForUser(trx: Tx, userId: string, at: Date) {
    await trx
      .updateTable('identity.one_time_tokens')
      .set({ used_at: at })
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .execute();
  },
};

export const tokensRepository = {
  async insert(
    trx: Tx,
    t: {
      user_id: string;
      organisation_id: string;
      label: string;
      token_hash: Buffer;
      token_prefix: string;
      scopes: string[] | null;
      created_at: Date;
      expires_at: Date | null;
    },
  ) {
    return trx.insertInto('identity.api_tokens').values(t).returning(['id']).executeTakeFirstOrThrow();
  },
  /** Resolves a token hash to its token, user and organisation (system scope: the caller is not yet known). */
  async findForAuth(trx: Tx, tokenHash: Buffer) {
    return trx
      .selectFrom('identity.api_tokens as t')
      .innerJoin('identity.users as u', 'u.id', 't.user_id')
      .innerJoin('identity.organisations as o', 'o.id', 'u.organisation_id')
      .select([
        't.id as token_id',
        't.scopes',
        't.expires_at',
        't.revoked_at',
        't.last_used_at',
        'u.id as user_id',
        'u.email',
        'u.name',
        'u.roles',
        'u.status',
        'u.group_visibility',
        'o.id as organisation_id',
        'o.name as organisation_name',
        'o.type as organisation_type',
        'o.short_code as organisation_short_code',
      ])
      .where('t.token_hash', '=', tokenHash)
      .executeTakeFirst();
  },
  async touch(trx: Tx, tokenId: string, at: Date) {
    await trx
      .updateTable('identity.api_tokens')
      .set({ last_used_at: at })
      .where('id', '=', tokenId)
      .execute();
  },
  async listForUser(trx: Tx, organisationIds: readonly string[], userId: string) {
    if (organisationIds.length === 0) return [];
    return trx
      .selectFrom('identity.api_tokens')
      .select([
        'id',
        'user_id',
        'label',
        'token_prefix',
        'scopes',
        'created_at',
        'expires_at',
        'revoked_at',
        'last_used_at',
      ])
      .where('user_id', '=', userId)
      .where('organisation_id', 'in', organisationIds)
      .orderBy('created_at', 'desc')
      .execute();
  },
  async revokeAllForUser(trx: Tx, userId: string, at: Date) {
    await trx
      .updateTable('identity.api_tokens')
      .set({ revoked_at: at })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  },
  async revokeForUser(
    trx: Tx,
    organisationIds: readonly string[],
    userId: string,
    tokenId: string,
    at: Date,
  ) {
    if (organisationIds.length === 0) return undefined;
    return trx
      .updateTable('identity.api_tokens')
      .set({ revoked_at: at })
      .where('id', '=', tokenId)
      .where('user_id', '=', userId)
      .where('organisation_id', 'in', organisationIds)
      .where('revoked_at', 'is', null)
      .returning(['id', 'user_id', 'organisation_id'])
      .executeTakeFirst();
  },
  async revoke(trx: Tx, organisationIds: readonly string[], tokenId: string, at: Date) {
    return trx
      .updateTable('identity.api_tokens')
      .set({ revoked_at: at })
      .where('id', '=', tokenId)
      .where('organisation_id', 'in', organisationIds)
      .where('revoked_at', 'is', null)
      .returning(['id', 'user_id', 'organisation_id'])
      .executeTakeFirst();
  },
};
