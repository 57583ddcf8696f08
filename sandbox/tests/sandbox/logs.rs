use std::time::Duration;

use serde_json::json;

use crate::common::{get, instant, line, next_frame, next_text, send, sse, start, websocket};

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
        // Paris time: winter or summer, by the day the test runs.
        assert!(
            matches!((tokens[2], tokens[3]), ("+0100", "CET") | ("+0200", "CEST")),
            "{l}"
        );
        assert_eq!(tokens[1].len(), "02:02:43.930163178".len(), "{l}");
        assert!(
            tokens[4].starts_with('[') && tokens[4].ends_with(']'),
            "{l}"
        );
    }
}

/// The lines of a dump, with their endings.
fn dump_lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

#[tokio::test]
async fn a_dump_right_after_start_holds_the_last_hour() {
    let sb = start(&["--start-at", "2026-12-07T06:00:00Z"]).await;
    let url = sb.logs_url("example-app").await;
    let a = get(&format!("{url}&n=10000")).await;
    assert_eq!(a.status, 200);
    let text = a.text();
    let lines = dump_lines(&text);
    assert_eq!(lines.len(), 10_000);
    let start = instant("2026-12-07 07:00:00.000000000 +0100 CET");
    let first = instant(lines[0]);
    assert!(
        (start - 3_600_000_000_000..start - 3_000_000_000_000).contains(&first),
        "{}",
        lines[0]
    );
    assert!(lines.iter().all(|l| l.contains(" +0100 CET [")));
    // The addon's hot log too; the Redis addon and the quiet app stay silent.
    let pg = "ad-9be0fc04-bee6-4981-a403-a9dd4981bd1f";
    let addon = &sb.server.shared.sources[pg];
    assert_eq!(addon.dump(10, None).len(), 10);
    let url = sb.logs_url("quiet-app").await;
    assert_eq!(get(&format!("{url}&n=100")).await.status, 204);
}

#[tokio::test]
async fn hot_log_minutes_zero_starts_empty() {
    // At 0.001 lines/s per container, the hot log is the only way to have lines this early.
    let sb = start(&["--log-rate", "0.001", "--hot-log-minutes", "0"]).await;
    let url = sb.logs_url("example-app").await;
    assert_eq!(get(&format!("{url}&n=100")).await.status, 204);
    let sb = start(&["--log-rate", "0.001"]).await;
    let url = sb.logs_url("example-app").await;
    let a = get(&format!("{url}&n=100")).await;
    assert_eq!(a.status, 200);
    // 3 containers × 0.001 lines/s × 3600 s.
    assert!(
        (10..=30).contains(&a.text().lines().count()),
        "{}",
        a.text()
    );
}

#[tokio::test]
async fn lines_switch_offset_when_the_clock_reaches_summer_time() {
    // Summer time starts at 01:00 UTC on 2026-03-29: Paris goes from 01:59:59 CET to 03:00 CEST.
    let sb = start(&["--start-at", "2026-03-29T00:59:58.5Z", "--log-rate", "20"]).await;
    let url = sb.logs_url("example-app").await;
    let mut ws = websocket(&url, "").await;
    let mut summer = None;
    for _ in 0..500 {
        let frame = next_frame(&mut ws, 5).await.expect("a frame");
        if frame["event"] != "log" {
            continue;
        }
        let log = frame["log"].as_str().unwrap_or_default().to_string();
        if log.contains(" +0200 CEST [") {
            summer = Some((
                log,
                frame["timestamp"].as_str().unwrap_or_default().to_string(),
            ));
            break;
        }
        assert!(
            log.starts_with("2026-03-29 01:59:") && log.contains(" +0100 CET ["),
            "{log}"
        );
    }
    let (log, timestamp) = summer.expect("a summer-time line within 500 frames");
    assert!(log.starts_with("2026-03-29 03:00:0"), "{log}");
    // The same instant both ways: the frame's timestamp is UTC.
    assert!(timestamp.starts_with("2026-03-29T01:00:0"), "{timestamp}");
    assert_eq!(
        instant(&log),
        scalingo_sandbox::clock::parse_rfc3339(&timestamp).expect("RFC 3339")
    );
    let text = get(&format!("{url}&n=10000")).await.text();
    assert!(text.contains(" +0100 CET [") && text.contains(" +0200 CEST ["));
}

