//! Filters on fields: `status=502`, `level!=debug`, `status>=500`, `duration>1s`,
//! `bytes>1MB`, `path~^/api/`, `user_id` (present), `!user_id` (absent), combined with AND.
//!
//! # Syntax
//!
//! `[!]key [op value]`, where `op` is one of:
//!
//! | op | matches a line whose field `key` … | a line without the field |
//! |---|---|---|
//! | `=` | equals the value: as quantities when both are numbers, durations or sizes of one kind (`status=502` matches JSON `502`, `duration=1s` matches `1000ms`), else as text, case-sensitively | no |
//! | `!=` | does not equal it | yes |
//! | `>` `>=` `<` `<=` | compares with it; the value must be a number, duration or size ([`Quantity`]) and so must the field's, of the same kind (a plain number and a size compare as bytes) | no |
//! | `~` | matches the regular expression (`regex-lite` syntax, case-sensitive, unanchored: `path~^/api/`) | no |
//! | `!~` | does not match it | yes |
//!
//! `key` alone keeps lines that have the field; `!key` those that do not. A key is any run of
//! characters other than white space, `"`, `=`, `!`, `<`, `>` and `~` (JSON's nested keys are
//! dotted: `ctx.user.id`); a JSON key with any of those is written in double quotes
//! (`"user name"=ada`). A value with white space, or that starts with `"`, or is empty, is
//! written in double quotes with `\"` and `\\` escapes: `msg="disk full"`; an unquoted value is
//! taken as written, so regular expressions need no doubled backslashes (`path~^/v\d+/`).
//!
//! [`FieldFilter`]'s `Display` writes the canonical form that [`FieldFilter::parse`] reads back
//! (`status >= 500` is shown `status>=500`): chip labels and URLs use it. The `container`
//! pseudo-field (see [`crate::extract::Fields::with_container`]) filters like any
//! field.

use std::cmp::Ordering;
use std::fmt;

use super::extract::Fields;
use super::units::{Dimension, Quantity};

/// The longest filter expression accepted, in bytes (the log viewer's search takes as long
/// a query).
pub const MAX_FILTER_BYTES: usize = 1000;

/// The most memory a compiled pattern may take, in bytes (`regex-lite`'s `size_limit`; its
/// default is 10 MiB). A 1,000-character literal takes about 40 KB.
pub const MAX_COMPILED_BYTES: usize = 1 << 20;

/// The deepest nesting of groups and repetitions accepted (`regex-lite`'s `nest_limit`):
/// the parser recurses, and a hostile `((((…))))` must not exhaust the wasm stack.
pub const MAX_NESTING: u32 = 64;

/// How a filter compares a field's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `key`: the field is present.
    Present,
    /// `!key`: the field is absent.
    Absent,
    /// `=`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `~`: matches a regular expression.
    Match,
    /// `!~`: does not match it.
    NotMatch,
}

impl Op {
    /// The operator as written between key and value (empty for [`Op::Present`] and
    /// [`Op::Absent`]).
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Present | Op::Absent => "",
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Match => "~",
            Op::NotMatch => "!~",
        }
    }

    fn is_order(self) -> bool {
        matches!(self, Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }
}

/// Why a filter expression cannot be used; the message is shown under the filter input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// Nothing was typed.
    #[error("type a filter such as status>=500, level=error or path~^/api/")]
    Empty,
    /// A key and value longer than [`MAX_FILTER_BYTES`] together.
    #[error("the filter is too long: {0} bytes, at most {MAX_FILTER_BYTES}")]
    TooLong(usize),
    /// No key before the operator (`=500`) or a key with a forbidden character.
    #[error("“{0}” does not start with a field name: write it as key=value, e.g. status=500")]
    NoKey(String),
    /// An operator with nothing after it (`status>=`).
    #[error("“{key}{op}” needs a value after “{op}”")]
    NoValue {
        /// The key.
        key: String,
        /// The operator's symbol.
        op: &'static str,
    },
    /// An unquoted value with white space, or text after a quoted value.
    #[error("put a value with spaces in double quotes: {key}{op}\"{value}\"")]
    Unquoted {
        /// The key.
        key: String,
        /// The operator's symbol.
        op: &'static str,
        /// The value as typed.
        value: String,
    },
    /// A quoted key or value without its closing quote; the expression as typed.
    #[error("“{0}” has no closing double quote")]
    Unclosed(String),
    /// `<`, `<=`, `>`, `>=` with a value that is not a number, duration or size.
    #[error("“{op}” compares numbers, durations (1.5s, 200ms) or sizes (1MB, 512KiB): “{value}” is none of these")]
    NotAQuantity {
        /// The operator's symbol.
        op: &'static str,
        /// The value as typed.
        value: String,
    },
    /// The pattern of `~` or `!~` does not compile.
    #[error("invalid regular expression “{pattern}”: {reason}")]
    InvalidRegex {
        /// The pattern as typed.
        pattern: String,
        /// The engine's explanation.
        reason: String,
    },
}

