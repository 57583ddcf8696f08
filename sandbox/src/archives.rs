//! Logs archives: the two listings (`/v1/apps/:app/logs_archives` and the database API's), their
//! pre-signed URLs, and the archive files themselves, made on request as streamed gzip.
//!
//! Archives are not stored. Each source has a schedule on the UTC hour grid (`example-app` every
//! 2 hours, `billing-api` every 3 days, the PostgreSQL addon daily), kept [`DAYS_KEPT`] days back
//! from the server's start, and each archive's lines come from a generator seeded by (source,
//! end hour). So the same URL always gives the same bytes, in this run and the next, and a 50 MiB
//! archive costs a few 64 KiB buffers while it streams.
//!
//! Lines use the live generator's message mix ([`crate::logs::speak`]) in the live format: Paris
//! offsets (`+0100 CET`, `+0200 CEST`), some `\r\n` endings and `[manager]` platform lines
//! ([`crate::logs::restart`]), with an order shuffled within blocks of seconds where live lines
//! are only now and then late.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use flate2::write::GzEncoder;
use flate2::Compression;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::faults::Faults;
use crate::http::{origin, ApiError};
use crate::logs::{lock, restart, speak, Voice};
use crate::rng::{self, Rng};
use crate::world::{App, POSTGRES_ID};
use crate::{api, auth, clock, tz, Shared};

type St = State<Arc<Shared>>;

/// The path prefix of archive files on the (pretend) object storage.
pub const PREFIX: &str = "/archives/";
/// Archives per listing page, cursor or page form, as the CLI pages them.
pub const PER_PAGE: usize = 10;
/// How far back archives go from the server's start.
pub const DAYS_KEPT: i64 = 30;
/// Lines of `example-app`'s archives that end at midnight UTC: about 50 MiB uncompressed, the
/// platform's archiving threshold, for scale.
pub const BIG_ARCHIVE_LINES: u64 = 400_000;
/// How far before the listed `from` the first lines may be: the listed bounds are approximate.
pub const SPILL_SECS: i64 = 90;

const HOUR: i64 = 3600;
const NANOS: i64 = 1_000_000_000;
/// Bytes per body chunk; with [`CHANNEL_CHUNKS`] this bounds a download's memory.
const CHUNK: usize = 64 * 1024;
/// Chunks buffered between the generator thread and the socket.
const CHANNEL_CHUNKS: usize = 4;

/// When a source is archived, in hours on the UTC grid, and how many lines an archive holds.
#[derive(Debug, Clone, Copy)]
struct Schedule {
    /// Hours between archives.
    period: i64,
    /// Archives end at hours `h` with `h % period == phase`.
    phase: i64,
    /// Fewest lines in an archive.
    min_lines: u64,
    /// Up to this many more lines, by seed.
    extra_lines: u64,
    /// Whether archives ending at midnight UTC hold [`BIG_ARCHIVE_LINES`].
    big_at_midnight: bool,
    /// Approximate gzip bytes per line at the fast level, measured with `archive_bench`, for `size`.
    gzip_bytes_per_line: u64,
}

/// The archive schedule of an app name or addon id; `None`: no archives.
fn schedule(key: &str) -> Option<Schedule> {
    Some(match key {
        "example-app" => Schedule {
            period: 2,
            phase: 0,
            min_lines: 20_000,
            extra_lines: 40_000,
            big_at_midnight: true,
            gzip_bytes_per_line: 26,
        },
        "billing-api" => Schedule {
            period: 72,
            phase: 0,
            min_lines: 8_000,
            extra_lines: 8_000,
            big_at_midnight: false,
            gzip_bytes_per_line: 25,
        },
        POSTGRES_ID => Schedule {
            period: 24,
            phase: 3,
            min_lines: 3_000,
            extra_lines: 5_000,
            big_at_midnight: false,
            gzip_bytes_per_line: 18,
        },
        _ => return None,
    })
}

