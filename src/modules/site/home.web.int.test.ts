/**
 * The signed-in home page (issue 12): each role's counts, each a link to a list showing exactly the counted items
 * (the count equals the list's total), and never another organisation's contacts or requests in any count.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeOrg, makeUser, TEST_PASSWORD } from '../../../test/support/factories.ts';
import { makeContact, makeRequest } from '../../../test/support/factories/cms.ts';
import { mayRaise } from '../cms/index.ts';
import { signInAndEnrol, type WebClient } from '../../../test/support/web-client.ts';
import {
  addSite,
  createCmsTestApp,
  userWithApi,
  type Api,
  type CmsTestApp,
} from '../../../test/support/cms.ts';

const DAY_MS = 86_400_000;

/** The counts of the home page: [label, number, href], in page order. */
function countsOf(html: string): [string, number, string][] {
  const re =
    /<a class="[^"]*cdsp-counts__link" href="([^"]+)"><span class="cdsp-counts__number">(\d+)<\/span> <span class="cdsp-counts__label">([^<]+)<\/span><\/a>/g;
  return [...html.matchAll(re)].map((m) => [m[3]!, Number(m[2]), m[1]!.replace(/&amp;/g, '&')]);
}

/** The total a list page shows: contacts ("1 to 25 of 312 contacts"), requests, or users. */
function listTotal(html: string): number {
  const contacts = /Showing \d+ to \d+ of (\d+) contacts?</.exec(html);
  if (contacts) return Number(contacts[1]);
  if (/No contacts match these filters/.test(html)) return 0;
  const requests = /(?:The newest \d+ of )?(\d+) requests?<\/caption>/.exec(html);
  if (requests) return Number(requests[1]);
  if (/There are no [a-z ]*requests/.test(html)) return 0;
  const users = /id="users-count">(\d+) users?</.exec(html);
  if (users) return Number(users[1]);
  throw new Error(`no total on the page: ${html.slice(0, 500)}`);
}

/** The page's main content (what a person reads; the CSRF token and navigation are not part of it). */
const mainOf = (html: string) => /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? '';

async function web(
  t: CmsTestApp,
  orgShortCode: string,
  roles: string[],
  password: string | null = TEST_PASSWORD,
) {
  const user = await makeUser(t.services, { orgShortCode, roles, password });
  return {
    user,
    client: password ? (await signInAndEnrol(t.app, t.clock, user.email, password)).client : null,
  };
}

describe('the home page per role', () => {
  let t: CmsTestApp;
  let acme: { id: string; shortCode: string; name: string };
  let other: { id: string; shortCode: string; name: string };
  let acmeSupervisor: WebClient;
  let acmeUser: WebClient;
  let otherSupervisor: WebClient;
  let resolverWeb: WebClient;
  let supervisorWeb: WebClient;
  let lsoWeb: WebClient;
  let desWeb: WebClient;
  let acmeApi: Api;
  let otherApi: Api;
  let resolverApi: Api;
  let acmeMprn: string;
  let otherMprn: string;
  const refs: { acme: string[]; other: string[] } = { acme: [], other: [] };

  const act = async (api: Api, reference: string, body: Record<string, unknown>) => {
    const version = (await api('GET', `/contacts/${reference}`)).json().version as number;
    const res = await api('POST', `/contacts/${reference}/actions`, { body: { ...body, version } });
    assert.equal(res.statusCode, 200, res.body);
  };

  /** Every count on `client`'s home page equals the total of the list it links to, opened by the same user. */
  async function countsMatchLists(client: WebClient): Promise<[string, number, string][]> {
    const home = await client.get('/');
    assert.equal(home.statusCode, 200);
    const counts = countsOf(home.body);
    assert.ok(counts.length > 0, 'the home page shows counts');
    for (const [label, n, href] of counts) {
      const list = await client.get(href);
      assert.equal(list.statusCode, 200, `${label}: ${href}`);
      assert.equal(listTotal(list.body), n, `${label} (${href}) shows the same number as the home page`);
    }
    return counts;
  }

  const count = (counts: [string, number, string][], label: string) => {
    const c = counts.find(([l]) => l === label);
    assert.ok(c, `a count "${label}" (have: ${counts.map(([l]) => l).join(', ')})`);
    return c[1];
  };

  before(async () => {
    t = await createCmsTestApp();
    acme = await makeOrg(t.services, { type: 'shipper', name: 'Acme Gas' });
    other = await makeOrg(t.services, { type: 'shipper', name: 'Other Gas' });
    acmeMprn = await addSite(t, { shipper_short_code: acme.shortCode });
    otherMprn = await addSite(t, { shipper_short_code: other.shortCode });
    acmeApi = (await userWithApi(t, acme.shortCode, ['cms_user'])).api;
    otherApi = (await userWithApi(t, other.shortCode, ['cms_user'])).api;
    resolverApi = (await userWithApi(t, t.cdsp.shortCode, ['cdsp_resolver'])).api;

    // Acme: two contacts raised now (due in 10 business days), then, 20 days on, two more; the first two are then
    // overdue. The CDSP asks Acme about one of the new ones (waiting for Acme). Other Gas: one of each.
    for (const batch of ['First batch', 'Second batch']) {
      if (batch === 'Second batch') t.clock.advance(20 * DAY_MS);
      for (const [api, mprn, list] of [
        [acmeApi, acmeMprn, refs.acme],
        [acmeApi, acmeMprn, refs.acme],
        [otherApi, otherMprn, refs.other],
      ] as const)
        list.push((await makeContact(api, mprn, { description: batch })).reference);
    }
    await act(resolverApi, refs.acme[2]!, { action: 'start' });
    await act(resolverApi, refs.acme[2]!, { action: 'request_information', note: 'Which flat?' });
    await makeRequest(resolverApi, { to: acme.shortCode, mprn: acmeMprn });
    // One user locked out (ten wrong passwords, each after the throttle's wait); one not yet signed up.
    const locked = await makeUser(t.services, {
      orgShortCode: acme.shortCode,
      roles: ['cms_user'],
      password: TEST_PASSWORD,
    });
    for (let i = 0; i < 10; i++) {
      t.clock.advance(65_000);
      await t.services.auth.signInWithPassword(locked.email, 'not the password', {
        userAgent: null,
        previousToken: null,
      });
    }
    await makeUser(t.services, { orgShortCode: acme.shortCode, roles: ['des_user'], password: null });
    // Signed in after the clock moved (a session ends when idle).
    acmeSupervisor = (await web(t, acme.shortCode, ['cms_supervisor', 'des_user'])).client!;
    acmeUser = (await web(t, acme.shortCode, ['cms_user'])).client!;
    otherSupervisor = (await web(t, other.shortCode, ['cms_supervisor'])).client!;
    resolverWeb = (await web(t, t.cdsp.shortCode, ['cdsp_resolver'])).client!;
    supervisorWeb = (await web(t, t.cdsp.shortCode, ['cdsp_supervisor'])).client!;
    desWeb = (await web(t, acme.shortCode, ['des_user'])).client!;
    lsoWeb = (await web(t, acme.shortCode, ['lso'])).client!;
  });
  after(() => t.cleanup());

  test('signed out, / is the start page; signed in, it is the home page', async () => {
    const start = await t.app.inject('/');
    assert.equal(start.statusCode, 200);
    assert.match(start.body, /Sign in/);
    assert.doesNotMatch(start.body, /Your work today/);
    const home = await acmeSupervisor.get('/');
    assert.match(home.body, /Your work today/);
    assert.match(home.body, /Acme Gas/);
  });

  test('a customer supervisor: each count is its list, with the numbers of its own organisation only', async () => {
    const counts = await countsMatchLists(acmeSupervisor);
    assert.equal(count(counts, 'Waiting for your organisation'), 1, 'the contact awaiting Acme’s answer');
    assert.equal(count(counts, 'Waiting and not assigned to anyone'), 1);
    assert.equal(count(counts, 'Waiting for you'), 0);
    assert.equal(count(counts, 'Overdue'), 2, 'Acme’s first two contacts (not Other Gas’s)');
    assert.equal(count(counts, 'Requests to answer'), 1);
    const home = (await acmeSupervisor.get('/')).body;
    assert.match(home, /Supply points in your portfolio on/, 'a DES user also sees the DES panel');
  });

  test('a customer user sees what is waiting for them and the contacts they raised', async () => {
    const counts = await countsMatchLists(acmeUser);
    assert.equal(count(counts, 'Waiting for you'), 0);
    assert.ok(!counts.some(([l]) => l === 'Waiting and not assigned to anyone'), 'only supervisors assign');
    const home = (await acmeUser.get('/')).body;
    assert.match(home, /You have not raised any contacts yet/);
  });

  test('a CDSP resolver and supervisor see the queue, its ageing by team and the answered requests', async () => {
    const resolver = await countsMatchLists(resolverWeb);
    assert.equal(count(resolver, 'Waiting for the CDSP'), 5, 'every open contact but the one awaiting Acme');
    assert.equal(count(resolver, 'Waiting and not assigned to anyone'), 5);
    assert.equal(count(resolver, 'Overdue'), 3);
    assert.equal(count(resolver, 'Answered requests to review'), 0);
    const supervisor = await countsMatchLists(supervisorWeb);
    assert.equal(count(supervisor, 'Waiting for the CDSP'), 5);
    const home = (await supervisorWeb.get('/')).body;
    assert.match(home, /Queue by team/);
    assert.match(home, /CDSP address team/);
  });

  test('a DES user sees a search box, the size of the portfolio and their recent look-ups', async () => {
    const home = (await desWeb.get('/')).body;
    assert.match(home, /<form method="get" action="\/des"/);
    assert.match(
      home,
      /Supply points in your portfolio on [^<]*<\/dt><dd class="govuk-summary-list__value">1</,
    );
    assert.match(home, /You have not looked up any supply points yet/);
    assert.equal((await desWeb.get(`/des/supply-points/${acmeMprn}`)).statusCode, 200);
    const after = (await desWeb.get('/')).body;
    assert.match(after, new RegExp(`href="/des/supply-points/${acmeMprn}">MPRN ${acmeMprn}<`));
    assert.doesNotMatch(after, /Contacts<\/h2>/, 'no CMS panel without CMS access');
  });

  test('an LSO sees the users awaiting them, each count the users list filtered the same way', async () => {
    const counts = await countsMatchLists(lsoWeb);
    assert.equal(count(counts, 'Locked out'), 1);
    // The API user made without a password, and the one invited above.
    assert.equal(count(counts, 'Invitation not yet accepted'), 2);
  });

  test('"Raise a contact" is offered only while the organisation may raise at least one code', async () => {
    // A meter reading agency (CMS access) raises some codes; a CDSP admin withdraws it from each of them. This
    // changes the catalogue for meter reading agencies only; no other test here has one.
    const mra = await makeOrg(t.services, { type: 'mra', name: 'Readers Ltd' });
    const mraUser = (await web(t, mra.shortCode, ['cms_user'])).client!;
    const offered = async () =>
      Promise.all(
        ['/', '/contacts'].map(async (path) =>
          /Raise a contact/.test(mainOf((await mraUser.get(path)).body)),
        ),
      );
    const theirs = (await t.services.cms.catalogue.list()).filter((c) => mayRaise(c, 'mra'));
    assert.ok(theirs.length > 0, 'the catalogue lets a meter reading agency raise a code');
    assert.deepEqual(await offered(), [true, true], 'offered on the home page and the contacts list');
    const admin = (await userWithApi(t, t.cdsp.shortCode, ['cdsp_admin'])).api;
    for (const c of theirs) {
      const res = await admin('PATCH', `/contact-codes/${c.code}`, {
        body: { raised_by: c.raised_by.filter((x) => x !== 'mra'), version: c.version },
      });
      assert.equal(res.statusCode, 200, res.body);
    }
    assert.deepEqual(await offered(), [false, false], 'offered nowhere once it may raise no code');
    assert.match(
      mainOf((await acmeUser.get('/contacts')).body),
      /Raise a contact/,
      'a shipper is still offered it',
    );
  });

  test('another organisation’s contacts and requests never reach a home page', async () => {
    const before = mainOf((await acmeSupervisor.get('/')).body);
    const otherBefore = countsOf((await otherSupervisor.get('/')).body);
    // Other Gas gets a contact waiting for it, one assigned, a request to answer, and one answered.
    await act(resolverApi, refs.other[1]!, { action: 'start' });
    await act(resolverApi, refs.other[1]!, { action: 'request_information', note: 'Which meter?' });
    await makeRequest(resolverApi, { to: other.shortCode, mprn: otherMprn });
    const answered = await makeRequest(resolverApi, { to: other.shortCode, mprn: otherMprn });
    const res = await otherApi('POST', `/requests/${answered.reference}/response`, {
      body: { response: 'Done' },
    });
    assert.equal(res.statusCode, 200, res.body);
    await makeContact(otherApi, otherMprn, { description: 'Third batch' });

    assert.equal(mainOf((await acmeSupervisor.get('/')).body), before, 'Acme’s home page is unchanged');
    const otherAfter = await countsMatchLists(otherSupervisor);
    assert.equal(
      count(otherAfter, 'Waiting for your organisation'),
      count(otherBefore, 'Waiting for your organisation') + 1,
    );
    assert.equal(count(otherAfter, 'Requests to answer'), 1);
    const cdsp = await countsMatchLists(resolverWeb);
    assert.equal(count(cdsp, 'Answered requests to review'), 1, 'the CDSP keeps answered requests in view');
  });
});
