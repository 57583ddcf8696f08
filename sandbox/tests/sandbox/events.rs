//! The demo world's event history: long, varied, sparse in sessions, and paginated faithfully.

use std::collections::{BTreeSet, HashSet};

use serde_json::{json, Value};

use crate::common::{start, Sandbox};

/// Every event of `app`, walking the pages the way a client does: from page 1 while
/// `next_page` says there is one.
pub async fn all_events(sb: &Sandbox, app: &str, per_page: usize) -> Vec<Value> {
    let bearer = sb.bearer().await;
    let mut all = Vec::new();
    let mut page = 1;
    loop {
        let path = format!("/apps/{app}/events?page={page}&per_page={per_page}");
        let body = sb.api_as(&bearer, "GET", &path, None).await.json();
        let p = &body["meta"]["pagination"];
        assert_eq!(p["current_page"], page, "{path}");
        let events = body["events"].as_array().expect("events").clone();
        assert!(events.len() <= per_page);
        all.extend(events);
        match p["next_page"].as_u64() {
            Some(next) => {
                assert_eq!(next, page + 1);
                page = next;
            }
            None => {
                assert_eq!(p["total_count"], all.len(), "every event counted once");
                assert_eq!(p["total_pages"], page);
                return all;
            }
        }
    }
}

fn ids(events: &[Value]) -> Vec<&str> {
    events.iter().filter_map(|e| e["id"].as_str()).collect()
}

#[tokio::test]
async fn example_app_has_over_a_thousand_events_with_a_few_sessions_by_several_people() {
    let sb = start(&[]).await;
    let events = all_events(&sb, "example-app", 100).await;
    assert!(events.len() >= 1_000, "{} events", events.len());
    let unique: HashSet<&str> = ids(&events).into_iter().collect();
    assert_eq!(unique.len(), events.len(), "event ids are unique");
    let times: Vec<&str> = events
        .iter()
        .map(|e| e["created_at"].as_str().expect("created_at"))
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    // Weeks of busy history, and the app's 2019 beginnings.
    assert!(times.last().expect("oldest").starts_with("2019-05-0"));
    let runs: Vec<&Value> = events.iter().filter(|e| e["type"] == "run").collect();
    assert!((5..=10).contains(&runs.len()), "{} sessions", runs.len());
    let people: BTreeSet<String> = runs
        .iter()
        .map(|e| {
            let u = &e["user"];
            u["username"]
                .as_str()
                .filter(|n| !n.is_empty())
                .or(u["email"].as_str())
                .expect("a user")
                .to_string()
        })
        .collect();
    assert!(people.len() >= 4, "sessions by {people:?}");
    assert!(
        people.contains("support@scalingo.com"),
        "an operator named by email only"
    );
    let commands: HashSet<&str> = runs
        .iter()
        .filter_map(|e| e["type_data"]["command"].as_str())
        .collect();
    assert_eq!(commands.len(), runs.len(), "commands differ: {commands:?}");
    let types: BTreeSet<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    for kind in [
        "new_app",
        "deployment",
        "restart",
        "scale",
        "crash",
        "alert",
        "edit_variable",
        "new_variable",
        "addon_updated",
        "upgrade_addon",
        "new_collaborator",
        "new_domain",
        "new_log_drain",
        "new_notifier",
        "edit_app",
        "run",
    ] {
        assert!(types.contains(kind), "a {kind} event among {types:?}");
    }
    // Sparse: the first page of a hundred holds at most two of them.
    let first_page = events[..100].iter().filter(|e| e["type"] == "run").count();
    assert!(first_page <= 2, "{first_page} sessions on the first page");
}

#[tokio::test]
async fn every_page_size_walks_the_same_events_in_the_same_order() {
    let sb = start(&[]).await;
    let by_100 = all_events(&sb, "example-app", 100).await;
    let by_7 = all_events(&sb, "billing-api", 7).await;
    let by_1000 = all_events(&sb, "example-app", 1000).await;
    assert_eq!(ids(&by_100), ids(&by_1000));
    assert_eq!(ids(&by_7), ids(&all_events(&sb, "billing-api", 1000).await));
    // Past the end: no events, but the pagination still says where the end is.
    let total = by_100.len();
    let beyond = sb
        .api("GET", "/apps/example-app/events?page=99&per_page=100", None)
        .await
        .json();
    assert_eq!(beyond["events"], json!([]));
    assert_eq!(beyond["meta"]["pagination"]["next_page"], Value::Null);
    assert_eq!(beyond["meta"]["pagination"]["total_count"], total);
}

