import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestApp } from '../../../../test/support/app.ts';
import {
  actorFor,
  makeOrg,
  makeUser,
  TEST_ACTOR,
  TEST_PASSWORD,
} from '../../../../test/support/factories.ts';
import { signInAppPerSuite } from '../../../../test/support/factories/identity.ts';
import { signIn, signInAndEnrol, WebClient } from '../../../../test/support/web-client.ts';
import { inScope, SYSTEM_SCOPE } from '../../../platform/db/scope.ts';
import { readOutbox } from '../../../platform/mail/mailer.ts';
import { auditRepository } from '../../audit/audit.repository.ts';
import { totpCode } from '../auth/mfa.ts';
import { runAccessRecertification } from './recertification.job.ts';

async function latestLink(t: TestApp, to: string, kind: 'invitation' | 'password-reset'): Promise<string> {
  const m = (await readOutbox(t.database.db)).find((x) => x.to === to && x.body.includes(`/${kind}/`));
  assert.ok(m, `an email with a ${kind} link to ${to}`);
  return new URL(/(http\S+)/.exec(m.body)![1]!).pathname;
}

async function apiAs(t: TestApp, email: string) {
  const { token } = await t.services.identity.createToken({ email, label: 'test' }, TEST_ACTOR);
  return (method: string, url: string, body?: unknown) =>
    t.app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    });
}

