//! Gathering one-off sessions across pages of events: the pure state behind the session list.
//!
//! The events API cannot filter by type, so an app with 2,000 events and five sessions
//! spreads them over twenty pages. The list reads page after page by itself until it holds a
//! screenful of sessions or the events end; this module keeps what was read, where to go on
//! from (after a Stop or a failed page), which period the read events cover, and the filters.

use crate::api::events::{Pagination, RunSession, RunsPage};
use crate::text::{count, thousands};

/// Sessions gathered before the list pauses and offers "Load more": about a screenful.
pub const SCREENFUL: usize = 25;

/// Events asked per page: the most the client asks for, so the fewest requests (the API
/// allows 60 a minute).
pub const EVENTS_PER_PAGE: u32 = 100;

/// A calendar day as an event's `created_at` gives it (in the offset it was sent with).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day {
    year: u32,
    month: u32,
    day: u32,
}

impl Day {
    /// The day of an RFC 3339 time (`2026-12-05T10:00:00+00:00`); `None` when it does not
    /// start with a valid `YYYY-MM-DD`.
    pub fn of(time: &str) -> Option<Day> {
        let date = time.get(..10)?;
        let mut parts = date.split('-');
        let mut number = |digits: usize| {
            parts
                .next()
                .filter(|p| p.len() == digits && p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| p.parse::<u32>().ok())
        };
        let (year, month, day) = (number(4)?, number(2)?, number(2)?);
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Day { year, month, day })
    }

    fn month_name(self) -> &'static str {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        MONTHS[(self.month - 1) as usize]
    }

    /// `3 Nov`.
    fn short(self) -> String {
        format!("{} {}", self.day, self.month_name())
    }

    /// `3 Nov 2026`.
    fn long(self) -> String {
        format!("{} {}", self.short(), self.year)
    }
}

/// The sessions gathered so far from the app's events, newest first, and where reading
/// goes on from.
#[derive(Clone, Debug, PartialEq)]
pub struct Gathering {
    /// The sessions found, newest first, each once.
    pub sessions: Vec<RunSession>,
    /// Events read, of every type.
    pub events_read: usize,
    /// How many events the app has, as the last page read said.
    pub total_events: Option<u64>,
    /// The page to read next; `None` once the events have ended.
    pub next_page: Option<u32>,
    /// Malformed events skipped.
    pub malformed: usize,
    /// The oldest and newest days among the events read.
    span: Option<(Day, Day)>,
    /// Sessions to hold before pausing.
    target: usize,
}

impl Default for Gathering {
    fn default() -> Self {
        Gathering {
            sessions: Vec::new(),
            events_read: 0,
            total_events: None,
            next_page: Some(1),
            malformed: 0,
            span: None,
            target: SCREENFUL,
        }
    }
}

impl Gathering {
    /// Whether reading should go on: events remain and the screenful is not found yet.
    pub fn wants_more(&self) -> bool {
        self.next_page.is_some() && self.sessions.len() < self.target
    }

    /// Whether every event has been read.
    pub fn ended(&self) -> bool {
        self.next_page.is_none()
    }

    /// Asks for another screenful of sessions.
    pub fn load_more(&mut self) {
        self.target = self.sessions.len() + SCREENFUL;
    }

    /// Takes in page `asked` of events; returns the sessions it newly listed.
    pub fn absorb(&mut self, asked: u32, page: RunsPage) -> Vec<RunSession> {
        self.events_read += page.events_on_page;
        self.malformed += page.malformed;
        let p = page.pagination;
        let has_meta = p != Pagination::default() && (p.total_pages > 0 || p.total_count > 0);
        if has_meta {
            self.total_events = Some(p.total_count);
        }
        self.next_page = if page.events_on_page == 0 {
            None
        } else if has_meta {
            // A next page that does not move forward would loop for ever.
            p.next_page.filter(|next| *next > asked)
        } else {
            // Without pagination, a full page suggests there is more.
            (page.events_on_page >= EVENTS_PER_PAGE as usize).then_some(asked + 1)
        };
        for day in page.event_times.iter().filter_map(|t| Day::of(t)) {
            self.span = Some(match self.span {
                None => (day, day),
                Some((old, new)) => (old.min(day), new.max(day)),
            });
        }
        let mut fresh = Vec::new();
        for session in page.sessions {
            // When new events arrive while reading, the pages shift and an event may show up
            // again on the next page. A scan, not a set: sessions are few, and a set type
            // would add its own code to the bundle.
            let id = &session.event_id;
            if !id.is_empty() && self.sessions.iter().any(|s| s.event_id == *id) {
                continue;
            }
            fresh.push(session.clone());
            self.sessions.push(session);
        }
        fresh
    }

