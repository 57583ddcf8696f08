//! The log viewer page: toolbar, status, and a virtualized list of rows.
//!
//! Incoming lines are queued in a plain vector and applied to the [`Model`] once per
//! animation frame, followed by one signal bump: at 20,000 lines/s that is ~330 lines
//! per frame for one reactive update. Only the rows in view (plus a small overscan) exist
//! in the DOM; their offset is set through CSSOM (`style:`), never a `style` attribute.

use leptos::html;
use leptos::prelude::*;

use super::fields::{FieldFilter, FilterSet, RequestColumn};
use super::filter::{self, FilterOption};
use super::history::load::{self, ArchiveRow, ArchiveState, LoadSignals, Phase, Progress};
use super::history::{self as hist, TimeRange};
use super::line::LogLine;
use super::model::{container_class, download_text, Model, OffsetFn, PendingEvents, Queued};
use super::panels::{
    FacetSummary, FacetsPanel, FieldFilterBar, LineDetails, RequestsTable, VolumeChart,
};
use super::render::render;
use super::rows::{self, Layout, RowHeights};
use super::search;
use super::store::{dedupe_dump, Batch};
use crate::api::logs::LogSource;
use crate::api::{apps, use_api};
use crate::hooks::use_fetch::use_fetch;
use crate::hooks::use_log_stream::{use_log_stream, StreamEvent, StreamParams, StreamState};
use crate::nav::use_nav;
use crate::route::{Query, Route};
use crate::search::{Matcher, SearchSpec};
use crate::text::{count, thousands};
use crate::ui::{local_offset_minutes, now_ms, now_secs};

/// Height of a one-line row in pixels, as a float for scroll arithmetic.
const ROW_H: f64 = rows::ROW_H as f64;
/// Measuring passes a selected line may take to come into view (each one measures the rows
/// that the previous scroll drew); a bound, so the reader's own scrolling wins soon after.
const REVEAL_PASSES: u8 = 4;
/// Where "Wrap lines" is remembered (`localStorage`, per browser): `"1"` when on.
const WRAP_KEY: &str = "sld-log-wrap";

/// A keyboard move of the selected line.
#[derive(Clone, Copy)]
enum Move {
    /// This many rows down (up when negative).
    By(isize),
    /// This many viewports down (up when negative).
    Pages(isize),
    First,
    Last,
}
/// History sizes offered.
const LINE_CHOICES: [usize; 3] = [100, 1_000, 10_000];

/// The viewer's state in the URL, so a link reproduces the view.
#[derive(Clone, Debug, PartialEq, Eq)]
struct UrlState {
    lines: usize,
    filter: String,
    search: SearchSpec,
    local_time: bool,
    /// Field filter expressions (`f=`, joined by spaces outside quotes).
    fields: Vec<String>,
    /// History mode (`mode=history`), with its range when `from` and `to` are readable.
    history: bool,
    range: Option<TimeRange>,
}

/// What the viewer shows: the live stream, a history range, or a local file.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Showing {
    Live,
    History(Option<TimeRange>),
    File(u64),
}

impl UrlState {
    fn from_query(q: &crate::route::Query) -> Self {
        let flag = |k: &str| q.get(k) == Some("1");
        UrlState {
            lines: q
                .get("n")
                .and_then(|n| n.parse().ok())
                .filter(|n| LINE_CHOICES.contains(n))
                .unwrap_or(100),
            filter: q.get("filter").unwrap_or_default().to_owned(),
            search: SearchSpec {
                query: q.get("q").unwrap_or_default().to_owned(),
                regex: flag("re"),
                case_sensitive: flag("case"),
                invert: flag("inv"),
            },
            local_time: q.get("tz") == Some("local"),
            fields: q
                .get("f")
                .map(|f| {
                    FilterSet::parse(f)
                        .map_or_else(|_| vec![f.to_owned()], |set| set.to_query_values())
                })
                .unwrap_or_default(),
            history: q.get("mode") == Some("history"),
            range: q
                .get("from")
                .and_then(hist::from_url)
                .zip(q.get("to").and_then(hist::from_url))
                .and_then(|(from, to)| TimeRange::new(from, to)),
        }
    }
}

