use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{get, next_frame, send, sse, start, websocket};

#[tokio::test]
async fn dropping_streams_closes_websockets_and_sse() {
    let sb = start(&["--log-rate", "0"]).await;
    let url = sb.logs_url("example-app").await;
    let mut ws = websocket(&url, "").await;
    let mut events = sse(&url, "").await;
    let a = sb.admin("/faults", json!({"drop_streams": true})).await;
    assert_eq!(a.status, 200);
    assert_eq!(next_frame(&mut ws, 5).await, None);
    assert_eq!(events.next_data(5).await, None);
    // Only the streams open at the time are dropped.
    let mut again = websocket(&url, "").await;
    sb.inject("example-app", &[&crate::common::line("web-1", "after")])
        .await;
    assert!(next_frame(&mut again, 5).await.is_some());
}

#[tokio::test]
async fn a_delay_slows_every_api_answer_until_cleared() {
    let sb = start(&[]).await;
    let bearer = sb.bearer().await;
    sb.admin("/faults", json!({"delay_ms": 1000})).await;
    let t = Instant::now();
    assert_eq!(sb.api_as(&bearer, "GET", "/apps", None).await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(1000));
    let state = sb.admin("/faults", json!({"delay_ms": 0})).await.json();
    assert_eq!(state["delay_ms"], 0);
    let t = Instant::now();
    sb.api_as(&bearer, "GET", "/apps", None).await;
    assert!(t.elapsed() < Duration::from_millis(1000));
}

