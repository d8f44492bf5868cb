//! `ccsim run`, `ccsim sweep` and `ccsim merge`: a plan of points (one for a run), its
//! replications in parallel, the files of each point as it completes; or one shard of the
//! tasks, and the merge of all shards into the files an unsharded run writes.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use super::guard::Work;
use super::progress::{handle_ctrl_c, Bar, CANCEL};
use super::{print_stdout, ScenarioArgs, ShardArgs};
use crate::experiment::grid::Vary;
use crate::experiment::sweep::Progress;
use crate::experiment::sweep::{
    run_points, run_points_to_precision, run_tasks, Control, Interrupted, Plan, PointCollector,
    Precision, Shard,
};
use crate::experiment::{self, Distributions, Replication};
use crate::report::folder::{self, Kind};
use crate::report::partial::{find_shards, ShardHeader, ShardWriter, SHARD_FORMAT};
use crate::report::sweep::{point_dir, PlanFile, SweepWriter};
use crate::report::trace::Trace;
use crate::report::warnings::{print_run_warnings, print_warnings, MAX_LINES};
use crate::report::RunReport;
use crate::scenario;
use crate::stats::Kpi;

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub common: ScenarioArgs,
    /// Output folder [default: output/<scenario file stem>/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub shard: ShardArgs,
    /// Also draw the plots and write report.html (as `ccsim report DIR`).
    #[arg(long)]
    pub plots: bool,
    /// Also write the contact trace: contacts.csv (one row per contact of every replication)
    /// and messages.csv (one row per replied customer message), the input of `ccsim fit`.
    /// With N (`--trace 20`, after the scenario): only the first N contacts of replication 1,
    /// and trace.csv, their transcript (one row per event), which report.html draws as a
    /// timeline.
    #[arg(long, value_name = "N", num_args = 0..=1, value_parser = parse_trace_limit)]
    pub trace: Option<Option<u64>>,
}

/// The N of `--trace N`: a whole number of contacts, at least 1.
fn parse_trace_limit(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "`{text}` is not a number of contacts: --trace N takes a whole number of at least 1 \
             (the first N contacts of replication 1), or nothing for every contact; give the \
             scenario before --trace"
        )),
    }
}

