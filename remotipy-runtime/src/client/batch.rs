//! Batches: several calls in one JSON-RPC batch, one HTTP exchange, each
//! answer read back through a typed handle.
//!
//! Every generated `<Trait>Client` has `batch()`, giving a `<Trait>Batch`
//! with the trait's methods; each returns a [`Pending`] handle, and the
//! batch's `send_batch()` returns the [`Replies`] to read them from:
//!
//! ```
//! # #[derive(Debug, serde::Serialize, serde::Deserialize, thiserror::Error)]
//! # #[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
//! # pub enum MathError { #[error("division by zero")] DivisionByZero }
//! #[remotipy::remote]
//! pub trait Calculator {
//!     async fn add(&self, a: i64, b: i64) -> i64;
//!     async fn divide(&self, a: f64, b: f64) -> Result<f64, MathError>;
//! }
//! # struct Calc;
//! # impl Calculator for Calc {
//! #     async fn add(&self, a: i64, b: i64) -> i64 { a + b }
//! #     async fn divide(&self, a: f64, b: f64) -> Result<f64, MathError> {
//! #         if b == 0.0 { Err(MathError::DivisionByZero) } else { Ok(a / b) }
//! #     }
//! # }
//!
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let calc = CalculatorClient::in_process(CalculatorServer::new(Calc).into_server());
//! let mut batch = calc.batch();
//! let sum = batch.add(40, 2);                   // Pending<i64>
//! let quotient = batch.divide(1.0, 0.0);        // Pending<f64, MathError>
//! let mut replies = batch.send_batch().await?;  // one HTTP exchange
//! assert_eq!(replies.take(sum)?, 42);           // in any order
//! assert!(matches!(replies.take(quotient), Err(remotipy::Error::App(MathError::DivisionByZero))));
//! # Ok(()) }
//! ```

use std::convert::Infallible;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http::StatusCode;
use serde::Serialize;

use super::response::{self, ById, status_error};
use super::untyped::Client;
use crate::codec::Codec;
use crate::error::{BoxError, Error};
use crate::method::Wire;
use crate::protocol::ErrorObject;

/// The method name the errors of a batch as a whole carry, and its log lines.
pub(crate) const BATCH: &str = "batch";

/// Calls collected to be sent together; generated `<Trait>Batch` types wrap
/// one. Nothing is sent until [`Batch::send`] (`send_batch` on the
/// generated batch).
pub struct Batch {
    client: Client,
    /// The encoded calls so far, as an open array.
    body: Vec<u8>,
    /// How many requests `body` holds.
    encoded: usize,
    slots: Vec<Slot>,
    /// Ties handles to the batch that made them.
    token: u64,
    /// A notification that could not be encoded fails the whole send.
    unencodable: Option<Error>,
    /// Calls and notifications added.
    len: usize,
    /// Every call added may run twice: the whole batch may be retried.
    idempotent: bool,
}

enum Slot {
    Call { id: u64, method: &'static str },
    Unencodable { method: &'static str, source: Option<BoxError> },
}

/// The future answer of one call in a batch; read it with [`Replies::take`].
#[must_use = "the answer is read with `Replies::take(handle)`"]
pub struct Pending<R, E = Infallible> {
    index: usize,
    token: u64,
    decode_app: fn(&ErrorObject) -> Option<E>,
    result: PhantomData<fn() -> R>,
}

/// The answers to a sent batch.
pub struct Replies {
    /// The client that sent them: a call the server stopped at its deadline
    /// (`-32092`) is that client's timeout, as for a call sent alone.
    client: Client,
    /// When the batch was sent, if the client records metrics (each call's
    /// is recorded as it is read).
    started: Option<crate::rt::Instant>,
    codec: Codec,
    body: Bytes,
    /// Where each call's answer lies in `body` (or why it has none), by
    /// call index; `None` once taken, or for a slot that is no call.
    answers: Vec<Option<Result<Range<usize>, String>>>,
    slots: Vec<Slot>,
    token: u64,
}

static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1);

impl Client {
    /// Starts a batch: calls added to it go out together in one request.
    pub fn batch(&self) -> Batch {
        Batch::new(self.clone())
    }
}

impl Batch {
    pub(crate) fn new(client: Client) -> Self {
        let token = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed);
        let body = client.codec().open_array(256);
        Batch { client, body, encoded: 0, slots: Vec::new(), token, unencodable: None, len: 0, idempotent: true }
    }

    /// Adds a call of `method` with `params`, its result read as `R`.
    pub fn request<P: Serialize + ?Sized, R: Wire>(&mut self, method: &'static str, params: &P) -> Pending<R> {
        self.call_with(method, params, false, |_| None)
    }

    /// Adds a notification of `method`: sent with the batch, never answered.
    pub fn notify<P: Serialize + ?Sized>(&mut self, method: &'static str, params: &P) {
        self.notify_with(method, params, false);
    }

    /// Adds a notification of `method`; `idempotent`: it may run twice.
    pub(crate) fn notify_with<P: Serialize + ?Sized>(&mut self, method: &'static str, params: &P, idempotent: bool) {
        self.idempotent &= idempotent;
        if let Err(source) = self.push(method, params, None) {
            self.unencodable.get_or_insert(Error::Encode { method, source });
        }
    }

