//! The Timeline of report.html: a few agents' chats drawn from the transcript (`trace.csv` of
//! `ccsim run --trace N`). One lane per agent (as many rows in it as the agent held chats at
//! once), time across in clock time; each chat a bar from its accept to Mark Done (or to the
//! chat leaving the agent), coloured inside by what the chat was doing: a customer message
//! pending, in the colour its indicator had (green, yellow, red), the customer's turn
//! (neutral), wrap-up (hatched). Links join lanes where a chat moves from one agent to another
//! (a reassignment; transfers and conferences are links of other kinds).
//!
//! Built in two steps, so that the picture is data first: [`Timeline::read`] turns the
//! transcript into lanes, bars, spans and links; [`Timeline::svg`] draws them as inline SVG.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

use super::html::{esc, hex};
use super::plots::{clock_ticks, AMBER, GREEN, RED};
use super::transcript::{event, TRANSCRIPT};
use crate::scenario::format_clock;

/// At most this many agents' lanes: the agents who accepted the earliest traced chats.
pub const MAX_LANES: usize = 8;
/// Only the chats of the first this many traced contacts are drawn (a longer transcript
/// would make bars too thin to read).
pub const MAX_CONTACTS: u64 = 100;

/// What a chat is doing during a span of its bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanKind {
    /// A customer message waiting for the agent's reply; the indicator's colour (0 green,
    /// 1 yellow, 2 red).
    Pending(u8),
    /// The customer's turn: the agent has replied.
    Thinking,
    WrapUp,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    pub from: f64,
    pub to: f64,
    pub kind: SpanKind,
}

/// One chat at one agent.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatBar {
    pub contact: u64,
    pub queue: String,
    /// Seconds from the start of the run.
    pub from: f64,
    pub to: f64,
    /// The row of its lane (chats held at once stack).
    pub row: usize,
    pub spans: Vec<Span>,
    /// How the bar ends: the event that took the chat from the agent (`done`, `reassigned`,
    /// `abandoned`, `in_system_at_end`).
    pub ends: String,
}

/// One agent's chats.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub agent: String,
    pub group: String,
    pub rows: usize,
    pub bars: Vec<ChatBar>,
}

/// A chat going from one agent to another: from `from_agent` at `from` to `to_agent` at `to`,
/// their lanes when drawn (an agent beyond the lanes drawn is named at the arrow's loose end).
/// `kind` says why (`reassigned`, `transferred`, `ownership passed`).
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub contact: u64,
    pub kind: &'static str,
    pub from_agent: String,
    pub from_lane: Option<usize>,
    pub from: f64,
    pub to_agent: String,
    pub to_lane: Option<usize>,
    pub to: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// `run.day_start`: the clock time of run time 0, seconds.
    pub day_start: f64,
    pub from: f64,
    pub to: f64,
    pub lanes: Vec<Lane>,
    pub links: Vec<Link>,
    /// Traced contacts the file holds, and how many of them are drawn.
    pub contacts: usize,
    pub drawn_contacts: usize,
}

/// A chat at an agent, being read.
struct OpenBar {
    agent: String,
    group: String,
    bar: ChatBar,
    /// The span running now, since when.
    span: (SpanKind, f64),
}

impl OpenBar {
    /// The running span ends at `t`; `next` runs from `t`.
    fn switch(&mut self, t: f64, next: SpanKind) {
        let (kind, since) = self.span;
        if t > since {
            self.bar.spans.push(Span {
                from: since,
                to: t,
                kind,
            });
        }
        self.span = (next, t);
    }
}

