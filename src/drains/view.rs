//! The drains page: the grouped list, the add form and the remove confirmation.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::context::{use_drains, DrainsCtx, FormMode, Part};
use super::edit::EditDrainForm;
use super::form::AddDrainForm;
use super::mask::{detect_provider, mask_url, DrainKind};
use crate::api::drains::{self, AddonDrains, Target};
use crate::api::use_api;
use crate::ui::{focus, focus_is_lost, focus_later, unique_id, EmptyState, Spinner};

/// The page heading, which takes focus when the element that had it disappears.
const HEADING: &str = "#sld-drains-title";

/// The drains page of `app`.
#[component]
pub fn DrainsPage(app: String) -> impl IntoView {
    let ctx = DrainsCtx::provide(use_api(), app.clone());
    ctx.load_all();

    let adding = move || ctx.form.with(|f| f == &Some(FormMode::Add));
    let close_add = Callback::new(move |_: ()| {
        ctx.form.set(None);
        // Focus goes back where the user opened the form from.
        focus_later("#sld-drains-add".to_owned());
    });
    // The edit form hands the focus back to its row itself (see `DrainsCtx::focus_row`).
    let close_edit = Callback::new(move |_: ()| ctx.form.set(None));

    view! {
        <section class="sld-page sld-drains" aria-labelledby="sld-drains-title">
            <div class="sld-drains__head">
                <h1 id="sld-drains-title" tabindex="-1">"Log drains of " {app}</h1>
                <button
                    type="button"
                    id="sld-drains-add"
                    class="sld-button sld-button--primary"
                    aria-expanded=move || if adding() { "true" } else { "false" }
                    aria-controls="sld-drain-form"
                    on:click=move |_| {
                        ctx.status.set(None);
                        // Only a flip rebuilds the form, so a second click loses nothing typed.
                        if !adding() {
                            ctx.form.set(Some(FormMode::Add));
                        }
                    }
                >
                    "Add a drain"
                </button>
            </div>
            <p class="sld-muted">
                "A drain forwards the logs of the app or of a database addon to a log management service. "
                "Secrets in drain URLs are hidden until you reveal them."
            </p>
            <div class="sld-drains__status" role="status" aria-live="polite">
                {move || ctx.status.get()}
            </div>
            {move || ctx.alert.get().map(|message| view! {
                <div class="sld-error" role="alert">
                    <span>{message}</span>
                    <button type="button" class="sld-button" on:click=move |_| ctx.alert.set(None)>"Dismiss"</button>
                </div>
            }.into_any())}
            // Built when the form opens and dropped when it closes.
            {move || match ctx.form.get() {
                Some(FormMode::Add) => view! { <AddDrainForm on_close=close_add /> }.into_any(),
                Some(FormMode::Edit(target, url)) => view! { <EditDrainForm target url on_close=close_edit /> }.into_any(),
                None => ().into_any(),
            }}
            <AppGroup />
            <AddonGroups />
        </section>
    }
}

/// The error of one part of the page, where its content would be, with its own Retry.
///
/// It stays mounted while the part keeps failing, so the Retry button keeps the keyboard
/// focus through a retry that fails again; when a retry succeeds and the notice goes, the
/// focus moves to the part's heading (`heading`, a selector) rather than to the page.
#[component]
fn PartNotice(
    /// The part whose error this shows.
    part: Part,
    /// What could not be read, e.g. "The app's drains could not be read."
    what: &'static str,
    /// The heading of the part, focused when the notice goes with the focus in it.
    heading: String,
) -> impl IntoView {
    let ctx = use_drains();
    let part = StoredValue::new(part);
    let state = move || ctx.part(&part.get_value());
    let failed = Memo::new(move |_| state().error.is_some());
    let retrying = move || state().loading;
    Effect::new(move |was_failed: Option<bool>| {
        let now = failed.get();
        if was_failed == Some(true) && !now {
            refocus(heading.clone());
        }
        now
    });
    move || {
        failed.get().then(|| {
            view! {
                <div class="sld-error sld-drains__part-error" role="alert">
                    <span>
                        {what} " "
                        {move || state().error.map(|e| e.to_string())}
                    </span>
                    <button
                        type="button"
                        class="sld-button"
                        aria-disabled=move || retrying().then_some("true")
                        on:click=move |_| {
                            if !untrack(retrying) {
                                ctx.load(part.get_value());
                            }
                        }
                    >
                        {move || if retrying() { "Retrying…" } else { "Retry" }}
                    </button>
                </div>
            }
        })
    }
}

