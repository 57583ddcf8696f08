//! Reading an archive or a local file as it streams: `fetch` (or `Blob.stream()`), piped
//! through the browser's own `DecompressionStream("gzip")`, so no gzip code of ours or of a
//! library is in the bundle and decompression runs natively. The decompressed bytes are
//! handed over chunk by chunk, as they arrive.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, ReadableStream, ReadableStreamDefaultReader, ReadableWritablePair};

#[wasm_bindgen]
extern "C" {
    /// The Compression Streams API's `DecompressionStream` (WHATWG Compression Streams),
    /// bound here since web-sys keeps it behind its unstable-APIs flag.
    #[wasm_bindgen(js_name = DecompressionStream)]
    type Decompression;

    #[wasm_bindgen(constructor, catch, js_class = "DecompressionStream")]
    fn new(format: &str) -> Result<Decompression, JsValue>;
}

/// Why a download stopped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DownloadError {
    /// The storage answered 403: a pre-signed URL past its expiry (or a bad signature).
    #[error("the archive link expired")]
    Expired,
    /// No answer could be read: the storage refused the page's origin (CORS) or could not be
    /// reached. The browser does not tell the two apart.
    #[error("the archive storage refused the request (CORS) or could not be reached")]
    Refused,
    /// Another HTTP status.
    #[error("the archive storage answered HTTP {0}")]
    Http(u16),
    /// The data stopped making sense (a truncated or corrupt gzip stream, or a broken read);
    /// what came before was handed over.
    #[error("the archive is damaged after {0} bytes: the lines before the damage are kept")]
    Corrupt(u64),
    /// The user cancelled.
    #[error("cancelled")]
    Aborted,
    /// The browser has no `DecompressionStream` (or refused to build one).
    #[error("this browser cannot decompress gzip streams (DecompressionStream is missing)")]
    Unsupported,
}

/// Decompressed bytes as they stream in; dropping it cancels the read.
pub struct ByteStream {
    reader: ReadableStreamDefaultReader,
    signal: AbortSignal,
    total: u64,
    finished: bool,
}

impl std::fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ByteStream")
            .field("total", &self.total)
            .finish()
    }
}

impl ByteStream {
    fn new(body: ReadableStream, gzip: bool, signal: &AbortSignal) -> Result<Self, DownloadError> {
        let stream = if gzip {
            let d = Decompression::new("gzip").map_err(|_| DownloadError::Unsupported)?;
            body.pipe_through(d.unchecked_ref::<ReadableWritablePair>())
        } else {
            body
        };
        Ok(ByteStream {
            reader: stream.get_reader().unchecked_into(),
            signal: signal.clone(),
            total: 0,
            finished: false,
        })
    }

    /// Whether the load this stream belongs to was cancelled or replaced.
    pub fn aborted(&self) -> bool {
        self.signal.aborted()
    }

    /// The next chunk, as the browser cut it (anywhere, even inside a character); `None`
    /// at the end.
    ///
    /// # Errors
    /// [`DownloadError::Aborted`] once the signal is aborted, [`DownloadError::Corrupt`] when
    /// the data breaks off (the chunks before it were good).
    pub async fn next(&mut self) -> Result<Option<Vec<u8>>, DownloadError> {
        if self.finished {
            return Ok(None);
        }
        if self.signal.aborted() {
            return Err(DownloadError::Aborted);
        }
        let result = match JsFuture::from(self.reader.read()).await {
            Ok(r) => r,
            Err(_) => {
                self.finished = true;
                return Err(aborted_or(&self.signal, DownloadError::Corrupt(self.total)));
            }
        };
        let done = Reflect::get(&result, &JsValue::from_str("done"))
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            self.finished = true;
            return Ok(None);
        }
        let value = Reflect::get(&result, &JsValue::from_str("value"))
            .map_err(|_| DownloadError::Corrupt(self.total))?;
        let bytes = Uint8Array::new(&value).to_vec();
        self.total += bytes.len() as u64;
        Ok(Some(bytes))
    }
}

impl Drop for ByteStream {
    fn drop(&mut self) {
        if !self.finished {
            // Awaited so that its rejection (an aborted download) is handled, not reported.
            let cancelled = JsFuture::from(self.reader.cancel());
            wasm_bindgen_futures::spawn_local(async move {
                let _ = cancelled.await;
            });
        }
    }
}

/// Downloads `url` with a plain GET (no credentials: pre-signed URLs carry their own
/// authority); its body is read gunzipped through the returned stream.
///
/// # Errors
/// [`DownloadError::Expired`] for a 403, [`DownloadError::Http`] for another non-2xx status,
/// [`DownloadError::Refused`] when no answer can be read, [`DownloadError::Aborted`].
pub async fn fetch_gzip(url: &str, signal: &AbortSignal) -> Result<ByteStream, DownloadError> {
    let window = web_sys::window().ok_or(DownloadError::Refused)?;
    let init = web_sys::RequestInit::new();
    init.set_signal(Some(signal));
    init.set_credentials(web_sys::RequestCredentials::Omit);
    let response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| aborted_or(signal, DownloadError::Refused))?;
    let response: web_sys::Response = response.unchecked_into();
    match response.status() {
        200..=299 => {}
        403 => return Err(DownloadError::Expired),
        s => return Err(DownloadError::Http(s)),
    }
    let body = response.body().ok_or(DownloadError::Corrupt(0))?;
    ByteStream::new(body, true, signal)
}

/// Opens a local file (`.log` or `.log.gz`; gzip is recognised by its magic bytes, not by
/// the name) for reading as text bytes.
///
/// # Errors
/// [`DownloadError::Corrupt`] when the file cannot be read.
pub async fn open_file(
    file: &web_sys::Blob,
    signal: &AbortSignal,
) -> Result<ByteStream, DownloadError> {
    let head = JsFuture::from(
        file.slice_with_i32_and_i32(0, 2)
            .map_err(|_| DownloadError::Corrupt(0))?
            .array_buffer(),
    )
    .await
    .map_err(|_| DownloadError::Corrupt(0))?;
    let gzip = Uint8Array::new(&head).to_vec() == [0x1f, 0x8b];
    ByteStream::new(file.stream(), gzip, signal)
}

fn aborted_or(signal: &AbortSignal, e: DownloadError) -> DownloadError {
    if signal.aborted() {
        DownloadError::Aborted
    } else {
        e
    }
}
