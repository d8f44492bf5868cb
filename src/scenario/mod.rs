//! Scenario files: TOML read into a raw serde mirror (unknown keys rejected), `--set` overrides
//! applied by dotted key, then validated and resolved into the model's configuration plus the
//! run and KPI settings. Every user mistake becomes a [`ScenarioError`] that names the file, the
//! key, the value and the rule; nothing in a scenario can make ccsim panic.

mod center;
mod duration;
mod error;
mod files;
mod raw;
mod trace;

use std::fmt::Display;
use std::path::{Path, PathBuf};

pub use duration::{
    format_clock, format_duration, parse_clock, parse_date_time, parse_duration,
    parse_duration_str, parse_f64, parse_run_clock,
};
pub use error::{RowError, ScenarioError};
pub use files::each_csv_record;
use raw::{RawDist, RawScenario};
use toml::Value;

use crate::model::{CountDist, Dist, Invitation, ModelConfig, TransferHow};
pub use center::ONE_QUEUE;

/// Largest number of reporting intervals in one run (each holds two histograms).
const MAX_INTERVALS: usize = 20_000;
/// Largest `run.days`.
const MAX_DAYS: i64 = 10_000;
/// Largest number of agents (a sanity bound: memory is allocated per agent up front).
const MAX_AGENTS: i64 = 1_000_000;
/// Largest duration anywhere in a scenario, seconds (about three years): keeps every time in
/// the run finite and far from the precision limits of f64.
const MAX_DURATION: f64 = 1e8;
/// Range of coefficients of variation for lognormal and gamma: beyond it the gamma shape
/// 1/cv² leaves the range where sampling is accurate.
const CV_RANGE: (f64, f64) = (1e-4, 100.0);
/// Range of Weibull shapes (Γ(1 + 1/shape) stays finite and accurate).
const WEIBULL_SHAPE_RANGE: (f64, f64) = (0.05, 1000.0);

/// A validated scenario, ready to run.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub description: Option<String>,
    /// The file it was read from.
    pub file: PathBuf,
    pub run: RunSettings,
    pub kpi: KpiSettings,
    pub model: ModelConfig,
    /// The scenario as run: the file's TOML with every `--set` applied.
    pub document: toml::Table,
}

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct RunSettings {
    /// Measured time after the warm-up, seconds.
    pub horizon: f64,
    pub warmup: f64,
    /// Reporting interval, and length of one entry of per-interval lists, seconds.
    pub interval: f64,
    pub replications: u32,
    pub seed: u64,
    /// How long after the horizon contacts still in the system may take to finish; `None` lets
    /// every one finish.
    pub drain: Option<f64>,
    /// Per-interval entries needed to cover warm-up plus horizon.
    pub intervals: usize,
    /// Clock time at run time 0, seconds after midnight (`run.day_start`, default `00:00`):
    /// intervals, shifts and plots are labelled in clock time from it.
    pub day_start: f64,
    /// `run.days`: consecutive days of the profile each replication simulates, each starting
    /// empty at `day_start` (absent: one day, and no per-day outputs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
}

impl RunSettings {
    /// Days each replication simulates.
    pub fn day_count(&self) -> u32 {
        self.days.unwrap_or(1)
    }
}

impl RunSettings {
    /// The clock time of run time `seconds`, e.g. `"08:30"`.
    pub fn clock(&self, seconds: f64) -> String {
        format_clock(self.day_start, seconds)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct KpiSettings {
    pub service_level_threshold: f64,
    pub short_abandon: f64,
}

/// Read, override and validate a scenario file.
pub fn load(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    from_document(load_document(path, overrides)?, path)
}

/// Read a scenario file as a TOML document and apply the overrides, without validating the
/// settings (a sweep validates each of its points).
pub fn load_document(path: &Path, overrides: &[String]) -> Result<toml::Table, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
        file: path.to_path_buf(),
        source,
    })?;
    parse_document(&text, path, overrides)
}

/// Validate scenario text; `file` is only used to name the source in errors.
pub fn parse(text: &str, file: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    from_document(parse_document(text, file, overrides)?, file)
}

/// Scenario text as a TOML document with the overrides applied.
pub fn parse_document(
    text: &str,
    file: &Path,
    overrides: &[String],
) -> Result<toml::Table, ScenarioError> {
    let mut document: toml::Table =
        text.parse()
            .map_err(|e: toml::de::Error| ScenarioError::Syntax {
                file: file.to_path_buf(),
                message: e.to_string().trim_end().to_string(),
            })?;
    for arg in overrides {
        apply_override(&mut document, arg)?;
    }
    Ok(document)
}

/// The default event cap of a replication: a thousand events per expected contact, and at
/// least 10^8 (a few seconds of simulation). A conversation that cannot end in reasonable time
/// (a mean of 10^9 exchanges with no drain limit) hits it instead of running for ever.
fn default_max_events(model: &ModelConfig) -> u64 {
    (1000.0 * model.expected_contacts()).clamp(1e8, 1e15) as u64
}

/// Validate an already-parsed TOML document.
pub fn from_document(document: toml::Table, file: &Path) -> Result<Scenario, ScenarioError> {
    let raw: RawScenario = serde_path_to_error::deserialize(Value::Table(document.clone()))
        .map_err(|e| {
            let key = e.path().to_string();
            ScenarioError::Shape {
                file: file.to_path_buf(),
                key: if key == "." {
                    "(top level)".into()
                } else {
                    key
                },
                message: plain_serde_message(&e.into_inner().to_string()),
            }
        })?;
    Resolver {
        file: file.to_path_buf(),
    }
    .resolve(raw, document)
}

