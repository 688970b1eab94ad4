/**
 * Daily update files: after a business day ends, each organisation gets one file of the day's changes to the
 * contacts it raised and those routed to it (the other side's internal notes never); written once (idempotent),
 * numbered per organisation; weekend changes go into the next business day's file; downloaded by date through the
 * API, where another organisation's file does not exist.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { act, apiAs, type Api } from '../../../test/support/cms.ts';
import { makeContact } from '../../../test/support/factories/cms.ts';
import { makeApiKey, makeUser } from '../../../test/support/factories.ts';
import {
  createCmsTestApp,
  getAs,
  shipper,
  type CmsTestApp,
  type Shipper,
} from '../../../test/support/batch-files.ts';

const ENQ = {
  code: 'ENQ',
  description: 'A question',
  raiser_reference: 'UPD-1',
  fields: { subject: 'Reads', enquiry_category: 'OTHER', details: 'When?' },
};

describe('daily update files', () => {
  let t: CmsTestApp;
  let a: Shipper;
  let b: Shipper;
  let cdspApi: Api;
  let reference: string;
  before(async () => {
    t = await createCmsTestApp(); // Monday 2 March 2026, 10:00
    a = await shipper(t);
    b = await shipper(t);
    const resolver = await makeUser(t.services, { orgShortCode: t.cdsp.shortCode, roles: ['cdsp_resolver'] });
    cdspApi = apiAs(t, (await makeApiKey(t.services, resolver.email)).token);
    reference = (await makeContact(apiAs(t, a.token), null, ENQ)).reference;
    t.clock.advance(60 * 60_000);
    await act(cdspApi, reference, { action: 'start' });
    await cdspApi('POST', `/contacts/${reference}/notes`, {
      body: { body: 'Internal only', visibility: 'internal' },
    });
    t.clock.advance(60 * 60_000);
    await act(cdspApi, reference, { action: 'resolve', outcome: 'ANSWERED', note: 'Answered by email' });
  });
  after(() => t.cleanup());

  test("the day's file lists the changes in order, once; the other organisation's has none of them", async () => {
    assert.equal(
      await t.services.batchFiles.updates.produce('2026-03-02'),
      0,
      'not before the day has ended',
    );
    t.clock.set(new Date('2026-03-03T00:30:00Z'));
    const written = await t.services.batchFiles.updates.produceDue();
    assert.equal(written, 3, 'one file per organisation: the CDSP and the two shippers');
    assert.equal(await t.services.batchFiles.updates.produceDue(), 0, 'idempotent');

    const res = await getAs(t, a.token, '/api/v1/contact-update-files?date=2026-03-02');
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    const lines = res.body.split('\r\n').filter((l) => l !== '');
    assert.equal(lines[0], `A00,CMS_UPDATES,${a.org.shortCode},1,2026-03-03T00:30:00`);
    const u01 = lines.slice(1, -1);
    assert.equal(lines.at(-1), `Z99,${u01.length}`);
    assert.ok(u01.every((l) => l.startsWith(`U01,${reference},UPD-1,`)));
    assert.match(u01[0]!, /,open,2026-03-02T10:00:00\.000Z,,Contact raised$/);
    assert.ok(
      u01.some((l) => /,resolved,2026-03-02T12:00:00\.000Z,ANSWERED,Answered by email$/.test(l)),
      res.body,
    );
    assert.ok(!res.body.includes('Internal only'), "the other side's internal note is not shown");

    const theirs = await getAs(t, b.token, '/api/v1/contact-update-files?date=2026-03-02');
    assert.equal(theirs.statusCode, 200);
    assert.equal(theirs.body, `A00,CMS_UPDATES,${b.org.shortCode},1,2026-03-03T00:30:00\r\nZ99,0\r\n`);
    // The CDSP (resolver side) sees its internal note.
    const cdsp = await cdspApi('GET', '/contact-update-files?date=2026-03-02');
    assert.ok(cdsp.body.includes('Internal only'));
  });

  test('no file for a date is 404; a date that is not a date is 400', async () => {
    const none = await getAs(t, a.token, '/api/v1/contact-update-files?date=2026-02-27');
    assert.equal(none.statusCode, 404);
    const bad = await getAs(t, a.token, '/api/v1/contact-update-files?date=2026-02-30');
    assert.equal(bad.statusCode, 400);
    const missing = await getAs(t, a.token, '/api/v1/contact-update-files');
    assert.equal(missing.statusCode, 400);
  });

  test("weekend changes are in Monday's file", async () => {
    t.clock.set(new Date('2026-03-07T11:00:00Z')); // Saturday
    await cdspApi('POST', `/contacts/${reference}/notes`, {
      body: { body: 'Saturday note', visibility: 'external' },
    });
    t.clock.set(new Date('2026-03-10T00:30:00Z')); // Tuesday: Monday's file
    assert.equal(await t.services.batchFiles.updates.produceDue(), 3);
    const monday = await getAs(t, a.token, '/api/v1/contact-update-files?date=2026-03-09');
    assert.equal(monday.statusCode, 200);
    assert.match(monday.body, /^A00,CMS_UPDATES,\w+,2,/);
    assert.match(monday.body, /Saturday note/);
    // Friday's file, written after the weekend, ends with Friday: the Saturday note is not in it.
    assert.equal(await t.services.batchFiles.updates.produce('2026-03-06'), 3);
    const friday = await getAs(t, a.token, '/api/v1/contact-update-files?date=2026-03-06');
    assert.equal(friday.statusCode, 200);
    assert.doesNotMatch(friday.body, /Saturday note/);
    assert.equal(friday.body, `A00,CMS_UPDATES,${a.org.shortCode},3,2026-03-10T00:30:00\r\nZ99,0\r\n`);
  });
});
