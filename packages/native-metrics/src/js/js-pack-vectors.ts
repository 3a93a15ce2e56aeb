// biome-ignore-all lint/complexity/useMathMinMax: comparisons mirror the Rust code exactly (NaN and signed-zero behaviour), which Math.min/Math.max would not.
import type { PackInput, PackResult } from '../metrics-backend.js';
import { type CheckedPackInput, checkPackInput } from '../pack-input.js';

/**
 * Local-search budget in (item, bin) evaluations: a count, not a clock, so the result is
 * deterministic and the same as the native backend's.
 */
const IMPROVE_BUDGET = 30_000_000;
/** Largest item count for the quadratic bin-centric heuristics. */
const BIN_CENTRIC_LIMIT = 3_000;

type SortKey = 'l1' | 'l2' | 'linf';
type Rule = 'first-fit' | 'best-fit-l1' | 'best-fit-l2' | 'dot-product';

interface Context {
  n: number;
  m: number;
  d: number;
  demand: Float64Array;
  capacity: Float64Array;
  scale: Float64Array;
  groups: Int32Array | undefined;
  itemClass: Int32Array | undefined;
  allowed: Uint8Array | undefined;
  size: Float64Array;
  binOrder: number[];
  groupCount: number;
}

function eligible(context: Context, item: number, bin: number): boolean {
  const classes = context.itemClass;
  if (classes === undefined || context.allowed === undefined) return true;
  const itemClass = classes[item]!;
  return itemClass < 0 || context.allowed[itemClass * context.m + bin] !== 0;
}

function groupOf(context: Context, item: number): number {
  return context.groups === undefined ? -1 : context.groups[item]!;
}

function sortKey(context: Context, item: number, key: SortKey): number {
  let value = 0;
  for (let k = 0; k < context.d; k += 1) {
    const size = context.demand[item * context.d + k]! * context.scale[k]!;
    if (key === 'l1') value = value + size;
    else if (key === 'l2') value = value + size * size;
    else value = size > value ? size : value;
  }
  return value;
}

function orderBy(context: Context, key: SortKey): number[] {
  const keys = new Float64Array(context.n);
  for (let item = 0; item < context.n; item += 1) keys[item] = sortKey(context, item, key);
  const order = Array.from({ length: context.n }, (_, item) => item);
  order.sort((a, b) => (keys[b]! > keys[a]! ? 1 : keys[b]! < keys[a]! ? -1 : a - b));
  return order;
}

/**
 * Interleaved order (mirror of `order_interleaved` in `src/pack.rs`): items grouped by their
 * dominant dimension (largest demand relative to that dimension's total demand), each group by
 * decreasing L1 size, merged by always taking the group whose dominant dimension has had the
 * smallest share of its total demand so far; runs of one shape alternate with complementary ones.
 */
function orderInterleaved(context: Context): number[] {
  const d = context.d;
  const total = new Float64Array(d);
  for (let item = 0; item < context.n; item += 1) {
    for (let k = 0; k < d; k += 1) total[k]! += context.demand[item * d + k]! * context.scale[k]!;
  }
  const groups: number[][] = Array.from({ length: d }, () => []);
  for (const item of orderBy(context, 'l1')) {
    let dominant = 0;
    let largest = -1;
    for (let k = 0; k < d; k += 1) {
      const share = total[k]! > 0 ? (context.demand[item * d + k]! * context.scale[k]!) / total[k]! : 0;
      if (share > largest) {
        largest = share;
        dominant = k;
      }
    }
    groups[dominant]!.push(item);
  }
  const taken = new Float64Array(d);
  const next = new Array<number>(d).fill(0);
  const order: number[] = [];
  while (order.length < context.n) {
    let pick = -1;
    for (let k = 0; k < d; k += 1) {
      if (next[k]! < groups[k]!.length && (pick < 0 || taken[k]! < taken[pick]!)) pick = k;
    }
    const item = groups[pick]![next[pick]!]!;
    next[pick]! += 1;
    taken[pick]! += (context.demand[item * d + pick]! * context.scale[pick]!) / total[pick]!;
    order.push(item);
  }
  return order;
}

