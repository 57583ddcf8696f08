//! The list of one-off sessions (`run` events) of an app.

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;

use super::timeline::fixed;
use crate::api::events::{self, RunSession, RunsPage};
use crate::api::use_api;
use crate::hooks::use_fetch::use_fetch;
use crate::nav::{use_nav, Link};
use crate::route::{Query, Route};
use crate::text::count;
use crate::ui::{EmptyState, ErrorNotice, Spinner};

/// Events asked per page; the API has no type filter, so bigger pages find more sessions.
const EVENTS_PER_PAGE: u32 = 50;

thread_local! {
    /// Sessions seen in the list, by audit log id, so the player can title a session it was
    /// opened from without another request. A deep link works without it.
    static KNOWN: RefCell<HashMap<String, RunSession>> = RefCell::new(HashMap::new());
}

/// The session of audit log `id`, if the list showed it.
pub fn known_session(id: &str) -> Option<RunSession> {
    KNOWN.with(|k| k.borrow().get(id).cloned())
}

/// Formats a byte count as `512 B`, `1.2 KB`, `3.4 MB`.
pub fn format_size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KB", fixed(b as f64 / 1024.0, 1)),
        b => format!("{} MB", fixed(b as f64 / (1024.0 * 1024.0), 1)),
    }
}

/// `2019-05-03T17:27:27.81+02:00` as `2019-05-03 17:27:27`.
fn short_time(created_at: &str) -> String {
    created_at.replacen('T', " ", 1).chars().take(19).collect()
}

/// The one-off sessions (`run` events) of `app`.
#[component]
pub fn SessionsPage(app: String) -> impl IntoView {
    let api = use_api();
    let nav = use_nav();
    let page = Memo::new(move |_| {
        nav.query()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
            .max(1)
    });
    let fetch_app = app.clone();
    let runs = use_fetch(move || {
        let (api, app, page) = (api.clone(), fetch_app.clone(), page.get());
        async move { events::list_runs(&api, &app, page, EVENTS_PER_PAGE).await }
    });
    let app = StoredValue::new(app);
    view! {
        <section class="sld-page sld-audit-sessions" aria-labelledby="sld-audit-title">
            <h1 id="sld-audit-title" tabindex="-1">"One-off sessions"</h1>
            <p class="sld-muted">
                "Commands run with " <code>"scalingo run"</code>
                ", newest first. Open one to replay it as the terminal showed it."
            </p>
            {move || match runs.get() {
                None => view! { <Spinner label="Loading sessions…" /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e retry=Callback::new(move |_| runs.refetch()) /> }.into_any(),
                Some(Ok(page)) => view! { <SessionsTable app=app.get_value() page /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn SessionsTable(app: String, page: RunsPage) -> impl IntoView {
    KNOWN.with(|k| {
        let mut known = k.borrow_mut();
        for s in &page.sessions {
            if let Some(id) = &s.audit_log_id {
                known.insert(id.clone(), s.clone());
            }
        }
    });
    let p = page.pagination;
    let page_route = |n: u32| Route::Audit {
        app: app.clone(),
        query: Query::default().with("page", &n.to_string()),
    };
    let pager = view! {
        <nav class="sld-audit-pager" aria-label="Pages of events">
            {p.prev_page.map(|n| view! { <Link to=page_route(n) class="sld-button">"Newer"</Link> })}
            <span class="sld-audit-pager__where" data-testid="audit-page">
                {format!(
                    "Events page {} of {} — {} among {} on this page",
                    p.current_page,
                    p.total_pages.max(p.current_page),
                    count(page.sessions.len(), "session", "sessions"),
                    count(page.events_on_page, "event", "events"),
                )}
            </span>
            {p.next_page.map(|n| view! { <Link to=page_route(n) class="sld-button">"Older"</Link> })}
        </nav>
    };
    let body = if page.sessions.is_empty() {
        view! {
            <EmptyState title="No one-off session on this page of events">
                "Sessions appear here when someone runs " <code>"scalingo run"</code>
                ". The API lists every kind of event together; try older pages."
            </EmptyState>
        }
        .into_any()
    } else {
        let rows = page
            .sessions
            .into_iter()
            .map(|s| {
                let command = if s.command.is_empty() {
                    view! { <em class="sld-muted">"operator session"</em> }.into_any()
                } else {
                    view! { <code>{s.command.clone()}</code> }.into_any()
                };
                let open = match s.audit_log_id.clone() {
                    Some(id) => {
                        let label = if s.command.is_empty() {
                            "Replay operator session".to_owned()
                        } else {
                            format!("Replay {}", s.command)
                        };
                        view! {
                            <Link to=Route::AuditPlayer { app: app.clone(), id } class="sld-button sld-audit-open">
                                <span aria-hidden="true">"▶ "</span>
                                <span class="sld-visually-hidden">{label}</span>
                                <span aria-hidden="true">"Replay"</span>
                            </Link>
                        }
                        .into_any()
                    }
                    None => view! { <span class="sld-muted">"no audit log"</span> }.into_any(),
                };
                view! {
                    <tr data-testid="audit-session">
                        <td><time datetime=s.created_at.clone()>{short_time(&s.created_at)}</time></td>
                        <td>{s.user.clone()}</td>
                        <td class="sld-audit-table__command">{command}</td>
                        <td>{s.audit_log_size.map(format_size).unwrap_or_else(|| "—".into())}</td>
                        <td>{if s.detached { "detached" } else { "interactive" }}</td>
                        <td>{open}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            // On a narrow page (a phone, a portal's side panel) the table scrolls sideways
            // inside this region instead of the whole page; the region takes focus so the
            // keyboard can scroll it too.
            <div class="sld-audit-table-wrap" role="region" aria-label="Sessions table" tabindex="0">
            <table class="sld-audit-table">
                <thead>
                    <tr>
                        <th scope="col">"Started"</th>
                        <th scope="col">"By"</th>
                        <th scope="col">"Command"</th>
                        <th scope="col">"Log size"</th>
                        <th scope="col">"Mode"</th>
                        <th scope="col"><span class="sld-visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            </div>
        }
        .into_any()
    };
    view! { {body} {pager} }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_the_nearest_unit() {
        assert_eq!(format_size(512), "512 B");
        assert_eq!(format_size(2048), "2.0 KB");
        assert_eq!(format_size(5 * 1024 * 1024 + 1), "5.0 MB");
    }

    #[test]
    fn start_times_lose_their_fraction_and_offset() {
        assert_eq!(
            short_time("2019-05-03T17:27:27.819+02:00"),
            "2019-05-03 17:27:27"
        );
    }
}
