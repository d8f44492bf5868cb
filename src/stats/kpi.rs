//! The KPIs ccsim reports, each with one exact definition (see the README), computed from a
//! contact tally and a load tally. A KPI whose denominator is zero is undefined (NaN) in that
//! replication and left out of the averages across replications.

use serde::Serialize;

use super::collector::{ContactTally, LoadTally};

macro_rules! kpis {
    ($($variant:ident => $name:literal, $unit:literal, $definition:literal;)*) => {
        /// Every reported KPI, in report order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        pub enum Kpi { $($variant),* }

        impl Kpi {
            pub const ALL: &'static [Kpi] = &[$(Kpi::$variant),*];

            /// Column and row name in every output.
            pub fn name(self) -> &'static str {
                match self { $(Kpi::$variant => $name),* }
            }

            /// `"count"`, `"ratio"` (0 to 1), `"s"` (seconds), `"chats"` or `"score"` (1 to 5).
            pub fn unit(self) -> &'static str {
                match self { $(Kpi::$variant => $unit),* }
            }

            /// Exact definition: numerator, denominator, which contacts count.
            pub fn definition(self) -> &'static str {
                match self { $(Kpi::$variant => $definition),* }
            }
        }
    };
}

kpis! {
    Offered => "offered", "count",
        "Contacts that arrived in the measured window (after the warm-up, before the end of the horizon).";
    Answered => "answered", "count",
        "Offered contacts accepted by an agent.";
    AbandonedQueue => "abandoned_queue", "count",
        "Offered contacts that left before being answered (in queue or while an offer was being accepted), short abandons included.";
    AbandonedShort => "abandoned_short", "count",
        "Queue abandons with a wait of at most kpi.short_abandon.";
    AbandonedChat => "abandoned_chat", "count",
        "Answered contacts that left the chat because a reply was pending longer than their reply patience.";
    InSystemAtEnd => "in_system_at_end", "count",
        "Offered contacts still in the system when the run stopped: with run.drain, or when nobody is left to serve them (staffing 0 at the end and no queue patience).";
    AbandonRate => "abandon_rate", "ratio",
        "abandoned_queue / offered.";
    AbandonRateExclShort => "abandon_rate_excl_short", "ratio",
        "(abandoned_queue - abandoned_short) / (offered - abandoned_short): short abandons left out of both.";
    ChatAbandonRate => "chat_abandon_rate", "ratio",
        "abandoned_chat / answered: answered contacts that left the chat because a reply was pending longer than their reply patience.";
    PWait => "p_wait", "ratio",
        "Offered contacts that found no free slot on arrival and had to queue / offered (Erlang C's P(wait)).";
    ServiceLevel => "service_level", "ratio",
        "Contacts answered with a wait <= kpi.service_level_threshold / offered. Abandons count as missed, whatever their wait.";
    ServiceLevelExclShort => "service_level_excl_short", "ratio",
        "Contacts answered within the threshold / (offered - abandoned_short).";
    Asa => "asa", "s",
        "Average speed of answer: mean wait (arrival to accept) of answered contacts.";
    WaitMean => "wait_mean", "s",
        "Mean wait of all contacts that left the queue: answered ones until accept, abandoning ones until they left.";
    WaitP90 => "wait_p90", "s",
        "90th percentile of the same waits as wait_mean.";
    FirstResponseMean => "first_response_mean", "s",
        "Mean time from accept to the agent's first reply, over answered contacts that got one.";
    Responses => "responses", "count",
        "Agent replies to contacts offered in the window.";
    ResponseMean => "response_mean", "s",
        "Mean response time: customer message (the request counts from the accept) to agent reply, over every reply.";
    ResponseP50 => "response_p50", "s",
        "Median response time, over every reply.";
    ResponseP90 => "response_p90", "s",
        "90th percentile of the response time.";
    ResponseP95 => "response_p95", "s",
        "95th percentile of the response time.";
    ResponseP99 => "response_p99", "s",
        "99th percentile of the response time.";
    ResponsesYellowShare => "responses_yellow_share", "ratio",
        "Replies sent after the indicator reached yellow (red ones included) / responses.";
    ResponsesRedShare => "responses_red_share", "ratio",
        "Replies sent after the indicator reached red / responses.";
    TimeYellowMean => "time_yellow_mean", "s",
        "Mean time per reply that the indicator spent in yellow (0 for replies sent while green).";
    TimeRedMean => "time_red_mean", "s",
        "Mean time per reply that the indicator spent in red.";
    HandleTimeMean => "handle_time_mean", "s",
        "Mean time from accept to Mark Done (wrap-up included) of contacts marked done, in-chat abandons included.";
    WrapupMean => "wrapup_mean", "s",
        "Mean wrap-up time of contacts marked done.";
    Occupancy => "occupancy", "ratio",
        "Agent-time holding at least one chat / agent-time present and not away (on shift or finishing chats after the shift; away = on break, or Not Ready holding no chat), by clock time.";
    SlotUtilisation => "slot_utilisation", "ratio",
        "Chat-time held (reserved, in conversation or in wrap-up) / slot-time of the agents present and not away, by clock time.";
    ConcurrencyMean => "concurrency_mean", "chats",
        "Time-averaged number of chats held by an agent while holding at least one: chat-time held / agent-time busy.";
    OffersTimedOut => "offers_timed_out", "count",
        "Offers withdrawn because the agent did not accept within offer.alert_timeout (the contact goes back to its queue; an offer to a contact offered in the window).";
    OfferTimeoutShare => "offer_timeout_share", "ratio",
        "offers_timed_out / offers made to contacts offered in the window (a contact offered twice counts twice).";
    Overflowed => "overflowed", "count",
        "Answered contacts taken by an agent of a group outside their queue's first tier (served_by overflow).";
    AgentsPresentMean => "agents_present_mean", "count",
        "Time-averaged number of agents present (on shift, breaks and Not Ready included, or finishing chats after the shift), by clock time.";
    BreakShare => "break_share", "ratio",
        "Agent-time away on break / agent-time present.";
    NotReadyShare => "not_ready_share", "ratio",
        "Agent-time Not Ready after an offer timed out (holding chats or not) / agent-time present.";
    Reassigned => "reassigned", "count",
        "Reassignments: chats taken from their agent because a reply was pending escalation.reassign_after with that agent (a chat reassigned twice counts twice; for a group, the chats its agents lost).";
    ReassignShare => "reassign_share", "ratio",
        "Answered contacts reassigned at least once / answered.";
    HeldFromRoutingShare => "held_from_routing_share", "ratio",
        "Agent-time held from routing by escalation.hold_new_chats (a chat of the agent pending at that colour or worse) / agent-time present.";
    InactivityAlerts => "inactivity_alerts", "count",
        "Customer-inactivity alerts sent (inactivity.alert and inactivity.alert2: the customer had not written for that long since the agent's last message).";
    ClosedByInactivity => "closed_by_inactivity", "count",
        "Sessions closed because the customer had not written for inactivity.close: silent_leavers + closed_while_typing.";
    ClosedWhileTyping => "closed_while_typing", "count",
        "Sessions closed for inactivity whose customer had not left (their think time exceeded inactivity.close).";
    SilentLeavers => "silent_leavers", "count",
        "Customers who left without a word after an agent reply (conversation.silent_leave); their session held its slot until inactivity.close.";
    SilentSlotTimeShare => "silent_slot_time_share", "ratio",
        "Chat-time held by sessions whose customer had left without a word (from that reply to the close) / chat-time held, by clock time.";
    Retrials => "retrials", "count",
        "Offered contacts that are a customer trying again after an abandon in queue or in chat (patience.retry), by the retrial's own arrival.";
    Recontacts => "recontacts", "count",
        "Offered contacts that are a customer contacting the center again after a completed chat (patience.recontact), by their own arrival.";
    UniqueCustomers => "unique_customers", "count",
        "First attempts: offered - retrials - recontacts (offered counts every attempt).";
    AttemptsPerCustomerMean => "attempts_per_customer_mean", "count",
        "offered / unique_customers: attempts arriving in the window per customer first arriving in it.";
    FirstAttemptAbandonRate => "first_attempt_abandon_rate", "ratio",
        "Queue abandons of first attempts / unique_customers (abandon_rate counted over first attempts only).";
    CustomersLost => "customers_lost", "count",
        "Abandons (in queue or in chat) after which the customer does not come back: no retrial drawn, or patience.retry.max reached.";
    ReturnsAfterClose => "returns_after_close", "count",
        "Retrials and recontacts drawn for a time at or after the end of the horizon, when arrivals have stopped: not simulated (by the arrival of the attempt that ended).";
    TransfersRequested => "transfers_requested", "count",
        "Customer messages that asked for a transfer ([transfer]); for a queue, of the chats it served then.";
    TransfersDone => "transfers_done", "count",
        "Transfers completed: an agent of the target accepted the chat (how = \"queue\": offered from the target queue and accepted; \"invite\": accepted the invitation).";
    TransfersRefused => "transfers_refused", "count",
        "Invitations refused by the invited agent (invitation.refuse); a chat invited three times counts each refusal.";
    TransfersIgnored => "transfers_ignored", "count",
        "Invitations not answered within invitation.timeout (waiting in the target queue or with an invited agent).";
    TransfersNoAgent => "transfers_no_agent", "count",
        "Invitations to a group that failed at once: no agent of the group other than the inviting one had a free slot.";
    TransfersOnlyAgent => "transfers_only_agent", "count",
        "Transfers that failed at once because the inviting agent was the only Ready agent of the target (a group, or a queue's first tier).";
    TransfersAbandoned => "transfers_abandoned", "count",
        "Customers who left during a transfer (an invitation out, or waiting in the target queue): part of abandoned_chat.";
    TransferRate => "transfer_rate", "ratio",
        "transfers_done / answered.";
    TimeToTransferMean => "time_to_transfer_mean", "s",
        "Mean time from a transfer's request to its acceptance by the new agent (how = \"queue\": the wait in the target queue plus the accept delay); for a queue or group, of the transfers it received.";
    TransferResponseMean => "transfer_response_mean", "s",
        "Mean response time of the messages that waited through a completed transfer (from the customer's message to the new agent's reply); for a queue, of those answered there.";
    AgentsPerContactMean => "agents_per_contact_mean", "count",
        "(answered + transfers_done + reassigned chats accepted again + conferences + consultations) / answered: agents who accepted, joined or were consulted on each answered contact.";
    Conferences => "conferences", "count",
        "Conferences: an invited agent joined the session ([conference]).";
    ConferencesFailed => "conferences_failed", "count",
        "Conference requests that did not end in a join: every invitation refused or ignored, or failed at once (no free agent of a group target, or the owner the target's only Ready agent), or the customer left meanwhile.";
    OwnershipPassed => "ownership_passed", "count",
        "Conferences whose owner left once the invited agent had joined (conference.owner_leaves): ownership passed to the joined agent.";
    Consultations => "consultations", "count",
        "Consultations: a colleague accepted to be consulted privately ([consultation]).";
    ConsultationsFailed => "consultations_failed", "count",
        "Consultation requests that did not start: every invitation refused or ignored, or failed at once, or the customer left meanwhile.";
    ConsultTimeMean => "consult_time_mean", "s",
        "Mean time from a consultation's start (the colleague's accept) to its last agent-to-agent message, over the consultations that ended.";
    TwoStepTransfers => "two_step_transfers", "count",
        "Consultations after which the consulted colleague took the chat (consultation.then_transfer); not in transfers_done.";
    HandleTimePerAgentMean => "handle_time_per_agent_mean", "s",
        "Mean handle time of one agent's part of a contact: from its accept to its Mark Done, or, for an agent who transferred the chat, to the end of its own wrap-up, or, for a session parked ([asynchronous]), to the park.";
    Parked => "parked", "count",
        "Parks ([asynchronous]): the customer had been quiet asynchronous.park_after since the agent's last message, and the session was parked, its slot freed (a session parked twice counts twice; for a group, the parks of its agents' sessions).";
    Resumed => "resumed", "count",
        "Customer messages to parked sessions: each resumes its session, which waits for an agent again.";
    ResumedSameAgentShare => "resumed_same_agent_share", "ratio",
        "Resumed sessions accepted by the agent who had them when they were parked / resumed sessions accepted.";
    ResumeWaitMean => "resume_wait_mean", "s",
        "Mean time from a resumed session's customer message to an agent's accept (the affinity wait, the queue and the accept delay).";
    ResumedResponseMean => "resumed_response_mean", "s",
        "Mean response time of the messages that resumed a parked session (from the customer's message to the reply), also counted in responses.";
    ResumedResponseP90 => "resumed_response_p90", "s",
        "90th percentile of the response time of the messages that resumed a parked session.";
    ParksPerContactMean => "parks_per_contact_mean", "count",
        "parked / answered.";
    ClosedParked => "closed_parked", "count",
        "Parked sessions closed and marked done after asynchronous.close_after with no new message.";
    ResolutionTimeMean => "resolution_time_mean", "s",
        "Mean time from arrival to Mark Done of the contacts marked done (parked time included).";
    AgentTimePerContactMean => "agent_time_per_contact_mean", "s",
        "Agent time of every part of the contacts marked done (handle times to Mark Done, to a transfer's end of wrap-up, to a park) / done: the work one contact takes.";
    MarkedDone => "marked_done", "count",
        "Contacts marked done (for a disposition: marked done with that code). Reported with [wrapup.dispositions].";
    DispositionShare => "disposition_share", "ratio",
        "For a disposition (code or missing): contacts marked done with it / contacts marked done in queues with [wrapup.dispositions]. Disposition scope only.";
    DispositionsMissing => "dispositions_missing", "count",
        "Contacts marked done without a code (the missing share of [wrapup.dispositions] with required = false).";
    DispositionMissingShare => "disposition_missing_share", "ratio",
        "dispositions_missing / contacts marked done in queues with [wrapup.dispositions].";
    RatingsAsked => "ratings_asked", "count",
        "Contacts whose customer was asked for a rating ([rating]): of those that ran to their last reply, a share rating.ask.";
    RatingsAnswered => "ratings_answered", "count",
        "Contacts whose customer answered the rating survey.";
    RatingAnswerShare => "rating_answer_share", "ratio",
        "ratings_answered / ratings_asked.";
    RatingMean => "rating_mean", "score",
        "Mean score (1 to 5) of the ratings answered. The score model of [rating] is the user's assumption, not a finding.";
    Rating1Share => "rating_1_share", "ratio",
        "Ratings answered with score 1 / ratings_answered.";
    Rating2Share => "rating_2_share", "ratio",
        "Ratings answered with score 2 / ratings_answered.";
    Rating3Share => "rating_3_share", "ratio",
        "Ratings answered with score 3 / ratings_answered.";
    Rating4Share => "rating_4_share", "ratio",
        "Ratings answered with score 4 / ratings_answered.";
    Rating5Share => "rating_5_share", "ratio",
        "Ratings answered with score 5 / ratings_answered.";
    ProactiveVisitors => "proactive_visitors", "count",
        "Visitors who arrived on the website ([proactive]), in the measured window by their arrival.";
    ProactiveOffered => "proactive_offered", "count",
        "Proactive invitations: visitors invited by an agent (for a group, by its agents), each visitor at most once.";
    ProactiveAccepted => "proactive_accepted", "count",
        "Invitations the visitor accepted: each is a contact of the queue, counted in offered and answered too (with no wait).";
    ProactiveAcceptShare => "proactive_accept_share", "ratio",
        "proactive_accepted / proactive_offered.";
    ProactiveVisitorsLost => "proactive_visitors_lost", "count",
        "Visitors who left the website after their dwell without having been invited.";
    ProactiveShare => "proactive_share", "ratio",
        "proactive_accepted / answered: the share of the chats answered that agents started themselves.";
    InternalMessages => "internal_messages", "count",
        "Messages from colleagues ([internal]) the agents answered (for a group, its agents), by the message's arrival.";
    InternalAttentionShare => "internal_attention_share", "ratio",
        "Attention time on colleagues' messages / all attention time (those, replies to customers and consultation messages), each writing counted at its drawn length from its start.";
}

