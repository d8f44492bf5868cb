//! The KPI collector: an [`Observer`] of the model that keeps, per reporting interval, the
//! tallies every KPI is computed from. Contact measures (waits, responses, abandons, handle
//! times) are attributed to the interval in which the contact *arrived*; agent measures
//! (occupancy, utilisation, concurrency) to the clock interval in which the time passed.
//! Contacts arriving during the warm-up are simulated but not counted.

use serde::{Deserialize, Serialize};

use super::histogram::Histogram;
use crate::model::{
    Colour, LoadCounts, Observer, Purpose, Record, ReturnKind, TransferFailure, ABSENT,
    NO_DISPOSITION,
};

/// The measured part of a run and how it is cut into reporting intervals.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Window {
    /// End of the warm-up: first measured instant, seconds.
    pub start: f64,
    /// End of the horizon, seconds.
    pub end: f64,
    /// Length of a reporting interval, seconds; intervals start at multiples of it from time 0.
    pub interval: f64,
    /// Service-level target time T, seconds.
    pub service_level_threshold: f64,
    /// Abandons in queue within this many seconds count as short abandons.
    pub short_abandon: f64,
}

impl Window {
    /// Index (from time 0) of the first reporting interval.
    pub fn first_interval(&self) -> usize {
        (self.start / self.interval).floor() as usize
    }

    /// Number of reporting intervals: those overlapping `[start, end)`.
    pub fn intervals(&self) -> usize {
        // Tolerant of rounding (1.1 h in 6 min intervals is 11, not 11.000000000000002), as the
        // scenario's count of per-interval entries is.
        let last = (self.end / self.interval - 1e-9).ceil() as usize;
        last.max(self.first_interval() + 1) - self.first_interval()
    }

    /// Start and end (seconds) of reporting interval `i`, clipped to the window.
    /// The last interval ends exactly at `end`, whatever the rounding.
    pub fn bounds(&self, i: usize) -> (f64, f64) {
        let j = (self.first_interval() + i) as f64;
        let high = if i + 1 >= self.intervals() {
            self.end
        } else {
            ((j + 1.0) * self.interval).min(self.end)
        };
        ((j * self.interval).max(self.start), high)
    }
}

