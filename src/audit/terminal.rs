//! The terminal model of the player: a real VT emulator fed the recorded output.
//!
//! The emulation is asciinema's engine, the `avt` crate, rather than our own: it already
//! handles everything naive ANSI-to-HTML gets wrong (cursor moves, `\r` redraws, erase,
//! scroll regions, insert/delete line, the alternate screen, wide characters, charsets),
//! bounds its parser (OSC strings, parameter counts), and can dump its state as a string
//! that rebuilds it, which is what seeking needs. It depends only on `unicode-width`.
//! Measured here: it adds about 14 KB gzipped to the release wasm (see the audit note in the
//! commit history), and feeds the 50,000-event sandbox session in well under a second.
//!
//! This module adds what is specific to Scalingo's recordings and to our rendering:
//! - Scalingo records output with bare `\n` line ends (the pty's `onlcr` translation is not
//!   in the log), so the terminal starts in line-feed/new-line mode (LNM, `ESC[20h`), where
//!   LF also returns the carriage, as the user's terminal effectively did.
//! - The recorder flushes an unfinished line (a prompt) after about a second with a `\n`
//!   appended, then sends the completed line again prefixed with `ESC[K`. Such an event
//!   redraws the previous line (see [`redraw_of`]); without this every command would show
//!   its prompt twice.
//! - Plain text ([`Stripper`]) comes from the same parser, so search, width guesses and
//!   redraw detection agree with the screen on what is an escape sequence.
//! - Cell pens are mapped to the shared `crate::ansi` classes by re-expressing them as SGR
//!   parameters, so the colour mapping (including true colour to the nearest of 256) lives
//!   in one place.

use avt::parser::Function;
use avt::{Color as AvtColor, Pen, ScreenKind};

use crate::ansi::Style;
use crate::safe_html::{SafeHtml, Tag};

/// Sets line-feed/new-line mode: LF returns the carriage too.
pub(crate) const NEW_LINE_MODE: &str = "\x1b[20h";

/// Moves the cursor up one line and to its start: what a redraw event needs first.
pub(crate) const BACK_TO_PREVIOUS_LINE: &str = "\x1b[A\r";

/// Rows of the primary screen kept above the visible ones.
const SCROLLBACK_LINES: usize = 0;

/// A saved terminal state; restoring it is as good as replaying every event before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot(String);

impl Snapshot {
    /// Its size in bytes, for memory accounting.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it is empty (never, in practice).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A run of same-style cells in a row.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// The characters.
    pub text: String,
    /// Their style.
    pub style: Style,
    /// Whether this run is the cursor cell.
    pub cursor: bool,
    /// For a run of one non-ASCII character: the cells it takes (1, or 2 for a wide CJK
    /// character or emoji). Such a character is drawn in a box of exactly that many grid
    /// columns, since its glyph often comes from a fallback font whose advance is not the
    /// monospace font's (an emoji measures about 1.7 cells) and would shift the rest of the row.
    pub grid: Option<u8>,
}

impl Run {
    /// How many grid columns the run takes.
    pub fn cells(&self) -> usize {
        self.grid
            .map_or_else(|| self.text.chars().count(), usize::from)
    }
}

/// The emulated terminal.
pub struct Terminal {
    vt: avt::Terminal,
    cols: usize,
    rows: usize,
}

impl std::fmt::Debug for Terminal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Terminal")
            .field("cols", &self.cols)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

/// How an output event relates to the line before it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Redraw {
    /// Ordinary output.
    #[default]
    None,
    /// It re-sends the unfinished line the cursor is on (the recorder's partial flush had no
    /// newline): return to the start of the line first.
    CurrentLine,
    /// It re-sends the line the recorder flushed early with a `\n` appended: go back up to it.
    PreviousLine,
}

impl Redraw {
    /// What to feed the terminal before the event's content.
    pub fn prefix(self) -> &'static str {
        match self {
            Redraw::None => "",
            Redraw::CurrentLine => "\r",
            Redraw::PreviousLine => BACK_TO_PREVIOUS_LINE,
        }
    }
}

