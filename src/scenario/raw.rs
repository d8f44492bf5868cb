//! The raw serde mirror of the scenario file. Unknown keys are rejected; values whose form
//! varies (durations, per-interval lists) are kept as TOML values and read by the resolver,
//! which can then say exactly what was wrong with them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::Value;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: Option<String>,
    pub description: Option<String>,
    pub run: RawRun,
    /// The one-queue format: `[arrivals]` and `[staffing]`.
    pub arrivals: Option<RawArrivals>,
    pub staffing: Option<RawStaffing>,
    pub conversation: Option<RawConversation>,
    pub patience: Option<RawPatience>,
    pub indicator: Option<RawIndicator>,
    pub wrapup: Option<RawWrapup>,
    pub offer: Option<RawOffer>,
    pub escalation: Option<RawEscalation>,
    pub inactivity: Option<RawInactivity>,
    pub asynchronous: Option<RawAsynchronous>,
    pub transfer: Option<RawTransfer>,
    pub conference: Option<RawConference>,
    pub consultation: Option<RawConsultation>,
    pub rating: Option<RawRating>,
    pub proactive: Option<RawProactive>,
    pub internal: Option<RawInternal>,
    pub invitation: Option<RawInvitation>,
    pub kpi: Option<RawKpi>,
    /// The multi-queue format.
    pub routing: Option<RawRouting>,
    pub channels: Option<BTreeMap<String, RawSections>>,
    pub queues: Option<BTreeMap<String, RawQueue>>,
    pub groups: Option<BTreeMap<String, RawGroup>>,
}

