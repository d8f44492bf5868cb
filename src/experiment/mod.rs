//! Experiments: independent replications of a scenario, run in parallel with rayon; sweeps over
//! a grid of settings ([`sweep`]), staffing searches ([`staff`]) and shards. Each replication is
//! single-threaded and deterministic, and results are collected in task order, so outputs are
//! identical whatever the number of threads or shards.

pub mod grid;
pub mod staff;
pub mod sweep;

use crate::model::{run_replication, RunTotals};
use crate::scenario::Scenario;
use crate::stats::{confidence_interval, Collector, Histogram, Interval, Kpi, Tallies, Window};
use sweep::{run_tasks, Control, Interrupted, Task};

/// The raw tallies of one replication, before they are reduced to KPI values.
#[derive(Clone, Debug)]
pub struct Measured {
    pub index: u32,
    pub tallies: Tallies,
    pub totals: RunTotals,
}

/// One replication's KPI values, in [`Kpi::ALL`] order: over the whole measured window and per
/// reporting interval; and its distributions until they are pooled.
#[derive(Clone, Debug)]
pub struct Replication {
    pub index: u32,
    pub overall: Vec<f64>,
    pub intervals: Vec<Vec<f64>>,
    /// Taken by a [`Pool`] as soon as the replication is collected, so that only the pooled
    /// distributions stay in memory.
    pub distributions: Option<Box<Distributions>>,
}

/// Distributions over the measured window: every response time and every queue wait
/// (histograms with bounded relative error, which merge exactly), and agent time by number of
/// chats held.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Distributions {
    pub response: Histogram,
    pub wait: Histogram,
    /// Agent-seconds present holding 0, 1, 2, … chats.
    pub held_time: Vec<f64>,
}

impl Distributions {
    pub fn merge(&mut self, other: &Distributions) {
        self.response.merge(&other.response);
        self.wait.merge(&other.wait);
        if self.held_time.len() < other.held_time.len() {
            self.held_time.resize(other.held_time.len(), 0.0);
        }
        for (a, b) in self.held_time.iter_mut().zip(&other.held_time) {
            *a += b;
        }
    }

    /// Pool `rep`'s distributions into these (replications are pooled in order, so that the
    /// floating-point sums are the same however the replications were computed).
    pub fn take_from(&mut self, rep: &mut Replication) {
        if let Some(d) = rep.distributions.take() {
            self.merge(&d);
        }
    }
}