#[tokio::test]
async fn the_next_calls_fail_with_the_contract_bodies() {
    let sb = start(&[]).await;
    let bearer = sb.bearer().await;
    let state = sb
        .admin("/faults", json!({"fail_next": {"status": 500, "count": 2}}))
        .await
        .json();
    assert_eq!(state["fail_next"]["count"], 2);
    for _ in 0..2 {
        let a = sb.api_as(&bearer, "GET", "/apps", None).await;
        assert_eq!(a.status, 500);
        assert_eq!(
            a.json(),
            json!({"error": "Internal error occured, we're on it!"})
        );
    }
    assert_eq!(sb.api_as(&bearer, "GET", "/apps", None).await.status, 200);

    sb.admin(
        "/faults",
        json!({"fail_next": {"status": 429, "count": 1, "method": "POST"}}),
    )
    .await;
    assert_eq!(
        sb.api_as(&bearer, "GET", "/apps", None).await.status,
        200,
        "GET is spared"
    );
    let proxied = send(
        &format!("{}/proxy/v1/apps/example-app/log_drains", sb.url),
        "POST",
        &[],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(proxied.status, 429);
    assert_eq!(proxied.text(), "Retry later");
}

#[tokio::test]
async fn refused_websockets_leave_sse_working() {
    let sb = start(&["--log-rate", "0"]).await;
    sb.admin("/faults", json!({"refuse_websocket": true})).await;
    let url = sb.logs_url("example-app").await;
    let ws_url = format!("{}&stream=true", url.replacen("http://", "ws://", 1));
    let err = tokio_tungstenite::connect_async(ws_url)
        .await
        .expect_err("refused");
    match err {
        tokio_tungstenite::tungstenite::Error::Http(res) => assert_eq!(res.status().as_u16(), 403),
        other => panic!("unexpected {other}"),
    }
    let events = sse(&url, "").await;
    assert_eq!(events.status, 200);
    sb.admin("/faults", json!({"refuse_websocket": false}))
        .await;
    websocket(&url, "").await;
}

#[tokio::test]
async fn the_rate_limit_answers_429_per_user_until_reset() {
    let sb = start(&["--rate-limit", "3"]).await;
    let bearer = sb.bearer().await;
    for _ in 0..3 {
        assert_eq!(sb.api_as(&bearer, "GET", "/apps", None).await.status, 200);
    }
    let a = sb.api_as(&bearer, "GET", "/apps", None).await;
    assert_eq!(a.status, 429);
    assert_eq!(a.text(), "Retry later");
    let other = sb.bearer().await;
    assert_eq!(
        sb.api_as(&other, "GET", "/apps", None).await.status,
        200,
        "limits are per user"
    );
    sb.admin("/reset", json!({})).await;
    assert_eq!(sb.api_as(&bearer, "GET", "/apps", None).await.status, 200);
}

#[tokio::test]
async fn invalid_fault_requests_are_refused() {
    let sb = start(&[]).await;
    assert_eq!(
        sb.admin("/faults", json!({"delay_ms": "slow"}))
            .await
            .status,
        400
    );
    assert_eq!(
        sb.admin("/faults", json!({"explode": true})).await.status,
        400
    );
    assert_eq!(sb.admin("/faults", json!([1])).await.status, 400);
    let malformed = send(
        &format!("{}/_sandbox/faults", sb.url),
        "POST",
        &[],
        b"{".to_vec(),
    )
    .await;
    assert_eq!(malformed.status, 400);
}

#[tokio::test]
async fn the_admin_refuses_peers_outside_the_loopback() {
    use axum::extract::ConnectInfo;
    use tower::ServiceExt;

    let sb = start(&[]).await;
    let request = |peer: [u8; 4]| {
        let mut req = axum::http::Request::post("/_sandbox/reset")
            .body(axum::body::Body::empty())
            .expect("request");
        req.extensions_mut()
            .insert(ConnectInfo(std::net::SocketAddr::from((peer, 40_000))));
        req
    };
    let router = scalingo_sandbox::router(sb.server.shared.clone());
    let remote = router
        .clone()
        .oneshot(request([203, 0, 113, 7]))
        .await
        .expect("answer");
    assert_eq!(remote.status().as_u16(), 403);
    let local = router
        .oneshot(request([127, 0, 0, 1]))
        .await
        .expect("answer");
    assert_eq!(local.status().as_u16(), 200);
}

#[tokio::test]
async fn a_down_auth_service_refuses_regions_and_logins_until_it_is_back() {
    let sb = start(&[]).await;
    let regions = format!("{}/auth/v1/regions", sb.url);
    let state = sb.admin("/faults", json!({"auth_down": true})).await.json();
    assert_eq!(state["auth_down"], true);
    assert_eq!(get(&regions).await.status, 503);
    assert_eq!(sb.exchange().await.status, 503);
    // The API itself is not concerned.
    assert_eq!(get(&format!("{}/proxy/v1/apps", sb.url)).await.status, 200);
    sb.admin("/faults", json!({"auth_down": false})).await;
    assert_eq!(get(&regions).await.status, 200);
    assert!(!sb.bearer().await.is_empty());
}

#[tokio::test]
async fn a_failure_can_target_one_route_and_leaves_the_others_answering() {
    let sb = start(&[]).await;
    let bearer = sb.bearer().await;
    let addons = "/apps/example-app/addons";
    let state = sb
        .admin(
            "/faults",
            json!({"fail_next": {"status": 500, "count": 1, "path": format!("/v1{addons}")}}),
        )
        .await
        .json();
    assert_eq!(state["fail_next"]["path"], addons);
    // Other routes, even under the same prefix, are spared.
    let drains = format!(
        "{addons}/{}/log_drains",
        scalingo_sandbox::world::POSTGRES_ID
    );
    assert_eq!(
        sb.api_as(&bearer, "GET", "/apps/example-app/log_drains", None)
            .await
            .status,
        200
    );
    assert_eq!(sb.api_as(&bearer, "GET", &drains, None).await.status, 200);
    assert_eq!(sb.api_as(&bearer, "GET", addons, None).await.status, 500);
    assert_eq!(sb.api_as(&bearer, "GET", addons, None).await.status, 200);

    // A failure on DELETE only leaves the lists and adds answering.
    sb.admin(
        "/faults",
        json!({"fail_next": {"status": 500, "method": "DELETE", "path": "/apps/example-app/log_drains"}}),
    )
    .await;
    assert_eq!(
        sb.api_as(&bearer, "GET", "/apps/example-app/log_drains", None)
            .await
            .status,
        200
    );
    let delete =
        "/apps/example-app/log_drains?url=tcp%2Btls%3A%2F%2Flogs2.papertrailapp.com%3A12345";
    assert_eq!(sb.api_as(&bearer, "DELETE", delete, None).await.status, 500);
    assert_eq!(sb.api_as(&bearer, "DELETE", delete, None).await.status, 204);
}

#[tokio::test]
async fn an_addon_can_be_listed_without_its_provider_id_until_reset() {
    let sb = start(&[]).await;
    let bearer = sb.bearer().await;
    let redis = scalingo_sandbox::world::REDIS_ID;
    sb.admin("/faults", json!({"malformed_addons": [redis]}))
        .await;
    let list = sb
        .api_as(&bearer, "GET", "/apps/example-app/addons", None)
        .await
        .json();
    let addons = list["addons"].as_array().expect("addons");
    assert_eq!(addons.len(), 2);
    for addon in addons {
        let has_id = addon["addon_provider"].get("id").is_some();
        assert_eq!(has_id, addon["id"] != redis, "{addon}");
    }
    assert_eq!(
        sb.admin("/faults", json!({"malformed_addons": "all"}))
            .await
            .status,
        400
    );
    sb.admin("/reset", json!({})).await;
    let list = sb
        .api_as(&bearer, "GET", "/apps/example-app/addons", None)
        .await
        .json();
    assert!(list["addons"][1]["addon_provider"]["id"].is_string());
}
