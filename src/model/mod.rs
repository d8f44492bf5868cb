//! The contact center: contacts, chat sessions, queues, agent groups with several slots and one
//! attention per agent, routing with overflow tiers, offers and alert timeouts, the
//! response-pending indicator, patience, wrap-up, shifts and breaks.
//!
//! The model is configured by a [`ModelConfig`] (built and validated by the scenario module),
//! runs on the engine's scheduler, and *pushes* what happens as [`Record`]s to an [`Observer`].
//! It keeps no statistics and formats nothing: the stats module turns records into KPIs, and a
//! test can plug in its own observer to check invariants. `center.rs` holds the simulation
//! struct and its event loop; each other file is one part of the domain (see its header).

mod agent;
mod arrivals;
mod center;
mod config;
mod conversation;
pub mod dist;
mod escalation;
mod event;
mod inactivity;
mod internal;
mod messaging;
mod offer;
mod proactive;
mod queue;
mod records;
mod retrials;
mod roster;
mod routing;
mod session;
mod transfer;
mod wrapup;

pub use arrivals::day_replication;
pub use center::{run_replication, ContactCenter, RunTotals};
pub use config::{
    Asynchronous, Attention, Break, ChatConfig, Code, Conference, Consultation, DayLevel,
    Dispositions, Escalation, GroupConfig, HoldAt, Inactivity, IndicatorBasis, Internal,
    Invitation, ModelConfig, Proactive, QueueConfig, Rating, Resume, Return, Routing, Shift,
    Staffing, Target, Tier, Trace, TraceReader, TraceSource, TracedArrival, Transfer, TransferHow,
};
pub use dist::{CountDist, Dist};
pub use records::{
    AgentState, Colour, ContactId, GroupId, LoadCounts, Observer, Purpose, QueueId, Record,
    ReturnKind, TransferFailure, ABSENT, NO_DISPOSITION,
};
