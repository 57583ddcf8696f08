//! Loading a time range of history into the viewer: page through the archive listing until
//! the range is covered, download the archives that overlap it one after the other (oldest
//! first, so their lines mostly append), keep the lines inside the range and the container
//! filter, then read the live dump for the part no archive holds yet, without the lines an
//! archive already gave.
//!
//! Lines reach the viewer chunk by chunk while they stream, so the first are usable long
//! before the last arrive; the work is cut in slices that give the thread back to the
//! browser (see [`Slicer`]). Errors stop only what they concern: an expired link re-lists
//! once and retries, a corrupt archive keeps what was read before the damage, storage that
//! refuses the page's origin leaves the download links, a refused listing still reads the
//! dump.

use leptos::prelude::*;
use web_sys::AbortSignal;

use super::archive::Archive;
use super::download::{self, DownloadError};
use super::lines::LineSplitter;
use super::plan::{Planner, Step};
use super::TimeRange;
use crate::api::archives::{ArchivesError, ArchivesLister};
use crate::api::logs::{self as logs_api, LogSource};
use crate::api::ApiClient;
use crate::logs::filter::ContainerFilter;
use crate::logs::line::Timestamp;
use crate::logs::store::{Batch, ParsedLine};
use crate::ui::now_ms;

/// The most lines the live dump is asked for when a range reaches into the present (the
/// endpoint's own maximum).
pub const DUMP_LINES: usize = 10_000;

/// Where a load is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Phase {
    /// Nothing asked yet.
    #[default]
    Idle,
    /// Reading listing pages.
    Listing,
    /// Downloading archives.
    Downloading,
    /// Reading the live dump.
    Dump,
    /// Finished (possibly with errors, see [`Progress::notes`]).
    Done,
    /// Cancelled by the user; what was loaded stays.
    Cancelled,
}

/// A load's progress, as the progress bar and status line show it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Where the load is.
    pub phase: Phase,
    /// Listing pages read.
    pub pages: u32,
    /// Archives finished (read whole, damaged or failed).
    pub archives_done: usize,
    /// Archives to read.
    pub archives_total: usize,
    /// Decompressed bytes read so far.
    pub bytes: u64,
    /// Lines kept (inside the range and the filter), before the viewer's buffer limit.
    pub lines_kept: u64,
    /// What went wrong along the way, for the user, in order.
    pub notes: Vec<String>,
    /// Whether storage refused an archive download (CORS, or unreachable).
    pub storage_refused: bool,
}

impl Progress {
    /// Whether the load is still running.
    pub fn running(&self) -> bool {
        matches!(
            self.phase,
            Phase::Listing | Phase::Downloading | Phase::Dump
        )
    }
}

/// An archive's state in the Archives list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArchiveState {
    /// Not read yet.
    Waiting,
    /// Being read.
    Reading,
    /// Read whole; this many lines were kept.
    Done(u64),
    /// Damaged: this many lines were kept from before the damage.
    Corrupt(u64),
    /// Could not be read.
    Failed(String),
    /// The load was cancelled before or while reading it.
    Cancelled,
}

/// One row of the Archives list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveRow {
    /// The archive as listed (its URL is a secret: shown only as a download link).
    pub archive: Archive,
    /// How reading it went.
    pub state: ArchiveState,
}

/// The signals a load reports to.
#[derive(Clone, Copy, Debug)]
pub struct LoadSignals {
    /// Progress and notes.
    pub progress: RwSignal<Progress>,
    /// The archives of the range.
    pub archives: RwSignal<Vec<ArchiveRow>>,
}

/// What to load.
#[derive(Clone)]
pub struct Job {
    /// The API, for the listing and the logs URL.
    pub api: ApiClient,
    /// Whose logs.
    pub source: LogSource,
    /// The range asked for.
    pub range: TimeRange,
    /// The container filter (the text given to the dump, and its compiled form for the
    /// archive lines).
    pub filter: String,
    /// The time the range was read at.
    pub now: Timestamp,
}

