import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: integration suites start real servers, so keep parallelism modest.
    maxWorkers: 2,
    restoreMocks: true,
  },
});
