//! The logs archives listing, as `GET /v1/apps/:app/logs_archives` answers it:
//! `{"next_cursor":"…","has_more":true,"archives":[{"url":"…","size":928387,
//! "from":"Fri Mar 24 14:00:00 +0000 UTC 2017","to":"Sun Mar 26 14:00:00 +0000 UTC 2017"}]}`,
//! newest first (the contract is the one Scalingo's own CLI and Go client follow).
//!
//! `from` and `to` use Go's `Mon Jan 2 15:04:05 -0700 MST 2006` layout and are only
//! approximate: an archive may hold lines somewhat outside them, so callers filter on each
//! line's own time and widen ranges when they choose archives.

use serde::Deserialize;

use super::TimeRange;
use crate::logs::line::Timestamp;

/// One listing page as it arrives. Every field may be missing or `null` (a missing list is
/// an empty one, a missing flag is `false`) and unknown fields are ignored, so a server that
/// adds or drops a field does not lose the page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ListingPage {
    /// The opaque cursor of the next (older) page; empty or absent at the end.
    pub next_cursor: Option<String>,
    /// Whether older archives remain.
    pub has_more: Option<bool>,
    /// The archives of this page, newest first.
    pub archives: Option<Vec<ListedArchive>>,
}

/// One archive as listed, before its times are read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ListedArchive {
    /// The pre-signed download URL.
    pub url: Option<String>,
    /// The compressed size in bytes.
    pub size: Option<u64>,
    /// Approximately the first line's time, in Go's layout.
    pub from: Option<String>,
    /// Approximately the last line's time, in Go's layout.
    pub to: Option<String>,
}

/// A listing page read: its usable archives, and the entries that could not be used with
/// why, so the view can say so instead of silently skipping them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listing {
    /// The cursor of the next page; `None` when the server gave none or an empty one.
    pub next_cursor: Option<String>,
    /// Whether the server says older archives remain.
    pub has_more: bool,
    /// Usable archives, in the server's order (newest first).
    pub archives: Vec<Archive>,
    /// Entries that could not be used.
    pub rejected: Vec<ArchiveError>,
}

impl Listing {
    /// Parses a listing page's JSON body.
    ///
    /// # Errors
    /// [`ListingError`] when the body is not a JSON object of the listing's shape at all;
    /// a bad entry inside a good page lands in [`Listing::rejected`] instead.
    pub fn parse(body: &str) -> Result<Listing, ListingError> {
        // serde would read a struct from a JSON array of its fields; a listing is an object.
        if !body.trim_start().starts_with('{') {
            return Err(ListingError("expected a JSON object".into()));
        }
        let page: ListingPage =
            serde_json::from_str(body).map_err(|e| ListingError(e.to_string()))?;
        Ok(Listing::from_page(page))
    }

    /// Reads the archives of a deserialized page.
    pub fn from_page(page: ListingPage) -> Listing {
        let mut out = Listing {
            next_cursor: page.next_cursor.filter(|c| !c.is_empty()),
            has_more: page.has_more.unwrap_or(false),
            ..Listing::default()
        };
        for listed in page.archives.unwrap_or_default() {
            match Archive::from_listed(listed) {
                Ok(a) => out.archives.push(a),
                Err(e) => out.rejected.push(e),
            }
        }
        out
    }
}

/// The listing body is not the listing's JSON; carries serde's description.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the logs archives listing is not readable: {0}")]
pub struct ListingError(pub String);

/// A listed archive that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    /// The entry has no download URL.
    #[error("a listed archive has no URL")]
    NoUrl,
    /// The entry lacks `from` or `to`; names the field and the archive's URL.
    #[error("the archive {url} has no `{field}` time")]
    NoTime {
        /// `from` or `to`.
        field: &'static str,
        /// The archive's URL.
        url: String,
    },
    /// A time could not be read.
    #[error("the archive {url} has an unreadable time: {source}")]
    BadTime {
        /// The archive's URL.
        url: String,
        /// What was wrong with the time text.
        source: TimeError,
    },
}

