//! Experiments: independent replications of a scenario, run in parallel with rayon. Each
//! replication is single-threaded and deterministic, and results are collected in replication
//! order, so outputs are identical whatever the number of threads.

use rayon::prelude::*;

use crate::model::{run_replication, RunTotals};
use crate::scenario::Scenario;
use crate::stats::{confidence_interval, Collector, Interval, Kpi, Tallies, Window};

/// What one replication measured.
#[derive(Clone, Debug)]
pub struct Replication {
    pub index: u32,
    pub tallies: Tallies,
    pub totals: RunTotals,
}

impl Replication {
    /// KPI values over the whole measured window, in [`Kpi::ALL`] order.
    pub fn overall(&self) -> Vec<f64> {
        let (c, l) = self.tallies.overall();
        Kpi::values(&c, &l)
    }

    /// KPI values of reporting interval `i`.
    pub fn interval(&self, i: usize) -> Vec<f64> {
        Kpi::values(&self.tallies.contacts[i], &self.tallies.load[i])
    }
}

/// The measured window of a scenario.
pub fn window(s: &Scenario) -> Window {
    Window {
        start: s.run.warmup,
        end: s.run.warmup + s.run.horizon,
        interval: s.run.interval,
        service_level_threshold: s.kpi.service_level_threshold,
        short_abandon: s.kpi.short_abandon,
    }
}

/// Run replication `index` of `scenario` with its own seed.
pub fn replicate(scenario: &Scenario, index: u32) -> Replication {
    let collector = Collector::new(window(scenario));
    let (collector, totals) =
        run_replication(&scenario.model, scenario.run.seed, index as u64, collector);
    Replication {
        index,
        tallies: collector.finish(),
        totals,
    }
}

/// Run `scenario.run.replications` replications in parallel; results in replication order.
pub fn run(scenario: &Scenario) -> Vec<Replication> {
    (0..scenario.run.replications)
        .into_par_iter()
        .map(|i| replicate(scenario, i))
        .collect()
}

/// Across-replication summary of one KPI.
#[derive(Clone, Debug)]
pub struct KpiSummary {
    pub kpi: Kpi,
    /// `None` when the KPI is undefined in every replication.
    pub interval: Option<Interval>,
}

/// Means and 95% Student-t intervals across replications, for each KPI, of `values_of(rep)`.
pub fn summarise(
    reps: &[Replication],
    values_of: impl Fn(&Replication) -> Vec<f64>,
) -> Vec<KpiSummary> {
    let per_rep: Vec<Vec<f64>> = reps.iter().map(values_of).collect();
    Kpi::ALL
        .iter()
        .enumerate()
        .map(|(k, &kpi)| {
            let column: Vec<f64> = per_rep.iter().map(|v| v[k]).collect();
            KpiSummary {
                kpi,
                interval: confidence_interval(&column, 0.95),
            }
        })
        .collect()
}
