//! Table-driven logarithmic index mapping (DDSketch family), the bin layout of byte format v2.
//!
//! Each octave `[2^e, 2^(e+1))` is cut into `2^cell_bits` equal cells (the top mantissa bits of a
//! value), and consecutive cells are grouped greedily into bins whose upper/lower bound ratio stays
//! at most `gamma = (1 + a) / (1 - a)` (a hair less, to absorb rounding). A value's bin is then
//! `e * bins_per_octave + bin_of_cell[top mantissa bits]`: a shift, a mask and one table load, no
//! floating-point maths. The harmonic mean of a bin's bounds is within `(U - L) / (U + L) <= a` of
//! every value in the bin. The table is built with integer comparisons and one IEEE-754 division
//! per cell, so the TypeScript fallback (`src/js/log-mapping.ts`) builds the same table.

use std::sync::{Arc, Mutex};

/// Smallest magnitude that gets its own bin; smaller magnitudes (and subnormals) count as zero.
pub const MIN_INDEXABLE: f64 = f64::MIN_POSITIVE;
/// Finest supported relative accuracy (finer ones would need bin tables of several megabytes).
pub const MIN_RELATIVE_ACCURACY: f64 = 1e-5;
/// Cells per octave are `2^cell_bits` with `2^cell_bits >= 32 / a`, capped at `2^20`.
const MAX_CELL_BITS: u32 = 20;
/// The bins' bound ratio stays below `gamma * (1 - GAMMA_MARGIN)`, which absorbs the rounding of
/// the ratio test and of the bin value so that the accuracy bound holds strictly.
const GAMMA_MARGIN: f64 = 1e-9;

/// Bin layout of one octave, shared by every sketch with the same relative accuracy.
pub struct MappingTable {
  cell_bits: u32,
  bins_per_octave: i32,
  /// Bin (within the octave) of each cell; `2^cell_bits` entries.
  bin_of_cell: Box<[u16]>,
  /// First cell of each bin, then `2^cell_bits`; `bins_per_octave + 1` entries.
  first_cell: Box<[u32]>,
}

impl std::fmt::Debug for MappingTable {
  fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    write!(formatter, "MappingTable {{ cell_bits: {}, bins_per_octave: {} }}", self.cell_bits, self.bins_per_octave)
  }
}

/// Number of mantissa bits that select a cell for a relative accuracy.
pub fn cell_bits(relative_accuracy: f64) -> u32 {
  let mut bits = 1;
  while bits < MAX_CELL_BITS && ((1u64 << bits) as f64) * relative_accuracy < 32.0 {
    bits += 1;
  }
  bits
}

impl MappingTable {
  fn build(relative_accuracy: f64) -> Self {
    let cell_bits = cell_bits(relative_accuracy);
    let cells = 1u32 << cell_bits;
    let gamma = (1.0 + relative_accuracy) / (1.0 - relative_accuracy) * (1.0 - GAMMA_MARGIN);
    let mut bin_of_cell = Vec::with_capacity(cells as usize);
    let mut first_cell = vec![0u32];
    let mut start = 0u32;
    for cell in 0..cells {
      // Bounds of the bin [start, cell + 1) relative to the octave: 1 + start / cells, 1 + (cell + 1) / cells.
      if ((cells + cell + 1) as f64) / ((cells + start) as f64) > gamma {
        start = cell;
        first_cell.push(cell);
      }
      bin_of_cell.push((first_cell.len() - 1) as u16);
    }
    first_cell.push(cells);
    MappingTable {
      cell_bits,
      bins_per_octave: (first_cell.len() - 1) as i32,
      bin_of_cell: bin_of_cell.into_boxed_slice(),
      first_cell: first_cell.into_boxed_slice(),
    }
  }

  /// Shift and mask that select a cell from a value's bits, bins per octave, and the cell table.
  #[inline(always)]
  pub fn parts(&self) -> (u32, u64, i32, &[u16]) {
    (52 - self.cell_bits, (1u64 << self.cell_bits) - 1, self.bins_per_octave, &self.bin_of_cell)
  }

  /// Bin index of the bits of a positive, normal, finite value.
  #[inline(always)]
  pub fn index_of_bits(&self, bits: u64) -> i32 {
    let exponent = (bits >> 52) as i32 - 1023;
    let cell = ((bits >> (52 - self.cell_bits)) as usize) & (self.bin_of_cell.len() - 1);
    // SAFETY: `bin_of_cell.len()` is a power of two, so the mask keeps `cell` in range.
    exponent * self.bins_per_octave + unsafe { *self.bin_of_cell.get_unchecked(cell) } as i32
  }
}

/// Index mapping for one relative accuracy (a cheap handle on a shared table).
#[derive(Clone, Debug)]
pub struct LogMapping {
  pub relative_accuracy: f64,
  pub table: Arc<MappingTable>,
}

impl PartialEq for LogMapping {
  fn eq(&self, other: &Self) -> bool {
    self.relative_accuracy == other.relative_accuracy
  }
}

impl LogMapping {
  /// The mapping of a relative accuracy already checked to be in `[MIN_RELATIVE_ACCURACY, 1)`.
  pub fn new(relative_accuracy: f64) -> Self {
    static CACHE: Mutex<Vec<(u64, Arc<MappingTable>)>> = Mutex::new(Vec::new());
    let key = relative_accuracy.to_bits();
    let mut cache = CACHE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let table = match cache.iter().find(|(bits, _)| *bits == key) {
      Some((_, table)) => table.clone(),
      None => {
        let table = Arc::new(MappingTable::build(relative_accuracy));
        if cache.len() >= 16 {
          cache.remove(0);
        }
        cache.push((key, table.clone()));
        table
      }
    };
    LogMapping { relative_accuracy, table }
  }

