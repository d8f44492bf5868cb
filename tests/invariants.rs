//! Invariants of the model, checked on every record of whole runs under many settings: every
//! arrival ends exactly once (answered and marked done, abandoned, or still in the system at
//! the end); at the end of every instant no contact waits while an agent who may take it is
//! free; no agent ever holds more than K chats; time never goes back; records of a contact
//! come in a possible order; no chat is offered to an agent who is off shift, on break, Not Ready
//! or absent; the load counters of the center and of each group agree with the agents counted
//! level by level. Checked on the one-queue desk, on the bundled multi-queue scenario and its
//! variants, and on random valid multi-queue centers (queues, groups, tiers, shifts, breaks,
//! absenteeism, alert timeouts).

mod common;

use std::collections::HashMap;
use std::path::Path;

use ccsim::model::{
    run_replication, AgentState, Colour, ContactId, LoadCounts, ModelConfig, Observer, Record,
    ABSENT, NO_DISPOSITION,
};
use ccsim::scenario;
use proptest::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    Waiting,
    Offered,
    Answered,
    LeftChat,
    /// Reassigned: waiting again (for an agent other than the one it left), then offered.
    Requeued,
    Reoffered,
    /// Asynchronous continuation: parked (no slot); its customer wrote again (waiting for its
    /// agent, or in its queue).
    Parked,
    Resumed,
    Ended,
}

impl Stage {
    /// The contact holds a slot of its agent (reserved, in conversation or in wrap-up).
    fn holds_slot(self) -> bool {
        matches!(
            self,
            Stage::Offered | Stage::Answered | Stage::LeftChat | Stage::Reoffered
        )
    }
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
    /// Agents held from routing (`HeldFromRouting`), and the agent each requeued contact left.
    held_from_routing: std::collections::HashSet<u32>,
    left: HashMap<ContactId, u32>,
    /// Per queue: where its chats are reassigned to; per queue: the groups of its first tier;
    /// per agent (from `State`): its group.
    reassign_to: Vec<usize>,
    first_tier: Vec<Vec<usize>>,
    group_of: HashMap<u32, usize>,
    /// Per queue, its tiers: (after, groups).
    tiers: Vec<Vec<(f64, Vec<usize>)>>,
    /// Chats held by each agent (from `Level`), agents held from routing, and the contacts
    /// waiting for an agent (in queue, or requeued after a reassignment) with their queue and
    /// arrival time.
    held: HashMap<u32, u32>,
    waiting: std::collections::BTreeMap<ContactId, (usize, f64)>,
    reassigned: u64,
    closed_by_inactivity: u64,
    /// Per queue: `asynchronous.resume = "same_agent"`.
    same_agent: Vec<bool>,
    /// Per parked or resumed contact: the agent who had it; per resumed contact, whether that
    /// agent could take it at the resume (it must then be offered to it).
    last_agent: HashMap<ContactId, u32>,
    resumed_to_free_agent: HashMap<ContactId, bool>,
    /// Per resumed contact not accepted again yet: when its customer wrote (its place in the
    /// queue and the clock of its tiers if it waits there).
    resumed_at: HashMap<ContactId, f64>,
    parks: u64,
    resumes: u64,
    parked_closes: u64,
    loads: u64,
    /// The center's dispositions (`ModelConfig::dispositions`), and per queue whether its chats
    /// get a code; contacts marked done, those with a code, and ratings asked.
    dispositions: usize,
    coded: Vec<bool>,
    done: u64,
    done_coded: u64,
    rated: u64,
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
            held_from_routing: Default::default(),
            left: HashMap::new(),
            reassign_to: m
                .queues
                .iter()
                .map(|q| q.chat.escalation.reassign_to)
                .collect(),
            first_tier: m.queues.iter().map(|q| q.tiers[0].groups.clone()).collect(),
            group_of: HashMap::new(),
            tiers: m
                .queues
                .iter()
                .map(|q| {
                    q.tiers
                        .iter()
                        .map(|t| (t.after, t.groups.clone()))
                        .collect()
                })
                .collect(),
            held: HashMap::new(),
            waiting: Default::default(),
            reassigned: 0,
            closed_by_inactivity: 0,
            same_agent: m
                .queues
                .iter()
                .map(|q| q.chat.asynchronous.resume == ccsim::model::Resume::SameAgent)
                .collect(),
            last_agent: HashMap::new(),
            resumed_to_free_agent: HashMap::new(),
            resumed_at: HashMap::new(),
            parks: 0,
            resumes: 0,
            parked_closes: 0,
            loads: 0,
            dispositions: m.dispositions.len(),
            coded: m
                .queues
                .iter()
                .map(|q| q.chat.dispositions.is_some())
                .collect(),
            done: 0,
            done_coded: 0,
            rated: 0,
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
        assert!(l.gated <= l.busy && l.silent <= l.held, "{l:?}");
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

