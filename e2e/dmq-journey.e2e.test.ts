/**
 * A Daily Metered Query end to end in a real Chromium over the seeded demo world (issue 10): a shipper user
 * (ops@meridian.example) opens one of its daily-metered-class supply points in DES, follows "Raise a contact about
 * this supply point" and raises a DMQ; the appointed DMSP (DailyMetric Services, ops@dailymetric.example) finds it
 * in its queue, works it and resolves it with an outcome; the shipper sees the outcome and accepts. axe (WCAG 2.2 AA)
 * runs on every page visited, no page logs an error, and the key pages are walked at 1280px and 390px wide with no
 * horizontal overflow of the page at 390px (wide tables scroll inside their own region).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { browserSuite, checkA11y, signInAndEnrol, visit, watchForErrors } from './helpers.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { DEMO_PASSWORD } from '../src/demo/demo-world.ts';

const SHIPPER = 'ops@meridian.example';
const DMSP = 'ops@dailymetric.example';
const DESKTOP = { width: 1280, height: 900 };

/**
 * Checks the page at 390px wide (axe again, and no horizontal overflow of the page body: only content inside a
 * `.cdsp-table-scroll` region may be wider than the viewport), then returns to 1280px.
 */
async function checkNarrow(page: Page): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const culprits: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      if (el.closest('.cdsp-table-scroll')) continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 1) {
        culprits.push(
          `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${Array.from(el.classList).join('.')}`,
        );
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, culprits: culprits.slice(0, 10) };
  });
  assert.ok(
    overflow.scrollWidth <= 390,
    `page wider than 390px (${overflow.scrollWidth}px) at ${page.url()}: ${overflow.culprits.join(', ')}`,
  );
  assert.deepEqual(overflow.culprits, [], `elements overflow 390px at ${page.url()}`);
  await checkA11y(page);
  await page.setViewportSize(DESKTOP);
}

