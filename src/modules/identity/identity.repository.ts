/**
 * SQL for organisations and users, shared by the identity jobs (auth, users, tokens). Every read of a user runs in
 * a scoped transaction, and methods that act for a caller take the organisations it may touch.
 */
import { sql, type ExpressionBuilder, type Kysely, type SelectQueryBuilder, type Selection } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Tx } from '../../platform/db/scope.ts';

/**
 * The user and organisation columns an Actor is built from (sign-in sessions and API tokens both resolve to
 * one), for a query that joins `identity.users as u` and `identity.organisations as o`.
 */
export const ACTOR_COLUMNS = [
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
] as const;

type UsersWithOrganisation = DB & {
  u: DB['identity.users'];
  o: DB['identity.organisations'];
};
export type ActorColumns = Selection<UsersWithOrganisation, 'u' | 'o', (typeof ACTOR_COLUMNS)[number]>;

/**
 * A credential (a session or an API key, selected from its table as `c`) by the hash of its secret, joined to its
 * user and organisation, with the columns its Actor is built from (system scope: the caller is not yet known).
 */
export function credentialWithActor<C extends { user_id: string; token_hash: Buffer }, O>(
  credential: SelectQueryBuilder<DB & { c: C }, 'c', O>,
  tokenHash: Buffer,
) {
  return credential
    .innerJoin('identity.users as u', 'u.id', 'c.user_id')
    .innerJoin('identity.organisations as o', 'o.id', 'u.organisation_id')
    .select(ACTOR_COLUMNS)
    .where(sql.ref<Buffer>('c.token_hash'), '=', tokenHash);
}

/** Users that are not deleted, within the given organisations, with their organisation's name, code and type. */
function managedUsers(trx: Tx, organisationIds: readonly string[]) {
  return trx
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
}

/** Users whose status is active. */
function activeUsers(trx: Tx) {
  return trx.selectFrom('identity.users').where('status', '=', 'active');
}

/** The columns a directory look-up returns (what other modules may know of a user). */
const DIRECTORY_COLUMNS = ['id', 'email', 'name', 'organisation_id', 'roles', 'status'] as const;

/** The organisation whose id or short code (both unique) is `value`. */
function organisationBy(trx: Tx, column: 'id' | 'short_code', value: string) {
  return trx.selectFrom('identity.organisations').selectAll().where(column, '=', value).executeTakeFirst();
}

/** Organisations in short-code order. */
function organisationsByShortCode(trx: Kysely<DB>) {
  return trx.selectFrom('identity.organisations').selectAll().orderBy('short_code');
}

export const organisationsRepository = {
  async byShortCode(trx: Tx, shortCode: string) {
    return organisationBy(trx, 'short_code', shortCode);
  },
  async byId(trx: Tx, id: string) {
    return organisationBy(trx, 'id', id);
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
    return organisationsByShortCode(trx).execute();
  },
  /** Every organisation in short-code order, as one statement (for `systemRead`). */
  listQuery: (db: Kysely<DB>) => organisationsByShortCode(db),
  async listIn(trx: Tx, ids: readonly string[]) {
    if (ids.length === 0) return [];
    return organisationsByShortCode(trx).where('id', 'in', ids).execute();
  },
  async setMfaPolicy(trx: Tx, id: string, policy: 'all' | 'privileged') {
    await trx
      .updateTable('identity.organisations')
      .set({ mfa_policy: policy })
      .where('id', '=', id)
      .execute();
  },
};

export type UserPatch = Partial<{
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
}>;

export const usersRepository = {
  /** A user who is not deleted, by email, with the columns an Actor is built from (system scope). */
  async actorColumnsByEmail(trx: Tx, email: string) {
    return trx
      .selectFrom('identity.users as u')
      .innerJoin('identity.organisations as o', 'o.id', 'u.organisation_id')
      .select(ACTOR_COLUMNS)
      .where('u.email', '=', email)
      .where('u.status', '<>', 'deleted')
      .executeTakeFirst();
  },
  async byEmail(trx: Tx, email: string) {
    return trx
      .selectFrom('identity.users')
      .selectAll()
      .where('email', '=', email)
      .where('status', '<>', 'deleted')
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
    return managedUsers(trx, organisationIds).where('u.id', '=', id).executeTakeFirst();
  },
  async list(trx: Tx, organisationIds: readonly string[], q: string | null, limit: number) {
    if (organisationIds.length === 0) return [];
    let query = managedUsers(trx, organisationIds);
    if (q) {
      const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or([eb('u.email', 'ilike', like), eb('u.name', 'ilike', like)]));
    }
    return query.orderBy('o.short_code').orderBy('u.name').orderBy('u.email').limit(limit).execute();
  },
  async update(trx: Tx, organisationIds: readonly string[], id: string, patch: UserPatch) {
    if (organisationIds.length === 0) return;
    await trx
      .updateTable('identity.users')
      .set(patch)
      .where('id', '=', id)
      .where('organisation_id', 'in', organisationIds)
      .execute();
  },
  /** Active LSOs (people, not service accounts) of an organisation. */
  async lsosOf(trx: Tx, organisationId: string) {
    return activeUsers(trx)
      .select(['id', 'name', 'email'])
      .where('organisation_id', '=', organisationId)
      .where('service_account', '=', false)
      .where(sql<boolean>`'lso' = ANY(roles)`)
      .orderBy('name')
      .execute();
  },
  /** Active users whose last recertification is at or before the cutoff (system scope: the daily job). */
  async recertificationOverdue(trx: Tx, cutoff: Date) {
    return activeUsers(trx)
      .selectAll()
      .where(sql<Date>`coalesce(recertified_at, created_at)`, '<=', cutoff)
      .orderBy('organisation_id')
      .orderBy('email')
      .execute();
  },
  /** A user who is not deleted, by id or email, within the given organisations (the directory other modules use). */
  async directoryFind(trx: Tx, organisationIds: readonly string[], by: { id: string } | { email: string }) {
    if (organisationIds.length === 0) return undefined;
    return trx
      .selectFrom('identity.users')
      .select(DIRECTORY_COLUMNS)
      .where('organisation_id', 'in', organisationIds)
      .where('status', '<>', 'deleted')
      .where((eb: ExpressionBuilder<DB, 'identity.users'>) =>
        'id' in by ? eb('id', '=', by.id) : eb('email', '=', by.email),
      )
      .executeTakeFirst();
  },
  /** Users who are not deleted, by id, within the given organisations, in one query (the audit view's names). */
  async directoryNames(trx: Tx, organisationIds: readonly string[], ids: readonly string[]) {
    if (organisationIds.length === 0 || ids.length === 0) return [];
    return trx
      .selectFrom('identity.users')
      .select(['id', 'name', 'organisation_id'])
      .where(sql<boolean>`id = ANY(${[...ids]}::uuid[])`)
      .where(sql<boolean>`organisation_id = ANY(${[...organisationIds]}::uuid[])`)
      .where('status', '<>', 'deleted')
      .execute();
  },
  /** Active users of an organisation holding any of the roles (the directory other modules use). */
  async directoryWithRoles(trx: Tx, organisationId: string, roles: readonly string[]) {
    const rows = await activeUsers(trx)
      .select(DIRECTORY_COLUMNS)
      .where('organisation_id', '=', organisationId)
      .execute();
    return rows.filter((r) => r.roles.some((x) => roles.includes(x)));
  },
};
