//! In-browser search over the buffered lines: plain text or regular expression, with or
//! without case, optionally inverted (show the lines that do not match).
//!
//! Plain searches (the common case) run in Rust without allocation per line. Regular
//! expressions run on the browser's own `RegExp` in the wasm build: `regex-lite` measured
//! +20.7 KB gzipped on the bundle (`regex` about 270 KB), the browser's engine costs
//! nothing but a boundary crossing per line. Native builds use `regex-lite`, whose syntax
//! agrees with JavaScript's for the patterns people type into a log search, so this
//! module's logic is tested with `cargo test`; the e2e suite covers the browser engine.

use std::ops::Range;

/// What the user typed and toggled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchSpec {
    /// The text or pattern; empty means no search.
    pub query: String,
    /// Whether `query` is a regular expression.
    pub regex: bool,
    /// Whether case matters.
    pub case_sensitive: bool,
    /// Whether to keep the lines that do NOT match.
    pub invert: bool,
}

/// An invalid regular expression, with the parser's explanation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid regular expression: {0}")]
pub struct SearchError(pub String);

/// Most highlighted ranges per line: a pattern like `.` on a 1 MB line must not build
/// a million marks.
pub const MAX_RANGES_PER_LINE: usize = 500;

/// A compiled search.
#[derive(Clone, Debug)]
pub struct Matcher {
    kind: Kind,
    invert: bool,
}

#[derive(Clone, Debug)]
enum Kind {
    Everything,
    Plain(String),
    /// An ASCII needle, lower-cased, compared ignoring ASCII case: no allocation per line.
    AsciiNoCase(Vec<u8>),
    /// A non-ASCII needle, lower-cased; `regex-lite` folds ASCII case only. The wasm build
    /// asks the browser's `RegExp` (flag `i`) instead: Rust's `to_lowercase` would put
    /// core's Unicode lower-case table (about 11 KB) into the bundle.
    #[cfg(not(target_arch = "wasm32"))]
    UnicodeNoCase(String),
    Regex(engine::Regex),
}

impl Matcher {
    /// Compiles `spec`; an invalid regular expression is an error to show inline.
    pub fn new(spec: &SearchSpec) -> Result<Matcher, SearchError> {
        let kind = if spec.query.is_empty() {
            Kind::Everything
        } else if spec.regex {
            Kind::Regex(engine::Regex::new(&spec.query, !spec.case_sensitive).map_err(SearchError)?)
        } else if spec.case_sensitive {
            Kind::Plain(spec.query.clone())
        } else if spec.query.is_ascii() {
            Kind::AsciiNoCase(spec.query.to_ascii_lowercase().into_bytes())
        } else {
            unicode_no_case(&spec.query)
        };
        Ok(Matcher {
            kind,
            invert: spec.invert && !spec.query.is_empty(),
        })
    }

    /// A matcher that keeps every line.
    pub fn everything() -> Matcher {
        Matcher {
            kind: Kind::Everything,
            invert: false,
        }
    }

    /// True when this matcher keeps every line (no search).
    pub fn is_everything(&self) -> bool {
        matches!(self.kind, Kind::Everything)
    }

    /// True for a regular expression, which [`Matcher::keeps_all`] runs in one batch.
    pub fn is_regex(&self) -> bool {
        matches!(self.kind, Kind::Regex(_))
    }

    /// Whether a line with this text is kept (inversion applied).
    pub fn keeps(&self, text: &str) -> bool {
        let found = match &self.kind {
            Kind::Everything => return true,
            Kind::Plain(needle) => text.contains(needle.as_str()),
            Kind::AsciiNoCase(needle) => find_ascii_no_case(text.as_bytes(), needle, 0).is_some(),
            #[cfg(not(target_arch = "wasm32"))]
            Kind::UnicodeNoCase(needle) => text.to_lowercase().contains(needle.as_str()),
            Kind::Regex(re) => re.is_match(text),
        };
        found != self.invert
    }

    /// [`Matcher::keeps`] for many texts at once. Regular expressions in the browser run
    /// over the whole batch in one call instead of crossing into JavaScript per line.
    pub fn keeps_all(&self, texts: &[&str]) -> Vec<bool> {
        match &self.kind {
            Kind::Regex(re) => re
                .is_match_all(texts)
                .into_iter()
                .map(|found| found != self.invert)
                .collect(),
            _ => texts.iter().map(|t| self.keeps(t)).collect(),
        }
    }

