//! Audit log player: one-off sessions replayed as the terminal showed them.

pub mod export;
pub mod replay;
pub mod seed;
pub mod terminal;
pub mod timeline;

use leptos::prelude::*;

/// The one-off sessions (`run` events) of `app`.
#[component]
pub fn SessionsPage(app: String) -> impl IntoView {
    view! { <section class="sld-page"><h1>"One-off sessions of " {app}</h1></section> }
}

/// The player of one audit log.
#[component]
pub fn PlayerPage(app: String, id: String) -> impl IntoView {
    view! { <section class="sld-page"><h1>"Session " {id} " of " {app}</h1></section> }
}
