//! Log messages to markup, showing what a terminal would have shown for the line: ANSI
//! colours as classes, OSC 8 hyperlinks and bare `http(s)` URLs as links, search highlights;
//! everything else escaped. The only producer of log-line HTML.
//!
//! A message is read by the `vte` crate (Alacritty's ECMA-48 parser: parameters with their
//! sub-parameters, OSC strings, every sequence's extent) into one row of cells, the way a
//! terminal would draw it: `\r` returns to the start and later text overwrites cell by cell,
//! `ESC[K`/`ESC[1K`/`ESC[2K` and ECH/DCH/ICH erase, backspace and tabs move, and so do
//! `ESC[nC`, `ESC[nD`, `ESC[nG`; the row's final state is shown.
//!
//! Why `vte` and not avt's parser, which the audit player already ships: avt's `Parser` is
//! public, but it hands back decoded functions, and its decoding drops OSC 8 (only
//! shell-integration OSCs come out), conceal (SGR 8), the underline styles and the underline
//! colour; `vte` gives the raw structure and leaves the meaning to us. Bare URLs are found by
//! the `linkify` crate (GFM-like handling of parentheses and trailing punctuation, plus GFM's
//! `_`, `~` and entity rules below).
//!
//! Measured on the release bundle (gzip -9, December 2026): against the hand-written tokenizer
//! this replaced, `vte` with the cell row and the sub-parameter reading of SGR adds 6.1 KB;
//! `linkify` instead of the former hand-written URL scanner adds 2.4 KB more. 8.5 KB in all
//! (333,142 B to 341,691 B).
//!
//! Every text run goes through [`SafeHtml::push_text`] and every link through
//! [`SafeHtml::open_link`], so no byte of the input can become markup.

use std::ops::Range;

use unicode_width::UnicodeWidthChar;
use vte::{Params, Parser, Perform};

use crate::ansi::Style;
use crate::safe_html::{SafeHtml, Tag};

/// Most cells of a row rendered; the rest is summarised (copy and download keep the whole
/// line). A 1 MB line would otherwise stall layout.
pub const MAX_RENDERED_CELLS: usize = 10_000;

/// Most distinct renditions or link targets kept for one line; past them a hostile line's
/// further changes are ignored (its text still shows).
const MAX_STYLES: usize = 4096;

const ESC: u8 = 0x1b;

/// Columns between tab stops, as terminals set them initially.
const TAB_WIDTH: usize = 8;

// A line's plain text without drawing it: the store and the scan run these on every line,
// so they are compiled for speed with the structured-logs crate.
pub use log_core::text::{is_plain, is_sgr_only, strip_sgr};

/// One column of the row.
#[derive(Clone, Copy, Debug)]
struct Cell {
    /// Byte offset of the cell's text in [`Row::text`].
    start: u32,
    /// Byte length of that text: a character and any zero-width ones joined to it (combining
    /// marks, joiners, variation selectors). 0 for a blank cell and for the second column of
    /// a wide character.
    len: u32,
    /// Index in [`Row::styles`].
    style: u16,
    /// Index in [`Row::links`]; 0 for none.
    link: u16,
    /// The second column of a wide character (its text is in the cell before).
    tail: bool,
}

const BLANK: Cell = Cell {
    start: 0,
    len: 0,
    style: 0,
    link: 0,
    tail: false,
};

/// A log message drawn on one terminal row: the `vte` performer.
struct Row {
    cells: Vec<Cell>,
    /// The text of every character printed, in order; cells point into it.
    text: String,
    cursor: usize,
    /// Renditions in use; index 0 is the default.
    styles: Vec<Style>,
    style: u16,
    /// Link targets (`http`/`https` only); index 0 is "no link".
    links: Vec<Box<str>>,
    link: u16,
    /// Columns kept; characters printed past it are counted in `hidden`.
    limit: usize,
    /// Bytes of characters printed past `limit`.
    hidden: usize,
    /// Set when a sequence ends (dispatched, or text printed after it): see [`Row::draw`].
    ended: bool,
}

/// A message as the terminal would have shown it.
#[derive(Debug)]
pub struct Drawn {
    /// The visible text, blanks included, trailing blanks left out.
    pub text: String,
    /// Runs of `text` with one rendition and link target: (end byte, style, link), in order,
    /// each starting where the previous one ends.
    runs: Vec<(usize, u16, u16)>,
    styles: Vec<Style>,
    links: Vec<Box<str>>,
    /// Bytes of text that did not fit in the row's columns.
    pub hidden: usize,
}

impl Row {
    fn new(limit: usize) -> Self {
        Row {
            cells: Vec::new(),
            text: String::new(),
            cursor: 0,
            styles: vec![Style::default()],
            style: 0,
            links: vec!["".into()],
            link: 0,
            limit,
            hidden: 0,
            ended: false,
        }
    }

