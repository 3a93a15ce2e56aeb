import { describe, expect, it } from 'vitest';
import { toVmState } from './azure-state-map.js';

const view = (...codes: string[]) => ({ statuses: codes.map((code) => ({ code })) });

describe('toVmState', () => {
  it.each([
    ['PowerState/starting', 'pending'],
    ['PowerState/running', 'running'],
    ['PowerState/stopping', 'stopping'],
  ] as const)('maps %s to %s', (code, name) => {
    expect(toVmState(view('ProvisioningState/succeeded', code)).name).toBe(name);
  });

  it('reads deallocating as stopping (on its way), never stopped', () => {
    const state = toVmState(view('ProvisioningState/updating', 'PowerState/deallocating'));
    expect(state.name).toBe('stopping');
    expect(state.providerState).toBe('PowerState/deallocating');
  });

  it('reads stopped and deallocated both as stopped, told apart by reason', () => {
    const stopped = toVmState(view('ProvisioningState/succeeded', 'PowerState/stopped'));
    const deallocated = toVmState(view('ProvisioningState/succeeded', 'PowerState/deallocated'));
    expect([stopped.name, deallocated.name]).toEqual(['stopped', 'stopped']);
    expect(stopped.reason).toMatch(/still allocated.*billed/);
    expect(deallocated.reason).toMatch(/^deallocated/);
    expect(stopped.reason).not.toBe(deallocated.reason);
  });

  it('reads a failed provisioning with no power state as error, with the vendor code as reason', () => {
    const state = toVmState({
      provisioningState: 'Failed',
      statuses: [{ code: 'ProvisioningState/failed/OSProvisioningTimedOut' }],
    });
    expect(state).toEqual({
      name: 'error',
      providerState: 'ProvisioningState/failed/OSProvisioningTimedOut',
      reason: 'OSProvisioningTimedOut',
    });
  });

  it('keeps a running VM with a failed extension running, noting the failure', () => {
    const state = toVmState({
      provisioningState: 'Failed',
      statuses: [
        { code: 'ProvisioningState/failed/VMExtensionProvisioningError' },
        { code: 'PowerState/running' },
      ],
    });
    expect(state.name).toBe('running');
    expect(state.reason).toContain('VMExtensionProvisioningError');
  });

  it('reads a VM being created (no power state yet) as pending, and one being deleted as terminated', () => {
    expect(toVmState({ provisioningState: 'Creating', statuses: [] }).name).toBe('pending');
    expect(toVmState(view('ProvisioningState/deleting', 'PowerState/running')).name).toBe('terminated');
  });

  it('reads anything unknown as unknown, keeping the raw string', () => {
    expect(toVmState(view('ProvisioningState/succeeded', 'PowerState/hibernated'))).toEqual({
      name: 'unknown',
      providerState: 'PowerState/hibernated',
    });
    expect(toVmState({ provisioningState: 'Canceled' })).toEqual({
      name: 'unknown',
      providerState: 'ProvisioningState/canceled',
    });
    expect(toVmState({})).toEqual({ name: 'unknown', providerState: 'unknown' });
  });
});
