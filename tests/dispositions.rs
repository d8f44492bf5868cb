//! Dispositions and Mark Done (`[wrapup.dispositions]`) and the satisfaction rating
//! (`[rating]`):
//! - invariants, exact in every replication: every contact marked done in a queue with codes
//!   has one of that queue's outcomes, in a queue without codes none; the dispositions' counts
//!   sum to the contacts marked done and their shares to 1; a rating is asked only of a customer
//!   who saw the chat through, once, just before its Mark Done;
//! - the disposition shares and each code's mean wrap-up time match their inputs, and the
//!   missing share with `required = false`, within 99% intervals across replications;
//! - with every customer living the same thing (waits, red responses fixed), the score shares,
//!   the mean score and the asked and answered shares match the ordered-logit model computed
//!   here from its definition, within 99% intervals;
//! - a scenario without them reports none of their KPIs;
//! - bad settings are errors naming the file, the key, the value and the rule.

mod common;

use std::collections::HashMap;
use std::path::Path;

use ccsim::experiment::{replicate, segments};
use ccsim::model::{run_replication, Observer, Record, NO_DISPOSITION};
use ccsim::report::RunReport;
use ccsim::scenario::{self, Scenario};
use common::{assert_covers, bundled, kpi_values, run, scenario};

/// A one-queue desk with ample agents (nobody waits long, nobody abandons) and the codes of
/// the issue; `extra` is appended.
fn desk(extra: &str) -> String {
    format!(
        r#"
[run]
horizon = "8h"
warmup = "30m"
replications = 40
seed = 13
[arrivals]
rate_per_hour = 120
[staffing]
agents = 30
max_concurrent_chats = 2
[conversation]
exchanges = {{ dist = "geometric", mean = 4 }}
customer_think = {{ dist = "exponential", mean = "30s" }}
agent_compose = {{ dist = "exponential", mean = "20s" }}
[wrapup]
time = {{ dist = "constant", value = "45s" }}
{extra}
"#
    )
}

const ISSUE_CODES: &str = r#"
[wrapup.dispositions]
resolved = { share = 0.7, time = { dist = "lognormal", mean = "30s", cv = 0.5 } }
follow_up = { share = 0.2, time = { dist = "lognormal", mean = "60s", cv = 0.5 } }
escalated = { share = 0.1, time = { dist = "lognormal", mean = "90s", cv = 0.5 } }
required = true
"#;

/// The values of `kpi` of disposition `name` in each replication.
fn disposition_values(
    s: &Scenario,
    reps: &[ccsim::experiment::Replication],
    name: &str,
    kpi: &str,
) -> Vec<f64> {
    let c = s
        .model
        .dispositions
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no disposition {name}"));
    let k = ccsim::stats::Kpi::by_name(kpi).expect("a KPI").index();
    reps.iter().map(|r| r.dispositions[c].overall[k]).collect()
}

/// What the records say, checked as they come.
#[derive(Default)]
struct Check {
    /// Per queue, the disposition indexes it may set (empty: no codes).
    allowed: Vec<Vec<u32>>,
    rates: Vec<bool>,
    /// Contacts whose last agent reply ended the chat (saw it through), abandoned.
    abandoned: HashMap<u64, bool>,
    rated: HashMap<u64, u32>,
    last_rated: Option<u64>,
    done: u64,
    done_with_code: u64,
    rated_count: u64,
}

