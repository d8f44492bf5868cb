//! The estimators of `ccsim fit`: lognormal and gamma maximum-likelihood fits of positive
//! durations, their quantiles for quantile–quantile tables, sample means with Student-t
//! intervals, and patience from censored waits — Kaplan–Meier with Greenwood's variance, and the
//! exponential estimate (abandons ÷ total time waited, the maximum-likelihood estimate of an
//! exponential patience under independent censoring).

use crate::model::dist::ln_gamma;
use crate::stats::summary::{normal_quantile, student_t_quantile};

/// A parametric fit of positive values: by mean and coefficient of variation, as a scenario
/// writes lognormal and gamma distributions, with the log-likelihood of the data under it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Parametric {
    pub family: Family,
    pub mean: f64,
    pub cv: f64,
    pub log_likelihood: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    LogNormal,
    Gamma,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::LogNormal => "lognormal",
            Family::Gamma => "gamma",
        }
    }
}

impl Parametric {
    /// The `p`-quantile of the fitted distribution.
    pub fn quantile(&self, p: f64) -> f64 {
        match self.family {
            Family::LogNormal => {
                let s2 = (1.0 + self.cv * self.cv).ln();
                let mu = self.mean.ln() - s2 / 2.0;
                (mu + s2.sqrt() * normal_quantile(p)).exp()
            }
            Family::Gamma => {
                let k = 1.0 / (self.cv * self.cv);
                gamma_quantile(k, p) * self.mean / k
            }
        }
    }
}

/// Maximum-likelihood lognormal fit of positive `values`: μ and σ² are the mean and the
/// (1/n) variance of the logarithms. `None` with fewer than two values or no spread.
pub fn fit_lognormal(values: &[f64]) -> Option<Parametric> {
    let n = values.len() as f64;
    if values.len() < 2 {
        return None;
    }
    let mu = values.iter().map(|x| x.ln()).sum::<f64>() / n;
    let s2 = values.iter().map(|x| (x.ln() - mu).powi(2)).sum::<f64>() / n;
    if s2.is_nan() || s2 <= 0.0 {
        return None;
    }
    let log_likelihood = -n * mu - n / 2.0 * (2.0 * std::f64::consts::PI * s2).ln() - n / 2.0;
    Some(Parametric {
        family: Family::LogNormal,
        mean: (mu + s2 / 2.0).exp(),
        cv: (s2.exp() - 1.0).sqrt(),
        log_likelihood,
    })
}

/// Maximum-likelihood gamma fit of positive `values`: the shape k solves
/// ln k − ψ(k) = ln(mean) − mean(ln x) (Newton from Minka's starting point), the scale is
/// mean / k. `None` with fewer than two values or no spread.
pub fn fit_gamma(values: &[f64]) -> Option<Parametric> {
    let n = values.len() as f64;
    if values.len() < 2 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n;
    let mean_ln = values.iter().map(|x| x.ln()).sum::<f64>() / n;
    let s = mean.ln() - mean_ln;
    if s.is_nan() || s <= 1e-12 {
        return None;
    }
    let mut k = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..50 {
        let step = (k.ln() - digamma(k) - s) / (1.0 / k - trigamma(k));
        let next = (k - step).max(k / 10.0);
        let done = (next - k).abs() <= 1e-12 * k;
        k = next;
        if done {
            break;
        }
    }
    let theta = mean / k;
    let log_likelihood =
        (k - 1.0) * n * mean_ln - n * mean / theta - n * ln_gamma(k) - n * k * theta.ln();
    Some(Parametric {
        family: Family::Gamma,
        mean,
        cv: 1.0 / k.sqrt(),
        log_likelihood,
    })
}

/// The better of the two fits by log-likelihood (they have as many parameters).
pub fn best(fits: &[Option<Parametric>]) -> Option<Parametric> {
    fits.iter()
        .flatten()
        .copied()
        .max_by(|a, b| a.log_likelihood.total_cmp(&b.log_likelihood))
}

/// Sample mean with its 95% Student-t interval (`None` with fewer than two values).
pub fn mean_interval(values: &[f64]) -> Option<(f64, f64, f64)> {
    crate::stats::confidence_interval(values, 0.95).map(|i| (i.mean, i.low, i.high))
}

/// The `p`-quantile of sorted values (linear between order statistics, "type 7").
pub fn empirical_quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let (i, f) = (h.floor() as usize, h.fract());
    match sorted.get(i + 1) {
        Some(next) => sorted[i] + f * (next - sorted[i]),
        None => sorted[i],
    }
}

