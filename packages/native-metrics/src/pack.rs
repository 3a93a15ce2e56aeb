//! Multi-dimensional bin packing with anti-affinity and eligibility constraints.
//!
//! The algorithm is mirrored step for step in `src/js/pack-vectors.ts`: same orders, same
//! floating-point expressions, same tie-breaks, an operation budget instead of a clock, so both
//! backends return the same assignment for the same input.

use crate::error::{MetricsError, MetricsResult};
use crate::sketch::format_number;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
  Pack,
  Spread,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effort {
  Fast,
  Improve,
}

pub struct PackInput<'a> {
  pub dims: usize,
  pub items: &'a [f64],
  pub capacities: &'a [f64],
  pub groups: Option<&'a [i32]>,
  pub item_class: Option<&'a [i32]>,
  pub allowed: Option<&'a [u8]>,
  pub objective: Objective,
  pub effort: Effort,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PackOutput {
  pub assignment: Vec<i32>,
  pub bins_used: usize,
}

/// Evaluations of (item, bin) pairs the local search may spend (deterministic budget).
const IMPROVE_BUDGET: u64 = 30_000_000;
/// Largest item count for the quadratic bin-centric heuristics.
const BIN_CENTRIC_LIMIT: usize = 3_000;

fn range(message: String) -> MetricsError {
  MetricsError::Range(message)
}

fn check_values(name: &str, values: &[f64]) -> MetricsResult<()> {
  if let Some(index) = values.iter().position(|value| !(value.is_finite() && *value >= 0.0)) {
    return Err(range(format!(
      "packVectors: {name}[{index}] is {}; demands and capacities must be finite and non-negative.",
      format_number(values[index])
    )));
  }
  Ok(())
}

