import type { Filter } from '@aws-sdk/client-ec2';
import type { VmFilter } from '@novacron/core';
import { toEc2StateNames } from './aws-state-map.js';

/**
 * Translates a VM filter into `DescribeInstances` filters, so EC2 does the filtering (tags, states, zone, size,
 * dedicated host). Returns `undefined` when the filter can match nothing on EC2 (states EC2 never reports), so the
 * driver answers an empty page without a call.
 *
 * @example
 * toEc2Filters({ tags: { team: 'a' }, states: ['running'] });
 * // [{ Name: 'tag:team', Values: ['a'] }, { Name: 'instance-state-name', Values: ['running'] }]
 */
export function toEc2Filters(filter: VmFilter | undefined): Filter[] | undefined {
  const filters: Filter[] = [];
  if (filter === undefined) return filters;
  for (const [key, value] of Object.entries(filter.tags ?? {})) {
    filters.push({ Name: `tag:${key}`, Values: [value] });
  }
  if (filter.states !== undefined) {
    const names = toEc2StateNames(filter.states);
    if (names.length === 0) return undefined;
    filters.push({ Name: 'instance-state-name', Values: names });
  }
  if (filter.zone !== undefined) filters.push({ Name: 'availability-zone', Values: [filter.zone] });
  if (filter.sizes !== undefined) {
    if (filter.sizes.length === 0) return undefined;
    filters.push({ Name: 'instance-type', Values: [...filter.sizes] });
  }
  if (filter.hostId !== undefined) filters.push({ Name: 'host-id', Values: [filter.hostId] });
  return filters;
}
