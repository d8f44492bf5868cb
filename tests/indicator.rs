//! Ground truth for the response-pending indicator (the README, "Validation against queueing theory"): one agent holding k chats
//! that never end, exponential customer think time (mean c) and compose time (mean a), replies
//! in `fifo` order, is the finite-source M/M/1//k queue. Its mean response time is
//! k·a/(1−P0) − c, and by the arrival theorem a new message sees the stationary law of the
//! system with k−1 chats, which gives the whole response-time distribution, hence the shares of
//! responses that reached yellow and red and the mean time spent in each colour.

mod common;

use ccsim::model::{run_replication, Colour, Observer, Record};
use ccsim::theory::FiniteSource;
use rayon::prelude::*;

const THINK: f64 = 40.0;
const COMPOSE: f64 = 12.0;
const YELLOW: f64 = 30.0;
const RED: f64 = 60.0;
/// Responses sent before this time are ignored: the k chats arrive during the first minutes.
const SETTLED: f64 = 3_600.0;
const HORIZON: f64 = 400_000.0;
const REPLICATIONS: u64 = 40;

/// Sums over the responses sent after `SETTLED`.
#[derive(Default)]
struct Responses {
    n: f64,
    duration: f64,
    yellow: f64,
    red: f64,
    yellow_time: f64,
    red_time: f64,
}

impl Observer for Responses {
    fn record(&mut self, now: f64, record: Record) {
        if let Record::Response {
            duration,
            colour,
            yellow_time,
            red_time,
            ..
        } = record
        {
            if now >= SETTLED {
                self.n += 1.0;
                self.duration += duration;
                self.yellow += (colour >= Colour::Yellow) as u8 as f64;
                self.red += (colour == Colour::Red) as u8 as f64;
                self.yellow_time += yellow_time;
                self.red_time += red_time;
            }
        }
    }
}

/// One agent with k slots. Chats have (practically) endless exchanges; customers arriving
/// once the k slots are taken give up at once (queue patience 0) and play no further part.
fn desk(k: u32) -> ccsim::scenario::Scenario {
    common::scenario(&format!(
        r#"
        [run]
        horizon = {HORIZON}
        interval = {HORIZON}
        drain = 0
        replications = {REPLICATIONS}
        [arrivals]
        rate_per_hour = 60
        [staffing]
        agents = 1
        max_concurrent_chats = {k}
        attention = "fifo"
        [conversation]
        exchanges = {{ dist = "constant", value = 4000000000 }}
        customer_think = {{ dist = "exponential", mean = {THINK} }}
        agent_compose = {{ dist = "exponential", mean = {COMPOSE} }}
        [patience]
        queue = {{ dist = "constant", value = 0 }}
        [indicator]
        yellow = {YELLOW}
        red = {RED}
        "#
    ))
}

fn check(k: u32) {
    let s = desk(k);
    let runs: Vec<Responses> = (0..REPLICATIONS)
        .into_par_iter()
        .map(|r| run_replication(&s.model, 5, r, Responses::default()).0)
        .collect();
    let exact = FiniteSource::new(k, THINK, COMPOSE).unwrap();
    let per_rep = |f: &dyn Fn(&Responses) -> f64| -> Vec<f64> { runs.iter().map(f).collect() };
    let cases: [(&str, Vec<f64>, f64, f64); 5] = [
        (
            "mean response",
            per_rep(&|r| r.duration / r.n),
            exact.mean_response(),
            0.01 * exact.mean_response(),
        ),
        (
            "yellow share",
            per_rep(&|r| r.yellow / r.n),
            exact.response_tail(YELLOW),
            0.005,
        ),
        (
            "red share",
            per_rep(&|r| r.red / r.n),
            exact.response_tail(RED),
            0.004,
        ),
        (
            "time in yellow",
            per_rep(&|r| r.yellow_time / r.n),
            exact.mean_time_above(YELLOW, RED),
            0.03 * exact.mean_time_above(YELLOW, RED) + 0.02,
        ),
        (
            "time in red",
            per_rep(&|r| r.red_time / r.n),
            exact.mean_time_above(RED, f64::INFINITY),
            0.1 * exact.mean_time_above(RED, f64::INFINITY) + 0.01,
        ),
    ];
    for (what, values, exact, max_half) in cases {
        common::assert_covers(&format!("M/M/1//{k} {what}"), &values, exact, max_half);
    }
    // The comparison has teeth: the red share is well clear of 0 at these settings.
    let red = exact.response_tail(RED);
    assert!(red > 0.01, "red share {red} too small to test");
}

#[test]
fn two_chats_match_the_finite_source_queue() {
    check(2);
}

#[test]
fn four_chats_match_the_finite_source_queue() {
    check(4);
}

#[test]
fn six_chats_match_the_finite_source_queue() {
    check(6);
}

/// The same queue through the KPI collector: the reported means, shares and percentiles of the
/// response time. Percentiles come from the histogram, whose relative error (at most 1/256) is
/// added to the interval. The chats' first minutes (before all k have arrived) are included
/// here: less than 0.1% of the responses, far below the intervals' width.
#[test]
fn reported_response_kpis_match_the_finite_source_queue() {
    let k = 4;
    let s = desk(k);
    let reps = common::run(&s);
    let exact = FiniteSource::new(k, THINK, COMPOSE).unwrap();
    let quantile = |q: f64| {
        // P(R > t) = 1 - q, by bisection: the tail is continuous and decreasing.
        let (mut lo, mut hi) = (0.0, 1e4);
        for _ in 0..200 {
            let mid = (lo + hi) / 2.0;
            if exact.response_tail(mid) > 1.0 - q {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (lo + hi) / 2.0
    };
    let v = |name: &str| common::kpi_values(&reps, name);
    let m = exact.mean_response();
    common::assert_covers("response_mean", &v("response_mean"), m, 0.01 * m);
    common::assert_covers(
        "responses_yellow_share",
        &v("responses_yellow_share"),
        exact.response_tail(YELLOW),
        0.005,
    );
    common::assert_covers(
        "responses_red_share",
        &v("responses_red_share"),
        exact.response_tail(RED),
        0.004,
    );
    let ty = exact.mean_time_above(YELLOW, RED);
    common::assert_covers(
        "time_yellow_mean",
        &v("time_yellow_mean"),
        ty,
        0.03 * ty + 0.02,
    );
    let tr = exact.mean_time_above(RED, f64::INFINITY);
    common::assert_covers("time_red_mean", &v("time_red_mean"), tr, 0.1 * tr + 0.01);
    for (name, q) in [
        ("response_p50", 0.5),
        ("response_p90", 0.9),
        ("response_p99", 0.99),
    ] {
        let exact_q = quantile(q);
        let values = v(name);
        let ci = ccsim::stats::confidence_interval(&values, 0.99).unwrap();
        let slack = exact_q * ccsim::stats::Histogram::RELATIVE_ERROR;
        eprintln!(
            "{name}: exact {exact_q:.4}, simulated {:.4} [{:.4}, {:.4}]",
            ci.mean, ci.low, ci.high
        );
        assert!(
            ci.low - slack <= exact_q && exact_q <= ci.high + slack,
            "{name}: exact {exact_q} outside [{}, {}] widened by the histogram's error {slack}",
            ci.low,
            ci.high
        );
        assert!(
            (ci.high - ci.low) / 2.0 < 0.02 * exact_q,
            "{name}: interval too wide"
        );
    }
}
