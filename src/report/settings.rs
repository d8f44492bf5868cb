//! The settings a report shows, read from `run.json`'s resolved scenario (so `ccsim report`
//! shows them for any folder). A one-queue desk gets one list. A center of several queues or
//! groups gets the center-wide settings, then a table of the queues and one of the groups with
//! the settings that differ between them; a setting every queue (or every group) shares is said
//! once, in the center's list, marked as such, and no queue's or group's value is ever shown as
//! if it were the center's.

use serde_json::Value;

use super::load::RunData;
use crate::scenario::{format_clock, format_duration};

/// The settings of a run as the page shows them.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// (name, value) rows: the run and the center.
    pub center: Vec<(String, String)>,
    /// Queues, then groups, of a center (none for a one-queue desk); a table is left out when
    /// every setting of its scope is shared.
    pub tables: Vec<Table>,
}

/// One row per queue (or group), one column per setting that differs between them. A cell may
/// hold several lines (`\n`), such as a group's shifts.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// `queue` or `group`.
    pub scope: &'static str,
    pub columns: Vec<String>,
    /// (segment name, one cell per column).
    pub rows: Vec<(String, Vec<String>)>,
}

impl Settings {
    /// Every setting as (name, value) rows, a queue's or a group's own in one row each (the
    /// explorer of a sweep lists them so).
    pub fn rows(&self) -> Vec<(String, String)> {
        let mut rows = self.center.clone();
        for t in &self.tables {
            for (name, cells) in &t.rows {
                let text: Vec<String> = t
                    .columns
                    .iter()
                    .zip(cells)
                    .map(|(c, v)| format!("{c}: {}", v.replace('\n', "; ")))
                    .collect();
                rows.push((format!("{} {name}", t.scope), text.join(" · ")));
            }
        }
        rows
    }
}

/// A string, or a JSON value as written (without quotes).
fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// A number without the noise of a unit conversion (`24.999999999999996` per hour is `25`).
fn plain(x: f64) -> String {
    let rounded = format!("{x:.6}");
    let trimmed = rounded.trim_end_matches('0').trim_end_matches('.');
    trimmed.to_string()
}

/// `25`, or `30–80` when the values differ.
fn range(values: impl Iterator<Item = f64>) -> String {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    if lo == hi {
        plain(hi)
    } else {
        format!("{}–{}", plain(lo), plain(hi))
    }
}

/// A duration of the resolved scenario, or `None` for a timer that is off (infinite: `null`
/// in JSON).
fn finite(v: &Value) -> Option<f64> {
    v.as_f64().filter(|t| t.is_finite())
}

/// A queue's `[escalation]` in words, or "off"; `queue_names` for its `reassign_to`.
fn escalation_text(queue: &Value, queue_names: &[String]) -> String {
    let e = &queue["chat"]["escalation"];
    let mut parts = Vec::new();
    if e["red_first"].as_bool() == Some(true) {
        parts.push("red chats first".to_string());
    }
    if let Some(colour) = e["hold_new_chats"].as_str() {
        parts.push(format!("no new chat while one is {colour}"));
    }
    if let Some(t) = finite(&e["reassign_after"]) {
        let to = e["reassign_to"]
            .as_u64()
            .and_then(|q| queue_names.get(q as usize))
            .filter(|to| Some(to.as_str()) != queue["name"].as_str());
        parts.push(match to {
            Some(to) => format!("reassigned after {} (to {to})", format_duration(t)),
            None => format!("reassigned after {}", format_duration(t)),
        });
    }
    if parts.is_empty() {
        "off".into()
    } else {
        parts.join(", ")
    }
}

