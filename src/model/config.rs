//! The resolved model configuration: every parameter in seconds and per second, validated.
//!
//! A center is a list of queues (each on one channel, with its arrival rates, its tiers of
//! agent groups and the settings of its chats) and a list of agent groups (capacity, staffing
//! plan or shifts, absenteeism). The one-queue scenario format resolves to one queue served by
//! one group.

use std::sync::Arc;

use serde::Serialize;

use super::dist::{CountDist, Dist};

/// How a waiting chat chooses among agents that have a free slot.
///
/// "Idle time" is the time since one of the agent's slots last became free (a chat marked done,
/// an offer abandoned) or the agent came on shift; with one slot per agent it is exactly the
/// time the agent has been idle. Remaining ties go to the lowest agent number. Agents of
/// different groups are compared by the same key: chats held is a count, whatever the group's
/// capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Routing {
    /// Fewest chats held; ties to the agent idle longest.
    LeastBusy,
    /// The agent idle longest, whatever they hold.
    LongestIdle,
    /// Fewest free slots (fill agents up before opening new ones); ties to the agent idle
    /// longest.
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
    /// The most recent message first: what agents do when a new message pops up and they
    /// answer it while it is on screen.
    Newest,
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
    /// Reporting interval, seconds (the collector's; the model only labels nothing with it).
    pub interval: f64,
    /// No arrival at or after this time (end of warm-up plus horizon).
    pub arrivals_end: f64,
    /// The run stops here even if contacts are still in the system (they are reported as such).
    pub stop_at: f64,
    /// A replication that needs more events than this stops (a conversation that cannot end in
    /// reasonable time); the experiment reports it as an error.
    pub max_events: u64,
    pub routing: Routing,
    pub attention: Attention,
    /// Channel names; a queue names its channel by index.
    pub channels: Vec<String>,
    pub queues: Vec<QueueConfig>,
    pub groups: Vec<GroupConfig>,
    /// How invited agents answer (`[invitation]`): transfers with `how = "invite"`. Left out
    /// of `run.json` when no queue invites.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation: Option<Invitation>,
    /// The disposition codes of every queue's `[wrapup.dispositions]`, in name order, and
    /// `missing` last when some queue lets chats be marked done without one: a code is its
    /// index here (the `disposition` segments of the outputs). Empty (and left out of
    /// `run.json`) without dispositions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dispositions: Vec<String>,
    /// Some queue asks its customers for a rating (`[rating]`): the conversation counts what
    /// each customer lives (red responses, transfers) only then.
    #[serde(skip)]
    pub rates: bool,
}

/// A queue's disposition codes (`[wrapup.dispositions]`): the agent who marks a chat done
/// sets one, drawn with the codes' shares, and the code's wrap-up time replaces `wrapup.time`.
#[derive(Clone, Debug, Serialize)]
pub struct Dispositions {
    /// Mark Done only once a code is set; `false`: a share of chats (the `missing` outcome)
    /// is marked done without one.
    pub required: bool,
    /// The outcomes in name order (`missing` last): their shares sum to 1.
    pub codes: Vec<Code>,
}

/// One outcome of Mark Done: a code (or `missing`), its share and its wrap-up time.
#[derive(Clone, Debug, Serialize)]
pub struct Code {
    pub name: String,
    /// Index in [`ModelConfig::dispositions`].
    pub index: u32,
    pub share: f64,
    /// The wrap-up time of a chat given this code (the queue's `wrapup.time` when the code
    /// sets none).
    pub time: Dist,
}

impl Dispositions {
    /// The outcome for a uniform draw `u` in [0, 1): the first whose cumulative share exceeds
    /// `u` (the last takes what rounding leaves).
    pub fn pick(&self, u: f64) -> &Code {
        let mut cumulative = 0.0;
        for code in &self.codes {
            cumulative += code.share;
            if u < cumulative {
                return code;
            }
        }
        self.codes.last().expect("at least one code")
    }
}

/// A queue's satisfaction survey (`[rating]`): asked at the end of a chat the customer saw
/// through, answered with a probability, the score 1–5 drawn from an ordered-logit model whose
/// base shares are shifted by what the customer lived. The model is the user's assumption.
#[derive(Clone, Debug, Serialize)]
pub struct Rating {
    pub ask: f64,
    pub answer: f64,
    /// Shares of the scores 1..5 for a customer with nothing to complain of (they sum to 1).
    pub base: [f64; 5],
    /// Logits added to the latent dissatisfaction per red response, per transfer, and per
    /// minute waited in queue before the answer.
    pub per_red_response: f64,
    pub per_transfer: f64,
    pub per_minute_waited: f64,
}

