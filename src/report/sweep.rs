//! The files of a sweep: `plan.json` (what the sweep computes, written first, so that a resumed
//! or merged sweep can check it is the same one), one folder per point with the files of a run
//! (written atomically as each point completes), and at the end `sweep.csv`, `sweep_long.csv`,
//! `sweep_segments.csv` (each point's segments: queues, channels, groups) and `skipped.csv`.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::folder::{self, FolderError, Kind};
use super::load::RunData;
use super::warnings::run_warnings;
use super::{kpi_cells, kpi_columns, number, short, RunReport};
use crate::experiment::grid::Vary;
use crate::experiment::sweep::{Plan, PlanError, PointResult, Precision, Shortfall};
use crate::experiment::{
    paired_differences, paired_differences_of, segments, summarise, KpiSummary, Replication, Scope,
    SegmentValues,
};
use crate::stats::Features;
use crate::stats::Kpi;

/// Everything needed to rebuild a [`Plan`]: what `plan.json` holds.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PlanFile {
    pub ccsim_version: String,
    /// `"run"` (no varied key: the files of a run at the top of the folder) or `"sweep"`.
    pub kind: String,
    pub scenario_file: PathBuf,
    /// The scenario with every `--set` applied, as TOML.
    pub base_document: String,
    pub vary: Vec<Vary>,
    pub independent_streams: bool,
    pub precision: Option<Precision>,
    /// Each point's values and whether it runs (informative: rebuilt from the above).
    pub points: Vec<serde_json::Value>,
}

impl PlanFile {
    pub fn new(plan: &Plan, kind: &str, precision: Option<Precision>) -> PlanFile {
        let points = plan
            .points
            .iter()
            .map(|p| {
                let values: serde_json::Map<String, serde_json::Value> = plan
                    .vary
                    .iter()
                    .zip(&p.values)
                    .map(|(v, x)| (v.key.clone(), json!(x)))
                    .collect();
                match &p.scenario {
                    Ok(_) => json!({ "point": p.index, "values": values, "status": "ok" }),
                    Err(e) => json!({
                        "point": p.index, "values": values, "status": "skipped",
                        "error": e.to_string(),
                    }),
                }
            })
            .collect();
        PlanFile {
            ccsim_version: env!("CARGO_PKG_VERSION").into(),
            kind: kind.into(),
            scenario_file: plan.file.clone(),
            base_document: toml::to_string(&plan.base).expect("a TOML table serialises"),
            vary: plan.vary.clone(),
            independent_streams: plan.independent_streams,
            precision,
            points,
        }
    }

    /// What makes two plans the same study, field by field (a label for messages, the value):
    /// everything but the folder part of the scenario's path — `scenarios/x.toml`,
    /// `./scenarios/x.toml` and `/home/me/scenarios/x.toml` name one study, whose content is in
    /// `base_document` — and the points, which are rebuilt from the rest.
    fn identity(&self) -> Vec<(&'static str, serde_json::Value)> {
        let file_name = self
            .scenario_file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        let vary: Vec<String> = self
            .vary
            .iter()
            .map(|v| format!("{}={}", v.key, v.values.join(",")))
            .collect();
        vec![
            ("the ccsim version", json!(self.ccsim_version)),
            ("the kind of study (run or sweep)", json!(self.kind)),
            ("the scenario file name", json!(file_name)),
            ("the scenario", json!(self.base_document)),
            ("--vary", json!(vary.join(" --vary "))),
            ("--independent-streams", json!(self.independent_streams)),
            ("--precision", json!(self.precision)),
        ]
    }

    /// A fingerprint of the study ([`super::partial::fingerprint`] of its identity): the same
    /// for every shard of one study, whatever path the scenario was named by.
    pub fn fingerprint(&self) -> String {
        let identity: Vec<serde_json::Value> =
            self.identity().into_iter().map(|(_, v)| v).collect();
        let identity = serde_json::to_vec(&identity).expect("JSON of plain values");
        super::partial::fingerprint(&identity)
    }

