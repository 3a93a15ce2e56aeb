/**
 * Benchmark of the operations pipeline on the simulated fleet, side by side in one run:
 *  1. overhead per call: `nc.vms.get` through the whole pipeline versus calling the sim driver's `doGetVm` directly;
 *  2. 10,000 creates with 1 ms simulated latency: `createMany` at concurrency 64 versus a sequential loop.
 * Prints a table and writes bench/results/operations.json. Run: `npm run build && npm run bench -- operations`
 * (benchmarks measure the built packages, as users get them).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createNovaCron } from '@novacron/core';
import { createSimDriver } from '@novacron/driver-sim';

const GET_CALLS = 20_000;
const CREATES = 10_000;
const ROUNDS = 3;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function overheadRound(): Promise<{ directUs: number; pipelineUs: number }> {
  const driver = createSimDriver({ seed: 1, transitionDelayMs: 0 });
  const nc = createNovaCron({ providers: { sim: driver }, limits: { sim: { concurrency: 1 } } });
  const vm = await nc.vms.create({ provider: 'sim', name: 'bench', resources: { vcpus: 1, memoryMiB: 256 } });
  const context = { signal: new AbortController().signal, operationId: 'bench', attempt: 1 };
  for (let index = 0; index < 2_000; index++) {
    await driver.doGetVm(vm.ref.id, context);
    await nc.vms.get(vm.ref);
  }
  let started = performance.now();
  for (let index = 0; index < GET_CALLS; index++) await driver.doGetVm(vm.ref.id, context);
  const directUs = ((performance.now() - started) * 1_000) / GET_CALLS;
  started = performance.now();
  for (let index = 0; index < GET_CALLS; index++) await nc.vms.get(vm.ref);
  const pipelineUs = ((performance.now() - started) * 1_000) / GET_CALLS;
  await nc.close();
  return { directUs, pipelineUs };
}

async function createRound(concurrency: number, count: number): Promise<number> {
  const driver = createSimDriver({
    seed: 2,
    hosts: 200,
    transitionDelayMs: 0,
    faults: { create: { latencyMs: 1 } },
  });
  const nc = createNovaCron({ providers: { sim: driver }, limits: { sim: { concurrency } } });
  const requests = Array.from({ length: count }, (_, index) => ({
    provider: 'sim',
    name: `vm-${index}`,
    resources: { vcpus: 1, memoryMiB: 256 },
  }));
  const started = performance.now();
  if (concurrency === 1) {
    for (const request of requests) await nc.vms.create(request);
  } else {
    const result = await nc.vms.createMany(requests, { concurrency });
    if (result.created.length !== count) throw new Error(`only ${result.created.length} of ${count} created`);
  }
  const seconds = (performance.now() - started) / 1_000;
  if (driver.sim.counts().vms !== count) throw new Error('VM count mismatch');
  await nc.close();
  return count / seconds;
}

const overhead: Array<{ directUs: number; pipelineUs: number }> = [];
for (let round = 0; round < ROUNDS; round++) overhead.push(await overheadRound());
const directUs = median(overhead.map((round) => round.directUs));
const pipelineUs = median(overhead.map((round) => round.pipelineUs));
const overheadUs = pipelineUs - directUs;
const allowedUs = Math.max(5, directUs * 0.1);

// The sequential run is long (10,000 x ~1 ms), so it runs once on a tenth of the creates; rates are per second.
const sequentialPerSecond = await createRound(1, CREATES / 10);
const concurrentRates: number[] = [];
for (let round = 0; round < ROUNDS; round++) concurrentRates.push(await createRound(64, CREATES));
const concurrentPerSecond = median(concurrentRates);
const speedup = concurrentPerSecond / sequentialPerSecond;

const rows = [
  ['sim doGetVm, direct', `${directUs.toFixed(2)} us/call`, ''],
  [
    'nc.vms.get, full pipeline',
    `${pipelineUs.toFixed(2)} us/call`,
    `overhead ${overheadUs.toFixed(2)} us (target <= ${allowedUs.toFixed(2)} us): ${overheadUs <= allowedUs ? 'met' : 'MISSED'}`,
  ],
  ['create, sequential (1 ms latency)', `${sequentialPerSecond.toFixed(0)} VMs/s`, ''],
  [
    'createMany, concurrency 64 (1 ms latency)',
    `${concurrentPerSecond.toFixed(0)} VMs/s`,
    `${speedup.toFixed(1)}x sequential (target >= 40x): ${speedup >= 40 ? 'met' : 'MISSED'}`,
  ],
];
console.log('\nNovaCron operations pipeline on driver-sim (medians of 3 rounds)\n');
const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  |  '));

mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/operations.json',
  JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      overhead: {
        calls: GET_CALLS,
        directUs,
        pipelineUs,
        overheadUs,
        allowedUs,
        met: overheadUs <= allowedUs,
      },
      creates: {
        count: CREATES,
        sequentialPerSecond,
        concurrentPerSecond,
        concurrency: 64,
        speedup,
        met: speedup >= 40,
      },
    },
    null,
    2,
  ),
);
console.log('\nWrote bench/results/operations.json');
