//! Two observers of one replication: every record goes to both, the first one first. The KPI
//! collector and a contact trace then see the same run without either knowing of the other.

use crate::model::{Observer, Record};

/// Sends each record to `.0`, then to `.1` (static dispatch: both are inlined).
pub struct Tee<A, B>(pub A, pub B);

impl<A: Observer, B: Observer> Observer for Tee<A, B> {
    #[inline(always)]
    fn record(&mut self, now: f64, record: Record) {
        self.0.record(now, record);
        self.1.record(now, record);
    }
}