impl Observer for Check {
    fn record(&mut self, _: f64, record: Record) {
        match record {
            Record::AbandonedChat { contact, .. } => {
                self.abandoned.insert(contact, true);
            }
            Record::ClosedByInactivity { contact, .. } => {
                self.abandoned.insert(contact, true);
            }
            Record::Rated {
                contact,
                queue,
                disposition,
                score,
                ..
            } => {
                assert!(
                    self.rates[queue as usize],
                    "a rating in a queue without [rating]"
                );
                assert!(
                    !self.abandoned.contains_key(&contact),
                    "a customer who left was asked for a rating"
                );
                assert!(
                    score.map_or(true, |k| (1..=5).contains(&k)),
                    "score {score:?}"
                );
                *self.rated.entry(contact).or_default() += 1;
                assert_eq!(self.rated[&contact], 1, "asked twice");
                self.last_rated = Some(contact);
                let allowed = &self.allowed[queue as usize];
                assert!(
                    allowed.is_empty() && disposition == NO_DISPOSITION
                        || allowed.contains(&disposition)
                );
                self.rated_count += 1;
            }
            Record::Done {
                contact,
                queue,
                disposition,
                ..
            } => {
                if let Some(rated) = self.last_rated.take() {
                    assert_eq!(rated, contact, "a rating is followed by its contact's Done");
                }
                let allowed = &self.allowed[queue as usize];
                if allowed.is_empty() {
                    assert_eq!(
                        disposition, NO_DISPOSITION,
                        "a code in a queue without codes"
                    );
                } else {
                    assert!(
                        allowed.contains(&disposition),
                        "disposition {disposition} is not one of queue {queue}'s {allowed:?}"
                    );
                    self.done_with_code += 1;
                }
                self.done += 1;
            }
            _ => assert!(
                self.last_rated.is_none(),
                "a rating not followed by its Done"
            ),
        }
    }
}

/// Check every record of three replications of `s`; returns the contacts marked done.
fn check_records(s: &Scenario) -> u64 {
    let m = &s.model;
    let mut done = 0;
    for replication in 0..3u32 {
        let check = Check {
            allowed: m
                .queues
                .iter()
                .map(|q| {
                    q.chat
                        .dispositions
                        .as_ref()
                        .map_or(Vec::new(), |d| d.codes.iter().map(|c| c.index).collect())
                })
                .collect(),
            rates: m.queues.iter().map(|q| q.chat.rating.is_some()).collect(),
            ..Check::default()
        };
        let (check, _) = run_replication(m, s.run.seed, u64::from(replication), check);
        assert!(check.done > 500 && check.done_with_code == check.done);
        assert!(check.rated_count > 50, "{} ratings", check.rated_count);
        done += check.done;
    }
    done
}

#[test]
fn every_contact_marked_done_has_one_outcome_and_the_counts_add_up() {
    // With transfers, conferences and consultations too: a chat's code is its last queue's,
    // set once by the agent who marks it done.
    let transfers = std::fs::read_to_string(bundled("transfers.toml")).unwrap()
        + r#"
[wrapup.dispositions]
solved = { share = 0.8, time = { dist = "exponential", mean = "20s" } }
pending = { share = 0.2 }
[rating]
ask = 1
base = [0.1, 0.1, 0.2, 0.3, 0.3]
per_transfer = 1
"#;
    assert!(check_records(&scenario(&transfers)) > 1500);
    let s = scenario::load(&bundled("dispositions.toml"), &[]).unwrap_or_else(|e| panic!("{e}"));
    let m = &s.model;
    check_records(&s);
    // The KPIs: in every replication the dispositions' counts sum to the contacts marked done,
    // their shares to 1; and the segments of each code are in segments.csv.
    let reps = run(&s);
    let done = kpi_values(&reps, "marked_done");
    for (r, rep) in reps.iter().enumerate() {
        let k = ccsim::stats::Kpi::MarkedDone.index();
        let sum: f64 = rep.dispositions.iter().map(|d| d.overall[k]).sum();
        assert_eq!(
            sum, done[r],
            "replication {r}: dispositions sum to marked_done"
        );
        let share = ccsim::stats::Kpi::DispositionShare.index();
        let shares: f64 = rep.dispositions.iter().map(|d| d.overall[share]).sum();
        assert!((shares - 1.0).abs() < 1e-12, "shares sum to {shares}");
        let missing: f64 = kpi_values(&reps, "dispositions_missing")[r];
        let c = m.dispositions.iter().position(|n| n == "missing").unwrap();
        assert_eq!(rep.dispositions[c].overall[k], missing);
    }
    assert_eq!(
        m.dispositions,
        ["escalated", "follow_up", "resolved", "missing"],
        "codes in name order, missing last"
    );
    let csv = String::from_utf8(RunReport::new(&s, &reps).segments_csv()).unwrap();
    for code in &m.dispositions {
        assert!(csv.contains(&format!("disposition,{code},disposition_share,")));
    }
    assert_eq!(
        segments(&s).len(),
        6,
        "queues, channels and groups as before"
    );
}