/// On the next frame, once the page has changed, moves the focus to `selector` (or else to
/// the page heading) if the element that had it was removed.
fn refocus(selector: String) {
    request_animation_frame(move || {
        if focus_is_lost() && !focus(&selector) {
            focus(HEADING);
        }
    });
}

/// The app's own drains.
#[component]
fn AppGroup() -> impl IntoView {
    let ctx = use_drains();
    // A memo, so that the list or the empty state is only rebuilt when it flips: the rows
    // update in place and keep their open confirmations and revealed URLs.
    let shown = Memo::new(move |_| {
        ctx.part(&Part::App)
            .loaded
            .then(|| ctx.overview.with(|o| !o.app.is_empty()))
    });
    let waiting = Memo::new(move |_| {
        let state = ctx.part(&Part::App);
        !state.loaded && state.error.is_none()
    });
    view! {
        <section class="sld-card sld-drains__group" aria-labelledby="sld-drains-app">
            <h2 id="sld-drains-app" tabindex="-1">"This app"</h2>
            <PartNotice part=Part::App what="The app's drains could not be read." heading="#sld-drains-app".to_owned() />
            {move || match shown.get() {
                Some(true) => view! { <DrainList target=Target::App label="Drains of the app".to_owned() /> }.into_any(),
                Some(false) => view! {
                    <EmptyState title="No drains on this app">
                        "Its logs stay in Scalingo only. Use “Add a drain” to forward them to Datadog, Papertrail, an ELK stack…"
                    </EmptyState>
                }
                .into_any(),
                None if waiting.get() => view! { <Spinner label="Loading the app's drains…" /> }.into_any(),
                None => ().into_any(),
            }}
        </section>
    }
}