/// One parsed filter on one field. Equal filters have equal canonical text.
#[derive(Clone, Debug)]
pub struct FieldFilter {
    key: String,
    op: Op,
    value: String,
    /// The value as a quantity, for `=`, `!=` and the orderings.
    quantity: Option<Quantity>,
    regex: Option<regex_lite::Regex>,
}

impl PartialEq for FieldFilter {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key && self.op == other.op && self.value == other.value
    }
}
impl Eq for FieldFilter {}

impl FieldFilter {
    /// Reads one expression as the module documentation describes; white space around it and
    /// around the operator is ignored.
    pub fn parse(text: &str) -> Result<FieldFilter, FilterError> {
        // A cheap guard before any work; the precise limit (key and value) is in `new`, so a
        // canonical form that quoting made longer still reads back.
        if text.len() > 4 * MAX_FILTER_BYTES {
            return Err(FilterError::TooLong(text.len()));
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(FilterError::Empty);
        }
        let (negated, body) = match text.strip_prefix('!') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, text),
        };
        let quoted_key;
        let (key, rest) = if let Some(q) = body.strip_prefix('"') {
            // A JSON key with spaces or operators in it: `"user name"=ada`.
            let (k, rest) = unquote(q).ok_or_else(|| FilterError::Unclosed(text.to_owned()))?;
            quoted_key = k;
            (quoted_key.as_str(), rest.trim_start())
        } else {
            let key_end = body.find(|c: char| !is_key_char(c)).unwrap_or(body.len());
            (&body[..key_end], body[key_end..].trim_start())
        };
        if key.is_empty() {
            return Err(FilterError::NoKey(text.to_owned()));
        }
        if rest.is_empty() {
            let op = if negated { Op::Absent } else { Op::Present };
            return FieldFilter::new(key, op, "");
        }
        if negated {
            // `!key=x` reads as neither `key!=x` nor `!key`: refuse it rather than guess.
            return Err(FilterError::NoKey(text.to_owned()));
        }
        let (op, after) = [
            ("!=", Op::Ne),
            ("!~", Op::NotMatch),
            (">=", Op::Ge),
            ("<=", Op::Le),
            ("=", Op::Eq),
            ("~", Op::Match),
            (">", Op::Gt),
            ("<", Op::Lt),
        ]
        .into_iter()
        .find_map(|(sym, op)| rest.strip_prefix(sym).map(|after| (op, after)))
        .ok_or_else(|| FilterError::NoKey(text.to_owned()))?;
        let raw = after.trim_start();
        let value = if let Some(quoted) = raw.strip_prefix('"') {
            let (value, tail) =
                unquote(quoted).ok_or_else(|| FilterError::Unclosed(text.to_owned()))?;
            if !tail.trim().is_empty() {
                return Err(FilterError::Unquoted {
                    key: key.into(),
                    op: op.symbol(),
                    value: raw.into(),
                });
            }
            value
        } else {
            if raw.is_empty() && op.is_order() {
                return Err(FilterError::NoValue {
                    key: key.into(),
                    op: op.symbol(),
                });
            }
            if raw.contains(char::is_whitespace) {
                return Err(FilterError::Unquoted {
                    key: key.into(),
                    op: op.symbol(),
                    value: raw.into(),
                });
            }
            raw.to_owned()
        };
        FieldFilter::new(key, op, &value)
    }

    /// A filter from its parts, as a facet click makes them (`FieldFilter::new("level",
    /// Op::Eq, "error")`); the same checks as [`FieldFilter::parse`]. The value is ignored for
    /// [`Op::Present`] and [`Op::Absent`].
    pub fn new(key: &str, op: Op, value: &str) -> Result<FieldFilter, FilterError> {
        if key.is_empty() || key.chars().any(char::is_control) {
            return Err(FilterError::NoKey(key.to_owned()));
        }
        if key.len() + value.len() > MAX_FILTER_BYTES {
            return Err(FilterError::TooLong(key.len() + value.len()));
        }
        let value = match op {
            Op::Present | Op::Absent => "",
            _ => value,
        };
        let quantity = Quantity::parse(value).filter(|_| !value.trim().is_empty());
        if op.is_order() && quantity.is_none() {
            return Err(FilterError::NotAQuantity {
                op: op.symbol(),
                value: value.to_owned(),
            });
        }
        let regex = match op {
            Op::Match | Op::NotMatch => Some(
                regex_lite::RegexBuilder::new(value)
                    .size_limit(MAX_COMPILED_BYTES)
                    .nest_limit(MAX_NESTING)
                    .build()
                    .map_err(|e| FilterError::InvalidRegex {
                        pattern: value.to_owned(),
                        reason: e.to_string(),
                    })?,
            ),
            _ => None,
        };
        Ok(FieldFilter {
            key: key.to_owned(),
            op,
            value: value.to_owned(),
            quantity,
            regex,
        })
    }

    /// The field's key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The operator.
    pub fn op(&self) -> Op {
        self.op
    }

    /// The value as given, unquoted (empty for [`Op::Present`] and [`Op::Absent`]).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// What the value measures when it is a number, duration or size, for a hint beside the
    /// chip (`duration>1s` compares durations); `None` for text and patterns.
    pub fn dimension(&self) -> Option<Dimension> {
        match self.op {
            Op::Match | Op::NotMatch | Op::Present | Op::Absent => None,
            _ => self.quantity.map(|q| q.dimension),
        }
    }

    /// Whether a line with these fields passes.
    pub fn matches(&self, fields: &Fields<'_>) -> bool {
        let field = fields.get(&self.key);
        let Some(field) = field else {
            return matches!(self.op, Op::Absent | Op::Ne | Op::NotMatch);
        };
        let value: &str = &field.value;
        match self.op {
            Op::Present => true,
            Op::Absent => false,
            Op::Eq => self.equals(value),
            Op::Ne => !self.equals(value),
            Op::Match => self.regex.as_ref().is_some_and(|r| r.is_match(value)),
            Op::NotMatch => !self.regex.as_ref().is_some_and(|r| r.is_match(value)),
            Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                let Some(ord) = self
                    .quantity
                    .zip(Quantity::parse(value))
                    .and_then(|(want, have)| have.compare(&want))
                else {
                    return false;
                };
                match self.op {
                    Op::Lt => ord == Ordering::Less,
                    Op::Le => ord != Ordering::Greater,
                    Op::Gt => ord == Ordering::Greater,
                    _ => ord != Ordering::Less,
                }
            }
        }
    }

    fn equals(&self, value: &str) -> bool {
        if value == self.value {
            return true;
        }
        match self.quantity {
            // Only numbers of one kind compare as quantities: `1` does not equal `1B`.
            Some(want) => Quantity::parse(value).is_some_and(|have| {
                have.dimension == want.dimension && have.compare(&want) == Some(Ordering::Equal)
            }),
            None => false,
        }
    }
}

