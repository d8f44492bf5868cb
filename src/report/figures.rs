//! Which charts a run and a sweep get, built from their files ([`super::load`]): per-interval
//! series with their 95% bands, pooled distributions with the thresholds marked, and for
//! sweeps each headline KPI against the varied keys, and heat maps over two keys.

use plotters::style::{RGBColor, BLACK};

use super::load::{verdict, Estimate, RunData, StaffData, SweepData};
use super::plots::{Bar, Chart, HeatScale, Marker, Series, XAxis, AMBER, GREEN, PALETTE, RED};
use crate::experiment::staff::{Op, Target, Verdict};
use crate::scenario::{format_duration, parse_duration_str};
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
const RUN_STEMS: [&str; 10] = [
    "response_time",
    "queue_wait",
    "volume",
    "staffing",
    "service",
    "queue_service",
    "group_occupancy",
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
    let of_kpi = |rest: &str| Kpi::by_name(rest).is_some();
    // A staffing target on a segment: `<scope>_<name>_<kpi>`, the name as [`target_stem`]
    // writes it.
    let of_segment = |rest: &str| {
        ["queue_", "channel_", "group_"].iter().any(|scope| {
            rest.strip_prefix(scope).is_some_and(|rest| {
                Kpi::ALL.iter().any(|k| {
                    rest.strip_suffix(k.name())
                        .and_then(|name| name.strip_suffix('_'))
                        .is_some_and(|name| !name.is_empty() && name.chars().all(stem_char))
                })
            })
        })
    };
    RUN_STEMS.contains(&stem)
        || stem == "staff_agents"
        || ["sweep_", "heat_", "staff_levels_", "staff_"]
            .iter()
            .any(|prefix| stem.strip_prefix(prefix).is_some_and(of_kpi))
        || ["staff_levels_", "staff_"]
            .iter()
            .any(|prefix| stem.strip_prefix(prefix).is_some_and(of_segment))
}

/// A character a segment's name keeps in a file name (any other becomes `-`).
fn stem_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// A staffing target in a plot's file name: its KPI, or `<scope>_<name>_<kpi>`.
fn target_stem(t: &Target) -> String {
    match &t.segment {
        None => t.kpi.name().to_string(),
        Some(s) => {
            let name: String = s
                .name
                .chars()
                .map(|c| if stem_char(c) { c } else { '-' })
                .collect();
            format!("{}_{name}_{}", s.scope.name(), t.kpi.name())
        }
    }
}

fn unit_label(kpi: Kpi) -> &'static str {
    match kpi.unit() {
        "ratio" => "share 0–1",
        "s" => "seconds",
        "chats" => "chats",
        "score" => "score 1–5",
        _ => "contacts per replication",
    }
}

/// Whether every queue of the run has the first queue's indicator thresholds, and every group
/// the largest capacity (folders written before these flags existed: as their titles said).
fn center_flag(run: &RunData, flag: &str) -> bool {
    run.run_json
        .pointer(&format!("/scenario/resolved/center/{flag}"))
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(true)
}

/// "Basic chat desk, 12 agents × 3 chats, yellow 30s / red 1m (10 replications, seed 2026)".
/// A center whose groups differ in capacity says "up to" the largest; one whose queues differ
/// in thresholds says so instead of giving one queue's.
fn subject(run: &RunData) -> String {
    let upto = if center_flag(run, "same_capacity") {
        ""
    } else {
        "up to "
    };
    let indicator = if center_flag(run, "same_indicator") {
        format!(
            "yellow {} / red {}",
            format_duration(run.number("/scenario/resolved/center/yellow")),
            format_duration(run.number("/scenario/resolved/center/red"))
        )
    } else {
        "yellow and red by queue".to_string()
    };
    format!(
        "{}, {} agents × {upto}{} chats, {indicator} ({} replications, seed {})",
        run.name(),
        run.agents_text(),
        run.number("/scenario/resolved/center/max_concurrent"),
        run.run_json["replications"],
        run.run_json["seed"]
    )
}

/// A series of one KPI over the reporting intervals, with its band.
fn interval_series(run: &RunData, kpi: Kpi, name: &str, color: RGBColor) -> Series {
    let estimates: Vec<&[Estimate]> = run.intervals.iter().map(|iv| &iv.kpis[..]).collect();
    series_of(run, &estimates, kpi, name, color)
}

/// A series of `kpi` from per-interval estimates (the center's or a segment's).
fn series_of(
    run: &RunData,
    intervals: &[&[Estimate]],
    kpi: Kpi,
    name: &str,
    color: RGBColor,
) -> Series {
    let mut points = Vec::new();
    let mut band = Vec::new();
    for (i, kpis) in intervals.iter().enumerate() {
        let x = run.interval_mid_hours(i);
        let e = kpis[kpi.index()];
        points.push((x, e.mean));
        band.push(clamped(kpi, x, &e));
    }
    Series {
        name: name.into(),
        color,
        points,
        band,
    }
}

