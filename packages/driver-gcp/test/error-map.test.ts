import { createNovaCron, type DriverCallContext, NovaCronError } from '@novacron/core';
import { FAKE_GCE_TOKEN, type GceFault } from '@novacron/driver-gcp/testing';
import { describe, expect, it } from 'vitest';
import { gcpDriverFor, useFakeGce } from './support/gcp-on-fake.js';

const fake = useFakeGce();
const ZONE = 'us-central1-a';

function context(operationId = 'errors'): DriverCallContext {
  return { signal: new AbortController().signal, operationId, attempt: 1 };
}

async function failure(promise: Promise<unknown>): Promise<NovaCronError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(NovaCronError.isInstance(error), String(error)).toBe(true);
  return error as NovaCronError;
}

describe('HTTP errors, from the reason first and the status second', () => {
  const rows: Array<[string, GceFault & { status: number }, string, boolean]> = [
    ['404 notFound', { status: 404, reason: 'notFound' }, 'NOT_FOUND', false],
    ['409 alreadyExists', { status: 409, reason: 'alreadyExists' }, 'ALREADY_EXISTS', false],
    ['412 conditionNotMet', { status: 412, reason: 'conditionNotMet' }, 'CONFLICT', false],
    ['412 without a known reason', { status: 412, reason: 'somethingElse' }, 'CONFLICT', false],
    ['400 resourceNotReady', { status: 400, reason: 'resourceNotReady' }, 'UNAVAILABLE', true],
    ['403 quotaExceeded', { status: 403, reason: 'quotaExceeded' }, 'QUOTA_EXCEEDED', false],
    ['429 rateLimitExceeded', { status: 429, reason: 'rateLimitExceeded' }, 'THROTTLED', true],
    ['403 rateLimitExceeded', { status: 403, reason: 'rateLimitExceeded' }, 'THROTTLED', true],
    ['403 userRateLimitExceeded', { status: 403, reason: 'userRateLimitExceeded' }, 'THROTTLED', true],
    ['401 authError', { status: 401, reason: 'authError' }, 'AUTH', false],
    ['403 forbidden', { status: 403, reason: 'forbidden' }, 'AUTH', false],
    ['403 without a known reason', { status: 403, reason: 'accessNotConfigured' }, 'AUTH', false],
    ['500 internalError', { status: 500, reason: 'internalError' }, 'UNAVAILABLE', true],
    ['502 without a known reason', { status: 502, reason: 'badGateway' }, 'UNAVAILABLE', true],
    ['503 backendError', { status: 503, reason: 'backendError' }, 'UNAVAILABLE', true],
  ];
  it.each(rows)('maps %s to %s', async (_, fault, code, retryable) => {
    const driver = gcpDriverFor(fake());
    fake().script((call) => (call.methodId === 'compute.instances.get' ? fault : undefined));
    const error = await failure(driver.doGetVm(`${ZONE}/errors-1`, context()));
    expect([error.code, error.retryable]).toEqual([code, retryable]);
    expect(error.message).toContain(`instances.get on instance errors-1 in zone ${ZONE}`);
    // The bearer token travels in the request gaxios keeps on 401/403 errors: none of it reaches the NovaCron error.
    expect(JSON.stringify({ error, message: error.message, cause: error.cause })).not.toContain(
      FAKE_GCE_TOKEN,
    );
    await driver.close();
  });
});

describe('Retry-After', () => {
  it('reaches the error on a 403 rateLimitExceeded (gaxios keeps its headers) as retryAfterMs', async () => {
    const driver = gcpDriverFor(fake());
    fake().script(() => ({ status: 403, reason: 'rateLimitExceeded', retryAfterSeconds: 7 }));
    const error = await failure(driver.doGetVm(`${ZONE}/errors-1`, context()));
    expect([error.code, error.retryAfterMs]).toEqual(['THROTTLED', 7_000]);
    await driver.close();
  });

  it('is lost on a 429 (gax reads only its body), so the pipeline backs off on its own and gets through a burst', async () => {
    const driver = gcpDriverFor(fake());
    fake().script(() => ({ status: 429, reason: 'rateLimitExceeded', retryAfterSeconds: 7 }));
    const error = await failure(driver.doGetVm(`${ZONE}/errors-1`, context()));
    expect([error.code, error.retryable, error.retryAfterMs]).toEqual(['THROTTLED', true, undefined]);

    const nc = createNovaCron({
      providers: { gcp: driver },
      limits: { default: { retry: { maxAttempts: 8, baseDelayMs: 1, maxDelayMs: 10 } } },
    });
    let throttled = 0;
    fake().script((call) =>
      call.methodId === 'compute.instances.insert' && throttled++ < 5
        ? { status: 429, reason: 'rateLimitExceeded', retryAfterSeconds: 7 }
        : undefined,
    );
    const started = Date.now();
    const vm = await nc.vms.create({ provider: 'gcp', name: 'burst-1', size: 'e2-micro' });
    expect(throttled).toBe(6); // five 429s, then the insert that went through
    expect(Date.now() - started).toBeLessThan(7_000); // the lost Retry-After was not waited for
    fake().script(undefined);
    await nc.vms.delete(vm.ref);
    await nc.close();
  });
});

describe('Operations DONE with an error', () => {
  it.each([
    ['ZONE_RESOURCE_POOL_EXHAUSTED', 'NO_CAPACITY'],
    ['ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS', 'NO_CAPACITY'],
    ['QUOTA_EXCEEDED', 'QUOTA_EXCEEDED'],
    ['RESOURCE_NOT_READY', 'UNAVAILABLE'],
    ['SOMETHING_NEW', 'PROVIDER'],
  ])('maps %s to %s', async (operationCode, code) => {
    const driver = gcpDriverFor(fake());
    const name = `op-${operationCode.toLowerCase().replaceAll('_', '-')}`.slice(0, 40);
    fake().failNextOperation(name, { code: operationCode, message: `${operationCode} (scripted)` });
    const error = await failure(
      driver.doCreateVm({ name, size: 'e2-micro' }, { ...context(), idempotencyKey: `key-${name}` }),
    );
    expect(error.code).toBe(code);
    expect(error.message).toContain(`${operationCode} (scripted)`);
    await driver.doDeleteVm(`${ZONE}/${name}`, context(`delete-${name}`));
    await driver.close();
  });
});
