//! Forecast and staffing files: a forecast (rates or contacts) and a staffing file give exactly
//! the scenario written with per-interval lists (same resolved model, same output bytes); every
//! mistake in a file names the file, the line and the column; `ccsim staff --per-interval`
//! writes a plan.csv that `staffing.plan` reads back as the same plan.

mod common;

use std::path::{Path, PathBuf};

use ccsim::scenario::{self, Scenario};
use common::{assert_ok, ccsim, scratch};

/// A short one-queue day, 08:00 to 10:00 in four half hours; `ARRIVALS` and `STAFFING` are the
/// lines of its [arrivals] and [staffing] sections.
const ONE: &str = r#"
[run]
day_start = "08:00"
horizon = "2h"
warmup = "0s"
interval = "30m"
replications = 4
seed = 3
[arrivals]
ARRIVALS
[staffing]
STAFFING
max_concurrent_chats = 2
[conversation]
exchanges = { dist = "constant", value = 3 }
customer_think = { dist = "exponential", mean = "20s" }
agent_compose = { dist = "exponential", mean = "30s" }
[patience]
queue = { dist = "exponential", mean = "3m" }
"#;

const RATES: &str = "rate_per_hour = [60, 120, 90, 30]";
const AGENTS: &str = "agents_per_interval = [3, 4, 4, 2]";

fn one(arrivals: &str, staffing: &str) -> String {
    ONE.replace("ARRIVALS", arrivals)
        .replace("STAFFING", staffing)
}

/// Write `files` (name, text) into a fresh folder; the first is the scenario.
fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = scratch(name);
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir.join(files[0].0)
}

fn load(path: &Path, overrides: &[&str]) -> Result<Scenario, String> {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    scenario::load(path, &o).map_err(|e| e.to_string())
}

fn model_json(s: &Scenario) -> String {
    serde_json::to_string(&s.model).unwrap()
}

/// Run the binary on `scenario` into `out` and return summary.csv and intervals.csv.
fn run_outputs(scenario: &Path, out: &Path, extra: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let mut args = vec![
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(extra);
    assert_ok(&ccsim(&args, Some("1")));
    (
        std::fs::read(out.join("summary.csv")).unwrap(),
        std::fs::read(out.join("intervals.csv")).unwrap(),
    )
}

const FORECAST: &str = "start,rate_per_hour\n08:00,60\n08:30,120\n09:00,90\n09:30,30\n";
const CONTACTS: &str =
    "# half-hour volumes\nstart,contacts\n08:00,30\n08:30,60\n09:00,45\n09:30,15\n";
const STAFFING: &str = "start,agents\n08:00,3\n08:30,4\n09:00,4\n09:30,2\n";

#[test]
fn forecast_and_staffing_files_give_the_scenario_written_with_lists() {
    let lists = folder("fc_lists", &[("s.toml", &one(RATES, AGENTS))]);
    let files = folder(
        "fc_files",
        &[(
            "s.toml",
            &one(
                "forecast = \"data/forecast.csv\"",
                "plan = \"data/staffing.csv\"",
            ),
        )],
    );
    let data = files.parent().unwrap().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("forecast.csv"), FORECAST).unwrap();
    std::fs::write(data.join("staffing.csv"), STAFFING).unwrap();
    std::fs::write(data.join("contacts.csv"), CONTACTS).unwrap();

    let a = load(&lists, &[]).unwrap();
    let b = load(&files, &[]).unwrap();
    assert_eq!(b.model.queues[0].arrival_step, 1800.0);
    assert_eq!(b.model.queues[0].arrival_rates.len(), 4);
    assert_eq!(model_json(&a), model_json(&b));
    // Contacts per row are a count over the row's span: the same rates.
    let c = load(&files, &["arrivals.forecast=data/contacts.csv"]).unwrap();
    assert_eq!(model_json(&a), model_json(&c));
    // The document keeps the key as written.
    assert_eq!(
        c.document["arrivals"]["forecast"].as_str(),
        Some("data/contacts.csv")
    );

    let root = scratch("fc_out");
    let from_lists = run_outputs(&lists, &root.join("lists"), &[]);
    let from_files = run_outputs(&files, &root.join("files"), &[]);
    let from_contacts = run_outputs(
        &files,
        &root.join("contacts"),
        &["--set", "arrivals.forecast=data/contacts.csv"],
    );
    assert_eq!(from_lists, from_files, "summary.csv / intervals.csv differ");
    assert_eq!(from_lists, from_contacts, "contacts give other outputs");
    // run.json keeps the key as written and holds the resulting rates and plan.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("files/run.json")).unwrap()).unwrap();
    assert_eq!(
        json.pointer("/scenario/document/staffing/plan"),
        Some(&serde_json::json!("data/staffing.csv"))
    );
    assert_eq!(
        json.pointer("/scenario/resolved/model/groups/0/staffing/per_step/agents"),
        Some(&serde_json::json!([3, 4, 4, 2]))
    );
}

