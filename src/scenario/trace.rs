//! Arrival traces: `arrivals.trace`, a CSV file of recorded arrival instants replayed instead
//! of the Poisson stream. The file is checked once, row by row, when the scenario is read
//! (every malformed row names file, line and column, as a forecast file's do; rows must be in
//! time order); during the run each replication streams it again with its own reader, from the
//! byte where its day begins, one row at a time, so memory never holds the trace.
//!
//! Cells are plain (no quotes); blank lines and lines starting with `#` are skipped. One
//! parser ([`Layout::row`]) serves the check and the readers, so they read the same rows.

use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;

use super::center::Extent;
use super::error::RowError;
use super::{parse_date_time, parse_duration_str, parse_run_clock, Resolver, ScenarioError};
use crate::model::{TraceReader, TraceSource, TracedArrival};

/// The columns a trace may have.
const COLUMNS: [&str; 6] = [
    "time",
    "datetime",
    "queue",
    "exchanges",
    "queue_patience",
    "reply_patience",
];

/// A day lasts this long in run time: day `d` of `run.days` starts at `d × DAY`.
pub const DAY: f64 = 86_400.0;

/// Where each column is.
#[derive(Clone, Debug)]
struct Layout {
    cells: usize,
    header: Vec<String>,
    time: usize,
    /// `datetime` (a date and a time) rather than `time` (seconds or a clock time).
    dated: bool,
    queue: Option<usize>,
    exchanges: Option<usize>,
    queue_patience: Option<usize>,
    reply_patience: Option<usize>,
    day_start: f64,
}

/// A row's mistake: the 1-based column, the cell and the rule.
type CellError = (usize, String, String);

/// At most this many cells of a line are kept: one more than the columns a header can have,
/// enough to tell a row with too many.
const MAX_CELLS: usize = COLUMNS.len() + 1;

/// The cells of a line (the first [`MAX_CELLS`]) and how many it has, or `None` for a blank
/// or comment line. No allocation: the replay reads a million rows per run through it.
fn cells(line: &str) -> Option<([&str; MAX_CELLS], usize)> {
    let t = line.trim();
    if t.is_empty() || t.starts_with('#') {
        return None;
    }
    let mut out = [""; MAX_CELLS];
    let mut n = 0;
    for cell in t.split(',') {
        if n < MAX_CELLS {
            out[n] = cell.trim();
        }
        n += 1;
    }
    Some((out, n))
}

