//! Routing: which agent takes a chat, and which chat a freed agent takes.
//!
//! Each group keeps its agents that can take a chat in a pool, best first for the routing
//! policy. A chat that becomes eligible (it arrives, an overflow tier opens, an offer is
//! withdrawn) is offered to the best agent of the first of its open tiers that has one: a
//! look at the front of a few pools. An agent that frees a slot looks at the heads of its own
//! group's queues only, highest priority first, then the chat that has waited longest. Neither
//! scans all queues or all agents. So a queue is never left waiting while an eligible agent is
//! free: every event that frees an agent or makes a chat eligible dispatches at once.

use std::collections::VecDeque;

use super::center::ContactCenter;
use super::config::Routing;
use super::records::Observer;
use super::session::{Phase, NONE};
use crate::engine::IndexedMinHeap;

/// An entry of an idle queue: valid while the agent is idle with that ticket.
#[derive(Clone, Copy, Debug)]
pub(super) struct IdleEntry {
    /// Bit pattern of the agent's `free_since` when queued (ties are ordered by agent).
    free_since: u64,
    agent: u32,
    ticket: u32,
}

/// A group's agents on shift with a free slot, best first for the routing policy.
pub(super) enum Pool {
    /// One slot per agent. Every policy then orders by (`free_since`, agent): the primary
    /// criterion is the same for all free agents (none holds a chat). And an agent joins the set
    /// only when its slot becomes free or it comes on shift without a chat, both with
    /// `free_since = now`, the latest time yet: joining at the back keeps the queue in order,
    /// and the best agent is at the front. O(1) per operation instead of O(log n), and the front
    /// is read sequentially. Leaving is lazy: the agent's ticket changes and the stale entry is
    /// dropped when it reaches the front (it is the front itself when the agent takes a chat).
    Fifo(VecDeque<IdleEntry>),
    /// Several slots: least_busy and most_busy move an agent within the order when it takes a
    /// chat, and an agent coming back on shift with chats in hand keeps an old `free_since`,
    /// so the order is not a FIFO.
    Heap(IndexedMinHeap<RoutingKey>),
}

/// Order of the agents that can take a chat, best first: the routing policy's criterion, then
/// longest idle, then the lowest agent number. Fields compare in declaration order. Agents of
/// different groups compare by the same key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct RoutingKey {
    primary: u32,
    /// Bit pattern of the agent's `free_since`: non-negative, so it orders like the time.
    free_since: u64,
    agent: u32,
}

impl Pool {
    /// A pool for a group of `agents` agents (numbered from `first`) with `capacity` slots.
    pub fn new(agents: usize, first: u32, capacity: u32, fifo: bool) -> Self {
        if capacity == 1 && fifo {
            Pool::Fifo(VecDeque::with_capacity(agents))
        } else {
            // Ids are the floor's agent numbers: positions are kept for ids up to the group's
            // last agent (a few bytes per agent of earlier groups).
            Pool::Heap(IndexedMinHeap::new(first as usize + agents))
        }
    }
}

impl<'c, O: Observer> ContactCenter<'c, O> {
    pub(super) fn routing_key(&self, agent: u32) -> RoutingKey {
        let a = &self.agents[agent as usize];
        let primary = match self.cfg.routing {
            Routing::LeastBusy => a.held,
            Routing::LongestIdle => 0,
            Routing::MostBusy => a.capacity - a.held,
        };
        RoutingKey {
            primary,
            free_since: a.free_since.to_bits(),
            agent,
        }
    }

    /// The agent the routing policy picks among those of `group` that can take a chat.
    #[inline]
    pub(super) fn best_in_group(&mut self, group: u32) -> Option<u32> {
        match &mut self.pools[group as usize] {
            Pool::Heap(heap) => heap.peek(),
            Pool::Fifo(queue) => loop {
                let front = *queue.front()?;
                let a = &self.agents[front.agent as usize];
                if a.idle && a.idle_ticket == front.ticket {
                    return Some(front.agent);
                }
                queue.pop_front();
            },
        }
    }

