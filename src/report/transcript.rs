//! The transcript of `ccsim run --trace N`: `trace.csv`, one row per event of the first N
//! contacts of replication 1 — what the agents' desktops show, in time order — with
//! `time,clock,contact,queue,agent,group,event,detail`.
//!
//! An observer of the model's records (inside [`super::trace::ContactTrace`], so it runs beside
//! the KPI collector): each record of a traced contact becomes rows in that contact's
//! transcript, one match arm per record kind ([`Transcripts::record`]), so a new kind of
//! record is one new arm. The indicator's colour changes are not records: they are derived
//! from the queue's thresholds and basis, as a `yellow` or `red` row at the instant the
//! indicator of a pending message crossed the threshold, written before any later row of the
//! contact (each record first settles the crossings due by its instant).
//!
//! Streamed: a contact's rows are held while it is in the system and written when it leaves,
//! so memory follows the traced contacts in system.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::Arc;

use super::number;
use super::trace::Names;
use crate::model::{ContactId, IndicatorBasis, Record, ReturnKind};

/// The transcript file, in a run folder.
pub const TRANSCRIPT: &str = "trace.csv";

/// The header of `trace.csv`.
pub const TRANSCRIPT_COLUMNS: &str = "time,clock,contact,queue,agent,group,event,detail";

/// The names of the `event` column (the README defines each, with its `detail`).
pub mod event {
    pub const ARRIVED: &str = "arrived";
    pub const RETURNED: &str = "returned";
    pub const QUEUED: &str = "queued";
    pub const OFFERED: &str = "offered";
    pub const OFFER_TIMEOUT: &str = "offer_timeout";
    pub const ACCEPTED: &str = "accepted";
    pub const MESSAGE: &str = "message";
    pub const YELLOW: &str = "yellow";
    pub const RED: &str = "red";
    pub const REPLY: &str = "reply";
    pub const REASSIGNED: &str = "reassigned";
    pub const REACCEPTED: &str = "reaccepted";
    pub const INACTIVITY_ALERT: &str = "inactivity_alert";
    pub const CLOSED_BY_INACTIVITY: &str = "closed_by_inactivity";
    pub const ABANDONED: &str = "abandoned";
    pub const ENDED: &str = "ended";
    pub const WRAPUP: &str = "wrapup";
    pub const DONE: &str = "done";
    pub const WILL_RETURN: &str = "will_return";
    pub const IN_SYSTEM_AT_END: &str = "in_system_at_end";
    pub const TRANSFER_REQUESTED: &str = "transfer_requested";
    pub const INVITED: &str = "invited";
    pub const REFUSED: &str = "refused";
    pub const IGNORED: &str = "ignored";
    pub const TRANSFER_FAILED: &str = "transfer_failed";
    pub const JOINED: &str = "joined";
    pub const LEFT: &str = "left";
    pub const CONFERENCE_JOINED: &str = "conference_joined";
    pub const OWNER_CHANGED: &str = "owner_changed";
    pub const CONSULTATION_STARTED: &str = "consultation_started";
    pub const CONSULTATION_ENDED: &str = "consultation_ended";
    pub const PARKED: &str = "parked";
    pub const RESUMED: &str = "resumed";
    pub const RESUME_ACCEPTED: &str = "resume_accepted";
    pub const CLOSED_PARKED: &str = "closed_parked";

    /// The events after which a contact has no more rows (bar a `will_return` at the same
    /// instant): `done`, `abandoned` other than `chat` (an abandon in chat is followed by the
    /// end of the chat, its wrap-up and Mark Done) and `in_system_at_end`.
    pub fn is_terminal(event: &str, detail: &str) -> bool {
        event == DONE || event == IN_SYSTEM_AT_END || (event == ABANDONED && detail != "chat")
    }
}

