//! Logs: the live stream (dump, then WebSocket or SSE) and history (archives, files), in one
//! time-ordered viewer with search, container filter, and fields read from each line.

pub mod fields;
pub mod filter;
pub mod history;
pub mod line;
pub mod model;
pub mod overlap;
pub mod panels;
pub mod render;
pub mod rows;
pub mod search;
pub mod store;
mod view;

pub use view::LogsPage;
