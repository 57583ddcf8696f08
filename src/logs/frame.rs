//! Decoding the messages of a log stream (WebSocket text frames and SSE `data:` payloads).

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

#[derive(Deserialize)]
struct Raw {
    // The clients read `event`, the docs write `name`: accept either.
    #[serde(default)]
    event: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    log: Option<String>,
}

/// Decodes one message received over `transport`.
pub fn decode(text: &str, transport: Transport) -> Frame {
    let raw_line = || Frame::Log(trim_line(text).to_owned());
    match serde_json::from_str::<Raw>(text) {
        Ok(raw) => match raw.event.or(raw.name).as_deref() {
            Some("log") => match raw.log {
                Some(log) => Frame::Log(trim_line(&log).to_owned()),
                None => Frame::Malformed,
            },
            Some("ping") => Frame::Ping,
            Some(_) => Frame::Ignored,
            // A JSON object without an event kind: over SSE it may be an application's own
            // structured log line sent bare, so it is shown; over WebSocket it is noise.
            None if transport == Transport::Sse => raw_line(),
            None => Frame::Malformed,
        },
        Err(_) if transport == Transport::Sse => raw_line(),
        Err(_) => Frame::Malformed,
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
            "{\"log\":\"x\"}",
            "{",
        ] {
            assert_eq!(
                decode(text, Transport::WebSocket),
                Frame::Malformed,
                "{text}"
            );
        }
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
}
