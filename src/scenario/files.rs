//! Forecast and staffing files: CSV tables named by `arrivals.forecast`, `queues.NAME.forecast`,
//! `staffing.plan` and `groups.NAME.plan`, read relative to the scenario file's folder. Each
//! row's value holds from its `start` (a clock time from `run.day_start`) to the next row's
//! start, the last row's until the end of the run. The model takes per-step lists, so the
//! piecewise-constant profile is laid on the coarsest grid that holds it exactly: the greatest
//! common divisor of the rows' starts (in whole seconds from the run's start) and the
//! reporting interval. Every mistake names the file, the line and the column.

use std::path::PathBuf;

use toml::Value;

use super::center::{Extent, MAX_RATE_PER_HOUR};
use super::error::RowError;
use super::{
    format_clock, parse_date_time, parse_run_clock, Resolver, ScenarioError, MAX_AGENTS,
    MAX_INTERVALS,
};
use crate::model::Staffing;

/// The columns of a forecast file.
const FORECAST_COLUMNS: [&str; 4] = ["start", "queue", "rate_per_hour", "contacts"];
/// The columns of a staffing file.
const PLAN_COLUMNS: [&str; 2] = ["start", "agents"];

/// What a file holds.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// Arrivals: `rate_per_hour` or `contacts` per row.
    Forecast,
    /// Agents on shift per row.
    Plan,
}

/// One row kept for the profile: its line (for errors found once the spans are known), its
/// start in run time and its value.
struct Row {
    line: u64,
    start: f64,
    value: f64,
}

/// Where a file is read and what its errors name.
struct Source<'a> {
    key: &'a str,
    path: PathBuf,
}

impl Resolver {
    fn row_error(
        &self,
        src: &Source,
        line: u64,
        column: usize,
        what: impl Into<String>,
        rule: impl Into<String>,
    ) -> ScenarioError {
        ScenarioError::Row(Box::new(RowError {
            file: self.file.clone(),
            key: src.key.to_string(),
            path: src.path.clone(),
            line,
            column,
            what: what.into(),
            rule: rule.into(),
        }))
    }

