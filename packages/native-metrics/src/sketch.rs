//! DDSketch-style quantile sketch with a relative-accuracy guarantee, mergeable and serialisable.

use crate::error::{MetricsError, MetricsResult};
use crate::mapping::{LogMapping, MIN_INDEXABLE, MIN_RELATIVE_ACCURACY};
use crate::store::DenseStore;

const MAGIC: &[u8; 4] = b"NCSK";
/// Version of the byte format written by `to_bytes` (2: table-driven bin mapping).
pub const FORMAT_VERSION: u8 = 2;
const HEADER_LENGTH: usize = 48;
/// Largest count the byte format carries (JavaScript numbers stay exact up to 2^53).
const MAX_COUNT: u64 = 1 << 53;
/// Independent compensated-sum accumulators; sample `i` of a sketch (counting from its first
/// sample ever) goes to lane `i % SUM_LANES`, whatever the batches, so the sum does not depend on
/// how the samples were split into calls.
pub const SUM_LANES: usize = 4;
/// Values checked and binned per step of `add_batch` (fits in the L1 cache).
const CHUNK: usize = 2048;
const SIGN_BIT: u64 = 1 << 63;
const MIN_INDEXABLE_BITS: u64 = 0x0010_0000_0000_0000;

/// Quantile sketch: every quantile within `relative_accuracy` of the exact value.
#[derive(Clone, Debug, PartialEq)]
pub struct Sketch {
  pub mapping: LogMapping,
  pub positive: DenseStore,
  pub negative: DenseStore,
  pub zero_count: u64,
  pub count: u64,
  /// Neumaier-compensated sums per lane: the samples' sum is the sum of `sums` and `compensations`.
  pub sums: [f64; SUM_LANES],
  pub compensations: [f64; SUM_LANES],
  pub min: f64,
  pub max: f64,
}

/// Checks the relative accuracy option.
pub fn check_relative_accuracy(relative_accuracy: f64) -> MetricsResult<()> {
  if relative_accuracy.is_finite() && relative_accuracy >= MIN_RELATIVE_ACCURACY && relative_accuracy < 1.0 {
    return Ok(());
  }
  Err(MetricsError::Range(format!(
    "Sketch: relativeAccuracy is {}; it must be a number from 0.00001 up to, not including, 1 (default 0.01).",
    format_number(relative_accuracy)
  )))
}

/// Writes a number the way JavaScript prints it for the common cases (NaN, Infinity, integers).
pub fn format_number(value: f64) -> String {
  if value.is_nan() {
    "NaN".to_string()
  } else if value.is_infinite() {
    if value > 0.0 { "Infinity".to_string() } else { "-Infinity".to_string() }
  } else {
    format!("{value}")
  }
}

/// Index of the first non-finite value, if any.
pub fn first_non_finite(values: &[f64]) -> Option<usize> {
  // Branch-free scan of the whole batch first; the exact index is only searched on failure.
  let mut bad = false;
  for &value in values {
    bad |= !value.is_finite();
  }
  if !bad {
    return None;
  }
  values.iter().position(|value| !value.is_finite())
}

#[inline(always)]
fn neumaier(sum: &mut f64, compensation: &mut f64, value: f64) {
  let total = *sum + value;
  let error = if sum.abs() >= value.abs() { (*sum - total) + value } else { (value - total) + *sum };
  *compensation += error;
  *sum = total;
}

/// The smaller of two samples; of two zeros, -0.
#[inline(always)]
fn lesser(a: f64, b: f64) -> f64 {
  if a < b || (a == b && a.is_sign_negative()) { a } else { b }
}

/// The larger of two samples; of two zeros, +0.
#[inline(always)]
fn greater(a: f64, b: f64) -> f64 {
  if a > b || (a == b && a.is_sign_positive()) { a } else { b }
}

/// Per-lane sums, minima and maxima of a batch in progress, lane `l` holding the sketch's lane
/// `(rotation + l) % SUM_LANES`. The lanes are independent, so the loop runs in SIMD registers.
struct BatchLanes {
  sums: [f64; SUM_LANES],
  compensations: [f64; SUM_LANES],
  mins: [f64; SUM_LANES],
  maxes: [f64; SUM_LANES],
}

