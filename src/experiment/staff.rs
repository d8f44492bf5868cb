//! Staffing search: the smallest number of agents whose KPIs meet every target with confidence,
//! for the whole day (a constant staffing) or interval by interval.
//!
//! A staffing level *meets* the targets when, for each target, the 95% interval of the KPI
//! across replications lies entirely on the right side; it *misses* when one interval lies
//! entirely on the wrong side. Otherwise more replications are added (the same count again,
//! up to a cap); a level still undecided at the cap is counted as not meeting the targets and
//! flagged, so the answer is never smaller than what the simulation can vouch for.
//!
//! Every level runs the same replication indices, so all levels see the same customers (common
//! random numbers) and the comparison between neighbours is sharp. The search gallops from a
//! starting level (steps 1, 2, 4, … up or down) until it brackets the answer, then bisects: it
//! runs O(log n) levels, never every one.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use toml::Value;

use super::sweep::{Control, Interrupted};
use super::{
    replications, summarise, Distributions, KpiSummary, Replication, Scope as SegmentScope,
};
use crate::model::Staffing;
use crate::scenario::{apply_override, from_document, Scenario, ScenarioError, ONE_QUEUE};
use crate::stats::{Interval, Kpi};

/// How a KPI must compare with a target value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    AtLeast,
    AtMost,
}

/// One queue, channel or agent group of a center, as `segments.csv` names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub scope: SegmentScope,
    pub name: String,
}

/// A target such as `service_level>=0.8` (on the whole center) or
/// `queue:tech:service_level>=0.8` (on one segment).
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub kpi: Kpi,
    pub op: Op,
    pub value: f64,
    /// The segment the KPI is measured on; `None`: the whole center.
    pub segment: Option<Segment>,
}

/// The rule of a target's text, quoted by every parse error.
const TARGET_SYNTAX: &str = "a target is KPI>=VALUE or KPI<=VALUE on the whole center (e.g. \
     service_level>=0.8), or SCOPE:NAME:KPI>=VALUE on one queue, channel or group (e.g. \
     queue:tech:service_level>=0.8, group:billing:occupancy<=0.85)";

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Target, String> {
        let (name, op, value) = if let Some((k, v)) = s.split_once(">=") {
            (k, Op::AtLeast, v)
        } else if let Some((k, v)) = s.split_once("<=") {
            (k, Op::AtMost, v)
        } else {
            return Err(
                "expected KPI>=VALUE or KPI<=VALUE, e.g. service_level>=0.8 or abandon_rate<=0.05 \
                 (or SCOPE:NAME:KPI>=VALUE on one queue, channel or group, e.g. \
                 queue:tech:service_level>=0.8)"
                    .into(),
            );
        };
        let parts: Vec<&str> = name.trim().split(':').map(str::trim).collect();
        let (segment, name) = match parts[..] {
            [kpi] => (None, kpi),
            [scope, segment, kpi] => {
                let scope = [
                    SegmentScope::Queue,
                    SegmentScope::Channel,
                    SegmentScope::Group,
                ]
                .into_iter()
                .find(|x| x.name() == scope)
                .ok_or_else(|| {
                    format!(
                        "scope {scope:?}: a target's scope is queue, channel or group \
                             ({TARGET_SYNTAX})"
                    )
                })?;
                if segment.is_empty() {
                    return Err(format!("no {} name: {TARGET_SYNTAX}", scope.name()));
                }
                let segment = Segment {
                    scope,
                    name: segment.to_string(),
                };
                (Some(segment), kpi)
            }
            _ => return Err(format!("{:?}: {TARGET_SYNTAX}", name.trim())),
        };
        let kpi = Kpi::by_name(name).ok_or_else(|| {
            let names: Vec<&str> = Kpi::ALL.iter().map(|k| k.name()).collect();
            format!("unknown KPI {name:?}; the KPIs are {}", names.join(", "))
        })?;
        if let Some(seg) = &segment {
            if !seg.scope.reports(kpi) {
                let names: Vec<&str> = Kpi::ALL
                    .iter()
                    .filter(|k| seg.scope.reports(**k))
                    .map(|k| k.name())
                    .collect();
                return Err(format!(
                    "{} is not a KPI of a {scope}: segments.csv gives queues and channels the \
                     contact KPIs and groups the agent KPIs; the KPIs of a {scope} are {}",
                    kpi.name(),
                    names.join(", "),
                    scope = seg.scope.name()
                ));
            }
        }
        let value: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| format!("{:?} is not a number", value.trim()))?;
        Ok(Target {
            kpi,
            op,
            value,
            segment,
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.op {
            Op::AtLeast => ">=",
            Op::AtMost => "<=",
        };
        write!(f, "{}{op}{}", self.column(), self.value)
    }
}

