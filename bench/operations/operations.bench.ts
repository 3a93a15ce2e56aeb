/**
 * Benchmark of the operations pipeline on the simulated fleet, side by side in one run:
 *  1. overhead per call: `nc.vms.get` through the whole pipeline versus calling the sim driver's `doGetVm` directly
 *     (alternating blocks of each, medians of rounds);
 *  2. 10,000 creates with 1 ms (and 10 ms) simulated latency: `createMany` at concurrency 64 versus a sequential
 *     loop (medians of several rounds each), with the CPU each create costs and how busy the event loop was.
 * Prints a table and writes bench/results/operations.json. Run: `npm run build && npm run bench -- operations`
 * (benchmarks measure the built packages, as users get them).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createNovaCron } from '@novacron/core';
import { createSimDriver } from '@novacron/driver-sim';

const GET_CALLS = 20_000;
const GET_BLOCKS = 10;
const CREATES = 10_000;
const ROUNDS = 5;
const WARMUP_ROUNDS = 3;
const SEQUENTIAL_ROUNDS = 3;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * One round of the overhead measurement: blocks of direct calls and of pipeline calls alternate, so a change of
 * machine load during the round weighs on both sides alike.
 */
async function overheadRound(): Promise<{ directUs: number; pipelineUs: number }> {
  const driver = createSimDriver({ seed: 1, transitionDelayMs: 0 });
  const nc = createNovaCron({ providers: { sim: driver }, limits: { sim: { concurrency: 1 } } });
  const vm = await nc.vms.create({ provider: 'sim', name: 'bench', resources: { vcpus: 1, memoryMiB: 256 } });
  const context = { signal: new AbortController().signal, operationId: 'bench', attempt: 1 };
  for (let index = 0; index < 5_000; index++) {
    await driver.doGetVm(vm.ref.id, context);
    await nc.vms.get(vm.ref);
  }
  let directMs = 0;
  let pipelineMs = 0;
  for (let block = 0; block < GET_BLOCKS; block++) {
    let started = performance.now();
    for (let index = 0; index < GET_CALLS / GET_BLOCKS; index++) await driver.doGetVm(vm.ref.id, context);
    directMs += performance.now() - started;
    started = performance.now();
    for (let index = 0; index < GET_CALLS / GET_BLOCKS; index++) await nc.vms.get(vm.ref);
    pipelineMs += performance.now() - started;
  }
  await nc.close();
  return { directUs: (directMs * 1_000) / GET_CALLS, pipelineUs: (pipelineMs * 1_000) / GET_CALLS };
}

/** One timed round of creates. */
interface CreateRound {
  perSecond: number;
  /** Process CPU (all threads, the garbage collector's included) per create, in microseconds. */
  cpuUsPerCreate: number;
  /** Share of the wall time the event loop was busy (1 = CPU bound). */
  eventLoopBusy: number;
}

async function createRound(concurrency: number, count: number, latencyMs: number): Promise<CreateRound> {
  const driver = createSimDriver({
    seed: 2,
    hosts: 200,
    transitionDelayMs: 0,
    faults: { create: { latencyMs } },
  });
  const nc = createNovaCron({ providers: { sim: driver }, limits: { sim: { concurrency } } });
  const requests = Array.from({ length: count }, (_, index) => ({
    provider: 'sim' as const,
    name: `vm-${index}`,
    resources: { vcpus: 1, memoryMiB: 256 },
  }));
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const loopBefore = performance.eventLoopUtilization();
  if (concurrency === 1) {
    for (const request of requests) await nc.vms.create(request);
  } else {
    const result = await nc.vms.createMany(requests, { concurrency });
    if (result.created.length !== count) throw new Error(`only ${result.created.length} of ${count} created`);
  }
  const seconds = (performance.now() - started) / 1_000;
  const cpu = process.cpuUsage(cpuBefore);
  const loop = performance.eventLoopUtilization(loopBefore);
  if (driver.sim.counts().vms !== count) throw new Error('VM count mismatch');
  await nc.close();
  return {
    perSecond: count / seconds,
    cpuUsPerCreate: (cpu.user + cpu.system) / count,
    eventLoopBusy: loop.utilization,
  };
}

/** The median round by throughput. */
const medianRound = (rounds: CreateRound[]) =>
  [...rounds].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(rounds.length / 2)]!;

/** Sequential versus concurrency 64 at one simulated latency; the sequential rounds use fewer creates (they are slow). */
async function speedupAt(latencyMs: number, sequentialCount: number) {
  // Warm-up rounds (not counted) let V8 optimise the hot paths and size its heap, as in any long-running service.
  await createRound(1, sequentialCount / 10, latencyMs);
  const sequentialRounds: CreateRound[] = [];
  for (let round = 0; round < SEQUENTIAL_ROUNDS; round++) {
    sequentialRounds.push(await createRound(1, sequentialCount, latencyMs));
  }
  for (let round = 0; round < WARMUP_ROUNDS; round++) await createRound(64, CREATES, latencyMs);
  const rounds: CreateRound[] = [];
  for (let round = 0; round < ROUNDS; round++) rounds.push(await createRound(64, CREATES, latencyMs));
  const sequential = medianRound(sequentialRounds);
  const concurrent = medianRound(rounds);
  return { latencyMs, sequential, concurrent, speedup: concurrent.perSecond / sequential.perSecond };
}

const overhead: Array<{ directUs: number; pipelineUs: number }> = [];
for (let round = 0; round < ROUNDS; round++) overhead.push(await overheadRound());
const directUs = median(overhead.map((round) => round.directUs));
const pipelineUs = median(overhead.map((round) => round.pipelineUs));
const overheadUs = pipelineUs - directUs;
const allowedUs = Math.max(5, directUs * 0.1);

const at1ms = await speedupAt(1, CREATES / 10);
const at10ms = await speedupAt(10, 300);
const speedup = at1ms.speedup;

const rows = [
  ['sim doGetVm, direct', `${directUs.toFixed(2)} us/call`, ''],
  [
    'nc.vms.get, full pipeline',
    `${pipelineUs.toFixed(2)} us/call`,
    `overhead ${overheadUs.toFixed(2)} us (target <= ${allowedUs.toFixed(2)} us): ${overheadUs <= allowedUs ? 'met' : 'MISSED'}`,
  ],
  ...[at1ms, at10ms].flatMap((run) => [
    [`create, sequential (${run.latencyMs} ms latency)`, `${run.sequential.perSecond.toFixed(0)} VMs/s`, ''],
    [
      `createMany, concurrency 64 (${run.latencyMs} ms latency)`,
      `${run.concurrent.perSecond.toFixed(0)} VMs/s`,
      `${run.speedup.toFixed(1)}x sequential${run.latencyMs === 1 ? ` (target >= 40x): ${run.speedup >= 40 ? 'met' : 'MISSED'}` : ''}; ${run.concurrent.cpuUsPerCreate.toFixed(1)} us CPU per create; event loop busy ${(run.concurrent.eventLoopBusy * 100).toFixed(0)} %`,
    ],
  ]),
];
console.log(
  `\nNovaCron operations pipeline on driver-sim (medians of ${ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up rounds; sequential: ${SEQUENTIAL_ROUNDS} rounds)\n`,
);
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
      creates: { count: CREATES, concurrency: 64, at1ms, at10ms, met: speedup >= 40 },
    },
    null,
    2,
  ),
);
console.log('\nWrote bench/results/operations.json');
