//! Numbers with units as log fields write them: durations (`1.204s`, `900ms`, Go's `1m30.5s`)
//! and sizes (`312`, `1.5MB`, `512KiB`).
//!
//! Durations use Go's `time.ParseDuration` units (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`),
//! which the Scalingo and Heroku routers write (`duration=0.025s`, `service=13ms`), including
//! Go's compound form (`1h2m3.5s`). Sizes are in bytes: `B`, decimal `KB`, `MB`, `GB`, `TB`
//! (powers of 1000, as SI and IEC 80000-13 define them) and binary `KiB`, `MiB`, `GiB`, `TiB`
//! (powers of 1024); size units ignore case (`kb`, `Mb` mean the same). A number alone
//! (`502`, `-1.5`, `2e3`) has no unit.

use std::cmp::Ordering;

/// What a quantity measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    /// A number without unit.
    Number,
    /// A duration; the value is in seconds.
    Duration,
    /// A size; the value is in bytes.
    Size,
}

/// A number with its dimension, in base units (seconds for durations, bytes for sizes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantity {
    /// The value in seconds, bytes, or as written for a plain number.
    pub value: f64,
    /// What it measures.
    pub dimension: Dimension,
}

const DURATION_UNITS: [(&str, f64); 9] = [
    ("ns", 1e-9),
    ("us", 1e-6),
    ("µs", 1e-6), // U+00B5 MICRO SIGN, as Go writes it
    ("μs", 1e-6), // U+03BC GREEK SMALL LETTER MU, which Go also accepts
    ("ms", 1e-3),
    ("s", 1.0),
    ("m", 60.0),
    ("h", 3600.0),
    ("d", 86_400.0),
];

const SIZE_UNITS: [(&str, f64); 9] = [
    ("b", 1.0),
    ("kb", 1e3),
    ("mb", 1e6),
    ("gb", 1e9),
    ("tb", 1e12),
    ("kib", 1024.0),
    ("mib", 1_048_576.0),
    ("gib", 1_073_741_824.0),
    ("tib", 1_099_511_627_776.0),
];

impl Quantity {
    /// Reads `text` (surrounding white space ignored); `None` when it is not a number, a
    /// duration or a size as the module documentation describes.
    pub fn parse(text: &str) -> Option<Quantity> {
        let text = text.trim();
        let (number, rest) = split_number(text)?;
        if rest.is_empty() {
            return Some(Quantity {
                value: number,
                dimension: Dimension::Number,
            });
        }
        if let Some(&(_, factor)) = SIZE_UNITS
            .iter()
            .find(|(u, _)| rest.eq_ignore_ascii_case(u))
        {
            return Some(Quantity {
                value: number * factor,
                dimension: Dimension::Size,
            });
        }
        // Durations, possibly compound (`1h2m3.5s`); only the first number may carry a sign.
        let mut total = 0.0;
        let (mut number, mut rest) = (number, rest);
        loop {
            let unit_len = rest
                .find(|c: char| c.is_ascii_digit() || c == '.')
                .unwrap_or(rest.len());
            let unit = &rest[..unit_len];
            let &(_, factor) = DURATION_UNITS.iter().find(|(u, _)| *u == unit)?;
            total += number.abs() * factor;
            rest = &rest[unit_len..];
            if rest.is_empty() {
                break;
            }
            let (n, r) = split_number(rest)?;
            if r.is_empty() {
                return None;
            }
            (number, rest) = (n, r);
        }
        let negative = text.starts_with('-');
        Some(Quantity {
            value: if negative { -total } else { total },
            dimension: Dimension::Duration,
        })
    }

    /// Compares two quantities of one dimension, or a plain number with a size (taken as
    /// bytes); `None` when they do not compare (a duration with a size, or a plain number with
    /// a duration, whose unit is unknown). Values within a relative 1e-9 are equal, so `1.204s`
    /// equals `1204ms` despite binary rounding.
    pub fn compare(&self, other: &Quantity) -> Option<Ordering> {
        use Dimension::*;
        let comparable = self.dimension == other.dimension
            || matches!(
                (self.dimension, other.dimension),
                (Number, Size) | (Size, Number)
            );
        if !comparable {
            return None;
        }
        let (a, b) = (self.value, other.value);
        if (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) {
            return Some(Ordering::Equal);
        }
        a.partial_cmp(&b)
    }
}

