/**
 * Tests: unit tests beside the code (`main/**\/*.test.ts`), cross-process and end-to-end
 * tests in tests/. Workers and child processes make some slow on 2 cores: generous timeouts.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['main/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.ts', 'tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Native modules (better-sqlite3, onnxruntime) and worker threads: forks isolate them best.
    pool: 'forks',
    fileParallelism: false,
  },
});
