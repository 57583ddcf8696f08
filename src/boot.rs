//! Start-up in the browser: where to mount, and the configuration layers.

use gloo_net::http::Method;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use crate::api::client::raw;
use crate::config::{Config, ConfigError, RawConfig};

/// The element the app mounts into: `[data-scalingo-logs]`, else `#scalingo-logs`, else a
/// new `<div>` at the end of `<body>`.
pub fn mount_target() -> HtmlElement {
    let document = leptos::prelude::document();
    let found = document
        .query_selector("[data-scalingo-logs]")
        .ok()
        .flatten()
        .or_else(|| document.get_element_by_id("scalingo-logs"));
    if let Some(el) = found.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        return el;
    }
    let body = document.body().expect("a document has a body");
    let div: HtmlElement = document
        .create_element("div")
        .expect("div")
        .unchecked_into();
    let _ = body.append_child(&div);
    div
}

fn data_attributes(el: &Element) -> Vec<(String, String)> {
    el.get_attribute_names()
        .iter()
        .filter_map(|name| name.as_string())
        .filter(|name| name.starts_with("data-"))
        .filter_map(|name| el.get_attribute(&name).map(|v| (name, v)))
        .collect()
}

/// Where `config.json` is: `data-config-url` if given (`none` to skip the file), else beside
/// the loader script, which is beside `index.html` on the static host.
fn config_url(mount: &Element) -> Option<String> {
    let document = leptos::prelude::document();
    let base = document
        .query_selector("script[data-sld-loader]")
        .ok()
        .flatten()
        .and_then(|s| s.dyn_into::<web_sys::HtmlScriptElement>().ok())
        .map(|s| s.src())
        .filter(|s| !s.is_empty())
        .or_else(|| document.base_uri().ok().flatten())?;
    match mount.get_attribute("data-config-url").as_deref() {
        Some("none") => None,
        Some(url) => resolve(url, &base),
        None => resolve("config.json", &base),
    }
}

fn resolve(url: &str, base: &str) -> Option<String> {
    web_sys::Url::new_with_base(url, base)
        .ok()
        .map(|u| u.href())
}

/// Loads and layers the configuration; relative URLs in the file are relative to the file.
pub async fn load_config(mount: Element) -> Result<Config, ConfigError> {
    let attrs = data_attributes(&mount);
    let attr_layer =
        RawConfig::from_attributes(attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let page_base = leptos::prelude::document()
        .base_uri()
        .ok()
        .flatten()
        .unwrap_or_default();
    let (file_layer, file_base) = match config_url(&mount) {
        None => (RawConfig::default(), page_base.clone()),
        Some(url) => match raw(
            Method::GET,
            &url,
            &[("Accept", "application/json")],
            None,
            None,
        )
        .await
        {
            Ok((200, body)) => (RawConfig::from_json(&body)?, url),
            // No config file beside the app is fine: defaults and attributes apply.
            Ok((404, _)) => (RawConfig::default(), page_base.clone()),
            Ok((status, _)) => {
                return Err(ConfigError::InvalidFile(format!(
                    "{url} answered HTTP {status}"
                )))
            }
            Err(e) => return Err(ConfigError::InvalidFile(format!("{url}: {e}"))),
        },
    };
    // Attribute URLs are relative to the page, file URLs to the file: resolve each layer
    // against its own base before layering.
    let from_file = resolve_layer(file_layer, &file_base);
    let from_attrs = resolve_layer(attr_layer, &page_base);
    from_file.overlay(from_attrs).resolve()
}

fn resolve_layer(mut raw: RawConfig, base: &str) -> RawConfig {
    for slot in [
        &mut raw.api_url,
        &mut raw.auth_url,
        &mut raw.database_api_url,
    ] {
        if let Some(url) = slot.as_ref().filter(|u| !u.trim().is_empty()) {
            *slot = resolve(url.trim(), base).or(Some(url.clone()));
        }
    }
    raw
}
