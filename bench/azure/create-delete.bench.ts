/**
 * Create then delete 200 Azure VMs against the fake ARM server (@novacron/driver-azure/testing), side by side in one
 * run, every contender at concurrency 16 and the same 1 ms poll interval:
 *  1. the raw SDK, minimal: NIC PUT, VM PUT, VM DELETE, each followed to the end by the SDK's poller;
 *  2. the raw SDK sending what the driver sends: the same, plus the look-ups that make a create idempotent and safe
 *     (GET VM and GET NIC before, GET VM and GET NIC after, for the returned VM's state and addresses);
 *  3. the azure driver called directly (the driver's own cost, no pipeline);
 *  4. NovaCron: `nc.vms.createMany` then `nc.vms.delete`, the provider's concurrency at 16 (the full pipeline).
 * The SDK contenders run as `Promise.all` over 16 workers. Each run starts from an empty fake, which runs in a
 * process of its own (fake-arm-process.ts) so that the client CPU column measures the callers only. The machines
 * are shared and their load changes by the second, so the headline ratios are medians of per-round ratios between
 * contenders run back to back. Prints a table and writes bench/results/azure-create-delete.json.
 * Run: `npm run bench -- azure` after `npm run build -w @novacron/core -w @novacron/driver-azure`
 * (BENCH_AZURE_COUNT, BENCH_AZURE_ROUNDS).
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ComputeManagementClient } from '@azure/arm-compute';
import type { NetworkManagementClient } from '@azure/arm-network';
import { createNovaCron } from '@novacron/core';
import { createAzureDriver } from '@novacron/driver-azure';
import {
  FAKE_LOCATION,
  FAKE_RESOURCE_GROUP,
  FAKE_SUBNET_ID,
  FAKE_SUBSCRIPTION,
  fakeArmCredential,
} from '@novacron/driver-azure/testing';

const COUNT = Number(process.env.BENCH_AZURE_COUNT ?? 200);
const ROUNDS = Number(process.env.BENCH_AZURE_ROUNDS ?? 7);
const CONCURRENCY = 16;
const POLL_MS = 1;
const SIZE = 'Standard_B1s';
const IMAGE = { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' };
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJlbmNobWFya2tleWJlbmNobWFya2tleWJlbmNobQ bench';
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** `Promise.all` over `concurrency` workers that take the items in turn. */
async function atConcurrency<T, R>(items: readonly T[], concurrency: number, run: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

const server = fork(fileURLToPath(new URL('./fake-arm-process.ts', import.meta.url)), [], {
  execArgv: ['--import', 'tsx'],
});
/** Sends `command` to the fake's process and waits for its answer. */
const ask = <T>(command?: string) =>
  new Promise<T>((resolve) => {
    server.once('message', (answer) => resolve(answer as T));
    if (command !== undefined) server.send(command);
  });
const fake = await ask<{ url: string; ca: string }>();
const driverOptions = {
  subscriptionId: FAKE_SUBSCRIPTION,
  resourceGroup: FAKE_RESOURCE_GROUP,
  location: FAKE_LOCATION,
  credential: fakeArmCredential,
  endpoint: fake.url,
  tlsOptions: { ca: fake.ca },
  pollIntervalMs: POLL_MS,
};
// The raw SDK clients are the driver's own (retries off): the same HTTP stack for every contender.
const sdk = createAzureDriver(driverOptions).getClient();
const compute: ComputeManagementClient = sdk.compute;
const network: NetworkManagementClient = sdk.network;
const polling = { updateIntervalInMs: POLL_MS };
const indexes = Array.from({ length: COUNT }, (_, index) => index);
const name = (prefix: string, index: number) => `${prefix}-${index}`;
const ignoreNotFound = (error: { statusCode?: number }) => {
  if (error.statusCode !== 404) throw error;
};

const sdkCreate = async (vmName: string, withLookUps: boolean) => {
  if (withLookUps) {
    await compute.virtualMachines.get(FAKE_RESOURCE_GROUP, vmName).catch(ignoreNotFound);
    await network.networkInterfaces.get(FAKE_RESOURCE_GROUP, `${vmName}-nic`).catch(ignoreNotFound);
  }
  const nic = await network.networkInterfaces.createOrUpdate(
    FAKE_RESOURCE_GROUP,
    `${vmName}-nic`,
    {
      location: FAKE_LOCATION,
      ipConfigurations: [{ name: 'ipconfig1', subnet: { id: FAKE_SUBNET_ID }, primary: true }],
    },
    polling,
  );
  await compute.virtualMachines.createOrUpdate(
    FAKE_RESOURCE_GROUP,
    vmName,
    {
      location: FAKE_LOCATION,
      hardwareProfile: { vmSize: SIZE },
      storageProfile: {
        imageReference: IMAGE,
        osDisk: { createOption: 'FromImage', deleteOption: 'Delete' },
      },
      osProfile: {
        computerName: vmName,
        adminUsername: 'novacron',
        linuxConfiguration: {
          disablePasswordAuthentication: true,
          ssh: { publicKeys: [{ path: '/home/novacron/.ssh/authorized_keys', keyData: SSH_KEY }] },
        },
      },
      networkProfile: { networkInterfaces: [{ id: nic.id!, primary: true, deleteOption: 'Delete' }] },
    },
    polling,
  );
  if (withLookUps) {
    await compute.virtualMachines.get(FAKE_RESOURCE_GROUP, vmName, { expand: 'instanceView' });
    await network.networkInterfaces.get(FAKE_RESOURCE_GROUP, `${vmName}-nic`);
  }
  return vmName;
};
const sdkDelete = (vmName: string) => compute.virtualMachines.delete(FAKE_RESOURCE_GROUP, vmName, polling);

const spec = (vmName: string) => ({
  name: vmName,
  size: SIZE,
  image: 'Canonical:ubuntu-24_04-lts:server:latest',
  providerOptions: { azure: { subnetId: FAKE_SUBNET_ID, sshPublicKey: SSH_KEY } },
});
let round = 0;
const context = () => ({ signal: new AbortController().signal, operationId: 'bench', attempt: 1 });
// The driver and the client live across rounds, as in a real service; their first create reads the resource SKUs
// (and the core lists the sizes once): that one-off cost is measured apart.
const direct = createAzureDriver(driverOptions);
const nc = createNovaCron({
  providers: { azure: createAzureDriver(driverOptions) },
  limits: { azure: { concurrency: CONCURRENCY } },
});

const contenders: Record<string, () => Promise<void>> = {
  [`sdk minimal, Promise.all at ${CONCURRENCY}`]: async () => {
    const made = await atConcurrency(indexes, CONCURRENCY, (index) => sdkCreate(name('min', index), false));
    await atConcurrency(made, CONCURRENCY, sdkDelete);
  },
  [`sdk with the driver's requests, Promise.all at ${CONCURRENCY}`]: async () => {
    const made = await atConcurrency(indexes, CONCURRENCY, (index) => sdkCreate(name('same', index), true));
    await atConcurrency(made, CONCURRENCY, sdkDelete);
  },
  [`azure driver direct, ${CONCURRENCY} at a time`]: async () => {
    const made = await atConcurrency(indexes, CONCURRENCY, (index) =>
      direct.doCreateVm(spec(name('direct', index)), {
        ...context(),
        idempotencyKey: `direct-${round}-${index}`,
      }),
    );
    await atConcurrency(made, CONCURRENCY, (vm) => direct.doDeleteVm(vm.id, context()));
  },
  [`NovaCron createMany + delete, concurrency ${CONCURRENCY}`]: async () => {
    const result = await nc.vms.createMany(
      indexes.map((index) => ({ provider: 'azure', ...spec(name('nc', index)) })),
      { concurrency: CONCURRENCY },
    );
    if (result.failed.length > 0) {
      throw new Error(`${result.failed.length} creates failed: ${result.failed[0]?.error.message}`);
    }
    await Promise.all(result.created.map(({ vm }) => nc.vms.delete(vm.ref)));
  },
};

let started = performance.now();
const warm = await direct.doCreateVm(spec('warm-direct'), { ...context(), idempotencyKey: 'warm-direct' });
const directColdMs = performance.now() - started;
started = performance.now();
const warmVm = await nc.vms.create({ provider: 'azure', ...spec('warm-nc') });
const novacronColdMs = performance.now() - started;
await direct.doDeleteVm(warm.id, context());
await nc.vms.delete(warmVm.ref);

const names = Object.keys(contenders);
const timings: Record<string, number[]> = Object.fromEntries(names.map((each) => [each, []]));
// Client CPU time (this process, user + system): what the SDK, the driver and the pipeline cost the caller.
const cpuMs: Record<string, number[]> = Object.fromEntries(names.map((each) => [each, []]));
const requests: Record<string, number> = {};
try {
  // Round -1 warms every contender's code up (the JIT, the SDK's and NovaCron's first paths) and is not recorded.
  for (round = -1; round < ROUNDS; round += 1) {
    // Each round starts with a different contender, so drift in the machine's load spreads over all of them.
    for (const contender of names.map(
      (_, position) => names[(position + Math.max(round, 0)) % names.length]!,
    )) {
      const before = await ask<{ vms: number; nics: number }>('state');
      if (before.vms > 0 || before.nics > 0) throw new Error('The fake is not empty between runs.');
      await ask('clear');
      const begun = performance.now();
      const cpuBefore = process.cpuUsage();
      await contenders[contender]!();
      const cpu = process.cpuUsage(cpuBefore);
      if (round < 0) continue;
      timings[contender]!.push(performance.now() - begun);
      cpuMs[contender]!.push((cpu.user + cpu.system) / 1000);
      requests[contender] = (await ask<{ requests: number }>('state')).requests;
    }
  }
} finally {
  await direct.close();
  await nc.close();
  server.send('close');
}

const [minimal, sameRequests] = names;
/** The median over rounds of `contender`'s time (or CPU) divided by `baseline`'s in the same round, as a percentage. */
const pairedPercent = (series: Record<string, number[]>, contender: string, baseline: string) =>
  Number(
    ((median(series[contender]!.map((value, index) => value / series[baseline]![index]!)) - 1) * 100).toFixed(
      1,
    ),
  );
const rows = names.map((contender) => ({
  contender,
  medianMs: Math.round(median(timings[contender]!)),
  vmsPerSecond: Number(((COUNT * 1000) / median(timings[contender]!)).toFixed(1)),
  requestsPerVm: Number(((requests[contender] ?? 0) / COUNT).toFixed(1)),
  wallOverSdkMinimalPercent: pairedPercent(timings, contender, minimal!),
  wallOverSdkSameRequestsPercent: pairedPercent(timings, contender, sameRequests!),
  clientCpuMsPerVm: Number((median(cpuMs[contender]!) / COUNT).toFixed(2)),
  cpuOverSdkSameRequestsPercent: pairedPercent(cpuMs, contender, sameRequests!),
}));
console.log(
  `\nCreate then delete ${COUNT} VMs on the fake ARM server (median of ${ROUNDS} rounds after one warm-up round, concurrency ${CONCURRENCY}, poll every ${POLL_MS} ms, order rotated per round)`,
);
console.table(rows);
const novacron = rows.find((row) => row.contender.startsWith('NovaCron'))!;
console.log(
  `NovaCron at concurrency ${CONCURRENCY}: ${novacron.wallOverSdkSameRequestsPercent}% wall time and ` +
    `${novacron.cpuOverSdkSameRequestsPercent}% client CPU over the raw SDK sending the same requests (the pipeline's ` +
    `and driver's overhead; target: within 10%), ${novacron.wallOverSdkMinimalPercent}% wall time over the minimal ` +
    'SDK calls, which skip the look-ups an idempotent create and a returned VM need (medians of per-round ratios).',
);
console.log(
  `One-off first create (resource SKU read): driver direct ${Math.round(directColdMs)} ms, NovaCron ${Math.round(novacronColdMs)} ms.`,
);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/azure-create-delete.json',
  `${JSON.stringify(
    {
      count: COUNT,
      rounds: ROUNDS,
      concurrency: CONCURRENCY,
      pollIntervalMs: POLL_MS,
      directColdMs,
      novacronColdMs,
      requestsPerRun: requests,
      timingsMs: timings,
      clientCpuMs: cpuMs,
      rows,
    },
    null,
    2,
  )}\n`,
);
