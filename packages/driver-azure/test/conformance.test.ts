import { testDriver } from '@novacron/core/testing';
import { afterAll, beforeAll, expect } from 'vitest';
import { createAzureDriver } from '../src/index.js';
import { azureSpec, driverOn, fixedCredential } from './support/azure-on-fake.js';
import { FAKE_SUBSCRIPTION, type FakeArm, startFakeArm } from './support/fake-arm-server.js';

// The real SDK clients against a stateful fake of Resource Manager that checks every VM and NIC body against
// Microsoft's ARM JSON Schemas; the fake starts before the suite, so the manifest is given here.
let fake: FakeArm;
beforeAll(async () => {
  fake = await startFakeArm();
});
afterAll(async () => {
  // A body the contract refused fails the run even when the driver hid the 400 somehow.
  expect(fake.violations).toEqual([]);
  expect(fake.alteredNextLinks).toEqual([]);
  await fake.close();
});

testDriver({
  name: 'azure on a fake ARM',
  factory: () => driverOn(fake),
  capabilities: createAzureDriver({ subscriptionId: FAKE_SUBSCRIPTION, credential: fixedCredential })
    .capabilities,
  createSpec: azureSpec,
  // Above the fake's 40-VM pages and the driver's 100-VM pages, with an empty ARM page before each real one.
  paginationVmCount: 300,
  missingVmId: 'no-such-vm',
  stateTimeoutMs: 20_000,
});
