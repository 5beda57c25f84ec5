import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Classic JSX with our own escaping runtime (src/lib/jsx.ts); no dev-only props such as __source.
  oxc: { jsx: { runtime: 'classic', pragma: 'h', pragmaFrag: 'Fragment', development: false } },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    globalSetup: ['test/helpers/global-build.ts'],
    setupFiles: ['test/helpers/each-file.ts'],
    // The browser and fuzz tests walk every page or route; on a loaded 2-core machine they neared 60 s.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
