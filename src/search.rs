//! The search matcher shared by the log viewer and the audit player: plain text or regular
//! expression, with or without case, optionally inverted (keep what does not match).
//!
//! Every pattern a user types, or a link carries, runs on `regex-lite`, a linear-time engine
//! (a Pike VM and a bounded backtracker: `O(pattern × text)`, whatever the pattern). The
//! browser's `RegExp` backtracks: `(a+)+$` on 41 `a` and a `b` froze the tab for good, and
//! the pattern rides in shareable links. The wasm build and `cargo test` run the same engine.
//!
//! Measured in the shipped bundle (`cargo xtask size`, gzipped wasm + JS + CSS) against the
//! browser's `RegExp` (333,142 B): `regex-lite` adds 21.1 KB (354,214 B), with the search in
//! slices and [`fold`].
//! `regex` adds 283.7 KB whatever features this crate asks for: `leptos_config` already
//! depends on it with its default features (all of Unicode, the lazy DFA, literal
//! optimisations), Cargo unifies them, and a pattern engine linked in at all brings them.
//! The field-fault fixes share a 30 KB allowance, so `regex-lite` it is.
//!
//! `regex-lite` folds ASCII case only, so case-insensitive searches with letters outside
//! ASCII (`Échec`, `ÉTÉ`, `Łódź`, `ΑΘΗΝΑ`, `МОСКВА`) run on folded text instead: the text and
//! the query (for a pattern, its non-ASCII characters, which are always literals) go through
//! [`fold`], a lower-case mapping of the alphabets with case pairs of equal UTF-8 length, so
//! match offsets need no mapping back. ASCII letters in a pattern are folded by the engine,
//! which keeps `\D`, `\W`, `\S` and `\B` meaning what they say.
//!
//! Costs are bounded for hostile input: the query is at most [`MAX_QUERY_BYTES`], the
//! compiled pattern at most [`MAX_COMPILED_BYTES`] (so `a{1000}{1000}` is refused rather
//! than built), and highlighting looks for at most [`MAX_RANGES_PER_LINE`] matches in the
//! first [`HIGHLIGHT_WINDOW_BYTES`] of a line, scanning at most [`HIGHLIGHT_SCAN_BYTES`]:
//! finding every match is `O(pattern × text²)` in the worst case (`.*[^A-Z]|[A-Z]` on
//! `AAAA…` scans to the end for each one-letter match); finding whether one exists is not.

use std::cell::RefCell;
use std::ops::Range;

use log_core::text::Horspool;

/// What the user typed and toggled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchSpec {
    /// The text or pattern; empty means no search.
    pub query: String,
    /// Whether `query` is a regular expression (`regex-lite` syntax, close to JavaScript's
    /// for what people type into a search box).
    pub regex: bool,
    /// Whether case matters.
    pub case_sensitive: bool,
    /// Whether to keep the texts that do NOT match.
    pub invert: bool,
}

/// Why a query cannot run; shown inline beside the search box.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    /// The pattern does not parse; the engine's explanation.
    #[error("invalid regular expression: {0}")]
    Invalid(String),
    /// The query is longer than [`MAX_QUERY_BYTES`].
    #[error("the search is too long: {0} bytes, at most {MAX_QUERY_BYTES}")]
    TooLong(usize),
    /// The compiled pattern would exceed [`MAX_COMPILED_BYTES`] (counted repetitions such as
    /// `a{1000}{1000}` multiply).
    #[error("the regular expression is too big to run: use smaller repetition counts")]
    TooBig,
}

/// The longest query accepted, in bytes of UTF-8: as long as a field filter.
pub const MAX_QUERY_BYTES: usize = log_core::filter::MAX_FILTER_BYTES;

// The limits of patterns, the same for searches and field filters (`path~…`).
pub use log_core::filter::{MAX_COMPILED_BYTES, MAX_NESTING};

/// Most highlighted ranges per line: a pattern like `.` on a 1 MB line must not build
/// a million marks.
pub const MAX_RANGES_PER_LINE: usize = 500;

/// How much of a long text a regular expression highlights, in bytes from its start: more
/// than the log viewer renders of a line (10,000 bytes), and a bound on the quadratic cost of
/// finding every match. Whether a text matches at all is always decided on the whole text.
pub const HIGHLIGHT_WINDOW_BYTES: usize = 16 * 1024;

