import type { HostFilter } from '../placement-filter.js';
import { hostsPhrase } from './host-phrase.js';

/** Options of {@link gpuCount}. */
export interface GpuCountOptions {
  /** Keep hosts with GPUs for VMs that ask for GPUs (as OpenStack's GPU-host weigher does). Default `false`. */
  reserveForGpuVms?: boolean;
}

/**
 * GPU count (filter `gpu-count`): a VM that asks for `n` GPUs goes only to hosts built with at least `n` (GPUs
 * are never overcommitted, whatever the host's ratios; whether they are free is `resource-fit`'s question).
 * Rejections read `{ filter: 'gpu-count', requested: 4 }`: "12 hosts have fewer than 4 GPUs"; with
 * `reserveForGpuVms`, `{ filter: 'gpu-count', reserved: true }`: "5 hosts are kept for GPU VMs".
 *
 * @example
 * gpuCount({ reserveForGpuVms: true });
 */
export function gpuCount(options: GpuCountOptions = {}): HostFilter {
  const reserve = options.reserveForGpuVms ?? false;
  return {
    kind: 'host',
    name: 'gpu-count',
    classKey: (demand) => String(demand.resources.gpus ?? 0),
    check(demand, host) {
      const requested = demand.resources.gpus ?? 0;
      if (requested > host.capacity.gpus) return { filter: 'gpu-count', requested };
      if (reserve && requested === 0 && host.capacity.gpus > 0)
        return { filter: 'gpu-count', reserved: true };
      return undefined;
    },
    describe: (rejection, hosts) =>
      rejection.reserved === true
        ? `${hostsPhrase(hosts, 'is', 'are')} kept for GPU VMs`
        : `${hostsPhrase(hosts, 'has', 'have')} fewer than ${String(rejection.requested)} GPUs`,
  };
}
