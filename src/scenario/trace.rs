//! Arrival traces: `arrivals.trace`, a CSV file of recorded arrival instants replayed instead
//! of the Poisson stream. The file is checked once, row by row, when the scenario is read
//! (every malformed row names file, line and column, as a forecast file's do; rows must be in
//! time order); during the run each replication streams it again with its own reader, from the
//! byte where its day begins, one row at a time, so memory never holds the trace.
//!
//! Cells are plain (no quotes); blank lines and lines starting with `#` are skipped. One
//! parser ([`Layout::row`]) serves the check and the readers, so they read the same rows.

use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;

use super::center::Extent;
use super::duration::plain_decimal;
use super::error::RowError;
use super::{
    parse_date_time, parse_duration_str, parse_f64, parse_run_clock, Resolver, ScenarioError,
};
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

/// Where the cells of a line are (the first [`MAX_CELLS`]), how many it has, whether a quote
/// is among them, and the plain decimal of one asked-for cell when it is one. A reader keeps
/// one and refills it for each line ([`Cells::read`]): small values only, so that a row is not
/// copied about (a struct of slices was, at a cost of a third of the reading).
struct Cells {
    /// Each cell's byte range in the line: ASCII, or cut at commas out of UTF-8 text.
    spans: [(usize, usize); MAX_CELLS],
    count: usize,
    quoted: bool,
    decimal: Option<f64>,
}

/// A line and its cells.
#[derive(Clone, Copy)]
struct Row<'a> {
    line: &'a [u8],
    cells: &'a Cells,
}

impl<'a> Row<'a> {
    fn bytes(&self, c: usize) -> &'a [u8] {
        let (from, to) = self.cells.spans[c];
        &self.line[from..to]
    }

    /// Cell `c` as text.
    fn text(&self, c: usize) -> &'a str {
        // Never the empty fallback: a cell is ASCII or cut at commas out of UTF-8 text.
        std::str::from_utf8(self.bytes(c)).unwrap_or("")
    }
}

impl Cells {
    fn new() -> Cells {
        Cells {
            spans: [(0, 0); MAX_CELLS],
            count: 0,
            quoted: false,
            decimal: None,
        }
    }

    /// Read the cells of `line`, each trimmed; `false` for a blank or comment line. On the
    /// way, the plain decimal of cell `decimal_at` (as [`parse_f64`] reads it). No
    /// allocation, and one pass over the bytes for the usual line, made of printable ASCII
    /// only (no cell of which needs trimming): the replay reads a million rows per run
    /// through it. Any other line is read by the general path, which must find UTF-8 text.
    #[inline(always)]
    fn read(&mut self, line: &[u8], decimal_at: usize) -> Result<bool, std::str::Utf8Error> {
        let t = line.strip_suffix(b"\n").unwrap_or(line);
        let t = t.strip_suffix(b"\r").unwrap_or(t);
        (self.count, self.quoted, self.decimal) = (0, false, None);
        let (mut start, mut plain) = (0, true);
        for (i, &b) in t.iter().enumerate() {
            if b == b',' {
                if self.count < MAX_CELLS {
                    self.spans[self.count] = (start, i);
                }
                self.count += 1;
                start = i + 1;
                continue;
            }
            match b {
                b'"' => self.quoted = true,
                b'!'..=b'~' => {}
                _ => plain = false,
            }
        }
        if !plain {
            return Ok(self.read_trimmed(std::str::from_utf8(line)?));
        }
        if t.is_empty() || t[0] == b'#' {
            return Ok(false);
        }
        if self.count < MAX_CELLS {
            self.spans[self.count] = (start, t.len());
        }
        self.count += 1;
        if decimal_at < self.count.min(MAX_CELLS) {
            let (from, to) = self.spans[decimal_at];
            self.decimal = plain_decimal(&t[from..to]);
        }
        Ok(true)
    }

    /// [`Cells::read`] of a line with whitespace or other than ASCII in it: the line and each
    /// cell trimmed.
    fn read_trimmed(&mut self, line: &str) -> bool {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            return false;
        }
        (self.count, self.quoted, self.decimal) = (0, t.contains('"'), None);
        for cell in t.split(',') {
            if self.count < MAX_CELLS {
                let cell = cell.trim();
                // Where the trimmed cell is in the line.
                let from = cell.as_ptr() as usize - line.as_ptr() as usize;
                self.spans[self.count] = (from, from + cell.len());
            }
            self.count += 1;
        }
        true
    }
}

/// The lines of a file, read through one large buffer and lent out of it (with their `\n`; the
/// last may have none): no copy and no allocation per line.
struct Lines<R> {
    input: R,
    buffer: Vec<u8>,
    /// The unread bytes are `buffer[start..end]`.
    start: usize,
    end: usize,
    done: bool,
}

