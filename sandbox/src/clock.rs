//! Wall-clock formatting without a date crate: the sandbox only needs UTC in two layouts, plus
//! the world clock ([`WorldClock`]) that `--start-at` can set to any instant.

use std::time::{SystemTime, UNIX_EPOCH};

/// Nanoseconds since the Unix epoch, now.
pub fn now_nanos() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// Seconds since the Unix epoch, now.
pub fn now_secs() -> i64 {
    now_nanos() / 1_000_000_000
}

/// The demo world's clock: the real clock shifted by a fixed offset, so that `--start-at` can put
/// the world just before a daylight-saving change and let it run at real speed from there.
///
/// Log lines, stream frames and pings, the world's dates (events, archives) and audit logs read
/// it; token lifetimes and archive URL signatures stay on the real clock, since clients compare
/// them with theirs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorldClock {
    /// Nanoseconds added to the real clock.
    offset: i64,
}

impl WorldClock {
    /// The real clock.
    pub fn real() -> WorldClock {
        WorldClock { offset: 0 }
    }

    /// A clock that reads `at` (Unix nanoseconds) now and runs at real speed from there.
    pub fn starting_at(at: i64) -> WorldClock {
        WorldClock {
            offset: at.saturating_sub(now_nanos()),
        }
    }

    /// Nanoseconds since the Unix epoch on this clock, now.
    pub fn now_nanos(self) -> i64 {
        now_nanos().saturating_add(self.offset)
    }

    /// Seconds since the Unix epoch on this clock, now.
    pub fn now_secs(self) -> i64 {
        self.now_nanos().div_euclid(1_000_000_000)
    }
}

/// Parses RFC 3339 (`2026-03-29T00:59:30Z`, `2026-03-29T01:59:30.5+01:00`; `t`, `z` and a space
/// for the `T` are accepted) into Unix nanoseconds. Leap seconds (`:60`) are refused.
pub fn parse_rfc3339(text: &str) -> Result<i64, String> {
    let bad = |why: &str| format!("not an RFC 3339 date and time ({why})");
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return Err(bad("expected YYYY-MM-DDTHH:MM:SS and a zone"));
    }
    if b[13] != b':' || b[16] != b':' {
        return Err(bad("expected HH:MM:SS"));
    }
    let num = |range: std::ops::Range<usize>| -> Result<i64, String> {
        let part = &text[range];
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse::<i64>().map_err(|_| bad("not a number"))
        } else {
            Err(bad("not a number"))
        }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let month = u32::try_from(month).map_err(|_| bad("month"))?;
    let day = u32::try_from(day).map_err(|_| bad("day"))?;
    let days = crate::tz::days_from_civil(year, month, day);
    if !(1..=12).contains(&month) || day == 0 || civil(days * 86_400 * 1_000_000_000).day != day {
        return Err(bad("no such day"));
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(bad("no such time"));
    }
    let mut rest = &text[19..];
    let mut nanos = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return Err(bad("1 to 9 fraction digits"));
        }
        nanos = num(20..20 + digits)? * 10i64.pow(9 - digits as u32);
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let r = rest.as_bytes();
            let sign = match r.first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return Err(bad("expected Z or an offset such as +01:00")),
            };
            if r.len() != 6 || r[3] != b':' {
                return Err(bad("expected Z or an offset such as +01:00"));
            }
            let at = text.len() - 5;
            let (h, m) = (num(at..at + 2)?, num(at + 3..at + 5)?);
            if h > 23 || m > 59 {
                return Err(bad("offset"));
            }
            sign * (h * 3600 + m * 60)
        }
    };
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
    secs.checked_mul(1_000_000_000)
        .and_then(|n| n.checked_add(nanos))
        .ok_or_else(|| bad("out of range"))
}

/// A UTC instant split into calendar fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    /// The year (proleptic Gregorian).
    pub year: i64,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
    /// 0 to 23.
    pub hour: u32,
    /// 0 to 59.
    pub minute: u32,
    /// 0 to 59.
    pub second: u32,
}

/// The UTC calendar fields of an instant in Unix nanoseconds.
pub fn civil(unix_nanos: i64) -> Civil {
    let secs = unix_nanos.div_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    // Howard Hinnant's days-to-civil algorithm, valid for the whole proleptic Gregorian calendar.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        hour: sod / 3600,
        minute: sod / 60 % 60,
        second: sod % 60,
    }
}

/// Date and time down to the second in both layouts, for one second; lines of the same second share it.
struct SecondCache {
    second: i64,
    log: String,
    rfc: String,
}

thread_local! {
    // Formatting the calendar fields dominates at high line rates; they change once a second.
    static CACHE: std::cell::RefCell<SecondCache> = const {
        std::cell::RefCell::new(SecondCache { second: i64::MIN, log: String::new(), rfc: String::new() })
    };
}

