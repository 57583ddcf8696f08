//! Live logs: dump then stream over WebSocket or SSE, filter, search, follow.

pub mod backoff;
pub mod buffer;
pub mod filter;
pub mod frame;
pub mod line;
pub mod model;
pub mod overlap;
pub mod render;
pub mod search;

use leptos::prelude::*;

/// The log viewer of `app`, or of one of its database addons.
#[component]
pub fn LogsPage(app: String, #[prop(optional, into)] addon: Option<String>) -> impl IntoView {
    view! { <section class="sld-page"><h1>"Logs of " {app} {addon}</h1></section> }
}