/// The most text that highlighting one line may make a pattern scan, in bytes: every
/// search for the next match is counted as running to the end of the window.
pub const HIGHLIGHT_SCAN_BYTES: usize = 256 * 1024;

/// A compiled search.
#[derive(Clone, Debug)]
pub struct Matcher {
    kind: Kind,
    invert: bool,
    /// For a pattern: a literal every match contains ([`required_literal`]), [`fold`]ed
    /// when the search ignores case. Lines without it are passed over without running the
    /// engine, whose automaton has no literal optimisations of its own (10 µs a line on a
    /// million router lines in the browser, against a fraction of that for the substring
    /// search).
    required: Option<Literal>,
    /// Whether every match starts with [`Matcher::required`]: the engine then starts at
    /// the literal's first occurrence rather than at the start of the text (the part
    /// before it is most of a router line, and the engine takes about 0.1 µs a byte).
    starts_with_required: bool,
}

/// A literal to look for, with or without case, in the fastest way that stays linear.
#[derive(Clone, Debug)]
struct Literal {
    /// The literal, [`fold`]ed when `no_case`.
    text: String,
    /// Whether the text it is looked for in must be [`fold`]ed first.
    no_case: bool,
    /// For an ASCII literal of at most [`Horspool::MAX_LEN`] bytes: Horspool's search, which
    /// finds or rules out a literal of ten bytes about ten bytes at a time and ignores ASCII
    /// case without folding a copy of the text first.
    skip: Option<Horspool>,
}

impl Literal {
    /// `text` to look for, ignoring case when `no_case` ([`fold`]ed then).
    fn of(text: &str, no_case: bool) -> Literal {
        let text: String = if no_case {
            text.chars().map(fold).collect()
        } else {
            text.to_owned()
        };
        Literal {
            skip: Horspool::new(&text, no_case),
            text,
            no_case,
        }
    }

    /// Where the literal first occurs in `hay` (ignoring case when `no_case`: [`fold`]ed,
    /// which for an ASCII literal is ASCII case, as no other letter folds into ASCII).
    fn find_in(&self, hay: &str) -> Option<usize> {
        match &self.skip {
            Some(h) => h.find(hay.as_bytes()),
            None if self.no_case => with_folded(hay, |f| f.find(self.text.as_str())),
            None => hay.find(self.text.as_str()),
        }
    }
}

#[derive(Clone, Debug)]
enum Kind {
    Everything,
    /// The query as a literal, [`fold`]ed when ignoring case (then searched in the folded
    /// text, same byte offsets): Horspool's search for a short ASCII one, else std's two-way
    /// search, linear either way.
    Literal(Literal),
    /// A pattern run on the text as it is (ASCII case folded by the engine when asked).
    Regex(regex_lite::Regex),
    /// A case-insensitive pattern with non-ASCII letters, [`fold`]ed, run on the folded
    /// text (same byte offsets).
    FoldedRegex(regex_lite::Regex),
}

impl Matcher {
    /// Compiles `spec`. A pattern that does not parse, a query over [`MAX_QUERY_BYTES`] and a
    /// pattern that would compile to more than [`MAX_COMPILED_BYTES`] are errors to show
    /// inline; compiling never takes longer than the query's length allows.
    pub fn new(spec: &SearchSpec) -> Result<Matcher, SearchError> {
        let query = spec.query.as_str();
        if query.len() > MAX_QUERY_BYTES {
            return Err(SearchError::TooLong(query.len()));
        }
        let fold_pattern = !spec.case_sensitive && !query.is_ascii();
        let kind = if query.is_empty() {
            Kind::Everything
        } else if spec.regex {
            // Check the pattern as typed first, so errors name what the user wrote.
            let re = compile(query, !spec.case_sensitive)?;
            if fold_pattern {
                // The folded pattern can fail where the original did not (a range whose
                // ends swap order); it then runs as typed, folding ASCII only.
                compile(&fold_non_ascii(query), true).map_or(Kind::Regex(re), Kind::FoldedRegex)
            } else {
                Kind::Regex(re)
            }
        } else {
            Kind::Literal(Literal::of(query, !spec.case_sensitive))
        };
        let (required, starts_with_required) =
            match spec.regex.then(|| required_literal_where(query)).flatten() {
                Some((lit, at_start)) => (Some(Literal::of(&lit, !spec.case_sensitive)), at_start),
                None => (None, false),
            };
        Ok(Matcher {
            kind,
            invert: spec.invert && !query.is_empty(),
            required,
            starts_with_required,
        })
    }

