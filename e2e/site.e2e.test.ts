import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite, checkA11y, watchForErrors } from './helpers.ts';

describe('public pages in Chromium', () => {
  const suite = browserSuite();

  for (const [path, heading] of [
    ['/', 'Central Data Services'],
    ['/accessibility', 'Accessibility statement'],
    ['/cookies', 'Cookies'],
    ['/help', 'Help and support'],
    ['/no-such-page', 'Page not found'],
  ] as const) {
    test(`${path} loads with its styles and script, and axe finds no WCAG 2.2 AA violation`, async () => {
      const page = await (await suite.browser.newContext()).newPage();
      const errors = watchForErrors(page);
      const res = await page.goto(suite.server.baseUrl + path);
      assert.equal(res?.status(), path === '/no-such-page' ? 404 : 200);
      assert.equal((await page.locator('h1').first().textContent())?.trim(), heading);
      // GOV.UK Frontend's script ran (it needs our CSP nonce to add this class).
      assert.match((await page.locator('body').getAttribute('class')) ?? '', /govuk-frontend-supported/);
      const font = await page.locator('body').evaluate((b) => getComputedStyle(b).fontFamily);
      assert.doesNotMatch(font, /GDS Transport/);
      await checkA11y(page);
      assert.deepEqual(
        errors.filter((e) => !(path === '/no-such-page' && /HTTP 404|status of 404/.test(e))),
        [],
      );
      await page.close();
    });
  }

  test('the start page can be used by keyboard: the first Tab reaches the skip link', async () => {
    const page = await (await suite.browser.newContext()).newPage();
    await page.goto(suite.server.baseUrl + '/');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    assert.equal(focused, 'Skip to main content');
    await page.close();
  });
});
