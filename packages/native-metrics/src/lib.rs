//! NovaCron native metrics: quantile sketches, series aggregation and vector bin packing.

pub mod error;
pub mod mapping;
pub mod pack;
pub mod series;
pub mod sketch;
pub mod store;

mod binding;