impl Layout {
    /// One data row: its instant in run time from the first day's start, its queue's index
    /// in `names` and the traits it fixes. `first_date` is the date of the file's first row
    /// (set by the first dated row).
    fn row(
        &self,
        (cells, count): ([&str; MAX_CELLS], usize),
        names: &[String],
        first_date: &mut Option<i64>,
    ) -> Result<(f64, usize, TracedArrival), CellError> {
        if count != self.cells {
            return Err((
                count.min(self.cells) + 1,
                "the row".into(),
                format!(
                    "has {count} cells, the header has {} ({})",
                    self.cells,
                    self.header.join(",")
                ),
            ));
        }
        let cells = &cells[..count];
        let cell = |c: usize| format!("{} = {:?}", self.header[c], cells[c]);
        let err = |c: usize, rule: String| (c + 1, cell(c), rule);
        if let Some(c) = cells.iter().position(|c| c.contains('"')) {
            return Err(err(
                c,
                "quoted cells are not read: write plain cells".into(),
            ));
        }
        let text = cells[self.time];
        let t =
            if self.dated {
                match parse_date_time(text) {
                    Some(Ok((day, secs))) => {
                        let day0 = *first_date.get_or_insert(day);
                        (day - day0) as f64 * DAY + secs - self.day_start
                    }
                    Some(Err(rule)) => return Err(err(self.time, rule)),
                    None => {
                        return Err(err(
                            self.time,
                            "a datetime is a date and a time, like 2026-03-02 08:31:05".into(),
                        ))
                    }
                }
            } else if text.as_bytes().contains(&b':') {
                parse_run_clock(text).map_err(|r| err(self.time, r))? - self.day_start
            } else {
                match text.parse::<f64>() {
                    Ok(x) if x.is_finite() => x,
                    _ => return Err(err(
                        self.time,
                        "a time is seconds of run time (like 30600.5) or a clock time (08:31:05)"
                            .into(),
                    )),
                }
            };
        let queue = match self.queue {
            None => 0,
            Some(c) => names.iter().position(|n| n == cells[c]).ok_or_else(|| {
                let known: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
                err(
                    c,
                    format!(
                        "no such queue in the scenario (queues: {})",
                        known.join(", ")
                    ),
                )
            })?,
        };
        let mut a = TracedArrival {
            time: t,
            ..TracedArrival::default()
        };
        if let Some(c) = self.exchanges.filter(|&c| !cells[c].is_empty()) {
            a.exchanges = Some(match cells[c].parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => return Err(err(c, "exchanges is a whole number >= 1".into())),
            });
        }
        let patience = |c: Option<usize>| -> Result<Option<f64>, CellError> {
            match c.filter(|&c| !cells[c].is_empty()) {
                None => Ok(None),
                Some(c) => match parse_duration_str(cells[c]) {
                    Ok(x) if x >= 0.0 => Ok(Some(x)),
                    Ok(_) => Err(err(c, "a patience is a duration >= 0".into())),
                    Err(rule) => Err(err(c, rule)),
                },
            }
        };
        a.queue_patience = patience(self.queue_patience)?;
        a.reply_patience = patience(self.reply_patience)?;
        Ok((t, queue, a))
    }
}

/// Where day `d`'s rows begin in the file.
#[derive(Clone, Copy, Debug)]
struct DayStart {
    offset: u64,
    /// The line number of the byte at `offset` (for errors found during the run).
    line: u64,
}

/// A checked trace file: what its readers need.
#[derive(Debug)]
pub struct FileTrace {
    path: PathBuf,
    layout: Layout,
    names: Vec<String>,
    first_date: Option<i64>,
    days: Vec<DayStart>,
    /// End of a day's arrivals in run time of the day (warm-up plus horizon).
    end: f64,
}

impl FileTrace {
    /// The file, as resolved against the scenario file's folder.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

/// A reader of one queue's rows of one day.
struct FileReader {
    trace: Arc<FileTrace>,
    input: Option<BufReader<std::fs::File>>,
    line: Vec<u8>,
    number: u64,
    queue: usize,
    /// The day's start in run time from the first day.
    from: f64,
    first_date: Option<i64>,
    last: f64,
    /// The error this reader met (the file changed since it was checked).
    error: Option<String>,
}

impl FileReader {
    fn fail(&mut self, message: String) -> Option<TracedArrival> {
        self.error.get_or_insert(message);
        self.input = None;
        None
    }
}

impl TraceReader for FileReader {
    fn error(&self) -> Option<String> {
        self.error.clone()
    }

