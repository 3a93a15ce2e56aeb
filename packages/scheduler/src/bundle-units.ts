import type { BatchUnit } from './batch-units.js';
import type { CompiledFilters } from './compiled-filters.js';
import type { FleetState } from './fleet-state.js';

/** Largest share of the largest host's room, in any dimension, a bundle may take. */
const BUNDLE_LIMIT = 0.5;
/** Skews closer to 0 than this count as balanced. */
const EPSILON = 1e-9;

/** Partners of one class, by increasing skew towards the anchors' opposite. */
interface Pool {
  row: Uint8Array;
  units: BatchUnit[];
}

/** True when every host `inner` allows, `outer` allows too. */
function within(inner: Uint8Array, outer: Uint8Array): boolean {
  for (let host = 0; host < inner.length; host += 1) if (inner[host] === 1 && outer[host] === 0) return false;
  return true;
}

/**
 * Bundles VMs of complementary shapes into one packer item, so that the greedy packer sees items shaped like the
 * hosts. Sorted by size, a VM mix arrives in runs of one shape, and runs of CPU-heavy VMs fill hosts' CPUs with
 * memory left over (and the reverse); a bundle of one memory-heavy VM and enough CPU-heavy ones uses the two
 * binding resources in about the fleet's proportion.
 *
 * The binding resources are the two capacity dimensions with the largest total demand relative to the largest
 * host's room. Each VM of the scarcer side (the anchor) takes VMs of the other side until balanced. Only single
 * VMs outside affinity groups are bundled; a partner must be allowed by the host filters on every host the anchor
 * is (so the bundle may go exactly where its anchor may, and each partner may too); at most one VM of a bundle is
 * in an anti-affinity group (the bundle's `demand` is that VM, so the bundle carries its group). A bundle takes at
 * most half the largest host in any dimension. VMs of a bundle that finds no host are retried alone.
 */
export function bundleUnits(
  filters: CompiledFilters,
  state: FleetState,
  units: readonly BatchUnit[],
): BatchUnit[] {
  const dims = filters.dimensions;
  if (dims < 2) return [...units];
  const hostCount = state.hosts.length;
  const scale = new Float64Array(dims);
  for (let k = 0; k < dims; k += 1) {
    let largest = 0;
    for (let host = 0; host < hostCount; host += 1) largest = Math.max(largest, state.room[host * dims + k]!);
    scale[k] = largest > 0 ? 1 / largest : 0;
  }
  const total = new Float64Array(dims);
  for (const unit of units) for (let k = 0; k < dims; k += 1) total[k]! += unit.use[k]! * scale[k]!;
  const order = [...total.keys()].sort((a, b) => total[b]! - total[a]! || a - b);
  const [first, second] = order as [number, number];
  if (!(total[second]! > 0)) return [...units];
  const skew = (unit: BatchUnit) => unit.use[first]! * scale[first]! - unit.use[second]! * scale[second]!;
  const grouped = (unit: BatchUnit) => filters.antiAffinity?.group(unit.demand) !== undefined;

  const result: BatchUnit[] = [];
  const positive: BatchUnit[] = [];
  const negative: BatchUnit[] = [];
  for (const unit of units) {
    const value =
      unit.kind === 'single' && filters.affinity?.group(unit.demand) === undefined ? skew(unit) : 0;
    if (value > EPSILON) positive.push(unit);
    else if (value < -EPSILON) negative.push(unit);
    else result.push(unit);
  }
  const [anchors, partners, sign] =
    negative.length <= positive.length ? [negative, positive, 1] : [positive, negative, -1];
  // Partners in pools by class, each by increasing sign * skew; anchors from the most skewed.
  const pools = new Map<string, Pool>();
  for (const unit of partners.sort((a, b) => sign * (skew(a) - skew(b)))) {
    const key = state.classKey(unit.demand);
    const pool = pools.get(key);
    if (pool === undefined) pools.set(key, { row: state.eligibility(unit.demand), units: [unit] });
    else pool.units.push(unit);
  }
  const compatible = new Map<string, Pool[]>();
  for (const anchor of anchors.sort((a, b) => sign * (skew(a) - skew(b)))) {
    const key = state.classKey(anchor.demand);
    let usable = compatible.get(key);
    if (usable === undefined) {
      const row = state.eligibility(anchor.demand);
      usable = [...pools.values()].filter((pool) => within(row, pool.row));
      compatible.set(key, usable);
    }
    result.push(bundleAround(anchor, usable, (unit) => sign * skew(unit), grouped, scale));
  }
  for (const pool of pools.values()) result.push(...pool.units);
  return result;
}

/**
 * One bundle: `anchor` plus partners taken from `pools` (the largest whose skew does not overshoot what is still
 * needed, else the smallest), until balanced, full, or a second VM of an anti-affinity group would join.
 */
function bundleAround(
  anchor: BatchUnit,
  pools: Pool[],
  lean: (unit: BatchUnit) => number,
  grouped: (unit: BatchUnit) => boolean,
  scale: Float64Array,
): BatchUnit {
  const members = [anchor];
  let carrier = grouped(anchor) ? anchor : undefined;
  const use = Float64Array.from(anchor.use);
  let need = -lean(anchor);
  while (need > EPSILON) {
    let best: { pool: Pool; index: number } | undefined;
    for (const pool of pools) {
      if (pool.units.length === 0) continue;
      let low = 0;
      let high = pool.units.length - 1;
      let index = 0;
      while (low <= high) {
        const middle = (low + high) >> 1;
        if (lean(pool.units[middle]!) <= need + EPSILON) {
          index = middle;
          low = middle + 1;
        } else high = middle - 1;
      }
      const value = lean(pool.units[index]!);
      const current = best === undefined ? undefined : lean(best.pool.units[best.index]!);
      const under = value <= need + EPSILON;
      const currentUnder = current !== undefined && current <= need + EPSILON;
      if (
        current === undefined ||
        (under && (!currentUnder || value > current)) ||
        (!under && !currentUnder && value < current)
      )
        best = { pool, index };
    }
    if (best === undefined) break;
    const partner = best.pool.units[best.index]!;
    if (carrier !== undefined && grouped(partner)) break;
    let fits = true;
    for (let k = 0; k < use.length; k += 1)
      if ((use[k]! + partner.use[k]!) * scale[k]! > BUNDLE_LIMIT) fits = false;
    if (!fits) break;
    members.push(partner);
    if (grouped(partner)) carrier = partner;
    for (let k = 0; k < use.length; k += 1) use[k]! += partner.use[k]!;
    need -= lean(partner);
    best.pool.units.splice(best.index, 1);
  }
  if (members.length === 1) return anchor;
  return {
    kind: 'bundle',
    members: members.flatMap((member) => member.members),
    indexes: members.flatMap((member) => member.indexes),
    demand: (carrier ?? anchor).demand,
    use,
    conflict: undefined,
  };
}
