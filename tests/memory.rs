//! Memory does not grow with the number of contacts: a run ten times longer reaches the same
//! peak of live heap memory. Measured with a counting global allocator (this test binary only).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use ccsim::experiment::replicate;

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

/// Peak live heap bytes while running one replication of the bench-like Erlang C desk plus
/// the chat features (slots, exchanges, patience, wrap-up) for `hours` hours.
fn peak_bytes(hours: u32) -> usize {
    let s = common::scenario(&format!(
        r#"
        [run]
        horizon = "{hours}h"
        interval = "{hours}h"
        [arrivals]
        rate_per_hour = 2000
        [staffing]
        agents = 40
        max_concurrent_chats = 3
        [conversation]
        exchanges = {{ dist = "geometric", mean = 4 }}
        customer_think = {{ dist = "exponential", mean = 30 }}
        agent_compose = {{ dist = "exponential", mean = 15 }}
        [patience]
        queue = {{ dist = "exponential", mean = 120 }}
        reply = {{ dist = "exponential", mean = 300 }}
        [wrapup]
        time = {{ dist = "exponential", mean = 30 }}
        "#
    ));
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    let rep = replicate(&s, 0);
    assert!(rep.totals.contacts as f64 > 1500.0 * hours as f64);
    PEAK.load(Relaxed) - base
}

#[test]
fn a_run_ten_times_longer_uses_no_more_memory() {
    let short = peak_bytes(10);
    let long = peak_bytes(100);
    eprintln!("peak live heap: {short} bytes for 10 h, {long} bytes for 100 h");
    // A contact record kept per contact would add ~200,000 x dozens of bytes to the long run;
    // allow 10% for the slab and queues reaching a slightly higher high-water mark.
    assert!(
        (long as f64) < 1.1 * short as f64,
        "memory grew with run length: {short} -> {long} bytes"
    );
}
