//! Where the log viewer's rows are: the geometry of its virtual list.
//!
//! A row is [`ROW_H`] pixels high (one line of text) unless it was measured otherwise: with
//! **Wrap lines** on, a long line takes as many text lines as the width needs, and the view
//! records the height of every row it draws ([`RowHeights::set`]). Rows never drawn count as
//! one text line. So without wrapping the geometry is plain arithmetic (row `r` is at
//! `r × 20` px), and with it every drawn row is exact, which is what scrolling, follow mode and
//! keyboard selection need: the rows the reader sees and moves through are measured ones.
//!
//! Heights are keyed by sequence number (see [`super::model`]), which a line keeps while older
//! ones are evicted; rows are the shown lines in order, so the extra height above row `r` is
//! that of the measured lines before its sequence number. The view forgets the heights when
//! the shown lines change (a new search, filter or window) or the width does.

/// Height of one row of one text line, in CSS pixels (the rows' `line-height`).
pub const ROW_H: u32 = 20;

/// Rows drawn above and below the viewport so that fast scrolling shows no blank.
pub const OVERSCAN: usize = 10;

/// Measured row heights beyond [`ROW_H`], by sequence number.
#[derive(Debug, Default)]
pub struct RowHeights {
    /// Pixels beyond one text line, for the measured rows that have any, sorted by sequence
    /// number. A sorted vector rather than a map: a few hundred rows are measured in a
    /// session, and it costs the bundle far less.
    extra: Vec<(u64, u32)>,
    /// Sum of `extra`.
    total_extra: u64,
}

impl RowHeights {
    /// Forgets every measurement: all rows are one text line again.
    pub fn clear(&mut self) {
        self.extra.clear();
        self.total_extra = 0;
    }

    /// Whether no row is taller than one text line.
    pub fn is_uniform(&self) -> bool {
        self.extra.is_empty()
    }

    /// Records that the row of line `seq` is `height` pixels high (at least [`ROW_H`]);
    /// returns by how many pixels that changes its height (negative when it shrank).
    pub fn set(&mut self, seq: u64, height: u32) -> i64 {
        let new = height.saturating_sub(ROW_H);
        let old = match (self.extra.binary_search_by_key(&seq, |e| e.0), new) {
            (Ok(i), 0) => self.extra.remove(i).1,
            (Ok(i), _) => std::mem::replace(&mut self.extra[i].1, new),
            (Err(_), 0) => 0,
            (Err(i), _) => {
                self.extra.insert(i, (seq, new));
                0
            }
        };
        self.total_extra = self.total_extra - u64::from(old) + u64::from(new);
        i64::from(new) - i64::from(old)
    }

    /// The height of the row of line `seq`, in pixels.
    pub fn height(&self, seq: u64) -> u32 {
        match self.extra.binary_search_by_key(&seq, |e| e.0) {
            Ok(i) => ROW_H + self.extra[i].1,
            Err(_) => ROW_H,
        }
    }

    /// Forgets the lines before `seq` (evicted); returns the extra pixels they had.
    pub fn forget_before(&mut self, seq: u64) -> u64 {
        let end = self.extra.partition_point(|e| e.0 < seq);
        let gone: u64 = self.extra.drain(..end).map(|e| u64::from(e.1)).sum();
        self.total_extra -= gone;
        gone
    }

    /// The height of `rows` rows in all, in pixels.
    pub fn total(&self, rows: usize) -> u64 {
        rows as u64 * u64::from(ROW_H) + self.total_extra
    }

    /// The top of row `row`, whose line is `seq`, in pixels from the top of the list.
    pub fn top(&self, row: usize, seq: u64) -> u64 {
        let end = self.extra.partition_point(|e| e.0 < seq);
        let above: u64 = self.extra[..end].iter().map(|e| u64::from(e.1)).sum();
        row as u64 * u64::from(ROW_H) + above
    }

    /// The row at `y` pixels from the top of the list, among `rows` rows; `row_of` gives the
    /// row of a measured line (`None` if it is not shown, which is then left out).
    pub fn row_at(&self, y: u64, rows: usize, row_of: impl Fn(u64) -> Option<usize>) -> usize {
        if rows == 0 {
            return 0;
        }
        let h = u64::from(ROW_H);
        let mut extra_above = 0u64;
        for &(seq, extra) in &self.extra {
            let Some(row) = row_of(seq) else { continue };
            let top = row as u64 * h + extra_above;
            if y < top {
                break;
            }
            if y < top + h + u64::from(extra) {
                return row.min(rows - 1);
            }
            extra_above += u64::from(extra);
        }
        (((y.saturating_sub(extra_above)) / h) as usize).min(rows - 1)
    }
}

/// The list's geometry at one moment: the shown rows, their heights and the viewport.
pub struct Layout<'a, S: Fn(usize) -> Option<u64>, R: Fn(u64) -> Option<usize>> {
    /// Measured heights.
    pub heights: &'a RowHeights,
    /// Rows shown.
    pub rows: usize,
    /// The viewport's height, in pixels.
    pub viewport: u64,
    /// The sequence number of a row.
    pub seq_of: S,
    /// The row of a sequence number, if shown.
    pub row_of: R,
}

