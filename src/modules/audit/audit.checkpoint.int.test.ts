import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { runCli } from '../../cli.ts';
import { createServices } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import { fixedClock } from '../../platform/clock.ts';
import { openDatabase } from '../../platform/db/database.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import { createCliEnvironment, createTestDatabase, type TestDatabase } from '../../../test/support/db.ts';
import { eventHash, type ChainedEvent } from './audit.canonical.ts';
import { AuditService } from './audit.service.ts';
import { AUDIT_CHECKPOINT_JOB, registerAuditJobs } from './audit.jobs.ts';
import {
  loadSigningKey,
  loadVerifyingKey,
  signatureHolds,
  type SignedCheckpoint,
} from './audit.checkpoint.ts';

/**
 * Runs SQL as a superuser against the CLI's database, as an attacker with database access would: on PostgreSQL the
 * owner connection; on PGlite the data directory opened here with the role reset (the CLI is not running meanwhile).
 */
async function asSuperuser<T>(env: NodeJS.ProcessEnv, fn: (q: pg.ClientBase) => Promise<T>): Promise<T> {
  if (env.DATABASE_URL) {
    const c = new pg.Client({ connectionString: env.DATABASE_URL });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }
  const database = await openDatabase({ databaseUrl: null, dataDir: env.CDSP_DATA_DIR! });
  try {
    await database.migrate();
    const c = await database.pool.connect();
    try {
      await c.query('RESET ROLE');
      return await fn(c);
    } finally {
      await c.query('SET ROLE cdsp_app');
      c.release();
    }
  } finally {
    await database.close();
  }
}

const DISABLE = [
  'ALTER TABLE audit.events DISABLE TRIGGER events_append_only',
  'ALTER TABLE audit.chain_head DISABLE TRIGGER chain_head_forward_only',
];
const ENABLE = DISABLE.map((s) => s.replace('DISABLE', 'ENABLE'));

