//! The transcript of `ccsim run --trace N` (`trace.csv`), read back and checked against the
//! other files of the run and its KPIs: the traced contacts are exactly contacts 0..N-1 of
//! replication 1 (and contacts.csv and messages.csv hold the same ones), a contact's rows are
//! in time order and end with exactly one terminal event, accepted rows carry contacts.csv's
//! wait, reply rows are messages.csv's rows one to one, a yellow (red) row comes exactly when
//! a message's indicator reached the queue's threshold before its reply or the end of the
//! chat, at the crossing instant; with every contact of one replication traced, the counts of
//! events among measured contacts equal that replication's KPIs (answered, abandons,
//! responses and their yellow and red shares, reassignments, inactivity alerts and closes).
//! Same bytes with 1 and 2 threads; `--trace` alone is as before; a bad N is a clear error.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use ccsim::model::IndicatorBasis;
use common::{assert_ok, bundled, ccsim, scratch};

/// One row of trace.csv.
#[derive(Clone, Debug)]
struct Row {
    time: f64,
    contact: u64,
    queue: String,
    agent: String,
    group: String,
    event: String,
    detail: String,
}

/// A CSV file as a header and rows of fields (ccsim's names have no commas).
fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

/// The rows of a CSV file as maps from column to field.
fn records(path: &Path) -> Vec<HashMap<String, String>> {
    let (header, rows) = csv(path);
    rows.into_iter()
        .map(|r| {
            assert_eq!(r.len(), header.len(), "{}: {r:?}", path.display());
            header.iter().cloned().zip(r).collect()
        })
        .collect()
}

fn transcript(dir: &Path) -> Vec<Row> {
    let (header, rows) = csv(&dir.join("trace.csv"));
    assert_eq!(
        header.join(","),
        "time,clock,contact,queue,agent,group,event,detail"
    );
    rows.into_iter()
        .map(|r| {
            assert_eq!(r.len(), 8, "{r:?}");
            Row {
                time: r[0].parse().unwrap(),
                contact: r[2].parse().unwrap(),
                queue: r[3].clone(),
                agent: r[4].clone(),
                group: r[5].clone(),
                event: r[6].clone(),
                detail: r[7].clone(),
            }
        })
        .collect()
}

/// Run `scenario` with `args` into a scratch folder `name`.
fn run(name: &str, scenario: &str, args: &[&str]) -> PathBuf {
    let out = scratch(name);
    let scenario = bundled(scenario);
    let mut all = vec!["run", scenario.to_str().unwrap()];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap(), "-q"]);
    assert_ok(&ccsim(&all, None));
    out
}

/// Each queue's indicator: (yellow, red, basis), by name.
fn indicators(scenario: &str, overrides: &[&str]) -> HashMap<String, (f64, f64, IndicatorBasis)> {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let s = ccsim::scenario::load(&bundled(scenario), &overrides).unwrap();
    s.model
        .queues
        .iter()
        .map(|q| (q.name.clone(), (q.chat.yellow, q.chat.red, q.chat.basis)))
        .collect()
}

/// Counts of events among the measured contacts.
#[derive(Debug, Default)]
struct Counts {
    contacts: usize,
    measured: usize,
    answered: usize,
    abandoned_queue: usize,
    abandoned_chat: usize,
    in_system_at_end: usize,
    replies: usize,
    yellow_replies: usize,
    red_replies: usize,
    reassigned: usize,
    alerts: usize,
    closed: usize,
    events: BTreeMap<String, usize>,
}

impl Counts {
    /// Rows of `event` among measured contacts.
    fn events_of(&self, event: &str) -> usize {
        self.events.get(event).copied().unwrap_or(0)
    }
}