/// An app or addon whose logs are archived.
#[derive(Debug, Clone)]
pub struct Source {
    /// The app name or addon id, as the listing routes name it.
    pub key: String,
    /// File names start with this: `<app>_<app id>`, or `<app>_<addon id>` for an addon (a
    /// choice: addon archive names are not public).
    pub file_prefix: String,
    voice: Voice,
    schedule: Schedule,
}

/// One archive: a file on the storage and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archive {
    /// `<prefix>.log-YYYYMMDDHH.gz`, the hour being `to`'s.
    pub file: String,
    /// The listed start, Unix seconds (lines may start up to [`SPILL_SECS`] earlier).
    pub from: i64,
    /// The listed end, Unix seconds, on the hour.
    pub to: i64,
    /// Lines in the file.
    pub lines: u64,
    /// Seeds the file's generator.
    pub seed: u64,
}

/// The archived sources of the demo world.
pub fn sources(apps: &[App]) -> Vec<Source> {
    let mut out = Vec::new();
    for app in apps {
        if let Some(schedule) = schedule(app.name) {
            let instances = app.instances();
            if !instances.is_empty() {
                out.push(Source {
                    key: app.name.into(),
                    file_prefix: format!("{}_{}", app.name, app.id),
                    voice: Voice::App {
                        host: format!("{}.osc-fr1.scalingo.io", app.name),
                        instances,
                    },
                    schedule,
                });
            }
        }
        for addon in &app.addons {
            if let (Some(schedule), Some(container)) = (schedule(addon.id), addon.log_container) {
                out.push(Source {
                    key: addon.id.into(),
                    file_prefix: format!("{}_{}", app.name, addon.id),
                    voice: Voice::Postgres {
                        container: container.into(),
                    },
                    schedule,
                });
            }
        }
    }
    out
}

impl Source {
    /// The archive ending at `to_hour` (hours since the epoch), if the schedule has one there.
    fn archive(&self, to_hour: i64) -> Archive {
        let s = self.schedule;
        let seed =
            Rng::new(rng::fnv1a(&self.key) ^ (to_hour as u64).wrapping_mul(0x9E37_79B9)).next_u64();
        let lines = if s.big_at_midnight && to_hour.rem_euclid(24) == 0 {
            BIG_ARCHIVE_LINES
        } else {
            s.min_lines + seed % s.extra_lines.max(1)
        };
        let c = clock::civil(to_hour * HOUR * NANOS);
        Archive {
            file: format!(
                "{}.log-{:04}{:02}{:02}{:02}.gz",
                self.file_prefix, c.year, c.month, c.day, c.hour
            ),
            from: (to_hour - s.period) * HOUR,
            to: to_hour * HOUR,
            lines,
            seed,
        }
    }

    /// Every archive kept at `now` (Unix seconds), newest first: those ended by `now`'s hour and
    /// begun within [`DAYS_KEPT`] days.
    pub fn archives(&self, now: i64) -> Vec<Archive> {
        let s = self.schedule;
        let now_hour = now.div_euclid(HOUR);
        let oldest = now_hour - DAYS_KEPT * 24;
        let mut to = now_hour - (now_hour - s.phase).rem_euclid(s.period);
        let mut out = Vec::new();
        while to - s.period >= oldest {
            out.push(self.archive(to));
            to -= s.period;
        }
        out
    }

    /// The approximate download size of an archive, in bytes; estimated rather than computed, so
    /// that listing 10 archives does not gzip 100 MiB.
    pub fn estimated_size(&self, archive: &Archive) -> u64 {
        archive.lines * self.schedule.gzip_bytes_per_line
    }

