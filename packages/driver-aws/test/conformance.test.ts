import { testDriver } from '@novacron/core/testing';
import { afterEach, describe } from 'vitest';
import { MOTO_IMAGE, motoDriver, resetMoto, skipWithoutMoto } from './support/moto.js';

// Skipped only outside CI when moto_server is not installed (the global setup says how to install it); under
// CI=true the global setup fails the run instead.
describe.skipIf(skipWithoutMoto)('driver conformance on moto', () => {
  // Registered before the suite's own afterEach, so it runs after it (hooks unwind like a stack): the suite deletes
  // its VMs, then moto is emptied, because moto keeps terminated instances forever and every later list would pay.
  afterEach(resetMoto);
  testDriver({
    name: 'aws on moto',
    // moto stores ClientToken but does not honour it, so the key is looked up by tag on every create; on real EC2
    // the default ('retries') is enough because EC2 answers a repeated ClientToken with the same instance.
    factory: () => motoDriver({ idempotencyLookup: 'always' }),
    createSpec: (name) => ({ name, size: 't3.micro', image: MOTO_IMAGE }),
    // Above EC2's 1,000-item page, so the suite crosses pages; moto slows down with thousands of instances.
    paginationVmCount: 1_100,
    missingVmId: 'i-0123456789abcdef0',
    stateTimeoutMs: 30_000,
  });
});
