import { createNovaCron, type NovaCron } from '@novacron/core';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  connectionReset,
  describeAsPending,
  ec2Error,
  loseResponse,
  scriptEc2,
} from './support/ec2-fault-script.js';
import { instancesWithKey, MOTO_IMAGE, motoClient, motoDriver, skipWithoutMoto } from './support/moto.js';
import { rejectionOf } from './support/rejection.js';

const SPEC = { provider: 'aws', name: 'piped', size: 't3.micro', image: MOTO_IMAGE };

describe.skipIf(skipWithoutMoto)('aws driver behind the NovaCron pipeline, under scripted EC2 faults', () => {
  const server = setupServer();
  const ec2 = motoClient();
  let nc: NovaCron;
  let retries: string[];

  beforeAll(() => server.listen({ onUnhandledFrame: 'bypass' }));
  afterEach(async () => {
    server.resetHandlers();
    await nc?.close();
  });
  afterAll(() => {
    server.close();
    ec2.destroy();
  });

  function client(): NovaCron {
    nc = createNovaCron({
      providers: { aws: motoDriver() },
      limits: { aws: { concurrency: 16, retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 20 } } },
    });
    retries = [];
    nc.events.on('operation.retry', (event) => retries.push(event.error.code));
    return nc;
  }

  it('retries a create whose RunInstances response was lost and returns the one instance made', async () => {
    const nc = client();
    let lost = false;
    const calls = scriptEc2(server, async (call) => {
      if (call.action === 'RunInstances' && !lost) {
        lost = true;
        return loseResponse(call);
      }
      return undefined;
    });
    const vm = await nc.vms.create({ ...SPEC, idempotencyKey: 'pipe-lost' });
    expect(retries).toEqual(['UNAVAILABLE']);
    expect(await instancesWithKey(ec2, 'pipe-lost')).toEqual([vm.ref.id]);
    expect(calls.filter((call) => call.action === 'RunInstances')).toHaveLength(1);
    expect(vm.ref).toEqual({ provider: 'aws', id: vm.ref.id });
  });

  it('rides out a throttling burst on creates without a duplicate', async () => {
    const nc = client();
    let throttled = 0;
    scriptEc2(server, (call) => {
      if (call.action === 'RunInstances' && throttled < 3) {
        throttled += 1;
        return ec2Error('RequestLimitExceeded', 503);
      }
      return undefined;
    });
    const result = await nc.vms.createMany(
      Array.from({ length: 6 }, (_, index) => ({
        ...SPEC,
        name: `burst-${index}`,
        idempotencyKey: `pipe-burst-${index}`,
      })),
      { concurrency: 6 },
    );
    expect(result.failed).toEqual([]);
    expect(retries).toEqual(['THROTTLED', 'THROTTLED', 'THROTTLED']);
    for (let index = 0; index < 6; index += 1) {
      expect(await instancesWithKey(ec2, `pipe-burst-${index}`)).toHaveLength(1);
    }
  });

  it('gives up on endless throttling with THROTTLED after the retry budget, making nothing', async () => {
    const nc = client();
    const calls = scriptEc2(server, (call) =>
      call.action === 'RunInstances' ? ec2Error('RequestLimitExceeded', 503) : undefined,
    );
    const error = await rejectionOf(nc.vms.create({ ...SPEC, idempotencyKey: 'pipe-throttled' }));
    expect([error.code, error.provider, error.operation]).toEqual(['THROTTLED', 'aws', 'vms.create']);
    expect(calls.filter((call) => call.action === 'RunInstances')).toHaveLength(5);
    expect(await instancesWithKey(ec2, 'pipe-throttled')).toEqual([]);
  });

  it('retries 5xx answers and connection resets on reads and power actions', async () => {
    const nc = client();
    const vm = await nc.vms.create({ ...SPEC, idempotencyKey: 'pipe-5xx' });
    let faults = 0;
    scriptEc2(server, (call) => {
      if (!['DescribeInstances', 'StopInstances'].includes(call.action) || faults >= 4) return undefined;
      faults += 1;
      return faults % 2 === 0 ? connectionReset() : ec2Error('InternalError', 500);
    });
    await nc.vms.stop(vm.ref);
    const stopped = await nc.vms.get(vm.ref);
    expect(stopped.state.name).toBe('stopped');
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(new Set(retries)).toEqual(new Set(['UNAVAILABLE']));
  });

  it('times out waiting on an instance stuck in pending, with TIMEOUT, and no second instance', async () => {
    const nc = client();
    scriptEc2(server, (call) => (call.action === 'DescribeInstances' ? describeAsPending(call) : undefined));
    const vm = await nc.vms.create({ ...SPEC, idempotencyKey: 'pipe-stuck' });
    const error = await rejectionOf(nc.vms.waitUntil(vm.ref, 'running', { timeoutMs: 300, intervalMs: 20 }));
    expect(error.code).toBe('TIMEOUT');
    expect(await instancesWithKey(ec2, 'pipe-stuck')).toEqual([vm.ref.id]);
  });

  it('does not retry illegal transitions or capacity errors', async () => {
    const nc = client();
    const vm = await nc.vms.create({ ...SPEC, idempotencyKey: 'pipe-illegal' });
    const calls = scriptEc2(server, (call) => {
      if (call.action === 'StartInstances') return ec2Error('IncorrectInstanceState', 400);
      if (call.action === 'RunInstances') return ec2Error('InsufficientInstanceCapacity', 500);
      return undefined;
    });
    const start = await rejectionOf(nc.vms.start(vm.ref));
    expect([start.code, start.retryable]).toEqual(['CONFLICT', false]);
    const create = await rejectionOf(nc.vms.create({ ...SPEC, idempotencyKey: 'pipe-capacity' }));
    expect([create.code, create.retryable]).toEqual(['NO_CAPACITY', false]);
    expect(retries).toEqual([]);
    expect(calls.filter((call) => call.action === 'StartInstances')).toHaveLength(1);
    expect(calls.filter((call) => call.action === 'RunInstances')).toHaveLength(1);
  });
});
