//! The structured-fields panes in a real DOM, run in headless Chromium by
//! `wasm-bindgen-test-runner` (`cargo test --target wasm32-unknown-unknown --test panels`).
#![cfg(target_arch = "wasm32")]

use std::sync::{Arc, Mutex};

use dashboard::logs::fields::{Bucket, FieldFilter, RequestColumn, RequestRow};
use dashboard::logs::panels::{
    FacetSummary, FacetsPanel, FieldFilterBar, LineDetails, RequestsTable, VolumeChart,
};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn tick() {
    // Render effects run on the next turn of Leptos' executor, not inside the event.
    gloo_timers::future::sleep(std::time::Duration::from_millis(20)).await;
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn host() -> web_sys::HtmlElement {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let el = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&el).unwrap();
    el.unchecked_into()
}

fn find(host: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlElement {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into()
}

/// Sends a keydown as a user's key press would (web-sys' `KeyboardEventInit` is not enabled).
fn key(el: &web_sys::HtmlElement, key: &str, shift: bool) {
    let send = js_sys::Function::new_with_args(
        "el, key, shift",
        "el.dispatchEvent(new KeyboardEvent('keydown', {key, shiftKey: shift, bubbles: true, cancelable: true}))",
    );
    send.call3(&wasm_bindgen::JsValue::NULL, el, &key.into(), &shift.into())
        .unwrap();
}

#[wasm_bindgen_test]
async fn hostile_values_in_line_details_stay_text_and_their_buttons_filter() {
    let host = host();
    let filters = Arc::new(Mutex::new(Vec::<String>::new()));
    let closed = Arc::new(Mutex::new(0));
    let raw = r#"2026-12-07 06:10:00.123 +0000 UTC [web-1] {"msg":"<img src=x onerror=window.__pwned=1>","status":502,"ctx":{"a":"<script>window.__pwned=2</script>"}}"#;
    let (f, c) = (filters.clone(), closed.clone());
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! {
            <LineDetails raw=raw.to_owned() time_nanos=1_796_623_800_123_000_000
                local=Signal::stored(false)
                on_filter=Callback::new(move |x: FieldFilter| f.lock().unwrap().push(x.to_string()))
                on_close=Callback::new(move |_| *c.lock().unwrap() += 1)/>
        }
    });
    tick().await;
    assert!(host.query_selector("img, script").unwrap().is_none());
    let aside = find(&host, "aside[aria-label='Line details']");
    assert_eq!(find(&host, "pre").text_content().unwrap(), raw);
    assert!(aside
        .text_content()
        .unwrap()
        .contains("2026-12-07 06:10:00.123 UTC"));
    assert!(aside.text_content().unwrap().contains("web-1"));
    find(&host, "button[aria-label='Only status=502']").click();
    find(&host, "button[aria-label='Exclude status=502']").click();
    find(&host, "button[aria-label='Only container=web-1']").click();
    assert_eq!(
        *filters.lock().unwrap(),
        ["status=502", "status!=502", "container=web-1"]
    );
    // The JSON tree keeps the nested object, as text.
    assert!(host.query_selector("details summary").unwrap().is_some());
    key(&aside, "Escape", false);
    find(&host, "button[aria-label='Close details']").click();
    assert_eq!(*closed.lock().unwrap(), 2);
    let pwned = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__pwned".into()).unwrap();
    assert!(pwned.is_undefined());
    drop(handle);
    host.remove();
}

