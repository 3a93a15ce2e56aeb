import type { HostFilter } from '../placement-filter.js';
import { hostsPhrase } from './host-phrase.js';

/**
 * Zone (filter `zone`): a VM that names a `zone` goes only to hosts in that zone. Rejections read
 * `{ filter: 'zone', zone: 'b' }`: "40 hosts are outside zone b".
 *
 * @example
 * zone();
 */
export function zone(): HostFilter {
  return {
    kind: 'host',
    name: 'zone',
    classKey: (demand) => demand.zone ?? '',
    check: (demand, host) =>
      demand.zone === undefined || host.zone === demand.zone
        ? undefined
        : { filter: 'zone', zone: demand.zone },
    describe: (rejection, hosts) =>
      `${hostsPhrase(hosts, 'is', 'are')} outside zone ${String(rejection.zone)}`,
  };
}
