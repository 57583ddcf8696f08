//! A browser dashboard for the log features of the Scalingo platform: log drains, live
//! logs and the audit log player, speaking Scalingo's public API.
//!
//! Pure logic (configuration, routes, parsing, validation, terminal model…) lives in plain
//! modules tested natively; views are Leptos components beside them.

pub mod ansi;
pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod boot;
pub mod config;
pub mod drains;
pub mod hooks;
pub mod logs;
pub mod nav;
pub mod route;
pub mod safe_html;
pub mod search;
pub mod text;
pub mod ui;

/// Finds the element to mount into and starts the dashboard there.
pub fn mount() {
    let target = boot::mount_target();
    let handle = leptos::mount::mount_to(
        target.clone(),
        move || leptos::view! { <app::App mount=target /> },
    );
    // The dashboard lives as long as the page.
    handle.forget();
}
