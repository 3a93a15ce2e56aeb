import { NovaCronError } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { customMachineTypeFor, customMachineTypeResources, toGcpSize } from './gcp-machine-types.js';

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (NovaCronError.isInstance(error) && error.code === 'INVALID_ARGUMENT') return error.field;
    throw error;
  }
  return undefined;
}

describe('custom machine types', () => {
  it('reads valid names', () => {
    expect(customMachineTypeResources('custom-2-4096', 'size')).toEqual({ vcpus: 2, memoryMiB: 4096 });
    expect(customMachineTypeResources('custom-1-1024', 'size')).toEqual({ vcpus: 1, memoryMiB: 1024 });
    expect(customMachineTypeResources('n2-custom-4-8192', 'size')).toEqual({ vcpus: 4, memoryMiB: 8192 });
    expect(customMachineTypeResources('custom-2-16384-ext', 'size')).toEqual({ vcpus: 2, memoryMiB: 16384 });
  });

  it.each([
    ['custom-3-4096', 'odd vCPUs'],
    ['custom-2-4000', 'memory not a multiple of 256'],
    ['custom-2-1024', 'below 0.9 GB per vCPU'],
    ['custom-2-16384', 'above 6.5 GB per vCPU without -ext'],
    ['custom-98-98304', 'more vCPUs than N1 has'],
    ['e2-custom-1-1024', 'e2 needs 2 vCPUs'],
    ['zz-custom-2-4096', 'unknown series'],
  ])('refuses %s (%s) as INVALID_ARGUMENT on the field', (name) => {
    expect(fieldOf(() => customMachineTypeResources(name, 'size'))).toBe('size');
  });

  it('makes a custom type for resources, rounding memory up to 256 MiB', () => {
    expect(customMachineTypeFor({ vcpus: 2, memoryMiB: 4000 })).toBe('custom-2-4096');
    expect(fieldOf(() => customMachineTypeFor({ vcpus: 1, memoryMiB: 256 }))).toBe('resources');
  });

  it('flags deprecated machine types', () => {
    const size = toGcpSize(
      { name: 'n1-standard-1', guestCpus: 1, memoryMb: 3840, deprecated: { state: 'DEPRECATED' } },
      ['a'],
    );
    expect(size).toMatchObject({
      name: 'n1-standard-1',
      deprecated: true,
      resources: { vcpus: 1, memoryMiB: 3840 },
    });
    expect(
      toGcpSize({ name: 'e2-micro', guestCpus: 2, memoryMb: 1024, isSharedCpu: true }, ['a']),
    ).toMatchObject({
      deprecated: false,
      sharedCpu: true,
    });
  });
});
