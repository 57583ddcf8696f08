//! The requests summary of router lines: per collapsed path, how many requests, how many
//! failed with a server error (`status>=500`), and the median and 95th percentile of
//! `duration`; kept up to date as lines arrive and are evicted.
//!
//! A line counts when it has a `path` field and a numeric `status` (the router's logfmt
//! lines, or JSON access logs with the same keys). Paths are collapsed so that one route is
//! one row: the query string and fragment are dropped, and a segment that is all digits, a
//! UUID, or a hexadecimal id of 8 characters or more with a digit becomes `:id`
//! (`/users/42/invoices/5f0c9a1e?x=1` → `/users/:id/invoices/:id`). At most [`MAX_PATHS`] paths
//! get their own row; requests to further paths count in the row [`OTHER_PATHS`].
//!
//! Percentiles come from a log-bucketed histogram (the DDSketch scheme of Masson, Rim and Lee,
//! VLDB 2019): bucket `i` holds durations in `(γ^(i-1), γ^i]` with `γ = (1+α)/(1−α)` and
//! reports `2γ^i/(γ+1)`, so a reported percentile is within a relative [`RELATIVE_ERROR`]
//! (1 %) of the exact nearest-rank percentile, whatever the number of requests. Memory per path
//! is one count per occupied bucket, about 115 buckets per factor of ten between the fastest
//! and slowest request: a few hundred counts at most, for any number of requests.

use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::cmp::Ordering;

use super::extract::{key_eq, parse_status, Fields};
use super::units::{Dimension, Quantity};

/// Most paths with their own row.
pub const MAX_PATHS: usize = 1000;

/// The row that counts requests to paths past [`MAX_PATHS`].
pub const OTHER_PATHS: &str = "(other paths)";

/// The largest relative error of a reported percentile.
pub const RELATIVE_ERROR: f64 = 0.01;

/// `path` with its query string and fragment dropped and its id segments replaced by `:id`
/// (see the module documentation); borrowed when nothing changes.
pub fn collapse_path(path: &str) -> Cow<'_, str> {
    // Byte searches and splits, and no intermediate `Vec`: this runs for every router line
    // counted.
    let end = path
        .bytes()
        .position(|b| b == b'?' || b == b'#')
        .unwrap_or(path.len());
    let path = &path[..end];
    let segments = || path.as_bytes().split(|&b| b == b'/');
    if !segments().any(is_id) {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len());
    let mut start = 0;
    for (i, s) in segments().enumerate() {
        if i > 0 {
            out.push('/');
        }
        // Segments end at `/` bytes, so each is a whole `str` of `path`.
        out.push_str(if is_id(s) {
            ":id"
        } else {
            &path[start..start + s.len()]
        });
        start += s.len() + 1;
    }
    Cow::Owned(out)
}

fn is_id(segment: &[u8]) -> bool {
    let b = segment;
    if b.is_empty() {
        return false;
    }
    if b.iter().all(u8::is_ascii_digit) {
        return true;
    }
    let is_uuid = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
    is_uuid
        || (b.len() >= 8 && b.iter().all(u8::is_ascii_hexdigit) && b.iter().any(u8::is_ascii_digit))
}

/// A log-bucketed histogram of durations in seconds (see the module documentation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DurationHistogram {
    count: u64,
    zero: u64,
    /// (bucket index, count), sorted by index, counts above zero: a sorted `Vec` rather than a
    /// `BTreeMap`, which would add its own code to the wasm for a few hundred entries.
    buckets: Vec<(i32, u64)>,
}

/// `gamma().ln()`, written out: `ln` runs for every duration counted, and is not computed
/// at compile time. A test checks that it is the same number.
const LN_GAMMA: f64 = 0.020_000_666_706_669_435;

fn gamma() -> f64 {
    (1.0 + RELATIVE_ERROR) / (1.0 - RELATIVE_ERROR)
}

impl DurationHistogram {
    /// An empty histogram.
    pub fn new() -> DurationHistogram {
        DurationHistogram::default()
    }

