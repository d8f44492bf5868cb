//! Sweeps: a plan of points (one scenario per point of a grid of varied keys), the flattened
//! (point × replication) task list, its parallel execution in task order, sequential sampling to
//! a target precision, and the deterministic slicing of the task list into shards.
//!
//! A plain `run` is the plan with no varied key: one point. Everything here is deterministic:
//! tasks are computed in parallel but handed on in task order, and what a task computes depends
//! only on its point's scenario and its replication index, so outputs are byte-identical for any
//! thread count and any shard split.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rand::RngCore;
use rayon::prelude::*;

use super::grid::{grid, Vary};
use super::{replicate_with, Distributions, Extra, NoExtra, Replication};
use crate::engine::stream;
use crate::scenario::{apply_override, from_document, Scenario, ScenarioError};
use crate::stats::{confidence_interval, Kpi};

/// One point of a sweep: the values of the varied keys and the scenario they give, or why that
/// combination is invalid (such points are reported and skipped).
#[derive(Debug)]
pub struct Point {
    pub index: usize,
    /// One value per varied key, as written on the command line.
    pub values: Vec<String>,
    pub scenario: Result<Scenario, ScenarioError>,
}

/// Everything a sweep (or a run) will compute, before anything runs.
#[derive(Debug)]
pub struct Plan {
    /// The scenario file, as named on the command line.
    pub file: PathBuf,
    /// The scenario document with every `--set` applied, before the varied keys.
    pub base: toml::Table,
    pub vary: Vec<Vary>,
    /// Each point seeded apart instead of sharing the replications' random streams.
    pub independent_streams: bool,
    pub points: Vec<Point>,
}

/// A sweep that cannot run at all.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("--vary {0} is given twice")]
    DuplicateKey(String),
    #[error("no point of the sweep is valid; the first one: {0}")]
    NoValidPoint(ScenarioError),
    #[error("{0}")]
    Grid(String),
}

impl Plan {
    /// Expand the grid of `vary` over `base` and resolve each point.
    pub fn new(
        file: &Path,
        base: toml::Table,
        vary: Vec<Vary>,
        independent_streams: bool,
    ) -> Result<Plan, PlanError> {
        for (i, v) in vary.iter().enumerate() {
            if vary[..i].iter().any(|w| w.key == v.key) {
                return Err(PlanError::DuplicateKey(v.key.clone()));
            }
        }
        let points = grid(&vary)
            .map_err(PlanError::Grid)?
            .into_iter()
            .enumerate()
            .map(|(index, idx)| {
                let values: Vec<String> = idx
                    .iter()
                    .zip(&vary)
                    .map(|(&i, v)| v.values[i].clone())
                    .collect();
                let scenario =
                    point_scenario(file, &base, &vary, &values, index, independent_streams);
                Point {
                    index,
                    values,
                    scenario,
                }
            })
            .collect::<Vec<_>>();
        if points.iter().all(|p| p.scenario.is_err()) {
            let first = points
                .into_iter()
                .next()
                .expect("a grid has at least one point");
            return Err(PlanError::NoValidPoint(first.scenario.unwrap_err()));
        }
        Ok(Plan {
            file: file.to_path_buf(),
            base,
            vary,
            independent_streams,
            points,
        })
    }

    /// The scenario of point `index`; panics if the point is invalid (tasks only name valid ones).
    pub fn scenario(&self, index: usize) -> &Scenario {
        self.points[index]
            .scenario
            .as_ref()
            .expect("tasks only refer to valid points")
    }

    /// The valid point `spec` names: its index (`3`), or the value of every varied key
    /// (`staffing.agents=8,indicator.red=60s`, values as written in `--vary`).
    pub fn find_point(&self, spec: &str) -> Result<usize, String> {
        let spec = spec.trim();
        let index = if let Ok(i) = spec.parse::<usize>() {
            if i >= self.points.len() {
                return Err(format!(
                    "point {i} does not exist: the sweep has points 0 to {}",
                    self.points.len() - 1
                ));
            }
            i
        } else {
            let mut wanted: Vec<Option<&str>> = vec![None; self.vary.len()];
            for pair in spec.split(',') {
                let (key, value) = pair.split_once('=').ok_or_else(|| {
                    format!("{pair:?}: expected a point index or KEY=VALUE,... of the varied keys")
                })?;
                let (key, value) = (key.trim(), value.trim());
                let k = self.vary.iter().position(|v| v.key == key).ok_or_else(|| {
                    let keys: Vec<&str> = self.vary.iter().map(|v| v.key.as_str()).collect();
                    format!(
                        "{key} is not varied; the varied keys are {}",
                        keys.join(", ")
                    )
                })?;
                if !self.vary[k].values.iter().any(|v| v == value) {
                    return Err(format!(
                        "{key}={value} is not one of the values of --vary {key}: {}",
                        self.vary[k].values.join(", ")
                    ));
                }
                wanted[k] = Some(value);
            }
            if let Some(k) = wanted.iter().position(Option::is_none) {
                return Err(format!(
                    "give a value for every varied key: {} is missing",
                    self.vary[k].key
                ));
            }
            self.points
                .iter()
                .position(|p| {
                    p.values
                        .iter()
                        .zip(&wanted)
                        .all(|(v, w)| Some(v.as_str()) == *w)
                })
                .expect("every combination of values is a point")
        };
        match &self.points[index].scenario {
            Ok(_) => Ok(index),
            Err(e) => Err(format!("point {index} is skipped (invalid settings: {e})")),
        }
    }

