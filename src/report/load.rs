//! Reading back the files a run, a sweep or a staffing search wrote, so that plots and the HTML report are built
//! from them alone (`ccsim report DIR` works without simulating again).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::experiment::staff::{Target, Verdict};
use crate::stats::{Interval, Kpi};

/// One KPI's mean and 95% interval, as in the CSV files (NaN when empty).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Estimate {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
    pub replications: u64,
}

impl Estimate {
    const UNDEFINED: Estimate = Estimate {
        mean: f64::NAN,
        low: f64::NAN,
        high: f64::NAN,
        replications: 0,
    };

    /// Half-width of the interval relative to the mean (NaN when undefined).
    pub fn relative_half_width(&self) -> f64 {
        0.5 * (self.high - self.low) / self.mean.abs()
    }
}

/// What a run folder holds.
#[derive(Clone, Debug)]
pub struct RunData {
    pub dir: PathBuf,
    pub run_json: serde_json::Value,
    /// One estimate per KPI, in [`Kpi::ALL`] order.
    pub summary: Vec<Estimate>,
    /// Per reporting interval: (start, end) clock labels and one estimate per KPI.
    pub intervals: Vec<IntervalData>,
    /// `distributions.csv`, when the run wrote one.
    pub distributions: Vec<DistributionRow>,
    /// `segment_intervals.csv` and `segments.csv`: each queue, channel and group, per interval
    /// and over the window (none for folders of versions before segments).
    pub segments: Vec<SegmentData>,
}

/// One segment's estimates per reporting interval, one per KPI (undefined where its scope
/// does not report the KPI).
#[derive(Clone, Debug)]
pub struct SegmentData {
    /// `queue`, `channel` or `group`.
    pub scope: String,
    pub name: String,
    /// Over the measured window (`segments.csv`), one per KPI; all undefined when the folder
    /// has no `segments.csv`.
    pub overall: Vec<Estimate>,
    pub intervals: Vec<Vec<Estimate>>,
}

#[derive(Clone, Debug)]
pub struct IntervalData {
    pub start: String,
    pub end: String,
    pub kpis: Vec<Estimate>,
}

/// One bucket of a pooled distribution (`distributions.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct DistributionRow {
    pub distribution: String,
    pub low: f64,
    pub high: f64,
    /// Samples (response times, waits) or agent-seconds (chats held).
    pub weight: f64,
    pub share: f64,
}

fn cell(text: &str) -> f64 {
    if text.is_empty() {
        f64::NAN
    } else {
        text.parse().unwrap_or(f64::NAN)
    }
}

/// `segment_intervals.csv` (`scope,segment,interval,start,end,kpi,mean,…`) and `segments.csv`
/// (`scope,segment,kpi,mean,…`) of `dir`, segments in file order. A missing file reads as no
/// rows: folders written before segments have neither, and a segment found in only one of the
/// two keeps undefined estimates for the other.
fn read_segments(dir: &Path, intervals: usize) -> anyhow::Result<Vec<SegmentData>> {
    let mut segments: Vec<SegmentData> = Vec::new();
    let path = dir.join("segment_intervals.csv");
    let rows = if path.exists() {
        read_csv(&path)?
    } else {
        Vec::new()
    };
    for rec in rows {
        let (scope, name) = (rec.get(0).unwrap_or(""), rec.get(1).unwrap_or(""));
        let i: usize = rec
            .get(2)
            .unwrap_or("")
            .parse()
            .with_context(|| format!("{}: an interval is not a number", path.display()))?;
        if segments
            .last()
            .map_or(true, |s| s.scope != scope || s.name != name)
        {
            segments.push(SegmentData::undefined(scope, name, intervals));
        }
        let seg = segments.last_mut().expect("just pushed");
        if let (Some(k), Some(row)) = (rec.get(5).and_then(Kpi::by_name), seg.intervals.get_mut(i))
        {
            row[k.index()] = estimate(&rec, 6);
        }
    }
    let path = dir.join("segments.csv");
    if path.exists() {
        for rec in read_csv(&path)? {
            let (scope, name) = (rec.get(0).unwrap_or(""), rec.get(1).unwrap_or(""));
            let Some(k) = rec.get(2).and_then(Kpi::by_name) else {
                continue;
            };
            let at = match segments
                .iter()
                .position(|s| s.scope == scope && s.name == name)
            {
                Some(at) => at,
                None => {
                    segments.push(SegmentData::undefined(scope, name, intervals));
                    segments.len() - 1
                }
            };
            segments[at].overall[k.index()] = estimate(&rec, 3);
        }
    }
    Ok(segments)
}

