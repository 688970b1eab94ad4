import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { LoadRefusedError } from './load.service.ts';
import { readCsv } from './register/index.ts';
import {
  createDesTestEnv,
  csv,
  currentRegister,
  history,
  registerRows,
  type DesTestEnv,
} from '../../../test/support/des.ts';
import { generateChanges } from './tools/register-generator/index.ts';
import { DES_TEST_ORGS } from '../../../test/support/factories/des.ts';

const ACTOR = { userId: null, label: 'test', organisationId: null };

async function readReport(path: string): Promise<string[][]> {
  const out: string[][] = [];
  for await (const r of readCsv([readFileSync(path)])) out.push(r.fields);
  return out;
}

describe('DES register load', () => {
  let env: DesTestEnv;
  before(async () => {
    env = await createDesTestEnv();
  });
  after(() => env.cleanup());

  const load = (path: string, businessDate: string, extra: { correction?: boolean } = {}) =>
    env.des.loads.load({ path, businessDate, actor: ACTOR, source: 'cli', ...extra });

  test('loading a file twice: the second run reports every row unchanged and the history is identical', async () => {
    const rows = registerRows(300);
    const path = env.file('register.csv', csv(rows));
    const first = await load(path, '2026-02-20');
    assert.equal(first.status, 'applied');
    assert.deepEqual(
      [first.rowsRead, first.inserted, first.changed, first.unchanged, first.rejected],
      [300, 300, 0, 0, 0],
    );
    const before = await history(env);
    assert.equal(before.length, 300);

    const second = await load(path, '2026-02-20');
    assert.equal(second.status, 'duplicate');
    assert.match(second.message, /unchanged, already loaded/);
    assert.deepEqual(
      [second.rowsRead, second.inserted, second.changed, second.unchanged, second.rejected],
      [300, 0, 0, 300, 0],
    );
    assert.deepEqual(await history(env), before);

    // ...whatever has been loaded since.
    const changes = [];
    for await (const r of generateChanges({
      previous: rows,
      rate: 0.1,
      seed: 3,
      businessDate: '2026-02-21',
      orgs: DES_TEST_ORGS,
      fullRows: true,
    })) {
      changes.push(r);
    }
    const day2 = await load(env.file('changes.csv', csv(changes)), '2026-02-21');
    assert.equal(day2.status, 'applied');
    assert.ok(day2.changed > 10, JSON.stringify(day2));
    assert.equal(day2.inserted + day2.changed + day2.unchanged, changes.length);
    const afterDay2 = await history(env);
    const again = await load(path, '2026-02-20');
    assert.equal(again.status, 'duplicate');
    assert.equal(again.unchanged, 300);
    assert.deepEqual(await history(env), afterDay2);

    // The same rows in another order (a different file) for the latest date: applied, and nothing changes.
    const reordered = await load(
      env.file('changes-reordered.csv', csv([...changes].reverse())),
      '2026-02-21',
    );
    assert.equal(reordered.status, 'applied');
    assert.deepEqual([reordered.inserted, reordered.changed, reordered.unchanged], [0, 0, changes.length]);
    assert.deepEqual(await currentRegister(env), await currentRegister(env));
    assert.equal((await history(env)).length, afterDay2.length);
  });

  test('a 1,000-row file with bad rows: exactly the good rows are applied, each bad row is reported', async () => {
    const rows = registerRows(1000, 11, '2026-02-22');
    const bad: Record<number, [string, string, RegExp]> = {
      10: ['mprn', '12AB5678', /digits only/],
      20: ['postcode', 'ZZ99 ZZZ9', /not a valid UK postcode/],
      30: ['ldz_id', 'XX', /LDZ 'XX' is not a recognised code/],
      40: ['meter_installation_date', '2023-02-30', /not a real calendar date/],
      50: ['annual_quantity', 'lots', /whole number/],
      60: ['class', '7', /Class '7' is not a recognised code/],
    };
    for (const [i, [field, value]] of Object.entries(bad)) rows[Number(i)]![field] = value;
    const rejectsPath = `${env.dir}/custom-rejects.csv`;
    const s = await env.des.loads.load({
      path: env.file('with-bad-rows.csv', csv(rows)),
      businessDate: '2026-02-22',
      actor: ACTOR,
      source: 'cli',
      rejectsPath,
    });
    assert.equal(s.rowsRead, 1000);
    assert.equal(s.rejected, 6);
    assert.equal(s.inserted, 994);
    const report = await readReport(rejectsPath);
    assert.deepEqual(report[0], ['row_number', 'mprn', 'field', 'severity', 'reason']);
    const errors = report.slice(1).filter((r) => r[3] === 'error');
    assert.equal(errors.length, 6);
    for (const [i, [field, , reason]] of Object.entries(bad)) {
      const rowNumber = String(Number(i) + 2); // row 1 is the header
      const hit = errors.find((e) => e[0] === rowNumber);
      assert.ok(hit, `row ${rowNumber} is reported`);
      assert.equal(hit[2], field);
      assert.match(hit[4]!, reason);
      if (field !== 'mprn') assert.equal(hit[1], rows[Number(i)]!['mprn']);
    }
    // Exactly the good rows are in the register.
    const good = rows.filter((_, i) => !(i in bad)).map((r) => r['mprn']);
    const inRegister = await sql<{ mprn: string }>`
      SELECT mprn FROM des.supply_point_versions WHERE mprn = ANY(${rows.map((r) => r['mprn'])}::text[])
      ORDER BY mprn`.execute(env.database.db);
    assert.deepEqual(
      inRegister.rows.map((r) => r.mprn),
      [...good].sort(),
    );
    // And the report is in the database too, for the API.
    const issues = await env.des.loads.issues(s.loadId);
    assert.equal(issues.filter((i) => i.severity === 'error').length, 6);
  });

  test('a duplicated MPRN in one file: the later row is rejected, naming the first', async () => {
    const rows = registerRows(5, 12, '2026-02-22');
    rows.push({ ...rows[1]!, town: 'Elsewhere' });
    const s = await load(env.file('dupes.csv', csv(rows)), '2026-02-22');
    assert.equal(s.rejected, 1);
    assert.equal(s.inserted, 5);
    const report = await readReport(s.rejectsPath);
    assert.match(report[1]![4]!, /already appears at row 3/);
    assert.equal(report[1]![0], '7');
  });

  test('a file refused as a whole changes nothing and says why', async () => {
    const before = await history(env);
    const rows = registerRows(3, 13, '2026-02-22');
    const cases: [string, string, RegExp, { correction?: boolean }?][] = [
      ['future.csv', '2026-03-03', /in the future/],
      ['unknown.csv', '2026-02-22', /unknown column 'colour'/],
      ['nomprn.csv', '2026-02-22', /no 'mprn' column/],
      ['empty.csv', '2026-02-22', /empty/],
      ['header-only.csv', '2026-02-22', /no data rows/],
      ['binary.csv', '2026-02-22', /not valid CSV|not valid UTF-8/],
      ['earlier.csv', '2026-02-19', /--correction/],
    ];
    const texts: Record<string, string | Buffer> = {
      'future.csv': csv(rows),
      'unknown.csv': 'mprn,colour\n741234509,red\n',
      'nomprn.csv': 'postcode\nB91 1AA\n',
      'empty.csv': '',
      'header-only.csv': 'mprn,postcode\n',
      'binary.csv': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0xfe, 0x00, 0x81, 0x0a]),
      'earlier.csv': csv(rows),
    };
    for (const [name, date, reason] of cases) {
      const path = env.file(name, texts[name] as string);
      await assert.rejects(load(path, date), (e: Error) => {
        assert.ok(e instanceof LoadRefusedError, `${name}: ${e.message}`);
        assert.match(e.message, reason, name);
        return true;
      });
    }
    await assert.rejects(load(`${env.dir}/missing.csv`, '2026-02-22'), /cannot read/);
    assert.deepEqual(await history(env), before);
    const refused = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM des.loads WHERE status = 'refused'`.execute(env.database.db);
    assert.ok(refused.rows[0]!.n >= 7);
  });

  test('the strict check-digit policy rejects what the default only warns about', async () => {
    const rows = registerRows(2, 14, '2026-02-22');
    const wrong = rows[0]!['mprn']!.slice(0, -2) + (rows[0]!['mprn']!.endsWith('99') ? '98' : '99');
    rows[0]!['mprn'] = wrong;
    const text = csv(rows);
    const warn = await load(env.file('cd-warn.csv', text), '2026-02-22');
    assert.equal(warn.rejected, 0);
    assert.equal(warn.warnings, 1);
    const strict = await env.des.loads.load({
      path: env.file('cd-strict.csv', text + '\n'),
      businessDate: '2026-02-22',
      actor: ACTOR,
      source: 'cli',
      checkDigitPolicy: 'error',
    });
    assert.equal(strict.rejected, 1);
  });

  test('an empty cell clears a field; columns not in the file are kept', async () => {
    const [row] = registerRows(1, 15, '2026-02-22');
    const mprn = row!['mprn']!;
    await load(env.file('one.csv', csv([row!])), '2026-02-22');
    const s = await load(
      env.file('clear.csv', `mprn,dependent_local,town\n${mprn},,Newtown\n`),
      '2026-02-22',
    );
    assert.equal(s.changed, 1);
    const cur = (await currentRegister(env)).filter((r) => (r as { mprn: string }).mprn === mprn) as {
      fields: Record<string, string | null>;
    }[];
    assert.equal(cur.length, 1);
    assert.equal(cur[0]!.fields['dependent_local'], null);
    assert.equal(cur[0]!.fields['town'], 'Newtown');
    assert.equal(cur[0]!.fields['postcode'], row!['postcode']);
  });

  test('the database refuses overlapping versions of a supply point', async () => {
    const [row] = registerRows(1, 16, '2026-02-22');
    await load(env.file('overlap.csv', csv([row!])), '2026-02-22');
    await assert.rejects(
      sql`INSERT INTO des.supply_point_versions (mprn, valid_from, known_from)
          VALUES (${row!['mprn']}, '2026-02-25', 999)`.execute(env.database.db),
      /overlap/,
    );
    await assert.rejects(
      sql`UPDATE des.supply_point_versions SET town = 'X' WHERE mprn = ${row!['mprn']}`.execute(
        env.database.db,
      ),
      /permission denied/,
    );
  });
});
