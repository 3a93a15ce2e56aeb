/**
 * Every row of docs/gcp.md's state table: Compute Engine's `Instance.status`, the NovaCron state it maps to, and the
 * reason it carries. The mapping's unit test and the through-the-SDK list test both read it.
 */
export const GCE_STATUS_ROWS: ReadonlyArray<
  readonly [status: string, state: string, reason: string | undefined]
> = [
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
];