/// A band point of `kpi`'s estimate at `x`, its Student-t interval cut to where the KPI lies:
/// no KPI is negative, and a ratio is at most 1 (near the ends the symmetric interval spills
/// over).
fn clamped(kpi: Kpi, x: f64, e: &Estimate) -> (f64, f64, f64) {
    let high = if kpi.unit() == "ratio" {
        e.high.min(1.0)
    } else {
        e.high
    };
    (x, e.low.max(0.0), high)
}

/// The x-axis title of per-interval charts.
pub const CLOCK_AXIS: &str =
    "clock time (middle of each interval); bands: 95% intervals across replications";

fn lines(title: String, y_label: &str, series: Vec<Series>) -> Chart {
    Chart::Lines {
        title,
        x_label: CLOCK_AXIS.into(),
        y_label: y_label.into(),
        x_axis: XAxis::Clock,
        series,
        markers: Vec::new(),
        levels: Vec::new(),
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
    let yellow = run.number("/scenario/resolved/center/yellow");
    let red = run.number("/scenario/resolved/center/red");
    let sl_threshold = run.number("/window/service_level_threshold_s");
    let (yellow_t, red_t, sl_t) = (
        format_duration(yellow),
        format_duration(red),
        format_duration(sl_threshold),
    );
    let share = |kpi: Kpi| run.summary[kpi.index()].mean;
    // The shares count each reply by its own queue's thresholds. When the queues' thresholds
    // differ, no one pair of lines splits the pooled histogram into those shares: its bars
    // are then drawn in one colour, without threshold lines.
    let one_indicator = center_flag(run, "same_indicator");
    let (thresholds, legend) = if one_indicator {
        (
            vec![(yellow, "yellow", AMBER), (red, "red", RED)],
            vec![
                (format!("green: under {yellow_t}"), GREEN),
                (format!("yellow: {yellow_t} to {red_t}"), AMBER),
                (format!("red: {red_t} or more"), RED),
            ],
        )
    } else {
        (
            Vec::new(),
            vec![(
                "replies of every queue; each queue's own thresholds give the shares above \
                 (per queue: segments.csv)"
                    .to_string(),
                PALETTE[0],
            )],
        )
    };

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
        &thresholds,
        legend,
        |x| {
            if !one_indicator {
                PALETTE[0]
            } else if x >= red {
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
            "{who}: queue waits — service level {:.1}% within {sl_t}",
            100.0 * share(Kpi::ServiceLevel),
        ),
        "wait in queue: arrival to accept, or to abandon (s)",
        &[(sl_threshold, "service level threshold", PALETTE[0])],
        vec![
            (format!("within {sl_t}"), PALETTE[0]),
            (format!("over {sl_t}"), PALETTE[1]),
        ],
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
            format!("{who}: service level ({sl_t}) and abandon rate per interval"),
            "share (0–1)",
            vec![
                interval_series(run, Kpi::ServiceLevel, "service level", PALETTE[0]),
                interval_series(run, Kpi::AbandonRate, "abandon rate", RED),
            ],
        ),
    );
    // A center of several queues or groups: each queue's service level, each group's
    // occupancy.
    for (stem, scope, kpi, what, y_label) in [
        (
            "queue_service",
            "queue",
            Kpi::ServiceLevel,
            format!("service level ({sl_t}) per queue"),
            "share (0–1)",
        ),
        (
            "group_occupancy",
            "group",
            Kpi::Occupancy,
            "occupancy per group (breaks and idle Not Ready left out)".to_string(),
            "share of agent time (0–1)",
        ),
    ] {
        let segments: Vec<_> = run.segments.iter().filter(|s| s.scope == scope).collect();
        if segments.len() > 1 {
            let series = segments
                .iter()
                .enumerate()
                .map(|(j, s)| {
                    let estimates: Vec<&[Estimate]> = s.intervals.iter().map(|v| &v[..]).collect();
                    series_of(run, &estimates, kpi, &s.name, PALETTE[j % PALETTE.len()])
                })
                .collect();
            add(
                stem,
                lines(format!("{who}: {what}, per interval"), y_label, series),
            );
        }
    }
    add(
        "indicator",
        lines(
            if one_indicator {
                format!(
                    "{who}: replies that reached yellow ({yellow_t}) and red ({red_t}) per \
                     interval"
                )
            } else {
                format!("{who}: replies that reached yellow and red (their queue's) per interval")
            },
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
                x_axis: XAxis::Integer,
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
                legend: Vec::new(),
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
    markers: &[(f64, &str, RGBColor)],
    legend: Vec<(String, RGBColor)>,
    color: impl Fn(f64) -> RGBColor,
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
        x_axis: XAxis::Number,
        bars,
        cumulative,
        markers: markers
            .iter()
            .map(|&(at, label, color)| Marker {
                at,
                label: format!("{label} {}", format_duration(at)),
                color,
            })
            .collect(),
        legend,
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
/// of the second, the others at their first value, a target as a dashed line), and heat maps
/// over the first two keys: red share, service level and each target's KPI.
pub fn sweep_figures(sweep: &SweepData, targets: &[Target]) -> Vec<Figure> {
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
    // Durations are plotted in seconds.
    let x_unit = if first.values.iter().any(|v| v.parse::<f64>().is_err()) {
        " (s)"
    } else {
        ""
    };
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
        // The KPIs of an optional part (dispositions, ratings) only when some point has it.
        let defined = || {
            sweep
                .points
                .iter()
                .flatten()
                .any(|e| e[kpi.index()].mean.is_finite())
        };
        if kpi.feature().is_some() && !defined() {
            continue;
        }
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
                    band.push(clamped(kpi, x_of(i), &e));
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
                        x_unit
                    } else {
                        " (position as listed)"
                    }
                ),
                y_label: format!("{} ({})", kpi.name(), unit_label(kpi)),
                x_axis: if numeric_x
                    .as_ref()
                    .is_some_and(|xs| xs.iter().all(|x| x.fract() == 0.0))
                {
                    XAxis::Integer
                } else {
                    XAxis::Number
                },
                series,
                markers: Vec::new(),
                levels: target_levels(targets, kpi),
                from_zero: true,
            },
        });
    }
    if let Some(second) = vary.get(1) {
        let mut heat_kpis = vec![Kpi::ResponsesRedShare, Kpi::ServiceLevel];
        for t in targets {
            if !heat_kpis.contains(&t.kpi) {
                heat_kpis.push(t.kpi);
            }
        }
        for kpi in heat_kpis {
            let target = targets.iter().find(|t| t.kpi == kpi);
            let (scale, scale_label) = heat_scale(kpi, target);
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
                    scale,
                    scale_label,
                },
            });
        }
    }
    figures
}

