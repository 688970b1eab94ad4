/**
 * DES enquiry in a real Chromium: a DES user signs in (password and TOTP enrolment), searches by postcode, opens a
 * supply point, changes the "as at" date, and opens the history; the organisation's LSO then finds those enquiries in
 * the enquiry log, filters them (GOV.UK date input) and downloads them. axe (WCAG 2.2 AA) runs on every page visited.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite, checkA11y, fitsTheScreen, signInAndEnrol, visit, watchForErrors } from './helpers.ts';
import { readFileSync } from 'node:fs';
import { makeOrg, makeUser, TEST_ACTOR, TEST_PASSWORD } from '../test/support/factories.ts';
import { generateChanges, generateRegister, writeLoadFile } from '../src/modules/des/index.ts';
import { join } from 'node:path';

const ORGS = { shippers: ['ESA', 'ESB'], suppliers: ['ESU'], mams: ['ESM'], igts: [] };

describe('DES enquiry in Chromium', () => {
  const suite = browserSuite({ now: new Date('2026-03-05T10:00:00Z') });

  test('search by postcode, open a supply point, change the as-at date, open the history', async () => {
    for (const code of ORGS.shippers)
      await makeOrg(suite.server.services, { shortCode: code, type: 'shipper' });
    const user = await makeUser(suite.server.services, {
      orgShortCode: 'ESA',
      roles: ['des_user'],
      name: 'Dana Enquirer',
      password: TEST_PASSWORD,
    });
    const rows = [...generateRegister({ count: 200, seed: 5, orgs: ORGS, businessDate: '2026-03-02' })];
    const load = async (date: string, data: Record<string, string>[]) => {
      const path = join(suite.dir, `${date}.csv`);
      await writeLoadFile(path, data);
      await suite.server.services.des.loads.load({
        path,
        businessDate: date,
        actor: TEST_ACTOR,
        source: 'seed',
      });
    };
    await load('2026-03-02', rows);
    const changes: Record<string, string>[] = [];
    for await (const r of generateChanges({
      previous: rows,
      rate: 0.3,
      seed: 5,
      businessDate: '2026-03-03',
      orgs: ORGS,
      fullRows: true,
    })) {
      changes.push(r);
    }
    await load('2026-03-03', changes);
    // A supply point of ours (as at D-1) that changed on 3 March.
    const target = changes.find(
      (r) => r['shipper_short_code'] === 'ESA' && r['postcode'] && rows.some((o) => o['mprn'] === r['mprn']),
    )!;
    assert.ok(target, 'a supply point of ours that changed on 3 March');

    const page = await (await suite.browser.newContext()).newPage();
    const errors = watchForErrors(page);
    await signInAndEnrol(page, suite.server, user.email, TEST_PASSWORD);

    await page.getByRole('link', { name: 'Find a supply point' }).click();
    await visit(page, /Find a supply point/);
    assert.match(
      await page.locator('.govuk-notification-banner').innerText(),
      /as at the end of 4 March 2026/,
    );
    await page.getByLabel('Postcode').fill(target['postcode']!.toLowerCase().replace(' ', ''));
    await page.getByRole('button', { name: 'Search' }).click();
    await visit(page, /Find a supply point/);
    await page.getByRole('link', { name: target['mprn']!, exact: true }).click();
    await visit(page, new RegExp(`MPRN ${target['mprn']}`));
    assert.match(await page.locator('main').innerText(), /Meter serial number/);
    const current = (await page.locator('main').innerText()).includes(
      changes.find((c) => c['mprn'] === target['mprn'])!['msn'] ?? '',
    );
    assert.ok(current, 'the page shows the data as at D-1 (after the 3 March change)');

    await page.getByLabel('Show this supply point as at').fill('2026-03-02');
    await page.getByRole('button', { name: 'Show as at this date' }).click();
    await visit(page, new RegExp(`MPRN ${target['mprn']}`));
    assert.match(page.url(), /as_at=2026-03-02/);
    assert.match(await page.locator('main').innerText(), /as at the end of 2 March 2026/);

    await page.getByRole('link', { name: 'View the change history of this supply point' }).click();
    await visit(page, /Change history/);
    const table = await page.locator('#history').innerText();
    assert.match(table, /3 March 2026/);
    assert.match(table, /2 March 2026/);
    assert.deepEqual(errors, []);

    // The organisation's LSO finds those enquiries in the enquiry log, filters them and downloads them.
    const lso = await makeUser(suite.server.services, {
      orgShortCode: 'ESA',
      roles: ['lso'],
      name: 'Lee Officer',
      password: TEST_PASSWORD,
    });
    const context = await suite.browser.newContext({ acceptDownloads: true });
    const lsoPage = await context.newPage();
    const lsoErrors = watchForErrors(lsoPage);
    await signInAndEnrol(lsoPage, suite.server, lso.email, TEST_PASSWORD);
    await lsoPage.getByRole('link', { name: 'Enquiry log' }).click();
    await visit(lsoPage, /^Enquiry log$/);
    const log = lsoPage.locator('#enquiries tbody tr');
    assert.ok((await log.count()) >= 4, 'search, look-up, as-at look-up, history');
    assert.match((await log.first().innerText()) ?? '', /5 March 2026/);
    const words = await lsoPage.locator('#enquiries').innerText();
    assert.match(words, new RegExp(`Supply point as at a date: MPRN ${target['mprn']}, as at 2 March 2026`));
    assert.match(words, /Search: postcode [A-Z0-9 ]+/);
    assert.match(words, /Change history: MPRN/);
    assert.doesNotMatch(words, /as_at|2026-03-0/, 'labels and GOV.UK dates, not keys and ISO dates');
    assert.equal(await lsoPage.getByRole('link', { name: 'Find a supply point' }).count(), 0, 'no DES role');
    await lsoPage.setViewportSize({ width: 390, height: 800 });
    await visit(lsoPage, /^Enquiry log$/);
    await fitsTheScreen(lsoPage);
    await lsoPage.setViewportSize({ width: 1280, height: 900 });
    await lsoPage.getByLabel('Person').fill(user.email.split('@')[0]!.toUpperCase());
    await lsoPage.getByLabel('Channel').selectOption({ label: 'Web' });
    const from = lsoPage.getByRole('group', { name: 'From' });
    await from.getByLabel('Day').fill('5');
    await from.getByLabel('Month').fill('3');
    await from.getByLabel('Year').fill('2026');
    await lsoPage.getByRole('button', { name: 'Apply filters' }).click();
    await visit(lsoPage, /^Enquiry log$/);
    const shown = await log.count();
    assert.ok(shown >= 4);
    const [download] = await Promise.all([
      lsoPage.waitForEvent('download'),
      lsoPage.getByRole('link', { name: 'Download these enquiries as CSV' }).click(),
    ]);
    const path = join(suite.dir, 'enquiry-log.csv');
    await download.saveAs(path);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines.length, shown + 1, 'the CSV holds the rows the filtered page shows');
    assert.ok(lines.slice(1).every((l) => l.includes(user.email) && l.split(',')[2] === 'web'));
    // A day that does not exist: the page says so and keeps what was typed.
    await from.getByLabel('Day').fill('30');
    await from.getByLabel('Month').fill('2');
    await lsoPage.getByRole('button', { name: 'Apply filters' }).click();
    await lsoPage.waitForLoadState('load');
    await checkA11y(lsoPage);
    assert.match((await lsoPage.locator('.govuk-error-summary').textContent()) ?? '', /real date/);
    assert.deepEqual(
      lsoErrors.filter((e) => !/HTTP 400: \S+\/des\/enquiry-log\?|status of 400/.test(e)),
      [],
    );
    await context.close();
  });
});
