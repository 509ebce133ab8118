//! OpenRPC discovery (feature `openrpc`): the document a server serves as
//! `rpc.discover` is valid against the OpenRPC meta-schema and describes
//! every method, its params, result and application error from the trait.
#![cfg(feature = "openrpc")]

mod common;

use common::api::{CalculatorServer, UsersServer};
use serde_json::{Value, json};

fn composed() -> remotipy::Server {
    remotipy::Server::builder()
        .service(UsersServer::new(common::app::Directory))
        .service(CalculatorServer::new(common::app::Calc))
        .service(common::ProbeServer::new(common::ProbeImpl::default()))
        .openrpc_info("remotipy example", "1.2.3")
        .build()
        .unwrap()
}

/// Validates `document` against the OpenRPC meta-schema (and the JSON Schema
/// meta-schema it references), offline.
fn meta_schema_errors(document: &Value) -> Vec<String> {
    let read = |name: &str| -> Value {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let meta = read("openrpc-meta-schema.json");
    let tools = jsonschema::Draft::Draft7.create_resource(read("json-schema-tools-meta-schema.json"));
    // The meta-schema refers to it both with and without the trailing slash.
    let registry = jsonschema::Registry::new()
        .add("https://meta.json-schema.tools/", &tools)
        .unwrap()
        .add("https://meta.json-schema.tools", &tools)
        .unwrap()
        .prepare()
        .unwrap();
    let validator = jsonschema::draft7::options().with_registry(&registry).build(&meta).unwrap();
    validator.iter_errors(document).map(|e| format!("{e} at {}", e.instance_path())).collect()
}

fn method<'a>(document: &'a Value, name: &str) -> &'a Value {
    let methods = document["methods"].as_array().unwrap();
    methods.iter().find(|m| m["name"] == name).unwrap_or_else(|| panic!("no method {name} in {document:#}"))
}

#[test]
fn the_document_is_valid_openrpc() {
    let document = composed().openrpc().clone();
    let errors = meta_schema_errors(&document);
    assert!(errors.is_empty(), "{errors:#?}\n{document:#}");
    // And the validator does reject a broken one.
    let mut broken = document.clone();
    broken["methods"][0]["params"][0] = json!({ "required": true });
    assert!(!meta_schema_errors(&broken).is_empty());
    assert!(!meta_schema_errors(&json!({ "openrpc": "9.9.9", "info": {}, "methods": [] })).is_empty());
}

#[test]
fn methods_carry_docs_params_results_and_errors() {
    let server = composed();
    let document = server.openrpc();
    assert_eq!(document["openrpc"], remotipy::openrpc::OPENRPC_VERSION);
    assert_eq!(document["info"], json!({ "title": "remotipy example", "version": "1.2.3" }));
    let names: Vec<&str> =
        document["methods"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    for name in ["greet", "find", "audit", "add", "divide", "echo", "optional", "rpc.discover"] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }

    let greet = method(document, "greet");
    assert_eq!(greet["summary"], "Says hello to `user`.");
    assert_eq!(greet["tags"][0]["name"], "Users");
    assert_eq!(greet["tags"][0]["description"], "The user directory.");
    assert_eq!(
        greet["params"],
        json!([{ "name": "user", "required": true,
        "schema": { "$ref": "#/components/schemas/UserInfo" } }])
    );
    assert_eq!(greet["result"]["schema"], json!({ "$ref": "#/components/schemas/Greeting" }));
    let user_info = &document["components"]["schemas"]["UserInfo"];
    assert_eq!(user_info["required"], json!(["first_name", "last_name", "email"]), "{user_info:#}");

    let find = method(document, "find");
    assert_eq!(find["errors"][0]["code"], -32000);
    assert_eq!(find["errors"][0]["data"]["type"], "UserError");
    assert_eq!(find["errors"][0]["data"]["schema"], json!({ "$ref": "#/components/schemas/UserError" }));
    assert!(document["components"]["schemas"]["UserError"].is_object());

    // A notification has no result; an `Option` argument is not required.
    assert!(method(document, "audit").get("result").is_none());
    let optional = method(document, "optional");
    assert_eq!(optional["params"][1]["required"], false, "{optional:#}");
    assert_eq!(optional["paramStructure"], "either");
}

#[test]
fn an_optional_argument_before_a_required_one_is_by_name_only() {
    #[remotipy::remote]
    trait Search {
        async fn find(&self, limit: Option<u32>, query: String) -> Vec<String>;
    }
    struct S;
    impl Search for S {
        async fn find(&self, _: Option<u32>, query: String) -> Vec<String> {
            vec![query]
        }
    }
    let server = SearchServer::new(S).into_server();
    let find = method(server.openrpc(), "find");
    assert_eq!(find["paramStructure"], "by-name", "{find:#}");
    assert_eq!(find["params"][0]["required"], false);
    assert!(meta_schema_errors(server.openrpc()).is_empty());
}

