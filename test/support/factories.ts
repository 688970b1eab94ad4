/**
 * Test data factories: valid, deterministic defaults with overrides. Short codes and emails come from a
 * per-process counter so factories can be called any number of times in one database.
 */
import type { Services } from '../../src/composition.ts';
import type { AuditActor } from '../../src/modules/audit/index.ts';

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
  const token = await s.identity.createToken(
    { email: user.email, label: 'test', scopes: o.scopes ?? null },
    TEST_ACTOR,
  );
  return { org, user, token: token.token, tokenId: token.id };
}
