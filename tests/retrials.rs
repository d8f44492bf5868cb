//! Returning customers (`patience.retry`, `patience.recontact`):
//! - conservation, exact in every replication: every attempt is counted once (offered = first
//!   attempts + retrials + recontacts), unique_customers is the number of distinct customers,
//!   every return drawn before the close arrives at its time, abandons = retrials drawn +
//!   customers lost, and the KPIs agree with counts made from the records alone;
//! - with every attempt abandoning (no agent), retrials drawn per customer are a truncated
//!   geometric count: q(1 − q^max)/(1 − q); with every chat completed (ample agents, no
//!   patience), recontacts drawn per customer are p + p² + … + p^max;
//! - the first attempts are the same customers with and without returns (their own streams);
//! - without returns the new KPIs reduce to the old ones;
//! - bad settings are errors naming the key.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Mutex;

use ccsim::experiment::{replicate_with, Extra};
use ccsim::model::{run_replication, ContactId, Observer, Record, ReturnKind};
use ccsim::scenario::{self, Scenario};
use ccsim::stats::Kpi;
use common::{assert_covers, kpi_values, run, scenario};

/// What the records of one replication say, counted without the collector.
#[derive(Default)]
struct Counts {
    end_of_arrivals: f64,
    max_retrials: u32,
    max_recontacts: u32,
    now: f64,
    /// The contact that arrived last and when.
    last_arrived: Option<(ContactId, f64)>,
    customer_of: HashMap<ContactId, ContactId>,
    /// Per customer: retrials and recontacts that arrived.
    returns_of: HashMap<ContactId, (u32, u32)>,
    /// Returns drawn and not arrived yet: customer -> (due, kind).
    pending: HashMap<ContactId, (f64, ReturnKind)>,
    abandoned: HashSet<ContactId>,
    done: HashSet<ContactId>,
    arrivals: u64,
    retrials: u64,
    recontacts: u64,
    first_attempt_queue_abandons: u64,
    abandons: u64,
    retrials_drawn: u64,
    after_close: u64,
}

impl Observer for Counts {
    fn record(&mut self, now: f64, record: Record) {
        self.now = now;
        match record {
            Record::Arrived { contact, .. } => {
                self.arrivals += 1;
                self.last_arrived = Some((contact, now));
                // A first attempt unless a Returned follows.
                self.customer_of.insert(contact, contact);
            }
            Record::Returned {
                contact,
                customer,
                attempt,
                kind,
                ..
            } => {
                assert_eq!(
                    self.last_arrived,
                    Some((contact, now)),
                    "Returned follows Arrived"
                );
                assert!(customer < contact, "a customer's first attempt came first");
                assert_eq!(
                    self.customer_of[&customer], customer,
                    "customers are first attempts"
                );
                self.customer_of.insert(contact, customer);
                let (due, drawn_kind) = self
                    .pending
                    .remove(&customer)
                    .unwrap_or_else(|| panic!("customer {customer} came back undrawn"));
                assert_eq!(due, now, "a return arrives at the time drawn");
                assert_eq!(drawn_kind, kind);
                let r = self.returns_of.entry(customer).or_default();
                match kind {
                    ReturnKind::Retrial => {
                        r.0 += 1;
                        self.retrials += 1;
                    }
                    ReturnKind::Recontact => {
                        r.1 += 1;
                        self.recontacts += 1;
                    }
                }
                assert!(
                    r.0 <= self.max_retrials && r.1 <= self.max_recontacts,
                    "{r:?}"
                );
                assert_eq!(attempt, r.0 + r.1, "the attempt's number");
            }
            Record::AbandonedQueue {
                contact, returning, ..
            } => {
                let first = self.customer_of[&contact] == contact;
                assert_eq!(returning, !first);
                self.first_attempt_queue_abandons += first as u64;
                self.abandons += 1;
                self.abandoned.insert(contact);
            }
            Record::AbandonedChat { contact, .. } => {
                self.abandons += 1;
                self.abandoned.insert(contact);
            }
            Record::Done { contact, .. } => {
                self.done.insert(contact);
            }
            Record::WillReturn {
                contact,
                customer,
                kind,
                at,
                after_close,
                ..
            } => {
                assert_eq!(self.customer_of[&contact], customer);
                match kind {
                    // Drawn at the abandon itself; a chat abandoned is not recontacted.
                    ReturnKind::Retrial => {
                        assert!(self.abandoned.contains(&contact) && !self.done.contains(&contact));
                        self.retrials_drawn += 1;
                    }
                    ReturnKind::Recontact => {
                        assert!(self.done.contains(&contact) && !self.abandoned.contains(&contact))
                    }
                }
                assert!(at > now, "a return after a delay");
                assert_eq!(after_close, at >= self.end_of_arrivals);
                if after_close {
                    self.after_close += 1;
                } else {
                    let earlier = self.pending.insert(customer, (at, kind));
                    assert!(earlier.is_none(), "customer {customer} coming back twice");
                }
            }
            _ => {}
        }
    }
}