    fn index(secs: f64) -> Option<i32> {
        (secs.is_finite() && secs > 0.0).then(|| (secs.ln() / LN_GAMMA).ceil() as i32)
    }

    /// Counts a duration in seconds; negative, infinite and NaN durations are ignored.
    pub fn add(&mut self, secs: f64) {
        if secs == 0.0 {
            self.zero += 1;
        } else if let Some(i) = Self::index(secs) {
            match self.buckets.binary_search_by_key(&i, |e| e.0) {
                Ok(at) => self.buckets[at].1 += 1,
                Err(at) => self.buckets.insert(at, (i, 1)),
            }
        } else {
            return;
        }
        self.count += 1;
    }

    /// Uncounts a duration counted before.
    pub fn remove(&mut self, secs: f64) {
        if secs == 0.0 {
            if self.zero > 0 {
                self.zero -= 1;
                self.count -= 1;
            }
        } else if let Some(i) = Self::index(secs) {
            if let Ok(at) = self.buckets.binary_search_by_key(&i, |e| e.0) {
                self.buckets[at].1 -= 1;
                self.count -= 1;
                if self.buckets[at].1 == 0 {
                    self.buckets.remove(at);
                }
            }
        }
    }

    /// Durations counted.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The `q`-quantile (0 < q ≤ 1; 0.5 for the median) in seconds, by nearest rank: the value
    /// at rank ⌈q·n⌉ of the sorted durations, within [`RELATIVE_ERROR`]; `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        if rank <= self.zero {
            return Some(0.0);
        }
        let mut seen = self.zero;
        let g = gamma();
        for &(i, n) in &self.buckets {
            seen += n;
            if seen >= rank {
                return Some(2.0 * g.powi(i) / (g + 1.0));
            }
        }
        None
    }

    /// Occupied buckets, for memory estimates.
    pub fn buckets(&self) -> usize {
        self.buckets.len() + usize::from(self.zero > 0)
    }
}

#[derive(Clone, Debug, Default)]
struct PathStats {
    count: u64,
    errors: u64,
    durations: DurationHistogram,
}

/// One row of the requests table.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestRow {
    /// The collapsed path, or [`OTHER_PATHS`].
    pub path: String,
    /// Requests.
    pub count: u64,
    /// Requests with `status>=500`.
    pub errors: u64,
    /// `errors / count`, in 0..=1.
    pub error_rate: f64,
    /// Median duration in seconds; `None` when no request had a readable `duration`.
    pub p50: Option<f64>,
    /// 95th percentile duration in seconds; `None` likewise.
    pub p95: Option<f64>,
}

/// The column the requests table sorts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RequestColumn {
    /// The path, alphabetically.
    Path,
    /// Requests.
    #[default]
    Count,
    /// Requests with `status>=500`, as a share.
    ErrorRate,
    /// Median duration (rows without one last).
    P50,
    /// 95th percentile duration (rows without one last).
    P95,
}

/// What a line contributes: collapsed path, server error or not, duration in seconds.
fn request<'f>(fields: &'f Fields<'_>) -> Option<(Cow<'f, str>, bool, Option<f64>)> {
    // One pass for the three keys rather than a `Fields::get` each; the last of a repeated
    // key wins, as with `get`.
    let (mut path, mut status, mut duration) = (None, None, None);
    for f in fields.iter() {
        let key: &str = &f.key;
        if key_eq(key, "path") {
            path = Some(f);
        } else if key_eq(key, "status") {
            status = Some(f);
        } else if key_eq(key, "duration") {
            duration = Some(f);
        }
    }
    let path = path?;
    let status = parse_status(&status?.value)?;
    let duration = duration
        .and_then(|f| Quantity::parse(&f.value))
        .filter(|q| q.dimension == Dimension::Duration && q.value >= 0.0)
        .map(|q| q.value);
    Some((collapse_path(&path.value), status >= 500, duration))
}

/// The requests summary over the lines added and not removed.
#[derive(Clone, Debug, Default)]
pub struct Requests {
    paths: FxHashMap<Box<str>, PathStats>,
    max_paths: usize,
}

