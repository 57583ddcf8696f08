//! One log line split into time, container and message, as the platform writes them:
//! `2015-02-16 02:02:43.930163178 +0000 UTC [web-1] [martini] Started GET /`.

use std::ops::Range;

/// A log line as received, with the byte ranges of its parts.
///
/// The raw text is kept whole because overlap removal after a reconnect and downloads
/// "with ANSI" need it exactly; the parts are ranges into it so a line costs one string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    raw: Box<str>,
    time: Option<Range<u32>>,
    container: Option<Range<u32>>,
    message: u32,
    /// The message as a terminal would have shown it (escape sequences applied, `\r`
    /// overwrites done), only stored when the message has anything to interpret.
    plain: Option<Box<str>>,
}

impl LogLine {
    /// Parses `raw`: the first four space-separated tokens are the time, the fifth is
    /// `[container]`, the rest is the message. A line with a readable time but no
    /// `[container]` keeps its time, with no container. A line that does not fit is all
    /// message. A trailing line break (`\n`, or `\r\n` from a dump) is framing and is dropped.
    pub fn parse(raw: impl Into<String>) -> Self {
        let mut raw: String = raw.into();
        // Trailing line breaks come from framing, not from the application.
        while raw.ends_with('\n') || raw.ends_with('\r') {
            raw.pop();
        }
        let (time, container, message) = split(&raw).unwrap_or((None, None, 0));
        let plain = {
            let msg = &raw[message as usize..];
            (!crate::logs::render::is_plain(msg))
                .then(|| crate::logs::render::displayed_text(msg).into_boxed_str())
        };
        LogLine {
            raw: raw.into_boxed_str(),
            time,
            container,
            message,
            plain,
        }
    }

    /// The line exactly as received (without its line break).
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The time text, e.g. `2015-02-16 02:02:43.930163178 +0000 UTC`.
    pub fn time(&self) -> Option<&str> {
        self.time
            .as_ref()
            .map(|r| &self.raw[r.start as usize..r.end as usize])
    }

    /// The container name without brackets, e.g. `web-1`.
    pub fn container(&self) -> Option<&str> {
        self.container
            .as_ref()
            .map(|r| &self.raw[r.start as usize..r.end as usize])
    }

    /// The message, escape sequences included.
    pub fn message(&self) -> &str {
        &self.raw[self.message as usize..]
    }

    /// The message as the user reads it: what a terminal would have shown, escape sequences
    /// and control characters applied (see [`crate::logs::render`]). Search runs on this.
    pub fn plain_message(&self) -> &str {
        self.plain.as_deref().unwrap_or_else(|| self.message())
    }

    /// The whole line as shown (header, then [`LogLine::plain_message`]), for downloads that
    /// strip ANSI.
    pub fn plain_line(&self) -> String {
        let mut out = String::with_capacity(self.raw.len());
        out.push_str(&self.raw[..self.message as usize]);
        out.push_str(self.plain_message());
        out
    }

    /// Parsed timestamp, when the time text is in the platform's format.
    pub fn timestamp(&self) -> Option<Timestamp> {
        self.time().and_then(Timestamp::parse)
    }
}

/// Where the message of `raw` starts, as [`LogLine::message`] reads it, without copying
/// the line: for the compact store, which keeps only the raw text.
pub fn message_start(raw: &str) -> usize {
    split(raw).map_or(0, |(_, _, m)| m as usize)
}

/// The message of `raw` as the user reads it ([`LogLine::plain_message`]), borrowed unless
/// it holds escape sequences or control characters to apply.
pub fn plain_message_of(raw: &str) -> std::borrow::Cow<'_, str> {
    let msg = &raw[message_start(raw)..];
    if crate::logs::render::is_plain(msg) {
        std::borrow::Cow::Borrowed(msg)
    } else {
        std::borrow::Cow::Owned(crate::logs::render::displayed_text(msg))
    }
}

pub(crate) type Parts = (Option<Range<u32>>, Option<Range<u32>>, u32);

