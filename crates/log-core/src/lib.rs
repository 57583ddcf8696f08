//! Structured logs: the fields of a message (logfmt or JSON), filters on them, facet counts,
//! the volume chart and the router's requests summary.
//!
//! Everything here is plain logic over `&str`, tested natively. Parsing is lazy: a line's
//! [`extract::Fields`] are read when the line is drawn, matched or counted, borrow from its
//! text, and are dropped afterwards, so nothing is stored per line. The counting structures
//! ([`facets::Facets`], [`volume::Volume`], [`requests::Requests`]) take each line once on
//! arrival and once on eviction, and their memory is bounded whatever the lines say.
//!
//! How the viewer uses it:
//! - **Line details**: [`extract::fields`] of the line's plain message lists every field
//!   ([`extract::Fields::iter`], duplicates included); a JSON line also shows
//!   [`extract::pretty_json`] of [`extract::Fields::json`]. "Filter on this value" makes
//!   [`filter::FieldFilter::new`]`(key, Op::Eq, value)`.
//! - **Chips and URL**: a [`filter::FilterSet`]; each chip is named by the filter's `Display`
//!   (`Remove filter status>=500`); the URL carries [`filter::FilterSet::to_query_values`] as
//!   repeated `f=` parameters and reads them back with
//!   [`filter::FilterSet::from_query_values`]. A line is shown when the set
//!   [`filter::FilterSet::matches`] its fields with the container pseudo-field
//!   ([`extract::Fields::with_container`]).
//! - **Facets panel**: [`facets::Facets::seen_fields`], then [`facets::Facets::top`] per field.
//! - **Volume chart**: [`volume::Volume::buckets`] (stacked by [`volume::Severity`]), and
//!   [`volume::Volume::text_rows`] as its text alternative.
//! - **Requests table**: [`requests::Requests::rows`] sorted on a [`requests::RequestColumn`],
//!   durations shown with [`units::format_duration`].
//!
//! On arrival of a line: read its fields once, then `facets.add`, `volume.add(secs,
//! classify(..))` and `requests.add`; on eviction the same with `remove`. Whether counts cover
//! every stored line or only those the filters keep is the caller's choice: for the latter,
//! feed only the lines that pass and count again from scratch when the filters change
//! (`cargo xtask bench-fields` gives the cost per million lines).
//!
//! Beside them, the per-line hot paths the log viewer's store and search share: a line's time
//! ([`time::Timestamp`]), its plain text without colour sequences ([`text::strip_sgr`]) and
//! the literal search ([`text::Horspool`]). This crate is compiled for speed where the rest of
//! the bundle is compiled for size: the dashboard's README ("Speed and size") has the figures.

pub mod extract;
pub mod facets;
pub mod filter;
pub mod requests;
pub mod text;
pub mod time;
pub mod units;
pub mod volume;

pub use extract::{fields, pretty_json, Field, Fields, Format, ValueKind, CONTAINER};
pub use facets::{FacetField, FacetLimits, FacetValue, Facets};
pub use filter::{FieldFilter, FilterError, FilterSet, Op};
pub use requests::{collapse_path, RequestColumn, RequestRow, Requests};
pub use units::{format_duration, Dimension, Quantity};
pub use volume::{classify, step_for_span, Bucket, Severity, Volume};

/// Counts one line in (`add`) or out (`!add`, an evicted line counted before): its fields
/// read from its plain `message` with `container` as the pseudo-field, into `facets`, into
/// `volume` at `secs` (Unix seconds) with its [`classify`]d severity, and into `requests`.
///
/// The per-line work of counting from scratch, in this crate so that it is compiled for
/// speed along with what it calls.
pub fn count_line(
    facets: &mut Facets,
    volume: &mut Volume,
    requests: &mut Requests,
    message: &str,
    container: Option<&str>,
    secs: i64,
    add: bool,
) {
    let f = fields(message).with_container(container);
    let severity = classify(&f, message);
    if add {
        facets.add(&f);
        volume.add(secs, severity);
        requests.add(&f);
    } else {
        facets.remove(&f);
        volume.remove(secs, severity);
        requests.remove(&f);
    }
}

/// The positions `0..len` sorted with `compare`. Every sort of this module goes through here
/// with its comparator behind `&mut dyn FnMut`, as `api::apps` does, so the wasm carries one
/// instantiation of std's sort for all of them (the README's size notes).
pub(crate) fn sorted_positions(
    len: usize,
    compare: &mut dyn FnMut(&usize, &usize) -> std::cmp::Ordering,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_unstable_by(compare);
    order
}
