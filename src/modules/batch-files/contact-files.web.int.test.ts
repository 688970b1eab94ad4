/**
 * The contact file pages: the nav entry for users who raise contacts; upload (CSRF in the form action) then the
 * file's page, which offers the response file once done; a refused file re-shows the form with the reason in an
 * error summary; the progress view of a file part done updates itself (a region the page script re-reads, with a
 * refresh link without JavaScript); another organisation's file page is the same 404 as an unknown one; the daily
 * update files page downloads a day's file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { WebClient } from '../../../test/support/web-client.ts';
import {
  createCmsTestApp,
  enquiryLines,
  signedInShipper,
  type CmsTestApp,
} from '../../../test/support/batch-files.ts';
import { createBatchFiles } from './batch-files.services.ts';

const BOUNDARY = '----cdspBatchBoundary';
const multipart = (name: string, content: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/csv\r\n\r\n` +
  `${content}\r\n--${BOUNDARY}--\r\n`;

describe('contact file pages', () => {
  let t: CmsTestApp;
  let web: WebClient;
  let other: WebClient;
  let org: { id: string; shortCode: string };
  let email: string;
  before(async () => {
    t = await createCmsTestApp();
    ({ org, email, web } = await signedInShipper(t));
    other = (await signedInShipper(t)).web;
  });
  after(() => t.cleanup());

  const upload = async (client: WebClient, name: string, content: string) => {
    const csrf = await client.csrf('/contact-files');
    return t.app.inject({
      method: 'POST',
      url: `/contact-files?_csrf=${encodeURIComponent(csrf)}`,
      payload: multipart(name, content),
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      cookies: Object.fromEntries(client.cookies),
    });
  };

  test('upload, the file page, the response file; a refusal in an error summary', async () => {
    const page = await web.get('/contact-files');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /govuk-service-navigation__link" href="\/contact-files"/, 'nav entry');
    assert.match(page.body, /Download a sample contact file/);

    const sample = await web.get('/contact-files/sample.csv');
    assert.equal(sample.statusCode, 200);
    assert.match(
      sample.body,
      new RegExp(`^A00,CMS_CONTACTS,${org.shortCode},1,2026-03-02T10:\\d\\d:00\\r\\n`),
    );
    const res = await upload(web, 'sample.csv', sample.body);
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    const location = String(res.headers.location);
    assert.match(location, /^\/contact-files\/[0-9a-f-]{36}$/);
    const filePage = await web.get(location);
    assert.equal(filePage.statusCode, 200);
    assert.match(filePage.body, /Finished/);
    assert.match(filePage.body, /Download the response file/);
    assert.doesNotMatch(filePage.body, /data-cdsp-refresh/, 'a finished file does not refresh');
    const response = await web.get(`${location}/response.csv`);
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /^A00,CMS_RESPONSE,.*\r\nR01,MY-REF-0001,AC,ENQ-[A-Z0-9]+\r\nZ99,1\r\n$/);
    const list = await web.get('/contact-files');
    assert.match(list.body, /sample\.csv/);
    assert.doesNotMatch(list.body, /\bdone\b|\bqueued\b/, 'statuses in words');

    // The same file again, and a file for another organisation: the form again, the reason in an error summary.
    const again = await upload(web, 'sample.csv', sample.body);
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /govuk-error-summary/);
    assert.match(again.body, /uploaded this file before/);
    const wrong = await upload(
      web,
      'wrong.csv',
      sample.body.replace(`CMS_CONTACTS,${org.shortCode},1`, 'CMS_CONTACTS,ZZZ,2'),
    );
    assert.equal(wrong.statusCode, 422);
    assert.match(
      wrong.body,
      /The file was refused: the header(&#39;|')s sender short code (&#39;|')ZZZ(&#39;|') is not your organisation/,
    );
    const empty = await upload(web, '', '');
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Choose a contact file/);
  });

  test('a file part done: a progress region that updates itself, with a refresh link', async () => {
    // 25 contacts; the worker dies raising the 21st, after the first 20 answers were written (and before the rest).
    const count = 25;
    const content = [
      `A00,CMS_CONTACTS,${org.shortCode},7,2026-03-02T09:00:00`,
      ...Array.from({ length: count }, (_, i) => enquiryLines(`P${i + 1}`, i + 1)).flat(),
      `Z99,${count}`,
    ].join('\r\n');
    let raised = 0;
    const s = t.services;
    const dying = createBatchFiles({
      db: t.database.db,
      clock: t.clock,
      audit: s.audit,
      contacts: {
        async raise(actor, input) {
          if (++raised > 20) throw new Error('killed');
          return s.cms.contacts.raise(actor, input);
        },
      },
      changes: { changesFor: async () => [] },
      recipients: { organisations: async () => [] },
      users: s.batchFiles.users,
    });
    const actor = (await s.batchFiles.users.actorByEmail(email))!;
    await assert.rejects(
      dying.files.upload(actor, { fileName: 'part.csv', content: Buffer.from(content), channel: 'web' }),
      /killed/,
    );
    const id = /href="\/contact-files\/([0-9a-f-]{36})">part\.csv</.exec(
      (await web.get('/contact-files')).body,
    )![1]!;
    const page = await web.get(`/contact-files/${id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<div data-cdsp-refresh="3" role="status">/);
    assert.match(page.body, /Raising contacts: 20 of 25 contacts done \(80%\)/);
    assert.match(
      page.body,
      new RegExp(`<a class="govuk-link" href="/contact-files/${id}">Refresh this page</a>`),
    );
    assert.doesNotMatch(page.body, /Download the response file/);
    assert.equal((await web.get(`/contact-files/${id}/response.csv`)).statusCode, 409);
  });

  test("another organisation's file page is the same 404 as an unknown one", async () => {
    const list = await web.get('/contact-files');
    const id = /href="\/contact-files\/([0-9a-f-]{36})"/.exec(list.body)![1]!;
    const unknown = '00000000-0000-4000-8000-000000000000';
    const strip = (s: string) => s.replace(/name="_csrf" value="[^"]*"/g, '').replace(/nonce="[^"]*"/g, '');
    for (const suffix of ['', '/response.csv']) {
      const theirs = await other.get(`/contact-files/${id}${suffix}`);
      const none = await other.get(`/contact-files/${unknown}${suffix}`);
      assert.equal(theirs.statusCode, 404);
      assert.equal(none.statusCode, 404);
      assert.equal(strip(theirs.body), strip(none.body));
    }
    assert.doesNotMatch((await other.get('/contact-files')).body, new RegExp(id));
  });

  test('the daily update files page downloads the day’s file', async () => {
    // The job runs after the day has ended (the service clock moved on, then back: the session stays fresh).
    const now = t.clock.now();
    t.clock.set(new Date('2026-03-03T01:00:00Z'));
    const written = await t.services.batchFiles.updates.produceDue();
    t.clock.set(now);
    assert.equal(written, 3, 'one file per organisation: the CDSP and the two shippers');
    const page = await web.get('/contact-files/updates');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /2 March 2026/);
    const file = await web.get('/contact-files/updates/2026-03-02.csv');
    assert.equal(file.statusCode, 200);
    const lines = file.body.split('\r\n');
    assert.match(lines[0]!, new RegExp(`^A00,CMS_UPDATES,${org.shortCode},1,2026-03-03T01:00:00$`));
    assert.ok(
      lines.some((l) => /^U01,ENQ-[A-Z0-9]+,MY-REF-0001,open,2026-03-02T10:\d\d:00\.000Z,,/.test(l)),
      file.body,
    );
    assert.equal(
      (await other.get('/contact-files/updates/2026-03-02.csv')).body.includes('MY-REF-0001'),
      false,
    );
  });
});
