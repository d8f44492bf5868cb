//! Transfers and invitations: a customer's message that needs another queue or group, and the
//! agent acting on it instead of replying.
//!
//! When an agent accepts a chat, its queue's `[transfer]` decides whether the chat will need a
//! transfer and after how many exchanges with this agent ([`ContactCenter::start_leg`]); the
//! customer's next message after those exchanges is the request. The message then waits, its
//! indicator running, until the first reply after it, whoever sends it:
//!
//! - `how = "queue"`: the agent leaves the chat at once (its own wrap-up follows) and the chat
//!   waits at the end of the target queue (`Requeued` by a transfer), with queue patience drawn
//!   anew from the target queue and its overflow tiers counted from the transfer; it is never
//!   offered back to the agent who transferred it. The agent who accepts it goes on with the
//!   customer's pending message.
//! - `how = "invite"`: the agent keeps the chat (`Inviting`) while an agent of the target is
//!   invited: chosen by routing among the target's agents with a free slot, never the
//!   inviting agent, its slot reserved while it answers. It answers after `answer_delay`,
//!   refusing with probability `refuse`; past `timeout` the invitation is ignored. A refused or
//!   ignored invitation is followed by another (`retries`), else the agent carries on alone
//!   with the conversation the chat would have had. With no agent of a target queue free the
//!   invitation waits at the end of that queue until its timeout; with none of a target group
//!   free it fails at once, and it fails at once when the inviting agent is the only Ready
//!   agent of the target.
//!
//! After a transfer the chat is served under its new queue's settings (for a group target, its
//! own queue's): a conversation drawn from that queue, its compose times, indicator, escalation
//! and transfers. Its contact KPIs stay with the queue it arrived in. The state of all this sits
//! in the sessions' [`Work`](super::session::Work) array, which runs without transfers never
//! touch: the only cost they pay is one test of a flag.

use rand::Rng;

use super::center::ContactCenter;
use super::config::{Conference, Consultation, Target, Transfer, TransferHow};
use super::event::Event;
use super::records::{AgentState, Observer, Purpose, Record, TransferFailure};
use super::session::{Phase, Requeue, NONE};
use crate::engine::Stamp;

impl<'c, O: Observer> ContactCenter<'c, O> {
    /// The queue whose settings chat `s` is served under.
    #[inline(always)]
    pub(super) fn serving(&self, s: u32) -> usize {
        if self.workflow {
            self.sessions.work[s as usize].serving as usize
        } else {
            self.sessions.hot[s as usize].queue as usize
        }
    }

    /// An agent accepted chat `s` to serve it under `serving`'s settings (at its first accept,
    /// or after a transfer): the agent's part starts, and `serving`'s transfers decide whether
    /// the customer will ask for one, after how many exchanges.
    #[cold]
    pub(super) fn start_leg(&mut self, s: u32, serving: usize) {
        self.start_leg_with(s, serving, true);
    }

    /// [`Self::start_leg`]; without `may_transfer` the chat asks for no transfer in this part
    /// (it was just transferred to a group, within its own queue: its need is met).
    fn start_leg_with(&mut self, s: u32, serving: usize, may_transfer: bool) {
        let now = self.now();
        let work = &mut self.sessions.work[s as usize];
        work.serving = serving as u32;
        work.leg_since = now;
        work.request = None;
        // Set again by `transferred` when this part follows a transfer.
        work.through_transfer = false;
        work.requeued_by = Requeue::Reassignment;
        let chat = &self.cfg.queues[serving].chat;
        let transfer = chat.transfer.as_ref().map_or(0.0, |t| t.share);
        let conference = chat.conference.as_ref().map_or(0.0, |c| c.share);
        let consultation = chat.consultation.as_ref().map_or(0.0, |c| c.share);
        if !may_transfer || transfer + conference + consultation == 0.0 {
            return;
        }
        // One draw decides between a transfer, a conference and neither (the shares are
        // checked to sum to at most 1).
        let streams = &mut self.rng.work[serving];
        let u = streams.decide.random::<f64>();
        let (purpose, after) = match (&chat.transfer, &chat.conference, &chat.consultation) {
            (Some(t), _, _) if u < transfer => (Purpose::Transfer, &t.after_exchanges),
            (_, Some(c), _) if u < transfer + conference => {
                (Purpose::Conference, &c.after_exchanges)
            }
            (_, _, Some(c)) if u < transfer + conference + consultation => {
                (Purpose::Consultation, &c.after_exchanges)
            }
            _ => return,
        };
        let before = after.sample(&mut streams.after).max(1);
        let session = &mut self.sessions.hot[s as usize];
        work.request = Some(purpose);
        work.exchanges_after_request = session.exchanges_left.saturating_sub(before).max(1);
        session.exchanges_left = before;
    }

