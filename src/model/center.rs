//! The chat desk's event loop: arrivals, queueing and routing, offer and accept, the
//! conversation (customer messages, one attention per agent composing replies), patience in
//! queue and in chat, wrap-up and Mark Done, and staffing that changes by interval.
//!
//! Per-event work is a heap operation plus a few field updates: sessions live in a slab that is
//! reused, agents with a free slot sit in a FIFO of idle agents (one slot per agent, where every
//! policy picks the agent idle longest) or else in an indexed heap keyed by the routing policy,
//! and each agent's waiting messages sit in a fixed block of `max_concurrent` entries. The next
//! arrival waits beside the event heap, not in it (the scheduler's lone stream). Nothing here
//! allocates once the run has reached its steady size.

use std::collections::VecDeque;

use rand_distr::{Distribution, Exp1};

use super::config::{Attention, IndicatorBasis, ModelConfig, Routing};
use super::records::{Colour, ContactId, Observer, Record, ABSENT};
use crate::engine::{prefetch, stream, IndexedMinHeap, Scheduler, SimRng, Stamp};

const NONE: u32 = u32::MAX;

/// Switches for tests that check a fast path against the general one.
#[derive(Clone, Copy, Default)]
struct TestSwitches {
    /// Route with the heap even with one slot per agent (to check the idle queue against it).
    heap_routing: bool,
    /// Keep every event in the scheduler's heap (to check its calendar against it).
    plain_event_heap: bool,
}

#[cfg(test)]
thread_local! {
    static TEST_SWITCHES: std::cell::Cell<TestSwitches> = const {
        std::cell::Cell::new(TestSwitches { heap_routing: false, plain_event_heap: false })
    };
}

/// The switches a test set (all off outside tests).
fn test_switches() -> TestSwitches {
    #[cfg(test)]
    return TEST_SWITCHES.with(|s| s.get());
    #[cfg(not(test))]
    TestSwitches::default()
}

/// Sources of randomness, each with its own stream so that changing one part of the model (say,
/// compose times) leaves the customers' arrivals, patience and conversation lengths unchanged.
#[derive(Clone, Copy)]
enum Source {
    Arrivals = 0,
    QueuePatience = 1,
    ReplyPatience = 2,
    Exchanges = 3,
    Think = 4,
    Compose = 5,
    AcceptDelay = 6,
    Wrapup = 7,
}

struct Streams {
    arrivals: SimRng,
    queue_patience: SimRng,
    reply_patience: SimRng,
    exchanges: SimRng,
    think: SimRng,
    compose: SimRng,
    accept_delay: SimRng,
    wrapup: SimRng,
}

