//! The "Edit a drain" form: a drain's provider form, filled from its URL, saved without a gap
//! or a loss.
//!
//! Scalingo's API has no update for drains (a drain is identified by its URL), so saving adds
//! the new drain on every chosen place first, and only then removes the old one: logs flow to
//! at least one of them at every moment. If an add fails, nothing of the old drain is removed
//! (the adds already made are taken back) and the form stays open with the error on its
//! field; if a removal fails after the adds, the form says where the old drain is still
//! attached and offers to retry the removal.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::context::{use_drains, DrainsCtx, FormMode};
use super::form::{
    focus_by_id, focus_first_error, with_place, FieldInput, FormMessages, FormState,
};
use super::mask::mask_url;
use super::model::{DrainForm, FieldKey, FormErrors, PerField, Provider};
use super::prefill::{changed_fields, drain_url, prefill, Prefill};
use crate::api::drains::{self, Target};
use crate::api::ApiError;
use crate::ui::focus_later;

/// An old drain still attached after the new one was added: where, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Leftover {
    /// The new drain's URL, on every place of the change.
    new_url: String,
    /// The places of the change.
    places: Vec<Target>,
    /// Where the old drain is still attached, each with why its removal failed.
    still: Vec<(Target, ApiError)>,
}

/// The edit form of the drain `url`, opened from its row in `target`'s list; `on_close`
/// hides it (Escape, Cancel, Close, or success). The focus returns to the edited row.
#[component]
pub fn EditDrainForm(target: Target, url: String, on_close: Callback<()>) -> impl IntoView {
    let ctx = use_drains();
    let masked = mask_url(&url);
    let here = StoredValue::new(target);
    let old_url = StoredValue::new(url.clone());
    let opened = prefill(&url);
    let original = StoredValue::new(match &opened {
        Prefill::Form(form) => Some(form.clone()),
        Prefill::ReadOnly(_) => None,
    });

    // Cancel: back to the row the form was opened from.
    let cancel = move || {
        ctx.focus_row
            .set(Some(FormMode::Edit(here.get_value(), old_url.get_value())));
        on_close.run(());
    };

    let read_only = matches!(opened, Prefill::ReadOnly(_));
    let body = match opened {
        Prefill::ReadOnly(why) => {
            focus_by_id("sld-drain-edit-close");
            view! {
                <p class="sld-drain-form__readonly">{why}</p>
                <div class="sld-drain-form__actions">
                    <button type="button" id="sld-drain-edit-close" class="sld-button" on:click=move |_| cancel()>
                        "Close"
                    </button>
                </div>
            }
            .into_any()
        }
        Prefill::Form(form) => view! {
            <EditFields ctx form here old_url original cancel=Callback::new(move |_| cancel()) on_close />
        }
        .into_any(),
    };

    view! {
        <section
            id="sld-drain-form"
            class="sld-card sld-drain-form"
            aria-labelledby="sld-drain-form-title"
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                // The editable form handles Escape itself (not while saving).
                if ev.key() == "Escape" && read_only {
                    cancel();
                }
            }
        >
            <h2 id="sld-drain-form-title">"Edit a drain"</h2>
            <p>"Changing " <code class="sld-drain__url">{masked}</code></p>
            {body}
        </section>
    }
}