/// One observed wait in queue: `abandoned` when it ended in an abandon (an observed patience),
/// otherwise a censored patience (answered, or still waiting at the end).
#[derive(Clone, Copy, Debug)]
pub struct Wait {
    pub time: f64,
    pub abandoned: bool,
}

/// The exponential patience estimate: its mean (total time waited ÷ abandons) and a 95%
/// interval (normal on the log of the rate, whose standard error is 1/√abandons).
pub fn exponential_patience(waits: &[Wait]) -> Option<(f64, f64, f64)> {
    let abandons = waits.iter().filter(|w| w.abandoned).count() as f64;
    if abandons == 0.0 {
        return None;
    }
    let total: f64 = waits.iter().map(|w| w.time).sum();
    let mean = total / abandons;
    let z = normal_quantile(0.975) / abandons.sqrt();
    Some((mean, mean * (-z).exp(), mean * z.exp()))
}

/// The Kaplan–Meier estimate of the patience survival function: one step per time at which
/// someone abandoned (abandons at a time come before the censored waits at the same time).
pub struct KaplanMeier {
    /// (time, survival just after it, Greenwood's sum Σ d / (n (n − d)), at risk just before).
    steps: Vec<(f64, f64, f64, u64)>,
    /// The largest observed wait: the estimate says nothing beyond it.
    pub last: f64,
}

impl KaplanMeier {
    /// Sorts `waits` by time.
    pub fn new(waits: &mut [Wait]) -> KaplanMeier {
        waits.sort_unstable_by(|a, b| {
            a.time
                .total_cmp(&b.time)
                .then(b.abandoned.cmp(&a.abandoned))
        });
        let mut at_risk = waits.len() as u64;
        let (mut s, mut greenwood) = (1.0, 0.0);
        let mut steps = Vec::new();
        let mut i = 0;
        while i < waits.len() {
            let t = waits[i].time;
            let (mut d, mut c) = (0u64, 0u64);
            while i < waits.len() && waits[i].time == t {
                if waits[i].abandoned {
                    d += 1;
                } else {
                    c += 1;
                }
                i += 1;
            }
            if d > 0 {
                let n = at_risk as f64;
                s *= 1.0 - d as f64 / n;
                if at_risk > d {
                    greenwood += d as f64 / (n * (n - d as f64));
                }
                steps.push((t, s, greenwood, at_risk));
            }
            at_risk -= d + c;
        }
        KaplanMeier {
            steps,
            last: waits.last().map_or(0.0, |w| w.time),
        }
    }

    /// S(t), its 95% interval (Greenwood, clipped to [0, 1]) and the number at risk just after
    /// the last abandon at or before `t`.
    pub fn at(&self, t: f64) -> (f64, f64, f64) {
        let k = self.steps.partition_point(|s| s.0 <= t);
        if k == 0 {
            return (1.0, 1.0, 1.0);
        }
        let (_, s, g, _) = self.steps[k - 1];
        let half = normal_quantile(0.975) * s * g.sqrt();
        (s, (s - half).max(0.0), (s + half).min(1.0))
    }

    /// Those at risk just before the first abandon after `t` (the sample the estimate at `t`
    /// rests on).
    pub fn at_risk(&self, t: f64) -> u64 {
        let k = self.steps.partition_point(|s| s.0 <= t);
        self.steps.get(k).map_or(0, |s| s.3)
    }

    /// The smallest time at which S falls to 0.5 or below, if it does.
    pub fn median(&self) -> Option<f64> {
        self.steps.iter().find(|s| s.1 <= 0.5).map(|s| s.0)
    }

    /// ∫ S from 0 to the largest observed wait: the mean patience restricted to what was
    /// observed (below the true mean when the largest waits are censored).
    pub fn restricted_mean(&self) -> f64 {
        let (mut area, mut t, mut s) = (0.0, 0.0, 1.0);
        for &(ti, si, _, _) in &self.steps {
            area += s * (ti - t);
            (t, s) = (ti, si);
        }
        area + s * (self.last - t)
    }
}

/// ψ(x), x > 0: recurrence up to x ≥ 12, then the asymptotic series (next term below 1e-13).
fn digamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 12.0 {
        acc -= 1.0 / x;
        x += 1.0;
    }
    let z = 1.0 / (x * x);
    acc + x.ln() - 0.5 / x - z * (1.0 / 12.0 - z * (1.0 / 120.0 - z * (1.0 / 252.0 - z / 240.0)))
}

