//! Exact queueing results that the simulator is validated against: Erlang B/C
//! for M/M/n, Erlang A for M/M/n+M (exponential patience) and the
//! finite-source single-server queue M/M/1//k. Used by the tests and, later, by
//! the CLI's `erlang` command.
//!
//! Time units are whatever the caller uses, consistently: rates are per unit
//! time, means are in the same time unit. Every constructor validates its
//! input and no function panics: a bad parameter is a [`TheoryError`].

use thiserror::Error;

/// Why a formula cannot be evaluated for the given parameters.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TheoryError {
    #[error("invalid parameter `{name}` = {value}: {reason}")]
    InvalidParameter {
        name: &'static str,
        value: f64,
        reason: &'static str,
    },
    #[error("unstable system: arrival rate {arrival_rate} >= service capacity {capacity}")]
    Unstable { arrival_rate: f64, capacity: f64 },
}

fn invalid(name: &'static str, value: f64, reason: &'static str) -> TheoryError {
    TheoryError::InvalidParameter {
        name,
        value,
        reason,
    }
}

fn check_positive(name: &'static str, value: f64) -> Result<(), TheoryError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(invalid(name, value, "must be finite and > 0"))
    }
}

fn check_servers(servers: u32) -> Result<(), TheoryError> {
    if servers == 0 {
        Err(invalid("servers", 0.0, "must be at least 1"))
    } else {
        Ok(())
    }
}

/// Erlang B blocking probability B(n, a) for `servers` = n and offered load
/// a = lambda/mu (Erlangs), by the standard recursion
/// B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)).
/// Every step is a ratio of positive numbers, so it neither overflows nor
/// cancels; it is stable for n up to 100 000 and beyond.
pub fn erlang_b(servers: u32, offered_load: f64) -> Result<f64, TheoryError> {
    check_servers(servers)?;
    if !(offered_load.is_finite() && offered_load >= 0.0) {
        return Err(invalid(
            "offered_load",
            offered_load,
            "must be finite and >= 0",
        ));
    }
    let mut b = 1.0;
    for k in 1..=servers {
        b = offered_load * b / (f64::from(k) + offered_load * b);
        if b == 0.0 {
            break; // underflowed: it stays 0, no need to walk a huge n
        }
    }
    Ok(b)
}

/// M/M/n (Erlang C): Poisson arrivals, exponential service, n servers,
/// infinite patience, FCFS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangC {
    pub servers: u32,
    pub arrival_rate: f64,
    pub service_rate: f64,
}

impl ErlangC {
    /// Errors on n = 0, non-positive or non-finite rates, and
    /// `Unstable` when lambda >= n mu (no stationary regime).
    pub fn new(servers: u32, arrival_rate: f64, service_rate: f64) -> Result<Self, TheoryError> {
        check_servers(servers)?;
        check_positive("arrival_rate", arrival_rate)?;
        check_positive("service_rate", service_rate)?;
        let capacity = f64::from(servers) * service_rate;
        if arrival_rate >= capacity {
            return Err(TheoryError::Unstable {
                arrival_rate,
                capacity,
            });
        }
        Ok(Self {
            servers,
            arrival_rate,
            service_rate,
        })
    }

    fn capacity(&self) -> f64 {
        f64::from(self.servers) * self.service_rate
    }

    /// C(n, a) = B / (1 - rho (1 - B)): Erlang C expressed through Erlang B,
    /// which inherits the recursion's stability (no factorials).
    pub fn p_wait(&self) -> f64 {
        let a = self.arrival_rate / self.service_rate;
        let rho = self.occupancy();
        match erlang_b(self.servers, a) {
            Ok(b) => b / (1.0 - rho * (1.0 - b)),
            Err(_) => f64::NAN,
        }
    }

    /// E[W] = C / (n mu - lambda).
    pub fn mean_wait(&self) -> f64 {
        self.p_wait() / (self.capacity() - self.arrival_rate)
    }

    /// P(W <= t) = 1 - C exp(-(n mu - lambda) t); 0 for t < 0.
    pub fn service_level(&self, t: f64) -> f64 {
        if t < 0.0 {
            return 0.0;
        }
        1.0 - self.p_wait() * (-(self.capacity() - self.arrival_rate) * t).exp()
    }

    /// Server utilisation lambda / (n mu).
    pub fn occupancy(&self) -> f64 {
        self.arrival_rate / self.capacity()
    }

    /// E[Q] = lambda E[W] (Little's law).
    pub fn mean_queue_length(&self) -> f64 {
        self.arrival_rate * self.mean_wait()
    }
}

/// Above this value of lambda/theta or n mu/theta the A(x, y) series needs
/// more than ~10^7 terms; such a tiny abandon rate is Erlang C in practice.
const MAX_SCALED_RATE: f64 = 1e12;

/// M/M/n+M (Erlang A): as [`ErlangC`] plus exponential patience with rate
/// theta (= 1 / mean patience). Stable for any load because waiting customers
/// abandon. Formulas after Mandelbaum & Zeltyn ("The M/M/n+G queue: summary of
/// performance measures") and Garnett, Mandelbaum & Reiman (2002), "Designing
/// a call center with impatient customers", MSOM 4(3).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangA {
    pub servers: u32,
    pub arrival_rate: f64,
    pub service_rate: f64,
    pub abandon_rate: f64,
}

/// Quantities shared by all Erlang A measures, in log space. Everything
/// else is P(W>0) times a ratio of the series, because ln A itself can be
/// ~1e11 and differences of such logs would lose all precision.
struct Core {
    ln_p_wait: f64, // ln P(W > 0)
    ln_a: f64,      // ln A(x, y) = ln sum_{j>=0} t_j
    ln_a1_rel: f64, // ln((A - 1) / A), A - 1 = sum_{j>=1} t_j summed on its own
    ln_b_rel: f64,  // ln(B / A), B = sum_{j>=1} j t_j = E[Q] / pi_n
}