/// The log viewer of `app`, or of one of its database addons.
#[component]
pub fn LogsPage(app: String, #[prop(optional, into)] addon: Option<String>) -> impl IntoView {
    let api = use_api();
    let nav = use_nav();
    let source = match addon.clone() {
        Some(addon) => LogSource::Addon {
            app: app.clone(),
            addon,
        },
        None => LogSource::App(app.clone()),
    };
    let supports_filter = source.supports_filter();
    let url_state = Memo::new(move |_| UrlState::from_query(&nav.query()));
    let set_param = move |key: &'static str, value: String| {
        nav.set_query(nav.query().with(key, &value));
    };

    // A local file opened on the viewer: shown until the mode or the range changes.
    let opened_file = RwSignal::new(None::<(u64, String)>);
    let showing = Memo::new(move |_| {
        if let Some((id, _)) = opened_file.get() {
            return Showing::File(id);
        }
        url_state.with(|s| {
            if s.history {
                Showing::History(s.range)
            } else {
                Showing::Live
            }
        })
    });
    let history_capacity = api.config().history_buffer_lines;
    let progress = RwSignal::new(Progress::default());
    let archives = RwSignal::new(Vec::<ArchiveRow>::new());
    let load_signals = LoadSignals { progress, archives };
    // Lines a history range or file had beyond the buffer, oldest first.
    let left_out = RwSignal::new(0u64);
    let load_abort = StoredValue::new_local(None::<web_sys::AbortController>);
    // Bumped to read the same range again.
    let reload = RwSignal::new(0u64);
    // The file picked or dropped, until the effect that shows it reads it.
    let pending_file = StoredValue::new_local(None::<web_sys::File>);
    let file_seq = StoredValue::new(0u64);
    let open_file = move |file: web_sys::File| {
        let id = file_seq.get_value() + 1;
        file_seq.set_value(id);
        let name = file.name();
        pending_file.set_value(Some(file));
        opened_file.set(Some((id, name)));
    };
    let set_mode = move |history: bool| {
        opened_file.set(None);
        let mut q = nav
            .query()
            .with("mode", if history { "history" } else { "" });
        if history && url_state.with_untracked(|s| s.range.is_none()) {
            let r = hist::preset(now_secs(), 3600);
            q = q
                .with("from", &hist::to_url(r.from))
                .with("to", &hist::to_url(r.to));
        }
        nav.set_query(q);
    };
    let set_range = move |range: TimeRange| {
        opened_file.set(None);
        if url_state.with_untracked(|s| s.history && s.range == Some(range)) {
            // The same range again (a preset clicked twice in a minute): read it afresh.
            reload.update(|r| *r += 1);
            return;
        }
        nav.set_query(
            nav.query()
                .with("mode", "history")
                .with("from", &hist::to_url(range.from))
                .with("to", &hist::to_url(range.to)),
        );
    };
    let cancel_load = move |_| {
        if let Some(Some(c)) = load_abort.try_update_value(Option::take) {
            c.abort();
            load::mark_cancelled(load_signals);
        }
    };

    // Non-reactive state: the model and the queue of events not yet applied.
    // The buffer's size is configurable (`log_buffer_lines`): memory stays bounded either way.
    let capacity = api.config().log_buffer_lines;
    let model = StoredValue::new_local(Model::new(capacity));
    let pending = StoredValue::new_local(PendingEvents::new(capacity));
    let frame_requested = StoredValue::new_local(false);

    let version = RwSignal::new(0u64);
    // The panels (facets, volume, requests) redraw at most four times a second while lines
    // stream or a scan runs, and once more when it ends.
    let stats_version = RwSignal::new(0u64);
    let stats_drawn = StoredValue::new(0.0f64);
    let bump_stats = move |force: bool| {
        let now = now_ms();
        if force || now - stats_drawn.try_get_value().unwrap_or(0.0) >= 250.0 {
            stats_drawn.try_set_value(now);
            stats_version.try_update(|v| *v += 1);
        }
    };
    // Bumped when every row must be rebuilt (search or time zone changed).
    let generation = RwSignal::new(0u64);
    let scroll_top = RwSignal::new(0.0f64);
    let viewport_h = RwSignal::new(600.0f64);
    let following = RwSignal::new(true);
    let new_since = RwSignal::new(0usize);
    let paused = RwSignal::new(false);
    let selected = RwSignal::new(None::<u64>);
    let search_error = RwSignal::new(None::<String>);
    let field_error = RwSignal::new(None::<String>);
    let search_ms = RwSignal::new(0.0f64);
    // The running search's progress in percent, `None` when it is done.
    let search_percent = RwSignal::new(None::<u8>);
    // Bumped by every new search, so a search still running in slices knows it was replaced.
    let search_run = StoredValue::new(0u64);
    let received = RwSignal::new(0u64);
    let viewport = NodeRef::<html::Div>::new();
    let spacer = NodeRef::<html::Div>::new();
    let rows_box = NodeRef::<html::Div>::new();
    // Wrap lines: remembered per browser. Rows are then measured as they are drawn.
    let wrap = RwSignal::new(stored_flag(WRAP_KEY));
    let heights = StoredValue::new_local(RowHeights::default());
    // Bumped when a measured height changed: the rows' places must be computed again.
    let heights_version = RwSignal::new(0u64);
    // A line selected by the keyboard or a match, to bring into view again once the rows
    // around it are measured: its sequence number, whether to centre it, passes left.
    let revealing = StoredValue::new_local(None::<(u64, bool, u8)>);

    // This and `flush` also run from animation frames requested just before the user left
    // the page, when its values are already gone: they read them with `try_`, and stop.
    let scroll_to_bottom = move || {
        let vh = viewport_h.try_get_untracked().unwrap_or(0.0);
        if let (Some(Some(el)), Some(Some(sp)), Some(Some(total))) = (
            viewport.try_get_untracked(),
            spacer.try_get_untracked(),
            model.try_with_value(|m| heights.try_with_value(|h| layout(m, h, vh).total())),
        ) {
            // Set the height now rather than when the reactive style catches up, so the
            // scroll lands on the real bottom.
            let sp: &web_sys::HtmlElement = sp.as_ref();
            let _ = sp.style().set_property("height", &format!("{total}px"));
            // Computed, not read back: reading scrollHeight would force a layout per frame.
            // The browser clamps the value to the real bottom.
            el.set_scroll_top(i32::try_from(total).unwrap_or(i32::MAX));
            scroll_top.try_set((total as f64 - vh).max(0.0));
        }
    };
    let scroll_to = move |top: u64| {
        if let Some(el) = viewport.get_untracked() {
            el.set_scroll_top(i32::try_from(top).unwrap_or(i32::MAX));
            scroll_top.set(top as f64);
        }
    };

    // With Wrap lines on, the rows drawn are measured once laid out, before they are
    // painted: a mutation observer sees rows come and go, a resize observer sees them reflow
    // (a narrower window, a font loaded). A row above the one at the top of the viewport
    // that changed height moves the scroll position by as much, so what the reader looks at
    // stays put; in follow mode the view stays at the bottom.
    let measure_rows = move || {
        use wasm_bindgen::JsCast;
        if wrap.try_get_untracked() != Some(true) {
            return;
        }
        let Some(Some(container)) = rows_box.try_get_untracked() else {
            return;
        };
        let vh = viewport_h.get_untracked();
        let scroll = scroll_top.get_untracked().max(0.0) as u64;
        let anchor = model
            .with_value(|m| heights.with_value(|h| m.seq_at(layout(m, h, vh).row_at(scroll))))
            .unwrap_or(u64::MAX);
        let (mut shift, mut changed) = (0i64, false);
        let mut child = container.first_element_child();
        heights.update_value(|h| {
            while let Some(row) = child {
                if let Some(seq) = row.get_attribute("data-seq").and_then(|s| s.parse().ok()) {
                    let px = row
                        .dyn_ref::<web_sys::HtmlElement>()
                        .map_or(0, |r| r.offset_height());
                    let d = h.set(seq, u32::try_from(px).unwrap_or(0));
                    changed |= d != 0;
                    if seq < anchor {
                        shift += d;
                    }
                }
                child = row.next_element_sibling();
            }
        });
        // A line just selected by the keyboard or a match is brought into view with the
        // heights now known, until it stays put.
        if let Some((seq, center, passes)) = revealing.get_value() {
            let target = model.with_value(|m| {
                heights.with_value(|h| {
                    let l = layout(m, h, vh);
                    let row = m.row_of(seq)?;
                    Some(if center {
                        l.center(row)
                    } else {
                        l.reveal(scroll, row)
                    })
                })
            });
            match target {
                Some(top) if top != scroll && passes > 0 && !following.get_untracked() => {
                    revealing.set_value(Some((seq, center, passes - 1)));
                    if changed {
                        heights_version.update(|v| *v += 1);
                    }
                    scroll_to(top);
                    return;
                }
                _ => revealing.set_value(None),
            }
        }
        if !changed {
            return;
        }
        heights_version.update(|v| *v += 1);
        if following.get_untracked() {
            scroll_to_bottom();
        } else if shift != 0 {
            scroll_to((scroll as i64 + shift).max(0) as u64);
        }
    };
    let observers = StoredValue::new_local(None::<Observers>);
    Effect::new(move |_| {
        let on = wrap.get();
        let container = rows_box.get();
        // The observers in place, if any, are dropped (and so disconnected) first.
        observers.update_value(|o| {
            *o = None;
            if let (true, Some(container)) = (on, container) {
                *o = Observers::new(&container, true, measure_rows);
            }
        });
    });
    on_cleanup(move || {
        observers.try_update_value(Option::take);
    });
    // Heights measured for other rows or another width are forgotten: when the shown rows
    // change (search, filters, zone, reordered lines), when wrapping is turned on or off, and
    // when the width changes. The view keeps the row at its top where it was.
    let forget_heights = move || {
        let vh = viewport_h.get_untracked();
        let scroll = scroll_top.get_untracked().max(0.0) as u64;
        let Some(Some(Some((before, after)))) = model.try_with_value(|m| {
            heights.try_update_value(|h| {
                // Nothing measured: nothing to forget, no row moves.
                if h.is_uniform() {
                    return None;
                }
                let (row, before) = {
                    let l = layout(m, h, vh);
                    let row = l.row_at(scroll);
                    (row, l.top(row))
                };
                h.clear();
                Some((before, row as u64 * u64::from(rows::ROW_H)))
            })
        }) else {
            return;
        };
        heights_version.try_update(|v| *v += 1);
        if before != after && following.try_get_untracked() == Some(false) {
            let top = scroll - (before - after).min(scroll);
            scroll_to(top);
        }
    };
    Effect::new(move |_| {
        generation.track();
        wrap.track();
        forget_heights();
    });

    // After each slice of a search: shows the rows found so far. A slice may end after the
    // user left the page, whose values are then gone: it reads them with `try_`, and reports
    // the search as not done.
    // Rows found so far are drawn at most every 100 ms: drawing after each 12 ms slice took
    // a good part of the search's time on a million lines.
    let search_painted = StoredValue::new(0.0f64);
    let after_search_slice = move |done: bool| {
        let Some(percent) = model.try_with_value(Model::search_percent) else {
            return false;
        };
        let now = now_ms();
        if !done && now - search_painted.try_get_value().unwrap_or(0.0) < 100.0 {
            return false;
        }
        search_painted.try_set_value(now);
        search_percent.try_set(percent);
        bump_stats(done);
        version.try_update(|v| *v += 1);
        if following.try_get_untracked() == Some(true) {
            scroll_to_bottom();
        }
        done
    };
    // The sliced search task, one at a time: started by a new query, and again when lines
    // arrive faster than the inline matching takes (an archive chunk, a late line far back).
    let search_task = StoredValue::new(None::<u64>);
    let search_started = StoredValue::new(0.0f64);
    let kick_search = move || {
        let Some(run) = search_run.try_get_value() else {
            return;
        };
        if search_task.get_value() == Some(run) {
            return;
        }
        search_task.set_value(Some(run));
        leptos::task::spawn_local(async move {
            search::run(
                model,
                now_ms,
                move || search_run.try_get_value() == Some(run),
                move |done| {
                    if after_search_slice(done) {
                        let start = search_started.try_get_value().unwrap_or(0.0);
                        search_ms.try_set(now_ms() - start);
                    }
                },
            )
            .await;
            if search_task.try_get_value() == Some(Some(run)) {
                search_task.try_set_value(None);
            }
        });
    };
    let flush = move || {
        frame_requested.set_value(false);
        // Gone (see `scroll_to_bottom`) or paused: nothing to apply.
        if paused.try_get_untracked().unwrap_or(true) {
            return;
        }
        let events = pending
            .try_update_value(PendingEvents::take)
            .unwrap_or_default();
        if events.is_empty() {
            return;
        }
        let applied = model
            .try_update_value(|m| m.apply(events))
            .unwrap_or_default();
        received.set(model.with_value(Model::next_seq));
        let scanning = model.with_value(Model::scanning);
        if scanning {
            kick_search();
        }
        bump_stats(!scanning);
        if applied.reordered {
            // Late lines moved others down a row: rows must be drawn again.
            generation.update(|g| *g += 1);
        }
        if applied.reset {
            selected.set(None);
            new_since.set(0);
            following.set(true);
        }
        // Evicted lines' measured heights go with them.
        let evicted_extra = if applied.removed_front > 0 {
            let first = model.with_value(|m| m.seq_at(0)).unwrap_or(u64::MAX);
            heights
                .try_update_value(|h| h.forget_before(first))
                .unwrap_or(0)
        } else {
            0
        };
        if following.get_untracked() {
            version.update(|v| *v += 1);
            scroll_to_bottom();
        } else {
            // Keep the rows under the reader's eyes where they are while old ones are evicted.
            if applied.removed_front > 0 {
                if let Some(el) = viewport.get_untracked() {
                    let removed = applied.removed_front as f64 * ROW_H + evicted_extra as f64;
                    scroll_to((f64::from(el.scroll_top()) - removed).max(0.0) as u64);
                }
            }
            new_since.update(|n| *n += applied.added);
            version.update(|v| *v += 1);
        }
    };

    let schedule = move || {
        if !frame_requested.get_value() {
            frame_requested.set_value(true);
            request_animation_frame(flush);
        }
    };

    let on_event = move |e: StreamEvent| {
        if showing.try_get_untracked() != Some(Showing::Live) {
            return;
        }
        let is_paused = paused.try_get_untracked().unwrap_or(false);
        let queued = pending.try_update_value(|p| p.push(e, is_paused));
        match queued {
            Some(Queued::Now) => flush(),
            Some(Queued::AtNextFrame) => schedule(),
            None => {}
        }
    };

    // Memoized: a search or time-zone change must not restart the stream.
    let params = Memo::new(move |_| {
        let enabled = showing.get() == Showing::Live;
        url_state.with(|s| StreamParams {
            lines: s.lines,
            filter: s.filter.clone(),
            enabled,
        })
    });
    let stream = use_log_stream(api.clone(), source.clone(), params.into(), on_event);

    // History and files: lines land in the model as they are read; the view catches up
    // once per animation frame.
    let refresh_requested = StoredValue::new_local(false);
    let reordered = StoredValue::new_local(false);
    let refresh = move || {
        refresh_requested.try_set_value(false);
        let Some((next, evicted, searching, scanning)) = model.try_with_value(|m| {
            (
                m.next_seq(),
                m.store().evicted(),
                m.searching(),
                m.scanning(),
            )
        }) else {
            return;
        };
        // Counting alone (nothing narrows the view) waits for the load to end: lines first.
        let loading = progress.try_with_untracked(Progress::running) == Some(true);
        let searching = searching || (scanning && !loading);
        received.try_set(next);
        left_out.try_set(evicted);
        bump_stats(!searching);
        if reordered.try_update_value(std::mem::take) == Some(true) {
            generation.try_update(|g| *g += 1);
        }
        version.try_update(|v| *v += 1);
        if searching {
            kick_search();
        } else {
            search_percent.try_set(None);
        }
        if following.try_get_untracked() == Some(true) {
            scroll_to_bottom();
        }
    };
    let schedule_refresh = move || {
        if refresh_requested.try_get_value() == Some(false) {
            refresh_requested.set_value(true);
            request_animation_frame(refresh);
        }
    };
    let take_lines = move |lines: &Batch| {
        let applied = model.try_update_value(|m| m.extend(lines));
        if applied.is_some_and(|a| a.reordered) {
            reordered.try_set_value(true);
        }
        schedule_refresh();
    };
    let take_dump = move |lines: &Batch| {
        model.try_update_value(|m| {
            let fresh = dedupe_dump(m.store(), lines);
            m.extend(&fresh)
        });
        reordered.try_set_value(true);
        schedule_refresh();
    };

    // Switching between live, a history range and a file: a fresh model of the right size
    // (the search carries over), and the range's load.
    let start_load = {
        let api = api.clone();
        let source = source.clone();
        move |range: TimeRange| {
            let Ok(controller) = web_sys::AbortController::new() else {
                return;
            };
            let signal = controller.signal();
            load_abort.set_value(Some(controller));
            let filter = if supports_filter {
                url_state.with_untracked(|s| s.filter.clone())
            } else {
                String::new()
            };
            let job = load::Job {
                api: api.clone(),
                source: source.clone(),
                range,
                filter,
                now: crate::logs::line::Timestamp {
                    secs: now_secs(),
                    nanos: 0,
                },
            };
            leptos::task::spawn_local(load::run(job, signal, load_signals, take_lines, take_dump));
        }
    };
    Effect::new(move |prev: Option<(Showing, String, u64)>| {
        let now = showing.get();
        let filter = url_state.with(|s| s.filter.clone());
        let key = (now.clone(), filter, reload.get());
        if prev.as_ref() == Some(&key) {
            return key;
        }
        if let Some(Some(c)) = load_abort.try_update_value(Option::take) {
            c.abort();
        }
        let live = now == Showing::Live;
        // The live stream restarts itself on a filter change; anything else starts afresh.
        let live_filter_change = live && prev.as_ref().is_some_and(|(p, _, _)| *p == Showing::Live);
        if !live_filter_change && (prev.is_some() || !live) {
            let cap = if live { capacity } else { history_capacity };
            model.update_value(|m| *m = m.fresh(cap));
            pending.update_value(|p| {
                p.take();
            });
            selected.set(None);
            new_since.set(0);
            left_out.set(0);
            progress.set(Progress::default());
            archives.set(Vec::new());
            generation.update(|g| *g += 1);
            version.update(|v| *v += 1);
            following.set(live);
            // A viewport just mounted is at the top already: setting it would force a
            // layout of the whole page in the task that builds it (10 ms of its 80).
            if let Some(el) = viewport.get_untracked().filter(|_| prev.is_some()) {
                el.set_scroll_top(0);
                scroll_top.set(0.0);
            }
        }
        match &now {
            Showing::History(Some(range)) => start_load(*range),
            Showing::File(_) => {
                if let (Some(file), Ok(controller)) = (
                    pending_file.try_update_value(Option::take).flatten(),
                    web_sys::AbortController::new(),
                ) {
                    let signal = controller.signal();
                    load_abort.set_value(Some(controller));
                    leptos::task::spawn_local(load::open_file(
                        file,
                        signal,
                        load_signals,
                        take_lines,
                    ));
                }
            }
            _ => {}
        }
        key
    });
    on_cleanup(move || {
        if let Some(Some(c)) = load_abort.try_update_value(Option::take) {
            c.abort();
        }
    });
    // A load that ended leaves its lines to count.
    Effect::new(move |_| {
        if !progress.with(Progress::running) && model.with_value(Model::scanning) {
            kick_search();
        }
    });

    // A change of what is shown (search, field filters, time window, zone): the model starts
    // its scan over, the first slice runs now (a small buffer is done before the next
    // paint), the rest in slices that yield to the browser.
    let rescan = move |change: Box<dyn FnOnce(&mut Model)>| {
        let start = now_ms();
        model.update_value(change);
        search_run.update_value(|r| *r += 1);
        selected.set(None);
        generation.update(|g| *g += 1);
        let done = search::slice(model, now_ms) == Some(true);
        after_search_slice(done);
        search_started.set_value(start);
        if done {
            search_ms.set(now_ms() - start);
        } else {
            kick_search();
        }
        if following.get_untracked() {
            request_animation_frame(scroll_to_bottom);
        }
    };

    // Search: recompile when the query changes, then search the buffer in slices that
    // yield to the browser (see `search::run`); typing a new query replaces the running one.
    Effect::new(move |_| {
        let spec = url_state.with(|s| s.search.clone());
        let matcher = match Matcher::new(&spec) {
            Ok(m) => {
                search_error.set(None);
                m
            }
            Err(e) => {
                search_error.set(Some(e.to_string()));
                Matcher::everything()
            }
        };
        rescan(Box::new(move |m: &mut Model| m.set_matcher(matcher)));
    });
    // Field filters (`f=` in the URL, expressions joined by spaces).
    Effect::new(move |_| {
        let text = url_state.with(|s| s.fields.clone());
        let (set, errors) = FilterSet::from_query_values(text.iter().map(String::as_str));
        field_error.set(errors.first().map(|e| e.to_string()));
        rescan(Box::new(move |m: &mut Model| m.set_filters(set)));
    });
    Effect::new(move |prev: Option<bool>| {
        let local = url_state.with(|s| s.local_time);
        if prev.is_some_and(|p| p != local) {
            generation.update(|g| *g += 1);
        }
        if prev != Some(local) {
            let offset: OffsetFn = if local {
                std::rc::Rc::new(local_offset_minutes)
            } else {
                std::rc::Rc::new(|_| 0)
            };
            rescan(Box::new(move |m: &mut Model| m.set_offset(offset)));
        }
        local
    });

    // Viewport size: reported by a resize observer after the browser's own layout (once
    // mounted, then whenever the window or a pane beside it changes it), so building the page
    // forces no layout of its own: reading the height on mount was 10 ms of a first task of
    // 80 on the benchmark's machine.
    let measure = move || {
        if let Some(Some(el)) = viewport.try_get_untracked() {
            viewport_h.try_set(f64::from(el.client_height()).max(ROW_H));
        }
    };
    let size_watch = StoredValue::new_local(None::<Observers>);
    Effect::new(move |_| {
        if let Some(el) = viewport.get() {
            // Without observers (no browser the dashboard supports) 600 px is assumed.
            size_watch.set_value(Observers::new(&el, false, measure));
        }
    });
    on_cleanup(move || {
        size_watch.try_update_value(Option::take);
    });

    let on_scroll = move |_| {
        let Some(el) = viewport.get_untracked() else {
            return;
        };
        let top = f64::from(el.scroll_top());
        scroll_top.set(top);
        let at_bottom =
            top + f64::from(el.client_height()) >= f64::from(el.scroll_height()) - ROW_H;
        if at_bottom {
            if !following.get_untracked() {
                following.set(true);
                new_since.set(0);
            }
        } else if following.get_untracked() {
            following.set(false);
        }
    };

    let shown_len = Memo::new(move |_| {
        version.track();
        model.with_value(|m| m.shown_len())
    });
    let match_count = Memo::new(move |_| {
        version.track();
        model.with_value(|m| m.narrowed().then(|| m.shown_lines()))
    });
    // The height of all shown rows, for the scrollable spacer.
    let total_h = Memo::new(move |_| {
        shown_len.track();
        heights_version.track();
        let vh = viewport_h.get_untracked();
        model.with_value(|m| heights.with_value(|h| layout(m, h, vh).total()))
    });
    let window_rows = Memo::new(move |_| {
        shown_len.track();
        heights_version.track();
        let vh = viewport_h.get();
        let follow = following.get();
        let top = scroll_top.get().max(0.0) as u64;
        model.with_value(|m| heights.with_value(|h| layout(m, h, vh).window(top, follow)))
    });
    let rows = move || {
        version.track();
        let g = generation.get();
        let (start, end) = window_rows.get();
        model.with_value(|m| {
            (start..end)
                .filter_map(|r| m.row(r).map(|(seq, _)| (seq, g)))
                .collect::<Vec<_>>()
        })
    };
    let offset = move || {
        let (start, _) = window_rows.get();
        heights_version.track();
        let vh = viewport_h.get_untracked();
        let top = model.with_value(|m| heights.with_value(|h| layout(m, h, vh).top(start)));
        format!("translateY({top}px)")
    };

    let render_row = move |(seq, _g): (u64, u64)| {
        let local = url_state.with_untracked(|s| s.local_time);
        let built = model.with_value(|m| {
            let stored = m.line(seq)?;
            Some(match stored.gap {
                true => None,
                false => {
                    let l = LogLine::parse(stored.raw);
                    let time = match l.timestamp() {
                        Some(ts) if local => ts.format(local_offset_minutes(ts.secs)),
                        Some(ts) => ts.format(0),
                        None => l.time().unwrap_or_default().to_owned(),
                    };
                    let container = l.container().unwrap_or_default().to_owned();
                    let ranges = m.matcher().ranges(l.plain_message());
                    let html = render(l.message(), &ranges).into_string();
                    Some((time, container, html))
                }
            })
        });
        match built.flatten() {
            None => view! {
                <div class="sld-log-row sld-log-gap" role="option" aria-selected="false">"Reconnected: lines may be missing here"</div>
            }
            .into_any(),
            Some((time, container, html)) => {
                let class = format!("sld-log-container {}", container_class(&container));
                view! {
                    <div
                        class="sld-log-row"
                        role="option"
                        aria-selected=move || (selected.get() == Some(seq)).to_string()
                        class:sld-log-row--selected=move || selected.get() == Some(seq)
                        id=format!("sld-log-row-{seq}")
                        data-seq=seq
                        on:click=move |_| selected.set(Some(seq))
                    >
                        <span class="sld-log-time">{time}</span>
                        <span class=class>{container}</span>
                        <span class="sld-log-msg" inner_html=html></span>
                    </div>
                }
                .into_any()
            }
        }
    };

    // Next / previous match: moves the selection and scrolls it into view.
    let go_match = move |forward: bool| {
        let vh = viewport_h.get_untracked();
        let scroll = scroll_top.get_untracked().max(0.0) as u64;
        let target = model.with_value(|m| {
            heights.with_value(|h| {
                let l = layout(m, h, vh);
                let len = m.shown_len();
                if len == 0 {
                    return None;
                }
                let current = selected.get_untracked().and_then(|s| m.row_of(s));
                let row = match (current, forward) {
                    (Some(r), true) => (r + 1).min(len - 1),
                    (Some(r), false) => r.saturating_sub(1),
                    (None, true) => first_in_view(&l, scroll),
                    (None, false) => len - 1,
                };
                Some((m.seq_at(row)?, l.center(row)))
            })
        });
        if let Some((seq, top)) = target {
            selected.set(Some(seq));
            following.set(false);
            scroll_to(top);
            revealing.set_value(Some((seq, true, REVEAL_PASSES)));
        }
    };

    // Keyboard selection in the focused viewport, as in a list: arrows, Page Up/Down, Home,
    // End; Escape clears it. The selected row is kept in view with the least scrolling.
    let follow_now = move || {
        following.set(true);
        new_since.set(0);
        version.update(|v| *v += 1);
        request_animation_frame(scroll_to_bottom);
    };

    let move_selection = move |how: Move| {
        let vh = viewport_h.get_untracked();
        let scroll = scroll_top.get_untracked().max(0.0) as u64;
        let target = model.with_value(|m| {
            heights.with_value(|h| {
                let l = layout(m, h, vh);
                let len = m.shown_len();
                if len == 0 {
                    return None;
                }
                let last = len - 1;
                let current = selected.get_untracked().and_then(|s| m.row_of(s));
                let row = match (how, current) {
                    (Move::First, _) => 0,
                    (Move::Last, _) => last,
                    (Move::By(n), Some(r)) => r.saturating_add_signed(n).min(last),
                    (Move::Pages(n), Some(r)) => l.page_from(r, n as i64),
                    // Nothing selected yet: start from the edge of the rows in view.
                    (Move::By(n) | Move::Pages(n), None) if n > 0 => first_in_view(&l, scroll),
                    (_, None) => last_in_view(&l, scroll),
                };
                Some((m.seq_at(row)?, l.reveal(scroll, row)))
            })
        });
        if let Some((seq, top)) = target {
            selected.set(Some(seq));
            if matches!(how, Move::Last) {
                // The newest line: the view follows from there.
                follow_now();
                return;
            }
            following.set(false);
            if top != scroll {
                scroll_to(top);
            }
            // Rows not drawn yet count as one text line: once drawn and measured, the line
            // is brought into view again (see `measure_rows`).
            revealing.set_value(Some((seq, false, REVEAL_PASSES)));
        }
    };
    let on_viewport_key = move |ev: leptos::ev::KeyboardEvent| {
        let how = match ev.key().as_str() {
            "ArrowDown" => Move::By(1),
            "ArrowUp" => Move::By(-1),
            "PageDown" => Move::Pages(1),
            "PageUp" => Move::Pages(-1),
            "Home" => Move::First,
            "End" => Move::Last,
            "Escape" if selected.get_untracked().is_some() => {
                ev.prevent_default();
                selected.set(None);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        move_selection(how);
    };

    let toggle_pause = move |_| {
        let now = !paused.get_untracked();
        paused.set(now);
        if !now {
            schedule();
        }
    };

    let download_all = RwSignal::new(false);
    let download_strip = RwSignal::new(true);
    let download_name = format!(
        "{}{}-logs.log",
        app,
        addon.as_ref().map(|a| format!("-{a}")).unwrap_or_default()
    );
    let download = move |_| {
        let strip = download_strip.get_untracked();
        let text = model.with_value(|m| {
            if download_all.get_untracked() {
                download_text(m.all_raw(), strip)
            } else {
                download_text(m.shown_raw(), strip)
            }
        });
        crate::ui::download_text(&download_name, "text/plain;charset=utf-8", &text);
    };

    let copy_status = RwSignal::new(None::<&'static str>);
    let copy_selected = move |_| {
        let Some(seq) = selected.get_untracked() else {
            return;
        };
        let text = model.with_value(|m| m.line(seq).filter(|l| !l.gap).map(|l| l.raw.to_owned()));
        if let Some(text) = text {
            leptos::task::spawn_local(async move {
                let ok = crate::ui::copy_to_clipboard(&text).await;
                copy_status.set(Some(if ok {
                    "Copied"
                } else {
                    "Copy failed: the browser refused the clipboard"
                }));
            });
        }
    };

    // Two reads for the pickers, each failing and retrying on its own: the app's container
    // types (filter) and its addons (source). Neither holds up the lines, which stream
    // whatever these answer; a failure shows beside its picker with a Retry.
    let containers_read = {
        let api = api.clone();
        let app = app.clone();
        use_fetch(move || {
            let api = api.clone();
            let app = app.clone();
            async move {
                if supports_filter {
                    apps::list_containers(&api, &app).await
                } else {
                    Ok(Vec::new())
                }
            }
        })
    };
    let addons_read = {
        let api = api.clone();
        let app = app.clone();
        use_fetch(move || {
            let api = api.clone();
            let app = app.clone();
            async move {
                // One malformed addon is left out (and counted) rather than hide the others.
                apps::list_addons_each(&api, &app).await.map(|entries| {
                    let unreadable = entries.iter().filter(|e| e.is_err()).count();
                    let addons: Vec<(String, String)> = entries
                        .into_iter()
                        .filter_map(Result::ok)
                        .map(|a| (a.id.clone(), a.label()))
                        .collect();
                    (addons, unreadable)
                })
            }
        })
    };
    let containers = move || containers_read.get().and_then(Result::ok);
    let filter_options = move || {
        containers()
            .map(|t| filter::options(&t))
            .unwrap_or_else(|| filter::options(&[]))
    };
    let filter_warning = move || {
        let f = url_state.with(|s| s.filter.clone());
        containers()
            .and_then(|t| filter::check(&f, &t).err())
            .map(|w| w.to_string())
    };
    // Source: the app or one of its addons; another source is another page.
    let current_source = addon.clone().unwrap_or_default();
    let source_app = app.clone();
    let pick_source = move |ev: leptos::ev::Event| {
        let picked = event_target_value(&ev);
        let app = source_app.clone();
        nav.go(if picked.is_empty() {
            Route::Logs {
                app,
                query: Query::default(),
            }
        } else {
            Route::AddonLogs {
                app,
                addon: picked,
                query: Query::default(),
            }
        });
    };
    let source_picker = {
        let app = app.clone();
        move || {
            let (mut addons, unreadable) = match addons_read.get() {
                Some(Ok(read)) => read,
                _ => (Vec::new(), 0),
            };
            let current = current_source.clone();
            // A link to an addon the list does not hold still names it, rather than show the app.
            if !current.is_empty() && !addons.iter().any(|(id, _)| *id == current) {
                addons.push((
                    current.clone(),
                    format!("{current} (not among this app's addons)"),
                ));
            }
            let failed = addons_read.get().and_then(Result::err);
            (!addons.is_empty() || failed.is_some()).then(|| {
                view! {
                    <div class="sld-field sld-field--inline">
                        <label for="sld-log-source">"Source"</label>
                        <select id="sld-log-source" on:change=pick_source.clone()>
                            <option value="" selected=current.is_empty()>{format!("{app} (app)")}</option>
                            {addons.into_iter().map(|(id, label)| {
                                let selected = id == current;
                                view! { <option value=id selected=selected>{label}</option> }
                            }).collect_view()}
                        </select>
                        {(unreadable > 0).then(|| view! {
                            <span class="sld-muted">{count(unreadable, "addon could not be read", "addons could not be read")}</span>
                        })}
                    </div>
                    {failed.map(|e| view! {
                        <PickerError what="Addons could not be listed." error=e.to_string() retry=Callback::new(move |_| addons_read.refetch()) />
                    })}
                }
            })
        }
    };
    let filter_draft = RwSignal::new(url_state.with_untracked(|s| s.filter.clone()));
    Effect::new(move |_| filter_draft.set(url_state.with(|s| s.filter.clone())));

    let status_text = move || {
        match showing.get() {
            Showing::Live => {}
            Showing::File(_) => {
                let name = opened_file.with(|f| f.as_ref().map(|(_, n)| n.clone()));
                return format!("file · {}", name.unwrap_or_default());
            }
            Showing::History(_) => {
                return format!("history · {}", phase_label(progress.with(|p| p.phase)));
            }
        }
        let s = stream.status.get();
        let transport = s.transport.map(|t| t.label()).unwrap_or("…");
        let state = if paused.get() {
            let queued = pending.with_value(PendingEvents::lines);
            version.track();
            format!("paused ({queued} new buffered)")
        } else {
            match s.state {
                StreamState::Connecting => "connecting".to_owned(),
                StreamState::Live => "live".to_owned(),
                StreamState::Reconnecting { in_secs } => format!("reconnecting in {in_secs}s"),
                StreamState::Error(e) => format!("error: {e}"),
                StreamState::Off => "off".to_owned(),
            }
        };
        format!("{transport} · {state}")
    };
    let status_kind = move || {
        if showing.get() != Showing::Live {
            return "history";
        }
        if paused.get() {
            return "paused";
        }
        match stream.status.get().state {
            StreamState::Connecting => "connecting",
            StreamState::Live => "live",
            StreamState::Reconnecting { .. } => "reconnecting",
            StreamState::Error(_) => "error",
            StreamState::Off => "off",
        }
    };
    // A pause keeps lines queued; refresh the pill's count now and then.
    let tick = RwSignal::new(0u32);
    let interval = set_interval_with_handle(
        move || {
            if paused.get_untracked() {
                tick.update(|t| *t += 1)
            }
        },
        std::time::Duration::from_millis(500),
    )
    .ok();
    on_cleanup(move || {
        if let Some(h) = interval {
            h.clear();
        }
    });

    // Structured fields: filters (chips, in the URL), facets, the volume chart, requests.
    let filter_texts = Signal::derive(move || url_state.with(|s| s.fields.clone()));
    let set_filters = move |list: Vec<String>| set_param("f", list.join(" "));
    let add_filter = move |text: String| match FieldFilter::parse(text.trim()) {
        Ok(f) => {
            field_error.set(None);
            let expr = f.to_string();
            let mut list = filter_texts.get_untracked();
            if !list.contains(&expr) {
                list.push(expr);
                set_filters(list);
            }
        }
        Err(e) => field_error.set(Some(e.to_string())),
    };
    let remove_filter = move |expr: String| {
        let mut list = filter_texts.get_untracked();
        list.retain(|e| *e != expr);
        set_filters(list);
    };
    let on_field_filter = Callback::new(move |f: FieldFilter| add_filter(f.to_string()));
    let facet_chosen = RwSignal::new(
        ["status", "method", "level", "container"]
            .map(String::from)
            .to_vec(),
    );
    let facets = Memo::new(move |_| {
        stats_version.track();
        let chosen = facet_chosen.get();
        model.with_value(|m| {
            let f = &m.stats().facets;
            f.seen_fields()
                .into_iter()
                .map(|field| FacetSummary {
                    key: field.key.to_owned(),
                    lines: field.lines,
                    values: if chosen.iter().any(|c| c == field.key) {
                        f.top(field.key, 10)
                            .into_iter()
                            .map(|v| (v.value.to_owned(), v.count, v.share))
                            .collect()
                    } else {
                        Vec::new()
                    },
                })
                .collect::<Vec<_>>()
        })
    });
    let buckets = Memo::new(move |_| {
        stats_version.track();
        model.with_value(|m| m.stats().volume.buckets())
    });
    let request_sort = RwSignal::new((RequestColumn::Count, true));
    let request_rows = Memo::new(move |_| {
        stats_version.track();
        let (column, desc) = request_sort.get();
        model.with_value(|m| m.stats().requests.rows(column, desc))
    });
    let volume_selection = RwSignal::new(None::<(i64, i64)>);
    let select_time = move |(from, to): (i64, i64)| {
        if matches!(showing.get_untracked(), Showing::History(_)) {
            if let Some(r) = TimeRange::new(
                crate::logs::line::Timestamp {
                    secs: from,
                    nanos: 0,
                },
                crate::logs::line::Timestamp { secs: to, nanos: 0 },
            ) {
                set_range(r);
            }
        } else {
            volume_selection.set(Some((from, to)));
            let window = Some((from * 1_000_000_000, to * 1_000_000_000));
            rescan(Box::new(move |m: &mut Model| m.set_window(window)));
        }
    };
    let clear_time = move || {
        if volume_selection.get_untracked().is_some() {
            volume_selection.set(None);
            rescan(Box::new(move |m: &mut Model| m.set_window(None)));
        }
    };
    let filter_path = move |path: String| add_filter(path_filter(&path));
    let details = move || {
        let seq = selected.get()?;
        version.track();
        let (raw, time) = model.with_value(|m| {
            m.line(seq)
                .filter(|l| !l.gap)
                .map(|l| (l.raw.to_owned(), l.time))
        })?;
        Some(view! {
            <LineDetails raw=raw time_nanos=time
                local=Signal::derive(move || url_state.with(|s| s.local_time))
                on_filter=on_field_filter
                on_close=Callback::new(move |_| selected.set(None))/>
        })
    };

    let title = match &addon {
        Some(a) => format!("Logs of {app} — addon {a}"),
        None => format!("Logs of {app}"),
    };

    view! {
        <section class="sld-page sld-logs" aria-labelledby="sld-logs-title"
            data-received=move || received.get()
            data-shown=move || shown_len.get()
            data-search-us=move || (search_ms.get() * 1000.0) as u64
            data-searching=move || search_percent.get().is_some().then_some("true")
        >
            <div class="sld-logs__head">
                <h1 id="sld-logs-title" tabindex="-1">{title}</h1>
                <span
                    class=move || format!("sld-log-status sld-log-status--{}", status_kind())
                    role="status"
                    aria-live="polite"
                    data-state=status_kind
                    data-transport=move || stream.status.get().transport.map(|t| t.label()).unwrap_or("")
                >
                    {move || { tick.track(); status_text() }}
                    {move || {
                        let n = stream.malformed.get();
                        (n > 0).then(|| format!(" · {n} skipped"))
                    }}
                    {move || {
                        let n = stream.reconnects.get();
                        (n > 0).then(|| format!(" · reconnected {n}×"))
                    }}
                </span>
                <span class="sld-muted sld-log-total">{move || count(shown_len.get(), "line", "lines")}</span>
            </div>
            <div class="sld-log-toolbar" role="toolbar" aria-label="Log viewer controls">
                {source_picker}
                <div class="sld-field sld-field--inline sld-log-mode" role="radiogroup" aria-label="Mode">
                    <label class="sld-check">
                        <input type="radio" name="sld-log-mode" id="sld-log-mode-live"
                            prop:checked=move || showing.get() == Showing::Live
                            on:change=move |_| set_mode(false)/>
                        "Live"
                    </label>
                    <label class="sld-check">
                        <input type="radio" name="sld-log-mode" id="sld-log-mode-history"
                            prop:checked=move || matches!(showing.get(), Showing::History(_))
                            on:change=move |_| set_mode(true)/>
                        "History"
                    </label>
                </div>
                {move || (showing.get() == Showing::Live).then(|| view! {
                    <div class="sld-field sld-field--inline">
                        <label for="sld-log-lines">"Last lines"</label>
                        <select id="sld-log-lines"
                            on:change=move |ev| set_param("n", event_target_value(&ev))
                            prop:value=move || url_state.with(|s| s.lines.to_string())
                        >
                            {LINE_CHOICES.iter().map(|n| view! { <option value=n.to_string()>{thousands(*n)} " lines"</option> }).collect_view()}
                        </select>
                    </div>
                })}
                {supports_filter.then(|| view! {
                    <div class="sld-field sld-field--inline">
                        <label for="sld-log-filter-pick">"Containers"</label>
                        <select id="sld-log-filter-pick"
                            on:change=move |ev| set_param("filter", event_target_value(&ev))
                            prop:value=move || url_state.with(|s| s.filter.clone())
                        >
                            {move || {
                                let current = url_state.with(|s| s.filter.clone());
                                let mut opts = filter_options();
                                if !opts.iter().any(|o| o.value == current) {
                                    opts.push(FilterOption { value: current.clone(), label: format!("custom: {current}") });
                                }
                                opts.into_iter().map(|o| {
                                    let sel = o.value == current;
                                    view! { <option value=o.value selected=sel>{o.label}</option> }
                                }).collect_view()
                            }}
                        </select>
                    </div>
                    {move || containers_read.get().and_then(Result::err).map(|e| view! {
                        <PickerError what="Container types could not be read." error=e.to_string() retry=Callback::new(move |_| containers_read.refetch()) />
                    })}
                    <div class="sld-field sld-field--inline">
                        <label for="sld-log-filter">"Filter (regex)"</label>
                        <input id="sld-log-filter" type="text" placeholder="web|worker" spellcheck="false"
                            prop:value=move || filter_draft.get()
                            aria-invalid=move || filter_warning().is_some().then_some("true")
                            aria-describedby="sld-log-filter-warning"
                            on:input=move |ev| filter_draft.set(event_target_value(&ev))
                            on:change=move |ev| set_param("filter", event_target_value(&ev).trim().to_owned())
                        />
                        <p class="sld-field-warning" id="sld-log-filter-warning" role="status">{filter_warning}</p>
                    </div>
                })}
                <div class="sld-field sld-field--inline sld-log-search">
                    <label for="sld-log-search">"Search"</label>
                    <input id="sld-log-search" type="search" spellcheck="false"
                        prop:value=move || url_state.with(|s| s.search.query.clone())
                        aria-invalid=move || search_error.get().is_some().then_some("true")
                        aria-describedby="sld-log-search-error"
                        on:input=move |ev| set_param("q", event_target_value(&ev))
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                            if ev.key() == "Enter" {
                                ev.prevent_default();
                                go_match(!ev.shift_key());
                            }
                        }
                    />
                    <Check id="sld-log-regex" label="Regex"
                        checked=Signal::derive(move || url_state.with(|s| s.search.regex))
                        on_toggle=Callback::new(move |on| set_param("re", flag(on)))/>
                    <Check id="sld-log-case" label="Case"
                        checked=Signal::derive(move || url_state.with(|s| s.search.case_sensitive))
                        on_toggle=Callback::new(move |on| set_param("case", flag(on)))/>
                    <Check id="sld-log-invert" label="Invert"
                        checked=Signal::derive(move || url_state.with(|s| s.search.invert))
                        on_toggle=Callback::new(move |on| set_param("inv", flag(on)))/>
                    <output class="sld-log-count" for="sld-log-search" aria-live="polite">
                        {move || match search_percent.get() {
                            Some(p) => Some(format!("Searching… {p}%")),
                            None => match_count.get().map(|n| count(n, "matching line", "matching lines")),
                        }}
                    </output>
                    <button type="button" class="sld-button" on:click=move |_| go_match(false) aria-label="Previous match" title="Previous match (Shift+Enter)">"↑"</button>
                    <button type="button" class="sld-button" on:click=move |_| go_match(true) aria-label="Next match" title="Next match (Enter)">"↓"</button>
                    <p class="sld-field-error" id="sld-log-search-error" role="alert">{move || search_error.get()}</p>
                </div>
                <FieldFilterBar filters=filter_texts
                    on_add=Callback::new(add_filter)
                    on_remove=Callback::new(remove_filter)
                    error=Signal::from(field_error)/>
                <div class="sld-log-actions">
                    {move || (showing.get() == Showing::Live).then(|| view! {
                    <button type="button" class="sld-button" on:click=toggle_pause aria-pressed=move || paused.get().to_string()>
                        {move || if paused.get() { "Resume" } else { "Pause" }}
                    </button>
                    <button type="button" class="sld-button" on:click=move |_| follow_now() aria-pressed=move || following.get().to_string()>"Follow"</button>
                    })}
                    <Check id="sld-log-wrap" label="Wrap lines"
                        checked=Signal::from(wrap)
                        on_toggle=Callback::new(move |on: bool| {
                            wrap.set(on);
                            store_flag(WRAP_KEY, on);
                        })/>
                    <Check id="sld-log-local" label="Local time"
                        checked=Signal::derive(move || url_state.with(|s| s.local_time))
                        on_toggle=Callback::new(move |on: bool| set_param("tz", if on { "local".into() } else { String::new() }))/>
                    <div class="sld-field sld-field--inline">
                        <label for="sld-log-file">"Open a log file"</label>
                        <input id="sld-log-file" type="file" accept=".log,.gz,.txt,text/plain,application/gzip"
                            on:change=move |ev| {
                                let input: web_sys::HtmlInputElement = event_target(&ev);
                                if let Some(file) = input.files().and_then(|f| f.get(0)) {
                                    open_file(file);
                                }
                                input.set_value("");
                            }/>
                    </div>
                    <div class="sld-field sld-field--inline">
                        <label for="sld-log-download-what">"Download"</label>
                        <select id="sld-log-download-what" on:change=move |ev| download_all.set(event_target_value(&ev) == "all")>
                            <option value="shown">"shown lines"</option>
                            <option value="all">"all buffered lines"</option>
                        </select>
                    </div>
                    <Check id="sld-log-strip" label="Strip colours"
                        checked=Signal::from(download_strip)
                        on_toggle=Callback::new(move |on| download_strip.set(on))/>
                    <button type="button" class="sld-button" id="sld-log-download" on:click=download>"Download .log"</button>
                    <button type="button" class="sld-button" on:click=copy_selected disabled=move || selected.get().is_none()>"Copy selected line"</button>
                    <span class="sld-muted" role="status" aria-live="polite">{move || copy_status.get()}</span>
                </div>
            </div>
            {move || matches!(showing.get(), Showing::History(_) | Showing::File(_)).then(|| view! {
                <HistoryBar
                    showing=showing
                    range=Signal::derive(move || url_state.with(|s| s.range))
                    local=Signal::derive(move || url_state.with(|s| s.local_time))
                    progress=progress
                    archives=archives
                    left_out=left_out
                    capacity=history_capacity
                    on_range=Callback::new(set_range)
                    on_cancel=Callback::new(cancel_load)
                />
            })}
            <VolumeChart buckets=Signal::from(buckets)
                local=Signal::derive(move || url_state.with(|s| s.local_time))
                selection=Signal::from(volume_selection)
                on_select=Callback::new(select_time)
                on_clear=Callback::new(move |_| clear_time())/>
            <div class="sld-log-body">
            <div class="sld-log-frame">
                <div class="sld-log-viewport" node_ref=viewport on:scroll=on_scroll tabindex="0"
                    class:sld-log-viewport--wrap=move || wrap.get()
                    role="listbox" aria-label="Log lines (arrows select a line)"
                    aria-activedescendant=move || selected.get().map(|seq| format!("sld-log-row-{seq}"))
                    on:keydown=on_viewport_key
                    on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
                    on:drop=move |ev: leptos::ev::DragEvent| {
                        ev.prevent_default();
                        if let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
                            open_file(file);
                        }
                    }
                >
                    <div class="sld-log-spacer" node_ref=spacer style:height=move || format!("{}px", total_h.get())>
                        <div class="sld-log-rows" node_ref=rows_box style:transform=offset>
                            <For each=rows key=|k| *k let:item>
                                {render_row(item)}
                            </For>
                        </div>
                    </div>
                </div>
                {move || (shown_len.get() == 0).then(|| view! {
                    <p class="sld-log-empty sld-muted">{move || match stream.status.get().state {
                        _ if search_percent.get().is_some() => "Searching…".to_owned(),
                        _ if showing.get() != Showing::Live => {
                            let p = progress.get();
                            if p.running() {
                                "Loading history…".to_owned()
                            } else if match_count.get().is_some() {
                                "No line matches the search.".to_owned()
                            } else if p.phase == Phase::Idle {
                                "Choose a time range.".to_owned()
                            } else {
                                "No log line in this range.".to_owned()
                            }
                        }
                        StreamState::Live if match_count.get().is_some() => "No line matches the search.".to_owned(),
                        StreamState::Live => "No logs yet. New lines will appear here.".to_owned(),
                        StreamState::Error(e) => format!("The logs cannot be read: {e}"),
                        StreamState::Off => String::new(),
                        _ => "Waiting for logs…".to_owned(),
                    }}</p>
                })}
                {move || (!following.get() && new_since.get() > 0).then(|| view! {
                    <button type="button" class="sld-button sld-button--primary sld-log-new" on:click=move |_| follow_now()>
                        {move || format!("{} ↓", count(new_since.get(), "new line", "new lines"))}
                    </button>
                })}
            </div>
            <FacetsPanel fields=Signal::from(facets)
                chosen=Signal::from(facet_chosen)
                on_choose=Callback::new(move |(key, on): (String, bool)| facet_chosen.update(|c| {
                    c.retain(|k| *k != key);
                    if on {
                        c.push(key);
                    }
                }))
                on_filter=on_field_filter/>
            </div>
            {details}
            {move || (!request_rows.with(Vec::is_empty)).then(|| view! {
                <RequestsTable rows=Signal::from(request_rows)
                    sort=Signal::from(request_sort)
                    on_sort=Callback::new(move |s| request_sort.set(s))
                    on_filter=Callback::new(filter_path)/>
            })}
        </section>
    }
}

