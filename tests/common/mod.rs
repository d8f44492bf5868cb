//! Helpers shared by the integration tests: scenarios written inline as TOML, and checks of
//! simulated KPIs against exact values with confidence intervals across replications.

#![allow(dead_code)]

use std::path::Path;

use ccsim::experiment::{self, Replication};
use ccsim::scenario::{self, Scenario};
use ccsim::stats::{confidence_interval, Kpi};

/// Parse an inline scenario (the text of a TOML file).
pub fn scenario(text: &str) -> Scenario {
    scenario::parse(text, Path::new("test.toml"), &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Values of `kpi` in each replication, over the whole measured window.
pub fn kpi_values(reps: &[Replication], kpi: &str) -> Vec<f64> {
    let k = Kpi::ALL
        .iter()
        .position(|k| k.name() == kpi)
        .unwrap_or_else(|| panic!("no KPI {kpi}"));
    reps.iter().map(|r| r.overall[k]).collect()
}

/// Run all replications of a scenario.
pub fn run(s: &Scenario) -> Vec<Replication> {
    experiment::run(s)
}

/// Assert that `exact` lies inside the 99% Student-t confidence interval of `values` (one
/// value per independent replication), and that the interval is narrow enough
/// (half-width <= `max_half_width`) for the comparison to be able to catch an error.
pub fn assert_covers(label: &str, values: &[f64], exact: f64, max_half_width: f64) {
    let ci = confidence_interval(values, 0.99).expect("at least one defined value");
    let half = (ci.high - ci.low) / 2.0;
    eprintln!(
        "{label}: exact {exact:.6}, simulated {:.6} [{:.6}, {:.6}] (half-width {half:.6})",
        ci.mean, ci.low, ci.high
    );
    assert!(
        ci.low <= exact && exact <= ci.high,
        "{label}: exact value {exact} outside the 99% interval [{}, {}] (mean {})",
        ci.low,
        ci.high,
        ci.mean
    );
    assert!(
        half <= max_half_width,
        "{label}: the 99% interval is too wide to test anything: half-width {half} > {max_half_width}"
    );
}