    /// Where `other` describes another study than `self`, in words: the first field that
    /// differs (a scenario key by its dotted name) and both values, `run.seed: 1 vs 2`.
    pub fn difference(&self, other: &PlanFile) -> Option<String> {
        let (a, b) = (self.identity(), other.identity());
        let (label, x, y) = a
            .iter()
            .zip(&b)
            .find(|((_, x), (_, y))| x != y)
            .map(|((label, x), (_, y))| (*label, x, y))?;
        if label == "the scenario" {
            let parse = |doc: &str| doc.parse::<toml::Table>().unwrap_or_default();
            let (ta, tb) = (parse(&self.base_document), parse(&other.base_document));
            if let Some(d) = table_difference(&ta, &tb, "") {
                return Some(d);
            }
        }
        let show = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Some(format!("{label}: {} vs {}", show(x), show(y)))
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("JSON of plain values");
        bytes.push(b'\n');
        bytes
    }

    /// Read `plan.json` and rebuild its plan; the plan must give back the same file.
    pub fn read(path: &Path) -> anyhow::Result<(PlanFile, Plan, Vec<u8>)> {
        use anyhow::Context;
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let file: PlanFile = serde_json::from_slice(&bytes)
            .with_context(|| format!("{}: not a ccsim plan.json", path.display()))?;
        let base: toml::Table = file
            .base_document
            .parse()
            .with_context(|| format!("{}: base_document is not TOML", path.display()))?;
        let plan = Plan::new(
            &file.scenario_file,
            base,
            file.vary.clone(),
            file.independent_streams,
        )
        .map_err(|e: PlanError| anyhow::anyhow!("{}: {e}", path.display()))?;
        if PlanFile::new(&plan, &file.kind, file.precision.clone()).to_bytes() != bytes {
            anyhow::bail!(
                "{} was written by another version of ccsim or edited: it does not describe the \
                 sweep it would give today",
                path.display()
            );
        }
        Ok((file, plan, bytes))
    }
}

/// The first key whose value differs between two TOML tables, with both values
/// (`run.seed: 1 vs 2`, `run.drain: "1h" vs (not set)`), keys in sorted order.
fn table_difference(a: &toml::Table, b: &toml::Table, prefix: &str) -> Option<String> {
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let show = |v: Option<&toml::Value>| v.map_or("(not set)".to_string(), |v| v.to_string());
    keys.into_iter().find_map(|k| {
        let path = format!("{prefix}{k}");
        match (a.get(k), b.get(k)) {
            (Some(toml::Value::Table(x)), Some(toml::Value::Table(y))) => {
                table_difference(x, y, &format!("{path}."))
            }
            (x, y) if x != y => Some(format!("{path}: {} vs {}", show(x), show(y))),
            _ => None,
        }
    })
}

/// The folder of point `index` in a sweep of `points` points: `points/p0007`.
pub fn point_dir(out: &Path, index: usize, points: usize) -> PathBuf {
    let width = points.saturating_sub(1).to_string().len().max(4);
    out.join("points").join(format!("p{index:0width$}"))
}

/// What the sweep's tables need of a finished point.
struct Row {
    summary: Vec<KpiSummary>,
    /// Each segment of the point's center (in [`segments`] order) and its summary over the
    /// window.
    segments: Vec<(Scope, String, Vec<KpiSummary>)>,
    replications: usize,
    /// With a target precision: the KPIs that did not reach it.
    missing: Option<Vec<Shortfall>>,
}

