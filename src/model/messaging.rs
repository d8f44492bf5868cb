//! Asynchronous continuation (messaging channels): a customer quiet for `park_after` after an
//! agent message has the session parked — its slot freed, no attention held, no indicator
//! running — and their next message resumes it: offered first to the agent who had it, who may
//! be waited for up to `affinity_wait`, else to its queue, by when the customer wrote. A
//! session parked for `close_after` with no new message is closed and marked done.
//!
//! The customer's think time is drawn at the agent's reply (as for the inactivity timers), so
//! whether the session parks, and whether it then resumes or is closed, is known then; the
//! park, the message and the close are timers of the flow lane, one at a time.
//!
//! A resumed session waiting for its agent sits in that agent's FIFO of such sessions. When the
//! agent can take a chat again (`refresh_availability`), it is listed, and the next dispatch
//! gives it its waiting sessions before any queue's chats: no agent or session is scanned.
//! Entries are voided lazily (the session's wait stamp and phase), like the idle FIFO's.

use std::collections::VecDeque;

use super::center::ContactCenter;
use super::config::Resume;
use super::event::Event;
use super::records::{AgentState, Observer, Record, NO_DISPOSITION};
use super::session::{Phase, Requeue, NONE};
use crate::engine::Stamp;

/// Resumed sessions waiting for the agent who had them.
pub(super) struct Affinity {
    /// Per agent: its resumed sessions, oldest first, each with the wait stamp it was queued
    /// with (stale once the session moved on).
    waiting_for: Vec<VecDeque<(u32, Stamp)>>,
    /// Agents that can take a chat and may have sessions waiting for them, to be served at the
    /// next dispatch; `listed` keeps each agent in it once.
    ready: Vec<u32>,
    listed: Vec<bool>,
    /// Sessions in the `Resuming` phase.
    pub awaiting: usize,
}

impl Affinity {
    /// For a floor of `agents` agents (0: no queue parks its sessions).
    pub fn new(agents: usize) -> Self {
        Affinity {
            waiting_for: vec![VecDeque::new(); agents],
            ready: Vec::new(),
            listed: vec![false; agents],
            awaiting: 0,
        }
    }

    /// `agent` can take a chat: list it if sessions may wait for it.
    #[inline]
    pub fn note_free(&mut self, agent: u32) {
        let a = agent as usize;
        if !self.listed[a] && !self.waiting_for[a].is_empty() {
            self.listed[a] = true;
            self.ready.push(agent);
        }
    }

    /// Some agent listed by [`Self::note_free`] is to be served.
    #[inline]
    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }
}

impl<'c, O: Observer> ContactCenter<'c, O> {
    /// Whether the quiet customer of `s` (quiet for `quiet` seconds, infinite for a silent
    /// leaver) has the session parked: quiet longer than `park_after`, which comes before the
    /// inactivity close, and not in a conference (two agents hold it).
    #[inline]
    pub(super) fn parks(&self, s: u32, quiet: f64) -> bool {
        let chat = &self.cfg.queues[self.serving(s)].chat;
        let park = chat.asynchronous.park_after;
        quiet > park
            && park < chat.inactivity.close
            && self.sessions.work[s as usize].partner == NONE
    }

    /// Schedule the park of `s`, whose customer writes next at `writes_at` (infinite: never).
    pub(super) fn plan_park(&mut self, s: u32, writes_at: f64, silent: bool) {
        let park = self.cfg.queues[self.serving(s)]
            .chat
            .asynchronous
            .park_after;
        let session = &self.sessions.hot[s as usize];
        let (stamp, agent) = (session.flow, session.agent);
        if silent {
            // The slot is held by a customer who has left, until the park frees it.
            self.change(agent, |a| a.silent += 1);
        }
        self.sessions.work[s as usize].writes_at = writes_at;
        self.sched.schedule_in(
            park,
            Event::Park {
                session: s,
                stamp,
                silent,
            },
        );
    }