/// Checks shapes and values of the input (the TypeScript layer checks the same first).
pub fn validate(input: &PackInput) -> MetricsResult<()> {
  let dims = input.dims;
  if dims == 0 || dims > 64 {
    return Err(range(format!("packVectors: dims is {dims}; it must be an integer from 1 to 64.")));
  }
  if input.items.len() % dims != 0 {
    return Err(range(format!(
      "packVectors: items has {} entries, not a multiple of dims ({dims}).",
      input.items.len()
    )));
  }
  if input.capacities.len() % dims != 0 {
    return Err(range(format!(
      "packVectors: binCapacities has {} entries, not a multiple of dims ({dims}).",
      input.capacities.len()
    )));
  }
  check_values("items", input.items)?;
  check_values("binCapacities", input.capacities)?;
  let n = input.items.len() / dims;
  let m = input.capacities.len() / dims;
  if let Some(groups) = input.groups {
    if groups.len() != n {
      return Err(range(format!("packVectors: groups has {} entries but there are {n} items.", groups.len())));
    }
    if let Some(index) = groups.iter().position(|&group| group < -1) {
      return Err(range(format!("packVectors: groups[{index}] is {}; use -1 for no group.", groups[index])));
    }
  }
  match (input.item_class, input.allowed) {
    (None, None) => {}
    (Some(classes), Some(allowed)) => {
      if classes.len() != n {
        return Err(range(format!(
          "packVectors: eligible.itemClass has {} entries but there are {n} items.",
          classes.len()
        )));
      }
      let class_count = if m == 0 { 0 } else { allowed.len() / m };
      if m == 0 || allowed.len() % m != 0 {
        return Err(range(format!(
          "packVectors: eligible.allowed has {} entries, not a multiple of the bin count ({m}).",
          allowed.len()
        )));
      }
      if let Some(index) = classes.iter().position(|&class| class < -1 || class >= class_count as i32) {
        return Err(range(format!(
          "packVectors: eligible.itemClass[{index}] is {}; classes must be -1 (any bin) or below {class_count}.",
          classes[index]
        )));
      }
    }
    _ => {
      return Err(range("packVectors: eligible needs both itemClass and allowed.".to_string()));
    }
  }
  Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SortKey {
  L1,
  L2,
  Linf,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Rule {
  FirstFit,
  BestFitL1,
  BestFitL2,
  DotProduct,
}

struct Context<'a> {
  n: usize,
  m: usize,
  d: usize,
  demand: &'a [f64],
  capacity: &'a [f64],
  scale: Vec<f64>,
  groups: Option<&'a [i32]>,
  item_class: Option<&'a [i32]>,
  allowed: Option<&'a [u8]>,
  /// Normalised L1 size of each item.
  size: Vec<f64>,
  /// Bins in the order new bins are opened: larger normalised capacity first, then index.
  bin_order: Vec<u32>,
}

impl Context<'_> {
  #[inline(always)]
  fn eligible(&self, item: usize, bin: usize) -> bool {
    match (self.item_class, self.allowed) {
      (Some(classes), Some(allowed)) => {
        let class = classes[item];
        class < 0 || allowed[class as usize * self.m + bin] != 0
      }
      _ => true,
    }
  }

  #[inline(always)]
  fn group(&self, item: usize) -> i32 {
    match self.groups {
      Some(groups) => groups[item],
      None => -1,
    }
  }

  fn sort_key(&self, item: usize, key: SortKey) -> f64 {
    let mut value = 0.0;
    for k in 0..self.d {
      let size = self.demand[item * self.d + k] * self.scale[k];
      value = match key {
        SortKey::L1 => value + size,
        SortKey::L2 => value + size * size,
        SortKey::Linf => {
          if size > value {
            size
          } else {
            value
          }
        }
      };
    }
    value
  }

  /// Interleaved order: items grouped by their dominant dimension (largest demand relative to
  /// that dimension's total demand), each group by decreasing L1 size, merged by always taking
  /// the group whose dominant dimension has had the smallest share of its total demand so far.
  /// Runs of one shape then alternate with complementary shapes.
  fn order_interleaved(&self) -> Vec<u32> {
    let d = self.d;
    let mut total = vec![0.0; d];
    for item in 0..self.n {
      for k in 0..d {
        total[k] += self.demand[item * d + k] * self.scale[k];
      }
    }
    let mut groups: Vec<Vec<u32>> = vec![Vec::new(); d];
    for item in self.order_by(SortKey::L1) {
      let mut dominant = 0;
      let mut largest = -1.0;
      for k in 0..d {
        let share = if total[k] > 0.0 { self.demand[item as usize * d + k] * self.scale[k] / total[k] } else { 0.0 };
        if share > largest {
          largest = share;
          dominant = k;
        }
      }
      groups[dominant].push(item);
    }
    let mut taken = vec![0.0; d];
    let mut next = vec![0usize; d];
    let mut order = Vec::with_capacity(self.n);
    while order.len() < self.n {
      let mut pick = usize::MAX;
      for k in 0..d {
        if next[k] < groups[k].len() && (pick == usize::MAX || taken[k] < taken[pick]) {
          pick = k;
        }
      }
      let item = groups[pick][next[pick]];
      next[pick] += 1;
      taken[pick] += self.demand[item as usize * d + pick] * self.scale[pick] / total[pick];
      order.push(item);
    }
    order
  }

  fn order_by(&self, key: SortKey) -> Vec<u32> {
    let keys: Vec<f64> = (0..self.n).map(|item| self.sort_key(item, key)).collect();
    let mut order: Vec<u32> = (0..self.n as u32).collect();
    order.sort_by(|&a, &b| {
      keys[b as usize].partial_cmp(&keys[a as usize]).expect("finite").then(a.cmp(&b))
    });
    order
  }
}

#[derive(Clone)]
struct State {
  load: Vec<f64>,
  assignment: Vec<i32>,
  bin_items: Vec<Vec<u32>>,
  /// Bins with at least one item, in the order they were opened.
  open: Vec<u32>,
  blocked_stamp: Vec<u32>,
  stamp: u32,
  group_bins: Vec<Vec<u32>>,
}

impl State {
  fn new(context: &Context, group_count: usize) -> Self {
    State {
      load: vec![0.0; context.m * context.d],
      assignment: vec![-1; context.n],
      bin_items: vec![Vec::new(); context.m],
      open: Vec::new(),
      blocked_stamp: vec![0; context.m],
      stamp: 0,
      group_bins: vec![Vec::new(); group_count],
    }
  }

  #[inline(always)]
  fn fits(&self, context: &Context, item: usize, bin: usize) -> bool {
    let d = context.d;
    for k in 0..d {
      if self.load[bin * d + k] + context.demand[item * d + k] > context.capacity[bin * d + k] {
        return false;
      }
    }
    true
  }

