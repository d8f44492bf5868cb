//! A guard on the size of a study before it runs: the expected contacts to simulate and the
//! per-interval KPI values to hold, estimated from the scenario (arrival rates and horizon,
//! reporting intervals) and the command's replications and points. Above a limit the command
//! refuses, giving the estimate, unless `--yes`: a typo such as `--reps 1000000` or
//! `horizon = "3000d"` should not silently take the machine for hours. The limits are far above
//! any bundled scenario or test.

use anyhow::bail;

use crate::experiment::window;
use crate::scenario::Scenario;

/// Contacts simulated by one command, at most, without `--yes` (about an hour and a half of
/// the 2-core development machine at 2 M contacts/s).
pub const MAX_CONTACTS: f64 = 1e10;

/// Interval-replications (each one value per KPI, about 260 bytes) across the study, at most,
/// without `--yes`: 10^7 is about 2.6 GB if all were held at once.
pub const MAX_INTERVAL_REPLICATIONS: f64 = 1e7;

/// The estimated size of a study.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Work {
    pub contacts: f64,
    pub interval_replications: f64,
}

impl Work {
    /// `replications` replications of `scenario`, repeated `times` (points, levels).
    pub fn of(scenario: &Scenario, replications: f64, times: f64) -> Work {
        let runs = replications * times;
        Work {
            contacts: scenario.model.expected_contacts() * runs,
            interval_replications: window(scenario).intervals() as f64 * runs,
        }
    }

    pub fn add(self, other: Work) -> Work {
        Work {
            contacts: self.contacts + other.contacts,
            interval_replications: self.interval_replications + other.interval_replications,
        }
    }

    /// Refuse work above the limits unless `yes`.
    pub fn check(&self, yes: bool) -> anyhow::Result<()> {
        if yes {
            return Ok(());
        }
        if self.contacts > MAX_CONTACTS {
            bail!(
                "this would simulate about {:.2e} contacts (expected arrivals × replications × \
                 points or levels), above the limit of {MAX_CONTACTS:.0e}; check --reps, \
                 --max-reps, --vary and run.horizon, or add --yes to run it anyway",
                self.contacts
            );
        }
        if self.interval_replications > MAX_INTERVAL_REPLICATIONS {
            bail!(
                "this would keep about {:.2e} interval-replications of KPI values (reporting \
                 intervals × replications × points or levels), above the limit of \
                 {MAX_INTERVAL_REPLICATIONS:.0e} (about 2.6 GB); check --reps, --max-reps, \
                 --vary and run.interval, or add --yes to run it anyway",
                self.interval_replications
            );
        }
        Ok(())
    }
}
