//! The player view: the terminal, its controls, commands, search and exports.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;

use super::export;
use super::replay::Replay;
use super::search::{ScreenText, ScreenTextBuilder};
use super::sessions::known_session;
use super::timeline::{fixed, format_clock, Clock, Command, Kind, Timeline, DEFAULT_IDLE_LIMIT};
use crate::api::{events, use_api, ApiError};
use crate::hooks::use_fetch::use_fetch;
use crate::nav::Link;
use crate::route::{Query, Route};
use crate::text::count;
use crate::ui::{
    focus, focus_is_lost, focus_is_within, focus_later, now_ms, EmptyState, ErrorNotice, Spinner,
};

/// Rows of the emulated terminal; Scalingo does not record the size.
const ROWS: usize = 24;

/// Seconds moved by the left and right arrow keys.
const ARROW_STEP: f64 = 5.0;

/// Speeds offered in the speed menu: value, label, factor.
const SPEEDS: [(&str, &str, f64); 6] = [
    ("0.5", "0.5×", 0.5),
    ("1", "1×", 1.0),
    ("1.5", "1.5×", 1.5),
    ("2", "2×", 2.0),
    ("4", "4×", 4.0),
    ("8", "8×", 8.0),
];

/// The idle-time limit as the checkbox says it.
const IDLE_LABEL: &str = " Shorten pauses to 2 s";

/// Seconds as the seek bar's value: whole milliseconds, so no float parsing is needed.
fn to_ms(seconds: f64) -> String {
    ((seconds.max(0.0) * 1000.0).round() as u64).to_string()
}

/// Most search results listed.
const MAX_HITS: usize = 200;

/// How long one slice of the search index's build may run before the browser gets the
/// thread back, in milliseconds: half a frame at 60 Hz, as for the log viewer's search.
const INDEX_SLICE_MS: f64 = 8.0;

/// Events replayed between two looks at the clock while indexing: the sandbox's long
/// session replays about 15 events per millisecond in the browser, so a few milliseconds.
const INDEX_STEP_EVENTS: usize = 32;

/// The player of one audit log.
#[component]
pub fn PlayerPage(app: String, id: String) -> impl IntoView {
    let api = use_api();
    let (fetch_app, fetch_id) = (app.clone(), id.clone());
    let log = use_fetch(move || {
        let (api, app, id) = (api.clone(), fetch_app.clone(), fetch_id.clone());
        async move {
            let values = events::audit_log(&api, &app, &id).await?;
            // Parsed here, once, so the JSON tree is freed as soon as the timeline exists
            // instead of living (and being cloned) in the resource; for the 50,000-event
            // session that halves the memory.
            let start = now_ms();
            let timeline = Timeline::from_values(values, Some(DEFAULT_IDLE_LIMIT));
            Ok::<_, ApiError>(Loaded {
                timeline: Rc::new(timeline),
                parse_ms: now_ms() - start,
            })
        }
    });
    let session = known_session(&id);
    let title = match &session {
        Some(s) if s.command.is_empty() => "Operator session".to_owned(),
        Some(s) => s.command.clone(),
        None => format!("Audit log {id}"),
    };
    let subtitle = session.as_ref().map(|s| {
        format!(
            "run by {} on {}",
            s.user,
            s.created_at
                .replacen('T', " ", 1)
                .chars()
                .take(19)
                .collect::<String>()
        )
    });
    let command = StoredValue::new(title.clone());
    // Exports are named after the command when the list told us (an operator session has
    // none), else after the audit log id: never after the page title.
    let subject = match &session {
        Some(s) if !s.command.trim().is_empty() => s.command.clone(),
        _ => id.clone(),
    };
    let subject = StoredValue::new(subject);
    let app = StoredValue::new(app);
    view! {
        <section class="sld-page sld-audit-player-page" aria-labelledby="sld-player-title">
            <p class="sld-audit-back">
                <Link to=Route::Audit { app: app.get_value(), query: Query::default() }>"← All sessions"</Link>
            </p>
            <h1 id="sld-player-title" tabindex="-1"><code>{title}</code></h1>
            {subtitle.map(|s| view! { <p class="sld-muted">{s}</p> })}
            {move || match log.get() {
                None => view! { <Spinner label="Loading the audit log…" /> }.into_any(),
                Some(Err(e)) => view! { <ErrorNotice error=e retry=Callback::new(move |_| log.refetch()) /> }.into_any(),
                Some(Ok(loaded)) if loaded.timeline.is_empty() && !loaded.timeline.issues().any() => view! {
                    <EmptyState title="This audit log is empty">"Nothing was typed or printed in this session."</EmptyState>
                }.into_any(),
                Some(Ok(loaded)) => view! {
                    <Player timeline=loaded.timeline parse_ms=loaded.parse_ms command=command.get_value()
                        app=app.get_value() subject=subject.get_value() />
                }.into_any(),
            }}
        </section>
    }
}

