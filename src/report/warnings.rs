//! Warnings a reader should see before trusting a run's numbers: an interval with more work
//! than its agents can do or with no agent at all while contacts arrive, contacts left in the
//! system at the end, a headline KPI known too loosely, a percentile from too few responses, a
//! single replication. One function, used by `report.html` (run pages and each point of a
//! sweep's explorer) and by the terminal (stderr, after `run`, `sweep`, `staff` and `merge`).

use super::figures::HEADLINE_KPIS;
use super::load::RunData;
use super::short;
use crate::stats::Kpi;

/// Warnings a reader of this run should see before trusting a number.
pub fn run_warnings(run: &RunData) -> Vec<String> {
    let mut w = Vec::new();
    let interval = run.number("/window/interval_s");
    let staffing = run.staffing();
    // Slots on shift: each group's agents times its own capacity (older folders: the agents
    // times the largest capacity, which was every agent's when they were written).
    let slots = run.slots().unwrap_or_else(|| {
        let k = run.number("/scenario/resolved/center/max_concurrent");
        staffing.iter().map(|a| a * k).collect()
    });
    // Offered load per slot: arrivals × mean handle time / (agents × slots).
    let handle = run.summary[Kpi::HandleTimeMean.index()].mean;
    for (i, iv) in run.intervals.iter().enumerate() {
        let offered = iv.kpis[Kpi::Offered.index()].mean;
        if staffing[i] == 0.0 && offered > 0.0 {
            w.push(format!(
                "Interval {} ({}–{}): no agent on shift while {:.1} contacts per replication \
                 arrive: they wait (or leave) until agents come on shift.",
                i, iv.start, iv.end, offered
            ));
            continue;
        }
        let load = offered / interval * handle / slots[i];
        if load >= 1.0 {
            w.push(format!(
                "Interval {} ({}–{}): offered load {:.2} per slot (arrivals × mean handle time / \
                 chat slots on shift) is at or above 1: more work arrives than the agents can \
                 handle, so queues grow and results depend on the run length.",
                i, iv.start, iv.end, load
            ));
        }
    }
    let in_system = run.summary[Kpi::InSystemAtEnd.index()].mean;
    if in_system > 0.0 {
        w.push(format!(
            "{in_system:.1} contacts per replication were still in the system when the run stopped \
             (see in_system_at_end): their waits and responses are not counted."
        ));
    }
    for kpi in HEADLINE_KPIS {
        let e = run.summary[kpi.index()];
        let floor = crate::experiment::sweep::Precision::floor(kpi);
        if e.replications >= 2 && e.relative_half_width() > 0.1 && 0.5 * (e.high - e.low) > floor {
            w.push(format!(
                "{}: the 95% interval [{}, {}] is ±{:.0}% of the mean — too wide to decide \
                 between close alternatives; add replications (--reps).",
                kpi.name(),
                short(e.low),
                short(e.high),
                100.0 * e.relative_half_width()
            ));
        }
    }
    let responses = run.summary[Kpi::Responses.index()].mean;
    for (kpi, p) in [
        (Kpi::ResponseP90, 0.9),
        (Kpi::ResponseP95, 0.95),
        (Kpi::ResponseP99, 0.99),
    ] {
        let needed = 10.0 / (1.0 - p);
        if responses.is_finite() && responses < needed {
            w.push(format!(
                "{} is estimated from {:.0} responses per replication; a {}th percentile needs \
                 at least {needed:.0} (10 beyond it) to be more than noise.",
                kpi.name(),
                responses,
                (p * 100.0) as u32
            ));
        }
    }
    if run.run_json["replications"].as_u64() == Some(1) {
        w.push("One replication: there is no confidence interval. Use --reps 10 or more.".into());
    }
    w
}

/// Print `warnings` on stderr, each prefixed `warning: ` (and `what` when it names a point),
/// at most `max` lines; says how many more there are.
pub fn print_warnings(warnings: &[(String, String)], max: usize) {
    for (what, w) in warnings.iter().take(max) {
        if what.is_empty() {
            eprintln!("warning: {w}");
        } else {
            eprintln!("warning: {what}: {w}");
        }
    }
    if warnings.len() > max {
        eprintln!(
            "warning: … and {} more warnings (report.html, `ccsim report DIR`, shows them all)",
            warnings.len() - max
        );
    }
}

/// Lines printed at most, so that a large sweep does not flood the terminal.
pub const MAX_LINES: usize = 20;

/// Print the warnings of a run's report on stderr.
pub fn print_run_warnings(report: &super::RunReport, dir: &std::path::Path) {
    let warnings: Vec<(String, String)> = run_warnings(&RunData::from_report(report, dir))
        .into_iter()
        .map(|w| (String::new(), w))
        .collect();
    print_warnings(&warnings, MAX_LINES);
}