/// Splits `raw` into its parts, by API-CONTRACT.md "Line format": four time tokens, then
/// `[container]`, then the message.
///
/// Two shapes are recognised. With a `[container]` after them, the four tokens are taken as
/// the time as long as they look like one (a date with dashes first), as they always were.
/// Without it, the tokens must be a time this module can read (date, clock, numeric offset
/// and a zone name); then the time is kept, the container is empty and the rest is the
/// message. Anything else is a line from a program that happens to start with digits, and
/// is all message.
pub(crate) fn split(raw: &str) -> Option<Parts> {
    // Lines over 4 GiB cannot be represented by the u32 ranges; they are shown whole.
    u32::try_from(raw.len()).ok()?;
    let mut idx = 0usize;
    let mut token_ends = [0usize; 4];
    for (n, end) in token_ends.iter_mut().enumerate() {
        let rest = &raw[idx..];
        // The zone name may end the line: a time with an empty message.
        // A byte search: the time's tokens are a few bytes each, shorter than a char
        // searcher takes to set up.
        let sp = match rest.bytes().position(|b| b == b' ') {
            Some(sp) => sp,
            None if n == 3 => rest.len(),
            None => return None,
        };
        if sp == 0 {
            return None;
        }
        *end = idx + sp;
        idx = (idx + sp + 1).min(raw.len());
    }
    let time_end = token_ends[3];
    let t = &raw[..time_end];
    if !t.as_bytes().first()?.is_ascii_digit() || !t[..token_ends[0]].contains('-') {
        return None;
    }
    let rest = &raw[idx..];
    let bracketed = rest.strip_prefix('[').and_then(|r| {
        let close = r.bytes().position(|b| b == b']')?;
        let name = &r[..close];
        (!name.is_empty() && !name.contains(' ')).then_some(close)
    });
    let Some(close) = bracketed else {
        return is_platform_time(t, token_ends[2]).then_some((
            Some(0..time_end as u32),
            None,
            idx as u32,
        ));
    };
    let c_start = idx + 1;
    let c_end = idx + 1 + close;
    let mut message = c_end + 1;
    if raw[message..].starts_with(' ') {
        message += 1;
    }
    Some((
        Some(0..time_end as u32),
        Some(c_start as u32..c_end as u32),
        message as u32,
    ))
}

/// Whether `time` (four tokens, the third ending at byte `offset_end`) is a time in the
/// platform's format: a readable date, clock and offset, and a zone name such as `UTC`,
/// `CEST` or Go's numeric `+03`.
fn is_platform_time(time: &str, offset_end: usize) -> bool {
    let zone = &time[offset_end + 1..];
    !zone.is_empty()
        && zone
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-')
        && Timestamp::parse(time).is_some()
}

