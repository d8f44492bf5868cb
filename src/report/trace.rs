//! The contact trace of `ccsim run --trace`: `contacts.csv`, one row per contact of every
//! replication, and `messages.csv`, one row per customer message that got a reply. It is an
//! observer of the model beside the KPI collector ([`crate::stats::Tee`]), so ccsim can be
//! checked against itself (`ccsim fit` reads it back) and contacts can be analysed one by one.
//! `--trace N` limits both to the first N contacts of replication 1 and adds their transcript,
//! `trace.csv` ([`super::transcript`]), so that the three files describe the same contacts.
//!
//! Streamed: a contact is held only while it is in the system (its messages with it), and its
//! rows are written when it leaves, so memory follows the contacts in system, not the run's
//! length. Each replication writes its own part files (temporary names, on its worker thread);
//! [`Trace::finish`] concatenates them in replication order under one header and renames the
//! result into place, so the files are byte-identical whatever the number of threads.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::folder::temporary_name;
use super::number;
use super::transcript::{Indicator, Transcripts, TRANSCRIPT, TRANSCRIPT_COLUMNS};
use crate::experiment::Extra;
use crate::model::{ContactId, Observer, Record};
use crate::scenario::Scenario;

/// The trace files, in a run folder.
pub const CONTACTS: &str = "contacts.csv";
pub const MESSAGES: &str = "messages.csv";

/// The header of `contacts.csv`.
pub const CONTACT_COLUMNS: &str = "replication,contact,queue,channel,arrival,arrival_clock,\
measured,outcome,wait,group,handle_time,wrapup,exchanges,customer,attempt";
/// The header of `messages.csv`.
pub const MESSAGE_COLUMNS: &str = "replication,contact,exchange,message,reply,response_time";

/// What a contact's row says of how it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Answered,
    AbandonedQueue,
    AbandonedChat,
    /// Answered, then closed by the inactivity timer (a silent leaver, or a customer still
    /// typing at `inactivity.close`).
    ClosedByInactivity,
    InSystemAtEnd,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Answered,
        Outcome::AbandonedQueue,
        Outcome::AbandonedChat,
        Outcome::ClosedByInactivity,
        Outcome::InSystemAtEnd,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::AbandonedQueue => "abandoned_queue",
            Outcome::AbandonedChat => "abandoned_chat",
            Outcome::ClosedByInactivity => "closed_by_inactivity",
            Outcome::InSystemAtEnd => "in_system_at_end",
        }
    }
}

/// Names and settings every replication's trace needs (shared, not copied per replication).
pub(super) struct Names {
    pub queues: Vec<String>,
    /// The channel of each queue.
    pub channels: Vec<String>,
    pub groups: Vec<String>,
    pub day_start: f64,
    pub warmup: f64,
    /// Each queue's indicator (the transcript's colour changes).
    pub indicators: Vec<Indicator>,
}

/// The trace of a run: the folder it is written into, which contacts it traces, and the first
/// write error of any replication (reported by [`Trace::finish`]).
pub struct Trace {
    dir: PathBuf,
    names: Arc<Names>,
    /// `--trace N`: only the contacts numbered below N of replication 0, with their transcript.
    limit: Option<ContactId>,
    error: Mutex<Option<io::Error>>,
}

impl Trace {
    /// A trace of `scenario`'s replications, written into `dir` (which must exist): every
    /// contact of every replication, or with `limit` the first `limit` contacts of the first
    /// replication and their transcript (`trace.csv`).
    pub fn new(dir: &Path, scenario: &Scenario, limit: Option<ContactId>) -> Trace {
        let m = &scenario.model;
        Trace {
            dir: dir.to_path_buf(),
            limit,
            names: Arc::new(Names {
                queues: m.queues.iter().map(|q| q.name.clone()).collect(),
                channels: m
                    .queues
                    .iter()
                    .map(|q| m.channels[q.channel].clone())
                    .collect(),
                groups: m.groups.iter().map(|g| g.name.clone()).collect(),
                day_start: scenario.run.day_start,
                warmup: scenario.run.warmup,
                indicators: m
                    .queues
                    .iter()
                    .map(|q| Indicator {
                        yellow: q.chat.yellow,
                        red: q.chat.red,
                        basis: q.chat.basis,
                    })
                    .collect(),
            }),
            error: Mutex::new(None),
        }
    }

