import { createServer, type Server } from 'node:net';
import { createNovaCron, type NovaCron, type NovaCronError } from '@novacron/core';
import type { ProviderError } from '@novacron/core/driver';
import { type RecordedEvent, recordOperationEvents } from '@novacron/core/testing';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AwsDriverOptions } from '../src/index.js';
import { connectionReset, createHeldResponses, ec2Error, scriptEc2 } from './support/ec2-fault-script.js';
import { MOTO_IMAGE, motoDriver, skipWithoutMoto } from './support/moto.js';
import { rejectionOf } from './support/rejection.js';
import { credentialLeaks, FAKE_CREDENTIALS } from './support/secret-probe.js';

const SPEC = { provider: 'aws', name: 'leaky', size: 't3.micro', image: MOTO_IMAGE } as const;
/** An id in EC2's format; the scripted faults answer before moto would look it up. */
const SOME_VM = { provider: 'aws', id: 'i-0123456789abcdef0' } as const;
/** What a SignatureDoesNotMatch or a signed-URL error may echo back: every scripted EC2 error below carries it. */
const ECHOED_CREDENTIAL = `X-Amz-Credential=${FAKE_CREDENTIALS.accessKeyId}/20250101/us-east-1/ec2/aws4_request&X-Amz-Security-Token=${FAKE_CREDENTIALS.sessionToken}`;

