/**
 * Reference first-fit-decreasing for identical bins: items by decreasing sum of capacity-normalised
 * sizes, each into the first open bin where it fits, else a new bin. The comparison baseline.
 */
export function firstFitDecreasing(items: Float64Array, capacity: Float64Array, dims: number): number {
  const count = items.length / dims;
  const size = (item: number) => {
    let total = 0;
    for (let k = 0; k < dims; k += 1) total += capacity[k]! > 0 ? items[item * dims + k]! / capacity[k]! : 0;
    return total;
  };
  const order = Array.from({ length: count }, (_, item) => item).sort((a, b) => size(b) - size(a) || a - b);
  const loads: Float64Array[] = [];
  for (const item of order) {
    let placed = false;
    for (const load of loads) {
      let fits = true;
      for (let k = 0; k < dims; k += 1) {
        if (load[k]! + items[item * dims + k]! > capacity[k]!) {
          fits = false;
          break;
        }
      }
      if (fits) {
        for (let k = 0; k < dims; k += 1) load[k]! += items[item * dims + k]!;
        placed = true;
        break;
      }
    }
    if (!placed) loads.push(Float64Array.from({ length: dims }, (_, k) => items[item * dims + k]!));
  }
  return loads.length;
}