#[test]
fn disposition_shares_and_wrapup_means_match_their_inputs() {
    let s = scenario(&desk(ISSUE_CODES));
    let reps = run(&s);
    for (code, share, mean) in [
        ("resolved", 0.7, 30.0),
        ("follow_up", 0.2, 60.0),
        ("escalated", 0.1, 90.0),
    ] {
        assert_covers(
            &format!("{code} share"),
            &disposition_values(&s, &reps, code, "disposition_share"),
            share,
            0.01,
        );
        // Each code's wrap-up is its own time, not wrapup.time (constant 45 s).
        assert_covers(
            &format!("{code} wrap-up mean"),
            &disposition_values(&s, &reps, code, "wrapup_mean"),
            mean,
            0.03 * mean,
        );
    }
    // The center's wrap-up mean is the codes' mixture.
    assert_covers(
        "wrap-up mean",
        &kpi_values(&reps, "wrapup_mean"),
        0.7 * 30.0 + 0.2 * 60.0 + 0.1 * 90.0,
        1.5,
    );
}

#[test]
fn chats_marked_done_without_a_code_are_the_missing_share() {
    let s = scenario(&desk(
        r#"
[wrapup.dispositions]
resolved = { share = 0.6 }
follow_up = { share = 0.25, time = { dist = "constant", value = "80s" } }
missing = { share = 0.15, time = { dist = "constant", value = "5s" } }
required = false
"#,
    ));
    let reps = run(&s);
    assert_covers(
        "missing share",
        &kpi_values(&reps, "disposition_missing_share"),
        0.15,
        0.01,
    );
    // A code without a time takes wrapup.time; missing its own.
    for (code, mean) in [("resolved", 45.0), ("follow_up", 80.0), ("missing", 5.0)] {
        let values = disposition_values(&s, &reps, code, "wrapup_mean");
        assert!(
            values.iter().all(|&v| (v - mean).abs() < 1e-9),
            "{code}: {values:?}"
        );
    }
}

/// The ordered-logit model from its definition: P(score <= k) = logistic(logit(C_k) + shift).
fn expected_shares(base: [f64; 5], shift: f64) -> [f64; 5] {
    let mut cumulative = [0.0; 5];
    let mut c = 0.0;
    for k in 0..5 {
        c += base[k];
        cumulative[k] = if k == 4 {
            1.0
        } else {
            let z = (c / (1.0 - c)).ln() + shift;
            1.0 / (1.0 + (-z).exp())
        };
    }
    let mut out = [0.0; 5];
    for k in 0..5 {
        out[k] = cumulative[k] - if k == 0 { 0.0 } else { cumulative[k - 1] };
    }
    out
}

