import type { DriverEvent, MigrationProgress } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { callContext, createContext, expectCode, migrateContext } from '../test/context.js';
import { createSimDriver } from './sim-driver.js';
import { runPreCopy } from './sim-migration.js';

const MIB = 1_048_576;

async function fleetWithVm(options: { dirtyRateMiBps?: number; memoryMiB?: number; seed?: number } = {}) {
  const driver = createSimDriver({ transitionDelayMs: 0, seed: options.seed ?? 1 });
  const vm = await driver.doCreateVm(
    {
      name: 'db-1',
      resources: { vcpus: 4, memoryMiB: options.memoryMiB ?? 4096 },
      location: { hostId: 'host-1' },
      ...(options.dirtyRateMiBps === undefined
        ? {}
        : { providerOptions: { sim: { dirtyRateMiBps: options.dirtyRateMiBps } } }),
    },
    createContext('db-1'),
  );
  return { driver, vm };
}

function host(driver: ReturnType<typeof createSimDriver>, id: string) {
  return driver.sim.snapshot().hosts.find((entry) => entry.id === id)!;
}

describe('pre-copy model', () => {
  it('sends all memory, then what was dirtied, until the rest fits in the downtime', async () => {
    const reports: MigrationProgress[] = [];
    const result = await runPreCopy({
      memoryBytes: 1024 * MIB,
      bandwidthBytesPerSecond: 100 * MIB,
      dirtyRateBytesPerSecond: 50 * MIB,
      maxDowntimeMs: 300,
      maxIterations: 30,
      completionTimeoutMs: undefined,
      onTimeout: 'abort',
      autoConverge: false,
      jitter: () => 1,
      timeScale: 0,
      signal: new AbortController().signal,
      onProgress: (progress) => reports.push(progress),
    });
    const transfers = reports.filter((report) => report.phase === 'transferring');
    // 1024 MiB in 10.24 s dirties 512 MiB, then 256, 128, 64, 32, 16 <= 30 MiB (300 ms at 100 MiB/s).
    expect(transfers.map((report) => report.bytesRemaining / MIB)).toEqual([512, 256, 128, 64, 32, 16]);
    expect(transfers.map((report) => report.iteration)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(transfers[0]).toMatchObject({
      bytesProcessed: 1024 * MIB,
      bytesTotal: 1536 * MIB,
      dirtyRateBytesPerSecond: 50 * MIB,
    });
    expect(result).toMatchObject({ outcome: 'converged', iterations: 6, bytesTransferred: 2032 * MIB });
    expect(result.downtimeMs).toBeCloseTo(160, 6);
    expect(reports.at(-1)).toMatchObject({ phase: 'switching-over', bytesRemaining: 16 * MIB });
  });

  it('gives up at maxIterations when dirtying outpaces the bandwidth, or switches to post-copy', async () => {
    const base = {
      memoryBytes: 1024 * MIB,
      bandwidthBytesPerSecond: 100 * MIB,
      dirtyRateBytesPerSecond: 150 * MIB,
      maxDowntimeMs: 300,
      maxIterations: 5,
      completionTimeoutMs: undefined,
      autoConverge: false,
      jitter: () => 1,
      timeScale: 0,
      signal: new AbortController().signal,
      onProgress: () => {},
    };
    expect(await runPreCopy({ ...base, onTimeout: 'abort' })).toMatchObject({
      outcome: 'timeout',
      iterations: 5,
    });
    const postcopy = await runPreCopy({ ...base, onTimeout: 'postcopy' });
    expect(postcopy).toMatchObject({ outcome: 'postcopy', iterations: 6 });
    expect(postcopy.downtimeMs).toBeCloseTo(80, 6);
    const timed = await runPreCopy({
      ...base,
      maxIterations: 100,
      completionTimeoutMs: 25_000,
      onTimeout: 'abort',
    });
    // 10.24 s + 10.24 s + 10.24 s (memory is the cap on dirtied pages) >= 25 s after iteration 3.
    expect(timed).toMatchObject({ outcome: 'timeout', iterations: 3 });
  });

  it('auto-converge throttles the guest until a borderline migration converges', async () => {
    const base = {
      memoryBytes: 1024 * MIB,
      bandwidthBytesPerSecond: 100 * MIB,
      dirtyRateBytesPerSecond: 95 * MIB,
      maxDowntimeMs: 300,
      maxIterations: 30,
      completionTimeoutMs: undefined,
      onTimeout: 'abort' as const,
      jitter: () => 1,
      timeScale: 0,
      signal: new AbortController().signal,
      onProgress: () => {},
    };
    expect((await runPreCopy({ ...base, autoConverge: false })).outcome).toBe('timeout');
    expect((await runPreCopy({ ...base, autoConverge: true })).outcome).toBe('converged');
  });
});

describe('live migration through the driver', () => {
  it('moves a running VM: progress each iteration, allocations move, events say migrating then running', async () => {
    const { driver, vm } = await fleetWithVm({ dirtyRateMiBps: 100 });
    const events: DriverEvent[] = [];
    await driver.doWatch((event) => events.push(event), { signal: new AbortController().signal });
    const reports: MigrationProgress[] = [];
    const outcome = await driver.doMigrateVm(
      { vmId: vm.id, toHostId: 'host-3', mode: 'live', policy: { bandwidthMiBps: 500 } },
      migrateContext(reports),
    );
    expect(outcome.hostId).toBe('host-3');
    expect(outcome.iterations).toBeGreaterThanOrEqual(2);
    expect(outcome.downtimeMs).toBeLessThanOrEqual(300);
    expect(outcome.bytesTransferred).toBeGreaterThan(4096 * MIB);
    const iterations = reports.filter((report) => report.phase === 'transferring');
    expect(iterations.map((report) => report.iteration)).toEqual(iterations.map((_, index) => index + 1));
    for (let index = 1; index < iterations.length; index += 1) {
      expect(iterations[index]!.bytesRemaining).toBeLessThan(iterations[index - 1]!.bytesRemaining);
    }
    expect(reports.at(-1)).toMatchObject({ phase: 'completed', bytesRemaining: 0 });
    const moved = await driver.doGetVm(vm.id, callContext());
    expect(moved.location).toMatchObject({ hostId: 'host-3', zone: 'sim-1a' });
    expect(moved.state).toMatchObject({ name: 'running', reason: 'migrated' });
    expect(host(driver, 'host-1')).toMatchObject({ vmCount: 0, allocated: { vcpus: 0, memoryMiB: 0 } });
    expect(host(driver, 'host-3')).toMatchObject({ vmCount: 1, allocated: { vcpus: 4, memoryMiB: 4096 } });
    const states = events.flatMap((event) =>
      event.type === 'vm.state' ? [`${event.state.name}@${event.hostId}`] : [],
    );
    expect(states).toEqual(['migrating@host-1', 'running@host-3']);
    expect(driver.sim.counts().migrationsInFlight).toBe(0);
  });

  it('times out a migration that cannot converge; the VM keeps running on the source', async () => {
    const { driver, vm } = await fleetWithVm({ dirtyRateMiBps: 2000 });
    const error = await expectCode(
      driver.doMigrateVm({ vmId: vm.id, toHostId: 'host-3', mode: 'live', policy: {} }, migrateContext([])),
      'TIMEOUT',
    );
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/did not converge after 30 iterations/);
    expect(error.message).toContain("onTimeout: 'postcopy'");
    const after = await driver.doGetVm(vm.id, callContext());
    expect(after.location.hostId).toBe('host-1');
    expect(after.state).toMatchObject({ name: 'running', reason: 'migration-timeout' });
    expect(host(driver, 'host-3').vmCount).toBe(0);
    expect(host(driver, 'host-1').vmCount).toBe(1);
  });

  it('honours completionTimeoutMs in simulated time and can finish in post-copy', async () => {
    const { driver, vm } = await fleetWithVm({ dirtyRateMiBps: 2000 });
    const timedOut = await expectCode(
      driver.doMigrateVm(
        { vmId: vm.id, toHostId: 'host-3', mode: 'live', policy: { completionTimeoutMs: 10_000 } },
        migrateContext([]),
      ),
      'TIMEOUT',
    );
    expect(timedOut.message).toMatch(/after \d iterations/);
    const reports: MigrationProgress[] = [];
    const outcome = await driver.doMigrateVm(
      {
        vmId: vm.id,
        toHostId: 'host-3',
        mode: 'live',
        policy: { completionTimeoutMs: 10_000, onTimeout: 'postcopy' },
      },
      migrateContext(reports),
    );
    expect(outcome.hostId).toBe('host-3');
    expect(reports.some((report) => report.phase === 'switching-over')).toBe(true);
    expect((await driver.doGetVm(vm.id, callContext())).state).toMatchObject({
      name: 'running',
      reason: 'migrated-postcopy',
    });
  });

  it('cancels through the signal: the VM ends running on the source with its state restored', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0, timeScale: 1 });
    const vm = await driver.doCreateVm(
      { name: 'db', resources: { vcpus: 2, memoryMiB: 65536 }, location: { hostId: 'host-1' } },
      createContext('db'),
    );
    const controller = new AbortController();
    const reason = new Error('operator cancelled');
    const call = driver.doMigrateVm(
      { vmId: vm.id, toHostId: 'host-3', mode: 'live', policy: { bandwidthMiBps: 100 } },
      migrateContext([], controller.signal),
    );
    expect((await driver.doGetVm(vm.id, callContext())).state.name).toBe('migrating');
    await expectCode(driver.doStopVm(vm.id, { force: true }, callContext()), 'CONFLICT');
    await expectCode(driver.doDeleteVm(vm.id, callContext()), 'CONFLICT');
    expect(driver.sim.counts().migrationsInFlight).toBe(1);
    controller.abort(reason);
    await expectCode(call, 'ABORTED');
    const after = await driver.doGetVm(vm.id, callContext());
    expect(after.location.hostId).toBe('host-1');
    expect(after.state).toMatchObject({ name: 'running', reason: 'migration-cancelled' });
    expect(host(driver, 'host-3')).toMatchObject({ vmCount: 0, allocated: { vcpus: 0, memoryMiB: 0 } });
    expect(driver.sim.counts().migrationsInFlight).toBe(0);
  });

  it('fails when the destination goes down mid-way, and crashes the VM when its source does', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0, timeScale: 1 });
    const vm = await driver.doCreateVm(
      { name: 'db', resources: { vcpus: 2, memoryMiB: 8192 }, location: { hostId: 'host-1' } },
      createContext('db'),
    );
    driver.sim.setDirtyRate(vm.id, 50);
    const first = driver.doMigrateVm(
      { vmId: vm.id, toHostId: 'host-3', mode: 'live', policy: { bandwidthMiBps: 100 } },
      migrateContext([]),
    );
    driver.sim.setHostState('host-3', 'down');
    const error = await expectCode(first, 'UNAVAILABLE');
    expect(error.message).toContain('host-3 went down');
    expect((await driver.doGetVm(vm.id, callContext())).state.name).toBe('running');
    const second = driver.doMigrateVm(
      { vmId: vm.id, toHostId: 'host-5', mode: 'live', policy: { bandwidthMiBps: 100 } },
      migrateContext([]),
    );
    driver.sim.setHostState('host-1', 'down');
    await expectCode(second, 'UNAVAILABLE');
    expect((await driver.doGetVm(vm.id, callContext())).state).toMatchObject({
      name: 'error',
      reason: 'host-down',
    });
    expect(host(driver, 'host-5').vmCount).toBe(0);
  });

  it('checks before moving: VM running, destination known, up and with room; same host is a no-op', async () => {
    const { driver, vm } = await fleetWithVm();
    const request = { vmId: vm.id, mode: 'live' as const, policy: {} };
    await expectCode(
      driver.doMigrateVm({ ...request, toHostId: 'host-99' }, migrateContext([])),
      'NOT_FOUND',
    );
    driver.sim.setHostState('host-3', 'maintenance');
    const maintenance = await expectCode(
      driver.doMigrateVm({ ...request, toHostId: 'host-3' }, migrateContext([])),
      'CONFLICT',
    );
    expect(maintenance.message).toContain('host-3 is maintenance');
    await driver.doCreateVm(
      { name: 'hog', resources: { vcpus: 512, memoryMiB: 1024 }, location: { hostId: 'host-5' } },
      createContext('hog'),
    );
    const full = await expectCode(
      driver.doMigrateVm({ ...request, toHostId: 'host-5' }, migrateContext([])),
      'NO_CAPACITY',
    );
    expect(full.message).toContain('host-5');
    expect(await driver.doMigrateVm({ ...request, toHostId: 'host-1' }, migrateContext([]))).toEqual({
      hostId: 'host-1',
      downtimeMs: 0,
      bytesTransferred: 0,
      iterations: 0,
    });
    await expectCode(
      driver.doMigrateVm(
        { ...request, toHostId: 'host-2', policy: { bandwidthMiBps: -5 } },
        migrateContext([]),
      ),
      'INVALID_ARGUMENT',
    );
    await expectCode(
      driver.doMigrateVm({ ...request, toHostId: 'host-2', mode: 'cold' }, migrateContext([])),
      'UNSUPPORTED',
    );
    await driver.doStopVm(vm.id, { force: false }, callContext());
    const stopped = await expectCode(
      driver.doMigrateVm({ ...request, toHostId: 'host-2' }, migrateContext([])),
      'CONFLICT',
    );
    expect(stopped.message).toMatch(/Only a running VM can be live-migrated/);
    expect(driver.sim.counts().migrationsInFlight).toBe(0);
  });

  it('a lost migrate response followed by a retry reports success without moving again', async () => {
    const { driver, vm } = await fleetWithVm({ dirtyRateMiBps: 10 });
    driver.sim.setFaults({ migrate: { lostResponseRate: 1 } });
    const request = { vmId: vm.id, toHostId: 'host-3', mode: 'live' as const, policy: {} };
    await expectCode(driver.doMigrateVm(request, migrateContext([])), 'UNAVAILABLE');
    driver.sim.setFaults({});
    expect((await driver.doMigrateVm(request, migrateContext([]))).hostId).toBe('host-3');
    expect(host(driver, 'host-3').vmCount).toBe(1);
  });

  it('is deterministic for a seed: same outcome, and default dirty rates come from the seed', async () => {
    async function outcome(seed: number) {
      const { driver, vm } = await fleetWithVm({ seed, memoryMiB: 16384 });
      return driver.doMigrateVm(
        { vmId: vm.id, toHostId: 'host-3', mode: 'live', policy: { bandwidthMiBps: 300 } },
        migrateContext([]),
      );
    }
    expect(await outcome(3)).toEqual(await outcome(3));
    expect(await outcome(3)).not.toEqual(await outcome(4));
    const { vm } = await fleetWithVm({ seed: 3 });
    const rate = (vm.raw as { dirtyRateMiBps: number }).dirtyRateMiBps;
    expect(rate).toBeGreaterThanOrEqual(5);
    expect(rate).toBeLessThan(200);
  });
});
