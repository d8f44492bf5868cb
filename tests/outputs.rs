//! Output folders never lose a user's file. For every command that writes output (run, sweep,
//! with and without --plots; staff; merge of a run and of a sweep; report; shards), a user's
//! files placed in every folder of an earlier output (top level, plots/, points/,
//! points/pNNNN/, …) survive a second command into the same folder byte for byte, while
//! ccsim's own files there are replaced; a non-empty folder ccsim did not create is refused
//! with exit code 1 and a message naming it, and left as it was; `--force` writes ccsim's files
//! into it and still keeps the user's file.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{assert_ok, bundled, ccsim, scratch, tree};

const MARKER: &str = ".ccsim-output";

fn basic() -> String {
    bundled("basic_chat.toml").to_string_lossy().into_owned()
}

/// Run ccsim with string arguments.
fn run(args: &[String]) -> Output {
    ccsim(&args.iter().map(String::as_str).collect::<Vec<_>>(), None)
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// Put two files of the user's (a note and a picture, with content unique to their place) in
/// `dir` and in every folder under it; returns them with their bytes.
fn plant(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut folders = vec![dir.to_path_buf()];
    let mut i = 0;
    while i < folders.len() {
        for e in std::fs::read_dir(&folders[i]).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                folders.push(p);
            }
        }
        i += 1;
    }
    let mut planted = Vec::new();
    for f in folders {
        for name in ["my notes.txt", "mine.png"] {
            let path = f.join(name);
            let bytes = format!("the user's {name} in {}\n", f.display()).into_bytes();
            std::fs::write(&path, &bytes).unwrap();
            planted.push((path, bytes));
        }
    }
    planted
}

/// Every planted file is still there, byte for byte.
fn assert_intact(planted: &[(PathBuf, Vec<u8>)]) {
    for (path, bytes) in planted {
        let now = std::fs::read(path)
            .unwrap_or_else(|e| panic!("the user's {} is gone: {e}", path.display()));
        assert!(now == *bytes, "the user's {} was changed", path.display());
    }
}

/// The command failed with exit code 1, naming `dir` and saying how to go on.
fn assert_refused(o: &Output, dir: &Path) {
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: {} is not empty and was not created by ccsim",
            dir.display()
        )) && stderr.contains("--out DIR")
            && stderr.contains("--force")
            && !stderr.contains("panicked"),
        "{stderr}"
    );
}

/// A folder of the user's: one file of theirs in it.
fn foreign_folder(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    std::fs::create_dir_all(dir).unwrap();
    let f = dir.join("thesis.tex");
    std::fs::write(&f, b"\\documentclass{article}\n").unwrap();
    vec![(f, b"\\documentclass{article}\n".to_vec())]
}

/// The whole check for one command. `command(out, extra)` gives its arguments writing into
/// `out`; `first` and `second` are the extra arguments of the two commands into one folder
/// (the second one changes something, so that ccsim's files must be replaced); `changed` is a
/// file of ccsim's that must differ after the second command.
fn check_command(
    name: &str,
    command: &dyn Fn(&Path, &[&str]) -> Vec<String>,
    second: &[&str],
    changed: &str,
) {
    let dir = scratch(&format!("outputs-{name}"));
    let out = dir.join("out");
    assert_ok(&run(&command(&out, &[])));
    assert!(out.join(MARKER).is_file(), "{name}: no marker");
    let before = std::fs::read(out.join(changed)).unwrap();
    let planted = plant(&out);
    assert_ok(&run(&command(&out, second)));
    assert_intact(&planted);
    let after = std::fs::read(out.join(changed)).unwrap();
    assert!(before != after, "{name}: {changed} was not replaced");

    // A folder ccsim did not create: refused, left exactly as it was.
    let foreign = dir.join("foreign");
    let theirs = foreign_folder(&foreign);
    assert_refused(&run(&command(&foreign, &[])), &foreign);
    assert_eq!(
        tree(&foreign).len(),
        1,
        "{name}: ccsim wrote into a foreign folder"
    );
    assert_intact(&theirs);
    // --force: ccsim's files written among the user's, which stays.
    assert_ok(&run(&command(&foreign, &["--force"])));
    assert_intact(&theirs);
    assert!(foreign.join(MARKER).is_file() && foreign.join(changed).is_file());
}

