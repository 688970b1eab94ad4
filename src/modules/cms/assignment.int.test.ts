/**
 * Queues and assignment (issue 10): the resolving side's default queue order (codes worked in date-received
 * order, RFA and CDQ, oldest first), customer supervisors assigning their organisation's contacts (routed to it,
 * or raised by it) and the requests it received to colleagues, and the "assigned to me" / "unassigned" filters.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { makeOrg, makeUser, TEST_PASSWORD } from '../../../test/support/factories.ts';
import { makeRequest } from '../../../test/support/factories/cms.ts';
import { signInAndEnrol } from '../../../test/support/web-client.ts';
import {
  act,
  addSite,
  apiFor,
  cmsAppPerSuite,
  GSR_CONTACT,
  raiseAdd,
  userWithApi,
  userWithToken,
  type Api,
} from '../../../test/support/cms.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import { compareQueue } from './domain/queue.ts';

const DAY = 86_400_000;

describe('CMS queues and assignment', () => {
  const t = cmsAppPerSuite();
  let shipper: { id: string; shortCode: string };
  let gt: { id: string; shortCode: string };
  let shipSup: Api;
  let shipUser: Api;
  let shipUserId: string;
  let shipUser2Id: string;
  let shipUser2: Api;
  let gtSup: Api;
  let gtUser: Api;
  let gtColleagueId: string;
  let gtColleague: Api;
  let otherSup: Api;
  let otherUserId: string;
  let cdsp: Api;
  let cdspSup: Api;
  let network: string;

  const auditCount = (action: string) =>
    inScope(t.database.db, SYSTEM_SCOPE, async (trx) =>
      Number(
        (
          await sql<{
            n: string;
          }>`select count(*)::text as n from audit.events where action = ${action}`.execute(trx)
        ).rows[0]!.n,
      ),
    );
  const row = (reference: string) =>
    inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      trx
        .selectFrom('cms.contacts')
        .select(['status', 'version', 'assignee_user_id', 'raiser_assignee_user_id'])
        .where('reference', '=', reference)
        .executeTakeFirstOrThrow(),
    );
  const refs = (res: { json(): unknown }) =>
    (res.json() as { items: { reference: string }[] }).items.map((c) => c.reference);

  /** A GSR: raised by the site's gas transporter, routed to the site's shipper. */
  async function raiseGsr(): Promise<string> {
    const site = await addSite(t, { shipper_short_code: shipper.shortCode, network_name: network });
    const res = await gtUser('POST', '/contacts', { body: { ...GSR_CONTACT, mprn: site } });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().reference as string;
  }

  before(async () => {
    shipper = await makeOrg(t.services, { type: 'shipper' });
    network = `Net assign ${shipper.shortCode}`;
    gt = await makeOrg(t.services, { type: 'gt', networkName: network });
    const other = await makeOrg(t.services, { type: 'shipper' });
    shipSup = await apiFor(t, shipper.shortCode, ['cms_supervisor']);
    ({ api: shipUser, id: shipUserId } = await userWithApi(t, shipper.shortCode, ['cms_user']));
    ({ api: shipUser2, id: shipUser2Id } = await userWithApi(t, shipper.shortCode, ['cms_user']));
    gtSup = await apiFor(t, gt.shortCode, ['cms_supervisor']);
    gtUser = await apiFor(t, gt.shortCode, ['cms_user']);
    ({ api: gtColleague, id: gtColleagueId } = await userWithApi(t, gt.shortCode, ['cms_user']));
    otherSup = await apiFor(t, other.shortCode, ['cms_supervisor']);
    otherUserId = (await userWithToken(t, other.shortCode, ['cms_user'])).id;
    cdsp = await apiFor(t, t.cdsp.shortCode, ['cdsp_resolver']);
    cdspSup = await apiFor(t, t.cdsp.shortCode, ['cdsp_supervisor']);
  });

  test('the RFA queue is oldest received first by default; a mixed queue follows the queue rule, across pages', async () => {
    const site = await addSite(t, {
      shipper_short_code: shipper.shortCode,
      class: '3',
      annual_quantity: '20000',
    });
    const rfa = (await shipUser('GET', '/contact-codes/RFA')).json();
    const reason = rfa.fields.find((f: { name: string }) => f.name === 'adjustment_reason').code_list[0]
      .value;
    const raised: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await shipUser('POST', '/contacts', {
        body: {
          code: 'RFA',
          mprn: site,
          description: `Adjustment ${i}`,
          fields: {
            adjustment_start_date: '2018-01-01',
            adjustment_end_date: '2019-01-01',
            adjustment_reason: reason,
            proposed_read: '1234',
            details: 'Estimated reads were wrong',
          },
        },
      });
      assert.equal(res.statusCode, 201, res.body);
      raised.push(res.json().reference);
      // An ADD in between (due in 10 business days, worked to its due date).
      await raiseAdd(shipUser, site);
      t.clock.advance(DAY);
    }
    t.clock.advance(-3 * DAY);

    const queue = await cdsp('GET', '/contacts?team=invoicing&code=RFA');
    assert.equal(queue.statusCode, 200, queue.body);
    assert.deepEqual(refs(queue), raised, 'oldest received first, by default');
    const newest = await cdsp('GET', '/contacts?team=invoicing&code=RFA&sort=newest');
    assert.deepEqual(refs(newest), [...raised].reverse(), 'the user can still choose another order');
    // The raiser's own list keeps newest first.
    assert.deepEqual(refs(await shipUser('GET', '/contacts?code=RFA&view=raised')), [...raised].reverse());

    // The whole CDSP queue (RFAs and ADDs): the SQL order is the pure rule's, and paging keeps it.
    const all = (await cdsp('GET', '/contacts?view=received&limit=200')).json().items as {
      reference: string;
      code: string;
      raised_at: string;
      due_date: string;
    }[];
    assert.ok(all.length >= 6);
    const workedIn = new Map<string, string>(
      (await cdsp('GET', '/contact-codes'))
        .json()
        .items.map((c: { code: string; worked_in: string }) => [c.code, c.worked_in]),
    );
    const asItem = (c: (typeof all)[number]) => ({
      id: c.reference,
      workedIn: workedIn.get(c.code)!,
      raisedAt: new Date(c.raised_at),
      dueDate: c.due_date,
    });
    const expected = [...all].sort((a, b) => {
      const byRule = compareQueue({ ...asItem(a), id: '' }, { ...asItem(b), id: '' });
      return byRule !== 0 ? byRule : all.indexOf(a) - all.indexOf(b);
    });
    assert.deepEqual(
      all.map((c) => c.reference),
      expected.map((c) => c.reference),
    );
    const firstAdd = all.findIndex((c) => c.code === 'ADD');
    assert.ok(
      firstAdd > all.findIndex((c) => c.reference === raised[2]),
      'the RFAs come before the ADDs due later',
    );
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await cdsp('GET', `/contacts?view=received&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(res.statusCode, 200, res.body);
      paged.push(...refs(res));
      cursor = res.json().next_cursor;
    } while (cursor);
    assert.deepEqual(
      paged,
      all.map((c) => c.reference),
    );
    // A cursor of another order is refused (400), never half-used.
    const other = (await cdsp('GET', '/contacts?view=received&limit=1&sort=newest')).json().next_cursor;
    assert.equal((await cdsp('GET', `/contacts?view=received&cursor=${other}`)).statusCode, 400);
  });

  test('a customer supervisor assigns a routed contact to a colleague, who finds it under “assigned to me”', async () => {
    const ref = await raiseGsr();
    const unassigned = await shipSup('GET', '/contacts?assignee=none&view=received');
    assert.ok(refs(unassigned).includes(ref));
    const view = (await shipSup('GET', `/contacts/${ref}`)).json();
    assert.ok(view.available_actions.includes('assign'));
    const before = await auditCount('contact.assign');
    const res = await shipSup('POST', `/contacts/${ref}/actions`, {
      body: {
        action: 'assign',
        assignee: shipUserId,
        note: 'Supervisor-only: urgent',
        version: view.version,
      },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().status, 'in_progress');
    assert.equal(res.json().assigned_to, res.json().assignee);
    assert.equal(await auditCount('contact.assign'), before + 1, 'audited');
    assert.equal((await row(ref)).assignee_user_id, shipUserId);

    const mine = await shipUser('GET', '/contacts?assignee=me');
    assert.deepEqual(
      refs(mine).filter((r) => r === ref),
      [ref],
    );
    assert.ok(refs(await shipUser('GET', '/contacts?view=mine')).includes(ref));
    assert.ok(!refs(await shipUser2('GET', '/contacts?assignee=me')).includes(ref));
    assert.ok(!refs(await shipSup('GET', '/contacts?assignee=none&view=received')).includes(ref));

    // The assignment note stays with the shipper: the gas transporter (raiser) sees neither note nor its text.
    const raiserSide = JSON.stringify((await gtUser('GET', `/contacts/${ref}/events`)).json());
    assert.doesNotMatch(raiserSide, /Supervisor-only/);
    assert.match(raiserSide, /"assign"/, 'the raiser still sees that it was assigned');
    const raiserNotes = (await gtUser('GET', `/contacts/${ref}`)).json().notes;
    assert.equal(raiserNotes.length, 0);
    const shipperNotes = (await shipUser('GET', `/contacts/${ref}`)).json().notes;
    assert.ok(shipperNotes.some((n: { body: string }) => n.body.includes('Supervisor-only')));

    // The supervisor unassigns it: back to the queue.
    const un = await act(shipSup, ref, { action: 'unassign' });
    assert.equal(un.status, 'open');
    assert.equal((await row(ref)).assignee_user_id, null);
    assert.ok(!refs(await shipUser('GET', '/contacts?assignee=me')).includes(ref));
  });

  test('a plain cms user cannot assign (403); a user of another organisation cannot be chosen (400)', async () => {
    const ref = await raiseGsr();
    const v = (await shipUser('GET', `/contacts/${ref}`)).json();
    assert.ok(!v.available_actions.includes('assign'), 'not offered to a plain user');
    assert.ok(v.available_actions.includes('start'));
    const res = await shipUser('POST', `/contacts/${ref}/actions`, {
      body: { action: 'assign', assignee: shipUser2Id, version: v.version },
    });
    assert.equal(res.statusCode, 403, res.body);
    const own = await raiseAdd(shipUser, await addSite(t, { shipper_short_code: shipper.shortCode }));
    const raised = await shipUser('POST', `/contacts/${own.reference}/actions`, {
      body: { action: 'assign', assignee: shipUser2Id, version: own.version },
    });
    assert.equal(raised.statusCode, 403, raised.body);
    const foreign = await shipSup('POST', `/contacts/${ref}/actions`, {
      body: { action: 'assign', assignee: otherUserId, version: v.version },
    });
    assert.equal(foreign.statusCode, 400, foreign.body);
    assert.deepEqual(await row(ref), {
      status: 'open',
      version: v.version,
      assignee_user_id: null,
      raiser_assignee_user_id: null,
    });
  });

  test('another organisation’s supervisor assigning the contact gets exactly the answer for a missing one', async () => {
    const ref = await raiseGsr();
    const v = (await shipSup('GET', `/contacts/${ref}`)).json();
    const theirs = await otherSup('POST', `/contacts/${ref}/actions`, {
      body: { action: 'assign', assignee: otherUserId, version: v.version },
    });
    const missing = await otherSup('POST', `/contacts/GSR-000000000/actions`, {
      body: { action: 'assign', assignee: otherUserId, version: v.version },
    });
    assert.equal(theirs.statusCode, 404);
    assert.equal(missing.statusCode, 404);
    const sameAs = (x: { json(): Record<string, unknown> }) => {
      const { instance: _instance, request_id: _id, ...rest } = x.json();
      return rest;
    };
    assert.deepEqual(sameAs(theirs), sameAs(missing));
    assert.ok(!refs(await otherSup('GET', '/contacts?assignee=none')).includes(ref));
    assert.equal((await row(ref)).version, v.version, 'nothing changed');
  });

  test('the raising organisation’s supervisor assigns its own contact; the resolving side never sees it', async () => {
    const ref = await raiseGsr();
    assert.ok(refs(await gtSup('GET', '/contacts?assignee=none&view=raised')).includes(ref));
    const v = (await gtSup('GET', `/contacts/${ref}`)).json();
    assert.ok(v.available_actions.includes('assign'));
    assert.ok(!v.available_actions.includes('unassign'));
    const res = await gtSup('POST', `/contacts/${ref}/actions`, {
      body: {
        action: 'assign',
        assignee: gtColleagueId,
        note: 'GT-internal: chase the engineer',
        version: v.version,
      },
    });
    assert.equal(res.statusCode, 200, res.body);
    const c = res.json();
    assert.equal(c.status, 'open', 'the status does not move');
    assert.equal(c.raiser_assignee_user_id, gtColleagueId);
    assert.equal(c.assigned_to, c.raiser_assignee);
    assert.equal(c.assignee, null, 'the resolving side’s assignment is untouched');

    const mine = (await gtColleague('GET', '/contacts?assignee=me')).json().items;
    assert.deepEqual(
      mine
        .filter((x: { reference: string }) => x.reference === ref)
        .map((x: { assigned_to: string }) => x.assigned_to),
      [c.raiser_assignee],
    );
    assert.ok(!refs(await gtSup('GET', '/contacts?assignee=none&view=raised')).includes(ref));
    const csv = (await gtColleague('GET', '/contacts/export?assignee=me')).body.split('\r\n');
    const col = csv[0]!.split(',').indexOf('assigned_to');
    assert.ok(col > 0);
    assert.deepEqual(
      csv.filter((l) => l.startsWith(`${ref},`)).map((l) => l.split(',')[col]),
      [c.raiser_assignee],
      'the export says who has it on your side',
    );
    // The shipper (resolving it) still has it unassigned, sees no raiser assignee and no trace of the event.
    assert.ok(refs(await shipSup('GET', '/contacts?assignee=none&view=received')).includes(ref));
    const seen = (await shipSup('GET', `/contacts/${ref}`)).json();
    assert.equal(seen.raiser_assignee, null);
    assert.equal(seen.raiser_assignee_user_id, null);
    const events = JSON.stringify((await shipSup('GET', `/contacts/${ref}/events`)).json());
    assert.doesNotMatch(events, /GT-internal|"assign"/);
    assert.doesNotMatch(JSON.stringify(seen.notes), /GT-internal/);

    const un = await act(gtSup, ref, { action: 'unassign' });
    assert.equal((un as unknown as { raiser_assignee: string | null }).raiser_assignee, null);
    assert.ok(!refs(await gtColleague('GET', '/contacts?assignee=me')).includes(ref));
  });

  test('requests: the recipient’s supervisor assigns one to a colleague; filters; cross-organisation refused', async () => {
    const site = await addSite(t, { shipper_short_code: shipper.shortCode });
    const r = await makeRequest(cdsp, { to: shipper.shortCode, mprn: site });
    assert.ok(
      (await shipSup('GET', '/requests?assignee=none'))
        .json()
        .items.some((x: { reference: string }) => x.reference === r.reference),
    );
    // A plain user cannot (403); another organisation's supervisor gets not-found, as for a missing request.
    const plain = await shipUser('PUT', `/requests/${r.reference}/assignee`, {
      body: { assignee: shipUserId },
    });
    assert.equal(plain.statusCode, 403);
    const theirs = await otherSup('PUT', `/requests/${r.reference}/assignee`, {
      body: { assignee: otherUserId },
    });
    const missing = await otherSup('PUT', `/requests/DCR-000000000/assignee`, {
      body: { assignee: otherUserId },
    });
    assert.equal(theirs.statusCode, 404);
    assert.equal(missing.statusCode, 404);
    assert.equal(theirs.json().detail, missing.json().detail);
    const cross = await shipSup('PUT', `/requests/${r.reference}/assignee`, {
      body: { assignee: otherUserId },
    });
    assert.equal(cross.statusCode, 400, 'a user of another organisation cannot be chosen');
    // The CDSP sent it, but assignment is the recipient's.
    const bySender = await cdspSup('PUT', `/requests/${r.reference}/assignee`, {
      body: { assignee: shipUserId },
    });
    assert.equal(bySender.statusCode, 403);

    const before = await auditCount('request.assigned');
    const ok = await shipSup('PUT', `/requests/${r.reference}/assignee`, {
      body: { assignee: shipUserId, note: 'Shipper-only note', version: r.version },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().assignee_user_id, shipUserId);
    assert.equal(await auditCount('request.assigned'), before + 1);

    const mine = (await shipUser('GET', '/requests?assignee=me')).json().items;
    assert.deepEqual(
      mine.map((x: { reference: string }) => x.reference),
      [r.reference],
    );
    assert.equal((await shipUser2('GET', '/requests?assignee=me')).json().items.length, 0);
    assert.ok(
      !(await shipSup('GET', '/requests?assignee=none'))
        .json()
        .items.some((x: { reference: string }) => x.reference === r.reference),
    );
    const sender = (await cdsp('GET', `/requests/${r.reference}`)).json();
    assert.equal(sender.assignee, null, 'the CDSP does not see who the recipient chose');
    assert.doesNotMatch(JSON.stringify(sender), /Shipper-only/);
    assert.equal((await cdsp('GET', '/requests?assignee=me')).json().items.length, 0);

    const un = await shipSup('PUT', `/requests/${r.reference}/assignee`, { body: { assignee: null } });
    assert.equal(un.statusCode, 200, un.body);
    assert.equal(un.json().assignee, null);
    assert.equal((await shipUser('GET', '/requests?assignee=me')).json().items.length, 0);
    const stale = await shipSup('PUT', `/requests/${r.reference}/assignee`, {
      body: { assignee: shipUserId, version: r.version },
    });
    assert.equal(stale.statusCode, 409);
  });

  test('web: the supervisor chooses a colleague by name on the contact and request pages', async () => {
    const sup = await makeUser(t.services, {
      orgShortCode: shipper.shortCode,
      roles: ['cms_supervisor'],
      password: TEST_PASSWORD,
    });
    const web = (await signInAndEnrol(t.app, t.clock, sup.email, TEST_PASSWORD)).client;
    const ref = await raiseGsr();
    const page = await web.get(`/contacts/${ref}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<select class="govuk-select[^"]*" id="assignee" name="assignee"/);
    assert.doesNotMatch(page.body, /type="email"[^>]*name="assignee"/, 'no typed email address');
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
    const done = await web.post(
      `/contacts/${ref}/actions`,
      { action: 'assign', assignee: shipUser2Id, version },
      `/contacts/${ref}`,
    );
    assert.equal(done.statusCode, 303, done.body.slice(0, 2000));
    assert.equal((await row(ref)).assignee_user_id, shipUser2Id);
    const list = await web.get('/contacts?view=received&assignee=none');
    assert.equal(list.statusCode, 200);
    assert.doesNotMatch(list.body, new RegExp(ref));
    // The resolving side's view defaults to queue order (the sort select's default option names it).
    assert.match(list.body, /<option value="" selected>Default for this list \(Queue order/);

    const site = await addSite(t, { shipper_short_code: shipper.shortCode });
    const r = await makeRequest(cdsp, { to: shipper.shortCode, mprn: site });
    const rp = await web.get(`/contacts/requests/${r.reference}`);
    assert.equal(rp.statusCode, 200);
    assert.match(rp.body, /End of \d{1,2} [A-Z][a-z]+ \d{4}/, 'a GOV.UK date');
    assert.match(rp.body, /<select class="govuk-select[^"]*" id="assignee" name="assignee"/);
    assert.match(rp.body, new RegExp(`<option value="${shipUserId}"`), 'colleagues by name');
    assert.doesNotMatch(rp.body, new RegExp(otherUserId), 'never another organisation’s users');
    const rv = /name="version" value="(\d+)"/.exec(rp.body)![1]!;
    const assigned = await web.post(
      `/contacts/requests/${r.reference}/assign`,
      { action: 'assign', assignee: shipUserId, version: rv },
      `/contacts/requests/${r.reference}`,
    );
    assert.equal(assigned.statusCode, 303, assigned.body.slice(0, 2000));
    const listed = await web.get('/contacts/requests?assignee=none');
    assert.doesNotMatch(listed.body, new RegExp(r.reference));
  });
});
