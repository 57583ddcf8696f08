//! `use_fetch`: read something asynchronously, again whenever what the read depends on changes
//! or when asked to, and keep the latest answer in a signal.
//!
//! It does what the pages used `LocalResource` for, with less machinery: the pages never use
//! `Suspense` or transitions, and each `LocalResource<T>` instantiated Leptos' whole async
//! derived-signal engine for its `T` (about 55 KB of the wasm before optimisation for six of
//! them). This hook is one effect and one task per read.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

/// The latest answer of a [`use_fetch`] read. `Copy`, like a signal.
pub struct Fetch<T: 'static> {
    value: RwSignal<Option<T>, LocalStorage>,
    again: Trigger,
    loading: RwSignal<bool>,
}

impl<T: 'static> Clone for Fetch<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for Fetch<T> {}

impl<T: Clone + 'static> Fetch<T> {
    /// The latest answer, `None` until the first one arrives; tracked.
    ///
    /// A new read keeps the previous answer until its own arrives, so the page does not flash.
    pub fn get(&self) -> Option<T> {
        self.value.get()
    }

    /// The latest answer, untracked.
    pub fn get_untracked(&self) -> Option<T> {
        self.value.get_untracked()
    }
}

impl<T: 'static> Fetch<T> {
    /// Reads again, as a Retry button wants.
    pub fn refetch(&self) {
        self.again.notify();
    }

    /// Whether a read is under way (the first one, or a new one while the previous answer is
    /// still shown); tracked.
    pub fn is_loading(&self) -> bool {
        self.loading.get()
    }
}

/// Runs `read` now, then again whenever a signal it reads (before its first `.await`) changes
/// or [`Fetch::refetch`] is called. Only the answer of the latest read is kept: a slower,
/// older one arriving late is dropped.
pub fn use_fetch<T, Fut>(read: impl Fn() -> Fut + 'static) -> Fetch<T>
where
    T: 'static,
    Fut: Future<Output = T> + 'static,
{
    let value = RwSignal::new_local(None);
    let again = Trigger::new();
    let loading = RwSignal::new(true);
    let latest = Rc::new(Cell::new(0_u64));
    Effect::new(move |_| {
        again.track();
        let future = read();
        let this = latest.get() + 1;
        latest.set(this);
        loading.set(true);
        let latest = Rc::clone(&latest);
        spawn_local(async move {
            let answer = future.await;
            // `try_set`: the page may have gone, and the signals with it, while reading.
            if latest.get() == this {
                value.try_set(Some(answer));
                loading.try_set(false);
            }
        });
    });
    Fetch {
        value,
        again,
        loading,
    }
}