impl Rating {
    /// The shift (in logits, toward low scores when positive) for what a customer lived.
    pub fn shift(&self, red_responses: u32, transfers: u32, waited: f64) -> f64 {
        self.per_red_response * f64::from(red_responses)
            + self.per_transfer * f64::from(transfers)
            + self.per_minute_waited * waited / 60.0
    }

    /// P(score <= k) for k = 1..4 under `shift`: the base's cumulative shares moved on the
    /// logit scale, logistic(logit(C_k) + shift). Shift 0 gives the base shares back.
    pub fn cumulative(&self, shift: f64) -> [f64; 4] {
        let mut out = [0.0; 4];
        let mut c = 0.0;
        for (k, slot) in out.iter_mut().enumerate() {
            c += self.base[k];
            let c = c.clamp(0.0, 1.0);
            *slot = if c <= 0.0 {
                0.0
            } else if c >= 1.0 {
                1.0
            } else {
                let logit = (c / (1.0 - c)).ln() + shift;
                1.0 / (1.0 + (-logit).exp())
            };
        }
        out
    }

    /// The shares of the scores 1..5 under `shift`.
    pub fn shares(&self, shift: f64) -> [f64; 5] {
        let c = self.cumulative(shift);
        let mut out = [0.0; 5];
        let mut below = 0.0;
        for k in 0..4 {
            out[k] = (c[k] - below).max(0.0);
            below = c[k];
        }
        out[4] = (1.0 - below).max(0.0);
        out
    }

    /// The score (1..5) for a uniform draw `u` in [0, 1) under `shift`.
    pub fn score(&self, shift: f64, u: f64) -> u8 {
        let c = self.cumulative(shift);
        c.iter().position(|&ck| u < ck).map_or(5, |k| k as u8 + 1)
    }
}

/// How an invited agent answers an invitation.
#[derive(Clone, Debug, Serialize)]
pub struct Invitation {
    /// From the invitation to the answer.
    pub answer_delay: Dist,
    /// Probability that the answer is a refusal.
    pub refuse: f64,
    /// An invitation not answered by then is ignored (an answer exactly at the timeout counts).
    pub timeout: f64,
    /// After a refusal or a timeout, this many more invitations, then the agent carries on.
    pub retries: u32,
}

/// Where a transfer goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Queue(usize),
    Group(usize),
}

/// How a transfer reaches its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferHow {
    /// To the end of the target queue; the agent leaves the chat at once (Zendesk).
    Queue,
    /// An agent of the target is invited; the agent keeps the chat until one accepts (Genesys).
    Invite,
}

/// A queue's transfers: which share of its chats need another queue or group, when, where to.
#[derive(Clone, Debug, Serialize)]
pub struct Transfer {
    pub share: f64,
    /// Exchanges with the agent before the request (at least 1).
    pub after_exchanges: CountDist,
    pub to: Target,
    pub how: TransferHow,
}

/// A queue's conferences: which share of its chats need a second agent to join, when, who.
#[derive(Clone, Debug, Serialize)]
pub struct Conference {
    pub share: f64,
    /// Exchanges with the agent before the request (at least 1).
    pub after_exchanges: CountDist,
    pub with: Target,
    /// Exchanges the joined agent answers while in the conference (at least 1).
    pub exchanges: CountDist,
    /// Probability that the owner leaves once the invited agent has joined: ownership passes.
    pub owner_leaves: f64,
}

/// A queue's consultations: which share of its chats need the agent to consult a colleague
/// privately, when, whom, for how long, and how often the colleague then takes the chat.
#[derive(Clone, Debug, Serialize)]
pub struct Consultation {
    pub share: f64,
    /// Exchanges with the agent before the request (at least 1).
    pub after_exchanges: CountDist,
    pub with: Target,
    /// Agent-to-agent exchanges (a message of the agent, a reply of the colleague), at least 1.
    pub messages: CountDist,
    /// Probability that the consulted colleague then takes the chat (a two-step transfer).
    pub then_transfer: f64,
}

