//! The scheduler's later events, in buckets of simulated time (a calendar queue behind the heap).
//!
//! With thousands of events pending, a binary heap over all of them costs a dozen levels per
//! operation, each a hard-to-predict branch and, once the heap outgrows the first-level cache,
//! a cache miss. Yet most pending events are far from the clock (replies due in minutes while
//! something happens every few milliseconds) and their order does not matter until the clock
//! gets near them. So on a large floor the scheduler keeps only the events of the current
//! bucket of time in its heap, and drops later ones, unsorted, into the bucket of their time;
//! when the heap runs dry, the next bucket is poured into it. Adding an event is then a
//! multiplication and a push onto a vector, and the heap stays a few dozen events deep whatever
//! the size of the floor.
//!
//! The order stays exact. An event's bucket number is a non-decreasing function of its time
//! (computed the same way everywhere, so rounding cannot put two events in the wrong order):
//! every event of one bucket comes before every event of a later one, and inside the heap events
//! are ordered by (time, sequence) as always.
//!
//! The buckets are a ring of consecutive bucket numbers after the current one, about one
//! bucket per [`PER_BUCKET`] events pending (a power of two, at most [`MAX_RING`]); events
//! further away wait in an unsorted overflow list, moved into the ring as it comes within
//! reach. The bucket width is chosen when the calendar is set up, so that the first bucket holds
//! about [`PER_BUCKET`] events. The scheduler sets the calendar up anew when the buckets poured
//! turn out to hold far more or far fewer than that, or the ring's size no longer suits the
//! number of events pending. Memory is proportional to the events pending: a poured bucket that
//! had grown far past its share gives the excess capacity back.

/// An item with a time, in seconds.
pub trait Timed {
    fn time(&self) -> f64;
}

/// Most buckets in the ring.
const MAX_RING: usize = 1024;

/// Events per bucket the width aims at: enough that pouring a bucket is worth it, few enough
/// that the heap they form stays small.
pub const PER_BUCKET: usize = 32;

pub struct Calendar<T> {
    /// Time at which bucket 0 starts.
    origin: f64,
    /// Buckets per second (1 / width).
    rate: f64,
    /// The last bucket poured: events of buckets up to this one belong in the heap.
    current: u64,
    /// Buckets `current + 1 ..= current + ring_size`, bucket `b` at index `b % ring_size` (the
    /// index of bucket `current`, poured, is free for bucket `current + ring_size`).
    ring: Vec<Vec<T>>,
    /// Number of buckets in the ring (a power of two).
    ring_size: u64,
    ring_len: usize,
    /// Events whose bucket was beyond `current + ring_size` when they were added.
    overflow: Vec<T>,
    /// Since the calendar was set up: buckets advanced over and events poured, to tell whether
    /// the width still suits the flow of events.
    advanced: u64,
    poured: u64,
}

impl<T: Timed> Calendar<T> {
    /// A calendar whose bucket 0, the current one, starts at `now`, holding the events of
    /// `items` that are not in bucket 0; those are returned, to go in the heap. The width is the
    /// time from `now` to the [`PER_BUCKET`]-th earliest item.
    pub fn new(now: f64, mut items: Vec<T>) -> (Self, Vec<T>) {
        let width = if items.len() > PER_BUCKET {
            let (_, nth, _) =
                items.select_nth_unstable_by(PER_BUCKET, |a, b| a.time().total_cmp(&b.time()));
            nth.time() - now
        } else {
            0.0
        };
        // A width of zero (many events at the same instant) or less than a microsecond would
        // make buckets too fine to be useful; the heap sorts within a bucket anyway. An infinite
        // one (events at an infinite time) would make every event due: any finite width then
        // does, and a rebuild corrects it.
        let width = if width.is_finite() {
            width.max(1e-6)
        } else {
            1.0
        };
        let ring_size = (items.len() / PER_BUCKET).next_power_of_two().min(MAX_RING);
        let mut calendar = Calendar {
            origin: now,
            rate: 1.0 / width,
            current: 0,
            ring: (0..ring_size).map(|_| Vec::new()).collect(),
            ring_size: ring_size as u64,
            ring_len: 0,
            overflow: Vec::new(),
            advanced: 0,
            poured: 0,
        };
        let mut due = Vec::new();
        for item in items {
            if calendar.is_due(item.time()) {
                due.push(item);
            } else {
                calendar.insert(item);
            }
        }
        (calendar, due)
    }

