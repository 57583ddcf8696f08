//! Browser-API tests, run in headless Chromium by `wasm-bindgen-test-runner`
//! (`cargo test --target wasm32-unknown-unknown --test browser`).
#![cfg(target_arch = "wasm32")]

use dashboard::config::{AuthMode, RoutingMode};
use dashboard::safe_html::{SafeHtml, Tag};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

#[wasm_bindgen_test]
fn hostile_markup_inserted_through_safe_html_creates_no_elements_or_handlers() {
    let payloads = [
        "<script>window.__pwned = 1</script>",
        "<img src=x onerror=\"window.__pwned = 2\">",
        "\"><svg onload=window.__pwned=3>",
        "<a href=\"javascript:window.__pwned=4\">x</a>",
    ];
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    for payload in payloads {
        let mut html = SafeHtml::new();
        html.open(Tag::Span, ["sld-fg-1"]);
        html.push_text(payload);
        html.close(Tag::Span);
        html.push_link("javascript:window.__pwned=5", payload);
        host.set_inner_html(html.as_str());
        // Only the span we made exists, and the payload is its literal text.
        let all = host.query_selector_all("*").unwrap();
        assert_eq!(all.length(), 1, "{payload}");
        let span = all.get(0).unwrap().dyn_into::<web_sys::Element>().unwrap();
        assert_eq!(span.tag_name(), "SPAN");
        assert_eq!(span.text_content().unwrap(), payload);
        assert_eq!(span.attributes().length(), 1);
    }
    let pwned = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__pwned".into()).unwrap();
    assert!(pwned.is_undefined());
    host.remove();
}

#[wasm_bindgen_test]
fn the_dashboard_mounts_into_the_marked_element_rather_than_the_body() {
    let marked = document().create_element("section").unwrap();
    marked.set_attribute("data-scalingo-logs", "").unwrap();
    document().body().unwrap().append_child(&marked).unwrap();
    let target = dashboard::boot::mount_target();
    assert_eq!(target.tag_name(), "SECTION");
    marked.remove();
}

#[wasm_bindgen_test]
async fn data_attributes_configure_the_app_with_urls_relative_to_the_page() {
    let el = document().create_element("div").unwrap();
    for (k, v) in [
        ("data-config-url", "none"),
        ("data-auth-mode", "proxy"),
        ("data-api-url", "/scalingo-api/"),
        ("data-routing", "memory"),
    ] {
        el.set_attribute(k, v).unwrap();
    }
    let config = dashboard::boot::load_config(el).await.unwrap();
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    assert_eq!(config.auth_mode, AuthMode::Proxy);
    assert_eq!(config.routing, RoutingMode::Memory);
    assert_eq!(config.api_url, Some(format!("{origin}/scalingo-api")));
}

#[wasm_bindgen_test]
async fn a_missing_config_file_falls_back_to_defaults_and_attributes() {
    let el = document().create_element("div").unwrap();
    el.set_attribute("data-config-url", "/definitely-not-here/config.json")
        .unwrap();
    el.set_attribute("data-default-region", "osc-secnum-fr1")
        .unwrap();
    let config = dashboard::boot::load_config(el).await.unwrap();
    assert_eq!(config.auth_mode, AuthMode::Token);
    assert_eq!(config.auth_url, "https://auth.scalingo.com");
    assert_eq!(config.default_region.as_deref(), Some("osc-secnum-fr1"));
}

/// Runs `body` inside a reactive owner, with Leptos' task executor on the browser's event loop.
fn with_owner<T>(body: impl FnOnce() -> T) -> (leptos::prelude::Owner, T) {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = leptos::prelude::Owner::new();
    let value = owner.with(body);
    (owner, value)
}

async fn sleep_ms(ms: u64) {
    gloo_timers::future::sleep(std::time::Duration::from_millis(ms)).await;
}

#[wasm_bindgen_test]
async fn a_fetch_keeps_the_newest_answer_when_an_older_read_arrives_late() {
    use dashboard::hooks::use_fetch::use_fetch;
    use leptos::prelude::*;

    let (_owner, (page, fetch)) = with_owner(|| {
        let page = RwSignal::new(1_u64);
        // Page 1 answers slowly, page 2 quickly: the stale answer comes last.
        let fetch = use_fetch(move || {
            let n = page.get();
            async move {
                sleep_ms(if n == 1 { 300 } else { 10 }).await;
                format!("page {n}")
            }
        });
        (page, fetch)
    });
    sleep_ms(30).await;
    assert_eq!(
        fetch.get_untracked(),
        None,
        "nothing until the first answer"
    );
    page.set(2);
    sleep_ms(100).await;
    assert_eq!(fetch.get_untracked().as_deref(), Some("page 2"));
    sleep_ms(400).await;
    assert_eq!(
        fetch.get_untracked().as_deref(),
        Some("page 2"),
        "the late page 1 is dropped"
    );
}

#[wasm_bindgen_test]
async fn a_refetch_reads_again_and_keeps_the_old_answer_meanwhile() {
    use dashboard::hooks::use_fetch::use_fetch;
    use std::cell::Cell;
    use std::rc::Rc;

    let reads = Rc::new(Cell::new(0_u32));
    let counter = Rc::clone(&reads);
    let (_owner, fetch) = with_owner(move || {
        use_fetch(move || {
            counter.set(counter.get() + 1);
            let n = counter.get();
            async move {
                sleep_ms(50).await;
                n
            }
        })
    });
    sleep_ms(100).await;
    assert_eq!(fetch.get_untracked(), Some(1));
    fetch.refetch();
    sleep_ms(10).await;
    assert_eq!(
        fetch.get_untracked(),
        Some(1),
        "the old answer stays while reading"
    );
    sleep_ms(100).await;
    assert_eq!(fetch.get_untracked(), Some(2));
    assert_eq!(reads.get(), 2);
}
