import { testDriver } from '@novacron/core/testing';
import { fakeGceAuthClient } from '@novacron/driver-gcp/testing';
import { createGcpDriver } from '../src/index.js';
import { gcpDriverFor, useFakeGce } from './support/gcp-on-fake.js';

const fake = useFakeGce();

testDriver({
  name: 'gcp on the fake Compute Engine',
  // The fake starts in beforeAll, so the factory cannot be called at registration: the manifest is read from a driver
  // made without a server (making one sends nothing).
  capabilities: createGcpDriver({ projectId: 'capabilities', authClient: fakeGceAuthClient() }).capabilities,
  factory: () => gcpDriverFor(fake()),
  createSpec: (name) => ({ name, size: 'e2-micro' }),
  paginationVmCount: 300,
  missingVmId: 'us-central1-a/no-such-vm',
  stateTimeoutMs: 10_000,
});
