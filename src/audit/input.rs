//! What was typed: the input stream split into text, keys and terminal reports, and a model
//! of the shell's line editor that turns keys into the command lines that ran.
//!
//! An audit log's `input` events hold every byte the pty received, and the user's terminal
//! writes there too: it answers queries (cursor position `ESC[r;cR`, device attributes
//! `ESC[?…c`, colours `ESC]11;rgb:…BEL`), reports the mouse (`ESC[M` + 3 bytes,
//! `ESC[<b;x;yM`, `ESC[b;x;yM`), focus (`ESC[I`, `ESC[O`) and brackets pastes
//! (`ESC[200~` … `ESC[201~`). Those bytes are nobody's keystrokes, so they must never reach a
//! command line. The shapes are xterm's ("XTerm Control Sequences", ctlseqs: "Mouse
//! Tracking", "Device Status Report", "Operating System Commands", "Bracketed Paste Mode").
//!
//! [`Tokenizer`] keeps its state from one event to the next, so a report cut in two by the
//! recorder is still recognised. [`LineEditor`] models readline's defaults (emacs mode):
//! insertion at the cursor, Backspace, Delete, Ctrl-A/E/B/F, Ctrl-U/K/W, arrow keys, Ctrl-C
//! cancelling the line, Enter submitting it. What the shell supplied and the log cannot show
//! (a line recalled from history, a Tab completion) is flagged on the command rather than
//! guessed.
//!
//! This module knows nothing of timelines: it is fed strings and returns tokens and lines.

/// A terminal report: bytes the terminal sent on its own, not keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Report {
    /// A mouse report: X10 (`ESC[M` + 3 bytes), SGR (`ESC[<b;x;yM` or `m`), urxvt
    /// (`ESC[b;x;yM`) or highlight tracking (`ESC[t`, `ESC[T`).
    Mouse,
    /// A cursor position report, `ESC[row;colR` (also `ESC[?row;colR`).
    CursorPosition,
    /// A primary, secondary or tertiary device attributes reply (`ESC[?…c`, `ESC[>…c`,
    /// `ESC[=…c`, `ESC P!|…ESC\`).
    DeviceAttributes,
    /// Another status reply: `ESC[…n`, a mode report `ESC[?…$y`, window reports `ESC[…t`,
    /// keyboard protocol flags `ESC[?…u`.
    Status,
    /// An operating system command reply (`ESC]…BEL` or `ESC]…ESC\`): colours, titles,
    /// clipboard.
    Osc,
    /// A device control string reply (`ESC P…ESC\`): DECRQSS, XTGETTCAP, and the like.
    Dcs,
    /// Focus in (`ESC[I`) or out (`ESC[O`).
    Focus,
    /// The start of a bracketed paste, `ESC[200~`.
    PasteStart,
    /// The end of a bracketed paste, `ESC[201~`.
    PasteEnd,
}

/// A key that edits the line rather than inserting text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// Return, line feed or keypad Enter: submits the line.
    Enter,
    /// Backspace (DEL or Ctrl-H): deletes the character before the cursor.
    Backspace,
    /// Delete (`ESC[3~`): deletes the character under the cursor.
    Delete,
    /// Ctrl-D: deletes under the cursor, or ends the shell on an empty line.
    CtrlD,
    /// Left arrow or Ctrl-B.
    Left,
    /// Right arrow or Ctrl-F.
    Right,
    /// Ctrl-Left or Alt-B: one word back.
    WordLeft,
    /// Ctrl-Right or Alt-F: one word forward.
    WordRight,
    /// Home or Ctrl-A.
    Home,
    /// End or Ctrl-E.
    End,
    /// Up arrow, Ctrl-P, Page Up, Ctrl-R and the like: the shell puts in a line from its
    /// history, which the log does not show.
    History,
    /// Down arrow or Ctrl-N.
    HistoryNext,
    /// Tab: the shell completes the word, which the log does not show either.
    Tab,
    /// Ctrl-U: deletes from the start of the line to the cursor.
    KillToStart,
    /// Ctrl-K: deletes from the cursor to the end of the line.
    KillToEnd,
    /// Ctrl-W: deletes the whitespace-separated word before the cursor.
    KillWord,
    /// Alt-Backspace: deletes the alphanumeric word before the cursor.
    KillWordAlnum,
    /// Ctrl-C: abandons the line.
    Interrupt,
    /// Any other key or control character (function keys, Escape, Ctrl-L, …): no text.
    Other,
}

