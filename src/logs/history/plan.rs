//! Which listing pages to fetch and which archives to download for a time range.
//!
//! The listing is newest first, 10 archives a page, by opaque cursor or page number. The
//! planner is fed pages as they arrive and says whether to ask for another, so the dashboard
//! pages only as far back as the range needs; it keeps the archives that overlap the range
//! (widened by a slack, since listed bounds are approximate) and says whether the live dump
//! must be read too, for the part of the range no archive holds yet.

use std::collections::HashSet;

use super::archive::{Archive, ArchiveError, Listing};
use super::TimeRange;
use crate::logs::line::Timestamp;

/// How far, in seconds, an archive's lines may stray outside its listed `from` and `to`:
/// archives listed within this of the range are downloaded too.
pub const SLACK_SECS: i64 = 3600;

/// How recent, in seconds, a range end must be for the live dump to be read whatever the
/// listing says: the platform archives on a schedule, so the last hour is rarely archived.
pub const DUMP_WINDOW_SECS: i64 = 3600;

/// The most listing pages read for one range (10,000 archives), in case a server keeps
/// answering `has_more` forever.
pub const MAX_PAGES: u32 = 1000;

/// A listing page to ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageRequest {
    /// The newest page: no `cursor` nor `page` in the query.
    First,
    /// `?cursor=C`, the `next_cursor` of the previous page.
    Cursor(String),
    /// `?page=N`, counted from 1, when the server gives `has_more` without a cursor.
    Page(u32),
}

/// Why the planner stopped paging.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// An archive older than the (widened) range start was listed: the range is covered.
    Covered,
    /// The server has no older archives (`has_more` false).
    NoMore,
    /// A page listed no usable archive: nothing older can be learnt from it.
    EmptyPage,
    /// The server gave a cursor it had already given: going on would loop.
    RepeatedCursor,
    /// [`MAX_PAGES`] pages were read.
    PageLimit,
}

/// What to do after a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Ask for this page next.
    Fetch(PageRequest),
    /// Stop paging; the downloads are known.
    Done(StopReason),
}

/// The paging planner of one range.
#[derive(Clone, Debug)]
pub struct Planner {
    range: TimeRange,
    /// `range` widened by the slack: what archives are matched against.
    wide: TimeRange,
    slack_secs: i64,
    now: Timestamp,
    pages: u32,
    cursors: HashSet<String>,
    files: HashSet<String>,
    downloads: Vec<Archive>,
    rejected: Vec<ArchiveError>,
    newest_to: Option<Timestamp>,
    stopped: Option<StopReason>,
}

impl Planner {
    /// A planner for `range`, read at `now`, with [`SLACK_SECS`] of slack.
    pub fn new(range: TimeRange, now: Timestamp) -> Self {
        Planner::with_slack(range, now, SLACK_SECS)
    }

    /// A planner with `slack_secs` seconds of slack on archive bounds.
    pub fn with_slack(range: TimeRange, now: Timestamp, slack_secs: i64) -> Self {
        Planner {
            range,
            wide: range.widened(slack_secs.max(0)),
            slack_secs: slack_secs.max(0),
            now,
            pages: 0,
            cursors: HashSet::new(),
            files: HashSet::new(),
            downloads: Vec::new(),
            rejected: Vec::new(),
            newest_to: None,
            stopped: None,
        }
    }

    /// The range asked for.
    pub fn range(&self) -> TimeRange {
        self.range
    }

    /// The first page to ask for.
    pub fn first(&self) -> PageRequest {
        PageRequest::First
    }

