//! The HTML reports as a person sees them: a small run, a small sweep and a small staffing
//! search are rendered in Debian's chromium, headless and without network, by
//! `tests/browser/check.mjs` (playwright-core). It checks that the plots are there and not
//! empty, that the KPI values shown equal those in the CSV files, that no script fails, that on
//! the sweep page each control switches the values shown to those of the chosen point, and that
//! the staffing page shows its targets, its plots and a verdict table equal to `staffing.csv`,
//! and that the page of a center (`two_lines.toml`, run with `--trace 30`) shows tables of its
//! queues and groups equal to `segments.csv` that fit the page, and a Timeline whose lanes are
//! agents who accepted traced chats, drawing chats of traced contacts only. Screenshots of the four pages are kept in
//! `output/browser/`.
//!
//! Needs chromium (`CHROMIUM`, default /usr/bin/chromium), node, and `npm ci` in
//! tests/browser. CI installs them and sets `CCSIM_BROWSER_TESTS=required`, which turns a
//! missing piece into a failure; elsewhere the test says what is missing and passes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{assert_ok, bundled, ccsim, scratch};

fn missing_tools(browser_dir: &Path) -> Vec<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut missing = Vec::new();
    if !Path::new(&chromium).exists() {
        missing.push(format!("chromium ({chromium})"));
    }
    if Command::new("node").arg("--version").output().is_err() {
        missing.push("node".into());
    }
    if !browser_dir.join("node_modules/playwright-core").exists() {
        missing.push("playwright-core (npm ci in tests/browser)".into());
    }
    missing
}

#[test]
fn reports_render_in_a_real_browser() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let browser_dir = root.join("tests/browser");
    let missing = missing_tools(&browser_dir);
    if !missing.is_empty() {
        let required = std::env::var("CCSIM_BROWSER_TESTS").is_ok_and(|v| v == "required");
        assert!(
            !required,
            "browser test required but missing: {}",
            missing.join(", ")
        );
        eprintln!("skipped: missing {}", missing.join(", "));
        return;
    }
    let dir = scratch("browser");
    let (run, sweep, staff, center) = (
        dir.join("run"),
        dir.join("sweep"),
        dir.join("staff"),
        dir.join("center"),
    );
    let scenario = bundled("basic_chat.toml");
    let scenario = scenario.to_str().unwrap();
    assert_ok(&ccsim(
        &[
            "run",
            scenario,
            "--reps",
            "5",
            "--plots",
            "-q",
            "--out",
            run.to_str().unwrap(),
        ],
        None,
    ));
    assert_ok(&ccsim(
        &[
            "sweep",
            scenario,
            "--vary",
            "staffing.agents=6..9",
            "--vary",
            "indicator.yellow=20s,40s",
            "--reps",
            "4",
            "--plots",
            "-q",
            "--out",
            sweep.to_str().unwrap(),
        ],
        None,
    ));
    assert_ok(&ccsim(
        &[
            "staff",
            scenario,
            "--target",
            "service_level>=0.8",
            "--target",
            "responses_red_share<=0.1",
            "--per-interval",
            "--reps",
            "4",
            "--max-reps",
            "8",
            "--plots",
            "-q",
            "--out",
            staff.to_str().unwrap(),
        ],
        None,
    ));
    let two_lines = bundled("two_lines.toml");
    assert_ok(&ccsim(
        &[
            "run",
            two_lines.to_str().unwrap(),
            "--reps",
            "3",
            "--trace",
            "30",
            "--plots",
            "-q",
            "--out",
            center.to_str().unwrap(),
        ],
        None,
    ));
    let shots: PathBuf = root.join("output/browser");
    std::fs::create_dir_all(&shots).unwrap();
    let o = Command::new("node")
        .arg(browser_dir.join("check.mjs"))
        .args([&run, &sweep, &staff, &center, &shots])
        .output()
        .expect("run node");
    eprintln!("{}", String::from_utf8_lossy(&o.stdout));
    assert!(
        o.status.success(),
        "browser checks failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for shot in [
        "report-run.png",
        "report-sweep.png",
        "report-staff.png",
        "report-center.png",
    ] {
        assert!(
            shots.join(shot).metadata().unwrap().len() > 10_000,
            "{shot}"
        );
    }
}
