//! `ccsim fit`: a scenario fragment fitted to a record of contacts — the `contacts.csv` of
//! `ccsim run --trace`, or a real export with the same columns — and optionally its messages.
//! Arrival rates per interval and queue (with the day-to-day dispersion when the record spans
//! several days or replications), lognormal and gamma fits of handle, wrap-up, think and
//! response times, queue patience from censored waits (Kaplan–Meier, and the exponential
//! estimate), and tables of the fits' quality. Both files are streamed; what is kept per
//! contact is a few numbers (for the quantiles and the Kaplan–Meier estimate), never the rows.

pub mod estimate;
mod output;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use estimate::Wait;

use crate::report::trace::Outcome;
use crate::scenario::{each_csv_record, parse_date_time, parse_run_clock};

/// A record that cannot be fitted: every mistake names the file, the line and the column.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A mistake at a line and column (1-based) of a file, as in forecast files.
    #[error("{path}:{line}:{column}: {what}: {rule}")]
    Row {
        path: PathBuf,
        line: u64,
        column: usize,
        what: String,
        rule: String,
    },
    #[error("{0}")]
    Option(String),
}

/// What `ccsim fit` is asked.
#[derive(Clone, Debug)]
pub struct FitOptions {
    /// The arrival profile's interval, seconds.
    pub interval: f64,
    /// A messages file (`messages.csv`'s columns) for think and response times.
    pub messages: Option<PathBuf>,
}

/// What is learnt of one queue.
#[derive(Debug, Default)]
pub struct QueueData {
    pub name: String,
    /// Contacts per day (in order of first appearance of the day) and profile interval.
    pub counts: Vec<Vec<u64>>,
    pub waits: Vec<Wait>,
    pub handle_times: Vec<f64>,
    pub wrapups: Vec<f64>,
    /// Exchanges of the conversations that went to their end (outcome `answered`).
    pub exchanges: Vec<f64>,
    /// Contacts by outcome, in [`Outcome::ALL`] order.
    pub outcomes: [u64; crate::report::trace::Outcome::ALL.len()],
}

/// Everything read from the record, before it is summarised.
#[derive(Debug)]
pub struct Data {
    pub trace: PathBuf,
    pub messages: Option<PathBuf>,
    pub interval: f64,
    /// Clock time of the profile's start, seconds after midnight.
    pub day_start: f64,
    /// Days (or replications) in the record.
    pub days: usize,
    /// Intervals of the profile.
    pub intervals: usize,
    /// Queues by name.
    pub queues: Vec<QueueData>,
    /// Groups seen answering each queue, by queue index (sorted, deduplicated).
    pub groups: Vec<Vec<String>>,
    pub think: Vec<f64>,
    pub responses: Vec<f64>,
}

/// The columns of a contact record ccsim reads; any other column is ignored.
const CONTACT_COLUMNS: [&str; 11] = [
    "replication",
    "queue",
    "arrival",
    "arrival_clock",
    "datetime",
    "outcome",
    "wait",
    "group",
    "handle_time",
    "wrapup",
    "exchanges",
];

/// Fit a scenario to the contact record `trace`.
pub fn fit(trace: &Path, options: &FitOptions) -> Result<output::Fitted, FitError> {
    if !(options.interval >= 60.0 && options.interval.fract() == 0.0) {
        return Err(FitError::Option(format!(
            "--interval {} s: give whole seconds, at least 1m",
            options.interval
        )));
    }
    let mut data = read_contacts(trace, options.interval)?;
    if let Some(m) = &options.messages {
        read_messages(m, &mut data)?;
        data.messages = Some(m.clone());
    }
    Ok(output::Fitted::new(data))
}

/// A file's table header: where each known column is.
struct Header {
    names: Vec<String>,
}

impl Header {
    fn at(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

/// Reads one file row by row, turning mistakes into [`FitError::Row`].
struct Rows<'a> {
    path: &'a Path,
}

impl Rows<'_> {
    fn error(
        &self,
        line: u64,
        column: usize,
        what: impl Into<String>,
        rule: impl Into<String>,
    ) -> FitError {
        FitError::Row {
            path: self.path.to_path_buf(),
            line,
            column,
            what: what.into(),
            rule: rule.into(),
        }
    }

