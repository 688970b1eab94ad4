/** Wires the identity module's services together (called once, by the composition root). */
import { AuthService } from './auth/auth.service.ts';
import { PasswordResetService } from './auth/password-reset.service.ts';
import { SignInGuard } from './auth/sign-in-guard.ts';
import type { IdentityDeps } from './identity.deps.ts';
import { IdentityService } from './identity.service.ts';
import { TokensService } from './tokens/tokens.service.ts';
import { RecertificationService } from './users/recertification.service.ts';
import { LsoService } from './users/users.service.ts';

export interface IdentityServices {
  /** Organisations, creating users, the user directory for other modules, API keys for the CLI and seeder. */
  identity: IdentityService;
  /** Sign-in, MFA, sessions, changing a password. */
  auth: AuthService;
  /** Password reset and invitation links. */
  passwordReset: PasswordResetService;
  /** API keys. */
  tokens: TokensService;
  /** The Local Security Officer console. */
  lso: LsoService;
  /** Access recertification (the daily job). */
  recertification: RecertificationService;
}

export function createIdentity(deps: IdentityDeps): IdentityServices {
  const { db, clock, audit, mailer, config, site } = deps;
  const tokens = new TokensService(db, clock, audit);
  const guard = new SignInGuard(db, clock, audit, mailer, config, site);
  const passwordReset = new PasswordResetService(guard, audit);
  return {
    identity: new IdentityService(db, clock, audit, tokens, deps.systemPool ?? null),
    auth: new AuthService(guard, audit),
    passwordReset,
    tokens,
    lso: new LsoService(deps, passwordReset, tokens),
    recertification: new RecertificationService(deps),
  };
}
