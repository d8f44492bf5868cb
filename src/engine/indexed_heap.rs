//! An addressable binary min-heap over small integer ids (agents), with O(log n) insert, remove
//! and key update. Routing keeps the agents that can take a chat in one of these, so choosing an
//! agent never scans the floor, whether it has 10 agents or 10,000.
//!
//! Keys are stored in the heap array next to their ids, so a sift compares entries it has
//! already loaded instead of following each id to a separate key array (one cache miss per
//! level fewer on large floors).

/// Min-heap of ids `0..capacity`, each present at most once, ordered by a key of type `K`.
/// Memory is allocated once at construction.
pub struct IndexedMinHeap<K> {
    heap: Vec<(K, u32)>,
    /// Position of each id in `heap`, or `ABSENT`.
    pos: Vec<u32>,
}

const ABSENT: u32 = u32::MAX;

impl<K: Ord + Copy> IndexedMinHeap<K> {
    pub fn new(capacity: usize) -> Self {
        IndexedMinHeap {
            heap: Vec::with_capacity(capacity),
            pos: vec![ABSENT; capacity],
        }
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    pub fn contains(&self, id: u32) -> bool {
        self.pos[id as usize] != ABSENT
    }

    /// The id with the smallest key.
    #[inline]
    pub fn peek(&self) -> Option<u32> {
        self.heap.first().map(|&(_, id)| id)
    }

    /// The id with the smallest key other than the two `excluded` (which may be equal): it is
    /// among the first seven entries, since its ancestors are all smaller and so all excluded,
    /// which puts it at depth two at most.
    pub fn peek_excluding(&self, excluded: [u32; 2]) -> Option<u32> {
        match self.heap.first() {
            Some(&(_, id)) if !excluded.contains(&id) => Some(id),
            _ => self.heap[..self.heap.len().min(7)]
                .iter()
                .filter(|(_, id)| !excluded.contains(id))
                .min()
                .map(|&(_, id)| id),
        }
    }

    /// Insert `id` with `key`, or change its key if it is already present.
    pub fn set(&mut self, id: u32, key: K) {
        let at = self.pos[id as usize];
        if at == ABSENT {
            self.heap.push((key, id));
            self.sift_up(self.heap.len() - 1, (key, id));
        } else {
            let at = at as usize;
            let old = self.heap[at].0;
            if key < old {
                self.sift_up(at, (key, id));
            } else if key > old {
                self.sift_down(at, (key, id));
            }
        }
    }

    /// Remove `id` if present.
    pub fn remove(&mut self, id: u32) {
        let at = self.pos[id as usize];
        if at == ABSENT {
            return;
        }
        self.pos[id as usize] = ABSENT;
        let last = self.heap.pop().expect("a present id is in the heap");
        let at = at as usize;
        if at < self.heap.len() {
            // The last entry fills the hole, then moves whichever way its key says.
            if at > 0 && last.0 < self.heap[(at - 1) / 2].0 {
                self.sift_up(at, last);
            } else {
                self.sift_down(at, last);
            }
        }
    }

    /// Place `entry` at `at`, writing its position.
    #[inline]
    fn put(&mut self, at: usize, entry: (K, u32)) {
        self.heap[at] = entry;
        self.pos[entry.1 as usize] = at as u32;
    }

    /// Move `entry`, which belongs at or above the hole `at`, up to its place.
    fn sift_up(&mut self, mut at: usize, entry: (K, u32)) {
        while at > 0 {
            let parent = (at - 1) / 2;
            let above = self.heap[parent];
            if entry.0 < above.0 {
                self.put(at, above);
                at = parent;
            } else {
                break;
            }
        }
        self.put(at, entry);
    }

    /// Move `entry`, which belongs at or below the hole `at`, down to its place.
    fn sift_down(&mut self, mut at: usize, entry: (K, u32)) {
        let n = self.heap.len();
        loop {
            let left = 2 * at + 1;
            if left >= n {
                break;
            }
            let right = left + 1;
            let child = if right < n && self.heap[right].0 < self.heap[left].0 {
                right
            } else {
                left
            };
            let below = self.heap[child];
            if below.0 < entry.0 {
                self.put(at, below);
                at = child;
            } else {
                break;
            }
        }
        self.put(at, entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn behaves_like_a_sorted_map(ops in prop::collection::vec((0u32..20, 0u32..50, any::<bool>()), 0..300)) {
            let mut heap = IndexedMinHeap::<(u32, u32)>::new(20);
            let mut model = std::collections::BTreeMap::new();
            for (id, key, insert) in ops {
                if insert {
                    heap.set(id, (key, id));
                    model.insert(id, (key, id));
                } else {
                    heap.remove(id);
                    model.remove(&id);
                }
                let expected = model.values().min().map(|&(_, id)| id);
                prop_assert_eq!(heap.peek(), expected);
                prop_assert_eq!(heap.len(), model.len());
                // One agent excluded, or two: the best, the second best, any other.
                let order: Vec<u32> = {
                    let mut v: Vec<_> = model.values().copied().collect();
                    v.sort();
                    v.into_iter().map(|(_, i)| i).collect()
                };
                let first = order.first().copied().unwrap_or(0);
                let second = order.get(1).copied().unwrap_or(0);
                for excluded in [[id, id], [first, first], [first, second], [second, first], [id, first]] {
                    let best = model.values().filter(|&&(_, i)| !excluded.contains(&i)).min();
                    prop_assert_eq!(heap.peek_excluding(excluded), best.map(|&(_, id)| id));
                }
            }
        }
    }
}
