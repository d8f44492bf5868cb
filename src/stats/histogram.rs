//! Streaming histogram of non-negative durations (seconds).
//!
//! This module owns [`Histogram`]: the per-metric sample store used in the
//! simulator's hot loop (waits, handle times, …). It has
//!
//! * **bounded relative error**: quantiles are within [`Histogram::RELATIVE_ERROR`]
//!   (2⁻⁸ ≈ 0.39 %) of the exact sample quantile for values in
//!   [[`Histogram::LOWEST`], [`Histogram::HIGHEST`]) = [2⁻¹⁰ s, 2²⁶ s) ≈ [1 ms, 777 days);
//! * **fixed memory**: one `Vec<u64>` of [`Histogram::BUCKETS`] counters (36 KiB),
//!   allocated once in [`Histogram::new`], whatever the number of samples;
//! * **exact merging**: merging two histograms gives the same counts, min, max
//!   and quantiles as recording the concatenated samples;
//! * **cheap recording**: the bucket index is read off the IEEE-754 bit pattern
//!   (exponent + top [`Histogram::SUB_BITS`] mantissa bits, as in HdrHistogram),
//!   so [`Histogram::record`] takes no logarithm, never allocates and branches
//!   only on range checks;
//! * a **sparse serde form** (non-empty buckets only, floats stored as their
//!   bit patterns) so partial results can be written to disk and merged later
//!   with an exact round trip.
//!
//! Input handling (never panics):
//!
//! | input                         | handling                                               |
//! |-------------------------------|--------------------------------------------------------|
//! | `0.0` or `-0.0`               | a sample, counted as an exact zero (quantiles report exactly 0) |
//! | `(0, LOWEST)`                 | a sample, counted in the "below 1 ms" bucket           |
//! | `[LOWEST, HIGHEST)`           | a sample in a log-linear bucket                        |
//! | `[HIGHEST, f64::MAX]`         | a sample in the overflow bucket (max still exact)      |
//! | NaN, negative, `±∞`           | not a sample: only [`Histogram::rejected`] is incremented |

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Number of mantissa bits used to split each power of two.
const SUB_BITS: u32 = 7;
/// Lowest tracked power of two: 2⁻¹⁰ s ≈ 0.98 ms.
const MIN_EXP: i32 = -10;
/// Highest tracked power of two (exclusive): 2²⁶ s ≈ 777 days.
const MAX_EXP: i32 = 26;
/// Bits below the kept mantissa bits: `bits >> SHIFT` is `exponent · 2⁷ + sub-bucket`.
const SHIFT: u32 = 52 - SUB_BITS;
/// `bits >> SHIFT` of the lowest tracked value, i.e. the key of bucket 0.
const FIRST_KEY: u64 = ((1023 + MIN_EXP) as u64) << SUB_BITS;
/// Number of regular buckets.
const BUCKETS: usize = ((MAX_EXP - MIN_EXP) as usize) << SUB_BITS;

/// Streaming log-linear histogram of non-negative durations in seconds.
///
/// See the module documentation for the guarantees and the handling of
/// unusual inputs. Equality (`==`) is exact field equality.
#[derive(Debug, Clone)]
pub struct Histogram {
    /// Regular buckets `offset .. offset + counts.len()`; bucket `i` is
    /// `[lower(i), lower(i + 1))`. Only the range of buckets used so far is
    /// allocated, grown a power of two (128 buckets) at a time: a histogram of
    /// response times spanning 1 s to 5 min holds about 1,200 counters instead
    /// of 4,608, which matters with two histograms per reporting interval.
    counts: Vec<u64>,
    offset: usize,
    /// Accepted samples (everything but `rejected`).
    count: u64,
    /// Samples that were exactly zero.
    zeros: u64,
    /// Samples in `(0, LOWEST)`.
    below_low: u64,
    /// Samples in `[HIGHEST, f64::MAX]`.
    overflow: u64,
    /// NaN, negative and infinite inputs.
    rejected: u64,
    /// Running sum, with the rounding error of every addition kept in
    /// `sum_error` (Knuth's TwoSum): merged partial histograms then report
    /// the same sum as a single run, to the last bit in practice.
    sum: f64,
    sum_error: f64,
    /// Exact extremes; `+∞`/`-∞` while empty.
    min: f64,
    max: f64,
}

