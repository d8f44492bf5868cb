//! Transfers and invitations against exact results and the workflow's rules:
//! - Burke's theorem: queue A (one slot per agent, one exchange, exponential compose, no think
//!   time, no wrap-up) transfers a share p of its chats to queue B (`how = "queue"`), which has
//!   no arrivals of its own. A's departures are Poisson, so B is an Erlang C system with arrival
//!   rate p·λ: its mean wait (the time to transfer) and its P(wait) are exact;
//! - invitations answered by ample free agents: accepted, refused and ignored in the shares
//!   (1−r)(1−e^{−T/d}), r(1−e^{−T/d}) and e^{−T/d};
//! - rules: an invitation never goes to the inviting agent; a target where the inviting agent
//!   is the only Ready one fails at once; a chat transferred to a queue takes its place at the
//!   end of it (offers in join order) and never goes back to the agent who transferred it; a
//!   refused chat stays with its agent, its customer's message still pending.

mod common;

use std::collections::HashMap;

use ccsim::model::{run_replication, Observer, Record};
use ccsim::theory::ErlangC;
use common::{assert_covers, kpi_values, run, scenario};

/// Queue `a` (rate `lambda` per hour, `na` agents) transfers `p` of its chats to queue `b`
/// (no arrivals, `nb` agents), both composing in an exponential 300 s on average.
fn burke(lambda: f64, na: u32, p: f64, nb: u32) -> String {
    format!(
        r#"
        [run]
        horizon = "100h"
        warmup = "5h"
        interval = "105h"
        replications = 30
        seed = 5
        [conversation]
        exchanges = {{ dist = "constant", value = 1 }}
        agent_compose = {{ dist = "exponential", mean = "300s" }}
        [queues.a]
        rate_per_hour = {lambda}
        served_by = [ {{ groups = ["ga"] }} ]
        [queues.a.transfer]
        share = {p}
        after_exchanges = {{ dist = "constant", value = 1 }}
        to = "queue:b"
        how = "queue"
        [queues.b]
        rate_per_hour = 0
        served_by = [ {{ groups = ["gb"] }} ]
        [groups.ga]
        agents = {na}
        [groups.gb]
        agents = {nb}
        "#
    )
}

/// Per replication: transferred chats that arrived after the warm-up, and those of them that
/// waited in the target queue.
#[derive(Default)]
struct Waited {
    warmup: f64,
    transferred: u64,
    waited: u64,
}

impl Observer for Waited {
    fn record(&mut self, _: f64, record: Record) {
        if let Record::Transferred {
            arrived_at,
            time_to_transfer,
            ..
        } = record
        {
            if arrived_at >= self.warmup {
                self.transferred += 1;
                self.waited += (time_to_transfer > 0.0) as u64;
            }
        }
    }
}

#[test]
fn a_queue_fed_by_transfers_is_erlang_c_by_burkes_theorem() {
    let (lambda, p, nb) = (60.0, 0.4, 3);
    let s = scenario(&burke(lambda, 6, p, nb));
    let exact = ErlangC::new(nb, p * lambda / 3600.0, 1.0 / 300.0).unwrap();
    let reps = run(&s);
    // The time to transfer of a queue transfer is the wait in B (no accept delay).
    assert_covers(
        "B's mean wait",
        &kpi_values(&reps, "time_to_transfer_mean"),
        exact.mean_wait(),
        0.12 * exact.mean_wait(),
    );
    let shares: Vec<f64> = (0..s.run.replications)
        .map(|r| {
            let observer = Waited {
                warmup: 5.0 * 3600.0,
                ..Waited::default()
            };
            let (w, _) = run_replication(&s.model, s.run.seed, u64::from(r), observer);
            assert!(w.transferred > 1500, "{} transferred", w.transferred);
            w.waited as f64 / w.transferred as f64
        })
        .collect();
    assert_covers("B's P(wait)", &shares, exact.p_wait(), 0.05);
    // Every transfer requested was done (no patience), at rate p of the answered.
    assert_covers(
        "transfer rate",
        &kpi_values(&reps, "transfer_rate"),
        p,
        0.02,
    );
    // Two agents per transferred contact.
    assert_covers(
        "agents per contact",
        &kpi_values(&reps, "agents_per_contact_mean"),
        1.0 + p,
        0.02,
    );
}