/// Whether a higher value of `kpi` is better (service level, answered) or worse (waits,
/// abandons, red replies).
fn higher_is_better(kpi: Kpi) -> bool {
    matches!(
        kpi,
        Kpi::ServiceLevel
            | Kpi::ServiceLevelExclShort
            | Kpi::Answered
            | Kpi::Responses
            | Kpi::Occupancy
            | Kpi::SlotUtilisation
            | Kpi::ConcurrencyMean
    )
}

/// The fixed colour scale of a heat map of `kpi` (documented in the README): ratios on [0, 1];
/// other KPIs from 0 to twice the target. With a target, the scale is centred on it (met on
/// one side, green; missed on the other, red); the good direction is the target's.
pub fn heat_scale(kpi: Kpi, target: Option<&Target>) -> (HeatScale, String) {
    let high_is_good = target.map_or(higher_is_better(kpi), |t| t.op == Op::AtLeast);
    let high = match (kpi.unit(), target) {
        ("ratio", _) => 1.0,
        (_, Some(t)) if t.value > 0.0 => 2.0 * t.value,
        // Not reached: heat maps without a target are of ratios only.
        _ => 1.0,
    };
    let scale = HeatScale {
        low: 0.0,
        high,
        high_is_good,
        target: target.map(|t| t.value),
    };
    let label = match target {
        Some(t) => format!(
            "{}, {}. Centred on the target {t}: green meets it, red misses it; darker further \
             from it",
            kpi.name(),
            unit_label(kpi)
        ),
        None => format!(
            "{}, {}. Fixed scale: green is good ({}), red bad",
            kpi.name(),
            unit_label(kpi),
            if high_is_good { "high" } else { "low" }
        ),
    };
    (scale, label)
}

/// Dashed lines at the targets on `kpi`.
fn target_levels(targets: &[Target], kpi: Kpi) -> Vec<Marker> {
    targets
        .iter()
        .filter(|t| t.kpi == kpi)
        .map(|t| Marker {
            at: t.value,
            label: format!("target {t}"),
            color: BLACK,
        })
        .collect()
}

fn verdict_color(verdict: &str) -> RGBColor {
    match verdict {
        "met" => GREEN,
        "missed" => RED,
        _ => AMBER,
    }
}

