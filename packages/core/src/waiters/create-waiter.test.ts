import { describe, expect, it } from 'vitest';
import { NovaCronError } from '../errors/novacron-error.js';
import { createWaiter } from './create-waiter.js';

describe('createWaiter', () => {
  it('resolves with the value once a check says done', async () => {
    let checks = 0;
    const value = await createWaiter(
      'three checks',
      async () => {
        checks += 1;
        return checks < 3
          ? { status: 'retry', observed: `check ${checks}` }
          : { status: 'done', value: 'ready' };
      },
      { minDelayMs: 1 },
    );
    expect(value).toBe('ready');
    expect(checks).toBe(3);
  });

  it('throws TIMEOUT naming what it last saw', async () => {
    const error = await createWaiter('never', async () => ({ status: 'retry', observed: 'still pending' }), {
      timeoutMs: 50,
      minDelayMs: 5,
    }).catch((thrown: unknown) => thrown);
    expect(NovaCronError.isInstance(error) && error.code).toBe('TIMEOUT');
    expect((error as Error).message).toContain('still pending');
  });

  it('throws ABORTED when the caller cancels, and the failure a check reports', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(
      createWaiter('cancelled', async () => ({ status: 'retry', observed: 'x' }), {
        signal: controller.signal,
        minDelayMs: 5,
      }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    const conflict = new NovaCronError({ code: 'CONFLICT', message: 'dead end' });
    await expect(createWaiter('dead end', async () => ({ status: 'failed', error: conflict }))).rejects.toBe(
      conflict,
    );
  });

  it('checks early when woken', async () => {
    let checks = 0;
    let wakeCallback: (() => void) | undefined;
    const waiting = createWaiter(
      'woken',
      async () => {
        checks += 1;
        return checks >= 2 ? { status: 'done', value: checks } : { status: 'retry', observed: 'x' };
      },
      {
        minDelayMs: 60_000,
        timeoutMs: 120_000,
        wake: (callback) => {
          wakeCallback = callback;
          return () => {};
        },
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    wakeCallback!();
    expect(await waiting).toBe(2);
  });
});