class State {
  load: Float64Array;
  assignment: Int32Array;
  binItems: number[][];
  open: number[];
  blockedStamp: Float64Array;
  stamp = 0;
  groupBins: number[][];

  constructor(readonly context: Context) {
    this.load = new Float64Array(context.m * context.d);
    this.assignment = new Int32Array(context.n).fill(-1);
    this.binItems = Array.from({ length: context.m }, () => []);
    this.open = [];
    this.blockedStamp = new Float64Array(context.m);
    this.groupBins = Array.from({ length: context.groupCount }, () => []);
  }

  clone(): State {
    const copy = new State(this.context);
    copy.load.set(this.load);
    copy.assignment.set(this.assignment);
    copy.binItems = this.binItems.map((items) => items.slice());
    copy.open = this.open.slice();
    copy.groupBins = this.groupBins.map((bins) => bins.slice());
    copy.stamp = this.stamp;
    copy.blockedStamp.set(this.blockedStamp);
    return copy;
  }

  fits(item: number, bin: number): boolean {
    const { d, demand, capacity } = this.context;
    for (let k = 0; k < d; k += 1) {
      if (this.load[bin * d + k]! + demand[item * d + k]! > capacity[bin * d + k]!) return false;
    }
    return true;
  }

  stampBlocked(item: number): void {
    this.stamp += 1;
    const group = groupOf(this.context, item);
    if (group >= 0) for (const bin of this.groupBins[group]!) this.blockedStamp[bin] = this.stamp;
  }

  blocked(bin: number): boolean {
    return this.blockedStamp[bin] === this.stamp;
  }

  place(item: number, bin: number): void {
    const { d, demand } = this.context;
    for (let k = 0; k < d; k += 1) this.load[bin * d + k]! += demand[item * d + k]!;
    const items = this.binItems[bin]!;
    if (items.length === 0) this.open.push(bin);
    items.push(item);
    this.assignment[item] = bin;
    const group = groupOf(this.context, item);
    if (group >= 0) this.groupBins[group]!.push(bin);
  }

  remove(item: number): void {
    const bin = this.assignment[item]!;
    const { d, demand } = this.context;
    for (let k = 0; k < d; k += 1) this.load[bin * d + k]! -= demand[item * d + k]!;
    const items = this.binItems[bin]!;
    items.splice(items.indexOf(item), 1);
    if (items.length === 0) {
      for (let k = 0; k < d; k += 1) this.load[bin * d + k] = 0;
      this.open.splice(this.open.indexOf(bin), 1);
    }
    this.assignment[item] = -1;
    const group = groupOf(this.context, item);
    if (group >= 0) {
      const bins = this.groupBins[group]!;
      bins.splice(bins.indexOf(bin), 1);
    }
  }

  unplaced(): number {
    let count = 0;
    for (const bin of this.assignment) if (bin < 0) count += 1;
    return count;
  }

  residual(item: number, bin: number, squared: boolean): number {
    const { d, demand, capacity, scale } = this.context;
    let total = 0;
    for (let k = 0; k < d; k += 1) {
      const rest = (capacity[bin * d + k]! - this.load[bin * d + k]! - demand[item * d + k]!) * scale[k]!;
      total += squared ? rest * rest : rest;
    }
    return total;
  }

  /** Minus the dot product of the item's demand and the bin's free capacity, both normalised (shape alignment). */
  alignment(item: number, bin: number): number {
    const { d, demand, capacity, scale } = this.context;
    let dot = 0;
    for (let k = 0; k < d; k += 1) {
      const free = (capacity[bin * d + k]! - this.load[bin * d + k]!) * scale[k]!;
      dot += demand[item * d + k]! * scale[k]! * free;
    }
    return -dot;
  }