    /// The byte ranges of `text` to highlight; none for inverted searches, whose kept
    /// lines by definition do not contain the match.
    pub fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        if self.invert {
            return Vec::new();
        }
        let mut out = Vec::new();
        match &self.kind {
            Kind::Everything => {}
            Kind::Plain(needle) => {
                out.extend(
                    text.match_indices(needle.as_str())
                        .take(MAX_RANGES_PER_LINE)
                        .map(|(i, m)| i..i + m.len()),
                );
            }
            Kind::AsciiNoCase(needle) => {
                let mut from = 0;
                while let Some(i) = find_ascii_no_case(text.as_bytes(), needle, from) {
                    out.push(i..i + needle.len());
                    from = i + needle.len();
                    if out.len() == MAX_RANGES_PER_LINE {
                        break;
                    }
                }
            }
            #[cfg(not(target_arch = "wasm32"))]
            Kind::UnicodeNoCase(needle) => {
                let lower = text.to_lowercase();
                // Offsets in the lower-cased text are only valid when lower-casing kept
                // every byte length; otherwise the line is kept but not highlighted.
                if lower.len() == text.len() {
                    out.extend(
                        lower
                            .match_indices(needle.as_str())
                            .take(MAX_RANGES_PER_LINE)
                            .map(|(i, m)| i..i + m.len())
                            .filter(|r| {
                                text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
                            }),
                    );
                }
            }
            Kind::Regex(re) => re.ranges(text, MAX_RANGES_PER_LINE, &mut out),
        }
        out
    }
}

/// A case-insensitive search for a needle with non-ASCII letters.
#[cfg(not(target_arch = "wasm32"))]
fn unicode_no_case(query: &str) -> Kind {
    Kind::UnicodeNoCase(query.to_lowercase())
}

/// A case-insensitive search for a needle with non-ASCII letters: the needle as a literal
/// pattern for the browser's `RegExp`, which folds Unicode case.
#[cfg(target_arch = "wasm32")]
fn unicode_no_case(query: &str) -> Kind {
    match engine::Regex::new(&escape_for_js(query), true) {
        Ok(re) => Kind::Regex(re),
        // A literal is always a valid pattern; were it ever refused, the search still runs,
        // only with case.
        Err(_) => Kind::Plain(query.to_owned()),
    }
}