/// The buffer of a [`Lines`] reader (a line longer than this grows it).
const BUFFER: usize = 256 * 1024;

impl<R: Read> Lines<R> {
    fn new(input: R) -> Self {
        Lines {
            input,
            buffer: vec![0; BUFFER],
            start: 0,
            end: 0,
            done: false,
        }
    }

    /// The next line, `None` at the end of the file.
    #[inline(always)]
    fn next_line(&mut self) -> std::io::Result<Option<&[u8]>> {
        let mut searched = 0;
        let (from, to) = loop {
            let unread = &self.buffer[self.start + searched..self.end];
            if let Some(i) = unread.iter().position(|&b| b == b'\n') {
                break (self.start, self.start + searched + i + 1);
            }
            searched = self.end - self.start;
            if self.done {
                if searched == 0 {
                    return Ok(None);
                }
                break (self.start, self.end);
            }
            // Keep the start of the line, and read more after it.
            self.buffer.copy_within(self.start..self.end, 0);
            (self.start, self.end) = (0, searched);
            if self.end == self.buffer.len() {
                self.buffer.resize(2 * self.buffer.len(), 0);
            }
            match self.input.read(&mut self.buffer[self.end..]) {
                Ok(0) => self.done = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        self.start = to;
        Ok(Some(&self.buffer[from..to]))
    }
}

impl Layout {
    /// One data row: its instant in run time from the first day's start, its queue's index
    /// in `names` and the traits it fixes. `first_date` is the date of the file's first row
    /// (set by the first dated row).
    fn row(
        &self,
        c: Row<'_>,
        names: &[String],
        first_date: &mut Option<i64>,
    ) -> Result<(f64, usize, TracedArrival), CellError> {
        let count = c.cells.count;
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
        let cell = |i: usize| format!("{} = {:?}", self.header[i], c.text(i));
        let err = |i: usize, rule: String| (i + 1, cell(i), rule);
        if c.cells.quoted {
            if let Some(i) = (0..count).find(|&i| c.bytes(i).contains(&b'"')) {
                return Err(err(
                    i,
                    "quoted cells are not read: write plain cells".into(),
                ));
            }
        }
        let t = if let Some(x) = c.cells.decimal.filter(|_| !self.dated) {
            x
        } else {
            let text = c.text(self.time);
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
                match parse_f64(text) {
                    Ok(x) if x.is_finite() => x,
                    _ => return Err(err(
                        self.time,
                        "a time is seconds of run time (like 30600.5) or a clock time (08:31:05)"
                            .into(),
                    )),
                }
            }
        };
        let queue = match self.queue {
            None => 0,
            Some(i) => names
                .iter()
                .position(|n| n.as_bytes() == c.bytes(i))
                .ok_or_else(|| {
                    let known: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
                    err(
                        i,
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
        if let Some(i) = self.exchanges.filter(|&i| !c.bytes(i).is_empty()) {
            a.exchanges = Some(match c.text(i).parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => return Err(err(i, "exchanges is a whole number >= 1".into())),
            });
        }
        let patience = |i: Option<usize>| -> Result<Option<f64>, CellError> {
            match i.filter(|&i| !c.bytes(i).is_empty()) {
                None => Ok(None),
                Some(i) => match parse_duration_str(c.text(i)) {
                    Ok(x) if x >= 0.0 => Ok(Some(x)),
                    Ok(_) => Err(err(i, "a patience is a duration >= 0".into())),
                    Err(rule) => Err(err(i, rule)),
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
    input: Option<Lines<std::fs::File>>,
    cells: Cells,
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
            let line = match input.next_line() {
                Ok(Some(line)) => line,
                Ok(None) => {
                    self.input = None;
                    return None;
                }
                Err(e) => {
                    let m = format!("{}: cannot read: {e}", self.trace.path.display());
                    return self.fail(m);
                }
            };
            self.number += 1;
            let layout = &self.trace.layout;
            let Ok(has_cells) = self.cells.read(line, layout.time) else {
                let m = format!(
                    "{}:{}: not UTF-8 text (the file changed since it was read)",
                    self.trace.path.display(),
                    self.number
                );
                return self.fail(m);
            };
            let parsed = has_cells.then(|| {
                let row = Row {
                    line,
                    cells: &self.cells,
                };
                layout.row(row, &self.trace.names, &mut self.first_date)
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
            cells: Cells::new(),
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
                reader.input = Some(Lines::new(f));
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
        let mut input = Lines::new(std::fs::File::open(&path).map_err(io_error)?);
        let mut cells = Cells::new();
        let (mut number, mut offset) = (0u64, 0u64);
        let mut layout: Option<Layout> = None;
        let mut first_date = None;
        let mut day_starts: Vec<DayStart> = Vec::new();
        let steps = (extent.end() / extent.interval - 1e-9).ceil().max(1.0) as usize;
        let mut counts = vec![vec![0u64; steps]; names.len()];
        let (mut last, mut last_line, mut rows) = (f64::NEG_INFINITY, 0u64, 0u64);
        while let Some(bytes) = input.next_line().map_err(io_error)? {
            number += 1;
            let at = offset;
            offset += bytes.len() as u64;
            let decimal_at = layout.as_ref().map_or(usize::MAX, |l| l.time);
            let has_cells = cells.read(bytes, decimal_at).map_err(|_| {
                self.trace_error(
                    key,
                    &path,
                    number,
                    (1, "the line".into(), "is not UTF-8 text".into()),
                )
            })?;
            if !has_cells {
                continue;
            }
            let c = Row {
                line: bytes,
                cells: &cells,
            };
            let Some(l) = &layout else {
                let n = cells.count.min(MAX_CELLS);
                let mut header = [""; MAX_CELLS];
                for (i, h) in header[..n].iter_mut().enumerate() {
                    *h = c.text(i);
                }
                // A spreadsheet's byte order mark is not part of the first column's name.
                header[0] = header[0].trim_start_matches('\u{feff}');
                layout = Some(self.trace_header(
                    key,
                    &path,
                    number,
                    &header[..n],
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
                        format!("{} = {:?}", l.header[l.time], c.text(l.time)),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The cells `read` finds in `line`, as text, and the decimal of cell 0.
    fn read(line: &str) -> Option<(Vec<String>, bool, Option<f64>)> {
        let mut c = Cells::new();
        if !c.read(line.as_bytes(), 0).unwrap() {
            return None;
        }
        let row = Row {
            line: line.as_bytes(),
            cells: &c,
        };
        let n = c.count.min(MAX_CELLS);
        let texts = (0..n).map(|i| row.text(i).to_string()).collect();
        Some((texts, c.quoted, c.decimal))
    }

    #[test]
    fn the_fast_and_the_trimmed_paths_find_the_same_cells() {
        let cells = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // Plain ASCII: the one-pass path, with the decimal on the way.
        assert_eq!(
            read("30600.5,a,,7\n"),
            Some((cells(&["30600.5", "a", "", "7"]), false, Some(30600.5)))
        );
        // Spaces, a CRLF end, a tab: the trimmed path, same cells (no decimal: the row reads
        // the time itself).
        assert_eq!(
            read(" 30600.5 , a,\t,7 \r\n"),
            Some((cells(&["30600.5", "a", "", "7"]), false, None))
        );
        assert_eq!(read("30600.5\r\n").unwrap().0, cells(&["30600.5"]));
        assert_eq!(
            read("08:30:05\n"),
            Some((cells(&["08:30:05"]), false, None))
        );
        assert_eq!(read("1e3\n"), Some((cells(&["1e3"]), false, None)));
        assert!(read("\"5\",x\n").unwrap().1);
        // Blank and comment lines, on both paths.
        for line in [
            "\n",
            "\r\n",
            "   \n",
            "#time\n",
            "  # a comment, with commas\n",
            "",
        ] {
            assert_eq!(read(line), None, "{line:?}");
        }
        // Text beyond ASCII goes the trimmed way and stays whole.
        assert_eq!(
            read("\u{feff}time,file\u{e9}\n").unwrap().0,
            cells(&["\u{feff}time", "file\u{e9}"])
        );
        // More cells than kept: counted all the same.
        let mut c = Cells::new();
        assert!(c.read(b"1,2,3,4,5,6,7,8,9", 0).unwrap());
        assert_eq!(c.count, 9);
        assert!(c.read(b"1, 2,3,4,5,6,7,8,9", 0).unwrap());
        assert_eq!(c.count, 9);
        assert!(c.read(b"\xff\xfe, 1", 0).is_err());
    }

    #[test]
    fn lines_come_whole_across_buffer_refills() {
        // Lines longer than the buffer, and a last line without its newline.
        let long = "x".repeat(BUFFER + 17);
        let text = format!("a\n{long}\nb\r\n\n{long}");
        let mut lines = Lines::new(text.as_bytes());
        let mut got = Vec::new();
        while let Some(line) = lines.next_line().unwrap() {
            got.push(String::from_utf8(line.to_vec()).unwrap());
        }
        assert_eq!(
            got,
            vec![
                "a\n".to_string(),
                format!("{long}\n"),
                "b\r\n".into(),
                "\n".into(),
                long
            ]
        );
    }
}
