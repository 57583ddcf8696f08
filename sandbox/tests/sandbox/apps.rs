use serde_json::{json, Value};

use crate::common::start;

#[tokio::test]
async fn the_demo_world_has_three_apps() {
    let sb = start(&[]).await;
    let apps = sb.api("GET", "/apps", None).await.json();
    let names: Vec<&str> = apps["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(names, ["example-app", "billing-api", "quiet-app"]);
    let app = sb.api("GET", "/apps/example-app", None).await.json();
    assert_eq!(app["app"]["name"], "example-app");
}

#[tokio::test]
async fn an_unknown_app_is_a_404_naming_the_resource() {
    let sb = start(&[]).await;
    for path in [
        "/apps/nope",
        "/apps/nope/addons",
        "/apps/nope/log_drains",
        "/apps/nope/logs",
        "/apps/nope/events",
    ] {
        let a = sb.api("GET", path, None).await;
        assert_eq!(a.status, 404, "{path}");
        assert_eq!(
            a.json(),
            json!({"resource": "app", "error": "not found"}),
            "{path}"
        );
    }
}

#[tokio::test]
async fn example_app_has_web_and_worker_containers_and_two_addons() {
    let sb = start(&[]).await;
    let c = sb
        .api("GET", "/apps/example-app/containers", None)
        .await
        .json();
    assert_eq!(
        c["containers"],
        json!([{"name": "web", "amount": 2, "size": "M"}, {"name": "worker", "amount": 1, "size": "S"}])
    );
    let addons = sb.api("GET", "/apps/example-app/addons", None).await.json();
    let providers: Vec<&str> = addons["addons"]
        .as_array()
        .expect("addons")
        .iter()
        .filter_map(|a| a["addon_provider"]["id"].as_str())
        .collect();
    assert_eq!(providers, ["postgresql", "redis"]);
    assert_eq!(
        addons["addons"][0]["id"],
        "ad-9be0fc04-bee6-4981-a403-a9dd4981bd1f"
    );
}

#[tokio::test]
async fn events_paginate_newest_first() {
    let sb = start(&[]).await;
    let first = sb
        .api("GET", "/apps/example-app/events?page=1&per_page=20", None)
        .await
        .json();
    let p = &first["meta"]["pagination"];
    assert_eq!(p["current_page"], 1);
    assert_eq!(p["next_page"], 2);
    assert_eq!(p["prev_page"], Value::Null);
    let total = p["total_count"].as_u64().expect("count");
    assert!(total > 20);
    assert_eq!(p["total_pages"], total.div_ceil(20));
    let second = sb
        .api("GET", "/apps/example-app/events?page=2&per_page=20", None)
        .await
        .json();
    assert_eq!(second["meta"]["pagination"]["prev_page"], 1);
    assert_eq!(second["events"].as_array().map(Vec::len), Some(20));
    let dates: Vec<&str> = first["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["created_at"].as_str())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
}

async fn run_events(sb: &crate::common::Sandbox) -> Vec<Value> {
    crate::events::all_events(sb, "example-app", 1000)
        .await
        .into_iter()
        .filter(|e| e["type"] == "run")
        .collect()
}

#[tokio::test]
async fn the_documented_session_is_served_verbatim() {
    let sb = start(&[]).await;
    let runs = run_events(&sb).await;
    let seed = runs
        .iter()
        .find(|e| e["type_data"]["command"] == "bash")
        .expect("the seed session");
    let id = seed["type_data"]["audit_log_id"].as_str().expect("id");
    let a = sb
        .api("GET", &format!("/apps/example-app/audit_logs/{id}"), None)
        .await;
    assert_eq!(a.status, 200);
    let seed_file = include_str!("../../../../shared/seeds/002_e9cc4f4c0bc62d81.txt");
    let expected = &seed_file[seed_file.find("\n[\n").expect("the JSON array") + 1..];
    assert_eq!(a.text(), expected);
    assert_eq!(seed["type_data"]["audit_log_size"], a.body.len());
}

#[tokio::test]
async fn run_events_cover_the_terminal_features_the_player_needs() {
    let sb = start(&[]).await;
    let runs = run_events(&sb).await;
    assert!(
        runs.iter().any(|e| e["type_data"]["command"] == ""),
        "an operator session"
    );
    assert!(
        runs.iter().any(|e| e["type_data"]["detached"] == true),
        "a detached session"
    );
    let mut all = String::new();
    let mut longest = 0;
    for run in &runs {
        let id = run["type_data"]["audit_log_id"].as_str().expect("id");
        let log = sb
            .api("GET", &format!("/apps/example-app/audit_logs/{id}"), None)
            .await
            .json();
        longest = longest.max(log.as_array().map(Vec::len).unwrap_or(0));
        all.push_str(&log.to_string());
    }
    for needle in [
        "\\r",
        "\\u001b[K",
        "\\u001b[?1049h",
        "\\u001b[?1049l",
        "\\u001b[2J",
        "\\u001b[38;5;",
        "\\u001b[38;2;",
    ] {
        assert!(all.contains(needle), "some session uses {needle}");
    }
    assert!(longest >= 50_000, "a long session for performance work");
}

#[tokio::test]
async fn an_unknown_audit_log_is_a_404() {
    let sb = start(&[]).await;
    let a = sb
        .api("GET", "/apps/example-app/audit_logs/al-nope", None)
        .await;
    assert_eq!(a.status, 404);
    assert_eq!(a.json()["resource"], "audit_log");
}

#[tokio::test]
async fn an_added_audit_log_is_stored_verbatim_as_the_newest_run() {
    let sb = start(&[]).await;
    let hostile = json!([{"time": "x", "content": "<script>alert(1)</script>\u{1b}[999999;1H", "type": "output"}, 42, null]);
    let a = sb
        .admin(
            "/audit_logs",
            json!({"app": "example-app", "command": "rm -rf /", "events": hostile}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let id = a.json()["audit_log_id"].as_str().expect("id").to_string();
    let newest = sb
        .api("GET", "/apps/example-app/events?per_page=1", None)
        .await
        .json();
    assert_eq!(
        newest["events"][0]["type_data"]["audit_log_id"],
        id.as_str()
    );
    assert_eq!(newest["events"][0]["type_data"]["command"], "rm -rf /");
    let log = sb
        .api("GET", &format!("/apps/example-app/audit_logs/{id}"), None)
        .await;
    assert_eq!(log.json(), hostile);
}