    /// A queue's arrival rates per second and their step: from `rate_per_hour` (a number or a
    /// per-step list, with `step`) or from the `forecast` file, exactly one of them.
    /// `prefix` names the keys (`arrivals.` or `queues.NAME.`); `names` are the scenario's
    /// queues, which a forecast's `queue` column may name.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn arrivals(
        &self,
        prefix: &str,
        rate_per_hour: Option<&Value>,
        step: Option<&Value>,
        forecast: Option<&String>,
        queue: &str,
        names: &[String],
        extent: Extent,
    ) -> Result<(f64, Vec<f64>), ScenarioError> {
        let k = |key: &str| format!("{prefix}{key}");
        match (rate_per_hour, forecast) {
            (Some(_), Some(f)) => Err(self.invalid(
                &k("forecast"),
                format!("{f:?}"),
                format!(
                    "give either {} or {}, not both",
                    k("rate_per_hour"),
                    k("forecast")
                ),
            )),
            (None, None) => Err(self.missing(
                &k("rate_per_hour"),
                format!(
                    "missing: the arrival rate ({} = a number or a per-step list, or {} = a CSV file)",
                    k("rate_per_hour"),
                    k("forecast")
                ),
            )),
            (Some(rate), None) => self.rates(&k("rate_per_hour"), rate, &k("step"), step, extent),
            (None, Some(file)) => {
                if let Some(s) = step {
                    return Err(self.invalid(
                        &k("step"),
                        s,
                        format!("a forecast file sets its own steps: leave out {}", k("step")),
                    ));
                }
                let (step, per_hour) = self.profile(
                    &k("forecast"),
                    file,
                    Kind::Forecast,
                    Some((queue, names)),
                    extent,
                )?;
                Ok((step, per_hour.iter().map(|x| x / 3600.0).collect()))
            }
        }
    }

    /// A staffing plan read from the file `written` names (`staffing.plan`, `groups.NAME.plan`).
    pub(super) fn plan_file(
        &self,
        key: &str,
        written: &str,
        step: Option<&Value>,
        step_key: &str,
        extent: Extent,
    ) -> Result<Staffing, ScenarioError> {
        if let Some(s) = step {
            return Err(self.invalid(
                step_key,
                s,
                format!("a staffing file sets its own steps: leave out {step_key}"),
            ));
        }
        let (step, agents) = self.profile(key, written, Kind::Plan, None, extent)?;
        Ok(Staffing::PerStep {
            step,
            agents: agents.into_iter().map(|x| x as u32).collect(),
        })
    }

    /// Read a forecast or staffing file into a step and one value per step (chats per hour,
    /// or agents) over the warm-up and the horizon.
    fn profile(
        &self,
        key: &str,
        written: &str,
        kind: Kind,
        queue: Option<(&str, &[String])>,
        extent: Extent,
    ) -> Result<(f64, Vec<f64>), ScenarioError> {
        let path = match self.file.parent() {
            Some(dir) => dir.join(written),
            None => PathBuf::from(written),
        };
        let bytes = std::fs::read(&path).map_err(|source| ScenarioError::DataFile {
            file: self.file.clone(),
            key: key.to_string(),
            value: written.to_string(),
            path: path.clone(),
            source,
        })?;
        let src = Source { key, path };
        let records = self.records(&src, &bytes)?;
        let (columns, example) = match kind {
            Kind::Forecast => (&FORECAST_COLUMNS[..], "start,rate_per_hour"),
            Kind::Plan => (&PLAN_COLUMNS[..], "start,agents"),
        };
        let Some(((_, header), body)) = records.split_first() else {
            return Err(self.row_error(
                &src,
                1,
                1,
                "the file",
                format!("is empty: it needs a header line ({example}) and at least one row"),
            ));
        };
        // The header: known columns, each once, `start` and exactly one value column.
        for (i, name) in header.iter().enumerate() {
            if !columns.contains(&name.as_str()) {
                return Err(self.row_error(
                    &src,
                    1,
                    i + 1,
                    format!("column {name:?}"),
                    format!("unknown column (the columns are {})", columns.join(", ")),
                ));
            }
            if header[..i].contains(name) {
                return Err(self.row_error(
                    &src,
                    1,
                    i + 1,
                    format!("column {name:?}"),
                    "appears twice in the header",
                ));
            }
        }
        let at = |name: &str| header.iter().position(|h| h == name);
        let Some(start_col) = at("start") else {
            return Err(self.row_error(
                &src,
                1,
                1,
                "the header",
                format!("has no start column (the header is like {example})"),
            ));
        };
        let value_names: &[&str] = match kind {
            Kind::Forecast => &["rate_per_hour", "contacts"],
            Kind::Plan => &["agents"],
        };
        let given: Vec<usize> = value_names.iter().filter_map(|n| at(n)).collect();
        let value_col = match given[..] {
            [c] => c,
            [] => {
                return Err(self.row_error(
                    &src,
                    1,
                    header.len() + 1,
                    "the header",
                    format!("needs a value column: {}", value_names.join(" or ")),
                ))
            }
            _ => {
                return Err(self.row_error(
                    &src,
                    1,
                    given[1] + 1,
                    format!("column {:?}", header[given[1]]),
                    "give rate_per_hour or contacts, not both",
                ))
            }
        };
        let contacts = header[value_col] == "contacts";
        let queue_col = at("queue");
        if body.is_empty() {
            return Err(self.row_error(
                &src,
                records[0].0 + 1,
                1,
                "the file",
                "has a header but no row",
            ));
        }

        let mut rows: Vec<Row> = Vec::new();
        // The date of the file's first row, when its starts are dates and times.
        let (mut rows_read, mut first_day) = (0usize, None::<i64>);
        for (line, cells) in body {
            let line = *line;
            if cells.len() != header.len() {
                return Err(self.row_error(
                    &src,
                    line,
                    cells.len().min(header.len()) + 1,
                    "the row",
                    format!(
                        "has {} cells, the header has {} ({})",
                        cells.len(),
                        header.len(),
                        header.join(",")
                    ),
                ));
            }
            let cell = |c: usize| format!("{} = {:?}", header[c], cells[c]);
            if let (Some(c), Some((_, names))) = (queue_col, queue) {
                if !names.iter().any(|n| *n == cells[c]) {
                    let known: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
                    return Err(self.row_error(
                        &src,
                        line,
                        c + 1,
                        cell(c),
                        format!(
                            "no such queue in the scenario (queues: {})",
                            known.join(", ")
                        ),
                    ));
                }
            }
            // A clock time, or a date and time (the first row's date is the run's first day);
            // the first row fixes which, for the whole file.
            let text = &cells[start_col];
            let start_error =
                |rule: String| self.row_error(&src, line, start_col + 1, cell(start_col), rule);
            let clock = match (parse_date_time(text), first_day) {
                (None, None) => parse_run_clock(text).map_err(start_error)?,
                (Some(Ok((day, secs))), Some(day0)) => (day - day0) as f64 * 86_400.0 + secs,
                (Some(Ok((day, secs))), None) if rows_read == 0 => {
                    first_day = Some(day);
                    secs
                }
                (Some(Err(rule)), _) => return Err(start_error(rule)),
                _ => {
                    return Err(start_error(if first_day.is_some() {
                        "the first row's start is a date and time: every start must be one (YYYY-MM-DD HH:MM)".into()
                    } else {
                        "the first row's start is a clock time: every start must be one (HH:MM)"
                            .into()
                    }))
                }
            };
            rows_read += 1;
            let value = self
                .cell_value(kind, contacts, &cells[value_col])
                .map_err(|rule| self.row_error(&src, line, value_col + 1, cell(value_col), rule))?;
            let mine = match (queue_col, queue) {
                (Some(c), Some((name, _))) => cells[c] == name,
                _ => true,
            };
            if !mine {
                continue;
            }
            let start = clock - extent.day_start;
            if let Some(prev) = rows.last() {
                if start <= prev.start {
                    return Err(self.row_error(
                        &src,
                        line,
                        start_col + 1,
                        cell(start_col),
                        format!(
                            "the rows' starts must increase: the row before (line {}) starts at \
                             {} (past midnight write 24:00, 25:00, ...)",
                            prev.line,
                            format_clock(extent.day_start, prev.start)
                        ),
                    ));
                }
            }
            rows.push(Row { line, start, value });
        }
        let Some(first) = rows.first() else {
            let (name, _) = queue.expect("only a queue column filters rows");
            return Err(self.row_error(
                &src,
                1,
                queue_col.map_or(1, |c| c + 1),
                "column \"queue\"",
                format!("no row is for queue {name:?}"),
            ));
        };
        if first.start > 0.0 {
            return Err(self.row_error(
                &src,
                first.line,
                start_col + 1,
                format!("start = {:?}", format_clock(extent.day_start, first.start)),
                format!(
                    "the first row must start at or before the run's start (run.day_start = {})",
                    format_clock(extent.day_start, 0.0)
                ),
            ));
        }
        let end = extent.end();
        if contacts {
            // A count over the row's span, as a rate: the last row spans to the end of the run.
            for i in 0..rows.len() {
                let next = rows.get(i + 1).map_or(end, |r| r.start);
                let span = next - rows[i].start;
                if span <= 0.0 {
                    continue; // starts at or after the end of the run: never used
                }
                // Multiplied first: 30 contacts over 1800 s give exactly 60 per hour.
                let per_hour = rows[i].value * 3600.0 / span;
                if per_hour > MAX_RATE_PER_HOUR {
                    return Err(self.row_error(
                        &src,
                        rows[i].line,
                        value_col + 1,
                        format!("contacts = {}", rows[i].value),
                        format!(
                            "over its span of {} s this is {per_hour} chats per hour; at most \
                             {MAX_RATE_PER_HOUR} are allowed",
                            span
                        ),
                    ));
                }
                rows[i].value = per_hour;
            }
        }
        // The grid: every start inside the run falls on a step boundary, and so does every
        // reporting interval, so the per-step list is exactly the file's profile.
        let mut step: u64 = if extent.interval.fract() == 0.0 {
            extent.interval as u64
        } else {
            0
        };
        let mut finest_line = 1;
        for r in rows.iter().filter(|r| r.start > 0.0 && r.start < end) {
            let g = gcd(step, r.start as u64);
            if g != step {
                finest_line = r.line;
            }
            step = g;
        }
        if step == 0 {
            // A fractional interval and no start inside the run: one value for the whole run.
            return Ok((extent.interval, vec![rows.last().expect("a row").value]));
        }
        let step = step as f64;
        let n = (end / step - 1e-9).ceil().max(1.0);
        if n > MAX_INTERVALS as f64 {
            return Err(self.row_error(
                &src,
                finest_line,
                start_col + 1,
                "start",
                format!(
                    "the rows' starts and run.interval fall on a grid of {step} s, which makes \
                     {n} steps over the run; at most {MAX_INTERVALS} are allowed: start the rows \
                     on a coarser grid (whole minutes, or the reporting interval)"
                ),
            ));
        }
        let mut values = Vec::with_capacity(n as usize);
        let mut r = 0;
        for i in 0..n as usize {
            let t = i as f64 * step;
            while r + 1 < rows.len() && rows[r + 1].start <= t {
                r += 1;
            }
            values.push(rows[r].value);
        }
        Ok((step, values))
    }

    /// The records of a CSV file with the line each starts on (see [`each_csv_record`]).
    fn records(
        &self,
        src: &Source,
        bytes: &[u8],
    ) -> Result<Vec<(u64, Vec<String>)>, ScenarioError> {
        let mut out = Vec::new();
        each_csv_record(
            bytes,
            |line, record| {
                out.push((line, record.iter().map(str::to_string).collect()));
                Ok(())
            },
            |line, rule| self.row_error(src, line, 1, "the line", rule),
        )?;
        Ok(out)
    }

    /// One value cell: a rate per hour, a count of contacts, or a number of agents.
    fn cell_value(&self, kind: Kind, contacts: bool, text: &str) -> Result<f64, String> {
        if kind == Kind::Plan {
            return match text.parse::<i64>() {
                Ok(n) if (0..=MAX_AGENTS).contains(&n) => Ok(n as f64),
                Ok(_) => Err(format!("agents must be between 0 and {MAX_AGENTS}")),
                Err(_) if text.parse::<f64>().is_ok() => {
                    Err("agents must be a whole number (an integer >= 0)".into())
                }
                Err(_) => Err("not a number: agents is an integer >= 0".into()),
            };
        }
        let what = if contacts {
            "contacts is a number of chats >= 0 over the row's span"
        } else {
            "rate_per_hour is a number of chats per hour, 0 to 1000000"
        };
        let x: f64 = text
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite())
            .ok_or_else(|| format!("not a number: {what}"))?;
        let high = if contacts {
            f64::MAX
        } else {
            MAX_RATE_PER_HOUR
        };
        if (0.0..=high).contains(&x) {
            Ok(x)
        } else {
            Err(format!("out of range: {what}"))
        }
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Read the CSV table `input` record by record, as every data file of ccsim is read: blank
/// lines and lines starting with `#` are skipped, cells are trimmed, a spreadsheet's byte order
/// mark is not part of the first column's name. `row` gets each record with the line it starts
/// on (1-based); a line that is not CSV becomes `unreadable(line, rule)`, the error of column 1.
/// Streamed: one record in memory at a time.
pub fn each_csv_record<E>(
    input: impl std::io::Read,
    mut row: impl FnMut(u64, &csv::StringRecord) -> Result<(), E>,
    unreadable: impl Fn(u64, String) -> E,
) -> Result<(), E> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(input);
    let mut record = csv::StringRecord::new();
    let mut first = true;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(1, |p| p.line());
                return Err(unreadable(line, format!("not readable as CSV: {e}")));
            }
        }
        let line = record.position().map_or(1, |p| p.line());
        if std::mem::take(&mut first) && record.get(0).is_some_and(|c| c.starts_with('\u{feff}')) {
            let cells: Vec<String> = record
                .iter()
                .enumerate()
                .map(|(i, c)| match i {
                    0 => c.trim_start_matches('\u{feff}').to_string(),
                    _ => c.to_string(),
                })
                .collect();
            row(line, &csv::StringRecord::from(cells))?;
        } else {
            row(line, &record)?;
        }
    }
}