  /// Marks the bins that already hold a member of the item's group.
  fn stamp_blocked(&mut self, context: &Context, item: usize) {
    self.stamp = self.stamp.wrapping_add(1);
    if self.stamp == 0 {
      self.blocked_stamp.iter_mut().for_each(|slot| *slot = 0);
      self.stamp = 1;
    }
    let group = context.group(item);
    if group >= 0 {
      for &bin in &self.group_bins[group as usize] {
        self.blocked_stamp[bin as usize] = self.stamp;
      }
    }
  }

  #[inline(always)]
  fn blocked(&self, bin: usize) -> bool {
    self.blocked_stamp[bin] == self.stamp
  }

  fn place(&mut self, context: &Context, item: usize, bin: usize) {
    let d = context.d;
    for k in 0..d {
      self.load[bin * d + k] += context.demand[item * d + k];
    }
    if self.bin_items[bin].is_empty() {
      self.open.push(bin as u32);
    }
    self.bin_items[bin].push(item as u32);
    self.assignment[item] = bin as i32;
    let group = context.group(item);
    if group >= 0 {
      self.group_bins[group as usize].push(bin as u32);
    }
  }

  fn remove(&mut self, context: &Context, item: usize) {
    let bin = self.assignment[item] as usize;
    let d = context.d;
    for k in 0..d {
      self.load[bin * d + k] -= context.demand[item * d + k];
    }
    let items = &mut self.bin_items[bin];
    let position = items.iter().position(|&other| other as usize == item).expect("item in its bin");
    items.remove(position);
    if items.is_empty() {
      // Exact zero for an empty bin, whatever rounding the subtractions left.
      for k in 0..d {
        self.load[bin * d + k] = 0.0;
      }
      let at = self.open.iter().position(|&other| other as usize == bin).expect("open bin");
      self.open.remove(at);
    }
    self.assignment[item] = -1;
    let group = context.group(item);
    if group >= 0 {
      let bins = &mut self.group_bins[group as usize];
      let at = bins.iter().position(|&other| other as usize == bin).expect("group bin");
      bins.remove(at);
    }
  }

  fn bins_used(&self) -> usize {
    self.open.len()
  }

  fn unplaced(&self) -> usize {
    self.assignment.iter().filter(|&&bin| bin < 0).count()
  }

  /// Normalised residual of `bin` after adding `item`: L1 or squared L2.
  #[inline(always)]
  fn residual(&self, context: &Context, item: usize, bin: usize, squared: bool) -> f64 {
    let d = context.d;
    let mut total = 0.0;
    for k in 0..d {
      let rest = (context.capacity[bin * d + k] - self.load[bin * d + k] - context.demand[item * d + k]) * context.scale[k];
      total += if squared { rest * rest } else { rest };
    }
    total
  }

  /// Minus the dot product of the item's demand and the bin's free capacity, both normalised.
  #[inline(always)]
  fn alignment(&self, context: &Context, item: usize, bin: usize) -> f64 {
    let d = context.d;
    let mut dot = 0.0;
    for k in 0..d {
      let free = (context.capacity[bin * d + k] - self.load[bin * d + k]) * context.scale[k];
      dot += context.demand[item * d + k] * context.scale[k] * free;
    }
    -dot
  }

  /// First bin in opening order that is unused, eligible and large enough.
  fn open_new_bin(&self, context: &Context, item: usize) -> i32 {
    for &bin in &context.bin_order {
      let bin = bin as usize;
      if self.bin_items[bin].is_empty() && context.eligible(item, bin) && self.fits(context, item, bin) {
        return bin as i32;
      }
    }
    -1
  }
}

fn better(candidate: &State, best: &State) -> bool {
  let (a, b) = (candidate.unplaced(), best.unplaced());
  a < b || (a == b && candidate.bins_used() < best.bins_used())
}