/// A part of the model whose KPIs are reported only by scenarios that have it, so that the
/// outputs of the others stay as they were.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// `[wrapup.dispositions]` in some queue.
    Dispositions,
    /// `[rating]` in some queue.
    Ratings,
    /// `[asynchronous]` in some queue.
    Asynchronous,
    /// `[proactive]` in some queue.
    Proactive,
    /// `[internal]` for some group.
    Internal,
}

/// The optional parts of the model a scenario has: which of their KPIs it reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Features {
    pub dispositions: bool,
    pub ratings: bool,
    pub asynchronous: bool,
    pub proactive: bool,
    pub internal: bool,
}

impl Features {
    /// Every optional part: every KPI.
    pub const ALL: Features = Features {
        dispositions: true,
        ratings: true,
        asynchronous: true,
        proactive: true,
        internal: true,
    };

    pub fn of(model: &crate::model::ModelConfig) -> Self {
        Features {
            dispositions: !model.dispositions.is_empty(),
            ratings: model.rates,
            asynchronous: model.queues.iter().any(|q| !q.chat.asynchronous.is_off()),
            proactive: model.queues.iter().any(|q| q.chat.proactive.is_some()),
            internal: model.groups.iter().any(|g| g.internal.is_some()),
        }
    }

    /// Both, for outputs that gather several scenarios (a sweep's points): a KPI is reported
    /// when some point reports it.
    pub fn or(self, other: Features) -> Self {
        Features {
            dispositions: self.dispositions || other.dispositions,
            ratings: self.ratings || other.ratings,
            asynchronous: self.asynchronous || other.asynchronous,
            proactive: self.proactive || other.proactive,
            internal: self.internal || other.internal,
        }
    }

