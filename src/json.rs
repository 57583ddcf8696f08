//! The app's one JSON reader and writer: strict RFC 8259, no serde.
//!
//! serde_json instantiates its generic deserialiser once per type and visitor; for a dozen
//! small API bodies that was ~53 KB of wasm. Here there is one parser: [`parse`] builds a
//! [`Value`] that API modules read with typed accessors whose errors name the field
//! (`addons[0].addon_provider: missing field `id``), and [`Reader`] walks a document
//! without building it, for the log stream's hot path and for `config.json`'s unknown-key
//! check. Numbers keep their source text: nothing needs exact float parsing, and core's
//! float parser is large.

use std::borrow::Cow;
use std::fmt;

/// How deeply arrays and objects may nest, as in serde_json: deeper input is refused
/// instead of exhausting the stack.
pub const MAX_DEPTH: usize = 128;

/// A JSON document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(Number),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object, members in document order.
    Object(Object),
}

/// A JSON number, kept as its (valid) source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Number(String);

/// A JSON object: members in document order. Lookups take the last member of a repeated
/// name, as serde_json's map did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Object(Vec<(String, Value)>);

/// Why a document could not be read, or was not of the expected shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    message: Cow<'static, str>,
    /// Line and column (from 1) of a syntax error.
    at: Option<(usize, usize)>,
    /// Where in the document a shape error is, e.g. `apps[2].name`.
    path: String,
}

/// Parses a whole document.
pub fn parse(text: &str) -> Result<Value, Error> {
    let mut reader = Reader::new(text);
    let value = reader.value()?;
    reader.end()?;
    Ok(value)
}

impl Error {
    /// A shape error, e.g. `missing field `name``.
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Error {
            message: message.into(),
            at: None,
            path: String::new(),
        }
    }

    /// The same error, located inside `segment` (a member name or `name[index]`).
    pub fn within(mut self, segment: &str) -> Self {
        if !self.path.is_empty() && !self.path.starts_with('[') {
            self.path.insert(0, '.');
        }
        self.path.insert_str(0, segment);
        self
    }

    fn missing(key: &str) -> Self {
        Error::new(format!("missing field `{key}`"))
    }

    fn expected(what: &str, found: &Value) -> Self {
        Error::new(format!("expected {what}, found {}", found.kind()))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let Some((line, column)) = self.at {
            write!(f, " at line {line} column {column}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl Number {
    /// The number as written, e.g. `1.5e3`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number if it is written as a whole number that fits.
    pub fn as_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }

    /// The number if it is written as a whole number that fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    /// The number as an `f64`: exact for whole numbers up to 2^53, otherwise within a few
    /// units in the last place. Good enough for a JWT expiry, and much smaller in wasm than
    /// core's correctly rounded parser.
    pub fn as_f64_lossy(&self) -> f64 {
        let text = self.0.as_str();
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (digits, exponent) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], text[i + 1..].parse::<i32>().unwrap_or(0)),
            None => (text, 0),
        };
        let mut mantissa: u64 = 0;
        let mut scale = exponent;
        let mut after_point = false;
        for b in digits.bytes() {
            match b {
                b'.' => after_point = true,
                _ if mantissa < (1 << 60) => {
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                    if after_point {
                        scale -= 1;
                    }
                }
                // Digits beyond u64's precision only change the magnitude.
                _ if !after_point => scale += 1,
                _ => {}
            }
        }
        let value = mantissa as f64 * 10f64.powi(scale);
        if negative {
            -value
        } else {
            value
        }
    }
}

impl From<u64> for Number {
    fn from(n: u64) -> Self {
        Number(n.to_string())
    }
}

impl Object {
    /// An empty object.
    pub fn new() -> Self {
        Object(Vec::new())
    }