/// Whether output `content` re-sends the line the previous output left unfinished.
///
/// True when `content` starts with `ESC[K` and its first line, as plain text, starts with
/// the text of the previous output's last line (the flushed prompt). Requiring the repeated
/// text keeps ordinary `\n` + `ESC[K` output (progress lines clearing a fresh line) as is.
pub fn redraw_of(previous_output: &str, content: &str) -> Redraw {
    let Some(rest) = content.strip_prefix("\x1b[K") else {
        return Redraw::None;
    };
    let (prev, kind) = match previous_output.strip_suffix('\n') {
        Some(prev) => (prev, Redraw::PreviousLine),
        None => (previous_output, Redraw::CurrentLine),
    };
    let prev_line = prev.rsplit(['\n', '\r']).next().unwrap_or(prev);
    let prev_text = strip(prev_line);
    let prev_text = prev_text.trim_end();
    if prev_text.is_empty() {
        return Redraw::None;
    }
    let first_line = rest.split('\n').next().unwrap_or(rest);
    if strip(first_line).starts_with(prev_text) {
        kind
    } else {
        Redraw::None
    }
}

/// Removes escape sequences and control characters from terminal output, keeping text,
/// newlines and tabs. Stateful, so a sequence split across two events is still removed; it
/// reuses the emulator's parser, so it agrees with the screen on what is a sequence.
#[derive(Default)]
pub struct Stripper {
    parser: avt::Parser,
}

impl std::fmt::Debug for Stripper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stripper")
    }
}

impl Stripper {
    /// The plain text of `content`.
    pub fn strip(&mut self, content: &str) -> String {
        let mut out = String::with_capacity(content.len());
        for c in content.chars() {
            match self.parser.feed(c) {
                Some(Function::Print(c)) => out.push(c),
                Some(Function::Lf) => out.push('\n'),
                Some(Function::Cr) => out.push('\r'),
                Some(Function::Ht) => out.push('\t'),
                _ => {}
            }
        }
        out
    }
}

/// The plain text of `content`, escape sequences removed.
pub fn strip(content: &str) -> String {
    Stripper::default().strip(content)
}

impl Terminal {
    /// A blank terminal of `cols` × `rows` (each at least 1).
    pub fn new(cols: usize, rows: usize) -> Self {
        let (cols, rows) = (cols.clamp(1, 1000), rows.clamp(1, 500));
        let vt = avt::Terminal::with_scrollback(cols, rows, Some(SCROLLBACK_LINES))
            .expect("sizes are clamped to at least 1");
        let mut term = Terminal { vt, cols, rows };
        term.vt.feed(NEW_LINE_MODE);
        term
    }

    /// The terminal that `snapshot` describes.
    pub fn restore(snapshot: &Snapshot, cols: usize, rows: usize) -> Self {
        let mut term = Self::new(cols, rows);
        term.vt.feed(snapshot.0.as_str());
        term
    }

