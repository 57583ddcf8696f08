//! Reusable browser behaviours, one per file.

pub mod use_fetch;
pub mod use_log_stream;
