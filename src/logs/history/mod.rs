//! Log history: reading an app's logs archives over a time range, natively testable.
//!
//! The pieces follow the data: [`archive`] reads the listing Scalingo answers on
//! `GET /v1/apps/:app/logs_archives`, [`plan`] decides which listing pages to fetch and which
//! archives to download for a range, and [`lines`] splits the decompressed bytes of an
//! archive into lines as they stream. The lines then go to [`crate::logs::store`], the
//! compact store the viewer draws from.

pub mod archive;
pub mod download;
pub mod lines;
pub mod load;
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

/// The presets offered, as (label, seconds).
pub const PRESETS: [(&str, i64); 4] = [
    ("Last hour", 3600),
    ("Last 6 hours", 6 * 3600),
    ("Last 24 hours", 24 * 3600),
    ("Last 7 days", 7 * 24 * 3600),
];

/// The range of a preset read at `now_secs`: it ends at the next whole minute, so that the
/// From and To fields show whole minutes and the newest lines are inside.
pub fn preset(now_secs: i64, secs: i64) -> TimeRange {
    let to = (now_secs.div_euclid(60) + 1) * 60;
    TimeRange {
        from: Timestamp {
            secs: to - secs,
            nanos: 0,
        },
        to: Timestamp { secs: to, nanos: 0 },
    }
}

/// A range bound as the page URL carries it: RFC 3339 in UTC, `2026-12-07T03:12:00Z`.
pub fn to_url(t: Timestamp) -> String {
    let text = t.format(0);
    format!("{}T{}Z", &text[..10], &text[11..19])
}

/// Reads a range bound from the page URL: RFC 3339 with any offset (what [`to_url`] writes
/// and what people paste), or the listing's Go layout.
pub fn from_url(text: &str) -> Option<Timestamp> {
    archive::parse_time(text).ok()
}

/// The value of a `datetime-local` field for `t`, `offset_minutes` east of UTC (0 for UTC):
/// `2026-12-07T04:12` (seconds only when there are some).
pub fn to_input(t: Timestamp, offset_minutes: i64) -> String {
    let text = t.format(offset_minutes);
    let seconds = &text[17..19];
    if seconds == "00" {
        format!("{}T{}", &text[..10], &text[11..16])
    } else {
        format!("{}T{}", &text[..10], &text[11..19])
    }
}

/// Reads a `datetime-local` value (`2026-12-07T04:12` or with `:SS`) as a wall-clock time
/// in a zone whose offset at an instant is `offset_minutes(secs)` (constant 0 for UTC; the
/// browser's zone, daylight saving included, for local time). A wall-clock time skipped by
/// a daylight saving change reads as the instant an hour later; a repeated one as its first
/// occurrence. `None` when the text is not such a value.
pub fn from_input(text: &str, offset_minutes: impl Fn(i64) -> i64) -> Option<Timestamp> {
    let (date, clock) = text.trim().split_once('T')?;
    let clock = if clock.len() == 5 {
        format!("{clock}:00")
    } else {
        clock.to_owned()
    };
    if date.len() != 10 || clock.len() != 8 {
        return None;
    }
    let wall = Timestamp::parse(&format!("{date} {clock} +0000"))?.secs;
    // The offset depends on the instant: try the offsets in force a day before and a day
    // after (a zone changes at most once in between) and keep the earliest instant that
    // really has its offset; none has for a skipped time, read with the offset before.
    let before = offset_minutes(wall - 86_400);
    let after = offset_minutes(wall + 86_400);
    let secs = [before, after]
        .into_iter()
        .map(|o| wall - o * 60)
        .filter(|&c| offset_minutes(c) * 60 == wall - c)
        .min()
        .unwrap_or(wall - before * 60);
    Some(Timestamp { secs, nanos: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paris: +1 h, +2 h from 2026-03-29 01:00 UTC to 2026-10-25 01:00 UTC.
    fn paris(secs: i64) -> i64 {
        if (1_774_746_000..1_792_890_000).contains(&secs) {
            120
        } else {
            60
        }
    }

    #[test]
    fn range_bounds_round_trip_through_the_url_and_the_fields() {
        let t = Timestamp {
            secs: 1_796_613_120,
            nanos: 0,
        };
        assert_eq!(to_url(t), "2026-12-07T03:12:00Z");
        assert_eq!(from_url("2026-12-07T03:12:00Z"), Some(t));
        assert_eq!(from_url("2026-12-07T04:12:00+01:00"), Some(t));
        assert_eq!(from_url("yesterday"), None);
        assert_eq!(to_input(t, 0), "2026-12-07T03:12");
        assert_eq!(to_input(t, 60), "2026-12-07T04:12");
        assert_eq!(from_input("2026-12-07T03:12", |_| 0), Some(t));
        assert_eq!(from_input("2026-12-07T04:12", paris), Some(t));
        assert_eq!(
            from_input("2026-12-07T04:12:30", paris).map(|x| x.secs),
            Some(t.secs + 30)
        );
        assert_eq!(from_input("2026-12-07", paris), None);
        assert_eq!(from_input("", paris), None);
    }

    #[test]
    fn local_fields_follow_daylight_saving() {
        // 2026-07-01 12:00 in Paris is 10:00 UTC.
        let summer = from_input("2026-07-01T12:00", paris).unwrap();
        assert_eq!(to_url(summer), "2026-07-01T10:00:00Z");
        // 02:30 on 2026-03-29 does not exist in Paris: read an hour later, 01:30 UTC.
        let skipped = from_input("2026-03-29T02:30", paris).unwrap();
        assert_eq!(to_url(skipped), "2026-03-29T01:30:00Z");
        // 02:30 on 2026-10-25 happens twice: the first, still summer time, 00:30 UTC.
        let repeated = from_input("2026-10-25T02:30", paris).unwrap();
        assert_eq!(to_url(repeated), "2026-10-25T00:30:00Z");
    }

    #[test]
    fn presets_end_at_the_next_whole_minute() {
        let r = preset(1_796_613_125, 3600);
        assert_eq!(to_url(r.to), "2026-12-07T03:13:00Z");
        assert_eq!(to_url(r.from), "2026-12-07T02:13:00Z");
    }

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
