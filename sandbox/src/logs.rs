//! Log sources: bounded history for dumps, a broadcast for streams, and the synthetic generator.
//!
//! Generated lines look like the platform's: Paris local time with its offset (`+0100 CET`,
//! `+0200 CEST`), `[manager]` lines when a container restarts, about one line in
//! [`CRLF_ONE_IN`] ending `\r\n` in dumps, and about one in [`LATE_ONE_IN`] stamped 0.2 to 3 s
//! before the line published ahead of it. Each source has its own seeded generator, so the lines'
//! content (and which ones are late or end `\r\n`) is the same sequence in every run; the hot
//! log ([`LogSource::backfill`]) is its first hour.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use crate::clock::{self, WorldClock};
use crate::rng::{self, Rng};
use crate::tz;
use crate::world::App;

/// Lines kept per source, so a dump of 10,000 lines always has enough.
pub const HISTORY: usize = 20_000;
/// The largest dump a request may ask for.
pub const MAX_DUMP: usize = 10_000;
/// How often the generator emits a batch; high rates are cheap because lines travel in batches.
pub const TICK: Duration = Duration::from_millis(10);
/// About one generated line in this many ends `\r\n` in dumps, as in archives.
pub const CRLF_ONE_IN: u64 = 20;
/// About one generated line in this many is stamped earlier than the line before it.
pub const LATE_ONE_IN: u64 = 500;
/// How much earlier a late line is stamped than the line before it, in nanoseconds: 0.2 to 3 s.
pub const LATE_NANOS: std::ops::Range<i64> = 200_000_000..3_000_000_000;
/// About one burst in this many of an app is a restart that `[manager]` reports.
pub const RESTART_ONE_IN: u64 = 1000;
/// The span the hot log holds at start by default: the last hour.
pub const HOT_LOG: Duration = Duration::from_secs(3600);

/// Locks a mutex, carrying on with the data if a panicking thread poisoned it.
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One log line, formatted as the platform formats it.
#[derive(Debug)]
pub struct Line {
    /// The container named in the line's fifth token, for filtering.
    pub container: Box<str>,
    /// The whole line, without a trailing newline.
    pub text: Box<str>,
    /// When the line was produced, in Unix nanoseconds.
    pub nanos: i64,
    /// Whether a dump ends the line with `\r\n` rather than `\n` (the text never holds the `\r`).
    pub crlf: bool,
}

impl Line {
    /// A line from `container` saying `message`, stamped `nanos` (Unix) and written in Paris
    /// time: `2026-12-07 06:12:03.123456789 +0100 CET [web-1] message`.
    pub fn new(container: &str, message: &str, nanos: i64) -> Line {
        // Sized exactly, so the boxed text needs no reallocation: this runs for every line.
        let mut text =
            String::with_capacity(tz::PARIS_LOG_TIME_LEN + container.len() + message.len() + 3);
        tz::write_paris_log_time(&mut text, nanos);
        text.push_str(" [");
        text.push_str(container);
        text.push_str("] ");
        text.push_str(message);
        Line {
            container: container.into(),
            text: text.into_boxed_str(),
            nanos,
            crlf: false,
        }
    }

    /// A line given whole (by the inject admin); its container is read from the fifth token if present.
    pub fn verbatim(text: String, nanos: i64) -> Line {
        let container = text
            .split(' ')
            .nth(4)
            .and_then(|t| t.strip_prefix('[')?.strip_suffix(']'))
            .unwrap_or("")
            .into();
        Line {
            container,
            text: text.into(),
            nanos,
            crlf: false,
        }
    }