    /// `agent` could be offered a chat now: Ready, below its K, not held from routing.
    fn free(&self, agent: u32) -> bool {
        let Some(&g) = self.group_of.get(&agent) else {
            return false;
        };
        self.states.get(&agent) == Some(&AgentState::Ready)
            && self.held.get(&agent).copied().unwrap_or(0) < self.k[g]
            && !self.held_from_routing.contains(&agent)
    }

    /// Slots are conserved: the chats the agents hold (level by level) are the contacts in a
    /// stage that holds a slot — a parked or resumed session holds none. A scan of every
    /// contact: run on every 64th load record (a leak, once there, stays).
    fn check_slots(&self) {
        let held: u32 = self
            .levels
            .iter()
            .map(|v| {
                v.iter()
                    .enumerate()
                    .map(|(j, &n)| j as u32 * n)
                    .sum::<u32>()
            })
            .sum();
        let holding = self.contacts.values().filter(|s| s.holds_slot()).count() as u32;
        assert_eq!(
            held, holding,
            "at {}: slots held vs contacts holding one",
            self.now
        );
    }

    /// At the end of instant `t`: no contact waits while an agent who may take it is free —
    /// Ready, below its K, not held from routing, of a group of one of the contact's open tiers
    /// (a requeued chat: of its target queue, the agent it left aside).
    fn check_nobody_waits_for_a_free_agent(&self, t: f64) {
        for (&c, &(queue, arrived_at)) in &self.waiting {
            // A resumed session waits in its own queue (the one it is served under).
            let requeued =
                self.contacts[&c] == Stage::Requeued && !self.resumed_at.contains_key(&c);
            let (queue, left) = if requeued {
                (self.reassign_to[queue], self.left.get(&c).copied())
            } else {
                (queue, None)
            };
            for (after, groups) in &self.tiers[queue] {
                if arrived_at + after > t {
                    break;
                }
                for (&agent, &state) in &self.states {
                    let g = self.group_of[&agent];
                    let free = state == AgentState::Ready
                        && self.held.get(&agent).copied().unwrap_or(0) < self.k[g]
                        && !self.held_from_routing.contains(&agent);
                    assert!(
                        !(free && groups.contains(&g) && Some(agent) != left),
                        "at {t}: contact {c} (queue {queue}) waits while agent {agent} of group \
                         {g} is free"
                    );
                }
            }
        }
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
        if now > self.now {
            self.check_nobody_waits_for_a_free_agent(self.now);
        }
        self.now = now;
        match record {
            Record::Arrived { contact, queue, .. } => {
                assert_eq!(
                    contact, self.next_contact,
                    "contacts are numbered in arrival order"
                );
                self.next_contact += 1;
                self.contacts.insert(contact, Stage::Waiting);
                self.waiting.insert(contact, (queue as usize, now));
            }
            Record::Offered {
                contact,
                queue,
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
                assert!(
                    !self.held_from_routing.contains(&agent),
                    "offered to agent {agent}, held from routing"
                );
                let s = *self.stage(contact);
                let next = match s {
                    Stage::Waiting => Stage::Offered,
                    Stage::Resumed => {
                        // Offered first to the agent who had it, when that agent was free.
                        if self.resumed_to_free_agent.remove(&contact) == Some(true) {
                            assert_eq!(
                                Some(&agent),
                                self.last_agent.get(&contact),
                                "resumed contact {contact} offered to another agent than the \
                                 free one who had it"
                            );
                        }
                        Stage::Reoffered
                    }
                    Stage::Requeued => {
                        // Back to the agent it left only with nobody else on shift in its open
                        // tiers: at least, nobody else Ready in its target queue's first tier.
                        if self.left.get(&contact) == Some(&agent) {
                            let target = self.reassign_to[queue as usize];
                            let other_ready = self.states.iter().any(|(&a, &st)| {
                                a != agent
                                    && st == AgentState::Ready
                                    && self.first_tier[target].contains(&self.group_of[&a])
                            });
                            assert!(
                                !other_ready,
                                "contact {contact} offered back to the agent it left while \
                                 another agent of its queue's first tier was Ready"
                            );
                        }
                        Stage::Reoffered
                    }
                    _ => panic!("offered twice: {contact} ({s:?})"),
                };
                *self.stage(contact) = next;
                self.waiting.remove(&contact);
                self.offered_records += 1;
            }
            Record::OfferTimedOut {
                contact,
                queue,
                arrived_at,
                ..
            } => {
                let since = self.resumed_at.get(&contact).copied().unwrap_or(arrived_at);
                self.waiting.insert(contact, (queue as usize, since));
                let s = self.stage(contact);
                *s = match *s {
                    Stage::Offered => Stage::Waiting,
                    Stage::Reoffered => Stage::Requeued,
                    other => panic!("timed out without an offer: {contact} ({other:?})"),
                };
                self.offers_timed_out += 1;
            }
            Record::State {
                agent,
                state,
                group,
            } => {
                self.states.insert(agent, state);
                self.group_of.insert(agent, group as usize);
            }
            Record::Answered { contact, wait, .. } => {
                assert!(wait >= 0.0);
                let s = self.stage(contact);
                assert_eq!(*s, Stage::Offered, "answered without an offer: {contact}");
                *s = Stage::Answered;
            }
            Record::AbandonedQueue { contact, wait, .. } => {
                self.waiting.remove(&contact);
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
            Record::AbandonedChat {
                contact,
                unassigned,
                ..
            } => {
                let s = *self.stage(contact);
                if unassigned {
                    self.waiting.remove(&contact);
                    assert!(
                        matches!(s, Stage::Requeued | Stage::Reoffered | Stage::Resumed),
                        "left unassigned from {s:?}: {contact}"
                    );
                    self.end(contact);
                } else {
                    assert_eq!(s, Stage::Answered, "left a chat never answered: {contact}");
                    *self.stage(contact) = Stage::LeftChat;
                }
            }
            Record::Reassigned {
                contact,
                agent,
                queue,
                arrived_at,
                ..
            } => {
                self.waiting.insert(contact, (queue as usize, arrived_at));
                let s = self.stage(contact);
                assert_eq!(*s, Stage::Answered, "reassigned from {s:?}: {contact}");
                *s = Stage::Requeued;
                self.left.insert(contact, agent);
                self.reassigned += 1;
            }
            Record::Reaccepted { contact, .. } => {
                let s = self.stage(contact);
                assert_eq!(*s, Stage::Reoffered, "reaccepted from {s:?}: {contact}");
                *s = Stage::Answered;
            }
            // The checker's desks and centers have no [transfer] (tests/transfers.rs checks them).
            Record::Requested { .. }
            | Record::Invited { .. }
            | Record::InvitationDeclined { .. }
            | Record::InvitationFailed { .. }
            | Record::Transferred { .. }
            | Record::AgentLeft { .. }
            | Record::TransferReply { .. }
            | Record::Joined { .. }
            | Record::ConsultationStarted { .. }
            | Record::ConsultationEnded { .. } => {
                panic!("a transfer record without transfers: {record:?}")
            }
            Record::Parked { contact, agent, .. } => {
                let s = self.stage(contact);
                assert_eq!(*s, Stage::Answered, "parked from {s:?}: {contact}");
                *s = Stage::Parked;
                self.left.remove(&contact);
                self.last_agent.insert(contact, agent);
                self.parks += 1;
            }
            Record::Resumed { contact, queue, .. } => {
                let s = self.stage(contact);
                assert_eq!(*s, Stage::Parked, "resumed from {s:?}: {contact}");
                *s = Stage::Resumed;
                let queue = queue as usize;
                let last = self.last_agent[&contact];
                let free = self.same_agent[queue] && self.free(last);
                self.resumed_to_free_agent.insert(contact, free);
                self.resumed_at.insert(contact, now);
                self.resumes += 1;
            }
            Record::ResumeAccepted { contact, .. } => {
                let s = self.stage(contact);
                assert_eq!(
                    *s,
                    Stage::Reoffered,
                    "resume accepted from {s:?}: {contact}"
                );
                *s = Stage::Answered;
                self.resumed_at.remove(&contact);
            }
            Record::ResumedReply { contact, .. } => {
                let s = *self.stage(contact);
                assert_eq!(s, Stage::Answered, "resumed reply in {s:?}: {contact}");
            }
            Record::ClosedParked { contact, .. } => {
                let s = self.stage(contact);
                assert_eq!(*s, Stage::Parked, "parked close from {s:?}: {contact}");
                // Marked done next, holding no slot.
                *s = Stage::LeftChat;
                self.parked_closes += 1;
            }
            Record::Message { contact, .. } => {
                let s = *self.stage(contact);
                assert_eq!(s, Stage::Answered, "customer message in {s:?}: {contact}");
            }
            Record::InactivityAlert { contact, .. } => {
                let s = *self.stage(contact);
                assert_eq!(s, Stage::Answered, "inactivity alert in {s:?}: {contact}");
            }
            Record::ClosedByInactivity { contact, .. } => {
                let s = self.stage(contact);
                assert_eq!(
                    *s,
                    Stage::Answered,
                    "closed for inactivity in {s:?}: {contact}"
                );
                *s = Stage::LeftChat;
                self.closed_by_inactivity += 1;
            }
            Record::HeldFromRouting { agent, held, .. } => {
                if held {
                    assert!(self.held_from_routing.insert(agent), "held twice: {agent}");
                } else {
                    assert!(
                        self.held_from_routing.remove(&agent),
                        "released twice: {agent}"
                    );
                }
            }
            Record::Done {
                contact,
                handle_time,
                wrapup,
                disposition,
                ..
            } => {
                assert!(handle_time >= wrapup && wrapup >= 0.0);
                // One outcome per contact marked done, among the center's.
                assert!(
                    disposition == NO_DISPOSITION || (disposition as usize) < self.dispositions,
                    "disposition {disposition} of {} codes",
                    self.dispositions
                );
                self.done += 1;
                self.done_coded += u64::from(disposition != NO_DISPOSITION);
                let s = *self.stage(contact);
                assert!(
                    matches!(s, Stage::Answered | Stage::LeftChat),
                    "done from {s:?}"
                );
                self.end(contact);
            }
            // Asked only of a customer who saw the chat through (not one who left it), once.
            Record::Rated { contact, score, .. } => {
                let s = *self.stage(contact);
                assert_eq!(s, Stage::Answered, "a rating from {s:?}");
                assert!(score.map_or(true, |k| (1..=5).contains(&k)));
                self.rated += 1;
            }
            // Proactive visitors and internal chats are not contacts (tests/proactive.rs and
            // tests/internal.rs follow them).
            Record::Visitor { .. }
            | Record::ProactiveInvite { .. }
            | Record::VisitorLeft { .. }
            | Record::InternalMessage { .. }
            | Record::Writing { .. } => {}
            Record::Load(l) => {
                self.check_load(l, 0..self.k.len());
                self.loads += 1;
                if self.loads % 64 == 0 {
                    self.check_slots();
                }
            }
            Record::GroupLoad { group, counts } => {
                let g = group as usize;
                self.check_load(counts, g..g + 1)
            }
            Record::Level {
                agent,
                group,
                from,
                to,
            } => {
                self.held.insert(agent, if to == ABSENT { 0 } else { to });
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
                self.waiting.remove(&contact);
                self.in_system_at_end += 1;
                self.end(contact);
            }
            // A returning customer's attempt is a contact like any other (it arrived just
            // before); a return is drawn once the attempt has left the customer.
            Record::Returned { contact, .. } => {
                assert_eq!(
                    contact + 1,
                    self.next_contact,
                    "Returned right after Arrived"
                );
                assert_eq!(*self.stage(contact), Stage::Waiting);
            }
            Record::WillReturn { contact, at, .. } => {
                assert!(at >= now, "a return in the past");
                let s = *self.stage(contact);
                assert!(
                    matches!(s, Stage::Ended | Stage::LeftChat),
                    "return drawn for contact {contact} in {s:?}"
                );
            }
        }
    }
}

/// Run a scenario (text plus overrides) and check every invariant; returns the checker.
fn check(text: &str, overrides: &[&str]) -> Checker {
    check_seed(text, overrides, 3)
}

/// [`check`] with the streams of `seed`.
fn check_seed(text: &str, overrides: &[&str], seed: u64) -> Checker {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let s =
        scenario::parse(text, Path::new("t.toml"), &overrides).unwrap_or_else(|e| panic!("{e}"));
    let m = &s.model;
    let (checker, totals) = run_replication(m, seed, 0, Checker::new(m));
    assert_eq!(totals.contacts, checker.next_contact);
    assert_eq!(
        checker.ended, checker.next_contact,
        "every arrival ends exactly once ({overrides:?}, seed {seed})"
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

#[test]
fn returning_customers_keep_the_invariants() {
    let c = check(
        &basic(),
        &[
            "staffing.agents=4",
            r#"patience.retry={ probability = 0.6, delay = { dist = "exponential", mean = "5m" }, max = 3 }"#,
            r#"patience.recontact={ probability = 0.3, delay = { dist = "exponential", mean = "30m" } }"#,
        ],
    );
    assert!(c.offered_records > 100);
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

fn escalation() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/escalation.toml"
    ))
    .unwrap()
}

/// Escalation under every routing policy and attention order, understaffed so that agents are
/// held from routing, chats are reassigned (often several times), reassigned chats time out
/// their offers and leave while requeued, and silent customers hold slots.
#[test]
fn escalation_keeps_the_invariants() {
    let mut reassigned = 0;
    let mut closed = 0;
    for routing in ["least_busy", "longest_idle", "most_busy"] {
        for attention in ["fifo", "most_urgent", "newest", "parallel"] {
            for (basis, hold) in [("customer_message", "red"), ("agent_message", "yellow")] {
                let c = check(
                    &escalation(),
                    &[
                        &format!("staffing.routing={routing}"),
                        &format!("staffing.attention={attention}"),
                        &format!("indicator.basis={basis}"),
                        &format!("escalation.hold_new_chats={hold}"),
                        "escalation.reassign_after=40s",
                        "staffing.agents=4",
                        "offer.alert_timeout=2s",
                        "conversation.accept_delay={ dist = \"exponential\", mean = \"1s\" }",
                    ],
                );
                assert!(c.offered_records > 100);
                reassigned += c.reassigned;
                closed += c.closed_by_inactivity;
            }
        }
    }
    assert!(reassigned > 1000, "{reassigned} reassignments");
    assert!(closed > 1000, "{closed} closed for inactivity");
}

/// Chats reassigned to another queue (served by other groups, with overflow tiers) keep the
/// invariants too.
#[test]
fn reassigning_to_another_queue_keeps_the_invariants() {
    for seed in 0..3 {
        let c = check_seed(
            &two_lines(),
            &[
                "queues.billing.rate_per_hour=240",
                "queues.billing.escalation.reassign_after=30s",
                "queues.billing.escalation.reassign_to=\"queue:tech\"",
                "escalation.hold_new_chats=yellow",
            ],
            seed,
        );
        assert!(c.reassigned > 20, "seed {seed}: {}", c.reassigned);
    }
}

/// Dispositions and ratings on the bundled center (codes everywhere, `missing` on WhatsApp):
/// every contact marked done has one outcome, so the dispositions sum to the chats wrapped up
/// (tests/dispositions.rs checks a center with transfers, which this checker does not take).
#[test]
fn dispositions_and_ratings_keep_the_invariants() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/dispositions.toml"
    ))
    .unwrap();
    for overrides in [
        vec![],
        vec!["queues.billing.rate_per_hour=200", "rating.answer=1"],
    ] {
        for seed in 0..3 {
            let c = check_seed(&text, &overrides, seed);
            assert!(c.done > 300, "{} contacts marked done", c.done);
            assert_eq!(c.done_coded, c.done, "every chat wrapped up has a code");
            assert!(c.rated > 0);
            assert!(c.coded.iter().all(|&coded| coded));
        }
    }
}