/// Hands each replication's counts back to the test.
struct Keep(Mutex<Vec<(u32, Counts)>>, f64, u32, u32);

impl Extra for Keep {
    type Observer = Counts;
    fn start(&self, _: &Scenario, _: u32) -> Counts {
        Counts {
            end_of_arrivals: self.1,
            max_retrials: self.2,
            max_recontacts: self.3,
            ..Counts::default()
        }
    }
    fn end(&self, index: u32, counts: Counts) {
        self.0.lock().unwrap().push((index, counts));
    }
}

fn kpi(values: &[f64], name: &str) -> f64 {
    values[Kpi::ALL.iter().position(|k| k.name() == name).unwrap()]
}

/// An understaffed desk (queues and in-chat abandons), no warm-up so that every attempt is
/// measured, exponential patience, wrap-up; then `extra` TOML lines.
fn desk(extra: &str) -> String {
    format!(
        r#"
        [run]
        horizon = "4h"
        interval = "1h"
        replications = 4
        seed = 5
        [arrivals]
        rate_per_hour = [120, 200, 160, 80]
        [staffing]
        agents = 5
        max_concurrent_chats = 2
        [conversation]
        exchanges = {{ dist = "geometric", mean = 4 }}
        customer_think = {{ dist = "exponential", mean = "30s" }}
        agent_compose = {{ dist = "exponential", mean = "25s" }}
        [patience]
        queue = {{ dist = "exponential", mean = "2m" }}
        reply = {{ dist = "exponential", mean = "90s" }}
        {extra}
        [wrapup]
        time = {{ dist = "constant", value = "20s" }}
        "#
    )
}

#[test]
fn every_attempt_is_counted_once() {
    let s = scenario(&desk(
        r#"retry = { probability = 0.5, delay = { dist = "exponential", mean = "10m" }, max = 2 }
        recontact = { probability = 0.2, delay = { dist = "exponential", mean = "40m" }, max = 2 }"#,
    ));
    let keep = Keep(Mutex::new(Vec::new()), 4.0 * 3600.0, 2, 2);
    for index in 0..s.run.replications {
        let measured = replicate_with(&s, index, &keep);
        let v = measured.reduce(&s.model).overall;
        let all = keep.0.lock().unwrap();
        let (_, c) = all.iter().find(|(i, _)| *i == index).unwrap();
        assert!(c.pending.is_empty(), "returns drawn that never came");
        let customers: HashSet<_> = c.customer_of.values().collect();
        let first = customers.len() as u64;
        // Conservation: each attempt once; abandons split into retrials drawn and lost.
        assert_eq!(c.arrivals, first + c.retrials + c.recontacts);
        let lost = c.abandons - c.retrials_drawn;
        assert!(c.retrials > 20 && c.recontacts > 10 && c.after_close > 0 && lost > 20);
        let n = |x: u64| x as f64;
        assert_eq!(kpi(&v, "offered"), n(c.arrivals));
        assert_eq!(kpi(&v, "unique_customers"), n(first));
        assert_eq!(kpi(&v, "retrials"), n(c.retrials));
        assert_eq!(kpi(&v, "recontacts"), n(c.recontacts));
        assert_eq!(kpi(&v, "customers_lost"), n(lost));
        assert_eq!(kpi(&v, "returns_after_close"), n(c.after_close));
        assert_eq!(
            kpi(&v, "abandoned_queue") + kpi(&v, "abandoned_chat"),
            n(c.abandons)
        );
        assert_eq!(
            kpi(&v, "first_attempt_abandon_rate"),
            n(c.first_attempt_queue_abandons) / n(first)
        );
        assert_eq!(
            kpi(&v, "attempts_per_customer_mean"),
            n(c.arrivals) / n(first)
        );
        assert_eq!(kpi(&v, "in_system_at_end"), 0.0);
    }
}

/// Per replication, returns drawn per customer: those that arrived (`kind`: the KPI
/// `retrials` or `recontacts`, the scenario having only that kind) and those due after the
/// close.
fn drawn_per_customer(reps: &[ccsim::experiment::Replication], kind: &str) -> Vec<f64> {
    kpi_values(reps, kind)
        .iter()
        .zip(kpi_values(reps, "returns_after_close"))
        .zip(kpi_values(reps, "unique_customers"))
        .map(|((r, late), u)| (r + late) / u)
        .collect()
}