#[wasm_bindgen_test]
async fn the_filter_bar_clears_only_what_was_accepted() {
    let host = host();
    let added = Arc::new(Mutex::new(Vec::<String>::new()));
    let removed = Arc::new(Mutex::new(Vec::<String>::new()));
    let (a, r) = (added.clone(), removed.clone());
    let handle = leptos::mount::mount_to(host.clone(), move || {
        let error = RwSignal::new(None::<String>);
        let filters = RwSignal::new(vec!["status>=500".to_owned()]);
        view! {
            <FieldFilterBar filters=filters.into() error=error.into()
                on_add=Callback::new(move |text: String| {
                    a.lock().unwrap().push(text.clone());
                    match FieldFilter::parse(&text) {
                        Ok(f) => {
                            error.set(None);
                            filters.update(|v| v.push(f.to_string()));
                        }
                        Err(e) => error.set(Some(e.to_string())),
                    }
                })
                on_remove=Callback::new(move |text: String| {
                    r.lock().unwrap().push(text.clone());
                    filters.update(|v| v.retain(|f| *f != text));
                })/>
        }
    });
    let input: web_sys::HtmlInputElement = find(&host, "input").unchecked_into();
    let type_text = |text: &str| {
        input.set_value(text);
        input
            .dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
        key(&input, "Enter", false);
    };
    tick().await;
    type_text("level~(");
    tick().await;
    assert_eq!(input.value(), "level~(");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(!find(&host, "[role=alert]")
        .text_content()
        .unwrap()
        .is_empty());
    type_text("  path~^/api/ ");
    tick().await;
    assert_eq!(input.value(), "");
    assert_eq!(
        input.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
    assert_eq!(*added.lock().unwrap(), ["level~(", "path~^/api/"]);
    find(&host, "button[aria-label='Remove filter status>=500']").click();
    assert_eq!(*removed.lock().unwrap(), ["status>=500"]);
    tick().await;
    assert!(host
        .query_selector("button[aria-label='Remove filter status>=500']")
        .unwrap()
        .is_none());
    assert!(host
        .query_selector("button[aria-label='Remove filter path~^/api/']")
        .unwrap()
        .is_some());
    drop(handle);
    host.remove();
}

#[wasm_bindgen_test]
async fn the_keyboard_selects_a_range_of_whole_buckets() {
    let host = host();
    let selected = Arc::new(Mutex::new(Vec::<(i64, i64)>::new()));
    let cleared = Arc::new(Mutex::new(0));
    let (s, c) = (selected.clone(), cleared.clone());
    let buckets: Vec<Bucket> = (0..5)
        .map(|i| Bucket {
            start: 1000 + i * 60,
            end: 1060 + i * 60,
            counts: [i as u64, 1, 0],
        })
        .collect();
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! {
            <VolumeChart buckets=Signal::stored(buckets) local=Signal::stored(false)
                selection=Signal::stored(None)
                on_select=Callback::new(move |r| s.lock().unwrap().push(r))
                on_clear=Callback::new(move |_| *c.lock().unwrap() += 1)/>
        }
    });
    tick().await;
    let chart = find(&host, "[role=group][aria-label='Log volume']");
    assert_eq!(
        host.query_selector_all("rect.sld-volume__bar")
            .unwrap()
            .length(),
        9
    );
    // The bars are SVG elements (not unknown HTML ones) in a stretched view box.
    let bar = host.query_selector("rect").unwrap().unwrap();
    assert_eq!(
        bar.namespace_uri().as_deref(),
        Some("http://www.w3.org/2000/svg")
    );
    let svg = host.query_selector("svg").unwrap().unwrap();
    assert_eq!(svg.get_attribute("viewBox").as_deref(), Some("0 0 50 100"));
    // Only the axis labels are placed through CSSOM (which the CSP allows; it shows as a
    // `style` attribute in the DOM).
    assert!(host
        .query_selector("[style]:not(.sld-volume__tick)")
        .unwrap()
        .is_none());
    chart.focus().unwrap();
    // Focus starts on the newest bucket; Left moves to the fourth, Shift+Left twice extends.
    key(&chart, "ArrowLeft", false);
    key(&chart, "Enter", false);
    key(&chart, "ArrowLeft", true);
    key(&chart, "ArrowLeft", true);
    key(&chart, "Enter", false);
    key(&chart, "Escape", false);
    tick().await;
    assert_eq!(*selected.lock().unwrap(), [(1180, 1240), (1060, 1240)]);
    assert_eq!(*cleared.lock().unwrap(), 1);
    assert!(!host
        .query_selector("[aria-live]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap()
        .is_empty());
    find(&host, "button[aria-expanded]").click();
    tick().await;
    assert_eq!(
        host.query_selector_all("table tbody tr").unwrap().length(),
        5
    );
    drop(handle);
    host.remove();
}