describe('cdsp audit checkpoint / audit verify --checkpoints', () => {
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let cleanup: () => Promise<void>;
  let cp: string;
  before(async () => {
    ({ env, dir, cleanup } = await createCliEnvironment('cdsp-audit-cp', { LOG_LEVEL: 'error' }));
    cp = join(dir, 'checkpoints');
  });
  after(() => cleanup());

  async function cdsp(...argv: string[]) {
    return cdspWith(env, ...argv);
  }
  async function cdspWith(e: NodeJS.ProcessEnv, ...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: e });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  }
  const orgAdd = (code: string) =>
    cdsp('org', 'add', '--name', `Org ${code}`, '--type', 'shipper', '--short-code', code);
  const checkpointFiles = () =>
    readdirSync(cp)
      .filter((n) => n.endsWith('.json'))
      .sort();
  const readCheckpoint = (name: string) =>
    JSON.parse(readFileSync(join(cp, name), 'utf8')) as SignedCheckpoint;

  test('wrong arguments exit 2 and write nothing', async () => {
    for (const argv of [
      ['audit', 'checkpoint'], // no --dir and no CDSP_AUDIT_CHECKPOINT_DIR
      ['audit', 'checkpoint', '--dir'],
      ['audit', 'checkpoint', '--dir', join(dir, 'x'), 'extra'],
      ['audit', 'checkpoint', '--bogus'],
      ['audit', 'verify', '--checkpoints'],
      ['audit', 'verify', '--checkpoints', join(dir, 'no-such-dir')],
      ['audit', 'verify', '--public-key', join(dir, 'k.pem')],
      ['audit', 'verify', '--checkpoints', dir, '--public-key', join(dir, 'no-such-key.pem')],
      ['audit', 'verify', '--checkpoints', dir], // no checkpoint key exists yet
    ]) {
      const r = await cdsp(...argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stdout} ${r.stderr}`);
      assert.match(r.stderr, /Usage: cdsp audit/);
    }
    writeFileSync(join(dir, 'not-a-key.pem'), 'hello\n');
    const r = await cdsp('audit', 'verify', '--checkpoints', dir, '--public-key', join(dir, 'not-a-key.pem'));
    assert.equal(r.code, 2, r.stderr);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    writeFileSync(join(dir, 'rsa.pem'), rsa.publicKey.export({ type: 'spki', format: 'pem' }));
    const r2 = await cdsp('audit', 'verify', '--checkpoints', dir, '--public-key', join(dir, 'rsa.pem'));
    assert.equal(r2.code, 2, r2.stderr);
    assert.match(r2.stderr, /not an Ed25519 key/);
    const r3 = await cdspWith(
      { ...env, CDSP_AUDIT_CHECKPOINT_KEY: join(dir, 'missing-key.pem') },
      'audit',
      'checkpoint',
      '--dir',
      cp,
    );
    assert.equal(r3.code, 2, r3.stderr);
    assert.match(r3.stderr, /cannot read the checkpoint key/);
  });

  test('a checkpoint is a signed {sequence, hash, time} file of the head; verify --checkpoints holds', async () => {
    for (const c of ['AAA', 'BBB', 'CCC']) assert.equal((await orgAdd(c)).code, 0);
    const w = await cdsp('audit', 'checkpoint', '--dir', cp);
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stderr, /Generated a new checkpoint signing key at .*audit-checkpoint-key\.pem/);
    assert.match(w.stdout, /Checkpoint written: .*audit-checkpoint-0+3-\d{8}T\d{9}Z\.json \(event 3,/);
    const files = checkpointFiles();
    assert.equal(files.length, 1);
    const c = readCheckpoint(files[0]!);
    assert.deepEqual(Object.keys(c).sort(), ['format', 'hash', 'key_id', 'sequence', 'signature', 'time']);
    assert.equal(c.sequence, '3');
    assert.match(c.hash, /^[0-9a-f]{64}$/);
    const [head] = await asSuperuser(
      env,
      async (q) => (await q.query('SELECT seq, hash FROM audit.chain_head')).rows,
    );
    assert.equal(c.hash, (head.hash as Buffer).toString('hex'));
    const keyFile = join(env.CDSP_DATA_DIR!, 'audit-checkpoint-key.pem');
    assert.equal(signatureHolds(c, loadVerifyingKey(keyFile)), true);
    assert.equal(signatureHolds({ ...c, sequence: '4' }, loadVerifyingKey(keyFile)), false);

    // The directory from the environment; the key is not generated again.
    for (const code of ['DDD', 'EEE']) assert.equal((await orgAdd(code)).code, 0);
    const w2 = await cdspWith({ ...env, CDSP_AUDIT_CHECKPOINT_DIR: cp }, 'audit', 'checkpoint');
    assert.equal(w2.code, 0, w2.stderr);
    assert.doesNotMatch(w2.stderr, /Generated/);
    assert.deepEqual(
      checkpointFiles().map((f) => readCheckpoint(f).sequence),
      ['3', '5'],
    );

    const v = await cdsp('audit', 'verify', '--checkpoints', cp);
    assert.equal(v.code, 0, v.stdout);
    assert.match(v.stdout, /Audit log intact: 5 events verified\./);
    assert.match(v.stdout, /Checkpoints hold: 2 checked/);

    // An auditor with the public key only; a key that did not sign them.
    const pub = join(dir, 'checkpoint-public.pem');
    writeFileSync(pub, loadVerifyingKey(keyFile).export({ type: 'spki', format: 'pem' }));
    assert.equal((await cdsp('audit', 'verify', '--checkpoints', cp, '--public-key', pub)).code, 0);
    const other = join(dir, 'other-key.pem');
    writeFileSync(other, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const wrong = await cdsp('audit', 'verify', '--checkpoints', cp, '--public-key', other);
    assert.equal(wrong.code, 1);
    assert.match(
      wrong.stdout,
      /Checkpoint FAILED: audit-checkpoint-0+3-.*: it is not signed by the checkpoint key/,
    );
  });

  test('an altered checkpoint file, or a directory without checkpoints, fails', async () => {
    const forged = join(dir, 'forged');
    mkdirSync(forged);
    const [first, second] = checkpointFiles();
    copyFileSync(join(cp, first!), join(forged, first!));
    const c = readCheckpoint(second!);
    writeFileSync(join(forged, second!), JSON.stringify({ ...c, sequence: '4' }));
    writeFileSync(join(forged, 'junk.json'), '{"not":"a checkpoint"}');
    const v = await cdsp('audit', 'verify', '--checkpoints', forged);
    assert.equal(v.code, 1, v.stdout);
    assert.match(
      v.stdout,
      new RegExp(`Checkpoint FAILED: ${second} \\(event 4\\): its signature does not verify`),
    );
    assert.match(v.stdout, /Checkpoint FAILED: junk\.json: it is not a cdsp-audit-checkpoint\/1 file/);
    assert.doesNotMatch(v.stdout, new RegExp(`FAILED: ${first}`));
    assert.match(v.stdout, /2 of 3 checkpoints .* do not hold/);

    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const e = await cdsp('audit', 'verify', '--checkpoints', empty);
    assert.equal(e.code, 1);
    assert.match(e.stdout, /no checkpoint files/);
  });

  test('a superuser deletes the newest events and rewinds the head: verify passes, verify --checkpoints fails', async () => {
    const [, newest] = checkpointFiles();
    await asSuperuser(env, async (q) => {
      for (const s of DISABLE) await q.query(s);
      await q.query('DELETE FROM audit.events WHERE seq > 3');
      await q.query(
        'UPDATE audit.chain_head SET seq = 3, hash = (SELECT hash FROM audit.events WHERE seq = 3)',
      );
      for (const s of ENABLE) await q.query(s);
    });
    const plain = await cdsp('audit', 'verify');
    assert.equal(plain.code, 0, 'the chain alone cannot tell');
    assert.match(plain.stdout, /Audit log intact: 3 events verified\./);
    const v = await cdsp('audit', 'verify', '--checkpoints', cp);
    assert.equal(v.code, 1, v.stdout);
    assert.match(
      v.stdout,
      new RegExp(
        `Checkpoint FAILED: ${newest} \\(event 5\\): the chain head is at event 3, before the checkpoint's event 5`,
      ),
    );
    assert.match(v.stdout, /1 of 2 checkpoints/);
  });

  test('a superuser rewrites an event and re-hashes the chain after it: verify passes, --checkpoints fails', async () => {
    const [oldest] = checkpointFiles();
    await asSuperuser(env, async (q) => {
      for (const s of DISABLE) await q.query(s);
      const rows = (await q.query('SELECT * FROM audit.events ORDER BY seq')).rows as (ChainedEvent & {
        hash: Buffer;
      })[];
      let prev = rows[0]!.prev_hash;
      for (const row of rows) {
        const details = row.seq === '2' ? { ...(row.details as object), name: 'Rewritten' } : row.details;
        const hash = eventHash({ ...row, seq: String(row.seq), details, prev_hash: prev });
        await q.query(
          'UPDATE audit.events SET details = $1::jsonb, prev_hash = $2, hash = $3 WHERE seq = $4',
          [JSON.stringify(details), prev, hash, row.seq],
        );
        prev = hash;
      }
      await q.query('UPDATE audit.chain_head SET hash = $1', [prev]);
      for (const s of ENABLE) await q.query(s);
    });
    const plain = await cdsp('audit', 'verify');
    assert.equal(plain.code, 0, 'the re-hashed chain verifies on its own');
    const v = await cdsp('audit', 'verify', '--checkpoints', cp);
    assert.equal(v.code, 1, v.stdout);
    assert.match(
      v.stdout,
      new RegExp(`Checkpoint FAILED: ${oldest} \\(event 3\\): event 3 no longer has the signed hash`),
    );
  });
});