/// What the reader knows of one contact.
#[derive(Default)]
struct Contact {
    bar: Option<OpenBar>,
    /// The colour of the message pending now (kept through a reassignment).
    pending: Option<u8>,
    /// Where the chat left its last agent (bar index in `bars`, time, why), for the link to
    /// the next.
    left: Option<(usize, f64, &'static str)>,
}

impl Contact {
    /// The chat starts at `agent` (of `group`) at `t`, its pending message's colour running.
    fn open(&mut self, contact: u64, queue: &str, agent: &str, group: &str, t: f64) {
        let kind = self.pending.map_or(SpanKind::Thinking, SpanKind::Pending);
        self.bar = Some(OpenBar {
            agent: agent.to_string(),
            group: group.to_string(),
            bar: ChatBar {
                contact,
                queue: queue.to_string(),
                from: t,
                to: t,
                row: 0,
                spans: Vec::new(),
                ends: String::new(),
            },
            span: (kind, t),
        });
    }
}

impl Timeline {
    /// The timeline of the transcript in `dir`, or `None` when the folder has none (or it
    /// shows no chat accepted).
    pub fn read(dir: &Path, day_start: f64) -> anyhow::Result<Option<Timeline>> {
        let path = dir.join(TRANSCRIPT);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        // Finished bars with their agent and group; moves from a bar (by index) to the
        // contact's bar that starts at the move's end.
        let mut bars: Vec<(String, String, ChatBar)> = Vec::new();
        let mut moves: Vec<(u64, &'static str, usize, f64, f64)> = Vec::new();
        let mut contacts: HashMap<u64, Contact> = HashMap::new();
        let mut seen = 0usize;
        for (n, line) in text.lines().enumerate().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let bad = || {
                anyhow::anyhow!("{}, line {}: not a row of ccsim's transcript (time,clock,contact,queue,agent,group,event,detail): {line}", path.display(), n + 1)
            };
            if f.len() != 8 {
                return Err(bad());
            }
            let t: f64 = f[0].parse().map_err(|_| bad())?;
            let contact: u64 = f[2].parse().map_err(|_| bad())?;
            let (queue, agent, group, ev, detail) = (f[3], f[4], f[5], f[6], f[7]);
            if ev == event::ARRIVED {
                seen += 1;
            }
            if contact >= MAX_CONTACTS {
                continue;
            }
            let c = contacts.entry(contact).or_default();
            let mut close = |c: &mut Contact, t: f64, ends: &str| {
                if let Some(mut open) = c.bar.take() {
                    open.switch(t, SpanKind::Thinking);
                    open.bar.to = t;
                    open.bar.ends = ends.to_string();
                    bars.push((open.agent, open.group, open.bar));
                    Some(bars.len() - 1)
                } else {
                    None
                }
            };
            match ev {
                // A transferred chat's new agent joins (no accept row).
                event::ACCEPTED | event::REACCEPTED | event::JOINED | event::RESUME_ACCEPTED => {
                    c.open(contact, queue, agent, group, t);
                    if let Some((from_bar, at, why)) = c.left.take() {
                        moves.push((contact, why, from_bar, at, t));
                    }
                }
                // Ownership passes (a conference's owner left, or a consulted colleague took
                // the chat): the chat moves to the agent of the row.
                event::OWNER_CHANGED if c.bar.as_ref().is_some_and(|b| b.agent != agent) => {
                    if let Some(i) = close(c, t, ev) {
                        moves.push((contact, "ownership passed", i, t, t));
                    }
                    c.open(contact, queue, agent, group, t);
                }
                event::MESSAGE | event::YELLOW | event::RED => {
                    let colour = match ev {
                        event::MESSAGE => 0,
                        event::YELLOW => 1,
                        _ => 2,
                    };
                    c.pending = Some(colour);
                    if let Some(open) = c.bar.as_mut() {
                        open.switch(t, SpanKind::Pending(colour));
                    }
                }
                event::REPLY => {
                    c.pending = None;
                    if let Some(open) = c.bar.as_mut() {
                        open.switch(t, SpanKind::Thinking);
                    }
                }
                event::ENDED => {
                    c.pending = None;
                    if let Some(open) = c.bar.as_mut() {
                        open.switch(t, SpanKind::WrapUp);
                    }
                }
                event::REASSIGNED => {
                    if let Some(i) = close(c, t, ev) {
                        c.left = Some((i, t, "reassigned"));
                    }
                }
                // Parked: no agent holds the session until a resumed message is accepted.
                event::PARKED => {
                    c.pending = None;
                    if let Some(i) = close(c, t, ev) {
                        c.left = Some((i, t, "parked"));
                    }
                }
                event::RESUMED => c.pending = Some(0),
                // The agent holding the chat transferred it (a conference's joined agent or a
                // consulted colleague leaving has no bar of its own here).
                event::LEFT if c.bar.as_ref().is_some_and(|b| b.agent == agent) => {
                    if let Some(i) = close(c, t, ev) {
                        c.left = Some((i, t, "transferred"));
                    }
                }
                event::DONE | event::IN_SYSTEM_AT_END => {
                    close(c, t, ev);
                }
                event::ABANDONED if detail != "chat" => {
                    close(c, t, ev);
                }
                _ => {}
            }
        }
        // Bars still open (a transcript cut short) end at their last span.
        for c in contacts.values_mut() {
            if let Some(open) = c.bar.take() {
                let t = open.span.1;
                let mut open = open;
                open.switch(t, SpanKind::Thinking);
                open.bar.to = t;
                bars.push((open.agent, open.group, open.bar));
            }
        }
        if bars.is_empty() {
            return Ok(None);
        }
        // The agents who accepted the earliest chats.
        let mut order: Vec<usize> = (0..bars.len()).collect();
        order.sort_by(|&a, &b| bars[a].2.from.total_cmp(&bars[b].2.from));
        let mut lanes: Vec<Lane> = Vec::new();
        let mut lane_of_bar: HashMap<usize, (usize, usize)> = HashMap::new();
        for &i in &order {
            let (agent, group, bar) = &bars[i];
            let lane = match lanes.iter().position(|l| &l.agent == agent) {
                Some(l) => l,
                None if lanes.len() < MAX_LANES => {
                    lanes.push(Lane {
                        agent: agent.clone(),
                        group: group.clone(),
                        rows: 0,
                        bars: Vec::new(),
                    });
                    lanes.len() - 1
                }
                None => continue,
            };
            lane_of_bar.insert(i, (lane, lanes[lane].bars.len()));
            lanes[lane].bars.push(bar.clone());
        }
        // Chats held at once go on rows of their own: each bar on the first row free by then.
        for lane in &mut lanes {
            let mut ends: Vec<f64> = Vec::new();
            for bar in &mut lane.bars {
                let row = ends.iter().position(|&e| e <= bar.from).unwrap_or_else(|| {
                    ends.push(f64::NEG_INFINITY);
                    ends.len() - 1
                });
                ends[row] = bar.to;
                bar.row = row;
            }
            lane.rows = ends.len();
        }
        // A move's far end: the contact's first bar that starts where the move lands.
        let links = moves
            .iter()
            .filter_map(|&(contact, kind, from_bar, from, to)| {
                let to_bar = (0..bars.len())
                    .find(|&i| bars[i].2.contact == contact && bars[i].2.from == to)?;
                let from_lane = lane_of_bar.get(&from_bar).map(|l| l.0);
                let to_lane = lane_of_bar.get(&to_bar).map(|l| l.0);
                (from_lane.is_some() || to_lane.is_some()).then(|| Link {
                    contact,
                    kind,
                    from_agent: bars[from_bar].0.clone(),
                    from_lane,
                    from,
                    to_agent: bars[to_bar].0.clone(),
                    to_lane,
                    to,
                })
            })
            .collect();
        let drawn = lanes.iter().flat_map(|l| &l.bars);
        let from = drawn.clone().map(|b| b.from).fold(f64::INFINITY, f64::min);
        let to = drawn
            .clone()
            .map(|b| b.to)
            .fold(f64::NEG_INFINITY, f64::max);
        let mut drawn_contacts: Vec<u64> = drawn.map(|b| b.contact).collect();
        drawn_contacts.sort_unstable();
        drawn_contacts.dedup();
        Ok(Some(Timeline {
            day_start,
            from,
            to: to.max(from + 1.0),
            lanes,
            links,
            contacts: seen,
            drawn_contacts: drawn_contacts.len(),
        }))
    }