/// The `detail` of a row.
#[derive(Clone, Copy, Debug)]
enum Detail {
    None,
    Seconds(f64),
    Count(u64),
    Word(&'static str),
}

/// No agent (or group) on a row.
const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Row {
    time: f64,
    agent: u32,
    group: u32,
    event: &'static str,
    detail: Detail,
}

/// A customer message waiting for a reply.
#[derive(Clone, Copy, Debug)]
struct Pending {
    /// Its number in the chat (1: the request).
    number: u32,
    /// When it started waiting.
    since: f64,
    /// When its indicator started (the message, or with the `agent_message` basis the agent's
    /// last message or the accept).
    start: f64,
    /// Colours already written: 0 none, 1 yellow, 2 red.
    crossed: u8,
}

/// One traced contact in the system.
struct Transcript {
    queue: u32,
    rows: Vec<Row>,
    /// The agent holding the chat (offered, in conversation or wrap-up), or [`NONE`].
    agent: u32,
    group: u32,
    /// When the current offer was made, and when the chat was last reassigned.
    offered_at: f64,
    reassigned_at: f64,
    /// The agent's last message (the accept, then each reply): the `agent_message` basis.
    agent_message: f64,
    pending: Option<Pending>,
    messages: u32,
    reassignments: u64,
    /// Inactivity alerts since the agent's last reply.
    alerts: u64,
    /// Why the conversation ended (for the `ended` row).
    ended: &'static str,
    /// Answered at least once, and held by an agent in conversation or wrap-up now (not
    /// reassigned and waiting): for `in_system_at_end`.
    answered: bool,
    in_chat: bool,
}

impl Transcript {
    /// A row naming `agent` (of `group`), another agent than the one holding the chat (one
    /// invited, declining, consulted).
    fn push_for(&mut self, agent: u32, group: u32, time: f64, event: &'static str, detail: Detail) {
        let holder = (self.agent, self.group);
        (self.agent, self.group) = (agent, group);
        self.push(time, event, detail);
        (self.agent, self.group) = holder;
    }

    /// A row of `agent` (of `group`), who then no longer holds the chat (reassigned, parked).
    fn push_leaving(
        &mut self,
        agent: u32,
        group: u32,
        time: f64,
        event: &'static str,
        detail: Detail,
    ) {
        self.push_for(agent, group, time, event, detail);
        (self.agent, self.group, self.in_chat) = (NONE, NONE, false);
    }

    fn push(&mut self, time: f64, event: &'static str, detail: Detail) {
        self.rows.push(Row {
            time,
            agent: self.agent,
            group: self.group,
            event,
            detail,
        });
    }

    /// Write the colours the pending message's indicator reached by `now` (inclusive, as the
    /// model colours a reply: `now - start >= threshold`), each at its crossing instant — never
    /// before the message itself (with the `agent_message` basis the indicator may be past a
    /// colour when the message comes).
    fn settle(&mut self, now: f64, indicator: &Indicator) {
        let Some(mut p) = self.pending else { return };
        for (level, threshold, name) in [
            (1, indicator.yellow, event::YELLOW),
            (2, indicator.red, event::RED),
        ] {
            if p.crossed < level && now - p.start >= threshold {
                let at = (p.start + threshold).max(p.since).min(now);
                self.push(at, name, Detail::Count(u64::from(p.number)));
                p.crossed = level;
            }
        }
        self.pending = Some(p);
    }
}

/// A queue's indicator, as the transcript derives its colours.
#[derive(Clone, Copy, Debug)]
pub(super) struct Indicator {
    pub yellow: f64,
    pub red: f64,
    pub basis: IndicatorBasis,
}

/// One replication's transcripts: the contacts numbered below `limit`.
pub(super) struct Transcripts {
    names: Arc<Names>,
    limit: ContactId,
    open: HashMap<ContactId, Transcript>,
    /// The contact whose rows were written last, with its queue and agent: a `WillReturn` comes
    /// right after the record that ends a contact, and its row follows the contact's rows.
    closed: Option<(ContactId, Transcript)>,
    out: Option<BufWriter<File>>,
    error: Option<io::Error>,
    line: String,
}

impl Transcripts {
    pub fn new(names: Arc<Names>, limit: ContactId, out: BufWriter<File>) -> Transcripts {
        Transcripts {
            names,
            limit,
            open: HashMap::new(),
            closed: None,
            out: Some(out),
            error: None,
            line: String::new(),
        }
    }

    /// Flush the file; the first error met, if any.
    pub fn finish(mut self) -> Option<io::Error> {
        if let Some(mut out) = self.out.take() {
            if let Err(e) = out.flush() {
                self.error.get_or_insert(e);
            }
        }
        self.error
    }

