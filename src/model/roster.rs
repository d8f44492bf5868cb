//! Who is at work: per-step staffing plans, shifts and their breaks, absenteeism, and the Not
//! Ready pause of an agent who let an offer time out.
//!
//! An agent going off shift or on break takes no new chat and finishes the ones in hand; a
//! break's time away starts once the last chat in hand is done, so every break lasts its full
//! length. Absences are drawn once per agent and replication, from the group's own stream.

use rand::Rng;

use super::center::ContactCenter;
use super::config::Staffing;
use super::event::Event;
use super::records::{AgentState, Observer};
use crate::engine::Stamp;

impl<'c, O: Observer> ContactCenter<'c, O> {
    /// Draw absences, put the first step of each plan on shift, and schedule every later
    /// staffing step, shift and break.
    pub(super) fn start_roster(&mut self) {
        let cfg = self.cfg;
        for (g, group) in cfg.groups.iter().enumerate() {
            let first = self.group_first[g];
            let n = group.staffing.agents();
            if group.absenteeism > 0.0 {
                let rng = &mut self.rng.groups[g].absence;
                for agent in first..first + n {
                    self.agents[agent as usize].absent = rng.random::<f64>() < group.absenteeism;
                }
            }
            match &group.staffing {
                Staffing::PerStep { step, agents } => {
                    self.set_group_staffing(g, agents[0]);
                    for (i, pair) in agents.windows(2).enumerate() {
                        if pair[0] != pair[1] {
                            let index = i as u32 + 1;
                            let at = f64::from(index) * step;
                            self.sched.schedule_at(
                                at,
                                Event::StaffingStep {
                                    group: g as u32,
                                    step: index,
                                },
                            );
                        }
                    }
                }
                Staffing::Shifts(shifts) => {
                    let mut agent = first;
                    for (k, shift) in shifts.iter().enumerate() {
                        for _ in 0..shift.agents {
                            self.agents[agent as usize].shift = k as u32;
                            self.sched
                                .schedule_at(shift.start, Event::ShiftStart { agent });
                            self.sched.schedule_at(shift.end, Event::ShiftEnd { agent });
                            for b in &shift.breaks {
                                self.sched.schedule_at(b.at, Event::BreakDue { agent });
                            }
                            agent += 1;
                        }
                    }
                }
            }
        }
        self.load_changed = true;
    }

    /// A per-step plan moves on: agents `0..target` of the group are on shift (absent ones
    /// excepted), then the group's free agents take waiting chats.
    pub(super) fn on_staffing_step(&mut self, group: usize, step: u32) {
        let Staffing::PerStep { agents, .. } = &self.cfg.groups[group].staffing else {
            unreachable!("staffing steps are scheduled for per-step plans only")
        };
        self.set_group_staffing(group, agents[step as usize]);
        self.dispatch_group(group as u32);
    }

    /// Agents `0..target` of the group are on shift. An agent leaving takes no new chat and
    /// finishes the ones in hand; an agent coming back is available again at once.
    fn set_group_staffing(&mut self, group: usize, target: u32) {
        let first = self.group_first[group];
        while self.on_shift[group] < target {
            let agent = first + self.on_shift[group];
            self.on_shift[group] += 1;
            if !self.agents[agent as usize].absent {
                self.come_on(agent);
            }
        }
        while self.on_shift[group] > target {
            self.on_shift[group] -= 1;
            let agent = first + self.on_shift[group];
            if !self.agents[agent as usize].absent {
                self.go_off(agent);
            }
        }
        self.load_changed = true;
    }

    fn come_on(&mut self, agent: u32) {
        let now = self.now();
        self.change(agent, |a| {
            if a.held == 0 {
                a.free_since = now;
            }
            a.state = AgentState::Ready;
        });
    }