impl BatchLanes {
  /// Adds a chunk (whose length is a multiple of `SUM_LANES` unless it is the batch's last);
  /// false when it holds a NaN or an infinity (then the lanes are garbage).
  #[inline(always)]
  fn accumulate(&mut self, chunk: &[f64]) -> bool {
    let mut check = [0.0f64; SUM_LANES];
    let quads = chunk.chunks_exact(SUM_LANES);
    let tail = quads.remainder();
    for quad in quads {
      for lane in 0..SUM_LANES {
        let value = quad[lane];
        check[lane] += value * 0.0; // NaN for NaN and infinities, 0 otherwise
        neumaier(&mut self.sums[lane], &mut self.compensations[lane], value);
        self.mins[lane] = if value < self.mins[lane] { value } else { self.mins[lane] };
        self.maxes[lane] = if value > self.maxes[lane] { value } else { self.maxes[lane] };
      }
    }
    for (lane, &value) in tail.iter().enumerate() {
      check[lane] += value * 0.0;
      neumaier(&mut self.sums[lane], &mut self.compensations[lane], value);
      self.mins[lane] = if value < self.mins[lane] { value } else { self.mins[lane] };
      self.maxes[lane] = if value > self.maxes[lane] { value } else { self.maxes[lane] };
    }
    check.iter().all(|&flag| flag == 0.0)
  }
}

/// Counts of a chunk's zeros (magnitudes below `MIN_INDEXABLE`) and which signed zeros it held.
#[derive(Default)]
struct Zeros {
  count: u64,
  negative_zero: bool,
  positive_zero: bool,
}

/// Adds (`step = 1`) or removes (`step = u64::MAX`, wrapping) the bins of finite values.
#[inline(always)]
fn bin_values(mapping: &LogMapping, positive: &mut DenseStore, negative: &mut DenseStore, values: &[f64], step: u64, zeros: &mut Zeros) {
  let table = &*mapping.table;
  for &value in values {
    let bits = value.to_bits();
    if bits.wrapping_sub(MIN_INDEXABLE_BITS) < SIGN_BIT - MIN_INDEXABLE_BITS {
      positive.add(table.index_of_bits(bits), step);
    } else if bits & !SIGN_BIT >= MIN_INDEXABLE_BITS {
      negative.add(table.index_of_bits(bits & !SIGN_BIT), step);
    } else {
      zeros.count += 1;
      zeros.negative_zero |= bits == SIGN_BIT;
      zeros.positive_zero |= bits == 0;
    }
  }
}

impl Sketch {
  pub fn new(relative_accuracy: f64) -> MetricsResult<Self> {
    check_relative_accuracy(relative_accuracy)?;
    Ok(Sketch {
      mapping: LogMapping::new(relative_accuracy),
      positive: DenseStore::default(),
      negative: DenseStore::default(),
      zero_count: 0,
      count: 0,
      sums: [0.0; SUM_LANES],
      compensations: [0.0; SUM_LANES],
      min: f64::INFINITY,
      max: f64::NEG_INFINITY,
    })
  }

  /// Adds a value already checked to be finite.
  #[inline(always)]
  pub fn add_finite(&mut self, value: f64) {
    if value >= MIN_INDEXABLE {
      let key = self.mapping.index(value);
      self.positive.add(key, 1);
    } else if value <= -MIN_INDEXABLE {
      let key = self.mapping.index(-value);
      self.negative.add(key, 1);
    } else {
      self.zero_count += 1;
    }
    let lane = (self.count % SUM_LANES as u64) as usize;
    neumaier(&mut self.sums[lane], &mut self.compensations[lane], value);
    self.min = lesser(value, self.min);
    self.max = greater(value, self.max);
    self.count += 1;
  }