    /// The timeline as an SVG element (for the page; sizes in pixels, scaled to the page's
    /// width by CSS).
    pub fn svg(&self) -> String {
        const WIDTH: f64 = 960.0;
        const LEFT: f64 = 120.0;
        const RIGHT: f64 = 16.0;
        const TOP: f64 = 34.0;
        const ROW: f64 = 18.0;
        const BAR: f64 = 14.0;
        const LANE_PAD: f64 = 6.0;
        // The top of row `row` of a lane: the rows centred in the lane.
        let bar_top = |top: f64, lane: &Lane, row: usize| {
            let rows = ROW * lane.rows as f64;
            top + ((LANE_PAD * 2.0 + rows).max(36.0) - rows) / 2.0 + ROW * row as f64
        };
        let x = |t: f64| LEFT + (t - self.from) / (self.to - self.from) * (WIDTH - LEFT - RIGHT);
        // A lane is as tall as its rows, and at least as its two lines of label.
        let lane_height = |lane: &Lane| (LANE_PAD * 2.0 + ROW * lane.rows as f64).max(36.0);
        let mut lane_top = Vec::new();
        let mut y = TOP;
        for lane in &self.lanes {
            lane_top.push(y);
            y += lane_height(lane);
        }
        let plot_bottom = y;
        let legend_y = plot_bottom + 22.0;
        let height = legend_y + 40.0;
        let mut s = String::new();
        let _ = write!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"timeline-svg\" width=\"{WIDTH}\" \
             height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" font-family=\"DejaVu Sans, \
             sans-serif\" font-size=\"12\">\n<defs><pattern id=\"tl-hatch\" width=\"6\" \
             height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
             <rect width=\"6\" height=\"6\" fill=\"#f0f0f0\"/><line x1=\"0\" y1=\"0\" x2=\"0\" \
             y2=\"6\" stroke=\"#9e9e9e\" stroke-width=\"2.5\"/></pattern>\
             <marker id=\"tl-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" \
             markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 \
             z\" fill=\"{LINK}\"/></marker></defs>\n<rect width=\"{WIDTH}\" height=\"{height}\" \
             fill=\"white\"/>\n"
        );
        // Clock ticks across the top, with light lines down the lanes.
        let hours = |t: f64| (self.day_start + t) / 3600.0;
        for h in clock_ticks(hours(self.from), hours(self.to), 10) {
            let t = h * 3600.0 - self.day_start;
            let _ = writeln!(
                s,
                "<line x1=\"{x:.1}\" y1=\"{a}\" x2=\"{x:.1}\" y2=\"{plot_bottom}\" stroke=\"#e6e6e6\"/>\
                 <text x=\"{x:.1}\" y=\"{b}\" text-anchor=\"middle\" fill=\"#444\">{}</text>",
                format_clock(0.0, h * 3600.0),
                x = x(t),
                a = TOP - 6.0,
                b = TOP - 12.0,
            );
        }
        for (l, lane) in self.lanes.iter().enumerate() {
            let top = lane_top[l];
            let bottom = top + lane_height(lane);
            let mid = (top + bottom) / 2.0;
            let _ = writeln!(
                s,
                "<g class=\"tl-lane\" data-agent=\"{a}\"><line x1=\"0\" y1=\"{bottom}\" \
                 x2=\"{WIDTH}\" y2=\"{bottom}\" stroke=\"#ccc\"/><text x=\"8\" y=\"{t1:.1}\" \
                 font-weight=\"bold\" fill=\"#222\">agent {a}</text><text x=\"8\" \
                 y=\"{t2:.1}\" fill=\"#666\" font-size=\"11\">{g}</text>",
                a = esc(&lane.agent),
                g = esc(&lane.group),
                t1 = mid - 1.0,
                t2 = mid + 12.0,
            );
            for bar in &lane.bars {
                let by = bar_top(top, lane, bar.row) + (ROW - BAR) / 2.0;
                let (x0, x1) = (x(bar.from), x(bar.to).max(x(bar.from) + 1.0));
                let _ = writeln!(
                    s,
                    "<g class=\"tl-chat\" data-contact=\"{c}\"><title>contact {c} ({q}): \
                     {f}–{t}, ends: {e}</title>",
                    c = bar.contact,
                    q = esc(&bar.queue),
                    f = format_clock(self.day_start, bar.from),
                    t = format_clock(self.day_start, bar.to),
                    e = esc(&bar.ends),
                );
                for span in &bar.spans {
                    let fill = match span.kind {
                        SpanKind::Pending(0) => hex(GREEN),
                        SpanKind::Pending(1) => hex(AMBER),
                        SpanKind::Pending(_) => hex(RED),
                        SpanKind::Thinking => THINKING.to_string(),
                        SpanKind::WrapUp => "url(#tl-hatch)".to_string(),
                    };
                    let _ = writeln!(
                        s,
                        "<rect x=\"{:.2}\" y=\"{by:.1}\" width=\"{:.2}\" height=\"{BAR}\" fill=\"{fill}\"/>",
                        x(span.from),
                        (x(span.to) - x(span.from)).max(0.3),
                    );
                }
                let _ = writeln!(
                    s,
                    "<rect x=\"{x0:.2}\" y=\"{by:.1}\" width=\"{:.2}\" height=\"{BAR}\" \
                     fill=\"none\" stroke=\"#333\" stroke-width=\"0.8\"/></g>",
                    x1 - x0
                );
            }
            s.push_str("</g>\n");
        }
        let row_mid = |lane: usize, contact: u64, t: f64| {
            let l = &self.lanes[lane];
            let row = l
                .bars
                .iter()
                .find(|b| b.contact == contact && b.from <= t && t <= b.to)
                .map_or(0, |b| b.row);
            bar_top(lane_top[lane], l, row) + ROW / 2.0
        };
        for link in &self.links {
            // An end on a lane not drawn: a short arrow off (or onto) the drawn end, naming
            // the other agent.
            let (x0, y0, x1, y1, note) = match (link.from_lane, link.to_lane) {
                (Some(f), Some(t)) => (
                    x(link.from),
                    row_mid(f, link.contact, link.from),
                    x(link.to),
                    row_mid(t, link.contact, link.to),
                    None,
                ),
                (Some(f), None) => {
                    let (x0, y0) = (x(link.from), row_mid(f, link.contact, link.from));
                    (
                        x0,
                        y0,
                        x0 + 22.0,
                        y0 + 8.0,
                        Some(("to", &link.to_agent, x0 + 24.0, y0 + 12.0)),
                    )
                }
                (None, Some(t)) => {
                    let (x1, y1) = (x(link.to), row_mid(t, link.contact, link.to));
                    (
                        x1 - 22.0,
                        y1 - 8.0,
                        x1,
                        y1,
                        Some(("from", &link.from_agent, x1 - 24.0, y1 - 6.0)),
                    )
                }
                (None, None) => continue,
            };
            let _ = write!(
                s,
                "<g class=\"tl-link\" data-kind=\"{k}\" data-contact=\"{c}\"><title>contact {c} \
                 {k} at {at}: agent {fa} to agent {ta}</title><path d=\"M{x0:.1},{y0:.1} \
                 L{x1:.1},{y1:.1}\" stroke=\"{LINK}\" stroke-width=\"1.6\" \
                 stroke-dasharray=\"4 2\" fill=\"none\" marker-end=\"url(#tl-arrow)\"/>",
                at = format_clock(self.day_start, link.from),
                fa = esc(&link.from_agent),
                ta = esc(&link.to_agent),
                k = link.kind,
                c = link.contact,
            );
            if let Some((word, agent, tx, ty)) = note {
                let anchor = if word == "to" { "start" } else { "end" };
                let _ = write!(
                    s,
                    "<text x=\"{tx:.1}\" y=\"{ty:.1}\" text-anchor=\"{anchor}\" font-size=\"10\" \
                     fill=\"{LINK}\">{word} agent {}</text>",
                    esc(agent)
                );
            }
            s.push_str("</g>\n");
        }
        // The legend, on one line under the lanes.
        let moved = if self.links.iter().any(|l| l.kind == "parked") {
            "to another agent, or parked"
        } else {
            "to another agent"
        };
        let items: [(&str, String); 6] = [
            ("message pending, green", hex(GREEN)),
            ("yellow", hex(AMBER)),
            ("red", hex(RED)),
            ("customer's turn", THINKING.to_string()),
            ("wrap-up", "url(#tl-hatch)".to_string()),
            (moved, String::new()),
        ];
        let mut lx = 8.0;
        s.push_str("<g class=\"tl-legend\">");
        for (label, fill) in items {
            if fill.is_empty() {
                let _ = write!(
                    s,
                    "<line x1=\"{lx}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"{LINK}\" \
                     stroke-width=\"1.6\" stroke-dasharray=\"4 2\" marker-end=\"url(#tl-arrow)\"/>",
                    y = legend_y + 5.0,
                    x2 = lx + 26.0
                );
            } else {
                let _ = write!(
                    s,
                    "<rect x=\"{lx}\" y=\"{legend_y}\" width=\"26\" height=\"11\" fill=\"{fill}\" \
                     stroke=\"#333\" stroke-width=\"0.8\"/>"
                );
            }
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" fill=\"#333\">{label}</text>",
                lx + 32.0,
                legend_y + 10.0
            );
            lx += 32.0 + 7.0 * label.chars().count() as f64 + 22.0;
        }
        s.push_str("</g>\n</svg>");
        s
    }
}

