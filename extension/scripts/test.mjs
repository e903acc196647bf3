// Runs the extension's unit tests: bundles every extension/src/**/*.test.ts
// with esbuild into extension/.build/test/ and runs the bundles with node's
// built-in test runner. Exits non-zero when a test fails.
//
//   node extension/scripts/test.mjs            all tests
//   node extension/scripts/test.mjs canonical  only test files whose path contains "canonical"
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const src = join(root, 'extension', 'src');
const out = join(root, 'extension', '.build', 'test');

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(path));
    else if (entry.name.endsWith('.test.ts')) found.push(path);
  }
  return found.sort();
}

const filters = process.argv.slice(2);
const tests = findTests(src).filter(
  (f) => filters.length === 0 || filters.some((s) => relative(src, f).includes(s)),
);
if (tests.length === 0) {
  console.error(`no test files found under ${relative(root, src)}${filters.length ? ` matching ${filters.join(', ')}` : ''}`);
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: tests,
  outdir: out,
  outbase: src,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
  // jsdom loads files of its own at run time: it is used from node_modules.
  external: ['jsdom'],
  // Bundled CommonJS dependencies may call require() for node builtins.
  banner: { js: "import { createRequire as __redlineRequire } from 'node:module'; const require = __redlineRequire(import.meta.url);" },
});

const bundles = tests.map((f) => join(out, relative(src, f)).replace(/\.ts$/, '.mjs'));
const run = spawnSync(process.execPath, ['--enable-source-maps', '--test', ...bundles], {
  cwd: root,
  stdio: 'inherit',
});
if (run.error) {
  console.error(`could not run node --test: ${run.error.message}`);
  process.exit(1);
}
process.exit(run.status ?? 1);
