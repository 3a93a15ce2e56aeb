import { type PlacementHost, type PlacementRejection, RESOURCE_DIMENSIONS } from '@novacron/core';
import { type CompiledFilters, compileFilters, demandUse } from '../compiled-filters.js';
import type { PlacementFilter } from '../placement-filter.js';
import { copyMiB, DEFAULT_BANDWIDTH_MIBPS } from './migration-cost.js';
import type { FleetSnapshot, RebalanceVm } from './types.js';

const R = RESOURCE_DIMENSIONS.length;

/** How a destination is chosen among the hosts that fit: the least loaded one, or the most loaded one. */
export type DestinationChoice = 'coolest' | 'fullest';

function copyHost(host: PlacementHost): PlacementHost {
  return {
    ...host,
    allocated: { ...host.allocated },
    antiAffinityGroups: [...(host.antiAffinityGroups ?? [])],
    affinityGroups: [...(host.affinityGroups ?? [])],
  };
}

function removeOne(list: string[] | undefined, value: string | undefined): void {
  if (list === undefined || value === undefined) return;
  const index = list.indexOf(value);
  if (index >= 0) list.splice(index, 1);
}

/**
 * The fleet while a plan is made, move by move: each host's record (allocation, VM count and groups, updated by
 * every move, so the scheduler's own filters judge each step), its room per capacity dimension, and its load per
 * resource (measured where metrics say, else allocated) against a limit (threshold times capacity).
 */
export class ClusterState {
  /** The hosts' records as they are after the moves so far (copies; the caller's hosts are never written). */
  readonly hosts: PlacementHost[];
  /** The VMs. */
  readonly vms: readonly RebalanceVm[];
  /** Host index of each VM. */
  readonly hostOf: Int32Array;
  /** VM indexes per host. */
  readonly residents: number[][];
  /** Load per host and resource. */
  readonly load: Float64Array;
  /** Limit per host and resource (`Infinity` when unchecked). */
  readonly limit: Float64Array;
  /** Capacity per host and resource. */
  readonly capacity: Float64Array;
  /** Load per VM and resource. */
  readonly vmLoad: Float64Array;
  /** MiB a live migration of each VM copies (`Infinity` when pre-copy cannot converge). */
  readonly copy: Float64Array;
  /** Why a VM cannot move at all, if so. */
  readonly pinned: (string | undefined)[];
  readonly #filters: CompiledFilters;
  readonly #room: Float64Array;
  readonly #use: Float64Array[];
  readonly #eligible = new Map<string, Uint8Array>();
  readonly #index: Map<string, number>;