/// A time text in neither Go's layout nor RFC 3339; names the text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a time in Go's `Mon Jan 2 15:04:05 -0700 MST 2006` layout nor RFC 3339: {text:?}")]
pub struct TimeError {
    /// The text as received.
    pub text: String,
}

/// A usable archive: where to download it and the approximate span of its lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Archive {
    /// The pre-signed download URL.
    pub url: String,
    /// The file name taken from the URL path (`<app>_<app id>.log-YYYYMMDDHH.gz`), or the
    /// URL itself when its path has no last segment.
    pub file: String,
    /// The compressed size in bytes, when listed.
    pub size: Option<u64>,
    /// Approximately the first line's time.
    pub from: Timestamp,
    /// Approximately the last line's time.
    pub to: Timestamp,
}

impl Archive {
    /// Checks a listed entry and reads its times.
    ///
    /// # Errors
    /// [`ArchiveError`] when the URL or a time is missing or a time is unreadable.
    pub fn from_listed(listed: ListedArchive) -> Result<Archive, ArchiveError> {
        let url = listed
            .url
            .filter(|u| !u.is_empty())
            .ok_or(ArchiveError::NoUrl)?;
        let time = |field: &'static str, text: Option<String>| {
            let text = text.ok_or_else(|| ArchiveError::NoTime {
                field,
                url: url.clone(),
            })?;
            parse_time(&text).map_err(|source| ArchiveError::BadTime {
                url: url.clone(),
                source,
            })
        };
        let from = time("from", listed.from)?;
        let to = time("to", listed.to)?;
        let file = file_name(&url).unwrap_or_else(|| url.clone());
        Ok(Archive {
            file,
            url,
            size: listed.size,
            from,
            to,
        })
    }

    /// Whether the archive's listed span `[from, to]` meets `range`. The listed bounds are
    /// approximate: callers widen the range (see [`TimeRange::widened`]) by their slack.
    pub fn overlaps(&self, range: &TimeRange) -> bool {
        // A listing may give its bounds reversed; the span is the same either way.
        let (lo, hi) = if self.from <= self.to {
            (self.from, self.to)
        } else {
            (self.to, self.from)
        };
        lo < range.to && range.from <= hi
    }
}

/// The file name of an archive URL: the last segment of its path, percent-decoded, without
/// query or fragment, e.g. `example-app_5e1f.log-2017032614.gz`; `None` when the path ends
/// in `/` or is empty.
pub fn file_name(url: &str) -> Option<String> {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let path = &url[..end];
    // Skip `scheme://host` so a URL without a path does not name a file after its host.
    let path = match path.find("://") {
        Some(i) => {
            let after = &path[i + 3..];
            &after[after.find('/')?..]
        }
        None => path,
    };
    let last = path.rsplit('/').next()?;
    if last.is_empty() {
        return None;
    }
    Some(percent_decode(last))
}

/// Decodes `%XX` escapes; a malformed escape stays as written, and bytes that do not form
/// UTF-8 become U+FFFD, so the name stays text.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Reads an archive bound: Go's `Mon Jan 2 15:04:05 -0700 MST 2006` layout (the numeric
/// offset is authoritative, the zone name is ignored and may be absent, the day may be
/// padded with a zero or a space, the seconds may have a fraction), else RFC 3339
/// (`2017-03-24T14:00:00Z`, `…+02:00`).
///
/// # Errors
/// [`TimeError`] naming the text when it is neither.
pub fn parse_time(text: &str) -> Result<Timestamp, TimeError> {
    parse_go(text)
        .or_else(|| parse_rfc3339(text))
        .ok_or_else(|| TimeError { text: text.into() })
}