    /// A matcher that keeps every text.
    pub fn everything() -> Matcher {
        Matcher {
            kind: Kind::Everything,
            invert: false,
            required: None,
            starts_with_required: false,
        }
    }

    /// True when this matcher keeps every text (no search).
    pub fn is_everything(&self) -> bool {
        matches!(self.kind, Kind::Everything)
    }

    /// Whether a text is kept (inversion applied). Linear in the length of `text`.
    pub fn keeps(&self, text: &str) -> bool {
        let mut from = 0;
        if let Some(lit) = &self.required {
            match lit.find_in(text) {
                None => return self.invert,
                // Same offsets in the folded text.
                Some(at) if self.starts_with_required => from = at,
                Some(_) => {}
            }
        }
        let found = match &self.kind {
            Kind::Everything => return true,
            Kind::Literal(lit) => lit.find_in(text).is_some(),
            // Look-arounds still see the text before `from`.
            Kind::Regex(re) => re.is_match_at(text, from),
            Kind::FoldedRegex(re) => with_folded(text, |folded| re.is_match_at(folded, from)),
        };
        found != self.invert
    }

    /// The byte ranges of `text` to highlight, in order, on char boundaries; at most
    /// [`MAX_RANGES_PER_LINE`], and for patterns only within the first
    /// [`HIGHLIGHT_WINDOW_BYTES`]. None for inverted searches, whose kept texts by
    /// definition do not contain the match, and none for empty matches.
    pub fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        if self.invert {
            return Vec::new();
        }
        match &self.kind {
            Kind::Everything => Vec::new(),
            Kind::Literal(lit) if lit.no_case => {
                with_folded(text, |folded| literal_ranges(folded, &lit.text))
            }
            Kind::Literal(lit) => literal_ranges(text, &lit.text),
            Kind::Regex(re) => regex_ranges(re, window(text)),
            Kind::FoldedRegex(re) => with_folded(window(text), |folded| regex_ranges(re, folded)),
        }
    }
}

/// A literal that every match of `pattern` contains, of at least two bytes, when one is
/// plain to see: the longest run of literal characters outside groups and classes, in a
/// pattern without alternation or flags. A character followed by `?`, `*` or `{` may be
/// absent, so it ends the run without joining it. `None` whenever in doubt: the prefilter
/// must never drop a line the pattern would match.
pub fn required_literal(pattern: &str) -> Option<String> {
    required_literal_where(pattern).map(|(lit, _)| lit)
}

/// [`required_literal`], and whether the pattern starts with it: then every match starts
/// where the literal does, and the engine can start at its first occurrence.
fn required_literal_where(pattern: &str) -> Option<(String, bool)> {
    if pattern.contains('|') || pattern.contains("(?") {
        return None;
    }
    let mut best = (String::new(), false);
    let mut run = (String::new(), false);
    let mut depth = 0usize;
    let mut first = true;
    let mut chars = pattern.chars().peekable();
    let end_run = |run: &mut (String, bool), best: &mut (String, bool)| {
        if run.0.len() > best.0.len() {
            *best = run.clone();
        }
        run.0.clear();
    };
    while let Some(c) = chars.next() {
        // Whether nothing of the pattern comes before `c`.
        let at_start = std::mem::replace(&mut first, false);
        let literal = match c {
            '\\' => match chars.next() {
                // An escaped punctuation character is itself; `\d`, `\w`, `\n`… are classes
                // or controls.
                Some(e) if e.is_ascii_punctuation() => Some(e),
                _ => None,
            },
            '[' => {
                // Skip the class, honouring escapes and a leading `]`.
                let mut first = true;
                while let Some(k) = chars.next() {
                    match k {
                        '\\' => {
                            chars.next();
                        }
                        ']' if !first => break,
                        _ => {}
                    }
                    first = k == '^' && first;
                }
                None
            }
            '(' => {
                depth += 1;
                None
            }
            ')' => {
                depth = depth.saturating_sub(1);
                None
            }
            '{' => {
                // A repetition count, not text.
                for k in chars.by_ref() {
                    if k == '}' {
                        break;
                    }
                }
                None
            }
            '.' | '^' | '$' | '*' | '+' | '?' | '}' => None,
            c => Some(c),
        };
        if literal.is_some() && depth == 0 && run.0.is_empty() {
            run.1 = at_start;
        }
        match literal {
            Some(l) if depth == 0 => match chars.peek() {
                Some('?' | '*' | '{') => end_run(&mut run, &mut best),
                Some('+') => {
                    run.0.push(l);
                    end_run(&mut run, &mut best);
                }
                _ => run.0.push(l),
            },
            _ => end_run(&mut run, &mut best),
        }
    }
    end_run(&mut run, &mut best);
    (best.0.len() >= 2).then_some(best)
}

