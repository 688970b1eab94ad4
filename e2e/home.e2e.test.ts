/**
 * The signed-in home page in Chromium (issue 12), at 390 px: a customer supervisor, a CDSP supervisor and an LSO
 * each land on their own counts; a count opens its list, whose total is the same number; nothing is wider than the
 * screen (tables scroll in their own box); axe finds nothing on any page.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserSuite, fitsTheScreen, signInAndEnrol, visit, watchForErrors } from './helpers.ts';
import { actorFor, makeOrg, makeUser, TEST_PASSWORD } from '../test/support/factories.ts';

const PHONE = { width: 390, height: 844 };

/** The number of the count named `label` on the home page. */
async function countOf(page: Page, label: string): Promise<number> {
  const link = page.locator('.cdsp-counts__link', { hasText: label }).first();
  return Number(await link.locator('.cdsp-counts__number').innerText());
}

describe('the home page in Chromium', () => {
  const users = { shipper: '', cdsp: '', lso: '' };
  const suite = browserSuite({
    prepare: async (server) => {
      const s = server.services;
      const cdsp = await makeOrg(s, { type: 'cdsp', name: 'CDSP' });
      const acme = await makeOrg(s, { type: 'shipper', name: 'Acme Gas' });
      const shipper = await makeUser(s, {
        orgShortCode: acme.shortCode,
        roles: ['cms_supervisor', 'des_user'],
        password: TEST_PASSWORD,
      });
      users.shipper = shipper.email;
      users.cdsp = (
        await makeUser(s, {
          orgShortCode: cdsp.shortCode,
          roles: ['cdsp_supervisor'],
          password: TEST_PASSWORD,
        })
      ).email;
      users.lso = (
        await makeUser(s, { orgShortCode: acme.shortCode, roles: ['lso'], password: TEST_PASSWORD })
      ).email;
      const actor = await actorFor(s, shipper.email);
      for (const subject of ['SLA calendar', 'Bank holidays'])
        await s.cms.contacts.raise(actor, {
          code: 'ENQ',
          description: `A question: ${subject}`,
          fields: { subject, enquiry_category: 'OTHER', details: 'Which days count?' },
        });
    },
  });

  async function signedIn(email: string): Promise<{ page: Page; errors: string[] }> {
    const page = await (await suite.browser.newContext({ viewport: PHONE })).newPage();
    const errors = watchForErrors(page);
    await signInAndEnrol(page, suite.server, email, TEST_PASSWORD);
    await visit(page, /Your work today/);
    await fitsTheScreen(page);
    return { page, errors };
  }

  test('a customer supervisor: counts, recent contacts and a supply point search; a count opens its list', async () => {
    const { page, errors } = await signedIn(users.shipper);
    assert.match(await page.locator('main').innerText(), /Contacts you raised recently[\s\S]*SLA calendar/);
    assert.match(
      await page.locator('main').innerText(),
      /Supply points in your portfolio on \d{1,2} [A-Z][a-z]+ 2026/,
    );
    const waiting = await countOf(page, 'Waiting and not assigned to anyone');
    assert.equal(waiting, 0);
    await page.locator('.cdsp-counts__link', { hasText: 'Overdue' }).click();
    await visit(page, /^Contacts$/);
    await fitsTheScreen(page);
    assert.match(await page.locator('main').innerText(), /No contacts match these filters/);
    assert.deepEqual(errors, []);
  });

  test('a CDSP supervisor: the queue by team, each count opening the same number of contacts', async () => {
    const { page, errors } = await signedIn(users.cdsp);
    assert.equal(await countOf(page, 'Waiting for the CDSP'), 2);
    assert.match(await page.locator('main').innerText(), /Queue by team[\s\S]*CDSP service desk team/);
    await page.locator('.cdsp-counts__link', { hasText: 'Waiting and not assigned to anyone' }).click();
    await visit(page, /^Contacts$/);
    await fitsTheScreen(page);
    assert.match(await page.locator('caption').first().innerText(), /Showing 1 to 2 of 2 contacts/);
    assert.deepEqual(errors, []);
  });

  test('an LSO: users awaiting action, each opening the filtered user list', async () => {
    const { page, errors } = await signedIn(users.lso);
    assert.equal(await countOf(page, 'Invitation not yet accepted'), 0);
    await page.locator('.cdsp-counts__link', { hasText: 'Locked out' }).click();
    await visit(page, /Manage users/);
    assert.match(await page.locator('#users-count').innerText(), /^0 users$/);
    assert.deepEqual(errors, []);
  });
});