fn parse_go(text: &str) -> Option<Timestamp> {
    // Splitting on runs of whitespace accepts Go's space-padded day (`Mar  4`).
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let (weekday, month, day, clock, offset, year) = match tokens[..] {
        [w, m, d, c, o, _zone, y] => (w, m, d, c, o, y),
        [w, m, d, c, o, y] => (w, m, d, c, o, y),
        _ => return None,
    };
    if weekday.len() != 3 || !weekday.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? + 1;
    let day: u32 = digits(day)?;
    let year: i64 = digits(year)?;
    if !(offset.starts_with('+') || offset.starts_with('-')) {
        return None;
    }
    // The line parser owns the calendar and the offset rules; hand it the same instant in
    // its own format so both agree to the nanosecond.
    checked(
        year,
        month as u32,
        day,
        &format!("{year:04}-{month:02}-{day:02} {clock} {offset}"),
    )
}

fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    let (date, rest) = text.trim().split_once(['T', 't', ' '])?;
    let (clock, offset) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, "+0000".to_string())
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (c, o) = rest.split_at(at);
        let (h, m) = o[1..].split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        (c, format!("{}{h}{m}", &o[..1]))
    };
    let mut d = date.split('-');
    let year: i64 = digits(d.next()?)?;
    let month: u32 = digits(d.next()?)?;
    let day: u32 = digits(d.next()?)?;
    if d.next().is_some() {
        return None;
    }
    checked(year, month, day, &format!("{date} {clock} {offset}"))
}

/// Parses with the line parser after refusing days that do not exist (the 31st of April),
/// which it would otherwise roll into the next month.
fn checked(year: i64, month: u32, day: u32, line_time: &str) -> Option<Timestamp> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let clock = line_time.split(' ').nth(1)?;
    // Every clock field is two digits, as in Go's and RFC 3339's layouts.
    let mut parts = clock.split('.').next()?.split(':');
    if !(0..3).all(|_| parts.next().is_some_and(|p| p.len() == 2)) || parts.next().is_some() {
        return None;
    }
    Timestamp::parse(line_time)
}

