//! Agents: state, slots, and the load counters of the center and of each group, kept up to date
//! on every change so that the observer never has to scan agents.
//!
//! Taking and releasing a slot is the hot path and touches only the counters it changes. Every
//! other change (shifts, breaks, Not Ready) is rare and goes through [`ContactCenter::change`],
//! which takes the agent's contribution to the counters off, applies the change, and adds the
//! new contribution back.

use super::center::ContactCenter;
use super::records::{AgentState, LoadCounts, Observer, Record, ABSENT};
use super::session::NONE;
use crate::engine::Stamp;

#[derive(Clone, Copy, Debug)]
pub(super) struct Agent {
    /// Slots in use: offered (reserved), in conversation, or in wrap-up.
    pub held: u32,
    /// The group's max_concurrent_chats.
    pub capacity: u32,
    /// Session whose reply the agent is composing, or `NONE`.
    pub composing: u32,
    /// Number of messages waiting in this agent's attention block.
    pub waiting: u32,
    /// Start of this agent's `capacity` entries in the attention blocks.
    pub block: u32,
    pub group: u32,
    /// When a slot of this agent last became free (a chat marked done or an offer withdrawn)
    /// or the agent came on shift: the "idle" clock of the routing policies.
    pub free_since: f64,
    pub state: AgentState,
    /// Breaks whose time has come and that have not been taken yet, and breaks taken.
    pub breaks_due: u8,
    pub breaks_taken: u8,
    /// The shift of the group's roster this agent works (rostered groups only).
    pub shift: u32,
    /// Misses the whole replication (absenteeism).
    pub absent: bool,
    /// In the idle queue of its group ([`super::routing::Pool::Fifo`] only); `idle_ticket`
    /// tells its live entry from stale ones. Kept here rather than in the queue: the agent
    /// picked is touched next anyway, so checking its entry costs no extra cache miss.
    pub idle: bool,
    pub idle_ticket: u32,
    /// Chats of this agent whose pending message has reached their queue's `hold_new_chats`
    /// colour: while any, routing offers the agent no new chat.
    pub gating: u16,
    /// Chats of this agent whose customer left without a word (held until the inactivity close).
    pub silent: u16,
    /// Stamp of the agent's own timers (end of a break or of a Not Ready pause).
    pub stamp: Stamp,
}

impl Agent {
    pub fn new(group: u32, capacity: u32, block: u32) -> Self {
        Agent {
            held: 0,
            capacity,
            composing: NONE,
            waiting: 0,
            block,
            group,
            free_since: 0.0,
            state: AgentState::Off,
            breaks_due: 0,
            breaks_taken: 0,
            shift: 0,
            absent: false,
            idle: false,
            idle_ticket: 0,
            gating: 0,
            silent: 0,
            stamp: Stamp::ZERO,
        }
    }

    /// Present: on shift, or off shift but still finishing chats.
    #[inline]
    pub fn present(&self) -> bool {
        self.state != AgentState::Off || self.held > 0
    }

    /// Can be offered a chat now.
    #[inline]
    pub fn can_take(&self) -> bool {
        self.state == AgentState::Ready && self.held < self.capacity && self.gating == 0
    }

    /// This agent's part of the load counters.
    fn counts(&self) -> LoadCounts {
        if !self.present() {
            return LoadCounts::default();
        }
        let away =
            self.held == 0 && matches!(self.state, AgentState::OnBreak | AgentState::NotReady);
        LoadCounts {
            present: 1,
            away: away as u32,
            on_break: (self.state == AgentState::OnBreak) as u32,
            not_ready: (self.state == AgentState::NotReady) as u32,
            busy: (self.held > 0) as u32,
            held: self.held,
            slots: if away { 0 } else { self.capacity },
            gated: (self.gating > 0) as u32,
            silent: u32::from(self.silent),
        }
    }

    /// The chats-held level of the `Level` records.
    fn level(&self) -> u32 {
        if self.present() {
            self.held
        } else {
            ABSENT
        }
    }
}

impl LoadCounts {
    fn add(&mut self, o: &LoadCounts) {
        self.present += o.present;
        self.away += o.away;
        self.on_break += o.on_break;
        self.not_ready += o.not_ready;
        self.busy += o.busy;
        self.held += o.held;
        self.slots += o.slots;
        self.gated += o.gated;
        self.silent += o.silent;
    }