#[tokio::test]
async fn the_history_tells_the_same_story_on_every_start() {
    let (a, b) = (start(&[]).await, start(&[]).await);
    let story = |events: Vec<Value>| -> Vec<(Value, Value, Value)> {
        events
            .into_iter()
            .map(|e| (e["type"].clone(), e["user"].clone(), e["type_data"].clone()))
            .collect()
    };
    let first = story(all_events(&a, "example-app", 1000).await);
    let second = story(all_events(&b, "example-app", 1000).await);
    // Audit log ids carry the start time; everything else must match.
    let strip = |s: Vec<(Value, Value, Value)>| -> Vec<(Value, Value, Value)> {
        s.into_iter()
            .map(|(t, u, mut d)| {
                if let Some(o) = d.as_object_mut() {
                    o.remove("audit_log_id");
                }
                (t, u, d)
            })
            .collect()
    };
    assert_eq!(strip(first), strip(second));
}

#[tokio::test]
async fn billing_api_has_one_session_and_quiet_app_events_but_none() {
    let sb = start(&[]).await;
    let billing = all_events(&sb, "billing-api", 100).await;
    assert!(billing.len() >= 100);
    assert_eq!(billing.iter().filter(|e| e["type"] == "run").count(), 1);
    let quiet = all_events(&sb, "quiet-app", 100).await;
    assert!(!quiet.is_empty());
    assert!(quiet.iter().all(|e| e["type"] != "run"));
}

#[tokio::test]
async fn a_failure_scoped_to_events_fails_the_seventh_page_only() {
    let sb = start(&[]).await;
    let bearer = sb.bearer().await;
    let state = sb
        .admin(
            "/faults",
            json!({"fail_next": {"status": 500, "count": 1, "path": "/events", "after": 6}}),
        )
        .await;
    assert_eq!(state.status, 200, "{}", state.text());
    assert_eq!(state.json()["fail_next"]["after"], 6);
    for page in 1..=6 {
        let path = format!("/apps/example-app/events?page={page}&per_page=100");
        assert_eq!(sb.api_as(&bearer, "GET", &path, None).await.status, 200);
        // Other routes neither fail nor count.
        assert_eq!(sb.api_as(&bearer, "GET", "/apps", None).await.status, 200);
    }
    let seventh = "/apps/example-app/events?page=7&per_page=100";
    let failed = sb.api_as(&bearer, "GET", seventh, None).await;
    assert_eq!(failed.status, 500);
    assert_eq!(
        failed.json(),
        json!({"error": "Internal error occured, we're on it!"})
    );
    assert_eq!(
        sb.api_as(&bearer, "GET", seventh, None).await.status,
        200,
        "a retry succeeds"
    );
}

#[tokio::test]
async fn an_injected_event_is_served_verbatim_as_the_newest() {
    let sb = start(&[]).await;
    let before = all_events(&sb, "billing-api", 1000).await.len();
    for event in [
        json!("not an event"),
        json!({"type": "run", "type_data": 7}),
    ] {
        let a = sb
            .admin("/events", json!({"app": "billing-api", "event": event}))
            .await;
        assert_eq!(a.status, 200, "{}", a.text());
    }
    let after = all_events(&sb, "billing-api", 1000).await;
    assert_eq!(after.len(), before + 2);
    assert_eq!(after[0], json!({"type": "run", "type_data": 7}));
    assert_eq!(after[1], json!("not an event"));
    let missing = sb.admin("/events", json!({"app": "billing-api"})).await;
    assert_eq!(missing.status, 400);
    let unknown = sb
        .admin("/events", json!({"app": "nope", "event": {}}))
        .await;
    assert_eq!(unknown.status, 404);
}
