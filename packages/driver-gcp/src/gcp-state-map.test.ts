import { describe, expect, it } from 'vitest';
import { toVmState } from './gcp-state-map.js';

describe('toVmState', () => {
  it.each([
    ['PENDING', 'pending', undefined],
    ['PROVISIONING', 'pending', undefined],
    ['STAGING', 'pending', undefined],
    ['RUNNING', 'running', undefined],
    ['PENDING_STOP', 'stopping', undefined],
    ['STOPPING', 'stopping', undefined],
    ['TERMINATED', 'stopped', undefined],
    ['STOPPED', 'stopped', undefined],
    ['SUSPENDING', 'stopping', 'suspending'],
    ['SUSPENDED', 'suspended', undefined],
    ['REPAIRING', 'error', 'repairing'],
    ['DEPROVISIONING', 'stopping', 'terminating'],
  ])('maps %s to %s', (status, name, reason) => {
    const state = toVmState(status);
    expect(state.name).toBe(name);
    expect(state.providerState).toBe(status);
    expect(state.reason).toBe(reason);
  });

  it('maps a status it does not know to unknown, keeping the raw status', () => {
    expect(toVmState('HIBERNATING')).toEqual({ name: 'unknown', providerState: 'HIBERNATING' });
    expect(toVmState('toString')).toEqual({ name: 'unknown', providerState: 'toString' });
    expect(toVmState(undefined)).toEqual({ name: 'unknown', providerState: 'UNKNOWN' });
  });
});
