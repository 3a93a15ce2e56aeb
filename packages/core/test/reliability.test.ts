import { createSimDriver, type SimFaultRule } from '@novacron/driver-sim';
import { describe, expect, it } from 'vitest';
import { createNovaCron } from '../src/client/create-novacron.js';
import type { ProviderLimits } from '../src/pipeline/limits.js';

const spec = (index: number) => ({
  provider: 'sim' as const,
  name: `bulk-${index}`,
  resources: { vcpus: 1, memoryMiB: 256 },
});

/** A sim fleet whose creates fail as `faults` says, behind a client with `limits` for it. */
function faultyFleet(seed: number, hosts: number, faults: SimFaultRule, limits: ProviderLimits) {
  const driver = createSimDriver({ seed, hosts, transitionDelayMs: 0, faults: { create: faults } });
  const nc = createNovaCron({ providers: { sim: driver }, limits: { sim: limits } });
  return { driver, nc };
}

describe('reliability under injected faults (driver-sim)', () => {
  it('createMany of 1,000 VMs with 20 % throttling/5xx and 5 % lost responses ends with exactly 1,000 VMs', async () => {
    const { driver, nc } = faultyFleet(
      11,
      40,
      { throttleRate: 0.1, errorRate: 0.1, lostResponseRate: 0.05, retryAfterMs: 1 },
      { concurrency: 64, retry: { maxAttempts: 12, baseDelayMs: 1, maxDelayMs: 20 } },
    );
    const retries: string[] = [];
    nc.events.on('operation.retry', (event) => retries.push(event.error.code));
    const result = await nc.vms.createMany(Array.from({ length: 1_000 }, (_, index) => spec(index)));

    expect(result.failed).toEqual([]);
    expect(result.created).toHaveLength(1_000);
    const ids = new Set(result.created.map(({ vm }) => vm.ref.id));
    expect(ids.size).toBe(1_000);
    expect(driver.sim.counts().vms).toBe(1_000);
    const listed = await nc.vms.list({ provider: 'sim' }).toArray();
    expect(new Set(listed.map((vm) => vm.ref.id))).toEqual(ids);
    const stats = driver.sim.stats().create;
    expect(stats.throttled + stats.errors).toBeGreaterThan(100);
    expect(stats.lostResponses).toBeGreaterThan(20);
    expect(retries).toContain('THROTTLED');
    expect(retries).toContain('UNAVAILABLE');
    await nc.close();
  });

  it('with few attempts, every failure is reported with its cause and no VM exists that the caller was not told about', async () => {
    const { driver, nc } = faultyFleet(
      12,
      40,
      { throttleRate: 0.15, errorRate: 0.15, lostResponseRate: 0.1, retryAfterMs: 1 },
      { concurrency: 32, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } },
    );
    const result = await nc.vms.createMany(Array.from({ length: 400 }, (_, index) => spec(index)));
    expect(result.created.length + result.failed.length).toBe(400);
    expect(result.failed.length).toBeGreaterThan(0);
    for (const failure of result.failed) {
      expect(['THROTTLED', 'UNAVAILABLE']).toContain(failure.error.code);
      expect(failure.error.provider).toBe('sim');
      expect(failure.idempotencyKey).toMatch(/[0-9a-f-]{36}/);
    }
    const uncertain = result.failed.filter((failure) => failure.uncertain);
    const unreported = driver.sim.counts().vms - result.created.length;
    expect(unreported).toBeGreaterThanOrEqual(0);
    expect(unreported).toBeLessThanOrEqual(uncertain.length);
    // Re-issuing the uncertain creates with their keys settles every one without making duplicates.
    driver.sim.setFaults({});
    const settled = await Promise.all(
      uncertain.map((failure) =>
        nc.vms.create({ ...failure.request, idempotencyKey: failure.idempotencyKey }),
      ),
    );
    expect(driver.sim.counts().vms).toBe(result.created.length + settled.length);
    await nc.close();
  });

  it('cancelling createMany part-way reports every index, and every VM that exists was reported created', async () => {
    const { driver, nc } = faultyFleet(13, 20, { latencyMs: 5 }, { concurrency: 4 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 40);
    const result = await nc.vms.createMany(
      Array.from({ length: 300 }, (_, index) => spec(index)),
      { concurrency: 4, signal: controller.signal },
    );
    expect(result.cancelled.length).toBeGreaterThan(0);
    expect(result.created.length + result.failed.length + result.cancelled.length).toBe(300);
    expect(driver.sim.counts().vms).toBe(result.created.length);
    const everyIndex = [
      ...result.created.map((entry) => entry.index),
      ...result.failed.map((entry) => entry.index),
      ...result.cancelled,
    ];
    expect(new Set(everyIndex).size).toBe(300);
    await nc.close();
  });

  it('cancelling a wait part-way makes nothing and reports ABORTED', async () => {
    const driver = createSimDriver({ seed: 14, transitionDelayMs: 60_000 });
    const nc = createNovaCron({ providers: { sim: driver } });
    const vm = await nc.vms.create(spec(1));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await expect(
      nc.vms.waitUntil(vm.ref, 'running', { signal: controller.signal, intervalMs: 5 }),
    ).rejects.toMatchObject({
      code: 'ABORTED',
    });
    expect(driver.sim.counts().vms).toBe(1);
    await nc.close();
  });
});
