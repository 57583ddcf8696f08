//! Facet counts: for each field, how many lines have it and how many have each value, kept up
//! to date line by line as lines arrive ([`Facets::add`]) and are evicted ([`Facets::remove`]).
//!
//! Memory is bounded whatever the lines say: at most [`FacetLimits::fields`] fields,
//! [`FacetLimits::values_per_field`] distinct values per field and
//! [`FacetLimits::values`] in all, each value at most [`FacetLimits::value_bytes`] long. A
//! value past these limits is counted in its field's "other" count ([`FacetField::other`]); a
//! field past them is not counted. So a `request_id` field fills its 1,000 values and counts
//! the rest as other, and a JSON log with a random key per line cannot grow the table.
//!
//! Counts are exact while no limit is reached. Past a limit a value can move between "other"
//! and its own count as lines come and go; then every count shown is at most the true count
//! (never an overcount), and a field whose lines are all removed leaves nothing behind.
//!
//! A line counts once per key, with the key's last value ([`Fields::unique`]), and the
//! container pseudo-field counts as the field `container`.

use rustc_hash::FxHashMap;

use super::extract::{key_eq, Fields};

/// The bounds on what [`Facets`] tracks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FacetLimits {
    /// Most fields tracked; default 200.
    pub fields: usize,
    /// Most distinct values tracked per field; default 1,000.
    pub values_per_field: usize,
    /// Most distinct values tracked over all fields; default 20,000.
    pub values: usize,
    /// Longest value (and key) tracked, in bytes; default 128. Longer values count as other.
    pub value_bytes: usize,
}

impl Default for FacetLimits {
    fn default() -> Self {
        FacetLimits {
            fields: 200,
            values_per_field: 1000,
            values: 20_000,
            value_bytes: 128,
        }
    }
}

/// One value of a facet with its count.
#[derive(Clone, Debug, PartialEq)]
pub struct FacetValue<'a> {
    /// The value's text.
    pub value: &'a str,
    /// Lines with this value.
    pub count: u64,
    /// `count` over the lines that have the field, in 0..=1.
    pub share: f64,
}

/// What the facets panel shows for one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FacetField<'a> {
    /// The key.
    pub key: &'a str,
    /// Lines that have the field.
    pub lines: u64,
    /// Lines whose value is not tracked (past a limit).
    pub other: u64,
    /// Distinct values tracked.
    pub distinct: usize,
}

#[derive(Clone, Debug, Default)]
struct Counts {
    lines: u64,
    /// Sum of `values`' counts, so "other" needs no walk.
    tracked: u64,
    values: FxHashMap<Box<str>, u64>,
}

/// Kinds of line told apart by [`Facets`]' hints.
const SHAPES: usize = 8;
/// Fields per line with a hint; later ones are searched.
const HINTED: usize = 32;

/// Which of the [`SHAPES`] kinds of line `fields` looks like, from its field count and first
/// key: cheap, and the same for every line one source writes with one format.
fn shape(fields: &Fields<'_>) -> usize {
    let first = fields.iter().next().map_or(0, |f| f.key.len());
    (fields.len() + first) % SHAPES
}

/// Facet counts over the lines added and not removed.
#[derive(Clone, Debug, Default)]
pub struct Facets {
    limits: FacetLimits,
    lines: u64,
    /// The fields and their counts, sorted by key: at most [`FacetLimits::fields`] of them,
    /// found through `hints` and else by binary search, so no key is hashed per line.
    fields: Vec<(Box<str>, Counts)>,
    /// For the `i`-th field of a line of a given [`shape`], where the previous such line's
    /// `i`-th field was in `fields` (at `shape * HINTED + i`): lines of one kind list the same
    /// keys in the same order, so one comparison usually finds the field, even when router
    /// lines and an app's own lines alternate. Checked before use, so a stale hint only costs
    /// a search.
    hints: Vec<usize>,
    values: usize,
}