/// One queue: where its chats come from, who serves them, and how its chats go.
#[derive(Clone, Debug, Serialize)]
pub struct QueueConfig {
    pub name: String,
    pub channel: usize,
    /// An agent who can serve several queues takes the highest priority first.
    pub priority: i64,
    /// Length of one entry of `arrival_rates`, seconds.
    pub arrival_step: f64,
    /// Arrival rate per second for each step; the last entry holds for any later time.
    pub arrival_rates: Vec<f64>,
    /// Who may answer, in order: tier 0 at once, each later tier once the chat has waited its
    /// `after` (strictly increasing).
    pub tiers: Vec<Tier>,
    pub chat: ChatConfig,
    /// Day-to-day variation: one draw per day and replication multiplies every rate of the
    /// day. Absent (and left out of `run.json`) unless the scenario sets it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day_level: Option<DayLevel>,
    /// Step-to-step variation: one draw per step of `arrival_rates`, day and replication
    /// multiplies that step's rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_level: Option<Dist>,
    /// Recorded arrivals replayed instead of the Poisson stream (`arrival_rates` then holds the
    /// trace's mean rate per step, for the work estimate and the reports only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Trace>,
}

/// The factor that multiplies a day's arrival rates.
#[derive(Clone, Debug, Serialize)]
pub struct DayLevel {
    pub dist: Dist,
    /// One draw shared by every queue with `shared` (from the center's own stream), or the
    /// queue's own draw (from the queue's stream).
    pub shared: bool,
}

/// One recorded arrival: its instant in run time of its day, and the customer's traits the
/// record fixes (each `None` is drawn as usual).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TracedArrival {
    pub time: f64,
    pub exchanges: Option<u32>,
    pub queue_patience: Option<f64>,
    pub reply_patience: Option<f64>,
}

/// Reads one queue's recorded arrivals of one day, in time order, a row at a time.
pub trait TraceReader: Send {
    /// The next arrival, or `None` at the end of the day's rows (or on an error, which the
    /// reader keeps for [`TraceReader::error`]).
    fn next_arrival(&mut self) -> Option<TracedArrival>;
    /// The error this reader met (the file changed since it was checked), if any: each
    /// replication reports its own readers' errors, whatever the other threads met.
    fn error(&self) -> Option<String>;
}

/// A file of recorded arrivals (the scenario layer reads it; the model only asks for rows).
pub trait TraceSource: Send + Sync + std::fmt::Debug {
    /// A reader of `queue`'s arrivals of day `day` (0 for a run without `run.days`), their
    /// times in run time of that day.
    fn open(&self, queue: usize, day: u32) -> Box<dyn TraceReader>;
}

/// A queue's replayed arrivals.
#[derive(Clone, Debug, Serialize)]
pub struct Trace {
    /// The file, as resolved (for `run.json`).
    pub file: String,
    #[serde(skip)]
    pub source: Arc<dyn TraceSource>,
}

/// Agent groups that may answer a queue's chats once they have waited `after` seconds.
#[derive(Clone, Debug, Serialize)]
pub struct Tier {
    pub groups: Vec<usize>,
    pub after: f64,
}

/// How one queue's chats go: the conversation, the customer's patience, the indicator, wrap-up
/// and the offer. Settings that act on the agent (slowdown, alert timeout, pause) are those of
/// the chat the agent handles.
#[derive(Clone, Debug, Serialize)]
pub struct ChatConfig {
    pub exchanges: CountDist,
    pub think: Dist,
    pub compose: Dist,
    /// Compose-time factor by number of chats held: entry `i` applies when the agent holds
    /// `i + 1` chats. At least as many entries as the largest capacity of a serving group.
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
    /// An offer whose accept delay exceeds this is withdrawn at this time (infinite: never).
    pub alert_timeout: f64,
    /// How long an agent who let an offer time out stays Not Ready.
    pub not_responding_pause: Dist,
    pub escalation: Escalation,
    pub inactivity: Inactivity,
    /// Asynchronous continuation (messaging): sessions parked while the customer is quiet.
    /// Left out of `run.json` when off.
    #[serde(skip_serializing_if = "Asynchronous::is_off")]
    pub asynchronous: Asynchronous,
    /// After each agent reply but the last, the customer leaves without a word with this
    /// probability: the session holds its slot until the inactivity close.
    pub silent_leave: f64,
    /// Customers who come back (`patience.retry`: after an abandon in queue or in chat;
    /// `patience.recontact`: after a completed chat). Left out of `run.json` when off, so the
    /// settings of scenarios without them read as before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry: Option<Return>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recontact: Option<Return>,
    /// Transfers of this queue's chats (`None`: none). A chat transferred here is served under
    /// this queue's settings from then on, so its transfer settings apply to it again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer: Option<Transfer>,
    /// Conferences of this queue's chats (`None`: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conference: Option<Conference>,
    /// Consultations of this queue's chats (`None`: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consultation: Option<Consultation>,
    /// Disposition codes set at Mark Done (`None`: none; `wrapup` is then the wrap-up time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dispositions: Option<Dispositions>,
    /// The satisfaction survey of the chats that end under this queue (`None`: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    /// Proactive chats: website visitors the queue's agents may invite (`None`: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proactive: Option<Proactive>,
}

