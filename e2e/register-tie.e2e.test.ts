/**
 * The contact tied to the register in a real Chromium (issue 10): a shipper user opens a supply point in DES,
 * follows "Raise a contact about this supply point", chooses AGG; the form shows the register's twin stream
 * indicator read-only (never typed); the contact page shows the supply point as raised and links back to DES, where
 * the contact is listed. axe (WCAG 2.2 AA) runs on every page visited and no page logs an error.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { browserSuite, signInAndEnrol, visit, watchForErrors } from './helpers.ts';
import { makeOrg, makeUser, TEST_ACTOR, TEST_PASSWORD } from '../test/support/factories.ts';
import { generateRegister, writeLoadFile } from '../src/modules/des/index.ts';

const ORGS = { shippers: ['RTA', 'RTB'], suppliers: ['RTU'], mams: ['RTM'], igts: [] };

describe('the contact tied to the register in Chromium', () => {
  // A Thursday: the register loaded for Monday 2 March is visible (D-1 is 4 March).
  const suite = browserSuite({ now: new Date('2026-03-05T10:00:00Z') });

  test('from the DES page to a raised AGG with its register value, and back', async () => {
    const shipper = await makeOrg(suite.server.services, {
      shortCode: 'RTA',
      type: 'shipper',
      name: 'Tie Shipping',
    });
    await makeOrg(suite.server.services, { shortCode: 'RTB', type: 'shipper', name: 'Other Shipping' });
    await makeOrg(suite.server.services, { type: 'cdsp', name: 'CDSP' });
    const user = await makeUser(suite.server.services, {
      orgShortCode: shipper.shortCode,
      roles: ['cms_user', 'des_user'],
      name: 'Tess Tie',
      password: TEST_PASSWORD,
    });
    const rows = [...generateRegister({ count: 40, seed: 5, orgs: ORGS, businessDate: '2026-03-02' })];
    const ours = rows.find(
      (r) => r['shipper_short_code'] === 'RTA' && r['twin_stream_site_indicator'] === 'N',
    );
    assert.ok(ours?.['mprn'], 'a non-twin-stream supply point in the shipper’s portfolio');
    const mprn = ours['mprn'];
    const path = join(suite.dir, 'register.csv');
    await writeLoadFile(path, rows);
    await suite.server.services.des.loads.load({
      path,
      businessDate: '2026-03-02',
      actor: TEST_ACTOR,
      source: 'seed',
    });

    const page = await (await suite.browser.newContext()).newPage();
    const errors = watchForErrors(page);
    await signInAndEnrol(page, suite.server, user.email, TEST_PASSWORD);

    await page.goto(`${suite.server.baseUrl}/des/supply-points/${mprn}`);
    await visit(page, new RegExp(`^MPRN ${mprn}$`));
    assert.match(
      await page.locator('main').innerText(),
      /Your organisation has no contacts about this supply point/,
    );
    await page.getByRole('link', { name: 'Raise a contact about this supply point' }).click();
    await visit(page, /What kind of contact do you want to raise\?/);
    await page.getByLabel('AGG: Twin stream challenge').check({ force: true });
    await page.getByRole('button', { name: 'Continue' }).click();
    await visit(page, /^AGG: Twin stream challenge$/);
    const register = await page.locator('#register-values').innerText();
    assert.match(register, new RegExp(mprn));
    assert.match(register, /Twin stream indicator on the register\s+N \(No\)/);
    assert.equal(await page.getByLabel('Twin stream indicator on the register').count(), 0, 'not an input');

    // The same value as the register's is refused by the rule (an error summary, axe-clean).
    await page.getByLabel('Describe what needs to be done').fill('The site has two streams.');
    await page.getByLabel('Correct twin stream indicator').selectOption('N');
    await page.getByLabel('Evidence').fill('Site survey of 1 March');
    await page.getByRole('button', { name: 'Raise contact' }).click();
    await visit(page, /^AGG: Twin stream challenge$/);
    assert.match(await page.locator('.govuk-error-summary').innerText(), /same as the one on the register/);
    await page.getByLabel('Correct twin stream indicator').selectOption('Y');
    await page.getByRole('button', { name: 'Raise contact' }).click();
    await page.waitForURL(/\/contacts\/[A-Z]+-[A-Z0-9]+\?raised=1$/);
    const reference = /\/contacts\/([A-Z]+-[A-Z0-9]+)/.exec(page.url())![1]!;
    await visit(page, new RegExp(`^Contact ${reference}$`));
    const snapshot = await page.locator('#site-snapshot').innerText();
    assert.match(snapshot, /Register as at\s+End of 4 March 2026/);
    assert.match(snapshot, /Twin stream site\s+No/);
    assert.match(snapshot, /Shipper\s+Tie Shipping \(RTA\)/);

    await page.getByRole('link', { name: `View supply point ${mprn} as the register holds it now` }).click();
    await visit(page, new RegExp(`^MPRN ${mprn}$`));
    const listed = await page.locator('#contacts-table').innerText();
    assert.match(listed, new RegExp(`${reference}\\s+Twin stream challenge\\s+Open\\s+5 March 2026`));

    // The MPRN step with an MPRN outside the portfolio: an error summary, still axe-clean.
    const theirs = rows.find((r) => r['shipper_short_code'] === 'RTB')!['mprn']!;
    await page.goto(`${suite.server.baseUrl}/contacts/new/AGG?mprn=${theirs}`);
    await visit(page, /^AGG: Twin stream challenge$/);
    assert.match(
      await page.locator('.govuk-error-summary').innerText(),
      /no supply point .* in your portfolio/,
    );
    assert.deepEqual(
      errors.filter((e) => !/^HTTP 400: \S+\/contacts\/new\/AGG$|status of 400 \(Bad Request\)/.test(e)),
      [],
    );
  });
});
