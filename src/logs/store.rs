//! A compact store of log lines in time order, for a million lines of history and for the
//! live buffer.
//!
//! Lines live in a text arena of fixed-size chunks; each has a fixed-size index record
//! (time, place in the arena, interned container, flags). A line is parsed further only when a row is drawn or
//! matched. Records are kept sorted by time, equal times in arrival order, so a late line is
//! shown where it belongs instead of at the bottom.
//!
//! Memory: 24 bytes a record plus the text, with at most a sixteenth of slack in the records'
//! buffer (which also holds evicted records until the room is needed) and at most an eighth
//! in the arena: the unfilled end of the current chunk plus the chunks still holding a live
//! line. Chunks are never reallocated: a growing buffer would copy
//! the whole text at each growth and leave the old copies in wasm memory, which never shrinks
//! (a million lines peaked at 3.7× their text that way); a chunk whose lines were all
//! evicted is freed. `examples/history_bench.rs` measures it on a million realistic lines.

use std::borrow::Cow;
use std::collections::HashMap;

use super::line::Timestamp;
use super::render;

/// The container id of a line without `[container]`.
const NO_CONTAINER: u16 = u16::MAX;
/// The container id given once the table is full: the name is then read from the text.
const MANY_CONTAINERS: u16 = u16::MAX - 1;
/// The line had no time of its own and borrowed the previous line's.
const UNTIMED: u16 = 1;
/// Not a line: a marker where lines may be missing (a reconnect whose dump did not reach
/// back to the last line seen). It has no text and the time of the line before it.
const GAP: u16 = 2;
/// The text holds no escape or control character but tab ([`render::is_plain`]).
const TEXT_PLAIN: u16 = 4;
/// The text holds colour sequences and printable ASCII only ([`render::is_sgr_only`]).
const TEXT_COLOURS: u16 = 8;
/// The flags' upper 12 bits hold where the message starts in the text
/// ([`super::line::message_start`]), so that reading a line's message does not split its
/// time and container again; [`MESSAGE_UNKNOWN`] when it starts further than that.
const MESSAGE_SHIFT: u16 = 4;
/// The message start that does not fit the flags: it is found again when needed.
const MESSAGE_UNKNOWN: u16 = 0xFFF;
/// The largest arena chunk, in bytes; a longer line gets a chunk of its own size.
const CHUNK_BYTES: usize = 1 << 20;

/// One line's index record: 24 bytes.
#[derive(Clone, Copy, Debug)]
struct Record {
    /// Nanoseconds since the Unix epoch (UTC).
    time: i64,
    /// Where the text is: the arena chunk in the high 32 bits, the byte offset in it in the
    /// low 32.
    offset: u64,
    /// Byte length of the text.
    len: u32,
    container: u16,
    flags: u16,
}

/// The key records are sorted by. A named function rather than a closure, so that both sorts
/// of the store share one instantiation of std's sort in the wasm.
fn by_time(r: &Record) -> i64 {
    r.time
}

/// A stored line, borrowed from the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredLine<'a> {
    /// The line as received, without its line break.
    pub raw: &'a str,
    /// Nanoseconds since the Unix epoch (UTC); for a line without a time of its own, the time
    /// of the line received before it, so it stays beside it.
    pub time: i64,
    /// Whether the time is the line's own.
    pub timed: bool,
    /// The container name, without brackets.
    pub container: Option<&'a str>,
    /// Whether this is a gap marker rather than a line (its `raw` is empty).
    pub gap: bool,
    /// What `raw` holds besides printable text, found once when the line was stored.
    pub escapes: Escapes,
    /// The message: the end of `raw` after the time and `[container]`
    /// ([`super::line::LogLine::message`]), escape sequences included.
    pub message: &'a str,
}

impl<'a> StoredLine<'a> {
    /// The message as the reader sees it, as [`super::line::plain_message_of`] gives it, from
    /// what was found when the line was stored: the message itself when the line is plain,
    /// its text without colour sequences (written into `scratch`) when it has colours only,
    /// and what a terminal would show otherwise.
    pub fn plain_message<'s>(&self, scratch: &'s mut Vec<u8>) -> Cow<'s, str>
    where
        'a: 's,
    {
        match self.escapes {
            Escapes::None => Cow::Borrowed(self.message),
            Escapes::Colours => {
                scratch.clear();
                render::strip_sgr(self.message.as_bytes(), scratch);
                // Colour-only text is ASCII, so this cannot fail; if it did, drawing decides.
                match std::str::from_utf8(scratch) {
                    Ok(text) => Cow::Borrowed(text),
                    Err(_) => Cow::Owned(render::displayed_text(self.message)),
                }
            }
            Escapes::Other => Cow::Owned(render::displayed_text(self.message)),
        }
    }
}

/// What a line holds besides printable text: whether the search can read it as it is, or
/// with its colour sequences cut out, rather than drawing it as a terminal would.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escapes {
    /// No escape sequence, no control character but tab: the line reads as it is.
    None,
    /// Printable ASCII and colour sequences only: the line reads as it is without them
    /// ([`render::strip_sgr`]).
    Colours,
    /// Anything else (cursor moves, carriage returns, links…): only drawing tells.
    Other,
}

/// A line as the store files it: its text without line breaks, its time and its container,
/// read once (see [`ParsedLine::parse`]) and then carried along, so that the loader's range
/// filter, the model and the store do not each read the time again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedLine<'a> {
    raw: &'a str,
    time: Option<i64>,
    container: Option<&'a str>,
    /// Where the message starts in `raw`.
    message: u32,
}