#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    #[command(flatten)]
    pub common: ScenarioArgs,
    /// A varied key and its values: a list (indicator.yellow=20s,30s,45s) or an inclusive range
    /// (staffing.agents=8..20, staffing.agents=8..20:2). Several --vary make a full grid.
    #[arg(long, value_name = "KEY=VALUES", required = true)]
    pub vary: Vec<String>,
    /// Output folder [default: output/<scenario file stem>-sweep/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Give each point its own random streams instead of common random numbers.
    #[arg(long)]
    pub independent_streams: bool,
    /// Skip the points an earlier, interrupted run of the same sweep completed in --out.
    #[arg(long)]
    pub resume: bool,
    /// Add replications (in rounds of --reps) until every KPI's 95% half-width is within this
    /// fraction of its mean (or a small absolute floor), e.g. 0.02.
    #[arg(long, value_name = "FRACTION")]
    pub precision: Option<f64>,
    /// With --precision: replications per point at most.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub max_reps: u32,
    /// With --precision: only these KPIs must reach it (comma-separated names) [default: all].
    #[arg(long, value_name = "KPI,...", value_delimiter = ',')]
    pub precision_kpis: Vec<String>,
    /// Compare every point with this one: sweep.csv, sweep_long.csv and sweep_segments.csv get
    /// each KPI's difference from it with a paired 95% interval. A point index (3) or the value of every
    /// varied key (staffing.agents=8,indicator.red=60s).
    #[arg(long, value_name = "POINT")]
    pub baseline: Option<String>,
    /// With --precision: exit with code 3 (after writing every file) when some point did not
    /// reach it within --max-reps.
    #[arg(long)]
    pub require_precision: bool,
    #[command(flatten)]
    pub shard: ShardArgs,
    /// Also draw the plots and write report.html with the what-if explorer.
    #[arg(long)]
    pub plots: bool,
    /// With --plots: a KPI target (KPI>=VALUE or KPI<=VALUE, repeatable) to centre the heat
    /// maps' colour scale on and to draw on the KPI plots.
    #[arg(long, value_name = "KPI>=VALUE", requires = "plots")]
    pub target: Vec<crate::experiment::staff::Target>,
}

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// Folders holding the shard files (shard-I-of-N.jsonl) and plan.json of every shard.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Output folder for the merged files.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Compare every point with this one, as `ccsim sweep --baseline`.
    #[arg(long, value_name = "POINT")]
    pub baseline: Option<String>,
    /// Do not print the summary table.
    #[arg(long, short)]
    pub quiet: bool,
    #[arg(long, help = super::FORCE_HELP)]
    pub force: bool,
}

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let c = &args.common;
    let out = c.out_dir(&args.out, "");
    let overrides = c.overrides()?;
    if let Some(shard) = args.shard.shard {
        if args.plots {
            bail!("--shard cannot be combined with --plots: draw them after ccsim merge, with ccsim report");
        }
        if args.trace.is_some() {
            bail!("--shard cannot be combined with --trace: trace the run unsharded");
        }
        let base = scenario::load_document(&c.scenario, &overrides)?;
        let plan = Plan::new(&c.scenario, base, Vec::new(), false)?;
        return run_shard(c, &plan, "run", shard, &out);
    }
    let scenario = scenario::load(&c.scenario, &overrides)?;
    if args.trace.is_some() && scenario.run.day_count() > 1 {
        bail!(
            "--trace cannot be combined with run.days = {}: a contact's number restarts each \
             day, so trace one day (--set run.days=1)",
            scenario.run.day_count()
        );
    }
    let reps = scenario.run.replications;
    Work::of(&scenario, reps as f64, 1.0).check(c.yes)?;
    // Before simulating: a folder that cannot be written is said at once.
    folder::claim(&out, Kind::Run, c.force)?;
    if args.plots {
        folder::check(&out.join("plots"), Kind::Plots, c.force)?;
    }
    let bar = Bar::new(1, c.progress());
    let control = Control {
        cancel: &NEVER_CANCELLED,
        progress: &bar,
    };
    bar.planned(reps as u64);
    let (replications, distributions) = if let Some(limit) = args.trace {
        let trace = Trace::new(&out, &scenario, limit);
        let result =
            c.with_threads(|| experiment::replications_with(&scenario, 0..reps, &control, &trace))?;
        // The part files go whatever happened; the trace is complete only after a full run.
        let written = trace.finish(0..reps, result.is_ok());
        let result = result?;
        written.with_context(|| format!("cannot write the trace into {}", out.display()))?;
        // Without N there is no transcript: one of an earlier run would be taken for this one's.
        if limit.is_none() {
            remove_earlier_trace(&out, &[crate::report::transcript::TRANSCRIPT])?;
        }
        result
    } else {
        let result =
            c.with_threads(|| experiment::replications(&scenario, 0..reps, &control))??;
        // A trace of an earlier run would be taken for this run's.
        remove_earlier_trace(&out, &folder::TRACE_FILES)?;
        result
    };
    bar.finish();
    let report = RunReport::new(&scenario, &replications).with_distributions(&distributions);
    folder::write(&out, Kind::Run, &report.files())
        .with_context(|| format!("cannot write the results into {}", out.display()))?;
    if args.plots {
        crate::report::render::report(&out, &[], c.force)?;
    }
    if !c.quiet {
        print_stdout(&format!(
            "{}\nwritten to {}\n",
            report.terminal_table(),
            out.display()
        ))?;
        print_run_warnings(&report, &out);
    }
    Ok(())
}

/// Remove trace files `names` an earlier run left in `out`.
fn remove_earlier_trace(out: &Path, names: &[&str]) -> anyhow::Result<()> {
    for name in names {
        match std::fs::remove_file(out.join(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| {
                    format!(
                        "cannot remove the earlier trace {}",
                        out.join(name).display()
                    )
                })
            }
            _ => {}
        }
    }
    Ok(())
}