/// Collects finished points, writes each one's folder, then the sweep's tables.
pub struct SweepWriter<'a> {
    out: PathBuf,
    plan: &'a Plan,
    precision: Option<Precision>,
    rows: Vec<Option<Row>>,
    /// `--force`: point folders without ccsim's marker may be written (see [`folder`]).
    force: bool,
    /// `--baseline`: the point every other one is compared with.
    baseline: Option<usize>,
    /// With a baseline: each finished point's replications (values over the window only, the
    /// center's and the segments'), for the paired differences.
    overall: Vec<Option<Vec<Replication>>>,
    /// The warnings of each finished point ([`run_warnings`]), for the terminal.
    warnings: Vec<Vec<String>>,
}

impl<'a> SweepWriter<'a> {
    /// A writer into `out`, a folder already claimed as a sweep's ([`folder::claim`]).
    pub fn new(out: &Path, plan: &'a Plan, precision: Option<Precision>, force: bool) -> Self {
        SweepWriter {
            out: out.to_path_buf(),
            plan,
            precision,
            rows: plan.points.iter().map(|_| None).collect(),
            force,
            baseline: None,
            overall: Vec::new(),
            warnings: plan.points.iter().map(|_| Vec::new()).collect(),
        }
    }

    /// Compare every point with point `baseline` (paired differences in the tables).
    pub fn with_baseline(mut self, baseline: Option<usize>) -> Self {
        self.baseline = baseline;
        self.overall = self.plan.points.iter().map(|_| None).collect();
        self
    }

    /// Keep a point's overall values when differences are wanted.
    fn keep(&mut self, point: usize, reps: &[Replication]) {
        if self.baseline.is_some() {
            self.overall[point] = Some(
                reps.iter()
                    .map(|r| Replication {
                        index: r.index,
                        overall: r.overall.clone(),
                        intervals: Vec::new(),
                        distributions: None,
                        segments: r
                            .segments
                            .iter()
                            .map(|s| SegmentValues {
                                overall: s.overall.clone(),
                                intervals: Vec::new(),
                            })
                            .collect(),
                        days: Vec::new(),
                        dispositions: Vec::new(),
                    })
                    .collect(),
            );
        }
    }

    /// The paired differences of point `p` from the baseline, when both are known.
    fn differences(&self, p: usize) -> Option<Vec<KpiSummary>> {
        let b = self.overall.get(self.baseline?)?.as_ref()?;
        Some(paired_differences(self.overall[p].as_ref()?, b))
    }

    /// The paired differences of segment `k` of point `p` from the same segment (same scope
    /// and name) of the baseline, when both are known.
    fn segment_differences(&self, p: usize, k: usize) -> Option<Vec<KpiSummary>> {
        let b = self.baseline?;
        let (scope, name, _) = &self.rows[p].as_ref()?.segments[k];
        let kb = self.rows[b]
            .as_ref()?
            .segments
            .iter()
            .position(|(s, n, _)| s == scope && n == name)?;
        let (reps, base) = (self.overall[p].as_ref()?, self.overall[b].as_ref()?);
        Some(paired_differences_of(
            reps,
            |r| r.segment_overall(k),
            base,
            |r| r.segment_overall(kb),
        ))
    }

    /// Whether point `index` is already written (by an earlier, interrupted run).
    pub fn is_done(&self, index: usize) -> bool {
        self.rows[index].is_some()
    }

    /// Take over the points an interrupted run completed: their folders hold every file, and
    /// their replications give back the same summaries.
    pub fn resume(&mut self) -> anyhow::Result<usize> {
        let mut found = 0;
        for p in &self.plan.points {
            let dir = point_dir(&self.out, p.index, self.plan.points.len());
            if p.scenario.is_err() || !dir.join("run.json").exists() {
                continue;
            }
            let segment_file = dir.join("segment_replications.csv");
            if !segment_file.exists() {
                // Written by a ccsim before segment_replications.csv: run the point again
                // (the same replications give the same files).
                continue;
            }
            let mut reps = read_replications(&dir.join("replications.csv"))?;
            let scenario = self.plan.scenario(p.index);
            let segs = segments(scenario);
            read_segment_replications(
                &segment_file,
                &segs,
                Features::of(&scenario.model),
                &mut reps,
            )?;
            self.keep(p.index, &reps);
            self.warnings[p.index] = run_warnings(&RunData::read(&dir)?);
            self.rows[p.index] = Some(Row {
                summary: summarise(&reps, |r| &r.overall),
                segments: segment_rows(segs, &reps),
                replications: reps.len(),
                missing: self.precision.as_ref().map(|pr| pr.shortfalls(&reps)),
            });
            found += 1;
        }
        Ok(found)
    }

