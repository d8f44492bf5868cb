//! Helpers shared by the integration tests: scenarios written inline as TOML, checks of
//! simulated KPIs against exact values with confidence intervals across replications, and
//! running the `ccsim` binary in a scratch folder.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ccsim::experiment::{self, Replication};
use ccsim::scenario::{self, Scenario};
use ccsim::stats::{confidence_interval, Kpi};

/// Parse an inline scenario (the text of a TOML file).
pub fn scenario(text: &str) -> Scenario {
    scenario::parse(text, Path::new("test.toml"), &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Values of `kpi` in each replication, over the whole measured window.
pub fn kpi_values(reps: &[Replication], kpi: &str) -> Vec<f64> {
    let k = Kpi::ALL
        .iter()
        .position(|k| k.name() == kpi)
        .unwrap_or_else(|| panic!("no KPI {kpi}"));
    reps.iter().map(|r| r.overall[k]).collect()
}

/// Run all replications of a scenario.
pub fn run(s: &Scenario) -> Vec<Replication> {
    experiment::run(s).unwrap_or_else(|e| panic!("{e}"))
}

/// Assert that `exact` lies inside the 99% Student-t confidence interval of `values` (one
/// value per independent replication), and that the interval is narrow enough
/// (half-width <= `max_half_width`) for the comparison to be able to catch an error.
pub fn assert_covers(label: &str, values: &[f64], exact: f64, max_half_width: f64) {
    let ci = confidence_interval(values, 0.99).expect("at least one defined value");
    let half = (ci.high - ci.low) / 2.0;
    eprintln!(
        "{label}: exact {exact:.6}, simulated {:.6} [{:.6}, {:.6}] (half-width {half:.6})",
        ci.mean, ci.low, ci.high
    );
    assert!(
        ci.low <= exact && exact <= ci.high,
        "{label}: exact value {exact} outside the 99% interval [{}, {}] (mean {})",
        ci.low,
        ci.high,
        ci.mean
    );
    assert!(
        half <= max_half_width,
        "{label}: the 99% interval is too wide to test anything: half-width {half} > {max_half_width}"
    );
}

/// The 99% interval of the paired differences `b − a` of `kpi`, one per replication: runs
/// under common random numbers, so the difference of each pair is one independent value.
pub fn paired(a: &[Replication], b: &[Replication], kpi: &str) -> (f64, f64) {
    let d: Vec<f64> = kpi_values(b, kpi)
        .iter()
        .zip(kpi_values(a, kpi))
        .map(|(y, x)| y - x)
        .collect();
    let ci = confidence_interval(&d, 0.99).unwrap();
    eprintln!(
        "{kpi}: paired difference {:.4} [{:.4}, {:.4}]",
        ci.mean, ci.low, ci.high
    );
    (ci.low, ci.high)
}

/// The bundled scenario `name` (e.g. `basic_chat.toml`).
pub fn bundled(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// A fresh, empty folder under the target directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run the `ccsim` binary with `args`, and RAYON_NUM_THREADS = `threads` when given.
pub fn ccsim(args: &[&str], threads: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ccsim"));
    cmd.args(args);
    if let Some(t) = threads {
        cmd.env("RAYON_NUM_THREADS", t);
    }
    cmd.output().expect("run ccsim")
}

/// Assert that a run of the binary succeeded, showing its stderr otherwise.
pub fn assert_ok(o: &Output) {
    assert!(
        o.status.success(),
        "ccsim failed ({}): {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Every file under `dir`, by relative path, with its bytes (sorted, for comparisons).
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Assert that two folders hold the same files with the same bytes.
pub fn assert_same_tree(a: &Path, b: &Path) {
    let (ta, tb) = (tree(a), tree(b));
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&ta), names(&tb), "{} vs {}", a.display(), b.display());
    for (fa, fb) in ta.iter().zip(&tb) {
        assert!(
            fa.1 == fb.1,
            "{} differs between {} and {}",
            fa.0,
            a.display(),
            b.display()
        );
    }
}
