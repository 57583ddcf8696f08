//! Decoding the messages of a log stream (WebSocket text frames and SSE `data:` payloads).
//!
//! The SSE parser is written here rather than taken from a crate: the stream is read with
//! `fetch` (see [`SseParser`] for why not `EventSource`), and the crates that parse
//! `text/event-stream` (`eventsource-stream`, `sse-codec`) are built around `futures` streams
//! of `Bytes` and owned events, where this loop needs one call per network chunk and a
//! borrowed `&str` per event, bounded in size.

use serde::Deserialize;

/// What one stream message means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A log line (trailing line break removed).
    Log(String),
    /// A keepalive: proves the stream is alive, shows nothing.
    Ping,
    /// A well-formed event this viewer does not know; ignored for forward compatibility.
    Ignored,
    /// A message that could not be understood; counted and skipped.
    Malformed,
}

/// Which transport a message came from: their fallbacks differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// WebSocket text frames: always JSON.
    WebSocket,
    /// Server-Sent Events: `data:` may also be a bare log line.
    Sse,
}

impl Transport {
    /// A short label for the status pill.
    pub fn label(self) -> &'static str {
        match self {
            Transport::WebSocket => "WebSocket",
            Transport::Sse => "SSE",
        }
    }
}

/// The members of a stream message this viewer reads; others are skipped (but must be
/// valid JSON). A member may be `null` (absent); a value of another type, or a repeated
/// member, makes the whole message unreadable.
///
/// The event kind is an enum, so serde compares it with `log` and `ping` in place, escaped
/// or not, without allocating; the line is the one allocation per message, the `String`
/// the batch keeps.
#[derive(Deserialize)]
struct Raw {
    // The clients read `event`, the docs write `name`: accept either.
    event: Option<EventKind>,
    name: Option<EventKind>,
    log: Option<String>,
}

/// The kinds of stream event this viewer knows.
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum EventKind {
    Log,
    Ping,
    /// Any other kind: ignored for forward compatibility.
    #[serde(other)]
    Other,
}

impl Raw {
    /// Reads a message, which must be one JSON object (serde would also read a struct
    /// from an array of its members).
    fn read(text: &str) -> Option<Self> {
        if !text.trim_start().starts_with('{') {
            return None;
        }
        serde_json::from_str(text).ok()
    }
}

/// Decodes one message received over `transport`.
pub fn decode(text: &str, transport: Transport) -> Frame {
    let raw_line = || Frame::Log(trim_line(text).to_owned());
    match Raw::read(text) {
        Some(raw) => match raw.event.or(raw.name) {
            Some(EventKind::Log) => match raw.log {
                Some(mut log) => {
                    let len = trim_line(&log).len();
                    log.truncate(len);
                    Frame::Log(log)
                }
                None => Frame::Malformed,
            },
            Some(EventKind::Ping) => Frame::Ping,
            Some(EventKind::Other) => Frame::Ignored,
            // A JSON object without an event kind: over SSE it may be an application's own
            // structured log line sent bare, so it is shown; over WebSocket it is noise.
            None if transport == Transport::Sse => raw_line(),
            None => Frame::Malformed,
        },
        None if transport == Transport::Sse => raw_line(),
        None => Frame::Malformed,
    }
}

/// The messages received since the last hand-over, already decoded.
///
/// The socket callback decodes each message into the batch as it arrives and the stream
/// hands the whole batch over once per animation frame: at 20,000 lines/s that is one
/// event for ~330 lines instead of a channel message, a task wake-up and a poll per line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    /// Log lines, oldest first.
    pub lines: Vec<String>,
    /// Messages that could not be understood (skipped).
    pub malformed: u64,
    /// Every message received, keepalives included: proof that the stream is alive.
    pub messages: u64,
}

impl Batch {
    /// Decodes one message received over `transport` into the batch.
    pub fn push(&mut self, text: &str, transport: Transport) {
        self.messages += 1;
        match decode(text, transport) {
            Frame::Log(line) => self.lines.push(line),
            Frame::Ping | Frame::Ignored => {}
            Frame::Malformed => self.malformed += 1,
        }
    }