describe('LSO console: invitation, reset, roles and disabling take effect at once', () => {
  const t = signInAppPerSuite();
  let org: Awaited<ReturnType<typeof makeOrg>>;
  let lso: WebClient;
  let lsoUser: { id: string; email: string };
  let lsoSecret: string;
  before(async () => {
    org = await makeOrg(t.services);
    lsoUser = await makeUser(t.services, {
      orgShortCode: org.shortCode,
      roles: ['lso'],
      password: TEST_PASSWORD,
    });
    lsoSecret = (await signInAndEnrol(t.app, t.clock, lsoUser.email, TEST_PASSWORD)).secret;
  });
  /** A fresh LSO session per test (earlier tests move the clock past the idle timeout). */
  const freshLso = async () => {
    lso = await signIn(t.app, t.clock, lsoUser.email, TEST_PASSWORD, lsoSecret);
  };

  test('an invited user sets a password by single-use link, enrols MFA, and signs in', async () => {
    await freshLso();
    const res = await lso.post(
      '/lso/users/invite',
      {
        organisation: org.id,
        kind: 'person',
        name: 'Ivy Invitee',
        email: 'ivy@test.example',
        roles: ['cms_user', 'des_user'],
      },
      '/lso/users/invite',
    );
    assert.equal(res.statusCode, 303, res.body);
    const userId = /\/lso\/users\/([0-9a-f-]{36})/.exec(String(res.headers.location))![1]!;
    const link = await latestLink(t, 'ivy@test.example', 'invitation');
    const invitee = new WebClient(t.app);
    assert.match((await invitee.get(link)).body, /Set up your account/);
    const weak = await invitee.post(
      link,
      { password: 'ivy@test.example1', confirm: 'ivy@test.example1' },
      link,
    );
    assert.equal(weak.statusCode, 400);
    assert.match(weak.body, /must not contain your email address/);
    const pw = 'a long invitation passphrase';
    assert.equal(
      (await invitee.post(link, { password: pw, confirm: pw }, link)).headers.location,
      '/sign-in?notice=reset',
    );
    assert.equal((await invitee.get(link)).statusCode, 404, 'the link works once');
    await signInAndEnrol(t.app, t.clock, 'ivy@test.example', pw);
    const view = await t.services.lso.getUser(await actorFor(t.services, lsoUser.email), userId);
    assert.equal(view.mfaEnrolled, true);
    assert.equal(view.invitationPending, false);
  });

  test('self-service reset: a 30-minute single-use link that also needs the TOTP code, for known emails only', async () => {
    await freshLso();
    const u = await makeUser(t.services, { orgShortCode: org.shortCode, password: TEST_PASSWORD });
    const { secret, client: session } = await signInAndEnrol(t.app, t.clock, u.email, TEST_PASSWORD);
    const anon = new WebClient(t.app);
    const known = await anon.post('/password-reset', { email: u.email }, '/password-reset');
    const unknown = await anon.post(
      '/password-reset',
      { email: 'nobody-here@test.example' },
      '/password-reset',
    );
    assert.equal(known.headers.location, '/password-reset/sent');
    assert.equal(unknown.headers.location, known.headers.location, 'the same answer for an unknown email');
    assert.ok(!(await readOutbox(t.database.db)).some((m) => m.to === 'nobody-here@test.example'));
    const link = await latestLink(t, u.email, 'password-reset');
    const pw = 'brand new reset passphrase';
    const noCode = await anon.post(link, { password: pw, confirm: pw, code: '' }, link);
    assert.equal(noCode.statusCode, 400, 'a reset never bypasses MFA');
    assert.match(noCode.body, /authenticator app/);
    const ok = await anon.post(
      link,
      { password: pw, confirm: pw, code: await totpCode(secret, t.clock.now()) },
      link,
    );
    assert.equal(ok.headers.location, '/sign-in?notice=reset');
    t.clock.advance(30_000);
    assert.equal((await session.get('/account')).statusCode, 303, 'the reset ends existing sessions');
    await signIn(t.app, t.clock, u.email, pw, secret);
    // A second link expires after 30 minutes.
    await anon.post('/password-reset', { email: u.email }, '/password-reset');
    const late = await latestLink(t, u.email, 'password-reset');
    t.clock.advance(31 * 60_000);
    assert.equal((await anon.get(late)).statusCode, 404);
  });

  test('LSO-initiated reset forces a new password at the next sign-in; the LSO never sets it', async () => {
    await freshLso();
    const u = await makeUser(t.services, { orgShortCode: org.shortCode, password: TEST_PASSWORD });
    const { secret, client: session } = await signInAndEnrol(t.app, t.clock, u.email, TEST_PASSWORD);
    const r = await lso.post(`/lso/users/${u.id}/reset-password`, {}, `/lso/users/${u.id}`);
    assert.equal(r.statusCode, 303);
    assert.equal((await session.get('/account')).statusCode, 303, 'their session ended at once');
    assert.ok(
      (await readOutbox(t.database.db)).some(
        (m) => m.to === u.email && /password has been reset/.test(m.subject),
      ),
    );
    const c = new WebClient(t.app);
    await c.post('/sign-in', { email: u.email, password: TEST_PASSWORD });
    const step = await c.post(
      '/sign-in/code',
      { code: await totpCode(secret, t.clock.now()) },
      '/sign-in/code',
    );
    assert.equal(step.headers.location, '/sign-in/new-password');
    assert.equal(
      (await c.get('/account')).headers.location,
      '/sign-in/new-password',
      'nothing else until changed',
    );
    const pw = 'my own new passphrase';
    const done = await c.post(
      '/sign-in/new-password',
      { current: TEST_PASSWORD, password: pw, confirm: pw },
      '/sign-in/new-password',
    );
    assert.equal(done.statusCode, 303);
    assert.equal((await c.get('/account')).statusCode, 200);
  });

  test('removing a role and disabling a user apply on their very next request', async () => {
    await freshLso();
    const other = await makeUser(t.services, {
      orgShortCode: org.shortCode,
      roles: ['lso', 'cms_user'],
      password: TEST_PASSWORD,
    });
    const o = (await signInAndEnrol(t.app, t.clock, other.email, TEST_PASSWORD)).client;
    assert.equal((await o.get('/lso/users')).statusCode, 200);
    const api = await apiAs(t, other.email);
    assert.equal((await api('GET', '/api/v1/users')).statusCode, 200);
    const edit = await lso.post(
      `/lso/users/${other.id}/edit`,
      { name: 'Renamed', email: other.email, roles: ['cms_user'] },
      `/lso/users/${other.id}/edit`,
    );
    assert.equal(edit.statusCode, 303, edit.body);
    const refused = await o.get('/lso/users');
    assert.equal(refused.statusCode, 403, 'web: the role is gone on the next request');
    // The refusal says what is missing, in words, and whom to ask.
    assert.match(refused.body, /This page needs the Local Security Officer role/);
    assert.equal(
      (await api('GET', '/api/v1/users')).statusCode,
      403,
      'API: the role is gone on the next request',
    );
    assert.equal((await o.get('/account')).statusCode, 200);
    await lso.post(`/lso/users/${other.id}/disable`, {}, `/lso/users/${other.id}`);
    assert.equal((await o.get('/account')).statusCode, 303, 'a disabled user’s session is rejected');
    assert.equal((await api('GET', '/api/v1/me')).statusCode, 401);
    const events = await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      t.services.audit.forSubject(trx, 'user', other.id),
    );
    const roles = events.find((e) => e.action === 'user.roles_changed')!;
    assert.equal(roles.actorUserId, lsoUser.id, 'the acting LSO');
    assert.deepEqual(roles.details.before, ['lso', 'cms_user']);
    assert.ok(events.some((e) => e.action === 'user.disabled' && e.actorUserId === lsoUser.id));
    await lso.post(`/lso/users/${other.id}/enable`, {}, `/lso/users/${other.id}`);
    assert.equal((await api('GET', '/api/v1/me')).statusCode, 200);
  });

  test('unlock, end sessions, reset MFA, recertify and delete (history stays in the audit)', async () => {
    await freshLso();
    const u = await makeUser(t.services, { orgShortCode: org.shortCode, password: TEST_PASSWORD });
    const { client: s } = await signInAndEnrol(t.app, t.clock, u.email, TEST_PASSWORD);
    await lso.post(`/lso/users/${u.id}/end-sessions`, {}, `/lso/users/${u.id}`);
    assert.equal((await s.get('/account')).statusCode, 303);
    await lso.post(`/lso/users/${u.id}/reset-mfa`, {}, `/lso/users/${u.id}`);
    const again = new WebClient(t.app);
    assert.equal(
      (await again.post('/sign-in', { email: u.email, password: TEST_PASSWORD })).headers.location,
      '/sign-in/set-up-authenticator',
    );
    for (const a of ['unlock', 'recertify']) {
      assert.equal((await lso.post(`/lso/users/${u.id}/${a}`, {}, `/lso/users/${u.id}`)).statusCode, 303);
    }
    assert.equal(
      (await lso.post(`/lso/users/${u.id}/delete`, {}, `/lso/users/${u.id}/delete`)).headers.location,
      '/lso/users?notice=deleted',
    );
    assert.equal((await lso.get(`/lso/users/${u.id}`)).statusCode, 404);
    const actions = (
      await inScope(t.database.db, SYSTEM_SCOPE, (trx) => t.services.audit.forSubject(trx, 'user', u.id))
    ).map((e) => e.action);
    for (const a of [
      'user.created',
      'user.sessions_ended',
      'user.mfa_reset',
      'user.unlocked',
      'user.recertified',
      'user.deleted',
    ]) {
      assert.ok(actions.includes(a), a);
    }
    // The email can be used again.
    await makeUser(t.services, { orgShortCode: org.shortCode, email: u.email });
  });

  test('the Help page lists the signed-in user’s own organisation’s LSOs, and nobody’s to a visitor', async () => {
    await freshLso();
    const other = await makeOrg(t.services);
    await makeUser(t.services, {
      orgShortCode: other.shortCode,
      roles: ['lso'],
      email: 'other-lso@test.example',
    });
    const help = await lso.get('/help');
    assert.match(help.body, new RegExp(lsoUser.email));
    assert.doesNotMatch(help.body, /other-lso@test\.example/);
    assert.doesNotMatch((await new WebClient(t.app).get('/help')).body, new RegExp(lsoUser.email));
  });

  test('the mail outbox page is for CDSP administrators only', async () => {
    await freshLso();
    assert.equal((await lso.get('/admin/mail-outbox')).statusCode, 403);
    assert.equal((await new WebClient(t.app).get('/admin/mail-outbox')).headers.location, '/sign-in');
    const cdsp = await makeOrg(t.services, { type: 'cdsp' });
    const admin = await makeUser(t.services, {
      orgShortCode: cdsp.shortCode,
      roles: ['cdsp_admin'],
      password: TEST_PASSWORD,
    });
    const a = (await signInAndEnrol(t.app, t.clock, admin.email, TEST_PASSWORD)).client;
    const page = await a.get('/admin/mail-outbox');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /You have been invited/);
  });
});