    /// The transcript of `contact`, its colour changes due by `now` written: for a record of
    /// that contact at `now`.
    fn at(&mut self, contact: ContactId, now: f64) -> Option<&mut Transcript> {
        let t = self.open.get_mut(&contact)?;
        let indicator = &self.names.indicators[t.queue as usize];
        t.settle(now, indicator);
        Some(t)
    }

    /// The contact has left the system: write its rows.
    fn close(&mut self, contact: ContactId) {
        if let Some(t) = self.open.remove(&contact) {
            self.write(contact, &t, &t.rows);
            self.closed = Some((contact, t));
        }
    }

    fn write(&mut self, contact: ContactId, t: &Transcript, rows: &[Row]) {
        let Some(out) = self.out.as_mut() else { return };
        let n = &self.names;
        let queue = &n.queues[t.queue as usize];
        let mut written = Ok(());
        for r in rows {
            let line = &mut self.line;
            line.clear();
            let _ = write!(
                line,
                "{},{},{contact},{queue},",
                number(r.time),
                crate::scenario::format_clock(n.day_start, r.time),
            );
            if r.agent != NONE {
                let _ = write!(line, "{}", r.agent);
            }
            line.push(',');
            if r.group != NONE {
                line.push_str(&n.groups[r.group as usize]);
            }
            let _ = write!(line, ",{},", r.event);
            match r.detail {
                Detail::None => {}
                Detail::Seconds(x) => line.push_str(&number(x)),
                Detail::Count(k) => {
                    let _ = write!(line, "{k}");
                }
                Detail::Word(w) => line.push_str(w),
            }
            line.push('\n');
            written = written.and_then(|()| out.write_all(line.as_bytes()));
        }
        if let Err(e) = written {
            self.error.get_or_insert(e);
            self.out = None;
        }
    }

