//! Generated code under hostile conditions. If this crate builds, the macro's
//! output uses only absolute paths through the remotipy crate; if clippy
//! passes it (CI runs it with `-D warnings`), the generated code raises none
//! of the lints a demanding user turns on.

#![warn(clippy::pedantic, clippy::nursery, unused_qualifications, missing_docs)]

#[no_implicit_prelude]
/// Remote traits declared where nothing is in scope.
pub mod hostile {

    /// User types that shadow the std prelude's names (this module's own
    /// lints are not the point).
    #[allow(missing_docs, clippy::derive_partial_eq_without_eq, clippy::missing_const_for_fn)]
    pub mod shadows {
        // `schemars(crate)`: its derive writes `schemars::` paths, and there is no extern prelude here.
        // schemars' derive (not remotipy) needs these under no_implicit_prelude.
        #[cfg(feature = "openrpc")]
        #[allow(unused_imports)]
        use ::core::convert::Into;
        #[derive(::serde::Serialize, ::serde::Deserialize, ::core::fmt::Debug, ::core::cmp::PartialEq)]
        #[cfg_attr(feature = "openrpc", derive(::schemars::JsonSchema), schemars(crate = "::schemars"))]
        pub struct Result {
            pub ok: bool,
        }
        #[derive(::serde::Serialize, ::serde::Deserialize, ::core::fmt::Debug, ::core::cmp::PartialEq)]
        #[cfg_attr(feature = "openrpc", derive(::schemars::JsonSchema), schemars(crate = "::schemars"))]
        pub struct Error;
        #[derive(::serde::Serialize, ::serde::Deserialize, ::core::fmt::Debug, ::core::cmp::PartialEq)]
        #[cfg_attr(feature = "openrpc", derive(::schemars::JsonSchema), schemars(crate = "::schemars"))]
        pub struct Option;
        #[derive(::serde::Serialize, ::serde::Deserialize, ::core::fmt::Debug, ::core::cmp::PartialEq)]
        #[cfg_attr(feature = "openrpc", derive(::schemars::JsonSchema), schemars(crate = "::schemars"))]
        pub struct Box;
        #[derive(::serde::Serialize, ::serde::Deserialize, ::core::fmt::Debug, ::core::cmp::PartialEq)]
        #[cfg_attr(feature = "openrpc", derive(::schemars::JsonSchema), schemars(crate = "::schemars"))]
        pub struct String;
        impl ::core::fmt::Display for String {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str("a user type named String")
            }
        }
        pub trait Send {}
        pub trait Sync {}
        pub trait Future {}
        #[allow(non_snake_case)]
        pub fn Ok() {}
        #[allow(non_snake_case)]
        pub fn Some() {}
    }

    // In scope so that any unqualified name in the expansion would resolve to them.
    #[allow(unused_imports)]
    use self::shadows::{Box, Error, Future, Ok, Option, Result, Send, Some, String, Sync};

    /// A trait whose signatures use the shadowing types.
    #[::rp::remote(crate = "::rp", namespace = "hostile")]
    pub trait Hostile {
        /// Documented.
        async fn result(&self, r: Result) -> Result;
        /// Fails with a user type named `String`.
        async fn error(&self, e: Error, o: Option) -> ::core::result::Result<Box, String>;
        /// The std `Option`, spelled out.
        async fn maybe(&self, x: ::core::option::Option<u32>) -> ::core::option::Option<u32>;
        /// One-way.
        #[remote(notification)]
        async fn ping(&self);
        /// Renamed on the wire.
        #[remote(name = "with.dots")]
        async fn renamed(&self) -> u8;
        /// A resumable stream, its ids the std `String`.
        async fn feed(
            &self,
        ) -> impl ::rp::stream::Stream<Item = ::rp::stream::Tracked<u8, ::std::string::String>> + ::core::marker::Send;
    }

    /// Many arguments: `clippy::too_many_arguments` is the user's to raise
    /// on the trait, never on what is generated from it.
    #[::rp::remote(crate = "::rp")]
    pub trait Wide {
        /// Eight arguments, of every shape.
        #[allow(clippy::too_many_arguments)]
        async fn wide(
            &self,
            a: u8,
            b: u16,
            c: u32,
            d: u64,
            e: ::std::string::String,
            f: ::std::vec::Vec<u8>,
            g: ::core::option::Option<bool>,
            h: (i8, i16),
        ) -> u64;
    }

    /// A private trait: the generated client and server stay private too.
    #[::rp::remote(crate = "::rp")]
    trait Private {
        /// Does nothing.
        async fn nothing(&self);
    }

    /// Implements every trait here.
    pub struct Impl;

    impl Hostile for Impl {
        async fn result(&self, r: Result) -> Result {
            r
        }
        async fn error(&self, _: Error, _: Option) -> ::core::result::Result<Box, String> {
            ::core::result::Result::Err(String)
        }
        async fn maybe(&self, x: ::core::option::Option<u32>) -> ::core::option::Option<u32> {
            x
        }
        async fn ping(&self) {}
        async fn renamed(&self) -> u8 {
            7
        }
        async fn feed(
            &self,
        ) -> impl ::rp::stream::Stream<Item = ::rp::stream::Tracked<u8, ::std::string::String>> + ::core::marker::Send
        {
            let id = ::std::borrow::ToOwned::to_owned("a");
            ::futures_util::stream::iter([::rp::stream::Tracked::new(id, 1)])
        }
    }

    impl Private for Impl {
        async fn nothing(&self) {}
    }

    /// Exercises the private trait's generated items so they are not dead code.
    #[must_use]
    pub fn private_server() -> ::rp::Server {
        PrivateServer::new(Impl).into_server()
    }

    #[allow(dead_code)]
    fn private_client(server: ::rp::Server) -> PrivateClient {
        PrivateClient::in_process(server)
    }
}

#[cfg(test)]
mod tests {
    use super::hostile::shadows::{Error, Option, Result, String};
    use super::hostile::{HostileClient, HostileServer, Impl};

    #[tokio::test]
    async fn hostile_names_round_trip_in_process() {
        let client = HostileClient::in_process(HostileServer::new(Impl).into_server());
        let r = client.result(Result { ok: true }).await.unwrap();
        ::std::assert_eq!(r, Result { ok: true });
        let e = client.error(Error, Option).await;
        ::std::assert!(::std::matches!(e, ::core::result::Result::Err(::rp::Error::App(String))));
        ::std::assert_eq!(client.maybe(::core::option::Option::None).await.unwrap(), ::core::option::Option::None);
        client.ping().await.unwrap();
        ::std::assert_eq!(client.renamed().await.unwrap(), 7);
        let feed = ::futures_util::StreamExt::collect::<::std::vec::Vec<_>>(client.feed().await.unwrap()).await;
        ::std::assert!(::std::matches!(feed.as_slice(), [::core::result::Result::Ok(1)]));
    }
}
