//! Structured logs: the [`log_core`] crate (fields, filters, facets, volume chart, requests
//! summary), plus reading a [`LogLine`]'s fields.
//!
//! The crate is compiled for speed while the rest of the bundle is compiled for size (the
//! README's "Speed and size"): counting a million lines from scratch runs its code for every
//! line.

pub use log_core::*;

use crate::logs::line::LogLine;

/// The fields of the line: its plain message's fields with its container as the
/// pseudo-field [`CONTAINER`].
pub fn line_fields(line: &LogLine) -> Fields<'_> {
    fields(line.plain_message()).with_container(line.container())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_gives_its_plain_message_fields_and_container() {
        let line = crate::logs::line::LogLine::parse(
            "2026-12-07 06:12:03.123456 +0100 CET [router] method=GET status=502",
        );
        let f = line_fields(&line);
        assert_eq!(f.get("status").map(|f| &*f.value), Some("502"));
        assert_eq!(f.get("container").map(|f| &*f.value), Some("router"));
    }
}