/// Equal when every field and every bucket count is equal, whatever range of
/// buckets each happens to have allocated.
impl PartialEq for Histogram {
    fn eq(&self, o: &Histogram) -> bool {
        let (lo, hi) = (
            self.offset.min(o.offset),
            (self.offset + self.counts.len()).max(o.offset + o.counts.len()),
        );
        (
            self.count,
            self.zeros,
            self.below_low,
            self.overflow,
            self.rejected,
        ) == (o.count, o.zeros, o.below_low, o.overflow, o.rejected)
            && (self.sum, self.sum_error, self.min, self.max) == (o.sum, o.sum_error, o.min, o.max)
            && (lo..hi).all(|i| self.count_at(i) == o.count_at(i))
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

impl Histogram {
    /// Mantissa bits kept per power of two: 128 sub-buckets, relative bucket width 2⁻⁷.
    pub const SUB_BITS: u32 = SUB_BITS;
    /// Number of regular buckets (36 powers of two × 128).
    pub const BUCKETS: usize = BUCKETS;
    /// Lowest value with bounded relative error: 2⁻¹⁰ s ≈ 0.98 ms.
    pub const LOWEST: f64 = 1.0 / (1u64 << -MIN_EXP) as f64;
    /// Values at or above 2²⁶ s ≈ 777 days go to the overflow bucket.
    pub const HIGHEST: f64 = (1u64 << MAX_EXP) as f64;
    /// Bound on `|quantile - exact| / exact` for exact quantiles in
    /// `[LOWEST, HIGHEST)`. A bucket `[a, b)` has `b - a ≤ 2⁻⁷·a` and reports
    /// the harmonic midpoint `2ab/(a+b)`, whose error is at most
    /// `(b-a)/(a+b) ≤ 1/257 < 2⁻⁸` against any value of the bucket.
    pub const RELATIVE_ERROR: f64 = 1.0 / 256.0;

    /// An empty histogram; its buckets are allocated as samples arrive.
    pub fn new() -> Self {
        Self::EMPTY_SCALARS
    }

    /// The counter of regular bucket `idx` (< BUCKETS), growing the allocated
    /// range to the enclosing powers of two when needed.
    #[inline]
    fn slot(&mut self, idx: usize) -> &mut u64 {
        if idx < self.offset || idx >= self.offset + self.counts.len() {
            self.grow(idx);
        }
        &mut self.counts[idx - self.offset]
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, idx: usize) {
        const OCTAVE: usize = 1 << SUB_BITS;
        let (lo, hi) = if self.counts.is_empty() {
            (idx, idx + 1)
        } else {
            (
                self.offset.min(idx),
                (self.offset + self.counts.len()).max(idx + 1),
            )
        };
        let lo = lo / OCTAVE * OCTAVE;
        let hi = hi.div_ceil(OCTAVE).saturating_mul(OCTAVE).min(BUCKETS);
        let mut counts = vec![0; hi - lo];
        counts[self.offset.max(lo) - lo..][..self.counts.len()].copy_from_slice(&self.counts);
        self.counts = counts;
        self.offset = lo;
    }

    /// Count of regular bucket `i` (0 outside the allocated range).
    fn count_at(&self, i: usize) -> u64 {
        i.checked_sub(self.offset)
            .and_then(|j| self.counts.get(j))
            .copied()
            .unwrap_or(0)
    }

    /// The allocated regular buckets as (index, count).
    fn regular(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .map(move |(j, &c)| (self.offset + j, c))
    }

    /// The scalar fields of an empty histogram (its `counts` is left empty).
    const EMPTY_SCALARS: Histogram = Histogram {
        counts: Vec::new(),
        offset: 0,
        count: 0,
        zeros: 0,
        below_low: 0,
        overflow: 0,
        rejected: 0,
        sum: 0.0,
        sum_error: 0.0,
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
    };

    /// Records one duration in seconds. NaN, negative and infinite values
    /// are not samples: they only increment [`Histogram::rejected`].
    #[inline]
    pub fn record(&mut self, x: f64) {
        // On the bit pattern, +∞, every NaN and every negative number (sign bit set) are at or
        // above +∞'s pattern; -0.0 is among them but is a sample. Two integer comparisons,
        // where float comparisons compile to a dozen classification instructions.
        let bits = x.to_bits();
        if bits >= f64::INFINITY.to_bits() && bits != (-0.0f64).to_bits() {
            self.rejected += 1;
            return;
        }
        // -0.0 + 0.0 == +0.0, so min() never reports a negative zero.
        let x = x + 0.0;
        self.count += 1;
        self.add_to_sum(x);
        // x is a number here: plain comparisons give f64::min and f64::max without their
        // NaN handling (this runs for every sample).
        if x < self.min {
            self.min = x;
        }
        if x > self.max {
            self.max = x;
        }
        if x < Self::LOWEST {
            if x == 0.0 {
                self.zeros += 1;
            } else {
                self.below_low += 1;
            }
        } else if x < Self::HIGHEST {
            let idx = bucket_index(x);
            if idx < BUCKETS {
                *self.slot(idx) += 1;
            }
        } else {
            self.overflow += 1;
        }
    }

    /// Adds `x` to the running sum, keeping the rounding error (TwoSum: exact
    /// error term).
    #[inline]
    fn add_to_sum(&mut self, x: f64) {
        let s = self.sum + x;
        let x_part = s - self.sum;
        let sum_part = s - x_part;
        let error = (self.sum - sum_part) + (x - x_part);
        // Once the sum overflows to +∞ the error term is NaN (∞ - ∞); keeping it out leaves
        // the reported sum at +∞ and the histogram equal to itself after a serde round trip.
        if error.is_finite() {
            self.sum_error += error;
        }
        self.sum = s;
    }

    /// Adds all samples of `other` to `self`. Counts, min, max and therefore
    /// quantiles are exactly those of recording both sample sets into one
    /// histogram. Counters saturate instead of overflowing.
    pub fn merge(&mut self, other: &Histogram) {
        if let (Some(first), Some(last)) = (other.regular().next(), other.regular().last()) {
            self.slot(first.0);
            self.slot(last.0);
            let at = other.offset - self.offset;
            for (a, b) in self.counts[at..].iter_mut().zip(&other.counts) {
                *a = a.saturating_add(*b);
            }
        }
        self.count = self.count.saturating_add(other.count);
        self.zeros = self.zeros.saturating_add(other.zeros);
        self.below_low = self.below_low.saturating_add(other.below_low);
        self.overflow = self.overflow.saturating_add(other.overflow);
        self.rejected = self.rejected.saturating_add(other.rejected);
        self.add_to_sum(other.sum);
        self.sum_error += other.sum_error;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Resets to the empty state, keeping the bucket allocation.
    pub fn clear(&mut self) {
        let mut counts = std::mem::take(&mut self.counts);
        counts.fill(0);
        *self = Histogram {
            counts,
            offset: self.offset,
            ..Self::EMPTY_SCALARS
        };
    }

    /// Number of accepted samples.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Number of rejected inputs (NaN, negative or infinite).
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Sum of the accepted samples (0 when empty). It can only be `+∞` if
    /// the true sum exceeds `f64::MAX`.
    pub fn sum(&self) -> f64 {
        // Once the sum overflowed the error term is meaningless (∞ - ∞).
        if self.sum.is_finite() {
            self.sum + self.sum_error
        } else {
            self.sum
        }
    }

    /// Mean of the accepted samples, `None` when empty.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum() / self.count as f64)
    }

    /// Exact smallest sample, `None` when empty.
    pub fn min(&self) -> Option<f64> {
        (self.count > 0).then_some(self.min)
    }

    /// Exact largest sample, `None` when empty.
    pub fn max(&self) -> Option<f64> {
        (self.count > 0).then_some(self.max)
    }

    /// Estimate of the `q`-quantile: the sample of rank `ceil(q·n)` (at
    /// least 1) in sorted order. `q` is clamped to `[0, 1]`; `None` when the
    /// histogram is empty or `q` is NaN.
    ///
    /// * rank 1 and rank n report the exact min and max (so `q = 0` and
    ///   `q = 1` are exact);
    /// * a zero sample reports exactly `0.0`;
    /// * a sample in `(0, LOWEST)` reports `LOWEST` clamped to `[min, max]`
    ///   (no relative-error guarantee there);
    /// * a sample in a regular bucket reports the bucket's harmonic midpoint
    ///   clamped to `[min, max]`: relative error ≤ [`Histogram::RELATIVE_ERROR`];
    /// * a sample in the overflow bucket reports the exact max.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 || q.is_nan() {
            return None;
        }
        let n = self.count;
        let rank = rank_of(q, n);
        if rank <= 1 {
            return Some(self.min);
        }
        if rank >= n {
            return Some(self.max);
        }
        // `max(min).min(max)` rather than `clamp`, which panics on bad bounds.
        let clamp = |v: f64| v.max(self.min).min(self.max);
        let mut seen = self.zeros;
        if rank <= seen {
            return Some(0.0);
        }
        seen += self.below_low;
        if rank <= seen {
            return Some(clamp(Self::LOWEST));
        }
        for (i, c) in self.regular() {
            seen += c;
            if rank <= seen {
                let (a, b) = (bucket_lower(i), bucket_lower(i + 1));
                return Some(clamp(2.0 * a * b / (a + b)));
            }
        }
        // Only the overflow bucket is left.
        Some(self.max)
    }

