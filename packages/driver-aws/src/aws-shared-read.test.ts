import { describe, expect, it } from 'vitest';
import { AwsSharedRead } from './aws-shared-read.js';

/** A read whose result the test decides, recording the signal each read got. */
function controlledReads() {
  const reads: Array<{
    signal: AbortSignal;
    resolve: (value: string) => void;
    reject: (error: Error) => void;
  }> = [];
  const shared = new AwsSharedRead<string>(
    (signal) =>
      new Promise<string>((resolve, reject) => {
        reads.push({ signal, resolve, reject });
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      }),
  );
  return { shared, reads };
}

const live = (): AbortSignal => new AbortController().signal;

describe('AwsSharedRead', () => {
  it('makes one read for concurrent callers, then keeps the value', async () => {
    const { shared, reads } = controlledReads();
    const first = shared.get(live());
    const second = shared.get(live());
    reads[0]?.resolve('catalog');
    expect(await Promise.all([first, second])).toEqual(['catalog', 'catalog']);
    expect(await shared.get(live())).toBe('catalog');
    expect(reads).toHaveLength(1);
  });

  it("ends one caller's wait at its deadline without failing the read another caller still waits for", async () => {
    const { shared, reads } = controlledReads();
    const impatient = new AbortController();
    const first = shared.get(impatient.signal);
    const second = shared.get(live());
    impatient.abort(new DOMException('attempt deadline', 'TimeoutError'));
    await expect(first).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(reads[0]?.signal.aborted).toBe(false);
    reads[0]?.resolve('catalog');
    expect(await second).toBe('catalog');
  });

  it('aborts the read when every caller has gone, and the next caller starts a new one', async () => {
    const { shared, reads } = controlledReads();
    const controller = new AbortController();
    const waiting = shared.get(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(reads[0]?.signal.aborted).toBe(true);
    const again = shared.get(live());
    reads[1]?.resolve('catalog');
    expect(await again).toBe('catalog');
    expect(reads).toHaveLength(2);
  });

  it('forgets a failed read and refuses at once under an aborted signal', async () => {
    const { shared, reads } = controlledReads();
    const failing = shared.get(live());
    reads[0]?.reject(new Error('throttled'));
    await expect(failing).rejects.toThrow('throttled');
    const retried = shared.get(live());
    reads[1]?.resolve('catalog');
    expect(await retried).toBe('catalog');
    await expect(shared.get(AbortSignal.abort())).resolves.toBe('catalog');
    const fresh = controlledReads();
    await expect(fresh.shared.get(AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    expect(fresh.reads).toHaveLength(0);
  });
});