/// What the replications say about a target, or about a set of targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// The 95% interval lies on the wrong side of a target.
    Missed,
    /// Not decided: an interval contains a target value.
    Unclear,
    /// Every 95% interval lies on the right side.
    Met,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Missed => "missed",
            Verdict::Unclear => "unclear",
        }
    }
}

impl Target {
    /// The verdict of one KPI's interval. A KPI undefined in every replication (ASA when
    /// nobody was answered, say) misses the target: nothing vouches for it, and more agents is
    /// what makes it defined. A single replication decides nothing.
    pub fn verdict(&self, interval: Option<&Interval>) -> Verdict {
        let Some(i) = interval else {
            return Verdict::Missed;
        };
        if i.low.is_nan() || i.high.is_nan() {
            return Verdict::Unclear;
        }
        let (good, bad) = match self.op {
            Op::AtLeast => (i.low >= self.value, i.high < self.value),
            Op::AtMost => (i.high <= self.value, i.low > self.value),
        };
        match (good, bad) {
            (true, _) => Verdict::Met,
            (_, true) => Verdict::Missed,
            _ => Verdict::Unclear,
        }
    }

    /// The KPI with its scope, as the target and its CSV columns name it: `service_level`,
    /// `queue:tech:service_level`.
    pub fn column(&self) -> String {
        match &self.segment {
            None => self.kpi.name().to_string(),
            Some(s) => format!("{}:{}:{}", s.scope.name(), s.name, self.kpi.name()),
        }
    }

    /// The first of `targets` measured on a segment, for the commands that know only the
    /// center's KPIs (the formulas, a sweep's plots).
    pub fn on_segment(targets: &[Target]) -> Option<&Target> {
        targets.iter().find(|t| t.segment.is_some())
    }

    /// Whether `a` is a better value than `b` for this target.
    fn better(&self, a: f64, b: f64) -> bool {
        match self.op {
            Op::AtLeast => a > b,
            Op::AtMost => a < b,
        }
    }

    /// Where each target's KPI is in a replication of `scenario`: `None` for the center, else
    /// the segment's position in [`super::segments`] order. A segment the scenario does not
    /// have is an error listing those of its scope.
    pub fn locate(
        targets: &[Target],
        scenario: &Scenario,
    ) -> Result<Vec<Option<usize>>, StaffError> {
        let segments = super::segments(scenario);
        targets
            .iter()
            .map(|t| {
                let Some(seg) = &t.segment else {
                    return Ok(None);
                };
                segments
                    .iter()
                    .position(|(scope, name)| *scope == seg.scope && *name == seg.name)
                    .map(Some)
                    .ok_or_else(|| {
                        let names: Vec<&str> = segments
                            .iter()
                            .filter(|(scope, _)| *scope == seg.scope)
                            .map(|(_, n)| n.as_str())
                            .collect();
                        StaffError::UnknownSegment {
                            target: t.to_string(),
                            file: scenario.file.display().to_string(),
                            scope: seg.scope.name(),
                            name: seg.name.clone(),
                            names: names.join(", "),
                        }
                    })
            })
            .collect()
    }
}

/// The KPI summaries a set of targets is judged on over one span (the window or a reporting
/// interval): the center's and, for each target on a segment, that segment's.
#[derive(Clone, Debug)]
pub struct Judged {
    /// The center's, in [`Kpi::ALL`] order.
    pub center: Vec<KpiSummary>,
    /// Per target, in order: its segment's summaries, or `None` for a target on the center.
    pub segments: Vec<Option<Vec<KpiSummary>>>,
}

impl Judged {
    /// Summaries over `span` of `reps`, for `targets` located by [`Target::locate`]. A
    /// one-queue, one-group center stores no segment values (each segment is the whole
    /// center): its segment targets read the center's.
    pub fn of(reps: &[Replication], located: &[Option<usize>], span: Scope) -> Judged {
        let of = |segment: Option<usize>| {
            summarise(reps, move |r: &Replication| -> &[f64] {
                let interval = match span {
                    Scope::Overall => None,
                    Scope::Interval(i) => Some(i),
                };
                r.values(segment, interval)
            })
        };
        Judged {
            center: of(None),
            segments: located.iter().map(|k| k.map(|k| of(Some(k)))).collect(),
        }
    }

