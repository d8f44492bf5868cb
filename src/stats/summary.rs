//! Statistics across replications.
//!
//! This module owns:
//!
//! * [`normal_quantile`] and [`student_t_quantile`]: inverse CDFs, accurate to
//!   better than 1e-12 relative (checked against 60-digit mpmath values for
//!   p from 1e-300 to 1 - 1e-7 and df from 1 to 1e8);
//! * [`Moments`]: Welford running mean/variance with Chan et al.'s merge, for
//!   accumulating a per-replication metric without storing the values;
//! * [`Interval`] and [`confidence_interval`]: the Student-t confidence
//!   interval of the mean of independent replications.
//!
//! Conventions (no function here panics):
//!
//! * NaN among replication values means "undefined in that replication" and
//!   is skipped by [`Moments::push`] and [`confidence_interval`];
//! * infinite values are kept and propagate (mean ±∞, spread NaN);
//! * a probability outside `[0, 1]`, or NaN, gives a NaN quantile; `p = 0`
//!   and `p = 1` give `-∞` and `+∞`.

use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------
// Normal distribution.

/// `ln √π`, the log of `Γ(1/2)`.
const LN_SQRT_PI: f64 = 0.572_364_942_924_700_1;
/// `ln √(2π)`.
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Inverse CDF of the standard normal distribution.
///
/// Acklam's rational approximation (relative error ≤ 1.2e-9) refined by
/// Halley steps on an accurate `ln Φ`, giving about 1e-15 relative error over
/// the whole range, subnormal tail probabilities included. Returns `-∞` for
/// `p = 0`, `+∞` for `p = 1` and NaN outside `[0, 1]`.
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    // Work in the lower tail, where small probabilities keep full relative
    // precision; `1 - p` is exact for p ≥ 0.5 (Sterbenz).
    if p > 0.5 {
        -lower_normal_quantile(1.0 - p)
    } else {
        lower_normal_quantile(p)
    }
}

/// Normal quantile for `p ∈ [0, 0.5]` (result ≤ 0).
fn lower_normal_quantile(p: f64) -> f64 {
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 0.5 {
        return 0.0;
    }
    let ln_p = p.ln();
    let centred = p - 0.5; // exact (Sterbenz)
    let mut x = acklam(p);
    // Halley's method on Φ(x) = p, with u = (Φ(x) - p)/φ(x) computed so that
    // it keeps relative precision everywhere.
    for _ in 0..3 {
        let ln_phi = -0.5 * x * x - LN_SQRT_2PI;
        let u = if x > -1.0 {
            // Near the centre x is tiny when p is near 1/2: use
            // Φ(x) - p = (Φ(x) - 1/2) - (p - 1/2), two small, accurate terms.
            let centred_cdf = -0.5 * erf_series(-x * std::f64::consts::FRAC_1_SQRT_2);
            (centred_cdf - centred) * (-ln_phi).exp()
        } else {
            // In the tail work in logs, so that Φ and φ below the normal
            // range of f64 stay accurate:
            // u = expm1(ln Φ - ln p) · exp(ln p - ln φ).
            (ln_normal_cdf_lower(x) - ln_p).exp_m1() * (ln_p - ln_phi).exp()
        };
        let step = u / (1.0 + 0.5 * x * u);
        if !step.is_finite() {
            break;
        }
        x -= step;
        if step.abs() <= 1e-15 * x.abs() {
            break;
        }
    }
    x
}

