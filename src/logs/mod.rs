//! Live logs: dump then stream over WebSocket or SSE, filter, search, follow.

pub mod buffer;
pub mod fields;
pub mod filter;
pub mod history;
pub mod line;
pub mod model;
pub mod overlap;
pub mod render;
pub mod search;
pub mod store;
mod view;

pub use view::LogsPage;
