import { createSimDriver } from '@novacron/driver-sim';
import { describe, expect, it } from 'vitest';
import { createNovaCron, type NovaCron } from '../src/client/create-novacron.js';
import { NovaCronError } from '../src/errors/novacron-error.js';

describe('createNovaCron options', () => {
  it('refuses unknown option keys with a TypeError listing the accepted ones', () => {
    const call = () => createNovaCron({ providers: { sim: createSimDriver() }, limit: {} } as never);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(/unknown option 'limit'.*providers, limits, plugins/);
  });

  it('refuses limits keys that name no provider, naming the known providers', () => {
    const call = () =>
      createNovaCron({
        providers: { sim: createSimDriver(), lab: createSimDriver() },
        limits: { default: { concurrency: 2 }, smi: { concurrency: 1 } } as never,
      });
    expect(call).toThrow(TypeError);
    expect(call).toThrow(/'smi'.*sim, lab/);
  });

  it('refuses unknown keys inside a limits entry', () => {
    const call = () =>
      createNovaCron({
        providers: { sim: createSimDriver() },
        limits: { sim: { concurency: 1 } as never, default: { retry: { maxAttempt: 2 } as never } },
      });
    expect(call).toThrow(/'limits\.sim\.concurency'/);
    expect(() =>
      createNovaCron({
        providers: { sim: createSimDriver() },
        limits: { default: { retry: { maxAttempt: 2 } as never } },
      }),
    ).toThrow(/'limits\.default\.retry\.maxAttempt'.*maxAttempts, baseDelayMs, maxDelayMs/);
  });
});

describe('nc.driver', () => {
  it('returns a frozen read-only view: kind, capabilities and getClient, no do* methods', () => {
    const sim = createSimDriver();
    const nc = createNovaCron({ providers: { sim } });
    const view = nc.driver('sim');
    expect(Object.isFrozen(view)).toBe(true);
    expect(Object.keys(view).sort()).toEqual(['capabilities', 'getClient', 'kind']);
    expect('doCreateVm' in view).toBe(false);
    expect('close' in view).toBe(false);
    expect(view.kind).toBe('sim');
    expect(view.capabilities).toBe(sim.capabilities);
    expect(view.getClient()).toBe(sim.sim);
    expect(nc.driver('sim')).toBe(view);
  });

  it('refuses an unknown provider with INVALID_ARGUMENT naming the known ones', () => {
    const nc = createNovaCron({ providers: { sim: createSimDriver() } });
    let thrown: unknown;
    try {
      nc.driver('smi' as never);
    } catch (error) {
      thrown = error;
    }
    expect(NovaCronError.isInstance(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'provider' });
    expect((thrown as Error).message).toMatch(/'smi'.*Known providers: sim/);
  });
});

describe('await using', () => {
  it('closes every driver when the client leaves scope', async () => {
    const sim = createSimDriver({ transitionDelayMs: 0 });
    let closed = 0;
    const close = sim.close.bind(sim);
    sim.close = async () => {
      closed += 1;
      await close();
    };
    let escaped: NovaCron | undefined;
    {
      await using nc = createNovaCron({ providers: { sim } });
      await nc.vms.create({ provider: 'sim', name: 'scoped', resources: { vcpus: 1, memoryMiB: 512 } });
      escaped = nc;
    }
    expect(closed).toBe(1);
    await expect(escaped!.vms.get('sim:anything')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
