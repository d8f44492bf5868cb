//! Which charts a run and a sweep get, built from their files ([`super::load`]): per-interval
//! series with their 95% bands, pooled distributions with the thresholds marked, and for
//! sweeps each headline KPI against the varied keys, and heat maps over two keys.

use super::load::{Estimate, RunData, SweepData};
use super::plots::{Bar, Chart, Marker, Series, AMBER, GREEN, PALETTE, RED};
use crate::scenario::parse_duration_str;
use crate::stats::Kpi;

/// A chart and the file stem it is saved under (`plots/<stem>.svg`, `.png`).
pub struct Figure {
    pub stem: String,
    pub chart: Chart,
    /// Shown in report.html (the others are only files in plots/, linked from the page).
    pub in_page: bool,
}

/// The headline KPIs: bold in the KPI tables, checked for wide intervals, and the ones whose
/// sweep plots are shown in report.html (every KPI gets one in plots/).
pub const HEADLINE_KPIS: [Kpi; 6] = [
    Kpi::ServiceLevel,
    Kpi::AbandonRate,
    Kpi::Asa,
    Kpi::ResponseMean,
    Kpi::ResponsesRedShare,
    Kpi::Occupancy,
];

/// The stems of a run's charts.
const RUN_STEMS: [&str; 8] = [
    "response_time",
    "queue_wait",
    "volume",
    "staffing",
    "service",
    "indicator",
    "concurrency",
    "chats_held",
];

/// Whether `name` is the file of a chart ccsim draws (`plots/<stem>.svg` or `.png`): the files
/// ccsim may replace or remove in `plots/`. Every figure's stem must be one of these
/// ([`super::folder::write_dir`] refuses any other).
pub fn is_figure_file(name: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(".svg")
        .or_else(|| name.strip_suffix(".png"))
    else {
        return false;
    };
    RUN_STEMS.contains(&stem)
        || ["sweep_", "heat_"].iter().any(|prefix| {
            stem.strip_prefix(prefix)
                .is_some_and(|kpi| Kpi::by_name(kpi).is_some())
        })
}

fn unit_label(kpi: Kpi) -> &'static str {
    match kpi.unit() {
        "ratio" => "share (0–1)",
        "s" => "seconds",
        "chats" => "chats",
        _ => "contacts per replication",
    }
}

/// "Basic chat desk (10 replications, seed 2026)".
/// "Basic chat desk, 12 agents × 3 chats, yellow 30s / red 60s (10 replications, seed 2026)".
fn subject(run: &RunData) -> String {
    format!(
        "{}, {} agents × {} chats, yellow {}s / red {}s ({} replications, seed {})",
        run.name(),
        run.agents_text(),
        run.number("/scenario/resolved/model/max_concurrent"),
        run.number("/scenario/resolved/model/yellow"),
        run.number("/scenario/resolved/model/red"),
        run.run_json["replications"],
        run.run_json["seed"]
    )
}

/// A series of one KPI over the reporting intervals, with its band.
fn interval_series(
    run: &RunData,
    kpi: Kpi,
    name: &str,
    color: plotters::style::RGBColor,
) -> Series {
    let mut points = Vec::new();
    let mut band = Vec::new();
    for (i, iv) in run.intervals.iter().enumerate() {
        let x = run.interval_mid_hours(i);
        let e = iv.kpis[kpi.index()];
        points.push((x, e.mean));
        band.push((x, e.low, e.high));
    }
    Series {
        name: name.into(),
        color,
        points,
        band,
    }
}

fn lines(title: String, y_label: &str, series: Vec<Series>) -> Chart {
    Chart::Lines {
        title,
        x_label: "time since the start of the run (h); bands: 95% intervals across replications"
            .into(),
        y_label: y_label.into(),
        series,
        markers: Vec::new(),
        from_zero: true,
    }
}

