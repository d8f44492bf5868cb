//! The event queue: a 4-ary heap ordered by (time, insertion sequence), so events scheduled for
//! the same instant run in the order they were scheduled and every run is reproducible.
//!
//! Entries are compact (time bits, a 32-bit sequence number, the event): with the model's
//! 12-byte events an entry is 24 bytes instead of 32, so a large floor's heap takes fewer cache
//! lines. Sequence numbers are renumbered (in order) when 32 bits run out, so the order never depends
//! on how many events a run has scheduled.
//!
//! One kind of event may be kept out of the heap: a stream of which at most one event is pending
//! at a time (the model's next arrival) sits in a single slot beside it
//! ([`Scheduler::schedule_lone`]). Such an event is scheduled far nearer than the rest (an
//! inter-arrival time against handling times), so in the heap it would sift up through every
//! level when pushed and be popped off the top soon after; in the slot it costs one comparison
//! with the heap's top at each pop. Its sequence number comes from the same counter, and the
//! slot and the heap's top are compared by (time, sequence), so the order is exactly the one a
//! single heap gives.
//!
//! On a large floor, events not due soon wait outside the heap, in a calendar of time buckets
//! ([`super::calendar`]): the heap then holds a few dozen events instead of thousands. The
//! scheduler switches to it when more than [`SPLIT_AT`] events are in the heap and back when
//! fewer than [`JOIN_BELOW`] are pending in all, so small runs keep the plain heap, which is
//! fastest for them. Either way the events pop in the same order.
//!
//! Cancellation is lazy and versioned ([`Stamp`]): an entity bumps its stamp to cancel every
//! event it scheduled before, and the handler drops events whose stamp is stale when they pop.
//! That costs nothing at cancel time, which matters because the chat workflow resets timers
//! (patience, indicator, invitations) far more often than they fire.

use std::cmp::Ordering;

use dary_heap::DaryHeap;

use super::calendar::{Calendar, Timed, PER_BUCKET};

/// Heap size above which later events move out to a calendar.
/// Children per node of the event heap. A 4-ary heap is half as deep as a binary one and a
/// node's children are adjacent: on the Erlang C bench (about a hundred events pending) it
/// makes the ccsim / hand-written ratio 1.62 where the standard binary heap gave 1.73; 3 and 8
/// children were slower than 4, and so was replacing the top in place when the popped event
/// schedules the next one.
const HEAP_ARITY: usize = 4;
type EventHeap<T> = DaryHeap<T, HEAP_ARITY>;

pub const SPLIT_AT: usize = 16 * PER_BUCKET;
/// Number of pending events below which the calendar is given up.
pub const JOIN_BELOW: usize = 2 * PER_BUCKET;

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

#[derive(Clone, Copy)]
struct Entry<E> {
    /// IEEE-754 bit pattern of the time: times are never negative nor NaN (see
    /// [`Scheduler::schedule_at`]), and for those the bit pattern orders like the value.
    time: u64,
    /// Insertion order among pending events (ties at equal times).
    seq: u32,
    event: E,
}

impl<E> Entry<E> {
    /// (time, sequence) as one integer: a single comparison orders two entries.
    #[inline]
    fn key(&self) -> u128 {
        ((self.time as u128) << 32) | self.seq as u128
    }
}

impl<E> Timed for Entry<E> {
    #[inline]
    fn time(&self) -> f64 {
        f64::from_bits(self.time)
    }
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
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
        // Reversed: the heap is a max-heap and we want the earliest event on top. Two
        // comparisons, both evaluated (`then`, not `then_with`), so the result is selected
        // without a branch; building the 128-bit key costs more on this, the hottest path.
        other.time.cmp(&self.time).then(other.seq.cmp(&self.seq))
    }
}

/// Simulated clock plus pending events of type `E`.
pub struct Scheduler<E> {
    now: f64,
    next_seq: u32,
    /// The events due soonest: all of them, or when there is a calendar, those of its buckets
    /// poured so far. Never empty while the calendar holds events.
    heap: EventHeap<Entry<E>>,
    /// The later events, on a large floor.
    calendar: Option<Box<Calendar<Entry<E>>>>,
    /// Heap size above which the calendar is set up: [`SPLIT_AT`], or never.
    split_at: usize,
    /// The pending event of the lone stream, if any.
    lone: Option<Entry<E>>,
}

impl<E: Copy> Default for Scheduler<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> Scheduler<E> {
    pub fn new() -> Self {
        Self::with_capacity(64)
    }

