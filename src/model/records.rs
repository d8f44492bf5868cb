//! What the model tells the outside world: one [`Record`] per thing that happened, pushed to an
//! [`Observer`] as it happens. Records carry the contact's arrival time so that observers can
//! attribute them to a reporting interval without keeping per-contact state, and the queue (hence
//! the channel) or agent group they concern, so that statistics can be cut by segment.

/// Serial number of a contact within one replication (0, 1, 2, ... in arrival order).
pub type ContactId = u64;

/// Index of a queue in [`super::ModelConfig::queues`]; its channel is the queue's.
pub type QueueId = u32;

/// Index of an agent group in [`super::ModelConfig::groups`].
pub type GroupId = u32;

/// The colour the response-pending indicator reached before the reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Colour {
    Green,
    Yellow,
    Red,
}

/// Why a customer comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReturnKind {
    /// After an abandon, in queue or in chat (`patience.retry`).
    Retrial,
    /// After a completed chat (`patience.recontact`).
    Recontact,
}

/// What a customer's request is for, and so an invitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// `[transfer]`: the chat goes to another queue or group.
    Transfer,
    /// `[conference]`: a second agent joins the session for a few exchanges.
    Conference,
    /// `[consultation]`: the agent consults a colleague privately.
    Consultation,
}

/// Why an invitation could not be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferFailure {
    /// No agent of the target group had a free slot.
    NoAgent,
    /// The inviting agent was the only Ready agent of the target.
    OnlyAgent,
}

/// What an agent is doing, as far as taking new chats goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentState {
    /// Not on shift (before, after, or absent for the day), chats in hand included.
    Off,
    /// On shift and taking chats.
    Ready,
    /// On shift, a break is due: takes no new chat, finishes the ones in hand.
    BreakDue,
    /// Away on break (holds no chat).
    OnBreak,
    /// Let an offer time out: takes no new chat for the pause (chats in hand go on).
    NotReady,
}

