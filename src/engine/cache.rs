//! Cache hints. On a large floor the state an event touches (its session, its agent) is spread
//! over megabytes and is usually out of the core's caches when the event pops; asking for it one
//! event ahead lets the fetch overlap the work on the current event instead of stalling it.

/// Ask the CPU to bring the cache lines of `value` closer. A hint only: it never faults, changes
/// nothing observable, and is a no-op on targets without a prefetch instruction.
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let start = value as *const T as *const i8;
        let offset = start as usize % 64;
        // Every line the value overlaps (a 88-byte value can overlap three).
        let mut line = 0;
        while line < offset + std::mem::size_of::<T>() {
            // SAFETY: prefetch is a hint that never faults, whatever the address, and its
            // target feature (SSE) is part of the x86_64 baseline.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(line).wrapping_sub(offset)) };
            line += 64;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