    /// Every (point, replication) of the plan in order, for the points `include` accepts, each
    /// with its scenario's number of replications.
    pub fn tasks(&self, include: impl Fn(usize) -> bool) -> Vec<Task> {
        self.points
            .iter()
            .filter(|p| include(p.index))
            .filter_map(|p| Some((p.index, p.scenario.as_ref().ok()?.run.replications)))
            .flat_map(|(point, reps)| {
                (0..reps).map(move |replication| Task {
                    point: point as u32,
                    replication,
                })
            })
            .collect()
    }
}

/// The scenario of one point: the base with the point's values applied as overrides.
fn point_scenario(
    file: &Path,
    base: &toml::Table,
    vary: &[Vary],
    values: &[String],
    index: usize,
    independent_streams: bool,
) -> Result<Scenario, ScenarioError> {
    let mut document = base.clone();
    for (v, value) in vary.iter().zip(values) {
        apply_override(&mut document, &format!("{}={value}", v.key))?;
    }
    if independent_streams {
        // A seed of its own per point, derived from the master seed and the point's index; written
        // into the document too, so that the point's run.json says which seed it ran with.
        let master = from_document(document.clone(), file)?.run.seed;
        let own = stream(master, index as u64, u64::MAX).next_u64() >> 1;
        apply_override(&mut document, &format!("run.seed={own}"))?;
    }
    from_document(document, file)
}

/// One replication of one point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Task {
    pub point: u32,
    pub replication: u32,
}

/// The run stopped before all its tasks were done.
#[derive(Debug, thiserror::Error)]
pub enum Interrupted {
    /// Ctrl-C.
    #[error("interrupted")]
    ByUser,
    /// A replication needed more events than `run.max_events`: a conversation that cannot end
    /// in reasonable time (the model stops it rather than run for ever).
    #[error(
        "replication {replication} (sweep point {point}) stopped after {events} events without \
         finishing (run.max_events): some conversation cannot end in reasonable time (check \
         conversation.exchanges and the patience settings, or set run.drain), or raise \
         run.max_events if the run is really that large"
    )]
    EventCap {
        point: u32,
        replication: u32,
        events: u64,
    },
    /// A replayed trace could not be read during the run.
    #[error("{message}")]
    Trace { message: String },
}

impl Interrupted {
    /// Interrupted by the user (the command exits with 130), not stopped by a cap.
    pub fn by_user(&self) -> bool {
        matches!(self, Interrupted::ByUser)
    }
}

/// What the caller sees of a running experiment.
pub trait Progress: Sync {
    /// `n` more replications have been planned.
    fn planned(&self, _n: u64) {}
    /// One more replication is done.
    fn replication_done(&self) {}
    /// One more point is complete.
    fn point_done(&self) {}
    /// A staffing search judged a level (`scope`: "overall" or "interval N").
    fn level_judged(&self, _scope: &str, _agents: u32, _verdict: &str, _replications: usize) {}
}

/// No progress display.
pub struct Silent;
impl Progress for Silent {}

/// How a running experiment is watched and stopped.
pub struct Control<'a> {
    /// Set (by a Ctrl-C handler) to stop after the replications in flight.
    pub cancel: &'a AtomicBool,
    pub progress: &'a dyn Progress,
}

static NEVER: AtomicBool = AtomicBool::new(false);

impl Control<'static> {
    /// Never cancelled, shows nothing.
    pub fn quiet() -> Control<'static> {
        Control {
            cancel: &NEVER,
            progress: &Silent,
        }
    }
}

/// Run `tasks` in parallel in the current rayon pool and hand each result to `sink` in task
/// order. Tasks run in batches of 64 per thread, so memory holds one batch of results, not the
/// whole list, while the threads rarely wait for each other at the end of a batch (with 16 per
/// thread, a 2-thread sweep ran 1.7× faster than one thread; with 64, 1.98×). A cancel stops at the first task not yet started; results before it are
/// still handed on, then the call returns [`Interrupted`].
pub fn run_tasks<'s, E: From<Interrupted>>(
    scenario: impl Fn(u32) -> &'s Scenario + Sync,
    tasks: &[Task],
    control: &Control,
    sink: impl FnMut(Task, Replication) -> Result<(), E>,
) -> Result<(), E> {
    run_tasks_with(scenario, tasks, control, &NoExtra, sink)
}

