import type { DriverEvent } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { callContext, createContext, expectCode } from '../test/context.js';
import { SIM_VM_STATUSES } from './sim-cloud-types.js';
import { createSimDriver } from './sim-driver.js';
import { planTransition, type SimLifecycleOperation } from './sim-lifecycle.js';

async function watched(transitionDelayMs: number) {
  const driver = createSimDriver({ transitionDelayMs });
  const events: DriverEvent[] = [];
  await driver.doWatch((event) => events.push(event), { signal: new AbortController().signal });
  return { driver, events };
}

function stateNames(events: DriverEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'vm.state' ? [event.state.name] : []));
}

describe('lifecycle state machine', () => {
  it('creates pending, runs after the transition delay, and reports both through watch', async () => {
    const { driver, events } = await watched(60_000);
    const vm = await driver.doCreateVm({ name: 'web-1', size: 'sim.small' }, createContext('k1'));
    expect(vm.state).toEqual({ name: 'pending', providerState: 'booting', reason: 'created' });
    expect((await driver.doGetVm(vm.id, callContext())).state.name).toBe('pending');
    driver.sim.settle();
    expect((await driver.doGetVm(vm.id, callContext())).state.name).toBe('running');
    expect(stateNames(events)).toEqual(['pending', 'running']);
    expect(events[0]).toMatchObject({ type: 'vm.state', vmId: vm.id, hostId: vm.location.hostId });
  });

  it('settles by itself once transitionDelayMs has passed', async () => {
    const { driver, events } = await watched(1);
    const vm = await driver.doCreateVm({ name: 'web-1', size: 'sim.small' }, createContext('k1'));
    await new Promise<void>((resolve) => {
      const poll = () => (stateNames(events).includes('running') ? resolve() : setTimeout(poll, 1));
      poll();
    });
    expect((await driver.doGetVm(vm.id, callContext())).state.name).toBe('running');
  });

  it('with transitionDelayMs 0, returns VMs already running', async () => {
    const { driver, events } = await watched(0);
    const vm = await driver.doCreateVm({ name: 'web-1', size: 'sim.small' }, createContext('k1'));
    expect(vm.state.name).toBe('running');
    expect(stateNames(events)).toEqual(['pending', 'running']);
  });

  it('stops through stopping, starts through pending, and treats repeats as no-ops', async () => {
    const { driver, events } = await watched(60_000);
    const vm = await driver.doCreateVm({ name: 'web-1', size: 'sim.small' }, createContext('k1'));
    driver.sim.settle();
    await driver.doStopVm(vm.id, { force: false }, callContext());
    expect((await driver.doGetVm(vm.id, callContext())).state).toMatchObject({
      name: 'stopping',
      providerState: 'shutting-down',
    });
    await driver.doStopVm(vm.id, { force: false }, callContext());
    driver.sim.settle();
    expect((await driver.doGetVm(vm.id, callContext())).state.name).toBe('stopped');
    await driver.doStopVm(vm.id, { force: false }, callContext());
    await driver.doStopVm(vm.id, { force: true }, callContext());
    await driver.doStartVm(vm.id, callContext());
    await driver.doStartVm(vm.id, callContext());
    driver.sim.settle();
    await driver.doStartVm(vm.id, callContext());
    expect(stateNames(events)).toEqual(['pending', 'running', 'stopping', 'stopped', 'pending', 'running']);
  });

  it('force-stops at once, from running and from suspended', async () => {
    const driver = createSimDriver({ transitionDelayMs: 60_000 });
    const vm = await driver.doCreateVm({ name: 'web-1', size: 'sim.small' }, createContext('k1'));
    driver.sim.settle();
    await driver.doStopVm(vm.id, { force: true }, callContext());
    expect((await driver.doGetVm(vm.id, callContext())).state).toMatchObject({
      name: 'stopped',
      reason: 'forced',
    });
    await driver.doStartVm(vm.id, callContext());
    driver.sim.settle();
    await driver.doSuspendVm(vm.id, callContext());
    await expectCode(driver.doStopVm(vm.id, { force: false }, callContext()), 'CONFLICT');
    await driver.doStopVm(vm.id, { force: true }, callContext());
    expect((await driver.doGetVm(vm.id, callContext())).state.name).toBe('stopped');
  });

  it('reboots a running VM and refuses to reboot a stopped one with CONFLICT naming VM, state and fix', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const vm = await driver.doCreateVm({ name: 'web-1', size: 'sim.small' }, createContext('k1'));
    await driver.doRebootVm(vm.id, callContext());
    expect((await driver.doGetVm(vm.id, callContext())).state).toMatchObject({
      name: 'running',
      reason: 'rebooted',
    });
    await driver.doStopVm(vm.id, { force: false }, callContext());
    const error = await expectCode(driver.doRebootVm(vm.id, callContext()), 'CONFLICT');
    expect(error.message).toContain(vm.id);
    expect(error.message).toContain('web-1');
    expect(error.message).toContain('shut-off');
    expect(error.message).toMatch(/Start it/);
    expect(error.retryable).toBe(false);
  });

  it('suspends and resumes, idempotently, and refuses resume of a stopped VM', async () => {
    const driver = createSimDriver({ transitionDelayMs: 0 });
    const vm = await driver.doCreateVm({ name: 'web-1', size: 'sim.small' }, createContext('k1'));
    await driver.doSuspendVm(vm.id, callContext());
    await driver.doSuspendVm(vm.id, callContext());
    expect((await driver.doGetVm(vm.id, callContext())).state).toMatchObject({
      name: 'suspended',
      providerState: 'paused',
    });
    await expectCode(driver.doStartVm(vm.id, callContext()), 'CONFLICT');
    await expectCode(driver.doRebootVm(vm.id, callContext()), 'CONFLICT');
    await driver.doResumeVm(vm.id, callContext());
    await driver.doResumeVm(vm.id, callContext());
    expect((await driver.doGetVm(vm.id, callContext())).state.name).toBe('running');
    await driver.doStopVm(vm.id, { force: false }, callContext());
    await expectCode(driver.doResumeVm(vm.id, callContext()), 'CONFLICT');
    await expectCode(driver.doSuspendVm(vm.id, callContext()), 'CONFLICT');
  });

  it('refuses to stop a VM still booting; rebooting it is a no-op, so a retried reboot is safe', async () => {
    const { driver, events } = await watched(60_000);
    const vm = await driver.doCreateVm({ name: 'web-1', size: 'sim.small' }, createContext('k1'));
    const error = await expectCode(driver.doStopVm(vm.id, { force: false }, callContext()), 'CONFLICT');
    expect(error.message).toMatch(/booting.*Wait until it is running/);
    await driver.doRebootVm(vm.id, callContext());
    driver.sim.settle();
    await driver.doRebootVm(vm.id, callContext());
    await driver.doRebootVm(vm.id, callContext());
    driver.sim.settle();
    expect(stateNames(events)).toEqual(['pending', 'running', 'pending', 'running']);
  });

  it('deletes through terminated; the VM is then gone and deleting again is a no-op', async () => {
    const { driver, events } = await watched(60_000);
    const vm = await driver.doCreateVm({ name: 'web-1', size: 'sim.small' }, createContext('k1'));
    await driver.doDeleteVm(vm.id, callContext());
    expect(stateNames(events)).toEqual(['pending', 'terminated']);
    const error = await expectCode(driver.doGetVm(vm.id, callContext()), 'NOT_FOUND');
    expect(error.message).toContain(vm.id);
    await driver.doDeleteVm(vm.id, callContext());
    await expectCode(driver.doStartVm(vm.id, callContext()), 'NOT_FOUND');
    expect(driver.sim.counts()).toMatchObject({ vms: 0, pendingTransitions: 0 });
    driver.sim.settle();
    expect(stateNames(events)).toEqual(['pending', 'terminated']);
  });

  it('crashes VMs of a host that goes down, refuses to start them until it is up, then starts them', async () => {
    const { driver, events } = await watched(0);
    const vm = await driver.doCreateVm(
      { name: 'web-1', size: 'sim.small', location: { hostId: 'host-2' } },
      createContext('k1'),
    );
    const stopped = await driver.doCreateVm(
      { name: 'web-2', size: 'sim.small', location: { hostId: 'host-2' } },
      createContext('k2'),
    );
    await driver.doStopVm(stopped.id, { force: false }, callContext());
    driver.sim.setHostState('host-2', 'down');
    expect(events).toContainEqual({ type: 'host.state', hostId: 'host-2', state: 'down' });
    expect((await driver.doGetVm(vm.id, callContext())).state).toMatchObject({
      name: 'error',
      reason: 'host-down',
    });
    expect((await driver.doGetVm(stopped.id, callContext())).state.name).toBe('stopped');
    const error = await expectCode(driver.doStartVm(vm.id, callContext()), 'CONFLICT');
    expect(error.message).toContain('host-2 is down');
    driver.sim.setHostState('host-2', 'up');
    await driver.doStartVm(vm.id, callContext());
    expect((await driver.doGetVm(vm.id, callContext())).state.name).toBe('running');
  });

  it('has an answer for every operation from every state', () => {
    const operations: SimLifecycleOperation[] = [
      'start',
      'stop',
      'forceStop',
      'reboot',
      'suspend',
      'resume',
      'delete',
      'migrate',
    ];
    for (const operation of operations) {
      for (const state of SIM_VM_STATUSES) {
        const plan = planTransition(operation, state);
        expect(['noop', 'conflict', 'move']).toContain(plan.kind);
        if (plan.kind === 'conflict') expect(plan.hint.length).toBeGreaterThan(10);
      }
    }
    expect(planTransition('start', 'shut-off')).toMatchObject({
      kind: 'move',
      now: 'booting',
      settlesTo: 'running',
    });
    expect(planTransition('stop', 'running')).toMatchObject({
      kind: 'move',
      now: 'shutting-down',
      settlesTo: 'shut-off',
    });
    expect(planTransition('delete', 'migrating').kind).toBe('conflict');
  });
});