/// One unit of the input stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    /// A printable character, typed or pasted.
    Text(char),
    /// An editing key.
    Key(Key),
    /// A terminal report, to be left out of what was typed.
    Report(Report),
}

/// Where the tokenizer is inside an escape sequence.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum State {
    #[default]
    Ground,
    /// After ESC.
    Escape,
    /// After `ESC O` (SS3): one more character names the key.
    Ss3,
    /// Inside `ESC [`, with the parameter and intermediate bytes so far.
    Csi(String),
    /// After `ESC[M`: this many raw bytes of an X10 mouse report remain.
    RawMouse(u8),
    /// Inside an OSC (`ESC ]`), DCS (`ESC P`) or other string; `escape` when the last
    /// character was ESC (the first half of the `ESC \` terminator). `held` keeps the
    /// string's first characters in case it turns out to be typed text (see `step`).
    String {
        kind: Report,
        escape: bool,
        held: String,
    },
}

/// The longest string held back in case an OSC or DCS opener was typed by hand.
const MAX_HELD: usize = 256;

/// The longest parameter string kept for a CSI sequence; longer ones are still consumed.
const MAX_CSI_PARAMS: usize = 64;

/// Splits input into [`Token`]s; keeps its state between calls.
#[derive(Clone, Debug, Default)]
pub struct Tokenizer {
    state: State,
    /// Inside `ESC[200~` … `ESC[201~`: every character is text, line ends included.
    pasting: bool,
}

impl Tokenizer {
    /// Whether a bracketed paste is open.
    pub fn pasting(&self) -> bool {
        self.pasting
    }

    /// The tokens of `input`, continuing any sequence left open by the previous call.
    pub fn feed(&mut self, input: &str) -> Vec<Token> {
        let mut out = Vec::new();
        for c in input.chars() {
            self.step(c, &mut out);
        }
        out
    }

    fn step(&mut self, c: char, out: &mut Vec<Token>) {
        match std::mem::take(&mut self.state) {
            State::Ground => self.ground(c, out),
            State::Escape => self.escape(c, out),
            State::Ss3 => out.push(ss3(c)),
            State::Csi(mut params) => match c {
                // Parameter and intermediate bytes.
                '\u{20}'..='\u{3f}' => {
                    if params.len() < MAX_CSI_PARAMS {
                        params.push(c);
                    }
                    self.state = State::Csi(params);
                }
                '\u{40}'..='\u{7e}' => {
                    if c == 'M' && params.is_empty() {
                        self.state = State::RawMouse(3);
                    } else if c == 't' && params.is_empty() {
                        // Highlight tracking, `ESC[t` + 2 bytes (xterm's X10 variant).
                        self.state = State::RawMouse(2);
                    } else if c == 'T' && params.is_empty() {
                        self.state = State::RawMouse(6);
                    } else {
                        out.push(self.csi(&params, c));
                    }
                }
                // ESC cancels the sequence and starts another; CAN and SUB cancel it.
                '\u{1b}' => {
                    out.push(Token::Key(Key::Other));
                    self.state = State::Escape;
                }
                '\u{18}' | '\u{1a}' => out.push(Token::Key(Key::Other)),
                // Any other byte is not part of a sequence: the sequence was a key we
                // cannot name (Alt-[), and this character counts on its own.
                _ => {
                    out.push(Token::Key(Key::Other));
                    self.ground(c, out);
                }
            },
            State::RawMouse(left) => {
                if left > 1 {
                    self.state = State::RawMouse(left - 1);
                } else {
                    out.push(Token::Report(Report::Mouse));
                }
            }
            State::String {
                kind,
                escape,
                mut held,
            } => match c {
                '\u{7}' | '\u{9c}' => out.push(Token::Report(kind)),
                '\\' if escape => out.push(Token::Report(kind)),
                '\u{1b}' => {
                    self.state = State::String {
                        kind,
                        escape: true,
                        held,
                    }
                }
                // A new sequence after a lone ESC: the string ended there (xterm ends an
                // OSC on any ESC); what follows is read afresh.
                _ if escape => {
                    out.push(Token::Report(kind));
                    self.escape(c, out);
                }
                // CAN and SUB abort the string.
                '\u{18}' | '\u{1a}' => out.push(Token::Report(kind)),
                // No reply holds a line end: this "string" was Alt-] or Alt-P typed by
                // hand, and what followed it was typed too. Give it back as keys.
                '\r' | '\n' if held.len() < MAX_HELD => {
                    out.push(Token::Key(Key::Other));
                    for h in held.chars() {
                        self.step(h, out);
                    }
                    self.step(c, out);
                }
                _ => {
                    if held.len() < MAX_HELD {
                        held.push(c);
                    }
                    self.state = State::String {
                        kind,
                        escape: false,
                        held,
                    }
                }
            },
        }
    }

