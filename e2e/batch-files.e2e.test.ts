/**
 * Contact files in a real Chromium (issue 11): a shipper user opens Contact files from the service navigation,
 * uploads a file and downloads its response file; a file still being processed shows a progress view that updates
 * itself (the page script re-reads it) and, once the job finishes, offers the response file without a reload. axe
 * (WCAG 2.2 AA) runs on every page visited and no page logs an error.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { browserSuite, signInAndEnrol, visit, watchForErrors } from './helpers.ts';
import { makeOrg, makeUser, TEST_PASSWORD } from '../test/support/factories.ts';
import { enquiryLines } from '../test/support/batch-files.ts';
import { createBatchFiles } from '../src/modules/batch-files/index.ts';
import type { JobQueue } from '../src/platform/jobs/queue.ts';

describe('contact files in Chromium', () => {
  const suite = browserSuite();

  test('upload, watch progress, download the response file', async () => {
    const s = suite.server.services;
    await makeOrg(s, { type: 'cdsp', name: 'CDSP' });
    const org = await makeOrg(s, { shortCode: 'BFE', type: 'shipper', name: 'Batch Shipping' });
    const user = await makeUser(s, {
      orgShortCode: org.shortCode,
      roles: ['cms_user'],
      password: TEST_PASSWORD,
    });
    const context = await suite.browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const errors = watchForErrors(page);
    await signInAndEnrol(page, suite.server, user.email, TEST_PASSWORD);

    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Contact files' }).click();
    await visit(page, /^Contact files$/);
    const file = join(suite.dir, 'contacts.csv');
    writeFileSync(
      file,
      [
        'A00,CMS_CONTACTS,BFE,1,2026-03-02T09:00:00',
        ...enquiryLines('E-1', 1),
        'C01,E-2,NOPE,,x',
        'Z99,2',
        '',
      ].join('\r\n'),
    );
    await page.getByLabel('Upload a contact file').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload and raise contacts' }).click();
    await visit(page, /^contacts\.csv$/);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download the response file' }).click();
    const saved = join(suite.dir, 'response.csv');
    await (await download).saveAs(saved);
    const lines = readFileSync(saved, 'utf8').split('\r\n');
    assert.match(lines[1]!, /^R01,E-1,AC,ENQ-/);
    assert.equal(lines[2], 'R01,E-2,RJ,CODE,“NOPE” is not a contact code');

    // A file waiting for the job (a queue that holds it): its page shows progress and updates itself.
    const held: JobQueue = {
      work: async () => undefined,
      send: async () => 'held',
      schedule: async () => undefined,
      stop: async () => undefined,
    };
    const queued = createBatchFiles({
      db: suite.server.database.db,
      clock: suite.server.clock,
      audit: s.audit,
      contacts: s.cms.contacts,
      changes: { changesFor: async () => [] },
      recipients: { organisations: async () => [] },
      users: s.batchFiles.users,
      jobs: held,
    });
    const actor = (await s.batchFiles.users.actorByEmail(user.email))!;
    const content = [
      'A00,CMS_CONTACTS,BFE,2,2026-03-02T09:00:00',
      ...enquiryLines('W-1', 1),
      'Z99,1',
      '',
    ].join('\r\n');
    const waiting = await queued.files.upload(actor, {
      fileName: 'waiting.csv',
      content: Buffer.from(content),
      channel: 'api',
    });
    assert.equal(waiting.status, 'queued');
    await page.goto(`${suite.server.baseUrl}/contact-files/${waiting.id}`);
    await visit(page, /^waiting\.csv$/);
    assert.match(await page.getByRole('status').innerText(), /Waiting to start: 0 of 1 contacts done/);
    await s.batchFiles.files.process(waiting.id);
    // No reload: the page script sees the file finished and shows the finished page.
    await page.getByRole('link', { name: 'Download the response file' }).waitFor({ timeout: 15_000 });
    await visit(page, /^waiting\.csv$/);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
