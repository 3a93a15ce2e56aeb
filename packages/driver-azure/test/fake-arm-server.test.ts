import { request } from 'node:https';
import { createNovaCron } from '@novacron/core';
import { createAzureDriver } from '@novacron/driver-azure';
import {
  FAKE_LOCATION,
  FAKE_RESOURCE_GROUP,
  FAKE_SUBNET_ID,
  FAKE_SUBSCRIPTION,
  FAKE_TOKEN,
  type FakeArm,
  fakeArmCredential,
  startFakeArm,
} from '@novacron/driver-azure/testing';
import { describe, expect, it } from 'vitest';
import { AZURE_CONTRACTS, contractsPresent } from './support/azure-contracts.js';
import { SSH_PUBLIC_KEY } from './support/azure-on-fake.js';

/** Sends `body` as it is (no SDK serializer in between) and returns the status and ARM error code. */
function putRaw(
  fake: FakeArm,
  path: string,
  body: unknown,
): Promise<{ status: number; code: string | undefined }> {
  return new Promise((resolve, reject) => {
    const sent = request(
      `${fake.url}${path}?api-version=2025-05-01`,
      {
        method: 'PUT',
        ca: fake.ca,
        headers: { authorization: `Bearer ${FAKE_TOKEN}`, 'content-type': 'application/json' },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            code: (JSON.parse(text || '{}') as { error?: { code?: string } }).error?.code,
          }),
        );
      },
    );
    sent.on('error', reject);
    sent.end(JSON.stringify(body));
  });
}

describe('startFakeArm options', () => {
  it('refuses to start with neither contracts nor an explicit validateRequests: false', async () => {
    await expect(startFakeArm({})).rejects.toThrow(/contracts: .*validateRequests: false/s);
  });

  it('refuses validateRequests: false together with contracts, and unknown options', async () => {
    await expect(startFakeArm({ contracts: AZURE_CONTRACTS, validateRequests: false })).rejects.toThrow(
      /contradicts contracts/,
    );
    await expect(startFakeArm({ contract: AZURE_CONTRACTS } as never)).rejects.toThrow(/contract/);
  });

  it('names the missing file of a contracts folder and where it comes from', async () => {
    await expect(startFakeArm({ contracts: '/nonexistent/azure' })).rejects.toThrow(
      /Microsoft\.Compute\.json.*Azure\/azure-resource-manager-schemas/,
    );
  });

  it('runs unchecked only when told to', async () => {
    const fake = await startFakeArm({ validateRequests: false });
    const flat = await putRaw(
      fake,
      `/subscriptions/${FAKE_SUBSCRIPTION}/resourceGroups/${FAKE_RESOURCE_GROUP}/providers/Microsoft.Network/networkInterfaces/x`,
      { location: FAKE_LOCATION, properties: {} },
    );
    expect(flat.status).toBe(201);
    await fake.close();
  });
});

describe.skipIf(!contractsPresent)('the fake checks NIC bodies like VM bodies', () => {
  it('refuses a NIC body whose fields are flat, with a 400, and records it', async () => {
    const fake = await startFakeArm({ contracts: AZURE_CONTRACTS });
    const path = `/subscriptions/${FAKE_SUBSCRIPTION}/resourceGroups/${FAKE_RESOURCE_GROUP}/providers/Microsoft.Network/networkInterfaces/flat-nic`;
    // The IP configuration's fields belong under its own `properties`: ARM would drop them without a word.
    const flat = await putRaw(fake, path, {
      location: FAKE_LOCATION,
      properties: {
        ipConfigurations: [{ name: 'ipconfig1', subnet: { id: FAKE_SUBNET_ID }, primary: true }],
      },
    });
    expect(flat).toEqual({ status: 400, code: 'InvalidRequestContent' });
    expect(fake.violations[0]?.errors.join()).toMatch(
      /ipConfigurations\/0 must NOT have additional properties/,
    );
    const nested = await putRaw(fake, path, {
      location: FAKE_LOCATION,
      properties: {
        ipConfigurations: [
          { name: 'ipconfig1', properties: { subnet: { id: FAKE_SUBNET_ID }, primary: true } },
        ],
      },
    });
    expect(nested.status).toBe(201);
    expect(fake.violations).toHaveLength(1);
    await fake.close();
  });

  it('runs the snippet of docs/azure.md', async () => {
    const contractsDir = AZURE_CONTRACTS;
    const sshPublicKey = SSH_PUBLIC_KEY;
    // --- docs/azure.md: testing snippet ---
    const fake = await startFakeArm({ contracts: contractsDir });
    const nc = createNovaCron({
      providers: {
        azure: createAzureDriver({
          subscriptionId: FAKE_SUBSCRIPTION,
          resourceGroup: FAKE_RESOURCE_GROUP,
          location: FAKE_LOCATION,
          credential: fakeArmCredential,
          endpoint: fake.url,
          tlsOptions: { ca: fake.ca },
          pollIntervalMs: 1,
        }),
      },
    });
    const vm = await nc.vms.create({
      provider: 'azure',
      name: 'web-1',
      size: 'Standard_B1s',
      image: 'Canonical:ubuntu-24_04-lts:server:latest',
      providerOptions: { azure: { subnetId: FAKE_SUBNET_ID, sshPublicKey } },
    });
    expect(vm.state.name).toBe('running');
    expect(fake.violations).toEqual([]); // every VM and NIC body matched Microsoft's schemas
    await nc.close();
    await fake.close();
    // --- end of snippet ---
  });
});
