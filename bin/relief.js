#!/usr/bin/env node
// Runs the compiled CLI from dist/. When dist/ is missing or older than src/ (a fresh clone whose `npm ci` ran
// `prepare`, or sources changed since), it builds first, so `npm start` never serves stale code.
import { ensureBuilt } from './build.js';

try {
  if (ensureBuilt()) console.error('relief: built dist/ from src/');
} catch (error) {
  console.error(`relief: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
await import('../dist/cli.js');