/// A queue's `[inactivity]` and silent leavers in words, or "off".
fn inactivity_text(queue: &Value) -> String {
    let chat = &queue["chat"];
    let t = &chat["inactivity"];
    let alerts: Vec<String> = [&t["alert"], &t["alert2"]]
        .into_iter()
        .filter_map(finite)
        .map(format_duration)
        .collect();
    let mut parts = Vec::new();
    if !alerts.is_empty() {
        parts.push(format!("alerts after {}", alerts.join(" and ")));
    }
    if let Some(close) = finite(&t["close"]) {
        parts.push(format!("closed after {}", format_duration(close)));
    }
    let silent = num(&chat["silent_leave"]);
    if silent > 0.0 {
        parts.push(format!(
            "{}% of replies followed by a silent leave",
            plain(100.0 * silent)
        ));
    }
    if parts.is_empty() {
        "off".into()
    } else {
        parts.join(", ")
    }
}

/// A queue's `patience.retry` and `patience.recontact` in words, or `None` when neither is set
/// (the keys are then absent from the resolved scenario).
/// A queue's `[asynchronous]` continuation in words (`None` when off: `run.json` leaves it out).
fn asynchronous_text(queue: &Value) -> Option<String> {
    let a = queue["chat"].get("asynchronous")?;
    let mut out = format!(
        "parked after {} quiet",
        format_duration(num(&a["park_after"]))
    );
    if a["resume"].as_str() == Some("same_agent") {
        match num(&a["affinity_wait"]) {
            w if w > 0.0 => {
                out += &format!(
                    ", resumed with the same agent (waited up to {})",
                    format_duration(w)
                )
            }
            _ => out += ", resumed with the same agent when free",
        }
    } else {
        out += ", resumed in the queue";
    }
    if let Some(close) = finite(&a["close_after"]) {
        out += &format!(", closed after {} parked", format_duration(close));
    }
    Some(out)
}

