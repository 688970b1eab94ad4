/**
 * Builds the web assets into public/build: our Sass over GOV.UK Frontend (own font stack, no crown), the
 * GOV.UK Frontend JavaScript, and our small app.js. Skips work when the output is newer than its sources.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sass from 'sass';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'public/build');
const src = join(root, 'src/platform/web/assets');
const scss = join(src, 'app.scss');
const css = join(out, 'app.css');

function newest(dir: string): number {
  let t = 0;
  for (const f of readdirSync(dir)) t = Math.max(t, statSync(join(dir, f)).mtimeMs);
  return t;
}

export function buildAssets(force = false): boolean {
  mkdirSync(out, { recursive: true });
  if (!force && existsSync(css) && statSync(css).mtimeMs >= newest(src)) return false;
  const result = sass.compile(scss, {
    style: 'compressed',
    importers: [new sass.NodePackageImporter(root)],
    quietDeps: true,
    silenceDeprecations: ['import', 'global-builtin'],
  });
  writeFileSync(css, result.css);
  copyFileSync(join(src, 'app.js'), join(out, 'app.js'));
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = buildAssets(process.argv.includes('--force'));
  console.log(built ? `assets built in ${out}` : 'assets up to date');
}
