/**
 * Issue 13 in a real Chromium: a CDSP supervisor opens the contact reports from the service navigation (charts drawn
 * as SVG with their tables, a refused period with its error summary) and the portfolio change report; a DES user
 * is offered the portfolio changes but not the contact reports. axe (WCAG 2.2 AA) on every page visited, and no page
 * logs an error.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite, signInAndEnrol, visit, watchForErrors } from './helpers.ts';
import { actorFor, makeOrg, makeUser, TEST_PASSWORD } from '../test/support/factories.ts';

describe('reports in Chromium', () => {
  const suite = browserSuite({ now: new Date('2026-03-05T10:00:00Z') });

  test('a CDSP supervisor reads the contact reports and the portfolio changes; a DES user only the latter', async () => {
    const s = suite.server.services;
    const cdsp = await makeOrg(s, { type: 'cdsp', name: 'CDSP' });
    const shipper = await makeOrg(s, { type: 'shipper', name: 'Apex Shipping' });
    const raiser = await makeUser(s, { orgShortCode: shipper.shortCode, roles: ['cms_user'] });
    const actor = await actorFor(s, raiser.email);
    for (const subject of ['Portal access', 'A question', 'Another question']) {
      await s.cms.contacts.raise(actor, {
        code: 'ENQ',
        description: subject,
        fields: { subject, enquiry_category: 'OTHER', details: 'Please help' },
      });
    }
    const supervisor = await makeUser(s, {
      orgShortCode: cdsp.shortCode,
      roles: ['cdsp_supervisor'],
      password: TEST_PASSWORD,
    });
    const desUser = await makeUser(s, {
      orgShortCode: shipper.shortCode,
      roles: ['des_user'],
      password: TEST_PASSWORD,
    });

    const page = await (await suite.browser.newContext()).newPage();
    const errors = watchForErrors(page);
    await signInAndEnrol(page, suite.server, supervisor.email, TEST_PASSWORD);
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await visit(page, /^Contact reports$/);
    assert.equal(await page.locator('svg[role="img"]').count(), 4);
    assert.match(
      (await page.locator('#chart-raised title').textContent()) ?? '',
      /Contacts raised, by contact code/,
    );
    assert.match(await page.locator('#figures').innerText(), /ENQ: General enquiry|ENQ/);
    await page.getByLabel('Group by').selectOption('month');
    await page.getByRole('button', { name: 'Show the report' }).click();
    await visit(page, /^Contact reports$/);
    assert.match(await page.locator('#figures').innerText(), /March 2026\s+3/);
    const from = page.getByRole('group', { name: 'From' });
    assert.notEqual(await from.getByLabel('Day').inputValue(), '', 'the period shown in the date boxes');
    await from.getByLabel('Day').fill('31');
    await from.getByLabel('Month').fill('3');
    await from.getByLabel('Year').fill('2026');
    await page.getByRole('button', { name: 'Show the report' }).click();
    await visit(page, /^Contact reports$/);
    assert.match(await page.locator('.govuk-error-summary').innerText(), /on or after its start/);
    assert.equal(await from.getByLabel('Day').inputValue(), '31', 'what was typed is kept');
    // The refused form is answered 400 on purpose (the browser logs it); nothing else may fail.

    await page.getByRole('link', { name: 'Portfolio changes' }).click();
    await visit(page, /^Portfolio changes$/);
    assert.deepEqual(
      errors.filter((e) => !/status of 400|HTTP 400: .*\/reports\?/.test(e)),
      [],
    );
    assert.equal(errors.length, 2, errors.join('\n'));

    const des = await (await suite.browser.newContext()).newPage();
    const desErrors = watchForErrors(des);
    await signInAndEnrol(des, suite.server, desUser.email, TEST_PASSWORD);
    assert.equal(await des.getByRole('link', { name: 'Reports', exact: true }).count(), 0);
    await des.getByRole('link', { name: 'Portfolio changes' }).click();
    await visit(des, /^Portfolio changes$/);
    assert.deepEqual(desErrors, []);
  });
});
