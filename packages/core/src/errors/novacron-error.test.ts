import { describe, expect, it, vi } from 'vitest';
import { NovaCronError } from './novacron-error.js';
import { toNovaCronError } from './to-novacron-error.js';

describe('NovaCronError', () => {
  it('defaults retryable from the code', () => {
    expect(new NovaCronError({ code: 'THROTTLED', message: 'slow down' }).retryable).toBe(true);
    expect(new NovaCronError({ code: 'UNAVAILABLE', message: 'gone' }).retryable).toBe(true);
    expect(new NovaCronError({ code: 'NOT_FOUND', message: 'no' }).retryable).toBe(false);
    expect(new NovaCronError({ code: 'UNAVAILABLE', message: 'closed', retryable: false }).retryable).toBe(
      false,
    );
  });

  it('is recognised across copies of the module', async () => {
    vi.resetModules();
    // A query string makes the module loader evaluate a second, independent copy of the module.
    const secondCopy = './novacron-error.js?second-copy';
    const copy = (await import(/* @vite-ignore */ secondCopy)) as typeof import('./novacron-error.js');
    const foreign = new copy.NovaCronError({ code: 'CONFLICT', message: 'from another copy' });
    expect(foreign).not.toBeInstanceOf(NovaCronError);
    expect(NovaCronError.isInstance(foreign)).toBe(true);
    expect(NovaCronError.isInstance(new Error('plain'))).toBe(false);
    expect(NovaCronError.isInstance({ code: 'CONFLICT' })).toBe(false);
  });

  it('adds missing context without losing fields, and serialises without the cause', () => {
    const cause = new Error('socket hang up');
    const error = new NovaCronError({ code: 'THROTTLED', message: 'slow', retryAfterMs: 1500, cause });
    const withContext = error.withContext({ provider: 'aws', operation: 'vms.get' });
    expect(withContext).toMatchObject({
      provider: 'aws',
      operation: 'vms.get',
      retryAfterMs: 1500,
      code: 'THROTTLED',
    });
    expect(withContext.cause).toBe(cause);
    expect(JSON.stringify(withContext)).not.toContain('socket hang up');
  });

  it('maps aborts to ABORTED and unknown errors to PROVIDER with the cause kept', () => {
    const abort = new DOMException('stop', 'AbortError');
    expect(toNovaCronError(abort, { provider: 'sim' }).code).toBe('ABORTED');
    const boom = new Error('boom');
    const mapped = toNovaCronError(boom, { provider: 'sim', operation: 'vms.get' });
    expect(mapped.code).toBe('PROVIDER');
    expect(mapped.cause).toBe(boom);
    expect(mapped.message).toContain("'sim'");
  });

  it('records attempts, saying "Gave up after N attempts" only after more than one, without repeating it', () => {
    const error = new NovaCronError({
      code: 'THROTTLED',
      message: 'slow down',
      provider: 'lab',
      statusCode: 429,
    });
    expect(error.attempts).toBeUndefined();
    const once = error.withAttempts(1);
    expect([once.attempts, once.message]).toEqual([1, 'slow down']);
    const thrice = error.withAttempts(3);
    expect(thrice).toMatchObject({ attempts: 3, code: 'THROTTLED', provider: 'lab', statusCode: 429 });
    expect(thrice.message).toBe('slow down. Gave up after 3 attempts.');
    expect(thrice.withAttempts(3)).toBe(thrice);
    expect(thrice.withAttempts(4).message).toBe('slow down. Gave up after 4 attempts.');
    expect(thrice.withContext({ operation: 'vms.get' }).attempts).toBe(3);
    expect(thrice.toJSON()).toMatchObject({ attempts: 3 });
  });
});
