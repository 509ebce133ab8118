//! Two versions of one shared trait, as happens when client and server are
//! built from different releases of the shared crate. The rules (README,
//! "Changing a remote trait without breaking callers"):
//! adding a method, or an `Option` argument, keeps both directions working;
//! calling what the other side lacks is a precise error naming it.

mod common;

mod v1 {
    #[remotipy::remote]
    pub trait Catalog {
        async fn title(&self, id: u64) -> String;
    }

    pub struct Books;

    impl Catalog for Books {
        async fn title(&self, id: u64) -> String {
            format!("book {id}")
        }
    }
}

mod v2 {
    #[remotipy::remote]
    pub trait Catalog {
        /// v2 adds an optional argument...
        async fn title(&self, id: u64, lang: Option<String>) -> String;
        /// ...and a method.
        async fn count(&self) -> u64;
    }

    pub struct Books;

    impl Catalog for Books {
        async fn title(&self, id: u64, lang: Option<String>) -> String {
            match lang {
                Some(lang) => format!("book {id} ({lang})"),
                None => format!("book {id}"),
            }
        }
        async fn count(&self) -> u64 {
            42
        }
    }
}

#[tokio::test]
async fn an_old_client_works_against_a_new_server() {
    let url = common::serve(v2::CatalogServer::new(v2::Books).into_router()).await;
    let old = v1::CatalogClient::new(url).unwrap();
    assert_eq!(old.title(7).await.unwrap(), "book 7");
}

#[tokio::test]
async fn a_new_client_works_against_an_old_server_while_it_uses_only_what_the_server_has() {
    let url = common::serve(v1::CatalogServer::new(v1::Books).into_router()).await;
    let new = v2::CatalogClient::new(url).unwrap();
    // The new argument absent (`None` is not sent): the old server is happy.
    assert_eq!(new.title(7, None).await.unwrap(), "book 7");

    // The new argument present: a precise error naming it.
    let error = new.title(7, Some("fr".into())).await.unwrap_err();
    assert_eq!(error.code(), Some(-32602), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("invalid params for `title`: unknown field `lang`"), "{message}");

    // The new method: a precise error naming it.
    let error = new.count().await.unwrap_err();
    assert_eq!(error.code(), Some(-32601));
    assert_eq!(error.to_string(), "`count` failed remotely: method not found: `count` (code -32601)");
}

#[tokio::test]
async fn both_directions_in_process_too() {
    let old_server = v1::CatalogServer::new(v1::Books).into_server();
    let new_server = v2::CatalogServer::new(v2::Books).into_server();
    assert_eq!(v1::CatalogClient::in_process(new_server).title(1).await.unwrap(), "book 1");
    let new = v2::CatalogClient::in_process(old_server);
    assert_eq!(new.title(1, None).await.unwrap(), "book 1");
    assert!(new.count().await.is_err());
}