    /// How a dump ends the line: `"\r\n"` or `"\n"`.
    pub fn dump_ending(&self) -> &'static str {
        if self.crlf {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// The stream frame: `{"event":"log","name":"log","log":…,"timestamp":…}`.
    pub fn frame(&self) -> String {
        frame("log", Some(&self.text), self.nanos)
    }
}

/// A stream frame with both the `event` key the clients read and the `name` key the docs show.
///
/// Written by hand rather than through serde: it runs once per line per client at 100k+ lines/s.
pub fn frame(event: &str, log: Option<&str>, nanos: i64) -> String {
    let mut out = String::with_capacity(96 + log.map_or(0, |l| l.len() + l.len() / 8));
    out.push_str("{\"event\":");
    push_json_string(&mut out, event);
    out.push_str(",\"name\":");
    push_json_string(&mut out, event);
    if let Some(log) = log {
        out.push_str(",\"log\":");
        push_json_string(&mut out, log);
    }
    out.push_str(",\"timestamp\":\"");
    clock::write_rfc3339(&mut out, nanos);
    out.push_str("\"}");
    out
}

/// Appends `s` as a JSON string literal, escaping quotes, backslashes and control characters.
fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let escaped = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        if escaped.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        } else {
            out.push_str(escaped);
        }
        run = i + 1;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// What streams receive: batches of lines, or raw payloads injected for malformed-message tests.
#[derive(Debug, Clone)]
pub enum StreamItem {
    /// New lines.
    Lines(Arc<Vec<Arc<Line>>>),
    /// Payloads sent verbatim as WebSocket text frames or SSE `data:`.
    Raw(Arc<Vec<String>>),
}

/// A container filter: a container (`web-1`), a type (`web`) or a regex (`web|worker`).
#[derive(Debug, Clone)]
pub struct Filter(regex_lite::Regex);

impl Filter {
    /// Parses a filter; an empty one means no filter.
    ///
    /// The expression is anchored and may be followed by an instance number, so `web` matches
    /// `web-1` and `web-2` but neither `worker` nor `worker-web-1`, and `web-1` matches only `web-1`.
    pub fn parse(filter: &str) -> Result<Option<Filter>, String> {
        if filter.is_empty() {
            return Ok(None);
        }
        // Checked alone first, so `a)(b` cannot pass by closing the group the anchoring adds.
        regex_lite::Regex::new(filter).map_err(|e| format!("invalid filter {filter:?}: {e}"))?;
        regex_lite::Regex::new(&format!("^(?:{filter})(?:-[0-9]+)?$"))
            .map(|r| Some(Filter(r)))
            .map_err(|e| format!("invalid filter {filter:?}: {e}"))
    }

    /// Whether a line from this container passes.
    pub fn matches(&self, container: &str) -> bool {
        self.0.is_match(container)
    }
}

/// What a source's generator says.
#[derive(Debug, Clone)]
pub enum Voice {
    /// An app: router, web and worker lines, stack traces, one-off containers.
    App {
        /// The host its router lines name.
        host: String,
        /// Container instances (`web-1`, …).
        instances: Vec<String>,
    },
    /// A PostgreSQL addon, speaking from one container.
    Postgres {
        /// Its container name.
        container: String,
    },
    /// Nothing (an addon without logs, an app with nothing running).
    Silent,
}

/// A source's generator state: two seeded streams, so the quirks drawn per line (late stamp,
/// `\r\n`) never shift the content.
#[derive(Debug)]
struct Speaker {
    /// Draws what is said ([`speak`], restarts).
    words: Rng,
    /// Draws each line's quirks and the hot log's spacing.
    quirks: Rng,
    /// The stamp of the last line made, which a late line is stamped before.
    last: Option<i64>,
}

/// The logs of one app or addon.
#[derive(Debug)]
pub struct LogSource {
    history: Mutex<VecDeque<Arc<Line>>>,
    speaker: Mutex<Speaker>,
    tx: broadcast::Sender<StreamItem>,
    /// Total lines per second the generator emits for this source.
    rate: Mutex<f64>,
    /// The rate it started with, restored by the reset admin.
    initial_rate: f64,
    voice: Voice,
}