fn run_command(plots: bool) -> impl Fn(&Path, &[&str]) -> Vec<String> {
    move |out, extra| {
        let mut a = strings(&["run", &basic(), "--reps", "2", "-q", "--out"]);
        a.push(out.to_string_lossy().into_owned());
        if plots {
            a.push("--plots".into());
        }
        a.extend(strings(extra));
        a
    }
}

fn sweep_command(plots: bool) -> impl Fn(&Path, &[&str]) -> Vec<String> {
    move |out, extra| {
        let mut a = strings(&[
            "sweep",
            &basic(),
            "--vary",
            "staffing.agents=8,10,12",
            "--reps",
            "2",
        ]);
        a.extend(strings(&["-q", "--out"]));
        a.push(out.to_string_lossy().into_owned());
        if plots {
            a.push("--plots".into());
        }
        a.extend(strings(extra));
        a
    }
}

#[test]
fn run_keeps_the_users_files_and_refuses_a_foreign_folder() {
    check_command("run", &run_command(false), &["--seed", "7"], "summary.csv");
}

#[test]
fn run_with_plots_keeps_the_users_files_and_refuses_a_foreign_folder() {
    check_command(
        "run-plots",
        &run_command(true),
        &["--seed", "7"],
        "plots/service.svg",
    );

    // A plots/ folder the user made in ccsim's folder is not ccsim's: refused before anything
    // is simulated (the run's files stay as they were), then written with --force.
    let dir = scratch("outputs-run-user-plots");
    let out = dir.join("out");
    let command = run_command(false);
    assert_ok(&run(&command(&out, &[])));
    std::fs::create_dir(out.join("plots")).unwrap();
    let planted = plant(&out);
    let summary = std::fs::read(out.join("summary.csv")).unwrap();
    let with_plots = run_command(true);
    assert_refused(
        &run(&with_plots(&out, &["--seed", "7"])),
        &out.join("plots"),
    );
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), summary);
    assert_ok(&run(&with_plots(&out, &["--seed", "7", "--force"])));
    assert_intact(&planted);
    assert!(out.join("plots/service.png").is_file() && out.join("plots").join(MARKER).is_file());
}

#[test]
fn folders_of_ccsims_own_files_are_replaced_whole_without_leftovers() {
    let dir = scratch("outputs-swap");
    let out = dir.join("out");
    let command = run_command(true);
    assert_ok(&run(&command(&out, &[])));
    let names = |t: Vec<(String, Vec<u8>)>| t.into_iter().map(|f| f.0).collect::<Vec<_>>();
    let first = tree(&out);
    assert_ok(&run(&command(&out, &["--seed", "7"])));
    let second = tree(&out);
    assert_eq!(names(first.clone()), names(second.clone()));
    let svg = |t: &[(String, Vec<u8>)]| {
        t.iter()
            .find(|f| f.0 == "plots/service.svg")
            .unwrap()
            .1
            .clone()
    };
    assert!(svg(&first) != svg(&second), "plots/ was not replaced");
    // No temporary file or folder left anywhere.
    assert!(std::fs::read_dir(&out).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .contains(".tmp-")));
}

#[test]
fn sweep_keeps_the_users_files_and_refuses_a_foreign_folder() {
    check_command(
        "sweep",
        &sweep_command(false),
        &["--seed", "7"],
        "points/p0001/summary.csv",
    );
}

#[test]
fn sweep_with_plots_keeps_the_users_files_and_refuses_a_foreign_folder() {
    check_command(
        "sweep-plots",
        &sweep_command(true),
        &["--seed", "7"],
        "plots/sweep_service_level.svg",
    );
}

