//! Giving the thread back to the browser between slices of long work (a search over a
//! million lines, an archive being split into lines), so input and paint run in between.
//!
//! A zero-delay `setTimeout` is clamped to 4 ms once timers nest, which cost a third of the
//! time of 8 ms slices; a message posted on a `MessageChannel` is a task of its own with no
//! clamp (the way React's scheduler yields). One channel serves every caller: each waiting
//! caller's resolver is queued and the port's handler resolves them in order.

use std::cell::RefCell;
use std::collections::VecDeque;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

struct Channel {
    channel: web_sys::MessageChannel,
    waiting: std::rc::Rc<RefCell<VecDeque<js_sys::Function>>>,
    _on_message: Closure<dyn FnMut()>,
}

thread_local! {
    static CHANNEL: RefCell<Option<Channel>> = const { RefCell::new(None) };
}

fn channel() -> Option<(
    web_sys::MessagePort,
    std::rc::Rc<RefCell<VecDeque<js_sys::Function>>>,
)> {
    CHANNEL.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            let channel = web_sys::MessageChannel::new().ok()?;
            let waiting: std::rc::Rc<RefCell<VecDeque<js_sys::Function>>> = Default::default();
            let queue = waiting.clone();
            let on_message = Closure::<dyn FnMut()>::new(move || {
                let next = queue.borrow_mut().pop_front();
                if let Some(resolve) = next {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                }
            });
            channel
                .port1()
                .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            *c = Some(Channel {
                channel,
                waiting,
                _on_message: on_message,
            });
        }
        c.as_ref().map(|c| (c.channel.port2(), c.waiting.clone()))
    })
}

/// Resolves in a new task of the browser's event loop, after the input, paint and timer
/// tasks already queued. Falls back to a zero-delay timer without `MessageChannel`.
pub async fn yield_now() {
    let Some((port, waiting)) = channel() else {
        gloo_timers::future::TimeoutFuture::new(0).await;
        return;
    };
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        waiting.borrow_mut().push_back(resolve);
        let _ = port.post_message(&JsValue::NULL);
    });
    let _ = JsFuture::from(promise).await;
}
