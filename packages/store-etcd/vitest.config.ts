import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.aliases.js';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: 'store-etcd',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Each test file starts its own etcd cluster; one file at a time keeps a loaded two-core machine from starving
    // the members into spurious elections.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