    /// Write a finished point's folder (atomically) and keep its summary.
    pub fn point(&mut self, result: PointResult) -> Result<(), FolderError> {
        let scenario = self.plan.scenario(result.point);
        let report = RunReport::new(scenario, &result.replications)
            .with_distributions(&result.distributions);
        let dir = point_dir(&self.out, result.point, self.plan.points.len());
        folder::write_dir(&dir, Kind::Point, &report.files(), self.force)?;
        self.keep(result.point, &result.replications);
        self.warnings[result.point] = run_warnings(&RunData::from_report(&report, &dir));
        self.rows[result.point] = Some(Row {
            missing: self
                .precision
                .as_ref()
                .map(|pr| pr.shortfalls(&result.replications)),
            summary: report.summary,
            segments: segment_rows(segments(scenario), &result.replications),
            replications: result.replications.len(),
        });
        Ok(())
    }

    /// Write `sweep.csv`, `sweep_long.csv`, `sweep_segments.csv` and `skipped.csv`.
    pub fn finish(self) -> Result<(), FolderError> {
        folder::write(
            &self.out,
            Kind::Sweep,
            &[
                ("sweep.csv", self.sweep_csv()),
                ("sweep_long.csv", self.sweep_long_csv()),
                ("sweep_segments.csv", self.sweep_segments_csv()),
                ("skipped.csv", self.skipped_csv()),
            ],
        )
    }

    /// A short table for the terminal: headline KPIs per point (at most 100 rows; the rest
    /// are in sweep.csv).
    pub fn terminal_table(&self) -> String {
        const HEADLINE: [Kpi; 4] = [
            Kpi::ServiceLevel,
            Kpi::AbandonRate,
            Kpi::ResponseMean,
            Kpi::ResponsesRedShare,
        ];
        const MAX_ROWS: usize = 100;
        let mut t = format!("{:>6}", "point");
        for key in self.keys() {
            t += &format!(" {key:>18}");
        }
        t += &format!(" {:>5}", "reps");
        for k in HEADLINE {
            t += &format!(" {:>20}", k.name());
        }
        t.push('\n');
        let done: Vec<_> = self
            .plan
            .points
            .iter()
            .zip(&self.rows)
            .filter_map(|(p, row)| Some((p, row.as_ref()?)))
            .collect();
        for (p, row) in done.iter().take(MAX_ROWS) {
            let (summary, reps) = (&row.summary, row.replications);
            t += &format!("{:>6}", p.index);
            for v in &p.values {
                t += &format!(" {v:>18}");
            }
            t += &format!(" {reps:>5}");
            for k in HEADLINE {
                let mean = summary[k.index()].interval.map_or(f64::NAN, |i| i.mean);
                t += &format!(" {:>20}", short(mean));
            }
            t.push('\n');
        }
        if done.len() > MAX_ROWS {
            t += &format!("… {} more points in sweep.csv\n", done.len() - MAX_ROWS);
        }
        t
    }

    /// With `--precision`: the points that did not reach it, each with its settings
    /// (`key=value, …`), replications and the KPIs too wide.
    pub fn precision_shortfalls(&self) -> Vec<(usize, String, usize, &[Shortfall])> {
        self.plan
            .points
            .iter()
            .zip(&self.rows)
            .filter_map(|(p, row)| {
                let row = row.as_ref()?;
                let missing = row.missing.as_deref().filter(|m| !m.is_empty())?;
                let values: Vec<String> = self
                    .keys()
                    .zip(&p.values)
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                Some((p.index, values.join(", "), row.replications, missing))
            })
            .collect()
    }