/// [`run_tasks`], each replication observed by `extra` too.
pub fn run_tasks_with<'s, E: From<Interrupted>, X: Extra>(
    scenario: impl Fn(u32) -> &'s Scenario + Sync,
    tasks: &[Task],
    control: &Control,
    extra: &X,
    mut sink: impl FnMut(Task, Replication) -> Result<(), E>,
) -> Result<(), E> {
    let batch = 64 * rayon::current_num_threads().max(1);
    for chunk in tasks.chunks(batch) {
        let done: Vec<Result<Replication, Interrupted>> = chunk
            .par_iter()
            .map(|t| {
                if control.cancel.load(Ordering::Relaxed) {
                    return Err(Interrupted::ByUser);
                }
                let s = scenario(t.point);
                let measured = replicate_with(s, t.replication, extra);
                if let Some(message) = measured.trace_error.clone() {
                    return Err(Interrupted::Trace { message });
                }
                if measured.totals.capped {
                    return Err(Interrupted::EventCap {
                        point: t.point,
                        replication: t.replication,
                        events: measured.totals.events,
                    });
                }
                let r = measured.reduce(&s.model);
                control.progress.replication_done();
                Ok(r)
            })
            .collect();
        for (task, result) in chunk.iter().zip(done) {
            sink(*task, result?)?;
        }
    }
    Ok(())
}

/// The replications of one finished point.
#[derive(Debug)]
pub struct PointResult {
    pub point: usize,
    pub replications: Vec<Replication>,
    /// The distributions pooled over the replications, in replication order.
    pub distributions: Distributions,
}

impl PointResult {
    fn new(point: usize) -> Self {
        PointResult {
            point,
            replications: Vec::new(),
            distributions: Distributions::default(),
        }
    }

    /// Add the next replication, pooling its distributions.
    fn push(&mut self, mut rep: Replication) {
        self.distributions.take_from(&mut rep);
        self.replications.push(rep);
    }
}

/// Gathers task results, in task order, into points: a point is complete when it has its
/// scenario's number of replications.
#[derive(Default)]
pub struct PointCollector {
    current: Option<PointResult>,
}

impl PointCollector {
    /// Add one result; returns the point it completes, if any.
    pub fn push(&mut self, plan: &Plan, task: Task, rep: Replication) -> Option<PointResult> {
        let point = task.point as usize;
        let target = self.current.get_or_insert_with(|| PointResult::new(point));
        debug_assert_eq!(target.point, point, "tasks come grouped by point");
        target.push(rep);
        let complete = target.replications.len() as u32 == plan.scenario(point).run.replications;
        complete.then(|| self.current.take().expect("just filled"))
    }
}

/// Run every replication of the points `include` accepts, handing each point to `on_point` as
/// soon as its last replication is done, in point order.
pub fn run_points<E: From<Interrupted>>(
    plan: &Plan,
    include: impl Fn(usize) -> bool,
    control: &Control,
    mut on_point: impl FnMut(PointResult) -> Result<(), E>,
) -> Result<(), E> {
    let tasks = plan.tasks(include);
    control.progress.planned(tasks.len() as u64);
    let mut collector = PointCollector::default();
    run_tasks(
        |p| plan.scenario(p as usize),
        &tasks,
        control,
        |task, rep| match collector.push(plan, task, rep) {
            Some(point) => {
                control.progress.point_done();
                on_point(point)
            }
            None => Ok(()),
        },
    )
}

/// Sequential sampling: replications are added until the KPIs' 95% intervals are narrow enough.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Precision {
    /// Largest half-width of a 95% interval, relative to the mean (0.02 = 2%).
    pub relative: f64,
    /// Replications per point at most.
    pub max_replications: u32,
    /// The KPIs that must reach the precision, by name; empty means every KPI.
    pub kpis: Vec<String>,
}

impl Precision {
    /// The absolute half-width that is always precise enough, whatever the mean: what "near
    /// zero" means for a KPI of this unit.
    pub fn floor(kpi: Kpi) -> f64 {
        match kpi.unit() {
            "ratio" => 0.002,
            "s" => 0.5,
            "chats" => 0.01,
            "score" => 0.01,
            _ => 0.5, // counts
        }
    }

    /// The KPIs (among those that must reach the precision, and defined in at least one
    /// replication) whose interval is still too wide.
    pub fn missing(&self, reps: &[Replication]) -> Vec<Kpi> {
        self.shortfalls(reps).iter().map(|s| s.kpi).collect()
    }

