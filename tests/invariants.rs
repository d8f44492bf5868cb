//! Invariants of the model, checked on every record of whole runs under many settings: every
//! arrival ends exactly once (answered and marked done, abandoned, or still in the system at
//! the end); no agent ever holds more than K chats; time never goes back; records of a contact
//! come in a possible order; no chat is offered to an agent who is off shift, on break, Not Ready
//! or absent; the load counters of the center and of each group agree with the agents counted
//! level by level.

mod common;

use std::collections::HashMap;
use std::path::Path;

use ccsim::model::{
    run_replication, AgentState, Colour, ContactId, LoadCounts, ModelConfig, Observer, Record,
    ABSENT,
};
use ccsim::scenario;
use proptest::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    Waiting,
    Offered,
    Answered,
    LeftChat,
    Ended,
}

struct Checker {
    /// Per group: capacity K. Per queue: yellow and red.
    k: Vec<u32>,
    thresholds: Vec<(f64, f64)>,
    /// Each agent's state, from the `State` records (agents start off shift).
    states: HashMap<u32, AgentState>,
    now: f64,
    next_contact: ContactId,
    contacts: HashMap<ContactId, Stage>,
    ended: u64,
    offered_records: u64,
    in_system_at_end: u64,
    /// Per group, agents present at each number of chats held, from the `Level` records alone.
    levels: Vec<Vec<u32>>,
    offers_timed_out: u64,
}

impl Checker {
    fn new(m: &ModelConfig) -> Self {
        let k: Vec<u32> = m.groups.iter().map(|g| g.max_concurrent).collect();
        Checker {
            levels: k.iter().map(|&k| vec![0; k as usize + 1]).collect(),
            k,
            thresholds: m
                .queues
                .iter()
                .map(|q| (q.chat.yellow, q.chat.red))
                .collect(),
            states: HashMap::new(),
            offers_timed_out: 0,
            now: 0.0,
            next_contact: 0,
            contacts: HashMap::new(),
            ended: 0,
            offered_records: 0,
            in_system_at_end: 0,
        }
    }

    /// The load counters agree with the agents counted level by level (over `groups`).
    fn check_load(&self, l: LoadCounts, groups: std::ops::Range<usize>) {
        let max_k = self.k[groups.clone()].iter().copied().max().unwrap_or(1);
        assert!(l.busy <= l.present && l.held <= l.busy * max_k && l.held >= l.busy);
        assert!(l.away <= l.present && l.on_break <= l.present && l.not_ready <= l.present);
        assert!(l.slots <= (l.present - l.away) * max_k, "{l:?}");
        let mut present = 0;
        let mut busy = 0;
        let mut chats = 0;
        for g in groups {
            let v = &self.levels[g];
            present += v.iter().sum::<u32>();
            busy += v[1..].iter().sum::<u32>();
            chats += v
                .iter()
                .enumerate()
                .map(|(j, &n)| j as u32 * n)
                .sum::<u32>();
        }
        assert_eq!(l.present, present, "present vs levels {:?}", self.levels);
        assert_eq!(l.busy, busy, "busy vs levels {:?}", self.levels);
        assert_eq!(l.held, chats, "chats held vs levels {:?}", self.levels);
    }

    fn stage(&mut self, c: ContactId) -> &mut Stage {
        self.contacts
            .get_mut(&c)
            .unwrap_or_else(|| panic!("record for contact {c} that never arrived"))
    }

    fn end(&mut self, c: ContactId) {
        let s = self.stage(c);
        assert_ne!(*s, Stage::Ended, "contact {c} ended twice");
        *s = Stage::Ended;
        self.ended += 1;
    }
}