#[test]
fn rows_off_the_interval_grid_make_a_finer_step_and_rows_may_hold_several_intervals() {
    // Rows at 08:00, 08:15 and 09:00: the grid is 15 minutes, the profile exact on it.
    let s = folder(
        "fc_grid",
        &[
            ("s.toml", &one("forecast = \"f.csv\"", "plan = \"p.csv\"")),
            (
                "f.csv",
                "start,rate_per_hour\n07:30,10\n08:00,40\n08:15,80\n09:00,20\n",
            ),
            ("p.csv", "start,agents\n08:00,5\n09:00,3\n"),
        ],
    );
    let s = load(&s, &[]).unwrap();
    let q = &s.model.queues[0];
    assert_eq!(q.arrival_step, 900.0);
    let per_hour: Vec<f64> = q.arrival_rates.iter().map(|r| r * 3600.0).collect();
    assert_eq!(
        per_hour,
        vec![40.0, 80.0, 80.0, 80.0, 20.0, 20.0, 20.0, 20.0]
    );
    // Hourly staffing rows still lie on the 30-minute reporting grid.
    let agents: Vec<u32> = (0..4)
        .map(|i| s.model.staffing_at(i as f64 * 1800.0))
        .collect();
    assert_eq!(agents, vec![5, 5, 3, 3]);
}

#[test]
fn a_run_past_midnight_counts_the_hours_on() {
    let text = one("forecast = \"f.csv\"", "agents = 3")
        .replace("day_start = \"08:00\"", "day_start = \"23:00\"");
    let s = folder(
        "fc_midnight",
        &[
            ("s.toml", &text),
            ("f.csv", "start,contacts\n23:00,10\n24:00,20\n24:30:00,5\n"),
        ],
    );
    let s = load(&s, &[]).unwrap();
    let per_hour: Vec<f64> = s.model.queues[0]
        .arrival_rates
        .iter()
        .map(|r| r * 3600.0)
        .collect();
    // 10 over the hour 23:00-24:00, 20 over 24:00-24:30, 5 over the last 30 minutes.
    assert_eq!(per_hour, vec![10.0, 10.0, 40.0, 10.0]);
}

/// A two-queue center: one forecast file with a queue column shared by both queues, and a
/// plan file for one group; equal to the same center written with lists.
#[test]
fn a_center_shares_one_forecast_by_its_queue_column() {
    let center = |billing: &str, tech: &str, group: &str| {
        format!(
            r#"
[run]
day_start = "08:00"
horizon = "2h"
interval = "30m"
replications = 3
[conversation]
agent_compose = {{ dist = "exponential", mean = "30s" }}
[queues.billing]
{billing}
served_by = [ {{ groups = ["desk"] }} ]
[queues.tech]
{tech}
served_by = [ {{ groups = ["desk"] }}, {{ groups = ["backup"], after = "30s" }} ]
[groups.desk]
{group}
max_concurrent_chats = 2
[groups.backup]
agents = 1
"#
        )
    };
    let lists = folder(
        "fc_center_lists",
        &[(
            "c.toml",
            &center(
                "rate_per_hour = [20, 40, 40, 10]",
                "rate_per_hour = [5, 5, 15, 15]",
                "agents_per_interval = [2, 3, 3, 1]",
            ),
        )],
    );
    let shared = "start,queue,contacts\n08:00,billing,10\n08:00,tech,5\n08:30,billing,40\n\
                  09:00,tech,15\n09:30,billing,5\n";
    let files = folder(
        "fc_center_files",
        &[
            (
                "c.toml",
                &center(
                    "forecast = \"demand.csv\"",
                    "forecast = \"demand.csv\"",
                    "plan = \"desk.csv\"",
                ),
            ),
            ("demand.csv", shared),
            ("desk.csv", "start,agents\n08:00,2\n08:30,3\n09:30,1\n"),
        ],
    );
    let a = load(&lists, &[]).unwrap();
    let b = load(&files, &[]).unwrap();
    assert_eq!(model_json(&a), model_json(&b));
    let root = scratch("fc_center_out");
    assert_eq!(
        run_outputs(&lists, &root.join("a"), &[]),
        run_outputs(&files, &root.join("b"), &[])
    );
    // A queue column naming a queue the center lacks is an error at its cell.
    std::fs::write(
        files.parent().unwrap().join("demand.csv"),
        format!("{shared}10:00,sales,3\n"),
    )
    .unwrap();
    let e = load(&files, &[]).unwrap_err();
    assert!(
        e.contains("demand.csv:7:2: queue = \"sales\": no such queue in the scenario")
            && e.contains("\"billing\", \"tech\""),
        "{e}"
    );
    // A file for one queue alone needs no queue column; a queue with no row is an error.
    std::fs::write(
        files.parent().unwrap().join("demand.csv"),
        "start,queue,rate_per_hour\n08:00,billing,10\n",
    )
    .unwrap();
    let e = load(&files, &[]).unwrap_err();
    assert!(e.contains("no row is for queue \"tech\""), "{e}");
}