    /// The summaries target `i` is judged on: its segment's, or the center's.
    pub fn scope_of(&self, i: usize) -> &[KpiSummary] {
        self.segments
            .get(i)
            .and_then(Option::as_ref)
            .unwrap_or(&self.center)
    }

    /// Target `i`'s KPI (`targets[i]` must be the target located at `i`).
    pub fn kpi(&self, targets: &[Target], i: usize) -> &KpiSummary {
        &self.scope_of(i)[targets[i].kpi.index()]
    }

    /// The verdict of target `i`, by [`Target::verdict`]. A queue or channel that was offered
    /// no contact in any replication has nobody to serve: any staffing meets its targets.
    pub fn verdict_of(&self, targets: &[Target], i: usize) -> Verdict {
        let t = &targets[i];
        let contacts = t
            .segment
            .as_ref()
            .is_some_and(|s| s.scope != SegmentScope::Group);
        if contacts && nothing_offered(self.scope_of(i)) {
            return Verdict::Met;
        }
        t.verdict(self.kpi(targets, i).interval.as_ref())
    }

    /// The combined verdict of `targets`: the worst of theirs. Where no contact was offered in
    /// any replication (an interval without arrivals) there is nobody to serve and any
    /// staffing meets the targets.
    pub fn verdict(&self, targets: &[Target]) -> Verdict {
        if nothing_offered(&self.center) {
            return Verdict::Met;
        }
        (0..targets.len())
            .map(|i| self.verdict_of(targets, i))
            .min()
            .unwrap_or(Verdict::Met)
    }
}

/// No contact offered in any replication of `summary`'s scope.
fn nothing_offered(summary: &[KpiSummary]) -> bool {
    summary[Kpi::Offered.index()]
        .interval
        .map_or(true, |i| i.mean == 0.0)
}

/// A KPI's mean and interval as text: `0.0482 [0.0470, 0.0494]`, or `undefined`.
pub fn describe(interval: Option<&Interval>) -> String {
    use crate::report::short;
    match interval {
        None => "undefined (no replication defines it)".into(),
        Some(i) if i.low.is_nan() => format!("{} (one replication, no interval)", short(i.mean)),
        Some(i) => format!("{} [{}, {}]", short(i.mean), short(i.low), short(i.high)),
    }
}

/// KPIs of the queue, which more agents improve only until nobody waits for a free slot.
const QUEUE_KPIS: [Kpi; 7] = [
    Kpi::AbandonRate,
    Kpi::AbandonRateExclShort,
    Kpi::ServiceLevel,
    Kpi::ServiceLevelExclShort,
    Kpi::Asa,
    Kpi::WaitMean,
    Kpi::WaitP90,
];

/// Why no level up to the maximum meets the targets: for each target not met at the largest
/// level run, its value there, the best value any level reached (and where), and, when nobody
/// had to queue at that level, that more agents cannot help.
fn shortfall(targets: &[Target], evaluations: &BTreeMap<u32, Evaluation>) -> String {
    let Some((&top, last)) = evaluations.iter().next_back() else {
        return String::new();
    };
    let mut out = Vec::new();
    let mut floor = false;
    for (k, t) in targets.iter().enumerate() {
        let verdict = last.judged.verdict_of(targets, k);
        if verdict == Verdict::Met {
            continue;
        }
        let mut text = format!(
            "{t} is {} at {top} agents: {} {}",
            verdict.name(),
            t.column(),
            describe(last.judged.kpi(targets, k).interval.as_ref())
        );
        let best = evaluations
            .values()
            .filter_map(|e| Some((e, e.judged.kpi(targets, k).interval?)))
            .filter(|(_, i)| i.mean.is_finite())
            .reduce(|a, b| if t.better(b.1.mean, a.1.mean) { b } else { a });
        if let Some((e, i)) = best {
            text += &format!(
                "; the best value reached is {} at {} agents ({} replications)",
                describe(Some(&i)),
                e.agents,
                e.replications.len()
            );
            // The waits of the target's own contacts (its queue's or channel's, else the
            // center's).
            let p_wait = e.judged.scope_of(k)[Kpi::PWait.index()]
                .interval
                .map(|i| i.mean);
            if QUEUE_KPIS.contains(&t.kpi) && p_wait.is_some_and(|p| p < 0.001) {
                floor = true;
                text += &format!(
                    ". There hardly any contact had to wait for a free agent (p_wait {}), so more agents \
                     cannot improve it: what is left happens between the offer and the accept \
                     (conversation.accept_delay), during which customers still wait and may \
                     leave (patience.queue)",
                    crate::report::short(p_wait.unwrap_or(f64::NAN))
                );
            }
        }
        out.push(text);
    }
    let hint = if floor {
        "relax the target, or change what sets that floor"
    } else {
        "raise --max-agents or relax the target"
    };
    format!("{}; {hint}", out.join("; "))
}