    /// Feeds `message` to a `vte` parser drawing on this row. A sequence left unfinished at
    /// the end (an OSC without its terminator, a CSI cut short) would swallow the rest of
    /// the line, as it would in a terminal waiting for more; a log line gets no more, so the
    /// rest is shown as text instead, its ESC dropped, and nothing the line says is hidden.
    fn draw(&mut self, message: &str) {
        let bytes = message.as_bytes();
        let mut parser = Parser::new();
        let mut pending: Option<usize> = None;
        let mut from = 0;
        // Feeding one ESC-led piece at a time tells where an unfinished sequence started.
        for at in escapes(bytes).chain(std::iter::once(bytes.len())) {
            if at > from {
                self.ended = false;
                parser.advance(self, &bytes[from..at]);
                if self.ended {
                    pending = None;
                }
            }
            if at < bytes.len() && pending.is_none() {
                pending = Some(at);
            }
            from = at;
        }
        if let Some(start) = pending {
            // The sequence's own characters are ASCII, so `start + 1` is a char boundary.
            for c in message[start + 1..].chars() {
                if c < ' ' || ('\u{7f}'..='\u{9f}').contains(&c) {
                    self.execute(c as u8);
                } else {
                    self.print(c);
                }
            }
        }
    }

    /// The head cell of the character covering column `col`, if any.
    fn head(&self, col: usize) -> usize {
        if col > 0 && self.cells.get(col).is_some_and(|c| c.tail) {
            col - 1
        } else {
            col
        }
    }

    /// Blanks the cells of the wide character that column `col` is part of, if it is one:
    /// overwriting or erasing half a wide character erases it whole, as terminals do.
    fn split_wide(&mut self, col: usize) {
        if col >= self.cells.len() {
            return;
        }
        let head = self.head(col);
        if self.cells.get(head + 1).is_some_and(|c| c.tail) {
            self.cells[head] = BLANK;
            self.cells[head + 1] = BLANK;
        }
    }

    /// Blanks columns `range` (clipped to the row).
    fn erase(&mut self, range: Range<usize>) {
        let end = range.end.min(self.cells.len());
        if range.start >= end {
            return;
        }
        self.split_wide(range.start);
        self.split_wide(end - 1);
        self.cells[range.start..end].fill(BLANK);
    }

    fn set_style(&mut self, style: Style) {
        if let Some(i) = recent(&self.styles, |s| *s == style) {
            self.style = i as u16;
        } else if self.styles.len() < MAX_STYLES {
            self.styles.push(style);
            self.style = (self.styles.len() - 1) as u16;
        }
    }

    /// Joins a zero-width character to the character before the cursor.
    fn join(&mut self, c: char) {
        let Some(col) = self
            .cursor
            .checked_sub(1)
            .filter(|&col| col < self.cells.len())
        else {
            return self.put(c, 1);
        };
        let head = self.head(col);
        let cell = self.cells[head];
        if cell.len == 0 {
            return self.put(c, 1);
        }
        let (start, end) = (cell.start as usize, (cell.start + cell.len) as usize);
        if end != self.text.len() {
            // Its text is not last in the arena: copy it there so it can grow.
            self.text.extend_from_within(start..end);
        }
        let new_start = self.text.len() - (end - start);
        self.text.push(c);
        let cell = &mut self.cells[head];
        cell.start = new_start as u32;
        cell.len = (self.text.len() - new_start) as u32;
    }

    /// Writes `c`, `width` columns wide, at the cursor and moves past it.
    fn put(&mut self, c: char, width: usize) {
        let col = self.cursor;
        // Appending a narrow character, by far the most common case, needs no fix-ups.
        if width == 1 && col == self.cells.len() && col < self.limit {
            self.cursor = col + 1;
            let start = self.text.len() as u32;
            if self.text.len() + 4 <= u32::MAX as usize {
                self.text.push(c);
                self.cells.push(Cell {
                    start,
                    len: c.len_utf8() as u32,
                    style: self.style,
                    link: self.link,
                    tail: false,
                });
                return;
            }
            self.cursor = col;
        }
        self.cursor = (col + width).min(self.limit + 1);
        if col + width > self.limit || self.text.len() + 4 > u32::MAX as usize {
            self.hidden += c.len_utf8();
            return;
        }
        for i in col..col + width {
            self.split_wide(i);
        }
        if self.cells.len() < col + width {
            self.cells.resize(col + width, BLANK);
        }
        let start = self.text.len() as u32;
        self.text.push(c);
        let cell = Cell {
            start,
            len: c.len_utf8() as u32,
            style: self.style,
            link: self.link,
            tail: false,
        };
        self.cells[col] = cell;
        if width == 2 {
            self.cells[col + 1] = Cell {
                len: 0,
                tail: true,
                ..cell
            };
        }
    }

    fn move_to(&mut self, col: usize) {
        self.cursor = col.min(self.limit + 1);
    }

    fn finish(self) -> Drawn {
        let end = self
            .cells
            .iter()
            .rposition(|c| c.len != 0 || c.tail)
            .map_or(0, |i| i + 1);
        let mut text = String::with_capacity(self.text.len() + 16);
        let mut runs: Vec<(usize, u16, u16)> = Vec::new();
        // Cells written in order point at consecutive text: copy such stretches whole.
        let mut pending = 0..0;
        for cell in &self.cells[..end] {
            if cell.tail {
                continue;
            }
            let key = (cell.style, cell.link);
            if runs.last().is_none_or(|r| (r.1, r.2) != key) {
                text.push_str(&self.text[pending.clone()]);
                pending = 0..0;
                if let Some(last) = runs.last_mut() {
                    last.0 = text.len();
                }
                runs.push((0, key.0, key.1));
            }
            let (start, len) = (cell.start as usize, cell.len as usize);
            if len != 0 && pending.end == start && !pending.is_empty() {
                pending.end += len;
                continue;
            }
            text.push_str(&self.text[pending.clone()]);
            pending = 0..0;
            if len == 0 {
                text.push(' ');
            } else {
                pending = start..start + len;
            }
        }
        text.push_str(&self.text[pending]);
        if let Some(last) = runs.last_mut() {
            last.0 = text.len();
        }
        Drawn {
            text,
            runs,
            styles: self.styles,
            links: self.links,
            hidden: self.hidden,
        }
    }
}

