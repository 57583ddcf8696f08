//! The time of a log line in the platform's format (API-CONTRACT.md "Line format"):
//! `2015-02-16 02:02:43.930163178 +0000 UTC`, read to Unix seconds and nanoseconds.

/// A log timestamp: seconds since the Unix epoch (UTC) and nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub secs: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
}

impl Timestamp {
    /// Nanoseconds since the Unix epoch, saturating at the ends of `i64` (about the years 1677
    /// and 2262): the unit the log store sorts on and log history filters on.
    pub fn unix_nanos(self) -> i64 {
        self.secs
            .saturating_mul(1_000_000_000)
            .saturating_add(i64::from(self.nanos))
    }

    /// Parses `2015-02-16 02:02:43.930163178 +0000 UTC` (the offset is honoured).
    pub fn parse(text: &str) -> Option<Timestamp> {
        let mut parts = text.split(' ');
        let date = parts.next()?;
        let clock = parts.next()?;
        let offset = parts.next().unwrap_or("+0000");
        let mut d = date.split('-');
        let y: i64 = d.next()?.parse().ok()?;
        let m: u32 = d.next()?.parse().ok()?;
        let day: u32 = d.next()?.parse().ok()?;
        if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
            return None;
        }
        let (hms, frac) = clock.split_once('.').unwrap_or((clock, "0"));
        let mut c = hms.split(':');
        let h: i64 = c.next()?.parse().ok()?;
        let mi: i64 = c.next()?.parse().ok()?;
        let s: i64 = c.next()?.parse().ok()?;
        if h > 23 || mi > 59 || s > 60 {
            return None;
        }
        // Up to nine digits of the fraction count (nanoseconds); more are ignored.
        let mut nanos = 0u32;
        let mut places = 0;
        for c in frac.chars().take(9) {
            nanos = nanos * 10 + c.to_digit(10)?;
            places += 1;
        }
        let nanos = nanos * 10u32.pow(9 - places);
        let off_min = parse_offset(offset)?;
        let secs = days_from_civil(y, m, day) * 86_400 + h * 3600 + mi * 60 + s - off_min * 60;
        Some(Timestamp { secs, nanos })
    }

    /// `YYYY-MM-DD HH:MM:SS.mmm` at `offset_minutes` east of UTC.
    pub fn format(&self, offset_minutes: i64) -> String {
        let t = self.secs + offset_minutes * 60;
        let days = t.div_euclid(86_400);
        let sod = t.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{:03}",
            sod / 3600,
            sod / 60 % 60,
            sod % 60,
            self.nanos / 1_000_000
        )
    }
}

fn parse_offset(text: &str) -> Option<i64> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: i64 = digits[..2].parse().ok()?;
    let m: i64 = digits[2..].parse().ok()?;
    Some(sign * (h * 60 + m))
}

// Howard Hinnant's civil calendar algorithms: exact for the proleptic Gregorian calendar.

/// Days since 1970-01-01 of the proleptic Gregorian date `y`-`m`-`d` (month 1 to 12, day 1
/// to 31; the caller checks the ranges).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fractions_are_read_to_the_nanosecond() {
        let at = |clock: &str| {
            Timestamp::parse(&format!("2015-02-16 {clock} +0000 UTC"))
                .map(|t| (t.secs % 60, t.nanos))
        };
        assert_eq!(at("02:02:43.930163178"), Some((43, 930_163_178)));
        assert_eq!(at("02:02:43.5"), Some((43, 500_000_000)));
        assert_eq!(at("02:02:43.000001"), Some((43, 1_000)));
        assert_eq!(at("02:02:43"), Some((43, 0)));
        assert_eq!(at("02:02:43."), Some((43, 0)));
        // Past nine digits the rest is ignored, whatever it is.
        assert_eq!(at("02:02:43.1234567899x"), Some((43, 123_456_789)));
        assert_eq!(at("02:02:43.12a"), None);
        assert_eq!(at("02:02:43.1²"), None);
        assert_eq!(at("02:02:43.-1"), None);
    }

    proptest! {
        #[test]
        fn days_round_trip_through_the_civil_calendar(days in -1_000_000i64..1_000_000) {
            let (y, m, d) = civil_from_days(days);
            prop_assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
