/**
 * DES enquiry in a real Chromium: a DES user signs in (password and TOTP enrolment), searches by postcode, opens a
 * supply point, changes the "as at" date, and opens the history. axe (WCAG 2.2 AA) runs on every page visited.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite, signInAndEnrol, visit, watchForErrors } from './helpers.ts';
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
  });
});