    fn ground(&mut self, c: char, out: &mut Vec<Token>) {
        match c {
            '\u{1b}' => self.state = State::Escape,
            // 8-bit forms of CSI, OSC, DCS, SOS, PM and APC.
            '\u{9b}' => self.state = State::Csi(String::new()),
            '\u{9d}' => self.state = string_state(Report::Osc),
            '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => self.state = string_state(Report::Dcs),
            // Inside a paste, line ends and tabs are pasted text (readline inserts them).
            '\r' | '\n' | '\t' if self.pasting => out.push(Token::Text(c)),
            c if self.pasting && !c.is_control() => out.push(Token::Text(c)),
            _ if self.pasting => {}
            '\r' | '\n' => out.push(Token::Key(Key::Enter)),
            '\u{7f}' | '\u{8}' => out.push(Token::Key(Key::Backspace)),
            '\u{1}' => out.push(Token::Key(Key::Home)),
            '\u{2}' => out.push(Token::Key(Key::Left)),
            '\u{3}' => out.push(Token::Key(Key::Interrupt)),
            '\u{4}' => out.push(Token::Key(Key::CtrlD)),
            '\u{5}' => out.push(Token::Key(Key::End)),
            '\u{6}' => out.push(Token::Key(Key::Right)),
            '\t' => out.push(Token::Key(Key::Tab)),
            '\u{b}' => out.push(Token::Key(Key::KillToEnd)),
            '\u{e}' => out.push(Token::Key(Key::HistoryNext)),
            // Ctrl-P (previous), Ctrl-R and Ctrl-S (history searches).
            '\u{10}' | '\u{12}' | '\u{13}' => out.push(Token::Key(Key::History)),
            '\u{15}' => out.push(Token::Key(Key::KillToStart)),
            '\u{17}' => out.push(Token::Key(Key::KillWord)),
            c if c.is_control() => out.push(Token::Key(Key::Other)),
            c => out.push(Token::Text(c)),
        }
    }

    fn escape(&mut self, c: char, out: &mut Vec<Token>) {
        let string = string_state;
        match c {
            '[' => self.state = State::Csi(String::new()),
            'O' => self.state = State::Ss3,
            ']' => self.state = string(Report::Osc),
            // DCS; SOS, PM and APC have the same shape and no key sends them.
            'P' => self.state = string(Report::Dcs),
            'X' | '^' | '_' => self.state = string(Report::Dcs),
            '\u{1b}' => {
                out.push(Token::Key(Key::Other));
                self.state = State::Escape;
            }
            // Alt- combinations readline binds by default.
            'b' | 'B' => out.push(Token::Key(Key::WordLeft)),
            'f' | 'F' => out.push(Token::Key(Key::WordRight)),
            '\u{7f}' | '\u{8}' => out.push(Token::Key(Key::KillWordAlnum)),
            // Alt-Enter and the rest: keys that insert nothing we can know.
            _ => out.push(Token::Key(Key::Other)),
        }
    }

