//! Log sources: bounded history for dumps, a broadcast for streams, and the synthetic generator.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use crate::clock;
use crate::rng::Rng;
use crate::world::App;

/// Lines kept per source, so a dump of 10,000 lines always has enough.
pub const HISTORY: usize = 20_000;
/// The largest dump a request may ask for.
pub const MAX_DUMP: usize = 10_000;
/// How often the generator emits a batch; high rates are cheap because lines travel in batches.
pub const TICK: Duration = Duration::from_millis(10);

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
}

impl Line {
    /// A line from `container` saying `message`, stamped now.
    pub fn new(container: &str, message: &str, nanos: i64) -> Line {
        // Sized exactly, so the boxed text needs no reallocation: this runs for every line.
        let mut text =
            String::with_capacity(clock::LOG_TIME_LEN + container.len() + message.len() + 4);
        clock::write_log_time(&mut text, nanos);
        text.push_str(" [");
        text.push_str(container);
        text.push_str("] ");
        text.push_str(message);
        Line {
            container: container.into(),
            text: text.into_boxed_str(),
            nanos,
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

/// The logs of one app or addon.
#[derive(Debug)]
pub struct LogSource {
    history: Mutex<VecDeque<Arc<Line>>>,
    tx: broadcast::Sender<StreamItem>,
    /// Total lines per second the generator emits for this source.
    rate: Mutex<f64>,
    /// The rate it started with, restored by the reset admin.
    initial_rate: f64,
    voice: Voice,
}

impl LogSource {
    /// A source with an empty history; `per_container` lines/s per instance.
    pub fn new(voice: Voice, per_container: f64) -> LogSource {
        let speakers = match &voice {
            Voice::App { instances, .. } => instances.len(),
            Voice::Postgres { .. } => 1,
            Voice::Silent => 0,
        };
        LogSource {
            history: Mutex::new(VecDeque::new()),
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
            Arc::new(LogSource::new(voice, per_container)),
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
                Arc::new(LogSource::new(voice, per_container)),
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

/// Runs forever: every tick each source emits what its rate owes, in one batch per source.
pub async fn generate(sources: Vec<Arc<LogSource>>) {
    let mut rng = Rng::new(0x5ca1_1190);
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
            let base = clock::now_nanos();
            let mut batch = Vec::with_capacity(want + 8);
            while batch.len() < want {
                // Distinct nanoseconds keep the order of a batch visible in its timestamps.
                let nanos = base + batch.len() as i64;
                speak(&source.voice, &mut rng, |container, message| {
                    batch.push(Arc::new(Line::new(container, message, nanos)))
                });
                if matches!(source.voice, Voice::Silent) {
                    break;
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
        let s = LogSource::new(Voice::Silent, 0.0);
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

    #[test]
    fn verbatim_lines_keep_their_container() {
        let l = Line::verbatim(
            "2015-02-16 02:02:43.930163178 +0000 UTC [web-1] hi".into(),
            0,
        );
        assert_eq!(&*l.container, "web-1");
    }
}