/// Queue `q` served by group `a` (`na` agents, 3 slots), inviting group `b` (200 agents: always
/// some free) for every chat, with the given invitation settings.
fn inviting(invitation: &str, na: u32, to: &str) -> String {
    format!(
        r#"
        [run]
        horizon = "20h"
        warmup = "1h"
        interval = "21h"
        replications = 60
        seed = 9
        [conversation]
        exchanges = {{ dist = "constant", value = 3 }}
        customer_think = {{ dist = "exponential", mean = "20s" }}
        agent_compose = {{ dist = "exponential", mean = "20s" }}
        [invitation]
        {invitation}
        [queues.q]
        rate_per_hour = 100
        served_by = [ {{ groups = ["a"] }} ]
        [queues.q.transfer]
        share = 1.0
        after_exchanges = {{ dist = "constant", value = 1 }}
        to = "{to}"
        how = "invite"
        [groups.a]
        agents = {na}
        max_concurrent_chats = 3
        {b}
        "#,
        b = if to == "group:b" {
            "[groups.b]\nagents = 200"
        } else {
            ""
        }
    )
}

#[test]
fn invitations_are_accepted_refused_and_ignored_in_the_exact_shares() {
    let (d, t, r): (f64, f64, f64) = (10.0, 15.0, 0.2);
    let s = scenario(&inviting(
        &format!(
            r#"answer_delay = {{ dist = "exponential", mean = {d} }}
            refuse = {r}
            timeout = {t}"#
        ),
        30,
        "group:b",
    ));
    let reps = run(&s);
    let requested = kpi_values(&reps, "transfers_requested");
    let share = |kpi: &str| -> Vec<f64> {
        kpi_values(&reps, kpi)
            .iter()
            .zip(&requested)
            .map(|(k, n)| k / n)
            .collect()
    };
    let answered = 1.0 - (-t / d).exp();
    assert_covers(
        "accepted",
        &share("transfers_done"),
        (1.0 - r) * answered,
        0.02,
    );
    assert_covers("refused", &share("transfers_refused"), r * answered, 0.02);
    assert_covers("ignored", &share("transfers_ignored"), 1.0 - answered, 0.02);
    assert!(kpi_values(&reps, "transfers_no_agent")
        .iter()
        .all(|&x| x == 0.0));
}

/// Every record of replication 0.
struct Log(Vec<(f64, Record)>);

impl Observer for Log {
    fn record(&mut self, now: f64, record: Record) {
        self.0.push((now, record));
    }
}

fn records(text: &str) -> Vec<(f64, Record)> {
    let s = scenario(text);
    run_replication(&s.model, s.run.seed, 0, Log(Vec::new()))
        .0
         .0
}

#[test]
fn an_invitation_never_goes_to_the_inviting_agent() {
    // Group a invites its own colleagues: four agents of one slot, retries, refusals.
    let log = records(&inviting(
        r#"answer_delay = { dist = "exponential", mean = 5 }
        refuse = 0.5
        timeout = 8
        retries = 2"#,
        4,
        "group:a",
    ));
    let mut requester = HashMap::new();
    let mut invited = 0;
    for (_, r) in &log {
        match *r {
            Record::Requested { contact, agent, .. } => {
                requester.insert(contact, agent);
            }
            Record::Invited { contact, agent, .. } => {
                invited += 1;
                assert_ne!(
                    requester[&contact], agent,
                    "contact {contact} invited its own agent"
                );
            }
            _ => {}
        }
    }
    assert!(invited > 300, "{invited} invitations");
}

#[test]
fn the_only_ready_agent_of_the_target_cannot_transfer_to_it() {
    let s = scenario(&inviting("", 1, "group:a"));
    let reps = run(&s);
    let requested = kpi_values(&reps, "transfers_requested");
    assert!(requested.iter().all(|&n| n > 100.0), "{requested:?}");
    assert_eq!(kpi_values(&reps, "transfers_only_agent"), requested);
    assert!(kpi_values(&reps, "transfers_done")
        .iter()
        .all(|&x| x == 0.0));
}