    /// The token of a complete CSI sequence with parameter bytes `params` and final byte `f`.
    fn csi(&mut self, params: &str, f: char) -> Token {
        // Byte tests rather than str patterns: each pattern type is more code in the bundle.
        let bytes = params.as_bytes();
        let private = bytes.first().is_some_and(|b| b"?>=<".contains(b));
        let report = |r| Token::Report(r);
        match f {
            'M' | 'm' if bytes.first() == Some(&b'<') => report(Report::Mouse),
            // urxvt's `ESC[b;x;yM`: three numbers (a key never has three).
            'M' if bytes.iter().filter(|&&b| b == b';').count() == 2 => report(Report::Mouse),
            'R' => report(Report::CursorPosition),
            'c' if private || params.is_empty() => report(Report::DeviceAttributes),
            'n' | 't' => report(Report::Status),
            'y' if bytes.contains(&b'$') => report(Report::Status),
            'u' if private => report(Report::Status),
            'I' | 'O' if params.is_empty() => report(Report::Focus),
            '~' => match params {
                "200" => {
                    self.pasting = true;
                    report(Report::PasteStart)
                }
                "201" => {
                    self.pasting = false;
                    report(Report::PasteEnd)
                }
                "1" | "7" => Token::Key(Key::Home),
                "4" | "8" => Token::Key(Key::End),
                "3" => Token::Key(Key::Delete),
                "5" => Token::Key(Key::History),
                "6" => Token::Key(Key::HistoryNext),
                _ => Token::Key(Key::Other),
            },
            _ if private => Token::Key(Key::Other),
            'A' => Token::Key(Key::History),
            'B' => Token::Key(Key::HistoryNext),
            // `ESC[1;5C` is Ctrl-Right (modifier 5 = Ctrl, 3 = Alt).
            'C' if has_word_modifier(params) => Token::Key(Key::WordRight),
            'D' if has_word_modifier(params) => Token::Key(Key::WordLeft),
            'C' => Token::Key(Key::Right),
            'D' => Token::Key(Key::Left),
            'H' => Token::Key(Key::Home),
            'F' => Token::Key(Key::End),
            _ => Token::Key(Key::Other),
        }
    }
}

/// The state at the start of an OSC or DCS string of `kind`.
fn string_state(kind: Report) -> State {
    State::String {
        kind,
        escape: false,
        held: String::new(),
    }
}

/// Whether a cursor key's parameters (`1;5`) carry Ctrl or Alt.
fn has_word_modifier(params: &str) -> bool {
    params.ends_with(";3") || params.ends_with(";5")
}

/// The key of `ESC O c` (application cursor and keypad modes).
fn ss3(c: char) -> Token {
    match c {
        'A' => Token::Key(Key::History),
        'B' => Token::Key(Key::HistoryNext),
        'C' => Token::Key(Key::Right),
        'D' => Token::Key(Key::Left),
        'H' => Token::Key(Key::Home),
        'F' => Token::Key(Key::End),
        'M' => Token::Key(Key::Enter),
        // The application keypad's characters: `* + , - . /`, digits and `=`.
        'j'..='y' => Token::Text(b"*+,-./0123456789"[(c as u8 - b'j') as usize] as char),
        'X' => Token::Text('='),
        _ => Token::Key(Key::Other),
    }
}

/// A line as the shell received it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    /// The characters the log shows were typed or pasted, in their final order.
    pub text: String,
    /// Whether the shell put in text the log cannot show: a history recall (arrow keys,
    /// Ctrl-R) or a Tab completion. `text` is then only what was typed around it.
    pub incomplete: bool,
}

/// What one token did to the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Nothing, or an edit of the line in progress.
    None,
    /// Enter was pressed on this line.
    Submitted(Line),
}

/// The longest line kept; keys past it are still counted as editing.
const MAX_LINE: usize = 4096;

/// A model of readline's line editing (emacs mode, its defaults).
#[derive(Clone, Debug, Default)]
pub struct LineEditor {
    chars: Vec<char>,
    cursor: usize,
    incomplete: bool,
    /// Whether anything was typed since the last submit or cancel (even if since erased).
    touched: bool,
}

impl LineEditor {
    /// Whether a line is being edited (a key was typed since the last Enter or Ctrl-C).
    pub fn is_active(&self) -> bool {
        self.touched
    }

    /// The line being edited, as it stands.
    pub fn line(&self) -> Line {
        Line {
            text: self.chars.iter().collect(),
            incomplete: self.incomplete,
        }
    }

