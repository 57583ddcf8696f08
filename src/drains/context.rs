//! The drains page's context: what the page provides to its list, rows and form.
//!
//! The page (`view`) owns it and the form (`form`) reads it, so data flows one way,
//! view → form, with no import back (as thaw's field context does for its fields).
//!
//! The page combines several requests (the app's drains, the addon list, each addon's
//! drains). Each is a [`Part`] that loads, fails and retries on its own: one failed request
//! shows an error where its part would be and hides nothing else.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::apps::{list_addons_each, Addon, UnreadableAddon};
use crate::api::drains::{self, AddonDrains, AddonSection, Drain, Outcome, Overview, Target};
use crate::api::{ApiClient, ApiError};

/// A part of the drains page that loads, fails and retries on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// The app's own drains.
    App,
    /// The list of the app's addons.
    Addons,
    /// The drains of the addon with this id.
    Addon(String),
}

impl Part {
    /// The part that shows the drains of `target`.
    pub fn of(target: &Target) -> Part {
        match target {
            Target::App => Part::App,
            Target::Addon(id) => Part::Addon(id.clone()),
        }
    }
}

/// Where one part stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartState {
    /// Whether an answer arrived once: its content is shown, and kept through failed reloads.
    pub loaded: bool,
    /// Whether a read is under way.
    pub loading: bool,
    /// Why the last read failed, until a read succeeds.
    pub error: Option<ApiError>,
}

/// The state of every part, with a generation per part so that a slow old answer never
/// overwrites a newer one. A handful of parts: a list is enough.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parts(Vec<(Part, PartState, u64)>);

impl Parts {
    /// The state of `part` (never read yet: all false).
    pub fn get(&self, part: &Part) -> PartState {
        self.0
            .iter()
            .find(|(p, _, _)| p == part)
            .map(|(_, s, _)| s.clone())
            .unwrap_or_default()
    }

    /// Records that a read of `part` starts; returns its generation, for [`Parts::finish`].
    pub fn start(&mut self, part: &Part) -> u64 {
        let at = match self.0.iter().position(|(p, _, _)| p == part) {
            Some(at) => at,
            None => {
                self.0.push((part.clone(), PartState::default(), 0));
                self.0.len() - 1
            }
        };
        let (_, state, generation) = &mut self.0[at];
        state.loading = true;
        *generation += 1;
        *generation
    }

    /// Records the answer of the read of `part` numbered `generation`; false (and nothing
    /// recorded) when a newer read started since, whose answer alone counts.
    pub fn finish(&mut self, part: &Part, generation: u64, result: Result<(), ApiError>) -> bool {
        let Some((_, state, current)) = self.0.iter_mut().find(|(p, _, _)| p == part) else {
            return false;
        };
        if *current != generation {
            return false;
        }
        state.loading = false;
        match result {
            Ok(()) => {
                state.loaded = true;
                state.error = None;
            }
            Err(e) => state.error = Some(e),
        }
        true
    }

    /// Forgets the addons that are no longer listed.
    pub fn keep_addons(&mut self, ids: &[&str]) {
        self.0.retain(|(p, _, _)| match p {
            Part::Addon(id) => ids.contains(&id.as_str()),
            _ => true,
        });
    }
}

/// Replaces the addon sections of `overview` with `addons`, in the list's order: addons
/// still listed keep the drains already read, new ones start empty until theirs arrive.
pub fn merge_addons(overview: &mut Overview, addons: Vec<Addon>) {
    let mut previous = std::mem::take(&mut overview.addons);
    overview.addons = addons
        .into_iter()
        .map(|addon| {
            let drains = previous
                .iter()
                .position(|s| s.addon.id == addon.id)
                .map(|at| previous.swap_remove(at).drains)
                .unwrap_or(AddonDrains::Drains(Vec::new()));
            AddonSection { addon, drains }
        })
        .collect();
}

/// Which form the page shows: one at a time, where the page's form goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormMode {
    /// "Add a drain".
    Add,
    /// Editing the drain with this URL, opened from its row in `Target`'s list.
    Edit(Target, String),
}

