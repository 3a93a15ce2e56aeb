import { createSimDriver } from '@novacron/driver-sim';
import { describe, expect, it } from 'vitest';
import { createNovaCron } from '../src/client/create-novacron.js';
import { NovaCronError } from '../src/errors/novacron-error.js';
import type { Span, SpanAttributes, SpanRetry, Tracer } from '../src/pipeline/tracer.js';

const small = { vcpus: 1, memoryMiB: 256 };

/** A tracer that writes down everything the pipeline tells it. */
function recordingTracer() {
  const log: string[] = [];
  const started: Array<{ name: string; attributes: SpanAttributes }> = [];
  const retries: SpanRetry[] = [];
  const ended: Array<Error | undefined> = [];
  const tracer: Tracer = {
    startSpan(name, attributes) {
      started.push({ name, attributes });
      const span: Span = {
        async attempt(attempt, run) {
          log.push(`attempt ${attempt}`);
          try {
            return await run();
          } finally {
            log.push(`attempt ${attempt} done`);
          }
        },
        retry(retry) {
          log.push(`retry after ${retry.attempt}`);
          retries.push(retry);
        },
        end(error) {
          log.push('end');
          ended.push(error);
        },
      };
      return span;
    },
  };
  return { tracer, log, started, retries, ended };
}

describe('the tracing hook and attempts on errors (driver-sim)', () => {
  it('tells a tracer about the operation, each attempt and each retry, in order', async () => {
    const recording = recordingTracer();
    const driver = createSimDriver({
      seed: 1,
      transitionDelayMs: 0,
      faults: { create: { throttleRate: 1, retryAfterMs: 3 } },
    });
    const nc = createNovaCron({
      providers: { lab: driver },
      limits: { lab: { retry: { maxAttempts: 3, baseDelayMs: 1 } } },
      tracer: recording.tracer,
    });
    const error = await nc.vms
      .create({ provider: 'lab', name: 'traced', resources: small, idempotencyKey: 'k-1' })
      .catch((thrown: unknown) => thrown);
    expect(recording.started).toEqual([
      {
        name: 'vms.create',
        attributes: {
          provider: 'lab',
          operationId: expect.any(String),
          driverKind: 'sim',
          region: undefined,
          idempotencyKey: 'k-1',
        },
      },
    ]);
    expect(recording.log).toEqual([
      'attempt 1',
      'attempt 1 done',
      'retry after 1',
      'attempt 2',
      'attempt 2 done',
      'retry after 2',
      'attempt 3',
      'attempt 3 done',
      'end',
    ]);
    expect(recording.retries.map((retry) => [retry.error.code, retry.delayMs >= 3])).toEqual([
      ['THROTTLED', true],
      ['THROTTLED', true],
    ]);
    expect(recording.ended).toEqual([error]);
    await nc.close();
  });

  it('reports the attempts and the provider name on the error, "after N attempts" when retries ran out', async () => {
    const driver = createSimDriver({ seed: 1, transitionDelayMs: 0, faults: { get: { errorRate: 1 } } });
    const nc = createNovaCron({
      providers: { 'lab-east': driver },
      limits: { 'lab-east': { retry: { maxAttempts: 4, baseDelayMs: 1 } } },
    });
    const failures: NovaCronError[] = [];
    nc.events.on('operation.failure', (event) => failures.push(event.error));
    const error = await nc.vms.get('lab-east:vm-00000001').catch((thrown: unknown) => thrown);
    expect(NovaCronError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'UNAVAILABLE',
      provider: 'lab-east',
      operation: 'vms.get',
      attempts: 4,
    });
    expect((error as Error).message).toMatch(/Gave up after 4 attempts\.$/);
    expect(failures.map((failure) => failure.attempts)).toEqual([4]);

    driver.sim.setFaults({});
    const missing = await nc.vms.get('lab-east:vm-0000ffff').catch((thrown: unknown) => thrown);
    expect(missing).toMatchObject({ code: 'NOT_FOUND', provider: 'lab-east', attempts: 1 });
    expect((missing as Error).message).not.toContain('Gave up');
    await nc.close();
  });

  it('leaves operations untouched without a tracer: no span, the driver called directly', async () => {
    const seen: unknown[] = [];
    const nc = createNovaCron({
      providers: { sim: createSimDriver({ transitionDelayMs: 0 }) },
      plugins: [
        {
          name: 'span-probe',
          version: '1.0.0',
          specificationVersion: 'v1',
          middleware: [
            {
              middleware: {
                name: 'span-probe',
                handle: (operation, next) => {
                  seen.push(operation.span);
                  return next(operation);
                },
              },
              position: { after: 'queue' },
            },
          ],
        },
      ],
    });
    await nc.vms.create({ provider: 'sim', name: 'plain', resources: small });
    expect(seen).toEqual([undefined]);
    await nc.close();
  });
});