    /// Each row of the file after its header, with the header and what `header_ok` made of it
    /// (the positions of the columns).
    fn each<T>(
        &self,
        mut header_ok: impl FnMut(&Header) -> Result<T, FitError>,
        mut row: impl FnMut(&Header, &T, u64, &csv::StringRecord) -> Result<(), FitError>,
    ) -> Result<(), FitError> {
        let file = std::fs::File::open(self.path).map_err(|source| FitError::Read {
            path: self.path.to_path_buf(),
            source,
        })?;
        let mut header: Option<(Header, T)> = None;
        let mut rows = 0u64;
        each_csv_record(
            std::io::BufReader::with_capacity(1 << 16, file),
            |line, record| match &header {
                None => {
                    let names: Vec<String> = record.iter().map(str::to_string).collect();
                    for (i, n) in names.iter().enumerate() {
                        if names[..i].contains(n) {
                            return Err(self.error(
                                line,
                                i + 1,
                                format!("column {n:?}"),
                                "appears twice in the header",
                            ));
                        }
                    }
                    let h = Header { names };
                    let cols = header_ok(&h)?;
                    header = Some((h, cols));
                    Ok(())
                }
                Some((h, cols)) => {
                    if record.len() != h.names.len() {
                        return Err(self.error(
                            line,
                            record.len().min(h.names.len()) + 1,
                            "the row",
                            format!(
                                "has {} cells, the header has {} ({})",
                                record.len(),
                                h.names.len(),
                                h.names.join(",")
                            ),
                        ));
                    }
                    rows += 1;
                    row(h, cols, line, record)
                }
            },
            |line, rule| self.error(line, 1, "the line", rule),
        )?;
        match (header, rows) {
            (None, _) => Err(self.error(
                1,
                1,
                "the file",
                "is empty: it needs a header line and at least one row",
            )),
            (Some(_), 0) => Err(self.error(2, 1, "the file", "has a header but no row")),
            _ => Ok(()),
        }
    }
}

/// A number cell: finite, at least `min`.
fn number_cell(text: &str, min: f64, what: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= min => Ok(x),
        Ok(_) => Err(format!("out of range: {what}")),
        Err(_) => Err(format!("not a number: {what}")),
    }
}