impl Measured {
    /// Compute the KPI values and let the tallies (histograms per interval) go.
    pub fn reduce(mut self) -> Replication {
        let (c, l) = self.tallies.overall();
        let held_time = std::mem::take(&mut self.tallies.held_time);
        let t = &self.tallies;
        Replication {
            index: self.index,
            overall: Kpi::values(&c, &l),
            intervals: t
                .contacts
                .iter()
                .zip(&t.load)
                .map(|(c, l)| Kpi::values(c, l))
                .collect(),
            distributions: Some(Box::new(Distributions {
                response: c.responses,
                wait: c.waits,
                held_time,
            })),
        }
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

/// Expected arrivals in one replication (warm-up included): the integral of the arrival rate
/// from time 0 to the end of arrivals, for a guard on the work before it starts.
pub fn expected_contacts(s: &Scenario) -> f64 {
    let m = &s.model;
    let mut total = 0.0;
    let mut start = 0.0;
    let mut i = 0;
    while start < m.arrivals_end {
        let end = if i + 1 >= m.arrival_rates.len() {
            m.arrivals_end // the last rate holds for any later time
        } else {
            (start + m.interval).min(m.arrivals_end)
        };
        total += m
            .arrival_rates
            .get(i)
            .or(m.arrival_rates.last())
            .copied()
            .unwrap_or(0.0)
            * (end - start);
        start = end;
        i += 1;
    }
    total
}

/// Run replication `index` of `scenario` with its own random streams.
pub fn replicate(scenario: &Scenario, index: u32) -> Measured {
    let collector = Collector::new(window(scenario));
    let (collector, totals) =
        run_replication(&scenario.model, scenario.run.seed, index as u64, collector);
    Measured {
        index,
        tallies: collector.finish(),
        totals,
    }
}

/// Run `scenario.run.replications` replications in parallel; results in replication order.
///
/// Each replication is reduced to its KPI values as soon as it ends, so memory does not grow
/// with the number of replications (the tallies of a long day in short intervals can take
/// megabytes each).
pub fn run(scenario: &Scenario) -> Vec<Replication> {
    run_pooled(scenario).0
}

/// [`run`], with the distributions pooled over the replications.
pub fn run_pooled(scenario: &Scenario) -> (Vec<Replication>, Distributions) {
    replications(scenario, 0..scenario.run.replications, &Control::quiet())
        .expect("a quiet control is never cancelled")
}

/// Replications `range` of `scenario`, in order, and their pooled distributions.
pub fn replications(
    scenario: &Scenario,
    range: std::ops::Range<u32>,
    control: &Control,
) -> Result<(Vec<Replication>, Distributions), Interrupted> {
    let tasks: Vec<Task> = range
        .map(|replication| Task {
            point: 0,
            replication,
        })
        .collect();
    let mut out = Vec::with_capacity(tasks.len());
    let mut pooled = Distributions::default();
    run_tasks(
        |_| scenario,
        &tasks,
        control,
        |_, mut r| {
            pooled.take_from(&mut r);
            out.push(r);
            Ok::<(), Interrupted>(())
        },
    )?;
    Ok((out, pooled))
}

/// Across-replication summary of one KPI.
#[derive(Clone, Debug)]
pub struct KpiSummary {
    pub kpi: Kpi,
    /// `None` when the KPI is undefined in every replication.
    pub interval: Option<Interval>,
}

/// Means and 95% Student-t intervals across replications, for each KPI, of `values_of(rep)`;
/// each interval clipped to the values its KPI can take ([`Kpi::range`]).
pub fn summarise<'r>(
    reps: &'r [Replication],
    values_of: impl Fn(&'r Replication) -> &'r [f64],
) -> Vec<KpiSummary> {
    let per_rep: Vec<&[f64]> = reps.iter().map(values_of).collect();
    Kpi::ALL
        .iter()
        .enumerate()
        .map(|(k, &kpi)| {
            let column: Vec<f64> = per_rep.iter().map(|v| v[k]).collect();
            KpiSummary {
                kpi,
                interval: confidence_interval(&column, 0.95).map(|i| {
                    let (min, max) = kpi.range();
                    i.clipped(min, max)
                }),
            }
        })
        .collect()
}

/// Per KPI, the mean difference `point − baseline` over the whole window with its 95% paired
/// Student-t interval: replication r of the point minus replication r of the baseline, over the
/// replication indices both have (with common random numbers both saw the same customers, so
/// the differences vary far less than either value). Not clipped: a difference can have either
/// sign. Replications where either value is undefined are left out; `None` when none is left.
pub fn paired_differences(point: &[Replication], baseline: &[Replication]) -> Vec<KpiSummary> {
    let by_index: std::collections::HashMap<u32, &Replication> =
        baseline.iter().map(|r| (r.index, r)).collect();
    let pairs: Vec<(&Replication, &Replication)> = point
        .iter()
        .filter_map(|r| Some((r, *by_index.get(&r.index)?)))
        .collect();
    Kpi::ALL
        .iter()
        .enumerate()
        .map(|(k, &kpi)| {
            let column: Vec<f64> = pairs
                .iter()
                .map(|(a, b)| a.overall[k] - b.overall[k])
                .collect();
            KpiSummary {
                kpi,
                interval: confidence_interval(&column, 0.95),
            }
        })
        .collect()
}
