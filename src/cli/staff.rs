//! `ccsim staff`: the smallest staffing that meets KPI targets, for the whole day or interval
//! by interval, with the files of the staffed scenario's run.

use std::path::PathBuf;

use anyhow::Context;

use super::guard::Work;
use super::progress::{handle_ctrl_c, SearchLog, CANCEL};
use super::{print_stdout, ScenarioArgs};
use crate::experiment;
use crate::experiment::staff::{
    describe, search_constant, search_per_interval_of, Evaluation, Found, Judged, Scope,
    SearchSettings, Searched, Target, Verdict,
};
use crate::experiment::sweep::Control;
use crate::report::folder::{self, Kind};
use crate::report::staff::{doubt, intervals_csv, levels_csv, plan_csv, staffed_toml};
use crate::report::warnings::print_run_warnings;
use crate::report::{short, RunReport};
use crate::scenario;
use crate::stats::Features;
use crate::stats::Window;

#[derive(clap::Args, Debug)]
pub struct StaffArgs {
    #[command(flatten)]
    pub common: ScenarioArgs,
    /// A KPI target, KPI>=VALUE or KPI<=VALUE on the whole center (e.g. "service_level>=0.8",
    /// "abandon_rate<=0.05"), or SCOPE:NAME:KPI>=VALUE on one queue, channel or group (e.g.
    /// "queue:tech:service_level>=0.8", "group:billing:occupancy<=0.85"). Repeatable: every
    /// target must be met.
    #[arg(long, value_name = "KPI>=VALUE", required = true)]
    pub target: Vec<Target>,
    /// The group whose agents the search sets (groups.NAME.agents, or per interval
    /// groups.NAME.agents_per_interval), the other groups as in the scenario; needed when the
    /// center has several groups.
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// Search the staffing of each reporting interval in turn instead of one constant level.
    #[arg(long)]
    pub per_interval: bool,
    /// Replications per staffing level at most, added in rounds of --reps while a target is
    /// undecided.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_reps: u32,
    /// Fewest agents the search considers.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub min_agents: u32,
    /// Most agents the search considers.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub max_agents: u32,
    /// Output folder [default: output/<scenario file stem>-staff/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also draw the plots (staffing per interval, each target's KPI against it) and write
    /// report.html (as `ccsim report DIR`).
    #[arg(long)]
    pub plots: bool,
}

