/**
 * The audit view (API, CSV and page): an LSO sees its own organisation's trail and nothing of another's ("not yours"
 * answers exactly as "none"), a CDSP administrator sees every organisation's; filters, paging, bad input.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import {
  actorFor,
  makeApiKey,
  makeLso,
  makeOrg,
  makeUser,
  TEST_PASSWORD,
} from '../../../test/support/factories.ts';
import { signInAndEnrol, type WebClient } from '../../../test/support/web-client.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import type { AuditActor } from './audit.service.ts';
import { AuditTrailService } from './audit.trail.ts';

const MAR_2 = new Date('2026-03-02T10:00:00Z');
const MAR_4 = new Date('2026-03-04T09:00:00Z');

describe('audit view', () => {
  let t: TestApp;
  let orgA: { id: string; shortCode: string };
  let orgB: { id: string; shortCode: string };
  let userA: { id: string; email: string };
  let userB: { id: string; email: string };
  let lsoAWeb: WebClient;
  const tokens: Record<'lsoA' | 'lsoB' | 'admin' | 'worker', string> = {
    lsoA: '',
    lsoB: '',
    admin: '',
    worker: '',
  };

  const get = (who: keyof typeof tokens, url: string) =>
    t.app.inject({
      method: 'GET',
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${tokens[who]}` },
    });
  const items = async (who: keyof typeof tokens, query = '') => {
    const res = await get(who, `/audit-events?limit=500${query}`);
    assert.equal(res.statusCode, 200, res.body);
    return (
      res.json() as {
        items: {
          seq: string;
          occurred_at: string;
          action: string;
          actor: { organisation_id: string | null };
          on_behalf_of: { organisation_id: string } | null;
          subject_id: string;
          by: string;
          action_label: string;
        }[];
      }
    ).items;
  };
  const record = (actor: AuditActor, action: string, subjectType: string, subjectId: string) =>
    inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      t.services.audit.record(trx, { actor, action, subjectType, subjectId, details: { channel: 'web' } }),
    );
  /** An independent count: the events of an organisation (its people's, or done for it), or all, newest first. */
  const seqsWhere = async (orgId: string | null) =>
    inScope(t.database.db, SYSTEM_SCOPE, async (trx) => {
      const rows = orgId
        ? await sql<{ s: string }>`select seq::text as s from audit.events
            where organisation_id = ${orgId} or on_behalf_of_organisation_id = ${orgId} order by seq desc`.execute(
            trx,
          )
        : await sql<{ s: string }>`select seq::text as s from audit.events order by seq desc`.execute(trx);
      return rows.rows.map((r) => r.s);
    });

  before(async () => {
    t = await createTestApp({ now: MAR_2 });
    const a = await makeLso(t.services, { type: 'shipper' });
    const b = await makeLso(t.services, { type: 'shipper' });
    [orgA, orgB] = [a.org, b.org];
    const cdsp = await makeOrg(t.services, { type: 'cdsp', name: 'CDSP' });
    const admin = await makeUser(t.services, { orgShortCode: cdsp.shortCode, roles: ['cdsp_admin'] });
    const worker = await makeUser(t.services, { orgShortCode: orgA.shortCode, roles: ['cms_user'] });
    tokens.lsoA = (await makeApiKey(t.services, a.user.email)).token;
    tokens.lsoB = (await makeApiKey(t.services, b.user.email)).token;
    tokens.admin = (await makeApiKey(t.services, admin.email)).token;
    tokens.worker = (await makeApiKey(t.services, worker.email)).token;
    // Each LSO invites a user through the console (user.created / user.invited, by the LSO, for its organisation).
    const lsoA = await actorFor(t.services, a.user.email);
    const lsoB = await actorFor(t.services, b.user.email);
    userA = await t.services.lso.inviteUser(lsoA, {
      organisationId: orgA.id,
      email: 'amy@a.test',
      name: 'Amy Able',
      roles: ['des_user'],
    });
    userB = await t.services.lso.inviteUser(lsoB, {
      organisationId: orgB.id,
      email: 'bob@b.test',
      name: 'Bob Baker',
      roles: ['des_user'],
    });
    // Supply points viewed (as DES records them), two days later; and a CDSP administrator acting for A.
    t.clock.set(MAR_4);
    await record(
      { userId: userA.id, label: userA.email, organisationId: orgA.id },
      'des.enquiry.current',
      'supply_point',
      '1234567890',
    );
    await record(
      { userId: userB.id, label: userB.email, organisationId: orgB.id },
      'des.enquiry.current',
      'supply_point',
      '9876543210',
    );
    await record(
      { userId: admin.id, label: admin.email, organisationId: cdsp.id, onBehalfOfOrganisationId: orgA.id },
      'user.roles_changed',
      'user',
      userA.id,
    );
    lsoAWeb = (await signInAndEnrol(t.app, t.clock, a.user.email, TEST_PASSWORD)).client;
  });
  after(() => t.cleanup());

  test('an LSO sees exactly its organisation’s events (its people’s and those done for it), newest first; a CDSP administrator sees all', async () => {
    const mine = await items('lsoA');
    assert.deepEqual(
      mine.map((e) => e.seq),
      await seqsWhere(orgA.id),
    );
    assert.ok(mine.length >= 4, String(mine.length));
    for (const e of mine)
      assert.ok(
        e.actor.organisation_id === orgA.id || e.on_behalf_of?.organisation_id === orgA.id,
        JSON.stringify(e),
      );
    assert.ok(mine.some((e) => e.action === 'des.enquiry.current' && e.subject_id === '1234567890'));
    const forA = mine.find((e) => e.action === 'user.roles_changed')!;
    assert.equal(forA.action_label, 'User roles changed');
    assert.match(forA.by, /^Test User \d+ \(.+@test\.example\), CDSP$/);
    const viewed = mine.find((e) => e.action === 'des.enquiry.current')!;
    assert.equal(
      viewed.by,
      `Amy Able (amy@a.test), ${(await t.services.identity.listOrganisations()).find((o) => o.id === orgA.id)!.name}`,
    );
    assert.deepEqual(
      (await items('lsoB')).map((e) => e.seq),
      await seqsWhere(orgB.id),
    );
    assert.deepEqual(
      (await items('admin')).map((e) => e.seq),
      await seqsWhere(null),
    );
  });

  test('another organisation’s user or subject answers exactly as one that does not exist', async () => {
    const none = (await get('lsoA', '/audit-events?user=nobody@nowhere.test')).body;
    assert.equal(none, '{"items":[],"next_cursor":null}');
    for (const q of [`user=${userB.email}`, `user=${userB.id}`]) {
      const none2 = (
        await get(
          'lsoA',
          `/audit-events?user=${encodeURIComponent(q.includes('@') ? 'nobody@nowhere.test' : '00000000-0000-4000-8000-000000000000')}`,
        )
      ).body;
      assert.equal((await get('lsoA', `/audit-events?${q}`)).body, none2);
      assert.equal(none2, none);
    }
    assert.equal(
      (await get('lsoA', '/audit-events?subject=9876543210')).body,
      (await get('lsoA', '/audit-events?subject=0000000000')).body,
    );
    assert.equal((await get('lsoB', `/audit-events?subject=${userA.id}`)).body, none);
    const csvTheirs = (await get('lsoA', `/audit-events/export?user=${userB.email}`)).body;
    assert.equal(csvTheirs, (await get('lsoA', '/audit-events/export?user=nobody@nowhere.test')).body);
    assert.equal(csvTheirs.split('\r\n').length, 2, 'the header only');
    // The other side sees what A cannot: the filter works, it is the organisation that is narrowed.
    assert.equal((await items('lsoB', '&subject=9876543210')).length, 1);
  });

  test('filters: action, user (email or id), subject, London dates; paging newest first covers the same events', async () => {
    const viewed = await items('lsoA', '&action=des.enquiry.current');
    assert.deepEqual(
      viewed.map((e) => e.subject_id),
      ['1234567890'],
    );
    assert.deepEqual(
      (await items('lsoA', `&user=${userA.email.toUpperCase()}`)).map((e) => e.seq),
      viewed.map((e) => e.seq),
    );
    assert.deepEqual(
      (await items('lsoA', `&user=${userA.id}`)).map((e) => e.seq),
      viewed.map((e) => e.seq),
    );
    assert.deepEqual(
      (await items('lsoA', '&subject=1234567890')).map((e) => e.seq),
      viewed.map((e) => e.seq),
    );
    const all = await items('lsoA');
    const onThe2nd = await items('lsoA', '&from=2026-03-02&to=2026-03-02');
    const fromThe3rd = await items('lsoA', '&from=2026-03-03');
    assert.ok(onThe2nd.length > 0 && fromThe3rd.length > 0);
    assert.ok(onThe2nd.every((e) => e.occurred_at.startsWith('2026-03-02')));
    assert.ok(fromThe3rd.every((e) => e.occurred_at >= '2026-03-03'));
    assert.deepEqual(
      [...fromThe3rd, ...onThe2nd].map((e) => e.seq),
      all.map((e) => e.seq),
    );
    const paged: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const res = await get('lsoA', `/audit-events?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      const body = res.json() as { items: { seq: string }[]; next_cursor: string | null };
      paged.push(...body.items.map((e) => e.seq));
      cursor = body.next_cursor;
    }
    assert.deepEqual(
      paged,
      all.map((e) => e.seq),
    );
  });

  test('CSV export: the same events with labels, names and London wall-clock times', async () => {
    const res = await get('lsoA', '/audit-events/export?action=des.enquiry.current');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    const lines = res.body.trimEnd().split('\r\n');
    assert.equal(
      lines[0],
      'sequence,occurred_at_london,action,action_label,by,actor_email,actor_organisation,on_behalf_of,subject_type,subject_id,subject,details,hash',
    );
    assert.equal(lines.length, 2);
    assert.ok(
      lines[1]!.includes(
        ',2026-03-04T09:00:00,des.enquiry.current,Viewed a supply point,"Amy Able (amy@a.test), Test Organisation',
      ),
      lines[1],
    );
    // In BST the London time is an hour ahead of UTC: 10:00 UTC on 1 July is written 11:00.
    t.clock.set(new Date('2026-07-01T10:00:00Z'));
    await record(
      { userId: userA.id, label: userA.email, organisationId: orgA.id },
      'des.enquiry.current',
      'supply_point',
      '1111111111',
    );
    t.clock.set(MAR_4);
    const summer = (await get('lsoA', '/audit-events/export?subject=1111111111')).body
      .trimEnd()
      .split('\r\n');
    assert.equal(summer.length, 2);
    assert.match(summer[1]!, /^\d+,2026-07-01T11:00:00,des\.enquiry\.current,/);
  });

  test('names come from the directory in one look-up however many rows and people', async () => {
    const calls: { organisationIds: readonly string[]; userIds: readonly string[] }[] = [];
    const identity = t.services.identity;
    const trail = new AuditTrailService(t.database.db, {
      organisations: async () =>
        (await identity.listOrganisations()).map((o) => ({ id: o.id, name: o.name })),
      userNames: async (organisationIds, userIds) => {
        calls.push({ organisationIds, userIds });
        return identity.userNames(organisationIds, userIds);
      },
    });
    const csv = await trail.csv({ organisationId: orgA.id, allOrganisations: true }, {});
    assert.equal(calls.length, 1);
    // Every person who acted, each asked for once; and named as the service's own trail names them.
    assert.ok(calls[0]!.userIds.includes(userA.id) && calls[0]!.userIds.includes(userB.id));
    assert.equal(new Set(calls[0]!.userIds).size, calls[0]!.userIds.length);
    assert.ok(csv.includes('"Amy Able (amy@a.test), ') && csv.includes('"Bob Baker (bob@b.test), '));
    const viaApi = await get('admin', '/audit-events/export');
    assert.equal(csv, viaApi.body);
  });

  test('bad input is a 400 problem naming the field; other roles 403; no key 401', async () => {
    for (const [q, field] of [
      ['from=2026-02-30', 'from'],
      ['from=2026-03-04&to=2026-03-01', 'to'],
      ['action=DROP%20TABLE', 'action'],
      ['user=not-an-email', 'user'],
      // Years out of range: 0001 was Date.UTC's 1901, and the day after 9999-12-31 has no YYYY-MM-DD date.
      ['from=0001-01-01', 'from'],
      ['to=9999-12-31', 'to'],
      ['from=9999-12-31', 'from'],
      ['from=1799-12-31&to=2026-03-01', 'from'],
    ] as const) {
      const res = await get('lsoA', `/audit-events?${q}`);
      assert.equal(res.statusCode, 400, `${q}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      assert.ok(
        (res.json() as { errors: { field: string }[] }).errors.some((e) => e.field === field),
        res.body,
      );
    }
    assert.equal((await get('lsoA', '/audit-events?cursor=abc')).statusCode, 400);
    assert.equal((await get('lsoA', '/audit-events?limit=501')).statusCode, 400);
    assert.equal((await get('worker', '/audit-events')).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/audit-events' })).statusCode, 401);
  });

  test('the page: in the navigation, labels and GOV.UK dates, names, nothing of another organisation; errors in words', async () => {
    const page = await lsoAWeb.get('/audit');
    assert.equal(page.statusCode, 200, page.body.slice(0, 500));
    assert.match(
      page.body,
      /<a[^>]*href="\/audit"[^>]*aria-current="page"|aria-current="page"[^>]*href="\/audit"/,
    );
    assert.ok(page.body.includes('Viewed a supply point'));
    assert.ok(page.body.includes('User invited') || page.body.includes('User created'));
    assert.ok(!page.body.includes('des.enquiry.current</td>'), 'labels, not codes');
    assert.ok(page.body.includes('4 March 2026'), 'GOV.UK dates');
    assert.ok(page.body.includes('Amy Able (amy@a.test)'));
    assert.ok(!page.body.includes('bob@b.test') && !page.body.includes('9876543210'));
    for (const q of ['from=2026-02-30', 'from=0001-01-01', 'to=9999-12-31']) {
      const bad = await lsoAWeb.get(`/audit?${q}`);
      assert.equal(bad.statusCode, 400, q);
      assert.ok(
        bad.body.includes('There is a problem') && /Enter the (from|to) date as a real date/.test(bad.body),
        q,
      );
    }
    assert.equal((await lsoAWeb.get('/audit/export.csv?to=9999-12-31')).statusCode, 400);
    const csv = await lsoAWeb.get('/audit/export.csv?subject=1234567890');
    assert.equal(csv.statusCode, 200);
    assert.equal(csv.body.trimEnd().split('\r\n').length, 2);
  });
});
