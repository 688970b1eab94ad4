import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import {
  appPerSuite,
  makeOrg,
  makeOrgWithToken,
  makeUser,
  TEST_ACTOR,
} from '../../../test/support/factories.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import { ValidationError } from '../../platform/errors.ts';

describe('API authentication and GET /api/v1/me', () => {
  const t = appPerSuite();

  const me = (token?: string) =>
    t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  test('a valid token returns the caller, organisation and roles', async () => {
    const { org, user, token } = await makeOrgWithToken(t.services, { roles: ['cms_user', 'des_user'] });
    const res = await me(token);
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.user.email, user.email);
    assert.equal(body.organisation.short_code, org.shortCode);
    assert.equal(body.organisation.id, org.id);
    assert.deepEqual(body.roles, ['cms_user', 'des_user']);
    assert.ok(body.permissions.includes('des:read'));
  });

  for (const [label, header] of [
    ['no Authorization header', undefined],
    ['a malformed token', 'Bearer not-a-token'],
    ['an unknown well-formed token', `Bearer cdsp_${'A'.repeat(43)}`],
    ['a Basic scheme', 'Basic dXNlcjpwYXNz'],
  ] as const) {
    test(`${label} gets 401 problem+json`, async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: header ? { authorization: header } : {},
      });
      assert.equal(res.statusCode, 401);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      const body = res.json();
      assert.equal(body.status, 401);
      assert.equal(body.type, '/problems/unauthenticated');
      assert.ok(body.title);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="cdsp"');
    });
  }

  test('a revoked token gets 401', async () => {
    const { org, token, tokenId } = await makeOrgWithToken(t.services);
    assert.equal((await me(token)).statusCode, 200);
    await t.services.identity.revokeToken(tokenId, { ...TEST_ACTOR, organisationIds: [org.id] });
    const res = await me(token);
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().type, '/problems/unauthenticated');
  });

  test('an organisation cannot revoke another organisation’s token (404, token still works)', async () => {
    const a = await makeOrgWithToken(t.services);
    const b = await makeOrgWithToken(t.services);
    await assert.rejects(
      t.services.identity.revokeToken(a.tokenId, { ...TEST_ACTOR, organisationIds: [b.org.id] }),
      (e: Error) => e.name === 'NotFoundError',
    );
    assert.equal((await me(a.token)).statusCode, 200);
  });

  test('a key works all day on its expiry date (London) and gets 401 from the start of the next day', async () => {
    const org = await makeOrg(t.services);
    const user = await makeUser(t.services, { orgShortCode: org.shortCode });
    const today = '2026-03-02'; // DEFAULT_NOW is 2026-03-02T10:00Z (GMT)
    const { token } = await t.services.identity.createToken(
      { email: user.email, expiresOn: today },
      TEST_ACTOR,
    );
    const start = t.clock.now().getTime();
    const lastSecond = Date.parse('2026-03-02T23:59:59Z') - start;
    try {
      assert.equal((await me(token)).statusCode, 200);
      t.clock.advance(lastSecond);
      assert.equal((await me(token)).statusCode, 200, 'still works in the last second of its day');
      t.clock.advance(1_000);
      assert.equal((await me(token)).statusCode, 401, 'stops at midnight London time');
    } finally {
      t.clock.advance(start - t.clock.now().getTime());
    }
  });

  test('a key cannot expire on a day already over, nor on a date that is not one', async () => {
    const org = await makeOrg(t.services);
    const user = await makeUser(t.services, { orgShortCode: org.shortCode });
    for (const [expiresOn, message] of [
      ['2026-03-01', /Expiry must be in the future/],
      ['2026-02-30', /YYYY-MM-DD/],
      ['tomorrow', /YYYY-MM-DD/],
    ] as const) {
      await assert.rejects(
        t.services.identity.createToken({ email: user.email, expiresOn }, TEST_ACTOR),
        (e: ValidationError) =>
          e instanceof ValidationError &&
          e.errors.some((x) => x.field === 'expires' && message.test(x.message)),
        expiresOn,
      );
    }
  });

  test('a disabled user’s token stops working on the very next request', async () => {
    const { user, token } = await makeOrgWithToken(t.services);
    assert.equal((await me(token)).statusCode, 200);
    await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      trx.updateTable('identity.users').set({ status: 'disabled' }).where('id', '=', user.id).execute(),
    );
    assert.equal((await me(token)).statusCode, 401);
  });

  test('a role removed or a key revoked in the database shows on the very next request (no cache)', async () => {
    const { user, token } = await makeOrgWithToken(t.services, { roles: ['cms_user', 'des_user'] });
    assert.ok((await me(token)).json().permissions.includes('des:read'));
    await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      trx
        .updateTable('identity.users')
        .set({ roles: ['cms_user'] })
        .where('id', '=', user.id)
        .execute(),
    );
    const after = (await me(token)).json();
    assert.deepEqual(after.roles, ['cms_user']);
    assert.ok(!after.permissions.includes('des:read'));
    await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      trx
        .updateTable('identity.api_tokens')
        .set({ revoked_at: t.clock.now() })
        .where('user_id', '=', user.id)
        .execute(),
    );
    assert.equal((await me(token)).statusCode, 401);
  });

  test('a token’s actor sees its group’s organisations only with the group grant, and last use is kept to the minute', async () => {
    const parent = await makeOrg(t.services);
    const child = await makeOrg(t.services, { parentShortCode: parent.shortCode });
    const user = await makeUser(t.services, { orgShortCode: parent.shortCode });
    const { token, id } = await t.services.identity.createToken({ email: user.email }, TEST_ACTOR);
    assert.deepEqual((await t.services.identity.authenticateToken(token))!.visibleOrganisationIds, [
      parent.id,
    ]);
    await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      trx.updateTable('identity.users').set({ group_visibility: true }).where('id', '=', user.id).execute(),
    );
    const actor = (await t.services.identity.authenticateToken(token))!;
    assert.deepEqual([...actor.visibleOrganisationIds].sort(), [parent.id, child.id].sort());
    const lastUsed = () =>
      inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
        trx
          .selectFrom('identity.api_tokens')
          .select('last_used_at')
          .where('id', '=', id)
          .executeTakeFirstOrThrow(),
      );
    const first = (await lastUsed()).last_used_at!;
    assert.equal(first.getTime(), t.clock.now().getTime());
    const start = t.clock.now().getTime();
    try {
      t.clock.advance(30_000);
      await t.services.identity.authenticateToken(token);
      assert.equal(
        (await lastUsed()).last_used_at!.getTime(),
        first.getTime(),
        'not rewritten within a minute',
      );
      t.clock.advance(31_000);
      await t.services.identity.authenticateToken(token);
      assert.equal((await lastUsed()).last_used_at!.getTime(), start + 61_000, 'rewritten after a minute');
    } finally {
      t.clock.advance(start - t.clock.now().getTime());
    }
  });

  test('scopes narrow a token below its user’s roles, never above', async () => {
    const { token } = await makeOrgWithToken(t.services, {
      roles: ['cms_user', 'des_user'],
      scopes: ['des:read', 'des:bulk'],
    });
    const body = (await me(token)).json();
    assert.ok(body.permissions.includes('des:read'));
    assert.ok(
      !body.permissions.includes('des:bulk'),
      'des:bulk scope does not add a permission the roles lack',
    );
    assert.ok(!body.permissions.includes('cms:raise'), 'cms permissions are narrowed away');
  });

  test('the token is stored hashed, never in plain text', async () => {
    const { token, tokenId } = await makeOrgWithToken(t.services);
    const row = await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      trx.selectFrom('identity.api_tokens').selectAll().where('id', '=', tokenId).executeTakeFirstOrThrow(),
    );
    assert.equal(row.token_hash.length, 32);
    const dump = await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      sql<{ t: string }>`select row_to_json(a)::text as t from identity.api_tokens a`.execute(trx),
    );
    assert.ok(!dump.rows.some((r) => r.t.includes(token.slice(5))));
  });

  test('bad organisation and user input is refused with every reason, and nothing is created', async () => {
    await assert.rejects(
      t.services.identity.createOrganisation(
        { name: '', type: 'bank', shortCode: 'toolong', networkName: 'X' },
        TEST_ACTOR,
      ),
      (e: unknown) => e instanceof ValidationError && e.errors.length === 4,
    );
    const org = await makeOrg(t.services);
    await assert.rejects(
      t.services.identity.createUser(
        {
          organisationShortCode: org.shortCode,
          email: 'nope',
          name: 'X',
          roles: ['cdsp_admin', 'wizard'],
          password: 'short',
        },
        TEST_ACTOR,
      ),
      (e: unknown) => e instanceof ValidationError && e.errors.length >= 4,
    );
    const n = await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      trx
        .selectFrom('identity.users')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('email', '=', 'nope')
        .executeTakeFirstOrThrow(),
    );
    assert.equal(Number(n.n), 0);
  });
});