    /// Number of events held.
    pub fn len(&self) -> usize {
        self.ring_len + self.overflow.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bucket number of time `t` (not before `origin`; far times saturate).
    #[inline]
    fn bucket(&self, t: f64) -> u64 {
        ((t - self.origin) * self.rate) as u64
    }

    /// Whether an event at `t` belongs in the heap: its bucket has been poured already.
    #[inline]
    pub fn is_due(&self, t: f64) -> bool {
        self.bucket(t) <= self.current
    }

    /// Add an event that is not due.
    #[inline]
    pub fn insert(&mut self, item: T) {
        let b = self.bucket(item.time());
        debug_assert!(b > self.current, "a due event goes in the heap");
        if b - self.current <= self.ring_size {
            self.ring[(b % self.ring_size) as usize].push(item);
            self.ring_len += 1;
        } else {
            self.overflow.push(item);
        }
    }

    /// Move the events of the next non-empty bucket into `heap`; nothing if the calendar is
    /// empty.
    pub fn pour_next(&mut self, heap: &mut impl Extend<T>) {
        while !self.is_empty() {
            if self.ring_len == 0 {
                // Nothing within reach: jump to just before the earliest overflow bucket.
                let first = self
                    .overflow
                    .iter()
                    .map(|item| self.bucket(item.time()))
                    .min()
                    .expect("the overflow holds the events");
                self.advanced += first - 1 - self.current;
                self.current = first - 1;
                self.reach_overflow();
            }
            // Saturating: events at an infinite time all land in the last bucket number.
            self.current = self.current.saturating_add(1);
            self.advanced += 1;
            if self.current % self.ring_size == 0 {
                self.reach_overflow();
            }
            let slot = (self.current % self.ring_size) as usize;
            debug_assert!(
                self.ring[slot]
                    .iter()
                    .all(|item| self.bucket(item.time()) == self.current),
                "a bucket holds events of another"
            );
            let bucket = &mut self.ring[slot];
            if !bucket.is_empty() {
                self.ring_len -= bucket.len();
                self.poured += bucket.len() as u64;
                heap.extend(bucket.drain(..));
                // A burst can make a bucket far larger than its share; keeping that capacity in
                // every bucket it ever reached would make memory grow with the run's length.
                if bucket.capacity() > 8 * PER_BUCKET {
                    bucket.shrink_to(2 * PER_BUCKET);
                }
                return;
            }
        }
    }

    /// Move into the ring the overflow events whose bucket is now within its reach. Called every
    /// `ring_size` buckets, and after a jump: an event in the overflow was beyond the ring's reach
    /// when added, so it is moved before the clock gets to its bucket.
    ///
    /// The reach stops one short of a full turn: this runs before bucket `current` is poured,
    /// and bucket `current + ring_size` shares its place in the ring (it is moved at the next
    /// turn, before its own pouring).
    fn reach_overflow(&mut self) {
        let reach = self.current.saturating_add(self.ring_size - 1);
        let mut i = 0;
        while i < self.overflow.len() {
            let b = self.bucket(self.overflow[i].time());
            if b <= reach {
                // Bucket `current` itself is not poured yet.
                debug_assert!(b >= self.current, "an overflow event missed its bucket");
                let item = self.overflow.swap_remove(i);
                self.ring[(b % self.ring_size) as usize].push(item);
                self.ring_len += 1;
            } else {
                i += 1;
            }
        }
    }

    /// Whether the calendar should be set up anew: over at least one turn of the ring, buckets
    /// held on average far more or far fewer events than [`PER_BUCKET`] (the flow of events
    /// changed since the width was chosen), or the ring's size no longer suits the number of
    /// events pending (it was sized when the floor was filling up, or emptying).
    pub fn needs_rebuild(&self) -> bool {
        if self.advanced < self.ring_size {
            return false;
        }
        let per_bucket = self.poured as f64 / self.advanced as f64;
        let width_off = !(PER_BUCKET as f64 / 8.0..=PER_BUCKET as f64 * 8.0).contains(&per_bucket);
        let share = self.len() / PER_BUCKET;
        let ring = self.ring_size as usize;
        let ring_off = (share > 4 * ring && ring < MAX_RING) || share < ring / 8;
        width_off || ring_off
    }

    /// Every event held, in no particular order, leaving the calendar empty.
    pub fn drain(&mut self) -> Vec<T> {
        let mut all = std::mem::take(&mut self.overflow);
        for bucket in &mut self.ring {
            all.append(bucket);
        }
        self.ring_len = 0;
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Timed for f64 {
        fn time(&self) -> f64 {
            *self
        }
    }

    /// Pour buckets one by one, sorting each as the heap would, while adding later events:
    /// the times come out sorted.
    #[test]
    fn buckets_pour_in_time_order() {
        let mut rng = crate::engine::stream(7, 0, 0);
        use rand::Rng;
        let items: Vec<f64> = (0..2000).map(|_| rng.random::<f64>() * 1000.0).collect();
        let (mut calendar, mut heap) = Calendar::new(0.0, items);
        let mut out = Vec::new();
        let mut now = 0.0;
        while !heap.is_empty() || !calendar.is_empty() {
            if heap.is_empty() {
                calendar.pour_next(&mut heap);
            }
            heap.sort_by(|a, b| b.total_cmp(a));
            let t = heap.pop().unwrap();
            assert!(t >= now);
            now = t;
            out.push(t);
            // Sometimes an event far ahead (beyond the ring), sometimes a due one.
            if out.len() % 3 == 0 && out.len() < 3000 {
                let later = now + rng.random::<f64>() * 5000.0;
                if calendar.is_due(later) {
                    heap.push(later);
                } else {
                    calendar.insert(later);
                }
            }
        }
        assert_eq!(out.len(), 2000 + 999);
    }
}