/// What is measured against the targets: the whole window or one reporting interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Overall,
    /// Index of the reporting interval (0 = first after the warm-up).
    Interval(usize),
}

/// Search parameters.
#[derive(Clone, Debug)]
pub struct SearchSettings {
    pub targets: Vec<Target>,
    /// Replications per level at most (added in rounds of the scenario's replications).
    pub max_replications: u32,
    pub min_agents: u32,
    pub max_agents: u32,
}

/// One staffing level, run and judged.
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub agents: u32,
    pub replications: Vec<Replication>,
    /// Distributions pooled over the replications.
    pub distributions: Distributions,
    /// The center's KPI summaries over the search scope (`judged.center`, kept whole for
    /// readers of the center's KPIs).
    pub summary: Vec<KpiSummary>,
    /// What the targets were judged on: the center's and each segment target's summaries.
    pub judged: Judged,
    pub verdict: Verdict,
}

/// A search that cannot give an answer.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error(
        "no staffing{} up to {max_agents} agents meets the targets{}: {detail}",
        group.as_ref().map(|g| format!(" of group {g}")).unwrap_or_default(),
        at.map(|i| format!(" in reporting interval {i}")).unwrap_or_default()
    )]
    NotFound {
        /// The group searched, when the search staffs one group of a center.
        group: Option<String>,
        max_agents: u32,
        at: Option<usize>,
        /// Which target fails, its best value and where (see [`shortfall`]).
        detail: String,
    },
    #[error("--target {target}: {file} has no {scope} named {name:?}; its {scope}s are {names}")]
    UnknownSegment {
        target: String,
        file: String,
        scope: &'static str,
        name: String,
        names: String,
    },
    /// `--group` missing, unknown, or naming a group whose staffing cannot be searched.
    #[error("{0}")]
    Group(String),
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Interrupted(#[from] Interrupted),
}

/// The answer of one search.
#[derive(Clone, Debug)]
pub struct Found {
    /// Smallest staffing that meets the targets.
    pub agents: u32,
    /// Every level run, by number of agents.
    pub evaluations: BTreeMap<u32, Evaluation>,
}

impl Found {
    /// The evaluation of the answer.
    pub fn chosen(&self) -> &Evaluation {
        &self.evaluations[&self.agents]
    }

    /// The level just below the answer, when it was run (it is, unless the answer is the
    /// minimum): if its verdict is `Unclear`, it might meet the targets too.
    pub fn below(&self) -> Option<&Evaluation> {
        self.agents
            .checked_sub(1)
            .and_then(|n| self.evaluations.get(&n))
    }
}

/// Run and judge one level; replications are added while the verdict is unclear.
fn evaluate(
    scenario: &Scenario,
    agents: u32,
    scope: Scope,
    settings: &SearchSettings,
    control: &Control,
) -> Result<Evaluation, StaffError> {
    let step = scenario.run.replications;
    let cap = settings.max_replications.max(step);
    let located = Target::locate(&settings.targets, scenario)?;
    let mut reps: Vec<Replication> = Vec::new();
    let mut distributions = Distributions::default();
    loop {
        let have = reps.len() as u32;
        let want = (have + step).min(cap);
        let (more, pooled) = replications(scenario, have..want, control)?;
        reps.extend(more);
        distributions.merge(&pooled);
        let judged = Judged::of(&reps, &located, scope);
        let verdict = judged.verdict(&settings.targets);
        if verdict != Verdict::Unclear || want == cap {
            return Ok(Evaluation {
                agents,
                replications: reps,
                distributions,
                summary: judged.center.clone(),
                judged,
                verdict,
            });
        }
    }
}

