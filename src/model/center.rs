//! The contact center's simulation struct and its event loop: what one replication owns, how
//! it is set up, and which room handles each event.
//!
//! The model is split by part of the domain, each file an `impl` block of [`ContactCenter`]:
//! `arrivals` (customers and their streams), `queue` (waiting chats), `routing` (who takes which
//! chat), `offer` (offer, accept, alert timeout), `conversation` (messages, attention, the
//! indicator, patience for a reply), `wrapup` (wrap-up and Mark Done), `agent` (slots and load
//! counters), `roster` (staffing plans, shifts, breaks, Not Ready), `escalation` (agents held
//! from routing by a chat's colour, reassignment), `inactivity` (the customer-inactivity timers,
//! silent leavers), `transfer` (transfers and invitations), `messaging` (asynchronous
//! continuation: parked sessions, resumed ones, the affinity to their agent), `proactive`
//! (website visitors invited by agents), `internal` (colleagues' messages), `session` (the
//! session slab and its timer lanes), `event` (the events).
//!
//! Per-event work is a heap operation plus a few field updates: sessions live in a slab that is
//! reused, agents with a free slot sit in their group's pool (a FIFO of idle agents with one
//! slot per agent, an indexed heap otherwise), and each agent's waiting messages sit in a fixed
//! block of `capacity` entries. With one queue the next arrival waits beside the event heap, not
//! in it (the scheduler's lone stream). Nothing here allocates once the run has reached its
//! steady size.

use super::agent::Agent;
use super::arrivals::{ArrivalSegment, Streams};
use super::config::ModelConfig;
use super::event::Event;
use super::queue::ChatQueue;
use super::records::{AgentState, ContactId, LoadCounts, Observer, Record};
use super::routing::Pool;
use super::session::{Phase, Sessions};
use crate::engine::{prefetch, Scheduler};

/// Switches for tests that check a fast path against the general one.
#[derive(Clone, Copy, Default)]
pub(super) struct TestSwitches {
    /// Route with the heap even with one slot per agent (to check the idle queue against it).
    pub heap_routing: bool,
    /// Keep every event in the scheduler's heap (to check its calendar against it).
    pub plain_event_heap: bool,
}