/// A labelled checkbox; one component so every toggle shares its code in the bundle.
#[component]
fn Check(
    /// Element id of the input.
    id: &'static str,
    /// Visible label.
    label: &'static str,
    /// Whether it is checked.
    checked: Signal<bool>,
    /// Called with the new state.
    on_toggle: Callback<bool>,
) -> impl IntoView {
    view! {
        <label class="sld-check">
            <input type="checkbox" id=id prop:checked=move || checked.get()
                on:change=move |ev| on_toggle.run(event_target_checked(&ev))/>
            {label}
        </label>
    }
}

/// The virtual list's geometry over the model's shown rows, with a viewport `viewport`
/// pixels high.
fn layout<'a>(
    m: &'a Model,
    heights: &'a RowHeights,
    viewport: f64,
) -> Layout<'a, impl Fn(usize) -> Option<u64> + 'a, impl Fn(u64) -> Option<usize> + 'a> {
    Layout {
        heights,
        rows: m.shown_len(),
        viewport: viewport.max(0.0) as u64,
        seq_of: move |r| m.seq_at(r),
        row_of: move |s| m.row_of(s),
    }
}

/// The first row wholly in view with the viewport's top at `scroll` (the one partly in view
/// when it is the only one).
fn first_in_view<S: Fn(usize) -> Option<u64>, R: Fn(u64) -> Option<usize>>(
    l: &Layout<'_, S, R>,
    scroll: u64,
) -> usize {
    let r = l.row_at(scroll);
    if l.top(r) < scroll && r + 1 < l.rows && l.top(r + 1) + l.height(r + 1) <= scroll + l.viewport
    {
        r + 1
    } else {
        r
    }
}