  /** Builds the state of `fleet` under `filters`, with `fractions` (per resource) as the threshold. */
  constructor(filters: readonly PlacementFilter[], fleet: FleetSnapshot, fractions: readonly number[]) {
    this.#filters = compileFilters(filters);
    this.hosts = fleet.hosts.map(copyHost);
    this.vms = fleet.vms;
    const hostCount = this.hosts.length;
    this.#index = new Map(this.hosts.map((host, index) => [host.id, index]));
    this.hostOf = new Int32Array(fleet.vms.map((vm) => this.#index.get(vm.hostId)!));
    this.residents = this.hosts.map(() => []);
    this.load = new Float64Array(hostCount * R);
    this.limit = new Float64Array(hostCount * R);
    this.capacity = new Float64Array(hostCount * R);
    this.vmLoad = new Float64Array(fleet.vms.length * R);
    this.copy = new Float64Array(fleet.vms.length);
    this.#room = new Float64Array(hostCount * this.#filters.dimensions);
    this.hosts.forEach((host, h) => {
      RESOURCE_DIMENSIONS.forEach((dimension, r) => {
        this.load[h * R + r] = host.allocated[dimension];
        this.capacity[h * R + r] = host.capacity[dimension];
        this.limit[h * R + r] =
          host.capacity[dimension] > 0 ? fractions[r]! * host.capacity[dimension] : Number.POSITIVE_INFINITY;
      });
      this.#refreshRoom(h);
    });
    const bandwidth = fleet.migrationCost?.bandwidthMiBps ?? DEFAULT_BANDWIDTH_MIBPS;
    // An affinity group's size: its VMs in `vms`, or its members in the hosts' records when they list more.
    const groupSizes = new Map<string, number>();
    const residentSizes = new Map<string, number>();
    const affinity = this.#filters.affinity;
    for (const vm of fleet.vms) {
      const group = affinity?.group(vm.demand);
      if (group !== undefined) groupSizes.set(group, (groupSizes.get(group) ?? 0) + 1);
    }
    for (const host of fleet.hosts)
      for (const group of affinity?.residents(host) ?? [])
        residentSizes.set(group, (residentSizes.get(group) ?? 0) + 1);
    for (const [group, size] of residentSizes)
      groupSizes.set(group, Math.max(size, groupSizes.get(group) ?? 0));
    this.#use = fleet.vms.map((vm) => demandUse(this.#filters, vm.demand));
    this.pinned = fleet.vms.map((vm, v) => {
      const h = this.hostOf[v]!;
      this.residents[h]!.push(v);
      const metrics = fleet.metrics?.[vm.demand.key];
      RESOURCE_DIMENSIONS.forEach((dimension, r) => {
        const allocated = vm.demand.resources[dimension] ?? 0;
        const used = metrics?.usage?.[dimension] ?? allocated;
        this.vmLoad[v * R + r] = used;
        this.load[h * R + r]! += used - allocated;
      });
      const dirty = metrics?.dirtyRateMiBps ?? 0;
      this.copy[v] = copyMiB(vm.demand.resources.memoryMiB, dirty, bandwidth);
      if (this.copy[v] === Number.POSITIVE_INFINITY)
        return `${vm.demand.key} dirties ${dirty} MiB/s, at or above the ${bandwidth} MiB/s migration bandwidth, so a live migration would never converge`;
      const group = this.#filters.affinity?.group(vm.demand);
      const size = group === undefined ? 0 : (groupSizes.get(group) ?? 0);
      if (size > 1)
        return `${vm.demand.key} is in affinity group ${group} with ${size - 1} other VM${size > 2 ? 's' : ''}, which move together only`;
      return undefined;
    });
  }

  /** The index of the host with id `id`, or -1. */
  indexOf(id: string): number {
    return this.#index.get(id) ?? -1;
  }

  #refreshRoom(h: number): void {
    const dimensions = this.#filters.dimensions;
    this.#filters.capacity.forEach((filter, position) => {
      filter.room(this.hosts[h]!).forEach((value, dimension) => {
        this.#room[h * dimensions + this.#filters.offsets[position]! + dimension] = value;
      });
    });
  }

  #eligibility(v: number): Uint8Array {
    const demand = this.vms[v]!.demand;
    let key = '';
    for (const filter of this.#filters.host) key += `${filter.classKey(demand)}\u0000`;
    let row = this.#eligible.get(key);
    if (row === undefined) {
      row = new Uint8Array(
        this.hosts.map((host) =>
          this.#filters.host.every((filter) => filter.check(demand, host) === undefined) ? 1 : 0,
        ),
      );
      this.#eligible.set(key, row);
    }
    return row;
  }

  /** The first filter, in the scheduler's order, that refuses VM `v` on host `h` now, and its rejection. */
  rejection(v: number, h: number): { filter: PlacementFilter; rejection: PlacementRejection } | undefined {
    const demand = this.vms[v]!.demand;
    const host = this.hosts[h]!;
    const dimensions = this.#filters.dimensions;
    const use = this.#use[v]!;
    let capacityIndex = 0;
    for (const filter of this.#filters.all) {
      let rejection: PlacementRejection | undefined;
      if (filter.kind === 'host') rejection = filter.check(demand, host);
      else if (filter.kind === 'capacity') {
        const offset = this.#filters.offsets[capacityIndex]!;
        capacityIndex += 1;
        for (let d = 0; d < filter.dimensions.length && rejection === undefined; d += 1) {
          const k = offset + d;
          if (use[k]! > 0 && use[k]! > this.#room[h * dimensions + k]!)
            rejection = filter.rejection(demand, d);
        }
      } else if (filter.kind === 'anti-affinity') {
        const group = filter.group(demand);
        if (group !== undefined && filter.residents(host).includes(group))
          rejection = filter.rejection(group);
      }
      if (rejection !== undefined) return { filter, rejection };
    }
    return undefined;
  }

  /** True when every filter lets VM `v` onto host `h` now (never its own host). */
  fits(v: number, h: number): boolean {
    if (this.hostOf[v] === h || this.#eligibility(v)[h] === 0) return false;
    const dimensions = this.#filters.dimensions;
    const use = this.#use[v]!;
    const room = this.#room;
    for (let k = 0; k < dimensions; k += 1)
      if (use[k]! > 0 && use[k]! > room[h * dimensions + k]!) return false;
    const anti = this.#filters.antiAffinity;
    if (anti !== undefined) {
      const group = anti.group(this.vms[v]!.demand);
      if (group !== undefined && anti.residents(this.hosts[h]!).includes(group)) return false;
    }
    return true;
  }

  /** True when host `h` stays within its limit in every resource with VM `v` added. */
  staysUnder(v: number, h: number): boolean {
    for (let r = 0; r < R; r += 1)
      if (
        this.vmLoad[v * R + r]! > 0 &&
        this.load[h * R + r]! + this.vmLoad[v * R + r]! > this.limit[h * R + r]!
      )
        return false;
    return true;
  }

  /** Host `h`'s load above its limit, as fractions of capacity summed over resources (0 when under). */
  excess(h: number, without = -1): number {
    let total = 0;
    for (let r = 0; r < R; r += 1) {
      const load = this.load[h * R + r]! - (without >= 0 ? this.vmLoad[without * R + r]! : 0);
      const over = load - this.limit[h * R + r]!;
      if (over > 1e-9) total += over / this.capacity[h * R + r]!;
    }
    return total;
  }

  /** Host `h`'s highest load, as a fraction of its limit (above 1 when hot). */
  heat(h: number, plus = -1): number {
    let heat = 0;
    for (let r = 0; r < R; r += 1) {
      const limit = this.limit[h * R + r]!;
      if (limit === Number.POSITIVE_INFINITY) continue;
      const load = this.load[h * R + r]! + (plus >= 0 ? this.vmLoad[plus * R + r]! : 0);
      heat = Math.max(heat, load / limit);
    }
    return heat;
  }

  /**
   * The best host for VM `v` among those `allowed` where every filter lets it in and (when `underLimit`) the host
   * stays within its limit: the one left least loaded (`coolest`) or most loaded (`fullest`); -1 when none.
   */
  destination(
    v: number,
    choice: DestinationChoice,
    underLimit: boolean,
    allowed?: (h: number) => boolean,
  ): number {
    let best = -1;
    let bestHeat = choice === 'coolest' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    for (let h = 0; h < this.hosts.length; h += 1) {
      if ((allowed !== undefined && !allowed(h)) || !this.fits(v, h)) continue;
      if (underLimit && !this.staysUnder(v, h)) continue;
      const heat = this.heat(h, v);
      if (choice === 'coolest' ? heat < bestHeat : heat > bestHeat) {
        best = h;
        bestHeat = heat;
      }
    }
    return best;
  }

  /**
   * Why no allowed host takes VM `v`: the first refusing filter of every host (or its limit), counted, in the
   * filters' own words ("58 hosts lack 4 free vCPUs, 1 host would go over the threshold").
   */
  whyNowhere(v: number, underLimit: boolean, allowed?: (h: number) => boolean): string {
    if (this.pinned[v] !== undefined) return this.pinned[v]!;
    const counts = new Map<string, { describe: (hosts: number) => string; hosts: number }>();
    for (let h = 0; h < this.hosts.length; h += 1) {
      if (h === this.hostOf[v] || (allowed !== undefined && !allowed(h))) continue;
      const refusal = this.rejection(v, h);
      let key: string;
      let describe: (hosts: number) => string;
      if (refusal !== undefined) {
        key = JSON.stringify(refusal.rejection);
        describe = (hosts) => refusal.filter.describe(refusal.rejection, hosts);
      } else if (underLimit && !this.staysUnder(v, h)) {
        key = 'threshold';
        describe = (hosts) => `${hosts === 1 ? '1 host' : `${hosts} hosts`} would go over the threshold`;
      } else continue;
      const entry = counts.get(key);
      if (entry === undefined) counts.set(key, { describe, hosts: 1 });
      else entry.hosts += 1;
    }
    if (counts.size === 0) return 'no other host may take it';
    return [...counts.values()]
      .sort((a, b) => b.hosts - a.hosts)
      .map((entry) => entry.describe(entry.hosts))
      .join(', ');
  }

  /** Moves VM `v` to host `h`: allocation, VM count, groups, room and load of both hosts. */
  move(v: number, h: number): void {
    const from = this.hostOf[v]!;
    const demand = this.vms[v]!.demand;
    const source = this.hosts[from]!;
    const target = this.hosts[h]!;
    for (const [r, dimension] of RESOURCE_DIMENSIONS.entries()) {
      const amount = demand.resources[dimension] ?? 0;
      source.allocated[dimension] -= amount;
      target.allocated[dimension] += amount;
      this.load[from * R + r]! -= this.vmLoad[v * R + r]!;
      this.load[h * R + r]! += this.vmLoad[v * R + r]!;
    }
    source.vmCount -= 1;
    target.vmCount += 1;
    const anti = this.#filters.antiAffinity?.group(demand);
    removeOne(source.antiAffinityGroups, anti);
    if (anti !== undefined) target.antiAffinityGroups!.push(anti);
    const group = this.#filters.affinity?.group(demand);
    removeOne(source.affinityGroups, group);
    if (group !== undefined) target.affinityGroups!.push(group);
    const list = this.residents[from]!;
    list.splice(list.indexOf(v), 1);
    this.residents[h]!.push(v);
    this.hostOf[v] = h;
    this.#refreshRoom(from);
    this.#refreshRoom(h);
  }
}