describe('a DMQ from the supply point page to the DMSP and back, in Chromium', () => {
  // A Thursday: the demo register's loads up to Wednesday 4 March are visible (D-1), Thursday's is pending.
  const suite = browserSuite({
    now: new Date('2026-03-05T10:00:00Z'),
    prepare: async (server) => {
      await seedDemo(server.database.db, server.services);
    },
  });

  test('the shipper raises a DMQ, the DMSP resolves it with an outcome, the shipper accepts', async () => {
    // A live class 1 or 2 supply point shipped by MES as the register stands at D-1 (and unchanged since):
    // DailyMetric Services is the demo DMSP of every LDZ's class 1 and 2 sites.
    const found = await sql<{ mprn: string; postcode: string }>`
      select mprn, postcode from des.supply_point_versions
      where shipper_short_code = 'MES' and class in ('1', '2') and meter_point_status = 'LI'
        and postcode is not null
        and known_to is null and valid_to is null and valid_from <= '2026-03-04'
      order by mprn limit 1`.execute(suite.server.database.db);
    const site = found.rows[0];
    assert.ok(site, 'a live class 1 or 2 supply point in Meridian Energy Shipping’s portfolio');
    const mprn = site.mprn;

    // The shipper: finds the supply point in DES by its postcode, raises from its page.
    const sp = await (await suite.browser.newContext({ viewport: DESKTOP })).newPage();
    const shipperErrors = watchForErrors(sp);
    await signInAndEnrol(sp, suite.server, SHIPPER, DEMO_PASSWORD);
    await sp.getByRole('link', { name: 'Find a supply point' }).click();
    await visit(sp, /^Find a supply point$/);
    await checkNarrow(sp);
    await sp.getByLabel('Postcode').fill(site.postcode);
    await sp.getByRole('button', { name: 'Search' }).click();
    await visit(sp, /^Find a supply point$/);
    await checkNarrow(sp);
    await sp.getByRole('link', { name: mprn, exact: true }).click();
    await visit(sp, new RegExp(`^MPRN ${mprn}$`));
    await checkNarrow(sp);
    assert.equal((await sp.locator('#appointed-dmsp').innerText()).trim(), 'DailyMetric Services (DMS)');
    await sp.getByRole('link', { name: 'Raise a contact about this supply point' }).click();
    await visit(sp, /What kind of contact do you want to raise\?/);
    await checkNarrow(sp);
    await sp.getByLabel('DMQ: Daily Metered Query').check({ force: true });
    await sp.getByRole('button', { name: 'Continue' }).click();
    await visit(sp, /^DMQ: Daily Metered Query$/);
    await checkNarrow(sp);
    assert.equal(
      await sp.getByLabel('MPRN').inputValue(),
      mprn,
      'the MPRN carried from the supply point page',
    );

    // Submitting with nothing filled in: an error summary, still axe-clean.
    await sp.getByRole('button', { name: 'Raise contact' }).click();
    await visit(sp, /^DMQ: Daily Metered Query$/);
    assert.match(await sp.locator('.govuk-error-summary').innerText(), /There is a problem/);

    await sp.getByLabel('Query type').selectOption({ label: 'Daily read missing' });
    await sp.getByLabel('Gas day concerned').fill('2026-03-03');
    await sp.getByLabel('Describe what needs to be done').fill('Please send the missing daily read.');
    await sp.getByLabel('Details of the query').fill('No daily read received for the gas day of 3 March.');
    await Promise.all([sp.waitForNavigation(), sp.getByRole('button', { name: 'Raise contact' }).click()]);
    assert.match(sp.url(), /\/contacts\/[A-Z]+-[A-Z0-9]+\?raised=1$/, await sp.locator('main').innerText());
    const reference = /\/contacts\/([A-Z]+-[A-Z0-9]+)/.exec(sp.url())![1]!;
    await visit(sp, new RegExp(`^Contact ${reference}$`));
    await checkNarrow(sp);
    assert.match(await sp.locator('.govuk-notification-banner').innerText(), /Your contact has been raised/);
    assert.equal((await sp.locator('#contact-status').innerText()).trim(), 'Open');
    const raisedText = await sp.locator('main').innerText();
    assert.match(raisedText, /DailyMetric Services/, 'the contact names the DMSP it went to');
    assert.match(raisedText, /Daily read missing/, 'the query type as its label');
    assert.doesNotMatch(raisedText, /READ_MISSING/, 'never the code');

    // The DMSP: its queue, the contact, start work, resolve with an outcome.
    const dp = await (await suite.browser.newContext({ viewport: DESKTOP })).newPage();
    const dmspErrors = watchForErrors(dp);
    await signInAndEnrol(dp, suite.server, DMSP, DEMO_PASSWORD);
    await dp.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Contacts' }).click();
    await visit(dp, /^Contacts$/);
    await dp.getByLabel('Show').selectOption('received');
    await dp.getByRole('button', { name: 'Apply filters' }).click();
    await visit(dp, /^Contacts$/);
    await checkNarrow(dp);
    await dp.getByRole('link', { name: reference, exact: true }).click();
    await visit(dp, new RegExp(`^Contact ${reference}$`));
    await checkNarrow(dp);
    const snapshot = await dp.locator('#site-snapshot').innerText();
    assert.match(snapshot, /Meridian Energy Shipping \(MES\)/, 'the supply point as it stood when raised');

    const act = async (page: Page, action: string, notice: RegExp) => {
      await page.getByRole('button', { name: 'Continue' }).click();
      await visit(page, new RegExp(`^Contact ${reference}$`));
      assert.match(await page.locator('.govuk-notification-banner').innerText(), notice, action);
    };
    await dp
      .getByRole('group', { name: 'Action' })
      .getByLabel('Start work (assign to me)')
      .check({ force: true });
    await act(dp, 'start', /started work/);
    assert.equal((await dp.locator('#contact-status').innerText()).trim(), 'In progress');

    // Resolving without an outcome is refused with an error on the outcome (axe-clean), then with one it resolves.
    await dp
      .getByRole('group', { name: 'Action' })
      .getByLabel('Resolve', { exact: true })
      .check({ force: true });
    await dp
      .getByLabel('Note (both sides will see it)')
      .fill('Daily read for 3 March re-sent from the datalogger.');
    await dp.getByRole('button', { name: 'Continue' }).click();
    await visit(dp, new RegExp(`^Contact ${reference}$`));
    assert.match(await dp.locator('.govuk-error-summary').innerText(), /outcome/i);
    await dp
      .getByRole('group', { name: 'Action' })
      .getByLabel('Resolve', { exact: true })
      .check({ force: true });
    await dp
      .getByLabel('Note (both sides will see it)')
      .fill('Daily read for 3 March re-sent from the datalogger.');
    await dp.getByLabel('Outcome (to resolve)').selectOption({ label: 'Daily data re-sent' });
    await act(dp, 'resolve', /has been resolved/);
    assert.equal((await dp.locator('#contact-status').innerText()).trim(), 'Resolved');
    assert.equal((await dp.locator('#contact-outcome').innerText()).trim(), 'Daily data re-sent');

    // The DMSP's list shows the outcome's label.
    await dp.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Contacts' }).click();
    await visit(dp, /^Contacts$/);
    await dp.getByLabel('Show').selectOption('received');
    await dp.getByRole('button', { name: 'Apply filters' }).click();
    await visit(dp, /^Contacts$/);
    const row = dp.getByRole('row').filter({ has: dp.getByRole('link', { name: reference, exact: true }) });
    assert.match(await row.innerText(), /Daily data re-sent/);

    // The shipper: its raised contacts, the outcome, accept.
    await sp.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Contacts' }).click();
    await visit(sp, /^Contacts$/);
    await sp.getByLabel('Show').selectOption('raised');
    await sp.getByRole('button', { name: 'Apply filters' }).click();
    await visit(sp, /^Contacts$/);
    await checkNarrow(sp);
    await sp.getByRole('link', { name: reference, exact: true }).click();
    await visit(sp, new RegExp(`^Contact ${reference}$`));
    await checkNarrow(sp);
    assert.equal((await sp.locator('#contact-status').innerText()).trim(), 'Resolved');
    assert.equal((await sp.locator('#contact-outcome').innerText()).trim(), 'Daily data re-sent');
    assert.doesNotMatch(await sp.locator('main').innerText(), /DATA_RESENT/);
    await sp
      .getByRole('group', { name: 'Action' })
      .getByLabel('Accept the resolution and close')
      .check({ force: true });
    await act(sp, 'accept', /contact is closed/);
    assert.equal((await sp.locator('#contact-status').innerText()).trim(), 'Closed');
    assert.equal((await sp.locator('#contact-outcome').innerText()).trim(), 'Daily data re-sent');

    // Back on the DES page the contact is listed, closed.
    await sp.goto(`${suite.server.baseUrl}/des/supply-points/${mprn}`);
    await visit(sp, new RegExp(`^MPRN ${mprn}$`));
    assert.match(
      await sp.locator('#contacts-table').innerText(),
      new RegExp(`${reference}\\s+Daily Metered Query\\s+Closed`),
    );

    // The only failed responses are the two refused form posts (a 400 each, by design).
    const refused = (e: string) => /^HTTP 400: |status of 400 \(Bad Request\)/.test(e);
    assert.equal(shipperErrors.filter(refused).length > 0, true, shipperErrors.join('\n'));
    assert.deepEqual(
      shipperErrors.filter((e) => !refused(e)),
      [],
    );
    assert.deepEqual(
      dmspErrors.filter((e) => !refused(e)),
      [],
    );
  });
});