    /// Takes the page that answered the last request and says what to do next. After
    /// [`Step::Done`], further pages are ignored and the same `Done` is returned.
    pub fn add_page(&mut self, page: Listing) -> Step {
        if let Some(reason) = self.stopped {
            return Step::Done(reason);
        }
        self.pages += 1;
        self.rejected.extend(page.rejected);
        let mut oldest: Option<Timestamp> = None;
        for a in page.archives {
            let lo = a.from.min(a.to);
            oldest = Some(oldest.map_or(lo, |o| o.min(lo)));
            let hi = a.from.max(a.to);
            self.newest_to = Some(self.newest_to.map_or(hi, |n| n.max(hi)));
            // Page numbers shift when a new archive appears while paging, so an archive can
            // be listed twice; its signed URL may differ, its file name does not.
            if a.overlaps(&self.wide) && self.files.insert(a.file.clone()) {
                self.downloads.push(a);
            }
        }
        let reason = match (oldest, page.next_cursor) {
            (None, _) => StopReason::EmptyPage,
            (Some(o), _) if o < self.wide.from => StopReason::Covered,
            _ if !page.has_more => StopReason::NoMore,
            _ if self.pages >= MAX_PAGES => StopReason::PageLimit,
            (_, Some(c)) if !self.cursors.insert(c.clone()) => StopReason::RepeatedCursor,
            (_, Some(c)) => return Step::Fetch(PageRequest::Cursor(c)),
            (_, None) => return Step::Fetch(PageRequest::Page(self.pages + 1)),
        };
        self.stopped = Some(reason);
        Step::Done(reason)
    }

    /// Why paging stopped, once it has.
    pub fn stopped(&self) -> Option<StopReason> {
        self.stopped
    }

    /// Listing pages read so far.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// The archives to download, oldest first (the order their lines mostly go in), each
    /// once.
    pub fn downloads(&self) -> Vec<&Archive> {
        let mut out: Vec<&Archive> = self.downloads.iter().collect();
        out.sort_by_key(|a| (a.from.min(a.to), a.from.max(a.to)));
        out
    }

    /// Listed entries that could not be used, for the view to report.
    pub fn rejected(&self) -> &[ArchiveError] {
        &self.rejected
    }

