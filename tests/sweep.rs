//! `ccsim sweep`, `--shard` / `ccsim merge`, `ccsim staff` and `ccsim erlang` end to end:
//! files and columns, byte-identical results whatever the thread count or shard split,
//! resumption after an interruption, sequential sampling, and clear errors.

mod common;

use std::path::Path;

use common::{assert_ok, assert_same_tree, bundled, ccsim, scratch};

/// The files of a run, which every point folder of a sweep holds.
const RUN_FILES: [&str; 8] = [
    "summary.csv",
    "intervals.csv",
    "replications.csv",
    "segments.csv",
    "segment_intervals.csv",
    "segment_replications.csv",
    "distributions.csv",
    "run.json",
];

fn basic() -> String {
    bundled("basic_chat.toml").to_string_lossy().into_owned()
}

/// `ccsim sweep` on the basic desk with a small 3 × 2 grid into `out`.
fn small_sweep(out: &Path, extra: &[&str], threads: Option<&str>) -> std::process::Output {
    let scenario = basic();
    let mut args = vec![
        "sweep",
        scenario.as_str(),
        "--vary",
        "staffing.agents=6..10:2",
        "--vary",
        "indicator.yellow=20s,40s",
        "--reps",
        "4",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    ccsim(&args, threads)
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let mut rows = vec![header];
    rows.extend(
        r.records()
            .map(|rec| rec.unwrap().iter().map(String::from).collect::<Vec<_>>()),
    );
    rows
}

#[test]
fn sweep_writes_its_tables_and_is_identical_for_any_thread_count() {
    let dir = scratch("sweep-threads");
    assert_ok(&small_sweep(&dir.join("t1"), &["--threads", "1"], None));
    assert_ok(&small_sweep(&dir.join("t3"), &[], Some("3")));
    assert_same_tree(&dir.join("t1"), &dir.join("t3"));

    let out = dir.join("t1");
    let rows = csv_rows(&out.join("sweep.csv"));
    let header = &rows[0];
    assert_eq!(
        &header[..4],
        [
            "point",
            "staffing.agents",
            "indicator.yellow",
            "replications"
        ]
    );
    assert!(header.iter().any(|h| h == "service_level_ci95_low"));
    assert_eq!(rows.len(), 1 + 6);
    assert_eq!(&rows[1][..4], ["0", "6", "20s", "4"]);
    assert_eq!(&rows[6][..4], ["5", "10", "40s", "4"]);
    // More agents, shorter responses (common random numbers make this hold point by point).
    let col = header.iter().position(|h| h == "response_mean").unwrap();
    let response = |row: usize| rows[row][col].parse::<f64>().unwrap();
    assert!(response(1) > response(3) && response(3) > response(5));

    let long = csv_rows(&out.join("sweep_long.csv"));
    assert_eq!(
        long[0],
        [
            "point",
            "staffing.agents",
            "indicator.yellow",
            "kpi",
            "mean",
            "ci95_low",
            "ci95_high",
            "std",
            "replications"
        ]
    );
    // Every KPI but those of the optional parts the scenario lacks (dispositions, ratings).
    let reported = ccsim::stats::Kpi::ALL
        .iter()
        .filter(|k| k.feature().is_none())
        .count();
    assert_eq!(long.len(), 1 + 6 * reported);
    // One queue: its queue, channel and group (all `main`) are the whole center, and their
    // rows of sweep_segments.csv are those of sweep_long.csv for the KPIs of their scope, as in
    // each point's segments.csv.
    let segs = csv_rows(&out.join("sweep_segments.csv"));
    assert_eq!(
        segs[0],
        [
            "point",
            "staffing.agents",
            "indicator.yellow",
            "scope",
            "segment",
            "kpi",
            "mean",
            "ci95_low",
            "ci95_high",
            "std",
            "replications"
        ]
    );
    let mut by_scope = std::collections::HashMap::new();
    for s in &segs[1..] {
        assert_eq!(s[4], "main");
        let l = long[1..]
            .iter()
            .find(|l| l[..3] == s[..3] && l[3] == s[5])
            .unwrap();
        assert_eq!(l[3..], s[5..], "{s:?}");
        *by_scope.entry(s[3].clone()).or_insert(0) += 1;
    }
    assert_eq!(by_scope.len(), 3, "{by_scope:?}");
    let p1 = out.join("points/p0001");
    let own = csv_rows(&p1.join("segments.csv"));
    let mine: Vec<&[String]> = segs[1..]
        .iter()
        .filter(|s| s[0] == "1")
        .map(|s| &s[3..])
        .collect();
    assert_eq!(mine, own[1..].iter().map(Vec::as_slice).collect::<Vec<_>>());
    // segment_replications.csv: each `main` segment holds the center's replications.
    let center = csv_rows(&p1.join("replications.csv"));
    for r in &csv_rows(&p1.join("segment_replications.csv"))[1..] {
        assert!(
            center
                .iter()
                .any(|c| c[0] == r[0] && c[1] == r[3] && c[2] == r[4]),
            "{r:?}"
        );
    }
    // Each point's folder holds the files of a run, and its summary matches sweep.csv.
    let p3 = out.join("points/p0003");
    for f in RUN_FILES {
        assert!(p3.join(f).is_file(), "{f}");
    }
    let summary = std::fs::read_to_string(p3.join("summary.csv")).unwrap();
    let sl = summary
        .lines()
        .find(|l| l.starts_with("response_mean,"))
        .unwrap();
    assert_eq!(sl.split(',').nth(1).unwrap(), rows[4][col]);
    let run_json = std::fs::read_to_string(p3.join("run.json")).unwrap();
    assert!(run_json.contains("\"agents\": 8") && run_json.contains("\"yellow\": \"40s\""));
}

#[test]
fn invalid_points_are_reported_and_skipped() {
    let out = scratch("sweep-skip");
    let o = ccsim(
        &[
            "sweep",
            &basic(),
            "--vary",
            "indicator.red=20s,90s",
            "--reps",
            "2",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_ok(&o);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("point 0 is skipped") && stderr.contains("yellow"),
        "{stderr}"
    );
    let rows = csv_rows(&out.join("sweep.csv"));
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[1][..2], ["1", "90s"]);
    let skipped = csv_rows(&out.join("skipped.csv"));
    assert_eq!(skipped.len(), 2);
    assert_eq!(&skipped[1][..2], ["0", "20s"]);

    // When no point is valid, nothing runs.
    let o = ccsim(
        &[
            "sweep",
            &basic(),
            "--vary",
            "staffing.agentz=1,2",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("no point of the sweep is valid") && stderr.contains("agentz"),
        "{stderr}"
    );
}

#[test]
fn shards_in_separate_processes_merge_into_the_unsharded_files() {
    let dir = scratch("shards");
    assert_ok(&small_sweep(&dir.join("whole"), &[], None));
    let shard_dirs: Vec<String> = (1..=3)
        .map(|i| dir.join(format!("shard{i}")).to_string_lossy().into_owned())
        .collect();
    for (i, d) in shard_dirs.iter().enumerate() {
        let shard = format!("{}/3", i + 1);
        assert_ok(&small_sweep(Path::new(d), &["--shard", &shard], None));
    }
    // Shards given out of order still merge in shard order.
    let merged = dir.join("merged");
    let mut args = vec!["merge", "-q", "--out", merged.to_str().unwrap()];
    args.extend([&shard_dirs[2], &shard_dirs[0], &shard_dirs[1]].map(String::as_str));
    assert_ok(&ccsim(&args, None));
    assert_same_tree(&dir.join("whole"), &merged);

    // A missing shard is an error that names it.
    let o = ccsim(
        &[
            "merge",
            "--out",
            merged.to_str().unwrap(),
            &shard_dirs[0],
            &shard_dirs[2],
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing shard(s) 2/3"));

    // Runs shard too: 5 replications in 2 shards.
    let run = |out: &Path, extra: &[&str]| {
        let scenario = basic();
        let mut args = vec!["run", scenario.as_str(), "--reps", "5", "-q", "--out"];
        args.push(out.to_str().unwrap());
        args.extend(extra);
        assert_ok(&ccsim(&args, None));
    };
    run(&dir.join("run-whole"), &[]);
    run(&dir.join("run-a"), &["--shard", "1/2"]);
    run(&dir.join("run-b"), &["--shard", "2/2"]);
    let run_merged = dir.join("run-merged");
    assert_ok(&ccsim(
        &[
            "merge",
            "-q",
            "--out",
            run_merged.to_str().unwrap(),
            dir.join("run-a").to_str().unwrap(),
            dir.join("run-b").to_str().unwrap(),
        ],
        None,
    ));
    assert_same_tree(&dir.join("run-whole"), &run_merged);

    // A shard file of another study, left in the same folder, is refused (the plan.json there
    // is the later study's; the shard file remembers the plan it ran).
    let mixed = dir.join("mixed");
    assert_ok(&small_sweep(&mixed, &["--shard", "1/2"], None));
    let scenario = basic();
    assert_ok(&ccsim(
        &[
            "sweep",
            &scenario,
            "--vary",
            "staffing.agents=20,21",
            "--reps",
            "4",
            "-q",
            "--shard",
            "2/2",
            "--out",
            mixed.to_str().unwrap(),
        ],
        None,
    ));
    let o = ccsim(
        &[
            "merge",
            "--out",
            dir.join("m2").to_str().unwrap(),
            mixed.to_str().unwrap(),
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("was run for another plan"));

    // A damaged shard file is an error, not a panic.
    let shard1 = std::path::PathBuf::from(&shard_dirs[0]).join("shard-1-of-3.jsonl");
    let text = std::fs::read_to_string(&shard1).unwrap();
    let damaged: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 1 {
                l.replacen("\"overall\":[", "\"overall\":[1,2,", 1)
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(&shard1, damaged.join("\n") + "\n").unwrap();
    let mut args = vec!["merge", "--out", merged.to_str().unwrap()];
    args.extend(shard_dirs.iter().map(String::as_str));
    let o = ccsim(&args, None);
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("KPI values, expected") && !stderr.contains("panicked"),
        "{stderr}"
    );

    // Shards of different runs do not mix.
    let o = ccsim(
        &[
            "merge",
            "--out",
            merged.to_str().unwrap(),
            &shard_dirs[0],
            dir.join("run-b").to_str().unwrap(),
        ],
        None,
    );
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("the plan differs from")
            && stderr.contains("in the kind of study (run or sweep): sweep vs run"),
        "{stderr}"
    );
}

#[test]
fn resume_completes_an_interrupted_sweep_into_the_same_files() {
    let dir = scratch("resume");
    let whole = dir.join("whole");
    assert_ok(&small_sweep(&whole, &[], None));

    // An interruption after some points: their folders exist, the tables do not.
    let cut = dir.join("cut");
    assert_ok(&small_sweep(&cut, &[], None));
    for gone in ["points/p0002", "points/p0005"] {
        std::fs::remove_dir_all(cut.join(gone)).unwrap();
    }
    for gone in ["sweep.csv", "sweep_long.csv", "skipped.csv"] {
        std::fs::remove_file(cut.join(gone)).unwrap();
    }
    assert_ok(&small_sweep(&cut, &["--resume"], None));
    assert_same_tree(&whole, &cut);

    // Resuming into the folder of another sweep is refused.
    let o = small_sweep(&cut, &["--resume", "--seed", "5"], None);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("describes another sweep"));
}

#[cfg(unix)]
#[test]
fn ctrl_c_leaves_only_complete_points_and_resume_finishes_the_job() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let dir = scratch("ctrl-c");
    let scenario = bundled("erlang_c.toml");
    let args = |out: &Path| {
        vec![
            "sweep".to_string(),
            scenario.to_string_lossy().into_owned(),
            "--vary".into(),
            "staffing.agents=12..31".into(),
            "--reps".into(),
            "8".into(),
            "--set".into(),
            "run.horizon=60h".into(),
            "-q".into(),
            "--out".into(),
            out.to_string_lossy().into_owned(),
        ]
    };
    let cut = dir.join("cut");
    let child = Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args(args(&cut))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt as soon as the first point is written.
    let start = Instant::now();
    while !cut.join("points/p0000/run.json").exists() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        eprintln!("the sweep finished before the interrupt arrived; nothing to check");
    } else {
        assert_eq!(out.status.code(), Some(130), "{stderr}");
        assert!(stderr.contains("--resume"), "{stderr}");
        assert!(!cut.join("sweep.csv").exists());
        // Only complete point folders, no temporary leftovers.
        for e in std::fs::read_dir(cut.join("points")).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            assert!(name.starts_with('p') && !name.contains("tmp"), "{name}");
            for f in RUN_FILES {
                assert!(p.join(f).is_file(), "{name}/{f}");
            }
        }
    }
    let mut resume = args(&cut);
    resume.push("--resume".into());
    let resume: Vec<&str> = resume.iter().map(String::as_str).collect();
    assert_ok(&ccsim(&resume, None));
    let whole = dir.join("whole");
    let all = args(&whole);
    assert_ok(&ccsim(
        &all.iter().map(String::as_str).collect::<Vec<_>>(),
        None,
    ));
    assert_same_tree(&whole, &cut);
}