/// The customer's turn: neutral.
const THINKING: &str = "#cfd8dc";
/// Links between lanes.
const LINK: &str = "#6a1b9a";

#[cfg(test)]
mod tests {
    use super::*;

    /// A transcript of two chats at agent 1 at once, the second reassigned to agent 2.
    const TRACE: &str = "time,clock,contact,queue,agent,group,event,detail
0,00:00,0,main,,,arrived,
0,00:00,0,main,1,g,offered,1
1,00:00:01,0,main,1,g,accepted,1
1,00:00:01,0,main,1,g,message,1
31,00:00:31,0,main,1,g,yellow,1
40,00:00:40,0,main,1,g,reply,39
50,00:00:50,0,main,1,g,message,2
55,00:00:55,0,main,1,g,reply,5
55,00:00:55,0,main,1,g,ended,completed
55,00:00:55,0,main,1,g,wrapup,10
65,00:01:05,0,main,1,g,done,64
10,00:00:10,1,main,,,arrived,
10,00:00:10,1,main,1,g,offered,2
10,00:00:10,1,main,1,g,accepted,0
10,00:00:10,1,main,1,g,message,1
40,00:00:40,1,main,1,g,yellow,1
70,00:01:10,1,main,1,g,red,1
80,00:01:20,1,main,1,g,reassigned,1
80,00:01:20,1,main,2,h,reaccepted,0
85,00:01:25,1,main,2,h,reply,75
85,00:01:25,1,main,2,h,ended,completed
85,00:01:25,1,main,2,h,wrapup,0
85,00:01:25,1,main,2,h,done,75
";