fn returns_text(queue: &Value) -> Option<String> {
    let chat = &queue["chat"];
    let part = |key: &str, what: &str| {
        let r = chat.get(key)?;
        Some(format!(
            "{}% of {what} come back after {} on average, up to {} time{}",
            plain(100.0 * num(&r["probability"])),
            format_duration(num(&r["delay"]["mean"])),
            text(&r["max"]),
            if r["max"].as_u64() == Some(1) {
                ""
            } else {
                "s"
            }
        ))
    };
    let parts: Vec<String> = [
        part("retry", "abandons"),
        part("recontact", "completed chats"),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

pub fn settings(run: &RunData) -> Settings {
    let json = &run.run_json;
    let m = |p: &str| json.pointer(p).map(text).unwrap_or_default();
    let d = |p: &str| format_duration(run.number(p));
    let mut center: Vec<(String, String)> = [
        ("replications", m("/replications")),
        ("seed", m("/seed")),
        ("day starts at", format_clock(run.day_start(), 0.0)),
        ("warm-up", d("/window/warmup_s")),
        ("horizon (measured)", d("/window/horizon_s")),
        ("reporting interval", d("/window/interval_s")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let model = json.pointer("/scenario/resolved/model");
    let list = |key: &str| {
        model
            .and_then(|m| m.get(key))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (queues, groups) = (list("queues"), list("groups"));
    if !crate::experiment::keeps_segments(queues.len(), groups.len()) {
        // One queue served by one group: its settings are the center's. (Folders of versions
        // before several queues have no queue list and are such desks.)
        let row = |k: &str, v: String| (k.to_string(), v);
        center.extend([
            row("agents", run.agents_text()),
            row(
                "max chats per agent",
                m("/scenario/resolved/center/max_concurrent"),
            ),
            row("routing", m("/scenario/resolved/center/routing")),
            row("attention", m("/scenario/resolved/center/attention")),
            row(
                "indicator",
                format!(
                    "yellow after {}, red after {} (timed from the {})",
                    d("/scenario/resolved/center/yellow"),
                    d("/scenario/resolved/center/red"),
                    m("/scenario/resolved/center/basis")
                ),
            ),
            row(
                "service level threshold",
                d("/window/service_level_threshold_s"),
            ),
        ]);
        // Folders of versions before escalation have neither key: nothing to say.
        if let Some(q) = queues
            .first()
            .filter(|q| q["chat"].get("escalation").is_some())
        {
            let names = [text(&q["name"])];
            center.push(row("escalation", escalation_text(q, &names)));
            center.push(row("customer inactivity", inactivity_text(q)));
        }
        if let Some(returns) = queues.first().and_then(returns_text) {
            center.push(row("returning customers", returns));
        }
        if let Some(text) = queues.first().and_then(asynchronous_text) {
            center.push(row("asynchronous continuation", text));
        }
        return Settings {
            center,
            tables: Vec::new(),
        };
    }
    let channels = list("channels");
    let names =
        |items: &[Value]| -> Vec<String> { items.iter().map(|x| text(&x["name"])).collect() };
    let (queue_names, group_names) = (names(&queues), names(&groups));
    let count = |n: usize, what: &str, names: &[String]| {
        format!(
            "{n} {what}{}: {}",
            if n == 1 { "" } else { "s" },
            names.join(", ")
        )
    };
    center.extend([
        (
            "queues".to_string(),
            count(queues.len(), "queue", &queue_names),
        ),
        (
            "channels".to_string(),
            count(
                channels.len(),
                "channel",
                &channels.iter().map(text).collect::<Vec<_>>(),
            ),
        ),
        (
            "groups".to_string(),
            count(groups.len(), "group", &group_names),
        ),
        (
            "agents".to_string(),
            format!("{} on shift, every group together", run.agents_text()),
        ),
        (
            "routing".to_string(),
            m("/scenario/resolved/center/routing"),
        ),
        (
            "attention".to_string(),
            m("/scenario/resolved/center/attention"),
        ),
        (
            "service level threshold".to_string(),
            format!(
                "{} (center-wide: every queue)",
                d("/window/service_level_threshold_s")
            ),
        ),
    ]);
    let group_name = |g: &Value| {
        g.as_u64()
            .and_then(|g| group_names.get(g as usize))
            .cloned()
            .unwrap_or_else(|| text(g))
    };
    let queue_columns: Vec<(&str, Vec<String>)> = vec![
        (
            "channel",
            queues
                .iter()
                .map(|q| {
                    q["channel"]
                        .as_u64()
                        .and_then(|c| channels.get(c as usize))
                        .map_or_else(|| text(&q["channel"]), text)
                })
                .collect(),
        ),
        (
            "priority",
            queues.iter().map(|q| text(&q["priority"])).collect(),
        ),
        (
            "arrivals per hour",
            queues
                .iter()
                .map(|q| {
                    let rates = q["arrival_rates"].as_array().cloned().unwrap_or_default();
                    range(rates.iter().map(|r| num(r) * 3600.0))
                })
                .collect(),
        ),
        (
            "served by",
            queues
                .iter()
                .map(|q| {
                    let tiers = q["tiers"].as_array().cloned().unwrap_or_default();
                    tiers
                        .iter()
                        .map(|t| {
                            let who: Vec<String> = t["groups"]
                                .as_array()
                                .map(|g| g.iter().map(group_name).collect())
                                .unwrap_or_default();
                            let after = num(&t["after"]);
                            if after > 0.0 {
                                format!("{} after {}", who.join(", "), format_duration(after))
                            } else {
                                who.join(", ")
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", then ")
                })
                .collect(),
        ),
        (
            "indicator",
            queues
                .iter()
                .map(|q| {
                    format!(
                        "yellow after {}, red after {}",
                        format_duration(num(&q["chat"]["yellow"])),
                        format_duration(num(&q["chat"]["red"]))
                    )
                })
                .collect(),
        ),
        (
            "indicator timed from",
            queues
                .iter()
                .map(|q| format!("the {}", text(&q["chat"]["basis"])))
                .collect(),
        ),
        (
            "alert timeout",
            queues
                .iter()
                .map(|q| match q["chat"]["alert_timeout"].as_f64() {
                    Some(t) if t.is_finite() => format_duration(t),
                    _ => "none".into(),
                })
                .collect(),
        ),
        (
            "escalation",
            queues
                .iter()
                .map(|q| escalation_text(q, &queue_names))
                .collect(),
        ),
        (
            "customer inactivity",
            queues.iter().map(inactivity_text).collect(),
        ),
        (
            "returning customers",
            queues
                .iter()
                .map(|q| returns_text(q).unwrap_or_else(|| "none".into()))
                .collect(),
        ),
        (
            "asynchronous continuation",
            queues
                .iter()
                .map(|q| asynchronous_text(q).unwrap_or_else(|| "off".into()))
                .collect(),
        ),
    ];
    let day = run.day_start();
    let group_columns: Vec<(&str, Vec<String>)> = vec![
        (
            "agents",
            groups
                .iter()
                .map(|g| staffing_text(&g["staffing"], day))
                .collect(),
        ),
        (
            "max chats per agent",
            groups.iter().map(|g| text(&g["max_concurrent"])).collect(),
        ),
        (
            "absenteeism",
            groups
                .iter()
                .map(|g| match num(&g["absenteeism"]) {
                    p if p > 0.0 => format!("{}%", plain(100.0 * p)),
                    _ => "none".into(),
                })
                .collect(),
        ),
        (
            "serves",
            (0..groups.len())
                .map(|g| {
                    let served: Vec<String> = queues
                        .iter()
                        .filter_map(|q| {
                            let tiers = q["tiers"].as_array()?;
                            let tier = tiers.iter().find(|t| {
                                t["groups"].as_array().is_some_and(|gs| {
                                    gs.iter().any(|x| x.as_u64() == Some(g as u64))
                                })
                            })?;
                            let after = num(&tier["after"]);
                            Some(if after > 0.0 {
                                format!("{} (after {})", text(&q["name"]), format_duration(after))
                            } else {
                                text(&q["name"])
                            })
                        })
                        .collect();
                    served.join(", ")
                })
                .collect(),
        ),
    ];
    let mut tables = Vec::new();
    for (scope, every, names, columns) in [
        ("queue", "every queue", &queue_names, queue_columns),
        ("group", "every group", &group_names, group_columns),
    ] {
        let mut table = Table {
            scope,
            columns: Vec::new(),
            rows: names.iter().map(|n| (n.clone(), Vec::new())).collect(),
        };
        for (column, values) in columns {
            match values.first() {
                Some(first) if values.len() > 1 && values.iter().all(|v| v == first) => {
                    center.push((column.to_string(), format!("{first} ({every})")));
                }
                _ => {
                    table.columns.push(column.to_string());
                    for (row, v) in table.rows.iter_mut().zip(values) {
                        row.1.push(v);
                    }
                }
            }
        }
        if !table.columns.is_empty() {
            tables.push(table);
        }
    }
    Settings { center, tables }
}

/// A group's staffing as the scenario gives it: `5 agents`, `2–8 agents (a plan per 30m)`, or
/// one line per shift with its breaks, in clock times.
fn staffing_text(staffing: &Value, day_start: f64) -> String {
    if let Some(plan) = staffing.get("per_step") {
        let agents = plan["agents"].as_array().cloned().unwrap_or_default();
        let (lo, hi) = agents.iter().fold((u64::MAX, 0), |(a, b), x| {
            let x = x.as_u64().unwrap_or(0);
            (a.min(x), b.max(x))
        });
        return if lo >= hi {
            format!("{hi} agents")
        } else {
            format!(
                "{lo}–{hi} agents (a plan per {})",
                format_duration(num(&plan["step"]))
            )
        };
    }
    let clock = |v: &Value| format_clock(day_start, num(v));
    let shifts = staffing
        .get("shifts")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    shifts
        .iter()
        .map(|s| {
            let breaks: Vec<String> = s["breaks"]
                .as_array()
                .map(|b| {
                    b.iter()
                        .map(|b| {
                            format!(
                                "{} ({})",
                                clock(&b["at"]),
                                format_duration(num(&b["length"]))
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let agents = s["agents"].as_u64().unwrap_or(0);
            let mut line = format!(
                "{}–{}: {agents} agent{}",
                clock(&s["start"]),
                clock(&s["end"]),
                if agents == 1 { "" } else { "s" }
            );
            if !breaks.is_empty() {
                line += &format!(
                    ", break{} {}",
                    if breaks.len() == 1 { "" } else { "s" },
                    breaks.join(", ")
                );
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(json: Value) -> RunData {
        RunData {
            dir: Default::default(),
            run_json: json,
            summary: Vec::new(),
            // Two reporting intervals, for the agents on shift.
            intervals: (0..2)
                .map(|_| crate::report::load::IntervalData {
                    start: String::new(),
                    end: String::new(),
                    kpis: Vec::new(),
                })
                .collect(),
            distributions: Vec::new(),
            segments: Vec::new(),
        }
    }

    fn queue(name: &str, channel: u64, yellow: f64, tiers: Value) -> Value {
        json!({"name": name, "channel": channel, "priority": 0, "arrival_rates": [0.01, 0.02],
               "tiers": tiers, "chat": {"yellow": yellow, "red": 60.0,
               "basis": "customer_message", "alert_timeout": null}})
    }

    #[test]
    fn a_center_shows_what_differs_per_queue_and_group_and_what_is_shared_once() {
        let r = run(json!({
            "window": {"warmup_s": 0.0, "horizon_s": 3600.0, "interval_s": 1800.0,
                       "service_level_threshold_s": 30.0},
            "scenario": {"resolved": {"run": {"day_start": 28800.0},
                "center": {"routing": "least_busy", "attention": "fifo", "staffing": [5, 5]},
                "model": {
                    "channels": ["web", "sms"],
                    "queues": [
                        queue("a", 0, 30.0, json!([{"groups": [0], "after": 0.0},
                                                   {"groups": [1], "after": 45.0}])),
                        queue("b", 1, 60.0, json!([{"groups": [1], "after": 0.0}])),
                    ],
                    "groups": [
                        {"name": "x", "max_concurrent": 3, "absenteeism": 0.0,
                         "staffing": {"per_step": {"step": 1800.0, "agents": [2, 4]}}},
                        {"name": "y", "max_concurrent": 3, "absenteeism": 0.05,
                         "staffing": {"shifts": [{"start": 0.0, "end": 3600.0, "agents": 1,
                            "breaks": [{"at": 1800.0, "length": 900.0}]}]}},
                    ]}}}
        }));
        let s = settings(&r);
        let center: std::collections::HashMap<_, _> = s.center.iter().cloned().collect();
        // Shared by every queue or group: said once, and said to be shared.
        assert_eq!(center["max chats per agent"], "3 (every group)");
        assert_eq!(center["alert timeout"], "none (every queue)");
        assert_eq!(
            center["service level threshold"],
            "30s (center-wide: every queue)"
        );
        assert!(!center.contains_key("indicator"), "{center:?}");
        let queues = &s.tables[0];
        assert_eq!(queues.scope, "queue");
        assert_eq!(
            queues.columns,
            ["channel", "served by", "indicator"],
            "priority, arrivals, basis and timeout are shared"
        );
        assert_eq!(
            queues.rows[0],
            (
                "a".to_string(),
                vec![
                    "web".to_string(),
                    "x, then y after 45s".to_string(),
                    "yellow after 30s, red after 1m".to_string()
                ]
            )
        );
        assert_eq!(queues.rows[1].1[2], "yellow after 1m, red after 1m");
        let groups = &s.tables[1];
        assert_eq!(groups.columns, ["agents", "absenteeism", "serves"]);
        assert_eq!(
            groups.rows[0].1,
            ["2–4 agents (a plan per 30m)", "none", "a"]
        );
        assert_eq!(
            groups.rows[1].1,
            [
                "08:00–09:00: 1 agent, break 08:30 (15m)",
                "5%",
                "a (after 45s), b"
            ]
        );
        // The explorer's flat rows name the segment.
        let rows = s.rows();
        assert!(rows.contains(&(
            "group y".to_string(),
            "agents: 08:00–09:00: 1 agent, break 08:30 (15m) · absenteeism: 5% · serves: a (after 45s), b"
                .to_string()
        )));
    }

    #[test]
    fn a_one_queue_desk_keeps_one_list() {
        let r = run(json!({
            "window": {"warmup_s": 0.0, "horizon_s": 3600.0, "interval_s": 1800.0,
                       "service_level_threshold_s": 20.0},
            "scenario": {"resolved": {"center": {"routing": "least_busy", "attention": "fifo",
                "staffing": [4, 6], "max_concurrent": 2, "yellow": 30.0, "red": 90.0,
                "basis": "agent_message"}}}
        }));
        let s = settings(&r);
        assert!(s.tables.is_empty());
        assert!(s.center.contains(&(
            "indicator".to_string(),
            "yellow after 30s, red after 90s (timed from the agent_message)".to_string()
        )));
        assert!(s
            .center
            .contains(&("max chats per agent".to_string(), "2".to_string())));
        assert!(s
            .center
            .contains(&("agents".to_string(), "4–6".to_string())));
    }

    /// Escalation, inactivity and returns in words, from a queue as run.json resolves it
    /// (timers that are off are null there).
    #[test]
    fn escalation_inactivity_and_returns_read_as_sentences() {
        let names = ["billing".to_string(), "tech".to_string()];
        let q = json!({"name": "billing", "chat": {
            "escalation": {"red_first": true, "hold_new_chats": "red",
                           "reassign_after": 180.0, "reassign_to": 1},
            "inactivity": {"alert": 120.0, "alert2": null, "close": 300.0},
            "silent_leave": 0.1,
            "retry": {"probability": 0.3, "delay": {"dist": "exponential", "mean": 600.0}, "max": 2},
        }});
        assert_eq!(
            escalation_text(&q, &names),
            "red chats first, no new chat while one is red, reassigned after 3m (to tech)"
        );
        assert_eq!(
            inactivity_text(&q),
            "alerts after 2m, closed after 5m, 10% of replies followed by a silent leave"
        );
        assert_eq!(
            returns_text(&q).as_deref(),
            Some("30% of abandons come back after 10m on average, up to 2 times")
        );
        let off = json!({"name": "tech", "chat": {
            "escalation": {"red_first": false, "hold_new_chats": null,
                           "reassign_after": null, "reassign_to": 1},
            "inactivity": {"alert": null, "alert2": null, "close": null},
            "silent_leave": 0.0,
        }});
        assert_eq!(escalation_text(&off, &names), "off");
        assert_eq!(inactivity_text(&off), "off");
        assert_eq!(returns_text(&off), None);
        assert_eq!(asynchronous_text(&off), None);
    }

    #[test]
    fn asynchronous_continuation_reads_as_a_sentence() {
        let q = |resume: &str, wait: f64, close: Option<f64>| {
            json!({"name": "whatsapp", "chat": {"asynchronous": {
                "park_after": 300.0, "resume": resume, "affinity_wait": wait,
                "close_after": close,
            }}})
        };
        assert_eq!(
            asynchronous_text(&q("same_agent", 120.0, Some(86400.0))).as_deref(),
            Some("parked after 5m quiet, resumed with the same agent (waited up to 2m), closed after 1d parked")
        );
        assert_eq!(
            asynchronous_text(&q("same_agent", 0.0, None)).as_deref(),
            Some("parked after 5m quiet, resumed with the same agent when free")
        );
        assert_eq!(
            asynchronous_text(&q("queue", 0.0, None)).as_deref(),
            Some("parked after 5m quiet, resumed in the queue")
        );
    }
}