describe.skipIf(skipWithoutMoto)('aws errors carry no credentials (fake ones planted in the driver)', () => {
  const server = setupServer();
  let nc: NovaCron | undefined;
  let events: RecordedEvent[];
  const held = createHeldResponses();

  beforeAll(() => server.listen({ onUnhandledFrame: 'bypass' }));
  afterEach(async () => {
    held.releaseAll();
    server.resetHandlers();
    await nc?.close();
    nc = undefined;
  });
  afterAll(() => server.close());

  function client(
    options: { timeoutMs?: number; attemptTimeoutMs?: number; driver?: Partial<AwsDriverOptions> } = {},
  ): NovaCron {
    nc = createNovaCron({
      providers: { aws: motoDriver({ credentials: FAKE_CREDENTIALS, ...options.driver }) },
      limits: {
        aws: {
          retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
          ...(options.attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs: options.attemptTimeoutMs }),
        },
      },
    });
    events = recordOperationEvents(nc.events);
    return nc;
  }

  /** The error, each link of its cause chain, and every operation.* event, probed one by one. */
  function expectNoCredentials(error: NovaCronError): void {
    const leaks: string[] = [];
    let link: unknown = error;
    for (let depth = 0; link !== undefined && link !== null && depth < 10; depth += 1) {
      leaks.push(...credentialLeaks(link).map((leak) => `error${'.cause'.repeat(depth)} ${leak}`));
      link = (link as { cause?: unknown }).cause;
    }
    for (const event of events) {
      leaks.push(...credentialLeaks(event.payload).map((leak) => `${event.name} event ${leak}`));
    }
    expect(leaks).toEqual([]);
    expect(events.map((event) => event.name)).toContain('operation.failure');
  }

  /** A cause that is not a NovaCronError is the toolkit's ProviderError: code, message, request id, status only. */
  function expectProviderCause(error: NovaCronError, providerCode: string | undefined): void {
    const cause = error.cause as Record<string, unknown>;
    expect(cause).toBeInstanceOf(Error);
    expect(cause.name).toBe('ProviderError');
    expect(cause.providerCode).toBe(providerCode);
    expect(Object.keys(cause).sort()).toEqual(['name', 'providerCode', 'requestId', 'statusCode']);
    expect(cause.cause).toBeUndefined();
  }

  it.each<[string, string, number, string, boolean]>([
    ['a 4xx (AUTH)', 'AuthFailure', 401, 'AUTH', false],
    ['an INVALID_ARGUMENT from EC2', 'InvalidParameterValue', 400, 'INVALID_ARGUMENT', false],
    ['throttling, retried until the budget is spent', 'RequestLimitExceeded', 503, 'THROTTLED', true],
  ])(
    '%s: %s echoing the signed credential in its message',
    async (_label, awsCode, status, code, retryable) => {
      const nc = client();
      const message = `${awsCode} (scripted); the request was ${ECHOED_CREDENTIAL}`;
      scriptEc2(server, (call) =>
        call.action === 'RunInstances' ? ec2Error(awsCode, status, message) : undefined,
      );
      const error = await rejectionOf(nc.vms.create({ ...SPEC, idempotencyKey: `leak-${awsCode}` }));
      expect([error.code, error.retryable, error.statusCode]).toEqual([code, retryable, status]);
      expect(error.message).toContain(awsCode);
      expect(error.message).toContain('X-Amz-Credential=[redacted]');
      expect(events.filter((event) => event.name === 'operation.retry')).toHaveLength(retryable ? 1 : 0);
      expectNoCredentials(error);
      expectProviderCause(error, awsCode);
    },
  );

  it("a 4xx answered by EC2 itself (moto's InvalidInstanceID.NotFound), keeping its request id", async () => {
    const nc = client();
    const error = await rejectionOf(nc.vms.get(SOME_VM));
    expect([error.code, error.retryable, error.statusCode]).toEqual(['NOT_FOUND', false, 400]);
    expectNoCredentials(error);
    expectProviderCause(error, 'InvalidInstanceID.NotFound');
    expect((error.cause as ProviderError).requestId).toEqual(expect.any(String));
  });

  it('5xx answers (an EC2 InternalError, then a bare 502 page)', async () => {
    const nc = client();
    let calls = 0;
    scriptEc2(server, (call) => {
      if (call.action !== 'DescribeInstances') return undefined;
      calls += 1;
      return calls === 1
        ? ec2Error('InternalError', 500)
        : new Response('<html>Bad Gateway</html>', { status: 502 });
    });
    const error = await rejectionOf(nc.vms.get(SOME_VM));
    expect([error.code, error.retryable, error.statusCode]).toEqual(['UNAVAILABLE', true, 502]);
    expect(events.map((event) => event.name)).toContain('operation.retry');
    expectNoCredentials(error);
  });

  it('a connection reset before any answer (scripted)', async () => {
    const nc = client();
    scriptEc2(server, (call) => (call.action === 'DescribeInstances' ? connectionReset() : undefined));
    const error = await rejectionOf(nc.vms.get(SOME_VM));
    expect([error.code, error.retryable]).toEqual(['UNAVAILABLE', true]);
    expectNoCredentials(error);
  });

  it('a real socket reset and a refused connection (the SDK error holds the signed request)', async () => {
    const resetting: Server = createServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
    const { port } = resetting.address() as { port: number };
    const nc = client({ driver: { endpoint: `http://127.0.0.1:${port}` } });
    const reset = await rejectionOf(nc.vms.get(SOME_VM));
    expect([reset.code, reset.retryable]).toEqual(['UNAVAILABLE', true]);
    expectNoCredentials(reset);
    expectProviderCause(reset, 'ECONNRESET');
    await new Promise((resolve) => resetting.close(resolve));
    events.length = 0;
    const refused = await rejectionOf(nc.vms.get(SOME_VM));
    expect([refused.code, refused.retryable]).toEqual(['UNAVAILABLE', true]);
    expectNoCredentials(refused);
    expectProviderCause(refused, 'ECONNREFUSED');
  });

  it('an abort by the caller while EC2 has not answered', async () => {
    const nc = client();
    let arrived: () => void = () => undefined;
    const sent = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    scriptEc2(server, (call) => {
      if (call.action !== 'DescribeInstances') return undefined;
      arrived();
      return held.hold();
    });
    const controller = new AbortController();
    const getting = rejectionOf(nc.vms.get(SOME_VM, { signal: controller.signal }));
    await sent;
    controller.abort();
    const error = await getting;
    expect([error.code, error.retryable]).toEqual(['ABORTED', false]);
    expectNoCredentials(error);
  });

  it("a timeout: the operation's deadline passes while EC2 has not answered", async () => {
    const nc = client({ timeoutMs: 500 });
    scriptEc2(server, (call) => (call.action === 'DescribeInstances' ? held.hold() : undefined));
    const error = await rejectionOf(nc.vms.get(SOME_VM));
    expect(error.code).toBe('TIMEOUT');
    expectNoCredentials(error);
  });

  it("a timeout: every attempt's deadline passes while EC2 has not answered", async () => {
    const nc = client({ attemptTimeoutMs: 300 });
    scriptEc2(server, (call) => (call.action === 'DescribeInstances' ? held.hold() : undefined));
    const error = await rejectionOf(nc.vms.get(SOME_VM));
    expect([error.code, error.retryable]).toEqual(['TIMEOUT', true]);
    expect(events.filter((event) => event.name === 'operation.retry')).toHaveLength(1);
    expectNoCredentials(error);
  });

  it.each([
    ['a malformed AMI id', { image: 'ami-xyz' }, 'image'],
    ['an unknown provider option', { providerOptions: { aws: { keyname: 'typo' } } }, 'providerOptions.aws'],
    ['user data over 16 KiB', { userData: 'x'.repeat(16 * 1024 + 1) }, 'userData'],
  ])('an INVALID_ARGUMENT from the driver: %s', async (_label, override, field) => {
    const nc = client();
    const calls = scriptEc2(server, () => undefined);
    const error = await rejectionOf(nc.vms.create({ ...SPEC, ...override, idempotencyKey: `leak-${field}` }));
    expect([error.code, error.field]).toEqual(['INVALID_ARGUMENT', field]);
    expect(calls.filter((call) => call.action === 'RunInstances')).toEqual([]);
    expectNoCredentials(error);
  });
});
