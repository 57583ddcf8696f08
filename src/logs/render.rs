//! Log messages to markup: ANSI colours as classes, links for `http(s)` URLs, search
//! highlights; everything else escaped. The only producer of log-line HTML.
//!
//! Escapes are parsed before any text is emitted, and every text run goes through
//! [`SafeHtml::push_text`], so no byte of the input can become markup.

use std::ops::Range;

use crate::ansi::Style;
use crate::safe_html::{SafeHtml, Tag};

/// Longest escape sequence accepted; a longer one is treated as broken and its
/// introducer dropped, so a hostile line cannot hide megabytes of text in "an escape".
pub const MAX_ESCAPE_LEN: usize = 4096;

/// Most message bytes rendered in a row; the rest is summarised (copy and download keep
/// the whole line). A 1 MB line would otherwise stall layout.
pub const MAX_RENDERED_BYTES: usize = 10_000;

/// Most SGR parameters read from one sequence.
const MAX_SGR_PARAMS: usize = 32;

const ESC: u8 = 0x1b;

/// What the scanner found: text to show, or a change of rendition.
enum Piece<'a> {
    Text(&'a str),
    Sgr(&'a str),
}

/// Splits `text` into text runs and SGR parameter strings, dropping every other escape
/// sequence (cursor moves, OSC titles and hyperlinks, DCS…) and control character.
fn scan<'a>(text: &'a str, mut emit: impl FnMut(Piece<'a>)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut run_start = 0;
    let flush = |emit: &mut dyn FnMut(Piece<'a>), from: usize, to: usize| {
        if from < to {
            emit(Piece::Text(&text[from..to]));
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b == ESC {
            flush(&mut emit, run_start, i);
            let len = escape_len(&bytes[i..]);
            match len {
                Some((len, Some(sgr))) => {
                    emit(Piece::Sgr(&text[i + 2 + sgr.start..i + 2 + sgr.end]));
                    i += len;
                }
                Some((len, None)) => i += len,
                // A broken sequence: drop the ESC alone and show what follows as text.
                None => i += 1,
            }
            // Escape sequences are ASCII, so `i` is on a char boundary; a sequence cut by
            // a multi-byte char stops before it (see `escape_len`).
            run_start = i;
        } else if b < 0x20 && b != b'\t' || b == 0x7f {
            flush(&mut emit, run_start, i);
            i += 1;
            run_start = i;
        } else if b == 0xc2 && bytes.get(i + 1).is_some_and(|c| (0x80..0xa0).contains(c)) {
            // C1 controls (U+0080..U+009F) are invisible and some terminals obey them.
            flush(&mut emit, run_start, i);
            i += 2;
            run_start = i;
        } else {
            i += 1;
        }
    }
    flush(&mut emit, run_start, bytes.len());
}

/// Length of the escape sequence at the start of `s` (which starts with ESC), and for
/// SGR the range of its parameters relative to `s[2..]`. `None` when broken.
fn escape_len(s: &[u8]) -> Option<(usize, Option<Range<usize>>)> {
    let kind = *s.get(1)?;
    match kind {
        b'[' => {
            let mut j = 2;
            while j < s.len() && j < MAX_ESCAPE_LEN {
                match s[j] {
                    0x20..=0x3f => j += 1,
                    0x40..=0x7e => {
                        let params = &s[2..j];
                        let sgr = s[j] == b'm'
                            && params
                                .iter()
                                .all(|c| c.is_ascii_digit() || *c == b';' || *c == b':');
                        return Some((j + 1, sgr.then_some(0..j - 2)));
                    }
                    _ => return None,
                }
            }
            None
        }
        b']' | b'P' | b'X' | b'^' | b'_' => {
            // String sequences end with BEL or ST (ESC \).
            let mut j = 2;
            while j < s.len() && j < MAX_ESCAPE_LEN {
                match s[j] {
                    0x07 => return Some((j + 1, None)),
                    ESC if s.get(j + 1) == Some(&b'\\') => return Some((j + 2, None)),
                    _ => j += 1,
                }
            }
            None
        }
        // Character set designation: ESC ( B and friends.
        b'(' | b')' | b'*' | b'+' => s.get(2).filter(|c| c.is_ascii()).map(|_| (3, None)),
        0x20..=0x7e => Some((2, None)),
        _ => None,
    }
}

fn parse_params(text: &str) -> Vec<u16> {
    if text.is_empty() {
        return Vec::new();
    }
    text.split([';', ':'])
        .take(MAX_SGR_PARAMS)
        .map(|p| {
            p.parse::<u32>()
                .map_or(0, |v| v.min(u32::from(u16::MAX)) as u16)
        })
        .collect()
}

/// The text of `text` as a reader sees it: escape sequences and control characters
/// removed. Search and "download without ANSI" use this.
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    scan(text, |p| {
        if let Piece::Text(t) = p {
            out.push_str(t)
        }
    });
    out
}

/// The byte ranges of `http://` and `https://` URLs in `text`.
pub fn find_links(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let lower_bytes = text.as_bytes();
    let mut from = 0;
    while let Some(pos) = text[from..].find("http") {
        let start = from + pos;
        let rest = &lower_bytes[start..];
        let scheme = if rest.starts_with(b"https://") {
            8
        } else if rest.starts_with(b"http://") {
            7
        } else {
            from = start + 4;
            continue;
        };
        // A URL glued to a word (`xhttp://`) is not a link.
        let glued = start > 0 && lower_bytes[start - 1].is_ascii_alphanumeric();
        let mut end = start + scheme;
        while end < text.len() {
            let c = lower_bytes[end];
            if c <= b' ' || matches!(c, b'"' | b'\'' | b'<' | b'>' | b'`' | 0x7f) {
                break;
            }
            end += 1;
        }
        // Sentence punctuation after a URL is not part of it.
        while end > start + scheme
            && matches!(
                lower_bytes[end - 1],
                b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b']' | b'}'
            )
        {
            end -= 1;
        }
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        if end > start + scheme && !glued {
            out.push(start..end);
        }
        from = end.max(start + scheme);
    }
    out
}

/// Renders a log message: colours as classes, URLs as links, `highlights` (byte ranges of
/// the stripped text, as [`crate::logs::search::Matcher::ranges`] returns) as `<mark>`.
pub fn render(message: &str, highlights: &[Range<usize>]) -> SafeHtml {
    // Most lines have no escape, control character, link or highlight: escape and go.
    if highlights.is_empty()
        && message.len() <= MAX_RENDERED_BYTES
        && !message.contains("http")
        && !message
            .bytes()
            .any(|b| b < 0x20 && b != b'\t' || b == 0x7f || b == 0xc2)
    {
        return SafeHtml::text(message);
    }
    // Pass 1: the readable text and where the rendition changes.
    let mut plain = String::with_capacity(message.len().min(MAX_RENDERED_BYTES + 64));
    let mut changes: Vec<(usize, Style)> = Vec::new();
    let mut style = Style::default();
    let mut total = 0usize;
    scan(message, |p| match p {
        Piece::Text(t) => {
            total += t.len();
            let room = MAX_RENDERED_BYTES.saturating_sub(plain.len());
            if room >= t.len() {
                plain.push_str(t);
            } else if room > 0 {
                let mut cut = room;
                while !t.is_char_boundary(cut) {
                    cut -= 1;
                }
                plain.push_str(&t[..cut]);
            }
        }
        Piece::Sgr(params) => {
            style.apply_sgr(&parse_params(params));
            if changes.last().map(|c| c.1) != Some(style) {
                if changes.last().is_some_and(|c| c.0 == plain.len()) {
                    changes.pop();
                }
                changes.push((plain.len(), style));
            }
        }
    });
    let links = find_links(&plain);

    // Pass 2: emit runs between boundaries where the style, highlight or link changes.
    let mut bounds: Vec<usize> =
        Vec::with_capacity(changes.len() + highlights.len() * 2 + links.len() * 2 + 2);
    bounds.push(0);
    bounds.extend(changes.iter().map(|c| c.0));
    for r in highlights.iter().chain(links.iter()) {
        bounds.push(r.start.min(plain.len()));
        bounds.push(r.end.min(plain.len()));
    }
    bounds.push(plain.len());
    // The comparator behind `&mut dyn FnMut`: the app list's sort shares this instantiation.
    let compare: &mut dyn FnMut(&usize, &usize) -> std::cmp::Ordering = &mut |a, b| a.cmp(b);
    bounds.sort_unstable_by(compare);
    bounds.dedup();

    // Class lists are computed once per change of rendition, not once per run.
    let classes: Vec<String> = changes.iter().map(|c| c.1.classes()).collect();
    let mut html = SafeHtml::new();
    let mut change = 0usize;
    let mut current: Option<usize> = None;
    let marked = |r: Range<usize>| {
        highlights
            .iter()
            .any(|h| h.start < r.end && r.start < h.end)
    };
    let mut w = 0;
    while w + 1 < bounds.len() {
        let (a, mut b) = (bounds[w], bounds[w + 1]);
        w += 1;
        // Runs start in increasing order, so the rendition in force only moves forward.
        while change < changes.len() && changes[change].0 <= a {
            current = Some(change);
            change += 1;
        }
        let link = links.iter().find(|l| l.start == a);
        if let Some(l) = link {
            // A link is atomic: skip the boundaries inside it.
            b = l.end;
            while w + 1 < bounds.len() && bounds[w] < b {
                w += 1;
            }
        }
        if a >= b || !plain.is_char_boundary(a) || !plain.is_char_boundary(b) {
            continue;
        }
        let class = current.map_or("", |i| classes[i].as_str());
        let styled = !class.is_empty();
        let mark = !highlights.is_empty() && marked(a..b);
        if styled {
            html.open(Tag::Span, class.split(' '));
        }
        if mark {
            html.open(Tag::Mark, ["sld-log-match"]);
        }
        let text = &plain[a..b];
        if link.is_some() {
            html.push_link(text, text);
        } else {
            html.push_text(text);
        }
        if mark {
            html.close(Tag::Mark);
        }
        if styled {
            html.close(Tag::Span);
        }
    }
    if total > plain.len() {
        html.open(Tag::Span, ["sld-log-truncated"]);
        html.push_text(&format!(
            " … {} more bytes (copy or download the line to see it all)",
            total - plain.len()
        ));
        html.close(Tag::Span);
    }
    html
}

/// Renders every line of `text` and returns the total length of the markup: exported so
/// the benchmark (`bench/logs.mjs`) can time this renderer against `ansi_up` on the same
/// corpus in the same browser. It reads nothing and changes nothing on the page. Only in
/// builds with the `bench` feature.
#[cfg(all(target_arch = "wasm32", feature = "bench"))]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = sldRenderLogLines)]
pub fn render_lines_for_benchmark(text: &str) -> usize {
    text.lines().map(|l| render(l, &[]).as_str().len()).sum()
}

/// Size of the wasm linear memory in bytes, where the log buffer lives (it is not part of
/// the JS heap): exported for the benchmark's memory figure.
#[cfg(all(target_arch = "wasm32", feature = "bench"))]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = sldWasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    use wasm_bindgen::JsCast;
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn colours_become_classes_and_text_is_escaped() {
        let html = render("\u{1b}[31m<b>red</b>\u{1b}[0m plain", &[]);
        assert_eq!(
            html.as_str(),
            "<span class=\"sld-fg-1\">&lt;b&gt;red&lt;/b&gt;</span> plain"
        );
    }

    #[test]
    fn colours_of_256_and_true_colour_map_to_palette_classes() {
        let html = render("\u{1b}[38;5;208mA\u{1b}[48;2;255;0;0mB", &[]);
        assert!(html.as_str().contains("sld-fg-208"), "{}", html.as_str());
        assert!(html.as_str().contains("sld-bg-196"), "{}", html.as_str());
    }

    #[test]
    fn other_escapes_are_dropped_and_osc8_links_show_their_text_only() {
        let html = render(
            "\u{1b}]8;;javascript:alert(1)\u{1b}\\click\u{1b}]8;;\u{1b}\\ \u{1b}[2K\u{1b}[1;1Hok\u{1b}]0;title\u{7}",
            &[],
        );
        assert_eq!(html.as_str(), "click ok");
    }

    #[test]
    fn unterminated_and_overlong_escapes_show_the_rest_literally() {
        assert_eq!(
            render("a\u{1b}]8;;http://x", &[]).as_str(),
            "a]8;;<a href=\"http://x\" target=\"_blank\" rel=\"noopener noreferrer\">http://x</a>"
        );
        let long = format!("\u{1b}[{}m<x>", "1;".repeat(MAX_ESCAPE_LEN));
        let html = render(&long, &[]);
        assert!(
            html.as_str().ends_with("&lt;x&gt;"),
            "{}",
            &html.as_str()[..50]
        );
        assert_eq!(render("end\u{1b}", &[]).as_str(), "end");
        assert_eq!(render("\u{1b}[31", &[]).as_str(), "[31");
    }

    #[test]
    fn http_urls_become_safe_links_and_other_schemes_stay_text() {
        let html = render(
            "see https://example.com/a?b=1&c=2. or javascript:alert(1)",
            &[],
        );
        assert_eq!(
            html.as_str(),
            "see <a href=\"https://example.com/a?b=1&amp;c=2\" target=\"_blank\" rel=\"noopener noreferrer\">https://example.com/a?b=1&amp;c=2</a>. or javascript:alert(1)"
        );
        assert!(find_links("xhttp://a").is_empty());
        assert_eq!(find_links("(http://a.b/c)"), vec![1..13]);
    }

    #[test]
    fn highlights_wrap_matches_in_marks_inside_colours() {
        let html = render(
            "\u{1b}[32mgreen error\u{1b}[0m",
            std::slice::from_ref(&(6..11)),
        );
        assert_eq!(
            html.as_str(),
            "<span class=\"sld-fg-2\">green </span><span class=\"sld-fg-2\"><mark class=\"sld-log-match\">error</mark></span>"
        );
    }

    #[test]
    fn control_characters_are_removed() {
        assert_eq!(strip_ansi("a\u{0}b\u{8}c\rd\te\u{85}f"), "abcd\tef");
    }

    #[test]
    fn a_megabyte_line_is_cut_for_display() {
        let line = "x".repeat(1 << 20);
        let html = render(&line, &[]);
        assert!(html.as_str().len() < MAX_RENDERED_BYTES + 200);
        assert!(html.as_str().contains("more bytes"));
    }

    #[test]
    fn the_hostile_corpus_renders_inert() {
        for line in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "\u{1b}[31m<svg onload=alert(1)>\u{1b}[0m",
            "\u{1b}]8;;javascript:alert(1)\u{7}x\u{1b}]8;;\u{7}",
            "https://example.com/\"><script>alert(1)</script>",
            "\u{1b}[31<script>",
        ] {
            let html = render(line, std::slice::from_ref(&(0..3)));
            assert!(
                !html.as_str().contains("<script"),
                "{line}: {}",
                html.as_str()
            );
            assert!(!html.as_str().contains("<img"), "{line}");
            assert!(!html.as_str().contains("<svg"), "{line}");
            assert!(!html.as_str().contains("javascript:alert(1)\""), "{line}");
        }
    }

    /// Every `<` in the output starts one of the tags the renderer writes itself.
    fn only_known_tags(html: &str) -> bool {
        html.match_indices('<').all(|(i, _)| {
            let rest = &html[i..];
            [
                "<span",
                "</span>",
                "<mark",
                "</mark>",
                "<a href=\"http",
                "</a>",
            ]
            .iter()
            .any(|t| rest.starts_with(t))
        })
    }

    proptest! {
        #[test]
        fn no_angle_bracket_from_the_input_reaches_the_output_unescaped(
            text in "(\\PC|\u{1b}|\\[|\\]|;|[0-9]|m|<|>|\"|'|&|\u{7}|\\\\|https://|javascript:)*",
            hl in proptest::collection::vec((0usize..80, 0usize..80), 0..4),
        ) {
            let highlights: Vec<Range<usize>> = hl.into_iter().map(|(a, b)| a.min(b)..a.max(b)).collect();
            let html = render(&text, &highlights);
            prop_assert!(only_known_tags(html.as_str()), "{:?} -> {}", text, html.as_str());
            prop_assert_eq!(
                html.as_str().matches("<a ").count(),
                html.as_str().matches("rel=\"noopener noreferrer\"").count()
            );
        }

        #[test]
        fn stripping_keeps_plain_text_unchanged(text in "[^\u{0}-\u{1f}\u{7f}-\u{9f}]*") {
            prop_assert_eq!(strip_ansi(&text), text);
        }
    }
}