impl SegmentData {
    fn undefined(scope: &str, name: &str, intervals: usize) -> SegmentData {
        SegmentData {
            scope: scope.into(),
            name: name.into(),
            overall: vec![Estimate::UNDEFINED; Kpi::ALL.len()],
            intervals: vec![vec![Estimate::UNDEFINED; Kpi::ALL.len()]; intervals],
        }
    }
}

fn read_csv(path: &Path) -> anyhow::Result<Vec<csv::StringRecord>> {
    let mut r =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    r.records()
        .collect::<Result<_, _>>()
        .with_context(|| format!("{}: not a ccsim CSV file", path.display()))
}

/// Parse the `mean, ci95_low, ci95_high, std, replications` cells starting at `at`.
fn estimate(rec: &csv::StringRecord, at: usize) -> Estimate {
    let get = |i: usize| rec.get(at + i).unwrap_or("");
    Estimate {
        mean: cell(get(0)),
        low: cell(get(1)),
        high: cell(get(2)),
        replications: get(4).parse().unwrap_or(0),
    }
}

impl From<&crate::experiment::KpiSummary> for Estimate {
    fn from(s: &crate::experiment::KpiSummary) -> Estimate {
        s.interval.map_or(Estimate::UNDEFINED, |i| Estimate {
            mean: i.mean,
            low: i.low,
            high: i.high,
            replications: i.n,
        })
    }
}

impl RunData {
    /// What [`RunData::read`] would read back from the files of `report`, without writing or
    /// reading them (the numbers in the files read back exactly); distributions left out.
    pub fn from_report(report: &crate::report::RunReport, dir: &Path) -> RunData {
        let run_json = serde_json::from_slice(&report.run_json()).expect("run.json is JSON");
        let intervals = report
            .intervals
            .iter()
            .enumerate()
            .map(|(i, summary)| {
                let (a, b) = report.window.bounds(i);
                IntervalData {
                    start: report.scenario.run.clock(a),
                    end: report.scenario.run.clock(b),
                    kpis: summary.iter().map(Estimate::from).collect(),
                }
            })
            .collect();
        RunData {
            dir: dir.to_path_buf(),
            run_json,
            summary: report.summary.iter().map(Estimate::from).collect(),
            intervals,
            segments: report
                .segments
                .iter()
                .map(|seg| {
                    // As the CSV files have them: only the KPIs of the segment's scope.
                    let estimates = |summary: &[crate::experiment::KpiSummary]| -> Vec<Estimate> {
                        summary
                            .iter()
                            .map(|s| {
                                if seg.scope.shows(s.kpi, report.features) {
                                    Estimate::from(s)
                                } else {
                                    Estimate::UNDEFINED
                                }
                            })
                            .collect()
                    };
                    SegmentData {
                        scope: seg.scope.name().into(),
                        name: seg.name.clone(),
                        overall: estimates(&seg.summary),
                        intervals: seg.intervals.iter().map(|s| estimates(s)).collect(),
                    }
                })
                .collect(),
            distributions: Vec::new(),
        }
    }