/// The index of an entry among the last few of `list` that `is` accepts. Lines switch
/// between a handful of renditions; looking further back would make a hostile line with
/// thousands of them quadratic, and a missed match only costs a duplicate entry.
fn recent<T>(list: &[T], is: impl Fn(&T) -> bool) -> Option<usize> {
    let from = list.len().saturating_sub(16);
    list[from..].iter().rposition(is).map(|i| from + i)
}

/// Positions of ESC in `bytes`.
fn escapes(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == ESC)
        .map(|(i, _)| i)
}

/// The first value of parameter `index`, 0 when absent (ECMA-48: "default").
fn param(params: &Params, index: usize) -> usize {
    params
        .iter()
        .nth(index)
        .and_then(|p| p.first())
        .map_or(0, |v| usize::from(*v))
}

impl Perform for Row {
    fn print(&mut self, c: char) {
        self.ended = true;
        match c.width() {
            // DEL and other characters with no width of their own.
            None => {}
            Some(0) => self.join(c),
            Some(w) => self.put(c, w),
        }
    }

    fn execute(&mut self, byte: u8) {
        match byte {
            b'\r' => self.cursor = 0,
            0x08 => self.cursor = self.cursor.saturating_sub(1),
            b'\t' => self.move_to((self.cursor / TAB_WIDTH + 1) * TAB_WIDTH),
            // Line feeds cannot occur inside a line; bells, shifts and the rest show nothing.
            _ => {}
        }
    }

    fn csi_dispatch(&mut self, params: &Params, intermediates: &[u8], ignore: bool, action: char) {
        self.ended = true;
        // Private sequences (`ESC[?25l`) and overflowing ones change nothing on a log line.
        if ignore || !intermediates.is_empty() {
            return;
        }
        let n = param(params, 0).max(1);
        match action {
            'm' => {
                let mut style = self.styles[usize::from(self.style)];
                style.apply_sgr_params(params.iter());
                self.set_style(style);
            }
            // EL, and ED, which on a one-row screen erases the same cells.
            'K' | 'J' => match param(params, 0) {
                0 => {
                    self.split_wide(self.cursor);
                    self.cells.truncate(self.cursor);
                }
                1 => self.erase(0..self.cursor + 1),
                2 | 3 => self.cells.clear(),
                _ => {}
            },
            'C' | 'a' => self.move_to(self.cursor.saturating_add(n)),
            'D' => self.cursor = self.cursor.saturating_sub(n),
            'G' | '`' => self.move_to(n - 1),
            // CUP and HVP: only the column means something on one row.
            'H' | 'f' => self.move_to(param(params, 1).max(1) - 1),
            'X' => self.erase(self.cursor..self.cursor.saturating_add(n)),
            'P' if self.cursor < self.cells.len() => {
                self.split_wide(self.cursor);
                let end = self.cursor.saturating_add(n).min(self.cells.len());
                self.split_wide(end.saturating_sub(1));
                self.cells.drain(self.cursor..end);
            }
            '@' if self.cursor < self.cells.len() => {
                if self.cells[self.cursor].tail {
                    self.split_wide(self.cursor);
                }
                let blanks = std::iter::repeat_n(BLANK, n.min(self.limit));
                self.cells.splice(self.cursor..self.cursor, blanks);
                // A wide character pushed half past the last column is erased.
                if self.cells.get(self.limit).is_some_and(|c| c.tail) {
                    self.cells[self.limit - 1] = BLANK;
                }
                self.cells.truncate(self.limit);
            }
            _ => {}
        }
    }

    fn osc_dispatch(&mut self, params: &[&[u8]], _bell_terminated: bool) {
        self.ended = true;
        // OSC 8 ; params ; URI: the URI may itself hold `;`, which vte split on.
        if params.first() != Some(&&b"8"[..]) || params.len() < 2 {
            return;
        }
        let uri = params.get(2..).unwrap_or_default().join(&b';');
        self.link = 0;
        let Ok(uri) = std::str::from_utf8(&uri) else {
            return;
        };
        // Only web targets become links; any other scheme leaves its text plain.
        if uri.is_empty() || !SafeHtml::is_web_url(uri) {
            return;
        }
        if let Some(i) = recent(&self.links, |l| **l == *uri) {
            self.link = i as u16;
        } else if self.links.len() < MAX_STYLES {
            self.links.push(uri.into());
            self.link = (self.links.len() - 1) as u16;
        }
    }

    fn esc_dispatch(&mut self, _intermediates: &[u8], _ignore: bool, _byte: u8) {
        self.ended = true;
    }