impl LogSource {
    /// A source with an empty history; `per_container` lines/s per instance; `key` (the app name
    /// or addon id) seeds its generator.
    pub fn new(key: &str, voice: Voice, per_container: f64) -> LogSource {
        let speakers = match &voice {
            Voice::App { instances, .. } => instances.len(),
            Voice::Postgres { .. } => 1,
            Voice::Silent => 0,
        };
        let seed = rng::fnv1a(key) ^ 0x5ca1_1190;
        LogSource {
            history: Mutex::new(VecDeque::new()),
            speaker: Mutex::new(Speaker {
                words: Rng::new(seed),
                quirks: Rng::new(Rng::new(!seed).next_u64()),
                last: None,
            }),
            // About ten seconds of batches: a slower client skips ahead rather than stalling everyone.
            tx: broadcast::channel(1024).0,
            rate: Mutex::new(per_container * speakers as f64),
            initial_rate: per_container * speakers as f64,
            voice,
        }
    }

    /// Sets the total lines per second.
    pub fn set_rate(&self, rate: f64) {
        *lock(&self.rate) = rate;
    }

    /// Restores the rate the source started with.
    pub fn reset_rate(&self) {
        self.set_rate(self.initial_rate);
    }

    /// The total lines per second.
    pub fn rate(&self) -> f64 {
        *lock(&self.rate)
    }

    /// Appends lines to the history and sends them to every open stream.
    pub fn publish(&self, lines: Vec<Arc<Line>>) {
        if lines.is_empty() {
            return;
        }
        {
            let mut h = lock(&self.history);
            for line in &lines {
                if h.len() == HISTORY {
                    h.pop_front();
                }
                h.push_back(line.clone());
            }
        }
        // No receiver is fine: nobody is streaming.
        let _ = self.tx.send(StreamItem::Lines(Arc::new(lines)));
    }

    /// Sends raw payloads to every open stream.
    pub fn publish_raw(&self, frames: Vec<String>) {
        let _ = self.tx.send(StreamItem::Raw(Arc::new(frames)));
    }

    /// The last `n` lines passing the filter, oldest first.
    pub fn dump(&self, n: usize, filter: Option<&Filter>) -> Vec<Arc<Line>> {
        let h = lock(&self.history);
        let mut out: Vec<Arc<Line>> = h
            .iter()
            .rev()
            .filter(|l| filter.is_none_or(|f| f.matches(&l.container)))
            .take(n)
            .cloned()
            .collect();
        out.reverse();
        out
    }

    /// A receiver of everything published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<StreamItem> {
        self.tx.subscribe()
    }

    /// Appends one burst of generated lines to `out` (usually one line, a stack trace or a
    /// restart's `[manager]` lines sometimes), the first stamped `nanos` and the next ones a
    /// nanosecond apart, bar the late ones.
    fn burst(&self, sp: &mut Speaker, nanos: i64, out: &mut Vec<Arc<Line>>) {
        let Speaker {
            words,
            quirks,
            last,
        } = sp;
        let mut next = nanos;
        let mut say = |container: &str, message: &str| {
            let mut stamp = next;
            next += 1;
            if let Some(before) = *last {
                if quirks.below(LATE_ONE_IN) == 0 {
                    let span = (LATE_NANOS.end - LATE_NANOS.start) as u64;
                    stamp = before - LATE_NANOS.start - quirks.below(span) as i64;
                }
            }
            *last = Some(stamp);
            let mut line = Line::new(container, message, stamp);
            line.crlf = quirks.below(CRLF_ONE_IN) == 0;
            out.push(Arc::new(line));
        };
        if let Voice::App { instances, .. } = &self.voice {
            if words.below(RESTART_ONE_IN) == 0 {
                // Now and then the whole app restarts (a deployment, `scalingo restart`), one
                // container after the other; otherwise one container does (a crash, a restart).
                if words.below(5) == 0 {
                    for instance in instances {
                        restart(instance, words, &mut say);
                    }
                } else {
                    let instance = words.pick(instances).clone();
                    restart(&instance, words, &mut say);
                }
                return;
            }
        }
        speak(&self.voice, words, say);
    }

    /// Fills the history with what the generator would have said over the `span` before `end`
    /// (Unix nanoseconds) at the current rate, so a dump right after start has lines: at most
    /// [`HISTORY`] lines, spread evenly (with jitter) over the span, or over its last part when
    /// the rate would make more. Streams do not see them. Nothing for a silent source or rate 0.
    ///
    /// The same key, rate, span and `end` give the same lines in every run.
    pub fn backfill(&self, end: i64, span: Duration) {
        let rate = self.rate();
        let span_secs = span.as_secs_f64();
        if matches!(self.voice, Voice::Silent) || rate <= 0.0 || span_secs <= 0.0 {
            return;
        }
        let total = (rate * span_secs).min(HISTORY as f64) as usize;
        if total == 0 {
            return;
        }
        let step = ((1e9 / rate) as i64).max(1);
        let start = end - step * total as i64;
        let mut lines = Vec::with_capacity(total + 8);
        let mut sp = lock(&self.speaker);
        while lines.len() < total {
            let jitter = sp.quirks.below((step as u64 / 2).max(1)) as i64;
            let nanos = start + lines.len() as i64 * step + jitter;
            self.burst(&mut sp, nanos, &mut lines);
        }
        // A burst may overrun `end` by a few lines at the very end: keep the span's.
        lines.retain(|l| l.nanos < end);
        let mut h = lock(&self.history);
        for line in lines {
            if h.len() == HISTORY {
                h.pop_front();
            }
            h.push_back(line);
        }
    }
}