#[wasm_bindgen_test]
async fn a_chosen_facet_shows_its_values_as_filter_buttons() {
    let host = host();
    let chosen_calls = Arc::new(Mutex::new(Vec::<(String, bool)>::new()));
    let filters = Arc::new(Mutex::new(Vec::<String>::new()));
    let (c, f) = (chosen_calls.clone(), filters.clone());
    let handle = leptos::mount::mount_to(host.clone(), move || {
        let chosen = RwSignal::new(Vec::<String>::new());
        let fields = Signal::stored(vec![
            FacetSummary {
                key: "status".into(),
                lines: 10,
                values: vec![("200".into(), 7, 0.7), ("<b>502</b>".into(), 3, 0.3)],
            },
            FacetSummary {
                key: "path".into(),
                lines: 4,
                values: vec![],
            },
        ]);
        view! {
            <FacetsPanel fields chosen=chosen.into()
                on_choose=Callback::new(move |(k, on): (String, bool)| {
                    c.lock().unwrap().push((k.clone(), on));
                    chosen.update(|v| if on { v.push(k) } else { v.retain(|x| *x != k) });
                })
                on_filter=Callback::new(move |x: FieldFilter| f.lock().unwrap().push(x.to_string()))/>
        }
    });
    tick().await;
    find(&host, "section[aria-label='Facets']");
    assert!(host.query_selector("button").unwrap().is_none());
    find(&host, "input[type=checkbox]").click();
    tick().await;
    assert_eq!(*chosen_calls.lock().unwrap(), [("status".to_owned(), true)]);
    assert!(host.query_selector("b").unwrap().is_none());
    find(&host, "button[aria-label='Filter status=<b>502</b>']").click();
    assert_eq!(*filters.lock().unwrap(), ["status=<b>502</b>"]);
    assert!(host.text_content().unwrap().contains("70.0%"));
    drop(handle);
    host.remove();
}

#[wasm_bindgen_test]
async fn request_headers_sort_and_paths_filter() {
    let host = host();
    let sorts = Arc::new(Mutex::new(Vec::<(RequestColumn, bool)>::new()));
    let paths = Arc::new(Mutex::new(Vec::<String>::new()));
    let (s, p) = (sorts.clone(), paths.clone());
    let handle = leptos::mount::mount_to(host.clone(), move || {
        let rows = Signal::stored(vec![RequestRow {
            path: "/users/:id".into(),
            count: 1200,
            errors: 12,
            error_rate: 0.01,
            p50: Some(0.012),
            p95: None,
        }]);
        view! {
            <RequestsTable rows sort=Signal::stored((RequestColumn::Count, true))
                on_sort=Callback::new(move |x| s.lock().unwrap().push(x))
                on_filter=Callback::new(move |x: String| p.lock().unwrap().push(x))/>
        }
    });
    tick().await;
    find(&host, "section[aria-label='Requests']");
    let sorted: Vec<String> = (0..5)
        .map(|i| {
            host.query_selector_all("th[aria-sort]")
                .unwrap()
                .get(i)
                .unwrap()
                .unchecked_into::<web_sys::Element>()
                .get_attribute("aria-sort")
                .unwrap()
        })
        .collect();
    assert_eq!(sorted, ["none", "descending", "none", "none", "none"]);
    find(&host, "th[aria-sort=descending] button").click();
    find(&host, "th[aria-sort=none] button").click();
    assert_eq!(
        *sorts.lock().unwrap(),
        [(RequestColumn::Count, false), (RequestColumn::Path, false)]
    );
    find(&host, "button[aria-label='Filter path /users/:id']").click();
    assert_eq!(*paths.lock().unwrap(), ["/users/:id"]);
    let text = host.text_content().unwrap();
    assert!(text.contains("1.0%"), "{text}");
    drop(handle);
    host.remove();
}
