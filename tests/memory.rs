//! Memory does not grow with the number of contacts nor with the number of replications: a run
//! ten times longer, or with ten times more replications, reaches the same peak of live heap
//! memory. Measured with a counting global allocator (this test binary only; the checks run in
//! one test function so that nothing else allocates meanwhile).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use ccsim::experiment::{self, replicate};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(live, Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The bench-like Erlang C desk plus the chat features (slots, exchanges, patience, wrap-up):
/// 40 agents, 2,000 chats an hour.
const CHAT_DESK: &str = r#"
    [arrivals]
    rate_per_hour = 2000
    [staffing]
    agents = 40
    max_concurrent_chats = 3
    [conversation]
    exchanges = { dist = "geometric", mean = 4 }
    customer_think = { dist = "exponential", mean = 30 }
    agent_compose = { dist = "exponential", mean = 15 }
    [patience]
    queue = { dist = "exponential", mean = 120 }
    reply = { dist = "exponential", mean = 300 }
    [wrapup]
    time = { dist = "exponential", mean = 30 }
"#;

/// A 2,000-agent Erlang C floor, 22,800 chats an hour: about 1,900 replies pending at a time,
/// so the scheduler keeps its later events in its calendar of time buckets.
const LARGE_FLOOR: &str = r#"
    [arrivals]
    rate_per_hour = 22800
    [staffing]
    agents = 2000
    [conversation]
    agent_compose = { dist = "exponential", mean = 300 }
"#;

/// Peak live heap bytes while running one replication of `desk` for `hours` hours, which
/// must see at least `per_hour` contacts an hour.
fn peak_bytes(desk: &str, hours: u32, per_hour: f64) -> usize {
    let s = common::scenario(&format!(
        "[run]\nhorizon = \"{hours}h\"\ninterval = \"{hours}h\"\n{desk}"
    ));
    peak_live(|| {
        let rep = replicate(&s, 0);
        assert!(rep.totals.contacts as f64 > per_hour * hours as f64);
    })
}

/// Peak live heap bytes, above what was live before, while `run` runs.
fn peak_live(run: impl FnOnce()) -> usize {
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    run();
    PEAK.load(Relaxed) - base
}

/// Peak live heap bytes while running `reps` replications of the bundled basic chat desk
/// (17 half-hour intervals, each with its histograms).
fn peak_bytes_for_replications(reps: u32) -> usize {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/basic_chat.toml"
    ))
    .unwrap();
    let s = ccsim::scenario::parse(
        &text,
        std::path::Path::new("basic_chat.toml"),
        &[format!("run.replications={reps}")],
    )
    .unwrap();
    // Two threads whatever the machine: the batch in flight is then 128 replications.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    peak_live(|| {
        let results = pool.install(|| experiment::run(&s)).unwrap();
        assert_eq!(results.len(), reps as usize);
    })
}

/// The peak memory of a run of `desk` `hours[1]` long is within 10% (or 64 KiB) of one
/// `hours[0]` long.
fn assert_flat_in_run_length(what: &str, desk: &str, per_hour: f64, hours: [u32; 2]) {
    let [short, long] = hours.map(|h| peak_bytes(desk, h, per_hour));
    eprintln!(
        "peak live heap, {what}: {short} bytes for {} h, {long} bytes for {} h",
        hours[0], hours[1]
    );
    // The longer run reaches a slightly higher high-water mark of sessions (the peak of the
    // queue grows like the logarithm of the run's length), and the session arrays — about
    // 130 bytes a session across them — grow by doubling: one more doubling of a few hundred
    // sessions is tens of KiB. A record kept per contact would add megabytes.
    let allowed = short + (short / 10).max(64 << 10);
    assert!(
        long < allowed,
        "{what}: memory grew with run length: {short} -> {long} bytes"
    );
}

#[test]
fn memory_is_flat_in_run_length_and_in_replications() {
    // A record kept per contact would add ~200,000 x dozens of bytes to the long run.
    assert_flat_in_run_length("40 agents", CHAT_DESK, 1500.0, [10, 100]);
    // The same on a floor large enough for the scheduler's calendar, whose buckets keep
    // the capacity they reached: it must level off with the number of events pending, not
    // grow with the contacts.
    assert_flat_in_run_length("2,000 agents", LARGE_FLOOR, 20_000.0, [2, 20]);

    // Both counts exceed one batch of replications in flight (64 per thread, each holding its
    // distributions until they are pooled), so the batch costs the same in both.
    let few = peak_bytes_for_replications(256);
    let many = peak_bytes_for_replications(512);
    eprintln!("peak live heap: {few} bytes for 256 replications, {many} bytes for 512");
    // What may grow is the KPI values kept per replication for the reports (every KPI x 18
    // windows — 17 intervals and the whole — x 8 bytes: 10 kB with 71 KPIs), allowed twice
    // over for the vectors' spare capacity; keeping each replication's tallies (about 1.2 MB
    // here: two histograms per interval) would cost a hundred times more.
    let kept = (ccsim::stats::Kpi::ALL.len() * 18 * 8) as f64;
    let per_extra_replication = many.saturating_sub(few) as f64 / 256.0; // 512 - 256
    assert!(
        per_extra_replication < 2.0 * kept,
        "memory grew by {per_extra_replication} bytes per replication ({few} -> {many} bytes; \
         the KPI values kept are {kept} bytes)"
    );
}
