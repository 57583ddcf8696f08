//! Reading the fields of a log message: logfmt `key=value` pairs or a JSON object.
//!
//! **logfmt**, as written by Heroku's and Scalingo's routers and read by go-logfmt
//! (`github.com/go-logfmt/logfmt`, the format's reference decoder): pairs separated by spaces;
//! a key is a run of characters other than space, `=` and `"`; `key=value` takes an unquoted
//! value up to the next space, or a quoted one (`key="a b"`) with the escapes `\"`, `\\`, `\n`,
//! `\r`, `\t`, `\/` and `\uXXXX`; a bare `key` has no value. Where go-logfmt stops with an error
//! this reader goes on: a quoted value that never closes runs to the end of the message, and a
//! token that is neither a key nor a pair (`=x`, `"words"`, `key"x"`) is skipped. Because any
//! word is a bare key, a message is read as logfmt only when at least one token is a
//! `key=value` pair and pairs make at least half of its tokens: `Completed 200 OK in 12ms` has
//! no fields, `method=GET path=/ status=200` has three.
//!
//! **JSON** (RFC 8259): a message that is one JSON object (after trimming white space) gives one
//! field per member; nested objects are flattened with dotted keys (`{"a":{"b":1}}` gives
//! `a.b`), arrays are kept as their JSON text (`[1,2]`), strings as their decoded text, numbers,
//! `true`, `false` and `null` as written by `serde_json`. The object's text stays available
//! through [`Fields::json`] and [`pretty_json`] for the details pane. A message that is JSON but
//! not an object (`42`, `"text"`, `[1]`) has no fields; one that starts with `{` but does not
//! parse is tried as logfmt.
//!
//! **Duplicate keys** are all kept, in order, by [`Fields::iter`] (the details pane lists every
//! one); everything else (filters, facets, [`Fields::get`]) takes the last, as JSON parsers
//! that keep one value do (RFC 8259 §4 leaves it open; `serde_json::Value` keeps the last).
//!
//! The logfmt reader is hand-written: of the crates.io readers checked (2026-12), `logfmt`
//! 0.0.2 is a 2015-edition crate returning owned strings, and `logfmt-zerocopy` 0.1.3 and
//! `tpt-logfmt-parse` 0.1.0 are new single-owner crates; none documents go-logfmt's bare keys
//! and escapes together with skipping garbage, and the reader is about a hundred lines.
//! JSON goes through `serde_json`, already shipped, with a visitor that borrows strings.
//!
//! Parsing borrows from the message: keys and values without escapes are slices of it, so a
//! router line costs one `Vec` of about a dozen entries. It is meant to run lazily, per line,
//! when a line is drawn, matched or counted, and to be dropped afterwards.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// The name of the pseudo-field carrying the line's container (see [`Fields::with_container`]).
pub const CONTAINER: &str = "container";

/// The most fields read from one message; the rest of a longer message is ignored, so a
/// hostile line cannot make facets or filters slow.
pub const MAX_FIELDS: usize = 256;

/// How the message was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `key=value` pairs.
    Logfmt,
    /// A JSON object.
    Json,
}

/// What a field's value was written as; the text is in [`Field::value`] either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A logfmt value or a JSON string.
    Text,
    /// A JSON number.
    Number,
    /// JSON `true` or `false`.
    Bool,
    /// JSON `null`.
    Null,
    /// A JSON array, kept as its JSON text.
    Array,
    /// A bare logfmt key (`key` with no `=`): the value is empty.
    Absent,
}

/// One field: a key and its value as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field<'a> {
    /// The key; nested JSON keys are joined with `.` (`error.code`).
    pub key: Cow<'a, str>,
    /// The value as text: unescaped string, number as written, `true`, `null`, array JSON.
    pub value: Cow<'a, str>,
    /// What the value was written as.
    pub kind: ValueKind,
}

/// The fields of one message, in message order, plus the line's container as a pseudo-field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields<'a> {
    format: Option<Format>,
    list: Vec<Field<'a>>,
    /// Whether a key repeats, found once when parsing so that [`Fields::unique`] (run for
    /// every line counted) is a plain walk in the usual case.
    duplicates: bool,
    json: Option<&'a str>,
    container: Option<Field<'a>>,
}