pub use log_core::time::Timestamp;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_platform_line_splits_into_time_container_and_message() {
        let line = LogLine::parse(
            "2015-02-16 02:02:43.930163178 +0000 UTC [web-1] [martini] Started GET / for [filtered IP]\n",
        );
        assert_eq!(line.time(), Some("2015-02-16 02:02:43.930163178 +0000 UTC"));
        assert_eq!(line.container(), Some("web-1"));
        assert_eq!(line.message(), "[martini] Started GET / for [filtered IP]");
        assert!(!line.raw().ends_with('\n'));
    }

    #[test]
    fn a_line_that_does_not_fit_the_format_is_shown_whole() {
        for raw in [
            "hello world",
            "a b c d [web-1] msg",
            "2015-02-16 is when it started, [web-1] said",
            "2015-02-16 02:02:43 +0000 [web-1]",
            "2015-02-16 02:02:43 +0000",
            "2015-13-16 02:02:43 +0000 UTC no such month",
            "2015-02-16 02:02:43 +0000 U(C) bad zone",
            "",
            "<script>alert(1)</script>",
        ] {
            let line = LogLine::parse(raw);
            assert_eq!(line.time(), None, "{raw}");
            assert_eq!(line.container(), None, "{raw}");
            assert_eq!(line.message(), raw);
        }
    }

    #[test]
    fn a_line_with_a_time_but_no_source_keeps_its_time_and_an_empty_container() {
        for (raw, time, message) in [
            (
                "2022-10-30 10:00:01.000000000 +0000 UTC no source bracket on this line",
                "2022-10-30 10:00:01.000000000 +0000 UTC",
                "no source bracket on this line",
            ),
            (
                "2022-10-30 12:00:01.5 +0200 CEST web-1 msg\r\n",
                "2022-10-30 12:00:01.5 +0200 CEST",
                "web-1 msg",
            ),
            (
                "2015-02-16 02:02:43 +0000 UTC [] msg",
                "2015-02-16 02:02:43 +0000 UTC",
                "[] msg",
            ),
            (
                "2015-02-16 02:02:43 +0300 +03 [not a container] x",
                "2015-02-16 02:02:43 +0300 +03",
                "[not a container] x",
            ),
            (
                "2022-10-30 10:00:01.000000000 +0000 UTC",
                "2022-10-30 10:00:01.000000000 +0000 UTC",
                "",
            ),
            (
                "2022-10-30 10:00:01.000000000 +0000 UTC ",
                "2022-10-30 10:00:01.000000000 +0000 UTC",
                "",
            ),
        ] {
            let line = LogLine::parse(raw);
            assert_eq!(line.time(), Some(time), "{raw:?}");
            assert_eq!(line.container(), None, "{raw:?}");
            assert_eq!(line.message(), message, "{raw:?}");
            assert!(line.timestamp().is_some(), "{raw:?}");
        }
        let line = LogLine::parse("2022-10-30 10:00:01.000000000 +0000 UTC no source");
        assert_eq!(line.timestamp().map(|t| t.secs), Some(1_667_124_001));
    }

    #[test]
    fn a_line_ending_with_the_container_has_an_empty_message() {
        let line = LogLine::parse("2022-10-30 10:00:01.0 +0000 UTC [web-1]");
        assert_eq!(line.container(), Some("web-1"));
        assert_eq!(line.message(), "");
    }

    #[test]
    fn router_lines_keep_their_key_value_pairs_as_the_message() {
        let line = LogLine::parse(
            "2024-01-02 03:04:05.000000001 +0000 UTC [router] method=GET path=\"/\" status=200",
        );
        assert_eq!(line.container(), Some("router"));
        assert_eq!(line.message(), "method=GET path=\"/\" status=200");
    }

    #[test]
    fn the_plain_message_drops_colour_escapes() {
        let line =
            LogLine::parse("2024-01-02 03:04:05.0 +0000 UTC [web-1] \u{1b}[31merror\u{1b}[0m done");
        assert_eq!(line.plain_message(), "error done");
        assert_eq!(
            line.plain_line(),
            "2024-01-02 03:04:05.0 +0000 UTC [web-1] error done"
        );
    }

    #[test]
    fn the_plain_message_is_the_final_state_of_the_row_and_the_raw_line_is_kept() {
        let raw = "2024-01-02 03:04:05.0 +0000 UTC [web-1] Downloading   5%\rDownloading 100%\u{1b}[K \u{1b}]8;;https://x.example/\u{7}done\u{1b}]8;;\u{7}";
        let line = LogLine::parse(format!("{raw}\r\n"));
        assert_eq!(line.plain_message(), "Downloading 100% done");
        assert_eq!(
            line.plain_line(),
            "2024-01-02 03:04:05.0 +0000 UTC [web-1] Downloading 100% done"
        );
        // Copy takes `raw()`; the download "with ANSI" writes it too: every byte but the
        // line break the dump added.
        assert_eq!(line.raw(), raw);
        let lines = [line];
        assert_eq!(
            crate::logs::model::download_text(lines.iter().map(LogLine::raw), false),
            format!("{raw}\n")
        );
        assert_eq!(
            crate::logs::model::download_text(lines.iter().map(LogLine::raw), true),
            "2024-01-02 03:04:05.0 +0000 UTC [web-1] Downloading 100% done\n"
        );
    }

    #[test]
    fn timestamps_parse_and_format_in_utc_or_a_local_offset() {
        let ts = Timestamp::parse("2015-02-16 02:02:43.930163178 +0000 UTC").expect("parses");
        assert_eq!(ts.secs, 1_424_052_163);
        assert_eq!(ts.nanos, 930_163_178);
        assert_eq!(ts.format(0), "2015-02-16 02:02:43.930");
        assert_eq!(ts.format(60), "2015-02-16 03:02:43.930");
        assert_eq!(ts.format(-180), "2015-02-15 23:02:43.930");
        let shifted = Timestamp::parse("2015-02-16 03:02:43.5 +0100 CET").expect("parses");
        assert_eq!(shifted.secs, ts.secs);
        assert_eq!(shifted.nanos, 500_000_000);
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_keeps_the_raw_text(raw in "\\PC*") {
            let line = LogLine::parse(raw.clone());
            prop_assert_eq!(line.raw(), raw.trim_end_matches(['\n', '\r']));
            prop_assert!(line.raw().ends_with(line.message()));
        }
    }
}
