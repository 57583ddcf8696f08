//! Small shared view pieces: loading, errors, empty states.

use leptos::prelude::*;

mod clipboard;
mod download;
pub use clipboard::copy_to_clipboard;
pub use download::download_text;

use crate::api::ApiError;

/// A loading indicator with a label for screen readers.
#[component]
pub fn Spinner(
    /// What is loading, e.g. "Loading drains".
    #[prop(into)]
    label: String,
) -> impl IntoView {
    view! {
        <div class="sld-loading" role="status" aria-live="polite">
            <span class="sld-spinner" aria-hidden="true"></span>
            <span>{label}</span>
        </div>
    }
}

/// An error next to what failed, with an optional retry.
#[component]
pub fn ErrorNotice(
    /// The error to show.
    error: ApiError,
    /// Called by the Retry button; no button without it.
    #[prop(optional, into)]
    retry: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <div class="sld-error" role="alert">
            <span>{error.to_string()}</span>
            {retry.map(|retry| view! {
                <button type="button" class="sld-button" on:click=move |_| retry.run(())>"Retry"</button>
            })}
        </div>
    }
}

/// What to show when a list is empty: a title and what to do next.
#[component]
pub fn EmptyState(
    /// The headline.
    #[prop(into)]
    title: String,
    /// What to do next.
    children: Children,
) -> impl IntoView {
    view! {
        <div class="sld-empty">
            <p class="sld-empty__title">{title}</p>
            <div class="sld-muted">{children()}</div>
        </div>
    }
}