/// What every part of the page shares: the client, the app, what is known of its drains,
/// and where each part stands. `Copy`: every field is an arena handle.
#[derive(Clone, Copy)]
pub struct DrainsCtx {
    /// The API client (browser-only, hence local storage).
    pub api: StoredValue<ApiClient, LocalStorage>,
    /// The app whose drains are shown.
    pub app: StoredValue<String>,
    /// What the server answered so far, updated in place after adds and removals. A part
    /// that has not loaded (or failed before loading) is empty here.
    pub overview: RwSignal<Overview>,
    /// Where each part stands.
    pub parts: RwSignal<Parts>,
    /// Entries of the addon list that could not be read, shown in their place.
    pub unreadable: RwSignal<Vec<UnreadableAddon>>,
    /// A polite announcement of the last success ("Drain added…").
    pub status: RwSignal<Option<String>>,
    /// Failures of the last removal, shown above the list.
    pub alert: RwSignal<Option<String>>,
    /// The form shown, if any.
    pub form: RwSignal<Option<FormMode>>,
    /// The row whose Edit button takes the focus once it is shown, as the edit of its target
    /// and URL: where a closed edit form returns the user. (The form's type, so that no new
    /// signal type is added to the bundle.)
    pub focus_row: RwSignal<Option<FormMode>>,
}

impl DrainsCtx {
    /// A context for the drains of `app`, provided to the components below the caller.
    pub fn provide(api: ApiClient, app: String) -> DrainsCtx {
        let ctx = DrainsCtx {
            api: StoredValue::new_local(api),
            app: StoredValue::new(app),
            overview: RwSignal::new(Overview::default()),
            parts: RwSignal::new(Parts::default()),
            unreadable: RwSignal::new(Vec::new()),
            status: RwSignal::new(None),
            alert: RwSignal::new(None),
            form: RwSignal::new(None),
            focus_row: RwSignal::new(None),
        };
        provide_context(ctx);
        ctx
    }

    /// The state of `part`; tracked.
    pub fn part(self, part: &Part) -> PartState {
        self.parts.with(|p| p.get(part))
    }

    /// The addons a drain can be added to: those whose drains were read and that accept
    /// drains (an addon still loading, or whose list failed, is not offered); tracked.
    pub fn drain_addons(self) -> Vec<Addon> {
        let parts = self.parts.get();
        self.overview.with(|o| {
            o.drain_addons()
                .filter(|a| parts.get(&Part::Addon(a.id.clone())).loaded)
                .cloned()
                .collect()
        })
    }

    /// Reads every part: the app's drains, and the addon list then each addon's drains.
    pub fn load_all(self) {
        self.load(Part::App);
        self.load(Part::Addons);
    }

    /// Reads `part` again, keeping what it shows on screen meanwhile.
    pub fn load(self, part: Part) {
        // Also called when an add or removal finishes, by which time the user may have left
        // the page and its values been disposed: then there is nothing to read.
        let (Some(api), Some(app)) = (self.api.try_get_value(), self.app.try_get_value()) else {
            return;
        };
        let Some(generation) = self.parts.try_update(|p| p.start(&part)) else {
            return;
        };
        spawn_local(async move {
            let result = match &part {
                Part::Addons => list_addons_each(&api, &app).await.map(|entries| {
                    let (addons, unreadable): (Vec<_>, Vec<_>) =
                        entries.into_iter().partition(Result::is_ok);
                    (
                        addons
                            .into_iter()
                            .filter_map(Result::ok)
                            .collect::<Vec<_>>(),
                        unreadable
                            .into_iter()
                            .filter_map(Result::err)
                            .collect::<Vec<_>>(),
                    )
                }),
                Part::App | Part::Addon(_) => {
                    let target = match &part {
                        Part::Addon(id) => Target::Addon(id.clone()),
                        _ => Target::App,
                    };
                    let listed = drains::list(&api, &app, &target).await;
                    return self.settle_drains(part, generation, target, listed);
                }
            };
            let fresh = self.parts.try_update(|p| {
                p.finish(
                    &part,
                    generation,
                    result.as_ref().map(|_| ()).map_err(Clone::clone),
                )
            });
            if fresh != Some(true) {
                return;
            }
            if let Ok((addons, unreadable)) = result {
                let ids: Vec<String> = addons.iter().map(|a| a.id.clone()).collect();
                self.parts
                    .update(|p| p.keep_addons(&ids.iter().map(String::as_str).collect::<Vec<_>>()));
                self.overview.update(|o| merge_addons(o, addons));
                self.unreadable.set(unreadable);
                for id in ids {
                    self.load(Part::Addon(id));
                }
            }
        });
    }