impl Requests {
    /// An empty summary with room for [`MAX_PATHS`] paths.
    pub fn new() -> Requests {
        Requests::with_max_paths(MAX_PATHS)
    }

    /// An empty summary with room for `max_paths` paths (at least 1).
    pub fn with_max_paths(max_paths: usize) -> Requests {
        Requests {
            paths: FxHashMap::default(),
            max_paths: max_paths.max(1),
        }
    }

    /// Counts a line; returns whether it was a request (had `path` and a numeric `status`).
    pub fn add(&mut self, fields: &Fields<'_>) -> bool {
        let Some((path, error, duration)) = request(fields) else {
            return false;
        };
        let full = self.paths.len() >= self.max_paths;
        let stats = match self.paths.get_mut(&*path) {
            Some(s) => s,
            None if full => self.paths.entry(OTHER_PATHS.into()).or_default(),
            None => self.paths.entry(path.into()).or_default(),
        };
        stats.count += 1;
        stats.errors += u64::from(error);
        if let Some(d) = duration {
            stats.durations.add(d);
        }
        true
    }

    /// Uncounts a line counted before (an evicted line).
    pub fn remove(&mut self, fields: &Fields<'_>) {
        let Some((path, error, duration)) = request(fields) else {
            return;
        };
        let key: &str = if self.paths.contains_key(&*path) {
            &path
        } else {
            OTHER_PATHS
        };
        let Some(stats) = self.paths.get_mut(key) else {
            return;
        };
        // Counts only go down while above zero, as with facets: never an overcount.
        stats.count -= 1;
        if error && stats.errors > 0 {
            stats.errors -= 1;
        }
        if let Some(d) = duration {
            stats.durations.remove(d);
        }
        if stats.count == 0 {
            self.paths.remove(key);
        }
    }

    /// Forgets every count.
    pub fn clear(&mut self) {
        self.paths.clear();
    }

    /// Requests counted.
    pub fn requests(&self) -> u64 {
        self.paths.values().map(|s| s.count).sum()
    }

    /// The table's rows sorted on `column`, ties by path; `descending` reverses the column's
    /// order (rows without a duration stay last either way).
    pub fn rows(&self, column: RequestColumn, descending: bool) -> Vec<RequestRow> {
        let rows: Vec<RequestRow> = self
            .paths
            .iter()
            .map(|(path, s)| RequestRow {
                path: path.to_string(),
                count: s.count,
                errors: s.errors,
                error_rate: s.errors as f64 / s.count.max(1) as f64,
                p50: s.durations.quantile(0.5),
                p95: s.durations.quantile(0.95),
            })
            .collect();
        let by_option = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => flip(a.total_cmp(&b), descending),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        let order = super::sorted_positions(rows.len(), &mut |&a, &b| {
            let (a, b) = (&rows[a], &rows[b]);
            match column {
                RequestColumn::Path => flip(a.path.cmp(&b.path), descending),
                RequestColumn::Count => flip(a.count.cmp(&b.count), descending),
                RequestColumn::ErrorRate => flip(a.error_rate.total_cmp(&b.error_rate), descending),
                RequestColumn::P50 => by_option(a.p50, b.p50),
                RequestColumn::P95 => by_option(a.p95, b.p95),
            }
            .then_with(|| a.path.cmp(&b.path))
        });
        let mut slots: Vec<Option<RequestRow>> = rows.into_iter().map(Some).collect();
        order.iter().filter_map(|&i| slots[i].take()).collect()
    }

    /// An estimate of the heap bytes held, for the benchmark.
    pub fn approx_bytes(&self) -> usize {
        self.paths
            .iter()
            .map(|(p, s)| p.len() + 96 + s.durations.buckets() * 40)
            .sum()
    }
}

