//! Paris wall-clock offsets and Go's date layout, for log lines (live and archived) and archive
//! listings.
//!
//! Real log lines carry Paris offsets (`+0100 CET` in winter, `+0200 CEST` in summer), and archive
//! listings date their bounds with Go's `time.Time.String()` layout. The EU rule fits in a few lines,
//! so no time-zone database is pulled in: summer time runs from the last Sunday of March to the last
//! Sunday of October, switching at 01:00 UTC both times (Directive 2000/84/EC).

use crate::clock;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days-from-civil).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// 0 for Sunday to 6 for Saturday (1970-01-01 was a Thursday).
fn weekday(days: i64) -> usize {
    (days + 4).rem_euclid(7) as usize
}

/// Unix seconds of the last Sunday of a 31-day month (March, October) at 01:00 UTC.
fn last_sunday_0100_utc(year: i64, month: u32) -> i64 {
    let last = days_from_civil(year, month, 31);
    (last - weekday(last) as i64) * 86_400 + 3600
}

/// Paris's offset from UTC in seconds at an instant, and the zone's abbreviation.
pub fn paris_offset(unix_secs: i64) -> (i32, &'static str) {
    let year = clock::civil(unix_secs.saturating_mul(1_000_000_000)).year;
    let summer = last_sunday_0100_utc(year, 3)..last_sunday_0100_utc(year, 10);
    if summer.contains(&unix_secs) {
        (7200, "CEST")
    } else {
        (3600, "CET")
    }
}

/// The longest [`write_paris_log_time`] output for years 1000 to 9999 (summer: `CEST`).
pub const PARIS_LOG_TIME_LEN: usize = "2017-03-26 03:00:00.000000000 +0200 CEST".len();

