import { createNovaCron, type DriverCallContext, NovaCronError } from '@novacron/core';
import type { FakeGce, FakeGceOptions } from '@novacron/driver-gcp/testing';
import { describe, expect, it } from 'vitest';
import { gcpDriverFor, startCheckedFakeGce } from './support/gcp-on-fake.js';

// Behaviours of the real service that need a fake set up their own way: each test starts (and checks) its own.

function context(operationId = 'behaviour', attempt = 1): DriverCallContext {
  return { signal: new AbortController().signal, operationId, attempt };
}

async function withFake(options: Omit<FakeGceOptions, 'discovery'>, run: (fake: FakeGce) => Promise<void>) {
  const fake = await startCheckedFakeGce(options);
  try {
    await run(fake);
    expect(fake.violations).toEqual([]);
  } finally {
    await fake.close();
  }
}

describe('zoneOperations.wait answering before the operation is DONE', () => {
  it('keeps waiting on the same operation after a RUNNING answer', async () => {
    // Each status step takes 60 ms, and wait answers after 10 ms: the first answers say RUNNING.
    await withFake({ stepMs: 60, waitCutoffMs: 10 }, async (fake) => {
      const driver = gcpDriverFor(fake);
      const vm = await driver.doCreateVm(
        { name: 'slow-1', size: 'e2-micro' },
        { ...context(), idempotencyKey: 'slow' },
      );
      expect(vm.name).toBe('slow-1');
      const waits = fake.calls.filter((call) => call.methodId === 'compute.zoneOperations.wait');
      const byOperation = new Map<string, number>();
      for (const call of waits)
        byOperation.set(call.path.operation!, (byOperation.get(call.path.operation!) ?? 0) + 1);
      expect(Math.max(...byOperation.values())).toBeGreaterThan(1);
      await driver.doDeleteVm(vm.id, context('delete-slow'));
      await driver.close();
    });
  });
});

describe('aggregated list warnings', () => {
  it('lists the reachable zones when one zone is UNREACHABLE (a warning, not an error)', async () => {
    await withFake({ unreachableZones: ['us-central1-b'] }, async (fake) => {
      const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake) } });
      const vm = await nc.vms.create({ provider: 'gcp', name: 'reachable-1', size: 'e2-micro' });
      const listed = await nc.vms.list({ provider: 'gcp' }).toArray();
      expect(listed.map((each) => each.ref.id)).toEqual([vm.ref.id]);
      await nc.vms.delete(vm.ref);
      await nc.close();
    });
  });
});

describe('requestId de-duplication', () => {
  it('recognises its own insert by label once the requestId is forgotten, and refuses another key', async () => {
    // The service remembers a requestId for a while only: with retention 0, a retried insert is a new request.
    await withFake({ requestIdRetentionMs: 0 }, async (fake) => {
      const driver = gcpDriverFor(fake);
      let lost = false;
      fake.script((call) => {
        if (call.methodId !== 'compute.instances.insert' || lost) return undefined;
        lost = true;
        return { lose: true };
      });
      const create = { ...context(), idempotencyKey: 'own-key' };
      const first = await driver
        .doCreateVm({ name: 'own-1', size: 'e2-micro' }, create)
        .catch((error) => error);
      expect(NovaCronError.isInstance(first) && first.code).toBe('UNAVAILABLE');
      const vm = await driver.doCreateVm({ name: 'own-1', size: 'e2-micro' }, { ...create, attempt: 2 });
      expect(vm.id).toBe('us-central1-a/own-1');
      expect(fake.instanceCount()).toBe(1);
      const other = await driver
        .doCreateVm({ name: 'own-1', size: 'e2-micro' }, { ...context(), idempotencyKey: 'other-key' })
        .catch((error) => error);
      expect(NovaCronError.isInstance(other) && other.code).toBe('ALREADY_EXISTS');
      await driver.doDeleteVm(vm.id, context('delete-own'));
      await driver.close();
    });
  });

  it('answers a repeated requestId with the first Operation, even when that one failed', async () => {
    await withFake({}, async (fake) => {
      const driver = gcpDriverFor(fake);
      const vm = await driver.doCreateVm(
        { name: 'repeat-1', size: 'e2-micro' },
        { ...context(), idempotencyKey: 'r' },
      );
      fake.setStatus('us-central1-a', 'repeat-1', 'RUNNING');
      fake.failNextOperation('repeat-1', { code: 'RESOURCE_NOT_READY', message: 'not ready' });
      const same = context('stop-repeat');
      const error = await driver.doStopVm(vm.id, { force: false }, same).catch((thrown) => thrown);
      expect(NovaCronError.isInstance(error) && error.code).toBe('UNAVAILABLE');
      // The same attempt's requestId gets the same failed Operation back; the next attempt's is a new request.
      const again = await driver.doStopVm(vm.id, { force: false }, same).catch((thrown) => thrown);
      expect(NovaCronError.isInstance(again) && again.code).toBe('UNAVAILABLE');
      await driver.doStopVm(vm.id, { force: false }, context('stop-repeat', 2));
      const stops = fake.calls.filter((call) => call.methodId === 'compute.instances.stop');
      expect(stops.map((call) => call.query.get('requestId'))).toEqual([
        stops[0]!.query.get('requestId'),
        stops[0]!.query.get('requestId'),
        expect.not.stringMatching(stops[0]!.query.get('requestId')!),
      ]);
      expect(stops[0]!.query.has('noGracefulShutdown')).toBe(false);
      await driver.doDeleteVm(vm.id, context('delete-repeat'));
      await driver.close();
    });
  });
});

describe('suspend and resume', () => {
  it('sends instances.suspend and instances.resume and reports suspended, then running', async () => {
    await withFake({}, async (fake) => {
      const nc = createNovaCron({ providers: { gcp: gcpDriverFor(fake) } });
      const vm = await nc.vms.create({ provider: 'gcp', name: 'nap-1', size: 'e2-micro' });
      const waitFor = { timeoutMs: 5_000, intervalMs: 10 };
      await nc.vms.waitUntil(vm.ref, 'running', waitFor);
      await nc.vms.suspend(vm.ref);
      await nc.vms.waitUntil(vm.ref, 'suspended', waitFor);
      expect((await nc.vms.get(vm.ref)).state).toEqual({ name: 'suspended', providerState: 'SUSPENDED' });
      await nc.vms.suspend(vm.ref); // already suspended: a no-op, nothing sent
      await nc.vms.resume(vm.ref);
      await nc.vms.waitUntil(vm.ref, 'running', waitFor);
      const sent = fake.calls.map((call) => call.methodId);
      expect(sent.filter((id) => id === 'compute.instances.suspend')).toHaveLength(1);
      expect(sent.filter((id) => id === 'compute.instances.resume')).toHaveLength(1);
      await nc.vms.delete(vm.ref);
      await nc.close();
    });
  });
});