pub fn staff(args: StaffArgs) -> anyhow::Result<()> {
    let c = &args.common;
    let out = c.out_dir(&args.out, "-staff");
    let base = scenario::load(&c.scenario, &c.overrides()?)?;
    let searched = Searched::of(&base, args.group.as_deref())?;
    let located = Target::locate(&args.target, &base)?;
    searched.check_reach(&args.target, &base)?;
    check_bounds(&args, base.run.replications)?;
    // Levels run at most: a gallop and a bisection over the range, each up to --max-reps; per
    // interval, that for every interval, then the final run of the plan.
    let span = (args.max_agents - args.min_agents) as f64 + 1.0;
    let levels = 2.0 * span.log2().ceil() + 2.0;
    let reps = args.max_reps.max(base.run.replications) as f64;
    let searches = if args.per_interval {
        experiment::window(&base).intervals() as f64
    } else {
        1.0
    };
    Work::of(&base, reps, levels * searches)
        .add(Work::of(&base, reps, 1.0))
        .check(c.yes)?;
    // Before searching: a folder that cannot be written is said at once.
    folder::claim(&out, Kind::Staff, c.force)?;
    let settings = SearchSettings {
        targets: args.target.clone(),
        max_replications: args.max_reps,
        min_agents: args.min_agents,
        max_agents: args.max_agents,
    };
    handle_ctrl_c();
    let log = SearchLog::new(c.progress());
    let control = Control {
        cancel: &CANCEL,
        progress: &log,
    };
    let targets: Vec<String> = settings.targets.iter().map(Target::to_string).collect();
    let targets = targets.join(", ");
    if !args.per_interval {
        let found = c.with_threads(|| search_constant(&base, &searched, &settings, &control))??;
        let staffed = searched.constant(&base.document, &base.file, found.agents)?;
        let chosen = found.chosen();
        let report = RunReport::new(&staffed, &chosen.replications)
            .with_distributions(&chosen.distributions);
        let mut files = report.files();
        files.push((
            "staffing.csv",
            levels_csv(
                &found,
                &settings.targets,
                &searched,
                Features::of(&staffed.model),
            ),
        ));
        let how = match searched.group() {
            None => format!("constant staffing, {} agents", found.agents),
            Some(g) => format!(
                "constant staffing of group {g}, {} agents ({}; the other groups as in the \
                 scenario)",
                found.agents,
                searched.key(false)
            ),
        };
        files.push((
            "staffed.toml",
            staffed_toml(&staffed, &settings.targets, &how),
        ));
        // The intervals whose own contacts miss the targets at this staffing (the day as a
        // whole can meet them while the peak does not).
        let window = experiment::window(&staffed);
        let entries = vec![found.agents; staffed.run.intervals];
        let judged = per_interval(&chosen.replications, &located, &window);
        files.push((
            "staffing_intervals.csv",
            intervals_csv(
                &staffed.run,
                &window,
                &entries,
                &judged,
                &settings.targets,
                &searched,
                Features::of(&staffed.model),
            ),
        ));
        folder::write(&out, Kind::Staff, &files)
            .with_context(|| format!("cannot write the results into {}", out.display()))?;
        if args.plots {
            crate::report::render::report(&out, &[], c.force)?;
        }
        if !c.quiet {
            let mut text = format!(
                "{}: the smallest constant staffing{} meeting {targets} is {} agents{}\n\n",
                base.name,
                of_group(&searched),
                found.agents,
                others(&searched)
            );
            text += &levels_table(&found, &settings.targets);
            if let Some(d) = doubt(&found) {
                text += &format!("\nnote: {d}\n");
            }
            text += &format!("\nwritten to {}\n", out.display());
            print_stdout(&text)?;
            print_run_warnings(&report, &out);
            warn_intervals(
                &staffed.run,
                &window,
                &judged,
                &settings.targets,
                &format!(
                    "the constant staffing of {} agents meets the targets over the whole window, \
                     but the contacts of these intervals are not shown to meet them \
                     (staffing_intervals.csv; --per-interval staffs each interval)",
                    found.agents
                ),
            );
        }
        return Ok(());
    }

    let plan =
        c.with_threads(|| search_per_interval_of(&base, &searched, &settings, &control))??;
    // The whole plan, run once more with --max-reps replications: the KPIs each interval gets
    // with the later intervals at their own staffing, known as precisely as the search allowed.
    let staffed = searched.plan(&base.document, &base.file, &plan.staffing)?;
    let mut staffed_doc = staffed.document.clone();
    let reps = settings.max_replications.max(base.run.replications);
    scenario::apply_override(&mut staffed_doc, &format!("run.replications={reps}"))?;
    let staffed = scenario::from_document(staffed_doc, &base.file)?;
    let (reps, distributions) = c.with_threads(|| experiment::run_pooled(&staffed))??;
    let window = experiment::window(&staffed);
    let summaries = per_interval(&reps, &located, &window);
    let report = RunReport::new(&staffed, &reps).with_distributions(&distributions);
    let mut files = report.files();
    files.push((
        "staffing.csv",
        intervals_csv(
            &staffed.run,
            &window,
            &plan.staffing,
            &summaries,
            &settings.targets,
            &searched,
            Features::of(&staffed.model),
        ),
    ));
    files.push(("plan.csv", plan_csv(&staffed.run, &plan.staffing)));
    let how = match searched.group() {
        None => "staffing per interval (staffing.agents_per_interval)".to_string(),
        Some(g) => format!(
            "staffing of group {g} per interval ({}; the other groups as in the scenario)",
            searched.key(true)
        ),
    };
    // The scenario file keeps the scenario's own replications (the final run used --max-reps).
    let plain = searched.plan(&base.document, &base.file, &plan.staffing)?;
    files.push((
        "staffed.toml",
        staffed_toml(&plain, &settings.targets, &how),
    ));
    folder::write(&out, Kind::Staff, &files)
        .with_context(|| format!("cannot write the results into {}", out.display()))?;
    if args.plots {
        crate::report::render::report(&out, &[], c.force)?;
    }
    if !c.quiet {
        let mut text = format!(
            "{}: the smallest staffing{} per interval meeting {targets}{}\n\n{:>8} {:>6} {:>8} \
             {:>8}",
            base.name,
            of_group(&searched),
            others(&searched),
            "interval",
            "start",
            "agents",
            "verdict"
        );
        for t in &settings.targets {
            text += &format!(" {:>22}", t.column());
        }
        text.push('\n');
        for (i, s) in summaries.iter().enumerate() {
            let agents = plan.staffing[window.first_interval() + i];
            text += &format!(
                "{i:>8} {:>6} {agents:>8} {:>8}",
                staffed.run.clock(window.bounds(i).0),
                s.verdict(&settings.targets).name()
            );
            for k in 0..settings.targets.len() {
                text += &format!(" {:>22}", mean_ci(s.kpi(&settings.targets, k)));
            }
            text.push('\n');
        }
        for (i, found) in plan.searches.iter().enumerate() {
            if let Some(d) = doubt(found) {
                text += &format!("note: interval {i}: {d}\n");
            }
        }
        text += &format!(
            "(verdicts and KPIs from a final run of the whole plan, {} replications)\n",
            staffed.run.replications
        );
        text += &format!("\nwritten to {}\n", out.display());
        print_stdout(&text)?;
        print_run_warnings(&report, &out);
        warn_intervals(
            &staffed.run,
            &window,
            &summaries,
            &settings.targets,
            "in the final run of the whole plan, these intervals do not meet the targets (later \
             intervals are staffed differently than during their search); consider one more \
             agent there",
        );
    }
    Ok(())
}

