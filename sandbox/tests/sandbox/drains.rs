use serde_json::{json, Value};

use crate::common::{send, start, start_with, Sandbox};

const PG: &str = "ad-9be0fc04-bee6-4981-a403-a9dd4981bd1f";

/// The body go-scalingo sends: all six keys, unused ones empty.
fn drain(kind: &str, token: &str, host: &str, port: &str, region: &str, url: &str) -> Value {
    json!({"drain": {"type": kind, "token": token, "host": host, "port": port, "drain_region": region, "url": url}})
}

async fn urls(sb: &Sandbox, path: &str) -> Vec<String> {
    let a = sb.api("GET", path, None).await;
    assert_eq!(a.status, 200, "{}", a.text());
    a.json()["drains"]
        .as_array()
        .expect("drains")
        .iter()
        .filter_map(|d| d["url"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn listing_drains_returns_the_initial_set_with_their_owner_ids() {
    let sb = start(&[]).await;
    let app = sb
        .api("GET", "/apps/example-app/log_drains", None)
        .await
        .json();
    assert_eq!(
        app["drains"][0],
        json!({"app_id": "5af97be7ff688d0001228ffb", "url": "tcp+tls://logs2.papertrailapp.com:12345"})
    );
    let addon = sb
        .api(
            "GET",
            &format!("/apps/example-app/addons/{PG}/log_drains"),
            None,
        )
        .await
        .json();
    assert_eq!(
        addon["drains"],
        json!([{"app_id": PG, "url": "ovh://:5af97be7-34e5-47b6-a016-8d0001228ffb@tag1.logs.ovh.com:6514"}])
    );
    assert_eq!(
        urls(&sb, "/apps/billing-api/log_drains").await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn each_provider_builds_the_contract_url() {
    let sb = start(&[]).await;
    let cases = [
        (
            drain("appsignal", "tok1", "appsignal.example.com", "6514", "", ""),
            "appsignal://:tok1@appsignal.example.com:6514",
        ),
        (
            drain("betterstack", "tok2", "in.logs.betterstack.com", "", "", ""),
            "https://:tok2@in.logs.betterstack.com",
        ),
        (
            drain("datadog", "tok3", "", "", "eu-west-2", ""),
            "datadog://tok3?region=eu-west-2",
        ),
        (
            drain(
                "elk",
                "",
                "",
                "",
                "",
                "https://user:pw@elk.example.com:9200/logs",
            ),
            "https://user:pw@elk.example.com:9200/logs",
        ),
        (
            drain("logentries", "tok5", "", "", "", ""),
            "https://webhook.logentries.com/noformat/logs/tok5",
        ),
        (
            drain("ovh-graylog", "tok6", "gra2.logs.ovh.com", "", "", ""),
            "ovh://:tok6@gra2.logs.ovh.com:6514",
        ),
        (
            drain("papertrail", "", "logs7.papertrailapp.com", "20000", "", ""),
            "tcp+tls://logs7.papertrailapp.com:20000",
        ),
        (
            drain("syslog", "tok8", "syslog.example.com", "514", "", ""),
            "syslog://:tok8@syslog.example.com:514",
        ),
        (
            drain("syslog", "", "10.1.2.3", "6514", "", ""),
            "tcp+tls://10.1.2.3:6514",
        ),
    ];
    for (body, expected) in cases {
        let a = sb
            .api("POST", "/apps/example-app/log_drains", Some(body))
            .await;
        assert_eq!(a.status, 201, "{expected}: {}", a.text());
        assert_eq!(
            a.json(),
            json!({"drain": {"app_id": "5af97be7ff688d0001228ffb", "url": expected}})
        );
    }
    assert_eq!(urls(&sb, "/apps/example-app/log_drains").await.len(), 2 + 9);
}

#[tokio::test]
async fn invalid_drains_get_422_with_per_field_errors_for_every_provider() {
    let sb = start(&[]).await;
    let cases = [
        (
            drain("appsignal", "", "", "", "", ""),
            json!({"token": ["can't be blank"]}),
        ),
        (
            drain("appsignal", "t", "", "99999", "", ""),
            json!({"port": ["must be between 1 and 65535"]}),
        ),
        (
            drain("betterstack", "t", "https://x.com", "", "", ""),
            json!({"host": ["is invalid"]}),
        ),
        (
            drain("datadog", "t", "", "", "", ""),
            json!({"drain_region": ["can't be blank"]}),
        ),
        (
            drain("elk", "", "", "", "", "ftp://elk.example.com"),
            json!({"url": ["is invalid"]}),
        ),
        (
            drain("elk", "", "", "", "", ""),
            json!({"url": ["can't be blank"]}),
        ),
        (
            drain("logentries", "", "", "", "", ""),
            json!({"token": ["can't be blank"]}),
        ),
        (
            drain("ovh-graylog", "", "", "", "", ""),
            json!({"token": ["can't be blank"], "host": ["can't be blank"]}),
        ),
        (
            drain("papertrail", "", "logs.example.com:514", "0", "", ""),
            json!({"host": ["is invalid"], "port": ["must be between 1 and 65535"]}),
        ),
        (
            drain("syslog", "", "has space.com", "abc", "", ""),
            json!({"host": ["is invalid"], "port": ["must be between 1 and 65535"]}),
        ),
        (
            drain("syslog", "", "", "", "", ""),
            json!({"host": ["can't be blank"], "port": ["can't be blank"]}),
        ),
        (
            drain("carrier-pigeon", "", "", "", "", ""),
            json!({"type": ["is invalid"]}),
        ),
        (json!({"drain": {}}), json!({"type": ["can't be blank"]})),
    ];
    for (body, errors) in cases {
        let a = sb
            .api("POST", "/apps/example-app/log_drains", Some(body.clone()))
            .await;
        assert_eq!(a.status, 422, "{body}: {}", a.text());
        assert_eq!(a.json(), json!({ "errors": errors }), "{body}");
    }
    assert_eq!(
        urls(&sb, "/apps/example-app/log_drains").await.len(),
        2,
        "nothing was added"
    );
}

#[tokio::test]
async fn a_port_may_be_sent_as_a_number() {
    let sb = start(&[]).await;
    let body = json!({"drain": {"type": "papertrail", "host": "logs.example.com", "port": 514}});
    let a = sb
        .api("POST", "/apps/example-app/log_drains", Some(body))
        .await;
    assert_eq!(a.status, 201, "{}", a.text());
}

#[tokio::test]
async fn adding_the_same_drain_twice_is_refused() {
    let sb = start(&[]).await;
    let body = drain("papertrail", "", "logs2.papertrailapp.com", "12345", "", "");
    let a = sb
        .api("POST", "/apps/example-app/log_drains", Some(body))
        .await;
    assert_eq!(a.status, 422);
    assert_eq!(
        a.json(),
        json!({"errors": {"url": ["has already been taken"]}})
    );
}

#[tokio::test]
async fn the_redis_addon_refuses_drains_for_list_add_and_delete() {
    let sb = start(&[]).await;
    let redis = sb.api("GET", "/apps/example-app/addons", None).await.json()["addons"][1]["id"]
        .as_str()
        .expect("redis id")
        .to_string();
    let path = format!("/apps/example-app/addons/{redis}/log_drains");
    let body = drain("papertrail", "", "logs.example.com", "1", "", "");
    for (method, body) in [
        ("GET", None),
        ("POST", Some(body)),
        ("DELETE", Some(json!({"url": "tcp+tls://x:1"}))),
    ] {
        let a = sb.api(method, &path, body).await;
        assert_eq!(a.status, 400, "{method}");
        assert_eq!(
            a.json(),
            json!({"error": "This addon doesn't support log drains"})
        );
    }
    let unknown = sb
        .api("GET", "/apps/example-app/addons/ad-nope/log_drains", None)
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.json(),
        json!({"resource": "addon", "error": "not found"})
    );
}

#[tokio::test]
async fn addon_drains_carry_the_addon_id() {
    let sb = start(&[]).await;
    let a = sb
        .api(
            "POST",
            &format!("/apps/example-app/addons/{PG}/log_drains"),
            Some(drain("datadog", "k", "", "", "eu", "")),
        )
        .await;
    assert_eq!(a.status, 201);
    assert_eq!(a.json()["drain"]["app_id"], PG);
}

#[tokio::test]
async fn deleting_a_drain_by_query_or_body_keeps_the_others() {
    let sb = start(&[]).await;
    let by_query = sb
        .api(
            "DELETE",
            "/apps/example-app/log_drains?url=tcp%2Btls%3A%2F%2Flogs2.papertrailapp.com%3A12345",
            None,
        )
        .await;
    assert_eq!(by_query.status, 204);
    assert!(by_query.body.is_empty());
    assert_eq!(
        urls(&sb, "/apps/example-app/log_drains").await,
        ["https://webhook.logentries.com/noformat/logs/0b2a3f1c-9d8e-4f7a-b6c5-1e2d3c4b5a69"]
    );
    let url = "ovh://:5af97be7-34e5-47b6-a016-8d0001228ffb@tag1.logs.ovh.com:6514";
    let by_body = sb
        .api(
            "DELETE",
            &format!("/apps/example-app/addons/{PG}/log_drains"),
            Some(json!({ "url": url })),
        )
        .await;
    assert_eq!(by_body.status, 204);
    assert!(
        urls(&sb, &format!("/apps/example-app/addons/{PG}/log_drains"))
            .await
            .is_empty()
    );
    assert_eq!(urls(&sb, "/apps/example-app/log_drains").await.len(), 1);
}

#[tokio::test]
async fn deleting_a_drain_that_is_not_there_is_a_404() {
    let sb = start(&[]).await;
    let a = sb
        .api(
            "DELETE",
            "/apps/example-app/log_drains",
            Some(json!({"url": "tcp+tls://nowhere:1"})),
        )
        .await;
    assert_eq!(a.status, 404);
    assert_eq!(
        a.json(),
        json!({"resource": "log_drain", "error": "not found"})
    );
    let blank = sb.api("DELETE", "/apps/example-app/log_drains", None).await;
    assert_eq!(blank.status, 422);
}

#[tokio::test]
async fn drains_survive_a_restart_with_the_same_data_file() {
    let sb = start(&[]).await;
    let data = sb.data.clone();
    let body = drain("syslog", "", "persist.example.com", "514", "", "");
    assert_eq!(
        sb.api("POST", "/apps/billing-api/log_drains", Some(body))
            .await
            .status,
        201
    );
    let deleted = sb
        .api(
            "DELETE",
            "/apps/example-app/log_drains?url=tcp%2Btls://logs2.papertrailapp.com:12345",
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    sb.server.stop().await;

    let again = start_with(Some(data.clone()), &[]).await;
    assert_eq!(
        urls(&again, "/apps/billing-api/log_drains").await,
        ["tcp+tls://persist.example.com:514"]
    );
    assert_eq!(urls(&again, "/apps/example-app/log_drains").await.len(), 1);
    let leftovers: Vec<_> = std::fs::read_dir(data.parent().expect("dir"))
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "no temporary files left behind: {leftovers:?}"
    );
}

#[tokio::test]
async fn a_corrupt_state_file_stops_the_start_and_is_left_untouched() {
    let dir = crate::common::temp_dir();
    let data = dir.join("state.json");
    std::fs::write(&data, b"{ not json").expect("write");
    let config = scalingo_sandbox::Config::from_args(
        [
            "--listen",
            "127.0.0.1:0",
            "--data",
            &data.display().to_string(),
        ]
        .map(String::from),
    )
    .expect("flags");
    let err = scalingo_sandbox::serve(config).await.expect_err("refused");
    assert!(err.to_string().contains("corrupt"), "{err}");
    assert_eq!(std::fs::read(&data).expect("still there"), b"{ not json");
}

#[tokio::test]
async fn malformed_and_oversized_bodies_get_json_errors() {
    let sb = start(&[]).await;
    let bearer = sb.bearer().await;
    let auth = format!("Bearer {bearer}");
    let url = format!("{}/v1/apps/example-app/log_drains", sb.url);
    let malformed = send(
        &url,
        "POST",
        &[("authorization", &auth)],
        b"{\"drain\": {".to_vec(),
    )
    .await;
    assert_eq!(malformed.status, 400);
    assert!(malformed.json()["error"].is_string());
    let huge = vec![b' '; 2 * 1024 * 1024];
    let oversized = send(&url, "POST", &[("authorization", &auth)], huge).await;
    assert_eq!(oversized.status, 413);
    assert!(oversized.json()["error"].is_string());
    let not_utf8 = send(
        &url,
        "POST",
        &[("authorization", &auth)],
        vec![0xff, 0xfe, 0x00],
    )
    .await;
    assert_eq!(not_utf8.status, 400);
    let wrong_shape = sb
        .api(
            "POST",
            "/apps/example-app/log_drains",
            Some(json!([1, 2, 3])),
        )
        .await;
    assert_eq!(wrong_shape.status, 422);
}

#[tokio::test]
async fn reset_restores_the_initial_drains() {
    let sb = start(&[]).await;
    sb.api(
        "DELETE",
        "/apps/example-app/log_drains?url=tcp%2Btls://logs2.papertrailapp.com:12345",
        None,
    )
    .await;
    assert_eq!(sb.admin("/reset", json!({})).await.status, 200);
    assert_eq!(urls(&sb, "/apps/example-app/log_drains").await.len(), 2);
}
