//! Log drains: list, add, edit and remove the drains of an app and its addons.
//!
//! `model` (provider catalogue, validation), `mask` (provider detection, secret masking) and
//! `prefill` (a drain's URL back into its form) are pure and tested natively; `view` (list,
//! removal), `form` (add) and `edit` (edit) are the components. Imports follow the data:
//! `view` owns `form` and `edit`, `edit` reuses `form`'s fields, all read the page's
//! `context` (where each part of the page loads, fails and retries on its own), and nothing
//! imports `view` back.

mod context;
mod edit;
mod form;
pub mod mask;
pub mod model;
pub mod prefill;
mod view;

pub use view::DrainsPage;