impl ErlangA {
    /// Errors on n = 0, non-positive or non-finite rates; theta = 0 is
    /// rejected with a pointer to [`ErlangC`], and so is a theta more than
    /// 1e12 times smaller than lambda or n mu.
    pub fn new(
        servers: u32,
        arrival_rate: f64,
        service_rate: f64,
        abandon_rate: f64,
    ) -> Result<Self, TheoryError> {
        check_servers(servers)?;
        check_positive("arrival_rate", arrival_rate)?;
        check_positive("service_rate", service_rate)?;
        if abandon_rate == 0.0 {
            let reason = "must be > 0; without abandonment use ErlangC";
            return Err(invalid("abandon_rate", abandon_rate, reason));
        }
        check_positive("abandon_rate", abandon_rate)?;
        let scaled = (f64::from(servers) * service_rate).max(arrival_rate) / abandon_rate;
        if scaled > MAX_SCALED_RATE {
            let reason = "negligible next to the arrival/service rates (ratio > 1e12); use ErlangC";
            return Err(invalid("abandon_rate", abandon_rate, reason));
        }
        Ok(Self {
            servers,
            arrival_rate,
            service_rate,
            abandon_rate,
        })
    }

    fn capacity(&self) -> f64 {
        f64::from(self.servers) * self.service_rate
    }

    /// Birth–death solution: pi_j = pi_n t_{j-n} above n with
    /// t_q = prod_{i<=q} y/(x+i), and sum_{j<n} pi_j = pi_n (1/E - 1) with
    /// E = B(n, lambda/mu), so 1/pi_n = 1/E - 1 + A and
    /// P(W>0) = pi_n A = 1 / (1 + (1/E - 1)/A), taken in log space.
    fn core(&self) -> Core {
        let theta = self.abandon_rate;
        let (ln_a, ln_a1_rel, ln_b_rel) =
            a_series(self.capacity() / theta, self.arrival_rate / theta);
        let e = erlang_b(self.servers, self.arrival_rate / self.service_rate).unwrap_or(f64::NAN);
        let ln_inv_e_minus_1 = (-e).ln_1p() - e.ln();
        Core {
            ln_p_wait: -softplus(ln_inv_e_minus_1 - ln_a),
            ln_a,
            ln_a1_rel,
            ln_b_rel,
        }
    }

    /// P(W > 0) = pi_n A = A E / (1 + (A - 1) E).
    pub fn p_wait(&self) -> f64 {
        self.core().ln_p_wait.exp().min(1.0)
    }

    /// P(Ab) = theta E[Q] / lambda (rate balance of abandonments). This is
    /// algebraically Mandelbaum–Zeltyn's P(Ab|W>0) = 1/(rho A) + 1 - 1/rho
    /// times P(W>0), but summing E[Q] directly avoids that form's
    /// cancellation when theta is small.
    pub fn p_abandon(&self) -> f64 {
        let c = self.core();
        if c.ln_b_rel == f64::NEG_INFINITY {
            return 0.0;
        }
        let y = self.arrival_rate / self.abandon_rate;
        (c.ln_p_wait + c.ln_b_rel - y.ln()).exp().clamp(0.0, 1.0)
    }

    /// Mean wait of all arrivals (served ones until service, abandoning ones
    /// until they leave) = E[Q] / lambda = P(Ab) / theta.
    pub fn mean_wait(&self) -> f64 {
        let c = self.core();
        (c.ln_p_wait + c.ln_b_rel - self.arrival_rate.ln()).exp()
    }

    /// E[Q] = pi_n sum_j j t_j.
    pub fn mean_queue_length(&self) -> f64 {
        let c = self.core();
        (c.ln_p_wait + c.ln_b_rel).exp()
    }

    /// P(served after a positive wait) = pi_n (x/y) (A - 1). Derived: with q
    /// ahead in queue, V is a sum of Exp(r_i), r_i = n mu + i theta, i = 0..q,
    /// so P(V < tau) = E[e^{-theta V}] = prod r_i/(r_i + theta) = r_0/r_{q+1}
    /// (telescopes); sum_q pi_n t_q x/(x+q+1) = pi_n (x/y) sum_q t_{q+1}.
    /// Equals P(W>0) - P(Ab) without subtracting.
    fn served_after_wait(&self, c: &Core) -> f64 {
        let nmu_over_lambda = self.capacity() / self.arrival_rate;
        (c.ln_p_wait + nmu_over_lambda.ln() + c.ln_a1_rel).exp()
    }

    /// Mean wait of served customers only (ASA). Derived: a customer with
    /// virtual wait V and patience tau ~ Exp(theta), independent of V under
    /// FCFS, is served iff V < tau and then waits exactly V, so
    /// E[W 1{served}] = int_0^inf s e^{-theta s} f_V(s) ds (the atom V = 0
    /// adds nothing) and ASA = that / (1 - P(Ab)). The integral is taken as
    /// (mass, served_after_wait) x (mean of the normalised shape), see
    /// [`ServedShape`].
    pub fn mean_wait_served(&self) -> f64 {
        let c = self.core();
        let shape = ServedShape::new(self);
        let mean = shape.integral(&|s| s, f64::INFINITY) / shape.integral(&|_| 1.0, f64::INFINITY);
        self.served_after_wait(&c) * mean / (1.0 - self.p_abandon())
    }

    /// P(served AND wait <= t) = P(V = 0) + int_0^t e^{-theta s} f_V(s) ds;
    /// the integral is served_after_wait() times the normalised shape's CDF.
    /// `t = INFINITY` gives P(served) = 1 - P(Ab); 0 for t < 0.
    pub fn service_level(&self, t: f64) -> f64 {
        if t.is_nan() {
            return f64::NAN;
        }
        if t < 0.0 {
            return 0.0;
        }
        let c = self.core();
        let shape = ServedShape::new(self);
        let total = shape.integral(&|_| 1.0, f64::INFINITY);
        let cdf = if total > 0.0 {
            shape.integral(&|_| 1.0, t) / total
        } else {
            1.0
        };
        let p_immediate = 1.0 - c.ln_p_wait.exp().min(1.0);
        (p_immediate + self.served_after_wait(&c) * cdf.min(1.0)).clamp(0.0, 1.0)
    }

    /// Server utilisation lambda (1 - P(Ab)) / (n mu).
    pub fn occupancy(&self) -> f64 {
        (self.arrival_rate * (1.0 - self.p_abandon()) / self.capacity()).min(1.0)
    }

