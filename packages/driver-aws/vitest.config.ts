import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.aliases.js';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: 'driver-aws',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // One moto_server serves the whole project and is reset between files, so files run one after another.
    fileParallelism: false,
    globalSetup: ['test/support/moto-global-setup.ts'],
    setupFiles: ['test/support/moto-reset-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
