//! Probability distributions of durations (seconds) and of counts, ready to sample in the event
//! loop. They are built from validated parameters by the scenario module; construction here
//! returns an error message instead of panicking so that nothing user-supplied can crash a run.

use rand::Rng;
use rand_distr::{Distribution, Exp1, Gamma, LogNormal, Weibull};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// A non-negative duration distribution, in seconds.
#[derive(Clone, Debug)]
pub enum Dist {
    Constant(f64),
    Exponential {
        mean: f64,
    },
    LogNormal {
        mean: f64,
        cv: f64,
        inner: LogNormal<f64>,
    },
    Gamma {
        mean: f64,
        cv: f64,
        inner: Gamma<f64>,
    },
    /// Erlang-k with the given mean: a gamma with integer shape.
    Erlang {
        k: u32,
        mean: f64,
        inner: Gamma<f64>,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    Weibull {
        shape: f64,
        scale: f64,
        inner: Weibull<f64>,
    },
    Empirical(Empirical<f64>),
}

/// A distribution over counts `>= 1` (number of exchanges in a conversation).
#[derive(Clone, Debug)]
pub enum CountDist {
    Constant(u32),
    /// Geometric on {1, 2, ...} with the given mean (success probability 1/mean).
    Geometric {
        mean: f64,
    },
    Empirical(Empirical<u32>),
}

/// Sampling with replacement from observed values, optionally weighted.
#[derive(Clone, Debug)]
pub struct Empirical<T> {
    values: Vec<T>,
    /// Cumulative weights normalised to end at 1; empty when all values are equally likely.
    cumulative: Vec<f64>,
}

impl<T: Copy> Empirical<T> {
    /// `weights`, if given, must have one non-negative entry per value with a positive sum.
    pub fn new(values: Vec<T>, weights: Option<&[f64]>) -> Result<Self, String> {
        if values.is_empty() {
            return Err("needs at least one value".into());
        }
        let cumulative = match weights {
            None => Vec::new(),
            Some(w) => {
                if w.len() != values.len() {
                    return Err(format!(
                        "has {} weights for {} values: give one weight per value",
                        w.len(),
                        values.len()
                    ));
                }
                if w.iter().any(|x| !x.is_finite() || *x < 0.0) {
                    return Err("weights must be finite and >= 0".into());
                }
                let total: f64 = w.iter().sum();
                if total <= 0.0 {
                    return Err("weights must not all be zero".into());
                }
                let mut acc = 0.0;
                w.iter()
                    .map(|x| {
                        acc += x;
                        acc / total
                    })
                    .collect()
            }
        };
        Ok(Empirical { values, cumulative })
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> T {
        let u: f64 = rng.random();
        let i = if self.cumulative.is_empty() {
            ((u * self.values.len() as f64) as usize).min(self.values.len() - 1)
        } else {
            self.cumulative
                .partition_point(|&c| c <= u)
                .min(self.values.len() - 1)
        };
        self.values[i]
    }

    fn probabilities(&self) -> impl Iterator<Item = (T, f64)> + '_ {
        let n = self.values.len() as f64;
        self.values.iter().enumerate().map(move |(i, &v)| {
            let p = if self.cumulative.is_empty() {
                1.0 / n
            } else {
                self.cumulative[i] - if i == 0 { 0.0 } else { self.cumulative[i - 1] }
            };
            (v, p)
        })
    }
}

impl<T: Copy + Serialize> Empirical<T> {
    /// The `values` and their `probabilities`, as entries of the map being serialised.
    fn serialize_entries<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
        m.serialize_entry("values", &self.values)?;
        let p: Vec<f64> = self.probabilities().map(|(_, p)| p).collect();
        m.serialize_entry("probabilities", &p)
    }
}

impl Dist {
    pub fn exponential(mean: f64) -> Result<Dist, String> {
        positive("mean", mean)?;
        Ok(Dist::Exponential { mean })
    }

    /// Lognormal by mean and coefficient of variation: sigma^2 = ln(1 + cv^2),
    /// mu = ln(mean) - sigma^2 / 2.
    pub fn lognormal(mean: f64, cv: f64) -> Result<Dist, String> {
        positive("mean", mean)?;
        positive("cv", cv)?;
        let sigma2 = (1.0 + cv * cv).ln();
        let inner = LogNormal::new(mean.ln() - sigma2 / 2.0, sigma2.sqrt())
            .map_err(|e| format!("invalid lognormal: {e}"))?;
        Ok(Dist::LogNormal { mean, cv, inner })
    }

    /// Gamma by mean and cv: shape = 1/cv^2, scale = mean * cv^2.
    pub fn gamma(mean: f64, cv: f64) -> Result<Dist, String> {
        positive("mean", mean)?;
        positive("cv", cv)?;
        let inner = Gamma::new(1.0 / (cv * cv), mean * cv * cv)
            .map_err(|e| format!("invalid gamma: {e}"))?;
        Ok(Dist::Gamma { mean, cv, inner })
    }