    /// Every finished point's warnings, each with the point it is about
    /// (`point 3 (staffing.agents=6)`), in point order.
    pub fn warnings(&self) -> Vec<(String, String)> {
        self.plan
            .points
            .iter()
            .zip(&self.warnings)
            .flat_map(|(p, ws)| {
                let values: Vec<String> = self
                    .keys()
                    .zip(&p.values)
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                let what = format!("point {} ({})", p.index, values.join(", "));
                ws.iter().map(move |w| (what.clone(), w.clone()))
            })
            .collect()
    }

    /// Points with a finished row.
    pub fn points_done(&self) -> usize {
        self.rows.iter().filter(|r| r.is_some()).count()
    }

    /// What the points report: the KPIs of the optional parts some point has.
    fn features(&self) -> Features {
        self.plan
            .points
            .iter()
            .filter_map(|p| p.scenario.as_ref().ok())
            .fold(Features::default(), |f, s| f.or(Features::of(&s.model)))
    }

    fn keys(&self) -> impl Iterator<Item = &str> {
        self.plan.vary.iter().map(|v| v.key.as_str())
    }

    /// One row per point: point, varied keys, replications, then each KPI's mean and interval.
    fn sweep_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = vec!["point".into()];
        header.extend(self.keys().map(String::from));
        header.push("replications".into());
        if self.precision.is_some() {
            header.push("precision_met".into());
            header.push("precision_missing".into());
        }
        let features = self.features();
        header.extend(kpi_columns(features));
        if self.baseline.is_some() {
            header.push("baseline".into());
            header.extend(kpi_columns(features).map(|c| diff_column(&c)));
        }
        w.write_record(&header).expect("write to memory");
        for (p, row) in self.plan.points.iter().zip(&self.rows) {
            let Some(row) = row else {
                continue;
            };
            let mut rec: Vec<String> = vec![p.index.to_string()];
            rec.extend(p.values.iter().cloned());
            rec.push(row.replications.to_string());
            if let Some(missing) = &row.missing {
                let names: Vec<&str> = missing.iter().map(|s| s.kpi.name()).collect();
                rec.push(missing.is_empty().to_string());
                rec.push(names.join(";"));
            }
            rec.extend(kpi_cells(&row.summary, features));
            if let Some(b) = self.baseline {
                rec.push((p.index == b).to_string());
                match self.differences(p.index) {
                    Some(d) => rec.extend(kpi_cells(&d, features)),
                    None => rec.extend(kpi_columns(features).map(|_| String::new())),
                }
            }
            w.write_record(&rec).expect("write to memory");
        }
        w.into_inner().expect("flush to memory")
    }

    /// Tidy form: one row per point and KPI.
    fn sweep_long_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<&str> = vec!["point"];
        header.extend(self.keys());
        header.extend(self.long_header());
        w.write_record(&header).expect("write to memory");
        for (p, row) in self.plan.points.iter().zip(&self.rows) {
            let Some(row) = row else {
                continue;
            };
            let differences = self.differences(p.index);
            let features = self.features();
            for s in row.summary.iter().filter(|s| features.reports(s.kpi)) {
                let mut rec: Vec<String> = vec![p.index.to_string()];
                rec.extend(p.values.iter().cloned());
                rec.extend(self.long_cells(s, differences.as_deref()));
                w.write_record(&rec).expect("write to memory");
            }
        }
        w.into_inner().expect("flush to memory")
    }

    /// Tidy form per segment: one row per point, segment and KPI of the segment's scope (the
    /// KPIs and rows of the point's `segments.csv`).
    fn sweep_segments_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<&str> = vec!["point"];
        header.extend(self.keys());
        header.extend(["scope", "segment"]);
        header.extend(self.long_header());
        w.write_record(&header).expect("write to memory");
        let features = self.features();
        for (p, row) in self.plan.points.iter().zip(&self.rows) {
            let Some(row) = row else {
                continue;
            };
            for (k, (scope, name, summary)) in row.segments.iter().enumerate() {
                let differences = self.segment_differences(p.index, k);
                for s in summary.iter().filter(|s| scope.shows(s.kpi, features)) {
                    let mut rec: Vec<String> = vec![p.index.to_string()];
                    rec.extend(p.values.iter().cloned());
                    rec.extend([scope.name().to_string(), name.clone()]);
                    rec.extend(self.long_cells(s, differences.as_deref()));
                    w.write_record(&rec).expect("write to memory");
                }
            }
        }
        w.into_inner().expect("flush to memory")
    }

    /// The columns of a tidy table after the point's own: `kpi`, the summary's, and with a
    /// baseline the difference's.
    fn long_header(&self) -> Vec<&'static str> {
        let mut header = vec![
            "kpi",
            "mean",
            "ci95_low",
            "ci95_high",
            "std",
            "replications",
        ];
        if self.baseline.is_some() {
            header.extend(["diff", "diff_ci95_low", "diff_ci95_high"]);
        }
        header
    }

    /// The cells under [`Self::long_header`] for KPI summary `s`, with the differences of its
    /// point (or segment) from the baseline when known.
    fn long_cells(&self, s: &KpiSummary, differences: Option<&[KpiSummary]>) -> Vec<String> {
        let mut rec: Vec<String> = vec![s.kpi.name().into()];
        rec.extend(kpi_cells(std::slice::from_ref(s), Features::ALL));
        let (std, n) = s
            .interval
            .as_ref()
            .map_or((String::new(), 0), |i| (number(i.std_dev), i.n));
        rec.extend([std, n.to_string()]);
        if self.baseline.is_some() {
            match differences {
                Some(d) => rec.extend(kpi_cells(
                    std::slice::from_ref(&d[s.kpi.index()]),
                    Features::ALL,
                )),
                None => rec.extend([String::new(), String::new(), String::new()]),
            }
        }
        rec
    }

    /// The points whose settings are invalid, and why.
    fn skipped_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<&str> = vec!["point"];
        header.extend(self.keys());
        header.push("error");
        w.write_record(&header).expect("write to memory");
        for p in &self.plan.points {
            if let Err(e) = &p.scenario {
                let mut rec: Vec<String> = vec![p.index.to_string()];
                rec.extend(p.values.iter().cloned());
                rec.push(e.to_string());
                w.write_record(&rec).expect("write to memory");
            }
        }
        w.into_inner().expect("flush to memory")
    }
}

