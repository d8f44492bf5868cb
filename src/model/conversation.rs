//! The conversation: customer messages, the agent's single attention composing replies in the
//! attention order, the response-pending indicator, and the customer leaving a chat whose reply
//! takes longer than their patience.
//!
//! Each agent's waiting messages sit in a fixed block of `capacity` entries: choosing the next
//! one scans the agent's own chats, never the floor.

use rand::Rng;

use super::center::ContactCenter;
use super::config::Attention;
use super::event::Event;
use super::records::{Colour, Observer, Record};
use super::session::{Phase, NONE};
use crate::engine::Stamp;

impl<'c, O: Observer> ContactCenter<'c, O> {
    /// A customer message starts waiting for a reply.
    #[inline(always)]
    pub(super) fn customer_message(&mut self, s: u32) {
        let now = self.now();
        let session = &mut self.sessions.hot[s as usize];
        session.phase = Phase::Pending;
        session.pending_since_then_ended_at = now;
        let (agent, wait) = (session.agent, session.wait);
        let record = Record::Message {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            agent,
            group: self.agents[agent as usize].group,
        };
        if session.reply_patience.is_finite() {
            let at = now + session.reply_patience;
            self.sched.schedule_at(
                at,
                Event::ReplyAbandon {
                    session: s,
                    stamp: wait,
                },
            );
        }
        let request = session.exchanges_left == 0;
        self.emit(record);
        if request {
            // The exchanges with this agent are done and the chat needs a transfer: this
            // message asks for it (only with workflow actions: a conversation has at least one
            // exchange, so a message otherwise always has one left).
            self.on_request(s);
            return;
        }
        if self.escalating {
            self.arm_escalation(s, f64::NEG_INFINITY);
        }
        self.join_attention(s, agent);
    }

    /// A pending message of `s` joins its agent's attention: composed at once if the attention
    /// is free, else waiting in the agent's block.
    #[inline(always)]
    pub(super) fn join_attention(&mut self, s: u32, agent: u32) {
        let a = &mut self.agents[agent as usize];
        if self.cfg.attention == Attention::Parallel {
            self.start_compose(s);
        } else if a.capacity == 1 && !self.internal.on {
            // One slot: this is the agent's only chat, so its attention is free and the
            // message would leave the attention block at once. Skipping the block saves a
            // cache miss per message on large floors.
            debug_assert_eq!(a.composing, NONE);
            debug_assert_eq!(a.waiting, 0);
            self.start_compose(s);
        } else {
            self.attention[(a.block + a.waiting) as usize] = s;
            a.waiting += 1;
            self.attend_next(agent);
        }
    }

    /// If the agent's attention is free, start on the next waiting message in attention order.
    /// Inlined: after every reply, usually nothing waits (always so with one slot).
    #[inline]
    pub(super) fn attend_next(&mut self, agent: u32) {
        let a = &self.agents[agent as usize];
        if a.composing == NONE && a.waiting > 0 {
            self.attend_waiting(agent);
        }
    }

    /// Start on the agent's next waiting message in attention order (its attention is free).
    fn attend_waiting(&mut self, agent: u32) {
        let a = self.agents[agent as usize];
        let block = &self.attention[a.block as usize..(a.block + a.waiting) as usize];
        // At most capacity entries: a scan of the agent's own chats, not of the floor. Ties
        // keep the earlier entry (the message that started waiting first).
        let best = if self.red_first {
            self.first_red_first(block)
        } else {
            self.first_in_order(block)
        };
        let block = &mut self.attention[a.block as usize..(a.block + a.waiting) as usize];
        let s = block[best];
        block.copy_within(best + 1.., best);
        self.agents[agent as usize].waiting -= 1;
        self.start_compose(s);
    }

    /// The position in `block` of the message first in the attention order (smallest key).
    #[inline]
    fn first_in_order(&self, block: &[u32]) -> usize {
        let (sessions, cfg) = (&self.sessions.hot, self.cfg);
        // Each chat under the settings of the queue it is served under.
        let key = |id: u32| {
            let s = &sessions[id as usize];
            match cfg.attention {
                Attention::MostUrgent => s.indicator_start(cfg.queues[self.serving(id)].chat.basis),
                Attention::Newest => -s.pending_since_then_ended_at,
                _ => s.pending_since_then_ended_at,
            }
        };
        let mut best = 0;
        for i in 1..block.len() {
            if key(block[i]) < key(block[best]) {
                best = i;
            }
        }
        best
    }