/// The fields, places and actions of an editable drain.
#[component]
fn EditFields(
    ctx: DrainsCtx,
    form: DrainForm,
    here: StoredValue<Target>,
    old_url: StoredValue<String>,
    original: StoredValue<Option<DrainForm>>,
    cancel: Callback<()>,
    on_close: Callback<()>,
) -> impl IntoView {
    let state = FormState {
        provider: RwSignal::new(Some(form.provider)),
        values: RwSignal::new(form.values.clone()),
        errors: RwSignal::new(FormErrors::new()),
        touched: RwSignal::new(PerField::new()),
        pending: RwSignal::new(false),
    };
    // Where the change applies: every list that holds the drain's URL, or only the list the
    // form was opened from. A `bool` rather than an enum: each new signal type adds its code
    // to the bundle.
    let everywhere = RwSignal::new(true);
    let form_messages = RwSignal::new(Vec::<String>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let leftover = RwSignal::new(None::<Leftover>);
    focus_by_id("sld-drain-provider");

    // Every list that holds the drain now, the one it was opened from first.
    let places_now = move || {
        let here = here.get_value();
        let mut places = ctx.overview.with(|o| o.targets_with(&old_url.get_value()));
        places.retain(|t| *t != here);
        places.insert(0, here);
        places
    };
    let several = Memo::new(move |_| places_now().len() > 1);
    let here_label = move || ctx.labels(&[here.get_value()]);

    let on_provider = move |ev: leptos::ev::Event| {
        let provider = Provider::from_api_type(&event_target_value(&ev));
        // The select offers providers only, so there is always one.
        if provider.is_some() {
            state.provider.set(provider);
            state.errors.set(FormErrors::new());
            state.touched.set(PerField::new());
            form_messages.set(Vec::new());
        }
    };

    // Closes the form after a change that went through everywhere, the focus on the new row.
    let done = move |new_url: String, places: Vec<Target>| {
        ctx.status.set(Some(format!(
            "Drain changed on {}: {}",
            ctx.labels(&places),
            mask_url(&new_url)
        )));
        ctx.alert.set(None);
        ctx.focus_row
            .set(Some(FormMode::Edit(here.get_value(), new_url)));
        on_close.run(());
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if state.pending.get_untracked() || leftover.with_untracked(Option::is_some) {
            return;
        }
        form_messages.set(Vec::new());
        failure.set(None);
        let Some(provider) = state.provider.get_untracked() else {
            return;
        };
        let edited = DrainForm {
            provider,
            values: state.values.get_untracked(),
        };
        let Some(request) = state.validate(provider) else {
            return;
        };
        let old = old_url.get_value();
        if drain_url(&edited).as_deref() == Some(old.as_str()) {
            form_messages.set(vec![
                "Nothing changed: this is the drain as it is. Change a field, or Cancel."
                    .to_owned(),
            ]);
            return;
        }
        let places = if everywhere.get_untracked() {
            untrack(places_now)
        } else {
            vec![here.get_value()]
        };
        let changed = original
            .get_value()
            .map(|o| changed_fields(&o, &edited))
            .unwrap_or_default();
        let api = ctx.api.get_value();
        let app = ctx.app.get_value();
        state.pending.set(true);
        spawn_local(async move {
            // 1. The new drain on every place, stopping at the first refusal.
            let mut added: Vec<(Target, String)> = Vec::new();
            let mut refused = None;
            for place in &places {
                match drains::add(&api, &app, place, &request).await {
                    Ok(drain) => added.push((place.clone(), drain.url)),
                    Err(err) => {
                        refused = Some((place.clone(), err));
                        break;
                    }
                }
            }
            if let Some((place, err)) = refused {
                // Nothing of the old drain is removed. The adds already made are taken back,
                // so the lists are as before and a second try starts clean.
                let mut kept = Vec::new();
                for (t, url) in &added {
                    match drains::remove(&api, &app, t, url).await {
                        Ok(()) | Err(ApiError::NotFound { .. }) => {}
                        Err(_) => kept.push((t.clone(), url.clone())),
                    }
                }
                ctx.overview.try_update(|o| {
                    for (t, url) in &kept {
                        o.insert(
                            t,
                            drains::Drain {
                                app_id: String::new(),
                                url: url.clone(),
                            },
                        );
                    }
                });
                ctx.reload(&places);
                if state.pending.try_set(false).is_some() {
                    return;
                }
                refusal(
                    ctx,
                    state,
                    provider,
                    &changed,
                    places.len() > 1,
                    &place,
                    err,
                    form_messages,
                    failure,
                );
                if !kept.is_empty() {
                    let labels =
                        ctx.labels(&kept.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>());
                    form_messages.try_update(|m| {
                        m.push(format!(
                            "The new drain was added to {labels} and could not be taken back: it is listed there beside the old one."
                        ))
                    });
                }
                return;
            }
            let new_url = added
                .first()
                .map(|(_, url)| url.clone())
                .unwrap_or_default();
            ctx.overview.try_update(|o| {
                for (t, url) in &added {
                    o.insert(
                        t,
                        drains::Drain {
                            app_id: String::new(),
                            url: url.clone(),
                        },
                    );
                }
            });
            // 2. Only now the old drain goes, from the same places.
            let still = remove_old(ctx, &api, &app, &places, &old).await;
            if state.pending.try_set(false).is_some() {
                return;
            }
            if still.is_empty() {
                done(new_url, places);
            } else {
                focus_later("#sld-drain-edit-retry".to_owned());
                leftover.set(Some(Leftover {
                    new_url,
                    places,
                    still,
                }));
            }
        });
    };

    let retry_removal = move |_| {
        if state.pending.get_untracked() {
            return;
        }
        let Some(left) = leftover.get_untracked() else {
            return;
        };
        let api = ctx.api.get_value();
        let app = ctx.app.get_value();
        let old = old_url.get_value();
        state.pending.set(true);
        spawn_local(async move {
            let targets: Vec<Target> = left.still.iter().map(|(t, _)| t.clone()).collect();
            let still = remove_old(ctx, &api, &app, &targets, &old).await;
            if state.pending.try_set(false).is_some() {
                return;
            }
            if still.is_empty() {
                done(left.new_url, left.places);
            } else {
                leftover.set(Some(Leftover { still, ..left }));
            }
        });
    };

    // Closing with the old drain still attached leaves the page saying so.
    let close = move || {
        if let Some(left) = leftover.get_untracked() {
            ctx.alert.set(Some(leftover_message(ctx, &left)));
        }
        cancel.run(());
    };

    view! {
        <form
            novalidate=true
            on:submit=submit
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                // A save under way cannot be left half-way from the keyboard either.
                if ev.key() == "Escape" && !state.pending.get_untracked() {
                    ev.stop_propagation();
                    close();
                }
            }
        >
            <div class="sld-field">
                <label for="sld-drain-provider">"Provider " <span class="sld-required">"(required)"</span></label>
                <select id="sld-drain-provider" aria-describedby="sld-drain-provider-help" on:change=on_provider>
                    {Provider::ALL.into_iter().map(|p| view! {
                        <option value=p.api_type() selected=p == form.provider>{p.label()}</option>
                    }).collect_view()}
                </select>
                <p class="sld-field-help" id="sld-drain-provider-help">
                    {move || state.provider.get().map(Provider::help)}
                </p>
            </div>
            {move || state.provider.get().map(|p| p.fields().iter().map(|f| view! { <FieldInput field=*f state masked=true /> }).collect_view().into_any())}
            {move || if several.get() {
                view! {
                    <fieldset class="sld-radio-group">
                        <legend>"Where to change it"</legend>
                        <label>
                            <input type="radio" name="sld-drain-edit-scope"
                                prop:checked=move || everywhere.get()
                                on:change=move |_| everywhere.set(true) />
                            " Everywhere it is: " {move || ctx.labels(&places_now())}
                        </label>
                        <label>
                            <input type="radio" name="sld-drain-edit-scope"
                                prop:checked=move || !everywhere.get()
                                on:change=move |_| everywhere.set(false) />
                            " Only on " {here_label}
                        </label>
                    </fieldset>
                }
                .into_any()
            } else {
                view! { <p class="sld-field-help">"On " {here_label} "."</p> }.into_any()
            }}
            <p class="sld-field-help">
                "Saving adds the new drain first, then removes this one: no log is lost in between."
            </p>
            <div class="sld-drain-form__messages">
                <FormMessages messages=form_messages failure />
                {move || leftover.get().map(|left| view! {
                    <div class="sld-error sld-drain-edit__leftover" role="alert">
                        <span>{leftover_message(ctx, &left)}</span>
                    </div>
                })}
            </div>
            <div class="sld-drain-form__actions">
                {move || if leftover.with(Option::is_some) {
                    view! {
                        <button type="button" id="sld-drain-edit-retry" class="sld-button sld-button--primary"
                            aria-disabled=move || state.pending.get().then_some("true")
                            on:click=retry_removal>
                            {move || if state.pending.get() { "Removing…" } else { "Retry the removal" }}
                        </button>
                        <button type="button" class="sld-button" disabled=move || state.pending.get() on:click=move |_| close()>
                            "Close"
                        </button>
                    }
                    .into_any()
                } else {
                    view! {
                        <button type="submit" class="sld-button sld-button--primary" aria-disabled=move || state.pending.get().then_some("true")>
                            {move || if state.pending.get() { "Saving…" } else { "Save changes" }}
                        </button>
                        <button type="button" class="sld-button" disabled=move || state.pending.get() on:click=move |_| cancel.run(())>
                            "Cancel"
                        </button>
                    }
                    .into_any()
                }}
            </div>
        </form>
    }
}