#[test]
fn every_mistake_in_a_file_names_the_file_the_line_and_the_column() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("", "f.csv:1:1", &["is empty"]),
        ("start,rate_per_hour\n", "f.csv:2:1", &["header but no row"]),
        ("rate_per_hour\n60\n", "f.csv:1:1", &["no start column"]),
        (
            "start\n08:00\n",
            "f.csv:1:2",
            &["needs a value column: rate_per_hour or contacts"],
        ),
        (
            "start,rate_per_hour,contacts\n08:00,1,2\n",
            "f.csv:1:3",
            &["not both"],
        ),
        (
            "start,rate,x\n08:00,1\n",
            "f.csv:1:2",
            &[
                "column \"rate\"",
                "unknown column",
                "start, queue, rate_per_hour, contacts",
            ],
        ),
        (
            "start,start,rate_per_hour\n",
            "f.csv:1:2",
            &["appears twice"],
        ),
        (
            "start,rate_per_hour\n08:00,60\n08:30,60,7\n",
            "f.csv:3:3",
            &["has 3 cells, the header has 2"],
        ),
        (
            "start,rate_per_hour\n08:00,60\n08:30\n",
            "f.csv:3:2",
            &["has 1 cells"],
        ),
        (
            "start,rate_per_hour\n08:00,60\n8h30,60\n",
            "f.csv:3:1",
            &["start = \"8h30\"", "as a clock time"],
        ),
        (
            "start,rate_per_hour\n08:00,60\n09:00,60\n08:30,60\n",
            "f.csv:4:1",
            &["must increase", "line 3", "09:00"],
        ),
        (
            "start,rate_per_hour\n08:00,60\n08:00,60\n",
            "f.csv:3:1",
            &["must increase"],
        ),
        (
            "start,rate_per_hour\n08:30,60\n",
            "f.csv:2:1",
            &["at or before the run's start", "08:00"],
        ),
        (
            "start,rate_per_hour\n08:00,lots\n",
            "f.csv:2:2",
            &["rate_per_hour = \"lots\"", "not a number"],
        ),
        (
            "start,rate_per_hour\n08:00,-5\n",
            "f.csv:2:2",
            &["out of range"],
        ),
        (
            "start,contacts\n08:00,nan\n",
            "f.csv:2:2",
            &["not a number"],
        ),
        (
            "start,queue,rate_per_hour\n08:00,tech,5\n",
            "f.csv:2:2",
            &["queue = \"tech\"", "no such queue", "\"main\""],
        ),
        (
            "start,rate_per_hour\n08:00,1\n08:00:01,2\n",
            "f.csv:3:1",
            &["grid of 1 s", "at most 20000"],
        ),
    ];
    for (text, at, parts) in cases {
        let s = folder(
            "fc_errors",
            &[
                ("s.toml", &one("forecast = \"f.csv\"", "agents = 3")),
                ("f.csv", text),
            ],
        );
        // A horizon long enough that a 1 s grid is too fine.
        let e = load(&s, &["run.horizon=6h", "run.interval=1h"]).unwrap_err();
        assert!(e.contains(at), "{text:?}: {at:?} not in: {e}");
        assert!(
            e.contains("arrivals.forecast of"),
            "{text:?}: no key in: {e}"
        );
        for part in *parts {
            assert!(e.contains(part), "{text:?}: {part:?} not in: {e}");
        }
    }
    let plan_cases: &[(&str, &str, &[&str])] = &[
        ("start,agents\n08:00,-1\n", "p.csv:2:2", &["between 0 and"]),
        (
            "start,agents\n08:00,2.5\n",
            "p.csv:2:2",
            &["agents = \"2.5\"", "whole number"],
        ),
        ("start,agents\n08:00,many\n", "p.csv:2:2", &["not a number"]),
        (
            "start,rate_per_hour\n08:00,3\n",
            "p.csv:1:2",
            &["unknown column", "start, agents"],
        ),
        (
            "start\n08:00\n",
            "p.csv:1:2",
            &["needs a value column: agents"],
        ),
    ];
    for (text, at, parts) in plan_cases {
        let s = folder(
            "fc_plan_errors",
            &[("s.toml", &one(RATES, "plan = \"p.csv\"")), ("p.csv", text)],
        );
        let e = load(&s, &[]).unwrap_err();
        assert!(
            e.contains(at) && e.contains("staffing.plan of"),
            "{text:?}: {e}"
        );
        for part in *parts {
            assert!(e.contains(part), "{text:?}: {part:?} not in: {e}");
        }
    }
}