/// Check the transcript in `dir` against contacts.csv, messages.csv and the indicators, for
/// `limit` contacts; the counts of its events among measured contacts.
fn check(dir: &Path, scenario: &str, overrides: &[&str], limit: u64) -> Counts {
    let indicator = indicators(scenario, overrides);
    let rows = transcript(dir);
    let contacts = records(&dir.join("contacts.csv"));
    let messages = records(&dir.join("messages.csv"));
    let mut by_contact: BTreeMap<u64, Vec<Row>> = BTreeMap::new();
    for r in &rows {
        by_contact.entry(r.contact).or_default().push(r.clone());
    }
    // The same contacts in the three files: contacts 0..limit of replication 0 (fewer when
    // the replication had fewer).
    let traced: Vec<u64> = by_contact.keys().copied().collect();
    let mut listed: Vec<u64> = contacts
        .iter()
        .map(|c| {
            assert_eq!(c["replication"], "0");
            c["contact"].parse().unwrap()
        })
        .collect();
    listed.sort_unstable();
    assert_eq!(
        traced, listed,
        "trace.csv and contacts.csv trace other contacts"
    );
    assert!(!traced.is_empty());
    assert_eq!(
        traced,
        (0..traced.len() as u64).collect::<Vec<_>>(),
        "not the first contacts"
    );
    assert!(traced.len() as u64 <= limit);
    for m in &messages {
        assert_eq!(m["replication"], "0");
    }
    let mut replies_of: HashMap<u64, Vec<&HashMap<String, String>>> = HashMap::new();
    for m in &messages {
        replies_of
            .entry(m["contact"].parse().unwrap())
            .or_default()
            .push(m);
    }

    let mut counts = Counts {
        contacts: traced.len(),
        ..Counts::default()
    };
    for c in &contacts {
        let id: u64 = c["contact"].parse().unwrap();
        let rows = &by_contact[&id];
        let label = format!("{}: contact {id}", dir.display());
        assert_eq!(rows[0].event, "arrived", "{label}: {rows:?}");
        assert!(rows.iter().all(|r| r.queue == c["queue"]), "{label}");
        for w in rows.windows(2) {
            assert!(
                w[0].time <= w[1].time,
                "{label}: rows out of time order {w:?}"
            );
        }
        // Exactly one terminal event, last but for a will_return at its instant.
        let terminal: Vec<usize> = (0..rows.len())
            .filter(|&i| {
                ccsim::report::transcript::event::is_terminal(&rows[i].event, &rows[i].detail)
            })
            .collect();
        assert_eq!(terminal.len(), 1, "{label}: {rows:?}");
        for r in &rows[terminal[0] + 1..] {
            assert!(
                r.event == "will_return" && r.time == rows[terminal[0]].time,
                "{label}: {r:?} after the end"
            );
        }
        let end = &rows[terminal[0]];
        let expected_end: &[&str] = match c["outcome"].as_str() {
            "answered" | "closed_by_inactivity" => &["done"],
            "abandoned_queue" => &["abandoned:queue", "abandoned:offer"],
            "abandoned_chat" => &["done", "abandoned:requeued", "abandoned:reoffered"],
            "in_system_at_end" => &["in_system_at_end"],
            other => panic!("outcome {other}"),
        };
        let said = if end.event == "abandoned" {
            format!("abandoned:{}", end.detail)
        } else {
            end.event.clone()
        };
        assert!(
            expected_end.contains(&said.as_str()),
            "{label}: {said} for {c:?}"
        );
        if end.event == "done" {
            assert_eq!(end.detail, c["handle_time"], "{label}");
            let wrapup = rows.iter().find(|r| r.event == "wrapup").unwrap();
            assert_eq!(wrapup.detail, c["wrapup"], "{label}");
            let ended = rows.iter().find(|r| r.event == "ended").unwrap();
            let wrapup_s: f64 = c["wrapup"].parse().unwrap();
            assert!((ended.time - (end.time - wrapup_s)).abs() < 1e-9, "{label}");
            // Marked done by the group that answered it, or, after a transfer or an owner
            // change, by the group of the agent who had it last.
            let moved = rows
                .iter()
                .rev()
                .find(|r| r.event == "joined" || r.event == "owner_changed");
            let last_group = moved.map_or(c["group"].as_str(), |r| r.group.as_str());
            assert!(!end.agent.is_empty() && end.group == last_group, "{label}");
        }

        // Accept: the wait of contacts.csv, by the agent of the last offer.
        let accepted: Vec<&Row> = rows.iter().filter(|r| r.event == "accepted").collect();
        match c["group"].as_str() {
            "" => assert!(accepted.is_empty(), "{label}"),
            group => {
                assert_eq!(accepted.len(), 1, "{label}");
                assert_eq!(accepted[0].detail, c["wait"], "{label}");
                assert_eq!(accepted[0].group, group, "{label}");
                let offer = rows
                    .iter()
                    .rev()
                    .find(|r| r.event == "offered" && r.time <= accepted[0].time)
                    .unwrap();
                assert_eq!(offer.agent, accepted[0].agent, "{label}");
            }
        }

        // Replies: messages.csv's rows one to one.
        let replies: Vec<&Row> = rows.iter().filter(|r| r.event == "reply").collect();
        let listed = replies_of.remove(&id).unwrap_or_default();
        assert_eq!(replies.len(), listed.len(), "{label}");
        assert_eq!(c["exchanges"], replies.len().to_string(), "{label}");
        for (r, m) in replies.iter().zip(&listed) {
            assert_eq!(r.time.to_string(), m["reply"], "{label}");
            assert_eq!(r.detail, m["response_time"], "{label}");
        }

        // Each message: its colour rows from the queue's thresholds and basis.
        let (yellow, red, basis) = indicator[&c["queue"]];
        let mut agent_message = f64::NAN;
        for (i, r) in rows.iter().enumerate() {
            match r.event.as_str() {
                "accepted" | "reply" => agent_message = r.time,
                "message" => {}
                _ => continue,
            }
            if r.event != "message" {
                continue;
            }
            let number = &r.detail;
            let start = match basis {
                IndicatorBasis::CustomerMessage => r.time,
                IndicatorBasis::AgentMessage => agent_message,
            };
            // Its end: the reply, an abandon, or the end of the run.
            let (j, end) = rows
                .iter()
                .enumerate()
                .skip(i + 1)
                .find(|(_, e)| {
                    matches!(e.event.as_str(), "reply" | "abandoned" | "in_system_at_end")
                })
                .unwrap_or_else(|| panic!("{label}: message {number} never ends"));
            if end.event == "reply" {
                let listed: f64 = end.detail.parse().unwrap();
                assert_eq!(listed, end.time - r.time, "{label}");
            }
            for (colour, threshold) in [("yellow", yellow), ("red", red)] {
                let rows_of: Vec<&Row> = rows[i..=j]
                    .iter()
                    .filter(|x| x.event == colour && &x.detail == number)
                    .collect();
                let reached = end.time - start >= threshold;
                assert_eq!(
                    rows_of.len(),
                    reached as usize,
                    "{label}: message {number} pending {} s (indicator {} s), {colour} at {threshold}",
                    end.time - r.time,
                    end.time - start
                );
                if let Some(x) = rows_of.first() {
                    let at = (start + threshold).max(r.time);
                    assert!(
                        (x.time - at).abs() < 1e-9,
                        "{label}: {colour} at {}",
                        x.time
                    );
                }
                if end.event == "reply" && reached && c["measured"] == "true" {
                    match colour {
                        "yellow" => counts.yellow_replies += 1,
                        _ => counts.red_replies += 1,
                    }
                }
            }
        }

        if c["measured"] == "true" {
            counts.measured += 1;
            for r in rows {
                *counts.events.entry(r.event.clone()).or_default() += 1;
                match (r.event.as_str(), r.detail.as_str()) {
                    ("accepted", _) => counts.answered += 1,
                    ("abandoned", "queue" | "offer") => counts.abandoned_queue += 1,
                    ("abandoned", _) => counts.abandoned_chat += 1,
                    ("in_system_at_end", _) => counts.in_system_at_end += 1,
                    ("reply", _) => counts.replies += 1,
                    ("reassigned", _) => counts.reassigned += 1,
                    ("inactivity_alert", _) => counts.alerts += 1,
                    ("closed_by_inactivity", _) => counts.closed += 1,
                    _ => {}
                }
            }
        }
    }
    assert!(
        replies_of.is_empty(),
        "messages.csv has contacts trace.csv has not"
    );
    counts
}