    /// Forgets the line (e.g. when a full-screen program takes the terminal).
    pub fn clear(&mut self) {
        *self = LineEditor::default();
    }

    /// Applies one token. Reports are ignored: they never edit the line.
    pub fn apply(&mut self, token: Token) -> Edit {
        let key = match token {
            Token::Report(_) => return Edit::None,
            Token::Text(c) => {
                self.touched = true;
                if self.chars.len() < MAX_LINE {
                    self.chars.insert(self.cursor, c);
                    self.cursor += 1;
                }
                return Edit::None;
            }
            Token::Key(key) => key,
        };
        if key == Key::Enter {
            let line = self.line();
            self.clear();
            return Edit::Submitted(line);
        }
        self.touched = true;
        let (chars, cursor) = (&mut self.chars, &mut self.cursor);
        match key {
            Key::Enter => {}
            Key::Backspace => {
                if *cursor > 0 {
                    *cursor -= 1;
                    chars.remove(*cursor);
                }
            }
            Key::Delete | Key::CtrlD => {
                if *cursor < chars.len() {
                    chars.remove(*cursor);
                }
            }
            Key::Left => *cursor = cursor.saturating_sub(1),
            Key::Right => *cursor = (*cursor + 1).min(chars.len()),
            Key::Home => *cursor = 0,
            Key::End => *cursor = chars.len(),
            Key::WordLeft => *cursor = word_start(chars, *cursor, is_word),
            Key::WordRight => {
                let mut i = *cursor;
                while i < chars.len() && !is_word(chars[i]) {
                    i += 1;
                }
                while i < chars.len() && is_word(chars[i]) {
                    i += 1;
                }
                *cursor = i;
            }
            Key::KillToStart => {
                chars.drain(..*cursor);
                *cursor = 0;
            }
            Key::KillToEnd => chars.truncate(*cursor),
            Key::KillWord | Key::KillWordAlnum => {
                let start = if key == Key::KillWord {
                    word_start(chars, *cursor, |c| !c.is_whitespace())
                } else {
                    word_start(chars, *cursor, is_word)
                };
                chars.drain(start..*cursor);
                *cursor = start;
            }
            Key::History | Key::HistoryNext => {
                // The recalled line replaces the buffer; we cannot know it.
                chars.clear();
                *cursor = 0;
                self.incomplete = true;
            }
            Key::Tab => self.incomplete = true,
            Key::Interrupt => self.clear(),
            Key::Other => {}
        }
        Edit::None
    }
}

/// Whether readline's word moves count `c` as part of a word: ASCII letters and digits, and
/// any non-ASCII character. (`char::is_alphanumeric` would also be exact for non-ASCII
/// punctuation, but brings Unicode's letter and digit tables, about 2 KB gzipped, into the
/// bundle for a difference no audit will see.)
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || !c.is_ascii()
}

/// Where the word before `cursor` starts: skip what is not a word character, then the word.
fn word_start(chars: &[char], cursor: usize, in_word: fn(char) -> bool) -> usize {
    let mut i = cursor;
    while i > 0 && !in_word(chars[i - 1]) {
        i -= 1;
    }
    while i > 0 && in_word(chars[i - 1]) {
        i -= 1;
    }
    i
}

