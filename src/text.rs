//! Numbers in UI text: thousands separators and singular or plural nouns.
//!
//! Written here rather than with the browser's `Intl.NumberFormat`: the UI is in English with
//! a fixed `12,345` format whatever the browser's locale (a French locale would print
//! `12 345` next to English words), and the counts are computed in natively tested code.

/// `n` with a comma between thousands, as the figures in the log toolbar read: `12,345`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` and the noun that agrees with it: `1 line`, `0 lines`, `1,000 lines`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// A size in bytes as people read it, in decimal units with one decimal: `906.6 KB`,
/// `52.4 MB`; whole bytes below a kilobyte.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if n < 1000 {
        return count(n as usize, "byte", "bytes");
    }
    let mut unit = 0;
    let mut scaled = n;
    while scaled >= 1_000_000 && unit + 1 < UNITS.len() {
        scaled /= 1000;
        unit += 1;
    }
    // `scaled` is in thousandths of the unit: round to tenths.
    let tenths = (scaled + 50) / 100;
    format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_decimal_units() {
        assert_eq!(bytes(0), "0 bytes");
        assert_eq!(bytes(999), "999 bytes");
        assert_eq!(bytes(928_387), "928.4 KB");
        assert_eq!(bytes(52_428_800), "52.4 MB");
        assert_eq!(bytes(1_000_000_000), "1.0 GB");
    }

    #[test]
    fn thousands_are_separated_by_commas() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(50_000), "50,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn only_exactly_one_takes_the_singular() {
        assert_eq!(count(1, "line", "lines"), "1 line");
        assert_eq!(count(0, "line", "lines"), "0 lines");
        assert_eq!(count(2, "session", "sessions"), "2 sessions");
        assert_eq!(count(10_000, "line", "lines"), "10,000 lines");
    }
}
