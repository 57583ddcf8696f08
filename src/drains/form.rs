//! The "Add a drain" form: provider, that provider's fields, target, and server answers.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::context::{use_drains, DrainsCtx, Part};
use super::mask::mask_url;
use super::model::{
    validate_field, DrainForm, Field, FieldKey, FormErrors, PerField, Provider, DATADOG_REGIONS,
};
use crate::api::drains::{self, Drain, Outcome, Target};
use crate::api::ApiError;
use crate::ui::{focus_later, unique_id, ErrorNotice};

/// Where the new drain goes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum TargetChoice {
    App,
    Addon(String),
    /// The app, then every addon that accepts drains (`--with-addons`).
    AppAndAddons,
}

/// The form's state, shared by its field components (and the edit form's).
#[derive(Clone, Copy)]
pub(super) struct FormState {
    pub provider: RwSignal<Option<Provider>>,
    pub values: RwSignal<PerField<String>>,
    pub errors: RwSignal<FormErrors>,
    /// Fields the user has left once: their errors show while typing from then on.
    pub touched: RwSignal<PerField<()>>,
    pub pending: RwSignal<bool>,
}

impl FormState {
    /// Validates the whole form for `provider`, as a submit does: on refusal every field
    /// counts as touched, the errors show and the focus goes to the first of them.
    pub fn validate(self, provider: Provider) -> Option<drains::DrainRequest> {
        let form = DrainForm {
            provider,
            values: self.values.get_untracked(),
        };
        match form.validate() {
            Ok(request) => {
                self.errors.set(FormErrors::new());
                Some(request)
            }
            Err(errors) => {
                self.touched
                    .set(provider.fields().iter().map(|f| (f.key, ())).collect());
                focus_first_error(provider, &errors);
                self.errors.set(errors);
                None
            }
        }
    }

    /// Checks one field and shows or clears its error.
    ///
    /// Uses the `try_` accessors because browsers fire `blur` on the focused input while the
    /// form is being removed (Escape, success), after its state has been disposed.
    pub fn check(self, key: FieldKey) {
        let Some(Some(provider)) = self.provider.try_get_untracked() else {
            return;
        };
        let Some(raw) = self
            .values
            .try_with_untracked(|v| v.get(&key).cloned().unwrap_or_default())
        else {
            return;
        };
        let result = validate_field(provider, key, &raw);
        self.errors.try_update(|e| match result {
            Ok(_) => {
                e.remove(&key);
            }
            Err(message) => {
                e.insert(key, message);
            }
        });
    }
}

pub(super) fn input_id(key: FieldKey) -> String {
    format!("sld-drain-{}", key.api_name().replace('_', "-"))
}

pub(super) fn focus_by_id(id: &str) {
    focus_later(format!("#{id}"));
}