/// The last row wholly in view with the viewport's top at `scroll` (the one partly in view
/// when it is the only one).
fn last_in_view<S: Fn(usize) -> Option<u64>, R: Fn(u64) -> Option<usize>>(
    l: &Layout<'_, S, R>,
    scroll: u64,
) -> usize {
    let bottom = scroll + l.viewport;
    let r = l.row_at(bottom.saturating_sub(1));
    if l.top(r) + l.height(r) > bottom && r > 0 && l.top(r - 1) >= scroll {
        r - 1
    } else {
        r
    }
}

/// Observers calling back when an element changes size (and once after it is first laid
/// out) and, for rows, when children come or go: the viewport's height, and the drawn rows
/// measured while Wrap lines is on (see `measure_rows`).
struct Observers {
    resizes: web_sys::ResizeObserver,
    mutations: Option<web_sys::MutationObserver>,
    _callback: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

impl Observers {
    /// Observes `el`'s size, and its children if `children`, until dropped. `None` when the
    /// browser has no such observers (the viewport then keeps its assumed height, rows their
    /// estimated ones).
    fn new(el: &web_sys::Element, children: bool, changed: impl Fn() + 'static) -> Option<Self> {
        use wasm_bindgen::JsCast;
        let callback = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(changed);
        let f: &js_sys::Function = callback.as_ref().unchecked_ref();
        let mutations = if children {
            let m = web_sys::MutationObserver::new(f).ok()?;
            let init = web_sys::MutationObserverInit::new();
            init.set_child_list(true);
            m.observe_with_options(el, &init).ok()?;
            Some(m)
        } else {
            None
        };
        let resizes = web_sys::ResizeObserver::new(f).ok()?;
        resizes.observe(el);
        Some(Observers {
            resizes,
            mutations,
            _callback: callback,
        })
    }
}

/// Disconnected when dropped, so that no observer calls the callback after it is freed.
impl Drop for Observers {
    fn drop(&mut self) {
        if let Some(m) = &self.mutations {
            m.disconnect();
        }
        self.resizes.disconnect();
    }
}

/// A flag remembered by this browser (`localStorage`), off when storage is unavailable.
fn stored_flag(key: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(key).ok().flatten())
        .is_some_and(|v| v == "1")
}

