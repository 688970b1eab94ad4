import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import boundaries from 'eslint-plugin-boundaries';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * Module boundaries (ADR 4), enforced by the build. Elements: each folder under src/modules is a module; src/platform
 * is shared infrastructure; src/config.ts is configuration (imports nothing, anyone may read it); the other files
 * at src/ (app, server, cli, composition) and src/demo are the application shell; migrations/ are the database
 * history.
 */
const BOUNDARY_ELEMENTS = [
  { type: 'module', pattern: 'src/modules/*', capture: ['name'] },
  { type: 'platform', pattern: 'src/platform' },
  { type: 'migration', pattern: 'migrations' },
  // Last, so that it takes only what no element above took: src/*.ts and src/demo.
  { type: 'shell', pattern: 'src' },
];
const BOUNDARY_POLICIES = [
  {
    from: { element: { type: 'module' } },
    disallow: {
      to: {
        element: {
          type: 'module',
          captured: { name: '!{{ from.element.captured.name }}' },
          fileInternalPath: '!index.ts',
        },
      },
    },
    message:
      'A module may import another module only through its index.ts: {{ to.element.captured.name }}/{{ to.element.fileInternalPath }} is private to the {{ to.element.captured.name }} module (boundaries, ADR 4).',
  },
  {
    from: { element: { type: 'module' } },
    disallow: { to: { element: { type: 'shell', fileInternalPath: '!config.ts' } } },
    message:
      'A module may not import the application shell (src/*.ts, src/demo): depend on platform/ or declare a port (boundaries, ADR 4).',
  },
  {
    from: { element: { type: 'platform' } },
    disallow: {
      to: [{ element: { type: 'module' } }, { element: { type: 'shell', fileInternalPath: '!config.ts' } }],
    },
    message: 'platform/ imports no module and no application file (boundaries, ADR 4).',
  },
  {
    from: { element: { type: 'migration' } },
    disallow: { to: { element: { types: ['module', 'platform', 'shell'] } } },
    message: 'Migrations import no application code (boundaries, ADR 4).',
  },
];

/** The boundary rules (exported for test/architecture/boundaries.test.ts, which proves they fire). */
export const boundaryConfig = {
  files: ['src/**/*.ts', 'migrations/**/*.ts'],
  ignores: ['**/*.test.ts'],
  plugins: { boundaries, 'import-x': importX },
  settings: {
    'boundaries/elements': BOUNDARY_ELEMENTS,
    'boundaries/include': ['src/**/*.ts', 'migrations/**/*.ts'],
    'import-x/resolver-next': [createTypeScriptImportResolver({ alwaysTryTypes: true })],
    'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    'import-x/extensions': ['.ts', '.js'],
  },
  rules: {
    'boundaries/dependencies': ['error', { default: 'allow', policies: BOUNDARY_POLICIES }],
    // Import cycles between files (type-only imports are erased at run time and are not counted).
    'import-x/no-cycle': ['error', { ignoreExternal: true }],
  },
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.data/',
      '.cache/',
      'public/build/',
      'bench/out/',
      'reports/',
      '.stryker-tmp/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through src/config.ts only.' },
      ],
    },
  },
  boundaryConfig,
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: [
      'src/config.ts',
      'src/cli.ts',
      'scripts/**',
      'bench/**',
      'e2e/**',
      'test/**',
      '**/*.test.ts',
      'bin/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
);