    /// Adds a member (builder style, for request bodies).
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.push((key.to_owned(), value.into()));
        self
    }

    /// The value of member `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Takes member `key` out, e.g. to keep a large string without copying it.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let index = self.0.iter().rposition(|(k, _)| k == key)?;
        Some(self.0.remove(index).1)
    }

    /// The members, in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many members there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Member `key` converted to `T`; an error if it is missing or of another type.
    pub fn req<T: FromValue>(&self, key: &str) -> Result<T, Error> {
        match self.get(key) {
            Some(v) => T::from_value(v).map_err(|e| e.within(key)),
            None => Err(Error::missing(key)),
        }
    }

    /// Member `key` converted to `T`; `None` when missing or `null`, an error when of
    /// another type.
    pub fn opt<T: FromValue>(&self, key: &str) -> Result<Option<T>, Error> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => T::from_value(v).map(Some).map_err(|e| e.within(key)),
        }
    }

    /// Member `key` converted to `T`; `T`'s default when missing or `null`.
    pub fn or_default<T: FromValue + Default>(&self, key: &str) -> Result<T, Error> {
        Ok(self.opt(key)?.unwrap_or_default())
    }

    /// Member `key`, a string, borrowed; an error if it is missing or not a string.
    pub fn str(&self, key: &str) -> Result<&str, Error> {
        match self.get(key) {
            Some(Value::String(s)) => Ok(s),
            Some(v) => Err(Error::expected("a string", v).within(key)),
            None => Err(Error::missing(key)),
        }
    }

    /// Member `key`, an object, read by `read`; errors are located inside `key`.
    pub fn nested<'s, T>(
        &'s self,
        key: &str,
        read: impl FnOnce(&'s Object) -> Result<T, Error>,
    ) -> Result<T, Error> {
        match self.get(key) {
            Some(v) => v.object().and_then(read).map_err(|e| e.within(key)),
            None => Err(Error::missing(key)),
        }
    }

    /// Member `key`, an object read by `read`, or `None` when missing or `null`.
    pub fn opt_nested<'s, T>(
        &'s self,
        key: &str,
        read: impl FnOnce(&'s Object) -> Result<T, Error>,
    ) -> Result<Option<T>, Error> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .object()
                .and_then(read)
                .map(Some)
                .map_err(|e| e.within(key)),
        }
    }

    /// Member `key`, an array whose items are each read by `read`; an error names the item.
    pub fn list<T>(
        &self,
        key: &str,
        read: impl FnMut(&Value) -> Result<T, Error>,
    ) -> Result<Vec<T>, Error> {
        match self.get(key) {
            Some(v) => v.list(read).map_err(|e| e.within(key)),
            None => Err(Error::missing(key)),
        }
    }
}

impl Value {
    /// What kind of value this is, for error messages: `a string`, `an object`…
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// Member `key` of an object; `None` for a missing member or another kind of value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is a whole one that fits.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// The items, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The object; an error naming what was found instead.
    pub fn object(&self) -> Result<&Object, Error> {
        self.as_object()
            .ok_or_else(|| Error::expected("an object", self))
    }

    /// The items of this array, each read by `read`; an error names the item.
    pub fn list<T>(
        &self,
        mut read: impl FnMut(&Value) -> Result<T, Error>,
    ) -> Result<Vec<T>, Error> {
        let items = self
            .as_array()
            .ok_or_else(|| Error::expected("an array", self))?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| read(item).map_err(|e| e.within(&format!("[{i}]"))))
            .collect()
    }

    /// The document as compact JSON text.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    /// Appends the document as compact JSON text.
    pub fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(&n.0),
            Value::String(s) => write_string(out, s),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Value::Object(o) => {
                out.push('{');
                for (i, (k, v)) in o.0.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<Object> for Value {
    fn from(o: Object) -> Self {
        Value::Object(o)
    }
}

/// Appends `text` as a JSON string literal: quotes, backslashes and control characters
/// escaped (`\n`, `\u001b`…), everything else as is.
pub fn write_string(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(text.len() + 2);
    out.push('"');
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        if short.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        } else {
            out.push_str(short);
        }
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

/// A type a member can be read as with [`Object::req`], [`Object::opt`] and
/// [`Object::or_default`].
pub trait FromValue: Sized {
    /// Converts `value`, or says what was expected.
    fn from_value(value: &Value) -> Result<Self, Error>;
}

impl FromValue for String {
    fn from_value(value: &Value) -> Result<Self, Error> {
        match value {
            Value::String(s) => Ok(s.clone()),
            _ => Err(Error::expected("a string", value)),
        }
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Result<Self, Error> {
        value
            .as_bool()
            .ok_or_else(|| Error::expected("a boolean", value))
    }
}

impl FromValue for u64 {
    fn from_value(value: &Value) -> Result<Self, Error> {
        value
            .as_u64()
            .ok_or_else(|| Error::expected("a whole number", value))
    }
}

impl FromValue for u32 {
    fn from_value(value: &Value) -> Result<Self, Error> {
        value
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| Error::expected("a whole number up to 4294967295", value))
    }
}

/// How many bytes at the start of `bytes` a string copies as they are: up to the first
/// quote, backslash or control character. Log lines are long, so this looks at eight bytes
/// at a time with the "has a zero byte" trick: `(x - 0x01…01) & !x & 0x80…80` flags each
/// byte that is zero (and, through borrows, possibly bytes above it, never below, so the
/// lowest flag is always a true one).
fn plain_len(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::MAX / 255;
    const HIGH_BITS: u64 = ONES << 7;
    let mut n = 0;
    for chunk in bytes.chunks_exact(8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("chunks of 8 bytes"));
        let control = x.wrapping_sub(ONES * 0x20) & !x;
        let quote = x ^ (ONES * u64::from(b'"'));
        let quote = quote.wrapping_sub(ONES) & !quote;
        let backslash = x ^ (ONES * u64::from(b'\\'));
        let backslash = backslash.wrapping_sub(ONES) & !backslash;
        let flags = (control | quote | backslash) & HIGH_BITS;
        if flags != 0 {
            return n + flags.trailing_zeros() as usize / 8;
        }
        n += 8;
    }
    n + bytes[n..]
        .iter()
        .take_while(|&&b| b != b'"' && b != b'\\' && b >= 0x20)
        .count()
}

