//! Chat sessions: the hot state of one contact's chat in one cache line, the cold state in a
//! parallel array, and the slab that reuses them.
//!
//! Timers are cancelled lazily by stamps, one stamp per *lane* of timers that are voided
//! together: the flow lane (accept or alert timeout, the customer's next message, the reply
//! being composed, wrap-up: at most one pending) and the wait lane (patience in queue and the
//! overflow tiers while the chat waits; patience for a reply once answered). Bumping one lane's
//! stamp leaves the other's timers running, so a reply being composed and the customer's
//! patience are cancelled independently; a later lane (invitations) adds a stamp here.

use rand::SeedableRng;

use super::records::ContactId;
use crate::engine::{CustomerRng, Stamp};

pub(super) const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    Free,
    Queued,
    /// Offered to an agent whose slot is reserved during the accept delay.
    Offered,
    /// The customer is reading or typing their next message.
    Thinking,
    /// A customer message waits for the agent's attention.
    Pending,
    /// The agent is composing the reply.
    Composing,
    WrapUp,
    /// Taken from its agent (`escalation.reassign_after`): waits in a queue again, its customer
    /// message still pending and its indicator running.
    Requeued,
    /// A requeued chat offered to another agent, whose slot is reserved during the accept delay.
    Reoffered,
    /// The customer's message asked for a transfer and the agent keeps the chat while an agent
    /// of the target is invited (`how = "invite"`): the message waits, outside the agent's
    /// attention; the invitation may itself wait in the target queue.
    Inviting,
    /// The agent consults a colleague privately (agent-to-agent messages, each composed with
    /// its writer's attention) while the customer's message waits.
    Consulting,
    /// Asynchronous continuation: the customer went quiet and the session is parked, holding
    /// no slot and no attention; no message is pending, so no indicator runs.
    Parked,
    /// The customer of a parked session wrote again and the message waits, outside any queue,
    /// for the agent who had the session (`asynchronous.affinity_wait`).
    Resuming,
    /// Not a contact: an agent's messages from colleagues (`[internal]`), waiting in its
    /// attention or being answered (see `internal.rs`).
    Internal,
}

impl Phase {
    /// A customer message waits for a reply, whether an agent holds the chat or not.
    #[inline]
    pub fn message_pending(self) -> bool {
        matches!(
            self,
            Phase::Pending
                | Phase::Composing
                | Phase::Requeued
                | Phase::Reoffered
                | Phase::Inviting
                | Phase::Consulting
                | Phase::Resuming
        )
    }
}

/// One contact's chat session (hot state).
///
/// 64 bytes, aligned to a cache line: on a large floor the session an event touches is usually
/// out of cache, and one line per session is one miss. To fit, two fields serve two phases each,
/// a session needing only one of the two at a time, and what is read once per contact lives in
/// [`Cold`].
#[derive(Clone, Copy, Debug)]
#[repr(align(64))]
pub(super) struct Session {
    /// Stamp of the flow lane's timers.
    pub flow: Stamp,
    /// Stamp of the wait lane's timers.
    pub wait: Stamp,
    /// The agent who owns the chat (offered, in conversation or in wrap-up), or [`NONE`].
    pub agent: u32,
    pub exchanges_left: u32,
    pub contact: ContactId,
    pub queue: u16,
    pub phase: Phase,
    pub first_reply_pending: bool,
    /// The queue-patience timer is scheduled.
    pub abandon_armed: bool,
    /// The overflow tiers' timers are scheduled (the chat waited in queue on arrival). A chat
    /// offered at once has none until its offer times out and it waits after all.
    pub tiers_armed: bool,
    /// Highest overflow tier open to this chat (0: only the first).
    pub tier: u8,
    /// The pending message has reached its queue's `hold_new_chats` colour: the chat counts in
    /// its agent's [`super::agent::Agent::gating`].
    pub gating: bool,
    pub arrived_at: f64,
    /// How long this customer waits for a reply before leaving the chat.
    pub reply_patience: f64,
    /// Until the accept: when the customer gives up waiting in queue (infinite without queue
    /// patience). From the accept on: when the agent last sent a message (the accept counts),
    /// where the indicator starts under the `agent_message` basis.
    pub deadline_then_last_reply: f64,
    /// In conversation: since when the customer's message waits for a reply. After the chat
    /// ends: when it ended (the start of wrap-up).
    pub pending_since_then_ended_at: f64,
}

const _: () = assert!(std::mem::size_of::<Session>() == 64);

