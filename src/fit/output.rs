//! What `ccsim fit` writes: the fitted scenario fragment (`fitted.toml`), every estimate with its
//! interval (`fit.csv`), quantile–quantile tables (`fit_qq.csv`) and their plots
//! (`fit_qq.png`), the Kaplan–Meier patience curve beside the exponential one
//! (`fit_patience.csv`) and the arrival profile with its day-to-day spread
//! (`fit_arrivals.csv`).

use std::fmt::Write as _;

use super::estimate::{
    best, empirical_quantile, exponential_patience, fit_gamma, fit_lognormal, mean_interval, t95,
    KaplanMeier, Parametric,
};
use super::Data;
use crate::report::number;
use crate::report::plots::{Chart, PlotError, QqPanel, Series, PALETTE};
use crate::scenario::{format_clock, format_duration};
use crate::stats::summary::normal_quantile;

/// The probabilities of the quantile–quantile table.
const QQ: [f64; 13] = [
    0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99,
];

/// A duration's fits: the sample, its mean with a 95% interval, the two parametric fits.
pub struct Durations {
    pub name: &'static str,
    /// The positive values, sorted (zeros are left out of the fits and counted apart).
    sorted: Vec<f64>,
    pub zeros: usize,
    /// Mean of every value, zeros included, with its 95% interval.
    pub mean: Option<(f64, f64, f64)>,
    pub lognormal: Option<Parametric>,
    pub gamma: Option<Parametric>,
}

impl Durations {
    fn new(name: &'static str, mut values: Vec<f64>) -> Durations {
        let mean = mean_interval(&values);
        let all = values.len();
        values.retain(|&x| x > 0.0);
        values.sort_unstable_by(f64::total_cmp);
        Durations {
            name,
            zeros: all - values.len(),
            mean,
            lognormal: fit_lognormal(&values),
            gamma: fit_gamma(&values),
            sorted: values,
        }
    }

    /// The rows of `fit.csv` for these durations: the sample mean and the two fits.
    fn estimates(&self, queue: &str, rows: &mut Vec<Estimate>) {
        let at = |method, n| Estimate {
            queue: queue.to_string(),
            quantity: self.name.to_string(),
            method,
            n,
            zeros: self.zeros,
            ..Estimate::default()
        };
        if let Some(m) = self.mean {
            rows.push(Estimate {
                value: m,
                ..at("sample", self.sorted.len() + self.zeros)
            });
        }
        let chosen = self.best();
        for p in [self.lognormal, self.gamma].into_iter().flatten() {
            rows.push(Estimate {
                value: (p.mean, f64::NAN, f64::NAN),
                cv: p.cv,
                log_likelihood: p.log_likelihood,
                chosen: if Some(p) == chosen { "yes" } else { "no" },
                ..at(p.family.name(), self.sorted.len())
            });
        }
    }

    /// The rows of the quantile–quantile table: probability, the empirical quantile and the
    /// lognormal and gamma fits' (NaN for a fit there is not).
    fn qq(&self) -> Vec<(f64, f64, f64, f64)> {
        let fitted = |f: Option<Parametric>, p| f.map_or(f64::NAN, |f| f.quantile(p));
        QQ.iter()
            .map(|&p| {
                (
                    p,
                    empirical_quantile(&self.sorted, p),
                    fitted(self.lognormal, p),
                    fitted(self.gamma, p),
                )
            })
            .collect()
    }

    /// The better of the two fits.
    pub fn best(&self) -> Option<Parametric> {
        best(&[self.lognormal, self.gamma])
    }

    /// The distribution to write in the scenario: the better fit, or a constant when the values
    /// do not spread (all zero, or one value).
    fn toml(&self) -> Option<String> {
        let (mean, _, _) = self.mean?;
        let constant = || Some(format!("{{ dist = \"constant\", value = {} }}", sig(mean)));
        match self.best() {
            // All zero, one value, or no spread.
            None => constant(),
            Some(p) if self.zeros * 10 <= self.sorted.len() => Some(format!(
                "{{ dist = \"{}\", mean = {}, cv = {} }}",
                p.family.name(),
                sig(p.mean),
                sig(p.cv.clamp(1e-4, 100.0))
            )),
            // Many zeros among spread values: a continuous fit of the positive ones would
            // overstate the mean; the sample mean, as an exponential, keeps it.
            Some(_) => Some(format!(
                "{{ dist = \"exponential\", mean = {} }}",
                sig(mean)
            )),
        }
    }
}

