/** The identity module's public face: what the composition root, the app and other modules may use. */
export { createIdentity, type IdentityServices } from './identity.module.ts';
export { IdentityService } from './identity.service.ts';
export type { DirectoryUser, NewOrganisation, NewUser, OrganisationView } from './identity.service.ts';
export type { Actor } from './actor.ts';
export { auditActorOf, can, isCdsp } from './actor.ts';
export { ROLES, PERMISSIONS, TOKEN_SCOPES, permissionsFor, isRole } from './permissions.ts';
export type { Role, Permission, TokenScope } from './permissions.ts';
export { AuthService } from './auth/auth.service.ts';
export type { SessionInfo } from './auth/auth.service.ts';
export { PasswordResetService } from './auth/password-reset.service.ts';
export { TokensService } from './tokens/tokens.service.ts';
export type { NewToken, KeyInput, ApiKeyView } from './tokens/tokens.service.ts';
export { LsoService } from './users/users.service.ts';
export { lsoHomePanels } from './users/users.home.ts';
export type { ManagedUser, ManagedOrganisation } from './users/users.service.ts';
export { RecertificationService } from './users/recertification.service.ts';
export {
  RECERTIFICATION_JOB,
  registerIdentityJobs,
  runAccessRecertification,
} from './users/recertification.job.ts';
export { identityWebPlugin } from './identity.routes.web.ts';
export { identityApiPlugin } from './identity.routes.api.ts';
export { lsoApiPlugin } from './users/users.routes.api.ts';
export { registerApiAuthentication } from './auth/api-auth.ts';
export { registerWebAuthentication } from './auth/web-auth.ts';
export { totpCode } from './auth/mfa.ts';
