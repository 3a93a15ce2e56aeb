import type { HostState } from '@novacron/core';
import type { HostFilter } from '../placement-filter.js';
import { hostsPhrase } from './host-phrase.js';

/** Options of {@link hostState}. */
export interface HostStateOptions {
  /** States that take new VMs. Default `['up']` (hosts in maintenance or down take none). */
  allowed?: readonly HostState[];
}

/**
 * Host state (filter `host-state`): only hosts in an allowed state take VMs. Rejections read
 * `{ filter: 'host-state', state: 'maintenance' }`: "3 hosts are in maintenance".
 *
 * @example
 * hostState(); // only 'up' hosts
 */
export function hostState(options: HostStateOptions = {}): HostFilter {
  const allowed = options.allowed ?? ['up'];
  return {
    kind: 'host',
    name: 'host-state',
    classKey: () => '',
    check: (_demand, host) =>
      allowed.includes(host.state) ? undefined : { filter: 'host-state', state: host.state },
    describe: (rejection, hosts) =>
      rejection.state === 'maintenance'
        ? `${hostsPhrase(hosts, 'is', 'are')} in maintenance`
        : `${hostsPhrase(hosts, 'is', 'are')} ${String(rejection.state)}`,
  };
}
