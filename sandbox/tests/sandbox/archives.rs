//! Logs archives: listings by cursor and page, signed URLs on another origin, expiry, CORS, the
//! gzip files themselves, the faults and the limited collaborator.

use std::io::Read;

use scalingo_sandbox::tz::days_from_civil;
use scalingo_sandbox::world::{POSTGRES_ID, REDIS_ID};
use serde_json::{json, Value};

use crate::common::{get, send, start, Answer, Sandbox};

/// The empty answer, as a real recording shows it.
fn empty() -> Value {
    json!({ "next_cursor": "", "has_more": false, "archives": [] })
}

async fn list(sb: &Sandbox, app: &str, query: &str) -> Value {
    let a = sb
        .api("GET", &format!("/apps/{app}/logs_archives{query}"), None)
        .await;
    assert_eq!(a.status, 200, "{}", a.text());
    a.json()
}

fn urls(page: &Value) -> Vec<String> {
    page["archives"]
        .as_array()
        .expect("archives")
        .iter()
        .map(|a| a["url"].as_str().expect("url").to_string())
        .collect()
}

/// The file name of an archive URL, without the signature that changes with every listing.
fn file_of(url: &str) -> String {
    url.split('?')
        .next()
        .and_then(|p| p.rsplit('/').next())
        .expect("a path")
        .to_string()
}

/// Unix seconds of Go's `Fri Mar 24 14:00:00 +0000 UTC 2017`.
fn go_time(s: &str) -> i64 {
    let parts: Vec<&str> = s.split(' ').collect();
    assert_eq!(parts.len(), 7, "{s}");
    assert_eq!(&parts[4..6], ["+0000", "UTC"], "{s}");
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == parts[1]).expect("month") as u32 + 1;
    let day: u32 = parts[2].parse().expect("day");
    let year: i64 = parts[6].parse().expect("year");
    let hms: Vec<i64> = parts[3]
        .split(':')
        .map(|n| n.parse().expect("time"))
        .collect();
    days_from_civil(year, month, day) * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2]
}

/// Unix seconds of a live-format line's time, read with its own offset; panics on another format.
fn line_time(line: &str) -> i64 {
    let t: Vec<&str> = line.splitn(6, ' ').collect();
    assert!(
        t.len() == 6 && t[4].starts_with('[') && t[4].ends_with(']'),
        "{line:?}"
    );
    let ymd: Vec<i64> = t[0].split('-').map(|n| n.parse().expect("date")).collect();
    let hms: Vec<&str> = t[1].split(':').collect();
    let (sec, nanos) = hms[2].split_once('.').expect("a fraction");
    assert_eq!(nanos.len(), 9, "{line:?}");
    let offset = match (t[2], t[3]) {
        ("+0100", "CET") => 3600,
        ("+0200", "CEST") => 7200,
        other => panic!("not a Paris offset: {other:?}"),
    };
    days_from_civil(ymd[0], ymd[1] as u32, ymd[2] as u32) * 86_400
        + hms[0].parse::<i64>().expect("hour") * 3600
        + hms[1].parse::<i64>().expect("minute") * 60
        + sec.parse::<i64>().expect("second")
        - offset
}

fn gunzip(body: &[u8]) -> std::io::Result<String> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(body).read_to_string(&mut text)?;
    Ok(text)
}

async fn download(url: &str, origin: Option<&str>) -> Answer {
    let headers: Vec<(&str, &str)> = origin.map(|o| ("origin", o)).into_iter().collect();
    send(url, "GET", &headers, Vec::new()).await
}

#[tokio::test]
async fn cursor_and_page_pagination_list_the_same_archives_newest_first() {
    let sb = start(&[]).await;
    let mut by_cursor = Vec::new();
    let mut cursor = String::new();
    for _ in 0..3 {
        let page = list(&sb, "example-app", &format!("?cursor={cursor}")).await;
        assert_eq!(page["has_more"], true);
        cursor = page["next_cursor"].as_str().expect("cursor").to_string();
        assert!(!cursor.is_empty());
        by_cursor.extend(urls(&page).iter().map(|u| file_of(u)));
    }
    let mut by_page = Vec::new();
    for n in 1..=3 {
        let page = list(&sb, "example-app", &format!("?page={n}")).await;
        assert_eq!(urls(&page).len(), 10);
        by_page.extend(urls(&page).iter().map(|u| file_of(u)));
    }
    assert_eq!(by_cursor, by_page);
    let first = list(&sb, "example-app", "").await;
    let archive = &first["archives"][0];
    let (from, to) = (
        go_time(archive["from"].as_str().expect("from")),
        go_time(archive["to"].as_str().expect("to")),
    );
    assert_eq!(to - from, 2 * 3600, "example-app is archived every 2 hours");
    assert!(archive["size"].as_u64().expect("size") > 100_000);
    let name = file_of(archive["url"].as_str().expect("url"));
    assert!(
        name.starts_with("example-app_5af97be7ff688d0001228ffb.log-") && name.ends_with(".gz"),
        "{name}"
    );
    let second = go_time(first["archives"][1]["to"].as_str().expect("to"));
    assert!(second < to, "newest first");
    // The last page by number is followed by an empty one.
    let beyond = list(&sb, "billing-api", "?page=2").await;
    assert_eq!(beyond, empty());
    let only = list(&sb, "billing-api", "?page=1").await;
    assert_eq!(only["has_more"], false);
    assert!(!urls(&only).is_empty());
    sb.server.stop().await;
}

