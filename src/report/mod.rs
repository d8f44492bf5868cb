//! Output: the CSV and JSON files of a run, a sweep ([`sweep`]), a staffing search ([`staff`])
//! and a shard ([`partial`]), and the terminal summary. Exporters return bytes; [`write_files`]
//! and [`folder::write_dir`] are the places that write them, atomically, so an interrupted or
//! failed run never leaves a half-written file behind or clobbers the previous results;
//! [`folder`] decides which folders ccsim may write into and which files there are its own.

pub mod figures;
pub mod folder;
pub mod html;
pub mod load;
pub mod partial;
pub mod plots;
pub mod render;
pub mod settings;
pub mod staff;
pub mod sweep;
pub mod timeline;
pub mod trace;
pub mod transcript;
pub mod warnings;

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use serde_json::json;

use crate::experiment::{
    segments, summarise, window, Distributions, KpiSummary, Replication, Scope,
};
use crate::scenario::{format_duration, Scenario};
use crate::stats::{Features, Kpi, Window};

/// Version of the layout of the output files; bumped when a column or field changes meaning.
pub const SCHEMA_VERSION: u32 = 2;

/// Everything a run reports, computed once from the replications.
pub struct RunReport<'a> {
    pub scenario: &'a Scenario,
    pub replications: &'a [Replication],
    pub window: Window,
    pub summary: Vec<KpiSummary>,
    /// One summary per reporting interval.
    pub intervals: Vec<Vec<KpiSummary>>,
    /// Distributions pooled over the replications, when known (`distributions.csv`).
    pub distributions: Option<&'a Distributions>,
    /// Per segment (queue, channel, group): its summary over the window and per interval.
    pub segments: Vec<SegmentSummary>,
    /// With `run.days`: per day, its summary over the day's window and per interval.
    pub days: Vec<(Vec<KpiSummary>, Vec<Vec<KpiSummary>>)>,
    /// The optional parts of the model the scenario has: their KPIs are reported, the others'
    /// left out (so a scenario without them writes what it wrote before they existed).
    pub features: Features,
    /// How many of `segments` are queues, channels and groups (the dispositions follow).
    pub regular_segments: usize,
}

/// The across-replication summary of one segment.
pub struct SegmentSummary {
    pub scope: Scope,
    pub name: String,
    pub summary: Vec<KpiSummary>,
    pub intervals: Vec<Vec<KpiSummary>>,
}

impl<'a> RunReport<'a> {
    pub fn new(scenario: &'a Scenario, replications: &'a [Replication]) -> Self {
        let window = window(scenario);
        let summary = summarise(replications, |r| &r.overall);
        let intervals: Vec<Vec<KpiSummary>> = (0..window.intervals())
            .map(|i| summarise(replications, move |r| &r.intervals[i]))
            .collect();
        let center_only = replications.iter().all(|r| r.segments.is_empty());
        let segments = segments(scenario)
            .into_iter()
            .enumerate()
            .map(|(k, (scope, name))| {
                if center_only {
                    SegmentSummary {
                        scope,
                        name,
                        summary: summary.clone(),
                        intervals: intervals.clone(),
                    }
                } else {
                    SegmentSummary {
                        scope,
                        name,
                        summary: summarise(replications, |r| r.values(Some(k), None)),
                        intervals: (0..window.intervals())
                            .map(|i| summarise(replications, move |r| r.values(Some(k), Some(i))))
                            .collect(),
                    }
                }
            })
            .collect::<Vec<_>>();
        let regular_segments = segments.len();
        let mut segments = segments;
        for (c, name) in scenario.model.dispositions.iter().enumerate() {
            segments.push(SegmentSummary {
                scope: Scope::Disposition,
                name: name.clone(),
                summary: summarise(replications, |r| &r.dispositions[c].overall),
                intervals: (0..window.intervals())
                    .map(|i| summarise(replications, move |r| &r.dispositions[c].intervals[i]))
                    .collect(),
            });
        }
        let days = match scenario.run.days {
            None => Vec::new(),
            Some(n) => (0..n as usize)
                .map(|d| {
                    (
                        summarise(replications, move |r| &r.days[d].overall),
                        (0..window.intervals())
                            .map(|i| summarise(replications, move |r| &r.days[d].intervals[i]))
                            .collect(),
                    )
                })
                .collect(),
        };
        RunReport {
            scenario,
            replications,
            window,
            summary,
            intervals,
            distributions: None,
            segments,
            days,
            features: Features::of(&scenario.model),
            regular_segments,
        }
    }

