//! Calling a method: a request encoded, sent alone or in an automatic
//! batch, its answer decoded.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::response::status_error;
use super::untyped::Client;
use crate::error::Error;
use crate::protocol::ErrorObject;
use crate::transport::TransportResponse;

impl Client {
    /// Calls `method` with `params` (a struct or map for named params, a
    /// tuple or array for positional ones) and decodes its result as `R`.
    pub async fn request<P: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        method: &'static str,
        params: &P,
    ) -> Result<R, Error> {
        self.call_with(method, params, false, |_| None).await
    }

    /// Sends `method` as a notification: no id; delivered once the server
    /// answers with a success status.
    pub async fn notify<P: Serialize + ?Sized>(&self, method: &'static str, params: &P) -> Result<(), Error> {
        self.notify_with(method, params, false).await
    }

    pub(crate) async fn notify_with<P: Serialize + ?Sized>(
        &self,
        method: &'static str,
        params: &P,
        idempotent: bool,
    ) -> Result<(), Error> {
        let started = self.metrics_start();
        let sent = async {
            let body = self.encode(self.codec(), method, params, None)?;
            let response = self.send_one(method, body, None, idempotent).await?;
            match response.status.is_success() {
                true => Ok(()),
                false => Err(status_error(method, response.status, &response.body)),
            }
        };
        let outcome = sent.await;
        self.metrics_end(method, started, &outcome);
        outcome
    }

    /// Calls `method`: its result decoded as `R`, an application error in
    /// the reply as `E` when `decode_app` recognises one.
    pub(crate) async fn call_with<P: Serialize + ?Sized, R: DeserializeOwned, E>(
        &self,
        method: &'static str,
        params: &P,
        idempotent: bool,
        decode_app: fn(&ErrorObject) -> Option<E>,
    ) -> Result<R, Error<E>> {
        let started = self.metrics_start();
        let answered = async {
            let id = self.next_id();
            let body = self.encode(self.codec(), method, params, Some(id))?;
            let response = self.send_one(method, body, Some(id), idempotent).await?;
            self.decode_answer(self.codec(), method, id, &response, decode_app)
        };
        let outcome = answered.await;
        self.metrics_end(method, started, &outcome);
        outcome
    }

    /// When a call starts, if the client records metrics.
    pub(crate) fn metrics_start(&self) -> Option<crate::rt::Instant> {
        #[cfg(feature = "metrics")]
        if self.state.metrics.is_some() {
            return Some(crate::rt::Instant::now());
        }
        None
    }

    /// Records a call started at `started` (see [`Client::metrics_start`]).
    pub(crate) fn metrics_end<T, E>(
        &self,
        method: &'static str,
        started: Option<crate::rt::Instant>,
        outcome: &Result<T, Error<E>>,
    ) {
        #[cfg(feature = "metrics")]
        if let (Some(metrics), Some(started)) = (&self.state.metrics, started) {
            metrics.call(method, started, outcome);
        }
        let _ = (method, started, outcome);
    }

    /// Sends one call (`id`: `None` for a notification): with others in an
    /// automatic batch when the client makes them, else alone.
    async fn send_one<E>(
        &self,
        method: &'static str,
        body: Vec<u8>,
        id: Option<u64>,
        idempotent: bool,
    ) -> Result<TransportResponse, Error<E>> {
        match &self.state.auto_batch {
            Some(batcher) => batcher.submit(self, method, body, id, idempotent).await,
            None => self.exchange(method, body, idempotent).await,
        }
    }
}