/// Contact measures of one reporting interval (by arrival).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactTally {
    pub offered: u64,
    /// Contacts that found no free slot on arrival and had to queue.
    pub queued: u64,
    pub answered: u64,
    /// Answered with a wait of at most the service-level threshold.
    pub answered_in_time: u64,
    pub abandoned_queue: u64,
    pub abandoned_short: u64,
    pub abandoned_chat: u64,
    pub in_system_at_end: u64,
    /// Sum of the waits of answered contacts.
    pub answered_wait_sum: f64,
    /// Waits of every contact that left the queue (answered or abandoned).
    pub waits: Histogram,
    pub first_responses: u64,
    pub first_response_sum: f64,
    /// Every response time (customer message to agent reply).
    pub responses: Histogram,
    pub responses_yellow: u64,
    pub responses_red: u64,
    pub yellow_time_sum: f64,
    pub red_time_sum: f64,
    pub done: u64,
    pub handle_time_sum: f64,
    pub wrapup_sum: f64,
    /// Offers made (a contact offered again after a timeout counts again), and those withdrawn
    /// at the alert timeout.
    #[serde(default)]
    pub offers: u64,
    #[serde(default)]
    pub offers_timed_out: u64,
    /// Answered by a group outside the queue's first tier.
    #[serde(default)]
    pub overflowed: u64,
    /// Reassignments (`escalation.reassign_after`), and contacts reassigned at least once.
    #[serde(default)]
    pub reassigned: u64,
    #[serde(default)]
    pub reassigned_contacts: u64,
    /// Customer-inactivity alerts sent, and sessions closed for inactivity: of customers who
    /// had left without a word, and of customers still typing.
    #[serde(default)]
    pub inactivity_alerts: u64,
    #[serde(default)]
    pub silent_leavers: u64,
    #[serde(default)]
    pub closed_while_typing: u64,
    /// Returning customers (`patience.retry`, `patience.recontact`): contacts that are a
    /// retrial, a recontact; queue abandons of such contacts; retrials drawn at abandons (those
    /// due after the close included); returns due after the close (not simulated).
    #[serde(default)]
    pub retrials: u64,
    #[serde(default)]
    pub recontacts: u64,
    #[serde(default)]
    pub abandoned_queue_returning: u64,
    #[serde(default)]
    pub retrials_drawn: u64,
    #[serde(default)]
    pub returns_after_close: u64,
    /// Transfers (`[transfer]`), counted where the chat was transferred from: requested; done
    /// (an agent of the target accepted); invitations refused, ignored; failed at once for want
    /// of a free agent of the target group, or because the inviting agent was the target's only
    /// Ready agent; customers who left during a transfer; invitations sent.
    #[serde(default)]
    pub transfers_requested: u64,
    #[serde(default)]
    pub transfers_done: u64,
    #[serde(default)]
    pub transfers_refused: u64,
    #[serde(default)]
    pub transfers_ignored: u64,
    #[serde(default)]
    pub transfers_no_agent: u64,
    #[serde(default)]
    pub transfers_only_agent: u64,
    #[serde(default)]
    pub transfers_abandoned: u64,
    #[serde(default)]
    pub invitations: u64,
    /// Counted where the chat was transferred to: transfers received, the sum of their times
    /// from request to acceptance; replies to messages that waited through a transfer and the
    /// sum of their response times.
    #[serde(default)]
    pub transfers_received: u64,
    #[serde(default)]
    pub time_to_transfer_sum: f64,
    #[serde(default)]
    pub transfer_responses: u64,
    #[serde(default)]
    pub transfer_response_sum: f64,
    /// Agents who left a chat they had accepted (by transferring it), and the sum of their
    /// handle times; reassigned chats accepted by another agent.
    #[serde(default)]
    pub agents_left: u64,
    #[serde(default)]
    pub left_handle_time_sum: f64,
    #[serde(default)]
    pub reaccepted: u64,
    /// Conferences (`[conference]`): requested; an invited agent joined; of those, the owner
    /// left at once and ownership passed.
    #[serde(default)]
    pub conference_requests: u64,
    #[serde(default)]
    pub conferences: u64,
    #[serde(default)]
    pub ownership_passed: u64,
    /// Consultations (`[consultation]`): requested; started (a colleague accepted), the sum of
    /// their durations; ended with the colleague taking the chat (two-step transfers).
    #[serde(default)]
    pub consultation_requests: u64,
    #[serde(default)]
    pub consultations: u64,
    #[serde(default)]
    pub consult_time_sum: f64,
    #[serde(default)]
    pub consultations_ended: u64,
    #[serde(default)]
    pub two_step_transfers: u64,
    /// Asynchronous continuation (`[asynchronous]`): parks, and the agent time of the parts
    /// they ended; customer messages to parked sessions; their accepts, by the agent who had
    /// the session, and the sum of their waits from the message; replies to them; parked
    /// sessions closed.
    #[serde(default)]
    pub parked: u64,
    #[serde(default)]
    pub parked_handle_time_sum: f64,
    #[serde(default)]
    pub resumed: u64,
    #[serde(default)]
    pub resumes_accepted: u64,
    #[serde(default)]
    pub resumed_same_agent: u64,
    #[serde(default)]
    pub resume_wait_sum: f64,
    #[serde(default)]
    pub resumed_responses: Histogram,
    #[serde(default)]
    pub closed_parked: u64,
    /// Sum over the contacts marked done of the time from arrival to Mark Done.
    #[serde(default)]
    pub resolution_time_sum: f64,
    /// Dispositions (`[wrapup.dispositions]`): contacts marked done in a queue with codes, and
    /// those of them without a code (`missing`); for a disposition's own tally, the contacts
    /// marked done with codes in the whole center (its share's denominator, set when the
    /// replication is reduced).
    #[serde(default)]
    pub disposed: u64,
    #[serde(default)]
    pub disposed_missing: u64,
    #[serde(default)]
    pub disposition_pool: u64,
    /// Ratings (`[rating]`): customers asked, customers who answered, the sum of their scores
    /// and how many gave each score 1..5.
    #[serde(default)]
    pub ratings_asked: u64,
    #[serde(default)]
    pub ratings_answered: u64,
    #[serde(default)]
    pub rating_sum: f64,
    #[serde(default)]
    pub rating_scores: [u64; 5],
    /// Proactive chats (`[proactive]`): visitors who arrived on the website, invitations made
    /// and accepted, visitors who left never invited.
    #[serde(default)]
    pub visitors: u64,
    #[serde(default)]
    pub proactive_offered: u64,
    #[serde(default)]
    pub proactive_accepted: u64,
    #[serde(default)]
    pub visitors_lost: u64,
    /// Internal chats (`[internal]`): colleagues' messages answered and the attention they
    /// took; the attention time of every other writing (replies, consultation messages).
    #[serde(default)]
    pub internal_messages: u64,
    #[serde(default)]
    pub internal_attention_sum: f64,
    #[serde(default)]
    pub writing_sum: f64,
}

impl ContactTally {
    /// First attempts: every offered contact that is not a customer's return.
    pub fn unique_customers(&self) -> u64 {
        // Saturating: a tally merged from foreign files cannot make it panic.
        self.offered
            .saturating_sub(self.retrials)
            .saturating_sub(self.recontacts)
    }