#[test]
fn a_refused_chat_stays_with_its_agent_and_its_message_is_answered() {
    let log = records(&inviting(
        r#"answer_delay = { dist = "constant", value = 6 }
        refuse = 1.0"#,
        30,
        "group:b",
    ));
    let mut requested_at = HashMap::new();
    let mut answered_after = 0;
    for (now, r) in &log {
        match *r {
            Record::Requested { contact, .. } => {
                requested_at.insert(contact, *now);
            }
            Record::Transferred { .. } => panic!("every invitation is refused"),
            Record::Response {
                contact, duration, ..
            } => {
                if let Some(at) = requested_at.remove(&contact) {
                    // The first reply after the request answers the request's message, which
                    // waited through the 6 s invitation.
                    assert!(
                        (*now - duration - at).abs() < 1e-9 && duration >= 6.0,
                        "contact {contact}: reply {duration} s after a message at {}, request at {at}",
                        now - duration
                    );
                    answered_after += 1;
                }
            }
            Record::Done { contact, group, .. } => {
                assert_eq!(group, 0, "contact {contact} done by another group");
            }
            _ => {}
        }
    }
    assert!(answered_after > 1000, "{answered_after}");
}

/// Queue a (served by `ga`) transfers half its chats to queue b (served by `gb`), both of
/// 2 agents of one slot; then `extra` lines.
fn two_queues(ga: &str, gb: &str, extra: &str) -> String {
    format!(
        r#"
        [run]
        horizon = "30h"
        seed = 3
        [conversation]
        exchanges = {{ dist = "constant", value = 2 }}
        agent_compose = {{ dist = "exponential", mean = "60s" }}
        [queues.a]
        rate_per_hour = 40
        served_by = [ {{ groups = ["{ga}"] }} ]
        [queues.a.transfer]
        share = 0.5
        to = "queue:b"
        [queues.b]
        rate_per_hour = 20
        served_by = [ {{ groups = ["{gb}"] }} ]
        {extra}
        "#
    )
}

#[test]
fn a_chat_transferred_to_a_queue_waits_at_its_end() {
    // Queue b's own group takes its chats strictly in the order they joined it: its own
    // arrivals by arrival, transferred chats by the transfer.
    let log = records(&two_queues(
        "ga",
        "gb",
        "[groups.ga]\nagents = 3\n[groups.gb]\nagents = 2",
    ));
    let mut joined_b: HashMap<u64, f64> = HashMap::new();
    let mut last_join = f64::NEG_INFINITY;
    let mut transferred_offers = 0;
    let mut waited_behind = 0;
    for (now, r) in &log {
        match *r {
            Record::Arrived {
                contact, queue: 1, ..
            } => {
                joined_b.insert(contact, *now);
            }
            Record::AgentLeft { contact, .. } => {
                joined_b.insert(contact, *now);
                transferred_offers += 1;
            }
            Record::Offered { contact, .. } => {
                if let Some(join) = joined_b.remove(&contact) {
                    assert!(
                        join >= last_join,
                        "contact {contact} (joined b at {join}) offered after one that joined at {last_join}"
                    );
                    waited_behind += (*now > join) as u32;
                    last_join = join;
                }
            }
            _ => {}
        }
    }
    assert!(transferred_offers > 300, "{transferred_offers}");
    assert!(waited_behind > 100, "{waited_behind}: queue b never queued");
}

#[test]
fn a_chat_transferred_to_a_queue_never_goes_back_to_its_agent() {
    // One group serves both queues with 2 agents, so the agent who transferred a chat is often
    // the only one free: the chat waits for the other.
    let log = records(&two_queues("g", "g", "[groups.g]\nagents = 2"));
    let mut left_by = HashMap::new();
    let mut offers_after_transfer = 0;
    for (_, r) in &log {
        match *r {
            Record::AgentLeft { contact, agent, .. } => {
                left_by.insert(contact, agent);
            }
            Record::Offered { contact, agent, .. } => {
                if let Some(&left) = left_by.get(&contact) {
                    assert_ne!(left, agent, "contact {contact} offered back to its agent");
                    offers_after_transfer += 1;
                }
            }
            _ => {}
        }
    }
    assert!(offers_after_transfer > 300, "{offers_after_transfer}");
}

