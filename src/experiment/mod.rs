//! Experiments: independent replications of a scenario, run in parallel with rayon; sweeps over
//! a grid of settings ([`sweep`]), staffing searches ([`staff`]) and shards. Each replication is
//! single-threaded and deterministic, and results are collected in task order, so outputs are
//! identical whatever the number of threads or shards.

pub mod grid;
pub mod staff;
pub mod sweep;

use crate::model::{day_replication, run_replication, ModelConfig, Observer, RunTotals};
use crate::scenario::Scenario;
use crate::stats::{
    confidence_interval, merged, Collector, ContactTally, Feature, Features, Histogram, Interval,
    Kpi, LoadTally, Tallies, Tee, Window,
};
use sweep::{Control, Interrupted, Task};

/// The raw tallies of one replication, before they are reduced to KPI values.
#[derive(Clone, Debug)]
pub struct Measured {
    pub index: u32,
    /// Every day's tallies merged (the one day's without `run.days`).
    pub tallies: Tallies,
    pub totals: RunTotals,
    /// With `run.days`: each day's KPI values, over the day's window and per interval.
    pub days: Vec<SegmentValues>,
    /// A replayed trace could not be read during the run (the file changed since it was
    /// checked).
    pub trace_error: Option<String>,
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
    /// The KPI values of each segment, in [`segments`] order; empty when the center has one
    /// queue and one group, each segment then being the whole center.
    pub segments: Vec<SegmentValues>,
    /// With `run.days`: each day's KPI values (over the day's window and per interval), in day
    /// order; empty without it (`overall` and `intervals` are then the one day's).
    pub days: Vec<SegmentValues>,
    /// The KPI values of each disposition (`ModelConfig::dispositions` order: the
    /// `disposition` segments); empty without dispositions.
    pub dispositions: Vec<SegmentValues>,
}

impl Replication {
    /// The KPI values over the window of segment `k` (in [`segments`] order): its own, or the
    /// center's when the replication keeps no segments (one queue and one group, each segment
    /// then being the whole center).
    pub fn segment_overall(&self, k: usize) -> &[f64] {
        self.values(Some(k), None)
    }

    /// The KPI values of the center (`segment` `None`) or of segment `k`, over the window
    /// (`interval` `None`) or in reporting interval `i`. A replication that keeps no segments
    /// (one queue and one group) gives the center's for every segment.
    pub fn values(&self, segment: Option<usize>, interval: Option<usize>) -> &[f64] {
        let (overall, intervals) = match segment {
            Some(k) if !self.segments.is_empty() => {
                let s = &self.segments[k];
                (&s.overall, &s.intervals)
            }
            _ => (&self.overall, &self.intervals),
        };
        match interval {
            None => overall,
            Some(i) => &intervals[i],
        }
    }
}

/// One segment's KPI values in one replication: over the window and per reporting interval.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SegmentValues {
    pub overall: Vec<f64>,
    pub intervals: Vec<Vec<f64>>,
}

/// What a segment is: a queue, a channel (its queues together), an agent group, or a
/// disposition (the contacts marked done with one code, over the whole center).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Queue,
    Channel,
    Group,
    Disposition,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Queue => "queue",
            Scope::Channel => "channel",
            Scope::Group => "group",
            Scope::Disposition => "disposition",
        }
    }

    /// Whether `segments.csv` reports `kpi` for this scope: every contact KPI for queues and
    /// channels, the agent KPIs (and the contacts a group took) for groups.
    pub fn reports(self, kpi: Kpi) -> bool {
        match self {
            Scope::Queue | Scope::Channel => kpi.of_contacts(),
            Scope::Group => kpi.of_groups(),
            Scope::Disposition => kpi.of_dispositions(),
        }
    }

    /// [`Scope::reports`], among the KPIs a scenario with `features` reports: those of the
    /// optional parts it has (a disposition segment exists only with dispositions).
    pub fn shows(self, kpi: Kpi, features: Features) -> bool {
        self.reports(kpi)
            && match self {
                Scope::Disposition => kpi.feature() != Some(Feature::Ratings) || features.ratings,
                _ => features.reports(kpi),
            }
    }
}

pub use crate::stats::keeps_segments;