fn two_lines() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/two_lines.toml"
    ))
    .unwrap()
}

/// The bundled multi-queue scenario and variants that stress one mechanism each, over several
/// seeds: alert timeouts that hit most offers, breaks and shift changes under heavy load,
/// overflow tiers that open early and late, priorities either way, every routing policy and
/// attention order.
#[test]
fn two_lines_and_its_variants_keep_the_invariants() {
    let heavy = [
        "queues.billing.rate_per_hour=240",
        "queues.tech.rate_per_hour=120",
    ];
    let variants: Vec<Vec<&str>> = vec![
        vec![],
        // Accept delay of mean 4 s: most offers time out, and agents pause 1 minute.
        vec!["offer.alert_timeout=1"],
        heavy.to_vec(),
        [
            &heavy[..],
            &["offer.alert_timeout=2", "routing.agent=most_busy"],
        ]
        .concat(),
        vec![
            "queues.billing.served_by.1.after=1",
            "queues.tech.priority=-1",
            "routing.agent=longest_idle",
        ],
        [&heavy[..], &["queues.billing.served_by.1.after=600"]].concat(),
        [
            &heavy[..],
            &["routing.attention=parallel", "queues.billing.priority=3"],
        ]
        .concat(),
        vec![
            "routing.attention=most_urgent",
            "groups.generalists.absenteeism=0.5",
        ],
    ];
    for overrides in &variants {
        for seed in 0..3 {
            let c = check_seed(&two_lines(), overrides, seed);
            assert!(
                c.offered_records > 200,
                "{overrides:?}: {}",
                c.offered_records
            );
            if overrides
                .iter()
                .any(|o| o.starts_with("offer.alert_timeout"))
            {
                assert!(
                    c.offers_timed_out > 50,
                    "{overrides:?}: {}",
                    c.offers_timed_out
                );
            }
        }
    }
}

