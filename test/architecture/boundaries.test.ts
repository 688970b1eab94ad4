/**
 * ADR 4: the module boundaries are enforced by `npm run lint`. These tests run ESLint with the project's own
 * configuration on code that breaks each rule, and check that the rule fires with a message that names it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { boundaryConfig } from '../../eslint.config.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function lint(filePath: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  return (result?.messages ?? []).map((m) => ({ rule: m.ruleId, message: m.message }));
}

test('a module importing a private file of another module fails lint, naming the rule', async () => {
  const found = await lint(
    'src/modules/cms/boundary-probe.ts',
    "import { identityRepository } from '../identity/identity.repository.ts';\nexport const x = identityRepository;\n",
  );
  const hit = found.find((m) => m.rule === 'boundaries/dependencies');
  assert.ok(hit, `expected boundaries/dependencies, got ${JSON.stringify(found)}`);
  assert.match(hit.message, /only through its index\.ts: identity\/identity\.repository\.ts is private/);
});

test('a module importing another module through its index.ts passes', async () => {
  const found = await lint(
    'src/modules/cms/boundary-probe.ts',
    "import { referenceRepository } from '../reference/index.ts';\nexport const x = referenceRepository;\n",
  );
  assert.deepEqual(found, []);
});

test('platform/ importing a module fails lint', async () => {
  const found = await lint(
    'src/platform/boundary-probe.ts',
    "import { referenceRepository } from '../modules/reference/index.ts';\nexport const x = referenceRepository;\n",
  );
  assert.ok(
    found.some((m) => m.rule === 'boundaries/dependencies' && /platform\/ imports no module/.test(m.message)),
  );
});

test('a migration importing application code fails lint', async () => {
  const found = await lint(
    'migrations/2099-01-01-0000-boundary-probe.ts',
    "import { londonDateOf } from '../src/platform/clock.ts';\nexport const x = londonDateOf;\n",
  );
  assert.ok(
    found.some((m) => m.rule === 'boundaries/dependencies' && /Migrations import no/.test(m.message)),
  );
});

test('an import cycle fails lint (the project rule, on a two-file fixture)', async () => {
  const cycleLint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      ...(tseslint.configs.base ? [tseslint.configs.base] : []),
      { ...boundaryConfig, files: ['test/fixtures/import-cycle/*.ts'], ignores: [] },
    ],
  });
  const results = await cycleLint.lintFiles(['test/fixtures/import-cycle/a.ts']);
  const rules = results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`));
  assert.ok(
    rules.some((r) => r.startsWith('import-x/no-cycle')),
    `expected import-x/no-cycle, got ${rules.join('; ')}`,
  );
});
