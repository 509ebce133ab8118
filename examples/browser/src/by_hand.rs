//! The page's calls written by hand with reqwest and serde_json, for the
//! size comparison in docs/performance.md: the same requests and answers,
//! without the generated client (and without its timeouts, retries,
//! batching or typed errors).

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::{ada, api, refusal};

pub async fn answers(server: &str, mut show: impl FnMut(&str)) -> Result<(), Box<dyn std::error::Error>> {
    let http = reqwest::Client::new();
    let greeting: api::Greeting = call(&http, server, "greet", json!([ada()])).await??;
    show(&format!("greet: {}", greeting.message));
    let found: api::UserInfo = call(&http, server, "find", json!([1])).await??;
    show(&format!("find(1): {}", found.email));
    let missing = call::<api::UserInfo>(&http, server, "find", json!([7])).await?;
    show(&format!("find(7): {}", refusal(missing)));
    let sum: i64 = call(&http, server, "add", json!([40, 2])).await??;
    show(&format!("add(40, 2): {sum}"));
    let refused = call::<f64>(&http, server, "divide", json!([1.0, 0.0])).await?;
    show(&format!("divide(1, 0): {}", refusal(refused)));
    show(&format!("ticks(3): {:?}", ticks(&http, server, 3).await?));
    Ok(())
}

/// One call: the transport's error outside, the call's error message inside.
async fn call<T: DeserializeOwned>(
    http: &reqwest::Client,
    server: &str,
    method: &str,
    params: Value,
) -> Result<Result<T, String>, reqwest::Error> {
    let request = json!({"jsonrpc": "2.0", "method": method, "params": params, "id": 1});
    let mut answer: Value = http.post(server).json(&request).send().await?.json().await?;
    Ok(match answer.get_mut("result") {
        Some(result) => serde_json::from_value(result.take()).map_err(|e| e.to_string()),
        None => Err(answer["error"]["message"].as_str().unwrap_or("no result").to_owned()),
    })
}

/// `ticks`, read whole from the event stream: each `rpc.item` event's result.
async fn ticks(http: &reqwest::Client, server: &str, n: u64) -> Result<Vec<u64>, reqwest::Error> {
    let request = json!({"jsonrpc": "2.0", "method": "ticks", "params": [n, 10], "id": 1});
    let body = http.post(server).header("accept", "text/event-stream").json(&request).send().await?.text().await?;
    let events = body.lines().filter_map(|line| line.strip_prefix("data:"));
    let messages = events.filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok());
    Ok(messages.filter(|m| m["method"] == "rpc.item").filter_map(|m| m["params"]["result"].as_u64()).collect())
}
