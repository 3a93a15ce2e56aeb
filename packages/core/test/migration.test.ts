import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimDriver } from '@novacron/driver-sim';
import { describe, expect, it } from 'vitest';
import { createNovaCron, type NovaCron } from '../src/client/create-novacron.js';
import type { MigrationProgress } from '../src/model/migration.js';
import type { Vm } from '../src/model/vm.js';
import { FileStateStore } from '../src/store/file-state-store.js';

const small = { vcpus: 2, memoryMiB: 4096 };

/** Creates a VM on host-1 and waits until it runs. */
async function runningOnHost1(nc: NovaCron, name: string): Promise<Vm> {
  const vm = await nc.vms.create({ provider: 'sim', name, resources: small, location: { hostId: 'host-1' } });
  await nc.vms.waitUntil(vm.ref, 'running');
  return vm;
}

describe('migrations.start on driver-sim', () => {
  it('live-migrates a running VM, reports progress, and journals the record in a file store', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'novacron-migrations-'));
    try {
      const store = await FileStateStore.open(directory);
      const driver = createSimDriver({ seed: 5, hosts: 2, transitionDelayMs: 0 });
      const nc = createNovaCron({ providers: { sim: driver }, store });
      const vm = await runningOnHost1(nc, 'mover');
      const progress: MigrationProgress[] = [];
      const events: string[] = [];
      nc.events.on('migration.progress', (event) => events.push(event.migrationId));
      const migration = await nc.migrations.start({ vm: vm.ref, to: 'host-2', mode: 'live' });
      migration.on('progress', (report) => progress.push(report));
      const record = await migration.done;
      expect(record.phase).toBe('completed');
      expect(record.from).toBe('host-1');
      expect(record.outcome?.hostId).toBe('host-2');
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.at(-1)!.bytesProcessed).toBeGreaterThanOrEqual(4096 * 1024 * 1024);
      expect(new Set(events)).toEqual(new Set([migration.id]));
      expect((await nc.vms.get(vm.ref)).location.hostId).toBe('host-2');
      const reopened = await FileStateStore.open(directory);
      const stored = await reopened.get<{ phase: string; steps: Array<{ name: string; status: string }> }>(
        `migrations/${migration.id}`,
      );
      expect(stored?.value.phase).toBe('completed');
      expect(stored?.value.steps.filter((step) => step.status === 'done').map((step) => step.name)).toEqual([
        'check',
        'live-migrate',
        'verify',
      ]);
      expect((await nc.migrations.list()).map((one) => one.id)).toEqual([migration.id]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('cancels a migration that does not converge: ABORTED, the VM still running on its source', async () => {
    const driver = createSimDriver({
      seed: 6,
      hosts: 2,
      transitionDelayMs: 0,
      timeScale: 0.01,
      migration: { maxIterations: 10_000 },
    });
    const nc = createNovaCron({ providers: { sim: driver } });
    const vm = await runningOnHost1(nc, 'busy');
    driver.sim.setDirtyRate(vm.ref.id, 500);
    const migration = await nc.migrations.start({
      vm: vm.ref,
      to: 'host-2',
      policy: { bandwidthMiBps: 100 },
    });
    await new Promise<void>((resolve) => migration.once('progress', () => resolve()));
    migration.cancel();
    await expect(migration.done).rejects.toMatchObject({ code: 'ABORTED' });
    expect(migration.phase).toBe('cancelled');
    const after = await nc.vms.get(vm.ref);
    expect(after.location.hostId).toBe('host-1');
    expect(after.state.name).toBe('running');
    expect((await nc.migrations.get(migration.id))?.phase).toBe('cancelled');
  });

  it('refuses a migration to the host the VM is on, and on a stopped VM, with CONFLICT', async () => {
    const driver = createSimDriver({ seed: 7, hosts: 2, transitionDelayMs: 0 });
    const nc = createNovaCron({ providers: { sim: driver } });
    const vm = await runningOnHost1(nc, 'stay');
    const same = await nc.migrations.start({ vm: vm.ref, to: 'host-1' });
    await expect(same.done).rejects.toMatchObject({ code: 'CONFLICT' });
    await nc.vms.stop(vm.ref);
    await nc.vms.waitUntil(vm.ref, 'stopped');
    const stopped = await nc.migrations.start({ vm: vm.ref, to: 'host-2' });
    await expect(stopped.done).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('needs it running'),
    });
    expect(stopped.phase).toBe('failed');
  });
});