/// Acklam's approximation of the normal quantile for `p ∈ (0, 0.5)`.
fn acklam(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    if p < 0.024_25 {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// `ln Φ(x)` for `x ≤ 0`, via `Φ(x) = erfc(-x/√2)/2` and
/// `erfc(u) = Q(1/2, u²)` (regularized upper incomplete gamma).
fn ln_normal_cdf_lower(x: f64) -> f64 {
    let u = -x * std::f64::consts::FRAC_1_SQRT_2;
    ln_erfc(u) - std::f64::consts::LN_2
}

/// `ln erfc(u)` for `u ≥ 0`, accurate to ~1e-15 relative in `erfc`.
/// Numerical Recipes' `gser`/`gcf` specialised to `a = 1/2`, whose prefactor
/// `e^{-s} s^a / Γ(a)` needs no log-gamma.
fn ln_erfc(u: f64) -> f64 {
    const A: f64 = 0.5;
    let s = u * u;
    if s < A + 1.0 {
        // erfc = 1 - erf loses at most one digit here.
        (-erf_series(u)).ln_1p()
    } else {
        // Continued fraction for Q(a, s) (modified Lentz).
        let mut b = s + 1.0 - A;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..=500 {
            let an = -(i as f64) * (i as f64 - A);
            b += 2.0;
            d = nonzero(an * d + b);
            c = nonzero(b + an / c);
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < f64::EPSILON {
                break;
            }
        }
        -s + A * s.ln() - LN_SQRT_PI + h.ln()
    }
}

/// `erf(u)` for `u ≥ 0`, `u² < 1.5`, with full relative precision (also for
/// tiny `u`): the series of the regularized lower incomplete gamma
/// `P(1/2, u²)` (Numerical Recipes `gser`).
fn erf_series(u: f64) -> f64 {
    const A: f64 = 0.5;
    let s = u * u;
    let mut ap = A;
    let mut term = 1.0 / A;
    let mut sum = term;
    for _ in 0..200 {
        ap += 1.0;
        term *= s / ap;
        sum += term;
        if term.abs() < sum.abs() * f64::EPSILON {
            break;
        }
    }
    // Prefactor e^{-s} s^a / Γ(a) with a = 1/2: e^{-s} u / √π.
    sum * (-s).exp() * u / std::f64::consts::PI.sqrt()
}

/// Guard against division by zero in Lentz's algorithm.
const TINY: f64 = 1e-300;

fn nonzero(x: f64) -> f64 {
    if x.abs() < TINY {
        TINY
    } else {
        x
    }
}

// ---------------------------------------------------------------------------
// Student's t distribution.

/// Above this many degrees of freedom the Cornish–Fisher expansion in 1/ν is
/// used: its truncation error is far below 1e-12 there, while the continued
/// fraction would need O(√ν) iterations.
const CORNISH_FISHER_DF: f64 = 1e5;

/// Inverse CDF of Student's t distribution with `df` degrees of freedom.
///
/// Solves `I_x(ν/2, 1/2) = α` for the two-sided tail `α` (or the central
/// form `I_y(1/2, ν/2) = 1 - α` when `α > 1/2`, so that `p` near 1/2 keeps
/// relative precision), with the regularized incomplete beta function from a
/// Lentz continued fraction and a bracketed Newton iteration in `ln x`.
/// Relative error is below 1e-12 for `df ≥ 1` (non-integer `df` allowed; `df`
/// in (0, 1) works but is less tested). `df = ∞` gives [`normal_quantile`].
/// Returns NaN for `df ≤ 0`, NaN inputs or `p` outside `[0, 1]`; `-∞`/`+∞` for
/// `p = 0`/`p = 1` (also when the quantile exceeds `f64::MAX`).
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if df == f64::INFINITY {
        return normal_quantile(p);
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    if p == 0.5 {
        return 0.0;
    }
    // One-sided tail probability (exact: 1 - p is exact for p > 0.5) and sign.
    let (tail, sign) = if p > 0.5 { (1.0 - p, 1.0) } else { (p, -1.0) };
    if df >= CORNISH_FISHER_DF {
        return sign * cornish_fisher(-normal_quantile(tail), df);
    }
    let two_sided = 2.0 * tail;
    let ln_beta = ln_beta_half(0.5 * df);
    // A rough start; the Newton iteration in log space is forgiving.
    let t0 = cornish_fisher(-normal_quantile(tail), df.max(1.0));
    if two_sided <= 0.5 {
        // Tail form: x = ν/(ν+t²) solves I_x(ν/2, 1/2) = α.
        let v0 = -(t0 * t0 / df).ln_1p();
        let v = solve_ln_inc_beta(0.5 * df, 0.5, ln_beta, two_sided.ln(), v0);
        // t² = ν(1-x)/x with x = e^v.
        sign * (df * -v.exp_m1()).sqrt() * (-0.5 * v).exp()
    } else {
        // Central form: y = t²/(ν+t²) solves I_y(1/2, ν/2) = 1 - α = |2p - 1|.
        let central = 1.0 - two_sided;
        let v0 = 2.0 * t0.ln() - (df + t0 * t0).ln();
        let v = solve_ln_inc_beta(0.5, 0.5 * df, ln_beta, central.ln(), v0);
        // t² = ν·y/(1-y) with y = e^v.
        sign * (df / -v.exp_m1()).sqrt() * (0.5 * v).exp()
    }
}

/// Cornish–Fisher expansion of the t quantile from the normal quantile `z`
/// (Abramowitz & Stegun 26.7.5).
fn cornish_fisher(z: f64, df: f64) -> f64 {
    let z2 = z * z;
    let g1 = (z2 + 1.0) * z / 4.0;
    let g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
    let g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
    let g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
    z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df
}

/// Finds `v = ln z` with `ln I_z(a, b) = ln_target`, for a target ≤ 1/2.
/// Newton's method in (ln z, ln I) coordinates, where the incomplete beta is
/// close to a straight line in both tails, kept inside a bracket that falls
/// back to bisection (or to stepping down while no lower bound is known).
fn solve_ln_inc_beta(a: f64, b: f64, ln_beta: f64, ln_target: f64, v0: f64) -> f64 {
    let mut lo = f64::NEG_INFINITY;
    let mut hi = 0.0_f64; // z = 1, where I = 1 > target
    let mut v = if v0 < 0.0 && v0.is_finite() { v0 } else { -1.0 };
    for _ in 0..200 {
        let (ln_i, slope) = ln_inc_beta(a, b, ln_beta, v);
        let g = ln_i - ln_target;
        if g == 0.0 {
            return v;
        }
        if g < 0.0 {
            lo = v;
        } else {
            hi = v;
        }
        let newton = v - g / slope;
        // Comparisons are false for NaN, which therefore takes a fallback.
        let next = if newton > lo && newton < hi {
            newton
        } else if lo.is_finite() {
            0.5 * (lo + hi)
        } else {
            2.0 * v.min(-1.0)
        };
        if (next - v).abs() <= 1e-14 * v.abs() {
            return next;
        }
        v = next;
    }
    v
}

/// `(ln I_z(a, b), d ln I / d ln z)` at `z = e^v`, `v < 0`, where
/// `ln_beta = ln B(a, b)`. Both `z` and `1 - z` are formed from `v` directly,
/// so neither loses precision near 0 or 1.
fn ln_inc_beta(a: f64, b: f64, ln_beta: f64, v: f64) -> (f64, f64) {
    let z = v.exp();
    let one_minus_z = -v.exp_m1();
    let ln_one_minus_z = if v > -std::f64::consts::LN_2 {
        one_minus_z.ln()
    } else {
        (-z).ln_1p()
    };
    // ln of z^a (1-z)^b / B(a, b).
    let ln_front = a * v + b * ln_one_minus_z - ln_beta;
    if z < (a + 1.0) / (a + b + 2.0) {
        // I = front · cf / a; d ln I / d ln z = z I'(z) / I = a / ((1-z) cf).
        let cf = beta_continued_fraction(a, b, z);
        (ln_front + cf.ln() - a.ln(), a / (one_minus_z * cf))
    } else {
        // Symmetry I_z(a, b) = 1 - I_{1-z}(b, a): here I is not small.
        let cf = beta_continued_fraction(b, a, one_minus_z);
        let complement = ln_front.exp() * cf / b;
        let ln_i = (-complement).ln_1p();
        (ln_i, (ln_front - ln_one_minus_z - ln_i).exp())
    }
}

/// Continued fraction of the incomplete beta function (Numerical Recipes
/// `betacf`, modified Lentz); converges fast for `x < (a+1)/(a+b+2)`.
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 / nonzero(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=10_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / nonzero(1.0 + aa * d);
        c = nonzero(1.0 + aa / c);
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / nonzero(1.0 + aa * d);
        c = nonzero(1.0 + aa / c);
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// `ln B(a, 1/2) = ln Γ(a) + ln Γ(1/2) - ln Γ(a + 1/2)`.
fn ln_beta_half(a: f64) -> f64 {
    ln_gamma_ratio_half(a) + LN_SQRT_PI
}

/// `ln Γ(a) - ln Γ(a + 1/2)` for `a > 0`, computed as one quantity rather than
/// a difference of two large log-gammas (which would lose ~1e-10 at large a).
fn ln_gamma_ratio_half(a: f64) -> f64 {
    // Shift up with Γ(x+1) = xΓ(x) until Stirling's series is accurate:
    // R(a) = R(a+1) + ln(1 + 1/(2a)).
    let mut a = a;
    let mut shift = 0.0;
    while a < 10.0 {
        shift += (0.5 / a).ln_1p();
        a += 1.0;
    }
    // Stirling: ln Γ(z) = (z - 1/2) ln z - z + ln √(2π) + S(z), so
    // R(a) = -ln(a)/2 - a ln(1 + 1/(2a)) + 1/2 + S(a) - S(a + 1/2).
    shift - 0.5 * a.ln() - a * (0.5 / a).ln_1p() + 0.5 + stirling_tail(a) - stirling_tail(a + 0.5)
}

/// `S(z) = Σ B₂ₖ / (2k(2k-1) z^{2k-1})`, seven terms: < 1e-17 for z ≥ 10.
fn stirling_tail(z: f64) -> f64 {
    let r = 1.0 / (z * z);
    (1.0 / 12.0
        + r * (-1.0 / 360.0
            + r * (1.0 / 1260.0
                + r * (-1.0 / 1680.0
                    + r * (1.0 / 1188.0 + r * (-691.0 / 360_360.0 + r * (1.0 / 156.0)))))))
        / z
}

// ---------------------------------------------------------------------------
// Running moments.

/// Running count, mean and sum of squared deviations (Welford), mergeable
/// with Chan et al.'s pairwise formula.
///
/// `push` skips NaN ("undefined in that replication"); ±∞ is accepted and
/// propagates (mean ±∞, variance NaN).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    /// No observations.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one observation; NaN is ignored.
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Combines with another accumulator. The formula is algebraically exact
    /// (same result as pushing all observations into one accumulator), and
    /// agrees with it up to floating-point rounding whatever the order.
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let (na, nb) = (self.n as f64, other.n as f64);
        let n = na + nb;
        let delta = other.mean - self.mean;
        self.mean += delta * (nb / n);
        self.m2 += other.m2 + delta * delta * (na * nb / n);
        self.n = self.n.saturating_add(other.n);
    }

    /// Number of (non-NaN) observations.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Mean; `None` without observations.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then_some(self.mean)
    }

    /// Sample variance (divisor n - 1); `None` with fewer than 2 observations.
    pub fn variance(&self) -> Option<f64> {
        (self.n > 1).then(|| self.m2 / (self.n - 1) as f64)
    }

    /// Sample standard deviation; `None` with fewer than 2 observations.
    pub fn std_dev(&self) -> Option<f64> {
        self.variance().map(f64::sqrt)
    }
}