    pub fn merge(&mut self, o: &ContactTally) {
        self.offered += o.offered;
        self.queued += o.queued;
        self.answered += o.answered;
        self.answered_in_time += o.answered_in_time;
        self.abandoned_queue += o.abandoned_queue;
        self.abandoned_short += o.abandoned_short;
        self.abandoned_chat += o.abandoned_chat;
        self.in_system_at_end += o.in_system_at_end;
        self.answered_wait_sum += o.answered_wait_sum;
        self.waits.merge(&o.waits);
        self.first_responses += o.first_responses;
        self.first_response_sum += o.first_response_sum;
        self.responses.merge(&o.responses);
        self.responses_yellow += o.responses_yellow;
        self.responses_red += o.responses_red;
        self.yellow_time_sum += o.yellow_time_sum;
        self.red_time_sum += o.red_time_sum;
        self.done += o.done;
        self.handle_time_sum += o.handle_time_sum;
        self.wrapup_sum += o.wrapup_sum;
        self.offers += o.offers;
        self.offers_timed_out += o.offers_timed_out;
        self.overflowed += o.overflowed;
        self.reassigned += o.reassigned;
        self.reassigned_contacts += o.reassigned_contacts;
        self.inactivity_alerts += o.inactivity_alerts;
        self.silent_leavers += o.silent_leavers;
        self.closed_while_typing += o.closed_while_typing;
        self.retrials += o.retrials;
        self.recontacts += o.recontacts;
        self.abandoned_queue_returning += o.abandoned_queue_returning;
        self.retrials_drawn += o.retrials_drawn;
        self.returns_after_close += o.returns_after_close;
        self.transfers_requested += o.transfers_requested;
        self.transfers_done += o.transfers_done;
        self.transfers_refused += o.transfers_refused;
        self.transfers_ignored += o.transfers_ignored;
        self.transfers_no_agent += o.transfers_no_agent;
        self.transfers_only_agent += o.transfers_only_agent;
        self.transfers_abandoned += o.transfers_abandoned;
        self.invitations += o.invitations;
        self.transfers_received += o.transfers_received;
        self.time_to_transfer_sum += o.time_to_transfer_sum;
        self.transfer_responses += o.transfer_responses;
        self.transfer_response_sum += o.transfer_response_sum;
        self.agents_left += o.agents_left;
        self.left_handle_time_sum += o.left_handle_time_sum;
        self.reaccepted += o.reaccepted;
        self.conference_requests += o.conference_requests;
        self.conferences += o.conferences;
        self.ownership_passed += o.ownership_passed;
        self.consultation_requests += o.consultation_requests;
        self.consultations += o.consultations;
        self.consult_time_sum += o.consult_time_sum;
        self.consultations_ended += o.consultations_ended;
        self.two_step_transfers += o.two_step_transfers;
        self.parked += o.parked;
        self.parked_handle_time_sum += o.parked_handle_time_sum;
        self.resumed += o.resumed;
        self.resumes_accepted += o.resumes_accepted;
        self.resumed_same_agent += o.resumed_same_agent;
        self.resume_wait_sum += o.resume_wait_sum;
        self.resumed_responses.merge(&o.resumed_responses);
        self.closed_parked += o.closed_parked;
        self.resolution_time_sum += o.resolution_time_sum;
        self.disposed += o.disposed;
        self.disposed_missing += o.disposed_missing;
        self.disposition_pool += o.disposition_pool;
        self.ratings_asked += o.ratings_asked;
        self.ratings_answered += o.ratings_answered;
        self.rating_sum += o.rating_sum;
        for (a, b) in self.rating_scores.iter_mut().zip(&o.rating_scores) {
            *a += b;
        }
        self.visitors += o.visitors;
        self.proactive_offered += o.proactive_offered;
        self.proactive_accepted += o.proactive_accepted;
        self.visitors_lost += o.visitors_lost;
        self.internal_messages += o.internal_messages;
        self.internal_attention_sum += o.internal_attention_sum;
        self.writing_sum += o.writing_sum;
    }