/// Refuse bounds that cannot describe a search.
fn check_bounds(args: &StaffArgs, round: u32) -> anyhow::Result<()> {
    if args.min_agents > args.max_agents {
        anyhow::bail!(
            "--min-agents {} is above --max-agents {}: the search needs min <= max",
            args.min_agents,
            args.max_agents
        );
    }
    if args.max_reps < round {
        anyhow::bail!(
            "--max-reps {} is below the {round} replications of one round (--reps, or \
             run.replications): give --max-reps >= --reps",
            args.max_reps
        );
    }
    Ok(())
}

/// The judgement of `reps` on each reporting interval of `window`.
fn per_interval(
    reps: &[experiment::Replication],
    located: &[Option<usize>],
    window: &Window,
) -> Vec<Judged> {
    (0..window.intervals())
        .map(|i| Judged::of(reps, located, Scope::Interval(i)))
        .collect()
}

/// " of group NAME" for a group search, else nothing (the one-queue format's words).
fn of_group(searched: &Searched) -> String {
    searched
        .group()
        .map(|g| format!(" of group {g}"))
        .unwrap_or_default()
}

/// ", the other groups as in the scenario" for a group search.
fn others(searched: &Searched) -> &'static str {
    if searched.group().is_some() {
        " (the other groups as in the scenario)"
    } else {
        ""
    }
}

/// On stderr, the reporting intervals of `judged` whose targets are not met, with the KPIs
/// that fail, after a sentence saying what that means (at most 20 lines; all are in the CSV).
fn warn_intervals(
    run: &scenario::RunSettings,
    window: &Window,
    judged: &[Judged],
    targets: &[Target],
    what: &str,
) {
    const MAX_LINES: usize = 20;
    let failing: Vec<(usize, Verdict)> = judged
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.verdict(targets)))
        .filter(|(_, v)| *v != Verdict::Met)
        .collect();
    if failing.is_empty() {
        return;
    }
    eprintln!("warning: {what}:");
    for &(i, verdict) in failing.iter().take(MAX_LINES) {
        let (a, b) = window.bounds(i);
        let kpis: Vec<String> = (0..targets.len())
            .filter(|&k| judged[i].verdict_of(targets, k) != Verdict::Met)
            .map(|k| {
                format!(
                    "{} {} (target {})",
                    targets[k].column(),
                    describe(judged[i].kpi(targets, k).interval.as_ref()),
                    targets[k]
                )
            })
            .collect();
        eprintln!(
            "  interval {i} ({}–{}): {}: {}",
            run.clock(a),
            run.clock(b),
            verdict.name(),
            kpis.join(", ")
        );
    }
    if failing.len() > MAX_LINES {
        eprintln!("  … and {} more intervals", failing.len() - MAX_LINES);
    }
}

fn mean_ci(s: &experiment::KpiSummary) -> String {
    match &s.interval {
        None => "—".into(),
        Some(i) if i.low.is_nan() => short(i.mean),
        Some(i) => format!("{} ±{}", short(i.mean), short(0.5 * (i.high - i.low))),
    }
}

/// The levels the search ran, with the targets' KPIs.
fn levels_table(found: &Found, targets: &[Target]) -> String {
    let mut t = format!("{:>8} {:>6} {:>8}", "agents", "reps", "verdict");
    for target in targets {
        t += &format!(" {:>22}", target.column());
    }
    t.push('\n');
    for e in found.evaluations.values() {
        let Evaluation {
            agents,
            replications,
            judged,
            verdict,
            ..
        } = e;
        t += &format!(
            "{agents:>8} {:>6} {:>8}",
            replications.len(),
            verdict.name()
        );
        for k in 0..targets.len() {
            t += &format!(" {:>22}", mean_ci(judged.kpi(targets, k)));
        }
        if *agents == found.agents {
            t += "  ← chosen";
        }
        t.push('\n');
    }
    t
}
