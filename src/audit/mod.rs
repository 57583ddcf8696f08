//! Audit log player: one-off sessions replayed as the terminal showed them.
//!
//! Pure logic (terminal model, timeline, seeking, exports) is in plain modules tested
//! natively; `sessions` and `player` are the views.

pub mod export;
pub mod input;
mod player;
pub mod replay;
pub mod search;
pub mod seed;
mod sessions;
pub mod terminal;
pub mod timeline;

pub use player::PlayerPage;
pub use sessions::{format_size, known_session, SessionsPage};
