//! Integration tests: each starts the real server on a free loopback port and talks HTTP, WebSocket and SSE to it.
//!
//! One test binary with modules, so the shared machine links once rather than once per file.

mod common;

mod apps;
mod archives;
mod auth;
mod binary;
mod dist;
mod drains;
mod events;
mod faults;
mod logs;