#[test]
fn precision_adds_replications_until_intervals_are_narrow() {
    let dir = scratch("precision");
    let extra = [
        "--precision",
        "0.05",
        "--max-reps",
        "40",
        "--precision-kpis",
        "service_level,response_mean,responses_red_share,abandon_rate",
    ];
    assert_ok(&small_sweep(&dir.join("a"), &extra, Some("1")));
    assert_ok(&small_sweep(&dir.join("b"), &extra, Some("2")));
    assert_same_tree(&dir.join("a"), &dir.join("b"));

    let rows = csv_rows(&dir.join("a/sweep.csv"));
    let header = &rows[0];
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut added = false;
    for row in &rows[1..] {
        let reps: u32 = row[at("replications")].parse().unwrap();
        assert!(reps % 4 == 0 && (4..=40).contains(&reps), "{reps}");
        added |= reps > 4;
        let met = row[at("precision_met")] == "true";
        assert_eq!(met, reps < 40 || met, "below the cap only when precise");
        assert_eq!(met, row[at("precision_missing")].is_empty());
        if !met {
            continue;
        }
        // Every chosen KPI: half-width within 5% of the mean, or under its absolute floor.
        use ccsim::stats::Kpi;
        for kpi in &[
            Kpi::ServiceLevel,
            Kpi::ResponseMean,
            Kpi::ResponsesRedShare,
            Kpi::AbandonRate,
        ] {
            let cell = |suffix: &str| row[at(&format!("{}{suffix}", kpi.name()))].parse::<f64>();
            let (Ok(mean), Ok(low), Ok(high)) = (cell(""), cell("_ci95_low"), cell("_ci95_high"))
            else {
                continue;
            };
            let floor = ccsim::experiment::sweep::Precision::floor(*kpi);
            let half = 0.5 * (high - low);
            assert!(
                half <= 0.05 * mean.abs() + 1e-12 || half <= floor,
                "{}: half-width {half}, mean {mean}",
                kpi.name()
            );
        }
    }
    assert!(
        added,
        "no point needed more replications: the test would not test anything"
    );
}

