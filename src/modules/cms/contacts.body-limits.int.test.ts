/**
 * Issue 15 finding 1: body parsers per route. Only the attachment upload takes a binary body (up to 20 MB); every
 * other CMS route takes JSON with the small default limit, and refuses anything else with a short problem+json.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeOrg } from '../../../test/support/factories.ts';
import { apiFor, cmsAppPerSuite, type Api } from '../../../test/support/cms.ts';

describe('CMS API body parsers (issue 15, finding 1)', () => {
  const t = cmsAppPerSuite();
  let reader: Api;
  let admin: Api;

  before(async () => {
    const org = await makeOrg(t.services, { type: 'shipper' });
    reader = await apiFor(t, org.shortCode, ['cms_user']);
    admin = await apiFor(t, t.cdsp.shortCode, [
      'cdsp_admin',
      'cdsp_supervisor',
      'cdsp_resolver',
      'cms_supervisor',
    ]);
  });

  const octet = { 'content-type': 'application/octet-stream' };

  test('a 256 KB binary body to the notes route is refused with 415 and a short problem', async () => {
    const res = await reader('POST', '/contacts/ENQ-ZZZZZZ/notes', {
      headers: octet,
      payload: Buffer.alloc(256 * 1024, 0x41),
    });
    assert.equal(res.statusCode, 415);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.ok(res.rawPayload.length < 2048, `response is ${res.rawPayload.length} bytes`);
  });

  test('a 4 MB binary body to the notes route does not blow memory', async () => {
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 5);
    const res = await reader('POST', '/contacts/ENQ-ZZZZZZ/notes', {
      headers: octet,
      payload: Buffer.alloc(4 * 1024 * 1024, 0x41),
    });
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `status ${res.statusCode}`);
    assert.ok(res.rawPayload.length < 2048, `response is ${res.rawPayload.length} bytes`);
    const grew = peak - before;
    assert.ok(grew < 64 * 1024 * 1024, `heap grew by ${Math.round(grew / 1048576)} MB`);
  });

  test('every JSON route refuses a binary body; only the attachment route takes one', async () => {
    for (const [method, url] of [
      ['POST', '/contacts'],
      ['POST', '/contacts/ENQ-ZZZZZZ/actions'],
      ['POST', '/requests'],
      ['POST', '/requests/DCR-ZZZZZZ/response'],
      ['PUT', '/requests/DCR-ZZZZZZ/assignee'],
      ['PUT', '/contact-codes/ZZZ'],
      ['PATCH', '/contact-codes/ZZZ'],
      ['POST', '/webhooks'],
    ] as const) {
      const res = await admin(method, url, { headers: octet, payload: Buffer.from('%PDF-1.4') });
      assert.equal(res.statusCode, 415, `${method} ${url}: ${res.statusCode}`);
    }
    // The attachment route still takes its binary body (the contact does not exist: 404, past the parser).
    const res = await reader('POST', '/contacts/ENQ-ZZZZZZ/attachments?filename=a.pdf', {
      headers: octet,
      payload: Buffer.from('%PDF-1.4\n'),
    });
    assert.equal(res.statusCode, 404, res.body);
  });

  test('the attachment route refuses JSON (415) and a body over 20 MB (413), as problem+json', async () => {
    const json = await reader('POST', '/contacts/ENQ-ZZZZZZ/attachments?filename=a.pdf', { body: { a: 1 } });
    assert.equal(json.statusCode, 415, json.body);
    assert.match(String(json.headers['content-type']), /^application\/problem\+json/);
    const big = await reader('POST', '/contacts/ENQ-ZZZZZZ/attachments?filename=a.pdf', {
      headers: octet,
      payload: Buffer.alloc(21 * 1024 * 1024, 0x41),
    });
    assert.equal(big.statusCode, 413, big.body.slice(0, 200));
    assert.match(String(big.headers['content-type']), /^application\/problem\+json/);
  });

  test('a JSON body over the default limit is 413; validation errors are bounded in count and size', async () => {
    const big = await reader('POST', '/contacts/ENQ-ZZZZZZ/notes', {
      headers: { 'content-type': 'application/json' },
      payload: Buffer.from(JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) })),
    });
    assert.equal(big.statusCode, 413);
    assert.match(String(big.headers['content-type']), /^application\/problem\+json/);
    // 20,000 unknown properties: one error each, unbounded before.
    const many: Record<string, string> = {};
    for (let i = 0; i < 20_000; i++) many[`k${i}`] = 'x'.repeat(20);
    const res = await reader('POST', '/contacts/ENQ-ZZZZZZ/notes', { body: many });
    assert.equal(res.statusCode, 400);
    const p = res.json() as { errors?: unknown[]; detail?: string };
    assert.ok((p.errors?.length ?? 0) <= 20, `${p.errors?.length} errors`);
    assert.ok(res.rawPayload.length < 8 * 1024, `response is ${res.rawPayload.length} bytes`);
  });
});