fn flip(o: Ordering, descending: bool) -> Ordering {
    if descending {
        o.reverse()
    } else {
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::fields;
    use proptest::prelude::*;

    #[test]
    fn paths_collapse_ids_and_drop_the_query() {
        for (path, want) in [
            ("/api/v1/users/42", "/api/v1/users/:id"),
            ("/users/42/invoices/5f0c9a1e?x=1", "/users/:id/invoices/:id"),
            (
                "/o/123e4567-e89b-12d3-a456-426614174000/edit#top",
                "/o/:id/edit",
            ),
            ("/assets/app-3f2a.css", "/assets/app-3f2a.css"),
            ("/", "/"),
            ("/login?next=/x", "/login"),
            ("/deadbeefcafe", "/deadbeefcafe"),
            ("/a1b2c3d4", "/:id"),
            ("/v1/abc", "/v1/abc"),
            ("", ""),
        ] {
            assert_eq!(collapse_path(path), want, "{path}");
        }
        assert!(matches!(collapse_path("/health"), Cow::Borrowed(_)));
    }

    fn exact(sorted: &[f64], q: f64) -> f64 {
        let rank = ((q * sorted.len() as f64).ceil() as usize).max(1);
        sorted[rank - 1]
    }

    #[test]
    fn percentiles_are_within_the_documented_error() {
        let mut h = DurationHistogram::new();
        let mut all: Vec<f64> = (1..=1000).map(|i| f64::from(i) * 0.001).collect();
        for &d in &all {
            h.add(d);
        }
        all.sort_by(f64::total_cmp);
        for q in [0.5, 0.95, 0.99, 1.0, 0.001] {
            let (got, want) = (h.quantile(q).expect("some"), exact(&all, q));
            assert!(
                (got - want).abs() <= RELATIVE_ERROR * want,
                "q={q}: {got} vs {want}"
            );
        }
        assert_eq!(DurationHistogram::new().quantile(0.5), None);
    }

    #[test]
    fn router_lines_make_rows_with_error_rates_and_percentiles() {
        let mut r = Requests::new();
        for (path, status, ms) in [
            ("/users/1", 200, 10),
            ("/users/2", 500, 30),
            ("/users/3?x", 200, 20),
            ("/health", 200, 1),
        ] {
            assert!(r.add(&fields(&format!(
                "method=GET path={path} status={status} duration={ms}ms"
            ))));
        }
        assert!(!r.add(&fields("level=info msg=hi")));
        let rows = r.rows(RequestColumn::Count, true);
        assert_eq!(rows[0].path, "/users/:id");
        assert_eq!((rows[0].count, rows[0].errors), (3, 1));
        assert!((rows[0].error_rate - 1.0 / 3.0).abs() < 1e-12);
        let p50 = rows[0].p50.expect("durations");
        assert!((p50 - 0.020).abs() <= 0.020 * RELATIVE_ERROR);
        let p95 = rows[0].p95.expect("durations");
        assert!((p95 - 0.030).abs() <= 0.030 * RELATIVE_ERROR);
        assert_eq!(rows[1].path, "/health");
        let by_path: Vec<String> = r
            .rows(RequestColumn::Path, false)
            .into_iter()
            .map(|r| r.path)
            .collect();
        assert_eq!(by_path, ["/health", "/users/:id"]);
        let by_p95: Vec<String> = r
            .rows(RequestColumn::P95, false)
            .into_iter()
            .map(|r| r.path)
            .collect();
        assert_eq!(by_p95, ["/health", "/users/:id"]);
        r.remove(&fields("path=/users/2 status=500 duration=30ms"));
        let rows = r.rows(RequestColumn::Count, true);
        assert_eq!((rows[0].count, rows[0].errors), (2, 0));
        r.add(&fields("path=/health status=503"));
        assert_eq!(r.rows(RequestColumn::ErrorRate, true)[0].path, "/health");
    }

    #[test]
    fn rows_without_durations_sort_last_either_way() {
        let mut r = Requests::new();
        r.add(&fields("path=/a status=200"));
        r.add(&fields("path=/b status=200 duration=1s"));
        r.add(&fields("path=/c status=200 duration=2s"));
        for desc in [false, true] {
            let paths: Vec<String> = r
                .rows(RequestColumn::P50, desc)
                .into_iter()
                .map(|r| r.path)
                .collect();
            let want = if desc {
                ["/c", "/b", "/a"]
            } else {
                ["/b", "/c", "/a"]
            };
            assert_eq!(paths, want);
        }
    }

    #[test]
    fn paths_past_the_limit_share_one_row() {
        let mut r = Requests::with_max_paths(2);
        for p in ["/a", "/b", "/c", "/d"] {
            r.add(&fields(&format!("path={p} status=200")));
        }
        let rows = r.rows(RequestColumn::Count, true);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].path, OTHER_PATHS);
        assert_eq!(rows[0].count, 2);
        for p in ["/a", "/b", "/c", "/d"] {
            r.remove(&fields(&format!("path={p} status=200")));
        }
        assert_eq!(r.requests(), 0);
        assert!(r.rows(RequestColumn::Count, true).is_empty());
    }

    /// `collapse_path` as first written (split on `?`/`#`, a `Vec` of segments, joined).
    fn collapse_path_reference(path: &str) -> String {
        let path = path.split(['?', '#']).next().unwrap_or("");
        let parts: Vec<&str> = path
            .split('/')
            .map(|s| if is_id(s.as_bytes()) { ":id" } else { s })
            .collect();
        parts.join("/")
    }

    #[test]
    fn the_written_out_log_of_gamma_is_the_computed_one() {
        assert_eq!(LN_GAMMA.to_bits(), gamma().ln().to_bits());
    }

    proptest! {
        #[test]
        fn path_collapsing_equals_the_reference(
            path in "(/([0-9]{1,4}|[a-f0-9]{6,10}|[a-z]{1,5}|[?#=]))*"
        ) {
            prop_assert_eq!(collapse_path(&path), collapse_path_reference(&path));
        }

        #[test]
        fn one_pass_over_the_fields_equals_looking_each_key_up(
            pairs in proptest::collection::vec(
                ("path|status|duration|host|x", "/[a-z0-9]{0,6}|[0-9]{1,3}|[0-9]{1,4}ms|-1s"),
                0..8,
            )
        ) {
            let msg: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let msg = msg.join(" ");
            let f = fields(&msg);
            let reference = (|| {
                let path = f.get("path")?;
                let status: u16 = f.get("status")?.value.trim().parse().ok()?;
                let duration = f
                    .get("duration")
                    .and_then(|f| Quantity::parse(&f.value))
                    .filter(|q| q.dimension == Dimension::Duration && q.value >= 0.0)
                    .map(|q| q.value);
                Some((collapse_path(&path.value), status >= 500, duration))
            })();
            prop_assert_eq!(request(&f), reference);
        }

        #[test]
        fn percentiles_match_exact_ones_within_the_error(
            ms in proptest::collection::vec(0u32..120_000, 1..300),
            q in 0.01f64..1.0,
        ) {
            let mut h = DurationHistogram::new();
            let mut all: Vec<f64> = ms.iter().map(|&m| f64::from(m) / 1000.0).collect();
            for &d in &all {
                h.add(d);
            }
            all.sort_by(f64::total_cmp);
            let (got, want) = (h.quantile(q).expect("some"), exact(&all, q));
            prop_assert!((got - want).abs() <= RELATIVE_ERROR * want + 1e-12, "{} vs {}", got, want);
        }

        #[test]
        fn removing_what_was_added_equals_never_adding_it(
            keep in proptest::collection::vec(1u32..10_000, 0..50),
            gone in proptest::collection::vec(1u32..10_000, 0..50),
        ) {
            let mut a = DurationHistogram::new();
            let mut b = DurationHistogram::new();
            for &m in &keep {
                a.add(f64::from(m) / 1000.0);
                b.add(f64::from(m) / 1000.0);
            }
            for &m in &gone {
                a.add(f64::from(m) / 1000.0);
            }
            for &m in &gone {
                a.remove(f64::from(m) / 1000.0);
            }
            prop_assert_eq!(a, b);
        }
    }
}
