//! The center's layout in a scenario: queues, channels and agent groups, and the chat settings
//! each queue resolves to (its own sections, else its channel's, else the top-level ones). The
//! one-queue format (`[arrivals]` + `[staffing]`) resolves here too, to one queue served by one
//! group, so the rest of ccsim sees one shape.

use std::collections::BTreeMap;
use std::sync::Arc;

use toml::Value;

use super::raw::{
    RawAsynchronous, RawConference, RawConsultation, RawConversation, RawDist, RawEscalation,
    RawGroup, RawInactivity, RawIndicator, RawInternal, RawOffer, RawPatience, RawProactive,
    RawQueue, RawRating, RawReturn, RawScenario, RawSections, RawTransfer, RawWrapup,
};
use super::trace::SharedTrace;
use super::{
    format_duration, parse_clock, show_number, show_numbers, Resolver, ScenarioError, Sign,
    MAX_AGENTS,
};
use crate::model::{
    Asynchronous, Attention, Break, ChatConfig, Code, Conference, Consultation, CountDist,
    DayLevel, Dispositions, Dist, Escalation, GroupConfig, HoldAt, Inactivity, IndicatorBasis,
    Internal, Proactive, QueueConfig, Rating, Resume, Return, Routing, Shift, Staffing, Target,
    Tier, Trace, TraceSource, Transfer, TransferHow,
};

/// Largest number of queues, channels or groups.
const MAX_SEGMENTS: usize = 1000;
/// Largest number of chats one agent can hold.
const MAX_CONCURRENT: i64 = 64;
/// Largest arrival rate, chats per hour.
pub(super) const MAX_RATE_PER_HOUR: f64 = 1e6;
/// The name of the queue, channel and group of a one-queue scenario.
pub const ONE_QUEUE: &str = "main";

/// The overridable sections of one layer, and the prefix that names its keys in errors.
#[derive(Clone, Copy)]
struct Layer<'a> {
    prefix: &'a str,
    conversation: Option<&'a RawConversation>,
    patience: Option<&'a RawPatience>,
    indicator: Option<&'a RawIndicator>,
    wrapup: Option<&'a RawWrapup>,
    offer: Option<&'a RawOffer>,
    escalation: Option<&'a RawEscalation>,
    inactivity: Option<&'a RawInactivity>,
    asynchronous: Option<&'a RawAsynchronous>,
    transfer: Option<&'a RawTransfer>,
    conference: Option<&'a RawConference>,
    consultation: Option<&'a RawConsultation>,
    rating: Option<&'a RawRating>,
    proactive: Option<&'a RawProactive>,
}

impl<'a> Layer<'a> {
    fn of_sections(prefix: &'a str, s: &'a RawSections) -> Self {
        Layer {
            prefix,
            conversation: s.conversation.as_ref(),
            patience: s.patience.as_ref(),
            indicator: s.indicator.as_ref(),
            wrapup: s.wrapup.as_ref(),
            offer: s.offer.as_ref(),
            escalation: s.escalation.as_ref(),
            inactivity: s.inactivity.as_ref(),
            asynchronous: s.asynchronous.as_ref(),
            transfer: s.transfer.as_ref(),
            conference: s.conference.as_ref(),
            consultation: s.consultation.as_ref(),
            rating: s.rating.as_ref(),
            proactive: s.proactive.as_ref(),
        }
    }

    fn of_queue(prefix: &'a str, q: &'a RawQueue) -> Self {
        Layer {
            prefix,
            conversation: q.conversation.as_ref(),
            patience: q.patience.as_ref(),
            indicator: q.indicator.as_ref(),
            wrapup: q.wrapup.as_ref(),
            offer: q.offer.as_ref(),
            escalation: q.escalation.as_ref(),
            inactivity: q.inactivity.as_ref(),
            asynchronous: q.asynchronous.as_ref(),
            transfer: q.transfer.as_ref(),
            conference: q.conference.as_ref(),
            consultation: q.consultation.as_ref(),
            rating: q.rating.as_ref(),
            proactive: q.proactive.as_ref(),
        }
    }

    fn of_top(raw: &'a RawScenario) -> Self {
        Layer {
            prefix: "",
            conversation: raw.conversation.as_ref(),
            patience: raw.patience.as_ref(),
            indicator: raw.indicator.as_ref(),
            wrapup: raw.wrapup.as_ref(),
            offer: raw.offer.as_ref(),
            escalation: raw.escalation.as_ref(),
            inactivity: raw.inactivity.as_ref(),
            asynchronous: raw.asynchronous.as_ref(),
            transfer: raw.transfer.as_ref(),
            conference: raw.conference.as_ref(),
            consultation: raw.consultation.as_ref(),
            rating: raw.rating.as_ref(),
            proactive: raw.proactive.as_ref(),
        }
    }
}

/// The keys a workflow action's section starts with, resolved (`Resolver::action_start`).
struct ActionStart<'a> {
    share: f64,
    after_exchanges: CountDist,
    to: Target,
    /// The target as written, and its full key.
    text: &'a String,
    key: String,
}