/// The charts of a run.
pub fn run_figures(run: &RunData) -> Vec<Figure> {
    let who = subject(run);
    let mut figures = Vec::new();
    let mut add = |stem: &str, chart: Chart| {
        figures.push(Figure {
            stem: stem.into(),
            chart,
            in_page: true,
        })
    };
    let yellow = run.number("/scenario/resolved/model/yellow");
    let red = run.number("/scenario/resolved/model/red");
    let sl_threshold = run.number("/window/service_level_threshold_s");
    let share = |kpi: Kpi| run.summary[kpi.index()].mean;

    if let Some(chart) = distribution_chart(
        run,
        "response_time",
        format!(
            "{who}: response times — {:.1}% green, {:.1}% yellow, {:.1}% red",
            100.0 * (1.0 - share(Kpi::ResponsesYellowShare)),
            100.0 * (share(Kpi::ResponsesYellowShare) - share(Kpi::ResponsesRedShare)),
            100.0 * share(Kpi::ResponsesRedShare)
        ),
        "response time: customer message to agent reply (s)",
        &[(yellow, "yellow", AMBER), (red, "red", RED)],
        |x| {
            if x >= red {
                RED
            } else if x >= yellow {
                AMBER
            } else {
                GREEN
            }
        },
    ) {
        add("response_time", chart);
    }
    if let Some(chart) = distribution_chart(
        run,
        "queue_wait",
        format!(
            "{who}: queue waits — service level {:.1}% within {}s",
            100.0 * share(Kpi::ServiceLevel),
            sl_threshold
        ),
        "wait in queue: arrival to accept, or to abandon (s)",
        &[(sl_threshold, "service level threshold", PALETTE[0])],
        |x| {
            if x > sl_threshold {
                PALETTE[1]
            } else {
                PALETTE[0]
            }
        },
    ) {
        add("queue_wait", chart);
    }
    add(
        "volume",
        lines(
            format!("{who}: offered and answered chats per interval"),
            "contacts per interval",
            vec![
                interval_series(run, Kpi::Offered, "offered", PALETTE[0]),
                interval_series(run, Kpi::Answered, "answered", PALETTE[2]),
                interval_series(run, Kpi::AbandonedQueue, "abandoned in queue", RED),
            ],
        ),
    );
    let staffing = run.staffing();
    add(
        "staffing",
        lines(
            format!("{who}: agents on shift per interval"),
            "agents",
            vec![Series {
                name: "agents".into(),
                color: PALETTE[3],
                points: (0..staffing.len())
                    .map(|i| (run.interval_mid_hours(i), staffing[i]))
                    .collect(),
                band: Vec::new(),
            }],
        ),
    );
    add(
        "service",
        lines(
            format!("{who}: service level ({sl_threshold}s) and abandon rate per interval"),
            "share (0–1)",
            vec![
                interval_series(run, Kpi::ServiceLevel, "service level", PALETTE[0]),
                interval_series(run, Kpi::AbandonRate, "abandon rate", RED),
            ],
        ),
    );
    add(
        "indicator",
        lines(
            format!("{who}: replies that reached yellow ({yellow}s) and red ({red}s) per interval"),
            "share of replies (0–1)",
            vec![
                interval_series(run, Kpi::ResponsesYellowShare, "yellow or red", AMBER),
                interval_series(run, Kpi::ResponsesRedShare, "red", RED),
            ],
        ),
    );
    add(
        "concurrency",
        lines(
            format!("{who}: mean chats held by a busy agent, per interval"),
            "chats held (agents holding at least one)",
            vec![interval_series(
                run,
                Kpi::ConcurrencyMean,
                "mean chats held",
                PALETTE[4],
            )],
        ),
    );
    let held: Vec<_> = run
        .distributions
        .iter()
        .filter(|d| d.distribution == "chats_held")
        .collect();
    if !held.is_empty() {
        add(
            "chats_held",
            Chart::Bars {
                title: format!("{who}: chats held by an agent present (share of agent time)"),
                x_label: "chats held".into(),
                y_label: "share of agent time (0–1)".into(),
                bars: held
                    .iter()
                    .map(|d| Bar {
                        low: d.low - 0.4,
                        high: d.low + 0.4,
                        value: d.share,
                        color: PALETTE[4],
                    })
                    .collect(),
                cumulative: Vec::new(),
                markers: Vec::new(),
            },
        );
    }
    figures
}

/// A histogram (re-binned to at most 60 equal bins up to the 99.5th percentile, the rest in
/// the last bin) with its cumulative curve.
fn distribution_chart(
    run: &RunData,
    name: &str,
    title: String,
    x_label: &str,
    markers: &[(f64, &str, plotters::style::RGBColor)],
    color: impl Fn(f64) -> plotters::style::RGBColor,
) -> Option<Chart> {
    let rows: Vec<_> = run
        .distributions
        .iter()
        .filter(|d| d.distribution == name && d.weight > 0.0)
        .collect();
    let total: f64 = rows.iter().map(|r| r.weight).sum();
    if total <= 0.0 {
        return None;
    }
    let mut cum = 0.0;
    let mut top = rows.last()?.high;
    for r in &rows {
        cum += r.weight;
        if cum >= 0.995 * total {
            top = r.high;
            break;
        }
    }
    let top = markers
        .iter()
        .map(|m| m.0 * 1.2)
        .fold(top, f64::max)
        .max(1e-9);
    let bins = 60;
    let width = top / bins as f64;
    let mut counts = vec![0.0; bins];
    for r in &rows {
        // A bucket's weight goes to the bin of its midpoint (buckets are 1/256 wide or less
        // relative to their value, far finer than the bins).
        let mid = 0.5 * (r.low + r.high);
        let b = ((mid / width) as usize).min(bins - 1);
        counts[b] += r.weight;
    }
    let mut running = 0.0;
    let mut cumulative = vec![(0.0, 0.0)];
    let bars = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            running += c;
            let (low, high) = (i as f64 * width, (i + 1) as f64 * width);
            cumulative.push((high, running / total));
            Bar {
                low,
                high,
                value: c / total,
                color: color(0.5 * (low + high)),
            }
        })
        .collect();
    Some(Chart::Bars {
        title,
        x_label: format!("{x_label}; last bar: everything above"),
        y_label: "share of all (0–1)".into(),
        bars,
        cumulative,
        markers: markers
            .iter()
            .map(|&(x, label, color)| Marker {
                x,
                label: format!("{label} {x}s"),
                color,
            })
            .collect(),
    })
}

