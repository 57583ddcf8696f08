//! The list of one-off sessions (`run` events) of an app, gathered across pages of events.
//!
//! Each part of the page stands on its own: the sessions already found stay listed when a
//! later page of events fails, with the error and a Retry where the rest would be.

mod gather;

use std::cell::RefCell;
use std::collections::HashMap;

use futures::future::{AbortHandle, Abortable};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::timeline::fixed;
use crate::api::events::{self, RunSession};
use crate::api::{use_api, ApiClient, ApiError};
use crate::nav::{use_nav, Link};
use crate::route::Route;
use crate::text::count;
use crate::ui::{focus, focus_is_lost, EmptyState, ErrorNotice};
use gather::{Gathering, SessionFilter, EVENTS_PER_PAGE};

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

/// Where the reading of events stands.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    /// A page is being read.
    Reading,
    /// Nothing under way: a screenful is found, or the events ended.
    Idle,
    /// The user stopped the reading.
    Stopped,
    /// A page failed; Retry reads it again.
    Failed(ApiError),
}

fn remember(sessions: &[RunSession]) {
    KNOWN.with(|k| {
        let mut known = k.borrow_mut();
        for s in sessions {
            if let Some(id) = &s.audit_log_id {
                known.insert(id.clone(), s.clone());
            }
        }
    });
}

/// The list's whole state in one signal: each signal type costs the wasm bundle its own
/// copy of Leptos' reactive code, and this page once added 22 KB gzipped with five of them.
/// For the same reason the page's reactive parts return `AnyView`, sharing one copy.
#[derive(Clone, Debug, PartialEq)]
struct List {
    gathering: Gathering,
    phase: Phase,
}

/// Reads pages of events into `state` while it wants more; stops at the first failure,
/// which leaves `next_page` on the failed page so that a retry reads it again.
async fn read_pages(api: ApiClient, app: String, state: RwSignal<List>) {
    loop {
        let next = state.try_with_untracked(|l| {
            let g = &l.gathering;
            g.next_page.filter(|_| g.wants_more())
        });
        let Some(Some(page)) = next else {
            state.try_update(|l| l.phase = Phase::Idle);
            return;
        };
        match events::list_runs(&api, &app, page, EVENTS_PER_PAGE).await {
            Ok(read) => {
                let fresh = state.try_update(|l| l.gathering.absorb(page, read));
                remember(&fresh.unwrap_or_default());
            }
            Err(e) => {
                state.try_update(|l| l.phase = Phase::Failed(e));
                return;
            }
        }
    }
}