/// Item-centric greedy: items in `order`, each into the best open bin by `rule`, else a new bin.
fn item_centric(context: &Context, group_count: usize, order: &[u32], rule: Rule) -> State {
  let mut state = State::new(context, group_count);
  let d = context.d;
  // Minimum remaining demand per dimension from each position on: bins that cannot take even that
  // are dropped from the scan list.
  let mut suffix_min = vec![f64::INFINITY; (order.len() + 1) * d];
  for position in (0..order.len()).rev() {
    let item = order[position] as usize;
    for k in 0..d {
      let value = context.demand[item * d + k];
      let next = suffix_min[(position + 1) * d + k];
      suffix_min[position * d + k] = if value < next { value } else { next };
    }
  }
  let mut scan: Vec<u32> = Vec::new();
  for (position, &item) in order.iter().enumerate() {
    let item = item as usize;
    if position % 64 == 0 && position > 0 {
      scan.retain(|&bin| {
        let bin = bin as usize;
        (0..d).all(|k| state.load[bin * d + k] + suffix_min[position * d + k] <= context.capacity[bin * d + k])
      });
    }
    state.stamp_blocked(context, item);
    let mut best = -1i32;
    let mut best_score = f64::INFINITY;
    for &bin in &scan {
      let bin = bin as usize;
      if state.blocked(bin) || !context.eligible(item, bin) || !state.fits(context, item, bin) {
        continue;
      }
      match rule {
        Rule::FirstFit => {
          best = bin as i32;
          break;
        }
        Rule::BestFitL1 | Rule::BestFitL2 | Rule::DotProduct => {
          let score = if rule == Rule::DotProduct {
            state.alignment(context, item, bin)
          } else {
            state.residual(context, item, bin, rule == Rule::BestFitL2)
          };
          if score < best_score {
            best_score = score;
            best = bin as i32;
          }
        }
      }
    }
    if best < 0 {
      best = state.open_new_bin(context, item);
      if best < 0 {
        continue;
      }
      scan.push(best as u32);
    }
    state.place(context, item, best as usize);
  }
  state
}

/// Bin-centric greedy: fill one bin at a time with the best-scoring remaining item.
fn bin_centric(context: &Context, group_count: usize, order: &[u32], dot_product: bool) -> State {
  let mut state = State::new(context, group_count);
  let d = context.d;
  let mut remaining: Vec<u32> = order.to_vec();
  for &bin in &context.bin_order {
    if remaining.is_empty() {
      break;
    }
    let bin = bin as usize;
    loop {
      let mut best_position = usize::MAX;
      let mut best_score = f64::INFINITY;
      for (position, &item) in remaining.iter().enumerate() {
        let item = item as usize;
        if !context.eligible(item, bin) || !state.fits(context, item, bin) {
          continue;
        }
        let group = context.group(item);
        if group >= 0 && state.group_bins[group as usize].contains(&(bin as u32)) {
          continue;
        }
        let score = if dot_product {
          let mut dot = 0.0;
          for k in 0..d {
            let free = (context.capacity[bin * d + k] - state.load[bin * d + k]) * context.scale[k];
            dot += context.demand[item * d + k] * context.scale[k] * free;
          }
          -dot
        } else {
          state.residual(context, item, bin, true)
        };
        if score < best_score {
          best_score = score;
          best_position = position;
        }
      }
      if best_position == usize::MAX {
        break;
      }
      let item = remaining.remove(best_position) as usize;
      state.place(context, item, bin);
    }
  }
  state
}

/// Spread: each item (largest first) to the eligible bin with the lowest peak utilisation after it.
fn spread(context: &Context, group_count: usize, order: &[u32]) -> State {
  let mut state = State::new(context, group_count);
  let d = context.d;
  for &item in order {
    let item = item as usize;
    state.stamp_blocked(context, item);
    let mut best = -1i32;
    let (mut best_peak, mut best_total) = (f64::INFINITY, f64::INFINITY);
    for bin in 0..context.m {
      if state.blocked(bin) || !context.eligible(item, bin) || !state.fits(context, item, bin) {
        continue;
      }
      let (mut peak, mut total) = (0.0, 0.0);
      for k in 0..d {
        let capacity = context.capacity[bin * d + k];
        if capacity > 0.0 {
          let share = (state.load[bin * d + k] + context.demand[item * d + k]) / capacity;
          peak = if share > peak { share } else { peak };
          total += share;
        }
      }
      if peak < best_peak || (peak == best_peak && total < best_total) {
        best_peak = peak;
        best_total = total;
        best = bin as i32;
      }
    }
    if best >= 0 {
      state.place(context, item, best as usize);
    }
  }
  state
}

