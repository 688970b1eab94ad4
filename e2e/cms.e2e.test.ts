/**
 * CMS acceptance in a real Chromium (issue 6): a shipper user raises an ADD contact for an MPRN in its portfolio
 * through the web form; a CDSP resolver takes it and sends it back for information; the shipper responds; the
 * resolver resolves; the shipper accepts and it closes. Both sides see the same timeline, less the other side's
 * internal notes. axe (WCAG 2.2 AA) runs on every page visited and no page logs an error.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { browserSuite, signInAndEnrol, visit, watchForErrors } from './helpers.ts';
import { makeOrg, makeUser, TEST_ACTOR, TEST_PASSWORD } from '../test/support/factories.ts';
import { generateRegister, writeLoadFile } from '../src/modules/des/index.ts';

const ORGS = { shippers: ['CSA', 'CSB'], suppliers: ['CSU'], mams: ['CSM'], igts: [] };

describe('CMS contacts in Chromium', () => {
  // A Thursday: the register loaded for Monday 2 March is visible (D-1 is 4 March).
  const suite = browserSuite({ now: new Date('2026-03-05T10:00:00Z') });

  /** Opens the contact list from the service navigation and the contact from the list. */
  async function openContact(page: Page, reference: string, view: string) {
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Contacts' }).click();
    await visit(page, /^Contacts$/);
    await page.getByLabel('Show').selectOption(view);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await visit(page, /^Contacts$/);
    await page.getByRole('link', { name: reference, exact: true }).click();
    await visit(page, new RegExp(`^Contact ${reference}$`));
  }

  /** Chooses an action on the contact page, with an optional note and outcome, and continues. */
  async function act(
    page: Page,
    reference: string,
    action: string,
    notice: RegExp,
    opts: { note?: string; outcome?: string } = {},
  ) {
    await page.getByRole('group', { name: 'Action' }).getByLabel(action).check({ force: true });
    if (opts.note) await page.getByLabel('Note (both sides will see it)').fill(opts.note);
    if (opts.outcome) await page.getByLabel('Outcome (to resolve)').selectOption(opts.outcome);
    await page.getByRole('button', { name: 'Continue' }).click();
    await visit(page, new RegExp(`^Contact ${reference}$`));
    assert.match(await page.locator('.govuk-notification-banner').innerText(), notice, action);
  }

  async function addNote(page: Page, reference: string, body: string, who: 'Both sides' | 'Only my side') {
    await page.getByLabel('Add a note').fill(body);
    await page.getByRole('group', { name: 'Who can see it' }).getByLabel(who).check({ force: true });
    await page.getByRole('button', { name: 'Add note' }).click();
    await visit(page, new RegExp(`^Contact ${reference}$`));
    assert.match(await page.locator('.govuk-notification-banner').innerText(), /Your note has been added/);
  }

  const status = async (page: Page) => (await page.locator('#contact-status').innerText()).trim();
  const timeline = async (page: Page) =>
    (await page.locator('#timeline > li').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
  const notes = async (page: Page) => (await page.locator('#notes-list').innerText()).replace(/\s+/g, ' ');

  test('raise, take, send back, respond, resolve, accept: one timeline for both sides, less internal notes', async () => {
    // Organisations, users with known passwords (they enrol MFA at first sign-in), and a register load that puts
    // an MPRN in the shipper's portfolio.
    const shipper = await makeOrg(suite.server.services, {
      shortCode: 'CSA',
      type: 'shipper',
      name: 'Acme Shipping',
    });
    await makeOrg(suite.server.services, { shortCode: 'CSB', type: 'shipper', name: 'Other Shipping' });
    const cdsp = await makeOrg(suite.server.services, { type: 'cdsp', name: 'CDSP' });
    const shipperUser = await makeUser(suite.server.services, {
      orgShortCode: shipper.shortCode,
      roles: ['cms_user'],
      name: 'Sam Shipper',
      password: TEST_PASSWORD,
    });
    const resolverUser = await makeUser(suite.server.services, {
      orgShortCode: cdsp.shortCode,
      roles: ['cdsp_resolver'],
      name: 'Rita Resolver',
      password: TEST_PASSWORD,
    });
    const rows = [...generateRegister({ count: 60, seed: 11, orgs: ORGS, businessDate: '2026-03-02' })];
    const path = join(suite.dir, 'register.csv');
    await writeLoadFile(path, rows);
    await suite.server.services.des.loads.load({
      path,
      businessDate: '2026-03-02',
      actor: TEST_ACTOR,
      source: 'seed',
    });
    const ours = rows.find((r) => r['shipper_short_code'] === 'CSA');
    assert.ok(ours?.['mprn'], 'a supply point in the shipper’s portfolio');
    const mprn = ours['mprn'];

    // The shipper raises an ADD contact through the web form.
    const sp = await (await suite.browser.newContext()).newPage();
    const shipperErrors = watchForErrors(sp);
    await signInAndEnrol(sp, suite.server, shipperUser.email, TEST_PASSWORD);
    await sp.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Contacts' }).click();
    await visit(sp, /^Contacts$/);
    await sp.getByRole('button', { name: 'Raise a contact' }).click();
    await visit(sp, /What kind of contact do you want to raise\?/);
    // Continuing without a choice shows an error summary (and the page still passes axe).
    await sp.getByRole('button', { name: 'Continue' }).click();
    await visit(sp, /What kind of contact do you want to raise\?/);
    assert.match(await sp.locator('.govuk-error-summary').innerText(), /Choose the kind of contact/);
    await sp.getByLabel('ADD: Address Amendment').check({ force: true });
    await sp.getByRole('button', { name: 'Continue' }).click();
    await visit(sp, /^ADD: Address Amendment$/);
    // The address on the register is the register's: the MPRN first, then the form shows it read-only.
    await sp.getByLabel('MPRN').fill(mprn);
    await sp.getByRole('button', { name: 'Continue' }).click();
    await visit(sp, /^ADD: Address Amendment$/);
    assert.match(await sp.locator('#register-values').innerText(), /Address on the register/);
    // A submission with a missing field re-renders the form with an error summary linked to the field.
    await sp.getByRole('button', { name: 'Raise contact' }).click();
    await visit(sp, /^ADD: Address Amendment$/);
    const summary = sp.locator('.govuk-error-summary');
    assert.match(await summary.innerText(), /There is a problem/);
    // Each error links to its field, and following the link puts the focus in that field.
    const firstError = summary.getByRole('link').first();
    const target = ((await firstError.getAttribute('href')) ?? '').replace(/^#/, '');
    assert.ok(
      target && (await sp.locator(`[id="${target}"]`).count()) === 1,
      `the error links to #${target}`,
    );
    await firstError.click();
    assert.equal(await sp.evaluate(() => document.activeElement?.id ?? ''), target);
    await sp.getByLabel('Your reference (optional)').fill('ACME-42');
    await sp
      .getByLabel('Describe what needs to be done')
      .fill('The street name on the register is misspelt.');
    await sp.getByLabel('Building number (optional)').fill('12');
    await sp.getByLabel('Street', { exact: true }).fill('High Street');
    await sp.getByLabel('Town', { exact: true }).fill('Leeds');
    await sp.getByLabel('Postcode', { exact: true }).fill('LS1 4AP');
    await sp.getByLabel('Reason for the amendment').selectOption('INCORRECT');
    await sp.getByRole('button', { name: 'Raise contact' }).click();
    await sp.waitForURL(/\/contacts\/[A-Z]+-[A-Z0-9]+\?raised=1$/);
    const reference = /\/contacts\/([A-Z]+-[A-Z0-9]+)/.exec(sp.url())![1]!;
    await visit(sp, new RegExp(`^Contact ${reference}$`));
    assert.match(await sp.locator('.govuk-notification-banner').innerText(), /Your contact has been raised/);
    assert.equal(await status(sp), 'Open');
    assert.match(await sp.locator('main').innerText(), new RegExp(mprn));
    const shipperInternal = 'Shipper only: chase the site visit team on Friday';
    await addNote(sp, reference, shipperInternal, 'Only my side');
    assert.match(await notes(sp), new RegExp(shipperInternal));

    // The CDSP resolver finds it in the received queue, takes it and sends it back for information.
    const rp = await (await suite.browser.newContext()).newPage();
    const resolverErrors = watchForErrors(rp);
    await signInAndEnrol(rp, suite.server, resolverUser.email, TEST_PASSWORD);
    await openContact(rp, reference, 'received');
    assert.doesNotMatch(await rp.locator('main').innerText(), new RegExp(shipperInternal));
    await act(rp, reference, 'Start work (assign to me)', /started work/);
    assert.equal(await status(rp), 'In progress');
    assert.match(
      await rp.locator('main .govuk-summary-list').first().innerText(),
      /Being worked by\s+Rita Resolver/,
    );
    const resolverInternal = 'CDSP only: PAF lookup pending with the address team';
    await addNote(rp, reference, resolverInternal, 'Only my side');
    await act(rp, reference, 'Send back for information', /sent back for information/, {
      note: 'Please send a recent council tax bill.',
    });
    assert.equal(await status(rp), 'Awaiting customer');
    assert.match(await rp.locator('main').innerText(), /SLA clock is paused/);

    // The shipper sees the request and responds.
    await openContact(sp, reference, 'raised');
    assert.equal(await status(sp), 'Awaiting customer');
    assert.match(await sp.locator('#timeline').innerText(), /Please send a recent council tax bill\./);
    assert.doesNotMatch(await sp.locator('main').innerText(), new RegExp(resolverInternal));
    await act(sp, reference, 'Respond with the information', /response has been sent/, {
      note: 'Council tax bill sent by post today.',
    });
    assert.equal(await status(sp), 'In progress');
    // The shipper attaches a copy of the bill from the contact page.
    await sp.getByLabel('Attach a file').setInputFiles({
      name: 'council-tax-bill.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Council tax bill: 12 High Street, Leeds LS1 4AP\n'),
    });
    await sp.getByRole('button', { name: 'Attach file' }).click();
    await visit(sp, new RegExp(`^Contact ${reference}$`));
    assert.match(await sp.locator('.govuk-notification-banner').innerText(), /Your file has been attached/);

    // The resolver resolves.
    await rp.reload();
    await visit(rp, new RegExp(`^Contact ${reference}$`));
    assert.match(await rp.locator('#timeline').innerText(), /Council tax bill sent by post today\./);
    const bill = rp.getByRole('link', { name: 'council-tax-bill.txt' });
    const response = await rp.request.get(new URL((await bill.getAttribute('href'))!, rp.url()).toString());
    assert.equal(response.status(), 200);
    assert.equal(await response.text(), 'Council tax bill: 12 High Street, Leeds LS1 4AP\n');
    await act(rp, reference, 'Resolve', /has been resolved/, {
      outcome: 'ADDRESS_UPDATED',
      note: 'Street corrected on the register.',
    });
    assert.equal(await status(rp), 'Resolved');

    // The shipper accepts and the contact closes.
    await sp.reload();
    await visit(sp, new RegExp(`^Contact ${reference}$`));
    assert.equal(await status(sp), 'Resolved');
    await act(sp, reference, 'Accept the resolution and close', /contact is closed/);
    assert.equal(await status(sp), 'Closed');
    await rp.reload();
    await visit(rp, new RegExp(`^Contact ${reference}$`));
    assert.equal(await status(rp), 'Closed');

    // Both sides see the same timeline, less the other side's internal notes.
    const mine = await timeline(sp);
    const theirs = await timeline(rp);
    for (const [events, own, other] of [
      [mine, shipperInternal, resolverInternal],
      [theirs, resolverInternal, shipperInternal],
    ] as const) {
      assert.ok(
        events.some((e) => e.includes(own)),
        `each side sees its own internal note: ${own}`,
      );
      assert.ok(!events.some((e) => e.includes(other)), `no side sees the other's internal note: ${other}`);
    }
    assert.deepEqual(
      mine.filter((e) => !e.includes(shipperInternal)),
      theirs.filter((e) => !e.includes(resolverInternal)),
      'both sides see the same timeline',
    );
    for (const step of [
      /Raised/i,
      /Routed to/i,
      /Information requested|sent back/i,
      /Council tax bill sent by post today\./,
      /Street corrected on the register\./,
      /Accepted|Closed/i,
    ]) {
      assert.ok(
        mine.some((e) => step.test(e)),
        `the timeline shows ${step}: ${mine.join('\n')}`,
      );
    }
    assert.match(await notes(sp), new RegExp(shipperInternal));
    assert.doesNotMatch(await notes(sp), new RegExp(resolverInternal));
    assert.match(await notes(rp), new RegExp(resolverInternal));
    assert.doesNotMatch(await notes(rp), new RegExp(shipperInternal));

    // The two forms submitted with errors answer 400 by design (re-rendered with an error summary).
    const expected400 = (e: string) =>
      /^HTTP 400: \S+\/contacts\/new(\/ADD)?$|status of 400 \(Bad Request\)/.test(e);
    assert.equal(shipperErrors.filter(expected400).length, 4, shipperErrors.join('\n'));
    assert.deepEqual(
      shipperErrors.filter((e) => !expected400(e)),
      [],
    );
    assert.deepEqual(resolverErrors, []);
  });
});