/// A random valid multi-queue scenario: its groups (capacity, absenteeism, a constant number of
/// agents, a per-step plan or shifts with breaks), its queues (rate, priority, tiers over the
/// groups with increasing `after`, patience) and the offer settings.
#[derive(Debug, Clone)]
struct RandomCenter {
    groups: Vec<RandomGroup>,
    queues: Vec<RandomQueue>,
    alert_timeout: Option<f64>,
    pause: f64,
    accept: f64,
    routing: &'static str,
    attention: &'static str,
    escalation: RandomEscalation,
}

/// `[escalation]`, `[inactivity]` and silent leavers, each possibly off; `reassign_to`: a queue
/// index (reduced modulo the number of queues) or the chat's own.
#[derive(Debug, Clone)]
struct RandomEscalation {
    red_first: bool,
    hold: &'static str,
    reassign_after: Option<f64>,
    reassign_to: Option<usize>,
    /// alert, alert2, close (seconds, increasing), each optional.
    inactivity: (Option<f64>, Option<f64>, Option<f64>),
    silent_leave: f64,
    /// `[asynchronous]`: park_after, resume to the same agent, affinity_wait, close_after.
    asynchronous: Option<(f64, bool, f64, Option<f64>)>,
}

#[derive(Debug, Clone)]
struct RandomGroup {
    k: u32,
    absenteeism: f64,
    staffing: RandomStaffing,
}

