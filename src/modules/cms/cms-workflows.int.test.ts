import { formatContactReference } from './domain/reference.ts';
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { makeOrg } from '../../../test/support/factories.ts';
import { makeRequest, makeWebhook } from '../../../test/support/factories/cms.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import {
  act,
  ADD_FIELDS,
  addSite,
  apiFor,
  cmsAppPerSuite,
  GSR_CONTACT,
  raiseAdd,
  userWithToken,
  type Api,
} from '../../../test/support/cms.ts';

const DAY = 86_400_000;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

describe('CMS workflows: cross-organisation isolation, requests, jobs, attachments, webhooks, catalogue, lists', () => {
  const t = cmsAppPerSuite();
  let orgA: { id: string; name: string; shortCode: string };
  let a: Api;
  let parentOfA: Api;
  let resolver: Api;
  let admin: Api;
  let outsiders: { label: string; api: Api }[];
  let mprnA: string;

  before(async () => {
    const parent = await makeOrg(t.services, { type: 'shipper' });
    orgA = await makeOrg(t.services, { type: 'shipper', parentShortCode: parent.shortCode });
    a = await apiFor(t, orgA.shortCode, ['cms_supervisor']);
    parentOfA = await apiFor(t, parent.shortCode, ['cms_user'], { groupVisibility: true });
    resolver = await apiFor(t, t.cdsp.shortCode, ['cdsp_supervisor']);
    admin = await apiFor(t, t.cdsp.shortCode, ['cdsp_admin']);
    mprnA = await addSite(t, { shipper_short_code: orgA.shortCode });
    outsiders = [];
    const sibling = await makeOrg(t.services, { type: 'shipper', parentShortCode: parent.shortCode });
    for (const [label, type, parentShortCode, roles] of [
      ['another shipper (supervisor)', 'shipper', undefined, ['cms_supervisor']],
      ['A’s sibling in the same group', 'shipper', 'sibling', ['cms_supervisor']],
      ['a gas transporter', 'gt', undefined, ['cms_user', 'cms_supervisor']],
      ['a DMSP', 'dmsp', undefined, ['cms_user']],
    ] as const) {
      const org =
        parentShortCode === 'sibling'
          ? sibling
          : await makeOrg(t.services, { type, networkName: type === 'gt' ? `Net ${Math.random()}` : null });
      outsiders.push({ label, api: await apiFor(t, org.shortCode, [...roles]) });
    }
  });

  const countEvents = () =>
    inScope(t.database.db, SYSTEM_SCOPE, async (trx) =>
      Number(
        (await sql<{ n: string }>`select count(*)::text as n from audit.events`.execute(trx)).rows[0]!.n,
      ),
    );

  test('contacts of organisation A are 404 to other organisations on every contact route, and nothing changes', async () => {
    const c = await raiseAdd(a, mprnA, { description: 'Secret marker zebra' });
    await act(resolver, c.reference, { action: 'start' });
    const upload = await a('POST', `/contacts/${c.reference}/attachments?filename=evidence.pdf`, {
      payload: PDF,
      headers: { 'content-type': 'application/octet-stream' },
    });
    assert.equal(upload.statusCode, 201, upload.body);
    const attachmentId = upload.json().id;
    const current = (await a('GET', `/contacts/${c.reference}`)).json();
    const routes: {
      method: 'GET' | 'POST';
      url: string;
      body?: unknown;
      payload?: Buffer;
      headers?: Record<string, string>;
    }[] = [
      { method: 'GET', url: `/contacts/${c.reference}` },
      { method: 'GET', url: `/contacts/${c.reference}/events` },
      { method: 'GET', url: `/contacts/${c.reference}/attachments/${attachmentId}` },
      {
        method: 'POST',
        url: `/contacts/${c.reference}/actions`,
        body: { action: 'cancel', note: 'x', version: current.version },
      },
      {
        method: 'POST',
        url: `/contacts/${c.reference}/actions`,
        body: { action: 'resolve', note: 'x', outcome: 'X', version: current.version },
      },
      { method: 'POST', url: `/contacts/${c.reference}/notes`, body: { body: 'sneaky' } },
      {
        method: 'POST',
        url: `/contacts/${c.reference}/attachments?filename=x.pdf`,
        payload: PDF,
        headers: { 'content-type': 'application/octet-stream' },
      },
    ];
    // Positive control: the owner and its group parent see it.
    assert.equal((await a('GET', `/contacts/${c.reference}`)).statusCode, 200);
    assert.equal((await parentOfA('GET', `/contacts/${c.reference}`)).statusCode, 200);
    const eventsBefore = await countEvents();
    for (const o of outsiders) {
      for (const r of routes) {
        const res = await o.api(r.method, r.url, { body: r.body, payload: r.payload, headers: r.headers });
        assert.equal(res.statusCode, 404, `${o.label}: ${r.method} ${r.url} → ${res.statusCode} ${res.body}`);
        assert.equal(res.json().type, '/problems/not-found');
      }
      // Lists, search and export do not include it either.
      const list = (await o.api('GET', '/contacts?q=zebra')).json();
      assert.equal(list.items.length, 0, o.label);
      const all = (await o.api('GET', `/contacts?mprn=${mprnA}`)).json();
      assert.equal(all.items.length, 0, o.label);
      const csv = await o.api('GET', '/contacts/export');
      assert.equal(csv.statusCode, 200);
      assert.ok(!csv.body.includes(c.reference), o.label);
    }
    assert.equal(await countEvents(), eventsBefore, 'nothing was recorded, so nothing changed');
    const after = (await a('GET', `/contacts/${c.reference}`)).json();
    assert.equal(after.version, current.version);
    assert.equal(after.notes.length, current.notes.length);
    assert.equal(after.attachments.length, 1);
    // An unknown reference looks exactly the same as someone else's.
    // Byte for byte, once the requested reference and the per-request id are set aside.
    const unknownRef = formatContactReference('ADD', 987_654); // well-formed, never raised in this test
    assert.equal(unknownRef.length, c.reference.length);
    const same = (body: string, ref: string) =>
      body
        .split(ref)
        .join('<ref>')
        .replace(/"request_id":"[^"]*"/, '"request_id":"<id>"');
    for (const o of outsiders) {
      const unknown = await o.api('GET', `/contacts/${unknownRef}`);
      const foreign = await o.api('GET', `/contacts/${c.reference}`);
      assert.equal(unknown.statusCode, 404);
      assert.equal(foreign.statusCode, 404);
      assert.equal(foreign.headers['content-type'], unknown.headers['content-type']);
      assert.equal(same(foreign.body, c.reference), same(unknown.body, unknownRef), o.label);
    }
  });

  test('row-level security is a second wall: a scope of another organisation reads no contact rows', async () => {
    const other = await makeOrg(t.services, { type: 'shipper' });
    const rows = await inScope(t.database.db, { kind: 'organisations', organisationIds: [other.id] }, (trx) =>
      trx.selectFrom('cms.contacts').select('id').execute(),
    );
    assert.equal(rows.length, 0);
    const mine = await inScope(t.database.db, { kind: 'organisations', organisationIds: [orgA.id] }, (trx) =>
      trx.selectFrom('cms.contacts').select('id').execute(),
    );
    assert.ok(mine.length > 0);
  });

  test('attachments: type checked by content, served as a download with nosniff and a sandbox CSP', async () => {
    const c = await raiseAdd(a, mprnA);
    const up = (name: string, data: Buffer) =>
      a('POST', `/contacts/${c.reference}/attachments?filename=${encodeURIComponent(name)}`, {
        payload: data,
        headers: { 'content-type': 'application/octet-stream' },
      });
    const ok = await up('bill.pdf', PDF);
    assert.equal(ok.statusCode, 201);
    assert.equal(ok.json().kind, 'pdf');
    const mismatch = await up('photo.pdf', PNG);
    assert.equal(mismatch.statusCode, 400);
    const exe = await up('tool.pdf', Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]));
    assert.equal(exe.statusCode, 400);
    const html = await up('page.txt', Buffer.from('hello\u0000world'));
    assert.equal(html.statusCode, 400);
    const big = await up('big.txt', Buffer.alloc(20 * 1024 * 1024 + 2048, 0x61));
    assert.equal(big.statusCode, 413);
    const dl = await resolver('GET', `/contacts/${c.reference}/attachments/${ok.json().id}`);
    assert.equal(dl.statusCode, 200);
    assert.equal(dl.headers['content-type'], 'application/pdf');
    assert.match(String(dl.headers['content-disposition']), /^attachment; filename="bill.pdf"/);
    assert.equal(dl.headers['x-content-type-options'], 'nosniff');
    assert.match(String(dl.headers['content-security-policy']), /sandbox/);
    assert.ok(dl.rawPayload.equals(PDF));
    const ev = (await a('GET', `/contacts/${c.reference}/events`)).json().items;
    assert.ok(ev.some((e: { event: string }) => e.event === 'attachment_added'));
  });

  test('unanswered requests auto-close when their window ends (pinned clock); answered ones do not', async () => {
    const open = await resolver('POST', '/requests', {
      body: {
        type: 'DCR',
        to: orgA.shortCode,
        mprn: mprnA,
        subject: 'Meter serial',
        body: 'Confirm the MSN',
        response_business_days: 5,
      },
    });
    assert.equal(open.statusCode, 201, open.body);
    const r = open.json();
    assert.match(r.reference, /^DCR-/);
    assert.equal(r.response_due_date, '2026-03-09'); // Monday + 5 business days
    const answered = await makeRequest(
      resolver,
      { to: orgA.shortCode, mprn: mprnA, response_business_days: 5 },
      { type: 'CCR', subject: 'Config', body: 'Change it?' },
    );
    const queue = (await a('GET', '/requests?status=open'))
      .json()
      .items.map((x: { reference: string }) => x.reference);
    assert.ok(
      queue.includes(r.reference) && queue.includes(answered.reference),
      'the customer sees them in its queue',
    );
    const resp = await a('POST', `/requests/${answered.reference}/response`, { body: { response: 'Done' } });
    assert.equal(resp.statusCode, 200, resp.body);
    assert.equal((await outsiders[0]!.api('GET', `/requests/${r.reference}`)).statusCode, 404);
    const rfi = await resolver('POST', '/requests', {
      body: {
        type: 'RFI',
        to: orgA.shortCode,
        mprn: mprnA,
        subject: 'x',
        body: 'y',
        response_business_days: 5,
      },
    });
    assert.equal(rfi.statusCode, 400, 'RFI is for Theft of Gas contacts only');

    // On the last day of the window nothing closes.
    t.clock.set(new Date('2026-03-09T20:00:00Z'));
    await t.services.cms.jobs.autoCloseUnanswered();
    assert.equal((await a('GET', `/requests/${r.reference}`)).json().status, 'open');
    // The next day it closes, once, and the customer can no longer answer.
    t.clock.set(new Date('2026-03-10T00:30:00Z'));
    const first = await t.services.cms.jobs.autoCloseUnanswered();
    const second = await t.services.cms.jobs.autoCloseUnanswered();
    assert.ok(first.requests >= 1);
    assert.equal(second.requests, 0, 'idempotent');
    assert.equal((await a('GET', `/requests/${r.reference}`)).json().status, 'auto_closed');
    assert.equal((await a('GET', `/requests/${answered.reference}`)).json().status, 'answered');
    const late = await a('POST', `/requests/${r.reference}/response`, { body: { response: 'Sorry, late' } });
    assert.equal(late.statusCode, 409);
    t.clock.set(new Date('2026-03-02T10:00:00Z'));
  });

  test('a contact awaiting the customer closes when the response window ends; a resolved one after the challenge window', async () => {
    const waiting = await raiseAdd(a, mprnA);
    await act(resolver, waiting.reference, { action: 'start' });
    const asked = (await act(resolver, waiting.reference, {
      action: 'request_information',
      note: 'Need proof',
    })) as {
      response_due_date?: string;
    };
    assert.equal(asked.response_due_date, '2026-03-16'); // ADD: 10 business days
    const resolved = await raiseAdd(a, mprnA);
    await act(resolver, resolved.reference, { action: 'start' });
    await act(resolver, resolved.reference, { action: 'resolve', outcome: 'ADDRESS_UPDATED', note: 'Fixed' });
    // ADD challenge window: 5 business days after Monday 2 March = Monday 9 March.
    t.clock.set(new Date('2026-03-09T12:00:00Z'));
    assert.equal(await t.services.cms.jobs.autoCloseResolved(), 0);
    const reopenable = (await a('GET', `/contacts/${resolved.reference}`)).json();
    assert.ok(reopenable.available_actions.includes('reopen'));
    t.clock.set(new Date('2026-03-10T09:00:00Z'));
    assert.equal(await t.services.cms.jobs.autoCloseResolved(), 1);
    assert.equal((await a('GET', `/contacts/${resolved.reference}`)).json().status, 'closed');
    assert.equal((await t.services.cms.jobs.autoCloseUnanswered()).contacts, 0);
    t.clock.set(new Date('2026-03-17T00:30:00Z'));
    assert.equal((await t.services.cms.jobs.autoCloseUnanswered()).contacts, 1);
    assert.equal((await t.services.cms.jobs.autoCloseUnanswered()).contacts, 0);
    const c = (await a('GET', `/contacts/${waiting.reference}`)).json();
    assert.equal(c.status, 'closed');
    const ev = (await a('GET', `/contacts/${waiting.reference}/events`)).json().items;
    assert.equal(ev.at(-1).event, 'auto_close_unanswered');
    assert.equal(ev.at(-1).actor, 'system');
    t.clock.set(new Date('2026-03-02T10:00:00Z'));
  });

  test('day-before-breach warnings are emailed once per due date', async () => {
    const c = await raiseAdd(a, mprnA); // due 2026-03-16
    const assigneeUser = await userWithToken(t, t.cdsp.shortCode, ['cdsp_resolver']);
    await act(resolver, c.reference, { action: 'assign', assignee: assigneeUser.email });
    t.clock.set(new Date('2026-03-13T08:00:00Z')); // Friday: the next business day is the due date
    const before = t.mail.length;
    await t.services.cms.jobs.breachWarnings();
    await t.services.cms.jobs.breachWarnings();
    const sent = t.mail.slice(before).filter((m) => m.subject.includes(c.reference));
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.to, assigneeUser.email);
    t.clock.set(new Date('2026-03-02T10:00:00Z'));
  });

  test('webhooks: signed deliveries, retries with backoff, a delivery log only the organisation sees', async () => {
    const hook = await makeWebhook(a, {
      url: 'https://hooks.example.test/cms',
      events: ['contact.raised', 'contact.start'],
    });
    assert.match(hook.secret, /^whsec_/);
    const insecure = await a('POST', '/webhooks', { body: { url: 'http://hooks.example.test/cms' } });
    assert.equal(insecure.statusCode, 400);
    t.webhookCalls.length = 0;
    const c = await raiseAdd(a, mprnA);
    await t.services.cms.jobs.deliverWebhooks();
    assert.equal(t.webhookCalls.length, 1);
    const call = t.webhookCalls[0]!;
    assert.equal(call.headers['x-cdsp-event'], 'contact.raised');
    const expected = `sha256=${createHmac('sha256', hook.secret).update(`${call.headers['x-cdsp-timestamp']}.${call.body}`).digest('hex')}`;
    assert.equal(call.headers['x-cdsp-signature'], expected);
    assert.equal(JSON.parse(call.body).data.reference, c.reference);
    await t.services.cms.jobs.deliverWebhooks();
    assert.equal(t.webhookCalls.length, 1, 'a delivered event is not sent again');

    // Failures are retried with backoff, then given up.
    t.webhookStatus.value = 500;
    await act(resolver, c.reference, { action: 'start' });
    await t.services.cms.jobs.deliverWebhooks();
    await t.services.cms.jobs.deliverWebhooks();
    assert.equal(t.webhookCalls.length, 2, 'the retry waits for its backoff');
    const start = t.clock.now().getTime();
    for (const delay of [60, 300, 1800, 7200, 43200]) {
      t.clock.advance(delay * 1000);
      await t.services.cms.jobs.deliverWebhooks();
    }
    assert.equal(t.webhookCalls.length, 7);
    t.clock.advance(DAY);
    await t.services.cms.jobs.deliverWebhooks();
    assert.equal(t.webhookCalls.length, 7, 'no attempts after the last retry');
    t.clock.set(new Date(start));
    t.webhookStatus.value = 200;
    const log = (await a('GET', `/webhooks/${hook.id}/deliveries`)).json().items;
    const failed = log.find((d: { event: string }) => d.event === 'contact.start');
    assert.equal(failed.status, 'failed');
    assert.equal(failed.attempts, 6);
    assert.equal(failed.last_status_code, 500);
    assert.equal(log.find((d: { event: string }) => d.event === 'contact.raised').status, 'delivered');
    assert.equal((await outsiders[0]!.api('GET', `/webhooks/${hook.id}/deliveries`)).statusCode, 404);
    t.clock.set(new Date('2026-03-02T10:00:00Z'));
  });

  test('catalogue: a CDSP admin edit is audited and applies to contacts raised afterwards only', async () => {
    const before = await raiseAdd(a, mprnA);
    const def = (await admin('GET', '/contact-codes/ADD')).json();
    const { code: _c, updated_at: _u, ...body } = def;
    const denied = await a('PUT', '/contact-codes/ADD', { body: { ...body, target_business_days: 5 } });
    assert.equal(denied.statusCode, 403);
    const bad = await admin('PUT', '/contact-codes/ADD', { body: { ...body, rules: ['no_such_rule'] } });
    assert.equal(bad.statusCode, 400);
    const ok = await admin('PUT', '/contact-codes/ADD', { body: { ...body, target_business_days: 5 } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().version, def.version + 1);
    const stale = await admin('PUT', '/contact-codes/ADD', { body: { ...body, target_business_days: 6 } });
    assert.equal(stale.statusCode, 409);
    const afterwards = await raiseAdd(a, mprnA);
    assert.equal(afterwards.due_date, '2026-03-09');
    assert.equal((await a('GET', `/contacts/${before.reference}`)).json().due_date, '2026-03-16');
    const audit = await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      trx.selectFrom('audit.events').selectAll().where('action', '=', 'contact_code.updated').execute(),
    );
    assert.equal(audit.length, 1);
    assert.deepEqual((audit[0]!.details as { changed: string[] }).changed, ['target_business_days']);
    await admin('PUT', '/contact-codes/ADD', { body: { ...body, version: def.version + 1 } });
  });

  test('catalogue: the API refuses what the form refuses: a 10,000-day target is a 400 problem and changes nothing', async () => {
    const def = (await admin('GET', '/contact-codes/DUP')).json();
    const { code: _c, updated_at: _u, ...body } = def;
    for (const [field, value] of [
      ['target_business_days', 10_000],
      ['target_business_days', 251],
      ['response_window_business_days', 10_000],
      ['challenge_window_business_days', 0],
    ] as const) {
      const res = await admin('PUT', '/contact-codes/DUP', { body: { ...body, [field]: value } });
      assert.equal(res.statusCode, 400, `${field} = ${value}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      const problem = res.json();
      assert.equal(problem.status, 400);
      assert.ok(
        problem.errors.some(
          (e: { field: string; message: string }) => e.field === field && /from 1 to 250/.test(e.message),
        ),
        res.body,
      );
    }
    const patch = await admin('PATCH', '/contact-codes/DUP', {
      body: { target_business_days: 10_000, version: def.version },
    });
    assert.equal(patch.statusCode, 400, patch.body);
    assert.match(String(patch.headers['content-type']), /^application\/problem\+json/);
    assert.ok(
      patch.json().errors.some((e: { field: string }) => e.field === 'target_business_days'),
      patch.body,
    );
    const after = (await admin('GET', '/contact-codes/DUP')).json();
    assert.deepEqual(after, def, 'nothing changed');
    const ok = await admin('PUT', '/contact-codes/DUP', { body: { ...body, target_business_days: 250 } });
    assert.equal(ok.statusCode, 200, '250 business days is the most a target may be');
    const patched = await admin('PATCH', '/contact-codes/DUP', {
      body: { target_business_days: 12, version: def.version + 1 },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.deepEqual(
      { ...(patched.json() as object), updated_at: def.updated_at },
      { ...def, target_business_days: 12, version: def.version + 2 },
      'a PATCH changes only what it names',
    );
    await admin('PUT', '/contact-codes/DUP', { body: { ...body, version: def.version + 2 } });
  });

  test('lists: filters, text search over descriptions and notes, cursor paging, CSV export', async () => {
    const org = await makeOrg(t.services, { type: 'shipper' });
    const me = await apiFor(t, org.shortCode, ['cms_user']);
    const m = await addSite(t, { shipper_short_code: org.shortCode });
    const refs: string[] = [];
    for (let i = 0; i < 5; i++) {
      t.clock.advance(60_000);
      refs.push((await raiseAdd(me, m, { description: `Contact number ${i} =cmd` })).reference);
    }
    await me('POST', `/contacts/${refs[1]}/notes`, { body: { body: 'mentions aardvark' } });
    await resolver('POST', `/contacts/${refs[2]}/notes`, {
      body: { body: 'internal aardvark', visibility: 'internal' },
    });
    await act(resolver, refs[0]!, { action: 'start' });
    const search = (await me('GET', '/contacts?q=aardvark'))
      .json()
      .items.map((x: { reference: string }) => x.reference);
    assert.deepEqual(search, [refs[1]], 'the other side’s internal notes are not searchable');
    const cdspSearch = (await resolver('GET', '/contacts?q=aardvark'))
      .json()
      .items.map((x: { reference: string }) => x.reference);
    assert.deepEqual(cdspSearch.sort(), [refs[1], refs[2]].sort());
    const started = (await me('GET', '/contacts?status=in_progress')).json().items;
    assert.deepEqual(
      started.map((x: { reference: string }) => x.reference),
      [refs[0]],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { reference: string }[]; next_cursor: string | null } = (
        await me('GET', `/contacts?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((x) => x.reference));
      cursor = page.next_cursor;
    } while (cursor);
    assert.deepEqual(seen, [...refs].reverse(), 'newest first, each once');
    const oldest = (await me('GET', '/contacts?sort=oldest&limit=1')).json();
    assert.equal(oldest.items[0].reference, refs[0]);
    const csv = await me('GET', '/contacts/export?status=open');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(String(csv.headers['content-disposition']), /attachment/);
    const lines = csv.body.trim().split('\r\n');
    assert.equal(lines[0]!.split(',')[0], 'reference');
    assert.equal(lines.length, 1 + 4);
    const badCursor = await me('GET', '/contacts?cursor=nonsense');
    assert.equal(badCursor.statusCode, 400);
  });

  test('CSV export: cells that start like a formula (=, +, -, @) are made text', async () => {
    const org = await makeOrg(t.services, { type: 'shipper' });
    const me = await apiFor(t, org.shortCode, ['cms_user']);
    const m = await addSite(t, { shipper_short_code: org.shortCode });
    const risky = ['=HYPERLINK("http://x.example")', '+44 1234', '-2+3', '@SUM(A1:A9)'];
    for (const d of risky) {
      t.clock.advance(60_000);
      await raiseAdd(me, m, { description: d, raiser_reference: d.slice(0, 5) });
    }
    const csv = await me('GET', '/contacts/export?sort=oldest');
    assert.equal(csv.statusCode, 200);
    const lines = csv.body.trim().split('\r\n');
    const header = lines[0]!.split(',');
    assert.equal(header.at(-1), 'description');
    const rows = lines.slice(1);
    assert.equal(rows.length, risky.length);
    const unquote = (cell: string) => (cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell);
    risky.forEach((d, i) => {
      const row = rows[i]!;
      // The description is the last column; a quoted cell may hold commas and quotes.
      const last = row.endsWith('"')
        ? row.slice(row.lastIndexOf(',"') + 1)
        : row.slice(row.lastIndexOf(',') + 1);
      assert.equal(unquote(last), `'${d}`, `description ${d} is escaped`);
      assert.ok(
        row.includes(`,'${d.slice(0, 5)},`) || row.includes(`,"'${d.slice(0, 5)}`),
        `reference ${d.slice(0, 5)} is escaped`,
      );
    });
  });

  test('routing on the real register: GSR from the site’s network goes to its shipper; DMQ is refused, as no DMSP is appointed', async () => {
    // GSR: the gas transporter of the site's network raises it; the register's shipper resolves it.
    const network = `Net GSR ${orgA.shortCode}`;
    const gt = await makeOrg(t.services, { type: 'gt', networkName: network });
    const gtApi = await apiFor(t, gt.shortCode, ['cms_user']);
    const gsrSite = await addSite(t, { shipper_short_code: orgA.shortCode, network_name: network });
    const gsr = await gtApi('POST', '/contacts', { body: { ...GSR_CONTACT, mprn: gsrSite } });
    assert.equal(gsr.statusCode, 201, gsr.body);
    assert.equal(gsr.json().resolver, `${orgA.name} (${orgA.shortCode})`);
    const seen = await a('GET', `/contacts/${gsr.json().reference}`);
    assert.equal(seen.statusCode, 200, 'the shipper resolves it, so it sees it');
    assert.ok(seen.json().available_actions.includes('start'));

    // DMQ: routed to the site's DMSP, which GES does not record: the appointments directory is the source
    // (des/appointments), and it appoints none here, so the contact is refused naming what is missing.
    await makeOrg(t.services, { type: 'dmsp' });
    const dmqSite = await addSite(t, { shipper_short_code: orgA.shortCode, class: '1' });
    const code = (await a('GET', '/contact-codes/DMQ')).json();
    const qt = code.fields.find((f: { name: string }) => f.name === 'query_type').code_list[0].value;
    const before = await a('GET', '/contacts?code=DMQ');
    const refused = await a('POST', '/contacts', {
      body: {
        code: 'DMQ',
        mprn: dmqSite,
        description: 'Daily reads look wrong',
        fields: { query_type: qt, gas_day: '2026-02-20', details: 'spikes' },
      },
    });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /No Daily Metered Service Provider is appointed for this supply point/);
    const after = await a('GET', '/contacts?code=DMQ');
    assert.deepEqual(after.json(), before.json(), 'nothing was raised');
  });
});

void ADD_FIELDS;
