//! ccsim: a discrete-event simulator of a contact center's chat channel.
//!
//! Layers, each knowing only those below it (docs/ARCHITECTURE.md):
//! - [`engine`]: domain-free event queue, cancellable timers, random streams;
//! - [`model`]: the chat desk, pushing records to an observer;
//! - [`stats`]: streaming statistics and the KPI collector;
//! - [`scenario`]: the TOML scenario file, validated into a model configuration;
//! - [`experiment`]: replications in parallel;
//! - [`report`]: CSV, JSON and terminal output;
//! - [`theory`]: exact queueing results the simulator is validated against;
//! - [`cli`]: the command line.

pub mod cli;
pub mod engine;
pub mod experiment;
pub mod fit;
pub mod model;
pub mod report;
pub mod scenario;
pub mod stats;
pub mod theory;