impl fmt::Display for FieldFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.op == Op::Absent {
            f.write_str("!")?;
        }
        if self.key.chars().all(is_key_char) {
            f.write_str(&self.key)?;
        } else {
            write_quoted(f, &self.key)?;
        }
        if matches!(self.op, Op::Present | Op::Absent) {
            return Ok(());
        }
        f.write_str(self.op.symbol())?;
        let v = &self.value;
        if v.is_empty() || v.starts_with('"') || v.contains(char::is_whitespace) {
            write_quoted(f, v)
        } else {
            f.write_str(v)
        }
    }
}

fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in text.chars() {
        if c == '"' || c == '\\' {
            f.write_str("\\")?;
        }
        write!(f, "{c}")?;
    }
    f.write_str("\"")
}

fn is_key_char(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && !matches!(c, '"' | '=' | '!' | '<' | '>' | '~')
}

/// Reads a quoted value after its opening quote: the value and what follows the closing quote.
fn unquote(text: &str) -> Option<(String, &str)> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &text[i + 1..])),
            '\\' => match chars.next() {
                Some((_, c @ ('"' | '\\'))) => out.push(c),
                Some((_, c)) => {
                    out.push('\\');
                    out.push(c);
                }
                None => return None,
            },
            c => out.push(c),
        }
    }
    None
}

