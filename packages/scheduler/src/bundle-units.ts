import type { BatchUnit } from './batch-units.js';
import type { CompiledFilters } from './compiled-filters.js';
import type { FleetState } from './fleet-state.js';

/** Largest share of the largest host's room, in any dimension, a bundle may take. */
const BUNDLE_LIMIT = 0.5;
/** Skews closer to 0 than this count as balanced. */
const EPSILON = 1e-9;

/**
 * Bundles VMs of complementary shapes into one packer item, so that the greedy packer sees items shaped like the
 * hosts. Sorted by size, a VM mix arrives in runs of one shape, and runs of CPU-heavy VMs fill hosts' CPUs with
 * memory left over (and the reverse); a bundle of one memory-heavy VM and enough CPU-heavy ones uses the two
 * binding resources in about the fleet's proportion.
 *
 * The binding resources are the two capacity dimensions with the largest total demand relative to the largest
 * host's room. Only single VMs outside affinity groups are bundled, only with VMs of the same class (the same
 * verdict from every host filter), and at most one VM of a bundle is in an anti-affinity group (the bundle's
 * `demand` is that VM, so the bundle carries its group); so a bundle may go exactly where each of its VMs may. A
 * bundle takes at most half the largest host in any dimension. VMs of a bundle that finds no host are retried
 * alone.
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
  const bundleable = (unit: BatchUnit) =>
    unit.kind === 'single' && filters.affinity?.group(unit.demand) === undefined;
  const grouped = (unit: BatchUnit) => filters.antiAffinity?.group(unit.demand) !== undefined;

  const byClass = new Map<string, BatchUnit[]>();
  const result: BatchUnit[] = [];
  for (const unit of units) {
    if (!bundleable(unit)) {
      result.push(unit);
      continue;
    }
    const key = state.classKey(unit.demand);
    const list = byClass.get(key);
    if (list === undefined) byClass.set(key, [unit]);
    else list.push(unit);
  }
  for (const members of byClass.values()) result.push(...bundleClass(members, skew, grouped, scale));
  return result;
}

/**
 * Bundles within one class: each unit of the scarcer side takes units of the other side until balanced, at most
 * one of them in an anti-affinity group (the bundle then carries that group).
 */
function bundleClass(
  units: BatchUnit[],
  skew: (unit: BatchUnit) => number,
  grouped: (unit: BatchUnit) => boolean,
  scale: Float64Array,
): BatchUnit[] {
  const positive = units.filter((unit) => skew(unit) > EPSILON).sort((a, b) => skew(a) - skew(b));
  const negative = units.filter((unit) => skew(unit) < -EPSILON).sort((a, b) => skew(b) - skew(a));
  const balanced = units.filter((unit) => Math.abs(skew(unit)) <= EPSILON);
  const [anchors, partners, sign] =
    negative.length <= positive.length ? [negative, positive, 1] : [positive, negative, -1];
  const result: BatchUnit[] = [...balanced];
  for (const anchor of anchors.reverse()) {
    const members = [anchor];
    let carrier = grouped(anchor) ? anchor : undefined;
    const use = Float64Array.from(anchor.use);
    let need = -sign * skew(anchor);
    while (need > EPSILON && partners.length > 0) {
      // The largest partner whose skew does not overshoot what is needed, else the smallest.
      let low = 0;
      let high = partners.length - 1;
      let pick = 0;
      while (low <= high) {
        const middle = (low + high) >> 1;
        if (sign * skew(partners[middle]!) <= need + EPSILON) {
          pick = middle;
          low = middle + 1;
        } else high = middle - 1;
      }
      const partner = partners[pick]!;
      if (carrier !== undefined && grouped(partner)) break;
      let fits = true;
      for (let k = 0; k < use.length; k += 1)
        if ((use[k]! + partner.use[k]!) * scale[k]! > BUNDLE_LIMIT) fits = false;
      if (!fits) break;
      members.push(partner);
      if (grouped(partner)) carrier = partner;
      for (let k = 0; k < use.length; k += 1) use[k]! += partner.use[k]!;
      need -= sign * skew(partner);
      partners.splice(pick, 1);
    }
    result.push(
      members.length === 1
        ? anchor
        : {
            kind: 'bundle',
            members: members.flatMap((member) => member.members),
            indexes: members.flatMap((member) => member.indexes),
            demand: (carrier ?? anchor).demand,
            use,
            conflict: undefined,
          },
    );
  }
  result.push(...partners);
  return result;
}
