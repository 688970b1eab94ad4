/**
 * Contact files through the API: a large file with 1% invalid records becomes exactly the valid contacts and a
 * response file answering every C01 in order; the same bytes again are a 409 that creates nothing; file-level
 * refusals create nothing and leave the service healthy; another organisation's file answers exactly as an unknown
 * one; a run interrupted mid-file (killed after a contact was written but before its answer) finishes with no
 * duplicate, no missing contact and the same response file as an uninterrupted run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import { ConflictError, ForbiddenError } from '../../platform/errors.ts';
import { makeUser } from '../../../test/support/factories.ts';
import { onPostgres } from '../../../test/support/db.ts';
import {
  contactFile,
  contactsOf,
  createCmsTestApp,
  enquiryLines,
  getAs,
  postFile,
  shipper,
  type CmsTestApp,
  type Shipper,
} from '../../../test/support/batch-files.ts';
import type { ContactRaiser } from './batch-files.ports.ts';
import { createBatchFiles } from './batch-files.services.ts';

/** 10,000 records on PostgreSQL; fewer on PGlite (one query at a time, in memory), the same proportions. */
const BIG = Number(process.env.CMS_BATCH_TEST_RECORDS ?? (onPostgres ? 10_000 : 1_000));

const lines = (csv: string) => csv.split('\r\n').filter((l) => l !== '');

/** A problem body without what differs per request (its id and the path asked). */
function problemBody(res: { body: string }) {
  const { request_id: _r, instance: _i, ...rest } = JSON.parse(res.body) as Record<string, unknown>;
  return rest;
}

async function fileRows(t: CmsTestApp, organisationId: string) {
  return inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
    trx
      .selectFrom('batch.contact_files')
      .select(['id', 'status'])
      .where('organisation_id', '=', organisationId)
      .execute(),
  );
}