#[test]
fn a_precision_not_reached_is_said_and_can_fail_the_sweep() {
    let dir = scratch("precision-missed");
    // ±0.1% on abandoned_chat within 6 replications: out of reach at every point.
    let extra = [
        "--precision",
        "0.001",
        "--max-reps",
        "6",
        "--precision-kpis",
        "abandoned_chat,service_level",
    ];
    let scenario = basic();
    let args = |out: &str, more: &[&'static str]| {
        let mut a = vec![
            "sweep".to_string(),
            scenario.clone(),
            "--vary".into(),
            "staffing.agents=7,9".into(),
            "--reps".into(),
            "3".into(),
            "--out".into(),
            out.into(),
        ];
        a.extend(extra.iter().chain(more).map(|s| s.to_string()));
        a
    };
    let out = dir.join("warn");
    let a = args(out.to_str().unwrap(), &[]);
    let o = ccsim(&a.iter().map(String::as_str).collect::<Vec<_>>(), None);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("precision ±0.1%: NOT reached at 2 of 2 points within --max-reps 6"),
        "{stdout}"
    );
    assert!(
        stderr.contains("2 point(s) did not reach the precision ±0.1%"),
        "{stderr}"
    );
    // One line per point, with its settings, replications and the half-widths.
    let rows = csv_rows(&out.join("sweep.csv"));
    let at = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    for row in &rows[1..] {
        assert_eq!(row[at("precision_met")], "false");
        let line = stderr
            .lines()
            .find(|l| l.starts_with(&format!("  point {} (staffing.agents=", row[0])))
            .unwrap_or_else(|| panic!("point {} not on stderr: {stderr}", row[0]));
        assert!(line.contains("6 replications: abandoned_chat "), "{line}");
        // The half-width wanted: 0.1% of the mean, or the floor for counts (0.5) when larger.
        let mean: f64 = row[at("abandoned_chat")].parse().unwrap();
        let floor = ccsim::experiment::sweep::Precision::floor(ccsim::stats::Kpi::AbandonedChat);
        assert!(0.001 * mean < floor);
        let wanted = format!("abandoned_chat {} ±", ccsim::report::short(mean));
        assert!(line.contains(&wanted), "{line} lacks {wanted}");
        let wanted = "(wanted ±0.5000), service_level ";
        assert!(line.contains(wanted), "{line} lacks {wanted}");
    }
    // --require-precision: the same files, and exit code 3.
    let strict = dir.join("strict");
    let a = args(strict.to_str().unwrap(), &["--require-precision"]);
    let o = ccsim(&a.iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("--require-precision: 2 point(s)"));
    assert_eq!(
        std::fs::read(strict.join("sweep.csv")).unwrap(),
        std::fs::read(out.join("sweep.csv")).unwrap()
    );
    // A precision every point reaches: exit 0 even with --require-precision, and said so.
    let easy = dir.join("easy");
    let mut a = args(easy.to_str().unwrap(), &["--require-precision"]);
    let i = a.iter().position(|x| x == "0.001").unwrap();
    a[i] = "0.5".into();
    let o = ccsim(&a.iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout)
        .contains("precision ±50%: reached at every one of the 2 points"));
}