    /// Writes an archive's lines, newline-terminated, to `out`; stops after `limit` lines.
    ///
    /// Lines are spread over [`from` − [`SPILL_SECS`], `to`) and shuffled within blocks of about
    /// 3 seconds (at least 2 lines), so they are out of order by seconds, as real archives are.
    /// About 1 line in 20 ends with `\r\n`. App sources sometimes restart an instance, which
    /// `[manager]` reports.
    pub fn write_lines(
        &self,
        archive: &Archive,
        limit: u64,
        out: &mut impl Write,
    ) -> io::Result<()> {
        let mut rng = Rng::new(archive.seed);
        let n = archive.lines.max(1);
        let start = (archive.from - SPILL_SECS) * NANOS;
        let step = ((archive.to * NANOS - 1_000_000 - start) / n as i64).max(1);
        let block_len = ((3 * NANOS / step) as usize).clamp(2, 256);
        let mut block: Vec<String> = Vec::with_capacity(block_len);
        let mut spare: Vec<String> = Vec::with_capacity(block_len);
        let mut burst: Vec<(String, String)> = Vec::new();
        let mut written = 0u64;
        let mut next = 0u64;
        let wanted = limit.min(archive.lines);
        while next < wanted {
            burst.clear();
            self.burst(&mut rng, &mut burst);
            for (container, message) in burst.drain(..) {
                if next == wanted {
                    break;
                }
                let nanos = start + next as i64 * step + rng.below(step as u64) as i64;
                next += 1;
                let mut line = spare.pop().unwrap_or_default();
                line.clear();
                tz::write_paris_log_time(&mut line, nanos);
                line.push_str(" [");
                line.push_str(&container);
                line.push_str("] ");
                line.push_str(&message);
                line.push_str(if rng.below(20) == 0 { "\r\n" } else { "\n" });
                block.push(line);
                if block.len() == block_len {
                    written += flush_block(&mut rng, &mut block, &mut spare, out)?;
                }
            }
        }
        written += flush_block(&mut rng, &mut block, &mut spare, out)?;
        debug_assert_eq!(written, wanted);
        Ok(())
    }

    /// The next few (container, message) pairs: the live mix, and now and then a restart.
    fn burst(&self, rng: &mut Rng, out: &mut Vec<(String, String)>) {
        if let Voice::App { instances, .. } = &self.voice {
            if rng.below(3000) == 0 {
                let instance = rng.pick(instances).clone();
                restart(&instance, rng, |container, message| {
                    out.push((container.into(), message.into()))
                });
                return;
            }
        }
        speak(&self.voice, rng, |container, message| {
            out.push((container.into(), message.into()))
        });
    }
}

/// Shuffles a block of lines and writes it; the lines' buffers go back to `spare`.
fn flush_block(
    rng: &mut Rng,
    block: &mut Vec<String>,
    spare: &mut Vec<String>,
    out: &mut impl Write,
) -> io::Result<u64> {
    for i in (1..block.len()).rev() {
        block.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let n = block.len() as u64;
    for line in block.drain(..) {
        out.write_all(line.as_bytes())?;
        spare.push(line);
    }
    Ok(n)
}

/// A listing page: by cursor (`None` = the newest) or by page number (from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRequest {
    /// Archives older than the one the cursor names.
    Cursor(Option<i64>),
    /// The Nth group of [`PER_PAGE`].
    Page(usize),
}

impl PageRequest {
    /// Reads `cursor` (wins when not empty) or `page` from a query; 400 on a malformed one.
    pub fn from_query(q: &HashMap<String, String>) -> Result<PageRequest, ApiError> {
        match q.get("cursor").map(|c| c.trim()).filter(|c| !c.is_empty()) {
            Some(c) => c
                .parse::<i64>()
                .map(|h| PageRequest::Cursor(Some(h)))
                .map_err(|_| ApiError::BadRequest(format!("invalid cursor {c:?}"))),
            None if q.contains_key("page") => {
                api::positive(q, "page", 1, 1_000_000).map(PageRequest::Page)
            }
            None => Ok(PageRequest::Cursor(None)),
        }
    }
}

/// One page of `all` (newest first): the archives, whether more follow, and the cursor of the
/// next page (`""` when none). The cursor is the end hour of the page's last archive, so pages
/// stay put when newer archives appear.
pub fn page(all: &[Archive], req: PageRequest) -> (&[Archive], bool, String) {
    let start = match req {
        PageRequest::Cursor(None) => 0,
        PageRequest::Cursor(Some(hour)) => all.partition_point(|a| a.to / HOUR >= hour),
        PageRequest::Page(n) => n.saturating_sub(1).saturating_mul(PER_PAGE).min(all.len()),
    };
    let end = (start + PER_PAGE).min(all.len());
    let items = &all[start..end];
    let has_more = end < all.len();
    let cursor = match items.last() {
        Some(last) if has_more => (last.to / HOUR).to_string(),
        _ => String::new(),
    };
    (items, has_more, cursor)
}

