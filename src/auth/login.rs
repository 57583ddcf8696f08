//! The login form: API token and region, with errors shown on the form itself.

use leptos::prelude::*;

use crate::api::{use_api, ApiError, Region};
use crate::hooks::use_fetch::use_fetch;
use crate::ui::ErrorNotice;

/// Asks for a Scalingo API token (and a region when the API is not fixed) and logs in.
#[component]
pub fn LoginForm() -> impl IntoView {
    let api = use_api();
    let fixed_api = api.config().api_url.is_some();
    let default_region = api.config().default_region.clone();
    let reason = api.signals().logout_reason;

    let token = RwSignal::new(String::new());
    let region = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);

    let regions = {
        let api = api.clone();
        use_fetch(move || {
            let api = api.clone();
            async move {
                if fixed_api {
                    Ok(Vec::new())
                } else {
                    api.regions().await
                }
            }
        })
    };
    // Preselect the configured default, else the one the auth service marks as default.
    Effect::new(move |_| {
        if let Some(Ok(list)) = regions.get() {
            if region.get_untracked().is_empty() {
                let pick = default_region
                    .as_ref()
                    .and_then(|d| list.iter().find(|r| &r.name == d))
                    .or_else(|| list.iter().find(|r| r.default))
                    .or(list.first());
                if let Some(r) = pick {
                    region.set(r.name.clone());
                }
            }
        }
    });

    let submit = {
        let api = api.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if pending.get_untracked() {
                return;
            }
            let value = token.get_untracked();
            if value.trim().is_empty() {
                error.set(Some(ApiError::Unauthorized(
                    "enter your Scalingo API token.".into(),
                )));
                return;
            }
            let chosen: Option<Region> = match regions.get_untracked() {
                Some(Ok(list)) => list.into_iter().find(|r| r.name == region.get_untracked()),
                _ => None,
            };
            if !fixed_api && chosen.is_none() {
                let message = match regions.get_untracked() {
                    // The region list could not be read: its own error is shown under "Region";
                    // read it again rather than stack a second error under it.
                    Some(Err(_)) if !regions.is_loading() => {
                        error.set(None);
                        regions.refetch();
                        return;
                    }
                    Some(Ok(list)) if list.is_empty() => {
                        "The authentication service lists no region: check its URL in config.json."
                    }
                    Some(Ok(_)) => "Choose a region.",
                    _ => "The regions are still loading: try again in a moment.",
                };
                error.set(Some(ApiError::BadRequest {
                    message: message.into(),
                    code: None,
                }));
                return;
            }
            let api = api.clone();
            pending.set(true);
            error.set(None);
            leptos::task::spawn_local(async move {
                let result = api.login(&value, chosen).await;
                pending.set(false);
                if let Err(e) = result {
                    error.set(Some(e));
                }
            });
        }
    };

    view! {
        <main class="sld-login">
            <form class="sld-card sld-login__form" on:submit=submit aria-labelledby="sld-login-title">
                <h1 id="sld-login-title">"Scalingo logs"</h1>
                <p class="sld-muted">"Log drains, live logs and one-off session replays for your Scalingo apps."</p>
                {move || reason.get().map(|r| view! { <p class="sld-notice" role="status">{r}</p> })}
                <div class="sld-field">
                    <label for="sld-token">"API token"</label>
                    <input
                        id="sld-token"
                        name="token"
                        type="password"
                        autocomplete="off"
                        spellcheck="false"
                        placeholder="tk-us-…"
                        required=true
                        aria-describedby="sld-token-help"
                        aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                        prop:value=move || token.get()
                        on:input=move |ev| token.set(event_target_value(&ev))
                    />
                    <small id="sld-token-help" class="sld-muted">
                        "Create one in your Scalingo account under Profile > API tokens. It stays in this tab's memory only."
                    </small>
                </div>
                {(!fixed_api).then(|| view! {
                    <div class="sld-field">
                        <label for="sld-region">"Region"</label>
                        {move || match regions.get() {
                            Some(Err(e)) if !regions.is_loading() => view! { <ErrorNotice error=e retry=Callback::new(move |_| regions.refetch()) /> }.into_any(),
                            // Also while a retry after a failure is under way: progress, not the old error.
                            None | Some(Err(_)) => view! { <p class="sld-muted" aria-busy="true">"Loading regions…"</p> }.into_any(),
                            Some(Ok(list)) => view! {
                                <select
                                    id="sld-region"
                                    name="region"
                                    prop:value=move || region.get()
                                    on:change=move |ev| region.set(event_target_value(&ev))
                                >
                                    {list
                                        .into_iter()
                                        .map(|r| {
                                            let label = if r.display_name.is_empty() { r.name.clone() } else { format!("{} ({})", r.display_name, r.name) };
                                            let selected = r.name == region.get_untracked();
                                            view! { <option value=r.name selected=selected>{label}</option> }
                                        })
                                        .collect_view()}
                                </select>
                            }
                            .into_any(),
                        }}
                    </div>
                })}
                {move || error.get().map(|e| view! { <ErrorNotice error=e /> })}
                <button class="sld-button sld-button--primary" type="submit" aria-disabled=move || pending.get().then_some("true")>
                    {move || if pending.get() { "Logging in…" } else { "Log in" }}
                </button>
            </form>
        </main>
    }
}