impl<'a> ParsedLine<'a> {
    /// Reads a line in the platform's format. Trailing `\n` and `\r` are dropped (framing
    /// removes them; other callers may not), and a line over 4 GiB is cut to what a record
    /// can index.
    pub fn parse(raw: &'a str) -> ParsedLine<'a> {
        let raw = raw.trim_end_matches(['\n', '\r']);
        let raw = &raw[..floor_char_boundary(raw, u32::MAX as usize)];
        // One split for the time, the container and the message, as `LogLine` reads them.
        let (time, container, message) = super::line::split(raw).unwrap_or((None, None, 0));
        let time = time.and_then(|r| Timestamp::parse(&raw[r.start as usize..r.end as usize]));
        ParsedLine {
            raw,
            time: time.map(Timestamp::unix_nanos),
            // A line without a readable time is filed as untimed, its container unread.
            container: container
                .filter(|_| time.is_some())
                .map(|r| &raw[r.start as usize..r.end as usize]),
            message,
        }
    }

    /// The text, without line breaks.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// Nanoseconds since the Unix epoch (UTC); `None` for a line without a time of its own.
    pub fn time(&self) -> Option<i64> {
        self.time
    }

    /// The container name, without brackets.
    pub fn container(&self) -> Option<&'a str> {
        self.container
    }
}

/// Lines read once and waiting for the store: their texts end to end in one buffer and, per
/// line, where its text and container are and its time. A loader fills one per chunk it reads
/// and clears it after [`LineStore::extend_batch_evicting`], so the buffers are reused and no
/// line gets an allocation of its own (a `Vec<String>` per chunk left a million small
/// allocations to free, interleaved with the arena's chunks in wasm memory, which never
/// shrinks).
#[derive(Clone, Debug, Default)]
pub struct Batch {
    text: String,
    lines: Vec<BatchLine>,
}

/// A line of a [`Batch`]: byte ranges in its text.
#[derive(Clone, Copy, Debug)]
struct BatchLine {
    start: usize,
    end: usize,
    time: Option<i64>,
    /// The container's range in the text; empty for none.
    container: (usize, usize),
    /// Where the message starts, from `start`.
    message: u32,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Batch {
        Batch::default()
    }

    /// A batch of these lines, each read with [`ParsedLine::parse`].
    pub fn of<S: AsRef<str>>(lines: impl IntoIterator<Item = S>) -> Batch {
        let mut b = Batch::new();
        for l in lines {
            b.push(ParsedLine::parse(l.as_ref()));
        }
        b
    }

    /// Appends a line (its text is copied).
    pub fn push(&mut self, line: ParsedLine<'_>) {
        let start = self.text.len();
        self.text.push_str(line.raw);
        let container = match line.container {
            // The container is a slice of the line's text: its place in it carries over.
            Some(c) => {
                let at = start + (c.as_ptr() as usize - line.raw.as_ptr() as usize);
                (at, at + c.len())
            }
            None => (0, 0),
        };
        self.lines.push(BatchLine {
            start,
            end: self.text.len(),
            time: line.time,
            container,
            message: line.message,
        });
    }

    /// Lines held.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether no line is held.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The text of one of this batch's lines.
    fn raw(&self, line: &BatchLine) -> &str {
        &self.text[line.start..line.end]
    }

    /// Forgets the lines, keeping the buffers for the next ones.
    pub fn clear(&mut self) {
        self.text.clear();
        self.lines.clear();
    }

    /// The lines in the order they were pushed.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = ParsedLine<'_>> {
        self.lines.iter().map(|l| ParsedLine {
            raw: self.raw(l),
            time: l.time,
            container: (l.container.1 > l.container.0)
                .then(|| &self.text[l.container.0..l.container.1]),
            message: l.message,
        })
    }
}

/// What [`LineStore::extend`] changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extended {
    /// Lines evicted from the front (the batch's own lines included, when they were older
    /// than everything kept in a full store).
    pub evicted: usize,
    /// The index of the first line whose place may have changed: lines before it are as
    /// they were (less the evicted ones). Equal to the old length when the batch only
    /// appended lines.
    pub from: usize,
}

/// Log lines sorted by time, at most `capacity` of them; past that the oldest are evicted.
#[derive(Debug)]
pub struct LineStore {
    /// Text chunks, filled in arrival order; a freed chunk is left empty in place.
    chunks: Vec<String>,
    /// Live bytes in each chunk: at zero (and not the current chunk) it is freed.
    chunk_live: Vec<usize>,
    /// Live records are `records[head..]`; the ones before were evicted and are dropped in
    /// bulk, so evicting is O(1) and the live ones stay one contiguous sorted slice.
    records: Vec<Record>,
    head: usize,
    containers: Vec<Box<str>>,
    container_ids: HashMap<Box<str>, u16>,
    capacity: usize,
    evicted: u64,
    /// Gap markers among the live records.
    gaps: usize,
    /// The time of the last line received, lent to a following line without a time.
    last_time: i64,
}

impl LineStore {
    /// An empty store keeping at most `capacity` lines (at least one).
    pub fn new(capacity: usize) -> Self {
        LineStore {
            chunks: Vec::new(),
            chunk_live: Vec::new(),
            records: Vec::new(),
            head: 0,
            containers: Vec::new(),
            container_ids: HashMap::new(),
            capacity: capacity.max(1),
            evicted: 0,
            gaps: 0,
            last_time: i64::MIN,
        }
    }

