/**
 * Webhook hardening (issue 15, findings 2 and 4): targets on internal addresses are refused at registration and at
 * delivery (after DNS resolution, with the checked address pinned), and deliveries are claimed in one short
 * transaction, sent outside it concurrently (per-organisation limit), and recorded in another.
 * No traffic leaves loopback: names resolve through a stub, and every delivery goes to a listener this file starts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import pg from 'pg';
import { createServices } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import { makeOrg } from '../../../test/support/factories.ts';
import { apiAs, createCmsTestApp, userWithToken } from '../../../test/support/cms.ts';
import type { Api, CmsTestApp } from '../../../test/support/cms.ts';
import { listenOnLoopback as listen, stubResolver } from '../../../test/support/webhooks.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import type { Actor } from '../identity/index.ts';
import type { WebhookTransport } from './cms.ports.ts';
import { pinnedHttpTransport, WebhookTargets, type WebhookTargetPolicy } from './webhook-targets.ts';
import { enqueueWebhookEvent, WebhooksService } from './webhooks.service.ts';

const PUBLIC = '93.184.215.14'; // an ordinary public unicast address; no test connects to it

describe('webhooks: internal targets refused, deliveries outside transactions', () => {
  let t: CmsTestApp;
  let a: Api;
  let actor: Actor;

  /** A webhooks service wired as createCms wires it, with the real pinned transport (counting its calls). */
  function service(policy: WebhookTargetPolicy, dns: Map<string, string[]>) {
    const calls: string[] = [];
    const real = pinnedHttpTransport();
    const transport: WebhookTransport = (url, req) => {
      calls.push(`${url} via ${req.address.address}`);
      return real(url, req);
    };
    const resolver = stubResolver(dns);
    const svc = new WebhooksService(
      t.database.db,
      t.clock,
      t.services.audit,
      transport,
      new WebhookTargets(policy, resolver),
    );
    return { svc, calls, resolver };
  }

  /** Queues one event for every active webhook of the organisation (as a contact change would). */
  async function enqueue(orgId: string, at = t.clock.now()) {
    await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      enqueueWebhookEvent(trx, at, [orgId], 'contact.raised', { reference: 'ADD-TEST01' }),
    );
  }

  /** The organisation's delivery (of `webhookId`, if given) that was created last. */
  async function deliveryOf(orgId: string, webhookId?: string) {
    return inScope(t.database.db, SYSTEM_SCOPE, async (trx) => {
      let q = trx
        .selectFrom('cms.webhook_deliveries')
        .select(['status', 'attempts', 'last_error', 'last_status_code'])
        .where('organisation_id', '=', orgId);
      if (webhookId) q = q.where('webhook_id', '=', webhookId);
      return q.orderBy('created_at', 'desc').executeTakeFirst();
    });
  }

  /** Organisation A's webhook points at a listener that never answers, B's at one answering `status`. */
  async function hangingAndAnswering(status: number) {
    const hanging = await listen({ hang: true });
    const answering = await listen({ status });
    const meA = await newOrgActor();
    const meB = await newOrgActor();
    const dns = new Map([
      ['a.test.example', ['127.0.0.1']],
      ['b.test.example', ['127.0.0.1']],
    ]);
    const exceptions = [hanging.port, answering.port].map((port) => ({ address: '127.0.0.1', port }));
    const { svc } = service({ allowHttp: true, exceptions }, dns);
    await svc.create(meA, { url: `http://a.test.example:${hanging.port}/hook` });
    await svc.create(meB, { url: `http://b.test.example:${answering.port}/hook` });
    return { hanging, answering, meA, meB, svc, dns };
  }

  async function newOrgActor(): Promise<Actor> {
    const org = await makeOrg(t.services, { type: 'shipper' });
    const u = await userWithToken(t, org.shortCode, ['cms_supervisor']);
    return (await t.services.identity.authenticateToken(u.token))!;
  }

  before(async () => {
    t = await createCmsTestApp();
    const org = await makeOrg(t.services, { type: 'shipper' });
    const u = await userWithToken(t, org.shortCode, ['cms_supervisor']);
    a = apiAs(t, u.token);
    actor = (await t.services.identity.authenticateToken(u.token))!;
  });
  after(() => t.cleanup());

  test('registration refuses loopback, private, link-local, unique-local and encoded loopback targets', async () => {
    const refused = [
      'https://127.0.0.1/hook',
      'https://localhost/hook',
      'https://LOCALHOST./hook',
      'https://api.localhost/hook',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::1]/hook',
      'https://10.0.0.1/hook',
      'https://172.16.5.4/hook',
      'https://192.168.1.1/hook',
      'https://100.64.0.1/hook',
      'https://2130706433/hook',
      'https://0x7f.1/hook',
      'https://127.1/hook',
      'https://0/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[::ffff:10.0.0.1]/hook',
      'https://[::127.0.0.1]/hook',
      'https://[::]/hook',
      'https://[fe80::1]/hook',
      'https://[fd00::1]/hook',
      'https://224.0.0.1/hook',
      'https://255.255.255.255/hook',
      'https://192.0.2.10/hook',
      'https://198.18.0.1/hook',
      'https://[2001:db8::1]/hook',
      'https://[64:ff9b::7f00:1]/hook',
      'https://[2002:7f00:1::]/hook',
    ];
    for (const url of refused) {
      const res = await a('POST', '/webhooks', { body: { url } });
      assert.equal(res.statusCode, 400, `${url} was accepted: ${res.body}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      const problem = res.json() as { errors?: { field: string; message: string }[] };
      assert.equal(problem.errors?.[0]?.field, 'url', url);
      assert.match(problem.errors?.[0]?.message ?? '', /is not allowed.*public address/, url);
    }
    for (const url of [
      'http://127.0.0.1/hook',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://127.1/',
      'http://0/',
    ]) {
      const res = await a('POST', '/webhooks', { body: { url } });
      assert.equal(res.statusCode, 400, `${url} was accepted: ${res.body}`);
      assert.match(res.json().errors[0].message, /Give an https:\/\/ URL/, url);
    }
    const tooLong = await a('POST', '/webhooks', {
      body: { url: `https://hooks.test.example/${'x'.repeat(2100)}` },
    });
    assert.equal(tooLong.statusCode, 400);
    const list = (await a('GET', '/webhooks')).json().items as unknown[];
    assert.equal(list.length, 0, 'nothing was registered');
  });

  test('registration resolves the host: refused when any of its addresses is internal, or it does not resolve', async () => {
    t.dns.set('internal.test.example', ['10.0.0.1']);
    t.dns.set('mixed.test.example', [PUBLIC, '::1']);
    t.dns.set('mapped.test.example', ['::ffff:169.254.169.254']);
    t.dns.set('public.test.example', [PUBLIC, '2606:2800:21f:cb07:6820:80da:af6b:8b2c']);
    for (const [host, message] of [
      ['internal.test.example', /address 10\.0\.0\.1 of internal\.test\.example is not allowed \(private\)/],
      ['mixed.test.example', /address ::1 of mixed\.test\.example is not allowed \(loopback\)/],
      ['mapped.test.example', /is not allowed \(linkLocal\)/],
      ['nowhere.test.example', /could not be resolved/],
    ] as const) {
      const res = await a('POST', '/webhooks', { body: { url: `https://${host}/hook` } });
      assert.equal(res.statusCode, 400, `${host}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.match(res.json().errors[0].message, message);
    }
    const ok = await a('POST', '/webhooks', { body: { url: 'https://public.test.example/hook' } });
    assert.equal(ok.statusCode, 201, ok.body);
    await a('DELETE', `/webhooks/${ok.json().id}`);
  });

  test('a test may reach exactly its own loopback listener: signed delivery, pinned address, no redirects', async () => {
    const receiver = await listen({ status: 204 });
    const redirector = await listen({ status: 302, location: `http://127.0.0.1:${receiver.port}/elsewhere` });
    const other = await listen({ status: 200 });
    try {
      const dns = new Map([
        ['receiver.test.example', ['127.0.0.1']],
        ['redirect.test.example', ['127.0.0.1']],
      ]);
      const policy = {
        allowHttp: true,
        exceptions: [
          { address: '127.0.0.1', port: receiver.port },
          { address: '127.0.0.1', port: redirector.port },
        ],
      };
      const { svc, calls, resolver } = service(policy, dns);
      const me = await newOrgActor();
      const hook = await svc.create(me, { url: `http://receiver.test.example:${receiver.port}/in` });
      // Another loopback port is not excepted: refused like any internal address.
      await assert.rejects(svc.create(me, { url: `http://127.0.0.1:${other.port}/` }), (e: Error) => {
        assert.match(JSON.stringify(e), /127\.0\.0\.1 of 127\.0\.0\.1 is not allowed \(loopback\)/);
        return true;
      });
      await enqueue(me.organisationId);
      assert.deepEqual(await svc.deliverDue(), { delivered: 1, retrying: 0, failed: 0 });
      assert.equal(receiver.received.length, 1);
      const got = receiver.received[0]!;
      assert.equal(got.url, '/in');
      assert.equal(
        got.headers.host,
        `receiver.test.example:${receiver.port}`,
        'the URL’s host, at the checked address',
      );
      const expected = `sha256=${createHmac('sha256', hook.secret)
        .update(`${String(got.headers['x-cdsp-timestamp'])}.${got.body}`)
        .digest('hex')}`;
      assert.equal(got.headers['x-cdsp-signature'], expected);
      assert.equal(
        resolver.lookups.get('receiver.test.example'),
        2,
        'resolved at registration and at delivery',
      );
      assert.deepEqual(calls, [`http://receiver.test.example:${receiver.port}/in via 127.0.0.1`]);

      // A redirect is a failed attempt; its Location is not followed.
      await svc.deactivate(me, hook.id);
      const redirecting = await svc.create(me, { url: `http://redirect.test.example:${redirector.port}/` });
      await enqueue(me.organisationId);
      assert.deepEqual(await svc.deliverDue(), { delivered: 0, retrying: 1, failed: 0 });
      assert.equal(redirector.received.length, 1);
      assert.equal(receiver.received.length, 1, 'the redirect was not followed');
      const d = await deliveryOf(me.organisationId, redirecting.id);
      assert.equal(d?.last_status_code, 302);
      assert.match(d?.last_error ?? '', /redirects are not followed/);
      assert.equal(other.received.length, 0);
    } finally {
      await receiver.close();
      await redirector.close();
      await other.close();
    }
  });

  test('a name that resolves public at registration and loopback at delivery is refused then: nothing is sent', async () => {
    const listener = await listen({ status: 200 });
    try {
      const dns = new Map([['rebind.test.example', [PUBLIC]]]);
      // The production policy (https only, no exceptions), with the real pinned transport.
      const { svc, calls } = service({ allowHttp: false }, dns);
      const me = await newOrgActor();
      await svc.create(me, { url: `https://rebind.test.example:${listener.port}/hook` });
      dns.set('rebind.test.example', ['127.0.0.1']);
      await enqueue(me.organisationId);
      assert.deepEqual(await svc.deliverDue(), { delivered: 0, retrying: 1, failed: 0 });
      assert.deepEqual(calls, [], 'the transport was never called');
      assert.equal(listener.received.length, 0);
      const d = await deliveryOf(me.organisationId);
      assert.equal(d?.status, 'pending');
      assert.equal(d?.attempts, 1);
      assert.match(
        d?.last_error ?? '',
        /refused, nothing sent: The address 127\.0\.0\.1 of rebind\.test\.example is not allowed/,
      );
    } finally {
      await listener.close();
    }
  });

  test('the production configuration refuses 127.0.0.1: at registration and at delivery', async () => {
    const listener = await listen({ status: 200 });
    try {
      // Wired exactly as the service is: loadConfig with no environment, default resolver and transport.
      const prod = createServices(t.database.db, t.clock, null, { config: loadConfig({}) });
      for (const url of [`https://127.0.0.1:${listener.port}/`, `http://127.0.0.1:${listener.port}/`]) {
        await assert.rejects(
          prod.cms.webhooks.create(actor, { url }),
          (e: Error & { errors?: { message: string }[] }) => {
            assert.equal(e.name, 'ValidationError');
            assert.match(e.errors?.[0]?.message ?? '', /not allowed|https:\/\//);
            return true;
          },
        );
      }
      // A target stored before the check existed is refused at delivery.
      const me = await newOrgActor();
      await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
        trx
          .insertInto('cms.webhooks')
          .values({
            organisation_id: me.organisationId,
            url: `https://127.0.0.1:${listener.port}/old`,
            secret: 'whsec_old',
            events: ['*'],
            created_at: t.clock.now(),
            created_by_label: 'before the fix',
          })
          .execute(),
      );
      await enqueue(me.organisationId);
      assert.deepEqual(await prod.cms.webhooks.deliverDue(), { delivered: 0, retrying: 1, failed: 0 });
      assert.equal(listener.received.length, 0);
      assert.match(
        (await deliveryOf(me.organisationId))?.last_error ?? '',
        /127\.0\.0\.1.*not allowed \(loopback\)/,
      );
      assert.equal(loadConfig({}).webhooks.allowHttp, false);
      assert.equal(loadConfig({ CDSP_WEBHOOK_ALLOW_HTTP: 'true' }).webhooks.allowHttp, true);
      assert.throws(() => loadConfig({ CDSP_WEBHOOK_ALLOW_HTTP: 'yes' }), /CDSP_WEBHOOK_ALLOW_HTTP/);
    } finally {
      await listener.close();
    }
  });

  test('one organisation’s hanging endpoint does not hold up another’s, and no transaction is open meanwhile', async () => {
    const { hanging, answering, meA, meB, svc, dns } = await hangingAndAnswering(204);
    // A's delivery is due first, so a one-at-a-time sender would wait on it before B's.
    const now = t.clock.now();
    await enqueue(meA.organisationId, new Date(now.getTime() - 1000));
    await enqueue(meB.organisationId, now);
    const started = Date.now();
    const run = svc.deliverDue();
    try {
      // B is delivered (and recorded) while A's request still hangs, well before A's 10-second timeout.
      let b = await deliveryOf(meB.organisationId);
      while (b?.status !== 'delivered' && Date.now() - started < 4000) {
        await new Promise((r) => setTimeout(r, 25));
        b = await deliveryOf(meB.organisationId);
      }
      const elapsed = Date.now() - started;
      assert.equal(b?.status, 'delivered', `B was not delivered within ${elapsed} ms`);
      assert.ok(elapsed < 4000, `B took ${elapsed} ms`);
      assert.equal(answering.received.length, 1);
      assert.equal(hanging.received.length, 1, 'A’s request is in flight');
      const a1 = await deliveryOf(meA.organisationId);
      assert.equal(a1?.attempts, 0, 'A’s attempt is not recorded yet: it is still in flight');
      if (t.adminUrl) {
        // No session sits in an open transaction while the HTTP call to A is outstanding.
        const watcher = new pg.Client({ connectionString: t.adminUrl });
        await watcher.connect();
        try {
          const r = await watcher.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_stat_activity
              WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
          );
          assert.equal(Number(r.rows[0]?.n), 0, 'a transaction is held open during the HTTP call');
        } finally {
          await watcher.end();
        }
      }
      // A second run meanwhile does not claim A's in-flight delivery again (its lease holds).
      const again = service({ allowHttp: true, exceptions: [] }, dns);
      assert.deepEqual(await again.svc.deliverDue(), { delivered: 0, retrying: 0, failed: 0 });
      assert.equal(hanging.received.length, 1);
    } finally {
      await hanging.close();
      await answering.close();
    }
    const result = await run;
    assert.deepEqual(result, { delivered: 1, retrying: 1, failed: 0 });
    const a2 = await deliveryOf(meA.organisationId);
    assert.equal(a2?.status, 'pending', 'A is retried later');
    assert.equal(a2?.attempts, 1);
  });

  test('at most two deliveries of one organisation are in flight at once; others proceed meanwhile', async () => {
    const { hanging, answering, meA, meB, svc } = await hangingAndAnswering(200);
    const now = t.clock.now();
    for (let i = 0; i < 5; i++) await enqueue(meA.organisationId, new Date(now.getTime() - 10_000 + i));
    for (let i = 0; i < 3; i++) await enqueue(meB.organisationId, now);
    const run = svc.deliverDue();
    try {
      const deadline = Date.now() + 4000;
      while (answering.received.length < 3 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 25));
      assert.equal(answering.received.length, 3, 'all of B’s deliveries went out');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(hanging.received.length, 2, 'only two of A’s five are in flight');
    } finally {
      await hanging.close();
      await answering.close();
    }
    await run;
  });
});