/// "The new drain … was added to …. The old drain is still attached to …" in full.
fn leftover_message(ctx: DrainsCtx, left: &Leftover) -> String {
    let still: Vec<String> = left
        .still
        .iter()
        .map(|(t, e)| format!("{} ({e})", ctx.labels(std::slice::from_ref(t))))
        .collect();
    format!(
        "The new drain {} was added to {}, but the old drain is still attached to {}. Both receive the logs until the old one is removed.",
        mask_url(&left.new_url),
        ctx.labels(&left.places),
        still.join(", ")
    )
}

/// Removes the old drain `url` from `targets`; returns where it is still attached, and why.
/// A 404 counts as removed: it is not there any more, which is what was asked.
async fn remove_old(
    ctx: DrainsCtx,
    api: &crate::api::ApiClient,
    app: &str,
    targets: &[Target],
    url: &str,
) -> Vec<(Target, ApiError)> {
    let outcome = drains::remove_from_targets(api, app, targets, url).await;
    ctx.overview.try_update(|o| {
        for (t, ()) in &outcome.done {
            o.forget(t, url);
        }
    });
    ctx.reload(targets);
    outcome.failed
}

/// Shows why an add was refused: a 422 on the fields it names (a refusal of the URL as a
/// whole, such as "has already been taken", on the first field the user changed), anything
/// else at the form level. Nothing was removed, and the form says so.
#[allow(clippy::too_many_arguments)] // One call site; a struct would only rename these.
fn refusal(
    ctx: DrainsCtx,
    state: FormState,
    provider: Provider,
    changed: &[FieldKey],
    several: bool,
    place: &Target,
    err: ApiError,
    form_messages: RwSignal<Vec<String>>,
    failure: RwSignal<Option<ApiError>>,
) {
    let label = ctx.labels(std::slice::from_ref(place));
    let mut messages = Vec::new();
    let mut errors = FormErrors::new();
    match &err {
        ApiError::Validation(fields) => {
            for (name, msgs) in &fields.0 {
                let text = msgs.join(", ");
                let key = FieldKey::from_api_name(name)
                    .filter(|k| provider.field(*k).is_some())
                    .or_else(|| (name == "url").then(|| changed.first().copied()).flatten());
                match key {
                    Some(key) if name == "url" && key != FieldKey::Url => {
                        let sentence = with_place(false, &label, &text);
                        errors.insert(
                            key,
                            format!(
                                "{sentence}: a drain with these values already exists on {label}."
                            ),
                        );
                    }
                    Some(key) => {
                        errors.insert(key, with_place(several, &label, &text));
                    }
                    None => messages.push(format!(
                        "Refused by {label}: {} {text}.",
                        name.replace('_', " ")
                    )),
                }
            }
            messages.push("Nothing was changed: the drain is as it was.".to_owned());
        }
        _ => {
            messages.push(format!(
                "Not added to {label}, so nothing was removed: the drain is as it was."
            ));
            failure.try_set(Some(err.clone()));
        }
    }
    focus_first_error(provider, &errors);
    state.errors.try_set(errors);
    form_messages.try_set(messages);
}