    /// The transfer settings chat `s` is under (it asked for a transfer: its queue has them).
    fn transfer_of(&self, s: u32) -> &'c Transfer {
        self.cfg.queues[self.serving(s)]
            .chat
            .transfer
            .as_ref()
            .expect("a transfer comes from a queue with transfers")
    }

    /// The conference settings chat `s` is under (it asked for one).
    fn conference_of(&self, s: u32) -> &'c Conference {
        self.cfg.queues[self.serving(s)]
            .chat
            .conference
            .as_ref()
            .expect("a conference comes from a queue with conferences")
    }

    /// The consultation settings chat `s` is under (it asked for one).
    fn consultation_of(&self, s: u32) -> &'c Consultation {
        self.cfg.queues[self.serving(s)]
            .chat
            .consultation
            .as_ref()
            .expect("a consultation comes from a queue with consultations")
    }

    /// Where the invitation out for `s` goes.
    fn invitation_target(&self, s: u32) -> Target {
        match self.sessions.work[s as usize].purpose {
            Purpose::Transfer => self.transfer_of(s).to,
            Purpose::Conference => self.conference_of(s).with,
            Purpose::Consultation => self.consultation_of(s).with,
        }
    }

    /// After the last reply of an agent's part (no exchange left with it): whether the
    /// conversation goes on — the customer will ask for a transfer or a conference, or a
    /// conference's joined agent leaves and the owner goes on.
    #[inline]
    pub(super) fn next_part(&mut self, s: u32) -> bool {
        if !self.workflow {
            return false;
        }
        let work = &self.sessions.work[s as usize];
        if work.request.is_some() {
            return true;
        }
        if work.partner != NONE {
            self.conference_over(s);
            return true;
        }
        false
    }

    /// The joined agent has answered its exchanges: it leaves, and the owner goes on with the
    /// conversation's rest.
    #[cold]
    fn conference_over(&mut self, s: u32) {
        let joined = self.sessions.hot[s as usize].agent;
        let work = &mut self.sessions.work[s as usize];
        let (owner, owner_since, rest, since) = (
            work.partner,
            work.owner_since,
            work.after_conference,
            work.leg_since,
        );
        work.partner = NONE;
        work.leg_since = owner_since;
        let session = &mut self.sessions.hot[s as usize];
        session.agent = owner;
        session.exchanges_left = rest;
        self.leave_chat(s, joined, since);
        self.dispatch_group(self.agents[joined as usize].group);
    }

    /// The chat ends during a conference: the owner leaves with it (its own wrap-up).
    #[cold]
    pub(super) fn partner_leaves(&mut self, s: u32) {
        let work = &mut self.sessions.work[s as usize];
        let owner = work.partner;
        if owner == NONE {
            return;
        }
        work.partner = NONE;
        let since = work.owner_since;
        self.leave_chat(s, owner, since);
        self.dispatch_group(self.agents[owner as usize].group);
    }

    /// The customer's message of `s` (pending now) asks for the transfer: the agent acts on it
    /// instead of replying.
    #[cold]
    pub(super) fn on_request(&mut self, s: u32) {
        let now = self.now();
        let from = self.serving(s);
        let work = &mut self.sessions.work[s as usize];
        let purpose = work.request.take().expect("a request is due");
        work.requested_at = now;
        work.purpose = purpose;
        let session = &self.sessions.hot[s as usize];
        let agent = session.agent;
        self.emit(Record::Requested {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            from: from as u32,
            agent,
            group: self.agents[agent as usize].group,
            purpose,
        });
        let how = match purpose {
            Purpose::Transfer => self.transfer_of(s).how,
            Purpose::Conference | Purpose::Consultation => TransferHow::Invite,
        };
        match (how, self.invitation_target(s)) {
            (TransferHow::Queue, Target::Queue(target)) => self.transfer_to_queue(s, target),
            (TransferHow::Queue, Target::Group(_)) => {
                unreachable!("the scenario allows how = \"queue\" only to a queue")
            }
            (TransferHow::Invite, _) => {
                let retries = self.cfg.invitation.as_ref().map_or(0, |i| i.retries);
                let work = &mut self.sessions.work[s as usize];
                work.invites_left = retries;
                work.declined_by = NONE;
                self.sessions.hot[s as usize].phase = Phase::Inviting;
                self.invite(s);
            }
        }
    }

    /// `how = "queue"`: the agent leaves the chat, which waits at the end of `target`.
    fn transfer_to_queue(&mut self, s: u32, target: usize) {
        let now = self.now();
        let session = &mut self.sessions.hot[s as usize];
        // Voids reply patience and the escalation timers: queue patience replaces them.
        session.wait = session.wait.next();
        let agent = session.agent;
        session.phase = Phase::Requeued;
        session.agent = NONE;
        session.tier = 0;
        let wait = session.wait;
        let cold = &mut self.sessions.cold[s as usize];
        cold.left_agent = agent;
        cold.waits_in = target as u32;
        let work = &mut self.sessions.work[s as usize];
        work.requeued_by = Requeue::Transfer;
        work.entered_at = now;
        if let Some(patience) = &self.cfg.queues[target].chat.queue_patience {
            let at = now + patience.sample(&mut self.rng.work[target].patience);
            self.sched.schedule_at(
                at,
                Event::QueueAbandon {
                    session: s,
                    stamp: wait,
                },
            );
        }
        let since = self.sessions.work[s as usize].leg_since;
        self.leave_chat(s, agent, since);
        self.open_due_tiers(s, target);
        self.queues[target].push_back(s, wait);
        self.waiting += 1;
        self.requeued += 1;
        self.dispatch_queue(target);
        let group = self.agents[agent as usize].group;
        self.dispatch_group(group);
    }

    /// `agent` leaves chat `s` for good (a transfer): its part ends with its own wrap-up,
    /// during which it keeps the slot.
    fn leave_chat(&mut self, s: u32, agent: u32, since: f64) {
        let now = self.now();
        let wrapup = self.draw_wrapup(s, self.serving(s)).max(0.0);
        let session = &self.sessions.hot[s as usize];
        let record = Record::AgentLeft {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            agent,
            group: self.agents[agent as usize].group,
            handle_time: now - since + wrapup,
            wrapup,
        };
        self.emit(record);
        if wrapup > 0.0 {
            self.sched
                .schedule_in(wrapup, Event::LeftWrapupDone { agent });
        } else {
            self.release_slot(agent);
        }
    }

    /// The wrap-up of an agent who left a chat is over: its slot is free.
    pub(super) fn on_left_wrapup_done(&mut self, agent: u32) {
        self.release_slot(agent);
        self.dispatch_group(self.agents[agent as usize].group);
    }

    /// An agent accepted a chat transferred to a queue: it goes on with the customer's pending
    /// message, under the target queue's settings.
    pub(super) fn accept_transferred(&mut self, s: u32) {
        let now = self.now();
        let target = self.sessions.cold[s as usize].waits_in as usize;
        // Its next reassignment, if any, is its first (`Reassigned::first`).
        self.sessions.cold[s as usize].left_agent = NONE;
        let session = &mut self.sessions.hot[s as usize];
        session.wait = session.wait.next(); // voids queue patience and the tiers
        session.phase = Phase::Pending;
        let (agent, wait, patience) = (session.agent, session.wait, session.reply_patience);
        if patience.is_finite() {
            // The customer sees the new agent join: their patience for a reply starts again.
            self.sched.schedule_at(
                now + patience,
                Event::ReplyAbandon {
                    session: s,
                    stamp: wait,
                },
            );
        }
        self.transferred(s, agent, target);
    }

    /// The transfer of `s` is done: `agent` holds the chat now, to serve it under `serving`
    /// (the same queue after a transfer to a group: its transfers do not apply again).
    fn transferred(&mut self, s: u32, agent: u32, serving: usize) {
        let now = self.now();
        let from = self.serving(s);
        let exchanges = self.cfg.queues[serving]
            .chat
            .exchanges
            .sample(&mut self.rng.work[serving].exchanges);
        let session = &mut self.sessions.hot[s as usize];
        session.exchanges_left = exchanges.max(1);
        let record = Record::Transferred {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            from: from as u32,
            to: serving as u32,
            agent,
            group: self.agents[agent as usize].group,
            time_to_transfer: now - self.sessions.work[s as usize].requested_at,
        };
        self.emit(record);
        self.start_leg_with(s, serving, serving != from);
        self.sessions.work[s as usize].through_transfer = true;
        if self.escalating {
            self.arm_escalation(s, now);
        }
        self.join_attention(s, agent);
    }

    /// The reply to a message that waited through a transfer (call at the reply).
    #[cold]
    pub(super) fn transfer_reply(&mut self, s: u32, duration: f64) {
        let work = &mut self.sessions.work[s as usize];
        if !work.through_transfer {
            return;
        }
        work.through_transfer = false;
        let serving = work.serving;
        let session = &self.sessions.hot[s as usize];
        self.emit(Record::TransferReply {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            to: serving,
            duration,
        });
    }

    /// Whether `owner` is the only Ready agent of `target` (a group, or a queue's first tier).
    fn only_ready_agent(&self, target: Target, owner: u32) -> bool {
        let a = &self.agents[owner as usize];
        let (own, owner_ready) = (a.group as usize, u32::from(a.state == AgentState::Ready));
        // The owner counts among the Ready agents only when it is Ready itself (it may be Not
        // Ready after a missed offer, or past its shift, and still hold the chat).
        match target {
            Target::Group(g) => own == g && self.ready[g] - owner_ready == 0,
            Target::Queue(q) => {
                let groups = &self.cfg.queues[q].tiers[0].groups;
                groups.contains(&own)
                    && groups.iter().map(|&g| self.ready[g]).sum::<u32>() - owner_ready == 0
            }
        }
    }

    /// Invite an agent of the transfer's target for chat `s` (in `Inviting`), or fail.
    fn invite(&mut self, s: u32) {
        let now = self.now();
        let target = self.invitation_target(s);
        let owner = self.sessions.hot[s as usize].agent;
        let declined = self.sessions.work[s as usize].declined_by;
        if self.only_ready_agent(target, owner) {
            // The inviting agent is the only Ready agent of the target (Zendesk's rule).
            self.invitation_failed(s, TransferFailure::OnlyAgent);
            return;
        }
        let picked = match target {
            Target::Group(g) => self.best_in_group_excluding(g as u32, [owner, declined]),
            Target::Queue(q) => self.best_for_excluding(q, 0, [owner, declined]),
        };
        let work = &mut self.sessions.work[s as usize];
        work.invite = work.invite.next();
        work.entered_at = now;
        work.invited = NONE;
        let stamp = work.invite;
        match (picked, target) {
            (Some(agent), _) => self.invite_agent(s, agent),
            (None, Target::Group(_)) => {
                self.invitation_failed(s, TransferFailure::NoAgent);
                return;
            }
            (None, Target::Queue(q)) => self.queue_invitation(s, q),
        }
        let timeout = self.invitation_timeout();
        if timeout.is_finite() {
            self.sched.schedule_at(
                now + timeout,
                Event::InvitationTimeout { session: s, stamp },
            );
        }
    }

    fn invitation_timeout(&self) -> f64 {
        self.cfg
            .invitation
            .as_ref()
            .map_or(f64::INFINITY, |i| i.timeout)
    }

    /// No agent of target queue `q` is free: the invitation waits at its end (until the
    /// timeout) like a chat, with that queue's overflow tiers counted from now.
    fn queue_invitation(&mut self, s: u32, q: usize) {
        // A new wait stamp: an entry of an earlier invitation of this chat, still in some
        // queue, stays stale.
        let wait = self.new_wait_stamp(s);
        self.sessions.hot[s as usize].tier = 0;
        let owner = self.sessions.hot[s as usize].agent;
        let cold = &mut self.sessions.cold[s as usize];
        cold.waits_in = q as u32;
        cold.left_agent = owner;
        self.open_due_tiers(s, q);
        self.queues[q].push_back(s, wait);
        self.waiting += 1;
        self.requeued += 1;
    }

    /// `agent` is invited for chat `s`: its slot is reserved while it answers.
    pub(super) fn invite_agent(&mut self, s: u32, agent: u32) {
        let now = self.now();
        self.take_slot(agent);
        let from = self.serving(s);
        let invitation = self
            .cfg
            .invitation
            .as_ref()
            .expect("invitations have their settings");
        let work = &mut self.sessions.work[s as usize];
        work.invited = agent;
        let (stamp, started, purpose) = (work.invite, work.entered_at, work.purpose);
        let session = &self.sessions.hot[s as usize];
        self.emit(Record::Invited {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            from: from as u32,
            agent,
            group: self.agents[agent as usize].group,
            purpose,
        });
        let delay = invitation
            .answer_delay
            .sample(&mut self.rng.work[from].answer)
            .max(0.0);
        if now + delay <= started + invitation.timeout {
            self.sched
                .schedule_in(delay, Event::InvitationAnswer { session: s, stamp });
        }
    }

    /// The invited agent answers: refuses (with probability `refuse`) or accepts.
    pub(super) fn on_invitation_answer(&mut self, s: u32, stamp: Stamp) {
        if !self.invitation_live(s, stamp) {
            return;
        }
        let from = self.serving(s);
        let refuse = self.cfg.invitation.as_ref().map_or(0.0, |i| i.refuse);
        if refuse > 0.0 && self.rng.work[from].refuse.random::<f64>() < refuse {
            self.declined(s, false);
            return;
        }
        let work = &mut self.sessions.work[s as usize];
        let agent = work.invited;
        work.invited = NONE;
        work.invite = work.invite.next(); // voids the timeout
        let (purpose, since) = (work.purpose, work.leg_since);
        let owner = self.sessions.hot[s as usize].agent;
        self.sessions.hot[s as usize].phase = Phase::Pending;
        // `left_agent` held the inviting agent while the invitation waited in a queue.
        self.sessions.cold[s as usize].left_agent = NONE;
        match purpose {
            Purpose::Conference => return self.joined(s, agent),
            Purpose::Consultation => return self.consult_start(s, agent),
            Purpose::Transfer => {}
        }
        let serving = match self.transfer_of(s).to {
            Target::Queue(q) => q,
            Target::Group(_) => from,
        };
        self.leave_chat(s, owner, since);
        self.sessions.hot[s as usize].agent = agent;
        self.transferred(s, agent, serving);
        self.dispatch_group(self.agents[owner as usize].group);
    }

    /// `agent` accepted to join the conference of `s`: it answers the next exchanges (its own
    /// attention and compose times) while the owner keeps its slot, or, when the owner leaves at
    /// once, it owns the chat from now on.
    fn joined(&mut self, s: u32, agent: u32) {
        let now = self.now();
        let from = self.serving(s);
        let conference = self.conference_of(s);
        let streams = &mut self.rng.work[from];
        let owner_left = conference.owner_leaves > 0.0
            && streams.owner_leaves.random::<f64>() < conference.owner_leaves;
        let part = conference
            .exchanges
            .sample(&mut streams.conference_exchanges)
            .max(1);
        let session = &self.sessions.hot[s as usize];
        let owner = session.agent;
        self.emit(Record::Joined {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            from: from as u32,
            agent,
            group: self.agents[agent as usize].group,
            owner_left,
        });
        let work = &mut self.sessions.work[s as usize];
        let since = work.leg_since;
        work.leg_since = now;
        if owner_left {
            // Ownership passes: the joined agent goes on with the whole conversation.
            let rest = work.exchanges_after_request;
            let session = &mut self.sessions.hot[s as usize];
            session.agent = agent;
            session.exchanges_left = rest;
            self.leave_chat(s, owner, since);
            self.dispatch_group(self.agents[owner as usize].group);
        } else {
            work.partner = owner;
            work.owner_since = since;
            work.after_conference = work.exchanges_after_request;
            let session = &mut self.sessions.hot[s as usize];
            session.agent = agent;
            session.exchanges_left = part;
        }
        if self.escalating {
            self.arm_escalation(s, now);
        }
        self.join_attention(s, agent);
    }

    /// The invitation of `s` was not answered in time: it is ignored.
    pub(super) fn on_invitation_timeout(&mut self, s: u32, stamp: Stamp) {
        if self.invitation_live(s, stamp) {
            self.declined(s, true);
        }
    }

    #[inline]
    fn invitation_live(&self, s: u32, stamp: Stamp) -> bool {
        self.sessions.hot[s as usize].phase == Phase::Inviting
            && self.sessions.work[s as usize].invite == stamp
    }

    /// The invitation out for `s` was refused, or `ignored` (timed out, answered or not, or
    /// still waiting in its queue): another agent is invited if retries are left, else the
    /// agent carries on alone.
    fn declined(&mut self, s: u32, ignored: bool) {
        let from = self.serving(s);
        let work = &mut self.sessions.work[s as usize];
        let invited = work.invited;
        work.invited = NONE;
        work.declined_by = invited;
        work.invite = work.invite.next();
        let session = &self.sessions.hot[s as usize];
        let record = Record::InvitationDeclined {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            from: from as u32,
            agent: invited,
            group: (invited != NONE).then(|| self.agents[invited as usize].group),
            ignored,
            purpose: self.sessions.work[s as usize].purpose,
        };
        self.emit(record);
        if invited == NONE {
            // It waited in a queue: its entry goes stale (the phase changes below, or the wait
            // stamp when the next invitation queues).
            self.withdraw_queued_invitation(s);
        }
        let retry = {
            let work = &mut self.sessions.work[s as usize];
            let retry = work.invites_left > 0;
            work.invites_left = work.invites_left.saturating_sub(1);
            retry
        };
        if retry {
            self.invite(s);
        } else {
            self.carry_on(s);
        }
        if invited != NONE {
            // Freed after the next invitation is out, so that it goes to another agent.
            self.release_slot(invited);
            self.dispatch_group(self.agents[invited as usize].group);
        }
    }

    /// An invitation waiting in its queue is withdrawn.
    fn withdraw_queued_invitation(&mut self, s: u32) {
        let q = self.sessions.cold[s as usize].waits_in as usize;
        self.queues[q].forget_one();
        self.waiting -= 1;
        self.requeued -= 1;
        // The entry's session must not read as live in that queue any more.
        self.new_wait_stamp(s);
    }

    /// Bump the wait lane of `s` (in `Inviting`), whose reply patience moves to the new stamp.
    pub(super) fn new_wait_stamp(&mut self, s: u32) -> Stamp {
        let now = self.now();
        let session = &mut self.sessions.hot[s as usize];
        session.wait = session.wait.next();
        let (wait, patience_ends) = (
            session.wait,
            session.pending_since_then_ended_at + session.reply_patience,
        );
        if patience_ends.is_finite() {
            self.sched.schedule_at(
                patience_ends.max(now),
                Event::ReplyAbandon {
                    session: s,
                    stamp: wait,
                },
            );
        }
        wait
    }

    /// The transfer cannot be made at once (`why`): the agent carries on alone.
    fn invitation_failed(&mut self, s: u32, why: TransferFailure) {
        let from = self.serving(s);
        let session = &self.sessions.hot[s as usize];
        self.emit(Record::InvitationFailed {
            contact: session.contact,
            queue: u32::from(session.queue),
            arrived_at: session.arrived_at,
            from: from as u32,
            why,
            purpose: self.sessions.work[s as usize].purpose,
        });
        self.carry_on(s);
    }

    /// No transfer after all: the agent replies to the pending message and the conversation
    /// goes on with the exchanges it would have had.
    fn carry_on(&mut self, s: u32) {
        self.sessions.cold[s as usize].left_agent = NONE;
        let session = &mut self.sessions.hot[s as usize];
        session.phase = Phase::Pending;
        session.exchanges_left = self.sessions.work[s as usize].exchanges_after_request;
        let agent = session.agent;
        if self.escalating {
            let since = self.sessions.work[s as usize].leg_since;
            self.arm_escalation(s, since);
        }
        self.join_attention(s, agent);
    }

    /// The customer of `s` left while it was being transferred (`Inviting`, or waiting in a
    /// queue after a transfer): the invitation out, if any, is withdrawn.
    pub(super) fn withdraw_invitation(&mut self, s: u32) {
        let work = &mut self.sessions.work[s as usize];
        let invited = work.invited;
        work.invited = NONE;
        work.invite = work.invite.next();
        if invited != NONE {
            self.release_slot(invited);
            self.dispatch_group(self.agents[invited as usize].group);
        } else {
            self.withdraw_queued_invitation(s);
        }
    }

    /// `colleague` accepted to be consulted on chat `s`: the agent-to-agent messages start, the
    /// agent writing first, while the customer's message waits.
    fn consult_start(&mut self, s: u32, colleague: u32) {
        let now = self.now();
        let from = self.serving(s);
        let messages = self
            .consultation_of(s)
            .messages
            .sample(&mut self.rng.work[from].consult_messages)
            .max(1);
        let session = &mut self.sessions.hot[s as usize];
        session.phase = Phase::Consulting;
        let (owner, contact, queue, arrived_at) = (
            session.agent,
            session.contact,
            u32::from(session.queue),
            session.arrived_at,
        );
        let work = &mut self.sessions.work[s as usize];
        work.colleague = colleague;
        work.consult_left = 2 * messages;
        work.consult_since = now;
        self.emit(Record::ConsultationStarted {
            contact,
            queue,
            arrived_at,
            from: from as u32,
            agent: colleague,
            group: self.agents[colleague as usize].group,
        });
        self.join_attention(s, owner);
    }

    /// Whose turn it is to write in the consultation of `s`: the agent's, then the
    /// colleague's, alternately.
    fn consult_writer(&self, s: u32) -> u32 {
        let work = &self.sessions.work[s as usize];
        if work.consult_left % 2 == 0 {
            self.sessions.hot[s as usize].agent
        } else {
            work.colleague
        }
    }

    /// The writer's attention is on the consultation of `s`: it writes its message (a compose
    /// time of the chat's queue, slowed by the writer's chats held).
    #[cold]
    pub(super) fn start_consult_message(&mut self, s: u32) {
        let writer = self.consult_writer(s);
        let queue = self.serving(s);
        let stamp = self.sessions.hot[s as usize].flow;
        let compose = self.start_writing(s, writer, queue);
        self.sched
            .schedule_in(compose, Event::ConsultMessageDone { session: s, stamp });
    }

    /// An agent-to-agent message of `s` is written: the other one writes next, or the
    /// consultation ends.
    pub(super) fn consult_message_done(&mut self, s: u32) {
        let writer = self.consult_writer(s);
        self.agents[writer as usize].composing = NONE;
        let work = &mut self.sessions.work[s as usize];
        work.consult_left -= 1;
        if work.consult_left > 0 {
            let next = self.consult_writer(s);
            self.join_attention(s, next);
        } else {
            self.consult_end(s);
        }
        self.attend_next(writer);
    }

    /// The consultation of `s` is over: the colleague takes the chat (`then_transfer`: a
    /// two-step transfer, the agent leaves) or leaves it, and the chat's pending message goes
    /// to whoever has it now.
    fn consult_end(&mut self, s: u32) {
        let now = self.now();
        let from = self.serving(s);
        let then_transfer = self.consultation_of(s).then_transfer;
        let two_step = then_transfer > 0.0
            && self.rng.work[from].then_transfer.random::<f64>() < then_transfer;
        let session = &mut self.sessions.hot[s as usize];
        session.phase = Phase::Pending;
        let (owner, contact, queue, arrived_at) = (
            session.agent,
            session.contact,
            u32::from(session.queue),
            session.arrived_at,
        );
        let work = &mut self.sessions.work[s as usize];
        let (colleague, since, owner_since, rest) = (
            work.colleague,
            work.consult_since,
            work.leg_since,
            work.exchanges_after_request,
        );
        work.colleague = NONE;
        self.emit(Record::ConsultationEnded {
            contact,
            queue,
            arrived_at,
            from: from as u32,
            agent: colleague,
            group: self.agents[colleague as usize].group,
            duration: now - since,
            then_transfer: two_step,
        });
        let (keeps, leaves, leaver_since) = if two_step {
            (colleague, owner, owner_since)
        } else {
            (owner, colleague, since)
        };
        self.leave_chat(s, leaves, leaver_since);
        let session = &mut self.sessions.hot[s as usize];
        session.agent = keeps;
        session.exchanges_left = rest;
        if two_step {
            // The colleague's part starts; the chat stays under its queue's settings.
            self.start_leg_with(s, from, false);
            self.sessions.work[s as usize].leg_since = since;
        }
        if self.escalating {
            self.arm_escalation(s, now);
        }
        self.join_attention(s, keeps);
        self.dispatch_group(self.agents[leaves as usize].group);
    }

    /// The customer of `s` left during its consultation: the message being written is
    /// dropped, the colleague leaves (its own wrap-up); the agent's chat ends as usual.
    #[cold]
    pub(super) fn abandon_consultation(&mut self, s: u32) {
        let owner = self.sessions.hot[s as usize].agent;
        let work = &mut self.sessions.work[s as usize];
        let (colleague, since) = (work.colleague, work.consult_since);
        work.colleague = NONE;
        for agent in [owner, colleague] {
            if self.agents[agent as usize].composing == s {
                self.agents[agent as usize].composing = NONE;
            } else {
                self.leave_attention(s, agent, Phase::Pending);
            }
        }
        self.leave_chat(s, colleague, since);
        self.attend_next(colleague);
        self.dispatch_group(self.agents[colleague as usize].group);
    }
}
