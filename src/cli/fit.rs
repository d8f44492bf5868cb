//! `ccsim fit TRACE.csv`: fit a scenario fragment to a record of contacts (and optionally its
//! messages) and write it with the fits' quality into an output folder.

use std::path::PathBuf;

use anyhow::Context;

use super::print_stdout;
use crate::fit::{fit, FitOptions};
use crate::report::folder::{self, Kind};
use crate::scenario::parse_duration_str;

#[derive(clap::Args, Debug)]
pub struct FitArgs {
    /// The contact record: contacts.csv of `ccsim run --trace`, or an export with its columns.
    pub trace: PathBuf,
    /// The messages of the contacts (messages.csv of `ccsim run --trace`), for think and
    /// response times.
    #[arg(long, value_name = "FILE")]
    pub messages: Option<PathBuf>,
    /// Interval of the fitted arrival profile (whole seconds, at least 1m).
    #[arg(long, value_name = "DURATION", default_value = "30m")]
    pub interval: String,
    /// Output folder [default: output/<trace file stem>-fit/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[arg(long, help = super::FORCE_HELP)]
    pub force: bool,
    /// Do not print the estimates.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: FitArgs) -> anyhow::Result<()> {
    let interval = parse_duration_str(&args.interval)
        .map_err(|rule| anyhow::anyhow!("--interval {}: {rule}", args.interval))?;
    let out = args.out.clone().unwrap_or_else(|| {
        let stem = args
            .trace
            .file_stem()
            .map_or("trace".into(), |s| s.to_string_lossy().into_owned());
        PathBuf::from("output").join(format!("{stem}-fit"))
    });
    folder::check(&out, Kind::Fit, args.force)?;
    let fitted = fit(
        &args.trace,
        &FitOptions {
            interval,
            messages: args.messages.clone(),
        },
    )?;
    folder::claim(&out, Kind::Fit, args.force)?;
    folder::write(&out, Kind::Fit, &fitted.files()?)
        .with_context(|| format!("cannot write the fit into {}", out.display()))?;
    if !args.quiet {
        print_stdout(&format!(
            "{}\nwritten to {} (the scenario fragment is fitted.toml)\n",
            fitted.terminal_table(),
            out.display()
        ))?;
    }
    Ok(())
}
