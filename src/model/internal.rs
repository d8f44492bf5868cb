//! Internal chats (Zendesk team chats, BeyondTrust's messages between representatives): each
//! agent on shift receives messages from colleagues, a Poisson stream of
//! `internal.messages_per_agent_hour`, and answers each with its single attention for an
//! `internal.compose` time. They wait in the agent's attention like customer messages, in the
//! same attention order (as a chat of the first queue the agent's group serves, pending since
//! the message arrived), so an agent answering a colleague delays its customers' replies. They
//! hold no slot: the load counters and occupancy do not see them, only the attention does.
//!
//! An agent's internal messages wait in a FIFO of their arrival times; the oldest takes part in
//! the attention through one session of the slab in the `Internal` phase, which goes back into
//! the attention block with the next message once a reply is written, and is freed when none
//! is left. So the attention block needs one entry more than the agent's slots (the centre
//! sizes it so when some group has internal chats). Messages waiting when the agent's shift
//! ends are still answered; no message arrives after the arrivals end. Stale arrival timers of an agent who left are voided by the
//! agent's epoch, bumped at each change between off shift and on shift.
//!
//! Random streams: per group, from `INTERNAL_BASE + 16 × group`.

use std::collections::VecDeque;

use rand_distr::{Distribution, Exp1};

use super::center::ContactCenter;
use super::config::{Attention, ModelConfig};
use super::event::Event;
use super::records::{AgentState, Observer, Record};
use super::session::{Phase, NONE};
use crate::engine::{stream, SimRng, Stamp};

/// Past the proactive chats' block (`3 << 40`), with the queues' stride of 16.
const INTERNAL_BASE: u64 = 4 << 40;
const STRIDE: u64 = 16;

struct GroupStreams {
    arrivals: SimRng,
    compose: SimRng,
}

/// The internal chats of every agent.
pub(super) struct InternalRoom {
    /// Some group has `[internal]`: the hooks in the hot paths run only then.
    pub on: bool,
    /// Per agent: its epoch (arrival timers of another epoch are stale), its messages waiting
    /// (arrival times, oldest first), and the session that stands for them in its attention.
    epoch: Vec<u32>,
    pending: Vec<VecDeque<f64>>,
    session: Vec<u32>,
    streams: Vec<GroupStreams>,
    /// Per group: the queue whose settings order its internal messages in the attention.
    settings_queue: Vec<u16>,
}

impl InternalRoom {
    pub fn new(cfg: &ModelConfig, seed: u64, replication: u64, floor: usize) -> Self {
        let on = cfg.groups.iter().any(|g| g.internal.is_some());
        let agents = if on { floor } else { 0 };
        let settings_queue = cfg
            .groups
            .iter()
            .enumerate()
            .map(|(g, _)| {
                cfg.queues
                    .iter()
                    .position(|q| q.tiers.iter().any(|t| t.groups.contains(&g)))
                    .unwrap_or(0) as u16
            })
            .collect();
        InternalRoom {
            on,
            epoch: vec![0; agents],
            pending: vec![VecDeque::new(); agents],
            session: vec![NONE; agents],
            streams: (0..if on { cfg.groups.len() } else { 0 })
                .map(|g| {
                    let s =
                        |k: u64| stream(seed, replication, INTERNAL_BASE + g as u64 * STRIDE + k);
                    GroupStreams {
                        arrivals: s(0),
                        compose: s(1),
                    }
                })
                .collect(),
            settings_queue,
        }
    }
}

impl<'c, O: Observer> ContactCenter<'c, O> {
    /// `agent` came on shift or went off it: its colleagues' messages start or stop.
    #[cold]
    pub(super) fn internal_shift(&mut self, agent: u32) {
        let a = &self.agents[agent as usize];
        let (group, on_shift) = (a.group as usize, a.state != AgentState::Off);
        let room = &mut self.internal;
        room.epoch[agent as usize] = room.epoch[agent as usize].wrapping_add(1);
        if on_shift {
            self.schedule_internal(agent, group);
        }
    }

