//! Escalation: what the indicator's colours make happen. A chat whose pending message reaches
//! its queue's `hold_new_chats` colour holds its agent from routing until no chat of the agent's
//! is at that colour; a reply pending `reassign_after` with its agent has the chat taken from
//! the agent and offered to another one, from its place by arrival time in a queue (the head,
//! unless older chats still wait).
//!
//! Both are timers of the pending message, on the session's wait lane beside reply patience:
//! the reply (or the customer leaving) voids them with it. Holding an agent from routing takes
//! it out of its group's pool and putting it back is one pool update: O(log n), never a scan.
//!
//! A reassigned chat keeps its arrival time, its pending message (its response time still counts
//! from the customer's message), its running indicator and its reply patience. It waits in the
//! `Requeued` phase with no agent; the agent it left is not offered it while it waits there,
//! unless no other agent of its open tiers is on shift (it would otherwise wait for nobody).
//! Once accepted again, its escalation timers restart for the new agent: `reassign_after`
//! counts from that accept.

use super::center::ContactCenter;
use super::event::Event;
use super::records::{Observer, Record};
use super::session::{Phase, Requeue, NONE};
use crate::engine::Stamp;

impl<'c, O: Observer> ContactCenter<'c, O> {
    /// Schedule the escalation timers of the message of `s` that just became pending with its
    /// agent, who has held the chat since `agent_since` (`-inf`: since before the message).
    pub(super) fn arm_escalation(&mut self, s: u32, agent_since: f64) {
        let now = self.now();
        let chat = &self.cfg.queues[self.serving(s)].chat;
        let session = &self.sessions.hot[s as usize];
        let start = session.indicator_start(chat.basis);
        let wait = session.wait;
        let hold = chat.hold_threshold();
        if hold.is_finite() {
            if start + hold <= now {
                // The agent_message basis: the indicator may be past the colour already.
                self.gate(s);
            } else {
                self.sched.schedule_at(
                    start + hold,
                    Event::HoldReached {
                        session: s,
                        stamp: wait,
                    },
                );
            }
        }
        let after = chat.escalation.reassign_after;
        if after.is_finite() {
            let at = (start.max(agent_since) + after).max(now);
            self.sched.schedule_at(
                at,
                Event::Reassign {
                    session: s,
                    stamp: wait,
                },
            );
        }
    }

    pub(super) fn on_hold_reached(&mut self, s: u32, stamp: Stamp) {
        let session = &self.sessions.hot[s as usize];
        if session.wait == stamp
            && matches!(session.phase, Phase::Pending | Phase::Composing)
            && !session.gating
        {
            self.gate(s);
        }
    }

    /// The chat `s` starts holding its agent from routing.
    fn gate(&mut self, s: u32) {
        let session = &mut self.sessions.hot[s as usize];
        session.gating = true;
        let agent = session.agent;
        let a = &mut self.agents[agent as usize];
        if a.gating > 0 {
            a.gating += 1;
            return;
        }
        let group = a.group;
        self.change(agent, |a| a.gating = 1);
        self.emit(Record::HeldFromRouting {
            agent,
            group,
            held: true,
        });
    }

    /// The chat `s` no longer holds its agent from routing. True when the agent can take a chat
    /// again because of it: the caller then dispatches the agent's group (once the event's other
    /// changes are made).
    pub(super) fn ungate(&mut self, s: u32) -> bool {
        let session = &mut self.sessions.hot[s as usize];
        debug_assert!(session.gating);
        session.gating = false;
        let agent = session.agent;
        let a = &mut self.agents[agent as usize];
        if a.gating > 1 {
            a.gating -= 1;
            return false;
        }
        let group = a.group;
        self.change(agent, |a| a.gating = 0);
        self.emit(Record::HeldFromRouting {
            agent,
            group,
            held: false,
        });
        self.agents[agent as usize].can_take()
    }

    /// The reply has been pending `reassign_after` with its agent: the chat is taken from the
    /// agent (the reply being composed is dropped, the slot freed without wrap-up) and waits at
    /// its target queue for another agent.
    pub(super) fn on_reassign(&mut self, s: u32, stamp: Stamp) {
        let session = &mut self.sessions.hot[s as usize];
        if session.wait != stamp || !matches!(session.phase, Phase::Pending | Phase::Composing) {
            return;
        }
        if self.workflow && self.sessions.work[s as usize].partner != NONE {
            // Not during a conference: the chat has two agents.
            return;
        }
        let session = &mut self.sessions.hot[s as usize];
        session.flow = session.flow.next(); // voids the reply being composed
        let (agent, phase, queue) = (session.agent, session.phase, session.queue as usize);
        self.leave_attention(s, agent, phase);
        if self.sessions.hot[s as usize].gating {
            self.ungate(s);
        }
        let target = self.cfg.queues[self.serving(s)].chat.escalation.reassign_to;
        if self.workflow {
            // Whatever put it in a queue before (a transfer, a resume), it waits as reassigned.
            self.sessions.work[s as usize].requeued_by = Requeue::Reassignment;
        }
        let cold = &mut self.sessions.cold[s as usize];
        let first = cold.left_agent == NONE;
        cold.left_agent = agent;
        cold.waits_in = target as u32;
        let session = &mut self.sessions.hot[s as usize];
        session.phase = Phase::Requeued;
        session.agent = NONE;
        session.tier = 0;
        let (wait, arrived_at, contact) = (session.wait, session.arrived_at, session.contact);
        let group = self.agents[agent as usize].group;
        self.emit(Record::Reassigned {
            contact,
            queue: queue as u32,
            arrived_at,
            agent,
            group,
            first,
        });
        self.open_due_tiers(s, target);
        self.release_slot(agent);
        // In arrival order: it waited there since it arrived, so it goes ahead of every chat
        // that arrived after it (the head, unless older chats still wait), and the queue stays
        // oldest first, which the overflow tiers rely on (the head has the most tiers open).
        self.queues[target].push_in_order(&self.sessions, self.workflow, s, wait);
        self.waiting += 1;
        self.requeued += 1;
        self.dispatch_queue(target);
        self.attend_next(agent);
        self.dispatch_group(group);
    }