    /// Add a contact record (one whose contact arrived in this tally's interval); `missing`
    /// is the index of the `missing` disposition ([`NO_DISPOSITION`] if none).
    #[inline(always)]
    fn add(&mut self, record: &Record, now: f64, sl: f64, short: f64, missing: u32) {
        match *record {
            Record::Arrived { queued, .. } => {
                self.offered += 1;
                self.queued += queued as u64;
            }
            // Every offer ends in an accept, a timeout or an abandon during the offer: offers
            // are counted there, so that the Offered record costs the collector nothing.
            Record::Offered { .. } => {}
            Record::OfferTimedOut { .. } => {
                self.offers += 1;
                self.offers_timed_out += 1;
            }
            Record::Answered {
                wait, overflowed, ..
            } => {
                self.answered += 1;
                self.offers += 1;
                self.answered_in_time += (wait <= sl) as u64;
                self.answered_wait_sum += wait;
                self.waits.record(wait);
                self.overflowed += overflowed as u64;
            }
            Record::AbandonedQueue {
                wait,
                during_offer,
                returning,
                ..
            } => {
                self.abandoned_queue += 1;
                self.abandoned_queue_returning += returning as u64;
                self.offers += during_offer as u64;
                self.abandoned_short += (wait <= short) as u64;
                self.waits.record(wait);
            }
            Record::Response {
                duration,
                first,
                colour,
                yellow_time,
                red_time,
                ..
            } => {
                self.responses.record(duration);
                if first {
                    self.first_responses += 1;
                    self.first_response_sum += duration;
                }
                self.responses_yellow += (colour >= Colour::Yellow) as u64;
                self.responses_red += (colour == Colour::Red) as u64;
                self.yellow_time_sum += yellow_time;
                self.red_time_sum += red_time;
            }
            Record::AbandonedChat {
                during_offer,
                during_transfer,
                ..
            } => {
                self.abandoned_chat += 1;
                // A requeued chat's offer ends here too.
                self.offers += during_offer as u64;
                self.transfers_abandoned += during_transfer as u64;
            }
            Record::Requested { purpose, .. } => match purpose {
                Purpose::Transfer => self.transfers_requested += 1,
                Purpose::Conference => self.conference_requests += 1,
                Purpose::Consultation => self.consultation_requests += 1,
            },
            Record::ConsultationStarted { .. } => self.consultations += 1,
            Record::ConsultationEnded {
                duration,
                then_transfer,
                ..
            } => {
                self.consultations_ended += 1;
                self.consult_time_sum += duration;
                self.two_step_transfers += then_transfer as u64;
            }
            Record::Invited { .. } => self.invitations += 1,
            // Invitations for conferences count only in `conferences_failed` (their requests
            // that did not end in a join).
            Record::InvitationDeclined {
                ignored, purpose, ..
            } => {
                if purpose == Purpose::Transfer {
                    self.transfers_ignored += ignored as u64;
                    self.transfers_refused += !ignored as u64;
                }
            }
            Record::InvitationFailed { why, purpose, .. } => {
                if purpose == Purpose::Transfer {
                    match why {
                        TransferFailure::NoAgent => self.transfers_no_agent += 1,
                        TransferFailure::OnlyAgent => self.transfers_only_agent += 1,
                    }
                }
            }
            Record::Joined { owner_left, .. } => {
                self.conferences += 1;
                self.ownership_passed += owner_left as u64;
            }
            Record::Transferred {
                time_to_transfer, ..
            } => {
                self.transfers_done += 1;
                self.transfers_received += 1;
                self.time_to_transfer_sum += time_to_transfer;
            }
            Record::AgentLeft { handle_time, .. } => {
                self.agents_left += 1;
                self.left_handle_time_sum += handle_time;
            }
            Record::TransferReply { duration, .. } => {
                self.transfer_responses += 1;
                self.transfer_response_sum += duration;
            }
            Record::Reassigned { first, .. } => {
                self.reassigned += 1;
                self.reassigned_contacts += first as u64;
            }
            // A requeued chat's offer ends here (the contact was answered before).
            Record::Reaccepted { .. } => {
                self.offers += 1;
                self.reaccepted += 1;
            }
            Record::InactivityAlert { .. } => self.inactivity_alerts += 1,
            Record::ClosedByInactivity { silent, .. } => {
                self.silent_leavers += silent as u64;
                self.closed_while_typing += !silent as u64;
            }
            Record::Done {
                handle_time,
                wrapup,
                arrived_at,
                disposition,
                ..
            } => {
                self.done += 1;
                self.handle_time_sum += handle_time;
                self.wrapup_sum += wrapup;
                self.resolution_time_sum += now - arrived_at;
                if disposition != NO_DISPOSITION {
                    self.disposed += 1;
                    self.disposed_missing += (disposition == missing) as u64;
                }
            }
            Record::Rated { score, .. } => {
                self.ratings_asked += 1;
                if let Some(k) = score {
                    self.ratings_answered += 1;
                    self.rating_sum += f64::from(k);
                    self.rating_scores[usize::from(k.clamp(1, 5)) - 1] += 1;
                }
            }
            Record::Parked { handle_time, .. } => {
                self.parked += 1;
                self.parked_handle_time_sum += handle_time;
            }
            Record::Resumed { .. } => self.resumed += 1,
            Record::ResumeAccepted {
                same_agent, wait, ..
            } => {
                // The offer of a resumed session ends here (it was answered before).
                self.offers += 1;
                self.resumes_accepted += 1;
                self.resumed_same_agent += same_agent as u64;
                self.resume_wait_sum += wait;
            }
            Record::ResumedReply { duration, .. } => self.resumed_responses.record(duration),
            Record::ClosedParked { .. } => self.closed_parked += 1,
            Record::Visitor { .. } => self.visitors += 1,
            Record::ProactiveInvite { accepted, .. } => {
                self.proactive_offered += 1;
                self.proactive_accepted += accepted as u64;
            }
            Record::VisitorLeft { .. } => self.visitors_lost += 1,
            Record::InternalMessage { compose, .. } => {
                self.internal_messages += 1;
                self.internal_attention_sum += compose;
            }
            Record::Writing { duration, .. } => self.writing_sum += duration,
            Record::InSystemAtEnd { .. } => self.in_system_at_end += 1,
            Record::Returned { kind, .. } => match kind {
                ReturnKind::Retrial => self.retrials += 1,
                ReturnKind::Recontact => self.recontacts += 1,
            },
            Record::WillReturn {
                kind, after_close, ..
            } => {
                self.retrials_drawn += (kind == ReturnKind::Retrial) as u64;
                self.returns_after_close += after_close as u64;
            }
            Record::Load(_)
            | Record::GroupLoad { .. }
            | Record::Level { .. }
            | Record::State { .. }
            | Record::HeldFromRouting { .. }
            | Record::Message { .. } => {}
        }
    }
}