/// The `[manager]` lines of a container restart, as the platform writes them:
/// `container [web-1] (<24 hex digits>) has stopped`, then `… (<new id>) has started`.
/// Live lines and archives (`archives.rs`) share it.
pub fn restart(instance: &str, rng: &mut Rng, mut say: impl FnMut(&str, &str)) {
    let old = format!("{:016x}{:08x}", rng.next_u64(), rng.next_u64() as u32);
    let new = format!("{:016x}{:08x}", rng.next_u64(), rng.next_u64() as u32);
    say(
        "manager",
        &format!("container [{instance}] ({old}) has stopped"),
    );
    say(
        "manager",
        &format!("container [{instance}] ({new}) has started"),
    );
}

/// Builds the log sources of the world: one per app (by name) and one per addon (by id).
pub fn sources(apps: &[App], per_container: f64) -> HashMap<String, Arc<LogSource>> {
    let mut map = HashMap::new();
    for app in apps {
        let instances = app.instances();
        let voice = if instances.is_empty() {
            Voice::Silent
        } else {
            Voice::App {
                host: format!("{}.osc-fr1.scalingo.io", app.name),
                instances,
            }
        };
        map.insert(
            app.name.to_string(),
            Arc::new(LogSource::new(app.name, voice, per_container)),
        );
        for addon in &app.addons {
            let voice = match addon.log_container {
                Some(c) => Voice::Postgres {
                    container: c.into(),
                },
                None => Voice::Silent,
            };
            map.insert(
                addon.id.to_string(),
                Arc::new(LogSource::new(addon.id, voice, per_container)),
            );
        }
    }
    map
}

const PATHS: &[&str] = &[
    "/",
    "/api/v1/invoices",
    "/login",
    "/assets/app-3f2a.css",
    "/api/v1/users/42",
    "/health",
];
const AGENTS: &[&str] = &[
    "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
    "curl/8.5.0",
    "Go-http-client/1.1",
];
const STACK: &[&str] = &[
    "\tfrom app/models/invoice.rb:57:in `total'",
    "\tfrom app/services/billing.rb:112:in `block in charge'",
    "\tfrom app/services/billing.rb:98:in `each'",
    "\tfrom app/jobs/charge_job.rb:14:in `perform'",
    "\tfrom vendor/bundle/ruby/3.3.0/gems/sidekiq-7.2.0/lib/sidekiq/processor.rb:202:in `execute_job'",
];