/// A deserializer message in the user's terms: the first line only (the key is already named),
/// and TOML types instead of Rust ones — no name of a Rust type (`RawRun`, `i64`, `Option`)
/// reaches the user.
fn plain_serde_message(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message).trim();
    // `expected struct RawDist` is a distribution; any other `struct RawX` a section of keys.
    // `invalid length 1, expected struct RawRun with 7 elements` is a list ([[run]]) given
    // where one section is expected.
    let section = "a section of keys ([section], or { key = value, ... })";
    let mut m = first.to_string();
    if let Some(at) = m.find("expected struct Raw") {
        let what = if m[at..].starts_with("expected struct RawDist") {
            "a distribution { dist = \"...\", ... }"
        } else {
            section
        };
        let head = m[..at].trim_end().trim_end_matches(',').to_string();
        m = if head.starts_with("invalid length ") {
            format!("got a list, expected {what}")
        } else {
            format!("{head}, expected {what}")
        };
    }
    [
        ("expected i64", "expected an integer"),
        ("expected u64", "expected an integer >= 0"),
        ("expected u32", "expected an integer >= 0"),
        ("expected f64", "expected a number"),
        ("expected option", "expected a value"),
        ("expected a string", "expected a string (in quotes)"),
        ("expected a sequence", "expected a list [ ... ]"),
        ("invalid type: sequence", "invalid type: list"),
        ("invalid type: map", "invalid type: table"),
        ("floating point `NaN`", "nan"),
        ("floating point `inf`", "inf"),
        ("floating point `-inf`", "-inf"),
    ]
    .iter()
    .fold(m, |m, (rust, user)| m.replace(rust, user))
}

/// Apply one `KEY=VALUE` override. VALUE is read as TOML (`14`, `1.5`, `[1, 2]`,
/// `{ dist = "exponential", mean = "3m" }`); anything that is not TOML is taken as a string, so
/// `indicator.red=90s` works without quotes.
pub fn apply_override(document: &mut toml::Table, arg: &str) -> Result<(), ScenarioError> {
    let fail = |rule: String| ScenarioError::Override {
        arg: arg.to_string(),
        rule,
    };
    let (key, text) = arg
        .split_once('=')
        .ok_or_else(|| fail("expected KEY=VALUE, e.g. staffing.agents=14".into()))?;
    let key = key.trim();
    let path: Vec<&str> = key.split('.').map(str::trim).collect();
    if path.iter().any(|p| p.is_empty()) {
        return Err(fail(format!(
            "{key:?} is not a dotted key like staffing.agents"
        )));
    }
    let value = parse_override_value(text.trim());
    let (last, parents) = path.split_last().expect("split yields at least one part");
    // Walk down sections; a number indexes a list (`queues.tech.served_by.1.after`).
    let not_a_section = |depth: usize| {
        fail(format!(
            "{} is a value, not a section, so it has no key {}",
            path[..depth].join("."),
            path[depth]
        ))
    };
    let bad_index = |depth: usize, len: usize| {
        fail(format!(
            "{} is a list of {len} entries: index it with 0 to {}",
            path[..depth].join("."),
            len.saturating_sub(1)
        ))
    };
    let table = document;
    let mut depth = 0;
    // Descend through tables, and through lists by index, to the table or list that holds
    // the last part.
    let mut holder: Option<&mut Value> = None;
    while depth < parents.len() {
        let part = parents[depth];
        let next: &mut Value = match holder.take() {
            None => table
                .entry(part.to_string())
                .or_insert_with(|| Value::Table(toml::Table::new())),
            Some(Value::Table(t)) => t
                .entry(part.to_string())
                .or_insert_with(|| Value::Table(toml::Table::new())),
            Some(Value::Array(list)) => {
                let len = list.len();
                match part.parse::<usize>().ok().filter(|&i| i < len) {
                    Some(i) => &mut list[i],
                    None => return Err(bad_index(depth, len)),
                }
            }
            Some(_) => return Err(not_a_section(depth)),
        };
        holder = Some(next);
        depth += 1;
    }
    match holder {
        None => {
            table.insert(last.to_string(), value);
        }
        Some(Value::Table(t)) => {
            t.insert(last.to_string(), value);
            table_forms(t, parents, last);
        }
        Some(Value::Array(list)) => {
            let len = list.len();
            match last.parse::<usize>().ok().filter(|&i| i < len) {
                Some(i) => list[i] = value,
                None => return Err(bad_index(depth, len)),
            }
        }
        Some(_) => return Err(not_a_section(depth)),
    }
    Ok(())
}

