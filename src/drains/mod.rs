//! Log drains: list, add and remove the drains of an app and its addons.

use leptos::prelude::*;

/// The drains page of `app`.
#[component]
pub fn DrainsPage(app: String) -> impl IntoView {
    view! { <section class="sld-page"><h1>"Drains of " {app}</h1></section> }
}