impl<'a> Fields<'a> {
    /// No fields at all.
    pub fn none() -> Fields<'a> {
        Fields::default()
    }

    /// Adds the line's container (`web-1`, `router`) as the pseudo-field [`CONTAINER`], which
    /// [`Fields::get`], filters and facets see when the message has no `container` field of
    /// its own. Router lines have one (the container that served the request), so on them
    /// `container=web-2` picks the requests web-2 answered, next to web-2's own lines.
    pub fn with_container(mut self, container: Option<&'a str>) -> Fields<'a> {
        self.container = container.map(|c| Field {
            key: Cow::Borrowed(CONTAINER),
            value: Cow::Borrowed(c),
            kind: ValueKind::Text,
        });
        self
    }

    /// How the message was read; `None` when it has no fields.
    pub fn format(&self) -> Option<Format> {
        self.format
    }

    /// Whether the message has no fields (the pseudo-field does not count).
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many fields the message has, duplicates included (the pseudo-field does not count).
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Every field of the message in order, duplicates included: what the details pane lists.
    /// The pseudo-field is not included.
    pub fn iter(&self) -> std::slice::Iter<'_, Field<'a>> {
        self.list.iter()
    }

    /// The field named `key`: the last one when the key repeats, else the container
    /// pseudo-field for [`CONTAINER`].
    pub fn get(&self, key: &str) -> Option<&Field<'a>> {
        self.list
            .iter()
            .rev()
            .find(|f| key_eq(&f.key, key))
            .or_else(|| self.container.as_ref().filter(|_| key == CONTAINER))
    }

    /// Each key once with its last value, in the order keys first appear, then the container
    /// pseudo-field if the message has no [`CONTAINER`] field: what facets count.
    pub fn unique(&self) -> impl Iterator<Item = &Field<'a>> {
        let list = &self.list;
        let own_container = list.iter().any(|f| key_eq(&f.key, CONTAINER));
        let duplicates = self.duplicates;
        list.iter()
            .enumerate()
            .filter(move |(i, f)| !duplicates || !list[i + 1..].iter().any(|g| g.key == f.key))
            .map(|(_, f)| f)
            .chain(self.container.as_ref().filter(move |_| !own_container))
    }

    /// The JSON object's text, when the message is one.
    pub fn json(&self) -> Option<&'a str> {
        self.json
    }
}

/// `a == b`, telling most unequal keys apart by length and first and last bytes before
/// comparing them whole: keys are short and looked up for every line counted, where a call
/// to `memcmp` per comparison was a tenth of the time.
#[inline]
pub(crate) fn key_eq(a: &str, b: &str) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    x.len() == y.len() && x.first() == y.first() && x.last() == y.last() && x == y
}

/// A `status` value as a number: `value.trim().parse::<u16>()`, without the trim's walk
/// over characters when the value is plain digits (every router line).
pub(crate) fn parse_status(value: &str) -> Option<u16> {
    let b = value.as_bytes();
    if !b.is_empty() && b.len() <= 5 && b.iter().all(u8::is_ascii_digit) {
        let n = b.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        return u16::try_from(n).ok();
    }
    value.trim().parse().ok()
}

/// Reads the fields of `message` (a line's plain message: what a terminal shows of it): a
/// JSON object or logfmt pairs, as the module documentation describes; no fields when it is
/// neither.
pub fn fields(message: &str) -> Fields<'_> {
    let trimmed = message.trim();
    if trimmed.starts_with('{') && trimmed.ends_with('}') {
        if let Some(list) = json_fields(trimmed) {
            return Fields {
                format: Some(Format::Json),
                duplicates: has_duplicates(&list),
                list,
                json: Some(trimmed),
                container: None,
            };
        }
    }
    let list = logfmt_fields(message);
    Fields {
        format: (!list.is_empty()).then_some(Format::Logfmt),
        duplicates: has_duplicates(&list),
        list,
        json: None,
        container: None,
    }
}