#[derive(Debug, Clone)]
enum RandomStaffing {
    Agents(u32),
    /// Four half-hours.
    Plan(Vec<u32>),
    Shifts(Vec<RandomShift>),
}

/// Start and length in minutes from 08:00, agents, breaks (offset into the room left, length in
/// minutes).
type RandomShift = (u32, u32, u32, Vec<(f64, u32)>);

#[derive(Debug, Clone)]
struct RandomQueue {
    rate: f64,
    priority: i64,
    /// Each tier: a bit mask of groups, and the extra wait after the previous tier (seconds).
    tiers: Vec<(u8, u32)>,
    patience: Option<f64>,
    reply_patience: Option<f64>,
}

fn random_center() -> impl Strategy<Value = RandomCenter> {
    let staffing = prop_oneof![
        (1u32..6).prop_map(RandomStaffing::Agents),
        prop::collection::vec(0u32..6, 4).prop_map(|mut v| {
            v[0] = v[0].max(1);
            RandomStaffing::Plan(v)
        }),
        prop::collection::vec(
            (
                0u32..110,
                10u32..130,
                1u32..5,
                prop::collection::vec((0.0f64..1.0, 1u32..20), 0..3)
            ),
            1..3
        )
        .prop_map(RandomStaffing::Shifts),
    ];
    let group = (1u32..5, prop_oneof![Just(0.0), 0.0f64..0.6], staffing).prop_map(
        |(k, absenteeism, staffing)| RandomGroup {
            k,
            absenteeism,
            staffing,
        },
    );
    let queue = (
        0.0f64..300.0,
        -1i64..3,
        prop::collection::vec((1u8..8, 1u32..200), 1..4),
        prop::option::of(5.0f64..400.0),
        prop::option::of(30.0f64..600.0),
    )
        .prop_map(
            |(rate, priority, tiers, patience, reply_patience)| RandomQueue {
                rate,
                priority,
                tiers,
                patience,
                reply_patience,
            },
        );
    (
        prop::collection::vec(group, 1..4),
        prop::collection::vec(queue, 2..5),
        prop::option::of(1.0f64..15.0),
        0.0f64..120.0,
        0.0f64..8.0,
        prop::sample::select(vec!["least_busy", "longest_idle", "most_busy"]),
        prop::sample::select(vec!["fifo", "most_urgent", "newest", "parallel"]),
        random_escalation(),
    )
        .prop_map(
            |(groups, queues, alert_timeout, pause, accept, routing, attention, escalation)| {
                RandomCenter {
                    groups,
                    queues,
                    alert_timeout,
                    pause,
                    accept,
                    routing,
                    attention,
                    escalation,
                }
            },
        )
}