    pub fn erlang(k: u32, mean: f64) -> Result<Dist, String> {
        positive("mean", mean)?;
        if k == 0 {
            return Err("k must be >= 1".into());
        }
        let inner =
            Gamma::new(k as f64, mean / k as f64).map_err(|e| format!("invalid erlang: {e}"))?;
        Ok(Dist::Erlang { k, mean, inner })
    }

    pub fn uniform(min: f64, max: f64) -> Result<Dist, String> {
        if !(min.is_finite() && min >= 0.0) {
            return Err(format!("min must be >= 0, got {min}"));
        }
        if !(max.is_finite() && max >= min) {
            return Err(format!("max must be >= min ({min}), got {max}"));
        }
        Ok(Dist::Uniform { min, max })
    }

    /// Weibull by shape and scale; `mean` may be given instead of `scale`:
    /// scale = mean / Gamma(1 + 1/shape).
    pub fn weibull(shape: f64, scale: f64) -> Result<Dist, String> {
        positive("shape", shape)?;
        positive("scale", scale)?;
        let inner = Weibull::new(scale, shape).map_err(|e| format!("invalid weibull: {e}"))?;
        Ok(Dist::Weibull {
            shape,
            scale,
            inner,
        })
    }

    pub fn weibull_scale_for_mean(shape: f64, mean: f64) -> Result<f64, String> {
        positive("shape", shape)?;
        positive("mean", mean)?;
        Ok(mean / ln_gamma(1.0 + 1.0 / shape).exp())
    }

    pub fn empirical(values: Vec<f64>, weights: Option<&[f64]>) -> Result<Dist, String> {
        if let Some(bad) = values.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
            return Err(format!("values must be finite durations >= 0, got {bad}"));
        }
        Ok(Dist::Empirical(Empirical::new(values, weights)?))
    }

    /// Draw one duration. Always finite and >= 0.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Constant(v) => *v,
            Dist::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                mean * e
            }
            Dist::LogNormal { inner, .. } => inner.sample(rng),
            Dist::Gamma { inner, .. } | Dist::Erlang { inner, .. } => inner.sample(rng),
            Dist::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
            Dist::Weibull { inner, .. } => inner.sample(rng),
            Dist::Empirical(e) => e.sample(rng),
        }
    }

    /// Whether every draw is exactly zero (lets the model skip scheduling a timer).
    pub fn is_zero(&self) -> bool {
        matches!(self, Dist::Constant(v) if *v == 0.0)
    }

    /// The exact mean of the distribution.
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Constant(v) => *v,
            Dist::Exponential { mean }
            | Dist::LogNormal { mean, .. }
            | Dist::Gamma { mean, .. }
            | Dist::Erlang { mean, .. } => *mean,
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Weibull { shape, scale, .. } => scale * ln_gamma(1.0 + 1.0 / shape).exp(),
            Dist::Empirical(e) => e.probabilities().map(|(v, p)| v * p).sum(),
        }
    }
}

impl CountDist {
    pub fn geometric(mean: f64) -> Result<CountDist, String> {
        if !(mean.is_finite() && mean >= 1.0) {
            return Err(
                "mean must be a number >= 1 (a conversation has at least one exchange)".into(),
            );
        }
        Ok(CountDist::Geometric { mean })
    }

    /// Inlined to its match, so a constant count costs one load at the caller; the draws are
    /// out of line.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        match self {
            CountDist::Constant(n) => *n,
            _ => self.draw(rng),
        }
    }

    fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        match self {
            CountDist::Constant(n) => *n,
            CountDist::Geometric { mean } => {
                if *mean <= 1.0 {
                    return 1;
                }
                // Inversion: P(N > n) = (1 - p)^n with p = 1/mean.
                let u: f64 = 1.0 - rng.random::<f64>(); // in (0, 1]
                let n = 1.0 + (u.ln() / (1.0 - 1.0 / mean).ln()).floor();
                n.min(u32::MAX as f64) as u32
            }
            CountDist::Empirical(e) => e.sample(rng),
        }
    }

    pub fn mean(&self) -> f64 {
        match self {
            CountDist::Constant(n) => *n as f64,
            CountDist::Geometric { mean } => *mean,
            CountDist::Empirical(e) => e.probabilities().map(|(v, p)| v as f64 * p).sum(),
        }
    }
}

