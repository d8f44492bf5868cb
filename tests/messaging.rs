//! Asynchronous continuation (`[asynchronous]`): parked sessions against exact results, the
//! affinity trade-off under common random numbers, and the bundled week of messaging.
//!
//! `cargo test --release --test messaging -- --nocapture` prints the figures.

mod common;

use ccsim::model::{run_replication, Observer, Record};
use common::{assert_covers, paired, run, scenario};

/// Counts of the records the exact results are about.
#[derive(Default)]
struct Counts {
    answered: u64,
    messages: u64,
    resumed: u64,
    parked: u64,
    closed_parked: u64,
    done: u64,
}

impl Observer for Counts {
    fn record(&mut self, _now: f64, record: Record) {
        match record {
            Record::Answered { .. } => self.answered += 1,
            Record::Message { .. } => self.messages += 1,
            Record::Resumed { .. } => self.resumed += 1,
            Record::Parked { .. } => self.parked += 1,
            Record::ClosedParked { .. } => self.closed_parked += 1,
            Record::Done { .. } => self.done += 1,
            _ => {}
        }
    }
}

/// An ample desk (nobody waits for an agent) whose customers think an exponential time of mean
/// `think` between messages; sessions parked after `park_after`, closed after `close_after`.
fn ample_desk(think: &str, park_after: &str, close_after: &str) -> String {
    format!(
        r#"
        [run]
        horizon = "10h"
        interval = "1h"
        replications = 1
        seed = 11
        [arrivals]
        rate_per_hour = 120
        [staffing]
        agents = 60
        max_concurrent_chats = 4
        [conversation]
        exchanges = {{ dist = "geometric", mean = 5 }}
        customer_think = {{ dist = "exponential", mean = "{think}" }}
        agent_compose = {{ dist = "exponential", mean = "20s" }}
        [asynchronous]
        park_after = "{park_after}"
        close_after = "{close_after}"
        "#
    )
}

/// Per replication, `f` of the record counts.
fn per_replication(text: &str, reps: u64, f: impl Fn(&Counts) -> f64) -> Vec<f64> {
    let s = scenario(text);
    (0..reps)
        .map(|r| {
            let (counts, _) = run_replication(&s.model, s.run.seed, r, Counts::default());
            f(&counts)
        })
        .collect()
}

#[test]
fn the_share_of_messages_to_parked_sessions_is_exp_minus_t_over_c() {
    // Every silence of the customer is an exponential think time of mean c; the session is
    // parked when it exceeds T, so the customer's next message finds it parked with
    // probability e^{-T/c}. Messages after the first: the resumed ones, and the others (the
    // `Message` records but the one the accept starts with).
    for (think, park, exact) in [
        ("60s", "60s", (-1.0f64).exp()),
        ("60s", "150s", (-2.5f64).exp()),
        ("10m", "5m", (-0.5f64).exp()),
    ] {
        let text = ample_desk(think, park, "100d");
        let shares = per_replication(&text, 30, |c| {
            c.resumed as f64 / (c.resumed + c.messages - c.answered) as f64
        });
        assert_covers(
            &format!("parked share, think {think}, park_after {park}"),
            &shares,
            exact,
            0.01,
        );
    }
}

#[test]
fn parked_sessions_close_after_close_after_with_the_exact_share() {
    // A silence longer than T + D (park_after + close_after) closes the session: the share of
    // parks that end in a close is P(think > T + D | think > T) = e^{-D/c}; every contact is
    // marked done once.
    let text = ample_desk("4m", "2m", "6m");
    let exact = (-1.5f64).exp();
    let shares = per_replication(&text, 30, |c| {
        assert_eq!(c.done, c.answered, "every contact marked done once");
        c.closed_parked as f64 / c.parked as f64
    });
    assert_covers("closed share of parks", &shares, exact, 0.02);
}