    /// [`Precision::missing`], with the half-width reached and the one wanted. The half-width
    /// is that of the Student-t interval itself, before it is clipped to the KPI's range.
    pub fn shortfalls(&self, reps: &[Replication]) -> Vec<Shortfall> {
        Kpi::ALL
            .iter()
            .copied()
            .filter(|k| self.kpis.is_empty() || self.kpis.iter().any(|n| n == k.name()))
            .filter_map(|kpi| {
                let column: Vec<f64> = reps.iter().map(|r| r.overall[kpi.index()]).collect();
                let i = confidence_interval(&column, 0.95)?;
                let half = 0.5 * (i.high - i.low);
                let wanted = (self.relative * i.mean.abs()).max(Self::floor(kpi));
                // A NaN half-width (one replication) is never precise enough.
                let precise = half <= wanted;
                (!precise).then_some(Shortfall {
                    kpi,
                    mean: i.mean,
                    half_width: half,
                    wanted,
                })
            })
            .collect()
    }

    /// Whether every KPI that must is known precisely enough.
    pub fn reached(&self, reps: &[Replication]) -> bool {
        self.missing(reps).is_empty()
    }
}

/// A KPI whose 95% interval is wider than a [`Precision`] asks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shortfall {
    pub kpi: Kpi,
    pub mean: f64,
    /// Half-width of the 95% interval reached (NaN with one replication).
    pub half_width: f64,
    /// The largest half-width the precision accepts: the fraction of the mean, or the floor.
    pub wanted: f64,
}

/// Like [`run_points`], but each point starts with its scenario's replications and gets that
/// many more, round after round, until [`Precision::reached`] or the cap. Rounds are the same
/// whatever the thread count, so the replications each point ends with are too. Points are
/// handed on as they finish, which need not be in point order.
pub fn run_points_to_precision<E: From<Interrupted>>(
    plan: &Plan,
    include: impl Fn(usize) -> bool,
    precision: &Precision,
    control: &Control,
    mut on_point: impl FnMut(PointResult) -> Result<(), E>,
) -> Result<(), E> {
    let mut active: Vec<PointResult> = plan
        .points
        .iter()
        .filter(|p| p.scenario.is_ok() && include(p.index))
        .map(|p| PointResult::new(p.index))
        .collect();
    while !active.is_empty() {
        let tasks: Vec<Task> = active
            .iter()
            .flat_map(|a| {
                let have = a.replications.len() as u32;
                let step = plan.scenario(a.point).run.replications;
                let want = (have + step).min(precision.max_replications.max(step));
                (have..want).map(move |replication| Task {
                    point: a.point as u32,
                    replication,
                })
            })
            .collect();
        control.progress.planned(tasks.len() as u64);
        // Tasks are grouped by point in `active` order, so results go to the same entries.
        let mut slot = 0;
        run_tasks(
            |p| plan.scenario(p as usize),
            &tasks,
            control,
            |task, rep| {
                while active[slot].point != task.point as usize {
                    slot += 1;
                }
                active[slot].push(rep);
                Ok::<(), E>(())
            },
        )?;
        let mut still = Vec::with_capacity(active.len());
        for a in active {
            let step = plan.scenario(a.point).run.replications;
            let met = precision.reached(&a.replications);
            let capped = a.replications.len() as u32 >= precision.max_replications.max(step);
            if met || capped {
                control.progress.point_done();
                on_point(a)?;
            } else {
                still.push(a);
            }
        }
        active = still;
    }
    Ok(())
}

/// The `index`-th of `count` deterministic slices of a task list (1-based, as `--shard 2/8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let rule = "expected I/N with 1 <= I <= N, e.g. 2/8 for the second of eight shards";
        let (i, n) = s.split_once('/').ok_or(rule)?;
        let (index, count) = match (i.trim().parse::<u32>(), n.trim().parse::<u32>()) {
            (Ok(i), Ok(n)) if 1 <= i && i <= n => (i, n),
            _ => return Err(rule.into()),
        };
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The tasks of this shard: a contiguous slice, so that a point's replications stay
    /// together and the shards, concatenated in order, give back the whole list.
    pub fn slice(&self, total: usize) -> std::ops::Range<usize> {
        let at = |i: u32| (total as u128 * i as u128 / self.count as u128) as usize;
        at(self.index - 1)..at(self.index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_tasks() {
        for total in [0, 1, 7, 100, 101] {
            for count in 1..=9 {
                let mut next = 0;
                for index in 1..=count {
                    let r = Shard { index, count }.slice(total);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
        assert_eq!("2/8".parse(), Ok(Shard { index: 2, count: 8 }));
        for bad in ["0/3", "4/3", "x/3", "3", "1/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