    /// Counts one message that could not be understood (e.g. an oversized SSE event).
    pub fn push_malformed(&mut self) {
        self.messages += 1;
        self.malformed += 1;
    }

    /// True when no message arrived since the last hand-over.
    pub fn is_empty(&self) -> bool {
        self.messages == 0
    }

    /// Everything received so far; the batch starts over empty.
    pub fn take(&mut self) -> Batch {
        std::mem::take(self)
    }
}

/// The largest Server-Sent Event accepted; a longer one is skipped and counted, so a
/// broken or hostile stream cannot grow the parser's memory without bound.
pub const MAX_SSE_EVENT_BYTES: usize = 16 << 20;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What [`SseParser::feed`] found in the stream.
#[derive(Debug, PartialEq, Eq)]
pub enum SseEvent<'a> {
    /// The data of one `message` event (its `data:` lines joined by line breaks).
    Data(&'a str),
    /// An event longer than [`MAX_SSE_EVENT_BYTES`], dropped.
    TooLong,
}

/// An incremental `text/event-stream` parser (WHATWG HTML, "Server-sent events"): fed the
/// response body chunk by chunk as `fetch` delivers it, it emits each event's data.
///
/// The stream is read with `fetch` rather than `EventSource` because Chromium's
/// `EventSource` dispatches one DOM event per message, all the events of a network chunk in
/// one task: at 20,000 lines/s even a page whose handler does nothing sees main-thread
/// tasks over 100 ms. One call per chunk, parsed here, costs a few microseconds per line.
#[derive(Debug, Default)]
pub struct SseParser {
    /// The end of a line cut by a chunk boundary.
    partial: Vec<u8>,
    data: String,
    event: String,
    /// The last chunk ended with CR: a LF starting the next one belongs to it.
    after_cr: bool,
    started: bool,
    /// The current event grew past the limit: it is skipped when it ends.
    too_long: bool,
    /// Inside a line already past the limit: its bytes are dropped up to its end.
    discarding: bool,
}