/// A cursor over a document that reads it piece by piece without building a [`Value`]:
/// strings without escapes are borrowed from the text.
#[derive(Debug)]
pub struct Reader<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
    /// Where the last member name read ends (after its closing quote).
    key_end: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Reader {
            text,
            pos: 0,
            depth: 0,
            key_end: 0,
        }
    }

    /// A syntax error at the current position. The position is worked out here, so that
    /// a failed parse costs no allocation (non-JSON SSE lines fail on every message).
    pub fn error(&self, message: impl Into<Cow<'static, str>>) -> Error {
        self.error_at(self.pos, message)
    }

    /// An error about the member name just read (an unknown or repeated one), placed on
    /// its closing quote as serde_json placed it.
    pub fn key_error(&self, message: impl Into<Cow<'static, str>>) -> Error {
        self.error_at(self.key_end.saturating_sub(1), message)
    }

    /// An error about the value just read (of the wrong type), placed on its last
    /// character as serde_json placed it.
    pub fn value_error(&self, message: impl Into<Cow<'static, str>>) -> Error {
        self.error_at(self.pos.saturating_sub(1), message)
    }

    fn error_at(&self, pos: usize, message: impl Into<Cow<'static, str>>) -> Error {
        let before = &self.text.as_bytes()[..pos.min(self.text.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        Error {
            message: message.into(),
            at: Some((line, before.len() - line_start + 1)),
            path: String::new(),
        }
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(self.pos) {
            self.pos += 1;
        }
        bytes.get(self.pos).copied()
    }

    /// Checks that only whitespace is left.
    pub fn end(&mut self) -> Result<(), Error> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters")),
        }
    }

    /// Reads one value.
    pub fn value(&mut self) -> Result<Value, Error> {
        Ok(match self.peek() {
            Some(b'{') => {
                let mut members = Vec::new();
                self.object(|r, key| {
                    members.push((key.into_owned(), r.value()?));
                    Ok(())
                })?;
                Value::Object(Object(members))
            }
            Some(b'[') => {
                let mut items = Vec::new();
                self.array(|r| {
                    items.push(r.value()?);
                    Ok(())
                })?;
                Value::Array(items)
            }
            Some(b'"') => Value::String(self.string()?.into_owned()),
            Some(b'-' | b'0'..=b'9') => Value::Number(Number(self.number()?.to_owned())),
            _ => match self.literal()? {
                Some(b) => Value::Bool(b),
                None => Value::Null,
            },
        })
    }

    /// Skips one value, checking it is well formed, without building it.
    pub fn skip(&mut self) -> Result<(), Error> {
        match self.peek() {
            Some(b'{') => self.object(|r, _| r.skip()),
            Some(b'[') => self.array(Self::skip),
            Some(b'"') => self.string().map(drop),
            Some(b'-' | b'0'..=b'9') => self.number().map(drop),
            _ => self.literal().map(drop),
        }
    }

    /// Reads `true`, `false` (as `Some`) or `null` (as `None`).
    fn literal(&mut self) -> Result<Option<bool>, Error> {
        let rest = &self.text.as_bytes()[self.pos..];
        let (value, len) = if rest.starts_with(b"true") {
            (Some(true), 4)
        } else if rest.starts_with(b"false") {
            (Some(false), 5)
        } else if rest.starts_with(b"null") {
            (None, 4)
        } else if rest.is_empty() {
            return Err(self.error("EOF while parsing a value"));
        } else {
            return Err(self.error("expected value"));
        };
        self.pos += len;
        Ok(value)
    }

    /// Reads a string, or `null` as `None`.
    pub fn opt_string(&mut self) -> Result<Option<Cow<'a, str>>, Error> {
        match self.peek() {
            Some(b'"') => self.string().map(Some),
            Some(b'n') if self.literal()?.is_none() => Ok(None),
            _ => Err(self.error("expected a string")),
        }
    }

    /// Reads a string: borrowed from the text when it has no escape.
    pub fn string(&mut self) -> Result<Cow<'a, str>, Error> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a string"));
        }
        self.pos += 1;
        let text: &'a str = self.text;
        let bytes = text.as_bytes();
        let start = self.pos;
        self.pos += plain_len(&bytes[start..]);
        match bytes.get(self.pos) {
            Some(b'"') => {
                self.pos += 1;
                return Ok(Cow::Borrowed(&text[start..self.pos - 1]));
            }
            Some(b'\\') => {}
            Some(_) => return Err(self.error("control character found while parsing a string")),
            None => return Err(self.error("EOF while parsing a string")),
        }
        // Escapes only shrink text, so the raw length up to the closing quote is enough room:
        // one allocation per escaped string (log lines with colours are the common case).
        let mut end = self.pos;
        while let Some(&b) = bytes.get(end) {
            match b {
                b'"' => break,
                b'\\' => end += 2,
                _ => end += 1,
            }
            end += plain_len(bytes.get(end..).unwrap_or_default());
        }
        let mut out = String::with_capacity(end.min(bytes.len()) - start);
        out.push_str(&text[start..self.pos]);
        loop {
            let run = self.pos;
            self.pos += plain_len(&bytes[run..]);
            // Runs end on ASCII bytes, so they are whole UTF-8 sequences.
            out.push_str(&text[run..self.pos]);
            match bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => return Err(self.error("control character found while parsing a string")),
                None => return Err(self.error("EOF while parsing a string")),
            }
        }
    }

    /// Decodes the escape after a backslash into `out`.
    fn escape(&mut self, out: &mut String) -> Result<(), Error> {
        let Some(&b) = self.text.as_bytes().get(self.pos) else {
            return Err(self.error("EOF while parsing a string"));
        };
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                let code = match unit {
                    0xD800..=0xDBFF => {
                        let rest = &self.text.as_bytes()[self.pos..];
                        if !rest.starts_with(b"\\u") {
                            return Err(self.error("unpaired surrogate in \\u escape"));
                        }
                        self.pos += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(self.error("unpaired surrogate in \\u escape"));
                        }
                        0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(self.error("unpaired surrogate in \\u escape")),
                    _ => unit,
                };
                // Surrogates were handled above, so every code is a scalar value.
                char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))?
            }
            _ => {
                self.pos -= 1;
                return Err(self.error("invalid escape"));
            }
        };
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let mut unit = 0;
        for _ in 0..4 {
            let digit = self
                .text
                .as_bytes()
                .get(self.pos)
                .and_then(|&b| char::from(b).to_digit(16))
                .ok_or_else(|| self.error("invalid \\u escape"))?;
            unit = unit * 16 + digit;
            self.pos += 1;
        }
        Ok(unit)
    }

    /// Reads a number, returning its text.
    fn number(&mut self) -> Result<&'a str, Error> {
        let text: &'a str = self.text;
        let bytes = text.as_bytes();
        let start = self.pos;
        let digits = |pos: &mut usize| {
            let from = *pos;
            while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            *pos > from
        };
        let mut pos = start;
        if bytes.get(pos) == Some(&b'-') {
            pos += 1;
        }
        let ok = match bytes.get(pos) {
            Some(b'0') => {
                pos += 1;
                true
            }
            Some(b'1'..=b'9') => digits(&mut pos),
            _ => false,
        } && (bytes.get(pos) != Some(&b'.') || {
            pos += 1;
            digits(&mut pos)
        }) && (!matches!(bytes.get(pos), Some(b'e' | b'E')) || {
            pos += 1;
            if matches!(bytes.get(pos), Some(b'+' | b'-')) {
                pos += 1;
            }
            digits(&mut pos)
        });
        self.pos = pos;
        if !ok {
            return Err(self.error("invalid number"));
        }
        Ok(&text[start..pos])
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("recursion limit exceeded"));
        }
        self.pos += 1;
        Ok(())
    }

    /// Reads an object, calling `member` with each name; `member` must read or skip the
    /// value that follows.
    pub fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, Cow<'a, str>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        if self.peek() != Some(b'{') {
            return Err(self.error("expected an object"));
        }
        self.enter()?;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            match self.peek() {
                Some(b'"') => {}
                Some(b'}') => return Err(self.error("trailing comma")),
                None => return Err(self.error("EOF while parsing an object")),
                Some(_) => return Err(self.error("key must be a string")),
            }
            let key = self.string()?;
            self.key_end = self.pos;
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:`"));
            }
            self.pos += 1;
            member(self, key)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => break,
                None => return Err(self.error("EOF while parsing an object")),
                Some(_) => return Err(self.error("expected `,` or `}`")),
            }
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(())
    }

    /// Reads an array, calling `item` for each item, which it must read or skip.
    pub fn array(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<(), Error>,
    ) -> Result<(), Error> {
        if self.peek() != Some(b'[') {
            return Err(self.error("expected an array"));
        }
        self.enter()?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            match self.peek() {
                Some(b']') => return Err(self.error("trailing comma")),
                None => return Err(self.error("EOF while parsing a list")),
                Some(_) => item(self)?,
            }
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => break,
                None => return Err(self.error("EOF while parsing a list")),
                Some(_) => return Err(self.error("expected `,` or `]`")),
            }
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(())
    }
}

/// A [`Value`] written in serde_json's `json!` syntax, for readable tests.
#[cfg(test)]
macro_rules! json {
    ($($t:tt)+) => {
        $crate::json::parse(&serde_json::json!($($t)+).to_string()).unwrap()
    };
}
#[cfg(test)]
pub(crate) use json;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn every_kind_of_value_is_read() {
        let v =
            parse(r#" {"a": [1, -2.5e3, true, false, null], "b": {"c": "d"}, "e": ""} "#).unwrap();
        let a = v.get("a").and_then(Value::as_array).unwrap();
        assert_eq!(a[0].as_u64(), Some(1));
        assert!(matches!(&a[1], Value::Number(n) if n.as_str() == "-2.5e3"));
        assert_eq!(a[2], Value::Bool(true));
        assert_eq!(a[3], Value::Bool(false));
        assert_eq!(a[4], Value::Null);
        assert_eq!(
            v.get("b").and_then(|b| b.get("c")).and_then(Value::as_str),
            Some("d")
        );
        assert_eq!(v.get("e").and_then(Value::as_str), Some(""));
        assert_eq!(parse("0").unwrap().as_u64(), Some(0));
        assert_eq!(parse("[]").unwrap(), Value::Array(vec![]));
        assert_eq!(parse("{}").unwrap(), Value::Object(Object::new()));
    }

    #[test]
    fn escapes_and_surrogate_pairs_are_decoded() {
        let v = parse(r#""a\"b\\c\/d\b\f\n\r\t \u00e9\u20AC \ud83d\ude00 é€😀""#).unwrap();
        assert_eq!(v.as_str(), Some("a\"b\\c/d\u{8}\u{c}\n\r\t é€ 😀 é€😀"));
    }

    #[test]
    fn strings_without_escapes_are_borrowed_from_the_text() {
        let text = r#""plain é" "esc\n""#;
        let mut r = Reader::new(text);
        assert!(matches!(r.string().unwrap(), Cow::Borrowed("plain é")));
        assert!(matches!(r.string().unwrap(), Cow::Owned(s) if s == "esc\n"));
    }

    #[test]
    fn malformed_documents_are_errors_with_a_position() {
        for (text, message) in [
            ("", "EOF while parsing a value at line 1 column 1"),
            ("nul", "expected value at line 1 column 1"),
            ("{\"a\" 1}", "expected `:` at line 1 column 6"),
            ("{\"a\":1,}", "trailing comma at line 1 column 8"),
            ("[1,]", "trailing comma at line 1 column 4"),
            ("[1 2]", "expected `,` or `]` at line 1 column 4"),
            ("{1:2}", "key must be a string at line 1 column 2"),
            ("{\"a\":1", "EOF while parsing an object at line 1 column 7"),
            ("[\n1,\n", "EOF while parsing a list at line 3 column 1"),
            ("\"abc", "EOF while parsing a string at line 1 column 5"),
            (
                "\"a\u{1}\"",
                "control character found while parsing a string at line 1 column 3",
            ),
            ("\"\\x\"", "invalid escape at line 1 column 3"),
            ("\"\\u12G4\"", "invalid \\u escape at line 1 column 6"),
            (
                "\"\\ud83d\"",
                "unpaired surrogate in \\u escape at line 1 column 8",
            ),
            (
                "\"\\ud83d\\u0041\"",
                "unpaired surrogate in \\u escape at line 1 column 14",
            ),
            (
                "\"\\ude00\"",
                "unpaired surrogate in \\u escape at line 1 column 8",
            ),
            ("01", "trailing characters at line 1 column 2"),
            ("-", "invalid number at line 1 column 2"),
            ("1.", "invalid number at line 1 column 3"),
            ("1e+", "invalid number at line 1 column 4"),
            ("+1", "expected value at line 1 column 1"),
            ("{} {}", "trailing characters at line 1 column 4"),
            ("\u{feff}{}", "expected value at line 1 column 1"),
        ] {
            assert_eq!(err(text), message, "{text:?}");
        }
    }

    #[test]
    fn nesting_is_limited_instead_of_exhausting_the_stack() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(err(&deep).starts_with("recursion limit exceeded"));
        let hostile = "{\"a\":".repeat(100_000);
        assert!(err(&hostile).starts_with("recursion limit exceeded"));
        assert!(Reader::new(&hostile).skip().is_err());
    }

    #[test]
    fn the_writer_escapes_quotes_backslashes_and_control_characters() {
        let mut out = String::new();
        write_string(
            &mut out,
            "\"<script>\"\\ \u{1b}[0m\u{7}\n\r\t\u{8}\u{c}\u{7f} é",
        );
        assert_eq!(
            out,
            "\"\\\"<script>\\\"\\\\ \\u001b[0m\\u0007\\n\\r\\t\\b\\f\u{7f} é\""
        );
        let body = Value::from(
            Object::new()
                .with("url", "a\"b")
                .with("n", Value::Number(Number::from(5)))
                .with("list", Value::Array(vec![Value::Null, Value::Bool(true)])),
        );
        assert_eq!(body.to_json(), r#"{"url":"a\"b","n":5,"list":[null,true]}"#);
        assert_eq!(parse(&body.to_json()).unwrap(), body);
    }

    #[test]
    fn typed_accessors_name_the_field_that_is_missing_or_wrong() {
        let v = parse(r#"{"apps":[{"name":"a","n":1},{"n":"x"}],"o":{"k":null}}"#).unwrap();
        let o = v.object().unwrap();
        let names = o.list("apps", |a| a.object()?.req::<String>("name"));
        assert_eq!(
            names.unwrap_err().to_string(),
            "apps[1]: missing field `name`"
        );
        let ns = o.list("apps", |a| a.object()?.req::<u32>("n"));
        assert_eq!(
            ns.unwrap_err().to_string(),
            "apps[1].n: expected a whole number up to 4294967295, found a string"
        );
        assert_eq!(o.nested("o", |o| o.opt::<String>("k")).unwrap(), None);
        assert_eq!(o.nested("o", |o| o.or_default::<u64>("k")).unwrap(), 0);
        assert_eq!(
            o.nested("o", |o| o.str("k")).unwrap_err().to_string(),
            "o.k: expected a string, found null"
        );
        assert_eq!(
            o.nested("apps", |_| Ok(())).unwrap_err().to_string(),
            "apps: expected an object, found an array"
        );
        assert_eq!(o.opt_nested("none", |_| Ok(1)).unwrap(), None);
        assert!(o
            .list("missing", |_| Ok(()))
            .unwrap_err()
            .to_string()
            .contains("missing field `missing`"));
    }

    #[test]
    fn a_repeated_member_name_reads_as_its_last_value() {
        let v = parse(r#"{"a":1,"a":2}"#).unwrap();
        assert_eq!(v.get("a").and_then(Value::as_u64), Some(2));
        let mut o = v.as_object().unwrap().clone();
        assert_eq!(o.remove("a").and_then(|v| v.as_u64()), Some(2));
        assert_eq!(o.len(), 1);
    }

    #[test]
    fn numbers_convert_to_integers_only_when_whole_and_in_range() {
        let n = |t: &str| match parse(t).unwrap() {
            Value::Number(n) => n,
            other => panic!("{other:?}"),
        };
        assert_eq!(n("18446744073709551615").as_u64(), Some(u64::MAX));
        assert_eq!(n("18446744073709551616").as_u64(), None);
        assert_eq!(n("-1").as_u64(), None);
        assert_eq!(n("-1").as_i64(), Some(-1));
        assert_eq!(n("2.0").as_u64(), None);
        assert_eq!(n("1700003600").as_f64_lossy(), 1_700_003_600.0);
        assert_eq!(n("-0.5").as_f64_lossy(), -0.5);
        assert!((n("1.7000036e9").as_f64_lossy() - 1_700_003_600.0).abs() < 1e-3);
        assert!(
            (n("123456789012345678901234567890").as_f64_lossy() / 1.234_567_890_123_456_8e29 - 1.0)
                .abs()
                < 1e-12
        );
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<u64>().prop_map(|n| Value::Number(Number::from(n))),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                proptest::collection::vec((any::<String>(), inner), 0..8)
                    .prop_map(|members| Value::Object(Object(members))),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_string_written_then_parsed_comes_back_unchanged(s in any::<String>()) {
            let mut out = String::new();
            write_string(&mut out, &s);
            prop_assert_eq!(parse(&out).unwrap(), Value::String(s));
        }

        #[test]
        fn the_word_at_a_time_scan_stops_where_a_byte_by_byte_one_does(bytes in proptest::collection::vec(prop_oneof![any::<u8>(), Just(b'"'), Just(b'\\'), 0x1fu8..=0x21, Just(0x80)], 0..40)) {
            let naive = bytes.iter().take_while(|&&b| b != b'"' && b != b'\\' && b >= 0x20).count();
            prop_assert_eq!(plain_len(&bytes), naive);
        }

        #[test]
        fn any_document_written_then_parsed_comes_back_unchanged(v in any_json()) {
            prop_assert_eq!(parse(&v.to_json()).unwrap(), v);
        }

        #[test]
        fn arbitrary_text_gives_a_value_or_an_error_never_a_panic(s in any::<String>()) {
            let _ = parse(&s);
            let _ = Reader::new(&s).skip();
        }

        #[test]
        fn arbitrary_json_like_text_never_panics(s in "[\\[\\]{}\":,0-9eE.+\\-a-z\\\\ ]{0,64}") {
            let _ = parse(&s);
            let _ = Reader::new(&s).skip();
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let text = String::from_utf8_lossy(&bytes);
            let _ = parse(&text);
        }

        #[test]
        fn the_reader_agrees_with_serde_json_on_what_is_valid(s in "[\\[\\]{}\":,0-9eE.+\\-tfrulnsa\\\\ ]{0,24}") {
            let theirs = serde_json::from_str::<serde_json::Value>(&s);
            // serde_json also refuses numbers beyond f64's range; this reader keeps the text.
            let out_of_range = theirs.as_ref().is_err_and(|e| e.to_string().contains("out of range"));
            if !out_of_range {
                prop_assert_eq!(parse(&s).is_ok(), theirs.is_ok(), "{:?}", s);
            }
        }
    }
}
