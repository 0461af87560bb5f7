import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./', import.meta.url)) } },
  test: {
    include: ['lib/**/*.test.ts', 'components/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    // One worker per core, files in parallel: every method has its own test file, and vitest's
    // default (cores − 1) would run them one at a time on a 2-core machine.
    maxWorkers: availableParallelism(),
    // Training tests take a few seconds on an idle core; with every core busy they can pass 5 s.
    // Timeouts here catch hangs, not slowness (benchmarks measure speed).
    testTimeout: 30_000,
  },
});
