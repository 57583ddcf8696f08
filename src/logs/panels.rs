//! The viewer's side panes over structured fields: line details, the field-filter bar, the
//! facets panel, the volume chart and the requests table.
//!
//! Each component takes plain data (owned values or signals) and reports through callbacks,
//! so the page decides what a click means; none of them reads the model or the URL. Log
//! values are untrusted: they only ever become text nodes or attribute values, never markup.
//! The strict CSP forbids `style` attributes, so sizes are SVG presentation attributes
//! (`x`, `width`, …), element values (`<meter value>`) or CSSOM setters (`style:left`).
//!
//! The pure parts (pointer position to bucket, axis ticks, the stacked bar geometry, the JSON
//! tree, number texts) are plain functions tested natively at the end of the file.

use std::fmt;

use leptos::html;
use leptos::prelude::*;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::fields::{
    fields, format_duration, Bucket, FieldFilter, Op, RequestColumn, RequestRow, Severity,
    ValueKind, CONTAINER,
};
use super::line::{LogLine, Timestamp};
use crate::ui::local_offset_minutes;

/// The longest value an accessible name or a chip label repeats before it is cut with `…`:
/// a screen reader reading a 4 KB value on every button is worse than useless.
const LABEL_CHARS: usize = 60;

// ---------------------------------------------------------------------------------------------
// Line details
// ---------------------------------------------------------------------------------------------

/// One row of the details table: a field of the line, and the filters its buttons make.
struct DetailRow {
    key: String,
    value: String,
    kind: ValueKind,
    /// `(only, exclude)`; `None` when the field cannot be filtered on (too long a key or
    /// value, see [`FieldFilter::new`]).
    filters: Option<(FieldFilter, FieldFilter)>,
}

/// The filters "Only this value" and "Exclude this value" make for a field. A bare logfmt key
/// (no value) filters on presence rather than on an empty value.
fn value_filters(key: &str, value: &str, kind: ValueKind) -> Option<(FieldFilter, FieldFilter)> {
    let (only, exclude) = match kind {
        ValueKind::Absent => (Op::Present, Op::Absent),
        _ => (Op::Eq, Op::Ne),
    };
    Some((
        FieldFilter::new(key, only, value).ok()?,
        FieldFilter::new(key, exclude, value).ok()?,
    ))
}

/// The pane showing one line: its time in UTC and local time, its container, its raw text,
/// its fields with buttons that filter on a value, and a JSON message as a collapsible tree.
///
/// The pane is an `<aside id="sld-line-details" aria-label="Line details" tabindex="-1">`, so
/// the page can move focus to it when it opens; Escape inside it, or the "Close details"
/// button, calls `on_close` (the page should then return focus to the line).
#[component]
pub fn LineDetails(
    /// The line exactly as received (`2026-12-07 06:10:00.123 +0000 UTC [web-1] message`).
    raw: String,
    /// The line's time, Unix nanoseconds (UTC), as the store sorts on.
    time_nanos: i64,
    /// Whether the viewer shows local time: that time is listed first.
    local: Signal<bool>,
    /// Called with the filter a value's button makes (`key=value` or `key!=value`).
    on_filter: Callback<FieldFilter>,
    /// Called when the pane asks to close (button or Escape).
    on_close: Callback<()>,
) -> impl IntoView {
    let line = LogLine::parse(raw);
    let time = Timestamp {
        secs: time_nanos.div_euclid(1_000_000_000),
        nanos: time_nanos.rem_euclid(1_000_000_000) as u32,
    };
    let utc_text = time.format(0) + " UTC";
    let local_text = {
        let offset = local_offset_minutes(time.secs);
        format!("{} ({})", time.format(offset), offset_text(offset))
    };
    let container = line.container().map(str::to_owned);
    let parsed = fields(line.plain_message());
    let json = parsed.json().and_then(json_tree);
    let mut rows: Vec<DetailRow> = Vec::with_capacity(parsed.len() + 1);
    // The container is a field filters understand; list it first unless the message has its own.
    if let Some(c) = line.container() {
        if parsed.iter().all(|f| f.key != CONTAINER) {
            rows.push(DetailRow {
                key: CONTAINER.to_owned(),
                value: c.to_owned(),
                kind: ValueKind::Text,
                filters: value_filters(CONTAINER, c, ValueKind::Text),
            });
        }
    }
    rows.extend(parsed.iter().map(|f| DetailRow {
        key: f.key.to_string(),
        value: f.value.to_string(),
        kind: f.kind,
        filters: value_filters(&f.key, &f.value, f.kind),
    }));
    let raw_text = line.raw().to_owned();
    let field_count = rows.len();

    let times = move || {
        let utc = view! { <dt>"UTC"</dt><dd><time>{utc_text.clone()}</time></dd> };
        let here = view! { <dt>"Local"</dt><dd><time>{local_text.clone()}</time></dd> };
        if local.get() {
            view! { {here}{utc} }.into_any()
        } else {
            view! { {utc}{here} }.into_any()
        }
    };
    let rows_view = rows
        .into_iter()
        .map(|row| {
            let buttons = row.filters.map(|(only, exclude)| {
                let name = short(&only.to_string());
                view! {
                    <button type="button" class="sld-button sld-details__only"
                        aria-label=format!("Only {name}")
                        on:click=move |_| on_filter.run(only.clone())>"Only"</button>
                    <button type="button" class="sld-button sld-details__exclude"
                        aria-label=format!("Exclude {name}")
                        on:click=move |_| on_filter.run(exclude.clone())>"Exclude"</button>
                }
            });
            let value = if row.kind == ValueKind::Absent {
                view! { <span class="sld-muted">"(no value)"</span> }.into_any()
            } else {
                view! { <code class="sld-details__value">{row.value}</code> }.into_any()
            };
            view! {
                <tr>
                    <th scope="row"><code>{row.key}</code></th>
                    <td>{value}</td>
                    <td class="sld-details__actions">{buttons}</td>
                </tr>
            }
        })
        .collect_view();

    view! {
        <aside id="sld-line-details" class="sld-details" aria-label="Line details" tabindex="-1"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    ev.stop_propagation();
                    on_close.run(());
                }
            }>
            <header class="sld-details__head">
                <h2>"Line details"</h2>
                <button type="button" class="sld-button sld-details__close" aria-label="Close details"
                    on:click=move |_| on_close.run(())>
                    <span aria-hidden="true">"×"</span>
                </button>
            </header>
            <dl class="sld-details__meta">
                {times}
                <dt>"Container"</dt>
                <dd>{container.unwrap_or_else(|| "(none)".to_owned())}</dd>
            </dl>
            <h3>"Raw line"</h3>
            <pre class="sld-details__raw">{raw_text}</pre>
            {(field_count > 0).then(|| view! {
                <table class="sld-details__fields">
                    <caption>{crate::text::count(field_count, "field", "fields")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Field"</th>
                            <th scope="col">"Value"</th>
                            <th scope="col"><span class="sld-visually-hidden">"Filter"</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows_view}</tbody>
                </table>
            })}
            {json.map(|tree| view! {
                <h3>"JSON"</h3>
                <div class="sld-details__json">{json_view(None, tree)}</div>
            })}
        </aside>
    }
}

