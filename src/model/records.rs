//! What the model tells the outside world: one [`Record`] per thing that happened, pushed to an
//! [`Observer`] as it happens. Records carry the contact's arrival time so that observers can
//! attribute them to a reporting interval without keeping per-contact state.

/// Serial number of a contact within one replication (0, 1, 2, ... in arrival order).
pub type ContactId = u64;

/// The colour the response-pending indicator reached before the reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Colour {
    Green,
    Yellow,
    Red,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Record {
    /// A contact arrived; `queued` is true when no agent had a free slot for it at once.
    Arrived { contact: ContactId, queued: bool },
    /// The contact was offered to `agent`, which now holds `held` chats (the offered one
    /// included: its slot is reserved during the accept delay).
    Offered {
        contact: ContactId,
        agent: u32,
        held: u32,
    },
    /// An agent accepted the chat: the contact is answered after waiting `wait` seconds.
    Answered {
        contact: ContactId,
        arrived_at: f64,
        wait: f64,
    },
    /// The contact left the queue (or an offer still being accepted) after `wait` seconds.
    AbandonedQueue {
        contact: ContactId,
        arrived_at: f64,
        wait: f64,
    },
    /// An agent replied to a customer message that had waited `duration` seconds. `first` marks
    /// the reply to the request itself (the first response). The indicator ran for
    /// `indicator` seconds (equal to `duration` with the customer-message basis) and reached
    /// `colour`; `yellow_time` and `red_time` are the seconds it spent in those colours.
    Response {
        contact: ContactId,
        arrived_at: f64,
        duration: f64,
        first: bool,
        colour: Colour,
        yellow_time: f64,
        red_time: f64,
    },
    /// The customer left the chat because a reply was pending longer than their patience.
    AbandonedChat { contact: ContactId, arrived_at: f64 },
    /// The agent marked the contact done: `handle_time` runs from accept to Mark Done and
    /// includes `wrapup` seconds of wrap-up. The contact has left the system.
    Done {
        contact: ContactId,
        arrived_at: f64,
        handle_time: f64,
        wrapup: f64,
    },
    /// The agents' load changed (sent once, after the event that changed it): agents present (on shift, or off shift but still finishing
    /// chats), agents holding at least one chat, chats held (reserved, in conversation or in
    /// wrap-up) and slots of the agents present.
    Load {
        present: u32,
        busy: u32,
        held: u32,
        slots: u32,
    },
    /// An agent's number of chats held changed from `from` to `to`, either being [`ABSENT`]
    /// when the agent is not present (off shift with no chat left). Gives the distribution of
    /// chats held over agent time.
    Level { from: u32, to: u32 },
    /// The run stopped with this contact still in the system: a drain limit was reached, or no
    /// event was left (no agent on shift to serve a queue of patient customers).
    InSystemAtEnd { contact: ContactId, arrived_at: f64 },
}

/// The `Level` of an agent who is not present.
pub const ABSENT: u32 = u32::MAX;

/// Receives the model's records. Static dispatch: the event loop inlines the observer.
pub trait Observer {
    fn record(&mut self, now: f64, record: Record);
}

/// Discards everything (benchmarks of the bare model).
impl Observer for () {
    #[inline]
    fn record(&mut self, _: f64, _: Record) {}
}