#[tokio::test]
async fn the_hot_log_reaches_back_over_the_end_of_summer_time() {
    // Summer time ends at 01:00 UTC on 2026-10-25: Paris lives 02:00 to 03:00 twice.
    let sb = start(&[
        "--start-at",
        "2026-10-25T01:30:00Z",
        "--hot-log-minutes",
        "60",
    ])
    .await;
    let url = sb.logs_url("example-app").await;
    let text = get(&format!("{url}&n=10000")).await.text();
    let lines = dump_lines(&text);
    let summer = lines.iter().filter(|l| l.contains(" +0200 CEST [")).count();
    let winter = lines.iter().filter(|l| l.contains(" +0100 CET [")).count();
    assert!(summer > 3000 && winter > 3000, "{summer} {winter}");
    for l in &lines {
        assert!(l.starts_with("2026-10-25 02:"), "{l}");
    }
    let switch = instant("2026-10-25 02:00:00.000000000 +0100 CET");
    assert!(lines
        .iter()
        .all(|l| (instant(l) < switch) == l.contains(" +0200 CEST [")));
}

#[tokio::test]
async fn dumps_end_some_generated_lines_with_crlf_and_streams_carry_none() {
    let sb = start(&[]).await;
    let url = sb.logs_url("example-app").await;
    let text = get(&format!("{url}&n=10000")).await.text();
    let lines = dump_lines(&text);
    let crlf = lines.iter().filter(|l| l.ends_with("\r\n")).count();
    // About one in 20.
    assert!((300..=700).contains(&crlf), "{crlf} of {}", lines.len());
    assert!(lines
        .iter()
        .all(|l| l.ends_with('\n') && !l.trim_end().contains('\r')));
    sb.admin("/log-rate", json!({"app": "example-app", "rate": 500}))
        .await;
    let mut ws = websocket(&url, "").await;
    for _ in 0..200 {
        let frame = next_frame(&mut ws, 5).await.expect("a frame");
        if frame["event"] == "log" {
            let log = frame["log"].as_str().unwrap_or_default();
            assert!(!log.contains('\r') && !log.contains('\n'), "{log:?}");
        }
    }
}

#[tokio::test]
async fn a_few_lines_are_late_and_the_same_ones_in_every_run() {
    let args = [
        "--start-at",
        "2026-12-07T06:00:00Z",
        "--log-rate",
        "2",
        "--hot-log-minutes",
        "20",
    ];
    let start_at = instant("2026-12-07 07:00:00.000000000 +0100 CET");
    let mut runs = Vec::new();
    for _ in 0..2 {
        let sb = start(&args).await;
        let url = sb.logs_url("example-app").await;
        let text = get(&format!("{url}&n=10000")).await.text();
        // The hot log's lines: live lines (and the few late ones among them) come after start.
        let hot: Vec<String> = dump_lines(&text)
            .into_iter()
            .filter(|l| instant(l) < start_at - 10_000_000_000)
            .map(str::to_string)
            .collect();
        runs.push(hot);
    }
    assert!(runs[0].len() > 7000, "{}", runs[0].len());
    assert_eq!(runs[0], runs[1]);
    let late: Vec<i64> = runs[0]
        .windows(2)
        .map(|w| instant(&w[0]) - instant(&w[1]))
        .filter(|back| *back > 0)
        .collect();
    // About one in 500 of 7,200 lines, each 0.2 to 3 s before the line ahead of it.
    assert!((4..=40).contains(&late.len()), "{late:?}");
    assert!(late
        .iter()
        .all(|back| (200_000_000..3_000_000_000).contains(back)));
}

#[tokio::test]
async fn the_manager_reports_restarts_in_the_archives_form() {
    let sb = start(&[]).await;
    let url = sb.logs_url("example-app").await;
    let text = get(&format!("{url}&n=10000&filter=manager")).await.text();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 2, "{text}");
    for l in &lines {
        let message = l
            .split_once(" [manager] ")
            .map(|(_, m)| m)
            .expect("a manager line");
        assert!(is_restart_message(message), "{l}");
    }
    assert!(lines.iter().any(|l| l.ends_with(" has stopped")));
    assert!(lines.iter().any(|l| l.ends_with(" has started")));
}

/// Whether a message is `container [web-1] (<24 hex digits>) has stopped|started`.
fn is_restart_message(m: &str) -> bool {
    let Some((name, rest)) = m
        .strip_prefix("container [")
        .and_then(|r| r.split_once("] ("))
    else {
        return false;
    };
    let Some((id, verb)) = rest.split_once(") ") else {
        return false;
    };
    (name.starts_with("web-") || name.starts_with("worker-"))
        && id.len() == 24
        && id.bytes().all(|b| b.is_ascii_hexdigit())
        && (verb == "has stopped" || verb == "has started")
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
