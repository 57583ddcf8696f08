//! Small shared view pieces: loading, errors, empty states.

use leptos::prelude::*;

mod clipboard;
mod download;
pub use clipboard::copy_to_clipboard;
pub use download::download_text;

use crate::api::ApiError;

/// Milliseconds from the page's time origin (`performance.now()`), for timing slices of work
/// and searches; the wall clock where there is no `performance`.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// The wall clock, whole seconds since the Unix epoch.
pub fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// The browser's offset from UTC at the Unix second `secs`, in minutes east (as
/// `Timestamp::format` takes it), daylight saving included.
pub fn local_offset_minutes(secs: i64) -> i64 {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(secs as f64 * 1000.0));
    -(d.get_timezone_offset() as i64)
}

/// Focuses the first element that matches `selector`; whether there was one.
///
/// Focus targets are found by selector rather than through `NodeRef`s: each element type a
/// `NodeRef` is used with, and each `on_load`, instantiates its own code in the wasm bundle.
pub fn focus(selector: &str) -> bool {
    use wasm_bindgen::JsCast;
    document()
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        .map(|el| el.focus())
        .is_some()
}

/// [`focus`] on the next frame, once the element is in the page.
pub fn focus_later(selector: String) {
    request_animation_frame(move || {
        focus(&selector);
    });
}

/// Whether the keyboard focus is on an element inside the first match of `selector`.
pub fn focus_is_within(selector: &str) -> bool {
    document()
        .active_element()
        .and_then(|el| el.closest(selector).ok().flatten())
        .is_some()
}

/// Whether the keyboard focus has fallen to the document: the element that had it was removed
/// (a page or a form went away with it).
pub fn focus_is_lost() -> bool {
    document()
        .active_element()
        .is_none_or(|el| el.tag_name().eq_ignore_ascii_case("body"))
}

/// A fresh element id: URLs make poor ids, and rows come and go.
pub fn unique_id(prefix: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{prefix}-{n}")
}

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