impl Observer for Checker {
    fn record(&mut self, now: f64, record: Record) {
        assert!(now >= self.now, "time went back: {now} after {}", self.now);
        assert!(now.is_finite());
        self.now = now;
        match record {
            Record::Arrived { contact, .. } => {
                assert_eq!(
                    contact, self.next_contact,
                    "contacts are numbered in arrival order"
                );
                self.next_contact += 1;
                self.contacts.insert(contact, Stage::Waiting);
            }
            Record::Offered {
                contact,
                held,
                agent,
                group,
                ..
            } => {
                let k = self.k[group as usize];
                assert!(held >= 1 && held <= k, "agent holds {held} chats, K = {k}");
                let state = self.states.get(&agent).copied().unwrap_or(AgentState::Off);
                assert_eq!(
                    state,
                    AgentState::Ready,
                    "offered to agent {agent} in {state:?}"
                );
                let s = self.stage(contact);
                assert_eq!(*s, Stage::Waiting, "offered twice: {contact}");
                *s = Stage::Offered;
                self.offered_records += 1;
            }
            Record::OfferTimedOut { contact, .. } => {
                let s = self.stage(contact);
                assert_eq!(*s, Stage::Offered, "timed out without an offer: {contact}");
                *s = Stage::Waiting;
                self.offers_timed_out += 1;
            }
            Record::State { agent, state, .. } => {
                self.states.insert(agent, state);
            }
            Record::Answered { contact, wait, .. } => {
                assert!(wait >= 0.0);
                let s = self.stage(contact);
                assert_eq!(*s, Stage::Offered, "answered without an offer: {contact}");
                *s = Stage::Answered;
            }
            Record::AbandonedQueue { contact, wait, .. } => {
                assert!(wait >= 0.0);
                let s = *self.stage(contact);
                assert!(
                    matches!(s, Stage::Waiting | Stage::Offered),
                    "queue abandon after answer: {contact} {s:?}"
                );
                self.end(contact);
            }
            Record::Response {
                contact,
                queue,
                duration,
                colour,
                yellow_time,
                red_time,
                ..
            } => {
                assert_eq!(
                    *self.stage(contact),
                    Stage::Answered,
                    "response to {contact}"
                );
                assert!(duration >= 0.0);
                let (yellow, red) = self.thresholds[queue as usize];
                assert!(yellow_time >= 0.0 && yellow_time <= red - yellow + 1e-9);
                assert!(red_time >= 0.0);
                assert_eq!(red_time > 0.0, colour == Colour::Red && red_time > 0.0);
                if colour == Colour::Green {
                    assert_eq!(yellow_time + red_time, 0.0);
                }
            }
            Record::AbandonedChat { contact, .. } => {
                let s = self.stage(contact);
                assert_eq!(*s, Stage::Answered, "left a chat never answered: {contact}");
                *s = Stage::LeftChat;
            }
            Record::Done {
                contact,
                handle_time,
                wrapup,
                ..
            } => {
                assert!(handle_time >= wrapup && wrapup >= 0.0);
                let s = *self.stage(contact);
                assert!(
                    matches!(s, Stage::Answered | Stage::LeftChat),
                    "done from {s:?}"
                );
                self.end(contact);
            }
            Record::Load(l) => self.check_load(l, 0..self.k.len()),
            Record::GroupLoad { group, counts } => {
                let g = group as usize;
                self.check_load(counts, g..g + 1)
            }
            Record::Level { group, from, to } => {
                // One step at a time: a chat taken or released, an idle agent arriving or
                // leaving, or an agent off shift (or going away) with its last chat released.
                match (from, to) {
                    (ABSENT, 0) | (0, ABSENT) | (1, ABSENT) => {}
                    (ABSENT, _) | (_, ABSENT) => panic!("agent moved {from} -> {to}"),
                    _ => assert_eq!(from.abs_diff(to), 1, "agent moved {from} -> {to}"),
                }
                let k = self.k[group as usize];
                let levels = &mut self.levels[group as usize];
                if from != ABSENT {
                    assert!(levels[from as usize] > 0, "no agent at level {from}");
                    levels[from as usize] -= 1;
                }
                if to != ABSENT {
                    assert!(to <= k, "an agent holds {to} chats, above {k}");
                    levels[to as usize] += 1;
                }
            }
            Record::InSystemAtEnd { contact, .. } => {
                self.in_system_at_end += 1;
                self.end(contact);
            }
        }
    }
}

/// Run a scenario (text plus overrides) and check every invariant; returns the checker.
fn check(text: &str, overrides: &[&str]) -> Checker {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let s =
        scenario::parse(text, Path::new("t.toml"), &overrides).unwrap_or_else(|e| panic!("{e}"));
    let m = &s.model;
    let (checker, totals) = run_replication(m, 3, 0, Checker::new(m));
    assert_eq!(totals.contacts, checker.next_contact);
    assert_eq!(
        checker.ended, checker.next_contact,
        "every arrival ends exactly once ({overrides:?})"
    );
    checker
}

fn basic() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/basic_chat.toml"
    ))
    .unwrap()
}