/// One row of `fit.csv`.
struct Estimate {
    queue: String,
    quantity: String,
    method: &'static str,
    n: usize,
    zeros: usize,
    censored: usize,
    /// Mean and 95% interval (NaN where there is none).
    value: (f64, f64, f64),
    cv: f64,
    log_likelihood: f64,
    /// `yes` for the fit written into the fragment, `no` for the other one.
    chosen: &'static str,
}

impl Default for Estimate {
    fn default() -> Self {
        Estimate {
            queue: String::new(),
            quantity: String::new(),
            method: "",
            n: 0,
            zeros: 0,
            censored: 0,
            value: (f64::NAN, f64::NAN, f64::NAN),
            cv: f64::NAN,
            log_likelihood: f64::NAN,
            chosen: "",
        }
    }
}

/// What is fitted for one queue.
pub struct QueueFit {
    pub name: String,
    pub groups: Vec<String>,
    /// Per profile interval: mean contacts over the days, its 95% interval, the variance
    /// across days.
    pub profile: Vec<(f64, f64, f64, f64)>,
    /// Contacts per day: mean, 95% interval, variance across days.
    pub daily: (f64, f64, f64, f64),
    pub contacts: u64,
    pub outcomes: [u64; crate::report::trace::Outcome::ALL.len()],
    pub patience: Option<(f64, f64, f64)>,
    pub km: KaplanMeier,
    pub waits: usize,
    pub censored: usize,
    pub handle: Durations,
    pub wrapup: Durations,
    pub exchanges: Option<(f64, f64, f64)>,
}

/// The fit of a whole record.
pub struct Fitted {
    pub data_files: String,
    pub interval: f64,
    pub day_start: f64,
    pub days: usize,
    pub queues: Vec<QueueFit>,
    pub think: Durations,
    pub response: Durations,
    pub messages: bool,
}

/// Mean and 95% interval of counts over days: Student-t across days with two or more, the
/// Poisson interval (normal approximation) with one.
fn count_interval(per_day: &[f64]) -> (f64, f64, f64, f64) {
    let n = per_day.len().max(1) as f64;
    let mean = per_day.iter().sum::<f64>() / n;
    if per_day.len() >= 2 {
        let var = per_day.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let half = t95(per_day.len()) * (var / n).sqrt();
        (mean, (mean - half).max(0.0), mean + half, var)
    } else {
        let half = normal_quantile(0.975) * mean.sqrt();
        (mean, (mean - half).max(0.0), mean + half, f64::NAN)
    }
}

impl Fitted {
    pub fn new(data: Data) -> Fitted {
        let mut data_files = data.trace.display().to_string();
        if let Some(m) = &data.messages {
            let _ = write!(data_files, " and {}", m.display());
        }
        let queues = data
            .queues
            .into_iter()
            .zip(data.groups)
            .map(|(mut q, groups)| {
                let profile = (0..data.intervals)
                    .map(|i| {
                        let per_day: Vec<f64> = q.counts.iter().map(|d| d[i] as f64).collect();
                        count_interval(&per_day)
                    })
                    .collect();
                let totals: Vec<f64> = q
                    .counts
                    .iter()
                    .map(|d| d.iter().sum::<u64>() as f64)
                    .collect();
                let censored = q.waits.iter().filter(|w| !w.abandoned).count();
                QueueFit {
                    name: q.name,
                    groups,
                    profile,
                    daily: count_interval(&totals),
                    contacts: q.outcomes.iter().sum(),
                    outcomes: q.outcomes,
                    patience: exponential_patience(&q.waits),
                    waits: q.waits.len(),
                    censored,
                    km: KaplanMeier::new(&mut q.waits),
                    handle: Durations::new("handle_time", q.handle_times),
                    wrapup: Durations::new("wrapup", q.wrapups),
                    exchanges: mean_interval(&q.exchanges),
                }
            })
            .collect();
        Fitted {
            data_files,
            interval: data.interval,
            day_start: data.day_start,
            days: data.days,
            queues,
            messages: data.messages.is_some(),
            think: Durations::new("think_time", data.think),
            response: Durations::new("response_time", data.responses),
        }
    }