    /// Pre-size the heap so that a run with about `capacity` pending events never reallocates.
    pub fn with_capacity(capacity: usize) -> Self {
        Scheduler {
            now: 0.0,
            next_seq: 0,
            heap: EventHeap::with_capacity(capacity.min(SPLIT_AT + 1)),
            calendar: None,
            split_at: SPLIT_AT,
            lone: None,
        }
    }

    /// Keep every event in the heap, never setting up the calendar: the same order, for tests
    /// that check the calendar against the plain heap.
    pub fn without_calendar(mut self) -> Self {
        self.split_at = usize::MAX;
        self
    }

    /// Current simulated time, in seconds.
    #[inline]
    pub fn now(&self) -> f64 {
        self.now
    }

    /// Number of events waiting.
    pub fn pending(&self) -> usize {
        let later = self.calendar.as_ref().map_or(0, |c| c.len());
        self.heap.len() + later + self.lone.is_some() as usize
    }

    /// Schedule `event` at absolute time `at`. A time in the past (or NaN) is clamped to now, so
    /// time never goes back whatever a distribution returns.
    #[inline]
    pub fn schedule_at(&mut self, at: f64, event: E) {
        let entry = self.entry(at, event);
        match &mut self.calendar {
            Some(calendar) if !calendar.is_due(entry.time()) => calendar.insert(entry),
            _ => {
                self.heap.push(entry);
                if self.heap.len() > self.split_at && self.calendar.is_none() {
                    self.split();
                }
            }
        }
    }

    /// Move the events not due soon out of the heap into a new calendar.
    #[cold]
    fn split(&mut self) {
        let entries = std::mem::take(&mut self.heap).into_vec();
        let (calendar, due) = Calendar::new(self.now, entries);
        self.heap = EventHeap::from(due);
        self.calendar = Some(Box::new(calendar));
        self.refill();
    }

    /// After the heap's top was taken: keep the heap non-empty while the calendar holds events,
    /// give the calendar up when few events are left, and set it up anew when it no longer
    /// suits the flow of events or their number.
    #[inline]
    fn refill(&mut self) {
        if !self.heap.is_empty() {
            return;
        }
        let Some(calendar) = &mut self.calendar else {
            return;
        };
        if calendar.len() < JOIN_BELOW {
            self.heap.extend(calendar.drain());
            self.calendar = None;
        } else if calendar.needs_rebuild() {
            let entries = calendar.drain();
            self.calendar = None;
            self.heap.extend(entries);
            self.split();
        } else {
            calendar.pour_next(&mut self.heap);
        }
    }

    /// Schedule `event` of the lone stream at absolute time `at` (clamped like
    /// [`Self::schedule_at`]): a stream of events of which at most one is pending at a time,
    /// such as arrivals, each scheduled when the previous one is handled. It pops in the same
    /// (time, sequence) order as if it were scheduled with `schedule_at`.
    #[inline]
    pub fn schedule_lone(&mut self, at: f64, event: E) {
        debug_assert!(self.lone.is_none(), "the lone stream has an event pending");
        let entry = self.entry(at, event);
        self.lone = Some(entry);
    }

    /// A new entry at `at` clamped to now, with the next sequence number.
    #[inline]
    fn entry(&mut self, at: f64, event: E) -> Entry<E> {
        let at = if at > self.now { at } else { self.now };
        if self.next_seq == u32::MAX {
            self.renumber();
        }
        let entry = Entry {
            time: at.to_bits(),
            seq: self.next_seq,
            event,
        };
        self.next_seq += 1;
        entry
    }

    /// Whether the lone stream's event comes before the heap's top.
    #[inline]
    fn lone_first(&self) -> bool {
        match (&self.lone, self.heap.peek()) {
            (Some(lone), Some(top)) => lone.key() < top.key(),
            (lone, _) => lone.is_some(),
        }
    }

    /// Schedule `event` after a delay of `delay` seconds.
    #[inline]
    pub fn schedule_in(&mut self, delay: f64, event: E) {
        self.schedule_at(self.now + delay, event);
    }

    /// Time of the next event, without removing it.
    #[inline]
    pub fn peek_time(&self) -> Option<f64> {
        let next = if self.lone_first() {
            self.lone.as_ref()
        } else {
            self.heap.peek()
        };
        next.map(|e| f64::from_bits(e.time))
    }