    /// The customer has been quiet `park_after`: the session is parked and its agent's slot
    /// freed. Its customer's next message, or its close, is scheduled.
    pub(super) fn on_park(&mut self, s: u32, stamp: Stamp, silent: bool) {
        if !self.sessions.live_flow(s, stamp, Phase::Thinking) {
            return;
        }
        let now = self.now();
        let handle_time = now - self.leg_since(s);
        let close_after = self.cfg.queues[self.serving(s)]
            .chat
            .asynchronous
            .close_after;
        let session = &mut self.sessions.hot[s as usize];
        let agent = session.agent;
        session.phase = Phase::Parked;
        session.agent = NONE;
        // While parked: since when (no message is pending).
        session.pending_since_then_ended_at = now;
        let group = self.agents[agent as usize].group;
        let record = Record::Parked {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            agent,
            group,
            handle_time,
        };
        self.emit(record);
        let work = &mut self.sessions.work[s as usize];
        work.last_agent = agent;
        let writes_at = work.writes_at;
        let close_at = now + close_after;
        // A message exactly at the close arrives in time (as for the inactivity close).
        if writes_at.is_finite() && writes_at <= close_at {
            self.sched
                .schedule_at(writes_at, Event::CustomerMessage { session: s, stamp });
        } else if close_at.is_finite() {
            self.sched
                .schedule_at(close_at, Event::ParkedClose { session: s, stamp });
        }
        if silent {
            self.change(agent, |a| a.silent -= 1);
        }
        self.release_slot(agent);
        self.dispatch_group(group);
    }

    /// The customer of parked session `s` writes again: the message waits for the agent who
    /// had the session, or in its queue.
    pub(super) fn resume(&mut self, s: u32) {
        let now = self.now();
        let queue = self.serving(s);
        let settings = self.cfg.queues[queue].chat.asynchronous;
        let session = &mut self.sessions.hot[s as usize];
        let parked_for = now - session.pending_since_then_ended_at;
        // The indicator starts at this message under either basis (the agent's last message
        // was before the park).
        session.pending_since_then_ended_at = now;
        session.deadline_then_last_reply = now;
        session.wait = session.wait.next();
        let wait = session.wait;
        let record = Record::Resumed {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            parked_for,
        };
        self.emit(record);
        self.arm_reply_patience(s);
        let work = &mut self.sessions.work[s as usize];
        work.resumed = true;
        let last = work.last_agent;
        if settings.resume == Resume::SameAgent
            && self.agents[last as usize].state != AgentState::Off
        {
            if self.agents[last as usize].can_take() {
                self.offer_resumed(s, last);
                return;
            }
            if settings.affinity_wait > 0.0 {
                self.sessions.hot[s as usize].phase = Phase::Resuming;
                self.affinity.waiting_for[last as usize].push_back((s, wait));
                self.affinity.awaiting += 1;
                self.sched.schedule_in(
                    settings.affinity_wait,
                    Event::AffinityOver {
                        session: s,
                        stamp: wait,
                    },
                );
                return;
            }
        }
        self.resume_in_queue(s);
    }

    /// A resumed session has waited `affinity_wait` for its agent: it goes to its queue.
    pub(super) fn on_affinity_over(&mut self, s: u32, stamp: Stamp) {
        let session = &self.sessions.hot[s as usize];
        if session.wait != stamp || session.phase != Phase::Resuming {
            return;
        }
        self.affinity.awaiting -= 1;
        self.resume_in_queue(s);
    }

    /// The agent who had the resumed sessions waiting for it went off shift: they go to their
    /// queues at once.
    pub(super) fn release_affinity(&mut self, agent: u32) {
        while let Some((s, stamp)) = self.affinity.waiting_for[agent as usize].pop_front() {
            let session = &self.sessions.hot[s as usize];
            if session.wait == stamp && session.phase == Phase::Resuming {
                self.affinity.awaiting -= 1;
                self.resume_in_queue(s);
            }
        }
    }

    /// Agents listed as able to take a chat take the resumed sessions waiting for them, oldest
    /// first, while they can (before any queue's chat: the affinity rule).
    #[cold]
    pub(super) fn serve_affinity(&mut self) {
        while let Some(agent) = self.affinity.ready.pop() {
            self.affinity.listed[agent as usize] = false;
            while self.agents[agent as usize].can_take() {
                let Some((s, stamp)) = self.affinity.waiting_for[agent as usize].pop_front() else {
                    break;
                };
                let session = &self.sessions.hot[s as usize];
                if session.wait == stamp && session.phase == Phase::Resuming {
                    self.affinity.awaiting -= 1;
                    self.offer_resumed(s, agent);
                }
            }
        }
    }