    /// Every file `ccsim fit` writes, by name.
    pub fn files(&self) -> Result<Vec<(&'static str, Vec<u8>)>, PlotError> {
        Ok(vec![
            ("fitted.toml", self.fragment().into_bytes()),
            ("fit.csv", self.estimates_csv().into_bytes()),
            ("fit_qq.csv", self.qq_csv().into_bytes()),
            ("fit_qq.png", self.qq_chart().png()?),
            ("fit_patience.csv", self.patience_csv().into_bytes()),
            ("fit_arrivals.csv", self.arrivals_csv().into_bytes()),
        ])
    }

    /// The day-level factor's coefficient of variation that explains the spread of daily
    /// counts beyond Poisson: variance = m + m²v², so v² = (variance − m) / m² (0 when the
    /// counts spread no more than Poisson; undefined with one day).
    pub fn day_level_cv(daily: (f64, f64, f64, f64)) -> f64 {
        let (m, _, _, var) = daily;
        if var.is_nan() || m <= 0.0 {
            return f64::NAN;
        }
        ((var - m) / (m * m)).max(0.0).sqrt()
    }

    /// The scenario fragment, TOML that ccsim reads (staffing is not in a contact record: the
    /// fragment says how to add it).
    pub fn fragment(&self) -> String {
        let mut t = String::new();
        let total: u64 = self.queues.iter().map(|q| q.contacts).sum();
        let days = if self.days == 1 {
            "day"
        } else {
            "days (or replications)"
        };
        let _ = writeln!(
            t,
            "# Fitted by ccsim fit from {} ({total} contacts, {} {days}).\n# Estimates and their \
             95% intervals are in fit.csv; the quality of the fits in fit_qq.csv and\n# \
             fit_patience.csv. Staffing is not in a contact record: add it (see the end of the file).",
            self.data_files, self.days
        );
        let intervals = self.queues.first().map_or(1, |q| q.profile.len());
        let _ = writeln!(
            t,
            "\n[run]\nhorizon = \"{}\"\nwarmup = 0\ninterval = \"{}\"\nday_start = \"{}\"\nreplications = 10",
            format_duration(intervals as f64 * self.interval),
            format_duration(self.interval),
            format_clock(self.day_start, 0.0),
        );
        let one = self.queues.len() == 1;
        let rates = |q: &QueueFit| -> String {
            let r: Vec<String> = q
                .profile
                .iter()
                .map(|p| sig(p.0 * 3600.0 / self.interval))
                .collect();
            format!("[{}]", r.join(", "))
        };
        let conversation_line = |t: &mut String| {
            let _ = writeln!(t, "\n[conversation]");
            if one {
                if let Some((m, _, _)) = self.queues[0].exchanges.filter(|e| e.0 >= 1.0) {
                    let _ = writeln!(
                        t,
                        "exchanges = {{ dist = \"geometric\", mean = {} }}",
                        sig(m)
                    );
                }
            }
            match (self.messages, self.think.toml(), self.response.toml()) {
                (true, think, response) => {
                    if let Some(d) = think {
                        let _ = writeln!(t, "customer_think = {d}");
                    }
                    match response {
                        Some(d) => {
                            let _ = writeln!(
                                t,
                                "# From the response times (message to reply): they include the \
                                 wait for the agent's\n# attention and the slowdown with several \
                                 chats, so this is an upper bound of compose time.\nagent_compose = {d}"
                            );
                        }
                        None => {
                            let _ = writeln!(t, "agent_compose = {{ dist = \"constant\", value = 0 }}  # no replied message in the record");
                        }
                    }
                }
                (false, _, _) => {
                    let _ = writeln!(
                        t,
                        "# No messages file (--messages): think and response times are unknown.\n\
                         agent_compose = {{ dist = \"constant\", value = 0 }}"
                    );
                }
            }
        };
        let patience = |t: &mut String, q: &QueueFit, key: &str| match q.patience {
            Some((m, low, high)) => {
                let median =
                    q.km.median()
                        .map_or("not reached".into(), |x| format!("{} s", sig(x)));
                let _ = writeln!(
                    t,
                    "# Queue patience from {} waits ({} censored: answered, or waiting at the end): \
                     exponential\n# estimate {} s [{}, {}]; Kaplan–Meier median {median}, \
                     restricted mean {} s.\n{key} = {{ dist = \"exponential\", mean = {} }}",
                    q.waits,
                    q.censored,
                    sig(m),
                    sig(low),
                    sig(high),
                    sig(q.km.restricted_mean()),
                    sig(m)
                );
            }
            None => {
                let _ = writeln!(
                    t,
                    "# No contact abandoned in queue: no queue patience ({} waits, all censored).",
                    q.waits
                );
            }
        };
        let handle_note = |t: &mut String, q: &QueueFit| {
            if let (Some(p), Some((m, low, high))) = (q.handle.best(), q.handle.mean) {
                let _ = writeln!(
                    t,
                    "# Handle time (accept to Mark Done) is not a setting: the model makes it of \
                     exchanges,\n# think, compose and wrap-up. In the record: mean {} s [{}, {}], \
                     best fit {} (mean {}, cv {}).",
                    sig(m),
                    sig(low),
                    sig(high),
                    p.family.name(),
                    sig(p.mean),
                    sig(p.cv)
                );
            }
        };
        let day_note = |t: &mut String, q: &QueueFit| {
            let cv = Self::day_level_cv(q.daily);
            if cv.is_finite() {
                let _ = writeln!(
                    t,
                    "# Day to day: {} contacts a day on average, variance {} over {} days; Poisson \
                     alone gives\n# variance = mean, the rest is a day-level factor of cv {} \
                     (arrivals.day_level in issue 14).",
                    sig(q.daily.0),
                    sig(q.daily.3),
                    self.days,
                    sig(cv)
                );
            }
        };
        if one {
            let q = &self.queues[0];
            let _ = writeln!(t, "\n[arrivals]\nrate_per_hour = {}", rates(q));
            day_note(&mut t, q);
            conversation_line(&mut t);
            let _ = writeln!(t, "\n[patience]");
            patience(&mut t, q, "queue");
            if let Some(d) = q.wrapup.toml() {
                let _ = writeln!(t, "\n[wrapup]\ntime = {d}");
            }
            handle_note(&mut t, q);
            let _ = writeln!(
                t,
                "\n# Staffing, e.g.:\n# [staffing]\n# agents = 12\n# max_concurrent_chats = 3\n\
                 # or on the command line: ccsim run fitted.toml --set staffing.agents=12"
            );
        } else {
            conversation_line(&mut t);
            for q in &self.queues {
                let _ = writeln!(t, "\n[queues.{}]\nrate_per_hour = {}", q.name, rates(q));
                day_note(&mut t, q);
                if !q.groups.is_empty() {
                    let g: Vec<String> = q.groups.iter().map(|g| format!("{g:?}")).collect();
                    let _ = writeln!(
                        t,
                        "# The groups that answered it (in the record, with no overflow timing).\n\
                         served_by = [{{ groups = [{}] }}]",
                        g.join(", ")
                    );
                }
                if let Some((m, _, _)) = q.exchanges.filter(|e| e.0 >= 1.0) {
                    let _ = writeln!(
                        t,
                        "conversation.exchanges = {{ dist = \"geometric\", mean = {} }}",
                        sig(m)
                    );
                }
                patience(&mut t, q, "patience.queue");
                if let Some(d) = q.wrapup.toml() {
                    let _ = writeln!(t, "wrapup.time = {d}");
                }
                handle_note(&mut t, q);
            }
            let mut groups: Vec<&String> = self.queues.iter().flat_map(|q| &q.groups).collect();
            groups.sort();
            groups.dedup();
            let _ = writeln!(t, "\n# Staffing of each group, e.g.:");
            for g in groups {
                let _ = writeln!(
                    t,
                    "# [groups.{g}]\n# agents = 5\n# max_concurrent_chats = 3"
                );
            }
        }
        t
    }