    /// Density of the virtual (offered) wait for s > 0 (the atom P(V=0) is
    /// separate): f_V(s) = n mu pi_n exp(-n mu s + (lambda/theta)(1 - e^{-theta s}))
    /// (Mandelbaum & Zeltyn). Returns the s -> 0+ limit at s = 0 and 0 for s < 0.
    pub fn virtual_wait_density(&self, s: f64) -> f64 {
        if s.is_nan() {
            return f64::NAN;
        }
        if s < 0.0 {
            return 0.0;
        }
        let c = self.core();
        let (nmu, theta) = (self.capacity(), self.abandon_rate);
        let y = self.arrival_rate / theta;
        // expm1 keeps y (1 - e^{-theta s}) exact for tiny theta.
        let ln_pi_n = c.ln_p_wait - c.ln_a; // pi_n = P(W>0) / A
        (nmu.ln() + ln_pi_n - nmu * s - y * (-theta * s).exp_m1()).exp()
    }
}

/// The served-wait density e^{-theta s} f_V(s) = n mu pi_n e^{h(s)},
/// h(s) = -(n mu + theta) s + y (1 - e^{-theta s}), up to its constant: its
/// absolute level is a difference of numbers as large as n mu s and y, so
/// only the shape e^{h(s) - h(s*)} is integrated and the mass comes from the
/// exact series. h is concave (h'' < 0): the shape is unimodal with mode s*
/// where h'(s*) = lambda e^{-theta s*} - (n mu + theta) = 0 (or s* = 0).
/// With d = s - s* and e^{-u} - 1 = u^2 phi(u) - u,
/// h(s) - h(s*) = h'(s*) d - lambda theta e^{-theta s*} d^2 phi(theta d),
/// which stays accurate to rounding around the mode.
struct ServedShape {
    peak: f64,
    slope: f64,     // h'(s*): 0 at an interior mode, <= 0 at s* = 0
    curvature: f64, // lambda theta e^{-theta s*}
    theta: f64,
    end: f64, // the shape is below e^-60 from here on
}

impl ServedShape {
    fn new(e: &ErlangA) -> Self {
        let (nmu, theta, lambda) = (e.capacity(), e.abandon_rate, e.arrival_rate);
        let (peak, slope, curvature) = if lambda > nmu + theta {
            (
                (lambda / (nmu + theta)).ln() / theta,
                0.0,
                (nmu + theta) * theta,
            )
        } else {
            (0.0, lambda - nmu - theta, lambda * theta)
        };
        let mut shape = ServedShape {
            peak,
            slope,
            curvature,
            theta,
            end: peak,
        };
        // Concavity: once 60 e-folds down the rest decays at least
        // exponentially, so it is negligible (< e^-60 relative).
        let mut step = 1.0 / (nmu + theta);
        while shape.ln_value(shape.peak + step) > -60.0 && step < f64::MAX / 4.0 {
            step *= 2.0;
        }
        shape.end = shape.peak + step;
        shape
    }

    fn ln_value(&self, s: f64) -> f64 {
        let d = s - self.peak;
        self.slope * d - self.curvature * d * d * exp_remainder2(self.theta * d)
    }

    /// int_0^min(t, end) weight(s) e^{h(s) - h(s*)} ds, split at the mode.
    fn integral(&self, weight: &dyn Fn(f64) -> f64, t: f64) -> f64 {
        let f = |s: f64| weight(s) * self.ln_value(s).exp();
        let upper = t.min(self.end);
        integrate(&f, 0.0, self.peak.min(upper)) + integrate(&f, self.peak, upper)
    }
}

/// phi(u) = (e^{-u} - 1 + u) / u^2, by its series sum_k (-u)^k / (k+2)! near 0
/// where the direct form cancels.
fn exp_remainder2(u: f64) -> f64 {
    if u.abs() < 0.5 {
        let (mut term, mut sum) = (0.5, 0.5);
        for k in 3..24 {
            term *= -u / f64::from(k);
            sum += term;
        }
        sum
    } else {
        ((-u).exp_m1() + u) / (u * u)
    }
}

/// Returns (ln A, ln((A - 1)/A), ln(B/A)), B = sum_{j>=1} j t_j, with
/// t_j = prod_{i=1..j} y/(x+i) (Garnett–Mandelbaum–Reiman's A(x, y) = sum_j t_j).
/// The terms rise while y/(x+j) > 1, so the largest is t_{j*}, j* = floor(y - x)
/// (or 0). We take ln t_{j*} once and sum the terms relative to it outwards
/// in both directions until a geometric tail bound says the rest is below
/// 1e-17 of the sum: nothing overflows and only ~sqrt(y) terms are visited.
fn a_series(x: f64, y: f64) -> (f64, f64, f64) {
    const EPS: f64 = 1e-17;
    let peak = if y > x { (y - x).floor() } else { 0.0 };
    // s0 = sum_{j>=0} t_j, s0_pos = sum_{j>=1} t_j, s1 = sum_{j>=1} j t_j, all / t_{j*}.
    let (mut s0, mut s1) = (1.0, peak);
    let mut s0_pos = if peak >= 1.0 { 1.0 } else { 0.0 };
    // Right of the peak every ratio q = y/(x+j) < 1 and decreasing, so
    // sum_{i>=1} (j+i) term q^i bounds the remaining tail.
    let (mut term, mut j) = (1.0_f64, peak);
    loop {
        j += 1.0;
        term *= y / (x + j);
        s0 += term;
        s0_pos += term;
        s1 += j * term;
        let q = y / (x + j + 1.0);
        let tail0 = term * q / (1.0 - q);
        let tail1 = j * tail0 + term * q / ((1.0 - q) * (1.0 - q));
        if !(tail0 > EPS * s0_pos || tail1 > EPS * s1) {
            break;
        }
    }
    // Left of the peak the ratios (x+j)/y going down are < 1 and shrinking.
    let (mut term, mut j) = (1.0_f64, peak);
    while j >= 1.0 {
        term *= (x + j) / y;
        j -= 1.0;
        s0 += term;
        if j >= 1.0 {
            s0_pos += term;
        }
        s1 += j * term;
        let q = (x + j) / y;
        let tail0 = term * q / (1.0 - q);
        if !(tail0 > EPS * s0 || j * tail0 > EPS * s1) {
            break;
        }
    }
    let ln_peak = ln_partial_product(x, y, peak);
    (ln_peak + s0.ln(), (s0_pos / s0).ln(), (s1 / s0).ln())
}