/// Produces the next burst of lines for a voice, as `say(container, message)` calls: usually one
/// line, a whole stack trace sometimes. Live streams and archives (`archives.rs`) share it, so
/// archived lines read like live ones.
pub fn speak(voice: &Voice, rng: &mut Rng, mut say: impl FnMut(&str, &str)) {
    match voice {
        Voice::Silent => {}
        Voice::Postgres { container } => {
            let message = match rng.below(10) {
                0 => "LOG:  checkpoint starting: time".to_string(),
                1 => format!(
                    "LOG:  checkpoint complete: wrote {} buffers",
                    rng.below(500)
                ),
                2 => "ERROR:  duplicate key value violates unique constraint \"users_email_key\""
                    .into(),
                3 => "WARNING:  there is no transaction in progress".into(),
                _ => format!(
                    "LOG:  duration: {}.{} ms  statement: SELECT * FROM invoices WHERE id = {}",
                    rng.below(300),
                    rng.below(10),
                    rng.below(9_999)
                ),
            };
            say(container, &message);
        }
        Voice::App { host, instances } => {
            let roll = rng.below(1000);
            if roll < 10 {
                say(
                    &format!("one-off-{}", 1000 + rng.below(9000)),
                    "\u{1b}[1;34mStarting\u{1b}[0m bundle exec rake cleanup",
                );
                return;
            }
            if roll < 15 {
                say(
                    "postdeploy-1",
                    "Running postdeploy hook: bundle exec rails db:migrate",
                );
                return;
            }
            let instance = rng.pick(instances);
            if instance.starts_with("web") && rng.chance(45) {
                let status = *rng.pick(&[200, 200, 200, 200, 201, 304, 404, 500]);
                let message = format!(
                    "method={} path={} host={host} request_id={:08x}-{:04x} from=203.0.113.{} protocol=https status={status} duration={}ms bytes={} referer=- user_agent=\"{}\"",
                    rng.pick(&["GET", "GET", "POST", "DELETE"]),
                    rng.pick(PATHS),
                    rng.next_u64() as u32,
                    rng.below(0xffff),
                    rng.below(255),
                    rng.below(400),
                    rng.below(60_000),
                    rng.pick(AGENTS),
                );
                say("router", &message);
                return;
            }
            match rng.below(100) {
                0..=2 => {
                    say(instance, "\u{1b}[31mERROR\u{1b}[0m NoMethodError: undefined method `amount' for nil:NilClass");
                    for frame in STACK {
                        say(instance, frame);
                    }
                }
                3..=9 => say(
                    instance,
                    &format!("\u{1b}[33mWARN\u{1b}[0m  slow query ({} ms): SELECT \"users\".* FROM \"users\"", 200 + rng.below(800)),
                ),
                10..=14 => say(instance, "\u{1b}[36mDEBUG\u{1b}[0m cache hit for \u{1b}[1mdashboard/summary\u{1b}[0m"),
                _ => {
                    let (server, what) = if instance.starts_with("web") {
                        ("puma", rng.pick(&["200 OK", "201 Created", "302 Found"]))
                    } else {
                        ("sidekiq", rng.pick(&["ChargeJob", "MailerJob", "ReindexJob"]))
                    };
                    let ms = rng.below(250);
                    say(instance, &format!("\u{1b}[32mINFO\u{1b}[0m  [{server}] Completed {what} in {ms}ms"));
                }
            }
        }
    }
}

