//! Reconnection delays: exponential from 1 s to 30 s, with jitter so that a fleet of
//! viewers dropped at once by a server restart does not come back in lockstep.
//!
//! Kept here rather than taken from a crate: `backoff` is unmaintained, and `backon` owns
//! the retry loop and draws its jitter from `fastrand` (seeded on `wasm32-unknown-unknown`
//! only through its `js` feature); the stream hook needs the delay itself (it counts it down on
//! screen), a reset once a connection proves healthy, and the browser's `Math.random`.
//! The arithmetic is three lines, tested below.

/// The first delay, in milliseconds.
pub const INITIAL_MS: u32 = 1_000;
/// The longest delay, in milliseconds.
pub const MAX_MS: u32 = 30_000;

/// Consecutive failed attempts and the delay before the next one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Backoff {
    attempt: u32,
}

impl Backoff {
    /// A fresh backoff: the next delay is about one second.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many delays were handed out since the last reset.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The delay before the next attempt, given `random` in `[0, 1)`: the base doubles
    /// from 1 s per attempt, then ±20 % jitter, always within 1 s..=30 s.
    pub fn next_delay_ms(&mut self, random: f64) -> u32 {
        let base = f64::from(INITIAL_MS) * 2f64.powi(self.attempt.min(16) as i32);
        let base = base.min(f64::from(MAX_MS));
        let jitter = 0.8 + 0.4 * random.clamp(0.0, 1.0);
        self.attempt = self.attempt.saturating_add(1);
        (base * jitter).clamp(f64::from(INITIAL_MS), f64::from(MAX_MS)) as u32
    }

    /// Back to the first delay, once a connection proved healthy.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn delays_double_from_one_second_and_stop_at_thirty() {
        let mut b = Backoff::new();
        let delays: Vec<u32> = (0..8).map(|_| b.next_delay_ms(0.5)).collect();
        assert_eq!(
            delays,
            vec![1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]
        );
    }

    #[test]
    fn a_reset_starts_over() {
        let mut b = Backoff::new();
        b.next_delay_ms(0.5);
        b.next_delay_ms(0.5);
        b.reset();
        assert_eq!(b.next_delay_ms(0.5), 1_000);
    }

    #[test]
    fn jitter_spreads_equal_attempts() {
        let low = Backoff { attempt: 2 }.next_delay_ms(0.0);
        let high = Backoff { attempt: 2 }.next_delay_ms(0.999);
        assert!(low < high, "{low} < {high}");
    }

    proptest! {
        #[test]
        fn every_delay_stays_between_one_and_thirty_seconds(randoms in proptest::collection::vec(-1.0f64..2.0, 0..40)) {
            let mut b = Backoff::new();
            for r in randoms {
                let d = b.next_delay_ms(r);
                prop_assert!((INITIAL_MS..=MAX_MS).contains(&d));
            }
        }
    }
}
