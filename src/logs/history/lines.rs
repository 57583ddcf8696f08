//! Splits a decompressed archive into lines as its bytes stream in.
//!
//! The browser's `DecompressionStream` yields chunks cut anywhere: inside a line, inside a
//! `\r\n`, inside a multi-byte UTF-8 character. The splitter keeps the unfinished tail
//! between chunks as bytes and decodes only complete lines, so the cut never shows.

/// The longest line kept, in bytes: longer lines are cut to this (at a character boundary)
/// and counted in [`LineSplitter::truncated`], so one pathological line cannot take the
/// memory of the whole history.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// A streaming line splitter: feed it chunks, it lends out complete lines (as `&str`, so a
/// caller that filters or copies them into a store allocates nothing per line).
///
/// Lines end at `\n`; a `\r` before it is dropped (archives mix `\r\n` and `\n`); blank lines
/// are skipped, since they carry no log entry. Bytes that are not UTF-8 become U+FFFD.
#[derive(Debug, Default)]
pub struct LineSplitter {
    /// The unfinished line, at most [`MAX_LINE_BYTES`] long.
    pending: Vec<u8>,
    /// Whether the unfinished line has already lost bytes past the cap.
    overflowed: bool,
    truncated: u64,
    dropped_bytes: u64,
}

impl LineSplitter {
    /// A splitter with nothing pending.
    pub fn new() -> Self {
        LineSplitter::default()
    }

    /// Lines cut to [`MAX_LINE_BYTES`] so far.
    pub fn truncated(&self) -> u64 {
        self.truncated
    }

    /// Bytes dropped from those lines.
    pub fn dropped_bytes(&self) -> u64 {
        self.dropped_bytes
    }

    /// Splits `chunk`, handing each complete line to `line` in order.
    pub fn feed(&mut self, chunk: &[u8], mut line: impl FnMut(&str)) {
        let mut rest = chunk;
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            self.push(&rest[..nl]);
            rest = &rest[nl + 1..];
            self.emit(&mut line);
        }
        self.push(rest);
    }

    /// Ends the stream: hands out the last line if it had no `\n`.
    #[must_use = "the finished splitter holds the truncation counts"]
    pub fn finish(mut self, mut line: impl FnMut(&str)) -> Self {
        self.emit(&mut line);
        self
    }

    /// Appends bytes to the unfinished line, up to the cap.
    fn push(&mut self, bytes: &[u8]) {
        let room = MAX_LINE_BYTES - self.pending.len();
        if bytes.len() > room {
            self.pending.extend_from_slice(&bytes[..room]);
            self.dropped_bytes += (bytes.len() - room) as u64;
            self.overflowed = true;
        } else {
            self.pending.extend_from_slice(bytes);
        }
    }

    fn emit(&mut self, line: &mut impl FnMut(&str)) {
        if self.overflowed {
            self.truncated += 1;
            self.overflowed = false;
            // The cut may fall inside a character: drop its leading bytes rather than show
            // a replacement character the line never had.
            let valid = match std::str::from_utf8(&self.pending) {
                Err(e) if e.error_len().is_none() => e.valid_up_to(),
                _ => self.pending.len(),
            };
            self.dropped_bytes += (self.pending.len() - valid) as u64;
            self.pending.truncate(valid);
        } else if self.pending.last() == Some(&b'\r') {
            self.pending.pop();
        }
        if !self.pending.is_empty() {
            line(&String::from_utf8_lossy(&self.pending));
        }
        // The buffer is reused for the next line; it never grows past the cap.
        self.pending.clear();
    }
}