/// What a session needs once or twice per contact, kept out of the hot line.
#[derive(Clone, Copy, Debug)]
pub(super) struct Cold {
    pub answered_at: f64,
    /// The agent a reassigned chat left last ([`NONE`] until a reassignment; reset at the
    /// accept): the one agent it must not be offered to while requeued.
    pub left_agent: u32,
    /// The queue a requeued chat waits in (read only in the `Requeued` and `Reoffered` phases),
    /// or an invitation of an `Inviting` chat.
    pub waits_in: u32,
    /// What the customer lived, for the rating model (`[rating]`; counted only when some
    /// queue rates): red responses and completed transfers since the accept (reset at the
    /// first reply), and whether the conversation ran to its last reply (set then, cleared at
    /// Mark Done).
    pub red_responses: u16,
    pub transfers: u16,
    pub completed: bool,
    /// The outcome drawn at the end of the chat (`[wrapup.dispositions]`), read at Mark Done
    /// only in a queue that has codes.
    pub disposition: u32,
}

/// The customer's own random streams (see [`crate::engine::CustomerSeeds`]), set when the
/// contact arrives: how long the customer thinks before each message and whether they leave
/// without a word after a reply (`think`); how long the agents take to write each message of
/// the chat (`compose`); the wrap-up time, disposition code and rating of the chat (`done`). A
/// customer draws the same numbers whatever the staffing or the routing, so two settings
/// compared with the same seed differ only by what the settings change.
#[derive(Clone, Debug)]
pub(super) struct CustomerStreams {
    pub think: CustomerRng,
    pub compose: CustomerRng,
    pub done: CustomerRng,
}

/// A session's part in the workflow actions (transfers, invitations), in its own array: read
/// only when some queue has them (`ContactCenter::workflow`), so the other runs never touch it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Work {
    /// Why a requeued chat waits again (always a reassignment without workflow actions).
    pub requeued_by: Requeue,
    /// When a chat transferred to a queue, or an invitation, started waiting there: its place
    /// in the queue and the clock of its overflow tiers (a reassigned chat's is its arrival).
    pub entered_at: f64,
    /// The queue whose settings the chat is served under: its own, or its transfer's target.
    pub serving: u32,
    /// When the agent now holding the chat accepted it (its handle time counts from there).
    pub leg_since: f64,
    /// What the customer will ask for once the exchanges with this agent are done.
    pub request: Option<super::records::Purpose>,
    /// What the invitation out (or the last one) is for.
    pub purpose: super::records::Purpose,
    /// In a conference: the owner, who keeps its slot while the joined agent (the session's
    /// `agent`) answers; [`NONE`] otherwise.
    pub partner: u32,
    /// In a conference: when the owner accepted the chat, and the exchanges the owner goes on
    /// with once the joined agent leaves.
    pub owner_since: f64,
    pub after_conference: u32,
    /// In a consultation: the consulted colleague (holding a slot for it), the agent-to-agent
    /// messages left (the agent writes first, then they alternate), and when it started.
    pub colleague: u32,
    pub consult_left: u32,
    pub consult_since: f64,
    /// Exchanges left if the transfer does not happen (the agent then carries on alone).
    pub exchanges_after_request: u32,
    /// When the pending transfer was asked for.
    pub requested_at: f64,
    /// The pending message waited through a transfer (its reply is a transfer response).
    pub through_transfer: bool,
    /// Stamp of the invitation lane: the answer and the timeout of the invitation out.
    pub invite: crate::engine::Stamp,
    /// The agent invited ([`NONE`]: none, or the invitation waits in `waits_in`).
    pub invited: u32,
    /// The agent that refused or ignored the last invitation (not invited again at once).
    pub declined_by: u32,
    /// More invitations allowed after a refusal or a timeout.
    pub invites_left: u32,
    /// Asynchronous continuation: the agent who had the session when it was parked, and when
    /// its quiet customer writes next (infinite: never, a silent leaver).
    pub last_agent: u32,
    pub writes_at: f64,
    /// The pending message came to a parked session (its reply is a resumed response).
    pub resumed: bool,
}

/// Why a chat waits in a queue again after it was answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Requeue {
    /// `escalation.reassign_after`: by its arrival time, its reply patience running on, and
    /// back to the agent it left only if nobody else of its tiers is on shift.
    Reassignment,
    /// A transfer with `how = "queue"`: at the end of the queue, with queue patience, never
    /// back to the agent who transferred it.
    Transfer,
    /// A parked session's new message: by when the customer wrote it, its reply patience
    /// running from then (asynchronous continuation).
    Resume,
}