/// A duration in seconds as the requests table and details pane show it, with three
/// significant digits in the largest fitting unit: `850µs`, `12.0ms`, `1.20s`, `2m05s`,
/// `1h02m`.
pub fn format_duration(secs: f64) -> String {
    let abs = secs.abs();
    let sign = if secs < 0.0 { "-" } else { "" };
    let three = |v: f64, unit: &str| {
        let digits = if v >= 100.0 {
            0
        } else if v >= 10.0 {
            1
        } else {
            2
        };
        format!("{sign}{v:.digits$}{unit}")
    };
    if !abs.is_finite() {
        return secs.to_string();
    }
    if abs == 0.0 {
        return "0s".into();
    }
    if abs < 1e-6 {
        return three(abs * 1e9, "ns");
    }
    if abs < 1e-3 {
        return three(abs * 1e6, "µs");
    }
    if abs < 1.0 {
        return three(abs * 1e3, "ms");
    }
    if abs < 60.0 {
        return three(abs, "s");
    }
    let whole = abs.round() as u64;
    if whole < 3600 {
        format!("{sign}{}m{:02}s", whole / 60, whole % 60)
    } else {
        format!("{sign}{}h{:02}m", whole / 3600, whole / 60 % 60)
    }
}

/// Splits a leading decimal number (`-1.5`, `2e3`, `.5`) from its unit.
fn split_number(text: &str) -> Option<(f64, &str)> {
    let b = text.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if !b[digits_start..i].iter().any(u8::is_ascii_digit) {
        return None;
    }
    // An exponent only when digits follow, so `2e` or `5eggs` is not a number with unit `e…`.
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'-' || b[j] == b'+') {
            j += 1;
        }
        let exp_digits = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > exp_digits {
            i = j;
        }
    }
    let value = decimal_value(&text[..i])?;
    value.is_finite().then_some((value, &text[i..]))
}