fn with_second<R>(unix_nanos: i64, f: impl FnOnce(&SecondCache, u32) -> R) -> R {
    let second = unix_nanos.div_euclid(1_000_000_000);
    let nanos = unix_nanos.rem_euclid(1_000_000_000) as u32;
    CACHE.with(|cell| {
        let mut cache = cell.borrow_mut();
        if cache.second != second {
            let c = civil(unix_nanos);
            let date = format!("{:04}-{:02}-{:02}", c.year, c.month, c.day);
            let time = format!("{:02}:{:02}:{:02}", c.hour, c.minute, c.second);
            *cache = SecondCache {
                second,
                log: format!("{date} {time}"),
                rfc: format!("{date}T{time}"),
            };
        }
        f(&cache, nanos)
    })
}

/// Appends the log line layout of the contract: `2015-02-16 02:02:43.930163178 +0000 UTC`.
pub fn write_log_time(out: &mut String, unix_nanos: i64) {
    with_second(unix_nanos, |c, nanos| {
        out.push_str(&c.log);
        push_nanos(out, nanos);
        out.push_str(" +0000 UTC");
    })
}

/// The log line layout of the contract: `2015-02-16 02:02:43.930163178 +0000 UTC`.
pub fn log_time(unix_nanos: i64) -> String {
    let mut out = String::with_capacity(LOG_TIME_LEN);
    write_log_time(&mut out, unix_nanos);
    out
}

/// The length of [`log_time`]'s output for years 1000 to 9999.
pub const LOG_TIME_LEN: usize = "2015-02-16 02:02:43.930163178 +0000 UTC".len();

/// Appends RFC 3339 with nanoseconds, as the stream frames carry: `2015-02-16T02:02:43.930163178Z`.
pub fn write_rfc3339(out: &mut String, unix_nanos: i64) {
    with_second(unix_nanos, |c, nanos| {
        out.push_str(&c.rfc);
        push_nanos(out, nanos);
        out.push('Z');
    })
}

/// RFC 3339 with nanoseconds, as the stream frames carry: `2015-02-16T02:02:43.930163178Z`.
pub fn rfc3339(unix_nanos: i64) -> String {
    let mut out = String::with_capacity(30);
    write_rfc3339(&mut out, unix_nanos);
    out
}

/// `.` and nine digits, without going through the formatting machinery (this runs per line).
fn push_nanos(out: &mut String, nanos: u32) {
    let mut digits = [b'0'; 10];
    digits[0] = b'.';
    let mut n = nanos;
    for d in digits[1..].iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.push_str(std::str::from_utf8(&digits).unwrap_or(".000000000"));
}

/// RFC 3339 with milliseconds and an explicit offset, the way the Scalingo API dates resources.
pub fn api_time(unix_secs: i64) -> String {
    let c = civil(unix_secs.saturating_mul(1_000_000_000));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000+00:00",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_time_matches_the_documented_layout() {
        assert_eq!(
            log_time(1_424_052_163_930_163_178),
            "2015-02-16 02:02:43.930163178 +0000 UTC"
        );
    }

    #[test]
    fn rfc3339_parses_what_it_writes_and_honours_offsets() {
        for nanos in [0, 951_782_400_000_000_000, 1_774_745_970_123_456_789] {
            assert_eq!(parse_rfc3339(&rfc3339(nanos)), Ok(nanos));
        }
        assert_eq!(
            parse_rfc3339("2026-03-29T02:59:30+02:00"),
            parse_rfc3339("2026-03-29T00:59:30Z")
        );
        assert_eq!(parse_rfc3339("1970-01-01 00:00:01.5z"), Ok(1_500_000_000));
        for bad in [
            "2026-03-29",
            "2026-03-29T00:59:30",
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-03-29T24:00:00Z",
            "2026-03-29T00:59:60Z",
            "2026-03-29T00:59:30.Z",
            "2026-03-29T00:59:30+0100",
            "2026-03-29T00:59:30 UTC",
            "+026-03-29T00:59:30Z",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_world_clock_runs_from_where_it_was_set() {
        let at = 1_774_745_970_000_000_000;
        let c = WorldClock::starting_at(at);
        let now = c.now_nanos();
        assert!((at..at + 5_000_000_000).contains(&now));
        assert!(WorldClock::real().now_nanos() >= now_nanos() - 1_000_000_000);
    }

    #[test]
    fn rfc3339_handles_leap_years() {
        assert_eq!(
            rfc3339(951_782_400_000_000_000),
            "2000-02-29T00:00:00.000000000Z"
        );
        assert_eq!(api_time(0), "1970-01-01T00:00:00.000+00:00");
    }
}
