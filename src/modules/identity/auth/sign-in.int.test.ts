import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { TestApp } from '../../../../test/support/app.ts';
import {
  appPerSuite,
  makeOrg,
  makeUser,
  TEST_ACTOR,
  TEST_PASSWORD,
} from '../../../../test/support/factories.ts';
import { signInAppPerSuite } from '../../../../test/support/factories/identity.ts';
import { signIn, signInAndEnrol, WebClient } from '../../../../test/support/web-client.ts';
import { inScope, SYSTEM_SCOPE } from '../../../platform/db/scope.ts';
import { readOutbox } from '../../../platform/mail/mailer.ts';
import { totpCode } from './mfa.ts';

async function auditActions(t: TestApp, subjectId: string): Promise<string[]> {
  return (
    await inScope(t.database.db, SYSTEM_SCOPE, (trx) => t.services.audit.forSubject(trx, 'user', subjectId))
  ).map((e) => e.action);
}

describe('sign-in with password and TOTP', () => {
  const t = signInAppPerSuite();

  test('first sign-in enrols TOTP with a QR code and typed secret, gives ten recovery codes, and sets a __Host- session cookie', async () => {
    const org = await makeOrg(t.services);
    const user = await makeUser(t.services, { orgShortCode: org.shortCode, password: TEST_PASSWORD });
    const client = new WebClient(t.app);
    const first = await client.post('/sign-in', { email: user.email, password: TEST_PASSWORD });
    assert.equal(first.statusCode, 303);
    assert.equal(first.headers.location, '/sign-in/set-up-authenticator');
    const partial = client.session();
    assert.ok(partial);
    const setCookie = String(first.headers['set-cookie']);
    assert.match(setCookie, /__Host-cdsp-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax/);
    assert.doesNotMatch(setCookie, /Domain=|Max-Age|Expires/i);
    const page = await client.get('/sign-in/set-up-authenticator');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<img src="data:image\/png;base64,[A-Za-z0-9+/=]+"/);
    const secret = /data-secret="([A-Z2-7]+)"/.exec(page.body)![1]!;
    assert.ok(secret.length >= 32, 'a 160-bit secret');
    // A partly signed-in session cannot reach signed-in pages.
    assert.equal((await client.get('/account')).headers.location, '/sign-in/set-up-authenticator');
    const wrong = await client.post(
      '/sign-in/set-up-authenticator',
      { code: '000000' },
      '/sign-in/set-up-authenticator',
    );
    assert.equal(wrong.statusCode, 400);
    const ok = await client.post(
      '/sign-in/set-up-authenticator',
      { code: await totpCode(secret, t.clock.now()) },
      '/sign-in/set-up-authenticator',
    );
    assert.equal(ok.statusCode, 200);
    const codes = [...ok.body.matchAll(/<li>([a-z2-9]{4}(?:-[a-z2-9]{4}){5})<\/li>/g)].map((m) => m[1]);
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    assert.notEqual(client.session(), partial, 'a new session id once fully signed in');
    const account = await client.get('/account');
    assert.equal(account.statusCode, 200);
    assert.match(account.body, new RegExp(user.email));
    // The partial session id no longer works.
    const old = new WebClient(t.app);
    old.cookies.set('__Host-cdsp-session', partial);
    assert.equal((await old.get('/account')).statusCode, 303);
    // Stored: only hashes of the session id and recovery codes; the secret is confirmed.
    const dump = await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      sql<{ t: string }>`select row_to_json(x)::text as t from (select * from identity.sessions) x
                         union all select row_to_json(r)::text from identity.recovery_codes r`.execute(trx),
    );
    const all = dump.rows.map((r) => r.t).join('\n');
    assert.ok(!all.includes(client.session()!), 'the session id is not stored');
    for (const c of codes) assert.ok(!all.includes(c!.replace(/-/g, '')), 'recovery codes are not stored');
    const actions = await auditActions(t, user.id);
    assert.ok(actions.includes('auth.password_verified'));
    assert.ok(actions.includes('auth.mfa_enrolled'));
    assert.ok(actions.includes('auth.signed_in'));
  });

  test('a page asked for while signed out (an email’s link to a contact) is where signing in ends, once; never another site', async () => {
    const org = await makeOrg(t.services);
    const user = await makeUser(t.services, { orgShortCode: org.shortCode, password: TEST_PASSWORD });
    const { secret } = await signInAndEnrol(t.app, t.clock, user.email, TEST_PASSWORD);
    const signInWithCode = async (client: WebClient) => {
      t.clock.advance(30_000); // a new TOTP step: a code is accepted once
      await client.post('/sign-in', { email: user.email, password: TEST_PASSWORD });
      return client.post('/sign-in/code', { code: await totpCode(secret, t.clock.now()) }, '/sign-in/code');
    };
    const client = new WebClient(t.app);
    const asked = await client.get('/account/api-keys?from=email');
    assert.equal(asked.statusCode, 303);
    assert.equal(asked.headers.location, '/sign-in');
    const done = await signInWithCode(client);
    assert.equal(done.headers.location, '/account/api-keys?from=email');
    assert.equal(client.cookies.has('__Host-cdsp-return-to'), false, 'used once');
    // Signing in again, with nothing asked for, lands on the home page.
    const again = new WebClient(t.app);
    assert.equal((await signInWithCode(again)).headers.location, '/');
    // A value the service never sets (another site, a sign-in step) is ignored.
    for (const odd of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', '/sign-in/code']) {
      const c = new WebClient(t.app);
      c.cookies.set('__Host-cdsp-return-to', odd);
      assert.equal((await signInWithCode(c)).headers.location, '/', odd);
    }
  });

  test('a TOTP code works once: replaying it in the same time step is refused; a recovery code works once', async () => {
    const org = await makeOrg(t.services);
    const user = await makeUser(t.services, { orgShortCode: org.shortCode, password: TEST_PASSWORD });
    const { secret, recoveryCodes } = await signInAndEnrol(t.app, t.clock, user.email, TEST_PASSWORD);
    const code = await totpCode(secret, t.clock.now());
    const a = new WebClient(t.app);
    await a.post('/sign-in', { email: user.email, password: TEST_PASSWORD });
    assert.equal((await a.post('/sign-in/code', { code }, '/sign-in/code')).statusCode, 303);
    const b = new WebClient(t.app);
    await b.post('/sign-in', { email: user.email, password: TEST_PASSWORD });
    const replay = await b.post('/sign-in/code', { code }, '/sign-in/code');
    assert.equal(replay.statusCode, 400, 'the same code is refused the second time');
    const rc = recoveryCodes[0]!;
    assert.equal(
      (await b.post('/sign-in/code', { code: rc.toUpperCase() }, '/sign-in/code')).statusCode,
      303,
    );
    assert.equal((await b.get('/account')).statusCode, 200);
    const c = new WebClient(t.app);
    await c.post('/sign-in', { email: user.email, password: TEST_PASSWORD });
    assert.equal(
      (await c.post('/sign-in/code', { code: rc }, '/sign-in/code')).statusCode,
      400,
      'a used recovery code',
    );
    assert.ok((await auditActions(t, user.id)).includes('auth.recovery_code_used'));
  });

  test('unknown email, wrong password and disabled account give byte-identical responses', async () => {
    const org = await makeOrg(t.services);
    const live = await makeUser(t.services, { orgShortCode: org.shortCode, password: TEST_PASSWORD });
    const off = await makeUser(t.services, { orgShortCode: org.shortCode, password: TEST_PASSWORD });
    await t.services.recertification.disableOverdueUsers(); // no-op here; keeps the service warm
    await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      trx.updateTable('identity.users').set({ status: 'disabled' }).where('id', '=', off.id).execute(),
    );
    const client = new WebClient(t.app);
    const token = await client.csrf();
    const attempt = async (email: string, password: string) => {
      const res = await client.postRaw('/sign-in', { email, password, _csrf: token });
      const headers = { ...res.headers };
      for (const h of [
        'date',
        'x-request-id',
        'content-security-policy',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
      ])
        delete headers[h];
      return {
        status: res.statusCode,
        body: res.rawPayload.toString('base64'),
        headers: JSON.stringify(headers),
      };
    };
    const unknown = await attempt('nobody-at-all@test.example', TEST_PASSWORD);
    const wrong = await attempt(live.email, 'not-the-password-at-all');
    const disabled = await attempt(off.email, TEST_PASSWORD);
    assert.equal(unknown.status, 303);
    assert.deepEqual(wrong, unknown);
    assert.deepEqual(disabled, unknown);
    const page = await client.get('/sign-in?error=credentials');
    assert.match(page.body, /Enter a correct email address and password/);
  });
});

