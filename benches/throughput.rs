//! Throughput of the event loop, in contacts per second (criterion's "elements") and ns per
//! contact, on the Erlang C configuration (one slot, one exchange, exponential compose, no
//! accept delay, no wrap-up, no patience): 100 agents, mean handle 300 s, load 0.95.
//!
//! - `erlang_c_1m/ccsim`: 1,000,000 arrivals through the real model and the KPI collector.
//! - `erlang_c_1m/model_only`: the same run with its records dropped (no KPI collector): the
//!   model's share of `ccsim`.
//! - `erlang_c_1m/hand_written_heap_loop`: the same queue as a minimal hand-written M/M/n heap
//!   loop (the floor any simulator of this queue pays), for the ratio.
//! - `agents_scaling/N`: the same load with 10, 100, 1,000 and 10,000 agents and 200,000
//!   arrivals: the cost per contact should stay nearly flat (routing with one slot per agent
//!   is O(1), the event heap O(log n), and the working set grows with the floor).
//! - `agents_scaling_hand/N`: the hand-written heap loop at the same sizes, for context: how a
//!   minimal binary-heap simulator of this queue scales with the number of pending events.
//!
//! - `center_200k/…`: 10 queues and 5 groups with two overflow tiers against one queue and one
//!   group of the same agents and load: the cost per contact of a center.
//! - `desk_1m/…`: the 1M-chat basic desk (300 agents × 3 slots, 5,000 chats/h for 200 h, six
//!   exchanges on average), with escalation off and with all of it on (red first, agents held
//!   at red, reassignment after 3 minutes, inactivity alerts and close, 10% silent leavers).
//! - `workflow_200k/…`: two queues with their own groups, without and with 15% of chats
//!   transferred (to the end of the other queue, or by invitation) and 5% conferenced: the
//!   workflow's cost per contact (target: at most 1.3×).
//! - `messaging_week/ccsim`: a week of the bundled 200-agent messaging center, one
//!   replication (target: under 5 s).
//!
//! Events per second: the model processes two events per contact in this configuration
//! (arrival, reply done), printed once before the measurements. Also printed first: the
//! ccsim / hand-written ratio from runs of the two taken in turns (see `interleaved_ratio`).

use std::collections::{BinaryHeap, VecDeque};
use std::path::Path;
use std::time::Instant;

use ccsim::engine::stream;
use ccsim::experiment::replicate;
use ccsim::model::run_replication;
use ccsim::scenario::{self, Scenario};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand_distr::{Distribution, Exp1};

const AHT: f64 = 300.0;
const LOAD: f64 = 0.95;

fn erlang_c(agents: u32, arrivals: f64) -> Scenario {
    let rate = LOAD * agents as f64 / AHT; // per second
    let horizon = arrivals / rate;
    let text = format!(
        r#"
        [run]
        horizon = {horizon}
        interval = {horizon}
        replications = 1
        seed = 1
        [arrivals]
        rate_per_hour = {}
        [staffing]
        agents = {agents}
        [conversation]
        agent_compose = {{ dist = "exponential", mean = {AHT} }}
        "#,
        rate * 3600.0
    );
    scenario::parse(&text, Path::new("bench.toml"), &[]).expect("valid bench scenario")
}