  openNewBin(item: number): number {
    for (const bin of this.context.binOrder) {
      if (this.binItems[bin]!.length === 0 && eligible(this.context, item, bin) && this.fits(item, bin))
        return bin;
    }
    return -1;
  }
}

function better(candidate: State, best: State): boolean {
  const a = candidate.unplaced();
  const b = best.unplaced();
  return a < b || (a === b && candidate.open.length < best.open.length);
}

function itemCentric(context: Context, order: number[], rule: Rule): State {
  const state = new State(context);
  const { d, demand, capacity } = context;
  const suffixMin = new Float64Array((order.length + 1) * d).fill(Number.POSITIVE_INFINITY);
  for (let position = order.length - 1; position >= 0; position -= 1) {
    const item = order[position]!;
    for (let k = 0; k < d; k += 1) {
      const value = demand[item * d + k]!;
      const next = suffixMin[(position + 1) * d + k]!;
      suffixMin[position * d + k] = value < next ? value : next;
    }
  }
  let scan: number[] = [];
  for (let position = 0; position < order.length; position += 1) {
    const item = order[position]!;
    if (position % 64 === 0 && position > 0) {
      scan = scan.filter((bin) => {
        for (let k = 0; k < d; k += 1) {
          if (!(state.load[bin * d + k]! + suffixMin[position * d + k]! <= capacity[bin * d + k]!))
            return false;
        }
        return true;
      });
    }
    state.stampBlocked(item);
    let best = -1;
    let bestScore = Number.POSITIVE_INFINITY;
    for (const bin of scan) {
      if (state.blocked(bin) || !eligible(context, item, bin) || !state.fits(item, bin)) continue;
      if (rule === 'first-fit') {
        best = bin;
        break;
      }
      const score =
        rule === 'dot-product'
          ? state.alignment(item, bin)
          : state.residual(item, bin, rule === 'best-fit-l2');
      if (score < bestScore) {
        bestScore = score;
        best = bin;
      }
    }
    if (best < 0) {
      best = state.openNewBin(item);
      if (best < 0) continue;
      scan.push(best);
    }
    state.place(item, best);
  }
  return state;
}

function binCentric(context: Context, order: number[], dotProduct: boolean): State {
  const state = new State(context);
  const { d, demand, capacity, scale } = context;
  const remaining = order.slice();
  for (const bin of context.binOrder) {
    if (remaining.length === 0) break;
    for (;;) {
      let bestPosition = -1;
      let bestScore = Number.POSITIVE_INFINITY;
      for (let position = 0; position < remaining.length; position += 1) {
        const item = remaining[position]!;
        if (!eligible(context, item, bin) || !state.fits(item, bin)) continue;
        const group = groupOf(context, item);
        if (group >= 0 && state.groupBins[group]!.includes(bin)) continue;
        let score: number;
        if (dotProduct) {
          let dot = 0;
          for (let k = 0; k < d; k += 1) {
            const free = (capacity[bin * d + k]! - state.load[bin * d + k]!) * scale[k]!;
            dot += demand[item * d + k]! * scale[k]! * free;
          }
          score = -dot;
        } else {
          score = state.residual(item, bin, true);
        }
        if (score < bestScore) {
          bestScore = score;
          bestPosition = position;
        }
      }
      if (bestPosition < 0) break;
      const item = remaining.splice(bestPosition, 1)[0]!;
      state.place(item, bin);
    }
  }
  return state;
}

function spread(context: Context, order: number[]): State {
  const state = new State(context);
  const { d, m, demand, capacity } = context;
  for (const item of order) {
    state.stampBlocked(item);
    let best = -1;
    let bestPeak = Number.POSITIVE_INFINITY;
    let bestTotal = Number.POSITIVE_INFINITY;
    for (let bin = 0; bin < m; bin += 1) {
      if (state.blocked(bin) || !eligible(context, item, bin) || !state.fits(item, bin)) continue;
      let peak = 0;
      let total = 0;
      for (let k = 0; k < d; k += 1) {
        const binCapacity = capacity[bin * d + k]!;
        if (binCapacity > 0) {
          const share = (state.load[bin * d + k]! + demand[item * d + k]!) / binCapacity;
          peak = share > peak ? share : peak;
          total += share;
        }
      }
      if (peak < bestPeak || (peak === bestPeak && total < bestTotal)) {
        bestPeak = peak;
        bestTotal = total;
        best = bin;
      }
    }
    if (best >= 0) state.place(item, best);
  }
  return state;
}

