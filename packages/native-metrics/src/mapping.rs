//! Cubically interpolated logarithmic index mapping (DDSketch family).
//!
//! Every operation here uses only IEEE-754 additions, multiplications, divisions and bit
//! manipulation, never `ln`/`cbrt` from the platform's libm, so the TypeScript fallback in
//! `src/js/log-mapping.ts` computes bit-identical indices and bin values.

const A: f64 = 6.0 / 35.0;
const B: f64 = -3.0 / 5.0;
const C: f64 = 10.0 / 7.0;

/// Smallest magnitude that gets its own bin; smaller magnitudes (and subnormals) count as zero.
pub const MIN_INDEXABLE: f64 = f64::MIN_POSITIVE;

/// `2 * atanh(x) = ln((1 + x) / (1 - x))` by its power series, deterministic across platforms.
pub fn log_ratio(x: f64) -> f64 {
  let x2 = x * x;
  let mut term = x;
  let mut sum = 0.0;
  let mut k = 0.0;
  loop {
    let next = sum + term / (2.0 * k + 1.0);
    if next == sum || k > 100_000.0 {
      break;
    }
    sum = next;
    term *= x2;
    k += 1.0;
  }
  2.0 * sum
}

/// Index mapping for one relative accuracy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogMapping {
  pub relative_accuracy: f64,
  pub multiplier: f64,
}

impl LogMapping {
  pub fn new(relative_accuracy: f64) -> Self {
    // Bins are `1 / multiplier` wide in approximate-log2 space; the cubic's largest slope
    // ratio against log2 is 7 / (10 ln 2), so the width in ln space is at most
    // ln((1 + a) / (1 - a)), which bounds the relative error by `a`.
    let multiplier = 7.0 / (10.0 * log_ratio(relative_accuracy));
    LogMapping { relative_accuracy, multiplier }
  }

  /// Bin index of a positive, normal, finite magnitude.
  #[inline(always)]
  pub fn index(&self, magnitude: f64) -> i32 {
    let bits = magnitude.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as f64 - 1023.0;
    let significand = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000) - 1.0;
    let approx_log2 = ((A * significand + B) * significand + C) * significand + exponent;
    floor_to_i32(approx_log2 * self.multiplier)
  }

  /// Lower bound of a bin (inverse of the cubic by a fixed number of Newton steps).
  pub fn lower_bound(&self, index: i32) -> f64 {
    let x = index as f64 / self.multiplier;
    let exponent = x.floor();
    let target = x - exponent;
    let mut s = target;
    for _ in 0..8 {
      let value = ((A * s + B) * s + C) * s - target;
      let slope = (3.0 * A * s + 2.0 * B) * s + C;
      s -= value / slope;
    }
    s = s.clamp(0.0, 1.0);
    (1.0 + s) * power_of_two(exponent)
  }

  /// Representative value of a bin: the harmonic mean of its bounds, within `(U - L) / (U + L)`,
  /// hence within the relative accuracy, of every value in the bin (and centred, unlike `L (1 + a)`).
  pub fn value(&self, index: i32) -> f64 {
    let lower = self.lower_bound(index);
    let upper = self.lower_bound(index.saturating_add(1));
    if upper.is_finite() && upper > lower {
      lower * ((2.0 * upper) / (lower + upper))
    } else {
      lower * (1.0 + self.relative_accuracy)
    }
  }
}

/// `floor` for values well inside the `i32` range, without a libm call (baseline x86-64 has no
/// `roundsd`).
#[inline(always)]
pub fn floor_to_i32(value: f64) -> i32 {
  let truncated = value as i32;
  if (truncated as f64) > value {
    truncated - 1
  } else {
    truncated
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

  #[test]
  fn log_ratio_matches_ln() {
    for a in [0.001f64, 0.01, 0.05, 0.2, 0.5, 0.9] {
      let exact = ((1.0 + a) / (1.0 - a)).ln();
      assert!((log_ratio(a) - exact).abs() <= 1e-13 * exact, "a = {a}: {} vs {exact}", log_ratio(a));
    }
  }

  #[test]
  fn every_value_is_within_accuracy_of_its_bin_value() {
    for a in [0.001, 0.01, 0.05] {
      let mapping = LogMapping::new(a);
      let mut x = 1e-300;
      while x < 1e300 {
        let v = mapping.value(mapping.index(x));
        assert!((v - x).abs() <= a * x * (1.0 + 1e-12), "a = {a} x = {x} v = {v}");
        x *= 1.0137;
      }
    }
  }
}