/// Queue q (group a, 30 agents of 3 slots) asks group b (`nb` agents of 2 slots) to join a
/// conference for every chat after one exchange; the joined agent answers `part` exchanges.
fn conferencing(owner_leaves: f64, part: u32, nb: u32) -> String {
    format!(
        r#"
        [run]
        horizon = "20h"
        warmup = "1h"
        interval = "21h"
        replications = 20
        seed = 4
        [conversation]
        exchanges = {{ dist = "constant", value = 4 }}
        customer_think = {{ dist = "exponential", mean = "20s" }}
        agent_compose = {{ dist = "exponential", mean = "20s" }}
        [wrapup]
        time = {{ dist = "constant", value = "10s" }}
        [invitation]
        answer_delay = {{ dist = "exponential", mean = "5s" }}
        [queues.q]
        rate_per_hour = 100
        served_by = [ {{ groups = ["a"] }} ]
        [queues.q.conference]
        share = 1.0
        after_exchanges = {{ dist = "constant", value = 1 }}
        with = "group:b"
        exchanges = {{ dist = "constant", value = {part} }}
        owner_leaves = {owner_leaves}
        [groups.a]
        agents = 30
        max_concurrent_chats = 3
        [groups.b]
        agents = {nb}
        max_concurrent_chats = 2
        "#
    )
}

#[test]
fn ownership_passes_in_the_share_owner_leaves() {
    let p = 0.3;
    let reps = run(&scenario(&conferencing(p, 2, 200)));
    let conferences = kpi_values(&reps, "conferences");
    let shares: Vec<f64> = kpi_values(&reps, "ownership_passed")
        .iter()
        .zip(&conferences)
        .map(|(o, c)| o / c)
        .collect();
    assert_covers("ownership passed", &shares, p, 0.02);
    // Every answered chat had its conference (ample agents, invitations always accepted).
    assert_eq!(conferences, kpi_values(&reps, "answered"));
    assert_covers(
        "agents per contact",
        &kpi_values(&reps, "agents_per_contact_mean"),
        2.0,
        1e-9,
    );
}

#[test]
fn a_conference_holds_both_agents_and_hands_back_to_the_owner() {
    // Few agents in b, so that conferences meet full agents; owners never leave.
    let log = records(&conferencing(0.0, 2, 6));
    let mut held: HashMap<u32, u32> = HashMap::new();
    // Per contact in conference: (owner, joined, messages the joined agent was written).
    let mut open: HashMap<u64, (u32, u32, u32)> = HashMap::new();
    let mut owner_of: HashMap<u64, u32> = HashMap::new();
    let mut handed_back = 0;
    for (_, r) in &log {
        match *r {
            Record::Level {
                agent, group, to, ..
            } => {
                let k = if group == 0 { 3 } else { 2 };
                assert!(to == u32::MAX || to <= k, "agent {agent} holds {to} > {k}");
                held.insert(agent, to);
            }
            Record::Requested { contact, agent, .. } => {
                owner_of.insert(contact, agent);
            }
            Record::Joined {
                contact,
                agent,
                owner_left,
                ..
            } => {
                assert!(!owner_left);
                let owner = owner_of[&contact];
                assert_ne!(owner, agent);
                // Both hold a slot: the owner keeps the chat's, the joined agent its own.
                assert!(held[&owner] >= 1 && held[&agent] >= 1);
                open.insert(contact, (owner, agent, 0));
            }
            Record::Message { contact, agent, .. } => {
                if let Some((owner, joined, to_joined)) = open.get_mut(&contact) {
                    if agent == *joined {
                        *to_joined += 1;
                    } else {
                        // The joined agent left after its 2 exchanges (the request, then one
                        // more message): the owner has the conversation back.
                        assert_eq!(agent, *owner, "contact {contact}: message to a third agent");
                        assert_eq!(*to_joined, 1, "contact {contact}");
                        open.remove(&contact);
                        handed_back += 1;
                    }
                }
            }
            Record::AgentLeft { contact, agent, .. } => {
                if let Some(&(_, joined, _)) = open.get(&contact) {
                    assert_eq!(
                        agent, joined,
                        "contact {contact}: the owner left the conference"
                    );
                }
            }
            _ => {}
        }
    }
    assert!(handed_back > 1000, "{handed_back}");
}