/// The key that signs archive URLs: HMAC-SHA-256, new in every process.
pub struct Signer {
    key: [u8; 32],
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signer { .. }")
    }
}

impl Signer {
    /// A signer with a random key.
    pub fn random() -> Signer {
        let mut key = [0u8; 32];
        for chunk in key.chunks_mut(8) {
            chunk.copy_from_slice(&rng::secret_u64().to_le_bytes());
        }
        Signer { key }
    }

    /// The signature of a file's URL issued at `issued` and valid until `expires` (Unix ns).
    pub fn sign(&self, file: &str, issued: i64, expires: i64) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(format!("{file}\n{issued}\n{expires}").as_bytes());
        rng::base64url(&mac.finalize().into_bytes())
    }
}

/// The storage's origin: the API's origin with `127.0.0.1` and `localhost` swapped, so archive
/// downloads are cross-origin for a dashboard on either, as with real object storage. Other hosts
/// are kept (a reverse proxy's name has no twin).
pub fn storage_origin(headers: &HeaderMap) -> String {
    let o = origin(headers);
    let (scheme, host) = o.split_once("://").unwrap_or(("http", &o));
    let (name, port) = match host.rsplit_once(':').filter(|(_, p)| !p.contains(']')) {
        Some((n, p)) => (n, Some(p)),
        None => (host, None),
    };
    let twin = match name {
        "127.0.0.1" | "[::1]" => "localhost",
        "localhost" => "127.0.0.1",
        other => other,
    };
    match port {
        Some(p) => format!("{scheme}://{twin}:{p}"),
        None => format!("{scheme}://{twin}"),
    }
}

fn listing(s: &Shared, headers: &HeaderMap, uri: &Uri, key: &str) -> Result<Response, ApiError> {
    let req = PageRequest::from_query(&api::params(uri)?)?;
    let Some(source) = sources(&s.apps).into_iter().find(|src| src.key == key) else {
        return Ok(
            Json(json!({ "next_cursor": "", "has_more": false, "archives": [] })).into_response(),
        );
    };
    let all = source.archives(s.started);
    let (items, has_more, next_cursor) = page(&all, req);
    let base = storage_origin(headers);
    let issued = clock::now_nanos();
    let ttl = i64::try_from(s.config.archive_url_ttl.as_nanos()).unwrap_or(i64::MAX);
    let expires = issued.saturating_add(ttl);
    let archives: Vec<Value> = items
        .iter()
        .map(|a| {
            let signature = s.archive_signer.sign(&a.file, issued, expires);
            json!({
                "url": format!("{base}{PREFIX}{}?issued={issued}&expires={expires}&signature={signature}", a.file),
                "size": source.estimated_size(a),
                "from": tz::go_time(a.from),
                "to": tz::go_time(a.to),
            })
        })
        .collect();
    Ok(
        Json(json!({ "next_cursor": next_cursor, "has_more": has_more, "archives": archives }))
            .into_response(),
    )
}

/// The 403 a limited collaborator gets on archives.
fn forbidden() -> ApiError {
    ApiError::Forbidden("your collaborator role does not allow reading logs archives".into())
}

/// `GET /v1/apps/:app/logs_archives?cursor=C|page=N`: `{"next_cursor","has_more","archives"}`.
///
/// A bearer of the limited collaborator's token gets 403 `{"error"}`: it may not read archives.
pub async fn app_archives(
    State(s): St,
    Path(app): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    if auth::is_limited(&s.bearers, &headers) {
        return Err(forbidden());
    }
    let app = s.app(&app)?;
    listing(&s, &headers, &uri, app.name)
}