    /// Whether the live dump must be read too: the range ends within [`DUMP_WINDOW_SECS`] of
    /// `now`, or later than the newest listed archive ends (less the slack), or no archive
    /// was listed at all. The dump's lines already in an archive are dropped with
    /// [`crate::logs::store::dedupe_dump`].
    pub fn needs_dump(&self) -> bool {
        let recent = self.range.to.secs > self.now.secs.saturating_sub(DUMP_WINDOW_SECS);
        // Lines up to the slack before an archive's listed end may still be missing from it.
        let unarchived = self
            .newest_to
            .is_none_or(|newest| self.range.to.secs > newest.secs.saturating_sub(self.slack_secs));
        recent || unarchived
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HOUR: i64 = 3600;
    /// 2017-03-24 00:00 UTC, a round hour to count from.
    const T0: i64 = 1_490_313_600;

    fn at(secs: i64) -> Timestamp {
        Timestamp { secs, nanos: 0 }
    }

    fn range(from: i64, to: i64) -> TimeRange {
        TimeRange::new(at(from), at(to)).unwrap()
    }

    /// Archives every `period` hours ending at `T0 + k * period` for k in 1..=count, newest
    /// first, as the listing gives them.
    fn schedule(period: i64, count: i64) -> Vec<Archive> {
        (1..=count)
            .rev()
            .map(|k| {
                let to = T0 + k * period * HOUR;
                Archive {
                    url: format!("https://s.example/a/app_1.log-{k}.gz?sig=x"),
                    file: format!("app_1.log-{k}.gz"),
                    size: Some(1),
                    from: at(to - period * HOUR),
                    to: at(to),
                }
            })
            .collect()
    }

    /// A server in the sandbox's manner: 10 a page, cursor = index of the next page's first
    /// archive (or page numbers when `cursors` is false).
    fn serve(all: &[Archive], req: &PageRequest, cursors: bool) -> Listing {
        let start = match req {
            PageRequest::First => 0,
            PageRequest::Cursor(c) => c.parse().unwrap(),
            PageRequest::Page(n) => (*n as usize - 1) * 10,
        }
        .min(all.len());
        let end = (start + 10).min(all.len());
        let has_more = end < all.len();
        Listing {
            next_cursor: (cursors && has_more).then(|| end.to_string()),
            has_more,
            archives: all[start..end].to_vec(),
            rejected: Vec::new(),
        }
    }

    /// Runs a planner against `all` until it stops; returns it and the requests it made.
    fn run(planner: &mut Planner, all: &[Archive], cursors: bool) -> Vec<PageRequest> {
        let mut req = planner.first();
        let mut made = vec![req.clone()];
        while let Step::Fetch(next) = planner.add_page(serve(all, &req, cursors)) {
            made.push(next.clone());
            req = next;
        }
        made
    }

    fn files(p: &Planner) -> Vec<String> {
        p.downloads().iter().map(|a| a.file.clone()).collect()
    }

    #[test]
    fn a_range_deep_in_the_past_pages_by_cursor_until_it_is_covered() {
        // 30 days of 2-hourly archives: 360 archives, 36 pages.
        let all = schedule(2, 360);
        // Day 10, 05:00 to 09:00: archives ending at 06, 08 and 10 hold it; the hour of slack
        // adds the one ending at 04 (the one from 10 to 12 starts at the widened end).
        let r = range(T0 + (240 + 5) * HOUR, T0 + (240 + 9) * HOUR);
        let mut p = Planner::new(r, at(T0 + 721 * HOUR));
        let made = run(&mut p, &all, true);
        assert_eq!(
            files(&p),
            [
                "app_1.log-122.gz",
                "app_1.log-123.gz",
                "app_1.log-124.gz",
                "app_1.log-125.gz"
            ]
        );
        assert_eq!(p.stopped(), Some(StopReason::Covered));
        // Archive 122 (from 242 h) is on page 24; the oldest of that page starts before the
        // widened range, so paging stops there and not at page 36.
        assert_eq!(p.pages(), 24);
        assert_eq!(made[1], PageRequest::Cursor("10".into()));
        assert!(!p.needs_dump());
    }

    #[test]
    fn a_server_without_cursors_is_paged_by_number() {
        let all = schedule(2, 45);
        let r = range(T0, T0 + 3 * HOUR);
        let mut p = Planner::new(r, at(T0 + 100 * HOUR));
        let made = run(&mut p, &all, false);
        assert_eq!(
            made,
            [
                PageRequest::First,
                PageRequest::Page(2),
                PageRequest::Page(3),
                PageRequest::Page(4),
                PageRequest::Page(5),
            ]
        );
        assert_eq!(p.stopped(), Some(StopReason::NoMore));
        assert_eq!(files(&p), ["app_1.log-1.gz", "app_1.log-2.gz"]);
    }

    #[test]
    fn a_range_older_than_every_archive_reads_every_page_and_downloads_nothing() {
        let all = schedule(24, 25);
        let mut p = Planner::new(range(T0 - 100 * HOUR, T0 - 50 * HOUR), at(T0 + 700 * HOUR));
        run(&mut p, &all, true);
        assert_eq!(p.pages(), 3);
        assert_eq!(p.stopped(), Some(StopReason::NoMore));
        assert!(p.downloads().is_empty());
    }

    #[test]
    fn an_empty_page_stops_paging_even_if_it_claims_more() {
        let mut p = Planner::new(range(T0, T0 + HOUR), at(T0 + 2 * HOUR));
        let step = p.add_page(Listing {
            next_cursor: Some("x".into()),
            has_more: true,
            ..Listing::default()
        });
        assert_eq!(step, Step::Done(StopReason::EmptyPage));
        assert!(p.needs_dump(), "with no archive, the dump is all there is");
        // Later pages are ignored.
        assert_eq!(
            p.add_page(serve(&schedule(2, 5), &PageRequest::First, true)),
            Step::Done(StopReason::EmptyPage)
        );
        assert!(p.downloads().is_empty());
    }

    #[test]
    fn a_cursor_given_twice_stops_the_loop() {
        let all = schedule(2, 30);
        let mut p = Planner::new(range(T0 - 1000 * HOUR, T0 - 999 * HOUR), at(T0));
        let page = serve(&all, &PageRequest::First, true);
        assert_eq!(
            p.add_page(page.clone()),
            Step::Fetch(PageRequest::Cursor("10".into()))
        );
        assert_eq!(p.add_page(page), Step::Done(StopReason::RepeatedCursor));
    }

    #[test]
    fn an_endless_listing_stops_at_the_page_limit() {
        let all = schedule(2, 10);
        let mut p = Planner::new(range(T0 - 1000 * HOUR, T0 - 999 * HOUR), at(T0));
        let mut steps = 0;
        loop {
            let mut page = serve(&all, &PageRequest::First, false);
            page.has_more = true;
            steps += 1;
            if let Step::Done(r) = p.add_page(page) {
                assert_eq!(r, StopReason::PageLimit);
                break;
            }
        }
        assert_eq!(steps, MAX_PAGES);
    }

    #[test]
    fn an_archive_listed_twice_is_downloaded_once() {
        let all = schedule(2, 12);
        let mut p = Planner::new(range(T0, T0 + 30 * HOUR), at(T0 + 100 * HOUR));
        let mut first = serve(&all, &PageRequest::First, false);
        // A new archive appeared: page 2 now starts with what page 1 ended with.
        let mut second = serve(&all, &PageRequest::Page(2), false);
        second
            .archives
            .insert(0, first.archives.last().unwrap().clone());
        second.archives[0].url.push_str("&resigned");
        first.has_more = true;
        p.add_page(first);
        p.add_page(second);
        assert_eq!(p.downloads().len(), 12);
    }

    #[test]
    fn rejected_entries_are_kept_for_the_report() {
        let mut p = Planner::new(range(T0, T0 + HOUR), at(T0));
        let mut page = serve(&schedule(2, 3), &PageRequest::First, true);
        page.rejected.push(ArchiveError::NoUrl);
        p.add_page(page);
        assert_eq!(p.rejected(), [ArchiveError::NoUrl]);
    }

    #[test]
    fn the_dump_is_read_when_the_range_reaches_past_the_archives_or_into_the_last_hour() {
        let all = schedule(2, 50); // newest archive ends at T0 + 100 h
        let now = at(T0 + 101 * HOUR + 1800);
        let needs = |from: i64, to: i64| {
            let mut p = Planner::new(range(T0 + from * HOUR, T0 + to * HOUR), now);
            run(&mut p, &all, true);
            p.needs_dump()
        };
        assert!(!needs(80, 90), "well inside the archives");
        assert!(!needs(80, 99), "an hour of slack before the newest end");
        assert!(needs(80, 100) || needs(90, 100));
        assert!(needs(95, 101), "past the newest archive");
        assert!(needs(101, 102), "reaches the present");
        // A range in the last hour needs the dump even if an archive claims to cover it.
        let mut p = Planner::new(range(T0 + 99 * HOUR, T0 + 100 * HOUR), at(T0 + 100 * HOUR));
        p.add_page(serve(&schedule(2, 60), &PageRequest::First, true));
        assert!(p.needs_dump());
    }

    proptest! {
        #[test]
        fn paging_downloads_exactly_the_archives_near_the_range(
            period in 1i64..80,
            count in 0i64..400,
            from_h in -200i64..4000,
            len_h in 1i64..500,
            cursors in any::<bool>(),
        ) {
            let all = schedule(period, count);
            let r = range(T0 + from_h * HOUR, T0 + (from_h + len_h) * HOUR);
            let mut p = Planner::new(r, at(T0 + 5000 * HOUR));
            run(&mut p, &all, cursors);
            let wide = r.widened(SLACK_SECS);
            let mut expected: Vec<String> =
                all.iter().filter(|a| a.overlaps(&wide)).map(|a| a.file.clone()).collect();
            expected.reverse();
            prop_assert_eq!(files(&p), expected);
            // No page past the one that covered the range start is read.
            let needed = all.iter().position(|a| a.from < wide.from).map_or(all.len(), |i| i + 1);
            prop_assert!(p.pages() as usize <= needed.div_ceil(10).max(1));
        }
    }
}