/// The add form; `on_close` hides it (Escape, Cancel, or success).
#[component]
pub fn AddDrainForm(on_close: Callback<()>) -> impl IntoView {
    let ctx = use_drains();
    let state = FormState {
        provider: RwSignal::new(None),
        values: RwSignal::new(PerField::new()),
        errors: RwSignal::new(FormErrors::new()),
        touched: RwSignal::new(PerField::new()),
        pending: RwSignal::new(false),
    };
    let provider_error = RwSignal::new(None::<String>);
    let target = RwSignal::new(TargetChoice::App);
    // Messages the server gave for no field of this provider, e.g. `url` for a Datadog drain.
    let form_messages = RwSignal::new(Vec::<String>::new());
    let failure = RwSignal::new(None::<ApiError>);
    // The provider, the first thing to choose, takes focus once the form is shown.
    focus_by_id("sld-drain-provider");

    let addons = move || {
        ctx.drain_addons()
            .iter()
            .map(|a| (a.id.clone(), a.label()))
            .collect::<Vec<_>>()
    };

    let has_addons = Memo::new(move |_| !addons().is_empty());

    let on_provider = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let provider = Provider::from_api_type(&value);
        state.provider.set(provider);
        // Errors belong to the previous provider's rules; typed values stay.
        state.errors.set(FormErrors::new());
        state.touched.set(PerField::new());
        form_messages.set(Vec::new());
        provider_error.set(provider.is_none().then(|| "Choose a provider.".to_owned()));
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if state.pending.get_untracked() {
            return;
        }
        form_messages.set(Vec::new());
        failure.set(None);
        let Some(provider) = state.provider.get_untracked() else {
            provider_error.set(Some("Choose a provider.".to_owned()));
            focus_by_id("sld-drain-provider");
            return;
        };
        let Some(request) = state.validate(provider) else {
            return;
        };
        let targets = match target.get_untracked() {
            TargetChoice::App => vec![Target::App],
            TargetChoice::Addon(id) => vec![Target::Addon(id)],
            TargetChoice::AppAndAddons => {
                let mut t = vec![Target::App];
                t.extend(
                    untrack(|| ctx.drain_addons())
                        .into_iter()
                        .map(|a| Target::Addon(a.id)),
                );
                t
            }
        };
        let api = ctx.api.get_value();
        let app = ctx.app.get_value();
        state.pending.set(true);
        spawn_local(async move {
            let outcome = drains::add_to_targets(&api, &app, &targets, &request).await;
            // The form cannot be closed while pending, so a disposed form means the user left
            // the page: the drain was still added, and the next visit lists it.
            if state.pending.try_set(false).is_some() {
                return;
            }
            settle(
                ctx,
                state,
                provider,
                &targets,
                outcome,
                form_messages,
                failure,
                on_close,
            );
        });
    };

    view! {
        <section
            id="sld-drain-form"
            class="sld-card sld-drain-form"
            aria-labelledby="sld-drain-form-title"
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" && !state.pending.get_untracked() {
                    on_close.run(());
                }
            }
        >
            <h2 id="sld-drain-form-title">"Add a drain"</h2>
            <form novalidate=true on:submit=submit>
                <div class="sld-field">
                    <label for="sld-drain-provider">"Provider " <span class="sld-required">"(required)"</span></label>
                    <select
                        id="sld-drain-provider"
                        aria-invalid=move || if provider_error.with(Option::is_some) { "true" } else { "false" }
                        aria-describedby="sld-drain-provider-help sld-drain-provider-error"
                        on:change=on_provider
                    >
                        <option value="" selected=true>"Choose a provider…"</option>
                        {Provider::ALL.into_iter().map(|p| view! {
                            <option value=p.api_type()>{p.label()}</option>
                        }).collect_view()}
                    </select>
                    <p class="sld-field-help" id="sld-drain-provider-help">
                        {move || state.provider.get().map_or("The log management service that will receive the logs.", Provider::help)}
                    </p>
                    <p class="sld-field-error" id="sld-drain-provider-error" role="alert">{move || provider_error.get()}</p>
                </div>
                {move || state.provider.get().map(|p| p.fields().iter().map(|f| view! { <FieldInput field=*f state /> }).collect_view().into_any())}
                <fieldset class="sld-radio-group">
                    <legend>"Add it to"</legend>
                    <label>
                        <input type="radio" name="sld-drain-target"
                            prop:checked=move || target.get() == TargetChoice::App
                            on:change=move |_| target.set(TargetChoice::App) />
                        " This app"
                    </label>
                    <For each=addons key=|(id, _)| id.clone() let:addon>
                        {
                            let (id, label) = addon;
                            let id = StoredValue::new(id);
                            view! {
                                <label>
                                    <input type="radio" name="sld-drain-target"
                                        prop:checked=move || target.get() == TargetChoice::Addon(id.get_value())
                                        on:change=move |_| target.set(TargetChoice::Addon(id.get_value())) />
                                    " " {label} " only"
                                </label>
                            }
                        }
                    </For>
                    {move || has_addons.get().then(|| view! {
                        <label>
                            <input type="radio" name="sld-drain-target"
                                prop:checked=move || target.get() == TargetChoice::AppAndAddons
                                on:change=move |_| target.set(TargetChoice::AppAndAddons) />
                            " The app and all its addons"
                        </label>
                    }.into_any())}
                    {move || (ctx.overview.with(|o| o.addons.len()) > ctx.drain_addons().len()).then(|| view! {
                        <p class="sld-field-help">"Addons that do not support drains (only databases produce logs), or whose drains could not be read, are not offered."</p>
                    }.into_any())}
                    {move || (!ctx.part(&Part::Addons).loaded).then(|| view! {
                        <p class="sld-field-help">"The addons could not be listed yet, so only the app is offered."</p>
                    }.into_any())}
                </fieldset>
                <div class="sld-drain-form__messages">
                    <FormMessages messages=form_messages failure />
                </div>
                <div class="sld-drain-form__actions">
                    <button type="submit" class="sld-button sld-button--primary" aria-disabled=move || state.pending.get().then_some("true")>
                        {move || if state.pending.get() { "Adding…" } else { "Add drain" }}
                    </button>
                    <button type="button" class="sld-button" disabled=move || state.pending.get() on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                </div>
            </form>
        </section>
    }
}