    /// Replication `r`'s values over the window of segment `k` of `segments`.
    fn segment_values<'r>(&self, r: &'r Replication, k: usize) -> &'r [f64] {
        match k.checked_sub(self.regular_segments) {
            Some(c) => &r.dispositions[c].overall,
            None => r.segment_overall(k),
        }
    }

    /// Also report the pooled distributions.
    pub fn with_distributions(mut self, distributions: &'a Distributions) -> Self {
        self.distributions = Some(distributions);
        self
    }

    /// `distributions.csv`: the pooled distributions, one row per non-empty histogram bucket.
    pub fn distributions_csv(&self) -> Option<Vec<u8>> {
        let d = self.distributions?;
        let mut out = String::from("distribution,low,high,weight,share,cumulative_share\n");
        for (name, h) in [("response_time", &d.response), ("queue_wait", &d.wait)] {
            let total = h.count() as f64;
            let mut cumulative = 0u64;
            for (low, high, count) in h.buckets() {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "{name},{},{},{count},{},{}",
                    number(low),
                    number(high),
                    number(count as f64 / total),
                    number(cumulative as f64 / total)
                );
            }
        }
        let total: f64 = d.held_time.iter().sum();
        let mut cumulative = 0.0;
        for (held, &seconds) in d.held_time.iter().enumerate() {
            cumulative += seconds;
            let _ = writeln!(
                out,
                "chats_held,{held},{held},{},{},{}",
                number(seconds),
                number(seconds / total),
                number(cumulative / total)
            );
        }
        Some(out.into_bytes())
    }

    /// `summary.csv`: one row per KPI over the whole measured window.
    pub fn summary_csv(&self) -> Vec<u8> {
        let mut out = String::from("kpi,mean,ci95_low,ci95_high,std,replications\n");
        for s in self.summary.iter().filter(|s| self.features.reports(s.kpi)) {
            let _ = writeln!(out, "{},{}", s.kpi.name(), interval_fields(s));
        }
        out.into_bytes()
    }

    /// `intervals.csv`: one row per reporting interval and KPI. With `run.days`, a first
    /// column `day`: `all` for the intervals of every day together, then each day's (1, 2, …).
    pub fn intervals_csv(&self) -> Vec<u8> {
        let days = self.scenario.run.days.is_some();
        let mut out = String::from(if days { "day," } else { "" });
        out.push_str("interval,start,end,kpi,mean,ci95_low,ci95_high,std,replications\n");
        let all = std::iter::once(("all".to_string(), &self.intervals));
        let each = self
            .days
            .iter()
            .enumerate()
            .map(|(d, (_, intervals))| ((d + 1).to_string(), intervals));
        for (day, intervals) in all.chain(each) {
            for (i, summary) in intervals.iter().enumerate() {
                let (a, b) = self.window.bounds(i);
                for s in summary.iter().filter(|s| self.features.reports(s.kpi)) {
                    if days {
                        let _ = write!(out, "{day},");
                    }
                    let _ = writeln!(
                        out,
                        "{i},{},{},{},{}",
                        self.scenario.run.clock(a),
                        self.scenario.run.clock(b),
                        s.kpi.name(),
                        interval_fields(s)
                    );
                }
            }
        }
        out.into_bytes()
    }

    /// `days.csv` (with `run.days`): one row per day and KPI, over the day's measured window.
    pub fn days_csv(&self) -> Option<Vec<u8>> {
        self.scenario.run.days?;
        let mut out = String::from("day,kpi,mean,ci95_low,ci95_high,std,replications\n");
        for (d, (summary, _)) in self.days.iter().enumerate() {
            for s in summary.iter().filter(|s| self.features.reports(s.kpi)) {
                let _ = writeln!(out, "{},{},{}", d + 1, s.kpi.name(), interval_fields(s));
            }
        }
        Some(out.into_bytes())
    }

    /// `day_replications.csv` (with `run.days`): each replication's value of each KPI on each
    /// day.
    pub fn day_replications_csv(&self) -> Option<Vec<u8>> {
        self.scenario.run.days?;
        let mut out = String::from("replication,day,kpi,value\n");
        for r in self.replications {
            for (d, day) in r.days.iter().enumerate() {
                for (kpi, v) in Kpi::ALL.iter().zip(&day.overall) {
                    if !self.features.reports(*kpi) {
                        continue;
                    }
                    let _ = writeln!(out, "{},{},{},{}", r.index, d + 1, kpi.name(), number(*v));
                }
            }
        }
        Some(out.into_bytes())
    }

    /// `segments.csv`: one row per segment (queue, channel, group) and KPI of its scope.
    pub fn segments_csv(&self) -> Vec<u8> {
        let mut out = String::from("scope,segment,kpi,mean,ci95_low,ci95_high,std,replications\n");
        for seg in &self.segments {
            for s in seg
                .summary
                .iter()
                .filter(|s| seg.scope.shows(s.kpi, self.features))
            {
                let _ = writeln!(
                    out,
                    "{},{},{},{}",
                    seg.scope.name(),
                    seg.name,
                    s.kpi.name(),
                    interval_fields(s)
                );
            }
        }
        out.into_bytes()
    }

    /// `segment_intervals.csv`: one row per segment, reporting interval and KPI.
    pub fn segment_intervals_csv(&self) -> Vec<u8> {
        let mut out = String::from(
            "scope,segment,interval,start,end,kpi,mean,ci95_low,ci95_high,std,replications\n",
        );
        for seg in &self.segments {
            for (i, summary) in seg.intervals.iter().enumerate() {
                let (a, b) = self.window.bounds(i);
                for s in summary
                    .iter()
                    .filter(|s| seg.scope.shows(s.kpi, self.features))
                {
                    let _ = writeln!(
                        out,
                        "{},{},{i},{},{},{},{}",
                        seg.scope.name(),
                        seg.name,
                        self.scenario.run.clock(a),
                        self.scenario.run.clock(b),
                        s.kpi.name(),
                        interval_fields(s)
                    );
                }
            }
        }
        out.into_bytes()
    }

    /// `replications.csv`: one row per replication and KPI.
    pub fn replications_csv(&self) -> Vec<u8> {
        let mut out = String::from("replication,kpi,value\n");
        for r in self.replications {
            for (kpi, v) in Kpi::ALL.iter().zip(&r.overall) {
                if !self.features.reports(*kpi) {
                    continue;
                }
                let _ = writeln!(out, "{},{},{}", r.index, kpi.name(), number(*v));
            }
        }
        out.into_bytes()
    }

    /// `segment_replications.csv`: one row per replication, segment and KPI of its scope (each
    /// segment of a one-queue center holding the center's values, as in `segments.csv`). A
    /// resumed sweep reads it back for the segments' paired differences.
    pub fn segment_replications_csv(&self) -> Vec<u8> {
        let mut out = String::from("replication,scope,segment,kpi,value\n");
        for r in self.replications {
            for (k, seg) in self.segments.iter().enumerate() {
                for (kpi, v) in Kpi::ALL.iter().zip(self.segment_values(r, k)) {
                    if seg.scope.shows(*kpi, self.features) {
                        let _ = writeln!(
                            out,
                            "{},{},{},{},{}",
                            r.index,
                            seg.scope.name(),
                            seg.name,
                            kpi.name(),
                            number(*v)
                        );
                    }
                }
            }
        }
        out.into_bytes()
    }

    /// `run.json`: provenance (version, scenario as run, seed) and the KPIs.
    pub fn run_json(&self) -> Vec<u8> {
        let s = self.scenario;
        let kpi_json = |k: &KpiSummary| {
            let i = k.interval.as_ref();
            json!({
                "kpi": k.kpi.name(),
                "unit": k.kpi.unit(),
                "definition": k.kpi.definition(),
                "mean": i.map(|i| json_number(i.mean)),
                "ci95_low": i.map(|i| json_number(i.low)),
                "ci95_high": i.map(|i| json_number(i.high)),
                "std": i.map(|i| json_number(i.std_dev)),
                "replications": i.map_or(0, |i| i.n),
            })
        };
        let kpis: Vec<_> = self
            .summary
            .iter()
            .filter(|s| self.features.reports(s.kpi))
            .map(kpi_json)
            .collect();
        let segments: Vec<_> = self
            .segments
            .iter()
            .map(|seg| {
                json!({
                    "scope": seg.scope.name(),
                    "segment": seg.name,
                    "kpis": seg
                        .summary
                        .iter()
                        .filter(|s| seg.scope.shows(s.kpi, self.features))
                        .map(kpi_json)
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        let doc = json!({
            "ccsim_version": env!("CARGO_PKG_VERSION"),
            "schema_version": SCHEMA_VERSION,
            "scenario": {
                "name": s.name,
                "file": s.file.display().to_string(),
                "document": s.document,
                "resolved": {
                    "run": s.run,
                    "kpi": s.kpi,
                    "model": s.model,
                    "center": center_view(s),
                },
            },
            "seed": s.run.seed,
            "replications": self.replications.len(),
            "generator": "xoshiro256++, one stream per (replication, source) derived by SplitMix64 hashing",
            "window": {
                "warmup_s": s.run.warmup,
                "horizon_s": s.run.horizon,
                "interval_s": s.run.interval,
                "reporting_intervals": self.window.intervals(),
                "service_level_threshold_s": s.kpi.service_level_threshold,
                "short_abandon_s": s.kpi.short_abandon,
            },
            "kpis": kpis,
            "segments": segments,
        });
        let mut doc = doc;
        if let Some(note) = replay_note(s) {
            doc["replay"] = json!(note);
        }
        let mut bytes = serde_json::to_vec_pretty(&doc).expect("JSON of plain values");
        bytes.push(b'\n');
        bytes
    }

    /// The readable summary printed on the terminal.
    pub fn terminal_table(&self) -> String {
        let s = self.scenario;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} — {} replications, seed {}, horizon {} after {} warm-up",
            s.name,
            self.replications.len(),
            s.run.seed,
            format_duration(s.run.horizon),
            format_duration(s.run.warmup)
        );
        if let Some(note) = replay_note(s) {
            let _ = writeln!(out, "note: {note}");
        }
        let _ = writeln!(
            out,
            "\n{:<26} {:>12}   {:<27} unit",
            "KPI", "mean", "95% interval"
        );
        for k in self.summary.iter().filter(|s| self.features.reports(s.kpi)) {
            let (mean, ci) = match &k.interval {
                None => ("—".to_string(), String::new()),
                Some(i) if i.low.is_nan() => (short(i.mean), String::new()),
                Some(i) => (
                    short(i.mean),
                    format!("[{}, {}]", short(i.low), short(i.high)),
                ),
            };
            let _ = writeln!(
                out,
                "{:<26} {:>12}   {:<27} {}",
                k.kpi.name(),
                mean,
                ci,
                k.kpi.unit()
            );
        }
        out
    }

    /// All output files of a run, by name; `run.json` last, as it is written last: a point
    /// folder whose `run.json` is there is complete (`--resume` relies on it).
    pub fn files(&self) -> Vec<(&'static str, Vec<u8>)> {
        let mut files = vec![
            ("summary.csv", self.summary_csv()),
            ("intervals.csv", self.intervals_csv()),
            ("replications.csv", self.replications_csv()),
            ("segments.csv", self.segments_csv()),
            ("segment_intervals.csv", self.segment_intervals_csv()),
            ("segment_replications.csv", self.segment_replications_csv()),
        ];
        if let Some(d) = self.days_csv() {
            files.push(("days.csv", d));
        }
        if let Some(d) = self.day_replications_csv() {
            files.push(("day_replications.csv", d));
        }
        if let Some(d) = self.distributions_csv() {
            files.push(("distributions.csv", d));
        }
        files.push(("run.json", self.run_json()));
        files
    }
}

/// What a replay's replications share, for `run.json` and the terminal: `None` without a
/// trace.
pub fn replay_note(s: &Scenario) -> Option<String> {
    let q = s.model.queues.iter().find_map(|q| q.trace.as_ref())?;
    Some(format!(
        "arrivals replayed from {}: every replication has exactly these arrivals (and the \
         exchanges and patience the trace gives); replications differ only in what is not \
         replayed (the other draws: patience, exchanges, think, compose, accept delay, wrap-up)",
        q.file
    ))
}

/// The center at a glance, for titles, settings tables and warnings: the largest capacity, the
/// routing, the first queue's indicator, and the agents on shift at the start of each
/// per-interval entry (warm-up included), every group together, and their chat slots (each
/// group's agents times its capacity). `same_capacity` and
/// `same_indicator` say whether every group has that capacity and every queue those
/// thresholds, so that a title never gives one queue's value as the center's.
fn center_view(s: &Scenario) -> serde_json::Value {
    let m = &s.model;
    let chat = &m.queues[0].chat;
    let same_indicator = m
        .queues
        .iter()
        .all(|q| (q.chat.yellow, q.chat.red, q.chat.basis) == (chat.yellow, chat.red, chat.basis));
    let same_capacity = m
        .groups
        .iter()
        .all(|g| g.max_concurrent == m.groups[0].max_concurrent);
    let starts = || (0..s.run.intervals).map(|i| i as f64 * s.run.interval);
    let staffing: Vec<u32> = starts().map(|t| m.staffing_at(t)).collect();
    let slots: Vec<u32> = starts().map(|t| m.slots_at(t)).collect();
    json!({
        "queues": m.queues.len(),
        "groups": m.groups.len(),
        "max_concurrent": m.max_concurrent(),
        "same_capacity": same_capacity,
        "same_indicator": same_indicator,
        "routing": m.routing,
        "attention": m.attention,
        "yellow": chat.yellow,
        "red": chat.red,
        "basis": chat.basis,
        "staffing": staffing,
        "slots": slots,
    })
}

/// Column names for a wide table of KPIs: `name, name_ci95_low, name_ci95_high` per KPI that
/// a scenario with `features` reports.
pub fn kpi_columns(features: Features) -> impl Iterator<Item = String> {
    Kpi::ALL
        .iter()
        .filter(move |k| features.reports(**k))
        .flat_map(|k| {
            let n = k.name();
            [
                n.to_string(),
                format!("{n}_ci95_low"),
                format!("{n}_ci95_high"),
            ]
        })
}

/// The cells under [`kpi_columns`]: each KPI's mean and 95% interval (empty when undefined),
/// for the KPIs `features` reports.
pub fn kpi_cells(summary: &[KpiSummary], features: Features) -> impl Iterator<Item = String> + '_ {
    summary
        .iter()
        .filter(move |s| features.reports(s.kpi))
        .flat_map(|s| {
            let (mean, low, high) = s.interval.as_ref().map_or_else(Default::default, |i| {
                (number(i.mean), number(i.low), number(i.high))
            });
            [mean, low, high]
        })
}