#[test]
fn every_schema_reference_resolves() {
    let server = composed();
    let document = server.openrpc();
    let mut refs = Vec::new();
    collect_refs(&document["methods"], &mut refs);
    collect_refs(&document["components"], &mut refs);
    assert!(!refs.is_empty());
    for reference in refs.iter().filter(|r| r.starts_with('#')) {
        let name = reference.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{reference}"));
        assert!(document["components"]["schemas"].get(name).is_some(), "{reference} does not resolve");
    }
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                refs.push(r.clone());
            }
            map.values().for_each(|v| collect_refs(v, refs));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}

#[tokio::test]
async fn rpc_discover_answers_with_the_document_over_http() {
    let server = composed();
    let url = common::serve(server.clone().into_router()).await;
    let body = json!({ "jsonrpc": "2.0", "method": "rpc.discover", "id": 7 });
    let response: Value = reqwest::Client::new().post(&url).json(&body).send().await.unwrap().json().await.unwrap();
    assert_eq!(response["id"], 7);
    assert_eq!(&response["result"], server.openrpc());
    // A single trait's server describes itself too, titled after the trait.
    let calc = CalculatorServer::new(common::app::Calc).into_server();
    assert_eq!(calc.openrpc()["info"]["title"], "Calculator");
    assert!(meta_schema_errors(calc.openrpc()).is_empty());
}

#[test]
fn idempotent_and_streaming_methods_say_so() {
    let server = composed();
    let document = server.openrpc();
    assert_eq!(method(document, "add")["x-remotipy-idempotent"], true);
    assert_eq!(method(document, "find")["x-remotipy-idempotent"], true);
    assert!(method(document, "greet").get("x-remotipy-idempotent").is_none());
    assert_eq!(method(document, "ticks")["x-remotipy-stream"], true);
    assert!(method(document, "add").get("x-remotipy-stream").is_none());
}

/// An error type that picks its codes (`ErrorCode`) has them in the
/// document, one entry per code with the variants that use it, so that
/// generated clients can type errors from it; one without keeps `-32000`.
#[test]
fn errors_carry_the_codes_their_type_really_uses() {
    #[derive(Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema, thiserror::Error)]
    pub enum StoreError {
        #[error("no item {0}")]
        NotFound(u64),
        #[error("item {id} is locked by {by}")]
        Locked { id: u64, by: String },
        #[error("read-only")]
        ReadOnly,
        #[error("quota")]
        Quota,
    }
    impl remotipy::ErrorCode for StoreError {
        fn code(&self) -> i64 {
            match self {
                StoreError::NotFound(_) => -32004,
                StoreError::Locked { .. } => -32003,
                StoreError::ReadOnly | StoreError::Quota => -32005,
            }
        }
    }
    #[remotipy::remote]
    trait Store {
        async fn get(&self, id: u64) -> Result<String, StoreError>;
    }
    struct S;
    impl Store for S {
        async fn get(&self, id: u64) -> Result<String, StoreError> {
            Err(StoreError::NotFound(id))
        }
    }
    let server = StoreServer::new(S).into_server();
    let errors = method(server.openrpc(), "get")["errors"].as_array().unwrap().clone();
    let codes: Vec<(i64, String)> =
        errors.iter().map(|e| (e["code"].as_i64().unwrap(), e["message"].as_str().unwrap().to_owned())).collect();
    assert_eq!(
        codes.iter().map(|(code, _)| *code).collect::<Vec<_>>(),
        [-32005, -32004, -32003],
        "one entry per code: {errors:#?}"
    );
    assert!(codes[0].1.starts_with("StoreError (ReadOnly, Quota)"), "{codes:?}");
    assert!(codes[1].1.starts_with("StoreError (NotFound)"), "{codes:?}");
    assert!(errors.iter().all(|e| e["data"]["type"] == "StoreError"), "{errors:#?}");
    assert!(meta_schema_errors(server.openrpc()).is_empty());
    // Without an `ErrorCode` impl, every value travels as -32000.
    let calc = CalculatorServer::new(common::app::Calc).into_server();
    let divide = method(calc.openrpc(), "divide");
    assert_eq!(divide["errors"].as_array().unwrap().len(), 1);
    assert_eq!(divide["errors"][0]["code"], -32000);
}
