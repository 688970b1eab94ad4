/**
 * A contact's evidence bundle: both parties (and only they) download it from the API and the contact page, each with
 * its own internal notes and never the other side's, and `cdsp audit verify --bundle` passes it untouched and names
 * what fails once a byte is changed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { unzipSync } from 'fflate';
import { runCli } from '../../cli.ts';
import { makeOrg, makeUser, TEST_PASSWORD } from '../../../test/support/factories.ts';
import { signInAndEnrol, type WebClient } from '../../../test/support/web-client.ts';
import {
  act,
  addSite,
  apiAs,
  createCmsTestApp,
  raiseAdd,
  userWithToken,
  type Api,
  type CmsTestApp,
} from '../../../test/support/cms.ts';
import { verifyEvidenceBundle } from '../audit/index.ts';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

describe('contact evidence bundles', () => {
  let t: CmsTestApp;
  let raiser: Api;
  let resolver: Api;
  let outsider: Api;
  let shipperWeb: WebClient;
  let outsiderWeb: WebClient;
  let reference: string;
  let dir: string;

  const cdsp = async (...argv: string[]) => {
    const out: string[] = [];
    const code = await runCli(argv, {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      env: { CDSP_DATA_DIR: dir },
    });
    return { code, out: out.join('\n') };
  };

  before(async () => {
    t = await createCmsTestApp();
    dir = mkdtempSync(join(tmpdir(), 'cdsp-evidence-'));
    const shipper = await makeOrg(t.services, { type: 'shipper', name: 'Acme Gas' });
    const other = await makeOrg(t.services, { type: 'shipper', name: 'Other Gas' });
    raiser = apiAs(t, (await userWithToken(t, shipper.shortCode, ['cms_user'])).token);
    resolver = apiAs(t, (await userWithToken(t, t.cdsp.shortCode, ['cdsp_resolver'])).token);
    outsider = apiAs(t, (await userWithToken(t, other.shortCode, ['cms_supervisor'])).token);
    const s = await makeUser(t.services, {
      orgShortCode: shipper.shortCode,
      roles: ['cms_user'],
      password: TEST_PASSWORD,
    });
    const o = await makeUser(t.services, {
      orgShortCode: other.shortCode,
      roles: ['cms_user'],
      password: TEST_PASSWORD,
    });
    shipperWeb = (await signInAndEnrol(t.app, t.clock, s.email, TEST_PASSWORD)).client;
    outsiderWeb = (await signInAndEnrol(t.app, t.clock, o.email, TEST_PASSWORD)).client;
    const mprn = await addSite(t, { shipper_short_code: shipper.shortCode });
    reference = (await raiseAdd(raiser, mprn, { description: 'Wrong street name' })).reference;
    await act(resolver, reference, { action: 'start' });
    const upload = await raiser('POST', `/contacts/${reference}/attachments?filename=evidence.pdf`, {
      payload: PDF,
      headers: { 'content-type': 'application/octet-stream' },
    });
    assert.equal(upload.statusCode, 201, upload.body);
    for (const [api, body, visibility] of [
      [resolver, 'CDSP-only zebra note', 'internal'],
      [raiser, 'Shipper-only giraffe note', 'internal'],
      [raiser, 'Shared note for both', 'external'],
    ] as const) {
      const r = await api('POST', `/contacts/${reference}/notes`, { body: { body, visibility } });
      assert.equal(r.statusCode, 201, r.body);
    }
    await act(resolver, reference, { action: 'resolve', outcome: 'ADDRESS_UPDATED', note: 'Fixed' });
  });
  after(async () => {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const download = async (api: Api) => {
    const res = await api('GET', `/contacts/${reference}/evidence`);
    assert.equal(res.statusCode, 200, res.body.slice(0, 500));
    assert.equal(res.headers['content-type'], 'application/zip');
    assert.match(String(res.headers['content-disposition']), new RegExp(`evidence-${reference}\\.zip`));
    return res.rawPayload;
  };

  test('each party’s bundle verifies, holds the contact, timeline, attachment and hashed events, and only its own internal notes', async () => {
    for (const [api, own, others] of [
      [raiser, 'Shipper-only giraffe note', 'CDSP-only zebra note'],
      [resolver, 'CDSP-only zebra note', 'Shipper-only giraffe note'],
    ] as const) {
      const zip = await download(api);
      const r = verifyEvidenceBundle(zip);
      assert.equal(r.ok, true, JSON.stringify(r));
      const entries = unzipSync(zip);
      assert.deepEqual(Object.keys(entries).sort(), [
        'attachments/01-evidence.pdf',
        'audit-events.json',
        'bundle.json',
        'contact.json',
        'manifest.json',
        'timeline.json',
      ]);
      assert.deepEqual(Buffer.from(entries['attachments/01-evidence.pdf']!), PDF);
      const whole = Object.values(entries).map(text).join('\n');
      assert.ok(whole.includes(own), 'its own internal note is in it');
      assert.ok(whole.includes('Shared note for both'));
      assert.ok(!whole.includes(others), 'the other side’s internal note is not');
      const events = JSON.parse(text(entries['audit-events.json'])) as {
        chain_head_at_export: { seq: string };
        events: { seq: string; action: string; hash: string; prev_hash: string }[];
      };
      const contact = JSON.parse(text(entries['contact.json'])) as { reference: string };
      assert.equal(contact.reference, reference);
      const actions = events.events.map((e) => e.action);
      for (const a of ['contact.raised', 'contact.start', 'contact.attachment_added', 'contact.note_added'])
        assert.ok(actions.includes(a), a);
      assert.ok(
        events.events.every((e) => /^[0-9a-f]{64}$/.test(e.hash) && /^[0-9a-f]{64}$/.test(e.prev_hash)),
      );
      const timeline = JSON.parse(text(entries['timeline.json'])) as { seq: string }[];
      assert.deepEqual(
        timeline.map((e) => e.seq),
        events.events.map((e) => e.seq),
        'the timeline and the events are the same events',
      );
    }
  });

  test('cdsp audit verify --bundle: exit 0 untouched; exit 1 naming the file once a byte is changed', async () => {
    const zip = Buffer.from(await download(raiser));
    const file = join(dir, 'bundle.zip');
    writeFileSync(file, zip);
    const ok = await cdsp('audit', 'verify', '--bundle', file);
    assert.equal(ok.code, 0, ok.out);
    assert.match(
      ok.out,
      /^Evidence bundle intact: .*6 files match the manifest; \d+ audit events match their hashes; 1 attachments match their audit events\.$/,
    );
    const entries = unzipSync(zip);
    for (const name of [
      'contact.json',
      'timeline.json',
      'audit-events.json',
      'bundle.json',
      'attachments/01-evidence.pdf',
    ]) {
      const at = zip.indexOf(Buffer.from(entries[name]!)) + 5;
      const bad = Buffer.from(zip);
      bad[at] = bad[at]! ^ 0x01;
      writeFileSync(file, bad);
      const r = await cdsp('audit', 'verify', '--bundle', file);
      assert.equal(r.code, 1, `${name}: ${r.out}`);
      assert.ok(r.out.includes(`${name} does not match its SHA-256 in the manifest`), r.out);
    }
    const missing = await cdsp('audit', 'verify', '--bundle', join(dir, 'nothing.zip'));
    assert.equal(missing.code, 2, missing.out);
  });

  test('another organisation, and an unknown reference, get the same 404 (API and page)', async () => {
    const theirs = await outsider('GET', `/contacts/${reference}/evidence`);
    const unknown = await outsider('GET', `/contacts/ADD-ZZZZZZ/evidence`);
    assert.equal(theirs.statusCode, 404);
    const strip = (body: string) => {
      const j = JSON.parse(body) as Record<string, unknown>;
      delete j['instance'];
      delete j['request_id'];
      return JSON.stringify(j);
    };
    assert.equal(strip(theirs.body), strip(unknown.body));
    const page = await outsiderWeb.get(`/contacts/${reference}/evidence.zip`);
    const none = await outsiderWeb.get(`/contacts/ADD-ZZZZZZ/evidence.zip`);
    assert.deepEqual([page.statusCode, none.statusCode], [404, 404]);
    const scrub = (b: string) =>
      b
        .replaceAll(reference, 'REF')
        .replaceAll('ADD-ZZZZZZ', 'REF')
        .replace(/nonce="[^"]+"/g, '')
        .replace(/name="_csrf" value="[^"]+"/g, '');
    assert.equal(scrub(page.body), scrub(none.body));
  });

  test('the contact page offers the bundle, and the link downloads one that verifies', async () => {
    const page = await shipperWeb.get(`/contacts/${reference}`);
    assert.equal(page.statusCode, 200);
    assert.ok(
      page.body.includes(`href="/contacts/${reference}/evidence.zip"`),
      'the button links to the bundle',
    );
    assert.ok(page.body.includes('Download the evidence bundle'));
    const zip = await shipperWeb.get(`/contacts/${reference}/evidence.zip`);
    assert.equal(zip.statusCode, 200);
    assert.equal(zip.headers['content-type'], 'application/zip');
    assert.equal(verifyEvidenceBundle(zip.rawPayload).ok, true);
  });
});