    fn sub(&mut self, o: &LoadCounts) {
        self.present -= o.present;
        self.away -= o.away;
        self.on_break -= o.on_break;
        self.not_ready -= o.not_ready;
        self.busy -= o.busy;
        self.held -= o.held;
        self.slots -= o.slots;
        self.gated -= o.gated;
        self.silent -= o.silent;
    }
}

impl<'c, O: Observer> ContactCenter<'c, O> {
    /// Mark a group's counters as changed: one record goes out when the event is done.
    /// With one group its counters are the center's: they are kept (and sent) only when the
    /// center has several groups.
    #[inline]
    fn group_changed(&mut self, group: u32) {
        self.load_changed = true;
        if self.several_groups && !self.group_dirty[group as usize] {
            self.group_dirty[group as usize] = true;
            self.dirty_groups.push(group);
        }
    }

    /// Send the load records of the event just handled.
    #[inline(always)]
    pub(super) fn flush_load(&mut self) {
        if self.load_changed {
            self.load_changed = false;
            self.emit(Record::Load(self.load));
            if !self.dirty_groups.is_empty() {
                self.flush_group_loads();
            }
        }
    }

    #[cold]
    fn flush_group_loads(&mut self) {
        while let Some(group) = self.dirty_groups.pop() {
            self.group_dirty[group as usize] = false;
            let counts = self.group_loads[group as usize];
            self.emit(Record::GroupLoad { group, counts });
        }
    }

    /// Always inlined: it runs at every offer, and out of line it costs a call the offer
    /// cannot spare (measured: about 20 instructions a contact).
    #[inline(always)]
    pub(super) fn take_slot(&mut self, agent: u32) {
        let a = &mut self.agents[agent as usize];
        let group = a.group;
        let first = a.held == 0;
        a.held += 1;
        let to = a.held;
        if self.several_groups {
            let g = &mut self.group_loads[group as usize];
            g.held += 1;
            g.busy += first as u32;
        }
        self.load.held += 1;
        self.load.busy += first as u32;
        self.refresh_availability(agent);
        self.group_changed(group);
        self.emit(Record::Level {
            agent,
            group,
            from: to - 1,
            to,
        });
    }

    #[inline]
    pub(super) fn release_slot(&mut self, agent: u32) {
        let now = self.now();
        let a = &mut self.agents[agent as usize];
        if a.held == 1 && a.state != AgentState::Ready {
            // The last chat in hand: the agent leaves, goes away on break or Not Ready.
            self.release_last_slot(agent);
            return;
        }
        a.held -= 1;
        a.free_since = now;
        let (group, from, to) = (a.group, a.held + 1, a.held);
        if self.several_groups {
            let g = &mut self.group_loads[group as usize];
            g.held -= 1;
            g.busy -= (to == 0) as u32;
        }
        self.load.held -= 1;
        self.load.busy -= (to == 0) as u32;
        self.refresh_availability(agent);
        self.group_changed(group);
        self.emit(Record::Level {
            agent,
            group,
            from,
            to,
        });
    }

    #[cold]
    fn release_last_slot(&mut self, agent: u32) {
        let now = self.now();
        self.change(agent, |a| {
            a.held = 0;
            a.free_since = now;
        });
        if self.agents[agent as usize].state == AgentState::BreakDue {
            self.start_break(agent);
        }
    }

    /// Apply a rare change to an agent and bring the counters, the routing pool and the
    /// chats-held level up to date.
    pub(super) fn change(&mut self, agent: u32, f: impl FnOnce(&mut Agent)) {
        let a = &mut self.agents[agent as usize];
        let (before, level_before, state_before) = (a.counts(), a.level(), a.state);
        f(a);
        let (after, level_after, state, group) = (a.counts(), a.level(), a.state, a.group);
        if self.several_groups {
            let g = &mut self.group_loads[group as usize];
            g.sub(&before);
            g.add(&after);
        }
        self.load.sub(&before);
        self.load.add(&after);
        self.refresh_availability(agent);
        self.group_changed(group);
        if level_before != level_after {
            self.emit(Record::Level {
                agent,
                group,
                from: level_before,
                to: level_after,
            });
        }
        if self.internal.on && (state == AgentState::Off) != (state_before == AgentState::Off) {
            self.internal_shift(agent);
        }
        if state != state_before {
            let ready = &mut self.ready[group as usize];
            *ready = *ready + u32::from(state == AgentState::Ready)
                - u32::from(state_before == AgentState::Ready);
            self.emit(Record::State {
                agent,
                group,
                state,
            });
        }
    }
}