    /// Whether the center's outputs (and those of queues, channels and groups) report `kpi`.
    pub fn reports(self, kpi: Kpi) -> bool {
        match kpi.feature() {
            None => true,
            Some(Feature::Dispositions) => self.dispositions && kpi != Kpi::DispositionShare,
            Some(Feature::Ratings) => self.ratings,
            Some(Feature::Asynchronous) => self.asynchronous,
            Some(Feature::Proactive) => self.proactive,
            Some(Feature::Internal) => self.internal,
        }
    }
}

/// One value per KPI, in [`Kpi::ALL`] order (NaN where undefined).
pub type KpiValues = Vec<f64>;

fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 {
        num / den
    } else {
        f64::NAN
    }
}

impl Kpi {
    /// The KPI's value for one replication's tallies.
    pub fn value(self, c: &ContactTally, l: &LoadTally) -> f64 {
        let q = |h: &crate::stats::Histogram, p: f64| h.quantile(p).unwrap_or(f64::NAN);
        let n = |x: u64| x as f64;
        match self {
            Kpi::Offered => n(c.offered),
            Kpi::Answered => n(c.answered),
            Kpi::AbandonedQueue => n(c.abandoned_queue),
            Kpi::AbandonedShort => n(c.abandoned_short),
            Kpi::AbandonedChat => n(c.abandoned_chat),
            Kpi::InSystemAtEnd => n(c.in_system_at_end),
            Kpi::AbandonRate => ratio(n(c.abandoned_queue), n(c.offered)),
            Kpi::AbandonRateExclShort => ratio(
                n(c.abandoned_queue) - n(c.abandoned_short),
                n(c.offered) - n(c.abandoned_short),
            ),
            Kpi::ChatAbandonRate => ratio(n(c.abandoned_chat), n(c.answered)),
            Kpi::PWait => ratio(n(c.queued), n(c.offered)),
            Kpi::ServiceLevel => ratio(n(c.answered_in_time), n(c.offered)),
            Kpi::ServiceLevelExclShort => {
                ratio(n(c.answered_in_time), n(c.offered) - n(c.abandoned_short))
            }
            Kpi::Asa => ratio(c.answered_wait_sum, n(c.answered)),
            Kpi::WaitMean => c.waits.mean().unwrap_or(f64::NAN),
            Kpi::WaitP90 => q(&c.waits, 0.90),
            Kpi::FirstResponseMean => ratio(c.first_response_sum, n(c.first_responses)),
            Kpi::Responses => n(c.responses.count()),
            Kpi::ResponseMean => c.responses.mean().unwrap_or(f64::NAN),
            Kpi::ResponseP50 => q(&c.responses, 0.50),
            Kpi::ResponseP90 => q(&c.responses, 0.90),
            Kpi::ResponseP95 => q(&c.responses, 0.95),
            Kpi::ResponseP99 => q(&c.responses, 0.99),
            Kpi::ResponsesYellowShare => ratio(n(c.responses_yellow), n(c.responses.count())),
            Kpi::ResponsesRedShare => ratio(n(c.responses_red), n(c.responses.count())),
            Kpi::TimeYellowMean => ratio(c.yellow_time_sum, n(c.responses.count())),
            Kpi::TimeRedMean => ratio(c.red_time_sum, n(c.responses.count())),
            Kpi::HandleTimeMean => ratio(c.handle_time_sum, n(c.done)),
            Kpi::WrapupMean => ratio(c.wrapup_sum, n(c.done)),
            Kpi::Occupancy => ratio(l.busy, l.present - l.away),
            Kpi::SlotUtilisation => ratio(l.held, l.slots),
            Kpi::ConcurrencyMean => ratio(l.held, l.busy),
            Kpi::OffersTimedOut => n(c.offers_timed_out),
            Kpi::OfferTimeoutShare => ratio(n(c.offers_timed_out), n(c.offers)),
            Kpi::Overflowed => n(c.overflowed),
            Kpi::AgentsPresentMean => ratio(l.present, l.duration),
            Kpi::BreakShare => ratio(l.on_break, l.present),
            Kpi::NotReadyShare => ratio(l.not_ready, l.present),
            Kpi::Reassigned => n(c.reassigned),
            Kpi::ReassignShare => ratio(n(c.reassigned_contacts), n(c.answered)),
            Kpi::HeldFromRoutingShare => ratio(l.gated, l.present),
            Kpi::InactivityAlerts => n(c.inactivity_alerts),
            Kpi::ClosedByInactivity => n(c.silent_leavers + c.closed_while_typing),
            Kpi::ClosedWhileTyping => n(c.closed_while_typing),
            Kpi::SilentLeavers => n(c.silent_leavers),
            Kpi::SilentSlotTimeShare => ratio(l.silent, l.held),
            Kpi::Retrials => n(c.retrials),
            Kpi::Recontacts => n(c.recontacts),
            Kpi::UniqueCustomers => n(c.unique_customers()),
            Kpi::AttemptsPerCustomerMean => ratio(n(c.offered), n(c.unique_customers())),
            Kpi::FirstAttemptAbandonRate => ratio(
                n(c.abandoned_queue
                    .saturating_sub(c.abandoned_queue_returning)),
                n(c.unique_customers()),
            ),
            Kpi::CustomersLost => {
                n((c.abandoned_queue + c.abandoned_chat).saturating_sub(c.retrials_drawn))
            }
            Kpi::ReturnsAfterClose => n(c.returns_after_close),
            Kpi::TransfersRequested => n(c.transfers_requested),
            Kpi::TransfersDone => n(c.transfers_done),
            Kpi::TransfersRefused => n(c.transfers_refused),
            Kpi::TransfersIgnored => n(c.transfers_ignored),
            Kpi::TransfersNoAgent => n(c.transfers_no_agent),
            Kpi::TransfersOnlyAgent => n(c.transfers_only_agent),
            Kpi::TransfersAbandoned => n(c.transfers_abandoned),
            Kpi::TransferRate => ratio(n(c.transfers_done), n(c.answered)),
            Kpi::TimeToTransferMean => ratio(c.time_to_transfer_sum, n(c.transfers_received)),
            Kpi::TransferResponseMean => ratio(c.transfer_response_sum, n(c.transfer_responses)),
            Kpi::AgentsPerContactMean => ratio(
                n(c.answered + c.transfers_done + c.reaccepted + c.conferences + c.consultations),
                n(c.answered),
            ),
            Kpi::Conferences => n(c.conferences),
            Kpi::ConferencesFailed => n(c.conference_requests.saturating_sub(c.conferences)),
            Kpi::OwnershipPassed => n(c.ownership_passed),
            Kpi::Consultations => n(c.consultations),
            Kpi::ConsultationsFailed => n(c.consultation_requests.saturating_sub(c.consultations)),
            Kpi::ConsultTimeMean => ratio(c.consult_time_sum, n(c.consultations_ended)),
            Kpi::TwoStepTransfers => n(c.two_step_transfers),
            Kpi::HandleTimePerAgentMean => ratio(
                c.handle_time_sum + c.left_handle_time_sum + c.parked_handle_time_sum,
                n(c.done + c.agents_left + c.parked),
            ),
            Kpi::Parked => n(c.parked),
            Kpi::Resumed => n(c.resumed),
            Kpi::ResumedSameAgentShare => ratio(n(c.resumed_same_agent), n(c.resumes_accepted)),
            Kpi::ResumeWaitMean => ratio(c.resume_wait_sum, n(c.resumes_accepted)),
            Kpi::ResumedResponseMean => c.resumed_responses.mean().unwrap_or(f64::NAN),
            Kpi::ResumedResponseP90 => q(&c.resumed_responses, 0.90),
            Kpi::ParksPerContactMean => ratio(n(c.parked), n(c.answered)),
            Kpi::ClosedParked => n(c.closed_parked),
            Kpi::ResolutionTimeMean => ratio(c.resolution_time_sum, n(c.done)),
            Kpi::AgentTimePerContactMean => ratio(
                c.handle_time_sum + c.left_handle_time_sum + c.parked_handle_time_sum,
                n(c.done),
            ),
            Kpi::MarkedDone => n(c.done),
            Kpi::DispositionShare => ratio(n(c.disposed), n(c.disposition_pool)),
            Kpi::DispositionsMissing => n(c.disposed_missing),
            Kpi::DispositionMissingShare => ratio(n(c.disposed_missing), n(c.disposed)),
            Kpi::RatingsAsked => n(c.ratings_asked),
            Kpi::RatingsAnswered => n(c.ratings_answered),
            Kpi::RatingAnswerShare => ratio(n(c.ratings_answered), n(c.ratings_asked)),
            Kpi::RatingMean => ratio(c.rating_sum, n(c.ratings_answered)),
            Kpi::Rating1Share => ratio(n(c.rating_scores[0]), n(c.ratings_answered)),
            Kpi::Rating2Share => ratio(n(c.rating_scores[1]), n(c.ratings_answered)),
            Kpi::Rating3Share => ratio(n(c.rating_scores[2]), n(c.ratings_answered)),
            Kpi::Rating4Share => ratio(n(c.rating_scores[3]), n(c.ratings_answered)),
            Kpi::Rating5Share => ratio(n(c.rating_scores[4]), n(c.ratings_answered)),
            Kpi::ProactiveVisitors => n(c.visitors),
            Kpi::ProactiveOffered => n(c.proactive_offered),
            Kpi::ProactiveAccepted => n(c.proactive_accepted),
            Kpi::ProactiveAcceptShare => ratio(n(c.proactive_accepted), n(c.proactive_offered)),
            Kpi::ProactiveVisitorsLost => n(c.visitors_lost),
            Kpi::ProactiveShare => ratio(n(c.proactive_accepted), n(c.answered)),
            Kpi::InternalMessages => n(c.internal_messages),
            Kpi::InternalAttentionShare => ratio(
                c.internal_attention_sum,
                c.internal_attention_sum + c.writing_sum,
            ),
        }
    }