    /// The agent that takes a chat of `queue` whose tiers `0..=tier` are open: the best agent
    /// of the first open tier that has one.
    #[inline(always)]
    pub(super) fn best_for(&mut self, queue: usize, tier: u8) -> Option<u32> {
        match self.sole_group[queue] {
            Some(group) => self.best_in_group(group),
            None => self.best_over_tiers(queue, tier),
        }
    }

    fn best_over_tiers(&mut self, queue: usize, tier: u8) -> Option<u32> {
        self.best_over_tiers_excluding(queue, tier, [NONE; 2])
    }

    /// [`Self::best_for`] among agents other than the two `excluded` (the agent a reassigned
    /// or transferred chat left; an inviting agent and the last one who declined; [`NONE`]:
    /// none excluded).
    pub(super) fn best_for_excluding(
        &mut self,
        queue: usize,
        tier: u8,
        excluded: [u32; 2],
    ) -> Option<u32> {
        match self.sole_group[queue] {
            Some(group) => self.best_in_group_excluding(group, excluded),
            None => self.best_over_tiers_excluding(queue, tier, excluded),
        }
    }

    fn best_over_tiers_excluding(
        &mut self,
        queue: usize,
        tier: u8,
        excluded: [u32; 2],
    ) -> Option<u32> {
        let cfg = self.cfg;
        for t in &cfg.queues[queue].tiers[..=tier as usize] {
            let mut best: Option<(RoutingKey, u32)> = None;
            for &g in &t.groups {
                if let Some(agent) = self.best_in_group_excluding(g as u32, excluded) {
                    let key = self.routing_key(agent);
                    if best.map_or(true, |(k, _)| key < k) {
                        best = Some((key, agent));
                    }
                }
            }
            if let Some((_, agent)) = best {
                return Some(agent);
            }
        }
        None
    }

    /// [`Self::best_in_group`] among agents other than the two `excluded`.
    pub(super) fn best_in_group_excluding(
        &mut self,
        group: u32,
        excluded: [u32; 2],
    ) -> Option<u32> {
        let best = self.best_in_group(group)?;
        if !excluded.contains(&best) {
            return Some(best);
        }
        match &self.pools[group as usize] {
            Pool::Heap(heap) => heap.peek_excluding(excluded),
            Pool::Fifo(queue) => queue
                .iter()
                .skip(1)
                .find(|e| {
                    let a = &self.agents[e.agent as usize];
                    a.idle && a.idle_ticket == e.ticket && !excluded.contains(&e.agent)
                })
                .map(|e| e.agent),
        }
    }

    /// The agent a waiting chat must not be offered to: the one a requeued chat left, or the
    /// inviting agent of an invitation ([`NONE`] for any other chat).
    #[inline(always)]
    fn left_agent(&self, s: u32) -> u32 {
        if matches!(
            self.sessions.hot[s as usize].phase,
            Phase::Requeued | Phase::Inviting
        ) {
            self.sessions.cold[s as usize].left_agent
        } else {
            NONE
        }
    }

    /// Whether waiting chat `s` may never go back to the agent it left (a transfer, an
    /// invitation), even with nobody else on shift; a reassigned chat may.
    #[inline]
    fn never_back(&self, s: u32) -> bool {
        self.sessions.hot[s as usize].phase == Phase::Inviting || self.requeued_by_transfer(s)
    }

    /// Whether a requeued chat of `queue` (tiers `0..=tier` open) that left `left` has no other
    /// agent on shift in those tiers to wait for: it may then go back to `left` rather than
    /// wait for nobody.
    #[cold]
    fn only_the_left_agent_is_on_shift(&self, queue: usize, tier: u8, left: u32) -> bool {
        let groups = self.cfg.queues[queue].tiers[..=tier as usize]
            .iter()
            .flat_map(|t| &t.groups);
        let mut present = 0;
        for &g in groups {
            present += if self.several_groups {
                self.group_loads[g].present
            } else {
                self.load.present
            };
        }
        present <= u32::from(self.agents[left as usize].present())
    }

    /// Take the chat at `at` (0: the head) out of `queue` and offer it to `agent`.
    #[inline(always)]
    fn offer_at(&mut self, queue: usize, at: usize, s: u32, agent: u32) {
        self.queues[queue].take_at(at);
        self.waiting -= 1;
        if self.workflow && self.sessions.hot[s as usize].phase == Phase::Inviting {
            // An invitation that waited here: the agent is invited. A new wait stamp voids
            // the overflow-tier timers it had while waiting.
            self.requeued -= 1;
            self.new_wait_stamp(s);
            self.invite_agent(s, agent);
        } else {
            self.offer(s, agent);
        }
    }