  /// Adds a batch; all of it or, when a value is NaN or infinite, none of it.
  ///
  /// One pass over the data, chunk by chunk: the lanes check a chunk and accumulate its sum, minimum
  /// and maximum, then the chunk (still in the L1 cache) is binned. A non-finite value undoes the
  /// bins of the chunks before it, so the sketch is left exactly as it was.
  pub fn add_batch(&mut self, values: &[f64]) -> MetricsResult<()> {
    let rotation = (self.count % SUM_LANES as u64) as usize;
    let mut lanes = BatchLanes {
      sums: [0.0; SUM_LANES],
      compensations: [0.0; SUM_LANES],
      mins: [f64::INFINITY; SUM_LANES],
      maxes: [f64::NEG_INFINITY; SUM_LANES],
    };
    for lane in 0..SUM_LANES {
      lanes.sums[lane] = self.sums[(rotation + lane) % SUM_LANES];
      lanes.compensations[lane] = self.compensations[(rotation + lane) % SUM_LANES];
    }
    let shapes = (self.positive.shape(), self.negative.shape());
    let mut zeros = Zeros::default();
    for (chunk_number, chunk) in values.chunks(CHUNK).enumerate() {
      if !lanes.accumulate(chunk) {
        let done = chunk_number * CHUNK;
        bin_values(&self.mapping, &mut self.positive, &mut self.negative, &values[..done], u64::MAX, &mut Zeros::default());
        self.positive.restore_shape(shapes.0);
        self.negative.restore_shape(shapes.1);
        let index = done + chunk.iter().position(|value| !value.is_finite()).expect("a non-finite value");
        return Err(MetricsError::Range(format!(
          "Sketch.addBatch: values[{index}] is {}; samples must be finite numbers. Nothing of this batch was added.",
          format_number(values[index])
        )));
      }
      // The lanes' extremes so far bound this chunk: when they show one sign only, the chunk
      // takes the fast path (which also holds the lanes' extremes, so it never over-allocates).
      let low = lanes.mins.iter().fold(f64::INFINITY, |low, &value| low.min(value));
      let high = lanes.maxes.iter().fold(f64::NEG_INFINITY, |high, &value| high.max(value));
      if low >= MIN_INDEXABLE {
        self.positive.add_run(&self.mapping.table, chunk, low, high, 0, 1);
      } else if high <= -MIN_INDEXABLE {
        self.negative.add_run(&self.mapping.table, chunk, -high, -low, SIGN_BIT, 1);
      } else {
        bin_values(&self.mapping, &mut self.positive, &mut self.negative, chunk, 1, &mut zeros);
      }
    }
    for lane in 0..SUM_LANES {
      self.sums[(rotation + lane) % SUM_LANES] = lanes.sums[lane];
      self.compensations[(rotation + lane) % SUM_LANES] = lanes.compensations[lane];
    }
    let (mut min, mut max) = (self.min, self.max);
    for lane in 0..SUM_LANES {
      min = lesser(lanes.mins[lane], min);
      max = greater(lanes.maxes[lane], max);
    }
    // The lanes compare with `<` and `>`, which do not order -0 and +0; settle zeros by sign.
    if min == 0.0 {
      min = if zeros.negative_zero || self.min.to_bits() == SIGN_BIT { -0.0 } else { 0.0 };
    }
    if max == 0.0 {
      max = if zeros.positive_zero || self.max.to_bits() == 0 { 0.0 } else { -0.0 };
    }
    self.min = min;
    self.max = max;
    self.zero_count += zeros.count;
    self.count += values.len() as u64;
    Ok(())
  }

  pub fn merge(&mut self, other: &Sketch) -> MetricsResult<()> {
    if other.mapping.relative_accuracy != self.mapping.relative_accuracy {
      return Err(MetricsError::Range(format!(
        "Sketch.merge: the other sketch has relativeAccuracy {} but this one has {}; only sketches with the same accuracy merge.",
        format_number(other.mapping.relative_accuracy),
        format_number(self.mapping.relative_accuracy)
      )));
    }
    if other.count == 0 {
      return Ok(());
    }
    self.positive.merge(&other.positive);
    self.negative.merge(&other.negative);
    self.zero_count += other.zero_count;
    self.count += other.count;
    // The other sketch's sum enters lane 0 folded, exactly as it would through its bytes.
    let (sum, compensation) = other.folded_sum();
    neumaier(&mut self.sums[0], &mut self.compensations[0], sum);
    self.compensations[0] += compensation;
    self.min = lesser(other.min, self.min);
    self.max = greater(other.max, self.max);
    Ok(())
  }

