/**
 * One inventory table across four providers: the simulated fleet, AWS, Azure and Google Compute Engine, listed
 * through one client (`nc.vms.list()` fans out to every provider, page by page, never truncated).
 *
 * Where it runs:
 * - AWS is moto, the EC2 emulator (`pip install 'moto[server]'`): the server at `MOTO_URL`, or one it starts.
 * - Azure and GCE are the fake servers the drivers ship for tests (`@novacron/driver-azure/testing`,
 *   `@novacron/driver-gcp/testing`), driven by the real `@azure/arm-compute` and `@google-cloud/compute` clients.
 *   They check every request against the vendors' published contracts when they have them: Microsoft's (a folder
 *   laid out like `../shared/data/cloud-contracts/azure`, or `NOVACRON_AZURE_CONTRACTS`) and Google's discovery
 *   document (`GCE_DISCOVERY`, or the copy in `../shared/data/cloud-contracts/gce`). Without them the fakes run
 *   unchecked and the example says so; under CI=true a missing contract is an error.
 * It seeds a few VMs on each provider first, since empty emulators would make an empty table.
 *
 * Run: `npx tsx examples/multi-cloud-inventory.ts`
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createNovaCron, type Vm } from '@novacron/core';
import { createAwsDriver } from '@novacron/driver-aws';
import { createAzureDriver } from '@novacron/driver-azure';
import {
  FAKE_LOCATION,
  FAKE_RESOURCE_GROUP,
  FAKE_SUBNET_ID,
  FAKE_SUBSCRIPTION,
  fakeArmCredential,
  startFakeArm,
} from '@novacron/driver-azure/testing';
import { createGcpDriver } from '@novacron/driver-gcp';
import { fakeGceAuthClient, fakeGceClientOptions, startFakeGce } from '@novacron/driver-gcp/testing';
import { createSimDriver } from '@novacron/driver-sim';
import { useMotoServer } from '../scripts/support/moto-server.js';

const azureContracts = contractPath(
  'NOVACRON_AZURE_CONTRACTS',
  '../../shared/data/cloud-contracts/azure/',
  "Microsoft's ARM contracts",
);
const gceDiscovery = contractPath(
  'GCE_DISCOVERY',
  '../../shared/data/cloud-contracts/gce/discovery/compute.v1.vm-subset.json',
  "Google's Compute Engine discovery document",
);

const moto = await useMotoServer();
await moto.reset();
const arm = await startFakeArm(
  azureContracts === undefined ? { validateRequests: false } : { contracts: azureContracts },
);
const gce = await startFakeGce(
  gceDiscovery === undefined ? { validateRequests: false } : { discovery: gceDiscovery },
);

const nc = createNovaCron({
  providers: {
    sim: createSimDriver({ seed: 7, hosts: 3 }),
    aws: createAwsDriver({
      region: 'eu-west-1',
      endpoint: moto.url,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    }),
    azure: createAzureDriver({
      subscriptionId: FAKE_SUBSCRIPTION,
      resourceGroup: FAKE_RESOURCE_GROUP,
      location: FAKE_LOCATION,
      credential: fakeArmCredential,
      endpoint: arm.url,
      tlsOptions: { ca: arm.ca },
      pollIntervalMs: 1,
    }),
    gcp: createGcpDriver({
      projectId: gce.project,
      zones: gce.zones,
      authClient: fakeGceAuthClient(),
      clientOptions: fakeGceClientOptions(gce),
    }),
  },
});

try {
  await seed();

  const rows: Array<Record<string, string>> = [];
  const listing = nc.vms.list({ partial: 'collect' });
  for await (const vm of listing) rows.push(row(vm));
  for (const failure of listing.failures) {
    console.warn(`provider ${failure.provider} could not be listed: ${failure.error.message}`);
  }
  rows.sort((left, right) =>
    `${left.provider} ${left.name}`.localeCompare(`${right.provider} ${right.name}`),
  );
  console.table(rows);

  const perProvider = new Map<string, number>();
  for (const { provider } of rows) perProvider.set(provider!, (perProvider.get(provider!) ?? 0) + 1);
  console.log(
    `${rows.length} VMs: ${[...perProvider].map(([provider, count]) => `${count} on ${provider}`).join(', ')}.`,
  );
  for (const provider of ['sim', 'aws', 'azure', 'gcp']) {
    if (perProvider.get(provider) !== 2) throw new Error(`expected the 2 seeded VMs on ${provider}`);
  }
  const invalid = [...arm.violations, ...gce.violations];
  if (invalid.length > 0)
    throw new Error(`requests the vendors' contracts refuse: ${JSON.stringify(invalid)}`);
} finally {
  await nc.close();
  await Promise.all([moto.stop(), arm.close(), gce.close()]);
}

/** Two VMs per provider, each with what that provider needs to make one. */
async function seed(): Promise<void> {
  const team = (index: number) => ({ team: index === 0 ? 'web' : 'data' });
  const result = await nc.vms.createMany(
    [0, 1].flatMap((index) => [
      {
        provider: 'sim',
        name: `sim-${index}`,
        resources: { vcpus: 2, memoryMiB: 2048 },
        tags: team(index),
      },
      { provider: 'aws', name: `aws-${index}`, size: 't3.micro', image: 'ami-03cf127a', tags: team(index) },
      {
        provider: 'azure',
        name: `azure-${index}`,
        size: 'Standard_B1s',
        image: 'Canonical:ubuntu-24_04-lts:server:latest',
        tags: team(index),
        providerOptions: { azure: { subnetId: FAKE_SUBNET_ID, adminPassword: 'Example-Pa55word!' } },
      },
      { provider: 'gcp', name: `gcp-${index}`, size: 'e2-micro', tags: team(index) },
    ]),
  );
  if (result.failed.length > 0) throw result.failed[0]!.error;
}

/** One table row: where the VM runs, what it is, and how to reach it. */
function row(vm: Vm): Record<string, string> {
  return {
    provider: vm.ref.provider,
    name: vm.name,
    state: vm.state.name,
    size: vm.size ?? `${vm.resources.vcpus} vCPU / ${vm.resources.memoryMiB} MiB`,
    where: vm.location.zone ?? vm.location.region ?? vm.location.hostId ?? '',
    addresses: [...vm.addresses.private, ...vm.addresses.public].join(' '),
    team: vm.tags.team ?? '',
  };
}

/** A contract's path from `variable` or beside the repository, or undefined (an error under CI=true). */
function contractPath(variable: string, besideRepository: string, what: string): string | undefined {
  const path = process.env[variable] ?? fileURLToPath(new URL(besideRepository, import.meta.url));
  if (existsSync(path)) return path;
  const message = `${what} not found at ${path} (set ${variable}): the fake server runs without checking requests.`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(message);
  return undefined;
}
