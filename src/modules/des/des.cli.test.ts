import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_CODE_LIST_DATA } from './register/index.ts';
import { progressReporter, summaryLines } from './des.cli.ts';
import { copyTextValue } from './load-staging.repository.ts';
import type { LoadProgress } from './load.service.ts';

test('the migration seeds exactly the default code lists (migrations/data/des-code-lists.json)', () => {
  const json = JSON.parse(
    readFileSync(new URL('../../../migrations/data/des-code-lists.json', import.meta.url), 'utf8'),
  ) as unknown;
  assert.deepEqual(json, JSON.parse(JSON.stringify(DEFAULT_CODE_LIST_DATA)));
});

/**
 * A progress reporter on a fake clock that starts at 0 ms, drawing into `drawn` and printing into `lines`;
 * `report(at, progress)` reports `progress` at `at` ms.
 */
function fakeProgress(onTerminal: boolean, drawn: string[], lines: string[]) {
  let t = 0;
  const report = progressReporter(
    onTerminal,
    (s) => drawn.push(s),
    (l) => lines.push(l),
    () => t,
  );
  return (at: number, progress: LoadProgress) => {
    t = at;
    report(progress);
  };
}

test('progress: a bar with rows per second on a terminal, plain lines otherwise', () => {
  const drawn: string[] = [];
  const lines: string[] = [];
  const tty = fakeProgress(true, drawn, lines);
  tty(1000, { phase: 'reading', rowsRead: 50_000, bytesRead: 500, totalBytes: 1000 });
  assert.equal(lines.length, 0);
  assert.match(drawn[0]!, /^\r\[#{15}\.{15}\] {2}50% {2}50,000 rows {2}50,000 rows\/s {2}reading/);
  tty(1100, { phase: 'reading', rowsRead: 60_000, bytesRead: 600, totalBytes: 1000 });
  assert.equal(drawn.length, 1, 'redrawn at most every 200 ms');
  tty(2000, { phase: 'done', rowsRead: 100_000, bytesRead: 1000, totalBytes: 1000 });
  assert.match(drawn[1]!, /100% {2}100,000 rows {2}50,000 rows\/s {2}done.*\n$/);

  const plain = fakeProgress(false, drawn, lines);
  plain(6000, { phase: 'reading', rowsRead: 30_000, bytesRead: 100, totalBytes: 1000 });
  plain(7000, { phase: 'reading', rowsRead: 35_000, bytesRead: 200, totalBytes: 1000 });
  assert.deepEqual(lines, ['progress: 30,000 rows read (10%), 5,000 rows/s, reading']);
  assert.equal(drawn.length, 2);
});

test('the summary names every count', () => {
  const lines = summaryLines({
    loadId: 'L',
    status: 'applied',
    businessDate: '2026-03-01',
    correction: false,
    rowsRead: 1000,
    inserted: 990,
    changed: 3,
    unchanged: 2,
    rejected: 5,
    warnings: 1,
    rejectsPath: '/x.rejects.csv',
    message: '',
  });
  assert.deepEqual(
    lines.slice(1, 7).map((l) => l.trim().split(/\s+/)[0]),
    ['rows', 'inserted', 'changed', 'unchanged', 'rejected', 'warnings'],
  );
  assert.match(lines[1]!, /1,000$/);
});

test('COPY text values escape backslash, tab and line breaks; null is \\N', () => {
  assert.equal(copyTextValue(null), '\\N');
  assert.equal(copyTextValue('plain'), 'plain');
  assert.equal(copyTextValue('a\\b\tc\nd\re'), 'a\\\\b\\tc\\nd\\re');
});