/// A key looked up through the layers, most specific first: its value and its full name.
fn pick<'a, T>(
    layers: &[Layer<'a>],
    key: &str,
    get: impl Fn(&Layer<'a>) -> Option<&'a T>,
) -> Option<(&'a T, String)> {
    layers
        .iter()
        .find_map(|l| get(l).map(|v| (v, format!("{}{key}", l.prefix))))
}

/// What resolving the center gives the scenario.
/// The rate a traced queue is checked with before `demand` puts the trace's in its place.
const TRACED: Value = Value::Integer(0);

pub(super) struct Center {
    pub routing: Routing,
    pub attention: Attention,
    pub channels: Vec<String>,
    pub queues: Vec<QueueConfig>,
    pub groups: Vec<GroupConfig>,
}

/// The run's extent, which lists and clock times are checked against.
#[derive(Clone, Copy)]
pub(super) struct Extent {
    pub warmup: f64,
    pub horizon: f64,
    pub interval: f64,
    pub day_start: f64,
    /// Days each replication simulates (`run.days`, 1 without it).
    pub days: u32,
}

impl Extent {
    pub(super) fn end(&self) -> f64 {
        self.warmup + self.horizon
    }
}

impl Resolver {
    pub(super) fn center(
        &self,
        raw: &RawScenario,
        extent: Extent,
    ) -> Result<Center, ScenarioError> {
        let multi = raw.queues.is_some() || raw.groups.is_some() || raw.channels.is_some();
        // `[arrivals]` with only the demand's levels or a trace is the center's too.
        let one =
            raw.arrivals.as_ref().is_some_and(|a| {
                a.rate_per_hour.is_some() || a.forecast.is_some() || a.step.is_some()
            }) || raw.staffing.is_some();
        match (one, multi) {
            (true, true) => Err(self.invalid(
                if raw.arrivals.is_some() {
                    "arrivals"
                } else {
                    "staffing"
                },
                "a section",
                "a scenario has either [arrivals] and [staffing] (one queue) or [queues.*] and \
                 [groups.*] (several), not both",
            )),
            (false, false) => Err(self.missing(
                "arrivals",
                "missing [arrivals] and [staffing] (one queue), or [queues.NAME] and \
                 [groups.NAME] sections (several queues)",
            )),
            (true, false) => self.one_queue(raw, extent),
            (false, true) => self.several_queues(raw, extent),
        }
        .and_then(|mut center| {
            self.demand(raw, &mut center, extent)?;
            Ok(center)
        })
    }

    /// The demand's variation and replay: `arrivals.day_level` (shared by the queues),
    /// `queues.NAME.day_level` (a queue's own), `arrivals.interval_level` and
    /// `queues.NAME.interval_level`, and `arrivals.trace`.
    fn demand(
        &self,
        raw: &RawScenario,
        center: &mut Center,
        extent: Extent,
    ) -> Result<(), ScenarioError> {
        let top = raw.arrivals.as_ref();
        let level = |key: &str, d: Option<&RawDist>| d.map(|d| self.dist(key, d)).transpose();
        let top_day = level("arrivals.day_level", top.and_then(|a| a.day_level.as_ref()))?;
        let top_interval = level(
            "arrivals.interval_level",
            top.and_then(|a| a.interval_level.as_ref()),
        )?;
        let mut varied = top_day.is_some() || top_interval.is_some();
        for q in &mut center.queues {
            let own = raw.queues.as_ref().and_then(|qs| qs.get(&q.name));
            let prefix = format!("queues.{}.", q.name);
            let day = level(
                &format!("{prefix}day_level"),
                own.and_then(|o| o.day_level.as_ref()),
            )?;
            let interval = level(
                &format!("{prefix}interval_level"),
                own.and_then(|o| o.interval_level.as_ref()),
            )?;
            varied |= day.is_some() || interval.is_some();
            q.day_level = match (day, &top_day) {
                (Some(dist), _) => Some(DayLevel {
                    dist,
                    shared: false,
                }),
                (None, Some(dist)) => Some(DayLevel {
                    dist: dist.clone(),
                    shared: true,
                }),
                (None, None) => None,
            };
            q.interval_level = interval.or_else(|| top_interval.clone());
        }
        let Some(file) = top.and_then(|a| a.trace.as_ref()) else {
            return Ok(());
        };
        let key = "arrivals.trace";
        let rate_key = match (top, &raw.queues) {
            (Some(a), _) if a.rate_per_hour.is_some() => Some("arrivals.rate_per_hour".into()),
            (Some(a), _) if a.forecast.is_some() => Some("arrivals.forecast".into()),
            (_, Some(qs)) => qs.iter().find_map(|(name, q)| {
                if q.rate_per_hour.is_some() {
                    Some(format!("queues.{name}.rate_per_hour"))
                } else if q.forecast.is_some() {
                    Some(format!("queues.{name}.forecast"))
                } else {
                    None
                }
            }),
            _ => None,
        };
        if let Some(other) = rate_key {
            return Err(self.invalid(
                key,
                format!("{file:?}"),
                format!("a trace replays the arrivals: leave out {other}"),
            ));
        }
        if varied {
            return Err(self.invalid(
                key,
                format!("{file:?}"),
                "a trace replays the recorded arrivals as they were: it takes no day_level or \
                 interval_level",
            ));
        }
        let names: Vec<String> = center.queues.iter().map(|q| q.name.clone()).collect();
        let checked = self.trace(key, file, &names, extent, extent.days)?;
        let source: Arc<dyn TraceSource> = Arc::new(SharedTrace(Arc::clone(&checked.source)));
        for (q, counts) in center.queues.iter_mut().zip(&checked.counts) {
            // The trace's mean rate per step (over the days), for the work estimate and the
            // reports; the arrivals themselves come from the file.
            q.arrival_step = extent.interval;
            q.arrival_rates = counts
                .iter()
                .enumerate()
                .map(|(i, &n)| {
                    let from = i as f64 * extent.interval;
                    let to = (from + extent.interval).min(extent.end());
                    n as f64 / (f64::from(extent.days) * (to - from))
                })
                .collect();
            q.trace = Some(Trace {
                file: checked.source.path().display().to_string(),
                source: Arc::clone(&source),
            });
        }
        Ok(())
    }

    /// `[arrivals]` + `[staffing]`: one queue, one channel, one group, all named `main`.
    fn one_queue(&self, raw: &RawScenario, extent: Extent) -> Result<Center, ScenarioError> {
        let Some(arrivals) = &raw.arrivals else {
            return Err(self.missing(
                "arrivals",
                "missing [arrivals] (the one-queue format has [arrivals] and [staffing])",
            ));
        };
        let Some(s) = &raw.staffing else {
            return Err(self.missing(
                "staffing",
                "missing staffing.agents (a number), staffing.agents_per_interval (a list) or staffing.plan (a CSV file)",
            ));
        };
        if raw.routing.is_some() {
            return Err(self.invalid(
                "routing",
                "a section",
                "the one-queue format sets routing and attention in [staffing]",
            ));
        }
        let max_concurrent =
            self.capacity("staffing.max_concurrent_chats", s.max_concurrent_chats)?;
        let routing = self.routing_choice("staffing.routing", s.routing.as_deref())?;
        let attention = self.attention_choice("staffing.attention", s.attention.as_deref())?;
        if let Some(file) = &s.plan {
            if s.agents.is_some() || s.agents_per_interval.is_some() {
                return Err(self.invalid(
                    "staffing.plan",
                    format!("{file:?}"),
                    "give one of staffing.agents, staffing.agents_per_interval or staffing.plan, \
                     not more",
                ));
            }
        }
        let staffing =
            match (s.agents, &s.agents_per_interval, &s.plan) {
                (Some(_), Some(_), _) => {
                    return Err(self.invalid(
                        "staffing.agents",
                        s.agents.unwrap_or_default(),
                        "give either staffing.agents or staffing.agents_per_interval, not both",
                    ))
                }
                (None, None, None) => return Err(self.missing(
                    "staffing",
                    "missing staffing.agents (a number), staffing.agents_per_interval (a list) \
                     or staffing.plan (a CSV file)",
                )),
                (None, None, Some(file)) => self.plan_file(
                    "staffing.plan",
                    file,
                    s.step.as_ref(),
                    "staffing.step",
                    extent,
                )?,
                (Some(n), None, _) => self.constant_staffing("staffing.agents", n, extent)?,
                (None, Some(list), _) => self.staffing_plan(
                    "staffing.agents_per_interval",
                    list,
                    "staffing.step",
                    s.step.as_ref(),
                    extent,
                )?,
            };
        // With a trace the rates come from the file (checked in `demand`).
        let traced = arrivals.trace.is_some() && arrivals.forecast.is_none();
        let (arrival_step, arrival_rates) = self.arrivals(
            "arrivals.",
            arrivals
                .rate_per_hour
                .as_ref()
                .or(traced.then_some(&TRACED)),
            arrivals.step.as_ref(),
            arrivals.forecast.as_ref(),
            ONE_QUEUE,
            &[ONE_QUEUE.to_string()],
            extent,
        )?;
        let top = [Layer::of_top(raw)];
        let names = [ONE_QUEUE.to_string()];
        let mut chat = self.chat(&top, max_concurrent, 0, &names, &names)?;
        chat.proactive = self.proactive(&top, extent)?;
        Ok(Center {
            routing,
            attention,
            channels: vec![ONE_QUEUE.into()],
            queues: vec![QueueConfig {
                name: ONE_QUEUE.into(),
                channel: 0,
                priority: 0,
                arrival_step,
                arrival_rates,
                tiers: vec![Tier {
                    groups: vec![0],
                    after: 0.0,
                }],
                chat,
                day_level: None,
                interval_level: None,
                trace: None,
            }],
            groups: vec![GroupConfig {
                name: ONE_QUEUE.into(),
                max_concurrent,
                staffing,
                absenteeism: 0.0,
                internal: self.internal(&[("", raw.internal.as_ref())])?,
            }],
        })
    }

    fn several_queues(&self, raw: &RawScenario, extent: Extent) -> Result<Center, ScenarioError> {
        let (no_queues, no_groups) = (BTreeMap::new(), BTreeMap::new());
        let raw_queues = raw.queues.as_ref().unwrap_or(&no_queues);
        let raw_groups: Vec<_> = raw.groups.as_ref().unwrap_or(&no_groups).iter().collect();
        let raw_channels = raw.channels.as_ref();
        if raw_queues.is_empty() {
            return Err(self.missing(
                "queues",
                "a multi-queue scenario needs at least one [queues.NAME]",
            ));
        }
        if raw_groups.is_empty() {
            return Err(self.missing(
                "groups",
                "a multi-queue scenario needs at least one [groups.NAME]",
            ));
        }
        for (what, n) in [("queues", raw_queues.len()), ("groups", raw_groups.len())] {
            if n > MAX_SEGMENTS {
                return Err(self.invalid(
                    what,
                    format!("{n} entries"),
                    format!("at most {MAX_SEGMENTS}"),
                ));
            }
        }
        // Names go into dotted keys (`--set groups.NAME.agents`), targets
        // (`queue:NAME:KPI>=V`), file names of plots and unquoted CSV cells: a plain word.
        let names = raw_queues
            .keys()
            .map(|n| ("queues", n))
            .chain(raw_groups.iter().map(|(n, _)| ("groups", *n)))
            .chain(
                raw_channels
                    .into_iter()
                    .flat_map(|c| c.keys().map(|n| ("channels", n))),
            );
        for (table, name) in names {
            let plain = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
            if name.is_empty() || !name.chars().all(plain) {
                return Err(self.invalid(
                    &format!("{table}.{name}"),
                    format!("{name:?}"),
                    "a name is letters, digits, '_' and '-' (it is used in keys, targets and \
                     file names)",
                ));
            }
        }
        let (routing, attention) = match &raw.routing {
            None => (Routing::LeastBusy, Attention::Fifo),
            Some(r) => (
                self.routing_choice("routing.agent", r.agent.as_deref())?,
                self.attention_choice("routing.attention", r.attention.as_deref())?,
            ),
        };
        // Channels: those declared, in name order; a queue without a channel is on "main".
        let mut channels: Vec<String> =
            raw_channels.map_or(Vec::new(), |c| c.keys().cloned().collect());
        let channel_of = |name: &str| channels.iter().position(|c| c == name);
        let mut queue_channels = Vec::new();
        for (qname, q) in raw_queues {
            let c = match &q.channel {
                Some(name) => channel_of(name).ok_or_else(|| {
                    self.invalid(
                        &format!("queues.{qname}.channel"),
                        format!("{name:?}"),
                        format!(
                            "no such channel: declare [channels.{name}] (channels: {})",
                            list(&channels)
                        ),
                    )
                })?,
                None => usize::MAX,
            };
            queue_channels.push(c);
        }
        if queue_channels.contains(&usize::MAX) {
            let main = match channel_of(ONE_QUEUE) {
                Some(i) => i,
                None => {
                    channels.push(ONE_QUEUE.into());
                    channels.len() - 1
                }
            };
            for c in &mut queue_channels {
                if *c == usize::MAX {
                    *c = main;
                }
            }
        }
        // A channel no queue is on would be a segment of nothing, reported (and targeted)
        // with no contact at all: most likely a queue's `channel` is misspelt.
        if let Some(unused) = (0..channels.len()).find(|c| !queue_channels.contains(c)) {
            let name = &channels[unused];
            return Err(self.invalid(
                &format!("channels.{name}"),
                format!("[channels.{name}]"),
                "no queue is on this channel: set a queue's `channel` to it, or remove the section",
            ));
        }

        let mut groups = Vec::new();
        for (name, g) in &raw_groups {
            let mut group = self.group(name, g, extent)?;
            let prefix = format!("groups.{name}.");
            group.internal =
                self.internal(&[(&prefix, g.internal.as_ref()), ("", raw.internal.as_ref())])?;
            groups.push(group);
        }
        let group_names: Vec<String> = raw_groups.iter().map(|(n, _)| (*n).clone()).collect();

        let queue_names: Vec<String> = raw_queues.keys().cloned().collect();
        let mut queues = Vec::new();
        let mut served = vec![false; groups.len()];
        for ((qname, q), &channel) in raw_queues.iter().zip(&queue_channels) {
            let prefix = format!("queues.{qname}.");
            let tiers_key = format!("{prefix}served_by");
            let raw_tiers = match &q.served_by {
                Some(t) if !t.is_empty() => t,
                _ => {
                    return Err(self.missing(
                        &tiers_key,
                        "a queue must be served by at least one group: served_by = [ { groups = [\"NAME\"] } ]",
                    ))
                }
            };
            let mut tiers: Vec<Tier> = Vec::new();
            for (t, tier) in raw_tiers.iter().enumerate() {
                let key = format!("{tiers_key}[{t}]");
                if tier.groups.is_empty() {
                    return Err(self.invalid(
                        &format!("{key}.groups"),
                        "[]",
                        "a tier needs at least one group",
                    ));
                }
                let after = match (&tier.after, t) {
                    (None, 0) => 0.0,
                    (None, _) => {
                        return Err(self.missing(&format!("{key}.after"), "every tier after the first needs `after`, the wait from which it may answer"))
                    }
                    (Some(v), _) => self.duration(&format!("{key}.after"), v, Sign::NonNegative)?,
                };
                if t == 0 && after != 0.0 {
                    return Err(self.invalid(
                        &format!("{key}.after"),
                        tier.after.as_ref().expect("set"),
                        "the first tier answers at once: leave out its `after`",
                    ));
                }
                if let Some(prev) = tiers.last() {
                    if after <= prev.after {
                        return Err(self.invalid(
                            &format!("{key}.after"),
                            tier.after.as_ref().expect("set"),
                            format!("tiers must open one after the other: after must exceed the previous tier's ({})", format_duration(prev.after)),
                        ));
                    }
                }
                let mut ids = Vec::new();
                for (i, gname) in tier.groups.iter().enumerate() {
                    let g = group_names.iter().position(|n| n == gname).ok_or_else(|| {
                        self.invalid(
                            &format!("{key}.groups[{i}]"),
                            format!("{gname:?}"),
                            format!("no such group (groups: {})", list(&group_names)),
                        )
                    })?;
                    if tiers.iter().any(|t| t.groups.contains(&g)) || ids.contains(&g) {
                        return Err(self.invalid(
                            &format!("{key}.groups[{i}]"),
                            format!("{gname:?}"),
                            "a group may appear only once in a queue's served_by",
                        ));
                    }
                    served[g] = true;
                    ids.push(g);
                }
                tiers.push(Tier { groups: ids, after });
            }
            let priority = q.priority.unwrap_or(0);
            let traced =
                raw.arrivals.as_ref().is_some_and(|a| a.trace.is_some()) && q.forecast.is_none();
            let (arrival_step, arrival_rates) = self.arrivals(
                &prefix,
                q.rate_per_hour.as_ref().or(traced.then_some(&TRACED)),
                q.step.as_ref(),
                q.forecast.as_ref(),
                qname,
                &queue_names,
                extent,
            )?;
            let max_k = tiers
                .iter()
                .flat_map(|t| &t.groups)
                .map(|&g| groups[g].max_concurrent)
                .max()
                .unwrap_or(1);
            let channel_name = &channels[channel];
            let channel_prefix = format!("channels.{channel_name}.");
            let mut layers = vec![Layer::of_queue(&prefix, q)];
            if let Some(c) = raw_channels.and_then(|c| c.get(channel_name)) {
                layers.push(Layer::of_sections(&channel_prefix, c));
            }
            layers.push(Layer::of_top(raw));
            let mut chat = self.chat(&layers, max_k, queues.len(), &queue_names, &group_names)?;
            chat.proactive = self.proactive(&layers, extent)?;
            queues.push(QueueConfig {
                name: qname.clone(),
                channel,
                priority,
                arrival_step,
                arrival_rates,
                tiers,
                chat,
                day_level: None,
                interval_level: None,
                trace: None,
            });
        }
        // A group may serve no queue when transfers invite it (its agents take only those).
        for q in &queues {
            if let Some(Transfer {
                to: Target::Group(g),
                ..
            }) = q.chat.transfer
            {
                served[g] = true;
            }
            if let Some(Conference {
                with: Target::Group(g),
                ..
            }) = q.chat.conference
            {
                served[g] = true;
            }
            if let Some(Consultation {
                with: Target::Group(g),
                ..
            }) = q.chat.consultation
            {
                served[g] = true;
            }
        }
        if let Some(g) = served.iter().position(|s| !s) {
            return Err(self.invalid(
                &format!("groups.{}", group_names[g]),
                "a group",
                "serves no queue: name it in some queue's served_by (or as the target of a \
                 queue's transfer.to)",
            ));
        }
        Ok(Center {
            routing,
            attention,
            channels,
            queues,
            groups,
        })
    }

    fn group(
        &self,
        name: &str,
        g: &RawGroup,
        extent: Extent,
    ) -> Result<GroupConfig, ScenarioError> {
        let prefix = format!("groups.{name}.");
        let k = |key: &str| format!("{prefix}{key}");
        let max_concurrent = self.capacity(&k("max_concurrent_chats"), g.max_concurrent_chats)?;
        let absenteeism = match g.absenteeism {
            None => 0.0,
            Some(p) if (0.0..1.0).contains(&p) => p,
            Some(p) => {
                return Err(self.invalid(
                    &k("absenteeism"),
                    p,
                    "must be in [0, 1): the share of agents who miss the whole day",
                ))
            }
        };
        let forms = [
            g.agents.is_some(),
            g.agents_per_interval.is_some(),
            g.shifts.is_some(),
            g.plan.is_some(),
        ];
        if forms.iter().filter(|x| **x).count() != 1 {
            return Err(self.missing(
                &format!("groups.{name}"),
                "give exactly one of agents (a number), agents_per_interval (a list), shifts (a list of { start, end, agents }) or plan (a CSV file)",
            ));
        }
        let staffing = if let Some(n) = g.agents {
            self.constant_staffing(&k("agents"), n, extent)?
        } else if let Some(file) = &g.plan {
            self.plan_file(&k("plan"), file, g.step.as_ref(), &k("step"), extent)?
        } else if let Some(list) = &g.agents_per_interval {
            self.staffing_plan(
                &k("agents_per_interval"),
                list,
                &k("step"),
                g.step.as_ref(),
                extent,
            )?
        } else {
            let raw_shifts = g.shifts.as_ref().expect("one form is set");
            let mut shifts = Vec::new();
            for (i, s) in raw_shifts.iter().enumerate() {
                let key = k(&format!("shifts[{i}]"));
                let start = self.clock(&format!("{key}.start"), &s.start, extent)?;
                let end = self.clock(&format!("{key}.end"), &s.end, extent)?;
                if end <= start {
                    return Err(self.invalid(
                        &format!("{key}.end"),
                        &s.end,
                        format!("a shift must end after it starts ({})", s.start),
                    ));
                }
                if !(0..=MAX_AGENTS).contains(&s.agents) {
                    return Err(self.invalid(
                        &format!("{key}.agents"),
                        s.agents,
                        format!("must be between 0 and {MAX_AGENTS}"),
                    ));
                }
                let mut breaks: Vec<Break> = Vec::new();
                for (j, b) in s.breaks.iter().flatten().enumerate() {
                    let bkey = format!("{key}.breaks[{j}]");
                    let at = self.clock(&format!("{bkey}.at"), &b.at, extent)?;
                    let length =
                        self.duration(&format!("{bkey}.length"), &b.length, Sign::Positive)?;
                    if at < start || at + length > end {
                        return Err(self.invalid(
                            &format!("{bkey}.at"),
                            &b.at,
                            format!(
                                "a break must lie inside its shift ({} to {})",
                                s.start, s.end
                            ),
                        ));
                    }
                    if let Some(prev) = breaks.last() {
                        if at < prev.at + prev.length {
                            return Err(self.invalid(
                                &format!("{bkey}.at"),
                                &b.at,
                                "breaks must not overlap and must be listed in time order",
                            ));
                        }
                    }
                    breaks.push(Break { at, length });
                }
                shifts.push(Shift {
                    start,
                    end,
                    agents: s.agents as u32,
                    breaks,
                });
            }
            Staffing::Shifts(shifts)
        };
        if staffing.agents() == 0 {
            return Err(self.invalid(
                &format!("groups.{name}"),
                "a group",
                "has no agent at any time",
            ));
        }
        Ok(GroupConfig {
            name: name.to_string(),
            max_concurrent,
            staffing,
            absenteeism,
            // Set by the caller, which has the top level's (`Self::internal`).
            internal: None,
        })
    }

    /// A clock time of the run's day (`"08:00"`), as run time: the first such time at or after
    /// `run.day_start`, within the run.
    fn clock(&self, key: &str, value: &Value, extent: Extent) -> Result<f64, ScenarioError> {
        let Value::String(text) = value else {
            return Err(self.invalid(key, value, "a clock time is a string like \"08:00\""));
        };
        let clock = parse_clock(text).map_err(|rule| self.invalid(key, value, rule))?;
        let mut t = clock - extent.day_start;
        if t < 0.0 {
            t += 86_400.0;
        }
        if t > extent.end() {
            return Err(self.invalid(
                key,
                value,
                format!(
                    "outside the run, which runs {} from run.day_start ({})",
                    format_duration(extent.end()),
                    super::format_clock(extent.day_start, 0.0)
                ),
            ));
        }
        Ok(t)
    }

    fn capacity(&self, key: &str, k: Option<i64>) -> Result<u32, ScenarioError> {
        match k {
            None => Ok(1),
            Some(k) if (1..=MAX_CONCURRENT).contains(&k) => Ok(k as u32),
            Some(k) => Err(self.invalid(key, k, format!("must be between 1 and {MAX_CONCURRENT}"))),
        }
    }

    fn routing_choice(&self, key: &str, v: Option<&str>) -> Result<Routing, ScenarioError> {
        self.choice(
            key,
            v,
            &[
                ("least_busy", Routing::LeastBusy),
                ("longest_idle", Routing::LongestIdle),
                ("most_busy", Routing::MostBusy),
            ],
        )
    }

    fn attention_choice(&self, key: &str, v: Option<&str>) -> Result<Attention, ScenarioError> {
        self.choice(
            key,
            v,
            &[
                ("fifo", Attention::Fifo),
                ("most_urgent", Attention::MostUrgent),
                ("newest", Attention::Newest),
                ("parallel", Attention::Parallel),
            ],
        )
    }

    fn constant_staffing(
        &self,
        key: &str,
        n: i64,
        extent: Extent,
    ) -> Result<Staffing, ScenarioError> {
        if !(0..=MAX_AGENTS).contains(&n) {
            return Err(self.invalid(key, n, format!("must be between 0 and {MAX_AGENTS}")));
        }
        Ok(Staffing::PerStep {
            step: extent.interval,
            agents: vec![n as u32],
        })
    }

    fn staffing_plan(
        &self,
        key: &str,
        list: &[i64],
        step_key: &str,
        step: Option<&Value>,
        extent: Extent,
    ) -> Result<Staffing, ScenarioError> {
        let value = Value::Array(list.iter().map(|&n| Value::Integer(n)).collect());
        let (step, agents) = self.per_step(key, &value, step_key, step, extent, |x| {
            if (0.0..=MAX_AGENTS as f64).contains(&x) && x.fract() == 0.0 {
                Ok(())
            } else {
                Err("a number of agents must be an integer between 0 and 1000000")
            }
        })?;
        Ok(Staffing::PerStep {
            step,
            agents: agents.into_iter().map(|x| x as u32).collect(),
        })
    }

    /// Arrival rates per second, from chats per hour.
    pub(super) fn rates(
        &self,
        key: &str,
        value: &Value,
        step_key: &str,
        step: Option<&Value>,
        extent: Extent,
    ) -> Result<(f64, Vec<f64>), ScenarioError> {
        let (step, per_hour) = self.per_step(key, value, step_key, step, extent, |x| {
            if (0.0..=MAX_RATE_PER_HOUR).contains(&x) {
                Ok(())
            } else {
                Err("an arrival rate must be between 0 and 1000000 chats per hour")
            }
        })?;
        Ok((step, per_hour.iter().map(|x| x / 3600.0).collect()))
    }

    /// A number (the whole run) or a list with exactly one value per step of `step` (default
    /// the reporting interval) over the warm-up and the horizon.
    fn per_step(
        &self,
        key: &str,
        value: &Value,
        step_key: &str,
        step: Option<&Value>,
        extent: Extent,
        check: impl Fn(f64) -> Result<(), &'static str>,
    ) -> Result<(f64, Vec<f64>), ScenarioError> {
        let step = match step {
            None => extent.interval,
            Some(v) => self.duration(step_key, v, Sign::Positive)?,
        };
        let number = |v: &Value, at: &str| -> Result<f64, ScenarioError> {
            let x = match v {
                Value::Integer(i) => *i as f64,
                Value::Float(f) => *f,
                other => return Err(self.invalid(at, other, "must be a number")),
            };
            check(x).map_err(|rule| self.invalid(at, v, rule))?;
            Ok(x)
        };
        match value {
            Value::Array(list) => {
                let n = (extent.end() / step - 1e-9).ceil().max(1.0);
                if n > super::MAX_INTERVALS as f64 {
                    return Err(self.invalid(
                        step_key,
                        format_duration(step),
                        format!(
                            "the warm-up plus horizon would make {n} steps; at most {} are allowed",
                            super::MAX_INTERVALS
                        ),
                    ));
                }
                let n = n as usize;
                if list.len() != n {
                    return Err(self.invalid(
                        key,
                        format!("a list of {} entries", list.len()),
                        format!(
                            "a per-step list needs exactly {n} entries: {n} intervals of {} \
                             ({step_key}) cover the warm-up and the horizon",
                            format_duration(step),
                        ),
                    ));
                }
                let values = list
                    .iter()
                    .enumerate()
                    .map(|(i, v)| number(v, &format!("{key}[{i}]")))
                    .collect::<Result<Vec<f64>, _>>()?;
                Ok((step, values))
            }
            v => Ok((step, vec![number(v, key)?])),
        }
    }

    /// A queue's chat settings, each key from the first layer that sets it: those of queue
    /// `queue` of `queue_names`.
    fn chat(
        &self,
        layers: &[Layer],
        max_k: u32,
        queue: usize,
        queue_names: &[String],
        group_names: &[String],
    ) -> Result<ChatConfig, ScenarioError> {
        let exchanges = match pick(layers, "conversation.exchanges", |l| {
            l.conversation?.exchanges.as_ref()
        }) {
            Some((d, key)) => self.count_dist(&key, d)?,
            None => CountDist::Constant(1),
        };
        let dist_or_zero = |found: Option<(&super::raw::RawDist, String)>| match found {
            Some((d, key)) => self.dist(&key, d),
            None => Ok(Dist::Constant(0.0)),
        };
        let think = dist_or_zero(pick(layers, "conversation.customer_think", |l| {
            l.conversation?.customer_think.as_ref()
        }))?;
        let compose = match pick(layers, "conversation.agent_compose", |l| {
            l.conversation?.agent_compose.as_ref()
        }) {
            Some((d, key)) => self.dist(&key, d)?,
            None => {
                let where_ = layers.first().map_or("", |l| l.prefix);
                return Err(self.missing(
                    &format!("{where_}conversation.agent_compose"),
                    "missing: the time an agent takes to compose a reply (set it in [conversation], or for a channel or queue)",
                ));
            }
        };
        let accept_delay = dist_or_zero(pick(layers, "conversation.accept_delay", |l| {
            l.conversation?.accept_delay.as_ref()
        }))?;
        let slowdown = match pick(layers, "conversation.concurrency_slowdown", |l| {
            l.conversation?.concurrency_slowdown.as_ref()
        }) {
            None => vec![1.0; max_k as usize],
            Some((list, key)) => {
                if list.len() < max_k as usize {
                    return Err(self.invalid(
                        &key,
                        show_numbers(list),
                        format!(
                            "needs one factor per number of chats held, 1 to max_concurrent_chats = {max_k}: at least {max_k} entries"
                        ),
                    ));
                }
                if let Some((i, x)) = list
                    .iter()
                    .enumerate()
                    .find(|(_, x)| !(x.is_finite() && **x > 0.0))
                {
                    return Err(self.invalid(
                        &format!("{key}[{i}]"),
                        show_number(*x),
                        "a slowdown factor must be > 0",
                    ));
                }
                list.clone()
            }
        };
        let queue_patience = pick(layers, "patience.queue", |l| l.patience?.queue.as_ref())
            .map(|(d, key)| self.dist(&key, d))
            .transpose()?;
        let reply_patience = pick(layers, "patience.reply", |l| l.patience?.reply.as_ref())
            .map(|(d, key)| self.dist(&key, d))
            .transpose()?;
        let yellow_at = pick(layers, "indicator.yellow", |l| l.indicator?.yellow.as_ref());
        let red_at = pick(layers, "indicator.red", |l| l.indicator?.red.as_ref());
        let yellow = match &yellow_at {
            Some((v, key)) => self.duration(key, v, Sign::NonNegative)?,
            None => 30.0,
        };
        let red = match &red_at {
            Some((v, key)) => self.duration(key, v, Sign::NonNegative)?,
            None => 60.0,
        };
        if red < yellow {
            let (written, key) = red_at.map(|(v, k)| (v.clone(), k)).unwrap_or_else(|| {
                (
                    Value::String("60s".into()),
                    format!("{}indicator.red", layers[0].prefix),
                )
            });
            return Err(self.invalid(
                &key,
                written,
                format!(
                    "must be at least indicator.yellow ({}): the indicator turns yellow before red",
                    format_duration(yellow)
                ),
            ));
        }
        let basis = match pick(layers, "indicator.basis", |l| l.indicator?.basis.as_ref()) {
            None => IndicatorBasis::CustomerMessage,
            Some((text, key)) => self.choice(
                &key,
                Some(text.as_str()),
                &[
                    ("customer_message", IndicatorBasis::CustomerMessage),
                    ("agent_message", IndicatorBasis::AgentMessage),
                ],
            )?,
        };
        let wrapup = dist_or_zero(pick(layers, "wrapup.time", |l| l.wrapup?.time.as_ref()))?;
        let alert_timeout = match pick(layers, "offer.alert_timeout", |l| {
            l.offer?.alert_timeout.as_ref()
        }) {
            None => f64::INFINITY,
            Some((v, key)) => self.duration(&key, v, Sign::Positive)?,
        };
        let not_responding_pause = dist_or_zero(pick(layers, "offer.not_responding_pause", |l| {
            l.offer?.not_responding_pause.as_ref()
        }))?;
        let escalation = self.escalation(layers, queue, queue_names)?;
        let inactivity = self.inactivity(layers)?;
        let asynchronous = self.asynchronous(layers)?;
        let silent_leave = match pick(layers, "conversation.silent_leave", |l| {
            l.conversation?.silent_leave.as_ref()
        }) {
            None => 0.0,
            Some((&p, key)) => {
                if !(0.0..1.0).contains(&p) {
                    return Err(self.invalid(
                        &key,
                        show_number(p),
                        "a probability in [0, 1): the share of agent replies after which the \
                         customer leaves without a word",
                    ));
                }
                if p > 0.0 && inactivity.close.is_infinite() {
                    return Err(self.invalid(
                        &key,
                        show_number(p),
                        "silent leavers hold their slot until the session is closed for \
                         inactivity: set inactivity.close too",
                    ));
                }
                p
            }
        };
        let retry = match pick(layers, "patience.retry", |l| l.patience?.retry.as_ref()) {
            Some((raw, key)) => self.customer_return(&key, raw, "after an abandon")?,
            None => None,
        };
        let recontact = match pick(layers, "patience.recontact", |l| {
            l.patience?.recontact.as_ref()
        }) {
            Some((raw, key)) => self.customer_return(&key, raw, "after a completed chat")?,
            None => None,
        };
        Ok(ChatConfig {
            exchanges,
            think,
            compose,
            slowdown,
            accept_delay,
            queue_patience,
            reply_patience,
            yellow,
            red,
            basis,
            alert_timeout,
            not_responding_pause,
            escalation,
            inactivity,
            asynchronous,
            silent_leave,
            retry,
            recontact,
            transfer: self.transfer(layers, queue, (queue_names, group_names))?,
            conference: self.conference(layers, (queue_names, group_names))?,
            consultation: self.consultation(layers, (queue_names, group_names))?,
            dispositions: self.dispositions(layers, &wrapup)?,
            rating: self.rating(layers)?,
            // Set by the caller, which knows the run's extent (`Self::proactive`).
            proactive: None,
            wrapup,
        })
        .and_then(|chat| self.check_shares(layers, chat))
    }

    /// A chat needs at most one action per agent: the shares of transfers and conferences
    /// together are at most 1.
    fn check_shares(
        &self,
        layers: &[Layer],
        chat: ChatConfig,
    ) -> Result<ChatConfig, ScenarioError> {
        let transfer = chat.transfer.as_ref().map_or(0.0, |t| t.share);
        let conference = chat.conference.as_ref().map_or(0.0, |c| c.share);
        let consultation = chat.consultation.as_ref().map_or(0.0, |c| c.share);
        if transfer + conference + consultation > 1.0 + 1e-12 {
            let (value, key) = [
                ("consultation.share", consultation),
                ("conference.share", conference),
            ]
            .into_iter()
            .find_map(|(key, v)| {
                let found = pick(layers, key, |l| match key {
                    "conference.share" => l.conference?.share.as_ref(),
                    _ => l.consultation?.share.as_ref(),
                });
                found.map(|(_, k)| (v, k))
            })
            .expect("a second share is set");
            return Err(self.invalid(
                &key,
                show_number(value),
                format!(
                    "transfer.share + conference.share + consultation.share must be at most 1 \
                     (they are {}, {}, {}): a chat asks for one of them at most, per agent",
                    show_number(transfer),
                    show_number(conference),
                    show_number(consultation)
                ),
            ));
        }
        Ok(chat)
    }

    /// What every workflow action's section starts with: `SECTION.share` (a probability;
    /// without it there is no action, and naming a target is an error),
    /// `SECTION.after_exchanges` (exchanges before the request, default 1) and the target
    /// `SECTION.TARGET` (required). `None` without a share; the share's key and the target's
    /// text and key come back for the caller's own checks.
    #[allow(clippy::too_many_arguments)]
    fn action_start<'a>(
        &self,
        layers: &[Layer<'a>],
        section: &str,
        target: &str,
        needs: &str,
        share: impl Fn(&Layer<'a>) -> Option<&'a f64>,
        after: impl Fn(&Layer<'a>) -> Option<&'a RawDist>,
        to: impl Fn(&Layer<'a>) -> Option<&'a String>,
        names: (&[String], &[String]),
    ) -> Result<Option<ActionStart<'a>>, ScenarioError> {
        let target_key = format!("{section}.{target}");
        let Some((&share, share_key)) = pick(layers, &format!("{section}.share"), &share) else {
            if let Some((_, key)) = pick(layers, &target_key, &to) {
                return Err(self.missing(
                    &format!("{}share", key.strip_suffix(target).unwrap_or(&key)),
                    format!("missing: the share of the queue's chats that {needs}"),
                ));
            }
            return Ok(None);
        };
        if !(0.0..=1.0).contains(&share) {
            return Err(self.invalid(
                &share_key,
                show_number(share),
                format!("a probability in [0, 1]: the share of the queue's chats that {needs}"),
            ));
        }
        let after_exchanges =
            self.count_or_one(layers, &format!("{section}.after_exchanges"), after)?;
        let Some((text, key)) = pick(layers, &target_key, &to) else {
            return Err(self.missing(
                &format!(
                    "{}{target}",
                    share_key.strip_suffix("share").unwrap_or(&share_key)
                ),
                "missing: \"queue:NAME\" or \"group:NAME\"",
            ));
        };
        let to = self.target(&key, text, names.0, names.1)?;
        Ok(Some(ActionStart {
            share,
            after_exchanges,
            to,
            text,
            key,
        }))
    }

    /// A count distribution through the layers, constant 1 when no layer sets it.
    fn count_or_one<'a>(
        &self,
        layers: &[Layer<'a>],
        key: &str,
        get: impl Fn(&Layer<'a>) -> Option<&'a RawDist>,
    ) -> Result<CountDist, ScenarioError> {
        match pick(layers, key, get) {
            Some((d, key)) => self.count_dist(&key, d),
            None => Ok(CountDist::Constant(1)),
        }
    }

    /// A probability through the layers, 0 when no layer sets it; `what` says what it is the
    /// probability of.
    fn probability_or_zero<'a>(
        &self,
        layers: &[Layer<'a>],
        key: &str,
        what: &str,
        get: impl Fn(&Layer<'a>) -> Option<&'a f64>,
    ) -> Result<f64, ScenarioError> {
        match pick(layers, key, get) {
            None => Ok(0.0),
            Some((&p, _)) if (0.0..=1.0).contains(&p) => Ok(p),
            Some((&p, key)) => Err(self.invalid(
                &key,
                show_number(p),
                format!("a probability in [0, 1]: {what}"),
            )),
        }
    }

    /// A queue's `[conference]`, each key from the first layer that sets it; `None` without a
    /// share (or with share 0).
    fn conference(
        &self,
        layers: &[Layer],
        names: (&[String], &[String]),
    ) -> Result<Option<Conference>, ScenarioError> {
        let Some(start) = self.action_start(
            layers,
            "conference",
            "with",
            "need a second agent to join (e.g. 0.05)",
            |l| l.conference?.share.as_ref(),
            |l| l.conference?.after_exchanges.as_ref(),
            |l| l.conference?.with.as_ref(),
            names,
        )?
        else {
            return Ok(None);
        };
        Ok((start.share > 0.0).then_some(Conference {
            share: start.share,
            after_exchanges: start.after_exchanges,
            with: start.to,
            exchanges: self.count_or_one(layers, "conference.exchanges", |l| {
                l.conference?.exchanges.as_ref()
            })?,
            owner_leaves: self.probability_or_zero(
                layers,
                "conference.owner_leaves",
                "that the owner leaves once the invited agent joined",
                |l| l.conference?.owner_leaves.as_ref(),
            )?,
        }))
    }

    /// A queue's `[transfer]`, each key from the first layer that sets it; `None` without a
    /// share (or with share 0).
    fn transfer(
        &self,
        layers: &[Layer],
        queue: usize,
        names: (&[String], &[String]),
    ) -> Result<Option<Transfer>, ScenarioError> {
        let Some(start) = self.action_start(
            layers,
            "transfer",
            "to",
            "need another queue or group (e.g. 0.15)",
            |l| l.transfer?.share.as_ref(),
            |l| l.transfer?.after_exchanges.as_ref(),
            |l| l.transfer?.to.as_ref(),
            names,
        )?
        else {
            return Ok(None);
        };
        let (to, text, key) = (start.to, start.text, &start.key);
        if to == Target::Queue(queue) {
            return Err(self.invalid(
                key,
                format!("{text:?}"),
                "a queue cannot transfer its chats to itself",
            ));
        }
        let how = match pick(layers, "transfer.how", |l| l.transfer?.how.as_ref()) {
            None => TransferHow::Queue,
            Some((text, key)) => self.choice(
                &key,
                Some(text.as_str()),
                &[
                    ("queue", TransferHow::Queue),
                    ("invite", TransferHow::Invite),
                ],
            )?,
        };
        if how == TransferHow::Queue && matches!(to, Target::Group(_)) {
            return Err(self.invalid(
                key,
                format!("{text:?}"),
                "how = \"queue\" sends the chat to the end of a queue: the target must be \
                 \"queue:NAME\" (a group is reached with how = \"invite\")",
            ));
        }
        Ok((start.share > 0.0).then_some(Transfer {
            share: start.share,
            after_exchanges: start.after_exchanges,
            to,
            how,
        }))
    }

    /// A queue's `[consultation]`, each key from the first layer that sets it; `None` without
    /// a share (or with share 0).
    fn consultation(
        &self,
        layers: &[Layer],
        names: (&[String], &[String]),
    ) -> Result<Option<Consultation>, ScenarioError> {
        let Some(start) = self.action_start(
            layers,
            "consultation",
            "with",
            "need the agent to consult a colleague (e.g. 0.1)",
            |l| l.consultation?.share.as_ref(),
            |l| l.consultation?.after_exchanges.as_ref(),
            |l| l.consultation?.with.as_ref(),
            names,
        )?
        else {
            return Ok(None);
        };
        Ok((start.share > 0.0).then_some(Consultation {
            share: start.share,
            after_exchanges: start.after_exchanges,
            with: start.to,
            messages: self.count_or_one(layers, "consultation.messages", |l| {
                l.consultation?.messages.as_ref()
            })?,
            then_transfer: self.probability_or_zero(
                layers,
                "consultation.then_transfer",
                "that the consulted colleague then takes the chat",
                |l| l.consultation?.then_transfer.as_ref(),
            )?,
        }))
    }

    /// `"queue:NAME"` or `"group:NAME"` (`key`).
    fn target(
        &self,
        key: &str,
        text: &str,
        queue_names: &[String],
        group_names: &[String],
    ) -> Result<Target, ScenarioError> {
        let (names, kind, make): (_, _, fn(usize) -> Target) =
            if let Some(name) = text.strip_prefix("queue:") {
                ((queue_names, name), "queue", Target::Queue)
            } else if let Some(name) = text.strip_prefix("group:") {
                ((group_names, name), "group", Target::Group)
            } else {
                return Err(self.invalid(
                    key,
                    format!("{text:?}"),
                    "must be \"queue:NAME\" or \"group:NAME\"",
                ));
            };
        let (names, name) = names;
        names
            .iter()
            .position(|n| n == name)
            .map(make)
            .ok_or_else(|| {
                self.invalid(
                    key,
                    format!("{text:?}"),
                    format!("no such {kind} ({kind}s: {})", list(names)),
                )
            })
    }

    /// `patience.retry` or `patience.recontact` (`key`), taken whole from the layer that sets
    /// it. Probability 0 is off (`None`), as if the table were not there.
    fn customer_return(
        &self,
        key: &str,
        raw: &RawReturn,
        when: &str,
    ) -> Result<Option<Return>, ScenarioError> {
        let Some(p) = raw.probability else {
            return Err(self.missing(
                &format!("{key}.probability"),
                format!("missing: the probability that a customer comes back {when}"),
            ));
        };
        if !(0.0..=1.0).contains(&p) {
            return Err(self.invalid(
                &format!("{key}.probability"),
                show_number(p),
                format!("a probability in [0, 1]: the share of customers who come back {when}"),
            ));
        }
        let Some(delay) = &raw.delay else {
            return Err(self.missing(
                &format!("{key}.delay"),
                format!(
                    "missing: the distribution of the time until a customer comes back {when} \
                     (e.g. {{ dist = \"exponential\", mean = \"10m\" }})"
                ),
            ));
        };
        let delay = self.dist(&format!("{key}.delay"), delay)?;
        let max = match raw.max {
            None => 1,
            Some(n) if (1..=1000).contains(&n) => n as u32,
            Some(n) => {
                return Err(self.invalid(
                    &format!("{key}.max"),
                    n,
                    format!(
                        "an integer from 1 to 1000: how many times a customer comes back {when}"
                    ),
                ))
            }
        };
        Ok((p > 0.0).then_some(Return {
            probability: p,
            delay,
            max,
        }))
    }

    /// A queue's `[escalation]`, each key from the first layer that sets it.
    fn escalation(
        &self,
        layers: &[Layer],
        queue: usize,
        queue_names: &[String],
    ) -> Result<Escalation, ScenarioError> {
        let red_first = pick(layers, "escalation.red_first", |l| {
            l.escalation?.red_first.as_ref()
        })
        .is_some_and(|(&b, _)| b);
        let hold_new_chats = match pick(layers, "escalation.hold_new_chats", |l| {
            l.escalation?.hold_new_chats.as_ref()
        }) {
            None => None,
            Some((text, key)) => self.choice(
                &key,
                Some(text.as_str()),
                &[
                    ("off", None),
                    ("yellow", Some(HoldAt::Yellow)),
                    ("red", Some(HoldAt::Red)),
                ],
            )?,
        };
        let reassign_after = match pick(layers, "escalation.reassign_after", |l| {
            l.escalation?.reassign_after.as_ref()
        }) {
            None => f64::INFINITY,
            Some((v, key)) => self.duration(&key, v, Sign::Positive)?,
        };
        let reassign_to = match pick(layers, "escalation.reassign_to", |l| {
            l.escalation?.reassign_to.as_ref()
        }) {
            None => queue,
            Some((text, _)) if text == "same_queue" => queue,
            Some((text, key)) => {
                let name = text.strip_prefix("queue:").ok_or_else(|| {
                    self.invalid(
                        &key,
                        format!("{text:?}"),
                        "must be \"same_queue\" or \"queue:NAME\"",
                    )
                })?;
                queue_names.iter().position(|n| n == name).ok_or_else(|| {
                    self.invalid(
                        &key,
                        format!("{text:?}"),
                        format!("no such queue (queues: {})", list(queue_names)),
                    )
                })?
            }
        };
        Ok(Escalation {
            red_first,
            hold_new_chats,
            reassign_after,
            reassign_to,
        })
    }

    /// A queue's `[inactivity]`: alert <= alert2 <= close, each optional.
    /// A queue's `[wrapup.dispositions]`: the whole table from the first layer that sets it
    /// (its shares must sum to 1, so codes are not mixed across layers). Each code is
    /// `NAME = { share, time }` (`time` defaults to the queue's `wrapup.time`); `required`
    /// (default true); `missing = { share, time }`, the chats marked done without a code, only
    /// with `required = false`. Code indexes are set once every queue is read
    /// ([`number_dispositions`]).
    fn dispositions(
        &self,
        layers: &[Layer],
        wrapup: &Dist,
    ) -> Result<Option<Dispositions>, ScenarioError> {
        let Some((table, key)) = pick(layers, "wrapup.dispositions", |l| {
            l.wrapup?.dispositions.as_ref()
        }) else {
            return Ok(None);
        };
        let required = match table.get("required") {
            None => true,
            Some(Value::Boolean(b)) => *b,
            Some(v) => {
                return Err(self.invalid(
                    &format!("{key}.required"),
                    v,
                    "true or false: whether a code must be set before Mark Done",
                ))
            }
        };
        let mut codes = Vec::new();
        for (name, value) in table {
            if name == "required" {
                continue;
            }
            let code_key = format!("{key}.{name}");
            if name == "missing" && required {
                return Err(self.invalid(
                    &code_key,
                    value,
                    "with required = true every chat gets a code: set required = false to \
                     let this share of chats be marked done without one",
                ));
            }
            let plain = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
            if !name.chars().all(plain) {
                return Err(self.invalid(
                    &code_key,
                    format!("{name:?}"),
                    "a code is letters, digits, '_' and '-' (it names a segment of \
                     segments.csv)",
                ));
            }
            codes.push(self.code(&code_key, name, value, wrapup)?);
        }
        if codes.iter().all(|c| c.name == "missing") {
            return Err(self.missing(
                &key,
                "no code: give at least one, e.g. resolved = { share = 0.7, time = { dist = \
                 \"lognormal\", mean = \"30s\", cv = 0.5 } }",
            ));
        }
        if !required && !codes.iter().any(|c| c.name == "missing") {
            return Err(self.missing(
                &format!("{key}.missing"),
                "with required = false, missing = { share = ... } is the share of chats marked \
                 done without a code (its time defaults to wrapup.time)",
            ));
        }
        let total: f64 = codes.iter().map(|c| c.share).sum();
        if (total - 1.0).abs() > 1e-9 {
            let shares: Vec<String> = codes
                .iter()
                .map(|c| format!("{} {}", c.name, show_number(c.share)))
                .collect();
            return Err(self.invalid(
                &key,
                format!("shares {}", shares.join(", ")),
                format!(
                    "the shares of the codes{} must sum to 1 (they sum to {}): each chat \
                     marked done gets one outcome",
                    if required { "" } else { " and missing" },
                    show_number(total)
                ),
            ));
        }
        // `missing` last, the codes in name order (the table's order).
        codes.sort_by_key(|c| c.name == "missing");
        Ok(Some(Dispositions { required, codes }))
    }

    /// One outcome of `[wrapup.dispositions]`: `{ share, time }`.
    fn code(
        &self,
        key: &str,
        name: &str,
        value: &Value,
        wrapup: &Dist,
    ) -> Result<Code, ScenarioError> {
        let Value::Table(fields) = value else {
            return Err(self.invalid(
                key,
                value,
                "a code is a table { share = 0.7, time = { dist = ... } } (time optional)",
            ));
        };
        if let Some(other) = fields.keys().find(|k| *k != "share" && *k != "time") {
            return Err(self.missing(
                &format!("{key}.{other}"),
                "unknown key: a code takes share and time",
            ));
        }
        let share_key = format!("{key}.share");
        let share = match fields.get("share") {
            None => {
                return Err(self.missing(
                    &share_key,
                    "missing: the share of the chats marked done that get this outcome",
                ))
            }
            Some(Value::Float(x)) => *x,
            Some(Value::Integer(n)) => *n as f64,
            Some(v) => return Err(self.invalid(&share_key, v, "a number in [0, 1]")),
        };
        if !(0.0..=1.0).contains(&share) {
            return Err(self.invalid(
                &share_key,
                show_number(share),
                "a share in [0, 1] of the chats marked done",
            ));
        }
        let time = match fields.get("time") {
            None => wrapup.clone(),
            Some(v) => {
                let time_key = format!("{key}.time");
                let raw: RawDist = serde_path_to_error::deserialize(v.clone()).map_err(|e| {
                    let path = e.path().to_string();
                    self.missing(
                        &if path == "." {
                            time_key.clone()
                        } else {
                            format!("{time_key}.{path}")
                        },
                        super::plain_serde_message(&e.into_inner().to_string()),
                    )
                })?;
                self.dist(&time_key, &raw)?
            }
        };
        Ok(Code {
            name: name.to_string(),
            index: 0,
            share,
            time,
        })
    }

    /// A queue's `[rating]`, key by key through the layers; `None` when no layer sets
    /// `rating.ask` or it is 0.
    fn rating(&self, layers: &[Layer]) -> Result<Option<Rating>, ScenarioError> {
        let ask = match pick(layers, "rating.ask", |l| l.rating?.ask.as_ref()) {
            Some((&p, key)) if !(0.0..=1.0).contains(&p) => {
                return Err(self.invalid(
                    &key,
                    show_number(p),
                    "a probability in [0, 1]: that a customer who saw the chat through is \
                     asked for a rating",
                ))
            }
            Some((&p, _)) => p,
            None => {
                let set = layers.iter().find_map(|l| l.rating.map(|_| l.prefix));
                if let Some(prefix) = set {
                    return Err(self.missing(
                        &format!("{prefix}rating.ask"),
                        "missing: the probability that a customer who saw the chat through is \
                         asked for a rating (0: no survey)",
                    ));
                }
                return Ok(None);
            }
        };
        if ask == 0.0 {
            return Ok(None);
        }
        let answer = match pick(layers, "rating.answer", |l| l.rating?.answer.as_ref()) {
            None => 1.0,
            Some((&p, _)) if (0.0..=1.0).contains(&p) => p,
            Some((&p, key)) => {
                return Err(self.invalid(
                    &key,
                    show_number(p),
                    "a probability in [0, 1]: that an asked customer answers",
                ))
            }
        };
        let Some((list, key)) = pick(layers, "rating.base", |l| l.rating?.base.as_ref()) else {
            let prefix = layers.first().map_or("", |l| l.prefix);
            return Err(self.missing(
                &format!("{prefix}rating.base"),
                "missing: the shares of the scores 1 to 5 of a customer with nothing to \
                 complain of, e.g. [0.05, 0.05, 0.15, 0.35, 0.40]",
            ));
        };
        if list.len() != 5 {
            return Err(self.invalid(
                &key,
                show_numbers(list),
                format!("five shares, of the scores 1 to 5 ({} given)", list.len()),
            ));
        }
        if let Some((i, x)) = list
            .iter()
            .enumerate()
            .find(|(_, x)| !(x.is_finite() && **x >= 0.0))
        {
            return Err(self.invalid(
                &format!("{key}[{i}]"),
                show_number(*x),
                "a share must be >= 0",
            ));
        }
        let total: f64 = list.iter().sum();
        if (total - 1.0).abs() > 1e-9 {
            return Err(self.invalid(
                &key,
                show_numbers(list),
                format!(
                    "the shares of the scores 1 to 5 must sum to 1 (they sum to {})",
                    show_number(total)
                ),
            ));
        }
        let weight = |name: &str, get: fn(&RawRating) -> Option<&f64>| match pick(
            layers,
            &format!("rating.{name}"),
            |l| get(l.rating?),
        ) {
            None => Ok(0.0),
            Some((&w, _)) if w.is_finite() && w.abs() <= 100.0 => Ok(w),
            Some((&w, key)) => Err(self.invalid(
                &key,
                show_number(w),
                "a weight in logits between -100 and 100 (> 0 moves scores down)",
            )),
        };
        Ok(Some(Rating {
            ask,
            answer,
            base: [list[0], list[1], list[2], list[3], list[4]],
            per_red_response: weight("per_red_response", |r| r.per_red_response.as_ref())?,
            per_transfer: weight("per_transfer", |r| r.per_transfer.as_ref())?,
            per_minute_waited: weight("per_minute_waited", |r| r.per_minute_waited.as_ref())?,
        }))
    }

    fn inactivity(&self, layers: &[Layer]) -> Result<Inactivity, ScenarioError> {
        let mut timers = [f64::INFINITY; 3];
        let mut previous: Option<(f64, String)> = None;
        for (i, name) in ["alert", "alert2", "close"].into_iter().enumerate() {
            let found = pick(layers, &format!("inactivity.{name}"), |l| {
                let t = l.inactivity?;
                [&t.alert, &t.alert2, &t.close][i].as_ref()
            });
            let Some((v, key)) = found else { continue };
            let t = self.duration(&key, v, Sign::Positive)?;
            if let Some((before, before_key)) = &previous {
                // Two alerts at one instant would be one alert counted twice; the close may
                // come with the last alert.
                let too_early = if i == 2 { t < *before } else { t <= *before };
                if too_early {
                    return Err(self.invalid(
                        &key,
                        v,
                        format!(
                            "must be {} {before_key} ({}): the inactivity timers go alert, \
                             alert2, close",
                            if i == 2 { "at least" } else { "later than" },
                            format_duration(*before)
                        ),
                    ));
                }
            }
            timers[i] = t;
            previous = Some((t, key));
        }
        Ok(Inactivity {
            alert: timers[0],
            alert2: timers[1],
            close: timers[2],
        })
    }
}

impl Resolver {
    /// A group's `[internal]` chats, key by key through `layers` (the group's table, then the
    /// top level's, each with its prefix); `None` without `messages_per_agent_hour` or with 0.
    fn internal(
        &self,
        layers: &[(&str, Option<&RawInternal>)],
    ) -> Result<Option<Internal>, ScenarioError> {
        let find = |name: &str, get: &dyn Fn(&RawInternal) -> bool| {
            layers
                .iter()
                .find(|(_, l)| l.is_some_and(get))
                .map(|(prefix, l)| (format!("{prefix}internal.{name}"), l.expect("found")))
        };
        let rate = find("messages_per_agent_hour", &|l| {
            l.messages_per_agent_hour.is_some()
        });
        let Some((key, raw)) = rate else {
            if let Some((prefix, _)) = layers.iter().find(|(_, l)| l.is_some()) {
                return Err(self.missing(
                    &format!("{prefix}internal.messages_per_agent_hour"),
                    "missing: the messages from colleagues each agent on shift receives per hour",
                ));
            }
            return Ok(None);
        };
        let per_hour = raw.messages_per_agent_hour.expect("found");
        if !(0.0..=MAX_RATE_PER_HOUR).contains(&per_hour) {
            return Err(self.invalid(
                &key,
                show_number(per_hour),
                "messages per agent and hour: a number from 0 to 1000000",
            ));
        }
        let compose = match find("compose", &|l| l.compose.is_some()) {
            Some((key, raw)) => self.dist(&key, raw.compose.as_ref().expect("found"))?,
            None => {
                return Err(self.missing(
                    &key.replace("messages_per_agent_hour", "compose"),
                    "missing: the attention one message from a colleague takes (a \
                     distribution), e.g. { dist = \"exponential\", mean = \"20s\" }",
                ))
            }
        };
        if per_hour == 0.0 {
            return Ok(None);
        }
        Ok(Some(Internal {
            rate: per_hour / 3600.0,
            compose,
        }))
    }

    /// A queue's `[proactive]` chats, key by key through the layers: off without
    /// `proactive.visitors_per_hour`; `dwell` and `accept` are then required.
    fn proactive(
        &self,
        layers: &[Layer],
        extent: Extent,
    ) -> Result<Option<Proactive>, ScenarioError> {
        let rate = pick(layers, "proactive.visitors_per_hour", |l| {
            l.proactive?.visitors_per_hour.as_ref()
        });
        let Some((rate, key)) = rate else {
            if let Some(prefix) = layers.iter().find_map(|l| l.proactive.map(|_| l.prefix)) {
                return Err(self.missing(
                    &format!("{prefix}proactive.visitors_per_hour"),
                    "missing: proactive chats start with the website's visitors per hour (a \
                     number, or a list with one value per step)",
                ));
            }
            return Ok(None);
        };
        // The step key of the layer that set the rate (a list is read on its own grid).
        let step_key = key.replace("visitors_per_hour", "step");
        let step = pick(layers, "proactive.step", |l| l.proactive?.step.as_ref()).map(|(v, _)| v);
        let (step, per_hour) = self.per_step(&key, rate, &step_key, step, extent, |x| {
            if (0.0..=MAX_RATE_PER_HOUR).contains(&x) {
                Ok(())
            } else {
                Err("a visitor rate must be between 0 and 1000000 visitors per hour")
            }
        })?;
        let prefix = key.trim_end_matches("visitors_per_hour");
        let dwell = match pick(layers, "proactive.dwell", |l| l.proactive?.dwell.as_ref()) {
            Some((raw, key)) => self.dist(&key, raw)?,
            None => {
                return Err(self.missing(
                    &format!("{prefix}dwell"),
                    "missing: how long a visitor stays on the website (a distribution), e.g. \
                     { dist = \"exponential\", mean = \"3m\" }",
                ))
            }
        };
        let accept = match pick(layers, "proactive.accept", |l| l.proactive?.accept.as_ref()) {
            Some((&p, _)) if (0.0..=1.0).contains(&p) => p,
            Some((&p, key)) => {
                return Err(self.invalid(
                    &key,
                    show_number(p),
                    "a probability in [0, 1]: that an invited visitor accepts the chat",
                ))
            }
            None => {
                return Err(self.missing(
                    &format!("{prefix}accept"),
                    "missing: the probability that an invited visitor accepts the chat",
                ))
            }
        };
        let max_chats = match pick(layers, "proactive.max_chats", |l| {
            l.proactive?.max_chats.as_ref()
        }) {
            None => 0,
            Some((&k, _)) if (0..MAX_CONCURRENT).contains(&k) => k as u32,
            Some((&k, key)) => {
                return Err(self.invalid(
                    &key,
                    k,
                    format!(
                        "the most chats an agent may hold and still invite a visitor: 0 to {}",
                        MAX_CONCURRENT - 1
                    ),
                ))
            }
        };
        Ok(Some(Proactive {
            step,
            visitor_rates: per_hour.iter().map(|x| x / 3600.0).collect(),
            dwell,
            max_chats,
            accept,
        }))
    }

    /// A queue's `[asynchronous]` continuation: off without `park_after`; the other keys need it.
    fn asynchronous(&self, layers: &[Layer]) -> Result<Asynchronous, ScenarioError> {
        let park_after = pick(layers, "asynchronous.park_after", |l| {
            l.asynchronous?.park_after.as_ref()
        });
        let resume = pick(layers, "asynchronous.resume", |l| {
            l.asynchronous?.resume.as_ref()
        });
        let affinity_wait = pick(layers, "asynchronous.affinity_wait", |l| {
            l.asynchronous?.affinity_wait.as_ref()
        });
        let close_after = pick(layers, "asynchronous.close_after", |l| {
            l.asynchronous?.close_after.as_ref()
        });
        let Some((v, key)) = park_after else {
            let other = resume
                .map(|(text, k)| (format!("{text:?}"), k))
                .or(affinity_wait.map(|(v, k)| (v.to_string(), k)))
                .or(close_after.map(|(v, k)| (v.to_string(), k)));
            if let Some((value, key)) = other {
                return Err(self.invalid(
                    &key,
                    value,
                    "asynchronous continuation starts with asynchronous.park_after: set it too",
                ));
            }
            return Ok(Asynchronous::OFF);
        };
        let park_after = self.duration(&key, v, Sign::Positive)?;
        let resume = match resume {
            None => Resume::SameAgent,
            Some((text, key)) => self.choice(
                &key,
                Some(text.as_str()),
                &[("same_agent", Resume::SameAgent), ("queue", Resume::Queue)],
            )?,
        };
        let affinity_wait = match affinity_wait {
            None => 0.0,
            Some((v, key)) => {
                if resume == Resume::Queue {
                    return Err(self.invalid(
                        &key,
                        v,
                        "a wait for the same agent needs asynchronous.resume = \"same_agent\"",
                    ));
                }
                self.duration(&key, v, Sign::NonNegative)?
            }
        };
        let close_after = match close_after {
            None => f64::INFINITY,
            Some((v, key)) => self.duration(&key, v, Sign::Positive)?,
        };
        Ok(Asynchronous {
            park_after,
            resume,
            affinity_wait,
            close_after,
        })
    }
}

/// Names for an error message: `"a", "b"`.
/// Number the disposition codes of every queue: the codes' names in name order, `missing`
/// last when some queue has it; each queue's codes get their index in that list.
pub(super) fn number_dispositions(queues: &mut [QueueConfig]) -> Vec<String> {
    let mut names: Vec<String> = queues
        .iter()
        .filter_map(|q| q.chat.dispositions.as_ref())
        .flat_map(|d| d.codes.iter().map(|c| c.name.clone()))
        .filter(|n| n != "missing")
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let missing = queues
        .iter()
        .filter_map(|q| q.chat.dispositions.as_ref())
        .any(|d| !d.required);
    if missing {
        names.push("missing".into());
    }
    for d in queues
        .iter_mut()
        .filter_map(|q| q.chat.dispositions.as_mut())
    {
        for c in &mut d.codes {
            c.index = names.iter().position(|n| *n == c.name).expect("named") as u32;
        }
    }
    names
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        return "none".into();
    }
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}