/// The segments of a scenario, in output order: its queues, its channels, its groups.
pub fn segments(s: &Scenario) -> Vec<(Scope, String)> {
    let m = &s.model;
    let named = |scope: Scope, names: Vec<String>| names.into_iter().map(move |n| (scope, n));
    named(
        Scope::Queue,
        m.queues.iter().map(|q| q.name.clone()).collect(),
    )
    .chain(named(Scope::Channel, m.channels.clone()))
    .chain(named(
        Scope::Group,
        m.groups.iter().map(|g| g.name.clone()).collect(),
    ))
    .collect()
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

/// A segment's values from its interval tallies.
fn segment_values(contacts: &[ContactTally], load: &[LoadTally]) -> SegmentValues {
    let none = LoadTally::default();
    let load_at = |i: usize| load.get(i).unwrap_or(&none);
    SegmentValues {
        overall: Kpi::values(
            &merged(contacts, ContactTally::merge),
            &merged(load, LoadTally::merge),
        ),
        intervals: contacts
            .iter()
            .enumerate()
            .map(|(i, c)| Kpi::values(c, load_at(i)))
            .collect(),
    }
}

impl Measured {
    /// Compute the KPI values and let the tallies (histograms per interval) go.
    pub fn reduce(mut self, model: &ModelConfig) -> Replication {
        let (c, l) = self.tallies.overall();
        let held_time = std::mem::take(&mut self.tallies.held_time);
        let t = &self.tallies;
        let overall = Kpi::values(&c, &l);
        let intervals: Vec<Vec<f64>> = t
            .contacts
            .iter()
            .zip(&t.load)
            .map(|(c, l)| Kpi::values(c, l))
            .collect();
        let segments = match &t.segments {
            // One queue, one channel, one group: each is the whole center, whose values the
            // report uses for them (not stored three times more per replication).
            None => Vec::new(),
            Some(seg) => {
                let mut out: Vec<SegmentValues> =
                    seg.queues.iter().map(|q| segment_values(q, &[])).collect();
                for channel in 0..model.channels.len() {
                    let mut tallies = vec![ContactTally::default(); t.contacts.len()];
                    for (q, queue) in model.queues.iter().enumerate() {
                        if queue.channel == channel {
                            for (a, b) in tallies.iter_mut().zip(&seg.queues[q]) {
                                a.merge(b);
                            }
                        }
                    }
                    out.push(segment_values(&tallies, &[]));
                }
                for (c, l) in seg.groups.iter().zip(&seg.group_load) {
                    out.push(segment_values(c, l));
                }
                out
            }
        };
        // A disposition's share is over every contact marked done with a code (or missing)
        // in the center, interval by interval.
        let dispositions = t
            .dispositions
            .iter()
            .map(|code| {
                let mut code = code.clone();
                for (tally, center) in code.iter_mut().zip(&t.contacts) {
                    tally.disposition_pool = center.disposed;
                }
                segment_values(&code, &[])
            })
            .collect();
        Replication {
            index: self.index,
            overall,
            intervals,
            distributions: Some(Box::new(Distributions {
                response: c.responses,
                wait: c.waits,
                held_time,
            })),
            segments,
            days: self.days,
            dispositions,
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

/// Run replication `index` of `scenario` with its own random streams: its one day, or with
/// `run.days` its days one after the other, each from an empty center with streams of its own
/// (day 0's are the replication's), their tallies merged interval by interval.
pub fn replicate(scenario: &Scenario, index: u32) -> Measured {
    replicate_with(scenario, index, &NoExtra)
}

/// An observer of each replication beside the KPI collector (a contact trace): `start` makes
/// replication `index`'s, `end` takes it back when the replication is over. Both run on the
/// worker thread of the replication, so replications stay independent.
pub trait Extra: Sync {
    type Observer: Observer;
    fn start(&self, scenario: &Scenario, index: u32) -> Self::Observer;
    fn end(&self, index: u32, observer: Self::Observer);
}

/// No extra observer.
pub struct NoExtra;

impl Extra for NoExtra {
    type Observer = ();
    fn start(&self, _: &Scenario, _: u32) {}
    fn end(&self, _: u32, _: ()) {}
}

/// [`replicate`], with `extra`'s observer seeing every record after the collector.
pub fn replicate_with<X: Extra>(scenario: &Scenario, index: u32, extra: &X) -> Measured {
    let m = &scenario.model;
    let mut merged: Option<(Tallies, RunTotals)> = None;
    let mut days = Vec::new();
    // One extra observer for the replication (a trace of several days is refused up front:
    // contact numbers restart each day).
    let mut extra_observer = extra.start(scenario, index);
    for day in 0..scenario.run.day_count() {
        let collector = Collector::with_segments(window(scenario), m.queues.len(), m.groups.len())
            .with_dispositions(&m.dispositions);
        let observers = Tee(collector, extra_observer);
        let (Tee(collector, observer), t) =
            run_replication(m, scenario.run.seed, day_replication(index, day), observers);
        extra_observer = observer;
        let tallies = collector.finish();
        if scenario.run.days.is_some() {
            days.push(segment_values(&tallies.contacts, &tallies.load));
        }
        merged = Some(match merged {
            None => (tallies, t),
            Some((mut all, mut totals)) => {
                all.merge(&tallies);
                totals.events += t.events;
                totals.contacts += t.contacts;
                totals.end_time = totals.end_time.max(t.end_time);
                totals.capped |= t.capped;
                if totals.trace_error.is_none() {
                    totals.trace_error = t.trace_error;
                }
                (all, totals)
            }
        });
        if merged.as_ref().is_some_and(|(_, t)| t.capped) {
            break;
        }
    }
    extra.end(index, extra_observer);
    let (tallies, totals) = merged.expect("at least one day");
    let trace_error = totals.trace_error.clone();
    Measured {
        index,
        tallies,
        totals,
        days,
        trace_error,
    }
}

/// Run `scenario.run.replications` replications in parallel; results in replication order.
///
/// Each replication is reduced to its KPI values as soon as it ends, so memory does not grow
/// with the number of replications (the tallies of a long day in short intervals can take
/// megabytes each). Fails only when a replication hits the event cap (`run.max_events`).
pub fn run(scenario: &Scenario) -> Result<Vec<Replication>, Interrupted> {
    Ok(run_pooled(scenario)?.0)
}

/// [`run`], with the distributions pooled over the replications.
pub fn run_pooled(scenario: &Scenario) -> Result<(Vec<Replication>, Distributions), Interrupted> {
    replications(scenario, 0..scenario.run.replications, &Control::quiet())
}

/// Replications `range` of `scenario`, in order, and their pooled distributions.
pub fn replications(
    scenario: &Scenario,
    range: std::ops::Range<u32>,
    control: &Control,
) -> Result<(Vec<Replication>, Distributions), Interrupted> {
    replications_with(scenario, range, control, &NoExtra)
}

/// [`replications`], each observed by `extra` too.
pub fn replications_with<X: Extra>(
    scenario: &Scenario,
    range: std::ops::Range<u32>,
    control: &Control,
    extra: &X,
) -> Result<(Vec<Replication>, Distributions), Interrupted> {
    let tasks: Vec<Task> = range
        .map(|replication| Task {
            point: 0,
            replication,
        })
        .collect();
    let mut out = Vec::with_capacity(tasks.len());
    let mut pooled = Distributions::default();
    sweep::run_tasks_with(
        |_| scenario,
        &tasks,
        control,
        extra,
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
    paired_differences_of(point, |r| &r.overall, baseline, |r| &r.overall)
}

/// [`paired_differences`] of the values `point_of` picks in the point's replications and
/// `baseline_of` in the baseline's (a segment's: the same segment may sit at another place in
/// each, when the varied keys change the center).
pub fn paired_differences_of<'r>(
    point: &'r [Replication],
    point_of: impl Fn(&'r Replication) -> &'r [f64],
    baseline: &'r [Replication],
    baseline_of: impl Fn(&'r Replication) -> &'r [f64],
) -> Vec<KpiSummary> {
    let by_index: std::collections::HashMap<u32, &Replication> =
        baseline.iter().map(|r| (r.index, r)).collect();
    let pairs: Vec<(&[f64], &[f64])> = point
        .iter()
        .filter_map(|r| Some((point_of(r), baseline_of(by_index.get(&r.index)?))))
        .collect();
    Kpi::ALL
        .iter()
        .enumerate()
        .map(|(k, &kpi)| {
            let column: Vec<f64> = pairs.iter().map(|(a, b)| a[k] - b[k]).collect();
            KpiSummary {
                kpi,
                interval: confidence_interval(&column, 0.95),
            }
        })
        .collect()
}
