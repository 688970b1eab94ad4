export { IdentityService } from './identity.service.ts';
export type { NewOrganisation, NewUser, NewToken, OrganisationView } from './identity.service.ts';
export type { Actor } from './actor.ts';
export { can, isCdsp } from './actor.ts';
export { ROLES, PERMISSIONS, TOKEN_SCOPES, permissionsFor, isRole } from './permissions.ts';
export type { Role, Permission, TokenScope } from './permissions.ts';
export { identityApiPlugin } from './identity.routes.api.ts';
