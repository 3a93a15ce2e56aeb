import { describe, expect, it } from 'vitest';
import { keyAfter, prefixEnd } from './etcd-keys.js';

describe('etcd key ranges', () => {
  it('ends a prefix range at the prefix with its last byte incremented', () => {
    expect(prefixEnd(Buffer.from('a/b'))).toEqual(Buffer.from('a/c'));
  });

  it('drops trailing 0xff bytes before incrementing, and means "to the end" for a prefix of only 0xff', () => {
    expect(prefixEnd(Buffer.from([0x61, 0xff, 0xff]))).toEqual(Buffer.from([0x62]));
    expect(prefixEnd(Buffer.from([0xff]))).toEqual(Buffer.from([0]));
  });

  it('starts the next page just after the last key read', () => {
    expect(keyAfter(Buffer.from('a'))).toEqual(Buffer.from([0x61, 0]));
  });
});