/// The KPIs of replication 0 (replications.csv).
fn kpis(dir: &Path) -> HashMap<String, f64> {
    records(&dir.join("replications.csv"))
        .into_iter()
        .filter(|r| r["replication"] == "0")
        .map(|r| (r["kpi"].clone(), r["value"].parse().unwrap_or(f64::NAN)))
        .collect()
}

#[test]
fn twenty_contacts_of_bundled_scenarios_agree_with_the_other_files() {
    for (scenario, overrides) in [
        ("basic_chat.toml", &[][..]),
        ("escalation.toml", &[][..]),
        ("two_lines.toml", &[][..]),
        (
            "basic_chat.toml",
            &["indicator.basis=agent_message", "indicator.yellow=40s"][..],
        ),
    ] {
        let mut args = vec!["--reps", "3", "--trace", "20"];
        for o in overrides {
            args.extend_from_slice(&["--set", o]);
        }
        let stem = scenario.trim_end_matches(".toml");
        let dir = run(
            &format!("transcript_{stem}_{}", overrides.len()),
            scenario,
            &args,
        );
        let counts = check(&dir, scenario, overrides, 20);
        eprintln!("{scenario} {overrides:?}: {counts:?}");
        assert_eq!(counts.contacts, 20);
    }
}

#[test]
fn every_contact_of_one_replication_counts_as_the_kpis_do() {
    let mut seen_yellow_and_red = false;
    // The escalation desk reassigns after 90 s rather than its 3 minutes, so that its one
    // replication surely has reassignments to check (at 3 minutes it may have none).
    for (scenario, name, extra) in [
        (
            "escalation.toml",
            "transcript_all_escalation",
            &["--set", "escalation.reassign_after=90s"][..],
        ),
        ("two_lines.toml", "transcript_all_two_lines", &[][..]),
        ("transfers.toml", "transcript_all_transfers", &[][..]),
    ] {
        let args = [&["--reps", "1", "--trace", "100000000"][..], extra].concat();
        let dir = run(name, scenario, &args);
        let c = check(&dir, scenario, &[], 100_000_000);
        let k = kpis(&dir);
        eprintln!("{scenario}: {c:?}");
        let exact = [
            ("offered", c.measured),
            ("answered", c.answered),
            ("abandoned_queue", c.abandoned_queue),
            ("abandoned_chat", c.abandoned_chat),
            ("in_system_at_end", c.in_system_at_end),
            ("responses", c.replies),
            ("reassigned", c.reassigned),
            ("inactivity_alerts", c.alerts),
            ("closed_by_inactivity", c.closed),
            ("transfers_done", c.events_of("joined")),
            ("conferences", c.events_of("conference_joined")),
            ("consultations", c.events_of("consultation_started")),
        ];
        for (kpi, count) in exact {
            assert_eq!(k[kpi], count as f64, "{scenario}: {kpi}");
        }
        let share = |n: usize| n as f64 / c.replies as f64;
        // The transcript's colour rows follow the contact's own queue's thresholds; after a
        // transfer the model colours replies by the target queue's (the chat is served under
        // its settings), so the shares are compared only without transfers.
        let colours = if scenario == "transfers.toml" {
            vec![]
        } else {
            vec![
                ("responses_yellow_share", c.yellow_replies),
                ("responses_red_share", c.red_replies),
            ]
        };
        for (kpi, n) in colours {
            assert!(
                (k[kpi] - share(n)).abs() < 1e-12,
                "{scenario}: {kpi} {} vs {}",
                k[kpi],
                share(n)
            );
        }
        seen_yellow_and_red |= c.yellow_replies > 0 && c.red_replies > 0;
        if scenario == "transfers.toml" {
            // Every kind of move happened, and each agent who left its chat is named.
            for event in [
                "joined",
                "conference_joined",
                "consultation_started",
                "left",
            ] {
                assert!(c.events_of(event) > 0, "{scenario}: no {event} row: {c:?}");
            }
        }
        if scenario == "escalation.toml" {
            // The escalation desk reassigns chats and closes silent ones: the test sees them.
            assert!(c.reassigned > 0 && c.closed > 0 && c.alerts > 0, "{c:?}");
            assert!(
                c.events.get("reaccepted").copied().unwrap_or(0) > 0,
                "{c:?}"
            );
        }
    }
    assert!(seen_yellow_and_red);
}