/// The floor: M/M/n with a binary heap of departures, a FIFO queue of arrival times and a wait
/// sum — no routing policy, no records, no statistics beyond one sum.
fn hand_written_heap_loop(agents: u32, arrivals: u64) -> f64 {
    #[derive(PartialEq)]
    struct Ev(f64, bool); // (time, is_arrival)
    impl Eq for Ev {}
    impl PartialOrd for Ev {
        fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for Ev {
        fn cmp(&self, o: &Self) -> std::cmp::Ordering {
            o.0.total_cmp(&self.0)
        }
    }
    let lambda = LOAD * agents as f64 / AHT;
    let mut rng_a = stream(1, 0, 0);
    let mut rng_s = stream(1, 0, 5);
    let exp = |rng: &mut ccsim::engine::SimRng, mean: f64| -> f64 {
        let e: f64 = Exp1.sample(rng);
        e * mean
    };
    let mut heap = BinaryHeap::with_capacity(agents as usize + 2);
    let mut queue: VecDeque<f64> = VecDeque::new();
    let mut free = agents;
    let mut wait_sum = 0.0;
    let mut generated = 1;
    heap.push(Ev(exp(&mut rng_a, 1.0 / lambda), true));
    while let Some(Ev(t, is_arrival)) = heap.pop() {
        if is_arrival {
            if generated < arrivals {
                generated += 1;
                heap.push(Ev(t + exp(&mut rng_a, 1.0 / lambda), true));
            }
            if free > 0 {
                free -= 1;
                heap.push(Ev(t + exp(&mut rng_s, AHT), false));
            } else {
                queue.push_back(t);
            }
        } else if let Some(arrived) = queue.pop_front() {
            wait_sum += t - arrived;
            heap.push(Ev(t + exp(&mut rng_s, AHT), false));
        } else {
            free += 1;
        }
    }
    wait_sum
}

/// The ratio ccsim / hand-written loop from runs taken in turns, best of each. On a shared
/// machine, slow spells of seconds hit whichever benchmark runs then, and criterion measures
/// the two one after the other; runs in turns see the same spells, and the best run of each is
/// the least disturbed.
fn interleaved_ratio(scenario: &Scenario, rounds: usize) {
    let (mut best_ccsim, mut best_hand) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..rounds {
        let start = Instant::now();
        black_box(replicate(scenario, 0));
        best_ccsim = best_ccsim.min(start.elapsed().as_secs_f64());
        let start = Instant::now();
        black_box(hand_written_heap_loop(100, 1_000_000));
        best_hand = best_hand.min(start.elapsed().as_secs_f64());
    }
    println!(
        "erlang_c_1m in turns, best of {rounds}: ccsim {:.1} ms, hand-written loop {:.1} ms, \
         ratio {:.2}",
        best_ccsim * 1e3,
        best_hand * 1e3,
        best_ccsim / best_hand
    );
}

fn bench_erlang_c(c: &mut Criterion) {
    let scenario = erlang_c(100, 1_000_000.0);
    let probe = replicate(&scenario, 0);
    println!(
        "erlang_c_1m: {} contacts, {} events per run",
        probe.totals.contacts, probe.totals.events
    );
    interleaved_ratio(&scenario, 15);
    let mut group = c.benchmark_group("erlang_c_1m");
    group.sample_size(10);
    group.throughput(Throughput::Elements(probe.totals.contacts));
    group.bench_function("ccsim", |b| b.iter(|| black_box(replicate(&scenario, 0))));
    // The model alone, its records dropped (the unit observer): with `ccsim` above, splits the
    // cost between the model and the KPI collector.
    group.bench_function("model_only", |b| {
        b.iter(|| black_box(run_replication(&scenario.model, scenario.run.seed, 0, ())))
    });
    group.bench_function("hand_written_heap_loop", |b| {
        b.iter(|| black_box(hand_written_heap_loop(100, 1_000_000)))
    });
    group.finish();
}

fn bench_scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("agents_scaling");
    group.sample_size(10);
    for agents in [10u32, 100, 1_000, 10_000] {
        let scenario = erlang_c(agents, 200_000.0);
        let contacts = replicate(&scenario, 0).totals.contacts;
        group.throughput(Throughput::Elements(contacts));
        group.bench_with_input(BenchmarkId::from_parameter(agents), &scenario, |b, s| {
            b.iter(|| black_box(replicate(s, 0)))
        });
    }
    group.finish();
    let mut group = c.benchmark_group("agents_scaling_hand");
    group.sample_size(10);
    for agents in [10u32, 100, 1_000, 10_000] {
        // The hand loop stops generating at exactly this many arrivals; ccsim's runs have
        // about as many (a Poisson count over the horizon), close enough for ns per contact.
        group.throughput(Throughput::Elements(200_000));
        group.bench_with_input(BenchmarkId::from_parameter(agents), &agents, |b, &n| {
            b.iter(|| black_box(hand_written_heap_loop(n, 200_000)))
        });
    }
    group.finish();
}