/// A fetched and parsed audit log.
#[derive(Clone)]
struct Loaded {
    timeline: Rc<Timeline>,
    parse_ms: f64,
}

/// Everything the player mutates, outside the reactive graph (the terminal and snapshots
/// are large and change every frame).
struct Engine {
    timeline: Timeline,
    replay: Replay,
    clock: Clock,
    commands: Vec<Command>,
    /// Input events with their keys as shown, for the "typed" strip (terminal reports left
    /// out).
    inputs: Vec<(usize, String)>,
    /// The text the screen showed, for search: built at the first search, as it costs a
    /// second replay of the session (in slices, see [`Engine::index_slice`]).
    screen_text: Option<ScreenText>,
    /// The build of `screen_text` under way, kept between slices (and between queries: a
    /// new query resumes it rather than starting again).
    text_builder: Option<ScreenTextBuilder>,
    looping: bool,
    alive: bool,
}

impl Engine {
    /// Builds the search index for at most [`INDEX_SLICE_MS`]. Returns `None` once the index
    /// is complete, or the share done so far, in percent.
    fn index_slice(&mut self, cols: usize) -> Option<u8> {
        if self.screen_text.is_some() {
            return None;
        }
        let start = now_ms();
        let builder = self
            .text_builder
            .get_or_insert_with(|| ScreenText::builder(cols, ROWS));
        loop {
            let progress = builder.step(&self.timeline, INDEX_STEP_EVENTS);
            if progress.is_done() {
                self.screen_text = self.text_builder.take().map(ScreenTextBuilder::finish);
                return None;
            }
            if now_ms() - start >= INDEX_SLICE_MS {
                return Some(progress.percent());
            }
        }
    }
}

/// The player's state and actions, cheap to clone into handlers.
#[derive(Clone)]
struct Controller {
    engine: SendWrapper<Rc<RefCell<Engine>>>,
    screen: NodeRef<html::Pre>,
    position: RwSignal<f64>,
    duration: RwSignal<f64>,
    playing: RwSignal<bool>,
    speed: RwSignal<f64>,
    shown: RwSignal<usize>,
    /// Bumped when play times change (idle limit), so markers and lists re-read them.
    times: RwSignal<u32>,
    render_ms: RwSignal<f64>,
}

/// The size of the wasm linear memory, in bytes.
fn wasm_memory_bytes() -> u64 {
    let buffer = js_sys::Reflect::get(&wasm_bindgen::memory(), &"buffer".into());
    buffer
        .and_then(|b| js_sys::Reflect::get(&b, &"byteLength".into()))
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0) as u64
}

impl Controller {
    /// Shows the terminal at the clock's position; `force` repaints even if no event changed.
    fn render(&self, force: bool) {
        let start = now_ms();
        let (t, n, html) = {
            let mut e = self.engine.borrow_mut();
            let e = &mut *e;
            let t = e.clock.position();
            let n = e.timeline.position_at(t);
            let html = if force || n != e.replay.position() {
                e.replay.seek(&e.timeline, n);
                Some(e.replay.terminal().to_html())
            } else {
                None
            };
            (t, n, html)
        };
        if let (Some(html), Some(pre)) = (html, self.screen.get_untracked()) {
            // SafeHtml only: escaped text and class-only spans.
            pre.set_inner_html(html.as_str());
        }
        let ms = now_ms() - start;
        if let Some(pre) = self.screen.get_untracked() {
            // Read by the benchmark: what the last seek or frame cost, DOM update included,
            // and the wasm memory in use.
            let _ = pre.set_attribute("data-render-ms", &fixed(ms, 3));
            let _ = pre.set_attribute("data-wasm-bytes", &wasm_memory_bytes().to_string());
        }
        self.render_ms.set(ms);
        self.position.set(t);
        self.shown.set(n);
    }