function eliminateBins(context: Context, start: State, budget: number): State {
  const { d, m, demand, capacity, scale, size } = context;
  let state = start;
  let spent = 0;
  const failed = new Uint8Array(m);
  while (spent < budget) {
    let target = -1;
    let targetFill = Number.POSITIVE_INFINITY;
    for (const bin of state.open) {
      if (failed[bin]) continue;
      let fill = 0;
      for (let k = 0; k < d; k += 1) fill += state.load[bin * d + k]! * scale[k]!;
      if (fill < targetFill || (fill === targetFill && bin < target)) {
        targetFill = fill;
        target = bin;
      }
    }
    if (target < 0) return state;
    const snapshot = state.clone();
    const pending = state.binItems[target]!.slice();
    for (const item of pending) state.remove(item);
    const swapLimit = 8 * pending.length + 32;
    let swaps = 0;
    let success = true;
    while (pending.length > 0) {
      let pick = 0;
      for (let position = 1; position < pending.length; position += 1) {
        const a = pending[position]!;
        const b = pending[pick]!;
        if (size[a]! > size[b]! || (size[a] === size[b] && a < b)) pick = position;
      }
      const item = pending[pick]!;
      pending[pick] = pending[pending.length - 1]!;
      pending.pop();
      state.stampBlocked(item);
      let best = -1;
      let bestScore = Number.POSITIVE_INFINITY;
      for (const bin of state.open) {
        spent += 1;
        if (bin === target || state.blocked(bin) || !eligible(context, item, bin) || !state.fits(item, bin))
          continue;
        const score = state.residual(item, bin, true);
        if (score < bestScore) {
          bestScore = score;
          best = bin;
        }
      }
      if (best >= 0) {
        state.place(item, best);
        continue;
      }
      const group = groupOf(context, item);
      let swapBin = -1;
      let swapResident = -1;
      bestScore = Number.POSITIVE_INFINITY;
      if (swaps < swapLimit) {
        for (const bin of state.open) {
          if (bin === target || !eligible(context, item, bin)) continue;
          const residents = state.binItems[bin]!;
          let groupClash = 0;
          if (group >= 0)
            for (const other of residents) if (groupOf(context, other) === group) groupClash += 1;
          for (const resident of residents) {
            spent += 1;
            if (size[resident]! >= size[item]!) continue;
            if (groupClash > 1 || (groupClash === 1 && groupOf(context, resident) !== group)) continue;
            let score = 0;
            let fits = true;
            for (let k = 0; k < d; k += 1) {
              const load = state.load[bin * d + k]! - demand[resident * d + k]! + demand[item * d + k]!;
              if (load > capacity[bin * d + k]!) {
                fits = false;
                break;
              }
              const rest = (capacity[bin * d + k]! - load) * scale[k]!;
              score += rest * rest;
            }
            if (fits && score < bestScore) {
              bestScore = score;
              swapBin = bin;
              swapResident = resident;
            }
          }
        }
      }
      if (swapBin < 0) {
        success = false;
        break;
      }
      state.remove(swapResident);
      if (state.fits(item, swapBin)) {
        state.place(item, swapBin);
        pending.push(swapResident);
        swaps += 1;
      } else {
        state.place(swapResident, swapBin);
        success = false;
        break;
      }
    }
    if (success) {
      failed.fill(0);
    } else {
      state = snapshot;
      failed[target] = 1;
    }
  }
  return state;
}

/** Bins emptied into the free pool per exchange round. */
const EXCHANGE_POOL_BINS = 3;
/** Rounds without a better packing before the exchange search stops. */
const EXCHANGE_PATIENCE = 30;