fn interval_fields(s: &KpiSummary) -> String {
    match &s.interval {
        None => ",,,,0".to_string(),
        Some(i) => format!(
            "{},{},{},{},{}",
            number(i.mean),
            number(i.low),
            number(i.high),
            number(i.std_dev),
            i.n
        ),
    }
}

/// A number in a CSV cell: shortest exact representation; empty when undefined.
pub fn number(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

fn json_number(x: f64) -> serde_json::Value {
    serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// Four significant digits for the terminal.
pub fn short(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let a = x.abs();
    if a == 0.0 || (0.001..1e7).contains(&a) {
        let decimals = if a >= 1000.0 {
            1
        } else if a >= 10.0 {
            2
        } else {
            4
        };
        format!("{x:.decimals$}")
    } else {
        format!("{x:.3e}")
    }
}

/// Write each file into `dir` atomically: all of them to temporary files in the same folder
/// first, then each renamed over its target, in order. A reader never sees a partial file, and
/// a failure while writing (disk full, permissions) leaves every previous result in place.
/// Which folders and names may be written is [`folder`]'s business.
pub fn write_files(dir: &Path, files: &[(&str, Vec<u8>)]) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = |name: &str| dir.join(folder::temporary_name(name));
    let written = files
        .iter()
        .try_for_each(|(name, bytes)| std::fs::write(tmp(name), bytes));
    let result = written.and_then(|()| {
        files
            .iter()
            .try_for_each(|(name, _)| std::fs::rename(tmp(name), dir.join(name)))
    });
    if result.is_err() {
        for (name, _) in files {
            let _ = std::fs::remove_file(tmp(name));
        }
    }
    result
}