thread_local! {
    // The offset changes only on the hour (01:00 UTC), so one hour's answer serves every line of
    // it: live lines and archives format hundreds of thousands of lines a second.
    static HOUR_OFFSET: std::cell::Cell<(i64, i32, &'static str)> =
        const { std::cell::Cell::new((i64::MIN, 0, "")) };
}

/// [`paris_offset`], computed once per UTC hour per thread.
fn paris_offset_cached(unix_secs: i64) -> (i32, &'static str) {
    let hour = unix_secs.div_euclid(3600);
    HOUR_OFFSET.with(|cell| {
        let (cached, offset, zone) = cell.get();
        if cached == hour {
            return (offset, zone);
        }
        let (offset, zone) = paris_offset(unix_secs);
        cell.set((hour, offset, zone));
        (offset, zone)
    })
}

/// Appends a log line's time in Paris: `2017-03-26 03:00:00.000000000 +0200 CEST`.
///
/// It reuses the UTC formatter (and its per-second cache) on the shifted instant, then swaps the
/// `+0000 UTC` suffix for the Paris one. The instant is unchanged: `+0200` says how to get back
/// to it.
pub fn write_paris_log_time(out: &mut String, unix_nanos: i64) {
    let (offset, zone) = paris_offset_cached(unix_nanos.div_euclid(1_000_000_000));
    let start = out.len();
    clock::write_log_time(out, unix_nanos + i64::from(offset) * 1_000_000_000);
    out.truncate(start + clock::LOG_TIME_LEN - " +0000 UTC".len());
    out.push_str(if offset == 7200 { " +0200 " } else { " +0100 " });
    out.push_str(zone);
}

/// Go's `Mon Jan 2 15:04:05 -0700 MST 2006` layout in UTC, as archive listings write `from` and
/// `to`: `Fri Mar 24 14:00:00 +0000 UTC 2017`. The day is not padded, as in Go's layout.
pub fn go_time(unix_secs: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let c = clock::civil(unix_secs.saturating_mul(1_000_000_000));
    format!(
        "{} {} {} {:02}:{:02}:{:02} +0000 UTC {}",
        DAYS[weekday(unix_secs.div_euclid(86_400))],
        MONTHS[(c.month - 1) as usize],
        c.day,
        c.hour,
        c.minute,
        c.second,
        c.year
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unix seconds of a UTC date and time.
    fn utc(y: i64, mo: u32, d: u32, h: i64, mi: i64, s: i64) -> i64 {
        days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s
    }

    #[test]
    fn days_from_civil_inverts_the_clock_calendar() {
        for days in [-100_000, -1, 0, 59, 10_957, 17_250, 100_000] {
            let c = clock::civil(days * 86_400 * 1_000_000_000);
            assert_eq!(days_from_civil(c.year, c.month, c.day), days);
        }
    }

    #[test]
    fn summer_time_starts_on_the_last_sunday_of_march_at_one_utc() {
        // 2017-03-26 and 2024-03-31 were the last Sundays of March.
        assert_eq!(paris_offset(utc(2017, 3, 26, 0, 59, 59)), (3600, "CET"));
        assert_eq!(paris_offset(utc(2017, 3, 26, 1, 0, 0)), (7200, "CEST"));
        assert_eq!(paris_offset(utc(2024, 3, 31, 0, 59, 59)), (3600, "CET"));
        assert_eq!(paris_offset(utc(2024, 3, 31, 1, 0, 0)), (7200, "CEST"));
        // A Sunday in March that is not the last one changes nothing.
        assert_eq!(paris_offset(utc(2024, 3, 24, 12, 0, 0)), (3600, "CET"));
    }

    #[test]
    fn summer_time_ends_on_the_last_sunday_of_october_at_one_utc() {
        // 2017-10-29 and 2026-10-25 were or are the last Sundays of October.
        assert_eq!(paris_offset(utc(2017, 10, 29, 0, 59, 59)), (7200, "CEST"));
        assert_eq!(paris_offset(utc(2017, 10, 29, 1, 0, 0)), (3600, "CET"));
        assert_eq!(paris_offset(utc(2026, 10, 25, 0, 59, 59)), (7200, "CEST"));
        assert_eq!(paris_offset(utc(2026, 10, 25, 1, 0, 0)), (3600, "CET"));
        assert_eq!(paris_offset(utc(2026, 12, 5, 1, 0, 0)), (3600, "CET"));
    }

    #[test]
    fn paris_log_times_show_the_local_clock_and_its_offset() {
        let mut s = String::new();
        write_paris_log_time(&mut s, utc(2017, 3, 26, 0, 59, 59) * 1_000_000_000 + 5);
        assert_eq!(s, "2017-03-26 01:59:59.000000005 +0100 CET");
        s.clear();
        write_paris_log_time(&mut s, utc(2017, 3, 26, 1, 0, 0) * 1_000_000_000);
        assert_eq!(s, "2017-03-26 03:00:00.000000000 +0200 CEST");
        assert_eq!(s.len(), PARIS_LOG_TIME_LEN);
        // Autumn: local 02:00 to 02:59 happens twice, told apart by the offset.
        s.clear();
        write_paris_log_time(&mut s, utc(2026, 10, 25, 0, 30, 0) * 1_000_000_000);
        assert_eq!(s, "2026-10-25 02:30:00.000000000 +0200 CEST");
        s.clear();
        write_paris_log_time(&mut s, utc(2026, 10, 25, 1, 30, 0) * 1_000_000_000);
        assert_eq!(s, "2026-10-25 02:30:00.000000000 +0100 CET");
    }

    #[test]
    fn go_time_matches_the_layout_of_the_archive_listing() {
        assert_eq!(
            go_time(utc(2017, 3, 24, 14, 0, 0)),
            "Fri Mar 24 14:00:00 +0000 UTC 2017"
        );
        assert_eq!(
            go_time(utc(2017, 3, 5, 9, 3, 7)),
            "Sun Mar 5 09:03:07 +0000 UTC 2017"
        );
    }
}
