/**
 * Adapters from other modules' public faces to the CMS ports (cms.ports.ts), used by the composition root.
 *
 * Organisations and users come from the identity module's public IdentityService: its user directory is scoped to
 * the organisations named, and returns only what the CMS needs to know of a user.
 */
import type { IdentityService } from '../identity/index.ts';
import type { Directory } from './cms.ports.ts';

export function identityDirectory(identity: IdentityService): Directory {
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
    findUser: (organisationIds, idOrEmail) => identity.findUser(organisationIds, idOrEmail),
    usersWithRoles: (organisationId, roles) => identity.activeUsersWithRoles(organisationId, roles),
  };
}
