import { describe, expect, it } from 'vitest';
import { ExponentialBackoff } from './backoff.js';

describe('ExponentialBackoff', () => {
  it('doubles per failure up to the cap, per key, and starts over after forget', () => {
    const backoff = new ExponentialBackoff({ baseDelayMs: 100, maxDelayMs: 1_000, jitter: 0 });
    expect(Array.from({ length: 6 }, () => backoff.next('a'))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(backoff.next('b')).toBe(100);
    expect(backoff.failures('a')).toBe(6);
    backoff.forget('a');
    expect(backoff.failures('a')).toBe(0);
    expect(backoff.next('a')).toBe(100);
  });

  it('draws each delay between (1 - jitter) and 1 times the exponential one', () => {
    const low = new ExponentialBackoff({ baseDelayMs: 100, jitter: 0.5, random: () => 0.999_999 });
    const high = new ExponentialBackoff({ baseDelayMs: 100, jitter: 0.5, random: () => 0 });
    expect([low.next('a'), low.next('a')]).toEqual([50, 100]);
    expect([high.next('a'), high.next('a')]).toEqual([100, 200]);
  });

  it('stays at the cap after very many failures', () => {
    const backoff = new ExponentialBackoff({ baseDelayMs: 1, maxDelayMs: 5_000, jitter: 0 });
    for (let failure = 0; failure < 2_000; failure += 1) backoff.next('a');
    expect(backoff.next('a')).toBe(5_000);
  });

  it('refuses inconsistent options with a TypeError', () => {
    expect(() => new ExponentialBackoff({ baseDelayMs: 0 })).toThrow(TypeError);
    expect(() => new ExponentialBackoff({ baseDelayMs: 100, maxDelayMs: 50 })).toThrow(
      /at least baseDelayMs/,
    );
    expect(() => new ExponentialBackoff({ jitter: 2 })).toThrow(/between 0 and 1/);
  });
});
