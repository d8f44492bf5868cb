//! Days that differ and replayed arrivals: the over-dispersion of daily counts under a gamma
//! day level (exact: m + m²v²), a replayed trace giving exactly its counts per interval in every
//! replication (and its per-contact exchanges), a dated trace over several days, the per-day
//! files of the binary, and the errors of the new keys.

mod common;

use std::path::Path;

use ccsim::scenario;
use ccsim::stats::Kpi;
use common::{assert_ok, ccsim, run, scenario as parse, scratch};

fn offered(values: &[f64]) -> f64 {
    values[Kpi::by_name("offered").unwrap().index()]
}

/// Sample variance and the half-width of its 99% interval (the variance of s² estimated from
/// the fourth central moment: no normality assumed).
fn variance_interval(xs: &[f64]) -> (f64, f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let m2 = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let m4 = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n;
    let s2 = m2 * n / (n - 1.0);
    let var_s2 = (m4 - m2 * m2 * (n - 3.0) / (n - 1.0)) / n;
    (mean, s2, 2.576 * var_s2.sqrt())
}

#[test]
fn gamma_day_level_gives_the_exact_variance_of_daily_counts() {
    // 300 contacts a day (100 per hour for 3 h), day level gamma with cv 0.25: the daily count
    // is Poisson given the day's factor, so Var = m + m²v² = 300 + 5625 = 5925, where Poisson
    // alone would give 300.
    let (m, v) = (300.0, 0.25);
    let s = parse(
        r#"
        [run]
        horizon = "3h"
        interval = "1h"
        replications = 40
        days = 20
        seed = 11
        [arrivals]
        rate_per_hour = 100
        day_level = { dist = "gamma", mean = 1.0, cv = 0.25 }
        [staffing]
        agents = 50
        [conversation]
        agent_compose = { dist = "constant", value = "1s" }
        "#,
    );
    let reps = run(&s);
    let counts: Vec<f64> = reps
        .iter()
        .flat_map(|r| r.days.iter().map(|d| offered(&d.overall)))
        .collect();
    assert_eq!(counts.len(), 800);
    let exact = m + m * m * v * v;
    let (mean, s2, half) = variance_interval(&counts);
    eprintln!("daily counts: mean {mean:.1}, variance {s2:.1} ± {half:.1}, exact {exact}");
    assert!(
        (mean - m).abs() < 2.576 * (exact / 800.0).sqrt(),
        "mean {mean}"
    );
    assert!(
        (s2 - half..=s2 + half).contains(&exact),
        "variance {s2} ± {half} misses {exact}"
    );
    // The interval is narrow enough to tell the over-dispersion from Poisson's and from a
    // factor twice as variable.
    assert!(s2 - half > m && s2 + half < m + m * m * (2.0 * v).powi(2));
    // The whole run pools the days: its offered count is the sum of the days'.
    for r in &reps {
        let sum: f64 = r.days.iter().map(|d| offered(&d.overall)).sum();
        assert_eq!(offered(&r.overall), sum);
    }
}

