//! Per-series aggregation: sketches, EWMA, last value, rolling windows, roll-ups and anomaly scores.

use crate::error::{MetricsError, MetricsResult};
use crate::sketch::{check_relative_accuracy, format_number, Sketch};

/// Fields written per series by `summarize`, in this order, then one column per quantile.
pub const SERIES_FIELDS: usize = 8;
/// Fields written per group by `rollup`, in this order, then one column per quantile.
pub const GROUP_FIELDS: usize = 5;
/// Fields written per series by `window_summary`.
pub const WINDOW_FIELDS: usize = 5;

/// Options of the aggregator (validated by `SeriesAggregator::new`).
#[derive(Clone, Copy, Debug)]
pub struct AggregatorOptions {
  pub series_count: usize,
  pub relative_accuracy: f64,
  pub ewma_alpha: f64,
  pub window_ms: f64,
  pub window_buckets: usize,
}

pub struct SeriesAggregator {
  options: AggregatorOptions,
  bucket_ms: f64,
  sketches: Vec<Sketch>,
  ewma: Vec<f64>,
  last: Vec<f64>,
  /// Rolling window ring, `series * window_buckets` slots.
  slot_epoch: Vec<f64>,
  slot_count: Vec<f64>,
  slot_sum: Vec<f64>,
  slot_min: Vec<f64>,
  slot_max: Vec<f64>,
  /// Scratch buffers of the counting sort, kept between calls.
  order_values: Vec<f64>,
  order_times: Vec<f64>,
  offsets: Vec<u32>,
}

fn range(message: String) -> MetricsError {
  MetricsError::Range(message)
}

impl SeriesAggregator {
  pub fn new(options: AggregatorOptions) -> MetricsResult<Self> {
    check_relative_accuracy(options.relative_accuracy)?;
    if options.series_count == 0 || options.series_count > 100_000_000 {
      return Err(range(format!(
        "SeriesAggregator: seriesCount is {}; it must be an integer from 1 to 100000000.",
        options.series_count
      )));
    }
    if !(options.ewma_alpha > 0.0 && options.ewma_alpha <= 1.0) {
      return Err(range(format!(
        "SeriesAggregator: ewmaAlpha is {}; it must be in (0, 1] (default 0.1).",
        format_number(options.ewma_alpha)
      )));
    }
    if !(options.window_ms.is_finite() && options.window_ms > 0.0) {
      return Err(range(format!(
        "SeriesAggregator: windowMs is {}; it must be a positive number of milliseconds (default 60000).",
        format_number(options.window_ms)
      )));
    }
    if options.window_buckets == 0 || options.window_buckets > 1024 {
      return Err(range(format!(
        "SeriesAggregator: windowBuckets is {}; it must be an integer from 1 to 1024 (default 6).",
        options.window_buckets
      )));
    }
    let series = options.series_count;
    let slots = series * options.window_buckets;
    let empty = Sketch::new(options.relative_accuracy)?;
    Ok(SeriesAggregator {
      options,
      bucket_ms: options.window_ms / options.window_buckets as f64,
      sketches: vec![empty; series],
      ewma: vec![f64::NAN; series],
      last: vec![f64::NAN; series],
      slot_epoch: vec![f64::NEG_INFINITY; slots],
      slot_count: vec![0.0; slots],
      slot_sum: vec![0.0; slots],
      slot_min: vec![f64::INFINITY; slots],
      slot_max: vec![f64::NEG_INFINITY; slots],
      order_values: Vec::new(),
      order_times: Vec::new(),
      offsets: Vec::new(),
    })
  }

  pub fn series_count(&self) -> usize {
    self.options.series_count
  }

  pub fn sketch(&self, series: usize) -> Option<&Sketch> {
    self.sketches.get(series)
  }