#[test]
fn keys_that_exclude_each_other_and_missing_files_are_errors() {
    let s = folder(
        "fc_keys",
        &[
            (
                "s.toml",
                &one(&format!("{RATES}\nforecast = \"f.csv\""), AGENTS),
            ),
            ("f.csv", FORECAST),
            ("p.csv", STAFFING),
        ],
    );
    let e = load(&s, &[]).unwrap_err();
    assert!(
        e.contains("arrivals.forecast = \"f.csv\"")
            && e.contains("either arrivals.rate_per_hour or arrivals.forecast, not both"),
        "{e}"
    );
    // --set of one form replaces the other (and a list's step).
    let ok = load(&s, &["arrivals.forecast=f.csv", "staffing.plan=p.csv"]).unwrap();
    assert_eq!(ok.model.staffing_at(3600.0), 4);
    let text = one(
        "forecast = \"f.csv\"\nstep = \"15m\"",
        "plan = \"p.csv\"\nagents = 3",
    );
    std::fs::write(&s, text).unwrap();
    let e = load(&s, &[]).unwrap_err();
    assert!(
        e.contains("staffing.plan = \"p.csv\"") && e.contains("not more"),
        "{e}"
    );
    let e = load(&s, &["staffing.agents=3"]).unwrap_err();
    assert!(
        e.contains("arrivals.step") && e.contains("sets its own steps"),
        "{e}"
    );
    let e = load(&s, &["arrivals.forecast=missing.csv", "staffing.agents=3"]).unwrap_err();
    let resolved = s.parent().unwrap().join("missing.csv");
    assert!(
        e.contains("arrivals.forecast = \"missing.csv\": cannot read")
            && e.contains(&resolved.display().to_string()),
        "{e}"
    );
    // A group's plan excludes its other forms.
    let e = scenario::parse(
        "[run]\nhorizon = \"1h\"\n[conversation]\nagent_compose = { dist = \"constant\", value = 5 }\n\
         [queues.q]\nrate_per_hour = 5\nserved_by = [{ groups = [\"g\"] }]\n\
         [groups.g]\nagents = 2\nplan = \"p.csv\"\n",
        Path::new("c.toml"),
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("groups.g") && e.contains("plan (a CSV file)"),
        "{e}"
    );
}