/// The smallest level in `settings.min_agents..=settings.max_agents` that meets the targets
/// on `scope`, where `make(n)` is the scenario staffed with `n`, starting from `start`.
pub fn search(
    make: impl Fn(u32) -> Result<Scenario, ScenarioError>,
    start: u32,
    scope: Scope,
    settings: &SearchSettings,
    control: &Control,
) -> Result<Found, StaffError> {
    let (min, max) = (
        settings.min_agents,
        settings.max_agents.max(settings.min_agents),
    );
    let mut evaluations = BTreeMap::new();
    let meets = |n: u32, evaluations: &mut BTreeMap<u32, Evaluation>| {
        if let std::collections::btree_map::Entry::Vacant(slot) = evaluations.entry(n) {
            let e = evaluate(&make(n)?, n, scope, settings, control)?;
            let scope = match scope {
                Scope::Overall => "overall".to_string(),
                Scope::Interval(i) => format!("interval {i}"),
            };
            let reps = e.replications.len();
            control
                .progress
                .level_judged(&scope, n, e.verdict.name(), reps);
            slot.insert(e);
        }
        Ok::<bool, StaffError>(evaluations[&n].verdict == Verdict::Met)
    };
    let not_found = |evaluations: &BTreeMap<u32, Evaluation>| StaffError::NotFound {
        group: None,
        max_agents: max,
        at: match scope {
            Scope::Overall => None,
            Scope::Interval(i) => Some(i),
        },
        detail: shortfall(&settings.targets, evaluations),
    };
    // Bracket: `low` does not meet the targets (or is below the minimum), `high` meets them.
    let start = start.clamp(min, max);
    let (mut low, mut high): (Option<u32>, u32);
    let mut step = 1u32;
    if meets(start, &mut evaluations)? {
        high = start;
        low = None;
        while high > min {
            let probe = high.saturating_sub(step).max(min);
            if meets(probe, &mut evaluations)? {
                high = probe;
                step = step.saturating_mul(2);
            } else {
                low = Some(probe);
                break;
            }
        }
    } else {
        low = Some(start);
        loop {
            if low == Some(max) {
                return Err(not_found(&evaluations));
            }
            let probe = low.unwrap().saturating_add(step).min(max);
            if meets(probe, &mut evaluations)? {
                high = probe;
                break;
            }
            low = Some(probe);
            step = step.saturating_mul(2);
        }
    }
    // Bisect between a level that does not meet the targets and one that does.
    if let Some(mut lo) = low {
        while high - lo > 1 {
            let mid = lo + (high - lo) / 2;
            if meets(mid, &mut evaluations)? {
                high = mid;
            } else {
                lo = mid;
            }
        }
    }
    Ok(Found {
        agents: high,
        evaluations,
    })
}

/// Whose agents a search sets: the one-queue format's `[staffing]`, or one group of a center
/// (`[groups.NAME]`), the other groups staying as the scenario has them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Searched {
    Staffing,
    Group(String),
}

impl Searched {
    /// What `--group` (`group`) searches in `scenario`: a one-queue scenario's `[staffing]`
    /// (for no `--group` or its one group, `main`); a center's named group, which is needed
    /// when it has several. A group on `shifts` cannot be searched: the search sets `agents`
    /// (or `agents_per_interval`, per interval).
    pub fn of(scenario: &Scenario, group: Option<&str>) -> Result<Searched, StaffError> {
        let groups: Vec<&str> = scenario
            .model
            .groups
            .iter()
            .map(|g| g.name.as_str())
            .collect();
        let file = scenario.file.display();
        if scenario.document.contains_key("staffing") {
            return match group {
                None | Some(ONE_QUEUE) => Ok(Searched::Staffing),
                Some(g) => Err(StaffError::Group(format!(
                    "--group {g}: {file} has one group, {ONE_QUEUE} (the one-queue format's \
                     [staffing]); give --group {ONE_QUEUE} or no --group"
                ))),
            };
        }
        let name = match (group, &groups[..]) {
            (Some(g), _) => g,
            (None, [only]) => only,
            (None, _) => {
                return Err(StaffError::Group(format!(
                    "{file} has {} agent groups ({}): give --group NAME, the group whose agents \
                     the search sets (the others stay as the scenario has them)",
                    groups.len(),
                    groups.join(", ")
                )))
            }
        };
        let Some(g) = scenario.model.groups.iter().find(|g| g.name == name) else {
            return Err(StaffError::Group(format!(
                "--group {name}: {file} has no group named {name:?}; its groups are {}",
                groups.join(", ")
            )));
        };
        if matches!(g.staffing, Staffing::Shifts(_)) {
            // Name the option only when it was given (the one group is searched without it).
            let option = match group {
                Some(_) => format!("--group {name}: "),
                None => String::new(),
            };
            return Err(StaffError::Group(format!(
                "{option}{file}: groups.{name}.shifts cannot be searched: ccsim staff sets a \
                 group's number of agents, groups.{name}.agents (or with --per-interval \
                 groups.{name}.agents_per_interval); give the group one of those in the \
                 scenario, or on the command line (--set groups.{name}.agents=N)"
            )));
        }
        Ok(Searched::Group(name.to_string()))
    }