/// `text` as a JavaScript regular expression that matches it literally. With the `u` flag
/// only syntax characters may be escaped, so nothing else is.
#[cfg(any(target_arch = "wasm32", test))]
fn escape_for_js(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if "^$\\.*+?()[]{}|/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(not(target_arch = "wasm32"))]
mod engine {
    use std::ops::Range;

    /// `regex-lite`, for native builds and tests.
    #[derive(Clone, Debug)]
    pub struct Regex(regex_lite::Regex);

    impl Regex {
        pub fn new(pattern: &str, ignore_case: bool) -> Result<Regex, String> {
            // Validate the pattern on its own first, so `a)(?i:(b` cannot sneak past the
            // group added below.
            regex_lite::Regex::new(pattern).map_err(|e| e.to_string())?;
            let pattern = if ignore_case {
                format!("(?i:{pattern})")
            } else {
                pattern.to_owned()
            };
            regex_lite::Regex::new(&pattern)
                .map(Regex)
                .map_err(|e| e.to_string())
        }

        pub fn is_match(&self, text: &str) -> bool {
            self.0.is_match(text)
        }

        pub fn is_match_all(&self, texts: &[&str]) -> Vec<bool> {
            texts.iter().map(|t| self.0.is_match(t)).collect()
        }

        pub fn ranges(&self, text: &str, max: usize, out: &mut Vec<Range<usize>>) {
            out.extend(
                self.0
                    .find_iter(text)
                    .filter(|m| !m.is_empty())
                    .take(max)
                    .map(|m| m.range()),
            );
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod engine {
    use std::ops::Range;

    use wasm_bindgen::{JsCast, JsValue};

    /// The browser's `RegExp`: one for testing lines, a global one for finding ranges.
    #[derive(Clone, Debug)]
    pub struct Regex {
        test: js_sys::RegExp,
        global: js_sys::RegExp,
    }

    fn construct(pattern: &str, flags: &str) -> Result<js_sys::RegExp, String> {
        let ctor: js_sys::Function = js_sys::Reflect::get(&js_sys::global(), &"RegExp".into())
            .map_err(|_| "RegExp is unavailable".to_owned())?
            .unchecked_into();
        let args = js_sys::Array::of2(&JsValue::from_str(pattern), &JsValue::from_str(flags));
        // `new RegExp` throws on a bad pattern; Reflect.construct turns that into an Err.
        js_sys::Reflect::construct(&ctor, &args)
            .map(JsCast::unchecked_into)
            .map_err(|e| {
                e.dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
                    .unwrap_or_else(|| "invalid pattern".to_owned())
            })
    }

    impl Regex {
        pub fn new(pattern: &str, ignore_case: bool) -> Result<Regex, String> {
            let flags = if ignore_case { "iu" } else { "u" };
            Ok(Regex {
                test: construct(pattern, flags)?,
                global: construct(pattern, &format!("g{flags}"))?,
            })
        }

        pub fn is_match(&self, text: &str) -> bool {
            self.test.test(text)
        }

        /// Joins the texts with line breaks, passes them to JavaScript once, and lets
        /// `Array.prototype.map` call the bound `test` on each: no crossing per line.
        pub fn is_match_all(&self, texts: &[&str]) -> Vec<bool> {
            if texts.is_empty() || texts.iter().any(|t| t.contains('\n')) {
                return texts.iter().map(|t| self.is_match(t)).collect();
            }
            let joined = texts.join("\n");
            let batched = (|| -> Option<Vec<bool>> {
                let lines = js_sys::JsString::from(joined.as_str()).split("\n");
                let test: js_sys::Function =
                    js_sys::Reflect::get(self.test.as_ref(), &"test".into())
                        .ok()?
                        .dyn_into()
                        .ok()?;
                let bound = test.bind0(self.test.as_ref());
                let map: js_sys::Function = js_sys::Reflect::get(lines.as_ref(), &"map".into())
                    .ok()?
                    .dyn_into()
                    .ok()?;
                let results =
                    js_sys::Reflect::apply(&map, lines.as_ref(), &js_sys::Array::of1(&bound))
                        .ok()?;
                let bytes = js_sys::Uint8Array::from(results).to_vec();
                (bytes.len() == texts.len()).then(|| bytes.into_iter().map(|b| b != 0).collect())
            })();
            batched.unwrap_or_else(|| texts.iter().map(|t| self.is_match(t)).collect())
        }

        pub fn ranges(&self, text: &str, max: usize, out: &mut Vec<Range<usize>>) {
            // JavaScript reports UTF-16 offsets; map them to byte offsets of `text`.
            let mut units_to_bytes = Vec::with_capacity(text.len() + 1);
            for (byte, c) in text.char_indices() {
                for _ in 0..c.len_utf16() {
                    units_to_bytes.push(byte);
                }
            }
            units_to_bytes.push(text.len());
            let to_byte = |unit: u32| {
                units_to_bytes
                    .get(unit as usize)
                    .copied()
                    .unwrap_or(text.len())
            };
            self.global.set_last_index(0);
            while out.len() < max {
                let Some(m) = self.global.exec(text) else {
                    break;
                };
                let index = js_sys::Reflect::get(m.as_ref(), &"index".into())
                    .ok()
                    .and_then(|v| v.as_f64())
                    .unwrap_or(0.0) as u32;
                let len = m.get(0).unchecked_into::<js_sys::JsString>().length();
                if len == 0 {
                    // Step over empty matches, or exec would return the same one forever.
                    self.global.set_last_index(self.global.last_index() + 1);
                    continue;
                }
                out.push(to_byte(index)..to_byte(index + len));
            }
        }
    }
}

/// The first position at or after `from` where `needle` (lower-case ASCII) occurs in
/// `hay`, ignoring ASCII case. Matches start on a char boundary because `needle` is ASCII.
fn find_ascii_no_case(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let upper = first.to_ascii_uppercase();
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut i = from;
    while i <= last_start {
        let b = hay[i];
        if (b == first || b == upper) && hay[i + 1..i + needle.len()].eq_ignore_ascii_case(rest) {
            return Some(i);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn an_escaped_needle_matches_itself_literally(text in "\\PC{1,20}") {
            let re = regex_lite::Regex::new(&format!("^{}$", escape_for_js(&text))).unwrap();
            prop_assert!(re.is_match(&text));
        }
    }

    #[test]
    fn only_syntax_characters_are_escaped_for_javascript() {
        assert_eq!(escape_for_js("a.b*(c)|d/e-f"), "a\\.b\\*\\(c\\)\\|d\\/e-f");
        assert_eq!(escape_for_js("école"), "école");
    }

    fn spec(query: &str) -> SearchSpec {
        SearchSpec {
            query: query.into(),
            ..SearchSpec::default()
        }
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
        let m = Matcher::new(&SearchSpec {
            regex: true,
            ..spec(r"status=5\d\d")
        })
        .expect("valid");
        assert!(m.keeps("method=GET STATUS=503"));
        assert_eq!(m.ranges("status=500 status=200"), vec![0..10]);
    }

    #[test]
    fn an_invalid_regex_is_an_error_not_a_panic() {
        for bad in ["(", "a)(?i:(b", "[z-a]"] {
            let err = Matcher::new(&SearchSpec {
                regex: true,
                ..spec(bad)
            });
            assert!(err.is_err(), "{bad}");
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
    fn non_ascii_needles_ignore_case_too() {
        let m = Matcher::new(&spec("ÉTÉ")).expect("valid");
        assert!(m.keeps("un été chaud"));
    }

    #[test]
    fn empty_regex_matches_do_not_flood_the_highlights() {
        let m = Matcher::new(&SearchSpec {
            regex: true,
            ..spec("x*")
        })
        .expect("valid");
        assert_eq!(m.ranges("abxxc"), vec![2..4]);
        let m = Matcher::new(&SearchSpec {
            regex: true,
            ..spec(".")
        })
        .expect("valid");
        assert_eq!(m.ranges(&"a".repeat(10_000)).len(), MAX_RANGES_PER_LINE);
    }

    proptest! {
        #[test]
        fn searching_a_batch_agrees_with_searching_line_by_line(
            texts in proptest::collection::vec("[a-c\n ]{0,8}", 0..20),
            query in "[a-c]{1,2}", regex: bool, invert: bool,
        ) {
            let m = Matcher::new(&SearchSpec { query, regex, invert, ..SearchSpec::default() }).expect("valid");
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let one_by_one: Vec<bool> = refs.iter().map(|t| m.keeps(t)).collect();
            prop_assert_eq!(m.keeps_all(&refs), one_by_one);
        }

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
    }
}
