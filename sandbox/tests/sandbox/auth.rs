use std::time::Duration;

use crate::common::{get, send, start};

#[tokio::test]
async fn exchanging_the_api_token_gives_a_jwt_with_an_expiry() {
    let sb = start(&[]).await;
    let bearer = sb.bearer().await;
    assert_eq!(bearer.split('.').count(), 3);
    let apps = sb.api_as(&bearer, "GET", "/apps", None).await;
    assert_eq!(apps.status, 200);
}

#[tokio::test]
async fn a_wrong_api_token_is_refused_with_a_json_error() {
    let sb = start(&[]).await;
    // ":tk-us-wrong" in base64.
    let a = send(
        &format!("{}/auth/v1/tokens/exchange", sb.url),
        "POST",
        &[("authorization", "Basic OnRrLXVzLXdyb25n")],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(a.status, 401);
    assert!(a.json()["error"].is_string());
}

#[tokio::test]
async fn api_calls_without_a_valid_bearer_get_401() {
    let sb = start(&[]).await;
    let none = get(&format!("{}/v1/apps", sb.url)).await;
    assert_eq!(none.status, 401);
    assert!(none.json()["error"].is_string());
    let forged = sb.api_as("eyJ.forged.token", "GET", "/apps", None).await;
    assert_eq!(forged.status, 401);
}

#[tokio::test]
async fn an_expired_bearer_gets_401() {
    let sb = start(&["--token-ttl", "1"]).await;
    let bearer = sb.bearer().await;
    assert_eq!(sb.api_as(&bearer, "GET", "/apps", None).await.status, 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let a = sb.api_as(&bearer, "GET", "/apps", None).await;
    assert_eq!(a.status, 401);
    assert_eq!(a.json()["error"], "token expired");
}

#[tokio::test]
async fn regions_point_at_this_origin_without_auth() {
    let sb = start(&[]).await;
    let a = get(&format!("{}/auth/v1/regions", sb.url)).await;
    assert_eq!(a.status, 200);
    let regions = a.json()["regions"].as_array().cloned().expect("regions");
    assert_eq!(regions.len(), 2);
    assert_eq!(regions[0]["api"], sb.url.as_str());
    assert_eq!(regions[0]["database_api"], format!("{}/db-api", sb.url));
    assert_eq!(regions[0]["default"], true);
}

#[tokio::test]
async fn the_proxy_serves_the_same_api_without_any_auth() {
    let sb = start(&[]).await;
    let a = get(&format!("{}/proxy/v1/apps/example-app/log_drains", sb.url)).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["drains"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn configured_origins_get_cors_answers_and_preflights() {
    let sb = start(&["--cors-origin", "http://dash.test"]).await;
    let pre = send(
        &format!("{}/v1/apps", sb.url),
        "OPTIONS",
        &[
            ("origin", "http://dash.test"),
            ("access-control-request-method", "GET"),
        ],
        Vec::new(),
    )
    .await;
    assert_eq!(pre.status, 204);
    assert_eq!(
        pre.header("access-control-allow-origin"),
        Some("http://dash.test")
    );
    assert!(pre
        .header("access-control-allow-headers")
        .is_some_and(|h| h.contains("Authorization")));
    let other = send(
        &format!("{}/auth/v1/regions", sb.url),
        "GET",
        &[("origin", "http://evil.test")],
        Vec::new(),
    )
    .await;
    assert_eq!(other.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn urls_follow_the_host_the_client_used() {
    let sb = start(&[]).await;
    let regions = |headers: &'static [(&'static str, &'static str)]| {
        let url = format!("{}/auth/v1/regions", sb.url);
        async move { send(&url, "GET", headers, Vec::new()).await.json()["regions"][0]["api"].clone() }
    };
    assert_eq!(
        regions(&[("host", "sandbox.test:9000")]).await,
        "http://sandbox.test:9000"
    );
    assert_eq!(
        regions(&[
            ("x-forwarded-host", "dash.example.com"),
            ("x-forwarded-proto", "https")
        ])
        .await,
        "https://dash.example.com"
    );
}

#[tokio::test]
async fn a_wildcard_cors_origin_answers_any_origin_on_logs_urls() {
    let sb = start(&["--cors-origin", "*"]).await;
    let url = sb.logs_url("example-app").await;
    let a = send(
        &url,
        "GET",
        &[("origin", "http://anywhere.test")],
        Vec::new(),
    )
    .await;
    assert_eq!(
        a.header("access-control-allow-origin"),
        Some("http://anywhere.test")
    );
}