/// Proactive chats (Zendesk): visitors of the website arrive (a Poisson stream with a rate per
/// step) and stay `dwell`; an agent of the queue's first tier who can take a chat, holds at most
/// `max_chats` chats, while the queue is empty, invites the visitor who arrived last; the
/// visitor accepts with probability `accept`, and the chat is offered to that agent at once.
#[derive(Clone, Debug, Serialize)]
pub struct Proactive {
    /// Length of one entry of `visitor_rates`, seconds.
    pub step: f64,
    /// Visitors per second for each step; the last entry holds for any later time.
    pub visitor_rates: Vec<f64>,
    pub dwell: Dist,
    pub max_chats: u32,
    pub accept: f64,
}

impl ChatConfig {
    /// How long a customer may stay quiet after an agent message before anything but their
    /// next message happens: the first inactivity timer, or the park.
    #[inline]
    pub fn quiet_after(&self) -> f64 {
        let first = self.inactivity.first();
        let park = self.asynchronous.park_after;
        // Plain comparisons, as in `Inactivity::first`: this runs at every reply.
        if park < first {
            park
        } else {
            first
        }
    }
}

/// When a customer comes back: with `probability` at the end of an attempt, after `delay`, at
/// most `max` times (retrials and recontacts are counted apart).
#[derive(Clone, Debug, Serialize)]
pub struct Return {
    pub probability: f64,
    pub delay: Dist,
    pub max: u32,
}

/// What the indicator's colours make happen to a queue's chats.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Escalation {
    /// The agent's waiting messages are served red first, then yellow, then green, in the
    /// attention order within a colour (a chat of a queue without it counts as green).
    pub red_first: bool,
    /// While a chat of this queue is pending at this colour or worse, its agent is offered no
    /// new chat (`None`: never).
    pub hold_new_chats: Option<HoldAt>,
    /// A reply pending this long with its agent (on the indicator's clock): the chat is taken
    /// from the agent and offered to another one (infinite: never).
    pub reassign_after: f64,
    /// Where a reassigned chat waits: at the head of this queue (its own by default).
    pub reassign_to: usize,
}

/// The colour of `hold_new_chats`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldAt {
    Yellow,
    Red,
}

/// Asynchronous continuation: a customer quiet for `park_after` after an agent message has
/// the session parked (its slot freed); their next message resumes it, offered first to the
/// agent who had it (`Resume::SameAgent`, waiting up to `affinity_wait` for that agent) or to
/// the queue at once; a session parked for `close_after` is closed and marked Done.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Asynchronous {
    /// Infinite: off.
    pub park_after: f64,
    pub resume: Resume,
    pub affinity_wait: f64,
    /// Infinite: a parked session waits for its customer until the run ends.
    pub close_after: f64,
}

impl Asynchronous {
    pub const OFF: Asynchronous = Asynchronous {
        park_after: f64::INFINITY,
        resume: Resume::SameAgent,
        affinity_wait: 0.0,
        close_after: f64::INFINITY,
    };

    pub fn is_off(&self) -> bool {
        self.park_after.is_infinite()
    }
}

/// Where a parked session's new message goes first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resume {
    SameAgent,
    Queue,
}

/// The chat server's customer-inactivity timers, running from each agent message and reset by
/// the customer's next message (infinite: off).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Inactivity {
    /// A system message to the customer (counted), and a second one.
    pub alert: f64,
    pub alert2: f64,
    /// The session is closed: the chat ends and wrap-up follows.
    pub close: f64,
}

impl Inactivity {
    /// The earliest of the timers: a customer quiet for less has seen none of them.
    #[inline]
    pub fn first(&self) -> f64 {
        // Plain comparisons (the timers are never NaN): f64::min's NaN handling costs a dozen
        // instructions on every reply.
        let alerts = if self.alert < self.alert2 {
            self.alert
        } else {
            self.alert2
        };
        if alerts < self.close {
            alerts
        } else {
            self.close
        }
    }

    pub const OFF: Inactivity = Inactivity {
        alert: f64::INFINITY,
        alert2: f64::INFINITY,
        close: f64::INFINITY,
    };
}

impl ChatConfig {
    /// Some customer of this queue may come back: its sessions carry their customer.
    #[inline]
    pub fn returns(&self) -> bool {
        self.retry.is_some() || self.recontact.is_some()
    }