/// Whether two fields share a key. Each key sets one bit of a 256-bit set, chosen by a hash
/// of its length and first, second and last bytes: equal keys set the same bit, so when no
/// bit is set twice no key repeats, which is the usual answer (the multiplier, xxHash's
/// third prime, puts the router's keys and two dozen common ones on bits of their own; a
/// test checks it). Only a clash compares the keys themselves.
fn has_duplicates(list: &[Field<'_>]) -> bool {
    let mut seen = [0u64; 4];
    for f in list {
        let h = key_bit(&f.key);
        let (word, bit) = (usize::from(h >> 6), 1u64 << (h & 63));
        if seen[word] & bit != 0 {
            return pairwise_duplicates(list);
        }
        seen[word] |= bit;
    }
    false
}

/// The bit of `key` in [`has_duplicates`]'s set, 0..256.
fn key_bit(key: &str) -> u8 {
    let b = key.as_bytes();
    let byte = |i: usize| u32::from(b.get(i).copied().unwrap_or(0));
    let mixed = (b.len() as u32)
        ^ byte(0) << 8
        ^ byte(1) << 16
        ^ u32::from(b.last().copied().unwrap_or(0)) << 24;
    (mixed.wrapping_mul(0x27D4_EB2F) >> 24) as u8
}

/// Whether two fields share a key, comparing every pair: [`has_duplicates`] when hashes clash.
fn pairwise_duplicates(list: &[Field<'_>]) -> bool {
    list.iter()
        .enumerate()
        .any(|(i, f)| list[i + 1..].iter().any(|g| g.key == f.key))
}

// ---------------------------------------------------------------------------------------------
// logfmt

/// Reads logfmt pairs; empty unless the message looks like logfmt (see the module docs).
fn logfmt_fields(message: &str) -> Vec<Field<'_>> {
    let b = message.as_bytes();
    let (mut pairs, mut tokens) = (0usize, 0usize);
    let mut i = 0;
    // A message with no `=` has no pairs: most plain text lines stop here (a `memchr`).
    // Otherwise room for a router line's dozen pairs at once rather than growing four times.
    if !b.contains(&b'=') {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(16);
    while i < b.len() && out.len() < MAX_FIELDS {
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if i == b.len() {
            break;
        }
        tokens += 1;
        let key_start = i;
        while i < b.len() && !is_space(b[i]) && b[i] != b'=' && b[i] != b'"' {
            i += 1;
        }
        let key = &message[key_start..i];
        if i == b.len() || is_space(b[i]) {
            out.push(Field {
                key: Cow::Borrowed(key),
                value: Cow::Borrowed(""),
                kind: ValueKind::Absent,
            });
            continue;
        }
        if key.is_empty() || b[i] == b'"' {
            // `=x`, `"words"`, `key"x"`: not a pair; skip it (a quoted run whole).
            i = skip_garbage(b, i);
            continue;
        }
        // b[i] == '='
        i += 1;
        let value = if i < b.len() && b[i] == b'"' {
            let (value, end) = quoted(message, i + 1);
            i = end;
            if i < b.len() && !is_space(b[i]) {
                // `key="a"b`: the pair ends at its closing quote; the rest is garbage.
                i = skip_garbage(b, i);
            }
            value
        } else {
            let start = i;
            while i < b.len() && !is_space(b[i]) {
                i += 1;
            }
            Cow::Borrowed(&message[start..i])
        };
        pairs += 1;
        out.push(Field {
            key: Cow::Borrowed(key),
            value,
            kind: ValueKind::Text,
        });
    }
    if pairs == 0 || pairs * 2 < tokens {
        out.clear();
    }
    out
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b'\n' || b == b'\r'
}

/// Skips a token that is not a pair from `i`: to the next space, stepping over quoted runs.
fn skip_garbage(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && !is_space(b[i]) {
        if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
        }
        i += 1;
    }
    i.min(b.len())
}

/// Reads a quoted value starting after its opening quote at `start`; returns it and the index
/// after the closing quote (the message's end when it never closes).
fn quoted(message: &str, start: usize) -> (Cow<'_, str>, usize) {
    let b = message.as_bytes();
    let mut i = start;
    // Fast path: no escapes, the value is a slice.
    while i < b.len() && b[i] != b'"' && b[i] != b'\\' {
        i += 1;
    }
    if i == b.len() {
        return (Cow::Borrowed(&message[start..]), i);
    }
    if b[i] == b'"' {
        return (Cow::Borrowed(&message[start..i]), i + 1);
    }
    let mut out = String::with_capacity(i - start + 16);
    out.push_str(&message[start..i]);
    let mut chars = message[i..].char_indices();
    while let Some((off, c)) = chars.next() {
        match c {
            '"' => return (Cow::Owned(out), i + off + 1),
            '\\' => match chars.next() {
                Some((_, '"')) => out.push('"'),
                Some((_, '\\')) => out.push('\\'),
                Some((_, '/')) => out.push('/'),
                Some((_, 'n')) => out.push('\n'),
                Some((_, 'r')) => out.push('\r'),
                Some((_, 't')) => out.push('\t'),
                Some((_, 'u')) => {
                    let rest = chars.as_str();
                    let hex = rest
                        .get(..4)
                        .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
                    match hex.and_then(|h| u32::from_str_radix(h, 16).ok()) {
                        Some(code) => {
                            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                            for _ in 0..4 {
                                chars.next();
                            }
                        }
                        None => out.push_str("\\u"),
                    }
                }
                // An unknown escape is kept as written.
                Some((_, other)) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    (Cow::Owned(out), b.len())
}

// ---------------------------------------------------------------------------------------------
// JSON

/// The fields of a JSON object; `None` when `text` is not one.
fn json_fields(text: &str) -> Option<Vec<Field<'_>>> {
    let mut out = Vec::new();
    let mut de = serde_json::Deserializer::from_str(text);
    Member {
        prefix: None,
        out: &mut out,
        top: true,
    }
    .deserialize(&mut de)
    .ok()?;
    de.end().ok()?;
    Some(out)
}

/// Flattens one JSON value into fields under `prefix` (`None`: the top-level object).
struct Member<'o, 'de> {
    prefix: Option<Cow<'de, str>>,
    out: &'o mut Vec<Field<'de>>,
    top: bool,
}

impl<'de> Member<'_, 'de> {
    fn push(self, value: Cow<'de, str>, kind: ValueKind) -> Result<(), NotAnObject> {
        match self.prefix {
            Some(key) if self.out.len() < MAX_FIELDS => {
                self.out.push(Field { key, value, kind });
                Ok(())
            }
            Some(_) => Ok(()),
            None => Err(NotAnObject),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Member<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// The error a value that is not an object raises at the top level.
#[derive(Debug)]
struct NotAnObject;

fn refuse<E: de::Error>(_: NotAnObject) -> E {
    E::custom("the message is JSON but not an object")
}

impl<'de> Visitor<'de> for Member<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<(), E> {
        self.push(Cow::Borrowed(v), ValueKind::Text).map_err(refuse)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.push(Cow::Owned(v.to_owned()), ValueKind::Text)
            .map_err(refuse)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<(), E> {
        self.push(Cow::Owned(v), ValueKind::Text).map_err(refuse)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.push(Cow::Owned(v.to_string()), ValueKind::Number)
            .map_err(refuse)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.push(Cow::Owned(v.to_string()), ValueKind::Number)
            .map_err(refuse)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        // serde_json's own formatting, so `1.5` stays `1.5` and `1e300` stays readable.
        let text = serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string());
        self.push(Cow::Owned(text), ValueKind::Number)
            .map_err(refuse)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        let text = if v { "true" } else { "false" };
        self.push(Cow::Borrowed(text), ValueKind::Bool)
            .map_err(refuse)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.push(Cow::Borrowed("null"), ValueKind::Null)
            .map_err(refuse)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.top {
            return Err(refuse(NotAnObject));
        }
        // Arrays are rare in log lines; they are kept as compact JSON text.
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<serde_json::Value>()? {
            items.push(item);
        }
        let text = serde_json::Value::Array(items).to_string();
        self.push(Cow::Owned(text), ValueKind::Array)
            .map_err(refuse)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let key = match &self.prefix {
                None => key.0,
                Some(p) => Cow::Owned(format!("{p}.{}", key.0)),
            };
            map.next_value_seed(Member {
                prefix: Some(key),
                out: self.out,
                top: false,
            })?;
        }
        Ok(())
    }
}

/// A member name, borrowed when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// `json` re-indented by two spaces per level, members in their original order and numbers as
/// written, for the details pane; `None` when `json` is not valid JSON (RFC 8259).
///
/// Only white space outside strings changes, so the text shown is the text received.
pub fn pretty_json(json: &str) -> Option<String> {
    serde_json::from_str::<de::IgnoredAny>(json).ok()?;
    let mut out = String::with_capacity(json.len() + json.len() / 4);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = json.trim().chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                // Skip white space to see whether the container is empty: `{}` stays `{}`.
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if chars.peek().is_some_and(|&n| n == '}' || n == ']') {
                    out.push(chars.next().unwrap_or(c));
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pairs<'a>(f: &'a Fields<'_>) -> Vec<(&'a str, &'a str)> {
        f.iter().map(|f| (&*f.key, &*f.value)).collect()
    }

    #[test]
    fn a_router_line_gives_every_pair_with_quotes_removed() {
        let msg = r#"method=GET path="/api/v1/users/42" host=example-app.osc-fr1.scalingo.io request_id=5c1e-9 container=web-2 from="1.2.3.4" protocol=https status=502 duration=1.204s bytes=312 referer="-" user_agent="Mozilla/5.0 (X11; Linux x86_64)""#;
        let f = fields(msg);
        assert_eq!(f.format(), Some(Format::Logfmt));
        assert_eq!(
            pairs(&f),
            [
                ("method", "GET"),
                ("path", "/api/v1/users/42"),
                ("host", "example-app.osc-fr1.scalingo.io"),
                ("request_id", "5c1e-9"),
                ("container", "web-2"),
                ("from", "1.2.3.4"),
                ("protocol", "https"),
                ("status", "502"),
                ("duration", "1.204s"),
                ("bytes", "312"),
                ("referer", "-"),
                ("user_agent", "Mozilla/5.0 (X11; Linux x86_64)"),
            ]
        );
        // Nothing was copied: every key and value is a slice of the message.
        assert!(f
            .iter()
            .all(|f| matches!(f.key, Cow::Borrowed(_)) && matches!(f.value, Cow::Borrowed(_))));
    }

    #[test]
    fn quoted_values_unescape_quotes_and_backslashes() {
        let f = fields(r#"msg="say \"hi\" to C:\\dir" n=1 u="caf\u00e9\tx""#);
        assert_eq!(
            f.get("msg").map(|f| &*f.value),
            Some(r#"say "hi" to C:\dir"#)
        );
        assert_eq!(f.get("u").map(|f| &*f.value), Some("café\tx"));
        assert_eq!(f.get("n").map(|f| &*f.value), Some("1"));
    }

    #[test]
    fn bare_keys_and_empty_values_are_fields() {
        let f = fields("debug a=1 b= c=\"\"");
        assert_eq!(pairs(&f), [("debug", ""), ("a", "1"), ("b", ""), ("c", "")]);
        assert_eq!(f.get("debug").map(|f| f.kind), Some(ValueKind::Absent));
        assert_eq!(f.get("b").map(|f| f.kind), Some(ValueKind::Text));
    }

    #[test]
    fn garbage_tokens_are_skipped_and_the_pairs_around_them_kept() {
        let f = fields(r#"a=1 =oops "quoted words" b"x" c="2"tail d=4"#);
        assert_eq!(pairs(&f), [("a", "1"), ("c", "2"), ("d", "4")]);
        // A quote that never closes runs to the end.
        let f = fields(r#"a=1 msg="unterminated and \"escaped"#);
        assert_eq!(
            pairs(&f),
            [("a", "1"), ("msg", "unterminated and \"escaped")]
        );
        // Values may hold `=` and quotes past their first character.
        let f = fields("q=a=b r=x\"y");
        assert_eq!(pairs(&f), [("q", "a=b"), ("r", "x\"y")]);
    }

    #[test]
    fn plain_text_lines_have_no_fields() {
        for msg in [
            "",
            "   ",
            "INFO  [puma] Completed 200 OK in 12ms",
            "WARN  slow query (512 ms): SELECT \"users\".* FROM \"users\"",
            "LOG:  duration: 1.2 ms  statement: SELECT * FROM invoices WHERE id = 12",
            "Started GET / for 1.2.3.4 with a=1",
            "\tfrom app/models/invoice.rb:57:in `total'",
            "container [web-1] (5ed1) has stopped",
        ] {
            let f = fields(msg);
            assert!(f.is_empty(), "{msg:?}: {:?}", pairs(&f));
            assert_eq!(f.format(), None);
        }
        // Half pairs is enough: `at=info method=GET` style lines with a bare word or two.
        assert_eq!(fields("at=info ready x=1 now").len(), 4);
    }

    #[test]
    fn a_json_object_gives_flattened_fields_in_order() {
        let msg = r#" {"level":"error","msg":"boom \"x\"","user_id":42,"ratio":1.5,"ok":true,"none":null,"ctx":{"route":"/u","db":{"ms":12}},"tags":["a", 1]} "#;
        let f = fields(msg);
        assert_eq!(f.format(), Some(Format::Json));
        assert_eq!(
            pairs(&f),
            [
                ("level", "error"),
                ("msg", "boom \"x\""),
                ("user_id", "42"),
                ("ratio", "1.5"),
                ("ok", "true"),
                ("none", "null"),
                ("ctx.route", "/u"),
                ("ctx.db.ms", "12"),
                ("tags", r#"["a",1]"#),
            ]
        );
        let kinds: Vec<ValueKind> = f.iter().map(|f| f.kind).collect();
        use ValueKind::*;
        assert_eq!(
            kinds,
            [Text, Text, Number, Number, Bool, Null, Text, Number, Array]
        );
        assert_eq!(f.json(), Some(msg.trim()));
        assert!(matches!(
            f.get("level").map(|f| &f.value),
            Some(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn json_that_is_not_an_object_has_no_fields() {
        for msg in ["42", "\"text\"", "[1,2]", "null", "[{\"a\":1}]"] {
            assert!(fields(msg).is_empty(), "{msg}");
        }
        let f = fields("{}");
        assert_eq!(f.format(), Some(Format::Json));
        assert!(f.is_empty());
    }

    #[test]
    fn broken_json_is_tried_as_logfmt() {
        let f = fields("{level=error msg=x}");
        assert_eq!(f.format(), Some(Format::Logfmt));
        assert_eq!(pairs(&f), [("{level", "error"), ("msg", "x}")]);
        assert!(fields(r#"{"level":"error","#).is_empty());
        assert!(fields(r#"{"a":1} {"b":2}"#).is_empty());
    }

    #[test]
    fn duplicate_keys_are_all_listed_and_the_last_one_counts() {
        let f = fields("a=1 b=2 a=3");
        assert_eq!(pairs(&f), [("a", "1"), ("b", "2"), ("a", "3")]);
        assert_eq!(f.get("a").map(|f| &*f.value), Some("3"));
        let unique: Vec<_> = f.unique().map(|f| (&*f.key, &*f.value)).collect();
        assert_eq!(unique, [("b", "2"), ("a", "3")]);
        let f = fields(r#"{"a":1,"a":2}"#);
        assert_eq!(f.len(), 2);
        assert_eq!(f.get("a").map(|f| &*f.value), Some("2"));
    }

    #[test]
    fn the_container_is_a_pseudo_field_unless_the_message_has_its_own() {
        let f = fields("status=200").with_container(Some("web-1"));
        assert_eq!(f.get(CONTAINER).map(|f| &*f.value), Some("web-1"));
        assert_eq!(f.len(), 1, "the pseudo-field is not listed");
        assert_eq!(f.unique().count(), 2);
        let f = fields("container=web-2 status=200").with_container(Some("router"));
        assert_eq!(f.get(CONTAINER).map(|f| &*f.value), Some("web-2"));
        assert_eq!(f.unique().count(), 2);
        let f = fields("no fields here").with_container(Some("worker-1"));
        assert_eq!(f.get("container").map(|f| &*f.value), Some("worker-1"));
    }

    #[test]
    fn hostile_messages_are_bounded() {
        let many = "k=v ".repeat(10_000);
        assert_eq!(fields(&many).len(), MAX_FIELDS);
        let deep = format!("{}{}", "{\"a\":".repeat(1000), "}".repeat(1000));
        assert!(
            fields(&deep).is_empty(),
            "serde_json's recursion limit refuses it"
        );
    }

    #[test]
    fn pretty_json_indents_without_reordering_or_rewriting() {
        let json = r#"{"b":1,"a":{"x":[1,2.50],"e":{}},"s":"a, b: {c}"}"#;
        assert_eq!(
            pretty_json(json).as_deref(),
            Some(
                "{\n  \"b\": 1,\n  \"a\": {\n    \"x\": [\n      1,\n      2.50\n    ],\n    \"e\": {}\n  },\n  \"s\": \"a, b: {c}\"\n}"
            )
        );
        assert_eq!(
            pretty_json("{\"a\":\"q\\\"{\"}").as_deref(),
            Some("{\n  \"a\": \"q\\\"{\"\n}")
        );
        assert_eq!(pretty_json("{broken"), None);
    }

    fn keyed(keys: &[&'static str]) -> Vec<Field<'static>> {
        keys.iter()
            .map(|k| Field {
                key: Cow::Borrowed(*k),
                value: Cow::Borrowed(""),
                kind: ValueKind::Absent,
            })
            .collect()
    }

    #[test]
    fn the_usual_keys_take_the_duplicate_checks_fast_path() {
        // The router's keys and common app keys each set a bit of their own, so lines made of
        // them are told duplicate-free without comparing keys.
        let keys = [
            "method",
            "path",
            "host",
            "request_id",
            "container",
            "from",
            "protocol",
            "status",
            "duration",
            "bytes",
            "referer",
            "user_agent",
            "level",
            "msg",
            "time",
            "error",
            "lvl",
            "severity",
            "log.level",
            "message",
            "user_id",
            "err",
            "id",
            "url",
        ];
        let mut bits: Vec<u8> = keys.iter().map(|k| key_bit(k)).collect();
        bits.sort_unstable();
        bits.dedup();
        assert_eq!(bits.len(), keys.len());
        assert!(!has_duplicates(&keyed(&keys)));
        assert!(has_duplicates(&keyed(&["status", "path", "status"])));
        assert!(!has_duplicates(&keyed(&[])));
    }

    proptest! {
        #[test]
        fn the_duplicate_checks_fast_path_agrees_with_comparing_every_pair(
            keys in proptest::collection::vec("[ab]{0,3}|[a-z_]{1,12}", 0..40)
        ) {
            let list: Vec<Field<'_>> = keys
                .iter()
                .map(|k| Field {
                    key: Cow::Borrowed(k.as_str()),
                    value: Cow::Borrowed(""),
                    kind: ValueKind::Absent,
                })
                .collect();
            prop_assert_eq!(has_duplicates(&list), pairwise_duplicates(&list));
        }

        #[test]
        fn any_message_parses_without_panicking(msg in "\\PC{0,200}") {
            let f = fields(&msg);
            prop_assert!(f.len() <= MAX_FIELDS);
            for field in f.iter() {
                prop_assert!(!field.key.is_empty());
            }
        }

        #[test]
        fn logfmt_pairs_written_with_quotes_read_back(
            pairs in proptest::collection::vec(("[a-z_][a-z0-9_.]{0,8}", "\\PC{0,12}"), 1..8)
        ) {
            let msg: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
                .collect();
            let msg = msg.join(" ");
            let f = fields(&msg);
            let got: Vec<(String, String)> =
                f.iter().map(|f| (f.key.to_string(), f.value.to_string())).collect();
            let want: Vec<(String, String)> =
                pairs.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn a_json_object_of_strings_reads_back(
            map in proptest::collection::btree_map("[a-z]{1,6}", "\\PC{0,12}", 1..6)
        ) {
            let json = serde_json::to_string(&map).expect("serialises");
            let f = fields(&json);
            let got: Vec<(String, String)> =
                f.iter().map(|f| (f.key.to_string(), f.value.to_string())).collect();
            let want: Vec<(String, String)> = map.into_iter().collect();
            prop_assert_eq!(got, want);
            let pretty = pretty_json(&json).expect("valid");
            let a: serde_json::Value = serde_json::from_str(&pretty).expect("pretty is JSON");
            let b: serde_json::Value = serde_json::from_str(&json).expect("JSON");
            prop_assert_eq!(a, b);
        }
    }
}
