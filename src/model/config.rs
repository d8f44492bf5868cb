//! The resolved model configuration: every parameter in seconds and per second, validated.

use serde::Serialize;

use super::dist::{CountDist, Dist};

/// How a waiting chat chooses among agents that have a free slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
///
/// "Idle time" is the time since one of the agent's slots last became free (a chat marked done,
/// an offer abandoned) or the agent came on shift; with one slot per agent it is exactly the
/// time the agent has been idle. Remaining ties go to the lowest agent number.
pub enum Routing {
    /// Fewest chats held; ties to the agent idle longest.
    LeastBusy,
    /// The agent idle longest, whatever they hold.
    LongestIdle,
    /// Most chats held (fill agents up before opening new ones); ties to the agent idle longest.
    MostBusy,
}

/// The order in which an agent's single attention serves the customer messages waiting for a
/// reply across the agent's chats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attention {
    /// In the order the messages started waiting.
    Fifo,
    /// The session whose indicator has been running longest (the reddest) first. With the
    /// `customer_message` basis this is the same order as `fifo`; with `agent_message` it
    /// differs (a chat whose last agent reply is old jumps ahead).
    MostUrgent,
    /// No shared attention: each chat's reply is composed independently, as if the agent had one
    /// pair of hands per slot. The classical "K servers per agent" idealisation; useful to
    /// compare with Erlang-with-concurrency staffing rules.
    Parallel,
}

/// What the response-pending indicator measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorBasis {
    /// Time since the oldest customer message still without a reply (Genesys-style).
    CustomerMessage,
    /// Time since the agent's last message in the session (BeyondTrust-style tab colours).
    AgentMessage,
}

/// Serialised into `run.json` as the resolved scenario: seconds, rates per second.
#[derive(Clone, Debug, Serialize)]
pub struct ModelConfig {
    /// Length of one entry of the per-interval lists, seconds.
    pub interval: f64,
    /// Arrival rate per second for each interval; the last entry holds for any later time.
    pub arrival_rates: Vec<f64>,
    /// No arrival at or after this time (end of warm-up plus horizon).
    pub arrivals_end: f64,
    /// Agents on shift in each interval; the last entry holds for any later time.
    pub staffing: Vec<u32>,
    pub max_concurrent: u32,
    pub routing: Routing,
    pub attention: Attention,
    pub exchanges: CountDist,
    pub think: Dist,
    pub compose: Dist,
    /// Compose-time factor by number of chats held: entry `i` applies when the agent holds
    /// `i + 1` chats. At least `max_concurrent` entries.
    pub slowdown: Vec<f64>,
    pub accept_delay: Dist,
    /// `None`: nobody abandons in queue.
    pub queue_patience: Option<Dist>,
    /// `None`: nobody leaves a chat for want of a reply.
    pub reply_patience: Option<Dist>,
    pub yellow: f64,
    pub red: f64,
    pub basis: IndicatorBasis,
    pub wrapup: Dist,
    /// The run stops here even if contacts are still in the system (they are reported as such).
    pub stop_at: f64,
}

impl ModelConfig {
    /// Agents on shift at time `t`.
    pub fn staffing_at(&self, t: f64) -> u32 {
        self.staffing[self.interval_index(t).min(self.staffing.len() - 1)]
    }

    /// Index of the interval containing time `t`.
    pub fn interval_index(&self, t: f64) -> usize {
        (t / self.interval) as usize
    }

    /// The largest number of agents ever on shift.
    pub fn max_agents(&self) -> u32 {
        self.staffing.iter().copied().max().unwrap_or(0)
    }
}