/// `GET /db-api/api/databases/:addon_id/logs_archives` with the addon token: the same answer;
/// 403 when a limited collaborator obtained the token.
pub async fn db_archives(
    State(s): St,
    Path(addon): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let granted = api::database_grant(&s, &headers, &addon)?;
    if granted.ends_with(&format!(" {}", auth::LIMITED)) {
        return Err(forbidden());
    }
    listing(&s, &headers, &uri, &addon)
}

/// Why the storage refuses a download; each answers as S3-like stores do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 403 `AccessDenied`: the URL lacks its signature parameters.
    Unsigned,
    /// 403 `SignatureDoesNotMatch`: the URL was altered, or signed by another process.
    BadSignature,
    /// 403 `AccessDenied` "Request has expired": past its lifetime, or expired by the fault.
    Expired,
    /// 404 `NoSuchKey`: a well-signed name that is not (or no longer) an archive.
    NoSuchKey,
    /// 403 `AccessForbidden`: a CORS preflight from an origin that is not allowed.
    CorsForbidden,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            Refusal::Unsigned => (
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "Query-string authentication requires the issued, expires and signature parameters",
            ),
            Refusal::BadSignature => (
                StatusCode::FORBIDDEN,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided",
            ),
            Refusal::Expired => (StatusCode::FORBIDDEN, "AccessDenied", "Request has expired"),
            Refusal::NoSuchKey => (
                StatusCode::NOT_FOUND,
                "NoSuchKey",
                "The specified key does not exist.",
            ),
            Refusal::CorsForbidden => (
                StatusCode::FORBIDDEN,
                "AccessForbidden",
                "CORSResponse: This CORS request is not allowed.",
            ),
        };
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        );
        let mut res = (status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml"),
        );
        res
    }
}

/// The archive a signed URL names, or why the storage refuses it.
fn authorize(
    s: &Shared,
    faults: &Faults,
    file: &str,
    uri: &Uri,
) -> Result<(Source, Archive), Refusal> {
    let q = api::params(uri).unwrap_or_default();
    let number = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok());
    let (Some(issued), Some(expires), Some(signature)) =
        (number("issued"), number("expires"), q.get("signature"))
    else {
        return Err(Refusal::Unsigned);
    };
    if s.archive_signer.sign(file, issued, expires) != *signature {
        return Err(Refusal::BadSignature);
    }
    let revoked = faults
        .archive_urls_expired_at
        .is_some_and(|at| issued <= at);
    if revoked || clock::now_nanos() >= expires {
        return Err(Refusal::Expired);
    }
    sources(&s.apps)
        .into_iter()
        .find_map(|src| {
            let a = src
                .archives(s.started)
                .into_iter()
                .find(|a| a.file == file)?;
            Some((src, a))
        })
        .ok_or(Refusal::NoSuchKey)
}

/// The `Access-Control-Allow-Origin` the storage answers this request with, if any.
fn allowed_origin(s: &Shared, faults: &Faults, headers: &HeaderMap) -> Option<HeaderValue> {
    if faults.refuse_archive_cors {
        return None;
    }
    let allowed = s.config.archives_cors.as_deref()?;
    // Object stores answer CORS only to requests that carry an Origin.
    let origin = headers.get(header::ORIGIN)?;
    if allowed == "*" {
        return Some(HeaderValue::from_static("*"));
    }
    let matches = origin
        .to_str()
        .is_ok_and(|o| o.eq_ignore_ascii_case(allowed));
    matches.then(|| origin.clone())
}

fn add_cors(res: &mut Response, allow: Option<HeaderValue>) {
    let h = res.headers_mut();
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(allow) = allow {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow);
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Content-Length, Content-Type, Content-Disposition, ETag"),
        );
    }
}

