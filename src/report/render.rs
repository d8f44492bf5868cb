//! `ccsim report DIR` (and `--plots`): the plots and `report.html` of a results folder, built
//! from the files the run, sweep or staffing search wrote. Plots go to `DIR/plots/` as SVG and
//! PNG, the page to `DIR/report.html`, all written atomically, into a folder ccsim wrote
//! ([`super::folder`]).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use super::figures::{run_figures, staff_figures, sweep_figures, Figure};
use super::folder::{self, Kind, State};
use super::html::{run_page, staff_page, sweep_page, PointIntervals};
use super::load::{RunData, StaffData, SweepData};
use super::sweep::point_dir;
use super::timeline::Timeline;
use crate::experiment::staff::Target;

/// Files by name, with their bytes.
type Files = Vec<(String, Vec<u8>)>;

/// Render each figure to SVG and PNG: the files for `plots/`, and the SVG text for the page.
fn render(figures: Vec<Figure>) -> anyhow::Result<(Files, Vec<(Figure, String)>)> {
    let mut files = Vec::new();
    let mut inline = Vec::new();
    for f in figures {
        let svg = f.chart.svg()?;
        files.push((format!("{}.svg", f.stem), svg.clone().into_bytes()));
        files.push((format!("{}.png", f.stem), f.chart.png()?));
        inline.push((f, svg));
    }
    Ok((files, inline))
}

fn write(
    dir: &Path,
    kind: Kind,
    plots: Files,
    page: String,
    force: bool,
) -> anyhow::Result<PathBuf> {
    let plots: Vec<(&str, Vec<u8>)> = plots.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    // A folder of an older ccsim (no marker) is taken over only with --force.
    folder::claim(dir, kind, force)?;
    folder::write_dir(&dir.join("plots"), Kind::Plots, &plots, force)?;
    folder::write(dir, kind, &[("report.html", page.into_bytes())])
        .with_context(|| format!("cannot write {}", dir.join("report.html").display()))?;
    Ok(dir.join("report.html"))
}

/// The kind of results folder `dir` is: its marker's, or with `force` (a folder written by an
/// older ccsim, without a marker) what its files say.
fn results_kind(dir: &Path, force: bool) -> anyhow::Result<Kind> {
    let guess = if dir.join("sweep_long.csv").exists() {
        Kind::Sweep
    } else if dir.join("staffing.csv").exists() {
        Kind::Staff
    } else {
        Kind::Run
    };
    match folder::state(dir)? {
        State::Marked(k @ (Kind::Run | Kind::Sweep | Kind::Staff | Kind::Point)) => Ok(k),
        State::Marked(Kind::Shard) => bail!(
            "{} holds ccsim shard files: merge them first (ccsim merge DIR... --out DIR), then \
             draw the report of the merged folder",
            dir.display()
        ),
        State::Missing => bail!("{}: no such folder", dir.display()),
        _ if force => Ok(guess),
        State::Foreign(_) | State::Empty => bail!(
            "{} was not written by this version of ccsim (it has no {} file), so ccsim does not \
             write into it. If it holds the results of an older ccsim, add --force: ccsim then \
             writes plots/ (its chart files only) and report.html there, and removes or changes \
             no other file",
            dir.display(),
            folder::MARKER
        ),
        _ => bail!(
            "{} is not the folder of a run, a sweep or a staffing search",
            dir.display()
        ),
    }
}

/// Refuse a `--target` on a segment: the plots it is drawn on show the center's KPIs.
pub fn check_targets(targets: &[Target]) -> anyhow::Result<()> {
    if let Some(t) = Target::on_segment(targets) {
        bail!(
            "--target {t}: the plots a target is drawn on show the center's KPIs; a target on a \
             queue, channel or group is for ccsim staff (give {} here)",
            t.kpi.name()
        );
    }
    Ok(())
}

/// Build the plots and the page of the run, sweep or staffing search in `dir`; returns the
/// page's path. `targets` centre a sweep's heat maps and are drawn on its KPI plots (a staffing
/// search uses its own). `force`: `dir` may be a results folder without ccsim's marker (see
/// [`folder`]).
pub fn report(dir: &Path, targets: &[Target], force: bool) -> anyhow::Result<PathBuf> {
    check_targets(targets)?;
    let kind = results_kind(dir, force)?;
    if dir.join("plan.json").exists() && dir.join("sweep_long.csv").exists() {
        let sweep = SweepData::read(dir)?;
        let mut intervals = Vec::new();
        for (p, summary) in sweep.points.iter().enumerate() {
            if summary.is_some() {
                let run = RunData::read(&point_dir(dir, p, sweep.plan.points.len()))?;
                intervals.push(PointIntervals { point: p, run });
            }
        }
        let (plots, inline) = render(sweep_figures(&sweep, targets))?;
        return write(
            dir,
            kind,
            plots,
            sweep_page(&sweep, &intervals, &inline),
            force,
        );
    }
    if dir.join("run.json").exists() && dir.join("staffing.csv").exists() {
        let run = RunData::read(dir)?;
        let staff = StaffData::read(dir)?;
        let mut figures = staff_figures(&run, &staff);
        figures.extend(run_figures(&run));
        let (plots, inline) = render(figures)?;
        let timeline = Timeline::read(dir, run.day_start())?;
        let page = staff_page(&run, &staff, &inline, timeline.as_ref());
        return write(dir, kind, plots, page, force);
    }
    if dir.join("run.json").exists() && dir.join("summary.csv").exists() {
        let run = RunData::read(dir)?;
        let (plots, inline) = render(run_figures(&run))?;
        let timeline = Timeline::read(dir, run.day_start())?;
        return write(
            dir,
            kind,
            plots,
            run_page(&run, &inline, timeline.as_ref()),
            force,
        );
    }
    bail!(
        "{} holds neither the files of a run (run.json, summary.csv) nor those of a finished \
         sweep (plan.json, sweep_long.csv)",
        dir.display()
    )
}
