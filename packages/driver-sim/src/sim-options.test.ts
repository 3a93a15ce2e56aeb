import { describe, expect, it } from 'vitest';
import { createSimDriver } from './sim-driver.js';

describe('sim options', () => {
  it('refuses an unknown option with a TypeError naming it and listing the accepted ones', () => {
    const call = () => createSimDriver({ seeed: 1 } as never);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(/createSimDriver: unknown option 'seeed'\. Accepted options: seed, hosts, /);
  });

  it('names every unknown option at once', () => {
    expect(() => createSimDriver({ seeed: 1, pagesize: 2 } as never)).toThrow(
      /unknown options 'seeed', 'pagesize'/,
    );
  });

  it('checks the nested option bags: migration, host specs, fault rules and latency ranges', () => {
    expect(() => createSimDriver({ migration: { maxIteration: 3 } } as never)).toThrow(
      /'migration\.maxIteration'.*maxIterations/,
    );
    expect(() => createSimDriver({ migration: { dirtyRateMiBps: { min: 1, mx: 2 } } } as never)).toThrow(
      /'migration\.dirtyRateMiBps\.mx'.*min, max/,
    );
    expect(() =>
      createSimDriver({
        hosts: [{ id: 'h', capacity: { vcpus: 1, memoryMiB: 1 }, zones: 'a' }],
      } as never),
    ).toThrow(/'hosts\[0\]\.zones'.*zone/);
    expect(() =>
      createSimDriver({
        hosts: [{ id: 'h', capacity: { vcpus: 1, memoryMiB: 1, cpus: 2 } }],
      } as never),
    ).toThrow(/'hosts\[0\]\.capacity\.cpus'.*vcpus/);
    expect(() =>
      createSimDriver({
        hosts: [{ id: 'h', capacity: { vcpus: 1, memoryMiB: 1 }, overcommit: { vcpu: 2 } }],
      } as never),
    ).toThrow(/'hosts\[0\]\.overcommit\.vcpu'/);
    expect(() => createSimDriver({ faults: { create: { errorrate: 0.5 } } } as never)).toThrow(
      /'faults\.create\.errorrate'.*errorRate/,
    );
    expect(() =>
      createSimDriver({ faults: { '*': { latencyMs: { min: 1, maximum: 2 } } } } as never),
    ).toThrow(/'faults\.\*\.latencyMs\.maximum'/);
  });

  it('checks fault rules given later through the control surface too', () => {
    const driver = createSimDriver();
    expect(() => driver.sim.setFaults({ list: { throttlerate: 1 } } as never)).toThrow(TypeError);
  });

  it('accepts every documented option', () => {
    expect(() =>
      createSimDriver({
        seed: 3,
        hosts: [
          {
            id: 'h1',
            capacity: { vcpus: 4, memoryMiB: 4096, diskGiB: 10, gpus: 0 },
            labels: { any: 'label' },
            zone: 'z',
            overcommit: { vcpus: 2 },
            state: 'up',
          },
        ],
        transitionDelayMs: 0,
        pageSize: 5,
        faults: { '*': { latencyMs: { min: 0, max: 1 }, errorRate: 0 } },
        migration: { defaultBandwidthMiBps: 10, dirtyRateMiBps: { min: 1, max: 2 }, dirtyRateJitter: 0 },
        timeScale: 0,
        now: () => 0,
      }),
    ).not.toThrow();
  });
});