    /// Share of samples `≥ x`, at bucket resolution: the bucket containing
    /// `x` counts as entirely at or above `x`, so the result is exact when `x`
    /// is a bucket lower bound — which includes every integer number of
    /// seconds up to 256 and any value with at most 8 significant bits.
    /// Exact as well for `x ≤ min` (1) and `x > max` (0). NaN when the
    /// histogram is empty or `x` is NaN.
    pub fn fraction_at_or_above(&self, x: f64) -> f64 {
        if self.count == 0 || x.is_nan() {
            return f64::NAN;
        }
        if x <= self.min {
            return 1.0;
        }
        if x > self.max {
            return 0.0;
        }
        // Here 0 ≤ min < x ≤ max, so x > 0 and zeros never count.
        let at_or_above = if x < Self::LOWEST {
            self.count - self.zeros
        } else if x < Self::HIGHEST {
            let from = bucket_index(x).min(BUCKETS);
            self.regular()
                .filter(|&(i, _)| i >= from)
                .map(|(_, c)| c)
                .sum::<u64>()
                + self.overflow
        } else {
            self.overflow
        };
        at_or_above as f64 / self.count as f64
    }

    /// Non-empty buckets as `(lower, upper, count)`, in increasing order, for
    /// plots. Regular buckets are `[lower, upper)`; the special ones are
    /// `(0.0, 0.0, zeros)` for exact zeros, `(0.0, LOWEST, n)` for samples in
    /// `(0, LOWEST)` and `(HIGHEST, max, n)` for the overflow bucket
    /// (`[HIGHEST, max]`).
    pub fn buckets(&self) -> impl Iterator<Item = (f64, f64, u64)> + '_ {
        let zeros = (self.zeros > 0).then_some((0.0, 0.0, self.zeros));
        let below = (self.below_low > 0).then_some((0.0, Self::LOWEST, self.below_low));
        let regular = self
            .regular()
            .filter(|&(_, c)| c > 0)
            .map(|(i, c)| (bucket_lower(i), bucket_lower(i + 1), c));
        let overflow = (self.overflow > 0).then_some((Self::HIGHEST, self.max, self.overflow));
        zeros
            .into_iter()
            .chain(below)
            .chain(regular)
            .chain(overflow)
    }
}

