//! Escalation and customer inactivity against exact results and trade-offs:
//! - the share of chats closed by the inactivity timer with exponential think times and a
//!   constant number of exchanges is 1 − (1 − e^{−T/c})^{n−1};
//! - the share of customers who leave silently with `silent_leave = p` is 1 − (1 − p)^{n−1}
//!   (a customer may leave after any reply but the last, which ends the chat anyway);
//! - with `hold_new_chats = "red"`, lowering `red` lowers the response-time p90 and raises the
//!   queue wait, paired over replications with common random numbers; and the service level
//!   moves with the threshold (before escalation acted, it did not);
//! - `red_first` under the `newest` attention order shortens the longest responses;
//! - a reassigned chat's response time counts from the customer's message.

mod common;

use std::collections::HashMap;
use std::path::Path;

use ccsim::model::{run_replication, Observer, Record};
use ccsim::scenario;
use common::{assert_covers, kpi_values, paired, run, scenario};

/// Many customers served at once (no queue), `n` exchanges each, exponential think times of
/// mean `think` seconds, replies in 5 s, no reply patience; then `extra` TOML lines.
fn ample_desk(n: u32, think: f64, extra: &str) -> String {
    format!(
        r#"
        [run]
        horizon = "10h"
        warmup = "1h"
        interval = "11h"
        replications = 20
        seed = 11
        [arrivals]
        rate_per_hour = 300
        [staffing]
        agents = 200
        max_concurrent_chats = 3
        [conversation]
        exchanges = {{ dist = "constant", value = {n} }}
        customer_think = {{ dist = "exponential", mean = {think} }}
        agent_compose = {{ dist = "constant", value = 5 }}
        {extra}
        "#
    )
}

/// Per replication, `kpi` over `answered`.
fn share_of_answered(reps: &[ccsim::experiment::Replication], kpi: &str) -> Vec<f64> {
    let answered = kpi_values(reps, "answered");
    kpi_values(reps, kpi)
        .iter()
        .zip(&answered)
        .map(|(k, a)| k / a)
        .collect()
}

#[test]
fn the_share_closed_for_inactivity_is_exact() {
    // A customer is closed when a think time exceeds T; n − 1 think times per chat.
    let (n, c, t) = (4, 60.0, 90.0);
    let text = ample_desk(n, c, "[inactivity]\nalert = \"30s\"\nclose = 90");
    let reps = run(&scenario(&text));
    let exact = 1.0 - (1.0 - (-t / c).exp()).powi(n as i32 - 1);
    assert_covers(
        "closed_by_inactivity / answered",
        &share_of_answered(&reps, "closed_by_inactivity"),
        exact,
        0.02,
    );
    // Nobody left silently: every close is of a customer still typing.
    assert_eq!(
        kpi_values(&reps, "closed_by_inactivity"),
        kpi_values(&reps, "closed_while_typing")
    );
    // The alert at 30 s: one per think time longer than 30 s, until the close. Its expected
    // number per chat: the sum over think periods k = 1..n−1 of P(all earlier ones ≤ T) ·
    // P(this one > 30 s).
    let p_close = (-t / c).exp();
    let p_alert = (-30.0 / c).exp();
    let alerts: f64 = (0..n - 1)
        .map(|k| (1.0 - p_close).powi(k as i32) * p_alert)
        .sum();
    assert_covers(
        "inactivity_alerts / answered",
        &share_of_answered(&reps, "inactivity_alerts"),
        alerts,
        0.03,
    );
}

#[test]
fn the_share_of_silent_leavers_is_exact() {
    // Think times far below the close: only silent customers are closed.
    let (n, p) = (4, 0.2);
    let text = ample_desk(
        n,
        10.0,
        &format!("silent_leave = {p}\n[inactivity]\nclose = \"5m\""),
    );
    let reps = run(&scenario(&text));
    let exact = 1.0 - (1.0f64 - p).powi(n as i32 - 1);
    assert_covers(
        "silent_leavers / answered",
        &share_of_answered(&reps, "silent_leavers"),
        exact,
        0.02,
    );
    assert!(kpi_values(&reps, "closed_while_typing")
        .iter()
        .all(|&x| x == 0.0));
    // Each silent session holds its slot 5 minutes: a large share of the chat time held.
    let silent_time = kpi_values(&reps, "silent_slot_time_share");
    assert!(
        silent_time.iter().all(|&x| x > 0.3 && x < 0.9),
        "{silent_time:?}"
    );
}