#[tokio::test]
async fn apps_without_archives_answer_the_empty_listing_and_bad_pages_get_400() {
    let sb = start(&[]).await;
    assert_eq!(list(&sb, "quiet-app", "").await, empty());
    let a = sb
        .api("GET", "/apps/example-app/logs_archives?cursor=zzz", None)
        .await;
    assert_eq!(a.status, 400);
    let a = sb
        .api("GET", "/apps/example-app/logs_archives?page=0", None)
        .await;
    assert_eq!(a.status, 400);
    let a = sb.api("GET", "/apps/nope/logs_archives", None).await;
    assert_eq!(a.status, 404);
    sb.server.stop().await;
}

#[tokio::test]
async fn archive_urls_live_on_the_other_loopback_name() {
    let sb = start(&[]).await;
    let port = sb.server.addr.port();
    let url = &urls(&list(&sb, "billing-api", "").await)[0];
    assert!(
        url.starts_with(&format!("http://localhost:{port}/archives/")),
        "{url}"
    );
    sb.server.stop().await;
}

#[tokio::test]
async fn an_archive_is_the_same_gzip_every_time_with_live_format_lines_around_its_bounds() {
    let sb = start(&[]).await;
    let page = list(&sb, "billing-api", "").await;
    let archive = page["archives"][0].clone();
    let url = archive["url"].as_str().expect("url");
    let first = download(url, None).await;
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(first.header("content-type"), Some("application/gzip"));
    // A second listing signs a new URL for the same file: the bytes are the same.
    let again = urls(&list(&sb, "billing-api", "").await)[0].clone();
    assert_ne!(&again, url);
    assert_eq!(download(&again, None).await.body, first.body);

    let text = gunzip(&first.body).expect("a complete gzip stream");
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    assert!(lines.len() >= 8_000, "{} lines", lines.len());
    let (from, to) = (
        go_time(archive["from"].as_str().expect("from")),
        go_time(archive["to"].as_str().expect("to")),
    );
    let slack = 5 * 60;
    let times: Vec<i64> = lines
        .iter()
        .map(|l| line_time(l.trim_end_matches(['\r', '\n'])))
        .collect();
    assert!(times
        .iter()
        .all(|t| (from - slack..=to + slack).contains(t)));
    assert!(
        times.windows(2).any(|w| w[0] > w[1]),
        "lines are not sorted"
    );
    assert!(lines.iter().any(|l| l.ends_with("\r\n")));
    assert!(lines.iter().any(|l| l.contains(" [manager] container [")));
    assert!(lines.iter().any(|l| l.contains(" [router] method=")));
    // The estimated size is close to the real one, so a progress bar based on it is honest.
    let size = archive["size"].as_u64().expect("size") as f64;
    let real = first.body.len() as f64;
    assert!((size / real - 1.0).abs() < 0.15, "size {size} vs {real}");
    // Another archive is another file.
    let other = download(page["archives"][1]["url"].as_str().expect("url"), None).await;
    assert_ne!(other.body, first.body);
    sb.server.stop().await;
}

#[tokio::test]
async fn the_big_example_app_archive_holds_400000_lines_of_about_50_mib() {
    let sb = start(&[]).await;
    let mut big = None;
    for n in 1..=3 {
        let page = list(&sb, "example-app", &format!("?page={n}")).await;
        big = big.or_else(|| {
            page["archives"]
                .as_array()?
                .iter()
                .find(|a| go_time(a["to"].as_str().unwrap_or_default()) % 86_400 == 0)
                .cloned()
        });
    }
    let big = big.expect("an archive ending at midnight in the first pages");
    let a = download(big["url"].as_str().expect("url"), None).await;
    assert_eq!(a.status, 200);
    let text = gunzip(&a.body).expect("valid gzip");
    assert_eq!(text.lines().count(), 400_000);
    let mib = text.len() as f64 / 1024.0 / 1024.0;
    assert!((40.0..60.0).contains(&mib), "{mib:.1} MiB");
    sb.server.stop().await;
}

