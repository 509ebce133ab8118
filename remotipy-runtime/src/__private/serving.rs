//! What generated servers call (feature `server`): params decoding,
//! replies, application errors and streams.

use super::{BoxFuture, Call, Err, Fallible, Ok, RemoteMethod, Reply, Wire};
use crate::ErrorCode;
use crate::protocol::{ErrorObject, code};
use crate::server::service::Outcome;

/// Decodes `M`'s params (named or positional).
pub fn decode_params<M: RemoteMethod>(call: &Call<'_>) -> Result<M::Params, ErrorObject> {
    call.decode(M::PARAMS)
}

/// The reply of a method declared `-> T`.
pub fn reply_ok<M: RemoteMethod>(call: &Call<'_>, output: &Ok<M>) -> Reply {
    call.ok(output.as_serde())
}

/// Builds the reply of a handler's application error, choosing at compile
/// time between the error type's [`ErrorCode`] impl and the default
/// (autoref specialization: generated code calls
/// `(&&AppError::<M>(&e)).reply()`).
pub struct AppError<'a, M: Fallible>(pub &'a Err<M>);

pub trait ViaErrorCode {
    fn reply(&self) -> Reply;
}

impl<M: Fallible> ViaErrorCode for &AppError<'_, M>
where
    Err<M>: ErrorCode,
{
    fn reply(&self) -> Reply {
        let e = self.0;
        Reply { outcome: Outcome::Done(Err(app_error::<M>(e, e.code()))), status: e.http_status() }
    }
}

pub trait ViaDefault {
    fn reply(&self) -> Reply;
}

impl<M: Fallible> ViaDefault for AppError<'_, M> {
    fn reply(&self) -> Reply {
        Reply::error(app_error::<M>(self.0, code::APP_ERROR))
    }
}

/// `{"code", "message": e's Display, "data": {"type", "value": e}}`.
fn app_error<M: Fallible>(e: &Err<M>, code: i64) -> ErrorObject {
    let type_name = M::ERR_NAME;
    match serde_json::to_value(e.as_serde()) {
        Ok(value) => {
            ErrorObject::new(code, e.to_string()).with_data(serde_json::json!({ "type": type_name, "value": value }))
        }
        Err(err) => ErrorObject::internal(format_args!("cannot encode the `{type_name}` error: {err}")),
    }
}

/// Streaming methods: the items a generated server hands to the runtime.
pub mod stream {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::task::{Context, Poll};

    use futures_util::stream::{BoxStream, Stream, StreamExt};
    use serde::{Serialize, Serializer};

    use super::{Call, Ok, RemoteMethod, Reply, Wire};
    use crate::protocol::ErrorObject;
    use crate::server::service::Outcome;

    /// A method's items, `Err` ending the stream.
    pub type Items<T, E> = BoxStream<'static, Result<T, E>>;

    /// Items that may fail.
    pub fn boxed<T, E, S>(items: S) -> Items<T, E>
    where
        S: Stream<Item = Result<T, E>> + Send + 'static,
    {
        Box::pin(items)
    }

    /// Items that cannot fail.
    pub fn ok<T, E, S>(items: S) -> Items<T, E>
    where
        S: Stream<Item = T> + Send + 'static,
        T: 'static,
        E: 'static,
    {
        Box::pin(items.map(Result::Ok))
    }

    /// The error of a method that declares none.
    pub fn never(never: &core::convert::Infallible) -> Reply {
        match *never {}
    }

    /// Starts `M` on `service` and answers with its items.
    ///
    /// The implementation may borrow `self` in the stream it returns (its
    /// signature captures `&self`), but the stream outlives the call: it is
    /// read while the response goes out. So the service is lent for
    /// `'static` and kept alive, by its `Arc`, beside the stream.
    pub async fn serve<M, S, E, F, Fut>(call: &Call<'_>, service: Arc<S>, start: F, error: fn(&E) -> Reply) -> Reply
    where
        M: RemoteMethod,
        Ok<M>: Send + 'static,
        S: Send + Sync + 'static,
        E: 'static,
        F: FnOnce(&'static S) -> Fut,
        Fut: Future<Output = Result<Items<Ok<M>, E>, E>>,
    {
        // SAFETY: the reference lives no longer than `service`: the setup
        // future is awaited here, while `service` is held, and the stream
        // is stored beside a clone of it, in a field dropped before the
        // clone. Implementations cannot keep it longer: their code is
        // checked for any lifetime of `&self`, not for `'static`.
        let lent: &'static S = unsafe { &*Arc::as_ptr(&service) };
        match start(lent).await {
            Err(e) => error(&e),
            Result::Ok(items) => {
                let items = Lent { items, _service: service }.map(move |item| match item {
                    Result::Ok(value) => Result::Ok(AsSerde(value)),
                    Err(e) => Err(into_error(error(&e))),
                });
                call.stream(items)
            }
        }
    }

    /// The error object of a failed reply.
    fn into_error(reply: Reply) -> ErrorObject {
        match reply.outcome {
            Outcome::Done(Err(error)) => error,
            _ => ErrorObject::internal("a stream item failed"),
        }
    }

    /// Items borrowing from the service they keep alive. Fields drop in
    /// order: the items first.
    struct Lent<T, E, S> {
        items: Items<T, E>,
        _service: Arc<S>,
    }

    impl<T, E, S> Stream for Lent<T, E, S> {
        type Item = Result<T, E>;

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            self.items.poll_next_unpin(cx)
        }
    }

    /// An item, serialized through [`Wire`].
    struct AsSerde<T>(T);

    impl<T: Wire> Serialize for AsSerde<T> {
        fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
            self.0.as_serde().serialize(serializer)
        }
    }
}

/// Boxes a call's future.
pub fn boxed<'a, F>(future: F) -> BoxFuture<'a, Reply>
where
    F: core::future::Future<Output = Reply> + Send + 'a,
{
    std::boxed::Box::pin(future)
}