    /// The timeline of transcript `text`, read from a scratch folder named after `name`.
    fn timeline_of(name: &str, text: &str, day_start: f64) -> Timeline {
        let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(TRANSCRIPT), text).unwrap();
        let t = Timeline::read(&dir, day_start).unwrap().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        t
    }

    #[test]
    fn chats_spans_rows_and_a_reassignment_link() {
        let t = timeline_of("ccsim-timeline", TRACE, 8.0 * 3600.0);
        assert_eq!(
            (t.from, t.to, t.contacts, t.drawn_contacts),
            (1.0, 85.0, 2, 2)
        );
        let agents: Vec<&str> = t.lanes.iter().map(|l| l.agent.as_str()).collect();
        assert_eq!(agents, ["1", "2"]);
        // Agent 1 held both chats at once: two rows.
        let one = &t.lanes[0];
        assert_eq!(one.rows, 2);
        assert_eq!(one.bars.iter().map(|b| b.row).collect::<Vec<_>>(), [0, 1]);
        let kinds = |b: &ChatBar| {
            b.spans
                .iter()
                .map(|s| (s.from, s.to, s.kind))
                .collect::<Vec<_>>()
        };
        use SpanKind::*;
        assert_eq!(
            kinds(&one.bars[0]),
            [
                (1.0, 31.0, Pending(0)),
                (31.0, 40.0, Pending(1)),
                (40.0, 50.0, Thinking),
                (50.0, 55.0, Pending(0)),
                (55.0, 65.0, WrapUp)
            ]
        );
        assert_eq!((one.bars[0].to, one.bars[0].ends.as_str()), (65.0, "done"));
        // The second chat leaves agent 1 red; agent 2 takes it still red.
        assert_eq!(
            kinds(&one.bars[1]),
            [
                (10.0, 40.0, Pending(0)),
                (40.0, 70.0, Pending(1)),
                (70.0, 80.0, Pending(2))
            ]
        );
        assert_eq!(one.bars[1].ends, "reassigned");
        assert_eq!(kinds(&t.lanes[1].bars[0]), [(80.0, 85.0, Pending(2))]);
        assert_eq!(
            t.links,
            [Link {
                contact: 1,
                kind: "reassigned",
                from_agent: "1".into(),
                from_lane: Some(0),
                from: 80.0,
                to_agent: "2".into(),
                to_lane: Some(1),
                to: 80.0,
            }]
        );
        let svg = t.svg();
        assert_eq!(svg.matches("class=\"tl-lane\"").count(), 2);
        assert_eq!(svg.matches("class=\"tl-chat\"").count(), 3);
        assert_eq!(svg.matches("class=\"tl-link\"").count(), 1);
        // The clock axis starts at run.day_start.
        assert!(svg.contains(">08:00<") || svg.contains(">08:01<"), "{svg}");
    }

    /// A chat transferred by agent 1 to the end of a queue, joined by agent 2; another whose
    /// conference owner (agent 1) leaves as agent 3 joins: two links, and the agents who only
    /// joined for a while have no bar.
    const MOVES: &str = "time,clock,contact,queue,agent,group,event,detail
