//! Ground truth for the response-pending indicator (DESIGN.md §5): one agent holding k chats
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
const REPLICATIONS: u64 = 20;

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

fn check(k: u32) {
    // One agent with k slots. Chats have (practically) endless exchanges; customers arriving
    // once the k slots are taken give up at once (queue patience 0) and play no further part.
    let s = common::scenario(&format!(
        r#"
        [run]
        horizon = {HORIZON}
        interval = {HORIZON}
        drain = 0
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
    ));
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
            0.02 * exact.mean_response(),
        ),
        (
            "yellow share",
            per_rep(&|r| r.yellow / r.n),
            exact.response_tail(YELLOW),
            0.01,
        ),
        (
            "red share",
            per_rep(&|r| r.red / r.n),
            exact.response_tail(RED),
            0.01,
        ),
        (
            "time in yellow",
            per_rep(&|r| r.yellow_time / r.n),
            exact.mean_time_above(YELLOW, RED),
            0.3,
        ),
        (
            "time in red",
            per_rep(&|r| r.red_time / r.n),
            exact.mean_time_above(RED, f64::INFINITY),
            0.3,
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