describe('contact files', () => {
  let t: CmsTestApp;
  let a: Shipper;
  let b: Shipper;
  before(async () => {
    t = await createCmsTestApp();
    a = await shipper(t);
    b = await shipper(t);
  });
  after(() => t.cleanup());

  test(`${BIG.toLocaleString('en-GB')} records, 1% invalid: exactly the valid ones become contacts; the response answers each in order; the same file again is 409`, async () => {
    const { text, invalid } = contactFile(a.org.shortCode, 1, BIG);
    const res = await postFile(t, a.token, text);
    assert.equal(res.statusCode, 202, res.body);
    const posted = res.json();
    assert.equal(res.headers.location, `/api/v1/contact-files/${posted.id}`);
    // No job queue in tests: the file is processed when uploaded.
    assert.equal(posted.status, 'done');

    const status = await getAs(t, a.token, `/api/v1/contact-files/${posted.id}`);
    assert.equal(status.statusCode, 200);
    const s = status.json();
    assert.deepEqual(
      { status: s.status, records: s.records, accepted: s.accepted, rejected: s.rejected, reason: s.reason },
      { status: 'done', records: BIG, accepted: BIG - invalid.size, rejected: invalid.size, reason: null },
    );
    assert.equal(invalid.size, BIG / 100);

    const contacts = await contactsOf(t, a.org.id);
    assert.equal(contacts.length, BIG - invalid.size, 'exactly the valid records became contacts');
    const byRef = new Map(contacts.map((c) => [c.raiser_reference, c]));
    assert.equal(byRef.size, contacts.length, 'one contact per raiser reference');

    // The uploaded bytes are let go once the file is done: the response file is written from the answers.
    const stored = await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      trx
        .selectFrom('batch.contact_files')
        .select('content')
        .where('id', '=', posted.id)
        .executeTakeFirstOrThrow(),
    );
    assert.equal(stored.content, null, 'no content kept once done');
    const response = await getAs(t, a.token, `/api/v1/contact-files/${posted.id}/response`);
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/csv/);
    const out = lines(response.body);
    assert.equal(out[0], `A00,CMS_RESPONSE,${a.org.shortCode},1,2026-03-02T10:00:00`);
    assert.equal(out.at(-1), `Z99,${BIG}`);
    const r01 = out.slice(1, -1);
    assert.equal(r01.length, BIG, 'one R01 per C01');
    const seen = new Set<string>();
    r01.forEach((line, k) => {
      const i = k + 1;
      const ref = `R1-${String(i).padStart(6, '0')}`;
      const cells = line.split(',');
      assert.equal(cells[0], 'R01');
      assert.equal(cells[1], ref, `record ${i} in order`);
      if (invalid.has(i)) {
        assert.equal(cells[2], 'RJ', `record ${i} rejected`);
        assert.ok(!byRef.has(ref), `no contact for rejected record ${i}`);
      } else {
        assert.equal(cells[2], 'AC', `record ${i} accepted: ${line}`);
        assert.equal(cells[3], byRef.get(ref)?.reference, `record ${i}'s contact`);
        assert.ok(!seen.has(cells[3]!));
        seen.add(cells[3]!);
      }
    });
    // The reasons are the online rules' messages, with their codes.
    const rejected = r01.filter((l) => l.includes(',RJ,'));
    assert.match(
      rejected.find((l) => l.startsWith('R01,R1-000050,'))!,
      /,RJ,CODE,“NOPE” is not a contact code$/,
    );
    assert.match(
      rejected.find((l) => l.startsWith('R01,R1-000150,'))!,
      /,RJ,FIELD,/,
    );
    assert.match(
      rejected.find((l) => l.startsWith('R01,R1-000250,'))!,
      /,RJ,MPRN;FIELD,"An MPRN is 6 to 10 digits; Street is required\./,
    );

    // Accepted records are contacts exactly as if raised online: routed, audited, on the SLA clock.
    const first = byRef.get('R1-000001')!;
    const api = await getAs(t, a.token, `/api/v1/contacts/${first.reference}`);
    assert.equal(api.statusCode, 200);
    assert.equal(api.json().raiser_reference, 'R1-000001');
    assert.equal(api.json().description, 'Enquiry 1, about reads');

    // The same bytes again: 409, nothing created (no contact, no file).
    const filesBefore = (await fileRows(t, a.org.id)).length;
    const again = await postFile(t, a.token, text);
    assert.equal(again.statusCode, 409, again.body);
    assert.match(again.headers['content-type'] as string, /application\/problem\+json/);
    assert.equal(again.json().id, posted.id);
    assert.equal((await contactsOf(t, a.org.id)).length, contacts.length);
    assert.equal((await fileRows(t, a.org.id)).length, filesBefore);
  });

  test('file-level refusals: 422 with the reason, nothing created, the service stays healthy', async () => {
    const before = (await contactsOf(t, a.org.id)).length;
    const header = (seq: number, sender = a.org.shortCode) =>
      `A00,CMS_CONTACTS,${sender},${seq},2026-03-02T09:00:00`;
    const ok = (seq: number) => [header(seq), ...enquiryLines('X1', 1)];
    const cases: [string, string | Buffer, RegExp][] = [
      ['empty', '', /the file is empty/],
      ['binary', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x08, 0x00]), /not a text file/],
      ['not UTF-8', Buffer.from(`${header(90)}\r\nC01,X1,ENQ,,caf\xe9\r\nZ99,1\r\n`, 'latin1'), /not UTF-8/],
      ['truncated', `${ok(91).slice(0, 3).join('\r\n')}\r\nC02,X1,enqu`, /no trailer .* cut short/],
      ['wrong count', [...ok(92), 'Z99,3'].join('\r\n'), /trailer says 3 contacts but the file has 1/],
      [
        'another sender',
        [header(93, b.org.shortCode), ...enquiryLines('X1', 1), 'Z99,1'].join('\r\n'),
        /not your organisation's/,
      ],
      ['sequence used', [...ok(1), 'Z99,1'].join('\r\n'), /already used file sequence number 1/],
      [
        '10 MB line',
        `${header(94)}\r\n${'x'.repeat(10 * 1024 * 1024)}\r\nZ99,0\r\n`,
        /record 2 is longer than 65,536/,
      ],
      ['garbage', 'hello, world\r\nthis is not a contact file\r\n', /first record must be the header/],
    ];
    for (const [name, body, reason] of cases) {
      const res = await postFile(t, a.token, body);
      assert.equal(res.statusCode, 422, `${name}: ${res.body.slice(0, 300)}`);
      const p = res.json();
      assert.equal(p.type, '/problems/contact-file-refused', name);
      assert.match(p.reason, reason, name);
      // The refused file is recorded, with its reason, and reads as refused.
      const status = await getAs(t, a.token, `/api/v1/contact-files/${p.id}`);
      assert.equal(status.json().status, 'refused', name);
      assert.equal(status.json().reason, p.reason, name);
      const response = await getAs(t, a.token, `/api/v1/contact-files/${p.id}/response`);
      assert.equal(response.statusCode, 409, name);
    }
    assert.equal((await contactsOf(t, a.org.id)).length, before, 'no contact created');
    assert.equal((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    // A refused file takes no sequence number: fixed, it is accepted.
    const fixed = await postFile(t, a.token, [...ok(92), 'Z99,1'].join('\r\n'));
    assert.equal(fixed.statusCode, 202, fixed.body);
  });

  test('over the size limit: 413 before anything is read; a body that is not the file: 415', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024 + 1, 0x41);
    const res = await postFile(t, a.token, big);
    assert.equal(res.statusCode, 413);
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/v1/contact-files',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
      payload: '{}',
    });
    assert.equal(json.statusCode, 415);
  });

  test('a multipart form with a file part is taken like a text/csv body; a form without one is a 400', async () => {
    const c = await shipper(t);
    const text = [
      `A00,CMS_CONTACTS,${c.org.shortCode},1,2026-03-02T09:00:00`,
      ...enquiryLines('M1', 1),
      'Z99,1',
    ];
    const form = (part: string) => ({
      method: 'POST' as const,
      url: '/api/v1/contact-files',
      headers: {
        authorization: `Bearer ${c.token}`,
        'content-type': 'multipart/form-data; boundary=----apiBoundary',
      },
      payload: `------apiBoundary\r\n${part}\r\n------apiBoundary--\r\n`,
    });
    const res = await t.app.inject(
      form(
        'Content-Disposition: form-data; name="file"; filename="mine.csv"\r\nContent-Type: text/csv\r\n\r\n' +
          text.join('\r\n'),
      ),
    );
    assert.equal(res.statusCode, 202, res.body);
    const file = JSON.parse(res.body) as { id: string; file_name: string };
    assert.equal(file.file_name, 'mine.csv');
    assert.equal(res.headers.location, `/api/v1/contact-files/${file.id}`);
    const other = await t.app.inject(
      form('Content-Disposition: form-data; name="other"; filename="x.csv"\r\n\r\nx'),
    );
    assert.equal(other.statusCode, 400, other.body);
    assert.deepEqual((problemBody(other) as { errors: unknown }).errors, [
      { field: 'file', message: 'attach the CSV file as the file part' },
    ]);
    assert.deepEqual(
      (await fileRows(t, c.org.id)).map((r) => r.id),
      [file.id],
    );
  });

  test("another organisation's file answers exactly as an unknown one", async () => {
    const res = await postFile(
      t,
      a.token,
      [`A00,CMS_CONTACTS,${a.org.shortCode},50,2026-03-02T09:00:00`, ...enquiryLines('Y1', 1), 'Z99,1'].join(
        '\r\n',
      ),
    );
    assert.equal(res.statusCode, 202, res.body);
    const id = res.json().id as string;
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const suffix of ['', '/response']) {
      const theirs = await getAs(t, b.token, `/api/v1/contact-files/${id}${suffix}`);
      const none = await getAs(t, b.token, `/api/v1/contact-files/${unknown}${suffix}`);
      assert.equal(theirs.statusCode, 404);
      assert.equal(none.statusCode, 404);
      assert.deepEqual(problemBody(theirs), problemBody(none));
      assert.equal(theirs.headers['content-type'], none.headers['content-type']);
    }
    const list = await getAs(t, b.token, '/api/v1/contact-files');
    assert.deepEqual(list.json(), { files: [] });
    // The owner sees it.
    assert.equal((await getAs(t, a.token, `/api/v1/contact-files/${id}`)).statusCode, 200);
  });

  test('the service: only a user who may raise contacts uploads; a file name loses its control characters; a C02 named __proto__ is refused as any unknown field', async () => {
    const c = await shipper(t);
    const content = (seq: number, ...extra: string[]) =>
      Buffer.from(
        [
          `A00,CMS_CONTACTS,${c.org.shortCode},${seq},2026-03-02T09:00:00`,
          ...enquiryLines('S1', 1),
          ...extra,
          'Z99,1',
        ].join('\r\n'),
      );
    const desOnly = await makeUser(t.services, { orgShortCode: c.org.shortCode, roles: ['des_user'] });
    const reader = (await t.services.batchFiles.users.actorByEmail(desOnly.email))!;
    await assert.rejects(
      t.services.batchFiles.files.upload(reader, { fileName: 'f.csv', content: content(1), channel: 'api' }),
      (e) => e instanceof ForbiddenError && /may not raise contacts/.test(e.message),
    );
    assert.deepEqual(await fileRows(t, c.org.id), [], 'nothing recorded');

    const actor = (await t.services.batchFiles.users.actorByEmail(c.email))!;
    const file = await t.services.batchFiles.files.upload(actor, {
      fileName: 'con\u0000tacts\u0007\u001b[31m.csv\u007f\r\n',
      content: content(1, 'C02,S1,__proto__,polluted'),
      channel: 'api',
    });
    assert.equal(file.file_name, 'contacts[31m.csv');
    assert.deepEqual(
      { status: file.status, accepted: file.accepted, rejected: file.rejected },
      { status: 'done', accepted: 0, rejected: 1 },
    );
    const response = await t.services.batchFiles.files.response(actor, file.id);
    assert.match(response.content, /\r\nR01,S1,RJ,FIELD,[^\r]*__proto__/);
  });

  test('a lost race on the same bytes whose winner cannot be read is still a 409 (nothing recorded)', async () => {
    const c = await shipper(t);
    // The insert answers as PostgreSQL does when another upload of the same bytes committed first; that file is not
    // there to name (a unique violation whose winner is gone).
    const racing = t.database.db.withPlugin({
      transformQuery({ node }) {
        if (node.kind === 'InsertQueryNode' && node.into?.table.identifier.name === 'contact_files')
          throw Object.assign(new Error('duplicate key value violates unique constraint'), {
            code: '23505',
            constraint: 'contact_files_same_bytes',
          });
        return node;
      },
      transformResult: async ({ result }) => result,
    });
    const s = t.services;
    const files = createBatchFiles({
      db: racing,
      clock: t.clock,
      audit: s.audit,
      contacts: s.cms.contacts,
      changes: { changesFor: async () => [] },
      recipients: { organisations: async () => [] },
      users: s.batchFiles.users,
    }).files;
    const actor = (await s.batchFiles.users.actorByEmail(c.email))!;
    const text = [
      `A00,CMS_CONTACTS,${c.org.shortCode},1,2026-03-02T09:00:00`,
      ...enquiryLines('D1', 1),
      'Z99,1',
    ];
    await assert.rejects(
      files.upload(actor, { fileName: 'f.csv', content: Buffer.from(text.join('\r\n')), channel: 'api' }),
      (e) =>
        e instanceof ConflictError &&
        e.status === 409 &&
        /uploaded this file before/.test(e.message) &&
        !('id' in e.extras),
    );
    assert.deepEqual(await fileRows(t, c.org.id), []);
  });

  test('a token without cms:write (cms:read only) cannot upload', async () => {
    const { makeApiKey } = await import('../../../test/support/factories.ts');
    const key = await makeApiKey(t.services, a.email, { scopes: ['cms:read'] });
    const res = await postFile(t, key.token, 'A00');
    assert.equal(res.statusCode, 403);
  });
});