describe('an LSO of one organisation gets 404 for every user, key and page of another (every LSO route, web and API)', () => {
  const t = signInAppPerSuite();

  test('generated from the route list', async () => {
    const a = await makeOrg(t.services);
    const aChild = await makeOrg(t.services, { parentShortCode: a.shortCode });
    const b = await makeOrg(t.services);
    const bLso = await makeUser(t.services, {
      orgShortCode: b.shortCode,
      roles: ['lso'],
      password: TEST_PASSWORD,
    });
    const aLso = await makeUser(t.services, { orgShortCode: a.shortCode, roles: ['lso'] });
    const aActor = await actorFor(t.services, aLso.email);
    const target = await t.services.lso.inviteUser(aActor, {
      organisationId: a.id,
      email: 'svc@a.example',
      name: 'A service',
      roles: ['des_user'],
      serviceAccount: true,
    });
    const key = await t.services.lso.createServiceAccountKey(aActor, target.id, { label: 'k' });
    const web = (await signInAndEnrol(t.app, t.clock, bLso.email, TEST_PASSWORD)).client;
    const api = await apiAs(t, bLso.email);
    const snapshot = async () =>
      inScope(t.database.db, SYSTEM_SCOPE, async (trx) => ({
        user: await trx
          .selectFrom('identity.users')
          .selectAll()
          .where('id', '=', target.id)
          .executeTakeFirstOrThrow(),
        keys: await trx
          .selectFrom('identity.api_tokens')
          .selectAll()
          .where('user_id', '=', target.id)
          .execute(),
        org: await trx
          .selectFrom('identity.organisations')
          .selectAll()
          .where('id', '=', a.id)
          .executeTakeFirstOrThrow(),
        audit: await auditRepository.count(trx),
      }));
    const before = await snapshot();
    const lsoRoutes = t.app.routeCatalogue.filter((r) => r.config?.permission === 'users:manage');
    const withoutIds = new Set([
      'GET /lso/users',
      'GET /lso/users/invite',
      'POST /lso/users/invite',
      'GET /lso/organisations',
      'GET /api/v1/users',
      'POST /api/v1/users',
      'GET /api/v1/organisations',
    ]);
    let checked = 0;
    for (const r of lsoRoutes) {
      for (const method of [r.method].flat()) {
        if (method === 'HEAD') continue;
        const label = `${method} ${r.url}`;
        if (!/:(userId|keyId|organisationId)/.test(r.url)) {
          assert.ok(withoutIds.has(label), `route ${label} is covered by the id-free checks below`);
          continue;
        }
        const url = r.url
          .replace(':userId', target.id)
          .replace(':keyId', key.key.id)
          .replace(':organisationId', a.id);
        let res;
        if (url.startsWith('/api/')) {
          const body =
            method === 'PATCH'
              ? { name: 'Hijacked' }
              : method === 'PUT'
                ? { mfa_policy: 'privileged' }
                : url.endsWith('/api-keys') && method === 'POST'
                  ? { label: 'stolen' }
                  : undefined;
          res = await api(method, url, body);
        } else if (method === 'GET') {
          res = await web.get(url);
        } else {
          res = await web.post(
            url,
            { name: 'Hijacked', email: 'x@y.example', roles: ['des_user'], mfaPolicy: 'privileged' },
            '/lso/users',
          );
        }
        assert.equal(
          res.statusCode,
          404,
          `${label} answers 404 for another organisation (got ${res.statusCode})`,
        );
        checked++;
      }
    }
    assert.ok(checked >= 25, `checked ${checked} routes with ids`);
    // The id-free routes: lists do not show the other organisation; creating into it is 404.
    const list = await api('GET', '/api/v1/users');
    assert.ok(!JSON.stringify(list.json()).includes(target.id));
    assert.equal((await api('GET', `/api/v1/users?organisation_id=${a.id}`)).statusCode, 404);
    assert.ok(!(await web.get('/lso/users')).body.includes(target.id));
    assert.equal((await web.get(`/lso/users?q=svc`)).body.includes('svc@a.example'), false);
    assert.ok(!JSON.stringify((await api('GET', '/api/v1/organisations')).json()).includes(a.id));
    assert.ok(!(await web.get('/lso/organisations')).body.includes(a.id));
    assert.ok(!(await web.get('/lso/users/invite')).body.includes(a.id));
    const invite = { organisation_id: aChild.id, email: 'spy@a.example', name: 'Spy', roles: ['des_user'] };
    assert.equal((await api('POST', '/api/v1/users', invite)).statusCode, 404);
    assert.equal(
      (
        await web.post(
          '/lso/users/invite',
          {
            organisation: aChild.id,
            kind: 'person',
            name: 'Spy',
            email: 'spy2@a.example',
            roles: ['des_user'],
          },
          '/lso/users/invite',
        )
      ).statusCode,
      404,
    );
    const afterAll = await snapshot();
    assert.deepEqual(afterAll, before, 'nothing changed');
    // Every LSO API route is in the OpenAPI document with its parameters and responses.
    const doc = (await t.app.inject('/api/openapi.json')).json();
    for (const r of lsoRoutes.filter((x) => x.url.startsWith('/api/v1/'))) {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      for (const m of [r.method].flat().filter((x) => x !== 'HEAD')) {
        const op = doc.paths[path]?.[m.toLowerCase()];
        assert.ok(op, `${m} ${path} is documented`);
        assert.ok(
          op.responses['200'] || op.responses['201'] || op.responses['204'],
          `${m} ${path} documents success`,
        );
        assert.ok(op.responses['404'] || !path.includes('{'), `${m} ${path} documents 404`);
      }
    }
    // An absent id looks the same as another organisation's.
    const absent = await api('GET', '/api/v1/users/00000000-0000-4000-8000-000000000000');
    const foreign = await api('GET', `/api/v1/users/${target.id}`);
    assert.equal(absent.statusCode, foreign.statusCode);
    assert.equal(absent.json().title, foreign.json().title);
  });

  test('an LSO manages its group children; a child’s LSO cannot manage its parent; a CDSP LSO acts on behalf of any organisation', async () => {
    const parent = await makeOrg(t.services);
    const child = await makeOrg(t.services, { parentShortCode: parent.shortCode });
    const pLso = await makeUser(t.services, { orgShortCode: parent.shortCode, roles: ['lso'] });
    const cLso = await makeUser(t.services, { orgShortCode: child.shortCode, roles: ['lso'] });
    const pUser = await makeUser(t.services, { orgShortCode: parent.shortCode });
    const cUser = await makeUser(t.services, { orgShortCode: child.shortCode });
    const p = await actorFor(t.services, pLso.email);
    const c = await actorFor(t.services, cLso.email);
    assert.equal((await t.services.lso.getUser(p, cUser.id)).id, cUser.id);
    await assert.rejects(t.services.lso.getUser(c, pUser.id), (e: Error) => e.name === 'NotFoundError');
    const cdsp = await makeOrg(t.services, { type: 'cdsp' });
    const cdspLso = await makeUser(t.services, { orgShortCode: cdsp.shortCode, roles: ['lso'] });
    const x = await actorFor(t.services, cdspLso.email);
    await t.services.lso.disableUser(x, pUser.id);
    const ev = (
      await inScope(t.database.db, SYSTEM_SCOPE, (trx) => t.services.audit.forSubject(trx, 'user', pUser.id))
    ).find((e) => e.action === 'user.disabled')!;
    assert.equal(ev.actorUserId, cdspLso.id);
    assert.equal(ev.organisationId, cdsp.id);
    assert.equal(ev.onBehalfOfOrganisationId, parent.id, 'audited as acting on the organisation’s behalf');
  });
});

