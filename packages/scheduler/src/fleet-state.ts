import {
  type PlacementDemand,
  type PlacementHost,
  type PlacementReason,
  type PlacementRejection,
  RESOURCE_DIMENSIONS,
  type UnplacedDemand,
} from '@novacron/core';
import type { CompiledFilters } from './compiled-filters.js';
import type { FleetView } from './placement-scorer.js';
import type { PlacementUnit } from './placement-unit.js';

const RESOURCES = RESOURCE_DIMENSIONS.length;

function addHost(map: Map<string, number[]>, group: string, host: number): void {
  const hosts = map.get(group);
  if (hosts === undefined) map.set(group, [host]);
  else if (!hosts.includes(host)) hosts.push(host);
}

/**
 * The fleet while a request is placed: room and load per capacity dimension, which hosts hold which groups, and
 * the static eligibility of each class of VMs (cached). Every filter is evaluated here, so the filter/score loop,
 * the batch packer's input and the explanations read one definition of each constraint.
 */
export class FleetState implements FleetView {
  readonly hosts: readonly PlacementHost[];
  readonly allocated: Float64Array;
  readonly allocatable: Float64Array;
  readonly vmCount: Int32Array;
  /** Room per host and capacity dimension before the request (negative room counted as 0). */
  readonly room: Float64Array;
  /** Capacity use placed by this request, per host and dimension. */
  readonly load: Float64Array;
  /** Host indexes holding each anti-affinity group. */
  readonly antiAffinityHosts = new Map<string, number[]>();
  /** Host indexes holding each affinity group. */
  readonly affinityHosts = new Map<string, number[]>();
  readonly #filters: CompiledFilters;
  readonly #rows = new Map<string, Uint8Array>();
  readonly #blocked: Int32Array;
  #stamp = 0;

  constructor(filters: CompiledFilters, hosts: readonly PlacementHost[]) {
    this.#filters = filters;
    this.hosts = hosts;
    const count = hosts.length;
    const dimensions = filters.dimensions;
    this.allocated = new Float64Array(count * RESOURCES);
    this.allocatable = new Float64Array(count * RESOURCES);
    this.vmCount = new Int32Array(count);
    this.room = new Float64Array(count * dimensions);
    this.load = new Float64Array(count * dimensions);
    this.#blocked = new Int32Array(count);
    hosts.forEach((host, index) => {
      RESOURCE_DIMENSIONS.forEach((dimension, k) => {
        this.allocated[index * RESOURCES + k] = host.allocated[dimension];
        this.allocatable[index * RESOURCES + k] = host.allocatable[dimension];
      });
      this.vmCount[index] = host.vmCount;
      filters.capacity.forEach((filter, position) => {
        const room = filter.room(host);
        if (room.length !== filter.dimensions.length)
          throw new TypeError(
            `Filter '${filter.name}': room() returned ${room.length} values for ${filter.dimensions.length} dimensions.`,
          );
        room.forEach((value, dimension) => {
          if (Number.isNaN(value))
            throw new TypeError(`Filter '${filter.name}': room() returned NaN for host '${host.id}'.`);
          this.room[index * dimensions + filters.offsets[position]! + dimension] = Math.max(0, value);
        });
      });
      if (filters.antiAffinity !== undefined)
        for (const group of filters.antiAffinity.residents(host))
          addHost(this.antiAffinityHosts, group, index);
      if (filters.affinity !== undefined)
        for (const group of filters.affinity.residents(host)) addHost(this.affinityHosts, group, index);
    });
  }

  /** The key of `demand`'s class: demands with one key pass the host filters on the same hosts. */
  classKey(demand: PlacementDemand): string {
    let key = '';
    for (const filter of this.#filters.host) key += `${filter.classKey(demand)}\u0000`;
    return key;
  }

  /** Per host, 1 when every host filter lets `demand` in (cached per class). */
  eligibility(demand: PlacementDemand): Uint8Array {
    const key = this.classKey(demand);
    let row = this.#rows.get(key);
    if (row === undefined) {
      row = new Uint8Array(this.hosts.length);
      for (let host = 0; host < row.length; host += 1) {
        row[host] = this.#filters.host.every(
          (filter) => filter.check(demand, this.hosts[host]!) === undefined,
        )
          ? 1
          : 0;
      }
      this.#rows.set(key, row);
    }
    return row;
  }

  /**
   * Writes into `out` the indexes of the hosts that pass every filter for the single VM `demand` (whose capacity
   * use is `use`), in fleet order, stopping after `limit` of them; returns how many it wrote.
   */
  candidates(demand: PlacementDemand, use: Float64Array, out: Int32Array, limit: number): number {
    const row = this.eligibility(demand);
    const dimensions = this.#filters.dimensions;
    const { room, load } = this;
    const blocked = this.#blocked;
    this.#stamp += 1;
    const stamp = this.#stamp;
    const antiGroup = this.#filters.antiAffinity?.group(demand);
    if (antiGroup !== undefined)
      for (const host of this.antiAffinityHosts.get(antiGroup) ?? []) blocked[host] = stamp;
    const affinityGroup = this.#filters.affinity?.group(demand);
    const pinned = affinityGroup === undefined ? undefined : this.affinityHosts.get(affinityGroup);
    let count = 0;
    if (pinned === undefined) {
      for (let host = 0; host < row.length && count < limit; host += 1) {
        if (row[host] === 0 || blocked[host] === stamp) continue;
        const base = host * dimensions;
        let fits = true;
        for (let k = 0; k < dimensions; k += 1) {
          if (load[base + k]! + use[k]! > room[base + k]!) {
            fits = false;
            break;
          }
        }
        if (fits) out[count++] = host;
      }
    } else {
      for (const host of [...pinned].sort((a, b) => a - b)) {
        if (count < limit && row[host] !== 0 && blocked[host] !== stamp && this.#fits(host, use))
          out[count++] = host;
      }
    }
    return count;
  }

  #fits(host: number, use: Float64Array): boolean {
    const dimensions = this.#filters.dimensions;
    for (let k = 0; k < dimensions; k += 1)
      if (this.load[host * dimensions + k]! + use[k]! > this.room[host * dimensions + k]!) return false;
    return true;
  }

