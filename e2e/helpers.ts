/**
 * Shared browser-test helpers: Debian's Chromium driven by playwright-core (never a downloaded browser), a real
 * server on a random loopback port over a fresh database, and axe (WCAG 2.2 AA) on every page visited.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { totpCode } from '../src/modules/identity/auth/mfa.ts';
import type { FastifyInstance } from 'fastify';
import { createTestApp, type TestApp } from '../test/support/app.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface TestServer extends TestApp {
  baseUrl: string;
}

/** The app over a fresh database, listening on 127.0.0.1 on a random port. */
export async function startTestServer(opts: { now?: Date } = {}): Promise<TestServer> {
  const t = await createTestApp(opts);
  await (t.app as FastifyInstance).listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { ...t, baseUrl: `http://localhost:${port}` };
}

/** What a browser suite works with: the app, Chromium, and a temporary folder for the files it writes. */
export interface BrowserSuite {
  server: TestServer;
  browser: Browser;
  dir: string;
}

/**
 * Sets up a browser suite before its tests (the app over a fresh database, at `now` when given, then `prepare`;
 * Chromium; a temporary folder) and tears it down after them. Call inside `describe`; read the fields in tests.
 */
export function browserSuite(
  opts: { now?: Date; prepare?: (server: TestServer) => Promise<void> } = {},
): BrowserSuite {
  const suite = {} as BrowserSuite;
  before(async () => {
    suite.server = await startTestServer(opts.now ? { now: opts.now } : {});
    if (opts.prepare) await opts.prepare(suite.server);
    suite.browser = await launchBrowser();
    suite.dir = mkdtempSync(join(tmpdir(), 'cdsp-e2e-'));
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.cleanup();
    if (suite.dir) rmSync(suite.dir, { recursive: true, force: true });
  });
  return suite;
}

/** Pages must come from browser.newContext() (axe needs it). Runs axe with the WCAG 2.2 AA rule set and the landmark (region) rule, and fails with the violations listed. */
export async function checkA11y(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  // Best practice beyond WCAG: every piece of the page inside a landmark, so none is missed by landmark navigation.
  const regions = await new AxeBuilder({ page }).withRules(['region']).analyze();
  const summary = [...results.violations, ...regions.violations].map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`,
  );
  assert.deepEqual(summary, [], `axe found violations on ${page.url()}:\n${summary.join('\n')}`);
}

/** Fails the test on any console error or failed page request (a broken asset, a CSP violation). */
export function watchForErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // The browser abandons a favicon fetch still in flight when the page navigates on (net::ERR_ABORTED): not a
    // broken asset. Any other failure of it, and every other failed request, still counts.
    const aborted = r.failure()?.errorText === 'net::ERR_ABORTED';
    if (aborted && r.url().includes('/favicon')) return;
    errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().includes('/favicon')) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return errors;
}

/** Every page a test visits goes through here: it must load, have the expected h1, and pass axe. */
export async function visit(page: Page, expectHeading: RegExp): Promise<void> {
  await page.waitForLoadState('load');
  assert.match((await page.locator('h1').first().textContent())?.trim() ?? '', expectHeading, page.url());
  await checkA11y(page);
}

/** A TOTP code for the server's pinned clock; the clock then moves on a step, since a code works only once. */
export async function nextTotpCode(server: TestServer, secret: string): Promise<string> {
  const code = await totpCode(secret, server.clock.now());
  server.clock.advance(30_000);
  return code;
}

/**
 * A first sign-in in the browser: password, authenticator enrolment (from the secret shown on the page),
 * recovery codes, home page. Every page passes `visit`. Returns the TOTP secret.
 */
export async function signInAndEnrol(
  page: Page,
  server: TestServer,
  email: string,
  password: string,
): Promise<string> {
  await page.goto(`${server.baseUrl}/sign-in`);
  await visit(page, /^Sign in$/);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await visit(page, /Set up two-step sign-in/);
  const secret = (await page.locator('#totp-secret').getAttribute('data-secret'))!;
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.match((await page.locator('img[src^="data:image/png"]').getAttribute('alt')) ?? '', /QR code/);
  await page.getByLabel('6-digit code').fill(await nextTotpCode(server, secret));
  await page.getByRole('button', { name: 'Continue' }).click();
  await visit(page, /Save your recovery codes/);
  assert.equal(await page.locator('#recovery-codes li').count(), 10);
  await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
  await visit(page, /Central Data Services|Your work today/);
  return secret;
}

/**
 * Fails unless the page is no wider than its viewport, naming the elements (outside a table's own scroll box) that
 * reach past the right edge.
 */
export async function fitsTheScreen(page: Page, where = page.url()): Promise<void> {
  const width = page.viewportSize()!.width;
  const culprits = await page.evaluate((w) => {
    const wide = document.documentElement.scrollWidth > w;
    const reaching = Array.from(document.body.querySelectorAll('*'))
      .filter((el) => !el.closest('.cdsp-table-scroll') && el.getBoundingClientRect().right > w + 1)
      .map((el) => `${el.tagName.toLowerCase()}.${Array.from(el.classList).join('.')}`);
    return wide || reaching.length > 0
      ? [`${document.documentElement.scrollWidth}px`, ...reaching.slice(-6)]
      : [];
  }, width);
  assert.deepEqual(culprits, [], `${where}: wider than the ${width}px screen`);
}