/// Compiles `pattern` with this module's limits, folding ASCII case when `ignore_case`.
fn compile(pattern: &str, ignore_case: bool) -> Result<regex_lite::Regex, SearchError> {
    regex_lite::RegexBuilder::new(pattern)
        .case_insensitive(ignore_case)
        .size_limit(MAX_COMPILED_BYTES)
        .nest_limit(MAX_NESTING)
        .build()
        .map_err(|e| {
            let message = e.to_string();
            // `regex-lite` errors carry only a message; this is its size-limit one.
            if message.contains("size limit") {
                SearchError::TooBig
            } else {
                SearchError::Invalid(message)
            }
        })
}

/// `pattern` with its non-ASCII characters [`fold`]ed. They can only be literals (in or out
/// of a class): every piece of syntax is ASCII, and ASCII letters are left to the engine.
fn fold_non_ascii(pattern: &str) -> String {
    pattern
        .chars()
        .map(|c| if c.is_ascii() { c } else { fold(c) })
        .collect()
}

/// The lower case of `c` for the letters of Latin-1, Latin Extended-A, the Pinyin and
/// other regular pairs of Latin Extended-B, Latin Extended Additional (Vietnamese),
/// Greek, Cyrillic and Armenian; any other character as it is.
///
/// Why not std's `to_lowercase`: it added 8.8 KB gzipped to the bundle (measured, with the
/// offset mapping that letters whose lower case changes length, `İ` or `ẞ`, need). In every
/// pair mapped here both cases have the same UTF-8 length, so a folded text keeps the byte
/// offsets of the original and its matches need no mapping back. A test checks every
/// mapping against std's.
pub fn fold(c: char) -> char {
    let u = c as u32;
    let even = u & 1 == 0;
    let lower = match u {
        0x41..=0x5A => u + 0x20,
        0xC0..=0xDE if u != 0xD7 => u + 0x20,
        0x100..=0x12F | 0x132..=0x137 | 0x14A..=0x177 if even => u + 1,
        0x139..=0x148 | 0x179..=0x17E if !even => u + 1,
        0x178 => 0xFF,
        0x1CD..=0x1DC if !even => u + 1,
        0x1DE..=0x1EF | 0x1F8..=0x21F | 0x222..=0x233 | 0x246..=0x24F if even => u + 1,
        0x386 => 0x3AC,
        0x388..=0x38A => u + 37,
        0x38C => 0x3CC,
        0x38E | 0x38F => u + 63,
        0x391..=0x3AB if u != 0x3A2 => u + 0x20,
        0x3D8..=0x3EF if even => u + 1,
        0x400..=0x40F => u + 0x50,
        0x410..=0x42F => u + 0x20,
        0x460..=0x481 | 0x48A..=0x4BF | 0x4D0..=0x52F if even => u + 1,
        0x4C0 => 0x4CF,
        0x4C1..=0x4CE if !even => u + 1,
        0x531..=0x556 => u + 0x30,
        0x1E00..=0x1E95 | 0x1EA0..=0x1EFF if even => u + 1,
        _ => u,
    };
    char::from_u32(lower).unwrap_or(c)
}