    /// The part file of replication `index` for trace file `name`.
    fn part(&self, name: &str, index: u32) -> PathBuf {
        self.dir.join(temporary_name(&format!("{name}.r{index}")))
    }

    /// Whether replication `index` is traced (with a limit, only the first).
    fn traces(&self, index: u32) -> bool {
        self.limit.is_none() || index == 0
    }

    /// The files this trace writes.
    fn files(&self) -> &'static [(&'static str, &'static str)] {
        const ALL: [(&str, &str); 3] = [
            (CONTACTS, CONTACT_COLUMNS),
            (MESSAGES, MESSAGE_COLUMNS),
            (TRANSCRIPT, TRANSCRIPT_COLUMNS),
        ];
        match self.limit {
            Some(_) => &ALL,
            None => &ALL[..2],
        }
    }

    fn keep_error(&self, e: io::Error) {
        let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert(e);
    }

    /// Concatenate the part files of `replications`, in order, into `contacts.csv` and
    /// `messages.csv`, and with a limit `trace.csv` (each through a temporary file renamed into
    /// place), and remove the parts. Call it once every replication has ended; with `complete`
    /// false (the run failed or was interrupted) the parts are only removed.
    pub fn finish(self, replications: std::ops::Range<u32>, complete: bool) -> io::Result<()> {
        let result = match complete {
            true => self.concatenate(replications.clone()),
            false => Ok(()),
        };
        for index in replications.filter(|&i| self.traces(i)) {
            for (name, _) in self.files() {
                let _ = std::fs::remove_file(self.part(name, index));
            }
        }
        result
    }

    fn concatenate(&self, replications: std::ops::Range<u32>) -> io::Result<()> {
        if let Some(e) = self.error.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return Err(e);
        }
        for &(name, header) in self.files() {
            let tmp = self.dir.join(temporary_name(name));
            let written = (|| {
                let mut out = BufWriter::new(File::create(&tmp)?);
                writeln!(out, "{header}")?;
                for index in replications.clone().filter(|&i| self.traces(i)) {
                    io::copy(&mut File::open(self.part(name, index))?, &mut out)?;
                }
                out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
                std::fs::rename(&tmp, self.dir.join(name))
            })();
            if written.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            written?;
        }
        Ok(())
    }
}

impl Extra for Trace {
    type Observer = ContactTrace;

    fn start(&self, _: &Scenario, index: u32) -> ContactTrace {
        let mut trace = ContactTrace {
            replication: index,
            names: Arc::clone(&self.names),
            limit: self.limit.unwrap_or(ContactId::MAX),
            open: HashMap::new(),
            files: None,
            transcripts: None,
            error: None,
            line: String::new(),
        };
        if !self.traces(index) {
            // Traces nothing: every contact is past the limit.
            trace.limit = 0;
            return trace;
        }
        let open = |name| File::create(self.part(name, index)).map(BufWriter::new);
        let files = open(CONTACTS).and_then(|c| Ok((c, open(MESSAGES)?)));
        let transcript = match self.limit {
            Some(limit) => open(TRANSCRIPT)
                .map(|out| Some(Transcripts::new(Arc::clone(&self.names), limit, out))),
            None => Ok(None),
        };
        match files.and_then(|f| Ok((f, transcript?))) {
            Ok((f, t)) => (trace.files, trace.transcripts) = (Some(f), t),
            Err(e) => trace.error = Some(e),
        }
        trace
    }