pub fn sweep(args: SweepArgs) -> anyhow::Result<()> {
    let c = &args.common;
    let out = c.out_dir(&args.out, "-sweep");
    crate::report::render::check_targets(&args.target)?;
    let vary = args
        .vary
        .iter()
        .map(|v| Vary::parse(v))
        .collect::<Result<Vec<_>, _>>()?;
    let precision = match args.precision {
        None if !args.precision_kpis.is_empty() || args.require_precision => {
            bail!("--precision-kpis and --require-precision need --precision")
        }
        None => None,
        Some(p) if p > 0.0 && p < 1.0 => Some(Precision {
            relative: p,
            max_replications: args.max_reps,
            kpis: precision_kpis(&args.precision_kpis)?,
        }),
        Some(p) => bail!(
            "--precision {}: must be a fraction of the mean between 0 and 1 (exclusive), such \
             as 0.02 for ±2%",
            super::as_given(p)
        ),
    };
    let base = scenario::load_document(&c.scenario, &c.overrides()?)?;
    let mut plan = Plan::new(&c.scenario, base, vary, args.independent_streams)?;
    if let Some(pr) = &precision {
        let round = plan
            .points
            .iter()
            .find_map(|p| p.scenario.as_ref().ok())
            .map_or(0, |s| s.run.replications);
        if pr.max_replications < round {
            bail!(
                "--max-reps {} is below the {round} replications of one round (--reps, or \
                 run.replications): give --max-reps >= --reps",
                pr.max_replications
            );
        }
    }
    for p in &plan.points {
        if let Err(e) = &p.scenario {
            eprintln!("warning: point {} is skipped: {e}", p.index);
        }
    }
    if let Some(shard) = args.shard.shard {
        if precision.is_some() || args.resume || args.plots {
            bail!("--shard cannot be combined with --precision, --resume or --plots: a shard runs a fixed slice of the tasks (draw the plots after ccsim merge, with ccsim report)");
        }
        return run_shard(c, &plan, "sweep", shard, &out);
    }
    // With --precision, every point may need --max-reps.
    plan_work(&plan, precision.as_ref().map(|p| p.max_replications), 1.0).check(c.yes)?;

    let plan_file = PlanFile::new(&plan, "sweep", precision.clone());
    let plan_path = out.join("plan.json");
    folder::claim(&out, Kind::Sweep, c.force)?;
    let resume = args.resume && plan_path.exists();
    if resume {
        let (old_file, old_plan, _) =
            PlanFile::read(&plan_path).context("--resume: cannot take over the earlier sweep")?;
        if let Some(d) = old_file.difference(&plan_file) {
            bail!(
                "--resume: {} describes another sweep: it differs in {d} (earlier vs now); run \
                 without --resume, or with another --out",
                plan_path.display()
            );
        }
        // The same study, maybe with the scenario named by another path: carry on with the
        // earlier plan, so that every point records the same one.
        plan = old_plan;
    } else {
        // A fresh sweep: the results of an earlier one would be mistaken for this one's.
        folder::remove_own(&out, Kind::Sweep, &["plan.json"]).with_context(|| {
            format!(
                "cannot clear the earlier sweep's files in {}",
                out.display()
            )
        })?;
        folder::write(&out, Kind::Sweep, &[("plan.json", plan_file.to_bytes())])
            .with_context(|| format!("cannot write into {}", out.display()))?;
    }
    // Before simulating, every folder the sweep will write into.
    for p in &plan.points {
        folder::check(
            &point_dir(&out, p.index, plan.points.len()),
            Kind::Point,
            c.force,
        )?;
    }
    if args.plots {
        folder::check(&out.join("plots"), Kind::Plots, c.force)?;
    }
    let baseline = baseline_point(&plan, args.baseline.as_deref())?;
    let mut writer =
        SweepWriter::new(&out, &plan, precision.clone(), c.force).with_baseline(baseline);
    let resumed = if resume { writer.resume()? } else { 0 };

    handle_ctrl_c();
    let valid = plan.points.iter().filter(|p| p.scenario.is_ok()).count();
    let bar = Bar::new(valid, c.progress());
    bar.already_done(resumed);
    let control = Control {
        cancel: &CANCEL,
        progress: &bar,
    };
    let mut done = resumed;
    let result = c.with_threads(|| {
        let include = |p: usize| !writer.is_done(p);
        let include: Vec<bool> = (0..plan.points.len()).map(include).collect();
        let on_point = |r| {
            done += 1;
            writer.point(r).map_err(anyhow::Error::from)
        };
        match &precision {
            None => run_points(&plan, |p| include[p], &control, on_point),
            Some(pr) => run_points_to_precision(&plan, |p| include[p], pr, &control, on_point),
        }
    })?;
    bar.finish();
    if let Err(e) = result {
        if e.downcast_ref::<Interrupted>()
            .is_some_and(Interrupted::by_user)
        {
            return Err(e.context(format!(
                "{done} of {valid} points are complete in {}; run the same command with --resume to finish",
                out.display()
            )));
        }
        return Err(e.context(format!("cannot write the results into {}", out.display())));
    }
    let table = writer.terminal_table();
    let warnings = writer.warnings();
    let shortfall = precision
        .as_ref()
        .map(|pr| precision_report(&writer, pr))
        .unwrap_or_default();
    writer
        .finish()
        .with_context(|| format!("cannot write the results into {}", out.display()))?;
    if args.plots {
        crate::report::render::report(&out, &args.target, c.force)?;
    }
    if !c.quiet {
        print_stdout(&format!(
            "{table}{}{}\nwritten to {}\n",
            shortfall.summary,
            baseline_line(&plan, baseline),
            out.display()
        ))?;
        for line in &shortfall.details {
            eprintln!("{line}");
        }
        print_warnings(&warnings, MAX_LINES);
    }
    if args.require_precision && shortfall.points > 0 {
        return Err(PrecisionNotMet {
            points: shortfall.points,
        }
        .into());
    }
    Ok(())
}