#[test]
fn staff_writes_a_staffing_table_and_a_runnable_scenario() {
    let dir = scratch("staff-cli");
    let out = dir.join("per-interval");
    let o = ccsim(
        &[
            "staff",
            &basic(),
            "--target",
            "service_level>=0.8",
            "--target",
            "responses_red_share<=0.1",
            "--per-interval",
            "--max-reps",
            "20",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_ok(&o);
    let rows = csv_rows(&out.join("staffing.csv"));
    assert_eq!(
        &rows[0][..5],
        ["interval", "start", "end", "agents", "verdict"]
    );
    assert_eq!(rows.len(), 1 + 16);
    // The staffing follows the arrivals: more agents at the 120/h peak than at 40/h.
    let agents = |i: usize| rows[1 + i][3].parse::<u32>().unwrap();
    assert!(agents(1) > agents(15), "{} vs {}", agents(1), agents(15));
    // The scenario written runs as it is, with the staffing found.
    let staffed = out.join("staffed.toml");
    let text = std::fs::read_to_string(&staffed).unwrap();
    assert!(text.contains("agents_per_interval") && text.starts_with("# Written by `ccsim staff`"));
    let rerun = dir.join("rerun");
    assert_ok(&ccsim(
        &[
            "run",
            staffed.to_str().unwrap(),
            "-q",
            "--out",
            rerun.to_str().unwrap(),
        ],
        None,
    ));
}

#[test]
fn erlang_prints_the_exact_values() {
    let o = ccsim(
        &[
            "erlang", "c", "--rate", "200", "--aht", "3m", "--agents", "13,14", "--csv",
        ],
        None,
    );
    assert_ok(&o);
    let text = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "agents,load_erlangs,p_wait,service_level,asa,wait_mean,abandon_rate,occupancy"
    );
    let q = ccsim::theory::ErlangC::new(14, 200.0 / 3600.0, 1.0 / 180.0).unwrap();
    let row: Vec<f64> = lines[2].split(',').map(|c| c.parse().unwrap()).collect();
    assert_eq!(row[0], 14.0);
    assert_eq!(row[2], q.p_wait());
    assert_eq!(row[3], q.service_level(20.0));
    assert!((row[3] - 0.8884).abs() < 1e-4);

    let o = ccsim(
        &[
            "erlang",
            "c",
            "--rate",
            "200",
            "--aht",
            "3m",
            "--target",
            "service_level>=0.8",
        ],
        None,
    );
    assert_ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("service_level>=0.8: 14 agents"));
    let o = ccsim(&["erlang", "a", "--rate", "200", "--aht", "3m"], None);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--patience"));
}

