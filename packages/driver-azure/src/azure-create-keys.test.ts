import type { ProviderVm } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { CreateKeyMemory, DEFAULT_REMEMBERED_KEYS } from './azure-create-keys.js';

const entry = (name: string) => ({ fingerprint: 'f', name });

describe('CreateKeyMemory', () => {
  it('remembers 10,000 keys by default and never more', () => {
    const memory = new CreateKeyMemory();
    for (let index = 0; index < DEFAULT_REMEMBERED_KEYS + 500; index += 1)
      memory.set(`k${index}`, entry(`vm${index}`));
    expect(DEFAULT_REMEMBERED_KEYS).toBe(10_000);
    expect(memory.size).toBe(10_000);
    expect(memory.get('k0')).toBeUndefined();
    expect(memory.get(`k${DEFAULT_REMEMBERED_KEYS + 499}`)?.name).toBe(`vm${DEFAULT_REMEMBERED_KEYS + 499}`);
  });

  it('forgets the least recently used key first, and a key in flight only when nothing else can go', () => {
    const memory = new CreateKeyMemory(2);
    memory.set('a', { ...entry('a'), pending: new Promise<ProviderVm>(() => {}) });
    memory.set('b', entry('b'));
    memory.set('c', entry('c'));
    expect(memory.get('a')?.name).toBe('a');
    expect(memory.get('b')).toBeUndefined();
    memory.get('c');
    memory.set('d', entry('d'));
    expect(memory.get('a')?.name).toBe('a');
    expect(memory.get('c')).toBeUndefined();
  });
});
