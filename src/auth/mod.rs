//! Logging in: the API-token form. The bearer it obtains is the client's business
//! (`crate::api::jwt` reads its expiry).

mod login;

pub use login::LoginForm;