/// Remembers a flag in this browser; storage refused (private mode, a sandboxed frame) only
/// means it is not remembered.
fn store_flag(key: &str, on: bool) {
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = if on {
            s.set_item(key, "1")
        } else {
            s.remove_item(key)
        };
    }
}

fn flag(on: bool) -> String {
    if on {
        "1".into()
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::Query;

    #[test]
    fn the_url_reproduces_the_view() {
        let q = Query::parse("n=1000&filter=web%7Cworker&q=err&re=1&inv=1&tz=local");
        let s = UrlState::from_query(&q);
        assert_eq!(s.lines, 1000);
        assert_eq!(s.filter, "web|worker");
        assert_eq!(s.search.query, "err");
        assert!(s.search.regex && s.search.invert && !s.search.case_sensitive);
        assert!(s.local_time);
    }

    #[test]
    fn a_requests_row_filters_on_its_collapsed_path() {
        let f = path_filter("/users/:id/orders");
        assert_eq!(f, "path~^/users/[^/?]+/orders(?:[?]|$)");
        let parsed = FieldFilter::parse(&f).expect("a valid filter");
        let line = |p: &str| format!("method=GET path=\"{p}\" status=200");
        let keeps = |p: &str| parsed.matches(&crate::logs::fields::fields(&line(p)));
        assert!(keeps("/users/42/orders") && keeps("/users/ab12/orders?page=2"));
        assert!(!keeps("/users/42/orders/7") && !keeps("/users/orders"));
        assert!(FieldFilter::parse(&path_filter("/a.b/:id")).is_ok());
        // Regex characters, and the filter syntax's space and quote, are escaped.
        assert_eq!(
            path_filter("/a b/\"q\"/x-y.z"),
            "path~^/a\\ b/\\\"q\\\"/x\\-y\\.z(?:[?]|$)"
        );
    }

    #[test]
    fn unknown_history_sizes_fall_back_to_one_hundred() {
        assert_eq!(UrlState::from_query(&Query::parse("n=99999")).lines, 100);
    }
}

/// A picker whose data could not be read: said beside it, with a Retry, while the lines go on.
#[component]
fn PickerError(
    /// What could not be read, e.g. "Addons could not be listed."
    what: &'static str,
    /// Why, in the server's or the client's words.
    error: String,
    /// Reads the picker's data again.
    retry: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="sld-error sld-log-picker-error" role="alert">
            <span>{what} " " {error}</span>
            <button type="button" class="sld-button" on:click=move |_| retry.run(())>"Retry"</button>
        </div>
    }
}