/// Invariants of the workflow actions, from the records alone: every contact ends exactly
/// once; no agent holds more than its K (invitations and conferences included); the agent a
/// customer's message goes to is the session's one answering agent, as transfers, joins and
/// departures say; an agent leaving is the owner or the joined one; nobody is invited by itself;
/// and once the run has drained, every slot is free again.
struct WorkflowChecker {
    k: Vec<u32>,
    /// Per contact: the agent answering its messages (`None` while it waits for one), and a
    /// conference's owner.
    answering: HashMap<u64, (Option<u32>, Option<u32>)>,
    requester: HashMap<u64, u32>,
    consulted: HashMap<u64, u32>,
    ended: HashMap<u64, u32>,
    held: HashMap<u32, u32>,
    arrived: u64,
    joins: u64,
    transfers: u64,
    consults: u64,
}

impl WorkflowChecker {
    fn new(k: Vec<u32>) -> Self {
        WorkflowChecker {
            k,
            answering: HashMap::new(),
            requester: HashMap::new(),
            consulted: HashMap::new(),
            ended: HashMap::new(),
            held: HashMap::new(),
            arrived: 0,
            joins: 0,
            transfers: 0,
            consults: 0,
        }
    }

    fn end(&mut self, contact: u64) {
        *self.ended.entry(contact).or_default() += 1;
    }
}

impl Observer for WorkflowChecker {
    fn record(&mut self, _: f64, record: Record) {
        match record {
            Record::Arrived { contact, .. } => {
                self.arrived += 1;
                self.answering.insert(contact, (None, None));
            }
            Record::Level {
                agent, group, to, ..
            } => {
                assert!(
                    to == u32::MAX || to <= self.k[group as usize],
                    "agent {agent} holds {to}"
                );
                self.held.insert(agent, if to == u32::MAX { 0 } else { to });
            }
            Record::Offered { contact, agent, .. } => {
                self.answering.get_mut(&contact).unwrap().0 = Some(agent);
            }
            Record::Reassigned { contact, .. } => {
                self.answering.get_mut(&contact).unwrap().0 = None;
            }
            Record::Message { contact, agent, .. } => {
                let (answering, _) = self.answering[&contact];
                assert_eq!(
                    answering,
                    Some(agent),
                    "contact {contact}: message to {agent}"
                );
            }
            Record::Requested { contact, agent, .. } => {
                let (answering, owner) = self.answering[&contact];
                assert_eq!(
                    answering,
                    Some(agent),
                    "contact {contact}: request to {agent}"
                );
                assert_eq!(
                    owner, None,
                    "contact {contact}: a request during a conference"
                );
                self.requester.insert(contact, agent);
            }
            Record::Invited { contact, agent, .. } => {
                assert_ne!(
                    self.requester[&contact], agent,
                    "contact {contact} invited its agent"
                );
            }
            Record::Transferred { contact, agent, .. } => {
                self.transfers += 1;
                self.answering.insert(contact, (Some(agent), None));
            }
            Record::Joined {
                contact,
                agent,
                owner_left,
                ..
            } => {
                self.joins += 1;
                let owner = self.requester[&contact];
                let owner = (!owner_left).then_some(owner);
                self.answering.insert(contact, (Some(agent), owner));
            }
            Record::ConsultationStarted { contact, agent, .. } => {
                self.consults += 1;
                assert_ne!(
                    self.requester[&contact], agent,
                    "contact {contact} consulted itself"
                );
                self.consulted.insert(contact, agent);
            }
            Record::ConsultationEnded {
                contact,
                agent,
                then_transfer,
                ..
            } => {
                assert_eq!(self.consulted.get(&contact), Some(&agent));
                if then_transfer {
                    self.answering.insert(contact, (Some(agent), None));
                }
            }
            Record::AgentLeft { contact, agent, .. } => {
                let (answering, owner) = self.answering[&contact];
                if self.consulted.get(&contact) == Some(&agent) && answering != Some(agent) {
                    // The consulted colleague leaves the chat to its agent.
                    self.consulted.remove(&contact);
                } else if owner == Some(agent) {
                    // A conference's owner leaves with the chat, or at once (ownership passed).
                    self.answering.get_mut(&contact).unwrap().1 = None;
                } else if answering == Some(agent) {
                    // The joined agent's part is over (the owner answers again), or the agent
                    // who transferred the chat leaves it.
                    self.answering.insert(contact, (owner, None));
                } else {
                    // The owner leaving as ownership passes: already replaced by the joined one.
                    assert_eq!(
                        self.requester.get(&contact),
                        Some(&agent),
                        "contact {contact}: agent {agent} left a chat it did not hold"
                    );
                }
            }
            Record::Done { contact, .. }
            | Record::AbandonedQueue { contact, .. }
            | Record::InSystemAtEnd { contact, .. }
            | Record::AbandonedChat {
                contact,
                unassigned: true,
                ..
            } => self.end(contact),
            _ => {}
        }
    }
}

