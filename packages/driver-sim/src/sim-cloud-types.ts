import type { FullResources, HostState } from '@novacron/core';

/** The states of a simulated VM, in the cloud's own (hypervisor-style) words. */
export const SIM_VM_STATUSES = [
  'booting',
  'running',
  'shutting-down',
  'shut-off',
  'paused',
  'migrating',
  'terminated',
  'crashed',
] as const;

/** One of {@link SIM_VM_STATUSES}. */
export type SimVmStatus = (typeof SIM_VM_STATUSES)[number];

/** A VM as the {@link SimCloud} API returns it (a copy: changing it changes nothing). */
export interface SimVm {
  /** `vm-` and 8 hex digits, growing with each create. */
  id: string;
  name: string;
  status: SimVmStatus;
  /** Why it entered its status (`booted`, `user`, `host-down`, `migrated`...). */
  statusReason: string;
  resources: FullResources;
  hostId: string;
  zone: string;
  size: string | undefined;
  image: string | undefined;
  tags: Record<string, string>;
  privateAddress: string;
  createdAt: Date;
  /** Its dirty-page rate, for the migration model. */
  dirtyRateMiBps: number;
  /** Live migrations it went through. */
  migrations: number;
}

/** A host as the {@link SimCloud} API returns it (a copy). */
export interface SimHost {
  id: string;
  zone: string;
  state: HostState;
  labels: Record<string, string>;
  capacity: FullResources;
  allocatable: FullResources;
  allocated: FullResources;
  overcommit: Partial<Record<keyof FullResources, number>>;
  vmCount: number;
}

/** What the {@link SimCloud} pushes to its subscribers. */
export type SimEvent =
  | { type: 'vm.status'; vmId: string; status: SimVmStatus; statusReason: string; hostId: string }
  | { type: 'host.state'; hostId: string; state: HostState };

/** Options of every {@link SimCloud} API call. */
export interface SimCallOptions {
  /** Cancels the call: it rejects with the signal's reason, as `fetch` does. */
  signal?: AbortSignal | undefined;
}

/** The input of `SimCloud.createVm`. */
export interface SimCreateVmInput {
  name: string;
  /** A size of the catalog; `resources` win over its resources when both are given. */
  size?: string | undefined;
  resources?: FullResources | undefined;
  image?: string | undefined;
  zone?: string | undefined;
  hostId?: string | undefined;
  tags?: Record<string, string> | undefined;
  userData?: string | undefined;
  /** The VM's dirty-page rate in MiB/s; default: drawn from the seed and the VM id. */
  dirtyRateMiBps?: number | undefined;
  /**
   * Makes the create idempotent: the same token with the same input returns the same VM (even once deleted), the
   * same token with another input is `IdempotentParameterMismatch`.
   */
  clientToken?: string | undefined;
}

/** Which VMs `SimCloud.listVms` returns: all that match every given part. */
export interface SimVmFilter {
  hostId?: string | undefined;
  zone?: string | undefined;
  statuses?: readonly SimVmStatus[] | undefined;
  tags?: Readonly<Record<string, string>> | undefined;
}

/** The input of `SimCloud.listVms`: VMs in id order after `afterId`, `limit` at most. */
export interface SimListVmsInput {
  afterId?: string | undefined;
  limit: number;
  filter?: SimVmFilter | undefined;
}

/** The input of `SimCloud.migrateVm`. Unset numbers take the cloud's defaults. */
export interface SimMigrateVmInput {
  vmId: string;
  toHostId: string;
  bandwidthMiBps?: number | undefined;
  maxDowntimeMs?: number | undefined;
  /** Simulated ms after which the pre-copy gives up (or switches to post-copy). */
  completionTimeoutMs?: number | undefined;
  /** What to do when the pre-copy does not converge. Default `'abort'`. */
  onTimeout?: 'abort' | 'postcopy' | undefined;
  /** Throttle the guest to help the pre-copy converge. Default false. */
  autoConverge?: boolean | undefined;
}

/** How a migration went, once done. */
export interface SimMigrationResult {
  hostId: string;
  downtimeMs: number;
  bytesTransferred: number;
  iterations: number;
}

/** The input of `SimCloud.getMetricData`. */
export interface SimMetricDataInput {
  target: { vmId: string } | { hostId: string };
  fromMs: number;
  toMs: number;
  /** Default 60,000. */
  stepMs?: number | undefined;
  metrics: readonly string[];
}

/** One metric's samples. */
export interface SimMetricData {
  metric: string;
  timestampsMs: Float64Array;
  values: Float64Array;
}

/** The zones of the simulated region. */
export interface SimZones {
  region: string;
  zones: string[];
}