/// Tries to empty the least-loaded bins by moving their items into the others, swapping a
/// larger pending item for a smaller resident when that makes room.
fn eliminate_bins(context: &Context, state: &mut State, budget: u64) {
  let d = context.d;
  let mut spent = 0u64;
  let mut failed = vec![false; context.m];
  while spent < budget {
    let mut target = usize::MAX;
    let mut target_fill = f64::INFINITY;
    for &bin in &state.open {
      let bin = bin as usize;
      if failed[bin] {
        continue;
      }
      let mut fill = 0.0;
      for k in 0..d {
        fill += state.load[bin * d + k] * context.scale[k];
      }
      if fill < target_fill || (fill == target_fill && bin < target) {
        target_fill = fill;
        target = bin;
      }
    }
    if target == usize::MAX {
      return;
    }
    let snapshot = state.clone();
    let mut pending: Vec<u32> = state.bin_items[target].clone();
    for &item in &pending {
      state.remove(context, item as usize);
    }
    let swap_limit = 8 * pending.len() + 32;
    let mut swaps = 0;
    let mut success = true;
    while !pending.is_empty() {
      // Largest pending item first (ties: lower index).
      let mut pick = 0;
      for position in 1..pending.len() {
        let (a, b) = (pending[position] as usize, pending[pick] as usize);
        if context.size[a] > context.size[b] || (context.size[a] == context.size[b] && a < b) {
          pick = position;
        }
      }
      let item = pending.swap_remove(pick) as usize;
      state.stamp_blocked(context, item);
      let mut best = -1i32;
      let mut best_score = f64::INFINITY;
      for &bin in &state.open {
        let bin = bin as usize;
        spent += 1;
        if bin == target || state.blocked(bin) || !context.eligible(item, bin) || !state.fits(context, item, bin) {
          continue;
        }
        let score = state.residual(context, item, bin, true);
        if score < best_score {
          best_score = score;
          best = bin as i32;
        }
      }
      if best >= 0 {
        state.place(context, item, best as usize);
        continue;
      }
      // One-for-one swap with a strictly smaller resident.
      let group = context.group(item);
      let mut best_swap: Option<(usize, usize)> = None;
      best_score = f64::INFINITY;
      if swaps < swap_limit {
        for &bin in &state.open {
          let bin = bin as usize;
          if bin == target || !context.eligible(item, bin) {
            continue;
          }
          let residents = &state.bin_items[bin];
          let group_clash = if group >= 0 {
            residents.iter().filter(|&&other| context.group(other as usize) == group).count()
          } else {
            0
          };
          for &resident in residents {
            let resident = resident as usize;
            spent += 1;
            if context.size[resident] >= context.size[item] {
              continue;
            }
            if group_clash > 1 || (group_clash == 1 && context.group(resident) != group) {
              continue;
            }
            let mut score = 0.0;
            let mut fits = true;
            for k in 0..d {
              let load = state.load[bin * d + k] - context.demand[resident * d + k] + context.demand[item * d + k];
              if load > context.capacity[bin * d + k] {
                fits = false;
                break;
              }
              let rest = (context.capacity[bin * d + k] - load) * context.scale[k];
              score += rest * rest;
            }
            if fits && score < best_score {
              best_score = score;
              best_swap = Some((bin, resident));
            }
          }
        }
      }
      match best_swap {
        Some((bin, resident)) => {
          state.remove(context, resident);
          // Place against the exact sums: re-check, since removal rounding could differ.
          if state.fits(context, item, bin) {
            state.place(context, item, bin);
            pending.push(resident as u32);
            swaps += 1;
          } else {
            state.place(context, resident, bin);
            success = false;
            break;
          }
        }
        None => {
          success = false;
          break;
        }
      }
    }
    if success {
      failed.iter_mut().for_each(|flag| *flag = false);
    } else {
      *state = snapshot;
      failed[target] = true;
    }
  }
}

/// Bins emptied into the free pool per exchange round.
const EXCHANGE_POOL_BINS: usize = 3;
/// Rounds without a better packing before the exchange search stops.
const EXCHANGE_PATIENCE: usize = 30;