  /// Bins per octave of this mapping.
  pub fn bins_per_octave(&self) -> i32 {
    self.table.bins_per_octave
  }

  /// Bin index of a positive, normal, finite magnitude.
  #[inline(always)]
  pub fn index(&self, magnitude: f64) -> i32 {
    self.table.index_of_bits(magnitude.to_bits())
  }

  /// Octave and bounds of a bin within its octave (`1 <= lower < upper <= 2`).
  fn bounds(&self, index: i32) -> (i32, f64, f64) {
    let table = &self.table;
    let octave = index.div_euclid(table.bins_per_octave);
    let bin = index.rem_euclid(table.bins_per_octave) as usize;
    let cells = (1u32 << table.cell_bits) as f64;
    let lower = 1.0 + table.first_cell[bin] as f64 / cells;
    let upper = 1.0 + table.first_cell[bin + 1] as f64 / cells;
    (octave, lower, upper)
  }

  /// Lower bound of a bin.
  pub fn lower_bound(&self, index: i32) -> f64 {
    let (octave, lower, _) = self.bounds(index);
    lower * power_of_two(octave as f64)
  }

  /// Representative value of a bin: the harmonic mean of its bounds, within `(U - L) / (U + L)`,
  /// hence within the relative accuracy, of every value in the bin (and centred, unlike `L (1 + a)`).
  pub fn value(&self, index: i32) -> f64 {
    let (octave, lower, upper) = self.bounds(index);
    lower * ((2.0 * upper) / (lower + upper)) * power_of_two(octave as f64)
  }
}

/// `2^exponent` built from bits (exact for the normal exponent range, clamped outside it).
pub fn power_of_two(exponent: f64) -> f64 {
  if exponent >= 1024.0 {
    return f64::INFINITY;
  }
  if exponent < -1022.0 {
    return f64::MIN_POSITIVE;
  }
  f64::from_bits(((exponent + 1023.0) as u64) << 52)
}

#[cfg(test)]
mod tests {
  use super::*;

  fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    *state >> 11
  }

  /// Checks one value against its bin's value; returns the relative error.
  fn error_of(mapping: &LogMapping, x: f64) -> f64 {
    let index = mapping.index(x);
    assert!(mapping.lower_bound(index) <= x && x < mapping.lower_bound(index + 1), "x = {x} is outside bin {index}");
    let value = mapping.value(index);
    let error = (value - x).abs() / x;
    assert!(error <= mapping.relative_accuracy, "a = {} x = {x:e} v = {value:e} error {error}", mapping.relative_accuracy);
    error
  }

  #[test]
  fn every_value_is_within_accuracy_of_its_bin_value() {
    for a in [MIN_RELATIVE_ACCURACY, 3e-5, 0.001, 0.004, 0.01, 0.02, 0.05, 0.1, 0.3, 0.5, 0.9, 0.999] {
      let mapping = LogMapping::new(a);
      let table = &mapping.table;
      // Every bin boundary, the values just below and just above it, in several octaves
      // including the extremes of the normal range.
      for octave in [-1022, -300, -1, 0, 1, 52, 700, 1023] {
        for bin in 0..table.bins_per_octave as usize {
          let lower = (1.0 + table.first_cell[bin] as f64 / (1u64 << table.cell_bits) as f64) * power_of_two(octave as f64);
          error_of(&mapping, lower);
          let below = f64::from_bits(lower.to_bits() - 1);
          if below >= MIN_INDEXABLE {
            error_of(&mapping, below);
          }
          error_of(&mapping, f64::from_bits(lower.to_bits() + 1));
        }
      }
      error_of(&mapping, f64::MAX);
      error_of(&mapping, MIN_INDEXABLE);
      // Random values over the whole normal range.
      let mut state = 17;
      let mut worst = 0.0f64;
      for _ in 0..200_000 {
        let bits = next(&mut state) % (0x7fe0_0000_0000_0000 - 0x0010_0000_0000_0000) + 0x0010_0000_0000_0000;
        worst = worst.max(error_of(&mapping, f64::from_bits(bits)));
      }
      assert!(worst > 0.8 * a.min(0.3), "a = {a}: the bins are needlessly narrow (worst error {worst})");
    }
  }

  #[test]
  fn bins_are_nearly_as_wide_as_the_accuracy_allows() {
    for a in [0.001, 0.01, 0.05] {
      let mapping = LogMapping::new(a);
      let ideal = (2.0f64).ln() / ((1.0 + a) / (1.0 - a)).ln();
      let bins = mapping.bins_per_octave() as f64;
      assert!(bins >= ideal && bins <= ideal * 1.05 + 1.0, "a = {a}: {bins} bins per octave, ideal {ideal}");
    }
  }

  #[test]
  fn indices_are_monotonic() {
    let mapping = LogMapping::new(0.01);
    let mut previous = i32::MIN;
    let mut x = MIN_INDEXABLE;
    while x < 1e300 {
      let index = mapping.index(x);
      assert!(index >= previous);
      previous = index;
      x *= 1.003;
    }
  }
}