    /// Adds a call of `method`, its result read as `R` (an application
    /// error as `E`, when `decode_app` recognises one).
    pub(crate) fn call_with<P: Serialize + ?Sized, R, E>(
        &mut self,
        method: &'static str,
        params: &P,
        idempotent: bool,
        decode_app: fn(&ErrorObject) -> Option<E>,
    ) -> Pending<R, E> {
        self.idempotent &= idempotent;
        let id = self.client.next_id();
        let slot = match self.push(method, params, Some(id)) {
            Ok(()) => Slot::Call { id, method },
            Err(source) => Slot::Unencodable { method, source: Some(source) },
        };
        self.slots.push(slot);
        Pending { index: self.slots.len() - 1, token: self.token, decode_app, result: PhantomData }
    }

    /// Appends one encoded request, or leaves the body as it was.
    fn push<P: Serialize + ?Sized>(
        &mut self,
        method: &'static str,
        params: &P,
        id: Option<u64>,
    ) -> Result<(), BoxError> {
        self.len += 1;
        let codec = self.client.codec();
        let before = self.body.len();
        codec.separate(&mut self.body);
        codec.encode_request(&mut self.body, method, params, id).inspect_err(|_| self.body.truncate(before))?;
        self.encoded += 1;
        Ok(())
    }

    /// How many calls and notifications were added.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Nothing added yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Sends every call in one HTTP request. An empty batch sends nothing.
    ///
    /// Fails as a whole only when the exchange does (transport, timeout,
    /// HTTP status, a response that is not a batch answer, or an
    /// unencodable notification); each call's own outcome, an error from the
    /// server included, is read from the [`Replies`].
    pub async fn send(self) -> Result<Replies, Error> {
        let Batch { client, mut body, encoded, slots, token, unencodable, idempotent, .. } = self;
        if let Some(error) = unencodable {
            return Err(error);
        }
        let (codec, started) = (client.codec(), client.metrics_start());
        let answers = vec![None; slots.len()];
        if encoded == 0 {
            return Ok(Replies { client, started, codec, body: Bytes::new(), answers, slots, token });
        }
        codec.close_array(&mut body, encoded);
        let response = client.exchange(BATCH, body, idempotent).await?;
        let mut replies = Replies { client, started, codec, body: Bytes::new(), answers, slots, token };
        if !response.status.is_success() && response.body.is_empty() {
            return Err(status_error(BATCH, response.status, &response.body));
        }
        replies.body = response.body;
        replies.locate(response.status)?;
        Ok(replies)
    }
}

impl Replies {
    /// Finds each call's answer in the response body by its id.
    fn locate(&mut self, status: StatusCode) -> Result<(), Error> {
        let expects_answers = self.slots.iter().any(|slot| matches!(slot, Slot::Call { .. }));
        if !expects_answers && self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let items = match self.codec.split_array(&self.body) {
            Ok(items) => items,
            Err(_) => return Err(whole_batch_error(self.codec, status, &self.body)),
        };
        let by_id = ById::new(self.codec, items);
        let start = self.body.as_ptr() as usize;
        for (slot, answer) in self.slots.iter().zip(&mut self.answers) {
            if let Slot::Call { id, .. } = slot {
                *answer = Some(by_id.get(*id).map(|item| {
                    let offset = item.as_ptr() as usize - start;
                    offset..offset + item.len()
                }));
            }
        }
        Ok(())
    }

    /// The outcome of one call of the batch: its result, its application
    /// error as `Error::App`, or the error the server answered it with.
    ///
    /// # Panics
    /// When `pending` comes from another batch.
    pub fn take<R: Wire, E>(&mut self, pending: Pending<R, E>) -> Result<R, Error<E>> {
        assert_eq!(pending.token, self.token, "this handle belongs to another batch's replies");
        match &mut self.slots[pending.index] {
            Slot::Unencodable { method, source } => {
                let source = source.take().expect("each handle is taken once");
                Err(Error::Encode { method, source })
            }
            Slot::Call { id, method } => match self.answers[pending.index].take() {
                Some(Ok(range)) => {
                    let body = &self.body[range];
                    let decoded =
                        response::decode::<R::De, E>(self.codec, method, *id, StatusCode::OK, body, pending.decode_app);
                    let outcome = decoded.map(R::from_de).map_err(|error| self.client.timed_out(error));
                    self.client.metrics_end(method, self.started, &outcome);
                    outcome
                }
                Some(Err(detail)) => Err(Error::Decode { method, detail }),
                None => Err(Error::Decode { method, detail: format!("the batch response has no answer to call {id}") }),
            },
        }
    }
}

/// A batch answered with a single object: the server refused the batch as a
/// whole (too long, unparsable), or something other than JSON-RPC answered.
fn whole_batch_error(codec: Codec, status: StatusCode, body: &[u8]) -> Error {
    match codec.decode::<response::ErrorOnly>(body) {
        Ok(response::ErrorOnly { error }) => {
            let class = error.class().map(str::to_owned);
            Error::Remote { method: BATCH, code: error.code, message: error.message, class, data: error.data }
        }
        Err(_) if !status.is_success() => status_error(BATCH, status, body),
        Err(e) => {
            Error::Decode { method: BATCH, detail: format!("the response is not a batch answer ({})", e.message) }
        }
    }
}

impl fmt::Debug for Batch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batch").field("calls", &self.slots.len()).field("endpoint", &self.client.endpoint()).finish()
    }
}

impl fmt::Debug for Replies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let answered = self.answers.iter().filter(|answer| matches!(answer, Some(Ok(_)))).count();
        f.debug_struct("Replies").field("calls", &self.slots.len()).field("unread", &answered).finish()
    }
}

impl<R, E> fmt::Debug for Pending<R, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending").field("index", &self.index).finish()
    }
}