describe('throttling, lockout, CSRF and rate limits', () => {
  const t = signInAppPerSuite();

  test('failures are throttled progressively, then lock the account; it unlocks after the lockout period or by an LSO', async () => {
    const org = await makeOrg(t.services);
    const user = await makeUser(t.services, { orgShortCode: org.shortCode, password: TEST_PASSWORD });
    const { secret } = await signInAndEnrol(t.app, t.clock, user.email, TEST_PASSWORD);
    const client = new WebClient(t.app);
    const token = await client.csrf();
    const tryPassword = (password: string) =>
      client
        .postRaw('/sign-in', { email: user.email, password, _csrf: token })
        .then((r) => r.headers.location);
    for (let i = 0; i < 3; i++)
      assert.equal(await tryPassword('wrong-password-guess'), '/sign-in?error=credentials');
    // After 3 failures the next attempt must wait 1 s: even the right password is refused before that.
    assert.equal(await tryPassword(TEST_PASSWORD), '/sign-in?error=credentials', 'throttled');
    t.clock.advance(1_000);
    assert.equal(await tryPassword(TEST_PASSWORD), '/sign-in/code', 'accepted once the wait is over');
    // Ten consecutive failures (waiting out each throttle) lock the account.
    for (let i = 0; i < 10; i++) {
      t.clock.advance(2 ** Math.max(0, i - 2) * 1000);
      await tryPassword('wrong-password-guess');
    }
    t.clock.advance(600_000);
    assert.equal(
      await tryPassword(TEST_PASSWORD),
      '/sign-in?error=credentials',
      'locked: refused like any failure',
    );
    const actions = await auditActions(t, user.id);
    assert.ok(actions.includes('auth.account_locked'));
    assert.ok((await readOutbox(t.database.db)).some((m) => m.to === user.email && /locked/.test(m.subject)));
    // An LSO unlocks it at once.
    const lsoUser = await makeUser(t.services, { orgShortCode: org.shortCode, roles: ['lso'] });
    const { token: lsoToken } = await t.services.identity.createToken({ email: lsoUser.email }, TEST_ACTOR);
    const lsoActor = (await t.services.identity.authenticateToken(lsoToken))!;
    await t.services.lso.unlockUser(lsoActor, user.id);
    assert.equal(await tryPassword(TEST_PASSWORD), '/sign-in/code', 'unlocked by the LSO');
    // Locked again, it unlocks by itself after the lockout period (30 minutes).
    for (let i = 0; i < 10; i++) {
      t.clock.advance(2 ** Math.max(0, i - 2) * 1000);
      await tryPassword('wrong-password-guess');
    }
    t.clock.advance(29 * 60_000);
    assert.equal(
      await tryPassword(TEST_PASSWORD),
      '/sign-in?error=credentials',
      'still locked after 29 minutes',
    );
    t.clock.advance(2 * 60_000);
    assert.equal(await tryPassword(TEST_PASSWORD), '/sign-in/code', 'unlocked after the lockout period');
    await signIn(t.app, t.clock, user.email, TEST_PASSWORD, secret);
  });

  test('forms without a valid CSRF token are refused', async () => {
    const client = new WebClient(t.app);
    await client.get('/sign-in');
    const none = await client.postRaw('/sign-in', { email: 'a@b.example', password: 'x' });
    assert.equal(none.statusCode, 403);
    const forged = await client.postRaw('/sign-in', {
      email: 'a@b.example',
      password: 'x',
      _csrf: 'forged-token',
    });
    assert.equal(forged.statusCode, 403);
    const cookiesPage = (await new WebClient(t.app).get('/cookies')).body;
    assert.match(cookiesPage, /__Host-cdsp-session/, 'the cookies page names the session cookie');
    assert.match(cookiesPage, /__Host-cdsp-csrf/, 'the cookies page names the CSRF cookie');
    const cookie = String((await new WebClient(t.app).get('/sign-in')).headers['set-cookie']);
    assert.match(cookie, /__Host-cdsp-csrf=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax/);
  });
});

