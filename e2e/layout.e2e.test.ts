/**
 * Layout at every common width (issue 12): each role signs in and, at 320, 390, 768, 1280 and 1920 px, opens its
 * home page and every page its service navigation offers. On each: the header's links and text do not overlap each
 * other or leave the header; the service navigation's items (behind its menu button where the screen is narrow) do
 * not overlap each other and stay on the screen; and no page is wider than the viewport (wide tables scroll in their
 * own box: `fitsTheScreen`). Names are long on purpose, as real organisation names are.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserSuite, fitsTheScreen, signInAndEnrol, watchForErrors } from './helpers.ts';
import { makeOrg, makeUser, TEST_PASSWORD } from '../test/support/factories.ts';
import { ROLES } from '../src/modules/identity/index.ts';
import { CDSP_ONLY_ROLES } from '../src/modules/identity/permissions.ts';

const WIDTHS = [320, 390, 768, 1280, 1920];

interface Box {
  what: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Boxes of the visible elements matching `selector` (each text line of an inline element counted apart). */
async function boxes(page: Page, selector: string): Promise<Box[]> {
  return page.evaluate((sel) => {
    const out: { what: string; left: number; top: number; right: number; bottom: number }[] = [];
    for (const el of Array.from(document.querySelectorAll(sel))) {
      const what = `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40)}"`;
      for (const r of Array.from(el.getClientRects())) {
        if (r.width > 0 && r.height > 0)
          out.push({ what, left: r.left, top: r.top, right: r.right, bottom: r.bottom });
      }
    }
    return out;
  }, selector);
}

/** Pairs of boxes that overlap by more than a pixel each way. */
function overlaps(list: Box[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i]!;
      const b = list[j]!;
      if (a.what === b.what) continue; // two lines of one wrapped link
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (x > 1 && y > 1) found.push(`${a.what} overlaps ${b.what}`);
    }
  return found;
}

/** The checks of the header, the service navigation and the page width, at the page's current viewport. */
async function checkLayout(page: Page, where: string): Promise<void> {
  const width = page.viewportSize()!.width;
  const header = (await boxes(page, 'header.cdsp-brand-bar'))[0]!;
  const headerItems = await boxes(
    page,
    '.cdsp-brand-bar__name, .cdsp-brand-bar__text, .cdsp-brand-bar__user a, .cdsp-brand-bar__user button',
  );
  assert.ok(headerItems.length >= 2, `${where}: the header shows the service name and the signed-in user`);
  assert.deepEqual(overlaps(headerItems), [], `${where}: header items overlap`);
  const outside = headerItems.filter(
    (b) =>
      b.left < header.left - 1 ||
      b.right > header.right + 1 ||
      b.top < header.top - 1 ||
      b.bottom > header.bottom + 1 ||
      b.right > width + 1,
  );
  assert.deepEqual(
    outside.map((b) => b.what),
    [],
    `${where}: header items outside the header`,
  );

  // The service navigation: behind its menu button on a narrow screen (open it), a row of links otherwise.
  const toggle = page.locator('.govuk-service-navigation__toggle');
  if (await toggle.isVisible()) {
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    const toggleBox = (await boxes(page, '.govuk-service-navigation__toggle'))[0]!;
    assert.ok(toggleBox.right <= width + 1, `${where}: the menu button is on the screen`);
  }
  const navItems = await boxes(page, '.govuk-service-navigation__link');
  assert.deepEqual(overlaps(navItems), [], `${where}: service navigation items overlap`);
  const offScreen = navItems.filter((b) => b.left < -1 || b.right > width + 1);
  assert.deepEqual(
    offScreen.map((b) => b.what),
    [],
    `${where}: service navigation items off the screen`,
  );
  const headerAndNav = [...headerItems, ...navItems];
  assert.deepEqual(overlaps(headerAndNav), [], `${where}: header and service navigation overlap`);

  await fitsTheScreen(page, where);
}

describe('layout at 320 to 1920 px, every role', () => {
  const emails = new Map<string, string>();
  const suite = browserSuite({
    prepare: async (server) => {
      const s = server.services;
      const cdsp = await makeOrg(s, { type: 'cdsp', name: 'Xoserve Central Data Services Provider' });
      const shipper = await makeOrg(s, { type: 'shipper', name: 'Northumbrian Lowland Shipping Limited' });
      for (const role of ROLES) {
        const org = CDSP_ONLY_ROLES.includes(role) ? cdsp : shipper;
        const user = await makeUser(s, {
          orgShortCode: org.shortCode,
          name: 'Alexandra Montgomery-Fairweather',
          roles: [role],
          password: TEST_PASSWORD,
        });
        emails.set(role, user.email);
      }
    },
  });

  for (const role of ROLES) {
    test(`${role}: home and every service navigation page`, async () => {
      const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const errors = watchForErrors(page);
      await signInAndEnrol(page, suite.server, emails.get(role)!, TEST_PASSWORD);
      const paths = [
        '/',
        ...new Set(
          (await page
            .locator('.govuk-service-navigation__link')
            .evaluateAll((els) =>
              els.map((a) => new URL((a as HTMLAnchorElement).href).pathname),
            )) as string[],
        ),
      ];
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        for (const path of paths) {
          await page.goto(`${suite.server.baseUrl}${path}`);
          await page.waitForLoadState('load');
          await checkLayout(page, `${role} at ${width}px on ${path}`);
        }
      }
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
});