fn random_escalation() -> impl Strategy<Value = RandomEscalation> {
    (
        any::<bool>(),
        prop::sample::select(vec!["off", "yellow", "red"]),
        prop::option::of(5.0f64..200.0),
        prop::option::of(0usize..5),
        (
            prop::option::of(5.0f64..60.0),
            prop::option::of(0.0f64..60.0),
            prop::option::of(0.0f64..120.0),
        ),
        prop_oneof![Just(0.0), 0.0f64..0.5],
        prop::option::of((
            5.0f64..60.0,
            any::<bool>(),
            prop_oneof![Just(0.0), 0.0f64..120.0],
            prop::option::of(10.0f64..600.0),
        )),
    )
        .prop_map(
            |(red_first, hold, reassign_after, reassign_to, (a, b, c), silent, asynchronous)| {
                // Increasing timers: each a step after the one before (or after 1 s).
                let alert = a;
                let alert2 = b.map(|b| alert.unwrap_or(1.0) + b);
                let close = c.map(|c| alert2.or(alert).unwrap_or(1.0) + c);
                RandomEscalation {
                    red_first,
                    hold,
                    reassign_after,
                    reassign_to,
                    inactivity: (alert, alert2, close),
                    silent_leave: if close.is_some() { silent } else { 0.0 },
                    // A wait for the same agent only with resume = "same_agent".
                    asynchronous: asynchronous.map(|(park, same, wait, close)| {
                        (park, same, if same { wait } else { 0.0 }, close)
                    }),
                }
            },
        )
}