    /// A target on a queue or channel that the searched group serves no chat of (in none of
    /// its queues' tiers) is an error: that group's staffing cannot move it, and the search
    /// would run every level up to --max-agents before failing.
    pub fn check_reach(&self, targets: &[Target], scenario: &Scenario) -> Result<(), StaffError> {
        let Searched::Group(name) = self else {
            return Ok(());
        };
        let m = &scenario.model;
        let Some(g) = m.groups.iter().position(|g| g.name == *name) else {
            return Ok(());
        };
        let served = |q: &crate::model::QueueConfig| q.tiers.iter().any(|t| t.groups.contains(&g));
        let served_names = self.served_queues(scenario).unwrap_or_default();
        for t in targets {
            let Some(seg) = &t.segment else { continue };
            let reached = match seg.scope {
                SegmentScope::Queue => m.queues.iter().any(|q| q.name == seg.name && served(q)),
                SegmentScope::Channel => m
                    .queues
                    .iter()
                    .any(|q| m.channels[q.channel] == seg.name && served(q)),
                SegmentScope::Group | SegmentScope::Disposition => true,
            };
            if !reached {
                return Err(StaffError::Group(format!(
                    "--target {t}: group {name} serves no chat of {} {} (it serves {}), so its \
                     staffing cannot change that target; search a group that serves it \
                     (--group), or target what {name} serves",
                    seg.scope.name(),
                    seg.name,
                    served_names.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// The queues the searched group serves (in any tier), when the search staffs a group.
    fn served_queues<'s>(&self, scenario: &'s Scenario) -> Option<Vec<&'s str>> {
        let Searched::Group(name) = self else {
            return None;
        };
        let m = &scenario.model;
        let g = m.groups.iter().position(|g| g.name == *name)?;
        Some(
            m.queues
                .iter()
                .filter(|q| q.tiers.iter().any(|t| t.groups.contains(&g)))
                .map(|q| q.name.as_str())
                .collect(),
        )
    }

    /// The table of the scenario's document holding the searched staffing keys.
    fn table(&self) -> String {
        match self {
            Searched::Staffing => "staffing".into(),
            Searched::Group(g) => format!("groups.{g}"),
        }
    }

    /// The group searched, when the search staffs one group of a center.
    pub fn group(&self) -> Option<&str> {
        match self {
            Searched::Staffing => None,
            Searched::Group(g) => Some(g),
        }
    }

    /// The scenario `document` with a constant staffing of `agents` for what is searched.
    pub fn constant(
        &self,
        document: &toml::Table,
        file: &std::path::Path,
        agents: u32,
    ) -> Result<Scenario, ScenarioError> {
        let mut d = document.clone();
        apply_override(&mut d, &format!("{}.agents={agents}", self.table()))?;
        from_document(d, file)
    }

    /// The scenario `document` with `agents_per_interval` set to `plan` for what is searched.
    pub fn plan(
        &self,
        document: &toml::Table,
        file: &std::path::Path,
        plan: &[u32],
    ) -> Result<Scenario, ScenarioError> {
        let mut d = document.clone();
        // The plan has one entry per reporting interval: the list's own step, if any, goes.
        let table = match self {
            Searched::Staffing => d.get_mut("staffing"),
            Searched::Group(g) => match d.get_mut("groups") {
                Some(Value::Table(groups)) => groups.get_mut(g),
                _ => None,
            },
        };
        if let Some(Value::Table(t)) = table {
            t.remove("step");
        }
        let list: Vec<String> = plan.iter().map(u32::to_string).collect();
        apply_override(
            &mut d,
            &format!("{}.agents_per_interval=[{}]", self.table(), list.join(",")),
        )?;
        from_document(d, file)
    }

    /// The staffing searched, as `scenario` has it at time `t` (every group together for
    /// the one-queue format, which has one).
    fn at(&self, scenario: &Scenario, t: f64) -> u32 {
        match self.group_config(scenario) {
            None => scenario.model.staffing_at(t),
            Some(g) => g.staffing.on_shift_at(t),
        }
    }

    /// Where a constant search starts: the scenario's own staffing of what is searched, at its
    /// peak.
    fn start(&self, scenario: &Scenario) -> u32 {
        match self.group_config(scenario) {
            None => scenario.model.max_agents(),
            Some(g) => g.staffing.agents(),
        }
    }

    fn group_config<'s>(&self, scenario: &'s Scenario) -> Option<&'s crate::model::GroupConfig> {
        let name = self.group()?;
        scenario.model.groups.iter().find(|g| g.name == name)
    }

    /// How the staffing found is written in `staffed.toml`: `agents`, or `agents_per_interval`.
    pub fn key(&self, per_interval: bool) -> String {
        let key = if per_interval {
            "agents_per_interval"
        } else {
            "agents"
        };
        format!("{}.{key}", self.table())
    }
}

/// The scenario `document` with a constant staffing of `agents`.
pub fn with_constant_staffing(
    document: &toml::Table,
    file: &std::path::Path,
    agents: u32,
) -> Result<Scenario, ScenarioError> {
    Searched::Staffing.constant(document, file, agents)
}

/// The scenario `document` with `staffing.agents_per_interval` set to `plan`.
pub fn with_staffing_plan(
    document: &toml::Table,
    file: &std::path::Path,
    plan: &[u32],
) -> Result<Scenario, ScenarioError> {
    Searched::Staffing.plan(document, file, plan)
}

/// The smallest constant staffing of `searched` that meets the targets over the whole window,
/// starting from the scenario's own.
pub fn search_constant(
    base: &Scenario,
    searched: &Searched,
    settings: &SearchSettings,
    control: &Control,
) -> Result<Found, StaffError> {
    search(
        |n| searched.constant(&base.document, &base.file, n),
        searched.start(base),
        Scope::Overall,
        settings,
        control,
    )
    .map_err(|e| e.of_group(searched, base))
}

impl StaffError {
    /// The error of a search of `searched` in `scenario`: a level not found names the group
    /// and, when the group serves only some of the queues, says that the whole center's KPIs
    /// also count the queues its staffing cannot help.
    fn of_group(self, searched: &Searched, scenario: &Scenario) -> StaffError {
        match self {
            StaffError::NotFound {
                max_agents,
                at,
                mut detail,
                ..
            } => {
                let queues = scenario.model.queues.len();
                if let Some(served) = searched.served_queues(scenario) {
                    if served.len() < queues {
                        detail += &format!(
                            " (group {} serves only {} of the {queues} queues: a target on the \
                             whole center also counts the others, which its staffing cannot \
                             help; a queue:NAME: target measures what it serves)",
                            searched.group().unwrap_or_default(),
                            served.join(", ")
                        );
                    }
                }
                StaffError::NotFound {
                    group: searched.group().map(String::from),
                    max_agents,
                    at,
                    detail,
                }
            }
            e => e,
        }
    }
}

/// The result of a per-interval search.
#[derive(Clone, Debug)]
pub struct IntervalPlan {
    /// Agents for every entry of the per-interval lists (warm-up entries included: they take
    /// the first measured interval's staffing).
    pub staffing: Vec<u32>,
    /// The search of each reporting interval.
    pub searches: Vec<Found>,
}

/// Interval by interval, in order, the smallest staffing that meets the targets on that
/// interval's arrivals, the earlier intervals being fixed at their answers and the later ones
/// staffed like the interval searched (backlog carries over, so earlier intervals are fixed
/// before later ones are searched).
pub fn search_per_interval(
    base: &Scenario,
    settings: &SearchSettings,
    control: &Control,
) -> Result<IntervalPlan, StaffError> {
    search_per_interval_of(base, &Searched::Staffing, settings, control)
}

/// [`search_per_interval`] of `searched`: the one-queue staffing or one group's.
pub fn search_per_interval_of(
    base: &Scenario,
    searched: &Searched,
    settings: &SearchSettings,
    control: &Control,
) -> Result<IntervalPlan, StaffError> {
    let entries = base.run.intervals;
    let window = super::window(base);
    let (first, measured) = (window.first_interval(), window.intervals());
    let mut staffing: Vec<u32> = Vec::with_capacity(entries);
    let mut searches = Vec::with_capacity(measured);
    for i in 0..measured {
        // The list entry of reporting interval i; the warm-up entries go with interval 0.
        let entry = (first + i).min(entries - 1);
        let fixed = if i == 0 { 0 } else { entry };
        let start = match searches.last() {
            Some(Found { agents, .. }) => *agents,
            None => searched.at(base, entry as f64 * base.run.interval),
        };
        let found = search(
            |n| {
                let mut plan = staffing[..fixed].to_vec();
                plan.resize(entries, n);
                searched.plan(&base.document, &base.file, &plan)
            },
            start,
            Scope::Interval(i),
            settings,
            control,
        )
        .map_err(|e| e.of_group(searched, base))?;
        staffing.truncate(fixed);
        staffing.resize(entry + 1, found.agents);
        searches.push(found);
    }
    let last = *staffing.last().unwrap_or(&0);
    staffing.resize(entries, last);
    Ok(IntervalPlan { staffing, searches })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(low: f64, high: f64) -> Interval {
        Interval {
            mean: 0.5 * (low + high),
            low,
            high,
            std_dev: 1.0,
            n: 10,
        }
    }

    #[test]
    fn targets_parse_and_judge() {
        let t: Target = "service_level>=0.8".parse().unwrap();
        assert_eq!(
            (t.kpi, t.op, t.value),
            (Kpi::ServiceLevel, Op::AtLeast, 0.8)
        );
        assert_eq!(t.to_string(), "service_level>=0.8");
        assert_eq!(t.verdict(Some(&interval(0.81, 0.9))), Verdict::Met);
        assert_eq!(t.verdict(Some(&interval(0.7, 0.79))), Verdict::Missed);
        assert_eq!(t.verdict(Some(&interval(0.79, 0.81))), Verdict::Unclear);
        assert_eq!(t.verdict(None), Verdict::Missed);
        let a: Target = " abandon_rate <= 0.05 ".parse().unwrap();
        assert_eq!(a.verdict(Some(&interval(0.01, 0.04))), Verdict::Met);
        assert_eq!(a.verdict(Some(&interval(0.06, 0.07))), Verdict::Missed);
        for bad in ["service_level=0.8", "nope>=1", "asa<=fast", "asa<=inf"] {
            assert!(bad.parse::<Target>().is_err(), "{bad}");
        }
    }

    #[test]
    fn segment_targets_parse_with_their_scope() {
        let t: Target = " queue:tech:service_level >= 0.8".parse().unwrap();
        assert_eq!(
            t.segment,
            Some(Segment {
                scope: SegmentScope::Queue,
                name: "tech".into()
            })
        );
        assert_eq!(
            (t.kpi, t.op, t.value),
            (Kpi::ServiceLevel, Op::AtLeast, 0.8)
        );
        assert_eq!(t.to_string(), "queue:tech:service_level>=0.8");
        assert_eq!(t.column(), "queue:tech:service_level");
        assert_eq!(t.to_string().parse::<Target>().unwrap(), t);
        let g: Target = "group:billing:occupancy<=0.85".parse().unwrap();
        assert_eq!(g.segment.unwrap().scope, SegmentScope::Group);
        assert!("channel:whatsapp:abandon_rate<=0.05"
            .parse::<Target>()
            .is_ok());
        for (bad, says) in [
            ("desk:a:service_level>=0.8", "scope \"desk\""),
            ("queue::service_level>=0.8", "no queue name"),
            ("queue:a:b:service_level>=0.8", "SCOPE:NAME:KPI"),
            ("queue:a>=0.8", "SCOPE:NAME:KPI"),
            ("group:a:service_level>=0.8", "not a KPI of a group"),
            ("channel:a:occupancy<=0.8", "not a KPI of a channel"),
            ("queue:a:nope>=1", "unknown KPI"),
        ] {
            let e = bad.parse::<Target>().unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
