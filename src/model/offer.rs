//! Offer and accept: the agent's slot is reserved during the accept delay; an offer not
//! accepted within the queue's alert timeout is withdrawn, the chat goes back to the head of its
//! queue with its arrival time, patience and overflow tiers (those whose time has come are
//! open), and the agent is Not Ready for a pause.
//!
//! A delay equal to the timeout is accepted: the offer times out only when the delay exceeds it.

use super::center::ContactCenter;
use super::event::Event;
use super::records::{Observer, Record};
use super::session::Phase;

impl<'c, O: Observer> ContactCenter<'c, O> {
    pub(super) fn offer(&mut self, s: u32, agent: u32) {
        self.take_slot(agent);
        let now = self.now();
        let session = &mut self.sessions.hot[s as usize];
        // A requeued chat was answered before: no queue patience, and its accept resumes the
        // conversation.
        let again = session.phase == Phase::Requeued;
        session.phase = if again {
            self.requeued -= 1;
            Phase::Reoffered
        } else {
            Phase::Offered
        };
        session.agent = agent;
        let (contact, queue, flow) = (session.contact, session.queue, session.flow);
        let arrived_at = session.arrived_at;
        let a = &self.agents[agent as usize];
        self.emit(Record::Offered {
            contact,
            queue: u32::from(queue),
            arrived_at,
            agent,
            group: a.group,
            held: a.held,
        });
        // A transferred chat is offered under its target queue's settings.
        let settings = if again && self.requeued_by_transfer(s) {
            self.sessions.cold[s as usize].waits_in as usize
        } else {
            queue as usize
        };
        let chat = &self.cfg.queues[settings].chat;
        let delay = if chat.accept_delay.is_zero() {
            0.0
        } else {
            chat.accept_delay
                .sample(&mut self.rng.queues[settings].accept_delay)
        };
        if delay <= 0.0 {
            if again {
                self.reaccept(s);
            } else {
                self.accept(s);
            }
            return;
        }
        let session = &mut self.sessions.hot[s as usize];
        // The customer is not answered until the agent accepts, so queue patience still runs.
        if !again && !session.abandon_armed && session.deadline_then_last_reply < now + delay {
            session.abandon_armed = true;
            let (at, stamp) = (session.deadline_then_last_reply, session.wait);
            self.sched
                .schedule_at(at, Event::QueueAbandon { session: s, stamp });
        }
        let stamp = flow;
        if delay > chat.alert_timeout {
            self.sched.schedule_in(
                chat.alert_timeout,
                Event::OfferTimeout { session: s, stamp },
            );
        } else {
            self.sched
                .schedule_in(delay, Event::Accepted { session: s, stamp });
        }
    }

    #[inline(always)]
    pub(super) fn accept(&mut self, s: u32) {
        let now = self.now();
        let session = &mut self.sessions.hot[s as usize];
        session.wait = session.wait.next(); // voids queue patience and the overflow tiers
        session.deadline_then_last_reply = now; // the queue deadline is past use
        session.first_reply_pending = true;
        let (queue, tier, agent) = (session.queue, session.tier, session.agent);
        let group = self.agents[agent as usize].group;
        // Overflowed: the group is not in the queue's first tier.
        let overflowed = tier > 0
            && !self.cfg.queues[queue as usize].tiers[0]
                .groups
                .contains(&(group as usize));
        let record = Record::Answered {
            contact: session.contact,
            queue: u32::from(queue),
            group,
            arrived_at: session.arrived_at,
            wait: now - session.arrived_at,
            overflowed,
        };
        let cold = &mut self.sessions.cold[s as usize];
        cold.answered_at = now;
        cold.left_agent = super::session::NONE;
        self.emit(record);
        if self.workflow {
            self.start_leg(s, queue as usize);
        }
        // The request itself is the first customer message, pending from the accept.
        self.customer_message(s);
    }

    /// The agent did not accept in time: the offer is withdrawn.
    pub(super) fn on_offer_timeout(&mut self, s: u32) {
        let session = self.sessions.hot[s as usize];
        let (agent, queue) = (session.agent, session.queue as usize);
        let a = self.agents[agent as usize];
        self.emit(Record::OfferTimedOut {
            contact: session.contact,
            queue: queue as u32,
            arrived_at: session.arrived_at,
            agent,
            group: a.group,
        });
        // The pause of the queue the offer came from: a transferred chat is offered under its
        // target queue's settings (as its accept delay and alert timeout were).
        let settings = if self.requeued_by_transfer(s) {
            self.sessions.cold[s as usize].waits_in as usize
        } else {
            queue
        };
        let pause = self.cfg.queues[settings]
            .chat
            .not_responding_pause
            .sample(&mut self.rng.queues[settings].pause);
        // Not Ready first, so that the slot freed next does not make the agent available.
        self.not_responding(agent, pause);
        self.release_slot(agent);
        let again = self.sessions.hot[s as usize].phase == Phase::Reoffered;
        let queue = self.waits_in(s);
        let session = &mut self.sessions.hot[s as usize];
        session.phase = if again {
            self.requeued += 1;
            Phase::Requeued
        } else {
            Phase::Queued
        };
        session.agent = super::session::NONE;
        session.flow = session.flow.next();
        let wait = session.wait;
        // A requeued chat has no queue patience (reply patience runs on), and its tiers were
        // opened when it was requeued.
        if !again && !session.abandon_armed && session.deadline_then_last_reply.is_finite() {
            session.abandon_armed = true;
            let at = session.deadline_then_last_reply.max(self.sched.now());
            self.sched.schedule_at(
                at,
                Event::QueueAbandon {
                    session: s,
                    stamp: wait,
                },
            );
        }
        if !session.tiers_armed {
            // Offered on arrival, so no tier timer runs: open the tiers whose time has come
            // while the offer was out, and arm the next one, as if the chat had waited all along.
            self.open_due_tiers(s, queue);
        }
        self.queues[queue].push_in_order(&self.sessions, self.workflow, s, wait);
        self.waiting += 1;
        self.dispatch_queue(queue);
        // The agent's group may have other free agents for its other queues: nothing changed
        // for them, so no group dispatch is needed.
    }
}
