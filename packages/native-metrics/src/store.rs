//! Dense, growable array of bin counters keyed by a signed bin index.

use crate::mapping::MappingTable;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DenseStore {
  /// Key of `counts[0]`.
  pub offset: i32,
  pub counts: Vec<u64>,
}

impl DenseStore {
  /// Adds `step` (wrapping: `u64::MAX` removes one) to the bin of each value, for values known to
  /// be positive, normal and finite with magnitudes in `[low, high]`: the array is grown once for
  /// that range, then the loop runs without bounds checks or sign tests.
  pub fn add_run(&mut self, table: &MappingTable, values: &[f64], low: f64, high: f64, sign: u64, step: u64) {
    self.extend_to(table.index_of_bits(low.to_bits()));
    self.extend_to(table.index_of_bits(high.to_bits()));
    let offset = self.offset;
    let counts = &mut self.counts[..];
    let (shift, mask, bins_per_octave, bin_of_cell) = table.parts();
    for &value in values {
      let bits = value.to_bits() ^ sign;
      let exponent = (bits >> 52) as i32 - 1023;
      // SAFETY: the mask keeps the cell below `bin_of_cell.len()` (a power of two).
      let bin = unsafe { *bin_of_cell.get_unchecked(((bits >> shift) & mask) as usize) } as i32;
      let position = (exponent * bins_per_octave + bin - offset) as usize;
      debug_assert!(position < counts.len());
      // SAFETY: every value lies in [low, high], whose bins were allocated above, and the mapping
      // is monotonic, so `position` is in range.
      let slot = unsafe { counts.get_unchecked_mut(position) };
      *slot = slot.wrapping_add(step);
    }
  }

  #[inline(always)]
  pub fn add(&mut self, key: i32, count: u64) {
    let position = key.wrapping_sub(self.offset) as u32 as usize;
    match self.counts.get_mut(position) {
      Some(slot) => *slot = slot.wrapping_add(count),
      None => self.add_slow(key, count),
    }
  }

  #[cold]
  fn add_slow(&mut self, key: i32, count: u64) {
    self.extend_to(key);
    let position = (key - self.offset) as usize;
    self.counts[position] += count;
  }

  /// Grows the array so that `key` has a slot, with slack on the growing side.
  pub fn extend_to(&mut self, key: i32) {
    if self.counts.is_empty() {
      self.offset = key - 32;
      self.counts = vec![0; 64];
      return;
    }
    let length = self.counts.len() as i64;
    let offset = self.offset as i64;
    let key = key as i64;
    if key >= offset && key < offset + length {
      return;
    }
    if key < offset {
      let grow = (offset - key).max(length / 2).max(32);
      let new_offset = (offset - grow).max(i32::MIN as i64);
      let mut counts = vec![0; (offset - new_offset) as usize];
      counts.extend_from_slice(&self.counts);
      self.counts = counts;
      self.offset = new_offset as i32;
    } else {
      let grow = (key - (offset + length) + 1).max(length / 2).max(32);
      self.counts.resize((length + grow) as usize, 0);
    }
  }

  /// Offset and length of the counters, for `restore_shape`.
  pub fn shape(&self) -> (i32, usize) {
    (self.offset, self.counts.len())
  }

  /// Shrinks the counters back to an earlier shape after every count added since was removed.
  pub fn restore_shape(&mut self, (offset, length): (i32, usize)) {
    if (offset, length) == self.shape() {
      return;
    }
    if length == 0 {
      *self = DenseStore::default();
      return;
    }
    let start = (offset as i64 - self.offset as i64) as usize;
    self.counts = self.counts[start..start + length].to_vec();
    self.offset = offset;
  }

  pub fn merge(&mut self, other: &DenseStore) {
    let Some((first, last)) = other.non_zero_range() else { return };
    self.extend_to(other.offset + first as i32);
    self.extend_to(other.offset + last as i32);
    let shift = other.offset as i64 - self.offset as i64;
    for position in first..=last {
      self.counts[(position as i64 + shift) as usize] += other.counts[position];
    }
  }

  /// First and last positions with a non-zero count.
  pub fn non_zero_range(&self) -> Option<(usize, usize)> {
    let first = self.counts.iter().position(|&count| count != 0)?;
    let last = self.counts.iter().rposition(|&count| count != 0)?;
    Some((first, last))
  }

  pub fn total(&self) -> u64 {
    self.counts.iter().sum()
  }

  /// Key of the first bin whose cumulative count exceeds `rank`, walking keys upwards.
  pub fn key_at_rank(&self, rank: f64) -> i32 {
    let mut cumulative = 0u64;
    for (position, &count) in self.counts.iter().enumerate() {
      cumulative += count;
      if count != 0 && cumulative as f64 > rank {
        return self.offset + position as i32;
      }
    }
    let (_, last) = self.non_zero_range().unwrap_or((0, 0));
    self.offset + last as i32
  }
}