    /// `fit.csv`: every estimate.
    pub fn estimates_csv(&self) -> String {
        let mut rows: Vec<Estimate> = Vec::new();
        for q in &self.queues {
            let at = |quantity: &str, method: &'static str, n: usize| Estimate {
                queue: q.name.clone(),
                quantity: quantity.to_string(),
                method,
                n,
                ..Estimate::default()
            };
            let hours = q.profile.len() as f64 * self.interval / 3600.0;
            let (m, low, high, var) = q.daily;
            rows.push(Estimate {
                value: (m / hours, low / hours, high / hours),
                ..at("arrival_rate_per_hour", "sample", q.contacts as usize)
            });
            rows.push(Estimate {
                value: (m, low, high),
                cv: var.sqrt() / m,
                ..at("daily_contacts", "sample", self.days)
            });
            rows.push(Estimate {
                value: (1.0, f64::NAN, f64::NAN),
                cv: Self::day_level_cv(q.daily),
                ..at("day_level", "moments", self.days)
            });
            for (o, &n) in crate::report::trace::Outcome::ALL.iter().zip(&q.outcomes) {
                let share = n as f64 / q.contacts.max(1) as f64;
                rows.push(Estimate {
                    value: (share, f64::NAN, f64::NAN),
                    ..at(
                        &format!("share_{}", o.name()),
                        "sample",
                        q.contacts as usize,
                    )
                });
            }
            let patience = |method, value| Estimate {
                censored: q.censored,
                value,
                ..at("queue_patience", method, q.waits)
            };
            if let Some(p) = q.patience {
                rows.push(Estimate {
                    cv: 1.0,
                    chosen: "yes",
                    ..patience("exponential", p)
                });
            }
            let point = |x: f64| (x, f64::NAN, f64::NAN);
            rows.push(patience(
                "kaplan_meier_restricted_mean",
                point(q.km.restricted_mean()),
            ));
            if let Some(median) = q.km.median() {
                rows.push(patience("kaplan_meier_median", point(median)));
            }
            q.handle.estimates(&q.name, &mut rows);
            q.wrapup.estimates(&q.name, &mut rows);
            if let Some(e) = q.exchanges {
                rows.push(Estimate {
                    value: e,
                    ..at("exchanges", "sample", 0)
                });
            }
        }
        if self.messages {
            self.think.estimates("", &mut rows);
            self.response.estimates("", &mut rows);
        }
        let mut t = String::from(
            "queue,quantity,method,n,zeros,censored,mean,ci95_low,ci95_high,cv,log_likelihood,chosen\n",
        );
        for e in rows {
            let _ = writeln!(
                t,
                "{},{},{},{},{},{},{},{},{},{},{},{}",
                e.queue,
                e.quantity,
                e.method,
                e.n,
                e.zeros,
                e.censored,
                number(e.value.0),
                number(e.value.1),
                number(e.value.2),
                number(e.cv),
                number(e.log_likelihood),
                e.chosen
            );
        }
        t
    }

    /// The durations of the quantile–quantile table and plot, with their queue (empty for the
    /// whole center), in the table's order; those with no positive value are left out.
    fn qq_samples(&self) -> Vec<(&str, &Durations)> {
        let mut out: Vec<(&str, &Durations)> = Vec::new();
        for q in &self.queues {
            out.push((&q.name, &q.handle));
            out.push((&q.name, &q.wrapup));
        }
        if self.messages {
            out.push(("", &self.think));
            out.push(("", &self.response));
        }
        out.retain(|(_, d)| !d.sorted.is_empty());
        out
    }

    /// `fit_qq.csv`: empirical and fitted quantiles of every fitted duration.
    pub fn qq_csv(&self) -> String {
        let mut t = String::from("queue,quantity,probability,empirical,lognormal,gamma\n");
        for (queue, d) in self.qq_samples() {
            for (p, empirical, lognormal, gamma) in d.qq() {
                let _ = writeln!(
                    t,
                    "{queue},{},{p},{},{},{}",
                    d.name,
                    number(empirical),
                    number(lognormal),
                    number(gamma)
                );
            }
        }
        t
    }

    /// `fit_qq.png`: the table of `fit_qq.csv` as quantile–quantile plots, a panel per
    /// duration.
    pub fn qq_chart(&self) -> Chart {
        let panels = self
            .qq_samples()
            .into_iter()
            .map(|(queue, d)| {
                let rows = d.qq();
                let fit = |name: &str, color, pick: fn(&(f64, f64, f64, f64)) -> f64| Series {
                    name: name.to_string(),
                    color,
                    points: rows.iter().map(|r| (r.1, pick(r))).collect(),
                    band: Vec::new(),
                };
                let what = d.name.replace('_', " ");
                let chosen = d
                    .best()
                    .map_or(String::new(), |p| format!(", {} chosen", p.family.name()));
                QqPanel {
                    title: if queue.is_empty() {
                        format!("{what} (n = {}{chosen})", d.sorted.len())
                    } else {
                        format!("queue {queue}: {what} (n = {}{chosen})", d.sorted.len())
                    },
                    series: vec![
                        fit("lognormal fit", PALETTE[0], |r| r.2),
                        fit("gamma fit", PALETTE[1], |r| r.3),
                    ],
                }
            })
            .collect();
        Chart::Qq {
            title: "Quantile–quantile plots of the fitted durations: each fit's quantiles \
                    against the record's at probabilities 0.01 to 0.99, as in fit_qq.csv"
                .into(),
            x_label: "quantile in the record (s)".into(),
            y_label: "quantile of the fit (s)".into(),
            panels,
        }
    }

    /// `fit_patience.csv`: the Kaplan–Meier survival of queue patience with its 95% band,
    /// beside the exponential estimate's, at 20 times evenly spaced up to the largest wait
    /// observed (the estimate says nothing beyond it).
    pub fn patience_csv(&self) -> String {
        let mut t = String::from(
            "queue,time,at_risk,km_survival,km_ci95_low,km_ci95_high,exponential_survival\n",
        );
        for q in &self.queues {
            let Some((mean, _, _)) = q.patience else {
                continue;
            };
            for k in 1..=20 {
                let time = q.km.last * k as f64 / 20.0;
                let (s, low, high) = q.km.at(time);
                let _ = writeln!(
                    t,
                    "{},{},{},{},{},{},{}",
                    q.name,
                    number(time),
                    q.km.at_risk(time),
                    number(s),
                    number(low),
                    number(high),
                    number((-time / mean).exp())
                );
            }
        }
        t
    }

    /// `fit_arrivals.csv`: the arrival profile per queue and interval.
    pub fn arrivals_csv(&self) -> String {
        let mut t = String::from(
            "queue,interval,start,end,days,contacts_mean,rate_per_hour,ci95_low,ci95_high,variance,dispersion\n",
        );
        let per_hour = 3600.0 / self.interval;
        for q in &self.queues {
            for (i, &(m, low, high, var)) in q.profile.iter().enumerate() {
                let _ = writeln!(
                    t,
                    "{},{i},{},{},{},{},{},{},{},{},{}",
                    q.name,
                    format_clock(self.day_start, i as f64 * self.interval),
                    format_clock(self.day_start, (i + 1) as f64 * self.interval),
                    self.days,
                    number(m),
                    number(m * per_hour),
                    number(low * per_hour),
                    number(high * per_hour),
                    number(var),
                    number(if m > 0.0 { var / m } else { f64::NAN })
                );
            }
        }
        t
    }

    /// The estimates at a glance, for the terminal.
    pub fn terminal_table(&self) -> String {
        let mut t = String::new();
        let ci = |m: Option<(f64, f64, f64)>| {
            m.map_or("—".into(), |(m, l, h)| {
                format!("{} [{}, {}]", sig(m), sig(l), sig(h))
            })
        };
        for q in &self.queues {
            let hours = q.profile.len() as f64 * self.interval / 3600.0;
            let (m, l, h, _) = q.daily;
            let _ = writeln!(
                t,
                "queue {}: {} contacts over {} day(s)",
                q.name, q.contacts, self.days
            );
            let _ = writeln!(
                t,
                "  arrival rate per hour   {}",
                ci(Some((m / hours, l / hours, h / hours)))
            );
            let _ = writeln!(t, "  queue patience (exp), s {}", ci(q.patience));
            let _ = writeln!(t, "  handle time mean, s     {}", ci(q.handle.mean));
            let _ = writeln!(t, "  exchanges mean          {}", ci(q.exchanges));
        }
        if self.messages {
            let _ = writeln!(t, "think time mean, s        {}", ci(self.think.mean));
            let _ = writeln!(t, "response time mean, s     {}", ci(self.response.mean));
        }
        t
    }
}

/// Six significant digits: enough for a scenario, short enough to read.
fn sig(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return number(x);
    }
    let digits = 6 - 1 - x.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits.clamp(-300, 300));
    let rounded = (x * scale).round() / scale;
    format!("{rounded}")
}