impl Streams {
    fn new(seed: u64, replication: u64) -> Self {
        let s = |source: Source| stream(seed, replication, source as u64);
        Streams {
            arrivals: s(Source::Arrivals),
            queue_patience: s(Source::QueuePatience),
            reply_patience: s(Source::ReplyPatience),
            exchanges: s(Source::Exchanges),
            think: s(Source::Think),
            compose: s(Source::Compose),
            accept_delay: s(Source::AcceptDelay),
            wrapup: s(Source::Wrapup),
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Event {
    Arrival,
    StaffingChange { interval: u32 },
    QueueAbandon { session: u32, stamp: Stamp },
    Accepted { session: u32, stamp: Stamp },
    CustomerMessage { session: u32, stamp: Stamp },
    ReplyDone { session: u32, stamp: Stamp },
    ReplyAbandon { session: u32, stamp: Stamp },
    WrapupDone { session: u32, stamp: Stamp },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Free,
    Queued,
    /// Offered to an agent whose slot is reserved during the accept delay.
    Offered,
    /// The customer is reading or typing their next message.
    Thinking,
    /// A customer message waits for the agent's attention.
    Pending,
    /// The agent is composing the reply.
    Composing,
    WrapUp,
}

/// One contact's chat session. Every timer the session schedules carries its `stamp`; moving
/// the session to a state that voids those timers bumps the stamp.
///
/// 64 bytes, aligned to a cache line: on a large floor the session an event touches is usually
/// out of cache, and one line per session is one miss. To fit, two fields serve two phases each,
/// a session needing only one of the two at a time.
#[derive(Clone, Copy, Debug)]
#[repr(align(64))]
struct Session {
    stamp: Stamp,
    phase: Phase,
    first_reply_pending: bool,
    abandon_armed: bool,
    agent: u32,
    exchanges_left: u32,
    contact: ContactId,
    arrived_at: f64,
    /// How long this customer waits for a reply before leaving the chat.
    reply_patience: f64,
    answered_at: f64,
    /// Until the accept: when the customer gives up waiting in queue (infinite without queue
    /// patience). From the accept on: when the agent last sent a message (the accept counts),
    /// where the indicator starts under the `agent_message` basis.
    deadline_then_last_reply: f64,
    /// In conversation: since when the customer's message waits for a reply. After the chat
    /// ends: when it ended (the start of wrap-up).
    pending_since_then_ended_at: f64,
}

const _: () = assert!(std::mem::size_of::<Session>() == 64);

impl Session {
    const FREE: Session = Session {
        stamp: Stamp::ZERO,
        phase: Phase::Free,
        first_reply_pending: false,
        abandon_armed: false,
        agent: NONE,
        exchanges_left: 0,
        contact: 0,
        arrived_at: 0.0,
        reply_patience: f64::INFINITY,
        answered_at: 0.0,
        deadline_then_last_reply: f64::INFINITY,
        pending_since_then_ended_at: 0.0,
    };

    /// Where the response-pending indicator of the waiting message started.
    #[inline]
    fn indicator_start(&self, basis: IndicatorBasis) -> f64 {
        match basis {
            IndicatorBasis::CustomerMessage => self.pending_since_then_ended_at,
            IndicatorBasis::AgentMessage => self.deadline_then_last_reply,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Agent {
    /// Slots in use: offered (reserved), in conversation, or in wrap-up.
    held: u32,
    on_shift: bool,
    /// Session whose reply the agent is composing, or `NONE`.
    composing: u32,
    /// Number of messages waiting in this agent's attention block.
    waiting: u32,
    /// When a slot of this agent last became free (a chat marked done or an offer abandoned)
    /// or the agent came on shift: the "idle" clock of the routing policies.
    free_since: f64,
    /// In the idle queue ([`Available::Fifo`] only); `idle_ticket` tells its live entry from
    /// stale ones. Kept here rather than in the queue: the agent picked is touched next anyway,
    /// so checking its entry costs no extra cache miss.
    idle: bool,
    idle_ticket: u32,
}

/// An entry of the idle queue: valid while the agent is idle with that ticket.
#[derive(Clone, Copy, Debug)]
struct IdleEntry {
    /// Bit pattern of the agent's `free_since` when queued (ties are ordered by agent).
    free_since: u64,
    agent: u32,
    ticket: u32,
}

/// The agents on shift with a free slot, best first for the routing policy.
enum Available {
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
/// longest idle, then the lowest agent number. Fields compare in declaration order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct RoutingKey {
    primary: u32,
    /// Bit pattern of the agent's `free_since`: non-negative, so it orders like the time.
    free_since: u64,
    agent: u32,
}

/// The stretch of constant arrival rate the arrival process is in.
#[derive(Clone, Copy, Debug)]
struct ArrivalSegment {
    end: f64,
    rate: f64,
}

/// Load counters over all agents, kept up to date so the observer never has to scan agents.
#[derive(Clone, Copy, Debug, Default)]
struct Load {
    present: u32,
    busy: u32,
    held: u32,
    slots: u32,
}

/// One replication of the chat desk.
pub struct ContactCenter<'c, O: Observer> {
    cfg: &'c ModelConfig,
    sched: Scheduler<Event>,
    rng: Streams,
    sessions: Vec<Session>,
    free_sessions: Vec<u32>,
    agents: Vec<Agent>,
    /// Per agent, `max_concurrent` entries: the sessions whose message waits for the agent.
    attention: Vec<u32>,
    /// Agents on shift with a free slot, best first for the routing policy.
    available: Available,
    /// Waiting contacts in arrival order, with the stamp they had when queued: abandoned
    /// entries are skipped lazily when they reach the front.
    queue: VecDeque<(u32, Stamp)>,
    queue_len: usize,
    on_shift: u32,
    load: Load,
    /// The load changed during the current event: one `Load` record goes out when the event
    /// is done, however many slots it took and released.
    load_changed: bool,
    arrival_segment: ArrivalSegment,
    next_contact: ContactId,
    events: u64,
    observer: O,
}

/// Totals of a finished replication.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunTotals {
    pub events: u64,
    pub contacts: u64,
    pub end_time: f64,
}

/// Initial capacity for a container expected to hold about `n` items.
fn presize(n: usize) -> usize {
    n.min(1 << 16) + 64
}

/// Run one replication of `cfg` with the streams of (`seed`, `replication`), pushing records to
/// `observer`; returns the observer and the run's totals.
pub fn run_replication<O: Observer>(
    cfg: &ModelConfig,
    seed: u64,
    replication: u64,
    observer: O,
) -> (O, RunTotals) {
    ContactCenter::new(cfg, seed, replication, observer).run()
}

impl<'c, O: Observer> ContactCenter<'c, O> {
    pub fn new(cfg: &'c ModelConfig, seed: u64, replication: u64, observer: O) -> Self {
        let n_agents = cfg.max_agents() as usize;
        let k = cfg.max_concurrent as usize;
        let agent = Agent {
            held: 0,
            on_shift: false,
            composing: NONE,
            waiting: 0,
            free_since: 0.0,
            idle: false,
            idle_ticket: 0,
        };
        let available = if k == 1 && !test_switches().heap_routing {
            Available::Fifo(VecDeque::with_capacity(n_agents))
        } else {
            Available::Heap(IndexedMinHeap::new(n_agents))
        };
        let sched = Scheduler::with_capacity(presize(2 * n_agents * k));
        ContactCenter {
            cfg,
            // Sized for a full floor, up to a cap: the vectors grow if a run needs more, and a
            // huge floor that never fills does not reserve gigabytes up front.
            sched: if test_switches().plain_event_heap {
                sched.without_calendar()
            } else {
                sched
            },
            rng: Streams::new(seed, replication),
            sessions: Vec::with_capacity(presize(n_agents * k)),
            free_sessions: Vec::with_capacity(presize(n_agents * k)),
            agents: vec![agent; n_agents],
            attention: vec![NONE; n_agents * k],
            available,
            queue: VecDeque::with_capacity(64),
            queue_len: 0,
            on_shift: 0,
            load: Load::default(),
            load_changed: false,
            arrival_segment: ArrivalSegment {
                end: f64::NEG_INFINITY,
                rate: 0.0,
            },
            next_contact: 0,
            events: 0,
            observer,
        }
    }

    /// Run until no event is left (arrivals stop at `arrivals_end`, then the system drains) or
    /// until `stop_at`.
    pub fn run(mut self) -> (O, RunTotals) {
        self.set_staffing(self.cfg.staffing[0]);
        self.flush_load();
        for (i, pair) in self.cfg.staffing.windows(2).enumerate() {
            if pair[0] != pair[1] {
                let interval = i as u32 + 1;
                let at = interval as f64 * self.cfg.interval;
                self.sched
                    .schedule_at(at, Event::StaffingChange { interval });
            }
        }
        if let Some(t) = self.next_arrival_after(0.0) {
            self.sched.schedule_lone(t, Event::Arrival);
        }
        while let Some((_, event)) = self.sched.pop_until(self.cfg.stop_at) {
            self.events += 1;
            self.prefetch_next();
            self.handle(event);
            self.flush_load();
        }
        let end_time = self.sched.now().min(self.cfg.stop_at);
        for s in &self.sessions {
            if s.phase != Phase::Free {
                self.observer.record(
                    end_time,
                    Record::InSystemAtEnd {
                        contact: s.contact,
                        arrived_at: s.arrived_at,
                    },
                );
            }
        }
        let totals = RunTotals {
            events: self.events,
            contacts: self.next_contact,
            end_time,
        };
        (self.observer, totals)
    }

    /// Start fetching the session of the next timer, so that on a large floor its cache miss
    /// overlaps this event's work. The next timer is the earliest scheduled now: only an event
    /// this one schedules earlier can come before it. The next arrival is left out (checking
    /// it would cost a comparison as unpredictable as arrivals): it takes a free session, and
    /// sessions are reused last freed first, so that one is in cache already. (Prefetching the
    /// agent routing would pick next as well made no measurable difference.)
    #[inline]
    fn prefetch_next(&self) {
        let session = match self.sched.peek_scheduled() {
            Some(
                Event::QueueAbandon { session, .. }
                | Event::Accepted { session, .. }
                | Event::CustomerMessage { session, .. }
                | Event::ReplyDone { session, .. }
                | Event::ReplyAbandon { session, .. }
                | Event::WrapupDone { session, .. },
            ) => *session,
            _ => return,
        };
        if let Some(s) = self.sessions.get(session as usize) {
            prefetch(s);
        }
    }

    #[inline]
    fn now(&self) -> f64 {
        self.sched.now()
    }

    #[inline]
    fn emit(&mut self, record: Record) {
        let now = self.sched.now();
        self.observer.record(now, record);
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Arrival => self.on_arrival(),
            Event::StaffingChange { interval } => {
                self.set_staffing(self.cfg.staffing[interval as usize]);
                self.dispatch();
            }
            Event::QueueAbandon { session, stamp } => self.on_queue_abandon(session, stamp),
            Event::Accepted { session, stamp } => {
                if self.is_live(session, stamp, Phase::Offered) {
                    self.accept(session);
                }
            }
            Event::CustomerMessage { session, stamp } => {
                if self.is_live(session, stamp, Phase::Thinking) {
                    self.customer_message(session);
                }
            }
            Event::ReplyDone { session, stamp } => {
                if self.is_live(session, stamp, Phase::Composing) {
                    self.reply_done(session);
                }
            }
            Event::ReplyAbandon { session, stamp } => self.on_reply_abandon(session, stamp),
            Event::WrapupDone { session, stamp } => {
                if self.is_live(session, stamp, Phase::WrapUp) {
                    self.mark_done(session);
                }
            }
        }
    }

    #[inline]
    fn is_live(&self, session: u32, stamp: Stamp, phase: Phase) -> bool {
        let s = &self.sessions[session as usize];
        s.stamp == stamp && s.phase == phase
    }

    // ---- arrivals and the queue -------------------------------------------------------------

    /// Next arrival of the non-homogeneous Poisson process with piecewise-constant rates, by
    /// inverting the cumulative intensity: one Exp(1) draw per arrival whatever the number of
    /// intervals crossed, so the arrival stream does not depend on anything else.
    fn next_arrival_after(&mut self, from: f64) -> Option<f64> {
        let cfg = self.cfg;
        let mut e: f64 = Exp1.sample(&mut self.rng.arrivals);
        let mut t = from;
        loop {
            if t >= self.arrival_segment.end {
                if t >= cfg.arrivals_end {
                    return None;
                }
                let mut idx = cfg.interval_index(t);
                let mut end = (idx + 1) as f64 * cfg.interval;
                if end <= t {
                    // Rounding put t at the very end of interval idx.
                    idx += 1;
                    end = (idx + 1) as f64 * cfg.interval;
                }
                self.arrival_segment = ArrivalSegment {
                    end: end.min(cfg.arrivals_end),
                    rate: cfg.arrival_rates[idx.min(cfg.arrival_rates.len() - 1)],
                };
            }
            let ArrivalSegment { end, rate } = self.arrival_segment;
            if rate > 0.0 {
                let at = t + e / rate;
                if at < end {
                    return Some(at);
                }
                e -= rate * (end - t);
            }
            t = end;
        }
    }

    fn on_arrival(&mut self) {
        let now = self.now();
        let cfg = self.cfg;
        let contact = self.next_contact;
        self.next_contact += 1;
        // Every customer draws all their traits now, from their own streams, whether or not
        // they are used: that keeps customers identical across settings (common random numbers).
        let queue_deadline = match &cfg.queue_patience {
            Some(d) => now + d.sample(&mut self.rng.queue_patience),
            None => f64::INFINITY,
        };
        let reply_patience = match &cfg.reply_patience {
            Some(d) => d.sample(&mut self.rng.reply_patience),
            None => f64::INFINITY,
        };
        let exchanges = cfg.exchanges.sample(&mut self.rng.exchanges).max(1);
        let s = self.alloc_session();
        let session = &mut self.sessions[s as usize];
        session.phase = Phase::Queued;
        session.contact = contact;
        session.arrived_at = now;
        session.deadline_then_last_reply = queue_deadline;
        session.reply_patience = reply_patience;
        session.exchanges_left = exchanges;
        session.abandon_armed = false;
        session.agent = NONE;
        let stamp = session.stamp;

        match self.best_available() {
            Some(agent) if self.queue_len == 0 => {
                self.emit(Record::Arrived {
                    contact,
                    queued: false,
                });
                self.offer(s, agent);
            }
            _ => {
                self.emit(Record::Arrived {
                    contact,
                    queued: true,
                });
                self.queue.push_back((s, stamp));
                self.queue_len += 1;
                if queue_deadline.is_finite() {
                    self.sessions[s as usize].abandon_armed = true;
                    self.sched
                        .schedule_at(queue_deadline, Event::QueueAbandon { session: s, stamp });
                }
            }
        }
        if let Some(t) = self.next_arrival_after(now) {
            self.sched.schedule_lone(t, Event::Arrival);
        }
    }

    /// Offer waiting contacts to available agents, in queue order, while both exist.
    fn dispatch(&mut self) {
        while self.queue_len > 0 {
            let Some(agent) = self.best_available() else {
                return;
            };
            let (s, stamp) = self
                .queue
                .pop_front()
                .expect("queue_len counts live entries");
            if self.is_live(s, stamp, Phase::Queued) {
                self.queue_len -= 1;
                self.offer(s, agent);
            }
        }
        // Only abandoned entries can be left: drop them so the deque does not grow.
        self.queue.clear();
    }

    fn on_queue_abandon(&mut self, s: u32, stamp: Stamp) {
        let session = self.sessions[s as usize];
        if session.stamp != stamp || !matches!(session.phase, Phase::Queued | Phase::Offered) {
            return;
        }
        self.emit(Record::AbandonedQueue {
            contact: session.contact,
            arrived_at: session.arrived_at,
            wait: self.now() - session.arrived_at,
        });
        self.free_session(s);
        if session.phase == Phase::Queued {
            self.queue_len -= 1;
        } else {
            self.release_slot(session.agent);
            self.dispatch();
        }
    }

    // ---- agents, slots and routing ----------------------------------------------------------

    fn routing_key(&self, agent: u32) -> RoutingKey {
        let a = &self.agents[agent as usize];
        let primary = match self.cfg.routing {
            Routing::LeastBusy => a.held,
            Routing::LongestIdle => 0,
            Routing::MostBusy => self.cfg.max_concurrent - a.held,
        };
        RoutingKey {
            primary,
            free_since: a.free_since.to_bits(),
            agent,
        }
    }

    /// The agent the routing policy picks among those that can take a chat.
    #[inline]
    fn best_available(&mut self) -> Option<u32> {
        match &mut self.available {
            Available::Heap(heap) => heap.peek(),
            Available::Fifo(queue) => loop {
                let front = *queue.front()?;
                let a = &self.agents[front.agent as usize];
                if a.idle && a.idle_ticket == front.ticket {
                    return Some(front.agent);
                }
                queue.pop_front();
            },
        }
    }

    /// Put the agent in, out of, or at its new place in the set of agents that can take a chat.
    fn refresh_availability(&mut self, agent: u32) {
        let can_take = {
            let a = &self.agents[agent as usize];
            a.on_shift && a.held < self.cfg.max_concurrent
        };
        let heap_key = match self.available {
            Available::Heap(_) if can_take => Some(self.routing_key(agent)),
            _ => None,
        };
        match &mut self.available {
            Available::Heap(heap) => match heap_key {
                Some(key) => heap.set(agent, key),
                None => heap.remove(agent),
            },
            Available::Fifo(queue) => {
                let a = &mut self.agents[agent as usize];
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
                    // key: step back over them (almost always none: ties in time need
                    // deterministic durations).
                    let mut at = queue.len();
                    while at > 0 {
                        let before = queue[at - 1];
                        if before.free_since == entry.free_since && before.agent > agent {
                            at -= 1;
                        } else {
                            break;
                        }
                    }
                    if at == queue.len() {
                        queue.push_back(entry);
                    } else {
                        queue.insert(at, entry);
                    }
                } else if !can_take && a.idle {
                    // A ticket changes at most twice per chat or staffing change, and the
                    // stale entry leaves at the next pick at the latest, long before 2^32.
                    a.idle = false;
                    a.idle_ticket = a.idle_ticket.wrapping_add(1);
                }
            }
        }
    }

    #[inline]
    fn flush_load(&mut self) {
        if self.load_changed {
            self.load_changed = false;
            let l = self.load;
            self.emit(Record::Load {
                present: l.present,
                busy: l.busy,
                held: l.held,
                slots: l.slots,
            });
        }
    }

    fn take_slot(&mut self, agent: u32) {
        let a = &mut self.agents[agent as usize];
        if a.held == 0 {
            self.load.busy += 1;
        }
        a.held += 1;
        let to = a.held;
        self.load.held += 1;
        self.refresh_availability(agent);
        self.load_changed = true;
        self.emit(Record::Level { from: to - 1, to });
    }

    fn release_slot(&mut self, agent: u32) {
        let now = self.now();
        let a = &mut self.agents[agent as usize];
        a.held -= 1;
        a.free_since = now;
        let (from, mut to) = (a.held + 1, a.held);
        self.load.held -= 1;
        if a.held == 0 {
            self.load.busy -= 1;
            if !a.on_shift {
                // Off shift and done with the last chat: the agent leaves.
                self.load.present -= 1;
                self.load.slots -= self.cfg.max_concurrent;
                to = ABSENT;
            }
        }
        self.refresh_availability(agent);
        self.load_changed = true;
        self.emit(Record::Level { from, to });
    }

    /// Agents `0..target` are on shift. An agent leaving takes no new chat and finishes the ones
    /// in hand; an agent coming back is available again at once.
    fn set_staffing(&mut self, target: u32) {
        let k = self.cfg.max_concurrent;
        let now = self.now();
        while self.on_shift < target {
            let i = self.on_shift;
            let a = &mut self.agents[i as usize];
            let arrives = a.held == 0;
            if arrives {
                self.load.present += 1;
                self.load.slots += k;
                a.free_since = now;
            }
            a.on_shift = true;
            self.on_shift += 1;
            self.refresh_availability(i);
            if arrives {
                self.emit(Record::Level {
                    from: ABSENT,
                    to: 0,
                });
            }
        }
        while self.on_shift > target {
            self.on_shift -= 1;
            let i = self.on_shift;
            let a = &mut self.agents[i as usize];
            a.on_shift = false;
            let leaves = a.held == 0;
            if leaves {
                self.load.present -= 1;
                self.load.slots -= k;
            }
            self.refresh_availability(i);
            if leaves {
                self.emit(Record::Level {
                    from: 0,
                    to: ABSENT,
                });
            }
        }
        self.load_changed = true;
    }

    // ---- offer, accept and the conversation -------------------------------------------------

    fn offer(&mut self, s: u32, agent: u32) {
        self.take_slot(agent);
        let now = self.now();
        let session = &mut self.sessions[s as usize];
        session.phase = Phase::Offered;
        session.agent = agent;
        let (contact, stamp) = (session.contact, session.stamp);
        let held = self.agents[agent as usize].held;
        self.emit(Record::Offered {
            contact,
            agent,
            held,
        });
        let delay = if self.cfg.accept_delay.is_zero() {
            0.0
        } else {
            self.cfg.accept_delay.sample(&mut self.rng.accept_delay)
        };
        if delay <= 0.0 {
            self.accept(s);
            return;
        }
        let session = &mut self.sessions[s as usize];
        // The customer is not answered until the agent accepts, so queue patience still runs.
        if !session.abandon_armed && session.deadline_then_last_reply < now + delay {
            session.abandon_armed = true;
            let at = session.deadline_then_last_reply;
            self.sched
                .schedule_at(at, Event::QueueAbandon { session: s, stamp });
        }
        self.sched
            .schedule_in(delay, Event::Accepted { session: s, stamp });
    }

    fn accept(&mut self, s: u32) {
        let now = self.now();
        let session = &mut self.sessions[s as usize];
        session.stamp = session.stamp.next(); // voids the queue-patience timer
        session.answered_at = now;
        session.deadline_then_last_reply = now; // the queue deadline is past use
        session.first_reply_pending = true;
        let record = Record::Answered {
            contact: session.contact,
            arrived_at: session.arrived_at,
            wait: now - session.arrived_at,
        };
        self.emit(record);
        // The request itself is the first customer message, pending from the accept.
        self.customer_message(s);
    }

    /// A customer message starts waiting for a reply.
    fn customer_message(&mut self, s: u32) {
        let now = self.now();
        let session = &mut self.sessions[s as usize];
        session.phase = Phase::Pending;
        session.pending_since_then_ended_at = now;
        let (agent, stamp) = (session.agent, session.stamp);
        if session.reply_patience.is_finite() {
            let at = now + session.reply_patience;
            self.sched
                .schedule_at(at, Event::ReplyAbandon { session: s, stamp });
        }
        if self.cfg.attention == Attention::Parallel {
            self.start_compose(s);
        } else if self.cfg.max_concurrent == 1 {
            // One slot: this is the agent's only chat, so its attention is free and the
            // message would leave the attention block at once. Skipping the block saves a
            // cache miss per message on large floors.
            debug_assert_eq!(self.agents[agent as usize].composing, NONE);
            debug_assert_eq!(self.agents[agent as usize].waiting, 0);
            self.start_compose(s);
        } else {
            let k = self.cfg.max_concurrent as usize;
            let a = &mut self.agents[agent as usize];
            self.attention[agent as usize * k + a.waiting as usize] = s;
            a.waiting += 1;
            self.attend_next(agent);
        }
    }

    /// If the agent's attention is free, start on the next waiting message in attention order.
    fn attend_next(&mut self, agent: u32) {
        let a = self.agents[agent as usize];
        if a.composing != NONE || a.waiting == 0 {
            return;
        }
        let k = self.cfg.max_concurrent as usize;
        let block =
            &mut self.attention[agent as usize * k..agent as usize * k + a.waiting as usize];
        let sessions = &self.sessions;
        let key = |s: u32| {
            let s = &sessions[s as usize];
            match self.cfg.attention {
                Attention::MostUrgent => s.indicator_start(self.cfg.basis),
                _ => s.pending_since_then_ended_at,
            }
        };
        // At most max_concurrent entries: a scan of the agent's own chats, not of the floor.
        let mut best = 0;
        for i in 1..block.len() {
            if key(block[i]) < key(block[best]) {
                best = i;
            }
        }
        let s = block[best];
        block.copy_within(best + 1.., best);
        self.agents[agent as usize].waiting -= 1;
        self.start_compose(s);
    }

    fn start_compose(&mut self, s: u32) {
        let session = &mut self.sessions[s as usize];
        session.phase = Phase::Composing;
        let (agent, stamp) = (session.agent, session.stamp);
        let a = &mut self.agents[agent as usize];
        if self.cfg.attention != Attention::Parallel {
            a.composing = s;
        }
        let factor = self.cfg.slowdown[(a.held as usize).clamp(1, self.cfg.slowdown.len()) - 1];
        let compose = self.cfg.compose.sample(&mut self.rng.compose) * factor;
        self.sched
            .schedule_in(compose, Event::ReplyDone { session: s, stamp });
    }

    fn reply_done(&mut self, s: u32) {
        let now = self.now();
        let (yellow, red) = (self.cfg.yellow, self.cfg.red);
        let session = &mut self.sessions[s as usize];
        let indicator = now - session.indicator_start(self.cfg.basis);
        let colour = if indicator >= red {
            Colour::Red
        } else if indicator >= yellow {
            Colour::Yellow
        } else {
            Colour::Green
        };
        let record = Record::Response {
            contact: session.contact,
            arrived_at: session.arrived_at,
            duration: now - session.pending_since_then_ended_at,
            first: session.first_reply_pending,
            colour,
            yellow_time: (indicator.min(red) - yellow).max(0.0),
            red_time: (indicator - red).max(0.0),
        };
        session.first_reply_pending = false;
        session.deadline_then_last_reply = now;
        session.stamp = session.stamp.next(); // voids the reply-patience timer
        session.exchanges_left -= 1;
        let agent = session.agent;
        let more = session.exchanges_left > 0;
        let stamp = session.stamp;
        self.emit(record);
        self.agents[agent as usize].composing = NONE;
        if more {
            self.sessions[s as usize].phase = Phase::Thinking;
            let think = self.cfg.think.sample(&mut self.rng.think);
            self.sched
                .schedule_in(think, Event::CustomerMessage { session: s, stamp });
        } else {
            self.end_chat(s);
        }
        self.attend_next(agent);
    }

    fn on_reply_abandon(&mut self, s: u32, stamp: Stamp) {
        let session = &mut self.sessions[s as usize];
        if session.stamp != stamp || !matches!(session.phase, Phase::Pending | Phase::Composing) {
            return;
        }
        session.stamp = session.stamp.next(); // voids the reply being composed
        let (agent, phase) = (session.agent, session.phase);
        let record = Record::AbandonedChat {
            contact: session.contact,
            arrived_at: session.arrived_at,
        };
        if self.cfg.attention != Attention::Parallel {
            if phase == Phase::Composing {
                self.agents[agent as usize].composing = NONE;
            } else {
                self.forget_waiting(agent, s);
            }
        }
        self.emit(record);
        self.end_chat(s);
        self.attend_next(agent);
    }

    /// Remove a message from the agent's attention block (its customer left).
    fn forget_waiting(&mut self, agent: u32, s: u32) {
        let k = self.cfg.max_concurrent as usize;
        let waiting = self.agents[agent as usize].waiting as usize;
        let block = &mut self.attention[agent as usize * k..agent as usize * k + waiting];
        if let Some(i) = block.iter().position(|&x| x == s) {
            block.copy_within(i + 1.., i);
            self.agents[agent as usize].waiting -= 1;
        }
    }

    // ---- end of chat, wrap-up, Mark Done ----------------------------------------------------

    fn end_chat(&mut self, s: u32) {
        let now = self.now();
        self.sessions[s as usize].pending_since_then_ended_at = now;
        let wrapup = if self.cfg.wrapup.is_zero() {
            0.0
        } else {
            self.cfg.wrapup.sample(&mut self.rng.wrapup)
        };
        if wrapup <= 0.0 {
            self.mark_done(s);
        } else {
            let session = &mut self.sessions[s as usize];
            session.phase = Phase::WrapUp;
            let stamp = session.stamp;
            self.sched
                .schedule_in(wrapup, Event::WrapupDone { session: s, stamp });
        }
    }

    fn mark_done(&mut self, s: u32) {
        let now = self.now();
        let session = &self.sessions[s as usize];
        let agent = session.agent;
        let record = Record::Done {
            contact: session.contact,
            arrived_at: session.arrived_at,
            handle_time: now - session.answered_at,
            wrapup: now - session.pending_since_then_ended_at,
        };
        self.emit(record);
        self.free_session(s);
        self.release_slot(agent);
        self.dispatch();
    }

    // ---- the session slab -------------------------------------------------------------------

    fn alloc_session(&mut self) -> u32 {
        match self.free_sessions.pop() {
            Some(s) => s,
            None => {
                self.sessions.push(Session::FREE);
                (self.sessions.len() - 1) as u32
            }
        }
    }

    fn free_session(&mut self, s: u32) {
        let session = &mut self.sessions[s as usize];
        session.phase = Phase::Free;
        session.stamp = session.stamp.next();
        self.free_sessions.push(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record, in order.
    struct Log(Vec<(f64, Record)>);

    impl Observer for Log {
        fn record(&mut self, now: f64, record: Record) {
            self.0.push((now, record));
        }
    }

    fn model(text: &str) -> ModelConfig {
        crate::scenario::parse(text, std::path::Path::new("test.toml"), &[])
            .unwrap_or_else(|e| panic!("{e}"))
            .model
    }

    /// Every record of a run, with the test switches set meanwhile.
    fn records_with(cfg: &ModelConfig, seed: u64, switches: TestSwitches) -> Vec<(f64, Record)> {
        TEST_SWITCHES.with(|s| s.set(switches));
        let (log, _) = run_replication(cfg, seed, 0, Log(Vec::new()));
        TEST_SWITCHES.with(|s| s.set(TestSwitches::default()));
        log.0
    }

    fn records(cfg: &ModelConfig, seed: u64, heap: bool) -> Vec<(f64, Record)> {
        let switches = TestSwitches {
            heap_routing: heap,
            ..TestSwitches::default()
        };
        records_with(cfg, seed, switches)
    }

    /// One slot per agent: the idle queue routes exactly like the heap, for every policy,
    /// through staffing changes (agents leaving with and without a chat, coming back), offers
    /// abandoned during the accept delay, and many ties in time (durations on a grid of whole
    /// seconds, contacts dispatched together when agents come on shift).
    #[test]
    fn idle_queue_routes_like_the_heap() {
        for routing in ["least_busy", "longest_idle", "most_busy"] {
            let cfg = model(&format!(
                r#"
                [run]
                horizon = "4h"
                interval = "20m"
                [arrivals]
                rate_per_hour = [300, 600, 100, 900, 400, 50, 700, 300, 200, 800, 300, 600]
                [staffing]
                agents_per_interval = [5, 9, 2, 12, 0, 7, 3, 10, 4, 8, 1, 6]
                max_concurrent_chats = 1
                routing = "{routing}"
                [conversation]
                exchanges = {{ dist = "empirical", values = [1, 2, 3] }}
                customer_think = {{ dist = "empirical", values = ["5s", "10s"] }}
                agent_compose = {{ dist = "empirical", values = ["10s", "20s", "30s"] }}
                accept_delay = {{ dist = "empirical", values = [0, "5s"] }}
                [patience]
                queue = {{ dist = "empirical", values = ["3s", "60s", "600s"] }}
                reply = {{ dist = "empirical", values = ["25s", "600s"] }}
                [wrapup]
                time = {{ dist = "empirical", values = [0, "10s"] }}
                "#
            ));
            for seed in 0..4 {
                let fifo = records(&cfg, seed, false);
                let heap = records(&cfg, seed, true);
                assert!(fifo.len() > 1000, "{} records", fifo.len());
                assert!(fifo == heap, "{routing}, seed {seed}: routing differs");
            }
        }
    }

    /// A floor large enough for the scheduler's calendar (thousands of timers pending, many of
    /// them stale patience timers, staffing that fills and empties the floor, ties on a grid
    /// of whole seconds as well as continuous times) runs exactly as with every event in the
    /// plain heap: the same records in the same order.
    #[test]
    fn calendar_runs_like_the_plain_heap() {
        for compose in [
            r#"{ dist = "empirical", values = ["10s", "20s", "30s"] }"#,
            r#"{ dist = "lognormal", mean = "25s", cv = 0.8 }"#,
        ] {
            let cfg = model(&format!(
                r#"
                [run]
                horizon = "3h"
                interval = "30m"
                [arrivals]
                rate_per_hour = [6000, 12000, 3000, 9000, 0, 6000]
                [staffing]
                agents_per_interval = [300, 500, 100, 400, 0, 250]
                max_concurrent_chats = 3
                [conversation]
                exchanges = {{ dist = "geometric", mean = 4 }}
                customer_think = {{ dist = "exponential", mean = "30s" }}
                agent_compose = {compose}
                accept_delay = {{ dist = "empirical", values = [0, "3s"] }}
                [patience]
                queue = {{ dist = "exponential", mean = "2m" }}
                reply = {{ dist = "exponential", mean = "5m" }}
                [wrapup]
                time = {{ dist = "empirical", values = [0, "10s", "30s"] }}
                "#
            ));
            let plain = TestSwitches {
                plain_event_heap: true,
                ..TestSwitches::default()
            };
            for seed in 0..2 {
                let with_calendar = records_with(&cfg, seed, TestSwitches::default());
                let without = records_with(&cfg, seed, plain);
                assert!(
                    with_calendar.len() > 100_000,
                    "{} records",
                    with_calendar.len()
                );
                assert!(
                    with_calendar == without,
                    "seed {seed}: the calendar changed the run"
                );
            }
        }
    }

    /// Agents freed at the same instant, out of agent order, are still picked by agent number
    /// among themselves (the heap's tie rule), after the agents freed earlier.
    #[test]
    fn idle_queue_orders_ties_by_agent() {
        let cfg = model(
            r#"
            [run]
            horizon = "1h"
            [arrivals]
            rate_per_hour = 10
            [staffing]
            agents = 6
            [conversation]
            agent_compose = { dist = "constant", value = "1m" }
            "#,
        );
        let mut picks = Vec::new();
        for heap in [false, true] {
            TEST_SWITCHES.with(|s| {
                s.set(TestSwitches {
                    heap_routing: heap,
                    ..TestSwitches::default()
                })
            });
            let mut c = ContactCenter::new(&cfg, 1, 0, ());
            TEST_SWITCHES.with(|s| s.set(TestSwitches::default()));
            c.set_staffing(6);
            for agent in [4, 1, 5, 2, 0] {
                c.take_slot(agent);
            }
            // At a later instant, free 5, 2 and 4 together.
            c.sched.schedule_at(10.0, Event::Arrival);
            c.sched.pop();
            for agent in [5, 2, 4] {
                c.release_slot(agent);
            }
            let mut order = Vec::new();
            while let Some(agent) = c.best_available() {
                order.push(agent);
                c.take_slot(agent);
            }
            picks.push(order);
        }
        assert_eq!(picks[0], vec![3, 2, 4, 5]);
        assert_eq!(picks[0], picks[1]);
    }
}
