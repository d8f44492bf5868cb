//! What the terminal shows while an experiment runs, and how Ctrl-C stops it: a progress bar
//! (indicatif) on stderr, hidden when stderr is not a terminal or with `--quiet`; a first
//! Ctrl-C asks the run to stop after the replications in flight, so that only complete results
//! are written, a second one aborts at once.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

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

/// A progress bar counting replications, with the points done as its message.
pub struct Bar {
    bar: ProgressBar,
    points: usize,
    points_done: AtomicUsize,
}

impl Bar {
    /// A bar for `points` points, hidden when `quiet` or when stderr is not a terminal.
    pub fn new(points: usize, quiet: bool) -> Bar {
        let target = if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
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
        let b = Bar {
            bar,
            points,
            points_done: AtomicUsize::new(0),
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
}

impl Progress for Bar {
    fn planned(&self, n: u64) {
        self.bar.inc_length(n);
    }

    fn replication_done(&self) {
        self.bar.inc(1);
    }

    fn point_done(&self) {
        self.points_done.fetch_add(1, Ordering::Relaxed);
        self.message();
    }
}

/// The levels a staffing search judges, one line each on stderr (when it is a terminal and
/// not `--quiet`): a search can take minutes, and this shows it converging.
pub struct SearchLog {
    pub show: bool,
}

impl SearchLog {
    pub fn new(quiet: bool) -> SearchLog {
        SearchLog {
            show: !quiet && std::io::stderr().is_terminal(),
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
