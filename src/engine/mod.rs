//! The discrete-event core: simulated time, the event queue, cancellable timers and seeded random
//! streams. It knows nothing about contact centers; the model module gives it an event type and
//! drives it.

mod cache;
mod calendar;
mod indexed_heap;
mod rng;
mod scheduler;

pub use cache::prefetch;
pub use indexed_heap::IndexedMinHeap;
pub use rng::{stream, CustomerParts, CustomerRng, CustomerSeeds, SimRng};
pub use scheduler::{Scheduler, Stamp};