#[test]
fn scores_follow_the_ordered_logit_model_of_what_customers_lived() {
    // Every customer lives the same thing: answered exactly 2 minutes after arriving (ample
    // agents, accept delay 2 min), three replies each composed in 10 s with red at 5 s (three
    // red responses), no transfer. The shift is 3 × 0.4 + 2 × 0.3 = 1.8 logits.
    let base = [0.05, 0.05, 0.15, 0.35, 0.40];
    let s = scenario(&format!(
        r#"
[run]
horizon = "8h"
warmup = "30m"
replications = 40
seed = 7
[arrivals]
rate_per_hour = 200
[staffing]
agents = 60
max_concurrent_chats = 1
[conversation]
exchanges = {{ dist = "constant", value = 3 }}
customer_think = {{ dist = "exponential", mean = "20s" }}
agent_compose = {{ dist = "constant", value = "10s" }}
accept_delay = {{ dist = "constant", value = "2m" }}
[indicator]
yellow = "2s"
red = "5s"
[rating]
ask = 0.6
answer = 0.5
base = {base:?}
per_red_response = 0.4
per_minute_waited = 0.3
per_transfer = 5.0
"#
    ));
    let reps = run(&s);
    assert_covers(
        "asked share",
        &ratio(&reps, "ratings_asked", "offered"),
        0.6,
        0.01,
    );
    assert_covers(
        "answer share",
        &kpi_values(&reps, "rating_answer_share"),
        0.5,
        0.015,
    );
    let p = expected_shares(base, 1.8);
    for (k, &pk) in p.iter().enumerate() {
        assert_covers(
            &format!("score {} share", k + 1),
            &kpi_values(&reps, &format!("rating_{}_share", k + 1)),
            pk,
            0.015,
        );
    }
    let mean: f64 = p
        .iter()
        .enumerate()
        .map(|(k, pk)| (k + 1) as f64 * pk)
        .sum();
    assert_covers("mean score", &kpi_values(&reps, "rating_mean"), mean, 0.04);
    // Without the shift the base comes back: the shares differ, so the test above could fail.
    assert!(mean < 3.2 && (p[0] - base[0]).abs() > 0.1, "{p:?}");
}

/// `num / den` in each replication.
fn ratio(reps: &[ccsim::experiment::Replication], num: &str, den: &str) -> Vec<f64> {
    kpi_values(reps, num)
        .iter()
        .zip(kpi_values(reps, den))
        .map(|(a, b)| a / b)
        .collect()
}