    fn next_arrival(&mut self) -> Option<TracedArrival> {
        loop {
            let input = self.input.as_mut()?;
            self.line.clear();
            match input.read_until(b'\n', &mut self.line) {
                Ok(0) => {
                    self.input = None;
                    return None;
                }
                Ok(_) => {}
                Err(e) => {
                    let m = format!("{}: cannot read: {e}", self.trace.path.display());
                    return self.fail(m);
                }
            }
            self.number += 1;
            let Ok(text) = std::str::from_utf8(&self.line) else {
                let m = format!(
                    "{}:{}: not UTF-8 text (the file changed since it was read)",
                    self.trace.path.display(),
                    self.number
                );
                return self.fail(m);
            };
            let parsed = cells(text).map(|c| {
                self.trace
                    .layout
                    .row(c, &self.trace.names, &mut self.first_date)
            });
            let (t, queue, a) = match parsed {
                None => continue,
                Some(Ok(row)) => row,
                Some(Err((column, what, rule))) => {
                    let m = format!(
                        "{}:{}:{column}: {what}: {rule} (the file changed since it was read)",
                        self.trace.path.display(),
                        self.number
                    );
                    return self.fail(m);
                }
            };
            if t < self.last {
                let m = format!(
                    "{}:{}: the rows are not in time order (the file changed since it was read)",
                    self.trace.path.display(),
                    self.number
                );
                return self.fail(m);
            }
            self.last = t;
            let time = t - self.from;
            if time >= self.trace.end {
                self.input = None;
                return None;
            }
            if queue == self.queue && time >= 0.0 {
                return Some(TracedArrival { time, ..a });
            }
        }
    }
}

/// The source handed to the model: it opens readers on the checked file.
#[derive(Debug)]
pub struct SharedTrace(pub Arc<FileTrace>);

impl TraceSource for SharedTrace {
    fn open(&self, queue: usize, day: u32) -> Box<dyn TraceReader> {
        let t = &self.0;
        let mut reader = FileReader {
            trace: Arc::clone(t),
            input: None,
            line: Vec::new(),
            number: 0,
            queue,
            from: f64::from(day) * DAY,
            first_date: t.first_date,
            last: f64::NEG_INFINITY,
            error: None,
        };
        let Some(start) = t.days.get(day as usize).copied() else {
            return Box::new(reader);
        };
        match std::fs::File::open(&t.path).and_then(|mut f| {
            f.seek(SeekFrom::Start(start.offset))?;
            Ok(f)
        }) {
            Ok(f) => {
                reader.input = Some(BufReader::with_capacity(64 * 1024, f));
                reader.number = start.line - 1;
            }
            Err(e) => {
                let m = format!("{}: cannot read: {e}", t.path.display());
                reader.fail(m);
            }
        }
        Box::new(reader)
    }
}

/// What the check of a trace found: the source, and per queue its rows per step of
/// `extent.interval` of the day (summed over the days), for the mean rates.
pub struct CheckedTrace {
    pub source: Arc<FileTrace>,
    pub counts: Vec<Vec<u64>>,
}

impl Resolver {
    fn trace_error(
        &self,
        key: &str,
        path: &std::path::Path,
        line: u64,
        (column, what, rule): CellError,
    ) -> ScenarioError {
        ScenarioError::Row(Box::new(RowError {
            file: self.file.clone(),
            key: key.to_string(),
            path: path.to_path_buf(),
            line,
            column,
            what,
            rule,
        }))
    }

