//! Log history: reading an app's logs archives over a time range, natively testable.
//!
//! The pieces follow the data: [`archive`] reads the listing Scalingo answers on
//! `GET /v1/apps/:app/logs_archives`, [`plan`] decides which listing pages to fetch and which
//! archives to download for a range, and [`lines`] splits the decompressed bytes of an
//! archive into lines as they stream. The lines then go to [`crate::logs::store`], the
//! compact store the viewer draws from.

pub mod archive;
pub mod lines;
pub mod plan;

use crate::logs::line::Timestamp;

/// A half-open time range `[from, to)`: what the user asked to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeRange {
    /// The first instant included.
    pub from: Timestamp,
    /// The first instant after the range.
    pub to: Timestamp,
}

impl TimeRange {
    /// The range `[from, to)`; `None` when `to` is not after `from`, an empty range the
    /// dashboard refuses rather than loading nothing.
    pub fn new(from: Timestamp, to: Timestamp) -> Option<TimeRange> {
        (from < to).then_some(TimeRange { from, to })
    }

    /// Whether `t` is inside the range.
    pub fn contains(&self, t: Timestamp) -> bool {
        self.from <= t && t < self.to
    }

    /// The range grown by `secs` seconds on both sides, to absorb approximate bounds.
    pub fn widened(&self, secs: i64) -> TimeRange {
        TimeRange {
            from: Timestamp {
                secs: self.from.secs.saturating_sub(secs),
                nanos: self.from.nanos,
            },
            to: Timestamp {
                secs: self.to.secs.saturating_add(secs),
                nanos: self.to.nanos,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp { secs, nanos: 0 }
    }

    #[test]
    fn a_range_holds_its_start_and_not_its_end() {
        let r = TimeRange::new(at(10), at(20)).unwrap();
        assert!(r.contains(at(10)));
        assert!(r.contains(Timestamp {
            secs: 19,
            nanos: 999_999_999
        }));
        assert!(!r.contains(at(20)));
        assert!(!r.contains(at(9)));
    }

    #[test]
    fn an_empty_or_reversed_range_is_refused() {
        assert_eq!(TimeRange::new(at(10), at(10)), None);
        assert_eq!(TimeRange::new(at(11), at(10)), None);
    }

    #[test]
    fn nanoseconds_count_from_the_epoch_and_saturate() {
        assert_eq!(Timestamp { secs: 2, nanos: 5 }.unix_nanos(), 2_000_000_005);
        assert_eq!(
            Timestamp { secs: -1, nanos: 0 }.unix_nanos(),
            -1_000_000_000
        );
        assert_eq!(at(i64::MAX / 2).unix_nanos(), i64::MAX);
    }
}
