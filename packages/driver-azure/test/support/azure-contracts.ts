import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ARM_CONTRACT_FILES,
  type FakeArm,
  type FakeArmOptions,
  startFakeArm,
} from '@novacron/driver-azure/testing';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

/**
 * Where the tests read Microsoft's published contract (see its README): `NOVACRON_AZURE_CONTRACTS`, or the shared
 * data folder beside the repository (`../shared/data/cloud-contracts/azure`). It is never copied into the repository.
 */
export const AZURE_CONTRACTS =
  process.env.NOVACRON_AZURE_CONTRACTS ??
  fileURLToPath(new URL('../../../../../shared/data/cloud-contracts/azure/', import.meta.url));

/** Whether the contract is there. Without it, local runs skip the fake-backed tests with a message; CI fails. */
export const contractsPresent = existsSync(join(AZURE_CONTRACTS, ARM_CONTRACT_FILES.computeSchema));

if (!contractsPresent) {
  const reason = `Microsoft's published Azure contract is missing at ${AZURE_CONTRACTS}. Set NOVACRON_AZURE_CONTRACTS to a copy laid out as ../shared/data/cloud-contracts/azure/README.md describes (arm-schemas/ from Azure/azure-resource-manager-schemas, rest-api-specs/ from Azure/azure-rest-api-specs)`;
  if (process.env.CI === 'true')
    throw new Error(`driver-azure tests need the contract under CI=true: ${reason}`);
  console.warn(`[driver-azure] skipping the fake-ARM tests: ${reason}.`);
}

/** Starts the fake with the tests' contract copy. */
export function startCheckedFakeArm(options: Omit<FakeArmOptions, 'contracts'> = {}): Promise<FakeArm> {
  return startFakeArm({ ...options, contracts: AZURE_CONTRACTS });
}

/**
 * Starts one checked fake for the test file (when the contract is there) and closes it after; each test must leave
 * no contract violation and no altered `nextLink`. Returns a getter, since the fake starts in `beforeAll`.
 */
export function useCheckedFakeArm(options: Omit<FakeArmOptions, 'contracts'> = {}): () => FakeArm {
  let fake: FakeArm | undefined;
  beforeAll(async () => {
    if (contractsPresent) fake = await startCheckedFakeArm(options);
  });
  afterEach(() => {
    expect(fake?.violations ?? []).toEqual([]);
    expect(fake?.alteredNextLinks ?? []).toEqual([]);
  });
  afterAll(() => fake?.close());
  return () => {
    if (fake === undefined)
      throw new Error('The fake ARM server has not started (is the contract missing?).');
    return fake;
  };
}