impl<S: Fn(usize) -> Option<u64>, R: Fn(u64) -> Option<usize>> Layout<'_, S, R> {
    /// The height of all rows: the scrollable height.
    pub fn total(&self) -> u64 {
        self.heights.total(self.rows)
    }

    /// The scroll position that shows the last rows (follow mode).
    pub fn bottom(&self) -> u64 {
        self.total().saturating_sub(self.viewport)
    }

    /// The top of `row`, in pixels.
    pub fn top(&self, row: usize) -> u64 {
        match (self.seq_of)(row) {
            Some(seq) if !self.heights.is_uniform() => self.heights.top(row, seq),
            _ => row as u64 * u64::from(ROW_H),
        }
    }

    /// The height of `row`, in pixels.
    pub fn height(&self, row: usize) -> u64 {
        (self.seq_of)(row).map_or(u64::from(ROW_H), |s| u64::from(self.heights.height(s)))
    }

    /// The row at `y` pixels.
    pub fn row_at(&self, y: u64) -> usize {
        self.heights.row_at(y, self.rows, &self.row_of)
    }

    /// The rows to draw, `[start, end)`, when the viewport's top is at `scroll` (or at the
    /// bottom, `following`): the rows in view plus [`OVERSCAN`] on each side (below only when
    /// following, where every frame replaces the rows anyway). A row is at least [`ROW_H`]
    /// high, so a viewport's worth of rows is enough.
    pub fn window(&self, scroll: u64, following: bool) -> (usize, usize) {
        if self.rows == 0 {
            return (0, 0);
        }
        let per_view = self.viewport.div_ceil(u64::from(ROW_H)) as usize + 1;
        let first = self.row_at(if following { self.bottom() } else { scroll });
        let start = first.saturating_sub(if following { 0 } else { OVERSCAN });
        (start, (first + per_view + OVERSCAN).min(self.rows))
    }

    /// The scroll position that brings `row` into a viewport now at `scroll`, with the least
    /// movement: unchanged if the row is in view, else the row at the top or bottom edge (a
    /// row taller than the viewport at the top).
    pub fn reveal(&self, scroll: u64, row: usize) -> u64 {
        let top = self.top(row);
        let bottom = top + self.height(row);
        if top < scroll || bottom - top > self.viewport {
            top
        } else if bottom > scroll + self.viewport {
            bottom - self.viewport
        } else {
            scroll
        }
    }

    /// The scroll position that puts `row` in the middle of the viewport (a search match).
    pub fn center(&self, row: usize) -> u64 {
        (self.top(row) + self.height(row) / 2).saturating_sub(self.viewport / 2)
    }

    /// The row a viewport's height below (`pages > 0`) or above `row`.
    pub fn page_from(&self, row: usize, pages: i64) -> usize {
        let y = self.top(row) as i64 + pages * self.viewport.max(u64::from(ROW_H)) as i64;
        if y < 0 {
            0
        } else {
            self.row_at(y as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A layout where every row is shown and row `r` is line `r + base`.
    fn layout(
        h: &RowHeights,
        rows: usize,
        viewport: u64,
        base: u64,
    ) -> Layout<'_, impl Fn(usize) -> Option<u64>, impl Fn(u64) -> Option<usize>> {
        Layout {
            heights: h,
            rows,
            viewport,
            seq_of: move |r| (r < rows).then_some(r as u64 + base),
            row_of: move |s| {
                s.checked_sub(base)
                    .map(|r| r as usize)
                    .filter(|&r| r < rows)
            },
        }
    }

    #[test]
    fn unmeasured_rows_are_one_text_line_each() {
        let h = RowHeights::default();
        let l = layout(&h, 1000, 600, 0);
        assert_eq!(l.total(), 20_000);
        assert_eq!(l.top(37), 740);
        assert_eq!(l.row_at(745), 37);
        assert_eq!(l.row_at(1_000_000), 999);
        // The last rows fill the viewport when following.
        assert_eq!(l.bottom(), 19_400);
        assert_eq!(l.window(0, true), (970, 1000));
        assert_eq!(l.window(740, false), (27, 37 + 31 + 10));
    }

    #[test]
    fn a_wrapped_row_pushes_the_rows_after_it_down() {
        let mut h = RowHeights::default();
        assert_eq!(h.set(5, 60), 40);
        assert_eq!(h.set(9, 100), 80);
        let l = layout(&h, 20, 100, 0);
        assert_eq!(l.total(), 20 * 20 + 120);
        assert_eq!(l.top(5), 100);
        assert_eq!(l.top(6), 160);
        assert_eq!(l.top(10), 200 + 40 + 80);
        // Inside the tall rows, and just after them.
        assert_eq!(l.row_at(100), 5);
        assert_eq!(l.row_at(159), 5);
        assert_eq!(l.row_at(160), 6);
        assert_eq!(l.row_at(top_of(&l, 9) + 99), 9);
        assert_eq!(l.row_at(top_of(&l, 9) + 100), 10);
        // Measured again at one line: back to plain arithmetic.
        assert_eq!(h.set(5, 20), -40);
        assert_eq!(h.set(9, 20), -80);
        assert!(h.is_uniform());
        assert_eq!(h.total(20), 400);
    }

    fn top_of<S: Fn(usize) -> Option<u64>, R: Fn(u64) -> Option<usize>>(
        l: &Layout<'_, S, R>,
        r: usize,
    ) -> u64 {
        l.top(r)
    }

    #[test]
    fn forgetting_evicted_lines_returns_their_extra_height() {
        let mut h = RowHeights::default();
        h.set(3, 40);
        h.set(7, 60);
        h.set(12, 30);
        assert_eq!(h.forget_before(8), 20 + 40);
        assert_eq!(h.total(10), 200 + 10);
        assert_eq!(h.height(12), 30);
        assert_eq!(h.height(7), 20);
    }

    #[test]
    fn reveal_moves_the_least_and_shows_a_tall_row_from_its_top() {
        let mut h = RowHeights::default();
        h.set(50, 200);
        let l = layout(&h, 100, 100, 0);
        // In view: no move.
        assert_eq!(l.reveal(200, 12), 200);
        // Below: its bottom at the bottom edge.
        assert_eq!(l.reveal(0, 10), 120);
        // Above: its top at the top edge.
        assert_eq!(l.reveal(400, 10), 200);
        // Taller than the viewport: its top.
        assert_eq!(l.reveal(0, 50), 1000);
        // After the tall row, rows are 180 px lower.
        assert_eq!(l.reveal(0, 51), 1000 + 200 + 20 - 100);
        assert_eq!(l.center(51), 1200 + 10 - 50);
    }

    #[test]
    fn a_page_moves_by_the_viewport_height_over_tall_rows() {
        let mut h = RowHeights::default();
        for s in 10..20 {
            h.set(s, 60);
        }
        let l = layout(&h, 100, 120, 0);
        assert_eq!(l.page_from(0, 1), 6);
        // Each wrapped row is 60 px: a page is two of them.
        assert_eq!(l.page_from(10, 1), 12);
        assert_eq!(l.page_from(12, -1), 10);
        assert_eq!(l.page_from(3, -1), 0);
        assert_eq!(l.page_from(99, 1), 99);
    }

    #[test]
    fn rows_not_shown_are_left_out() {
        // A search shows lines 10, 20, 30…: row r is line 10(r + 1).
        let mut h = RowHeights::default();
        h.set(20, 60);
        let l = Layout {
            heights: &h,
            rows: 5,
            viewport: 40,
            seq_of: |r: usize| (r < 5).then_some(10 * (r as u64 + 1)),
            row_of: |s: u64| {
                (s.is_multiple_of(10) && (10..=50).contains(&s)).then(|| (s / 10 - 1) as usize)
            },
        };
        assert_eq!(l.top(1), 20);
        assert_eq!(l.top(2), 80);
        assert_eq!(l.row_at(79), 1);
        assert_eq!(l.row_at(80), 2);
    }

    proptest! {
        /// `row_at` inverts `top`: every pixel of a row maps back to it.
        #[test]
        fn row_at_inverts_top(
            heights in proptest::collection::vec(prop_oneof![Just(20u32), 20u32..200], 1..60),
            base in 0u64..1000,
        ) {
            let mut h = RowHeights::default();
            for (r, &px) in heights.iter().enumerate() {
                h.set(base + r as u64, px);
            }
            let rows = heights.len();
            let l = layout(&h, rows, 300, base);
            let mut y = 0u64;
            for (r, &px) in heights.iter().enumerate() {
                prop_assert_eq!(l.top(r), y);
                prop_assert_eq!(l.row_at(y), r);
                prop_assert_eq!(l.row_at(y + u64::from(px) - 1), r);
                y += u64::from(px);
            }
            prop_assert_eq!(l.total(), y);
        }

        /// After `reveal`, the row is in the viewport (or starts at its top when taller).
        #[test]
        fn reveal_brings_the_row_into_view(
            heights in proptest::collection::vec(prop_oneof![Just(20u32), 20u32..400], 1..80),
            scroll in 0u64..4000,
            pick in 0usize..80,
        ) {
            let mut h = RowHeights::default();
            for (r, &px) in heights.iter().enumerate() {
                h.set(r as u64, px);
            }
            let rows = heights.len();
            let row = pick % rows;
            let l = layout(&h, rows, 240, 0);
            let s = l.reveal(scroll, row);
            let (top, bottom) = (l.top(row), l.top(row) + l.height(row));
            if bottom - top > 240 {
                prop_assert_eq!(s, top);
            } else {
                prop_assert!(top >= s && bottom <= s + 240, "row {row} [{top}, {bottom}) scroll {s}");
            }
        }
    }
}
