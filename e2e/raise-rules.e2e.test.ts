/**
 * Issue 10's raise rules in a real Chromium: a DMSP is offered the RFA and raises it for a Class 1 site it is
 * appointed to; the registered shipper finds it and reads it (raised on its behalf); the shipper's DMQ on a site no
 * DMSP serves is refused naming what is missing; the CDSP administrator finds that attempt in its list. axe (WCAG
 * 2.2 AA) on every page visited, and no page logs an error but the refused form's 400.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { browserSuite, signInAndEnrol, visit, watchForErrors } from './helpers.ts';
import { makeOrg, makeUser, TEST_ACTOR, TEST_PASSWORD } from '../test/support/factories.ts';
import { generateRegister, writeLoadFile } from '../src/modules/des/index.ts';

describe('raise rules in Chromium', () => {
  const suite = browserSuite({ now: new Date('2026-03-05T10:00:00Z') });

  test('a DMSP raises a Class 1 RFA for the shipper, who reads it; an unroutable DMQ reaches the CDSP’s list', async () => {
    await makeOrg(suite.server.services, { shortCode: 'RRA', type: 'shipper', name: 'Ridge Shipping' });
    await makeOrg(suite.server.services, { shortCode: 'RRD', type: 'dmsp', name: 'Ridge Daily Metering' });
    const cdsp = await makeOrg(suite.server.services, { type: 'cdsp', name: 'CDSP' });
    const user = (org: string, roles: string[], name: string) =>
      makeUser(suite.server.services, { orgShortCode: org, roles, name, password: TEST_PASSWORD });
    const shipperUser = await user('RRA', ['cms_user'], 'Sid Shipper');
    const dmspUser = await user('RRD', ['cms_user'], 'Dee Metering');
    const admin = await user(cdsp.shortCode, ['cdsp_admin'], 'Ada Admin');

    // The register through the real loader: the generator's Class 1 site and a Class 4 one of the same shipper.
    const rows = [
      ...generateRegister({
        count: 400,
        seed: 5,
        orgs: { shippers: ['RRA'], suppliers: ['RRU'], mams: ['RRM'], igts: [] },
        businessDate: '2026-03-02',
      }),
    ];
    const path = join(suite.dir, 'register.csv');
    await writeLoadFile(path, rows);
    await suite.server.services.des.loads.load({
      path,
      businessDate: '2026-03-02',
      actor: TEST_ACTOR,
      source: 'seed',
    });
    const classOne = rows.find((r) => r['class'] === '1' && r['shipper_short_code'] === 'RRA')!;
    const classFour = rows.find(
      (r) => r['class'] === '4' && r['shipper_short_code'] === 'RRA' && r['meter_point_status'] === 'LI',
    )!;
    await suite.server.services.appointments.add(
      {
        role: 'dmsp',
        organisation: 'RRD',
        ldz: classOne['ldz_id']!,
        classes: [1],
        effective_from: '2026-01-01',
      },
      TEST_ACTOR,
    );

    // The DMSP: RFA is offered, and raised for the Class 1 site.
    const dp = await (await suite.browser.newContext()).newPage();
    const dmspErrors = watchForErrors(dp);
    await signInAndEnrol(dp, suite.server, dmspUser.email, TEST_PASSWORD);
    await dp.goto(`${suite.server.baseUrl}/contacts/new`);
    await visit(dp, /^What kind of contact do you want to raise\?$/);
    const offered = await dp
      .locator('input[name="code"]')
      .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    assert.deepEqual(offered.sort(), ['ENQ', 'FILE', 'RFA']);
    await dp.getByLabel(/RFA: Request For Adjustment/).check();
    await dp.getByRole('button', { name: 'Continue' }).click();
    await visit(dp, /Request For Adjustment/);
    await dp.getByLabel('MPRN').fill(classOne['mprn']!);
    await dp.locator('textarea[name="description"]').fill('Daily reads were estimated for January.');
    await dp.locator('[name="fields.adjustment_start_date"]').fill('2026-01-01');
    await dp.locator('[name="fields.adjustment_end_date"]').fill('2026-01-31');
    await dp.locator('select[name="fields.adjustment_reason"]').selectOption({ index: 1 });
    await dp.locator('[name="fields.proposed_read"]').fill('123456');
    await dp.locator('textarea[name="fields.details"]').fill('Reads keyed wrongly');
    await dp.getByRole('button', { name: 'Raise contact' }).click();
    await dp.waitForURL(/\/contacts\/RFA-[A-Z0-9]+\?raised=1$/);
    const reference = /\/contacts\/(RFA-[A-Z0-9]+)/.exec(dp.url())![1]!;
    await visit(dp, new RegExp(`^Contact ${reference}$`));
    assert.match(await dp.locator('#contact-on-behalf-of').innerText(), /Ridge Shipping \(RRA\)/);
    assert.deepEqual(dmspErrors, []);

    // The registered shipper finds it in its list and reads it; its DMQ on a site no DMSP serves is refused.
    const sp = await (await suite.browser.newContext()).newPage();
    const shipperErrors = watchForErrors(sp);
    await signInAndEnrol(sp, suite.server, shipperUser.email, TEST_PASSWORD);
    await sp.goto(`${suite.server.baseUrl}/contacts`);
    await visit(sp, /^Contacts$/);
    await sp.getByRole('link', { name: reference, exact: true }).click();
    await visit(sp, new RegExp(`^Contact ${reference}$`));
    assert.match(await sp.locator('#contact-on-behalf-of').innerText(), /Ridge Shipping/);
    assert.equal(await sp.getByRole('button', { name: 'Add note' }).count(), 0);
    await sp.goto(`${suite.server.baseUrl}/contacts/new/DMQ`);
    await visit(sp, /Daily Metered Query/);
    await sp.getByLabel('MPRN').fill(classFour['mprn']!);
    await sp.locator('textarea[name="description"]').fill('No read for the gas day.');
    await sp.locator('select[name="fields.query_type"]').selectOption({ index: 1 });
    await sp.locator('[name="fields.gas_day"]').fill('2026-03-01');
    await sp.locator('textarea[name="fields.details"]').fill('Missing read');
    await sp.getByRole('button', { name: 'Raise contact' }).click();
    await visit(sp, /Daily Metered Query/);
    assert.match(
      await sp.locator('.govuk-error-summary').innerText(),
      /No Daily Metered Service Provider is appointed for this supply point today .*Ask the CDSP service desk/,
    );
    const expected400 = (e: string) =>
      /^HTTP 400: \S+\/contacts\/new\/DMQ$|status of 400 \(Bad Request\)/.test(e);
    assert.equal(shipperErrors.filter(expected400).length, 2, shipperErrors.join('\n'));
    assert.deepEqual(
      shipperErrors.filter((e) => !expected400(e)),
      [],
    );

    // The CDSP administrator: the attempt in its list, linked from the contacts page.
    const ap = await (await suite.browser.newContext()).newPage();
    const adminErrors = watchForErrors(ap);
    await signInAndEnrol(ap, suite.server, admin.email, TEST_PASSWORD);
    await ap.goto(`${suite.server.baseUrl}/contacts`);
    await visit(ap, /^Contacts$/);
    await ap.getByRole('link', { name: 'Contacts that could not be routed' }).click();
    await visit(ap, /^Contacts that could not be routed$/);
    const table = await ap.locator('table').innerText();
    assert.match(table, /Ridge Shipping/);
    assert.match(table, /Sid Shipper/);
    assert.match(table, /Daily Metered Query/);
    assert.ok(table.includes(classFour['mprn']!));
    assert.match(table, /5 March 2026/);
    await ap.setViewportSize({ width: 390, height: 800 });
    await visit(ap, /^Contacts that could not be routed$/);
    assert.deepEqual(adminErrors, []);
  });
});