#[cfg(test)]
thread_local! {
    pub(super) static TEST_SWITCHES: std::cell::Cell<TestSwitches> = const {
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

/// One replication of the contact center.
pub struct ContactCenter<'c, O: Observer> {
    pub(super) cfg: &'c ModelConfig,
    pub(super) sched: Scheduler<Event>,
    pub(super) rng: Streams,
    pub(super) sessions: Sessions,
    /// Every agent of the floor, group after group.
    pub(super) agents: Vec<Agent>,
    /// The first agent of each group.
    pub(super) group_first: Vec<u32>,
    /// Per agent, `capacity` entries from `Agent::block`: the sessions whose message waits for
    /// the agent.
    pub(super) attention: Vec<u32>,
    /// Per group: its agents that can take a chat, best first for the routing policy.
    pub(super) pools: Vec<Pool>,
    /// Per group: the queues it serves, with the tier it serves each from.
    pub(super) served: Vec<Vec<(usize, u8)>>,
    /// Per queue: its one group, when a single group serves it (the common case, and always
    /// so in the one-queue format), so that choosing an agent is one look at one pool.
    pub(super) sole_group: Vec<Option<u32>>,
    pub(super) queues: Vec<ChatQueue>,
    /// Chats waiting in all queues together (the sum of their `live` counts).
    pub(super) waiting: usize,
    pub(super) arrival_segments: Vec<ArrivalSegment>,
    /// Per group with a per-step plan: agents `0..on_shift` of the plan are on shift.
    pub(super) on_shift: Vec<u32>,
    pub(super) load: LoadCounts,
    /// Per group, kept only when there are several (`several_groups`).
    pub(super) group_loads: Vec<LoadCounts>,
    pub(super) several_groups: bool,
    /// Groups whose counters changed during the current event (several groups only).
    pub(super) group_dirty: Vec<bool>,
    pub(super) dirty_groups: Vec<u32>,
    /// The load changed during the current event: one `Load` record goes out when the event
    /// is done, however many slots it took and released.
    pub(super) load_changed: bool,
    /// Some queue holds agents from routing or reassigns chats (`[escalation]`): pending
    /// messages have escalation timers.
    pub(super) escalating: bool,
    /// Some queue's chats are attended red first.
    pub(super) red_first: bool,
    /// Some queue's customers may come back (`patience.retry`, `patience.recontact`): the
    /// retrial room is asked at every end of a contact only then.
    pub(super) returning: bool,
    /// Reassigned chats waiting in a queue (`Requeued`): while any, a chat that joins a queue
    /// behind one may be for the one agent the head must not go to, so it dispatches.
    pub(super) requeued: usize,
    /// Some queue transfers its chats or parks its quiet sessions: sessions keep their
    /// [`super::session::Work`].
    pub(super) workflow: bool,
    /// Some queue parks its quiet sessions (`[asynchronous]`); resumed sessions waiting for
    /// the agent who had them.
    pub(super) asynchronous: bool,
    pub(super) affinity: super::messaging::Affinity,
    /// Proactive chats (`[proactive]`): websites' visitors and the agents who may invite them.
    pub(super) proactive: super::proactive::ProactiveRoom,
    /// Internal chats (`[internal]`): colleagues' messages in the agents' attention.
    pub(super) internal: super::internal::InternalRoom,
    /// Per group: its agents on shift and Ready (for the only-agent rule of invitations).
    pub(super) ready: Vec<u32>,
    pub(super) next_contact: ContactId,
    events: u64,
    observer: O,
}

/// Totals of a finished replication.
#[derive(Clone, Debug, Default)]
pub struct RunTotals {
    pub events: u64,
    pub contacts: u64,
    pub end_time: f64,
    /// The replication was stopped by the event cap (`ModelConfig::max_events`).
    pub capped: bool,
    /// A replayed arrival trace could not be read on (the file changed since it was checked):
    /// the first error this replication's readers met.
    pub trace_error: Option<String>,
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
        let mut agents = Vec::new();
        let mut group_first = Vec::new();
        let mut pools = Vec::new();
        let mut slots = 0u32;
        // With internal chats an attention block holds one entry more: the colleagues' messages.
        let extra = u32::from(cfg.groups.iter().any(|g| g.internal.is_some()));
        for (g, group) in cfg.groups.iter().enumerate() {
            let n = group.staffing.agents();
            let first = agents.len() as u32;
            group_first.push(first);
            for _ in 0..n {
                agents.push(Agent::new(g as u32, group.max_concurrent, slots));
                slots += group.max_concurrent + extra;
            }
            pools.push(Pool::new(
                n as usize,
                first,
                group.max_concurrent,
                !test_switches().heap_routing,
            ));
        }
        let mut served = vec![Vec::new(); cfg.groups.len()];
        for (q, queue) in cfg.queues.iter().enumerate() {
            for (t, tier) in queue.tiers.iter().enumerate() {
                for &g in &tier.groups {
                    served[g].push((q, t as u8));
                }
            }
        }
        let sole_group = cfg
            .queues
            .iter()
            .map(|q| match q.tiers.as_slice() {
                [only] if only.groups.len() == 1 => Some(only.groups[0] as u32),
                _ => None,
            })
            .collect();
        let sched = Scheduler::with_capacity(presize(2 * slots as usize));
        let floor = agents.len();
        let asynchronous = cfg.queues.iter().any(|q| !q.chat.asynchronous.is_off());
        let workflow = asynchronous
            || cfg.queues.iter().any(|q| {
                q.chat.transfer.is_some()
                    || q.chat.conference.is_some()
                    || q.chat.consultation.is_some()
            });
        ContactCenter {
            cfg,
            // Sized for a full floor, up to a cap: the vectors grow if a run needs more, and a
            // huge floor that never fills does not reserve gigabytes up front.
            sched: if test_switches().plain_event_heap {
                sched.without_calendar()
            } else {
                sched
            },
            rng: Streams::new(seed, replication, cfg.queues.len(), cfg.groups.len()),
            sessions: Sessions::with_capacity(presize(slots as usize), workflow),
            attention: vec![super::session::NONE; slots as usize],
            agents,
            group_first,
            pools,
            served,
            sole_group,
            queues: cfg.queues.iter().map(|_| ChatQueue::new()).collect(),
            waiting: 0,
            arrival_segments: vec![ArrivalSegment::BEFORE; cfg.queues.len()],
            on_shift: vec![0; cfg.groups.len()],
            load: LoadCounts::default(),
            group_loads: vec![LoadCounts::default(); cfg.groups.len()],
            several_groups: cfg.groups.len() > 1,
            group_dirty: vec![false; cfg.groups.len()],
            dirty_groups: Vec::with_capacity(cfg.groups.len()),
            load_changed: false,
            escalating: cfg.queues.iter().any(|q| {
                q.chat.hold_threshold().is_finite() || q.chat.escalation.reassign_after.is_finite()
            }),
            red_first: cfg.queues.iter().any(|q| q.chat.escalation.red_first),
            requeued: 0,
            workflow,
            asynchronous,
            affinity: super::messaging::Affinity::new(if asynchronous { floor } else { 0 }),
            proactive: super::proactive::ProactiveRoom::new(cfg, seed, replication, floor),
            internal: super::internal::InternalRoom::new(cfg, seed, replication, floor),
            ready: vec![0; cfg.groups.len()],
            returning: cfg.queues.iter().any(|q| q.chat.returns()),
            next_contact: 0,
            events: 0,
            observer,
        }
    }

    /// Run until no event is left (arrivals stop at `arrivals_end`, then the system drains),
    /// until `stop_at`, or until the event cap.
    pub fn run(mut self) -> (O, RunTotals) {
        self.start_roster();
        self.flush_load();
        for queue in 0..self.cfg.queues.len() {
            self.schedule_next_arrival(queue, 0.0);
        }
        if self.proactive.on {
            self.start_proactive();
        }
        let mut capped = false;
        while let Some((_, event)) = self.sched.pop_until(self.cfg.stop_at) {
            self.events += 1;
            if self.events > self.cfg.max_events {
                capped = true;
                break;
            }
            self.prefetch_next();
            self.handle(event);
            if self.proactive.on {
                self.proactive_pass();
            }
            self.flush_load();
        }
        let end_time = self.sched.now().min(self.cfg.stop_at);
        for s in &self.sessions.hot {
            if s.phase != Phase::Free && s.phase != Phase::Internal {
                self.observer.record(
                    end_time,
                    Record::InSystemAtEnd {
                        contact: s.contact,
                        queue: u32::from(s.queue),
                        arrived_at: s.arrived_at,
                    },
                );
            }
        }
        let trace_error = self.rng.demand.trace_error();
        let totals = RunTotals {
            events: self.events,
            contacts: self.next_contact,
            end_time,
            capped,
            trace_error,
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
        let Some(session) = self.sched.peek_scheduled().and_then(Event::session) else {
            return;
        };
        if let Some(s) = self.sessions.hot.get(session as usize) {
            prefetch(s);
        }
    }

    #[inline]
    pub(super) fn now(&self) -> f64 {
        self.sched.now()
    }

    /// Always inlined, so that the observer's match on the record folds to the one arm of the
    /// variant emitted at each call site.
    #[inline(always)]
    pub(super) fn emit(&mut self, record: Record) {
        let now = self.sched.now();
        self.observer.record(now, record);
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Arrival { queue } => self.on_arrival(queue as usize),
            Event::StaffingStep { group, step } => self.on_staffing_step(group as usize, step),
            Event::ShiftStart { agent } => self.on_shift_start(agent),
            Event::ShiftEnd { agent } => self.on_shift_end(agent),
            Event::BreakDue { agent } => self.on_break_due(agent),
            Event::BreakOver { agent, stamp } => {
                self.on_away_over(agent, stamp, AgentState::OnBreak)
            }
            Event::NotReadyOver { agent, stamp } => {
                self.on_away_over(agent, stamp, AgentState::NotReady)
            }
            Event::QueueAbandon { session, stamp } => self.on_queue_abandon(session, stamp),
            Event::TierOpen { session, stamp } => self.on_tier_open(session, stamp),
            Event::ReplyAbandon { session, stamp } => self.on_reply_abandon(session, stamp),
            Event::HoldReached { session, stamp } => self.on_hold_reached(session, stamp),
            Event::Reassign { session, stamp } => self.on_reassign(session, stamp),
            Event::Accepted { session, stamp } => {
                if self.sessions.live_flow(session, stamp, Phase::Offered) {
                    self.accept(session);
                } else if self.sessions.live_flow(session, stamp, Phase::Reoffered) {
                    self.reaccept(session);
                }
            }
            Event::OfferTimeout { session, stamp } => {
                if self.sessions.live_flow(session, stamp, Phase::Offered)
                    || self.sessions.live_flow(session, stamp, Phase::Reoffered)
                {
                    self.on_offer_timeout(session);
                }
            }
            Event::CustomerMessage { session, stamp } => {
                if self.sessions.live_flow(session, stamp, Phase::Thinking) {
                    self.customer_message(session);
                } else if self.asynchronous
                    && self.sessions.live_flow(session, stamp, Phase::Parked)
                {
                    self.resume(session);
                }
            }
            Event::ReplyDone { session, stamp } => {
                if self.sessions.live_flow(session, stamp, Phase::Composing) {
                    self.reply_done(session);
                }
            }
            Event::WrapupDone { session, stamp } => {
                if self.sessions.live_flow(session, stamp, Phase::WrapUp) {
                    self.mark_done(session);
                }
            }
            Event::InactivityAlert { session, stamp } => self.on_inactivity_alert(session, stamp),
            Event::InactivityClose {
                session,
                stamp,
                silent,
            } => self.on_inactivity_close(session, stamp, silent),
            Event::InvitationAnswer { session, stamp } => self.on_invitation_answer(session, stamp),
            Event::InvitationTimeout { session, stamp } => {
                self.on_invitation_timeout(session, stamp)
            }
            Event::LeftWrapupDone { agent } => self.on_left_wrapup_done(agent),
            Event::Park {
                session,
                stamp,
                silent,
            } => self.on_park(session, stamp, silent),
            Event::ParkedClose { session, stamp } => self.on_parked_close(session, stamp),
            Event::AffinityOver { session, stamp } => self.on_affinity_over(session, stamp),
            Event::VisitorArrives { queue } => self.on_visitor_arrives(queue as usize),
            Event::VisitorLeaves { queue, visitor } => {
                self.on_visitor_leaves(queue as usize, visitor)
            }
            Event::InternalArrives { agent, epoch } => self.on_internal_arrives(agent, epoch),
            Event::InternalDone { session, stamp } => self.on_internal_done(session, stamp),
            Event::ConsultMessageDone { session, stamp } => {
                if self.sessions.live_flow(session, stamp, Phase::Consulting) {
                    self.consult_message_done(session);
                }
            }
        }
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
            c.start_roster();
            for agent in [4, 1, 5, 2, 0] {
                c.take_slot(agent);
            }
            // At a later instant, free 5, 2 and 4 together.
            c.sched.schedule_at(10.0, Event::Arrival { queue: 0 });
            c.sched.pop();
            for agent in [5, 2, 4] {
                c.release_slot(agent);
            }
            let mut order = Vec::new();
            while let Some(agent) = c.best_in_group(0) {
                order.push(agent);
                c.take_slot(agent);
            }
            picks.push(order);
        }
        assert_eq!(picks[0], vec![3, 2, 4, 5]);
        assert_eq!(picks[0], picks[1]);
    }

    /// A chat offered on arrival whose offer times out waits in its queue like any other: its
    /// overflow tiers open at their times from its arrival. Here the first group's only agent
    /// misses offers and is then Not Ready for an hour, so such a chat must go to the overflow
    /// group after 20 s, not wait for that agent's return. (The overflow agents miss offers
    /// too, about one per chat: with 60 of them some are always Ready.)
    #[test]
    fn a_chat_whose_offer_timed_out_on_arrival_still_overflows() {
        let cfg = model(
            r#"
            [run]
            horizon = "6h"
            [conversation]
            agent_compose = { dist = "constant", value = "30s" }
            accept_delay = { dist = "empirical", values = [0, "10s"] }
            [offer]
            alert_timeout = "3s"
            not_responding_pause = { dist = "constant", value = "1h" }
            [queues.q]
            rate_per_hour = 6
            served_by = [ { groups = ["first"] }, { groups = ["overflow"], after = "20s" } ]
            [groups.first]
            agents = 1
            [groups.overflow]
            agents = 60
            "#,
        );
        let mut timed_out_on_arrival = 0;
        for seed in 0..4 {
            let log = records(&cfg, seed, false);
            let mut offered_at_once = std::collections::HashSet::new();
            for (_, r) in &log {
                match *r {
                    Record::Arrived {
                        contact,
                        queued: false,
                        ..
                    } => {
                        offered_at_once.insert(contact);
                    }
                    Record::OfferTimedOut { contact, .. } => {
                        timed_out_on_arrival += offered_at_once.contains(&contact) as u32;
                    }
                    Record::Answered { wait, contact, .. } => {
                        // Tier 1 at 20 s, a few more timed-out offers of 3 s at most, the
                        // accepted offer's 10 s.
                        assert!(
                            wait < 120.0,
                            "seed {seed}: contact {contact} waited {wait} s"
                        );
                    }
                    Record::InSystemAtEnd { contact, .. } => panic!("{contact} never answered"),
                    _ => {}
                }
            }
        }
        assert!(timed_out_on_arrival > 5, "{timed_out_on_arrival}");
    }
}