/// ψ'(x), x > 0: recurrence up to x ≥ 12, then the asymptotic series (next term below 1e-12).
fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 12.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let z = 1.0 / (x * x);
    acc + 1.0 / x + z / 2.0 + z / x * (1.0 / 6.0 - z * (1.0 / 30.0 - z * (1.0 / 42.0 - z / 30.0)))
}

/// The regularized lower incomplete gamma function P(a, x) (series below a + 1, Lentz's
/// continued fraction above).
fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let front = (a * x.ln() - x - ln_gamma(a)).exp();
    if x < a + 1.0 {
        let (mut term, mut sum, mut n) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (front * sum).min(1.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (1.0 - front * h).max(0.0)
    }
}

/// The `p`-quantile of the gamma distribution of shape `k` and scale 1 (bisection on P, which
/// is monotone: slow-ish but sure, and only used for a few table rows).
fn gamma_quantile(k: f64, p: f64) -> f64 {
    let (mut low, mut high) = (0.0, k.max(1.0));
    while gamma_p(k, high) < p {
        high *= 2.0;
    }
    for _ in 0..200 {
        let mid = (low + high) / 2.0;
        if gamma_p(k, mid) < p {
            low = mid;
        } else {
            high = mid;
        }
        if high - low <= 1e-13 * high {
            break;
        }
    }
    (low + high) / 2.0
}

/// The Student-t factor of a 95% interval with `n` observations.
pub fn t95(n: usize) -> f64 {
    student_t_quantile(0.975, (n.max(2) - 1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_functions_match_known_values() {
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-13);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-13);
        // ψ(1) = −γ; ψ'(1) = π²/6.
        assert!((digamma(1.0) + 0.577_215_664_901_532_9).abs() < 1e-12);
        assert!((trigamma(1.0) - std::f64::consts::PI.powi(2) / 6.0).abs() < 1e-10);
        // Shape 1 is the exponential: P(1, x) = 1 − e^−x, median ln 2.
        assert!((gamma_p(1.0, 2.0) - (1.0 - (-2.0f64).exp())).abs() < 1e-14);
        assert!((gamma_quantile(1.0, 0.5) - 2f64.ln()).abs() < 1e-10);
        assert!((gamma_p(3.0, 5.0) - 0.875_347_980_516_918_8).abs() < 1e-12);
    }

    #[test]
    fn fits_recover_the_parameters_of_exact_quantiles() {
        // Values at the quantiles of a known distribution fit it back closely.
        let truth = Parametric {
            family: Family::Gamma,
            mean: 40.0,
            cv: 0.7,
            log_likelihood: 0.0,
        };
        let n = 4000;
        let values: Vec<f64> = (0..n)
            .map(|i| truth.quantile((i as f64 + 0.5) / n as f64))
            .collect();
        let g = fit_gamma(&values).unwrap();
        assert!(
            (g.mean - 40.0).abs() < 0.05 && (g.cv - 0.7).abs() < 0.01,
            "{g:?}"
        );
        let l = fit_lognormal(&values).unwrap();
        assert!(
            g.log_likelihood > l.log_likelihood,
            "gamma data: {g:?} vs {l:?}"
        );
        let ln = Parametric {
            family: Family::LogNormal,
            ..truth
        };
        let values: Vec<f64> = (0..n)
            .map(|i| ln.quantile((i as f64 + 0.5) / n as f64))
            .collect();
        let l = fit_lognormal(&values).unwrap();
        assert!(
            (l.mean - 40.0).abs() < 0.1 && (l.cv - 0.7).abs() < 0.01,
            "{l:?}"
        );
        assert_eq!(
            best(&[fit_gamma(&values), Some(l)]).unwrap().family,
            Family::LogNormal
        );
    }

    #[test]
    fn kaplan_meier_of_uncensored_data_is_the_empirical_survival() {
        let mut w: Vec<Wait> = [3.0, 1.0, 2.0, 2.0]
            .iter()
            .map(|&time| Wait {
                time,
                abandoned: true,
            })
            .chain([Wait {
                time: 2.0,
                abandoned: false,
            }])
            .collect();
        let km = KaplanMeier::new(&mut w);
        assert_eq!(km.at(0.5).0, 1.0);
        assert!((km.at(1.0).0 - 0.8).abs() < 1e-15);
        // At 2: 4 at risk, 2 abandons (the censored one at 2 is still at risk).
        assert!((km.at(2.5).0 - 0.4).abs() < 1e-15);
        assert_eq!(km.at(3.0).0, 0.0);
        assert_eq!(km.median(), Some(2.0));
        assert!((km.restricted_mean() - (1.0 + 0.8 + 0.4)).abs() < 1e-12);
    }
}
