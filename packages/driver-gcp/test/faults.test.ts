import { createNovaCron, type DriverCallContext, NovaCronError } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { gcpDriverFor, useFakeGce } from './support/gcp-on-fake.js';

const useFake = useFakeGce();

const ZONE = 'us-central1-a';
const fastRetries = { default: { retry: { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 10 } } };

function context(operationId = 'op-1', attempt = 1): DriverCallContext {
  return { signal: new AbortController().signal, operationId, attempt };
}

async function failure(promise: Promise<unknown>): Promise<NovaCronError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(NovaCronError.isInstance(error), String(error)).toBe(true);
  return error as NovaCronError;
}

describe('Operations that end DONE with an error', () => {
  it('maps the operation error instead of reading DONE as success', async () => {
    const driver = gcpDriverFor(useFake());
    useFake().failNextOperation('quota-1', {
      code: 'QUOTA_EXCEEDED',
      message: "Quota 'CPUS' exceeded. Limit: 8.0",
    });
    const error = await failure(
      driver.doCreateVm({ name: 'quota-1', size: 'e2-micro' }, { ...context(), idempotencyKey: 'quota-key' }),
    );
    expect(error.code).toBe('QUOTA_EXCEEDED');
    expect(error.message).toContain("Quota 'CPUS' exceeded");
    expect(error.message).toContain('instances.insert');
    await driver.close();
  });

  it('maps RESOURCE_NOT_READY to a retryable UNAVAILABLE, which the pipeline retries', async () => {
    const driver = gcpDriverFor(useFake());
    const nc = createNovaCron({ providers: { gcp: driver }, limits: fastRetries });
    const vm = await nc.vms.create({ provider: 'gcp', name: 'notready-1', size: 'e2-micro' });
    await nc.vms.waitUntil(vm.ref, 'running', { timeoutMs: 5_000, intervalMs: 10 });
    useFake().failNextOperation('notready-1', {
      code: 'RESOURCE_NOT_READY',
      message: 'The resource is not ready',
    });
    const direct = await failure(driver.doStopVm(vm.ref.id, { force: true }, context('stop-direct')));
    expect([direct.code, direct.retryable]).toEqual(['UNAVAILABLE', true]);
    useFake().failNextOperation('notready-1', {
      code: 'RESOURCE_NOT_READY',
      message: 'The resource is not ready',
    });
    await nc.vms.stop(vm.ref, { force: true });
    await nc.vms.waitUntil(vm.ref, 'stopped', { timeoutMs: 5_000, intervalMs: 10 });
    await nc.vms.delete(vm.ref);
    await nc.close();
  });

  it('answers an insert of a taken name, made by another key, with ALREADY_EXISTS', async () => {
    const driver = gcpDriverFor(useFake());
    await driver.doCreateVm({ name: 'taken-1', size: 'e2-micro' }, { ...context(), idempotencyKey: 'first' });
    const error = await failure(
      driver.doCreateVm({ name: 'taken-1', size: 'e2-micro' }, { ...context(), idempotencyKey: 'second' }),
    );
    expect(error.code).toBe('ALREADY_EXISTS');
    await driver.doDeleteVm(`${ZONE}/taken-1`, context('delete-taken'));
    await driver.close();
  });
});

describe('requestId idempotency', () => {
  it('makes one instance when the insert response is lost and the create is retried', async () => {
    const driver = gcpDriverFor(useFake());
    let lost = 0;
    useFake().script((call) => {
      if (call.methodId === 'compute.instances.insert' && lost === 0) {
        lost += 1;
        return { lose: true };
      }
      return undefined;
    });
    const create = { ...context(), idempotencyKey: 'lost-key' };
    const first = await failure(driver.doCreateVm({ name: 'lost-1', size: 'e2-micro' }, create));
    expect([first.code, first.retryable]).toEqual(['UNAVAILABLE', true]);
    const vm = await driver.doCreateVm({ name: 'lost-1', size: 'e2-micro' }, { ...create, attempt: 2 });
    expect(vm.id).toBe(`${ZONE}/lost-1`);
    const inserts = useFake().calls.filter(
      (call) =>
        call.methodId === 'compute.instances.insert' && (call.body as { name: string }).name === 'lost-1',
    );
    expect(inserts).toHaveLength(2);
    expect(new Set(inserts.map((call) => call.query.get('requestId'))).size).toBe(1);
    const named = (await driver.doListVms({}, context())).items.filter((each) => each.name === 'lost-1');
    expect(named).toHaveLength(1);
    await driver.doDeleteVm(vm.id, context('delete-lost'));
    await driver.close();
  });

  it('hides a lost insert response behind the pipeline: one VM, one requestId', async () => {
    const nc = createNovaCron({ providers: { gcp: gcpDriverFor(useFake()) }, limits: fastRetries });
    let lost = false;
    useFake().script((call) => {
      if (call.methodId === 'compute.instances.insert' && !lost) {
        lost = true;
        return { lose: true };
      }
      return undefined;
    });
    const before = useFake().instanceCount();
    const vm = await nc.vms.create({ provider: 'gcp', name: 'lost-2', size: 'e2-micro' });
    expect(useFake().instanceCount()).toBe(before + 1);
    await nc.vms.delete(vm.ref);
    await nc.close();
  });

  it('answers the same key with another spec as CONFLICT, even under the first instance’s requestId', async () => {
    const driver = gcpDriverFor(useFake());
    const create = { ...context(), idempotencyKey: 'spec-key' };
    const vm = await driver.doCreateVm({ name: 'spec-1', size: 'e2-micro' }, create);
    const renamed = await failure(driver.doCreateVm({ name: 'spec-2', size: 'e2-micro' }, create));
    expect([renamed.code, renamed.retryable]).toEqual(['CONFLICT', false]);
    const resized = await failure(driver.doCreateVm({ name: 'spec-1', size: 'e2-small' }, create));
    expect(resized.code).toBe('CONFLICT');
    await driver.doDeleteVm(vm.id, context('delete-spec'));
    await driver.close();
  });
});

