//! The contact trace (`ccsim run --trace`) and `ccsim fit`: the trace is deterministic and
//! complete, and a fit of a trace ccsim produced recovers the scenario's arrival rate, handle
//! time and patience within their intervals; Kaplan–Meier and the exponential estimate agree
//! on exponential patience (and disagree on patience that is not); the fragment runs; every
//! malformed row is named by file, line and column.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::{assert_ok, ccsim, scratch};

/// A loaded desk with short, heavily abandoned waits: 60 chats an hour of 4 minutes on 4 agents
/// of one slot, one exchange each (so a handle time is one compose time, mean 240 s).
const DESK: &str = r#"
[run]
horizon = "4h"
warmup = "30m"
interval = "30m"
day_start = "08:00"
replications = 32
seed = 11

[arrivals]
rate_per_hour = 60

[staffing]
agents = 4

[conversation]
exchanges = { dist = "constant", value = 1 }
agent_compose = { dist = "lognormal", mean = "4m", cv = 0.5 }

[patience]
queue = PATIENCE
"#;

/// Run `DESK` with `patience` traced into a scratch folder; returns the folder.
fn traced(name: &str, patience: &str, threads: &str) -> PathBuf {
    let dir = scratch(name);
    let file = dir.join("desk.toml");
    std::fs::write(&file, DESK.replace("PATIENCE", patience)).unwrap();
    let out = dir.join("run");
    assert_ok(&ccsim(
        &[
            "run",
            file.to_str().unwrap(),
            "--trace",
            "--out",
            out.to_str().unwrap(),
            "-q",
            "--threads",
            threads,
        ],
        None,
    ));
    out
}