    /// An agent accepted a requeued chat: its message, still pending, joins the agent's
    /// attention; reply patience runs on from the message, the escalation timers from now.
    pub(super) fn reaccept(&mut self, s: u32) {
        match self.requeued_kind(s) {
            Requeue::Transfer => return self.accept_transferred(s),
            Requeue::Resume => return self.accept_resumed(s),
            Requeue::Reassignment => {}
        }
        let session = &mut self.sessions.hot[s as usize];
        session.wait = session.wait.next(); // voids the tiers and the patience armed before
        session.phase = Phase::Pending;
        let agent = session.agent;
        let record = Record::Reaccepted {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            agent,
            group: self.agents[agent as usize].group,
        };
        self.emit(record);
        self.pending_again(s, agent);
    }

    /// The customer of a requeued chat left (reply patience) while no agent had it in
    /// conversation: it leaves its queue, or the offer being accepted is withdrawn. No wrap-up:
    /// the contact ends here.
    pub(super) fn abandon_unassigned(&mut self, s: u32) {
        let session = self.sessions.hot[s as usize];
        self.emit(Record::AbandonedChat {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            unassigned: true,
            during_offer: session.phase == Phase::Reoffered,
            during_transfer: self.requeued_by_transfer(s),
        });
        self.after_abandon(s);
        self.sessions.free(s);
        if session.phase == Phase::Requeued {
            let queue = self.sessions.cold[s as usize].waits_in as usize;
            self.queues[queue].forget_one();
            self.waiting -= 1;
            self.requeued -= 1;
        } else if session.phase == Phase::Resuming {
            // Its entry in the agent's affinity FIFO is stale from now (the phase).
            self.affinity.awaiting -= 1;
        } else {
            self.release_slot(session.agent);
            self.dispatch_group(self.agents[session.agent as usize].group);
        }
    }

    /// The queue chat `s` waits in (or was offered from): its own, or for a requeued chat its
    /// reassignment or transfer target, or for an invitation its target queue.
    #[inline]
    pub(super) fn waits_in(&self, s: u32) -> usize {
        let session = &self.sessions.hot[s as usize];
        match session.phase {
            Phase::Requeued | Phase::Reoffered | Phase::Inviting => {
                self.sessions.cold[s as usize].waits_in as usize
            }
            _ => session.queue as usize,
        }
    }

    /// A requeued (or reoffered) chat waits again because of a transfer, not a reassignment.
    #[inline]
    pub(super) fn requeued_by_transfer(&self, s: u32) -> bool {
        self.requeued_kind(s) == Requeue::Transfer
    }

    /// Why requeued (or reoffered) chat `s` waits again (a reassignment for any other chat,
    /// and always without workflow actions or asynchronous continuation).
    #[inline]
    pub(super) fn requeued_kind(&self, s: u32) -> Requeue {
        if self.workflow
            && matches!(
                self.sessions.hot[s as usize].phase,
                Phase::Requeued | Phase::Reoffered
            )
        {
            self.sessions.work[s as usize].requeued_by
        } else {
            Requeue::Reassignment
        }
    }

    /// Since when chat `s` waits where it waits, which sets its place in the queue and the
    /// clock of its overflow tiers: its arrival, or the transfer or invitation that put it
    /// there.
    #[inline]
    pub(super) fn waiting_since(&self, s: u32) -> f64 {
        self.sessions.waiting_since(s, self.workflow)
    }

    /// When the agent holding chat `s` accepted it: its handle time counts from there.
    #[inline]
    pub(super) fn leg_since(&self, s: u32) -> f64 {
        if self.workflow {
            self.sessions.work[s as usize].leg_since
        } else {
            self.sessions.cold[s as usize].answered_at
        }
    }

    /// Open the tiers of `queue` whose time has come for chat `s` (waiting since its arrival)
    /// and schedule the next one, as if the chat had waited there all along.
    pub(super) fn open_due_tiers(&mut self, s: u32, queue: usize) {
        let now = self.now();
        let since = self.waiting_since(s);
        let session = &mut self.sessions.hot[s as usize];
        session.tiers_armed = true;
        let wait = session.wait;
        let tiers = &self.cfg.queues[queue].tiers;
        while let Some(next) = tiers.get(session.tier as usize + 1) {
            if since + next.after > now {
                let at = since + next.after;
                self.sched.schedule_at(
                    at,
                    Event::TierOpen {
                        session: s,
                        stamp: wait,
                    },
                );
                break;
            }
            session.tier += 1;
        }
    }
}
