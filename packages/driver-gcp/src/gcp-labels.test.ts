import { describe, expect, it } from 'vitest';
import { keyLabelValue, LABEL_KEY_PATTERN, LABEL_VALUE_PATTERN, requestIdFor } from './gcp-labels.js';

describe('labels and request ids', () => {
  it('accepts what Compute Engine accepts as labels, and nothing else', () => {
    for (const key of ['env', 'team_a', 'a-1', 'é', 'x'.repeat(63)])
      expect(LABEL_KEY_PATTERN.test(key), key).toBe(true);
    for (const key of ['Env', '1abc', '_a', '', 'a b', 'a.b', 'x'.repeat(64)]) {
      expect(LABEL_KEY_PATTERN.test(key), key).toBe(false);
    }
    for (const value of ['', 'prod', '123', 'a_b-c', 'v'.repeat(63)])
      expect(LABEL_VALUE_PATTERN.test(value)).toBe(true);
    for (const value of ['Prod', 'a b', 'a.b', 'v'.repeat(64)])
      expect(LABEL_VALUE_PATTERN.test(value)).toBe(false);
  });

  it('derives a stable, valid, non-zero UUID per seed', () => {
    const id = requestIdFor('create:key-1');
    expect(id).toBe(requestIdFor('create:key-1'));
    expect(id).not.toBe(requestIdFor('create:key-2'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('makes a key label value that is a valid label value', () => {
    expect(LABEL_VALUE_PATTERN.test(keyLabelValue('Any key, with spaces: 東京'))).toBe(true);
  });
});
