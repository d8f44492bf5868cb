//! Streaming, mergeable statistics: histograms with bounded relative error for quantiles,
//! running moments, confidence intervals across replications, and the KPI collector that turns
//! the model's records into per-interval tallies. Memory depends on the number of reporting
//! intervals, never on the number of contacts; tallies of two runs or shards merge exactly.

mod collector;
pub mod histogram;
mod kpi;
pub mod summary;
mod tee;

pub use collector::{
    keeps_segments, merged, Collector, ContactTally, LoadTally, SegmentTallies, Tallies, Window,
};
pub use histogram::Histogram;
pub use kpi::{Feature, Features, Kpi, KpiValues};
pub use summary::{confidence_interval, Interval};
pub use tee::Tee;
