import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useCli } from '../../../test/support/cli.ts';
import { hasValidCheckDigits, REGISTER_FIELD_NAMES } from './register/index.ts';

describe('cdsp des load / des generate', () => {
  const cli = useCli('cdsp-des-cli', { LOG_LEVEL: 'error', CDSP_NOW: '2026-03-02T10:00:00Z' });
  const cdsp = cli.cdsp;

  /** `cdsp des generate` of the same 200-site register (seed 5, 2026-02-27) into `out`. */
  const generateRegister = (out: string) =>
    cdsp('des', 'generate', '--count', '200', '--seed', '5', '--out', out, '--business-date', '2026-02-27');

  test('generate a register and a change file; load them; exit codes', async () => {
    const reg = join(cli.dir, 'reg.csv');
    const g = await generateRegister(reg);
    assert.equal(g.code, 0, g.stderr);
    const lines = readFileSync(reg, 'utf8').trim().split('\n');
    assert.equal(lines.length, 201);
    assert.equal(lines[0], REGISTER_FIELD_NAMES.join(','));
    assert.ok(lines.slice(1).every((l) => hasValidCheckDigits(l.split(',')[0]!)));
    const again = join(cli.dir, 'reg2.csv');
    await generateRegister(again);
    assert.equal(readFileSync(again, 'utf8'), readFileSync(reg, 'utf8'), 'deterministic for a seed');
    const shippers = new Set(
      lines.slice(1).map((l) => l.split(',')[REGISTER_FIELD_NAMES.indexOf('shipper_short_code')]),
    );
    for (const s of shippers) assert.ok(['', 'AEG', 'ARS', 'NLS', 'MES'].includes(s!), `demo shipper ${s}`);

    const l1 = await cdsp('des', 'load', reg, '--business-date', '2026-02-27');
    assert.equal(l1.code, 0, l1.stderr);
    assert.match(l1.stdout, /inserted +200/);
    assert.match(l1.stderr, /progress: /);
    assert.ok(existsSync(`${reg}.rejects.csv`));

    const changes = join(cli.dir, 'changes.csv');
    const c = await cdsp(
      'des',
      'generate',
      '--changes-from',
      reg,
      '--rate',
      '0.2',
      '--business-date',
      '2026-02-28',
      '--out',
      changes,
    );
    assert.equal(c.code, 0, c.stderr);
    const l2 = await cdsp(
      'des',
      'load',
      changes,
      '--business-date',
      '2026-02-28',
      '--rejects',
      join(cli.dir, 'r.csv'),
    );
    assert.equal(l2.code, 0, l2.stderr);
    assert.match(l2.stdout, /changed +[1-9]/);
    assert.ok(existsSync(join(cli.dir, 'r.csv')));

    const dup = await cdsp('des', 'load', reg, '--business-date', '2026-02-27');
    assert.equal(dup.code, 0);
    assert.match(dup.stdout, /unchanged, already loaded/);
    assert.match(dup.stdout, /unchanged +200/);

    const earlier = await cdsp('des', 'load', changes, '--business-date', '2026-02-26');
    assert.equal(earlier.code, 1);
    assert.match(earlier.stderr, /--correction/);
    const corr = await cdsp('des', 'load', changes, '--business-date', '2026-02-26', '--correction');
    assert.equal(corr.code, 0, corr.stderr);
    assert.match(corr.stdout, /\(correction\)/);

    const bad = join(cli.dir, 'bad.csv');
    writeFileSync(bad, 'colour\nred\n');
    const refused = await cdsp('des', 'load', bad, '--business-date', '2026-02-28');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /no 'mprn' column/);
    assert.equal((await cdsp('des', 'load', reg, '--business-date', '2026-13-01')).code, 2);
    assert.equal((await cdsp('des', 'load', '--business-date', '2026-02-27')).code, 2);
    assert.equal((await cdsp('des', 'load', reg, '--business-date', '2026-03-03')).code, 1);
  });
});