/// Shows what an add did: closes the form on full success, otherwise maps the first failure
/// onto the fields (422) or the form, keeping everything typed.
#[allow(clippy::too_many_arguments)] // One call site; a struct would only rename these.
fn settle(
    ctx: DrainsCtx,
    state: FormState,
    provider: Provider,
    targets: &[Target],
    outcome: Outcome<Drain>,
    form_messages: RwSignal<Vec<String>>,
    failure: RwSignal<Option<ApiError>>,
    on_close: Callback<()>,
) {
    let done: Vec<Target> = outcome.done.iter().map(|(t, _)| t.clone()).collect();
    let added_url = outcome.done.first().map(|(_, d)| mask_url(&d.url));
    let done_labels = ctx.labels(&done);
    ctx.record_added(&outcome);
    if outcome.failed.is_empty() {
        ctx.status.set(Some(format!(
            "Drain added to {done_labels}: {}",
            added_url.unwrap_or_default()
        )));
        on_close.run(());
        return;
    }
    let several = targets.len() > 1;
    let mut messages = Vec::new();
    if !done.is_empty() {
        messages.push(format!("Added to {done_labels}."));
    }
    let mut field_errors = FormErrors::new();
    let mut other_failure = None;
    for (target, err) in outcome.failed {
        let place = ctx.labels(std::slice::from_ref(&target));
        match &err {
            ApiError::Validation(fields) => {
                for (name, msgs) in &fields.0 {
                    let text = msgs.join(", ");
                    match FieldKey::from_api_name(name).filter(|k| provider.field(*k).is_some()) {
                        Some(key) => {
                            field_errors.insert(key, with_place(several, &place, &text));
                        }
                        None if name == "url" => messages.push(format!(
                            "This drain already exists on {place}, or its URL was refused: url {text}."
                        )),
                        None => messages.push(format!(
                            "Refused by {place}: {} {text}.",
                            name.replace('_', " ")
                        )),
                    }
                }
            }
            _ if several => messages.push(format!("Not added to {place}: {err}")),
            _ => other_failure = Some(err.clone()),
        }
    }
    focus_first_error(provider, &field_errors);
    state.errors.try_set(field_errors);
    form_messages.try_set(messages);
    failure.try_set(other_failure);
}

pub(super) fn with_place(several: bool, place: &str, text: &str) -> String {
    if several {
        format!("{place}: {text}")
    } else {
        // The server's messages are English fragments such as "has already been taken".
        // Only an ASCII first letter is capitalised: Unicode upper-casing would put core's
        // whole case table (about 12 KB) into the wasm bundle for this one call.
        let mut sentence = text.to_owned();
        if let Some(first) = sentence.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        sentence
    }
}