    fn end(&self, _: u32, mut trace: ContactTrace) {
        if let Some((mut c, mut m)) = trace.files.take() {
            if let Err(e) = c.flush().and_then(|()| m.flush()) {
                trace.error.get_or_insert(e);
            }
        }
        if let Some(e) = trace.transcripts.take().and_then(Transcripts::finish) {
            trace.error.get_or_insert(e);
        }
        if let Some(e) = trace.error {
            self.keep_error(e);
        }
    }
}

/// A contact in the system, as far as the trace knows it.
struct Open {
    queue: u32,
    arrival: f64,
    outcome: Outcome,
    /// To the answer, or to the abandon; NaN while waiting.
    wait: f64,
    group: Option<u32>,
    /// Each replied customer message: its instant and the reply's.
    messages: Vec<(f64, f64)>,
    /// The customer (the contact number of their first attempt) and which attempt this is
    /// (1 for the first; returning customers' later ones from `Returned`).
    customer: ContactId,
    attempt: u32,
    /// The agent time of the parts that ended in a park (asynchronous continuation).
    parked_handle_time: f64,
}

/// One replication's trace: an [`Observer`] writing a contact's rows when it leaves.
pub struct ContactTrace {
    replication: u32,
    names: Arc<Names>,
    /// Contacts numbered from this on are not traced (0: the replication is not traced).
    limit: ContactId,
    open: HashMap<ContactId, Open>,
    /// The part files; `None` once a write failed (the error is kept, the rest is skipped).
    files: Option<(BufWriter<File>, BufWriter<File>)>,
    /// With `--trace N`: the transcripts of the traced contacts.
    transcripts: Option<Transcripts>,
    error: Option<io::Error>,
    /// A row being formatted (reused).
    line: String,
}

impl ContactTrace {
    /// Write the rows of `contact`, which has left the system (or is left in it at the end).
    fn close(&mut self, contact: ContactId, handle_time: f64, wrapup: f64) {
        let Some(c) = self.open.remove(&contact) else {
            return;
        };
        let Some((contacts, messages)) = self.files.as_mut() else {
            return;
        };
        use std::fmt::Write as _;
        let n = &self.names;
        let r = self.replication;
        let line = &mut self.line;
        line.clear();
        let _ = writeln!(
            line,
            "{r},{contact},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            n.queues[c.queue as usize],
            n.channels[c.queue as usize],
            number(c.arrival),
            crate::scenario::format_clock(n.day_start, c.arrival),
            c.arrival >= n.warmup,
            c.outcome.name(),
            number(c.wait),
            c.group.map_or("", |g| n.groups[g as usize].as_str()),
            number(handle_time),
            number(wrapup),
            c.messages.len(),
            c.customer,
            c.attempt,
        );
        let mut written = contacts.write_all(line.as_bytes());
        for (k, (message, reply)) in c.messages.iter().enumerate() {
            line.clear();
            let _ = writeln!(
                line,
                "{r},{contact},{},{},{},{}",
                k + 1,
                number(*message),
                number(*reply),
                number(reply - message)
            );
            written = written.and_then(|()| messages.write_all(line.as_bytes()));
        }
        if let Err(e) = written {
            self.error.get_or_insert(e);
            self.files = None;
        }
    }
}

