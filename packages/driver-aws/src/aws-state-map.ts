import type { VmState, VmStateName } from '@novacron/core';

/** EC2's instance state names, as `DescribeInstances` reports them. */
export type Ec2StateName = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

const TO_NOVACRON: Record<Ec2StateName, VmStateName> = {
  pending: 'pending',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  // Termination in progress: a transitional "going down" state, so waiting for `terminated` keeps waiting.
  'shutting-down': 'stopping',
  terminated: 'terminated',
};

const TO_EC2: Partial<Record<VmStateName, Ec2StateName[]>> = {
  pending: ['pending'],
  running: ['running'],
  stopping: ['stopping', 'shutting-down'],
  stopped: ['stopped'],
  terminated: ['terminated'],
};

/**
 * Maps an EC2 state name (and the instance's state reason, where given) onto NovaCron's {@link VmState}.
 * Unknown names become `unknown`, keeping the raw string in `providerState`.
 *
 * @example
 * toVmState('shutting-down'); // { name: 'stopping', providerState: 'shutting-down', reason: 'terminating' }
 */
export function toVmState(ec2State: string | undefined, reason?: string | undefined): VmState {
  const providerState = ec2State ?? 'unknown';
  const name = TO_NOVACRON[providerState as Ec2StateName] ?? 'unknown';
  const state: VmState = { name, providerState };
  if (providerState === 'shutting-down') state.reason = 'terminating';
  else if (reason !== undefined && reason !== '') state.reason = reason;
  return state;
}

/**
 * The EC2 state names that map onto any of `states`, for the `instance-state-name` filter.
 * NovaCron states EC2 never reports (`suspended`, `migrating`, `error`, `unknown`) contribute none.
 *
 * @example
 * toEc2StateNames(['stopping', 'stopped']); // ['stopping', 'shutting-down', 'stopped']
 */
export function toEc2StateNames(states: readonly VmStateName[]): Ec2StateName[] {
  return [...new Set(states.flatMap((state) => TO_EC2[state] ?? []))];
}