/// `--require-precision` and some point did not reach the precision (exit code 3).
#[derive(Debug, thiserror::Error)]
#[error("--require-precision: {points} point(s) did not reach the precision within --max-reps (the files are written; see sweep.csv, precision_missing)")]
pub struct PrecisionNotMet {
    pub points: usize,
}

/// What the terminal says about `--precision`.
#[derive(Default)]
struct PrecisionReport {
    /// Points that did not reach it.
    points: usize,
    /// A line for the end of the table (empty without --precision).
    summary: String,
    /// Warning lines for stderr: one per point that did not reach it (at most 20).
    details: Vec<String>,
}

fn precision_report(writer: &SweepWriter, pr: &Precision) -> PrecisionReport {
    use crate::report::short;
    const MAX_LINES: usize = 20;
    let short_points = writer.precision_shortfalls();
    let done = writer.points_done();
    let pct = format!(
        "±{}%",
        short(100.0 * pr.relative)
            .trim_end_matches('0')
            .trim_end_matches('.')
    );
    let mut r = PrecisionReport {
        points: short_points.len(),
        ..Default::default()
    };
    if short_points.is_empty() {
        r.summary = format!("precision {pct}: reached at every one of the {done} points\n");
        return r;
    }
    r.summary = format!(
        "precision {pct}: NOT reached at {} of {done} points within --max-reps {} (on stderr; \
         sweep.csv: precision_met, precision_missing)\n",
        short_points.len(),
        pr.max_replications
    );
    r.details.push(format!(
        "warning: {} point(s) did not reach the precision {pct} (95% half-width within {pct} of \
         the mean, or the floor) within --max-reps {}:",
        short_points.len(),
        pr.max_replications
    ));
    for (point, values, reps, missing) in short_points.iter().take(MAX_LINES) {
        let kpis: Vec<String> = missing
            .iter()
            .map(|s| {
                format!(
                    "{} {} ±{} (wanted ±{})",
                    s.kpi.name(),
                    short(s.mean),
                    short(s.half_width),
                    short(s.wanted)
                )
            })
            .collect();
        r.details.push(format!(
            "  point {point} ({values}), {reps} replications: {}",
            kpis.join(", ")
        ));
    }
    if short_points.len() > MAX_LINES {
        r.details.push(format!(
            "  … and {} more points",
            short_points.len() - MAX_LINES
        ));
    }
    r
}

/// The point `--baseline` names, checked against the plan.
fn baseline_point(plan: &Plan, spec: Option<&str>) -> anyhow::Result<Option<usize>> {
    spec.map(|s| {
        plan.find_point(s)
            .map_err(|e| anyhow::anyhow!("--baseline {s}: {e}"))
    })
    .transpose()
}

/// The line after a sweep's table that says what the differences are from.
fn baseline_line(plan: &Plan, baseline: Option<usize>) -> String {
    let Some(b) = baseline else {
        return String::new();
    };
    let values: Vec<String> = plan
        .vary
        .iter()
        .zip(&plan.points[b].values)
        .map(|(v, x)| format!("{}={x}", v.key))
        .collect();
    format!(
        "differences from point {b} ({}) with paired 95% intervals: columns KPI_diff in sweep.csv\n",
        values.join(", ")
    )
}