/// Runs forever: every tick each source emits what its rate owes, in one batch per source,
/// stamped on `clock`.
pub async fn generate(sources: Vec<Arc<LogSource>>, clock: WorldClock) {
    let mut owed = vec![0.0f64; sources.len()];
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last = Instant::now();
    loop {
        ticker.tick().await;
        let now = Instant::now();
        let dt = now.duration_since(last).as_secs_f64();
        last = now;
        for (source, owed) in sources.iter().zip(owed.iter_mut()) {
            let rate = source.rate();
            // Never owe more than a few ticks: on a saturated machine the rate degrades instead of
            // piling up into giant batches that starve the streams.
            *owed = (*owed + rate * dt).min((rate * TICK.as_secs_f64() * 5.0).max(1.0));
            if *owed < 1.0 {
                continue;
            }
            let want = *owed as usize;
            let base = clock.now_nanos();
            let mut batch = Vec::with_capacity(want + 8);
            {
                let mut sp = lock(&source.speaker);
                while batch.len() < want {
                    // Distinct nanoseconds keep the order of a batch visible in its timestamps.
                    let nanos = base + batch.len() as i64;
                    source.burst(&mut sp, nanos, &mut batch);
                    if matches!(source.voice, Voice::Silent) {
                        break;
                    }
                }
            }
            *owed -= batch.len() as f64;
            source.publish(batch);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_type_filter_matches_its_instances_only() {
        let f = Filter::parse("web").ok().flatten().expect("a filter");
        assert!(f.matches("web-1") && f.matches("web-2") && f.matches("web"));
        assert!(!f.matches("worker-1") && !f.matches("worker-web-1") && !f.matches("router"));
        let f = Filter::parse("web-1|router")
            .ok()
            .flatten()
            .expect("a filter");
        assert!(f.matches("web-1") && f.matches("router") && !f.matches("web-2"));
        let f = Filter::parse("one-off-*").ok().flatten().expect("a filter");
        assert!(f.matches("one-off-1234"));
    }

    #[test]
    fn a_filter_cannot_escape_its_anchors() {
        assert!(Filter::parse("a)(b").is_err());
        assert!(Filter::parse("web(").is_err());
    }

    #[test]
    fn dump_returns_the_newest_lines_oldest_first() {
        let s = LogSource::new("quiet-app", Voice::Silent, 0.0);
        s.publish(
            (0..5)
                .map(|i| Arc::new(Line::new("web-1", &format!("m{i}"), i)))
                .collect(),
        );
        let d = s.dump(2, None);
        assert!(d[0].text.ends_with("m3") && d[1].text.ends_with("m4"));
    }

    #[test]
    fn frames_are_json_that_round_trips_any_line() {
        let hostile = "é \"q\" \\ \u{1b}[31m\n\t\r\u{0}\u{7f} </script> 😀";
        let v: serde_json::Value =
            serde_json::from_str(&frame("log", Some(hostile), 0)).expect("JSON");
        assert_eq!(v["log"], hostile);
        assert_eq!(v["event"], "log");
        assert_eq!(v["name"], "log");
        assert_eq!(v["timestamp"], "1970-01-01T00:00:00.000000000Z");
    }

    /// Unix nanoseconds of a UTC date and time.
    fn utc(y: i64, mo: u32, d: u32, h: i64, mi: i64) -> i64 {
        (tz::days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60) * 1_000_000_000
    }

    fn example_app(per_container: f64) -> LogSource {
        sources(&crate::world::apps(), per_container)
            .remove("example-app")
            .and_then(Arc::into_inner)
            .expect("example-app")
    }

    fn all(s: &LogSource) -> Vec<Arc<Line>> {
        s.dump(HISTORY, None)
    }

    #[test]
    fn generated_lines_are_written_in_paris_time() {
        let l = Line::new("web-1", "hi", utc(2026, 12, 7, 5, 12) + 3_123_456_789);
        assert_eq!(
            &*l.text,
            "2026-12-07 06:12:03.123456789 +0100 CET [web-1] hi"
        );
        let l = Line::new("web-1", "hi", utc(2026, 7, 14, 10, 0));
        assert_eq!(
            &*l.text,
            "2026-07-14 12:00:00.000000000 +0200 CEST [web-1] hi"
        );
        assert!(!l.crlf && l.dump_ending() == "\n");
    }

    #[test]
    fn the_hot_log_holds_the_last_hour_and_is_the_same_in_every_run() {
        let end = utc(2026, 12, 7, 6, 0);
        let a = example_app(1.0);
        a.backfill(end, HOT_LOG);
        let lines = all(&a);
        // 3 containers at 1 line/s for an hour, and a few stack traces and restarts on top.
        assert!((10_800..11_500).contains(&lines.len()), "{}", lines.len());
        let first = lines.iter().map(|l| l.nanos).min().expect("lines");
        assert!(first >= end - 3_600_000_000_000 && first < end - 3_590_000_000_000);
        assert!(lines.iter().all(|l| l.nanos < end));
        let b = example_app(1.0);
        b.backfill(end, HOT_LOG);
        let same = |x: &Line, y: &Line| x.text == y.text && x.crlf == y.crlf && x.nanos == y.nanos;
        assert_eq!(all(&b).len(), lines.len());
        assert!(lines.iter().zip(all(&b)).all(|(x, y)| same(x, &y)));
        // Another end shifts the stamps only.
        let c = example_app(1.0);
        c.backfill(end + 1_000_000_000, HOT_LOG);
        let text_after_time = |l: &Line| l.text.split_once(" [").map(|(_, t)| t.to_string());
        assert!(lines
            .iter()
            .zip(all(&c))
            .all(|(x, y)| text_after_time(x) == text_after_time(&y)));
    }

    #[test]
    fn the_hot_log_is_bounded_and_empty_without_a_rate_or_a_span() {
        let end = utc(2026, 12, 7, 6, 0);
        let fast = example_app(100.0);
        fast.backfill(end, HOT_LOG);
        let lines = all(&fast);
        assert_eq!(lines.len(), HISTORY);
        // 300 lines/s: the newest 20,000 lines cover about the last 67 seconds.
        assert!(lines[0].nanos > end - 70_000_000_000);
        for (rate, span) in [(0.0, HOT_LOG), (1.0, Duration::ZERO)] {
            let s = example_app(rate);
            s.backfill(end, span);
            assert!(all(&s).is_empty());
        }
        let silent = LogSource::new("quiet-app", Voice::Silent, 1.0);
        silent.backfill(end, HOT_LOG);
        assert!(all(&silent).is_empty());
    }

    #[test]
    fn the_hot_log_crosses_the_change_to_summer_time() {
        // Summer time starts at 01:00 UTC on 2026-03-29: 02:00 CET becomes 03:00 CEST.
        let s = example_app(1.0);
        s.backfill(utc(2026, 3, 29, 1, 30), HOT_LOG);
        let lines = all(&s);
        let (mut cet, mut cest) = (0, 0);
        for l in &lines {
            if l.nanos < utc(2026, 3, 29, 1, 0) {
                assert!(l.text.starts_with("2026-03-29 01:") && l.text.contains(" +0100 CET ["));
                cet += 1;
            } else {
                assert!(l.text.starts_with("2026-03-29 03:") && l.text.contains(" +0200 CEST ["));
                cest += 1;
            }
        }
        assert!(cet > 5000 && cest > 5000, "{cet} {cest}");
    }

    #[test]
    fn some_lines_are_late_some_end_crlf_and_the_manager_reports_restarts() {
        let s = example_app(1.0);
        s.backfill(utc(2026, 12, 7, 6, 0), HOT_LOG);
        let lines = all(&s);
        let mut late = 0;
        for w in lines.windows(2) {
            let back = w[0].nanos - w[1].nanos;
            if back > 0 {
                assert!(LATE_NANOS.contains(&back), "{back} ns: {}", w[1].text);
                late += 1;
            }
        }
        // About one in 500 of about 11,000 lines.
        assert!((8..=40).contains(&late), "{late} late lines");
        let crlf = lines.iter().filter(|l| l.crlf).count();
        assert!((400..=700).contains(&crlf), "{crlf} CRLF lines");
        assert!(lines.iter().all(|l| !l.text.contains('\r')));
        let manager: Vec<&str> = lines
            .iter()
            .filter(|l| &*l.container == "manager")
            .map(|l| l.text.split_once("] ").map_or("", |(_, m)| m))
            .collect();
        assert!(
            manager.len() >= 4 && manager.len().is_multiple_of(2),
            "{manager:?}"
        );
        let id = regex_lite::Regex::new(
            r"^container \[(web|worker)-[0-9]+\] \([0-9a-f]{24}\) has (stopped|started)$",
        )
        .expect("a regex");
        assert!(manager.iter().all(|m| id.is_match(m)), "{manager:?}");
    }

    #[test]
    fn verbatim_lines_keep_their_container() {
        let l = Line::verbatim(
            "2015-02-16 02:02:43.930163178 +0000 UTC [web-1] hi".into(),
            0,
        );
        assert_eq!(&*l.container, "web-1");
    }
}