    /// Records the answer of a drain list read for `part`.
    fn settle_drains(
        self,
        part: Part,
        generation: u64,
        target: Target,
        listed: Result<Vec<Drain>, ApiError>,
    ) {
        // An addon that refuses drains answered as it should: that is its content.
        let listed = match listed {
            Err(e) if matches!(target, Target::Addon(_)) => match drains::is_unsupported(&e) {
                Some(message) => Ok(AddonDrains::Unsupported(message)),
                None => Err(e),
            },
            other => other.map(AddonDrains::Drains),
        };
        let fresh = self.parts.try_update(|p| {
            p.finish(
                &part,
                generation,
                listed.as_ref().map(|_| ()).map_err(Clone::clone),
            )
        });
        if fresh != Some(true) {
            return;
        }
        if let Ok(content) = listed {
            self.overview.update(|o| match (&target, content) {
                (Target::App, AddonDrains::Drains(d)) => o.app = d,
                (Target::Addon(id), content) => {
                    if let Some(s) = o.addons.iter_mut().find(|s| &s.addon.id == id) {
                        s.drains = content;
                    }
                }
                _ => {}
            });
        }
    }

    /// Reads the drains of `targets` again, to match the server after a change.
    pub fn reload(self, targets: &[Target]) {
        for target in targets {
            self.load(Part::of(target));
        }
    }

    /// Records what a multi-target add did, then re-reads those lists to match the server.
    pub fn record_added(self, outcome: &Outcome<Drain>) {
        if outcome.done.is_empty() {
            return;
        }
        self.overview.try_update(|o| {
            for (target, drain) in &outcome.done {
                o.insert(target, drain.clone());
            }
        });
        let targets: Vec<Target> = outcome.done.iter().map(|(t, _)| t.clone()).collect();
        self.reload(&targets);
    }

    /// `the app, PostgreSQL (ad-9be0fc04)` for announcements.
    pub fn labels(self, targets: &[Target]) -> String {
        // Called after awaits too, when the user may have left the page.
        self.overview
            .try_with_untracked(|o| {
                targets
                    .iter()
                    .map(|t| o.target_label(t))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    }
}

/// The context of the drains page being shown.
pub fn use_drains() -> DrainsCtx {
    expect_context::<DrainsCtx>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::apps::AddonProvider;

    fn addon(id: &str) -> Addon {
        Addon {
            id: id.into(),
            addon_provider: AddonProvider {
                id: "postgresql".into(),
                name: "PostgreSQL".into(),
            },
            plan: None,
        }
    }

    #[test]
    fn a_part_that_failed_after_loading_keeps_its_content_and_shows_the_error() {
        let mut parts = Parts::default();
        let first = parts.start(&Part::App);
        assert!(parts.get(&Part::App).loading);
        assert!(parts.finish(&Part::App, first, Ok(())));
        let again = parts.start(&Part::App);
        assert!(parts.finish(&Part::App, again, Err(ApiError::Network("down".into()))));
        let state = parts.get(&Part::App);
        assert!(state.loaded && !state.loading);
        assert!(state.error.is_some());
        // Another part is not concerned.
        assert_eq!(parts.get(&Part::Addons), PartState::default());
    }

    #[test]
    fn only_the_answer_of_the_latest_read_of_a_part_counts() {
        let mut parts = Parts::default();
        let old = parts.start(&Part::Addons);
        let new = parts.start(&Part::Addons);
        assert!(parts.finish(&Part::Addons, new, Ok(())));
        assert!(!parts.finish(&Part::Addons, old, Err(ApiError::Network("late".into()))));
        assert_eq!(parts.get(&Part::Addons).error, None);
        // A part that never started has no answer to take.
        assert!(!parts.finish(&Part::App, 1, Ok(())));
    }

    #[test]
    fn addons_no_longer_listed_are_forgotten_and_the_others_kept() {
        let mut parts = Parts::default();
        for id in ["ad-1", "ad-2"] {
            let g = parts.start(&Part::Addon(id.into()));
            parts.finish(&Part::Addon(id.into()), g, Ok(()));
        }
        parts.keep_addons(&["ad-2"]);
        assert!(!parts.get(&Part::Addon("ad-1".into())).loaded);
        assert!(parts.get(&Part::Addon("ad-2".into())).loaded);
    }

    #[test]
    fn re_reading_the_addon_list_keeps_the_drains_already_read() {
        let drain = Drain {
            app_id: "ad-1".into(),
            url: "tcp+tls://h:1".into(),
        };
        let mut o = Overview::default();
        merge_addons(&mut o, vec![addon("ad-1")]);
        o.insert(&Target::Addon("ad-1".into()), drain.clone());
        merge_addons(&mut o, vec![addon("ad-0"), addon("ad-1")]);
        let ids: Vec<_> = o.addons.iter().map(|s| s.addon.id.as_str()).collect();
        assert_eq!(ids, ["ad-0", "ad-1"]);
        assert_eq!(o.addons[0].drains, AddonDrains::Drains(vec![]));
        assert_eq!(o.addons[1].drains, AddonDrains::Drains(vec![drain]));
    }
}