    /// The earliest event of those scheduled with [`Self::schedule_at`] (the lone stream's is
    /// left out), without removing it: a cheap hint of what comes next, for prefetching.
    #[inline]
    pub fn peek_scheduled(&self) -> Option<&E> {
        self.heap.peek().map(|e| &e.event)
    }

    /// Remove the earliest event if its time is not after `limit`, and advance the clock to
    /// it: the event loop's peek and pop with one look at the heap's top and the lone slot.
    #[inline]
    pub fn pop_until(&mut self, limit: f64) -> Option<(f64, E)> {
        let lone = self.lone_first();
        let next = if lone {
            self.lone.as_ref()
        } else {
            self.heap.peek()
        }?;
        let at = f64::from_bits(next.time);
        if at > limit {
            return None;
        }
        let top = if lone {
            self.lone.take()
        } else {
            let top = self.heap.pop();
            self.refill();
            top
        }?;
        debug_assert!(at >= self.now, "time went back: {at} < {}", self.now);
        self.now = at;
        Some((at, top.event))
    }

    /// Remove the earliest event and advance the clock to its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, E)> {
        self.pop_until(f64::INFINITY)
    }

    /// Give the pending events the sequence numbers `0..n` in their order, when 32 bits of
    /// sequence are exhausted (after four billion events): the order of every pending pair is
    /// unchanged, and a sorted array is a valid heap.
    #[cold]
    fn renumber(&mut self) {
        let mut entries = std::mem::take(&mut self.heap).into_vec();
        if let Some(mut calendar) = self.calendar.take() {
            entries.extend(calendar.drain());
        }
        entries.extend(self.lone);
        entries.sort_unstable_by_key(Entry::key);
        // Where the lone event ranks among all pending ones (keys are unique).
        let lone_rank = self
            .lone
            .map(|lone| entries.partition_point(|e| e.key() < lone.key()));
        for (seq, entry) in entries.iter_mut().enumerate() {
            entry.seq = seq as u32;
        }
        self.next_seq = entries.len() as u32;
        if let Some(rank) = lone_rank {
            self.lone = Some(entries.remove(rank));
        }
        self.heap = EventHeap::from(entries);
        if self.heap.len() > self.split_at {
            self.split();
        }
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

    #[test]
    fn sequence_renumbering_keeps_the_order() {
        let mut s = Scheduler::new();
        s.next_seq = u32::MAX - 3;
        for (i, t) in [4.0, 1.0, 4.0, 2.0, 4.0, 1.0, 3.0, 4.0]
            .into_iter()
            .enumerate()
        {
            s.schedule_at(t, i);
        }
        assert!(s.next_seq < 10, "renumbered");
        let order: Vec<usize> = std::iter::from_fn(|| s.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec![1, 5, 3, 6, 0, 2, 4, 7]);
    }

    #[test]
    fn lone_stream_pops_in_order_with_the_others_through_renumbering() {
        let mut s = Scheduler::new();
        s.next_seq = u32::MAX - 3;
        // (time, event, lone): the lone stream has one event pending at a time.
        s.schedule_at(2.0, 0);
        s.schedule_lone(2.0, 1);
        s.schedule_at(2.0, 2);
        s.schedule_at(1.0, 3);
        s.schedule_at(2.0, 4);
        assert!(s.next_seq < 10, "renumbered");
        assert_eq!(s.pending(), 5);
        let order: Vec<i32> = std::iter::from_fn(|| s.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec![3, 0, 1, 2, 4]);
    }

    proptest::proptest! {
        #[test]
        fn pops_like_a_sorted_list(ops in proptest::collection::vec(proptest::option::of(0u8..20), 0..400)) {
            let mut s = Scheduler::new();
            let mut model: Vec<(f64, u32)> = Vec::new();
            for (i, op) in ops.into_iter().enumerate() {
                match op {
                    Some(dt) => {
                        let at = s.now() + dt as f64 / 4.0;
                        // Odd delays go to the lone stream when its slot is free.
                        if dt % 2 == 1 && !model.iter().any(|&(_, e)| e >= 1000) {
                            s.schedule_lone(at, 1000 + i as u32);
                            model.push((at, 1000 + i as u32));
                        } else {
                            s.schedule_at(at, i as u32);
                            model.push((at, i as u32));
                        }
                    }
                    None => {
                        // Stable sort: equal times stay in insertion order.
                        model.sort_by(|a, b| a.0.total_cmp(&b.0));
                        let expected = (!model.is_empty()).then(|| model.remove(0));
                        proptest::prop_assert_eq!(s.pop(), expected);
                    }
                }
            }
        }
    }

    /// A long random mix of schedules and pops through the calendar, against a sorted list:
    /// thousands pending (so the calendar is set up, refilled, re-sized and given up), times on
    /// a coarse grid (many ties), some far beyond the calendar's ring, a lone stream, and
    /// sequence numbers renumbered along the way.
    #[test]
    fn calendar_pops_like_a_sorted_list() {
        use rand::Rng;
        let mut rng = crate::engine::stream(11, 0, 0);
        let mut s = Scheduler::new();
        s.next_seq = u32::MAX - 20_000;
        let mut model: std::collections::BTreeMap<(u64, u64), u64> = Default::default();
        let mut lone_pending = false;
        let mut used_calendar = false;
        for i in 0..200_000u64 {
            // Phases: fill up to thousands pending, drain to a few, fill again.
            let fill = (i / 40_000) % 2 == 0;
            if rng.random::<f64>() < if fill { 0.55 } else { 0.45 } {
                let scale = if rng.random::<f64>() < 0.01 {
                    1e5
                } else {
                    100.0
                };
                let mut dt = (rng.random::<f64>() * scale * 4.0).round() / 4.0;
                // Near the end, some events at an infinite time: they saturate the bucket
                // numbers, and once the clock reaches them every event ties at infinity.
                if i > 190_000 && rng.random::<f64>() < 0.01 {
                    dt = f64::INFINITY;
                }
                let at = s.now() + dt;
                let key = (at.to_bits(), i);
                if !lone_pending && rng.random::<f64>() < 0.2 {
                    s.schedule_lone(at, i);
                    lone_pending = true;
                    model.insert(key, i);
                } else {
                    s.schedule_at(at, i);
                    model.insert(key, i);
                }
            } else {
                let expected = model.pop_first().map(|((t, _), e)| (f64::from_bits(t), e));
                assert_eq!(s.peek_time(), expected.map(|(t, _)| t));
                assert_eq!(s.pop(), expected, "pop {i}");
                // Whether the event popped was the lone one: the model does not track it.
                lone_pending = s.lone.is_some();
            }
            used_calendar |= s.calendar.is_some();
            assert_eq!(s.pending(), model.len());
        }
        assert!(used_calendar, "the test never reached the calendar");
        assert!(s.next_seq < 100_000, "the test never renumbered");
    }

    /// A floor filling up and emptying again, like a large desk's morning and evening:
    /// exponential delays, so most pending events sit in the calendar's overflow and move into
    /// its ring turn after turn, and the calendar is rebuilt as the number pending grows and
    /// shrinks. Pops must come out in (time, sequence) order throughout.
    #[test]
    fn calendar_keeps_order_while_a_floor_fills_and_empties() {
        use rand::Rng;
        use rand_distr::{Distribution, Exp1};
        let mut rng = crate::engine::stream(12, 0, 0);
        let mut s = Scheduler::new();
        let mut last = (0.0, 0u64);
        let mut scheduled = 0;
        let mut schedule = |s: &mut Scheduler<u64>, rng: &mut crate::engine::SimRng, mean: f64| {
            let e: f64 = Exp1.sample(rng);
            s.schedule_in(e * mean, scheduled);
            scheduled += 1;
        };
        for _ in 0..20 {
            schedule(&mut s, &mut rng, 300.0);
        }
        let mut pops = 0;
        let mut held_full_floor = false;
        while let Some((t, e)) = s.pop() {
            // Events of one instant pop in the order they were scheduled.
            assert!(
                t > last.0 || (t == last.0 && e > last.1),
                "out of order at pop {pops}"
            );
            last = (t, e);
            pops += 1;
            // Fill to about 5,000 pending, then drain.
            let filling = pops < 60_000;
            if filling || rng.random::<f64>() < 0.3 {
                schedule(&mut s, &mut rng, 300.0);
            }
            if filling && s.pending() < 5_000 {
                schedule(&mut s, &mut rng, 300.0);
            }
            held_full_floor |= s.calendar.as_ref().is_some_and(|c| c.len() > 4_000);
        }
        assert!(pops > 60_000);
        assert_eq!(s.pending(), 0);
        assert_eq!(pops, scheduled, "events were lost");
        assert!(held_full_floor, "the calendar never held the full floor");
    }
}
