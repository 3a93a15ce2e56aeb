import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.aliases.js';
import { gceDiscoveryPresent } from './test/support/gce-discovery-location.js';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: 'driver-gcp',
    // The tests in test/ run the fake Compute Engine, which checks every request against Google's discovery document:
    // without the document they are skipped locally (with a message) and fail the run under CI=true.
    include: gceDiscoveryPresent() ? ['src/**/*.test.ts', 'test/**/*.test.ts'] : ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