describe('scheduled checkpoints', () => {
  let tdb: TestDatabase;
  let tmp: { dir: string; cleanup(): Promise<void> };
  before(async () => {
    tdb = await createTestDatabase();
    const e = await createCliEnvironment('cdsp-audit-job');
    tmp = { dir: e.dir, cleanup: e.cleanup };
  });
  after(async () => {
    await tdb.cleanup();
    await tmp.cleanup();
  });

  function recordingQueue() {
    const handlers = new Map<string, (data: object) => Promise<void>>();
    const schedules: { name: string; cron: string }[] = [];
    const queue: JobQueue = {
      async work(name, handler) {
        handlers.set(name, handler as (data: object) => Promise<void>);
      },
      async send() {
        return null;
      },
      async schedule(name, cron) {
        schedules.push({ name, cron });
      },
      async stop() {},
    };
    return { queue, handlers, schedules };
  }

  test('the service schedules audit.checkpoint only when a checkpoint directory is configured', async () => {
    const clock = fixedClock(new Date('2026-03-02T10:00:00Z'));
    const none = recordingQueue();
    await createServices(tdb.database.db, clock, none.queue, { config: loadConfig({}) }).jobsRegistered;
    assert.equal(none.handlers.has(AUDIT_CHECKPOINT_JOB), false);

    const dir = join(tmp.dir, 'scheduled');
    const config = loadConfig({
      CDSP_DATA_DIR: join(tmp.dir, 'data'),
      CDSP_AUDIT_CHECKPOINT_DIR: dir,
      CDSP_AUDIT_CHECKPOINT_CRON: '*/15 * * * *',
    });
    const q = recordingQueue();
    await createServices(tdb.database.db, clock, q.queue, { config }).jobsRegistered;
    assert.deepEqual(
      q.schedules.filter((s) => s.name === AUDIT_CHECKPOINT_JOB),
      [{ name: AUDIT_CHECKPOINT_JOB, cron: '*/15 * * * *' }],
    );
    await q.handlers.get(AUDIT_CHECKPOINT_JOB)!({});
    const [file] = readdirSync(dir);
    const c = JSON.parse(readFileSync(join(dir, file!), 'utf8')) as SignedCheckpoint;
    assert.equal(c.time, '2026-03-02T10:00:00.000Z');
    assert.equal(signatureHolds(c, loadVerifyingKey(config.audit.checkpointKeyFile)), true);
    // Run again at the same instant with no new events: the same file, nothing doubled or refused.
    await q.handlers.get(AUDIT_CHECKPOINT_JOB)!({});
    assert.equal(readdirSync(dir).length, 1);
  });

  test('a configured key is never generated: a missing one fails the job', async () => {
    const audit = new AuditService(tdb.database.db, fixedClock(new Date('2026-03-02T11:00:00Z')));
    const q = recordingQueue();
    await registerAuditJobs(q.queue, audit, {
      checkpointDir: join(tmp.dir, 'configured'),
      checkpointKeyFile: join(tmp.dir, 'absent.pem'),
      checkpointKeyConfigured: true,
      checkpointCron: '0 * * * *',
    });
    await assert.rejects(q.handlers.get(AUDIT_CHECKPOINT_JOB)!({}), /cannot read the checkpoint key/);
    assert.throws(() => loadSigningKey(join(tmp.dir, 'absent.pem'), { generateIfMissing: false }));
  });
});
