/**
 * Create then terminate 500 EC2 instances against moto, side by side in one run:
 *  1. a plain SDK loop (sequential),
 *  2. plain `Promise.all` over the SDK (unbounded; the SDK's default agent caps it at 50 sockets),
 *  3. `Promise.all` over the SDK through a p-queue of 16 (the fair baseline for NovaCron at concurrency 16),
 *  4. the aws driver called directly through a p-queue of 16 (the driver's own cost, no pipeline),
 *  5. NovaCron: `nc.vms.createMany` then `nc.vms.delete` with the provider's concurrency at 16 (the full pipeline).
 * moto is reset before every run so each starts from an empty region. Prints a table and writes
 * bench/results/aws-create-terminate.json. Uses MOTO_URL when set, else starts moto_server itself.
 * Run: `npm run bench -- aws` (or `npx tsx bench/aws/create-terminate.bench.ts`; BENCH_AWS_COUNT, BENCH_AWS_ROUNDS).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { EC2Client, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { createNovaCron } from '@novacron/core';
import { createAwsDriver } from '@novacron/driver-aws';
import PQueue from 'p-queue';
import { useMotoServer } from '../../scripts/support/moto-server.js';

const COUNT = Number(process.env.BENCH_AWS_COUNT ?? 500);
const ROUNDS = Number(process.env.BENCH_AWS_ROUNDS ?? 5);
const CONCURRENCY = 16;
const IMAGE = 'ami-03cf127a';
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

const moto = await useMotoServer();
const sdk = new EC2Client({ region: REGION, endpoint: moto.url, credentials: CREDENTIALS, maxAttempts: 1 });
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// The SDK baselines send what the driver sends for an idempotent create (Name tag, idempotency-key tag, ClientToken),
// so the comparison measures NovaCron's client-side cost, not a different request.
const runInstance = async (index: number): Promise<string> => {
  const key = `sdk-${Date.now()}-${index}`;
  const output = await sdk.send(
    new RunInstancesCommand({
      ImageId: IMAGE,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      ClientToken: key,
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'Name', Value: `bench-${index}` },
            { Key: 'novacron:idempotency-key', Value: key },
          ],
        },
      ],
    }),
  );
  return output.Instances?.[0]?.InstanceId ?? '';
};
const terminate = (id: string) => sdk.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
const indexes = Array.from({ length: COUNT }, (_, index) => index);

const contenders: Record<string, () => Promise<void>> = {
  'sdk sequential loop': async () => {
    const ids: string[] = [];
    for (const index of indexes) ids.push(await runInstance(index));
    for (const id of ids) await terminate(id);
  },
  'sdk Promise.all (unbounded)': async () => {
    const ids = await Promise.all(indexes.map(runInstance));
    await Promise.all(ids.map(terminate));
  },
  [`sdk Promise.all, p-queue ${CONCURRENCY}`]: async () => {
    const queue = new PQueue({ concurrency: CONCURRENCY });
    const ids = await Promise.all(indexes.map((index) => queue.add(() => runInstance(index))));
    await Promise.all(ids.map((id) => queue.add(() => terminate(id))));
  },
  [`aws driver direct, p-queue ${CONCURRENCY}`]: async () => {
    const queue = new PQueue({ concurrency: CONCURRENCY });
    const vms = await Promise.all(
      indexes.map((index) =>
        queue.add(() =>
          direct.doCreateVm(
            { name: `bench-${index}`, size: 't3.micro', image: IMAGE },
            { ...context(), idempotencyKey: `direct-${round}-${index}` },
          ),
        ),
      ),
    );
    await Promise.all(vms.map((vm) => queue.add(() => direct.doDeleteVm(vm.id, context()))));
  },
  [`NovaCron createMany + delete, concurrency ${CONCURRENCY}`]: async () => {
    const result = await nc.vms.createMany(
      indexes.map((index) => ({ provider: 'aws', name: `bench-${index}`, size: 't3.micro', image: IMAGE })),
      { concurrency: CONCURRENCY },
    );
    if (result.failed.length > 0) {
      throw new Error(`${result.failed.length} creates failed: ${result.failed[0]?.error.message}`);
    }
    await Promise.all(result.created.map(({ vm }) => nc.vms.delete(vm.ref)));
  },
};

// The driver and the client live across rounds, as in a real service. Their first create reads the instance-type
// catalog (the core checks every create's size against doListSizes); that one-off cost is measured apart.
let round = 0;
const context = () => ({ signal: new AbortController().signal, operationId: 'bench', attempt: 1 });
const direct = createAwsDriver({ region: REGION, endpoint: moto.url, credentials: CREDENTIALS });
const nc = createNovaCron({
  providers: { aws: createAwsDriver({ region: REGION, endpoint: moto.url, credentials: CREDENTIALS }) },
  limits: { aws: { concurrency: CONCURRENCY } },
});
await moto.reset();
let started = performance.now();
await direct.doCreateVm(
  { name: 'warm', size: 't3.micro', image: IMAGE },
  { ...context(), idempotencyKey: 'warm' },
);
const directColdMs = performance.now() - started;
started = performance.now();
await nc.vms.create({ provider: 'aws', name: 'warm', size: 't3.micro', image: IMAGE });
const novacronColdMs = performance.now() - started;

const timings: Record<string, number[]> = Object.fromEntries(
  Object.keys(contenders).map((name) => [name, []]),
);
// Client CPU time (this process, user + system): what the SDK and NovaCron cost on the caller's side, which moto's
// own latency hides in the wall-clock numbers.
const cpuMs: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
try {
  const names = Object.keys(contenders);
  for (round = 0; round < ROUNDS; round += 1) {
    // Each round starts with a different contender, so drift in a shared machine's load spreads over all of them.
    const order = names.map((_, position) => names[(position + round) % names.length]!);
    for (const name of order) {
      const run = contenders[name]!;
      await moto.reset();
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      await run();
      const cpu = process.cpuUsage(cpuBefore);
      timings[name]!.push(performance.now() - started);
      cpuMs[name]!.push((cpu.user + cpu.system) / 1000);
    }
  }
} finally {
  sdk.destroy();
  await direct.close();
  await nc.close();
  await moto.stop();
}

const sequential = median(timings['sdk sequential loop']!);
const fairBaseline = median(timings[`sdk Promise.all, p-queue ${CONCURRENCY}`]!);
const fairCpu = median(cpuMs[`sdk Promise.all, p-queue ${CONCURRENCY}`]!);
const rows = Object.entries(timings).map(([name, values]) => {
  const ms = median(values);
  return {
    contender: name,
    medianMs: Math.round(ms),
    instancesPerSecond: Number(((COUNT * 1000) / ms).toFixed(1)),
    speedupOverSequential: Number((sequential / ms).toFixed(2)),
    overheadOverPromiseAll16Percent: Number((((ms - fairBaseline) / fairBaseline) * 100).toFixed(1)),
    clientCpuMsPerInstance: Number((median(cpuMs[name]!) / COUNT).toFixed(3)),
    clientCpuOverPromiseAll16Percent: Number((((median(cpuMs[name]!) - fairCpu) / fairCpu) * 100).toFixed(1)),
  };
});
console.log(
  `\nCreate then terminate ${COUNT} instances on moto (median of ${ROUNDS} rounds, moto reset before each run, order rotated per round)`,
);
console.table(rows);
const novacron = rows.find((row) => row.contender.startsWith('NovaCron'));
console.log(
  `NovaCron at concurrency ${CONCURRENCY}: ${novacron?.speedupOverSequential}x the sequential SDK loop, ` +
    `${novacron?.overheadOverPromiseAll16Percent}% wall time and ${novacron?.clientCpuOverPromiseAll16Percent}% client CPU over ` +
    `Promise.all through a p-queue of ${CONCURRENCY} (target: within 10%). moto serialises requests, so wall times ` +
    'mostly measure moto; the client CPU column measures the callers.',
);
console.log(
  `One-off first create (instance-type catalog read): driver direct ${Math.round(directColdMs)} ms, ` +
    `NovaCron ${Math.round(novacronColdMs)} ms (the core's size check lists every size once).`,
);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/aws-create-terminate.json',
  `${JSON.stringify(
    {
      count: COUNT,
      rounds: ROUNDS,
      concurrency: CONCURRENCY,
      directColdMs,
      novacronColdMs,
      timingsMs: timings,
      rows,
    },
    null,
    2,
  )}\n`,
);
