use crate::common::{get, start, temp_dir};

fn dist() -> std::path::PathBuf {
    let dir = temp_dir().join("dist");
    std::fs::create_dir_all(dir.join("docs")).expect("dirs");
    std::fs::write(dir.join("index.html"), "<h1>dashboard</h1>").expect("write");
    std::fs::write(dir.join("app.wasm"), b"\0asm").expect("write");
    std::fs::write(dir.join("app.js"), "export {}").expect("write");
    std::fs::write(dir.join("docs/index.html"), "docs").expect("write");
    dir
}

#[tokio::test]
async fn the_dashboard_is_served_like_a_static_host() {
    let d = dist();
    let sb = start(&["--dist", &d.display().to_string()]).await;
    let index = get(&format!("{}/", sb.url)).await;
    assert_eq!(index.status, 200);
    assert_eq!(index.text(), "<h1>dashboard</h1>");
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let wasm = get(&format!("{}/app.wasm", sb.url)).await;
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    let js = get(&format!("{}/app.js", sb.url)).await;
    assert!(js
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/javascript")));
    let docs = get(&format!("{}/docs/", sb.url)).await;
    assert_eq!(docs.text(), "docs");
    let redirect = get(&format!("{}/docs", sb.url)).await;
    assert_eq!(redirect.status, 308);
    let missing = get(&format!("{}/nope", sb.url)).await;
    assert_eq!(missing.status, 404);
    std::fs::write(d.join("404.html"), "custom 404").expect("write");
    let custom = get(&format!("{}/nope", sb.url)).await;
    assert_eq!((custom.status, custom.text().as_str()), (404, "custom 404"));
    let escape = get(&format!("{}/..%2f..%2fetc/passwd", sb.url)).await;
    assert_eq!(escape.status, 404);
}

#[tokio::test]
async fn the_dist_under_a_sub_path_does_not_shadow_the_api() {
    let d = dist();
    let sb = start(&[
        "--dist",
        &d.display().to_string(),
        "--dist-path",
        "/tools/logs/",
    ])
    .await;
    let index = get(&format!("{}/tools/logs/", sb.url)).await;
    assert_eq!(index.text(), "<h1>dashboard</h1>");
    let outside = get(&format!("{}/index.html", sb.url)).await;
    assert_eq!(outside.status, 404);
    let api = get(&format!("{}/v1/apps", sb.url)).await;
    assert_eq!(api.status, 401, "the API still answers");
    let regions = get(&format!("{}/auth/v1/regions", sb.url)).await;
    assert_eq!(regions.status, 200);
}

#[tokio::test]
async fn the_csp_header_names_the_request_host() {
    let d = dist();
    let sb = start(&["--dist", &d.display().to_string(), "--csp"]).await;
    let index = get(&format!("{}/", sb.url)).await;
    let host = sb.url.trim_start_matches("http://");
    let csp = index.header("content-security-policy").expect("a CSP");
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(csp.contains(&format!("ws://{host} wss://{host}")), "{csp}");
}

#[tokio::test]
async fn a_custom_csp_policy_replaces_the_default() {
    let d = dist();
    let sb = start(&[
        "--dist",
        &d.display().to_string(),
        "--csp-policy",
        "default-src 'none'; connect-src ws://{HOST}",
    ])
    .await;
    let index = get(&format!("{}/", sb.url)).await;
    let host = sb.url.trim_start_matches("http://");
    assert_eq!(
        index.header("content-security-policy"),
        Some(format!("default-src 'none'; connect-src ws://{host}").as_str())
    );
    let api = get(&format!("{}/auth/v1/regions", sb.url)).await;
    assert_eq!(
        api.header("content-security-policy"),
        None,
        "only the dashboard's files carry it"
    );
}
