/** SQL for organisations, users and API tokens. Every read of a user or token runs in a scoped transaction. */
import type { Tx } from '../../platform/db/scope.ts';

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
    },
  ) {
    return trx.insertInto('identity.users').values(u).returningAll().executeTakeFirstOrThrow();
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