/// Whether `bin` can hold its residents minus `outgoing` plus `incoming` (capacity, eligibility,
/// anti-affinity); evaluated in one fixed order so both backends agree bit for bit.
fn exchange_fits(context: &Context, state: &State, bin: usize, outgoing: &[usize], incoming: &[usize]) -> bool {
  let d = context.d;
  for &item in incoming {
    if !context.eligible(item, bin) {
      return false;
    }
  }
  for k in 0..d {
    let mut load = state.load[bin * d + k];
    for &item in outgoing {
      load -= context.demand[item * d + k];
    }
    for &item in incoming {
      load += context.demand[item * d + k];
    }
    if load > context.capacity[bin * d + k] {
      return false;
    }
  }
  for (position, &item) in incoming.iter().enumerate() {
    let group = context.group(item);
    if group < 0 {
      continue;
    }
    for &other in &incoming[position + 1..] {
      if context.group(other) == group {
        return false;
      }
    }
    for &resident in &state.bin_items[bin] {
      let resident = resident as usize;
      if context.group(resident) == group && !outgoing.contains(&resident) {
        return false;
      }
    }
  }
  true
}

/// Exchange search (after Levine and Ducatelle): empty the least-filled bins into a free pool,
/// make every other bin fuller by trading residents for free items (add one, 1-1, 1-2, 2-1),
/// put the pool back by best fit, keep the result when it is no worse.
fn exchange_improve(context: &Context, state: &mut State, budget: u64) {
  let d = context.d;
  let mut spent = 0u64;
  let mut stale = 0usize;
  while spent < budget && stale < EXCHANGE_PATIENCE && state.open.len() > 1 {
    let before = state.clone();
    // The least-filled bins (ties: lower index) go to the free pool.
    let mut ranked: Vec<(f64, u32)> = state
      .open
      .iter()
      .map(|&bin| {
        let mut fill = 0.0;
        for k in 0..d {
          fill += state.load[bin as usize * d + k] * context.scale[k];
        }
        (fill, bin)
      })
      .collect();
    ranked.sort_by(|a, b| a.0.partial_cmp(&b.0).expect("finite").then(a.1.cmp(&b.1)));
    let pool_bins = EXCHANGE_POOL_BINS.min(state.open.len() - 1);
    let mut free: Vec<usize> = Vec::new();
    for &(_, bin) in ranked.iter().take(pool_bins) {
      let items: Vec<u32> = state.bin_items[bin as usize].clone();
      for item in items {
        state.remove(context, item as usize);
        free.push(item as usize);
      }
    }
    let bins: Vec<u32> = state.open.clone();
    for &bin in &bins {
      let bin = bin as usize;
      loop {
        let residents: Vec<usize> = state.bin_items[bin].iter().map(|&item| item as usize).collect();
        let mut best_gain = 1e-12;
        let mut best: Option<(Vec<usize>, Vec<usize>)> = None;
        let consider = |outgoing: &[usize], incoming: &[usize], best_gain: &mut f64, best: &mut Option<(Vec<usize>, Vec<usize>)>| {
          let mut gain = 0.0;
          for &item in incoming {
            gain += context.size[item];
          }
          for &item in outgoing {
            gain -= context.size[item];
          }
          if gain > *best_gain && exchange_fits(context, state, bin, outgoing, incoming) {
            *best_gain = gain;
            *best = Some((outgoing.to_vec(), incoming.to_vec()));
          }
        };
        for a in 0..free.len() {
          spent += 1;
          consider(&[], &[free[a]], &mut best_gain, &mut best);
          for &resident in &residents {
            spent += 1;
            consider(&[resident], &[free[a]], &mut best_gain, &mut best);
            for b in a + 1..free.len() {
              spent += 1;
              consider(&[resident], &[free[a], free[b]], &mut best_gain, &mut best);
            }
          }
          for first in 0..residents.len() {
            for second in first + 1..residents.len() {
              spent += 1;
              consider(&[residents[first], residents[second]], &[free[a]], &mut best_gain, &mut best);
            }
          }
        }
        match best {
          None => break,
          Some((outgoing, incoming)) => {
            for &item in &outgoing {
              state.remove(context, item);
              free.push(item);
            }
            for &item in &incoming {
              state.place(context, item, bin);
              let at = free.iter().position(|&other| other == item).expect("free item");
              free.remove(at);
            }
          }
        }
        if spent >= budget {
          break;
        }
      }
    }
    // Put the pool back: largest first, best fit, else a new bin.
    free.sort_by(|&a, &b| context.size[b].partial_cmp(&context.size[a]).expect("finite").then(a.cmp(&b)));
    for &item in &free {
      state.stamp_blocked(context, item);
      let mut best = -1i32;
      let mut best_score = f64::INFINITY;
      for &bin in &state.open {
        let bin = bin as usize;
        if state.blocked(bin) || !context.eligible(item, bin) || !state.fits(context, item, bin) {
          continue;
        }
        let score = state.residual(context, item, bin, true);
        if score < best_score {
          best_score = score;
          best = bin as i32;
        }
      }
      if best < 0 {
        best = state.open_new_bin(context, item);
      }
      if best >= 0 {
        state.place(context, item, best as usize);
      }
    }
    if better(state, &before) {
      stale = 0;
    } else if before.unplaced() < state.unplaced() || before.bins_used() < state.bins_used() {
      *state = before;
      stale += 1;
    } else {
      stale += 1;
    }
  }
}