describe('contact files: resumed after an interruption', () => {
  const COUNT = 300;
  const KILL_AT = 137;
  let whole: CmsTestApp;
  let cut: CmsTestApp;
  before(async () => {
    whole = await createCmsTestApp();
    cut = await createCmsTestApp();
  });
  after(async () => {
    await whole.cleanup();
    await cut.cleanup();
  });

  test('killed after a contact was written but before its answer: no duplicate, none missing, the same response file', async () => {
    const { text } = contactFile('BFK', 1, COUNT);
    // The uninterrupted run.
    const wa = await shipper(whole, 'BFK');
    const done = await postFile(whole, wa.token, text);
    assert.equal(done.statusCode, 202, done.body);
    const expected = await getAs(whole, wa.token, `/api/v1/contact-files/${done.json().id}/response`);

    // The interrupted run: the process dies right after the KILL_AT-th contact is committed (its answer unwritten).
    const ca = await shipper(cut, 'BFK');
    let raised = 0;
    const dying: ContactRaiser = {
      async raise(actor, input) {
        const r = await cut.services.cms.contacts.raise(actor, input);
        if (++raised === KILL_AT) throw new Error('killed');
        return r;
      },
    };
    const s = cut.services;
    const crashing = createBatchFiles({
      db: cut.database.db,
      clock: cut.clock,
      audit: s.audit,
      contacts: dying,
      changes: { changesFor: async () => [] },
      recipients: { organisations: async () => [] },
      users: s.batchFiles.users,
    });
    const actor = (await s.batchFiles.users.actorByEmail(ca.email))!;
    await assert.rejects(
      crashing.files.upload(actor, { fileName: 'f.csv', content: Buffer.from(text), channel: 'api' }),
      /killed/,
    );
    const [file] = await fileRows(cut, ca.org.id);
    assert.equal(file!.status, 'processing');
    const part = await getAs(cut, ca.token, `/api/v1/contact-files/${file!.id}`);
    assert.ok(
      part.json().processed < COUNT && part.json().processed > 100,
      `half done (${part.json().processed})`,
    );
    assert.equal((await getAs(cut, ca.token, `/api/v1/contact-files/${file!.id}/response`)).statusCode, 409);

    // As after kill -9: the dead worker's lease is still live, so nobody takes the file over yet...
    const lease = (sqlInterval: string) =>
      inScope(cut.database.db, SYSTEM_SCOPE, (trx) =>
        trx
          .updateTable('batch.contact_files')
          .set({ lease_until: new Date(Date.now() + (sqlInterval === 'live' ? 60_000 : -60_000)) })
          .where('id', '=', file!.id)
          .execute(),
      );
    await lease('live');
    assert.equal(await s.batchFiles.files.resumeUnfinished(), 0);
    assert.equal(
      (await getAs(cut, ca.token, `/api/v1/contact-files/${file!.id}`)).json().status,
      'processing',
    );
    // ...until it lapses: the resume sweep finishes the file.
    await lease('lapsed');
    assert.equal(await s.batchFiles.files.resumeUnfinished(), 1);

    const finished = (await getAs(cut, ca.token, `/api/v1/contact-files/${file!.id}`)).json();
    assert.equal(finished.status, 'done');
    const response = await getAs(cut, ca.token, `/api/v1/contact-files/${file!.id}/response`);
    assert.equal(response.body, expected.body, 'the same response file');
    assert.deepEqual(await contactsOf(cut, ca.org.id), await contactsOf(whole, wa.org.id));
    assert.equal((await contactsOf(cut, ca.org.id)).length, COUNT - COUNT / 100);
    // Running the job again changes nothing.
    await s.batchFiles.files.process(file!.id);
    assert.equal(
      (await getAs(cut, ca.token, `/api/v1/contact-files/${file!.id}/response`)).body,
      expected.body,
    );
  });
});