/// ln prod_{i=1..j} y/(x+i) for integral j >= 0. The first 64 factors are
/// summed directly; the rest, with x' = x + 64 >= 64, via
/// ln Gamma(z1 + J) - ln Gamma(z1) from Stirling's series written as
/// differences (ln1p) so that no large logarithms cancel.
fn ln_partial_product(x: f64, y: f64, j: f64) -> f64 {
    const DIRECT: f64 = 64.0;
    let mut sum = 0.0;
    let mut i = 1.0;
    while i <= j.min(DIRECT) {
        sum += (y / (x + i)).ln();
        i += 1.0;
    }
    if j <= DIRECT {
        return sum;
    }
    // prod_{i=1..J} y/(x'+i) = y^J Gamma(z1) / Gamma(z2), z1 = x'+1, z2 = z1+J;
    // Stirling remainder through 1/z^5 is < 1e-16 for z >= 65.
    let stirling = |z: f64| {
        let w = 1.0 / (z * z);
        (1.0 / 12.0 - w * (1.0 / 360.0 - w / 1260.0)) / z
    };
    let z1 = x + DIRECT + 1.0;
    let big_j = j - DIRECT;
    let z2 = z1 + big_j;
    sum + big_j * ((y - z2) / z2).ln_1p() + big_j - (z1 - 0.5) * (big_j / z1).ln_1p() - stirling(z2)
        + stirling(z1)
}

/// ln(1 + e^z) without overflow.
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// Adaptive Simpson on [a, b], pre-split into 32 panels, to a relative
/// tolerance of 1e-13 (absolute floor 1e-16); the tolerance is re-based on
/// the first result when the coarse estimate overshot it. A piece is also
/// accepted once its error estimate is down at rounding level (refining
/// further only chases noise), and an evaluation budget bounds the work
/// whatever happens.
fn integrate(f: &dyn Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    const PANELS: usize = 32;
    const REL_TOL: f64 = 1e-13;
    if a.is_nan() || b.is_nan() || b <= a {
        return 0.0;
    }
    let width = (b - a) / PANELS as f64;
    let panels: Vec<([f64; 2], [f64; 3], f64)> = (0..PANELS)
        .map(|i| {
            let lo = a + width * i as f64;
            let hi = if i + 1 == PANELS { b } else { lo + width };
            let values = [f(lo), f(0.5 * (lo + hi)), f(hi)];
            let whole = (hi - lo) / 6.0 * (values[0] + 4.0 * values[1] + values[2]);
            ([lo, hi], values, whole)
        })
        .collect();
    let run = |scale: f64| -> f64 {
        let tol = (REL_TOL * scale).max(1e-16) / PANELS as f64;
        let mut adaptive = Adaptive {
            f,
            budget: 1_000_000,
        };
        panels
            .iter()
            .map(|&(ends, values, whole)| adaptive.step(ends, values, whole, tol, 40))
            .sum()
    };
    let coarse: f64 = panels.iter().map(|p| p.2.abs()).sum();
    let first = run(coarse);
    if first.abs() < 0.1 * coarse {
        run(first.abs())
    } else {
        first
    }
}

struct Adaptive<'a> {
    f: &'a dyn Fn(f64) -> f64,
    budget: usize,
}

impl Adaptive<'_> {
    fn step(
        &mut self,
        [a, b]: [f64; 2],
        [fa, fm, fb]: [f64; 3],
        whole: f64,
        tol: f64,
        depth: u32,
    ) -> f64 {
        let m = 0.5 * (a + b);
        let (flm, frm) = ((self.f)(0.5 * (a + m)), (self.f)(0.5 * (m + b)));
        self.budget = self.budget.saturating_sub(2);
        let left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
        let right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
        let delta = left + right - whole;
        let rounding = 1e-13 * (left + right).abs();
        if depth == 0 || self.budget == 0 || !(delta.abs() > 15.0 * tol && delta.abs() > rounding) {
            return left + right + delta / 15.0; // Richardson-corrected
        }
        self.step([a, m], [fa, flm, fm], left, tol / 2.0, depth - 1)
            + self.step([m, b], [fm, frm, fb], right, tol / 2.0, depth - 1)
    }
}

/// Caps memory (three vectors of k+1 floats) at something sane.
const MAX_CUSTOMERS: u32 = 1_000_000;

/// M/M/1//k: one FIFO server, k customers alternating exponential think time
/// (mean c) and exponential service (mean a).
#[derive(Debug, Clone, PartialEq)]
pub struct FiniteSource {
    customers: u32,
    think_mean: f64,
    service_mean: f64,
    probs: Vec<f64>,
    /// G_m = P(an arriving customer finds >= m at the server), m = 0..k-1.
    found_at_least: Vec<f64>,
}

impl FiniteSource {
    /// Errors on k = 0 or k > 1 000 000, and non-positive or non-finite means.
    pub fn new(customers: u32, think_mean: f64, service_mean: f64) -> Result<Self, TheoryError> {
        if customers == 0 || customers > MAX_CUSTOMERS {
            let reason = "must be between 1 and 1000000";
            return Err(invalid("customers", f64::from(customers), reason));
        }
        check_positive("think_mean", think_mean)?;
        check_positive("service_mean", service_mean)?;
        let ln_ratio = service_mean.ln() - think_mean.ln();
        let probs = finite_source_distribution(customers, ln_ratio);
        // Arrival theorem: an arrival sees the time-stationary law of the same
        // system with k-1 customers (rate-weighting P_j by (k-j) gives exactly it).
        let seen = finite_source_distribution(customers - 1, ln_ratio);
        let mut found_at_least = seen;
        let mut tail = 0.0;
        for g in found_at_least.iter_mut().rev() {
            tail += *g;
            *g = tail.min(1.0);
        }
        Ok(Self {
            customers,
            think_mean,
            service_mean,
            probs,
            found_at_least,
        })
    }

    pub fn customers(&self) -> u32 {
        self.customers
    }

    pub fn think_mean(&self) -> f64 {
        self.think_mean
    }

    pub fn service_mean(&self) -> f64 {
        self.service_mean
    }

    /// P_j = P(j customers at the server), j = 0..k,
    /// proportional to k!/(k-j)! (a/c)^j.
    pub fn state_probabilities(&self) -> &[f64] {
        &self.probs
    }