fn read_contacts(trace: &Path, interval: f64) -> Result<Data, FitError> {
    let rows = Rows { path: trace };
    let mut queues: Vec<QueueData> = Vec::new();
    let mut queue_index: HashMap<String, usize> = HashMap::new();
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut day_index: HashMap<i64, usize> = HashMap::new();
    // Arrivals by (day, queue) in seconds from the day's (or the run's) start; the profile's
    // grid is laid once the earliest arrival of a day is known, so only counts on a fine grid
    // of whole intervals from midnight (or the run's start) are kept.
    let mut day_start: Option<f64> = None;
    let mut first_interval = usize::MAX;
    rows.each(
        |h| {
            let cols: [Option<usize>; CONTACT_COLUMNS.len()] = CONTACT_COLUMNS.map(|name| h.at(name));
            let [_, _, arrival, _, datetime, outcome, wait, ..] = cols;
            let missing = |what: &str| {
                Err(rows.error(1, h.names.len() + 1, "the header", format!("needs a column {what} (the columns of contacts.csv, written by ccsim run --trace, are documented in the README)")))
            };
            match (arrival, datetime) {
                (None, None) => return missing("arrival (seconds) or datetime (YYYY-MM-DD HH:MM:SS)"),
                (Some(_), Some(c)) => {
                    return Err(rows.error(1, c + 1, "column \"datetime\"", "give arrival or datetime, not both"))
                }
                _ => {}
            }
            if outcome.is_none() {
                return missing("outcome");
            }
            if wait.is_none() {
                return missing("wait");
            }
            Ok(cols)
        },
        |h, cols, line, r| {
            let [replication, queue, arrival, clock, datetime, outcome, wait, group, handle, wrapup, exchanges] = *cols;
            let cell = |c: usize| format!("{} = {:?}", h.names[c], &r[c]);
            let err = |c: usize, rule: String| rows.error(line, c + 1, cell(c), rule);
            // The day, and the arrival in seconds from the day's midnight (datetime) or from
            // the run's start (arrival).
            let (day, t) = if let Some(c) = datetime {
                match parse_date_time(&r[c]) {
                    Some(Ok((day, secs))) => (day, secs),
                    Some(Err(rule)) => return Err(err(c, rule)),
                    None => return Err(err(c, "not a date and time: write YYYY-MM-DD HH:MM:SS".into())),
                }
            } else {
                let c = arrival.expect("checked with the header");
                let t = number_cell(&r[c], 0.0, "arrival is seconds >= 0 from the run's start").map_err(|e| err(c, e))?;
                (0, t)
            };
            let day = match replication {
                Some(c) => r[c]
                    .parse::<u32>()
                    .map_err(|_| err(c, "not a replication number (an integer >= 0)".into()))?
                    as i64,
                None => day,
            };
            if let (Some(c), None) = (clock, day_start) {
                if arrival.is_some() {
                    // The clock of the run's start: the arrival's clock less its seconds,
                    // to the second (ccsim writes clocks rounded to the second).
                    let clock_secs = parse_run_clock(&r[c]).map_err(|e| err(c, e))?;
                    day_start = Some((clock_secs - t).round().rem_euclid(86_400.0));
                }
            }
            let name = queue.map_or("main", |c| &r[c]);
            let q = match queue_index.get(name) {
                Some(&q) => q,
                None => {
                    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
                        let c = queue.expect("main is a plain word");
                        return Err(err(c, "a queue name is a plain word: letters, digits, _ and -".into()));
                    }
                    queue_index.insert(name.to_string(), queues.len());
                    queues.push(QueueData { name: name.to_string(), ..Default::default() });
                    groups.push(Vec::new());
                    queues.len() - 1
                }
            };
            let d = match day_index.get(&day) {
                Some(&d) => d,
                None => {
                    day_index.insert(day, day_index.len());
                    day_index.len() - 1
                }
            };
            let oc = outcome.expect("checked with the header");
            let o = Outcome::ALL
                .into_iter()
                .position(|o| o.name() == &r[oc])
                .ok_or_else(|| {
                    let names: Vec<&str> = Outcome::ALL.iter().map(|o| o.name()).collect();
                    err(oc, format!("unknown outcome (one of {})", names.join(", ")))
                })?;
            let o = Outcome::ALL[o];
            let wc = wait.expect("checked with the header");
            let w = if r[wc].is_empty() {
                if o != Outcome::InSystemAtEnd {
                    return Err(err(wc, format!("empty: a contact {} has a wait (to the answer or the abandon), seconds >= 0", o.name())));
                }
                None
            } else {
                Some(number_cell(&r[wc], 0.0, "wait is seconds >= 0").map_err(|e| err(wc, e))?)
            };
            let answered = matches!(
                o,
                Outcome::Answered | Outcome::AbandonedChat | Outcome::ClosedByInactivity
            )
                || (o == Outcome::InSystemAtEnd && group.is_some_and(|c| !r[c].is_empty()));
            let qd = &mut queues[q];
            qd.outcomes[o as usize] += 1;
            if let Some(w) = w {
                qd.waits.push(Wait { time: w, abandoned: o == Outcome::AbandonedQueue });
            }
            let i = (t / interval).floor() as usize;
            first_interval = first_interval.min(i);
            if qd.counts.len() <= d {
                qd.counts.resize(d + 1, Vec::new());
            }
            let row = &mut qd.counts[d];
            if row.len() <= i {
                if i > 1_000_000 {
                    return Err(err(arrival.or(datetime).expect("a time column"), format!("more than a million intervals of {interval} s from the start: is this seconds?")));
                }
                row.resize(i + 1, 0);
            }
            row[i] += 1;
            if let (Some(c), true) = (group, answered) {
                if !r[c].is_empty() && !groups[q].iter().any(|g| g == &r[c]) {
                    groups[q].push(r[c].to_string());
                }
            }
            // Handle and wrap-up times of the chats that ended (empty cells are skipped).
            for (col, out, what) in [
                (handle, &mut qd.handle_times, "handle_time is seconds >= 0"),
                (wrapup, &mut qd.wrapups, "wrapup is seconds >= 0"),
            ] {
                if let Some(c) = col {
                    if !r[c].is_empty() {
                        out.push(number_cell(&r[c], 0.0, what).map_err(|e| err(c, e))?);
                    }
                }
            }
            if let (Some(c), Outcome::Answered) = (exchanges, o) {
                let n = number_cell(&r[c], 0.0, "exchanges is a whole number >= 0").map_err(|e| err(c, e))?;
                if n.fract() != 0.0 {
                    return Err(err(c, "exchanges is a whole number >= 0".into()));
                }
                qd.exchanges.push(n);
            }
            Ok(())
        },
    )?;
    // The profile starts at the first interval with an arrival: drop the empty ones before it.
    let intervals = queues
        .iter()
        .flat_map(|q| q.counts.iter().map(Vec::len))
        .max()
        .unwrap_or(1)
        - first_interval;
    for q in &mut queues {
        q.counts.resize(day_index.len(), Vec::new());
        for row in &mut q.counts {
            row.resize(first_interval + intervals, 0);
            row.drain(..first_interval);
        }
    }
    // Queues (and their groups) in name order, as a scenario numbers them.
    let mut order: Vec<usize> = (0..queues.len()).collect();
    order.sort_by(|&a, &b| queues[a].name.cmp(&queues[b].name));
    let mut taken: Vec<Option<QueueData>> = queues.into_iter().map(Some).collect();
    let queues: Vec<QueueData> = order
        .iter()
        .map(|&i| taken[i].take().expect("once"))
        .collect();
    let groups: Vec<Vec<String>> = order
        .iter()
        .map(|&i| {
            let mut g = groups[i].clone();
            g.sort();
            g
        })
        .collect();
    Ok(Data {
        trace: trace.to_path_buf(),
        messages: None,
        interval,
        day_start: (day_start.unwrap_or(0.0) + first_interval as f64 * interval)
            .rem_euclid(86_400.0),
        days: day_index.len(),
        intervals,
        queues,
        groups,
        think: Vec::new(),
        responses: Vec::new(),
    })
}