    /// `Read 600 of 2,000 events, 4 sessions found`.
    pub fn progress(&self) -> String {
        let found = count(self.sessions.len(), "session found", "sessions found");
        match self.total_events {
            Some(total) => {
                let total = (total as usize).max(self.events_read);
                let noun = if total == 1 { "event" } else { "events" };
                if self.ended() {
                    format!("Read all {} {noun}, {found}", thousands(total))
                } else {
                    format!(
                        "Read {} of {} {noun}, {found}",
                        thousands(self.events_read),
                        thousands(total)
                    )
                }
            }
            None => format!(
                "Read {}, {found}",
                count(self.events_read, "event", "events")
            ),
        }
    }

    /// Which period the events read so far cover: `Sessions from 3 Nov to 5 Dec 2026`,
    /// noting when older events are still unread; `None` before any dated event.
    pub fn period(&self) -> Option<String> {
        let (old, new) = self.span?;
        let range = if old == new {
            format!("Sessions of {}", new.long())
        } else if old.year == new.year {
            format!("Sessions from {} to {}", old.short(), new.long())
        } else {
            format!("Sessions from {} to {}", old.long(), new.long())
        };
        Some(if self.ended() {
            range
        } else {
            format!("{range}; older events not read yet")
        })
    }

    /// What the list says when it has no session: `No sessions in the 2,000 events of this
    /// app`, or in the events read so far.
    pub fn empty_title(&self) -> String {
        match (self.ended(), self.events_read) {
            (true, 0) => "No sessions: this app has no events yet".into(),
            (true, n) => format!(
                "No sessions in the {} of this app",
                count(n, "event", "events")
            ),
            (false, n) => format!(
                "No sessions in the {} read so far",
                count(n, "event", "events")
            ),
        }
    }
}

/// The list's filters, client-side over the gathered sessions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionFilter {
    /// Who ran it, exactly as listed (username, else email); empty for anyone.
    pub user: String,
    /// Text the command contains, case-insensitive; empty for any command.
    pub command: String,
}

impl SessionFilter {
    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        self.user.is_empty() && self.command.trim().is_empty()
    }

    /// Whether `session` passes the filters.
    pub fn matches(&self, session: &RunSession) -> bool {
        let needle = lower(self.command.trim());
        (self.user.is_empty() || session.user == self.user)
            && (needle.is_empty() || lower(&session.command).contains(&needle))
    }
}

/// `text` in lower case, Unicode-aware. In the browser it asks `String.prototype.toLowerCase`:
/// Rust's `to_lowercase` would put core's Unicode lower-case table (about 11 KB gzipped,
/// measured on this page) into the bundle. ASCII text, the usual command, stays in Rust.
fn lower(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    #[cfg(target_arch = "wasm32")]
    return String::from(js_sys::JsString::from(text).to_lower_case());
    #[cfg(not(target_arch = "wasm32"))]
    return text.to_lowercase();
}