#[test]
fn every_routing_and_attention_order_keeps_the_invariants() {
    for routing in ["least_busy", "longest_idle", "most_busy"] {
        for attention in ["fifo", "most_urgent", "parallel"] {
            for basis in ["customer_message", "agent_message"] {
                let c = check(
                    &basic(),
                    &[
                        &format!("staffing.routing={routing}"),
                        &format!("staffing.attention={attention}"),
                        &format!("indicator.basis={basis}"),
                        // Understaffed, so that queues, abandons and full agents happen.
                        "staffing.agents=4",
                    ],
                );
                assert!(c.offered_records > 100);
            }
        }
    }
}

#[test]
fn staffing_that_drops_and_returns_keeps_the_invariants() {
    // agents_per_interval replaces agents: remove the latter by writing the scenario anew.
    let text = basic().replace(
        "agents = 12",
        "agents_per_interval = [12, 12, 3, 0, 0, 8, 12, 1, 1, 20, 20, 5, 0, 2, 2, 2, 2]",
    );
    let c = check(&text, &[]);
    assert!(c.offered_records > 100);
}

#[test]
fn a_drain_limit_leaves_contacts_in_the_system_and_counts_them() {
    let c = check(
        &basic(),
        &[
            "run.drain=0s",
            "staffing.agents=1",
            "patience.queue.mean=1h",
        ],
    );
    // With 1 agent, patient customers and no drain, the queue is long when the horizon
    // closes: those contacts end as "in the system at the end", exactly once like the others.
    assert!(c.in_system_at_end > 5, "{}", c.in_system_at_end);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn random_desks_keep_the_invariants(
        agents in 0u32..8,
        k in 1u32..5,
        rate in 0.0f64..400.0,
        exchanges in 1.0f64..8.0,
        accept in 0.0f64..10.0,
        queue_patience in prop::option::of(1.0f64..600.0),
        reply_patience in prop::option::of(1.0f64..600.0),
        wrapup in 0.0f64..60.0,
        routing in prop::sample::select(vec!["least_busy", "longest_idle", "most_busy"]),
        attention in prop::sample::select(vec!["fifo", "most_urgent", "parallel"]),
        drain in prop::option::of(0.0f64..3600.0),
    ) {
        let patience = |key: &str, p: Option<f64>| p.map_or(String::new(), |m| {
            format!("{key} = {{ dist = \"exponential\", mean = {m} }}\n")
        });
        let text = format!(r#"
            [run]
            horizon = "2h"
            warmup = "10m"
            interval = "30m"
            {drain}
            [arrivals]
            rate_per_hour = [{rate}, {r2}, 0, {rate}, {rate}]
            [staffing]
            agents = {agents}
            max_concurrent_chats = {k}
            routing = "{routing}"
            attention = "{attention}"
            [conversation]
            exchanges = {{ dist = "geometric", mean = {exchanges} }}
            customer_think = {{ dist = "exponential", mean = 30 }}
            agent_compose = {{ dist = "gamma", mean = 20, cv = 0.7 }}
            accept_delay = {{ dist = "uniform", min = 0, max = {accept} }}
            [patience]
            {qp}{rp}
            [wrapup]
            time = {{ dist = "constant", value = {wrapup} }}
            "#,
            drain = drain.map_or(String::new(), |d| format!("drain = {d}")),
            r2 = rate * 2.0,
            qp = patience("queue", queue_patience),
            rp = patience("reply", reply_patience),
        );
        check(&text, &[]);
    }
}

#[test]
fn time_by_chats_held_adds_up_to_the_load() {
    // The distribution of chats held, integrated level by level, must give back the agent time
    // present and the chat time held that the load counters integrate on their own.
    for (text, overrides) in [
        (basic(), vec![]),
        (
            basic(),
            vec!["staffing.agents_per_interval=[6,6,0,0,9,9,9,3,3,3,12,12,12,12,1,1,1]"],
        ),
    ] {
        let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        let s = scenario::parse(&text, Path::new("t.toml"), &overrides).unwrap();
        let m = ccsim::experiment::replicate(&s, 0);
        let (_, load) = m.tallies.overall();
        let t = &m.tallies.held_time;
        let present: f64 = t.iter().sum();
        let held: f64 = t.iter().enumerate().map(|(j, s)| j as f64 * s).sum();
        let busy: f64 = t.iter().skip(1).sum();
        for (what, a, b) in [
            ("present", present, load.present),
            ("held", held, load.held),
            ("busy", busy, load.busy),
        ] {
            assert!(
                (a - b).abs() <= 1e-9 * b.max(1.0),
                "{what}: levels {a} vs load {b} ({overrides:?})"
            );
        }
        assert!(t.len() <= s.model.max_concurrent() as usize + 1);
    }
}