/// Cuts the work into slices: after [`Slicer::SLICE_MS`] of work it gives the thread back
/// to the browser (input, paint, animation frames); see [`crate::hooks::yield_now`].
pub struct Slicer {
    start: f64,
}

impl Slicer {
    /// Work done between two returns to the browser, in milliseconds: no task comes near
    /// the 50 ms of a "long task".
    pub const SLICE_MS: f64 = 16.0;

    /// A slicer whose first slice starts now.
    pub fn new() -> Self {
        Slicer { start: now_ms() }
    }

    /// Yields to the browser if the slice is used up.
    pub async fn tick(&mut self) {
        if now_ms() - self.start >= Self::SLICE_MS {
            crate::hooks::yield_now::yield_now().await;
            self.start = now_ms();
        }
    }
}

impl Default for Slicer {
    fn default() -> Self {
        Slicer::new()
    }
}

/// Keeps the lines of a range and a filter out of a stream of bytes.
///
/// Each line's time and container are read once, to decide whether it is kept, and travel
/// with it in the [`Batch`] to the store. Kept lines are copied into the batch, whose buffers
/// are reused from one chunk to the next.
pub struct LineSink<'a> {
    range: TimeRange,
    filter: Option<&'a ContainerFilter>,
    splitter: LineSplitter,
    batch: Batch,
    kept: u64,
}

impl<'a> LineSink<'a> {
    /// A sink for `range` and `filter`.
    pub fn new(range: TimeRange, filter: Option<&'a ContainerFilter>) -> Self {
        LineSink {
            range,
            filter,
            splitter: LineSplitter::new(),
            batch: Batch::new(),
            kept: 0,
        }
    }

    fn keep(range: &TimeRange, filter: Option<&ContainerFilter>, line: &ParsedLine<'_>) -> bool {
        let time = line.time();
        let from = range.from.unix_nanos();
        let to = range.to.unix_nanos();
        // A line without a time of its own (a stack trace's continuation) goes with its
        // neighbours: it is kept unless the filter refuses it.
        time.is_none_or(|t| from <= t && t < to)
            && filter.is_none_or(|f| time.is_none() || f.keeps(line.container()))
    }

    fn sink_line(
        range: &TimeRange,
        filter: Option<&ContainerFilter>,
        batch: &mut Batch,
        kept: &mut u64,
        raw: &str,
    ) {
        let line = ParsedLine::parse(raw);
        if Self::keep(range, filter, &line) {
            batch.push(line);
            *kept += 1;
        }
    }

    /// Splits `bytes` and keeps the lines that pass.
    pub fn feed(&mut self, bytes: &[u8]) {
        let (range, filter, batch, kept) =
            (self.range, self.filter, &mut self.batch, &mut self.kept);
        self.splitter.feed(bytes, |line| {
            Self::sink_line(&range, filter, batch, kept, line)
        });
    }

    /// Ends the stream (the last line may lack its `\n`).
    pub fn finish(&mut self) {
        let (range, filter, batch, kept) =
            (self.range, self.filter, &mut self.batch, &mut self.kept);
        let splitter = std::mem::take(&mut self.splitter);
        self.splitter = splitter.finish(|line| Self::sink_line(&range, filter, batch, kept, line));
    }

    /// Hands the lines kept since the last call to `f` (not called when there are none), then
    /// forgets them.
    pub fn drain(&mut self, f: impl FnOnce(&Batch)) {
        if !self.batch.is_empty() {
            f(&self.batch);
            self.batch.clear();
        }
    }

    /// Lines kept in all.
    pub fn kept(&self) -> u64 {
        self.kept
    }
}

/// Reads the listing for `range` with a fresh planner: the archives to download, the
/// planner (for [`Planner::needs_dump`]) and the rejected entries' messages.
async fn list(
    lister: &mut ArchivesLister,
    range: TimeRange,
    now: Timestamp,
    signals: LoadSignals,
) -> Result<Planner, ArchivesError> {
    let mut planner = Planner::new(range, now);
    let mut request = planner.first();
    loop {
        let page = lister.page(&request).await?;
        let step = planner.add_page(page);
        signals.progress.update(|p| p.pages = planner.pages());
        match step {
            Step::Fetch(next) => request = next,
            Step::Done(_) => return Ok(planner),
        }
    }
}

