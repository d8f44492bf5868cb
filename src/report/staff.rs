//! The files of a staffing search: `staffing.csv` (the levels the search ran, or the staffing of
//! each interval with its KPIs) and `staffed.toml`, the scenario with the staffing found, ready
//! to run.

use crate::experiment::staff::{Found, Target, Verdict};
use crate::experiment::KpiSummary;
use crate::scenario::Scenario;

use super::{kpi_cells, kpi_columns};
use crate::scenario::RunSettings;
use crate::stats::Window;

fn writer(header: Vec<String>) -> csv::Writer<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).expect("write to memory");
    w
}

/// Constant staffing: one row per level the search ran, in increasing number of agents, with
/// its verdict and KPIs over the whole measured window.
pub fn levels_csv(found: &Found) -> Vec<u8> {
    let mut header: Vec<String> = ["agents", "replications", "verdict", "chosen"]
        .map(String::from)
        .to_vec();
    header.extend(kpi_columns());
    let mut w = writer(header);
    for (agents, e) in &found.evaluations {
        let mut rec = vec![
            agents.to_string(),
            e.replications.len().to_string(),
            e.verdict.name().to_string(),
            (*agents == found.agents).to_string(),
        ];
        rec.extend(kpi_cells(&e.summary));
        w.write_record(&rec).expect("write to memory");
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
    summaries: &[Vec<KpiSummary>],
    targets: &[Target],
) -> Vec<u8> {
    let mut header: Vec<String> = ["interval", "start", "end", "agents", "verdict"]
        .map(String::from)
        .to_vec();
    header.extend(kpi_columns());
    let mut w = writer(header);
    for (i, summary) in summaries.iter().enumerate() {
        let (a, b) = window.bounds(i);
        let mut rec = vec![
            i.to_string(),
            run.clock(a),
            run.clock(b),
            agents[window.first_interval() + i].to_string(),
            Target::verdict_all(targets, summary).name().to_string(),
        ];
        rec.extend(kpi_cells(summary));
        w.write_record(&rec).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// The scenario as run, with the staffing found, as a TOML file with a header saying where it
/// comes from. (The original file's comments are not carried over.)
pub fn staffed_toml(scenario: &Scenario, targets: &[Target], how: &str) -> Vec<u8> {
    let targets: Vec<String> = targets.iter().map(Target::to_string).collect();
    let mut text = format!(
        "# Written by `ccsim staff` (ccsim {}) from {}: {how}\n# Targets: {}\n\n",
        env!("CARGO_PKG_VERSION"),
        scenario.file.display(),
        targets.join(", ")
    );
    text.push_str(&toml::to_string(&scenario.document).expect("a TOML table serialises"));
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