/// `GET /archives/:file?issued&expires&signature`: the archive as one gzip stream, or 403/404
/// with an XML body. No `Authorization`: the signature is the credential.
pub async fn download(
    State(s): St,
    Path(file): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let faults = lock(&s.faults).clone();
    let allow = allowed_origin(&s, &faults, &headers);
    let mut res = match authorize(&s, &faults, &file, &uri) {
        Err(refusal) => refusal.into_response(),
        Ok((source, archive)) => {
            let etag = format!("\"{:016x}\"", archive.seed);
            let disposition = format!("attachment; filename=\"{}\"", archive.file);
            let mut res = gzip_body(source, archive, faults.truncate_archives).into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/gzip"),
            );
            for (name, value) in [
                (header::ETAG, etag),
                (header::CONTENT_DISPOSITION, disposition),
            ] {
                if let Ok(v) = HeaderValue::from_str(&value) {
                    h.insert(name, v);
                }
            }
            res
        }
    };
    add_cors(&mut res, allow);
    res
}

/// `OPTIONS /archives/:file`: the storage's CORS preflight; 403 when the origin is not allowed.
pub async fn preflight(State(s): St, headers: HeaderMap) -> Response {
    let faults = lock(&s.faults).clone();
    let Some(allow) = allowed_origin(&s, &faults, &headers) else {
        return Refusal::CorsForbidden.into_response();
    };
    let mut res = StatusCode::OK.into_response();
    add_cors(&mut res, Some(allow));
    let h = res.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, HEAD"),
    );
    if let Some(asked) = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked.clone());
    }
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("3000"),
    );
    res
}