/// Rank (1-based) of the `q`-quantile among `n ≥ 1` samples: `ceil(q·n)`,
/// clamped to `[1, n]`.
fn rank_of(q: f64, n: u64) -> u64 {
    let q = q.clamp(0.0, 1.0);
    // The float-to-int cast saturates, so this cannot overflow.
    ((q * n as f64).ceil() as u64).clamp(1, n)
}

/// Regular bucket of `x ∈ [LOWEST, HIGHEST)`: the biased exponent and the top
/// `SUB_BITS` mantissa bits, offset so that `LOWEST` maps to 0. Out-of-range
/// inputs give an out-of-range (or wrapped) index, which callers never use.
#[inline]
fn bucket_index(x: f64) -> usize {
    ((x.to_bits() >> SHIFT).wrapping_sub(FIRST_KEY)) as usize
}

/// Lower bound of regular bucket `i` (`i = BUCKETS` gives `HIGHEST`); exact.
fn bucket_lower(i: usize) -> f64 {
    f64::from_bits((i as u64 + FIRST_KEY) << SHIFT)
}

// ---------------------------------------------------------------------------
// Serde: sparse form.

/// On-disk form of a [`Histogram`]: the layout parameters (so that files
/// written with another bucket layout are refused rather than misread), the
/// scalars, and only the non-empty buckets as `(index, count)` pairs in
/// increasing index order. Floats are stored as their IEEE-754 bit patterns:
/// text formats' float parsers are not guaranteed to round-trip every value
/// (serde_json's default parser is not), and ±∞ (the min/max of an empty
/// histogram) has no JSON number.
#[derive(Serialize, Deserialize)]
struct SparseHistogram {
    sub_bits: u32,
    min_exp: i32,
    max_exp: i32,
    count: u64,
    zeros: u64,
    below_low: u64,
    overflow: u64,
    rejected: u64,
    sum_bits: u64,
    sum_error_bits: u64,
    min_bits: u64,
    max_bits: u64,
    buckets: Vec<(u32, u64)>,
}

