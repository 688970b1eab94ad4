import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeOrg, makeUser, TEST_PASSWORD } from '../../../test/support/factories.ts';
import { signInAndEnrol, type WebClient } from '../../../test/support/web-client.ts';
import {
  ADD_FIELDS,
  addSite,
  apiAs,
  createCmsTestApp,
  userWithToken,
  webFor,
  type CmsTestApp,
} from '../../../test/support/cms.ts';
import { makeContact } from '../../../test/support/factories/cms.ts';
import { govukDate } from '../../platform/time/calendar.ts';

describe('CMS web pages', () => {
  let t: CmsTestApp;
  let shipperWeb: WebClient;
  let cdspWeb: WebClient;
  let outsiderWeb: WebClient;
  let mprn: string;
  let reference: string;
  let shipperOrg: { name: string; shortCode: string };
  const shipperUser = { name: 'Sam Shipper', email: '' };
  const resolverUser = { name: 'Rita Resolver', email: '' };

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
    const shipper = await makeOrg(t.services, { type: 'shipper', name: 'Acme Gas' });
    const other = await makeOrg(t.services, { type: 'shipper' });
    const s = await makeUser(t.services, {
      orgShortCode: shipper.shortCode,
      roles: ['cms_user'],
      name: shipperUser.name,
      password: TEST_PASSWORD,
    });
    const r = await makeUser(t.services, {
      orgShortCode: t.cdsp.shortCode,
      roles: ['cdsp_resolver'],
      name: resolverUser.name,
      password: TEST_PASSWORD,
    });
    const o = await makeUser(t.services, {
      orgShortCode: other.shortCode,
      roles: ['cms_supervisor'],
      password: TEST_PASSWORD,
    });
    shipperOrg = shipper;
    [shipperUser.email, resolverUser.email] = [s.email, r.email];
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
    const desWeb = await webFor(t, t.cdsp.shortCode, ['des_user']);
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
  // ------------------------------------------------------------------ the contact page in words (issue 12)
  /** HTML (a page's main content, or a part of it) as a reader sees it: tags dropped, spaces collapsed. */
  const words = (html: string) => {
    const main = html.includes('<main') ? html.slice(html.indexOf('<main'), html.indexOf('</main>')) : html;
    return main
      .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&amp;/g, '&')
      .replace(/&#39;|&#x27;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/\s+/g, ' ');
  };
  /** The summary-list value of the row whose key is exactly `key`, or undefined. */
  const row = (html: string, key: string) => {
    const escaped = key.replace(/[()]/g, '\\$&');
    const m = new RegExp(
      `<dt class="govuk-summary-list__key">\\s*${escaped}\\s*</dt>\\s*<dd class="govuk-summary-list__value">\\s*([\\s\\S]*?)\\s*</dd>`,
    ).exec(html);
    return m?.[1]?.replace(/\s+/g, ' ');
  };
  const section = (html: string, id: string, end = '</ul>') => {
    const start = html.indexOf(`id="${id}"`);
    return start < 0 ? '' : html.slice(start, html.indexOf(end, start));
  };
  const timelineOf = (html: string) => section(html, 'timeline', '</ol>');
  const raiseAdd = async (description: string) => {
    const form: Record<string, string> = { mprn, description };
    for (const [k, v] of Object.entries(ADD_FIELDS)) form[`fields.${k}`] = v;
    const raised = await shipperWeb.post('/contacts/new/ADD', form, '/contacts/new/ADD');
    assert.equal(raised.statusCode, 303, raised.body.slice(0, 2000));
    return /\/contacts\/([A-Z]+-[A-Z0-9]+)/.exec(String(raised.headers.location))![1]!;
  };
  const actOn = async (ref: string, client: WebClient, form: Record<string, string>) => {
    const page = await client.get(`/contacts/${ref}`);
    return client.post(
      `/contacts/${ref}/actions`,
      { ...form, version: version(page.body) },
      `/contacts/${ref}`,
    );
  };

  test('codes show as their labels: coded fields, the rejection reason, status and team; details by catalogue label in the form’s order', async () => {
    // Raised through the API with the fields in another order than the form's (and stored as jsonb, which
    // reorders keys): the page lists them as the form does.
    const token = await userWithToken(t, shipperOrg.shortCode, ['cms_user']);
    const api = apiAs(t, token.token);
    const add = await makeContact(api, mprn, {
      fields: {
        town: 'Leeds',
        amendment_reason: 'INCORRECT',
        postcode: 'LS1 4AP',
        street: 'High Street',
        house_no: '12',
      },
    });
    const addPage = await shipperWeb.get(`/contacts/${add.reference}`);
    const keys = [
      ...section(addPage.body, 'contact-fields', '</dl>').matchAll(
        /govuk-summary-list__key">\s*([^<]+?)\s*</g,
      ),
    ].map((m) => m[1]);
    assert.deepEqual(
      keys.filter((k) => k !== 'Address on the register'),
      ['Building number', 'Street', 'Town', 'Postcode', 'Reason for the amendment'],
    );
    assert.doesNotMatch(words(addPage.body), /House no|house_no|INCORRECT/);

    const enq = await makeContact(api, null, {
      code: 'ENQ',
      description: 'Which data do you hold?',
      fields: { subject: 'Register data', enquiry_category: 'REGISTER_DATA', details: 'Please explain' },
    });
    const rejected = await actOn(enq.reference, cdspWeb, {
      action: 'reject',
      reason_code: 'INCOMPLETE',
      note: 'Say more',
    });
    assert.equal(rejected.statusCode, 303, rejected.body.slice(0, 2000));
    for (const client of [shipperWeb, cdspWeb]) {
      const page = await client.get(`/contacts/${enq.reference}`);
      const text = words(page.body);
      assert.equal(row(page.body, 'What the enquiry is about'), 'Register data');
      assert.match(text, /Reason for rejection Information missing or incomplete/);
      assert.match(text, /Rejected: Information missing or incomplete/);
      assert.match(text, /Resolver CDSP service desk team/);
      assert.doesNotMatch(text, /REGISTER_DATA|INCOMPLETE|service_desk|_/);
    }
  });

  test('the due date is explained in GOV.UK dates and times, never ISO', async () => {
    const ref = await raiseAdd('Explain the due date');
    const page = await shipperWeb.get(`/contacts/${ref}`);
    const explained = words(section(page.body, 'sla-explanation'));
    assert.match(
      explained,
      /Raised on 2 March 2026 at (\d{1,2}(:\d{2})?(am|pm)|midday)\. The day of raising does not count\./,
    );
    assert.match(explained, /Day 1 of 10 is 3 March 2026, the first business day after raising\./);
    assert.match(explained, /Due by the end of 16 March 2026: 10 business days target\./);
    assert.match(explained, /10 business days left on 2 March 2026\./);
    assert.doesNotMatch(
      explained,
      /\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}|\d (am|pm)/,
      'no ISO dates or times, and "10:30am"',
    );
    assert.match(row(page.body, 'Raised') ?? '', /^2 March 2026 at \d{1,2}(:\d{2})?(am|pm)$/);
  });

  test('a stopped contact says when it stopped, never the days that were left', async () => {
    const cancelledRef = await raiseAdd('To be cancelled');
    assert.equal(
      (await actOn(cancelledRef, shipperWeb, { action: 'cancel', note: 'Raised in error' })).statusCode,
      303,
    );
    const cancelled = await shipperWeb.get(`/contacts/${cancelledRef}`);
    assert.equal(row(cancelled.body, 'Due'), 'End of 16 March 2026. Cancelled on 2 March 2026.');
    const explained = words(section(cancelled.body, 'sla-explanation'));
    assert.match(explained, /Cancelled on 2 March 2026\. The clock stopped then\./);
    assert.doesNotMatch(words(cancelled.body), /business days? left|due today/);

    // The conversation's contact: resolved, then accepted and closed.
    const closed = await cdspWeb.get(`/contacts/${reference}`);
    assert.equal(
      row(closed.body, 'Due'),
      'End of 16 March 2026. Resolved on 2 March 2026; closed on 2 March 2026.',
    );
    assert.match(
      words(section(closed.body, 'sla-explanation')),
      /Resolved on 2 March 2026; closed on 2 March 2026: within the due date\./,
    );
    assert.doesNotMatch(words(closed.body), /business days? left/);
  });

  test('awaiting the customer: the respond-by date and the question stand out, to the customer and the resolver', async () => {
    const ref = await raiseAdd('Send back for information');
    await actOn(ref, cdspWeb, { action: 'start' });
    const question = 'Which flat is the meter in, please';
    assert.equal(
      (await actOn(ref, cdspWeb, { action: 'request_information', note: question })).statusCode,
      303,
    );
    const token = await userWithToken(t, shipperOrg.shortCode, ['cms_user']);
    const json = (await apiAs(t, token.token)('GET', `/contacts/${ref}`)).json() as {
      response_due_date: string;
    };
    const respondBy = govukDate(json.response_due_date);
    assert.match(respondBy, /^\d{1,2} [A-Z][a-z]+ 2026$/);

    const customer = await shipperWeb.get(`/contacts/${ref}`);
    const banner = words(section(customer.body, 'awaiting-customer', '</section>'));
    assert.match(customer.body, /<div id="awaiting-customer">\s*<div class="govuk-notification-banner"/);
    assert.match(banner, new RegExp(`Respond by the end of ${respondBy}`));
    assert.match(banner, new RegExp(`${resolverUser.name}, CDSP asked on 2 March 2026 at \\S+: ${question}`));
    assert.match(banner, /Choose “Respond with the information” under What you can do/);
    assert.match(section(customer.body, 'awaiting-question', '</div>'), new RegExp(question));
    assert.equal(row(customer.body, 'Respond by'), `End of ${respondBy}`);

    const resolver = await cdspWeb.get(`/contacts/${ref}`);
    const inset = words(section(resolver.body, 'awaiting-customer', '</div>'));
    assert.match(
      inset,
      new RegExp(`Waiting for Acme Gas \\(${shipperOrg.shortCode}\\) to respond by the end of ${respondBy}`),
    );
    assert.match(inset, new RegExp(`${resolverUser.name}, CDSP asked on 2 March 2026 at \\S+: ${question}`));
    assert.doesNotMatch(resolver.body, /govuk-notification-banner__heading">Respond by/);

    // Once answered, nothing is awaited.
    assert.equal((await actOn(ref, shipperWeb, { action: 'respond', note: 'Flat 2' })).statusCode, 303);
    const answered = await shipperWeb.get(`/contacts/${ref}`);
    assert.doesNotMatch(answered.body, /id="awaiting-customer"|Respond by/);
  });

  test('no action chosen: the error asks in words, never with the actions’ internal names', async () => {
    const ref = await raiseAdd('No action chosen');
    for (const action of [undefined, 'fly_away']) {
      const res = await actOn(ref, cdspWeb, action ? { action } : {});
      assert.equal(res.statusCode, 400);
      const summary = section(res.body, 'govuk-error-summary', '</div>');
      assert.match(res.body, /govuk-error-summary[\s\S]*href="#action"[^>]*>\s*Select what you want to do/);
      assert.match(res.body, /id="action-error"[\s\S]*?Select what you want to do/);
      assert.doesNotMatch(res.body, /request_information|Use one of/, summary);
    }
    // The API answers with its own problem+json (its contract is unchanged).
    const token = await userWithToken(t, t.cdsp.shortCode, ['cdsp_resolver']);
    const api = await apiAs(t, token.token)('POST', `/contacts/${ref}/actions`, {
      body: { action: 'fly_away', version: 1 },
    });
    assert.equal(api.statusCode, 400);
    assert.match(String(api.headers['content-type']), /application\/problem\+json/);
  });

  test('the timeline names people and their organisations, never email addresses, and has no double colon', async () => {
    const customer = await shipperWeb.get(`/contacts/${reference}`);
    const resolver = await cdspWeb.get(`/contacts/${reference}`);
    const mine = words(timelineOf(customer.body));
    const theirs = words(timelineOf(resolver.body));
    // Each person by name and organisation, the same on both sides.
    assert.equal(mine, theirs);
    assert.match(mine, new RegExp(`· ${shipperUser.name}, Acme Gas Contact raised`));
    assert.match(
      mine,
      new RegExp(
        `· ${resolverUser.name}, CDSP Information requested \\(SLA clock paused\\): “Please send a council tax bill”`,
      ),
    );
    assert.match(mine, /· The service Routed to CDSP address team/);
    for (const text of [mine, theirs]) {
      assert.doesNotMatch(text, /@|: :|::/);
      assert.doesNotMatch(text, new RegExp(`${shipperUser.email}|${resolverUser.email}`));
    }
    // The API's timeline keeps its shape: the actor as recorded, and no stray colon.
    const token = await userWithToken(t, shipperOrg.shortCode, ['cms_user']);
    const events = (await apiAs(t, token.token)('GET', `/contacts/${reference}/events`)).json() as {
      items: { event: string; actor: string; summary: string }[];
    };
    const asked = events.items.find((e) => e.event === 'request_information');
    assert.equal(asked?.summary, 'Information requested (SLA clock paused)');
    assert.equal(asked?.actor, resolverUser.email);
  });

  test('who is working on it: the resolver’s assignee and the raising organisation’s owner are told apart', async () => {
    const customer = await shipperWeb.get(`/contacts/${reference}`);
    assert.equal(row(customer.body, 'Being worked by (resolver)'), resolverUser.name);
    assert.equal(row(customer.body, 'Owner in your organisation'), 'Not assigned');
    assert.equal(row(customer.body, 'Assigned to'), undefined);
    const resolver = await cdspWeb.get(`/contacts/${reference}`);
    assert.equal(row(resolver.body, 'Being worked by'), resolverUser.name);
    assert.equal(
      row(resolver.body, 'Owner in your organisation'),
      undefined,
      'the raiser’s own assignment is theirs',
    );
  });

  test('the contact page of another organisation’s contact answers exactly like one that does not exist', async () => {
    const theirs = await outsiderWeb.get(`/contacts/${reference}`);
    const none = await outsiderWeb.get(
      `/contacts/${reference.replace(/.$/, (c) => (c === 'Z' ? 'Y' : 'Z'))}`,
    );
    assert.equal(theirs.statusCode, 404);
    assert.equal(none.statusCode, 404);
    const strip = (h: string) =>
      h.replace(/nonce="[^"]+"|value="[^"]{20,}"|_csrf=[^"&]+|[A-Z]+-[A-Z0-9]{6}/g, '');
    assert.equal(strip(theirs.body), strip(none.body));
    assert.doesNotMatch(theirs.body, new RegExp(resolverUser.name));
  });
});