/// `document` with the forecast and staffing files it names (`arrivals.forecast`,
/// `queues.NAME.forecast`, `staffing.plan`, `groups.NAME.plan`) as absolute paths, resolved
/// against the folder of `file` as when it is run: for a copy of the scenario written into
/// another folder (`staffed.toml`).
pub fn with_absolute_file_paths(document: &toml::Table, file: &Path) -> toml::Table {
    let mut d = document.clone();
    let dir = file.parent().unwrap_or(Path::new(""));
    let fix = |t: &mut toml::Table, key: &str| {
        if let Some(Value::String(p)) = t.get(key) {
            let joined = dir.join(p);
            let absolute = std::path::absolute(&joined).unwrap_or(joined);
            t.insert(
                key.to_string(),
                Value::String(absolute.display().to_string()),
            );
        }
    };
    for (section, key, nested) in [
        ("arrivals", "forecast", false),
        ("arrivals", "trace", false),
        ("staffing", "plan", false),
        ("queues", "forecast", true),
        ("groups", "plan", true),
    ] {
        let Some(Value::Table(t)) = d.get_mut(section) else {
            continue;
        };
        if nested {
            for (_, v) in t.iter_mut() {
                if let Value::Table(inner) = v {
                    fix(inner, key);
                }
            }
        } else {
            fix(t, key);
        }
    }
    d
}

/// The staffing forms exclude each other: setting one replaces the others, so that
/// `--set staffing.agents=14` works on a scenario written with agents_per_interval (and
/// likewise for a group's agents, agents_per_interval, shifts and plan, and for arrivals'
/// rate_per_hour and forecast). A file has its own grid, so setting one drops the list's `step`.
fn table_forms(table: &mut toml::Table, parents: &[&str], last: &str) {
    let forms: &[&str] = match parents {
        ["staffing"] => &["agents", "agents_per_interval", "plan"],
        ["groups", _] => &["agents", "agents_per_interval", "shifts", "plan"],
        ["arrivals"] | ["queues", _] => &["rate_per_hour", "forecast"],
        _ => &[],
    };
    if forms.contains(&last) {
        for other in forms.iter().filter(|f| **f != last) {
            table.remove(*other);
        }
        if last == "forecast" || last == "plan" {
            table.remove("step");
        }
    }
}

/// Read an override's value as TOML, falling back to a plain string.
pub fn parse_override_value(text: &str) -> Value {
    match format!("v = {text}").parse::<toml::Table>() {
        Ok(mut t) => t.remove("v").unwrap_or_else(|| Value::String(text.into())),
        Err(_) => Value::String(text.to_string()),
    }
}

/// Whether zero is an acceptable duration.
#[derive(Clone, Copy, PartialEq)]
enum Sign {
    Positive,
    NonNegative,
}

struct Resolver {
    file: PathBuf,
}

impl Resolver {
    fn invalid(&self, key: &str, value: impl Display, rule: impl Into<String>) -> ScenarioError {
        ScenarioError::Invalid {
            file: self.file.clone(),
            key: key.to_string(),
            value: value.to_string(),
            rule: rule.into(),
        }
    }

    fn missing(&self, key: &str, rule: impl Into<String>) -> ScenarioError {
        ScenarioError::Shape {
            file: self.file.clone(),
            key: key.to_string(),
            message: rule.into(),
        }
    }

    fn duration(&self, key: &str, value: &Value, sign: Sign) -> Result<f64, ScenarioError> {
        let x = parse_duration(value).map_err(|rule| self.invalid(key, value, rule))?;
        match sign {
            Sign::Positive if x <= 0.0 => Err(self.invalid(key, value, "must be > 0")),
            Sign::NonNegative if x < 0.0 => Err(self.invalid(key, value, "must be >= 0")),
            _ if x > MAX_DURATION => Err(self.invalid(
                key,
                value,
                format!("must be at most {MAX_DURATION:e} s (about three years)"),
            )),
            _ => Ok(x),
        }
    }

    fn opt_duration(
        &self,
        key: &str,
        value: Option<&Value>,
        sign: Sign,
        default: f64,
    ) -> Result<f64, ScenarioError> {
        value.map_or(Ok(default), |v| self.duration(key, v, sign))
    }

    /// `[invitation]`: kept when given or when some transfer invites (then with its defaults:
    /// answered at once, never refused, no timeout, no retry).
    fn invitation(
        &self,
        raw: Option<&raw::RawInvitation>,
        needed: bool,
    ) -> Result<Option<Invitation>, ScenarioError> {
        let Some(raw) = raw else {
            return Ok(needed.then_some(Invitation {
                answer_delay: Dist::Constant(0.0),
                refuse: 0.0,
                timeout: f64::INFINITY,
                retries: 0,
            }));
        };
        let answer_delay = match &raw.answer_delay {
            Some(d) => self.dist("invitation.answer_delay", d)?,
            None => Dist::Constant(0.0),
        };
        let refuse = raw.refuse.unwrap_or(0.0);
        if !(0.0..=1.0).contains(&refuse) {
            return Err(self.invalid(
                "invitation.refuse",
                show_number(refuse),
                "a probability in [0, 1]: the share of invitations an invited agent refuses",
            ));
        }
        let timeout = self.opt_duration(
            "invitation.timeout",
            raw.timeout.as_ref(),
            Sign::Positive,
            f64::INFINITY,
        )?;
        let retries = match raw.retries {
            None => 0,
            Some(n) if (0..=100).contains(&n) => n as u32,
            Some(n) => {
                return Err(self.invalid(
                    "invitation.retries",
                    n,
                    "an integer from 0 to 100: how many more agents are invited after a \
                     refusal or a timeout",
                ))
            }
        };
        Ok(Some(Invitation {
            answer_delay,
            refuse,
            timeout,
            retries,
        }))
    }