    /// Read `summary.csv`, `intervals.csv`, `run.json` (and `distributions.csv`,
    /// `segments.csv` and `segment_intervals.csv` if present).
    pub fn read(dir: &Path) -> anyhow::Result<RunData> {
        let json_path = dir.join("run.json");
        let run_json: serde_json::Value = serde_json::from_slice(
            &std::fs::read(&json_path)
                .with_context(|| format!("cannot read {}", json_path.display()))?,
        )
        .with_context(|| format!("{}: not JSON", json_path.display()))?;
        let mut summary = vec![Estimate::UNDEFINED; Kpi::ALL.len()];
        for rec in read_csv(&dir.join("summary.csv"))? {
            if let Some(k) = rec.get(0).and_then(Kpi::by_name) {
                summary[k.index()] = estimate(&rec, 1);
            }
        }
        let mut intervals: Vec<IntervalData> = Vec::new();
        let days_column =
            std::fs::read_to_string(dir.join("intervals.csv")).is_ok_and(|t| t.starts_with("day,"));
        for mut rec in read_csv(&dir.join("intervals.csv"))? {
            // A run of several days (`run.days`) leads with a `day` column: the charts show
            // the days together (`all`).
            if days_column {
                if rec.get(0) != Some("all") {
                    continue;
                }
                rec = rec.iter().skip(1).collect();
            }
            let i: usize = rec.get(0).unwrap_or("").parse().context("intervals.csv")?;
            if i == intervals.len() {
                intervals.push(IntervalData {
                    start: rec.get(1).unwrap_or("").into(),
                    end: rec.get(2).unwrap_or("").into(),
                    kpis: vec![Estimate::UNDEFINED; Kpi::ALL.len()],
                });
            } else if i + 1 != intervals.len() {
                bail!(
                    "{}: intervals out of order",
                    dir.join("intervals.csv").display()
                );
            }
            if let Some(k) = rec.get(3).and_then(Kpi::by_name) {
                intervals[i].kpis[k.index()] = estimate(&rec, 4);
            }
        }
        let dist_path = dir.join("distributions.csv");
        let distributions = if dist_path.exists() {
            read_csv(&dist_path)?
                .iter()
                .map(|r| DistributionRow {
                    distribution: r.get(0).unwrap_or("").into(),
                    low: cell(r.get(1).unwrap_or("")),
                    high: cell(r.get(2).unwrap_or("")),
                    weight: cell(r.get(3).unwrap_or("")),
                    share: cell(r.get(4).unwrap_or("")),
                })
                .collect()
        } else {
            Vec::new()
        };
        let segments = read_segments(dir, intervals.len())?;
        Ok(RunData {
            dir: dir.to_path_buf(),
            run_json,
            summary,
            intervals,
            distributions,
            segments,
        })
    }

    /// A number from `run.json` at a `/`-separated path.
    pub fn number(&self, pointer: &str) -> f64 {
        self.run_json
            .pointer(pointer)
            .and_then(|v| v.as_f64())
            .unwrap_or(f64::NAN)
    }

    pub fn name(&self) -> String {
        self.run_json
            .pointer("/scenario/name")
            .and_then(|v| v.as_str())
            .unwrap_or("scenario")
            .to_string()
    }

    /// Agents on shift in each reporting interval (from the resolved staffing).
    pub fn staffing(&self) -> Vec<f64> {
        self.per_interval("staffing")
    }

    /// The chat slots on shift in each measured interval, every group's agents times its
    /// capacity; `None` for folders written before run.json gave them.
    pub fn slots(&self) -> Option<Vec<f64>> {
        self.run_json
            .pointer("/scenario/resolved/center/slots")
            .is_some()
            .then(|| self.per_interval("slots"))
    }

    /// A per-entry list of the center view (`staffing`, `slots`), one value per measured
    /// interval (the warm-up's entries skipped; the last entry carries on).
    fn per_interval(&self, key: &str) -> Vec<f64> {
        let staffing: Vec<f64> = self
            .run_json
            .pointer(&format!("/scenario/resolved/center/{key}"))
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_f64()).collect())
            .unwrap_or_default();
        let interval = self.number("/window/interval_s");
        let first = (self.number("/window/warmup_s") / interval).floor() as usize;
        (0..self.intervals.len())
            .map(|i| {
                staffing
                    .get(first + i)
                    .or(staffing.last())
                    .copied()
                    .unwrap_or(f64::NAN)
            })
            .collect()
    }

    /// The agents on shift as text: `12`, or `6–12` when the staffing changes by interval.
    pub fn agents_text(&self) -> String {
        let (lo, hi) = self
            .staffing()
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
        if lo == hi {
            format!("{hi}")
        } else {
            format!("{lo}–{hi}")
        }
    }

    /// The clock time of run time 0, seconds after midnight (`run.day_start`; 0 for folders
    /// written before it existed).
    pub fn day_start(&self) -> f64 {
        self.run_json
            .pointer("/scenario/resolved/run/day_start")
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0)
    }

    /// Reporting interval `i` (clipped to the measured window), as clock hours: hours after
    /// midnight of the run's first day.
    pub fn interval_clock_hours(&self, i: usize) -> (f64, f64) {
        let interval = self.number("/window/interval_s");
        let start = self.number("/window/warmup_s");
        let first = (start / interval).floor();
        let (a, b) = (
            ((first + i as f64) * interval).max(start),
            ((first + i as f64 + 1.0) * interval).min(start + self.number("/window/horizon_s")),
        );
        let day = self.day_start();
        ((day + a) / 3600.0, (day + b) / 3600.0)
    }

    /// Middle of reporting interval `i`, in clock hours.
    pub fn interval_mid_hours(&self, i: usize) -> f64 {
        let (a, b) = self.interval_clock_hours(i);
        0.5 * (a + b)
    }
}