#[test]
fn a_day_level_shared_by_the_queues_moves_them_together() {
    // Two queues of 400 contacts a day each, with the factor shared, or queue b's own only.
    let center = |levels: &str| {
        parse(&format!(
            r#"
            [run]
            horizon = "2h"
            interval = "1h"
            replications = 30
            days = 10
            {levels}
            [queues.a]
            rate_per_hour = 200
            served_by = [{{ groups = ["g"] }}]
            [queues.b]
            rate_per_hour = 200
            served_by = [{{ groups = ["g"] }}]
            {own}
            [groups.g]
            agents = 80
            [conversation]
            agent_compose = {{ dist = "constant", value = "1s" }}
            "#,
            own = if levels.is_empty() {
                "day_level = { dist = \"gamma\", mean = 1.0, cv = 0.3 }"
            } else {
                ""
            }
        ))
    };
    // The per-day values are the center's: a shared factor moves both queues at once (the
    // variances of the queues' means add up with full correlation), a queue's own factor
    // moves that queue alone.
    let shared = center("[arrivals]\nday_level = { dist = \"gamma\", mean = 1.0, cv = 0.3 }");
    let own_b = center("");
    let var = |s: &scenario::Scenario| {
        let reps = run(s);
        let xs: Vec<f64> = reps
            .iter()
            .flat_map(|r| r.days.iter().map(|d| offered(&d.overall)))
            .collect();
        variance_interval(&xs)
    };
    // Center m = 800 a day. Shared: 800 + 800²·0.09 = 58,400. Only queue b with its own
    // factor (queue a Poisson): 800 + 400²·0.09 = 15,200.
    let (_, s_shared, h_shared) = var(&shared);
    let (_, s_own, h_own) = var(&own_b);
    eprintln!("shared {s_shared:.0} ± {h_shared:.0}, own {s_own:.0} ± {h_own:.0}");
    assert!((s_shared - h_shared..=s_shared + h_shared).contains(&58_400.0));
    assert!((s_own - h_own..=s_own + h_own).contains(&15_200.0));
}

