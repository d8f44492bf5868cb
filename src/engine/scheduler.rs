//! The event queue: a binary heap ordered by (time, insertion sequence), so events scheduled for
//! the same instant run in the order they were scheduled and every run is reproducible.
//!
//! Cancellation is lazy and versioned ([`Stamp`]): an entity bumps its stamp to cancel every
//! event it scheduled before, and the handler drops events whose stamp is stale when they pop.
//! That costs nothing at cancel time, which matters because the chat workflow resets timers
//! (patience, indicator, invitations) far more often than they fire.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A version number carried by scheduled events. Comparing the stamp an event was scheduled with
/// against the entity's current stamp tells whether the event was cancelled meanwhile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Stamp(u32);

impl Stamp {
    pub const ZERO: Stamp = Stamp(0);

    /// The next version: every event stamped with `self` becomes stale.
    #[inline]
    pub fn next(self) -> Stamp {
        Stamp(self.0.wrapping_add(1))
    }
}

struct Entry<E> {
    /// Time bits in the high 64 bits, insertion sequence in the low 64: for non-negative finite
    /// times the IEEE-754 bit pattern orders like the value, so one integer compare orders by
    /// (time, sequence).
    key: u128,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest event on top.
        other.key.cmp(&self.key)
    }
}

/// Simulated clock plus pending events of type `E`.
pub struct Scheduler<E> {
    now: f64,
    next_seq: u64,
    heap: BinaryHeap<Entry<E>>,
}

impl<E> Default for Scheduler<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Scheduler<E> {
    pub fn new() -> Self {
        Self::with_capacity(64)
    }

    /// Pre-size the heap so that a run with about `capacity` pending events never reallocates.
    pub fn with_capacity(capacity: usize) -> Self {
        Scheduler {
            now: 0.0,
            next_seq: 0,
            heap: BinaryHeap::with_capacity(capacity),
        }
    }

    /// Current simulated time, in seconds.
    #[inline]
    pub fn now(&self) -> f64 {
        self.now
    }

    /// Number of events waiting.
    pub fn pending(&self) -> usize {
        self.heap.len()
    }

    /// Schedule `event` at absolute time `at`. A time in the past (or NaN) is clamped to now, so
    /// time never goes back whatever a distribution returns.
    #[inline]
    pub fn schedule_at(&mut self, at: f64, event: E) {
        let at = if at > self.now { at } else { self.now };
        let key = ((at.to_bits() as u128) << 64) | self.next_seq as u128;
        self.next_seq += 1;
        self.heap.push(Entry { key, event });
    }

    /// Schedule `event` after a delay of `delay` seconds.
    #[inline]
    pub fn schedule_in(&mut self, delay: f64, event: E) {
        self.schedule_at(self.now + delay, event);
    }

    /// Time of the next event, without removing it.
    pub fn peek_time(&self) -> Option<f64> {
        self.heap
            .peek()
            .map(|e| f64::from_bits((e.key >> 64) as u64))
    }

    /// Remove the earliest event and advance the clock to its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, E)> {
        let entry = self.heap.pop()?;
        let at = f64::from_bits((entry.key >> 64) as u64);
        debug_assert!(at >= self.now, "time went back: {at} < {}", self.now);
        self.now = at;
        Some((at, entry.event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut s = Scheduler::new();
        s.schedule_at(5.0, 'c');
        s.schedule_at(1.0, 'a');
        s.schedule_at(5.0, 'd');
        s.schedule_at(2.0, 'b');
        s.schedule_at(5.0, 'e');
        let order: String = std::iter::from_fn(|| s.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, "abcde");
        assert_eq!(s.now(), 5.0);
    }

    #[test]
    fn past_and_nan_times_are_clamped_to_now() {
        let mut s = Scheduler::new();
        s.schedule_at(10.0, 1);
        s.pop();
        s.schedule_at(3.0, 2);
        s.schedule_at(f64::NAN, 3);
        s.schedule_in(-1.0, 4);
        let times: Vec<f64> = std::iter::from_fn(|| s.pop().map(|(t, _)| t)).collect();
        assert_eq!(times, vec![10.0, 10.0, 10.0]);
    }

    #[test]
    fn stamps_detect_cancellation() {
        let s0 = Stamp::default();
        let s1 = s0.next();
        assert_ne!(s0, s1);
        assert_eq!(s1, s0.next());
    }
}