/// Agent measures of one reporting interval (by clock time), in agent-seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadTally {
    /// Length of the interval inside the window, seconds.
    pub duration: f64,
    /// Agent-seconds present (on shift, or finishing chats after the shift).
    pub present: f64,
    /// Agent-seconds holding at least one chat.
    pub busy: f64,
    /// Chat-seconds held (reserved, in conversation or in wrap-up).
    pub held: f64,
    /// Slot-seconds of the agents present and not away.
    pub slots: f64,
    /// Agent-seconds present but away (on break, or Not Ready with no chat): out of the
    /// denominator of occupancy.
    #[serde(default)]
    pub away: f64,
    /// Agent-seconds on break, and Not Ready (with or without chats).
    #[serde(default)]
    pub on_break: f64,
    #[serde(default)]
    pub not_ready: f64,
    /// Agent-seconds held from routing by `escalation.hold_new_chats`.
    #[serde(default)]
    pub gated: f64,
    /// Chat-seconds held by customers who had left without a word.
    #[serde(default)]
    pub silent: f64,
}

impl LoadTally {
    pub fn merge(&mut self, o: &LoadTally) {
        self.duration += o.duration;
        self.present += o.present;
        self.busy += o.busy;
        self.held += o.held;
        self.slots += o.slots;
        self.away += o.away;
        self.on_break += o.on_break;
        self.not_ready += o.not_ready;
        self.gated += o.gated;
        self.silent += o.silent;
    }
}

/// Everything one replication measured, per reporting interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tallies {
    pub contacts: Vec<ContactTally>,
    pub load: Vec<LoadTally>,
    /// Agent-seconds present in the measured window holding 0, 1, 2, … chats.
    #[serde(default)]
    pub held_time: Vec<f64>,
    /// Per queue and per group, when the center has several of either (with one queue and one
    /// group, the segments are the center itself).
    #[serde(default)]
    pub segments: Option<Box<SegmentTallies>>,
    /// `[code][interval]`: the contacts marked done with each disposition (`missing`
    /// included), in `ModelConfig::dispositions` order; empty without dispositions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dispositions: Vec<Vec<ContactTally>>,
}

/// The tallies of each queue and each group, per reporting interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentTallies {
    /// `[queue][interval]`: the contacts of each queue.
    pub queues: Vec<Vec<ContactTally>>,
    /// `[group][interval]`: the contacts each group took (answered, done, offers), by the
    /// contact's arrival interval.
    pub groups: Vec<Vec<ContactTally>>,
    /// `[group][interval]`: each group's agent time.
    pub group_load: Vec<Vec<LoadTally>>,
}

/// Merge a range of interval tallies.
pub fn merged<T: Default + Clone>(items: &[T], merge: impl Fn(&mut T, &T)) -> T {
    let mut out = T::default();
    for item in items {
        merge(&mut out, item);
    }
    out
}

impl Tallies {
    /// Add another run's tallies of the same window, interval by interval (another day).
    pub fn merge(&mut self, o: &Tallies) {
        for (a, b) in self.contacts.iter_mut().zip(&o.contacts) {
            a.merge(b);
        }
        for (a, b) in self.load.iter_mut().zip(&o.load) {
            a.merge(b);
        }
        if self.held_time.len() < o.held_time.len() {
            self.held_time.resize(o.held_time.len(), 0.0);
        }
        for (a, b) in self.held_time.iter_mut().zip(&o.held_time) {
            *a += b;
        }
        if let (Some(a), Some(b)) = (&mut self.segments, &o.segments) {
            let pairs = |x: &mut Vec<Vec<ContactTally>>, y: &Vec<Vec<ContactTally>>| {
                for (xs, ys) in x.iter_mut().zip(y) {
                    for (p, q) in xs.iter_mut().zip(ys) {
                        p.merge(q);
                    }
                }
            };
            pairs(&mut a.queues, &b.queues);
            pairs(&mut a.groups, &b.groups);
            for (xs, ys) in a.group_load.iter_mut().zip(&b.group_load) {
                for (p, q) in xs.iter_mut().zip(ys) {
                    p.merge(q);
                }
            }
        }
        for (xs, ys) in self.dispositions.iter_mut().zip(&o.dispositions) {
            for (p, q) in xs.iter_mut().zip(ys) {
                p.merge(q);
            }
        }
    }

    /// All reporting intervals merged: the tallies of the whole measured window.
    pub fn overall(&self) -> (ContactTally, LoadTally) {
        (
            merged(&self.contacts, ContactTally::merge),
            merged(&self.load, LoadTally::merge),
        )
    }
}