    fn go_off(&mut self, agent: u32) {
        self.change(agent, |a| {
            a.state = AgentState::Off;
            a.breaks_due = 0;
            // Voids a pending end of break or of Not Ready.
            a.stamp = a.stamp.next();
        });
        if self.asynchronous {
            // Resumed sessions waiting for this agent would wait for nobody.
            self.release_affinity(agent);
        }
    }

    pub(super) fn on_shift_start(&mut self, agent: u32) {
        if self.agents[agent as usize].absent {
            return;
        }
        self.come_on(agent);
        self.dispatch_group(self.agents[agent as usize].group);
    }

    pub(super) fn on_shift_end(&mut self, agent: u32) {
        if self.agents[agent as usize].state != AgentState::Off {
            self.go_off(agent);
        }
    }

    pub(super) fn on_break_due(&mut self, agent: u32) {
        let a = self.agents[agent as usize];
        if a.state == AgentState::Off {
            return;
        }
        self.change(agent, |a| {
            a.breaks_due += 1;
            if a.state == AgentState::Ready {
                a.state = AgentState::BreakDue;
            }
        });
        let a = self.agents[agent as usize];
        if a.state == AgentState::BreakDue && a.held == 0 {
            self.start_break(agent);
        }
    }

    /// The agent, with a break due and no chat left, goes away for the break's length.
    pub(super) fn start_break(&mut self, agent: u32) {
        let cfg = self.cfg;
        let a = self.agents[agent as usize];
        debug_assert!(a.held == 0 && a.breaks_due > 0);
        let Staffing::Shifts(shifts) = &cfg.groups[a.group as usize].staffing else {
            unreachable!("breaks belong to shifts")
        };
        let length = shifts[a.shift as usize].breaks[a.breaks_taken as usize].length;
        self.away_for(agent, AgentState::OnBreak, length, |a| {
            a.breaks_due -= 1;
            a.breaks_taken += 1;
        });
    }

    /// An agent let an offer time out: Not Ready for `pause` (chats in hand go on).
    pub(super) fn not_responding(&mut self, agent: u32, pause: f64) {
        if self.agents[agent as usize].state == AgentState::Off {
            return;
        }
        self.away_for(agent, AgentState::NotReady, pause, |_| {});
    }

    /// Put the agent in `state` (on break, Not Ready) for `length`, with `update` applied in
    /// the same change: a new stamp of the agent's lane voids any earlier timer of it, and the
    /// timer scheduled here brings the agent back ([`Self::on_away_over`]).
    fn away_for(
        &mut self,
        agent: u32,
        state: AgentState,
        length: f64,
        update: impl FnOnce(&mut super::agent::Agent),
    ) {
        let mut stamp = self.agents[agent as usize].stamp;
        self.change(agent, |a| {
            update(a);
            a.state = state;
            a.stamp = a.stamp.next();
            stamp = a.stamp;
        });
        let event = match state {
            AgentState::OnBreak => Event::BreakOver { agent, stamp },
            _ => Event::NotReadyOver { agent, stamp },
        };
        self.sched.schedule_in(length, event);
    }

    /// A break or a Not Ready pause is over, unless the agent's lane moved on since (`stamp`)
    /// or the agent is no longer in that `state`.
    pub(super) fn on_away_over(&mut self, agent: u32, stamp: Stamp, state: AgentState) {
        let a = self.agents[agent as usize];
        if a.stamp != stamp || a.state != state {
            return;
        }
        self.back_to_work(agent);
    }

    /// After a break or a pause: the next break if one is due, else Ready and taking chats.
    fn back_to_work(&mut self, agent: u32) {
        let now = self.now();
        if self.agents[agent as usize].breaks_due > 0 {
            self.change(agent, |a| a.state = AgentState::BreakDue);
            if self.agents[agent as usize].held == 0 {
                self.start_break(agent);
            }
            return;
        }
        self.change(agent, |a| {
            if a.held == 0 {
                a.free_since = now;
            }
            a.state = AgentState::Ready;
        });
        self.dispatch_group(self.agents[agent as usize].group);
    }
}
