//! Log drains: list, add and remove the drains of an app and its addons.
//!
//! `model` (provider catalogue, validation) and `mask` (provider detection, secret masking)
//! are pure and tested natively; `view` (list, removal) and `form` (add) are the components.
//! Imports follow the data: `view` owns `form`, both read the page's `context` (where each
//! part of the page loads, fails and retries on its own), and nothing imports `view` back.

mod context;
mod form;
pub mod mask;
pub mod model;
mod view;

pub use view::DrainsPage;
