import { testDriver } from '@novacron/core/testing';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createGcpDriver } from '../src/index.js';
import { type FakeGce, startFakeGce } from './support/fake-gce-server.js';
import { fixedTokenAuth, gcpDriverFor } from './support/gcp-on-fake.js';

let fake: FakeGce;
beforeAll(async () => {
  fake = await startFakeGce();
});
afterAll(() => fake.close());
// Registered before the suite's hooks, so it runs after them: every request of the test, its clean-up included, must
// have matched Google's discovery document.
afterEach(() => {
  expect(fake.invalidRequests).toEqual([]);
});

testDriver({
  name: 'gcp on the fake Compute Engine',
  // The fake starts in beforeAll, so the factory cannot be called at registration: the manifest is read from a driver
  // made without a server (making one sends nothing).
  capabilities: createGcpDriver({ projectId: 'capabilities', authClient: fixedTokenAuth() }).capabilities,
  factory: () => gcpDriverFor(fake),
  createSpec: (name) => ({ name, size: 'e2-micro' }),
  paginationVmCount: 300,
  missingVmId: 'us-central1-a/no-such-vm',
  stateTimeoutMs: 10_000,
});
