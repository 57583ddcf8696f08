//! Log drains: list, add and remove the drains of an app and its addons.
//!
//! `model` (provider catalogue, validation) and `mask` (provider detection, secret masking)
//! are pure and tested natively; `view` holds the components.

pub mod mask;
pub mod model;

use leptos::prelude::*;

/// The drains page of `app`.
#[component]
pub fn DrainsPage(app: String) -> impl IntoView {
    view! { <section class="sld-page"><h1>"Drains of " {app}</h1></section> }
}