/// The summary over the window of each segment of a point (`segs`, in [`segments`] order).
fn segment_rows(
    segs: Vec<(Scope, String)>,
    reps: &[Replication],
) -> Vec<(Scope, String, Vec<KpiSummary>)> {
    segs.into_iter()
        .enumerate()
        .map(|(k, (scope, name))| {
            let summary = summarise(reps, |r| r.segment_overall(k));
            (scope, name, summary)
        })
        .collect()
}

/// `service_level` → `service_level_diff`, `service_level_ci95_low` →
/// `service_level_diff_ci95_low`: the columns of the difference from the baseline.
fn diff_column(column: &str) -> String {
    for suffix in ["_ci95_low", "_ci95_high"] {
        if let Some(kpi) = column.strip_suffix(suffix) {
            return format!("{kpi}_diff{suffix}");
        }
    }
    format!("{column}_diff")
}

/// The overall KPI values of each replication, read back from a `replications.csv` (numbers
/// there are written exactly, so they read back bit for bit).
pub fn read_replications(path: &Path) -> anyhow::Result<Vec<Replication>> {
    use anyhow::Context;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let bad =
        |line: usize| anyhow::anyhow!("{}:{line}: not a ccsim replications.csv", path.display());
    let mut reps: Vec<Replication> = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let mut cells = line.split(',');
        let (Some(index), Some(kpi), Some(value)) = (cells.next(), cells.next(), cells.next())
        else {
            return Err(bad(n + 1));
        };
        let index: u32 = index.parse().map_err(|_| bad(n + 1))?;
        let value = if value.is_empty() {
            f64::NAN
        } else {
            value.parse().map_err(|_| bad(n + 1))?
        };
        if reps.last().map(|r| r.index) != Some(index) {
            reps.push(Replication {
                index,
                overall: Vec::with_capacity(Kpi::ALL.len()),
                intervals: Vec::new(),
                distributions: None,
                segments: Vec::new(),
                days: Vec::new(),
                dispositions: Vec::new(),
            });
        }
        let r = reps.last_mut().expect("just pushed");
        // Rows in KPI order; the KPIs of an optional part the point lacks are not there.
        while let Some(k) = Kpi::ALL.get(r.overall.len()) {
            if k.name() == kpi || k.feature().is_none() {
                break;
            }
            r.overall.push(f64::NAN);
        }
        if Kpi::ALL.get(r.overall.len()).map(|k| k.name()) != Some(kpi) {
            return Err(bad(n + 1));
        }
        r.overall.push(value);
    }
    for r in &mut reps {
        while let Some(k) = Kpi::ALL.get(r.overall.len()) {
            if k.feature().is_none() {
                return Err(bad(text.lines().count()));
            }
            r.overall.push(f64::NAN);
        }
    }
    Ok(reps)
}

