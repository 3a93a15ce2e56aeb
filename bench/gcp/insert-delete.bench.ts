/**
 * Insert then delete 200 Compute Engine instances against the fake server of `@novacron/driver-gcp/testing` (in a
 * process of its own), side by side in one run:
 *  1. the raw `@google-cloud/compute` SDK, `Promise.all` through a p-queue of 16: per instance `instances.insert`,
 *     `zoneOperations.wait` until DONE, `instances.get`; then `instances.delete` and `zoneOperations.wait`; once with
 *     the SDK's default call options and once with `retry: null`, the option the driver passes,
 *  2. the gcp driver called directly through a p-queue of 16 (the driver's own cost, no pipeline),
 *  3. NovaCron: `nc.vms.createMany` then `nc.vms.delete` with the provider's concurrency at 16 (the full pipeline).
 * All three send the same requests (the image is named outright, so no family is resolved; the machine type is read
 * once per driver). Each run starts from an empty fake; the order of contenders rotates per round. Prints a table and
 * writes bench/results/gcp-insert-delete.json.
 * Run: `npm run bench -- gcp` after `npm run build -w @novacron/core -w @novacron/driver-gcp`
 * (or `npx tsx --tsconfig bench/tsconfig.json bench/gcp/insert-delete.bench.ts`; BENCH_GCP_COUNT, BENCH_GCP_ROUNDS,
 * BENCH_GCP_STEP_MS).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InstancesClient, type protos, ZoneOperationsClient } from '@google-cloud/compute';
import { createNovaCron } from '@novacron/core';
import { createGcpDriver } from '@novacron/driver-gcp';
import { fakeGceAuthClient, fakeGceClientOptions } from '@novacron/driver-gcp/testing';
import PQueue from 'p-queue';

type Operation = protos.google.cloud.compute.v1.IOperation;

const COUNT = Number(process.env.BENCH_GCP_COUNT ?? 200);
const ROUNDS = Number(process.env.BENCH_GCP_ROUNDS ?? 5);
const CONCURRENCY = 16;
/**
 * Each status step of the fake, so an insert's Operation is DONE after two steps and a delete's after two. Real inserts
 * take seconds; 50 ms keeps a run short while the callers wait on the service, as they do in real use, instead of a
 * CPU-bound run on a shared machine that measures its load more than the callers.
 */
const STEP_MS = Number(process.env.BENCH_GCP_STEP_MS ?? 50);
const PROJECT = 'novacron-test';
const ZONE = 'us-central1-a';
const IMAGE = 'projects/debian-cloud/global/images/debian-12-bookworm-v20261101';
const SIZE = 'e2-small';

/** Starts the fake in a child process; a fresh one per run, so every run starts from an empty project. */
async function startFake(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('./fake-gce-process.mjs', import.meta.url)), String(STEP_MS)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the fake Compute Engine exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(String(chunk));
      if (match !== null) resolve(Number(match[1]));
    });
  });
  return { port, child };
}