  /// Checks a whole batch before anything is applied.
  fn validate(&self, series_ids: &[u32], values: &[f64], timestamps: Option<&[f64]>) -> MetricsResult<()> {
    if series_ids.len() != values.len() {
      return Err(range(format!(
        "SeriesAggregator.ingest: seriesIds has {} entries but values has {}; they must have the same length.",
        series_ids.len(),
        values.len()
      )));
    }
    if let Some(times) = timestamps {
      if times.len() != values.len() {
        return Err(range(format!(
          "SeriesAggregator.ingest: timestampsMs has {} entries but values has {}; they must have the same length.",
          times.len(),
          values.len()
        )));
      }
      if let Some(index) = crate::sketch::first_non_finite(times) {
        return Err(range(format!(
          "SeriesAggregator.ingest: timestampsMs[{index}] is {}; timestamps must be finite. Nothing of this batch was ingested.",
          format_number(times[index])
        )));
      }
    }
    if let Some(index) = crate::sketch::first_non_finite(values) {
      return Err(range(format!(
        "SeriesAggregator.ingest: values[{index}] is {}; samples must be finite numbers. Nothing of this batch was ingested.",
        format_number(values[index])
      )));
    }
    let limit = self.options.series_count as u32;
    if let Some(index) = series_ids.iter().position(|&id| id >= limit) {
      return Err(range(format!(
        "SeriesAggregator.ingest: seriesIds[{index}] is {}; ids must be below seriesCount ({limit}). Nothing of this batch was ingested.",
        series_ids[index]
      )));
    }
    Ok(())
  }

  /// Ingests a batch (all or nothing); samples of one series are applied in batch order.
  pub fn ingest(&mut self, series_ids: &[u32], values: &[f64], timestamps: Option<&[f64]>) -> MetricsResult<()> {
    self.validate(series_ids, values, timestamps)?;
    let series = self.options.series_count;
    if values.len() < 4 * series.min(1 << 16) {
      for (position, (&id, &value)) in series_ids.iter().zip(values).enumerate() {
        self.apply(id as usize, value, timestamps.map(|times| times[position]));
      }
      return Ok(());
    }
    // Counting sort by series id (stable), so each series' sketch is touched in one run.
    let offsets = &mut self.offsets;
    offsets.clear();
    offsets.resize(series + 1, 0);
    for &id in series_ids {
      offsets[id as usize + 1] += 1;
    }
    for index in 0..series {
      offsets[index + 1] += offsets[index];
    }
    self.order_values.resize(values.len(), 0.0);
    if timestamps.is_some() {
      self.order_times.resize(values.len(), 0.0);
    }
    let mut cursor: Vec<u32> = offsets[..series].to_vec();
    for (position, &id) in series_ids.iter().enumerate() {
      let slot = &mut cursor[id as usize];
      self.order_values[*slot as usize] = values[position];
      if let Some(times) = timestamps {
        self.order_times[*slot as usize] = times[position];
      }
      *slot += 1;
    }
    let order_values = std::mem::take(&mut self.order_values);
    let order_times = std::mem::take(&mut self.order_times);
    let offsets = std::mem::take(&mut self.offsets);
    for id in 0..series {
      let (start, end) = (offsets[id] as usize, offsets[id + 1] as usize);
      if start == end {
        continue;
      }
      let run = &order_values[start..end];
      match timestamps {
        None => {
          self.sketches[id].add_batch(run).expect("validated");
          let mut ewma = self.ewma[id];
          for &value in run {
            ewma = if ewma.is_nan() { value } else { ewma + self.options.ewma_alpha * (value - ewma) };
          }
          self.ewma[id] = ewma;
          self.last[id] = run[run.len() - 1];
        }
        Some(_) => {
          for position in start..end {
            self.apply(id, order_values[position], Some(order_times[position]));
          }
        }
      }
    }
    self.order_values = order_values;
    self.order_times = order_times;
    self.offsets = offsets;
    Ok(())
  }

  #[inline(always)]
  fn apply(&mut self, id: usize, value: f64, timestamp: Option<f64>) {
    self.sketches[id].add_finite(value);
    let ewma = self.ewma[id];
    self.ewma[id] = if ewma.is_nan() { value } else { ewma + self.options.ewma_alpha * (value - ewma) };
    self.last[id] = value;
    if let Some(time) = timestamp {
      let epoch = (time / self.bucket_ms).floor();
      let buckets = self.options.window_buckets as f64;
      let slot = id * self.options.window_buckets + (epoch - (epoch / buckets).floor() * buckets) as usize;
      let current = self.slot_epoch[slot];
      if epoch < current {
        return; // older than the data already in this slot: outside the rolling window
      }
      if epoch > current {
        self.slot_epoch[slot] = epoch;
        self.slot_count[slot] = 0.0;
        self.slot_sum[slot] = 0.0;
        self.slot_min[slot] = f64::INFINITY;
        self.slot_max[slot] = f64::NEG_INFINITY;
      }
      self.slot_count[slot] += 1.0;
      self.slot_sum[slot] += value;
      if value < self.slot_min[slot] {
        self.slot_min[slot] = value;
      }
      if value > self.slot_max[slot] {
        self.slot_max[slot] = value;
      }
    }
  }