#[test]
fn the_same_bytes_with_one_and_two_threads() {
    let a = run(
        "transcript_threads_1",
        "two_lines.toml",
        &["--reps", "4", "--trace", "50", "--threads", "1"],
    );
    let b = run(
        "transcript_threads_2",
        "two_lines.toml",
        &["--reps", "4", "--trace", "50", "--threads", "2"],
    );
    for name in ["trace.csv", "contacts.csv", "messages.csv"] {
        let (x, y) = (
            std::fs::read(a.join(name)).unwrap(),
            std::fs::read(b.join(name)).unwrap(),
        );
        assert!(!x.is_empty());
        assert!(x == y, "{name} differs between 1 and 2 threads");
    }
}

#[test]
fn trace_without_n_is_every_contact_and_no_transcript() {
    let dir = run(
        "transcript_plain",
        "basic_chat.toml",
        &["--reps", "2", "--trace", "5"],
    );
    assert!(dir.join("trace.csv").exists());
    // The same folder, --trace alone: every contact of both replications, and the earlier
    // transcript removed (it would describe another run).
    let scenario = bundled("basic_chat.toml");
    assert_ok(&ccsim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--reps",
            "2",
            "--trace",
            "--out",
            dir.to_str().unwrap(),
            "-q",
        ],
        None,
    ));
    assert!(!dir.join("trace.csv").exists());
    let contacts = records(&dir.join("contacts.csv"));
    let reps: std::collections::BTreeSet<&str> =
        contacts.iter().map(|c| c["replication"].as_str()).collect();
    assert_eq!(reps.into_iter().collect::<Vec<_>>(), ["0", "1"]);
    let offered = kpis(&dir)["offered"] as usize;
    let measured = contacts
        .iter()
        .filter(|c| c["replication"] == "0" && c["measured"] == "true")
        .count();
    assert_eq!(measured, offered);
}

#[test]
fn a_bad_number_of_contacts_is_a_clear_error() {
    let scenario = bundled("basic_chat.toml");
    let scenario = scenario.to_str().unwrap();
    for bad in ["abc", "0", "-3", "2.5"] {
        let out = ccsim(&["run", scenario, "--trace", bad, "-q"], None);
        assert!(!out.status.success(), "--trace {bad} accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("`{bad}` is not a number of contacts")) || bad == "-3",
            "--trace {bad}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    // The scenario after --trace is taken for N: the message says to put it first.
    let out = ccsim(&["run", "--trace", scenario, "-q"], None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("give the scenario before --trace"),
        "{err}"
    );
    // The restrictions of --trace hold with N.
    let out = ccsim(
        &["run", scenario, "--trace", "5", "--shard", "1/2", "-q"],
        None,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("--shard cannot be combined with --trace"),
        "{err}"
    );
}
