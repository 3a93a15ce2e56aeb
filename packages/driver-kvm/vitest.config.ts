import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.aliases.js';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: 'driver-kvm',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Real libvirtd daemons and qemu guests: one file at a time on a shared machine.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