// ---------------------------------------------------------------------------
// Confidence intervals.

/// Confidence interval of a mean over replications.
///
/// With a single value there is no interval: `low`, `high` and `std_dev` are
/// NaN (and serialize as JSON `null`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Sample mean.
    pub mean: f64,
    /// Lower bound, `mean - t·s/√n`.
    pub low: f64,
    /// Upper bound, `mean + t·s/√n`.
    pub high: f64,
    /// Sample standard deviation `s` (divisor n - 1).
    pub std_dev: f64,
    /// Number of values used (NaN values excluded).
    pub n: u64,
}

impl Interval {
    /// The interval with its bounds clipped to `[min, max]`, the values the quantity can take
    /// (a share's interval never reaches below 0 or above 1). The mean and spread are kept;
    /// NaN bounds (one value) stay NaN.
    pub fn clipped(self, min: f64, max: f64) -> Interval {
        let clip = |x: f64| if x.is_nan() { x } else { x.clamp(min, max) };
        Interval {
            low: clip(self.low),
            high: clip(self.high),
            ..self
        }
    }
}

/// Student-t confidence interval `mean ± t_{(1+level)/2, n-1} · s/√n` of the
/// mean of `values`, one value per replication.
///
/// NaN values are skipped; `None` if none is left. With one value, `low`,
/// `high` and `std_dev` are NaN. Sums run in input order with a two-pass
/// variance, so results are deterministic and accurate. `level` outside
/// `[0, 1]` (or NaN) gives NaN bounds; an infinite value gives an infinite
/// mean and NaN spread.
pub fn confidence_interval(values: &[f64], level: f64) -> Option<Interval> {
    let kept = || values.iter().copied().filter(|x| !x.is_nan());
    let n = kept().count() as u64;
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let mean = kept().sum::<f64>() / nf;
    if n == 1 {
        return Some(Interval {
            mean,
            low: f64::NAN,
            high: f64::NAN,
            std_dev: f64::NAN,
            n,
        });
    }
    let std_dev = (kept().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (nf - 1.0)).sqrt();
    let t = student_t_quantile(0.5 * (1.0 + level), nf - 1.0);
    let std_err = std_dev / nf.sqrt();
    // Identical values have a zero-width interval even at level 1 (∞·0).
    let half_width = if std_err == 0.0 && !t.is_nan() {
        0.0
    } else {
        t * std_err
    };
    Some(Interval {
        mean,
        low: mean - half_width,
        high: mean + half_width,
        std_dev,
        n,
    })
}

