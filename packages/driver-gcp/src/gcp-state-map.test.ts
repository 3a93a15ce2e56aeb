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

  it('covers every status of the discovery document', async () => {
    const { readFile } = await import('node:fs/promises');
    const { DISCOVERY_PATH } = await import('../test/support/gce-discovery-schema.js');
    const document = JSON.parse(await readFile(DISCOVERY_PATH, 'utf8'));
    const statuses: string[] = document.schemas.Instance.properties.status.enum;
    for (const status of statuses) expect(toVmState(status).name, status).not.toBe('unknown');
  });
});
