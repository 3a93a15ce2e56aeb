import { RESOURCE_DIMENSIONS } from '@novacron/core';
import { invalidArgument } from '../invalid-argument.js';
import { checkDemand, checkHosts } from '../validate-request.js';
import type { FleetSnapshot } from './types.js';

function checkRate(value: unknown, field: string): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0))
    throw invalidArgument(field, `${field} is ${String(value)}; use a finite number >= 0.`);
}

/**
 * Checks a planner's fleet: the hosts (as placement checks them), every VM (a ref, a known host, a valid demand,
 * a unique key), the metrics and the cost model; a `NovaCronError` (`INVALID_ARGUMENT`) naming the field.
 *
 * @example
 * checkFleet({ hosts, vms: [{ ref, hostId: 'h1', demand: { key: 'web-1', resources: { vcpus: 2, memoryMiB: 4096 } } }] });
 */
export function checkFleet(fleet: FleetSnapshot): void {
  if (typeof fleet !== 'object' || fleet === null)
    throw invalidArgument('request', 'the request must be an object with hosts and vms.');
  checkHosts(fleet.hosts, 'hosts');
  const hostIds = new Set(fleet.hosts.map((host) => host.id));
  if (!Array.isArray(fleet.vms))
    throw invalidArgument('vms', 'vms must be an array of the VMs on the hosts.');
  const keys = new Set<string>();
  fleet.vms.forEach((vm, index) => {
    const at = `vms[${index}]`;
    if (typeof vm?.ref?.provider !== 'string' || typeof vm.ref.id !== 'string')
      throw invalidArgument(`${at}.ref`, `${at}.ref must be a VM reference { provider, id }.`);
    if (!hostIds.has(vm.hostId))
      throw invalidArgument(
        `${at}.hostId`,
        `${at}.hostId '${String(vm.hostId)}' is not in hosts; give the id of the host the VM runs on.`,
      );
    checkDemand(vm.demand, `${at}.demand`);
    if (keys.has(vm.demand.key))
      throw invalidArgument(
        `${at}.demand.key`,
        `${at}.demand.key '${vm.demand.key}' appears twice; keys must be unique.`,
      );
    keys.add(vm.demand.key);
  });
  if (fleet.metrics !== undefined) {
    if (typeof fleet.metrics !== 'object' || fleet.metrics === null)
      throw invalidArgument('metrics', 'metrics must map VM keys to { usage, dirtyRateMiBps }.');
    for (const [key, metrics] of Object.entries(fleet.metrics)) {
      if (!keys.has(key))
        throw invalidArgument(
          `metrics.${key}`,
          `metrics.${key} names no VM in vms; key metrics by demand.key.`,
        );
      for (const dimension of RESOURCE_DIMENSIONS)
        checkRate(metrics?.usage?.[dimension], `metrics.${key}.usage.${dimension}`);
      checkRate(metrics?.dirtyRateMiBps, `metrics.${key}.dirtyRateMiBps`);
    }
  }
  const cost = fleet.migrationCost;
  if (cost !== undefined) {
    const bandwidth = cost.bandwidthMiBps;
    if (bandwidth !== undefined && !(Number.isFinite(bandwidth) && bandwidth > 0))
      throw invalidArgument(
        'migrationCost.bandwidthMiBps',
        `migrationCost.bandwidthMiBps is ${String(bandwidth)}; use a finite number > 0 (MiB/s).`,
      );
    checkRate(cost.minBenefitPerGiB, 'migrationCost.minBenefitPerGiB');
  }
}