/// The one-off sessions (`run` events) of `app`: gathered across pages of events until a
/// screenful is found or the events end, with progress, Stop, Load more and filters.
#[component]
pub fn SessionsPage(app: String) -> impl IntoView {
    let api = use_api();
    let nav = use_nav();
    let state = RwSignal::new(List {
        gathering: Gathering::default(),
        phase: Phase::Reading,
    });
    let reading = StoredValue::new_local(None::<AbortHandle>);
    let stop_reading = move || {
        if let Some(handle) = reading.try_update_value(Option::take).flatten() {
            handle.abort();
        }
    };
    let app = StoredValue::new(app);
    // Starts (or resumes) reading; dropping the read when aborted aborts its request too.
    let read = move || {
        stop_reading();
        let (handle, registration) = AbortHandle::new_pair();
        reading.set_value(Some(handle));
        state.update(|l| l.phase = Phase::Reading);
        let task = Abortable::new(
            read_pages(api.clone(), app.get_value(), state),
            registration,
        );
        spawn_local(async move {
            let _ = task.await;
        });
    };
    on_cleanup(stop_reading);
    read();
    let read = StoredValue::new_local(read);

    let on_action = move |_| match state.with_untracked(|l| l.phase.clone()) {
        Phase::Reading => {
            stop_reading();
            state.update(|l| l.phase = Phase::Stopped);
        }
        Phase::Stopped => read.with_value(|r| r()),
        Phase::Idle => {
            state.update(|l| l.gathering.load_more());
            read.with_value(|r| r());
        }
        Phase::Failed(_) => {}
    };
    let retry = Callback::new(move |_| {
        read.with_value(|r| r());
        // The Retry button goes with the error: keep the keyboard on the page's action.
        request_animation_frame(move || {
            if focus_is_lost() {
                focus("[data-testid=audit-gather-action]");
            }
        });
    });

    // Plain closures rather than memos, for the bundle's sake (see `List`): they are cheap
    // over a few dozen sessions.
    let filter = move || {
        let q = nav.query();
        SessionFilter {
            user: q.get("user").unwrap_or_default().to_owned(),
            command: q.get("command").unwrap_or_default().to_owned(),
        }
    };
    let set_filter = move |key: &str, value: String| nav.set_query(nav.query().with(key, &value));

    view! {
        <section class="sld-page sld-audit-sessions" aria-labelledby="sld-audit-title">
            <h1 id="sld-audit-title" tabindex="-1">"One-off sessions"</h1>
            <p class="sld-muted">
                "Commands run with " <code>"scalingo run"</code>
                ", newest first. Open one to replay it as the terminal showed it."
            </p>
            <p class="sld-audit-period" data-testid="audit-period">
                {move || state.with(|l| l.gathering.period())}
            </p>
            <div class="sld-audit-filters" role="search" aria-label="Filter sessions">
                // Labels sit beside their controls, not around them: a control inside its
                // label would add its value to its own accessible name ("Run by Anyone").
                <div class="sld-audit-filter">
                    <label for="sld-audit-user">"Run by"</label>
                    <select id="sld-audit-user" data-testid="audit-filter-user"
                        on:change=move |ev| set_filter("user", event_target_value(&ev))>
                        {move || {
                            let chosen = filter().user;
                            let users = state.with(|l| gather::users(&l.gathering.sessions, &chosen));
                            let anyone = chosen.is_empty();
                            let options = users
                                .into_iter()
                                .map(|u| {
                                    let (selected, label) = (u == chosen, u.clone());
                                    view! { <option value=u selected=selected>{label}</option> }
                                })
                                .collect_view();
                            view! { <option value="" selected=anyone>"Anyone"</option> {options} }.into_any()
                        }}
                    </select>
                </div>
                <div class="sld-audit-filter">
                    <label for="sld-audit-command">"Command contains"</label>
                    <input type="search" id="sld-audit-command" data-testid="audit-filter-command" autocomplete="off" spellcheck="false"
                        prop:value=move || filter().command
                        on:input=move |ev| set_filter("command", event_target_value(&ev)) />
                </div>
                <span class="sld-muted" data-testid="audit-filter-count">
                    {move || {
                        let f = filter();
                        (!f.is_empty()).then(|| state.with(|l| {
                            let all = &l.gathering.sessions;
                            let shown = all.iter().filter(|s| f.matches(s)).count();
                            format!("{shown} of {} shown", all.len())
                        }))
                    }}
                </span>
            </div>
            {move || {
                let f = filter();
                let (shown, none_found, reading) = state.with(|l| {
                    let all = &l.gathering.sessions;
                    let shown: Vec<RunSession> = all.iter().filter(|s| f.matches(s)).cloned().collect();
                    (shown, all.is_empty(), l.phase == Phase::Reading)
                });
                if !shown.is_empty() {
                    sessions_table(&app.get_value(), shown).into_any()
                } else if !none_found {
                    view! {
                        <EmptyState title="No session matches these filters">
                            <button type="button" class="sld-button"
                                on:click=move |_| nav.set_query(nav.query().with("user", "").with("command", ""))>
                                "Clear filters"
                            </button>
                        </EmptyState>
                    }.into_any()
                } else if reading {
                    ().into_any()
                } else {
                    view! {
                        <EmptyState title=state.with(|l| l.gathering.empty_title())>
                            "Sessions appear here when someone runs " <code>"scalingo run"</code> "."
                        </EmptyState>
                    }.into_any()
                }
            }}
            <div class="sld-audit-pager" data-testid="audit-gathering">
                // One status line for the whole reading, so screen readers follow its
                // progress instead of hearing a new region per page.
                <div class="sld-loading" role="status" data-testid="audit-progress">
                    {move || state.with(|l| {
                        let g = &l.gathering;
                        let progress = (g.events_read > 0).then(|| g.progress());
                        let text = match (&l.phase, progress) {
                            (Phase::Reading, None) => "Reading events…".to_owned(),
                            (Phase::Stopped, Some(p)) => format!("Stopped. {p}"),
                            (Phase::Stopped, None) => "Stopped before reading any event.".to_owned(),
                            (_, p) => p.unwrap_or_else(|| g.progress()),
                        };
                        let spinner = (l.phase == Phase::Reading)
                            .then(|| view! { <span class="sld-spinner" aria-hidden="true"></span> });
                        view! { {spinner} <span>{text}</span> }.into_any()
                    })}
                </div>
                {move || match state.with(|l| l.phase.clone()) {
                    Phase::Failed(error) => view! { <ErrorNotice error retry /> }.into_any(),
                    _ => ().into_any(),
                }}
                // The action button keeps the focus while its label changes, so the keyboard
                // stays put between Stop, Continue and Load more.
                {move || {
                    let label = state.with(|l| match l.phase {
                        Phase::Reading => Some("Stop"),
                        Phase::Stopped => Some("Continue"),
                        Phase::Idle if !l.gathering.ended() => Some("Load more"),
                        _ => None,
                    });
                    label.map(|label| view! {
                        <button type="button" class="sld-button" data-testid="audit-gather-action"
                            on:click=on_action>{label}</button>
                    }).into_any()
                }}
                {move || {
                    let n = state.with(|l| l.gathering.malformed);
                    (n > 0).then(|| view! {
                        <span class="sld-notice" data-testid="audit-malformed">
                            {format!("{} skipped", count(n, "malformed event", "malformed events"))}
                        </span>
                    }).into_any()
                }}
            </div>
        </section>
    }
}

/// The table of the sessions shown. Rebuilt when the list grows: a keyed `<For>` and the
/// memo it needs cost the bundle several KB for a few dozen rows.
fn sessions_table(app: &str, shown: Vec<RunSession>) -> impl IntoView {
    let rows = shown
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
                        <Link to=Route::AuditPlayer { app: app.to_owned(), id } class="sld-button sld-audit-open">
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