    /// The most lines kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Lines stored.
    pub fn len(&self) -> usize {
        self.records.len() - self.head
    }

    /// Whether no line is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Lines evicted (or refused) since the store was made or cleared, for "N lines left out".
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Gap markers stored (see [`LineStore::push_gap`]).
    pub fn gaps(&self) -> usize {
        self.gaps
    }

    /// Removes every line, keeping the container table and the allocations' sizes down.
    pub fn clear(&mut self) {
        *self = LineStore::new(self.capacity);
    }

    /// Bytes of memory the store holds: the arena's and the records' allocations, and an
    /// estimate of the container table's.
    pub fn bytes_used(&self) -> usize {
        let names: usize = self.containers.iter().map(|n| n.len()).sum();
        self.chunks.iter().map(String::capacity).sum::<usize>()
            + self.chunks.capacity() * std::mem::size_of::<String>()
            + self.chunk_live.capacity() * std::mem::size_of::<usize>()
            + self.records.capacity() * std::mem::size_of::<Record>()
            + 2 * names
            + self.containers.capacity() * std::mem::size_of::<Box<str>>()
            + self.container_ids.capacity() * (std::mem::size_of::<(Box<str>, u16)>() + 1)
    }

    /// Bytes of line text stored (without line breaks): what a plain list of strings would
    /// hold, against which [`LineStore::bytes_used`] is measured.
    pub fn text_bytes(&self) -> usize {
        self.live().iter().map(|r| r.len as usize).sum()
    }