/// The bundled escalation scenario with `overrides`.
fn bundled(overrides: &[&str]) -> Vec<ccsim::experiment::Replication> {
    let path = common::bundled("escalation.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut all = vec!["run.replications=30".to_string()];
    all.extend(overrides.iter().map(|s| s.to_string()));
    let s = scenario::parse(&text, &path, &all).unwrap_or_else(|e| panic!("{e}"));
    run(&s)
}

#[test]
fn holding_agents_at_an_earlier_red_trades_queue_wait_for_response_time() {
    // Escalation reduced to hold_new_chats = "red", on desks loaded enough to queue: an agent
    // with a red chat takes no new one, so it holds fewer chats (replies come sooner) while the
    // queue waits longer. At two staffing levels, red at 120 s against red at 15 s.
    for agents in ["staffing.agents=4", "staffing.agents=5"] {
        let at = |red: &str| {
            bundled(&[
                agents,
                "escalation.red_first=false",
                "escalation.reassign_after=1h",
                "conversation.silent_leave=0",
                "indicator.yellow=10s",
                red,
            ])
        };
        let late = at("indicator.red=120s");
        let early = at("indicator.red=15s");
        let (low, high) = paired(&late, &early, "response_p90");
        assert!(
            high < 0.0,
            "{agents}: response_p90 did not fall: [{low}, {high}]"
        );
        let (low, high) = paired(&late, &early, "concurrency_mean");
        assert!(
            high < 0.0,
            "{agents}: concurrency did not fall: [{low}, {high}]"
        );
        let (low, high) = paired(&late, &early, "wait_mean");
        assert!(
            low > 0.0,
            "{agents}: wait_mean did not rise: [{low}, {high}]"
        );
        // The service level now moves with the threshold (it did not when colours only
        // recoloured replies).
        let (low, high) = paired(&late, &early, "service_level");
        assert!(
            high < 0.0,
            "{agents}: service_level did not fall: [{low}, {high}]"
        );
        let (low, _) = paired(&late, &early, "held_from_routing_share");
        assert!(
            low > 0.1,
            "{agents}: held_from_routing_share rose by less than 0.1"
        );
    }
}

#[test]
fn red_first_shortens_the_longest_responses_under_the_newest_order() {
    // Four agents: under `newest`, an old message starves while new ones pop up; red first
    // rescues it once it is red (100 replications: the effect is on the tail).
    let base = [
        "staffing.attention=newest",
        "escalation.hold_new_chats=off",
        "escalation.reassign_after=1h",
        "staffing.agents=4",
        "run.replications=100",
    ];
    let with = |red_first: &str| {
        let mut o = base.to_vec();
        o.push(red_first);
        bundled(&o)
    };
    let off = with("escalation.red_first=false");
    let on = with("escalation.red_first=true");
    let (low, high) = paired(&off, &on, "response_p99");
    assert!(high < 0.0, "response_p99 did not fall: [{low}, {high}]");
}

#[test]
fn red_first_changes_nothing_when_the_oldest_message_is_the_reddest() {
    // fifo with the customer_message basis already serves the reddest message first.
    let base = [
        "staffing.attention=fifo",
        "indicator.basis=customer_message",
        "staffing.agents=5",
    ];
    let with = |red_first: &str| {
        let mut o = base.to_vec();
        o.push(red_first);
        bundled(&o)
    };
    let (off, on) = (
        with("escalation.red_first=false"),
        with("escalation.red_first=true"),
    );
    for (a, b) in off.iter().zip(&on) {
        let same = a
            .overall
            .iter()
            .zip(&b.overall)
            .all(|(x, y)| x.to_bits() == y.to_bits());
        assert!(same, "replication {}: red_first changed fifo", a.index);
    }
}

/// For each reassigned contact, the response that follows: its duration, and the time since
/// the reassignment.
#[derive(Default)]
struct AfterReassignment {
    reassigned_at: HashMap<u64, f64>,
    responses: Vec<(f64, f64)>,
    reassigned: u64,
}

impl Observer for AfterReassignment {
    fn record(&mut self, now: f64, record: Record) {
        match record {
            Record::Reassigned { contact, .. } => {
                self.reassigned += 1;
                self.reassigned_at.entry(contact).or_insert(now);
            }
            Record::Response {
                contact, duration, ..
            } => {
                if let Some(at) = self.reassigned_at.remove(&contact) {
                    self.responses.push((duration, now - at));
                }
            }
            _ => {}
        }
    }
}

#[test]
fn a_reassigned_chats_response_counts_from_the_customers_message() {
    // One reply in ten takes 5 minutes: its chat is reassigned after 2 minutes, and the next
    // agent usually replies in 10 s.
    let text = r#"
        [run]
        horizon = "8h"
        [arrivals]
        rate_per_hour = 120
        [staffing]
        agents = 30
        max_concurrent_chats = 2
        [conversation]
        exchanges = { dist = "constant", value = 3 }
        customer_think = { dist = "exponential", mean = "20s" }
        agent_compose = { dist = "empirical", values = ["10s", "5m"], weights = [9, 1] }
        [escalation]
        reassign_after = "2m"
        "#;
    let s = scenario::parse(text, Path::new("t.toml"), &[]).unwrap();
    let (seen, _) = run_replication(&s.model, 1, 0, AfterReassignment::default());
    assert!(seen.reassigned > 100, "{} reassignments", seen.reassigned);
    let quick = seen
        .responses
        .iter()
        .filter(|&&(_, since)| since < 60.0)
        .count();
    assert!(quick > 50, "{quick} quick replies after a reassignment");
    for &(duration, since) in &seen.responses {
        assert!(
            duration >= 120.0 && duration >= since,
            "a response of {duration} s, {since} s after its reassignment"
        );
    }
}

/// The agents each reassigned chat left and went back to.
#[derive(Default)]
struct BackToTheSameAgent {
    left: HashMap<u64, u32>,
    reassigned: u64,
    back: u64,
    in_system_at_end: u64,
}

impl Observer for BackToTheSameAgent {
    fn record(&mut self, _: f64, record: Record) {
        match record {
            Record::Reassigned { contact, agent, .. } => {
                self.reassigned += 1;
                self.left.insert(contact, agent);
            }
            Record::Reaccepted { contact, agent, .. } => {
                self.back += (self.left.get(&contact) == Some(&agent)) as u64;
            }
            Record::InSystemAtEnd { .. } => self.in_system_at_end += 1,
            _ => {}
        }
    }
}

#[test]
fn a_reassigned_chat_goes_back_to_its_agent_only_when_nobody_else_is_on_shift() {
    // Replies take 3 minutes one time in four, so chats are reassigned after 1 minute.
    let desk = |agents: u32| {
        format!(
            r#"
            [run]
            horizon = "8h"
            [arrivals]
            rate_per_hour = 20
            [staffing]
            agents = {agents}
            max_concurrent_chats = 2
            [conversation]
            exchanges = {{ dist = "constant", value = 2 }}
            customer_think = {{ dist = "exponential", mean = "20s" }}
            agent_compose = {{ dist = "empirical", values = ["10s", "3m"], weights = [3, 1] }}
            [escalation]
            reassign_after = "1m"
            "#
        )
    };
    // One agent: a reassigned chat has nobody else to wait for, so it goes back to that agent
    // (and never waits to the end of the run).
    let s = scenario::parse(&desk(1), Path::new("t.toml"), &[]).unwrap();
    let (one, _) = run_replication(&s.model, 5, 0, BackToTheSameAgent::default());
    assert!(one.reassigned > 20, "{} reassignments", one.reassigned);
    assert_eq!(
        one.back, one.reassigned,
        "every reassigned chat went back to the one agent"
    );
    assert_eq!(one.in_system_at_end, 0);
    // Three agents: never back to the agent it left.
    let s = scenario::parse(&desk(3), Path::new("t.toml"), &[]).unwrap();
    let (three, _) = run_replication(&s.model, 5, 0, BackToTheSameAgent::default());
    assert!(three.reassigned > 20, "{} reassignments", three.reassigned);
    assert_eq!(three.back, 0);
    assert_eq!(three.in_system_at_end, 0);
}
