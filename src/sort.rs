//! One small in-place sort for the two places that sort: the app list and a log line's run
//! boundaries.
//!
//! `slice::sort_by` and `sort_unstable` are generic code instantiated per element type and
//! comparator: in the release wasm, the two calls cost 7.7 KB of code before compression. This
//! heapsort, with insertion sort for short slices, is a few hundred bytes per use, O(n log n) in
//! the worst case (a hostile log line cannot make it quadratic), and needs no allocation. It is
//! not stable; neither caller needs it to be (app names are unique, positions are plain numbers).

/// Up to this length, insertion sort.
const SHORT: usize = 16;

/// Sorts `items` so that no element is `less` than the one before it.
pub fn sort_by<T>(items: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let len = items.len();
    // Short slices, most of them nearly sorted (a line's run boundaries), sort fastest by
    // insertion; a bound on the length keeps the worst case small.
    if len <= SHORT {
        for i in 1..len {
            let mut j = i;
            while j > 0 && less(&items[j], &items[j - 1]) {
                items.swap(j, j - 1);
                j -= 1;
            }
        }
        return;
    }
    // Build a max-heap, then move its top to the end one element at a time.
    for root in (0..len / 2).rev() {
        sift_down(items, root, len, &less);
    }
    for end in (1..len).rev() {
        items.swap(0, end);
        sift_down(items, 0, end, &less);
    }
}

fn sift_down<T>(items: &mut [T], mut root: usize, end: usize, less: &impl Fn(&T, &T) -> bool) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&items[child], &items[child + 1]) {
            child += 1;
        }
        if !less(&items[root], &items[child]) {
            return;
        }
        items.swap(root, child);
        root = child;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_and_single_slices_are_left_alone() {
        let mut none: [u8; 0] = [];
        sort_by(&mut none, |a, b| a < b);
        let mut one = [7];
        sort_by(&mut one, |a, b| a < b);
        assert_eq!(one, [7]);
    }

    #[test]
    fn names_sort_by_their_text() {
        let mut names = vec!["quiet-app", "billing-api", "example-app", "api"];
        sort_by(&mut names, |a, b| a < b);
        assert_eq!(names, ["api", "billing-api", "example-app", "quiet-app"]);
    }

    proptest! {
        #[test]
        fn agrees_with_the_standard_sort(mut items in proptest::collection::vec(0usize..50, 0..200)) {
            let mut expected = items.clone();
            expected.sort_unstable();
            sort_by(&mut items, |a, b| a < b);
            prop_assert_eq!(items, expected);
        }

        #[test]
        fn a_reversed_comparator_sorts_descending(mut items in proptest::collection::vec(any::<i32>(), 0..100)) {
            let mut expected = items.clone();
            expected.sort_unstable_by(|a, b| b.cmp(a));
            sort_by(&mut items, |a, b| a > b);
            prop_assert_eq!(items, expected);
        }
    }
}
