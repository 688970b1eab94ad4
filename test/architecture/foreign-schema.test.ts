/**
 * ADR 4: a module's SQL names only its own schema's tables (and `published.*`). Another module's data is reached
 * through that module's public face, or through what it publishes in the database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { declaredTables, foreignNames, foreignSchemaViolations } from '../support/foreign-schema.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

test("no module names another module's tables in SQL or Kysely calls", () => {
  const violations = foreignSchemaViolations(root).map(
    (v) => `${v.file}:${v.line} (${v.module}) names ${v.name}, which belongs to ${v.owner}`,
  );
  assert.deepEqual(violations, []);
});

test('the check sees every table the modules declare', () => {
  const tables = declaredTables(root);
  assert.equal(tables.get('identity.organisations'), 'identity');
  assert.equal(tables.get('des.supply_point_versions'), 'des');
  assert.equal(tables.get('cms.contact_codes'), 'cms');
  assert.equal(tables.get('ref.bank_holidays'), 'reference');
  assert.equal(tables.get('audit.events'), 'audit');
});

test('a DES file whose SQL names identity. is reported (fixture)', () => {
  const file = 'test/fixtures/foreign-schema/des/portfolio-names-identity.ts';
  const found = foreignNames('des', file, readFileSync(`${root}${file}`, 'utf8'), declaredTables(root));
  assert.deepEqual(
    found.map((f) => [f.name, f.owner, f.line]),
    [
      ['identity.organisations', 'identity', 7],
      ['identity.users', 'identity', 11],
    ],
  );
  // The same text is fine in the module that owns the tables.
  assert.deepEqual(
    foreignNames('identity', file, readFileSync(`${root}${file}`, 'utf8'), declaredTables(root)),
    [],
  );
});

test('published interfaces, job names and prose are not table references', () => {
  const src = [
    "import { sql } from 'kysely';",
    'const a = sql`SELECT * FROM published.organisation_tree(${1}::uuid)`;',
    "const job = 'des.load';",
    "const action = 'identity.user_created';",
    '// identity.users in a comment',
  ].join('\n');
  assert.deepEqual(foreignNames('cms', 'x.ts', src, declaredTables(root)), []);
});