  /// The lanes folded into one compensated pair `(sum, compensation)`, in lane order.
  pub fn folded_sum(&self) -> (f64, f64) {
    let (mut sum, mut compensation) = (0.0, 0.0);
    for lane in 0..SUM_LANES {
      neumaier(&mut sum, &mut compensation, self.sums[lane]);
    }
    for lane in 0..SUM_LANES {
      compensation += self.compensations[lane];
    }
    (sum, compensation)
  }

  pub fn total_sum(&self) -> f64 {
    let (sum, compensation) = self.folded_sum();
    sum + compensation
  }

  /// Smallest sample, NaN when empty.
  pub fn min_value(&self) -> f64 {
    if self.count == 0 { f64::NAN } else { self.min }
  }

  /// Largest sample, NaN when empty.
  pub fn max_value(&self) -> f64 {
    if self.count == 0 { f64::NAN } else { self.max }
  }

  pub fn check_quantile(q: f64) -> MetricsResult<()> {
    if (0.0..=1.0).contains(&q) {
      return Ok(());
    }
    Err(MetricsError::Range(format!(
      "Sketch.quantile: q is {}; it must be between 0 and 1 inclusive.",
      format_number(q)
    )))
  }

  /// Value at rank `floor(q * (count - 1))` within the relative accuracy; NaN when empty.
  pub fn quantile_unchecked(&self, q: f64) -> f64 {
    if self.count == 0 {
      return f64::NAN;
    }
    let rank = (q * (self.count - 1) as f64).floor();
    let negative_count = (self.count - self.zero_count - self.positive.total()) as f64;
    let value = if rank < negative_count {
      -self.mapping.value(self.negative.key_at_rank(negative_count - 1.0 - rank))
    } else if rank < negative_count + self.zero_count as f64 {
      0.0
    } else {
      self.mapping.value(self.positive.key_at_rank(rank - negative_count - self.zero_count as f64))
    };
    let clamped = if value < self.min { self.min } else { value };
    if clamped > self.max {
      self.max
    } else {
      clamped
    }
  }

  pub fn quantile(&self, q: f64) -> MetricsResult<f64> {
    Self::check_quantile(q)?;
    Ok(self.quantile_unchecked(q))
  }