/// A center of 10 queues and 5 groups of 3-slot agents, each queue served by one group and
/// overflowing to a second after 30 s and a third after 90 s, beside a one-queue desk of the
/// same agents, slots and load: the cost per contact of the general structures (several
/// pools, overflow tiers, per-segment tallies) against the one-queue fast paths.
fn center(queues: usize, groups: usize, agents_per_group: u32, contacts: f64) -> Scenario {
    // Conversations of 3 exchanges, think 30 s, compose 20 s: about 100 s of agent time per
    // chat at concurrency 1; loaded to about 0.8 of the slots.
    let slots = (groups as u32 * agents_per_group * 3) as f64;
    let rate_per_hour = 0.8 * slots * 3600.0 / 120.0;
    let horizon = contacts / (rate_per_hour / 3600.0);
    let mut text = format!(
        r#"
        [run]
        horizon = {horizon}
        interval = {horizon}
        replications = 1
        seed = 1
        [conversation]
        exchanges = {{ dist = "constant", value = 3 }}
        customer_think = {{ dist = "exponential", mean = 30 }}
        agent_compose = {{ dist = "exponential", mean = 20 }}
        [patience]
        queue = {{ dist = "exponential", mean = 300 }}
        "#
    );
    for q in 0..queues {
        let (g1, g2, g3) = (q % groups, (q + 1) % groups, (q + 2) % groups);
        let tiers = if groups >= 3 {
            format!(
                r#"[{{ groups = ["g{g1}"] }}, {{ groups = ["g{g2}"], after = 30 }}, {{ groups = ["g{g3}"], after = 90 }}]"#
            )
        } else {
            format!(r#"[{{ groups = ["g{g1}"] }}]"#)
        };
        text += &format!(
            "[queues.q{q:02}]\nrate_per_hour = {}\nserved_by = {tiers}\n",
            rate_per_hour / queues as f64
        );
    }
    for g in 0..groups {
        text += &format!("[groups.g{g}]\nagents = {agents_per_group}\nmax_concurrent_chats = 3\n");
    }
    scenario::parse(&text, Path::new("bench.toml"), &[]).expect("valid bench scenario")
}

fn bench_center(c: &mut Criterion) {
    let mut group = c.benchmark_group("center_200k");
    group.sample_size(10);
    for (name, s) in [
        ("10_queues_5_groups", center(10, 5, 20, 200_000.0)),
        ("1_queue_1_group", center(1, 1, 100, 200_000.0)),
    ] {
        let contacts = replicate(&s, 0).totals.contacts;
        group.throughput(Throughput::Elements(contacts));
        group.bench_with_input(BenchmarkId::from_parameter(name), &s, |b, s| {
            b.iter(|| black_box(replicate(s, 0)))
        });
    }
    group.finish();
}

/// The 1M-chat basic desk, with `extra` TOML appended.
fn desk_1m(silent_leave: f64, extra: &str) -> Scenario {
    let text = format!(
        r#"
        [run]
        horizon = "200h"
        interval = "200h"
        [arrivals]
        rate_per_hour = 5000
        [staffing]
        agents = 300
        max_concurrent_chats = 3
        [conversation]
        exchanges = {{ dist = "geometric", mean = 6 }}
        customer_think = {{ dist = "lognormal", mean = "40s", cv = 1.0 }}
        agent_compose = {{ dist = "lognormal", mean = "25s", cv = 0.8 }}
        concurrency_slowdown = [1.0, 1.1, 1.25]
        accept_delay = {{ dist = "constant", value = "3s" }}
        silent_leave = {silent_leave}
        [patience]
        queue = {{ dist = "exponential", mean = "3m" }}
        reply = {{ dist = "exponential", mean = "4m" }}
        [wrapup]
        time = {{ dist = "lognormal", mean = "40s", cv = 0.5 }}
        {extra}
        "#
    );
    scenario::parse(&text, Path::new("bench.toml"), &[]).expect("valid bench scenario")
}

fn bench_desk(c: &mut Criterion) {
    let mut group = c.benchmark_group("desk_1m");
    group.sample_size(10);
    let escalation = r#"
        [escalation]
        red_first = true
        hold_new_chats = "red"
        reassign_after = "3m"
        [inactivity]
        alert = "2m"
        alert2 = "4m"
        close = "5m"
        "#;
    for (name, s) in [
        ("escalation_off", desk_1m(0.0, "")),
        ("escalation_on", desk_1m(0.1, escalation)),
    ] {
        let contacts = replicate(&s, 0).totals.contacts;
        group.throughput(Throughput::Elements(contacts));
        group.bench_with_input(BenchmarkId::from_parameter(name), &s, |b, s| {
            b.iter(|| black_box(replicate(s, 0)))
        });
    }
    group.finish();
}

/// Two queues of a 200,000-chat center, each with its own group of 60 agents × 3 slots, with
/// `extra` TOML appended (the workflow sections, or nothing).
fn two_desks(extra: &str) -> Scenario {
    let text = format!(
        r#"
        [run]
        horizon = "100h"
        interval = "100h"
        [conversation]
        exchanges = {{ dist = "geometric", mean = 4 }}
        customer_think = {{ dist = "exponential", mean = "30s" }}
        agent_compose = {{ dist = "exponential", mean = "20s" }}
        accept_delay = {{ dist = "constant", value = "3s" }}
        [patience]
        queue = {{ dist = "exponential", mean = "3m" }}
        [wrapup]
        time = {{ dist = "exponential", mean = "20s" }}
        [invitation]
        answer_delay = {{ dist = "exponential", mean = "8s" }}
        refuse = 0.1
        timeout = "30s"
        [queues.a]
        rate_per_hour = 1000
        served_by = [ {{ groups = ["ga"] }} ]
        [queues.b]
        rate_per_hour = 1000
        served_by = [ {{ groups = ["gb"] }} ]
        [groups.ga]
        agents = 60
        max_concurrent_chats = 3
        [groups.gb]
        agents = 60
        max_concurrent_chats = 3
        {extra}
        "#
    );
    scenario::parse(&text, Path::new("bench.toml"), &[]).expect("valid bench scenario")
}

/// The workflow's cost per contact: 15% of the chats transferred (half to the end of the other
/// queue, half by invitation) and 5% conferenced, against the same center without them.
fn bench_workflow(c: &mut Criterion) {
    let mut group = c.benchmark_group("workflow_200k");
    group.sample_size(10);
    let workflow = r#"
        [queues.a.transfer]
        share = 0.15
        after_exchanges = { dist = "geometric", mean = 2 }
        to = "queue:b"
        how = "queue"
        [queues.a.conference]
        share = 0.05
        with = "group:gb"
        exchanges = { dist = "geometric", mean = 2 }
        owner_leaves = 0.5
        [queues.b.transfer]
        share = 0.15
        after_exchanges = { dist = "geometric", mean = 2 }
        to = "group:ga"
        how = "invite"
        [queues.b.conference]
        share = 0.05
        with = "group:ga"
        exchanges = { dist = "geometric", mean = 2 }
        "#;
    for (name, s) in [
        ("without", two_desks("")),
        ("transfers_conferences", two_desks(workflow)),
    ] {
        let contacts = replicate(&s, 0).totals.contacts;
        group.throughput(Throughput::Elements(contacts));
        group.bench_with_input(BenchmarkId::from_parameter(name), &s, |b, s| {
            b.iter(|| black_box(replicate(s, 0)))
        });
    }
    group.finish();
}

/// A week of the bundled messaging center (`scenarios/messaging.toml`: 200 agents, about
/// 50,000 conversations parked and resumed 150,000 times), one replication on one core with
/// the KPI collector: the issue's target is under 5 s.
fn bench_messaging(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/messaging.toml");
    let text = std::fs::read_to_string(&path).expect("the bundled messaging scenario");
    let s = scenario::parse(&text, &path, &[]).expect("valid bundled scenario");
    let contacts = replicate(&s, 0).totals.contacts;
    let mut group = c.benchmark_group("messaging_week");
    group.sample_size(10);
    group.throughput(Throughput::Elements(contacts));
    group.bench_function("ccsim", |b| b.iter(|| black_box(replicate(&s, 0))));
    group.finish();
}

criterion_group! {
    name = benches;
    // No plots: criterion draws them with plotters, whose fonts here are the ones ccsim
    // bundles and registers for its own charts, not the system fonts criterion expects.
    config = Criterion::default().without_plots();
    targets = bench_erlang_c, bench_scaling, bench_center, bench_desk, bench_workflow,
        bench_messaging
}
criterion_main!(benches);