/// Runs `job`, handing kept lines to `sink` (in batches, in any order: the viewer sorts
/// them) and the live dump's lines to `dump_sink`, which drops those already stored and
/// stores the rest. Stops early when `signal` is aborted.
pub async fn run(
    job: Job,
    signal: AbortSignal,
    signals: LoadSignals,
    mut sink: impl FnMut(&Batch),
    mut dump_sink: impl FnMut(&Batch),
) {
    let note = |text: String| progress_update(&signal, signals, |p| p.notes.push(text));
    let filter = match ContainerFilter::new(&job.filter) {
        Ok(f) => f,
        Err(e) => {
            note(format!("The container filter is not valid: {e}"));
            progress_update(&signal, signals, |p| p.phase = Phase::Done);
            return;
        }
    };
    progress_set(
        &signal,
        signals,
        Progress {
            phase: Phase::Listing,
            ..Progress::default()
        },
    );
    let mut lister = ArchivesLister::new(job.api.clone(), job.source.clone());
    let listed = list(&mut lister, job.range, job.now, signals).await;
    let needs_dump = match &listed {
        Ok(planner) => {
            let rejected = planner.rejected().len();
            if rejected > 0 {
                note(format!(
                    "{rejected} listed archive(s) could not be read and were left out."
                ));
            }
            planner.needs_dump()
        }
        Err(e) => {
            note(format!("The archives could not be listed: {e}."));
            // The present may still be readable from the live logs.
            true
        }
    };
    let mut downloads: Vec<Archive> = listed
        .as_ref()
        .map(|p| p.downloads().into_iter().cloned().collect())
        .unwrap_or_default();
    // The archives listed inside the range first (oldest first, so lines mostly append),
    // then those chosen only for the slack on approximate bounds, which rarely hold a line of
    // the range: the first lines then show without waiting for a neighbour read in vain.
    downloads.sort_by_key(|a| !a.overlaps(&job.range));
    archives_set(
        &signal,
        signals,
        downloads
            .iter()
            .map(|a| ArchiveRow {
                archive: a.clone(),
                state: ArchiveState::Waiting,
            })
            .collect(),
    );
    progress_update(&signal, signals, |p| {
        p.phase = Phase::Downloading;
        p.archives_total = downloads.len();
    });
    let set_state = |i: usize, state: ArchiveState| {
        archives_update(&signal, signals, |rows| {
            if let Some(r) = rows.get_mut(i) {
                r.state = state;
            }
        })
    };

    // Fresh links by file name, once a listing had to be read again.
    let mut fresh: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut slicer = Slicer::new();
    for (i, archive) in downloads.iter().enumerate() {
        if signal.aborted() {
            break;
        }
        set_state(i, ArchiveState::Reading);
        let mut url = fresh.get(&archive.file).unwrap_or(&archive.url).clone();
        let mut relisted = false;
        let mut kept_total = 0u64;
        let outcome = loop {
            let mut lines = LineSink::new(job.range, filter.as_ref());
            let opened = download::fetch_gzip(&url, &signal).await;
            let result =
                read_all(opened, &mut lines, signals, &signal, &mut slicer, &mut sink).await;
            kept_total += lines.kept();
            progress_update(&signal, signals, |p| p.lines_kept += lines.kept());
            match result {
                Err(DownloadError::Expired) if !relisted => {
                    // Links last an hour: list again for fresh ones (for this archive and
                    // the ones after it), and retry once.
                    relisted = true;
                    if let Ok(p) = list(&mut lister, job.range, job.now, signals).await {
                        for a in p.downloads() {
                            fresh.insert(a.file.clone(), a.url.clone());
                        }
                    }
                    match fresh.get(&archive.file) {
                        Some(u) if *u != url => {
                            url = u.clone();
                            archives_update(&signal, signals, |rows| {
                                for r in rows.iter_mut() {
                                    if let Some(u) = fresh.get(&r.archive.file) {
                                        r.archive.url = u.clone();
                                    }
                                }
                            });
                            continue;
                        }
                        _ => break Err(DownloadError::Expired),
                    }
                }
                other => break other,
            }
        };
        let state = match outcome {
            Ok(_) => ArchiveState::Done(kept_total),
            Err(DownloadError::Corrupt(_)) => {
                note(format!(
                    "{} is damaged: the lines before the damage are kept.",
                    archive.file
                ));
                ArchiveState::Corrupt(kept_total)
            }
            Err(DownloadError::Aborted) => ArchiveState::Cancelled,
            Err(DownloadError::Refused) => {
                let first = !signals.progress.with_untracked(|p| p.storage_refused);
                progress_update(&signal, signals, |p| p.storage_refused = true);
                if first {
                    note("The archive storage refused this page's origin (CORS) or could not be reached: download the archives with their links, then open them here with \"Open a log file\".".into());
                }
                ArchiveState::Failed(DownloadError::Refused.to_string())
            }
            Err(e) => {
                note(format!("{} could not be read: {e}.", archive.file));
                ArchiveState::Failed(e.to_string())
            }
        };
        set_state(i, state);
        progress_update(&signal, signals, |p| p.archives_done += 1);
    }

    if !signal.aborted() && needs_dump {
        progress_update(&signal, signals, |p| p.phase = Phase::Dump);
        let dump = match logs_api::logs_url(&job.api, &job.source).await {
            Ok(u) => {
                let filter_param = if job.source.supports_filter() {
                    job.filter.as_str()
                } else {
                    ""
                };
                logs_api::dump(&u, DUMP_LINES, filter_param)
                    .await
                    .map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        };
        match dump {
            Ok(lines) => {
                let mut sink_lines = LineSink::new(job.range, filter.as_ref());
                for l in &lines {
                    sink_lines.feed(l.as_bytes());
                    sink_lines.feed(b"\n");
                }
                if !signal.aborted() {
                    progress_update(&signal, signals, |p| p.lines_kept += sink_lines.kept());
                    sink_lines.drain(|b| dump_sink(b));
                }
            }
            Err(e) => note(format!("The live logs could not be read: {e}.")),
        }
    }
    progress_update(&signal, signals, |p| p.phase = Phase::Done);
}

/// What the view shows when the user cancels a load: the phase, and the archives not read.
pub fn mark_cancelled(signals: LoadSignals) {
    signals.progress.update(|p| p.phase = Phase::Cancelled);
    signals.archives.update(|rows| {
        for r in rows {
            if matches!(r.state, ArchiveState::Waiting | ArchiveState::Reading) {
                r.state = ArchiveState::Cancelled;
            }
        }
    });
}

// A load replaced by another (or cancelled, which the view reports itself) says nothing more
// and hands over no more lines: its signals and its model now belong to the next.
fn progress_update(signal: &AbortSignal, s: LoadSignals, f: impl FnOnce(&mut Progress)) {
    if !signal.aborted() {
        s.progress.update(f);
    }
}

fn progress_set(signal: &AbortSignal, s: LoadSignals, p: Progress) {
    if !signal.aborted() {
        s.progress.set(p);
    }
}

fn archives_update(signal: &AbortSignal, s: LoadSignals, f: impl FnOnce(&mut Vec<ArchiveRow>)) {
    if !signal.aborted() {
        s.archives.update(f);
    }
}

fn archives_set(signal: &AbortSignal, s: LoadSignals, rows: Vec<ArchiveRow>) {
    if !signal.aborted() {
        s.archives.set(rows);
    }
}

/// Reads an opened stream to its end into `lines` (see [`pump`]), then hands over the last
/// line, which may lack its `\n`.
async fn read_all(
    opened: Result<download::ByteStream, DownloadError>,
    lines: &mut LineSink<'_>,
    signals: LoadSignals,
    signal: &AbortSignal,
    slicer: &mut Slicer,
    sink: &mut impl FnMut(&Batch),
) -> Result<(), DownloadError> {
    let result = match opened {
        Ok(stream) => pump(stream, lines, signals, slicer, sink).await,
        Err(e) => Err(e),
    };
    lines.finish();
    if !signal.aborted() {
        lines.drain(|batch| sink(batch));
    }
    result
}

/// Reads `stream` to its end into `lines`, handing kept lines to `sink` after every chunk
/// and giving the browser the thread between slices.
async fn pump(
    mut stream: download::ByteStream,
    lines: &mut LineSink<'_>,
    signals: LoadSignals,
    slicer: &mut Slicer,
    sink: &mut impl FnMut(&Batch),
) -> Result<(), DownloadError> {
    while let Some(chunk) = stream.next().await? {
        lines.feed(&chunk);
        signals.progress.update(|p| p.bytes += chunk.len() as u64);
        lines.drain(|batch| sink(batch));
        slicer.tick().await;
    }
    Ok(())
}

/// Opens a local file (`.log` or `.log.gz`) into `sink`, every line kept (the range and
/// filter are the file's own).
pub async fn open_file(
    file: web_sys::File,
    signal: AbortSignal,
    signals: LoadSignals,
    mut sink: impl FnMut(&Batch),
) {
    let far = TimeRange {
        from: Timestamp {
            secs: i64::MIN / 4,
            nanos: 0,
        },
        to: Timestamp {
            secs: i64::MAX / 4,
            nanos: 0,
        },
    };
    archives_set(&signal, signals, Vec::new());
    progress_set(
        &signal,
        signals,
        Progress {
            phase: Phase::Downloading,
            archives_total: 1,
            ..Progress::default()
        },
    );
    let mut lines = LineSink::new(far, None);
    let mut slicer = Slicer::new();
    let opened = download::open_file(&file, &signal).await;
    let result = read_all(opened, &mut lines, signals, &signal, &mut slicer, &mut sink).await;
    let name = file.name();
    progress_update(&signal, signals, |p| {
        p.lines_kept = lines.kept();
        p.archives_done = 1;
        p.phase = Phase::Done;
        match &result {
            Ok(_) => {}
            Err(DownloadError::Aborted) => p.phase = Phase::Cancelled,
            Err(e) => p.notes.push(format!("{name}: {e}")),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp { secs, nanos: 0 }
    }

    #[test]
    fn the_sink_keeps_the_lines_of_the_range_and_filter_across_chunks() {
        // 2026-12-07 05:00:00 UTC = 1_796_619_600.
        let range = TimeRange::new(at(1_796_619_600), at(1_796_619_660)).unwrap();
        let filter = ContainerFilter::new("web").unwrap();
        let mut sink = LineSink::new(range, filter.as_ref());
        let text = "2026-12-07 05:59:59.000 +0100 CET [web-1] before\r\n\
                    2026-12-07 06:00:00.000 +0100 CET [web-1] first é\r\n\
                    2026-12-07 05:00:30.000 +0000 UTC [worker-1] other container\n\
                    \tat continuation\n\
                    2026-12-07 06:00:59.999 +0100 CET [web-2] last\n\
                    2026-12-07 06:01:00.000 +0100 CET [web-1] after";
        // Cut inside the `é` and inside a `\r\n`.
        let bytes = text.as_bytes();
        let cut = text.find('é').unwrap() + 1;
        sink.feed(&bytes[..cut]);
        sink.feed(&bytes[cut..cut + 3]);
        sink.feed(&bytes[cut + 3..]);
        sink.finish();
        let mut kept = Vec::new();
        sink.drain(|b| kept.extend(b.iter().map(|l| l.raw().to_owned())));
        assert_eq!(
            kept,
            vec![
                "2026-12-07 06:00:00.000 +0100 CET [web-1] first é",
                "\tat continuation",
                "2026-12-07 06:00:59.999 +0100 CET [web-2] last",
            ]
        );
        assert_eq!(sink.kept(), 3);
    }
}
