//! The log viewer's search over its buffer, run in slices so that it never blocks input.
//!
//! The matcher itself ([`crate::search`]) is linear, but 50,000 buffered lines of a noisy
//! app (or one megabyte-long line) still take a while to search. The [`Model`] searches a
//! few kilobytes per step; [`run`] steps it for at most [`SLICE_MS`], gives the thread back
//! to the browser (a zero-delay timer, so typing, scrolling and painting happen), and goes
//! on until the search has caught up with the buffer, or a newer search replaced it.

use leptos::prelude::*;

use super::model::Model;

/// How long one slice may search before the browser gets the thread back, in milliseconds:
/// under a frame at 60 Hz, so typing and scrolling stay smooth.
pub const SLICE_MS: f64 = 12.0;

/// Text examined between two looks at the clock, in bytes (a line counts its message plus
/// [`super::model::ENTRY_COST`]).
pub const STEP_BYTES: usize = 32 * 1024;

/// Searches the model for one slice: steps until the search is done or [`SLICE_MS`] passed.
/// Returns whether it is done, or `None` when the model is gone (the user left the page).
pub fn slice(model: StoredValue<Model, LocalStorage>, now_ms: impl Fn() -> f64) -> Option<bool> {
    let start = now_ms();
    loop {
        let done = model.try_update_value(|m| m.search_step(STEP_BYTES))?;
        if done || now_ms() - start >= SLICE_MS {
            return Some(done);
        }
    }
}

/// Runs the model's search to the end, one [`slice`] per turn of the browser's event loop.
///
/// `current()` says whether this search is still the one wanted: it stops as soon as it is
/// not (the query changed, which started another run). `after_slice(done)` runs after every
/// slice, for the view to show the rows found so far and the progress.
pub async fn run(
    model: StoredValue<Model, LocalStorage>,
    now_ms: impl Fn() -> f64,
    current: impl Fn() -> bool,
    after_slice: impl Fn(bool),
) {
    loop {
        // A task of its own: input and paint events queued meanwhile run first.
        crate::hooks::yield_now::yield_now().await;
        if !current() {
            return;
        }
        let Some(done) = slice(model, &now_ms) else {
            return;
        };
        after_slice(done);
        if done {
            return;
        }
    }
}
