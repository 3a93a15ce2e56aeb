import type { PlacementDemand } from '@novacron/core';
import type { CapacityFilter, GroupFilter, HostFilter, PlacementFilter } from './placement-filter.js';

/** A scheduler's filters sorted by kind, checked once at creation. */
export interface CompiledFilters {
  /** Every filter in the caller's order (the order rejections are reported in). */
  readonly all: readonly PlacementFilter[];
  /** The host filters. */
  readonly host: readonly HostFilter[];
  /** The capacity filters. */
  readonly capacity: readonly CapacityFilter[];
  /** Total dimensions of the capacity filters. */
  readonly dimensions: number;
  /** First dimension of each capacity filter. */
  readonly offsets: readonly number[];
  /** The anti-affinity filter, if any. */
  readonly antiAffinity: GroupFilter | undefined;
  /** The affinity filter, if any. */
  readonly affinity: GroupFilter | undefined;
}

const KINDS = new Set(['host', 'capacity', 'anti-affinity', 'affinity']);

/**
 * Sorts `filters` by kind; a `TypeError` for a filter that is not one (no name, unknown kind, a name used twice,
 * two anti-affinity or two affinity filters).
 *
 * @example
 * compileFilters([hostState(), resourceFit()]).dimensions; // 4
 */
export function compileFilters(filters: readonly PlacementFilter[]): CompiledFilters {
  if (!Array.isArray(filters)) throw new TypeError('createScheduler: filters must be an array of filters.');
  const names = new Set<string>();
  const host: HostFilter[] = [];
  const capacity: CapacityFilter[] = [];
  const offsets: number[] = [];
  let dimensions = 0;
  let antiAffinity: GroupFilter | undefined;
  let affinity: GroupFilter | undefined;
  filters.forEach((filter, index) => {
    const where = `createScheduler: filters[${index}]`;
    if (
      typeof filter !== 'object' ||
      filter === null ||
      typeof filter.name !== 'string' ||
      filter.name === ''
    )
      throw new TypeError(`${where} must be a filter object with a non-empty name.`);
    if (!KINDS.has(filter.kind))
      throw new TypeError(
        `${where} ('${filter.name}') has kind '${String(filter.kind)}'; use ${[...KINDS].join(', ')}.`,
      );
    if (names.has(filter.name))
      throw new TypeError(`${where}: the name '${filter.name}' is used twice; filter names must be unique.`);
    names.add(filter.name);
    if (filter.kind === 'host') host.push(filter);
    else if (filter.kind === 'capacity') {
      offsets.push(dimensions);
      dimensions += filter.dimensions.length;
      capacity.push(filter);
    } else if (filter.kind === 'anti-affinity') {
      if (antiAffinity !== undefined)
        throw new TypeError(
          `${where}: a scheduler takes one anti-affinity filter; '${antiAffinity.name}' is one.`,
        );
      antiAffinity = filter;
    } else {
      if (affinity !== undefined)
        throw new TypeError(`${where}: a scheduler takes one affinity filter; '${affinity.name}' is one.`);
      affinity = filter;
    }
  });
  return { all: filters, host, capacity, dimensions, offsets, antiAffinity, affinity };
}

/**
 * What `demand` uses in every capacity dimension, in filter order; a `TypeError` naming the filter when one
 * returns a wrong length or a value that is not a finite number >= 0.
 *
 * @example
 * demandUse(compileFilters([resourceFit()]), { key: 'a', resources: { vcpus: 2, memoryMiB: 512 } }); // [2, 512, 0, 0]
 */
export function demandUse(filters: CompiledFilters, demand: PlacementDemand): Float64Array {
  const use = new Float64Array(filters.dimensions);
  filters.capacity.forEach((filter, index) => {
    const values = filter.use(demand);
    if (values.length !== filter.dimensions.length)
      throw new TypeError(
        `Filter '${filter.name}': use() returned ${values.length} values for ${filter.dimensions.length} dimensions.`,
      );
    values.forEach((value, dimension) => {
      if (!(Number.isFinite(value) && value >= 0))
        throw new TypeError(
          `Filter '${filter.name}': use() returned ${value} for '${filter.dimensions[dimension]}' of '${demand.key}'; it must be a finite number >= 0.`,
        );
      use[filters.offsets[index]! + dimension] = value;
    });
  });
  return use;
}
