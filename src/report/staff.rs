//! The files of a staffing search: `staffing.csv` (the levels the search ran, or the staffing of
//! each interval with its KPIs), `staffed.toml`, the scenario with the staffing found, ready
//! to run, and for a per-interval search `plan.csv`, the plan in the staffing-file format.

use crate::experiment::staff::{Found, Judged, Searched, Target, Verdict};
use crate::scenario::Scenario;

use super::{kpi_cells, kpi_columns};
use crate::scenario::RunSettings;
use crate::stats::Features;
use crate::stats::Window;

fn writer(header: Vec<String>) -> csv::Writer<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).expect("write to memory");
    w
}

/// The targets on a segment that give `staffing.csv` columns of their own: each distinct
/// `SCOPE:NAME:KPI` once (the center's KPIs are all there already).
fn segment_targets(targets: &[Target]) -> Vec<usize> {
    let mut seen: Vec<String> = Vec::new();
    (0..targets.len())
        .filter(|&i| {
            let column = targets[i].column();
            let new = targets[i].segment.is_some() && !seen.contains(&column);
            seen.push(column);
            new
        })
        .collect()
}

/// The header of a staffing table: `group` first for a group search, then `first`, the KPI
/// columns of the center, and each segment target's `SCOPE:NAME:KPI` with its interval.
fn header(
    searched: &Searched,
    first: &[&str],
    targets: &[Target],
    features: Features,
) -> Vec<String> {
    let mut header: Vec<String> = searched
        .group()
        .map(|_| "group".to_string())
        .into_iter()
        .collect();
    header.extend(first.iter().map(|h| h.to_string()));
    header.extend(kpi_columns(features));
    for i in segment_targets(targets) {
        let c = targets[i].column();
        header.extend([c.clone(), format!("{c}_ci95_low"), format!("{c}_ci95_high")]);
    }
    header
}

/// The cells of a row: the group, `first`, then the values under [`header`]'s KPI columns.
fn row(
    searched: &Searched,
    first: Vec<String>,
    judged: &Judged,
    targets: &[Target],
    features: Features,
) -> Vec<String> {
    let mut rec: Vec<String> = searched.group().map(String::from).into_iter().collect();
    rec.extend(first);
    rec.extend(kpi_cells(&judged.center, features));
    for i in segment_targets(targets) {
        // A target's KPI is always reported: a target on a KPI the scenario lacks is refused.
        rec.extend(kpi_cells(
            std::slice::from_ref(judged.kpi(targets, i)),
            Features::ALL,
        ));
    }
    rec
}

/// Constant staffing: one row per level the search ran, in increasing number of agents, with
/// its verdict and KPIs over the whole measured window.
pub fn levels_csv(
    found: &Found,
    targets: &[Target],
    searched: &Searched,
    features: Features,
) -> Vec<u8> {
    let first = ["agents", "replications", "verdict", "chosen"];
    let mut w = writer(header(searched, &first, targets, features));
    for (agents, e) in &found.evaluations {
        let first = vec![
            agents.to_string(),
            e.replications.len().to_string(),
            e.verdict.name().to_string(),
            (*agents == found.agents).to_string(),
        ];
        w.write_record(row(searched, first, &e.judged, targets, features))
            .expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// Per-interval staffing: one row per reporting interval with its agents and the KPIs of that
/// interval's arrivals in the final run of the whole plan, and the verdict there; `start` and
/// `end` in clock time from `run.day_start`.
pub fn intervals_csv(
    run: &RunSettings,
    window: &Window,
    agents: &[u32],
    judged: &[Judged],
    targets: &[Target],
    searched: &Searched,
    features: Features,
) -> Vec<u8> {
    let first = ["interval", "start", "end", "agents", "verdict"];
    let mut w = writer(header(searched, &first, targets, features));
    for (i, judged) in judged.iter().enumerate() {
        let (a, b) = window.bounds(i);
        let first = vec![
            i.to_string(),
            run.clock(a),
            run.clock(b),
            agents[window.first_interval() + i].to_string(),
            judged.verdict(targets).name().to_string(),
        ];
        w.write_record(row(searched, first, judged, targets, features))
            .expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// A per-interval plan (one entry per reporting interval from run time 0) in the staffing-file
/// format that `staffing.plan` and `groups.NAME.plan` read: `start,agents`, one row per
/// interval, `start` in clock time from `run.day_start`.
pub fn plan_csv(run: &RunSettings, agents: &[u32]) -> Vec<u8> {
    let mut w = writer(vec!["start".into(), "agents".into()]);
    for (i, n) in agents.iter().enumerate() {
        w.write_record([run.clock(i as f64 * run.interval), n.to_string()])
            .expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// The scenario as run, with the staffing found, as a TOML file with a header saying where it
/// comes from. (The original file's comments are not carried over.) Forecast and staffing files
/// are named by absolute paths, since the file is written elsewhere than the scenario.
pub fn staffed_toml(scenario: &Scenario, targets: &[Target], how: &str) -> Vec<u8> {
    let targets: Vec<String> = targets.iter().map(Target::to_string).collect();
    let mut text = format!(
        "# Written by `ccsim staff` (ccsim {}) from {}: {how}\n# Targets: {}\n\n",
        env!("CARGO_PKG_VERSION"),
        scenario.file.display(),
        targets.join(", ")
    );
    let document = crate::scenario::with_absolute_file_paths(&scenario.document, &scenario.file);
    text.push_str(&toml::to_string(&document).expect("a TOML table serialises"));
    text.into_bytes()
}

/// A sentence on whether the level below the answer might meet the targets too.
pub fn doubt(found: &Found) -> Option<String> {
    let below = found.below()?;
    (below.verdict == Verdict::Unclear).then(|| {
        format!(
            "{} agents might meet the targets too: after {} replications a 95% interval still \
             contains a target value (raise --max-reps to decide)",
            below.agents,
            below.replications.len()
        )
    })
}