    fn choice<T: Copy>(
        &self,
        key: &str,
        value: Option<&str>,
        options: &[(&str, T)],
    ) -> Result<T, ScenarioError> {
        let Some(text) = value else {
            return Ok(options[0].1);
        };
        options
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                let names: Vec<String> = options.iter().map(|(n, _)| format!("\"{n}\"")).collect();
                self.invalid(
                    key,
                    format!("{text:?}"),
                    format!("must be one of {}", names.join(", ")),
                )
            })
    }

    fn resolve(&self, raw: RawScenario, document: toml::Table) -> Result<Scenario, ScenarioError> {
        // [run]
        let r = &raw.run;
        let horizon = self.duration("run.horizon", &r.horizon, Sign::Positive)?;
        let warmup = self.opt_duration("run.warmup", r.warmup.as_ref(), Sign::NonNegative, 0.0)?;
        let interval =
            self.opt_duration("run.interval", r.interval.as_ref(), Sign::Positive, 1800.0)?;
        let intervals = ((warmup + horizon) / interval - 1e-9).ceil().max(1.0);
        if intervals > MAX_INTERVALS as f64 {
            return Err(self.invalid(
                "run.interval",
                r.interval
                    .as_ref()
                    .map_or("\"30m\"".into(), |v| v.to_string()),
                format!(
                    "warm-up plus horizon would make {intervals} reporting intervals; \
                     at most {MAX_INTERVALS} are allowed: use a longer interval"
                ),
            ));
        }
        let intervals = intervals as usize;
        let replications = match r.replications {
            None => 10,
            Some(n) if (1..=10_000_000).contains(&n) => n as u32,
            Some(n) => {
                return Err(self.invalid("run.replications", n, "must be between 1 and 10000000"))
            }
        };
        let seed = match r.seed {
            None => 1,
            Some(s) if s >= 0 => s as u64,
            Some(s) => return Err(self.invalid("run.seed", s, "must be >= 0")),
        };
        let drain = r
            .drain
            .as_ref()
            .map(|v| self.duration("run.drain", v, Sign::NonNegative))
            .transpose()?;
        let day_start = match &r.day_start {
            None => 0.0,
            Some(Value::String(text)) => parse_clock(text)
                .map_err(|rule| self.invalid("run.day_start", format!("{text:?}"), rule))?,
            Some(other) => {
                return Err(self.invalid(
                    "run.day_start",
                    other,
                    "a clock time is a string like \"08:00\"",
                ))
            }
        };
        let days = match r.days {
            None => None,
            Some(n) if (1..=MAX_DAYS).contains(&n) => Some(n as u32),
            Some(n) => {
                return Err(self.invalid(
                    "run.days",
                    n,
                    format!("must be between 1 and {MAX_DAYS}"),
                ))
            }
        };
        if let Some(n) = days {
            if warmup + horizon > trace::DAY {
                return Err(self.invalid(
                    "run.days",
                    n,
                    format!(
                        "each day repeats the run's day, which must fit in 24 hours: warm-up \
                         plus horizon is {} (for one long run over several days, leave out \
                         run.days and give the horizon in days)",
                        format_duration(warmup + horizon)
                    ),
                ));
            }
            if n as usize * intervals > MAX_INTERVALS {
                return Err(self.invalid(
                    "run.days",
                    n,
                    format!(
                        "{n} days of {intervals} reporting intervals make {} day-intervals; at \
                         most {MAX_INTERVALS} are allowed: fewer days or a longer run.interval",
                        n as usize * intervals
                    ),
                ));
            }
        }
        let run = RunSettings {
            days,
            day_start,
            horizon,
            warmup,
            interval,
            replications,
            seed,
            drain,
            intervals,
        };

        let extent = center::Extent {
            warmup,
            horizon,
            interval,
            day_start,
            days: days.unwrap_or(1),
        };
        let center = self.center(&raw, extent)?;

        // [kpi]
        let (sl, short) = match &raw.kpi {
            None => (30.0, 5.0),
            Some(k) => (
                self.opt_duration(
                    "kpi.service_level_threshold",
                    k.service_level_threshold.as_ref(),
                    Sign::NonNegative,
                    30.0,
                )?,
                self.opt_duration(
                    "kpi.short_abandon",
                    k.short_abandon.as_ref(),
                    Sign::NonNegative,
                    5.0,
                )?,
            ),
        };

        let name = raw.name.clone().unwrap_or_else(|| {
            self.file
                .file_stem()
                .map_or("scenario".into(), |s| s.to_string_lossy().into_owned())
        });
        let arrivals_end = warmup + horizon;
        let invites = center.queues.iter().any(|q| {
            q.chat.conference.is_some()
                || q.chat.consultation.is_some()
                || q.chat
                    .transfer
                    .as_ref()
                    .is_some_and(|t| t.how == TransferHow::Invite)
        });
        let invitation = self.invitation(raw.invitation.as_ref(), invites)?;
        let mut center = center;
        let dispositions = center::number_dispositions(&mut center.queues);
        let rates = center.queues.iter().any(|q| q.chat.rating.is_some());
        let mut model = ModelConfig {
            interval,
            arrivals_end,
            stop_at: drain.map_or(f64::INFINITY, |d| arrivals_end + d),
            max_events: 0,
            routing: center.routing,
            attention: center.attention,
            channels: center.channels,
            queues: center.queues,
            groups: center.groups,
            invitation,
            dispositions,
            rates,
        };
        model.max_events = match r.max_events {
            None => default_max_events(&model),
            Some(n) if n >= 1 => n as u64,
            Some(n) => return Err(self.invalid("run.max_events", n, "must be >= 1")),
        };
        Ok(Scenario {
            name,
            description: raw.description.clone(),
            file: self.file.clone(),
            run,
            kpi: KpiSettings {
                service_level_threshold: sl,
                short_abandon: short,
            },
            model,
            document,
        })
    }

    /// Check that `raw` sets exactly the fields its `dist` takes.
    fn check_fields(
        &self,
        key: &str,
        raw: &RawDist,
        required: &[&str],
        optional: &[&str],
    ) -> Result<(), ScenarioError> {
        let takes = || {
            let all: Vec<&str> = required.iter().chain(optional).copied().collect();
            all.join(", ")
        };
        for field in raw.fields_set() {
            if !required.contains(&field) && !optional.contains(&field) {
                return Err(self.invalid(
                    &format!("{key}.{field}"),
                    field_value(raw, field),
                    format!(
                        "dist = \"{}\" does not take {field} (it takes: {})",
                        raw.dist,
                        takes()
                    ),
                ));
            }
        }
        for field in required {
            if !raw.fields_set().contains(field) {
                return Err(self.missing(
                    &format!("{key}.{field}"),
                    format!(
                        "dist = \"{}\" needs {field} (it takes: {})",
                        raw.dist,
                        takes()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A duration distribution.
    fn dist(&self, key: &str, raw: &RawDist) -> Result<Dist, ScenarioError> {
        let field = |name: &str| format!("{key}.{name}");
        let dur = |name: &str, v: &Option<Value>, sign| {
            self.duration(&field(name), v.as_ref().expect("checked"), sign)
        };
        let in_range = |name: &str, x: Option<f64>, (low, high): (f64, f64), why: &str| {
            let x = x.expect("checked");
            if (low..=high).contains(&x) {
                Ok(x)
            } else {
                Err(self.invalid(
                    &field(name),
                    show_number(x),
                    format!(
                        "dist = \"{}\" needs {low} <= {name} <= {high}{why}",
                        raw.dist
                    ),
                ))
            }
        };
        let cv_hint = " (cv = 0 would be a constant: use dist = \"constant\")";
        let built = match raw.dist.as_str() {
            "constant" => {
                self.check_fields(key, raw, &["value"], &[])?;
                Ok(Dist::Constant(dur("value", &raw.value, Sign::NonNegative)?))
            }
            "exponential" => {
                self.check_fields(key, raw, &["mean"], &[])?;
                Dist::exponential(dur("mean", &raw.mean, Sign::Positive)?)
            }
            "lognormal" => {
                self.check_fields(key, raw, &["mean", "cv"], &[])?;
                let mean = dur("mean", &raw.mean, Sign::Positive)?;
                Dist::lognormal(mean, in_range("cv", raw.cv, CV_RANGE, cv_hint)?)
            }
            "gamma" => {
                self.check_fields(key, raw, &["mean", "cv"], &[])?;
                let mean = dur("mean", &raw.mean, Sign::Positive)?;
                Dist::gamma(mean, in_range("cv", raw.cv, CV_RANGE, cv_hint)?)
            }
            "erlang" => {
                self.check_fields(key, raw, &["k", "mean"], &[])?;
                let k = raw.k.expect("checked");
                if !(1..=1000).contains(&k) {
                    return Err(self.invalid(
                        &field("k"),
                        k,
                        "an erlang needs an integer k between 1 and 1000",
                    ));
                }
                Dist::erlang(k as u32, dur("mean", &raw.mean, Sign::Positive)?)
            }
            "uniform" => {
                self.check_fields(key, raw, &["min", "max"], &[])?;
                let min = dur("min", &raw.min, Sign::NonNegative)?;
                let max = dur("max", &raw.max, Sign::NonNegative)?;
                if max < min {
                    return Err(self.invalid(
                        &field("max"),
                        raw.max.as_ref().expect("checked"),
                        format!("must be at least min ({})", format_duration(min)),
                    ));
                }
                Dist::uniform(min, max)
            }
            "weibull" => {
                self.check_fields(key, raw, &["shape"], &["scale", "mean"])?;
                let shape = in_range("shape", raw.shape, WEIBULL_SHAPE_RANGE, "")?;
                let scale = match (&raw.scale, &raw.mean) {
                    (Some(_), None) => dur("scale", &raw.scale, Sign::Positive)?,
                    (None, Some(_)) => {
                        Dist::weibull_scale_for_mean(shape, dur("mean", &raw.mean, Sign::Positive)?)
                            .map_err(|rule| self.invalid(key, "weibull", rule))?
                    }
                    _ => {
                        return Err(self.missing(
                            key,
                            "a weibull distribution needs shape and exactly one of scale or mean",
                        ))
                    }
                };
                Dist::weibull(shape, scale)
            }
            "empirical" => {
                self.check_fields(key, raw, &["values"], &["weights"])?;
                let values = raw.values.as_ref().expect("checked");
                if values.is_empty() {
                    return Err(self.invalid(
                        &field("values"),
                        "[]",
                        "an empirical distribution needs at least one value",
                    ));
                }
                let xs = values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        self.duration(&format!("{key}.values[{i}]"), v, Sign::NonNegative)
                    })
                    .collect::<Result<Vec<f64>, _>>()?;
                self.empirical_weights(key, raw, xs.len())?;
                Dist::empirical(xs, raw.weights.as_deref())
            }
            other => {
                return Err(self.invalid(
                    &field("dist"),
                    format!("{other:?}"),
                    "must be one of \"constant\", \"exponential\", \"lognormal\", \"gamma\", \
                     \"erlang\", \"uniform\", \"weibull\", \"empirical\"",
                ))
            }
        };
        built.map_err(|rule| self.invalid(key, &raw.dist, rule))
    }

    fn empirical_weights(&self, key: &str, raw: &RawDist, n: usize) -> Result<(), ScenarioError> {
        let Some(w) = &raw.weights else { return Ok(()) };
        let wkey = format!("{key}.weights");
        if w.len() != n {
            return Err(self.invalid(
                &wkey,
                show_numbers(w),
                format!("needs one weight per value ({n})"),
            ));
        }
        // A sum that overflows (weights of 1e308) would make every probability NaN.
        let sum: f64 = w.iter().sum();
        if w.iter().any(|x| !(x.is_finite() && *x >= 0.0)) || !(sum > 0.0 && sum.is_finite()) {
            return Err(self.invalid(
                &wkey,
                show_numbers(w),
                "weights must be >= 0 with a finite, positive sum",
            ));
        }
        Ok(())
    }

    /// A count distribution (numbers of exchanges: integers >= 1).
    fn count_dist(&self, key: &str, raw: &RawDist) -> Result<CountDist, ScenarioError> {
        let count = |at: &str, v: &Value| match v {
            Value::Integer(i) if (1..=u32::MAX as i64).contains(i) => Ok(*i as u32),
            other => Err(self.invalid(at, other, "a count must be an integer >= 1")),
        };
        match raw.dist.as_str() {
            "constant" => {
                self.check_fields(key, raw, &["value"], &[])?;
                Ok(CountDist::Constant(count(
                    &format!("{key}.value"),
                    raw.value.as_ref().expect("checked"),
                )?))
            }
            "geometric" => {
                self.check_fields(key, raw, &["mean"], &[])?;
                let v = raw.mean.as_ref().expect("checked");
                let mean = match v {
                    Value::Integer(i) => *i as f64,
                    Value::Float(f) => *f,
                    other => {
                        return Err(self.invalid(
                            &format!("{key}.mean"),
                            other,
                            "the mean number of exchanges must be a number >= 1",
                        ))
                    }
                };
                CountDist::geometric(mean)
                    .map_err(|rule| self.invalid(&format!("{key}.mean"), v, rule))
            }
            "empirical" => {
                self.check_fields(key, raw, &["values"], &["weights"])?;
                let values = raw.values.as_ref().expect("checked");
                let ns = values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| count(&format!("{key}.values[{i}]"), v))
                    .collect::<Result<Vec<u32>, _>>()?;
                self.empirical_weights(key, raw, ns.len())?;
                crate::model::dist::Empirical::new(ns, raw.weights.as_deref())
                    .map(CountDist::Empirical)
                    .map_err(|rule| self.invalid(&format!("{key}.values"), "[]", rule))
            }
            other => Err(self.invalid(
                &format!("{key}.dist"),
                format!("{other:?}"),
                "a count distribution must be one of \"constant\", \"geometric\", \"empirical\"",
            )),
        }
    }
}

/// A number as a user would write it in TOML: `1e-200`, not two hundred zeros; `nan`, `inf`.
fn show_number(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.into()
    } else if x != 0.0 && !(1e-4..1e15).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A list of numbers as a user would write it in TOML: `[1, nan, 3]`.
fn show_numbers(xs: &[f64]) -> String {
    let items: Vec<String> = xs.iter().map(|&x| show_number(x)).collect();
    format!("[{}]", items.join(", "))
}

/// The value of a distribution field, for an error message.
fn field_value(raw: &RawDist, field: &str) -> String {
    let v = |x: &Option<Value>| x.as_ref().map_or(String::new(), |v| v.to_string());
    match field {
        "mean" => v(&raw.mean),
        "value" => v(&raw.value),
        "min" => v(&raw.min),
        "max" => v(&raw.max),
        "scale" => v(&raw.scale),
        "cv" => show_number(raw.cv.unwrap_or_default()),
        "shape" => show_number(raw.shape.unwrap_or_default()),
        "k" => format!("{}", raw.k.unwrap_or_default()),
        "values" => {
            let values: Vec<String> = raw.values.iter().flatten().map(|v| v.to_string()).collect();
            format!("[{}]", values.join(", "))
        }
        _ => show_numbers(raw.weights.as_deref().unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attention, IndicatorBasis, Routing};

    const BASIC: &str = include_str!("../../scenarios/basic_chat.toml");

    fn parse_with(text: &str, overrides: &[&str]) -> Result<Scenario, ScenarioError> {
        let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        parse(text, Path::new("s.toml"), &o)
    }

    fn error(text: &str, overrides: &[&str]) -> String {
        parse_with(text, overrides).unwrap_err().to_string()
    }

    #[test]
    fn the_issue_example_resolves() {
        let s = parse_with(BASIC, &[]).unwrap();
        assert_eq!(s.name, "Basic chat desk");
        assert_eq!(s.run.intervals, 17);
        assert_eq!(
            (s.run.horizon, s.run.warmup, s.run.interval),
            (28800.0, 1800.0, 1800.0)
        );
        assert_eq!((s.run.replications, s.run.seed), (10, 2026));
        let m = &s.model;
        assert_eq!(m.queues[0].arrival_rates.len(), 17);
        assert!((m.queues[0].arrival_rates[2] - 120.0 / 3600.0).abs() < 1e-15);
        assert_eq!(
            (0..17)
                .map(|i| m.staffing_at(i as f64 * 1800.0))
                .collect::<Vec<_>>(),
            vec![12; 17]
        );
        assert_eq!(
            (m.groups[0].max_concurrent, m.routing, m.attention),
            (3, Routing::LeastBusy, Attention::Fifo)
        );
        assert_eq!(m.queues[0].chat.slowdown, vec![1.0, 1.1, 1.25]);
        assert!((m.queues[0].chat.exchanges.mean() - 6.0).abs() < 1e-12);
        assert!((m.queues[0].chat.think.mean() - 40.0).abs() < 1e-12);
        assert!((m.queues[0].chat.accept_delay.mean() - 3.0).abs() < 1e-12);
        assert!((m.queues[0].chat.queue_patience.as_ref().unwrap().mean() - 180.0).abs() < 1e-12);
        assert_eq!(
            (
                m.queues[0].chat.yellow,
                m.queues[0].chat.red,
                m.arrivals_end
            ),
            (30.0, 60.0, 30600.0)
        );
        assert_eq!(m.stop_at, f64::INFINITY);
        assert_eq!(
            s.kpi,
            KpiSettings {
                service_level_threshold: 30.0,
                short_abandon: 5.0
            }
        );
    }

    #[test]
    fn constants_defaults_and_omissions_are_allowed() {
        let text = r#"
            [run]
            horizon = "1h"
            warmup = "0s"
            [arrivals]
            rate_per_hour = 120
            [staffing]
            agents = 3
            [conversation]
            agent_compose = { dist = "exponential", mean = "25s" }
        "#;
        let s = parse_with(text, &[]).unwrap();
        assert_eq!(s.name, "s");
        assert_eq!(s.run.intervals, 2);
        assert_eq!(s.model.queues[0].arrival_rates, vec![120.0 / 3600.0]);
        assert!(
            s.model.queues[0].chat.queue_patience.is_none()
                && s.model.queues[0].chat.reply_patience.is_none()
        );
        assert!(
            s.model.queues[0].chat.wrapup.is_zero()
                && s.model.queues[0].chat.accept_delay.is_zero()
        );
        assert_eq!(s.model.groups[0].max_concurrent, 1);
    }

    #[test]
    fn every_distribution_form_parses() {
        for d in [
            r#"{ dist = "constant", value = "10s" }"#,
            r#"{ dist = "exponential", mean = 10 }"#,
            r#"{ dist = "lognormal", mean = "10s", cv = 0.5 }"#,
            r#"{ dist = "gamma", mean = "10s", cv = 2 }"#,
            r#"{ dist = "erlang", k = 3, mean = "10s" }"#,
            r#"{ dist = "uniform", min = "5s", max = "15s" }"#,
            r#"{ dist = "weibull", shape = 1.5, mean = "10s" }"#,
            r#"{ dist = "weibull", shape = 1.5, scale = "10s" }"#,
            r#"{ dist = "empirical", values = ["5s", "10s", 15] }"#,
            r#"{ dist = "empirical", values = [5, 15], weights = [1, 1] }"#,
        ] {
            let s = parse_with(BASIC, &[&format!("conversation.agent_compose={d}")])
                .unwrap_or_else(|e| panic!("{d}: {e}"));
            let mean = s.model.queues[0].chat.compose.mean();
            let expected = if d.contains("scale") {
                10.0 * 0.902_745_292_950_933_6
            } else {
                10.0
            };
            assert!((mean - expected).abs() < 1e-9, "{d}: mean {mean}");
        }
        for (d, mean) in [
            (r#"{ dist = "constant", value = 4 }"#, 4.0),
            (r#"{ dist = "geometric", mean = 2.5 }"#, 2.5),
            (
                r#"{ dist = "empirical", values = [1, 3], weights = [3, 1] }"#,
                1.5,
            ),
        ] {
            let s = parse_with(BASIC, &[&format!("conversation.exchanges={d}")]).unwrap();
            assert!(
                (s.model.queues[0].chat.exchanges.mean() - mean).abs() < 1e-12,
                "{d}"
            );
        }
    }

    #[test]
    fn overrides_reach_nested_keys_and_read_values_as_toml() {
        let s = parse_with(
            BASIC,
            &[
                "staffing.agents=14",
                "indicator.red=90s",
                "patience.queue.mean=5m",
                "run.drain=1h",
            ],
        )
        .unwrap();
        assert_eq!(s.model.staffing_at(0.0), 14);
        assert_eq!(s.model.queues[0].chat.red, 90.0);
        assert!(
            (s.model.queues[0]
                .chat
                .queue_patience
                .as_ref()
                .unwrap()
                .mean()
                - 300.0)
                .abs()
                < 1e-9
        );
        assert_eq!(s.model.stop_at, 30600.0 + 3600.0);
        assert_eq!(
            parse_override_value("[1, 2]"),
            Value::Array(vec![Value::Integer(1), Value::Integer(2)])
        );
        assert_eq!(parse_override_value("90s"), Value::String("90s".into()));
        assert_eq!(parse_override_value("\"x y\""), Value::String("x y".into()));
    }

    #[test]
    fn mistakes_name_the_key_the_value_and_the_rule() {
        let cases: &[(&[&str], &[&str])] = &[
            (
                &["staffing.max_concurrent_chats=0"],
                &["staffing.max_concurrent_chats = 0", "between 1 and 64"],
            ),
            (
                &["conversation.concurrency_slowdown=[1.0, 1.2]"],
                &["concurrency_slowdown", "at least 3 entries"],
            ),
            (
                &["conversation.concurrency_slowdown=[1.0, 0, 1]"],
                &["concurrency_slowdown[1] = 0", "> 0"],
            ),
            (
                &["conversation.exchanges.mean=0.5"],
                &["conversation.exchanges.mean = 0.5", ">= 1"],
            ),
            (
                &["conversation.agent_compose.dist=\"uniform\""],
                &["conversation.agent_compose.mean", "does not take mean"],
            ),
            (
                &["conversation.agent_compose={dist=\"uniform\", min=5, max=1}"],
                &["agent_compose.max = 1", "at least min (5s)"],
            ),
            (
                &["conversation.agent_compose={dist=\"weibull\", shape=1, mean=5, scale=5}"],
                &["agent_compose", "exactly one of scale or mean"],
            ),
            (
                &["conversation.agent_compose={dist=\"empirical\", values=[1,2], weights=[1]}"],
                &["agent_compose.weights", "one weight per value (2)"],
            ),
            (
                &["conversation.agent_compose={dist=\"erlang\", k=0, mean=5}"],
                &["agent_compose.k = 0", "between 1 and 1000"],
            ),
            (
                &["conversation.agent_compose={dist=\"normal\", mean=5}"],
                &["agent_compose.dist = \"normal\"", "\"lognormal\""],
            ),
            (
                &["run.replications=0"],
                &["run.replications = 0", "between 1"],
            ),
            (
                &["run.interval=1s", "run.horizon=30d"],
                &["run.interval", "at most 20000"],
            ),
            (
                &["arrivals.rate_per_hour=-1"],
                &["arrivals.rate_per_hour = -1", "between 0 and 1000000"],
            ),
            (
                &["staffing.attention=\"random\""],
                &["staffing.attention = \"random\"", "\"most_urgent\""],
            ),
            (
                &["staffing.agents.x=1"],
                &["--set staffing.agents.x=1", "staffing.agents is a value"],
            ),
            (
                &["kpi.short_abandon=-1s"],
                &["kpi.short_abandon", "must be >= 0"],
            ),
        ];
        for (overrides, expected) in cases {
            let e = error(BASIC, overrides);
            for part in *expected {
                assert!(e.contains(part), "{overrides:?}: {part:?} not in: {e}");
            }
        }
        let no_staffing = BASIC.replace("agents = 12\n", "");
        assert!(error(&no_staffing, &[]).contains("staffing.agents_per_interval"));
        let both = BASIC.replace("agents = 12\n", "agents = 12\nagents_per_interval = [1]\n");
        assert!(error(&both, &[]).contains("not both"));
        for (overrides, expected) in [
            (
                &["conversation.agent_compose.cv=1e-200"][..],
                "cv = 1e-200: dist = \"lognormal\" needs 0.0001 <= cv <= 100",
            ),
            (
                &["conversation.agent_compose={dist=\"weibull\", shape=0.001, mean=5}"],
                "shape = 0.001",
            ),
            (
                &["arrivals.rate_per_hour=1e300"],
                "between 0 and 1000000 chats per hour",
            ),
            (&["conversation.agent_compose.mean=1e308"], "at most 1e8 s"),
            (
                &["conversation.agent_compose={dist=\"empirical\", values=[10, 20], weights=[1e308, 1e308]}"],
                "weights = [1e308, 1e308]: weights must be >= 0 with a finite, positive sum",
            ),
            (
                &["indicator.yellow=90s"],
                "indicator.red = \"60s\": must be at least indicator.yellow (90s)",
            ),
        ] {
            let e = error(BASIC, overrides);
            assert!(
                e.contains(expected),
                "{overrides:?}: {expected:?} not in: {e}"
            );
        }
    }

    #[test]
    fn indicator_keys_default_one_by_one() {
        let no_red = BASIC.replace("red = \"60s\"\n", "");
        let s = parse_with(&no_red, &["indicator.basis=agent_message"]).unwrap();
        assert_eq!(
            (
                s.model.queues[0].chat.yellow,
                s.model.queues[0].chat.red,
                s.model.queues[0].chat.basis
            ),
            (30.0, 60.0, IndicatorBasis::AgentMessage)
        );
    }

    #[test]
    fn setting_one_staffing_form_replaces_the_other() {
        let s = parse_with(
            BASIC,
            &["staffing.agents_per_interval=[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]"],
        )
        .unwrap();
        assert_eq!(s.model.staffing_at(16.0 * 1800.0), 17);
        let per_interval = BASIC.replace(
            "agents = 12",
            "agents_per_interval = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]",
        );
        let s = parse_with(&per_interval, &["staffing.agents=14"]).unwrap();
        assert_eq!(s.model.staffing_at(0.0), 14);
    }
}