/// Sends what the gzip encoder writes to the response body, [`CHUNK`] bytes at a time.
struct ChannelWriter {
    tx: mpsc::Sender<Bytes>,
    buf: Vec<u8>,
    /// Once closed, writes are dropped: the truncation fault ends the body before the gzip end.
    closed: bool,
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() || self.closed {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx
            .blocking_send(Bytes::from(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if !self.closed {
            self.buf.extend_from_slice(data);
            if self.buf.len() >= CHUNK {
                self.send()?;
            }
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// Writes an archive as gzip (fast level: the server should not be what a download waits for) to
/// `out`; with `truncate`, stops after half the lines with a flushed but unfinished stream.
pub fn write_gzip(
    source: &Source,
    archive: &Archive,
    truncate: bool,
    out: impl Write,
) -> io::Result<()> {
    let mut gz = GzEncoder::new(out, Compression::fast());
    if truncate {
        source.write_lines(archive, archive.lines / 2, &mut gz)?;
        gz.flush()
    } else {
        source.write_lines(archive, archive.lines, &mut gz)?;
        gz.finish()?.flush()
    }
}

/// The archive as a streamed body: a blocking thread generates and compresses it into a small
/// channel, so memory stays at a few chunks and a departed client stops the work.
fn gzip_body(source: Source, archive: Archive, truncate: bool) -> Body {
    let (tx, rx) = mpsc::channel::<Bytes>(CHANNEL_CHUNKS);
    tokio::task::spawn_blocking(move || {
        let mut writer = ChannelWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
            closed: false,
        };
        // An error means the client went away; there is nobody to tell.
        let _ = write_gzip(&source, &archive, truncate, &mut writer);
        // Dropping the encoder after a truncation tries to finish the stream: nothing more leaves.
        writer.closed = true;
    });
    Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (Ok::<_, io::Error>(chunk), rx))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world;
    use std::io::Read;

    fn source(key: &str) -> Source {
        sources(&world::apps())
            .into_iter()
            .find(|s| s.key == key)
            .expect("an archived source")
    }

    /// 2026-12-05 01:24:45 UTC.
    const NOW: i64 = 1_796_433_885;

    #[test]
    fn the_busy_app_has_many_archives_a_day_and_the_quiet_ones_few() {
        let busy = source("example-app").archives(NOW);
        assert!((359..=360).contains(&busy.len()), "{}", busy.len());
        assert!(busy.windows(2).all(|w| w[0].to > w[1].to), "newest first");
        // 01:24 UTC: the newest archive of a 2-hour schedule ended at midnight.
        assert_eq!(busy[0].to, NOW / HOUR * HOUR - HOUR);
        assert!(busy.iter().all(|a| a.to - a.from == 2 * HOUR));
        assert!(busy.iter().any(|a| a.lines == BIG_ARCHIVE_LINES));
        let billing = source("billing-api").archives(NOW);
        assert!((9..=10).contains(&billing.len()), "{}", billing.len());
        let pg = source(world::POSTGRES_ID).archives(NOW);
        assert!((29..=30).contains(&pg.len()));
        assert!(pg[0].file.starts_with("example-app_ad-9be0fc04"));
        assert!(!sources(&world::apps()).iter().any(|s| s.key == "quiet-app"));
    }

    #[test]
    fn file_names_carry_the_app_id_and_the_end_hour() {
        let a = &source("example-app").archives(NOW)[0];
        assert_eq!(
            a.file,
            "example-app_5af97be7ff688d0001228ffb.log-2026120500.gz"
        );
    }

    #[test]
    fn cursor_pages_walk_every_archive_once() {
        let all = source("example-app").archives(NOW);
        let mut seen = Vec::new();
        let mut req = PageRequest::Cursor(None);
        loop {
            let (items, more, cursor) = page(&all, req);
            assert!(items.len() <= PER_PAGE);
            seen.extend(items.iter().cloned());
            if !more {
                assert_eq!(cursor, "");
                break;
            }
            req = PageRequest::Cursor(Some(cursor.parse().expect("a number")));
        }
        assert_eq!(seen, all);
    }

    #[test]
    fn page_numbers_end_with_an_empty_page() {
        let all = source("billing-api").archives(NOW);
        let (first, more, _) = page(&all, PageRequest::Page(1));
        assert_eq!(first.len(), all.len().min(PER_PAGE));
        assert_eq!(more, all.len() > PER_PAGE);
        let (beyond, more, cursor) = page(&all, PageRequest::Page(4));
        assert!(beyond.is_empty() && !more && cursor.is_empty());
    }

    #[test]
    fn a_malformed_cursor_or_page_is_refused() {
        let q = |k: &str, v: &str| HashMap::from([(k.to_string(), v.to_string())]);
        assert!(PageRequest::from_query(&q("cursor", "abc")).is_err());
        assert!(PageRequest::from_query(&q("page", "0")).is_err());
        assert_eq!(
            PageRequest::from_query(&q("cursor", "")).ok(),
            Some(PageRequest::Cursor(None))
        );
    }

    #[test]
    fn the_storage_is_the_other_name_of_the_loopback() {
        let with_host = |h: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::HOST, HeaderValue::from_str(h).expect("valid"));
            storage_origin(&m)
        };
        assert_eq!(with_host("127.0.0.1:8080"), "http://localhost:8080");
        assert_eq!(with_host("localhost:8080"), "http://127.0.0.1:8080");
        assert_eq!(with_host("[::1]:9000"), "http://localhost:9000");
        assert_eq!(with_host("logs.example.com"), "http://logs.example.com");
    }

    #[test]
    fn signatures_bind_the_file_and_both_times() {
        let s = Signer::random();
        let sig = s.sign("a.gz", 1, 2);
        assert_eq!(sig, s.sign("a.gz", 1, 2));
        assert_ne!(sig, s.sign("b.gz", 1, 2));
        assert_ne!(sig, s.sign("a.gz", 1, 3));
        assert_ne!(sig, Signer::random().sign("a.gz", 1, 2));
    }

    #[test]
    fn an_archive_is_valid_gzip_of_live_format_lines_within_its_bounds() {
        let src = source("billing-api");
        let a = src.archives(NOW)[0].clone();
        let mut gz = Vec::new();
        write_gzip(&src, &a, false, &mut gz).expect("written");
        let mut text = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut text)
            .expect("valid gzip");
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        assert_eq!(lines.len() as u64, a.lines);
        assert!(lines.iter().any(|l| l.ends_with("\r\n")));
        assert!(lines.iter().any(|l| l.contains(" [manager] container [")));
        assert!(lines.iter().all(|l| l.contains(" +0100 CET [")));
    }
}