    /// One record of the model: the rows it makes in its contact's transcript.
    pub fn record(&mut self, now: f64, record: Record) {
        match record {
            Record::Arrived {
                contact,
                queue,
                queued,
            } => {
                if contact >= self.limit {
                    return;
                }
                let mut t = Transcript {
                    queue,
                    rows: Vec::new(),
                    agent: NONE,
                    group: NONE,
                    offered_at: f64::NAN,
                    reassigned_at: f64::NAN,
                    agent_message: f64::NAN,
                    pending: None,
                    messages: 0,
                    reassignments: 0,
                    alerts: 0,
                    ended: "",
                    answered: false,
                    in_chat: false,
                };
                t.push(now, event::ARRIVED, Detail::None);
                if queued {
                    t.push(now, event::QUEUED, Detail::None);
                }
                self.open.insert(contact, t);
            }
            Record::Returned { contact, kind, .. } => {
                if let Some(t) = self.at(contact, now) {
                    t.push(now, event::RETURNED, Detail::Word(return_word(kind, false)));
                }
            }
            Record::Offered {
                contact,
                agent,
                group,
                held,
                ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    (t.agent, t.group, t.offered_at) = (agent, group, now);
                    t.push(now, event::OFFERED, Detail::Count(u64::from(held)));
                }
            }
            Record::OfferTimedOut { contact, .. } => {
                if let Some(t) = self.at(contact, now) {
                    t.push(
                        now,
                        event::OFFER_TIMEOUT,
                        Detail::Seconds(now - t.offered_at),
                    );
                    (t.agent, t.group) = (NONE, NONE);
                }
            }
            Record::Answered { contact, wait, .. } => {
                if let Some(t) = self.at(contact, now) {
                    (t.answered, t.in_chat) = (true, true);
                    t.agent_message = now;
                    t.push(now, event::ACCEPTED, Detail::Seconds(wait));
                }
            }
            Record::Message {
                contact,
                agent,
                group,
                ..
            } => {
                let Some(queue) = self.open.get(&contact).map(|t| t.queue as usize) else {
                    return;
                };
                let indicator = self.names.indicators[queue];
                let Some(t) = self.at(contact, now) else {
                    return;
                };
                (t.agent, t.group) = (agent, group);
                t.messages += 1;
                let start = match indicator.basis {
                    IndicatorBasis::CustomerMessage => now,
                    IndicatorBasis::AgentMessage => t.agent_message,
                };
                t.pending = Some(Pending {
                    number: t.messages,
                    since: now,
                    start,
                    crossed: 0,
                });
                t.push(now, event::MESSAGE, Detail::Count(u64::from(t.messages)));
                // With the agent_message basis the indicator may be past a colour already.
                t.settle(now, &indicator);
            }
            Record::Response {
                contact, duration, ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    t.push(now, event::REPLY, Detail::Seconds(duration));
                    t.pending = None;
                    t.agent_message = now;
                    t.alerts = 0;
                    t.ended = "completed";
                }
            }
            Record::Reassigned {
                contact,
                agent,
                group,
                ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    t.reassignments += 1;
                    t.reassigned_at = now;
                    let count = Detail::Count(t.reassignments);
                    t.push_leaving(agent, group, now, event::REASSIGNED, count);
                }
            }
            Record::Requested {
                contact,
                agent,
                group,
                ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    (t.agent, t.group) = (agent, group);
                    t.push(now, event::TRANSFER_REQUESTED, Detail::None);
                }
            }
            Record::Invited {
                contact,
                agent,
                group,
                ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    t.push_for(agent, group, now, event::INVITED, Detail::None);
                }
            }
            Record::InvitationDeclined {
                contact,
                agent,
                group,
                ignored,
                ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    let kind = if ignored {
                        event::IGNORED
                    } else {
                        event::REFUSED
                    };
                    t.push_for(agent, group.unwrap_or(NONE), now, kind, Detail::None);
                }
            }
            Record::InvitationFailed { contact, why, .. } => {
                if let Some(t) = self.at(contact, now) {
                    let why = match why {
                        crate::model::TransferFailure::NoAgent => "no_agent",
                        crate::model::TransferFailure::OnlyAgent => "only_agent",
                    };
                    t.push(now, event::TRANSFER_FAILED, Detail::Word(why));
                }
            }
            Record::AgentLeft {
                contact,
                agent,
                group,
                handle_time,
                ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    t.push_for(agent, group, now, event::LEFT, Detail::Seconds(handle_time));
                    if t.agent == agent {
                        // The agent holding the chat transferred it: nobody holds it until
                        // the next one joins. (A conference's joined agent, a consulted
                        // colleague or an owner who passed ownership leaves the holder as is.)
                        (t.agent, t.group) = (NONE, NONE);
                    }
                }
            }
            Record::Transferred {
                contact,
                agent,
                group,
                time_to_transfer,
                ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    (t.agent, t.group, t.in_chat) = (agent, group, true);
                    t.push(now, event::JOINED, Detail::Seconds(time_to_transfer));
                }
            }
            Record::Joined {
                contact,
                agent,
                group,
                owner_left,
                ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    (t.agent, t.group, t.in_chat) = (agent, group, true);
                    t.push(now, event::CONFERENCE_JOINED, Detail::None);
                    if owner_left {
                        t.push(now, event::OWNER_CHANGED, Detail::None);
                    }
                }
            }
            Record::ConsultationStarted {
                contact,
                agent,
                group,
                ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    t.push_for(agent, group, now, event::CONSULTATION_STARTED, Detail::None);
                }
            }
            Record::ConsultationEnded {
                contact,
                agent,
                group,
                then_transfer,
                ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    let detail = if then_transfer {
                        "then_transfer"
                    } else {
                        "back"
                    };
                    t.push_for(
                        agent,
                        group,
                        now,
                        event::CONSULTATION_ENDED,
                        Detail::Word(detail),
                    );
                    if then_transfer {
                        // The colleague holds the chat from now on.
                        (t.agent, t.group) = (agent, group);
                        t.push(now, event::OWNER_CHANGED, Detail::None);
                    }
                }
            }
            Record::TransferReply { .. } | Record::ResumedReply { .. } => {}
            Record::Parked {
                contact,
                agent,
                group,
                ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    t.push_leaving(agent, group, now, event::PARKED, Detail::None);
                }
            }
            Record::Resumed {
                contact,
                parked_for,
                ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    t.messages += 1;
                    // The indicator starts at this message under either basis.
                    t.pending = Some(Pending {
                        number: t.messages,
                        since: now,
                        start: now,
                        crossed: 0,
                    });
                    t.push(now, event::RESUMED, Detail::Seconds(parked_for));
                }
            }
            Record::ResumeAccepted {
                contact,
                agent,
                group,
                wait,
                ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    (t.agent, t.group, t.in_chat) = (agent, group, true);
                    t.push(now, event::RESUME_ACCEPTED, Detail::Seconds(wait));
                }
            }
            Record::ClosedParked { contact, .. } => {
                if let Some(t) = self.at(contact, now) {
                    t.push(now, event::CLOSED_PARKED, Detail::None);
                }
            }
            Record::Reaccepted {
                contact,
                agent,
                group,
                ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    (t.agent, t.group, t.in_chat) = (agent, group, true);
                    t.push(
                        now,
                        event::REACCEPTED,
                        Detail::Seconds(now - t.reassigned_at),
                    );
                }
            }
            Record::InactivityAlert { contact, .. } => {
                if let Some(t) = self.at(contact, now) {
                    t.alerts += 1;
                    t.push(now, event::INACTIVITY_ALERT, Detail::Count(t.alerts));
                }
            }
            Record::ClosedByInactivity {
                contact, silent, ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    let how = if silent { "silent" } else { "typing" };
                    t.push(now, event::CLOSED_BY_INACTIVITY, Detail::Word(how));
                    t.ended = "inactivity";
                }
            }
            Record::AbandonedQueue {
                contact,
                during_offer,
                ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    let place = if during_offer { "offer" } else { "queue" };
                    t.push(now, event::ABANDONED, Detail::Word(place));
                    self.close(contact);
                }
            }
            Record::AbandonedChat {
                contact,
                unassigned,
                during_offer,
                ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    let place = match (unassigned, during_offer) {
                        (false, _) => "chat",
                        (true, false) => "requeued",
                        (true, true) => "reoffered",
                    };
                    t.push(now, event::ABANDONED, Detail::Word(place));
                    t.pending = None;
                    t.ended = "abandoned";
                    if unassigned {
                        // Held by no agent: no wrap-up, no Mark Done.
                        self.close(contact);
                    }
                }
            }
            Record::Done {
                contact,
                handle_time,
                wrapup,
                ..
            } => {
                if let Some(t) = self.at(contact, now) {
                    // The end of the conversation is the start of the wrap-up; never before the
                    // row that ended it (the subtraction may round below it).
                    let last = t.rows.last().map_or(now, |r| r.time);
                    let ended = (now - wrapup).max(last).min(now);
                    t.push(ended, event::ENDED, Detail::Word(t.ended));
                    t.push(ended, event::WRAPUP, Detail::Seconds(wrapup));
                    t.push(now, event::DONE, Detail::Seconds(handle_time));
                    self.close(contact);
                }
            }
            Record::WillReturn {
                contact,
                kind,
                after_close,
                ..
            } => {
                let detail = Detail::Word(return_word(kind, after_close));
                if let Some(t) = self.at(contact, now) {
                    t.push(now, event::WILL_RETURN, detail);
                } else if let Some((c, mut t)) = self.closed.take().filter(|(c, _)| *c == contact) {
                    // The record that ended the contact came just before: its row follows.
                    t.rows.clear();
                    t.push(now, event::WILL_RETURN, detail);
                    self.write(c, &t, &t.rows);
                }
            }
            Record::InSystemAtEnd { contact, .. } => {
                if let Some(t) = self.at(contact, now) {
                    let place = match (t.answered, t.in_chat) {
                        (false, _) => "queue",
                        (true, false) => "requeued",
                        (true, true) => "chat",
                    };
                    t.push(now, event::IN_SYSTEM_AT_END, Detail::Word(place));
                    self.close(contact);
                }
            }
            Record::Load(_)
            | Record::GroupLoad { .. }
            | Record::Level { .. }
            | Record::State { .. }
            | Record::Rated { .. }
            | Record::HeldFromRouting { .. }
            // A visitor is not a contact yet: an accepted invitation's contact starts with
            // its `Arrived`.
            | Record::Visitor { .. }
            | Record::ProactiveInvite { .. }
            | Record::VisitorLeft { .. }
            // Internal chats concern agents, not contacts.
            | Record::InternalMessage { .. }
            | Record::Writing { .. } => {}
        }
    }
}

/// The `detail` of `returned` and `will_return`.
fn return_word(kind: ReturnKind, after_close: bool) -> &'static str {
    match (kind, after_close) {
        (ReturnKind::Retrial, false) => "retrial",
        (ReturnKind::Recontact, false) => "recontact",
        (ReturnKind::Retrial, true) => "retrial_after_close",
        (ReturnKind::Recontact, true) => "recontact_after_close",
    }
}
