/**
 * Identity factories: organisations, users (people, LSOs, service accounts), API keys and actors, with valid,
 * deterministic defaults and overrides; and the app per test suite that identity tests share.
 */
import type { Services } from '../../../src/composition.ts';
import type { AuditActor } from '../../../src/modules/audit/index.ts';
import type { Actor } from '../../../src/modules/identity/index.ts';
import { createTestApp, type TestApp } from '../app.ts';
import { perSuite } from '../suite.ts';

export const TEST_ACTOR: AuditActor = { userId: null, label: 'test', organisationId: null };
export const TEST_PASSWORD = 'factory-password-2026';

let n = 0;
const next = () => ++n;

function shortCodeFor(i: number): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
  let s = '';
  let v = i + 24 * 24; // start at 'BAA' style codes, away from the demo world's codes
  for (let k = 0; k < 3; k++) {
    s = alphabet[v % 24] + s;
    v = Math.floor(v / 24);
  }
  return `Q${s.slice(1)}`;
}

export async function makeOrg(
  s: Services,
  o: Partial<{
    name: string;
    type: string;
    shortCode: string;
    parentShortCode: string | null;
    networkName: string | null;
  }> = {},
) {
  const i = next();
  return s.identity.createOrganisation(
    {
      name: o.name ?? `Test Organisation ${i}`,
      type: o.type ?? 'shipper',
      shortCode: o.shortCode ?? shortCodeFor(i),
      parentShortCode: o.parentShortCode ?? null,
      networkName: o.networkName ?? null,
    },
    TEST_ACTOR,
  );
}

export async function makeUser(
  s: Services,
  o: { orgShortCode: string } & Partial<{
    email: string;
    name: string;
    roles: string[];
    password: string | null;
  }>,
) {
  const i = next();
  return s.identity.createUser(
    {
      organisationShortCode: o.orgShortCode,
      email: o.email ?? `user${i}@test.example`,
      name: o.name ?? `Test User ${i}`,
      roles: o.roles ?? ['cms_user', 'des_user'],
      password: o.password === undefined ? null : o.password,
    },
    TEST_ACTOR,
  );
}

/** An organisation with one user and an API token for that user. */
export async function makeOrgWithToken(
  s: Services,
  o: {
    type?: string;
    roles?: string[];
    scopes?: string[];
    parentShortCode?: string;
    networkName?: string;
  } = {},
) {
  const org = await makeOrg(s, {
    type: o.type,
    parentShortCode: o.parentShortCode,
    networkName: o.networkName,
  });
  const user = await makeUser(s, { orgShortCode: org.shortCode, roles: o.roles });
  const token = await makeApiKey(s, user.email, { scopes: o.scopes ?? null });
  return { org, user, token: token.token, tokenId: token.id };
}

/** A key for the user with that email (defaults: label 'test', no scopes, no expiry). */
export async function makeApiKey(
  s: Services,
  email: string,
  o: { label?: string; scopes?: string[] | null; expiresOn?: string | null } = {},
) {
  return s.identity.createToken(
    { email, label: o.label ?? 'test', scopes: o.scopes ?? null, expiresOn: o.expiresOn ?? null },
    TEST_ACTOR,
  );
}

/** The Actor of the user with that email, as an API key of theirs resolves it (roles as they are now). */
export async function actorFor(s: Services, email: string): Promise<Actor> {
  const { token } = await makeApiKey(s, email, { label: 'actor' });
  const actor = await s.tokens.authenticateToken(token);
  if (!actor) throw new Error(`no active user ${email}`);
  return actor;
}

/** An organisation (of `type`, under `parentShortCode`) with a Local Security Officer who has a password. */
export async function makeLso(
  s: Services,
  o: { type?: string; parentShortCode?: string | null; email?: string } = {},
) {
  const org = await makeOrg(s, { type: o.type, parentShortCode: o.parentShortCode ?? null });
  const user = await makeUser(s, {
    orgShortCode: org.shortCode,
    roles: ['lso'],
    password: TEST_PASSWORD,
    ...(o.email ? { email: o.email } : {}),
  });
  return { org, user };
}

/** A service account of `organisationId`, created by its LSO (`lso`) through the console's rules. */
export async function makeServiceAccount(
  s: Services,
  lso: Actor,
  organisationId: string,
  o: Partial<{ email: string; name: string; roles: string[] }> = {},
) {
  const i = next();
  return s.lso.inviteUser(lso, {
    organisationId,
    email: o.email ?? `service${i}@test.example`,
    name: o.name ?? `Test Service ${i}`,
    roles: o.roles ?? ['des_user'],
    serviceAccount: true,
  });
}

/**
 * One test app for a `describe` block: created before its tests and cleaned up after them. The value returned
 * stands for that app (it forwards to it once `before` has run), so a suite reads `const t = appPerSuite()`.
 */
export function appPerSuite(opts: Parameters<typeof createTestApp>[0] = {}): TestApp {
  return perSuite(() => createTestApp(opts));
}

/**
 * The app for a suite that signs in many times: the per-minute sign-in rate limit is raised out of its way (the
 * suites that test the limit set their own).
 */
export function signInAppPerSuite(): TestApp {
  return appPerSuite({ env: { CDSP_SIGN_IN_RATE_LIMIT: '100000' } });
}
