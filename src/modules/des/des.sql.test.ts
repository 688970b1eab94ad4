/**
 * Compiled-SQL snapshots of the DES portfolio and enquiry queries: each query is compiled with Kysely's PostgreSQL
 * compiler and compared with `test/snapshots/des/<name>.sql`, so a reviewer sees the SQL that runs (and
 * a change to it shows in the diff). `UPDATE_SNAPSHOTS=1` rewrites the files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RawBuilder } from 'kysely';
import { compileOnlyDb } from '../../../test/support/compile-only-db.ts';
import { timelineSql, versionAtSql } from './des.repository.ts';
import { CURRENT, portfolioSql, viewerOf } from './portfolio.repository.ts';
import { detailSql, historyHeadSql, matchSql } from './enquiry/enquiry.repository.ts';

const db = compileOnlyDb;

const DIR = join(import.meta.dirname, '../../../test/snapshots/des');
const ORG = '00000000-0000-4000-8000-000000000009';
const CHILD = '00000000-0000-4000-8000-00000000000a';
/** A parent organisation's user with the group grant: its own rights and its child's. */
const VIEWER = viewerOf({ organisationId: ORG, visibleOrganisationIds: [ORG, CHILD] });
const AS_AT = '2026-03-01';

function render(q: RawBuilder<unknown>): string {
  const c = q.compile(db);
  const text = c.sql
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .join('\n');
  return `${text}\n-- parameters: ${JSON.stringify(c.parameters)}\n`;
}

function snapshot(name: string, q: RawBuilder<unknown>): void {
  const file = join(DIR, `${name}.sql`);
  const actual = render(q);
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `no snapshot ${file}: run with UPDATE_SNAPSHOTS=1 and review the file`);
  assert.equal(actual, readFileSync(file, 'utf8'), `${name}: compiled SQL differs from ${file}`);
}

const QUERIES: Record<string, () => RawBuilder<unknown>> = {
  'portfolio-list': () =>
    portfolioSql({ viewer: VIEWER, asAt: AS_AT, knowledge: CURRENT, after: '7412345609', limit: 1000 }),
  'portfolio-one-mprn': () =>
    portfolioSql({ viewer: VIEWER, asAt: AS_AT, knowledge: CURRENT, mprn: '741234509' }),
  'portfolio-one-mprn-as-known-at': () =>
    portfolioSql({
      viewer: VIEWER,
      asAt: AS_AT,
      knowledge: { kind: 'seq', seq: '42' },
      mprn: '741234509',
    }),
  'enquiry-version-at': () => versionAtSql('741234509', AS_AT, CURRENT),
  'enquiry-lookup': () => detailSql(VIEWER, '741234509', AS_AT, CURRENT, false),
  'enquiry-lookup-community': () => detailSql(VIEWER, '741234509', AS_AT, CURRENT, true),
  'enquiry-lookup-as-known-at': () =>
    detailSql(VIEWER, '741234509', AS_AT, { kind: 'seq', seq: '42' }, false),
  'enquiry-history-head': () => historyHeadSql(VIEWER, '741234509', AS_AT, false),
  'enquiry-history-head-community': () => historyHeadSql(VIEWER, '741234509', AS_AT, true),
  'enquiry-search': () =>
    matchSql({
      viewer: VIEWER,
      asAt: AS_AT,
      filter: { criteria: { postcode: 'B91 1AA', house_no: '12a', street: '50%_off' } },
      community: false,
      after: 'key',
      limit: 21,
    }),
  'enquiry-search-community': () =>
    matchSql({
      viewer: VIEWER,
      asAt: AS_AT,
      filter: { criteria: { msn: 'E6S12345678901', uprn: '100023336956', address_id: '200000001' } },
      community: true,
      limit: 21,
    }),
  'enquiry-history': () =>
    timelineSql({ viewer: VIEWER, mprn: '741234509', upToDate: AS_AT, community: false }),
  'enquiry-history-community-pending': () =>
    timelineSql({ viewer: VIEWER, mprn: '741234509', upToDate: null, community: true }),
  'enquiry-bulk-chunk': () =>
    matchSql({
      viewer: VIEWER,
      asAt: AS_AT,
      filter: { mprns: ['741234509', '1234567890'] },
      community: false,
    }),
};

for (const [name, q] of Object.entries(QUERIES)) {
  test(`compiled SQL: ${name}`, () => snapshot(name, q()));
}

test('no DES portfolio or enquiry SQL names another module’s schema', () => {
  for (const [name, q] of Object.entries(QUERIES)) {
    const text = q().compile(db).sql;
    assert.doesNotMatch(text, /\b(identity|ref|cms|audit)\./, name);
    assert.match(text, /\bdes\./, name);
  }
});