/// No agent: every attempt abandons in queue and retries with probability q, at most `max`
/// times. Retrials per customer: q(1 − q^max)/(1 − q). A return due after the close ends its
/// customer's chain early, so no one arrives in the last hour: a chain of three 5-minute
/// delays lasts longer than that with probability about 10⁻⁴.
#[test]
fn retrials_per_customer_are_a_truncated_geometric_count() {
    let (q, max) = (0.4f64, 3);
    let s = scenario(&format!(
        r#"
        [run]
        horizon = "4h"
        interval = "1h"
        replications = 20
        seed = 8
        [arrivals]
        rate_per_hour = [800, 800, 800, 0]
        [staffing]
        agents = 0
        [conversation]
        agent_compose = {{ dist = "constant", value = "30s" }}
        [patience]
        queue = {{ dist = "exponential", mean = "20s" }}
        retry = {{ probability = {q}, delay = {{ dist = "exponential", mean = "5m" }}, max = {max} }}
        "#
    ));
    let reps = run(&s);
    let drawn = drawn_per_customer(&reps, "retrials");
    let exact = q * (1.0 - q.powi(max)) / (1.0 - q);
    assert_covers("retrials drawn per customer", &drawn, exact, 0.02);
    // Every customer is lost in the end, except those due back after the close.
    for rep in &reps {
        let v = &rep.overall;
        assert_eq!(
            kpi(v, "customers_lost") + kpi(v, "returns_after_close"),
            kpi(v, "unique_customers")
        );
    }
}

/// Ample agents and no patience: every chat completes, and the customer comes back with
/// probability p after each, at most `max` times: p + p² per customer with max = 2 (no one
/// arrives in the last hour, as above).
#[test]
fn recontacts_per_customer_are_exact() {
    let p = 0.3f64;
    let s = scenario(&format!(
        r#"
        [run]
        horizon = "6h"
        interval = "1h"
        replications = 20
        seed = 9
        [arrivals]
        rate_per_hour = [400, 400, 400, 400, 400, 0]
        [staffing]
        agents = 100
        max_concurrent_chats = 2
        [conversation]
        agent_compose = {{ dist = "exponential", mean = "30s" }}
        [patience]
        recontact = {{ probability = {p}, delay = {{ dist = "exponential", mean = "5m" }}, max = 2 }}
        "#
    ));
    let reps = run(&s);
    let drawn = drawn_per_customer(&reps, "recontacts");
    assert_covers("recontacts drawn per customer", &drawn, p + p * p, 0.02);
    assert!(kpi_values(&reps, "retrials").iter().all(|&r| r == 0.0));
}

/// Every arrival time, and the wait of every queue abandon, of the first attempts.
#[derive(Default)]
struct FirstAttempts {
    returned: HashSet<ContactId>,
    arrivals: Vec<(ContactId, f64)>,
    abandons: Vec<(ContactId, f64)>,
}

impl Observer for FirstAttempts {
    fn record(&mut self, now: f64, record: Record) {
        match record {
            Record::Arrived { contact, .. } => self.arrivals.push((contact, now)),
            Record::Returned { contact, .. } => {
                self.returned.insert(contact);
            }
            Record::AbandonedQueue { contact, wait, .. } => self.abandons.push((contact, wait)),
            _ => {}
        }
    }
}

#[test]
fn first_attempts_are_the_same_customers_with_returns() {
    // No agent: a first attempt's wait is its queue patience, drawn as it arrives.
    let text = r#"
        [run]
        horizon = "2h"
        [arrivals]
        rate_per_hour = 300
        [staffing]
        agents = 0
        [conversation]
        agent_compose = { dist = "constant", value = "30s" }
        [patience]
        queue = { dist = "exponential", mean = "1m" }
    "#;
    let firsts = |overrides: &[String]| {
        let s = scenario::parse(text, Path::new("t.toml"), overrides).unwrap();
        let (log, _) = run_replication(&s.model, 4, 0, FirstAttempts::default());
        let times: Vec<f64> = log
            .arrivals
            .iter()
            .filter(|(c, _)| !log.returned.contains(c))
            .map(|&(_, t)| t)
            .collect();
        let waits: Vec<f64> = log
            .abandons
            .iter()
            .filter(|(c, _)| !log.returned.contains(c))
            .map(|&(_, w)| w)
            .collect();
        (times, waits, log.returned.len())
    };
    let (times, waits, none) = firsts(&[]);
    let (times_r, waits_r, returns) = firsts(&[
        r#"patience.retry={ probability = 0.7, delay = { dist = "constant", value = "2m" }, max = 3 }"#
            .to_string(),
    ]);
    assert_eq!(none, 0);
    assert!(returns > 200, "{returns}");
    assert!(times.len() > 400);
    assert_eq!(times, times_r, "the first attempts arrive alike");
    // Abandons come in time order, so a first attempt's is found by its arrival order.
    let mut a = waits.clone();
    let mut b = waits_r.clone();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    assert_eq!(a, b, "the first attempts have the same patience");
}