    /// Mean response (queue + service) = k a / (1 - P_0) - c. Evaluated as
    /// a (1 + E^{(k-1)}[N]) — an arrival waits for everyone it finds plus its
    /// own service — which is the same number without the subtraction's
    /// cancellation when a << c.
    pub fn mean_response(&self) -> f64 {
        self.service_mean * self.found_at_least.iter().sum::<f64>()
    }

    /// P(R > t) = sum_j pi^{(k-1)}_j P(Erlang(j+1, 1/a) > t)
    ///          = sum_m G_m e^{-z} z^m / m!,  z = t/a,
    /// after swapping the sums (the Erlang tail is a Poisson CDF). All terms
    /// are positive and each Poisson term is taken from its logarithm.
    pub fn response_tail(&self, t: f64) -> f64 {
        if t.is_nan() {
            return f64::NAN;
        }
        if t <= 0.0 {
            return 1.0;
        }
        let z = t / self.service_mean;
        if !z.is_finite() {
            return 0.0;
        }
        let sum: f64 = self
            .found_at_least
            .iter()
            .zip(poisson_pmf(z))
            .map(|(g, p)| g * p)
            .sum();
        sum.min(1.0)
    }

    /// int_from^to P(R > t) dt: the mean time a response spends in the colour
    /// band [from, to); `to` may be infinite. Exact, via
    /// T(u) = int_u^inf P(R > t) dt = a sum_m G_m P(Poisson(u/a) <= m)
    /// (int_z^inf e^{-s} s^m/m! ds is that Poisson CDF), and P(R > t) = 1 for t < 0.
    pub fn mean_time_above(&self, from: f64, to: f64) -> f64 {
        if from.is_nan() || to.is_nan() {
            return f64::NAN;
        }
        if to <= from {
            return 0.0;
        }
        (self.time_above(from) - self.time_above(to)).max(0.0)
    }

    fn time_above(&self, u: f64) -> f64 {
        if u <= 0.0 {
            return -u + self.mean_response();
        }
        let z = u / self.service_mean;
        if !z.is_finite() {
            return 0.0;
        }
        let mut cdf = 0.0;
        let sum: f64 = self
            .found_at_least
            .iter()
            .zip(poisson_pmf(z))
            .map(|(g, p)| {
                cdf += p;
                g * cdf.min(1.0)
            })
            .sum();
        self.service_mean * sum
    }
}

/// Normalised k!/(k-j)! r^j, j = 0..k, built in log space (k ~ 10^6 is fine).
fn finite_source_distribution(k: u32, ln_ratio: f64) -> Vec<f64> {
    let mut ln_w = Vec::with_capacity(k as usize + 1);
    let mut acc = 0.0;
    ln_w.push(acc);
    for j in 1..=k {
        acc += f64::from(k - j + 1).ln() + ln_ratio;
        ln_w.push(acc);
    }
    let max = ln_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = ln_w.iter().map(|l| (l - max).exp()).collect();
    let total: f64 = w.iter().sum();
    w.into_iter().map(|v| v / total).collect()
}