/// Integrates agent counters over time, split by reporting interval and clipped to the window.
#[derive(Clone, Debug)]
struct LoadClock {
    /// Counters as of `since` (converted to seconds when integrated: a change sets them once,
    /// and only the four integrated on every change are converted each time).
    load: LoadCounts,
    since: f64,
    /// The reporting interval `since` falls in, and where it ends.
    slot: usize,
    slot_end: f64,
    /// One of the rare counters (away, on break, Not Ready, held from routing, silent) is not
    /// zero.
    rare_counted: bool,
}

impl LoadClock {
    fn new(window: &Window) -> Self {
        LoadClock {
            load: LoadCounts::default(),
            since: 0.0,
            slot: 0,
            slot_end: window.bounds(0).1,
            rare_counted: false,
        }
    }

    #[inline(always)]
    fn set(&mut self, l: &LoadCounts) {
        self.rare_counted = (l.away | l.on_break | l.not_ready | l.gated | l.silent) != 0;
        self.load = *l;
    }

    #[inline(always)]
    fn add(&self, l: &mut LoadTally, dt: f64) {
        let c = &self.load;
        l.present += f64::from(c.present) * dt;
        l.busy += f64::from(c.busy) * dt;
        l.held += f64::from(c.held) * dt;
        l.slots += f64::from(c.slots) * dt;
        // Breaks, Not Ready, agents held from routing and silent customers are rare (none at
        // all in most scenarios): their counters are integrated only while one is not zero.
        if self.rare_counted {
            l.away += f64::from(c.away) * dt;
            l.on_break += f64::from(c.on_break) * dt;
            l.not_ready += f64::from(c.not_ready) * dt;
            l.gated += f64::from(c.gated) * dt;
            l.silent += f64::from(c.silent) * dt;
        }
    }

    /// Add the load held since `since` up to `now` (see [`Self::advance_slow`]). The common
    /// case, inside the window and the current interval, is inlined: one multiply-add per
    /// counter, the same operations as the general loop's.
    #[inline(always)]
    fn advance(&mut self, now: f64, window: &Window, tallies: &mut [LoadTally]) {
        let t = self.since;
        if t >= window.start && t < window.end && now < self.slot_end {
            if t < now {
                self.add(&mut tallies[self.slot], now - t);
                self.since = now;
            }
        } else {
            self.advance_slow(now, window, tallies);
        }
    }

    /// Add the load held since `since` up to `now`, split over the reporting intervals it
    /// spans and clipped to the window.
    #[cold]
    #[inline(never)]
    fn advance_slow(&mut self, now: f64, w: &Window, tallies: &mut [LoadTally]) {
        while self.since < now {
            let t = self.since;
            if t < w.start {
                self.since = now.min(w.start);
                continue;
            }
            if t >= w.end {
                self.since = now;
                return;
            }
            let until = now.min(self.slot_end);
            self.add(&mut tallies[self.slot], until - t);
            self.since = until;
            if until >= self.slot_end {
                self.slot += 1;
                self.slot_end = if self.slot < tallies.len() {
                    w.bounds(self.slot).1
                } else {
                    f64::INFINITY
                };
            }
        }
    }
}

/// Whether a center of `queues` queues and `groups` groups keeps per-segment values: with one
/// of each, every segment is the whole center (and its values are the center's). The one rule
/// for the collector, the shard reader and the report page.
pub fn keeps_segments(queues: usize, groups: usize) -> bool {
    queues > 1 || groups > 1
}

/// Observer that fills [`Tallies`].
pub struct Collector {
    window: Window,
    /// `window.first_interval()` and `window.intervals()`, computed once: they are needed for
    /// every record.
    first_interval: usize,
    intervals: usize,
    tallies: Tallies,
    clock: LoadClock,
    /// One clock per group (segments only).
    group_clocks: Vec<LoadClock>,
    /// The index of the `missing` disposition ([`NO_DISPOSITION`] if none).
    missing: u32,
}

impl Collector {
    /// A collector of the whole center only.
    pub fn new(window: Window) -> Self {
        Self::with_segments(window, 0, 0)
    }

    /// A collector that also keeps the tallies of `queues` queues and `groups` groups (none
    /// when both are at most 1: the center is then the one segment).
    pub fn with_segments(window: Window, queues: usize, groups: usize) -> Self {
        let n = window.intervals();
        let load: Vec<LoadTally> = (0..n)
            .map(|i| {
                let (a, b) = window.bounds(i);
                LoadTally {
                    duration: b - a,
                    ..LoadTally::default()
                }
            })
            .collect();
        let segmented = keeps_segments(queues, groups);
        let segments = segmented.then(|| {
            Box::new(SegmentTallies {
                queues: vec![vec![ContactTally::default(); n]; queues],
                groups: vec![vec![ContactTally::default(); n]; groups],
                group_load: vec![load.clone(); groups],
            })
        });
        Collector {
            window,
            tallies: Tallies {
                contacts: vec![ContactTally::default(); n],
                load,
                held_time: Vec::new(),
                segments,
                dispositions: Vec::new(),
            },
            first_interval: window.first_interval(),
            intervals: n,
            clock: LoadClock::new(&window),
            group_clocks: if segmented {
                vec![LoadClock::new(&window); groups]
            } else {
                Vec::new()
            },
            missing: NO_DISPOSITION,
        }
    }