#[test]
fn a_scenario_without_them_reports_none_of_their_kpis() {
    let s = scenario::load(&bundled("two_lines.toml"), &["run.replications=2".into()])
        .unwrap_or_else(|e| panic!("{e}"));
    let reps: Vec<_> = (0..2).map(|i| replicate(&s, i).reduce(&s.model)).collect();
    let report = RunReport::new(&s, &reps);
    for bytes in [
        report.summary_csv(),
        report.segments_csv(),
        report.replications_csv(),
        report.run_json(),
    ] {
        let text = String::from_utf8(bytes).unwrap();
        for name in ["marked_done", "disposition", "rating"] {
            assert!(!text.contains(name), "{name} reported without the feature");
        }
    }
    // With them, the same run reports them.
    let with = scenario::load(
        &bundled("dispositions.toml"),
        &["run.replications=2".into()],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let reps: Vec<_> = (0..2)
        .map(|i| replicate(&with, i).reduce(&with.model))
        .collect();
    let summary = String::from_utf8(RunReport::new(&with, &reps).summary_csv()).unwrap();
    for name in [
        "marked_done",
        "dispositions_missing",
        "rating_mean",
        "rating_5_share",
    ] {
        assert!(summary.contains(&format!("\n{name},")), "{name} missing");
    }
    assert!(
        !summary.contains("disposition_share"),
        "a disposition-scope KPI"
    );
}

/// The error message for `text`, which must be rejected without a panic.
fn error(text: &str) -> String {
    match std::panic::catch_unwind(|| scenario::parse(text, Path::new("bad.toml"), &[])) {
        Err(_) => panic!("the scenario made the parser panic:\n{text}"),
        Ok(Ok(_)) => panic!("the scenario was accepted:\n{text}"),
        Ok(Err(e)) => e.to_string(),
    }
}

fn assert_error(extra: &str, parts: &[&str]) {
    let message = error(&desk(extra));
    eprintln!("{message}");
    assert!(message.starts_with("bad.toml: "), "{message}");
    for part in parts {
        assert!(
            message.contains(part),
            "the message lacks {part:?}: {message}"
        );
    }
}

#[test]
fn bad_dispositions_name_the_key_the_value_and_the_rule() {
    assert_error(
        "[wrapup.dispositions]\na = { share = 0.5 }\nb = { share = 0.4 }",
        &[
            "wrapup.dispositions",
            "a 0.5, b 0.4",
            "must sum to 1 (they sum to 0.9)",
        ],
    );
    assert_error(
        "[wrapup.dispositions]\na = { share = 1.5 }",
        &["wrapup.dispositions.a.share = 1.5", "a share in [0, 1]"],
    );
    assert_error(
        "[wrapup.dispositions]\na = { share = 1, time = 30 }",
        &["wrapup.dispositions.a.time", "distribution"],
    );
    assert_error(
        "[wrapup.dispositions]\na = { share = 1, time = { dist = \"lognormal\", mean = \"30s\" } }",
        &["wrapup.dispositions.a.time.cv", "needs cv"],
    );
    assert_error(
        "[wrapup.dispositions]\na = { share = 1, tme = 3 }",
        &["wrapup.dispositions.a.tme", "a code takes share and time"],
    );
    assert_error(
        "[wrapup.dispositions]\na = 0.5",
        &["wrapup.dispositions.a = 0.5", "a code is a table"],
    );
    assert_error(
        "[wrapup.dispositions]\na = { time = { dist = \"constant\", value = 1 } }",
        &["wrapup.dispositions.a.share", "missing"],
    );
    assert_error(
        "[wrapup.dispositions]\na = { share = 0.9 }\nmissing = { share = 0.1 }",
        &[
            "wrapup.dispositions.missing",
            "required = true",
            "required = false",
        ],
    );
    assert_error(
        "[wrapup.dispositions]\na = { share = 1 }\nrequired = false",
        &["wrapup.dispositions.missing", "with required = false"],
    );
    assert_error(
        "[wrapup.dispositions]\na = { share = 1 }\nrequired = \"yes\"",
        &["wrapup.dispositions.required = \"yes\"", "true or false"],
    );
    assert_error(
        "[wrapup.dispositions]\nrequired = true",
        &["wrapup.dispositions", "no code"],
    );
    assert_error(
        "[wrapup.dispositions]\n\"a b\" = { share = 1 }",
        &["wrapup.dispositions.a b", "letters, digits"],
    );
}

#[test]
fn bad_ratings_name_the_key_the_value_and_the_rule() {
    assert_error(
        "[rating]\nask = 1.2\nbase = [0.2, 0.2, 0.2, 0.2, 0.2]",
        &["rating.ask = 1.2", "a probability in [0, 1]"],
    );
    assert_error(
        "[rating]\nbase = [0.2, 0.2, 0.2, 0.2, 0.2]",
        &["rating.ask", "missing"],
    );
    assert_error("[rating]\nask = 0.5", &["rating.base", "missing"]);
    assert_error(
        "[rating]\nask = 0.5\nbase = [0.5, 0.5]",
        &["rating.base = [0.5, 0.5]", "five shares"],
    );
    assert_error(
        "[rating]\nask = 0.5\nbase = [0.2, 0.2, 0.2, 0.2, 0.3]",
        &["rating.base", "must sum to 1 (they sum to 1.1)"],
    );
    assert_error(
        "[rating]\nask = 0.5\nbase = [0.2, -0.2, 0.4, 0.3, 0.3]",
        &["rating.base[1] = -0.2", ">= 0"],
    );
    assert_error(
        "[rating]\nask = 0.5\nanswer = 2\nbase = [0.2, 0.2, 0.2, 0.2, 0.2]",
        &["rating.answer = 2", "a probability"],
    );
    assert_error(
        "[rating]\nask = 0.5\nbase = [0.2, 0.2, 0.2, 0.2, 0.2]\nper_red_response = 1e9",
        &[
            "rating.per_red_response = 1000000000",
            "between -100 and 100",
        ],
    );
    assert_error(
        "[rating]\nask = 0.5\nbase = [0.2, 0.2, 0.2, 0.2, 0.2]\nper_red = 1",
        &["rating", "per_red"],
    );
}
