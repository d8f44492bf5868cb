//! The command line: argument parsing with clap, then the scenario → experiment → report
//! pipeline of each command (`run`, `sweep`, `merge` in [`study`], `staff`, `erlang`). Library
//! errors are typed; here they become anyhow errors with context, printed on stderr with a
//! non-zero exit code (130 after a Ctrl-C).

mod erlang;
mod fit;
mod guard;
mod progress;
mod staff;
mod study;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::experiment::sweep::{Interrupted, Shard};

#[derive(Parser, Debug)]
#[command(
    name = "ccsim",
    version,
    about = "Discrete-event simulator of a contact center's chat channel"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario's replications and write summary.csv, intervals.csv, replications.csv
    /// and run.json.
    Run(study::RunArgs),
    /// Run a scenario over a grid of settings (--vary) and write sweep.csv, sweep_long.csv,
    /// sweep_segments.csv and one folder of run files per point.
    Sweep(study::SweepArgs),
    /// Combine the shard files of a `--shard` run or sweep into the files one unsharded run
    /// writes, byte for byte.
    Merge(study::MergeArgs),
    /// Find the smallest staffing that meets KPI targets, constant or per interval.
    Staff(staff::StaffArgs),
    /// Analytic Erlang C / Erlang A values and staffing, to compare with the simulation.
    Erlang(erlang::ErlangArgs),
    /// Fit a scenario fragment to a record of contacts (contacts.csv of `run --trace`):
    /// arrival rates, patience with censoring, duration fits, and their quality.
    Fit(fit::FitArgs),
    /// Draw the plots (SVG and PNG) and write report.html for the results in a folder of a
    /// run, a sweep or a staffing search, without simulating again.
    Report(ReportArgs),
}

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// The results folder.
    pub dir: PathBuf,
    #[arg(long, help = FORCE_HELP)]
    pub force: bool,
    /// For a sweep: a KPI target (KPI>=VALUE or KPI<=VALUE, repeatable) to centre the heat
    /// maps' colour scale on and to draw on the KPI plots.
    #[arg(long, value_name = "KPI>=VALUE")]
    pub target: Vec<crate::experiment::staff::Target>,
    /// Do not print where the report is.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options shared by the commands that simulate a scenario.
#[derive(clap::Args, Debug)]
pub struct ScenarioArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Number of replications (overrides run.replications).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub reps: Option<u32>,
    /// Master seed (overrides run.seed).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Override any scenario key by its dotted path, e.g. --set staffing.agents=14
    /// --set indicator.red=90s. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Worker threads [default: one per core, or RAYON_NUM_THREADS]. Results do not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,
    /// No summary table, no progress and no warnings.
    #[arg(long, short)]
    pub quiet: bool,
    #[arg(long, help = FORCE_HELP)]
    pub force: bool,
    /// Progress on stderr: a bar, a plain line every few seconds, or nothing; auto is the bar
    /// on a terminal and plain lines otherwise (--quiet: none).
    #[arg(long, value_enum, value_name = "MODE", default_value_t = progress::ProgressMode::Auto)]
    pub progress: progress::ProgressMode,
    /// Run even when the estimated work (contacts, or per-interval values held) is above the
    /// limits of the work guard.
    #[arg(long)]
    pub yes: bool,
}

/// What `--force` does, for every command that writes output.
pub const FORCE_HELP: &str = "Write into a non-empty output folder that ccsim did not create \
    (no .ccsim-output marker, e.g. the results of an older ccsim) or that holds another kind of \
    ccsim output. ccsim then marks it and writes its own files there, replacing the files that \
    bear the names of its outputs; it never removes or changes any other file";

impl ScenarioArgs {
    /// The `--set` overrides, with --reps and --seed as the `run.replications` and `run.seed`
    /// overrides they are shorthands for (so they are validated alike).
    pub fn overrides(&self) -> anyhow::Result<Vec<String>> {
        let mut overrides = self.overrides.clone();
        if let Some(n) = self.reps {
            overrides.push(format!("run.replications={n}"));
        }
        if let Some(s) = self.seed {
            if s > i64::MAX as u64 {
                anyhow::bail!("--seed {s}: must be at most {}", i64::MAX);
            }
            overrides.push(format!("run.seed={s}"));
        }
        Ok(overrides)
    }

    /// `--out`, or `output/<scenario file stem><suffix>/`.
    pub fn out_dir(&self, out: &Option<PathBuf>, suffix: &str) -> PathBuf {
        out.clone().unwrap_or_else(|| {
            let stem = self
                .scenario
                .file_stem()
                .map_or("scenario".into(), |s| s.to_string_lossy().into_owned());
            Path::new("output").join(format!("{stem}{suffix}"))
        })
    }

    /// The progress mode, resolved (`auto` by the terminal, `--quiet` as none).
    pub fn progress(&self) -> progress::ProgressMode {
        self.progress.resolve(self.quiet)
    }

    /// Run `job` with `--threads` worker threads (or rayon's default). More threads than
    /// cores only add switching (results do not depend on the count): capped at the cores,
    /// with a note on stderr (once per process, not with --quiet).
    pub fn with_threads<T>(&self, job: impl FnOnce() -> T + Send) -> anyhow::Result<T>
    where
        T: Send,
    {
        match self.threads {
            None => Ok(job()),
            Some(n) => {
                let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
                let n = n as usize;
                if n > cores && !self.quiet {
                    static NOTED: std::sync::Once = std::sync::Once::new();
                    NOTED.call_once(|| {
                        eprintln!(
                            "note: --threads {n} is more than the {cores} cores of this machine; \
                             using {cores} (results do not depend on it)"
                        )
                    });
                }
                Ok(rayon::ThreadPoolBuilder::new()
                    .num_threads(n.min(cores))
                    .build()?
                    .install(job))
            }
        }
    }
}

/// `--shard I/N`, shared by run and sweep.
#[derive(clap::Args, Debug)]
pub struct ShardArgs {
    /// Run only the I-th of N deterministic slices of the (point × replication) tasks and write
    /// a shard file into --out; `ccsim merge` combines the N shard folders.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e)
            if e.downcast_ref::<Interrupted>()
                .is_some_and(Interrupted::by_user) =>
        {
            eprintln!("interrupted: {e:#}");
            ExitCode::from(130)
        }
        Err(e) if e.downcast_ref::<study::PrecisionNotMet>().is_some() => {
            eprintln!("error: {e:#}");
            ExitCode::from(3)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

pub fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(args) => study::run(args),
        Command::Sweep(args) => study::sweep(args),
        Command::Merge(args) => study::merge(args),
        Command::Staff(args) => staff::staff(args),
        Command::Erlang(args) => erlang::erlang(args),
        Command::Fit(args) => fit::run(args),
        Command::Report(args) => {
            let page = crate::report::render::report(&args.dir, &args.target, args.force)?;
            if !args.quiet {
                print_stdout(&format!("report written to {}\n", page.display()))?;
            }
            Ok(())
        }
    }
}

/// A number given on the command line, as the user wrote it: `nan`, not Rust's `NaN`.
fn as_given(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else {
        x.to_string()
    }
}

/// Print to stdout; a closed pipe (`ccsim run … | head`) is not an error.
fn print_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