    /// Also keep the tallies of each disposition of `names` (`ModelConfig::dispositions`).
    pub fn with_dispositions(mut self, names: &[String]) -> Self {
        self.tallies.dispositions =
            vec![vec![ContactTally::default(); self.intervals]; names.len()];
        self.missing = names
            .iter()
            .position(|n| n == "missing")
            .map_or(NO_DISPOSITION, |i| i as u32);
        self
    }

    /// Close the books at the end of the run and hand over the tallies.
    pub fn finish(mut self) -> Tallies {
        let w = self.window;
        self.clock.advance(w.end, &w, &mut self.tallies.load);
        if let Some(seg) = &mut self.tallies.segments {
            for (clock, load) in self.group_clocks.iter_mut().zip(&mut seg.group_load) {
                clock.advance(w.end, &w, load);
            }
        }
        // Rounding could leave a level held for a vanishing time a hair below zero.
        for seconds in &mut self.tallies.held_time {
            *seconds = seconds.max(0.0);
        }
        self.tallies
    }

    /// One agent moves from `from` chats held to `to` (either may be [`ABSENT`]).
    ///
    /// The agent time at a level is the integral over the window of the number of agents at
    /// that level. Each arrival at a level at time t adds the rest of the window from t,
    /// `end - clamp(t, start, end)`, and each departure takes it off again: the difference is
    /// the time spent there inside the window. So a change is two additions, with nothing to
    /// remember per level but its total.
    #[inline(always)]
    fn change_level(&mut self, now: f64, from: u32, to: u32) {
        let w = &self.window;
        let rest = w.end - now.clamp(w.start, w.end);
        if from != ABSENT {
            self.tallies.held_time[from as usize] -= rest;
        }
        if to != ABSENT {
            let to = to as usize;
            if to >= self.tallies.held_time.len() {
                // A level reached for the first time (at most max_concurrent + 1 of them).
                self.tallies.held_time.resize(to + 1, 0.0);
            }
            self.tallies.held_time[to] += rest;
        }
    }

    /// The reporting interval in which a contact that arrived at `arrived_at` is counted, if it
    /// is counted at all.
    #[inline]
    fn interval_of(&self, arrived_at: f64) -> Option<usize> {
        let w = &self.window;
        if !(arrived_at >= w.start && arrived_at < w.end) {
            return None;
        }
        // One interval (the usual steady-state study) needs no division.
        Some(if self.intervals == 1 {
            0
        } else {
            let i = ((arrived_at / w.interval) as usize).saturating_sub(self.first_interval);
            i.min(self.intervals - 1)
        })
    }

    /// A contact record for the tallies of the queue, and of the group, it concerns.
    #[cold]
    fn segment_record(&mut self, i: usize, now: f64, record: &Record) {
        let (sl, short) = (
            self.window.service_level_threshold,
            self.window.short_abandon,
        );
        let missing = self.missing;
        let seg = self.tallies.segments.as_mut().expect("segmented");
        // A transfer's records count where the chat was transferred from; what happens after
        // it, where it went.
        let (queue, group) = match *record {
            Record::Transferred {
                from,
                to,
                group,
                time_to_transfer,
                ..
            } => {
                seg.queues[from as usize][i].transfers_done += 1;
                for tally in [
                    &mut seg.queues[to as usize][i],
                    &mut seg.groups[group as usize][i],
                ] {
                    tally.transfers_received += 1;
                    tally.time_to_transfer_sum += time_to_transfer;
                }
                return;
            }
            Record::TransferReply { to, .. } => (to, None),
            Record::Requested { from, group, .. } => (from, Some(group)),
            Record::Invited { from, group, .. } => (from, Some(group)),
            Record::InvitationDeclined { from, group, .. } => {
                seg.queues[from as usize][i].add(record, now, sl, short, missing);
                if let Some(g) = group {
                    seg.groups[g as usize][i].add(record, now, sl, short, missing);
                }
                return;
            }
            Record::InvitationFailed { from, .. } => (from, None),
            Record::Joined { from, group, .. } => (from, Some(group)),
            Record::ConsultationStarted { from, group, .. }
            | Record::ConsultationEnded { from, group, .. } => (from, Some(group)),
            Record::AgentLeft { queue, group, .. }
            | Record::Parked { queue, group, .. }
            | Record::ResumeAccepted { queue, group, .. } => (queue, Some(group)),
            Record::Resumed { queue, .. }
            | Record::ResumedReply { queue, .. }
            | Record::ClosedParked { queue, .. } => (queue, None),
            Record::Visitor { queue } | Record::VisitorLeft { queue, .. } => (queue, None),
            Record::ProactiveInvite { queue, group, .. } => (queue, Some(group)),
            // An agent's, not a contact's: its group's alone.
            Record::InternalMessage { group, .. } | Record::Writing { group, .. } => {
                seg.groups[group as usize][i].add(record, now, sl, short, missing);
                return;
            }
            Record::Arrived { queue, .. }
            | Record::AbandonedQueue { queue, .. }
            | Record::Response { queue, .. }
            | Record::AbandonedChat { queue, .. }
            | Record::InactivityAlert { queue, .. }
            | Record::ClosedByInactivity { queue, .. }
            | Record::Returned { queue, .. }
            | Record::WillReturn { queue, .. }
            | Record::InSystemAtEnd { queue, .. } => (queue, None),
            Record::OfferTimedOut { queue, group, .. }
            | Record::Answered { queue, group, .. }
            | Record::Reassigned { queue, group, .. }
            | Record::Reaccepted { queue, group, .. }
            | Record::Done { queue, group, .. }
            | Record::Rated { queue, group, .. } => (queue, Some(group)),
            _ => return,
        };
        seg.queues[queue as usize][i].add(record, now, sl, short, missing);
        if let Some(g) = group {
            seg.groups[g as usize][i].add(record, now, sl, short, missing);
        }
    }
}