/// `ccsim run` does not stop on Ctrl-C half-way (a run writes nothing until it is complete).
static NEVER_CANCELLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The work of the valid points of `plan`, each with `replications` replications (its own
/// when `None`), divided by `share` (the shards).
fn plan_work(plan: &Plan, replications: Option<u32>, share: f64) -> Work {
    plan.points
        .iter()
        .filter_map(|p| p.scenario.as_ref().ok())
        .map(|s| {
            let reps = replications
                .unwrap_or(s.run.replications)
                .max(s.run.replications);
            Work::of(s, reps as f64 / share, 1.0)
        })
        .fold(Work::default(), Work::add)
}

/// Check the names given to --precision-kpis.
fn precision_kpis(names: &[String]) -> anyhow::Result<Vec<String>> {
    for n in names {
        if Kpi::by_name(n.trim()).is_none() {
            let all: Vec<&str> = Kpi::ALL.iter().map(|k| k.name()).collect();
            bail!(
                "--precision-kpis: unknown KPI {n:?}; the KPIs are {}",
                all.join(", ")
            );
        }
    }
    Ok(names.iter().map(|n| n.trim().to_string()).collect())
}

/// A replication read from a shard file has one value per KPI, overall and in each reporting
/// interval of its scenario.
fn check_shape(scenario: &scenario::Scenario, rep: &Replication) -> Result<(), String> {
    let kpis = Kpi::ALL.len();
    let intervals = experiment::window(scenario).intervals();
    if rep.overall.len() != kpis {
        return Err(format!("{} KPI values, expected {kpis}", rep.overall.len()));
    }
    if rep.intervals.len() != intervals || rep.intervals.iter().any(|v| v.len() != kpis) {
        return Err(format!(
            "{} reporting intervals (of {kpis} KPIs each) expected, the file holds something else",
            intervals
        ));
    }
    // Segments are kept when the center has several queues or groups (otherwise each is the
    // whole center), each with the shape of the center's values.
    let m = &scenario.model;
    let expected = if experiment::keeps_segments(m.queues.len(), m.groups.len()) {
        experiment::segments(scenario).len()
    } else {
        0
    };
    let shaped = |s: &experiment::SegmentValues| {
        s.overall.len() == kpis
            && s.intervals.len() == intervals
            && s.intervals.iter().all(|v| v.len() == kpis)
    };
    if rep.segments.len() != expected || !rep.segments.iter().all(shaped) {
        return Err(format!(
            "{expected} segments (queues, channels, groups) of {kpis} KPIs overall and in each \
             of {intervals} reporting intervals expected, the file holds something else"
        ));
    }
    Ok(())
}

/// Run one shard of `plan`'s tasks into `out/shard-I-of-N.jsonl`, next to `plan.json`.
fn run_shard(
    c: &ScenarioArgs,
    plan: &Plan,
    kind: &str,
    shard: Shard,
    out: &Path,
) -> anyhow::Result<()> {
    plan_work(plan, None, shard.count as f64).check(c.yes)?;
    let tasks = plan.tasks(|_| true);
    let slice = shard.slice(tasks.len());
    let plan_file = PlanFile::new(plan, kind, None);
    let header = ShardHeader {
        ccsim_shard: SHARD_FORMAT,
        plan: plan_file.fingerprint(),
        shard,
        total_tasks: tasks.len(),
        first_task: slice.start,
        end_task: slice.end,
    };
    folder::claim(out, Kind::Shard, c.force)?;
    folder::write(out, Kind::Shard, &[("plan.json", plan_file.to_bytes())])
        .with_context(|| format!("cannot write into {}", out.display()))?;
    let mut writer = ShardWriter::create(out, &header)?;
    handle_ctrl_c();
    let bar = Bar::new(1, c.progress());
    let control = Control {
        cancel: &CANCEL,
        progress: &bar,
    };
    bar.planned(slice.len() as u64);
    let result = c.with_threads(|| {
        run_tasks(
            |p| plan.scenario(p as usize),
            &tasks[slice.clone()],
            &control,
            |task, rep| writer.task(task, rep),
        )
    })?;
    bar.finish();
    match result {
        Ok(()) => {
            let path = writer.finish()?;
            if !c.quiet {
                print_stdout(&format!(
                    "shard {shard}: tasks {}..{} of {} written to {}\n",
                    slice.start,
                    slice.end,
                    tasks.len(),
                    path.display()
                ))?;
            }
            Ok(())
        }
        Err(e) => {
            writer.abandon();
            Err(e)
        }
    }
}

pub fn merge(args: MergeArgs) -> anyhow::Result<()> {
    // Every folder's plan.json must describe the same study (the scenario may be named by
    // different paths: its content is what counts).
    let mut first: Option<(PathBuf, PlanFile)> = None;
    for d in &args.dirs {
        let folder = if d.is_file() {
            d.parent().unwrap_or(Path::new(".")).to_path_buf()
        } else {
            d.clone()
        };
        let path = folder.join("plan.json");
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let this: PlanFile = serde_json::from_slice(&bytes)
            .with_context(|| format!("{}: not a ccsim plan.json", path.display()))?;
        match &first {
            None => first = Some((path, this)),
            Some((first_path, first_file)) => {
                if let Some(d) = first_file.difference(&this) {
                    bail!(
                        "{}: the plan differs from {} in {d}: the shards of one study must be \
                         run with the same scenario, --set, --vary and ccsim version",
                        path.display(),
                        first_path.display()
                    );
                }
            }
        }
    }
    let (plan_path, _) = first.expect("clap requires one folder");
    let (file, plan, plan_bytes) = PlanFile::read(&plan_path)?;
    let tasks = plan.tasks(|_| true);
    let shards = find_shards(&args.dirs)?;
    let plan_id = file.fingerprint();
    let kind = if file.kind == "run" {
        Kind::Run
    } else {
        Kind::Sweep
    };
    folder::claim(&args.out, kind, args.force)?;

    // Stream the shards in order; the tasks must be exactly the plan's, in order.
    let mut next = 0;
    let mut replications: Vec<Replication> = Vec::new();
    let mut distributions = Distributions::default();
    let mut collector = PointCollector::default();
    if kind != Kind::Sweep && args.baseline.is_some() {
        bail!("--baseline compares the points of a sweep; these shards are of a run");
    }
    let baseline = baseline_point(&plan, args.baseline.as_deref())?;
    let mut writer = SweepWriter::new(&args.out, &plan, None, args.force).with_baseline(baseline);
    if kind == Kind::Sweep {
        folder::remove_own(&args.out, Kind::Sweep, &[]).with_context(|| {
            format!(
                "cannot clear the earlier sweep's files in {}",
                args.out.display()
            )
        })?;
        for p in &plan.points {
            let dir = point_dir(&args.out, p.index, plan.points.len());
            folder::check(&dir, Kind::Point, args.force)?;
        }
    }
    for mut shard in shards {
        let h = &shard.header;
        if h.plan != plan_id {
            bail!(
                "{}: shard {} was run for another plan than {} (a different scenario, --vary, \
                 --set or ccsim version): merge only the shards of one study",
                shard.path.display(),
                h.shard,
                plan_path.display()
            );
        }
        let expected = h.shard.slice(tasks.len());
        if h.total_tasks != tasks.len() || (h.first_task..h.end_task) != expected {
            bail!(
                "{}: shard {} holds tasks {}..{} of {}, but the plan has {} tasks, so it should hold {}..{}",
                shard.path.display(), h.shard, h.first_task, h.end_task, h.total_tasks,
                tasks.len(), expected.start, expected.end
            );
        }
        while let Some((task, rep)) = shard.next_task()? {
            if tasks.get(next) != Some(&task) {
                bail!(
                    "{}: task {next} is point {} replication {}, which the plan does not expect there",
                    shard.path.display(),
                    task.point,
                    task.replication
                );
            }
            next += 1;
            check_shape(plan.scenario(task.point as usize), &rep).map_err(|e| {
                anyhow::anyhow!(
                    "{}: point {} replication {}: {e}",
                    shard.path.display(),
                    task.point,
                    task.replication
                )
            })?;
            if file.kind == "run" {
                let mut rep = rep;
                distributions.take_from(&mut rep);
                replications.push(rep);
            } else if let Some(point) = collector.push(&plan, task, rep) {
                writer.point(point)?;
            }
        }
        if next != shard.header.end_task {
            bail!("{}: the shard file is incomplete", shard.path.display());
        }
    }
    if file.kind == "run" {
        let report =
            RunReport::new(plan.scenario(0), &replications).with_distributions(&distributions);
        folder::write(&args.out, Kind::Run, &report.files())?;
        if !args.quiet {
            print_stdout(&format!(
                "{}\nwritten to {}\n",
                report.terminal_table(),
                args.out.display()
            ))?;
            print_run_warnings(&report, &args.out);
        }
        return Ok(());
    }
    folder::write(&args.out, Kind::Sweep, &[("plan.json", plan_bytes)])?;
    let table = writer.terminal_table();
    let warnings = writer.warnings();
    writer.finish()?;
    if !args.quiet {
        print_stdout(&format!(
            "{table}{}\nwritten to {}\n",
            baseline_line(&plan, baseline),
            args.out.display()
        ))?;
        print_warnings(&warnings, MAX_LINES);
    }
    Ok(())
}
