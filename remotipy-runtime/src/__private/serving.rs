//! What generated servers call (feature `server`): params decoding,
//! replies, application errors and streams.

use crate::error_code::ErrorCode;
use crate::future::BoxFuture;
use crate::method::{Encode, ErrOf, Fallible, OkOf, RemoteMethod};
use crate::protocol::{ErrorObject, code};
use crate::server::Server;
use crate::server::service::{Call, MethodInfo, Reply, RpcService};
use crate::server::service::{HttpStatus, Outcome};

/// Decodes `M`'s params (named or positional).
pub fn decode_params<M: RemoteMethod>(call: &Call<'_>) -> Result<M::Params, ErrorObject> {
    call.decode(M::PARAMS)
}

/// The reply of a method declared `-> T`.
pub fn reply_ok<M: RemoteMethod>(call: &Call<'_>, output: &OkOf<M>) -> Reply {
    call.ok(output.ser())
}

/// Builds the reply of a handler's application error, choosing at compile
/// time between the error type's [`ErrorCode`] impl and the default
/// (autoref specialization: generated code calls
/// `(&&AppError::<M>(&e)).reply()`).
pub struct AppError<'a, M: Fallible>(pub &'a ErrOf<M>);

pub trait ViaErrorCode {
    fn reply(&self) -> Reply;
}