    /// [`Self::first_in_order`] with `red_first`: the colour class (red, then yellow, then
    /// green; a chat of a queue without `red_first` counts as green) before the attention order.
    #[cold]
    fn first_red_first(&self, block: &[u32]) -> usize {
        let (sessions, cfg, now) = (&self.sessions.hot, self.cfg, self.sched.now());
        let key = |id: u32| {
            let s = &sessions[id as usize];
            let chat = &cfg.queues[self.serving(id)].chat;
            let order = match cfg.attention {
                Attention::MostUrgent => s.indicator_start(chat.basis),
                Attention::Newest => -s.pending_since_then_ended_at,
                _ => s.pending_since_then_ended_at,
            };
            let indicator = now - s.indicator_start(chat.basis);
            let class = if !chat.escalation.red_first {
                2
            } else if indicator >= chat.red {
                0
            } else if indicator >= chat.yellow {
                1
            } else {
                2
            };
            (class, order)
        };
        let mut best = 0;
        let mut best_key = key(block[0]);
        for (i, &s) in block.iter().enumerate().skip(1) {
            let k = key(s);
            if k.0 < best_key.0 || (k.0 == best_key.0 && k.1 < best_key.1) {
                best = i;
                best_key = k;
            }
        }
        best
    }

    #[inline(always)]
    fn start_compose(&mut self, s: u32) {
        if self.internal.on && self.sessions.hot[s as usize].phase == Phase::Internal {
            // A colleague's message (`internal.rs`), not a customer's.
            self.start_internal(s);
            return;
        }
        if self.workflow && self.sessions.hot[s as usize].phase == Phase::Consulting {
            // An agent-to-agent message of a consultation, not a reply.
            self.start_consult_message(s);
            return;
        }
        let queue = self.serving(s);
        let session = &mut self.sessions.hot[s as usize];
        session.phase = Phase::Composing;
        let (agent, stamp) = (session.agent, session.flow);
        let compose = self.start_writing(s, agent, queue);
        self.sched
            .schedule_in(compose, Event::ReplyDone { session: s, stamp });
    }

    /// `agent` turns its attention to writing for `s` (a reply, or a consultation's
    /// agent-to-agent message): how long it takes, under `queue`'s compose times slowed by
    /// the chats the agent holds.
    #[inline(always)]
    pub(super) fn start_writing(&mut self, s: u32, agent: u32, queue: usize) -> f64 {
        let a = &mut self.agents[agent as usize];
        if self.cfg.attention != Attention::Parallel {
            a.composing = s;
        }
        let chat = &self.cfg.queues[queue].chat;
        let factor = chat.slowdown[(a.held as usize).clamp(1, chat.slowdown.len()) - 1];
        // From the customer's own stream: the same message takes as long to write whoever
        // writes it (before the slowdown of the writer's other chats).
        let compose = chat
            .compose
            .sample(&mut self.sessions.customer[s as usize].compose)
            * factor;
        if self.internal.on {
            // The attention's whole busy time, for the internal chats' share of it.
            let group = a.group;
            self.emit(Record::Writing {
                group,
                duration: compose,
            });
        }
        compose
    }

    pub(super) fn reply_done(&mut self, s: u32) {
        let now = self.now();
        let queue = self.serving(s);
        let session = &mut self.sessions.hot[s as usize];
        let chat = &self.cfg.queues[queue].chat;
        let indicator = now - session.indicator_start(chat.basis);
        let colour = if indicator >= chat.red {
            Colour::Red
        } else if indicator >= chat.yellow {
            Colour::Yellow
        } else {
            Colour::Green
        };
        let record = Record::Response {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            duration: now - session.pending_since_then_ended_at,
            first: session.first_reply_pending,
            colour,
            yellow_time: (indicator.min(chat.red) - chat.yellow).max(0.0),
            red_time: (indicator - chat.red).max(0.0),
        };
        if self.cfg.rates {
            // What the customer lives, for the rating model: counted from the first reply.
            let cold = &mut self.sessions.cold[s as usize];
            if session.first_reply_pending {
                cold.red_responses = 0;
                cold.transfers = 0;
            }
            cold.red_responses = cold
                .red_responses
                .saturating_add(u16::from(colour == Colour::Red));
        }
        session.first_reply_pending = false;
        session.deadline_then_last_reply = now;
        session.wait = session.wait.next(); // voids the reply-patience timer
        session.exchanges_left -= 1;
        let agent = session.agent;
        let more = session.exchanges_left > 0;
        let stamp = session.flow;
        let eligible_again = session.gating && self.ungate(s);
        if self.workflow {
            if self.cfg.rates && self.sessions.work[s as usize].through_transfer {
                let cold = &mut self.sessions.cold[s as usize];
                cold.transfers = cold.transfers.saturating_add(1);
            }
            let duration = now - self.sessions.hot[s as usize].pending_since_then_ended_at;
            self.transfer_reply(s, duration);
            if self.asynchronous {
                self.resumed_reply(s, duration);
            }
        }
        self.emit(record);
        self.agents[agent as usize].composing = NONE;
        // After the last exchange with this agent, a customer who needs a transfer or a
        // conference writes again (that message is the request); a conference's joined agent
        // leaves after its part and the owner goes on.
        let more = more || self.next_part(s);
        if more {
            self.sessions.hot[s as usize].phase = Phase::Thinking;
            let customer = &mut self.sessions.customer[s as usize];
            let think = chat.think.sample(&mut customer.think);
            // A silent leaver, or a customer who stays quiet past the first inactivity timer or
            // the park, is rare: the usual reply just waits for the customer's next message.
            let silent =
                chat.silent_leave > 0.0 && customer.think.random::<f64>() < chat.silent_leave;
            if silent || think > chat.quiet_after() {
                self.customer_goes_quiet(s, think, silent);
            } else {
                self.sched
                    .schedule_in(think, Event::CustomerMessage { session: s, stamp });
            }
        } else {
            if self.cfg.rates {
                // The customer saw the chat through: the survey may be shown.
                self.sessions.cold[s as usize].completed = true;
            }
            self.end_chat(s);
        }
        self.attend_next(agent);
        if eligible_again {
            self.dispatch_group(self.agents[agent as usize].group);
        }
    }