    /// Saves the current state.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot(self.vt.dump())
    }

    /// Columns and rows.
    pub fn size(&self) -> (usize, usize) {
        (self.cols, self.rows)
    }

    /// Feeds raw output.
    pub fn feed(&mut self, output: &str) {
        self.vt.feed(output);
    }

    /// Feeds one output event; `redraw` is [`redraw_of`] for it.
    pub fn feed_output(&mut self, content: &str, redraw: Redraw) {
        self.vt.feed(redraw.prefix());
        self.vt.feed(content);
    }

    /// Whether a full-screen program has switched to the alternate screen.
    pub fn is_alternate(&self) -> bool {
        self.vt.active_screen_kind() == ScreenKind::Alternate
    }

    /// The visible rows as text, trailing blanks trimmed.
    pub fn text(&self) -> Vec<String> {
        self.vt
            .screen()
            .visible_lines()
            .map(|line| line.text().trim_end().to_owned())
            .collect()
    }

    /// The visible screen as logical lines: rows joined where the text wrapped onto the next
    /// one, trailing blanks trimmed. Characters are as drawn (charsets translated, a wide
    /// character once).
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let n = self.lines_into(&mut out);
        out.truncate(n);
        out
    }

    /// [`Terminal::lines`] written into `out`, reusing its strings (the search replays a
    /// whole session and reads the screen after every event, so allocations count). Returns
    /// how many lines were written; `out` may hold stale ones after them.
    pub fn lines_into(&self, out: &mut Vec<String>) -> usize {
        let mut n = 0;
        let mut open = false;
        for line in self.vt.screen().visible_lines() {
            if !open {
                if out.len() == n {
                    out.push(String::new());
                }
                out[n].clear();
                open = true;
            }
            out[n].extend(line.chars());
            if !line.is_wrapped() {
                let trimmed = out[n].trim_end().len();
                out[n].truncate(trimmed);
                n += 1;
                open = false;
            }
        }
        if open {
            let trimmed = out[n].trim_end().len();
            out[n].truncate(trimmed);
            n += 1;
        }
        n
    }

    /// The cursor's column and row, if it is shown.
    pub fn cursor(&self) -> Option<(usize, usize)> {
        self.vt.cursor().position()
    }

    /// The visible rows as runs of same-style cells, the cursor cell a run of its own.
    pub fn runs(&self) -> Vec<Vec<Run>> {
        let cursor = self.cursor();
        self.vt
            .screen()
            .visible_lines()
            .enumerate()
            .map(|(row, line)| {
                let cursor_col = cursor.filter(|&(_, r)| r == row).map(|(c, _)| c);
                let mut runs: Vec<Run> = Vec::new();
                let mut last_pen: Option<Pen> = None;
                let mut col = 0;
                let cells = line.cells().iter().filter(|cell| cell.width() > 0);
                for cell in cells {
                    let at_cursor = cursor_col == Some(col);
                    push_cell(&mut runs, &mut last_pen, cell, at_cursor);
                    col += usize::from(cell.width());
                }
                // Trailing default blanks carry nothing; cut them, except up to the cursor.
                while let Some(run) = runs.last_mut() {
                    if run.cursor || !run.style.is_default() {
                        break;
                    }
                    let trimmed = run.text.trim_end_matches(' ').len();
                    if trimmed == 0 {
                        runs.pop();
                    } else {
                        run.text.truncate(trimmed);
                        break;
                    }
                }
                if let Some(cc) = cursor_col.filter(|&c| c >= col) {
                    let len: usize = runs.iter().map(Run::cells).sum();
                    if cc > len {
                        runs.push(Run {
                            text: " ".repeat(cc - len),
                            style: Style::default(),
                            cursor: false,
                            grid: None,
                        });
                    }
                    if cc >= len {
                        runs.push(Run {
                            text: " ".into(),
                            style: Style::default(),
                            cursor: true,
                            grid: None,
                        });
                    }
                }
                runs
            })
            .collect()
    }

    /// The visible screen as markup for a `<pre>`: rows separated by newlines, one `<span>`
    /// per styled run; the cursor cell also carries `sld-term-cursor`, and each non-ASCII
    /// character is a span of its own with `sld-term-w1` or `sld-term-w2`, which the
    /// stylesheet holds to exactly one or two columns.
    pub fn to_html(&self) -> SafeHtml {
        let mut html = SafeHtml::new();
        for (i, row) in self.runs().into_iter().enumerate() {
            if i > 0 {
                html.push_text("\n");
            }
            for run in row {
                let classes = run.style.classes();
                let grid = run
                    .grid
                    .map(|w| if w >= 2 { "sld-term-w2" } else { "sld-term-w1" });
                if classes.is_empty() && !run.cursor && grid.is_none() {
                    html.push_text(&run.text);
                } else {
                    let cursor = run.cursor.then_some("sld-term-cursor");
                    let all = classes.split(' ').chain(cursor).chain(grid);
                    html.open(Tag::Span, all.filter(|c| !c.is_empty()));
                    html.push_text(&run.text);
                    html.close(Tag::Span);
                }
            }
        }
        html
    }
}