/// Filters that must all pass (AND), in the order they were added, without duplicates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilterSet {
    filters: Vec<FieldFilter>,
}

impl FilterSet {
    /// No filter: every line passes.
    pub fn new() -> FilterSet {
        FilterSet::default()
    }

    /// Reads a box's text of several expressions separated by white space outside double
    /// quotes (`status>=500 level=error msg~"disk full"`).
    pub fn parse(text: &str) -> Result<FilterSet, FilterError> {
        let mut set = FilterSet::new();
        for expr in split_expressions(text) {
            set.add(FieldFilter::parse(expr)?);
        }
        Ok(set)
    }

    /// Adds `filter` unless an equal one is there; returns whether it was added.
    pub fn add(&mut self, filter: FieldFilter) -> bool {
        if self.filters.contains(&filter) {
            return false;
        }
        self.filters.push(filter);
        true
    }

    /// Removes the filter equal to `filter`; returns whether one was there.
    pub fn remove(&mut self, filter: &FieldFilter) -> bool {
        let before = self.filters.len();
        self.filters.retain(|f| f != filter);
        self.filters.len() != before
    }

    /// Removes every filter.
    pub fn clear(&mut self) {
        self.filters.clear();
    }

    /// Whether there is no filter.
    pub fn is_empty(&self) -> bool {
        self.filters.is_empty()
    }

    /// How many filters there are.
    pub fn len(&self) -> usize {
        self.filters.len()
    }

    /// The filters in the order they were added: one chip each.
    pub fn iter(&self) -> std::slice::Iter<'_, FieldFilter> {
        self.filters.iter()
    }

    /// Whether a line with these fields passes every filter (always, with none).
    pub fn matches(&self, fields: &Fields<'_>) -> bool {
        self.filters.iter().all(|f| f.matches(fields))
    }

    /// One canonical expression per filter, for the URL as repeated `f=` parameters (the
    /// caller percent-encodes them).
    pub fn to_query_values(&self) -> Vec<String> {
        self.filters.iter().map(ToString::to_string).collect()
    }

    /// The filters of a URL's `f=` values (already percent-decoded): the valid ones, and the
    /// error of each invalid one, so a hand-edited link keeps what it can.
    pub fn from_query_values<I, S>(values: I) -> (FilterSet, Vec<FilterError>)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut set = FilterSet::new();
        let mut errors = Vec::new();
        for v in values {
            match FieldFilter::parse(v.as_ref()) {
                Ok(f) => {
                    set.add(f);
                }
                Err(e) => errors.push(e),
            }
        }
        (set, errors)
    }
}

