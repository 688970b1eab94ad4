import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { forbiddenRange, WebhookTargetRefused, WebhookTargets } from './webhook-targets.ts';
import type { WebhookResolver } from './cms.ports.ts';

const PUBLIC_V4 = '93.184.215.14';
const PUBLIC_V6 = '2606:2800:21f:cb07:6820:80da:af6b:8b2c';

const resolverOf =
  (table: Record<string, string[]>): WebhookResolver =>
  async (host) => {
    const list = table[host];
    if (!list) throw new Error(`ENOTFOUND ${host}`);
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('webhook targets: address classification', () => {
  test('internal and special-purpose addresses are refused, IPv4 and IPv6', () => {
    for (const [address, range] of [
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.0.1', 'private'],
      ['169.254.169.254', 'linkLocal'],
      ['100.64.0.1', 'carrierGradeNat'],
      ['0.0.0.0', 'unspecified'],
      ['0.1.2.3', 'unspecified'],
      ['224.0.0.251', 'multicast'],
      ['255.255.255.255', 'broadcast'],
      ['192.0.2.1', 'reserved'],
      ['198.51.100.7', 'reserved'],
      ['203.0.113.9', 'reserved'],
      ['198.18.0.1', 'reserved'],
      ['240.0.0.1', 'reserved'],
      ['::1', 'loopback'],
      ['::', 'unspecified'],
      ['fe80::1', 'linkLocal'],
      ['fd12:3456::1', 'uniqueLocal'],
      ['fc00::1', 'uniqueLocal'],
      ['ff02::1', 'multicast'],
      ['2001:db8::1', 'reserved'],
      ['2001:2::1', 'benchmarking'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['::ffff:169.254.169.254', 'linkLocal'],
      ['::ffff:10.0.0.1', 'private'],
      ['::127.0.0.1', 'loopback'],
      ['::10.0.0.1', 'private'],
      ['::7f00:1', 'ipv4Compatible'],
      ['::a00:1', 'ipv4Compatible'],
      ['64:ff9b::7f00:1', 'rfc6052'],
      ['2002:7f00:1::', '6to4'],
      ['2001::1', 'teredo'],
      ['not-an-address', 'invalid'],
    ]) {
      assert.equal(forbiddenRange(address!), range, address);
    }
  });

  test('public unicast addresses pass', () => {
    for (const address of [PUBLIC_V4, '8.8.8.8', '1.1.1.1', PUBLIC_V6, '::ffff:93.184.215.14']) {
      assert.equal(forbiddenRange(address), null, address);
    }
  });
});

describe('webhook targets: URLs', () => {
  const targets = new WebhookTargets(
    { allowHttp: false },
    resolverOf({ 'hooks.test.example': [PUBLIC_V4, PUBLIC_V6], 'bad.test.example': [PUBLIC_V4, '10.0.0.1'] }),
  );

  const refusal = async (url: string, t = targets) => {
    try {
      await t.resolve(url);
    } catch (e) {
      assert.ok(e instanceof WebhookTargetRefused, String(e));
      return e.message;
    }
    assert.fail(`${url} was accepted`);
  };

  test('encoded loopback forms are normalised by the URL parser, then refused', async () => {
    for (const url of [
      'https://2130706433/',
      'https://0x7f.1/',
      'https://0x7f000001/',
      'https://017700000001/',
      'https://127.1/',
      'https://127.0.1/',
      'https://0/',
      'https://[::ffff:127.0.0.1]/',
      'https://[0:0:0:0:0:ffff:7f00:1]/',
      'https://[::127.0.0.1]/',
      'https://%31%32%37.0.0.1/',
    ]) {
      assert.match(await refusal(url), /is not allowed \((loopback|unspecified|ipv4Compatible)\)/, url);
    }
  });

  test('localhost names are refused before any look-up; credentials and other schemes are refused', async () => {
    let lookups = 0;
    const counting = new WebhookTargets({ allowHttp: false }, async () => {
      lookups++;
      return [{ address: PUBLIC_V4, family: 4 }];
    });
    for (const url of ['https://localhost/', 'https://LocalHost./x', 'https://a.b.localhost/']) {
      assert.match(await refusal(url, counting), /is not allowed/);
    }
    assert.equal(lookups, 0);
    assert.match(await refusal('https://user:pw@hooks.test.example/'), /without a user name or password/);
    assert.match(await refusal('http://hooks.test.example/'), /Give an https:\/\/ URL/);
    assert.match(await refusal('ftp://hooks.test.example/'), /Give an https:\/\/ URL/);
    assert.match(await refusal('not a url'), /absolute https:\/\/ URL/);
  });

  test('every resolved address must be public; one internal address is enough to refuse', async () => {
    const ok = await targets.resolve('https://hooks.test.example/cms');
    assert.equal(ok.address.address, PUBLIC_V4);
    assert.equal(ok.url.toString(), 'https://hooks.test.example/cms');
    assert.match(
      await refusal('https://bad.test.example/'),
      /10\.0\.0\.1 of bad\.test\.example is not allowed \(private\)/,
    );
    assert.match(await refusal('https://nowhere.test.example/'), /could not be resolved/);
  });

  test('CDSP_WEBHOOK_ALLOW_HTTP admits http:// but never an internal address', async () => {
    const lax = new WebhookTargets({ allowHttp: true }, resolverOf({ 'hooks.test.example': [PUBLIC_V4] }));
    assert.equal((await lax.resolve('http://hooks.test.example/')).address.address, PUBLIC_V4);
    assert.match(await refusal('http://127.0.0.1:8080/', lax), /not allowed \(loopback\)/);
  });

  test('an exception admits exactly one address and port', async () => {
    const t = new WebhookTargets(
      { allowHttp: true, exceptions: [{ address: '127.0.0.1', port: 4567 }] },
      resolverOf({ 'me.test.example': ['127.0.0.1'] }),
    );
    assert.equal((await t.resolve('http://me.test.example:4567/')).address.address, '127.0.0.1');
    assert.equal((await t.resolve('http://[::ffff:127.0.0.1]:4567/')).address.address, '::ffff:7f00:1');
    assert.match(await refusal('http://me.test.example:4568/', t), /not allowed/);
    assert.match(await refusal('http://127.0.0.2:4567/', t), /not allowed/);
    assert.match(await refusal('http://me.test.example/', t), /not allowed/);
  });
});
