import { testDriver } from '@novacron/core/testing';
import { createSimDriver } from '../src/index.js';

// The sim with its defaults (8 hosts, 5 ms transitions, 25-item pages), as examples and users get it.
testDriver({
  name: 'sim (defaults)',
  factory: () => createSimDriver({ seed: 1 }),
  createSpec: (name) => ({ name, size: 'sim.small', image: 'debian-12' }),
  missingVmId: 'vm-ffffffff',
});

// The same contract through transient faults on the operations the client retries, with enough attempts that a
// create fails only with probability ~1e-8. `list` stays clean because the suite also pages the driver directly
// (paginateVms(driver)), outside the client's retry step; `get` stays clean because a waiter whose deadline fires
// while the retry step backs off reports the last transient error instead of TIMEOUT (reported to core); `migrate`
// stays clean because the core never retries a migration, not even a throttled one that did nothing.
const transient = {
  throttleRate: 0.1,
  retryAfterMs: 1,
  errorRate: 0.1,
  lostResponseRate: 0.03,
  latencyMs: { min: 0, max: 2 },
};
const clean = { throttleRate: 0, errorRate: 0, lostResponseRate: 0 };
testDriver({
  name: 'sim (10 % throttling, 10 % 5xx, 3 % lost responses, 0-2 ms latency)',
  factory: () =>
    createSimDriver({
      seed: 2,
      faults: { '*': transient, list: clean, get: clean, migrate: clean },
    }),
  limits: { default: { concurrency: 32, retry: { maxAttempts: 12, baseDelayMs: 1, maxDelayMs: 20 } } },
  missingVmId: 'vm-ffffffff',
  paginationVmCount: 1000,
});