    /// Offer a queue's waiting chats, oldest first, to agents of their open tiers while both
    /// exist.
    pub(super) fn dispatch_queue(&mut self, queue: usize) {
        loop {
            let Some(s) = self.queues[queue].head(&self.sessions.hot) else {
                return;
            };
            let tier = self.sessions.hot[s as usize].tier;
            let agent = match self.left_agent(s) {
                NONE => self.best_for(queue, tier),
                left => match self.best_for_excluding(queue, tier, [left; 2]) {
                    Some(agent) => Some(agent),
                    None => {
                        // Only the agent the head left may be free: it takes the head back if
                        // nobody else is on shift to take it, else what it may from behind it.
                        if self.agents[left as usize].can_take() {
                            self.dispatch_group(self.agents[left as usize].group);
                        }
                        return;
                    }
                },
            };
            let Some(agent) = agent else {
                return;
            };
            self.offer_at(queue, 0, s, agent);
        }
    }

    /// `agent` won the head `s` of `queue`, a reassigned chat that left this very agent: the
    /// best other agent of its tiers takes it, or with nobody else on shift this agent takes
    /// it back; else this agent takes the first chat behind it that it may (`tier`: the tier
    /// its group serves the queue from). False when it takes nothing from this queue.
    #[cold]
    fn serve_past_left_agent(&mut self, queue: usize, tier: u8, agent: u32, s: u32) -> bool {
        let head_tier = self.sessions.hot[s as usize].tier;
        if let Some(other) = self.best_for_excluding(queue, head_tier, [agent; 2]) {
            self.offer_at(queue, 0, s, other);
            return true;
        }
        if !self.never_back(s) && self.only_the_left_agent_is_on_shift(queue, head_tier, agent) {
            self.offer_at(queue, 0, s, agent);
            return true;
        }
        let (hot, cold) = (&self.sessions.hot, &self.sessions.cold);
        let behind = self.queues[queue].find_behind(hot, |b| {
            let session = &hot[b as usize];
            session.tier >= tier
                && !(matches!(session.phase, Phase::Requeued | Phase::Inviting)
                    && cold[b as usize].left_agent == agent)
        });
        match behind {
            Some((at, b)) => {
                self.offer_at(queue, at, b, agent);
                true
            }
            None => false,
        }
    }

    /// Agents of `group` with a free slot take waiting chats from the heads of the group's
    /// queues: highest priority first, then the chat that has waited longest.
    #[inline(always)]
    pub(super) fn dispatch_group(&mut self, group: u32) {
        debug_assert_eq!(
            self.waiting,
            self.queues.iter().map(|q| q.live).sum::<usize>(),
            "the count of waiting chats drifted from the queues'"
        );
        if self.affinity.has_ready() {
            // Resumed sessions waiting for an agent that can take them go first.
            self.serve_affinity();
        }
        if self.waiting == 0 {
            // Nobody waits anywhere (the usual case below saturation): nothing to look at.
            return;
        }
        let served = &self.served[group as usize];
        if served.len() == 1 {
            // One queue (always so in the one-queue format): its head, while an agent is free.
            let (queue, tier) = served[0];
            if self.queues[queue].live > 0 {
                self.dispatch_one_queue(group, queue, tier);
            }
        } else {
            self.dispatch_queues(group);
        }
    }

    fn dispatch_one_queue(&mut self, group: u32, queue: usize, tier: u8) {
        while self.queues[queue].live > 0 {
            let Some(agent) = self.best_in_group(group) else {
                return;
            };
            let Some(s) = self.queues[queue].head(&self.sessions.hot) else {
                return;
            };
            if self.sessions.hot[s as usize].tier < tier {
                return;
            }
            if self.left_agent(s) != agent {
                self.offer_at(queue, 0, s, agent);
            } else if !self.serve_past_left_agent(queue, tier, agent, s) {
                return;
            }
        }
    }

