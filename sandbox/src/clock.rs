//! Wall-clock formatting without a date crate: the sandbox only needs UTC in two layouts.

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
    fn rfc3339_handles_leap_years() {
        assert_eq!(
            rfc3339(951_782_400_000_000_000),
            "2000-02-29T00:00:00.000000000Z"
        );
        assert_eq!(api_time(0), "1970-01-01T00:00:00.000+00:00");
    }
}