/// What a staffing search's folder holds beyond the files of its staffed run: `staffing.csv`
/// and the targets (from the header of `staffed.toml`).
#[derive(Clone, Debug)]
pub struct StaffData {
    pub targets: Vec<Target>,
    /// The group searched (the `group` column), when the search staffed one group of a center.
    pub group: Option<String>,
    /// Interval by interval (`--per-interval`), or one constant level.
    pub per_interval: bool,
    pub rows: Vec<StaffRow>,
}

/// A row of `staffing.csv`: a level the constant search ran, or one interval of the plan.
#[derive(Clone, Debug)]
pub struct StaffRow {
    pub agents: u32,
    /// Per-interval search: the interval's index, start and end.
    pub interval: Option<(usize, String, String)>,
    /// Constant search: the replications the level ran, and whether it is the answer.
    pub replications: Option<u64>,
    pub chosen: bool,
    /// `met`, `missed` or `unclear`, as the search judged it.
    pub verdict: String,
    /// One estimate per KPI, in [`Kpi::ALL`] order (no replication counts: the CSV has none).
    pub kpis: Vec<Estimate>,
    /// One estimate per target, in order: its KPI on the center or on its segment.
    pub targets: Vec<Estimate>,
}

impl StaffData {
    pub fn read(dir: &Path) -> anyhow::Result<StaffData> {
        let toml_path = dir.join("staffed.toml");
        let text = std::fs::read_to_string(&toml_path)
            .with_context(|| format!("cannot read {}", toml_path.display()))?;
        let targets = text
            .lines()
            .find_map(|l| l.strip_prefix("# Targets: "))
            .with_context(|| format!("{}: no \"# Targets:\" line", toml_path.display()))?
            .split(", ")
            .map(|t| {
                t.parse::<Target>()
                    .map_err(|e| anyhow::anyhow!("{}: target {t:?}: {e}", toml_path.display()))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let path = dir.join("staffing.csv");
        let mut reader = csv::Reader::from_path(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let header = reader
            .headers()
            .with_context(|| format!("{}: no header", path.display()))?
            .clone();
        let col = |name: &str| header.iter().position(|h| h == name);
        let per_interval = col("interval").is_some();
        let bad = |what: &str| anyhow::anyhow!("{}: {what}", path.display());
        let mut rows = Vec::new();
        let mut group = None;
        for rec in reader.records() {
            let rec = rec.with_context(|| format!("{}: not a ccsim CSV file", path.display()))?;
            let get = |name: &str| col(name).and_then(|i| rec.get(i)).unwrap_or("");
            let estimate = |n: &str| Estimate {
                mean: cell(get(n)),
                low: cell(get(&format!("{n}_ci95_low"))),
                high: cell(get(&format!("{n}_ci95_high"))),
                replications: 0,
            };
            let kpis = Kpi::ALL.iter().map(|k| estimate(k.name())).collect();
            let by_target = targets.iter().map(|t| estimate(&t.column())).collect();
            if col("group").is_some() {
                group = Some(get("group").to_string());
            }
            rows.push(StaffRow {
                agents: get("agents").parse().map_err(|_| bad("bad agents cell"))?,
                interval: per_interval
                    .then(|| -> anyhow::Result<_> {
                        Ok((
                            get("interval")
                                .parse()
                                .map_err(|_| bad("bad interval cell"))?,
                            get("start").to_string(),
                            get("end").to_string(),
                        ))
                    })
                    .transpose()?,
                replications: get("replications").parse().ok(),
                chosen: get("chosen") == "true",
                verdict: get("verdict").to_string(),
                kpis,
                targets: by_target,
            });
        }
        Ok(StaffData {
            targets,
            group,
            per_interval,
            rows,
        })
    }
}

/// The verdict of `target` on an estimate read from a CSV file, by the search's own rule.
pub fn verdict(target: &Target, e: &Estimate) -> Verdict {
    let interval = e.mean.is_finite().then_some(Interval {
        mean: e.mean,
        low: e.low,
        high: e.high,
        std_dev: f64::NAN,
        n: e.replications,
    });
    target.verdict(interval.as_ref())
}

/// What a sweep folder holds: its plan and the tidy table.
#[derive(Clone, Debug)]
pub struct SweepData {
    pub dir: PathBuf,
    pub plan: crate::report::sweep::PlanFile,
    /// Per point (by index): `None` when skipped or not run; else one estimate per KPI.
    pub points: Vec<Option<Vec<Estimate>>>,
    /// With `--baseline`: the baseline's index, and per point each KPI's paired difference
    /// from it (`replications` unused, 0).
    pub baseline: Option<usize>,
    pub differences: Vec<Option<Vec<Estimate>>>,
}

impl SweepData {
    pub fn read(dir: &Path) -> anyhow::Result<SweepData> {
        let plan_path = dir.join("plan.json");
        let plan: crate::report::sweep::PlanFile = serde_json::from_slice(
            &std::fs::read(&plan_path)
                .with_context(|| format!("cannot read {}", plan_path.display()))?,
        )
        .with_context(|| format!("{}: not a ccsim plan.json", plan_path.display()))?;
        let keys = plan.vary.len();
        let mut points: Vec<Option<Vec<Estimate>>> = vec![None; plan.points.len()];
        let mut differences = points.clone();
        // sweep_long.csv: point, keys, kpi, mean, ci95_low, ci95_high, std, replications, and
        // with a baseline diff, diff_ci95_low, diff_ci95_high.
        let diff_at = 2 + keys + 5;
        for rec in read_csv(&dir.join("sweep_long.csv"))? {
            let p: usize = rec.get(0).unwrap_or("").parse().context("sweep_long.csv")?;
            let Some(k) = rec.get(1 + keys).and_then(Kpi::by_name) else {
                continue;
            };
            if p >= points.len() {
                bail!("{}: point {p} is not in the plan", dir.display());
            }
            let row = points[p].get_or_insert_with(|| vec![Estimate::UNDEFINED; Kpi::ALL.len()]);
            row[k.index()] = estimate(&rec, 2 + keys);
            if rec.len() > diff_at {
                let row =
                    differences[p].get_or_insert_with(|| vec![Estimate::UNDEFINED; Kpi::ALL.len()]);
                row[k.index()] = Estimate {
                    replications: 0,
                    ..estimate(&rec, diff_at)
                };
            }
        }
        // The baseline is the row of sweep.csv marked `true` in its `baseline` column.
        let mut baseline = None;
        let wide = dir.join("sweep.csv");
        if differences.iter().any(Option::is_some) && wide.exists() {
            let mut r = csv::Reader::from_path(&wide)
                .with_context(|| format!("cannot read {}", wide.display()))?;
            let column = r.headers()?.iter().position(|h| h == "baseline");
            if let Some(c) = column {
                for rec in r.records() {
                    let rec =
                        rec.with_context(|| format!("{}: not a ccsim CSV file", wide.display()))?;
                    if rec.get(c) == Some("true") {
                        baseline = rec.get(0).and_then(|p| p.parse().ok());
                    }
                }
            }
        }
        Ok(SweepData {
            dir: dir.to_path_buf(),
            plan,
            points,
            baseline,
            differences,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(json: serde_json::Value) -> RunData {
        RunData {
            dir: PathBuf::new(),
            run_json: json,
            summary: Vec::new(),
            intervals: Vec::new(),
            distributions: Vec::new(),
            segments: Vec::new(),
        }
    }

    #[test]
    fn day_start_is_read_back_with_0_for_older_folders() {
        let window =
            serde_json::json!({"warmup_s": 1800.0, "horizon_s": 3600.0, "interval_s": 1800.0});
        let old = run(serde_json::json!({"window": window}));
        assert_eq!(old.day_start(), 0.0);
        assert_eq!(old.interval_clock_hours(0), (0.5, 1.0));
        let new = run(serde_json::json!({
            "window": window,
            "scenario": {"resolved": {"run": {"day_start": 28800.0}}},
        }));
        assert_eq!(new.day_start(), 28800.0);
        assert_eq!(new.interval_clock_hours(1), (9.0, 9.5));
        assert_eq!(new.interval_mid_hours(0), 8.75);
    }
}
