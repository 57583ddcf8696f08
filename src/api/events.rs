//! API calls of the events feature: one-off sessions (`run` events) and their audit logs.

use serde::Deserialize;
use serde_json::Value;

use super::decode::{decode, or_default};
use super::{url::segment, ApiClient, ApiError, Request};

/// A one-off container session, from a `run` event.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSession {
    /// Event id.
    pub event_id: String,
    /// When it started (RFC 3339, as sent).
    pub created_at: String,
    /// Who ran it (username, else email).
    pub user: String,
    /// The command run; empty for an operator session.
    pub command: String,
    /// The id of its audit log, if one was recorded.
    pub audit_log_id: Option<String>,
    /// The audit log's size in bytes, if given.
    pub audit_log_size: Option<u64>,
    /// Whether it ran detached (`scalingo run -d`).
    pub detached: bool,
}

impl RunSession {
    /// Reads a `run` event; `None` for other types or events without `type_data`.
    ///
    /// Events are walked as loose JSON rather than derived: a page holds every type of
    /// event, and one odd member of one event must not hide the page's sessions.
    pub fn from_event(event: &Value) -> Option<Self> {
        if event.get("type").and_then(Value::as_str) != Some("run") {
            return None;
        }
        let data = event.get("type_data")?;
        let text = |v: Option<&Value>| match v {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let user = event.get("user");
        let username = text(user.and_then(|u| u.get("username")));
        let user = if username.is_empty() {
            text(user.and_then(|u| u.get("email")))
        } else {
            username
        };
        Some(RunSession {
            event_id: text(event.get("id")),
            created_at: text(event.get("created_at")),
            user,
            command: text(data.get("command")),
            audit_log_id: Some(text(data.get("audit_log_id"))).filter(|s| !s.is_empty()),
            audit_log_size: data.get("audit_log_size").and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            }),
            detached: data
                .get("detached")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }
}

/// What one element of an events page is to the session list.
#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// A `run` event: a one-off session.
    Run(RunSession),
    /// A well-formed event of another type (deployment, restart, …).
    Other,
    /// Not an event: not an object, no string `type`, or a `run` without a `type_data`
    /// object. The list skips it and says how many it skipped.
    Malformed,
}

impl EventKind {
    /// Classifies one element of an events page's `events` array.
    pub fn of(event: &Value) -> Self {
        match event.get("type").and_then(Value::as_str) {
            None => EventKind::Malformed,
            Some("run") if !matches!(event.get("type_data"), Some(Value::Object(_))) => {
                EventKind::Malformed
            }
            Some("run") => {
                RunSession::from_event(event).map_or(EventKind::Malformed, EventKind::Run)
            }
            Some(_) => EventKind::Other,
        }
    }
}

/// The contract's pagination block; every member optional.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Pagination {
    /// This page, from 1.
    #[serde(default, deserialize_with = "or_default")]
    pub current_page: u32,
    /// The next page, if any.
    pub next_page: Option<u32>,
    /// The previous page, if any.
    pub prev_page: Option<u32>,
    /// How many pages of events there are.
    #[serde(default, deserialize_with = "or_default")]
    pub total_pages: u32,
    /// How many events there are (of every type).
    #[serde(default, deserialize_with = "or_default")]
    pub total_count: u64,
}

/// An events page: `{"events":[…],"meta":{"pagination":{…}}}`, every part optional.
#[derive(Deserialize)]
struct EventsPage {
    #[serde(default, deserialize_with = "or_default")]
    events: Vec<Value>,
    #[serde(default, deserialize_with = "or_default")]
    meta: Meta,
}

#[derive(Default, Deserialize)]
struct Meta {
    #[serde(default, deserialize_with = "or_default")]
    pagination: Pagination,
}

/// Reads an events page, every part optional.
fn parse_events(body: &str) -> Result<(Vec<Value>, Pagination), ApiError> {
    let page: EventsPage = decode(body)?;
    Ok((page.events, page.meta.pagination))
}

/// One page of the app's events, with its `run` sessions picked out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunsPage {
    /// The `run` events of this page, newest first.
    pub sessions: Vec<RunSession>,
    /// How many events of any type the page held, malformed ones included.
    pub events_on_page: usize,
    /// How many of them were malformed (see [`EventKind::Malformed`]) and skipped.
    pub malformed: usize,
    /// The `created_at` of every event of the page that has one (RFC 3339, as sent), so
    /// the list can say which period it covers.
    pub event_times: Vec<String>,
    /// Where this page is among the app's events.
    pub pagination: Pagination,
}

impl RunsPage {
    /// Sorts the elements of an events page into sessions, other events and malformed ones.
    pub fn from_events(events: &[Value], pagination: Pagination) -> Self {
        let mut page = RunsPage {
            events_on_page: events.len(),
            pagination,
            ..RunsPage::default()
        };
        for event in events {
            match EventKind::of(event) {
                EventKind::Run(session) => page.sessions.push(session),
                EventKind::Other => {}
                EventKind::Malformed => {
                    page.malformed += 1;
                    continue;
                }
            }
            if let Some(at) = event.get("created_at").and_then(Value::as_str) {
                page.event_times.push(at.to_owned());
            }
        }
        page
    }
}