describe('fault scripts', () => {
  it('maps 429 rateLimitExceeded to a retryable THROTTLED, and the pipeline gets through it', async () => {
    const driver = gcpDriverFor(useFake());
    useFake().script((call) =>
      call.methodId === 'compute.instances.get'
        ? { status: 429, reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }
        : undefined,
    );
    const error = await failure(driver.doGetVm(`${ZONE}/anything`, context()));
    expect([error.code, error.retryable]).toEqual(['THROTTLED', true]);
    expect(error.message).toContain('Rate Limit Exceeded');

    const nc = createNovaCron({ providers: { gcp: driver }, limits: fastRetries });
    let throttled = 0;
    useFake().script(() => (throttled++ < 2 ? { status: 429, reason: 'rateLimitExceeded' } : undefined));
    const made = await nc.vms.create({ provider: 'gcp', name: 'throttled-1', size: 'e2-micro' });
    expect(throttled).toBeGreaterThan(2);
    expect(made.name).toBe('throttled-1');
    useFake().script(undefined);
    await nc.vms.delete(made.ref);
    await nc.close();
  });

  it('maps 503 to a retryable UNAVAILABLE, and the pipeline gets through it', async () => {
    const driver = gcpDriverFor(useFake());
    useFake().script(() => ({ status: 503, reason: 'backendError', message: 'Service Unavailable' }));
    const gets = useFake().calls.filter((call) => call.methodId === 'compute.instances.get').length;
    const error = await failure(driver.doGetVm(`${ZONE}/anything`, context()));
    expect([error.code, error.retryable]).toEqual(['UNAVAILABLE', true]);
    // The SDK's own retries are off (`retry: null`): one request, and the pipeline decides.
    expect(useFake().calls.filter((call) => call.methodId === 'compute.instances.get').length).toBe(gets + 1);
    let failures = 0;
    useFake().script((call) =>
      call.methodId === 'compute.instances.insert' && failures++ < 2
        ? { status: 503, reason: 'backendError' }
        : undefined,
    );
    const nc = createNovaCron({ providers: { gcp: driver }, limits: fastRetries });
    const vm = await nc.vms.create({ provider: 'gcp', name: 'unavailable-1', size: 'e2-micro' });
    expect(failures).toBe(3);
    await nc.vms.delete(vm.ref);
    await nc.close();
  });

  it('refuses reboot and suspend of a stopped VM as CONFLICT, without sending them', async () => {
    const nc = createNovaCron({ providers: { gcp: gcpDriverFor(useFake()) }, limits: fastRetries });
    const vm = await nc.vms.create({ provider: 'gcp', name: 'stopped-1', size: 'e2-micro' });
    await nc.vms.waitUntil(vm.ref, 'running', { timeoutMs: 5_000, intervalMs: 10 });
    await nc.vms.stop(vm.ref, { force: true });
    await nc.vms.waitUntil(vm.ref, 'stopped', { timeoutMs: 5_000, intervalMs: 10 });
    expect((await failure(nc.vms.reboot(vm.ref))).code).toBe('CONFLICT');
    expect((await failure(nc.vms.suspend(vm.ref))).code).toBe('CONFLICT');
    expect(useFake().calls.some((call) => call.methodId === 'compute.instances.reset')).toBe(false);
    const stop = useFake().calls.find((call) => call.methodId === 'compute.instances.stop');
    expect(stop?.query.get('noGracefulShutdown')).toBe('true');
    await nc.vms.delete(vm.ref);
    await nc.close();
  });
});
