/**
 * `cdsp appointment add` and `cdsp appointment load`: exit 0 when done, 2 for wrong arguments (nothing changes),
 * 1 when a rule refuses it; the load applies valid rows and lists each rejected row with its number and reason.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useCli } from '../../../../test/support/cli.ts';

describe('cdsp appointment add / load', () => {
  const cli = useCli('cdsp-appointment-cli', { LOG_LEVEL: 'error', CDSP_NOW: '2026-03-02T10:00:00Z' });
  const cdsp = cli.cdsp;

  test('add: exit 0; wrong arguments exit 2 and change nothing; a refused rule exits 1', async () => {
    for (const [name, type, code] of [
      ['Daily One', 'dmsp', 'DM1'],
      ['Reader One', 'mra', 'MR1'],
    ]) {
      const o = await cdsp('org', 'add', '--name', name!, '--type', type!, '--short-code', code!);
      assert.equal(o.code, 0, o.stderr);
    }
    const wrong: string[][] = [
      ['--role', 'uip', '--org', 'DM1', '--ldz', 'NW', '--from', '2026-01-01'],
      ['--role', 'dmsp', '--ldz', 'NW', '--from', '2026-01-01'],
      ['--role', 'dmsp', '--org', 'DM1', '--from', '2026-01-01'],
      ['--role', 'dmsp', '--org', 'DM1', '--ldz', 'NW', '--mprn', '1234567', '--from', '2026-01-01'],
      ['--role', 'dmsp', '--org', 'DM1', '--ldz', 'NW', '--classes', '1,5', '--from', '2026-01-01'],
      ['--role', 'dmsp', '--org', 'DM1', '--mprn', '1234567', '--classes', '1', '--from', '2026-01-01'],
      ['--role', 'dmsp', '--org', 'DM1', '--ldz', 'NW', '--from', '2026-02-30'],
      ['--role', 'dmsp', '--org', 'DM1', '--ldz', 'NW', '--from', '2026-03-01', '--to', '2026-02-01'],
      ['--role', 'dmsp', '--org', 'DM1', '--ldz', 'NW', '--from', '2026-01-01', '--colour', 'red'],
    ];
    for (const args of wrong) {
      const r = await cdsp('appointment', 'add', ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /Usage: cdsp appointment add/);
    }
    // Nothing was written by those: the same key is free.
    const ok = await cdsp(
      ...'appointment add --role dmsp --org DM1 --ldz NW --classes 1,2 --from 2026-01-01'.split(' '),
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(
      ok.stdout,
      /^Appointed dmsp DM1 for LDZ NW classes 1,2 from 2026-01-01 \(id [0-9a-f-]{36}\)$/,
    );
    // A rule refuses: the organisation's type, an overlap.
    const wrongType = await cdsp(
      ...'appointment add --role dmsp --org MR1 --ldz SE --from 2026-01-01'.split(' '),
    );
    assert.equal(wrongType.code, 1);
    assert.match(wrongType.stderr, /is not a Daily Metered Service Provider/);
    const overlap = await cdsp(
      ...'appointment add --role dmsp --org DM1 --ldz NW --classes 2 --from 2026-06-01'.split(' '),
    );
    assert.equal(overlap.code, 1);
    assert.match(overlap.stderr, /overlaps/);
  });

  test('load: valid rows are added, rejected rows listed with row number and reason', async () => {
    const file = join(cli.dir, 'appointments.csv');
    writeFileSync(
      file,
      [
        'role,organisation,ldz,classes,mprn,effective_from,effective_to',
        'mra,MR1,NW,,,2026-01-01,',
        'mra,MR1,SE,3;4,,2026-01-01,2026-12-31',
        'dmsp,DM9,NW,,,2026-01-01,',
        'dmsp,DM1,NW,1,,2026-01-01,',
        'dmsp,DM1,,,1234567,2026-01-01,',
        'mra,MR1,NW,,,2026-02-01,',
        'dmsp,DM1,EA,5,,2026-01-01,',
        '',
      ].join('\n'),
    );
    const r = await cdsp('appointment', 'load', file);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /7 rows read, 3 added, 4 rejected/);
    assert.match(r.stdout, /added mra MR1 for LDZ NW from 2026-01-01/);
    assert.match(r.stdout, /added mra MR1 for LDZ SE classes 3,4 from 2026-01-01 to 2026-12-31/);
    assert.match(r.stdout, /added dmsp DM1 for MPRN 1234567 from 2026-01-01/);
    assert.match(r.stdout, /row 4 rejected: organisation: No organisation has short code DM9/);
    assert.match(r.stdout, /row 5 rejected: effective_from: It overlaps/);
    assert.match(r.stdout, /row 7 rejected: effective_from: It overlaps/);
    assert.match(r.stdout, /row 8 rejected: classes: Classes are 1, 2, 3 or 4/);

    const bad = join(cli.dir, 'bad.csv');
    writeFileSync(bad, 'colour\nred\n');
    const refused = await cdsp('appointment', 'load', bad);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not an appointments file/);
    assert.equal((await cdsp('appointment', 'load')).code, 2);
    assert.equal((await cdsp('appointment', 'load', join(cli.dir, 'absent.csv'))).code, 2);
  });
});
