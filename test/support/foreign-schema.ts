/**
 * Finds SQL in one module that names another module's tables (ADR 4). Each table belongs to the module whose
 * `*.tables.ts` declares it (the platform's mail tables to the platform); `published.*` is the shared interface any
 * module may read. A reference counts when it appears in a string literal (Kysely: `selectFrom('identity.users')`)
 * or in the text of a template literal (raw SQL: sql`… FROM identity.organisations …`): in raw SQL any name in a
 * foreign module's schema counts, known table or not.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

export interface SchemaViolation {
  file: string;
  line: number;
  name: string;
  owner: string;
  module: string;
}

/** Schema → the module that owns it. */
export const SCHEMA_OWNERS: Readonly<Record<string, string>> = {
  identity: 'identity',
  des: 'des',
  cms: 'cms',
  audit: 'audit',
  ref: 'reference',
  batch: 'batch-files',
  mail: 'platform',
  pgboss: 'platform',
};

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** The module a source file belongs to ('des' for src/modules/des/enquiry/x.ts), or null outside modules. */
export function moduleOf(root: string, file: string): string | null {
  const parts = relative(root, file).split(sep);
  return parts[0] === 'src' && parts[1] === 'modules' && parts.length > 3 ? (parts[2] ?? null) : null;
}

/** Every table the modules declare, with its owning module (from the `*.tables.ts` files). */
export function declaredTables(root: string): Map<string, string> {
  const tables = new Map<string, string>();
  const files = walk(join(root, 'src')).filter((f) => f.endsWith('.tables.ts'));
  for (const f of files) {
    const owner = moduleOf(root, f) ?? 'platform';
    for (const m of readFileSync(f, 'utf8').matchAll(/^\s*'([a-z_]+\.[a-z_]+)'\s*:/gm)) {
      tables.set(m[1]!, owner);
    }
  }
  return tables;
}

/** The literal texts of a source file with their line numbers: string literals and template literal parts. */
function literalTexts(fileName: string, text: string): { text: string; line: number; template: boolean }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: { text: string; line: number; template: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    const line = () => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    if (ts.isStringLiteral(node)) out.push({ text: node.text, line: line(), template: false });
    else if (ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateLiteralToken(node)) {
      out.push({ text: node.text ?? '', line: line(), template: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The foreign names in one file's source, judged as code of module `module`. */
export function foreignNames(
  module: string,
  fileName: string,
  text: string,
  tables: ReadonlyMap<string, string>,
): SchemaViolation[] {
  const found: SchemaViolation[] = [];
  for (const lit of literalTexts(fileName, text)) {
    for (const m of lit.text.matchAll(/\b([a-z_]+)\.([a-z_]+)\b/g)) {
      const name = `${m[1]}.${m[2]}`;
      const schemaOwner = SCHEMA_OWNERS[m[1]!];
      const owner = tables.get(name) ?? (lit.template ? schemaOwner : undefined);
      if (owner !== undefined && owner !== module) {
        const line = lit.line + (lit.text.slice(0, m.index).match(/\n/g)?.length ?? 0);
        found.push({ file: fileName, line, name, owner, module });
      }
    }
  }
  return found;
}

/** Every foreign name in the application modules' non-test sources. */
export function foreignSchemaViolations(root: string): SchemaViolation[] {
  const tables = declaredTables(root);
  const out: SchemaViolation[] = [];
  for (const file of walk(join(root, 'src', 'modules'))) {
    if (file.endsWith('.test.ts')) continue;
    const module = moduleOf(root, file);
    if (module === null) continue;
    out.push(...foreignNames(module, relative(root, file), readFileSync(file, 'utf8'), tables));
  }
  return out;
}