describe('per-IP rate limit on sign-in', () => {
  const t = appPerSuite({ env: { CDSP_SIGN_IN_RATE_LIMIT: '3' } });

  test('more attempts than the limit from one address in a minute get 429', async () => {
    const client = new WebClient(t.app);
    const token = await client.csrf();
    const codes = [];
    for (let i = 0; i < 4; i++) {
      codes.push(
        (await client.postRaw('/sign-in', { email: 'x@y.example', password: 'whatever-it-is', _csrf: token }))
          .statusCode,
      );
    }
    assert.deepEqual(codes, [303, 303, 303, 429]);
  });
});

describe('sessions', () => {
  const t = signInAppPerSuite();
  let user: { id: string; email: string };
  let secret: string;
  before(async () => {
    const org = await makeOrg(t.services);
    user = await makeUser(t.services, { orgShortCode: org.shortCode, password: TEST_PASSWORD });
    secret = (await signInAndEnrol(t.app, t.clock, user.email, TEST_PASSWORD)).secret;
  });

  test('a session ends after 30 minutes idle', async () => {
    const c = await signIn(t.app, t.clock, user.email, TEST_PASSWORD, secret);
    t.clock.advance(29 * 60_000);
    assert.equal((await c.get('/account')).statusCode, 200);
    t.clock.advance(31 * 60_000);
    const res = await c.get('/account');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/sign-in');
  });

  test('a session ends 12 hours after sign-in however active it is', async () => {
    const c = await signIn(t.app, t.clock, user.email, TEST_PASSWORD, secret);
    for (let h = 0; h < 35; h++) {
      t.clock.advance(20 * 60_000);
      assert.equal(
        (await c.get('/account')).statusCode,
        200,
        `still signed in after ${(h + 1) * 20} minutes`,
      );
    }
    t.clock.advance(14 * 60_000); // 11 h 54 min (and a little) after sign-in
    assert.equal((await c.get('/account')).statusCode, 200);
    t.clock.advance(10 * 60_000);
    assert.equal((await c.get('/account')).statusCode, 303, 'past 12 hours');
  });

  test('signing out ends the session on the server; signing out everywhere ends every session', async () => {
    const a = await signIn(t.app, t.clock, user.email, TEST_PASSWORD, secret);
    const stolen = a.session()!;
    assert.equal((await a.post('/sign-out', {}, '/account')).headers.location, '/sign-in?notice=signed-out');
    const replay = new WebClient(t.app);
    replay.cookies.set('__Host-cdsp-session', stolen);
    assert.equal((await replay.get('/account')).statusCode, 303, 'the old cookie no longer works');
    const b = await signIn(t.app, t.clock, user.email, TEST_PASSWORD, secret);
    const c = await signIn(t.app, t.clock, user.email, TEST_PASSWORD, secret);
    assert.match((await b.get('/account')).body, /Where you are signed in/);
    await c.post('/account/sign-out-everywhere', {}, '/account');
    assert.equal((await b.get('/account')).statusCode, 303);
    assert.equal((await c.get('/account')).statusCode, 303);
    const actions = await auditActions(t, user.id);
    assert.ok(actions.includes('auth.signed_out'));
    assert.ok(actions.includes('auth.signed_out_everywhere'));
  });

  test('changing the password needs the current one, ends other sessions and gives this one a new id', async () => {
    const other = await signIn(t.app, t.clock, user.email, TEST_PASSWORD, secret);
    const c = await signIn(t.app, t.clock, user.email, TEST_PASSWORD, secret);
    const before = c.session();
    const bad = await c.post(
      '/account/password',
      { current: 'not-my-password', password: 'a-new-long-passphrase', confirm: 'a-new-long-passphrase' },
      '/account/password',
    );
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Your current password is not correct/);
    const common = await c.post(
      '/account/password',
      { current: TEST_PASSWORD, password: 'Password1234', confirm: 'Password1234' },
      '/account/password',
    );
    assert.match(common.body, /too common/);
    const contextual = await c.post(
      '/account/password',
      { current: TEST_PASSWORD, password: 'centraldataservices2026', confirm: 'centraldataservices2026' },
      '/account/password',
    );
    assert.match(contextual.body, /too common/, 'words specific to this service are refused');
    const long = 'x'.repeat(20) + ' correct horse battery staple '.repeat(3);
    const ok = await c.post(
      '/account/password',
      { current: TEST_PASSWORD, password: long, confirm: long },
      '/account/password',
    );
    assert.equal(ok.statusCode, 303);
    assert.notEqual(c.session(), before);
    assert.equal((await c.get('/account')).statusCode, 200);
    assert.equal((await other.get('/account')).statusCode, 303, 'the other session ended');
    await c.post(
      '/account/password',
      { current: long, password: TEST_PASSWORD + '!', confirm: TEST_PASSWORD + '!' },
      '/account/password',
    );
    await inScope(t.database.db, SYSTEM_SCOPE, async (trx) => {
      const { hashPassword } = await import('./passwords.ts');
      await trx
        .updateTable('identity.users')
        .set({ password_hash: await hashPassword(TEST_PASSWORD) })
        .where('id', '=', user.id)
        .execute();
    });
  });
});