    /// The line at `index` in time order (0 is the oldest).
    pub fn get(&self, index: usize) -> Option<StoredLine<'_>> {
        self.live().get(index).map(|r| self.view(r))
    }

    /// The lines in time order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = StoredLine<'_>> + ExactSizeIterator {
        self.live().iter().map(|r| self.view(r))
    }

    /// The index of the first line at or after `time` (nanoseconds): with two of them, the
    /// rows of a time range.
    pub fn index_of_time(&self, time: i64) -> usize {
        self.live().partition_point(|r| r.time < time)
    }

    /// The interned id of a line's container, for filtering without reading the text;
    /// `None` for a line without one.
    pub fn container_id(&self, index: usize) -> Option<u16> {
        self.live()
            .get(index)
            .map(|r| r.container)
            .filter(|&c| c != NO_CONTAINER)
    }

    /// The id a container name is interned as, if any line had it.
    pub fn container_id_of(&self, name: &str) -> Option<u16> {
        self.container_ids.get(name).copied()
    }

    /// Stores a line where its time puts it (after lines of the same time) and evicts the
    /// oldest past capacity. Returns the line's index, or `None` if it was itself the oldest
    /// and evicted at once.
    pub fn insert(&mut self, raw: &str) -> Option<usize> {
        self.insert_evicting(raw, &mut |_| {})
    }

    /// [`LineStore::insert`], handing each evicted line to `on_evict` before it goes.
    pub fn insert_evicting(
        &mut self,
        raw: &str,
        on_evict: &mut dyn FnMut(StoredLine<'_>),
    ) -> Option<usize> {
        let mut rec = self.describe(ParsedLine::parse(raw));
        rec.offset = self.place(raw);
        // The usual case is a line in order: it goes at the end without a search.
        let at = match self.live().last() {
            Some(last) if last.time > rec.time => {
                self.live().partition_point(|r| r.time <= rec.time)
            }
            _ => self.len(),
        };
        self.reserve_records(1);
        self.records.insert(self.head + at, rec);
        let evicted = self.evict(on_evict);
        at.checked_sub(evicted)
    }

    /// Where [`LineStore::insert`] would put `raw` (before any eviction): after the lines of
    /// the same time or earlier.
    pub fn insert_position(&self, raw: &str) -> usize {
        let time = line_time(raw.trim_end_matches(['\n', '\r'])).unwrap_or(self.last_time);
        self.live().partition_point(|r| r.time <= time)
    }

    /// The first index [`LineStore::extend_batch_evicting`] with `batch` may move (before any
    /// eviction): the lines before it stay in place.
    pub fn batch_position(&self, batch: &Batch) -> usize {
        let mut last = self.last_time;
        let mut earliest = None::<i64>;
        for l in &batch.lines {
            // A line without a time of its own takes the one before it.
            let t = l.time.unwrap_or(last);
            last = t;
            earliest = Some(earliest.map_or(t, |e| e.min(t)));
        }
        match earliest {
            Some(e) => self.live().partition_point(|r| r.time <= e),
            None => self.len(),
        }
    }

    /// Stores lines, in any order, as [`LineStore::extend_batch_evicting`] does (tests and
    /// benchmarks; the viewer fills a [`Batch`] itself).
    pub fn extend<S: AsRef<str>>(&mut self, lines: impl IntoIterator<Item = S>) -> Extended {
        self.extend_batch_evicting(&Batch::of(lines), &mut |_| {})
    }

    /// Stores a batch of lines, in any order, as if each were [`LineStore::insert`]ed in turn,
    /// with one sort of the part of the store the batch reaches into, handing each evicted
    /// line to `on_evict` before it goes. The lines' times and containers were read when the
    /// batch was filled, and are not read again.
    pub fn extend_batch_evicting(
        &mut self,
        batch: &Batch,
        on_evict: &mut dyn FnMut(StoredLine<'_>),
    ) -> Extended {
        let old_live = self.len();
        self.reserve_records(batch.len());
        let first = self.records.len();
        for (i, line) in batch.iter().enumerate() {
            let mut rec = self.describe(line);
            // Which line of the batch this is, until its text is placed.
            rec.offset = i as u64;
            self.records.push(rec);
        }
        // The texts go into the arena in time order rather than arrival order, so that
        // reading the lines in order reads memory in order. An archive's lines are shuffled
        // by seconds: placed as they came, every line read by a search or a count was a cache
        // miss (about 60 ms of 330 per million lines, natively).
        self.records[first..].sort_by_key(by_time);
        let earliest = self.records.get(first).map_or(i64::MAX, |r| r.time);
        for k in first..self.records.len() {
            let line = &batch.lines[self.records[k].offset as usize];
            self.records[k].offset = self.place(batch.raw(line));
        }
        self.sort_new(old_live, earliest, on_evict)
    }

    /// Sorts the records pushed after the first `old_live` live ones (the earliest at
    /// `earliest`) in among them, then evicts past capacity. (Pushing may drop the dead
    /// records before the live ones, so the caller counts live records, not indices.)
    fn sort_new(
        &mut self,
        old_live: usize,
        earliest: i64,
        on_evict: &mut dyn FnMut(StoredLine<'_>),
    ) -> Extended {
        let old_len = self.head + old_live;
        let mut start = old_len;
        if self.records.len() > old_len {
            // Older lines at or before the batch's earliest stay put; the rest and the batch
            // are sorted together. The sort is stable, so equal times keep arrival order.
            start = self.head
                + self.records[self.head..old_len].partition_point(|r| r.time <= earliest);
            self.records[start..].sort_by_key(by_time);
        }
        let from = start - self.head;
        let evicted = self.evict(on_evict);
        Extended {
            evicted,
            from: from.saturating_sub(evicted),
        }
    }

    /// Appends a gap marker after the newest line (see [`StoredLine::gap`]); it counts
    /// towards the capacity like a line. Returns its index.
    pub fn push_gap(&mut self) -> Option<usize> {
        let time = self.live().last().map_or(self.last_time, |r| r.time);
        self.reserve_records(1);
        self.records.push(Record {
            time,
            offset: 0,
            len: 0,
            container: NO_CONTAINER,
            flags: GAP | UNTIMED,
        });
        self.gaps += 1;
        let at = self.len() - 1;
        let evicted = self.evict(&mut |_| {});
        at.checked_sub(evicted)
    }

    /// The raw text of the newest `n` lines (gap markers skipped), oldest first: the window
    /// a fresh dump is compared with after a reconnect.
    pub fn tail_raw(&self, n: usize) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .iter()
            .rev()
            .filter(|l| !l.gap)
            .map(|l| l.raw)
            .take(n)
            .collect();
        out.reverse();
        out
    }

    fn live(&self) -> &[Record] {
        &self.records[self.head..]
    }

    fn view(&self, r: &Record) -> StoredLine<'_> {
        let chunk = &self.chunks[(r.offset >> 32) as usize];
        let start = (r.offset & 0xFFFF_FFFF) as usize;
        let raw = &chunk[start..start + r.len as usize];
        let container = match r.container {
            NO_CONTAINER => None,
            MANY_CONTAINERS => ParsedLine::parse(raw).container,
            id => Some(&*self.containers[id as usize]),
        };
        let message = match r.flags >> MESSAGE_SHIFT {
            MESSAGE_UNKNOWN => super::line::message_start(raw),
            at => usize::from(at),
        };
        StoredLine {
            raw,
            time: r.time,
            timed: r.flags & UNTIMED == 0,
            container,
            gap: r.flags & GAP != 0,
            escapes: if r.flags & TEXT_PLAIN != 0 {
                Escapes::None
            } else if r.flags & TEXT_COLOURS != 0 {
                Escapes::Colours
            } else {
                Escapes::Other
            },
            message: &raw[message..],
        }
    }

    /// Makes a line's record, all but where its text is ([`LineStore::place`] says that).
    fn describe(&mut self, line: ParsedLine<'_>) -> Record {
        let raw = line.raw;
        let (time, flags, container) = match line.time {
            Some(t) => (t, 0, line.container),
            None => (self.last_time, UNTIMED, None),
        };
        self.last_time = time;
        let flags = flags
            | if render::is_plain(raw) {
                TEXT_PLAIN
            } else if render::is_sgr_only(raw) {
                TEXT_COLOURS
            } else {
                0
            };
        let flags = flags | (line.message.min(u32::from(MESSAGE_UNKNOWN)) as u16) << MESSAGE_SHIFT;
        let container = container.map_or(NO_CONTAINER, |c| self.intern(c));
        Record {
            time,
            offset: 0,
            len: raw.len() as u32,
            container,
            flags,
        }
    }

    /// Copies a line's text into the arena and returns its [`Record::offset`].
    fn place(&mut self, raw: &str) -> u64 {
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.capacity() - c.len() >= raw.len());
        if !fits {
            // An eighth of the live text, within 16 KiB and a mebibyte: a small store stays
            // small, a large one wastes at most an eighth.
            let live: usize = self.chunk_live.iter().sum();
            let size = (live / 8).clamp(16 * 1024, CHUNK_BYTES);
            self.chunks.push(String::with_capacity(raw.len().max(size)));
            self.chunk_live.push(0);
        }
        let index = self.chunks.len() - 1;
        let chunk = &mut self.chunks[index];
        let offset = ((index as u64) << 32) | chunk.len() as u64;
        chunk.push_str(raw);
        self.chunk_live[index] += raw.len();
        offset
    }

    fn intern(&mut self, name: &str) -> u16 {
        if let Some(&id) = self.container_ids.get(name) {
            return id;
        }
        if self.containers.len() >= MANY_CONTAINERS as usize {
            return MANY_CONTAINERS;
        }
        let id = self.containers.len() as u16;
        self.containers.push(name.into());
        self.container_ids.insert(name.into(), id);
        id
    }

    /// Makes room for `additional` more records. Evicted records still at the front are
    /// dropped first (one move of the live ones), so a full store's records never grow again.
    /// Otherwise they grow by doubling up to the capacity and a sixteenth of slack (a batch's
    /// worth more if needed), and straight to that when doubling would fall short of it by
    /// less than a quarter: each growth copies the records into a new allocation and leaves
    /// the old one behind in wasm memory, which never shrinks (growing a few thousand records
    /// at a time past a full million left 75 MB behind).
    fn reserve_records(&mut self, additional: usize) {
        if self.records.capacity() - self.records.len() >= additional {
            return;
        }
        if self.head > 0 {
            self.records.drain(..self.head);
            self.head = 0;
            if self.records.capacity() - self.records.len() >= additional {
                return;
            }
        }
        let len = self.records.len();
        let most = (self.capacity + self.capacity / 16).max(len + additional);
        let mut target = (len * 2).max(64).min(most);
        if most - target < most / 4 {
            target = most;
        }
        self.records
            .reserve_exact(target.max(len + additional) - self.records.capacity());
    }

    /// Evicts the oldest lines past capacity, freeing chunks left without a live line; their
    /// records stay before `head` until [`LineStore::reserve_records`] needs the room.
    /// Returns how many.
    fn evict(&mut self, on_evict: &mut dyn FnMut(StoredLine<'_>)) -> usize {
        let excess = self.len().saturating_sub(self.capacity);
        for r in &self.records[self.head..self.head + excess] {
            on_evict(self.view(r));
        }
        let current = self.chunks.len().saturating_sub(1);
        for r in &self.records[self.head..self.head + excess] {
            if r.len > 0 {
                let c = (r.offset >> 32) as usize;
                self.chunk_live[c] -= r.len as usize;
                if self.chunk_live[c] == 0 && c != current {
                    self.chunks[c] = String::new();
                }
            }
            if r.flags & GAP != 0 {
                self.gaps -= 1;
            }
        }
        self.head += excess;
        self.evicted += excess as u64;
        excess
    }
}

