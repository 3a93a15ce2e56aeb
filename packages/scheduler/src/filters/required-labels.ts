import type { HostFilter } from '../placement-filter.js';
import { hostsPhrase } from './host-phrase.js';

/**
 * Required labels (filter `required-labels`): a VM goes only to hosts that have every one of its
 * `requiredLabels` with the same value. Rejections name the first missing label:
 * `{ filter: 'required-labels', label: 'disk', value: 'ssd' }`: "7 hosts lack label disk=ssd".
 *
 * @example
 * requiredLabels();
 */
export function requiredLabels(): HostFilter {
  return {
    kind: 'host',
    name: 'required-labels',
    classKey: (demand) =>
      demand.requiredLabels === undefined ? '' : JSON.stringify(Object.entries(demand.requiredLabels).sort()),
    check(demand, host) {
      for (const [label, value] of Object.entries(demand.requiredLabels ?? {})) {
        if (host.labels[label] !== value) return { filter: 'required-labels', label, value };
      }
      return undefined;
    },
    describe: (rejection, hosts) =>
      `${hostsPhrase(hosts, 'lacks', 'lack')} label ${String(rejection.label)}=${String(rejection.value)}`,
  };
}