#[test]
fn the_workflow_keeps_its_invariants() {
    let bundled = std::fs::read_to_string(common::bundled("transfers.toml")).unwrap();
    // The bundled center, then an understaffed variant where invitations wait in queues, are
    // refused and time out, customers leave during transfers, and conferences meet full agents.
    let stressed = format!(
        "{bundled}\n[queues.tech.transfer]\nshare = 0.2\nto = \"queue:billing\"\nhow = \"invite\"\n"
    )
    .replace("agents = 5\n", "agents = 3\n")
    .replace("refuse = 0.1", "refuse = 0.4")
    .replace("timeout = \"30s\"", "timeout = \"12s\"")
    .replace("share = 0.05", "share = 0.3")
    .replace("share = 0.1\n", "share = 0.3\n");
    for text in [bundled, stressed] {
        let s = scenario(&text);
        let k: Vec<u32> = s.model.groups.iter().map(|g| g.max_concurrent).collect();
        let mut seen = (0, 0, 0);
        for seed in 0..3 {
            let (c, totals) = run_replication(&s.model, seed, 0, WorkflowChecker::new(k.clone()));
            assert_eq!(
                c.ended.len() as u64,
                c.arrived,
                "seed {seed}: contacts that never ended"
            );
            assert!(
                c.ended.values().all(|&n| n == 1),
                "seed {seed}: a contact ended twice"
            );
            assert_eq!(totals.contacts, c.arrived);
            assert!(
                c.held.values().all(|&h| h == 0),
                "seed {seed}: slots still held"
            );
            seen.0 += c.transfers;
            seen.1 += c.joins;
            seen.2 += c.consults;
        }
        // Each variant exercised every action (summed over its seeds).
        assert!(
            seen.0 > 60 && seen.1 > 10 && seen.2 > 10,
            "{} transfers, {} joins, {} consultations",
            seen.0,
            seen.1,
            seen.2
        );
    }
}

/// Queue q (group a, 40 agents of one slot) consults group b (200 agents of one slot) for every
/// chat after one exchange: `m` agent-to-agent exchanges of exponential compose times of mean
/// 20 s, then the colleague takes the chat with probability `p`.
fn consulting(m: u32, p: f64) -> String {
    format!(
        r#"
        [run]
        horizon = "20h"
        warmup = "1h"
        interval = "21h"
        replications = 20
        seed = 6
        [conversation]
        exchanges = {{ dist = "constant", value = 3 }}
        customer_think = {{ dist = "exponential", mean = "20s" }}
        agent_compose = {{ dist = "exponential", mean = "20s" }}
        [queues.q]
        rate_per_hour = 100
        served_by = [ {{ groups = ["a"] }} ]
        [queues.q.consultation]
        share = 1.0
        after_exchanges = {{ dist = "constant", value = 1 }}
        with = "group:b"
        messages = {{ dist = "constant", value = {m} }}
        then_transfer = {p}
        [groups.a]
        agents = 40
        [groups.b]
        agents = 200
        "#
    )
}

#[test]
fn a_consultation_lasts_its_messages_and_hands_the_chat_over_in_its_share() {
    // One slot each, so both attentions are free: the consultation is 2m compose times, the
    // agent's and the colleague's in turn (Erlang, mean 2·m·20 s).
    let (m, p) = (3, 0.3);
    let reps = run(&scenario(&consulting(m, p)));
    assert_covers(
        "consult time",
        &kpi_values(&reps, "consult_time_mean"),
        2.0 * f64::from(m) * 20.0,
        3.0,
    );
    let consultations = kpi_values(&reps, "consultations");
    assert_eq!(consultations, kpi_values(&reps, "answered"));
    let shares: Vec<f64> = kpi_values(&reps, "two_step_transfers")
        .iter()
        .zip(&consultations)
        .map(|(t, c)| t / c)
        .collect();
    assert_covers("two-step share", &shares, p, 0.03);
    assert!(kpi_values(&reps, "transfers_done")
        .iter()
        .all(|&x| x == 0.0));
}