    fn duration_now(&self) -> f64 {
        self.engine.borrow().timeline.duration()
    }

    fn seek(&self, t: f64) {
        let d = self.duration_now();
        self.engine.borrow_mut().clock.seek(t, d);
        self.render(false);
    }

    fn seek_by(&self, dt: f64) {
        let t = self.engine.borrow().clock.position() + dt;
        self.seek(t);
    }

    fn play(&self) {
        let d = self.duration_now();
        self.engine.borrow_mut().clock.play(d);
        self.playing.set(true);
        self.render(false);
        self.start_loop();
    }

    fn pause(&self) {
        self.engine.borrow_mut().clock.pause();
        self.playing.set(false);
    }

    fn toggle(&self) {
        if self.engine.borrow().clock.playing() {
            self.pause();
        } else {
            self.play();
        }
    }

    fn restart(&self) {
        self.seek(0.0);
        self.play();
    }

    /// Shows exactly one more event (while paused).
    fn step(&self) {
        self.pause();
        let t = {
            let e = self.engine.borrow();
            let n = e.timeline.position_at(e.clock.position());
            if n >= e.timeline.len() {
                return;
            }
            e.timeline.play_time(n)
        };
        self.seek(t);
    }

    fn command_times(&self) -> Vec<f64> {
        let e = self.engine.borrow();
        e.commands
            .iter()
            .map(|c| e.timeline.play_time(c.event))
            .collect()
    }

    fn next_command(&self) {
        let t = self.engine.borrow().clock.position();
        if let Some(next) = self.command_times().into_iter().find(|&c| c > t + 1e-6) {
            self.seek(next);
        }
    }

    fn previous_command(&self) {
        // A little slack, so pressing it again right after a jump goes one further back.
        let t = self.engine.borrow().clock.position() - 0.25;
        let times = self.command_times();
        let target = times.into_iter().rev().find(|&c| c < t).unwrap_or(0.0);
        self.seek(target);
    }

    fn set_speed(&self, speed: f64) {
        self.engine.borrow_mut().clock.set_speed(speed);
        self.speed.set(self.engine.borrow().clock.speed());
    }

    /// Turns the idle-time limit on or off, keeping the screen where it is.
    fn set_idle_limit(&self, on: bool) {
        let d = {
            let mut e = self.engine.borrow_mut();
            let n = e.timeline.position_at(e.clock.position());
            e.timeline.set_idle_limit(on.then_some(DEFAULT_IDLE_LIMIT));
            let t = if n == 0 {
                0.0
            } else {
                e.timeline.play_time(n - 1)
            };
            let d = e.timeline.duration();
            e.clock.seek(t, d);
            d
        };
        self.duration.set(d);
        self.times.update(|g| *g += 1);
        self.render(false);
    }

    fn start_loop(&self) {
        {
            let mut e = self.engine.borrow_mut();
            if e.looping {
                return;
            }
            e.looping = true;
        }
        frame(self.clone());
    }
}

/// One animation frame of playback: advance the clock, apply every event due, repaint once.
fn frame(ctl: Controller) {
    request_animation_frame(move || {
        let keep_going = {
            let mut e = ctl.engine.borrow_mut();
            if !e.alive || !e.clock.playing() {
                e.looping = false;
                false
            } else {
                let d = e.timeline.duration();
                e.clock.tick(now_ms(), d);
                true
            }
        };
        if !keep_going {
            return;
        }
        ctl.render(false);
        let still = ctl.engine.borrow().clock.playing();
        if still {
            frame(ctl);
        } else {
            ctl.engine.borrow_mut().looping = false;
            ctl.playing.set(false);
        }
    });
}