/// The charts of a staffing search, before those of its staffed run: per-interval search, the
/// agents of each interval coloured by its verdict (`staff_agents`); constant search, each
/// target's KPI against the levels run, the answer marked (`staff_levels_<kpi>`); both, each
/// target's KPI per interval in the staffed run against the target (`staff_<kpi>`).
pub fn staff_figures(run: &RunData, staff: &StaffData) -> Vec<Figure> {
    let name = run.name();
    let targets: Vec<String> = staff.targets.iter().map(Target::to_string).collect();
    let targets_text = targets.join(", ");
    let reps = &run.run_json["replications"];
    // A group search's plots say whose agents they count.
    let searched = staff
        .group
        .as_ref()
        .map_or(String::new(), |g| format!(" of group {g}"));
    let mut figures = Vec::new();
    if staff.per_interval {
        let count = |v: &str| staff.rows.iter().filter(|r| r.verdict == v).count();
        let bars = staff
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let (a, b) = run.interval_clock_hours(i);
                let pad = 0.08 * (b - a);
                Bar {
                    low: a + pad,
                    high: b - pad,
                    value: f64::from(r.agents),
                    color: verdict_color(&r.verdict),
                }
            })
            .collect();
        figures.push(Figure {
            stem: "staff_agents".into(),
            in_page: true,
            chart: Chart::Bars {
                title: format!(
                    "{name}: staffing plan{searched} for {targets_text} — {} intervals met, {} \
                     missed, {} unclear (final run, {reps} replications)",
                    count("met"),
                    count("missed"),
                    count("unclear")
                ),
                x_label: "clock time (each bar: one reporting interval)".into(),
                y_label: format!("agents{searched} on shift"),
                x_axis: XAxis::Clock,
                bars,
                cumulative: Vec::new(),
                markers: Vec::new(),
                legend: vec![
                    ("targets met".into(), GREEN),
                    ("unclear (95% interval holds a target)".into(), AMBER),
                    ("a target missed".into(), RED),
                ],
            },
        });
    } else {
        let chosen = staff.rows.iter().find(|r| r.chosen).map(|r| r.agents);
        for (k, t) in staff.targets.iter().enumerate() {
            let rows = staff.rows.iter().filter(|r| r.targets[k].mean.is_finite());
            let points = rows
                .clone()
                .map(|r| (f64::from(r.agents), r.targets[k].mean))
                .collect();
            let band = rows
                .map(|r| clamped(t.kpi, f64::from(r.agents), &r.targets[k]))
                .collect();
            figures.push(Figure {
                stem: format!("staff_levels_{}", target_stem(t)),
                in_page: true,
                chart: Chart::Lines {
                    title: format!(
                        "{name}: {} over the whole day at each staffing level{searched} the search \
                         ran, against the target {t}{}",
                        t.column(),
                        chosen.map_or(String::new(), |a| format!(" — answer: {a} agents"))
                    ),
                    x_label: format!("agents{searched} (constant staffing); bands: 95% intervals"),
                    y_label: format!("{} ({})", t.column(), unit_label(t.kpi)),
                    x_axis: XAxis::Integer,
                    series: vec![Series {
                        name: t.column(),
                        color: PALETTE[0],
                        points,
                        band,
                    }],
                    markers: chosen
                        .map(|a| Marker {
                            at: f64::from(a),
                            label: format!("answer: {a} agents"),
                            color: GREEN,
                        })
                        .into_iter()
                        .collect(),
                    levels: target_levels(std::slice::from_ref(t), t.kpi),
                    from_zero: true,
                },
            });
        }
    }
    // Each target's KPI per interval in the staffed run (for a per-interval search, its final
    // run): where the plan is tight, and where it has room. A segment's values come from
    // segment_intervals.csv (a one-queue run's segments are the center).
    for t in &staff.targets {
        let segment = t.segment.as_ref().and_then(|s| {
            run.segments
                .iter()
                .find(|d| d.scope == s.scope.name() && d.name == s.name)
        });
        let estimates: Vec<&[Estimate]> = match segment {
            Some(d) => d.intervals.iter().map(|v| &v[..]).collect(),
            None => run.intervals.iter().map(|iv| &iv.kpis[..]).collect(),
        };
        let not_met = estimates
            .iter()
            .filter(|kpis| verdict(t, &kpis[t.kpi.index()]) != Verdict::Met)
            .count();
        let judged = if staff.per_interval {
            "each interval is judged on its own"
        } else {
            "the search judged the whole day"
        };
        figures.push(Figure {
            stem: format!("staff_{}", target_stem(t)),
            in_page: true,
            chart: Chart::Lines {
                title: format!(
                    "{name}: {} per interval with the staffing{searched} found, against the target \
                     {t} — {not_met} of {} intervals not surely meeting it ({judged}; {reps} \
                     replications)",
                    t.column(),
                    estimates.len()
                ),
                x_label: CLOCK_AXIS.into(),
                y_label: format!("{} ({})", t.column(), unit_label(t.kpi)),
                x_axis: XAxis::Clock,
                series: vec![series_of(run, &estimates, t.kpi, &t.column(), PALETTE[0])],
                markers: Vec::new(),
                levels: target_levels(std::slice::from_ref(t), t.kpi),
                from_zero: true,
            },
        });
    }
    figures
}
