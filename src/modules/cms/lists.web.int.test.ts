/**
 * The contact list page as a work queue (issue 12): the raised date, the other party, the subject and the age in
 * business days; the total with numbered pages (previous and next); the team, unassigned and "waiting for" filters;
 * search over the subject and the form's answers; answered requests kept in the CDSP's view. Another organisation's
 * contacts are never counted, listed or found.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeOrg } from '../../../test/support/factories.ts';
import { makeContact, makeRequest } from '../../../test/support/factories/cms.ts';
import type { WebClient } from '../../../test/support/web-client.ts';
import {
  addSite,
  createCmsTestApp,
  userWithApi,
  webFor,
  type Api,
  type CmsTestApp,
} from '../../../test/support/cms.ts';

/** "Showing 26 to 27 of 27 contacts" as [from, to, total], or null when no table is shown. */
function shown(html: string): [number, number, number] | null {
  const m = /Showing (\d+) to (\d+) of (\d+) contacts?</.exec(html);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/** The references listed on a page, in order. */
const references = (html: string) =>
  [...html.matchAll(/href="\/contacts\/([A-Z]{3,4}-[0-9A-Z]+)"/g)].map((m) => m[1]!);

/** The cells of the row of `reference`. */
function rowOf(html: string, reference: string): string[] {
  const row = new RegExp(
    `<tr class="govuk-table__row">\\s*<td[^>]*><a class="govuk-link" href="/contacts/${reference}">[\\s\\S]*?</tr>`,
  ).exec(html);
  assert.ok(row, `a row for ${reference}`);
  return [...row[0].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) =>
    m[1]!
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

describe('the contact list page', () => {
  let t: CmsTestApp;
  let acmeApi: Api;
  let otherApi: Api;
  let resolverApi: Api;
  let acmeWeb: WebClient;
  let otherWeb: WebClient;
  let cdspWeb: WebClient;
  let acme: { shortCode: string; name: string };
  let other: { shortCode: string; name: string };
  let otherMprn: string;
  let enquiry: string;
  const acmeRefs: string[] = [];

  before(async () => {
    t = await createCmsTestApp();
    acme = await makeOrg(t.services, { type: 'shipper', name: 'Acme Gas' });
    other = await makeOrg(t.services, { type: 'shipper', name: 'Other Gas' });
    const acmeMprn = await addSite(t, { shipper_short_code: acme.shortCode });
    otherMprn = await addSite(t, { shipper_short_code: other.shortCode });
    acmeApi = (await userWithApi(t, acme.shortCode, ['cms_user'])).api;
    otherApi = (await userWithApi(t, other.shortCode, ['cms_user'])).api;
    resolverApi = (await userWithApi(t, t.cdsp.shortCode, ['cdsp_resolver'])).api;
    for (let i = 0; i < 26; i++)
      acmeRefs.push(
        (await makeContact(acmeApi, acmeMprn, { description: `Address wrong, number ${i}` })).reference,
      );
    enquiry = (
      await makeContact(acmeApi, null, {
        code: 'ENQ',
        description: 'A question about the calendar',
        fields: { subject: 'SLA calendar', enquiry_category: 'OTHER', details: 'Which holidays count?' },
      })
    ).reference;
    acmeRefs.push(enquiry);
    await makeContact(otherApi, otherMprn, {
      description: 'Theirs',
      fields: {
        house_no: '3',
        street: 'Zebra Crossing',
        town: 'Wakefield',
        postcode: 'WF1 1AA',
        amendment_reason: 'INCORRECT',
      },
    });
    acmeWeb = await webFor(t, acme.shortCode, ['cms_user']);
    otherWeb = await webFor(t, other.shortCode, ['cms_user']);
    cdspWeb = await webFor(t, t.cdsp.shortCode, ['cdsp_resolver']);
  });
  after(() => t.cleanup());

  test('a total and numbered pages, previous and next; a page that does not exist is refused', async () => {
    const first = await acmeWeb.get('/contacts');
    assert.equal(first.statusCode, 200);
    assert.deepEqual(shown(first.body), [1, 25, 27]);
    assert.match(first.body, /href="\/contacts\?page=2"/);
    assert.doesNotMatch(first.body, /Contacts before these/);
    const second = await acmeWeb.get('/contacts?page=2');
    assert.deepEqual(shown(second.body), [26, 27, 27]);
    assert.match(second.body, /href="\/contacts"[^>]*>[\s\S]*?Contacts before these/);
    assert.doesNotMatch(second.body, /More contacts/);
    const all = [...new Set([...references(first.body), ...references(second.body)])];
    assert.deepEqual(all.sort(), [...acmeRefs].sort(), 'the two pages hold every contact of Acme once');
    assert.equal((await acmeWeb.get('/contacts?page=0')).statusCode, 400);
    assert.equal((await acmeWeb.get('/contacts?page=abc')).statusCode, 400);
    // The filters stay on every page's links.
    const filtered = await acmeWeb.get('/contacts?code=ADD');
    assert.deepEqual(shown(filtered.body), [1, 25, 26]);
    assert.match(filtered.body, /href="\/contacts\?code=ADD&amp;page=2"/);
  });

  test('columns: raised date, the other party by name, the subject, the age in business days', async () => {
    const mine = (await acmeWeb.get('/contacts?code=ENQ')).body;
    const [, raised, party, subject, , , age] = rowOf(mine, enquiry);
    assert.equal(raised, '2 March 2026');
    assert.equal(party, 'CDSP service desk team');
    assert.equal(subject, 'SLA calendar', 'the form’s subject');
    assert.equal(age, '0 business days');
    const theirs = (await cdspWeb.get('/contacts?code=ENQ')).body;
    assert.equal(rowOf(theirs, enquiry)[2], `Acme Gas (${acme.shortCode})`, 'to the CDSP, the raiser');
    // A week on, five business days (the API's list, as a signed-in page's session would have ended).
    t.clock.advance(7 * 86_400_000);
    const later = (await acmeApi('GET', '/contacts?code=ENQ')).json();
    t.clock.advance(-7 * 86_400_000);
    assert.equal(later.items[0].age_business_days, 5);
    assert.equal(later.items[0].subject, 'SLA calendar');
    assert.equal(later.items[0].other_party, 'CDSP service desk team');
  });

  test('search covers the subject and the form’s answers, and never finds another organisation’s', async () => {
    assert.deepEqual(references((await acmeWeb.get('/contacts?q=calendar')).body), [enquiry]);
    assert.deepEqual(
      references((await acmeWeb.get('/contacts?q=holidays')).body),
      [enquiry],
      'a form answer',
    );
    assert.equal(shown((await acmeWeb.get('/contacts?q=Leeds')).body)?.[2], 26, 'the town of every ADD');
    assert.match((await acmeWeb.get('/contacts?q=Zebra')).body, /No contacts match these filters/);
    assert.equal(shown((await otherWeb.get('/contacts?q=Zebra')).body)?.[2], 1);
  });

  test('the CDSP filters by team, by unassigned and by what waits for it; the API counts the same', async () => {
    const team = await cdspWeb.get('/contacts?team=service_desk');
    assert.deepEqual(references(team.body), [enquiry]);
    assert.match(team.body, /<option value="service_desk" selected>CDSP service desk team<\/option>/);
    const version = (await resolverApi('GET', `/contacts/${enquiry}`)).json().version as number;
    const started = await resolverApi('POST', `/contacts/${enquiry}/actions`, {
      body: { action: 'start', version },
    });
    assert.equal(started.statusCode, 200);
    assert.equal(
      shown((await cdspWeb.get('/contacts?waiting=us&assignee=none')).body)?.[2],
      27,
      'all but one',
    );
    assert.equal(shown((await cdspWeb.get('/contacts?waiting=us')).body)?.[2], 28, 'Other Gas’s too');
    const api = (await resolverApi('GET', '/contacts?waiting=us&assignee=none&limit=1')).json();
    assert.equal(api.total, 27);
    assert.equal(api.items.length, 1);
    assert.match(
      (await acmeWeb.get('/contacts?waiting=us')).body,
      /No contacts match these filters/,
      'nothing waits for Acme',
    );
  });

  test('an answered request stays in the CDSP’s list until reviewed; the organisation asked sees what to answer', async () => {
    const open = await makeRequest(resolverApi, { to: other.shortCode, mprn: otherMprn });
    const answered = await makeRequest(
      resolverApi,
      { to: other.shortCode, mprn: otherMprn },
      { subject: 'Answered one' },
    );
    const res = await otherApi('POST', `/requests/${answered.reference}/response`, {
      body: { response: 'Done' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const cdsp = (await cdspWeb.get('/contacts/requests')).body;
    assert.match(cdsp, /Open and answered requests/);
    assert.match(cdsp, new RegExp(open.reference));
    assert.match(cdsp, new RegExp(answered.reference), 'the answered request is still in view');
    const review = (await cdspWeb.get('/contacts/requests?status=answered')).body;
    assert.match(review, /1 request<\/caption>/);
    assert.doesNotMatch(review, new RegExp(open.reference));
    const theirs = (await otherWeb.get('/contacts/requests')).body;
    assert.match(theirs, /1 request<\/caption>/);
    assert.doesNotMatch(theirs, new RegExp(answered.reference));
    assert.match(
      (await acmeWeb.get('/contacts/requests')).body,
      /There are no open requests/,
      'none to Acme',
    );
  });
});
