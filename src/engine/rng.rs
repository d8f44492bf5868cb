//! Seeded random streams: one independent generator per (replication, source of randomness),
//! derived from the master seed by hashing.
//!
//! Streams depend on the replication and the source, never on the scenario's settings, so two
//! staffing levels run with the same seed see the same customers (common random numbers). The
//! generator is named, not "whatever StdRng is today": xoshiro256++ (rand_xoshiro), whose output
//! is fixed by its specification and portable across platforms and crate versions.

use rand::SeedableRng;
use rand_xoshiro::{SplitMix64, Xoshiro256PlusPlus};

/// The generator behind every random stream.
pub type SimRng = Xoshiro256PlusPlus;

/// The generator of one customer's substreams ([`CustomerSeeds`]): SplitMix64, whose whole
/// state is one word, so that a session carries its customer's streams in 16 bytes and a new
/// customer's are set up with one hash. It passes BigCrush; a customer draws a few dozen
/// numbers from each, where its period is 2^64.
pub type CustomerRng = SplitMix64;

/// SplitMix64 finaliser: a bijective mixer with good avalanche, the standard way to turn
/// structured integers (seed, replication, source) into unrelated seeds.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The random stream for `source` in replication `replication` of a run seeded with `master_seed`.
pub fn stream(master_seed: u64, replication: u64, source: u64) -> SimRng {
    const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;
    let h = mix(master_seed.wrapping_add(GOLDEN));
    let h = mix(h ^ replication.wrapping_mul(GOLDEN).wrapping_add(1));
    let h = mix(h ^ source.wrapping_mul(0xd6e8_feb8_6659_fd93).wrapping_add(2));
    Xoshiro256PlusPlus::seed_from_u64(h)
}

/// The customers' substreams of one replication: every draw that belongs to one customer comes
/// from their own substreams, so that the same customer does the same things whatever else the
/// run does (another staffing, another routing): common random numbers customer by customer,
/// not only stream by stream. The seed and the replication are hashed once, as in [`stream`];
/// a customer then costs one more round of the mixer ([`CustomerSeeds::customer`]), and their
/// parts none ([`CustomerParts::part`]).
#[derive(Clone, Copy, Debug)]
pub struct CustomerSeeds(u64);

/// SplitMix64 steps its state by this constant at each draw.
const SPLITMIX_STEP: u64 = 0x9e37_79b9_7f4a_7c15;
/// The distance between two parts of a customer: 2^32 draws along the generator's sequence.
const PART_STRIDE: u64 = SPLITMIX_STEP.wrapping_mul(1 << 32);

impl CustomerSeeds {
    pub fn new(master_seed: u64, replication: u64) -> Self {
        const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;
        let h = mix(master_seed.wrapping_add(GOLDEN));
        CustomerSeeds(mix(h ^ replication.wrapping_mul(GOLDEN).wrapping_add(1)))
    }

    /// The substreams of customer `customer`, which must name the customer independently of
    /// the run's course (the model uses the queue and the rank of the arrival in it): a point
    /// of SplitMix64's one sequence of 2^64 states, drawn by hashing.
    #[inline]
    pub fn customer(self, customer: u64) -> CustomerParts {
        CustomerParts(mix(
            self.0 ^ customer.wrapping_mul(0xd6e8_feb8_6659_fd93).wrapping_add(3)
        ))
    }
}

/// One customer's substreams: part `p` starts 2^32·p draws after the customer's point, so two
/// parts of a customer never overlap unless one draws four billion numbers, and two customers'
/// points are as far apart as independent hashes make them.
#[derive(Clone, Copy, Debug)]
pub struct CustomerParts(u64);

impl CustomerParts {
    #[inline]
    pub fn part(self, p: u64) -> CustomerRng {
        SplitMix64::from_seed(
            self.0
                .wrapping_add(p.wrapping_mul(PART_STRIDE))
                .to_le_bytes(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: u64 = stream(7, 0, 0).random();
        assert_eq!(a, stream(7, 0, 0).random::<u64>());
        let others = [stream(7, 1, 0), stream(7, 0, 1), stream(8, 0, 0)];
        for mut o in others {
            assert_ne!(a, o.random::<u64>());
        }
    }

    #[test]
    fn generator_output_is_pinned() {
        // Guards reproducibility across toolchains and dependency updates: if this value
        // changes, every published result of ccsim would change with it.
        let x: u64 = stream(2026, 3, 5).random();
        assert_eq!(x, PINNED);
    }
    const PINNED: u64 = 387_839_200_044_810_261;

    #[test]
    fn customer_streams_are_reproducible_and_distinct() {
        let part = |seed, replication, customer, p| {
            CustomerSeeds::new(seed, replication)
                .customer(customer)
                .part(p)
        };
        let a: u64 = part(7, 0, 5, 1).random();
        assert_eq!(a, part(7, 0, 5, 1).random::<u64>());
        let others = [
            part(7, 0, 5, 2),
            part(7, 0, 6, 1),
            part(7, 1, 5, 1),
            part(8, 0, 5, 1),
        ];
        for mut o in others {
            assert_ne!(a, o.random::<u64>());
        }
    }

    #[test]
    fn the_generator_steps_its_state_by_a_constant() {
        // What keeps parts apart: after n draws from state x, SplitMix64 is at state
        // x + n·step, so part p + 1 (the customer's state + (p + 1)·2^32·step) is where part p
        // would be after 2^32 draws. Checked here with n = 1000.
        let x: u64 = 0x1234_5678_9abc_def0;
        let mut walked = SplitMix64::from_seed(x.to_le_bytes());
        for _ in 0..1000 {
            walked.random::<u64>();
        }
        let mut jumped = SplitMix64::from_seed(
            x.wrapping_add(SPLITMIX_STEP.wrapping_mul(1000))
                .to_le_bytes(),
        );
        assert_eq!(walked.random::<u64>(), jumped.random::<u64>());
        assert_eq!(PART_STRIDE, SPLITMIX_STEP.wrapping_mul(1 << 32));
    }
}