function exchangeFits(
  context: Context,
  state: State,
  bin: number,
  outgoing: number[],
  incoming: number[],
): boolean {
  const { d, demand, capacity } = context;
  for (const item of incoming) if (!eligible(context, item, bin)) return false;
  for (let k = 0; k < d; k += 1) {
    let load = state.load[bin * d + k]!;
    for (const item of outgoing) load -= demand[item * d + k]!;
    for (const item of incoming) load += demand[item * d + k]!;
    if (load > capacity[bin * d + k]!) return false;
  }
  for (let position = 0; position < incoming.length; position += 1) {
    const group = groupOf(context, incoming[position]!);
    if (group < 0) continue;
    for (let other = position + 1; other < incoming.length; other += 1) {
      if (groupOf(context, incoming[other]!) === group) return false;
    }
    for (const resident of state.binItems[bin]!) {
      if (groupOf(context, resident) === group && !outgoing.includes(resident)) return false;
    }
  }
  return true;
}

/**
 * Exchange search (after Levine and Ducatelle): empty the least-filled bins into a free pool, make
 * every other bin fuller by trading residents for free items (add one, 1-1, 1-2, 2-1), put the pool
 * back by best fit, keep the result when it is no worse. Mirrors `exchange_improve` in `src/pack.rs`.
 */
function exchangeImprove(context: Context, start: State, budget: number): State {
  const { d, scale, size } = context;
  let state = start;
  let spent = 0;
  let stale = 0;
  while (spent < budget && stale < EXCHANGE_PATIENCE && state.open.length > 1) {
    const before = state.clone();
    const ranked = state.open.map((bin) => {
      let fill = 0;
      for (let k = 0; k < d; k += 1) fill += state.load[bin * d + k]! * scale[k]!;
      return { fill, bin };
    });
    ranked.sort((a, b) => (a.fill < b.fill ? -1 : a.fill > b.fill ? 1 : a.bin - b.bin));
    const poolBins = Math.min(EXCHANGE_POOL_BINS, state.open.length - 1);
    const free: number[] = [];
    for (const { bin } of ranked.slice(0, poolBins)) {
      for (const item of state.binItems[bin]!.slice()) {
        state.remove(item);
        free.push(item);
      }
    }
    for (const bin of state.open.slice()) {
      for (;;) {
        const residents = state.binItems[bin]!.slice();
        let bestGain = 1e-12;
        let best: [number[], number[]] | undefined;
        const consider = (outgoing: number[], incoming: number[]): void => {
          let gain = 0;
          for (const item of incoming) gain += size[item]!;
          for (const item of outgoing) gain -= size[item]!;
          if (gain > bestGain && exchangeFits(context, state, bin, outgoing, incoming)) {
            bestGain = gain;
            best = [outgoing, incoming];
          }
        };
        for (let a = 0; a < free.length; a += 1) {
          spent += 1;
          consider([], [free[a]!]);
          for (const resident of residents) {
            spent += 1;
            consider([resident], [free[a]!]);
            for (let b = a + 1; b < free.length; b += 1) {
              spent += 1;
              consider([resident], [free[a]!, free[b]!]);
            }
          }
          for (let first = 0; first < residents.length; first += 1) {
            for (let second = first + 1; second < residents.length; second += 1) {
              spent += 1;
              consider([residents[first]!, residents[second]!], [free[a]!]);
            }
          }
        }
        if (best === undefined) break;
        const [outgoing, incoming] = best;
        for (const item of outgoing) {
          state.remove(item);
          free.push(item);
        }
        for (const item of incoming) {
          state.place(item, bin);
          free.splice(free.indexOf(item), 1);
        }
        if (spent >= budget) break;
      }
    }
    free.sort((a, b) => (size[b]! > size[a]! ? 1 : size[b]! < size[a]! ? -1 : a - b));
    for (const item of free) {
      state.stampBlocked(item);
      let best = -1;
      let bestScore = Number.POSITIVE_INFINITY;
      for (const bin of state.open) {
        if (state.blocked(bin) || !eligible(context, item, bin) || !state.fits(item, bin)) continue;
        const score = state.residual(item, bin, true);
        if (score < bestScore) {
          bestScore = score;
          best = bin;
        }
      }
      if (best < 0) best = state.openNewBin(item);
      if (best >= 0) state.place(item, best);
    }
    if (better(state, before)) {
      stale = 0;
    } else if (before.unplaced() < state.unplaced() || before.open.length < state.open.length) {
      state = before;
      stale += 1;
    } else {
      stale += 1;
    }
  }
  return state;
}

