// The plugin examples of docs/placement.md ("Writing a filter", "Writing a scorer"), verbatim, run as tests.
import type { PlacementDemand, PlacementHost } from '@novacron/core';
import { describe, expect, it } from 'vitest';
import {
  type CapacityFilter,
  createScheduler,
  defaultFilters,
  type HostFilter,
  hostsPhrase,
  type PlacementScorer,
  pack,
} from '../src/index.js';
import { makeHost } from './fleet-fixtures.js';

// --- docs: writing a host filter
/** Keeps VMs tagged `critical` off hosts whose `lifecycle` label is `spot`. */
const noCriticalOnSpot: HostFilter = {
  kind: 'host',
  name: 'no-critical-on-spot',
  // Two VMs with the same key get the same verdict on every host: here, critical or not.
  classKey: (demand) => (demand.preferredLabels?.critical === 'true' ? 'critical' : ''),
  check: (demand, host) =>
    demand.preferredLabels?.critical === 'true' && host.labels.lifecycle === 'spot'
      ? { filter: 'no-critical-on-spot', lifecycle: 'spot' }
      : undefined,
  describe: (_rejection, hosts) => `${hostsPhrase(hosts, 'is a spot host', 'are spot hosts')}`,
};

// --- docs: writing a capacity filter
/** Each host has a number of software licences (its `licences` label); each VM in `licensed` uses one. */
const licensed = new Set(['licensed-1', 'licensed-2', 'licensed-3', 'licensed-4']);
const licences: CapacityFilter = {
  kind: 'capacity',
  name: 'licences',
  dimensions: ['licences'],
  room: (host) => [Number(host.labels.licences ?? 0) - Number(host.labels.licencesUsed ?? 0)],
  use: (demand) => [licensed.has(demand.key) ? 1 : 0],
  rejection: () => ({ filter: 'licences' }),
  describe: (_rejection, hosts) => `${hostsPhrase(hosts, 'has', 'have')} no licence left`,
};

// --- docs: writing a scorer
/** Prefers hosts that run fewer VMs: 100 for an empty host, less for each VM. */
const fewestVms: PlacementScorer = {
  name: 'fewest-vms',
  weight: 2,
  score(context, out) {
    for (let position = 0; position < context.count; position += 1) {
      const host = context.candidates[position]!;
      out[position] = 100 / (1 + context.fleet.vmCount[host]!);
    }
  },
};

const scheduler = createScheduler({
  filters: [...defaultFilters(), noCriticalOnSpot, licences],
  scorers: [pack(), fewestVms],
});
// --- end of the docs examples

const vm = (key: string, extra: Partial<PlacementDemand> = {}): PlacementDemand => ({
  key,
  resources: { vcpus: 1, memoryMiB: 1024 },
  ...extra,
});

describe('the plugin examples of docs/placement.md', () => {
  const hosts = (): PlacementHost[] => [
    makeHost('spot-1', { labels: { lifecycle: 'spot', licences: '2' } }),
    makeHost('busy', { labels: { licences: '1', licencesUsed: '1' }, vmCount: 3 }),
    makeHost('quiet', { labels: { licences: '1' }, vmCount: 1 }),
  ];

  it('a host filter keeps critical VMs off spot hosts and says so', () => {
    const plan = scheduler.place({
      hosts: [hosts()[0]!],
      demands: [vm('api', { preferredLabels: { critical: 'true' } })],
    });
    expect(plan.unplaced[0]!.explanation).toBe('api: 1 host is a spot host');
    expect(plan.unplaced[0]!.reasons[0]!.rejection).toEqual({
      filter: 'no-critical-on-spot',
      lifecycle: 'spot',
    });
  });

  it('a capacity filter counts licences in both the loop and the batch', () => {
    const demands = [1, 2, 3, 4].map((index) => vm(`licensed-${index}`));
    for (const strategy of ['sequential', 'batch'] as const) {
      const plan = scheduler.place({ hosts: hosts(), demands, strategy });
      expect(plan.assignments.map((entry) => entry.hostId).sort()).toEqual(['quiet', 'spot-1', 'spot-1']);
      expect(plan.unplaced[0]!.explanation).toBe('licensed-4: 3 hosts have no licence left');
    }
  });

  it('a scorer with a weight steers single decisions', () => {
    const plan = scheduler.place({ hosts: hosts().slice(1), demands: [vm('web')] });
    expect(plan.assignments[0]!.hostId).toBe('quiet');
    const packOnly = createScheduler({ filters: [...defaultFilters(), licences], scorers: [pack()] });
    const busyFirst = [
      makeHost('busy', { allocated: { vcpus: 8 }, vmCount: 3 }),
      makeHost('quiet', { vmCount: 1 }),
    ];
    expect(packOnly.place({ hosts: busyFirst, demands: [vm('web')] }).assignments[0]!.hostId).toBe('busy');
    expect(scheduler.place({ hosts: busyFirst, demands: [vm('web')] }).assignments[0]!.hostId).toBe('quiet');
  });
});