/// The people who ran the sessions, sorted, each once, with `also` (a user named in the
/// URL before their sessions are found) among them.
pub fn users(sessions: &[RunSession], also: &str) -> Vec<String> {
    let mut users: Vec<String> = sessions
        .iter()
        .map(|s| s.user.clone())
        .chain((!also.is_empty()).then(|| also.to_owned()))
        .filter(|u| !u.is_empty())
        .collect();
    users.sort_unstable_by_key(|u| u.to_ascii_lowercase());
    users.dedup();
    users
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: &str, user: &str, command: &str) -> RunSession {
        RunSession {
            event_id: id.into(),
            created_at: String::new(),
            user: user.into(),
            command: command.into(),
            audit_log_id: Some(format!("al-{id}")),
            audit_log_size: None,
            detached: false,
        }
    }

    fn page(
        sessions: Vec<RunSession>,
        events: usize,
        times: &[&str],
        current: u32,
        next: Option<u32>,
        total: u64,
    ) -> RunsPage {
        RunsPage {
            sessions,
            events_on_page: events,
            malformed: 0,
            event_times: times.iter().map(|t| t.to_string()).collect(),
            pagination: Pagination {
                current_page: current,
                next_page: next,
                prev_page: current.checked_sub(1).filter(|p| *p > 0),
                total_pages: total.div_ceil(100) as u32,
                total_count: total,
            },
        }
    }

    #[test]
    fn reading_goes_on_over_empty_pages_until_the_events_end() {
        let mut g = Gathering::default();
        assert_eq!(g.next_page, Some(1));
        for n in 1..=19 {
            assert!(g.wants_more());
            let found = if n == 7 {
                vec![session("ev-7", "alice", "rails c")]
            } else {
                vec![]
            };
            g.absorb(n, page(found, 100, &[], n, Some(n + 1), 2_000));
        }
        assert_eq!(g.progress(), "Read 1,900 of 2,000 events, 1 session found");
        g.absorb(20, page(vec![], 100, &[], 20, None, 2_000));
        assert!(!g.wants_more() && g.ended());
        assert_eq!(g.progress(), "Read all 2,000 events, 1 session found");
    }

    #[test]
    fn reading_pauses_at_a_screenful_and_load_more_asks_for_another() {
        let mut g = Gathering::default();
        let many: Vec<RunSession> = (0..SCREENFUL + 3)
            .map(|i| session(&format!("ev-{i}"), "bob", "ls"))
            .collect();
        g.absorb(1, page(many, 100, &[], 1, Some(2), 1_000));
        assert!(!g.wants_more(), "a screenful is found");
        assert!(!g.ended());
        g.load_more();
        assert!(g.wants_more());
        assert_eq!(g.next_page, Some(2), "it goes on where it paused");
    }

    #[test]
    fn an_event_seen_again_on_a_shifted_page_is_listed_once() {
        let mut g = Gathering::default();
        g.absorb(
            1,
            page(vec![session("ev-1", "a", "x")], 100, &[], 1, Some(2), 300),
        );
        let fresh = g.absorb(
            2,
            page(
                vec![session("ev-1", "a", "x"), session("ev-2", "a", "y")],
                100,
                &[],
                2,
                Some(3),
                301,
            ),
        );
        assert_eq!(fresh, [session("ev-2", "a", "y")]);
        assert_eq!(g.sessions.len(), 2);
        // Sessions without an id cannot be told apart, so each is kept.
        g.absorb(
            3,
            page(
                vec![session("", "a", "z"), session("", "a", "z")],
                101,
                &[],
                3,
                None,
                301,
            ),
        );
        assert_eq!(g.sessions.len(), 4);
    }

    #[test]
    fn a_next_page_that_does_not_move_forward_ends_the_reading() {
        let mut g = Gathering::default();
        g.absorb(3, page(vec![], 100, &[], 3, Some(3), 1_000));
        assert!(g.ended());
        let mut g = Gathering::default();
        g.absorb(1, page(vec![], 0, &[], 1, Some(2), 1_000));
        assert!(
            g.ended(),
            "an empty page ends it whatever the pagination says"
        );
    }

    #[test]
    fn without_pagination_a_full_page_means_read_on() {
        let mut g = Gathering::default();
        let mut p = page(vec![], 100, &[], 0, None, 0);
        p.pagination = Pagination::default();
        g.absorb(1, p.clone());
        assert_eq!(g.next_page, Some(2));
        assert_eq!(g.progress(), "Read 100 events, 0 sessions found");
        p.events_on_page = 40;
        g.absorb(2, p);
        assert!(g.ended());
    }

    #[test]
    fn the_period_names_the_oldest_and_newest_days_read() {
        let mut g = Gathering::default();
        assert_eq!(g.period(), None);
        g.absorb(
            1,
            page(
                vec![],
                3,
                &[
                    "2026-12-05T10:00:00.000+00:00",
                    "2026-11-20T10:00:00+01:00",
                    "garbage",
                ],
                1,
                Some(2),
                500,
            ),
        );
        assert_eq!(
            g.period().as_deref(),
            Some("Sessions from 20 Nov to 5 Dec 2026; older events not read yet")
        );
        g.absorb(2, page(vec![], 1, &["2026-11-03T08:00:00Z"], 2, None, 500));
        assert_eq!(
            g.period().as_deref(),
            Some("Sessions from 3 Nov to 5 Dec 2026")
        );
        g.absorb(
            3,
            page(vec![], 1, &["2019-05-03T17:27:27.81+02:00"], 3, None, 500),
        );
        assert_eq!(
            g.period().as_deref(),
            Some("Sessions from 3 May 2019 to 5 Dec 2026")
        );
        let mut one = Gathering::default();
        one.absorb(1, page(vec![], 1, &["2026-12-05T10:00:00Z"], 1, None, 1));
        assert_eq!(one.period().as_deref(), Some("Sessions of 5 Dec 2026"));
    }

    #[test]
    fn days_are_read_only_from_a_valid_date() {
        assert_eq!(
            Day::of("2026-02-30T00:00:00Z").map(|d| d.long()).as_deref(),
            Some("30 Feb 2026")
        );
        for bad in [
            "",
            "2026-13-01",
            "2026-1-01T",
            "२०२६-12-05",
            "2026-12-0a",
            "x",
        ] {
            assert_eq!(Day::of(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_empty_state_says_how_many_events_were_searched() {
        let mut g = Gathering::default();
        g.absorb(1, page(vec![], 100, &[], 1, Some(2), 2_000));
        assert_eq!(g.empty_title(), "No sessions in the 100 events read so far");
        g.absorb(2, page(vec![], 100, &[], 2, None, 2_000));
        assert_eq!(g.empty_title(), "No sessions in the 200 events of this app");
        let mut none = Gathering::default();
        none.absorb(1, page(vec![], 0, &[], 1, None, 0));
        assert_eq!(
            none.empty_title(),
            "No sessions: this app has no events yet"
        );
    }

    #[test]
    fn malformed_events_add_up_across_pages() {
        let mut g = Gathering::default();
        let mut p = page(vec![], 100, &[], 1, Some(2), 200);
        p.malformed = 2;
        g.absorb(1, p.clone());
        p.pagination.next_page = None;
        g.absorb(2, p);
        assert_eq!(g.malformed, 4);
    }

    #[test]
    fn filters_match_the_user_exactly_and_the_command_as_any_case_substring() {
        let migrate = session("1", "alice", "bundle exec rake db:migrate");
        let operator = session("2", "support@scalingo.com", "");
        let f = |user: &str, command: &str| SessionFilter {
            user: user.into(),
            command: command.into(),
        };
        assert!(f("", "").is_empty() && f("", "").matches(&operator));
        assert!(f("alice", "").matches(&migrate));
        assert!(
            !f("ali", "").matches(&migrate),
            "a user is chosen, not searched"
        );
        assert!(f("", "RAKE DB").matches(&migrate));
        assert!(f("alice", " migrate ").matches(&migrate));
        assert!(!f("alice", "console").matches(&migrate));
        assert!(!f("", "rake").matches(&operator));
        // Case folds beyond ASCII too.
        assert!(f("", "ÉCHO").matches(&session("3", "a", "écho café")));
        // Pattern characters are plain text.
        assert!(!f("", "rake.*").matches(&migrate));
        assert!(f("", "db:").matches(&migrate));
    }

    #[test]
    fn the_user_list_is_sorted_unique_and_keeps_a_user_named_in_the_url() {
        let sessions = [
            session("1", "bob", "a"),
            session("2", "alice", "b"),
            session("3", "bob", "c"),
        ];
        assert_eq!(users(&sessions, ""), ["alice", "bob"]);
        assert_eq!(users(&sessions, "carol"), ["alice", "bob", "carol"]);
        assert_eq!(users(&sessions, "bob"), ["alice", "bob"]);
    }
}