fn digits<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Unix seconds of 2017-03-24 14:00:00 UTC.
    const MAR_24_14H: i64 = 1_490_364_000;

    fn at(secs: i64) -> Timestamp {
        Timestamp { secs, nanos: 0 }
    }

    #[test]
    fn the_listing_example_of_the_contract_reads_whole() {
        let l = Listing::parse(
            r#"{"next_cursor":"abc","has_more":true,"archives":[{"url":"https://s3.example/b/example-app_5e1f.log-2017032614.gz?X-Amz-Signature=1","size":928387,"from":"Fri Mar 24 14:00:00 +0000 UTC 2017","to":"Sun Mar 26 14:00:00 +0000 UTC 2017"}]}"#,
        )
        .unwrap();
        assert_eq!(l.next_cursor.as_deref(), Some("abc"));
        assert!(l.has_more);
        assert!(l.rejected.is_empty());
        let a = &l.archives[0];
        assert_eq!(a.file, "example-app_5e1f.log-2017032614.gz");
        assert_eq!(a.size, Some(928_387));
        assert_eq!(a.from, at(MAR_24_14H));
        assert_eq!(a.to, at(MAR_24_14H + 2 * 86_400));
    }

    #[test]
    fn the_empty_listing_has_no_cursor_and_nothing_more() {
        let l = Listing::parse(r#"{"next_cursor":"","has_more":false,"archives":[]}"#).unwrap();
        assert_eq!(l, Listing::default());
    }

    #[test]
    fn missing_null_and_unknown_fields_do_not_lose_the_page() {
        let l = Listing::parse(
            r#"{"archives":[{"url":"/a/x.gz","from":"Fri Mar 24 14:00:00 +0000 UTC 2017","to":"Fri Mar 24 16:00:00 +0000 UTC 2017","etag":"q"}],"next_cursor":null,"meta":{}}"#,
        )
        .unwrap();
        assert_eq!(l.next_cursor, None);
        assert!(!l.has_more);
        assert_eq!(l.archives.len(), 1);
        assert_eq!(l.archives[0].size, None);
        assert_eq!(Listing::parse("{}").unwrap(), Listing::default());
    }

    #[test]
    fn a_bad_entry_is_rejected_with_its_reason_and_the_others_kept() {
        let l = Listing::parse(
            r#"{"archives":[
                {"url":"/a/1.gz","from":"yesterday","to":"Fri Mar 24 16:00:00 +0000 UTC 2017"},
                {"from":"Fri Mar 24 14:00:00 +0000 UTC 2017","to":"Fri Mar 24 16:00:00 +0000 UTC 2017"},
                {"url":"/a/3.gz","from":"Fri Mar 24 14:00:00 +0000 UTC 2017"},
                {"url":"/a/4.gz","from":"Fri Mar 24 14:00:00 +0000 UTC 2017","to":"Fri Mar 24 16:00:00 +0000 UTC 2017"}
            ]}"#,
        )
        .unwrap();
        assert_eq!(l.archives.len(), 1);
        assert_eq!(l.archives[0].file, "4.gz");
        assert_eq!(
            l.rejected,
            vec![
                ArchiveError::BadTime {
                    url: "/a/1.gz".into(),
                    source: TimeError {
                        text: "yesterday".into()
                    }
                },
                ArchiveError::NoUrl,
                ArchiveError::NoTime {
                    field: "to",
                    url: "/a/3.gz".into()
                },
            ]
        );
        assert!(l.rejected[0].to_string().contains("\"yesterday\""));
    }

    #[test]
    fn a_body_that_is_not_a_listing_is_an_error() {
        for body in [
            "",
            "[]",
            "<html>",
            r#"{"archives":"no"}"#,
            r#"{"has_more":"yes"}"#,
        ] {
            assert!(Listing::parse(body).is_err(), "{body:?}");
        }
    }

    #[test]
    fn go_times_read_with_padded_or_unpadded_days() {
        let four = 1_488_636_000; // 2017-03-04 14:00:00 UTC
        for text in [
            "Sat Mar 4 14:00:00 +0000 UTC 2017",
            "Sat Mar 04 14:00:00 +0000 UTC 2017",
            "Sat Mar  4 14:00:00 +0000 UTC 2017",
        ] {
            assert_eq!(parse_time(text), Ok(at(four)), "{text}");
        }
    }

    #[test]
    fn the_numeric_offset_decides_and_the_zone_name_is_ignored() {
        // 16:00 at +0200 is 14:00 UTC, whatever the name says.
        for text in [
            "Fri Mar 24 16:00:00 +0200 CEST 2017",
            "Fri Mar 24 16:00:00 +0200 UTC 2017",
            "Fri Mar 24 16:00:00 +0200 +02 2017",
            "Fri Mar 24 16:00:00 +0200 2017",
        ] {
            assert_eq!(parse_time(text), Ok(at(MAR_24_14H)), "{text}");
        }
        assert_eq!(
            parse_time("Fri Mar 24 09:30:00 -0430 XYZ 2017"),
            Ok(at(MAR_24_14H))
        );
    }

    #[test]
    fn fractional_seconds_are_kept() {
        assert_eq!(
            parse_time("Fri Mar 24 14:00:00.25 +0000 UTC 2017"),
            Ok(Timestamp {
                secs: MAR_24_14H,
                nanos: 250_000_000
            })
        );
    }

    #[test]
    fn rfc_3339_is_read_as_a_fallback() {
        for text in [
            "2017-03-24T14:00:00Z",
            "2017-03-24T16:00:00+02:00",
            "2017-03-24t13:00:00-01:00",
        ] {
            assert_eq!(parse_time(text), Ok(at(MAR_24_14H)), "{text}");
        }
    }

    #[test]
    fn malformed_times_are_refused_with_their_text() {
        for text in [
            "",
            "Fri Mar 24 14:00:00 UTC 2017",
            "Fri Foo 24 14:00:00 +0000 UTC 2017",
            "Fri Apr 31 14:00:00 +0000 UTC 2017",
            "Fri Feb 29 14:00:00 +0000 UTC 2017",
            "Fri Mar 24 24:00:00 +0000 UTC 2017",
            "Fri Mar 24 14:0:00 +0000 UTC 2017",
            "Fri Mar 24 14:00:00 +00 UTC 2017",
            "Fri Mar 24 14:00:00 +0000 UTC 17x",
            "2017-03-24T14:00:00",
            "2017-03-24T14:00:00+0200x",
            "2017-13-24T14:00:00Z",
        ] {
            assert_eq!(
                parse_time(text),
                Err(TimeError { text: text.into() }),
                "{text}"
            );
        }
        assert_eq!(
            parse_time("Tue Feb 29 00:00:00 +0000 UTC 2000"),
            Ok(at(951_782_400))
        );
    }

    #[test]
    fn the_file_name_comes_from_the_url_path() {
        assert_eq!(
            file_name("https://h.example/bucket/app_1.log-2017032614.gz?sig=a/b#x").as_deref(),
            Some("app_1.log-2017032614.gz")
        );
        assert_eq!(
            file_name("/archives/my%20app_1.log-2017032614.gz").as_deref(),
            Some("my app_1.log-2017032614.gz")
        );
        assert_eq!(file_name("https://h.example"), None);
        assert_eq!(file_name("https://h.example/dir/"), None);
        assert_eq!(file_name("a%2"), Some("a%2".into()));
        assert_eq!(file_name("a%zz%"), Some("a%zz%".into()));
        assert_eq!(file_name("%ff.gz"), Some("\u{fffd}.gz".into()));
    }

    #[test]
    fn an_archive_overlaps_a_range_that_meets_its_span() {
        let a = Archive {
            url: "u".into(),
            file: "f".into(),
            size: None,
            from: at(100),
            to: at(200),
        };
        let r = |f, t| TimeRange::new(at(f), at(t)).unwrap();
        assert!(a.overlaps(&r(150, 160)));
        assert!(a.overlaps(&r(0, 101)));
        assert!(a.overlaps(&r(200, 300)));
        assert!(a.overlaps(&r(0, 1000)));
        assert!(!a.overlaps(&r(0, 100)));
        assert!(!a.overlaps(&r(201, 300)));
        let reversed = Archive {
            from: at(200),
            to: at(100),
            ..a
        };
        assert!(reversed.overlaps(&r(150, 160)));
    }

    proptest! {
        #[test]
        fn any_go_time_reads_back_to_its_instant(
            secs in -2_000_000_000i64..8_000_000_000,
            offset_min in -720i64..=840,
            pad in 0usize..3,
        ) {
            let local = secs + offset_min * 60;
            let l = Timestamp { secs: local, nanos: 0 }.format(0);
            // `YYYY-MM-DD HH:MM:SS.mmm` shifted to the offset: rebuild Go's layout from it.
            let (y, m, d) = (&l[0..4], &l[5..7], &l[8..10]);
            let day: u32 = d.parse().unwrap();
            let day = match pad { 0 => day.to_string(), 1 => format!("{day:02}"), _ => format!("{day:>2}") };
            let sign = if offset_min < 0 { '-' } else { '+' };
            let text = format!(
                "Mon {} {day} {} {sign}{:02}{:02} ZZZ {y}",
                MONTHS[m.parse::<usize>().unwrap() - 1],
                &l[11..19],
                offset_min.abs() / 60,
                offset_min.abs() % 60,
            );
            prop_assert_eq!(parse_time(&text), Ok(at(secs)), "{}", text);
        }
    }
}
