//! An addressable binary min-heap over small integer ids (agents), with O(log n) insert, remove
//! and key update. Routing keeps the agents that can take a chat in one of these, so choosing an
//! agent never scans the floor, whether it has 10 agents or 10,000.

/// Min-heap of ids `0..capacity`, each present at most once, ordered by a key of type `K`.
/// Memory is allocated once at construction.
pub struct IndexedMinHeap<K> {
    heap: Vec<u32>,
    /// Position of each id in `heap`, or `ABSENT`.
    pos: Vec<u32>,
    keys: Vec<K>,
}

const ABSENT: u32 = u32::MAX;

impl<K: Ord + Copy + Default> IndexedMinHeap<K> {
    pub fn new(capacity: usize) -> Self {
        IndexedMinHeap {
            heap: Vec::with_capacity(capacity),
            pos: vec![ABSENT; capacity],
            keys: vec![K::default(); capacity],
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
        self.heap.first().copied()
    }

    /// Insert `id` with `key`, or change its key if it is already present.
    pub fn set(&mut self, id: u32, key: K) {
        let i = id as usize;
        if self.pos[i] == ABSENT {
            self.keys[i] = key;
            self.pos[i] = self.heap.len() as u32;
            self.heap.push(id);
            self.sift_up(self.heap.len() - 1);
        } else {
            let old = self.keys[i];
            self.keys[i] = key;
            let at = self.pos[i] as usize;
            if key < old {
                self.sift_up(at);
            } else if key > old {
                self.sift_down(at);
            }
        }
    }

    /// Remove `id` if present.
    pub fn remove(&mut self, id: u32) {
        let at = self.pos[id as usize];
        if at == ABSENT {
            return;
        }
        let at = at as usize;
        let last = self.heap.len() - 1;
        self.swap(at, last);
        self.heap.pop();
        self.pos[id as usize] = ABSENT;
        if at < self.heap.len() {
            self.sift_down(at);
            self.sift_up(at);
        }
    }

    #[inline]
    fn key_at(&self, at: usize) -> K {
        self.keys[self.heap[at] as usize]
    }

    fn swap(&mut self, a: usize, b: usize) {
        self.heap.swap(a, b);
        self.pos[self.heap[a] as usize] = a as u32;
        self.pos[self.heap[b] as usize] = b as u32;
    }

    fn sift_up(&mut self, mut at: usize) {
        while at > 0 {
            let parent = (at - 1) / 2;
            if self.key_at(at) < self.key_at(parent) {
                self.swap(at, parent);
                at = parent;
            } else {
                break;
            }
        }
    }

    fn sift_down(&mut self, mut at: usize) {
        let n = self.heap.len();
        loop {
            let left = 2 * at + 1;
            if left >= n {
                break;
            }
            let right = left + 1;
            let child = if right < n && self.key_at(right) < self.key_at(left) {
                right
            } else {
                left
            };
            if self.key_at(child) < self.key_at(at) {
                self.swap(at, child);
                at = child;
            } else {
                break;
            }
        }
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
            }
        }
    }
}