    /// Mark resumed session `s` as a chat waiting again (no agent, message pending).
    fn waits_again(&mut self, s: u32) -> usize {
        let queue = self.serving(s);
        let session = &mut self.sessions.hot[s as usize];
        session.phase = Phase::Requeued;
        session.agent = NONE;
        session.tier = 0;
        // No tier timer runs for this wait yet: armed when it joins the queue (at once, or
        // after an offer to its agent timed out).
        session.tiers_armed = false;
        let message_at = session.pending_since_then_ended_at;
        let work = &mut self.sessions.work[s as usize];
        work.requeued_by = Requeue::Resume;
        // Its place in the queue, and the clock of its overflow tiers: when the customer wrote.
        work.entered_at = message_at;
        let cold = &mut self.sessions.cold[s as usize];
        cold.waits_in = queue as u32;
        cold.left_agent = NONE;
        self.requeued += 1;
        queue
    }

    /// Offer resumed session `s` to `agent` (the one who had it, or any for its queue).
    fn offer_resumed(&mut self, s: u32, agent: u32) {
        self.waits_again(s);
        self.offer(s, agent);
    }

    /// Resumed session `s` waits in its queue, by when its customer wrote.
    fn resume_in_queue(&mut self, s: u32) {
        let queue = self.waits_again(s);
        self.open_due_tiers(s, queue);
        let wait = self.sessions.hot[s as usize].wait;
        self.queues[queue].push_recent(&self.sessions, self.workflow, s, wait);
        self.waiting += 1;
        self.dispatch_queue(queue);
    }

    /// An agent accepted resumed session `s`: its message, pending since the customer wrote,
    /// joins the agent's attention; reply patience runs on from the message, the escalation
    /// timers from now.
    pub(super) fn accept_resumed(&mut self, s: u32) {
        let now = self.now();
        let session = &mut self.sessions.hot[s as usize];
        session.wait = session.wait.next(); // voids the tiers and the patience armed before
        session.phase = Phase::Pending;
        let agent = session.agent;
        let message_at = session.pending_since_then_ended_at;
        let work = &mut self.sessions.work[s as usize];
        work.leg_since = now;
        // Waiting again later (a reassignment) is not a resume.
        work.requeued_by = Requeue::Reassignment;
        let same_agent = agent == work.last_agent;
        let record = Record::ResumeAccepted {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            agent,
            group: self.agents[agent as usize].group,
            same_agent,
            wait: now - message_at,
        };
        self.emit(record);
        self.pending_again(s, agent);
    }

    /// The reply to a resumed session's message (call at the reply).
    #[cold]
    pub(super) fn resumed_reply(&mut self, s: u32, duration: f64) {
        let work = &mut self.sessions.work[s as usize];
        if !work.resumed {
            return;
        }
        work.resumed = false;
        let session = &self.sessions.hot[s as usize];
        self.emit(Record::ResumedReply {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            duration,
        });
    }

    /// A session parked `close_after` with no new message: closed and marked done, with no
    /// wrap-up and no agent time (its agent freed the slot at the park).
    pub(super) fn on_parked_close(&mut self, s: u32, stamp: Stamp) {
        if !self.sessions.live_flow(s, stamp, Phase::Parked) {
            return;
        }
        let session = self.sessions.hot[s as usize];
        let last = self.sessions.work[s as usize].last_agent;
        self.emit(Record::ClosedParked {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
        });
        self.emit(Record::Done {
            contact: session.contact,
            queue: u32::from(session.queue),
            group: self.agents[last as usize].group,
            arrived_at: session.arrived_at,
            handle_time: 0.0,
            wrapup: 0.0,
            // Closed by the system, not by an agent: no disposition code (and no rating).
            disposition: NO_DISPOSITION,
        });
        self.after_done(s);
        self.sessions.free(s);
    }
}