  pub fn check_quantiles(quantiles: &[f64]) -> MetricsResult<()> {
    if let Some(index) = quantiles.iter().position(|q| !(0.0..=1.0).contains(q)) {
      return Err(range(format!(
        "quantiles[{index}] is {}; quantiles must be between 0 and 1 inclusive.",
        format_number(quantiles[index])
      )));
    }
    Ok(())
  }

  /// Column-major summaries: `out[field * series + id]`; fields count, sum, min, max, mean, last,
  /// ewma, anomaly, then one per quantile.
  pub fn summarize(&self, quantiles: &[f64], out: &mut [f64]) -> MetricsResult<()> {
    Self::check_quantiles(quantiles)?;
    let series = self.options.series_count;
    let needed = series * (SERIES_FIELDS + quantiles.len());
    if out.len() != needed {
      return Err(range(format!("summarize: output has {} slots, expected {needed}.", out.len())));
    }
    for (id, sketch) in self.sketches.iter().enumerate() {
      let count = sketch.count as f64;
      let sum = sketch.total_sum();
      out[id] = count;
      out[series + id] = sum;
      out[2 * series + id] = sketch.min_value();
      out[3 * series + id] = sketch.max_value();
      out[4 * series + id] = if sketch.count == 0 { f64::NAN } else { sum / count };
      out[5 * series + id] = self.last[id];
      out[6 * series + id] = self.ewma[id];
      out[7 * series + id] = anomaly_score(sketch, self.ewma[id]);
      for (column, &q) in quantiles.iter().enumerate() {
        out[(SERIES_FIELDS + column) * series + id] = sketch.quantile_unchecked(q);
      }
    }
    Ok(())
  }

  /// Merges series into groups (`group_of[series]`, -1 = left out) and writes column-major
  /// `out[field * groups + group]`: count, sum, min, max, mean, then one per quantile.
  pub fn rollup(&self, group_of: &[i32], group_count: usize, quantiles: &[f64], out: &mut [f64]) -> MetricsResult<()> {
    Self::check_quantiles(quantiles)?;
    let series = self.options.series_count;
    if group_of.len() != series {
      return Err(range(format!(
        "SeriesAggregator.rollup: groupOfSeries has {} entries but there are {series} series; give one group per series (-1 = none).",
        group_of.len()
      )));
    }
    if let Some(index) = group_of.iter().position(|&group| group < -1 || group >= group_count as i32) {
      return Err(range(format!(
        "SeriesAggregator.rollup: groupOfSeries[{index}] is {}; groups must be -1 or below groupCount ({group_count}).",
        group_of[index]
      )));
    }
    let needed = group_count * (GROUP_FIELDS + quantiles.len());
    if out.len() != needed {
      return Err(range(format!("rollup: output has {} slots, expected {needed}.", out.len())));
    }
    let mut groups = vec![Sketch::new(self.options.relative_accuracy)?; group_count];
    for (id, &group) in group_of.iter().enumerate() {
      if group >= 0 {
        groups[group as usize].merge(&self.sketches[id])?;
      }
    }
    for (group, sketch) in groups.iter().enumerate() {
      let count = sketch.count as f64;
      let sum = sketch.total_sum();
      out[group] = count;
      out[group_count + group] = sum;
      out[2 * group_count + group] = sketch.min_value();
      out[3 * group_count + group] = sketch.max_value();
      out[4 * group_count + group] = if sketch.count == 0 { f64::NAN } else { sum / count };
      for (column, &q) in quantiles.iter().enumerate() {
        out[(GROUP_FIELDS + column) * group_count + group] = sketch.quantile_unchecked(q);
      }
    }
    Ok(())
  }

  /// Rolling window ending at `now_ms`: `out[field * series + id]` with count, sum, min, max, mean.
  pub fn window_summary(&self, now_ms: f64, out: &mut [f64]) -> MetricsResult<()> {
    if !now_ms.is_finite() {
      return Err(range(format!(
        "SeriesAggregator.windowSummary: nowMs is {}; it must be a finite timestamp in milliseconds.",
        format_number(now_ms)
      )));
    }
    let series = self.options.series_count;
    if out.len() != series * WINDOW_FIELDS {
      return Err(range(format!("windowSummary: output has {} slots, expected {}.", out.len(), series * WINDOW_FIELDS)));
    }
    let now_epoch = (now_ms / self.bucket_ms).floor();
    let oldest = now_epoch - self.options.window_buckets as f64;
    for id in 0..series {
      let (mut count, mut sum, mut min, mut max) = (0.0, 0.0, f64::INFINITY, f64::NEG_INFINITY);
      for slot in id * self.options.window_buckets..(id + 1) * self.options.window_buckets {
        let epoch = self.slot_epoch[slot];
        if epoch > oldest && epoch <= now_epoch {
          count += self.slot_count[slot];
          sum += self.slot_sum[slot];
          min = if self.slot_min[slot] < min { self.slot_min[slot] } else { min };
          max = if self.slot_max[slot] > max { self.slot_max[slot] } else { max };
        }
      }
      let empty = count == 0.0;
      out[id] = count;
      out[series + id] = sum;
      out[2 * series + id] = if empty { f64::NAN } else { min };
      out[3 * series + id] = if empty { f64::NAN } else { max };
      out[4 * series + id] = if empty { f64::NAN } else { sum / count };
    }
    Ok(())
  }
}

