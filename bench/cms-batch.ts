/**
 * CMS batch file benchmark (issue 11): on a fresh PostgreSQL database, a contact file of 100,000 ENQ contacts (no
 * MPRN: routed to the CDSP service desk) is uploaded and processed by the real service (each record raised through
 * the CMS's online raise service, its answer recorded, resumable); then, as the baseline, the same contact rows
 * with their audit events (raised, routed; hash-chained) are inserted directly with multi-row INSERTs of 1,000 in the
 * same run. Prints records per second and the ratio to the baseline (target >= 0.3).
 *
 *   npm run bench:cms-batch -- [--count N]   (default 100000; BENCH_DATABASE_URL, default
 *                                             postgres://postgres@127.0.0.1:5432/postgres)
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createServices } from '../src/composition.ts';
import { fixedClock } from '../src/platform/clock.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { inScope, SYSTEM_SCOPE } from '../src/platform/db/scope.ts';
import type { AuditEventInput } from '../src/modules/audit/index.ts';
import { formatContactReference } from '../src/modules/cms/domain/reference.ts';

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const { values } = parseArgs({ options: { count: { type: 'string' } } });
const COUNT = Number(values.count ?? 100_000);
if (!Number.isInteger(COUNT) || COUNT < 1 || COUNT > 100_000) throw new Error('--count: 1 to 100000');
const BATCH = 1_000;

const fmt = (n: number) => Math.round(n).toLocaleString('en-GB');

function contactFile(sender: string, count: number): Buffer {
  const lines = [`A00,CMS_CONTACTS,${sender},1,2026-03-02T09:00:00`];
  for (let i = 1; i <= count; i++) {
    const ref = `B${String(i).padStart(6, '0')}`;
    lines.push(
      `C01,${ref},ENQ,,"Bench enquiry ${i}, about reads"`,
      `C02,${ref},subject,Bench ${i}`,
      `C02,${ref},enquiry_category,REGISTER_DATA`,
      `C02,${ref},details,Details of enquiry ${i}`,
    );
  }
  lines.push(`Z99,${count}`);
  return Buffer.from(lines.join('\r\n') + '\r\n');
}

async function main() {
  const name = `cdsp_bench_batch_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: '', poolSize: 4 });
  try {
    await database.migrate();
    const clock = fixedClock(new Date('2026-03-02T10:00:00Z'));
    const s = createServices(database.db, clock);
    const by = { userId: null, label: 'bench', organisationId: null };
    await s.identity.createOrganisation({ name: 'CDSP', type: 'cdsp', shortCode: 'CDS' }, by);
    await s.identity.createOrganisation({ name: 'Bench Shipper', type: 'shipper', shortCode: 'BNS' }, by);
    await s.identity.createUser(
      { organisationShortCode: 'BNS', email: 'bench@bns.example', name: 'Bench', roles: ['cms_user'] },
      by,
    );
    const actor = await s.identity.cliActor('bench@bns.example');
    if (!actor) throw new Error('no bench user');
    const content = contactFile('BNS', COUNT);

    let t = process.hrtime.bigint();
    const file = await s.batchFiles.files.upload(actor, { fileName: 'bench.csv', content, channel: 'cli' });
    const fileSecs = Number(process.hrtime.bigint() - t) / 1e9;
    if (file.status !== 'done' || file.accepted !== COUNT)
      throw new Error(`file not done: ${JSON.stringify(file)}`);
    const fileRate = COUNT / fileSecs;
    console.log(`Contact file, ${fmt(COUNT)} records: ${fileSecs.toFixed(2)} s, ${fmt(fileRate)} records/s`);

    // The baseline: the same contact rows, with their two audit events, inserted directly 1,000 at a time.
    const rows = await inScope(database.db, SYSTEM_SCOPE, (trx) =>
      trx.selectFrom('cms.contacts').selectAll().where('raiser_org_id', '=', actor.organisationId).execute(),
    );
    t = process.hrtime.bigint();
    for (let i = 0; i < rows.length; i += BATCH) {
      await inScope(database.db, SYSTEM_SCOPE, async (trx) => {
        const batch = rows.slice(i, i + BATCH).map((r, k) => {
          const { id: _id, version: _v, search: _s, ...rest } = r as typeof r & { search?: unknown };
          return {
            ...rest,
            reference: formatContactReference('ENQ', 5_000_000 + i + k),
            raiser_reference: `D${r.raiser_reference}`,
            idempotency_key: null,
            idempotency_hash: null,
            code_snapshot: JSON.stringify(r.code_snapshot),
            site: r.site === null ? null : JSON.stringify(r.site),
            fields: JSON.stringify(r.fields),
          };
        });
        const inserted = await trx
          .insertInto('cms.contacts')
          .values(batch as never)
          .returning(['id', 'reference'])
          .execute();
        const events: AuditEventInput[] = inserted.flatMap((c) => [
          {
            actor: by,
            action: 'contact.raised',
            subjectType: 'contact',
            subjectId: c.id,
            details: { reference: c.reference },
          },
          {
            actor: by,
            action: 'contact.routed',
            subjectType: 'contact',
            subjectId: c.id,
            details: { reference: c.reference },
          },
        ]);
        await s.audit.record(trx, ...events);
      });
    }
    const directSecs = Number(process.hrtime.bigint() - t) / 1e9;
    const directRate = rows.length / directSecs;
    console.log(
      `Direct INSERTs of ${fmt(BATCH)} (contacts + audit events): ${directSecs.toFixed(2)} s, ${fmt(directRate)} rows/s`,
    );
    console.log(`Ratio: ${(fileRate / directRate).toFixed(3)} (target >= 0.3)`);
  } finally {
    await database.close();
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  }
}

await main();
