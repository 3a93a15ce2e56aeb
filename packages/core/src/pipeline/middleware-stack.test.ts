import { describe, expect, it } from 'vitest';
import { resolveLimits } from './limits.js';
import { MiddlewareStack } from './middleware-stack.js';
import type { Middleware, Operation } from './operation.js';

const step = (name: string, log: string[]): Middleware => ({
  name,
  async handle(operation, next) {
    log.push(`>${name}`);
    const result = await next(operation);
    log.push(`<${name}`);
    return result;
  },
});

const operation = (log: string[]): Operation<string> => ({
  id: 'op-1',
  name: 'vms.get',
  provider: 'sim',
  driverKind: 'sim',
  region: undefined,
  input: 'vm-1',
  idempotent: true,
  limits: resolveLimits(undefined, 'sim'),
  signal: new AbortController().signal,
  attempt: 1,
  run: async () => {
    log.push('driver');
    return 'result';
  },
});

describe('MiddlewareStack', () => {
  it('runs steps outermost first and inserts relative to named steps', async () => {
    const log: string[] = [];
    const stack = new MiddlewareStack();
    stack.push(step('events', log));
    stack.push(step('retry', log));
    stack.insert(step('policy', log), { before: 'retry' });
    stack.insert(step('audit', log), { after: 'events' });
    expect(stack.names()).toEqual(['events', 'audit', 'policy', 'retry']);
    expect(await stack.execute(operation(log))).toBe('result');
    expect(log).toEqual([
      '>events',
      '>audit',
      '>policy',
      '>retry',
      'driver',
      '<retry',
      '<policy',
      '<audit',
      '<events',
    ]);
  });

  it('refuses duplicate names and unknown anchors', () => {
    const stack = new MiddlewareStack();
    stack.push(step('events', []));
    expect(() => stack.push(step('events', []))).toThrow(/already in the pipeline/);
    expect(() => stack.insert(step('x', []), { before: 'nope' })).toThrow(/No middleware named 'nope'/);
  });

  it('lets a middleware veto a call before the driver sees it', async () => {
    const log: string[] = [];
    const stack = new MiddlewareStack();
    stack.push({
      name: 'veto',
      async handle() {
        throw new Error('over budget');
      },
    });
    await expect(stack.execute(operation(log))).rejects.toThrow('over budget');
    expect(log).toEqual([]);
  });
});

describe('resolveLimits', () => {
  it('merges built-ins, the default and the provider field by field', () => {
    const limits = resolveLimits(
      { default: { concurrency: 4, retry: { maxAttempts: 3 } }, aws: { perSecond: 20 } },
      'aws',
    );
    expect(limits).toMatchObject({ concurrency: 4, perSecond: 20, timeoutMs: 300_000 });
    expect(limits.retry).toEqual({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 20_000 });
  });

  it('refuses non-positive numbers with a TypeError naming the field', () => {
    expect(() => resolveLimits({ aws: { concurrency: 0 } }, 'aws')).toThrow(/limits\.aws\.concurrency/);
  });
});