fn phase_label(phase: Phase) -> &'static str {
    match phase {
        Phase::Idle => "choose a range",
        Phase::Listing => "listing archives",
        Phase::Downloading => "reading archives",
        Phase::Dump => "reading the live logs",
        Phase::Done => "loaded",
        Phase::Cancelled => "cancelled",
    }
}

/// The history controls: presets, From and To (in the time zone the toggle chooses), the
/// progress of a load with Cancel, what it found, and the Archives list.
#[component]
fn HistoryBar(
    showing: Memo<Showing>,
    range: Signal<Option<TimeRange>>,
    local: Signal<bool>,
    progress: RwSignal<Progress>,
    archives: RwSignal<Vec<ArchiveRow>>,
    left_out: RwSignal<u64>,
    capacity: usize,
    on_range: Callback<TimeRange>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let offset = move |secs: i64| {
        if local.get_untracked() {
            local_offset_minutes(secs)
        } else {
            0
        }
    };
    let field = move |end: bool| {
        range.get().map_or(String::new(), |r| {
            let t = if end { r.to } else { r.from };
            local.track();
            hist::to_input(t, offset(t.secs))
        })
    };
    let zone = move || if local.get() { "local time" } else { "UTC" };
    let bound_error = RwSignal::new(None::<&'static str>);
    let change = move |end: bool, text: String| {
        let Some(t) = hist::from_input(&text, offset) else {
            bound_error.set(Some("Enter a date and time."));
            return;
        };
        let current = range.get_untracked();
        let (from, to) = match (current, end) {
            (Some(r), true) => (r.from, t),
            (Some(r), false) => (t, r.to),
            (None, true) => (
                crate::logs::line::Timestamp {
                    secs: t.secs - 3600,
                    nanos: 0,
                },
                t,
            ),
            (None, false) => (
                t,
                crate::logs::line::Timestamp {
                    secs: t.secs + 3600,
                    nanos: 0,
                },
            ),
        };
        match TimeRange::new(from, to) {
            Some(r) => {
                bound_error.set(None);
                on_range.run(r);
            }
            None => bound_error.set(Some("From must be before To.")),
        }
    };
    // The From (`end` false) and To fields.
    let bound = move |end: bool| {
        let (id, label) = if end {
            ("sld-log-to", "To")
        } else {
            ("sld-log-from", "From")
        };
        view! {
            <div class="sld-field sld-field--inline">
                <label for=id>{label}</label>
                <input id=id type="datetime-local" step="1"
                    prop:value=move || field(end)
                    aria-describedby="sld-log-range-zone sld-log-range-error"
                    on:change=move |ev| change(end, event_target_value(&ev))/>
            </div>
        }
    };
    let is_history = move || matches!(showing.get(), Showing::History(_));
    let summary = move || {
        let p = progress.get();
        let mut parts = vec![count(p.lines_kept as usize, "line", "lines") + " kept"];
        if p.archives_total > 0 {
            parts.push(format!(
                "{} of {}",
                p.archives_done,
                count(p.archives_total, "archive", "archives")
            ));
        }
        parts.push(crate::text::bytes(p.bytes) + " read");
        format!("{}: {}", phase_label(p.phase), parts.join(" · "))
    };
    view! {
        <div class="sld-log-history" role="group" aria-label="History range">
            {move || is_history().then(|| view! {
                <div class="sld-log-history__range">
                    {hist::PRESETS.iter().map(|(label, secs)| {
                        let secs = *secs;
                        view! {
                            <button type="button" class="sld-button"
                                on:click=move |_| on_range.run(hist::preset(now_secs(), secs))
                            >{*label}</button>
                        }
                    }).collect_view()}
                    {bound(false)}
                    {bound(true)}
                    <span class="sld-muted" id="sld-log-range-zone">{zone}</span>
                    <p class="sld-field-error" id="sld-log-range-error" role="alert">{move || bound_error.get()}</p>
                </div>
            })}
            <div class="sld-log-history__progress">
                {move || progress.with(Progress::running).then(|| {
                    let p = progress.get();
                    let text = summary();
                    view! {
                        <progress aria-label="Loading history"
                            max=p.archives_total.max(1).to_string()
                            value=(p.archives_total > 0).then(|| p.archives_done.to_string())
                            aria-valuetext=text
                        ></progress>
                        <button type="button" class="sld-button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                    }
                })}
                <span class="sld-muted" role="status" data-phase=move || phase_label(progress.with(|p| p.phase))>
                    {move || (progress.with(|p| p.phase) != Phase::Idle).then(summary)}
                </span>
            </div>
            {move || (left_out.get() > 0).then(|| view! {
                <p class="sld-warning" role="status">
                    {format!(
                        "{} left out: the range holds more than the {}-line buffer. Narrow the range or filter by container.",
                        count(left_out.get() as usize, "older line was", "older lines were"),
                        thousands(capacity),
                    )}
                </p>
            })}
            {move || {
                let notes = progress.with(|p| p.notes.clone());
                (!notes.is_empty()).then(|| view! {
                    <ul class="sld-log-history__notes" role="alert">
                        {notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                    </ul>
                })
            }}
            {move || is_history().then(|| view! {
                <section class="sld-log-archives" aria-label="Archives">
                    <h2 class="sld-log-archives__title">"Archives"</h2>
                    {move || {
                        let rows = archives.get();
                        if rows.is_empty() {
                            let listed = !matches!(progress.with(|p| p.phase), Phase::Idle | Phase::Listing);
                            return view! {
                                <p class="sld-muted">{if listed { "No archive overlaps this range." } else { "Listing archives…" }}</p>
                            }.into_any();
                        }
                        view! {
                            <table class="sld-table">
                                <thead><tr><th scope="col">"Period"</th><th scope="col">"Size"</th><th scope="col">"State"</th><th scope="col">"File"</th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|r| {
                                        let a = r.archive;
                                        let off = |secs: i64| if local.get_untracked() { local_offset_minutes(secs) } else { 0 };
                                        let from = a.from.format(off(a.from.secs));
                                        let to = a.to.format(off(a.to.secs));
                                        let period = format!("{} – {}", &from[..16], &to[..16]);
                                        let size = a.size.map(crate::text::bytes).unwrap_or_default();
                                        let state = match r.state {
                                            ArchiveState::Waiting => "waiting".to_owned(),
                                            ArchiveState::Reading => "reading…".to_owned(),
                                            ArchiveState::Done(n) => count(n as usize, "line", "lines"),
                                            ArchiveState::Corrupt(n) => format!("damaged: {} kept", count(n as usize, "line", "lines")),
                                            ArchiveState::Failed(e) => format!("failed: {e}"),
                                            ArchiveState::Cancelled => "cancelled".to_owned(),
                                        };
                                        let label = format!("Download {}", a.file);
                                        view! {
                                            <tr>
                                                <td>{period}</td>
                                                <td>{size}</td>
                                                <td>{state}</td>
                                                <td><a href=a.url download=a.file.clone() rel="noreferrer noopener" aria-label=label>{a.file.clone()}</a></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }}
                </section>
            })}
        </div>
    }
}

/// The field filter a requests row stands for: its collapsed path (`/users/:id`) as an
/// anchored pattern on `path`, each `:id` any one segment, a query string allowed.
fn path_filter(collapsed: &str) -> String {
    let mut pattern = String::from("path~^");
    for (i, segment) in collapsed.split('/').enumerate() {
        if i > 0 {
            pattern.push('/');
        }
        if segment == ":id" {
            pattern.push_str("[^/?]+");
        } else {
            // The engine's own escaping, then the two characters the filter syntax reads
            // (a space ends an expression in the URL, a quote opens a quoted key or value).
            for c in regex_lite::escape(segment).chars() {
                if c == ' ' || c == '"' {
                    pattern.push('\\');
                }
                pattern.push(c);
            }
        }
    }
    pattern.push_str("(?:[?]|$)");
    pattern
}
