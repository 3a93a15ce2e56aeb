import { invalidArgument } from '../invalid-argument.js';
import type { CapacityFilter } from '../placement-filter.js';
import { hostsPhrase } from './host-phrase.js';

/** Options of {@link maxVmsPerHost}. */
export interface MaxVmsPerHostOptions {
  /** The most VMs a host may run, its current VMs included. Required; an integer >= 0. */
  limit: number;
}

/**
 * Maximum VMs per host (filter `max-vms-per-host`): a host that runs `limit` VMs takes no more. Rejections read
 * `{ filter: 'max-vms-per-host', limit: 100 }`: "4 hosts already run 100 VMs".
 *
 * @example
 * maxVmsPerHost({ limit: 100 });
 */
export function maxVmsPerHost(options: MaxVmsPerHostOptions): CapacityFilter {
  const limit = options?.limit;
  if (!(Number.isInteger(limit) && limit >= 0)) {
    throw invalidArgument(
      'limit',
      `maxVmsPerHost: limit is ${String(limit)}; give the most VMs a host may run, an integer >= 0.`,
    );
  }
  return {
    kind: 'capacity',
    name: 'max-vms-per-host',
    dimensions: ['vms'],
    room: (host) => [limit - host.vmCount],
    use: () => [1],
    rejection: () => ({ filter: 'max-vms-per-host', limit }),
    describe: (rejection, hosts) =>
      `${hostsPhrase(hosts, 'already runs', 'already run')} ${String(rejection.limit)} VMs`,
  };
}
