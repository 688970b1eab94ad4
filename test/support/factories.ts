/**
 * Test data factories: valid, deterministic defaults with overrides. Short codes and emails come from a
 * per-process counter so factories can be called any number of times in one database. Each module's factories
 * live in `factories/<module>.ts`; this file gathers them.
 */
export {
  TEST_ACTOR,
  TEST_PASSWORD,
  actorFor,
  appPerSuite,
  makeApiKey,
  makeLso,
  makeOrg,
  makeOrgWithToken,
  makeServiceAccount,
  makeUser,
} from './factories/identity.ts';
