import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { makeOrg, makeUser, TEST_PASSWORD } from '../../../test/support/factories.ts';
import { makeLoad, makeSupplyPoints, type SupplyPointRow } from '../../../test/support/factories/des.ts';
import { signIn, signInAndEnrol, type WebClient } from '../../../test/support/web-client.ts';
import {
  act,
  apiAs,
  createCmsTestApp,
  nextMprn,
  raiseAdd,
  REGISTER_DATE,
  userWithToken,
  type Api,
  type CmsTestApp,
} from '../../../test/support/cms.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';

interface ContactJson {
  reference: string;
  version: number;
  status: string;
  outcome: string | null;
  outcome_label: string | null;
  reason_code: string | null;
  reason_label: string | null;
  expected_register_change: {
    field: string;
    field_label: string;
    value: string;
    status: string;
    updated_on: string | null;
    checked_for: string | null;
    text: string;
  } | null;
}

describe('CMS resolution: outcomes, rejection reasons, the expected register change', () => {
  let t: CmsTestApp;
  let raiser: Api;
  let resolver: Api;
  let outsider: Api;
  let admin: Api;
  let site: SupplyPointRow;
  const web: Record<'raiser' | 'resolver' | 'admin', { email: string; secret: string; client: WebClient }> =
    {} as never;

  const get = async (api: Api, reference: string) =>
    (await api('GET', `/contacts/${reference}`)).json() as ContactJson;
  const post = async (api: Api, reference: string, body: Record<string, unknown>) => {
    const current = await get(resolver, reference);
    return api('POST', `/contacts/${reference}/actions`, { body: { ...body, version: current.version } });
  };
  const rowOf = async (reference: string) =>
    inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      trx.selectFrom('cms.contacts').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow(),
    );
  const auditCount = async () =>
    inScope(t.database.db, SYSTEM_SCOPE, async (trx) =>
      Number(
        (await sql<{ n: string }>`select count(*)::text as n from audit.events`.execute(trx)).rows[0]!.n,
      ),
    );
  /** A contact raised by the shipper and started by the CDSP resolver. */
  const started = async () => {
    const c = await raiseAdd(raiser, site['mprn']!);
    await act(resolver, c.reference, { action: 'start' });
    return c.reference;
  };
  const page = async (who: 'raiser' | 'resolver' | 'admin', url: string) => {
    const res = await web[who].client.get(url);
    assert.equal(res.statusCode, 200, `${who} ${url}: ${res.statusCode}`);
    return res.body;
  };

  before(async () => {
    t = await createCmsTestApp();
    const shipper = await makeOrg(t.services, { type: 'shipper' });
    const other = await makeOrg(t.services, { type: 'shipper' });
    raiser = apiAs(t, (await userWithToken(t, shipper.shortCode, ['cms_user'])).token);
    resolver = apiAs(t, (await userWithToken(t, t.cdsp.shortCode, ['cdsp_resolver'])).token);
    outsider = apiAs(t, (await userWithToken(t, other.shortCode, ['cms_supervisor'])).token);
    admin = apiAs(t, (await userWithToken(t, t.cdsp.shortCode, ['cdsp_admin'])).token);
    const people = [
      ['raiser', shipper.shortCode, 'cms_user'],
      ['resolver', t.cdsp.shortCode, 'cdsp_resolver'],
      ['admin', t.cdsp.shortCode, 'cdsp_admin'],
    ] as const;
    for (const [who, org, role] of people) {
      const u = await makeUser(t.services, { orgShortCode: org, roles: [role], password: TEST_PASSWORD });
      const s = await signInAndEnrol(t.app, t.clock, u.email, TEST_PASSWORD);
      web[who] = { email: u.email, secret: s.secret, client: s.client };
    }
    // The shipper's supply point, through the real loader (as at the register date the CMS sees as D-1).
    site = makeSupplyPoints(1, {
      seed: 23,
      with: () => ({
        mprn: nextMprn(),
        shipper_short_code: shipper.shortCode,
        class: '4',
        annual_quantity: '12000',
        meter_point_status: 'LI',
        street: 'Old Street',
      }),
    })[0]!;
    await makeLoad(t.services, [site], { businessDate: REGISTER_DATE });
  });
  after(() => t.cleanup());

  test('resolve without an outcome, or with one that is not the code’s, is refused (400 problem+json); nothing changes', async () => {
    const reference = await started();
    const before = await rowOf(reference);
    const events = await auditCount();
    for (const body of [
      { action: 'resolve', note: 'Done' },
      { action: 'resolve', note: 'Done', outcome: 'FIXED' },
      { action: 'resolve', note: 'Done', outcome: 'DUPLICATE' }, // a rejection reason, not an outcome
    ]) {
      const res = await post(resolver, reference, body);
      assert.equal(res.statusCode, 400, res.body);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      assert.ok(
        (res.json() as { errors: { field: string }[] }).errors.some((e) => e.field === 'outcome'),
        res.body,
      );
    }
    const after = await rowOf(reference);
    assert.equal(after.version, before.version);
    assert.equal(after.status, 'in_progress');
    assert.equal(await auditCount(), events);
  });

  test('reject with an unknown reason is refused (400); a known one is recorded with its label, for both sides', async () => {
    const reference = await started();
    for (const reason_code of [undefined, 'NOT_A_REASON', 'ADDRESS_UPDATED']) {
      const res = await post(resolver, reference, { action: 'reject', note: 'No', reason_code });
      assert.equal(res.statusCode, 400, res.body);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    }
    assert.equal((await rowOf(reference)).status, 'in_progress');
    const res = await post(resolver, reference, {
      action: 'reject',
      note: 'Seen before',
      reason_code: 'DUPLICATE',
    });
    assert.equal(res.statusCode, 200, res.body);
    for (const api of [raiser, resolver]) {
      const c = await get(api, reference);
      assert.equal(c.status, 'rejected');
      assert.equal(c.reason_code, 'DUPLICATE');
      assert.equal(c.reason_label, 'Duplicate of a contact already raised');
      assert.equal(c.outcome, null);
    }
    const html = await page('raiser', `/contacts/${reference}`);
    assert.match(html, /Reason for rejection/);
    assert.match(html, /Duplicate of a contact already raised/);
    assert.match(html, /Rejected: Duplicate of a contact already raised/, 'the timeline names the reason');
  });

  test('the outcome is shown to both sides (API, page, list, CSV), and to a third organisation not at all', async () => {
    const reference = await started();
    const res = await post(resolver, reference, {
      action: 'resolve',
      note: 'Corrected',
      outcome: 'ADDRESS_UPDATED',
    });
    assert.equal(res.statusCode, 200, res.body);
    const label = 'Address updated on the register';
    for (const api of [raiser, resolver]) {
      const c = await get(api, reference);
      assert.equal(c.outcome, 'ADDRESS_UPDATED');
      assert.equal(c.outcome_label, label);
      assert.equal(c.expected_register_change, null);
      const list = (await api('GET', `/contacts?mprn=${site['mprn']}&limit=200`)).json() as {
        items: ContactJson[];
      };
      assert.equal(list.items.find((x) => x.reference === reference)?.outcome_label, label);
    }
    for (const who of ['raiser', 'resolver'] as const) {
      const html = await page(who, `/contacts/${reference}`);
      assert.match(html, new RegExp(`id="contact-outcome">${label}<`));
      assert.doesNotMatch(html, /id="contact-outcome">ADDRESS_UPDATED/, 'the label, not the code');
      assert.match(html, new RegExp(`Resolved: ${label}`));
      const list = await page(who, `/contacts?mprn=${site['mprn']}`);
      assert.match(list, new RegExp(`Outcome: ${label}`));
      const csv = await web[who].client.get(`/contacts/export.csv?mprn=${site['mprn']}`);
      assert.equal(csv.statusCode, 200);
      const [header, ...rows] = csv.body.trim().split('\r\n');
      const cols = header!.split(',');
      const row = rows.find((r) => r.startsWith(`${reference},`))!.split(',');
      assert.equal(row[cols.indexOf('outcome')], 'ADDRESS_UPDATED');
      assert.equal(row[cols.indexOf('outcome_label')], label);
    }
    // A third organisation: exactly the answer for a contact that does not exist.
    const mine = await outsider('GET', `/contacts/${reference}`);
    const none = await outsider('GET', `/contacts/ADD-ZZZZZZ`);
    assert.equal(mine.statusCode, 404);
    const answer = (r: typeof mine, ref: string) => {
      const { request_id: _id, ...rest } = r.json() as Record<string, unknown>;
      return JSON.stringify(rest).replace(ref, 'X');
    };
    assert.equal(answer(mine, reference), answer(none, 'ADD-ZZZZZZ'));
    const list = (await outsider('GET', `/contacts?limit=200`)).json() as { items: ContactJson[] };
    assert.ok(!list.items.some((x) => x.reference === reference));
    // The audit event of the resolve names the outcome (written with the change).
    const { id } = await rowOf(reference);
    const audit = await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      t.services.audit.forSubject(trx, 'contact', id),
    );
    const resolved = audit.find((e) => e.action === 'contact.resolve')!;
    assert.equal(resolved.details['outcome'], 'ADDRESS_UPDATED');
    assert.equal(resolved.details['outcome_label'], label);
  });

  test('the contact page offers the code’s outcomes and reasons by label, and its register fields', async () => {
    const reference = await started();
    const html = await page('resolver', `/contacts/${reference}`);
    assert.match(html, /<select class="govuk-select[^"]*" id="outcome" name="outcome"/);
    assert.match(html, /<option value="ADDRESS_UPDATED"[^>]*>Address updated on the register<\/option>/);
    assert.match(html, /<option value="ADDRESS_NOT_VERIFIED"[^>]*>Proposed address could not be verified/);
    assert.match(html, /<option value="street"[^>]*>Street<\/option>/);
    assert.doesNotMatch(html, /<option value="annual_quantity"/, 'only the register fields of the code');
    // The web form refuses a missing outcome with the page and an error summary.
    const form = await web.resolver.client.post(
      `/contacts/${reference}/actions`,
      {
        action: 'resolve',
        note: 'x',
        outcome: '',
        version: String((await get(resolver, reference)).version),
      },
      `/contacts/${reference}`,
    );
    assert.equal(form.statusCode, 400);
    assert.match(form.body, /govuk-error-summary/);
    assert.match(form.body, /href="#outcome"/);
  });

  test('an expected change must name one of the code’s register fields, and a value', async () => {
    const reference = await started();
    for (const change of [
      { field: 'annual_quantity', value: '1' },
      { field: 'meter_installation_date', value: '2020-01-01' },
      { field: 'street', value: '' },
      { field: 'street', value: 'x'.repeat(201) },
    ]) {
      const res = await post(resolver, reference, {
        action: 'resolve',
        note: 'x',
        outcome: 'ADDRESS_UPDATED',
        expected_register_change: change,
      });
      assert.equal(res.statusCode, 400, JSON.stringify(change));
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    }
    assert.equal((await rowOf(reference)).status, 'in_progress');
  });

  test('the expected change: "not yet" until a register load shows it, then "Register updated on" its date', async () => {
    const reference = await started();
    // On the web, as a resolver would: outcome and expected change from the form.
    const version = String((await get(resolver, reference)).version);
    const done = await web.resolver.client.post(
      `/contacts/${reference}/actions`,
      {
        action: 'resolve',
        note: 'Street corrected',
        outcome: 'ADDRESS_UPDATED',
        expected_field: 'street',
        expected_value: 'station road',
        version,
      },
      `/contacts/${reference}`,
    );
    assert.equal(done.statusCode, 303, done.body.slice(0, 2000));
    const before = await get(raiser, reference);
    assert.deepEqual(before.expected_register_change, {
      field: 'street',
      field_label: 'Street',
      value: 'station road',
      status: 'not_yet',
      updated_on: null,
      checked_for: null,
      text: 'Not yet in the register',
    });
    assert.match(
      await page('raiser', `/contacts/${reference}`),
      /Street: station road<br>.*Not yet in the register/s,
    );

    // The next day's load (for 2 March, today's business date) still has the old street: not yet.
    t.clock.set(new Date('2026-03-03T06:00:00Z'));
    await makeLoad(t.services, [{ ...site, house_name: 'Rose Cottage' }], { businessDate: '2026-03-02' });
    const notYet = await get(raiser, reference);
    assert.equal(notYet.expected_register_change?.status, 'not_yet');
    assert.equal(notYet.expected_register_change?.checked_for, '2026-03-02');
    assert.equal(notYet.expected_register_change?.text, 'Not yet in the register');

    // The load for 3 March has the new street: updated on that business date, for both sides.
    t.clock.set(new Date('2026-03-04T06:00:00Z'));
    await makeLoad(t.services, [{ ...site, house_name: 'Rose Cottage', street: 'Station Road' }], {
      businessDate: '2026-03-03',
    });
    for (const api of [raiser, resolver]) {
      const c = await get(api, reference);
      assert.equal(c.expected_register_change?.status, 'updated');
      assert.equal(c.expected_register_change?.updated_on, '2026-03-03');
      assert.equal(c.expected_register_change?.text, 'Register updated on 3 March 2026');
    }
    for (const who of ['raiser', 'resolver'] as const) {
      web[who].client = await signIn(t.app, t.clock, web[who].email, TEST_PASSWORD, web[who].secret);
      const html = await page(who, `/contacts/${reference}`);
      assert.match(html, /Register updated on 3 March 2026/);
    }
    // Audited on the contact, once: a later load changes nothing.
    const row = await rowOf(reference);
    const checks = async () =>
      (
        await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
          t.services.audit.forSubject(trx, 'contact', row.id),
        )
      ).filter((e) => e.action === 'contact.register_checked');
    assert.equal((await checks()).length, 1);
    t.clock.set(new Date('2026-03-05T06:00:00Z'));
    await makeLoad(t.services, [{ ...site, house_name: 'Rose Cottage', street: 'Other Road' }], {
      businessDate: '2026-03-04',
    });
    assert.equal((await get(raiser, reference)).expected_register_change?.updated_on, '2026-03-03');
    assert.equal((await checks()).length, 1);
    assert.equal((await rowOf(reference)).version, row.version, 'a check is not a change anyone acts on');
    // Reopening clears the outcome and the expected change.
    await act(raiser, reference, { action: 'reopen', note: 'Not right' });
    const reopened = await get(raiser, reference);
    assert.equal(reopened.outcome, null);
    assert.equal(reopened.expected_register_change, null);
  });

  test('the catalogue page shows public and default attributes and edits the lists, which then apply', async () => {
    web.admin.client = await signIn(t.app, t.clock, web.admin.email, TEST_PASSWORD, web.admin.secret);
    const html = await page('admin', '/contacts/codes/DMQ');
    assert.match(html, /Daily read corrected/);
    // Who may raise it, in words: DMQ is raised by shippers (not the code "SHIPPER").
    assert.match(html, /Raised by\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*Shipper\s*<\/dd>/);
    assert.match(
      html,
      /<th scope="row" class="govuk-table__header">Name<\/th><td class="govuk-table__cell">Public: Xoserve CMS user guide/,
    );
    assert.match(
      html,
      /<th scope="row" class="govuk-table__header">Target<\/th><td class="govuk-table__cell">Project default/,
    );
    const mus = await page('admin', '/contacts/codes/MUS');
    assert.match(mus, /Target<\/th><td class="govuk-table__cell">Public: UNC/);

    const def = (await admin('GET', '/contact-codes/ADD')).json() as { version: number; outcomes: unknown[] };
    assert.equal(def.outcomes.length, 3);
    const form = (await page('admin', '/contacts/codes/ADD')).match(
      /<textarea[^>]*name="outcomes"[^>]*>([^<]*)</,
    )!;
    assert.match(form[1]!, /ADDRESS_UPDATED: Address updated on the register/);
    const fields = async (over: Record<string, string>) => {
      const body = await page('admin', '/contacts/codes/ADD');
      const value = (name: string) =>
        new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(body)?.[1] ??
        new RegExp(`name="${name}"[^>]*>([^<]*)<`).exec(body)?.[1] ??
        '';
      return {
        name: value('name'),
        description: value('description').replace(/&#39;/g, "'").replace(/&amp;/g, '&'),
        target_business_days: value('target_business_days'),
        response_window_business_days: value('response_window_business_days'),
        challenge_window_business_days: value('challenge_window_business_days'),
        portfolio_check: 'yes',
        raised_by: ['shipper', 'gt', 'igt'],
        outcomes: value('outcomes').replace(/&amp;/g, '&'),
        rejection_reasons: value('rejection_reasons').replace(/&#39;/g, "'").replace(/&amp;/g, '&'),
        version: value('version'),
        ...over,
      };
    };
    const bad = await web.admin.client.post(
      '/contacts/codes/ADD',
      await fields({ outcomes: 'NO LABEL HERE' }),
      '/contacts/codes/ADD',
    );
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /href="#outcomes"/);
    const good = await web.admin.client.post(
      '/contacts/codes/ADD',
      await fields({
        outcomes: 'ADDRESS_UPDATED: Address updated on the register\nPLOT_CONVERTED: Plot address converted',
      }),
      '/contacts/codes/ADD',
    );
    assert.equal(good.statusCode, 303, good.body.slice(0, 3000));
    const after = (await admin('GET', '/contact-codes/ADD')).json() as { outcomes: { value: string }[] };
    assert.deepEqual(
      after.outcomes.map((o) => o.value),
      ['ADDRESS_UPDATED', 'PLOT_CONVERTED'],
    );
    // The new outcome is offered and accepted; the removed one is refused.
    const reference = await started();
    assert.equal(
      (await post(resolver, reference, { action: 'resolve', note: 'x', outcome: 'ADDRESS_CONFIRMED' }))
        .statusCode,
      400,
    );
    const ok = await post(resolver, reference, { action: 'resolve', note: 'x', outcome: 'PLOT_CONVERTED' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal((await get(raiser, reference)).outcome_label, 'Plot address converted');
    // A PUT that leaves the lists out keeps them.
    const current = (await admin('GET', '/contact-codes/ADD')).json() as Record<string, unknown>;
    const {
      code: _c,
      updated_at: _u,
      outcomes: _o,
      rejection_reasons: _r,
      register_fields: _f,
      public_sources: _p,
      ...rest
    } = current;
    const put = await admin('PUT', '/contact-codes/ADD', { body: rest });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(
      (put.json() as { outcomes: { value: string }[] }).outcomes.map((o) => o.value),
      ['ADDRESS_UPDATED', 'PLOT_CONVERTED'],
    );
    const unknownField = await admin('PATCH', '/contact-codes/ADD', {
      body: {
        register_fields: ['street', 'meter_installation_date'],
        version: (put.json() as { version: number }).version,
      },
    });
    assert.equal(unknownField.statusCode, 400, unknownField.body);
  });
});