/// Distributions serialise as the scenario file writes them (`{ "dist": "lognormal", "mean":
/// 40.0, "cv": 1.0 }`, seconds), plus their exact `mean`, for `run.json`.
impl Serialize for Dist {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        match self {
            Dist::Constant(v) => {
                m.serialize_entry("dist", "constant")?;
                m.serialize_entry("value", v)?;
            }
            Dist::Exponential { .. } => m.serialize_entry("dist", "exponential")?,
            Dist::LogNormal { cv, .. } => {
                m.serialize_entry("dist", "lognormal")?;
                m.serialize_entry("cv", cv)?;
            }
            Dist::Gamma { cv, .. } => {
                m.serialize_entry("dist", "gamma")?;
                m.serialize_entry("cv", cv)?;
            }
            Dist::Erlang { k, .. } => {
                m.serialize_entry("dist", "erlang")?;
                m.serialize_entry("k", k)?;
            }
            Dist::Uniform { min, max } => {
                m.serialize_entry("dist", "uniform")?;
                m.serialize_entry("min", min)?;
                m.serialize_entry("max", max)?;
            }
            Dist::Weibull { shape, scale, .. } => {
                m.serialize_entry("dist", "weibull")?;
                m.serialize_entry("shape", shape)?;
                m.serialize_entry("scale", scale)?;
            }
            Dist::Empirical(e) => {
                m.serialize_entry("dist", "empirical")?;
                e.serialize_entries(&mut m)?;
            }
        }
        m.serialize_entry("mean", &self.mean())?;
        m.end()
    }
}

impl Serialize for CountDist {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        match self {
            CountDist::Constant(n) => {
                m.serialize_entry("dist", "constant")?;
                m.serialize_entry("value", n)?;
            }
            CountDist::Geometric { .. } => m.serialize_entry("dist", "geometric")?,
            CountDist::Empirical(e) => {
                m.serialize_entry("dist", "empirical")?;
                e.serialize_entries(&mut m)?;
            }
        }
        m.serialize_entry("mean", &self.mean())?;
        m.end()
    }
}

fn positive(name: &str, x: f64) -> Result<(), String> {
    if x.is_finite() && x > 0.0 {
        Ok(())
    } else {
        Err(format!("{name} must be > 0, got {x}"))
    }
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-13): a Weibull mean into
/// a scale here, and the gamma likelihood and incomplete gamma of `ccsim fit`.
pub(crate) fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection keeps the series in its accurate range.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::stream;

    fn sample_mean(d: &Dist, n: usize) -> (f64, f64) {
        let mut rng = stream(1, 0, 0);
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        (m, v.sqrt())
    }

    #[test]
    fn sample_means_match_declared_means() {
        // 200k draws: the standard error is sd/447; a 5-sigma band still catches a wrong
        // parametrisation (e.g. scale and shape swapped), which would miss by far more.
        let n = 200_000;
        let cases = [
            Dist::exponential(40.0).unwrap(),
            Dist::lognormal(40.0, 1.0).unwrap(),
            Dist::gamma(25.0, 0.8).unwrap(),
            Dist::erlang(3, 30.0).unwrap(),
            Dist::uniform(10.0, 20.0).unwrap(),
            Dist::weibull(1.5, Dist::weibull_scale_for_mean(1.5, 60.0).unwrap()).unwrap(),
            Dist::empirical(vec![1.0, 2.0, 10.0], Some(&[1.0, 1.0, 2.0])).unwrap(),
        ];
        for d in &cases {
            let (m, sd) = sample_mean(d, n);
            let se = sd / (n as f64).sqrt();
            assert!(
                (m - d.mean()).abs() < 5.0 * se,
                "{d:?}: sample mean {m}, declared {}",
                d.mean()
            );
        }
    }

    #[test]
    fn lognormal_and_gamma_have_the_requested_cv() {
        for d in [
            Dist::lognormal(40.0, 0.5).unwrap(),
            Dist::gamma(40.0, 0.5).unwrap(),
        ] {
            let (m, sd) = sample_mean(&d, 400_000);
            assert!((sd / m - 0.5).abs() < 0.01, "{d:?}: cv {}", sd / m);
        }
    }

    #[test]
    fn geometric_counts_have_the_requested_mean_and_support() {
        let g = CountDist::geometric(6.0).unwrap();
        let mut rng = stream(1, 0, 3);
        let xs: Vec<u32> = (0..200_000).map(|_| g.sample(&mut rng)).collect();
        assert!(xs.iter().all(|&x| x >= 1));
        let m = xs.iter().map(|&x| x as f64).sum::<f64>() / xs.len() as f64;
        // sd of a geometric with mean 6 is sqrt(30) ~ 5.5; se ~ 0.012.
        assert!((m - 6.0).abs() < 0.06, "mean {m}");
        assert_eq!(CountDist::geometric(1.0).unwrap().sample(&mut rng), 1);
    }

    #[test]
    fn invalid_parameters_are_errors() {
        assert!(Dist::lognormal(40.0, 0.0).is_err());
        assert!(Dist::exponential(-1.0).is_err());
        assert!(Dist::uniform(5.0, 1.0).is_err());
        assert!(Dist::erlang(0, 1.0).is_err());
        assert!(Dist::empirical(vec![], None).is_err());
        assert!(Dist::empirical(vec![1.0], Some(&[0.0])).is_err());
        assert!(CountDist::geometric(0.5).is_err());
    }

    #[test]
    fn ln_gamma_matches_known_values() {
        assert!((ln_gamma(1.0)).abs() < 1e-13);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
    }
}