    /// Check the trace `written` names (relative to the scenario file) for the queues `names`
    /// over `days` days of `extent`, streaming it once.
    pub(super) fn trace(
        &self,
        key: &str,
        written: &str,
        names: &[String],
        extent: Extent,
        days: u32,
    ) -> Result<CheckedTrace, ScenarioError> {
        let path = match self.file.parent() {
            Some(dir) => dir.join(written),
            None => PathBuf::from(written),
        };
        let io_error = |source| ScenarioError::DataFile {
            file: self.file.clone(),
            key: key.to_string(),
            value: written.to_string(),
            path: path.clone(),
            source,
        };
        let mut input = BufReader::new(std::fs::File::open(&path).map_err(io_error)?);
        let mut line = String::new();
        let (mut number, mut offset) = (0u64, 0u64);
        let mut layout: Option<Layout> = None;
        let mut first_date = None;
        let mut day_starts: Vec<DayStart> = Vec::new();
        let steps = (extent.end() / extent.interval - 1e-9).ceil().max(1.0) as usize;
        let mut counts = vec![vec![0u64; steps]; names.len()];
        let (mut last, mut last_line, mut rows) = (f64::NEG_INFINITY, 0u64, 0u64);
        loop {
            line.clear();
            let read = input.read_line(&mut line).map_err(io_error)?;
            if read == 0 {
                break;
            }
            number += 1;
            let at = offset;
            offset += read as u64;
            let Some(c) = cells(&line) else {
                continue;
            };
            let Some(l) = &layout else {
                let (mut header, n) = c;
                // A spreadsheet's byte order mark is not part of the first column's name.
                header[0] = header[0].trim_start_matches('\u{feff}');
                layout = Some(self.trace_header(
                    key,
                    &path,
                    number,
                    &header[..n.min(MAX_CELLS)],
                    names.len(),
                    extent.day_start,
                )?);
                continue;
            };
            let (t, queue, _) = l
                .row(c, names, &mut first_date)
                .map_err(|e| self.trace_error(key, &path, number, e))?;
            if t < last {
                return Err(self.trace_error(
                    key,
                    &path,
                    number,
                    (
                        l.time + 1,
                        format!("{} = {:?}", l.header[l.time], c.0[l.time]),
                        format!(
                            "the rows must be in time order: the row before (line {last_line}) \
                             is later"
                        ),
                    ),
                ));
            }
            (last, last_line) = (t, number);
            rows += 1;
            // The first row of each day still to come starts it.
            while day_starts.len() < days as usize && t >= day_starts.len() as f64 * DAY {
                day_starts.push(DayStart {
                    offset: at,
                    line: number,
                });
            }
            let day = (t / DAY).floor();
            let within = t - day.max(0.0) * DAY;
            if t >= 0.0 && (day as u32) < days && within < extent.end() {
                let step = ((within / extent.interval) as usize).min(steps - 1);
                counts[queue][step] += 1;
            }
        }
        let Some(layout) = layout else {
            return Err(self.trace_error(
                key,
                &path,
                1,
                (
                    1,
                    "the file".into(),
                    "is empty: it needs a header line (time or datetime, and optionally queue, \
                     exchanges, queue_patience, reply_patience) and rows"
                        .into(),
                ),
            ));
        };
        if rows == 0 {
            return Err(self.trace_error(
                key,
                &path,
                number + 1,
                (1, "the file".into(), "has a header but no row".into()),
            ));
        }
        Ok(CheckedTrace {
            source: Arc::new(FileTrace {
                path,
                layout,
                names: names.to_vec(),
                first_date,
                days: day_starts,
                end: extent.end(),
            }),
            counts,
        })
    }

    fn trace_header(
        &self,
        key: &str,
        path: &std::path::Path,
        line: u64,
        header: &[&str],
        queues: usize,
        day_start: f64,
    ) -> Result<Layout, ScenarioError> {
        let fail = |column: usize, what: String, rule: String| {
            self.trace_error(key, path, line, (column, what, rule))
        };
        for (i, name) in header.iter().enumerate() {
            if !COLUMNS.contains(name) {
                return Err(fail(
                    i + 1,
                    format!("column {name:?}"),
                    format!("unknown column (the columns are {})", COLUMNS.join(", ")),
                ));
            }
            if header[..i].contains(name) {
                return Err(fail(
                    i + 1,
                    format!("column {name:?}"),
                    "appears twice in the header".into(),
                ));
            }
        }
        let at = |name: &str| header.iter().position(|h| *h == name);
        let (time, dated) = match (at("time"), at("datetime")) {
            (Some(t), None) => (t, false),
            (None, Some(t)) => (t, true),
            (Some(_), Some(d)) => {
                return Err(fail(
                    d + 1,
                    "column \"datetime\"".into(),
                    "give time or datetime, not both".into(),
                ))
            }
            (None, None) => {
                return Err(fail(
                    1,
                    "the header".into(),
                    "has no time column (time: seconds or a clock time; or datetime)".into(),
                ))
            }
        };
        let queue = at("queue");
        if queue.is_none() && queues > 1 {
            return Err(fail(
                header.len() + 1,
                "the header".into(),
                format!("has no queue column: the scenario has {queues} queues"),
            ));
        }
        Ok(Layout {
            cells: header.len(),
            header: header.iter().map(|h| h.to_string()).collect(),
            time,
            dated,
            queue,
            exchanges: at("exchanges"),
            queue_patience: at("queue_patience"),
            reply_patience: at("reply_patience"),
            day_start,
        })
    }
}