impl Observer for Collector {
    /// Always inlined: the model emits each record with a known variant, so inlining leaves
    /// only that variant's arm at each call site (and nothing for the records it ignores).
    #[inline(always)]
    fn record(&mut self, now: f64, record: Record) {
        let arrived_at = match record {
            Record::Load(l) => {
                self.clock
                    .advance(now, &self.window, &mut self.tallies.load);
                self.clock.set(&l);
                return;
            }
            Record::GroupLoad { group, counts } => {
                if let Some(seg) = &mut self.tallies.segments {
                    let clock = &mut self.group_clocks[group as usize];
                    clock.advance(now, &self.window, &mut seg.group_load[group as usize]);
                    clock.set(&counts);
                }
                return;
            }
            Record::Level { from, to, .. } => {
                self.change_level(now, from, to);
                return;
            }
            // Offers are counted where they end (see ContactTally::add).
            Record::State { .. }
            | Record::Offered { .. }
            | Record::HeldFromRouting { .. }
            | Record::Message { .. } => return,
            Record::Requested { arrived_at, .. }
            | Record::Invited { arrived_at, .. }
            | Record::InvitationDeclined { arrived_at, .. }
            | Record::InvitationFailed { arrived_at, .. }
            | Record::Joined { arrived_at, .. }
            | Record::ConsultationStarted { arrived_at, .. }
            | Record::ConsultationEnded { arrived_at, .. }
            | Record::Transferred { arrived_at, .. }
            | Record::AgentLeft { arrived_at, .. }
            | Record::TransferReply { arrived_at, .. }
            | Record::Parked { arrived_at, .. }
            | Record::Resumed { arrived_at, .. }
            | Record::ResumeAccepted { arrived_at, .. }
            | Record::ResumedReply { arrived_at, .. }
            | Record::ClosedParked { arrived_at, .. }
            | Record::ProactiveInvite { arrived_at, .. }
            | Record::VisitorLeft { arrived_at, .. }
            | Record::InternalMessage { arrived_at, .. } => arrived_at,
            Record::Writing { .. } => now,
            // A return is counted where it arrives, like any contact; so is a visitor.
            Record::Arrived { .. } | Record::Returned { .. } | Record::Visitor { .. } => now,
            Record::OfferTimedOut { arrived_at, .. }
            | Record::Answered { arrived_at, .. }
            | Record::AbandonedQueue { arrived_at, .. }
            | Record::Response { arrived_at, .. }
            | Record::AbandonedChat { arrived_at, .. }
            | Record::Reassigned { arrived_at, .. }
            | Record::Reaccepted { arrived_at, .. }
            | Record::InactivityAlert { arrived_at, .. }
            | Record::ClosedByInactivity { arrived_at, .. }
            | Record::Done { arrived_at, .. }
            | Record::Rated { arrived_at, .. }
            | Record::WillReturn { arrived_at, .. }
            | Record::InSystemAtEnd { arrived_at, .. } => arrived_at,
        };
        if let Some(i) = self.interval_of(arrived_at) {
            let (sl, short) = (
                self.window.service_level_threshold,
                self.window.short_abandon,
            );
            self.tallies.contacts[i].add(&record, now, sl, short, self.missing);
            if self.tallies.segments.is_some() {
                self.segment_record(i, now, &record);
            }
            // Folds away at every call site but Done's and Rated's (the variant is known there).
            if let Record::Done { disposition, .. } | Record::Rated { disposition, .. } = record {
                if let Some(code) = self.tallies.dispositions.get_mut(disposition as usize) {
                    code[i].add(&record, now, sl, short, self.missing);
                }
            }
        }
    }
}
