import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeOrg, makeUser, TEST_PASSWORD } from '../../../test/support/factories.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import { signInAndEnrol, type WebClient } from '../../../test/support/web-client.ts';
import {
  ADD_FIELDS,
  addSite,
  createCmsTestApp,
  formValues,
  type CmsTestApp,
} from '../../../test/support/cms.ts';

describe('CMS web pages: contact codes and two-way requests', () => {
  let t: CmsTestApp;
  let adminWeb: WebClient;
  let resolverWeb: WebClient;
  let shipperWeb: WebClient;
  let outsiderWeb: WebClient;
  let shipperCode: string;
  let mprn: string;

  const version = (html: string) => /name="version" value="(\d+)"/.exec(html)?.[1] ?? '';

  before(async () => {
    t = await createCmsTestApp();
    const shipper = await makeOrg(t.services, { type: 'shipper' });
    const other = await makeOrg(t.services, { type: 'shipper' });
    shipperCode = shipper.shortCode;
    const user = async (org: string, role: string) =>
      (
        await signInAndEnrol(
          t.app,
          t.clock,
          (await makeUser(t.services, { orgShortCode: org, roles: [role], password: TEST_PASSWORD })).email,
          TEST_PASSWORD,
        )
      ).client;
    adminWeb = await user(t.cdsp.shortCode, 'cdsp_admin');
    resolverWeb = await user(t.cdsp.shortCode, 'cdsp_resolver');
    shipperWeb = await user(shipper.shortCode, 'cms_user');
    outsiderWeb = await user(other.shortCode, 'cms_supervisor');
    mprn = await addSite(t, { shipper_short_code: shipper.shortCode });
  });
  after(() => t.cleanup());

  /** The code's edit form as the page fills it in, with `over` typed over it. */
  const codeForm = async (code: string, over: Record<string, string | string[]> = {}) => ({
    ...formValues((await adminWeb.get(`/contacts/codes/${code}`)).body),
    ...over,
  });

  test('the contacts list links to the requests queue, and for an administrator to the contact codes', async () => {
    const admin = await adminWeb.get('/contacts');
    assert.equal(admin.statusCode, 200);
    assert.match(admin.body, /href="\/contacts\/requests"/);
    assert.match(admin.body, /href="\/contacts\/codes"/);
    const shipper = await shipperWeb.get('/contacts');
    assert.match(shipper.body, /href="\/contacts\/requests"/);
    assert.doesNotMatch(shipper.body, /href="\/contacts\/codes"/);
  });

  test('an administrator lists the 20 codes and edits one; the edit is audited and applies to new contacts', async () => {
    const list = await adminWeb.get('/contacts/codes');
    assert.equal(list.statusCode, 200);
    const links = new Set(list.body.match(/href="\/contacts\/codes\/[A-Z]{3,4}"/g) ?? []);
    assert.equal(links.size, 20);
    const page = await adminWeb.get('/contacts/codes/ADD');
    assert.equal(page.statusCode, 200);
    for (const id of ['name', 'description', 'target_business_days', 'response_window_business_days']) {
      assert.match(page.body, new RegExp(`<label class="govuk-label" for="${id}">`), `labelled ${id}`);
    }
    assert.match(page.body, /name="raised_by" type="checkbox"/);
    const before = await t.services.cms.catalogue.get('ADD');
    const saved = await adminWeb.post(
      '/contacts/codes/ADD',
      await codeForm('ADD', { target_business_days: '17', raised_by: ['shipper', 'supplier'] }),
      '/contacts/codes/ADD',
    );
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 3000));
    assert.equal(saved.headers.location, '/contacts/codes/ADD?saved=1');
    const shown = await adminWeb.get('/contacts/codes/ADD?saved=1');
    assert.match(shown.body, /17 business days/);
    assert.match(shown.body, /The contact code has been saved/);
    const after = await t.services.cms.catalogue.get('ADD');
    assert.equal(after.target_business_days, 17);
    assert.deepEqual([...after.raised_by].sort(), ['shipper', 'supplier']);
    assert.equal(after.version, before.version + 1);
    const audit = await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      trx.selectFrom('audit.events').selectAll().where('action', '=', 'contact_code.updated').execute(),
    );
    assert.equal(audit.length, 1, 'the edit is audited');
    assert.deepEqual([...(audit[0]!.details as { changed: string[] }).changed].sort(), [
      'raised_by',
      'target_business_days',
    ]);

    // A stale form (the old version) gets 409 and changes nothing.
    const stale = await adminWeb.post(
      '/contacts/codes/ADD',
      await codeForm('ADD', { target_business_days: '3', version: String(before.version) }),
      '/contacts/codes/ADD',
    );
    assert.equal(stale.statusCode, 409);
    assert.match(stale.body, /govuk-error-summary[\s\S]*Someone else changed this contact code/);
    assert.equal((await t.services.cms.catalogue.get('ADD')).target_business_days, 17);
  });

  test('invalid input re-renders with an error summary and changes nothing', async () => {
    const before = await t.services.cms.catalogue.get('ADD');
    const bad = await adminWeb.post(
      '/contacts/codes/ADD',
      await codeForm('ADD', { name: '', target_business_days: '0', raised_by: [] }),
      '/contacts/codes/ADD',
    );
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /govuk-error-summary/);
    assert.match(bad.body, /href="#name"[^>]*>Enter a name/);
    assert.match(bad.body, /href="#target_business_days"[^>]*>Target must be a whole number/);
    assert.match(bad.body, /href="#raised_by"/);
    assert.match(bad.body, /id="target_business_days-error"/);
    assert.match(bad.body, /<title>Error: /);
    assert.deepEqual(await t.services.cms.catalogue.get('ADD'), before);
  });

  test('without cms:catalogue_edit the code pages are refused with 403', async () => {
    for (const client of [resolverWeb, shipperWeb]) {
      assert.equal((await client.get('/contacts/codes')).statusCode, 403);
      assert.equal((await client.get('/contacts/codes/ADD')).statusCode, 403);
      const token = await client.csrf('/contacts');
      const res = await client.postRaw('/contacts/codes/ADD', {
        ...(await codeForm('ADD', { target_business_days: '2' })),
        _csrf: token,
      });
      assert.equal(res.statusCode, 403);
    }
    assert.equal((await t.services.cms.catalogue.get('ADD')).target_business_days, 17);
  });

  test('a CDSP resolver sends requests; the organisation asked answers from its queue; others get 404', async () => {
    // A contact to ask about, raised by the shipper on the web.
    const form: Record<string, string> = { mprn, description: 'Wrong street', raiser_reference: 'R-1' };
    for (const [k, v] of Object.entries(ADD_FIELDS)) form[`fields.${k}`] = v;
    const raised = await shipperWeb.post('/contacts/new/ADD', form, '/contacts/new/ADD');
    assert.equal(raised.statusCode, 303, raised.body.slice(0, 2000));
    const contactRef = /\/contacts\/([A-Z]+-[A-Z0-9]+)/.exec(String(raised.headers.location))![1]!;

    const contactPage = await resolverWeb.get(`/contacts/${contactRef}`);
    assert.match(contactPage.body, new RegExp(`href="/contacts/requests/new\\?contact=${contactRef}"`));
    const newPage = await resolverWeb.get(`/contacts/requests/new?contact=${contactRef}`);
    assert.equal(newPage.statusCode, 200);
    assert.match(newPage.body, new RegExp(`name="contact_reference"[^>]*value="${contactRef}"`));
    assert.equal((await shipperWeb.get('/contacts/requests/new')).statusCode, 403);

    // Invalid: an RFI about a contact that is not Theft of Gas; nothing is sent.
    const rfi = await resolverWeb.post(
      '/contacts/requests/new',
      { type: 'RFI', contact_reference: contactRef, subject: 'Meter', body: 'Photo please' },
      '/contacts/requests/new',
    );
    assert.equal(rfi.statusCode, 400);
    assert.match(
      rfi.body,
      /href="#type"[^>]*>A Request For Information can only be sent about a Theft of Gas/,
    );
    const empty = await resolverWeb.post('/contacts/requests/new', { type: 'DCR' }, '/contacts/requests/new');
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /href="#subject"/);
    assert.match(empty.body, /href="#mprn"/);

    // A DCR about the contact (to its raiser) and a CCR about the MPRN to the shipper by short code.
    const dcr = await resolverWeb.post(
      '/contacts/requests/new',
      { type: 'DCR', contact_reference: contactRef, subject: 'Which flat?', body: 'Give the flat number' },
      '/contacts/requests/new',
    );
    assert.equal(dcr.statusCode, 303, dcr.body.slice(0, 3000));
    const dcrRef = /\/contacts\/requests\/([A-Z]+-[A-Z0-9]+)\?sent=1$/.exec(
      String(dcr.headers.location),
    )![1]!;
    const ccr = await resolverWeb.post(
      '/contacts/requests/new',
      {
        type: 'CCR',
        mprn,
        to: shipperCode,
        subject: 'Meter configuration',
        body: 'Confirm the meter configuration',
        response_business_days: '5',
      },
      '/contacts/requests/new',
    );
    assert.equal(ccr.statusCode, 303, ccr.body.slice(0, 3000));
    const sentPage = await resolverWeb.get(String(ccr.headers.location));
    assert.match(sentPage.body, /Your request has been sent/);
    assert.match(sentPage.body, /Configuration Change Request/);

    // The shipper's queue shows both; it opens the DCR and answers it.
    const queue = await shipperWeb.get('/contacts/requests');
    assert.equal(queue.statusCode, 200);
    assert.ok(queue.body.includes(dcrRef));
    assert.match(queue.body, /Meter configuration/);
    const page = await shipperWeb.get(`/contacts/requests/${dcrRef}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Give the flat number/);
    assert.match(page.body, /<label class="govuk-label govuk-label--s" for="response">/);
    const blank = await shipperWeb.post(
      `/contacts/requests/${dcrRef}/respond`,
      { response: ' ', version: version(page.body) },
      `/contacts/requests/${dcrRef}`,
    );
    assert.equal(blank.statusCode, 400);
    assert.match(blank.body, /href="#response"[^>]*>Write a response/);

    // Another organisation: 404 on the request page and on answering it; nothing changes.
    assert.equal((await outsiderWeb.get(`/contacts/requests/${dcrRef}`)).statusCode, 404);
    const outsiderToken = await outsiderWeb.csrf('/contacts');
    const sneaky = await outsiderWeb.postRaw(`/contacts/requests/${dcrRef}/respond`, {
      response: 'Flat 9',
      _csrf: outsiderToken,
    });
    assert.equal(sneaky.statusCode, 404);
    assert.doesNotMatch((await outsiderWeb.get('/contacts/requests?status=all')).body, new RegExp(dcrRef));

    const answered = await shipperWeb.post(
      `/contacts/requests/${dcrRef}/respond`,
      { response: 'Flat 2', version: version(page.body) },
      `/contacts/requests/${dcrRef}`,
    );
    assert.equal(answered.statusCode, 303, answered.body.slice(0, 3000));
    assert.equal(answered.headers.location, `/contacts/requests/${dcrRef}?answered=1`);
    const afterQueue = await shipperWeb.get('/contacts/requests');
    assert.ok(!afterQueue.body.includes(dcrRef), 'an answered request leaves the open queue');
    const again = await shipperWeb.get(`/contacts/requests/${dcrRef}`);
    assert.doesNotMatch(again.body, /name="response"/, 'no form once answered');

    // The CDSP sees the answer, and the contact's timeline records the request.
    const cdspView = await resolverWeb.get(`/contacts/requests/${dcrRef}`);
    assert.match(cdspView.body, /Flat 2/);
    assert.match(cdspView.body, /Answered/);
    assert.doesNotMatch(cdspView.body, /name="response"/, 'the sender does not answer its own request');
  });
});
