//! What generated clients, batches and blocking clients call: one function
//! per kind of method, typed by its spec `M`, over the untyped cores. Kept
//! off the public types so that their API is what their docs show.

/// `<Trait>Client`'s methods.
pub mod client {
    use crate::client::response::decode_app;
    use crate::client::stream::Items;
    use crate::client::{BuildError, Client, ClientBuilder};
    use crate::error::Error;
    use crate::method::{Decode, ErrOf, Fallible, OkOf, RemoteMethod};

    /// The untyped client a builder's settings describe.
    pub fn build<C>(builder: ClientBuilder<C>) -> Result<Client, BuildError> {
        builder.into_client()
    }

    /// Calls `M`, declared `-> T`.
    pub async fn call<M: RemoteMethod>(client: &Client, params: &M::Params) -> Result<OkOf<M>, Error> {
        let result = client.call_with::<_, <OkOf<M> as Decode>::De, _>(M::NAME, params, M::IDEMPOTENT, |_| None);
        result.await.map(Decode::from_de)
    }

    /// Calls `M`, declared `-> Result<T, E>`: an application error in the
    /// reply comes back as `Error::App(E)`.
    pub async fn call_fallible<M: Fallible>(client: &Client, params: &M::Params) -> Result<OkOf<M>, Error<ErrOf<M>>> {
        let result = client.call_with::<_, <OkOf<M> as Decode>::De, _>(M::NAME, params, M::IDEMPOTENT, decode_app::<M>);
        result.await.map(Decode::from_de)
    }

    /// Sends `M` as a notification.
    pub async fn notify<M: RemoteMethod>(client: &Client, params: &M::Params) -> Result<(), Error> {
        client.notify_with(M::NAME, params, M::IDEMPOTENT).await
    }

    /// Calls `M`, a streaming method whose items are `OkOf<M>`.
    pub async fn open<M: RemoteMethod>(client: &Client, params: &M::Params) -> Result<Items<OkOf<M>>, Error> {
        client.open_with(M::NAME, params, (M::IDEMPOTENT, M::RESUMABLE), |_| None).await
    }

    /// Calls `M`, a streaming method whose setup or items may fail with `ErrOf<M>`.
    pub async fn open_fallible<M: Fallible>(
        client: &Client,
        params: &M::Params,
    ) -> Result<Items<OkOf<M>, ErrOf<M>>, Error<ErrOf<M>>> {
        client.open_with(M::NAME, params, (M::IDEMPOTENT, M::RESUMABLE), decode_app::<M>).await
    }
}

/// `<Trait>Batch`'s methods.
pub mod batch {
    use crate::client::batch::{Batch, Pending};
    use crate::client::response::decode_app;
    use crate::method::{ErrOf, Fallible, OkOf, RemoteMethod};

    /// Adds a call of `M`, declared `-> T`.
    pub fn call<M: RemoteMethod>(batch: &mut Batch, params: &M::Params) -> Pending<OkOf<M>> {
        batch.call_with(M::NAME, params, M::IDEMPOTENT, |_| None)
    }

    /// Adds a call of `M`, declared `-> Result<T, E>`.
    pub fn call_fallible<M: Fallible>(batch: &mut Batch, params: &M::Params) -> Pending<OkOf<M>, ErrOf<M>> {
        batch.call_with(M::NAME, params, M::IDEMPOTENT, decode_app::<M>)
    }

    /// Adds a call of `M`, a streaming method: its items, collected by the server.
    pub fn collect<M: RemoteMethod>(batch: &mut Batch, params: &M::Params) -> Pending<Vec<OkOf<M>>> {
        batch.call_with(M::NAME, params, M::IDEMPOTENT, |_| None)
    }

    /// Adds a call of `M`, a streaming method that may fail.
    pub fn collect_fallible<M: Fallible>(batch: &mut Batch, params: &M::Params) -> Pending<Vec<OkOf<M>>, ErrOf<M>> {
        batch.call_with(M::NAME, params, M::IDEMPOTENT, decode_app::<M>)
    }

    /// Adds a notification of `M`.
    pub fn notify<M: RemoteMethod>(batch: &mut Batch, params: &M::Params) {
        batch.notify_with(M::NAME, params, M::IDEMPOTENT);
    }
}

/// `<Trait>BlockingClient`'s methods: the async client's, run to completion.
#[cfg(feature = "blocking")]
pub mod blocking {
    use crate::blocking::{BlockingClient, BlockingItems};
    use crate::client::{BuildError, ClientBuilder};
    use crate::error::Error;
    use crate::method::{ErrOf, Fallible, OkOf, RemoteMethod};

    /// The blocking client a builder's settings describe.
    pub fn build<C>(builder: ClientBuilder<C>) -> Result<BlockingClient, BuildError> {
        crate::blocking::build(builder)
    }

    /// Calls `M`, declared `-> T`.
    pub fn call<M: RemoteMethod>(client: &BlockingClient, params: &M::Params) -> Result<OkOf<M>, Error> {
        client.block_on(M::NAME, super::client::call::<M>(client.client(), params))
    }

    /// Calls `M`, declared `-> Result<T, E>`.
    pub fn call_fallible<M: Fallible>(client: &BlockingClient, params: &M::Params) -> Result<OkOf<M>, Error<ErrOf<M>>> {
        client.block_on(M::NAME, super::client::call_fallible::<M>(client.client(), params))
    }

    /// Sends `M` as a notification.
    pub fn notify<M: RemoteMethod>(client: &BlockingClient, params: &M::Params) -> Result<(), Error> {
        client.block_on(M::NAME, super::client::notify::<M>(client.client(), params))
    }

    /// Calls `M`, a streaming method: its items, one by one as they come.
    pub fn open<M: RemoteMethod>(client: &BlockingClient, params: &M::Params) -> Result<BlockingItems<OkOf<M>>, Error> {
        let items = client.block_on(M::NAME, super::client::open::<M>(client.client(), params))?;
        Ok(client.items(items, M::NAME))
    }

    /// Calls `M`, a streaming method that may fail.
    #[allow(clippy::type_complexity)] // spelled out once, for generated code
    pub fn open_fallible<M: Fallible>(
        client: &BlockingClient,
        params: &M::Params,
    ) -> Result<BlockingItems<OkOf<M>, ErrOf<M>>, Error<ErrOf<M>>> {
        let items = client.block_on(M::NAME, super::client::open_fallible::<M>(client.client(), params))?;
        Ok(client.items(items, M::NAME))
    }
}
