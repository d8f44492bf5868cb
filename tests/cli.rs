//! The `ccsim` binary end to end: output files, reproducibility to the bit whatever the number
//! of threads, `--set` overrides, and clear errors (file, key, value, rule) that exit non-zero
//! without a panic and without touching earlier results.

mod common;

use std::path::Path;
use std::process::Output;

use common::{ccsim, scratch};

const FILES: [&str; 7] = [
    "summary.csv",
    "intervals.csv",
    "replications.csv",
    "segments.csv",
    "segment_intervals.csv",
    "segment_replications.csv",
    "run.json",
];

fn scenario_path() -> std::path::PathBuf {
    common::bundled("basic_chat.toml")
}

/// `ccsim run` on the bundled basic chat desk with `reps` replications into `out`.
fn run_basic(reps: &str, out: &Path, extra: &[&str], threads: Option<&str>) -> Output {
    let scenario = scenario_path();
    let mut args = vec!["run", scenario.to_str().unwrap(), "--reps", reps];
    args.extend(["--out", out.to_str().unwrap()]);
    args.extend(extra);
    ccsim(&args, threads)
}

fn read_all(dir: &Path) -> Vec<Vec<u8>> {
    FILES
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect()
}

#[test]
fn same_seed_gives_identical_files_whatever_the_thread_count() {
    let dir = scratch("repro");
    let mut outputs = Vec::new();
    for (name, threads) in [("t1", "1"), ("t2", "2"), ("t5", "5")] {
        let out = dir.join(name);
        let o = run_basic("6", &out, &["-q"], Some(threads));
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        outputs.push(read_all(&out));
    }
    assert_eq!(outputs[0], outputs[1], "1 vs 2 threads");
    assert_eq!(outputs[0], outputs[2], "1 vs 5 threads");

    // A different seed gives different customers.
    let other = dir.join("seed");
    let o = run_basic("6", &other, &["--seed", "7", "-q"], None);
    assert!(o.status.success());
    assert_ne!(read_all(&other)[0], outputs[0][0]);
}