/// The value of a decimal already checked by [`split_number`]. Written here rather than with
/// `str::parse::<f64>`, whose correctly rounded conversion adds about 6 KB to the wasm: up to
/// 19 significant digits are kept and scaled by a power of ten, which is exact for the numbers
/// logs write (`1.204`, `0.025`, `312`) and within a few units in the last place otherwise,
/// well inside the 1e-9 that [`Quantity::compare`] tolerates.
fn decimal_value(text: &str) -> Option<f64> {
    let (negative, text) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (number, exp_text) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let mut mantissa: u64 = 0;
    let mut exp: i32 = 0;
    let mut seen_point = false;
    for b in number.bytes() {
        match b {
            b'.' => seen_point = true,
            b'0'..=b'9' => {
                if mantissa < 1_000_000_000_000_000_000 {
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                    exp -= i32::from(seen_point);
                } else {
                    // Digits past the nineteenth only scale the value.
                    exp += i32::from(!seen_point);
                }
            }
            _ => return None,
        }
    }
    if let Some(e) = exp_text {
        let (sign, digits) = match e.as_bytes().first() {
            Some(b'-') => (-1, &e[1..]),
            Some(b'+') => (1, &e[1..]),
            _ => (1, e),
        };
        let mut n: i32 = 0;
        for b in digits.bytes() {
            n = (n * 10 + i32::from(b - b'0')).min(10_000);
        }
        exp += sign * n;
    }
    let m = mantissa as f64;
    let value = if mantissa == 0 {
        0.0
    } else if exp >= 0 {
        m * 10f64.powi(exp)
    } else if exp >= -22 {
        // 10^k is exact for k <= 22, so the division is correctly rounded.
        m / 10f64.powi(-exp)
    } else {
        m / 10f64.powi(22) / 10f64.powi(-exp - 22)
    };
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn q(text: &str) -> (f64, Dimension) {
        let q = Quantity::parse(text).unwrap_or_else(|| panic!("{text} parses"));
        (q.value, q.dimension)
    }

    #[test]
    fn durations_read_in_seconds_in_every_go_unit() {
        use Dimension::Duration;
        assert_eq!(q("1.204s"), (1.204, Duration));
        assert_eq!(q("900ms"), (0.9, Duration));
        assert_eq!(q("2m"), (120.0, Duration));
        assert_eq!(q("1h"), (3600.0, Duration));
        assert_eq!(q("250us").0, 250e-6);
        assert_eq!(q("250µs").0, 250e-6);
        assert_eq!(q("250μs").0, 250e-6);
        assert_eq!(q("5ns").0, 5e-9);
        assert_eq!(q("1h2m3.5s"), (3723.5, Duration));
        assert_eq!(q("-1m30s"), (-90.0, Duration));
    }

    #[test]
    fn sizes_read_in_bytes_decimal_and_binary() {
        use Dimension::Size;
        assert_eq!(q("312B"), (312.0, Size));
        assert_eq!(q("1MB"), (1e6, Size));
        assert_eq!(q("1.5kb"), (1500.0, Size));
        assert_eq!(q("2KiB"), (2048.0, Size));
        assert_eq!(q("1MiB"), (1_048_576.0, Size));
        assert_eq!(q("3GB"), (3e9, Size));
        assert_eq!(q("1GiB"), (1_073_741_824.0, Size));
    }

    #[test]
    fn plain_numbers_have_no_unit() {
        use Dimension::Number;
        assert_eq!(q("502"), (502.0, Number));
        assert_eq!(q(" -1.5 "), (-1.5, Number));
        assert_eq!(q("2e3"), (2000.0, Number));
        assert_eq!(q(".5"), (0.5, Number));
        assert_eq!(q("1.204"), (1.204, Number), "exact for what logs write");
        assert_eq!(q("0.025"), (0.025, Number));
        assert_eq!(q("1e-3"), (0.001, Number));
        assert_eq!(
            q("12345678901234567890123"),
            (1.2345678901234568e22, Number)
        );
    }

    #[test]
    fn words_and_broken_units_are_not_quantities() {
        for text in [
            "", "-", ".", "abc", "GET", "1.2.3.4", "5eggs", "1x", "1s2", "1ms5", "12 ms", "s1",
            "1e999", "NaN", "inf", "1sm",
        ] {
            assert_eq!(Quantity::parse(text), None, "{text}");
        }
    }

    #[test]
    fn quantities_compare_across_units_of_one_dimension() {
        let cmp = |a: &str, b: &str| q_of(a).compare(&q_of(b));
        fn q_of(t: &str) -> Quantity {
            Quantity::parse(t).expect("parses")
        }
        assert_eq!(cmp("1.204s", "1s"), Some(Ordering::Greater));
        assert_eq!(cmp("900ms", "1s"), Some(Ordering::Less));
        assert_eq!(cmp("1204ms", "1.204s"), Some(Ordering::Equal));
        assert_eq!(cmp("1MB", "1MiB"), Some(Ordering::Less));
        assert_eq!(cmp("2000000", "1MB"), Some(Ordering::Greater));
        assert_eq!(cmp("1s", "1MB"), None);
        assert_eq!(cmp("1", "1s"), None);
    }

    #[test]
    fn durations_format_with_three_significant_digits() {
        assert_eq!(format_duration(0.0), "0s");
        assert_eq!(format_duration(0.000_85), "850µs");
        assert_eq!(format_duration(0.012), "12.0ms");
        assert_eq!(format_duration(0.1234), "123ms");
        assert_eq!(format_duration(1.204), "1.20s");
        assert_eq!(format_duration(125.0), "2m05s");
        assert_eq!(format_duration(3720.0), "1h02m");
        assert_eq!(format_duration(-0.5), "-500ms");
        assert_eq!(format_duration(5e-9), "5.00ns");
    }

    proptest! {
        #[test]
        fn decimals_read_as_std_reads_them(x in -1e12f64..1e12, digits in 0usize..7) {
            let text = format!("{x:.digits$}");
            let ours = decimal_value(&text).expect("a decimal");
            let std: f64 = text.parse().expect("std reads it");
            prop_assert!((ours - std).abs() <= 1e-12 * std.abs().max(1e-300), "{} {} {}", text, ours, std);
        }

        #[test]
        fn millisecond_and_second_forms_agree(ms in 0u32..10_000_000) {
            let a = Quantity::parse(&format!("{ms}ms")).expect("ms");
            let b = Quantity::parse(&format!("{}s", f64::from(ms) / 1000.0)).expect("s");
            prop_assert_eq!(a.compare(&b), Some(Ordering::Equal));
        }

        #[test]
        fn any_text_parses_without_panicking(text in "\\PC{0,20}") {
            let _ = Quantity::parse(&text);
        }

        #[test]
        fn formatted_durations_under_a_minute_read_back_within_a_percent(secs in 1e-9f64..59.0) {
            let text = format_duration(secs);
            let back = Quantity::parse(&text).expect("reads back");
            prop_assert!((back.value - secs).abs() <= secs * 0.01, "{} -> {}", secs, text);
        }
    }
}