impl SseParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses the next `chunk` of the body, calling `emit` for every complete event.
    pub fn feed(&mut self, mut chunk: &[u8], mut emit: impl FnMut(SseEvent<'_>)) {
        if !self.started {
            // A byte order mark may start the stream; it is not part of the first field.
            self.partial.extend_from_slice(chunk);
            if self.partial.len() < BOM.len() && BOM.starts_with(&self.partial) {
                return;
            }
            self.started = true;
            let head = std::mem::take(&mut self.partial);
            self.feed_lines(head.strip_prefix(BOM).unwrap_or(&head), &mut emit);
            return;
        }
        if chunk.is_empty() {
            return;
        }
        if self.after_cr && chunk[0] == b'\n' {
            chunk = &chunk[1..];
        }
        self.after_cr = false;
        self.feed_lines(chunk, &mut emit);
    }

    fn feed_lines(&mut self, chunk: &[u8], emit: &mut dyn FnMut(SseEvent<'_>)) {
        let mut i = 0;
        while let Some(pos) = chunk[i..].iter().position(|&b| b == b'\n' || b == b'\r') {
            let end = i + pos;
            let cr = chunk[end] == b'\r';
            if self.discarding {
                // The rest of a line already too long: drop it, the event is skipped.
                self.discarding = false;
            } else if self.partial.is_empty() {
                self.line(&chunk[i..end], emit);
            } else {
                let mut line = std::mem::take(&mut self.partial);
                line.extend_from_slice(&chunk[i..end]);
                self.line(&line, emit);
                line.clear();
                // Keep the allocation for the next cut line.
                self.partial = line;
            }
            i = end + 1;
            if cr {
                if i == chunk.len() {
                    self.after_cr = true;
                } else if chunk[i] == b'\n' {
                    i += 1;
                }
            }
        }
        let rest = &chunk[i..];
        if self.discarding {
            return;
        }
        if self.partial.len() + rest.len() > MAX_SSE_EVENT_BYTES {
            self.too_long = true;
            self.discarding = true;
            self.partial.clear();
        } else {
            self.partial.extend_from_slice(rest);
        }
    }

    fn line(&mut self, line: &[u8], emit: &mut dyn FnMut(SseEvent<'_>)) {
        if line.is_empty() {
            self.dispatch(emit);
            return;
        }
        if line[0] == b':' {
            return;
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(c) => {
                let v = &line[c + 1..];
                (&line[..c], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (line, &[][..]),
        };
        match field {
            b"data" => {
                if self.too_long || self.data.len() + value.len() + 1 > MAX_SSE_EVENT_BYTES {
                    self.too_long = true;
                    self.data.clear();
                    return;
                }
                self.data.push_str(&String::from_utf8_lossy(value));
                self.data.push('\n');
            }
            b"event" => self.event = String::from_utf8_lossy(value).into_owned(),
            // `id` and `retry` steer EventSource's own reconnection; the hook owns that.
            _ => {}
        }
    }

    fn dispatch(&mut self, emit: &mut dyn FnMut(SseEvent<'_>)) {
        let is_message = self.event.is_empty() || self.event == "message";
        if self.too_long {
            if is_message {
                emit(SseEvent::TooLong);
            }
        } else if !self.data.is_empty() && is_message {
            emit(SseEvent::Data(&self.data[..self.data.len() - 1]));
        }
        self.data.clear();
        self.event.clear();
        self.too_long = false;
    }
}

fn trim_line(text: &str) -> &str {
    text.trim_end_matches(['\n', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_the_event_and_the_name_key_are_understood() {
        for json in [
            r#"{"event":"log","log":"hello\n","timestamp":"2024-01-01T00:00:00Z"}"#,
            r#"{"name":"log","log":"hello"}"#,
            r#"{"event":"log","name":"log","log":"hello"}"#,
            r#"{"event":"l\u006fg","log":"hel\u006co"}"#,
        ] {
            assert_eq!(
                decode(json, Transport::WebSocket),
                Frame::Log("hello".into())
            );
        }
    }

    #[test]
    fn pings_are_recognised_and_unknown_events_ignored() {
        assert_eq!(
            decode(
                r#"{"event":"ping","timestamp":"2024-01-01T00:00:00Z"}"#,
                Transport::Sse
            ),
            Frame::Ping
        );
        assert_eq!(
            decode(r#"{"name":"ping"}"#, Transport::WebSocket),
            Frame::Ping
        );
        assert_eq!(
            decode(r#"{"event":"resize"}"#, Transport::WebSocket),
            Frame::Ignored
        );
    }

    #[test]
    fn malformed_websocket_frames_are_counted_not_shown() {
        for text in [
            "not json",
            "{\"event\":\"log\"}",
            "[1,2]",
            "[\"log\",null,\"x\"]",
            "{\"log\":\"x\"}",
            "{",
            r#"{"event":"log","event":"log","log":"x"}"#,
            r#"{"event":1,"log":"x"}"#,
            r#"{"event":"log","log":"x"} trailing"#,
        ] {
            assert_eq!(
                decode(text, Transport::WebSocket),
                Frame::Malformed,
                "{text}"
            );
        }
    }

    #[test]
    fn deeply_nested_members_are_skipped_or_refused_without_exhausting_the_stack() {
        let (open, close) = ("[".repeat(100_000), "]".repeat(100_000));
        let skipped = format!(r#"{{"event":"log","log":"x","extra":{open}1{close}}}"#);
        assert_eq!(
            decode(&skipped, Transport::WebSocket),
            Frame::Log("x".into())
        );
        let read = format!(r#"{{"event":"log","log":{open}"x"{close}}}"#);
        assert_eq!(decode(&read, Transport::WebSocket), Frame::Malformed);
    }

    #[test]
    fn non_json_sse_data_is_one_raw_log_line() {
        assert_eq!(
            decode(
                "2024-01-01 00:00:00.0 +0000 UTC [web-1] plain",
                Transport::Sse
            ),
            Frame::Log("2024-01-01 00:00:00.0 +0000 UTC [web-1] plain".into())
        );
        assert_eq!(
            decode("<script>alert(1)</script>", Transport::Sse),
            Frame::Log("<script>alert(1)</script>".into())
        );
    }

    fn parse_in_chunks(body: &[u8], cut: usize) -> Vec<String> {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        for chunk in body.chunks(cut.max(1)) {
            p.feed(chunk, |e| {
                out.push(match e {
                    SseEvent::Data(d) => d.to_owned(),
                    SseEvent::TooLong => "<too long>".to_owned(),
                })
            });
        }
        out
    }

    #[test]
    fn sse_events_are_parsed_whatever_the_chunk_boundaries() {
        let body = "\u{feff}: comment\r\ndata: {\"event\":\"log\",\"log\":\"a\"}\r\n\r\nid: 7\nretry: 10\ndata:b1\ndata:  b2\n\nevent: message\rdata: c\r\rdata\n\ndata: é€\n\n";
        let expected = vec![
            "{\"event\":\"log\",\"log\":\"a\"}",
            "b1\n b2",
            "c",
            "",
            "é€",
        ];
        for cut in 1..body.len() + 1 {
            assert_eq!(parse_in_chunks(body.as_bytes(), cut), expected, "cut {cut}");
        }
    }

    #[test]
    fn named_events_empty_events_and_an_unfinished_event_emit_nothing() {
        let body = "event: other\ndata: x\n\n\n\nevent: y\n\ndata: unfinished";
        assert!(parse_in_chunks(body.as_bytes(), 1000).is_empty());
    }

    #[test]
    fn an_oversized_sse_event_is_skipped_and_the_next_one_still_arrives() {
        let huge = "x".repeat(MAX_SSE_EVENT_BYTES + 10);
        let body = format!("data: {huge}\ndata: tail\n\ndata: next\n\n");
        assert_eq!(
            parse_in_chunks(body.as_bytes(), 1 << 16),
            vec!["<too long>", "next"]
        );
    }

    #[test]
    fn a_batch_keeps_lines_in_order_and_counts_what_it_skips() {
        let mut b = Batch::default();
        assert!(b.is_empty());
        b.push(r#"{"event":"log","log":"one\n"}"#, Transport::WebSocket);
        b.push(r#"{"event":"ping"}"#, Transport::WebSocket);
        b.push("garbage", Transport::WebSocket);
        b.push(
            r#"{"name":"log","log":"two \u001b[31m\"red\"\r\n"}"#,
            Transport::WebSocket,
        );
        b.push_malformed();
        let taken = b.take();
        assert!(b.is_empty());
        assert_eq!(taken.lines, vec!["one", "two \u{1b}[31m\"red\""]);
        assert_eq!(taken.malformed, 2);
        assert_eq!(taken.messages, 5);
    }

    proptest::proptest! {
        #[test]
        fn the_sse_parser_never_panics_on_arbitrary_bytes(
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
            cut in 1usize..40,
        ) {
            parse_in_chunks(&body, cut);
        }

        #[test]
        fn any_log_line_survives_json_framing_and_junk_never_panics(line in proptest::arbitrary::any::<String>(), junk in proptest::arbitrary::any::<String>()) {
            let mut frame = String::from(r#"{"timestamp":"2024-01-01T00:00:00Z","event":"log","log":"#);
            frame.push_str(&serde_json::to_string(&line).unwrap());
            frame.push('}');
            let expected = Frame::Log(trim_line(&line).to_owned());
            proptest::prop_assert_eq!(decode(&frame, Transport::WebSocket), expected.clone());
            proptest::prop_assert_eq!(decode(&frame, Transport::Sse), expected);
            decode(&junk, Transport::WebSocket);
            decode(&junk, Transport::Sse);
        }

        #[test]
        fn every_data_payload_survives_the_framing(
            payloads in proptest::collection::vec("[^\r\n]{1,40}", 0..10),
            cut in 1usize..64,
        ) {
            let body: String = payloads.iter().map(|p| format!("data: {p}\n\n")).collect();
            let got = parse_in_chunks(body.as_bytes(), cut);
            proptest::prop_assert_eq!(got, payloads.clone());
        }
    }
}
