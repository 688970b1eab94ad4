/**
 * The audit view in a real Chromium: an LSO opens "Audit trail" from the navigation, sees its organisation's events in
 * words (labels, names, GOV.UK dates), filters them and downloads the CSV; axe (WCAG 2.2 AA) on every page, at
 * desktop and phone widths, and no page logs an error.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { browserSuite, checkA11y, signInAndEnrol, visit, watchForErrors } from './helpers.ts';
import { makeLso, TEST_PASSWORD } from '../test/support/factories.ts';

describe('audit view in Chromium', () => {
  const suite = browserSuite({ now: new Date('2026-03-05T10:00:00Z') });

  test('an LSO finds its sign-ins in the audit trail, filters them and downloads them', async () => {
    const { user } = await makeLso(suite.server.services, { type: 'shipper' });
    const context = await suite.browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const errors = watchForErrors(page);
    await signInAndEnrol(page, suite.server, user.email, TEST_PASSWORD);
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await visit(page, /^Audit trail$/);
    assert.equal(await page.getByRole('link', { name: 'Audit trail' }).getAttribute('aria-current'), 'page');
    const table = page.locator('#audit-events');
    assert.match((await table.textContent()) ?? '', /Signed in/);
    assert.match((await table.textContent()) ?? '', /5 March 2026/);
    await page.setViewportSize({ width: 375, height: 800 });
    await checkA11y(page);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByLabel('Action').selectOption({ label: 'Authenticator app set up' });
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await visit(page, /^Audit trail$/);
    assert.equal(await table.locator('tbody tr').count(), 1);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download these events as CSV' }).click(),
    ]);
    const path = join(suite.dir, 'audit.csv');
    await download.saveAs(path);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines.length, 2);
    assert.ok(lines[1]!.includes('Authenticator app set up'), lines[1]);
    assert.deepEqual(errors, [], 'no page logged an error');
    // A date the browser's date field cannot send (a link or a typed address can): the page names it.
    await page.goto(`${suite.server.baseUrl}/audit?from=2026-02-30`);
    await page.waitForLoadState('load');
    await checkA11y(page);
    assert.match((await page.locator('.govuk-error-summary').textContent()) ?? '', /real date/);
    await context.close();
  });
});
