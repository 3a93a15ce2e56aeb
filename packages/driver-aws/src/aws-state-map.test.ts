import { VM_STATE_NAMES } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import { toEc2StateNames, toVmState } from './aws-state-map.js';

describe('EC2 state mapping', () => {
  it.each([
    ['pending', 'pending'],
    ['running', 'running'],
    ['stopping', 'stopping'],
    ['stopped', 'stopped'],
    ['shutting-down', 'stopping'],
    ['terminated', 'terminated'],
    ['rebooting-ish', 'unknown'],
  ])('maps %s to %s, keeping the raw name', (ec2, novacron) => {
    expect(toVmState(ec2)).toMatchObject({ name: novacron, providerState: ec2 });
  });

  it('says why an instance is shutting down, and passes EC2 state reasons through', () => {
    expect(toVmState('shutting-down').reason).toBe('terminating');
    expect(toVmState('stopped', 'Client.UserInitiatedShutdown').reason).toBe('Client.UserInitiatedShutdown');
    expect(toVmState('running', '').reason).toBeUndefined();
  });

  it('maps every NovaCron state back to the EC2 names that produce it', () => {
    for (const name of VM_STATE_NAMES) {
      for (const ec2 of toEc2StateNames([name])) expect(toVmState(ec2).name).toBe(name);
    }
    expect(toEc2StateNames(['suspended', 'migrating', 'error', 'unknown'])).toEqual([]);
  });
});
