//! `ccsim erlang c|a`: the analytic Erlang C (M/M/n) and Erlang A (M/M/n+M) values, under the
//! names of the simulator's KPIs, and the smallest staffing that meets targets — for planners
//! to compare with the simulation of the same desk.

use crate::experiment::grid::Vary;
use crate::experiment::staff::{Op, Target};
use crate::scenario::parse_duration_str;
use crate::stats::Kpi;
use crate::theory::{ErlangA, ErlangC};

use super::print_stdout;
use crate::report::{number, short};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// Erlang C: M/M/n, nobody abandons.
    C,
    /// Erlang A: M/M/n+M, exponential patience (needs --patience).
    A,
}

#[derive(clap::Args, Debug)]
pub struct ErlangArgs {
    /// Which formula.
    #[arg(value_enum)]
    pub model: Model,
    /// Arrival rate, contacts per hour.
    #[arg(long, value_name = "PER_HOUR")]
    pub rate: f64,
    /// Mean handle time (exponential), e.g. 3m or 180.
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub aht: f64,
    /// Agents (servers): a number, a list (10,12,14) or a range (10..20, 10..20:2).
    /// Without it, the levels around the smallest one meeting --target (or the load).
    #[arg(long, value_name = "N")]
    pub agents: Option<String>,
    /// Mean patience (exponential), Erlang A only.
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub patience: Option<f64>,
    /// Service level threshold.
    #[arg(long, value_name = "DURATION", value_parser = duration, default_value = "20s")]
    pub threshold: f64,
    /// A target to staff for (KPI>=VALUE or KPI<=VALUE, on the KPIs this command prints).
    /// Repeatable.
    #[arg(long, value_name = "KPI>=VALUE")]
    pub target: Vec<Target>,
    /// Print CSV instead of a table.
    #[arg(long)]
    pub csv: bool,
}

fn duration(text: &str) -> Result<f64, String> {
    parse_duration_str(text).and_then(|d| {
        if d > 0.0 && d.is_finite() {
            Ok(d)
        } else {
            Err("must be a positive duration".into())
        }
    })
}

/// The KPIs the formulas give, in this order.
const KPIS: [Kpi; 6] = [
    Kpi::PWait,
    Kpi::ServiceLevel,
    Kpi::Asa,
    Kpi::WaitMean,
    Kpi::AbandonRate,
    Kpi::Occupancy,
];

/// The KPI values for `n` agents, `None` when the queue has no stationary regime.
fn values(args: &ErlangArgs, n: u32) -> Option<[f64; 6]> {
    let (lambda, mu) = (args.rate / 3600.0, 1.0 / args.aht);
    match (args.model, args.patience) {
        (Model::C, _) => {
            let q = ErlangC::new(n, lambda, mu).ok()?;
            Some([
                q.p_wait(),
                q.service_level(args.threshold),
                q.mean_wait(),
                q.mean_wait(),
                0.0,
                q.occupancy(),
            ])
        }
        (Model::A, Some(patience)) => {
            let q = ErlangA::new(n, lambda, mu, 1.0 / patience).ok()?;
            Some([
                q.p_wait(),
                q.service_level(args.threshold),
                q.mean_wait_served(),
                q.mean_wait(),
                q.p_abandon(),
                q.occupancy(),
            ])
        }
        (Model::A, None) => None,
    }
}

fn meets(targets: &[Target], v: &[f64; 6]) -> bool {
    targets.iter().all(|t| {
        let x = v[KPIS.iter().position(|k| *k == t.kpi).expect("checked")];
        match t.op {
            Op::AtLeast => x >= t.value,
            Op::AtMost => x <= t.value,
        }
    })
}