/// The bundled week with `overrides`.
fn week(overrides: &[&str]) -> Vec<ccsim::experiment::Replication> {
    let path = common::bundled("messaging.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let s = ccsim::scenario::parse(&text, &path, &overrides).unwrap_or_else(|e| panic!("{e}"));
    run(&s)
}

/// A desk where agents are often full but others free: 24 agents of 2 chats, with sessions
/// parked after two minutes, their agent waited for up to `wait`.
fn busy_desk(wait: &str, resume: &str) -> Vec<ccsim::experiment::Replication> {
    let text = format!(
        r#"
        [run]
        horizon = "8h"
        interval = "1h"
        replications = 12
        seed = 5
        [arrivals]
        rate_per_hour = 300
        [staffing]
        agents = 24
        max_concurrent_chats = 2
        [conversation]
        exchanges = {{ dist = "geometric", mean = 5 }}
        customer_think = {{ dist = "exponential", mean = "2m" }}
        agent_compose = {{ dist = "exponential", mean = "30s" }}
        [asynchronous]
        park_after = "2m"
        resume = "{resume}"
        {}
        "#,
        if resume == "same_agent" {
            format!("affinity_wait = \"{wait}\"")
        } else {
            String::new()
        }
    );
    run(&scenario(&text))
}

#[test]
fn a_longer_affinity_wait_keeps_more_sessions_with_their_agent_and_delays_them() {
    // Common random numbers: the same customers, the same conversations. Waiting longer for
    // the agent who had the session sends more resumed sessions back to it, and their
    // messages wait longer than if the free agent routing picks had taken them.
    let short = busy_desk("0s", "same_agent");
    let long = busy_desk("10m", "same_agent");
    let (low, high) = paired(&short, &long, "resumed_same_agent_share");
    assert!(low > 0.0, "same-agent share did not rise: [{low}, {high}]");
    let (low, high) = paired(&short, &long, "resume_wait_mean");
    assert!(
        low > 0.0,
        "resumed messages did not wait longer: [{low}, {high}]"
    );
    let (low, high) = paired(&short, &long, "resumed_response_mean");
    assert!(low > 0.0, "resumed responses did not slow: [{low}, {high}]");
    // Resuming in the queue at once never waits for the agent: fewer sessions go back to it
    // than when it is offered first whenever it can take one.
    let queue = busy_desk("", "queue");
    let (low, high) = paired(&queue, &short, "resumed_same_agent_share");
    assert!(
        low > 0.0,
        "same_agent without a wait vs queue: [{low}, {high}]"
    );
}

#[test]
fn under_a_backlog_the_affinity_wait_lets_resumed_sessions_skip_the_queue() {
    // The bundled week queues at its peaks (new chats wait minutes): a resumed session that
    // waits for its own agent, who frees a slot soon, is answered sooner than behind the
    // queue's backlog, and more sessions go back to their agent; new chats pay for it.
    let base = ["run.replications=6", "run.horizon=2d"];
    let short = week(&[base[0], base[1], "asynchronous.affinity_wait=0s"]);
    let long = week(&[base[0], base[1], "asynchronous.affinity_wait=10m"]);
    let (low, high) = paired(&short, &long, "resumed_same_agent_share");
    assert!(low > 0.0, "same-agent share did not rise: [{low}, {high}]");
    let (low, high) = paired(&short, &long, "resume_wait_mean");
    assert!(
        high < 0.0,
        "resumed messages did not wait less: [{low}, {high}]"
    );
    let (low, high) = paired(&short, &long, "asa");
    assert!(low > 0.0, "new chats did not wait longer: [{low}, {high}]");
}

#[test]
fn the_bundled_week_parks_resumes_and_closes_and_conserves_its_contacts() {
    let reps = week(&["run.replications=2"]);
    for r in &reps {
        let o = &r.overall;
        let k = |name: &str| {
            let i = ccsim::stats::Kpi::ALL
                .iter()
                .position(|k| k.name() == name)
                .unwrap();
            o[i]
        };
        assert!(k("parked") > 10_000.0, "parked {}", k("parked"));
        assert!(k("resumed") > 10_000.0);
        assert!(k("resumed") <= k("parked"));
        assert!(k("closed_parked") + k("resumed") <= k("parked"));
        assert!(k("resumed_same_agent_share") > 0.5);
        // Parked time counts in the resolution time, not in the agents' time.
        assert!(k("resolution_time_mean") > k("agent_time_per_contact_mean"));
        assert_eq!(
            k("in_system_at_end"),
            0.0,
            "the day of drain closes every session"
        );
    }
}
