use std::time::Duration;

use serde_json::json;

use crate::common::{get, line, next_frame, next_text, send, sse, start, websocket};

#[tokio::test]
async fn a_dump_returns_the_last_n_lines_as_text() {
    let sb = start(&["--log-rate", "0"]).await;
    let lines: Vec<String> = (0..30)
        .map(|i| line("web-1", &format!("line {i}")))
        .collect();
    sb.inject("example-app", &lines).await;
    let url = sb.logs_url("example-app").await;
    let a = get(&format!("{url}&n=5")).await;
    assert_eq!(a.status, 200);
    assert!(a
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/plain")));
    assert_eq!(
        a.text(),
        lines[25..]
            .iter()
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    );
    let explicit = get(&format!("{url}&n=5&stream=false")).await;
    assert_eq!(explicit.text(), a.text());
}

#[tokio::test]
async fn a_dump_of_ten_thousand_lines_works() {
    let sb = start(&["--log-rate", "0"]).await;
    let lines: Vec<String> = (0..12_000)
        .map(|i| line("worker-1", &format!("n{i}")))
        .collect();
    sb.inject("example-app", &lines).await;
    let url = sb.logs_url("example-app").await;
    let a = get(&format!("{url}&n=10000")).await;
    assert_eq!(a.text().lines().count(), 10_000);
    assert!(a.text().ends_with("n11999\n"));
}

#[tokio::test]
async fn an_app_without_logs_answers_204() {
    let sb = start(&[]).await;
    let url = sb.logs_url("quiet-app").await;
    let a = get(&format!("{url}&n=100")).await;
    assert_eq!(a.status, 204);
    assert!(a.body.is_empty());
}

#[tokio::test]
async fn synthetic_logs_follow_the_documented_line_format() {
    let sb = start(&["--log-rate", "50"]).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let url = sb.logs_url("example-app").await;
    let text = get(&format!("{url}&n=200")).await.text();
    assert!(text.lines().count() > 10);
    for l in text.lines() {
        let tokens: Vec<&str> = l.splitn(6, ' ').collect();
        assert_eq!(tokens[2], "+0000", "{l}");
        assert_eq!(tokens[3], "UTC", "{l}");
        assert_eq!(tokens[1].len(), "02:02:43.930163178".len(), "{l}");
        assert!(
            tokens[4].starts_with('[') && tokens[4].ends_with(']'),
            "{l}"
        );
    }
}

#[tokio::test]
async fn filters_select_containers_by_name_type_or_regex() {
    let sb = start(&["--log-rate", "0"]).await;
    let all = [
        line("web-1", "a"),
        line("web-2", "b"),
        line("worker-1", "c"),
        line("router", "d"),
        line("worker-web-1", "e"),
        line("one-off-1234", "f"),
    ];
    sb.inject("example-app", &all).await;
    let url = sb.logs_url("example-app").await;
    let pick = |filter: &'static str| {
        let url = url.clone();
        async move {
            let text = get(&format!("{url}&n=100&filter={filter}")).await.text();
            text.lines()
                .map(|l| l.rsplit(' ').next().unwrap_or("").to_string())
                .collect::<Vec<_>>()
                .join("")
        }
    };
    assert_eq!(pick("web").await, "ab");
    assert_eq!(pick("web-2").await, "b");
    assert_eq!(pick("web%7Cworker").await, "abc");
    assert_eq!(pick("router").await, "d");
    assert_eq!(pick("one-off-.*").await, "f");
}

#[tokio::test]
async fn a_bad_filter_regex_is_a_400() {
    let sb = start(&[]).await;
    let url = sb.logs_url("example-app").await;
    let a = get(&format!("{url}&filter=web%28")).await;
    assert_eq!(a.status, 400);
    assert!(a.json()["error"]
        .as_str()
        .is_some_and(|e| e.starts_with("invalid filter")));
}

#[tokio::test]
async fn logs_urls_need_their_token_and_expire() {
    let sb = start(&["--logs-url-ttl", "0.3"]).await;
    let url = sb.logs_url("example-app").await;
    let base = url.split('?').next().expect("base").to_string();
    assert_eq!(get(&format!("{base}?token=nope")).await.status, 401);
    // A token for one app does not open another's logs.
    let other = url.replace("/apps/example-app/", "/apps/billing-api/");
    assert_eq!(get(&other).await.status, 401);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let a = get(&url).await;
    assert_eq!(a.status, 401);
    assert_eq!(a.json(), json!({"error": "token expired"}));
}

#[tokio::test]
async fn the_websocket_stream_sends_new_lines_with_both_keys() {
    let sb = start(&["--log-rate", "0"]).await;
    sb.inject("example-app", &[&line("web-1", "old")]).await;
    let url = sb.logs_url("example-app").await;
    let mut ws = websocket(&url, "").await;
    let hostile = line(
        "web-1",
        "<img src=x onerror=alert(1)> \u{1b}[31mred\u{1b}[0m \"quotes\" \\ back",
    );
    sb.inject("example-app", &[&hostile]).await;
    let frame = next_frame(&mut ws, 5).await.expect("a frame");
    assert_eq!(frame["event"], "log");
    assert_eq!(frame["name"], "log");
    assert_eq!(
        frame["log"],
        hostile.as_str(),
        "new lines only, passed through untouched"
    );
    assert!(frame["timestamp"]
        .as_str()
        .is_some_and(|t| t.contains('T') && t.ends_with('Z')));
}

