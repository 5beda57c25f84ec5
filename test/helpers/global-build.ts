// Vitest global set-up: the process tests start bin/relief.js, which runs dist/. Build once here, before any test
// file runs, so parallel test files never race to rebuild a stale dist/.
// @ts-expect-error -- bin/build.js is plain JavaScript without type declarations
import { ensureBuilt } from '../../bin/build.js';

export default function setup(): void {
  (ensureBuilt as () => boolean)();
}