    /// The optional part of the model this KPI belongs to (`None`: every scenario reports it).
    pub fn feature(self) -> Option<Feature> {
        match self {
            Kpi::MarkedDone
            | Kpi::DispositionShare
            | Kpi::DispositionsMissing
            | Kpi::DispositionMissingShare => Some(Feature::Dispositions),
            Kpi::RatingsAsked
            | Kpi::RatingsAnswered
            | Kpi::RatingAnswerShare
            | Kpi::RatingMean
            | Kpi::Rating1Share
            | Kpi::Rating2Share
            | Kpi::Rating3Share
            | Kpi::Rating4Share
            | Kpi::Rating5Share => Some(Feature::Ratings),
            Kpi::ProactiveVisitors
            | Kpi::ProactiveOffered
            | Kpi::ProactiveAccepted
            | Kpi::ProactiveAcceptShare
            | Kpi::ProactiveVisitorsLost
            | Kpi::ProactiveShare => Some(Feature::Proactive),
            Kpi::InternalMessages | Kpi::InternalAttentionShare => Some(Feature::Internal),
            Kpi::Parked
            | Kpi::Resumed
            | Kpi::ResumedSameAgentShare
            | Kpi::ResumeWaitMean
            | Kpi::ResumedResponseMean
            | Kpi::ResumedResponseP90
            | Kpi::ParksPerContactMean
            | Kpi::ClosedParked => Some(Feature::Asynchronous),
            _ => None,
        }
    }

