//! Everything that talks to Scalingo: HTTP requests, authentication, logs URLs and streams.
//! Views call the functions here; they never build URLs or parse JSON themselves.

pub mod apps;
pub mod archives;
pub mod client;
pub mod decode;
pub mod drains;
pub mod error;
pub mod events;
pub mod frame;
pub mod jwt;
pub mod logs;
pub mod url;

pub use client::{use_api, ApiClient, ApiContext, ClientSignals, Region, Request};
pub use error::{ApiError, FieldErrors};
