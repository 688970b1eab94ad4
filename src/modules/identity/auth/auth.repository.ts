/**
 * SQL for sign-in: sessions, recovery codes and single-use links (password reset, invitation). These run under
 * the system scope: the caller is not yet known when a session or a link is resolved.
 */
import type { Insertable } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import type { Tx } from '../../../platform/db/scope.ts';
import { credentialWithActor } from '../identity.repository.ts';

/** Ends, at `at` and for `reason`, the sessions not ended yet; callers narrow which. */
function endOpenSessions(trx: Tx, at: Date, reason: string) {
  return trx
    .updateTable('identity.sessions')
    .set({ ended_at: at, ended_reason: reason })
    .where('ended_at', 'is', null);
}

export const sessionsRepository = {
  async insert(trx: Tx, s: Insertable<DB['identity.sessions']>) {
    await trx.insertInto('identity.sessions').values(s).execute();
  },
  /** A session by the hash of its id, with its user and organisation (system scope). */
  async findForAuth(trx: Tx, tokenHash: Buffer) {
    const session = trx
      .selectFrom('identity.sessions as c')
      .select([
        'c.id as session_id',
        'c.state',
        'c.created_at as session_created_at',
        'c.last_seen_at',
        'c.expires_at',
        'c.ended_at',
      ]);
    return credentialWithActor(session, tokenHash).select('u.service_account').executeTakeFirst();
  },
  async touch(trx: Tx, id: string, at: Date) {
    await trx.updateTable('identity.sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
  },
  async end(trx: Tx, id: string, at: Date, reason: string) {
    return endOpenSessions(trx, at, reason)
      .where('id', '=', id)
      .returning(['id', 'user_id', 'organisation_id'])
      .executeTakeFirst();
  },
  /** Ends every open session of a user (optionally but one); returns how many were ended. */
  async endAllForUser(trx: Tx, userId: string, at: Date, reason: string, exceptId: string | null = null) {
    let q = endOpenSessions(trx, at, reason).where('user_id', '=', userId);
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

/** Marks as used, at `at`, the links not used yet; callers narrow which. */
function useOpenLinks(trx: Tx, at: Date) {
  return trx.updateTable('identity.one_time_tokens').set({ used_at: at }).where('used_at', 'is', null);
}

export const oneTimeTokensRepository = {
  async insert(trx: Tx, t: Insertable<DB['identity.one_time_tokens']> & { created_at: Date }) {
    // A new link replaces any earlier unused one for the same purpose.
    await useOpenLinks(trx, t.created_at)
      .where('user_id', '=', t.user_id)
      .where('purpose', '=', t.purpose)
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
    const row = await useOpenLinks(trx, at)
      .where('id', '=', id)
      .where('expires_at', '>', at)
      .returning(['id'])
      .executeTakeFirst();
    return row !== undefined;
  },
  async invalidateForUser(trx: Tx, userId: string, at: Date) {
    await useOpenLinks(trx, at).where('user_id', '=', userId).execute();
  },
};
