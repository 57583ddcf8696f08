//! Navigation at run time: the current [`Route`] as a signal, kept in the URL fragment or in
//! memory depending on the configuration.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::config::RoutingMode;
use crate::route::{Query, Route};

/// The navigation state, provided as context by the shell.
#[derive(Clone, Copy, Debug)]
pub struct Nav {
    route: RwSignal<Route>,
    mode: RoutingMode,
}

fn current_hash() -> String {
    window().location().hash().unwrap_or_default()
}

impl Nav {
    /// Starts navigation; in hash mode it follows the fragment, including back/forward.
    pub fn new(mode: RoutingMode) -> Self {
        let initial = match mode {
            RoutingMode::Hash => Route::parse(&current_hash()),
            RoutingMode::Memory => Route::Apps,
        };
        let route = RwSignal::new(initial);
        if mode == RoutingMode::Hash {
            let handle = window_event_listener(leptos::ev::hashchange, move |_| {
                let next = Route::parse(&current_hash());
                if route.get_untracked() != next {
                    route.set(next);
                }
            });
            on_cleanup(move || handle.remove());
        }
        Nav { route, mode }
    }

    /// The current route.
    pub fn route(&self) -> Signal<Route> {
        self.route.into()
    }

    /// The current route's query (filter, search…), tracked.
    pub fn query(&self) -> Query {
        match self.route.get() {
            Route::Logs { query, .. }
            | Route::AddonLogs { query, .. }
            | Route::Audit { query, .. } => query,
            _ => Query::default(),
        }
    }

    /// Goes to `route`, adding a history entry.
    pub fn go(&self, route: Route) {
        if self.mode == RoutingMode::Hash {
            // Setting the fragment fires `hashchange`, which updates the signal.
            let _ = window().location().set_hash(&route.to_hash());
        }
        self.route.set(route);
    }

    /// Replaces the current route without a history entry: for filters and searches, so
    /// that Back leaves the page instead of undoing keystrokes.
    pub fn replace(&self, route: Route) {
        if self.mode == RoutingMode::Hash {
            if let Ok(history) = window().history() {
                let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&route.to_hash()));
            }
        }
        self.route.set(route);
    }

    /// Replaces the current route's query with `query`.
    pub fn set_query(&self, query: Query) {
        let next = match self.route.get_untracked() {
            Route::Logs { app, .. } => Route::Logs { app, query },
            Route::AddonLogs { app, addon, .. } => Route::AddonLogs { app, addon, query },
            Route::Audit { app, .. } => Route::Audit { app, query },
            other => other,
        };
        self.replace(next);
    }

    /// Whether links are real fragment links.
    pub fn mode(&self) -> RoutingMode {
        self.mode
    }
}

/// The navigation provided by the shell.
pub fn use_nav() -> Nav {
    expect_context::<Nav>()
}

/// A link to a route: a real `<a href="#/…">` (open in new tab works) in hash mode,
/// a click handler in memory mode.
#[component]
pub fn Link(
    /// Where the link goes.
    #[prop(into)]
    to: Signal<Route>,
    /// Extra classes.
    #[prop(optional, into)]
    class: String,
    /// Marks the link as the current page.
    #[prop(optional, into)]
    current: Signal<bool>,
    /// The link's content.
    children: Children,
) -> impl IntoView {
    let nav = use_nav();
    let href = move || match nav.mode() {
        RoutingMode::Hash => to.get().to_hash(),
        RoutingMode::Memory => "#".to_owned(),
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if nav.mode() == RoutingMode::Memory {
            ev.prevent_default();
            nav.go(to.get_untracked());
        }
    };
    view! {
        <a href=href class=class on:click=on_click aria-current=move || current.get().then_some("page")>
            {children()}
        </a>
    }
}