/// Page `page` of the app's events, keeping the `run` ones. The API cannot filter by type,
/// so a page may hold few or no sessions: the session list reads page after page.
/// A malformed event is counted in [`RunsPage::malformed`], never fatal; a body that is not
/// an events page at all is an [`ApiError::Decode`].
pub async fn list_runs(
    api: &ApiClient,
    app: &str,
    page: u32,
    per_page: u32,
) -> Result<RunsPage, ApiError> {
    let path = format!("/v1/apps/{}/events", segment(app));
    let body = api
        .send(
            Request::get(path)
                .query("page", page.max(1).to_string())
                .query("per_page", per_page.clamp(1, 100).to_string())
                .latest("run-events"),
        )
        .await?;
    let (events, mut pagination) = parse_events(&body)?;
    if pagination.current_page == 0 {
        pagination.current_page = page.max(1);
    }
    Ok(RunsPage::from_events(&events, pagination))
}

/// The entries of an audit log, as loose JSON so that malformed entries can be counted
/// and skipped by the player instead of failing the whole log.
pub async fn audit_log(api: &ApiClient, app: &str, id: &str) -> Result<Vec<Value>, ApiError> {
    let path = format!("/v1/apps/{}/audit_logs/{}", segment(app), segment(id));
    let body = api.send(Request::get(path).latest("audit-log")).await?;
    parse_audit_log(&body)
}

/// Parses an audit log body: a bare JSON array.
pub fn parse_audit_log(body: &str) -> Result<Vec<Value>, ApiError> {
    match serde_json::from_str(body)? {
        Value::Array(entries) => Ok(entries),
        _ => Err(ApiError::Decode(
            "the audit log is not a list of events".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn run_events_become_sessions_and_other_events_are_ignored() {
        let run = json!({
            "id": "ev-1", "created_at": "2019-05-03T17:27:27+02:00", "type": "run",
            "user": {"username": "john", "email": "j@x.io", "id": "us-1"},
            "type_data": {"command": "bash", "audit_log_id": "al-1", "audit_log_size": 2048, "detached": false}
        });
        let session = RunSession::from_event(&run).unwrap();
        assert_eq!(session.user, "john");
        assert_eq!(session.command, "bash");
        assert_eq!(session.audit_log_id.as_deref(), Some("al-1"));
        assert_eq!(session.audit_log_size, Some(2048));
        assert!(!session.detached);
        assert!(RunSession::from_event(&json!({"type": "deployment", "type_data": {}})).is_none());
    }

    #[test]
    fn an_operator_session_without_audit_log_still_lists() {
        let run = json!({"type": "run", "user": {"email": "ops@scalingo.com"}, "type_data": {"command": "", "detached": true}});
        let session = RunSession::from_event(&run).unwrap();
        assert_eq!(session.user, "ops@scalingo.com");
        assert!(session.command.is_empty());
        assert!(session.audit_log_id.is_none());
        assert!(session.detached);
    }

    #[test]
    fn malformed_events_are_skipped_and_counted_while_the_others_are_kept() {
        let events = vec![
            json!({"id": "ev-1", "type": "run", "created_at": "2026-12-05T10:00:00+00:00", "user": {"username": "alice"}, "type_data": {"command": "rails c", "audit_log_id": "al-1"}}),
            json!("not an event"),
            json!(42),
            json!({"id": "ev-2", "created_at": "2026-12-04T10:00:00+00:00"}),
            json!({"id": "ev-3", "type": 7}),
            json!({"id": "ev-4", "type": "run", "type_data": "bash"}),
            json!({"id": "ev-5", "type": "run"}),
            json!({"id": "ev-6", "type": "deployment", "created_at": "2026-11-03T08:00:00+00:00", "type_data": {}}),
            json!({"id": "ev-7", "type": "restart"}),
        ];
        let page = RunsPage::from_events(&events, Pagination::default());
        assert_eq!(page.events_on_page, 9);
        assert_eq!(page.malformed, 6);
        assert_eq!(page.sessions.len(), 1);
        assert_eq!(page.sessions[0].user, "alice");
        assert_eq!(
            page.event_times,
            ["2026-12-05T10:00:00+00:00", "2026-11-03T08:00:00+00:00"]
        );
        assert_eq!(EventKind::of(&events[7]), EventKind::Other);
    }

    #[test]
    fn a_page_of_events_reads_its_pagination_and_tolerates_missing_parts() {
        let (events, pagination) = parse_events(&json!({
            "events": [{"type": "run"}, {"type": "deployment"}],
            "meta": {"pagination": {"current_page": 1, "next_page": 2, "prev_page": null, "total_pages": 4, "total_count": 61}}
        }).to_string())
        .unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(
            pagination,
            Pagination {
                current_page: 1,
                next_page: Some(2),
                prev_page: None,
                total_pages: 4,
                total_count: 61
            }
        );
        for empty in [
            "{}",
            r#"{"events":null,"meta":null}"#,
            r#"{"meta":{"pagination":null}}"#,
        ] {
            assert_eq!(
                parse_events(empty).unwrap(),
                (vec![], Pagination::default())
            );
        }
        assert!(parse_events(r#"{"events": {}}"#).is_err());
        let err = parse_events(r#"{"meta": {"pagination": {"next_page": -1}}}"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("invalid value: integer `-1`, expected u32"),
            "{err}"
        );
    }

    #[test]
    fn an_audit_log_must_be_an_array_but_its_entries_may_be_anything() {
        assert_eq!(parse_audit_log("[1, {\"a\": 2}]").unwrap().len(), 2);
        assert!(matches!(parse_audit_log("{}"), Err(ApiError::Decode(_))));
        assert!(matches!(parse_audit_log("[{"), Err(ApiError::Decode(_))));
        let deep = format!("[{}{}]", "[".repeat(200), "]".repeat(200));
        assert!(parse_audit_log(&deep)
            .unwrap_err()
            .to_string()
            .contains("recursion limit exceeded"));
    }
}