/// Packs items into bins; see the TypeScript documentation of `packVectors` for the contract.
pub fn pack_vectors(input: &PackInput) -> MetricsResult<PackOutput> {
  validate(input)?;
  let d = input.dims;
  let n = input.items.len() / d;
  let m = input.capacities.len() / d;
  let mut scale = vec![0.0; d];
  for k in 0..d {
    let mut largest = 0.0;
    for bin in 0..m {
      let value = input.capacities[bin * d + k];
      largest = if value > largest { value } else { largest };
    }
    scale[k] = if largest > 0.0 { 1.0 / largest } else { 0.0 };
  }
  let mut size = vec![0.0; n];
  for (item, slot) in size.iter_mut().enumerate() {
    let mut total = 0.0;
    for k in 0..d {
      total += input.items[item * d + k] * scale[k];
    }
    *slot = total;
  }
  let capacity_size: Vec<f64> = (0..m)
    .map(|bin| {
      let mut total = 0.0;
      for k in 0..d {
        total += input.capacities[bin * d + k] * scale[k];
      }
      total
    })
    .collect();
  let mut bin_order: Vec<u32> = (0..m as u32).collect();
  bin_order.sort_by(|&a, &b| {
    capacity_size[b as usize].partial_cmp(&capacity_size[a as usize]).expect("finite").then(a.cmp(&b))
  });
  let group_count = input.groups.map(|groups| groups.iter().map(|&g| g + 1).max().unwrap_or(0) as usize).unwrap_or(0);
  let context = Context {
    n,
    m,
    d,
    demand: input.items,
    capacity: input.capacities,
    scale,
    groups: input.groups,
    item_class: input.item_class,
    allowed: input.allowed,
    size,
    bin_order,
  };
  let best = match input.objective {
    Objective::Spread => spread(&context, group_count, &context.order_by(SortKey::L2)),
    Objective::Pack => {
      let by_l1 = context.order_by(SortKey::L1);
      let by_l2 = context.order_by(SortKey::L2);
      let mut best = item_centric(&context, group_count, &by_l1, Rule::FirstFit);
      let consider = |candidate: State, best: &mut State| {
        if better(&candidate, best) {
          *best = candidate;
        }
      };
      consider(item_centric(&context, group_count, &by_l2, Rule::BestFitL2), &mut best);
      if input.effort == Effort::Improve {
        let by_linf = context.order_by(SortKey::Linf);
        let interleaved = context.order_interleaved();
        for order in [&by_l1, &by_l2, &by_linf, &interleaved] {
          for rule in [Rule::FirstFit, Rule::BestFitL1, Rule::BestFitL2, Rule::DotProduct] {
            consider(item_centric(&context, group_count, order, rule), &mut best);
          }
        }
        if n <= BIN_CENTRIC_LIMIT {
          consider(bin_centric(&context, group_count, &by_l2, true), &mut best);
          consider(bin_centric(&context, group_count, &by_l2, false), &mut best);
        }
        eliminate_bins(&context, &mut best, IMPROVE_BUDGET);
        exchange_improve(&context, &mut best, IMPROVE_BUDGET);
      }
      best
    }
  };
  let bins_used = best.bins_used();
  Ok(PackOutput { assignment: best.assignment, bins_used })
}