#[test]
fn a_smaller_sweep_removes_only_ccsims_files_of_the_points_it_no_longer_has() {
    let dir = scratch("outputs-sweep-smaller");
    let out = dir.join("out");
    let base = basic();
    let sweep = |vary: &[&str]| {
        let mut a = strings(&["sweep", &base, "--reps", "2", "-q", "--plots", "--out"]);
        a.push(out.to_string_lossy().into_owned());
        for v in vary {
            a.extend(strings(&["--vary", v]));
        }
        run(&a)
    };
    assert_ok(&sweep(&[
        "staffing.agents=8,10,12",
        "indicator.yellow=20s,40s",
    ]));
    assert!(out.join("plots/heat_service_level.png").is_file());
    // Into the point folders with a user's file ccsim writes in place; p0003 stays
    // untouched by the user, so ccsim swaps it whole.
    let planted: Vec<_> = plant(&out)
        .into_iter()
        .filter(|(p, _)| !p.starts_with(out.join("points/p0001")))
        .collect();
    std::fs::remove_file(out.join("points/p0001/my notes.txt")).unwrap();
    std::fs::remove_file(out.join("points/p0001/mine.png")).unwrap();
    // One key now: 3 points instead of 6, no heat maps.
    assert_ok(&sweep(&["staffing.agents=8,10,12"]));
    assert_intact(&planted);
    // The points and plots of the earlier sweep are gone, but for the user's files.
    for p in ["p0003", "p0004", "p0005"] {
        let d = out.join("points").join(p);
        let mut left: Vec<String> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        // The marker stays with the user's files: a later, larger sweep writes there again.
        assert_eq!(left, [MARKER, "mine.png", "my notes.txt"], "{p}");
    }
    assert!(!out.join("plots/heat_service_level.png").exists());
    assert!(out.join("plots/sweep_service_level.png").is_file());
    // The points kept hold this sweep's results (agents 8, 10, 12 with yellow 30 s).
    for (p, agents) in [("p0000", 8), ("p0001", 10), ("p0002", 12)] {
        let run_json =
            std::fs::read_to_string(out.join("points").join(p).join("run.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&run_json).unwrap();
        assert_eq!(
            v["scenario"]["document"]["staffing"]["agents"], agents,
            "{p}"
        );
        assert_eq!(
            v["scenario"]["document"]["indicator"]["yellow"], "30s",
            "{p}"
        );
    }
    // p0001 (no user file) holds only ccsim's files.
    let mut p1: Vec<String> = tree(&out.join("points/p0001"))
        .into_iter()
        .map(|f| f.0)
        .collect();
    p1.sort();
    assert_eq!(
        p1,
        [
            MARKER,
            "distributions.csv",
            "intervals.csv",
            "replications.csv",
            "run.json",
            "segment_intervals.csv",
            "segment_replications.csv",
            "segments.csv",
            "summary.csv"
        ]
    );
}

#[test]
fn staff_keeps_the_users_files_and_refuses_a_foreign_folder() {
    let command = |out: &Path, extra: &[&str]| {
        let mut a = strings(&[
            "staff",
            &basic(),
            "--target",
            "service_level>=0.5",
            "--reps",
            "2",
        ]);
        a.extend(strings(&["--max-reps", "4", "-q", "--out"]));
        a.push(out.to_string_lossy().into_owned());
        a.extend(strings(extra));
        a
    };
    check_command("staff", &command, &["--seed", "7"], "summary.csv");
}

/// Shards of `kind_args` (a run or sweep command line without --out) for seeds 1 and 2, in
/// `dir/seedS-shardI`; returns a merge command builder for each seed's shards.
fn shards(dir: &Path, kind_args: &[String]) -> Vec<Vec<String>> {
    let mut folders = Vec::new();
    for seed in ["1", "2"] {
        let mut these = Vec::new();
        for i in 1..=2 {
            let d = dir.join(format!("seed{seed}-shard{i}"));
            let mut a = kind_args.to_vec();
            a.extend(strings(&[
                "--seed",
                seed,
                "-q",
                "--shard",
                &format!("{i}/2"),
                "--out",
            ]));
            a.push(d.to_string_lossy().into_owned());
            assert_ok(&run(&a));
            these.push(d.to_string_lossy().into_owned());
        }
        folders.push(these);
    }
    folders
}

fn merge_command(folders: Vec<Vec<String>>) -> impl Fn(&Path, &[&str]) -> Vec<String> {
    move |out, extra| {
        // `--second` (not passed on to ccsim) merges the other seed's shards.
        let second = extra.contains(&"--second");
        let mut a = strings(&["merge", "-q", "--out"]);
        a.push(out.to_string_lossy().into_owned());
        a.extend(folders[second as usize].iter().cloned());
        a.extend(strings(extra).into_iter().filter(|e| e != "--second"));
        a
    }
}

#[test]
fn merge_keeps_the_users_files_and_refuses_a_foreign_folder() {
    let dir = scratch("outputs-merge-shards");
    let run_shards = shards(&dir, &strings(&["run", &basic(), "--reps", "3"]));
    check_command(
        "merge-run",
        &merge_command(run_shards),
        &["--second"],
        "summary.csv",
    );
    let sweep = strings(&[
        "sweep",
        &basic(),
        "--vary",
        "staffing.agents=8,10,12",
        "--reps",
        "2",
    ]);
    let sweep_shards = shards(&dir, &sweep);
    check_command(
        "merge-sweep",
        &merge_command(sweep_shards),
        &["--second"],
        "points/p0001/summary.csv",
    );
}

#[test]
fn shards_keep_the_users_files_and_refuse_a_foreign_folder() {
    let command = |out: &Path, extra: &[&str]| {
        let mut a = strings(&[
            "sweep",
            &basic(),
            "--vary",
            "staffing.agents=8,10",
            "--reps",
            "2",
        ]);
        a.extend(strings(&["-q", "--shard", "1/2", "--out"]));
        a.push(out.to_string_lossy().into_owned());
        a.extend(strings(extra));
        a
    };
    check_command("shard", &command, &["--seed", "7"], "plan.json");
}

#[test]
fn report_keeps_the_users_files_and_refuses_a_folder_ccsim_did_not_mark() {
    for (name, make) in [
        (
            "run",
            &run_command(false) as &dyn Fn(&Path, &[&str]) -> Vec<String>,
        ),
        ("sweep", &sweep_command(false)),
    ] {
        let dir = scratch(&format!("outputs-report-{name}"));
        let out = dir.join("out");
        assert_ok(&run(&make(&out, &[])));
        let report = |extra: &[&str]| {
            let mut a = strings(&["report", "-q"]);
            a.push(out.to_string_lossy().into_owned());
            a.extend(strings(extra));
            run(&a)
        };
        assert_ok(&report(&[]));
        let page = std::fs::read(out.join("report.html")).unwrap();
        let planted = plant(&out);
        // New results, drawn again: the page changes, the user's files stay.
        assert_ok(&run(&make(&out, &["--seed", "7"])));
        assert_ok(&report(&[]));
        assert_intact(&planted);
        assert!(
            std::fs::read(out.join("report.html")).unwrap() != page,
            "{name}"
        );
        assert!(out.join("plots").join(MARKER).is_file());

        // The results of an older ccsim (no marker): refused, then drawn with --force.
        let old = dir.join("old");
        std::fs::rename(&out, &old).unwrap();
        for marker in tree(&old).iter().filter(|(p, _)| p.ends_with(MARKER)) {
            std::fs::remove_file(old.join(&marker.0)).unwrap();
        }
        let before = tree(&old);
        let mut a = strings(&["report", "-q"]);
        a.push(old.to_string_lossy().into_owned());
        let o = run(&a);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "{} was not written by this version of ccsim",
                old.display()
            )) && stderr.contains("--force"),
            "{stderr}"
        );
        assert_eq!(
            tree(&old),
            before,
            "{name}: a refused report changed the folder"
        );
        a.push("--force".into());
        assert_ok(&run(&a));
        assert_intact(
            &planted
                .iter()
                .map(|(p, b)| (old.join(p.strip_prefix(&out).unwrap()), b.clone()))
                .collect::<Vec<_>>(),
        );
        assert!(old.join(MARKER).is_file() && old.join("plots").join(MARKER).is_file());
    }
}

