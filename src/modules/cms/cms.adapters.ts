/**
 * Adapters from other modules' public faces to the CMS ports (cms.ports.ts), used by the composition root.
 *
 * Organisations come from the identity module's public IdentityService. The identity module does not (yet) offer a
 * user lookup for other modules, so `findUser`/`usersWithRoles` read identity.users here, scoped to the named
 * organisations, and only the columns the CMS needs: replace them with an identity public function when it has one.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { inScope } from '../../platform/db/scope.ts';
import type { IdentityService } from '../identity/index.ts';
import type { Directory, DirectoryUser } from './cms.ports.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function identityDirectory(db: Kysely<DB>, identity: IdentityService): Directory {
  const toUser = (r: {
    id: string;
    email: string;
    name: string;
    organisation_id: string;
    roles: string[];
    status: string;
  }): DirectoryUser => ({
    id: r.id,
    email: r.email,
    name: r.name,
    organisationId: r.organisation_id,
    roles: r.roles,
    active: r.status === 'active',
  });
  return {
    async organisations() {
      return (await identity.listOrganisations()).map((o) => ({
        id: o.id,
        name: o.name,
        type: o.type,
        shortCode: o.shortCode,
        networkName: o.networkName,
      }));
    },
    async findUser(organisationIds, idOrEmail) {
      if (organisationIds.length === 0) return null;
      const key = idOrEmail.trim();
      const row = await inScope(db, { kind: 'organisations', organisationIds }, (trx) => {
        let q = trx
          .selectFrom('identity.users')
          .select(['id', 'email', 'name', 'organisation_id', 'roles', 'status'])
          .where('organisation_id', 'in', [...organisationIds])
          .where('status', '<>', 'deleted');
        q = UUID.test(key) ? q.where('id', '=', key) : q.where('email', '=', key.toLowerCase());
        return q.executeTakeFirst();
      });
      return row ? toUser(row) : null;
    },
    async usersWithRoles(organisationId, roles) {
      const rows = await inScope(db, { kind: 'organisations', organisationIds: [organisationId] }, (trx) =>
        trx
          .selectFrom('identity.users')
          .select(['id', 'email', 'name', 'organisation_id', 'roles', 'status'])
          .where('organisation_id', '=', organisationId)
          .where('status', '=', 'active')
          .execute(),
      );
      return rows.filter((r) => r.roles.some((x) => roles.includes(x))).map(toUser);
    },
  };
}
