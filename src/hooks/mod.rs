//! Reusable browser behaviours, one per file, and `backoff`, the live stream's reconnection
//! delays (pure, so tested natively).

pub mod backoff;
pub mod use_fetch;
pub mod use_log_stream;
pub mod yield_now;
