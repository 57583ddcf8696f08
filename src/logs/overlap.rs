//! Removing the lines a reconnect would show twice.
//!
//! After a reconnect the viewer fetches the recent lines again: some were already shown
//! before the connection dropped, some arrived while it was down. Lines are compared by
//! their full raw text (timestamps have nanoseconds, so distinct lines differ) as a
//! multiset, because the platform does not guarantee line order.

use std::collections::HashMap;

/// The fresh lines to append and whether lines may be missing before them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Merge {
    /// Lines of the fresh batch that were not already shown, in their order.
    pub new_lines: Vec<String>,
    /// True when the fresh batch does not reach back to the lines already shown, so
    /// lines between them may be missing: the view shows a marker there.
    pub gap: bool,
}

/// Merges `fresh` (a dump fetched after a reconnect) with `shown`, the tail of what the
/// viewer already holds. `complete` says the dump returned fewer lines than asked, i.e.
/// it holds the whole history, in which case nothing can be missing.
pub fn merge(shown: &[&str], fresh: Vec<String>, complete: bool) -> Merge {
    let mut counts: HashMap<&str, usize> = HashMap::with_capacity(shown.len());
    for line in shown {
        *counts.entry(line).or_default() += 1;
    }
    let mut overlapped = false;
    let mut new_lines = Vec::with_capacity(fresh.len());
    for line in fresh {
        match counts.get_mut(line.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                overlapped = true;
            }
            _ => new_lines.push(line),
        }
    }
    // A dump is the contiguous newest history: if any of its lines was already shown, it
    // covers everything that arrived after the last line shown, so nothing is missing.
    let gap = !shown.is_empty() && !complete && !overlapped && !new_lines.is_empty();
    Merge { new_lines, gap }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn strings(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn lines_already_shown_are_dropped_and_no_gap_is_reported() {
        let m = merge(&["a", "b", "c"], strings(&["b", "c", "d", "e"]), false);
        assert_eq!(m.new_lines, strings(&["d", "e"]));
        assert!(!m.gap);
    }

    #[test]
    fn a_dump_that_does_not_reach_back_reports_a_gap() {
        let m = merge(&["a", "b"], strings(&["x", "y"]), false);
        assert_eq!(m.new_lines, strings(&["x", "y"]));
        assert!(m.gap);
    }

    #[test]
    fn a_complete_history_cannot_have_a_gap() {
        let m = merge(&["a", "b"], strings(&["x"]), true);
        assert!(!m.gap);
    }

    #[test]
    fn nothing_new_means_no_gap() {
        let m = merge(&["a", "b"], strings(&["a", "b"]), false);
        assert!(m.new_lines.is_empty());
        assert!(!m.gap);
    }

    #[test]
    fn a_first_connection_has_no_gap() {
        let m = merge(&[], strings(&["a"]), false);
        assert_eq!(m.new_lines, strings(&["a"]));
        assert!(!m.gap);
    }

    #[test]
    fn repeated_identical_lines_are_counted_not_collapsed() {
        let m = merge(&["x", "x"], strings(&["x", "x", "x"]), false);
        assert_eq!(m.new_lines, strings(&["x"]));
    }

    #[test]
    fn slightly_shuffled_dumps_still_dedupe() {
        let m = merge(&["a", "b", "c"], strings(&["c", "b", "d"]), false);
        assert_eq!(m.new_lines, strings(&["d"]));
        assert!(!m.gap);
    }

    proptest! {
        #[test]
        fn a_dump_overlapping_the_tail_never_duplicates_a_line(
            total in 1usize..60, shown_to in 0usize..60, dump_from in 0usize..60,
        ) {
            let all: Vec<String> = (0..total).map(|i| format!("line {i}")).collect();
            let shown_to = shown_to.min(total);
            // A dump that starts right after the last shown line cannot prove nothing is missing,
            // so the dump overlaps by at least one line here.
            let dump_from = dump_from.min(shown_to.saturating_sub(1));
            let shown: Vec<&str> = all[..shown_to].iter().map(String::as_str).collect();
            let m = merge(&shown, all[dump_from..].to_vec(), false);
            let mut seen: Vec<String> = shown.iter().map(|s| s.to_string()).collect();
            seen.extend(m.new_lines);
            prop_assert_eq!(seen, all);
            prop_assert!(!m.gap);
        }
    }
}