impl<M: Fallible> ViaErrorCode for &AppError<'_, M>
where
    ErrOf<M>: ErrorCode,
{
    fn reply(&self) -> Reply {
        let e = self.0;
        let status = e.http_status().map(|code| HttpStatus { code, retry_after: None });
        Reply { outcome: Outcome::Done(Err(app_error::<M>(e, e.code()))), status }
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
fn app_error<M: Fallible>(e: &ErrOf<M>, code: i64) -> ErrorObject {
    let type_name = M::ERR_NAME;
    match serde_json::to_value(e.ser()) {
        Ok(value) => {
            ErrorObject::new(code, e.to_string()).with_data(serde_json::json!({ "type": type_name, "value": value }))
        }
        Err(err) => ErrorObject::internal(format_args!("cannot encode the `{type_name}` error: {err}")),
    }
}

/// Streaming methods: the items a generated server hands to the runtime.
///
/// An implementation may borrow `self` in the stream it returns (its
/// signature captures `&self`), but the stream outlives the call: it is read
/// while the response goes out. So the generated arm runs the method in a
/// future that owns the service's `Arc` and borrows from it, like any async
/// block, and that future hands each item over through a `Sink` as it is
/// polled for the next one: a generator, with no lifetime to extend.
pub mod stream {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::{Arc, Mutex, MutexGuard};
    use std::task::{Context, Poll};

    use futures_util::stream::{Stream, StreamExt};
    use serde::{Serialize, Serializer};

    use crate::future::BoxFuture;
    use crate::method::{OkOf, RemoteMethod, Resumable, Wire};
    use crate::protocol::ErrorObject;
    use crate::server::service::{Call, Outcome, Reply};
    use crate::tracked::Tracked;

    /// What the method's future hands over, one at a time.
    enum Handed<T> {
        /// The setup succeeded: items follow.
        Started,
        /// The setup failed: the call's reply.
        Refused(Reply),
        /// An item, or the error that ends the stream.
        Item(Result<T, ErrorObject>),
    }

    /// Where the method's future hands its items over.
    pub struct Sink<T> {
        slot: Arc<Mutex<Option<Handed<T>>>>,
    }

    impl<T> Sink<T> {
        /// The setup failed with `reply`: the call's answer.
        pub fn refuse(self, reply: Reply) {
            self.hand(Handed::Refused(reply));
        }

        /// Forwards `items` until they end or one fails (`error` making its reply).
        pub async fn items<E, S>(self, items: S, error: fn(&E) -> Reply)
        where
            S: Stream<Item = Result<T, E>>,
        {
            self.handed(Handed::Started).await;
            let mut items = std::pin::pin!(items);
            while let Some(item) = items.next().await {
                let failed = item.is_err();
                self.handed(Handed::Item(item.map_err(|e| into_error(error(&e))))).await;
                if failed {
                    return;
                }
            }
        }

        /// Forwards `items`, which cannot fail.
        pub async fn infallible_items<S: Stream<Item = T>>(self, items: S) {
            self.items(items.map(Result::<T, core::convert::Infallible>::Ok), |never| match *never {}).await
        }

        fn hand(&self, handed: Handed<T>) {
            *lock(&self.slot) = Some(handed);
        }

        /// Hands `handed` over, and waits until the reader comes back for more.
        async fn handed(&self, handed: Handed<T>) {
            self.hand(handed);
            HandedOver(false).await
        }
    }

    /// Pending once: the reader, which polls the method's future, finds the
    /// slot full and returns its content; it polls again for the next.
    struct HandedOver(bool);

    impl Future for HandedOver {
        type Output = ();

        fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            match std::mem::replace(&mut self.0, true) {
                true => Poll::Ready(()),
                false => Poll::Pending,
            }
        }
    }

    /// The method's future, read as the items it hands over.
    struct Generated<T> {
        slot: Arc<Mutex<Option<Handed<T>>>>,
        /// `None` once it has finished.
        future: Option<BoxFuture<'static, ()>>,
    }

    impl<T> Generated<T> {
        /// Polls the future until it hands something over or finishes (`None`).
        fn poll_handed(&mut self, cx: &mut Context<'_>) -> Poll<Option<Handed<T>>> {
            if let Some(handed) = lock(&self.slot).take() {
                return Poll::Ready(Some(handed));
            }
            let Some(future) = self.future.as_mut() else { return Poll::Ready(None) };
            let finished = future.as_mut().poll(cx).is_ready();
            if finished {
                self.future = None;
            }
            match lock(&self.slot).take() {
                Some(handed) => Poll::Ready(Some(handed)),
                None if finished => Poll::Ready(None),
                None => Poll::Pending,
            }
        }
    }

    impl<T> Stream for Generated<T> {
        type Item = Result<T, ErrorObject>;

        fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            let this = self.get_mut();
            loop {
                return match this.poll_handed(cx) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(None) => Poll::Ready(None),
                    Poll::Ready(Some(Handed::Item(item))) => Poll::Ready(Some(item)),
                    // Only the first thing handed over is one of these.
                    Poll::Ready(Some(Handed::Started | Handed::Refused(_))) => continue,
                };
            }
        }
    }

    fn lock<T>(slot: &Mutex<T>) -> MutexGuard<'_, T> {
        // A panic in the method poisons nothing it could have left half-done here.
        slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The error of a method that declares none.
    pub fn never(never: &core::convert::Infallible) -> Reply {
        match *never {}
    }

    /// Starts streaming method `M`: `method` is the method's future, given a
    /// sink for its items. The call is answered once the setup is done: with
    /// the setup's error, or with the items as they come.
    pub async fn serve<M, F, Fut>(call: &Call<'_>, method: F) -> Reply
    where
        M: RemoteMethod,
        OkOf<M>: Send + 'static,
        F: FnOnce(Sink<OkOf<M>>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        // Its items carry no ids: a caller asking to resume is refused (`-32093`).
        if let Err(refused) = crate::server::resume::refuse_resume(M::NAME) {
            return Reply::error(refused);
        }
        match start(method).await {
            Ok(generated) => call.stream(generated.map(|item| item.map(AsSerde))),
            Err(reply) => reply,
        }
    }

    /// Starts resumable streaming method `M`, whose items carry ids (see
    /// `Call::stream_tracked` for what is checked).
    pub async fn serve_tracked<M, F, Fut>(call: &Call<'_>, method: F) -> Reply
    where
        M: Resumable,
        OkOf<M>: Send + 'static,
        F: FnOnce(Sink<Tracked<OkOf<M>, M::Id>>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        if let Err(refused) = crate::server::resume::resume_point::<M::Id>(M::NAME) {
            return Reply::error(refused);
        }
        match start(method).await {
            Ok(generated) => {
                call.stream_tracked(generated.map(|item| item.map(|t| Tracked::new(t.id, AsSerde(t.item)))))
            }
            Err(reply) => reply,
        }
    }

    /// Runs the method's future until its setup is done: its items, or its reply.
    async fn start<H, F, Fut>(method: F) -> Result<Generated<H>, Reply>
    where
        F: FnOnce(Sink<H>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let slot = Arc::new(Mutex::new(None));
        let future = Box::pin(method(Sink { slot: Arc::clone(&slot) }));
        let mut generated = Generated { slot, future: Some(future) };
        match std::future::poll_fn(|cx| generated.poll_handed(cx)).await {
            Some(Handed::Started) => Ok(generated),
            Some(Handed::Refused(reply)) => Err(reply),
            Some(Handed::Item(_)) | None => {
                Err(Reply::error(ErrorObject::internal("a stream ended before it started")))
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

    /// An item, serialized through [`Wire`].
    pub struct AsSerde<T>(T);

    impl<T: Wire> Serialize for AsSerde<T> {
        fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
            self.0.ser().serialize(serializer)
        }
    }
}

/// Whether no two of `methods` share a wire name. The macro refuses one
/// used twice where it sees it; methods under `#[cfg]` it cannot judge, so
/// generated code asserts this in a constant, over the methods compiled in.
pub const fn distinct(methods: &[MethodInfo]) -> bool {
    let mut i = 0;
    while i < methods.len() {
        let mut j = i + 1;
        while j < methods.len() {
            if same(methods[i].name.as_bytes(), methods[j].name.as_bytes()) {
                return false;
            }
            j += 1;
        }
        i += 1;
    }
    true
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The server of one generated service, whose wire names the constant
/// assertion beside its method list proved distinct: it cannot fail.
pub fn server_of(service: impl RpcService) -> Server {
    Server::new(service).expect("a generated service's wire names are checked distinct at compile time")
}

/// Boxes a call's future.
pub fn boxed<'a, F>(future: F) -> BoxFuture<'a, Reply>
where
    F: core::future::Future<Output = Reply> + Send + 'a,
{
    std::boxed::Box::pin(future)
}