/// The columns of a messages file.
const MESSAGE_COLUMNS: [&str; 5] = ["replication", "contact", "exchange", "message", "reply"];

/// Think times (a message's instant less the previous reply's, within a contact) and response
/// times (reply less message) of a messages file whose rows of one contact are consecutive, in
/// exchange order.
fn read_messages(path: &Path, data: &mut Data) -> Result<(), FitError> {
    let rows = Rows { path };
    // (replication, contact, exchange, reply) of the row before.
    let mut previous: Option<(String, String, u64, f64)> = None;
    rows.each(
        |h| {
            let cols: [Option<usize>; MESSAGE_COLUMNS.len()] = MESSAGE_COLUMNS.map(|name| h.at(name));
            for (c, name) in cols.iter().zip(MESSAGE_COLUMNS).skip(1) {
                if c.is_none() {
                    return Err(rows.error(1, h.names.len() + 1, "the header", format!("needs a column {name} (the columns are those of messages.csv: contact, exchange, message, reply, and optionally replication)")));
                }
            }
            Ok(cols)
        },
        |h, cols, line, r| {
            let [replication, contact, exchange, message, reply] = *cols;
            let err = |c: usize, rule: String| rows.error(line, c + 1, format!("{} = {:?}", h.names[c], &r[c]), rule);
            let (cc, ec, mc, rc) = (contact.unwrap(), exchange.unwrap(), message.unwrap(), reply.unwrap());
            let k = r[ec].parse::<u64>().ok().filter(|&k| k >= 1).ok_or_else(|| err(ec, "exchange is a whole number >= 1".into()))?;
            let m = number_cell(&r[mc], 0.0, "message is seconds >= 0").map_err(|e| err(mc, e))?;
            let y = number_cell(&r[rc], m, "reply is seconds, at or after the message").map_err(|e| err(rc, e))?;
            let rep = replication.map_or("", |c| &r[c]);
            let same = previous.as_ref().is_some_and(|p| p.0 == rep && p.1 == r[cc]);
            match &previous {
                Some(p) if same => {
                    if k != p.2 + 1 {
                        return Err(err(ec, format!("the line before is exchange {} of the same contact: a contact's rows must be consecutive, in exchange order", p.2)));
                    }
                    if m < p.3 {
                        return Err(err(mc, "before the reply to the exchange before".into()));
                    }
                    data.think.push(m - p.3);
                }
                _ => {}
            }
            data.responses.push(y - m);
            match &mut previous {
                Some(p) if same => {
                    p.2 = k;
                    p.3 = y;
                }
                _ => previous = Some((rep.to_string(), r[cc].to_string(), k, y)),
            }
            Ok(())
        },
    )
}