    /// The KPIs of a disposition in `segments.csv`: its count and share, the handle and
    /// wrap-up times of its contacts, and their ratings.
    pub fn of_dispositions(self) -> bool {
        matches!(
            self,
            Kpi::MarkedDone | Kpi::DispositionShare | Kpi::HandleTimeMean | Kpi::WrapupMean
        ) || self.feature() == Some(Feature::Ratings)
    }

    /// All KPI values for one set of tallies.
    pub fn values(c: &ContactTally, l: &LoadTally) -> KpiValues {
        Kpi::ALL.iter().map(|k| k.value(c, l)).collect()
    }

    /// The KPIs of an agent group in `segments.csv`: the agents' time, and the contacts they
    /// took (chats taken, handle time, offers that timed out).
    pub fn of_groups(self) -> bool {
        matches!(
            self,
            Kpi::Answered
                | Kpi::HandleTimeMean
                | Kpi::WrapupMean
                | Kpi::Occupancy
                | Kpi::SlotUtilisation
                | Kpi::ConcurrencyMean
                | Kpi::OffersTimedOut
                | Kpi::OfferTimeoutShare
                | Kpi::Overflowed
                | Kpi::AgentsPresentMean
                | Kpi::BreakShare
                | Kpi::NotReadyShare
                | Kpi::Reassigned
                | Kpi::HeldFromRoutingShare
                | Kpi::SilentSlotTimeShare
                | Kpi::TransfersRequested
                | Kpi::TransfersRefused
                | Kpi::TransfersIgnored
                | Kpi::TimeToTransferMean
                | Kpi::HandleTimePerAgentMean
                | Kpi::Parked
                | Kpi::ResumedSameAgentShare
                | Kpi::ResumeWaitMean
                | Kpi::MarkedDone
                | Kpi::DispositionsMissing
                | Kpi::DispositionMissingShare
                | Kpi::ProactiveOffered
                | Kpi::ProactiveAccepted
                | Kpi::ProactiveAcceptShare
                | Kpi::InternalMessages
                | Kpi::InternalAttentionShare
        ) || self.feature() == Some(Feature::Ratings)
    }

    /// The KPIs of a queue or channel in `segments.csv`: every contact KPI.
    pub fn of_contacts(self) -> bool {
        !matches!(
            self,
            Kpi::Occupancy
                | Kpi::SlotUtilisation
                | Kpi::ConcurrencyMean
                | Kpi::AgentsPresentMean
                | Kpi::BreakShare
                | Kpi::NotReadyShare
                | Kpi::HeldFromRoutingShare
                | Kpi::SilentSlotTimeShare
                | Kpi::DispositionShare
                | Kpi::InternalMessages
                | Kpi::InternalAttentionShare
        )
    }

    pub fn by_name(name: &str) -> Option<Kpi> {
        Kpi::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// The values the KPI can take: [0, 1] for ratios, [0, ∞) for times, counts and chats.
    /// Confidence intervals are clipped to it (a Student-t interval of a share near 0 would
    /// otherwise reach below 0).
    pub fn range(self) -> (f64, f64) {
        match self.unit() {
            "ratio" => (0.0, 1.0),
            "score" => (1.0, 5.0),
            _ => (0.0, f64::INFINITY),
        }
    }

    /// Position in [`Kpi::ALL`], hence in every vector of KPI values.
    pub fn index(self) -> usize {
        self as usize
    }
}
