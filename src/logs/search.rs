//! In-browser search over the buffered lines: plain text or regular expression, with or
//! without case, optionally inverted (show the lines that do not match).
//!
//! Regular expressions use `regex-lite`: about 20 KB gzipped instead of 270 KB for
//! `regex`, natively testable unlike the browser's `RegExp`, and fast enough for 50,000
//! lines because plain searches (the common case) never touch it.

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
    /// A non-ASCII needle, lower-cased; `regex-lite` folds ASCII case only.
    UnicodeNoCase(String),
    Regex(regex_lite::Regex),
}

impl Matcher {
    /// Compiles `spec`; an invalid regular expression is an error to show inline.
    pub fn new(spec: &SearchSpec) -> Result<Matcher, SearchError> {
        let kind = if spec.query.is_empty() {
            Kind::Everything
        } else if spec.regex {
            let pattern = if spec.case_sensitive {
                spec.query.clone()
            } else {
                format!("(?i:{})", spec.query)
            };
            // Validate the pattern on its own first, so `a)(?i:(b` cannot sneak past the
            // group added above.
            regex_lite::Regex::new(&spec.query).map_err(|e| SearchError(e.to_string()))?;
            Kind::Regex(regex_lite::Regex::new(&pattern).map_err(|e| SearchError(e.to_string()))?)
        } else if spec.case_sensitive {
            Kind::Plain(spec.query.clone())
        } else if spec.query.is_ascii() {
            Kind::AsciiNoCase(spec.query.to_ascii_lowercase().into_bytes())
        } else {
            Kind::UnicodeNoCase(spec.query.to_lowercase())
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

    /// Whether a line with this text is kept (inversion applied).
    pub fn keeps(&self, text: &str) -> bool {
        let found = match &self.kind {
            Kind::Everything => return true,
            Kind::Plain(needle) => text.contains(needle.as_str()),
            Kind::AsciiNoCase(needle) => find_ascii_no_case(text.as_bytes(), needle, 0).is_some(),
            Kind::UnicodeNoCase(needle) => text.to_lowercase().contains(needle.as_str()),
            Kind::Regex(re) => re.is_match(text),
        };
        found != self.invert
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
            Kind::Regex(re) => {
                out.extend(
                    re.find_iter(text)
                        .filter(|m| !m.is_empty())
                        .take(MAX_RANGES_PER_LINE)
                        .map(|m| m.range()),
                );
            }
        }
        out
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