/// The start of `text` that patterns highlight in, cut on a char boundary.
fn window(text: &str) -> &str {
    if text.len() <= HIGHLIGHT_WINDOW_BYTES {
        return text;
    }
    let mut end = HIGHLIGHT_WINDOW_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn literal_ranges(text: &str, needle: &str) -> Vec<Range<usize>> {
    text.match_indices(needle)
        .take(MAX_RANGES_PER_LINE)
        .map(|(i, m)| i..i + m.len())
        .collect()
}

/// The matches of `re` in `text`, without empty ones, within [`HIGHLIGHT_SCAN_BYTES`].
///
/// Each search may scan to the end of `text` before it answers, so each is charged the
/// length from where it starts to the end; the searches stop when the next one could exceed
/// the budget. Ordinary patterns on ordinary lines never come near it.
fn regex_ranges(re: &regex_lite::Regex, text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut budget = HIGHLIGHT_SCAN_BYTES;
    let mut at = 0;
    while out.len() < MAX_RANGES_PER_LINE && at <= text.len() {
        let Some(rest) = budget.checked_sub(text.len() - at) else {
            break;
        };
        budget = rest;
        let Some(m) = re.find_at(text, at) else {
            break;
        };
        if m.is_empty() {
            // Step over the character after an empty match, or the search would find it
            // again forever.
            let Some(c) = text[m.end()..].chars().next() else {
                break;
            };
            at = m.end() + c.len_utf8();
        } else {
            out.push(m.range());
            at = m.end();
        }
    }
    out
}

thread_local! {
    /// A reused buffer for the folded text, so a search allocates nothing per line.
    static FOLDED: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Calls `f` with `text` [`fold`]ed: same length, same char boundaries.
fn with_folded<T>(text: &str, f: impl FnOnce(&str) -> T) -> T {
    FOLDED.with(|buffer| {
        let mut folded = buffer.borrow_mut();
        folded.clear();
        if text.is_ascii() {
            folded.push_str(text);
            folded.make_ascii_lowercase();
        } else {
            folded.extend(text.chars().map(fold));
        }
        debug_assert_eq!(folded.len(), text.len());
        let out = f(&folded);
        // Do not keep a megabyte line's worth of memory for the next, short ones.
        if folded.capacity() > 64 * 1024 {
            *folded = String::new();
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_pattern_names_the_literal_every_match_contains_only_when_it_is_certain() {
        let lit = |p: &str| required_literal(p);
        assert_eq!(lit("status=5\\d\\d").as_deref(), Some("status=5"));
        assert_eq!(
            lit("^GET /api/v1/users/\\d+$").as_deref(),
            Some("GET /api/v1/users/")
        );
        assert_eq!(lit("colou?r").as_deref(), Some("colo"));
        assert_eq!(lit("ab+c").as_deref(), Some("ab"));
        assert_eq!(lit("x(abc)yz").as_deref(), Some("yz"));
        assert_eq!(lit("[abc]def\\.rb").as_deref(), Some("def.rb"));
        assert_eq!(lit("a{2}bc"), Some("bc".to_owned()));
        assert_eq!(lit("error|warn"), None);
        assert_eq!(lit("(?i)error"), None);
        assert_eq!(lit("\\d+"), None);
        assert_eq!(lit("a.b"), None);
        assert_eq!(lit("(.*a){20}"), None);
        let at = |p: &str| required_literal_where(p).map(|(_, start)| start);
        assert_eq!(at("status=5\\d\\d"), Some(true));
        assert_eq!(at("\\.rb"), Some(true));
        assert_eq!(at("ab+c"), Some(true));
        assert_eq!(at("a?bcd"), Some(false));
        assert_eq!(at("^abc"), Some(false));
        assert_eq!(at("\\bab"), Some(false));
        assert_eq!(at("x(abc)yz"), Some(false));
        assert_eq!(at("[abc]def"), Some(false));
    }

    proptest! {
        #[test]
        fn the_prefilter_never_drops_a_line_the_pattern_keeps(
            pattern in "[a-c.?*+()\\[\\]{}0-9\\\\]{1,8}",
            text in "[a-c0-9 ]{0,24}",
        ) {
            for case_sensitive in [false, true] {
                let spec = SearchSpec { query: pattern.clone(), regex: true, case_sensitive, invert: false };
                if let Ok(m) = Matcher::new(&spec) {
                    let re = compile(&pattern, !case_sensitive).expect("compiled above");
                    prop_assert_eq!(m.keeps(&text), re.is_match(&text), "{:?} on {:?}", pattern, text);
                }
            }
        }
    }
    use std::time::{Duration, Instant};

    fn spec(query: &str) -> SearchSpec {
        SearchSpec {
            query: query.into(),
            ..SearchSpec::default()
        }
    }

    fn regex(query: &str) -> Result<Matcher, SearchError> {
        Matcher::new(&SearchSpec {
            regex: true,
            ..spec(query)
        })
    }

    #[test]
    fn plain_search_ignores_case_by_default_and_finds_every_occurrence() {
        let m = Matcher::new(&spec("err")).expect("valid");
        assert!(m.keeps("An ERROR occurred"));
        assert_eq!(m.ranges("err Err ERR"), vec![0..3, 4..7, 8..11]);
        assert!(!m.keeps("all good"));
    }

    #[test]
    fn case_sensitive_search_respects_case() {
        let m = Matcher::new(&SearchSpec {
            case_sensitive: true,
            ..spec("Err")
        })
        .expect("valid");
        assert!(!m.keeps("error"));
        assert_eq!(m.ranges("Err err Err"), vec![0..3, 8..11]);
    }

    #[test]
    fn regex_search_matches_patterns_and_case_folds() {
        let m = regex(r"status=5\d\d").expect("valid");
        assert!(m.keeps("method=GET STATUS=503"));
        assert_eq!(m.ranges("status=500 status=200"), vec![0..10]);
    }

    #[test]
    fn an_invalid_regex_is_an_error_not_a_panic() {
        for bad in ["(", "a)(?i:(b", "[z-a]"] {
            assert!(matches!(regex(bad), Err(SearchError::Invalid(_))), "{bad}");
        }
    }

    #[test]
    fn invert_keeps_the_lines_without_a_match_and_highlights_nothing() {
        let m = Matcher::new(&SearchSpec {
            invert: true,
            ..spec("ping")
        })
        .expect("valid");
        assert!(m.keeps("GET /"));
        assert!(!m.keeps("GET /ping"));
        assert!(m.ranges("GET /").is_empty());
    }

    #[test]
    fn an_empty_query_keeps_everything_even_inverted() {
        let m = Matcher::new(&SearchSpec {
            invert: true,
            ..spec("")
        })
        .expect("valid");
        assert!(m.is_everything());
        assert!(m.keeps("anything"));
    }

    #[test]
    fn accented_letters_ignore_case_in_plain_text_and_are_highlighted_whole() {
        let m = Matcher::new(&spec("ÉTÉ")).expect("valid");
        assert!(m.keeps("un été chaud"));
        assert_eq!(m.ranges("un été, UN ÉTÉ"), vec![3..8, 13..18]);
        let m = Matcher::new(&spec("Échec (PAIEMENT)")).expect("valid");
        assert!(m.keeps("ÉCHEC (paiement) #1"));
        assert!(m.keeps("échec (paiement) #1"));
        assert!(!m.keeps("echec paiement"));
        let m = Matcher::new(&SearchSpec {
            case_sensitive: true,
            ..spec("Échec")
        })
        .expect("valid");
        assert!(!m.keeps("ÉCHEC"));
    }

    #[test]
    fn folding_agrees_with_std_lower_case_and_covers_its_alphabets() {
        for c in (0..0x2000u32).filter_map(char::from_u32) {
            let std: Vec<char> = c.to_lowercase().collect();
            let same_length_pair = std.len() == 1 && std[0].len_utf8() == c.len_utf8();
            if fold(c) != c {
                assert!(
                    same_length_pair && fold(c) == std[0],
                    "{c:?} folds to {:?}",
                    fold(c)
                );
            }
            let covered = matches!(c as u32, 0x41..=0x5A | 0xC0..=0x17F | 0x386..=0x3AB | 0x400..=0x556 | 0x1E00..=0x1EFF);
            if covered && same_length_pair {
                assert_eq!(fold(c), std[0], "{c:?}");
            }
        }
    }

    #[test]
    fn letters_of_other_alphabets_ignore_case_too() {
        for (query, text) in [
            ("Łódź", "ŁÓDŹ"),
            ("ΑΘΗΝΑ", "αθηνα"),
            ("МОСКВА", "москва"),
            ("Ελλάδα", "ΕΛΛΆΔΑ"),
            ("việt nam", "VIỆT NAM"),
            ("ČEŠTINA", "čeština"),
        ] {
            let m = Matcher::new(&spec(query)).expect("valid");
            assert!(m.keeps(text), "{query} in {text}");
            assert_eq!(m.ranges(text), vec![0..text.len()], "{query} in {text}");
            assert!(
                regex(query).expect("valid").keeps(text),
                "{query} as a pattern"
            );
        }
    }

    #[test]
    fn accented_letters_ignore_case_in_patterns_too() {
        let m = regex(r"échec \(\w+\) #\d+").expect("valid");
        assert!(m.keeps("ÉCHEC (PAIEMENT) #12"));
        assert_eq!(m.ranges("x ÉCHEC (p) #1"), vec![2..15]);
        // Classes of non-ASCII letters fold as well.
        assert!(regex("[À-Ö]t[À-Ö]").expect("valid").keeps("été"));
        // Case-sensitive patterns keep case.
        let m = Matcher::new(&SearchSpec {
            case_sensitive: true,
            ..spec("échec")
        });
        assert!(!m.expect("valid").keeps("ÉCHEC"));
    }

    #[test]
    fn letters_whose_lower_case_changes_length_stay_as_they_are_and_offsets_stay_right() {
        // `İ` (2 bytes) lower-cases to `i̇` (3 bytes): it is not folded.
        let m = Matcher::new(&spec("ß")).expect("valid");
        let text = "İİ straße";
        let r = m.ranges(text);
        assert_eq!(
            r.iter().map(|r| &text[r.clone()]).collect::<Vec<_>>(),
            ["ß"]
        );
        let m = regex("ä+").expect("valid");
        let text = "İ ÄäÄ";
        let r = m.ranges(text);
        assert_eq!(
            r.iter().map(|r| &text[r.clone()]).collect::<Vec<_>>(),
            ["ÄäÄ"]
        );
    }

    #[test]
    fn empty_regex_matches_do_not_flood_the_highlights() {
        let m = regex("x*").expect("valid");
        assert_eq!(m.ranges("abxxc"), vec![2..4]);
        let m = regex(".").expect("valid");
        assert_eq!(m.ranges(&"a".repeat(400)).len(), 400);
        assert_eq!(m.ranges(&"a".repeat(10_000)).len(), 26);
        let m = regex("a|").expect("valid");
        assert_eq!(m.ranges("bab"), vec![1..2]);
    }

    #[test]
    fn a_query_over_the_length_limit_is_refused_with_its_length() {
        let long = "a".repeat(MAX_QUERY_BYTES + 1);
        assert_eq!(
            Matcher::new(&spec(&long)).unwrap_err(),
            SearchError::TooLong(MAX_QUERY_BYTES + 1)
        );
        assert!(Matcher::new(&spec(&long[1..])).is_ok());
    }

    #[test]
    fn counted_repetitions_that_would_blow_up_memory_are_refused() {
        for big in [
            "a{1000}{1000}",
            "(a{100}){100}{100}",
            "[a-z]{1000}{50}",
            r"\w{500}{500}",
        ] {
            let start = Instant::now();
            assert_eq!(regex(big).unwrap_err(), SearchError::TooBig, "{big}");
            assert!(
                start.elapsed() < Duration::from_millis(500),
                "{big} took {:?}",
                start.elapsed()
            );
        }
        let deep = format!("{}a{}", "(".repeat(500), ")".repeat(500));
        assert!(regex(&deep).is_err());
    }

    /// Each of these backtracks exponentially (or to a high power) in the browser's
    /// `RegExp` on the text beside it; a linear engine answers at once.
    const CATASTROPHIC: &[&str] = &[
        "(a+)+$",
        "(a|a)*b",
        "(a*)*b",
        "(a|aa)+$",
        "(.*a){20}",
        "((a+)+)+c",
        "(a+)*(b+)*c",
        "^(\\w+\\s?)*$",
        "(x+x+)+y",
    ];

    #[test]
    fn catastrophic_patterns_answer_at_once_and_correctly() {
        let evil = format!("{}b", "a".repeat(41));
        let start = Instant::now();
        let m = regex("(a+)+$").expect("valid");
        assert!(!m.keeps(&evil));
        assert!(m.keeps(&"a".repeat(41)));
        for pattern in CATASTROPHIC {
            let m = regex(pattern).expect("valid");
            for text in [
                evil.clone(),
                format!("{}!", "a".repeat(2000)),
                format!("{}!", "x".repeat(2000)),
                format!("{} !", "word ".repeat(400)),
            ] {
                m.keeps(&text);
                m.ranges(&text);
            }
        }
        assert!(!regex("(a|a)*b").expect("valid").keeps(&"a".repeat(41)));
        assert!(regex("(a*)*b").expect("valid").keeps(&evil));
        assert!(!regex("(.*a){20}").expect("valid").keeps(&"a".repeat(19)));
        assert!(regex("(.*a){20}").expect("valid").keeps(&"ba".repeat(20)));
        // Every pattern on every text (the engine is optimised in tests, see Cargo.toml).
        let spent = start.elapsed();
        assert!(spent < Duration::from_secs(1), "took {spent:?}");
    }

    #[test]
    fn highlighting_every_match_of_a_quadratic_pattern_stays_bounded() {
        // Each search for `.*[^A-Z]|[A-Z]` scans to the end of `AAAA…` before answering
        // with one letter; the highlight window bounds the total.
        let m = regex(".*[^A-Z]|[A-Z]").expect("valid");
        let text = "A".repeat(1 << 20);
        let start = Instant::now();
        assert!(m.keeps(&text));
        let r = m.ranges(&text);
        assert_eq!(r.len(), HIGHLIGHT_SCAN_BYTES / HIGHLIGHT_WINDOW_BYTES);
        assert_eq!(r[0], 0..1);
        let spent = start.elapsed();
        assert!(spent < Duration::from_secs(1), "took {spent:?}");
        // Ordinary lines get every highlight.
        let m = regex(r"\d+").expect("valid");
        let line = "id=1 ".repeat(200);
        assert_eq!(m.ranges(&line).len(), 200);
    }

    #[test]
    fn plain_search_is_linear_in_the_text_for_repetitive_needles() {
        // A naive search compares the needle at every position: 1 MB × 1,000 bytes.
        let text = "a".repeat(1 << 20);
        let needle = format!("{}b", "a".repeat(MAX_QUERY_BYTES - 1));
        let start = Instant::now();
        for case_sensitive in [false, true] {
            let m = Matcher::new(&SearchSpec {
                case_sensitive,
                ..spec(&needle)
            })
            .expect("valid");
            assert!(!m.keeps(&text));
            assert!(m.ranges(&text).is_empty());
        }
        let spent = start.elapsed();
        assert!(spent < Duration::from_secs(3), "took {spent:?}");
    }

    proptest! {
        #[test]
        fn highlighted_ranges_are_char_boundaries_and_contain_the_needle(
            hay in "[a-cA-Cé ]{0,40}", needle in "[a-cA-C]{1,3}",
        ) {
            let m = Matcher::new(&spec(&needle)).expect("valid");
            for r in m.ranges(&hay) {
                prop_assert!(hay.is_char_boundary(r.start) && hay.is_char_boundary(r.end));
                prop_assert!(hay[r].eq_ignore_ascii_case(&needle));
            }
            prop_assert_eq!(m.keeps(&hay), hay.to_ascii_lowercase().contains(&needle.to_ascii_lowercase()));
        }

        #[test]
        fn folded_ranges_cover_whole_characters_that_match_ignoring_case(
            hay in "[aeéÉıİßẞΣσςДдŁł ]{0,30}", needle in "[eéÉİßσΣдДŁ]{1,2}", regex: bool,
        ) {
            let m = Matcher::new(&SearchSpec { regex, ..spec(&needle) }).expect("valid");
            let folded = |s: &str| s.chars().map(fold).collect::<String>();
            for r in m.ranges(&hay) {
                prop_assert!(hay.is_char_boundary(r.start) && hay.is_char_boundary(r.end));
                prop_assert_eq!(folded(&hay[r]), folded(&needle));
            }
            prop_assert_eq!(m.keeps(&hay), folded(&hay).contains(&folded(&needle)));
        }

        #[test]
        fn a_literal_typed_as_a_pattern_finds_what_the_plain_search_finds(
            hay in "[a-cA-C. ]{0,30}", needle in "[a-cA-C]{1,3}", case_sensitive: bool,
        ) {
            let plain = Matcher::new(&SearchSpec { case_sensitive, ..spec(&needle) }).expect("valid");
            let re = Matcher::new(&SearchSpec { case_sensitive, regex: true, ..spec(&needle) }).expect("valid");
            prop_assert_eq!(plain.keeps(&hay), re.keeps(&hay));
            prop_assert_eq!(plain.ranges(&hay), re.ranges(&hay));
        }
    }
}
