//! Errors of the numeric core, mapped to JavaScript error classes by `binding.rs`.

/// A failure of the numeric core.
#[derive(Debug, Clone, PartialEq)]
pub enum MetricsError {
  /// An argument outside its domain (becomes a JavaScript `RangeError`).
  Range(String),
  /// Bytes that are not a valid serialised sketch (becomes a JavaScript `Error`).
  Corrupt(String),
}

impl std::fmt::Display for MetricsError {
  fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    match self {
      MetricsError::Range(message) | MetricsError::Corrupt(message) => formatter.write_str(message),
    }
  }
}

pub type MetricsResult<T> = Result<T, MetricsError>;