/// `(level - median) / (1.4826 * MAD)`, MAD estimated as half the interquartile range.
pub fn anomaly_score(sketch: &Sketch, level: f64) -> f64 {
  if sketch.count == 0 || level.is_nan() {
    return f64::NAN;
  }
  let median = sketch.quantile_unchecked(0.5);
  let mad = (sketch.quantile_unchecked(0.75) - sketch.quantile_unchecked(0.25)) / 2.0;
  let deviation = level - median;
  if mad > 0.0 {
    deviation / (1.4826 * mad)
  } else if deviation == 0.0 {
    0.0
  } else if deviation > 0.0 {
    f64::INFINITY
  } else {
    f64::NEG_INFINITY
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn options(series_count: usize) -> AggregatorOptions {
    AggregatorOptions { series_count, relative_accuracy: 0.01, ewma_alpha: 0.5, window_ms: 60_000.0, window_buckets: 6 }
  }

  #[test]
  fn sorted_and_direct_paths_agree() {
    let series = 7;
    let n = 4 * series * 10;
    let ids: Vec<u32> = (0..n).map(|i| ((i * 2654435761usize) % series) as u32).collect();
    let values: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin() * 100.0).collect();
    let mut bulk = SeriesAggregator::new(options(series)).unwrap();
    bulk.ingest(&ids, &values, None).unwrap();
    let mut single = SeriesAggregator::new(options(series)).unwrap();
    for i in 0..n {
      single.ingest(&ids[i..i + 1], &values[i..i + 1], None).unwrap();
    }
    let mut a = vec![0.0; series * (SERIES_FIELDS + 2)];
    let mut b = a.clone();
    bulk.summarize(&[0.5, 0.99], &mut a).unwrap();
    single.summarize(&[0.5, 0.99], &mut b).unwrap();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
  }

  #[test]
  fn rejects_bad_ids_without_applying() {
    let mut aggregator = SeriesAggregator::new(options(2)).unwrap();
    let error = aggregator.ingest(&[0, 5], &[1.0, 2.0], None).unwrap_err();
    assert!(error.to_string().contains("seriesIds[1] is 5"));
    assert_eq!(aggregator.sketch(0).unwrap().count, 0);
  }

  #[test]
  fn rollup_merges_many_series_without_growing_stores() {
    let series = 200;
    let ids: Vec<u32> = (0..20_000).map(|i| (i % series) as u32).collect();
    let values: Vec<f64> = (0..20_000).map(|i| 1.0 + (i % 97) as f64).collect();
    let mut aggregator = SeriesAggregator::new(options(series)).unwrap();
    aggregator.ingest(&ids, &values, None).unwrap();
    let groups = vec![0i32; series];
    let mut out = vec![0.0; GROUP_FIELDS + 1];
    aggregator.rollup(&groups, 1, &[0.5], &mut out).unwrap();
    assert_eq!(out[0], 20_000.0);
  }

  #[test]
  fn windows_drop_old_buckets() {
    let mut aggregator = SeriesAggregator::new(options(1)).unwrap();
    aggregator.ingest(&[0, 0, 0], &[1.0, 2.0, 10.0], Some(&[0.0, 30_000.0, 125_000.0])).unwrap();
    let mut out = vec![0.0; WINDOW_FIELDS];
    aggregator.window_summary(125_000.0, &mut out).unwrap();
    assert_eq!(out[0], 1.0);
    aggregator.window_summary(50_000.0, &mut out).unwrap();
    assert_eq!((out[0], out[1]), (1.0, 2.0));
    aggregator.window_summary(1_000_000.0, &mut out).unwrap();
    assert_eq!(out[0], 0.0);
  }
}
