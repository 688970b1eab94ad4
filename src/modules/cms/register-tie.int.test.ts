/**
 * The contact tied to the register (issue 10), on the real register (sites loaded through the DES load path):
 * - "current value" fields are the register's for the MPRN (as at D-1): filled in when left out, a differing value
 *   refused with 400; the raise form shows them read-only after an MPRN step;
 * - the contact page shows the supply point as it stood when raised, and links to its DES page only for a user who
 *   may open it there (never a link that answers 404);
 * - the DES supply point page lists the contacts on the MPRN the viewer may see (never another organisation's) and
 *   offers "Raise a contact about this supply point" only to users who may raise one.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeOrg } from '../../../test/support/factories.ts';
import type { WebClient } from '../../../test/support/web-client.ts';
import {
  ADD_FIELDS,
  addSite,
  apiFor,
  cmsAppPerSuite,
  formValues,
  webFor,
  type Api,
} from '../../../test/support/cms.ts';
import { makeContact } from '../../../test/support/factories/cms.ts';
import { makeLoad, makeSupplyPoints } from '../../../test/support/factories/des.ts';

const AGG = (fields: Record<string, unknown>) => ({
  code: 'AGG',
  description: 'The site is not twin stream',
  fields: { proposed_twin_stream_indicator: 'N', details: 'Site survey', ...fields },
});

describe('the contact tied to the register', () => {
  const t = cmsAppPerSuite();
  let shipper: { id: string; shortCode: string };
  let gt: { id: string; shortCode: string };
  let shipperApi: Api;
  let gtApi: Api;
  /** Shipper users: CMS and DES; CMS only; DES only. A GT user (CMS and DES). A CDSP resolver. */
  let both: WebClient;
  let cmsOnly: WebClient;
  let desOnly: WebClient;
  let gtWeb: WebClient;
  let resolverWeb: WebClient;
  let mprn: string;
  let otherMprn: string;

  const web = (orgShortCode: string, roles: string[]) => webFor(t, orgShortCode, roles);

  before(async () => {
    shipper = await makeOrg(t.services, { type: 'shipper' });
    gt = await makeOrg(t.services, { type: 'gt', networkName: 'Tie Networks' });
    const other = await makeOrg(t.services, { type: 'shipper' });
    shipperApi = await apiFor(t, shipper.shortCode, ['cms_user']);
    gtApi = await apiFor(t, gt.shortCode, ['cms_user']);
    both = await web(shipper.shortCode, ['cms_user', 'des_user']);
    cmsOnly = await web(shipper.shortCode, ['cms_user']);
    desOnly = await web(shipper.shortCode, ['des_user']);
    gtWeb = await web(gt.shortCode, ['cms_user', 'des_user']);
    resolverWeb = await web(t.cdsp.shortCode, ['cdsp_resolver']);
    mprn = await addSite(t, {
      shipper_short_code: shipper.shortCode,
      network_name: 'Tie Networks',
      twin_stream_site_indicator: 'Y',
    });
    otherMprn = await addSite(t, { shipper_short_code: other.shortCode, twin_stream_site_indicator: 'N' });
  });

  // ------------------------------------------------------------------------------ current values (API)
  test('AGG: the current twin stream indicator is filled in from the register when left out', async () => {
    const c = await makeContact(shipperApi, mprn, AGG({}));
    const got = await shipperApi('GET', `/contacts/${c.reference}`);
    const body = got.json();
    assert.equal(body.fields.current_twin_stream_indicator, 'Y', 'the loaded register says Y');
    assert.equal(body.site.twin_stream_site_indicator, 'Y');
    assert.equal(body.site.as_at, '2026-03-01', 'as at D-1 of the raise date');
  });

  test('AGG: a current value that differs from the register is refused with 400 and nothing is raised', async () => {
    const before = (await shipperApi('GET', `/contacts?mprn=${mprn}&limit=200`)).json().items.length;
    const res = await shipperApi('POST', '/contacts', {
      body: { mprn, ...AGG({ current_twin_stream_indicator: 'N' }) },
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.match(String(res.headers['content-type']), /problem\+json/);
    const err = res
      .json()
      .errors.find((e: { field: string }) => e.field === 'fields.current_twin_stream_indicator');
    assert.ok(err, res.body);
    assert.match(err.message, /taken from the register, where it is Y \(Yes\) as at 1 March 2026, not N/);
    const after = (await shipperApi('GET', `/contacts?mprn=${mprn}&limit=200`)).json().items.length;
    assert.equal(after, before, 'nothing raised');
    // The register's own value, sent, is accepted (the API and the web agree on the stored value).
    const same = await shipperApi('POST', '/contacts', {
      body: { mprn, ...AGG({ current_twin_stream_indicator: 'y' }) },
    });
    assert.equal(same.statusCode, 201, same.body);
    assert.equal(same.json().fields.current_twin_stream_indicator, 'Y');
  });

  test('the catalogue API documents the current-value fields (source and rule)', async () => {
    const res = await shipperApi('GET', '/contact-codes/AGG');
    assert.equal(res.statusCode, 200, res.body);
    const f = res.json().fields.find((x: { name: string }) => x.name === 'current_twin_stream_indicator');
    assert.equal(f.from_register, 'twin_stream_site_indicator');
    assert.match(f.hint, /a value that differs from the register's is refused \(400\)/);
  });

  test('AGG: the rule "the correct indicator differs from the register" runs on the register value', async () => {
    const res = await shipperApi('POST', '/contacts', {
      body: { mprn, ...AGG({ proposed_twin_stream_indicator: 'Y' }) },
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /same as the one on the register/);
  });

  test('ADD: the current address comes from the register; a different one is refused', async () => {
    const c = await makeContact(shipperApi, mprn, { fields: ADD_FIELDS });
    const body = (await shipperApi('GET', `/contacts/${c.reference}`)).json();
    assert.ok(body.site.address, 'the loaded site has an address');
    assert.equal(body.fields.current_address, body.site.address);
    const bad = await shipperApi('POST', '/contacts', {
      body: {
        code: 'ADD',
        mprn,
        description: 'Wrong address',
        fields: { ...ADD_FIELDS, current_address: '1 Nowhere Lane, Atlantis' },
      },
    });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(bad.body, /Address on the register is taken from the register/);
  });

  test('outside the portfolio the register values are never shown, and the raise says only "not in your portfolio"', async () => {
    const res = await shipperApi('POST', '/contacts', { body: { mprn: otherMprn, ...AGG({}) } });
    assert.equal(res.statusCode, 400);
    const errors = res.json().errors as { field: string; message: string }[];
    assert.deepEqual(
      errors.map((e) => e.field),
      ['mprn'],
      'one MPRN error, no "required" error for a value the raiser never types',
    );
    assert.doesNotMatch(res.body, /\bN \(No\)/);
  });

  // ------------------------------------------------------------------------------ the raise form
  test('the raise form asks for the MPRN first, then shows the register values read-only and raises', async () => {
    const step = await both.get('/contacts/new/AGG');
    assert.equal(step.statusCode, 200);
    assert.match(step.body, /<form method="get" action="\/contacts\/new\/AGG"/);
    assert.doesNotMatch(step.body, /name="fields\./, 'no contact fields before the MPRN');

    const notMine = await both.get(`/contacts/new/AGG?mprn=${otherMprn}`);
    assert.match(notMine.body, new RegExp(`There is no supply point ${otherMprn} in your portfolio`));
    assert.match(notMine.body, /govuk-error-summary/);
    assert.doesNotMatch(
      notMine.body,
      /No \(N\)|N \(No\)/,
      'another organisation’s register value is never shown',
    );
    // Another organisation's supply point answers exactly like one that does not exist.
    const missing = '9999999999';
    const none = await both.get(`/contacts/new/AGG?mprn=${missing}`);
    const strip = (html: string, m: string) =>
      html
        .replaceAll(m, 'MPRN')
        .replace(/name="_csrf" value="[^"]*"/g, '')
        .replace(/nonce="[^"]*"/g, '');
    assert.equal(none.statusCode, notMine.statusCode);
    assert.equal(strip(none.body, missing), strip(notMine.body, otherMprn));

    const form = await both.get(`/contacts/new/AGG?mprn=${mprn}`);
    assert.equal(form.statusCode, 200);
    assert.doesNotMatch(form.body, /name="fields\.current_twin_stream_indicator"/, 'never typed');
    assert.match(form.body, /Twin stream indicator on the register<\/dt>\s*<dd[^>]*>Y \(Yes\)/);
    assert.match(form.body, /end of 1 March 2026/);
    const values = formValues(form.body);
    assert.equal(values['mprn'], mprn, 'the MPRN goes with the form');
    const res = await both.post(
      '/contacts/new/AGG',
      {
        ...values,
        description: 'Not twin stream',
        'fields.proposed_twin_stream_indicator': 'N',
        'fields.details': 'Survey',
      },
      `/contacts/new/AGG?mprn=${mprn}`,
    );
    assert.equal(res.statusCode, 303, res.body.slice(0, 2000));
    const reference = /\/contacts\/([A-Z0-9-]+)\?raised=1/.exec(String(res.headers.location))?.[1];
    assert.ok(reference);
    const raised = (await shipperApi('GET', `/contacts/${reference}`)).json();
    assert.equal(raised.fields.current_twin_stream_indicator, 'Y', 'the web raise stored the register value');
  });

  test('the choose page carries the MPRN on to the code’s form', async () => {
    const choose = await both.get(`/contacts/new?mprn=${mprn}`);
    assert.equal(choose.statusCode, 200);
    assert.match(choose.body, new RegExp(`name="mprn" value="${mprn}"`));
    const next = await both.post('/contacts/new', { code: 'AGG', mprn }, `/contacts/new?mprn=${mprn}`);
    assert.equal(next.statusCode, 303);
    assert.equal(next.headers.location, `/contacts/new/AGG?mprn=${mprn}`);
  });

  // ------------------------------------------------------------------------------ the contact page
  test('the contact page shows the supply point as raised, and the DES link only to those who may open it', async () => {
    const c = await makeContact(shipperApi, mprn, AGG({}));
    const href = `/des/supply-points/${mprn}`;
    const mine = await both.get(`/contacts/${c.reference}`);
    assert.equal(mine.statusCode, 200);
    assert.match(mine.body, /Supply point when raised/);
    assert.match(mine.body, /Twin stream site\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*Yes/);
    assert.match(mine.body, /Meter point status\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*Live/);
    assert.match(mine.body, /End of 1 March 2026/);
    // The contact's own fields by their catalogue labels and meanings, not codes.
    assert.match(
      mine.body,
      /Twin stream indicator on the register\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*Yes/,
    );
    assert.match(
      mine.body,
      /Correct twin stream indicator\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*No/,
    );
    assert.match(mine.body, new RegExp(`${shipper.shortCode}\\)`), 'the shipper by name and short code');
    assert.ok(
      mine.body.includes(`href="${href}"`),
      'a CMS and DES user of the holding shipper gets the link',
    );
    assert.equal((await both.get(href)).statusCode, 200, 'and the link works');

    const noDes = await cmsOnly.get(`/contacts/${c.reference}`);
    assert.equal(noDes.statusCode, 200);
    assert.match(noDes.body, /Supply point when raised/);
    assert.ok(!noDes.body.includes(`href="${href}"`), 'no DES permission: no link');
    assert.notEqual(
      (await cmsOnly.get(href)).statusCode,
      200,
      'the page it would have linked to is not theirs',
    );

    const cdsp = await resolverWeb.get(`/contacts/${c.reference}`);
    assert.ok(cdsp.body.includes(`href="${href}"`), 'the CDSP resolver sees every supply point in DES');
  });

  test('the DES link is not offered where DES would answer 404 (the site moved out of the viewer’s sight)', async () => {
    // The GT raises an ADD on a site of its network; a later load moves the site to another network. The GT's
    // contact page then must not link to a DES page that would answer 404 for it; the CDSP's still links.
    const moved = await addSite(t, { shipper_short_code: shipper.shortCode, network_name: 'Tie Networks' });
    const c = await makeContact(gtApi, moved, { fields: ADD_FIELDS });
    const href = `href="/des/supply-points/${moved}"`;
    assert.ok((await gtWeb.get(`/contacts/${c.reference}`)).body.includes(href), 'visible today: linked');
    const [row] = makeSupplyPoints(1, {
      with: () => ({ mprn: moved, shipper_short_code: shipper.shortCode, network_name: 'Elsewhere Gas' }),
    });
    await makeLoad(t.services, [row!], { businessDate: '2026-02-28' });
    assert.equal(
      (await gtWeb.get(`/des/supply-points/${moved}`)).statusCode,
      404,
      'no longer the GT’s network',
    );
    const after = await gtWeb.get(`/contacts/${c.reference}`);
    assert.equal(after.statusCode, 200);
    assert.match(after.body, /Supply point when raised/, 'the snapshot stays as it was raised');
    assert.ok(!after.body.includes(href), 'no link that would answer 404');
    assert.ok(
      (await resolverWeb.get(`/contacts/${c.reference}`)).body.includes(href),
      'the CDSP still sees it',
    );
    assert.notEqual((await desOnly.get(`/contacts/${c.reference}`)).statusCode, 200, 'no CMS permission');
  });

  // ------------------------------------------------------------------------------ the DES supply point page
  test('the DES page lists only the viewer’s visible contacts on the MPRN (cross-organisation)', async () => {
    const mine = await makeContact(shipperApi, mprn, AGG({}));
    const theirs = await makeContact(gtApi, mprn, { fields: ADD_FIELDS });
    const page = await both.get(`/des/supply-points/${mprn}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Contacts about this supply point/);
    assert.ok(page.body.includes(`href="/contacts/${mine.reference}"`), 'its own contact is listed');
    assert.ok(
      !page.body.includes(theirs.reference),
      'another organisation’s contact on the same MPRN is never listed',
    );
    assert.match(page.body, /Twin stream challenge/, 'the code by its name');
    assert.match(page.body, /<td class="govuk-table__cell">Open<\/td>/, 'the status by its label');
    assert.match(page.body, /<td class="govuk-table__cell">2 March 2026<\/td>/, 'the raised date in words');

    const gtPage = await gtWeb.get(`/des/supply-points/${mprn}`);
    assert.equal(gtPage.statusCode, 200);
    assert.ok(gtPage.body.includes(`href="/contacts/${theirs.reference}"`));
    assert.ok(!gtPage.body.includes(mine.reference), 'and the other way round');

    const cdsp = await resolverWeb.get(`/des/supply-points/${mprn}`);
    assert.ok(
      cdsp.body.includes(mine.reference) && cdsp.body.includes(theirs.reference),
      'the resolver sees both',
    );
  });

  test('"Raise a contact about this supply point" only for users who may raise contacts', async () => {
    const link = `href="/contacts/new?mprn=${mprn}"`;
    assert.ok((await both.get(`/des/supply-points/${mprn}`)).body.includes(link));
    const desPage = await desOnly.get(`/des/supply-points/${mprn}`);
    assert.equal(desPage.statusCode, 200);
    assert.ok(!desPage.body.includes(link), 'no cms:raise: not offered');
    assert.doesNotMatch(
      desPage.body,
      /Contacts about this supply point/,
      'no CMS access: no contacts section',
    );
    const cdsp = await resolverWeb.get(`/des/supply-points/${mprn}`);
    assert.ok(!cdsp.body.includes(link), 'a resolver without cms:raise is not offered it');
    // The link leads somewhere that works: the choose page with the MPRN carried on.
    const choose = await both.get(`/contacts/new?mprn=${mprn}`);
    assert.equal(choose.statusCode, 200);
  });
});
