/**
 * Bulk-create 200 VMs on a simulated fleet that throttles and drops responses, with a progress bar.
 * The pipeline retries throttled and failed calls; idempotency keys make sure a lost response never makes a second
 * VM. At the end every request is accounted for: created, failed (with its cause) or cancelled.
 * Run: `npx tsx examples/bulk-create.ts`
 */
import { createNovaCron } from '@novacron/core';
import { createSimDriver } from '@novacron/driver-sim';
import { SingleBar } from 'cli-progress';

const COUNT = 200;
const sim = createSimDriver({
  seed: 7,
  hosts: 16,
  transitionDelayMs: 5,
  faults: {
    create: {
      throttleRate: 0.1,
      errorRate: 0.05,
      lostResponseRate: 0.05,
      retryAfterMs: 20,
      latencyMs: { min: 1, max: 10 },
    },
  },
});
const nc = createNovaCron({
  providers: { sim },
  limits: { sim: { concurrency: 16, perSecond: 400, retry: { maxAttempts: 8, baseDelayMs: 10 } } },
});
let retries = 0;
nc.events.on('operation.retry', () => retries++);

const bar = new SingleBar({
  format: 'creating |{bar}| {value}/{total} VMs | {failed} failed | {retries} retries',
  noTTYOutput: true,
  notTTYSchedule: 500,
});
bar.start(COUNT, 0, { failed: 0, retries: 0 });
const result = await nc.vms.createMany(
  Array.from({ length: COUNT }, (_, index) => ({
    provider: 'sim',
    name: `batch-${String(index).padStart(3, '0')}`,
    resources: { vcpus: 2, memoryMiB: 2048, diskGiB: 20 },
    tags: { batch: 'example' },
  })),
  {
    concurrency: 32,
    onProgress: ({ done, failed }) => bar.update(done, { failed, retries }),
  },
);
bar.stop();

console.log(
  `created ${result.created.length}, failed ${result.failed.length}, cancelled ${result.cancelled.length}`,
);
for (const failure of result.failed)
  console.log(`  #${failure.index}: ${failure.error.code} ${failure.error.message}`);
console.log(
  `VMs in the fleet: ${sim.sim.counts().vms} (no duplicates despite ${sim.sim.stats().create.lostResponses} lost responses)`,
);
if (sim.sim.counts().vms !== result.created.length)
  throw new Error('the fleet does not match what was reported');
await nc.close();