/// Write `rows` (after `header`) as a trace file in `dir`.
fn write_trace(dir: &Path, name: &str, header: &str, rows: &[String]) {
    let mut text = format!("# a recorded day\n{header}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn a_replayed_trace_gives_its_counts_per_interval_in_every_replication() {
    let dir = scratch("days_trace_counts");
    // Arrivals every 7.3 s from 08:00 to 12:30 (run: 08:30 to 12:00 after a 30 min warm-up),
    // clock times; two exchanges each, as the trace says.
    let times: Vec<f64> = (0..)
        .map(|i| 8.0 * 3600.0 + i as f64 * 7.3)
        .take_while(|t| *t < 12.5 * 3600.0)
        .collect();
    let clock = |t: f64| {
        let s = t.round() as u64;
        format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    };
    let rows: Vec<String> = times.iter().map(|&t| format!("{},2", clock(t))).collect();
    write_trace(&dir, "arrivals.csv", "time,exchanges", &rows);
    let text = r#"
        [run]
        day_start = "08:00"
        warmup = "30m"
        horizon = "3h30m"
        interval = "30m"
        replications = 4
        [arrivals]
        trace = "arrivals.csv"
        [staffing]
        agents = 6
        max_concurrent_chats = 2
        [conversation]
        exchanges = { dist = "geometric", mean = 5 }
        agent_compose = { dist = "exponential", mean = "20s" }
        customer_think = { dist = "exponential", mean = "30s" }
        [patience]
        queue = { dist = "exponential", mean = "2m" }
        "#;
    let file = dir.join("replay.toml");
    std::fs::write(&file, text).unwrap();
    let s = scenario::load(&file, &[]).unwrap_or_else(|e| panic!("{e}"));
    let reps = run(&s);
    // The trace's own counts per interval (clock times as written, rounded to the second).
    let secs: Vec<f64> = times.iter().map(|t| t.round() - 8.0 * 3600.0).collect();
    let expected: Vec<f64> = (1..8)
        .map(|i| {
            let (a, b) = (i as f64 * 1800.0, (i + 1) as f64 * 1800.0);
            secs.iter().filter(|&&t| a <= t && t < b).count() as f64
        })
        .collect();
    assert_eq!(expected.len(), 7);
    let mut service = Vec::new();
    for r in &reps {
        let got: Vec<f64> = r.intervals.iter().map(|v| offered(v)).collect();
        assert_eq!(got, expected, "replication {}", r.index);
        // Every replayed contact has the trace's 2 exchanges: answered ones that stay reply
        // twice (none leaves mid-chat: no reply patience).
        let k = |name: &str| r.overall[Kpi::by_name(name).unwrap().index()];
        assert_eq!(k("responses"), 2.0 * k("answered"));
        service.push(k("service_level"));
    }
    // What is not replayed (patience, compose, think) differs between replications.
    assert!(service.windows(2).any(|w| w[0] != w[1]), "{service:?}");
}

#[test]
fn a_dated_trace_replays_each_day_on_its_day() {
    let dir = scratch("days_trace_dated");
    // Day 1: 40 arrivals, day 2: 25, day 3: 60, between 09:00 and 10:00; one row at 07:00 of
    // day 2, before its run starts, and one at 11:00, after it ends: neither is replayed.
    let mut rows = Vec::new();
    for (date, n) in [("2026-03-02", 40), ("2026-03-03", 25), ("2026-03-04", 60)] {
        if date == "2026-03-03" {
            rows.push(format!("{date} 07:00:00,main"));
        }
        for i in 0..n {
            let s = 9 * 3600 + i * 3600 / n;
            rows.push(format!(
                "{date} {:02}:{:02}:{:02},main",
                s / 3600,
                s / 60 % 60,
                s % 60
            ));
        }
        if date == "2026-03-03" {
            rows.push(format!("{date} 11:00:00,main"));
        }
    }
    write_trace(&dir, "days.csv", "datetime,queue", &rows);
    let file = dir.join("days.toml");
    std::fs::write(
        &file,
        r#"
        [run]
        day_start = "08:00"
        horizon = "2h"
        interval = "1h"
        replications = 2
        days = 3
        [arrivals]
        trace = "days.csv"
        [staffing]
        agents = 3
        [conversation]
        agent_compose = { dist = "exponential", mean = "1m" }
        "#,
    )
    .unwrap();
    let s = scenario::load(&file, &[]).unwrap_or_else(|e| panic!("{e}"));
    for r in &run(&s) {
        let days: Vec<Vec<f64>> = r
            .days
            .iter()
            .map(|d| d.intervals.iter().map(|v| offered(v)).collect())
            .collect();
        assert_eq!(
            days,
            vec![vec![0.0, 40.0], vec![0.0, 25.0], vec![0.0, 60.0]]
        );
        assert_eq!(offered(&r.overall), 125.0);
    }
    // The binary writes the per-day files: days.csv with each day's KPIs, intervals.csv with a
    // day column (`all`, then 1, 2, 3).
    let out = dir.join("out");
    let o = ccsim(
        &[
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
        None,
    );
    assert_ok(&o);
    let days = std::fs::read_to_string(out.join("days.csv")).unwrap();
    assert!(days.starts_with("day,kpi,mean,ci95_low,ci95_high,std,replications\n"));
    assert!(days.contains("\n2,offered,25,25,25,0,2\n"), "{days}");
    let intervals = std::fs::read_to_string(out.join("intervals.csv")).unwrap();
    assert!(intervals.starts_with("day,interval,start,end,kpi,"));
    // `all` pools the days: their contacts add up.
    assert!(intervals.contains("\nall,1,09:00,10:00,offered,125,125,125,0,2\n"));
    assert!(intervals.contains("\n3,1,09:00,10:00,offered,60,60,60,0,2\n"));
    let reps = std::fs::read_to_string(out.join("day_replications.csv")).unwrap();
    assert!(reps.contains("\n1,3,offered,60\n"), "{reps}");
    // ccsim report reads a folder with the day column back.
    assert_ok(&ccsim(&["report", out.to_str().unwrap(), "-q"], None));
}

#[test]
fn mistakes_in_days_levels_and_traces_name_the_rule() {
    let dir = scratch("days_errors");
    let base = r#"
        [run]
        horizon = "8h"
        [arrivals]
        rate_per_hour = 10
        [staffing]
        agents = 3
        [conversation]
        agent_compose = { dist = "constant", value = "1m" }
        "#;
    let file = dir.join("s.toml");
    std::fs::write(&file, base).unwrap();
    let error = |sets: &[&str]| {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        scenario::load(&file, &sets).unwrap_err().to_string()
    };
    let e = error(&["run.days=0"]);
    assert!(
        e.contains("run.days = 0: must be between 1 and 10000"),
        "{e}"
    );
    let e = error(&["run.days=2", "run.horizon=25h"]);
    assert!(e.contains("run.days = 2") && e.contains("24 hours"), "{e}");
    let e = error(&["arrivals.day_level={ dist = \"gamma\", mean = 1.0 }"]);
    assert!(e.contains("arrivals.day_level"), "{e}");
    std::fs::write(dir.join("t.csv"), "time\n5\n9\n3\n").unwrap();
    let e = error(&["arrivals.trace=t.csv"]);
    assert!(e.contains("leave out arrivals.rate_per_hour"), "{e}");
    let mut doc = base.replace("rate_per_hour = 10", "trace = \"t.csv\"");
    std::fs::write(&file, &doc).unwrap();
    let e = error(&[]);
    assert!(
        e.contains("t.csv:4:1: time = \"3\": the rows must be in time order"),
        "{e}"
    );
    for (text, wanted) in [
        (
            "time,size\n1,2\n",
            "t.csv:1:2: column \"size\": unknown column",
        ),
        ("time\n1\nnoon\n", "t.csv:3:1: time = \"noon\""),
        (
            "time,exchanges\n1,0\n",
            "t.csv:2:2: exchanges = \"0\": exchanges is a whole number >= 1",
        ),
        (
            "time,queue_patience\n1,-3\n",
            "t.csv:2:2: queue_patience = \"-3\"",
        ),
        (
            "time\n1,2\n",
            "t.csv:2:2: the row: has 2 cells, the header has 1",
        ),
        ("time\n", "t.csv:2:1: the file: has a header but no row"),
        ("queue\nmain\n", "t.csv:1:1: the header: has no time column"),
    ] {
        std::fs::write(dir.join("t.csv"), text).unwrap();
        let e = error(&[]);
        assert!(e.contains(wanted), "{text:?}: {e}");
    }
    std::fs::write(dir.join("t.csv"), "time\n1\n").unwrap();
    let e = error(&["arrivals.day_level={ dist = \"gamma\", mean = 1.0, cv = 0.1 }"]);
    assert!(e.contains("it takes no day_level"), "{e}");
    doc.push_str("[queues.x]\n");
    std::fs::write(&file, &doc).unwrap();
    assert!(error(&[]).contains("not both"));
}

/// A trace file changed after the scenario checked it (a row out of order appears): the run
/// stops with an error naming the file and the line, the same one whatever the threads (each
/// replication reports its own readers' error, in replication order).
#[test]
fn a_trace_changed_during_the_run_is_an_error_that_names_the_line() {
    let dir = scratch("days_trace_changed");
    let rows: Vec<String> = (0..200).map(|i| format!("{}", 60 + i * 30)).collect();
    write_trace(&dir, "arrivals.csv", "time", &rows);
    let text = r#"
        [run]
        horizon = "2h"
        replications = 6
        [arrivals]
        trace = "arrivals.csv"
        [staffing]
        agents = 4
        [conversation]
        agent_compose = { dist = "exponential", mean = "60s" }
        "#;
    let file = dir.join("replay.toml");
    std::fs::write(&file, text).unwrap();
    let s = scenario::load(&file, &[]).unwrap_or_else(|e| panic!("{e}"));
    // Now the file goes back in time at its 101st row.
    let mut changed = rows.clone();
    changed[100] = "10".into();
    write_trace(&dir, "arrivals.csv", "time", &changed);
    let mut messages = Vec::new();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let result = pool.install(|| ccsim::experiment::run(&s));
        let message = match result {
            Err(e) => e.to_string(),
            Ok(_) => panic!("a changed trace ran to the end"),
        };
        assert!(
            message.contains("arrivals.csv") && message.contains("103"),
            "{message}"
        );
        messages.push(message);
    }
    assert_eq!(messages[0], messages[1]);
}