pub fn erlang(args: ErlangArgs) -> anyhow::Result<()> {
    if !(args.rate > 0.0 && args.rate <= 1e9) {
        anyhow::bail!(
            "--rate {}: must be a positive number of contacts per hour",
            super::as_given(args.rate)
        );
    }
    if args.model == Model::A && args.patience.is_none() {
        anyhow::bail!("erlang a needs --patience (mean patience, e.g. 3m)");
    }
    if args.model == Model::C && args.patience.is_some() {
        anyhow::bail!("--patience applies to erlang a; erlang c has no abandonment");
    }
    if let Some(t) = Target::on_segment(&args.target) {
        anyhow::bail!(
            "--target {t}: the formulas describe one queue and its agents; give the KPI without \
             a scope (e.g. {})",
            t.kpi.name()
        );
    }
    if let Some(t) = args.target.iter().find(|t| !KPIS.contains(&t.kpi)) {
        let names: Vec<&str> = KPIS.iter().map(|k| k.name()).collect();
        anyhow::bail!("--target {t}: the formulas give {}", names.join(", "));
    }
    let load = args.rate / 3600.0 * args.aht;
    // The smallest staffing meeting the targets: staffing is searched upward from the load
    // (Erlang C needs n > load; both models improve with every agent).
    let staffed = if args.target.is_empty() {
        None
    } else {
        let mut n = (load.floor() as u32).max(1);
        loop {
            if values(&args, n).is_some_and(|v| meets(&args.target, &v)) {
                break Some(n);
            }
            if n > 10 * (load.ceil() as u32) + 1000 {
                anyhow::bail!("no staffing up to {n} agents meets the targets");
            }
            n += 1;
        }
    };
    let levels: Vec<u32> = match &args.agents {
        Some(text) => Vary::parse(&format!("agents={text}"))?
            .values
            .iter()
            .map(|v| {
                v.parse::<u32>().ok().filter(|&n| n >= 1).ok_or_else(|| {
                    anyhow::anyhow!("--agents {text}: {v} is not a positive whole number")
                })
            })
            .collect::<anyhow::Result<_>>()?,
        None => {
            let centre = staffed.unwrap_or(load.ceil() as u32 + 1);
            (centre.saturating_sub(3).max(1)..=centre + 3).collect()
        }
    };

    let mut header = vec!["agents".to_string(), "load_erlangs".into()];
    header.extend(KPIS.iter().map(|k| k.name().to_string()));
    let mut text = String::new();
    if args.csv {
        text += &header.join(",");
        text.push('\n');
    } else {
        let model = match args.model {
            Model::C => "Erlang C (M/M/n)".to_string(),
            Model::A => format!(
                "Erlang A (M/M/n+M, mean patience {}s)",
                args.patience.unwrap_or(f64::NAN)
            ),
        };
        text += &format!(
            "{model}: {} contacts/h, mean handle {}s, load {} erlangs, service level within {}s\n\n",
            args.rate,
            args.aht,
            short(load),
            args.threshold
        );
        text += &format!("{:>8} {:>13}", header[0], header[1]);
        for h in &header[2..] {
            text += &format!(" {h:>13}");
        }
        text.push('\n');
    }
    for n in levels {
        let v = values(&args, n);
        if args.csv {
            let cells: Vec<String> = match v {
                Some(v) => v.iter().map(|x| number(*x)).collect(),
                None => vec![String::new(); KPIS.len()],
            };
            text += &format!("{n},{},{}\n", number(load), cells.join(","));
        } else {
            text += &format!("{n:>8} {:>13}", short(load));
            match v {
                Some(v) => v
                    .iter()
                    .for_each(|x| text += &format!(" {:>13}", short(*x))),
                None => text += "   unstable: load >= agents",
            }
            if staffed == Some(n) {
                text += "  ← smallest meeting the targets";
            }
            text.push('\n');
        }
    }
    if let (Some(n), false) = (staffed, args.csv) {
        let targets: Vec<String> = args.target.iter().map(Target::to_string).collect();
        text += &format!(
            "\nsmallest staffing meeting {}: {n} agents\n",
            targets.join(", ")
        );
    }
    print_stdout(&text)
}