#[test]
fn sweep_mistakes_are_clear_errors() {
    let out = scratch("sweep-errors");
    let o = out.to_str().unwrap();
    for (args, message) in [
        (vec!["--vary", "staffing.agents"], "expected KEY=VALUES"),
        (vec!["--vary", "staffing.agents=9..3"], "below the first"),
        (
            vec![
                "--vary",
                "staffing.agents=1,2",
                "--vary",
                "staffing.agents=3",
            ],
            "given twice",
        ),
        (
            vec!["--vary", "staffing.agents=1,2", "--shard", "0/3"],
            "expected I/N",
        ),
        (
            vec![
                "--vary",
                "staffing.agents=1,2",
                "--shard",
                "1/3",
                "--precision",
                "0.1",
            ],
            "cannot be combined",
        ),
        (
            vec!["--vary", "staffing.agents=1,2", "--precision", "0"],
            "between 0 and 1",
        ),
        (
            vec!["--vary", "staffing.agents=1,2", "--precision", "1.5"],
            "--precision 1.5: must be a fraction of the mean between 0 and 1",
        ),
        (
            vec![
                "--vary",
                "staffing.agents=1,2",
                "--precision",
                "0.1",
                "--reps",
                "10",
                "--max-reps",
                "5",
            ],
            "--max-reps 5 is below the 10 replications of one round",
        ),
        (
            vec!["--vary", "staffing.agents=1,2", "--require-precision"],
            "need --precision",
        ),
    ] {
        let scenario = basic();
        let mut a = vec!["sweep", scenario.as_str(), "--out", o];
        a.extend(args);
        let r = ccsim(&a, None);
        assert!(!r.status.success());
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert!(stderr.contains(message), "{a:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[cfg(unix)]
#[test]
fn the_local_deploy_recipe_merges_into_the_unsharded_files() {
    use std::process::Command;
    let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy");
    // The cluster recipes need a cluster (CI runs the SLURM one on a real one-node SLURM:
    // deploy/slurm/test-on-local-cluster.sh, from .ci/run); here they must be valid shell.
    for script in [
        "slurm/submit.sh",
        "slurm/test-on-local-cluster.sh",
        "slurm/shard.sbatch",
        "slurm/merge.sbatch",
        "kubernetes/run.sh",
    ] {
        let ok = Command::new("bash")
            .arg("-n")
            .arg(deploy.join(script))
            .status()
            .unwrap();
        assert!(ok.success(), "{script} is not valid bash");
    }
    let dir = scratch("deploy-local");
    let scenario = basic();
    let study = [
        "--vary",
        "staffing.agents=6..10:2",
        "--vary",
        "indicator.yellow=20s,40s",
        "--reps",
        "4",
    ];
    let o = Command::new("bash")
        .arg(deploy.join("local/run-sharded.sh"))
        .args(["4", "2", dir.join("study").to_str().unwrap(), &scenario])
        .args(study)
        .env("CCSIM", env!("CARGO_BIN_EXE_ccsim"))
        .output()
        .unwrap();
    assert_ok(&o);
    let whole = dir.join("whole");
    assert_ok(&small_sweep(&whole, &[], None));
    assert_same_tree(&whole, &dir.join("study/merged"));
}

#[test]
fn merge_and_resume_take_the_same_scenario_named_by_any_path() {
    let dir = scratch("path-spelling");
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    std::fs::copy(bundled("basic_chat.toml"), dir.join("scenarios/x.toml")).unwrap();
    let absolute = dir.join("scenarios/x.toml").to_string_lossy().into_owned();
    // ccsim run in `dir`, where the scenario is scenarios/x.toml.
    let sweep = |scenario: &str, out: &str, extra: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ccsim"));
        cmd.current_dir(&dir)
            .args(["sweep", scenario, "--vary", "staffing.agents=8,10"]);
        cmd.args(["--reps", "3", "-q", "--out", out]).args(extra);
        cmd.output().unwrap()
    };
    assert_ok(&sweep("scenarios/x.toml", "whole", &[]));
    for (i, spelling) in ["scenarios/x.toml", "./scenarios/x.toml", absolute.as_str()]
        .iter()
        .enumerate()
    {
        let shard = format!("{}/3", i + 1);
        assert_ok(&sweep(
            spelling,
            &format!("s{}", i + 1),
            &["--shard", &shard],
        ));
    }
    let merge = |shards: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ccsim"));
        cmd.current_dir(&dir)
            .args(["merge", "-q", "--out", "merged"])
            .args(shards);
        cmd.output().unwrap()
    };
    assert_ok(&merge(&["s1", "s2", "s3"]));
    // The merged files name the scenario as the first shard did, like the unsharded sweep.
    assert_same_tree(&dir.join("whole"), &dir.join("merged"));

    // A shard of another study: merge names the field that differs, and both values.
    assert_ok(&sweep(
        "scenarios/x.toml",
        "s2",
        &["--shard", "2/3", "--seed", "2"],
    ));
    let o = merge(&["s1", "s2", "s3"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "error: s2/plan.json: the plan differs from s1/plan.json in run.seed: 2026 vs 2"
        ),
        "{stderr}"
    );

    // --resume with the scenario named another way: the same sweep, the same files.
    std::fs::remove_dir_all(dir.join("whole/points/p0001")).unwrap();
    std::fs::remove_file(dir.join("whole/sweep.csv")).unwrap();
    assert_ok(&sweep(&absolute, "whole", &["--resume"]));
    assert_same_tree(&dir.join("whole"), &dir.join("merged"));
    // And a resume of another sweep names what differs.
    let o = sweep(
        "./scenarios/x.toml",
        "whole",
        &["--resume", "--set", "indicator.red=90s"],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("describes another sweep: it differs in indicator.red: \"60s\" vs \"90s\""),
        "{stderr}"
    );
}

/// `ccsim merge -q` of the shard folders `shards` into `out`, with `extra` options.
fn merge_shards(shards: &[String], out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["merge", "-q", "--out", out.to_str().unwrap()];
    args.extend(extra);
    args.extend(shards.iter().map(String::as_str));
    ccsim(&args, None)
}

/// `ccsim sweep` of basic_chat over staffing.agents=6..9 into `out`, 20 replications.
fn agents_sweep(out: &Path, extra: &[&str]) -> std::process::Output {
    let scenario = basic();
    let mut args = vec![
        "sweep",
        scenario.as_str(),
        "--vary",
        "staffing.agents=6..9",
        "--reps",
        "20",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    ccsim(&args, None)
}

#[test]
fn a_baseline_gives_paired_differences_sharper_than_unpaired_ones() {
    let dir = scratch("baseline");
    let whole = dir.join("whole");
    assert_ok(&agents_sweep(&whole, &["--baseline", "staffing.agents=8"]));
    let rows = csv_rows(&whole.join("sweep.csv"));
    let at = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let num = |row: &[String], name: &str| row[at(name)].parse::<f64>().unwrap();
    let half = |row: &[String], kpi: &str| {
        0.5 * (num(row, &format!("{kpi}_ci95_high")) - num(row, &format!("{kpi}_ci95_low")))
    };
    let base = rows[1..]
        .iter()
        .find(|r| r[at("baseline")] == "true")
        .unwrap();
    assert_eq!(base[at("staffing.agents")], "8");
    assert_eq!(
        rows[1..]
            .iter()
            .filter(|r| r[at("baseline")] == "true")
            .count(),
        1
    );
    // The baseline's own difference is exactly 0, for every KPI it defines (the scenario has
    // no dispositions nor ratings: their KPIs have no column).
    for k in ccsim::stats::Kpi::ALL
        .iter()
        .filter(|k| k.feature().is_none())
    {
        let n = k.name();
        if base[at(n)].is_empty() {
            continue;
        }
        for c in ["_diff", "_diff_ci95_low", "_diff_ci95_high"] {
            assert_eq!(base[at(&format!("{n}{c}"))], "0", "{n}{c}");
        }
    }
    for row in rows[1..].iter().filter(|r| r[at("baseline")] == "false") {
        let diff = num(row, "service_level_diff");
        let expected = num(row, "service_level") - num(base, "service_level");
        assert!((diff - expected).abs() < 1e-12, "{diff} vs {expected}");
        let paired = 0.5
            * (num(row, "service_level_diff_ci95_high") - num(row, "service_level_diff_ci95_low"));
        let unpaired = half(row, "service_level").hypot(half(base, "service_level"));
        eprintln!(
            "agents {}: service_level diff {diff:.5}, paired ±{paired:.5}, unpaired ±{unpaired:.5}",
            row[at("staffing.agents")]
        );
        assert!(
            paired < unpaired,
            "agents {}: {paired} >= {unpaired}",
            row[at("staffing.agents")]
        );
        // Zero only when every replication's difference is zero: with per-customer streams
        // the customers of 8 and 9 agents all wait the same side of the threshold.
        assert!(
            paired > 0.0 || diff == 0.0,
            "agents {}",
            row[at("staffing.agents")]
        );
        if row[at("staffing.agents")] == "6" {
            assert!(
                paired > 0.0 && diff < -paired,
                "6 agents: {diff} ± {paired}"
            );
        }
    }
    // sweep_long.csv carries the same differences.
    let long = csv_rows(&whole.join("sweep_long.csv"));
    let lat = |name: &str| long[0].iter().position(|h| h == name).unwrap();
    let sl: Vec<&Vec<String>> = long[1..]
        .iter()
        .filter(|r| r[lat("kpi")] == "service_level")
        .collect();
    assert_eq!(sl.len(), 4);
    for (l, w) in sl.iter().zip(&rows[1..]) {
        assert_eq!(l[lat("diff")], w[at("service_level_diff")]);
        assert_eq!(
            l[lat("diff_ci95_low")],
            w[at("service_level_diff_ci95_low")]
        );
    }
    // The same point by index; shards merged with --baseline; an interrupted sweep resumed:
    // byte for byte the same files.
    let by_index = dir.join("by-index");
    assert_ok(&agents_sweep(&by_index, &["--baseline", "2"]));
    assert_same_tree(&whole, &by_index);
    let shards: Vec<String> = (1..=2)
        .map(|i| dir.join(format!("s{i}")).to_string_lossy().into_owned())
        .collect();
    for (i, d) in shards.iter().enumerate() {
        assert_ok(&agents_sweep(
            Path::new(d),
            &["--shard", &format!("{}/2", i + 1)],
        ));
    }
    let merged = dir.join("merged");
    assert_ok(&merge_shards(&shards, &merged, &["--baseline", "2"]));
    assert_same_tree(&whole, &merged);
    let cut = dir.join("cut");
    assert_ok(&agents_sweep(&cut, &["--baseline", "2"]));
    std::fs::remove_dir_all(cut.join("points/p0001")).unwrap();
    std::fs::remove_file(cut.join("sweep.csv")).unwrap();
    assert_ok(&agents_sweep(&cut, &["--baseline", "2", "--resume"]));
    assert_same_tree(&whole, &cut);
    // A baseline that names no point is an error naming the rule.
    for (spec, message) in [
        ("7", "point 7 does not exist"),
        ("staffing.agents=12", "not one of the values"),
        ("indicator.red=60s", "is not varied"),
    ] {
        let o = agents_sweep(&dir.join("bad"), &["--baseline", spec]);
        assert_eq!(o.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains(message), "{spec}: {stderr}");
    }
}

/// `ccsim sweep` of two_lines.toml (two queues on two channels, two groups) over the billing
/// team's agents, 3 replications, into `out`.
fn center_sweep(out: &Path, extra: &[&str], threads: Option<&str>) -> std::process::Output {
    let scenario = bundled("two_lines.toml").to_string_lossy().into_owned();
    let mut args = vec![
        "sweep",
        scenario.as_str(),
        "--vary",
        "groups.billing.agents=4..6",
        "--reps",
        "3",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    ccsim(&args, threads)
}

/// `segment_replications.csv` of a point: (scope, segment, kpi) → the values, in replication
/// order.
fn segment_replications(
    dir: &Path,
) -> std::collections::HashMap<(String, String, String), Vec<f64>> {
    let mut out: std::collections::HashMap<_, Vec<f64>> = Default::default();
    for row in &csv_rows(&dir.join("segment_replications.csv"))[1..] {
        let value = row[4].parse().unwrap_or(f64::NAN);
        out.entry((row[1].clone(), row[2].clone(), row[3].clone()))
            .or_default()
            .push(value);
    }
    out
}

#[test]
fn sweep_segments_carry_every_points_segments_through_threads_shards_and_resume() {
    let dir = scratch("sweep-segments");
    let whole = dir.join("t1");
    let baseline = ["--baseline", "1"];
    assert_ok(&center_sweep(&whole, &baseline, Some("1")));
    assert_ok(&center_sweep(&dir.join("t2"), &baseline, Some("2")));
    assert_same_tree(&whole, &dir.join("t2"));

    let rows = csv_rows(&whole.join("sweep_segments.csv"));
    let head: Vec<&str> = rows[0].iter().map(String::as_str).collect();
    assert_eq!(
        head,
        [
            "point",
            "groups.billing.agents",
            "scope",
            "segment",
            "kpi",
            "mean",
            "ci95_low",
            "ci95_high",
            "std",
            "replications",
            "diff",
            "diff_ci95_low",
            "diff_ci95_high"
        ]
    );
    // Each point's rows are its segments.csv, row for row, under its index and value.
    let mut total = 0;
    for (p, agents) in ["4", "5", "6"].iter().enumerate() {
        let point = whole.join(format!("points/p000{p}"));
        let own = csv_rows(&point.join("segments.csv"));
        let mine: Vec<&Vec<String>> = rows[1..].iter().filter(|r| r[0] == p.to_string()).collect();
        assert_eq!(mine.len(), own.len() - 1, "point {p}");
        for (r, o) in mine.iter().zip(&own[1..]) {
            assert_eq!(r[1], *agents);
            assert_eq!(r[2..10], o[..], "point {p}");
        }
        total += mine.len();
        // Queues, channels and groups of both lines are there.
        for (scope, seg) in [
            ("queue", "billing"),
            ("queue", "tech"),
            ("channel", "web"),
            ("channel", "whatsapp"),
            ("group", "billing"),
            ("group", "generalists"),
        ] {
            assert!(
                mine.iter().any(|r| r[2] == scope && r[3] == seg),
                "{scope} {seg}"
            );
        }
        // segment_replications.csv holds the replications the segment's mean comes from.
        let reps = segment_replications(&point);
        for o in &own[1..] {
            let Ok(mean) = o[3].parse::<f64>() else {
                continue;
            };
            let values = &reps[&(o[0].clone(), o[1].clone(), o[2].clone())];
            let defined: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
            assert_eq!(values.len(), 3);
            let m = defined.iter().sum::<f64>() / defined.len() as f64;
            assert!((m - mean).abs() <= 1e-9 * mean.abs().max(1.0), "{o:?}: {m}");
        }
    }
    assert_eq!(total, rows.len() - 1);
    // Fewer billing agents, each busier: at 4 than at 6, and point against the baseline (5
    // agents) with paired intervals that exclude 0.
    let cell = |p: &str, scope: &str, seg: &str, kpi: &str, col: &str| -> f64 {
        let c = head.iter().position(|h| *h == col).unwrap();
        let r = rows[1..]
            .iter()
            .find(|r| r[0] == p && r[2] == scope && r[3] == seg && r[4] == kpi)
            .unwrap_or_else(|| panic!("{p} {scope} {seg} {kpi}"));
        r[c].parse().unwrap()
    };
    assert!(
        cell("0", "group", "billing", "occupancy", "mean")
            > cell("2", "group", "billing", "occupancy", "mean")
    );
    for row in rows[1..].iter().filter(|r| r[0] == "1" && !r[5].is_empty()) {
        assert_eq!(
            row[10..13],
            ["0", "0", "0"],
            "the baseline's own difference: {row:?}"
        );
    }
    let base = segment_replications(&whole.join("points/p0001"));
    for p in ["0", "2"] {
        let reps = segment_replications(&whole.join(format!("points/p000{p}")));
        for (scope, seg, kpi) in [
            ("queue", "billing", "service_level"),
            ("group", "billing", "occupancy"),
            ("channel", "whatsapp", "asa"),
        ] {
            let key = (scope.to_string(), seg.to_string(), kpi.to_string());
            let paired: Vec<f64> = reps[&key]
                .iter()
                .zip(&base[&key])
                .map(|(a, b)| a - b)
                .collect();
            let expected = paired.iter().sum::<f64>() / paired.len() as f64;
            let diff = cell(p, scope, seg, kpi, "diff");
            assert!(
                (diff - expected).abs() < 1e-9,
                "{p} {scope} {seg} {kpi}: {diff} vs {expected}"
            );
            let (low, high) = (
                cell(p, scope, seg, kpi, "diff_ci95_low"),
                cell(p, scope, seg, kpi, "diff_ci95_high"),
            );
            // A degenerate interval only when every replication's difference is the same.
            let all_same = paired.iter().all(|d| *d == paired[0]);
            assert!(
                if all_same {
                    low == diff && diff == high
                } else {
                    low < diff && diff < high
                },
                "{p} {scope} {seg} {kpi}: {low} {diff} {high}"
            );
        }
    }
    assert!(cell("0", "group", "billing", "occupancy", "diff_ci95_low") > 0.0);
    assert!(cell("2", "group", "billing", "occupancy", "diff_ci95_high") < 0.0);

    // Shards run apart and merged: the same files, sweep_segments.csv included.
    let shards: Vec<String> = (1..=3)
        .map(|i| dir.join(format!("s{i}")).to_string_lossy().into_owned())
        .collect();
    for (i, d) in shards.iter().enumerate() {
        let shard = format!("{}/3", i + 1);
        assert_ok(&center_sweep(Path::new(d), &["--shard", &shard], None));
    }
    let merged = dir.join("merged");
    assert_ok(&merge_shards(&shards, &merged, &["--baseline", "1"]));
    assert_same_tree(&whole, &merged);

    // Interrupted after the baseline's point, resumed: the baseline's segments are read back.
    let cut = dir.join("cut");
    assert_ok(&center_sweep(&cut, &baseline, None));
    for gone in ["points/p0000", "points/p0002"] {
        std::fs::remove_dir_all(cut.join(gone)).unwrap();
    }
    for gone in ["sweep.csv", "sweep_long.csv", "sweep_segments.csv"] {
        std::fs::remove_file(cut.join(gone)).unwrap();
    }
    let resume = ["--baseline", "1", "--resume"];
    assert_ok(&center_sweep(&cut, &resume, None));
    assert_same_tree(&whole, &cut);
    // A damaged segment_replications.csv is an error naming it, not a panic nor wrong numbers.
    let file = cut.join("points/p0001/segment_replications.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen(",queue,billing,", ",queue,bill,", 1)).unwrap();
    std::fs::remove_file(cut.join("sweep.csv")).unwrap();
    let o = center_sweep(&cut, &resume, None);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("p0001/segment_replications.csv:2: not the segment_replications.csv")
            && !stderr.contains("panicked"),
        "{stderr}"
    );

    // A shard line with the wrong segments is refused by merge.
    let shard1 = Path::new(&shards[0]).join("shard-1-of-3.jsonl");
    let text = std::fs::read_to_string(&shard1).unwrap();
    std::fs::write(
        &shard1,
        text.replacen("\"segments\":[", "\"segments\":[[[1],[]],", 1),
    )
    .unwrap();
    let o = merge_shards(&shards, &merged, &[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("6 segments (queues, channels, groups)") && !stderr.contains("panicked"),
        "{stderr}"
    );

    // --precision: each point's segments over the replications it ended with, whatever the
    // threads.
    let precision = [
        "--precision",
        "0.01",
        "--max-reps",
        "9",
        "--precision-kpis",
        "service_level",
    ];
    assert_ok(&center_sweep(&dir.join("p1"), &precision, Some("1")));
    assert_ok(&center_sweep(&dir.join("p2"), &precision, Some("2")));
    assert_same_tree(&dir.join("p1"), &dir.join("p2"));
    let wide = csv_rows(&dir.join("p1/sweep.csv"));
    let long = csv_rows(&dir.join("p1/sweep_segments.csv"));
    for w in &wide[1..] {
        let offered: Vec<&Vec<String>> = long[1..]
            .iter()
            .filter(|r| r[0] == w[0] && r[4] == "offered")
            .collect();
        assert_eq!(offered.len(), 4, "queues and channels");
        for r in offered {
            assert_eq!(r[9], w[2], "point {}: replications", w[0]);
        }
    }
    assert!(
        wide[1..].iter().any(|w| w[2] != "3"),
        "no point needed more replications"
    );
}