/// Why a serialized histogram was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistogramDecodeError {
    #[error("histogram layout (sub_bits {sub_bits}, exponents [{min_exp}, {max_exp})) differs from this build's")]
    Layout {
        sub_bits: u32,
        min_exp: i32,
        max_exp: i32,
    },
    #[error("bucket index {0} is out of range or not in strictly increasing order")]
    BucketIndex(u32),
    #[error("bucket and special counts do not add up to the sample count")]
    CountMismatch,
    #[error("min/max are inconsistent with the sample count")]
    Extremes,
}

impl From<&Histogram> for SparseHistogram {
    fn from(h: &Histogram) -> Self {
        SparseHistogram {
            sub_bits: SUB_BITS,
            min_exp: MIN_EXP,
            max_exp: MAX_EXP,
            count: h.count,
            zeros: h.zeros,
            below_low: h.below_low,
            overflow: h.overflow,
            rejected: h.rejected,
            sum_bits: h.sum.to_bits(),
            sum_error_bits: h.sum_error.to_bits(),
            min_bits: h.min.to_bits(),
            max_bits: h.max.to_bits(),
            buckets: h
                .regular()
                .filter(|&(_, c)| c > 0)
                .map(|(i, c)| (i as u32, c))
                .collect(),
        }
    }
}

impl TryFrom<SparseHistogram> for Histogram {
    type Error = HistogramDecodeError;

    fn try_from(s: SparseHistogram) -> Result<Self, Self::Error> {
        if (s.sub_bits, s.min_exp, s.max_exp) != (SUB_BITS, MIN_EXP, MAX_EXP) {
            return Err(HistogramDecodeError::Layout {
                sub_bits: s.sub_bits,
                min_exp: s.min_exp,
                max_exp: s.max_exp,
            });
        }
        let mut h = Histogram::new();
        // Checked sums: a corrupt file must give an error, not an overflow.
        let mut total = Some(s.zeros)
            .and_then(|t| t.checked_add(s.below_low))
            .and_then(|t| t.checked_add(s.overflow));
        let mut next_allowed = 0usize;
        for &(i, c) in &s.buckets {
            let idx = i as usize;
            if idx < next_allowed || idx >= BUCKETS {
                return Err(HistogramDecodeError::BucketIndex(i));
            }
            *h.slot(idx) = c;
            next_allowed = idx + 1;
            total = total.and_then(|t| t.checked_add(c));
        }
        if total != Some(s.count) {
            return Err(HistogramDecodeError::CountMismatch);
        }
        let (min, max) = (f64::from_bits(s.min_bits), f64::from_bits(s.max_bits));
        // A non-empty histogram has 0 ≤ min ≤ max (comparisons are false for NaN); an empty
        // one has the extremes `record` starts from (it compares without NaN handling).
        let extremes_ok = if s.count > 0 {
            0.0 <= min && min <= max
        } else {
            min == f64::INFINITY && max == f64::NEG_INFINITY
        };
        if !extremes_ok {
            return Err(HistogramDecodeError::Extremes);
        }
        h.count = s.count;
        h.zeros = s.zeros;
        h.below_low = s.below_low;
        h.overflow = s.overflow;
        h.rejected = s.rejected;
        h.sum = f64::from_bits(s.sum_bits);
        h.sum_error = f64::from_bits(s.sum_error_bits);
        h.min = min;
        h.max = max;
        Ok(h)
    }
}

