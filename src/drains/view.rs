//! The drains page: the grouped list, the add form and the remove confirmation.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::context::{use_drains, DrainsCtx};
use super::form::AddDrainForm;
use super::mask::{detect_provider, mask_url, DrainKind};
use crate::api::drains::{self, AddonDrains, Target};
use crate::api::{use_api, ApiError};
use crate::ui::{focus, focus_later, unique_id, EmptyState, ErrorNotice, Spinner};

/// The page heading, which takes focus when the element that had it disappears.
const HEADING: &str = "#sld-drains-title";

/// The drains page of `app`.
#[component]
pub fn DrainsPage(app: String) -> impl IntoView {
    let ctx = DrainsCtx {
        api: StoredValue::new_local(use_api()),
        app: StoredValue::new(app.clone()),
        overview: RwSignal::new(None),
        load_error: RwSignal::new(None),
        status: RwSignal::new(None),
        alert: RwSignal::new(None),
        generation: StoredValue::new(0),
    };
    provide_context(ctx);
    ctx.reload();

    let phase = Memo::new(move |_| {
        (
            ctx.overview.with(Option::is_some),
            ctx.load_error.with(Option::is_some),
        )
    });
    let form_open = RwSignal::new(false);
    let close_form = Callback::new(move |_: ()| {
        form_open.set(false);
        // Focus goes back where the user opened the form from.
        focus_later(r#"button[aria-controls="sld-drain-form"]"#.to_owned());
    });

    view! {
        <section class="sld-page sld-drains" aria-labelledby="sld-drains-title">
            <div class="sld-drains__head">
                <h1 id="sld-drains-title" tabindex="-1">"Log drains of " {app}</h1>
                <button
                    type="button"
                    class="sld-button sld-button--primary"
                    aria-expanded=move || if form_open.get() { "true" } else { "false" }
                    aria-controls="sld-drain-form"
                    on:click=move |_| {
                        ctx.status.set(None);
                        // Only a flip rebuilds the form, so a second click loses nothing typed.
                        if !form_open.get_untracked() {
                            form_open.set(true);
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
            {move || form_open.get().then(|| view! { <AddDrainForm on_close=close_form /> })}
            {move || ctx.load_error.get().map(|error| view! {
                <ErrorNotice error retry=Callback::new(move |_| ctx.reload()) />
            })}
            {move || {
                // Only a change of phase re-renders the groups; list changes update them in
                // place, so open confirmations and revealed URLs survive a reload of the list.
                match phase.get() {
                    (true, _) => view! { <DrainGroups /> }.into_any(),
                    (false, false) => view! { <Spinner label="Loading drains…" /> }.into_any(),
                    (false, true) => ().into_any(),
                }
            }}
        </section>
    }
}

/// The app's drains, then each addon's, like `scalingo log-drains --with-addons`.
#[component]
fn DrainGroups() -> impl IntoView {
    let ctx = use_drains();
    let addons = move || {
        ctx.overview.with(|o| {
            o.as_ref()
                .map(|o| {
                    o.addons
                        .iter()
                        .map(|s| (s.addon.id.clone(), s.addon.label()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    // Memos, so that the list or the empty state is only rebuilt when it flips: the rows
    // update in place and keep their open confirmations and revealed URLs.
    let has_app_drains = Memo::new(move |_| {
        ctx.overview
            .with(|o| o.as_ref().is_some_and(|o| !o.app.is_empty()))
    });
    let no_addons = Memo::new(move |_| {
        ctx.overview
            .with(|o| o.as_ref().is_some_and(|o| o.addons.is_empty()))
    });
    view! {
        <section class="sld-card sld-drains__group" aria-labelledby="sld-drains-app">
            <h2 id="sld-drains-app">"This app"</h2>
            {move || if has_app_drains.get() {
                view! { <DrainList target=Target::App label="Drains of the app".to_owned() /> }.into_any()
            } else {
                view! {
                    <EmptyState title="No drains on this app">
                        "Its logs stay in Scalingo only. Use “Add a drain” to forward them to Datadog, Papertrail, an ELK stack…"
                    </EmptyState>
                }
                .into_any()
            }}
        </section>
        <For each=addons key=|(id, _)| id.clone() let:addon>
            <AddonGroup id=addon.0 label=addon.1 />
        </For>
        {move || no_addons.get().then(|| view! {
            <p class="sld-muted">"This app has no addons. Database addons can have drains of their own."</p>
        }.into_any())}
    }
}

/// What one addon section shows, derived from the overview.
#[derive(Clone, Debug, PartialEq)]
enum AddonState {
    /// Whether the addon has no drains; the rows themselves update in place.
    Drains {
        empty: bool,
    },
    Unsupported(String),
    Failed(ApiError),
    Gone,
}

#[component]
fn AddonGroup(id: String, label: String) -> impl IntoView {
    let ctx = use_drains();
    let heading_id = format!("sld-drains-addon-{id}");
    let heading_ref = heading_id.clone();
    let id = StoredValue::new(id);
    let state = Memo::new(move |_| {
        let id = id.get_value();
        ctx.overview.with(|o| {
            match o
                .as_ref()
                .and_then(|o| o.addons.iter().find(|s| s.addon.id == id))
            {
                Some(s) => match &s.drains {
                    AddonDrains::Drains(d) => AddonState::Drains {
                        empty: d.is_empty(),
                    },
                    AddonDrains::Unsupported(m) => AddonState::Unsupported(m.clone()),
                    AddonDrains::Failed(e) => AddonState::Failed(e.clone()),
                },
                None => AddonState::Gone,
            }
        })
    });
    let list_label = format!("Drains of {label}");
    view! {
        <section class="sld-card sld-drains__group" aria-labelledby=heading_ref>
            <h2 id=heading_id>{label.clone()}</h2>
            {move || match state.get() {
                AddonState::Drains { empty: true } => view! {
                    <p class="sld-muted">"No drains on this addon. Add one with “Add a drain” and choose this addon as the target."</p>
                }
                .into_any(),
                AddonState::Drains { empty: false } => view! {
                    <DrainList target=Target::Addon(id.get_value()) label=list_label.clone() />
                }
                .into_any(),
                AddonState::Unsupported(_) => view! {
                    <p class="sld-muted">"This addon does not support log drains: only database addons produce logs."</p>
                }
                .into_any(),
                AddonState::Failed(error) => view! {
                    <ErrorNotice error retry=Callback::new(move |_| ctx.reload()) />
                }
                .into_any(),
                AddonState::Gone => ().into_any(),
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
        ctx.overview.with(|o| {
            o.as_ref()
                .and_then(|o| match target.get_value() {
                    Target::App => Some(o.app.clone()),
                    Target::Addon(id) => {
                        o.addons
                            .iter()
                            .find(|s| s.addon.id == id)
                            .and_then(|s| match &s.drains {
                                AddonDrains::Drains(d) => Some(d.clone()),
                                _ => None,
                            })
                    }
                })
                .unwrap_or_default()
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
        let targets = ctx.overview.with(|o| {
            o.as_ref()
                .map(|o| o.targets_with(&url.get_value()))
                .unwrap_or_default()
        });
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
                let mut t = ctx.overview.with_untracked(|o| {
                    o.as_ref()
                        .map(|o| o.targets_with(&url_text))
                        .unwrap_or_default()
                });
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
                if let Some(o) = o {
                    for t in &removed {
                        o.forget(t, &url_text);
                    }
                }
            });
            ctx.reload();
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