fn push_cell(runs: &mut Vec<Run>, last_pen: &mut Option<Pen>, cell: &avt::Cell, cursor: bool) {
    let (ch, pen) = (cell.char(), *cell.pen());
    let ch = if ch.is_control() { ' ' } else { ch };
    // ASCII is drawn by the monospace font at one column each; anything else gets a box.
    let grid = (!ch.is_ascii()).then(|| cell.width().max(1));
    match runs.last_mut() {
        Some(run) if !cursor && grid.is_none() && !run.cursor && *last_pen == Some(pen) => {
            run.text.push(ch)
        }
        _ => {
            runs.push(Run {
                text: ch.to_string(),
                style: style_of(&pen),
                cursor,
                grid,
            });
            *last_pen = Some(pen);
            if cursor || grid.is_some() {
                // The next cell starts a fresh run.
                *last_pen = None;
            }
        }
    }
}

/// The shared style of an avt pen, by way of the SGR parameters that would set it.
pub fn style_of(pen: &Pen) -> Style {
    let mut params: Vec<u16> = vec![0];
    if pen.is_bold() {
        params.push(1);
    }
    if pen.is_faint() {
        params.push(2);
    }
    if pen.is_italic() {
        params.push(3);
    }
    if pen.is_underline() {
        params.push(4);
    }
    if pen.is_blink() {
        params.push(5);
    }
    if pen.is_inverse() {
        params.push(7);
    }
    if pen.is_strikethrough() {
        params.push(9);
    }
    for (base, color) in [(38, pen.foreground()), (48, pen.background())] {
        match color {
            Some(AvtColor::Indexed(n)) => params.extend([base, 5, u16::from(n)]),
            Some(AvtColor::RGB(rgb)) => {
                params.extend([base, 2, rgb.r.into(), rgb.g.into(), rgb.b.into()])
            }
            None => {}
        }
    }
    let mut style = Style::default();
    style.apply_sgr(&params);
    style
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ansi::Color;

    #[test]
    fn stripping_removes_colours_cursor_moves_and_hyperlinks() {
        let text = strip(
            "\x1b[1;31mred\x1b[0m \x1b[2K\x1b[10;5Hx \x1b]8;;https://e.com\x07link\x1b]8;;\x07\n",
        );
        assert_eq!(text, "red x link\n");
    }

    #[test]
    fn a_sequence_split_across_events_is_still_removed() {
        let mut stripper = Stripper::default();
        assert_eq!(stripper.strip("a\x1b[3"), "a");
        assert_eq!(stripper.strip("1mb"), "b");
    }

    #[test]
    fn carriage_return_redraws_the_line() {
        let mut term = Terminal::new(20, 3);
        term.feed("[#   ] 25%\r[##  ] 50%\r[####] 100%\nok");
        assert_eq!(term.text(), ["[####] 100%", "ok", ""]);
    }

    #[test]
    fn erase_in_line_and_display_clear_what_they_should() {
        let mut term = Terminal::new(20, 3);
        term.feed("hello world\r\x1b[6C\x1b[K\nsecond\nthird\x1b[2;1H\x1b[J");
        assert_eq!(term.text(), ["hello", "", ""]);
        term.feed("\x1b[1;3H\x1b[1K");
        assert_eq!(term.text(), ["   lo", "", ""]);
        term.feed("\x1b[2J");
        assert_eq!(term.text(), ["", "", ""]);
    }

    #[test]
    fn backspace_and_cursor_moves_overwrite_in_place() {
        let mut term = Terminal::new(20, 3);
        term.feed("abc\x08\x08X\x1b[2;5Hy\x1b[Az\x1b[10Gq");
        assert_eq!(term.text(), ["aXc  z   q", "    y", ""]);
    }

    #[test]
    fn the_alternate_screen_is_left_with_the_shell_screen_intact() {
        let mut term = Terminal::new(20, 3);
        term.feed("$ top\n");
        term.feed("\x1b[?1049h\x1b[H\x1b[2Jload 0.1\x1b[3;1Hq to quit");
        assert!(term.is_alternate());
        assert_eq!(term.text(), ["load 0.1", "", "q to quit"]);
        term.feed("\x1b[?1049l$ ");
        assert!(!term.is_alternate());
        assert_eq!(term.text(), ["$ top", "$", ""]);
    }

    #[test]
    fn output_scrolls_when_it_reaches_the_last_row() {
        let mut term = Terminal::new(10, 2);
        term.feed("one\ntwo\nthree\n");
        assert_eq!(term.text(), ["three", ""]);
    }

    #[test]
    fn long_lines_wrap_at_the_last_column() {
        let mut term = Terminal::new(5, 3);
        term.feed("abcdefg");
        assert_eq!(term.text(), ["abcde", "fg", ""]);
    }

    #[test]
    fn true_and_256_colours_map_to_palette_classes() {
        let mut term = Terminal::new(20, 1);
        term.feed("\x1b[38;5;208ma\x1b[48;2;255;0;0mb\x1b[0;7mc");
        let runs = &term.runs()[0];
        assert_eq!(runs[0].style.fg, Color::Indexed(208));
        assert_eq!(runs[1].style.bg, Color::Indexed(196));
        assert!(runs[2].style.inverse);
    }

    #[test]
    fn wide_and_non_ascii_characters_are_held_to_the_grid() {
        let mut term = Terminal::new(20, 2);
        term.feed("漢🙂┌x\n\x1b[31m字\x1b[0mab");
        let runs = term.runs();
        let grids: Vec<(&str, Option<u8>)> =
            runs[0].iter().map(|r| (r.text.as_str(), r.grid)).collect();
        assert_eq!(
            grids,
            [
                ("漢", Some(2)),
                ("🙂", Some(2)),
                ("┌", Some(1)),
                ("x", None)
            ]
        );
        assert_eq!(runs[0].iter().map(Run::cells).sum::<usize>(), 6);
        let html = term.to_html().into_string();
        assert!(html.starts_with(
            r#"<span class="sld-term-w2">漢</span><span class="sld-term-w2">🙂</span><span class="sld-term-w1">┌</span>x"#
        ));
        assert!(html.contains(r#"<span class="sld-fg-1 sld-term-w2">字</span>ab"#));
        // The cursor after a wide character sits in the column avt says, not one to the left.
        assert_eq!(term.cursor(), Some((4, 1)));
        assert!(html.ends_with(r#"ab<span class="sld-term-cursor"> </span>"#));
    }

    #[test]
    fn hostile_output_stays_inert_text() {
        let mut term = Terminal::new(80, 4);
        term.feed("<script>alert(1)</script><img src=x onerror=alert(1)>\n");
        term.feed("\x1b]8;;javascript:alert(1)\x07click\x1b]8;;\x07 \x1b[31;");
        term.feed(&"9".repeat(100_000));
        term.feed("m\x1b]0;");
        term.feed(&"x".repeat(100_000));
        let html = term.to_html().into_string();
        assert!(html
            .contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!html.contains("<script") && !html.contains("<a ") && !html.contains("<img"));
        assert!(!html.contains("javascript:"));
        assert!(term.text()[1].starts_with("click"));
    }

    #[test]
    fn a_redraw_needs_the_flushed_prompt_repeated() {
        assert_eq!(redraw_of("$ ", "\x1b[K$ ls\n"), Redraw::CurrentLine);
        assert_eq!(redraw_of("$ \n", "\x1b[K$ ls\n"), Redraw::PreviousLine);
        assert_eq!(
            redraw_of("Downloading 10%\n", "\x1b[KDownloading 20%\n"),
            Redraw::None
        );
        assert_eq!(redraw_of("\n", "\x1b[Kx"), Redraw::None);
    }

    #[test]
    fn a_prompt_sent_again_on_the_same_line_shows_once() {
        let mut term = Terminal::new(40, 3);
        let prompt = "\x1b[1m$\x1b[0m ";
        let echo = "\x1b[K\x1b[1m$\x1b[0m htop\n";
        term.feed_output(prompt, Redraw::None);
        term.feed_output(echo, redraw_of(prompt, echo));
        assert_eq!(term.text(), ["$ htop", "", ""]);
    }
}
