import { testDriver } from '@novacron/core/testing';
import { createAzureDriver } from '@novacron/driver-azure';
import { FAKE_SUBSCRIPTION, type FakeArm, fakeArmCredential } from '@novacron/driver-azure/testing';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { contractsPresent, startCheckedFakeArm } from './support/azure-contracts.js';
import { azureSpec, driverOn } from './support/azure-on-fake.js';

// The real SDK clients against a stateful fake of Resource Manager that checks every VM and NIC body against
// Microsoft's ARM JSON Schemas; the fake starts before the suite, so the manifest is given here.
describe.skipIf(!contractsPresent)('azure through the real SDK against the fake ARM', () => {
  let fake: FakeArm;
  beforeAll(async () => {
    fake = await startCheckedFakeArm();
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
    capabilities: createAzureDriver({ subscriptionId: FAKE_SUBSCRIPTION, credential: fakeArmCredential })
      .capabilities,
    createSpec: azureSpec,
    // Above the fake's 40-VM pages and the driver's 100-VM pages, with an empty ARM page before each real one.
    paginationVmCount: 300,
    missingVmId: 'no-such-vm',
    stateTimeoutMs: 20_000,
  });
});