  pub fn to_bytes(&self) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER_LENGTH + 16 + self.positive.counts.len() + self.negative.counts.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&[FORMAT_VERSION, 0, 0, 0]);
    let (sum, compensation) = self.folded_sum();
    for value in [self.mapping.relative_accuracy, sum, compensation, self.min, self.max] {
      bytes.extend_from_slice(&value.to_le_bytes());
    }
    write_varint(&mut bytes, self.count);
    write_varint(&mut bytes, self.zero_count);
    write_store(&mut bytes, &self.positive);
    write_store(&mut bytes, &self.negative);
    let checksum = crc32(&bytes);
    bytes.extend_from_slice(&checksum.to_le_bytes());
    bytes
  }

  pub fn from_bytes(bytes: &[u8]) -> MetricsResult<Sketch> {
    let corrupt = |what: &str| {
      MetricsError::Corrupt(format!(
        "Sketch.fromBytes: {what}. The bytes are not a sketch written by Sketch.toBytes (truncated or corrupted)."
      ))
    };
    if bytes.len() < HEADER_LENGTH + 2 + 2 + 4 {
      return Err(corrupt(&format!("only {} bytes, a sketch has at least {}", bytes.len(), HEADER_LENGTH + 8)));
    }
    if &bytes[0..4] != MAGIC {
      return Err(corrupt("missing the NCSK magic"));
    }
    if bytes[4] == 1 {
      return Err(MetricsError::Corrupt(
        "Sketch.fromBytes: format version 1 (the cubic bin mapping of earlier builds) cannot be read by this build, which reads version 2 (a table-driven bin mapping with different bins); re-create the sketch from its samples."
          .to_string(),
      ));
    }
    if bytes[4] != FORMAT_VERSION {
      return Err(MetricsError::Corrupt(format!(
        "Sketch.fromBytes: format version {} is not supported (this build reads version {FORMAT_VERSION}). Upgrade @novacron/native-metrics.",
        bytes[4]
      )));
    }
    let body_length = bytes.len() - 4;
    let stored = u32::from_le_bytes([bytes[body_length], bytes[body_length + 1], bytes[body_length + 2], bytes[body_length + 3]]);
    if crc32(&bytes[..body_length]) != stored {
      return Err(corrupt("checksum mismatch"));
    }
    let read_f64 = |at: usize| f64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight bytes"));
    let relative_accuracy = read_f64(8);
    check_relative_accuracy(relative_accuracy).map_err(|_| corrupt("invalid relative accuracy"))?;
    let mut sketch = Sketch::new(relative_accuracy)?;
    sketch.sums[0] = read_f64(16);
    sketch.compensations[0] = read_f64(24);
    sketch.min = read_f64(32);
    sketch.max = read_f64(40);
    let mut reader = Reader { bytes: &bytes[..body_length], position: HEADER_LENGTH };
    sketch.count = reader.varint().ok_or_else(|| corrupt("bad count"))?;
    sketch.zero_count = reader.varint().ok_or_else(|| corrupt("bad zero count"))?;
    sketch.positive = reader.store().ok_or_else(|| corrupt("bad positive bins"))?;
    sketch.negative = reader.store().ok_or_else(|| corrupt("bad negative bins"))?;
    if reader.position != body_length {
      return Err(corrupt("trailing bytes"));
    }
    let total = sketch.zero_count as u128 + sketch.positive.total() as u128 + sketch.negative.total() as u128;
    if total != sketch.count as u128 || sketch.count > MAX_COUNT {
      return Err(corrupt("bin counts do not add up to the count"));
    }
    let consistent = if sketch.count == 0 {
      sketch.min == f64::INFINITY && sketch.max == f64::NEG_INFINITY && sketch.sums[0] == 0.0 && sketch.compensations[0] == 0.0
    } else {
      // The sum may have overflowed to a non-finite value; min and max cannot.
      sketch.min.is_finite() && sketch.max.is_finite() && sketch.min <= sketch.max
    };
    if !consistent {
      return Err(corrupt("inconsistent min, max or sum"));
    }
    Ok(sketch)
  }
}

fn write_varint(bytes: &mut Vec<u8>, mut value: u64) {
  while value >= 0x80 {
    bytes.push((value as u8 & 0x7f) | 0x80);
    value >>= 7;
  }
  bytes.push(value as u8);
}

fn write_store(bytes: &mut Vec<u8>, store: &DenseStore) {
  match store.non_zero_range() {
    None => write_varint(bytes, 0),
    Some((first, last)) => {
      write_varint(bytes, (last - first + 1) as u64);
      let key = store.offset as i64 + first as i64;
      write_varint(bytes, ((key << 1) ^ (key >> 63)) as u64);
      for &count in &store.counts[first..=last] {
        write_varint(bytes, count);
      }
    }
  }
}

struct Reader<'a> {
  bytes: &'a [u8],
  position: usize,
}

impl Reader<'_> {
  /// LEB128 value of at most 2^53.
  fn varint(&mut self) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..56).step_by(7) {
      let byte = *self.bytes.get(self.position)?;
      self.position += 1;
      value |= ((byte & 0x7f) as u64) << shift;
      if byte & 0x80 == 0 {
        return if value <= MAX_COUNT { Some(value) } else { None };
      }
    }
    None
  }

  fn store(&mut self) -> Option<DenseStore> {
    let length = self.varint()?;
    if length == 0 {
      return Some(DenseStore::default());
    }
    if length > (self.bytes.len() - self.position) as u64 {
      return None;
    }
    let zigzag = self.varint()?;
    let key = ((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64);
    if key < i32::MIN as i64 || key + length as i64 - 1 > i32::MAX as i64 {
      return None;
    }
    let mut counts = Vec::with_capacity(length as usize);
    for _ in 0..length {
      counts.push(self.varint()?);
    }
    if counts.first() == Some(&0) || counts.last() == Some(&0) {
      return None;
    }
    Some(DenseStore { offset: key as i32, counts })
  }
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320).
pub fn crc32(bytes: &[u8]) -> u32 {
  static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
  let table = TABLE.get_or_init(|| {
    let mut table = [0u32; 256];
    for (index, slot) in table.iter_mut().enumerate() {
      let mut value = index as u32;
      for _ in 0..8 {
        value = if value & 1 != 0 { 0xedb8_8320 ^ (value >> 1) } else { value >> 1 };
      }
      *slot = value;
    }
    table
  });
  let mut crc = 0xffff_ffffu32;
  for &byte in bytes {
    crc = table[((crc ^ byte as u32) & 0xff) as usize] ^ (crc >> 8);
  }
  crc ^ 0xffff_ffff
}