/// e^{-z} z^m / m! for m = 0, 1, ... from its logarithm (z > 0, finite), so
/// neither z^m nor m! overflows.
fn poisson_pmf(z: f64) -> impl Iterator<Item = f64> {
    let ln_z = z.ln();
    (0u32..).scan(0.0_f64, move |ln_fact, m| {
        if m > 0 {
            *ln_fact += f64::from(m).ln();
        }
        Some((f64::from(m) * ln_z - z - *ln_fact).exp())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn assert_close(got: f64, want: f64, tol: f64, what: &str) {
        assert!(
            (got - want).abs() <= tol,
            "{what}: got {got}, want {want} (tol {tol})"
        );
    }

    /// Plain composite Simpson with n (even) intervals: independent of `integrate`.
    fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
        let h = (b - a) / n as f64;
        let inner: f64 = (1..n)
            .map(|i| f(a + h * i as f64) * if i % 2 == 1 { 4.0 } else { 2.0 })
            .sum();
        h / 3.0 * (f(a) + inner + f(b))
    }

    /// Erlang C from its textbook factorial definition (small n only).
    fn erlang_c_direct(n: u32, a: f64) -> f64 {
        let (mut term, mut sum) = (1.0, 0.0);
        for k in 0..n {
            sum += term;
            term *= a / f64::from(k + 1);
        }
        let top = term * f64::from(n) / (f64::from(n) - a);
        top / (sum + top)
    }

    #[test]
    fn erlang_b_table_value() {
        assert_close(erlang_b(10, 5.0).unwrap(), 0.018384, 1e-6, "B(10,5)");
        assert_eq!(erlang_b(3, 0.0).unwrap(), 0.0);
        let big = erlang_b(100_000, 99_000.0).unwrap();
        assert!(big > 0.0 && big < 1.0);
    }

    #[test]
    fn erlang_c_published_example() {
        // 100 contacts per 30 min, AHT 3 min, 14 agents, 20 s target (minutes).
        let c = ErlangC::new(14, 100.0 / 30.0, 1.0 / 3.0).unwrap();
        assert_close(c.service_level(20.0 / 60.0), 0.888, 0.001, "service level");
        assert_close(c.p_wait(), 0.174, 0.001, "P(wait)");
        assert_close(c.occupancy(), 0.714, 0.001, "occupancy");
        assert_close(
            c.mean_queue_length(),
            c.arrival_rate * c.mean_wait(),
            1e-12,
            "Little",
        );
    }

    #[test]
    fn erlang_c_matches_factorial_formula() {
        let c = ErlangC::new(5, 3.0, 1.0).unwrap();
        assert_close(c.p_wait(), 0.2362, 1e-4, "C(5,3) table");
        for (n, a) in [(5, 3.0), (1, 0.5), (20, 15.0), (12, 11.5)] {
            let c = ErlangC::new(n, a, 1.0).unwrap();
            assert_close(c.p_wait(), erlang_c_direct(n, a), 1e-12, "C direct");
        }
    }

    #[test]
    fn erlang_c_large_and_monotone() {
        let c = ErlangC::new(1000, 990.0, 1.0).unwrap();
        for v in [c.p_wait(), c.service_level(0.01)] {
            assert!(v.is_finite() && v > 0.0 && v < 1.0, "{v}");
        }
        assert!(c.mean_wait().is_finite() && c.mean_wait() > 0.0);
        let by_load: Vec<f64> = (1..=99)
            .map(|i| ErlangC::new(50, 0.5 * f64::from(i), 1.0).unwrap().p_wait())
            .collect();
        assert!(
            by_load.windows(2).all(|w| w[0] < w[1]),
            "increasing in load"
        );
        let by_n: Vec<f64> = (10..=40)
            .map(|n| ErlangC::new(n, 9.0, 1.0).unwrap().p_wait())
            .collect();
        assert!(by_n.windows(2).all(|w| w[0] > w[1]), "decreasing in n");
    }

    #[test]
    fn invalid_inputs_are_errors() {
        assert!(erlang_b(0, 1.0).is_err());
        assert!(erlang_b(3, f64::NAN).is_err());
        assert!(erlang_b(3, -1.0).is_err());
        assert!(ErlangC::new(0, 1.0, 1.0).is_err());
        assert!(ErlangC::new(2, f64::NAN, 1.0).is_err());
        assert!(ErlangC::new(2, 1.0, -1.0).is_err());
        assert!(matches!(
            ErlangC::new(2, 2.0, 1.0),
            Err(TheoryError::Unstable { .. })
        ));
        assert!(ErlangA::new(0, 1.0, 1.0, 1.0).is_err());
        assert!(ErlangA::new(2, 1.0, 1.0, f64::NAN).is_err());
        assert!(ErlangA::new(2, 1.0, 1.0, 1e-20).is_err());
        let err = ErlangA::new(2, 1.0, 1.0, 0.0).unwrap_err();
        assert!(err.to_string().contains("abandon_rate") && err.to_string().contains("ErlangC"));
        assert!(FiniteSource::new(0, 1.0, 1.0).is_err());
        assert!(FiniteSource::new(3, 0.0, 1.0).is_err());
        assert!(FiniteSource::new(3, 1.0, f64::INFINITY).is_err());
    }

    #[test]
    fn stirling_partial_product_matches_direct_sum() {
        for (x, y) in [(0.5, 700.0), (10.0, 300.0), (1e4, 1.1e4), (3.0, 1.0)] {
            let direct: f64 = (1..=900).map(|i| (y / (x + f64::from(i))).ln()).sum();
            let got = ln_partial_product(x, y, 900.0);
            assert_close(got, direct, 1e-10 * direct.abs().max(1.0), "ln product");
        }
    }

    #[test]
    fn erlang_a_tends_to_erlang_c() {
        let (lambda, mu) = (100.0 / 30.0, 1.0 / 3.0);
        let c = ErlangC::new(14, lambda, mu).unwrap();
        let a = ErlangA::new(14, lambda, mu, 1e-9 * mu).unwrap();
        assert_close(a.p_wait(), c.p_wait(), 1e-6, "p_wait");
        assert_close(
            a.mean_wait(),
            c.mean_wait(),
            1e-6 * c.mean_wait(),
            "mean_wait",
        );
        assert_close(
            a.mean_wait_served(),
            c.mean_wait(),
            1e-6 * c.mean_wait(),
            "ASA",
        );
        for t in [0.0, 1.0 / 3.0, 2.0] {
            assert_close(
                a.service_level(t),
                c.service_level(t),
                1e-6,
                "service level",
            );
        }
        assert!(a.p_abandon() >= 0.0 && a.p_abandon() < 1e-8);
    }

    #[test]
    fn erlang_a_overloaded_is_sensible() {
        let a = ErlangA::new(500, 750.0, 1.0, 0.5).unwrap();
        assert_close(a.p_abandon(), 1.0 - 1.0 / 1.5, 0.01, "fluid P(Ab)");
        assert!(a.p_wait() > 0.99 && a.p_wait() <= 1.0);
        assert!(a.occupancy() > 0.98 && a.occupancy() <= 1.0);
        let asa = a.mean_wait_served();
        assert!(asa.is_finite() && asa > 0.0);
        let sl = a.service_level(0.5);
        assert!(sl >= 0.0 && sl <= 1.0 - a.p_abandon() + 1e-12);
        let a = ErlangA::new(1000, 2000.0, 1.0, 0.1).unwrap();
        assert!(a.p_abandon() > 0.0 && a.p_abandon() < 1.0 && a.mean_wait().is_finite());
    }

    /// Stationary law of the M/M/n+M birth–death chain, truncated once the
    /// weights are e^-80 below their maximum and falling.
    fn chain(n: u32, lambda: f64, mu: f64, theta: f64) -> Vec<f64> {
        let n = n as usize;
        let mut ln_w = vec![0.0_f64];
        let mut max = 0.0_f64;
        for j in 1.. {
            let death = j.min(n) as f64 * mu + j.saturating_sub(n) as f64 * theta;
            let next = ln_w[j - 1] + (lambda / death).ln();
            ln_w.push(next);
            max = max.max(next);
            if j > n && death > lambda && next < max - 80.0 {
                break;
            }
        }
        let w: Vec<f64> = ln_w.iter().map(|l| (l - max).exp()).collect();
        let total: f64 = w.iter().sum();
        w.iter().map(|v| v / total).collect()
    }

    /// P(served and W <= t) for a tagged arrival, by uniformisation of its own
    /// CTMC: phase q = customers ahead in queue, leaving at n mu + q theta
    /// (q -> q-1, or into service from 0) and abandoning at theta.
    fn served_within(n: u32, mu: f64, theta: f64, pi: &[f64], t: f64) -> f64 {
        let (n, nmu) = (n as usize, f64::from(n) * mu);
        let mut v = pi[n..].to_vec();
        let rate = nmu + v.len() as f64 * theta;
        let lt = rate * t;
        let (mut served, mut acc, mut ln_fact) = (0.0, 0.0, 0.0);
        for k in 0..=(lt + 12.0 * lt.sqrt() + 40.0) as usize {
            if k > 0 {
                ln_fact += (k as f64).ln();
            }
            acc += (k as f64 * lt.ln() - lt - ln_fact).exp() * served;
            served += v[0] * nmu / rate;
            let mut next = vec![0.0; v.len()];
            for (q, &p) in v.iter().enumerate() {
                let advance = nmu + q as f64 * theta;
                next[q] += p * (1.0 - (advance + theta) / rate);
                if q > 0 {
                    next[q - 1] += p * advance / rate;
                }
            }
            v = next;
        }
        pi[..n].iter().sum::<f64>() + acc
    }

    const CONFIGS: [(u32, f64, f64, f64); 6] = [
        (1, 0.7, 1.0, 0.3),
        (1, 2.0, 1.0, 0.5),
        (5, 4.0, 1.0, 0.2),
        (5, 8.0, 1.0, 1.0),
        (50, 45.0, 1.0, 0.5),
        (50, 70.0, 1.0, 2.0),
    ];

    #[test]
    fn erlang_a_matches_birth_death_chain() {
        for (n, lambda, mu, theta) in CONFIGS {
            let a = ErlangA::new(n, lambda, mu, theta).unwrap();
            let pi = chain(n, lambda, mu, theta);
            let nn = n as usize;
            let p_wait: f64 = pi[nn..].iter().sum();
            let queue: f64 = pi[nn..].iter().enumerate().map(|(q, p)| q as f64 * p).sum();
            let what = format!("n={n} lambda={lambda} theta={theta}");
            assert_close(a.p_wait(), p_wait, 1e-9, &format!("{what} p_wait"));
            assert_close(
                a.p_abandon(),
                theta * queue / lambda,
                1e-9,
                &format!("{what} P(Ab)"),
            );
            assert_close(
                a.mean_wait(),
                queue / lambda,
                1e-9,
                &format!("{what} mean wait"),
            );
            // Mandelbaum–Zeltyn's closed form for P(Ab|W>0) agrees too.
            let (x, y) = (f64::from(n) * mu / theta, lambda / theta);
            let (big_a, rho) = (a_series(x, y).0.exp(), lambda / (f64::from(n) * mu));
            let mz = (1.0 / (rho * big_a) + 1.0 - 1.0 / rho) * a.p_wait();
            assert_close(a.p_abandon(), mz, 1e-9, &format!("{what} MZ form"));
            // Served-wait series: P(served | q ahead) = n mu / r_{q+1} and
            // E[V 1{served} | q] = n mu / r_{q+1} sum_{i=1..q+1} 1/r_i, r_i = n mu + i theta.
            let nmu = f64::from(n) * mu;
            let (mut harmonic, mut weighted) = (0.0, 0.0);
            for (q, p) in pi[nn..].iter().enumerate() {
                let r_next = nmu + (q + 1) as f64 * theta;
                harmonic += 1.0 / r_next;
                weighted += p * nmu / r_next * harmonic;
            }
            let served_late: f64 = pi[nn..]
                .iter()
                .enumerate()
                .map(|(q, p)| p * nmu / (nmu + (q + 1) as f64 * theta))
                .sum();
            let late = a.served_after_wait(&a.core());
            assert_close(late, served_late, 1e-9, &format!("{what} P(served, W>0)"));
            let asa = weighted / (1.0 - a.p_abandon());
            assert_close(
                a.mean_wait_served(),
                asa,
                1e-9 * asa.max(1.0),
                &format!("{what} ASA"),
            );
        }
    }

    #[test]
    fn erlang_a_virtual_wait_density_and_service_level() {
        for (n, lambda, mu, theta) in CONFIGS {
            let a = ErlangA::new(n, lambda, mu, theta).unwrap();
            let what = format!("n={n} lambda={lambda} theta={theta}");
            let horizon = 60.0 / (f64::from(n) * mu + theta - lambda).abs().min(theta);
            let mass = simpson(|s| a.virtual_wait_density(s), 0.0, horizon, 200_000);
            assert_close(mass, a.p_wait(), 1e-9, &format!("{what} int f_V"));
            let pi = chain(n, lambda, mu, theta);
            for t in [0.05, 0.3, 1.5] {
                let want = served_within(n, mu, theta, &pi, t);
                assert_close(a.service_level(t), want, 1e-9, &format!("{what} SL({t})"));
            }
            let served = a.service_level(f64::INFINITY);
            assert_close(
                served,
                1.0 - a.p_abandon(),
                1e-11,
                &format!("{what} SL(inf)"),
            );
            assert_close(
                a.service_level(0.0),
                1.0 - a.p_wait(),
                1e-12,
                &format!("{what} SL(0)"),
            );
        }
    }

    /// Stationary law of M/M/1//k from its generator by Gaussian elimination.
    fn finite_source_ctmc(k: usize, think: f64, service: f64) -> Vec<f64> {
        let m = k + 1;
        let mut q = vec![vec![0.0; m]; m]; // q[i][j]: rate i -> j
        for (j, row) in q.iter_mut().enumerate() {
            if j < k {
                row[j + 1] = (k - j) as f64 / think;
            }
            if j > 0 {
                row[j - 1] = 1.0 / service;
            }
            row[j] = -row.iter().sum::<f64>();
        }
        // Solve pi Q = 0, sum pi = 1: rows of the system are columns of Q,
        // with the last equation replaced by normalisation.
        let mut sys: Vec<Vec<f64>> = (0..m)
            .map(|r| {
                let mut row: Vec<f64> = (0..m)
                    .map(|c| if r == m - 1 { 1.0 } else { q[c][r] })
                    .collect();
                row.push(if r == m - 1 { 1.0 } else { 0.0 });
                row
            })
            .collect();
        for col in 0..m {
            let pivot = (col..m)
                .max_by(|&a, &b| sys[a][col].abs().total_cmp(&sys[b][col].abs()))
                .unwrap();
            sys.swap(col, pivot);
            let pivot_row = sys[col].clone();
            for (r, row) in sys.iter_mut().enumerate() {
                if r != col {
                    let factor = row[col] / pivot_row[col];
                    for (v, p) in row.iter_mut().zip(&pivot_row) {
                        *v -= factor * p;
                    }
                }
            }
        }
        (0..m).map(|r| sys[r][m] / sys[r][r]).collect()
    }

    #[test]
    fn finite_source_matches_ctmc() {
        for (k, think, service) in [(3, 2.0, 1.0), (10, 30.0, 4.0), (10, 1.0, 2.0)] {
            let fs = FiniteSource::new(k as u32, think, service).unwrap();
            let pi = finite_source_ctmc(k, think, service);
            for (got, want) in fs.state_probabilities().iter().zip(&pi) {
                assert_close(*got, *want, 1e-12, "P_j");
            }
            // Little's law on the CTMC, and the brief's closed form.
            let throughput = (1.0 - pi[0]) / service;
            let mean_n: f64 = pi.iter().enumerate().map(|(j, p)| j as f64 * p).sum();
            assert_close(
                fs.mean_response(),
                mean_n / throughput,
                1e-10,
                "R via Little",
            );
            let closed = k as f64 * service / (1.0 - pi[0]) - think;
            assert_close(fs.mean_response(), closed, 1e-10, "R closed form");
            // Arrivals seen by rate-weighting the CTMC: P(find j) ∝ pi_j (k - j).
            let weights: Vec<f64> = (0..k).map(|j| pi[j] * (k - j) as f64).collect();
            let total: f64 = weights.iter().sum();
            for t in [0.5, 3.0, 12.0] {
                let z = t / service;
                let want: f64 = (0..k)
                    .map(|j| {
                        let erlang_tail: f64 = (0..=j)
                            .map(|m| {
                                (-z).exp() * z.powi(m as i32)
                                    / (1..=m).map(|i| i as f64).product::<f64>()
                            })
                            .sum();
                        weights[j] / total * erlang_tail
                    })
                    .sum();
                assert_close(fs.response_tail(t), want, 1e-12, "P(R > t)");
            }
        }
    }

    #[test]
    fn finite_source_single_customer_and_integrals() {
        let fs = FiniteSource::new(1, 5.0, 2.0).unwrap();
        assert_close(fs.mean_response(), 2.0, 1e-14, "k=1 mean");
        for t in [0.0, 0.7, 3.0, 10.0] {
            assert_close(fs.response_tail(t), (-t / 2.0).exp(), 1e-14, "k=1 tail");
        }
        let band = (-0.25_f64).exp() * 2.0 - (-1.0_f64).exp() * 2.0;
        assert_close(fs.mean_time_above(0.5, 2.0), band, 1e-13, "k=1 band");
        for (k, think, service) in [(1000, 300.0, 0.5), (1000, 10.0, 0.5), (40, 20.0, 1.0)] {
            let fs = FiniteSource::new(k, think, service).unwrap();
            let total: f64 = fs.state_probabilities().iter().sum();
            assert_close(total, 1.0, 1e-12, "sum P_j");
            let mean = fs.mean_response();
            let upper = 40.0 * mean + 50.0 * service;
            let numeric = simpson(|t| fs.response_tail(t), 0.0, upper, 20_000);
            assert_close(numeric, mean, 1e-8 * mean, "int tail = mean");
            assert_close(
                fs.mean_time_above(0.0, f64::INFINITY),
                mean,
                1e-10 * mean,
                "band [0,inf)",
            );
            let (u, v) = (0.5 * mean, 1.5 * mean);
            let band = simpson(|t| fs.response_tail(t), u, v, 2_000);
            assert_close(fs.mean_time_above(u, v), band, 1e-9 * mean, "band [u,v)");
            assert_close(fs.mean_time_above(-1.0, 0.0), 1.0, 1e-12, "negative times");
        }
    }

    fn extreme() -> impl Strategy<Value = f64> {
        prop_oneof![
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(-1.0),
            Just(0.0),
            Just(1e-300),
            Just(1e300),
            1e-3..1e3f64,
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn erlang_c_in_range(n in 1u32..300, mu in 0.01..10.0f64, rho in 0.01..0.999f64, t in 0.0..10.0f64) {
            let c = ErlangC::new(n, rho * f64::from(n) * mu, mu).unwrap();
            prop_assert!((0.0..=1.0).contains(&c.p_wait()));
            prop_assert!((0.0..=1.0).contains(&c.service_level(t)));
            prop_assert!(c.mean_wait().is_finite() && c.mean_wait() >= 0.0);
        }

        #[test]
        fn erlang_a_in_range(n in 1u32..300, mu in 0.01..10.0f64, rho in 0.05..2.5f64,
                             patience in 0.01..20.0f64, t in 0.0..10.0f64) {
            let a = ErlangA::new(n, rho * f64::from(n) * mu, mu, mu * patience).unwrap();
            let (pw, pab) = (a.p_wait(), a.p_abandon());
            prop_assert!((0.0..=1.0).contains(&pw) && (0.0..=1.0).contains(&pab) && pab <= pw + 1e-12);
            prop_assert!(a.mean_wait().is_finite() && a.mean_wait() >= 0.0);
            let asa = a.mean_wait_served();
            prop_assert!(asa.is_finite() && asa >= 0.0 && asa <= a.mean_wait() / (1.0 - pab) + 1e-9);
            let sl = a.service_level(t);
            prop_assert!(sl >= 1.0 - pw - 1e-12 && sl <= 1.0 - pab + 1e-9, "sl {}", sl);
            prop_assert!((0.0..=1.0).contains(&a.occupancy()));
        }

        #[test]
        fn finite_source_in_range(k in 1u32..500, think in 0.01..100.0f64, service in 0.01..100.0f64,
                                  t in 0.0..100.0f64) {
            let fs = FiniteSource::new(k, think, service).unwrap();
            prop_assert!(fs.state_probabilities().iter().all(|p| (0.0..=1.0).contains(p)));
            let r = fs.mean_response();
            prop_assert!(r.is_finite() && r >= service * (1.0 - 1e-12));
            let (p1, p2) = (fs.response_tail(t), fs.response_tail(t + 1.0));
            prop_assert!((0.0..=1.0).contains(&p1) && p2 <= p1 + 1e-12);
            let band = fs.mean_time_above(t, f64::INFINITY);
            prop_assert!(band.is_finite() && band >= 0.0 && band <= r + t);
        }

        #[test]
        fn no_panic_on_any_input(n in 0u32..2000, k in 0u32..3000, p in extreme(), q in extreme(),
                                 r in extreme(), t in extreme()) {
            let _ = erlang_b(n, p);
            if let Ok(c) = ErlangC::new(n, p, q) {
                let _ = (c.p_wait(), c.mean_wait(), c.service_level(t), c.mean_queue_length());
            }
            if let Ok(a) = ErlangA::new(n, p, q, r) {
                let _ = (a.p_wait(), a.p_abandon(), a.mean_wait(), a.mean_wait_served());
                let _ = (a.service_level(t), a.occupancy(), a.virtual_wait_density(t));
            }
            if let Ok(fs) = FiniteSource::new(k, p, q) {
                let _ = (fs.mean_response(), fs.response_tail(t), fs.mean_time_above(t, r));
            }
        }
    }
}