#[test]
fn without_returns_the_customer_kpis_are_the_contact_kpis() {
    let s = scenario(&desk(""));
    for rep in run(&s) {
        let v = &rep.overall;
        assert_eq!(kpi(v, "unique_customers"), kpi(v, "offered"));
        assert_eq!(kpi(v, "attempts_per_customer_mean"), 1.0);
        assert_eq!(kpi(v, "first_attempt_abandon_rate"), kpi(v, "abandon_rate"));
        assert_eq!(
            kpi(v, "customers_lost"),
            kpi(v, "abandoned_queue") + kpi(v, "abandoned_chat")
        );
        assert!(kpi(v, "customers_lost") > 10.0);
        assert_eq!(kpi(v, "retrials") + kpi(v, "recontacts"), 0.0);
    }
}

#[test]
fn bad_return_settings_name_the_key() {
    let cases = [
        (
            r#"retry = { probability = 1.5, delay = { dist = "constant", value = "1m" } }"#,
            "patience.retry.probability",
            "a probability in [0, 1]",
        ),
        (
            r#"retry = { probability = 0.5 }"#,
            "patience.retry.delay",
            "missing",
        ),
        (
            r#"recontact = { delay = { dist = "constant", value = "1m" } }"#,
            "patience.recontact.probability",
            "missing",
        ),
        (
            r#"retry = { probability = 0.5, delay = { dist = "constant", value = "1m" }, max = 0 }"#,
            "patience.retry.max",
            "an integer from 1 to 1000",
        ),
        (
            r#"retry = { probability = 0.5, delay = { dist = "constant", value = "-1m" } }"#,
            "patience.retry.delay.value",
            ">= 0",
        ),
        (
            r#"retry = { probability = 0.5, delay = { dist = "constant", value = "1m" }, tries = 2 }"#,
            "tries",
            "",
        ),
    ];
    for (line, key, rule) in cases {
        let e = scenario::parse(&desk(line), Path::new("t.toml"), &[])
            .err()
            .unwrap_or_else(|| panic!("{line} accepted"))
            .to_string();
        assert!(
            e.contains("t.toml") && e.contains(key) && e.contains(rule),
            "{line}: {e}"
        );
    }
}

/// `contacts.csv` of a traced run says which customer each attempt is and which attempt: its
/// measured rows after a first attempt are exactly the retrials and recontacts each replication
/// counted, and every later attempt's customer is a contact of an earlier row.
#[test]
fn the_contact_trace_names_each_attempts_customer() {
    let out = common::scratch("retrials_trace");
    let scenario = common::bundled("returning_customers.toml");
    common::assert_ok(&common::ccsim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--reps",
            "3",
            "--trace",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
        None,
    ));
    let text = std::fs::read_to_string(out.join("contacts.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (rep, contact, measured, customer, attempt) = (
        col("replication"),
        col("contact"),
        col("measured"),
        col("customer"),
        col("attempt"),
    );
    let mut later = [0u64; 3];
    let mut contacts: HashSet<(String, String)> = HashSet::new();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    for r in &rows {
        contacts.insert((r[rep].to_string(), r[contact].to_string()));
    }
    for r in &rows {
        let n: u32 = r[attempt].parse().unwrap();
        if n == 1 {
            assert_eq!(
                r[customer], r[contact],
                "a first attempt is its own customer"
            );
        } else {
            assert!(
                contacts.contains(&(r[rep].to_string(), r[customer].to_string())),
                "attempt {n} of an unknown customer {}",
                r[customer]
            );
            if r[measured] == "true" {
                later[r[rep].parse::<usize>().unwrap()] += 1;
            }
        }
    }
    // replications.csv: replication,kpi,value.
    let reps = std::fs::read_to_string(out.join("replications.csv")).unwrap();
    let mut returns = [0.0f64; 3];
    for l in reps.lines().skip(1) {
        let cells: Vec<&str> = l.split(',').collect();
        if cells[1] == "retrials" || cells[1] == "recontacts" {
            returns[cells[0].parse::<usize>().unwrap()] += cells[2].parse::<f64>().unwrap();
        }
    }
    for i in 0..3 {
        assert_eq!(later[i] as f64, returns[i], "replication {i}");
        assert!(
            later[i] > 20,
            "replication {i}: {} later attempts",
            later[i]
        );
    }
}