    fn unhook(&mut self) {
        self.ended = true;
    }
}

/// Draws `message` on a row of at most `limit` columns.
pub fn draw(message: &str, limit: usize) -> Drawn {
    let mut row = Row::new(limit);
    row.draw(message);
    row.finish()
}

/// The text of `message` as the reader sees it: the final state of the row, without escape
/// sequences and control characters. Search and "download without ANSI" use this.
pub fn displayed_text(message: &str) -> String {
    if is_plain(message) {
        return message.to_owned();
    }
    if is_sgr_only(message) {
        let mut out = Vec::with_capacity(message.len());
        strip_sgr(message.as_bytes(), &mut out);
        // Cutting out ASCII sequences leaves UTF-8 as it was.
        if let Ok(text) = String::from_utf8(out) {
            return text;
        }
    }
    // Cursor moves can reach past the message's length; blanks past this are not kept.
    draw(message, message.len().saturating_add(MAX_RENDERED_CELLS)).text
}

/// The byte ranges of `http://` and `https://` URLs in `text`, with the boundaries of
/// GitHub-flavoured Markdown's autolinks: parentheses and brackets belong to the URL when
/// balanced, and trailing `? ! . , : ; * _ ~`, an unmatched closing parenthesis, and an
/// entity-like `&name;` are left out.
pub fn find_links(text: &str) -> Vec<Range<usize>> {
    if !text.contains("://") {
        return Vec::new();
    }
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    finder
        .links(text)
        .filter(|l| SafeHtml::is_web_url(l.as_str()))
        .filter_map(|l| {
            let (start, mut end) = (l.start(), l.end());
            // linkify keeps these three where GFM drops them.
            loop {
                let url = &text[start..end];
                if let Some(rest) = url.strip_suffix(['_', '~']) {
                    end = start + rest.len();
                } else if text[end..].starts_with(';') {
                    match entity_start(url) {
                        Some(at) => end = start + at,
                        None => break,
                    }
                } else {
                    break;
                }
            }
            // A scheme alone is no link.
            (text[start..end]
                .split_once("://")
                .is_some_and(|(_, rest)| !rest.is_empty()))
            .then_some(start..end)
        })
        .collect()
}

/// Where a trailing `&name` (an entity reference, when a `;` follows) starts in `url`.
fn entity_start(url: &str) -> Option<usize> {
    let name = url.trim_end_matches(|c: char| c.is_ascii_alphanumeric());
    (name.len() < url.len() && name.ends_with('&')).then(|| name.len() - 1)
}

/// Renders a log message: colours as classes, links for OSC 8 hyperlinks and bare URLs,
/// `highlights` (byte ranges of [`displayed_text`], as
/// [`crate::logs::search::Matcher::ranges`] returns) as `<mark>`.
pub fn render(message: &str, highlights: &[Range<usize>]) -> SafeHtml {
    // Most lines have no escape, control character, link or highlight: escape and go.
    if highlights.is_empty()
        && message.len() <= MAX_RENDERED_CELLS
        && !message.contains("://")
        && is_plain(message)
    {
        return SafeHtml::text(message);
    }
    let drawn = if is_plain(message) {
        // Tabs stay tabs here, as in search; browsers put tab stops every 8 columns, as
        // terminals do.
        let mut cut = message.len().min(MAX_RENDERED_CELLS);
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        Drawn {
            text: message[..cut].to_owned(),
            runs: vec![(cut, 0, 0)],
            styles: vec![Style::default()],
            links: vec!["".into()],
            hidden: message.len() - cut,
        }
    } else {
        draw(message, MAX_RENDERED_CELLS)
    };
    let text = drawn.text.as_str();
    // Bare URLs, except inside an OSC 8 link, which keeps its own target.
    let in_hyperlink = |r: &Range<usize>| {
        let mut from = 0;
        drawn.runs.iter().any(|&(end, _, link)| {
            let hit = link != 0 && from < r.end && r.start < end;
            from = end;
            hit
        })
    };
    let autolinks: Vec<Range<usize>> = find_links(text)
        .into_iter()
        .filter(|r| !in_hyperlink(r))
        .collect();

    // Segments between boundaries where the rendition, link or highlight changes.
    let mut bounds: Vec<usize> =
        Vec::with_capacity(drawn.runs.len() + highlights.len() * 2 + autolinks.len() * 2 + 2);
    bounds.push(0);
    bounds.extend(drawn.runs.iter().map(|r| r.0));
    for r in highlights.iter().chain(autolinks.iter()) {
        bounds.push(r.start.min(text.len()));
        bounds.push(r.end.min(text.len()));
    }
    // The comparator behind `&mut dyn FnMut`: the app list's sort shares this instantiation.
    let compare: &mut dyn FnMut(&usize, &usize) -> std::cmp::Ordering = &mut |a, b| a.cmp(b);
    bounds.sort_unstable_by(compare);
    bounds.dedup();

    // Class lists are computed once per rendition, not once per segment.
    let mut classes: Vec<Option<String>> = vec![None; drawn.styles.len()];
    let mut html = SafeHtml::new();
    let mut run = 0usize;
    let mut auto = 0usize;
    // The link open around the current segment: (is a bare URL, index).
    let mut open: Option<(bool, usize)> = None;
    for pair in bounds.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if a >= b || !text.is_char_boundary(a) || !text.is_char_boundary(b) {
            continue;
        }
        while run + 1 < drawn.runs.len() && drawn.runs[run].0 <= a {
            run += 1;
        }
        while auto < autolinks.len() && autolinks[auto].end <= a {
            auto += 1;
        }
        let (_, style, link) = drawn.runs.get(run).copied().unwrap_or((0, 0, 0));
        let want = if link != 0 {
            Some((false, usize::from(link)))
        } else if autolinks.get(auto).is_some_and(|l| l.start <= a) {
            Some((true, auto))
        } else {
            None
        };
        if want != open {
            if open.is_some() {
                html.close_link();
            }
            open = want.filter(|&(bare, i)| {
                let href = if bare {
                    &text[autolinks[i].clone()]
                } else {
                    &*drawn.links[i]
                };
                html.open_link(href)
            });
        }
        let class = classes[usize::from(style)]
            .get_or_insert_with(|| drawn.styles[usize::from(style)].classes())
            .as_str();
        let mark = highlights.iter().any(|h| h.start < b && a < h.end);
        if !class.is_empty() {
            html.open(Tag::Span, class.split(' '));
        }
        if mark {
            html.open(Tag::Mark, ["sld-log-match"]);
        }
        html.push_text(&text[a..b]);
        if mark {
            html.close(Tag::Mark);
        }
        if !class.is_empty() {
            html.close(Tag::Span);
        }
    }
    if open.is_some() {
        html.close_link();
    }
    if drawn.hidden > 0 {
        html.open(Tag::Span, ["sld-log-truncated"]);
        html.push_text(&format!(
            " … {} more bytes (copy or download the line to see it all)",
            drawn.hidden
        ));
        html.close(Tag::Span);
    }
    html
}