  /** The first filter, in the scheduler's order, that rules `host` out for `unit`; `undefined` when none does. */
  rejection(unit: PlacementUnit, host: number): PlacementRejection | undefined {
    const dimensions = this.#filters.dimensions;
    let capacityIndex = 0;
    for (const filter of this.#filters.all) {
      if (filter.kind === 'host') {
        for (const member of unit.members) {
          const rejection = filter.check(member, this.hosts[host]!);
          if (rejection !== undefined) return rejection;
        }
      } else if (filter.kind === 'capacity') {
        const offset = this.#filters.offsets[capacityIndex]!;
        capacityIndex += 1;
        for (let dimension = 0; dimension < filter.dimensions.length; dimension += 1) {
          const k = offset + dimension;
          if (this.load[host * dimensions + k]! + unit.use[k]! > this.room[host * dimensions + k]!)
            return filter.rejection(unit.demand, dimension);
        }
      } else if (filter.kind === 'anti-affinity') {
        for (const member of unit.members) {
          const group = filter.group(member);
          if (group !== undefined && this.antiAffinityHosts.get(group)?.includes(host))
            return filter.rejection(group);
        }
      } else {
        const group = filter.group(unit.members[0]!);
        const pinned = group === undefined ? undefined : this.affinityHosts.get(group);
        if (group !== undefined && pinned !== undefined && !pinned.includes(host))
          return filter.rejection(group);
      }
    }
    return undefined;
  }

  /** Records `unit` on `host`. */
  commit(unit: PlacementUnit, host: number): void {
    const dimensions = this.#filters.dimensions;
    for (let k = 0; k < dimensions; k += 1) this.load[host * dimensions + k]! += unit.use[k]!;
    for (const member of unit.members) {
      RESOURCE_DIMENSIONS.forEach((dimension, k) => {
        this.allocated[host * RESOURCES + k]! += member.resources[dimension] ?? 0;
      });
      this.vmCount[host]! += 1;
      const antiGroup = this.#filters.antiAffinity?.group(member);
      if (antiGroup !== undefined) addHost(this.antiAffinityHosts, antiGroup, host);
      const affinityGroup = this.#filters.affinity?.group(member);
      if (affinityGroup !== undefined) addHost(this.affinityHosts, affinityGroup, host);
    }
  }

  /** Why no host can take `unit`: the first rejecting filter of every host, grouped and counted, as data and text. */
  explain(unit: PlacementUnit): PlacementReason[] {
    const byCause = new Map<string, PlacementReason>();
    let accepting = 0;
    for (let host = 0; host < this.hosts.length; host += 1) {
      const rejection = this.rejection(unit, host);
      if (rejection === undefined) {
        accepting += 1;
        continue;
      }
      const key = JSON.stringify(rejection);
      const reason = byCause.get(key);
      if (reason === undefined) byCause.set(key, { rejection, hosts: 1, text: '' });
      else reason.hosts += 1;
    }
    const reasons = [...byCause.values()];
    for (const reason of reasons) {
      const filter = this.#filters.all.find((candidate) => candidate.name === reason.rejection.filter);
      reason.text = filter?.describe(reason.rejection, reason.hosts) ?? JSON.stringify(reason.rejection);
    }
    if (accepting > 0) {
      // The packer's greedy order left the unit out while some hosts pass every filter on the final fleet.
      reasons.push({
        rejection: { filter: 'packer' },
        hosts: accepting,
        text: `the packer found no room on ${accepting === 1 ? '1 host' : `${accepting} hosts`} that pass every filter`,
      });
    }
    if (this.hosts.length === 0)
      reasons.push({ rejection: { filter: 'fleet', empty: true }, hosts: 0, text: 'the fleet has no hosts' });
    return reasons.sort((a, b) => b.hosts - a.hosts);
  }
}

/**
 * The unplaced entry of every member of `unit`, from the reasons of {@link FleetState.explain}.
 *
 * @example
 * unplacedMembers(unit, reasons)[0]!.explanation; // "db-3: 12 hosts lack 4 free GPUs, 3 hosts are in maintenance"
 */
export function unplacedMembers(unit: PlacementUnit, reasons: PlacementReason[]): UnplacedDemand[] {
  const sentence = reasons.map((reason) => reason.text).join(', ');
  return unit.members.map((member) => ({
    key: member.key,
    reasons,
    explanation:
      unit.members.length === 1 && unit.demand === member
        ? `${member.key}: ${sentence}`
        : `${member.key} (affinity group ${unit.demand.key}, ${unit.members.length} VMs on one host): ${sentence}`,
  }));
}
