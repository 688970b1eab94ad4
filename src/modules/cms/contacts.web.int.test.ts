import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeOrg, makeUser, TEST_PASSWORD } from '../../../test/support/factories.ts';
import { signInAndEnrol, type WebClient } from '../../../test/support/web-client.ts';
import { ADD_FIELDS, addSite, createCmsTestApp, type CmsTestApp } from '../../../test/support/cms.ts';

describe('CMS web pages', () => {
  let t: CmsTestApp;
  let shipperWeb: WebClient;
  let cdspWeb: WebClient;
  let outsiderWeb: WebClient;
  let mprn: string;
  let reference: string;

  const version = (html: string) => /name="version" value="(\d+)"/.exec(html)?.[1] ?? '';
  const act = async (client: WebClient, form: Record<string, string>) => {
    const page = await client.get(`/contacts/${reference}`);
    const res = await client.post(
      `/contacts/${reference}/actions`,
      { ...form, version: version(page.body) },
      `/contacts/${reference}`,
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 3000));
    return res;
  };

  before(async () => {
    t = await createCmsTestApp();
    const shipper = await makeOrg(t.services, { type: 'shipper' });
    const other = await makeOrg(t.services, { type: 'shipper' });
    const s = await makeUser(t.services, {
      orgShortCode: shipper.shortCode,
      roles: ['cms_user'],
      password: TEST_PASSWORD,
    });
    const r = await makeUser(t.services, {
      orgShortCode: t.cdsp.shortCode,
      roles: ['cdsp_resolver'],
      password: TEST_PASSWORD,
    });
    const o = await makeUser(t.services, {
      orgShortCode: other.shortCode,
      roles: ['cms_supervisor'],
      password: TEST_PASSWORD,
    });
    shipperWeb = (await signInAndEnrol(t.app, t.clock, s.email, TEST_PASSWORD)).client;
    cdspWeb = (await signInAndEnrol(t.app, t.clock, r.email, TEST_PASSWORD)).client;
    outsiderWeb = (await signInAndEnrol(t.app, t.clock, o.email, TEST_PASSWORD)).client;
    mprn = await addSite(t, { shipper_short_code: shipper.shortCode });
  });
  after(() => t.cleanup());

  test('signed out, the contact pages send you to sign in', async () => {
    const res = await t.app.inject('/contacts');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/sign-in');
  });

  test('the raise form is generated from the code’s schema and re-renders with an error summary', async () => {
    const choose = await shipperWeb.get('/contacts/new');
    assert.equal(choose.statusCode, 200);
    assert.match(choose.body, /ADD: Address Amendment/);
    assert.doesNotMatch(choose.body, /value="GSR"/, 'a shipper is not offered codes it cannot raise');
    // ADD's address on the register is taken from the register: the MPRN first (see register-tie.int.test.ts).
    const step = await shipperWeb.get('/contacts/new/ADD');
    assert.equal(step.statusCode, 200);
    assert.doesNotMatch(step.body, /name="fields\./);
    const form = await shipperWeb.get(`/contacts/new/ADD?mprn=${mprn}`);
    assert.equal(form.statusCode, 200);
    for (const f of ['fields.street', 'fields.town', 'fields.postcode', 'fields.amendment_reason']) {
      assert.ok(form.body.includes(`name="${f}"`), f);
    }
    const bad = await shipperWeb.post(
      '/contacts/new/ADD',
      { mprn, description: '', 'fields.postcode': 'nope' },
      '/contacts/new/ADD',
    );
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /govuk-error-summary/);
    assert.match(bad.body, /href="#fields-town"/);
  });

  test('the whole conversation on the web: raise, take, send back, respond, resolve, accept; one timeline for both', async () => {
    const form: Record<string, string> = {
      mprn,
      description: 'Wrong street on the register',
      raiser_reference: 'WEB-1',
    };
    for (const [k, v] of Object.entries(ADD_FIELDS)) form[`fields.${k}`] = v;
    const raised = await shipperWeb.post('/contacts/new/ADD', form, '/contacts/new/ADD');
    assert.equal(raised.statusCode, 303, raised.body.slice(0, 2000));
    reference = /\/contacts\/([A-Z]+-[A-Z0-9]+)/.exec(String(raised.headers.location))![1]!;
    const list = await cdspWeb.get('/contacts?view=received');
    assert.ok(list.body.includes(reference));
    await act(cdspWeb, { action: 'start' });
    await act(cdspWeb, { action: 'request_information', note: 'Please send a council tax bill' });
    const asked = await shipperWeb.get(`/contacts/${reference}`);
    assert.match(asked.body, /Please send a council tax bill/);
    assert.match(asked.body, /value="respond"/);
    await act(shipperWeb, { action: 'respond', note: 'Bill sent by post' });
    await act(cdspWeb, { action: 'resolve', outcome: 'ADDRESS_UPDATED', note: 'Corrected' });
    await act(shipperWeb, { action: 'accept' });
    const a = await shipperWeb.get(`/contacts/${reference}`);
    const b = await cdspWeb.get(`/contacts/${reference}`);
    assert.match(a.body, /Closed/);
    // The raiser's reference: "Your reference" to the raiser, "Their reference" to the resolver.
    const refRow = (html: string) =>
      /<dt class="govuk-summary-list__key">\s*(\w+) reference\s*<\/dt>\s*<dd[^>]*>\s*WEB-1/.exec(html)?.[1];
    assert.equal(refRow(a.body), 'Your');
    assert.equal(refRow(b.body), 'Their');
    const timeline = (html: string) => {
      const start = html.indexOf('<h2 class="govuk-heading-m">Timeline');
      return html.slice(start, html.indexOf('</ol>', start));
    };
    assert.match(timeline(a.body), /Information requested/);
    assert.equal(timeline(a.body), timeline(b.body), 'both sides see the same timeline');
    const csv = await shipperWeb.get('/contacts/export.csv');
    assert.equal(csv.statusCode, 200);
    assert.ok(csv.body.includes(reference));
  });

  test('the list’s Order starts at "Default for this list", so changing the view applies that view’s default', async () => {
    const selected = (html: string) => {
      const select = html.slice(
        html.indexOf('id="sort"'),
        html.indexOf('</select>', html.indexOf('id="sort"')),
      );
      return /<option value="([a-z]*)" selected>([^<]*)</.exec(select)?.slice(1, 3);
    };
    // A shipper's own list: newest first by default, and the form says so without choosing it.
    const mine = await shipperWeb.get('/contacts');
    assert.deepEqual(selected(mine.body), ['', 'Default for this list (Newest first)']);
    // Submitting that form with "For my organisation to resolve" (sort left at its default): the queue order.
    const received = await cdspWeb.get('/contacts?view=received&sort=');
    assert.deepEqual(selected(received.body), [
      '',
      'Default for this list (Queue order (RFA and CDQ by date received, others by due date))',
    ]);
    // An order the user chose is kept.
    const chosen = await cdspWeb.get('/contacts?view=received&sort=newest');
    assert.deepEqual(selected(chosen.body), ['newest', 'Newest first']);
  });

  test('an illegal action re-renders the page with 409 and the reason; a stale form gets 409', async () => {
    const page = await shipperWeb.get(`/contacts/${reference}`);
    const res = await shipperWeb.post(
      `/contacts/${reference}/actions`,
      { action: 'reopen', note: 'x', version: '1' },
      `/contacts/${reference}`,
    );
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /govuk-error-summary/);
    assert.ok(page.body.includes(reference));
  });

  test('another organisation gets 404 on every contact page, and nothing changes', async () => {
    const before = (await shipperWeb.get(`/contacts/${reference}`)).body;
    for (const url of [`/contacts/${reference}`]) {
      assert.equal((await outsiderWeb.get(url)).statusCode, 404);
    }
    const token = await outsiderWeb.csrf('/contacts');
    for (const [url, form] of [
      [`/contacts/${reference}/actions`, { action: 'cancel', note: 'x', version: '1', _csrf: token }],
      [`/contacts/${reference}/notes`, { body: 'sneaky', _csrf: token }],
    ] as const) {
      assert.equal((await outsiderWeb.postRaw(url, form)).statusCode, 404, url);
    }
    assert.equal(
      (await outsiderWeb.get(`/contacts/${reference}/attachments/00000000-0000-4000-8000-000000000000`))
        .statusCode,
      404,
    );
    assert.ok(!(await outsiderWeb.get('/contacts/export.csv')).body.includes(reference));
    assert.ok(!(await outsiderWeb.get('/contacts')).body.includes(reference));
    const after = (await shipperWeb.get(`/contacts/${reference}`)).body;
    const strip = (h: string) => h.replace(/nonce="[^"]+"|value="[^"]{20,}"|_csrf=[^"&]+/g, '');
    assert.equal(strip(after), strip(before));
  });

  test('the service navigation has a Contacts link for users with cms:read, marked current in the section', async () => {
    const home = await shipperWeb.get('/');
    const nav = (html: string) => /<nav aria-label="Menu"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';
    assert.match(
      nav(home.body),
      /<a class="govuk-service-navigation__link" href="\/contacts"\s*>\s*Contacts/,
    );
    assert.doesNotMatch(nav(home.body), /aria-current/);
    assert.match(nav((await shipperWeb.get('/contacts')).body), /href="\/contacts"\s+aria-current="page"/);
    assert.match(
      nav((await cdspWeb.get(`/contacts/${reference}`)).body),
      /href="\/contacts"\s+aria-current="true"/,
    );
    assert.equal(nav((await t.app.inject('/')).body), '', 'signed out: no navigation');
    const desOnly = await makeUser(t.services, {
      orgShortCode: t.cdsp.shortCode,
      roles: ['des_user'],
      password: TEST_PASSWORD,
    });
    const desWeb = (await signInAndEnrol(t.app, t.clock, desOnly.email, TEST_PASSWORD)).client;
    const page = await desWeb.get('/');
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /href="\/contacts"/, 'no Contacts link without cms:read');
  });

  test('a file is attached from the contact page (multipart, CSRF in the action), listed and downloaded', async () => {
    const form: Record<string, string> = { mprn, description: 'Attachment test' };
    for (const [k, v] of Object.entries(ADD_FIELDS)) form[`fields.${k}`] = v;
    const raised = await shipperWeb.post('/contacts/new/ADD', form, '/contacts/new/ADD');
    const ref = /\/contacts\/([A-Z]+-[A-Z0-9]+)/.exec(String(raised.headers.location))![1]!;
    const page = await shipperWeb.get(`/contacts/${ref}`);
    const action = /<form method="post" action="([^"]+)" enctype="multipart\/form-data"/.exec(page.body)?.[1];
    assert.ok(action, 'the contact page has an upload form');
    const url = action.replace(/&amp;/g, '&');
    assert.match(url, new RegExp(`^/contacts/${ref}/attachments\\?_csrf=`));
    assert.match(page.body, /<input class="govuk-file-upload" id="file" name="file" type="file"/);

    const upload = (
      client: WebClient,
      target: string,
      file: { name: string; data: Buffer | string } | null,
    ) => {
      const boundary = '----cdspCmsBoundary';
      const head = file
        ? `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`
        : `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n`;
      const payload = Buffer.concat([
        Buffer.from(head),
        file ? Buffer.from(file.data) : Buffer.alloc(0),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return t.app.inject({
        method: 'POST',
        url: target,
        payload,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        cookies: Object.fromEntries(client.cookies),
      });
    };
    const text = 'Council tax bill, 12 High Street, Leeds LS1 4AP\n';

    assert.equal(
      (await upload(shipperWeb, `/contacts/${ref}/attachments`, { name: 'bill.txt', data: text })).statusCode,
      403,
      'no CSRF token: refused',
    );
    const none = await upload(shipperWeb, url, null);
    assert.equal(none.statusCode, 400);
    assert.match(none.body, /govuk-error-summary[\s\S]*href="#file"[\s\S]*Select a file to attach/);
    assert.match(none.body, /id="file-error"/);
    const empty = await upload(shipperWeb, url, { name: 'empty.txt', data: '' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /govuk-error-summary[\s\S]*href="#file"[\s\S]*The selected file is empty/);
    const wrongType = await upload(shipperWeb, url, {
      name: 'tool.exe',
      data: Buffer.from([0x4d, 0x5a, 0, 1, 2]),
    });
    assert.equal(wrongType.statusCode, 400);
    assert.match(
      wrongType.body,
      /The file must be a PDF, PNG, JPEG, GIF, CSV, XLSX, DOCX or plain text file/,
    );
    const huge = await upload(shipperWeb, url, {
      name: 'big.txt',
      data: Buffer.alloc(20 * 1024 * 1024 + 1, 'a'),
    });
    assert.equal(huge.statusCode, 413);
    assert.match(huge.body, /The selected file must be smaller than 20 MB/);
    assert.doesNotMatch((await shipperWeb.get(`/contacts/${ref}`)).body, /big\.txt|tool\.exe|empty\.txt/);

    const ok = await upload(shipperWeb, url, { name: 'bill.txt', data: text });
    assert.equal(ok.statusCode, 303, ok.body.slice(0, 2000));
    assert.equal(ok.headers.location, `/contacts/${ref}?done=attachment#attachments`);
    const after = await cdspWeb.get(`/contacts/${ref}`);
    const link = new RegExp(`href="(/contacts/${ref}/attachments/[0-9a-f-]{36})"[^>]*>bill\\.txt</a>`).exec(
      after.body,
    );
    assert.ok(link, 'the resolver sees the attachment');
    assert.match(after.body, /Attachment added: bill\.txt/, 'and its timeline event');
    const download = await cdspWeb.get(link[1]!);
    assert.equal(download.statusCode, 200);
    assert.equal(download.body, text);
    assert.match(String(download.headers['content-disposition']), /^attachment; filename="bill\.txt"/);
    assert.equal(download.headers['x-content-type-options'], 'nosniff');

    // Another organisation: 404 on the upload, and nothing is attached.
    const outsiderToken = await outsiderWeb.csrf('/contacts');
    const sneaky = await upload(
      outsiderWeb,
      `/contacts/${ref}/attachments?_csrf=${encodeURIComponent(outsiderToken)}`,
      {
        name: 'sneaky.txt',
        data: 'x',
      },
    );
    assert.equal(sneaky.statusCode, 404);
    assert.doesNotMatch((await shipperWeb.get(`/contacts/${ref}`)).body, /sneaky\.txt/);
  });
});