/// `+01:00`-style text for an offset east of UTC in minutes.
fn offset_text(minutes: i64) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.abs();
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// `text` cut to [`LABEL_CHARS`] characters, with `…` when cut.
fn short(text: &str) -> String {
    match text.char_indices().nth(LABEL_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// A JSON value with object members in the order they were written (serde_json's `Value`
/// sorts them), for the details pane's tree.
#[derive(Clone, Debug, PartialEq)]
pub enum JsonNode {
    /// An object's members in order, duplicates kept.
    Object(Vec<(String, JsonNode)>),
    /// An array's items.
    Array(Vec<JsonNode>),
    /// A string, unescaped.
    String(String),
    /// A number as serde_json reads it (`1.0e3` becomes `1000`).
    Number(String),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// Reads `json` into a [`JsonNode`]; `None` when it is not valid JSON (RFC 8259) or nests
/// deeper than serde_json's limit of 128 levels.
pub fn json_tree(json: &str) -> Option<JsonNode> {
    serde_json::from_str(json).ok()
}

impl<'de> Deserialize<'de> for JsonNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<JsonNode, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = JsonNode;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<JsonNode, E> {
        Ok(JsonNode::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<JsonNode, E> {
        Ok(JsonNode::Number(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<JsonNode, E> {
        Ok(JsonNode::Number(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<JsonNode, E> {
        Ok(JsonNode::Number(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<JsonNode, E> {
        Ok(JsonNode::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<JsonNode, E> {
        Ok(JsonNode::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<JsonNode, E> {
        Ok(JsonNode::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<JsonNode, E> {
        Ok(JsonNode::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsonNode, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(JsonNode::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonNode, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry::<String, JsonNode>()? {
            members.push(member);
        }
        Ok(JsonNode::Object(members))
    }
}

/// A leaf's text as JSON writes it (strings quoted and escaped, so a control character or a
/// quote in a value is visible), and its CSS modifier.
fn leaf_text(node: &JsonNode) -> (String, &'static str) {
    match node {
        JsonNode::String(s) => (
            serde_json::to_string(s).unwrap_or_else(|_| s.clone()),
            "string",
        ),
        JsonNode::Number(n) => (n.clone(), "number"),
        JsonNode::Bool(b) => (b.to_string(), "bool"),
        JsonNode::Null => ("null".to_owned(), "null"),
        JsonNode::Object(m) => (
            crate::text::count(m.len(), "member", "members"),
            "container",
        ),
        JsonNode::Array(a) => (crate::text::count(a.len(), "item", "items"), "container"),
    }
}

/// The tree of `node` under `key`: objects and arrays as open `<details>`, leaves as text.
fn json_view(key: Option<String>, node: JsonNode) -> AnyView {
    let key_view = key.map(|k| {
        view! { <span class="sld-json__key">{k}</span><span class="sld-json__colon">": "</span> }
    });
    let (text, kind) = leaf_text(&node);
    let children: Vec<(Option<String>, JsonNode)> = match node {
        JsonNode::Object(members) => members.into_iter().map(|(k, v)| (Some(k), v)).collect(),
        JsonNode::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Some(i.to_string()), v))
            .collect(),
        _ => {
            return view! {
                <div class="sld-json__leaf">
                    {key_view}
                    <span class=format!("sld-json__value sld-json__value--{kind}")>{text}</span>
                </div>
            }
            .into_any()
        }
    };
    let items = children
        .into_iter()
        .map(|(k, v)| view! { <li>{json_view(k, v)}</li> })
        .collect_view();
    view! {
        <details class="sld-json__node" open=true>
            <summary>{key_view}<span class="sld-muted">{text}</span></summary>
            <ul class="sld-json__members">{items}</ul>
        </details>
    }
    .into_any()
}

// ---------------------------------------------------------------------------------------------
// Field filter bar
// ---------------------------------------------------------------------------------------------

/// The field-filter input and its chips.
///
/// Enter calls `on_add` with the trimmed text; the caller parses it
/// ([`FieldFilter::parse`]) and sets `error` before returning. When `error` is then `None`
/// the input is cleared, else the text stays for the user to fix and the error shows under
/// it (`role="alert"`, the input `aria-invalid`). Each chip is a button named
/// `Remove filter <expression>`; removing one puts focus back in the input.
#[component]
pub fn FieldFilterBar(
    /// The filters in force, as their expressions (`status>=500`), in chip order.
    filters: Signal<Vec<String>>,
    /// Called with the text typed when Enter is pressed (never empty).
    on_add: Callback<String>,
    /// Called with the expression of the chip removed.
    on_remove: Callback<String>,
    /// Why the last text could not be added, set by the caller; `None` when it was.
    error: Signal<Option<String>>,
) -> impl IntoView {
    let input = NodeRef::<html::Input>::new();
    let text = RwSignal::new(String::new());
    let submit = move || {
        let typed = text.get_untracked().trim().to_owned();
        if typed.is_empty() {
            return;
        }
        on_add.run(typed);
        if error.get_untracked().is_none() {
            text.set(String::new());
        }
    };
    view! {
        <div class="sld-ffilter" role="group" aria-label="Field filters">
            <div class="sld-field sld-field--inline sld-ffilter__field">
                <label for="sld-field-filter">"Field filter"</label>
                <input id="sld-field-filter" type="text" node_ref=input
                    placeholder="status>=500 path~^/api/"
                    autocomplete="off" spellcheck="false"
                    aria-describedby="sld-field-filter-error"
                    aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            submit();
                        }
                    }/>
            </div>
            <p class="sld-field-error" id="sld-field-filter-error" role="alert">{move || error.get()}</p>
            <ul class="sld-ffilter__chips" aria-label="Field filters in force">
                <For each=move || filters.get() key=|f| f.clone() let:expr>
                    {
                        let label = format!("Remove filter {}", short(&expr));
                        let removed = expr.clone();
                        view! {
                            <li>
                                <button type="button" class="sld-chip" aria-label=label
                                    on:click=move |_| {
                                        on_remove.run(removed.clone());
                                        if let Some(el) = input.get_untracked() {
                                            let _ = el.focus();
                                        }
                                    }>
                                    <code>{short(&expr)}</code>
                                    <span class="sld-chip__x" aria-hidden="true">"×"</span>
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// Facets
// ---------------------------------------------------------------------------------------------

/// One field of the facets panel, owned so the page can compute it from
/// [`super::fields::Facets`] (`seen_fields`, then `top` for the chosen ones).
#[derive(Clone, Debug, PartialEq)]
pub struct FacetSummary {
    /// The field's key (`status`, `error.code`, `container`).
    pub key: String,
    /// Lines that have the field.
    pub lines: u64,
    /// Its top values, most frequent first: `(value, lines, share of the field's lines in
    /// 0..=1)`. Empty for fields not chosen.
    pub values: Vec<(String, u64, f64)>,
}

/// The facets panel: every field seen with how many lines have it, a checkbox to show a
/// field's top values, and for each chosen field its values with count and share, each a
/// button (`Filter key=value`) that filters on it.
#[component]
pub fn FacetsPanel(
    /// The fields seen, in display order, with values filled in for the chosen ones.
    fields: Signal<Vec<FacetSummary>>,
    /// Keys whose values are shown.
    chosen: Signal<Vec<String>>,
    /// Called with `(key, shown)` when a field's checkbox changes.
    on_choose: Callback<(String, bool)>,
    /// Called with `key=value` when a value is clicked.
    on_filter: Callback<FieldFilter>,
) -> impl IntoView {
    view! {
        <section class="sld-facets" aria-label="Facets">
            <h2>"Fields"</h2>
            {move || fields.with(Vec::is_empty).then(|| view! {
                <p class="sld-muted">"No fields in these lines."</p>
            })}
            // Keyed by key alone so a count changing does not rebuild the row and lose the
            // checkbox's focus; the row reads its own summary.
            <ul class="sld-facets__fields">
                <For each=move || fields.with(|fs| fs.iter().map(|f| f.key.clone()).collect::<Vec<_>>())
                    key=|k| k.clone() let:key>
                    <FacetRow key fields chosen on_choose on_filter/>
                </For>
            </ul>
        </section>
    }
}

/// One field of [`FacetsPanel`].
#[component]
fn FacetRow(
    key: String,
    fields: Signal<Vec<FacetSummary>>,
    chosen: Signal<Vec<String>>,
    on_choose: Callback<(String, bool)>,
    on_filter: Callback<FieldFilter>,
) -> impl IntoView {
    let summary = {
        let key = key.clone();
        Memo::new(move |_| fields.with(|fs| fs.iter().find(|f| f.key == key).cloned()))
    };
    let is_chosen = {
        let key = key.clone();
        Signal::derive(move || chosen.with(|c| c.contains(&key)))
    };
    let toggled = key.clone();
    let values_key = key.clone();
    let values = move || {
        if !is_chosen.get() {
            return None;
        }
        let key = values_key.clone();
        let list = summary.with(|s| s.as_ref().map(|s| s.values.clone()).unwrap_or_default());
        Some(view! {
            <ul class="sld-facets__values" aria-label=format!("Top values of {}", short(&key))>
                {list.into_iter().map(|(value, lines, share)| {
                    let pct = percent_text(share);
                    let filter = FieldFilter::new(&key, Op::Eq, &value).ok();
                    let shown = if value.is_empty() { "(empty)".to_owned() } else { short(&value) };
                    let item = match filter {
                        Some(f) => {
                            let label = format!("Filter {}", short(&f.to_string()));
                            view! {
                                <button type="button" class="sld-facets__value" aria-label=label
                                    on:click=move |_| on_filter.run(f.clone())>
                                    <code>{shown}</code>
                                </button>
                            }.into_any()
                        }
                        None => view! { <code class="sld-facets__value">{shown}</code> }.into_any(),
                    };
                    view! {
                        <li>
                            {item}
                            <span class="sld-facets__count">{lines.to_string()}</span>
                            <span class="sld-facets__share">{pct}</span>
                            <meter class="sld-facets__bar" aria-hidden="true" min="0" max="1"
                                value=share.clamp(0.0, 1.0).to_string()></meter>
                        </li>
                    }
                }).collect_view()}
            </ul>
        })
    };
    view! {
        <li class="sld-facets__field">
            <label class="sld-check">
                <input type="checkbox" prop:checked=move || is_chosen.get()
                    on:change=move |ev| on_choose.run((toggled.clone(), event_target_checked(&ev)))/>
                <code>{short(&key)}</code>
            </label>
            <span class="sld-facets__count">
                {move || summary.with(|s| s.as_ref().map_or(0, |s| s.lines)).to_string()}
                <span class="sld-visually-hidden">" lines"</span>
            </span>
            {values}
        </li>
    }
}

/// `share` (0..=1) as a percentage with one decimal (`12.5%`), computed on integers.
fn percent_text(share: f64) -> String {
    let tenths = (share.clamp(0.0, 1.0) * 1000.0).round() as u64;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

// ---------------------------------------------------------------------------------------------
// Volume chart
// ---------------------------------------------------------------------------------------------

/// Width of one bucket in the chart's SVG user units; the SVG stretches to its box.
const BAR_W: f64 = 10.0;
/// Height of the chart in SVG user units.
const CHART_H: f64 = 100.0;
/// Most time labels under the chart.
const MAX_TICKS: usize = 6;

/// The bucket under a pointer at `x` (client pixels) on a plot spanning `left..left+width`
/// with `n` buckets; positions outside clamp to the first or last bucket. `None` when there
/// is nothing to hit.
pub fn bucket_at(x: f64, left: f64, width: f64, n: usize) -> Option<usize> {
    if n == 0 || width <= 0.0 || !x.is_finite() {
        return None;
    }
    let frac = ((x - left) / width).clamp(0.0, 1.0);
    Some(((frac * n as f64) as usize).min(n - 1))
}

/// The bucket a keyboard move lands on: one step by `delta` from `from` (from the last bucket
/// when none has focus yet), clamped to `0..n`. `None` when there are no buckets.
pub fn step_focus(from: Option<usize>, delta: isize, n: usize) -> Option<usize> {
    if n == 0 {
        return None;
    }
    match from {
        None => Some(n - 1),
        Some(i) => Some(i.min(n - 1).saturating_add_signed(delta).min(n - 1)),
    }
}

/// Where each severity's segment of a bar sits: `[(y, height); 3]` indexed by
/// `Severity as usize`, in SVG units of a chart [`CHART_H`] high whose tallest bar has `max`
/// lines. Errors sit at the bottom, then warnings, then info, so the rare bad lines are
/// never hidden under a tall stack.
pub fn stack(counts: [u64; 3], max: u64, height: f64) -> [(f64, f64); 3] {
    let mut out = [(height, 0.0); 3];
    if max == 0 {
        return out;
    }
    let mut bottom = height;
    for sev in [Severity::Error, Severity::Warning, Severity::Info] {
        let h = counts[sev as usize] as f64 / max as f64 * height;
        bottom -= h;
        out[sev as usize] = (bottom, h);
    }
    out
}

/// The buckets that get a time label: at most `max` of them, evenly spaced from the first.
pub fn tick_indices(n: usize, max: usize) -> Vec<usize> {
    if n == 0 || max == 0 {
        return Vec::new();
    }
    let every = n.div_ceil(max);
    (0..n).step_by(every).collect()
}

/// A time label for a bucket starting at `start` (Unix seconds) with buckets `step` seconds
/// long, at `offset_minutes` east of UTC: `MM-DD` for day buckets, `HH:MM` for minute ones,
/// `HH:MM:SS` below; `with_date` puts `MM-DD ` before a time.
pub fn tick_label(start: i64, step: i64, offset_minutes: i64, with_date: bool) -> String {
    // `YYYY-MM-DD HH:MM:SS.mmm`
    let full = Timestamp {
        secs: start,
        nanos: 0,
    }
    .format(offset_minutes);
    let date = &full[5..10];
    let time = if step >= 86_400 {
        return date.to_owned();
    } else if step >= 60 {
        &full[11..16]
    } else {
        &full[11..19]
    };
    if with_date {
        format!("{date} {time}")
    } else {
        time.to_owned()
    }
}

/// A bucket's range as text, `2026-12-07 06:10:00 – 06:15:00`, the end's date only when it
/// differs from the start's.
pub fn range_text(start: i64, end: i64, offset: impl Fn(i64) -> i64) -> String {
    let s = Timestamp {
        secs: start,
        nanos: 0,
    }
    .format(offset(start));
    let e = Timestamp {
        secs: end,
        nanos: 0,
    }
    .format(offset(end));
    let e = if e[..10] == s[..10] {
        &e[11..19]
    } else {
        &e[..19]
    };
    format!("{} – {e}", &s[..19])
}

/// A bucket's counts as text: `1204 lines, 3 errors, 12 warnings`.
fn counts_text(b: &Bucket) -> String {
    use crate::text::count;
    format!(
        "{}, {}, {}",
        count(b.total() as usize, "line", "lines"),
        count(
            b.counts[Severity::Error as usize] as usize,
            "error",
            "errors"
        ),
        count(
            b.counts[Severity::Warning as usize] as usize,
            "warning",
            "warnings"
        ),
    )
}

/// The lines per bucket as bars stacked by severity, with a time axis; drag or the keyboard
/// selects a range of whole buckets.
///
/// The chart is a focusable `<div role="group" aria-label="Log volume">` around an
/// `aria-hidden` SVG. Pointer: drag across buckets (or click one) selects them, double click
/// clears. Keyboard: Left/Right (Home/End) move the focused bucket, Shift+Left/Right extend a
/// range from where it started, Enter selects the focused bucket or the range, Escape clears.
/// A polite live region reads the focused bucket. "Show volume as a table" shows the same
/// numbers as a `<table>`.
#[component]
pub fn VolumeChart(
    /// The buckets, oldest first, all the same step ([`super::fields::Volume::buckets`]).
    buckets: Signal<Vec<Bucket>>,
    /// Whether times are shown in local time rather than UTC.
    local: Signal<bool>,
    /// The selected range, `[start, end)` in Unix seconds, highlighted on the chart.
    selection: Signal<Option<(i64, i64)>>,
    /// Called with `(start, end)` Unix seconds of the whole buckets selected.
    on_select: Callback<(i64, i64)>,
    /// Called when the selection is cleared (double click or Escape).
    on_clear: Callback<()>,
) -> impl IntoView {
    let plot = NodeRef::<html::Div>::new();
    // The bucket under keyboard focus, and where a Shift range or a drag started.
    let focused = RwSignal::new(None::<usize>);
    let anchor = RwSignal::new(None::<usize>);
    let dragging = RwSignal::new(false);
    let table_open = RwSignal::new(false);
    let offset = move |secs: i64| {
        if local.get_untracked() {
            local_offset_minutes(secs)
        } else {
            0
        }
    };
    let len = move || buckets.with(Vec::len);
    let select = move |a: usize, b: usize| {
        let (lo, hi) = (a.min(b), a.max(b));
        let range = buckets.with_untracked(|bs| Some((bs.get(lo)?.start, bs.get(hi)?.end)));
        if let Some(r) = range {
            on_select.run(r);
        }
    };
    let pending = move || -> Option<(usize, usize)> {
        let f = focused.get()?;
        let a = anchor.get()?;
        Some((a.min(f), a.max(f)))
    };
    let index_at = move |client_x: i32| {
        let el = plot.get_untracked()?;
        let rect = el.get_bounding_client_rect();
        bucket_at(f64::from(client_x), rect.left(), rect.width(), len())
    };

    let bars = move || {
        buckets.with(|bs| {
            let max = bs.iter().map(Bucket::total).max().unwrap_or(0);
            bs.iter()
                .enumerate()
                .map(|(i, b)| {
                    let x = i as f64 * BAR_W;
                    let segments = stack(b.counts, max, CHART_H);
                    [Severity::Error, Severity::Warning, Severity::Info]
                        .into_iter()
                        .filter(|s| segments[*s as usize].1 > 0.0)
                        .map(|s| {
                            let (y, h) = segments[s as usize];
                            let class = match s {
                                Severity::Info => "sld-volume__bar sld-volume__bar--info",
                                Severity::Warning => "sld-volume__bar sld-volume__bar--warning",
                                Severity::Error => "sld-volume__bar sld-volume__bar--error",
                            };
                            view! {
                                <rect class=class x=(x + 1.0).to_string() y=y.to_string()
                                    width=(BAR_W - 2.0).to_string() height=h.to_string()/>
                            }
                        })
                        .collect_view()
                })
                .collect_view()
        })
    };
    // The highlight behind the bars: the selection, a range being made, the focused bucket.
    let marks = move || {
        let sel = selection.get();
        let making = pending();
        let focus = focused.get();
        buckets.with(|bs| {
            bs.iter()
                .enumerate()
                .filter_map(|(i, b)| {
                    let selected = sel.is_some_and(|(s, e)| b.start < e && b.end > s);
                    let in_making = making.is_some_and(|(lo, hi)| (lo..=hi).contains(&i));
                    let is_focus = focus == Some(i);
                    if !(selected || in_making || is_focus) {
                        return None;
                    }
                    let mut class = String::from("sld-volume__mark");
                    if selected {
                        class.push_str(" sld-volume__mark--selected");
                    }
                    if in_making {
                        class.push_str(" sld-volume__mark--pending");
                    }
                    if is_focus {
                        class.push_str(" sld-volume__mark--focus");
                    }
                    Some(view! {
                        <rect class=class x=(i as f64 * BAR_W).to_string() y="0"
                            width=BAR_W.to_string() height=CHART_H.to_string()/>
                    })
                })
                .collect_view()
        })
    };
    let ticks = move || {
        local.track();
        buckets.with(|bs| {
            let n = bs.len();
            let step = bs.first().map_or(60, |b| b.end - b.start);
            let span_days = bs
                .first()
                .zip(bs.last())
                .is_some_and(|(a, z)| z.end - a.start > 86_400);
            tick_indices(n, MAX_TICKS)
                .into_iter()
                .map(|i| {
                    let b = &bs[i];
                    let text = tick_label(b.start, step, offset(b.start), span_days || i == 0);
                    let pct = (i as f64 + 0.5) / n as f64 * 100.0;
                    view! {
                        <span class="sld-volume__tick" style:left=format!("{pct}%")>{text}</span>
                    }
                })
                .collect_view()
        })
    };
    let live = move || {
        local.track();
        let i = focused.get()?;
        let making = pending();
        buckets.with(|bs| {
            let b = bs.get(i)?;
            let mut text = format!("{}: {}", range_text(b.start, b.end, offset), counts_text(b));
            if let Some((lo, hi)) = making {
                if let (Some(a), Some(z)) = (bs.get(lo), bs.get(hi)) {
                    text.push_str(&format!(
                        ". Range {}, Enter to select.",
                        range_text(a.start, z.end, offset)
                    ));
                }
            }
            Some(text)
        })
    };
    let summary = move || {
        local.track();
        let sel = selection
            .get()
            .map(|(s, e)| format!("Selected {}.", range_text(s, e, offset)));
        let lines: u64 = buckets.with(|bs| bs.iter().map(Bucket::total).sum());
        format!(
            "{} {}",
            crate::text::count(lines as usize, "line", "lines"),
            sel.unwrap_or_default()
        )
    };
    let table = move || {
        table_open.get().then(|| {
            local.track();
            let rows = buckets.with(|bs| {
                bs.iter()
                    .map(|b| {
                        let range = range_text(b.start, b.end, offset);
                        let [info, warn, err] = b.counts;
                        view! {
                            <tr>
                                <th scope="row">{range}</th>
                                <td>{info.to_string()}</td>
                                <td>{warn.to_string()}</td>
                                <td>{err.to_string()}</td>
                            </tr>
                        }
                    })
                    .collect_view()
            });
            view! {
                <table id="sld-volume-table" class="sld-volume__table">
                    <caption>{move || if local.get() { "Lines per interval, local time" } else { "Lines per interval, UTC" }}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Time"</th>
                            <th scope="col">"Info"</th>
                            <th scope="col">"Warnings"</th>
                            <th scope="col">"Errors"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            }
        })
    };

    view! {
        <div class="sld-volume">
            <div class="sld-volume__chart" role="group" aria-label="Log volume" tabindex="0"
                aria-describedby="sld-volume-summary"
                on:focus=move |_| {
                    if focused.get_untracked().is_none() {
                        focused.set(step_focus(None, 0, len()));
                    }
                }
                on:keydown=move |ev| {
                    let n = len();
                    let key = ev.key();
                    let moved = match key.as_str() {
                        "ArrowLeft" => Some(-1),
                        "ArrowRight" => Some(1),
                        "Home" => Some(isize::MIN / 2),
                        "End" => Some(isize::MAX / 2),
                        _ => None,
                    };
                    if let Some(delta) = moved {
                        ev.prevent_default();
                        let from = focused.get_untracked();
                        if ev.shift_key() {
                            if anchor.get_untracked().is_none() {
                                anchor.set(from.or_else(|| step_focus(None, 0, n)));
                            }
                        } else {
                            anchor.set(None);
                        }
                        focused.set(step_focus(from, delta, n));
                        return;
                    }
                    match key.as_str() {
                        "Enter" | " " => {
                            ev.prevent_default();
                            if let Some(f) = focused.get_untracked() {
                                select(anchor.get_untracked().unwrap_or(f), f);
                            }
                            anchor.set(None);
                        }
                        "Escape" => {
                            ev.prevent_default();
                            anchor.set(None);
                            on_clear.run(());
                        }
                        _ => {}
                    }
                }
                on:pointerdown=move |ev| {
                    if ev.button() != 0 {
                        return;
                    }
                    let Some(i) = index_at(ev.client_x()) else { return };
                    if let Some(el) = plot.get_untracked() {
                        let _ = el.set_pointer_capture(ev.pointer_id());
                    }
                    dragging.set(true);
                    anchor.set(Some(i));
                    focused.set(Some(i));
                }
                on:pointermove=move |ev| {
                    if dragging.get_untracked() {
                        if let Some(i) = index_at(ev.client_x()) {
                            if focused.get_untracked() != Some(i) {
                                focused.set(Some(i));
                            }
                        }
                    }
                }
                on:pointerup=move |ev| {
                    if !dragging.get_untracked() {
                        return;
                    }
                    dragging.set(false);
                    let end = index_at(ev.client_x()).or(focused.get_untracked());
                    if let (Some(a), Some(z)) = (anchor.get_untracked(), end) {
                        focused.set(Some(z));
                        select(a, z);
                    }
                    anchor.set(None);
                }
                on:pointercancel=move |_| {
                    dragging.set(false);
                    anchor.set(None);
                }
                on:dblclick=move |_| {
                    anchor.set(None);
                    on_clear.run(());
                }>
                <div class="sld-volume__plot" node_ref=plot>
                    <svg class="sld-volume__svg" aria-hidden="true" focusable="false"
                        preserveAspectRatio="none"
                        viewBox=move || format!("0 0 {} {CHART_H}", (len().max(1) as f64) * BAR_W)>
                        <g class="sld-volume__marks">{marks}</g>
                        <g class="sld-volume__bars">{bars}</g>
                    </svg>
                </div>
                <div class="sld-volume__axis" aria-hidden="true">{ticks}</div>
            </div>
            <p id="sld-volume-summary" class="sld-visually-hidden">{summary}</p>
            <p class="sld-visually-hidden" aria-live="polite">{live}</p>
            <div class="sld-volume__foot">
                <span class="sld-volume__legend" aria-hidden="true">
                    <span class="sld-volume__key sld-volume__key--error">"errors"</span>
                    <span class="sld-volume__key sld-volume__key--warning">"warnings"</span>
                    <span class="sld-volume__key sld-volume__key--info">"info"</span>
                </span>
                <button type="button" class="sld-button"
                    aria-expanded=move || if table_open.get() { "true" } else { "false" }
                    aria-controls="sld-volume-table"
                    on:click=move |_| table_open.update(|o| *o = !*o)>
                    {move || if table_open.get() { "Hide volume table" } else { "Show volume as a table" }}
                </button>
            </div>
            {table}
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/// The sort a header click asks for: the other direction on the current column, else the
/// column's natural direction (paths A→Z, numbers largest first).
pub fn next_sort(current: (RequestColumn, bool), clicked: RequestColumn) -> (RequestColumn, bool) {
    if current.0 == clicked {
        (clicked, !current.1)
    } else {
        (clicked, clicked != RequestColumn::Path)
    }
}

/// The router's requests per path: count, error rate and duration quantiles, sortable, each
/// path a button that filters the lines on it.
#[component]
pub fn RequestsTable(
    /// The rows, already sorted by the caller ([`super::fields::Requests::rows`]).
    rows: Signal<Vec<RequestRow>>,
    /// The column sorted on and whether descending.
    sort: Signal<(RequestColumn, bool)>,
    /// Called with the sort a header click asks for.
    on_sort: Callback<(RequestColumn, bool)>,
    /// Called with a row's collapsed path (`/users/:id`) when it is clicked.
    on_filter: Callback<String>,
) -> impl IntoView {
    let header = move |column: RequestColumn, label: &'static str| {
        let aria = move || {
            let (c, desc) = sort.get();
            match (c == column, desc) {
                (false, _) => "none",
                (true, true) => "descending",
                (true, false) => "ascending",
            }
        };
        let arrow = move || {
            let (c, desc) = sort.get();
            match (c == column, desc) {
                (false, _) => "",
                (true, true) => " ↓",
                (true, false) => " ↑",
            }
        };
        view! {
            <th scope="col" aria-sort=aria>
                <button type="button" class="sld-requests__sort"
                    on:click=move |_| on_sort.run(next_sort(sort.get_untracked(), column))>
                    {label}<span aria-hidden="true">{arrow}</span>
                </button>
            </th>
        }
    };
    let duration = |d: Option<f64>| d.map_or_else(|| "–".to_owned(), format_duration);
    view! {
        <section class="sld-requests" aria-label="Requests">
            <h2>"Requests"</h2>
            {move || rows.with(Vec::is_empty).then(|| view! {
                <p class="sld-muted">"No router requests in these lines."</p>
            })}
            <table class="sld-requests__table">
                <thead>
                    <tr>
                        {header(RequestColumn::Path, "Path")}
                        {header(RequestColumn::Count, "Requests")}
                        {header(RequestColumn::ErrorRate, "Error rate")}
                        {header(RequestColumn::P50, "p50")}
                        {header(RequestColumn::P95, "p95")}
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.get()
                        key=|r| (r.path.clone(), r.count, r.errors, r.p50.map(f64::to_bits), r.p95.map(f64::to_bits))
                        let:row>
                        {
                            let path = row.path.clone();
                            let cell = if path == super::fields::requests::OTHER_PATHS {
                                view! { <span class="sld-muted">{path}</span> }.into_any()
                            } else {
                                let label = format!("Filter path {}", short(&path));
                                let shown = short(&path);
                                view! {
                                    <button type="button" class="sld-requests__path" aria-label=label
                                        on:click=move |_| on_filter.run(path.clone())>
                                        <code>{shown}</code>
                                    </button>
                                }.into_any()
                            };
                            view! {
                                <tr>
                                    <th scope="row">{cell}</th>
                                    <td class="sld-num">{crate::text::thousands(row.count as usize)}</td>
                                    <td class="sld-num">{percent_text(row.error_rate)}</td>
                                    <td class="sld-num">{duration(row.p50)}</td>
                                    <td class="sld-num">{duration(row.p95)}</td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pointer_maps_to_the_bucket_under_it_and_clamps_outside() {
        assert_eq!(bucket_at(100.0, 100.0, 200.0, 10), Some(0));
        assert_eq!(bucket_at(119.9, 100.0, 200.0, 10), Some(0));
        assert_eq!(bucket_at(120.0, 100.0, 200.0, 10), Some(1));
        assert_eq!(bucket_at(300.0, 100.0, 200.0, 10), Some(9));
        assert_eq!(bucket_at(50.0, 100.0, 200.0, 10), Some(0));
        assert_eq!(bucket_at(900.0, 100.0, 200.0, 10), Some(9));
        assert_eq!(bucket_at(150.0, 100.0, 200.0, 0), None);
        assert_eq!(bucket_at(150.0, 100.0, 0.0, 10), None);
        assert_eq!(bucket_at(f64::NAN, 100.0, 200.0, 10), None);
    }

    #[test]
    fn arrow_keys_move_one_bucket_and_stop_at_the_ends() {
        assert_eq!(step_focus(None, 1, 5), Some(4));
        assert_eq!(step_focus(Some(2), -1, 5), Some(1));
        assert_eq!(step_focus(Some(0), -1, 5), Some(0));
        assert_eq!(step_focus(Some(4), 1, 5), Some(4));
        assert_eq!(step_focus(Some(3), isize::MIN / 2, 5), Some(0));
        assert_eq!(step_focus(Some(3), isize::MAX / 2, 5), Some(4));
        // The buckets shrank under the focus.
        assert_eq!(step_focus(Some(9), 0, 5), Some(4));
        assert_eq!(step_focus(Some(1), 1, 0), None);
    }

    #[test]
    fn bars_stack_errors_at_the_bottom_and_the_tallest_fills_the_chart() {
        let s = stack([50, 30, 20], 100, 100.0);
        assert_eq!(s[Severity::Error as usize], (80.0, 20.0));
        assert_eq!(s[Severity::Warning as usize], (50.0, 30.0));
        assert_eq!(s[Severity::Info as usize], (0.0, 50.0));
        let empty = stack([0, 0, 0], 0, 100.0);
        assert!(empty.iter().all(|&(_, h)| h == 0.0));
    }

    #[test]
    fn ticks_are_few_and_evenly_spaced() {
        assert_eq!(tick_indices(0, 6), Vec::<usize>::new());
        assert_eq!(tick_indices(3, 6), vec![0, 1, 2]);
        assert_eq!(tick_indices(12, 6), vec![0, 2, 4, 6, 8, 10]);
        assert!(tick_indices(120, 6).len() <= 6);
    }

    #[test]
    fn tick_labels_fit_the_step_and_the_zone() {
        // 2026-12-07 06:10:05 UTC
        let t = 1_796_623_805;
        assert_eq!(tick_label(t, 1, 0, false), "06:10:05");
        assert_eq!(tick_label(t, 60, 0, false), "06:10");
        assert_eq!(tick_label(t, 60, 60, true), "12-07 07:10");
        assert_eq!(tick_label(t, 86_400, 0, false), "12-07");
        assert_eq!(tick_label(t, 60, -420, false), "23:10");
    }

    #[test]
    fn a_range_names_the_end_date_only_when_it_changes() {
        let t = 1_796_623_800; // 2026-12-07 06:10:00 UTC
        assert_eq!(
            range_text(t, t + 300, |_| 0),
            "2026-12-07 06:10:00 – 06:15:00"
        );
        assert_eq!(
            range_text(t, t + 86_400, |_| 0),
            "2026-12-07 06:10:00 – 2026-12-08 06:10:00"
        );
    }

    #[test]
    fn percentages_round_to_a_tenth() {
        assert_eq!(percent_text(0.0), "0.0%");
        assert_eq!(percent_text(0.125), "12.5%");
        assert_eq!(percent_text(1.0), "100.0%");
        assert_eq!(percent_text(0.33333), "33.3%");
        assert_eq!(percent_text(2.0), "100.0%");
    }

    #[test]
    fn the_json_tree_keeps_members_in_written_order() {
        let tree = json_tree(r#"{"z":1,"a":{"y":"x\"<b>","b":[true,null]}}"#).unwrap();
        assert_eq!(
            tree,
            JsonNode::Object(vec![
                ("z".into(), JsonNode::Number("1".into())),
                (
                    "a".into(),
                    JsonNode::Object(vec![
                        ("y".into(), JsonNode::String("x\"<b>".into())),
                        (
                            "b".into(),
                            JsonNode::Array(vec![JsonNode::Bool(true), JsonNode::Null])
                        ),
                    ])
                ),
            ])
        );
        assert_eq!(json_tree("{not json"), None);
    }

    #[test]
    fn json_leaves_show_strings_quoted_and_escaped() {
        let (text, kind) = leaf_text(&JsonNode::String("a\"\u{1b}".into()));
        assert_eq!(text, r#""a\"\u001b""#);
        assert_eq!(kind, "string");
    }

    #[test]
    fn a_very_deep_json_message_is_refused_not_overflowed() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert_eq!(json_tree(&deep), None);
    }

    #[test]
    fn value_buttons_filter_on_the_value_or_on_presence() {
        let (only, exclude) = value_filters("status", "502", ValueKind::Number).unwrap();
        assert_eq!(only.to_string(), "status=502");
        assert_eq!(exclude.to_string(), "status!=502");
        let (only, exclude) = value_filters("debug", "", ValueKind::Absent).unwrap();
        assert_eq!(only.to_string(), "debug");
        assert_eq!(exclude.to_string(), "!debug");
        assert!(value_filters("k", &"x".repeat(100_000), ValueKind::Text).is_none());
    }

    #[test]
    fn long_labels_are_cut() {
        assert_eq!(short("abc"), "abc");
        let long = "é".repeat(100);
        assert_eq!(short(&long).chars().count(), LABEL_CHARS + 1);
        assert!(short(&long).ends_with('…'));
    }

    #[test]
    fn clicking_a_header_flips_its_direction_or_takes_the_natural_one() {
        let cur = (RequestColumn::Count, true);
        assert_eq!(
            next_sort(cur, RequestColumn::Count),
            (RequestColumn::Count, false)
        );
        assert_eq!(
            next_sort(cur, RequestColumn::Path),
            (RequestColumn::Path, false)
        );
        assert_eq!(
            next_sort(cur, RequestColumn::P95),
            (RequestColumn::P95, true)
        );
    }

    #[test]
    fn offsets_read_as_utc_plus_or_minus() {
        assert_eq!(offset_text(60), "UTC+01:00");
        assert_eq!(offset_text(-330), "UTC-05:30");
        assert_eq!(offset_text(0), "UTC+00:00");
    }
}