#[test]
fn the_issue_example_a_users_picture_in_plots_survives_a_sweep() {
    let dir = scratch("outputs-issue");
    let proj = dir.join("proj");
    std::fs::create_dir_all(proj.join("plots")).unwrap();
    std::fs::write(proj.join("plots/mine.png"), b"x\n").unwrap();
    let mut a = strings(&[
        "sweep",
        &basic(),
        "--vary",
        "staffing.agents=2,3",
        "--reps",
        "2",
        "-q",
    ]);
    a.push("--out".into());
    a.push(proj.to_string_lossy().into_owned());
    assert_refused(&run(&a), &proj);
    assert_eq!(
        tree(&proj),
        [("plots/mine.png".to_string(), b"x\n".to_vec())]
    );
    a.push("--force".into());
    a.push("--plots".into());
    assert_ok(&run(&a));
    assert_eq!(std::fs::read(proj.join("plots/mine.png")).unwrap(), b"x\n");
    assert!(proj.join("plots/sweep_service_level.png").is_file());
}

#[test]
fn a_folder_of_another_kind_of_output_is_refused() {
    let dir = scratch("outputs-kinds");
    let out = dir.join("out");
    assert_ok(&run(&sweep_command(false)(&out, &[])));
    let before = tree(&out);
    let o = run(&run_command(false)(&out, &[]));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{} holds the results of a ccsim sweep, not the results of a ccsim run",
            out.display()
        )) && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(tree(&out), before);
}
