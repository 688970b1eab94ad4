/**
 * Issue 10 in a real Chromium: a CDSP administrator appoints a Meter Reading Agency for an LDZ through the
 * appointments pages; a shipper raises a Must Read Request (MUR) on a supply point of that LDZ; the appointed MRA's
 * user finds it in its contact list. axe (WCAG 2.2 AA) on every page visited, at desktop and phone widths for the
 * appointments pages, and no page logs an error.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { browserSuite, checkA11y, signInAndEnrol, visit, watchForErrors } from './helpers.ts';
import { makeOrg, makeUser, TEST_ACTOR, TEST_PASSWORD } from '../test/support/factories.ts';
import { generateRegister, writeLoadFile } from '../src/modules/des/index.ts';

describe('appointments directory in Chromium', () => {
  const suite = browserSuite({ now: new Date('2026-03-05T10:00:00Z') });

  test('appoint an MRA for an LDZ; a shipper raises a MUR there; the MRA finds it in its list', async () => {
    const shipper = await makeOrg(suite.server.services, {
      shortCode: 'APA',
      type: 'shipper',
      name: 'Apex Shipping',
    });
    const cdsp = await makeOrg(suite.server.services, { type: 'cdsp', name: 'CDSP' });
    await makeOrg(suite.server.services, { shortCode: 'RDX', type: 'mra', name: 'Readex Meter Reading' });
    const admin = await makeUser(suite.server.services, {
      orgShortCode: cdsp.shortCode,
      roles: ['cdsp_admin'],
      name: 'Ada Admin',
      password: TEST_PASSWORD,
    });
    const shipperUser = await makeUser(suite.server.services, {
      orgShortCode: shipper.shortCode,
      roles: ['cms_user'],
      name: 'Sam Shipper',
      password: TEST_PASSWORD,
    });
    const mraUser = await makeUser(suite.server.services, {
      orgShortCode: 'RDX',
      roles: ['cms_user'],
      name: 'Rex Reader',
      password: TEST_PASSWORD,
    });
    const rows = [
      ...generateRegister({
        count: 40,
        seed: 5,
        orgs: { shippers: ['APA'], suppliers: ['APU'], mams: ['APM'], igts: [] },
        businessDate: '2026-03-02',
      }),
    ];
    const path = join(suite.dir, 'register.csv');
    await writeLoadFile(path, rows);
    await suite.server.services.des.loads.load({
      path,
      businessDate: '2026-03-02',
      actor: TEST_ACTOR,
      source: 'seed',
    });
    const site = rows.find((r) => r['shipper_short_code'] === 'APA')!;
    const mprn = site['mprn']!;
    const ldz = site['ldz_id']!;

    // The administrator appoints the MRA for the site's LDZ (a refused form first: errors, still axe-clean).
    const ap = await (await suite.browser.newContext()).newPage();
    const adminErrors = watchForErrors(ap);
    await signInAndEnrol(ap, suite.server, admin.email, TEST_PASSWORD);
    await ap.goto(`${suite.server.baseUrl}/des/appointments`);
    await visit(ap, /^Appointments directory$/);
    await ap.getByRole('link', { name: 'Add an appointment' }).click();
    await visit(ap, /^Add an appointment$/);
    await ap.getByRole('button', { name: 'Add appointment' }).click();
    await visit(ap, /^Add an appointment$/);
    assert.match(await ap.locator('.govuk-error-summary').innerText(), /Choose the organisation to appoint/);
    await ap.getByLabel('Meter Reading Agency').check();
    await ap.getByLabel('Organisation to appoint').selectOption('RDX');
    await ap.getByLabel('Every supply point in an LDZ', { exact: true }).check();
    await ap.locator('select#ldz').selectOption(ldz);
    await ap.locator('#effective_from-day').fill('1');
    await ap.locator('#effective_from-month').fill('3');
    await ap.locator('#effective_from-year').fill('2026');
    await ap.getByRole('button', { name: 'Add appointment' }).click();
    await visit(ap, /^Appointments directory$/);
    assert.match(
      await ap.locator('.govuk-notification-banner').innerText(),
      /The appointment has been added/,
    );
    const listed = await ap.locator('table').innerText();
    assert.match(listed, /Meter Reading Agency/);
    assert.match(listed, /Readex Meter Reading \(RDX\)/);
    assert.match(listed, /1 March 2026/);
    // At phone width the page still fits: the table scrolls inside its own box.
    await ap.setViewportSize({ width: 390, height: 800 });
    await checkA11y(ap);
    assert.equal(await ap.evaluate(() => document.documentElement.scrollWidth), 390);
    // The form submitted with errors answers 400 by design (re-rendered with an error summary); nothing else failed.
    const expected400 = (e: string) =>
      /^HTTP 400: \S+\/des\/appointments\/new$|status of 400 \(Bad Request\)/.test(e);
    assert.equal(adminErrors.filter(expected400).length, 2, adminErrors.join('\n'));
    assert.deepEqual(
      adminErrors.filter((e) => !expected400(e)),
      [],
    );

    // The shipper raises a MUR on its supply point: it is routed to the appointed MRA.
    const sp = await (await suite.browser.newContext()).newPage();
    const shipperErrors = watchForErrors(sp);
    await signInAndEnrol(sp, suite.server, shipperUser.email, TEST_PASSWORD);
    await sp.goto(`${suite.server.baseUrl}/contacts/new/MUR`);
    await visit(sp, /^MUR: Must Read Request$/);
    await sp.getByLabel('MPRN').fill(mprn);
    await sp.locator('textarea[name="description"]').fill('No valid read for six months.');
    await sp.locator('select[name="fields.read_reason"]').selectOption({ index: 1 });
    await sp.locator('[name="fields.required_by_date"]').fill('2026-03-20');
    await sp.getByRole('button', { name: 'Raise contact' }).click();
    await sp.waitForURL(/\/contacts\/MUR-[A-Z0-9]+\?raised=1$/);
    const reference = /\/contacts\/(MUR-[A-Z0-9]+)/.exec(sp.url())![1]!;
    await visit(sp, new RegExp(`^Contact ${reference}$`));
    assert.match(await sp.locator('main').innerText(), /Readex Meter Reading/);
    assert.deepEqual(shipperErrors, []);

    // The MRA's user finds it in its list and opens it.
    const mp = await (await suite.browser.newContext()).newPage();
    const mraErrors = watchForErrors(mp);
    await signInAndEnrol(mp, suite.server, mraUser.email, TEST_PASSWORD);
    await mp.goto(`${suite.server.baseUrl}/contacts`);
    await visit(mp, /^Contacts$/);
    await mp.getByRole('link', { name: reference, exact: true }).click();
    await visit(mp, new RegExp(`^Contact ${reference}$`));
    assert.deepEqual(mraErrors, []);
  });
});