/// Splits at white space outside double quotes (a `\"` inside quotes does not close them).
fn split_expressions(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_quotes {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_quotes = false;
            }
            continue;
        }
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push(&text[s..i]);
            }
            continue;
        }
        start.get_or_insert(i);
        if c == '"' {
            in_quotes = true;
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::fields;
    use proptest::prelude::*;

    fn keeps(filter: &str, message: &str) -> bool {
        FieldFilter::parse(filter)
            .unwrap_or_else(|e| panic!("{filter}: {e}"))
            .matches(&fields(message))
    }

    const ROUTER: &str = r#"method=GET path="/api/v1/users/42" host=example-app.osc-fr1.scalingo.io container=web-2 status=502 duration=1.204s bytes=312 referer="-" user_agent="Mozilla/5.0 (X11)""#;

    #[test]
    fn equality_compares_text_or_numbers() {
        assert!(keeps("status=502", ROUTER));
        assert!(!keeps("status=500", ROUTER));
        assert!(keeps("method=GET", ROUTER));
        assert!(
            !keeps("method=get", ROUTER),
            "text equality is case-sensitive"
        );
        assert!(keeps("status=502", r#"{"status":502}"#));
        assert!(keeps("status=502.0", r#"{"status":502}"#));
        assert!(keeps("duration=1204ms", ROUTER));
        assert!(keeps(r#"user_agent="Mozilla/5.0 (X11)""#, ROUTER));
        assert!(!keeps("bytes=312B", ROUTER), "a number is not a size for =");
        assert!(keeps("referer=-", ROUTER));
        let f = FieldFilter::parse("duration>1s").expect("parses");
        assert_eq!(f.dimension(), Some(Dimension::Duration));
        assert_eq!(
            FieldFilter::parse("path~1").expect("parses").dimension(),
            None
        );
    }

    #[test]
    fn inequality_keeps_lines_without_the_field() {
        assert!(keeps("level!=debug", r#"{"level":"error"}"#));
        assert!(!keeps("level!=debug", r#"{"level":"debug"}"#));
        assert!(keeps("level!=debug", "plain text"));
        assert!(keeps("path!~^/api/", "plain text"));
        assert!(!keeps("path!~^/api/", ROUTER));
    }

    #[test]
    fn orderings_convert_units() {
        assert!(keeps("status>=500", ROUTER));
        assert!(!keeps("status<500", ROUTER));
        assert!(keeps("duration>1s", ROUTER), "1.204s > 1s");
        assert!(!keeps("duration>1s", "duration=900ms"), "900ms < 1s");
        assert!(keeps("duration<1s", "duration=900ms"));
        assert!(keeps("duration<=1204ms", ROUTER));
        assert!(keeps("duration>=1.204s", "duration=1204ms"));
        assert!(
            keeps("bytes<1KB", ROUTER),
            "a plain number compares as bytes"
        );
        assert!(keeps("bytes>1MB", "bytes=1.5MiB"));
        assert!(!keeps("bytes>1MB", "bytes=1000000"));
        assert!(
            !keeps("duration>1s", "duration=5000"),
            "no unit: not a duration"
        );
        assert!(!keeps("status>=500", "status=oops"));
        assert!(!keeps("status>=500", "no fields"));
    }

    #[test]
    fn regular_expressions_are_case_sensitive_and_unanchored() {
        assert!(keeps("path~^/api/", ROUTER));
        assert!(keeps(r"path~users/\d+$", ROUTER));
        assert!(!keeps("path~^/API/", ROUTER));
        assert!(keeps("path~(?i)^/API/", ROUTER));
        assert!(keeps(r#"user_agent~"Mozilla/\d\.\d \(X11""#, ROUTER));
    }

    #[test]
    fn presence_and_absence() {
        assert!(keeps("status", ROUTER));
        assert!(!keeps("user_id", ROUTER));
        assert!(keeps("!user_id", ROUTER));
        assert!(!keeps("!status", ROUTER));
        assert!(keeps("debug", "debug a=1"), "a bare key is present");
        assert!(keeps("ctx.user.id", r#"{"ctx":{"user":{"id":7}}}"#));
    }

    #[test]
    fn quoted_keys_reach_json_keys_with_spaces_and_operators() {
        assert!(keeps("\"user name\"=ada", r#"{"user name":"ada"}"#));
        assert!(keeps("\"a>b\"", r#"{"a>b":1}"#));
        let f = FieldFilter::new("user name", Op::Eq, "ada").expect("any key can be quoted");
        assert_eq!(f.to_string(), "\"user name\"=ada");
        assert!(FieldFilter::new("bad\u{7}key", Op::Eq, "x").is_err());
    }

    #[test]
    fn the_container_pseudo_field_filters_like_a_field() {
        let f = FieldFilter::parse("container=worker-1").expect("parses");
        assert!(f.matches(&fields("plain").with_container(Some("worker-1"))));
        assert!(!f.matches(&fields("plain").with_container(Some("web-1"))));
        let f = FieldFilter::parse("container~^web-").expect("parses");
        assert!(f.matches(&fields(ROUTER).with_container(Some("router"))));
    }

    #[test]
    fn bad_expressions_say_what_to_fix() {
        let err = |t: &str| FieldFilter::parse(t).expect_err(t).to_string();
        assert_eq!(
            err(""),
            "type a filter such as status>=500, level=error or path~^/api/"
        );
        assert_eq!(
            err("=500"),
            "“=500” does not start with a field name: write it as key=value, e.g. status=500"
        );
        assert_eq!(err("status>="), "“status>=” needs a value after “>=”");
        assert_eq!(
            err("status>=abc"),
            "“>=” compares numbers, durations (1.5s, 200ms) or sizes (1MB, 512KiB): “abc” is none of these"
        );
        assert_eq!(
            err("msg=disk full"),
            "put a value with spaces in double quotes: msg=\"disk full\""
        );
        assert_eq!(
            err("msg=\"disk full"),
            "“msg=\"disk full” has no closing double quote"
        );
        assert!(err("path~(").starts_with("invalid regular expression “(”: "));
        assert!(err("path~a{1000}{1000}").starts_with("invalid regular expression"));
        assert!(err(&"a".repeat(2000)).starts_with("the filter is too long"));
        assert!(FieldFilter::parse("!a=1").is_err());
        assert!(FieldFilter::parse("a=b=c").is_ok(), "values may hold =");
    }

    #[test]
    fn display_is_the_canonical_expression() {
        for (typed, canonical) in [
            ("status >= 500", "status>=500"),
            (" level != debug ", "level!=debug"),
            ("path ~ ^/api/", "path~^/api/"),
            ("msg=\"disk full\"", "msg=\"disk full\""),
            ("referer=", "referer=\"\""),
            ("q=\"\\\"x\"", "q=\"\\\"x\""),
            ("! user_id", "!user_id"),
            ("status", "status"),
            ("\"user name\" = ada", "\"user name\"=ada"),
            ("!\"a=b\"", "!\"a=b\""),
        ] {
            let f = FieldFilter::parse(typed).expect(typed);
            assert_eq!(f.to_string(), canonical, "{typed}");
            assert_eq!(FieldFilter::parse(canonical).expect(canonical), f);
        }
    }

    #[test]
    fn a_set_ands_its_filters_and_round_trips_through_the_url() {
        let set = FilterSet::parse(r#"status>=500 path~^/api/ msg!="a b""#).expect("parses");
        assert_eq!(set.len(), 3);
        assert!(set.matches(&fields(ROUTER)));
        let values = set.to_query_values();
        assert_eq!(values, ["status>=500", "path~^/api/", "msg!=\"a b\""]);
        let (back, errors) = FilterSet::from_query_values(&values);
        assert_eq!(back, set);
        assert!(errors.is_empty());
        let (partial, errors) = FilterSet::from_query_values(["status>=500", "bad>=x"]);
        assert_eq!(partial.len(), 1);
        assert_eq!(errors.len(), 1);
        let mut set = set;
        assert!(!set.add(FieldFilter::parse("status >= 500").expect("parses")));
        assert!(set.remove(&FieldFilter::parse("status>=500").expect("parses")));
        assert!(!set.matches(&fields("method=GET path=/x msg=\"a b\"")));
        assert!(FilterSet::new().matches(&fields("anything")));
    }

    fn arb_filter() -> impl Strategy<Value = FieldFilter> {
        let op = prop_oneof![
            Just(Op::Present),
            Just(Op::Absent),
            Just(Op::Eq),
            Just(Op::Ne),
            Just(Op::Gt),
            Just(Op::Le),
            Just(Op::Match),
            Just(Op::NotMatch),
        ];
        let key = prop_oneof!["[a-z_][a-z0-9_.\\-]{0,10}", "\\PC{1,8}"];
        (key, op, "\\PC{0,12}", 0u32..100_000).prop_filter_map("valid", |(k, op, v, n)| {
            let value = if op.is_order() { format!("{n}ms") } else { v };
            let value = if matches!(op, Op::Match | Op::NotMatch) {
                regex_lite::escape(&value)
            } else {
                value
            };
            FieldFilter::new(&k, op, &value).ok()
        })
    }

    proptest! {
        #[test]
        fn display_parses_back_to_the_same_filter(f in arb_filter()) {
            let text = f.to_string();
            let back = FieldFilter::parse(&text);
            prop_assert_eq!(back.as_ref().ok(), Some(&f), "{}", text);
        }

        #[test]
        fn a_set_round_trips_through_query_values(fs in proptest::collection::vec(arb_filter(), 0..5)) {
            let mut set = FilterSet::new();
            for f in fs {
                set.add(f);
            }
            let (back, errors) = FilterSet::from_query_values(set.to_query_values());
            prop_assert!(errors.is_empty());
            prop_assert_eq!(back, set);
        }

        #[test]
        fn parsing_any_text_never_panics(text in "\\PC{0,40}") {
            let _ = FieldFilter::parse(&text);
            let _ = FilterSet::parse(&text);
        }

        #[test]
        fn equality_on_a_typed_value_keeps_the_line_that_has_it(
            key in "[a-z][a-z0-9_]{0,8}",
            value in "[A-Za-z0-9/._-]{1,12}",
        ) {
            let f = FieldFilter::new(&key, Op::Eq, &value).expect("valid");
            let message = format!("{key}={value} other=1");
            prop_assert!(f.matches(&fields(&message)));
            let not = FieldFilter::new(&key, Op::Ne, &value).expect("valid");
            prop_assert!(!not.matches(&fields(&message)));
        }
    }
}