describe('groups, API keys and recertification', () => {
  const t = signInAppPerSuite();

  test('group visibility: a parent’s user may be granted its children’s data, never the other way or sideways', async () => {
    const parent = await makeOrg(t.services);
    const child = await makeOrg(t.services, { parentShortCode: parent.shortCode });
    const sibling = await makeOrg(t.services, { parentShortCode: parent.shortCode });
    const lso = await actorFor(
      t.services,
      (await makeUser(t.services, { orgShortCode: parent.shortCode, roles: ['lso'] })).email,
    );
    const granted = await makeUser(t.services, { orgShortCode: parent.shortCode });
    const plain = await makeUser(t.services, { orgShortCode: parent.shortCode });
    const childUser = await makeUser(t.services, { orgShortCode: child.shortCode });
    assert.deepEqual(
      (await actorFor(t.services, granted.email)).visibleOrganisationIds,
      [parent.id],
      'no grant: own only',
    );
    await t.services.lso.updateUser(lso, granted.id, { groupVisibility: true });
    assert.deepEqual(
      new Set((await actorFor(t.services, granted.email)).visibleOrganisationIds),
      new Set([parent.id, child.id, sibling.id]),
    );
    assert.deepEqual((await actorFor(t.services, plain.email)).visibleOrganisationIds, [parent.id]);
    await t.services.lso.updateUser(lso, childUser.id, { groupVisibility: true });
    assert.deepEqual(
      (await actorFor(t.services, childUser.email)).visibleOrganisationIds,
      [child.id],
      'never upwards or sideways',
    );
  });

  test('users create and revoke their own keys (web and API); shown once, hashed; an LSO creates keys for service accounts only', async () => {
    const org = await makeOrg(t.services);
    const u = await makeUser(t.services, {
      orgShortCode: org.shortCode,
      roles: ['des_user'],
      password: TEST_PASSWORD,
    });
    const web = (await signInAndEnrol(t.app, t.clock, u.email, TEST_PASSWORD)).client;
    const created = await web.post(
      '/account/api-keys',
      { label: 'Nightly', expires: '2027-01-31' },
      '/account/api-keys',
    );
    assert.equal(created.statusCode, 200);
    const token = /id="new-api-key">(cdsp_[A-Za-z0-9_-]{43})</.exec(created.body)![1]!;
    const me = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.statusCode, 200);
    assert.doesNotMatch((await web.get('/account/api-keys')).body, new RegExp(token), 'shown once');
    const api = (method: string, url: string, body?: unknown) =>
      t.app.inject({
        method: method as 'GET',
        url,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { payload: JSON.stringify(body) } : {}),
      });
    const list = (await api('GET', '/api/v1/me/api-keys')).json();
    assert.equal(list.api_keys.length, 1);
    assert.equal(list.api_keys[0].scopes, null);
    assert.equal(
      list.api_keys[0].expires_at,
      '2027-02-01T00:00:00.000Z',
      'the key works all of 31 January (London)',
    );
    assert.ok(list.api_keys[0].last_used_at, 'last used is recorded');
    const second = await api('POST', '/api/v1/me/api-keys', { label: 'Second', scopes: ['cms:read'] });
    assert.equal(second.statusCode, 201);
    assert.match(second.json().token, /^cdsp_/);
    const narrow = await t.app.inject({
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${second.json().token}` },
    });
    assert.ok(!narrow.json().permissions.includes('des:read'), 'a cms:read key cannot read DES');
    assert.equal((await api('DELETE', `/api/v1/me/api-keys/${second.json().api_key.id}`)).statusCode, 204);
    const id = list.api_keys[0].id;
    assert.equal((await web.post(`/account/api-keys/${id}/revoke`, {}, '/account/api-keys')).statusCode, 303);
    assert.equal((await api('GET', '/api/v1/me')).statusCode, 401, 'revoked');
    // LSO: keys for a service account, never for a person.
    const lso = await actorFor(
      t.services,
      (await makeUser(t.services, { orgShortCode: org.shortCode, roles: ['lso'] })).email,
    );
    const svc = await t.services.lso.inviteUser(lso, {
      organisationId: org.id,
      email: 'svc@k.example',
      name: 'Svc',
      roles: ['des_user'],
      serviceAccount: true,
    });
    const k = await t.services.lso.createServiceAccountKey(lso, svc.id, {
      label: 'feed',
      scopes: ['des:read'],
    });
    assert.equal(
      (await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${k.token}` } })).statusCode,
      200,
    );
    await assert.rejects(
      t.services.lso.createServiceAccountKey(lso, u.id, { label: 'x' }),
      /created by that person/,
    );
    // A service account cannot sign in on the web.
    const c = new WebClient(t.app);
    assert.equal(
      (await c.post('/sign-in', { email: 'svc@k.example', password: TEST_PASSWORD })).headers.location,
      '/sign-in?error=credentials',
    );
  });

  test('recertification: the console shows who is due; the daily job disables the overdue, tells the LSO, and is idempotent', async () => {
    const org = await makeOrg(t.services);
    const lsoUser = await makeUser(t.services, { orgShortCode: org.shortCode, roles: ['lso'] });
    const u = await makeUser(t.services, { orgShortCode: org.shortCode });
    const lso = await actorFor(t.services, lsoUser.email);
    t.clock.advance(80 * 86_400_000);
    const due = await t.services.lso.listUsers(lso, { dueOnly: true });
    assert.ok(
      due.some((x) => x.id === u.id),
      'due within the warning period',
    );
    await t.services.lso.recertifyUser(lso, lsoUser.id);
    t.clock.advance(11 * 86_400_000);
    const first = await runAccessRecertification(t.services.recertification);
    assert.ok(first.disabled.includes(u.id));
    assert.ok(!first.disabled.includes(lsoUser.id), 're-confirmed users stay');
    assert.equal((await t.services.lso.getUser(lso, u.id)).status, 'disabled');
    assert.ok(
      (await readOutbox(t.database.db)).some((m) => m.to === lsoUser.email && m.body.includes(u.email)),
    );
    const second = await runAccessRecertification(t.services.recertification);
    assert.deepEqual(second.disabled, [], 'a second run changes nothing');
    await t.services.lso.enableUser(lso, u.id);
    assert.equal(
      (await runAccessRecertification(t.services.recertification)).disabled.includes(u.id),
      false,
      're-enabling re-confirms',
    );
  });
});
