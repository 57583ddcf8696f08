//! The shell: configuration, login, header with app picker and tabs, and the page switch.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use web_sys::HtmlElement;

use crate::api::{apps, use_api, ApiClient, ApiContext};
use crate::auth::LoginForm;
use crate::config::{AuthMode, Config, RoutingMode};
use crate::hooks::use_fetch::use_fetch;
use crate::nav::{use_nav, Link, Nav};
use crate::route::{Route, Section, TITLE};
use crate::ui::{EmptyState, ErrorNotice, Spinner};
use crate::{audit, drains, logs};

/// The whole dashboard, mounted into `mount` (whose `data-*` attributes configure it).
#[component]
pub fn App(mount: HtmlElement) -> impl IntoView {
    let mount = SendWrapper::new(mount);
    let config = use_fetch(move || crate::boot::load_config((*mount).clone().into()));
    view! {
        <div class="sld">
            {move || match config.get() {
                None => view! { <Spinner label="Starting…" /> }.into_any(),
                Some(Err(e)) => view! {
                    <div class="sld-error" role="alert">"The dashboard is misconfigured: " {e.to_string()}</div>
                }
                .into_any(),
                Some(Ok(config)) => view! { <Dashboard config /> }.into_any(),
            }}
        </div>
    }
}

/// The dashboard once configured: login or the app pages.
#[component]
fn Dashboard(config: Config) -> impl IntoView {
    let nav = Nav::new(config.routing);
    let owns_the_page = config.routing == RoutingMode::Hash;
    let api = ApiClient::new(config);
    provide_context(nav);
    provide_context(ApiContext(SendWrapper::new(api.clone())));
    let signals = api.signals();
    // The browser tab names the view when the dashboard owns the page (hash routing); embedded
    // with memory routing, the host page keeps its own title.
    if owns_the_page {
        let route = nav.route();
        Effect::new(move |_| {
            let title = if signals.logged_in.get() {
                route.get().title()
            } else {
                format!("Log in — {TITLE}")
            };
            document().set_title(&title);
        });
    }
    view! {
        {move || signals.rate_limited.get().map(|secs| view! {
            <div class="sld-banner" role="status">"Rate limited by the API, retrying in " {secs} " s…"</div>
        })}
        {move || if signals.logged_in.get() { view! { <Main /> }.into_any() } else { view! { <LoginForm /> }.into_any() }}
    }
}

/// Which page is shown: changes only when the page itself changes, not its query, so a
/// search typed in the log viewer does not rebuild the viewer.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Page {
    Apps,
    Drains(String),
    Logs(String),
    AddonLogs(String, String),
    Audit(String),
    Player(String, String),
    NotFound(String),
}

impl From<&Route> for Page {
    fn from(route: &Route) -> Self {
        match route {
            Route::Apps => Page::Apps,
            Route::Drains { app } => Page::Drains(app.clone()),
            Route::Logs { app, .. } => Page::Logs(app.clone()),
            Route::AddonLogs { app, addon, .. } => Page::AddonLogs(app.clone(), addon.clone()),
            Route::Audit { app, .. } => Page::Audit(app.clone()),
            Route::AuditPlayer { app, id } => Page::Player(app.clone(), id.clone()),
            Route::NotFound(raw) => Page::NotFound(raw.clone()),
        }
    }
}

#[component]
fn Main() -> impl IntoView {
    let nav = use_nav();
    let route = nav.route();
    let page = Memo::new(move |_| Page::from(&route.get()));
    // One read of the app list serves the header's picker and the apps page, and a retry on
    // the apps page refreshes both.
    let api = use_api();
    let apps: AppsResource = use_fetch(move || {
        let api = api.clone();
        async move { apps::list_apps(&api).await }
    });
    // When the element that had the focus went away with the previous page (or with the login
    // form), the focus falls to the document, and keyboard and screen-reader users would start
    // again from the top: give it to the new page's heading, or to the page itself.
    Effect::new(move |_| {
        page.track();
        request_animation_frame(|| {
            if crate::ui::focus_is_lost() && !crate::ui::focus("#sld-main h1") {
                crate::ui::focus("#sld-main");
            }
        });
    });
    view! {
        <Header apps />
        <main class="sld-main" id="sld-main" tabindex="-1">
            {move || match page.get() {
                Page::Apps => view! { <AppList apps /> }.into_any(),
                Page::Drains(app) => view! { <drains::DrainsPage app /> }.into_any(),
                Page::Logs(app) => view! { <logs::LogsPage app /> }.into_any(),
                Page::AddonLogs(app, addon) => view! { <logs::LogsPage app addon /> }.into_any(),
                Page::Audit(app) => view! { <audit::SessionsPage app /> }.into_any(),
                Page::Player(app, id) => view! { <audit::PlayerPage app id /> }.into_any(),
                Page::NotFound(raw) => view! {
                    <EmptyState title="Page not found">
                        <p>"Nothing lives at " <code>{raw}</code> ". "</p>
                        <Link to=Route::Apps>"Back to your apps"</Link>
                    </EmptyState>
                }
                .into_any(),
            }}
        </main>
    }
}