/// A varied value as a number: plain numbers, and durations in seconds.
pub fn numeric(value: &str) -> Option<f64> {
    value
        .parse::<f64>()
        .ok()
        .or_else(|| parse_duration_str(value).ok())
        .filter(|v| v.is_finite())
}

/// The charts of a sweep: each KPI against the first varied key (one line per value
/// of the second, the others at their first value), and heat maps over the first two keys.
pub fn sweep_figures(sweep: &SweepData) -> Vec<Figure> {
    let vary = &sweep.plan.vary;
    let Some(first) = vary.first() else {
        return Vec::new();
    };
    let scenario = sweep
        .plan
        .scenario_file
        .file_stem()
        .map_or("scenario".into(), |s| s.to_string_lossy().into_owned());
    let lengths: Vec<usize> = vary.iter().map(|v| v.values.len()).collect();
    // Point index of value indices (row-major, first key slowest).
    let index = |idx: &[usize]| {
        idx.iter()
            .zip(&lengths)
            .fold(0, |acc, (&i, &n)| acc * n + i)
    };
    let fixed = if vary.len() > 2 {
        let rest: Vec<String> = vary[2..]
            .iter()
            .map(|v| format!("{} = {}", v.key, v.values[0]))
            .collect();
        format!(", {}", rest.join(", "))
    } else {
        String::new()
    };
    let numeric_x: Option<Vec<f64>> = first.values.iter().map(|v| numeric(v)).collect();
    let x_of = |i: usize| numeric_x.as_ref().map_or(i as f64, |xs| xs[i]);
    let estimate = |idx: &[usize], kpi: Kpi| -> Option<Estimate> {
        sweep
            .points
            .get(index(idx))?
            .as_ref()
            .map(|e| e[kpi.index()])
    };
    let mut figures = Vec::new();
    for &kpi in Kpi::ALL {
        let groups = vary.get(1).map_or(1, |v| v.values.len());
        let series = (0..groups)
            .map(|g| {
                let mut points = Vec::new();
                let mut band = Vec::new();
                for i in 0..first.values.len() {
                    let mut idx = vec![0; vary.len()];
                    idx[0] = i;
                    if vary.len() > 1 {
                        idx[1] = g;
                    }
                    let e = estimate(&idx, kpi).unwrap_or(Estimate {
                        mean: f64::NAN,
                        low: f64::NAN,
                        high: f64::NAN,
                        replications: 0,
                    });
                    points.push((x_of(i), e.mean));
                    band.push((x_of(i), e.low, e.high));
                }
                // Values may be listed in any order (12,8,10): lines go by increasing x.
                points.sort_by(|a, b| a.0.total_cmp(&b.0));
                band.sort_by(|a, b| a.0.total_cmp(&b.0));
                Series {
                    name: vary
                        .get(1)
                        .map_or(String::new(), |v| format!("{} = {}", v.key, v.values[g])),
                    color: PALETTE[g % PALETTE.len()],
                    points,
                    band,
                }
            })
            .collect();
        figures.push(Figure {
            in_page: HEADLINE_KPIS.contains(&kpi),
            stem: format!("sweep_{}", kpi.name()),
            chart: Chart::Lines {
                title: format!("{scenario}: {} against {}{fixed}", kpi.name(), first.key),
                x_label: format!(
                    "{}{}; bands: 95% intervals",
                    first.key,
                    if numeric_x.is_some() {
                        ""
                    } else {
                        " (as listed)"
                    }
                ),
                y_label: format!("{} ({})", kpi.name(), unit_label(kpi)),
                series,
                markers: Vec::new(),
                from_zero: true,
            },
        });
    }
    if let Some(second) = vary.get(1) {
        for kpi in [Kpi::ResponsesRedShare, Kpi::ServiceLevel] {
            let z = (0..second.values.len())
                .map(|j| {
                    (0..first.values.len())
                        .map(|i| {
                            let mut idx = vec![0; vary.len()];
                            idx[0] = i;
                            idx[1] = j;
                            estimate(&idx, kpi).map_or(f64::NAN, |e| e.mean)
                        })
                        .collect()
                })
                .collect();
            figures.push(Figure {
                in_page: true,
                stem: format!("heat_{}", kpi.name()),
                chart: Chart::Heat {
                    title: format!(
                        "{scenario}: {} over {} × {}{fixed}",
                        kpi.name(),
                        first.key,
                        second.key
                    ),
                    x_label: first.key.clone(),
                    y_label: second.key.clone(),
                    x_values: first.values.clone(),
                    y_values: second.values.clone(),
                    z,
                    high_is_good: kpi == Kpi::ServiceLevel,
                },
            });
        }
    }
    figures
}