/// `ccsim staff --per-interval` writes plan.csv; running the scenario with
/// `--set staffing.plan=plan.csv` gives the very plan of the staffed run.
#[test]
fn the_plan_a_per_interval_search_writes_reads_back_as_the_same_plan() {
    let s = folder("fc_staff", &[("s.toml", &one(RATES, "agents = 4"))]);
    let dir = s.parent().unwrap();
    let out = dir.join("staff");
    assert_ok(&ccsim(
        &[
            "staff",
            s.to_str().unwrap(),
            "--per-interval",
            "--target",
            "service_level>=0.8",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
        Some("1"),
    ));
    let plan = std::fs::read_to_string(out.join("plan.csv")).unwrap();
    assert!(plan.starts_with("start,agents\n08:00,"), "{plan}");
    assert_eq!(plan.lines().count(), 5, "{plan}");
    let rerun = dir.join("rerun");
    let plan_path = out.join("plan.csv");
    let set = format!("staffing.plan={}", plan_path.display());
    run_outputs(&s, &rerun, &["--set", &set]);
    let staffing = |run: &Path| -> serde_json::Value {
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(run.join("run.json")).unwrap()).unwrap();
        json.pointer("/scenario/resolved/model/groups/0/staffing")
            .unwrap()
            .clone()
    };
    assert_eq!(staffing(&out), staffing(&rerun));
    // The plan's agents are staffing.csv's.
    let agents: Vec<String> = plan.lines().skip(1).map(|l| l[6..].to_string()).collect();
    let table = std::fs::read_to_string(out.join("staffing.csv")).unwrap();
    let column = table
        .lines()
        .next()
        .unwrap()
        .split(',')
        .position(|c| c == "agents")
        .unwrap();
    let from_table: Vec<String> = table
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(column).unwrap().to_string())
        .collect();
    assert_eq!(agents, from_table);
    // staffed.toml names data files by absolute paths, so it runs from the staff folder.
    let with_files = one("forecast = \"f.csv\"", "agents = 4");
    std::fs::write(&s, with_files).unwrap();
    std::fs::write(dir.join("f.csv"), FORECAST).unwrap();
    let out2 = dir.join("staff2");
    assert_ok(&ccsim(
        &[
            "staff",
            s.to_str().unwrap(),
            "--per-interval",
            "--target",
            "service_level>=0.8",
            "--out",
            out2.to_str().unwrap(),
            "-q",
        ],
        Some("1"),
    ));
    let staffed = out2.join("staffed.toml");
    assert!(
        load(&staffed, &[]).is_ok(),
        "{:?}",
        load(&staffed, &[]).err()
    );
}

/// A run of two days read from dated rows: the first row's date is the run's first day, and
/// the days follow the calendar (here across the end of February of a leap year).
#[test]
fn dated_rows_make_a_run_of_several_days() {
    let text = one("forecast = \"f.csv\"", "agents = 3")
        .replace("horizon = \"2h\"", "horizon = \"25h\"")
        .replace("interval = \"30m\"", "interval = \"1h\"");
    let s = folder(
        "fc_dated",
        &[
            ("s.toml", &text),
            (
                "f.csv",
                "start,rate_per_hour\n2024-02-28 08:00,10\n2024-02-28 20:00,0\n\
                 2024-02-29T08:00,30\n2024-02-29 08:30:00,40\n",
            ),
        ],
    );
    let s2 = load(&s, &[]).unwrap();
    let q = &s2.model.queues[0];
    assert_eq!(q.arrival_step, 1800.0);
    let at = |hours: f64| q.arrival_rates[(hours * 2.0) as usize] * 3600.0;
    assert_eq!(
        (at(0.0), at(11.5), at(12.0), at(23.5), at(24.0), at(24.5)),
        (10.0, 10.0, 0.0, 0.0, 30.0, 40.0)
    );
    // Clock times and dates do not mix; a date that does not exist is an error at its cell.
    for (rows, expected) in [
        (
            "2024-02-28 08:00,10\n09:00,5\n",
            "f.csv:3:1: start = \"09:00\": the first row's start is a date",
        ),
        (
            "08:00,10\n2024-02-28 09:00,5\n",
            "f.csv:3:1: start = \"2024-02-28 09:00\": the first row's start is a clock time",
        ),
        (
            "2023-02-29 08:00,10\n",
            "f.csv:2:1: start = \"2023-02-29 08:00\": cannot read",
        ),
    ] {
        std::fs::write(
            s.parent().unwrap().join("f.csv"),
            format!("start,rate_per_hour\n{rows}"),
        )
        .unwrap();
        let e = load(&s, &[]).unwrap_err();
        assert!(e.contains(expected), "{expected:?} not in: {e}");
    }
}

