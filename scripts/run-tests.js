#!/usr/bin/env node
// Runs Node's test runner through tsx over explicit file lists (a bare `--test` on Node 20 finds no .ts files).
// Usage: node scripts/run-tests.js unit|int|e2e|proof|long [...more kinds] [-- extra node --test args]
//   proof: the security proof suites in test/proof (isolation matrix, hostile input, faults, backup and restore);
//   long:  the bounded long runs in test/long (sqlmap, the 60-second mixed load).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const kinds = sep === -1 ? argv : argv.slice(0, sep);
const extra = sep === -1 ? [] : argv.slice(sep + 1);
if (kinds.length === 0) kinds.push('unit', 'int');

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(relative(root, p));
  }
  return out;
}

const all = ['src', 'test', 'e2e', 'migrations']
  .filter((d) => existsSync(join(root, d)))
  .flatMap((d) => walk(join(root, d)))
  .sort();
const pick = {
  unit: (f) =>
    f.endsWith('.test.ts') &&
    !f.endsWith('.int.test.ts') &&
    !f.startsWith('e2e/') &&
    !f.startsWith('test/proof/') &&
    !f.startsWith('test/long/'),
  int: (f) => f.endsWith('.int.test.ts') && !f.startsWith('test/proof/') && !f.startsWith('test/long/'),
  proof: (f) => f.startsWith('test/proof/') && f.endsWith('.test.ts'),
  long: (f) => f.startsWith('test/long/') && f.endsWith('.test.ts'),
  e2e: (f) => f.startsWith('e2e/') && f.endsWith('.test.ts'),
};
const files = [];
for (const kind of kinds) {
  if (!pick[kind]) {
    console.error(`unknown test kind '${kind}' (use unit, int, e2e, proof or long)`);
    process.exit(2);
  }
  files.push(...all.filter(pick[kind]));
}
if (files.length === 0) {
  console.error(`no test files found for ${kinds.join(', ')}`);
  process.exit(1);
}
// The long runs measure the machine (the load's rate and memory, sqlmap's time limits): one file at a time.
const concurrency = process.env.TEST_CONCURRENCY ?? (kinds.includes('long') ? '1' : '2');
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...extra, ...files],
  { stdio: 'inherit', cwd: root },
);
process.exit(res.status ?? 1);
