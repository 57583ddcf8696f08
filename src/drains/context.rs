//! The drains page's context: what the page provides to its list, rows and form.
//!
//! The page (`view`) owns it and the form (`form`) reads it, so data flows one way,
//! view → form, with no import back (as thaw's field context does for its fields).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::drains::{self, Drain, Outcome, Overview, Target};
use crate::api::{ApiClient, ApiError};

/// What every part of the page shares: the client, the app and the list.
#[derive(Clone, Copy)]
pub struct DrainsCtx {
    /// The API client (browser-only, hence local storage).
    pub api: StoredValue<ApiClient, LocalStorage>,
    /// The app whose drains are shown.
    pub app: StoredValue<String>,
    /// The last list read from the server, updated in place after adds and removals.
    pub overview: RwSignal<Option<Overview>>,
    /// Why the last (re)load failed, if it did.
    pub load_error: RwSignal<Option<ApiError>>,
    /// A polite announcement of the last success ("Drain added…").
    pub status: RwSignal<Option<String>>,
    /// Failures of the last removal, shown above the list.
    pub alert: RwSignal<Option<String>>,
    /// Increments for each load, so that a slow old answer never overwrites a newer one.
    pub(super) generation: StoredValue<u64>,
}

impl DrainsCtx {
    /// Reads the list again from the server, keeping the current one on screen meanwhile.
    pub fn reload(self) {
        // Also called when an add or removal finishes, by which time the user may have left
        // the page and its values been disposed: then there is nothing to reload.
        let (Some(api), Some(app), Some(previous)) = (
            self.api.try_get_value(),
            self.app.try_get_value(),
            self.generation.try_get_value(),
        ) else {
            return;
        };
        let generation = previous + 1;
        self.generation.set_value(generation);
        let ctx = self;
        spawn_local(async move {
            let result = drains::list_with_addons(&api, &app).await;
            if ctx.generation.try_get_value() != Some(generation) {
                return;
            }
            match result {
                Ok(overview) => {
                    ctx.overview.set(Some(overview));
                    ctx.load_error.set(None);
                }
                Err(err) => ctx.load_error.set(Some(err)),
            }
        });
    }

    /// Records what a multi-target add did, then re-reads the list to match the server.
    pub fn record_added(self, outcome: &Outcome<Drain>) {
        if outcome.done.is_empty() {
            return;
        }
        self.overview.update(|o| {
            if let Some(o) = o {
                for (target, drain) in &outcome.done {
                    o.insert(target, drain.clone());
                }
            }
        });
        self.reload();
    }

    /// `the app, PostgreSQL (ad-9be0fc04)` for announcements.
    pub fn labels(self, targets: &[Target]) -> String {
        // Called after awaits too, when the user may have left the page.
        let overview = self
            .overview
            .try_with_untracked(|o| o.clone())
            .flatten()
            .unwrap_or_default();
        targets
            .iter()
            .map(|t| overview.target_label(t))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The context of the drains page being shown.
pub fn use_drains() -> DrainsCtx {
    expect_context::<DrainsCtx>()
}
