import { createSimDriver } from '@novacron/driver-sim';
import { describe, expect, it } from 'vitest';
import { createNovaCron } from '../src/client/create-novacron.js';
import { NovaCronError } from '../src/errors/novacron-error.js';
import { PluginRegistry } from '../src/registry/plugin-registry.js';

const small = { vcpus: 1, memoryMiB: 256 };

describe('lists across providers', () => {
  it('merges every page of every provider and filters by tag', async () => {
    const nc = createNovaCron({
      providers: {
        east: createSimDriver({ seed: 1, transitionDelayMs: 0 }),
        west: createSimDriver({ seed: 2, transitionDelayMs: 0 }),
      },
    });
    for (const provider of ['east', 'west'] as const) {
      await nc.vms.createMany(
        Array.from({ length: 60 }, (_, index) => ({
          provider,
          name: `${provider}-${index}`,
          resources: small,
          tags: { env: index % 2 === 0 ? 'dev' : 'prod' },
        })),
      );
    }
    const all = await nc.vms.list().toArray();
    expect(all).toHaveLength(120);
    const dev = await nc.vms.list({ tags: { env: 'dev' } }).toArray();
    expect(dev).toHaveLength(60);
    expect(new Set(dev.map((vm) => vm.ref.provider))).toEqual(new Set(['east', 'west']));
    expect((await nc.hosts.list().toArray()).length).toBe(16);
  });

  it('reports a failing provider after delivering the others, or collects it on request', async () => {
    const broken = createSimDriver({ seed: 3, faults: { list: { errorRate: 1 } } });
    const healthy = createSimDriver({ seed: 4, transitionDelayMs: 0 });
    const nc = createNovaCron({
      providers: { broken, healthy },
      limits: { default: { retry: { maxAttempts: 1 } } },
    });
    await nc.vms.create({ provider: 'healthy', name: 'survivor', resources: small });
    const delivered: string[] = [];
    const error = await (async () => {
      for await (const vm of nc.vms.list()) delivered.push(vm.name);
    })().catch((thrown: unknown) => thrown);
    expect(delivered).toEqual(['survivor']);
    expect(NovaCronError.isInstance(error) && error.code).toBe('UNAVAILABLE');
    expect((error as Error).message).toContain("'broken'");
    const listing = nc.vms.list({ partial: 'collect' });
    expect((await listing.toArray()).map((vm) => vm.name)).toEqual(['survivor']);
    expect(listing.failures.map((failure) => failure.provider)).toEqual(['broken']);
  });

  it('creates providers by kind through the registry', async () => {
    const registry = new PluginRegistry();
    registry.registerDriver({
      kind: 'sim',
      packageName: '@novacron/driver-sim',
      version: '0.1.0',
      specificationVersion: 'v1',
      create: (options: { seed: number }) => createSimDriver({ ...options, transitionDelayMs: 0 }),
    });
    const nc = createNovaCron({ registry, providers: { lab: { kind: 'sim', options: { seed: 9 } } } });
    expect(nc.driver('lab').kind).toBe('sim');
    const vm = await nc.vms.create({ provider: 'lab', name: 'by-kind', resources: small });
    expect(vm.ref).toEqual({ provider: 'lab', id: vm.ref.id });
  });
});
