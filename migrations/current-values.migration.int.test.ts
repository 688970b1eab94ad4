/**
 * The current-values migration on a database whose catalogue predates it (the marks removed by its `down`): `up`
 * marks AGG's twin stream indicator and adds ADD's current address, bumping each version once; run again, it
 * changes nothing. On PGlite and PostgreSQL.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../test/support/db.ts';
import { down, up } from './2026-12-04-0700-cms-current-values.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(() => t.cleanup());

type Row = {
  code: string;
  fields: { name: string; from_register?: string; hint?: string }[];
  version: number;
};
const read = async (db: Kysely<unknown>) =>
  (
    await sql<Row>`SELECT code, fields, version FROM cms.contact_codes WHERE code IN ('ADD', 'AGG') ORDER BY code`.execute(
      db,
    )
  ).rows;

test('up marks the current-value fields of a catalogue that predates them, once', async () => {
  const db = t.database.db as unknown as Kysely<unknown>;
  await down(db);
  const old = await read(db);
  assert.ok(old.every((r) => r.fields.every((f) => f.from_register === undefined)));
  assert.ok(!old[0]!.fields.some((f) => f.name === 'current_address'));
  const postcodeHint = old[0]!.fields.find((f) => f.name === 'postcode')!.hint;
  assert.ok(postcodeHint, 'other fields keep their hints');

  await up(db);
  const [add, agg] = await read(db);
  assert.deepEqual(add!.fields[0], {
    name: 'current_address',
    label: 'Address on the register',
    type: 'text',
    required: false,
    hint: add!.fields[0]!.hint,
    from_register: 'address',
  });
  assert.equal(add!.fields.length, old[0]!.fields.length + 1);
  assert.equal(add!.fields.find((f) => f.name === 'postcode')!.hint, postcodeHint);
  const twin = agg!.fields.find((f) => f.name === 'current_twin_stream_indicator')!;
  assert.equal(twin.from_register, 'twin_stream_site_indicator');
  assert.match(twin.hint ?? '', /refused \(400\)/);
  assert.deepEqual(
    agg!.fields.map((f) => f.name),
    old[1]!.fields.map((f) => f.name),
    'AGG keeps its fields, in order',
  );
  assert.equal(add!.version, old[0]!.version + 1);
  assert.equal(agg!.version, old[1]!.version + 1);

  await up(db);
  const again = await read(db);
  assert.deepEqual(
    again.map((r) => r.version),
    [add!.version, agg!.version],
    'a second run changes nothing',
  );
});
