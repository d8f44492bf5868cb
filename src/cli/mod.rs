//! The command line: argument parsing with clap, then the scenario → experiment → report
//! pipeline. Library errors are typed; here they become anyhow errors with context, printed on
//! stderr with a non-zero exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::experiment;
use crate::report::{write_files, RunReport};
use crate::scenario;

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
    Run(RunArgs),
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Number of replications (overrides run.replications).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub reps: Option<u32>,
    /// Master seed (overrides run.seed).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Output folder [default: output/<scenario file stem>/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Override any scenario key by its dotted path, e.g. --set staffing.agents=14
    /// --set indicator.red=90s. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Do not print the summary table.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

pub fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(args) => run(args),
    }
}

fn run(args: RunArgs) -> anyhow::Result<()> {
    let mut overrides = args.overrides.clone();
    // --reps and --seed are shorthands for --set run.replications / run.seed, validated alike.
    if let Some(n) = args.reps {
        overrides.push(format!("run.replications={n}"));
    }
    if let Some(s) = args.seed {
        if s > i64::MAX as u64 {
            anyhow::bail!("--seed {s}: must be at most {}", i64::MAX);
        }
        overrides.push(format!("run.seed={s}"));
    }
    let scenario = scenario::load(&args.scenario, &overrides)?;
    let out = args.out.clone().unwrap_or_else(|| {
        let stem = args
            .scenario
            .file_stem()
            .map_or("scenario".into(), |s| s.to_string_lossy().into_owned());
        PathBuf::from("output").join(stem)
    });
    let replications = experiment::run(&scenario);
    let report = RunReport::new(&scenario, &replications);
    write_files(&out, &report.files())
        .with_context(|| format!("cannot write the results into {}", out.display()))?;
    if !args.quiet {
        let text = format!(
            "{}\nwritten to {}\n",
            report.terminal_table(),
            out.display()
        );
        print_stdout(&text)?;
    }
    Ok(())
}

/// Print to stdout; a closed pipe (`ccsim run … | head`) is not an error.
fn print_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