#[cfg(test)]
mod tests {
  use super::*;

  fn lcg(seed: &mut u64) -> f64 {
    *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    ((*seed >> 11) as f64) / (1u64 << 53) as f64
  }

  fn data(seed: u64, n: usize) -> Vec<f64> {
    let mut state = seed;
    (0..n)
      .map(|i| {
        let u = lcg(&mut state);
        match i % 5 {
          0 => 0.0,
          1 => -(1e-3 + u * 1e6),
          2 => (u * 40.0 - 20.0).exp(),
          _ => u * 1000.0,
        }
      })
      .collect()
  }

  #[test]
  fn quantiles_are_within_relative_accuracy() {
    let values = data(7, 20_001);
    let mut sketch = Sketch::new(0.01).unwrap();
    sketch.add_batch(&values).unwrap();
    let mut sorted = values.clone();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    for step in 0..=100 {
      let q = step as f64 / 100.0;
      let exact = sorted[(q * (sorted.len() - 1) as f64).floor() as usize];
      let estimate = sketch.quantile(q).unwrap();
      assert!((estimate - exact).abs() <= 0.01 * exact.abs() * (1.0 + 1e-9), "q = {q}: {estimate} vs {exact}");
    }
    assert_eq!(sketch.count, 20_001);
    assert_eq!(sketch.min, sorted[0]);
    assert_eq!(sketch.max, sorted[sorted.len() - 1]);
  }

  #[test]
  fn merge_equals_sketch_of_all_data_in_any_order() {
    let parts: Vec<Vec<f64>> = (0..6).map(|seed| data(seed, 3_000)).collect();
    let mut whole = Sketch::new(0.02).unwrap();
    for part in &parts {
      whole.add_batch(part).unwrap();
    }
    let sketches: Vec<Sketch> = parts
      .iter()
      .map(|part| {
        let mut sketch = Sketch::new(0.02).unwrap();
        sketch.add_batch(part).unwrap();
        sketch
      })
      .collect();
    let mut forward = Sketch::new(0.02).unwrap();
    for sketch in &sketches {
      forward.merge(sketch).unwrap();
    }
    let mut backward = Sketch::new(0.02).unwrap();
    for sketch in sketches.iter().rev() {
      backward.merge(sketch).unwrap();
    }
    for merged in [&forward, &backward] {
      assert_eq!(merged.count, whole.count);
      assert_eq!(merged.zero_count, whole.zero_count);
      assert_eq!(merged.positive.non_zero_range().map(|(a, b)| b - a), whole.positive.non_zero_range().map(|(a, b)| b - a));
      assert_eq!(merged.negative.total(), whole.negative.total());
      assert_eq!(merged.min, whole.min);
      assert_eq!(merged.max, whole.max);
      for step in 0..=20 {
        let q = step as f64 / 20.0;
        assert_eq!(merged.quantile(q).unwrap(), whole.quantile(q).unwrap());
      }
    }
  }

  #[test]
  fn rejects_non_finite_without_half_applying() {
    let mut sketch = Sketch::new(0.01).unwrap();
    sketch.add_batch(&[1.0, 2.0]).unwrap();
    let before = sketch.clone();
    let error = sketch.add_batch(&[3.0, f64::NAN, 4.0]).unwrap_err();
    assert!(error.to_string().contains("values[1] is NaN"));
    assert_eq!(sketch, before);
  }