/// Fit `run/contacts.csv` (with its messages) into `run/../fit`; returns that folder.
fn fitted(run: &Path) -> PathBuf {
    let out = run.parent().unwrap().join("fit");
    assert_ok(&ccsim(
        &[
            "fit",
            run.join("contacts.csv").to_str().unwrap(),
            "--messages",
            run.join("messages.csv").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
        None,
    ));
    out
}

/// The rows of a CSV file as maps from column to cell.
fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// The (mean, low, high) of fit.csv's row for `quantity` by `method`.
fn estimate(fit: &Path, quantity: &str, method: &str) -> (f64, f64, f64) {
    let all = rows(&fit.join("fit.csv"));
    let row = all
        .iter()
        .find(|r| r["quantity"] == quantity && r["method"] == method)
        .unwrap_or_else(|| panic!("no {quantity} {method} in fit.csv"));
    // An empty cell is undefined (a point estimate has no interval).
    let x = |c: &str| row[c].parse::<f64>().unwrap_or(f64::NAN);
    (x("mean"), x("ci95_low"), x("ci95_high"))
}

/// `truth` inside the 99% interval (from fit.csv's 95% one, normal: the level of every other
/// check of the suite), which is narrow enough (relative half-width at most `width`) for the
/// check to catch a biased estimator.
fn assert_recovers(label: &str, (mean, low, high): (f64, f64, f64), truth: f64, width: f64) {
    const TO_99: f64 = 2.575_829 / 1.959_964;
    let (low, high) = (mean - (mean - low) * TO_99, mean + (high - mean) * TO_99);
    eprintln!("{label}: {mean} [{low}, {high}] (99%), truth {truth}");
    assert!(
        low <= truth && truth <= high,
        "{label}: {truth} outside [{low}, {high}]"
    );
    assert!(
        (high - low) / 2.0 <= width * truth,
        "{label}: interval [{low}, {high}] too wide to test anything"
    );
}

#[test]
fn trace_is_complete_and_the_same_whatever_the_threads() {
    let one = traced(
        "fit_trace_1",
        r#"{ dist = "exponential", mean = "3m" }"#,
        "1",
    );
    let two = traced(
        "fit_trace_2",
        r#"{ dist = "exponential", mean = "3m" }"#,
        "2",
    );
    for name in ["contacts.csv", "messages.csv"] {
        assert_eq!(
            std::fs::read(one.join(name)).unwrap(),
            std::fs::read(two.join(name)).unwrap(),
            "{name} depends on the threads"
        );
    }
    // Every measured contact of each replication is in the trace: as many as it offered.
    let contacts = rows(&one.join("contacts.csv"));
    let reps = rows(&one.join("replications.csv"));
    for rep in reps.iter().filter(|r| r["kpi"] == "offered") {
        let measured = contacts
            .iter()
            .filter(|c| c["replication"] == rep["replication"] && c["measured"] == "true")
            .count();
        assert_eq!(measured as f64, rep["value"].parse::<f64>().unwrap());
    }
    // Warm-up contacts are there too, marked, and arrive before the warm-up's end.
    let warm: Vec<_> = contacts
        .iter()
        .filter(|c| c["measured"] == "false")
        .collect();
    assert!(!warm.is_empty());
    assert!(warm
        .iter()
        .all(|c| c["arrival"].parse::<f64>().unwrap() < 1800.0));
    // One message row per exchange replied, and the reply comes after the message.
    let messages = rows(&one.join("messages.csv"));
    let replied: usize = contacts
        .iter()
        .map(|c| c["exchanges"].parse::<usize>().unwrap())
        .sum();
    assert_eq!(messages.len(), replied);
    for m in &messages {
        let (sent, reply) = (
            m["message"].parse::<f64>().unwrap(),
            m["reply"].parse::<f64>().unwrap(),
        );
        assert!(reply >= sent);
    }
    // An answered contact's first message is its answer: arrival + wait.
    let by_key: HashMap<(&str, &str), &HashMap<String, String>> = contacts
        .iter()
        .map(|c| ((c["replication"].as_str(), c["contact"].as_str()), c))
        .collect();
    for m in messages.iter().filter(|m| m["exchange"] == "1").take(200) {
        let c = by_key[&(m["replication"].as_str(), m["contact"].as_str())];
        let answer = c["arrival"].parse::<f64>().unwrap() + c["wait"].parse::<f64>().unwrap();
        assert!((answer - m["message"].parse::<f64>().unwrap()).abs() < 1e-6);
    }
    // A run without --trace removes the earlier trace (it would be taken for this run's).
    let file = one.parent().unwrap().join("desk.toml");
    assert_ok(&ccsim(
        &[
            "run",
            file.to_str().unwrap(),
            "--out",
            one.to_str().unwrap(),
            "-q",
        ],
        None,
    ));
    assert!(!one.join("contacts.csv").exists() && !one.join("messages.csv").exists());
}

#[test]
fn fit_recovers_rate_handle_time_and_patience() {
    let run = traced(
        "fit_recover",
        r#"{ dist = "exponential", mean = "3m" }"#,
        "2",
    );
    let fit = fitted(&run);
    assert_recovers(
        "arrival rate",
        estimate(&fit, "arrival_rate_per_hour", "sample"),
        60.0,
        0.05,
    );
    assert_recovers(
        "handle time",
        estimate(&fit, "handle_time", "sample"),
        240.0,
        0.05,
    );
    assert_recovers(
        "patience",
        estimate(&fit, "queue_patience", "exponential"),
        180.0,
        0.1,
    );
    // The fragment gives the clock of the run's start and one rate per interval.
    let fragment = std::fs::read_to_string(fit.join("fitted.toml")).unwrap();
    assert!(fragment.contains("day_start = \"08:00\""), "{fragment}");
    assert!(fragment.contains("horizon = \"270m\""), "{fragment}");
    // Every file of a fit is there, the plot of the quantiles among them.
    for name in ccsim::report::folder::FIT_FILES {
        assert!(fit.join(name).is_file(), "{name} missing");
    }
    // A panel per duration of the table.
    let mut quantities: Vec<(String, String)> = rows(&fit.join("fit_qq.csv"))
        .into_iter()
        .map(|r| (r["queue"].clone(), r["quantity"].clone()))
        .collect();
    quantities.dedup();
    assert!(!quantities.is_empty());
    assert_qq_plot(&fit.join("fit_qq.png"), quantities.len() as u32);
}

/// `fit_qq.png` is a PNG of the plots' width and of a height for `panels` panels in two
/// columns, with drawing in it (not a blank image).
fn assert_qq_plot(path: &Path, panels: u32) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    // The IHDR chunk's width and height, big-endian, right after the signature.
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    let (width, height) = (be(16), be(20));
    let rows = panels.div_ceil(2);
    assert_eq!(width, 900);
    assert!(
        height >= 300 * rows && height <= 400 * rows + 100,
        "{width}×{height} for {panels} panels"
    );
    // Lines, points and text compress far worse than a blank page (about 2 KB).
    assert!(
        bytes.len() > 20_000 * panels as usize,
        "{} bytes",
        bytes.len()
    );
}

