//! Structured logs: the fields of a message (logfmt or JSON), filters on them, facet counts,
//! the volume chart and the router's requests summary.
//!
//! Everything here is plain logic over `&str`, tested natively. Parsing is lazy: a line's
//! [`extract::Fields`] are read when the line is drawn, matched or counted, borrow from its
//! text, and are dropped afterwards, so nothing is stored per line. The counting structures
//! ([`facets::Facets`], [`volume::Volume`], [`requests::Requests`]) take each line once on
//! arrival and once on eviction, and their memory is bounded whatever the lines say.

pub mod extract;
pub mod facets;
pub mod filter;
pub mod requests;
pub mod units;
pub mod volume;

pub use extract::{fields, line_fields, pretty_json, Field, Fields, Format, ValueKind, CONTAINER};
pub use facets::{FacetField, FacetLimits, FacetValue, Facets};
pub use filter::{FieldFilter, FilterError, FilterSet, Op};
pub use requests::{collapse_path, RequestColumn, RequestRow, Requests};
pub use units::{format_duration, Dimension, Quantity};
pub use volume::{classify, step_for_span, Bucket, Severity, Volume};

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
