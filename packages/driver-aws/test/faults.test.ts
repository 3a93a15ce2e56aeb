import { createServer, type Server } from 'node:net';
import { ProviderError } from '@novacron/core/driver';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  connectionReset,
  describeAsPending,
  ec2Error,
  loseResponse,
  scriptEc2,
} from './support/ec2-fault-script.js';
import {
  callContext,
  createContext,
  instancesWithKey,
  MOTO_IMAGE,
  motoClient,
  motoDriver,
  skipWithoutMoto,
} from './support/moto.js';
import { rejectionOf } from './support/rejection.js';
import { retryLikePipeline } from './support/retry-like-pipeline.js';

const SPEC = { name: 'faulty', size: 't3.micro', image: MOTO_IMAGE };

describe.skipIf(skipWithoutMoto)('aws driver under scripted EC2 faults (msw in front of moto)', () => {
  const server = setupServer();
  const driver = motoDriver();
  const ec2 = motoClient();

  beforeAll(() => server.listen({ onUnhandledFrame: 'bypass' }));
  afterEach(() => server.resetHandlers());
  afterAll(async () => {
    server.close();
    await driver.close();
    ec2.destroy();
  });

  it('maps a throttling burst to retryable THROTTLED and makes exactly one instance once it passes', async () => {
    let throttled = 0;
    const calls = scriptEc2(server, (call) => {
      if (call.action === 'RunInstances' && throttled < 3) {
        throttled += 1;
        return ec2Error('RequestLimitExceeded', 503, 'Request limit exceeded.');
      }
      return undefined;
    });
    const { result, failures } = await retryLikePipeline((attempt) =>
      driver.doCreateVm(SPEC, createContext('throttle-1', attempt)),
    );
    expect(failures.map((failure) => [failure.code, failure.retryable, failure.statusCode])).toEqual([
      ['THROTTLED', true, 503],
      ['THROTTLED', true, 503],
      ['THROTTLED', true, 503],
    ]);
    expect(failures[0]?.message).toContain('RequestLimitExceeded');
    expect(await instancesWithKey(ec2, 'throttle-1')).toEqual([result.id]);
    const tokens = calls
      .filter((call) => call.action === 'RunInstances')
      .map((call) => call.parameters.get('ClientToken'));
    expect(tokens).toHaveLength(4);
    expect(new Set(tokens).size).toBe(1);
  });

  it('maps 5xx answers to retryable UNAVAILABLE', async () => {
    let failing = 2;
    scriptEc2(server, (call) => {
      if (call.action !== 'DescribeInstances' || failing === 0) return undefined;
      failing -= 1;
      return failing === 1
        ? ec2Error('InternalError', 500)
        : new Response('<html>Bad Gateway</html>', { status: 502 });
    });
    const vm = await driver.doCreateVm(SPEC, createContext('5xx-1'));
    const { result, failures } = await retryLikePipeline(() => driver.doGetVm(vm.id, callContext()));
    expect(result.id).toBe(vm.id);
    expect(failures.map((failure) => [failure.code, failure.retryable, failure.statusCode])).toEqual([
      ['UNAVAILABLE', true, 500],
      ['UNAVAILABLE', true, 502],
    ]);
  });

  it('maps connection resets to retryable UNAVAILABLE', async () => {
    let resets = 2;
    scriptEc2(server, (call) => {
      if (call.action !== 'StopInstances' || resets === 0) return undefined;
      resets -= 1;
      return connectionReset();
    });
    const vm = await driver.doCreateVm(SPEC, createContext('reset-1'));
    const { failures } = await retryLikePipeline(() =>
      driver.doStopVm(vm.id, { force: false }, callContext()),
    );
    expect(failures.map((failure) => [failure.code, failure.retryable])).toEqual([
      ['UNAVAILABLE', true],
      ['UNAVAILABLE', true],
    ]);
    expect((await driver.doGetVm(vm.id, callContext())).state.name).toBe('stopped');
  });

  it('maps real socket failures (reset mid-request, refused) to retryable UNAVAILABLE', async () => {
    const resetting: Server = createServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
    const { port } = resetting.address() as { port: number };
    const reset = motoDriver({ endpoint: `http://127.0.0.1:${port}` });
    const resetError = await rejectionOf(reset.doGetVm('i-0123456789abcdef0', callContext()));
    await new Promise((resolve) => resetting.close(resolve));
    const refused = await rejectionOf(reset.doGetVm('i-0123456789abcdef0', callContext()));
    await reset.close();
    for (const error of [resetError, refused]) {
      expect([error.code, error.retryable, error.statusCode]).toEqual(['UNAVAILABLE', true, undefined]);
    }
    // The cause keeps the errno code only (as the toolkit's ProviderError), never the SDK's error.
    expect((resetError.cause as ProviderError).providerCode).toBe('ECONNRESET');
    expect((refused.cause as ProviderError).providerCode).toBe('ECONNREFUSED');
  });

  it('never makes a second instance when a RunInstances response is lost after the instance was made', async () => {
    let lost = false;
    const calls = scriptEc2(server, async (call) => {
      if (call.action === 'RunInstances' && !lost) {
        lost = true;
        return loseResponse(call);
      }
      return undefined;
    });
    const { result, failures } = await retryLikePipeline((attempt) =>
      driver.doCreateVm(SPEC, createContext('lost-1', attempt)),
    );
    expect(failures.map((failure) => failure.code)).toEqual(['UNAVAILABLE']);
    expect(await instancesWithKey(ec2, 'lost-1')).toEqual([result.id]);
    // The retry found the instance by its tag and sent no second RunInstances.
    expect(calls.filter((call) => call.action === 'RunInstances')).toHaveLength(1);
    expect(result.name).toBe('faulty');
  });

  it('makes one instance when the response is lost twice in a row', async () => {
    let lost = 0;
    scriptEc2(server, async (call) => {
      if (call.action === 'RunInstances' && lost < 1) {
        lost += 1;
        return loseResponse(call);
      }
      if (call.action === 'DescribeTags' && lost === 1) {
        lost += 1;
        return connectionReset();
      }
      return undefined;
    });
    const { result, failures } = await retryLikePipeline((attempt) =>
      driver.doCreateVm(SPEC, createContext('lost-2', attempt)),
    );
    expect(failures.map((failure) => failure.code)).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);
    expect(await instancesWithKey(ec2, 'lost-2')).toEqual([result.id]);
  });

  it('reports an instance stuck in pending as pending, and EC2 refusing to stop it as CONFLICT', async () => {
    const vm = await driver.doCreateVm(SPEC, createContext('stuck-1'));
    scriptEc2(server, async (call) => {
      if (call.action === 'DescribeInstances') return describeAsPending(call);
      if (call.action === 'StopInstances') return ec2Error('IncorrectInstanceState', 400);
      return undefined;
    });
    for (let read = 0; read < 3; read += 1) {
      expect((await driver.doGetVm(vm.id, callContext())).state).toEqual({
        name: 'pending',
        providerState: 'pending',
      });
    }
    const stop = await rejectionOf(driver.doStopVm(vm.id, { force: false }, callContext()));
    expect([stop.code, stop.retryable, stop.statusCode]).toEqual(['CONFLICT', false, 400]);
  });

  it('maps illegal transitions to CONFLICT without retrying', async () => {
    const vm = await driver.doCreateVm(SPEC, createContext('illegal-1'));
    const calls = scriptEc2(server, (call) =>
      ['StartInstances', 'RebootInstances'].includes(call.action)
        ? ec2Error('IncorrectInstanceState', 400)
        : undefined,
    );
    for (const action of [
      () => driver.doStartVm(vm.id, callContext()),
      () => driver.doRebootVm(vm.id, callContext()),
    ]) {
      const error = await rejectionOf(retryLikePipeline(action));
      expect([error.code, error.retryable]).toEqual(['CONFLICT', false]);
      expect(error.message).toContain(vm.id);
    }
    expect(calls.filter((call) => call.action !== 'DescribeInstances')).toHaveLength(2);
  });

  it.each([
    ['InvalidInstanceID.NotFound', 400, 'NOT_FOUND', false],
    ['RequestLimitExceeded', 503, 'THROTTLED', true],
    ['Throttling', 400, 'THROTTLED', true],
    ['InsufficientInstanceCapacity', 500, 'NO_CAPACITY', false],
    ['InstanceLimitExceeded', 400, 'QUOTA_EXCEEDED', false],
    ['VcpuLimitExceeded', 400, 'QUOTA_EXCEEDED', false],
    ['IncorrectInstanceState', 400, 'CONFLICT', false],
    ['UnauthorizedOperation', 403, 'AUTH', false],
    ['AuthFailure', 401, 'AUTH', false],
    ['InvalidAMIID.NotFound', 400, 'INVALID_ARGUMENT', false],
    ['SomethingNew', 400, 'PROVIDER', false],
  ])('maps %s (HTTP %i) to %s', async (awsCode, status, code, retryable) => {
    const calls = scriptEc2(server, (call) =>
      call.action === 'RunInstances' ? ec2Error(awsCode, status) : undefined,
    );
    const error = await rejectionOf(driver.doCreateVm(SPEC, createContext(`map-${awsCode}`)));
    expect([error.code, error.retryable]).toEqual([code, retryable]);
    expect(error.message).toContain(awsCode);
    expect(error.message).toContain('us-east-1');
    expect(error.cause).toBeInstanceOf(ProviderError);
    expect(error.cause).toMatchObject({ providerCode: awsCode, requestId: undefined, statusCode: status });
    expect(calls.filter((call) => call.action === 'RunInstances')).toHaveLength(1);
  });

  it('pushes zone, tag, state, size and host filters into the DescribeInstances request', async () => {
    const calls = scriptEc2(server, () => undefined);
    await driver.doListVms(
      {
        filter: {
          zone: 'us-east-1b',
          tags: { team: 'a' },
          states: ['stopping'],
          sizes: ['t3.micro', 'm5.large'],
        } as never,
      },
      callContext(),
    );
    const sent = calls.find((call) => call.action === 'DescribeInstances')?.parameters;
    const filters: Record<string, string[]> = {};
    for (let index = 1; sent?.has(`Filter.${index}.Name`); index += 1) {
      const values: string[] = [];
      for (let value = 1; sent.has(`Filter.${index}.Value.${value}`); value += 1) {
        values.push(sent.get(`Filter.${index}.Value.${value}`) ?? '');
      }
      filters[sent.get(`Filter.${index}.Name`) ?? ''] = values;
    }
    expect(filters).toEqual({
      'availability-zone': ['us-east-1b'],
      'tag:team': ['a'],
      'instance-state-name': ['stopping', 'shutting-down'],
      'instance-type': ['t3.micro', 'm5.large'],
    });
  });

  it('maps a cancelled call to ABORTED', async () => {
    scriptEc2(server, async (call) => {
      if (call.action === 'DescribeInstances') await new Promise((resolve) => setTimeout(resolve, 200));
      return undefined;
    });
    const controller = new AbortController();
    const listing = driver.doListVms({}, { ...callContext(), signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const error = await rejectionOf(listing);
    expect([error.code, error.retryable]).toEqual(['ABORTED', false]);
  });
});