/// Splits a whole byte sequence at once, for tests and small bodies such as the live dump.
pub fn split_all(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut splitter = LineSplitter::new();
    splitter.feed(bytes, |l| out.push(l.to_owned()));
    let _counts = splitter.finish(|l| out.push(l.to_owned()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split_chunks(chunks: &[&[u8]]) -> (Vec<String>, LineSplitter) {
        let mut out = Vec::new();
        let mut s = LineSplitter::new();
        for c in chunks {
            s.feed(c, |l| out.push(l.to_owned()));
        }
        let s = s.finish(|l| out.push(l.to_owned()));
        (out, s)
    }

    #[test]
    fn a_line_cut_between_chunks_comes_out_whole() {
        let (lines, _) =
            split_chunks(&[b"2017-03-24 14:00:00 +0100 CET [web-1] hel", b"lo\nnext\n"]);
        assert_eq!(
            lines,
            ["2017-03-24 14:00:00 +0100 CET [web-1] hello", "next"]
        );
    }

    #[test]
    fn a_character_cut_between_chunks_comes_out_whole() {
        let text = "caf\u{e9} \u{1f600}\n".as_bytes();
        // Cut inside the two-byte é and inside the four-byte emoji.
        let (lines, _) = split_chunks(&[&text[..4], &text[4..7], &text[7..9], &text[9..]]);
        assert_eq!(lines, ["caf\u{e9} \u{1f600}"]);
    }

    #[test]
    fn crlf_endings_lose_their_carriage_return_even_when_cut() {
        let (lines, _) = split_chunks(&[b"a\r", b"\nb\r\nc\n"]);
        assert_eq!(lines, ["a", "b", "c"]);
    }

    #[test]
    fn a_carriage_return_inside_a_line_stays() {
        let (lines, _) = split_chunks(&[b"progress 1\rprogress 2\n"]);
        assert_eq!(lines, ["progress 1\rprogress 2"]);
    }

    #[test]
    fn the_last_line_without_a_newline_is_not_lost() {
        let (lines, _) = split_chunks(&[b"a\nb"]);
        assert_eq!(lines, ["a", "b"]);
    }

    #[test]
    fn blank_lines_are_skipped() {
        let (lines, _) = split_chunks(&[b"\n\r\na\n\n"]);
        assert_eq!(lines, ["a"]);
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters() {
        let (lines, _) = split_chunks(&[b"a\xffb\n\xe2\x82\n"]);
        assert_eq!(lines, ["a\u{fffd}b", "\u{fffd}"]);
    }

    #[test]
    fn a_pathological_line_is_cut_and_counted() {
        let mut long = vec![b'x'; MAX_LINE_BYTES - 1];
        long.extend_from_slice("\u{e9}".as_bytes()); // straddles the cap
        long.extend_from_slice(&[b'y'; 10_000]);
        long.extend_from_slice(b"\nshort\n");
        let chunks: Vec<&[u8]> = long.chunks(1000).collect();
        let (lines, s) = split_chunks(&chunks);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), MAX_LINE_BYTES - 1);
        assert!(lines[0].bytes().all(|b| b == b'x'));
        assert_eq!(lines[1], "short");
        assert_eq!(s.truncated(), 1);
        assert_eq!(s.dropped_bytes(), 2 + 10_000);
    }

    #[test]
    fn split_all_matches_streaming() {
        assert_eq!(split_all(b"a\r\nb"), ["a", "b"]);
    }

    proptest! {
        #[test]
        fn any_chunking_of_the_same_bytes_gives_the_same_lines(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("\n".to_string()),
                    Just("\r\n".to_string()),
                    Just("\r".to_string()),
                    Just("\u{e9}\u{1f600}".to_string()),
                    "[a-z ]{0,12}",
                ],
                0..40,
            ),
            cuts in proptest::collection::vec(0usize..200, 0..12),
        ) {
            let bytes = parts.concat().into_bytes();
            let (whole, _) = split_chunks(&[&bytes]);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort_unstable();
            let mut chunks = Vec::new();
            let mut prev = 0;
            for c in cuts {
                chunks.push(&bytes[prev..c]);
                prev = c;
            }
            chunks.push(&bytes[prev..]);
            let (cut, _) = split_chunks(&chunks);
            prop_assert_eq!(&cut, &whole);
            // And the lines are exactly the text between newlines, minus one `\r`.
            let text = String::from_utf8(bytes).unwrap();
            let expected: Vec<&str> = text
                .split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .filter(|l| !l.is_empty())
                .collect();
            prop_assert_eq!(cut, expected);
        }
    }
}
