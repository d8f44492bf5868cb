//! What the terminal shows while an experiment runs, and how Ctrl-C stops it: `--progress`
//! chooses a progress bar (indicatif) on stderr, a plain line every few seconds (for logs and
//! batch jobs, where a bar would be a mess of control characters) or nothing; `auto` is the
//! bar on a terminal and plain lines otherwise, and `--quiet` means nothing. A first Ctrl-C
//! asks the run to stop after the replications in flight, so that only complete results are
//! written, a second one aborts at once.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `--progress`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgressMode {
    /// A bar when stderr is a terminal, plain lines otherwise.
    Auto,
    /// A progress bar (drawn only on a terminal).
    Bar,
    /// One plain line every few seconds of long work.
    Plain,
    /// Nothing.
    None,
}

impl ProgressMode {
    /// The mode to use: `auto` decided by whether stderr is a terminal; `--quiet` is `none`.
    pub fn resolve(self, quiet: bool) -> ProgressMode {
        match self {
            _ if quiet => ProgressMode::None,
            ProgressMode::Auto if std::io::stderr().is_terminal() => ProgressMode::Bar,
            ProgressMode::Auto => ProgressMode::Plain,
            m => m,
        }
    }
}

/// Time between two plain progress lines: 5 s, or `CCSIM_PROGRESS_SECONDS` (for tests and
/// logs that want more or fewer lines).
fn plain_every() -> Duration {
    std::env::var("CCSIM_PROGRESS_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(Duration::from_secs(5), Duration::from_secs_f64)
}

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::experiment::sweep::Progress;

/// Set by the Ctrl-C handler.
pub static CANCEL: AtomicBool = AtomicBool::new(false);

/// Install the Ctrl-C handler (once per process; later calls do nothing).
pub fn handle_ctrl_c() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let _ = ctrlc::set_handler(|| {
        if CANCEL.swap(true, Ordering::SeqCst) {
            eprintln!("\naborted");
            std::process::exit(130);
        }
        eprintln!("\nstopping after the replications in flight (Ctrl-C again to abort)");
    });
}

/// A progress bar counting replications, with the points done as its message; or, in plain
/// mode, the same counts as a line on stderr every few seconds ([`plain_every`]).
pub struct Bar {
    bar: ProgressBar,
    points: usize,
    points_done: AtomicUsize,
    /// Plain lines: when the work started and when the last line was printed, and how often.
    plain: Option<Mutex<(Instant, Instant)>>,
    every: Duration,
    planned: AtomicU64,
    done: AtomicU64,
}

impl Bar {
    /// A display for `points` points in `mode` (resolved: `Bar`, `Plain` or `None`).
    pub fn new(points: usize, mode: ProgressMode) -> Bar {
        let target = if mode == ProgressMode::Bar && std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} replications · {msg} · {per_sec} · {eta} left",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        let now = Instant::now();
        let b = Bar {
            bar,
            points,
            points_done: AtomicUsize::new(0),
            plain: (mode == ProgressMode::Plain).then(|| Mutex::new((now, now))),
            every: plain_every(),
            planned: AtomicU64::new(0),
            done: AtomicU64::new(0),
        };
        b.message();
        b
    }

    fn message(&self) {
        if self.points > 1 {
            let done = self.points_done.load(Ordering::Relaxed);
            self.bar
                .set_message(format!("points {done}/{}", self.points));
        }
    }

    /// Count points completed before this run (resumed).
    pub fn already_done(&self, points: usize) {
        self.points_done.fetch_add(points, Ordering::Relaxed);
        self.message();
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// In plain mode, a line when the interval has passed since the last one (a thread that
    /// finds another one printing does not wait).
    fn plain_line(&self) {
        let Some(plain) = &self.plain else {
            return;
        };
        let Ok(mut times) = plain.try_lock() else {
            return;
        };
        let now = Instant::now();
        if now.duration_since(times.1) < self.every {
            return;
        }
        times.1 = now;
        let (done, planned) = (
            self.done.load(Ordering::Relaxed),
            self.planned.load(Ordering::Relaxed),
        );
        let elapsed = now.duration_since(times.0).as_secs_f64();
        let rate = done as f64 / elapsed.max(1e-9);
        let left = planned.saturating_sub(done) as f64 / rate.max(1e-9);
        let points = if self.points > 1 {
            format!(
                ", points {}/{}",
                self.points_done.load(Ordering::Relaxed),
                self.points
            )
        } else {
            String::new()
        };
        eprintln!(
            "progress: {done}/{planned} replications{points}, {rate:.1} replications/s, \
             elapsed {elapsed:.0} s, about {left:.0} s left"
        );
    }
}

impl Progress for Bar {
    fn planned(&self, n: u64) {
        self.bar.inc_length(n);
        self.planned.fetch_add(n, Ordering::Relaxed);
    }

    fn replication_done(&self) {
        self.bar.inc(1);
        self.done.fetch_add(1, Ordering::Relaxed);
        self.plain_line();
    }

    fn point_done(&self) {
        self.points_done.fetch_add(1, Ordering::Relaxed);
        self.message();
    }
}

/// The levels a staffing search judges, one line each on stderr (unless the progress mode is
/// `none`): a search can take minutes, and this shows it converging.
pub struct SearchLog {
    pub show: bool,
}

impl SearchLog {
    /// For a resolved `mode`.
    pub fn new(mode: ProgressMode) -> SearchLog {
        SearchLog {
            show: mode != ProgressMode::None,
        }
    }
}

impl Progress for SearchLog {
    fn level_judged(&self, scope: &str, agents: u32, verdict: &str, replications: usize) {
        if self.show {
            eprintln!("{scope}: {agents} agents {verdict} ({replications} replications)");
        }
    }
}