/// The largest gap between the Kaplan–Meier and the exponential survival, in units of the
/// Kaplan–Meier 95% half-width, over fit_patience.csv.
fn km_vs_exponential(fit: &Path) -> f64 {
    rows(&fit.join("fit_patience.csv"))
        .iter()
        .map(|r| {
            let x = |c: &str| r[c].parse::<f64>().unwrap();
            let half = (x("km_ci95_high") - x("km_ci95_low")) / 2.0;
            (x("km_survival") - x("exponential_survival")).abs() / half.max(1e-9)
        })
        .fold(0.0, f64::max)
}

#[test]
fn kaplan_meier_and_exponential_agree_on_exponential_patience_only() {
    let exp = fitted(&traced(
        "fit_km_exp",
        r#"{ dist = "exponential", mean = "3m" }"#,
        "2",
    ));
    let gap = km_vs_exponential(&exp);
    eprintln!("exponential patience: largest gap {gap} half-widths");
    assert!(gap <= 2.0, "KM and exponential disagree: {gap} half-widths");
    let (km_median, exp_mean) = (
        estimate(&exp, "queue_patience", "kaplan_meier_median").0,
        estimate(&exp, "queue_patience", "exponential").0,
    );
    let rel = km_median / (exp_mean * 2f64.ln()) - 1.0;
    assert!(
        rel.abs() < 0.1,
        "KM median {km_median} vs exponential's {}",
        exp_mean * 2f64.ln()
    );
    // Patience that is nearly constant: the exponential estimate is the wrong shape, and the
    // comparison sees it.
    let narrow = fitted(&traced(
        "fit_km_narrow",
        r#"{ dist = "gamma", mean = "3m", cv = 0.2 }"#,
        "2",
    ));
    let gap = km_vs_exponential(&narrow);
    eprintln!("gamma cv 0.2 patience: largest gap {gap} half-widths");
    assert!(gap > 3.0, "the comparison cannot tell: {gap} half-widths");
}