/// Renders every line of `text` and returns the total length of the markup: exported so
/// the benchmark (`bench/logs.mjs`) can time this renderer against `ansi_up` on the same
/// corpus in the same browser. It reads nothing and changes nothing on the page. Only in
/// builds with the `bench` feature.
#[cfg(all(target_arch = "wasm32", feature = "bench"))]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = sldRenderLogLines)]
pub fn render_lines_for_benchmark(text: &str) -> usize {
    text.lines().map(|l| render(l, &[]).as_str().len()).sum()
}

/// Size of the wasm linear memory in bytes, where the log buffer lives (it is not part of
/// the JS heap): exported for the benchmark's memory figure.
#[cfg(all(target_arch = "wasm32", feature = "bench"))]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = sldWasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    use wasm_bindgen::JsCast;
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ansi::nearest_256;
    use proptest::prelude::*;

    const LINK_ATTRS: &str = "target=\"_blank\" rel=\"noopener noreferrer\"";

    fn html(message: &str) -> String {
        render(message, &[]).into_string()
    }

    /// The text a reader sees in rendered markup: tags removed, entities decoded.
    fn visible(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    #[test]
    fn colours_become_classes_and_text_is_escaped() {
        assert_eq!(
            html("\u{1b}[31m<b>red</b>\u{1b}[0m plain"),
            "<span class=\"sld-fg-1\">&lt;b&gt;red&lt;/b&gt;</span> plain"
        );
    }

    #[test]
    fn colours_of_256_and_true_colour_map_to_palette_classes() {
        let out = html("\u{1b}[38;5;208mA\u{1b}[48;2;255;0;0mB");
        assert!(out.contains("sld-fg-208"), "{out}");
        assert!(out.contains("sld-bg-196"), "{out}");
    }

    #[test]
    fn colon_form_colours_colour_their_text_like_the_semicolon_form() {
        let orange = format!("sld-fg-{}", nearest_256(255, 128, 0));
        for line in [
            "\u{1b}[38:2::255:128:0mA",
            "\u{1b}[38:2:255:128:0mA",
            "\u{1b}[38:2:0:255:128:0mA",
            "\u{1b}[38;2;255;128;0mA",
        ] {
            assert_eq!(
                html(line),
                format!("<span class=\"{orange}\">A</span>"),
                "{line:?}"
            );
        }
        assert_eq!(
            html("\u{1b}[48:5:17mA"),
            "<span class=\"sld-bg-17\">A</span>"
        );
        assert_eq!(
            html("\u{1b}[1;38:5:208;4:3mA"),
            "<span class=\"sld-fg-208 sld-bold sld-underline sld-underline-curly\">A</span>"
        );
        // An underline colour in the semicolon form does not leak into the next codes.
        assert_eq!(
            html("\u{1b}[58;2;255;0;0;32mA"),
            "<span class=\"sld-fg-2\">A</span>"
        );
        // Unknown codes and forms are ignored and the text still shows.
        assert_eq!(html("\u{1b}[38:7:1;999;1:5mA"), "A");
    }

    #[test]
    fn progress_frames_rewritten_with_carriage_returns_show_their_last_frame() {
        let frames = "Downloading   5%\rDownloading  55%\rDownloading 100%";
        assert_eq!(html(frames), "Downloading 100%");
        assert_eq!(displayed_text(frames), "Downloading 100%");
        // Later text overwrites cell by cell and leaves the rest.
        assert_eq!(displayed_text("abcdef\rXY"), "XYcdef");
        assert_eq!(displayed_text("[##   ] 40%\r[####"), "[#### ] 40%");
        // A trailing carriage return (a CRLF line end) changes nothing.
        assert_eq!(displayed_text("done\r"), "done");
        assert_eq!(
            html("\u{1b}[32mdone\u{1b}[0m\r"),
            "<span class=\"sld-fg-2\">done</span>"
        );
    }

    #[test]
    fn overwritten_cells_take_the_rendition_of_what_overwrote_them() {
        assert_eq!(
            html("\u{1b}[31mabc\r\u{1b}[32mX"),
            "<span class=\"sld-fg-2\">X</span><span class=\"sld-fg-1\">bc</span>"
        );
    }

    #[test]
    fn erase_in_line_erases_right_left_or_all_of_the_row() {
        assert_eq!(displayed_text("abcdef\r\u{1b}[K"), "");
        assert_eq!(displayed_text("abcdef\r\u{1b}[0KXY"), "XY");
        assert_eq!(displayed_text("abcdef\u{1b}[3D\u{1b}[K"), "abc");
        assert_eq!(displayed_text("abcdef\u{1b}[3D\u{1b}[1K"), "    ef");
        assert_eq!(displayed_text("abcdef\u{1b}[2K"), "");
        assert_eq!(displayed_text("old text\u{1b}[2K\rnew"), "new");
        assert_eq!(displayed_text("abcdef\u{1b}[2KXY"), "      XY");
        assert_eq!(
            displayed_text("progress 5%\r\u{1b}[2Kprogress 10%"),
            "progress 10%"
        );
        // Erase character, delete character, insert character.
        assert_eq!(displayed_text("abcdef\r\u{1b}[2X"), "  cdef");
        assert_eq!(displayed_text("abcdef\r\u{1b}[2P"), "cdef");
        assert_eq!(displayed_text("abcdef\r\u{1b}[2@"), "  abcdef");
    }

    #[test]
    fn backspace_tab_and_horizontal_cursor_moves_place_text_as_a_terminal_does() {
        assert_eq!(displayed_text("ab\u{8}c"), "ac");
        assert_eq!(displayed_text("\u{8}\u{8}x"), "x");
        assert_eq!(displayed_text("\u{1b}[1ma\tb"), "a       b");
        assert_eq!(displayed_text("\u{1b}[m12345678\tx"), "12345678        x");
        assert_eq!(displayed_text("abcdef\r\tx"), "abcdef  x");
        assert_eq!(displayed_text("abcdefghij\r\tx"), "abcdefghxj");
        assert_eq!(displayed_text("abc\u{1b}[2Gx"), "axc");
        assert_eq!(displayed_text("a\u{1b}[3Cb"), "a   b");
        assert_eq!(displayed_text("abcd\u{1b}[2Dx"), "abxd");
        assert_eq!(displayed_text("abcd\u{1b}[Dx"), "abcx");
        assert_eq!(displayed_text("abcd\u{1b}[1;2Hx"), "axcd");
        // A tab with nothing else to interpret stays a tab, in search and on screen.
        assert_eq!(html("a\tb"), "a\tb");
    }

    #[test]
    fn wide_and_combining_characters_overwrite_by_columns() {
        assert_eq!(displayed_text("漢字\rx"), "x 字");
        assert_eq!(displayed_text("漢字\u{1b}[3Gx"), "漢x");
        assert_eq!(displayed_text("ab\rX漢"), "X漢");
        // Zero-width characters stay with the character before them.
        assert_eq!(displayed_text("e\u{301}x\r\u{1b}[C!"), "e\u{301}!");
        assert_eq!(displayed_text("❤\u{fe0f} ok\r\u{1b}[2C!k"), "❤\u{fe0f} !k");
    }

    #[test]
    fn other_escapes_and_controls_show_nothing() {
        assert_eq!(
            displayed_text("a\u{0}b\u{7}c\u{85}d\u{1b}]0;title\u{7}e\u{1b}[?25l\u{1b}(Bf\u{1b}P1$r\u{1b}\\g\u{7f}"),
            "abcdefg"
        );
        assert_eq!(html("\u{1b}[1;1Hok\u{1b}]0;title\u{7}"), "ok");
    }

    #[test]
    fn osc8_hyperlinks_with_bel_or_st_become_links_to_their_web_target() {
        for (open, close) in [
            ("\u{1b}]8;;https://example.com/docs\u{7}", "\u{1b}]8;;\u{7}"),
            (
                "\u{1b}]8;;https://example.com/docs\u{1b}\\",
                "\u{1b}]8;;\u{1b}\\",
            ),
            (
                "\u{1b}]8;id=a1;https://example.com/docs\u{1b}\\",
                "\u{1b}]8;;\u{1b}\\",
            ),
        ] {
            assert_eq!(
                html(&format!("see {open}the docs{close} now")),
                format!("see <a href=\"https://example.com/docs\" {LINK_ATTRS}>the docs</a> now"),
                "{open:?}"
            );
        }
        // A URI may hold semicolons.
        assert_eq!(
            html("\u{1b}]8;;http://a.example/?q=1;2\u{7}t\u{1b}]8;;\u{7}"),
            format!("<a href=\"http://a.example/?q=1;2\" {LINK_ATTRS}>t</a>")
        );
        // A link keeps its target across changes of colour.
        assert_eq!(
            html("\u{1b}]8;;https://a.example/\u{7}\u{1b}[31mred\u{1b}[32mgreen\u{1b}]8;;\u{7}."),
            format!("<a href=\"https://a.example/\" {LINK_ATTRS}><span class=\"sld-fg-1\">red</span><span class=\"sld-fg-2\">green</span></a><span class=\"sld-fg-2\">.</span>")
        );
        // The hyperlink's target wins over a URL in its text.
        assert_eq!(
            html("\u{1b}]8;;https://real.example/\u{7}https://shown.example/\u{1b}]8;;\u{7}"),
            format!("<a href=\"https://real.example/\" {LINK_ATTRS}>https://shown.example/</a>")
        );
    }

    #[test]
    fn osc8_links_to_other_schemes_stay_plain_text_and_hostile_targets_stay_inert() {
        for target in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "mailto:a@example.com",
            "//evil.example/",
        ] {
            let out = html(&format!(
                "\u{1b}]8;;{target}\u{1b}\\click\u{1b}]8;;\u{1b}\\ me"
            ));
            assert_eq!(out, "click me", "{target}");
        }
        let out =
            html("\u{1b}]8;;https://x.example/\"><script>alert(1)</script>\u{7}t\u{1b}]8;;\u{7}");
        assert_eq!(
            out,
            format!("<a href=\"https://x.example/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\" {LINK_ATTRS}>t</a>")
        );
    }

    #[test]
    fn unterminated_sequences_show_the_rest_of_the_line_literally() {
        assert_eq!(html("end\u{1b}"), "end");
        assert_eq!(html("\u{1b}[31"), "[31");
        assert_eq!(html("a\u{1b}]8;;no end"), "a]8;;no end");
        assert_eq!(
            html("\u{1b}[31mred\u{1b}]0;title"),
            "<span class=\"sld-fg-1\">red]0;title</span>"
        );
        // A finished sequence after a broken one is still read.
        assert_eq!(
            html("\u{1b}[3\u{1b}[32mok"),
            "<span class=\"sld-fg-2\">ok</span>"
        );
    }

    #[test]
    fn urls_keep_balanced_parentheses_and_drop_trailing_punctuation() {
        fn link(text: &str) -> Vec<&str> {
            find_links(text).into_iter().map(|r| &text[r]).collect()
        }
        let wiki = "https://en.wikipedia.org/wiki/Unix_(disambiguation)";
        assert_eq!(link(wiki), [wiki]);
        assert_eq!(link(&format!("see {wiki}.")), [wiki]);
        assert_eq!(link("(see https://x.example/a)"), ["https://x.example/a"]);
        assert_eq!(link("[docs](https://x.example/a)"), ["https://x.example/a"]);
        assert_eq!(link("https://x.example/a."), ["https://x.example/a"]);
        assert_eq!(
            link("https://x.example/a?b=1&c=2, then"),
            ["https://x.example/a?b=1&c=2"]
        );
        assert_eq!(link("go to https://x.example/a!?"), ["https://x.example/a"]);
        assert_eq!(link("https://x.example/a_b_"), ["https://x.example/a_b"]);
        assert_eq!(link("https://x.example/a~"), ["https://x.example/a"]);
        assert_eq!(link("https://x.example/a&hl; x"), ["https://x.example/a"]);
        assert_eq!(
            link("https://x.example/f(a)(b),"),
            ["https://x.example/f(a)(b)"]
        );
        assert_eq!(link("'https://x.example/q'"), ["https://x.example/q"]);
        assert_eq!(link("HTTP://X.EXAMPLE/"), ["HTTP://X.EXAMPLE/"]);
        assert_eq!(
            link("at http://localhost:8080/health ok"),
            ["http://localhost:8080/health"]
        );
        // Only web URLs are links.
        assert!(link("ftp://x.example/a javascript:alert(1) xhttps://x.example/").is_empty());
        assert!(link("https:// nothing").is_empty());
        assert_eq!(
            html(&format!("see {wiki}.")),
            format!("see <a href=\"{wiki}\" {LINK_ATTRS}>{wiki}</a>.")
        );
    }

    #[test]
    fn http_urls_become_safe_links_and_other_schemes_stay_text() {
        assert_eq!(
            html("see https://example.com/a?b=1&c=2. or javascript:alert(1)"),
            format!("see <a href=\"https://example.com/a?b=1&amp;c=2\" {LINK_ATTRS}>https://example.com/a?b=1&amp;c=2</a>. or javascript:alert(1)")
        );
        assert!(find_links("xhttp://a.example").is_empty());
        assert_eq!(find_links("(http://a.example/c)"), vec![1..19]);
    }

    #[test]
    fn highlights_wrap_matches_in_marks_inside_colours() {
        let out = render(
            "\u{1b}[32mgreen error\u{1b}[0m",
            std::slice::from_ref(&(6..11)),
        );
        assert_eq!(
            out.as_str(),
            "<span class=\"sld-fg-2\">green </span><span class=\"sld-fg-2\"><mark class=\"sld-log-match\">error</mark></span>"
        );
        // Ranges are in the displayed text, after overwrites.
        let out = render("xxxxx error\rfatal", std::slice::from_ref(&(0..5)));
        assert_eq!(
            out.as_str(),
            "<mark class=\"sld-log-match\">fatal</mark> error"
        );
    }

    #[test]
    fn a_megabyte_line_is_cut_for_display() {
        let line = "x".repeat(1 << 20);
        let out = html(&line);
        assert!(out.len() < MAX_RENDERED_CELLS + 200);
        assert!(out.contains(&format!("{} more bytes", (1 << 20) - MAX_RENDERED_CELLS)));
        let coloured = format!("\u{1b}[31m{line}");
        let out = html(&coloured);
        assert!(out.len() < MAX_RENDERED_CELLS + 200);
        assert!(out.contains(&format!("{} more bytes", (1 << 20) - MAX_RENDERED_CELLS)));
        // Cursor moves cannot make a row of unbounded blanks.
        let far = "\u{1b}[65535Cx".repeat(1000);
        assert!(displayed_text(&far).len() <= far.len() + MAX_RENDERED_CELLS);
    }

    #[test]
    fn the_hostile_corpus_renders_inert() {
        for line in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "\u{1b}[31m<svg onload=alert(1)>\u{1b}[0m",
            "\u{1b}]8;;javascript:alert(1)\u{7}x\u{1b}]8;;\u{7}",
            "\u{1b}]8;;data:text/html;base64,PHNjcmlwdD4=\u{7}x\u{1b}]8;;\u{7}",
            "https://example.com/\"><script>alert(1)</script>",
            "\u{1b}]8;;https://e.example/\" onmouseover=\"alert(1)\u{7}x\u{1b}]8;;\u{7}",
            "\u{1b}[31<script>",
            "<scr\rx\u{1b}[2Gipt>",
        ] {
            let out = html(line);
            assert!(!out.contains("<script"), "{line}: {out}");
            assert!(!out.contains("<img"), "{line}");
            assert!(!out.contains("<svg"), "{line}");
            assert!(!out.contains("href=\"javascript"), "{line}");
            assert!(!out.contains("href=\"data"), "{line}");
            assert!(!out.contains("\" onmouseover"), "{line}");
        }
    }

    /// Every `<` in the output starts one of the tags the renderer writes itself.
    fn only_known_tags(html: &str) -> bool {
        html.match_indices('<').all(|(i, _)| {
            let rest = &html[i..];
            [
                "<span",
                "</span>",
                "<mark",
                "</mark>",
                "<a href=\"http",
                "</a>",
            ]
            .iter()
            .any(|t| rest.starts_with(t))
        })
    }

    proptest! {
        #[test]
        fn no_angle_bracket_from_the_input_reaches_the_output_unescaped(
            text in "(\\PC|\u{1b}|\\[|\\]|;|:|[0-9]|m|K|C|D|<|>|\"|'|&|\u{7}|\r|\u{8}|\\\\|https://|javascript:|\u{1b}\\]8;;)*",
            hl in proptest::collection::vec((0usize..80, 0usize..80), 0..4),
        ) {
            let highlights: Vec<Range<usize>> = hl.into_iter().map(|(a, b)| a.min(b)..a.max(b)).collect();
            let out = render(&text, &highlights);
            prop_assert!(only_known_tags(out.as_str()), "{:?} -> {}", text, out.as_str());
            prop_assert_eq!(
                out.as_str().matches("<a ").count(),
                out.as_str().matches("rel=\"noopener noreferrer\"").count()
            );
            prop_assert_eq!(out.as_str().matches("<a ").count(), out.as_str().matches("</a>").count());
        }

        #[test]
        fn the_rendered_text_is_the_displayed_text_that_search_runs_on(
            text in "(\\PC|\u{1b}\\[[0-9;:]{0,3}[mKCDGXP@]|\u{1b}\\]8;;https://a.b/\u{7}|\r|\u{8}|\t| )*",
        ) {
            prop_assert_eq!(visible(&html(&text)), displayed_text(&text));
        }

        #[test]
        fn colour_only_text_draws_as_itself_without_its_sequences(
            text in "([ -~]|\u{1b}|\\[|[0-9;]|m|\u{1b}\\[[0-9;]{0,8}m|\u{1b}\\[[0-9;:]{0,3}[mKCDG]|\t|\r|é|\u{4e2d}|\u{301}|\u{a0})*",
        ) {
            let drawn = draw(&text, text.len() + MAX_RENDERED_CELLS).text;
            if is_sgr_only(&text) {
                let mut stripped = Vec::new();
                strip_sgr(text.as_bytes(), &mut stripped);
                prop_assert_eq!(String::from_utf8(stripped), Ok(drawn.clone()));
            }
            if !is_plain(&text) {
                prop_assert_eq!(displayed_text(&text), drawn);
            }
        }

        #[test]
        fn drawing_keeps_text_without_controls_unchanged(text in "[^\u{0}-\u{1f}\u{7f}-\u{9f}]*") {
            prop_assert_eq!(draw(&text, text.len() + 1).text, text);
        }
    }
}