impl Facets {
    /// Empty counts with the default limits.
    pub fn new() -> Facets {
        Facets::with_limits(FacetLimits::default())
    }

    /// Empty counts with `limits`.
    pub fn with_limits(limits: FacetLimits) -> Facets {
        Facets {
            limits,
            ..Facets::default()
        }
    }

    /// Where `key`, the `i`-th field of a line of `shape`, is in `fields`, or where it would
    /// go.
    fn find(&mut self, shape: usize, i: usize, key: &str) -> Result<usize, usize> {
        let slot = (i < HINTED).then_some(shape * HINTED + i);
        if let Some(&at) = slot.and_then(|s| self.hints.get(s)) {
            if self.fields.get(at).is_some_and(|(k, _)| key_eq(k, key)) {
                return Ok(at);
            }
        }
        let at = self.search(key)?;
        if let Some(s) = slot {
            if s >= self.hints.len() {
                self.hints.resize(SHAPES * HINTED, 0);
            }
            self.hints[s] = at;
        }
        Ok(at)
    }

    fn search(&self, key: &str) -> Result<usize, usize> {
        self.fields.binary_search_by(|(k, _)| (**k).cmp(key))
    }

    /// Counts a line (its fields, with the container pseudo-field if the caller set it).
    pub fn add(&mut self, fields: &Fields<'_>) {
        self.lines += 1;
        let limits = self.limits;
        let shape = shape(fields);
        for (i, f) in fields.unique().enumerate() {
            let key: &str = &f.key;
            let at = match self.find(shape, i, key) {
                Ok(at) => at,
                Err(at) => {
                    if self.fields.len() >= limits.fields || key.len() > limits.value_bytes {
                        continue;
                    }
                    self.fields.insert(at, (key.into(), Counts::default()));
                    at
                }
            };
            let counts = &mut self.fields[at].1;
            counts.lines += 1;
            let value: &str = &f.value;
            if let Some(n) = counts.values.get_mut(value) {
                *n += 1;
                counts.tracked += 1;
            } else if value.len() <= limits.value_bytes
                && counts.values.len() < limits.values_per_field
                && self.values < limits.values
            {
                counts.values.insert(value.into(), 1);
                counts.tracked += 1;
                self.values += 1;
            }
        }
    }

    /// Uncounts a line that was added with the same fields (an evicted line).
    pub fn remove(&mut self, fields: &Fields<'_>) {
        self.lines = self.lines.saturating_sub(1);
        let shape = shape(fields);
        for (i, f) in fields.unique().enumerate() {
            let key: &str = &f.key;
            let Ok(at) = self.find(shape, i, key) else {
                continue;
            };
            let counts = &mut self.fields[at].1;
            // Each count goes down only while above zero, so none can exceed the truth (see
            // the module documentation).
            counts.lines -= 1;
            let value: &str = &f.value;
            if let Some(n) = counts.values.get_mut(value) {
                *n -= 1;
                counts.tracked -= 1;
                if *n == 0 {
                    counts.values.remove(value);
                    self.values -= 1;
                }
            }
            if counts.lines == 0 {
                self.values -= counts.values.len();
                self.fields.remove(at);
            }
        }
    }

    /// Forgets every count.
    pub fn clear(&mut self) {
        self.lines = 0;
        self.fields.clear();
        self.values = 0;
    }