#[tokio::test]
async fn streams_apply_the_filter() {
    let sb = start(&["--log-rate", "0"]).await;
    let url = sb.logs_url("example-app").await;
    let mut ws = websocket(&url, "&filter=worker").await;
    sb.inject(
        "example-app",
        &[&line("web-1", "no"), &line("worker-1", "yes")],
    )
    .await;
    let frame = next_frame(&mut ws, 5).await.expect("a frame");
    assert!(frame["log"]
        .as_str()
        .is_some_and(|l| l.ends_with("[worker-1] yes")));
}

#[tokio::test]
async fn the_sse_stream_sends_the_same_json_as_data_lines() {
    let sb = start(&["--log-rate", "0"]).await;
    let url = sb.logs_url("example-app").await;
    let mut events = sse(&url, "").await;
    assert_eq!(events.status, 200);
    assert_eq!(events.content_type, "text/event-stream");
    let l = line("worker-1", "over sse");
    sb.inject("example-app", &[&l]).await;
    let frame = events.next_json(5).await.expect("an event");
    assert_eq!(frame["event"], "log");
    assert_eq!(frame["name"], "log");
    assert_eq!(frame["log"], l.as_str());
}

#[tokio::test]
async fn both_streams_send_pings_at_the_configured_interval() {
    let sb = start(&["--log-rate", "0", "--ping-interval", "0.2"]).await;
    let url = sb.logs_url("example-app").await;
    let mut ws = websocket(&url, "").await;
    let ping = next_frame(&mut ws, 3).await.expect("a ping");
    assert_eq!(ping["event"], "ping");
    assert_eq!(ping["name"], "ping");
    assert!(ping["timestamp"].is_string());
    let mut events = sse(&url, "").await;
    let ping = events.next_json(3).await.expect("a ping");
    assert_eq!(ping["event"], "ping");
}

#[tokio::test]
async fn megabyte_lines_and_raw_frames_pass_through_untouched() {
    let sb = start(&["--log-rate", "0"]).await;
    let url = sb.logs_url("example-app").await;
    let mut ws = websocket(&url, "").await;
    let long = line("web-1", &"x".repeat(2 * 1024 * 1024));
    let a = sb
        .admin("/inject", json!({"app": "example-app", "lines": [long], "raw_frames": ["not json {", "{\"event\":\"mystery\"}"]}))
        .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(
        next_frame(&mut ws, 5).await.expect("the long line")["log"],
        long.as_str()
    );
    assert_eq!(next_text(&mut ws, 5).await.as_deref(), Some("not json {"));
    assert_eq!(
        next_text(&mut ws, 5).await.as_deref(),
        Some("{\"event\":\"mystery\"}")
    );
}

#[tokio::test]
async fn database_logs_are_reached_through_an_addon_token() {
    let sb = start(&["--log-rate", "100"]).await;
    let pg = "ad-9be0fc04-bee6-4981-a403-a9dd4981bd1f";
    let a = sb
        .api(
            "POST",
            &format!("/apps/example-app/addons/{pg}/token"),
            None,
        )
        .await;
    assert_eq!(a.status, 200);
    let token = a.json()["addon"]["token"]
        .as_str()
        .expect("token")
        .to_string();
    let db_api = format!("{}/db-api/api/databases/{pg}/logs", sb.url);
    let refused = send(
        &db_api,
        "GET",
        &[("authorization", "Bearer nope")],
        Vec::new(),
    )
    .await;
    assert_eq!(refused.status, 401);
    let auth = format!("Bearer {token}");
    let a = send(&db_api, "GET", &[("authorization", &auth)], Vec::new()).await;
    assert_eq!(a.status, 200, "{}", a.text());
    let url = a.json()["url"].as_str().expect("url").to_string();
    assert!(url.starts_with(&format!("{}/logs/addons/{pg}/logs?token=", sb.url)));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let dump = get(&format!("{url}&n=5")).await;
    assert_eq!(dump.status, 200);
    assert!(dump.text().contains("[postgresql-1]"));
    let mut ws = websocket(&url, "").await;
    assert_eq!(
        next_frame(&mut ws, 5).await.expect("a frame")["event"],
        "log"
    );
}

#[tokio::test]
async fn the_log_rate_can_be_raised_at_runtime() {
    let sb = start(&["--log-rate", "0"]).await;
    let a = sb
        .admin("/log-rate", json!({"app": "example-app", "rate": 5000}))
        .await;
    assert_eq!(a.status, 200, "{}", a.text());
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let url = sb.logs_url("example-app").await;
    let n = get(&format!("{url}&n=10000")).await.text().lines().count();
    assert!(n > 1000, "only {n} lines");
}