/// How a key or character is shown in the player's "Last typed" strip.
/// Appended to `out`; a report adds nothing.
pub fn push_key_label(out: &mut String, token: Token) {
    let label = match token {
        Token::Report(_) => return,
        Token::Text('\n' | '\r') => "⏎",
        Token::Text('\t') => "⇥",
        Token::Text(c) => {
            out.push(c);
            return;
        }
        Token::Key(key) => match key {
            Key::Enter => "⏎",
            Key::Backspace => "⌫",
            Key::Delete => "⌦",
            Key::CtrlD => "^D",
            Key::Left => "←",
            Key::Right => "→",
            Key::WordLeft => "^←",
            Key::WordRight => "^→",
            Key::Home => "⇱",
            Key::End => "⇲",
            Key::History => "↑",
            Key::HistoryNext => "↓",
            Key::Tab => "⇥",
            Key::KillToStart => "^U",
            Key::KillToEnd => "^K",
            Key::KillWord => "^W",
            Key::KillWordAlnum => "M-⌫",
            Key::Interrupt => "^C",
            Key::Other => "·",
        },
    };
    out.push_str(label);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `events` through a tokenizer and an editor; returns the submitted lines and the
    /// line left unsubmitted.
    fn lines(events: &[&str]) -> (Vec<Line>, Line) {
        let mut tokenizer = Tokenizer::default();
        let mut editor = LineEditor::default();
        let mut out = Vec::new();
        for event in events {
            for token in tokenizer.feed(event) {
                if let Edit::Submitted(line) = editor.apply(token) {
                    out.push(line);
                }
            }
        }
        (out, editor.line())
    }

    fn texts(events: &[&str]) -> Vec<String> {
        lines(events).0.into_iter().map(|l| l.text).collect()
    }

    /// Every kind of terminal report, as xterm-compatible terminals send them.
    const REPORTS: &[(&str, &str, Report)] = &[
        ("X10 mouse press", "\x1b[M #!", Report::Mouse),
        (
            "X10 mouse with high coordinates",
            "\x1b[M`\u{ff}\u{ff}",
            Report::Mouse,
        ),
        ("SGR mouse press", "\x1b[<0;12;5M", Report::Mouse),
        ("SGR mouse release", "\x1b[<0;12;5m", Report::Mouse),
        ("SGR mouse wheel", "\x1b[<64;80;24M", Report::Mouse),
        ("urxvt mouse", "\x1b[32;12;5M", Report::Mouse),
        ("highlight tracking", "\x1b[t!!", Report::Mouse),
        (
            "cursor position report",
            "\x1b[24;80R",
            Report::CursorPosition,
        ),
        (
            "DEC cursor position report",
            "\x1b[?24;80;1R",
            Report::CursorPosition,
        ),
        (
            "primary device attributes",
            "\x1b[?62;22;52c",
            Report::DeviceAttributes,
        ),
        (
            "secondary device attributes",
            "\x1b[>41;390;0c",
            Report::DeviceAttributes,
        ),
        (
            "tertiary device attributes",
            "\x1bP!|7E565445\x1b\\",
            Report::Dcs,
        ),
        ("device status ok", "\x1b[0n", Report::Status),
        ("mode report", "\x1b[?2004;1$y", Report::Status),
        ("window size report", "\x1b[8;24;80t", Report::Status),
        ("keyboard protocol flags", "\x1b[?1u", Report::Status),
        (
            "OSC colour reply ended by BEL",
            "\x1b]11;rgb:1010/1515/2121\x07",
            Report::Osc,
        ),
        (
            "OSC colour reply ended by ST",
            "\x1b]10;rgb:d7d7/dcdc/e5e5\x1b\\",
            Report::Osc,
        ),
        (
            "OSC clipboard reply",
            "\x1b]52;c;aGVsbG8gd29ybGQ=\x07",
            Report::Osc,
        ),
        ("8-bit OSC reply", "\u{9d}11;rgb:0/0/0\u{9c}", Report::Osc),
        ("DECRQSS reply", "\x1bP1$r0;1m\x1b\\", Report::Dcs),
        (
            "XTGETTCAP reply",
            "\x1bP1+r544e=787465726d\x1b\\",
            Report::Dcs,
        ),
        ("focus in", "\x1b[I", Report::Focus),
        ("focus out", "\x1b[O", Report::Focus),
        (
            "8-bit CSI cursor report",
            "\u{9b}5;1R",
            Report::CursorPosition,
        ),
    ];

    #[test]
    fn each_kind_of_terminal_report_is_recognised_and_never_typed() {
        for (name, report, kind) in REPORTS {
            let tokens = Tokenizer::default().feed(report);
            assert_eq!(tokens, [Token::Report(*kind)], "{name}");
            // Around typed keys, whole or cut at every byte across two events.
            let chars: Vec<char> = report.chars().collect();
            for cut in 0..=chars.len() {
                let (a, b): (String, String) =
                    (chars[..cut].iter().collect(), chars[cut..].iter().collect());
                let events = ["l", a.as_str(), b.as_str(), "s\r"];
                assert_eq!(texts(&events), ["ls"], "{name} cut at {cut}");
                let events = [a.as_str(), b.as_str(), "ls\r"];
                let (submitted, _) = lines(&events);
                assert_eq!(submitted.len(), 1, "{name} cut at {cut}");
                assert_eq!(submitted[0].text, "ls", "{name} cut at {cut}");
                assert!(!submitted[0].incomplete, "{name} cut at {cut}");
            }
        }
    }

    #[test]
    fn the_field_report_of_an_x10_click_before_ls_gives_ls() {
        assert_eq!(texts(&["\x1b[M #!", "ls\r"]), ["ls"]);
    }

    #[test]
    fn pasted_text_is_typed_but_its_brackets_are_not() {
        let tokens = Tokenizer::default().feed("\x1b[200~echo hi\x1b[201~");
        assert_eq!(tokens.first(), Some(&Token::Report(Report::PasteStart)));
        assert_eq!(tokens.last(), Some(&Token::Report(Report::PasteEnd)));
        assert_eq!(texts(&["\x1b[200~echo hi\x1b[201~", "\r"]), ["echo hi"]);
        // A line end inside the paste is part of the pasted text, not Enter.
        assert_eq!(texts(&["\x1b[200~a\nb\x1b[2", "01~\r"]), ["a\nb"]);
    }

    #[test]
    fn line_editing_keys_leave_what_ran() {
        let cases: &[(&[&str], &str)] = &[
            (&["lsx\x7f\r"], "ls"),
            (&["lsx\x08\r"], "ls"),
            (&["rm -rf /\x15ls\r"], "ls"),
            (&["git push --force\x17\x17status\r"], "git status"),
            (&["echo b\x1b[Da\r"], "echo ab"),
            (&["cho\x01e\x05 x\r"], "echo x"),
            (&["ls x\x1bOD-la \r"], "ls -la x"),
            (&["abc\x1b[H\x1b[3~\x1b[F!\r"], "bc!"),
            (&["echo one two\x1b[1;5D\x0b\r"], "echo one "),
            (&["echo foo-bar\x1b\x7f\r"], "echo foo-"),
            (&["echo", "\x1b[D\x1b[D\x1b[C", "\x1b[C!\r"], "echo!"),
        ];
        for (events, expected) in cases {
            assert_eq!(texts(events), [*expected], "{events:?}");
        }
    }

    #[test]
    fn ctrl_c_abandons_the_line() {
        assert_eq!(texts(&["rm -rf /\x03", "ls\r"]), ["ls"]);
    }

    #[test]
    fn history_and_completion_are_flagged_not_guessed() {
        let (submitted, _) = lines(&["\x1b[A\r"]);
        assert_eq!(
            submitted,
            [Line {
                text: String::new(),
                incomplete: true
            }]
        );
        let (submitted, _) = lines(&["cat READ\t\r"]);
        assert_eq!(submitted[0].text, "cat READ");
        assert!(submitted[0].incomplete);
    }

    #[test]
    fn text_left_without_enter_is_not_submitted() {
        let (submitted, pending) = lines(&["ls\r", "rm -rf"]);
        assert_eq!(submitted.len(), 1);
        assert_eq!(pending.text, "rm -rf");
    }

    #[test]
    fn an_alt_bracket_typed_by_hand_does_not_swallow_the_line() {
        // `ESC [` followed by a control character: the sequence was a key, Enter still counts.
        assert_eq!(texts(&["ls\x1b[\r"]), ["ls"]);
        // An OSC opener is ended by the next sequence's ESC.
        assert_eq!(texts(&["\x1b]", "\x1b[I", "pwd\r"]), ["pwd"]);
        // Alt-] then a command: no reply holds a line end, so the keys come back.
        assert_eq!(texts(&["\x1b]", "ls\r"]), ["ls"]);
    }

    #[test]
    fn keypad_keys_in_application_mode_type_their_characters() {
        assert_eq!(texts(&["echo \x1bOq\x1bOk\x1bOq\x1bOM"]), ["echo 1+1"]);
    }

    #[test]
    fn reports_are_not_shown_as_typed_keys() {
        let mut labels = String::new();
        for token in Tokenizer::default().feed("\x1b[M #!l\x1b[24;80Rs\x1b[D\r") {
            push_key_label(&mut labels, token);
        }
        assert_eq!(labels, "ls←⏎");
    }
}