#[tokio::test]
async fn an_archive_url_expires_after_its_ttl_with_the_storage_error() {
    let sb = start(&["--archive-url-ttl", "0.3"]).await;
    let url = urls(&list(&sb, "billing-api", "").await)[0].clone();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let a = download(&url, None).await;
    assert_eq!(a.status, 403);
    assert!(a.text().starts_with("<?xml"), "{}", a.text());
    assert!(a
        .text()
        .contains("<Code>AccessDenied</Code><Message>Request has expired</Message>"));
    sb.server.stop().await;
}

#[tokio::test]
async fn a_tampered_or_unsigned_archive_url_is_refused() {
    let sb = start(&[]).await;
    let url = urls(&list(&sb, "billing-api", "").await)[0].clone();
    let other = url.replacen(".log-", ".log-1", 1);
    let a = download(&other, None).await;
    assert_eq!(a.status, 403);
    assert!(a.text().contains("SignatureDoesNotMatch"));
    let a = download(url.split('?').next().expect("path"), None).await;
    assert_eq!(a.status, 403);
    assert!(a.text().contains("AccessDenied"));
    sb.server.stop().await;
}

#[tokio::test]
async fn the_expiry_fault_expires_every_url_issued_so_far() {
    let sb = start(&[]).await;
    let old = urls(&list(&sb, "billing-api", "").await)[0].clone();
    let state = sb
        .admin("/faults", json!({"expire_archive_urls": true}))
        .await
        .json();
    assert!(state["archive_urls_expired_at"].is_i64());
    let a = download(&old, None).await;
    assert_eq!(a.status, 403);
    assert!(a.text().contains("Request has expired"));
    let fresh = urls(&list(&sb, "billing-api", "").await)[0].clone();
    assert_eq!(download(&fresh, None).await.status, 200);
    sb.server.stop().await;
}

#[tokio::test]
async fn the_truncation_fault_cuts_the_gzip_stream_midway() {
    let sb = start(&[]).await;
    sb.admin("/faults", json!({"truncate_archives": true}))
        .await;
    let url = urls(&list(&sb, "billing-api", "").await)[0].clone();
    let cut = download(&url, None).await;
    assert_eq!(cut.status, 200);
    assert!(gunzip(&cut.body).is_err(), "a truncated gzip stream");
    // What did arrive decodes, up to the cut.
    let mut partial = Vec::new();
    let _ = flate2::read::GzDecoder::new(&cut.body[..]).read_to_end(&mut partial);
    assert!(partial.iter().filter(|b| **b == b'\n').count() > 1000);
    sb.admin("/reset", json!({})).await;
    let whole = download(&url, None).await;
    assert!(gunzip(&whole.body).is_ok());
    assert!(whole.body.len() > cut.body.len());
    sb.server.stop().await;
}

#[tokio::test]
async fn the_storage_answers_cors_for_any_origin_by_default_and_the_fault_refuses_it() {
    let sb = start(&[]).await;
    let url = urls(&list(&sb, "billing-api", "").await)[0].clone();
    let dashboard = sb.url.clone();
    let a = download(&url, Some(&dashboard)).await;
    assert_eq!(a.header("access-control-allow-origin"), Some("*"));
    let pre = send(
        &url,
        "OPTIONS",
        &[
            ("origin", &dashboard),
            ("access-control-request-method", "GET"),
        ],
        Vec::new(),
    )
    .await;
    assert_eq!(pre.status, 200);
    assert_eq!(pre.header("access-control-allow-origin"), Some("*"));
    assert!(pre
        .header("access-control-allow-methods")
        .is_some_and(|m| m.contains("GET")));

    sb.admin("/faults", json!({"refuse_archive_cors": true}))
        .await;
    let a = download(&url, Some(&dashboard)).await;
    assert_eq!(a.status, 200, "the file is served; the browser refuses it");
    assert_eq!(a.header("access-control-allow-origin"), None);
    let pre = send(
        &url,
        "OPTIONS",
        &[
            ("origin", &dashboard),
            ("access-control-request-method", "GET"),
        ],
        Vec::new(),
    )
    .await;
    assert_eq!(pre.status, 403);
    sb.server.stop().await;
}