    fn dispatch_queues(&mut self, group: u32) {
        let cfg = self.cfg;
        // Queues whose head left the agent at hand and where it found nothing else to take:
        // left out of the choice for that agent (rare; a few at most).
        let mut passed: Vec<usize> = Vec::new();
        let mut passed_for = NONE;
        loop {
            let Some(agent) = self.best_in_group(group) else {
                return;
            };
            if agent != passed_for {
                passed.clear();
                passed_for = agent;
            }
            let mut best: Option<(i64, f64, usize, u8, u32)> = None;
            for i in 0..self.served[group as usize].len() {
                let (queue, tier) = self.served[group as usize][i];
                if !passed.is_empty() && passed.contains(&queue) {
                    continue;
                }
                let Some(s) = self.queues[queue].head(&self.sessions.hot) else {
                    continue;
                };
                if self.sessions.hot[s as usize].tier < tier {
                    continue;
                }
                let priority = cfg.queues[queue].priority;
                let since = self.waiting_since(s);
                let better = match best {
                    None => true,
                    Some((p, earliest, ..)) => priority > p || (priority == p && since < earliest),
                };
                if better {
                    best = Some((priority, since, queue, tier, s));
                }
            }
            let Some((_, _, queue, tier, s)) = best else {
                return;
            };
            // A reassigned head competes on priority and age like any chat; only the winner is
            // checked for having left this agent.
            if self.left_agent(s) != agent {
                self.offer_at(queue, 0, s, agent);
            } else if !self.serve_past_left_agent(queue, tier, agent, s) {
                passed.push(queue);
            }
        }
    }

    /// Put the agent in, out of, or at its new place in its group's pool. Inlined: with one
    /// slot per agent (the idle FIFO) this runs twice per chat and is a few instructions.
    #[inline(always)]
    pub(super) fn refresh_availability(&mut self, agent: u32) {
        let a = &mut self.agents[agent as usize];
        let can_take = a.can_take();
        let group = a.group as usize;
        if self.affinity.awaiting > 0 && can_take {
            // Resumed sessions may wait for this agent: served at the next dispatch.
            self.affinity.note_free(agent);
        }
        if self.proactive.on {
            self.proactive_refresh(agent);
        }
        let a = &mut self.agents[agent as usize];
        match &mut self.pools[group] {
            Pool::Fifo(queue) => {
                if can_take && !a.idle {
                    a.idle = true;
                    let entry = IdleEntry {
                        free_since: a.free_since.to_bits(),
                        agent,
                        ticket: a.idle_ticket,
                    };
                    // The order above holds because every agent joins with free_since = now.
                    debug_assert_eq!(a.free_since, self.sched.now());
                    // Agents freed at the same instant go by agent number, as in the heap's
                    // key (almost never: ties in time need deterministic durations).
                    match queue.back() {
                        Some(last) if last.free_since == entry.free_since && last.agent > agent => {
                            join_among_ties(queue, entry)
                        }
                        _ => queue.push_back(entry),
                    }
                } else if !can_take && a.idle {
                    // A ticket changes at most twice per chat or state change, and the stale
                    // entry leaves at the next pick at the latest, long before 2^32.
                    a.idle = false;
                    a.idle_ticket = a.idle_ticket.wrapping_add(1);
                }
            }
            Pool::Heap(_) => self.refresh_in_heap(agent, can_take, group),
        }
    }

    fn refresh_in_heap(&mut self, agent: u32, can_take: bool, group: usize) {
        let key = can_take.then(|| self.routing_key(agent));
        if let Pool::Heap(heap) = &mut self.pools[group] {
            match key {
                Some(key) => heap.set(agent, key),
                None => heap.remove(agent),
            }
        }
    }
}

/// Insert an idle agent after the agents freed at the same instant with a lower number, before
/// those with a higher one (the last entry is one of the latter).
#[cold]
fn join_among_ties(queue: &mut VecDeque<IdleEntry>, entry: IdleEntry) {
    let mut at = queue.len() - 1;
    while at > 0 {
        let before = queue[at - 1];
        if before.free_since == entry.free_since && before.agent > entry.agent {
            at -= 1;
        } else {
            break;
        }
    }
    queue.insert(at, entry);
}