#[cfg(test)]
// Reference values are quoted with all the digits mpmath gave.
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    fn assert_rel(actual: f64, expected: f64, tol: f64) {
        let rel = ((actual - expected) / expected).abs();
        assert!(
            rel <= tol || actual == expected,
            "actual {actual:e}, expected {expected:e}, relative error {rel:e}"
        );
    }

    #[test]
    fn t_quantile_table_values() {
        let table = [
            (0.975, 1.0, 12.706204736),
            (0.975, 2.0, 4.302652730),
            (0.975, 9.0, 2.262157163),
            (0.975, 30.0, 2.042272456),
            (0.995, 9.0, 3.249835541),
            (0.995, 19.0, 2.860934606),
        ];
        for (p, df, t) in table {
            assert_rel(student_t_quantile(p, df), t, 1e-9);
            assert_rel(student_t_quantile(1.0 - p, df), -t, 1e-9);
        }
    }

    #[test]
    fn normal_quantile_table_values() {
        assert_rel(normal_quantile(0.975), 1.959963985, 1e-9);
        assert_rel(normal_quantile(0.995), 2.575829304, 1e-9);
    }

    /// Reference values computed with mpmath at 40 digits.
    #[test]
    fn t_quantile_high_precision_references() {
        let reference = [
            (0.975, 1.0, 12.706204736174693314),
            (0.975, 2.0, 4.3026527297494617894),
            (0.975, 4.0, 2.7764451051977934898),
            (0.975, 9.0, 2.2621571627982049992),
            (0.975, 30.0, 2.0422724563012378878),
            (0.995, 9.0, 3.2498355415921257205),
            (0.995, 19.0, 2.8609346064649787866),
            (0.9, 3.0, 1.6377443536962103222),
            (0.6, 5.0, 0.26718086570414506569),
            (0.5000001, 7.0, 2.5974602742784954875e-7),
            (1e-10, 3.0, -2225.7692846830931927),
            (0.999999, 1.5, 5219.4693246068862504),
            (0.95, 100.0, 1.660234326085339115),
            (0.975, 1000.0, 1.9623390808264081039),
            (0.975, 1e5, 1.9599877075346092587),
            (0.99, 1e6, 2.3263516031208050846),
            (0.975, 1e7, 1.9599642217672051104),
            (0.7, 2.5, 0.59730773825231730106),
            (1e-30, 10.0, -2564.5239317426152579),
            (0.51, 50.0, 0.025194638118957534093),
        ];
        for (p, df, t) in reference {
            assert_rel(student_t_quantile(p, df), t, 1e-12);
        }
    }

    #[test]
    fn normal_quantile_high_precision_references() {
        let reference = [
            (0.975, 1.9599639845400538556),
            (0.995, 2.5758293035489004539),
            (0.84, 0.99445788320975303998),
            (0.3, -0.52440051270804081597),
            (0.02425, -1.9729610513118848376),
            (1e-5, -4.2648907939228246102),
            (1e-10, -6.3613409024040561991),
            (1e-20, -9.2623400897984075796),
            (1e-300, -37.047096299361199237),
            (0.999999999, 5.9978070196016374264),
        ];
        for (p, z) in reference {
            assert_rel(normal_quantile(p), z, 1e-13);
        }
        assert_eq!(normal_quantile(0.5), 0.0);
    }

    #[test]
    fn erfc_references() {
        let reference = [
            (0.5, 0.47950012218695346232),
            (1.0, 0.15729920705028513066),
            (2.0, 0.0046777349810472658379),
            (3.0, 0.000022090496998585441373),
            (5.0, 1.5374597944280348502e-12),
            (10.0, 2.088487583762544757e-45),
        ];
        // 1e-13 because exp() of a log near -100 magnifies the log's last-bit error.
        for (u, erfc) in reference {
            assert_rel(ln_erfc(u).exp(), erfc, 1e-13);
        }
        // erfc(27) is subnormal, so compare logs: ln erfc(27) = -732.8688865078974109764.
        assert_rel(ln_erfc(27.0), -732.8688865078974109764, 1e-15);
        assert_eq!(ln_erfc(0.0), 0.0);
    }

    #[test]
    fn t_quantile_matches_closed_forms() {
        // df = 1 (Cauchy): t = cot(π(1-p)); df = 2: t = (2p-1)/√(2p(1-p)).
        let ps = [
            1e-12, 1e-6, 0.001, 0.01, 0.1, 0.3, 0.45, 0.4999, 0.55, 0.8, 0.975, 0.999,
        ];
        for p in ps {
            let upper = 1.0 - p;
            let cauchy = if p < 0.5 {
                -1.0 / (std::f64::consts::PI * p).tan()
            } else {
                1.0 / (std::f64::consts::PI * upper).tan()
            };
            assert_rel(student_t_quantile(p, 1.0), cauchy, 1e-12);
            let df2 = (2.0 * p - 1.0) / (2.0 * p * upper).sqrt();
            assert_rel(student_t_quantile(p, 2.0), df2, 1e-12);
        }
    }

    #[test]
    fn t_quantile_is_consistent_with_its_cdf() {
        // Upper tail of |T| from the same incomplete beta: round trip over a grid.
        for &df in &[1.0, 1.7, 3.0, 10.0, 57.0, 400.0, 5000.0, 60000.0] {
            for &p in &[0.51, 0.6, 0.75, 0.9, 0.99, 0.9999, 1.0 - 1e-9] {
                let t = student_t_quantile(p, df);
                let v = -(t * t / df).ln_1p();
                let (ln_two_sided, _) = ln_inc_beta(0.5 * df, 0.5, ln_beta_half(0.5 * df), v);
                assert_rel(0.5 * ln_two_sided.exp(), 1.0 - p, 1e-12);
            }
        }
    }

    #[test]
    fn t_quantile_is_monotone_and_symmetric() {
        for &df in &[1.0, 2.0, 5.0, 29.0, 1e4, 2e5] {
            let mut previous = f64::NEG_INFINITY;
            for i in 1..1000 {
                let p = i as f64 / 1000.0;
                let t = student_t_quantile(p, df);
                assert!(t > previous, "df {df} p {p}");
                assert_rel(-student_t_quantile(1.0 - p, df), t, 1e-12);
                previous = t;
            }
        }
        // Quantiles decrease towards the normal one as df grows.
        let z = normal_quantile(0.975);
        assert!(student_t_quantile(0.975, 1e5) > z);
        assert!(student_t_quantile(0.975, 99_999.0) > student_t_quantile(0.975, 1e5));
        assert_eq!(student_t_quantile(0.975, f64::INFINITY), z);
    }

    #[test]
    fn degenerate_arguments() {
        assert!(student_t_quantile(f64::NAN, 3.0).is_nan());
        assert!(student_t_quantile(0.9, f64::NAN).is_nan());
        assert!(student_t_quantile(0.9, 0.0).is_nan());
        assert!(student_t_quantile(0.9, -2.0).is_nan());
        assert!(student_t_quantile(1.5, 3.0).is_nan());
        assert_eq!(student_t_quantile(0.0, 3.0), f64::NEG_INFINITY);
        assert_eq!(student_t_quantile(1.0, 3.0), f64::INFINITY);
        assert_eq!(student_t_quantile(0.5, 3.0), 0.0);
        assert!(normal_quantile(f64::NAN).is_nan());
        assert!(normal_quantile(-0.1).is_nan());
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
        // Extreme but valid inputs stay finite or go to ±∞, never NaN.
        assert!(normal_quantile(5e-324) < -38.0);
        assert!(student_t_quantile(1e-300, 1.0) < -1e299);
        assert_eq!(student_t_quantile(5e-324, 1.0), f64::NEG_INFINITY);
        assert!(student_t_quantile(0.975, 0.5) > 12.7);
        assert!(student_t_quantile(0.5 + 1e-16, 4.0) > 0.0);
    }

    #[test]
    fn ln_gamma_ratio_references() {
        // R(a) = ln Γ(a) - ln Γ(a + 1/2).
        assert_rel(ln_gamma_ratio_half(0.5), LN_SQRT_PI, 1e-15);
        assert_rel(
            ln_gamma_ratio_half(1.0),
            -(std::f64::consts::PI.sqrt() / 2.0).ln(),
            1e-14,
        );
        // ln Γ(10) - ln Γ(10.5) = ln(9!) - ln(Γ(10.5)), Γ(10.5) = 1133278.3889487855…
        assert_rel(
            ln_gamma_ratio_half(10.0),
            (362880.0f64 / 1133278.3889487855).ln(),
            1e-14,
        );
    }

    #[test]
    fn moments_match_two_pass() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let mut m = Moments::new();
        xs.iter().for_each(|&x| m.push(x));
        assert_eq!(m.count(), 8);
        assert_eq!(m.mean(), Some(5.0));
        assert_rel(m.variance().unwrap(), 32.0 / 7.0, 1e-15);
        assert_rel(m.std_dev().unwrap(), (32.0f64 / 7.0).sqrt(), 1e-15);
    }

    #[test]
    fn moments_edge_cases() {
        let mut m = Moments::new();
        assert_eq!((m.mean(), m.variance(), m.std_dev()), (None, None, None));
        m.push(f64::NAN);
        assert_eq!(m.count(), 0);
        m.push(3.0);
        assert_eq!((m.mean(), m.variance()), (Some(3.0), None));
        m.push(f64::INFINITY);
        assert_eq!(m.mean(), Some(f64::INFINITY));
        assert!(m.variance().unwrap().is_nan());
    }

    #[test]
    fn moments_merge_matches_sequential() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| 1e6 + ((i * 7919) % 1013) as f64 * 0.37)
            .collect();
        let mut all = Moments::new();
        xs.iter().for_each(|&x| all.push(x));
        for split in [0, 1, 10, 500, 999, 1000] {
            let (mut a, mut b) = (Moments::new(), Moments::new());
            xs[..split].iter().for_each(|&x| a.push(x));
            xs[split..].iter().for_each(|&x| b.push(x));
            let mut ab = a;
            ab.merge(&b);
            let mut ba = b;
            ba.merge(&a);
            for merged in [ab, ba] {
                assert_eq!(merged.count(), all.count());
                assert_rel(merged.mean().unwrap(), all.mean().unwrap(), 1e-14);
                assert_rel(merged.variance().unwrap(), all.variance().unwrap(), 1e-9);
            }
        }
    }

    #[test]
    fn moments_serde_round_trip() {
        let mut m = Moments::new();
        [1.5, 2.25, 9.0].iter().for_each(|&x| m.push(x));
        let back: Moments = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back.count(), m.count());
        assert_rel(back.mean().unwrap(), m.mean().unwrap(), 1e-15);
        assert_rel(back.variance().unwrap(), m.variance().unwrap(), 1e-15);
    }

    #[test]
    fn interval_hand_computed() {
        // mean 3, s² = 10/4, s/√5 = √0.5, t(0.975, 4) = 2.7764451051977934898.
        let ci = confidence_interval(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95).unwrap();
        let half = 2.7764451051977934898 * 0.5f64.sqrt();
        assert_eq!(ci.n, 5);
        assert_eq!(ci.mean, 3.0);
        assert_rel(ci.std_dev, 2.5f64.sqrt(), 1e-15);
        assert_rel(ci.low, 3.0 - half, 1e-12);
        assert_rel(ci.high, 3.0 + half, 1e-12);
    }

    #[test]
    fn interval_wider_at_higher_level() {
        let xs = [10.2, 9.7, 11.1, 10.4, 9.9, 10.8];
        let ci95 = confidence_interval(&xs, 0.95).unwrap();
        let ci99 = confidence_interval(&xs, 0.99).unwrap();
        assert_eq!(ci95.mean, ci99.mean);
        assert!(ci99.low < ci95.low && ci95.high < ci99.high);
        assert!(ci95.low < ci95.mean && ci95.mean < ci95.high);
    }

    #[test]
    fn interval_ignores_nan_and_handles_small_samples() {
        let with_nan = confidence_interval(&[f64::NAN, 1.0, 2.0, f64::NAN, 3.0], 0.9).unwrap();
        assert_eq!(
            with_nan,
            confidence_interval(&[1.0, 2.0, 3.0], 0.9).unwrap()
        );
        assert_eq!(with_nan.n, 3);
        assert_eq!(confidence_interval(&[], 0.95), None);
        assert_eq!(confidence_interval(&[f64::NAN, f64::NAN], 0.95), None);
        let single = confidence_interval(&[f64::NAN, 4.0], 0.95).unwrap();
        assert_eq!((single.mean, single.n), (4.0, 1));
        assert!(single.low.is_nan() && single.high.is_nan() && single.std_dev.is_nan());
        let constant = confidence_interval(&[2.0, 2.0, 2.0], 1.0).unwrap();
        assert_eq!(
            (constant.low, constant.high, constant.std_dev),
            (2.0, 2.0, 0.0)
        );
        let bad_level = confidence_interval(&[1.0, 2.0], 1.5).unwrap();
        assert!(bad_level.low.is_nan() && bad_level.high.is_nan());
        assert_eq!(bad_level.mean, 1.5);
    }

    /// Tiny deterministic normal generator: 64-bit LCG (Knuth's MMIX
    /// constants) feeding Box–Muller.
    struct Normals {
        state: u64,
        spare: Option<f64>,
    }

    impl Normals {
        fn uniform(&mut self) -> f64 {
            self.state = self
                .state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            // Top 53 bits, shifted off zero so that ln(u) is finite.
            ((self.state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }

        fn next(&mut self) -> f64 {
            if let Some(z) = self.spare.take() {
                return z;
            }
            let radius = (-2.0 * self.uniform().ln()).sqrt();
            let angle = 2.0 * std::f64::consts::PI * self.uniform();
            self.spare = Some(radius * angle.sin());
            radius * angle.cos()
        }
    }

    #[test]
    fn interval_coverage_is_nominal() {
        let mut normals = Normals {
            state: 20_240_611,
            spare: None,
        };
        let (true_mean, sigma) = (50.0, 7.0);
        let trials = 2000;
        let covered = (0..trials)
            .filter(|_| {
                let sample: Vec<f64> = (0..10)
                    .map(|_| true_mean + sigma * normals.next())
                    .collect();
                let ci = confidence_interval(&sample, 0.95).unwrap();
                ci.low <= true_mean && true_mean <= ci.high
            })
            .count();
        let coverage = covered as f64 / trials as f64;
        assert!((coverage - 0.95).abs() <= 0.015, "coverage {coverage}");
    }

    #[test]
    fn intervals_clip_to_the_possible_range() {
        // Shares 0, 0, 0, 0.1: the t interval reaches below 0, the clipped one starts at 0.
        let raw = confidence_interval(&[0.0, 0.0, 0.0, 0.1], 0.95).unwrap();
        assert!(raw.low < 0.0, "{raw:?}");
        let c = raw.clipped(0.0, 1.0);
        assert_eq!(
            (c.low, c.high, c.mean, c.std_dev, c.n),
            (0.0, raw.high, raw.mean, raw.std_dev, 4)
        );
        let near_one = confidence_interval(&[1.0, 1.0, 0.9], 0.95).unwrap();
        assert!(near_one.high > 1.0);
        assert_eq!(near_one.clipped(0.0, 1.0).high, 1.0);
        // One value: no interval, and clipping does not invent one.
        let one = confidence_interval(&[0.5], 0.95).unwrap().clipped(0.0, 1.0);
        assert!(one.low.is_nan() && one.high.is_nan());
    }
}