/// Agent counters, over the whole center or one group.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LoadCounts {
    /// Agents on shift (breaks and Not Ready included), or off shift but still finishing chats.
    pub present: u32,
    /// Present agents holding no chat who are on break or Not Ready: out of the denominators of
    /// occupancy and slot utilisation.
    pub away: u32,
    /// Present agents away on break.
    pub on_break: u32,
    /// Present agents Not Ready after an offer timed out.
    pub not_ready: u32,
    /// Agents holding at least one chat.
    pub busy: u32,
    /// Chats held (reserved, in conversation or in wrap-up).
    pub held: u32,
    /// Slots of the present agents who are not away.
    pub slots: u32,
    /// Present agents held from routing by `escalation.hold_new_chats` (a chat of theirs is
    /// pending at that colour or worse).
    pub gated: u32,
    /// Chats held whose customer left without a word (until the inactivity close).
    pub silent: u32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Record {
    /// A contact arrived; `queued` is true when no agent could take it at once.
    Arrived {
        contact: ContactId,
        queue: QueueId,
        queued: bool,
    },
    /// The contact was offered to `agent`, which now holds `held` chats (the offered one
    /// included: its slot is reserved during the accept delay).
    Offered {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        agent: u32,
        group: GroupId,
        held: u32,
    },
    /// The agent did not accept the offer within the alert timeout: the offer is withdrawn, the
    /// contact goes back to the head of its queue and the agent is Not Ready.
    OfferTimedOut {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        agent: u32,
        group: GroupId,
    },
    /// An agent accepted the chat: the contact is answered after waiting `wait` seconds, by an
    /// agent of a later tier than the first when `overflowed`.
    Answered {
        contact: ContactId,
        queue: QueueId,
        group: GroupId,
        arrived_at: f64,
        wait: f64,
        overflowed: bool,
    },
    /// The contact left the queue (or, `during_offer`, an offer still being accepted) after
    /// `wait` seconds. `returning`: the contact is a customer's retrial or recontact (its first
    /// attempt was another contact).
    AbandonedQueue {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        wait: f64,
        during_offer: bool,
        returning: bool,
    },
    /// The contact is a customer coming back (its `Arrived` came just before): `customer` is
    /// the contact number of the customer's first attempt, `attempt` the number of this one
    /// (the first is 0), `kind` why they came back.
    Returned {
        contact: ContactId,
        queue: QueueId,
        customer: ContactId,
        attempt: u32,
        kind: ReturnKind,
    },
    /// The contact ended (abandoned for a `Retrial`, marked done for a `Recontact`) and its
    /// customer will come back at `at` (a later `Returned`), or, `after_close`, would come back
    /// then but arrivals have stopped (`at` is at or after the end of the horizon): that return
    /// is not simulated.
    WillReturn {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        customer: ContactId,
        kind: ReturnKind,
        at: f64,
        after_close: bool,
    },
    /// A customer message started waiting for a reply from `agent` of `group` (the request itself counts,
    /// pending from the accept). For observers that follow messages one by one (the transcript);
    /// the KPI collector ignores it.
    Message {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        agent: u32,
        group: GroupId,
    },
    /// An agent replied to a customer message that had waited `duration` seconds. `first` marks
    /// the reply to the request itself (the first response). The indicator reached `colour`;
    /// `yellow_time` and `red_time` are the seconds it spent in those colours.
    Response {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        duration: f64,
        first: bool,
        colour: Colour,
        yellow_time: f64,
        red_time: f64,
    },
    /// The customer left the chat because a reply was pending longer than their patience.
    /// `unassigned`: the chat had been reassigned and was waiting for (or, `during_offer`,
    /// being offered to) another agent, so no wrap-up follows and the contact ends here (no
    /// `Done`).
    AbandonedChat {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        unassigned: bool,
        during_offer: bool,
        /// The chat was being transferred (an invitation out, or waiting in the target queue).
        during_transfer: bool,
    },
    /// The customer's message asked for a transfer or a conference (`purpose`) out of `from`
    /// (the queue the chat was served under), held by `agent`; the message waits through it.
    Requested {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        from: QueueId,
        agent: u32,
        group: GroupId,
        purpose: Purpose,
    },
    /// `agent` was invited to take the chat, or to join it (its slot reserved while it
    /// answers).
    Invited {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        from: QueueId,
        agent: u32,
        group: GroupId,
        purpose: Purpose,
    },
    /// The invitation was refused by `agent`, or `ignored` (not answered by the timeout;
    /// `agent` is [`ABSENT`] and `group` `None` when it was still waiting in its queue).
    InvitationDeclined {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        from: QueueId,
        agent: u32,
        group: Option<GroupId>,
        ignored: bool,
        purpose: Purpose,
    },
    /// The invitation could not be made: the agent carries on alone.
    InvitationFailed {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        from: QueueId,
        why: TransferFailure,
        purpose: Purpose,
    },
    /// The consultation started: `agent` (of `group`) accepted to be consulted.
    ConsultationStarted {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        from: QueueId,
        agent: u32,
        group: GroupId,
    },
    /// The consultation with `agent` ended after `duration` seconds; `then_transfer`: the
    /// colleague takes the chat (a two-step transfer; an `AgentLeft` of the owner follows),
    /// else the colleague leaves it (an `AgentLeft` of the colleague follows).
    ConsultationEnded {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        from: QueueId,
        agent: u32,
        group: GroupId,
        duration: f64,
        then_transfer: bool,
    },
    /// `agent` (of `group`) joined the session for a conference, `owner_left`: and the owner
    /// left it at once, ownership passing to the joined agent (an `AgentLeft` follows).
    Joined {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        from: QueueId,
        agent: u32,
        group: GroupId,
        owner_left: bool,
    },
    /// The transfer is done: `agent` (of `group`) accepted the chat, to serve it under queue
    /// `to`, `time_to_transfer` seconds after the request.
    Transferred {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        from: QueueId,
        to: QueueId,
        agent: u32,
        group: GroupId,
        time_to_transfer: f64,
    },
    /// `agent` left the chat for good (it transferred it): its part lasted `handle_time`
    /// seconds from its accept, `wrapup` of them its own wrap-up (the slot is free after it).
    AgentLeft {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        agent: u32,
        group: GroupId,
        handle_time: f64,
        wrapup: f64,
    },
    /// The reply to a message that waited through a transfer, sent in queue `to` (beside its
    /// `Response`).
    TransferReply {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        to: QueueId,
        duration: f64,
    },
    /// Asynchronous continuation: the customer had been quiet `asynchronous.park_after` since
    /// the agent's last message; the session is parked and `agent` (of `group`) freed the slot
    /// it had held for `handle_time` since its accept (its part of the contact).
    Parked {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        agent: u32,
        group: GroupId,
        handle_time: f64,
    },
    /// The customer of a parked session wrote again after `parked_for` seconds parked: the
    /// message waits for an agent (its response time counts from now).
    Resumed {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        parked_for: f64,
    },
    /// An agent accepted a resumed session, `wait` seconds after the customer's message;
    /// `same_agent`: the agent who had it before it was parked.
    ResumeAccepted {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        agent: u32,
        group: GroupId,
        same_agent: bool,
        wait: f64,
    },
    /// The reply to a resumed session's message (beside its `Response`).
    ResumedReply {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        duration: f64,
    },
    /// A session parked for `asynchronous.close_after` with no new message: closed and marked
    /// done (its `Done` follows, with no wrap-up and no agent time).
    ClosedParked {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
    },
    /// Proactive chats (`[proactive]`): a visitor arrived on the website of `queue`.
    Visitor { queue: QueueId },
    /// `agent` (of `group`) invited a visitor who arrived at `arrived_at`; `accepted`: the
    /// visitor took the chat, whose contact's `Arrived` follows at once.
    ProactiveInvite {
        queue: QueueId,
        group: GroupId,
        agent: u32,
        arrived_at: f64,
        accepted: bool,
    },
    /// A visitor who arrived at `arrived_at` left the website after their dwell, never invited.
    VisitorLeft { queue: QueueId, arrived_at: f64 },
    /// Internal chats (`[internal]`): `agent` (of `group`) answered a colleague's message that
    /// arrived at `arrived_at`, its attention on it for `compose` seconds.
    InternalMessage {
        agent: u32,
        group: GroupId,
        arrived_at: f64,
        compose: f64,
    },
    /// With internal chats only: an agent of `group` starts writing to a customer (or to a
    /// colleague it consults) for `duration` seconds of attention (as drawn).
    Writing { group: GroupId, duration: f64 },
    /// A reply pending `escalation.reassign_after` with its agent: the chat was taken from
    /// `agent` (of `group`), without wrap-up, to wait at the head of a queue for another agent.
    /// `first`: its first reassignment.
    Reassigned {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        agent: u32,
        group: GroupId,
        first: bool,
    },
    /// An agent accepted a reassigned chat (the contact was answered before: no `Answered`).
    Reaccepted {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        agent: u32,
        group: GroupId,
    },
    /// The customer had not written for `inactivity.alert` (or `alert2`): a system message.
    InactivityAlert {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
    },
    /// The customer had not written for `inactivity.close`: the session is closed and wrap-up
    /// follows. `silent`: the customer had left without a word (else they were still typing).
    ClosedByInactivity {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
        silent: bool,
    },
    /// An agent became held from routing by `escalation.hold_new_chats` (`held`), or eligible
    /// again.
    HeldFromRouting {
        agent: u32,
        group: GroupId,
        held: bool,
    },
    /// The agent marked the contact done: `handle_time` runs from accept to Mark Done and
    /// includes `wrapup` seconds of wrap-up. The contact has left the system.
    Done {
        contact: ContactId,
        queue: QueueId,
        group: GroupId,
        arrived_at: f64,
        handle_time: f64,
        wrapup: f64,
        /// The outcome the agent set (`[wrapup.dispositions]`): an index in
        /// `ModelConfig::dispositions` (`missing` included), or [`NO_DISPOSITION`] when the
        /// queue has no codes.
        disposition: u32,
    },
    /// The customer of a contact marked done was asked for a rating (`[rating]`), just before
    /// its `Done`: `score` 1..5 if they answered, `None` if not; `disposition` as in `Done`.
    Rated {
        contact: ContactId,
        queue: QueueId,
        group: GroupId,
        arrived_at: f64,
        disposition: u32,
        score: Option<u8>,
    },
    /// The whole center's agent counters changed (sent once, after the event that changed them).
    Load(LoadCounts),
    /// One group's agent counters changed; sent only when the center has several groups (with
    /// one, `Load` says it all).
    GroupLoad { group: GroupId, counts: LoadCounts },
    /// An agent's number of chats held changed from `from` to `to`, either being [`ABSENT`]
    /// when the agent is not present (off shift with no chat left). Gives the distribution of
    /// chats held over agent time.
    Level {
        agent: u32,
        group: GroupId,
        from: u32,
        to: u32,
    },
    /// An agent's state changed (rare: shifts, breaks, timeouts).
    State {
        agent: u32,
        group: GroupId,
        state: AgentState,
    },
    /// The run stopped with this contact still in the system: a drain limit was reached, or no
    /// event was left (no agent on shift to serve a queue of patient customers).
    InSystemAtEnd {
        contact: ContactId,
        queue: QueueId,
        arrived_at: f64,
    },
}

/// The `disposition` of a contact marked done in a queue without disposition codes.
pub const NO_DISPOSITION: u32 = u32::MAX;

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
