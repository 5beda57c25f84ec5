#!/usr/bin/env node
// `npm run build` (also run by `npm ci` through `prepare`, and by bin/relief.js when dist/ is missing or older than
// src/): compiles src/ to dist/ with tsc, copies the files tsc does not emit (stylesheets, scripts), and stamps the
// build. Exported as ensureBuilt() so the CLI and the test set-up build only when something changed.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const stamp = join(dist, '.built');

/** Every file under a folder, with its modification time. */
function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

/** True when dist/ is missing, or a source file (or a build setting) changed after the last build. */
export function isStale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const inputs = [join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json'), src];
  for (const input of inputs) {
    if (statSync(input).mtimeMs > built) return true; // a folder's time changes when a file is added or removed
  }
  for (const file of walk(src))
    if (statSync(file).mtimeMs > built || statSync(dirname(file)).mtimeMs > built) return true;
  return false;
}

export function build() {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    throw new Error('dist/ is missing or out of date, and TypeScript is not installed to build it: run `npm ci`.');
  }
  // A clean output: files removed from src/ must not linger in dist/.
  rmSync(dist, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the build failed (tsc reported the errors above).');
  for (const file of walk(src)) {
    if (/\.tsx?$/.test(file)) continue;
    const target = join(dist, relative(src, file));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(file, target);
  }
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}

/** Builds when needed; returns true when it did. */
export function ensureBuilt() {
  if (!isStale()) return false;
  build();
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    build();
  } catch (error) {
    console.error(`relief build: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
