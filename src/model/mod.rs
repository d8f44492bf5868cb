//! The contact center: contacts, chat sessions, agents with several slots and one attention,
//! the queue, routing, the response-pending indicator, patience and wrap-up.
//!
//! The model is configured by a [`ModelConfig`] (built and validated by the scenario module),
//! runs on the engine's scheduler, and *pushes* what happens as [`Record`]s to an [`Observer`].
//! It keeps no statistics and formats nothing: the stats module turns records into KPIs, and a
//! test can plug in its own observer to check invariants.

mod center;
mod config;
pub mod dist;
mod records;

pub use center::{run_replication, ContactCenter, RunTotals};
pub use config::{Attention, IndicatorBasis, ModelConfig, Routing};
pub use dist::{CountDist, Dist};
pub use records::{Colour, ContactId, Observer, Record, ABSENT};