/// The user's apps, read once per login.
type AppsResource = crate::hooks::use_fetch::Fetch<Result<Vec<apps::App>, crate::api::ApiError>>;

#[component]
fn Header(apps: AppsResource) -> impl IntoView {
    let api = use_api();
    let nav = use_nav();
    let route = nav.route();
    let app = Memo::new(move |_| route.get().app().map(str::to_owned));
    let section = Memo::new(move |_| route.get().section());
    let region = api.region().map(|r| r.name).unwrap_or_default();
    let proxy = api.config().auth_mode == AuthMode::Proxy;
    let logout = {
        let api = api.clone();
        move |_| {
            api.logout(None);
            nav.go(Route::Apps);
        }
    };
    let pick_app = move |ev: leptos::ev::Event| {
        let name = event_target_value(&ev);
        if !name.is_empty() {
            nav.go(section
                .get_untracked()
                .unwrap_or(Section::Logs)
                .route(&name));
        }
    };
    view! {
        <header class="sld-header">
            <Link to=Route::Apps class="sld-brand">"Scalingo logs"</Link>
            {(!region.is_empty()).then(|| view! { <span class="sld-badge" title="Region">{region.clone()}</span> })}
            <label class="sld-visually-hidden" for="sld-app-picker">"App"</label>
            <select id="sld-app-picker" class="sld-app-picker" on:change=pick_app prop:value=move || app.get().unwrap_or_default()>
                <option value="" disabled=true selected=move || app.get().is_none()>"Choose an app…"</option>
                {move || apps.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|a| {
                    let selected = app.get_untracked().as_deref() == Some(a.name.as_str());
                    view! { <option value=a.name.clone() selected=selected>{a.name.clone()}</option> }
                }).collect_view()}
            </select>
            {move || app.get().map(|name| view! {
                <nav class="sld-tabs" aria-label="App sections">
                    {Section::ALL.into_iter().map(|s| {
                        let name = name.clone();
                        view! {
                            <Link to=s.route(&name) class="sld-tab" current=Signal::derive(move || section.get() == Some(s))>
                                {s.label()}
                            </Link>
                        }
                    }).collect_view()}
                </nav>
            })}
            <span class="sld-spacer"></span>
            {(!proxy).then(|| view! { <button type="button" class="sld-button" on:click=logout>"Log out"</button> })}
        </header>
    }
}

#[component]
fn AppList(apps: AppsResource) -> impl IntoView {
    // Coming back to this page reads the list again (an app may have been created since); the
    // first visit after login is served by the read that `Main` already started.
    if apps.get_untracked().is_some() {
        apps.refetch();
    }
    view! {
        <section class="sld-page" aria-labelledby="sld-apps-title">
            <h1 id="sld-apps-title" tabindex="-1">"Your apps"</h1>
            {move || match apps.get() {
                None => view! { <Spinner label="Loading apps…" /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e retry=Callback::new(move |_| apps.refetch()) /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <EmptyState title="No apps yet">"Create an app on Scalingo, then come back to watch its logs."</EmptyState>
                }
                .into_any(),
                Some(Ok(list)) => view! {
                    <ul class="sld-app-list">
                        {list.into_iter().map(|a| view! {
                            <li class="sld-card sld-app-card">
                                <span class="sld-app-card__name">{a.name.clone()}</span>
                                <span class="sld-app-card__links">
                                    {Section::ALL.into_iter().map(|s| view! {
                                        <Link to=s.route(&a.name) class="sld-button">{s.label()}</Link>
                                    }).collect_view()}
                                </span>
                            </li>
                        }).collect_view()}
                    </ul>
                }
                .into_any(),
            }}
        </section>
    }
}
