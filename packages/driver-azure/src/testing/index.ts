/**
 * `@novacron/driver-azure/testing`: the stateful fake of Azure Resource Manager the driver is tested against, for
 * your own tests of code that uses the driver (or the raw SDK clients). It checks every VM and NIC body against
 * Microsoft's published ARM JSON Schemas, from a folder you point it at (`contracts`).
 *
 * @example
 * import { createAzureDriver } from '@novacron/driver-azure';
 * import { FAKE_LOCATION, FAKE_RESOURCE_GROUP, FAKE_SUBSCRIPTION, fakeArmCredential, startFakeArm } from '@novacron/driver-azure/testing';
 *
 * const fake = await startFakeArm({ contracts: './azure-contracts' });
 * const driver = createAzureDriver({
 *   subscriptionId: FAKE_SUBSCRIPTION, resourceGroup: FAKE_RESOURCE_GROUP, location: FAKE_LOCATION,
 *   credential: fakeArmCredential, endpoint: fake.url, tlsOptions: { ca: fake.ca }, pollIntervalMs: 1,
 * });
 *
 * @packageDocumentation
 */

export { ARM_CONTRACT_FILES, type ContractViolation } from './arm-contract.js';
export {
  FAKE_IMAGES,
  FAKE_LOCATION,
  FAKE_RESOURCE_GROUP,
  FAKE_SKUS,
  FAKE_SUBNET_ID,
  FAKE_SUBSCRIPTION,
  type FakeSku,
} from './fake-arm-catalog.js';
export {
  type ErrorFault,
  FAKE_TOKEN,
  type FailedOperationFault,
  type FakeArm,
  type FakeArmOptions,
  type FakeNic,
  type FakePowerState,
  type FakePublicIp,
  type FakeVm,
  type FaultMatch,
  type FaultScript,
  fakeArmCredential,
  type LostResponseFault,
  NEXT_LINK_API_VERSION,
  type RecordedRequest,
  startFakeArm,
} from './fake-arm-server.js';
