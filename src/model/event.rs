//! The model's events. An event names one entity (a queue, an agent, a session) and, for a
//! timer that can be cancelled, the stamp of its own lane of timers, so that each kind of timer
//! is voided on its own (see [`super::session::Session`]).

use crate::engine::Stamp;

#[derive(Clone, Copy, Debug)]
pub(super) enum Event {
    /// The next arrival of a queue (with one queue it waits in the scheduler's lone slot); from
    /// `retrials::RETURNING` on, a customer coming back (in the heap).
    Arrival {
        queue: u32,
    },
    /// A group's per-step staffing plan moves to `step`.
    StaffingStep {
        group: u32,
        step: u32,
    },
    /// A rostered agent's shift starts or ends, or one of its breaks is due.
    ShiftStart {
        agent: u32,
    },
    ShiftEnd {
        agent: u32,
    },
    BreakDue {
        agent: u32,
    },
    /// An agent's break or Not Ready pause is over (agent lane).
    BreakOver {
        agent: u32,
        stamp: Stamp,
    },
    NotReadyOver {
        agent: u32,
        stamp: Stamp,
    },
    /// Wait lane: the customer's patience in queue, the next overflow tier opening, the
    /// customer's patience for a reply.
    QueueAbandon {
        session: u32,
        stamp: Stamp,
    },
    TierOpen {
        session: u32,
        stamp: Stamp,
    },
    ReplyAbandon {
        session: u32,
        stamp: Stamp,
    },
    /// Wait lane, escalation: the pending message reaches its queue's `hold_new_chats` colour;
    /// it has been pending `reassign_after` with its agent.
    HoldReached {
        session: u32,
        stamp: Stamp,
    },
    Reassign {
        session: u32,
        stamp: Stamp,
    },
    /// Flow lane: the conversation's next step.
    Accepted {
        session: u32,
        stamp: Stamp,
    },
    OfferTimeout {
        session: u32,
        stamp: Stamp,
    },
    CustomerMessage {
        session: u32,
        stamp: Stamp,
    },
    ReplyDone {
        session: u32,
        stamp: Stamp,
    },
    WrapupDone {
        session: u32,
        stamp: Stamp,
    },
    /// Flow lane, customer inactivity: an alert is due; the session is closed (`silent`: the
    /// customer had left without a word).
    InactivityAlert {
        session: u32,
        stamp: Stamp,
    },
    InactivityClose {
        session: u32,
        stamp: Stamp,
        silent: bool,
    },
    /// Invitation lane: the invited agent answers; the invitation times out.
    InvitationAnswer {
        session: u32,
        stamp: Stamp,
    },
    InvitationTimeout {
        session: u32,
        stamp: Stamp,
    },
    /// Flow lane, consultation: an agent-to-agent message is written.
    ConsultMessageDone {
        session: u32,
        stamp: Stamp,
    },
    /// The wrap-up of an agent who left a chat (a transfer) is over: no session to void it.
    LeftWrapupDone {
        agent: u32,
    },
    /// Flow lane, asynchronous continuation: the quiet customer's session is parked
    /// (`silent`: the customer had left without a word); a parked session is closed.
    Park {
        session: u32,
        stamp: Stamp,
        silent: bool,
    },
    ParkedClose {
        session: u32,
        stamp: Stamp,
    },
    /// Wait lane: a resumed session has waited `affinity_wait` for the agent who had it.
    AffinityOver {
        session: u32,
        stamp: Stamp,
    },
    /// Proactive chats: the next visitor of a queue's website arrives; visitor `visitor` (a
    /// number of that queue's) leaves it, if not invited by then.
    VisitorArrives {
        queue: u32,
    },
    VisitorLeaves {
        queue: u32,
        visitor: u32,
    },
    /// Internal chats: a colleague's message reaches `agent` (stale unless `epoch` is the
    /// agent's); the reply to the one its internal session stands for is written (flow lane).
    InternalArrives {
        agent: u32,
        epoch: u32,
    },
    InternalDone {
        session: u32,
        stamp: Stamp,
    },
}

// Twelve bytes, so that a scheduler entry stays 24 (see the scheduler's header).
const _: () = assert!(std::mem::size_of::<Event>() == 12);

impl Event {
    /// The session a session timer concerns.
    #[inline]
    pub(super) fn session(&self) -> Option<u32> {
        match *self {
            Event::QueueAbandon { session, .. }
            | Event::TierOpen { session, .. }
            | Event::ReplyAbandon { session, .. }
            | Event::HoldReached { session, .. }
            | Event::Reassign { session, .. }
            | Event::InactivityAlert { session, .. }
            | Event::InactivityClose { session, .. }
            | Event::InvitationAnswer { session, .. }
            | Event::InvitationTimeout { session, .. }
            | Event::ConsultMessageDone { session, .. }
            | Event::Park { session, .. }
            | Event::ParkedClose { session, .. }
            | Event::AffinityOver { session, .. }
            | Event::Accepted { session, .. }
            | Event::OfferTimeout { session, .. }
            | Event::CustomerMessage { session, .. }
            | Event::ReplyDone { session, .. }
            | Event::WrapupDone { session, .. } => Some(session),
            _ => None,
        }
    }
}
