//! `report.html`: one self-contained page (inline SVG, CSS and JavaScript; no network) per run,
//! sweep or staffing search. A run's page shows the settings, the KPI table with intervals,
//! warnings and the plots. A staffing search's page adds, first, the targets and the plan with
//! each interval's (or level's) verdict. A sweep's page is a what-if explorer: one control per
//! varied key, and the KPI table and per-interval charts of the chosen point redrawn at once
//! from the sweep's results embedded in the page.

use std::fmt::Write as _;

use serde_json::json;

use super::figures::{run_figures, Figure, HEADLINE_KPIS};
use super::load::{verdict, Estimate, RunData, StaffData, SweepData};
use super::plots::Chart;
use super::settings::settings;
use super::short;
use super::timeline::{Timeline, MAX_CONTACTS};
use super::warnings::run_warnings;
use crate::stats::{Features, Kpi};

const STYLE: &str = r#"
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 0 auto; max-width: 1000px; padding: 1em 2em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.6em; }
.muted { color: #666; font-size: 0.9em; }
table { border-collapse: collapse; margin: 0.5em 0; }
td, th { padding: 0.25em 0.8em; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.headline td { font-weight: bold; }
#warnings li { background: #fff4e0; border-left: 4px solid #ffa000; padding: 0.3em 0.6em; margin: 0.3em 0; list-style: none; }
#warnings ul { padding: 0; }
figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.controls { display: flex; flex-wrap: wrap; gap: 1em 2em; background: #f4f7fb; padding: 0.8em 1em; border-radius: 6px; }
.controls label { display: flex; flex-direction: column; font-size: 0.9em; }
.controls select { font-size: 1em; margin-top: 0.2em; }
#errors { color: #b00; } #errors:empty { display: none; }
td.verdict-met { color: #2e7d32; font-weight: bold; } td.verdict-missed { color: #c62828; font-weight: bold; }
td.verdict-unclear { color: #b26a00; font-weight: bold; }
h3 { margin: 1.2em 0 0.3em; font-size: 1.1em; }
.wide { overflow-x: auto; }
table.grid th { border-bottom: 2px solid #ccc; }
table.segments th.num { text-align: right; }
table.segments td, table.segments th { padding: 0.25em 0.5em; }
table.segments td.total, table.segments th.total { background: #f6f6f6; }
span.ci { display: block; color: #666; font-size: 0.8em; }
"#;

/// HTML-escape text.
pub(super) fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JSON embedded in a `<script>` element: `</` would close it.
fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace("</", "<\\/")
}

fn head(title: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n\
         <script>window.ccsimErrors = []; window.addEventListener('error', e => {{ \
         window.ccsimErrors.push(String(e.message)); \
         const el = document.getElementById('errors'); if (el) el.textContent = window.ccsimErrors.join('\\n'); }});</script>\n\
         </head>\n<body>\n",
        esc(title)
    )
}

/// The KPI table: one row per KPI, `data-kpi` naming it and `data-value` holding the exact mean;
/// with `diff`, a column for the difference from a sweep's baseline (filled by the explorer).
fn kpi_table(summary: Option<&[Estimate]>, diff: bool, features: Features) -> String {
    let diff_head = if diff {
        "<th>difference from the baseline (paired 95% interval)</th>"
    } else {
        ""
    };
    let mut t = format!(
        "<table id=\"kpi-table\">\n<tr><th>KPI</th><th>mean</th><th>95% interval</th>{diff_head}<th>unit</th><th>definition</th></tr>\n",
    );
    for k in Kpi::ALL.iter().filter(|k| features.reports(**k)) {
        let e = summary.map(|s| s[k.index()]);
        let (mean, ci, value) = match e {
            Some(e) if e.mean.is_finite() => (
                short(e.mean),
                if e.low.is_finite() {
                    format!("[{}, {}]", short(e.low), short(e.high))
                } else {
                    String::new()
                },
                format!("{}", e.mean),
            ),
            _ => ("—".into(), String::new(), String::new()),
        };
        let class = if HEADLINE_KPIS.contains(k) {
            " class=\"headline\""
        } else {
            ""
        };
        let _ = writeln!(
            t,
            "<tr data-kpi=\"{n}\"{class}><td>{n}</td><td class=\"num mean\" data-value=\"{value}\">{mean}</td>\
             <td class=\"num ci\">{ci}</td>{diff_cell}<td>{u}</td><td class=\"muted\">{d}</td></tr>",
            diff_cell = if diff { "<td class=\"num diff\"></td>" } else { "" },
            n = k.name(),
            u = k.unit(),
            d = esc(k.definition())
        );
    }
    t.push_str("</table>\n");
    t
}

fn figures_html(figures: &[(Figure, String)]) -> String {
    let mut t = String::new();
    for (f, svg) in figures.iter().filter(|(f, _)| f.in_page) {
        let _ = writeln!(
            t,
            "<figure id=\"plot-{}\">\n{svg}\n<figcaption>{} — also <a href=\"plots/{}.png\">PNG</a>, \
             <a href=\"plots/{}.svg\">SVG</a></figcaption>\n</figure>",
            f.stem,
            esc(f.chart.title()),
            f.stem,
            f.stem
        );
    }
    let others: Vec<String> = figures
        .iter()
        .filter(|(f, _)| !f.in_page)
        .map(|(f, _)| {
            format!(
                "<a href=\"plots/{}.svg\">{}</a>",
                f.stem,
                esc(f.stem.trim_start_matches("sweep_"))
            )
        })
        .collect();
    if !others.is_empty() {
        let _ = writeln!(
            t,
            "<p class=\"muted\">The other KPIs against the sweep, in plots/: {}</p>",
            others.join(", ")
        );
    }
    t
}

/// The settings: the run's and the center's as (name, value) rows, then for a center a table of
/// its queues and one of its groups with what differs between them ([`settings`]).
fn settings_html(run: &RunData) -> String {
    let s = settings(run);
    let mut t = String::from("<table id=\"settings-table\">\n");
    for (k, v) in &s.center {
        let _ = writeln!(t, "<tr><td>{}</td><td>{}</td></tr>", esc(k), esc(v));
    }
    t.push_str("</table>\n");
    for table in &s.tables {
        let _ = write!(
            t,
            "<h3>{}</h3>\n<div class=\"wide\"><table id=\"settings-{}\" class=\"grid\">\n<tr><th>{}</th>",
            if table.scope == "queue" { "Queues" } else { "Groups" },
            table.scope,
            table.scope
        );
        for c in &table.columns {
            let _ = write!(t, "<th>{}</th>", esc(c));
        }
        t.push_str("</tr>\n");
        for (name, cells) in &table.rows {
            let _ = write!(t, "<tr data-segment=\"{n}\"><td>{n}</td>", n = esc(name));
            for c in cells {
                let _ = write!(t, "<td>{}</td>", esc(c).replace('\n', "<br>"));
            }
            t.push_str("</tr>\n");
        }
        t.push_str("</table></div>\n");
    }
    t
}

/// The KPIs of a queue or a channel in the segment tables: volume, answer, abandon, responses.
const QUEUE_KPIS: [Kpi; 14] = [
    Kpi::Offered,
    Kpi::Answered,
    Kpi::ServiceLevel,
    Kpi::PWait,
    Kpi::Asa,
    Kpi::WaitMean,
    Kpi::AbandonRate,
    Kpi::ChatAbandonRate,
    Kpi::FirstResponseMean,
    Kpi::ResponseMean,
    Kpi::ResponseP90,
    Kpi::ResponsesYellowShare,
    Kpi::ResponsesRedShare,
    Kpi::Overflowed,
];

/// The KPIs of a group in the segment tables: its agents' time, and the chats it took.
const GROUP_KPIS: [Kpi; 11] = [
    Kpi::AgentsPresentMean,
    Kpi::Occupancy,
    Kpi::SlotUtilisation,
    Kpi::ConcurrencyMean,
    Kpi::Answered,
    Kpi::Overflowed,
    Kpi::HandleTimeMean,
    Kpi::OfferTimeoutShare,
    Kpi::BreakShare,
    Kpi::NotReadyShare,
    Kpi::WrapupMean,
];

/// One table of a scope's segments: a row per KPI (its unit beneath), a column per segment and a
/// last column for the whole center (the KPI table's value), each cell the mean over its 95%
/// interval: narrow columns, so that a center of several queues fits the page.
/// `data-segment`, `data-kpi` and `data-value` (the exact mean) are there for checking.
fn segment_table(run: &RunData, scope: &str, kpis: &[Kpi], total: &str) -> String {
    let segments: Vec<_> = run.segments.iter().filter(|s| s.scope == scope).collect();
    let mut t = format!(
        "<div class=\"wide\"><table id=\"segments-{scope}\" class=\"grid segments\">\n<tr><th>KPI</th>"
    );
    for s in &segments {
        let _ = write!(t, "<th class=\"num\">{}</th>", esc(&s.name));
    }
    let _ = writeln!(t, "<th class=\"num total\">{total}</th></tr>");
    for &k in kpis {
        let class = if HEADLINE_KPIS.contains(&k) {
            " class=\"headline\""
        } else {
            ""
        };
        let _ = write!(
            t,
            "<tr data-kpi=\"{n}\"{class}><td title=\"{d}\">{n}<span class=\"ci\">{u}</span></td>",
            n = k.name(),
            u = k.unit(),
            d = esc(k.definition())
        );
        let cell = |class: &str, segment: &str, e: &Estimate| {
            let (value, shown) = if e.mean.is_finite() {
                let ci = if e.low.is_finite() {
                    format!(
                        "<span class=\"ci\">[{}, {}]</span>",
                        short(e.low),
                        short(e.high)
                    )
                } else {
                    String::new()
                };
                (e.mean.to_string(), format!("{}{ci}", short(e.mean)))
            } else {
                (String::new(), "—".to_string())
            };
            format!(
                "<td class=\"{class}\" data-segment=\"{}\" data-kpi=\"{}\" data-value=\"{value}\">{shown}</td>",
                esc(segment),
                k.name()
            )
        };
        for s in &segments {
            t += &cell("num", &s.name, &s.overall[k.index()]);
        }
        t += &cell("num total", "", &run.summary[k.index()]);
        t += "</tr>\n";
    }
    t += "</table></div>\n";
    t
}

/// The optional parts of the model the run had (its KPIs are in its files), from the
/// resolved scenario of `run.json`.
pub fn features_of(run: &RunData) -> Features {
    let model = &run.run_json["scenario"]["resolved"]["model"];
    Features {
        dispositions: model["dispositions"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        ratings: model["queues"]
            .as_array()
            .is_some_and(|q| q.iter().any(|q| !q["chat"]["rating"].is_null())),
        asynchronous: model["queues"]
            .as_array()
            .is_some_and(|q| q.iter().any(|q| !q["chat"]["asynchronous"].is_null())),
        proactive: model["queues"]
            .as_array()
            .is_some_and(|q| q.iter().any(|q| !q["chat"]["proactive"].is_null())),
        internal: model["groups"]
            .as_array()
            .is_some_and(|g| g.iter().any(|g| !g["internal"].is_null())),
    }
}

/// The KPIs of a disposition in its table: how many, what share, how long.
const DISPOSITION_KPIS: [Kpi; 4] = [
    Kpi::MarkedDone,
    Kpi::DispositionShare,
    Kpi::HandleTimeMean,
    Kpi::WrapupMean,
];

/// The rating KPIs a segment table adds when the run asked for ratings.
const RATING_KPIS: [Kpi; 8] = [
    Kpi::RatingsAsked,
    Kpi::RatingAnswerShare,
    Kpi::RatingMean,
    Kpi::Rating1Share,
    Kpi::Rating2Share,
    Kpi::Rating3Share,
    Kpi::Rating4Share,
    Kpi::Rating5Share,
];

/// `kpis`, then the dispositions' and the ratings' when the run has them.
fn with_features(kpis: &[Kpi], features: Features, dispositions: &[Kpi]) -> Vec<Kpi> {
    let mut out = kpis.to_vec();
    if features.dispositions {
        out.extend_from_slice(dispositions);
    }
    if features.ratings {
        out.extend_from_slice(&RATING_KPIS);
    }
    out
}

/// The dispositions (`[wrapup.dispositions]`): a table of their counts, shares and times, and
/// their customers' ratings; nothing without them.
fn dispositions_html(run: &RunData) -> String {
    let features = features_of(run);
    if !features.dispositions {
        return String::new();
    }
    format!(
        "<section id=\"dispositions\"><h2>Dispositions</h2>\n<p class=\"muted\">The contacts \
         marked done with each code (missing: without one), over the whole center, as in the \
         disposition rows of segments.csv: how many, their share of the contacts marked done in \
         queues with codes, their handle and wrap-up times{}. The last column is the whole \
         center.</p>\n{}</section>\n",
        if features.ratings {
            ", and their customers' ratings"
        } else {
            ""
        },
        segment_table(
            run,
            "disposition",
            &with_features(
                &DISPOSITION_KPIS,
                Features {
                    dispositions: false,
                    ..features
                },
                &[]
            ),
            "center"
        )
    )
}

/// The queues, channels and groups of a center of several queues or groups (nothing for a
/// one-queue desk, whose only segment is the center): a table per scope from `segments.csv`.
fn segments_html(run: &RunData) -> String {
    let features = features_of(run);
    let queue_kpis = with_features(
        &QUEUE_KPIS,
        features,
        &[Kpi::MarkedDone, Kpi::DispositionMissingShare],
    );
    let group_kpis = with_features(
        &GROUP_KPIS,
        features,
        &[Kpi::MarkedDone, Kpi::DispositionMissingShare],
    );
    let count = |scope: &str| run.segments.iter().filter(|s| s.scope == scope).count();
    let (queues, channels, groups) = (count("queue"), count("channel"), count("group"));
    if !crate::experiment::keeps_segments(queues, groups) {
        return String::new();
    }
    let mut t = String::from(
        "<section id=\"segments\"><h2>Queues, channels and groups</h2>\n<p class=\"muted\">The KPIs of \
         each queue (its contacts, by arrival interval), of each channel (its queues together) \
         and of each group (its agents' time and the chats they took), as in segments.csv: means \
         across replications with their 95% Student-t intervals beneath. The last column is the \
         whole center, as in the table above.</p>\n",
    );
    let known = run
        .segments
        .iter()
        .any(|s| s.overall.iter().any(|e| e.mean.is_finite()));
    if !known {
        t += "<p>This folder has no segments.csv (it was written by an older ccsim): run the \
              scenario again to see its queues and groups here.</p>\n</section>\n";
        return t;
    }
    if queues > 1 {
        t += "<h3>Queues</h3>\n";
        t += &segment_table(run, "queue", &queue_kpis, "center");
    }
    if channels > 1 && channels != queues {
        t += "<h3>Channels</h3>\n";
        t += &segment_table(run, "channel", &queue_kpis, "center");
    } else if queues > 1 {
        let _ = writeln!(
            t,
            "<p class=\"muted\">{}</p>",
            if channels == queues {
                "Each channel carries one queue: its KPIs are its queue's."
            } else {
                "Every queue is on one channel: its KPIs are the center's."
            }
        );
    }
    if groups > 1 {
        t += "<h3>Groups</h3>\n";
        t += &segment_table(run, "group", &group_kpis, "all groups");
    }
    t += "</section>\n";
    t
}

fn warnings_html(warnings: &[String]) -> String {
    if warnings.is_empty() {
        return "<section id=\"warnings\"></section>\n".into();
    }
    let mut t = String::from("<section id=\"warnings\"><h2>Warnings</h2><ul>\n");
    for w in warnings {
        let _ = writeln!(t, "<li>{}</li>", esc(w));
    }
    t.push_str("</ul></section>\n");
    t
}

/// The page of a run.
pub fn run_page(
    run: &RunData,
    figures: &[(Figure, String)],
    timeline: Option<&Timeline>,
) -> String {
    page_of_run(run, figures, timeline, "")
}

/// The page of a staffing search: the targets and the verdicts first, then the staffed run.
pub fn staff_page(
    run: &RunData,
    staff: &StaffData,
    figures: &[(Figure, String)],
    timeline: Option<&Timeline>,
) -> String {
    page_of_run(run, figures, timeline, &staff_section(run, staff))
}

/// A mean with its 95% interval, as shown in the tables.
fn with_interval(e: &Estimate) -> String {
    if !e.mean.is_finite() {
        "—".into()
    } else if e.low.is_finite() {
        format!("{} [{}, {}]", short(e.mean), short(e.low), short(e.high))
    } else {
        short(e.mean)
    }
}

/// The staffing search: its targets, its answer and the table of verdicts, one row per row of
/// `staffing.csv` (`data-` attributes hold the exact values, for checking).
fn staff_section(run: &RunData, staff: &StaffData) -> String {
    let mut t = String::from("<section id=\"staffing\"><h2>Staffing search</h2>\n<p>Targets: ");
    let targets: Vec<String> = staff
        .targets
        .iter()
        .map(|t| format!("<code class=\"target\">{}</code>", esc(&t.to_string())))
        .collect();
    t += &targets.join(", ");
    t += "</p>\n";
    if let Some(g) = &staff.group {
        let _ = writeln!(
            t,
            "<p>Group searched: <strong id=\"staff-group\">{}</strong> (its agents below; the \
             other groups as in the scenario).</p>",
            esc(g)
        );
    }
    if staff.per_interval {
        let _ = writeln!(
            t,
            "<p>The smallest staffing of each reporting interval meeting every target, searched \
             interval by interval. Verdicts and KPIs below come from a final run of the whole \
             plan ({} replications).</p>",
            run.run_json["replications"]
        );
    } else if let Some(r) = staff.rows.iter().find(|r| r.chosen) {
        let _ = writeln!(
            t,
            "<p>Answer: <strong id=\"staff-answer\">{} agents</strong> all day, the smallest \
             constant staffing meeting every target over the whole measured window. The levels the \
             search ran:</p>",
            r.agents
        );
    }
    t += "<p class=\"muted\">A verdict is <em>met</em> when every target's 95% interval lies on \
          its right side, <em>missed</em> when one lies on the wrong side, and <em>unclear</em> \
          when an interval still contains a target value after the most replications allowed \
          (the simulation cannot tell; counted as not met).</p>\n<table id=\"verdict-table\">\n<tr>";
    let first: &[&str] = if staff.per_interval {
        &["interval", "start", "end", "agents", "verdict"]
    } else {
        &["agents", "replications", "verdict", "chosen"]
    };
    for h in first {
        let _ = write!(t, "<th>{h}</th>");
    }
    for target in &staff.targets {
        let _ = write!(
            t,
            "<th>{}: mean [95% interval], verdict</th>",
            esc(&target.to_string())
        );
    }
    t += "</tr>\n";
    for (row, r) in staff.rows.iter().enumerate() {
        let _ = write!(
            t,
            "<tr data-row=\"{row}\" data-agents=\"{}\" data-verdict=\"{}\">",
            r.agents,
            esc(&r.verdict)
        );
        if let Some((i, start, end)) = &r.interval {
            let _ = write!(
                t,
                "<td>{i}</td><td>{}</td><td>{}</td>",
                esc(start),
                esc(end)
            );
        }
        let _ = write!(t, "<td class=\"num agents\">{}</td>", r.agents);
        if !staff.per_interval {
            let _ = write!(
                t,
                "<td class=\"num\">{}</td>",
                r.replications.map_or(String::new(), |n| n.to_string())
            );
        }
        let _ = write!(
            t,
            "<td class=\"verdict verdict-{v}\">{v}</td>",
            v = esc(&r.verdict)
        );
        if !staff.per_interval {
            let _ = write!(t, "<td>{}</td>", if r.chosen { "answer" } else { "" });
        }
        for (target, &e) in staff.targets.iter().zip(&r.targets) {
            let v = verdict(target, &e).name();
            let _ = write!(
                t,
                "<td class=\"num target verdict-{v}\" data-kpi=\"{}\" data-value=\"{}\">{} · {v}</td>",
                esc(&target.column()),
                if e.mean.is_finite() { e.mean.to_string() } else { String::new() },
                with_interval(&e)
            );
        }
        t += "</tr>\n";
    }
    t += "</table>\n</section>\n";
    t
}

fn page_of_run(
    run: &RunData,
    figures: &[(Figure, String)],
    timeline: Option<&Timeline>,
    first: &str,
) -> String {
    let name = run.name();
    let mut page = head(&format!("ccsim — {name}"));
    let document = run
        .run_json
        .pointer("/scenario/document")
        .map(|d| toml::to_string(d).unwrap_or_else(|_| d.to_string()))
        .unwrap_or_default();
    let _ =
        write!(
        page,
        "<header><h1>{}</h1><p class=\"muted\">ccsim {} · scenario file {} · {} replications · \
         seed {}</p></header>\n<pre id=\"errors\"></pre>\n",
        esc(&name),
        esc(run.run_json["ccsim_version"].as_str().unwrap_or("")),
        esc(run.run_json.pointer("/scenario/file").and_then(|f| f.as_str()).unwrap_or("")),
        run.run_json["replications"],
        run.run_json["seed"]
    );
    page += first;
    page += &warnings_html(&run_warnings(run));
    let _ = write!(
        page,
        "<section id=\"settings\"><h2>Settings</h2>\n{}<details><summary>The scenario as run \
         (TOML)</summary><pre>{}</pre></details></section>\n",
        settings_html(run),
        esc(&document)
    );
    let _ = write!(
        page,
        "<section id=\"kpis\"><h2>KPIs over the measured window</h2>\n<p class=\"muted\">Means \
         across replications with 95% Student-t intervals; contacts count in the interval they \
         arrive in.</p>\n{}</section>\n",
        kpi_table(Some(&run.summary), false, features_of(run))
    );
    page += &segments_html(run);
    page += &dispositions_html(run);
    if let Some(t) = timeline {
        page += &timeline_html(t);
    }
    let _ = write!(
        page,
        "<section id=\"plots\"><h2>Plots</h2>\n{}</section>\n",
        figures_html(figures)
    );
    page += "</body>\n</html>\n";
    page
}

/// The Timeline section: a few agents' chats from the transcript (`trace.csv`).
fn timeline_html(t: &Timeline) -> String {
    let shown = if t.drawn_contacts < t.contacts {
        format!(
            "{} of the {} traced contacts (those of the {} agents who accepted the earliest \
             chats{})",
            t.drawn_contacts,
            t.contacts,
            t.lanes.len(),
            if t.contacts as u64 > MAX_CONTACTS {
                format!(", among the first {MAX_CONTACTS} contacts")
            } else {
                String::new()
            }
        )
    } else {
        format!("all {} traced contacts", t.contacts)
    };
    format!(
        "<section id=\"timeline\"><h2>Timeline</h2>\n<p class=\"muted\">The chats of {shown} \
         in replication 1, from trace.csv (<code>--trace N</code>): one lane per agent, a row \
         per chat held at once, each chat a bar from its accept to Mark Done. Inside a bar, a \
         customer message waiting for a reply is coloured by its indicator (green, yellow, red \
         at the queue's thresholds), the customer's turn is grey and wrap-up hatched; a dashed \
         arrow is a chat that moved to another agent (reassigned, transferred, or ownership \
         passed in a conference or after a consultation), or a session parked until its \
         customer wrote again (hover it for which). Chats of contacts not traced are not \
         drawn, so an agent may have held more. Hover a bar for its contact.</p>\n\
         <figure class=\"wide\">{}</figure>\n</section>\n",
        t.svg()
    )
}

/// Per point of a sweep, the per-interval series the explorer draws.
pub struct PointIntervals {
    pub point: usize,
    pub run: RunData,
}

const EXPLORER_SERIES: [(Kpi, &str); 6] = [
    (Kpi::ServiceLevel, "#1f77b4"),
    (Kpi::AbandonRate, "#c62828"),
    (Kpi::ResponsesYellowShare, "#ffa000"),
    (Kpi::ResponsesRedShare, "#c62828"),
    (Kpi::Offered, "#1f77b4"),
    (Kpi::Answered, "#2ca02c"),
];

/// The page of a sweep: the what-if explorer, then the sweep's own charts.
pub fn sweep_page(
    sweep: &SweepData,
    intervals: &[PointIntervals],
    figures: &[(Figure, String)],
) -> String {
    let plan = &sweep.plan;
    let title = format!(
        "Sweep of {}",
        plan.scenario_file
            .file_name()
            .map_or("scenario".into(), |n| n.to_string_lossy().into_owned())
    );
    let est = |e: &Estimate| json!([json_num(e.mean), json_num(e.low), json_num(e.high)]);
    // The KPIs of an optional part some point has (defined in some point's summary): the
    // explorer's table and data hold the KPIs the points' files hold.
    let defined = |k: Kpi| {
        sweep
            .points
            .iter()
            .flatten()
            .any(|s| s[k.index()].mean.is_finite())
    };
    let features = Features {
        dispositions: defined(Kpi::MarkedDone),
        ratings: defined(Kpi::RatingsAsked),
        // Undefined with no resumed session accepted: no point parked any.
        asynchronous: defined(Kpi::ResumeWaitMean),
        // Defined as soon as a point has a website: its visitor count is a number.
        proactive: defined(Kpi::ProactiveVisitors),
        internal: defined(Kpi::InternalMessages),
    };
    let reported = |s: &Vec<Estimate>| {
        Kpi::ALL
            .iter()
            .zip(s)
            .filter(|(k, _)| features.reports(**k))
            .map(|(_, e)| est(e))
            .collect::<Vec<_>>()
    };
    let points: Vec<serde_json::Value> = sweep
        .points
        .iter()
        .enumerate()
        .map(|(p, summary)| {
            let series = intervals.iter().find(|i| i.point == p).map(|pi| {
                let mut obj = serde_json::Map::new();
                obj.insert(
                    "x".into(),
                    json!((0..pi.run.intervals.len())
                        .map(|i| pi.run.interval_mid_hours(i))
                        .collect::<Vec<_>>()),
                );
                for (k, _) in EXPLORER_SERIES {
                    obj.insert(
                        k.name().into(),
                        json!(pi
                            .run
                            .intervals
                            .iter()
                            .map(|iv| est(&iv.kpis[k.index()]))
                            .collect::<Vec<_>>()),
                    );
                }
                serde_json::Value::Object(obj)
            });
            let run = intervals.iter().find(|i| i.point == p).map(|pi| &pi.run);
            let response = run.and_then(|r| {
                run_figures(r)
                    .into_iter()
                    .find(|f| f.stem == "response_time")
                    .and_then(|f| match f.chart {
                        Chart::Bars { bars, markers, .. } => Some(json!({
                            "bars": bars.iter().map(|b| json!([b.low, b.high, json_num(b.value), hex(b.color)])).collect::<Vec<_>>(),
                            "markers": markers.iter().map(|m| json!([m.at, m.label, hex(m.color)])).collect::<Vec<_>>(),
                        })),
                        _ => None,
                    })
            });
            json!({
                "summary": summary.as_ref().map(reported),
                "diff": sweep.differences[p].as_ref().map(reported),
                "intervals": series,
                "settings": run.map(|r| settings(r).rows()),
                "warnings": run.map(run_warnings),
                "response": response,
            })
        })
        .collect();
    let data = json!({
        "keys": plan.vary.iter().map(|v| json!({"key": v.key, "values": v.values})).collect::<Vec<_>>(),
        "kpis": Kpi::ALL
            .iter()
            .filter(|k| features.reports(**k))
            .map(|k| k.name())
            .collect::<Vec<_>>(),
        "series": EXPLORER_SERIES.iter().map(|(k, c)| json!({"kpi": k.name(), "color": c})).collect::<Vec<_>>(),
        "points": points,
        "baseline": sweep.baseline,
    });
    let mut page = head(&format!("ccsim — {title}"));
    let _ = write!(
        page,
        "<header><h1>{}</h1><p class=\"muted\">ccsim {} · {} points · varied: {}</p></header>\n\
         <pre id=\"errors\"></pre>\n",
        esc(&title),
        esc(&plan.ccsim_version),
        plan.points.len(),
        esc(&plan
            .vary
            .iter()
            .map(|v| v.key.as_str())
            .collect::<Vec<_>>()
            .join(", "))
    );
    page += "<section id=\"explorer\"><h2>What if…</h2>\n<div class=\"controls\">\n";
    for (i, v) in plan.vary.iter().enumerate() {
        let _ = write!(
            page,
            "<label>{}<select id=\"control-{i}\" data-key=\"{}\">",
            esc(&v.key),
            esc(&v.key)
        );
        for (j, value) in v.values.iter().enumerate() {
            let _ = write!(page, "<option value=\"{j}\">{}</option>", esc(value));
        }
        page += "</select></label>\n";
    }
    page += "</div>\n<p>Point <span id=\"point-id\"></span> <span id=\"point-status\" class=\"muted\"></span></p>\n";
    if let Some(b) = sweep.baseline {
        let values: Vec<String> = plan
            .vary
            .iter()
            .map(|v| {
                let x = &plan.points[b]["values"][&v.key];
                format!("{}={}", v.key, x.as_str().unwrap_or(""))
            })
            .collect();
        let _ = writeln!(
            page,
            "<p class=\"muted\" id=\"baseline\">Differences are from point {b} ({}): replication r of \
             the chosen point minus replication r of the baseline, with a paired 95% interval.</p>",
            esc(&values.join(", "))
        );
    }
    page += "<section id=\"warnings\"><ul id=\"point-warnings\"></ul></section>\n";
    page += "<details><summary>Settings of this point</summary><table id=\"point-settings\"></table></details>\n";
    page += &kpi_table(None, sweep.baseline.is_some(), features);
    page += "<figure><svg id=\"chart-response\" viewBox=\"0 0 900 320\" width=\"900\" height=\"320\"></svg>\
             <figcaption>Response times of the chosen point (share of all replies; green, amber, red by the colour reached; last bar: everything above)</figcaption></figure>\n";
    page += "<figure><svg id=\"chart-service\" viewBox=\"0 0 900 320\" width=\"900\" height=\"320\"></svg>\
             <figcaption>Service level and abandon rate of the chosen point, per interval (bands: 95% intervals)</figcaption></figure>\n\
             <figure><svg id=\"chart-indicator\" viewBox=\"0 0 900 320\" width=\"900\" height=\"320\"></svg>\
             <figcaption>Replies that reached yellow and red, per interval</figcaption></figure>\n\
             <figure><svg id=\"chart-volume\" viewBox=\"0 0 900 320\" width=\"900\" height=\"320\"></svg>\
             <figcaption>Offered and answered chats per interval</figcaption></figure>\n</section>\n";
    let _ = write!(
        page,
        "<section id=\"plots\"><h2>Across the sweep</h2>\n{}</section>\n",
        figures_html(figures)
    );
    let _ = write!(
        page,
        "<script type=\"application/json\" id=\"sweep-data\">{}</script>\n<script>{EXPLORER_JS}</script>\n</body>\n</html>\n",
        script_json(&data)
    );
    page
}

/// `#rrggbb` of a plot colour, for the page's own charts.
pub(super) fn hex(c: plotters::style::RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

fn json_num(x: f64) -> serde_json::Value {
    serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// The explorer: reads the embedded data, fills the KPI table and draws the charts of the point
/// the controls select. `short` mirrors the Rust formatting of the run pages.
const EXPLORER_JS: &str = r#"
(function () {
  const data = JSON.parse(document.getElementById('sweep-data').textContent);
  const controls = data.keys.map((_, i) => document.getElementById('control-' + i));
  function short(x) {
    if (x === null || !isFinite(x)) return '—';
    const a = Math.abs(x);
    if (a === 0 || (a >= 0.001 && a < 1e7)) return x.toFixed(a >= 1000 ? 1 : a >= 10 ? 2 : 4);
    return x.toExponential(3);
  }
  function pointIndex() {
    return controls.reduce((acc, c, i) => acc * data.keys[i].values.length + Number(c.value), 0);
  }
  const NS = 'http://www.w3.org/2000/svg';
  function el(name, attrs, parent) {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  // Round ticks in 1-2-5 steps and clock-time ticks, as the PNG/SVG plots have (plots.rs).
  function niceTicks(lo, hi, max) {
    const raw = Math.max(hi - lo, 1e-12) / max;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map(m => m * mag).find(s => s >= raw * (1 - 1e-9));
    const ticks = [];
    for (let i = Math.ceil(lo / step - 1e-9); i <= Math.floor(hi / step + 1e-9); i++) ticks.push(i * step);
    return {step, ticks};
  }
  function tickLabel(v, step) {
    const t = v.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
    return /^-?[0.]+$/.test(t) ? t.replace('-', '') : t;
  }
  const pad2 = n => String(n).padStart(2, '0');
  function clock(hours) {
    const t = Math.round(hours * 3600), day = Math.floor(t / 86400), r = t % 86400;
    const s = pad2(Math.floor(r / 3600)) + ':' + pad2(Math.floor(r / 60) % 60) + (r % 60 ? ':' + pad2(r % 60) : '');
    return day ? 'd' + (day + 1) + ' ' + s : s;
  }
  function clockTicks(lo, hi, max) {
    const step = [1 / 60, 5 / 60, 0.25, 0.5, 1, 2, 3, 4, 6, 12, 24, 48, 168].find(s => (hi - lo) / s <= max) || niceTicks(lo, hi, max).step;
    const ticks = [];
    for (let i = Math.ceil(lo / step - 1e-9); i <= Math.floor(hi / step + 1e-9); i++) ticks.push(i * step);
    return ticks;
  }
  // A value axis from 0 to a whole tick at or above ymax.
  function yAxis(ymax) {
    if (!(ymax > 0)) ymax = 1;
    const {step} = niceTicks(0, ymax, 5);
    const top = Math.ceil(ymax / step - 1e-9) * step;
    return {top, step, ticks: niceTicks(0, top, 5).ticks};
  }
  function yTicks(svg, axis, sy, L, W, R) {
    axis.ticks.forEach(v => {
      el('line', {x1: L, y1: sy(v), x2: W - R, y2: sy(v), stroke: '#000', 'stroke-opacity': 0.1}, svg);
      el('text', {x: L - 6, y: sy(v) + 4, 'text-anchor': 'end', 'font-size': 12}, svg).textContent = tickLabel(v, axis.step);
    });
  }
  function chart(id, x, series, yLabel, ratio) {
    const svg = document.getElementById(id);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const W = 900, H = 320, L = 70, R = 150, T = 15, B = 40;
    // Bands cut to where the KPI lies (none is negative; a ratio is at most 1), as in plots/.
    const cut = v => v === null ? null : Math.min(Math.max(v, 0), ratio ? 1 : Infinity);
    series = series.map(s => ({...s, values: s.values.map(v => [v[0], cut(v[1]), cut(v[2])])}));
    let ymax = 0;
    series.forEach(s => s.values.forEach(v => { for (const y of v) if (y !== null && isFinite(y)) ymax = Math.max(ymax, y); }));
    const axis = yAxis(ymax);
    const half = x.length > 1 ? (x[1] - x[0]) / 2 : 0.5;
    const x0 = Math.min(...x) - half, x1 = Math.max(...x) + half;
    const sx = v => L + (W - L - R) * (v - x0) / (x1 - x0);
    const sy = v => T + (H - T - B) * (1 - v / axis.top);
    yTicks(svg, axis, sy, L, W, R);
    el('line', {x1: L, y1: sy(0), x2: W - R, y2: sy(0), stroke: '#888'}, svg);
    el('line', {x1: L, y1: T, x2: L, y2: sy(0), stroke: '#888'}, svg);
    clockTicks(x0, x1, 10).forEach(v => { el('text', {x: sx(v), y: H - B + 16, 'text-anchor': 'middle', 'font-size': 12}, svg).textContent = clock(v); });
    el('text', {x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle', 'font-size': 12}, svg).textContent = 'clock time (middle of each interval); bands: 95% intervals';
    el('text', {x: 14, y: (T + H - B) / 2, 'font-size': 12, transform: 'rotate(-90 14 ' + (T + H - B) / 2 + ')', 'text-anchor': 'middle'}, svg).textContent = yLabel;
    series.forEach((s, k) => {
      const band = [], line = [];
      s.values.forEach((v, i) => {
        if (v[1] !== null && v[2] !== null) band.push([sx(x[i]), sy(v[2])]);
        if (v[0] !== null) line.push([sx(x[i]), sy(v[0])]);
      });
      const lows = [];
      s.values.forEach((v, i) => { if (v[1] !== null && v[2] !== null) lows.unshift([sx(x[i]), sy(v[1])]); });
      if (band.length) el('polygon', {points: band.concat(lows).map(p => p.join(',')).join(' '), fill: s.color, 'fill-opacity': 0.18}, svg);
      if (line.length) el('polyline', {points: line.map(p => p.join(',')).join(' '), fill: 'none', stroke: s.color, 'stroke-width': 2, 'class': 'series'}, svg);
      line.forEach(p => el('circle', {cx: p[0], cy: p[1], r: 3, fill: s.color}, svg));
      el('line', {x1: W - R + 10, y1: T + 12 + 18 * k, x2: W - R + 30, y2: T + 12 + 18 * k, stroke: s.color, 'stroke-width': 2}, svg);
      el('text', {x: W - R + 35, y: T + 16 + 18 * k, 'font-size': 12}, svg).textContent = s.name;
    });
  }
  function update() {
    const p = pointIndex();
    const point = data.points[p];
    document.getElementById('point-id').textContent = String(p);
    document.getElementById('point-status').textContent = point && point.summary ? '' : '(skipped: invalid settings)';
    data.kpis.forEach((name, k) => {
      const row = document.querySelector('#kpi-table tr[data-kpi="' + name + '"]');
      const e = point && point.summary ? point.summary[k] : [null, null, null];
      const mean = row.querySelector('.mean');
      mean.textContent = short(e[0]);
      mean.setAttribute('data-value', e[0] === null ? '' : String(e[0]));
      row.querySelector('.ci').textContent = e[1] === null ? '' : '[' + short(e[1]) + ', ' + short(e[2]) + ']';
      const cell = row.querySelector('.diff');
      if (cell) {
        const d = point && point.diff ? point.diff[k] : [null, null, null];
        const signed = x => (x > 0 ? '+' : '') + short(x);
        cell.textContent = p === data.baseline ? 'baseline'
          : d[0] === null ? '—'
          : signed(d[0]) + (d[1] === null ? '' : ' [' + signed(d[1]) + ', ' + signed(d[2]) + ']');
        cell.setAttribute('data-value', d[0] === null ? '' : String(d[0]));
      }
    });
    const iv = point && point.intervals;
    const pick = (kpi, name) => ({name: name, color: data.series.find(s => s.kpi === kpi).color, values: iv ? iv[kpi] : []});
    const x = iv ? iv.x : [0];
    chart('chart-service', x, [pick('service_level', 'service level'), pick('abandon_rate', 'abandon rate')], 'share (0–1)', true);
    chart('chart-indicator', x, [pick('responses_yellow_share', 'yellow or red'), pick('responses_red_share', 'red')], 'share of replies (0–1)', true);
    chart('chart-volume', x, [pick('offered', 'offered'), pick('answered', 'answered')], 'contacts per interval', false);
    details(point);
  }
  function bars(id, r) {
    const svg = document.getElementById(id);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    if (!r) return;
    const W = 900, H = 320, L = 70, R = 150, T = 15, B = 40;
    const xmax = Math.max(...r.bars.map(b => b[1])) || 1;
    const axis = yAxis(Math.max(...r.bars.map(b => b[2] || 0)));
    const sx = v => L + (W - L - R) * v / xmax, sy = v => T + (H - T - B) * (1 - v / axis.top);
    yTicks(svg, axis, sy, L, W, R);
    el('line', {x1: L, y1: sy(0), x2: W - R, y2: sy(0), stroke: '#888'}, svg);
    el('line', {x1: L, y1: T, x2: L, y2: sy(0), stroke: '#888'}, svg);
    r.bars.forEach(b => el('rect', {x: sx(b[0]), y: sy(b[2] || 0), width: Math.max(sx(b[1]) - sx(b[0]) - 0.5, 0.5), height: sy(0) - sy(b[2] || 0), fill: b[3], 'fill-opacity': 0.75}, svg));
    // Threshold lines, named in the key on the right (outside the bars).
    r.markers.forEach((m, k) => {
      el('line', {x1: sx(m[0]), y1: T, x2: sx(m[0]), y2: sy(0), stroke: m[2], 'stroke-width': 2}, svg);
      el('line', {x1: W - R + 20, y1: T + 5 + 18 * k, x2: W - R + 20, y2: T + 19 + 18 * k, stroke: m[2], 'stroke-width': 2}, svg);
      el('text', {x: W - R + 35, y: T + 16 + 18 * k, 'font-size': 12}, svg).textContent = m[1];
    });
    const xt = niceTicks(0, xmax, 8);
    xt.ticks.forEach(v => { el('text', {x: sx(v), y: H - B + 16, 'text-anchor': 'middle', 'font-size': 12}, svg).textContent = tickLabel(v, xt.step); });
    el('text', {x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle', 'font-size': 12}, svg).textContent = 'response time (s); last bar: everything above';
    el('text', {x: 14, y: (T + H - B) / 2, 'font-size': 12, transform: 'rotate(-90 14 ' + (T + H - B) / 2 + ')', 'text-anchor': 'middle'}, svg).textContent = 'share of all replies (0–1)';
  }
  function details(point) {
    const list = document.getElementById('point-warnings');
    list.textContent = '';
    ((point && point.warnings) || []).forEach(w => { const li = document.createElement('li'); li.textContent = w; list.appendChild(li); });
    const table = document.getElementById('point-settings');
    table.textContent = '';
    ((point && point.settings) || []).forEach(([k, v]) => {
      const tr = document.createElement('tr');
      [k, v].forEach(x => { const td = document.createElement('td'); td.textContent = x; tr.appendChild(td); });
      table.appendChild(tr);
    });
    bars('chart-response', point && point.response);
  }
  controls.forEach(c => c.addEventListener('change', update));
  controls.forEach(c => c.addEventListener('input', update));
  update();
})();
"#;
