/**
 * Compiled-SQL snapshots of the DES portfolio and enquiry queries: each query is compiled with Kysely's PostgreSQL
 * compiler and compared with `test/snapshots/des/<name>.sql`, so a reviewer sees the SQL that runs (and
 * a change to it shows in the diff). `UPDATE_SNAPSHOTS=1` rewrites the files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type RawBuilder,
} from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { timelineSql, versionAtSql } from './des.repository.ts';
import { CURRENT, portfolioSql } from './portfolio.repository.ts';
import { detailSql, matchSql } from './enquiry/enquiry.repository.ts';

const db = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const DIR = join(import.meta.dirname, '../../../test/snapshots/des');
const ORG = '00000000-0000-4000-8000-000000000009';
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
    portfolioSql({ organisationId: ORG, asAt: AS_AT, knowledge: CURRENT, after: '7412345609', limit: 1000 }),
  'portfolio-one-mprn': () =>
    portfolioSql({ organisationId: ORG, asAt: AS_AT, knowledge: CURRENT, mprn: '741234509' }),
  'portfolio-one-mprn-as-known-at': () =>
    portfolioSql({
      organisationId: ORG,
      asAt: AS_AT,
      knowledge: { kind: 'seq', seq: '42' },
      mprn: '741234509',
    }),
  'portfolio-mprn-in': () =>
    portfolioSql({
      organisationId: ORG,
      asAt: AS_AT,
      knowledge: CURRENT,
      mprnIn: sql`SELECT c.mprn FROM c`,
    }),
  'enquiry-version-at': () => versionAtSql('741234509', AS_AT, CURRENT),
  'enquiry-lookup': () => detailSql(ORG, '741234509', AS_AT, CURRENT),
  'enquiry-lookup-as-known-at': () => detailSql(ORG, '741234509', AS_AT, { kind: 'seq', seq: '42' }),
  'enquiry-search': () =>
    matchSql({
      organisationId: ORG,
      asAt: AS_AT,
      filter: { criteria: { postcode: 'B91 1AA', house_no: '12a', street: '50%_off' } },
      community: false,
      after: 'key',
      limit: 21,
    }),
  'enquiry-search-community': () =>
    matchSql({
      organisationId: ORG,
      asAt: AS_AT,
      filter: { criteria: { msn: 'E6S12345678901', uprn: '100023336956', address_id: '200000001' } },
      community: true,
      limit: 21,
    }),
  'enquiry-history': () => timelineSql('741234509', AS_AT),
  'enquiry-bulk-chunk': () =>
    matchSql({
      organisationId: ORG,
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
