//! Logging in: the API-token form and what it needs to know about bearers.

pub mod jwt;
mod login;

pub use login::LoginForm;