0,00:00,0,a,,,arrived,
0,00:00,0,a,1,g,offered,1
0,00:00,0,a,1,g,accepted,0
0,00:00,0,a,1,g,message,1
5,00:00:05,0,a,1,g,reply,5
9,00:00:09,0,a,1,g,message,2
9,00:00:09,0,a,1,g,transfer_requested,
9,00:00:09,0,a,1,g,left,9
20,00:00:20,0,a,2,h,joined,11
25,00:00:25,0,a,2,h,reply,16
25,00:00:25,0,a,2,h,ended,completed
25,00:00:25,0,a,2,h,wrapup,0
25,00:00:25,0,a,2,h,done,5
30,00:00:30,1,a,,,arrived,
30,00:00:30,1,a,1,g,offered,1
30,00:00:30,1,a,1,g,accepted,0
30,00:00:30,1,a,1,g,message,1
31,00:00:31,1,a,3,h,conference_joined,
31,00:00:31,1,a,3,h,owner_changed,
31,00:00:31,1,a,1,g,left,1
40,00:00:40,1,a,3,h,reply,10
40,00:00:40,1,a,3,h,ended,completed
40,00:00:40,1,a,3,h,wrapup,0
40,00:00:40,1,a,3,h,done,9
";

    #[test]
    fn transfers_and_ownership_passed_are_links() {
        let t = timeline_of("ccsim-timeline-moves", MOVES, 0.0);
        let agents: Vec<&str> = t.lanes.iter().map(|l| l.agent.as_str()).collect();
        assert_eq!(agents, ["1", "2", "3"]);
        let moves: Vec<(u64, &str, f64, f64)> = t
            .links
            .iter()
            .map(|l| (l.contact, l.kind, l.from, l.to))
            .collect();
        assert_eq!(
            moves,
            [
                (0, "transferred", 9.0, 20.0),
                (1, "ownership passed", 31.0, 31.0)
            ]
        );
        // Agent 1's part of contact 0 ends at the transfer, agent 2's starts at its join.
        assert_eq!((t.lanes[0].bars[0].from, t.lanes[0].bars[0].to), (0.0, 9.0));
        assert_eq!(
            (t.lanes[1].bars[0].from, t.lanes[1].bars[0].to),
            (20.0, 25.0)
        );
        assert_eq!(t.lanes[0].bars[1].ends, "owner_changed");
    }

    #[test]
    fn a_parked_session_ends_its_bar_and_links_to_the_resumed_one() {
        let trace = "time,clock,contact,queue,agent,group,event,detail
0,00:00:00,0,main,,,arrived,
0,00:00:00,0,main,1,g,offered,1
0,00:00:00,0,main,1,g,accepted,0
0,00:00:00,0,main,1,g,message,1
10,00:00:10,0,main,1,g,reply,10
70,00:01:10,0,main,1,g,parked,
100,00:01:40,0,main,,,resumed,30
105,00:01:45,0,main,2,g,offered,1
105,00:01:45,0,main,2,g,resume_accepted,5
115,00:01:55,0,main,2,g,reply,15
115,00:01:55,0,main,2,g,ended,completed
115,00:01:55,0,main,2,g,wrapup,0
115,00:01:55,0,main,2,g,done,15
";
        let t = timeline_of("ccsim-timeline-park", trace, 0.0);
        let first = &t.lanes[0].bars[0];
        assert_eq!(
            (first.from, first.to, first.ends.as_str()),
            (0.0, 70.0, "parked")
        );
        use SpanKind::*;
        let kinds: Vec<_> = first.spans.iter().map(|s| (s.from, s.to, s.kind)).collect();
        assert_eq!(kinds, [(0.0, 10.0, Pending(0)), (10.0, 70.0, Thinking)]);
        // The resumed message is pending when agent 2 takes the session.
        let second = &t.lanes[1].bars[0];
        assert_eq!((second.from, second.to), (105.0, 115.0));
        assert_eq!(second.spans[0].kind, Pending(0));
        let links: Vec<_> = t.links.iter().map(|l| (l.kind, l.from, l.to)).collect();
        assert_eq!(links, [("parked", 70.0, 105.0)]);
    }

    #[test]
    fn no_transcript_no_timeline() {
        assert!(Timeline::read(Path::new("/nonexistent-ccsim"), 0.0)
            .unwrap()
            .is_none());
    }
}