/// The largest index at most `max` that is a character boundary of `s`.
fn floor_char_boundary(s: &str, max: usize) -> usize {
    if max >= s.len() {
        return s.len();
    }
    (0..=max)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}

/// The time of a line in the platform's format, in nanoseconds since the Unix epoch, as
/// the store would file it; `None` for a line without a time of its own.
pub fn line_time(raw: &str) -> Option<i64> {
    ParsedLine::parse(raw).time
}

/// What follows the time of a line (`[web-1] …`), spaces trimmed; `None` for a line without
/// one. Only asked of timed lines, whose time was read when they were parsed.
fn after_time(raw: &str) -> Option<&str> {
    let (time, _, _) = super::line::split(raw)?;
    Some(raw[time?.end as usize..].trim_start_matches(' '))
}

/// Drops from a live dump the lines an archive already gave: same instant and same text
/// after the time. The time's text is not compared, since archives write Paris offsets
/// (`+0100 CET`) where the live dump writes `+0000 UTC` for the same instant. Each stored
/// line cancels one dump line, so a line really logged twice is kept twice. Lines without a
/// time cannot be matched and are kept.
pub fn dedupe_dump(store: &LineStore, dump: &Batch) -> Batch {
    let mut used: HashMap<(i64, &str), usize> = HashMap::new();
    let mut out = Batch::new();
    for line in dump.iter() {
        let rest = after_time(line.raw);
        let (Some(t), Some(rest)) = (line.time, rest) else {
            out.push(line);
            continue;
        };
        let first = store.index_of_time(t);
        let stored = store.live()[first..]
            .iter()
            .take_while(|r| r.time == t)
            .map(|r| store.view(r))
            .filter(|s| s.timed && after_time(s.raw) == Some(rest))
            .count();
        let seen = used.entry((t, rest)).or_insert(0);
        if *seen >= stored {
            out.push(line);
        }
        *seen += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const S: i64 = 1_000_000_000;

    /// A live-format line at `secs` seconds after 2017-03-24 14:00:00 UTC.
    fn line(secs: i64, container: &str, message: &str) -> String {
        let t = Timestamp {
            secs: 1_490_364_000 + secs,
            nanos: 0,
        };
        format!(
            "{}.000000000 +0000 UTC [{container}] {message}",
            t.format(0).split('.').next().unwrap()
        )
    }

    fn raws(store: &LineStore) -> Vec<&str> {
        store.iter().map(|l| l.raw).collect()
    }

    #[test]
    fn a_late_line_is_inserted_where_its_time_puts_it() {
        let mut s = LineStore::new(10);
        assert_eq!(s.insert(&line(1, "web-1", "a")), Some(0));
        assert_eq!(s.insert(&line(3, "web-1", "c")), Some(1));
        assert_eq!(s.insert(&line(2, "web-2", "b")), Some(1));
        assert_eq!(
            raws(&s),
            [
                line(1, "web-1", "a"),
                line(2, "web-2", "b"),
                line(3, "web-1", "c")
            ]
        );
    }

    #[test]
    fn lines_of_the_same_time_keep_their_arrival_order() {
        let mut s = LineStore::new(10);
        s.extend([line(5, "w", "1"), line(5, "w", "2"), line(4, "w", "0")]);
        s.insert(&line(5, "w", "3"));
        s.extend([line(5, "w", "4"), line(5, "w", "5")]);
        let messages: Vec<_> = s
            .iter()
            .map(|l| l.raw.rsplit(' ').next().unwrap())
            .collect();
        assert_eq!(messages, ["0", "1", "2", "3", "4", "5"]);
    }

    /// What keeps a search over a shuffled archive fast: a batch's texts are laid out in the
    /// order they are read, and untimed lines keep the time of the line that came before
    /// them, not of the line before them in time.
    #[test]
    fn a_shuffled_batch_is_laid_out_in_time_order() {
        let mut s = LineStore::new(100);
        let order = [7, 3, 9, 0, 5, 1, 8, 2, 6, 4];
        let mut batch: Vec<String> = order.iter().map(|&i| line(i, "w", "m")).collect();
        batch.insert(2, "  at continuation".to_owned());
        s.extend(&batch);
        let lines: Vec<_> = s.iter().collect();
        let addresses: Vec<usize> = lines.iter().map(|l| l.raw.as_ptr() as usize).collect();
        assert!(addresses.is_sorted(), "{addresses:?}");
        let continuation = lines.iter().position(|l| !l.timed).unwrap();
        assert_eq!(lines[continuation - 1].raw, line(3, "w", "m"));
        assert_eq!(lines[continuation].time, lines[continuation - 1].time);
    }

    #[test]
    fn paris_and_utc_times_of_the_same_instant_sort_together() {
        let mut s = LineStore::new(10);
        s.insert("2017-03-24 15:00:02 +0100 CET [web-1] paris");
        s.insert("2017-03-24 14:00:01 +0000 UTC [web-1] utc");
        assert_eq!(s.get(0).unwrap().time, 1_490_364_001 * S);
        assert_eq!(
            s.get(1).unwrap().raw,
            "2017-03-24 15:00:02 +0100 CET [web-1] paris"
        );
    }

    #[test]
    fn a_line_without_a_time_stays_after_the_line_before_it() {
        let mut s = LineStore::new(10);
        s.extend([
            line(1, "w", "a"),
            line(9, "w", "b"),
            "  at Foo.bar(Foo.java:1)".into(),
            line(5, "w", "c"),
        ]);
        assert_eq!(
            raws(&s),
            [
                line(1, "w", "a"),
                line(5, "w", "c"),
                line(9, "w", "b"),
                "  at Foo.bar(Foo.java:1)".into()
            ]
        );
        let untimed = s.get(3).unwrap();
        assert!(!untimed.timed);
        assert_eq!(untimed.time, s.get(2).unwrap().time);
        assert_eq!(untimed.container, None);
    }

    #[test]
    fn the_oldest_lines_are_evicted_past_capacity_and_counted() {
        let mut s = LineStore::new(2);
        s.insert(&line(2, "w", "b"));
        s.insert(&line(3, "w", "c"));
        assert_eq!(s.insert(&line(1, "w", "too old")), None);
        assert_eq!(s.insert(&line(4, "w", "d")), Some(1));
        assert_eq!(raws(&s), [line(3, "w", "c"), line(4, "w", "d")]);
        assert_eq!(s.evicted(), 2);
        s.clear();
        assert!(s.is_empty());
        assert_eq!(s.evicted(), 0);
    }

    #[test]
    fn containers_are_interned_and_readable() {
        let mut s = LineStore::new(10);
        s.extend([
            line(1, "web-1", "a"),
            line(2, "worker-1", "b"),
            line(3, "web-1", "c"),
            "no container".into(),
        ]);
        let web = s.container_id_of("web-1").unwrap();
        assert_eq!(s.container_id(0), Some(web));
        assert_eq!(s.container_id(2), Some(web));
        assert_ne!(s.container_id(1), Some(web));
        assert_eq!(s.container_id(3), None);
        assert_eq!(s.get(1).unwrap().container, Some("worker-1"));
        assert_eq!(s.container_id_of("db"), None);
    }

    #[test]
    fn more_containers_than_ids_still_read_their_names() {
        let mut s = LineStore::new(70_000);
        s.extend((0..66_000).map(|i| line(i, &format!("one-off-{i}"), "x")));
        assert_eq!(s.get(65_999).unwrap().container, Some("one-off-65999"));
        assert_eq!(s.get(10).unwrap().container, Some("one-off-10"));
    }

    #[test]
    fn line_breaks_are_not_stored() {
        let mut s = LineStore::new(10);
        s.insert(&format!("{}\r\n", line(1, "w", "a")));
        assert_eq!(s.get(0).unwrap().raw, line(1, "w", "a"));
    }

    #[test]
    fn a_time_range_maps_to_rows() {
        let mut s = LineStore::new(10);
        s.extend((0..10).map(|i| line(i * 10, "w", "m")));
        let base = 1_490_364_000 * S;
        assert_eq!(s.index_of_time(base + 25 * S), 3);
        assert_eq!(s.index_of_time(base + 30 * S), 3);
        assert_eq!(s.index_of_time(base - 1), 0);
        assert_eq!(s.index_of_time(base + 1000 * S), 10);
    }

    #[test]
    fn a_long_live_run_keeps_memory_bounded() {
        let mut s = LineStore::new(1000);
        let msg = "x".repeat(200);
        for i in 0..200_000 {
            s.insert(&line(i, "web-1", &msg));
        }
        assert_eq!(s.len(), 1000);
        assert_eq!(s.evicted(), 199_000);
        // 1,000 lines of about 250 bytes: the arena holds them plus the chunks they share
        // with evicted lines and the current chunk's free end (an eighth of the text each).
        assert!(s.bytes_used() < 600_000, "{}", s.bytes_used());
        assert_eq!(s.get(999).unwrap().raw, line(199_999, "web-1", &msg));
    }

    #[test]
    fn a_full_store_fed_batches_never_grows_its_records() {
        let mut s = LineStore::new(10_000);
        let mut batch = Batch::new();
        let mut grown = Vec::new();
        for b in 0..100 {
            batch.clear();
            for i in 0..450 {
                batch.push(ParsedLine::parse(&line(b * 450 + i, "web-1", "m")));
            }
            s.extend_batch_evicting(&batch, &mut |_| {});
            grown.push(s.records.capacity());
        }
        assert_eq!(s.len(), 10_000);
        // Full from the 23rd batch on: evicted records make the room from then on.
        assert!(grown[22..].iter().all(|&c| c == grown[22]), "{grown:?}");
        assert!(grown[22] <= 10_000 + 10_000 / 16 + 450, "{}", grown[22]);
    }

    #[test]
    fn a_batch_carries_each_line_read_once() {
        let b = Batch::of([line(1, "web-1", "a"), "\tat continuation\r\n".to_string()]);
        let lines: Vec<ParsedLine<'_>> = b.iter().collect();
        assert_eq!(lines[0].raw(), line(1, "web-1", "a"));
        assert_eq!(lines[0].container(), Some("web-1"));
        assert_eq!(lines[0].time(), Some((1_490_364_000 + 1) * S));
        assert_eq!(lines[1], ParsedLine::parse("\tat continuation"));
        assert_eq!(lines[1].time(), None);
        let mut s = LineStore::new(10);
        s.extend_batch_evicting(&b, &mut |_| {});
        assert_eq!(
            raws(&s),
            [line(1, "web-1", "a"), "\tat continuation".into()]
        );
        assert_eq!(s.get(0).unwrap().container, Some("web-1"));
    }

    #[test]
    fn a_full_store_of_typical_lines_stays_within_the_memory_goal() {
        let mut s = LineStore::new(50_000);
        s.extend((0..50_000).map(|i| {
            line(
                i % 977,
                "web-1",
                "[martini] Started GET /api/v1/items/42?page=3 for 10.0.0.7 in 12ms",
            )
        }));
        let ratio = s.bytes_used() as f64 / s.text_bytes() as f64;
        assert!(ratio <= 1.6, "{ratio}");
    }

    #[test]
    fn the_dump_loses_the_lines_an_archive_already_gave() {
        let mut s = LineStore::new(10);
        s.extend([
            "2017-03-24 15:00:01.5 +0100 CET [web-1] same".to_string(),
            "2017-03-24 15:00:02 +0100 CET [web-1] twice".to_string(),
        ]);
        let dump = vec![
            "2017-03-24 14:00:01.500000000 +0000 UTC [web-1] same\n".to_string(),
            "2017-03-24 14:00:01.500000000 +0000 UTC [web-2] same".to_string(),
            "2017-03-24 14:00:02.000000000 +0000 UTC [web-1] twice".to_string(),
            "2017-03-24 14:00:02.000000000 +0000 UTC [web-1] twice".to_string(),
            "2017-03-24 14:00:03.000000000 +0000 UTC [web-1] new".to_string(),
            "no time".to_string(),
        ];
        let fresh = dedupe_dump(&s, &Batch::of(dump));
        assert_eq!(
            fresh.iter().map(|l| l.raw()).collect::<Vec<_>>(),
            [
                "2017-03-24 14:00:01.500000000 +0000 UTC [web-2] same",
                "2017-03-24 14:00:02.000000000 +0000 UTC [web-1] twice",
                "2017-03-24 14:00:03.000000000 +0000 UTC [web-1] new",
                "no time",
            ]
        );
    }

    /// A generated line: its seconds (or none: no time), container and message length.
    type Gen = (Option<i64>, u8, usize);

    fn text(g: &Gen, n: usize) -> String {
        let msg = format!("m{n}-{}", "y".repeat(g.2));
        match g.0 {
            Some(secs) => line(secs, &format!("web-{}", g.1), &msg),
            None => format!("untimed {msg}"),
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(Gen),
        Extend(Vec<Gen>),
    }

    fn gen() -> impl Strategy<Value = Gen> {
        (
            prop_oneof![9 => (0i64..30).prop_map(Some), 1 => Just(None)],
            0u8..4,
            prop_oneof![8 => 0usize..20, 1 => 2000usize..6000],
        )
    }

    proptest! {
        #[test]
        fn the_store_holds_what_a_sorted_list_of_strings_would(
            capacity in 1usize..40,
            ops in proptest::collection::vec(
                prop_oneof![
                    3 => gen().prop_map(Op::Insert),
                    1 => proptest::collection::vec(gen(), 0..30).prop_map(Op::Extend),
                ],
                0..60,
            ),
        ) {
            let mut store = LineStore::new(capacity);
            // The model: every line with its time and arrival number, sorted stably by time,
            // keeping the newest `capacity`.
            let mut model: Vec<(i64, String)> = Vec::new();
            let mut evicted = 0usize;
            let mut last_time = i64::MIN;
            let mut n = 0;
            let mut add = |g: &Gen, model: &mut Vec<(i64, String)>| {
                let raw = text(g, n);
                n += 1;
                let t = g.0.map_or(last_time, |s| (1_490_364_000 + s) * S);
                last_time = t;
                let at = model.partition_point(|(mt, _)| *mt <= t);
                model.insert(at, (t, raw.clone()));
                (raw, at)
            };
            for op in ops {
                match op {
                    Op::Insert(g) => {
                        let (raw, at) = add(&g, &mut model);
                        let excess = model.len().saturating_sub(capacity);
                        model.drain(..excess);
                        evicted += excess;
                        prop_assert_eq!(store.insert(&raw), at.checked_sub(excess));
                    }
                    Op::Extend(gs) => {
                        let before: Vec<String> = store.iter().map(|l| l.raw.to_owned()).collect();
                        let batch: Vec<String> = gs.iter().map(|g| add(g, &mut model).0).collect();
                        let excess = model.len().saturating_sub(capacity);
                        model.drain(..excess);
                        evicted += excess;
                        // Through a batch read once (as the history loader does) or through
                        // strings, alternately.
                        let done = if gs.len() % 2 == 0 {
                            let batch = Batch::of(&batch);
                            let position = store.batch_position(&batch);
                            let done = store.extend_batch_evicting(&batch, &mut |_| {});
                            prop_assert_eq!(position.saturating_sub(done.evicted), done.from);
                            done
                        } else {
                            store.extend(batch)
                        };
                        prop_assert_eq!(done.evicted, excess);
                        // Lines before `from` did not move (but for the evicted ones).
                        let kept: Vec<&str> = store.iter().take(done.from).map(|l| l.raw).collect();
                        let was: Vec<&str> = before.iter().skip(excess).take(done.from).map(String::as_str).collect();
                        prop_assert_eq!(kept, was);
                    }
                }
                prop_assert_eq!(store.len(), model.len());
                prop_assert_eq!(store.evicted(), evicted as u64);
                let got: Vec<(i64, &str)> = store.iter().map(|l| (l.time, l.raw)).collect();
                let want: Vec<(i64, &str)> = model.iter().map(|(t, r)| (*t, r.as_str())).collect();
                prop_assert_eq!(got, want);
                prop_assert_eq!(store.text_bytes(), model.iter().map(|(_, r)| r.len()).sum::<usize>());
            }
        }

        /// The message and plain message a stored line gives are what `LogLine` reads from
        /// its raw text, whatever the line: times that do or do not parse, containers or
        /// not, colours, other escapes, carriage returns, long prefixes.
        #[test]
        fn a_stored_line_reads_its_message_as_log_line_does(
            lines in proptest::collection::vec(
                (
                    prop_oneof![
                        Just("2017-03-24 14:00:00.123 +0100 CET ".to_string()),
                        Just("2017-03-24 14:00:00 +0000 UTC".to_string()),
                        Just("2017-13-99 14:00:00 +0000 UTC ".to_string()),
                        Just("2017-03-24 14:00:00 +0000 U.T.C ".to_string()),
                        Just("2017-03-24  14:00:00 +0000 UTC ".to_string()),
                        Just(String::new()),
                        "[0-9 :+.-]{0,30}",
                    ],
                    prop_oneof![
                        Just("[web-1] ".to_string()),
                        Just("[router]".to_string()),
                        Just("[] ".to_string()),
                        Just("[a b] ".to_string()),
                        "\\[[a-z\\x1b\\]]{0,6}\\] ?",
                        "x{4090,4100} ".prop_map(|x| format!("[{x}] ")),
                        Just(String::new()),
                    ],
                    prop_oneof![
                        "[a-z =\"\\[\\]]{0,30}",
                        "(\\x1b\\[[0-9;]{0,4}m|[a-z ]{1,5}){0,6}",
                        "(\\x1b\\[2K|\\r|\\x1b\\]8;;x\\x07|\\t|é|[a-z]){0,8}",
                    ],
                ),
                1..12,
            ),
        ) {
            let raws: Vec<String> = lines.iter().map(|(t, c, m)| format!("{t}{c}{m}")).collect();
            let mut store = LineStore::new(raws.len());
            store.extend(raws.clone());
            let mut scratch = Vec::new();
            for stored in store.iter() {
                let line = crate::logs::line::LogLine::parse(stored.raw);
                prop_assert_eq!(stored.message, line.message(), "{:?}", stored.raw);
                prop_assert_eq!(&*stored.plain_message(&mut scratch), line.plain_message(), "{:?}", stored.raw);
                prop_assert_eq!(
                    stored.timed.then_some(stored.time),
                    line.timestamp().map(Timestamp::unix_nanos),
                    "{:?}", stored.raw
                );
            }
        }
    }
}