/// Minutes from 08:00 as a clock time.
fn clock(minutes: u32) -> String {
    format!("{:02}:{:02}", 8 + minutes / 60, minutes % 60)
}

impl RandomCenter {
    fn toml(&self) -> String {
        let ng = self.groups.len();
        let mut text = format!(
            r#"
            [run]
            horizon = "2h"
            interval = "30m"
            day_start = "08:00"
            [routing]
            agent = "{}"
            attention = "{}"
            [conversation]
            exchanges = {{ dist = "geometric", mean = 3 }}
            customer_think = {{ dist = "exponential", mean = 20 }}
            agent_compose = {{ dist = "gamma", mean = 25, cv = 0.7 }}
            accept_delay = {{ dist = "exponential", mean = {} }}
            concurrency_slowdown = [1.0, 1.1, 1.2, 1.4]
            silent_leave = {}
            [wrapup]
            time = {{ dist = "uniform", min = 0, max = 20 }}
            [offer]
            not_responding_pause = {{ dist = "constant", value = {} }}
            "#,
            self.routing,
            self.attention,
            self.accept.max(0.01),
            self.escalation.silent_leave,
            self.pause
        );
        if let Some(t) = self.alert_timeout {
            text += &format!("alert_timeout = {t}\n");
        }
        let e = &self.escalation;
        text += &format!(
            "[escalation]\nred_first = {}\nhold_new_chats = \"{}\"\n",
            e.red_first, e.hold
        );
        if let Some(t) = e.reassign_after {
            text += &format!("reassign_after = {t}\n");
        }
        if let Some(q) = e.reassign_to {
            text += &format!("reassign_to = \"queue:q{}\"\n", q % self.queues.len());
        }
        text += "[inactivity]\n";
        for (key, t) in [
            ("alert", e.inactivity.0),
            ("alert2", e.inactivity.1),
            ("close", e.inactivity.2),
        ] {
            if let Some(t) = t {
                text += &format!("{key} = {t}\n");
            }
        }
        if let Some((park, same, wait, close)) = e.asynchronous {
            text += &format!(
                "[asynchronous]\npark_after = {park}\nresume = \"{}\"\n",
                if same { "same_agent" } else { "queue" }
            );
            if same {
                text += &format!("affinity_wait = {wait}\n");
            }
            if let Some(close) = close {
                text += &format!("close_after = {close}\n");
            }
        }

        let mut served = vec![false; ng];
        let mut queue_tiers = Vec::new();
        for (q, queue) in self.queues.iter().enumerate() {
            // Tiers over groups not named yet by this queue; the first always has a group.
            let mut used = vec![false; ng];
            let mut tiers: Vec<(Vec<usize>, u32)> = Vec::new();
            let mut after = 0;
            for (t, &(mask, extra)) in queue.tiers.iter().enumerate() {
                let mut groups: Vec<usize> = (0..ng)
                    .filter(|&g| mask & (1 << g) != 0 && !used[g])
                    .collect();
                if t == 0 && groups.is_empty() {
                    groups.push(q % ng);
                }
                if groups.is_empty() {
                    continue;
                }
                if t > 0 {
                    after += extra;
                }
                for &g in &groups {
                    used[g] = true;
                    served[g] = true;
                }
                tiers.push((groups, after));
            }
            queue_tiers.push(tiers);
        }
        // Every group serves some queue: the first queue's first tier takes those left.
        for (g, _) in served.iter().enumerate().filter(|(_, s)| !**s) {
            let first = &mut queue_tiers[0];
            if !first.iter().any(|(gs, _)| gs.contains(&g)) {
                first[0].0.push(g);
            }
        }
        for (q, (queue, tiers)) in self.queues.iter().zip(&queue_tiers).enumerate() {
            let tiers: Vec<String> = tiers
                .iter()
                .enumerate()
                .map(|(t, (groups, after))| {
                    let names: Vec<String> = groups.iter().map(|g| format!("\"g{g}\"")).collect();
                    if t == 0 {
                        format!("{{ groups = [{}] }}", names.join(", "))
                    } else {
                        format!("{{ groups = [{}], after = {after} }}", names.join(", "))
                    }
                })
                .collect();
            text += &format!(
                "[queues.q{q}]\nrate_per_hour = {}\npriority = {}\nserved_by = [{}]\n",
                queue.rate,
                queue.priority,
                tiers.join(", ")
            );
            if let Some(p) = queue.patience {
                text += &format!("patience.queue = {{ dist = \"exponential\", mean = {p} }}\n");
            }
            if let Some(p) = queue.reply_patience {
                text += &format!("patience.reply = {{ dist = \"exponential\", mean = {p} }}\n");
            }
        }
        for (g, group) in self.groups.iter().enumerate() {
            text += &format!(
                "[groups.g{g}]\nmax_concurrent_chats = {}\nabsenteeism = {}\n",
                group.k, group.absenteeism
            );
            match &group.staffing {
                RandomStaffing::Agents(n) => text += &format!("agents = {n}\n"),
                RandomStaffing::Plan(v) => text += &format!("agents_per_interval = {v:?}\n"),
                RandomStaffing::Shifts(shifts) => {
                    let mut list = Vec::new();
                    for &(start, length, agents, ref breaks) in shifts {
                        let end = (start + length).min(120);
                        let mut cursor = start;
                        let mut bs = Vec::new();
                        for &(offset, len) in breaks {
                            if cursor + len > end {
                                break;
                            }
                            let at = cursor + (offset * f64::from(end - cursor - len)) as u32;
                            bs.push(format!("{{ at = \"{}\", length = \"{len}m\" }}", clock(at)));
                            cursor = at + len;
                        }
                        list.push(format!(
                            "{{ start = \"{}\", end = \"{}\", agents = {agents}, breaks = [{}] }}",
                            clock(start),
                            clock(end),
                            bs.join(", ")
                        ));
                    }
                    text += &format!("shifts = [{}]\n", list.join(", "));
                }
            }
        }
        text
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random valid multi-queue centers never panic and keep every invariant.
    #[test]
    fn random_multi_queue_centers_keep_the_invariants(center in random_center(), seed in 0u64..1000) {
        let text = center.toml();
        check_seed(&text, &[], seed);
    }
}

#[test]
fn asynchronous_continuation_keeps_the_invariants() {
    // Understaffed, with think times long enough that a third of the customers' silences park
    // their session: resumed sessions wait for their agent, or go to the queue, or are closed.
    for (resume, wait, agents) in [
        ("same_agent", "0s", 4),
        ("same_agent", "2m", 4),
        ("same_agent", "10m", 3),
        ("queue", "", 4),
    ] {
        let mut overrides = vec![
            format!("staffing.agents={agents}"),
            r#"conversation.customer_think={ dist = "exponential", mean = "2m" }"#.to_string(),
            "asynchronous.park_after=2m".to_string(),
            format!("asynchronous.resume={resume}"),
            "asynchronous.close_after=3m".to_string(),
        ];
        if !wait.is_empty() {
            overrides.push(format!("asynchronous.affinity_wait={wait}"));
        }
        let overrides: Vec<&str> = overrides.iter().map(String::as_str).collect();
        for seed in [3, 4] {
            let c = check_seed(&basic(), &overrides, seed);
            assert!(c.parks > 200, "{resume} {wait}: {} parks", c.parks);
            assert!(c.resumes > 100, "{resume} {wait}: {} resumes", c.resumes);
            assert!(
                c.parked_closes > 5,
                "{resume} {wait}: {} closes",
                c.parked_closes
            );
        }
    }
}