#[cfg(test)]
mod tests {
  use super::*;

  fn input<'a>(dims: usize, items: &'a [f64], capacities: &'a [f64]) -> PackInput<'a> {
    PackInput {
      dims,
      items,
      capacities,
      groups: None,
      item_class: None,
      allowed: None,
      objective: Objective::Pack,
      effort: Effort::Fast,
    }
  }

  fn check(input: &PackInput, output: &PackOutput) {
    let d = input.dims;
    let m = input.capacities.len() / d;
    let mut load = vec![0.0; m * d];
    for (item, &bin) in output.assignment.iter().enumerate() {
      if bin < 0 {
        continue;
      }
      for k in 0..d {
        load[bin as usize * d + k] += input.items[item * d + k];
      }
    }
    for slot in 0..m * d {
      assert!(load[slot] <= input.capacities[slot] + 1e-9, "capacity exceeded");
    }
    if let Some(groups) = input.groups {
      for a in 0..groups.len() {
        for b in a + 1..groups.len() {
          if groups[a] >= 0 && groups[a] == groups[b] && output.assignment[a] >= 0 {
            assert_ne!(output.assignment[a], output.assignment[b], "anti-affinity violated");
          }
        }
      }
    }
  }

  #[test]
  fn packs_triplets_and_respects_constraints() {
    let mut state = 12345u64;
    let mut next = || {
      state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
      (state >> 33) as f64 / (1u64 << 31) as f64
    };
    let n = 300;
    let items: Vec<f64> = (0..n * 3).map(|_| (next() * 40.0).floor() + 1.0).collect();
    let capacities = vec![100.0; 400 * 3];
    let groups: Vec<i32> = (0..n).map(|i| if i % 3 == 0 { (i / 30) as i32 } else { -1 }).collect();
    let classes: Vec<i32> = (0..n).map(|i| (i % 2) as i32).collect();
    let allowed: Vec<u8> = (0..2 * 400).map(|slot| if slot < 400 { 1 } else { (slot % 2) as u8 }).collect();
    for effort in [Effort::Fast, Effort::Improve] {
      for objective in [Objective::Pack, Objective::Spread] {
        let mut request = input(3, &items, &capacities);
        request.groups = Some(&groups);
        request.item_class = Some(&classes);
        request.allowed = Some(&allowed);
        request.effort = effort;
        request.objective = objective;
        let output = pack_vectors(&request).unwrap();
        check(&request, &output);
        for (item, &bin) in output.assignment.iter().enumerate() {
          assert!(bin >= 0);
          if classes[item] == 1 {
            assert_eq!(bin % 2, 1, "eligibility violated");
          }
        }
        assert_eq!(pack_vectors(&request).unwrap(), output, "deterministic");
      }
    }
  }

  #[test]
  fn improve_is_never_worse_than_first_fit_decreasing() {
    let items: Vec<f64> = (0..120).map(|i| ((i * 37 % 53) + 10) as f64).collect();
    let capacities = vec![100.0; 120];
    let fast = pack_vectors(&input(1, &items, &capacities)).unwrap();
    let mut request = input(1, &items, &capacities);
    request.effort = Effort::Improve;
    let improved = pack_vectors(&request).unwrap();
    check(&request, &improved);
    assert!(improved.bins_used <= fast.bins_used);
  }

  #[test]
  fn unplaceable_items_are_minus_one_and_bad_input_is_rejected() {
    let output = pack_vectors(&input(2, &[5.0, 5.0, 50.0, 1.0], &[10.0, 10.0])).unwrap();
    assert_eq!(output.assignment, vec![0, -1]);
    assert!(pack_vectors(&input(2, &[5.0, -1.0], &[10.0, 10.0])).unwrap_err().to_string().contains("items[1]"));
    assert!(pack_vectors(&input(2, &[5.0], &[10.0, 10.0])).is_err());
    assert!(pack_vectors(&input(2, &[5.0, 1.0], &[10.0, f64::NAN])).unwrap_err().to_string().contains("binCapacities[1]"));
  }
}
