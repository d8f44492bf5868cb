//! Per-customer random streams: every draw that belongs to a customer (patience, exchanges,
//! think times, silent leaving, the compose times of their chat, its wrap-up) comes from that
//! customer's own substreams, so that two staffing levels see the same customers doing the
//! same things, contact by contact — not only the same arrivals:
//! - exact, contact by contact: on a desk where agents hold one chat each (no slowdown, no
//!   waiting for the agent's attention), a contact's handle time is the sum of its customer's
//!   think and compose times, and its wrap-up its own; both are the same at 3 agents (a long
//!   queue) as at 6 (none), whereas with streams per source of randomness the order in which
//!   chats draw differs as soon as the waits differ;
//! - the same with silent leavers and the inactivity close: the same customers leave, after the
//!   same reply;
//! - a return is the same customer: with retrials, the first attempts are the same contacts
//!   whatever the staffing.

mod common;

use std::collections::{HashMap, HashSet};

use ccsim::model::{run_replication, Observer, Record};
use common::scenario;

/// What each contact did: (handle time, wrap-up time, responses) by contact number.
#[derive(Default)]
struct PerContact {
    done: HashMap<u64, (f64, f64)>,
    responses: HashMap<u64, Vec<f64>>,
    closed_silent: HashMap<u64, bool>,
    /// Contacts that are a customer's return.
    returns: HashSet<u64>,
    waited: u64,
}

/// A duration to the microsecond: response times are differences of clock times, which differ
/// from one staffing to another, so they agree up to the rounding of those sums.
fn micros(x: f64) -> i64 {
    (x * 1e6).round() as i64
}

impl Observer for PerContact {
    fn record(&mut self, _: f64, record: Record) {
        match record {
            Record::Done {
                contact,
                handle_time,
                wrapup,
                ..
            } => {
                self.done.insert(contact, (handle_time, wrapup));
            }
            Record::Response {
                contact, duration, ..
            } => self.responses.entry(contact).or_default().push(duration),
            Record::Answered { wait, .. } => self.waited += (wait > 0.0) as u64,
            Record::Returned { contact, .. } => {
                self.returns.insert(contact);
            }
            Record::ClosedByInactivity {
                contact, silent, ..
            } => {
                self.closed_silent.insert(contact, silent);
            }
            _ => {}
        }
    }
}

fn desk(agents: u32, extra: &str) -> String {
    format!(
        r#"
[run]
horizon = "6h"
replications = 1
seed = 31
[arrivals]
rate_per_hour = 40
[staffing]
agents = {agents}
max_concurrent_chats = 1
[conversation]
exchanges = {{ dist = "geometric", mean = 4 }}
customer_think = {{ dist = "lognormal", mean = "40s", cv = 1.0 }}
agent_compose = {{ dist = "lognormal", mean = "25s", cv = 0.8 }}
[wrapup]
time = {{ dist = "lognormal", mean = "40s", cv = 0.5 }}
{extra}
"#
    )
}

fn per_contact(text: &str) -> PerContact {
    let s = scenario(text);
    run_replication(&s.model, s.run.seed, 0, PerContact::default()).0
}

/// The two runs agree on every contact both completed (`what` names the comparison); returns
/// how many were compared.
fn assert_same_contacts(few: &PerContact, many: &PerContact, what: &str) -> usize {
    let mut compared = 0;
    for (contact, &(handle, wrapup)) in &few.done {
        let Some(&(handle2, wrapup2)) = many.done.get(contact) else {
            continue;
        };
        compared += 1;
        // Handle times are differences of clock times that differ by the wait: equal up to
        // the rounding of those sums.
        assert!(
            (handle - handle2).abs() < 1e-6 && (wrapup - wrapup2).abs() < 1e-6,
            "{what}: contact {contact}: handle {handle} vs {handle2}, wrap-up {wrapup} vs {wrapup2}"
        );
        let durations = |p: &PerContact| {
            p.responses[contact]
                .iter()
                .map(|&x| micros(x))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            durations(few),
            durations(many),
            "{what}: contact {contact}: responses"
        );
    }
    assert!(compared > 150, "{what}: only {compared} contacts compared");
    compared
}

#[test]
fn a_customer_does_the_same_whatever_the_staffing() {
    let few = per_contact(&desk(3, ""));
    let many = per_contact(&desk(6, ""));
    // 40 chats an hour of about 5 minutes with wrap-up: 3.3 erlangs, so 3 agents queue long
    // while 6 rarely do; the contacts are served in other orders, by other agents.
    assert!(
        few.waited > 3 * many.waited,
        "{} vs {}",
        few.waited,
        many.waited
    );
    let compared = assert_same_contacts(&few, &many, "3 vs 6 agents");
    // Nobody abandons (no patience): every contact completed at 3 agents completed at 6 too,
    // so every one of them was compared.
    assert_eq!(compared, few.done.len());
}

#[test]
fn silent_leavers_and_inactivity_are_the_same_customers() {
    let extra = "[inactivity]\nclose = \"3m\"\n";
    let with = |agents| {
        let text = desk(agents, extra)
            .replace("[conversation]\n", "[conversation]\nsilent_leave = 0.15\n");
        per_contact(&text)
    };
    let (few, many) = (with(3), with(6));
    assert!(few.closed_silent.len() > 30, "{}", few.closed_silent.len());
    // The same customers are closed, for the same reason (silent or quiet past the close).
    let mut both = 0;
    for (contact, silent) in &few.closed_silent {
        if many.done.contains_key(contact) {
            both += 1;
            assert_eq!(
                many.closed_silent.get(contact),
                Some(silent),
                "contact {contact}"
            );
        }
    }
    assert!(both > 30, "{both}");
    assert_same_contacts(&few, &many, "silent leavers, 3 vs 6 agents");
}

#[test]
fn returns_keep_the_first_attempts_the_same() {
    // Queue patience and retrials: which customers come back depends on the staffing, and
    // the contact numbers of the later arrivals with it; the first attempts of the customers
    // who waited at neither level are still the same conversations.
    let extra = r#"
[patience]
queue = { dist = "exponential", mean = "2m" }
retry = { probability = 0.5, delay = { dist = "exponential", mean = "5m" }, max = 2 }
"#;
    let few = per_contact(&desk(3, extra));
    let many = per_contact(&desk(6, extra));
    let (a, b) = (few.responses.len(), many.responses.len());
    assert!(a > 100 && b > 100, "{a} {b}");
    assert!(
        few.returns.len() > 3 * many.returns.len().max(5),
        "{} vs {}",
        few.returns.len(),
        many.returns.len()
    );
    // Contacts are numbered in order of arrival, returns included, so a contact number names
    // the same customer at both levels only until the first return: compare the first
    // attempts' conversations (their response times, in order) as sets.
    let conversations = |p: &PerContact| {
        let mut v: Vec<Vec<i64>> = p
            .responses
            .iter()
            .filter(|(contact, _)| !p.returns.contains(contact))
            .map(|(_, r)| r.iter().map(|&x| micros(x)).collect())
            .collect();
        v.sort();
        v
    };
    let (x, y) = (conversations(&few), conversations(&many));
    let shared = x.iter().filter(|c| y.binary_search(c).is_ok()).count();
    // A first attempt answered at 3 agents is answered at 6 too (nearly always: patience is
    // the customer's, and waits are shorter there), and is the same conversation.
    assert!(
        shared as f64 >= 0.95 * x.len() as f64,
        "{shared} of {} first attempts answered at 3 agents also at 6",
        x.len()
    );
}