/// Whether a key press belongs to the focused control rather than to the player: any form
/// field (typing, moving the seek bar with arrows), and Space or Enter on a button or link,
/// which activate it.
fn belongs_to_focused_control(event: &web_sys::KeyboardEvent) -> bool {
    let Some(el) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    let tag = el.tag_name().to_ascii_lowercase();
    if matches!(tag.as_str(), "input" | "textarea" | "select")
        || el.has_attribute("contenteditable")
    {
        return true;
    }
    matches!(tag.as_str(), "button" | "a") && matches!(event.key().as_str(), " " | "Enter")
}

/// The keyboard help dialog, and the button that opens it.
const HELP: &str = r#"[data-testid="audit-help"]"#;
const HELP_OPENER: &str = r#"button[aria-keyshortcuts="?"]"#;

#[component]
fn Player(
    timeline: Rc<Timeline>,
    parse_ms: f64,
    command: String,
    app: String,
    subject: String,
) -> impl IntoView {
    let open_start = now_ms() - parse_ms;
    // The resource keeps its copy; the player needs its own to change the idle limit.
    let timeline = Rc::try_unwrap(timeline).unwrap_or_else(|shared| (*shared).clone());
    // The session's UTC day, from its first event (known even on a direct link). The
    // browser's Date formats it: no calendar arithmetic in the bundle.
    let date = timeline.start_unix().and_then(|t| {
        let iso = js_sys::Date::new(&(t * 1000.0).into()).to_iso_string();
        iso.as_string()?.get(..10).map(str::to_owned)
    });
    let cols = timeline.guess_width();
    let replay = Replay::new(&timeline, cols, ROWS);
    let commands = timeline.commands();
    let inputs = timeline.typed();
    let issues = timeline.issues();
    let event_count = timeline.len();
    let duration0 = timeline.duration();
    let ctl = Controller {
        engine: SendWrapper::new(Rc::new(RefCell::new(Engine {
            timeline,
            replay,
            clock: Clock::default(),
            commands,
            inputs,
            screen_text: None,
            text_builder: None,
            looping: false,
            alive: true,
        }))),
        screen: NodeRef::new(),
        position: RwSignal::new(0.0),
        duration: RwSignal::new(duration0),
        playing: RwSignal::new(false),
        speed: RwSignal::new(1.0),
        shown: RwSignal::new(0),
        times: RwSignal::new(0),
        render_ms: RwSignal::new(0.0),
    };
    let help = RwSignal::new(false);
    // The help is a dialog: opening it moves the focus to its Close button, and closing it
    // from inside gives the focus back to the Shortcuts button rather than drop it to the page.
    let set_help = move |open: bool| {
        if open == help.get_untracked() {
            return;
        }
        if open {
            help.set(true);
            focus_later(format!("{HELP} button"));
        } else {
            let inside = focus_is_within(HELP) || focus_is_lost();
            help.set(false);
            if inside {
                focus(HELP_OPENER);
            }
        }
    };
    let idle_on = RwSignal::new(true);
    let open_ms = RwSignal::new(None::<f64>);

    // First paint once the <pre> exists.
    {
        let ctl = ctl.clone();
        Effect::new(move |done: Option<bool>| {
            if done == Some(true) {
                return true;
            }
            if ctl.screen.get().is_none() {
                return false;
            }
            ctl.render(true);
            open_ms.set(Some(now_ms() - open_start));
            true
        });
    }

    // Keyboard shortcuts, anywhere on the page except in text fields.
    let keys = {
        let ctl = ctl.clone();
        window_event_listener(ev::keydown, move |event: web_sys::KeyboardEvent| {
            if event.ctrl_key()
                || event.meta_key()
                || event.alt_key()
                || belongs_to_focused_control(&event)
            {
                return;
            }
            let key = event.key();
            let handled = match key.as_str() {
                " " => {
                    ctl.toggle();
                    true
                }
                "ArrowLeft" => {
                    ctl.seek_by(-ARROW_STEP);
                    true
                }
                "ArrowRight" => {
                    ctl.seek_by(ARROW_STEP);
                    true
                }
                "[" => {
                    ctl.previous_command();
                    true
                }
                "]" => {
                    ctl.next_command();
                    true
                }
                "." => {
                    ctl.step();
                    true
                }
                "?" => {
                    set_help(!help.get_untracked());
                    true
                }
                "Escape" if help.get_untracked() => {
                    set_help(false);
                    true
                }
                k if k.len() == 1 && k.as_bytes()[0].is_ascii_digit() => {
                    let tenth = f64::from(k.as_bytes()[0] - b'0');
                    ctl.seek(ctl.duration_now() * tenth / 10.0);
                    true
                }
                _ => false,
            };
            if handled {
                event.prevent_default();
            }
        })
    };
    {
        let ctl = ctl.clone();
        on_cleanup(move || {
            keys.remove();
            ctl.engine.borrow_mut().alive = false;
        });
    }

    let markers = {
        let ctl = ctl.clone();
        move || {
            ctl.times.get();
            let d = ctl.duration.get().max(1e-9);
            let e = ctl.engine.borrow();
            e.commands
                .iter()
                .enumerate()
                .map(|(i, c)| (i, c.label(), e.timeline.play_time(c.event), d))
                .collect::<Vec<_>>()
        }
    };
    let command_rows = markers.clone();
    let current_command = {
        let ctl = ctl.clone();
        Memo::new(move |_| {
            ctl.times.get();
            let t = ctl.position.get();
            let e = ctl.engine.borrow();
            e.commands
                .iter()
                .rposition(|c| e.timeline.play_time(c.event) <= t + 1e-9)
        })
    };
    let typed = {
        let ctl = ctl.clone();
        move || {
            let n = ctl.shown.get();
            let e = ctl.engine.borrow();
            let k = e.inputs.partition_point(|(i, _)| *i < n);
            k.checked_sub(1)
                .map(|k| e.inputs[k].1.chars().take(200).collect::<String>())
        }
    };

    // Search, run a moment after typing stops.
    let query = RwSignal::new(String::new());
    let hits = RwSignal::new(Vec::<(usize, f64, Kind, String)>::new());
    let searched = RwSignal::new(false);
    // While the first search builds the index: the share done, in percent.
    let indexing = RwSignal::new(None::<u8>);
    // Which search is wanted: each query bumps it, and a run that is no longer wanted stops
    // at its next slice (the index it was building is kept for the next one).
    let search_run = StoredValue::new(0u64);
    let run_search = {
        let ctl = ctl.clone();
        move |q: String| {
            search_run.update_value(|r| *r += 1);
            let run = search_run.get_value();
            if q.trim().is_empty() {
                indexing.set(None);
                hits.set(Vec::new());
                searched.set(false);
                return;
            }
            let engine = ctl.engine.clone();
            let search = {
                let engine = engine.clone();
                move || {
                    let e = engine.borrow();
                    let found = e.screen_text.as_ref().map_or_else(Vec::new, |text| {
                        text.search(&q, MAX_HITS)
                            .into_iter()
                            .map(|h| (h.event, e.timeline.play_time(h.event), h.kind, h.line))
                            .collect()
                    });
                    drop(e);
                    indexing.try_set(None);
                    hits.try_set(found);
                    searched.try_set(true);
                }
            };
            // The first slice runs now: a short session is searched before the next paint.
            let first = engine.borrow_mut().index_slice(cols);
            let Some(percent) = first else {
                search();
                return;
            };
            indexing.set(Some(percent));
            leptos::task::spawn_local(async move {
                loop {
                    // A zero-delay timer: input and paint events queued meanwhile run first.
                    gloo_timers::future::TimeoutFuture::new(0).await;
                    if search_run.try_get_value() != Some(run) || !engine.borrow().alive {
                        return;
                    }
                    let slice = engine.borrow_mut().index_slice(cols);
                    match slice {
                        Some(percent) => {
                            indexing.try_set(Some(percent));
                        }
                        None => return search(),
                    }
                }
            });
        }
    };
    let on_search = move |event: ev::Event| {
        let q = event_target_value(&event);
        query.set(q.clone());
        let run_search = run_search.clone();
        set_timeout(
            move || {
                // Only the last keystroke searches, and not at all once the user has left.
                if query.try_get_untracked().is_some_and(|now| now == q) {
                    run_search(q);
                }
            },
            std::time::Duration::from_millis(200),
        );
    };

    let name_of = StoredValue::new(move |extension: &str| {
        export::file_name(&app, &subject, date.as_deref(), extension)
    });
    let export_cmd = StoredValue::new(command);
    let export_text = {
        let ctl = ctl.clone();
        move |_| {
            let e = ctl.engine.borrow();
            let text = export::transcript(&e.timeline, cols);
            let name = name_of.with_value(|f| f("txt"));
            crate::ui::download_text(&name, "text/plain;charset=utf-8", &text);
        }
    };
    let export_cast = {
        let ctl = ctl.clone();
        move |_| {
            let e = ctl.engine.borrow();
            let title = export_cmd.get_value();
            let cast = export::asciicast(&e.timeline, cols, ROWS, Some(&title));
            let name = name_of.with_value(|f| f("cast"));
            crate::ui::download_text(&name, "application/x-asciicast", &cast);
        }
    };

    let c = ctl.clone();
    let on_seek = move |event: ev::Event| {
        if let Ok(ms) = event_target_value(&event).parse::<u64>() {
            // The bar's end is the duration rounded to a millisecond; it must still show
            // the last event, which may be a fraction of a millisecond later.
            let d = c.duration_now();
            let end = (d.max(0.0) * 1000.0).round() as u64;
            c.seek(if ms >= end { d } else { ms as f64 / 1000.0 });
        }
    };
    let c = ctl.clone();
    let on_toggle = move |_| c.toggle();
    let c = ctl.clone();
    let on_restart = move |_| c.restart();
    let c = ctl.clone();
    let on_prev = move |_| c.previous_command();
    let c = ctl.clone();
    let on_next = move |_| c.next_command();
    let c = ctl.clone();
    let on_step = move |_| c.step();
    let c = ctl.clone();
    let on_speed = move |event: ev::Event| {
        let value = event_target_value(&event);
        if let Some((_, _, factor)) = SPEEDS.iter().find(|(v, _, _)| *v == value) {
            c.set_speed(*factor);
        }
    };
    let c = ctl.clone();
    let on_idle = move |event: ev::Event| {
        let on = event_target_checked(&event);
        idle_on.set(on);
        c.set_idle_limit(on);
    };
    let (position, duration, playing, speed) = (ctl.position, ctl.duration, ctl.playing, ctl.speed);
    let c_markers = ctl.clone();
    let c_list = ctl.clone();
    let c_hits = ctl.clone();
    let c_empty = ctl.clone();
    let (shown, screen) = (ctl.shown, ctl.screen);

    // Each part is type-erased (`into_any`): one deeply nested view type costs far more wasm.
    let issues_view = issues.any().then(|| {
        view! {
            <p class="sld-notice sld-audit-issues" role="status" data-testid="audit-issues">
                "Some of this log could not be replayed as recorded: " {issues.summary()} "."
            </p>
        }
        .into_any()
    });
    let typed_view = view! {
        <p class="sld-audit-typed" data-testid="audit-typed" aria-live="off">
            <span class="sld-audit-typed__label">"Last typed: "</span>
            {move || match typed() {
                Some(t) => view! { <kbd class="sld-audit-input">{t}</kbd> }.into_any(),
                None => view! { <span class="sld-muted">"nothing yet"</span> }.into_any(),
            }}
        </p>
    }
    .into_any();
    let controls_view = view! {
        <div class="sld-audit-controls" role="group" aria-label="Playback">
            <button type="button" class="sld-button sld-button--primary sld-audit-play" on:click=on_toggle
                aria-keyshortcuts="Space" data-testid="audit-play">
                {move || if playing.get() { "Pause" } else { "Play" }}
            </button>
            <button type="button" class="sld-button" on:click=on_restart>"Restart"</button>
            <button type="button" class="sld-button" on:click=on_prev aria-keyshortcuts="[" data-testid="audit-prev">"◀ Previous command"</button>
            <button type="button" class="sld-button" on:click=on_next aria-keyshortcuts="]" data-testid="audit-next">"Next command ▶"</button>
            <button type="button" class="sld-button" on:click=on_step aria-keyshortcuts="." disabled=move || playing.get()>"Step"</button>
            <label class="sld-audit-speed">"Speed "
                <select on:change=on_speed prop:value=move || SPEEDS.iter().find(|s| s.2 == speed.get()).map_or("1", |s| s.0) data-testid="audit-speed">
                    {SPEEDS.iter().map(|s| view! {
                        <option value=s.0 selected=s.2 == 1.0>{s.1}</option>
                    }.into_any()).collect_view()}
                </select>
            </label>
            <label class="sld-audit-idle">
                <input type="checkbox" prop:checked=move || idle_on.get() on:change=on_idle data-testid="audit-idle" />
                {IDLE_LABEL}
            </label>
            <button type="button" class="sld-button" on:click=move |_| set_help(!help.get_untracked())
                aria-keyshortcuts="?" aria-expanded=move || help.get().to_string()>"Shortcuts"</button>
        </div>
    }
    .into_any();
    let marker_view = move |m: (usize, String, f64, f64)| {
        let c = c_markers.clone();
        let t = m.2;
        view! {
            <button type="button" tabindex="-1" class="sld-audit-marker"
                title=format!("{} {}", format_clock(t), m.1)
                style:left=move || format!("{}%", fixed((t / m.3 * 100.0).clamp(0.0, 100.0), 3))
                on:click=move |_| c.seek(t)></button>
        }
        .into_any()
    };
    let timeline_view = view! {
        <div class="sld-audit-timeline">
            <span class="sld-audit-time" data-testid="audit-time">
                {move || format!("{} / {}", format_clock(position.get()), format_clock(duration.get()))}
            </span>
            <div class="sld-audit-seek">
                <input type="range" min="0" step="1" class="sld-audit-range" aria-label="Seek"
                    data-testid="audit-seek"
                    prop:max=move || to_ms(duration.get())
                    prop:value=move || to_ms(position.get())
                    aria-valuetext=move || format!("{} of {}", format_clock(position.get()), format_clock(duration.get()))
                    on:input=on_seek />
                <div class="sld-audit-markers" aria-hidden="true">
                    {move || markers().into_iter().map(marker_view.clone()).collect_view()}
                </div>
            </div>
        </div>
    }
    .into_any();
    let command_view = move |m: (usize, String, f64, f64)| {
        let c = c_list.clone();
        let (index, t) = (m.0, m.2);
        view! {
            <li>
                <button type="button" class="sld-audit-command"
                    class:sld-audit-command--current=move || current_command.get() == Some(index)
                    on:click=move |_| c.seek(t)>
                    <span class="sld-audit-command__time">{format_clock(t)}</span>
                    <code>{m.1}</code>
                </button>
            </li>
        }
        .into_any()
    };
    let commands_view = view! {
        <h2 id="sld-audit-commands">"Commands"</h2>
        <ol class="sld-audit-commands" aria-labelledby="sld-audit-commands" data-testid="audit-commands">
            {move || command_rows().into_iter().map(command_view.clone()).collect_view()}
        </ol>
        {c_list_empty(&c_empty).then(|| view! { <p class="sld-muted">"No command was typed in this session."</p> })}
    }
    .into_any();
    let hit_view = move |h: (usize, f64, Kind, String)| {
        let c = c_hits.clone();
        let t = h.1;
        let input = h.2 == Kind::Input;
        view! {
            <li>
                <button type="button" class="sld-audit-hit" on:click=move |_| c.seek(t)>
                    <span class="sld-audit-command__time">{format_clock(t)}</span>
                    <span class=if input { "sld-badge sld-audit-badge--input" } else { "sld-badge" }>
                        {if input { "typed" } else { "output" }}
                    </span>
                    <span class="sld-audit-hit__line">{h.3}</span>
                </button>
            </li>
        }
        .into_any()
    };
    let search_view = view! {
        <h2><label for="sld-audit-search">"Search the session"</label></h2>
        <input id="sld-audit-search" type="search" class="sld-audit-search" placeholder="Text on the screen, or typed"
            aria-describedby="sld-audit-search-hint"
            autocomplete="off" prop:value=move || query.get() on:input=on_search data-testid="audit-search" />
        <p id="sld-audit-search-hint" class="sld-muted sld-audit-search-hint" data-testid="audit-search-hint">
            "Searches the text as the screen showed it, and what was typed."
        </p>
        <p class="sld-muted" role="status" data-testid="audit-search-status"
            data-indexing=move || indexing.get().map(|_| "true")>
            {move || {
                let n = hits.get().len();
                if let Some(percent) = indexing.get() {
                    format!("Indexing… {percent}%")
                } else if !searched.get() {
                    String::new()
                } else if n == 0 {
                    "No match.".to_owned()
                } else if n >= MAX_HITS {
                    format!("First {MAX_HITS} matches.")
                } else {
                    format!("{}.", count(n, "match", "matches"))
                }
            }}
        </p>
        <ol class="sld-audit-hits" data-testid="audit-hits">
            {move || hits.get().into_iter().map(hit_view.clone()).collect_view()}
        </ol>
    }
    .into_any();
    let export_view = view! {
        <h2>"Export"</h2>
        <div class="sld-audit-export">
            <button type="button" class="sld-button" on:click=export_text data-testid="audit-export-text">"Transcript (.txt)"</button>
            <button type="button" class="sld-button" on:click=export_cast data-testid="audit-export-cast">"asciicast (.cast)"</button>
        </div>
    }
    .into_any();
    let help_view = move || {
        help.get().then(|| {
            view! {
                <div class="sld-audit-help sld-card" role="dialog" aria-labelledby="sld-audit-help-title" data-testid="audit-help">
                    <h2 id="sld-audit-help-title">"Keyboard shortcuts"</h2>
                    <dl>
                        <dt><kbd>"Space"</kbd></dt><dd>"Play or pause"</dd>
                        <dt><kbd>"←"</kbd>" "<kbd>"→"</kbd></dt><dd>"Back or forward 5 seconds"</dd>
                        <dt><kbd>"["</kbd>" "<kbd>"]"</kbd></dt><dd>"Previous or next command"</dd>
                        <dt><kbd>"0"</kbd>"–"<kbd>"9"</kbd></dt><dd>"Jump to 0 %–90 %"</dd>
                        <dt><kbd>"."</kbd></dt><dd>"One event forward (pauses)"</dd>
                        <dt><kbd>"?"</kbd></dt><dd>"Show or hide this help"</dd>
                    </dl>
                    <button type="button" class="sld-button" on:click=move |_| set_help(false)>"Close"</button>
                </div>
            }
            .into_any()
        })
    };

    view! {
        <div class="sld-audit-player" data-testid="audit-player"
            data-ready=move || open_ms.get().map(|_| "true")
            data-open-ms=move || open_ms.get().map(|ms| fixed(ms, 1))
            data-events=event_count.to_string()>
            {issues_view}
            <div class="sld-audit-main">
                <div class="sld-audit-stage">
                    <div class="sld-audit-terminal" role="region" aria-label="Terminal replay">
                        <pre class="sld-term" node_ref=screen data-testid="audit-screen"
                            data-cols=cols.to_string() data-rows=ROWS.to_string()
                            data-position=move || shown.get().to_string()></pre>
                    </div>
                    {typed_view}
                    {controls_view}
                    {timeline_view}
                </div>
                <aside class="sld-audit-side">
                    {commands_view}
                    {search_view}
                    {export_view}
                </aside>
            </div>
            {help_view}
        </div>
    }
}

fn c_list_empty(ctl: &Controller) -> bool {
    ctl.engine.borrow().commands.is_empty()
}
