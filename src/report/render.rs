//! `ccsim report DIR` (and `--plots`): the plots and `report.html` of a results folder, built
//! from the files the run, sweep or staffing search wrote. Plots go to `DIR/plots/` as SVG and PNG, the page to
//! `DIR/report.html`, all written atomically.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use super::figures::{run_figures, staff_figures, sweep_figures, Figure};
use super::html::{run_page, staff_page, sweep_page, PointIntervals};
use super::load::{RunData, StaffData, SweepData};
use super::sweep::point_dir;
use super::{write_dir, write_files};
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

fn write(dir: &Path, plots: Files, page: String) -> anyhow::Result<PathBuf> {
    let plots: Vec<(&str, Vec<u8>)> = plots.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    write_dir(&dir.join("plots"), &plots)
        .with_context(|| format!("cannot write {}", dir.join("plots").display()))?;
    write_files(dir, &[("report.html", page.into_bytes())])
        .with_context(|| format!("cannot write {}", dir.join("report.html").display()))?;
    Ok(dir.join("report.html"))
}

/// Build the plots and the page of the run, sweep or staffing search in `dir`; returns the
/// page's path. `targets` centre a sweep's heat maps and are drawn on its KPI plots (a staffing
/// search uses its own).
pub fn report(dir: &Path, targets: &[Target]) -> anyhow::Result<PathBuf> {
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
        return write(dir, plots, sweep_page(&sweep, &intervals, &inline));
    }
    if dir.join("run.json").exists() && dir.join("staffing.csv").exists() {
        let run = RunData::read(dir)?;
        let staff = StaffData::read(dir)?;
        let mut figures = staff_figures(&run, &staff);
        figures.extend(run_figures(&run));
        let (plots, inline) = render(figures)?;
        return write(dir, plots, staff_page(&run, &staff, &inline));
    }
    if dir.join("run.json").exists() && dir.join("summary.csv").exists() {
        let run = RunData::read(dir)?;
        let (plots, inline) = render(run_figures(&run))?;
        return write(dir, plots, run_page(&run, &inline));
    }
    bail!(
        "{} holds neither the files of a run (run.json, summary.csv) nor those of a finished \
         sweep (plan.json, sweep_long.csv)",
        dir.display()
    )
}
