export { IdentityService } from './identity.service.ts';
export type { NewOrganisation, NewUser, NewToken, OrganisationView } from './identity.service.ts';
export type { Actor } from './actor.ts';
export { can, isCdsp } from './actor.ts';
export { ROLES, PERMISSIONS, TOKEN_SCOPES, permissionsFor, isRole } from './permissions.ts';
export type { Role, Permission, TokenScope } from './permissions.ts';
export { identityApiPlugin } from './identity.routes.api.ts';
export { AuthService } from './auth.service.ts';
export type { SessionInfo } from './auth.service.ts';
export { LsoService } from './lso.service.ts';
export type { ManagedUser, ManagedOrganisation } from './lso.service.ts';
export {
  RECERTIFICATION_JOB,
  registerIdentityJobs,
  runAccessRecertification,
} from './recertification.job.ts';
export { identityWebPlugin } from './identity.routes.web.ts';
export { lsoApiPlugin } from './lso.routes.api.ts';
