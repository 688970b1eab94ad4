/** SQL for API keys. Methods that act for a caller take the organisations it may touch. */
import { sql, type Insertable, type Kysely } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import type { Tx } from '../../../platform/db/scope.ts';

/** Revokes, at `at`, the keys not revoked yet; callers narrow which. */
function revokeOpenKeys(trx: Tx, at: Date) {
  return trx.updateTable('identity.api_tokens').set({ revoked_at: at }).where('revoked_at', 'is', null);
}

/** What `identity.token_actor` answers. */
export interface TokenActorRow {
  token_id: string;
  scopes: string[] | null;
  user_id: string;
  email: string;
  name: string;
  roles: string[];
  organisation_id: string;
  organisation_name: string;
  organisation_type: string;
  organisation_short_code: string;
  visible_organisation_ids: string[];
}

export const tokensRepository = {
  async insert(trx: Tx, t: Insertable<DB['identity.api_tokens']>) {
    return trx.insertInto('identity.api_tokens').values(t).returning(['id']).executeTakeFirstOrThrow();
  },
  /** Resolves a token hash to its token, user and organisation (system scope: the caller is not yet known). */
  /**
   * The actor of a bearer token in one statement, outside any transaction (`identity.token_actor`: unknown, revoked,
   * expired or inactive answers no row; `last_used_at` kept to the minute).
   */
  async actorFor(db: Kysely<DB>, tokenHash: Buffer, at: Date) {
    const r = await sql<TokenActorRow>`select * from identity.token_actor(${tokenHash}, ${at})`.execute(db);
    return r.rows[0];
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