impl Session {
    pub const FREE: Session = Session {
        flow: Stamp::ZERO,
        wait: Stamp::ZERO,
        agent: NONE,
        exchanges_left: 0,
        contact: 0,
        queue: 0,
        phase: Phase::Free,
        first_reply_pending: false,
        abandon_armed: false,
        tiers_armed: false,
        tier: 0,
        gating: false,
        arrived_at: 0.0,
        reply_patience: f64::INFINITY,
        deadline_then_last_reply: f64::INFINITY,
        pending_since_then_ended_at: 0.0,
    };

    /// Where the response-pending indicator of the waiting message started.
    #[inline]
    pub fn indicator_start(&self, basis: super::IndicatorBasis) -> f64 {
        match basis {
            super::IndicatorBasis::CustomerMessage => self.pending_since_then_ended_at,
            super::IndicatorBasis::AgentMessage => self.deadline_then_last_reply,
        }
    }
}

/// Sessions in a slab reused last freed first (the session freed last is the one in cache).
pub(super) struct Sessions {
    pub hot: Vec<Session>,
    pub cold: Vec<Cold>,
    pub work: Vec<Work>,
    pub customer: Vec<CustomerStreams>,
    free: Vec<u32>,
    workflow: bool,
}

impl Sessions {
    /// Room for `n` sessions; `workflow`: keep each session's [`Work`] (some queue has workflow
    /// actions), else the `work` array stays empty.
    pub fn with_capacity(n: usize, workflow: bool) -> Self {
        Sessions {
            hot: Vec::with_capacity(n),
            cold: Vec::with_capacity(n),
            work: Vec::with_capacity(if workflow { n } else { 0 }),
            customer: Vec::with_capacity(n),
            free: Vec::with_capacity(n),
            workflow,
        }
    }

    /// A free session: the one freed last, or a new one.
    #[inline]
    pub fn alloc(&mut self) -> u32 {
        match self.free.pop() {
            Some(s) => s,
            None => self.grow(),
        }
    }

    /// A new session at the end of the slab (the slab grows until the run's steady size).
    #[cold]
    fn grow(&mut self) -> u32 {
        self.hot.push(Session::FREE);
        self.cold.push(Cold {
            answered_at: 0.0,
            left_agent: NONE,
            waits_in: 0,
            red_responses: 0,
            transfers: 0,
            completed: false,
            disposition: 0,
        });
        self.customer.push(CustomerStreams {
            think: CustomerRng::from_seed([0; 8]),
            compose: CustomerRng::from_seed([0; 8]),
            done: CustomerRng::from_seed([0; 8]),
        });
        if self.workflow {
            self.work.push(Work {
                requeued_by: Requeue::Reassignment,
                entered_at: 0.0,
                serving: 0,
                leg_since: 0.0,
                request: None,
                purpose: super::records::Purpose::Transfer,
                partner: NONE,
                owner_since: 0.0,
                after_conference: 0,
                colleague: NONE,
                consult_left: 0,
                consult_since: 0.0,
                exchanges_after_request: 0,
                requested_at: 0.0,
                through_transfer: false,
                invite: crate::engine::Stamp::ZERO,
                invited: NONE,
                declined_by: NONE,
                invites_left: 0,
                last_agent: NONE,
                writes_at: f64::INFINITY,
                resumed: false,
            });
        }
        (self.hot.len() - 1) as u32
    }

    /// Free a session: every timer it has pending, in every lane, becomes stale.
    pub fn free(&mut self, s: u32) {
        let session = &mut self.hot[s as usize];
        debug_assert!(
            !session.gating,
            "a session freed while holding its agent from routing"
        );
        session.phase = Phase::Free;
        session.flow = session.flow.next();
        session.wait = session.wait.next();
        // The invitation lane is voided where an invitation is withdrawn (`transfer.rs`).
        self.free.push(s);
    }

    /// Since when chat `s` waits where it waits, which sets its place in its queue and the
    /// clock of its overflow tiers: its arrival, or (with workflow actions or asynchronous
    /// continuation, `workflow`) the transfer, invitation or resumed message that put it there.
    #[inline]
    pub fn waiting_since(&self, s: u32, workflow: bool) -> f64 {
        let session = &self.hot[s as usize];
        let moved = workflow
            && (session.phase == Phase::Inviting
                || (matches!(session.phase, Phase::Requeued | Phase::Reoffered)
                    && self.work[s as usize].requeued_by != Requeue::Reassignment));
        if moved {
            self.work[s as usize].entered_at
        } else {
            session.arrived_at
        }
    }

    #[inline]
    pub fn live_flow(&self, s: u32, stamp: Stamp, phase: Phase) -> bool {
        let session = &self.hot[s as usize];
        session.flow == stamp && session.phase == phase
    }
}