/// The bundled example: its per-interval offered counts, over 200 replications, match the
/// forecast file's contacts (each within its 99.9% interval, and in total within 1%).
#[test]
fn the_bundled_forecast_day_offers_its_forecast() {
    let out = scratch("fc_bundled");
    let scenario = common::bundled("forecast_day.toml");
    assert_ok(&ccsim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--reps",
            "200",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
        None,
    ));
    let forecast =
        std::fs::read_to_string(scenario.parent().unwrap().join("forecast_day/forecast.csv"))
            .unwrap();
    let contacts: Vec<f64> = forecast
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("start"))
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(contacts.len(), 24);
    let intervals = std::fs::read_to_string(out.join("intervals.csv")).unwrap();
    let offered: Vec<(f64, f64)> = intervals
        .lines()
        .filter(|l| l.split(',').nth(3) == Some("offered"))
        .map(|l| {
            let c: Vec<f64> = l.split(',').skip(4).map(|x| x.parse().unwrap()).collect();
            (c[0], c[3] / 200f64.sqrt())
        })
        .collect();
    assert_eq!(offered.len(), 24);
    for (i, ((mean, se), expected)) in offered.iter().zip(&contacts).enumerate() {
        assert!(
            (mean - expected).abs() <= 3.3 * se,
            "interval {i}: offered {mean} vs forecast {expected} (se {se})"
        );
    }
    let total: f64 = offered.iter().map(|o| o.0).sum();
    let expected: f64 = contacts.iter().sum();
    assert!(
        (total / expected - 1.0).abs() < 0.01,
        "{total} vs {expected}"
    );
}

/// A real profile: the bundled three weekdays of a bank's calls (half-hour counts of a public
/// data set) replayed through a dated forecast file over a 62-hour run. Every replication's
/// per-interval offered counts are Poisson around the profile's: the nights offer nothing, and
/// over the open half hours the chi-square statistic Σ (x − c)² / c of every replication and
/// interval lies within its 99.9% range (df ± 3.3·√(2·df)); the total is within 1%.
#[test]
fn the_bundled_bank_days_offer_the_public_profile() {
    let path = common::bundled("bank_calls.toml");
    let s = load(&path, &["run.replications=4"]).unwrap();
    let reps = common::run(&s);
    let csv =
        std::fs::read_to_string(path.parent().unwrap().join("bank_calls/forecast.csv")).unwrap();
    // (day, minutes from midnight) -> contacts of the half hour starting there.
    let mut profile = std::collections::HashMap::new();
    let mut first_day = None;
    for line in csv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("start"))
    {
        let (start, count) = line.split_once(',').unwrap();
        let (date, clock) = start.split_once(' ').unwrap();
        let day: u32 = date[8..].parse().unwrap();
        let first = *first_day.get_or_insert(day);
        let (h, m) = clock.split_once(':').unwrap();
        let minutes = h.parse::<u32>().unwrap() * 60 + m.parse::<u32>().unwrap();
        profile.insert((day - first, minutes), count.parse::<f64>().unwrap());
    }
    let offered = ccsim::stats::Kpi::Offered.index();
    let (mut chi2, mut df, mut total, mut expected_total) = (0.0, 0.0f64, 0.0, 0.0);
    for r in &reps {
        assert_eq!(r.intervals.len(), 124, "62 h of half hours");
        for (i, values) in r.intervals.iter().enumerate() {
            let clock = 7 * 60 + 30 * i as u32;
            let (day, minutes) = (clock / (24 * 60), clock % (24 * 60));
            let expected = if (7 * 60..21 * 60).contains(&minutes) {
                profile[&(day, minutes)]
            } else {
                0.0
            };
            let x = values[offered];
            total += x;
            expected_total += expected;
            if expected == 0.0 {
                assert_eq!(x, 0.0, "a closed half hour offered {x} (interval {i})");
            } else {
                chi2 += (x - expected).powi(2) / expected;
                df += 1.0;
            }
        }
    }
    assert_eq!(
        df,
        4.0 * 84.0,
        "three days of 28 open half hours, four replications"
    );
    let half_range = 3.3 * (2.0 * df).sqrt();
    eprintln!("chi-square {chi2:.1} for {df} degrees of freedom (99.9% range ±{half_range:.1})");
    assert!(
        (chi2 - df).abs() <= half_range,
        "chi-square {chi2} for {df} degrees of freedom"
    );
    assert!(
        (total / expected_total - 1.0).abs() < 0.01,
        "{total} vs {expected_total}"
    );
}