#[tokio::test]
async fn archives_cors_can_name_one_origin_or_none() {
    let sb = start(&["--archives-cors", "http://dashboard.test"]).await;
    let url = urls(&list(&sb, "billing-api", "").await)[0].clone();
    let a = download(&url, Some("http://dashboard.test")).await;
    assert_eq!(
        a.header("access-control-allow-origin"),
        Some("http://dashboard.test")
    );
    let a = download(&url, Some("http://evil.test")).await;
    assert_eq!(a.header("access-control-allow-origin"), None);
    sb.server.stop().await;

    let sb = start(&["--archives-cors", "none"]).await;
    let url = urls(&list(&sb, "billing-api", "").await)[0].clone();
    let a = download(&url, Some(&sb.url)).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.header("access-control-allow-origin"), None);
    sb.server.stop().await;
}

#[tokio::test]
async fn a_limited_collaborator_may_not_list_archives() {
    let sb = start(&[]).await;
    // ":tk-us-sandbox-limited" in base64.
    let a = send(
        &format!("{}/auth/v1/tokens/exchange", sb.url),
        "POST",
        &[("authorization", "Basic OnRrLXVzLXNhbmRib3gtbGltaXRlZA==")],
        Vec::new(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let bearer = a.json()["token"].as_str().expect("token").to_string();
    let a = sb
        .api_as(&bearer, "GET", "/apps/example-app/logs_archives", None)
        .await;
    assert_eq!(a.status, 403);
    assert!(a.json()["error"].as_str().is_some());
    let a = sb.api_as(&bearer, "GET", "/apps", None).await;
    assert_eq!(a.status, 200, "the rest of the API stays open");
    // The database API refuses archives to an addon token a limited collaborator obtained, and
    // still gives it the live logs.
    let a = sb
        .api_as(
            &bearer,
            "POST",
            &format!("/apps/example-app/addons/{POSTGRES_ID}/token"),
            None,
        )
        .await;
    let token = a.json()["addon"]["token"]
        .as_str()
        .expect("token")
        .to_string();
    let auth = format!("Bearer {token}");
    let db = |what: &str| format!("{}/db-api/api/databases/{POSTGRES_ID}/{what}", sb.url);
    let a = send(
        &db("logs_archives"),
        "GET",
        &[("authorization", &auth)],
        Vec::new(),
    )
    .await;
    assert_eq!(a.status, 403);
    let a = send(&db("logs"), "GET", &[("authorization", &auth)], Vec::new()).await;
    assert_eq!(a.status, 200, "{}", a.text());
    sb.server.stop().await;
}

#[tokio::test]
async fn the_database_api_lists_the_postgresql_archives_with_the_addon_token() {
    let sb = start(&[]).await;
    let token = |addon: &'static str| {
        let sb = &sb;
        async move {
            let a = sb
                .api(
                    "POST",
                    &format!("/apps/example-app/addons/{addon}/token"),
                    None,
                )
                .await;
            a.json()["addon"]["token"]
                .as_str()
                .expect("token")
                .to_string()
        }
    };
    let pg = token(POSTGRES_ID).await;
    let path = |addon: &str| format!("{}/db-api/api/databases/{addon}/logs_archives", sb.url);
    let a = send(
        &path(POSTGRES_ID),
        "GET",
        &[("authorization", &format!("Bearer {pg}"))],
        Vec::new(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let page = a.json();
    assert_eq!(page["has_more"], true);
    let url = urls(&page)[0].clone();
    assert!(file_of(&url).contains(POSTGRES_ID));
    let text = gunzip(&download(&url, None).await.body).expect("gzip");
    assert!(text.lines().all(|l| l.contains(" [postgresql-1] ")));

    assert_eq!(get(&path(POSTGRES_ID)).await.status, 401);
    let redis = token(REDIS_ID).await;
    let a = send(
        &path(REDIS_ID),
        "GET",
        &[("authorization", &format!("Bearer {redis}"))],
        Vec::new(),
    )
    .await;
    assert_eq!(a.json(), empty());
    sb.server.stop().await;
}

#[tokio::test]
async fn the_dashboards_default_csp_lets_it_fetch_from_the_archive_storage() {
    let dir = crate::common::temp_dir();
    std::fs::write(dir.join("index.html"), "<!doctype html>").expect("index");
    let sb = start(&["--dist", &dir.display().to_string(), "--csp"]).await;
    let index = get(&format!("{}/", sb.url)).await;
    let csp = index.header("content-security-policy").expect("a policy");
    let port = sb.server.addr.port();
    assert!(
        csp.contains(&format!("connect-src 'self' ws://127.0.0.1:{port} wss://127.0.0.1:{port} http://localhost:{port}")),
        "{csp}"
    );
    sb.server.stop().await;
}