function stopFake(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const indexesOf = (count: number): number[] => Array.from({ length: count }, (_, index) => index);
// One operation id per call, as the pipeline gives: the driver derives a delete's requestId from it, and Compute Engine
// (and the fake) answer a repeated requestId with the first Operation without deleting anything.
const context = (operationId: string) => ({ signal: new AbortController().signal, operationId, attempt: 1 });

/** One contender: made for a fake on `port` (clients and all), then timed on `run`. */
interface Contender {
  setUp(
    port: number,
  ): Promise<{ run: (round: number, count: number) => Promise<void>; close: () => Promise<void> }>;
}

/**
 * The raw SDK, `Promise.all` through a p-queue of 16. `callOptions` go with every call: none (the SDK's defaults, as
 * a user writes it) or `{ retry: null }` (what the driver passes, the pipeline being its retry authority).
 */
function sdkContender(callOptions: { retry?: null }): Contender {
  return {
    async setUp(port) {
      const options = {
        ...fakeGceClientOptions({ host: '127.0.0.1', port }),
        authClient: fakeGceAuthClient(),
      };
      const instances = new InstancesClient(options);
      const operations = new ZoneOperationsClient(options);
      // Google's own samples wait this way: zoneOperations.wait until the operation is DONE.
      const untilDone = async (started: Operation): Promise<void> => {
        let operation = started;
        while (operation.status !== 'DONE') {
          [operation] = await operations.wait(
            {
              project: PROJECT,
              zone: ZONE,
              operation: operation.name ?? '',
            },
            callOptions,
          );
        }
        if (operation.error) throw new Error(JSON.stringify(operation.error));
      };
      const create = async (round: number, index: number): Promise<string> => {
        const name = `sdk-${round}-${index}`;
        const [started] = await instances.insert(
          {
            project: PROJECT,
            zone: ZONE,
            requestId: crypto.randomUUID(),
            instanceResource: {
              name,
              machineType: `zones/${ZONE}/machineTypes/${SIZE}`,
              labels: { 'novacron-key': 'sdk' },
              disks: [{ boot: true, autoDelete: true, initializeParams: { sourceImage: IMAGE } }],
              networkInterfaces: [{ network: 'global/networks/default' }],
            },
          },
          callOptions,
        );
        await untilDone(started.latestResponse as Operation);
        const [instance] = await instances.get({ project: PROJECT, zone: ZONE, instance: name }, callOptions);
        return instance.name ?? name;
      };
      const remove = async (name: string): Promise<void> => {
        const [started] = await instances.delete(
          {
            project: PROJECT,
            zone: ZONE,
            instance: name,
            requestId: crypto.randomUUID(),
          },
          callOptions,
        );
        await untilDone(started.latestResponse as Operation);
      };
      return {
        run: async (round, count) => {
          const queue = new PQueue({ concurrency: CONCURRENCY });
          const names = await Promise.all(
            indexesOf(count).map((index) => queue.add(() => create(round, index))),
          );
          await Promise.all(names.map((name) => queue.add(() => remove(name))));
        },
        close: async () => {
          await Promise.all([instances.close(), operations.close()]);
        },
      };
    },
  };
}

const SDK_DEFAULT = `sdk Promise.all, p-queue ${CONCURRENCY}`;
const SDK_NO_RETRY = `sdk Promise.all, p-queue ${CONCURRENCY}, retry: null`;

const contenders: Record<string, Contender> = {
  [SDK_DEFAULT]: sdkContender({}),
  [SDK_NO_RETRY]: sdkContender({ retry: null }),
  [`gcp driver direct, p-queue ${CONCURRENCY}`]: {
    async setUp(port) {
      const driver = createGcpDriver({
        projectId: PROJECT,
        zones: [ZONE],
        authClient: fakeGceAuthClient(),
        clientOptions: fakeGceClientOptions({ host: '127.0.0.1', port }),
      });
      return {
        run: async (round, count) => {
          const queue = new PQueue({ concurrency: CONCURRENCY });
          const vms = await Promise.all(
            indexesOf(count).map((index) =>
              queue.add(() =>
                driver.doCreateVm(
                  { name: `direct-${round}-${index}`, size: SIZE, image: IMAGE },
                  { ...context(`create-${round}-${index}`), idempotencyKey: `direct-${round}-${index}` },
                ),
              ),
            ),
          );
          await Promise.all(
            vms.map((vm) => queue.add(() => driver.doDeleteVm(vm.id, context(`delete-${vm.id}`)))),
          );
        },
        close: () => driver.close(),
      };
    },
  },
  [`NovaCron createMany + delete, concurrency ${CONCURRENCY}`]: {
    async setUp(port) {
      const nc = createNovaCron({
        providers: {
          gcp: createGcpDriver({
            projectId: PROJECT,
            zones: [ZONE],
            authClient: fakeGceAuthClient(),
            clientOptions: fakeGceClientOptions({ host: '127.0.0.1', port }),
          }),
        },
        limits: { gcp: { concurrency: CONCURRENCY } },
      });
      return {
        run: async (round, count) => {
          const result = await nc.vms.createMany(
            indexesOf(count).map((index) => ({
              provider: 'gcp',
              name: `nc-${round}-${index}`,
              size: SIZE,
              image: IMAGE,
            })),
            { concurrency: CONCURRENCY },
          );
          if (result.failed.length > 0) {
            throw new Error(`${result.failed.length} creates failed: ${result.failed[0]?.error.message}`);
          }
          await Promise.all(result.created.map(({ vm }) => nc.vms.delete(vm.ref)));
        },
        close: () => nc.close(),
      };
    },
  },
};

const names = Object.keys(contenders);
const timings: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
// Client CPU time (this process, user + system; the fake runs in its own): what the callers cost.
const cpuMs: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
// Round -1 is a warm-up (connections, the machine type and size catalogs, JIT), not recorded.
for (let round = -1; round < ROUNDS; round += 1) {
  const order = names.map((_, position) => names[(position + Math.max(round, 0)) % names.length]!);
  for (const name of order) {
    const fake = await startFake();
    const contender = await contenders[name]!.setUp(fake.port);
    try {
      // One instance first: what is read once per driver (the machine type; NovaCron's size check lists the sizes)
      // and the first connections are set up before the clock starts, as in a long-lived service.
      await contender.run(-1 - round, 1);
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      await contender.run(round, COUNT);
      const cpu = process.cpuUsage(cpuBefore);
      if (round >= 0) {
        timings[name]!.push(performance.now() - started);
        cpuMs[name]!.push((cpu.user + cpu.system) / 1000);
      }
    } finally {
      await contender.close();
      await stopFake(fake.child);
    }
  }
}

const baseline = median(timings[SDK_DEFAULT]!);
const baselineCpu = median(cpuMs[SDK_DEFAULT]!);
const strictBaseline = median(timings[SDK_NO_RETRY]!);
const rows = names.map((name) => {
  const ms = median(timings[name]!);
  const cpu = median(cpuMs[name]!);
  return {
    contender: name,
    medianMs: Math.round(ms),
    instancesPerSecond: Number(((COUNT * 1000) / ms).toFixed(1)),
    overheadOverSdkPercent: Number((((ms - baseline) / baseline) * 100).toFixed(1)),
    overheadOverSdkNoRetryPercent: Number((((ms - strictBaseline) / strictBaseline) * 100).toFixed(1)),
    clientCpuMsPerInstance: Number((cpu / COUNT).toFixed(3)),
    clientCpuOverSdkPercent: Number((((cpu - baselineCpu) / baselineCpu) * 100).toFixed(1)),
  };
});
console.log(
  `\nInsert then delete ${COUNT} instances on the fake Compute Engine (${STEP_MS} ms per status step; median of ${ROUNDS} rounds, a fresh fake per run, order rotated per round)`,
);
console.table(rows);
const novacron = rows.find((row) => row.contender.startsWith('NovaCron'));
console.log(
  `NovaCron at concurrency ${CONCURRENCY}: ${novacron?.overheadOverSdkPercent}% wall time and ` +
    `${novacron?.clientCpuOverSdkPercent}% client CPU over the raw SDK with Promise.all through a p-queue of ` +
    `${CONCURRENCY}; ${novacron?.overheadOverSdkNoRetryPercent}% wall time over the same with retry: null ` +
    '(target: within 10% wall time).',
);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/gcp-insert-delete.json',
  `${JSON.stringify({ count: COUNT, rounds: ROUNDS, concurrency: CONCURRENCY, stepMs: STEP_MS, timingsMs: timings, cpuMs, rows }, null, 2)}\n`,
);
