//! Node-API surface: thin classes over the numeric core; `to_napi_error` is the one place where
#![cfg_attr(test, allow(dead_code))]
//! core errors become JavaScript errors (the TypeScript layer turns `InvalidArg` into `RangeError`).

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::MetricsError;
use crate::pack::{pack_vectors, Effort, Objective, PackInput};
use crate::series::{AggregatorOptions, SeriesAggregator};
use crate::sketch::Sketch;

fn to_napi_error(error: MetricsError) -> Error {
  match error {
    MetricsError::Range(message) => Error::new(Status::InvalidArg, message),
    MetricsError::Corrupt(message) => Error::new(Status::GenericFailure, message),
  }
}

/// Raw sketch handle; the TypeScript `Sketch` class wraps it.
#[napi]
pub struct NativeSketch {
  inner: Sketch,
}

#[napi]
impl NativeSketch {
  #[napi(constructor)]
  pub fn new(relative_accuracy: f64) -> Result<Self> {
    Ok(NativeSketch { inner: Sketch::new(relative_accuracy).map_err(to_napi_error)? })
  }

  #[napi]
  pub fn add_batch(&mut self, values: Float64Array) -> Result<()> {
    self.inner.add_batch(&values).map_err(to_napi_error)
  }

  #[napi]
  pub fn merge(&mut self, other: &NativeSketch) -> Result<()> {
    self.inner.merge(&other.inner).map_err(to_napi_error)
  }

  #[napi]
  pub fn quantile(&self, q: f64) -> Result<f64> {
    self.inner.quantile(q).map_err(to_napi_error)
  }

  /// Writes one quantile per entry of `qs` into `out` (same length, checked by the caller).
  #[napi]
  pub fn quantiles_into(&self, qs: Float64Array, mut out: Float64Array) -> Result<()> {
    if let Some(index) = qs.iter().position(|q| !(0.0..=1.0).contains(q)) {
      return Err(to_napi_error(MetricsError::Range(format!(
        "Sketch.quantiles: qs[{index}] is {}; quantiles must be between 0 and 1 inclusive.",
        crate::sketch::format_number(qs[index])
      ))));
    }
    let target = unsafe { out.as_mut() };
    for (slot, &q) in target.iter_mut().zip(qs.iter()) {
      *slot = self.inner.quantile_unchecked(q);
    }
    Ok(())
  }

  /// count, sum, min, max, relative accuracy.
  #[napi]
  pub fn stats_into(&self, mut out: Float64Array) {
    let target = unsafe { out.as_mut() };
    let values = [
      self.inner.count as f64,
      self.inner.total_sum(),
      self.inner.min_value(),
      self.inner.max_value(),
      self.inner.mapping.relative_accuracy,
    ];
    for (slot, value) in target.iter_mut().zip(values) {
      *slot = value;
    }
  }

  #[napi]
  pub fn to_bytes(&self) -> Uint8Array {
    Uint8Array::new(self.inner.to_bytes())
  }

  #[napi(factory)]
  pub fn from_bytes(bytes: Uint8Array) -> Result<Self> {
    Ok(NativeSketch { inner: Sketch::from_bytes(&bytes).map_err(to_napi_error)? })
  }
}

/// Raw aggregator handle; the TypeScript `SeriesAggregator` class wraps it.
#[napi]
pub struct NativeSeriesAggregator {
  inner: SeriesAggregator,
}

#[napi]
impl NativeSeriesAggregator {
  #[napi(constructor)]
  pub fn new(series_count: f64, relative_accuracy: f64, ewma_alpha: f64, window_ms: f64, window_buckets: f64) -> Result<Self> {
    let integer = |value: f64| if value.fract() == 0.0 && value >= 0.0 && value <= 1e12 { value as usize } else { usize::MAX };
    let options = AggregatorOptions {
      series_count: integer(series_count),
      relative_accuracy,
      ewma_alpha,
      window_ms,
      window_buckets: integer(window_buckets),
    };
    Ok(NativeSeriesAggregator { inner: SeriesAggregator::new(options).map_err(to_napi_error)? })
  }

  #[napi]
  pub fn ingest(&mut self, series_ids: Uint32Array, values: Float64Array, timestamps_ms: Option<Float64Array>) -> Result<()> {
    self.inner.ingest(&series_ids, &values, timestamps_ms.as_deref()).map_err(to_napi_error)
  }

  #[napi]
  pub fn summarize_into(&self, quantiles: Float64Array, mut out: Float64Array) -> Result<()> {
    self.inner.summarize(&quantiles, unsafe { out.as_mut() }).map_err(to_napi_error)
  }

  #[napi]
  pub fn rollup_into(&self, group_of_series: Int32Array, group_count: u32, quantiles: Float64Array, mut out: Float64Array) -> Result<()> {
    self
      .inner
      .rollup(&group_of_series, group_count as usize, &quantiles, unsafe { out.as_mut() })
      .map_err(to_napi_error)
  }

  #[napi]
  pub fn window_summary_into(&self, now_ms: f64, mut out: Float64Array) -> Result<()> {
    self.inner.window_summary(now_ms, unsafe { out.as_mut() }).map_err(to_napi_error)
  }

  /// The serialised sketch of one series.
  #[napi]
  pub fn series_sketch_bytes(&self, series: u32) -> Result<Uint8Array> {
    match self.inner.sketch(series as usize) {
      Some(sketch) => Ok(Uint8Array::new(sketch.to_bytes())),
      None => Err(to_napi_error(MetricsError::Range(format!(
        "SeriesAggregator.sketch: series {series} is not below seriesCount ({}).",
        self.inner.series_count()
      )))),
    }
  }
}

/// Result of `packVectors`.
#[napi(object)]
pub struct NativePackResult {
  pub assignment: Int32Array,
  pub bins_used: u32,
}

#[napi]
#[allow(clippy::too_many_arguments)]
pub fn native_pack_vectors(
  dims: u32,
  items: Float64Array,
  bin_capacities: Float64Array,
  groups: Option<Int32Array>,
  item_class: Option<Int32Array>,
  allowed: Option<Uint8Array>,
  objective: String,
  effort: String,
) -> Result<NativePackResult> {
  let input = PackInput {
    dims: dims as usize,
    items: &items,
    capacities: &bin_capacities,
    groups: groups.as_deref(),
    item_class: item_class.as_deref(),
    allowed: allowed.as_deref(),
    objective: if objective == "spread" { Objective::Spread } else { Objective::Pack },
    effort: if effort == "improve" { Effort::Improve } else { Effort::Fast },
  };
  let output = pack_vectors(&input).map_err(to_napi_error)?;
  Ok(NativePackResult { assignment: Int32Array::new(output.assignment), bins_used: output.bins_used as u32 })
}