#[test]
fn the_fragment_parses_as_a_scenario_and_runs() {
    let run = traced(
        "fit_fragment",
        r#"{ dist = "exponential", mean = "3m" }"#,
        "2",
    );
    let fit = fitted(&run);
    let fragment = std::fs::read_to_string(fit.join("fitted.toml")).unwrap();
    let file = fit.join("fitted.toml");
    // As documented: staffing given on the command line.
    let out = fit.parent().unwrap().join("rerun");
    assert_ok(&ccsim(
        &[
            "run",
            file.to_str().unwrap(),
            "--set",
            "staffing.agents=4",
            "--reps",
            "4",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
        None,
    ));
    let s = ccsim::scenario::parse(&format!("{fragment}\n[staffing]\nagents = 4\n"), &file, &[])
        .unwrap_or_else(|e| panic!("{e}\n{fragment}"));
    // The fitted desk offers what the original did: 60 an hour over 9 intervals.
    assert_eq!(s.run.intervals, 9);
    let rate = s.model.expected_contacts() / (4.5 * 3600.0) * 3600.0;
    assert!((rate - 60.0).abs() < 3.0, "fitted rate {rate}");
}

#[test]
fn malformed_rows_are_named_by_file_line_and_column() {
    let dir = scratch("fit_errors");
    let cases = [
        (
            "arrival,outcome,wait\n1,answered,2\n5,answered,abc\n",
            "bad.csv:3:3: wait = \"abc\": not a number",
        ),
        (
            "arrival,outcome,wait\n1,answered,2\n5,lost,1\n",
            "bad.csv:3:2: outcome = \"lost\": unknown outcome",
        ),
        (
            "arrival,outcome,wait\n1,answered\n",
            "bad.csv:2:3: the row: has 2 cells, the header has 3",
        ),
        (
            "arrival,outcome,wait\n-1,answered,2\n",
            "bad.csv:2:1: arrival = \"-1\": out of range",
        ),
        (
            "arrival,outcome,wait\n1,answered,\n",
            "bad.csv:2:3: wait = \"\": empty",
        ),
        (
            "arrival,outcome\n1,answered\n",
            "bad.csv:1:3: the header: needs a column wait",
        ),
        (
            "outcome,wait\nanswered,1\n",
            "bad.csv:1:3: the header: needs a column arrival",
        ),
        (
            "arrival,outcome,wait\n",
            "bad.csv:2:1: the file: has a header but no row",
        ),
        (
            "datetime,outcome,wait\n2026-02-30 08:00,answered,1\n",
            "bad.csv:2:1: datetime = \"2026-02-30 08:00\": cannot read",
        ),
    ];
    let file = dir.join("bad.csv");
    for (text, wanted) in cases {
        std::fs::write(&file, text).unwrap();
        let o = ccsim(
            &[
                "fit",
                file.to_str().unwrap(),
                "--out",
                dir.join("out").to_str().unwrap(),
            ],
            None,
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{text}: {err}");
        assert!(err.contains(wanted), "{text}: wanted {wanted:?}, got {err}");
    }
    // The messages file, too: a contact's rows out of exchange order.
    std::fs::write(&file, "arrival,outcome,wait\n1,answered,2\n").unwrap();
    let messages = dir.join("m.csv");
    std::fs::write(
        &messages,
        "contact,exchange,message,reply\n0,1,3,5\n0,3,9,12\n",
    )
    .unwrap();
    let o = ccsim(
        &[
            "fit",
            file.to_str().unwrap(),
            "--messages",
            messages.to_str().unwrap(),
            "--out",
            dir.join("out").to_str().unwrap(),
        ],
        None,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("m.csv:3:2: exchange = \"3\": the line before is exchange 1"),
        "{err}"
    );
}

#[test]
fn days_of_a_datetime_record_give_the_day_to_day_spread() {
    // Two days with 2 and 6 contacts in the 08:00 half hour: mean 4, variance 8.
    let dir = scratch("fit_days");
    let file = dir.join("export.csv");
    let mut text = String::from("datetime,queue,outcome,wait,handle_time\n");
    for (day, n) in [("2026-03-02", 2), ("2026-03-03", 6)] {
        for i in 0..n {
            text.push_str(&format!("{day} 08:{:02}:00,web,answered,{i},100\n", i * 4));
        }
    }
    std::fs::write(&file, text).unwrap();
    let out = dir.join("fit");
    assert_ok(&ccsim(
        &[
            "fit",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
        None,
    ));
    let a = rows(&out.join("fit_arrivals.csv"));
    assert_eq!(a.len(), 1);
    assert_eq!(
        (a[0]["start"].as_str(), a[0]["days"].as_str()),
        ("08:00", "2")
    );
    assert_eq!(a[0]["contacts_mean"], "4");
    assert_eq!(a[0]["variance"], "8");
    assert_eq!(a[0]["rate_per_hour"], "8");
    // Variance 8 = m + m²v² with m = 4: v = 0.5.
    let cv: f64 = rows(&out.join("fit.csv"))
        .iter()
        .find(|r| r["quantity"] == "day_level")
        .unwrap()["cv"]
        .parse()
        .unwrap();
    assert!((cv - 0.5).abs() < 1e-12, "{cv}");
    let fragment = std::fs::read_to_string(out.join("fitted.toml")).unwrap();
    assert!(
        fragment.contains("rate_per_hour = [8]") && fragment.contains("day_start = \"08:00\""),
        "{fragment}"
    );
}
