//! A log line's plain text without drawing it: whether it holds anything a terminal would
//! interpret, and colour (SGR) sequences cut out of text that holds nothing else. The log
//! store classifies every line it keeps with these, and the viewer's scan reads most lines'
//! messages through them; anything else goes through the viewer's terminal row.

const ESC: u8 = 0x1b;

/// Whether `text` holds nothing a terminal would interpret: no escape, no control
/// character but tab, no DEL, no C1 control. Such text is shown as it is.
pub fn is_plain(text: &str) -> bool {
    // A byte scan settles most lines; 0xC2 also leads ordinary characters (U+00A0–U+00BF),
    // so a line with one is checked character by character.
    let suspect = text
        .bytes()
        .any(|b| b < 0x20 && b != b'\t' || b == 0x7f || b == 0xc2);
    !suspect
        || !text
            .chars()
            .any(|c| c < ' ' && c != '\t' || ('\u{7f}'..='\u{9f}').contains(&c))
}

/// Whether every byte of `text` is printable ASCII (a space to `~`) or part of a colour
/// sequence: `ESC [`, digits and semicolons, `m` (SGR without sub-parameters). Such text
/// draws as itself without its sequences ([`strip_sgr`]), without running the terminal:
/// each character goes to the next cell, and a colour changes no text. Most coloured log
/// lines are of this kind.
pub fn is_sgr_only(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            0x20..=0x7e => i += 1,
            ESC => match sgr_len(&b[i..]) {
                Some(n) => i += n,
                None => return false,
            },
            _ => return false,
        }
    }
    true
}

/// The length of the colour sequence `bytes` starts with (`ESC [`, digits and
/// semicolons, `m`), if it starts with one.
fn sgr_len(bytes: &[u8]) -> Option<usize> {
    if bytes.get(1) != Some(&b'[') {
        return None;
    }
    let params = bytes[2..]
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b';')
        .count();
    (bytes.get(2 + params) == Some(&b'm')).then_some(3 + params)
}

/// Appends `text` without its colour sequences to `out`: for text that [`is_sgr_only`],
/// what the log viewer's `displayed_text` gives (as bytes), without drawing a row. Anything
/// else is copied as it is. Bytes rather than `str`: the search runs it on most lines, and
/// the char-boundary checks of string slicing were a good part of its cost. (Finding the
/// escapes with `memchr` measured 4 % faster natively for 310 B more: not kept.)
pub fn strip_sgr(text: &[u8], out: &mut Vec<u8>) {
    let (mut from, mut i) = (0, 0);
    while i < text.len() {
        if text[i] == ESC {
            if let Some(n) = sgr_len(&text[i..]) {
                out.extend_from_slice(&text[from..i]);
                i += n;
                from = i;
                continue;
            }
        }
        i += 1;
    }
    out.extend_from_slice(&text[from..]);
}

/// Horspool's search for an ASCII literal of 1 to [`Horspool::MAX_LEN`] bytes, with or
/// without ASCII case: each window is compared from its last byte, and a byte that is not in
/// the literal moves the window by the literal's whole length. Linear in the text (at most
/// the literal's length in comparisons per byte); the log viewer's search runs it over every
/// line's message (R. N. Horspool, "Practical fast searching in strings", 1980).
#[derive(Clone, Debug)]
pub struct Horspool {
    /// The literal, in lower case when ignoring case.
    needle: Box<[u8]>,
    no_case: bool,
    /// How far the window moves when its last byte is this byte.
    skip: Box<[u8; 256]>,
}

impl Horspool {
    /// The longest literal searched this way; a longer one is rare, and its shifts would not
    /// fit a byte.
    pub const MAX_LEN: usize = 64;

    /// The search for `needle` (ASCII case ignored when `no_case`); `None` when it is empty,
    /// longer than [`Horspool::MAX_LEN`] or not ASCII.
    pub fn new(needle: &str, no_case: bool) -> Option<Horspool> {
        let n = needle.len();
        if !needle.is_ascii() || !(1..=Self::MAX_LEN).contains(&n) {
            return None;
        }
        let needle: Box<[u8]> = if no_case {
            needle.to_ascii_lowercase().into_bytes().into()
        } else {
            needle.as_bytes().into()
        };
        let mut skip = Box::new([n as u8; 256]);
        for (i, &b) in needle[..n - 1].iter().enumerate() {
            let shift = (n - 1 - i) as u8;
            skip[usize::from(b)] = shift;
            if no_case {
                skip[usize::from(b.to_ascii_uppercase())] = shift;
            }
        }
        Some(Horspool {
            needle,
            no_case,
            skip,
        })
    }

    /// Where the literal first occurs in `hay`, in bytes.
    pub fn find(&self, hay: &[u8]) -> Option<usize> {
        if self.no_case {
            self.find_with(hay, |a, b| a.eq_ignore_ascii_case(b))
        } else {
            self.find_with(hay, |a, b| a == b)
        }
    }

    #[inline(always)]
    fn find_with(&self, hay: &[u8], same: impl Fn(&[u8], &[u8]) -> bool) -> Option<usize> {
        let needle = &*self.needle;
        let n = needle.len();
        let last = needle[n - 1];
        let last_upper = if self.no_case {
            last.to_ascii_uppercase()
        } else {
            last
        };
        let mut at = 0;
        while let Some(window) = hay.get(at..at + n) {
            let b = window[n - 1];
            if (b == last || b == last_upper) && same(window, needle) {
                return Some(at);
            }
            at += usize::from(self.skip[usize::from(b)]);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Horspool finds the first occurrence, as a plain search of the folded text does.
        #[test]
        fn horspool_finds_what_a_plain_search_finds(
            needle in "[abAB=5 ]{1,6}",
            hay in "[abAB=5 xé]{0,40}",
            no_case: bool,
        ) {
            let h = Horspool::new(&needle, no_case).expect("an ASCII literal");
            let want = if no_case {
                hay.to_ascii_lowercase().find(&needle.to_ascii_lowercase())
            } else {
                hay.find(&needle)
            };
            prop_assert_eq!(h.find(hay.as_bytes()), want);
        }
    }

    #[test]
    fn only_short_ascii_literals_get_a_skip_table() {
        assert!(Horspool::new("", false).is_none());
        assert!(Horspool::new("échec", true).is_none());
        assert!(Horspool::new(&"x".repeat(65), false).is_none());
        assert!(Horspool::new(&"x".repeat(64), false).is_some());
    }
}

#[cfg(test)]
mod strip_tests {
    use super::*;
    use proptest::prelude::*;

    /// Cuts out colour sequences one byte at a time, pushing what is kept: what `strip_sgr`
    /// (which copies runs) must give.
    fn strip_bytewise(text: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < text.len() {
            if text[i] == ESC {
                if let Some(n) = sgr_len(&text[i..]) {
                    i += n;
                    continue;
                }
            }
            out.push(text[i]);
            i += 1;
        }
        out
    }

    proptest! {
        #[test]
        fn strip_sgr_cuts_out_exactly_the_colour_sequences(
            text in "(\\x1b\\[[0-9;]{0,4}m?|\\x1b|[a-z \\[m0-9;]{1,4}){0,10}",
        ) {
            let mut out = Vec::new();
            strip_sgr(text.as_bytes(), &mut out);
            prop_assert_eq!(out, strip_bytewise(text.as_bytes()));
        }
    }
}
