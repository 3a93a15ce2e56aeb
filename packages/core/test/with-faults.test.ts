import { createNovaCron, NovaCronError } from '@novacron/core';
import { withFaults } from '@novacron/core/testing';
import { createSimDriver } from '@novacron/driver-sim';
import { describe, expect, it } from 'vitest';

describe('withFaults', () => {
  it('injects throttling, 5xx and lost responses that the pipeline hides: exactly one VM per request', async () => {
    const faulty = withFaults(createSimDriver({ seed: 3, hosts: 8 }), {
      seed: 7,
      throttleRate: 0.2,
      serverErrorRate: 0.1,
      lostResponseRate: 0.05,
      latencyMs: [0, 1],
    });
    const nc = createNovaCron({
      providers: { sim: faulty },
      limits: { default: { retry: { maxAttempts: 12, baseDelayMs: 1, maxDelayMs: 5 } } },
    });
    const result = await nc.vms.createMany(
      Array.from({ length: 200 }, (_, index) => ({
        provider: 'sim',
        name: `faulty-${index}`,
        resources: { vcpus: 1, memoryMiB: 256 },
      })),
      { concurrency: 16 },
    );
    expect(result.failed).toEqual([]);
    expect(result.created).toHaveLength(200);
    const listed = await nc.vms.list({ provider: 'sim' }).toArray();
    expect(listed).toHaveLength(200);
    expect(new Set(listed.map((vm) => vm.name)).size).toBe(200);
    expect(faulty.injected.throttled).toBeGreaterThan(0);
    expect(faulty.injected.serverErrors).toBeGreaterThan(0);
    expect(faulty.injected.lostResponses).toBeGreaterThan(0);
    await nc.close();
  });

  it('keeps the kind, the capabilities and exactly the optional methods of the driver it wraps', () => {
    const sim = createSimDriver();
    const faulty = withFaults(sim, { throttleRate: 0.5 });
    expect(faulty.kind).toBe(sim.kind);
    expect(faulty.capabilities).toBe(sim.capabilities);
    for (const method of [
      'doSuspendVm',
      'doResumeVm',
      'doListHosts',
      'doMigrateVm',
      'doWatch',
      'getClient',
    ]) {
      expect(method in faulty, method).toBe(method in sim);
    }
  });

  it('hangs a call until its signal aborts', async () => {
    const faulty = withFaults(createSimDriver(), { hangRate: 1, methods: ['doGetVm'] });
    const nc = createNovaCron({ providers: { sim: faulty }, limits: { default: { timeoutMs: 100 } } });
    const vm = await nc.vms.create({
      provider: 'sim',
      name: 'hung',
      resources: { vcpus: 1, memoryMiB: 256 },
    });
    const error = await nc.vms.get(vm.ref).catch((thrown: unknown) => thrown);
    expect(NovaCronError.isInstance(error) && error.code).toBe('TIMEOUT');
    expect(faulty.injected.hangs).toBeGreaterThan(0);
    await nc.close();
  });

  it('refuses rules that make no sense with a TypeError naming the rule', () => {
    expect(() => withFaults(createSimDriver(), { throttleRate: 2 })).toThrow(/throttleRate/);
    expect(() => withFaults(createSimDriver(), { latencyMs: [5, 1] })).toThrow(/latencyMs/);
    expect(() => withFaults(createSimDriver(), { methods: ['doNothing' as never] })).toThrow(/doNothing/);
  });
});