    /// Seconds of the indicator's clock at which `hold_new_chats` gates the agent.
    pub fn hold_threshold(&self) -> f64 {
        match self.escalation.hold_new_chats {
            None => f64::INFINITY,
            Some(HoldAt::Yellow) => self.yellow,
            Some(HoldAt::Red) => self.red,
        }
    }
}

/// One group of identical agents.
#[derive(Clone, Debug, Serialize)]
pub struct GroupConfig {
    pub name: String,
    pub max_concurrent: u32,
    pub staffing: Staffing,
    /// Each agent misses the whole replication with this probability.
    pub absenteeism: f64,
    /// Messages from colleagues to the group's agents (`None`: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal: Option<Internal>,
}

/// Internal chats: each agent on shift receives colleagues' messages, a Poisson stream of
/// `rate` per second, each answered with the agent's attention for a `compose` time, in the
/// attention order with the customers' messages.
#[derive(Clone, Debug, Serialize)]
pub struct Internal {
    pub rate: f64,
    pub compose: Dist,
}

/// When a group's agents are on shift.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Staffing {
    /// Agents `0..n` of the group are on shift during each step; the last entry holds for any
    /// later time. An agent leaving takes no new chat and finishes the ones in hand.
    PerStep { step: f64, agents: Vec<u32> },
    /// Each shift brings its own agents from `start` to `end`, with breaks.
    Shifts(Vec<Shift>),
}

#[derive(Clone, Debug, Serialize)]
pub struct Shift {
    pub start: f64,
    pub end: f64,
    pub agents: u32,
    pub breaks: Vec<Break>,
}

/// From `at`, the agent takes no new chat; once the chats in hand are done the agent is away
/// for `length`.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Break {
    pub at: f64,
    pub length: f64,
}

impl Staffing {
    /// Agents this plan can ever have on shift at once (the agents allocated for it).
    pub fn agents(&self) -> u32 {
        match self {
            Staffing::PerStep { agents, .. } => agents.iter().copied().max().unwrap_or(0),
            Staffing::Shifts(shifts) => shifts.iter().map(|s| s.agents).sum(),
        }
    }

    /// Agents on shift at time `t` (absenteeism not counted; breaks count as on shift).
    pub fn on_shift_at(&self, t: f64) -> u32 {
        match self {
            Staffing::PerStep { step, agents } => {
                agents[((t / step) as usize).min(agents.len() - 1)]
            }
            Staffing::Shifts(shifts) => shifts
                .iter()
                .filter(|s| s.start <= t && t < s.end)
                .map(|s| s.agents)
                .sum(),
        }
    }
}

impl ModelConfig {
    /// Total agents on shift at time `t`, over every group.
    pub fn staffing_at(&self, t: f64) -> u32 {
        self.groups.iter().map(|g| g.staffing.on_shift_at(t)).sum()
    }

    /// Chat slots on shift at time `t`: each group's agents on shift times its capacity.
    pub fn slots_at(&self, t: f64) -> u32 {
        self.groups
            .iter()
            .map(|g| g.staffing.on_shift_at(t) * g.max_concurrent)
            .sum()
    }

    /// The largest number of agents the model allocates (every group's plan at its peak).
    pub fn max_agents(&self) -> u32 {
        self.groups.iter().map(|g| g.staffing.agents()).sum()
    }

    /// The largest capacity of any group.
    pub fn max_concurrent(&self) -> u32 {
        self.groups
            .iter()
            .map(|g| g.max_concurrent)
            .max()
            .unwrap_or(1)
    }

    /// Expected arrivals in one replication (warm-up included): the integral of every queue's
    /// arrival rate from time 0 to the end of arrivals.
    pub fn expected_contacts(&self) -> f64 {
        let mut total = 0.0;
        for q in &self.queues {
            let steps = (self.arrivals_end / q.arrival_step).ceil().max(1.0) as usize;
            for i in 0..steps {
                let from = i as f64 * q.arrival_step;
                let to = ((i + 1) as f64 * q.arrival_step).min(self.arrivals_end);
                total += q.arrival_rates[i.min(q.arrival_rates.len() - 1)] * (to - from).max(0.0);
            }
        }
        total
    }

    /// Arrival rate per second of every queue together at time `t`.
    pub fn arrival_rate_at(&self, t: f64) -> f64 {
        self.queues.iter().map(|q| q.rate_at(t)).sum()
    }
}

impl QueueConfig {
    /// Arrival rate per second at time `t`.
    pub fn rate_at(&self, t: f64) -> f64 {
        self.arrival_rates[((t / self.arrival_step) as usize).min(self.arrival_rates.len() - 1)]
    }
}