/// Fill `reps` (read from the same folder's `replications.csv`) with their segments' values
/// from a `segment_replications.csv` of the segments `segs`: rows in the order ccsim writes
/// them (replication, segment, KPI of its scope), numbers exact, so they read back bit for
/// bit. A KPI the segment's scope does not report is left undefined.
pub fn read_segment_replications(
    path: &Path,
    segs: &[(Scope, String)],
    features: Features,
    reps: &mut [Replication],
) -> anyhow::Result<()> {
    use anyhow::Context;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let bad = |line: usize, why: &str| {
        anyhow::anyhow!(
            "{}:{line}: not the segment_replications.csv of this point ({why})",
            path.display()
        )
    };
    let mut lines = text.lines().enumerate().skip(1).peekable();
    for r in reps.iter_mut() {
        r.segments = vec![
            SegmentValues {
                overall: vec![f64::NAN; Kpi::ALL.len()],
                intervals: Vec::new(),
            };
            segs.len()
        ];
        for (k, (scope, name)) in segs.iter().enumerate() {
            for kpi in Kpi::ALL.iter().filter(|&&kpi| scope.shows(kpi, features)) {
                let expected = format!("{},{},{},{},", r.index, scope.name(), name, kpi.name());
                let Some((n, line)) = lines.next() else {
                    return Err(bad(text.lines().count(), &format!("no row {expected}…")));
                };
                let value = line
                    .strip_prefix(&expected)
                    .ok_or_else(|| bad(n + 1, &format!("expected a row {expected}…")))?;
                r.segments[k].overall[kpi.index()] = if value.is_empty() {
                    f64::NAN
                } else {
                    value
                        .parse()
                        .map_err(|_| bad(n + 1, &format!("{value:?} is not a number")))?
                };
            }
        }
        // The dispositions' rows follow the replication's segments: a sweep compares the
        // queues, channels and groups only.
        let disposition = format!("{},{},", r.index, Scope::Disposition.name());
        while lines
            .peek()
            .is_some_and(|(_, line)| line.starts_with(&disposition))
        {
            lines.next();
        }
    }
    if let Some((n, _)) = lines.next() {
        return Err(bad(n + 1, "more rows than replications × segments × KPIs"));
    }
    Ok(())
}