  #[test]
  fn rejects_non_finite_late_in_a_long_batch_and_undoes_the_earlier_chunks() {
    let mut sketch = Sketch::new(0.01).unwrap();
    sketch.add_batch(&[1.0, -2.0, 0.0]).unwrap();
    let before = sketch.clone();
    let mut values = data(5, 3 * CHUNK + 17);
    values[CHUNK + 5] = 1e300; // grows the positive store mid-batch
    values[2 * CHUNK + 3] = -1e-300; // and the negative one
    let bad = 3 * CHUNK + 9;
    values[bad] = f64::NEG_INFINITY;
    let error = sketch.add_batch(&values).unwrap_err();
    assert!(error.to_string().contains(&format!("values[{bad}] is -Infinity")), "{error}");
    assert_eq!(sketch, before);
    values[bad] = 3.0;
    sketch.add_batch(&values).unwrap();
    assert_eq!(sketch.count, 3 + values.len() as u64);
  }

  #[test]
  fn batches_and_single_adds_give_the_same_sketch() {
    let values = data(11, 10_007);
    let mut whole = Sketch::new(0.01).unwrap();
    whole.add_batch(&values).unwrap();
    let mut pieces = Sketch::new(0.01).unwrap();
    let mut singles = Sketch::new(0.01).unwrap();
    let mut start = 0;
    for size in [1usize, 3, 2048, 5, 4096, 0, 7].iter().cycle() {
      if start >= values.len() {
        break;
      }
      let end = (start + size).min(values.len());
      pieces.add_batch(&values[start..end]).unwrap();
      start = end;
    }
    for &value in &values {
      singles.add_finite(value);
    }
    assert_eq!(pieces, whole);
    assert_eq!(singles, whole);
    assert_eq!(whole.to_bytes(), singles.to_bytes());
  }

  #[test]
  fn min_and_max_order_signed_zeros() {
    for values in [[0.0, -0.0], [-0.0, 0.0]] {
      let mut sketch = Sketch::new(0.01).unwrap();
      sketch.add_batch(&values).unwrap();
      assert_eq!(sketch.min.to_bits(), (-0.0f64).to_bits());
      assert_eq!(sketch.max.to_bits(), 0.0f64.to_bits());
      let mut single = Sketch::new(0.01).unwrap();
      single.add_finite(values[0]);
      single.add_finite(values[1]);
      assert_eq!(single, sketch);
    }
  }

  #[test]
  fn rejects_version_1_bytes_with_a_clear_error() {
    let mut bytes = Sketch::new(0.01).unwrap().to_bytes();
    bytes[4] = 1;
    let body = bytes.len() - 4;
    let checksum = crc32(&bytes[..body]);
    bytes[body..].copy_from_slice(&checksum.to_le_bytes());
    let error = Sketch::from_bytes(&bytes).unwrap_err();
    assert!(error.to_string().contains("format version 1"), "{error}");
  }

  #[test]
  fn bytes_round_trip_and_reject_corruption() {
    let mut sketch = Sketch::new(0.01).unwrap();
    sketch.add_batch(&data(3, 5_000)).unwrap();
    let bytes = sketch.to_bytes();
    let decoded = Sketch::from_bytes(&bytes).unwrap();
    assert_eq!(decoded.to_bytes(), bytes);
    for length in 0..bytes.len() {
      assert!(Sketch::from_bytes(&bytes[..length]).is_err());
    }
    let mut state = 99u64;
    for _ in 0..2_000 {
      let mut flipped = bytes.clone();
      let at = (lcg(&mut state) * flipped.len() as f64) as usize;
      flipped[at] ^= 1 << ((lcg(&mut state) * 8.0) as u32);
      assert!(Sketch::from_bytes(&flipped).is_err());
    }
    for _ in 0..2_000 {
      let length = (lcg(&mut state) * 200.0) as usize;
      let random: Vec<u8> = (0..length).map(|_| (lcg(&mut state) * 256.0) as u8).collect();
      let _ = Sketch::from_bytes(&random);
    }
  }

  #[test]
  fn empty_sketch_answers_nan() {
    let sketch = Sketch::new(0.01).unwrap();
    assert!(sketch.quantile(0.5).unwrap().is_nan());
    assert!(sketch.min_value().is_nan());
    assert!(Sketch::from_bytes(&sketch.to_bytes()).is_ok());
  }
}