/// The sections a channel or a queue can override (every key optional).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSections {
    pub conversation: Option<RawConversation>,
    pub patience: Option<RawPatience>,
    pub indicator: Option<RawIndicator>,
    pub wrapup: Option<RawWrapup>,
    pub offer: Option<RawOffer>,
    pub escalation: Option<RawEscalation>,
    pub inactivity: Option<RawInactivity>,
    pub asynchronous: Option<RawAsynchronous>,
    pub transfer: Option<RawTransfer>,
    pub conference: Option<RawConference>,
    pub consultation: Option<RawConsultation>,
    pub rating: Option<RawRating>,
    pub proactive: Option<RawProactive>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransfer {
    pub share: Option<f64>,
    pub after_exchanges: Option<RawDist>,
    pub to: Option<String>,
    pub how: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawConference {
    pub share: Option<f64>,
    pub after_exchanges: Option<RawDist>,
    pub with: Option<String>,
    pub exchanges: Option<RawDist>,
    pub owner_leaves: Option<f64>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawConsultation {
    pub share: Option<f64>,
    pub after_exchanges: Option<RawDist>,
    pub with: Option<String>,
    pub messages: Option<RawDist>,
    pub then_transfer: Option<f64>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawInvitation {
    pub answer_delay: Option<RawDist>,
    pub refuse: Option<f64>,
    pub timeout: Option<Value>,
    pub retries: Option<i64>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawEscalation {
    pub red_first: Option<bool>,
    pub hold_new_chats: Option<String>,
    pub reassign_after: Option<Value>,
    pub reassign_to: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawInactivity {
    pub alert: Option<Value>,
    pub alert2: Option<Value>,
    pub close: Option<Value>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAsynchronous {
    pub park_after: Option<Value>,
    pub resume: Option<String>,
    pub affinity_wait: Option<Value>,
    pub close_after: Option<Value>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRouting {
    pub agent: Option<String>,
    pub attention: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawOffer {
    pub alert_timeout: Option<Value>,
    pub not_responding_pause: Option<RawDist>,
}

/// A queue: its own keys, then the sections it may override, listed again rather than
/// flattened from [`RawSections`] because serde cannot reject unknown keys through a flatten.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawQueue {
    pub channel: Option<String>,
    pub priority: Option<i64>,
    /// A number, or a list with one value per step; or else `forecast`.
    pub rate_per_hour: Option<Value>,
    pub step: Option<Value>,
    /// A forecast CSV file, relative to the scenario file.
    pub forecast: Option<String>,
    /// The queue's own day-level and interval-level factors.
    pub day_level: Option<RawDist>,
    pub interval_level: Option<RawDist>,
    pub served_by: Option<Vec<RawTier>>,
    pub conversation: Option<RawConversation>,
    pub patience: Option<RawPatience>,
    pub indicator: Option<RawIndicator>,
    pub wrapup: Option<RawWrapup>,
    pub offer: Option<RawOffer>,
    pub escalation: Option<RawEscalation>,
    pub inactivity: Option<RawInactivity>,
    pub asynchronous: Option<RawAsynchronous>,
    pub transfer: Option<RawTransfer>,
    pub conference: Option<RawConference>,
    pub consultation: Option<RawConsultation>,
    pub rating: Option<RawRating>,
    pub proactive: Option<RawProactive>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTier {
    pub groups: Vec<String>,
    pub after: Option<Value>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    pub agents: Option<i64>,
    pub agents_per_interval: Option<Vec<i64>>,
    pub step: Option<Value>,
    pub shifts: Option<Vec<RawShift>>,
    /// A staffing CSV file (`start,agents`), relative to the scenario file.
    pub plan: Option<String>,
    pub max_concurrent_chats: Option<i64>,
    pub absenteeism: Option<f64>,
    /// The group's own internal chats, key by key over the top level's.
    pub internal: Option<RawInternal>,
}

/// Internal chats (`[internal]`): messages from colleagues that take the agent's attention.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawInternal {
    pub messages_per_agent_hour: Option<f64>,
    pub compose: Option<RawDist>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawShift {
    pub start: Value,
    pub end: Value,
    pub agents: i64,
    pub breaks: Option<Vec<RawBreak>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawBreak {
    pub at: Value,
    pub length: Value,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRun {
    pub horizon: Value,
    pub warmup: Option<Value>,
    pub interval: Option<Value>,
    pub replications: Option<i64>,
    pub seed: Option<i64>,
    pub drain: Option<Value>,
    pub day_start: Option<Value>,
    pub max_events: Option<i64>,
    /// Consecutive days of the profile each replication simulates.
    pub days: Option<i64>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawArrivals {
    /// A number, or a list with one value per step; or else `forecast`.
    pub rate_per_hour: Option<Value>,
    pub step: Option<Value>,
    /// A forecast CSV file, relative to the scenario file.
    pub forecast: Option<String>,
    /// A factor on a day's rates, one draw per day and replication (shared by the queues).
    pub day_level: Option<RawDist>,
    /// A factor on each step's rate, one draw per step, day and replication.
    pub interval_level: Option<RawDist>,
    /// Recorded arrivals (CSV, relative to the scenario file) replayed instead of the rates.
    pub trace: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawStaffing {
    pub agents: Option<i64>,
    pub agents_per_interval: Option<Vec<i64>>,
    pub step: Option<Value>,
    /// A staffing CSV file (`start,agents`), relative to the scenario file.
    pub plan: Option<String>,
    pub max_concurrent_chats: Option<i64>,
    pub routing: Option<String>,
    pub attention: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawConversation {
    pub exchanges: Option<RawDist>,
    pub customer_think: Option<RawDist>,
    pub agent_compose: Option<RawDist>,
    pub concurrency_slowdown: Option<Vec<f64>>,
    pub accept_delay: Option<RawDist>,
    pub silent_leave: Option<f64>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPatience {
    pub queue: Option<RawDist>,
    pub reply: Option<RawDist>,
    pub retry: Option<RawReturn>,
    pub recontact: Option<RawReturn>,
}

/// `patience.retry` and `patience.recontact`: `{ probability, delay, max }`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawReturn {
    pub probability: Option<f64>,
    pub delay: Option<RawDist>,
    pub max: Option<i64>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    pub yellow: Option<Value>,
    pub red: Option<Value>,
    pub basis: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawWrapup {
    pub time: Option<RawDist>,
    /// `[wrapup.dispositions]`: codes (`NAME = { share, time }`), `required`, `missing`; read
    /// by the resolver, which names the exact key of a mistake.
    pub dispositions: Option<toml::Table>,
}

/// `[rating]`: the satisfaction survey and the user's model of the score.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRating {
    pub ask: Option<f64>,
    pub answer: Option<f64>,
    pub base: Option<Vec<f64>>,
    pub per_red_response: Option<f64>,
    pub per_transfer: Option<f64>,
    pub per_minute_waited: Option<f64>,
}

/// Proactive chats (`[proactive]`): website visitors an agent may invite.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawProactive {
    /// A number, or a list with one value per step.
    pub visitors_per_hour: Option<Value>,
    pub step: Option<Value>,
    pub dwell: Option<RawDist>,
    pub max_chats: Option<i64>,
    pub accept: Option<f64>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawKpi {
    pub service_level_threshold: Option<Value>,
    pub short_abandon: Option<Value>,
}

/// `{ dist = "...", ... }`: which of the other fields are needed depends on `dist`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDist {
    pub dist: String,
    pub mean: Option<Value>,
    pub cv: Option<f64>,
    pub value: Option<Value>,
    pub values: Option<Vec<Value>>,
    pub weights: Option<Vec<f64>>,
    pub min: Option<Value>,
    pub max: Option<Value>,
    pub shape: Option<f64>,
    pub scale: Option<Value>,
    pub k: Option<i64>,
}

impl RawDist {
    /// Names of the optional fields that are set.
    pub fn fields_set(&self) -> Vec<&'static str> {
        let mut set = Vec::new();
        let mut add = |present: bool, name| {
            if present {
                set.push(name)
            }
        };
        add(self.mean.is_some(), "mean");
        add(self.cv.is_some(), "cv");
        add(self.value.is_some(), "value");
        add(self.values.is_some(), "values");
        add(self.weights.is_some(), "weights");
        add(self.min.is_some(), "min");
        add(self.max.is_some(), "max");
        add(self.shape.is_some(), "shape");
        add(self.scale.is_some(), "scale");
        add(self.k.is_some(), "k");
        set
    }
}