/// One input of the chosen provider, with its label, help and error.
/// What a submit of the add or the edit form said beyond its fields: sentences about the
/// whole form, then the request's error, each announced as an alert.
#[component]
pub(super) fn FormMessages(
    /// Sentences about the form as a whole (places done, refusals without a field).
    messages: RwSignal<Vec<String>>,
    /// The request's error when it is not about a field.
    failure: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    view! {
        {move || {
            let messages = messages.get();
            (!messages.is_empty()).then(|| view! {
                <div class="sld-error" role="alert">
                    <ul>{messages.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                </div>
            }.into_any())
        }}
        {move || failure.get().map(|error| view! { <ErrorNotice error /> })}
    }
}

#[component]
pub(super) fn FieldInput(
    /// The field, as the provider uses it.
    field: Field,
    /// The form's state.
    state: FormState,
    /// Whether a secret (a token, or an ELK URL with its password) is shown masked until
    /// revealed: the edit form opens with the drain's secrets filled in.
    #[prop(optional)]
    masked: bool,
) -> impl IntoView {
    let key = field.key;
    let id = input_id(key);
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let list_id = unique_id("sld-drain-regions");
    let has_error = move || state.errors.with(|e| e.contains_key(&key));
    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        state.values.update(|v| {
            v.insert(key, value);
        });
        // Errors are not thrown at the user mid-typing, but once shown they clear as soon
        // as the value becomes right.
        if state.touched.with_untracked(|t| t.contains_key(&key))
            || state.errors.with_untracked(|e| e.contains_key(&key))
        {
            state.check(key);
        }
    };
    let on_blur = move |_| {
        state.touched.try_update(|t| {
            t.insert(key, ());
        });
        state.check(key);
    };
    let secret = masked && matches!(key, FieldKey::Token | FieldKey::Url);
    let revealed = RwSignal::new(!secret);
    let plain_type = if key == FieldKey::Url { "url" } else { "text" };
    let input_type = move || {
        if revealed.get() {
            plain_type
        } else {
            "password"
        }
    };
    let input_mode = match key {
        FieldKey::Port => "numeric",
        FieldKey::Url => "url",
        _ => "text",
    };
    view! {
        <div class="sld-field">
            <label for=id.clone()>
                {field.label} " "
                {if field.required {
                    view! { <span class="sld-required">"(required)"</span> }.into_any()
                } else {
                    view! { <span class="sld-muted">"(optional)"</span> }.into_any()
                }}
            </label>
            <input
                id=id.clone()
                type=input_type
                inputmode=input_mode
                autocomplete="off"
                spellcheck="false"
                placeholder=field.placeholder
                aria-required=if field.required { "true" } else { "false" }
                aria-invalid=move || if has_error() { "true" } else { "false" }
                aria-describedby=format!("{help_id} {error_id}")
                list=(key == FieldKey::DrainRegion).then(|| list_id.clone())
                prop:value=move || state.values.with(|v| v.get(&key).cloned().unwrap_or_default())
                on:input=on_input
                on:blur=on_blur
            />
            {secret.then(|| view! {
                <button
                    type="button"
                    class="sld-button sld-field__reveal"
                    aria-controls=id.clone()
                    aria-label=move || format!("{} {}", if revealed.get() { "Hide" } else { "Reveal" }, field.label)
                    aria-pressed=move || if revealed.get() { "true" } else { "false" }
                    on:click=move |_| revealed.update(|r| *r = !*r)
                >
                    {move || if revealed.get() { "Hide" } else { "Reveal" }}
                </button>
            })}
            {(key == FieldKey::DrainRegion).then(|| view! {
                <datalist id=list_id.clone()>
                    {DATADOG_REGIONS.into_iter().map(|r| view! { <option value=r></option> }).collect_view()}
                </datalist>
            })}
            <p class="sld-field-help" id=help_id>{field.help}</p>
            <p class="sld-field-error" id=error_id role="alert">
                {move || state.errors.with(|e| e.get(&key).cloned())}
            </p>
        </div>
    }
}

/// Moves focus to the first field, in form order, that has an error, so keyboard and
/// screen-reader users land on what to fix (after client-side or server-side refusals).
pub(super) fn focus_first_error(provider: Provider, errors: &FormErrors) {
    if let Some(first) = provider
        .fields()
        .iter()
        .find(|f| errors.contains_key(&f.key))
    {
        focus_by_id(&input_id(first.key));
    }
}

#[cfg(test)]
mod tests {
    use super::with_place;

    #[test]
    fn a_server_fragment_becomes_a_sentence_for_one_target() {
        assert_eq!(
            with_place(false, "the app", "has already been taken"),
            "Has already been taken"
        );
        assert_eq!(with_place(false, "the app", ""), "");
        // Non-ASCII first letters are left as the server wrote them.
        assert_eq!(with_place(false, "the app", "été refusé"), "été refusé");
    }

    #[test]
    fn a_fragment_names_its_target_when_there_are_several() {
        assert_eq!(
            with_place(true, "PostgreSQL", "is invalid"),
            "PostgreSQL: is invalid"
        );
    }
}
