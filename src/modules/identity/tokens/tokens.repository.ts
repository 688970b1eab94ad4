/** SQL for API keys. Methods that act for a caller take the organisations it may touch. */
import type { Insertable } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import type { Tx } from '../../../platform/db/scope.ts';
import { credentialWithActor } from '../identity.repository.ts';

/** Revokes, at `at`, the keys not revoked yet; callers narrow which. */
function revokeOpenKeys(trx: Tx, at: Date) {
  return trx.updateTable('identity.api_tokens').set({ revoked_at: at }).where('revoked_at', 'is', null);
}

export const tokensRepository = {
  async insert(trx: Tx, t: Insertable<DB['identity.api_tokens']>) {
    return trx.insertInto('identity.api_tokens').values(t).returning(['id']).executeTakeFirstOrThrow();
  },
  /** Resolves a token hash to its token, user and organisation (system scope: the caller is not yet known). */
  async findForAuth(trx: Tx, tokenHash: Buffer) {
    const token = trx
      .selectFrom('identity.api_tokens as c')
      .select(['c.id as token_id', 'c.scopes', 'c.expires_at', 'c.revoked_at', 'c.last_used_at']);
    return credentialWithActor(token, tokenHash).executeTakeFirst();
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
    await revokeOpenKeys(trx, at).where('user_id', '=', userId).execute();
  },
  /** Revokes a key of the given organisations (and, when named, of that user); undefined when none matched. */
  async revoke(
    trx: Tx,
    organisationIds: readonly string[],
    tokenId: string,
    at: Date,
    userId: string | null = null,
  ) {
    if (organisationIds.length === 0) return undefined;
    let q = revokeOpenKeys(trx, at).where('id', '=', tokenId).where('organisation_id', 'in', organisationIds);
    if (userId !== null) q = q.where('user_id', '=', userId);
    return q.returning(['id', 'user_id', 'organisation_id']).executeTakeFirst();
  },
};