impl Observer for ContactTrace {
    fn record(&mut self, now: f64, record: Record) {
        if self.limit == 0 {
            // A replication not traced.
            return;
        }
        if let Some(t) = self.transcripts.as_mut() {
            t.record(now, record);
        }
        match record {
            // Records of contacts past the limit find no open contact and are ignored.
            Record::Arrived { contact, .. } if contact >= self.limit => {}
            Record::Arrived { contact, queue, .. } => {
                self.open.insert(
                    contact,
                    Open {
                        queue,
                        arrival: now,
                        outcome: Outcome::InSystemAtEnd,
                        wait: f64::NAN,
                        group: None,
                        messages: Vec::new(),
                        customer: contact,
                        attempt: 1,
                        parked_handle_time: 0.0,
                    },
                );
            }
            Record::Returned {
                contact,
                customer,
                attempt,
                ..
            } => {
                if let Some(c) = self.open.get_mut(&contact) {
                    c.customer = customer;
                    c.attempt = attempt + 1;
                }
            }
            Record::Answered {
                contact,
                group,
                wait,
                ..
            } => {
                if let Some(c) = self.open.get_mut(&contact) {
                    c.outcome = Outcome::Answered;
                    c.wait = wait;
                    c.group = Some(group);
                }
            }
            Record::AbandonedQueue { contact, wait, .. } => {
                if let Some(c) = self.open.get_mut(&contact) {
                    c.outcome = Outcome::AbandonedQueue;
                    c.wait = wait;
                }
                self.close(contact, f64::NAN, f64::NAN);
            }
            Record::Response {
                contact, duration, ..
            } => {
                if let Some(c) = self.open.get_mut(&contact) {
                    // The reply is now; the message it answers waited `duration`.
                    c.messages.push((now - duration, now));
                }
            }
            Record::AbandonedChat {
                contact,
                unassigned,
                ..
            } => {
                if let Some(c) = self.open.get_mut(&contact) {
                    c.outcome = Outcome::AbandonedChat;
                }
                if unassigned {
                    // Left while reassigned, held by no agent: no Mark Done follows.
                    self.close(contact, f64::NAN, f64::NAN);
                }
            }
            Record::ClosedByInactivity { contact, .. } => {
                if let Some(c) = self.open.get_mut(&contact) {
                    c.outcome = Outcome::ClosedByInactivity;
                }
            }
            Record::Done {
                contact,
                handle_time,
                wrapup,
                ..
            } => {
                // The contact's agent time: its parts that ended in a park, and the last.
                let parked = self
                    .open
                    .get(&contact)
                    .map_or(0.0, |c| c.parked_handle_time);
                self.close(contact, handle_time + parked, wrapup)
            }
            Record::InSystemAtEnd { contact, .. } => {
                if let Some(c) = self.open.get_mut(&contact) {
                    c.outcome = Outcome::InSystemAtEnd;
                    if c.group.is_none() {
                        // Still waiting: the wait so far, a censored observation of patience.
                        c.wait = now - c.arrival;
                    }
                }
                self.close(contact, f64::NAN, f64::NAN);
            }
            Record::Offered { .. }
            | Record::OfferTimedOut { .. }
            | Record::Load(_)
            | Record::GroupLoad { .. }
            | Record::Level { .. }
            | Record::State { .. }
            | Record::Reassigned { .. }
            | Record::Reaccepted { .. }
            | Record::InactivityAlert { .. }
            | Record::WillReturn { .. }
            | Record::HeldFromRouting { .. }
            | Record::Rated { .. }
            | Record::Message { .. }
            | Record::Requested { .. }
            | Record::Invited { .. }
            | Record::InvitationDeclined { .. }
            | Record::InvitationFailed { .. }
            | Record::Transferred { .. }
            | Record::AgentLeft { .. }
            | Record::TransferReply { .. }
            | Record::Joined { .. }
            | Record::ConsultationStarted { .. }
            | Record::ConsultationEnded { .. }
            | Record::Resumed { .. }
            | Record::ResumeAccepted { .. }
            | Record::ResumedReply { .. }
            | Record::ClosedParked { .. }
            | Record::Visitor { .. }
            | Record::ProactiveInvite { .. }
            | Record::VisitorLeft { .. }
            | Record::InternalMessage { .. }
            | Record::Writing { .. } => {}
            Record::Parked {
                contact,
                handle_time,
                ..
            } => {
                if let Some(c) = self.open.get_mut(&contact) {
                    c.parked_handle_time += handle_time;
                }
            }
        }
    }
}