#[test]
fn run_writes_every_file_with_the_documented_columns() {
    let out = scratch("columns");
    let o = run_basic("3", &out, &[], None);
    assert!(o.status.success());
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(stdout.contains("service_level") && stdout.contains("95% interval"));

    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut lines = summary.lines();
    assert_eq!(
        lines.next(),
        Some("kpi,mean,ci95_low,ci95_high,std,replications")
    );
    let kpis: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    for required in [
        "offered",
        "answered",
        "abandoned_queue",
        "abandoned_short",
        "abandoned_chat",
        "abandon_rate",
        "p_wait",
        "service_level",
        "asa",
        "wait_mean",
        "wait_p90",
        "first_response_mean",
        "response_mean",
        "response_p50",
        "response_p90",
        "response_p95",
        "response_p99",
        "responses_yellow_share",
        "responses_red_share",
        "time_yellow_mean",
        "time_red_mean",
        "handle_time_mean",
        "wrapup_mean",
        "occupancy",
        "slot_utilisation",
        "concurrency_mean",
    ] {
        assert!(kpis.contains(&required), "summary.csv lacks {required}");
    }

    let intervals = std::fs::read_to_string(out.join("intervals.csv")).unwrap();
    assert!(
        intervals.starts_with("interval,start,end,kpi,mean,ci95_low,ci95_high,std,replications\n")
    );
    // 8 h horizon after a 30 min warm-up: 16 half-hour intervals, 00:30 to 08:30.
    assert!(intervals.contains("\n0,00:30,01:00,offered,"));
    assert!(intervals.contains("\n15,08:00,08:30,offered,"));
    assert!(!intervals.contains("\n16,"));

    let reps = std::fs::read_to_string(out.join("replications.csv")).unwrap();
    assert!(reps.starts_with("replication,kpi,value\n0,offered,"));
    assert!(reps.contains("\n2,offered,"));

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(json["schema_version"], 2);
    assert_eq!(json["ccsim_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["seed"], 2026);
    assert_eq!(json["scenario"]["document"]["staffing"]["agents"], 12);
    assert!(json["kpis"].as_array().unwrap().len() >= 26);
}

#[test]
fn set_overrides_any_key_and_is_recorded() {
    let out = scratch("set");
    let o = run_basic(
        "2",
        &out,
        &[
            "-q",
            "--set",
            "staffing.agents=14",
            "--set",
            "indicator.red=90s",
        ],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(json["scenario"]["document"]["staffing"]["agents"], 14);
    assert_eq!(json["scenario"]["document"]["indicator"]["red"], "90s");
    assert_eq!(json["replications"], 2);
}

/// Run a scenario that must be rejected; return stderr after checking exit code and no panic.
fn rejected(args: &[&str]) -> String {
    let o = ccsim(args, None);
    let stderr = String::from_utf8(o.stderr).unwrap();
    assert!(!o.status.success(), "accepted: {args:?}");
    assert_eq!(o.status.code(), Some(1));
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn mistakes_are_clear_errors_that_leave_earlier_results_intact() {
    let dir = scratch("errors");
    let out = dir.join("out");
    let good = run_basic("2", &out, &["-q"], None);
    assert!(good.status.success());
    let before = read_all(&out);

    let base = std::fs::read_to_string(scenario_path()).unwrap();
    let cases: [(&str, String, &[&str]); 7] = [
        (
            "unknown_key",
            base.replace("agents = 12", "agnets = 12"),
            &["staffing.agnets", "unknown field"],
        ),
        (
            "negative_mean",
            base.replace("mean = \"25s\"", "mean = \"-25s\""),
            &["conversation.agent_compose.mean", "-25s", "must be > 0"],
        ),
        (
            "cv_zero",
            base.replace("mean = \"25s\", cv = 0.8", "mean = \"25s\", cv = 0"),
            &[
                "conversation.agent_compose.cv",
                "= 0",
                "0.0001 <= cv <= 100",
            ],
        ),
        (
            "short_list",
            base.replace("40, 40, 40, 40, 40, 40]", "40]"),
            &[
                "arrivals.rate_per_hour",
                "12 entries",
                "17 intervals of 30m",
            ],
        ),
        (
            "red_below_yellow",
            base.replace("red = \"60s\"", "red = \"20s\""),
            &["indicator.red", "20s", "at least indicator.yellow"],
        ),
        (
            "not_toml",
            "name = \"x\"\n[run\nhorizon = 1".into(),
            &["not a valid TOML file", "line 2"],
        ),
        (
            "bad_duration",
            base.replace("horizon = \"8h\"", "horizon = \"8 hours\""),
            &["run.horizon", "8 hours", "\"45s\""],
        ),
    ];
    for (name, text, expected) in cases {
        let file = dir.join(format!("{name}.toml"));
        std::fs::write(&file, text).unwrap();
        let stderr = rejected(&[
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(
            stderr.contains(file.to_str().unwrap()),
            "{name}: file not named: {stderr}"
        );
        for e in expected {
            assert!(stderr.contains(e), "{name}: {e:?} not in {stderr}");
        }
    }
    let missing = rejected(&["run", "no/such/file.toml"]);
    assert!(missing.contains("no/such/file.toml") && missing.contains("cannot read"));
    let bad_set = rejected(&[
        "run",
        scenario_path().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--set",
        "staffing.agents=many",
    ]);
    assert!(bad_set.contains("staffing.agents") && bad_set.contains("expected an integer"));
    let bad_form = rejected(&[
        "run",
        scenario_path().to_str().unwrap(),
        "--set",
        "staffing.agents",
    ]);
    assert!(bad_form.contains("KEY=VALUE"));

    assert_eq!(
        read_all(&out),
        before,
        "a failed run changed earlier results"
    );
}

#[test]
fn the_readme_documents_every_kpi_and_every_scenario_key() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for kpi in ccsim::stats::Kpi::ALL {
        assert!(
            readme.contains(&format!("`{}`", kpi.name())),
            "README lacks KPI {}",
            kpi.name()
        );
    }
    for key in [
        "name",
        "description",
        "run.horizon",
        "run.warmup",
        "run.interval",
        "run.replications",
        "run.seed",
        "run.drain",
        "arrivals.rate_per_hour",
        "staffing.agents",
        "staffing.agents_per_interval",
        "staffing.max_concurrent_chats",
        "staffing.routing",
        "staffing.attention",
        "conversation.exchanges",
        "conversation.customer_think",
        "conversation.agent_compose",
        "conversation.concurrency_slowdown",
        "conversation.accept_delay",
        "patience.queue",
        "patience.reply",
        "indicator.yellow",
        "indicator.red",
        "indicator.basis",
        "wrapup.time",
        "wrapup.dispositions.CODE",
        "wrapup.dispositions.required",
        "wrapup.dispositions.missing",
        "rating.ask",
        "rating.answer",
        "rating.base",
        "rating.per_red_response",
        "kpi.service_level_threshold",
        "kpi.short_abandon",
        "run.day_start",
        "run.max_events",
        "offer.alert_timeout",
        "offer.not_responding_pause",
        "routing.agent",
        "routing.attention",
        "queues.NAME.rate_per_hour",
        "queues.NAME.step",
        "queues.NAME.channel",
        "queues.NAME.priority",
        "queues.NAME.served_by",
        "groups.NAME.agents",
        "groups.NAME.agents_per_interval",
        "groups.NAME.step",
        "groups.NAME.shifts",
        "groups.NAME.max_concurrent_chats",
        "groups.NAME.absenteeism",
    ] {
        assert!(
            readme.contains(&format!("| `{key}` |")),
            "README lacks scenario key {key}"
        );
    }
}

#[test]
fn confidence_intervals_stay_within_what_each_kpi_can_take() {
    // Two replications (t = 12.7) of a well-staffed desk: the raw Student-t intervals of small
    // shares and counts per interval reach far below 0; the written ones stop at 0 (and at 1).
    let out = scratch("cli-clipped");
    let o = run_basic("2", &out, &["--set", "staffing.agents=16", "-q"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(out.join("intervals.csv")).unwrap();
    let (mut clipped_low, mut clipped_high) = (0, 0);
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let kpi = ccsim::stats::Kpi::by_name(f[3]).unwrap();
        let (Ok(mean), Ok(low), Ok(high)) = (
            f[4].parse::<f64>(),
            f[5].parse::<f64>(),
            f[6].parse::<f64>(),
        ) else {
            continue;
        };
        let (min, max) = kpi.range();
        assert!(
            min <= low && low <= mean && mean <= high && high <= max,
            "{line}"
        );
        if low == 0.0 && mean > 0.0 {
            clipped_low += 1;
        }
        if high == 1.0 && mean < 1.0 && kpi.unit() == "ratio" {
            clipped_high += 1;
        }
    }
    // The check above would pass on nothing: some intervals must actually have been clipped.
    assert!(
        clipped_low > 10 && clipped_high > 0,
        "{clipped_low} {clipped_high}"
    );
}

/// The `<li>` texts of the warnings section of a report page, unescaped.
fn page_warnings(page: &Path) -> Vec<String> {
    let html = std::fs::read_to_string(page).unwrap();
    let section = &html[html.find("<section id=\"warnings\">").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    section
        .split("<li>")
        .skip(1)
        .map(|li| {
            li[..li.find("</li>").unwrap()]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&")
        })
        .collect()
}

#[test]
fn the_terminal_shows_the_warnings_of_the_report() {
    // No agent in the first measured interval, two replications: an unstaffed interval and
    // wide intervals; with one replication, the single-replication warning.
    let out = scratch("cli-warnings");
    let plan = "staffing.agents_per_interval=[12,0,12,12,12,12,12,12,12,12,12,12,12,12,12,12,4]";
    let o = run_basic("2", &out, &["--set", plan, "--plots"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    let terminal: Vec<String> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("warning: "))
        .map(String::from)
        .collect();
    let page = page_warnings(&out.join("report.html"));
    assert_eq!(terminal, page);
    assert!(
        terminal[0].starts_with("Interval 0 (00:30–01:00): no agent on shift while"),
        "{terminal:?}"
    );
    assert!(
        terminal.iter().any(|w| w.contains("too wide")),
        "{terminal:?}"
    );
    // One replication; and -q prints none.
    let one = scratch("cli-warnings-one");
    let o = run_basic("1", &one, &["--plots"], None);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("warning: One replication"), "{stderr}");
    assert_eq!(
        stderr
            .lines()
            .filter_map(|l| l.strip_prefix("warning: "))
            .collect::<Vec<_>>(),
        page_warnings(&one.join("report.html"))
    );
    let o = run_basic("1", &one, &["-q"], None);
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // A sweep names the point each warning is about.
    let sweep = scratch("cli-warnings-sweep");
    let scenario = scenario_path();
    let o = ccsim(
        &[
            "sweep",
            scenario.to_str().unwrap(),
            "--vary",
            "staffing.agents=2,12",
            "--reps",
            "3",
            "--out",
            sweep.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(
            "warning: point 0 (staffing.agents=2): Interval 0 (00:30–01:00): offered load"
        ),
        "{stderr}"
    );
}

#[test]
fn work_above_the_guard_is_refused_with_the_estimate() {
    let dir = scratch("cli-guard");
    let out = dir.join("never");
    // About 640 contacts per replication × 10^7 replications: 6.4e9 contacts (under 1e10),
    // but 16 intervals × 10^7 = 1.6e8 interval-replications (above 1e7).
    let o = run_basic("10000000", &out, &[], None);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("about 1.60e8 interval-replications") && stderr.contains("limit of 1e7"),
        "{stderr}"
    );
    assert!(stderr.contains("--yes"), "{stderr}");
    // A million chats an hour for 20,000 hours: 2e10 contacts in one replication.
    let o = run_basic(
        "1",
        &out,
        &[
            "--set",
            "arrivals.rate_per_hour=1000000",
            "--set",
            "run.horizon=20000h",
            "--set",
            "run.interval=20000h",
        ],
        None,
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("about 2.00e10 contacts") && stderr.contains("limit of 1e10"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing written");
    // Sweeps count every point, staffing searches every level they may run.
    let scenario = scenario_path();
    let s = scenario.to_str().unwrap();
    let o = ccsim(
        &[
            "sweep",
            s,
            "--vary",
            "staffing.agents=1..100",
            "--reps",
            "10000",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("interval-replications"));
    let o = ccsim(
        &[
            "staff",
            s,
            "--target",
            "service_level>=0.8",
            "--max-reps",
            "1000000",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("above the limit"));
    assert!(!out.exists(), "nothing written");
}

#[test]
fn threads_are_capped_at_the_cores_and_progress_lines_go_to_logs() {
    let dir = scratch("cli-progress");
    let cores = std::thread::available_parallelism().unwrap().get();
    let many = (cores + 1).to_string();
    let o = run_basic("4", &dir.join("a"), &["--threads", &many], None);
    assert!(o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(&format!(
            "note: --threads {many} is more than the {cores} cores"
        )),
        "{stderr}"
    );
    // stderr is a pipe here: auto means plain lines (every 0 s with the variable set).
    let progress = |extra: &[&str]| {
        let scenario = scenario_path();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ccsim"));
        cmd.args(["run", scenario.to_str().unwrap(), "--reps", "30", "--out"])
            .arg(dir.join("b"))
            .args(extra)
            .env("CCSIM_PROGRESS_SECONDS", "0");
        let o = cmd.output().unwrap();
        assert!(o.status.success());
        String::from_utf8_lossy(&o.stderr)
            .lines()
            .filter(|l| l.starts_with("progress: "))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let lines = progress(&[]);
    assert!(!lines.is_empty());
    assert!(
        lines
            .iter()
            .all(|l| l.contains("/30 replications") && l.contains("replications/s")),
        "{lines:?}"
    );
    assert!(!progress(&["--progress", "plain"]).is_empty());
    assert!(progress(&["--progress", "none"]).is_empty());
    assert!(
        progress(&["--progress", "bar"]).is_empty(),
        "no bar drawn into a pipe"
    );
    assert!(progress(&["-q"]).is_empty());
}

#[test]
fn a_conversation_that_cannot_end_hits_the_event_cap() {
    // A mean of 10^9 exchanges with patient customers and no drain limit would run for days:
    // the event cap stops it with an error that says what to do, and no result is written.
    let out = scratch("event-cap");
    let o = ccsim(
        &[
            "run",
            scenario_path().to_str().unwrap(),
            "--reps",
            "2",
            "--set",
            "conversation.exchanges={ dist = \"geometric\", mean = 1e9 }",
            "--set",
            "run.max_events=200000",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("stopped after 200001 events") && stderr.contains("run.max_events"),
        "{stderr}"
    );
    assert!(!out.join("summary.csv").exists());
}

#[test]
fn staff_on_a_multi_group_center_without_group_says_which_groups() {
    let scenario = common::bundled("two_lines.toml");
    let o = ccsim(
        &[
            "staff",
            scenario.to_str().unwrap(),
            "--target",
            "service_level>=0.8",
            "--out",
            scratch("staff-multi").to_str().unwrap(),
        ],
        None,
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    // The search staffs one group (tests/staff.rs): without --group, the error lists them.
    assert!(
        stderr.contains("has 2 agent groups (billing, generalists): give --group NAME"),
        "{stderr}"
    );
}

/// The cells of table `id` of a report page that carry a value: (segment, kpi, data-value),
/// the center's column with an empty segment.
fn table_cells(html: &str, id: &str) -> Vec<(String, String, String)> {
    let Some(at) = html.find(&format!("<table id=\"{id}\"")) else {
        return Vec::new();
    };
    let table = &html[at..];
    let table = &table[..table.find("</table>").unwrap()];
    let attr = |cell: &str, name: &str| {
        let from = cell.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        cell[from..from + cell[from..].find('"').unwrap()].to_string()
    };
    table
        .split("<td ")
        .filter(|c| c.contains("data-segment="))
        .map(|c| {
            (
                attr(c, "data-segment"),
                attr(c, "data-kpi"),
                attr(c, "data-value"),
            )
        })
        .collect()
}

/// `(scope, segment, kpi) -> mean` of a `segments.csv`, and `kpi -> mean` of a `summary.csv`.
fn csv_means(path: &Path, key_columns: usize) -> std::collections::HashMap<Vec<String>, String> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<String> = l.split(',').map(String::from).collect();
            (cells[..key_columns].to_vec(), cells[key_columns].clone())
        })
        .collect()
}

#[test]
fn a_centers_report_shows_its_queues_and_groups_and_a_desks_does_not() {
    let out = scratch("cli-report-center");
    let scenario = common::bundled("two_lines.toml");
    let o = ccsim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--reps",
            "2",
            "--plots",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<section id=\"segments\"><h2>Queues, channels and groups</h2>"),
        "no segments section"
    );
    let segments = csv_means(&out.join("segments.csv"), 3);
    let summary = csv_means(&out.join("summary.csv"), 1);
    for (scope, names) in [
        ("queue", vec!["billing", "tech"]),
        ("group", vec!["billing", "generalists"]),
    ] {
        let cells = table_cells(&html, &format!("segments-{scope}"));
        // The columns, in order: the segments of the first row (the center's column last).
        let shown: Vec<&str> = cells
            .iter()
            .map(|c| c.0.as_str())
            .take_while(|s| !s.is_empty())
            .collect();
        assert_eq!(shown, names, "{scope} columns");
        for (segment, kpi, value) in &cells {
            let expected = if segment.is_empty() {
                &summary[&vec![kpi.clone()]]
            } else {
                &segments[&vec![scope.to_string(), segment.clone(), kpi.clone()]]
            };
            assert_eq!(value, expected, "{scope} {segment:?} {kpi}");
        }
        let kpi = if scope == "queue" {
            "service_level"
        } else {
            "occupancy"
        };
        assert!(
            cells
                .iter()
                .any(|c| c.0 == "billing" && c.1 == kpi && !c.2.is_empty()),
            "{scope} billing {kpi}"
        );
    }
    // Two channels of one queue each: no channel table, their KPIs are their queues'.
    assert!(table_cells(&html, "segments-channel").is_empty());
    assert!(html.contains("Each channel carries one queue"));
    // Settings: each queue's thresholds and each group's K in their own tables, never one of
    // them as the center's; what every queue shares said once.
    let table = |id: &str| {
        let t = &html[html.find(&format!("<table id=\"{id}\"")).unwrap()..];
        t[..t.find("</table>").unwrap()].to_string()
    };
    let row = |id: &str, segment: &str| {
        let t = table(id);
        let r = &t[t.find(&format!("<tr data-segment=\"{segment}\">")).unwrap()..];
        r[..r.find("</tr>").unwrap()].to_string()
    };
    assert!(row("settings-queue", "billing").contains("<td>yellow after 30s, red after 1m</td>"));
    assert!(row("settings-queue", "tech").contains("<td>yellow after 1m, red after 3m</td>"));
    assert!(
        row("settings-queue", "billing").contains("<td>billing, then generalists after 45s</td>")
    );
    assert!(row("settings-group", "billing").contains("<td>3</td>"));
    assert!(row("settings-group", "generalists").contains("<td>2</td>"));
    let center = table("settings-table");
    assert!(!center.contains("max chats per agent"), "{center}");
    assert!(!center.contains("<td>indicator</td>"), "{center}");
    assert!(
        center.contains("<td>alert timeout</td><td>15s (every queue)</td>"),
        "{center}"
    );
    // A folder without segments.csv (an older ccsim's) still renders, and says what is missing.
    std::fs::remove_file(out.join("segments.csv")).unwrap();
    let o = ccsim(&["report", out.to_str().unwrap(), "-q"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("This folder has no segments.csv"));
    assert!(table_cells(&html, "segments-queue").is_empty());

    // A one-queue desk: its only segment is the center; no such section, one settings list.
    let desk = scratch("cli-report-desk");
    let o = run_basic("2", &desk, &["--plots", "-q"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(desk.join("report.html")).unwrap();
    assert!(!html.contains("id=\"segments\""));
    assert!(!html.contains("id=\"settings-queue\""));
    assert!(html.contains("<tr><td>max chats per agent</td><td>3</td></tr>"));
}