    /// Schedule the customer's leaving for want of a reply to the pending message of `s`, on
    /// the wait lane's current stamp: their reply patience counted from the message (at once if
    /// it is over already). For a message that waits again (requeued, resumed).
    pub(super) fn arm_reply_patience(&mut self, s: u32) {
        let session = &self.sessions.hot[s as usize];
        let ends = session.pending_since_then_ended_at + session.reply_patience;
        if ends.is_finite() {
            let stamp = session.wait;
            self.sched.schedule_at(
                ends.max(self.now()),
                Event::ReplyAbandon { session: s, stamp },
            );
        }
    }

    /// `agent` accepted chat `s` whose message waited again (reassigned, resumed): reply
    /// patience runs on from the message, the escalation timers from now, and the message
    /// joins the agent's attention.
    pub(super) fn pending_again(&mut self, s: u32, agent: u32) {
        self.arm_reply_patience(s);
        if self.escalating {
            self.arm_escalation(s, self.now());
        }
        self.join_attention(s, agent);
    }

    pub(super) fn on_reply_abandon(&mut self, s: u32, stamp: Stamp) {
        let session = &mut self.sessions.hot[s as usize];
        if session.wait != stamp || !session.phase.message_pending() {
            return;
        }
        if matches!(
            session.phase,
            Phase::Requeued | Phase::Reoffered | Phase::Resuming
        ) {
            self.abandon_unassigned(s);
            return;
        }
        session.flow = session.flow.next(); // voids the reply being composed
        let (agent, phase) = (session.agent, session.phase);
        let record = Record::AbandonedChat {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            unassigned: false,
            during_offer: false,
            during_transfer: phase == Phase::Inviting
                && self.sessions.work[s as usize].purpose == super::records::Purpose::Transfer,
        };
        match phase {
            // The message waited outside the agent's attention, an invitation out for it.
            Phase::Inviting => self.withdraw_invitation(s),
            Phase::Consulting => self.abandon_consultation(s),
            _ => self.leave_attention(s, agent, phase),
        }
        let eligible_again = self.sessions.hot[s as usize].gating && self.ungate(s);
        self.emit(record);
        self.after_abandon(s);
        self.end_chat(s);
        self.attend_next(agent);
        if eligible_again {
            self.dispatch_group(self.agents[agent as usize].group);
        }
    }

    /// The pending message of `s` (in `phase`) leaves its agent's attention: the reply being
    /// composed is dropped, or the message leaves the attention block.
    pub(super) fn leave_attention(&mut self, s: u32, agent: u32, phase: Phase) {
        if self.cfg.attention != Attention::Parallel {
            if phase == Phase::Composing {
                self.agents[agent as usize].composing = NONE;
            } else {
                self.forget_waiting(agent, s);
            }
        }
    }

    /// Remove a message from the agent's attention block (its customer left).
    fn forget_waiting(&mut self, agent: u32, s: u32) {
        let a = self.agents[agent as usize];
        let block = &mut self.attention[a.block as usize..(a.block + a.waiting) as usize];
        if let Some(i) = block.iter().position(|&x| x == s) {
            block.copy_within(i + 1.., i);
            self.agents[agent as usize].waiting -= 1;
        }
    }
}
