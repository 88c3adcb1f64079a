import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // isolated-vm needs --no-node-snapshot in every worker; NODE_OPTIONS cannot carry it.
    pool: 'forks',
    poolOptions: { forks: { execArgv: ['--no-node-snapshot'] } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for a condition, not for a speed: its 1 s default failed a browser test
    // whose click → HTTP → plugin → re-render took longer on a loaded machine.
    expect: { poll: { timeout: 15_000 } },
    // Each test file boots its own hosts on random ports; two cores run two files at once.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