impl Serialize for Histogram {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SparseHistogram::from(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Histogram {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let sparse = SparseHistogram::deserialize(deserializer)?;
        Histogram::try_from(sparse).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const QS: [f64; 13] = [
        0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.8, 0.9, 0.95, 0.99, 0.999, 1.0,
    ];

    fn histogram_of(xs: &[f64]) -> Histogram {
        let mut h = Histogram::new();
        xs.iter().for_each(|&x| h.record(x));
        h
    }

    /// Exact quantile with the same rank convention as `Histogram::quantile`.
    fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
        sorted[rank_of(q, sorted.len() as u64) as usize - 1]
    }

    fn assert_within_bound(h: &Histogram, xs: &[f64], q: f64) {
        let mut sorted = xs.to_vec();
        sorted.sort_by(f64::total_cmp);
        let exact = exact_quantile(&sorted, q);
        let est = h.quantile(q).unwrap();
        if exact == 0.0 {
            assert_eq!(est, 0.0, "q={q}");
        } else {
            let rel = (est - exact).abs() / exact;
            assert!(
                rel <= Histogram::RELATIVE_ERROR,
                "q={q} exact={exact} est={est} rel={rel}"
            );
        }
    }

    /// Sample sets from several shapes, all within [0, 1e6] s.
    fn samples() -> impl Strategy<Value = Vec<f64>> {
        let log_uniform = (-3.0f64..6.0).prop_map(|e| 10f64.powf(e)).boxed();
        let uniform = (0.0f64..300.0).boxed();
        let exponential = (1e-12f64..1.0).prop_map(|u| -45.0 * u.ln()).boxed();
        let whole_seconds = (0u32..600).prop_map(f64::from).boxed();
        let zero_or_lognormal = prop_oneof![
            Just(0.0),
            (-2.0f64..2.0, -2.0f64..2.0).prop_map(|(a, b)| (3.0 + a + b).exp()),
        ]
        .boxed();
        let narrow = (100.0f64..100.5).boxed();
        prop_oneof![
            prop::collection::vec(log_uniform, 1..800),
            prop::collection::vec(uniform, 1..800),
            prop::collection::vec(exponential, 1..800),
            prop::collection::vec(whole_seconds, 1..800),
            prop::collection::vec(zero_or_lognormal, 1..800),
            prop::collection::vec(narrow, 1..800),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn quantiles_within_relative_error(xs in samples(), extra_q in 0.0f64..=1.0) {
            let h = histogram_of(&xs);
            prop_assert_eq!(h.count(), xs.len() as u64);
            for q in QS.iter().copied().chain([extra_q]) {
                assert_within_bound(&h, &xs, q);
            }
        }

        #[test]
        fn merge_equals_concatenation(xs in samples(), ys in samples()) {
            let mut merged = histogram_of(&xs);
            merged.merge(&histogram_of(&ys));
            let all: Vec<f64> = xs.iter().chain(&ys).copied().collect();
            let whole = histogram_of(&all);
            prop_assert_eq!(merged.buckets().collect::<Vec<_>>(), whole.buckets().collect::<Vec<_>>());
            prop_assert_eq!(
                (merged.count, merged.zeros, merged.below_low, merged.overflow, merged.rejected),
                (whole.count, whole.zeros, whole.below_low, whole.overflow, whole.rejected)
            );
            prop_assert_eq!(merged.min(), whole.min());
            prop_assert_eq!(merged.max(), whole.max());
            for q in QS {
                prop_assert_eq!(merged.quantile(q), whole.quantile(q));
            }
            let (a, b) = (merged.sum(), whole.sum());
            prop_assert!((a - b).abs() <= 1e-12 * b.abs());
        }

        #[test]
        fn serde_round_trip_is_exact(xs in samples()) {
            let mut h = histogram_of(&xs);
            h.record(f64::NAN);
            let json = serde_json::to_string(&h).unwrap();
            let back: Histogram = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&back, &h);
            prop_assert_eq!(back.sum().to_bits(), h.sum().to_bits());
        }

        #[test]
        fn buckets_partition_the_samples(xs in samples()) {
            let h = histogram_of(&xs);
            let listed: Vec<_> = h.buckets().collect();
            prop_assert_eq!(listed.iter().map(|b| b.2).sum::<u64>(), h.count());
            for &x in &xs {
                let inside = listed.iter().filter(|&&(lo, hi, _)| {
                    if lo == hi { x == lo } else if lo == 0.0 { x > 0.0 && x < hi } else { x >= lo && x < hi }
                }).count();
                prop_assert_eq!(inside, 1, "x={}", x);
            }
        }
    }

    proptest! {
        #[test]
        fn arbitrary_inputs_never_panic(bits in prop::collection::vec(any::<u64>(), 0..200), q in any::<f64>()) {
            let xs: Vec<f64> = bits.into_iter().map(f64::from_bits).collect();
            let h = histogram_of(&xs);
            let accepted = xs.iter().filter(|x| (0.0..f64::INFINITY).contains(*x)).count() as u64;
            prop_assert_eq!(h.count(), accepted);
            prop_assert_eq!(h.count() + h.rejected(), xs.len() as u64);
            if let Some(v) = h.quantile(q) {
                prop_assert!(h.min().unwrap() <= v && v <= h.max().unwrap());
            }
            let f = h.fraction_at_or_above(q);
            prop_assert!(f.is_nan() || (0.0..=1.0).contains(&f));
            // Compared through their serialised form, which is what must survive a round trip
            // (a NaN field would also make a field-by-field comparison fail on equal data).
            let text = serde_json::to_string(&h).unwrap();
            let back: Histogram = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(serde_json::to_string(&back).unwrap(), text);
        }
    }

    #[test]
    fn bucket_edges() {
        assert_eq!(Histogram::LOWEST, 2f64.powi(-10));
        assert_eq!(Histogram::HIGHEST, 2f64.powi(26));
        assert_eq!(bucket_index(Histogram::LOWEST), 0);
        assert_eq!(bucket_lower(0), Histogram::LOWEST);
        assert_eq!(bucket_lower(BUCKETS), Histogram::HIGHEST);
        let just_below_top = f64::from_bits(Histogram::HIGHEST.to_bits() - 1);
        assert_eq!(bucket_index(just_below_top), BUCKETS - 1);
        for i in 0..BUCKETS {
            let (a, b) = (bucket_lower(i), bucket_lower(i + 1));
            assert_eq!(bucket_index(a), i);
            assert!((b - a) / a <= 1.0 / 128.0);
            let mid = 2.0 * a * b / (a + b);
            assert!((mid - a) / a < Histogram::RELATIVE_ERROR);
            assert!((b - mid) / b < Histogram::RELATIVE_ERROR);
        }
    }

    #[test]
    fn empty_histogram() {
        let h = Histogram::new();
        assert_eq!(h.count(), 0);
        assert_eq!(h.sum(), 0.0);
        assert_eq!(h.mean(), None);
        assert_eq!(h.min(), None);
        assert_eq!(h.max(), None);
        assert_eq!(h.quantile(0.5), None);
        assert!(h.fraction_at_or_above(1.0).is_nan());
        assert_eq!(h.buckets().count(), 0);
        let back: Histogram = serde_json::from_str(&serde_json::to_string(&h).unwrap()).unwrap();
        assert_eq!(back, h);
    }

    #[test]
    fn zeros_are_exact() {
        let h = histogram_of(&[0.0, -0.0, 0.0, 5.0]);
        assert_eq!(h.count(), 4);
        assert_eq!(h.rejected(), 0);
        assert_eq!(h.min(), Some(0.0));
        assert!(h.min().unwrap().is_sign_positive());
        assert_eq!(h.quantile(0.5), Some(0.0));
        assert_eq!(h.quantile(0.75), Some(0.0));
        assert_eq!(h.quantile(0.76), Some(5.0));
        assert_eq!(h.fraction_at_or_above(0.0), 1.0);
        assert_eq!(h.fraction_at_or_above(1e-9), 0.25);
        let all_zero = histogram_of(&[0.0; 10]);
        for q in QS {
            assert_eq!(all_zero.quantile(q), Some(0.0));
        }
        assert_eq!(all_zero.mean(), Some(0.0));
    }

    #[test]
    fn values_below_lowest() {
        let h = histogram_of(&[0.0, 1e-6, 2e-4, 5e-4, 10.0]);
        assert_eq!(h.quantile(0.0), Some(0.0));
        // Rank 2..4 are in (0, LOWEST): reported as LOWEST (within [min, max]).
        assert_eq!(h.quantile(0.4), Some(Histogram::LOWEST));
        assert_eq!(h.quantile(0.8), Some(Histogram::LOWEST));
        assert_eq!(h.quantile(1.0), Some(10.0));
        // When every sample is tiny the report is clamped to the exact max.
        let tiny = histogram_of(&[1e-6, 2e-6, 3e-6]);
        assert_eq!(tiny.quantile(0.5), Some(3e-6));
        assert_eq!(tiny.quantile(0.0), Some(1e-6));
        assert_eq!(
            tiny.buckets().collect::<Vec<_>>(),
            [(0.0, Histogram::LOWEST, 3)]
        );
    }

    #[test]
    fn rejected_inputs_never_panic() {
        let mut h = Histogram::new();
        for x in [
            f64::NAN,
            -1.0,
            -1e-300,
            f64::NEG_INFINITY,
            f64::INFINITY,
            -f64::NAN,
        ] {
            h.record(x);
        }
        assert_eq!(h.rejected(), 6);
        assert_eq!(h.count(), 0);
        assert_eq!(h.quantile(0.5), None);
        h.record(3.0);
        assert_eq!(h.count(), 1);
        assert_eq!(h.quantile(f64::NAN), None);
        assert_eq!(h.quantile(-5.0), Some(3.0));
        assert_eq!(h.quantile(7.0), Some(3.0));
        assert_eq!(h.quantile(f64::INFINITY), Some(3.0));
        assert!(h.fraction_at_or_above(f64::NAN).is_nan());
        assert_eq!(h.fraction_at_or_above(f64::INFINITY), 0.0);
        assert_eq!(h.fraction_at_or_above(f64::NEG_INFINITY), 1.0);
    }

    #[test]
    fn huge_values_overflow_with_exact_max() {
        let h = histogram_of(&[1.0, 2.0, Histogram::HIGHEST, 1e12, f64::MAX]);
        assert_eq!(h.count(), 5);
        assert_eq!(h.max(), Some(f64::MAX));
        assert_eq!(h.quantile(1.0), Some(f64::MAX));
        // Ranks in the overflow bucket report the exact max.
        assert_eq!(h.quantile(0.6), Some(f64::MAX));
        assert_eq!(h.fraction_at_or_above(Histogram::HIGHEST), 0.6);
        assert_eq!(h.fraction_at_or_above(1e13), 0.6);
        let b: Vec<_> = h.buckets().collect();
        assert_eq!(b.last(), Some(&(Histogram::HIGHEST, f64::MAX, 3)));
        // The sum overflows to +∞ without turning into NaN.
        let mut big = histogram_of(&[f64::MAX, f64::MAX]);
        assert_eq!(big.sum(), f64::INFINITY);
        assert_eq!(big.mean(), Some(f64::INFINITY));
        big.merge(&h);
        assert_eq!(big.sum(), f64::INFINITY);
        // Bit-pattern floats keep even that round trip exact.
        let back: Histogram = serde_json::from_str(&serde_json::to_string(&big).unwrap()).unwrap();
        assert_eq!(back.count(), big.count());
        assert_eq!(back.sum(), f64::INFINITY);
    }

    #[test]
    fn extreme_quantiles_are_exact() {
        let xs = [0.0123, 7.5, 3.25, 99.9, 1234.5678, 0.5];
        let h = histogram_of(&xs);
        assert_eq!(h.quantile(0.0), Some(0.0123));
        assert_eq!(h.quantile(1.0), Some(1234.5678));
        assert_eq!(h.min(), Some(0.0123));
        assert_eq!(h.max(), Some(1234.5678));
        assert_eq!(h.sum(), xs.iter().sum::<f64>());
    }

    #[test]
    fn fraction_at_or_above_whole_seconds_is_exact() {
        let xs: Vec<f64> = (0..1000).map(|i| i as f64 * 0.3).collect();
        let h = histogram_of(&xs);
        for threshold in [1.0, 5.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 256.0] {
            let exact = xs.iter().filter(|&&x| x >= threshold).count() as f64 / xs.len() as f64;
            assert_eq!(
                h.fraction_at_or_above(threshold),
                exact,
                "threshold {threshold}"
            );
        }
    }

    #[test]
    fn mean_and_clear() {
        let mut h = histogram_of(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(h.mean(), Some(2.5));
        h.record(f64::NAN);
        h.clear();
        assert_eq!(h, Histogram::new());
        assert!(h.counts.capacity() > 0, "clear keeps the allocation");
    }

    #[test]
    fn sum_keeps_rounding_error() {
        // 1 + 1e-16·10⁶ loses every small term in a naive sum.
        let mut h = Histogram::new();
        h.record(1.0);
        for _ in 0..1_000_000 {
            h.record(1e-16);
        }
        assert!((h.sum() - (1.0 + 1e-10)).abs() < 1e-15);
    }

    #[test]
    fn serde_form_is_sparse_and_validated() {
        let h = histogram_of(&[0.0, 1.0, 1.0, 2.0, 1e9]);
        let value = serde_json::to_value(&h).unwrap();
        assert_eq!(value["buckets"].as_array().unwrap().len(), 2);
        let bad = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut v = value.clone();
            edit(&mut v);
            serde_json::from_value::<Histogram>(v).is_err()
        };
        assert!(bad(&|v| v["buckets"][0][0] = (BUCKETS as u32).into()));
        assert!(bad(&|v| v["buckets"][1][0] = v["buckets"][0][0].clone()));
        assert!(bad(&|v| v["count"] = 6.into()));
        assert!(bad(&|v| v["sub_bits"] = 6.into()));
        assert!(bad(&|v| v["min_bits"] = f64::NAN.to_bits().into()));
        assert!(bad(&|v| v["zeros"] = u64::MAX.into()));
    }
}