/// Each addon's drains, like `scalingo log-drains --with-addons`, after the app's; the
/// addon list itself is a part of its own.
#[component]
fn AddonGroups() -> impl IntoView {
    let ctx = use_drains();
    let addons = move || {
        ctx.overview.with(|o| {
            o.addons
                .iter()
                .map(|s| (s.addon.id.clone(), s.addon.label()))
                .collect::<Vec<_>>()
        })
    };
    let unreadable = move || {
        ctx.unreadable
            .get()
            .into_iter()
            .map(|u| (u.index, u.id, u.error.to_string()))
            .collect::<Vec<_>>()
    };
    // The list's own card shows while it loads the first time or when reading it failed.
    let list_card = Memo::new(move |_| {
        let state = ctx.part(&Part::Addons);
        state.error.is_some() || !state.loaded
    });
    // When a retry of the list succeeds, its card goes with the Retry button that had the
    // focus: the first addon (or the page heading) takes it.
    Effect::new(move |was_shown: Option<bool>| {
        let now = list_card.get();
        if was_shown == Some(true) && !now {
            refocus(r#"h2[id^="sld-drains-addon-"]"#.to_owned());
        }
        now
    });
    let no_addons = Memo::new(move |_| {
        ctx.part(&Part::Addons).loaded
            && ctx.overview.with(|o| o.addons.is_empty())
            && ctx.unreadable.with(Vec::is_empty)
    });
    view! {
        {move || list_card.get().then(|| view! {
            <section class="sld-card sld-drains__group" aria-labelledby="sld-drains-addons">
                <h2 id="sld-drains-addons" tabindex="-1">"Addons"</h2>
                <PartNotice part=Part::Addons what="The addons of this app could not be listed." heading="#sld-drains-addons".to_owned() />
                {move || (!ctx.part(&Part::Addons).loaded && ctx.part(&Part::Addons).error.is_none())
                    .then(|| view! { <Spinner label="Loading addons…" /> })}
            </section>
        })}
        <For each=addons key=|(id, _)| id.clone() let:addon>
            <AddonGroup id=addon.0 label=addon.1 />
        </For>
        // Rare and without state of their own: a plain list, not a second keyed one (each
        // keyed list type adds its diffing code to the bundle).
        {move || unreadable().into_iter().map(|(index, id, error)| view! {
            <UnreadableAddonGroup index id error />
        }).collect_view()}
        {move || no_addons.get().then(|| view! {
            <p class="sld-muted">"This app has no addons. Database addons can have drains of their own."</p>
        }.into_any())}
    }
}

/// An entry of the addon list that could not be read: said in its place, the others shown.
#[component]
fn UnreadableAddonGroup(index: usize, id: Option<String>, error: String) -> impl IntoView {
    let ctx = use_drains();
    let heading_id = unique_id("sld-drains-unreadable");
    let heading_ref = heading_id.clone();
    let name = match id {
        Some(id) => format!("Addon {id}"),
        None => format!("Addon number {} of the list", index + 1),
    };
    view! {
        <section class="sld-card sld-drains__group" aria-labelledby=heading_ref>
            <h2 id=heading_id>{name}</h2>
            <div class="sld-error sld-drains__part-error" role="alert">
                <span>"This addon could not be read, so its drains are not shown. " {error}</span>
                <button type="button" class="sld-button" on:click=move |_| ctx.load(Part::Addons)>"Retry"</button>
            </div>
        </section>
    }
}

/// What one addon section shows, derived from the overview and its part's state.
#[derive(Clone, Debug, PartialEq)]
enum AddonState {
    /// Not read yet (a spinner, or nothing beside a failure).
    Waiting {
        failed: bool,
    },
    /// Whether the addon has no drains; the rows themselves update in place.
    Drains {
        empty: bool,
    },
    Unsupported,
}

#[component]
fn AddonGroup(id: String, label: String) -> impl IntoView {
    let ctx = use_drains();
    let heading_id = format!("sld-drains-addon-{id}");
    let heading_ref = heading_id.clone();
    let heading_selector = format!(r#"[id="{heading_id}"]"#);
    let part = Part::Addon(id.clone());
    let id = StoredValue::new(id);
    let state = Memo::new(move |_| {
        let id = id.get_value();
        let part = ctx.part(&Part::Addon(id.clone()));
        if !part.loaded {
            return AddonState::Waiting {
                failed: part.error.is_some(),
            };
        }
        ctx.overview.with(|o| {
            match o
                .addons
                .iter()
                .find(|s| s.addon.id == id)
                .map(|s| &s.drains)
            {
                Some(AddonDrains::Drains(d)) => AddonState::Drains {
                    empty: d.is_empty(),
                },
                Some(AddonDrains::Unsupported(_)) => AddonState::Unsupported,
                // Not produced by the page's reads; shown like an addon still to read.
                None => AddonState::Waiting { failed: true },
            }
        })
    });
    let list_label = format!("Drains of {label}");
    view! {
        <section class="sld-card sld-drains__group" aria-labelledby=heading_ref>
            <h2 id=heading_id tabindex="-1">{label.clone()}</h2>
            <PartNotice part what="The drains of this addon could not be read." heading=heading_selector />
            {move || match state.get() {
                AddonState::Waiting { failed: false } => view! {
                    <Spinner label="Loading its drains…" />
                }
                .into_any(),
                AddonState::Waiting { failed: true } => ().into_any(),
                AddonState::Drains { empty: true } => view! {
                    <p class="sld-muted">"No drains on this addon. Add one with “Add a drain” and choose this addon as the target."</p>
                }
                .into_any(),
                AddonState::Drains { empty: false } => view! {
                    <DrainList target=Target::Addon(id.get_value()) label=list_label.clone() />
                }
                .into_any(),
                AddonState::Unsupported => view! {
                    <p class="sld-muted">"This addon does not support log drains: only database addons produce logs."</p>
                }
                .into_any(),
            }}
        </section>
    }
}

/// The drains of one target, labelled `label`; the app's list and each addon's share this
/// one keyed list, so its code is in the bundle once.
#[component]
fn DrainList(target: Target, label: String) -> impl IntoView {
    let ctx = use_drains();
    let target = StoredValue::new(target);
    let drains = move || {
        ctx.overview.with(|o| match target.get_value() {
            Target::App => o.app.clone(),
            Target::Addon(id) => o
                .addons
                .iter()
                .find(|s| s.addon.id == id)
                .and_then(|s| match &s.drains {
                    AddonDrains::Drains(d) => Some(d.clone()),
                    _ => None,
                })
                .unwrap_or_default(),
        })
    };
    view! {
        <ul class="sld-drain-list" aria-label=label>
            <For each=drains key=|d| d.url.clone() let:drain>
                <DrainRow target=target.get_value() url=drain.url />
            </For>
        </ul>
    }
}

/// Which targets a removal applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// Every list that holds the URL (the CLI's default).
    Everywhere,
    /// Only the list the user clicked in (`--only-app` for the app).
    OnlyHere,
}

/// One drain: provider, masked URL, reveal, copy, remove.
#[component]
fn DrainRow(target: Target, url: String) -> impl IntoView {
    let ctx = use_drains();
    let kind = detect_provider(&url);
    let masked = mask_url(&url);
    let url = StoredValue::new(url);
    let target = StoredValue::new(target);
    let revealed = RwSignal::new(false);
    let copy_status = RwSignal::new(None::<&'static str>);
    let confirming = RwSignal::new(false);
    let row_id = unique_id("sld-drain");

    let copy = move |_| {
        let text = url.get_value();
        spawn_local(async move {
            let ok = crate::ui::copy_to_clipboard(&text).await;
            copy_status.set(Some(if ok {
                "Copied"
            } else {
                "Copy failed: reveal the URL and select it instead"
            }));
        });
    };
    let masked_for_view = masked.clone();
    let url_id = format!("{row_id}-url");
    // The row's Remove button, where focus returns when a removal is cancelled.
    let remove_button = StoredValue::new(format!(
        r#"button.sld-button--danger[aria-describedby="{url_id}"]"#
    ));
    let edit_id = format!("{row_id}-edit");
    let edit_selector = format!("#{edit_id}");
    let editing = move || {
        ctx.form.with(|f| {
            matches!(f, Some(FormMode::Edit(t, u)) if *t == target.get_value() && *u == url.get_value())
        })
    };
    // A closed edit form hands the focus back to its row (the new drain's, after a change).
    Effect::new(move |_| {
        let mine = ctx.focus_row.with(|f| {
            matches!(f, Some(FormMode::Edit(t, u)) if *t == target.get_value() && *u == url.get_value())
        });
        if mine {
            ctx.focus_row.set(None);
            focus_later(edit_selector.clone());
        }
    });
    view! {
        <li class="sld-drain">
            <div class="sld-drain__main">
                // Legacy providers say so in their label, e.g. "Logentries (legacy)".
                <span class="sld-drain__provider" data-kind=kind_class(kind)>
                    {kind.label()}
                </span>
                <code class="sld-drain__url" id=url_id.clone()>
                    {move || if revealed.get() { url.get_value() } else { masked_for_view.clone() }}
                </code>
            </div>
            <div class="sld-drain__actions">
                <button
                    type="button"
                    class="sld-button"
                    id=edit_id
                    aria-describedby=url_id.clone()
                    aria-controls="sld-drain-form"
                    aria-expanded=move || if editing() { "true" } else { "false" }
                    on:click=move |_| {
                        ctx.status.set(None);
                        // Only a change rebuilds the form, so a second click loses nothing typed.
                        if !editing() {
                            ctx.form.set(Some(FormMode::Edit(target.get_value(), url.get_value())));
                        }
                    }
                >
                    "Edit"
                </button>
                <button
                    type="button"
                    class="sld-button"
                    aria-pressed=move || if revealed.get() { "true" } else { "false" }
                    aria-describedby=url_id.clone()
                    on:click=move |_| revealed.update(|r| *r = !*r)
                >
                    {move || if revealed.get() { "Hide secrets" } else { "Reveal" }}
                </button>
                <button type="button" class="sld-button" aria-describedby=url_id.clone() on:click=copy>"Copy URL"</button>
                <button
                    type="button"
                    class="sld-button sld-button--danger"
                    aria-describedby=url_id.clone()
                    aria-expanded=move || if confirming.get() { "true" } else { "false" }
                    on:click=move |_| {
                        // Only a flip rebuilds the confirmation, so its choice survives a second click.
                        if !confirming.get_untracked() {
                            confirming.set(true);
                        }
                    }
                >
                    "Remove"
                </button>
                <span class="sld-drain__copied" role="status">{move || copy_status.get()}</span>
            </div>
            {move || confirming.get().then(|| view! {
                <RemoveConfirm
                    url=url.get_value()
                    masked=masked.clone()
                    target=target.get_value()
                    on_cancel=Callback::new(move |_| {
                        confirming.set(false);
                        focus_later(remove_button.get_value());
                    })
                    on_removed_here=Callback::new(|_| {
                        focus(HEADING);
                    })
                />
            })}
        </li>
    }
}

fn kind_class(kind: DrainKind) -> &'static str {
    match kind {
        DrainKind::Known(p) => p.api_type(),
        DrainKind::SyslogTls => "tcp-tls",
        DrainKind::Other => "other",
    }
}

/// The confirmation of a removal, with the choice of where to remove from.
#[component]
fn RemoveConfirm(
    url: String,
    masked: String,
    target: Target,
    on_cancel: Callback<()>,
    on_removed_here: Callback<()>,
) -> impl IntoView {
    let ctx = use_drains();
    let scope = RwSignal::new(Scope::Everywhere);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let base_id = unique_id("sld-remove");
    let title_id = format!("{base_id}-title");
    let title_ref = title_id.clone();
    let here_label = match target {
        Target::App => "From the app only".to_owned(),
        Target::Addon(_) => "From this addon only".to_owned(),
    };
    let url = StoredValue::new(url);
    let target = StoredValue::new(target);
    let everywhere_hint = move || {
        let targets = ctx.overview.with(|o| o.targets_with(&url.get_value()));
        format!("Currently on: {}", ctx.labels(&targets))
    };

    // The first choice takes focus once the confirmation is shown.
    focus_later(format!(r#"input[name="{base_id}-scope"]"#));

    let confirm = move |_| {
        if pending.get_untracked() {
            return;
        }
        let url_text = url.get_value();
        let here = target.get_value();
        let targets = match scope.get_untracked() {
            Scope::OnlyHere => vec![here.clone()],
            Scope::Everywhere => {
                let mut t = ctx.overview.with_untracked(|o| o.targets_with(&url_text));
                if !t.contains(&here) {
                    t.insert(0, here.clone());
                }
                t
            }
        };
        let api = ctx.api.get_value();
        let app = ctx.app.get_value();
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let outcome = drains::remove_from_targets(&api, &app, &targets, &url_text).await;
            // `None` means this confirmation still exists: the list may have been re-read
            // meanwhile (dropping this row) or the user may have left the page.
            let alive = pending.try_set(false).is_none();
            let removed: Vec<Target> = outcome.done.iter().map(|(t, _)| t.clone()).collect();
            let failures: Vec<String> = outcome
                .failed
                .iter()
                .map(|(t, e)| {
                    format!(
                        "Not removed from {}: {e}",
                        ctx.labels(std::slice::from_ref(t))
                    )
                })
                .collect();
            let removed_labels = ctx.labels(&removed);
            let removed_here = removed.contains(&here);
            let message = if failures.is_empty() {
                None
            } else if removed.is_empty() {
                Some(failures.join(" "))
            } else {
                Some(format!(
                    "Removed from {removed_labels}. {}",
                    failures.join(" ")
                ))
            };
            // The error stays in this confirmation while it is open; it goes to the page only
            // when the confirmation closes with its row (one alert, not the same one twice).
            let inline = alive && !removed_here;
            error.try_set(message.clone());
            if removed_here && alive {
                // This row goes away with its buttons: the heading keeps the focus on the page.
                // Done before the list changes, while this confirmation still exists.
                on_removed_here.run(());
            }
            match message {
                None => {
                    ctx.alert.set(None);
                    ctx.status
                        .set(Some(format!("Drain removed from {removed_labels}.")));
                }
                Some(message) if !inline => ctx.alert.set(Some(message)),
                Some(_) => ctx.alert.set(None),
            }
            // Only what the server confirmed leaves the list.
            ctx.overview.update(|o| {
                for t in &removed {
                    o.forget(t, &url_text);
                }
            });
            ctx.reload(&targets);
        });
    };

    view! {
        <div
            class="sld-drain__confirm"
            role="dialog"
            aria-labelledby=title_ref
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" && !pending.get_untracked() {
                    ev.stop_propagation();
                    on_cancel.run(());
                }
            }
        >
            <p id=title_id class="sld-drain__confirm-title">"Remove this drain?"</p>
            <p><code class="sld-drain__url">{masked}</code></p>
            <fieldset class="sld-radio-group">
                <legend>"Where to remove it from"</legend>
                <label>
                    <input
                        type="radio"
                        name=format!("{base_id}-scope")
                        prop:checked=move || scope.get() == Scope::Everywhere
                        on:change=move |_| scope.set(Scope::Everywhere)
                    />
                    " From the app and its addons "
                    <span class="sld-muted">"(" {everywhere_hint} ")"</span>
                </label>
                <label>
                    <input
                        type="radio"
                        name=format!("{base_id}-scope")
                        prop:checked=move || scope.get() == Scope::OnlyHere
                        on:change=move |_| scope.set(Scope::OnlyHere)
                    />
                    " " {here_label}
                </label>
            </fieldset>
            {move || error.get().map(|e| view! { <p class="sld-field-error" role="alert">{e}</p> }.into_any())}
            <div class="sld-drain__confirm-actions">
                <button
                    type="button"
                    class="sld-button sld-button--danger"
                    aria-disabled=move || pending.get().then_some("true")
                    on:click=confirm
                >
                    {move || if pending.get() { "Removing…" } else { "Remove drain" }}
                </button>
                <button type="button" class="sld-button" disabled=move || pending.get() on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </div>
        </div>
    }
}