    /// Lines counted (with or without fields).
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// The fields seen, most frequent first (ties by key), for the facets panel's list.
    pub fn seen_fields(&self) -> Vec<FacetField<'_>> {
        let out: Vec<FacetField<'_>> = self
            .fields
            .iter()
            .map(|(k, c)| FacetField {
                key: k,
                lines: c.lines,
                other: c.lines.saturating_sub(c.tracked),
                distinct: c.values.len(),
            })
            .collect();
        let order = super::sorted_positions(out.len(), &mut |&a, &b| {
            let (a, b) = (&out[a], &out[b]);
            b.lines.cmp(&a.lines).then_with(|| a.key.cmp(b.key))
        });
        order.into_iter().map(|i| out[i]).collect()
    }

    fn entry(&self, key: &str) -> Option<(&str, &Counts)> {
        let (k, c) = &self.fields[self.search(key).ok()?];
        Some((k, c))
    }

    /// One field's summary; `None` when no counted line has it.
    pub fn field(&self, key: &str) -> Option<FacetField<'_>> {
        self.entry(key).map(|(k, c)| FacetField {
            key: k,
            lines: c.lines,
            other: c.lines.saturating_sub(c.tracked),
            distinct: c.values.len(),
        })
    }

    /// The `n` most frequent values of `key`, most frequent first (ties by value); empty when
    /// no counted line has the field.
    pub fn top(&self, key: &str, n: usize) -> Vec<FacetValue<'_>> {
        let Some((_, counts)) = self.entry(key) else {
            return Vec::new();
        };
        let all: Vec<(&str, u64)> = counts.values.iter().map(|(v, &c)| (&**v, c)).collect();
        // At most `values_per_field` values: a whole sort is cheap, and shares its code.
        let order = super::sorted_positions(all.len(), &mut |&a, &b| {
            let (a, b) = (all[a], all[b]);
            b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0))
        });
        let lines = counts.lines.max(1) as f64;
        order
            .into_iter()
            .take(n)
            .map(|i| all[i])
            .map(|(value, count)| FacetValue {
                value,
                count,
                share: (count as f64 / lines).min(1.0),
            })
            .collect()
    }

    /// An estimate of the heap bytes held (keys, values and table slots), for the benchmark.
    pub fn approx_bytes(&self) -> usize {
        const SLOT: usize = 16 + 8 + 8; // boxed str, count, table overhead
        self.fields
            .iter()
            .map(|(k, c)| {
                k.len()
                    + SLOT
                    + std::mem::size_of::<Counts>()
                    + c.values.keys().map(|v| v.len() + SLOT).sum::<usize>()
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::fields;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn values(f: &Facets, key: &str) -> Vec<(String, u64)> {
        f.top(key, usize::MAX)
            .into_iter()
            .map(|v| (v.value.to_owned(), v.count))
            .collect()
    }

    #[test]
    fn facets_count_lines_per_field_and_value() {
        let mut f = Facets::new();
        for msg in [
            "status=200 method=GET",
            "status=200 method=POST",
            "status=502 method=GET",
            "no fields",
        ] {
            f.add(&fields(msg));
        }
        assert_eq!(f.lines(), 4);
        let top = f.top("status", 10);
        assert_eq!(top[0].value, "200");
        assert_eq!(top[0].count, 2);
        assert!((top[0].share - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(top[1].value, "502");
        assert_eq!(f.top("status", 1).len(), 1);
        let seen: Vec<(&str, u64)> = f.seen_fields().iter().map(|s| (s.key, s.lines)).collect();
        assert_eq!(seen, [("method", 3), ("status", 3)]);
        assert!(f.top("nope", 3).is_empty());
    }

    #[test]
    fn a_repeated_key_counts_once_with_its_last_value() {
        let mut f = Facets::new();
        f.add(&fields("a=1 a=2"));
        assert_eq!(values(&f, "a"), [("2".to_owned(), 1)]);
        assert_eq!(f.field("a").map(|s| s.lines), Some(1));
    }

    #[test]
    fn the_container_counts_as_a_field() {
        let mut f = Facets::new();
        f.add(&fields("plain").with_container(Some("web-1")));
        f.add(&fields("container=web-2 status=200").with_container(Some("router")));
        assert_eq!(
            values(&f, "container"),
            [("web-1".to_owned(), 1), ("web-2".to_owned(), 1)]
        );
    }

    #[test]
    fn values_past_the_limit_count_as_other() {
        let mut f = Facets::with_limits(FacetLimits {
            values_per_field: 2,
            ..FacetLimits::default()
        });
        for id in 0..10 {
            f.add(&fields(&format!(
                "request_id={id} long={}",
                "x".repeat(200)
            )));
        }
        let s = f.field("request_id").expect("tracked");
        assert_eq!((s.lines, s.distinct, s.other), (10, 2, 8));
        let long = f.field("long").expect("tracked");
        assert_eq!((long.distinct, long.other), (0, 10), "too long to track");
    }

    #[test]
    fn fields_past_the_limit_are_not_tracked() {
        let mut f = Facets::with_limits(FacetLimits {
            fields: 3,
            ..FacetLimits::default()
        });
        for k in 0..100 {
            f.add(&fields(&format!("{{\"k{k}\":1}}")));
        }
        assert_eq!(f.seen_fields().len(), 3);
        for k in 0..100 {
            f.remove(&fields(&format!("{{\"k{k}\":1}}")));
        }
        assert!(f.seen_fields().is_empty());
        assert_eq!(f.approx_bytes(), 0);
    }

    fn recount(lines: &[String]) -> BTreeMap<(String, String), u64> {
        let mut m = BTreeMap::new();
        for l in lines {
            for fd in fields(l).unique() {
                *m.entry((fd.key.to_string(), fd.value.to_string()))
                    .or_default() += 1;
            }
        }
        m
    }

    fn counted(f: &Facets) -> BTreeMap<(String, String), u64> {
        let mut m = BTreeMap::new();
        for s in f.seen_fields() {
            for v in f.top(s.key, usize::MAX) {
                m.insert((s.key.to_owned(), v.value.to_owned()), v.count);
            }
        }
        m
    }

    fn line() -> impl Strategy<Value = String> {
        proptest::collection::vec(("[a-d]", "[0-3]"), 0..4).prop_map(|kv| {
            kv.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
    }

    proptest! {
        /// Lines are added in order and evicted from the front, as the store does.
        #[test]
        fn incremental_counts_equal_a_recount(
            lines in proptest::collection::vec(line(), 0..60),
            keep in 0usize..30,
        ) {
            let mut f = Facets::new();
            let mut live: Vec<String> = Vec::new();
            for l in &lines {
                f.add(&fields(l));
                live.push(l.clone());
                if live.len() > keep {
                    let old = live.remove(0);
                    f.remove(&fields(&old));
                }
            }
            prop_assert_eq!(counted(&f), recount(&live));
            prop_assert_eq!(f.lines(), live.len() as u64);
        }

        #[test]
        fn past_the_limits_counts_never_exceed_the_truth_and_nothing_leaks(
            lines in proptest::collection::vec(line(), 0..60),
            keep in 0usize..30,
            fields_cap in 1usize..4,
            values_cap in 1usize..3,
        ) {
            let mut f = Facets::with_limits(FacetLimits {
                fields: fields_cap,
                values_per_field: values_cap,
                values: 5,
                value_bytes: 128,
            });
            let mut live: Vec<String> = Vec::new();
            for l in &lines {
                f.add(&fields(l));
                live.push(l.clone());
                if live.len() > keep {
                    let old = live.remove(0);
                    f.remove(&fields(&old));
                }
                let truth = recount(&live);
                for (kv, n) in counted(&f) {
                    prop_assert!(n <= truth.get(&kv).copied().unwrap_or(0));
                }
                for s in f.seen_fields() {
                    let have = live.iter().filter(|l| fields(l).get(s.key).is_some()).count();
                    prop_assert!(s.lines <= have as u64);
                    prop_assert!(s.distinct <= values_cap);
                }
                prop_assert!(f.seen_fields().len() <= fields_cap);
            }
            for l in live.drain(..) {
                f.remove(&fields(&l));
            }
            prop_assert!(f.seen_fields().is_empty());
            prop_assert_eq!(f.lines(), 0);
        }
    }
}
