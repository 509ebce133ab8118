//! Interoperability with a JSON-RPC 2.0 implementation we did not write:
//! jsonrpsee's HTTP client calls the generated server, and the generated
//! client calls a jsonrpsee server.

mod common;

use common::api::{CalculatorClient, MathError, UserError, UserInfo, UsersClient};
use jsonrpsee::core::client::{BatchResponse, ClientT};
use jsonrpsee::core::params::{ArrayParams, BatchRequestBuilder, ObjectParams};
use jsonrpsee::http_client::HttpClientBuilder;
use jsonrpsee::types::ErrorObjectOwned;
use jsonrpsee::{RpcModule, rpc_params};
use serde::Deserialize;
use serde_json::{Value, json};

#[tokio::test]
async fn jsonrpsee_client_calls_the_generated_server() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/rpc", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, common::app::router(common::app::server().unwrap())).await });
    let client = HttpClientBuilder::default().build(&url).unwrap();

    // Positional params.
    let sum: i64 = client.request("add", rpc_params![40, 2]).await.unwrap();
    assert_eq!(sum, 42);
    // Named params.
    let mut params = ObjectParams::new();
    params.insert("id", 1).unwrap();
    let user: UserInfo = client.request("find", params).await.unwrap();
    assert_eq!(user.first_name, "Ada");
    // An application error: code, message, and data naming the type.
    let error = client.request::<UserInfo, _>("find", rpc_params![9]).await.unwrap_err();
    let jsonrpsee::core::ClientError::Call(error) = error else { panic!("{error:?}") };
    assert_eq!((error.code(), error.message()), (-32000, "no user with id 9"));
    let data: Value = serde_json::from_str(error.data().unwrap().get()).unwrap();
    assert_eq!(data, json!({"type": "UserError", "value": {"NotFound": 9}}));
    // Unknown method.
    let error = client.request::<Value, _>("nope", ArrayParams::new()).await.unwrap_err();
    let jsonrpsee::core::ClientError::Call(error) = error else { panic!("{error:?}") };
    assert_eq!(error.code(), -32601);
    // A notification.
    client.notification("audit", rpc_params!["from jsonrpsee"]).await.unwrap();
    // A batch.
    let mut batch = BatchRequestBuilder::new();
    batch.insert("add", rpc_params![1, 2]).unwrap();
    batch.insert("add", rpc_params![3, 4]).unwrap();
    batch.insert("divide", rpc_params![1.0, 0.0]).unwrap();
    let answers: BatchResponse<f64> = client.batch_request(batch).await.unwrap();
    assert_eq!((answers.num_successful_calls(), answers.num_failed_calls()), (2, 1));
    let oks: Vec<f64> = answers.into_iter().filter_map(Result::ok).collect();
    assert_eq!(oks, [3.0, 7.0]);
}

/// The same traits, implemented by hand on jsonrpsee's server.
fn jsonrpsee_module() -> RpcModule<()> {
    #[derive(Deserialize)]
    struct Add {
        a: i64,
        b: i64,
    }
    #[derive(Deserialize)]
    struct Divide {
        a: f64,
        b: f64,
    }
    #[derive(Deserialize)]
    struct Find {
        id: u64,
    }
    let mut module = RpcModule::new(());
    module.register_method("add", |params, _, _| params.parse::<Add>().map(|p| p.a + p.b)).unwrap();
    module
        .register_method("divide", |params, _, _| {
            let p = params.parse::<Divide>()?;
            if p.b == 0.0 {
                let data = json!({"type": "MathError", "value": "DivisionByZero"});
                return Err(ErrorObjectOwned::owned(-32000, "division by zero", Some(data)));
            }
            Ok(p.a / p.b)
        })
        .unwrap();
    module
        .register_method("find", |params, _, _| {
            let p = params.parse::<Find>()?;
            let data = json!({"type": "UserError", "value": {"NotFound": p.id}});
            Err::<UserInfo, _>(ErrorObjectOwned::owned(-32000, format!("no user with id {}", p.id), Some(data)))
        })
        .unwrap();
    module
}

#[tokio::test]
async fn generated_client_calls_a_jsonrpsee_server() {
    let server = jsonrpsee::server::Server::builder().build("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", server.local_addr().unwrap());
    let handle = server.start(jsonrpsee_module());

    let calc = CalculatorClient::new(&url).unwrap();
    assert_eq!(calc.add(40, 2).await.unwrap(), 42);
    assert_eq!(calc.divide(1.0, 4.0).await.unwrap(), 0.25);
    assert!(matches!(calc.divide(1.0, 0.0).await, Err(remotipy::Error::App(MathError::DivisionByZero))));

    let users = UsersClient::new(&url).unwrap();
    assert!(matches!(users.find(5).await, Err(remotipy::Error::App(UserError::NotFound(5)))));
    // A method jsonrpsee does not have: its -32601 comes back as a remote error.
    let error = users.greet(UserInfo { first_name: "A".into(), last_name: "B".into(), email: "c".into() }).await;
    assert!(matches!(error, Err(remotipy::Error::Remote { code: -32601, .. })), "{error:?}");

    handle.stop().unwrap();
}

/// Automatic batches are standard JSON-RPC batches: a jsonrpsee server
/// answers them, and every concurrent caller gets its own result (typed
/// errors included). jsonrpsee's batch limit (set low here) refuses larger
/// batches with one error object (its `-32010`), and the client sends them
/// again in halves.
#[tokio::test]
async fn automatic_batches_to_a_jsonrpsee_server() {
    let config = jsonrpsee::server::ServerConfig::builder()
        .set_batch_request_config(jsonrpsee::server::BatchRequestConfig::Limit(8))
        .build();
    let server = jsonrpsee::server::Server::builder().set_config(config).build("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", server.local_addr().unwrap());
    let handle = server.start(jsonrpsee_module());
    let calc = CalculatorClient::builder(&url).auto_batch(std::time::Duration::from_millis(2)).build().unwrap();
    let calls: Vec<_> = (0..100i64)
        .map(|i| {
            let calc = calc.clone();
            tokio::spawn(async move {
                match i % 10 {
                    0 => assert!(matches!(
                        calc.divide(1.0, 0.0).await,
                        Err(remotipy::Error::App(MathError::DivisionByZero))
                    )),
                    _ => assert_eq!(calc.add(i, 1_000).await.unwrap(), i + 1_000),
                }
            })
        })
        .collect();
    for call in calls {
        call.await.unwrap();
    }
    handle.stop().unwrap();
}