function buildContext(input: CheckedPackInput): Context {
  const d = input.dims;
  const demand = input.items;
  const capacity = input.binCapacities;
  const n = demand.length / d;
  const m = capacity.length / d;
  const scale = new Float64Array(d);
  for (let k = 0; k < d; k += 1) {
    let largest = 0;
    for (let bin = 0; bin < m; bin += 1) {
      const value = capacity[bin * d + k]!;
      largest = value > largest ? value : largest;
    }
    scale[k] = largest > 0 ? 1 / largest : 0;
  }
  const size = new Float64Array(n);
  for (let item = 0; item < n; item += 1) {
    let total = 0;
    for (let k = 0; k < d; k += 1) total += demand[item * d + k]! * scale[k]!;
    size[item] = total;
  }
  const capacitySize = new Float64Array(m);
  for (let bin = 0; bin < m; bin += 1) {
    let total = 0;
    for (let k = 0; k < d; k += 1) total += capacity[bin * d + k]! * scale[k]!;
    capacitySize[bin] = total;
  }
  const binOrder = Array.from({ length: m }, (_, bin) => bin);
  binOrder.sort((a, b) =>
    capacitySize[b]! > capacitySize[a]! ? 1 : capacitySize[b]! < capacitySize[a]! ? -1 : a - b,
  );
  let groupCount = 0;
  if (input.groups !== undefined)
    for (const group of input.groups) groupCount = Math.max(groupCount, group + 1);
  return {
    n,
    m,
    d,
    demand,
    capacity,
    scale,
    groups: input.groups,
    itemClass: input.itemClass,
    allowed: input.allowed,
    size,
    binOrder,
    groupCount,
  };
}

/**
 * Pure-TypeScript `packVectors`, step for step the algorithm of `src/pack.rs` (same result).
 *
 * @example
 * jsPackVectors({ dims: 1, items: new Float64Array([6, 5, 4]), binCapacities: new Float64Array([10, 10]) });
 * // { assignment: Int32Array [0, 1, 0], binsUsed: 2 }
 */
export function jsPackVectors(input: PackInput): PackResult {
  const checked = checkPackInput(input);
  const context = buildContext(checked);
  let best: State;
  if (checked.objective === 'spread') {
    best = spread(context, orderBy(context, 'l2'));
  } else {
    const byL1 = orderBy(context, 'l1');
    const byL2 = orderBy(context, 'l2');
    best = itemCentric(context, byL1, 'first-fit');
    const consider = (candidate: State): void => {
      if (better(candidate, best)) best = candidate;
    };
    consider(itemCentric(context, byL2, 'best-fit-l2'));
    if (checked.effort === 'improve') {
      const byLinf = orderBy(context, 'linf');
      for (const order of [byL1, byL2, byLinf, orderInterleaved(context)]) {
        for (const rule of ['first-fit', 'best-fit-l1', 'best-fit-l2', 'dot-product'] as const)
          consider(itemCentric(context, order, rule));
      }
      if (context.n <= BIN_CENTRIC_LIMIT) {
        consider(binCentric(context, byL2, true));
        consider(binCentric(context, byL2, false));
      }
      best = eliminateBins(context, best, IMPROVE_BUDGET);
      best = exchangeImprove(context, best, IMPROVE_BUDGET);
    }
  }
  return { assignment: best.assignment, binsUsed: best.open.length };
}
