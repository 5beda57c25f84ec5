import { defineConfig } from 'vitest/config';

export default defineConfig({
  esbuild: { jsx: 'transform', jsxFactory: 'h', jsxFragment: 'Fragment' },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests that share one PostgreSQL database must not run at the same time; each file gets its own schema instead.
    pool: 'forks',
    maxWorkers: 2,
  },
});