    fn schedule_internal(&mut self, agent: u32, group: usize) {
        let Some(internal) = self.cfg.groups[group].internal.as_ref() else {
            return;
        };
        let room = &mut self.internal;
        let e: f64 = Exp1.sample(&mut room.streams[group].arrivals);
        let epoch = room.epoch[agent as usize];
        let at = self.sched.now() + e / internal.rate;
        // Like the customers, colleagues stop writing when the arrivals end.
        if at < self.cfg.arrivals_end {
            self.sched
                .schedule_at(at, Event::InternalArrives { agent, epoch });
        }
    }

    /// A colleague's message reaches `agent`: it waits for the agent's attention.
    pub(super) fn on_internal_arrives(&mut self, agent: u32, epoch: u32) {
        if self.internal.epoch[agent as usize] != epoch {
            return;
        }
        let now = self.now();
        let group = self.agents[agent as usize].group as usize;
        self.schedule_internal(agent, group);
        self.internal.pending[agent as usize].push_back(now);
        if self.internal.session[agent as usize] != NONE {
            // The agent's internal session is in its attention already: this one queues behind.
            return;
        }
        let s = self.sessions.alloc();
        self.internal.session[agent as usize] = s;
        let queue = self.internal.settings_queue[group];
        if self.workflow {
            self.sessions.work[s as usize].serving = u32::from(queue);
        }
        let session = &mut self.sessions.hot[s as usize];
        session.phase = Phase::Internal;
        session.agent = agent;
        session.queue = queue;
        session.contact = u64::MAX;
        self.wait_for_attention(s, agent, now);
    }

    /// The internal session `s` of `agent` joins its attention with the message of `since`.
    fn wait_for_attention(&mut self, s: u32, agent: u32, since: f64) {
        let session = &mut self.sessions.hot[s as usize];
        session.pending_since_then_ended_at = since;
        // Under the agent_message basis too, the message's own time orders it.
        session.deadline_then_last_reply = since;
        self.join_attention(s, agent);
    }

    /// The agent turns its attention to its oldest colleague's message.
    pub(super) fn start_internal(&mut self, s: u32) {
        let now = self.now();
        let session = &mut self.sessions.hot[s as usize];
        let (agent, stamp) = (session.agent, session.flow);
        // While composing: since when (the message's arrival is the FIFO's head).
        session.deadline_then_last_reply = now;
        let group = self.agents[agent as usize].group as usize;
        if self.cfg.attention != Attention::Parallel {
            self.agents[agent as usize].composing = s;
        }
        let internal = self.cfg.groups[group]
            .internal
            .as_ref()
            .expect("a group with internal chats");
        let compose = internal
            .compose
            .sample(&mut self.internal.streams[group].compose);
        self.sched
            .schedule_in(compose, Event::InternalDone { session: s, stamp });
    }

    /// The reply to a colleague is written: the next one waits, or the session is freed.
    pub(super) fn on_internal_done(&mut self, s: u32, stamp: Stamp) {
        if !self.sessions.live_flow(s, stamp, Phase::Internal) {
            return;
        }
        let now = self.now();
        let session = &mut self.sessions.hot[s as usize];
        session.flow = session.flow.next();
        let (agent, started) = (session.agent, session.deadline_then_last_reply);
        let group = self.agents[agent as usize].group;
        let pending = &mut self.internal.pending[agent as usize];
        let arrived_at = pending.pop_front().expect("the message answered");
        let next = pending.front().copied();
        self.emit(Record::InternalMessage {
            agent,
            group,
            arrived_at,
            compose: now - started,
        });
        if self.agents[agent as usize].composing == s {
            self.agents[agent as usize].composing = NONE;
        }
        match next {
            Some(since) => self.wait_for_attention(s, agent, since),
            None => {
                self.internal.session[agent as usize] = NONE;
                self.sessions.free(s);
                self.attend_next(agent);
            }
        }
    }
}
