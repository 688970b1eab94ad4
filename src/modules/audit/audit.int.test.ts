import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { makeOrg, makeUser } from '../../../test/support/factories.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';

/**
 * Runs SQL as a superuser, as an attacker with database access would: on PostgreSQL a separate owner
 * connection; on PGlite the one session with its role reset (and restored before anything else runs).
 */
async function asSuperuser(t: TestApp, ...statements: string[]): Promise<pg.QueryResult[]> {
  const out: pg.QueryResult[] = [];
  if (t.adminUrl) {
    const c = new pg.Client({ connectionString: t.adminUrl });
    await c.connect();
    try {
      for (const s of statements) out.push(await c.query(s));
    } finally {
      await c.end();
    }
  } else {
    const c = await t.database.pool.connect();
    try {
      await c.query('RESET ROLE');
      for (const s of statements) out.push(await c.query(s));
    } finally {
      await c.query('SET ROLE cdsp_app');
      c.release();
    }
  }
  return out;
}

describe('audit log', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    const org = await makeOrg(t.services);
    for (let i = 0; i < 4; i++) await makeUser(t.services, { orgShortCode: org.shortCode });
  });
  after(() => t.cleanup());

  test('events are written in the same transaction as the change: a rolled-back change leaves no event', async () => {
    const before = await t.services.audit.verify();
    await assert.rejects(
      inScope(t.database.db, SYSTEM_SCOPE, async (trx) => {
        await t.services.audit.record(trx, {
          actor: { userId: null, label: 'test', organisationId: null },
          action: 'test.event',
          subjectType: 'test',
          subjectId: '1',
        });
        throw new Error('change failed');
      }),
    );
    const afterwards = await t.services.audit.verify();
    assert.equal(afterwards.events, before.events);
  });

  test('an untouched chain verifies', async () => {
    const r = await t.services.audit.verify();
    assert.equal(r.ok, true);
    assert.equal(r.events, 5);
  });

  test('the application role cannot UPDATE, DELETE or TRUNCATE audit events', async () => {
    for (const q of [
      "UPDATE audit.events SET action = 'x'",
      'DELETE FROM audit.events',
      'TRUNCATE audit.events',
    ]) {
      await assert.rejects(t.database.pool.query(q), /permission denied|append-only/, q);
    }
  });

  test('the application role cannot bypass row-level security', async () => {
    // No scope set: organisation-scoped tables show nothing.
    const none = await t.database.pool.query('SELECT count(*)::int AS n FROM identity.users');
    assert.equal(none.rows[0].n, 0);
    await assert.rejects(
      t.database.pool.query('ALTER TABLE identity.users DISABLE ROW LEVEL SECURITY'),
      /must be owner/,
    );
    await assert.rejects(
      t.database.pool.query('ALTER TABLE audit.events DISABLE TRIGGER ALL'),
      /must be owner/,
    );
    const c = await t.database.pool.connect();
    try {
      await c.query('SET row_security = off');
      await assert.rejects(c.query('SELECT count(*) FROM identity.users'), /row-level security/);
    } finally {
      await c.query('RESET row_security');
      c.release();
    }
    if (t.adminUrl) {
      // On PostgreSQL the service logs in as cdsp_app and cannot become anyone else. (Embedded PGlite is one
      // superuser session by construction, so there the role is a guard against mistakes, not a wall.)
      await assert.rejects(t.database.pool.query('SET ROLE postgres'), /permission denied/);
      await assert.rejects(
        t.database.pool.query('RESET ROLE; SET row_security = off; SELECT count(*) FROM identity.users'),
        /row-level security/,
      );
    }
    const who = await t.database.pool.query(
      'SELECT current_user AS u, (SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user) AS b',
    );
    assert.equal(who.rows[0].u, 'cdsp_app');
    assert.equal(who.rows[0].b, false);
  });

  test('row-level security: a scope of one organisation sees only its own users', async () => {
    const a = await makeOrg(t.services);
    const b = await makeOrg(t.services);
    await makeUser(t.services, { orgShortCode: a.shortCode });
    await makeUser(t.services, { orgShortCode: b.shortCode });
    const seen = await inScope(t.database.db, { kind: 'organisations', organisationIds: [a.id] }, (trx) =>
      trx.selectFrom('identity.users').select('organisation_id').execute(),
    );
    assert.ok(seen.length >= 1);
    assert.ok(seen.every((r) => r.organisation_id === a.id));
    await assert.rejects(
      inScope(t.database.db, { kind: 'organisations', organisationIds: [a.id] }, (trx) =>
        trx
          .insertInto('identity.users')
          .values({
            organisation_id: b.id,
            email: 'sneaky@test.example',
            name: 'X',
            roles: [],
            password_hash: null,
            created_at: new Date(),
            updated_at: new Date(),
          })
          .execute(),
      ),
      /row-level security/,
    );
  });

  test('the chain head only moves forward, onto an appended event: the application role cannot rewind it', async () => {
    const head = await t.services.audit.verify();
    assert.equal(head.ok, true);
    const q = (s: string) => t.database.pool.query(s);
    const backwards = /the audit chain head only moves forward/;
    const noSuchEvent = /the audit chain head must name an appended event/;
    // Back onto an earlier event (its true hash): the rewind that would hide the newest events.
    await assert.rejects(
      q(`UPDATE audit.chain_head SET seq = seq - 1,
           hash = (SELECT e.hash FROM audit.events e WHERE e.seq = (SELECT seq - 1 FROM audit.chain_head))`),
      backwards,
      'rewind to the previous event',
    );
    await assert.rejects(
      q(`UPDATE audit.chain_head SET seq = 0, hash = '\\x${'00'.repeat(32)}'::bytea`),
      backwards,
      'rewind to genesis',
    );
    // Forward onto nothing, or with a hash that is not the event's.
    await assert.rejects(
      q('UPDATE audit.chain_head SET seq = seq + 1'),
      noSuchEvent,
      'forward onto no event',
    );
    await assert.rejects(
      q("UPDATE audit.chain_head SET hash = '\\x01'::bytea"),
      backwards,
      'same seq, new hash',
    );
    await assert.rejects(
      q('DELETE FROM audit.chain_head'),
      /permission denied|cannot be removed/,
      'delete the head',
    );
    await assert.rejects(
      q('TRUNCATE audit.chain_head'),
      /permission denied|cannot be removed/,
      'truncate the head',
    );
    // Appending still moves it forward, and the chain verifies.
    await inScope(t.database.db, SYSTEM_SCOPE, (trx) =>
      t.services.audit.record(trx, {
        actor: { userId: null, label: 'test', organisationId: null },
        action: 'test.event',
        subjectType: 'test',
        subjectId: 'forward',
      }),
    );
    const after = await t.services.audit.verify();
    assert.equal(after.ok, true);
    assert.equal(after.events, head.events + 1);
  });

  // Tampering tests run last: they break the chain on purpose, one kind at a time, and restore it.
  const DISABLE = 'ALTER TABLE audit.events DISABLE TRIGGER events_append_only';
  const ENABLE = 'ALTER TABLE audit.events ENABLE TRIGGER events_append_only';

  test('verify names the event when a superuser alters one', async () => {
    const [, orig] = await asSuperuser(
      t,
      DISABLE,
      'SELECT details::text AS d FROM audit.events WHERE seq = 3',
    );
    await asSuperuser(
      t,
      `UPDATE audit.events SET details = details || '{"email":"forged@test.example"}' WHERE seq = 3`,
    );
    const r = await t.services.audit.verify();
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.badSeq, '3');
      assert.match(r.reason, /altered/);
    }
    await asSuperuser(
      t,
      `UPDATE audit.events SET details = '${orig!.rows[0].d}'::jsonb WHERE seq = 3`,
      ENABLE,
    );
    assert.equal((await t.services.audit.verify()).ok, true);
  });

  test('verify names the event when a superuser deletes one', async () => {
    await asSuperuser(
      t,
      DISABLE,
      'CREATE TABLE public.saved AS SELECT * FROM audit.events WHERE seq = 2',
      'DELETE FROM audit.events WHERE seq = 2',
    );
    const r = await t.services.audit.verify();
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.badSeq, '3');
    await asSuperuser(
      t,
      'INSERT INTO audit.events SELECT * FROM public.saved',
      'DROP TABLE public.saved',
      ENABLE,
    );
    assert.equal((await t.services.audit.verify()).ok, true);
  });

  test('verify names the event when a superuser reorders two', async () => {
    const swap = [
      'UPDATE audit.events SET seq = -1 WHERE seq = 2',
      'UPDATE audit.events SET seq = 2 WHERE seq = 3',
      'UPDATE audit.events SET seq = 3 WHERE seq = -1',
    ];
    await asSuperuser(t, DISABLE, ...swap);
    const r = await t.services.audit.verify();
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.badSeq, '2');
    await asSuperuser(t, ...swap, ENABLE);
    assert.equal((await t.services.audit.verify()).ok, true);
  });

  test('verify notices the newest event deleted (the chain head no longer matches)', async () => {
    await asSuperuser(
      t,
      DISABLE,
      'DELETE FROM audit.events WHERE seq = (SELECT max(seq) FROM audit.events)',
      ENABLE,
    );
    const r = await t.services.audit.verify();
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, /newest events deleted/);
  });
});
